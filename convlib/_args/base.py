"""Arguments every op family shares: ints, tuples, flags, batch axis."""
import functools
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


def memoised(check):
    """`check` remembering its results for calls of plain arguments.

    The checks are pure functions of shapes and settings, but small
    arrays would spend most of a call in them. Calls whose arguments
    are all plain -- ``int`` (not bool or a NumPy integer), ``str``,
    None, or flat tuples of ints and strs -- are looked up by value;
    any other call (a list, a float, a NumPy integer) runs the check as
    written, so its error messages stay exactly the same. Errors are
    never stored.
    """
    remembered = functools.lru_cache(maxsize=1024)(check)

    @functools.wraps(check)
    def run(*args):
        if _plain(args):
            return remembered(*args)
        return check(*args)
    return run


def _plain(args):
    """True if every argument is an int, a str, None or a tuple of ints
    and strs (exact types: a bool equals 1 and must not share its
    entry)."""
    for arg in args:
        kind = type(arg)
        if kind is tuple:
            for value in arg:
                if type(value) is not int and type(value) is not str:
                    return False
        elif kind is not int and kind is not str and arg is not None:
            return False
    return True
