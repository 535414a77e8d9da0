"""Small helpers shared by every convlib module.

Nothing here imports torch, matplotlib or ipywidgets, so `convlib.shapes`,
`convlib.naive` and `convlib.numpy` stay importable with NumPy alone.
"""
import functools
import numbers

import numpy as np


def _describe(value):
    """Short text for a value in an error message."""
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return f"{type(value).__name__} of shape {tuple(value.shape)}"
    return repr(value)


def is_int(value):
    """True for Python/NumPy integers, False for bool and everything else."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


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
            f"got {_describe(value)}")
    if any(v < minimum for v in values):
        raise ValueError(
            f"{fn}: {name} must be >= {minimum} in every dimension, "
            f"got {value!r}")
    return values


def check_array(value, name, fn, ndims=None):
    """Return `value` as an ndarray of floats, checking its number of dims.

    Raises
    ------
    TypeError
        If `value` is not array-like of real numbers.
    ValueError
        If `value.ndim` is not one of `ndims`.
    """
    if not isinstance(value, np.ndarray):
        try:
            value = np.asarray(value)
        except Exception as exc:  # ragged lists and the like
            raise TypeError(
                f"{fn}: {name} must be an array, got {_describe(value)}"
            ) from exc
    if value.dtype.kind not in "fiub":
        raise TypeError(
            f"{fn}: {name} must be a real numeric array, "
            f"got dtype {value.dtype}")
    if value.dtype.kind != "f":
        value = value.astype(np.float64)
    if ndims is not None and value.ndim not in ndims:
        expected = " or ".join(str(d) for d in ndims)
        raise ValueError(
            f"{fn}: {name} must have {expected} dimensions, "
            f"got {value.ndim} (shape {value.shape})")
    return value


def check_positive_int(value, name, fn, minimum=1):
    """Check one integer argument; return it as a Python int."""
    if not is_int(value):
        raise TypeError(
            f"{fn}: {name} must be an int, got {_describe(value)}")
    if value < minimum:
        raise ValueError(
            f"{fn}: {name} must be >= {minimum}, got {value}")
    return int(value)


def sliding_windows(padded, kernel_size, stride, dilation):
    """Strided view of every window of the last len(kernel_size) axes.

    Parameters
    ----------
    padded : ndarray, shape (..., *spatial)
        Already padded input.
    kernel_size, stride, dilation : tuple of int
        One entry per spatial dimension.

    Returns
    -------
    ndarray, shape (..., *out, *kernel_size)
        A read-only view (no copy); `out[d]` is
        ``(spatial[d] - dilation[d] * (kernel_size[d] - 1) - 1)
        // stride[d] + 1``.
    """
    conv_size = _conv_size()
    n = len(kernel_size)
    strides = padded.strides[-n:]
    out, steps, taps = [], [], []
    for size, k, s, d, st in zip(padded.shape[-n:], kernel_size, stride,
                                 dilation, strides):
        out.append(conv_size(size, k, s, (0, 0), d))
        steps.append(st * s)
        taps.append(st * d)
    return strided_view(
        padded, padded.shape[:-n] + tuple(out) + tuple(kernel_size),
        padded.strides[:-n] + tuple(steps) + tuple(taps))


@functools.cache
def _conv_size():
    """The output-size formula, from the argument layer (imported late:
    that layer imports this module)."""
    from ._args.conv import conv_size
    return conv_size


def strided_view(base, shape, strides):
    """A read-only view of `base` with the given shape and byte strides.

    Like ``np.lib.stride_tricks.as_strided(..., writeable=False)``, and
    as unchecked: every position must lie inside `base`. For a
    C-contiguous base it builds the view directly, four times faster.
    """
    if base.flags.c_contiguous:
        view = np.ndarray(shape, base.dtype, buffer=base, strides=strides)
    else:
        view = np.lib.stride_tricks.as_strided(base, shape, strides,
                                               writeable=False)
    view.flags.writeable = False
    return view
