"""Chapter 9: batch norm against group norm as the batch shrinks, and
the bug of evaluating a batch-normalised network in training mode.

One small 1-D CNN on MNIST-1D (5000 signals made locally, 4000 for
training): three blocks of Conv1d (32 channels, k = 3, no bias) ->
normalisation -> ReLU, max pooling after the first two, a global
average pool and a linear layer; 6762 parameters whichever norm. The
norm is BatchNorm1d(32) or GroupNorm(8, 32) (groups of 4 channels).

Variants:

- "BN b32", "GN b32", "BN b4", "GN b4", "BN b2", "GN b2": each norm
  trained with batches of 32, 4 and 2 samples. SGD with momentum 0.9,
  the learning rate in proportion to the batch size (0.1 at 32,
  0.0125 at 4, 0.00625 at 2), a cosine decay, 10 epochs (so the
  small batches take 8 and 16 times as many steps);
- "BN b32 train-mode": "BN b32" trained identically (same seed, same
  weights, same batch order, so the same network) but tested in
  training mode, on test batches of 32: the batch statistics of each
  test batch instead of the running statistics;
- "BN b32 train-mode b1": the same, on test batches of one signal.

    python experiments/norm_mnist1d.py            # the full run (resumes)
    python experiments/norm_mnist1d.py --quick    # 2 seeds, 3 epochs
    python experiments/norm_mnist1d.py --help
"""
import functools

import torch
from torch import nn

from convlib import data
from convlib.experiment import Experiment, Training, Variant, main

CHANNELS, GROUPS = 32, 8


def norm_layer(norm, channels=CHANNELS, groups=GROUPS):
    """BatchNorm1d or GroupNorm: the same 2 * channels parameters."""
    if norm == "batch":
        return nn.BatchNorm1d(channels)
    return nn.GroupNorm(groups, channels)


def norm_net(norm, channels=CHANNELS, n_classes=10):
    """Three conv -> norm -> ReLU blocks (max pooling after the first
    two), global average pool, linear. Convolutions have no bias: the
    norm's mean subtraction would cancel it."""
    layers = []
    for i in range(3):
        layers += [nn.Conv1d(1 if i == 0 else channels, channels, 3,
                             padding=1, bias=False),
                   norm_layer(norm, channels), nn.ReLU()]
        if i < 2:
            layers.append(nn.MaxPool1d(2))
    return nn.Sequential(*layers, nn.AdaptiveAvgPool1d(1), nn.Flatten(),
                         nn.Linear(channels, n_classes))


class TrainModeAtTest(nn.Module):
    """A network that is always run in training mode, the bug: in
    evaluation it still normalises with the statistics of each test
    batch (of `batch` samples), never with the running statistics.

    The running statistics it updates on test batches are never used,
    and torch's random state is kept, so its training is exactly that
    of the wrapped network with the same seed.
    """

    def __init__(self, net, batch):
        super().__init__()
        self.net, self.batch = net, batch

    def forward(self, x):
        if self.training:
            return self.net(x)
        self.net.train()
        try:
            with torch.random.fork_rng(devices=[]):
                return torch.cat([self.net(part)
                                  for part in x.split(self.batch)])
        finally:
            self.net.eval()


def buggy_net(batch):
    """`norm_net("batch")` tested in training mode on test batches of
    `batch` signals."""
    return TrainModeAtTest(norm_net("batch"), batch)


def _variants():
    variants = {}
    for batch in (32, 4, 2):
        lr = 0.1 * batch / 32
        for norm, short in (("batch", "BN"), ("group", "GN")):
            variants[f"{short} b{batch}"] = Variant(
                functools.partial(norm_net, norm),
                f"{short}, batch {batch}",
                {"batch_size": batch, "lr": lr})
    variants["BN b32 train-mode"] = Variant(
        functools.partial(buggy_net, 32), "BN b32, tested in train mode")
    variants["BN b32 train-mode b1"] = Variant(
        functools.partial(buggy_net, 1), "the same, test batches of 1")
    return variants


EXPERIMENT = Experiment(
    name="norm_mnist1d",
    title="Chapter 9: batch norm vs group norm at batch sizes 32, 4 and "
          "2, and batch norm tested in training mode, MNIST-1D",
    data=functools.partial(data.mnist1d, n_samples=5000,
                           test_fraction=0.2, seed=0),
    variants=_variants(),
    training=Training(epochs=10, batch_size=32, lr=0.1, optimizer="sgd",
                      momentum=0.9, schedule="cosine"),
    seeds=tuple(range(5)),
    pairing="a seed gives every network the same initial weights (batch "
            "and group norm have the same parameter shapes, both start "
            "at weight 1 and bias 0) and, at equal batch size, the same "
            "batch order; the train-mode variants train exactly as BN "
            "b32.",
    quick={"seeds": (0, 1), "epochs": 3},
    packages=("mnist1d",),
)

if __name__ == "__main__":
    main(EXPERIMENT)            # saves to convlib.experiment.RESULTS_DIR
