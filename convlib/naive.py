"""Convolution, pooling and linear layers as plain loops.

Each function is the definition written as code: Python loops over the
batch, the channels and the output positions, and for each output one
window of the input multiplied by the kernel and summed. Nothing is
vectorised beyond that window sum, so the code reads like the formula;
it is slow, and meant for small inputs, for teaching, and as a second
opinion on `convlib.numpy`.

Signatures are those of `torch.nn.functional`; layout (N, C, *spatial),
an unbatched (C, *spatial) input is also accepted. Arguments, their
checks and the output sizes come from the argument layer
`convlib._args`, shared with `convlib.shapes`, `convlib.numpy` and
`convlib.torch`. This module never imports torch.
"""
import numpy as np

from . import _args
from ._args import check_array
from ._arrays import pad
# normalisation and dropout (chapter 9) live in their own module
from ._naive_norm import (  # noqa: F401
    batch_norm, batch_norm_backward, dropout, dropout2d, group_norm,
    instance_norm, layer_norm)
from ._naive_norm import __all__ as _norm_all

__all__ = ["conv1d", "conv2d", "conv2d_backward", "conv_transpose2d",
           "insert_zeros", "conv_transpose2d_by_zero_insertion",
           "max_pool2d", "avg_pool2d", "linear"] + _norm_all


# ------------------------------------------------------------- helpers

def _arrays(fn, n, **arrays):
    """Each array argument (None stays None) as an ndarray of floats.

    The input may be unbatched: it gets n + 1 or n + 2 dimensions.
    """
    return [None if a is None else check_array(
        a, name, fn, ndims=(n + 1, n + 2) if name == "input" else None)
        for name, a in arrays.items()]


def _shape(array):
    return None if array is None else array.shape


def _conv_setup(fn, n, input, weight, bias, stride, padding, dilation,
                groups):
    """Check a convolution's arguments; return arrays and `ConvArgs`."""
    x, w, b = _arrays(fn, n, input=input, weight=weight, bias=bias)
    a = _args.conv_args(fn, n, x.shape, w.shape, _shape(b), stride,
                        padding, dilation, groups)
    dtype = np.result_type(x, w)
    x = x if a.batched else x[np.newaxis]
    return x.astype(dtype), w.astype(dtype), b, a


def _window(start, k, d):
    """Slice of the k input positions from `start`, `d` apart."""
    return slice(start, start + d * (k - 1) + 1, d)


def _unbatch(out, unbatched):
    return out[0] if unbatched else out


# -------------------------------------------------------- convolutions

def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1,
           groups=1):
    """1-D cross-correlation, as loops (torch.nn.functional.conv1d).

    ``out[n, o, i] = bias[o] + sum_{c, a} x[n, g*C_g + c, i*s + a*d]
    * weight[o, c, a]`` over the padded input, where ``g`` is the group
    of output channel ``o`` and ``C_g = C_in / groups``.

    Parameters
    ----------
    input : ndarray, shape (N, C_in, L) or (C_in, L)
    weight : ndarray, shape (C_out, C_in / groups, K)
    bias : ndarray, shape (C_out,), optional
    stride, padding, dilation : int or tuple of int
        padding may be 'same' or 'valid'.
    groups : int
        Split the channels into this many independent groups.

    Returns
    -------
    ndarray, shape (N, C_out, L_out)
        L_out from `convlib.shapes.conv_output_size`.

    Raises
    ------
    ValueError, TypeError
        Wrong ndim, channel mismatch, kernel larger than the padded
        input, bad stride/padding/dilation/groups.
    """
    x, w, b, a = _conv_setup("conv1d", 1, input, weight, bias, stride,
                             padding, dilation, groups)
    (s,), (d,), (length,), groups = a.stride, a.dilation, a.out, a.groups
    x = pad(x, a.pads)
    c_out, c_group, k = w.shape
    out = np.zeros((x.shape[0], c_out, length), dtype=x.dtype)
    for n in range(x.shape[0]):
        for o in range(c_out):
            g = o // (c_out // groups)
            channels = slice(g * c_group, (g + 1) * c_group)
            for i in range(length):
                window = x[n, channels, _window(i * s, k, d)]
                out[n, o, i] = np.sum(window * w[o])
            if b is not None:
                out[n, o] += b[o]
    return _unbatch(out, not a.batched)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1,
           groups=1):
    """2-D cross-correlation, as loops (torch.nn.functional.conv2d).

    ``out[n, o, i, j] = bias[o] + sum_{c, a, b} x[n, g*C_g + c,
    i*s_h + a*d_h, j*s_w + b*d_w] * weight[o, c, a, b]`` over the
    zero-padded input, ``g = o // (C_out / groups)``.

    Parameters
    ----------
    input : ndarray, shape (N, C_in, H, W) or (C_in, H, W)
    weight : ndarray, shape (C_out, C_in / groups, kH, kW)
    bias : ndarray, shape (C_out,), optional
    stride, dilation : int or (int, int)
    padding : int, (int, int), 'same' or 'valid'
    groups : int

    Returns
    -------
    ndarray, shape (N, C_out, H_out, W_out)
        Sizes from `convlib.shapes.conv_output_size`.

    Raises
    ------
    ValueError, TypeError
        Wrong ndim, channel mismatch, kernel larger than the padded
        input, bad stride/padding/dilation/groups.
    """
    x, w, b, a = _conv_setup("conv2d", 2, input, weight, bias, stride,
                             padding, dilation, groups)
    s, d, (height, width), groups = a.stride, a.dilation, a.out, a.groups
    x = pad(x, a.pads)
    c_out, c_group, kh, kw = w.shape
    out = np.zeros((x.shape[0], c_out, height, width), dtype=x.dtype)
    for n in range(x.shape[0]):
        for o in range(c_out):
            g = o // (c_out // groups)
            channels = slice(g * c_group, (g + 1) * c_group)
            for i in range(height):
                for j in range(width):
                    window = x[n, channels, _window(i * s[0], kh, d[0]),
                               _window(j * s[1], kw, d[1])]
                    out[n, o, i, j] = np.sum(window * w[o])
            if b is not None:
                out[n, o] += b[o]
    return _unbatch(out, not a.batched)


def conv2d_backward(grad_output, input, weight, bias=None, stride=1,
                    padding=0, dilation=1, groups=1):
    """Gradients of `conv2d`, as the loops of its chain rule.

    Each output ``out[n, o, i, j]`` was a window of the padded input
    times ``weight[o]``; so its gradient ``g`` flows back as
    ``grad_weight[o] += g * window`` and ``grad_window += g *
    weight[o]``, and ``grad_bias[o] += g``.

    Parameters
    ----------
    grad_output : ndarray, shape (N, C_out, H_out, W_out)
        Gradient of the loss w.r.t. conv2d's output (unbatched
        (C_out, H_out, W_out) when the input is unbatched).
    input, weight, bias, stride, padding, dilation, groups
        As for `conv2d`.

    Returns
    -------
    grad_input : ndarray, shape of `input`
    grad_weight : ndarray, shape (C_out, C_in / groups, kH, kW)
    grad_bias : ndarray, shape (C_out,), or None when bias is None

    Raises
    ------
    ValueError, TypeError
        As `conv2d`, or grad_output of the wrong shape.
    """
    fn = "conv2d_backward"
    x, w, b, a = _conv_setup(fn, 2, input, weight, bias, stride, padding,
                             dilation, groups)
    s, pads, d, groups, unbatched = (a.stride, a.pads, a.dilation,
                                     a.groups, not a.batched)
    grad = _grad_output(fn, grad_output, (x.shape[0], w.shape[0])
                        + a.out, unbatched)
    xp = pad(x, pads)
    grad_x = np.zeros_like(xp)
    grad_w = np.zeros_like(w)
    c_out, c_group, kh, kw = w.shape
    for n, o, i, j in np.ndindex(*grad.shape):
        g = o // (c_out // groups)
        where = (n, slice(g * c_group, (g + 1) * c_group),
                 _window(i * s[0], kh, d[0]), _window(j * s[1], kw, d[1]))
        grad_w[o] += grad[n, o, i, j] * xp[where]
        grad_x[where] += grad[n, o, i, j] * w[o]
    height, width = x.shape[2:]
    grad_x = grad_x[:, :, pads[0][0]:pads[0][0] + height,
                    pads[1][0]:pads[1][0] + width]
    grad_b = None if b is None else grad.sum(axis=(0, 2, 3))
    return _unbatch(grad_x, unbatched), grad_w, grad_b


def _grad_output(fn, grad_output, shape, unbatched):
    grad = check_array(grad_output, "grad_output", fn)
    _args.check_grad_shape(fn, grad.shape, shape[1:] if unbatched
                           else shape)
    return grad[np.newaxis] if unbatched else grad


def _transpose_setup(fn, input, weight, bias, stride, padding,
                     output_padding, groups, dilation):
    """Check conv_transpose2d's arguments; return arrays and `ConvArgs`."""
    x, w, b = _arrays(fn, 2, input=input, weight=weight, bias=bias)
    a = _args.transpose_args(fn, 2, x.shape, w.shape, _shape(b), stride,
                             padding, output_padding, groups, dilation)
    dtype = np.result_type(x, w)
    x = x if a.batched else x[np.newaxis]
    return x.astype(dtype), w.astype(dtype), b, a


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0,
                     output_padding=0, groups=1, dilation=1):
    """2-D transposed convolution, as loops (the scatter definition).

    Every input element ``x[n, c, i, j]`` adds ``x[n, c, i, j] *
    weight[c, o]`` (a kH x kW patch, dilated by `dilation`) into the
    output at ``(i*s_h, j*s_w)``; the result is then cropped by
    `padding` on each side and extended by `output_padding` at the end.
    This is the adjoint (gradient) of `conv2d` with the same settings.

    Parameters
    ----------
    input : ndarray, shape (N, C_in, H, W) or (C_in, H, W)
    weight : ndarray, shape (C_in, C_out / groups, kH, kW)
    bias : ndarray, shape (C_out,), optional
    stride, padding, output_padding, dilation : int or (int, int)
    groups : int

    Returns
    -------
    ndarray, shape (N, C_out, H_out, W_out)
        Sizes from `convlib.shapes.conv_transpose_output_size`.

    Raises
    ------
    ValueError, TypeError
        Wrong ndim, channel mismatch, output_padding not smaller than
        stride or dilation, output size below 1, bad arguments.
    """
    x, w, b, a = _transpose_setup("conv_transpose2d", input, weight, bias,
                                  stride, padding, output_padding, groups,
                                  dilation)
    s, d, (height, width), groups = a.stride, a.dilation, a.out, a.groups
    p = tuple(lo for lo, _ in a.pads)
    c_in, c_group, kh, kw = w.shape
    full = np.zeros((x.shape[0], c_group * groups,
                     p[0] + height, p[1] + width), dtype=x.dtype)
    for n, c, i, j in np.ndindex(*x.shape):
        g = c // (c_in // groups)
        rows = _window(i * s[0], kh, d[0])
        cols = _window(j * s[1], kw, d[1])
        for o in range(c_group):
            patch = full[n, g * c_group + o, rows, cols]
            # a patch may run past the right-hand crop: keep its inside
            patch += x[n, c, i, j] * w[c, o][:patch.shape[0],
                                             :patch.shape[1]]
    out = full[:, :, p[0]:, p[1]:]
    if b is not None:
        out = out + b[:, np.newaxis, np.newaxis]
    return _unbatch(out, not a.batched)


def insert_zeros(input, stride):
    """`stride` - 1 zeros between neighbouring cells of the last two axes.

    ``out[..., i * s_h, j * s_w] = input[..., i, j]`` and every other
    cell of `out` is 0: the first step of the zero-insertion view of
    `conv_transpose2d`.

    Parameters
    ----------
    input : ndarray, shape (..., H, W)
    stride : int or (int, int)

    Returns
    -------
    ndarray, shape (..., (H - 1) * s_h + 1, (W - 1) * s_w + 1)
    """
    fn = "insert_zeros"
    x = check_array(input, "input", fn)
    if x.ndim < 2:
        raise ValueError(f"{fn}: input must have at least 2 dimensions, "
                         f"got {x.ndim} (shape {x.shape})")
    s = _args.ntuple(stride, 2, "stride", fn, minimum=1)
    h, w = x.shape[-2:]
    out = np.zeros(x.shape[:-2] + ((h - 1) * s[0] + 1, (w - 1) * s[1] + 1),
                   dtype=x.dtype)
    out[..., ::s[0], ::s[1]] = x
    return out


def _pad_or_crop(x, edges):
    """Zeros around the last two axes of x: (before, after) per axis; a
    negative number crops that many cells instead."""
    crop = tuple(slice(max(-lo, 0), size - max(-hi, 0))
                 for size, (lo, hi) in zip(x.shape[-2:], edges))
    x = x[(Ellipsis,) + crop]
    return np.pad(x, [(0, 0)] * (x.ndim - 2)
                  + [(max(lo, 0), max(hi, 0)) for lo, hi in edges])


def conv_transpose2d_by_zero_insertion(input, weight, bias=None, stride=1,
                                       padding=0, output_padding=0,
                                       groups=1, dilation=1):
    """`conv_transpose2d` as an ordinary convolution of a larger input.

    The "fractionally strided" view, in three steps:

    1. put ``stride - 1`` zeros between neighbouring input cells
       (`insert_zeros`);
    2. pad with ``dilation * (kernel_size - 1) - padding`` zeros on each
       side (crop, where that is negative), and `output_padding` more
       zeros at the end (bottom, right);
    3. convolve (`conv2d`, stride 1, the same dilation and groups) with
       the kernel flipped in both spatial axes and its input and output
       channels swapped within each group.

    The result equals `conv_transpose2d` with the same arguments. It is
    slower (most products are with inserted zeros) and written to be
    read, as the scatter loops of `conv_transpose2d` are.

    Parameters
    ----------
    input : ndarray, shape (N, C_in, H, W) or (C_in, H, W)
    weight : ndarray, shape (C_in, C_out / groups, kH, kW)
    bias : ndarray, shape (C_out,), optional
    stride, padding, output_padding, dilation : int or (int, int)
    groups : int

    Returns
    -------
    ndarray, shape (N, C_out, H_out, W_out)
        Sizes from `convlib.shapes.conv_transpose_output_size`.

    Raises
    ------
    ValueError, TypeError
        As `conv_transpose2d`.
    """
    x, w, b, a = _transpose_setup("conv_transpose2d_by_zero_insertion",
                                  input, weight, bias, stride, padding,
                                  output_padding, groups, dilation)
    zeros = insert_zeros(x, a.stride)
    edges = [(d * (k - 1) - p, d * (k - 1) - p + o) for k, d, (p, _), o
             in zip(a.kernel, a.dilation, a.pads, a.output_padding)]
    padded = _pad_or_crop(zeros, edges)
    c_in, c_group = w.shape[:2]
    flipped = (w[:, :, ::-1, ::-1]  # (g * C_in/g, C_out/g, kH, kW)
               .reshape(a.groups, c_in // a.groups, c_group, *a.kernel)
               .swapaxes(1, 2)      # (g, C_out/g, C_in/g, kH, kW)
               .reshape(a.groups * c_group, c_in // a.groups, *a.kernel))
    out = conv2d(padded, flipped, b, dilation=a.dilation, groups=a.groups)
    return _unbatch(out, not a.batched)


# ------------------------------------------------------------- pooling

def _pool_input(x, args):
    """The input, batched; `args` are its checked `PoolArgs`."""
    return x if args.batched else x[np.newaxis]


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode=False, return_indices=False):
    """2-D max pooling, as loops (torch.nn.functional.max_pool2d).

    ``out[n, c, i, j]`` is the largest ``x[n, c, i*s_h - p_h + a*d_h,
    j*s_w - p_w + b*d_w]`` over the window positions ``a, b`` that fall
    inside the input (padding never wins). Ties go to the first
    position in row-major order; a NaN wins, as in torch.

    Parameters
    ----------
    input : ndarray, shape (N, C, H, W) or (C, H, W)
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Defaults to `kernel_size`.
    padding : int or (int, int)
        At most half of `kernel_size`.
    dilation : int or (int, int)
    ceil_mode : bool
        See `convlib.shapes.pool_output_size`.
    return_indices : bool
        Also return where each maximum came from.

    Returns
    -------
    output : ndarray, shape (N, C, H_out, W_out)
    indices : ndarray of int64, shape (N, C, H_out, W_out)
        Only with `return_indices`: the flat index ``row * W + col``
        of each maximum in its (H, W) input plane.

    Raises
    ------
    ValueError, TypeError
        Wrong ndim, padding above half the kernel, window larger than
        the padded input, bad arguments.
    """
    fn = "max_pool2d"
    x = check_array(input, "input", fn)
    a = _args.max_pool_args(fn, 2, x.shape, kernel_size, stride, padding,
                            dilation, ceil_mode, return_indices)
    x = _pool_input(x, a)
    k, s, p, d, unbatched = a.kernel, a.stride, a.padding, a.dilation, \
        not a.batched
    out = np.zeros(x.shape[:2] + a.out, dtype=x.dtype)
    indices = np.zeros(out.shape, dtype=np.int64)
    width = x.shape[3]
    for n, c, i, j in np.ndindex(*out.shape):
        # torch's start: the first window position at or after index 0
        # (a dilated window may lie wholly in the padding: -inf there)
        r0, c0 = (_args.first_inside(o * s[e] - p[e], d[e])
                  for e, o in ((0, i), (1, j)))
        best, where = -np.inf, r0 * width + c0
        for r, q in _window_positions(i, j, k, s, p, d, x.shape[2:]):
            value = x[n, c, r, q]
            if value > best or np.isnan(value):
                best, where = value, r * width + q
        out[n, c, i, j], indices[n, c, i, j] = best, where
    if return_indices:
        return _unbatch(out, unbatched), _unbatch(indices, unbatched)
    return _unbatch(out, unbatched)


def _window_positions(i, j, k, s, p, d, shape):
    """(row, col) input positions of window (i, j) inside the input."""
    rows = [i * s[0] - p[0] + a * d[0] for a in range(k[0])]
    cols = [j * s[1] - p[1] + b * d[1] for b in range(k[1])]
    return [(r, q) for r in rows if 0 <= r < shape[0]
            for q in cols if 0 <= q < shape[1]]


def avg_pool2d(input, kernel_size, stride=None, padding=0,
               ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """2-D average pooling, as loops (torch.nn.functional.avg_pool2d).

    Each output is the sum of its window's input values divided by

    - `divisor_override`, when given;
    - else, with `count_include_pad`, the window's size counting the
      zero padding but not the part a ceil_mode window hangs past it;
    - else the number of real input elements in the window.

    Parameters
    ----------
    input : ndarray, shape (N, C, H, W) or (C, H, W)
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Defaults to `kernel_size`.
    padding : int or (int, int)
        At most half of `kernel_size`.
    ceil_mode, count_include_pad : bool
    divisor_override : int, optional
        A positive divisor used for every window.

    Returns
    -------
    ndarray, shape (N, C, H_out, W_out)
        Sizes from `convlib.shapes.pool_output_size`.

    Raises
    ------
    ValueError, TypeError
        Wrong ndim, padding above half the kernel, window larger than
        the padded input, bad arguments.
    """
    fn = "avg_pool2d"
    x = check_array(input, "input", fn)
    a, count_include_pad = _args.avg_pool_args(
        fn, 2, x.shape, kernel_size, stride, padding, ceil_mode,
        count_include_pad, divisor_override)
    x = _pool_input(x, a)
    k, s, p, unbatched = a.kernel, a.stride, a.padding, not a.batched
    out = np.zeros(x.shape[:2] + a.out, dtype=x.dtype)
    for n, c, i, j in np.ndindex(*out.shape):
        rows = _clipped_range(i * s[0] - p[0], k[0], x.shape[2], p[0])
        cols = _clipped_range(j * s[1] - p[1], k[1], x.shape[3], p[1])
        (r0, r1, padded_rows), (c0, c1, padded_cols) = rows, cols
        total = np.sum(x[n, c, r0:r1, c0:c1])
        if divisor_override is not None:
            divisor = divisor_override
        elif count_include_pad:
            divisor = padded_rows * padded_cols
        else:
            divisor = (r1 - r0) * (c1 - c0)
        out[n, c, i, j] = total / divisor
    return _unbatch(out, unbatched)


def _clipped_range(start, k, size, pad):
    """Window [start, start + k) clipped to the input, and its length
    when clipped to the padded input instead (torch's pool size)."""
    end = min(start + k, size + pad)
    return max(start, 0), min(end, size), end - start


# -------------------------------------------------------------- linear

def linear(input, weight, bias=None):
    """Fully connected layer, as loops (torch.nn.functional.linear).

    ``out[..., o] = bias[o] + sum_i x[..., i] * weight[o, i]``.

    Parameters
    ----------
    input : ndarray, shape (*, in_features)
    weight : ndarray, shape (out_features, in_features)
    bias : ndarray, shape (out_features,), optional

    Returns
    -------
    ndarray, shape (*, out_features)

    Raises
    ------
    ValueError, TypeError
        Wrong ndim or in_features mismatch between input and weight.
    """
    fn = "linear"
    x = check_array(input, "input", fn)
    w = check_array(weight, "weight", fn, ndims=(2,))
    if x.ndim == 0 or x.shape[-1] != w.shape[1]:
        raise ValueError(
            f"{fn}: input's last dimension must equal weight.shape[1] "
            f"= {w.shape[1]} (in_features), got input of shape "
            f"{x.shape}")
    b = None if bias is None else check_array(bias, "bias", fn, (1,))
    if b is not None and b.shape[0] != w.shape[0]:
        raise ValueError(
            f"{fn}: bias must have shape ({w.shape[0]},) to match the "
            f"output features, got shape {b.shape}")
    dtype = np.result_type(x, w)
    out = np.zeros(x.shape[:-1] + (w.shape[0],), dtype=dtype)
    for position in np.ndindex(*x.shape[:-1]):
        for o in range(w.shape[0]):
            out[position + (o,)] = np.sum(x[position] * w[o])
            if b is not None:
                out[position + (o,)] += b[o]
    return out
