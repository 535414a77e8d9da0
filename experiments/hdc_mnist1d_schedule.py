"""How the schedule of hdc_mnist1d.py was chosen: on validation data only.

The training set (4000 signals) is split into 3200 for training and 800
for validation (``--split validation``; the test set is not touched).
Candidates, each trained for seeds 0-9 of every network with Adam at the
chapter's learning rate 0.01 and batches of 128:

- a constant learning rate for 60 epochs (the curve checked at every
  epoch count N from 10 to 60), and
- a cosine decay from 0.01 to 0 over N = 20, 30, 40 and 60 epochs.

The rule, fixed before the candidates were trained: a candidate
qualifies if, on validation, (a) every network's mean curve passes the
convergence check (the mean of the last 5 epochs differs from the mean
of the 5 before by less than 0.2 points) and (b) no network's accuracy
(mean of the last 5 epochs) rises by 0.2 points or more with the next
longer candidate of the same kind, so that the stop is not premature
(the longest candidate of a kind is held to (a) only). The shortest
qualifying cosine schedule is chosen; a constant one only if no cosine
schedule qualifies.

Re-create the validation files (about 25 minutes on 2 cores):

    python experiments/hdc_mnist1d.py --split validation --seeds 0-9 \\
        --schedule constant --epochs 60 --jobs 2
    python experiments/hdc_mnist1d.py --split validation --seeds 0-9 \\
        --epochs N --jobs 2          # for N in 20 30 40 60

then print the comparison and the choice:

    python experiments/hdc_mnist1d_schedule.py
"""
from convlib import experiment, stats

COSINE = (20, 30, 40, 60)
CONSTANT = "hdc_mnist1d-validation-epochs60-scheduleconstant"
WINDOW, TOL = 5, 0.2


def candidates():
    """(label, {network: per-seed curves}) for every candidate."""
    found = []
    constant = experiment.load(CONSTANT)     # from experiment.RESULTS_DIR
    for n in range(10, 61, 5):
        found.append((f"constant, {n} epochs",
                      {v: constant.curves(v)[:, :n]
                       for v in constant.variants}))
    for n in COSINE:
        results = experiment.load(f"hdc_mnist1d-validation-epochs{n}")
        found.append((f"cosine, {n} epochs",
                      {v: results.curves(v) for v in results.variants}))
    return found


def qualifies(curves, longer):
    """The rule's (a) and (b) for one candidate, given the next longer
    one of its kind (None for the longest)."""
    for network, runs in curves.items():
        if not stats.convergence(runs, WINDOW, TOL).converged:
            return False
        if longer is not None:
            gain = (longer[network][:, -WINDOW:].mean()
                    - runs[:, -WINDOW:].mean())
            if gain >= TOL:
                return False
    return True


def report():
    """Print each candidate's validation numbers and the choice."""
    found = candidates()
    print(f"{'candidate':20} " + "  ".join(
        f"{v:>18}" for v in found[0][1]) + "  qualifies")
    chosen = {}
    for i, (label, curves) in enumerate(found):
        kind = label.split(",")[0]
        nxt = found[i + 1] if i + 1 < len(found) else None
        longer = nxt[1] if nxt and nxt[0].startswith(kind) else None
        ok = qualifies(curves, longer)
        cells = []
        for runs in curves.values():
            check = stats.convergence(runs, WINDOW, TOL)
            cells.append(f"{check.last:6.2f} ({check.change:+.2f})")
        print(f"{label:20} " + "  ".join(f"{c:>18}" for c in cells)
              + f"  {'yes' if ok else 'no'}")
        if ok:
            chosen.setdefault(kind, label)
    print("validation accuracy (%): mean of the last 5 epochs over seeds "
          "0-9\n(in brackets: last 5 minus the 5 before)")
    choice = chosen.get("cosine") or chosen.get("constant")
    print(f"chosen: {choice}")
    return choice


if __name__ == "__main__":
    report()
