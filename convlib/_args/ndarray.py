"""The array arguments of the NumPy forms (`convlib.naive`,
`convlib.numpy`) and of the figures: any array-like of real numbers."""
import numpy as np

from .base import describe

__all__ = ["check_array"]


def check_array(value, name, fn, ndims=None):
    """Return `value` as an ndarray of floats, checking its number of dims.

    Integer and bool arrays become float64; float arrays keep their
    dtype (and are not copied).

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
                f"{fn}: {name} must be an array, got {describe(value)}"
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
