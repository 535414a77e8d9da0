"""Cases for 05_pooling: output size, max pooling with indices and its
backward, average pooling with count_include_pad, adaptive pooling."""
import math

from convlib import numpy as cnp
from convlib import shapes

from . import Case, Function, computable, drawn, integer

# name, points (of 20; the cases share them), seconds per call
FUNCTIONS = (
    Function("pool_output_size", points=3, seconds=1),
    Function("max_pool2d", points=4, seconds=2),
    Function("max_pool2d_backward", points=4, seconds=2),
    Function("avg_pool2d", points=4, seconds=2),
    Function("adaptive_bins", points=2, seconds=1),
    Function("adaptive_avg_pool2d", points=3, seconds=2),
)


def _size(n, k, s, p, c):
    return shapes.pool_output_size(n, kernel_size=k, stride=s, padding=p,
                                   ceil_mode=c)


def _draw_size(rng):
    k = integer(rng, 1, 5)
    stride = None if rng.integers(4) == 0 else integer(rng, 1, 4)
    return (integer(rng, 1, 40), k, stride, integer(rng, 0, k // 2),
            bool(rng.integers(2)))


def _size_cases(rng, vary):
    settings = drawn([(32, 2, None, 0, False), (7, 3, 2, 0, False),
                      (7, 3, 2, 0, True), (6, 3, 2, 1, True),
                      (5, 2, 2, 0, True), (10, 3, 3, 1, False),
                      (1, 1, None, 0, False)], rng, vary, _draw_size,
                     computable(_size))
    return [Case("pool_output_size", f"n={n}, kernel_size={k}, stride={s},"
                 f" padding={p}, ceil_mode={c}", (n, k),
                 dict(stride=s, padding=p, ceil_mode=c),
                 reference=lambda n, k, **kw: shapes.pool_output_size(
                     n, kernel_size=k, **kw))
            for n, k, s, p, c in settings]


_POOLS = [((1, 1, 4, 4), 2, None), ((2, 3, 7, 7), 3, 2),
          ((1, 2, 5, 6), 2, 1), ((2, 2, 9, 8), 3, 3)]


def _max_cases(rng):
    result = []
    for xs, k, s in _POOLS:
        x = rng.standard_normal(xs)
        result.append(Case(
            "max_pool2d", f"input {xs}, kernel_size={k}, stride={s}",
            (x, k), dict(stride=s), reference=lambda x, k, stride:
            cnp.max_pool2d(x, k, stride=stride, return_indices=True)))
    return result


def _backward_cases(rng):
    result = []
    for xs, k, s in _POOLS:
        x = rng.standard_normal(xs)
        out, idx = cnp.max_pool2d(x, k, stride=s, return_indices=True)
        grad = rng.standard_normal(out.shape)
        result.append(Case(
            "max_pool2d_backward", f"grad_output {out.shape} for input "
            f"{xs}, kernel_size={k}, stride={s}", (grad, idx, xs),
            reference=lambda g, i, shape, x=x, k=k, s=s:
            cnp.max_pool2d_backward(g, x, k, stride=s)))
    return result


def _avg_cases(rng):
    settings = [((1, 1, 4, 4), 2, None, 0, True),
                ((2, 2, 5, 5), 3, 2, 1, True), ((2, 2, 5, 5), 3, 2, 1, False),
                ((1, 3, 6, 7), 2, 1, 1, False), ((1, 1, 3, 3), 3, 1, 1, True)]
    return [Case("avg_pool2d", f"input {xs}, kernel_size={k}, stride={s}, "
                 f"padding={p}, count_include_pad={c}",
                 (rng.standard_normal(xs), k),
                 dict(stride=s, padding=p, count_include_pad=c),
                 reference=cnp.avg_pool2d)
            for xs, k, s, p, c in settings]


def _bins(in_size, out_size):
    return [(i * in_size // out_size,
             math.ceil((i + 1) * in_size / out_size))
            for i in range(out_size)]


def _bin_cases(rng, vary):
    settings = drawn([(4, 2), (5, 3), (7, 3), (3, 5), (10, 4), (1, 1)], rng,
                     vary, lambda r: (integer(r, 1, 16), integer(r, 1, 9)))
    return [Case("adaptive_bins", f"in_size={n}, out_size={m}", (n, m),
                 reference=_bins)
            for n, m in settings]


def _adaptive_cases(rng):
    settings = [((1, 1, 4, 4), (2, 2)), ((2, 3, 5, 7), (3, 2)),
                ((1, 2, 3, 3), (5, 4)), ((1, 2, 6, 6), (1, 1))]
    return [Case("adaptive_avg_pool2d", f"input {xs}, output_size={o}",
                 (rng.standard_normal(xs), o),
                 reference=cnp.adaptive_avg_pool2d)
            for xs, o in settings]


def cases(rng, vary=False):
    """Every case of this set, in FUNCTIONS order (`vary`: the fixed
    settings drawn anew from `rng` too)."""
    sizes = _size_cases(rng, vary)
    pools = _max_cases(rng) + _backward_cases(rng) + _avg_cases(rng)
    return sizes + pools + _bin_cases(rng, vary) + _adaptive_cases(rng)
