"""Convolution and transposed convolution: arguments, checks, sizes.

The output sizes live here once (`conv_size` on `convlib._arrays`'
window count, and `transpose_size`); `convlib.shapes` exposes them and
every op form calls `conv_args` / `transpose_args` with its input,
weight and bias shapes.
"""
from typing import NamedTuple

from .._arrays import window_count
from .base import batched, check_int, memoised, ntuple

__all__ = ["ConvArgs", "conv_args", "conv_geometry", "conv_size",
           "parse_padding", "same_padding", "transpose_args",
           "transpose_geometry", "transpose_size"]


class ConvArgs(NamedTuple):
    """A checked convolution call (tuples have one entry per dim)."""
    batched: bool  # input had a batch axis
    kernel: tuple
    stride: tuple
    pads: tuple  # (before, after) zeros per dim of the forward conv
    dilation: tuple
    groups: int
    out: tuple  # spatial output size
    output_padding: tuple = ()  # transposed convolutions only


def same_padding(kernel, dilation):
    """(before, after) zeros per dim that torch's padding='same' adds.

    The total ``dilation * (kernel - 1)`` is split with the extra zero,
    if any, on the right (after).
    """
    totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
    return tuple((t // 2, t - t // 2) for t in totals)


def parse_padding(fn, padding, n):
    """A tuple of n ints >= 0 from an int, a tuple or 'valid'; or 'same'."""
    if not isinstance(padding, str):
        return ntuple(padding, n, "padding", fn, minimum=0)
    if padding == "valid":
        return (0,) * n
    if padding != "same":
        raise ValueError(
            f"{fn}: padding must be an int, a tuple of {n} ints, 'same' "
            f"or 'valid', got {padding!r}")
    return "same"


def _pads(fn, padding, n, kernel, stride, dilation):
    """((before, after), ...) from an int, a tuple, 'same' or 'valid'."""
    padding = parse_padding(fn, padding, n)
    if padding != "same":
        return tuple((q, q) for q in padding)
    if any(s != 1 for s in stride):
        raise ValueError(
            f"{fn}: padding='same' is not supported for strided "
            f"convolutions, got stride={stride}")
    return same_padding(kernel, dilation)


def conv_size(size, k, s, pads, d):
    """One dimension of the output-size formula (no checks).

    ``floor((size + before + after - d*(k - 1) - 1) / s) + 1``: the
    windows that fit in the padded size.
    """
    return window_count(size + pads[0] + pads[1], k, s, d)


def conv_geometry(fn, spatial, kernel, stride, padding, dilation,
                  kernel_name="kernel_size"):
    """Check stride/padding/dilation; return (stride, pads, dilation, out).

    `kernel` is already a tuple of ints >= 1.

    Raises
    ------
    ValueError
        Bad padding string, 'same' with a stride, negative values, or a
        dilated kernel larger than the padded input.
    TypeError
        Non-integer stride, padding or dilation.
    """
    n = len(spatial)
    stride = ntuple(stride, n, "stride", fn, minimum=1)
    dilation = ntuple(dilation, n, "dilation", fn, minimum=1)
    pads = _pads(fn, padding, n, kernel, stride, dilation)
    padded = tuple(m + lo + hi for m, (lo, hi) in zip(spatial, pads))
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    if any(p < k for p, k in zip(padded, span)):
        raise ValueError(
            f"{fn}: {kernel_name} {tuple(kernel)} with dilation "
            f"{dilation} spans {span}, larger than the padded input "
            f"{padded} (input {tuple(spatial)}, padding {pads})")
    out = tuple(conv_size(*a) for a in zip(spatial, kernel, stride, pads,
                                           dilation))
    return stride, pads, dilation, out


def _weight(fn, n, weight, layout):
    if len(weight) != n + 2:
        raise ValueError(
            f"{fn}: weight must have {n + 2} dimensions {layout}, got "
            f"shape {tuple(weight)}")
    if 0 in weight:
        raise ValueError(
            f"{fn}: weight must have no zero-sized axis, got shape "
            f"{tuple(weight)}")


def _bias(fn, bias, channels):
    if bias is not None and tuple(bias) != (channels,):
        raise ValueError(
            f"{fn}: bias must have shape ({channels},) to match the "
            f"{channels} output channels, got shape {tuple(bias)}")


def _groups(fn, groups, channels):
    groups = check_int(groups, "groups", fn)
    if channels % groups:
        raise ValueError(
            f"{fn}: input has {channels} channels, not divisible by "
            f"groups={groups}")
    return groups


@memoised
def conv_args(fn, n, input, weight, bias, stride, padding, dilation,
              groups):
    """Check a conv{n}d call from the shapes of its arrays.

    Parameters
    ----------
    fn : str
        The public function's name, for the messages.
    n : int
        Number of spatial dimensions.
    input, weight : tuple of int
        Shapes: (N, C_in, *S) or (C_in, *S), and (C_out, C_in/groups, *K).
    bias : tuple of int or None
        Shape of the bias, (C_out,).
    stride, padding, dilation, groups
        As the caller gave them.

    Returns
    -------
    ConvArgs
    """
    is_batched = batched(fn, input, n)
    _weight(fn, n, weight, "(C_out, C_in/groups, *kernel)")
    channels = input[-n - 1]
    groups = _groups(fn, groups, channels)
    if weight[1] * groups != channels:
        raise ValueError(
            f"{fn}: weight has {weight[1]} input channels per group but "
            f"input has {channels} channels with groups={groups}")
    if weight[0] % groups:
        raise ValueError(
            f"{fn}: weight has {weight[0]} output channels, not "
            f"divisible by groups={groups}")
    _bias(fn, bias, weight[0])
    kernel = tuple(weight[2:])
    stride, pads, dilation, out = conv_geometry(
        fn, tuple(input[-n:]), kernel, stride, padding, dilation,
        kernel_name="weight's kernel")
    return ConvArgs(is_batched, kernel, stride, pads, dilation, groups,
                    out)


def transpose_size(size, k, s, p, op, d):
    """One dimension of the transposed output size (no checks).

    ``(size - 1)*s - 2*p + d*(k - 1) + op + 1``.
    """
    return (size - 1) * s - 2 * p + d * (k - 1) + op + 1


def transpose_geometry(fn, spatial, kernel, stride, padding,
                       output_padding, dilation):
    """Check a transposed convolution's arguments; return
    (stride, padding, output_padding, dilation, out).

    Raises
    ------
    ValueError
        Negative values, ``output_padding >= max(stride, dilation)``,
        or an output size below 1.
    TypeError
        Non-integer values, or a padding string (torch has none here).
    """
    n = len(spatial)
    stride = ntuple(stride, n, "stride", fn, minimum=1)
    dilation = ntuple(dilation, n, "dilation", fn, minimum=1)
    if isinstance(padding, str):
        raise TypeError(
            f"{fn}: padding must be an int or a tuple of {n} ints, got "
            f"{padding!r}")
    padding = ntuple(padding, n, "padding", fn, minimum=0)
    output_padding = ntuple(output_padding, n, "output_padding", fn)
    if any(op >= max(s, d) for op, s, d
           in zip(output_padding, stride, dilation)):
        raise ValueError(
            f"{fn}: output_padding must be smaller than max(stride, "
            f"dilation) in every dimension, got output_padding="
            f"{output_padding}, stride={stride}, dilation={dilation}")
    out = tuple(transpose_size(*a) for a in zip(
        spatial, kernel, stride, padding, output_padding, dilation))
    if any(o < 1 for o in out):
        raise ValueError(
            f"{fn}: output size {out} is not positive for input "
            f"{tuple(spatial)}, kernel {tuple(kernel)}, stride {stride}, "
            f"padding {padding} and dilation {dilation}")
    return stride, padding, output_padding, dilation, out


@memoised
def transpose_args(fn, n, input, weight, bias, stride, padding,
                   output_padding, groups, dilation):
    """Check a conv_transpose{n}d call from the shapes of its arrays.

    `weight` is (C_in, C_out/groups, *K).

    Returns
    -------
    ConvArgs
        `pads` is ``(padding, padding)`` per dim: the zeros of the
        forward convolution this one is the adjoint (the gradient) of.
        `output_padding` is its own field, the extra rows and columns
        on the far side of each dim; `out` includes them.
    """
    is_batched = batched(fn, input, n)
    _weight(fn, n, weight, "(C_in, C_out/groups, *kernel)")
    channels = input[-n - 1]
    groups = _groups(fn, groups, channels)
    if weight[0] != channels:
        raise ValueError(
            f"{fn}: weight has {weight[0]} input channels (weight.shape"
            f"[0]) but input has {channels} channels")
    _bias(fn, bias, weight[1] * groups)
    kernel = tuple(weight[2:])
    stride, padding, output_padding, dilation, out = transpose_geometry(
        fn, tuple(input[-n:]), kernel, stride, padding, output_padding,
        dilation)
    pads = tuple((p, p) for p in padding)
    return ConvArgs(is_batched, kernel, stride, pads, dilation, groups,
                    out, output_padding)
