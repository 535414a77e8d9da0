"""Chapter 4: does dilation help? Plain, HDC and gridding on MNIST-1D.

Three networks that differ only in their dilation rates -- plain
[1, 1, 1], HDC [1, 2, 5] and gridding [2, 2, 2] -- each three 32-channel
convolutions with k = 3 (padding keeps the length 40), ReLUs, a global
max pool and a linear layer: 6666 parameters each. Trained on MNIST-1D
made locally (5000 signals, 4000 for training), 20 seeds each.

    python experiments/hdc_mnist1d.py            # the full run (resumes)
    python experiments/hdc_mnist1d.py --quick    # 2 seeds, 3 epochs
    python experiments/hdc_mnist1d.py --seeds 3 --rerun   # one seed again
    python experiments/hdc_mnist1d.py --help

The schedule (30 epochs, Adam, lr 0.01 decayed by a cosine to 0) was
chosen on a validation split cut from the training set, never on the
test set: see hdc_mnist1d_schedule.py and its results files
hdc_mnist1d-validation-*.json (in convlib/experiment/saved/, with the
results of this script).
"""
import functools

from torch import nn

from convlib import data
from convlib.experiment import Experiment, Training, Variant, main

RATES = {"plain": (1, 1, 1), "HDC": (1, 2, 5), "gridding": (2, 2, 2)}


def dilated_net(rates, in_channels=1, channels=32, k=3, n_classes=10):
    """Conv + ReLU per rate (length kept), global max pool, linear: the
    network of chapter 4, in one dimension."""
    layers = []
    for i, d in enumerate(rates):
        layers += [nn.Conv1d(in_channels if i == 0 else channels, channels,
                             k, dilation=d, padding=d * (k - 1) // 2),
                   nn.ReLU()]
    return nn.Sequential(*layers, nn.AdaptiveMaxPool1d(1), nn.Flatten(),
                         nn.Linear(channels, n_classes))


EXPERIMENT = Experiment(
    name="hdc_mnist1d",
    title="Chapter 4: plain [1, 1, 1] vs HDC [1, 2, 5] vs gridding "
          "[2, 2, 2] dilation rates, MNIST-1D, equal parameters",
    data=functools.partial(data.mnist1d, n_samples=5000,
                           test_fraction=0.2, seed=0),
    variants={name: Variant(functools.partial(dilated_net, rates),
                            f"rates {list(rates)}")
              for name, rates in RATES.items()},
    training=Training(epochs=30, batch_size=128, lr=1e-2,
                      optimizer="adam", schedule="cosine"),
    seeds=tuple(range(20)),
    pairing="a seed gives the three networks the same initial weights "
            "(their parameters have the same shapes) and the same batch "
            "order, so the runs of one seed share their luck.",
    quick={"seeds": (0, 1), "epochs": 3},
    packages=("mnist1d",),
)

if __name__ == "__main__":
    main(EXPERIMENT)            # saves to convlib.experiment.RESULTS_DIR
