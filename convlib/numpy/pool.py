"""Pooling layers in NumPy: max, average and max unpooling.

Every op pads the input (with -inf for max, 0 for average) and reads
it one kernel offset at a time: whole-array operations, no per-pixel
loops. Average pooling sums the offsets of the strided window view of
`convlib._util.sliding_windows`. Max pooling takes one spatial
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

from .. import _util
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
              ceil_mode):
    """Checks and set-up; returns (x, unbatched, params, out)."""
    x, unbatched = _pc._batched(input, n, fn)
    params = _pc._pool_params(fn, n, kernel_size, stride, padding,
                              dilation)
    ceil_mode = _pc._check_bool(ceil_mode, "ceil_mode", fn)
    out = _pc._pool_output_shape(fn, x.shape[2:], *params, ceil_mode)
    return x, unbatched, params, out


def _max_block(x, params, out, need_indices):
    """(values,) or (values, indices) of `_max_pool` for planes `x`."""
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
    return_indices = _pc._check_bool(return_indices, "return_indices", fn)
    x, unbatched, params, out = _max_pool(
        fn, n, input, kernel_size, stride, padding, dilation, ceil_mode)
    results = _pc._by_planes(
        lambda block: _max_block(block, params, out, return_indices), x)
    results = tuple(_pc._unbatch(r, unbatched) for r in results)
    return results if return_indices else results[0]


def _max_pool_backward(fn, n, grad_output, input, kernel_size, stride,
                       padding, dilation, ceil_mode, return_indices):
    _pc._check_bool(return_indices, "return_indices", fn)
    x, unbatched, params, out = _max_pool(
        fn, n, input, kernel_size, stride, padding, dilation, ceil_mode)
    grad = _pc._check_grad(grad_output, x.shape[int(unbatched):2] + out,
                           x.dtype, fn)
    grad = grad[None] if unbatched else grad
    grad_input = np.empty(x.shape, x.dtype)

    def backward(block, grad_block, grad_input_block):
        _, indices = _max_block(block, params, out, True)
        _pc._scatter_planes(grad_block, indices, grad_input_block)
        return ()
    _pc._by_planes(backward, x, grad, grad_input)
    return _pc._unbatch(grad_input, unbatched)


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


_MAX_RETURNS = """grad_input : ndarray, shape of `input`
    `grad_output` summed into the position of each window's maximum
    (the index `return_indices` gives). A window lying wholly in the
    padding (possible with dilation) has no such position and passes
    no gradient."""


@_pc._with_doc(_GRAD_DOC, name="max_pool1d", returns=_MAX_RETURNS)
def max_pool1d_backward(grad_output, input, kernel_size, stride=None,
                        padding=0, dilation=1, ceil_mode=False,
                        return_indices=False):
    return _max_pool_backward(
        "max_pool1d_backward", 1, grad_output, input, kernel_size, stride,
        padding, dilation, ceil_mode, return_indices)


@_pc._with_doc(_GRAD_DOC, name="max_pool2d", returns=_MAX_RETURNS)
def max_pool2d_backward(grad_output, input, kernel_size, stride=None,
                        padding=0, dilation=1, ceil_mode=False,
                        return_indices=False):
    return _max_pool_backward(
        "max_pool2d_backward", 2, grad_output, input, kernel_size, stride,
        padding, dilation, ceil_mode, return_indices)


@_pc._with_doc(_GRAD_DOC, name="max_pool3d", returns=_MAX_RETURNS)
def max_pool3d_backward(grad_output, input, kernel_size, stride=None,
                        padding=0, dilation=1, ceil_mode=False,
                        return_indices=False):
    return _max_pool_backward(
        "max_pool3d_backward", 3, grad_output, input, kernel_size, stride,
        padding, dilation, ceil_mode, return_indices)


def _avg_divisor(spatial, out, kernel, stride, padding, count_include_pad,
                 divisor_override):
    """Divisor of each window sum, shape broadcastable to (*out)."""
    if divisor_override is not None:
        return np.asarray(divisor_override)
    n = len(kernel)
    divisor = np.ones((1,) * n, dtype=np.int64)
    for d, (size, o, k, s, p) in enumerate(
            zip(spatial, out, kernel, stride, padding)):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, size + p)
        if count_include_pad:
            count = end - start
        else:
            count = np.minimum(end, size) - np.maximum(start, 0)
        divisor = divisor * count.reshape((1,) * d + (o,) + (1,) * (
            n - d - 1))
    return divisor


def _check_divisor(divisor_override, fn):
    """divisor_override: None or a non-zero int, as torch."""
    if divisor_override is None:
        return
    if not _util.is_int(divisor_override):
        raise TypeError(
            f"{fn}: divisor_override must be None or a non-zero int, "
            f"got {_util._describe(divisor_override)}")
    if divisor_override == 0:
        raise ValueError(
            f"{fn}: divisor_override must be None or a non-zero int, "
            f"got 0")


def _avg_pool(fn, n, input, kernel_size, stride, padding, ceil_mode,
              count_include_pad, divisor_override):
    """Checks and set-up; returns (x, unbatched, params, out, divisor)."""
    x, unbatched = _pc._batched(input, n, fn)
    params = _pc._pool_params(fn, n, kernel_size, stride, padding)[:3]
    ceil_mode = _pc._check_bool(ceil_mode, "ceil_mode", fn)
    include = _pc._check_bool(count_include_pad, "count_include_pad", fn)
    _check_divisor(divisor_override, fn)
    if n == 3 and any(size < k for size, k in zip(x.shape[2:], params[0])):
        raise ValueError(  # torch's avg_pool3d rule, padding or not
            f"{fn}: kernel_size {params[0]} must not exceed the input "
            f"size {x.shape[2:]} in any dimension")
    out = _pc._pool_output_shape(fn, x.shape[2:], *params, (1,) * n,
                                 ceil_mode)
    divisor = _avg_divisor(x.shape[2:], out, *params, include,
                           divisor_override)
    return x, unbatched, params, out, divisor.astype(x.dtype)


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


def _unpool_size(fn, spatial, kernel, stride, padding, output_size):
    """Output spatial size of max unpooling, torch's rule."""
    n = len(kernel)
    default = tuple((i - 1) * s + k - 2 * p for i, k, s, p
                    in zip(spatial, kernel, stride, padding))
    if output_size is None:
        size = default
    else:
        if not (isinstance(output_size, (tuple, list))
                and all(_util.is_int(o) for o in output_size)):
            raise TypeError(
                f"{fn}: output_size must be None or a sequence of ints, "
                f"got {_util._describe(output_size)}")
        size = tuple(int(o) for o in output_size)
        size = size[2:] if len(size) == n + 2 else size
        if len(size) != n or not all(
                d - s < o < d + s for o, d, s in zip(size, default, stride)):
            raise ValueError(
                f"{fn}: output_size must have {n} or {n + 2} entries, "
                f"each within stride of the default size {default}, "
                f"got {output_size!r}")
    if any(o < 1 for o in size):
        raise ValueError(
            f"{fn}: output size must be positive, got {size} (from "
            f"kernel_size {kernel}, stride {stride}, padding {padding})")
    return size


def _check_indices(fn, indices, shape):
    """Unpooling indices: an integer array of the input's shape."""
    idx = np.asarray(indices)
    if idx.dtype.kind not in "iu":
        raise TypeError(
            f"{fn}: indices must be an integer array, got dtype "
            f"{idx.dtype}")
    if idx.shape != tuple(shape):
        raise ValueError(
            f"{fn}: indices must have the shape of input {tuple(shape)}, "
            f"got {idx.shape}")
    return idx.astype(np.int64, copy=False)


def _max_unpool(fn, n, input, indices, kernel_size, stride, padding,
                output_size):
    """Checks; returns (x, unbatched, flat indices (N, C, L), size)."""
    x, unbatched = _pc._batched(input, n, fn)
    idx = _check_indices(fn, indices, np.shape(input)).reshape(
        x.shape[0], x.shape[1], -1)
    kernel = _util.ntuple(kernel_size, n, "kernel_size", fn, minimum=1)
    stride = kernel if stride is None else _util.ntuple(
        stride, n, "stride", fn, minimum=1)
    padding = _util.ntuple(padding, n, "padding", fn)
    size = _unpool_size(fn, x.shape[2:], kernel, stride, padding,
                        output_size)
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
