"""Chapter 7: the learning rate that trains each activation fastest.

As Krizhevsky et al. did ("the learning rates for each network were
chosen independently to make training as fast as possible"), each
activation of activations_speed.py gets its own learning rate: the one,
from 0.01, 0.03, 0.1, 0.3 and 1, whose runs reach 90 % training
accuracy in the fewest epochs (mean over seeds 100-102; a run that never
reaches it counts as one epoch more than the schedule); among rates
that tie (none of whose runs reaches it), the one with the lowest mean
training loss over the epochs. Only training curves are used, and only
seeds the comparison does not use.

    python experiments/activations_speed_lr.py          # the grid runs
    python experiments/activations_speed_lr.py --choose # print the choice
"""
import functools
import sys

import numpy as np

from convlib import experiment
from convlib.experiment import Experiment, Variant, main

sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
from activations_speed import (ACTIVATIONS, DATA, THRESHOLD,  # noqa: E402
                               TRAINING, conv_net)

RATES = (0.01, 0.03, 0.1, 0.3, 1.0)

EXPERIMENT = Experiment(
    name="activations_speed_lr",
    title="Chapter 7: training speed of chapter 4's plain network with "
          "ReLU, tanh and sigmoid over a grid of learning rates (SGD with "
          "momentum), to choose each one's fastest",
    data=DATA,
    variants={f"{name} {lr:g}": Variant(functools.partial(conv_net, name),
                                        f"lr {lr:g}", {"lr": lr})
              for name in ACTIVATIONS for lr in RATES},
    training=TRAINING,
    seeds=(100, 101, 102),
    pairing="a seed gives every network the same initial weights and "
            "batch order.",
    quick={"seeds": (100,), "epochs": 3},
    packages=("mnist1d",),
)


def epochs_to(curve, threshold=THRESHOLD):
    """Epochs until `curve` (fractions) first reaches `threshold`;
    ``len(curve) + 1`` if it never does."""
    above = np.flatnonzero(np.asarray(curve) >= threshold)
    return int(above[0]) + 1 if above.size else len(curve) + 1


def choose_rates(results):
    """Per activation, the learning rate whose runs reach THRESHOLD
    training accuracy in the fewest epochs (mean over seeds), ties
    broken by the lowest mean training loss over the epochs. Returns
    ({activation: lr}, {variant: mean epochs})."""
    means = {v: np.mean([epochs_to(results.run(v, s)["train_acc"])
                         for s in results.seeds(v)])
             for v in results.variants}
    loss = {v: results.curves(v, "train_loss").mean()
            for v in results.variants}
    chosen = {}
    for name in ACTIVATIONS:
        best = min(RATES, key=lambda lr: (means[f"{name} {lr:g}"],
                                          loss[f"{name} {lr:g}"]))
        chosen[name] = best
    return chosen, means


def report(name="activations_speed_lr"):
    """Print the mean epochs to THRESHOLD per rate and the choice."""
    chosen, means = choose_rates(experiment.load(name))
    print(f"mean epochs until {THRESHOLD:.0%} training accuracy "
          f"({TRAINING.epochs + 1}: not within {TRAINING.epochs}):")
    for act in ACTIVATIONS:
        cells = "  ".join(f"{lr:g}: {means[f'{act} {lr:g}']:4.1f}"
                          for lr in RATES)
        print(f"  {act:8s} {cells}  -> {chosen[act]:g}")
    return chosen


if __name__ == "__main__":
    if "--choose" in sys.argv:
        report()
    else:
        main(EXPERIMENT)
