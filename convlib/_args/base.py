"""Arguments every op family shares: ints, tuples, flags, batch axis."""
import numbers

import numpy as np

from .._util import _describe as describe
from .._util import check_positive_int, is_int, ntuple

__all__ = ["describe", "is_int", "ntuple", "check_int", "check_bool",
           "batched", "check_grad_shape"]


def check_int(value, name, fn, minimum=1):
    """One integer argument (not a bool), >= `minimum`, as a Python int."""
    return check_positive_int(value, name, fn, minimum)


def check_bool(value, name, fn):
    """A flag: True or False (NumPy's bool too), as torch insists.

    Raises
    ------
    TypeError
        For anything else, e.g. ``"yes"``, ``1`` or ``None``.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(
            f"{fn}: {name} must be True or False, got {describe(value)}")
    return bool(value)


def batched(fn, shape, n, name="input"):
    """True when `shape` is (N, C, *spatial), False for (C, *spatial).

    Raises
    ------
    ValueError
        When `shape` has neither n + 1 nor n + 2 axes.
    """
    if len(shape) not in (n + 1, n + 2):
        raise ValueError(
            f"{fn}: {name} must have {n + 1} or {n + 2} dimensions, got "
            f"{len(shape)} (shape {tuple(shape)})")
    return len(shape) == n + 2


def check_grad_shape(fn, shape, expected):
    """grad_output must have the forward output's shape."""
    if tuple(shape) != tuple(expected):
        raise ValueError(
            f"{fn}: grad_output must have the output's shape "
            f"{tuple(expected)}, got {tuple(shape)}")


def is_real(value):
    """True for int and float numbers, False for bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)
