"""Argument checks and normalisation shared by `convlib.shapes`.

Private helpers: input sizes as tuples, int-or-tuple padding (and
torch's 'same' split), the conv argument bundle. `convlib.naive` uses
`_conv_args` and `_check_bool` too, with its own function name, so
errors name the op.
"""
import numpy as np

from .._util import _describe, is_int, ntuple


def _input_sizes(input_size, fn):
    """Input size as a tuple of ints, and whether it was a single int."""
    if is_int(input_size):
        sizes, scalar = (int(input_size),), True
    elif (isinstance(input_size, (tuple, list)) and input_size
          and all(is_int(v) for v in input_size)):
        sizes, scalar = tuple(int(v) for v in input_size), False
    else:
        raise TypeError(
            f"{fn}: input_size must be an int or a non-empty tuple of "
            f"ints, got {_describe(input_size)}")
    if any(v < 1 for v in sizes):
        raise ValueError(
            f"{fn}: input_size must be >= 1 in every dimension, "
            f"got {input_size!r}")
    return sizes, scalar


def _result(values, scalar):
    return values[0] if scalar else tuple(values)


def _check_bool(value, name, fn):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(
            f"{fn}: {name} must be True or False, got {_describe(value)}")
    return bool(value)


def _conv_padding(padding, n, fn):
    """`padding` as a tuple of ints, or the string 'same'."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0,) * n
        if padding == "same":
            return "same"
        raise ValueError(
            f"{fn}: padding must be 'same', 'valid', an int or a tuple "
            f"of {n} ints, got {padding!r}")
    return ntuple(padding, n, "padding", fn, minimum=0)


def _same_padding(kernel_size, dilation):
    """(left, right) zero padding per dim that torch uses for 'same'.

    The total ``dilation * (kernel_size - 1)`` is split with the extra
    element, if any, on the right.
    """
    pads = []
    for k, d in zip(kernel_size, dilation):
        total = d * (k - 1)
        pads.append((total // 2, total - total // 2))
    return tuple(pads)


def _conv_args(fn, n, kernel_size, stride, padding, dilation):
    """Normalise the conv arguments; padding as (left, right) pairs."""
    k = ntuple(kernel_size, n, "kernel_size", fn, minimum=1)
    s = ntuple(stride, n, "stride", fn, minimum=1)
    d = ntuple(dilation, n, "dilation", fn, minimum=1)
    p = _conv_padding(padding, n, fn)
    if p == "same":
        if any(v != 1 for v in s):
            raise ValueError(
                f"{fn}: padding='same' needs stride=1 (torch does not "
                f"support it for strided convolutions), got stride="
                f"{stride!r}")
        return k, s, _same_padding(k, d), d
    return k, s, tuple((v, v) for v in p), d
