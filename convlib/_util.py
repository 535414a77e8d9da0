"""Small helpers shared by every convlib module.

Nothing here imports torch, matplotlib or ipywidgets, so `convlib.shapes`,
`convlib.naive` and `convlib.numpy` stay importable with NumPy alone.
"""
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
    from ._args.conv import conv_size  # the formula lives there
    n = len(kernel_size)
    lead = padded.shape[:-n]
    spatial = padded.shape[-n:]
    out = tuple(conv_size(size, k, s, (0, 0), d)
                for size, k, s, d in zip(spatial, kernel_size, stride,
                                         dilation))
    strides = padded.strides
    lead_strides = strides[:-n]
    sp_strides = strides[-n:]
    window_strides = tuple(st * s for st, s in zip(sp_strides, stride))
    kernel_strides = tuple(st * d for st, d in zip(sp_strides, dilation))
    return np.lib.stride_tricks.as_strided(
        padded, shape=lead + out + tuple(kernel_size),
        strides=lead_strides + window_strides + kernel_strides,
        writeable=False)
