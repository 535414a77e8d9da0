"""Cases for 05_pooling: output size, max pooling with indices and its
backward, average pooling with count_include_pad, adaptive pooling.

Hidden cases beyond the public ones: every ceil_mode edge (a last
window that would start in the padding), strides larger than the
kernel, non-square inputs, batches of one and single channels, inputs
with exact ties, exact zeros and rows of very large or small values.
"""
import math

from convlib import numpy as cnp
from convlib import shapes

from . import (Case, Function, integer, like, pair_like, redrawn,
               shape_like, values)

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


def _trait(setting):
    """What a size setting tests: 'edge' (ceil_mode drops the last
    window), 'ceil', 'wide' (stride > kernel), 'default' (stride None)
    or 'plain'."""
    n, k, s, p, c = setting[:5]
    if c:
        room = n + 2 * p - k
        stride = k if s is None else s
        out = -(-room // stride) + 1
        return "edge" if (out - 1) * stride >= n + p else "ceil"
    if s is None:
        return "default"
    return "wide" if s > k else "plain"


def _draw_size(rng, setting):
    n, k, s, p, c, hidden = setting
    k = integer(rng, 1, 6)
    s = None if s is None else integer(rng, 1, 7)
    return (integer(rng, 1, 40), k, s, integer(rng, 0, k // 2), c, hidden)


def _same_trait(setting, new):
    try:
        _size(*new[:5])
    except ValueError:
        return False
    return _trait(new) == _trait(setting)


def _size_cases(rng, vary):
    settings = redrawn([
        (32, 2, None, 0, False, False), (7, 3, 2, 0, True, False),
        (6, 3, 2, 1, True, False), (5, 2, 2, 1, True, False),
        (10, 3, 3, 1, False, False), (1, 1, None, 0, False, False),
        (9, 2, 5, 1, False, False),
        (9, 2, 2, 1, True, True), (7, 3, 4, 1, True, True),
        (13, 4, 3, 2, True, True), (8, 3, None, 1, True, True),
        (20, 5, 7, 2, False, True), (11, 3, 2, 1, True, True),
        (10, 3, 2, 0, True, True), (12, 4, 3, 1, True, True),
        (18, 3, 4, 0, True, True)],
        rng, vary, _draw_size, _same_trait)
    return [Case("pool_output_size", f"n={n}, kernel_size={k}, stride={s},"
                 f" padding={p}, ceil_mode={c}", (n, k),
                 dict(stride=s, padding=p, ceil_mode=c),
                 reference=lambda n, k, **kw: shapes.pool_output_size(
                     n, kernel_size=k, **kw), hidden_only=hidden)
            for n, k, s, p, c, hidden in settings]


# (input shape, kernel_size, stride, kind of values, hidden only)
_POOLS = [((1, 1, 4, 4), 2, None, "random", False),
          ((2, 3, 7, 6), 3, 2, "ties", False),
          ((1, 2, 5, 6), 2, 1, "extreme", False),
          ((2, 1, 8, 9), 2, 3, "zeros", False),
          ((1, 1, 6, 5), 3, 1, "ties", True),
          ((3, 2, 7, 7), 2, 2, "ties", True),
          ((1, 3, 9, 7), 2, 4, "random", True),
          ((2, 2, 4, 6), 3, 1, "extreme", True)]


def _draw_pool(rng, setting):
    xs, k, s, kind, hidden = setting
    k = like(rng, k, 2, 4)
    if s is not None:
        s = integer(rng, k + 1, k + 3) if setting[2] > setting[1] else \
            integer(rng, 1, k)
    return (shape_like(rng, xs, 10), k, s, kind, hidden)


def _fits(setting, new):
    xs, k, s = new[:3]
    stride = k if s is None else s
    return min(xs[2:]) >= k + (stride if stride > k else 0)


def _pools(rng, vary):
    return redrawn(_POOLS, rng, vary, _draw_pool, _fits)


def _pool_name(xs, k, s, kind):
    return f"input {xs} ({kind}), kernel_size={k}, " \
           f"stride={s}"


def _max_cases(rng, vary):
    return [Case("max_pool2d", _pool_name(xs, k, s, kind),
                 (values(rng, xs, kind), k), dict(stride=s),
                 reference=lambda x, k, stride: cnp.max_pool2d(
                     x, k, stride=stride, return_indices=True),
                 hidden_only=hidden)
            for xs, k, s, kind, hidden in _pools(rng, vary)]


def _backward_cases(rng, vary):
    result = []
    for xs, k, s, kind, hidden in _pools(rng, vary):
        x = values(rng, xs, kind)
        out = cnp.max_pool2d(x, k, stride=s)
        grad = values(rng, out.shape, "random")
        result.append(Case(
            "max_pool2d_backward", f"grad_output {out.shape} for "
            + _pool_name(xs, k, s, kind), (grad, x, k), dict(stride=s),
            reference=lambda g, x, k, stride:
            cnp.max_pool2d_backward(g, x, k, stride=stride),
            hidden_only=hidden))
    return result


# (input shape, kernel_size, stride, padding, count_include_pad, kind,
#  hidden only)
_AVG = [((1, 1, 4, 4), 2, None, 0, True, "random", False),
        ((2, 2, 5, 6), 3, 2, 1, False, "zeros", False),
        ((1, 3, 6, 7), 2, 1, 1, True, "extreme", False),
        ((1, 1, 7, 5), 2, 3, 1, False, "ties", False),
        ((2, 2, 5, 5), 3, 2, 1, True, "zeros", True),
        ((1, 2, 6, 4), 3, 1, 1, False, "zeros", True),
        ((2, 1, 9, 8), 2, 4, 1, False, "random", True),
        ((1, 1, 3, 3), 3, 1, 1, True, "random", True),
        ((1, 3, 5, 8), 4, 2, 2, False, "extreme", True)]


def _draw_avg(rng, setting):
    xs, k, s, p, c, kind, hidden = setting
    k = like(rng, k, 2, 4)
    if s is not None:
        s = integer(rng, k + 1, k + 3) if setting[2] > setting[1] else \
            integer(rng, 1, k)
    p = p and integer(rng, 1, k // 2)
    return (shape_like(rng, xs, 10), k, s, p, c, kind, hidden)


def _avg_fits(setting, new):
    xs, k, s, p = new[:4]
    return min(xs[2:]) + 2 * p >= k + (s if s and s > k else 0)


def _avg_cases(rng, vary):
    return [Case("avg_pool2d", f"input {xs} ({kind}), kernel_size={k}, "
                 f"stride={s}, padding={p}, count_include_pad={c}",
                 (values(rng, xs, kind), k),
                 dict(stride=s, padding=p, count_include_pad=c),
                 reference=cnp.avg_pool2d, hidden_only=hidden)
            for xs, k, s, p, c, kind, hidden in redrawn(
                _AVG, rng, vary, _draw_avg, _avg_fits)]


def _bins(in_size, out_size):
    return [(i * in_size // out_size,
             math.ceil((i + 1) * in_size / out_size))
            for i in range(out_size)]


def _draw_bins(rng, setting):
    n, m, hidden = setting
    if n == m:
        n = m = like(rng, n, 2, 9)
        return n, m, hidden
    return integer(rng, 2, 16), integer(rng, 2, 9), hidden


def _bins_alike(setting, new):
    """Divisible stays divisible; otherwise not, and more outputs than
    inputs stays so."""
    (n, m, _), (a, b, _) = setting, new
    return ((n % m == 0) == (a % b == 0)) and ((m > n) == (b > a))


def _bin_cases(rng, vary):
    settings = redrawn([(4, 2, False), (5, 3, False), (3, 5, False),
                        (1, 1, False), (10, 4, False), (7, 3, True),
                        (12, 5, True), (2, 7, True), (16, 6, True),
                        (9, 9, True)], rng, vary, _draw_bins, _bins_alike)
    return [Case("adaptive_bins", f"in_size={n}, out_size={m}", (n, m),
                 reference=_bins, hidden_only=hidden)
            for n, m, hidden in settings]


def _draw_adaptive(rng, setting):
    xs, o, kind, hidden = setting
    return shape_like(rng, xs, 10), pair_like(rng, o, 2, 6), kind, hidden


def _adaptive_cases(rng, vary):
    settings = redrawn([((1, 1, 4, 4), (2, 2), "extreme", False),
                        ((2, 3, 5, 7), (3, 2), "zeros", False),
                        ((1, 2, 3, 3), (5, 4), "random", False),
                        ((1, 2, 6, 6), (1, 1), "random", True),
                        ((2, 1, 7, 4), (3, 3), "zeros", True),
                        ((1, 1, 5, 9), (2, 4), "extreme", True)],
                       rng, vary, _draw_adaptive)
    return [Case("adaptive_avg_pool2d", f"input {xs} ({kind}), "
                 f"output_size={o}", (values(rng, xs, kind), o),
                 reference=cnp.adaptive_avg_pool2d, hidden_only=hidden)
            for xs, o, kind, hidden in settings]


def cases(rng, vary=False):
    """Every case of this set, in FUNCTIONS order (`vary`: the settings
    drawn anew from `rng` too, each keeping what it tests)."""
    return (_size_cases(rng, vary) + _max_cases(rng, vary)
            + _backward_cases(rng, vary) + _avg_cases(rng, vary)
            + _bin_cases(rng, vary) + _adaptive_cases(rng, vary))
