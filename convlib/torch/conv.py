"""Convolutions in PyTorch, built from tensor primitives.

Every convolution here is the same three steps: pad the input
(`torch.nn.functional.pad`), take every window as a strided view
(`Tensor.unfold`), and multiply-sum the windows with the kernel
(`torch.einsum`). A transposed convolution is the adjoint of a
convolution: spread the input with zeros (the stride), pad it, and
correlate with the flipped, channel-swapped kernel. Autograd derives every
gradient; nothing here calls ``torch.nn.functional.conv*``.
"""
import torch

from .. import _args
from ._common import _add_bias, _batched, _pad, _shape, _windows

__all__ = [
    "conv1d", "conv2d", "conv3d",
    "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "depthwise_separable_conv2d", "spatially_separable_conv2d",
]

_OUT_LETTERS = "xyz"
_KERNEL_LETTERS = "uvw"


# ----------------------------------------------------------- convolution

def _grouped_correlate(windows, weight, groups):
    """Multiply-sum windows with a grouped kernel.

    Parameters
    ----------
    windows : Tensor, shape (N, C_in, *out, *k)
    weight : Tensor, shape (C_out, C_in/groups, *k)

    Returns
    -------
    Tensor, shape (N, C_out, *out)
    """
    n = weight.dim() - 2
    batch, c_in = windows.shape[:2]
    out_shape = tuple(windows.shape[2:2 + n])
    win = windows.reshape(
        (batch, groups, c_in // groups) + tuple(windows.shape[2:]))
    ker = weight.reshape(
        (groups, weight.shape[0] // groups) + tuple(weight.shape[1:]))
    o, k = _OUT_LETTERS[:n], _KERNEL_LETTERS[:n]
    out = torch.einsum(f"ngc{o}{k},gdc{k}->ngd{o}", win, ker)
    return out.reshape((batch, weight.shape[0]) + out_shape)


def _convnd(input, weight, bias, stride, padding, dilation, groups, n,
            fn):
    """N-d convolution (cross-correlation) shared by conv1d/2d/3d."""
    x, unbatched = _batched(input, n, fn)
    a = _args.conv_args(fn, n, _shape(input), _shape(weight, "weight", fn),
                        _shape(bias, "bias", fn), stride, padding,
                        dilation, groups)
    windows = _windows(_pad(x, a.pads), a.kernel, a.stride, a.dilation)
    out = _add_bias(_grouped_correlate(windows, weight, a.groups), bias, n)
    return out[0] if unbatched else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1,
           groups=1):
    """1-D convolution (cross-correlation), as `torch.nn.functional`.

    Parameters
    ----------
    input : Tensor, shape (N, C_in, L) or (C_in, L)
    weight : Tensor, shape (C_out, C_in / groups, kL)
    bias : Tensor, shape (C_out,), optional
    stride, dilation : int or tuple of 1 int
    padding : int, tuple of 1 int, 'same' or 'valid'
        Zero padding on both sides; 'same' (stride 1 only) puts the odd
        extra element on the right, as torch does.
    groups : int
        Split the channels into this many independent convolutions.

    Returns
    -------
    Tensor, shape (N, C_out, L_out) or (C_out, L_out)
        `L_out` is `convlib.shapes.conv_output_size`.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        On wrong dimensions, channels not divisible by `groups`, a bias
        of the wrong size, or a kernel larger than the padded input.
    """
    return _convnd(input, weight, bias, stride, padding, dilation, groups,
                   1, "conv1d")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1,
           groups=1):
    """2-D convolution (cross-correlation), as `torch.nn.functional`.

    Parameters
    ----------
    input : Tensor, shape (N, C_in, H, W) or (C_in, H, W)
    weight : Tensor, shape (C_out, C_in / groups, kH, kW)
    bias : Tensor, shape (C_out,), optional
    stride, dilation : int or tuple of 2 ints
    padding : int, tuple of 2 ints, 'same' or 'valid'
    groups : int

    Returns
    -------
    Tensor, shape (N, C_out, H_out, W_out) or (C_out, H_out, W_out)
        Each size is `convlib.shapes.conv_output_size`.

    Raises
    ------
    TypeError, ValueError
        As `conv1d`.

    Examples
    --------
    >>> x = torch.ones(1, 1, 4, 4)
    >>> conv2d(x, torch.ones(1, 1, 3, 3), padding=1)[0, 0, 0]
    tensor([4., 6., 6., 4.])
    """
    return _convnd(input, weight, bias, stride, padding, dilation, groups,
                   2, "conv2d")


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1,
           groups=1):
    """3-D convolution (cross-correlation), as `torch.nn.functional`.

    Parameters
    ----------
    input : Tensor, shape (N, C_in, D, H, W) or (C_in, D, H, W)
    weight : Tensor, shape (C_out, C_in / groups, kD, kH, kW)
    bias : Tensor, shape (C_out,), optional
    stride, dilation : int or tuple of 3 ints
    padding : int, tuple of 3 ints, 'same' or 'valid'
    groups : int

    Returns
    -------
    Tensor, shape (N, C_out, D_out, H_out, W_out)
        Or without N for an unbatched input.

    Raises
    ------
    TypeError, ValueError
        As `conv1d`.
    """
    return _convnd(input, weight, bias, stride, padding, dilation, groups,
                   3, "conv3d")


# ------------------------------------------------- transposed convolution

def _dilate(x, stride):
    """Insert stride - 1 zeros between neighbouring spatial elements."""
    if all(s == 1 for s in stride):
        return x
    spatial = tuple(x.shape[2:])
    size = tuple((m - 1) * s + 1 for m, s in zip(spatial, stride))
    out = x.new_zeros(tuple(x.shape[:2]) + size)
    out[(Ellipsis,) + tuple(slice(None, None, s) for s in stride)] = x
    return out


def _flipped_kernel(weight, groups):
    """(C_in, C_out/g, *k) transposed weight -> conv weight.

    Returns
    -------
    Tensor, shape (C_out, C_in / groups, *k)
        Per group, input and output channels swapped and every spatial
        axis reversed.
    """
    n = weight.dim() - 2
    c_in, c_out_g = weight.shape[:2]
    kernel = tuple(weight.shape[2:])
    w = weight.reshape((groups, c_in // groups, c_out_g) + kernel)
    w = w.transpose(1, 2).flip(tuple(range(3, 3 + n)))
    return w.reshape((groups * c_out_g, c_in // groups) + kernel)


def _transpose_pads(a):
    """(before, after) padding of the zero-spread input, per axis: the
    dilated kernel's reach less `padding`, plus `output_padding` after."""
    return [(d * (k - 1) - p, d * (k - 1) - p + op) for k, (p, _), op, d
            in zip(a.kernel, a.pads, a.output_padding, a.dilation)]


def _conv_transposend(input, weight, bias, stride, padding, output_padding,
                      groups, dilation, n, fn):
    """N-d transposed convolution shared by conv_transpose1d/2d/3d."""
    x, unbatched = _batched(input, n, fn)
    a = _args.transpose_args(
        fn, n, _shape(input), _shape(weight, "weight", fn),
        _shape(bias, "bias", fn), stride, padding, output_padding, groups,
        dilation)
    x = _pad(_dilate(x, a.stride), _transpose_pads(a))
    windows = _windows(x, a.kernel, (1,) * n, a.dilation)
    out = _grouped_correlate(windows, _flipped_kernel(weight, a.groups),
                             a.groups)
    out = _add_bias(out, bias, n)
    return out[0] if unbatched else out


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0,
                     output_padding=0, groups=1, dilation=1):
    """1-D transposed convolution, the adjoint of `conv1d`.

    Parameters
    ----------
    input : Tensor, shape (N, C_in, L) or (C_in, L)
    weight : Tensor, shape (C_in, C_out / groups, kL)
    bias : Tensor, shape (C_out,), optional
    stride, padding, dilation : int or tuple of 1 int
        The arguments of the `conv1d` this is the adjoint of.
    output_padding : int or tuple of 1 int
        Extra size added on the right, smaller than stride or dilation.
    groups : int

    Returns
    -------
    Tensor, shape (N, C_out, L_out) or (C_out, L_out)
        `L_out` is `convlib.shapes.conv_transpose_output_size`.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        On wrong dimensions, channels not divisible by `groups`, a bias
        of the wrong size, output_padding too large or an empty output.
    """
    return _conv_transposend(input, weight, bias, stride, padding,
                             output_padding, groups, dilation, 1,
                             "conv_transpose1d")


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0,
                     output_padding=0, groups=1, dilation=1):
    """2-D transposed convolution, the adjoint of `conv2d`.

    Parameters
    ----------
    input : Tensor, shape (N, C_in, H, W) or (C_in, H, W)
    weight : Tensor, shape (C_in, C_out / groups, kH, kW)
    bias : Tensor, shape (C_out,), optional
    stride, padding, output_padding, dilation : int or tuple of 2 ints
    groups : int

    Returns
    -------
    Tensor, shape (N, C_out, H_out, W_out) or (C_out, H_out, W_out)
        Each size is `convlib.shapes.conv_transpose_output_size`.

    Raises
    ------
    TypeError, ValueError
        As `conv_transpose1d`.

    Examples
    --------
    >>> x = torch.ones(1, 1, 2, 2)
    >>> conv_transpose2d(x, torch.ones(1, 1, 2, 2), stride=2).shape
    torch.Size([1, 1, 4, 4])
    """
    return _conv_transposend(input, weight, bias, stride, padding,
                             output_padding, groups, dilation, 2,
                             "conv_transpose2d")


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0,
                     output_padding=0, groups=1, dilation=1):
    """3-D transposed convolution, the adjoint of `conv3d`.

    Parameters
    ----------
    input : Tensor, shape (N, C_in, D, H, W) or (C_in, D, H, W)
    weight : Tensor, shape (C_in, C_out / groups, kD, kH, kW)
    bias : Tensor, shape (C_out,), optional
    stride, padding, output_padding, dilation : int or tuple of 3 ints
    groups : int

    Returns
    -------
    Tensor, shape (N, C_out, D_out, H_out, W_out)
        Or without N for an unbatched input.

    Raises
    ------
    TypeError, ValueError
        As `conv_transpose1d`.
    """
    return _conv_transposend(input, weight, bias, stride, padding,
                             output_padding, groups, dilation, 3,
                             "conv_transpose3d")


# ------------------------------------------------ separable convolutions

def depthwise_separable_conv2d(input, depthwise_weight, pointwise_weight,
                               depthwise_bias=None, pointwise_bias=None,
                               stride=1, padding=0, dilation=1):
    """Depthwise convolution, then a 1x1 (pointwise) convolution.

    Parameters
    ----------
    input : Tensor, shape (N, C_in, H, W) or (C_in, H, W)
    depthwise_weight : Tensor, shape (C_in * m, 1, kH, kW)
        `m` filters per input channel (groups=C_in).
    pointwise_weight : Tensor, shape (C_out, C_in * m, 1, 1)
    depthwise_bias : Tensor, shape (C_in * m,), optional
    pointwise_bias : Tensor, shape (C_out,), optional
    stride, dilation : int or tuple of 2 ints
        Of the depthwise step; the pointwise step uses 1.
    padding : int, tuple of 2 ints, 'same' or 'valid'
        Of the depthwise step.

    Returns
    -------
    Tensor, shape (N, C_out, H_out, W_out) or (C_out, H_out, W_out)
        Sizes as `conv2d` with the depthwise kernel.

    Raises
    ------
    TypeError, ValueError
        As `conv2d`, and when the pointwise kernel is not 1x1.
    """
    fn = "depthwise_separable_conv2d"
    x, unbatched = _batched(input, 2, fn)
    _args.depthwise_separable_args(
        fn, tuple(x.shape),
        _shape(depthwise_weight, "depthwise_weight", fn),
        _shape(pointwise_weight, "pointwise_weight", fn),
        _shape(depthwise_bias, "depthwise_bias", fn),
        _shape(pointwise_bias, "pointwise_bias", fn))
    mid = _convnd(x, depthwise_weight, depthwise_bias, stride, padding,
                  dilation, x.shape[1], 2, fn)
    out = _convnd(mid, pointwise_weight, pointwise_bias, 1, 0, 1, 1, 2, fn)
    return out[0] if unbatched else out


def spatially_separable_conv2d(input, column_weight, row_weight,
                               column_bias=None, row_bias=None, stride=1,
                               padding=0, dilation=1):
    """A (kH x 1) convolution, then a (1 x kW) one.

    With rank-1 kernels ``w[o, c, i, j] = sum_m row[o, m, 0, j] *
    column[m, c, i, 0]`` (no biases) the result equals `conv2d` with `w`.

    Parameters
    ----------
    input : Tensor, shape (N, C_in, H, W) or (C_in, H, W)
    column_weight : Tensor, shape (C_mid, C_in, kH, 1)
        Applied first, with the vertical stride, padding and dilation.
    row_weight : Tensor, shape (C_out, C_mid, 1, kW)
        Applied second, with the horizontal ones.
    column_bias : Tensor, shape (C_mid,), optional
    row_bias : Tensor, shape (C_out,), optional
    stride, dilation : int or tuple of 2 ints
    padding : int, tuple of 2 ints, 'same' or 'valid'

    Returns
    -------
    Tensor, shape (N, C_out, H_out, W_out) or (C_out, H_out, W_out)
        Sizes as `conv2d` with a (kH, kW) kernel.

    Raises
    ------
    TypeError, ValueError
        As `conv2d`, and when a kernel is not a column / a row.
    """
    fn = "spatially_separable_conv2d"
    x, _ = _batched(input, 2, fn)
    _args.spatially_separable_args(
        fn, tuple(x.shape), _shape(column_weight, "column_weight", fn),
        _shape(row_weight, "row_weight", fn),
        _shape(column_bias, "column_bias", fn),
        _shape(row_bias, "row_bias", fn))
    col, row = _args.separable_steps(fn, stride, padding, dilation)
    mid = _convnd(input, column_weight, column_bias, *col, 1, 2, fn)
    return _convnd(mid, row_weight, row_bias, *row, 1, 2, fn)
