"""The input-size argument of `convlib.shapes`, an int or a tuple.

Everything else (kernel, stride, padding, 'same', ceil_mode, the size
formulas and their checks) is `convlib._args`, shared with the ops.
"""
from .._args import describe, is_int


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
            f"ints, got {describe(input_size)}")
    if any(v < 1 for v in sizes):
        raise ValueError(
            f"{fn}: input_size must be >= 1 in every dimension, "
            f"got {input_size!r}")
    return sizes, scalar


def _result(values, scalar):
    return values[0] if scalar else tuple(values)
