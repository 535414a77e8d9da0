"""Cases for 09_normalisation: batch norm forward (training and
evaluation, running statistics) and backward, dropout forward and
backward, a residual block's forward and backward.

The hidden cases are drawn to catch the usual bugs: a running variance
updated with the biased variance (small batches, where m / (m - 1) is
far from 1), running statistics not updated or used in evaluation mode,
the momentum taken the other way round (momentum 0.3, not only 0.1),
2-D batch norm averaged over the wrong axes (maps larger than 1 x 1,
channels with different levels), a batch of 2, a channel of constant
values, dropout's mask not scaled or scaled in evaluation, and a
residual block without its identity path.
"""
import numpy as np

from convlib import numpy as cnp

from . import Case, Function, drawn, integer

# name, points (of 20; the cases share them), seconds per call
FUNCTIONS = (
    Function("batch_norm", points=6, seconds=1),
    Function("batch_norm_backward", points=5, seconds=1),
    Function("dropout", points=2, seconds=1),
    Function("dropout_backward", points=1, seconds=1),
    Function("residual_block", points=2, seconds=1),
    Function("residual_block_backward", points=4, seconds=1),
)


# ------------------------------------------------------------ references

def batch_norm_reference(x, gamma, beta, running_mean, running_var,
                         training, momentum=0.1, eps=1e-5):
    """(y, new running mean, new running variance), the inputs
    unchanged (convlib updates copies in place)."""
    mean, var = np.array(running_mean, float), np.array(running_var, float)
    y = cnp.batch_norm(x, mean, var, gamma, beta, training=training,
                       momentum=momentum, eps=eps)
    return y, mean, var


def batch_norm_backward_reference(grad_output, x, gamma, eps=1e-5):
    """(dx, dgamma, dbeta) of training-mode batch norm."""
    grads = cnp.batch_norm_backward(grad_output, x, None, None, gamma,
                                    np.zeros_like(gamma), training=True,
                                    eps=eps)
    return grads[0], grads[3], grads[4]


def dropout_reference(x, p, mask, training=True):
    return cnp.dropout(x, p, training=training, mask=mask)


def dropout_backward_reference(grad_output, p, mask):
    return cnp.dropout_backward(grad_output, grad_output, p, mask=mask)


def residual_block_reference(x, w1, w2):
    """relu(x + relu(x w1^T) w2^T) for x (N, D), w1 (H, D), w2 (D, H)."""
    hidden = cnp.relu(cnp.linear(x, w1))
    return cnp.relu(x + cnp.linear(hidden, w2))


def residual_block_backward_reference(grad_output, x, w1, w2):
    """(dx, dw1, dw2) of `residual_block_reference`."""
    pre1 = cnp.linear(x, w1)
    hidden = cnp.relu(pre1)
    pre2 = x + cnp.linear(hidden, w2)
    g2 = cnp.relu_backward(grad_output, pre2)
    d_hidden, d_w2 = cnp.linear_backward(g2, hidden, w2)[:2]
    g1 = cnp.relu_backward(d_hidden, pre1)
    d_x, d_w1 = cnp.linear_backward(g1, x, w1)[:2]
    return d_x + g2, d_w1, d_w2


# ----------------------------------------------------------------- inputs

def _levels(rng, shape):
    """Channels at different levels (mean 3c) and spreads: averaging
    over the wrong axes gives other numbers."""
    C = shape[1]
    level = (3.0 * np.arange(C)).reshape((1, C) + (1,) * (len(shape) - 2))
    spread = rng.uniform(0.5, 2.0, C).reshape(level.shape)
    return level + spread * rng.standard_normal(shape)


def _stats(rng, C):
    return rng.standard_normal(C), rng.uniform(0.5, 2.0, C)


def _affine(rng, C):
    return rng.uniform(0.5, 1.5, C), rng.standard_normal(C)


def _bn_shapes(rng, vary):
    listed = [(4, 3), (3, 2, 4, 5), (2, 3), (2, 4, 3, 3)]
    return drawn(listed, rng, vary, lambda r: (
        (integer(r, 2, 6), integer(r, 1, 5)) if r.random() < 0.4 else
        (integer(r, 2, 4), integer(r, 1, 4), integer(r, 1, 5),
         integer(r, 2, 5))))


def _bn_cases(rng, vary):
    result = []
    for i, shape in enumerate(_bn_shapes(rng, vary)):
        x, C = _levels(rng, shape), shape[1]
        momentum = 0.1 if i % 2 == 0 else 0.3
        args = (x,) + _affine(rng, C) + _stats(rng, C)
        result.append(Case(
            "batch_norm", f"training, x {shape}, momentum {momentum}",
            args + (True,), dict(momentum=momentum),
            reference=batch_norm_reference, hidden_only=i >= 2))
        result.append(Case(
            "batch_norm", f"evaluation, x {shape}", args + (False,),
            dict(momentum=momentum), reference=batch_norm_reference,
            hidden_only=i >= 2))
    flat = _levels(rng, (2, 3, 2, 2))
    flat[:, 1] = 5.0                      # a channel of one value
    result.append(Case(
        "batch_norm", "training, batch of 2, a constant channel",
        (flat,) + _affine(rng, 3) + _stats(rng, 3) + (True,),
        reference=batch_norm_reference, hidden_only=True))
    return result


def _bn_backward_cases(rng, vary):
    result = []
    for i, shape in enumerate(_bn_shapes(rng, vary)):
        x, C = _levels(rng, shape), shape[1]
        result.append(Case(
            "batch_norm_backward", f"x {shape}, random grad_output",
            (rng.standard_normal(shape), x, rng.uniform(0.5, 1.5, C)),
            reference=batch_norm_backward_reference, hidden_only=i >= 2))
    return result


def _mask(rng, shape, p):
    return (rng.random(shape) >= p).astype(float)


def _dropout_cases(rng, vary):
    settings = drawn([((3, 5), 0.5), ((2, 3, 4), 0.2), ((4, 4), 0.8)],
                     rng, vary, lambda r: (
                         tuple(integer(r, 1, 5) for _ in range(
                             integer(r, 1, 3))), float(r.uniform(0.1, 0.9))))
    result = []
    for i, (shape, p) in enumerate(settings):
        x, mask = rng.standard_normal(shape), _mask(rng, shape, p)
        result.append(Case("dropout", f"training, x {shape}, p = {p:.2g}",
                           (x, p, mask), dict(training=True),
                           reference=dropout_reference, hidden_only=i >= 2))
        result.append(Case("dropout", f"evaluation, x {shape}, "
                           f"p = {p:.2g}", (x, p, mask),
                           dict(training=False), reference=dropout_reference,
                           hidden_only=i >= 1))
        result.append(Case("dropout_backward", f"grad_output {shape}, "
                           f"p = {p:.2g}",
                           (rng.standard_normal(shape), p, mask),
                           reference=dropout_backward_reference,
                           hidden_only=i >= 2))
    return result


def _block_sizes(rng, vary):
    return drawn([(4, 3, 5), (2, 6, 2), (1, 4, 4)], rng, vary,
                 lambda r: (integer(r, 1, 5), integer(r, 1, 6),
                            integer(r, 1, 6)))


def _block_cases(rng, vary, function, reference):
    result = []
    for i, (N, D, H) in enumerate(_block_sizes(rng, vary)):
        x = rng.standard_normal((N, D))
        w1, w2 = rng.standard_normal((H, D)), rng.standard_normal((D, H))
        args = (x, w1, w2)
        if function.endswith("backward"):
            args = (rng.standard_normal((N, D)),) + args
        result.append(Case(function, f"x ({N}, {D}), {H} hidden units",
                           args, reference=reference, hidden_only=i >= 2))
    return result


def cases(rng, vary=False):
    """Every case of this set, in FUNCTIONS order (`vary`: the fixed
    settings drawn anew from `rng` too)."""
    drop = _dropout_cases(rng, vary)
    return (_bn_cases(rng, vary) + _bn_backward_cases(rng, vary)
            + [c for c in drop if c.function == "dropout"]
            + [c for c in drop if c.function == "dropout_backward"]
            + _block_cases(rng, vary, "residual_block",
                           residual_block_reference)
            + _block_cases(rng, vary, "residual_block_backward",
                           residual_block_backward_reference))
