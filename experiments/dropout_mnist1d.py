"""Chapter 9: dropout's train/eval difference, measured.

A multilayer perceptron on MNIST-1D (2000 signals made locally, 1600
for training, so that it overfits): 40 -> 256 -> 256 -> 10 with ReLUs
and a dropout after each hidden layer; 78 858 parameters.

Variants:

- "p=0": no dropout (the baseline);
- "p=0.5": dropout with p = 0.5, tested in evaluation mode (dropout
  off), as it should be;
- "p=0.5 train-mode": the same network (same seed: same weights, same
  masks, same batch order), but tested in training mode: every test
  signal goes through a fresh random mask.

Adam, learning rate 1e-3 with a cosine decay, batches of 64, 40 epochs.

    python experiments/dropout_mnist1d.py            # the full run
    python experiments/dropout_mnist1d.py --quick    # 2 seeds, 3 epochs
"""
import functools

import torch
from torch import nn

from convlib import data
from convlib.experiment import Experiment, Training, Variant, main


def mlp(p, hidden=256, n_classes=10):
    """Flatten, two hidden layers of `hidden` ReLUs each followed by a
    dropout with probability `p`, a linear output layer."""
    return nn.Sequential(nn.Flatten(), nn.Linear(40, hidden), nn.ReLU(),
                         nn.Dropout(p), nn.Linear(hidden, hidden),
                         nn.ReLU(), nn.Dropout(p),
                         nn.Linear(hidden, n_classes))


class DropoutAtTest(nn.Module):
    """A network left in training mode when tested (the bug): its
    dropout layers keep dropping. torch's random state is kept, so its
    training draws the same masks as the wrapped network's."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        if self.training:
            return self.net(x)
        self.net.train()
        try:
            with torch.random.fork_rng(devices=[]):
                return self.net(x)
        finally:
            self.net.eval()


def buggy_mlp(p):
    """`mlp(p)` tested in training mode."""
    return DropoutAtTest(mlp(p))


EXPERIMENT = Experiment(
    name="dropout_mnist1d",
    title="Chapter 9: no dropout vs dropout 0.5, tested in evaluation "
          "and in training mode, MLP on MNIST-1D",
    data=functools.partial(data.mnist1d, n_samples=2000,
                           test_fraction=0.2, seed=0),
    variants={
        "p=0": Variant(functools.partial(mlp, 0.0), "no dropout"),
        "p=0.5": Variant(functools.partial(mlp, 0.5), "dropout 0.5"),
        "p=0.5 train-mode": Variant(functools.partial(buggy_mlp, 0.5),
                                    "the same, tested in train mode"),
    },
    training=Training(epochs=40, batch_size=64, lr=1e-3, optimizer="adam",
                      schedule="cosine"),
    seeds=tuple(range(5)),
    pairing="a seed gives the networks the same initial weights and "
            "batch order; p=0.5 train-mode trains exactly as p=0.5.",
    quick={"seeds": (0, 1), "epochs": 3},
    packages=("mnist1d",),
)

if __name__ == "__main__":
    main(EXPERIMENT)            # saves to convlib.experiment.RESULTS_DIR
