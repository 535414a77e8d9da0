"""Chapter 8: the chapter's CNN on the 8x8 digits, beside three baselines.

The network of chapter 8 (conv -> ReLU -> pool -> conv -> ReLU -> pool
-> linear, 1898 parameters) against a multilayer perceptron (one hidden
layer of 64 ReLU units, 4810 parameters) and a logistic regression (one
linear layer, 650 parameters), all trained alike: Adam, batches of 64, a
constant learning rate (each network its own, chosen on validation data:
cnn_digits_schedule.py), the cross-entropy loss. The fourth baseline, a
support-vector classifier, has no seeds; the chapter fits it on each
split itself (scikit-learn, a fraction of a second).

The digits are scikit-learn's 1797 images; a random split decides which
of them are tested, so the result depends on it as well as on the seed.
Each split is its own experiment and results file: split k is
`convlib.data.digits(test_fraction=0.2, seed=k)` and its results are
``cnn_digits_split<k>``, for splits 0-9, seeds 0-2 each (30 runs per
network). A seed gives the three networks the same batch order on the
same split (their initial weights differ: their shapes do).

    python experiments/cnn_digits.py                    # all, resumes
    python experiments/cnn_digits.py --splits 0 --quick # a taste
    python experiments/cnn_digits.py --splits 3 --seeds 1 --rerun
    python experiments/cnn_digits.py --show             # the tables

Every other option is the experiments' command line (`--help`), applied
to each split in turn.
"""
import argparse
import functools
import sys

from torch import nn

from convlib import data
from convlib.experiment import Experiment, Training, Variant, main
from convlib.experiment import parse_seeds

SPLITS = tuple(range(10))
SEEDS = (0, 1, 2)
EPOCHS = 45
# Each network's learning rate, chosen on the validation split of split 0
# by cnn_digits_schedule.py (which prints the comparison and the rule).
LEARNING_RATES = {"CNN": 0.01, "MLP": 0.03, "logistic": 0.01}


def cnn():
    """The network of chapter 8 (its make_net)."""
    return nn.Sequential(
        nn.Conv2d(1, 8, kernel_size=3, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=2),
        nn.Conv2d(8, 16, kernel_size=3, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=2),
        nn.Flatten(), nn.Linear(16 * 2 * 2, 10))


def mlp(hidden=64):
    """64 pixels -> `hidden` ReLU units -> 10 scores."""
    return nn.Sequential(nn.Flatten(), nn.Linear(64, hidden), nn.ReLU(),
                         nn.Linear(hidden, 10))


def logistic():
    """Multinomial logistic regression: one linear layer on the pixels."""
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 10))


DESCRIPTIONS = {"CNN": (cnn, "chapter 8's network"),
                "MLP": (mlp, "64 hidden ReLU units"),
                "logistic": (logistic, "one linear layer")}


def experiment_for(split, learning_rates=LEARNING_RATES):
    """The experiment of one split. `learning_rates`: {network: lr}, or
    None for one rate shared by all (the validation candidates, whose
    rate comes from --lr)."""
    rates = learning_rates or {}
    return Experiment(
        name=f"cnn_digits_split{split}",
        title=f"Chapter 8: CNN vs MLP vs logistic regression, 8x8 "
              f"digits, split {split}",
        data=functools.partial(data.digits, test_fraction=0.2,
                               seed=split),
        variants={name: Variant(build, words,
                                {"lr": rates[name]} if name in rates
                                else {})
                  for name, (build, words) in DESCRIPTIONS.items()},
        training=Training(epochs=EPOCHS, batch_size=64, lr=0.01,
                          optimizer="adam", schedule="constant"),
        seeds=SEEDS,
        pairing=None,   # same batch order, different initial weights
        quick={"seeds": (0,), "epochs": 3})


EXPERIMENTS = {split: experiment_for(split) for split in SPLITS}


def run(argv=None, experiments=EXPERIMENTS):
    """The command line: --splits, then the experiments' own options for
    each split. Returns {split: Results}."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--splits", type=parse_seeds,
                        default=tuple(experiments))
    args, rest = parser.parse_known_args(argv)
    if "-h" in rest or "--help" in rest:
        print("--splits: e.g. 0-9, 3 or 0,2 (default: all); then, for "
              "each split:")
    return {split: main(experiments[split], rest)
            for split in args.splits}


if __name__ == "__main__":
    run(sys.argv[1:])
