"""Private helpers shared by the pooling modules.

Everything here works on batched arrays of shape (N, C, *spatial) and
on the strided window view from `convlib._util.sliding_windows`.
"""
import numpy as np

from .._util import _describe, check_array, ntuple, sliding_windows

# shape names and the backward docstring, for the docstring templates
SPATIAL = {1: "L", 2: "H, W", 3: "D, H, W"}
OUT_SPATIAL = {1: "L_out", 2: "H_out, W_out", 3: "D_out, H_out, W_out"}
BACKWARD_DOC = """Gradient of ``{name}`` with respect to its array arguments.

Parameters
----------
grad_output : ndarray, the shape of ``{name}``'s (first) output
*args, **kwargs
    Exactly ``{name}``'s arguments.{note}

Returns
-------
{returns}
"""


def _batched(input, n, fn, name="input"):
    """Check a pooling input and give it a batch axis.

    Returns
    -------
    x : ndarray, shape (N, C, *spatial)
        `input` as floats, with a batch axis of 1 added when unbatched.
    unbatched : bool
        True when `input` had shape (C, *spatial).
    """
    x = check_array(input, name, fn, ndims=(n + 1, n + 2))
    if any(size == 0 for size in x.shape[-n - 1:]):
        raise ValueError(
            f"{fn}: {name} must have non-empty channel and spatial "
            f"dimensions, got shape {x.shape}")
    unbatched = x.ndim == n + 1
    return (x[None] if unbatched else x), unbatched


def _unbatch(array, unbatched):
    """Undo `_batched`: drop the batch axis of 1 when it was added."""
    return array[0] if unbatched else array


def _pool_params(fn, n, kernel_size, stride, padding, dilation=1):
    """Normalise kernel_size/stride/padding/dilation to n-tuples.

    `stride=None` means `kernel_size`; padding must be at most half the
    kernel size in every dimension (torch's rule).
    """
    kernel = ntuple(kernel_size, n, "kernel_size", fn, minimum=1)
    stride = kernel if stride is None else ntuple(
        stride, n, "stride", fn, minimum=1)
    padding = ntuple(padding, n, "padding", fn, minimum=0)
    dilation = ntuple(dilation, n, "dilation", fn, minimum=1)
    if any(2 * p > k for p, k in zip(padding, kernel)):
        raise ValueError(
            f"{fn}: padding must be at most half of kernel_size in every "
            f"dimension, got padding={padding} with kernel_size={kernel}")
    return kernel, stride, padding, dilation


def _output_size(size, k, s, p, d, ceil_mode):
    """Pooling output size along one dimension, torch's rule.

    floor (or ceil) of ``(size + 2p - d(k - 1) - 1) / s`` plus one; in
    ceil mode the last window must start inside the input or the left
    padding.
    """
    span = size + 2 * p - d * (k - 1) - 1
    if ceil_mode:
        out = -(-span // s) + 1
        if (out - 1) * s >= size + p:
            out -= 1
        return out
    return span // s + 1


def _pool_output_shape(fn, spatial, kernel, stride, padding, dilation,
                       ceil_mode):
    """Output spatial shape; ValueError when it would be empty."""
    out = tuple(
        _output_size(*args, ceil_mode)
        for args in zip(spatial, kernel, stride, padding, dilation))
    if any(o < 1 for o in out):
        raise ValueError(
            f"{fn}: kernel_size {kernel} with dilation {dilation} is "
            f"larger than the padded input: input size {spatial}, "
            f"padding {padding}, output size would be {out}")
    return out


def _pad(x, kernel, stride, padding, dilation, out, fill):
    """`x` padded with `fill` to exactly what the `out` windows read.

    That is `padding` on the left and whatever ceil mode needs (or
    nothing, or a crop) on the right; no copy when nothing is added.

    Returns
    -------
    ndarray, shape (N, C, *extent)
        ``extent[d] = (out[d] - 1) * stride[d]
        + dilation[d] * (kernel[d] - 1) + 1``.
    """
    n = len(kernel)
    spatial = x.shape[-n:]
    extent = tuple((o - 1) * s + d * (k - 1) + 1 for o, k, s, d
                   in zip(out, kernel, stride, dilation))
    if not any(padding) and all(e <= size for e, size
                                in zip(extent, spatial)):
        return x[(Ellipsis,) + tuple(slice(0, e) for e in extent)]
    padded = np.full(x.shape[:-n] + extent, fill, dtype=x.dtype)
    kept = tuple(min(size, e - p) for size, e, p
                 in zip(spatial, extent, padding))
    padded[(Ellipsis,) + tuple(slice(p, p + k) for p, k
                               in zip(padding, kept))] = \
        x[(Ellipsis,) + tuple(slice(0, k) for k in kept)]
    return padded


def _padded_windows(x, kernel, stride, padding, dilation, out, fill):
    """Window view (N, C, *out, *kernel) over `x` padded with `fill`."""
    padded = _pad(x, kernel, stride, padding, dilation, out, fill)
    return sliding_windows(padded, kernel, stride, dilation)


def _window_sum(windows, n):
    """Sum over the last `n` (kernel) axes, one offset at a time."""
    offsets = list(np.ndindex(*windows.shape[-n:]))
    total = np.array(windows[(Ellipsis,) + offsets[0]])
    for offset in offsets[1:]:
        np.add(total, windows[(Ellipsis,) + offset], out=total)
    return total


def _spread(values, kernel, stride, padding, spatial):
    """Adjoint of `_window_sum` over `_padded_windows` (dilation 1).

    Adds `values` (N, C, *out) to every entry of its window and crops
    the padding: returns shape (N, C, *spatial).
    """
    n = len(kernel)
    out = values.shape[-n:]
    extent = tuple(max(p + size, (o - 1) * s + k) for o, k, s, p, size
                   in zip(out, kernel, stride, padding, spatial))
    acc = np.zeros(values.shape[:-n] + extent, dtype=values.dtype)
    for offset in np.ndindex(*kernel):
        window = tuple(slice(j, j + (o - 1) * s + 1, s)
                       for j, o, s in zip(offset, out, stride))
        acc[(Ellipsis,) + window] += values
    crop = tuple(slice(p, p + size) for p, size in zip(padding, spatial))
    return acc[(Ellipsis,) + crop]


def _first_max(cands, need_arg):
    """Elementwise max of same-shape arrays and where it was, as torch.

    Torch scans a window in order and keeps a value when it is greater
    than the running maximum or is NaN: the first of tied maxima wins,
    and a NaN wins over numbers (the last NaN when there are several).

    Returns
    -------
    best : ndarray
        The maximum (NaN propagates).
    arg : ndarray of uint8 (int64 for 256 or more arrays), or None
        Index j of the winning array (0 when all are -inf); None unless
        `need_arg`.
    """
    best = np.array(cands[0])
    for cand in cands[1:]:
        np.maximum(best, cand, out=best)
    if not need_arg:
        return best, None
    arg = np.zeros(best.shape, np.uint8 if len(cands) < 256 else np.int64)
    hit, step = np.empty(best.shape, dtype=bool), np.empty_like(arg)
    for j in range(len(cands) - 1, -1, -1):
        _set_where(arg, j, np.equal(cands[j], best, out=hit), step)
    if np.isnan(best).any():
        for j in range(len(cands)):
            _set_where(arg, j, np.isnan(cands[j], out=hit), step)
    return best, arg


def _set_where(arg, j, mask, step):
    """``arg[mask] = j`` by arithmetic, much faster than a masked copy.

    `step` is scratch space shaped like `arg`.
    """
    np.subtract(arg, arg.dtype.type(j), out=step)
    step *= mask
    arg -= step


def _separable_max(padded, kernel, stride, dilation, need_arg=False):
    """Window maximum, one spatial dimension at a time (last first).

    The maximum over a box is the maximum over its rows of the row
    maxima; taking torch's winner (`_first_max`) along each dimension
    gives torch's winner in row-major window order.

    Parameters
    ----------
    padded : ndarray, shape (N, C, *extent)
        From `_pad`, so that the windows fit exactly.
    kernel, stride, dilation : tuple of int

    Returns
    -------
    best : ndarray, shape (N, C, *out)
    args : list of n uint8 arrays, or None
        ``args[d]`` has shape (N, C, *extent[:d], *out[d:]): the kernel
        index along dim d of the maximum (see `_separable_coords`).
    """
    n = len(kernel)
    best, args = padded, [None] * n
    for d in reversed(range(n)):
        ones = (1,) * (n - d - 1)
        windows = sliding_windows(best, (kernel[d],) + ones,
                                  (stride[d],) + ones,
                                  (dilation[d],) + ones)
        cands = [windows[(Ellipsis, j) + (0,) * len(ones)]
                 for j in range(kernel[d])]
        best, args[d] = _first_max(cands, need_arg)
    return best, (args if need_arg else None)


def _gather_max(x, positions):
    """Like `_separable_max` for windows given by their positions.

    Parameters
    ----------
    x : ndarray, shape (N, C, *spatial)
    positions : list of int ndarray, per dim (out_d, k_d) or
        (N, C, out_d, k_d): coordinate of each window entry.

    Returns
    -------
    values, indices : ndarray, shape (N, C, *out)
        Maxima, and their flat indices into each input plane.
    """
    best, args = x, [None] * len(positions)
    for d in reversed(range(len(positions))):
        pos = positions[d]
        cands = [_take(best, pos[..., j], 2 + d)
                 for j in range(pos.shape[-1])]
        best, args[d] = _first_max(cands, True)
    coords = _separable_coords(args, positions, x.shape[2:])
    flat = 0
    for coord, size in zip(coords, x.shape[2:]):
        flat = flat * size + coord
    return best, flat


def _take(array, index, axis):
    """Entries of `array` at `index` along `axis`.

    `index` has shape (out,) or, one row per plane, (N, C, out).
    """
    if index.ndim == 1:
        return np.take(array, index, axis=axis)
    shape = (index.shape[:2] + (1,) * (axis - 2) + index.shape[2:]
             + (1,) * (array.ndim - axis - 1))
    return np.take_along_axis(array, index.reshape(shape), axis=axis)


def _separable_coords(args, positions, extent):
    """Coordinates of the maxima found one dimension at a time.

    Dimension 0's kernel index is ``args[0]``; dimension d's is read
    from ``args[d]`` at the coordinates already found for dims < d.

    Parameters
    ----------
    args : list of n arrays
        From `_separable_max` or `_gather_max`.
    positions : list of int ndarray, per dim (out_d, k_d) or
        (N, C, out_d, k_d): coordinate of kernel entry k of window o.
    extent : tuple of int
        Spatial shape of the array the maxima were taken over.

    Returns
    -------
    list of n int64 arrays, shape (N, C, *out)
    """
    shape = args[0].shape
    n, out = len(args), shape[2:]
    planes = np.arange(shape[0] * shape[1]).reshape(shape[:2] + (1,) * n)
    coords, flat = [], None
    for d, arg in enumerate(args):
        if d:
            tail = int(np.prod(out[d:]))
            at = flat + planes * int(np.prod(extent[:d]))
            at *= tail
            at += np.arange(tail).reshape(out[d:])
            arg = np.take(arg.reshape(-1), at)
        pos = positions[d]
        at = arg.astype(np.int64)
        at += np.arange(0, pos.shape[-2] * pos.shape[-1], pos.shape[-1]
                        ).reshape((-1,) + (1,) * (n - d - 1))
        if pos.ndim == 4:
            at += planes * pos[0, 0].size
        coords.append(np.take(pos.reshape(-1), at))
        flat = coords[-1] if flat is None else flat * extent[d] + coords[-1]
    return coords


def _scatter_planes(grad, indices, plane_shape, dtype):
    """Sum `grad` into each plane at flat `indices` (the max backward).

    Entries whose index falls outside the plane are dropped.

    Parameters
    ----------
    grad, indices : ndarray, shape (N, C, *out)
    plane_shape : tuple of int
        Spatial shape of the gradient to return.

    Returns
    -------
    ndarray, shape (N, C, *plane_shape)
    """
    n_planes = grad.shape[0] * grad.shape[1]
    size = int(np.prod(plane_shape))
    glob = indices.reshape(n_planes, -1)
    weights = grad.reshape(n_planes, -1)
    if glob.size and (glob.min() < 0 or glob.max() >= size):
        keep = (glob >= 0) & (glob < size)
        glob, weights = np.where(keep, glob, 0), np.where(keep, weights, 0)
    glob = glob + (np.arange(n_planes) * size)[:, None]
    sums = np.zeros(n_planes * size, dtype=dtype)
    np.add.at(sums, glob.reshape(-1), weights.reshape(-1))
    return sums.reshape(grad.shape[:2] + tuple(plane_shape))


def _check_grad(grad_output, shape, dtype, fn):
    """grad_output as an array of the forward output's shape."""
    grad = check_array(grad_output, "grad_output", fn)
    if grad.shape != tuple(shape):
        raise ValueError(
            f"{fn}: grad_output must have the forward output's shape "
            f"{tuple(shape)}, got {_describe(grad)}")
    return grad.astype(dtype, copy=False)


def _check_bool(value, name, fn):
    """Check a flag argument; return it as a Python bool."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(
            f"{fn}: {name} must be a bool, got {_describe(value)}")
    return bool(value)


def _with_doc(template, note="", **fields):
    """Decorator: give a function the docstring `template` filled in."""
    def decorate(func):
        func.__doc__ = template.format(note=note, **fields)
        return func
    return decorate
