"""Cases for 06_linear: forward, backward, parameter count, 1x1 conv."""
from convlib import numpy as cnp
from convlib import shapes

from . import Case, Function, drawn, integer

# name, points (of 20; the cases share them), seconds per call
FUNCTIONS = (
    Function("linear", points=5, seconds=1),
    Function("linear_backward", points=8, seconds=1),
    Function("linear_params", points=2, seconds=1),
    Function("conv1x1_as_linear", points=5, seconds=1),
)

_SETTINGS = [((1, 3), 2, True), ((4, 5), 3, False), ((2, 3, 6), 4, True),
             ((8, 16), 10, True), ((1, 1), 1, False)]


def _linear_cases(rng, backward):
    result = []
    for xs, out, has_bias in _SETTINGS:
        x = rng.standard_normal(xs)
        w = rng.standard_normal((out, xs[-1]))
        b = rng.standard_normal(out) if has_bias else None
        name = (f"input {xs}, weight {w.shape}, "
                f"bias={'yes' if has_bias else 'None'}")
        if not backward:
            result.append(Case("linear", name, (x, w, b),
                               reference=cnp.linear))
            continue
        grad = rng.standard_normal(xs[:-1] + (out,))
        result.append(Case("linear_backward", f"grad_output {grad.shape}, "
                           f"{name}", (grad, x, w, b),
                           reference=cnp.linear_backward))
    return result


def _param_cases(rng, vary):
    settings = drawn([(784, 10, True), (4096, 4096, False), (3, 1, True),
                      (1, 1, False)], rng, vary, lambda r: (
                          integer(r, 1, 5000), integer(r, 1, 5000),
                          bool(r.integers(2))))
    return [Case("linear_params", f"in_features={i}, out_features={o}, "
                 f"bias={b}", (i, o), dict(bias=b),
                 reference=lambda i, o, bias: shapes.count_params(
                     "linear", in_features=i, out_features=o, bias=bias))
            for i, o, b in settings]


def _conv1x1_cases(rng):
    settings = [((1, 3, 2, 2), 4), ((2, 5, 3, 4), 2), ((1, 1, 1, 1), 1)]
    return [Case("conv1x1_as_linear", f"input {xs}, weight ({o}, {xs[1]})",
                 (rng.standard_normal(xs), rng.standard_normal((o, xs[1]))),
                 reference=lambda x, w: cnp.conv2d(x, w[:, :, None, None]))
            for xs, o in settings]


def cases(rng, vary=False):
    """Every case of this set, in FUNCTIONS order (`vary`: the fixed
    settings drawn anew from `rng` too)."""
    return (_linear_cases(rng, False) + _linear_cases(rng, True)
            + _param_cases(rng, vary) + _conv1x1_cases(rng))
