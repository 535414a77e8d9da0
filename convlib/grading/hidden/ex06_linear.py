"""Cases for 06_linear: forward, backward, parameter count, 1x1 conv,
relative error and numerical gradients.

Hidden cases beyond the public ones: other shapes, inputs with more
than one batch axis, batches of one, a single feature or channel,
square weights, exact ties and zeros and extreme rows.
"""
import numpy as np

from convlib import numpy as cnp
from convlib.grading.protocol import SentFunction
from convlib import shapes

from . import Case, Function, like, redrawn, values

# name, points (of 20; the cases share them), seconds per call
FUNCTIONS = (
    Function("linear", points=4, seconds=1),
    Function("linear_backward", points=6, seconds=1),
    Function("linear_params", points=1, seconds=1),
    Function("conv1x1_as_linear", points=3, seconds=1),
    Function("rel_error", points=2, seconds=1),
    Function("numerical_gradient", points=4, seconds=2),
)

# (input shape, out features, bias?, kind of values, hidden only)
_SETTINGS = [((1, 3), 2, True, "random", False),
             ((4, 5), 3, False, "zeros", False),
             ((2, 3, 4, 6), 4, True, "extreme", False),
             ((8, 16), 10, True, "ties", False),
             ((1, 1), 1, False, "random", False),
             ((3, 2, 4, 5), 5, True, "extreme", True),
             ((1, 6), 6, True, "zeros", True),
             ((5, 1, 3), 1, False, "ties", True),
             ((7, 4), 2, True, "random", True)]


def _draw_linear(rng, setting):
    xs, out, has_bias, kind, hidden = setting
    xs = tuple(like(rng, d, 2, 8) for d in xs)
    out = xs[-1] if out == setting[0][-1] else like(rng, out, 2, 8)
    return xs, out, has_bias, kind, hidden


def _linear_cases(rng, vary, backward):
    result = []
    for xs, out, has_bias, kind, hidden in redrawn(_SETTINGS, rng, vary,
                                                   _draw_linear):
        x = values(rng, xs, kind)
        w = values(rng, (out, xs[-1]))
        b = values(rng, out) if has_bias else None
        name = (f"input {xs} ({kind}), weight {w.shape}, "
                f"bias={'yes' if has_bias else 'None'}")
        if not backward:
            result.append(Case("linear", name, (x, w, b),
                               reference=cnp.linear, hidden_only=hidden))
            continue
        grad = values(rng, xs[:-1] + (out,), kind)
        result.append(Case("linear_backward", f"grad_output {grad.shape}, "
                           f"{name}", (grad, x, w, b),
                           reference=cnp.linear_backward,
                           hidden_only=hidden))
    return result


def _param_cases(rng, vary):
    settings = redrawn([(784, 10, True, False), (4096, 4096, False, False),
                        (3, 1, True, False), (1, 1, False, False),
                        (12, 7, True, True), (5, 300, False, True),
                        (64, 64, True, True), (9, 2000, False, True)],
                       rng, vary, lambda r, s: (
                            like(r, s[0], 2, 5000), like(r, s[1], 2, 5000),
                            s[2], s[3]))
    return [Case("linear_params", f"in_features={i}, out_features={o}, "
                 f"bias={b}", (i, o), dict(bias=b),
                 reference=lambda i, o, bias: shapes.count_params(
                     "linear", in_features=i, out_features=o, bias=bias),
                 hidden_only=hidden)
            for i, o, b, hidden in settings]


def _conv1x1(x, w):
    return cnp.conv2d(x, w[:, :, None, None])


def _conv1x1_cases(rng, vary):
    settings = redrawn([((1, 3, 2, 2), 4, "random", False),
                        ((2, 5, 3, 4), 2, "zeros", False),
                        ((1, 1, 1, 1), 1, "random", False),
                        ((3, 2, 5, 2), 2, "ties", False),
                        ((1, 4, 3, 3), 1, "extreme", False),
                        ((2, 1, 2, 5), 3, "random", True)], rng, vary,
                       lambda r, s: (tuple(like(r, d, 2, 6) for d in s[0]),
                                     like(r, s[1], 2, 5), s[2], s[3]))
    return [Case("conv1x1_as_linear", f"input {xs} ({kind}), weight "
                 f"({o}, {xs[1]})", (values(rng, xs, kind),
                                     values(rng, (o, xs[1]))),
                 reference=_conv1x1, hidden_only=hidden)
            for xs, o, kind, hidden in settings]


def _rel_error(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b)
                        / np.maximum(1e-8, np.abs(a) + np.abs(b))))


# (shape, how b differs from a, hidden only)
_REL = [((3,), "close", False), ((2, 3), "zeros", False),
        ((), "close", False), ((4,), "apart", False),
        ((2, 2, 2), "close", True), ((5,), "zeros", True),
        ((1, 6), "apart", True), ((), "zeros", True)]


def _rel_pair(rng, shape, how):
    a = values(rng, shape, "extreme" if shape else "random")
    if how == "zeros":   # exact zeros in both, where 0/0 must not happen
        a = np.where(rng.random(shape) < 0.5, 0.0, a)
        return a, a * (1 + 1e-9 * rng.standard_normal(shape))
    scale = 1e-7 if how == "close" else 0.5
    return a, a + scale * np.abs(a) * rng.standard_normal(shape)


def _rel_cases(rng, vary):
    result = []
    for shape, how, hidden in redrawn(
            _REL, rng, vary, lambda r, s: (
                tuple(like(r, d, 2, 6) for d in s[0]), s[1], s[2])):
        a, b = _rel_pair(rng, shape, how)
        if not shape:
            a, b = float(a), float(b)
        result.append(Case("rel_error", f"a, b of shape {shape} ({how})",
                           (a, b), reference=_rel_error,
                           hidden_only=hidden))
    return result


# (kind of function, shape of x, hidden only)
_GRADIENTS = [("quadratic", (3,), False), ("sine", (2, 3), False),
              ("logsumexp", (4,), False), ("quadratic", (1,), False),
              ("sine", (2, 2, 2), True), ("logsumexp", (3, 4), True),
              ("quadratic", (5, 1), True), ("sine", (6,), True)]


def _gradient_cases(rng, vary):
    result = []
    for kind, shape, hidden in redrawn(
            _GRADIENTS, rng, vary, lambda r, s: (
                s[0], tuple(like(r, d, 2, 5) for d in s[1]), s[2])):
        params = (rng.uniform(0.5, 2.0, shape), rng.standard_normal(shape))
        x = rng.standard_normal(shape)
        result.append(Case("numerical_gradient", f"f = {kind} function "
                           f"of x {shape} (central differences)",
                           (SentFunction(kind, params), x),
                           reference=lambda f, x: f.gradient(x),
                           rtol=1e-6, atol=1e-7, hidden_only=hidden))
    return result


def cases(rng, vary=False):
    """Every case of this set, in FUNCTIONS order (`vary`: the settings
    drawn anew from `rng` too, each keeping what it tests)."""
    return (_linear_cases(rng, vary, False) + _linear_cases(rng, vary, True)
            + _param_cases(rng, vary) + _conv1x1_cases(rng, vary)
            + _rel_cases(rng, vary) + _gradient_cases(rng, vary))
