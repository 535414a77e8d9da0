"""Cases for 03_transposed: output size, transposed conv (by stamping
and by zero insertion), max unpooling.

Hidden cases beyond the public ones: other sizes, strides larger than
the kernel (gaps between stamps), non-square kernels and inputs,
batches of one and single channels, exact ties and zeros and extreme
rows.
"""
from convlib import numpy as cnp
from convlib import shapes

from . import (Case, Function, computable, integer, like, pair_like,
               redrawn, shape_like, values)

# name, points (of 20; the cases share them), seconds per call
FUNCTIONS = (
    Function("conv_transpose_output_size", points=2, seconds=1),
    Function("conv_transpose2d", points=7, seconds=3),
    Function("conv_transpose2d_by_zeros", points=5, seconds=3),
    Function("max_unpool2d", points=6, seconds=2),
)


def _size(n, k, s, p, o):
    return shapes.conv_transpose_output_size(
        n, kernel_size=k, stride=s, padding=p, output_padding=o)


def _draw_size(rng, setting):
    """Like `setting`: output_padding and padding 0 iff they were."""
    n, k, s, p, o, hidden = setting
    stride = integer(rng, 2 if o else 1, 4)
    return (integer(rng, 1, 32), integer(rng, 1, 6), stride,
            p and integer(rng, 1, 3), o and integer(rng, 1, stride - 1),
            hidden)


def _size_cases(rng, vary):
    valid = computable(_size)
    settings = redrawn([(4, 3, 1, 0, 0, False), (4, 4, 2, 1, 0, False),
                        (7, 3, 2, 1, 1, False), (1, 5, 3, 0, 2, False),
                        (16, 2, 2, 0, 0, False), (5, 3, 3, 1, 0, False),
                        (6, 2, 4, 1, 3, False), (9, 5, 2, 2, 1, True),
                        (3, 1, 3, 0, 1, True), (12, 4, 3, 1, 2, True)],
                       rng, vary, _draw_size,
                       lambda s, new: valid(new[:5]))
    return [Case("conv_transpose_output_size",
                 f"n={n}, kernel_size={k}, stride={s}, padding={p}, "
                 f"output_padding={o}", (n, k),
                 dict(stride=s, padding=p, output_padding=o),
                 reference=lambda n, k, **kw:
                 shapes.conv_transpose_output_size(n, kernel_size=k, **kw),
                 hidden_only=hidden)
            for n, k, s, p, o, hidden in settings]


# (input shape, weight shape, stride, padding, kind, hidden only)
_TRANSPOSE = [((1, 1, 2, 2), (1, 1, 2, 2), 1, 0, "random", False),
              ((1, 2, 3, 3), (2, 3, 3, 3), 2, 0, "zeros", False),
              ((2, 3, 4, 3), (3, 2, 4, 4), 2, 1, "random", False),
              ((1, 2, 2, 3), (2, 1, 3, 2), 3, 1, "ties", False),
              ((2, 2, 3, 4), (2, 1, 2, 2), 3, 0, "extreme", False),
              ((2, 2, 5, 5), (2, 4, 3, 3), 2, 2, "random", True),
              ((1, 1, 4, 2), (1, 2, 2, 3), 4, 0, "extreme", True),
              ((3, 2, 3, 3), (2, 2, 3, 1), 1, 1, "zeros", True),
              ((1, 3, 2, 4), (3, 1, 1, 2), 2, 0, "ties", True)]


def _draw_transpose(rng, setting):
    xs, ws, s, p, kind, hidden = setting
    xs = shape_like(rng, xs, 5)
    kh, kw = pair_like(rng, ws[2:], 1, 4)
    wide = s > max(ws[2:])
    s = integer(rng, max(kh, kw) + 1, max(kh, kw) + 2) if wide else \
        like(rng, s, 2, 3)
    return (xs, (xs[1], like(rng, ws[1], 2, 3), kh, kw), s,
            p and integer(rng, 1, 2), kind, hidden)


def _transpose_fits(setting, new):
    xs, ws, s, p = new[:4]
    return all((n - 1) * s + k - 2 * p >= 1 for n, k in zip(xs[2:], ws[2:]))


def _by_zeros_fits(setting, new):
    """Zero insertion pads by k - 1 - p: p <= k - 1."""
    return _transpose_fits(setting, new) and new[3] <= min(new[1][2:]) - 1


def _transpose_cases(rng, vary, function="conv_transpose2d"):
    fits = _transpose_fits
    listed = _TRANSPOSE
    if function != "conv_transpose2d":
        fits = _by_zeros_fits
        listed = [s for s in _TRANSPOSE if fits(s, s)]
    settings = redrawn(listed, rng, vary, _draw_transpose, fits)
    return [Case(function, f"input {xs} ({kind}), weight {ws}, "
                 f"stride={s}, padding={p}",
                 (values(rng, xs, kind), values(rng, ws)),
                 dict(stride=s, padding=p), reference=cnp.conv_transpose2d,
                 hidden_only=hidden)
            for xs, ws, s, p, kind, hidden in settings]


# (input shape, kernel_size, stride, kind, hidden only)
_UNPOOL = [((1, 1, 4, 4), 2, 2, "random", False),
           ((2, 3, 6, 6), 2, 2, "ties", False),
           ((1, 2, 7, 7), 3, 2, "extreme", False),
           ((1, 1, 5, 6), 3, 3, "zeros", False),
           ((2, 1, 8, 5), 2, 3, "random", True),
           ((1, 2, 9, 7), 3, 2, "extreme", True),
           ((3, 2, 6, 8), 2, 1, "ties", True)]


def _draw_unpool(rng, setting):
    xs, k, s, kind, hidden = setting
    k = integer(rng, 2, 3)
    s = integer(rng, k + 1, k + 2) if setting[2] > setting[1] else (
        k if setting[2] == setting[1] else integer(rng, 1, k - 1))
    return shape_like(rng, xs, 10), k, s, kind, hidden


def _unpool_fits(setting, new):
    """Windows that cover the input exactly, so that unpooling gives back
    its size (else PyTorch needs `output_size`)."""
    xs, k, s = new[:3]
    return all(n >= k + s and (n - k) % s == 0 for n in xs[2:])


def _unpool_cases(rng, vary):
    result = []
    for xs, k, s, kind, hidden in redrawn(
            _UNPOOL, rng, vary, _draw_unpool,
            _unpool_fits):
        pooled, indices = cnp.max_pool2d(values(rng, xs, kind), k,
                                         stride=s, return_indices=True)
        result.append(Case(
            "max_unpool2d", f"pooled {pooled.shape} from input {xs} "
            f"({kind}), kernel_size={k}, stride={s}", (pooled, indices, k),
            dict(stride=s), reference=cnp.max_unpool2d,
            hidden_only=hidden))
    return result


def cases(rng, vary=False):
    """Every case of this set, in FUNCTIONS order (`vary`: the settings
    drawn anew from `rng` too, each keeping what it tests)."""
    sizes = _size_cases(rng, vary)
    return (sizes + _transpose_cases(rng, vary)
            + _transpose_cases(rng, vary, "conv_transpose2d_by_zeros")
            + _unpool_cases(rng, vary))
