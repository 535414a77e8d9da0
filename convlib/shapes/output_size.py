"""Output sizes of convolution, transposed convolution and pooling.

Each public function checks its arguments and applies torch's formula
per spatial dimension; the one-dimension formulas `_conv_size`,
`_transpose_size` and `_pool_size` are shared with `convlib.naive`.
"""
from .._util import ntuple
from ._args import _check_bool, _conv_args, _input_sizes, _result


def _conv_size(size, k, s, pads, d, fn, kernel_name="kernel_size"):
    """One dimension of the convolution output-size formula.

    `convlib.naive` calls this (and `_conv_args`, `_transpose_size`,
    `_pool_size`) with its own function name, so errors name the op.
    """
    span = d * (k - 1) + 1
    padded = size + pads[0] + pads[1]
    if span > padded:
        raise ValueError(
            f"{fn}: {kernel_name} {k} with dilation {d} spans {span} "
            f"elements, more than the padded input size {padded} "
            f"(input size {size} plus padding {pads[0]}+{pads[1]})")
    return (padded - span) // s + 1


def conv_output_size(input_size, kernel_size, stride=1, padding=0,
                     dilation=1):
    """Spatial output size of a convolution (torch's formula).

    Parameters
    ----------
    input_size : int or tuple of int
        Spatial input size, e.g. ``L`` or ``(H, W)``.
    kernel_size, stride, dilation : int or tuple of int
        As in ``torch.nn.Conv2d``; an int applies to every dim.
    padding : int, tuple of int, 'same' or 'valid'
        Zeros added on both sides of each dim. 'same' (stride 1 only)
        keeps the size, 'valid' means 0.

    Returns
    -------
    int or tuple of int
        ``floor((L + 2*p - d*(k - 1) - 1) / s) + 1`` per dimension; an
        int when `input_size` is an int.

    Raises
    ------
    ValueError
        If the dilated kernel is larger than the padded input, padding
        is negative or an unknown string, 'same' is used with a stride,
        or a size, stride or dilation is below 1.
    TypeError
        If an argument is not an int (or tuple of ints).

    Examples
    --------
    >>> conv_output_size(32, kernel_size=5, stride=1, padding=2)
    32
    >>> conv_output_size((7, 9), kernel_size=3, stride=2)
    (3, 4)
    """
    return _conv_output_size("conv_output_size", input_size, kernel_size,
                             stride, padding, dilation)


def _conv_output_size(fn, input_size, kernel_size, stride, padding,
                      dilation):
    """`conv_output_size`, with errors in the name of `fn`."""
    sizes, scalar = _input_sizes(input_size, fn)
    k, s, pads, d = _conv_args(fn, len(sizes), kernel_size, stride,
                               padding, dilation)
    out = [_conv_size(*args, fn) for args in zip(sizes, k, s, pads, d)]
    return _result(out, scalar)


def _transpose_size(size, k, s, p, op, d, fn):
    """One dimension of the transposed-convolution size formula."""
    if op >= max(s, d):
        raise ValueError(
            f"{fn}: output_padding must be smaller than stride or "
            f"dilation, got output_padding={op} with stride={s} and "
            f"dilation={d}")
    out = (size - 1) * s - 2 * p + d * (k - 1) + op + 1
    if out < 1:
        raise ValueError(
            f"{fn}: padding {p} is too large: the output size would be "
            f"{out} for input_size {size} and kernel_size {k}")
    return out


def conv_transpose_output_size(input_size, kernel_size, stride=1,
                               padding=0, output_padding=0, dilation=1):
    """Spatial output size of a transposed convolution (torch's formula).

    Parameters
    ----------
    input_size : int or tuple of int
        Spatial input size, e.g. ``L`` or ``(H, W)``.
    kernel_size, stride, padding, output_padding, dilation : int or tuple
        As in ``torch.nn.ConvTranspose2d``; an int applies to every dim.

    Returns
    -------
    int or tuple of int
        ``(L - 1)*s - 2*p + d*(k - 1) + output_padding + 1`` per dim.

    Raises
    ------
    ValueError
        If ``output_padding >= max(stride, dilation)``, the output size
        would be below 1, or a value is negative (or below 1 for sizes,
        stride and dilation).
    TypeError
        If an argument is not an int (or tuple of ints).

    Examples
    --------
    >>> conv_transpose_output_size(4, kernel_size=3, stride=2, padding=1,
    ...                            output_padding=1)
    8
    """
    return _conv_transpose_output_size(
        "conv_transpose_output_size", input_size, kernel_size, stride,
        padding, output_padding, dilation)


def _conv_transpose_output_size(fn, input_size, kernel_size, stride,
                                padding, output_padding, dilation):
    """`conv_transpose_output_size`, with errors in the name of `fn`."""
    sizes, scalar = _input_sizes(input_size, fn)
    n = len(sizes)
    k = ntuple(kernel_size, n, "kernel_size", fn, minimum=1)
    s = ntuple(stride, n, "stride", fn, minimum=1)
    p = ntuple(padding, n, "padding", fn, minimum=0)
    op = ntuple(output_padding, n, "output_padding", fn, minimum=0)
    d = ntuple(dilation, n, "dilation", fn, minimum=1)
    out = [_transpose_size(*args, fn) for args in zip(sizes, k, s, p, op, d)]
    return _result(out, scalar)


def _pool_size(size, k, s, p, d, ceil_mode, fn):
    """One dimension of the pooling output-size formula."""
    if p > k // 2:
        raise ValueError(
            f"{fn}: padding must be at most half of kernel_size, got "
            f"padding={p} with kernel_size={k}")
    out = (size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0))
    out = out // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1  # the last window must start inside input or left pad
    if out < 1:
        raise ValueError(
            f"{fn}: kernel_size {k} with dilation {d} does not fit: "
            f"input_size {size} with padding {p} gives output size {out}")
    return out


def pool_output_size(input_size, kernel_size, stride=None, padding=0,
                     dilation=1, ceil_mode=False):
    """Spatial output size of max/avg pooling (torch's rules).

    Parameters
    ----------
    input_size : int or tuple of int
        Spatial input size, e.g. ``L`` or ``(H, W)``.
    kernel_size : int or tuple of int
        Window size.
    stride : int or tuple of int, optional
        Defaults to `kernel_size`, as in torch.
    padding : int or tuple of int
        Implicit padding on both sides; at most ``kernel_size // 2``.
    dilation : int or tuple of int
        Spacing of the window elements (max pooling only in torch).
    ceil_mode : bool
        Round the division up instead of down -- but a window that
        would start past the input and its left padding is dropped.

    Returns
    -------
    int or tuple of int
        ``floor_or_ceil((L + 2*p - d*(k - 1) - 1) / s) + 1`` per dim,
        minus one when ceil_mode puts the last window's start at or
        beyond ``L + p``.

    Raises
    ------
    ValueError
        If padding exceeds half the kernel, the output size would be
        below 1, or a value is out of range.
    TypeError
        If an argument has the wrong type.

    Examples
    --------
    >>> pool_output_size(5, kernel_size=2, ceil_mode=True)
    3
    >>> pool_output_size((6, 6), kernel_size=3, stride=2, padding=1)
    (3, 3)
    """
    fn = "pool_output_size"
    sizes, scalar = _input_sizes(input_size, fn)
    n = len(sizes)
    k = ntuple(kernel_size, n, "kernel_size", fn, minimum=1)
    s = k if stride is None else ntuple(stride, n, "stride", fn, minimum=1)
    p = ntuple(padding, n, "padding", fn, minimum=0)
    d = ntuple(dilation, n, "dilation", fn, minimum=1)
    ceil_mode = _check_bool(ceil_mode, "ceil_mode", fn)
    out = [_pool_size(*args, ceil_mode, fn)
           for args in zip(sizes, k, s, p, d)]
    return _result(out, scalar)
