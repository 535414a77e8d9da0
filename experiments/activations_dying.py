"""Chapter 7: dying ReLU units, measured over long training.

Small fully connected networks on scikit-learn's 8x8 digits (made
locally by `convlib.data.digits`): 64 inputs, two hidden layers of
`width` units, 10 outputs, with ReLU, Leaky ReLU (slope 0.01) or ELU
after each hidden layer. Adam, batches of 256 (6 steps per epoch),
60 epochs, 20 seeds: hidden width 128 at a normal (1e-3) and a large
(5e-2) learning rate, and width 16 at the large rate.

After every epoch a probe looks at every hidden unit over the whole
training set: is its input <= 0 for every sample ("never active")? How
large is the gradient of its incoming weights (one backward pass of the
mean loss)? How many of the units that were never active after epoch 5
(the first edition's set-up: 5 epochs x 6 batches = 30 steps) are
active again now?

    python experiments/activations_dying.py            # full run
    python experiments/activations_dying.py --quick    # 2 seeds, 3 epochs
    python experiments/activations_dying.py --show     # the table
"""
import functools

import torch
import torch.nn.functional as F
from torch import nn

from convlib import data
from convlib.experiment import Experiment, Training, Variant, main

ACTIVATIONS = {"ReLU": nn.ReLU, "Leaky ReLU": nn.LeakyReLU, "ELU": nn.ELU}
RATES = {"normal": 1e-3, "large": 5e-2}
SINCE = 5       # the epoch whose never-active units are followed


def mlp(activation, width):
    """64 -> width -> width -> 10, `activation` after each hidden
    layer."""
    act = ACTIVATIONS[activation]
    return nn.Sequential(nn.Flatten(), nn.Linear(64, width), act(),
                         nn.Linear(width, width), act(),
                         nn.Linear(width, 10))


def _hidden_inputs(model, x):
    """Logits and the pre-activations of every hidden unit, (N, units)
    per hidden layer, with the layers they come from."""
    hidden, h = [], x
    layers = list(model)
    for i, layer in enumerate(layers):
        h = layer(h)
        if isinstance(layer, nn.Linear) and i + 1 < len(layers):
            hidden.append((layer, h))
    return h, hidden


def unit_probe(model, ds, state, since=SINCE):
    """Never-active units, their gradients, and revivals (see above).

    Returns
    -------
    dict
        ``never``: units whose input is <= 0 on every training sample;
        ``zero_grad``: units whose incoming weights and bias get a
        gradient of exactly 0; ``grad_never``, ``grad_active``: the sum
        over never-active and over the other units of the norm of that
        gradient (divide by the counts for a mean per unit);
        ``since``: units never active after epoch `since` (0 before);
        ``revived``: of those, units active on some sample now.
    """
    state["epoch"] = state.get("epoch", 0) + 1
    model.zero_grad(set_to_none=True)
    x = torch.as_tensor(ds.x_train).float()
    y = torch.as_tensor(ds.y_train).long()
    with torch.enable_grad():
        logits, hidden = _hidden_inputs(model, x)
        F.cross_entropy(logits, y).backward()
    never = torch.cat([(pre <= 0).all(dim=0) for _, pre in hidden])
    grad = torch.cat([torch.sqrt(layer.weight.grad.pow(2).sum(dim=1)
                                 + layer.bias.grad.pow(2))
                      for layer, _ in hidden])
    model.zero_grad(set_to_none=True)
    if state["epoch"] == since:
        state["mask"] = never.clone()
    mask = state.get("mask", torch.zeros_like(never))
    return {"never": int(never.sum()), "zero_grad": int((grad == 0).sum()),
            "grad_never": float(grad[never].sum()),
            "grad_active": float(grad[~never].sum()),
            "since": int(mask.sum()), "revived": int((mask & ~never).sum())}


# (width, rate): the wide networks at both rates; the tight ones at the
# large rate, where units die (at 1e-3 they would need far more than 60
# epochs to converge).
SETTINGS = ((128, "normal"), (128, "large"), (16, "large"))


def _variants():
    variants = {}
    for width, rate in SETTINGS:
        for activation in ACTIVATIONS:
            variants[f"{activation}, {width}, {rate}"] = Variant(
                functools.partial(mlp, activation, width),
                f"width {width}, lr {RATES[rate]:g}",
                {"lr": RATES[rate]})
    return variants


EXPERIMENT = Experiment(
    name="activations_dying",
    title="Chapter 7: never-active (dead) units of ReLU, Leaky ReLU and "
          "ELU networks on the digits: width 128 at learning rates 1e-3 "
          "and 5e-2, width 16 at 5e-2; Adam",
    data=functools.partial(data.digits, seed=0),
    variants=_variants(),
    training=Training(epochs=60, batch_size=256, lr=1e-3,
                      optimizer="adam", schedule="constant"),
    seeds=tuple(range(20)),
    pairing="a seed gives the networks of one width the same initial "
            "weights (their parameters have the same shapes) and every "
            "network the same batch order.",
    quick={"seeds": (0, 1), "epochs": 3},
    probe=unit_probe,
)

if __name__ == "__main__":
    main(EXPERIMENT)
