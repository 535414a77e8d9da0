"""Cases for 01_convolution: output size, padding, conv2d and backward."""
import numpy as np

from convlib import numpy as cnp
from convlib import shapes

from . import Case, Function, computable, drawn, integer

# name, points (of 20; the cases share them), seconds per call
FUNCTIONS = (
    Function("conv_output_size", points=2, seconds=1),
    Function("pad2d", points=2, seconds=1),
    Function("conv2d", points=6, seconds=3),
    Function("conv2d_backward", points=10, seconds=3),
)


def _size(n, k, s, p, d):
    return shapes.conv_output_size(n, kernel_size=k, stride=s, padding=p,
                                   dilation=d)


def _draw_size(rng):
    return (integer(rng, 1, 64), integer(rng, 1, 7), integer(rng, 1, 4),
            integer(rng, 0, 3), integer(rng, 1, 3))


def _size_cases(rng, vary):
    settings = drawn([(32, 3, 1, 1, 1), (7, 3, 2, 0, 1), (5, 5, 1, 0, 1),
                      (224, 7, 2, 3, 1), (10, 3, 1, 0, 2), (6, 4, 3, 1, 1),
                      (1, 1, 1, 0, 1), (9, 2, 4, 2, 3)], rng, vary,
                     _draw_size, computable(_size))
    return [Case("conv_output_size",
                 f"n={n}, kernel_size={k}, stride={s}, padding={p}, "
                 f"dilation={d}", (n, k), dict(stride=s, padding=p,
                                               dilation=d),
                 reference=lambda n, k, **kw: shapes.conv_output_size(
                     n, kernel_size=k, **kw))
            for n, k, s, p, d in settings]


def _pad_cases(rng):
    def zero_pad(x, padding):
        return np.pad(x, ((0, 0), (0, 0), (padding,) * 2, (padding,) * 2))
    shapes_ = [((2, 3, 4, 5), 1), ((1, 1, 3, 3), 0), ((1, 2, 1, 1), 2)]
    return [Case("pad2d", f"input {s}, padding={p}",
                 (rng.standard_normal(s), p), reference=zero_pad)
            for s, p in shapes_]


def _conv_settings():
    # (input shape, weight shape, bias?, stride, padding)
    return [((1, 1, 5, 5), (1, 1, 3, 3), False, 1, 0, False),
            ((2, 3, 7, 6), (4, 3, 3, 3), True, 2, 1, False),
            ((1, 2, 4, 4), (3, 2, 4, 4), True, 1, 0, False),
            ((2, 3, 5, 5), (2, 3, 1, 1), False, 1, 0, False),
            ((1, 2, 6, 7), (2, 2, 2, 3), True, 3, 2, True),
            ((3, 4, 9, 9), (5, 4, 3, 3), True, 2, 1, True)]


def _conv_case(rng, function, setting):
    xs, ws, has_bias, stride, padding, hidden = setting
    x, w = rng.standard_normal(xs), rng.standard_normal(ws)
    b = rng.standard_normal(ws[0]) if has_bias else None
    kw = dict(stride=stride, padding=padding)
    name = (f"input {xs}, weight {ws}, bias={'yes' if has_bias else 'None'}"
            f", stride={stride}, padding={padding}")
    if function == "conv2d":
        return Case("conv2d", name, (x, w, b), kw, reference=cnp.conv2d,
                    hidden_only=hidden)
    out = cnp.conv2d(x, w, b, **kw)
    grad = rng.standard_normal(out.shape)
    return Case("conv2d_backward", f"grad_output {out.shape}, {name}",
                (grad, x, w, b), kw, reference=cnp.conv2d_backward,
                hidden_only=hidden)


def cases(rng, vary=False):
    """Every case of this set, in FUNCTIONS order (`vary`: the fixed
    settings drawn anew from `rng` too)."""
    sizes = _size_cases(rng, vary)
    conv = [_conv_case(rng, "conv2d", s) for s in _conv_settings()]
    back = [_conv_case(rng, "conv2d_backward", s) for s in _conv_settings()]
    return sizes + _pad_cases(rng) + conv + back
