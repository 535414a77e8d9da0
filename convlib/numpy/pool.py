"""Pooling layers in NumPy: max, average and max unpooling.

The definition is `convlib.numpy._reference` (pad -> strided window
view -> max or mean over the window axes); the code here is the fast
path, tested equal to it. Arguments are checked by `convlib._args`.

Every op pads the input (with -inf for max, 0 for average) and reads
it one kernel offset at a time: whole-array operations, no per-pixel
loops. Average pooling sums the offsets of the strided window view of
`convlib._arrays.sliding_windows`. Max pooling takes one spatial
dimension at a time (the maximum over a box is the maximum of its row
maxima) by a running comparison that keeps torch's winner (first
maximum, or last NaN) and its place in the window; the backward adds
each gradient at that place. Both run on blocks of a few planes at a
time (`_pool_common._by_planes`), small enough to stay in cache.
Backward functions recompute what they need from the forward
arguments; nothing is cached.

LP pooling is in `pool_lp`, adaptive and fractional max pooling in
`pool_adaptive`.
"""
import numpy as np

from .. import _args
from .._args import check_array
from . import _pool_common as _pc

__all__ = [
    f"{name}{n}d{suffix}"
    for name in ("max_pool", "avg_pool", "max_unpool")
    for n in (1, 2, 3) for suffix in ("", "_backward")
]

_GRAD_DOC = _pc.BACKWARD_DOC
_MAX_DOC = """Max pooling over {n}D windows, as torch's ``max_pool{n}d``.

Parameters
----------
input : ndarray, shape (N, C, {sp}) or (C, {sp})
kernel_size : int or tuple of {n} ints
stride : int or tuple of {n} ints, optional
    Defaults to `kernel_size`.
padding : int or tuple of {n} ints
    Implicit -inf on both sides; at most half of `kernel_size`.
dilation : int or tuple of {n} ints
    Spacing between window entries (1: dense window).
ceil_mode : bool
    Round the output size up; the last window must still start
    inside the input or the left padding.
return_indices : bool
    Also return where each maximum came from.

Returns
-------
output : ndarray, shape (N, C, {out})
    (C, {out}) for unbatched input; sizes from
    `convlib.shapes.pool_output_size`.
indices : ndarray of int64, same shape (only with `return_indices`)
    Flat index of each maximum into its input plane of {sp}. Ties
    go to the first maximum in window order, a NaN wins over numbers
    (the last NaN when there are several), as in torch.

Raises
------
TypeError
    Non-array input, non-int sizes, non-bool flags.
ValueError
    Wrong ndim, non-positive sizes, padding above half the kernel,
    kernel larger than the padded input.
"""

_AVG_DOC = """Average pooling over {n}D windows, as torch's ``avg_pool{n}d``.

Parameters
----------
input : ndarray, shape (N, C, {sp}) or (C, {sp})
kernel_size : int or tuple of {n} ints
stride : int or tuple of {n} ints, optional
    Defaults to `kernel_size`.
padding : int or tuple of {n} ints
    Implicit zeros on both sides; at most half of `kernel_size`.
ceil_mode : bool
    Round the output size up (last window starts inside the input or
    the left padding).
count_include_pad : bool
    Divide by the window size including padding (clipped to the
    padded input in ceil mode) rather than by the input entries only.{div}

Returns
-------
ndarray, shape (N, C, {out})
    (C, {out}) for unbatched input; sizes from
    `convlib.shapes.pool_output_size`.

Raises
------
TypeError, ValueError
    As `max_pool{n}d`; also a zero `divisor_override`. Like torch,
    `avg_pool3d` refuses an input smaller than the kernel even when
    padding would make room.
"""

_DIV_DOC = """
divisor_override : int, optional
    When given, every window sum is divided by it instead."""

_UNPOOL_DOC = """Max unpooling, as torch's ``max_unpool{n}d``.

Puts each input value at its index in a zero output plane.

Parameters
----------
input : ndarray, shape (N, C, {sp}) or (C, {sp})
    Pooled values.
indices : ndarray of int, same shape as `input`
    Flat indices into each output plane, as `max_pool{n}d` returns.
kernel_size, stride, padding : int or tuple of {n} ints
    The pooling's arguments (`stride` defaults to `kernel_size`).
output_size : sequence of {n} (or {n2}) ints, optional
    Output spatial size; by default ``(in - 1) * stride - 2 * padding
    + kernel_size``; must differ from that by less than `stride`.

Returns
-------
ndarray, shape (N, C, {out}) or (C, {out})

Raises
------
TypeError, ValueError
    Bad sizes, non-integer `indices`, `indices` shape different from
    `input`'s, an index outside the output plane.
"""

def _max_pool(fn, n, input, kernel_size, stride, padding, dilation,
              ceil_mode, return_indices=False):
    """Checks and set-up; returns (x, unbatched, params, out)."""
    x = check_array(input, "input", fn, ndims=(n + 1, n + 2))
    a = _args.max_pool_args(fn, n, x.shape, kernel_size, stride, padding,
                            dilation, ceil_mode, return_indices)
    params = (a.kernel, a.stride, a.padding, a.dilation)
    return (x if a.batched else x[None]), not a.batched, params, a.out


def _max_block(x, params, out, need_indices):
    """(values,) or (values, indices) of `_max_pool` for planes `x`."""
    if _pc.tiles(params, x.shape[2:], out):
        if need_indices:
            return _pc.tiled_max_indices(x, params[0], out)
        return (_pc.tiled_max(x, params[0], out),)
    values, code = _pc._separable_max(x, *params, out,
                                      need_arg=need_indices)
    if not need_indices:
        return (values,)
    return values, _max_indices(code, values, x.shape[2:], params)


def _grid(size, d, n):
    """arange(size) shaped to broadcast along spatial dim d of n."""
    return np.arange(size).reshape((-1,) + (1,) * (n - d - 1))


def _max_indices(code, values, spatial, params):
    """Flat indices in each input plane from `_separable_max`'s codes.

    The index is the window's start plus the offset of its entry
    number `code` (a lookup table). Where a window's maximum is -inf
    (nothing in it beat -inf) torch reports the window's first
    position inside the input.
    """
    kernel, stride, padding, dilation = params
    n = len(spatial)
    plane = np.cumprod((1,) + spatial[:0:-1])[::-1]  # flat step per dim
    offsets = np.zeros(kernel, np.int64)
    start = first = 0
    for d, (size, s, p, dil) in enumerate(
            zip(spatial, stride, padding, dilation)):
        offsets = offsets + _grid(kernel[d], d, n) * (dil * plane[d])
        at = _grid(values.shape[2 + d], d, n) * s - p
        start = start + at * plane[d]
        first = first * size + at - np.minimum(at, 0) // dil * dil
    flat = np.take(offsets.reshape(-1), code)
    flat += start
    empty = values == -np.inf
    if empty.any():
        flat = np.where(empty, first, flat)
    return flat


def _max_pool_forward(fn, n, input, kernel_size, stride, padding,
                      dilation, ceil_mode, return_indices):
    x, unbatched, params, out = _max_pool(
        fn, n, input, kernel_size, stride, padding, dilation, ceil_mode,
        return_indices)
    return_indices = bool(return_indices)
    results = _pc._by_planes(
        lambda block: _max_block(block, params, out, return_indices), x)
    results = tuple(_pc._unbatch(r, unbatched) for r in results)
    return results if return_indices else results[0]


def _max_pool_backward(fn, n, grad_output, input, kernel_size, stride,
                       padding, dilation, ceil_mode, return_indices,
                       indices=None):
    x, unbatched, params, out = _max_pool(
        fn, n, input, kernel_size, stride, padding, dilation, ceil_mode,
        return_indices)
    grad = _pc._check_grad(grad_output, x.shape[int(unbatched):2] + out,
                           x.dtype, fn)
    grad = grad[None] if unbatched else grad
    grad_input = np.empty(x.shape, x.dtype)
    kernel, stride, _, dilation = params
    unique = all(s > d * (k - 1) for k, s, d in zip(kernel, stride,
                                                    dilation))
    if indices is not None:  # the forward's: no need to find the maxima
        given = _given_indices(fn, indices, grad.shape[int(unbatched):])

        def scatter(grad_block, index_block, grad_input_block):
            _pc._scatter_planes(grad_block, index_block, grad_input_block,
                                unique)
            return ()
        _pc._by_planes(scatter, grad, given.reshape(grad.shape),
                       grad_input)
        return _pc._unbatch(grad_input, unbatched)

    tiled = _pc.tiles(params, x.shape[2:], out)

    def backward(block, grad_block, grad_input_block):
        if tiled:
            _pc.tiled_max_backward(block, grad_block, kernel, out,
                                   grad_input_block)
            return ()
        _, found = _max_block(block, params, out, True)
        _pc._scatter_planes(grad_block, found, grad_input_block, unique)
        return ()
    _pc._by_planes(backward, x, grad, grad_input)
    return _pc._unbatch(grad_input, unbatched)


def _given_indices(fn, indices, shape):
    """`indices` as given to a max-pool backward: integers, `shape`."""
    given = np.asarray(indices)
    if given.dtype.kind not in "iu":
        raise TypeError(
            f"{fn}: indices must be an integer array (the forward's "
            f"return_indices), got dtype {given.dtype}")
    if given.shape != tuple(shape):
        raise ValueError(
            f"{fn}: indices must have the output's shape {tuple(shape)}, "
            f"got {given.shape}")
    return given


@_pc._with_doc(_MAX_DOC, n=1, sp=_pc.SPATIAL[1], out=_pc.OUT_SPATIAL[1])
def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode=False, return_indices=False):
    return _max_pool_forward("max_pool1d", 1, input, kernel_size, stride,
                             padding, dilation, ceil_mode, return_indices)


@_pc._with_doc(_MAX_DOC, n=2, sp=_pc.SPATIAL[2], out=_pc.OUT_SPATIAL[2])
def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode=False, return_indices=False):
    return _max_pool_forward("max_pool2d", 2, input, kernel_size, stride,
                             padding, dilation, ceil_mode, return_indices)


@_pc._with_doc(_MAX_DOC, n=3, sp=_pc.SPATIAL[3], out=_pc.OUT_SPATIAL[3])
def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode=False, return_indices=False):
    return _max_pool_forward("max_pool3d", 3, input, kernel_size, stride,
                             padding, dilation, ceil_mode, return_indices)


_INDICES_NOTE = """
indices : ndarray of int, optional (keyword only)
    The indices the forward returned (``return_indices=True``) for
    these arguments. Given, they are used as they are; without them the
    maxima are found again. They are not checked against `input`."""

_MAX_RETURNS = """grad_input : ndarray, shape of `input`
    `grad_output` summed into the position of each window's maximum
    (the index `return_indices` gives). A window lying wholly in the
    padding (possible with dilation) has no such position and passes
    no gradient."""


@_pc._with_doc(_GRAD_DOC, name="max_pool1d", returns=_MAX_RETURNS,
               note=_INDICES_NOTE)
def max_pool1d_backward(grad_output, input, kernel_size, stride=None,
                        padding=0, dilation=1, ceil_mode=False,
                        return_indices=False, *, indices=None):
    return _max_pool_backward(
        "max_pool1d_backward", 1, grad_output, input, kernel_size, stride,
        padding, dilation, ceil_mode, return_indices, indices)


@_pc._with_doc(_GRAD_DOC, name="max_pool2d", returns=_MAX_RETURNS,
               note=_INDICES_NOTE)
def max_pool2d_backward(grad_output, input, kernel_size, stride=None,
                        padding=0, dilation=1, ceil_mode=False,
                        return_indices=False, *, indices=None):
    return _max_pool_backward(
        "max_pool2d_backward", 2, grad_output, input, kernel_size, stride,
        padding, dilation, ceil_mode, return_indices, indices)


@_pc._with_doc(_GRAD_DOC, name="max_pool3d", returns=_MAX_RETURNS,
               note=_INDICES_NOTE)
def max_pool3d_backward(grad_output, input, kernel_size, stride=None,
                        padding=0, dilation=1, ceil_mode=False,
                        return_indices=False, *, indices=None):
    return _max_pool_backward(
        "max_pool3d_backward", 3, grad_output, input, kernel_size, stride,
        padding, dilation, ceil_mode, return_indices, indices)


def _avg_divisor(spatial, a, count_include_pad, divisor_override):
    """Divisor of each window sum, shape broadcastable to (*out)."""
    if divisor_override is not None:
        return np.asarray(divisor_override)
    n = len(spatial)
    divisor = np.ones((1,) * n, dtype=np.int64)
    for d, args in enumerate(zip(spatial, a.out, a.kernel, a.stride,
                                 a.padding)):
        count = np.array(_args.window_counts(*args, count_include_pad))
        divisor = divisor * count.reshape((-1,) + (1,) * (n - d - 1))
    return divisor


def _avg_pool(fn, n, input, kernel_size, stride, padding, ceil_mode,
              count_include_pad, divisor_override):
    """Checks and set-up; returns (x, unbatched, params, out, divisor)."""
    x = check_array(input, "input", fn, ndims=(n + 1, n + 2))
    a, include = _args.avg_pool_args(
        fn, n, x.shape, kernel_size, stride, padding, ceil_mode,
        count_include_pad, divisor_override)
    divisor = _avg_divisor(x.shape[-n:], a, include, divisor_override)
    params = (a.kernel, a.stride, a.padding)
    x = x if a.batched else x[None]
    return x, not a.batched, params, a.out, divisor.astype(x.dtype)


def _avg_pool_forward(fn, n, input, *args):
    x, unbatched, params, out, divisor = _avg_pool(fn, n, input, *args)

    def pool(block):
        windows = _pc._padded_windows(block, *params, (1,) * n, out, 0)
        total = _pc._window_sum(windows, n)
        total /= divisor
        return (total,)
    total, = _pc._by_planes(pool, x)
    return _pc._unbatch(total, unbatched)


def _avg_pool_backward(fn, n, grad_output, input, *args):
    x, unbatched, params, out, divisor = _avg_pool(fn, n, input, *args)
    shape = x.shape[int(unbatched):2] + out
    grad = _pc._check_grad(grad_output, shape, x.dtype, fn)
    grad = grad[None] if unbatched else grad

    def backward(grad_block):
        return (_pc._spread(grad_block / divisor, *params, x.shape[2:]),)
    grad_input, = _pc._by_planes(backward, grad)
    return _pc._unbatch(grad_input, unbatched)


@_pc._with_doc(_AVG_DOC, n=1, sp=_pc.SPATIAL[1], out=_pc.OUT_SPATIAL[1],
               div="")
def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    return _avg_pool_forward("avg_pool1d", 1, input, kernel_size, stride,
                             padding, ceil_mode, count_include_pad, None)


@_pc._with_doc(_AVG_DOC, n=2, sp=_pc.SPATIAL[2], out=_pc.OUT_SPATIAL[2],
               div=_DIV_DOC)
def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    return _avg_pool_forward("avg_pool2d", 2, input, kernel_size, stride,
                             padding, ceil_mode, count_include_pad,
                             divisor_override)


@_pc._with_doc(_AVG_DOC, n=3, sp=_pc.SPATIAL[3], out=_pc.OUT_SPATIAL[3],
               div=_DIV_DOC)
def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    return _avg_pool_forward("avg_pool3d", 3, input, kernel_size, stride,
                             padding, ceil_mode, count_include_pad,
                             divisor_override)


_AVG_RETURNS = """grad_input : ndarray, shape of `input`
    Each window's gradient divided by its divisor, spread over it."""


@_pc._with_doc(_GRAD_DOC, name="avg_pool1d", returns=_AVG_RETURNS)
def avg_pool1d_backward(grad_output, input, kernel_size, stride=None,
                        padding=0, ceil_mode=False, count_include_pad=True):
    return _avg_pool_backward(
        "avg_pool1d_backward", 1, grad_output, input, kernel_size, stride,
        padding, ceil_mode, count_include_pad, None)


@_pc._with_doc(_GRAD_DOC, name="avg_pool2d", returns=_AVG_RETURNS)
def avg_pool2d_backward(grad_output, input, kernel_size, stride=None,
                        padding=0, ceil_mode=False, count_include_pad=True,
                        divisor_override=None):
    return _avg_pool_backward(
        "avg_pool2d_backward", 2, grad_output, input, kernel_size, stride,
        padding, ceil_mode, count_include_pad, divisor_override)


@_pc._with_doc(_GRAD_DOC, name="avg_pool3d", returns=_AVG_RETURNS)
def avg_pool3d_backward(grad_output, input, kernel_size, stride=None,
                        padding=0, ceil_mode=False, count_include_pad=True,
                        divisor_override=None):
    return _avg_pool_backward(
        "avg_pool3d_backward", 3, grad_output, input, kernel_size, stride,
        padding, ceil_mode, count_include_pad, divisor_override)


def _check_indices(fn, indices):
    """Unpooling indices: an integer array (its shape: `_args`)."""
    idx = np.asarray(indices)
    if idx.dtype.kind not in "iu":
        raise TypeError(
            f"{fn}: indices must be an integer array, got dtype "
            f"{idx.dtype}")
    return idx.astype(np.int64, copy=False)


def _max_unpool(fn, n, input, indices, kernel_size, stride, padding,
                output_size):
    """Checks; returns (x, unbatched, flat indices (N, C, L), size)."""
    x = check_array(input, "input", fn, ndims=(n + 1, n + 2))
    idx = _check_indices(fn, indices)
    batched, size = _args.unpool_args(fn, n, x.shape, idx.shape,
                                      kernel_size, stride, padding,
                                      output_size)
    x, unbatched = (x if batched else x[None]), not batched
    idx = idx.reshape(x.shape[0], x.shape[1], -1)
    plane = int(np.prod(size))
    if idx.size and (idx.min() < 0 or idx.max() >= plane):
        raise ValueError(
            f"{fn}: indices must lie in [0, {plane}) for output size "
            f"{size}, got values from {idx.min()} to {idx.max()}")
    return x, unbatched, idx, size


def _max_unpool_forward(fn, n, input, indices, *args):
    x, unbatched, idx, size = _max_unpool(fn, n, input, indices, *args)
    out = np.zeros(idx.shape[:2] + (int(np.prod(size)),), dtype=x.dtype)
    np.put_along_axis(out, idx, x.reshape(idx.shape), axis=-1)
    return _pc._unbatch(out.reshape(x.shape[:2] + size), unbatched)


def _max_unpool_backward(fn, n, grad_output, input, indices, *args):
    x, unbatched, idx, size = _max_unpool(fn, n, input, indices, *args)
    grad = _pc._check_grad(grad_output, x.shape[int(unbatched):2] + size,
                           x.dtype, fn)
    grad = grad.reshape(idx.shape[:2] + (-1,))
    grad_input = np.take_along_axis(grad, idx, axis=-1).reshape(x.shape)
    return _pc._unbatch(grad_input, unbatched), None


@_pc._with_doc(_UNPOOL_DOC, n=1, n2=3, sp=_pc.SPATIAL[1],
               out=_pc.OUT_SPATIAL[1])
def max_unpool1d(input, indices, kernel_size, stride=None, padding=0,
                 output_size=None):
    return _max_unpool_forward("max_unpool1d", 1, input, indices,
                               kernel_size, stride, padding, output_size)


@_pc._with_doc(_UNPOOL_DOC, n=2, n2=4, sp=_pc.SPATIAL[2],
               out=_pc.OUT_SPATIAL[2])
def max_unpool2d(input, indices, kernel_size, stride=None, padding=0,
                 output_size=None):
    return _max_unpool_forward("max_unpool2d", 2, input, indices,
                               kernel_size, stride, padding, output_size)


@_pc._with_doc(_UNPOOL_DOC, n=3, n2=5, sp=_pc.SPATIAL[3],
               out=_pc.OUT_SPATIAL[3])
def max_unpool3d(input, indices, kernel_size, stride=None, padding=0,
                 output_size=None):
    return _max_unpool_forward("max_unpool3d", 3, input, indices,
                               kernel_size, stride, padding, output_size)


_UNPOOL_RETURNS = """grad_input : ndarray, shape of `input`
    `grad_output` read back at `indices`.
None
    `indices` are integers and get no gradient."""


@_pc._with_doc(_GRAD_DOC, name="max_unpool1d", returns=_UNPOOL_RETURNS)
def max_unpool1d_backward(grad_output, input, indices, kernel_size,
                          stride=None, padding=0, output_size=None):
    return _max_unpool_backward(
        "max_unpool1d_backward", 1, grad_output, input, indices,
        kernel_size, stride, padding, output_size)


@_pc._with_doc(_GRAD_DOC, name="max_unpool2d", returns=_UNPOOL_RETURNS)
def max_unpool2d_backward(grad_output, input, indices, kernel_size,
                          stride=None, padding=0, output_size=None):
    return _max_unpool_backward(
        "max_unpool2d_backward", 2, grad_output, input, indices,
        kernel_size, stride, padding, output_size)


@_pc._with_doc(_GRAD_DOC, name="max_unpool3d", returns=_UNPOOL_RETURNS)
def max_unpool3d_backward(grad_output, input, indices, kernel_size,
                          stride=None, padding=0, output_size=None):
    return _max_unpool_backward(
        "max_unpool3d_backward", 3, grad_output, input, indices,
        kernel_size, stride, padding, output_size)
