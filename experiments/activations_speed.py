"""Chapter 7: does ReLU train faster than tanh and sigmoid?

Krizhevsky et al. (2012) report that a four-layer CNN with ReLUs reached
25 % training error on CIFAR-10 six times faster than the same network
with tanh, each with the learning rate that trained it fastest. The same
comparison, small: chapter 4's plain network on MNIST-1D (three
32-channel Conv1d layers, k = 3, length kept, a global max pool and a
linear layer, 6666 parameters) with ReLU, tanh or sigmoid after each
convolution; SGD with momentum 0.9, batches of 128, a constant learning
rate, 30 epochs, 20 seeds; PyTorch's default initialisation.

Each activation gets the learning rate that trained it fastest in
activations_speed_lr.py (the grid 0.01 to 1, on seeds 100-102 that this
comparison does not use): `LEARNING_RATES` below, which a test holds
equal to that file's choice.

    python experiments/activations_speed.py            # full run
    python experiments/activations_speed.py --quick    # 2 seeds, 3 epochs
    python experiments/activations_speed.py --show     # the table
"""
import functools

from torch import nn

from convlib import data
from convlib.experiment import Experiment, Training, Variant, main

ACTIVATIONS = {"ReLU": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}
# chosen by activations_speed_lr.py (choose_rates), seeds 100-102
LEARNING_RATES = {"ReLU": 0.1, "tanh": 0.1, "sigmoid": 0.1}
THRESHOLD = 0.9     # "fast": epochs until the training accuracy reaches it
DATA = functools.partial(data.mnist1d, n_samples=5000, test_fraction=0.2,
                         seed=0)
TRAINING = Training(epochs=30, batch_size=128, lr=0.1, optimizer="sgd",
                    momentum=0.9, schedule="constant")


def conv_net(activation, depth=3, channels=32, k=3, n_classes=10):
    """Chapter 4's plain network with `activation` after each
    convolution: `depth` Conv1d layers (length kept), global max pool,
    linear layer."""
    layers = []
    for i in range(depth):
        layers += [nn.Conv1d(1 if i == 0 else channels, channels, k,
                             padding=k // 2), ACTIVATIONS[activation]()]
    return nn.Sequential(*layers, nn.AdaptiveMaxPool1d(1), nn.Flatten(),
                         nn.Linear(channels, n_classes))


EXPERIMENT = Experiment(
    name="activations_speed",
    title="Chapter 7: ReLU vs tanh vs sigmoid, training speed of chapter "
          "4's plain network on MNIST-1D, SGD with momentum, each at its "
          "fastest learning rate",
    data=DATA,
    variants={name: Variant(functools.partial(conv_net, name),
                            f"lr {lr:g}", {"lr": lr})
              for name, lr in LEARNING_RATES.items()},
    training=TRAINING,
    seeds=tuple(range(20)),
    pairing="a seed gives the three networks the same initial weights "
            "(their parameters have the same shapes) and the same batch "
            "order, so the runs of one seed share their luck.",
    quick={"seeds": (0, 1), "epochs": 3},
    packages=("mnist1d",),
)


if __name__ == "__main__":
    main(EXPERIMENT)
