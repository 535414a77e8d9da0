"""Sliding-window pooling in PyTorch, built from tensor primitives.

Max, average and LP pooling take every window as a strided view of the
padded input (the helper convolution uses too) and reduce it with
`max` or `sum`. Max pooling's indices are flat positions in the
unpadded input plane, ties going to the first maximum as in torch.
Unpooling, adaptive and fractional pooling live in
`convlib.torch.adaptive_pool` and are re-exported here. Nothing here
calls a ``torch.nn.functional`` pooling op.
"""
import math

import torch

from .._util import check_positive_int, ntuple
from ._common import (_axis_view, _batched, _check_tensor,
                      _check_windows_touch_input, _flat_index, _lowest,
                      _pool_out_sizes, _pool_params, _pool_windows, _strip,
                      _unravel)
from .activations import relu
from .adaptive_pool import *  # noqa: F401,F403
from .adaptive_pool import __all__ as _adaptive_all

__all__ = [
    "max_pool1d", "max_pool2d", "max_pool3d",
    "avg_pool1d", "avg_pool2d", "avg_pool3d",
    "lp_pool1d", "lp_pool2d",
] + _adaptive_all


# ------------------------------------------------------------ max pooling

def _max_poolnd(input, kernel_size, stride, padding, dilation, ceil_mode,
                return_indices, n, fn):
    """Max pooling over the trailing n axes; indices as torch's."""
    x, unbatched = _batched(input, n, fn)
    kernel, stride, padding, dilation = _pool_params(
        kernel_size, stride, padding, dilation, n, fn)
    spatial = tuple(x.shape[2:])
    out_sizes = _pool_out_sizes(spatial, kernel, stride, padding, dilation,
                                ceil_mode, fn)
    _check_windows_touch_input(spatial, kernel, stride, padding, dilation,
                               out_sizes, fn)
    win = _pool_windows(x, kernel, stride, padding, dilation, out_sizes,
                        _lowest(x.dtype))
    values, arg = win.reshape(tuple(win.shape[:2 + n]) + (-1,)).max(-1)
    if not return_indices:
        return _strip((values,), unbatched)[0]
    coords = [
        _axis_view(torch.arange(o) * s - p, axis, n) + k_i * d
        for axis, (k_i, o, s, p, d) in enumerate(zip(
            _unravel(arg, kernel), out_sizes, stride, padding, dilation))]
    return _strip((values, _flat_index(coords, spatial)), unbatched)


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

def _avg_divisor(spatial, kernel, stride, padding, out_sizes,
                 count_include_pad, dtype):
    """Per-window divisor, shape (*out_sizes), as torch counts it."""
    n = len(spatial)
    divisor = torch.ones((), dtype=dtype)
    for axis, (size, k, s, p, out) in enumerate(zip(
            spatial, kernel, stride, padding, out_sizes)):
        start = torch.arange(out) * s - p
        end = torch.clamp(start + k, max=size + p)
        if not count_include_pad:
            start = torch.clamp(start, min=0)
            end = torch.clamp(end, max=size)
        divisor = divisor * _axis_view(end - start, axis, n)[0, 0]
    return divisor


def _avg_poolnd(input, kernel_size, stride, padding, ceil_mode,
                count_include_pad, divisor_override, n, fn):
    """Average pooling over the trailing n axes."""
    x, unbatched = _batched(input, n, fn)
    kernel, stride, padding, _ = _pool_params(
        kernel_size, stride, padding, 1, n, fn)
    ones = (1,) * n
    spatial = tuple(x.shape[2:])
    out_sizes = _pool_out_sizes(spatial, kernel, stride, padding, ones,
                                ceil_mode, fn)
    win = _pool_windows(x, kernel, stride, padding, ones, out_sizes, 0.0)
    total = win.sum(dim=tuple(range(-n, 0)))
    if divisor_override is not None:
        divisor = check_positive_int(divisor_override, "divisor_override",
                                     fn)
    else:
        divisor = _avg_divisor(spatial, kernel, stride, padding, out_sizes,
                               count_include_pad, x.dtype)
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
    if norm_type == math.inf:
        return _max_poolnd(_check_tensor(input, "input", fn).abs(),
                           kernel_size, stride, 0, 1, ceil_mode, False, n,
                           fn)
    if norm_type == -math.inf:
        return -_max_poolnd(-_check_tensor(input, "input", fn).abs(),
                            kernel_size, stride, 0, 1, ceil_mode, False,
                            n, fn)
    if isinstance(norm_type, bool) or not isinstance(norm_type,
                                                     (int, float)):
        raise TypeError(
            f"{fn}: norm_type must be a number, got {norm_type!r}")
    if norm_type == 0:
        raise ValueError(f"{fn}: norm_type must be non-zero, got 0")
    out = _avg_poolnd(_check_tensor(input, "input", fn).pow(norm_type),
                      kernel_size, stride, 0, ceil_mode, True, None, n, fn)
    window = math.prod(ntuple(kernel_size, n, "kernel_size", fn))
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
