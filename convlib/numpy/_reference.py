"""The reference path: convolution and pooling as their definitions.

Each function is a few lines that read like the formula: pad
(`convlib._arrays.pad`), take every window as a strided view
(`convlib._arrays.sliding_windows`, no copy), then one `np.tensordot`
(convolution) or one reduction over the window axes (pooling). The
fast paths in `_conv_nd`, `pool` and `_pool_common` compute the same
numbers in other ways; the tests hold every fast path equal to these.
Arguments are already checked and normalised (`convlib._args`): arrays
batched (N, C, *spatial), tuples per spatial dim, ``pads`` as
((before, after), ...).
"""
import functools

import numpy as np

from .. import _args
from .._arrays import pad, sliding_windows

__all__ = ["conv", "conv_grad_input", "conv_grad_weight", "max_pool",
           "avg_pool"]


def _groups(array, groups, axis):
    """`array` split into `groups` equal parts along `axis`."""
    return np.split(array, groups, axis=axis)


def _windows(x, kernel, stride, pads, dilation, out=None):
    """Windows (N, C, *out, *K) of x zero-padded by `pads`; `out`, when
    given, keeps only the first windows."""
    win = sliding_windows(pad(x, pads), kernel, stride, dilation)
    if out is None:
        return win
    return win[(slice(None),) * 2 + tuple(slice(0, o) for o in out)]


def conv(x, weight, stride, pads, dilation, groups, out=None):
    """``y[n, o, *i] = sum_{c, *k} padded[n, c, *(s*i + d*k)]
    * weight[o, c, *k]``, per group: windows . weight."""
    n = weight.ndim - 2
    win = _windows(x, weight.shape[2:], stride, pads, dilation, out)
    axes = ([1] + list(range(2 + n, 2 + 2 * n)), list(range(1, 2 + n)))
    y = [np.tensordot(v, w, axes=axes)  # (N, *out, C_out/groups)
         for v, w in zip(_groups(win, groups, 1),
                         _groups(weight, groups, 0))]
    return np.moveaxis(np.concatenate(y, axis=-1), -1, 1)


def conv_grad_weight(x, grad, kernel, stride, pads, dilation, groups):
    """``dweight[o, c, *k] = sum_{n, *i} grad[n, o, *i]
    * padded[n, c, *(s*i + d*k)]``: grad . windows, per group."""
    n = len(kernel)
    win = _windows(x, kernel, stride, pads, dilation, grad.shape[2:])
    axes = ([0] + list(range(2, 2 + n)), [0] + list(range(2, 2 + n)))
    return np.concatenate(
        [np.tensordot(g, v, axes=axes) for g, v in
         zip(_groups(grad, groups, 1), _groups(win, groups, 1))])


def conv_grad_input(grad, weight, spatial, stride, pads, dilation,
                    groups):
    """The adjoint of `conv`: each window of the padded input receives
    ``sum_o grad[n, o, *i] * weight[o]``; the padding is cropped."""
    n, kernel = weight.ndim - 2, weight.shape[2:]
    cols = np.concatenate(  # (N, *out, C_in, *K), per group grad . w
        [np.tensordot(g, w, axes=([1], [0]))
         for g, w in zip(_groups(grad, groups, 1),
                         _groups(weight, groups, 0))], axis=1 + n)
    padded = tuple(m + lo + hi for m, (lo, hi) in zip(spatial, pads))
    out = np.zeros((grad.shape[0], cols.shape[1 + n]) + padded, grad.dtype)
    for k in np.ndindex(*kernel):  # add every tap's share to its window
        where = tuple(slice(d * j, d * j + s * (o - 1) + 1, s) for j, d, s, o
                      in zip(k, dilation, stride, grad.shape[2:]))
        out[(Ellipsis,) + where] += np.moveaxis(
            cols[(Ellipsis,) + k], -1, 1)
    return out[(Ellipsis,) + tuple(slice(lo, lo + m) for m, (lo, _)
                                   in zip(spatial, pads))]


def _pool_windows(x, a, value):
    """Windows (N, C, *out, *K) of x padded with `value`: `padding` on
    the left, what `out` windows need (or a crop) on the right."""
    pads = [(p, _args.extent(o, k, s, d) - m - p) for m, o, k, s, p, d
            in zip(x.shape[2:], a.out, a.kernel, a.stride, a.padding,
                   a.dilation)]
    return sliding_windows(pad(x, pads, value), a.kernel, a.stride,
                           a.dilation)


def max_pool(x, a):
    """Maximum of each window of x padded with -inf, and the flat index
    of the first maximum in its input plane (NaN-free input).

    `a` is a `convlib._args.PoolArgs`. A window whose values are all
    -inf reports its first position at or after 0, as torch does.
    """
    n = x.ndim - 2
    win = _pool_windows(x, a, -np.inf)
    flat = win.reshape(win.shape[:2 + n] + (-1,))
    values, arg = flat.max(axis=-1), flat.argmax(axis=-1)
    place = np.unravel_index(arg, a.kernel)
    coords = []
    for d, (o, s, p, dil) in enumerate(zip(a.out, a.stride, a.padding,
                                           a.dilation)):
        start = (np.arange(o) * s - p).reshape((-1,) + (1,) * (n - d - 1))
        first = np.vectorize(_args.first_inside)(start, dil)
        coords.append(np.where(values == -np.inf, first,
                               start + place[d] * dil))
    flat = 0
    for coord, size in zip(coords, x.shape[2:]):
        flat = flat * size + coord
    return values, flat


def avg_pool(x, a, count_include_pad, divisor_override):
    """Sum of each window of x padded with zeros, over its divisor
    (`convlib._args.window_counts`, or `divisor_override`)."""
    n = x.ndim - 2
    total = _pool_windows(x, a, 0.0).sum(axis=tuple(range(-n, 0)))
    if divisor_override is not None:
        return total / divisor_override
    counts = [_args.window_counts(*args, count_include_pad) for args
              in zip(x.shape[2:], a.out, a.kernel, a.stride, a.padding)]
    return total / functools.reduce(np.multiply, np.ix_(*counts))
