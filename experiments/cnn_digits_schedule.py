"""How cnn_digits.py's learning rates and epochs were chosen: on
validation data only.

Split 0's training set (1438 images) is cut into 1150 for training and
288 for validation (``--split validation``; its test set is not used).
Every network is trained for 60 epochs at each learning rate of
`RATES` (Adam, batches of 64, constant rate), seeds 0-4.

The rule, fixed before the candidates were trained:

1. each network gets the learning rate whose mean validation accuracy
   over epochs 56-60 (mean over the seeds) is the highest;
2. the number of epochs is the smallest N of 10, 15, ..., 60 at which,
   for every network at its rate, the mean curve is flat (the mean of
   epochs N-4..N differs from that of the 5 before by less than `TOL`
   points) and no more than `TOL` points below its mean over epochs
   56-60 (training on would not help).

`TOL` is 0.5 points, about one and a half of the 288 validation images.

    python experiments/cnn_digits_schedule.py --run --jobs 2  # train
    python experiments/cnn_digits_schedule.py                # the choice
"""
import sys

import numpy as np

from convlib import experiment, stats

RATES = (0.003, 0.01, 0.03)
EPOCHS, SEEDS, WINDOW, TOL = 60, "0-4", 5, 0.5
CANDIDATES = tuple(range(10, EPOCHS + 1, 5))


def _script():
    """cnn_digits.py, imported from beside this file (by its module name,
    so that runs in parallel processes can unpickle its networks)."""
    from pathlib import Path
    here = str(Path(__file__).resolve().parent)
    if here not in sys.path:
        sys.path.insert(0, here)
    import cnn_digits
    return cnn_digits


def candidate_name(lr):
    """The results name of the candidate trained at `lr`."""
    return f"cnn_digits_split0-validation-epochs{EPOCHS}-lr{lr}"


def train(extra=()):
    """Train every candidate (resumes; `extra`: e.g. ["--jobs", "2"])."""
    spec = _script().experiment_for(0, learning_rates=None)
    for lr in RATES:
        experiment.main(spec, ["--split", "validation", "--epochs",
                               str(EPOCHS), "--lr", str(lr), "--seeds",
                               SEEDS, *extra])


def choose():
    """({network: lr}, epochs, {network: {lr: per-seed curves}})."""
    curves = {}
    for lr in RATES:
        results = experiment.load(candidate_name(lr))
        for network in results.variants:
            curves.setdefault(network, {})[lr] = results.curves(network)
    rates = {net: max(RATES, key=lambda lr: by_lr[lr][:, -WINDOW:].mean())
             for net, by_lr in curves.items()}

    def settled(network, n):
        runs = curves[network][rates[network]]
        flat = stats.convergence(runs[:, :n], WINDOW, TOL).converged
        gain = runs[:, -WINDOW:].mean() - runs[:, n - WINDOW:n].mean()
        return flat and gain < TOL
    epochs = next(n for n in CANDIDATES
                  if all(settled(net, n) for net in curves))
    return rates, epochs, curves


def report():
    """Print the validation numbers and the choice; return the choice."""
    rates, epochs, curves = choose()
    print("validation accuracy (%), mean over seeds 0-4 of epochs "
          f"{EPOCHS - WINDOW + 1}-{EPOCHS}:")
    print(f"{'network':10}" + "".join(f"{'lr ' + str(lr):>11}"
                                      for lr in RATES) + "  chosen")
    for network, by_lr in curves.items():
        cells = "".join(f"{by_lr[lr][:, -WINDOW:].mean():11.2f}"
                        for lr in RATES)
        print(f"{network:10}{cells}  lr {rates[network]}")
    print("mean of the 5 epochs up to N (change from the 5 before):")
    for n in CANDIDATES:
        cells = []
        for network in curves:
            mean = curves[network][rates[network]].mean(axis=0)
            last, before = mean[n - WINDOW:n], mean[n - 2 * WINDOW:
                                                    n - WINDOW]
            change = last.mean() - before.mean() if n >= 2 * WINDOW \
                else np.nan
            cells.append(f"{network} {last.mean():6.2f} ({change:+.2f})")
        print(f"N = {n:2}: " + ", ".join(cells))
    print(f"chosen: {epochs} epochs, learning rates {rates}")
    return rates, epochs


if __name__ == "__main__":
    if "--run" in sys.argv:
        train([a for a in sys.argv[1:] if a != "--run"])
    report()
