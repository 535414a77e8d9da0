"""Adaptive and fractional pooling in NumPy, as torch.

Adaptive pooling picks window i of n over an input of size L as
``[floor(i L / n), ceil((i + 1) L / n))``; the windows differ in size,
so they are not one strided view. Adaptive average pooling is then a
product of small averaging matrices, one per dimension (the mean over
a box is the mean of means along each axis). Adaptive and fractional
max pooling gather the windows' entries one dimension at a time (short
windows padded to the longest by repeating their last entry) and keep
torch's winner exactly as `max_pool2d` does.
"""

import numpy as np

from .. import _args
from . import _pool_common as _pc

__all__ = [
    "adaptive_avg_pool1d", "adaptive_avg_pool1d_backward",
    "adaptive_avg_pool2d", "adaptive_avg_pool2d_backward",
    "adaptive_max_pool1d", "adaptive_max_pool1d_backward",
    "adaptive_max_pool2d", "adaptive_max_pool2d_backward",
    "fractional_max_pool2d", "fractional_max_pool2d_backward",
]

_ADAPTIVE_DOC = """Adaptive {kind} pooling, as torch's ``{name}``.

Window i of n along a dimension of size L covers
``[floor(i L / n), ceil((i + 1) L / n))``.

Parameters
----------
input : ndarray, shape (N, C, {sp}) or (C, {sp})
output_size : int or tuple of {n} (int or None)
    Output spatial size; None keeps that input size.{extra}

Returns
-------
output : ndarray, shape (N, C, {out}) or (C, {out}){returns}

Raises
------
TypeError, ValueError
    Wrong ndim, empty input, output_size not positive ints.
"""

_INDICES_PARAM = """
return_indices : bool
    Also return the flat index of each maximum in its input plane."""

_INDICES_RETURN = """
indices : ndarray of int64, same shape (only with `return_indices`)
    Ties: the first maximum in window order; NaN wins (the last NaN)."""

_GRAD_INPUT = "grad_input : ndarray, shape of `input`"


def _bounds(size, out):
    """Start and end (exclusive) of the adaptive windows along a dim."""
    i = np.arange(out)
    return i * size // out, -(-(i + 1) * size // out)


def _mean_matrix(size, out, dtype):
    """(out, size) matrix whose row i averages adaptive window i."""
    start, end = _bounds(size, out)
    j = np.arange(size)
    inside = (j >= start[:, None]) & (j < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


def _along(x, matrices):
    """Apply matrices[d] (out_d, size_d) along spatial axis d.

    Each product is a stack of small matrix multiplies over a reshaped
    view, the last axis first; along the last axis each takes a group
    of (n, c) planes (`_group`). Small products run single-threaded in
    OpenBLAS; one large 2-D product over all planes would be threaded,
    and on a busy machine its threads wait for one another for
    milliseconds.

    Parameters
    ----------
    x : ndarray, shape (N, C, *spatial)

    Returns
    -------
    ndarray, shape (N, C, *out)
    """
    lead, spatial = x.shape[:2], list(x.shape[2:])
    for d in reversed(range(len(matrices))):
        matrix = matrices[d]
        before = int(np.prod(lead + tuple(spatial[:d])))
        after = int(np.prod(spatial[d + 1:]))
        if after == 1:
            planes = lead[0] * lead[1]
            rows = before // max(planes, 1)
            group = _group(planes, rows * matrix.size)
            x = np.matmul(x.reshape(planes // group, group * rows,
                                    spatial[d]), matrix.T)
        else:
            x = np.matmul(matrix, x.reshape(before, spatial[d], after))
        spatial[d] = matrix.shape[0]
    return x.reshape(lead + tuple(spatial))


# Multiply-adds of one small product in `_along`; OpenBLAS runs a
# product of fewer than about 2 ** 18 on one thread.
SMALL_PRODUCT = 1 << 17


def _group(planes, per_plane):
    """Planes per product: the largest divisor of `planes` (at least 1)
    whose products stay under `SMALL_PRODUCT` multiply-adds."""
    limit = max(1, SMALL_PRODUCT // max(per_plane, 1))
    return next((g for g in range(min(planes, limit), 0, -1)
                 if planes % g == 0), 1)


def _adaptive_avg(fn, n, input, output_size):
    x, unbatched = _pc._batched(input, n, fn)
    out = _args.adaptive_size(fn, output_size, x.shape[2:])
    matrices = [_mean_matrix(size, o, x.dtype)
                for size, o in zip(x.shape[2:], out)]
    return x, unbatched, out, matrices


def _adaptive_avg_forward(fn, n, input, output_size):
    x, unbatched, _, matrices = _adaptive_avg(fn, n, input, output_size)
    return _pc._unbatch(_along(x, matrices), unbatched)


def _adaptive_avg_backward(fn, n, grad_output, input, output_size):
    x, unbatched, out, matrices = _adaptive_avg(fn, n, input, output_size)
    grad = _pc._check_grad(grad_output, x.shape[int(unbatched):2] + out,
                           x.dtype, fn)
    grad = grad[None] if unbatched else grad
    return _pc._unbatch(_along(grad, [m.T for m in matrices]), unbatched)


def _adaptive_max(fn, n, input, output_size):
    x, unbatched = _pc._batched(input, n, fn)
    out = _args.adaptive_size(fn, output_size, x.shape[2:])
    positions = []
    for size, o in zip(x.shape[2:], out):
        start, end = _bounds(size, o)
        span = np.arange((end - start).max())
        positions.append(np.minimum(start[:, None] + span,
                                    end[:, None] - 1))
    return (x, unbatched) + _pc._gather_max(x, positions)


def _adaptive_max_forward(fn, n, input, output_size, return_indices):
    return_indices = _args.check_bool(return_indices, "return_indices", fn)
    _, unbatched, values, indices = _adaptive_max(fn, n, input,
                                                  output_size)
    values = _pc._unbatch(values, unbatched)
    if return_indices:
        return values, _pc._unbatch(indices, unbatched)
    return values


def _adaptive_max_backward(fn, n, grad_output, input, output_size,
                           return_indices):
    _args.check_bool(return_indices, "return_indices", fn)
    x, unbatched, values, indices = _adaptive_max(fn, n, input,
                                                  output_size)
    grad = _pc._check_grad(grad_output, _pc._unbatch(values, unbatched)
                           .shape, x.dtype, fn)
    grad = grad[None] if unbatched else grad
    grad_input = np.empty(x.shape, x.dtype)
    _pc._scatter_planes(grad, indices, grad_input)
    return _pc._unbatch(grad_input, unbatched)


@_pc._with_doc(_ADAPTIVE_DOC, kind="average", name="adaptive_avg_pool1d",
               n=1, sp=_pc.SPATIAL[1], out=_pc.OUT_SPATIAL[1], extra="",
               returns="")
def adaptive_avg_pool1d(input, output_size):
    return _adaptive_avg_forward("adaptive_avg_pool1d", 1, input,
                                 output_size)


@_pc._with_doc(_ADAPTIVE_DOC, kind="average", name="adaptive_avg_pool2d",
               n=2, sp=_pc.SPATIAL[2], out=_pc.OUT_SPATIAL[2], extra="",
               returns="")
def adaptive_avg_pool2d(input, output_size):
    return _adaptive_avg_forward("adaptive_avg_pool2d", 2, input,
                                 output_size)


@_pc._with_doc(_ADAPTIVE_DOC, kind="max", name="adaptive_max_pool1d",
               n=1, sp=_pc.SPATIAL[1], out=_pc.OUT_SPATIAL[1],
               extra=_INDICES_PARAM, returns=_INDICES_RETURN)
def adaptive_max_pool1d(input, output_size, return_indices=False):
    return _adaptive_max_forward("adaptive_max_pool1d", 1, input,
                                 output_size, return_indices)


@_pc._with_doc(_ADAPTIVE_DOC, kind="max", name="adaptive_max_pool2d",
               n=2, sp=_pc.SPATIAL[2], out=_pc.OUT_SPATIAL[2],
               extra=_INDICES_PARAM, returns=_INDICES_RETURN)
def adaptive_max_pool2d(input, output_size, return_indices=False):
    return _adaptive_max_forward("adaptive_max_pool2d", 2, input,
                                 output_size, return_indices)


@_pc._with_doc(_pc.BACKWARD_DOC, name="adaptive_avg_pool1d",
               returns=_GRAD_INPUT)
def adaptive_avg_pool1d_backward(grad_output, input, output_size):
    return _adaptive_avg_backward("adaptive_avg_pool1d_backward", 1,
                                  grad_output, input, output_size)


@_pc._with_doc(_pc.BACKWARD_DOC, name="adaptive_avg_pool2d",
               returns=_GRAD_INPUT)
def adaptive_avg_pool2d_backward(grad_output, input, output_size):
    return _adaptive_avg_backward("adaptive_avg_pool2d_backward", 2,
                                  grad_output, input, output_size)


@_pc._with_doc(_pc.BACKWARD_DOC, name="adaptive_max_pool1d",
               returns=_GRAD_INPUT)
def adaptive_max_pool1d_backward(grad_output, input, output_size,
                                 return_indices=False):
    return _adaptive_max_backward("adaptive_max_pool1d_backward", 1,
                                  grad_output, input, output_size,
                                  return_indices)


@_pc._with_doc(_pc.BACKWARD_DOC, name="adaptive_max_pool2d",
               returns=_GRAD_INPUT)
def adaptive_max_pool2d_backward(grad_output, input, output_size,
                                 return_indices=False):
    return _adaptive_max_backward("adaptive_max_pool2d_backward", 2,
                                  grad_output, input, output_size,
                                  return_indices)


def _samples(fn, random_samples, x):
    """_random_samples as (N, C, 2) of x's dtype; drawn when None."""
    shape = x.shape[:2] + (2,)
    if random_samples is None:
        return np.random.default_rng().random(shape).astype(x.dtype)
    samples = _args.check_array(random_samples, "_random_samples", fn)
    _args.check_samples(fn, samples.shape, x.shape)
    return samples.astype(x.dtype, copy=False)


def _intervals(sample, size, out, k):
    """Window starts of fractional pooling, torch's sequence exactly.

    ``start_i = int((i + u) alpha) - int(u alpha)`` with
    ``alpha = (size - k) / (out - 1)`` in the input's float type, and
    the last window at ``size - k``. `sample` u has shape (N, C);
    returns int64 of shape (N, C, out).
    """
    starts = np.empty(sample.shape + (out,), dtype=np.int64)
    if out > 1:
        real = sample.dtype.type
        alpha = real(size - k) / real(out - 1)
        i = np.arange(out - 1, dtype=sample.dtype)
        starts[..., :-1] = (((i + sample[..., None]) * alpha)
                            .astype(np.int64)
                            - (sample * alpha).astype(np.int64)[..., None])
    starts[..., -1] = size - k
    return starts


def _fractional(fn, input, kernel_size, output_size, output_ratio,
                random_samples):
    x = _args.check_array(input, "input", fn, ndims=(3, 4))
    batched, kernel, out = _args.fractional_args(
        fn, x.shape, kernel_size, output_size, output_ratio)
    x, unbatched = (x if batched else x[None]), not batched
    samples = _samples(fn, random_samples, x)
    positions = [
        _intervals(samples[..., 1 - d], size, o, k)[..., None]
        + np.arange(k)
        for d, (size, o, k) in enumerate(zip(x.shape[2:], out, kernel))]
    return (x, unbatched) + _pc._gather_max(x, positions)


def fractional_max_pool2d(input, kernel_size, output_size=None,
                          output_ratio=None, return_indices=False,
                          _random_samples=None):
    """Fractional max pooling (Graham 2014), as torch's.

    Windows of `kernel_size` start at pseudo-random, increasing
    positions (`_intervals`), so the output shrinks by a non-integer
    ratio; the windows may overlap. Not an interpolation.

    Parameters
    ----------
    input : ndarray, shape (N, C, H, W) or (C, H, W)
    kernel_size : int or tuple of 2 ints
    output_size : int or tuple of 2 ints, optional
        (H_out, W_out); takes precedence over `output_ratio`.
    output_ratio : float or tuple of 2 floats, optional
        Output size ``int(H * ratio_h), int(W * ratio_w)``.
    return_indices : bool
        Also return the flat index of each maximum in its input plane.
    _random_samples : ndarray, shape (N, C, 2), optional
        One sample in [0, 1) per plane for W (``[..., 0]``) and H
        (``[..., 1]``); the same samples give torch's windows. Drawn
        at random when None (N = 1 for unbatched input).

    Returns
    -------
    output : ndarray, shape (N, C, H_out, W_out) or (C, H_out, W_out)
    indices : ndarray of int64, same shape (only with `return_indices`)

    Raises
    ------
    TypeError, ValueError
        Bad sizes, neither size nor ratio, a kernel that does not fit
        (``H_out + kH - 1 > H``), samples of the wrong shape.
    """
    fn = "fractional_max_pool2d"
    return_indices = _args.check_bool(return_indices, "return_indices", fn)
    _, unbatched, values, indices = _fractional(
        fn, input, kernel_size, output_size, output_ratio, _random_samples)
    values = _pc._unbatch(values, unbatched)
    if return_indices:
        return values, _pc._unbatch(indices, unbatched)
    return values


@_pc._with_doc(_pc.BACKWARD_DOC, name="fractional_max_pool2d",
               returns=_GRAD_INPUT, note="""
    `_random_samples` is required: without it the windows cannot be
    reproduced. It is a parameter, not differentiated.""")
def fractional_max_pool2d_backward(grad_output, input, kernel_size,
                                   output_size=None, output_ratio=None,
                                   return_indices=False,
                                   _random_samples=None):
    fn = "fractional_max_pool2d_backward"
    _args.check_bool(return_indices, "return_indices", fn)
    if _random_samples is None:
        raise ValueError(
            f"{fn}: _random_samples must be the array the forward used, "
            f"got None")
    x, unbatched, values, indices = _fractional(
        fn, input, kernel_size, output_size, output_ratio, _random_samples)
    grad = _pc._check_grad(grad_output, _pc._unbatch(values, unbatched)
                           .shape, x.dtype, fn)
    grad = grad[None] if unbatched else grad
    grad_input = np.empty(x.shape, x.dtype)
    _pc._scatter_planes(grad, indices, grad_input)
    return _pc._unbatch(grad_input, unbatched)
