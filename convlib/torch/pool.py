"""Sliding-window pooling in PyTorch, built from tensor primitives.

Max, average and LP pooling take every window as a strided view of the
padded input (the helper convolution uses too) and reduce it with
`max` or `sum`. Max pooling's indices are flat positions in the
unpadded input plane, ties going to the first maximum as in torch.
Unpooling, adaptive and fractional pooling live in
`convlib.torch.adaptive_pool`, blur pooling in `convlib.torch.blur_pool`;
both are re-exported here. Nothing here
calls a ``torch.nn.functional`` pooling op.
"""
import math

import torch

from .. import _args
from ._common import (_axis_view, _batched, _check_tensor, _flat_index,
                      _lowest, _pool_windows, _strip, _unravel)
from .activations import relu
from .adaptive_pool import *  # noqa: F401,F403
from .adaptive_pool import __all__ as _adaptive_all
from .blur_pool import *  # noqa: F401,F403
from .blur_pool import __all__ as _blur_all

__all__ = [
    "max_pool1d", "max_pool2d", "max_pool3d",
    "avg_pool1d", "avg_pool2d", "avg_pool3d",
    "lp_pool1d", "lp_pool2d",
] + _adaptive_all + _blur_all


# ------------------------------------------------------------ max pooling

def _max_poolnd(input, kernel_size, stride, padding, dilation, ceil_mode,
                return_indices, n, fn):
    """Max pooling over the trailing n axes; indices as torch's."""
    x, unbatched = _batched(input, n, fn)
    a = _args.max_pool_args(fn, n, tuple(input.shape), kernel_size,
                            stride, padding, dilation, ceil_mode,
                            return_indices)
    win = _pool_windows(x, a.kernel, a.stride, a.padding, a.dilation,
                        a.out, _lowest(x.dtype))
    values, arg = win.reshape(tuple(win.shape[:2 + n]) + (-1,)).max(-1)
    if not return_indices:
        return _strip((values,), unbatched)[0]
    return _strip((values, _max_indices(values, arg, a, x.shape[2:])),
                  unbatched)


def _max_indices(values, arg, a, spatial):
    """Flat input index of each maximum from its place `arg` in the
    window; where the maximum is -inf (nothing beat the padding), the
    window's first position at or after 0, as torch reports it."""
    n = len(spatial)
    starts = [_axis_view(torch.arange(o) * s - p, axis, n) for axis,
              (o, s, p) in enumerate(zip(a.out, a.stride, a.padding))]
    coords = [start + k_i * d for start, k_i, d in zip(
        starts, _unravel(arg, a.kernel), a.dilation)]
    # `convlib._args.first_inside`, on tensors
    first = [start - torch.div(torch.clamp(start, max=0), d,
                               rounding_mode="floor") * d
             for start, d in zip(starts, a.dilation)]
    flat = _flat_index(coords, tuple(spatial))
    return torch.where(values == float("-inf"),
                       _flat_index(first, tuple(spatial)), flat)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode=False, return_indices=False):
    """1-D max pooling, as `torch.nn.functional.max_pool1d`.

    Parameters
    ----------
    input : Tensor, shape (N, C, L) or (C, L)
    kernel_size : int or tuple of 1 int
    stride : int or tuple of 1 int, optional
        Defaults to `kernel_size`.
    padding : int or tuple of 1 int
        Implicit -inf padding, at most half of `kernel_size`.
    dilation : int or tuple of 1 int
    ceil_mode : bool
        Round the output size up (a last window may start inside the
        input or the left padding, never in the right padding).
    return_indices : bool
        Also return the flat position of each maximum in its (L,) plane;
        ties go to the first maximum in window order, as in torch.

    Returns
    -------
    Tensor, shape (N, C, L_out) or (C, L_out)
        `L_out` is `convlib.shapes.pool_output_size`.
    Tensor of int64, same shape
        The indices, only when `return_indices` is true.

    Raises
    ------
    TypeError, ValueError
        On wrong types, dimensions, padding or a kernel larger than the
        padded input.
    """
    return _max_poolnd(input, kernel_size, stride, padding, dilation,
                       ceil_mode, return_indices, 1, "max_pool1d")


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode=False, return_indices=False):
    """2-D max pooling, as `torch.nn.functional.max_pool2d`.

    Parameters
    ----------
    input : Tensor, shape (N, C, H, W) or (C, H, W)
    kernel_size, stride, padding, dilation : int or tuple of 2 ints
        As `max_pool1d`, per axis.
    ceil_mode, return_indices : bool
        As `max_pool1d`; indices are flat positions ``h * W + w``.

    Returns
    -------
    Tensor, shape (N, C, H_out, W_out) or (C, H_out, W_out)
    Tensor of int64, same shape
        Only when `return_indices` is true.

    Raises
    ------
    TypeError, ValueError
        As `max_pool1d`.

    Examples
    --------
    >>> x = torch.arange(16.).reshape(1, 1, 4, 4)
    >>> max_pool2d(x, 2)
    tensor([[[[ 5.,  7.],
              [13., 15.]]]])
    """
    return _max_poolnd(input, kernel_size, stride, padding, dilation,
                       ceil_mode, return_indices, 2, "max_pool2d")


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode=False, return_indices=False):
    """3-D max pooling, as `torch.nn.functional.max_pool3d`.

    Parameters
    ----------
    input : Tensor, shape (N, C, D, H, W) or (C, D, H, W)
    kernel_size, stride, padding, dilation : int or tuple of 3 ints
    ceil_mode, return_indices : bool
        As `max_pool1d`; indices are ``(d * H + h) * W + w``.

    Returns
    -------
    Tensor, shape (N, C, D_out, H_out, W_out), or without N
    Tensor of int64, same shape
        Only when `return_indices` is true.

    Raises
    ------
    TypeError, ValueError
        As `max_pool1d`.
    """
    return _max_poolnd(input, kernel_size, stride, padding, dilation,
                       ceil_mode, return_indices, 3, "max_pool3d")


# -------------------------------------------------------- average pooling

def _avg_divisor(spatial, a, count_include_pad, dtype):
    """Per-window divisor, shape (*out), as torch counts it."""
    n = len(spatial)
    divisor = torch.ones((), dtype=dtype)
    for axis, args in enumerate(zip(spatial, a.out, a.kernel, a.stride,
                                    a.padding)):
        counts = torch.tensor(_args.window_counts(*args,
                                                  count_include_pad))
        divisor = divisor * _axis_view(counts, axis, n)[0, 0]
    return divisor


def _avg_poolnd(input, kernel_size, stride, padding, ceil_mode,
                count_include_pad, divisor_override, n, fn):
    """Average pooling over the trailing n axes."""
    x, unbatched = _batched(input, n, fn)
    a, include = _args.avg_pool_args(
        fn, n, tuple(input.shape), kernel_size, stride, padding, ceil_mode,
        count_include_pad, divisor_override)
    win = _pool_windows(x, a.kernel, a.stride, a.padding, a.dilation,
                        a.out, 0.0)
    total = win.sum(dim=tuple(range(-n, 0)))
    divisor = divisor_override
    if divisor is None:
        divisor = _avg_divisor(tuple(x.shape[2:]), a, include, x.dtype)
    return _strip((total / divisor,), unbatched)[0]


def avg_pool1d(input, kernel_size, stride=None, padding=0,
               ceil_mode=False, count_include_pad=True):
    """1-D average pooling, as `torch.nn.functional.avg_pool1d`.

    Parameters
    ----------
    input : Tensor, shape (N, C, L) or (C, L)
    kernel_size : int or tuple of 1 int
    stride : int or tuple of 1 int, optional
        Defaults to `kernel_size`.
    padding : int or tuple of 1 int
        Implicit zero padding, at most half of `kernel_size`.
    ceil_mode : bool
        Round the output size up, as `max_pool1d`.
    count_include_pad : bool
        Divide by the window size clipped to the padded input (True) or
        by the number of real input elements in the window (False).

    Returns
    -------
    Tensor, shape (N, C, L_out) or (C, L_out)
        `L_out` is `convlib.shapes.pool_output_size`.

    Raises
    ------
    TypeError, ValueError
        On wrong types, dimensions, padding or a kernel larger than the
        padded input.
    """
    return _avg_poolnd(input, kernel_size, stride, padding, ceil_mode,
                       count_include_pad, None, 1, "avg_pool1d")


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """2-D average pooling, as `torch.nn.functional.avg_pool2d`.

    Parameters
    ----------
    input : Tensor, shape (N, C, H, W) or (C, H, W)
    kernel_size, stride, padding : int or tuple of 2 ints
    ceil_mode, count_include_pad : bool
        As `avg_pool1d`.
    divisor_override : int, optional
        Divide every window sum by this instead.

    Returns
    -------
    Tensor, shape (N, C, H_out, W_out) or (C, H_out, W_out)

    Raises
    ------
    TypeError, ValueError
        As `avg_pool1d`, and for a divisor_override below 1.
    """
    return _avg_poolnd(input, kernel_size, stride, padding, ceil_mode,
                       count_include_pad, divisor_override, 2,
                       "avg_pool2d")


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """3-D average pooling, as `torch.nn.functional.avg_pool3d`.

    Parameters
    ----------
    input : Tensor, shape (N, C, D, H, W) or (C, D, H, W)
    kernel_size, stride, padding : int or tuple of 3 ints
    ceil_mode, count_include_pad : bool
    divisor_override : int, optional

    Returns
    -------
    Tensor, shape (N, C, D_out, H_out, W_out), or without N

    Raises
    ------
    TypeError, ValueError
        As `avg_pool2d`.
    """
    return _avg_poolnd(input, kernel_size, stride, padding, ceil_mode,
                       count_include_pad, divisor_override, 3,
                       "avg_pool3d")


# ------------------------------------------------------------- LP pooling

def _lp_poolnd(input, norm_type, kernel_size, stride, ceil_mode, n, fn):
    """Power-average pooling, the same expression torch evaluates."""
    norm_type = _args.check_norm(fn, norm_type)
    if norm_type == math.inf:
        return _max_poolnd(_check_tensor(input, "input", fn).abs(),
                           kernel_size, stride, 0, 1, ceil_mode, False, n,
                           fn)
    if norm_type == -math.inf:
        return -_max_poolnd(-_check_tensor(input, "input", fn).abs(),
                            kernel_size, stride, 0, 1, ceil_mode, False,
                            n, fn)
    out = _avg_poolnd(_check_tensor(input, "input", fn).pow(norm_type),
                      kernel_size, stride, 0, ceil_mode, True, None, n, fn)
    window = math.prod(_args.ntuple(kernel_size, n, "kernel_size", fn))
    return (torch.sign(out) * relu(torch.abs(out))).mul(window).pow(
        1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """1-D power-average pooling: ``(sum x ** p) ** (1 / p)`` per window.

    Parameters
    ----------
    input : Tensor, shape (N, C, L) or (C, L)
    norm_type : float
        The power p; ``inf`` gives max pooling of ``|x|``. Like torch,
        ``x ** p`` is not ``|x| ** p``: odd p with negative sums gives
        nan.
    kernel_size : int or tuple of 1 int
    stride : int or tuple of 1 int, optional
        Defaults to `kernel_size`.
    ceil_mode : bool
        As `avg_pool1d` (a clipped last window is scaled as if full).

    Returns
    -------
    Tensor, shape (N, C, L_out) or (C, L_out)

    Raises
    ------
    TypeError, ValueError
        As `avg_pool1d`, and for a norm_type of 0.
    """
    return _lp_poolnd(input, norm_type, kernel_size, stride, ceil_mode, 1,
                      "lp_pool1d")


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """2-D power-average pooling: ``(sum x ** p) ** (1 / p)`` per window.

    Parameters
    ----------
    input : Tensor, shape (N, C, H, W) or (C, H, W)
    norm_type : float
        As `lp_pool1d`.
    kernel_size, stride : int or tuple of 2 ints
    ceil_mode : bool

    Returns
    -------
    Tensor, shape (N, C, H_out, W_out) or (C, H_out, W_out)

    Raises
    ------
    TypeError, ValueError
        As `lp_pool1d`.
    """
    return _lp_poolnd(input, norm_type, kernel_size, stride, ceil_mode, 2,
                      "lp_pool2d")
