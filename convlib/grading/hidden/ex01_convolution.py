"""Cases for 01_convolution: output size, padding, conv2d and backward.

Hidden cases beyond the public ones: other sizes, strides larger than
the kernel (inputs no window reads), non-square kernels and inputs,
batches of one and single channels, no padding and wide padding, exact
ties and zeros and extreme rows.
"""
from convlib import numpy as cnp
from convlib import shapes

from . import (Case, Function, computable, integer, like, pair_like,
               redrawn, shape_like, values)

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


def _draw_size(rng, setting):
    """Like `setting`: padding 0, stride 1, dilation 1 iff they were."""
    n, k, s, p, d, hidden = setting
    return (integer(rng, 1, 64), integer(rng, 1, 7), like(rng, s, 2, 5),
            p and integer(rng, 1, 3), like(rng, d, 2, 4), hidden)


def _size_cases(rng, vary):
    valid = computable(_size)
    settings = redrawn([(32, 3, 1, 1, 1, False), (7, 3, 2, 0, 1, False),
                        (5, 5, 1, 0, 1, False), (224, 7, 2, 3, 1, False),
                        (10, 3, 1, 0, 2, False), (6, 4, 3, 1, 1, False),
                        (1, 1, 1, 0, 1, False), (9, 2, 4, 2, 3, False),
                        (13, 2, 5, 0, 1, True), (20, 5, 3, 2, 2, True),
                        (8, 3, 2, 1, 3, True), (3, 1, 2, 1, 1, True)],
                       rng, vary, _draw_size, lambda s, new: valid(new[:5]))
    return [Case("conv_output_size",
                 f"n={n}, kernel_size={k}, stride={s}, padding={p}, "
                 f"dilation={d}", (n, k), dict(stride=s, padding=p,
                                               dilation=d),
                 reference=lambda n, k, **kw: shapes.conv_output_size(
                     n, kernel_size=k, **kw), hidden_only=hidden)
            for n, k, s, p, d, hidden in settings]


def _zero_pad(x, padding):
    import numpy as np
    return np.pad(x, ((0, 0), (0, 0), (padding,) * 2, (padding,) * 2))


def _pad_cases(rng, vary):
    settings = redrawn([((2, 3, 4, 5), 1, False), ((1, 1, 3, 3), 0, False),
                        ((1, 2, 1, 1), 2, False), ((3, 1, 2, 6), 3, True),
                        ((1, 2, 5, 2), 0, True), ((2, 2, 4, 4), 2, True)],
                       rng, vary, lambda r, s: (
                           shape_like(r, s[0], 7), like(r, s[1], 2, 4),
                           s[2]))
    return [Case("pad2d", f"input {s}, padding={p}",
                 (values(rng, s), p), reference=_zero_pad,
                 hidden_only=hidden)
            for s, p, hidden in settings]


# (input shape, weight shape, bias?, stride, padding, kind, hidden only)
_CONV = [((1, 1, 5, 5), (1, 1, 3, 3), False, 1, 0, "random", False),
         ((2, 3, 7, 6), (4, 3, 3, 3), True, 2, 1, "random", False),
         ((1, 2, 4, 5), (3, 2, 2, 3), True, 1, 0, "zeros", False),
         ((2, 3, 5, 5), (2, 3, 1, 1), False, 1, 0, "extreme", False),
         ((2, 1, 8, 7), (2, 1, 2, 2), True, 3, 1, "ties", False),
         ((1, 2, 6, 7), (2, 2, 2, 3), True, 3, 2, "random", True),
         ((3, 4, 9, 9), (5, 4, 3, 3), True, 2, 1, "extreme", True),
         ((1, 1, 7, 9), (1, 1, 3, 2), False, 4, 0, "zeros", True),
         ((2, 2, 6, 5), (3, 2, 3, 1), True, 1, 2, "ties", True),
         ((3, 1, 5, 8), (2, 1, 4, 3), True, 2, 1, "random", True)]


def _draw_conv(rng, setting):
    xs, ws, has_bias, s, p, kind, hidden = setting
    wide = s > max(ws[2:])
    xs = shape_like(rng, xs, 10)
    kh, kw = pair_like(rng, ws[2:], 1, 4)
    s = integer(rng, max(kh, kw) + 1, max(kh, kw) + 2) if wide else \
        like(rng, s, 2, 3)
    ws = (like(rng, ws[0], 2, 4), xs[1], kh, kw)
    return xs, ws, has_bias, s, p and integer(rng, 1, 2), kind, hidden


def _conv_fits(setting, new):
    xs, ws, _, s, p = new[:5]
    return all(n + 2 * p >= k + (s if s > k else 0)
               for n, k in zip(xs[2:], ws[2:]))


def _conv_case(rng, function, setting):
    xs, ws, has_bias, stride, padding, kind, hidden = setting
    x, w = values(rng, xs, kind), values(rng, ws)
    b = values(rng, ws[0]) if has_bias else None
    kw = dict(stride=stride, padding=padding)
    name = (f"input {xs} ({kind}), weight {ws}, "
            f"bias={'yes' if has_bias else 'None'}"
            f", stride={stride}, padding={padding}")
    if function == "conv2d":
        return Case("conv2d", name, (x, w, b), kw, reference=cnp.conv2d,
                    hidden_only=hidden)
    out = cnp.conv2d(x, w, b, **kw)
    grad = values(rng, out.shape, kind)
    return Case("conv2d_backward", f"grad_output {out.shape}, {name}",
                (grad, x, w, b), kw, reference=cnp.conv2d_backward,
                hidden_only=hidden)


def cases(rng, vary=False):
    """Every case of this set, in FUNCTIONS order (`vary`: the settings
    drawn anew from `rng` too, each keeping what it tests)."""
    sizes = _size_cases(rng, vary)
    pads = _pad_cases(rng, vary)
    conv = [_conv_case(rng, "conv2d", s)
            for s in redrawn(_CONV, rng, vary, _draw_conv, _conv_fits)]
    back = [_conv_case(rng, "conv2d_backward", s)
            for s in redrawn(_CONV, rng, vary, _draw_conv, _conv_fits)]
    return sizes + pads + conv + back
