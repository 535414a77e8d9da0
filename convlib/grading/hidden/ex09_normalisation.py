"""Cases for 09_normalisation: batch norm forward (training and
evaluation, running statistics) and backward, dropout forward and
backward, a residual block's forward and backward.

The hidden cases are drawn to catch the usual bugs: a running variance
updated with the biased variance (small batches, where m / (m - 1) is
far from 1), running statistics not updated or used in evaluation mode,
the momentum taken the other way round (momentums other than 0.1),
2-D batch norm averaged over the wrong axes (non-square maps, channels
with different levels), a batch of one (4-D) or of 2, a single channel,
a channel of constant values, inputs with exact ties, exact zeros and
rows of very large or very small values, dropout's mask not scaled or
scaled in evaluation (p = 0 included), and a residual block without its
identity path or with ReLU's slope 1 at 0 (a row of zeros). The
self-check holds every one of these kinds; under ``--seed`` every
shape, momentum and probability is drawn anew, keeping its kind.
"""
import numpy as np

from convlib import numpy as cnp

from . import Case, Function, like, redrawn, shape_like, values

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

def _levels(rng, shape, kind):
    """Values of `kind` with channels at different levels (3c, kept
    whole so that ties stay ties; zeros stay zeros) and spreads:
    averaging over the wrong axes gives other numbers."""
    C = shape[1]
    level = (3.0 * np.arange(C)).reshape((1, C) + (1,) * (len(shape) - 2))
    x = values(rng, shape, kind)
    if kind == "zeros":
        return x * (1.0 + level)
    if kind == "random":
        return level + rng.uniform(0.5, 2.0, level.shape) * x
    return level + x


def _stats(rng, C):
    return rng.standard_normal(C), rng.uniform(0.5, 2.0, C)


def _affine(rng, C):
    return rng.uniform(0.5, 1.5, C), rng.standard_normal(C)


def _shape(rng, shape):
    """A shape like `shape`: (N, C, H, W) by `shape_like`; (N, C) with
    N of at least 2 (batch norm needs two values per channel)."""
    if len(shape) == 4:
        return shape_like(rng, shape, high=5)
    return (like(rng, shape[0], 2, 6), like(rng, shape[1], 1, 5))


def _momentum(rng, momentum):
    """A momentum in place of `momentum` (under ``--seed``)."""
    return round(float(rng.uniform(0.05, 0.5)), 2)


# (x shape, kind of values, momentum, hidden only): every kind, a batch
# of one, a single channel and non-square maps in the self-check
_BN = [((4, 3), "random", 0.1, False), ((2, 3), "random", 0.3, False),
       ((3, 2, 4, 5), "random", 0.3, False),
       ((1, 3, 3, 4), "ties", 0.1, False),
       ((2, 1, 3, 3), "zeros", 0.25, False),
       ((2, 3, 2, 3), "extreme", 0.3, False),
       ((2, 4, 3, 3), "random", 0.1, True), ((3, 2), "random", 0.4, True),
       ((1, 2, 2, 3), "random", 0.4, True),
       ((3, 1, 5, 2), "ties", 0.1, True), ((2, 3, 4, 2), "zeros", 0.3, True),
       ((5, 2), "extreme", 0.2, True), ((1, 1, 3, 2), "extreme", 0.1, True)]


def _bn_settings(rng, vary):
    return redrawn(_BN, rng, vary, lambda r, s: (
        _shape(r, s[0]), s[1], _momentum(r, s[2]), s[3]))


def _bn_cases(rng, vary):
    result = []
    for shape, kind, momentum, hidden in _bn_settings(rng, vary):
        C = shape[1]
        args = (_levels(rng, shape, kind),) + _affine(rng, C) + _stats(
            rng, C)
        for training in (True, False):
            mode = "training" if training else "evaluation"
            result.append(Case(
                "batch_norm", f"{mode}, x {shape} ({kind}), momentum "
                f"{momentum:g}", args + (training,), dict(momentum=momentum),
                reference=batch_norm_reference, hidden_only=hidden))
    shape = (2, 3, 2, 2) if not vary else shape_like(rng, (2, 3, 2, 2), 4)
    flat = _levels(rng, shape, "random")
    flat[:, 1] = 5.0                      # a channel of one value
    C = shape[1]
    result.append(Case(
        "batch_norm", f"training, x {shape} (random), channel 1 constant",
        (flat,) + _affine(rng, C) + _stats(rng, C) + (True,),
        reference=batch_norm_reference))
    return result


def _bn_backward_cases(rng, vary):
    result = []
    for shape, kind, _, hidden in _bn_settings(rng, vary):
        x, C = _levels(rng, shape, kind), shape[1]
        result.append(Case(
            "batch_norm_backward", f"x {shape} ({kind}), random "
            "grad_output", (rng.standard_normal(shape), x,
                            rng.uniform(0.5, 1.5, C)),
            reference=batch_norm_backward_reference, hidden_only=hidden))
    return result


def _mask(rng, shape, p):
    return (rng.random(shape) >= p).astype(float)


# (x shape, p, kind of values, hidden only)
_DROPOUT = [((3, 5), 0.5, "random", False), ((2, 3, 4), 0.2, "zeros", False),
            ((1, 2, 3, 4), 0.3, "ties", False),
            ((2, 1, 3, 2), 0.8, "extreme", False),
            ((4, 4), 0.0, "random", False),
            ((2, 2, 4, 3), 0.6, "random", True),
            ((1, 1, 2, 5), 0.5, "zeros", True), ((5, 3), 0.9, "ties", True),
            ((3, 3, 2, 2), 0.1, "extreme", True)]


def _dropout_cases(rng, vary):
    def draw(r, s):
        shape = (shape_like(r, s[0], 6) if len(s[0]) == 4
                 else tuple(like(r, n, 2, 6) for n in s[0]))
        p = s[1] if s[1] == 0 else round(float(r.uniform(0.1, 0.9)), 2)
        return (shape, p) + s[2:]
    result = []
    for shape, p, kind, hidden in redrawn(_DROPOUT, rng, vary, draw):
        x, mask = values(rng, shape, kind), _mask(rng, shape, p)
        for training in (True, False):
            mode = "training" if training else "evaluation"
            result.append(Case(
                "dropout", f"{mode}, x {shape} ({kind}), p = {p:g}",
                (x, p, mask), dict(training=training),
                reference=dropout_reference, hidden_only=hidden))
        result.append(Case(
            "dropout_backward", f"grad_output {shape} ({kind}), p = {p:g}",
            (values(rng, shape, kind), p, mask),
            reference=dropout_backward_reference, hidden_only=hidden))
    return result


# (N, D, H, kind of values, hidden only); "zeros": a row of x is all 0
# too, so the block's input to its last ReLU is exactly 0 there
_BLOCK = [(4, 3, 5, "random", False), (1, 4, 4, "ties", False),
          (3, 2, 3, "zeros", False), (2, 3, 2, "extreme", False),
          (2, 6, 2, "random", True), (5, 3, 4, "ties", True),
          (3, 4, 1, "zeros", True), (1, 2, 3, "extreme", True)]


def _block_cases(rng, vary, function, reference):
    result = []
    for N, D, H, kind, hidden in redrawn(_BLOCK, rng, vary, lambda r, s: (
            like(r, s[0], 2, 5), like(r, s[1], 2, 6), like(r, s[2], 2, 6))
            + s[3:]):
        x = values(rng, (N, D), kind)
        if kind == "zeros":
            x[0] = 0.0
        w1, w2 = values(rng, (H, D), kind), values(rng, (D, H), kind)
        args = (x, w1, w2)
        if function.endswith("backward"):
            args = (rng.standard_normal((N, D)),) + args
        result.append(Case(function, f"x ({N}, {D}) ({kind}), {H} hidden "
                           "units", args, reference=reference,
                           hidden_only=hidden))
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
