"""Output sizes of convolution, transposed convolution and pooling.

Each public function turns `input_size` into a tuple and hands it to
the argument layer `convlib._args`, which checks the arguments and
applies torch's formula per spatial dimension (the same code the ops
use).
"""
from .. import _args


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
    sizes, scalar = _args.input_sizes(fn, input_size)
    kernel = _args.ntuple(kernel_size, len(sizes), "kernel_size", fn,
                          minimum=1)
    out = _args.conv_geometry(fn, sizes, kernel, stride, padding,
                              dilation)[-1]
    return _args.sizes_as_given(out, scalar)


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
    sizes, scalar = _args.input_sizes(fn, input_size)
    kernel = _args.ntuple(kernel_size, len(sizes), "kernel_size", fn,
                          minimum=1)
    out = _args.transpose_geometry(fn, sizes, kernel, stride, padding,
                                   output_padding, dilation)[-1]
    return _args.sizes_as_given(out, scalar)


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
    sizes, scalar = _args.input_sizes(fn, input_size)
    out = _args.pool_geometry(fn, sizes, kernel_size, stride, padding,
                              dilation, ceil_mode)[-1]
    return _args.sizes_as_given(out, scalar)
