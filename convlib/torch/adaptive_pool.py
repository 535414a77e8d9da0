"""Pooling with irregular windows, and max unpooling, in PyTorch.

Adaptive pooling fixes the output size and lets window sizes vary;
fractional max pooling (Graham 2014) places fixed-size windows at
pseudo-random starts. Their windows are gathered with index tensors
(short windows repeat their last position, which changes neither a
maximum nor which position wins first); adaptive average pooling is one
averaging matrix per axis. Max unpooling scatters values back to the
indices max pooling returned. Nothing here calls a
``torch.nn.functional`` pooling op.
"""
import math

import torch

from .. import _args
from ._common import _batched, _check_tensor, _flat_index, _strip

__all__ = [
    "max_unpool1d", "max_unpool2d", "max_unpool3d",
    "adaptive_avg_pool1d", "adaptive_avg_pool2d",
    "adaptive_max_pool1d", "adaptive_max_pool2d",
    "fractional_max_pool2d",
]


# --------------------------------------------------------------- unpooling

def _check_indices(indices, numel, fn):
    """Raise unless `indices` is of an integer type, in [0, numel)."""
    if indices.is_floating_point() or indices.is_complex() or (
            indices.dtype == torch.bool):
        raise TypeError(
            f"{fn}: indices must be an integer tensor, got dtype "
            f"{indices.dtype}")
    if indices.numel() and (int(indices.min()) < 0
                            or int(indices.max()) >= numel):
        raise ValueError(
            f"{fn}: indices must lie in [0, {numel}) for the output "
            f"plane, got values in [{int(indices.min())}, "
            f"{int(indices.max())}]")


def _max_unpoolnd(input, indices, kernel_size, stride, padding, output_size,
                  n, fn):
    """Scatter each value to its flat index in a zero output plane."""
    x, unbatched = _batched(input, n, fn)
    _check_tensor(indices, "indices", fn)
    _, sizes = _args.unpool_args(fn, n, tuple(input.shape),
                                 tuple(indices.shape), kernel_size, stride,
                                 padding, output_size)
    idx = indices.unsqueeze(0) if unbatched else indices
    numel = math.prod(sizes)
    _check_indices(idx, numel, fn)
    idx = idx.long()
    lead = tuple(x.shape[:2])
    plane = x.new_zeros(lead + (numel,))
    out = plane.scatter(2, idx.reshape(lead + (-1,)),
                        x.reshape(lead + (-1,)))
    return _strip((out.reshape(lead + sizes),), unbatched)[0]


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0,
                 output_size=None):
    """Partial inverse of `max_pool1d`: values back at their indices.

    Parameters
    ----------
    input : Tensor, shape (N, C, L) or (C, L)
        Pooled values.
    indices : Tensor of int64, same shape
        As returned by ``max_pool1d(..., return_indices=True)``.
    kernel_size, stride, padding : int or tuple of 1 int
        Those of the pooling; stride defaults to kernel_size.
    output_size : sequence of int, optional
        (L_out,) or (N, C, L_out), to undo a pooling whose input size
        the default ``(L - 1) * stride + kernel_size - 2 * padding``
        does not give back.

    Returns
    -------
    Tensor, shape (N, C, L_out) or (C, L_out)
        Zero except at the indices.

    Raises
    ------
    TypeError, ValueError
        On wrong types or shapes, indices out of range or an
        output_size too far from the default.
    """
    return _max_unpoolnd(input, indices, kernel_size, stride, padding,
                         output_size, 1, "max_unpool1d")


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0,
                 output_size=None):
    """Partial inverse of `max_pool2d`: values back at their indices.

    Parameters
    ----------
    input : Tensor, shape (N, C, H, W) or (C, H, W)
    indices : Tensor of int64, same shape
        Flat positions ``h * W_out + w`` in the output plane.
    kernel_size, stride, padding : int or tuple of 2 ints
    output_size : sequence of int, optional
        (H_out, W_out) or (N, C, H_out, W_out).

    Returns
    -------
    Tensor, shape (N, C, H_out, W_out) or (C, H_out, W_out)

    Raises
    ------
    TypeError, ValueError
        As `max_unpool1d`.
    """
    return _max_unpoolnd(input, indices, kernel_size, stride, padding,
                         output_size, 2, "max_unpool2d")


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0,
                 output_size=None):
    """Partial inverse of `max_pool3d`: values back at their indices.

    Parameters
    ----------
    input : Tensor, shape (N, C, D, H, W) or (C, D, H, W)
    indices : Tensor of int64, same shape
    kernel_size, stride, padding : int or tuple of 3 ints
    output_size : sequence of int, optional
        (D_out, H_out, W_out) or (N, C, D_out, H_out, W_out).

    Returns
    -------
    Tensor, shape (N, C, D_out, H_out, W_out), or without N

    Raises
    ------
    TypeError, ValueError
        As `max_unpool1d`.
    """
    return _max_unpoolnd(input, indices, kernel_size, stride, padding,
                         output_size, 3, "max_unpool3d")


# ------------------------------------------------------- adaptive pooling



def _adaptive_bounds(size, out):
    """Window [start, end) per output position, as torch's adaptive ops."""
    starts = [(i * size) // out for i in range(out)]
    ends = [-((-(i + 1) * size) // out) for i in range(out)]
    return starts, ends


def _adaptive_mean_matrix(size, out, dtype):
    """(out, size) matrix whose rows average each adaptive window."""
    matrix = torch.zeros(out, size, dtype=dtype)
    for row, (a, b) in enumerate(zip(*_adaptive_bounds(size, out))):
        matrix[row, a:b] = 1.0 / (b - a)
    return matrix


def _adaptive_index(size, out):
    """(out, K) positions of each window; short windows repeat their end.

    Repeating the last position never changes a max nor which position
    wins first, so every window can have the longest window's length K.
    """
    starts, ends = _adaptive_bounds(size, out)
    width = max(b - a for a, b in zip(starts, ends))
    offsets = torch.arange(width)
    rows = [torch.clamp(a + offsets, max=b - 1)
            for a, b in zip(starts, ends)]
    return torch.stack(rows)


def _gathered_max(x, index):
    """Max over windows given by per-axis positions.

    Parameters
    ----------
    x : Tensor, shape (N, C, *spatial)
    index : list of int64 Tensor, one per axis, shape (N|1, C|1, out, K)

    Returns
    -------
    values : Tensor, shape (N, C, *out)
    indices : Tensor of int64, same shape
        Flat position of the first maximum in its plane.
    """
    n = len(index)
    views = []
    for axis, idx in enumerate(index):
        shape = [1] * (2 * n)
        shape[axis], shape[n + axis] = idx.shape[-2:]
        views.append(idx.reshape(tuple(idx.shape[:2]) + tuple(shape)))
    lead = [torch.arange(m).reshape((-1,) + (1,) * (2 * n + 1 - i))
            for i, m in enumerate(x.shape[:2])]
    win = x[tuple(lead + views)]
    out_shape = tuple(win.shape[:2 + n])
    values, arg = win.reshape(out_shape + (-1,)).max(-1)
    flat = _flat_index(views, tuple(x.shape[2:])).expand(win.shape)
    flat = flat.reshape(out_shape + (-1,))
    return values, flat.gather(-1, arg.unsqueeze(-1)).squeeze(-1)


def _adaptive_avg_poolnd(input, output_size, n, fn):
    """Adaptive average pooling: one averaging matrix per axis."""
    x, unbatched = _batched(input, n, fn)
    sizes = _args.adaptive_size(fn, output_size, tuple(x.shape[2:]))
    for axis, out in enumerate(sizes):
        matrix = _adaptive_mean_matrix(x.shape[2 + axis], out, x.dtype)
        x = torch.movedim(torch.movedim(x, 2 + axis, -1) @ matrix.T,
                          -1, 2 + axis)
    return _strip((x,), unbatched)[0]


def _adaptive_max_poolnd(input, output_size, return_indices, n, fn):
    """Adaptive max pooling through gathered windows."""
    x, unbatched = _batched(input, n, fn)
    _args.check_bool(return_indices, "return_indices", fn)
    spatial = tuple(x.shape[2:])
    sizes = _args.adaptive_size(fn, output_size, spatial)
    index = [_adaptive_index(m, out)[None, None]
             for m, out in zip(spatial, sizes)]
    values, indices = _gathered_max(x, index)
    if not return_indices:
        return _strip((values,), unbatched)[0]
    return _strip((values, indices), unbatched)


def adaptive_avg_pool1d(input, output_size):
    """1-D adaptive average pooling to a fixed output size.

    Window ``i`` covers ``[floor(i * L / L_out), ceil((i + 1) * L /
    L_out))``, so windows may differ in size and overlap.

    Parameters
    ----------
    input : Tensor, shape (N, C, L) or (C, L)
    output_size : int or tuple of 1 int

    Returns
    -------
    Tensor, shape (N, C, L_out) or (C, L_out)

    Raises
    ------
    TypeError, ValueError
        On wrong types, dimensions or an output_size below 1.
    """
    return _adaptive_avg_poolnd(input, output_size, 1,
                                "adaptive_avg_pool1d")


def adaptive_avg_pool2d(input, output_size):
    """2-D adaptive average pooling to a fixed output size.

    Parameters
    ----------
    input : Tensor, shape (N, C, H, W) or (C, H, W)
    output_size : int or tuple of 2 (int or None)
        None keeps that axis's input size.

    Returns
    -------
    Tensor, shape (N, C, H_out, W_out) or (C, H_out, W_out)

    Raises
    ------
    TypeError, ValueError
        As `adaptive_avg_pool1d`.
    """
    return _adaptive_avg_poolnd(input, output_size, 2,
                                "adaptive_avg_pool2d")


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """1-D adaptive max pooling, windows as `adaptive_avg_pool1d`.

    Parameters
    ----------
    input : Tensor, shape (N, C, L) or (C, L)
    output_size : int or tuple of 1 int
    return_indices : bool
        Also return the position of each maximum (first one on ties).

    Returns
    -------
    Tensor, shape (N, C, L_out) or (C, L_out)
    Tensor of int64, same shape
        Only when `return_indices` is true.

    Raises
    ------
    TypeError, ValueError
        As `adaptive_avg_pool1d`.
    """
    return _adaptive_max_poolnd(input, output_size, return_indices, 1,
                                "adaptive_max_pool1d")


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """2-D adaptive max pooling, windows as `adaptive_avg_pool2d`.

    Parameters
    ----------
    input : Tensor, shape (N, C, H, W) or (C, H, W)
    output_size : int or tuple of 2 (int or None)
    return_indices : bool
        Also return flat positions ``h * W + w`` of the maxima.

    Returns
    -------
    Tensor, shape (N, C, H_out, W_out) or (C, H_out, W_out)
    Tensor of int64, same shape
        Only when `return_indices` is true.

    Raises
    ------
    TypeError, ValueError
        As `adaptive_avg_pool1d`.
    """
    return _adaptive_max_poolnd(input, output_size, return_indices, 2,
                                "adaptive_max_pool2d")


# ----------------------------------------------------- fractional pooling

def _fractional_starts(sample, size, out, k):
    """Window starts of Graham's pseudo-random sequence, as torch's CPU.

    Parameters
    ----------
    sample : Tensor, shape (N, C), values in [0, 1)

    Returns
    -------
    Tensor of int64, shape (N, C, out)
    """
    last = torch.full(tuple(sample.shape) + (1,), size - k)
    if out == 1:
        return last
    dtype = sample.dtype
    alpha = (torch.tensor(size - k, dtype=dtype)
             / torch.tensor(out - 1, dtype=dtype))
    steps = torch.arange(out - 1, dtype=dtype)
    first = ((steps + sample[..., None]) * alpha).trunc().long()
    offset = (sample * alpha).trunc().long()[..., None]
    return torch.cat([first - offset, last], dim=-1)


def _fractional_samples(samples, x, fn):
    """The (N, C, 2) samples in [0, 1): given, or drawn with torch.rand."""
    shape = tuple(x.shape[:2]) + (2,)
    if samples is None:
        return torch.rand(shape, dtype=x.dtype)
    _check_tensor(samples, "_random_samples", fn)
    _args.check_samples(fn, tuple(samples.shape), tuple(x.shape))
    return samples.to(x.dtype)


def fractional_max_pool2d(input, kernel_size, output_size=None,
                          output_ratio=None, return_indices=False,
                          _random_samples=None):
    """Fractional max pooling (Graham 2014), as torch's.

    Pseudo-random, overlapping windows of size `kernel_size` whose starts
    advance by about ``(H - kH) / (H_out - 1)``; the last window ends at
    the input's edge. The sequence is fixed by one number in [0, 1) per
    plane and axis.

    Parameters
    ----------
    input : Tensor, shape (N, C, H, W) or (C, H, W)
    kernel_size : int or tuple of 2 ints
    output_size : int or tuple of 2 ints, optional
    output_ratio : float or tuple of 2 floats, optional
        Used when `output_size` is not given: ``int(H * ratio)``.
    return_indices : bool
        Also return flat positions ``h * W + w`` of the maxima.
    _random_samples : Tensor, shape (N, C, 2), optional
        ``[..., 0]`` drives the W axis and ``[..., 1]`` the H axis. An
        unbatched input takes shape (1, C, 2). Drawn when None.

    Returns
    -------
    Tensor, shape (N, C, H_out, W_out) or (C, H_out, W_out)
    Tensor of int64, same shape
        Only when `return_indices` is true.

    Raises
    ------
    TypeError, ValueError
        On wrong types or shapes, neither output size nor ratio, or an
        output too large for the kernel.
    """
    fn = "fractional_max_pool2d"
    x, unbatched = _batched(input, 2, fn)
    _args.check_bool(return_indices, "return_indices", fn)
    _, kernel, sizes = _args.fractional_args(
        fn, tuple(input.shape), kernel_size, output_size, output_ratio)
    spatial = tuple(x.shape[2:])
    samples = _fractional_samples(_random_samples, x, fn)
    index = [_fractional_starts(samples[..., 1 - axis], m, out, k)[..., None]
             + torch.arange(k)
             for axis, (m, out, k) in enumerate(zip(spatial, sizes, kernel))]
    values, indices = _gathered_max(x, index)
    if not return_indices:
        return _strip((values,), unbatched)[0]
    return _strip((values, indices), unbatched)
