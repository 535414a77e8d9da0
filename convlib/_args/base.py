"""Arguments every op family shares: ints, tuples, flags, batch axis.

Also the few arguments outside the ops that follow the same rules: the
`input_size` of `convlib.shapes` and the `seed` of `convlib.data` and
`convlib.train`.
"""
import functools
import numbers

import numpy as np

__all__ = ["describe", "is_int", "is_real", "ntuple", "check_int",
           "check_real", "check_dim", "check_bool", "check_seed", "batched",
           "check_grad_shape", "input_sizes", "sizes_as_given"]


def describe(value):
    """Short text for a value in an error message: an array's type and
    shape, else its repr."""
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return f"{type(value).__name__} of shape {tuple(value.shape)}"
    return repr(value)


def is_int(value):
    """True for Python/NumPy integers, False for bool and everything else."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_real(value):
    """True for int and float numbers, False for bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def ntuple(value, n, name, fn, minimum=0):
    """Normalise an int-or-tuple argument to a tuple of `n` ints.

    Parameters
    ----------
    value : int or sequence of int
        The argument as the caller gave it.
    n : int
        Number of spatial dimensions.
    name, fn : str
        Argument and function name, for the error message.
    minimum : int
        Smallest value allowed for each entry.

    Raises
    ------
    TypeError
        If `value` is not an int or a sequence of ints.
    ValueError
        If it has the wrong length or an entry is below `minimum`.
    """
    if is_int(value):
        values = (int(value),) * n
    elif isinstance(value, (tuple, list)) and all(is_int(v) for v in value):
        values = tuple(int(v) for v in value)
        if len(values) == 1 and n > 1:
            values = values * n
        if len(values) != n:
            raise ValueError(
                f"{fn}: {name} must be an int or a tuple of {n} ints, "
                f"got {value!r}")
    else:
        raise TypeError(
            f"{fn}: {name} must be an int or a tuple of {n} ints, "
            f"got {describe(value)}")
    if any(v < minimum for v in values):
        raise ValueError(
            f"{fn}: {name} must be >= {minimum} in every dimension, "
            f"got {value!r}")
    return values


def check_int(value, name, fn, minimum=1):
    """One integer argument (not a bool), >= `minimum`, as a Python int.

    Raises
    ------
    TypeError
        If `value` is not an int (a bool or a float is not).
    ValueError
        If it is below `minimum`.
    """
    if not is_int(value):
        raise TypeError(
            f"{fn}: {name} must be an int, got {describe(value)}")
    if value < minimum:
        raise ValueError(
            f"{fn}: {name} must be >= {minimum}, got {value}")
    return int(value)


def check_real(value, name, fn):
    """One real-number argument (int or float, not a bool), as a float.

    Raises
    ------
    TypeError
        For anything else, e.g. ``"0.1"``, ``True`` or ``None``.
    """
    if not is_real(value):
        raise TypeError(
            f"{fn}: {name} must be a real number, got {describe(value)}")
    return float(value)


def check_dim(value, ndim, name, fn):
    """An axis of an `ndim`-d input, negative counting from the end.

    A 0-d input has one axis, as in torch. Returns the axis as an int
    in [0, max(ndim, 1)).

    Raises
    ------
    TypeError
        If `value` is not an int.
    ValueError
        If it is outside [-max(ndim, 1), max(ndim, 1) - 1].
    """
    if not is_int(value):
        raise TypeError(
            f"{fn}: {name} must be an int, got {describe(value)}")
    n = max(ndim, 1)
    if not -n <= value < n:
        raise ValueError(
            f"{fn}: {name} must be in [{-n}, {n - 1}] for a {ndim}-d "
            f"input, got {value}")
    return int(value) % n


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


def check_seed(seed, fn):
    """A random seed: an int in [0, 2**32), as NumPy and torch take it.

    Raises
    ------
    TypeError
        If `seed` is not an int.
    ValueError
        If it lies outside [0, 2**32).
    """
    if not is_int(seed):
        raise TypeError(f"{fn}: seed must be an int, got {seed!r}")
    if not 0 <= seed < 2**32:
        raise ValueError(f"{fn}: seed must be in [0, 2**32), got {seed}")
    return int(seed)


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


def input_sizes(fn, input_size):
    """The `input_size` of `convlib.shapes`: an int or a tuple of ints.

    Returns
    -------
    sizes : tuple of int
        One entry per spatial dimension, each >= 1.
    scalar : bool
        True when `input_size` was one int (answer with an int: see
        `sizes_as_given`).

    Raises
    ------
    TypeError
        If `input_size` is not an int or a non-empty tuple of ints.
    ValueError
        If an entry is below 1.
    """
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


def sizes_as_given(values, scalar):
    """`values` in the form `input_sizes` was given: an int or a tuple."""
    return values[0] if scalar else tuple(values)


def memoised(check):
    """`check` remembering its results for calls of plain arguments.

    The checks are pure functions of shapes and settings, but small
    arrays would spend most of a call in them. Calls whose arguments
    are all plain -- ``int``, ``bool``, ``str``, None, or flat tuples
    of ints and strs -- are looked up by value and type (True and 1
    are kept apart); any other call (a list, a float, a NumPy integer)
    runs the check as written, so its error messages stay exactly the
    same. Errors are never stored.
    """
    remembered = functools.lru_cache(maxsize=1024, typed=True)(check)

    @functools.wraps(check)
    def run(*args):
        if _plain(args):
            return remembered(*args)
        return check(*args)
    return run


def _plain(args):
    """True if every argument is an int, a bool, a str, None or a tuple
    of ints and strs (exact types; inside a tuple a bool, which equals
    1, would share its entry, so it is not plain there)."""
    for arg in args:
        kind = type(arg)
        if kind is tuple:
            for value in arg:
                if type(value) is not int and type(value) is not str:
                    return False
        elif (kind is not int and kind is not str and kind is not bool
              and arg is not None):
            return False
    return True
