"""Convolution, pooling and linear layers as plain loops.

Each function is the definition written as code: Python loops over the
batch, the channels and the output positions, and for each output one
window of the input multiplied by the kernel and summed. Nothing is
vectorised beyond that window sum, so the code reads like the formula;
it is slow, and meant for small inputs, for teaching, and as a second
opinion on `convlib.numpy`.

Signatures are those of `torch.nn.functional`; layout (N, C, *spatial),
an unbatched (C, *spatial) input is also accepted. Output sizes come
from `convlib.shapes`. This module never imports torch.
"""
import numpy as np

from ._util import check_array, check_positive_int, ntuple
from .shapes._args import _check_bool, _conv_args
from .shapes.output_size import _conv_size, _pool_size, _transpose_size

__all__ = ["conv1d", "conv2d", "conv2d_backward", "conv_transpose2d",
           "max_pool2d", "avg_pool2d", "linear"]


# ------------------------------------------------------------- helpers

def _batched(input, n, fn):
    """Input as (N, C, *spatial) and whether it came without a batch."""
    x = check_array(input, "input", fn, ndims=(n + 1, n + 2))
    if x.ndim == n + 1:
        return x[np.newaxis], True
    return x, False


def _bias(bias, channels, fn):
    if bias is None:
        return None
    b = check_array(bias, "bias", fn, ndims=(1,))
    if b.shape[0] != channels:
        raise ValueError(
            f"{fn}: bias must have shape ({channels},) to match the "
            f"output channels, got shape {b.shape}")
    return b


def _check_channels(fn, channels, per_group, groups, weight_dim):
    """The input channels must equal weight's per-group count x groups."""
    if channels % groups:
        raise ValueError(
            f"{fn}: input channels must be divisible by groups, got "
            f"{channels} channels and groups={groups}")
    if channels != per_group * groups:
        raise ValueError(
            f"{fn}: weight has {per_group} input channels per group "
            f"(weight.shape[{weight_dim}]) but input has {channels} "
            f"channels with groups={groups}")


def _conv_setup(fn, n, input, weight, bias, stride, padding, dilation,
                groups):
    """Check a convolution's arguments; return what its loops need."""
    x, unbatched = _batched(input, n, fn)
    w = check_array(weight, "weight", fn, ndims=(n + 2,))
    groups = check_positive_int(groups, "groups", fn)
    if w.shape[0] % groups:
        raise ValueError(
            f"{fn}: out channels (weight.shape[0] = {w.shape[0]}) must "
            f"be divisible by groups, got groups={groups}")
    _check_channels(fn, x.shape[1], w.shape[1], groups, 1)
    b = _bias(bias, w.shape[0], fn)
    k, s, pads, d = _conv_args(fn, n, w.shape[2:], stride, padding,
                               dilation)
    out_size = tuple(
        _conv_size(size, *args, fn, kernel_name="weight's kernel size")
        for size, *args in zip(x.shape[2:], k, s, pads, d))
    dtype = np.result_type(x, w)
    return (x.astype(dtype), w.astype(dtype), b, s, pads, d, out_size,
            groups, unbatched)


def _zero_pad(x, pads):
    """Pad the spatial axes of (N, C, *spatial) with (left, right) zeros."""
    return np.pad(x, [(0, 0), (0, 0)] + [tuple(p) for p in pads])


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
    x, w, b, (s,), (pads,), (d,), (length,), groups, unbatched = (
        _conv_setup("conv1d", 1, input, weight, bias, stride, padding,
                    dilation, groups))
    x = _zero_pad(x, [pads])
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
    return _unbatch(out, unbatched)


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
    x, w, b, s, pads, d, (height, width), groups, unbatched = (
        _conv_setup("conv2d", 2, input, weight, bias, stride, padding,
                    dilation, groups))
    x = _zero_pad(x, pads)
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
    return _unbatch(out, unbatched)


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
    x, w, b, s, pads, d, out_size, groups, unbatched = _conv_setup(
        fn, 2, input, weight, bias, stride, padding, dilation, groups)
    grad = _grad_output(fn, grad_output, (x.shape[0], w.shape[0])
                        + out_size, unbatched)
    xp = _zero_pad(x, pads)
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
    expected = shape[1:] if unbatched else shape
    if grad.shape != expected:
        raise ValueError(
            f"{fn}: grad_output must have the output's shape "
            f"{expected}, got {grad.shape}")
    return grad[np.newaxis] if unbatched else grad


def _transpose_setup(fn, input, weight, bias, stride, padding,
                     output_padding, groups, dilation):
    """Check conv_transpose2d's arguments; return what its loops need."""
    x, unbatched = _batched(input, 2, fn)
    w = check_array(weight, "weight", fn, ndims=(4,))
    groups = check_positive_int(groups, "groups", fn)
    if x.shape[1] != w.shape[0]:
        raise ValueError(
            f"{fn}: weight must have shape (C_in, C_out / groups, kH, "
            f"kW) with C_in = {x.shape[1]} input channels, got "
            f"weight.shape[0] = {w.shape[0]}")
    _check_channels(fn, x.shape[1], x.shape[1] // groups, groups, 0)
    b = _bias(bias, w.shape[1] * groups, fn)
    args = [ntuple(v, 2, name, fn, minimum) for v, name, minimum in (
        (stride, "stride", 1), (padding, "padding", 0),
        (output_padding, "output_padding", 0), (dilation, "dilation", 1))]
    out_size = tuple(_transpose_size(size, k, *rest, fn) for size, k, *rest
                     in zip(x.shape[2:], w.shape[2:], *args))
    dtype = np.result_type(x, w)
    return (x.astype(dtype), w.astype(dtype), b, *args, out_size,
            groups, unbatched)


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
    x, w, b, s, p, _, d, (height, width), groups, unbatched = (
        _transpose_setup("conv_transpose2d", input, weight, bias, stride,
                         padding, output_padding, groups, dilation))
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
    return _unbatch(out, unbatched)


# ------------------------------------------------------------- pooling

def _pool_setup(fn, input, kernel_size, stride, padding, dilation,
                ceil_mode):
    """Check a 2-D pooling's arguments; return what its loops need."""
    x, unbatched = _batched(input, 2, fn)
    k = ntuple(kernel_size, 2, "kernel_size", fn, minimum=1)
    if stride is None or (isinstance(stride, (tuple, list))
                          and len(stride) == 0):
        s = k  # torch's default: non-overlapping windows
    else:
        s = ntuple(stride, 2, "stride", fn, minimum=1)
    p = ntuple(padding, 2, "padding", fn, minimum=0)
    d = ntuple(dilation, 2, "dilation", fn, minimum=1)
    ceil_mode = _check_bool(ceil_mode, "ceil_mode", fn)
    out_size = tuple(_pool_size(*args, ceil_mode, fn)
                     for args in zip(x.shape[2:], k, s, p, d))
    return x, k, s, p, d, out_size, unbatched


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
    x, k, s, p, d, out_size, unbatched = _pool_setup(
        fn, input, kernel_size, stride, padding, dilation, ceil_mode)
    return_indices = _check_bool(return_indices, "return_indices", fn)
    out = np.zeros(x.shape[:2] + out_size, dtype=x.dtype)
    indices = np.zeros(out.shape, dtype=np.int64)
    width = x.shape[3]
    for n, c, i, j in np.ndindex(*out.shape):
        # torch's start: the first window position at or after index 0
        # (a dilated window may lie wholly in the padding: -inf there)
        r0, c0 = (_first_inside(o * s[a] - p[a], d[a])
                  for a, o in ((0, i), (1, j)))
        best, where = -np.inf, r0 * width + c0
        for r, q in _window_positions(i, j, k, s, p, d, x.shape[2:]):
            value = x[n, c, r, q]
            if value > best or np.isnan(value):
                best, where = value, r * width + q
        out[n, c, i, j], indices[n, c, i, j] = best, where
    if return_indices:
        return _unbatch(out, unbatched), _unbatch(indices, unbatched)
    return _unbatch(out, unbatched)


def _first_inside(start, d):
    """`start` moved forward in steps of `d` until it is >= 0."""
    while start < 0:
        start += d
    return start


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
    x, k, s, p, _, out_size, unbatched = _pool_setup(
        fn, input, kernel_size, stride, padding, 1, ceil_mode)
    count_include_pad = _check_bool(count_include_pad,
                                    "count_include_pad", fn)
    if divisor_override is not None:
        divisor_override = check_positive_int(
            divisor_override, "divisor_override", fn)
    out = np.zeros(x.shape[:2] + out_size, dtype=x.dtype)
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
    b = _bias(bias, w.shape[0], fn)
    dtype = np.result_type(x, w)
    out = np.zeros(x.shape[:-1] + (w.shape[0],), dtype=dtype)
    for position in np.ndindex(*x.shape[:-1]):
        for o in range(w.shape[0]):
            out[position + (o,)] = np.sum(x[position] * w[o])
            if b is not None:
                out[position + (o,)] += b[o]
    return out
