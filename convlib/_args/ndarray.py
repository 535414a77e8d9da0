"""The array arguments of the NumPy forms (`convlib.naive`,
`convlib.numpy`) and of the figures: any array-like of real numbers;
the arrays an op writes into (in-place results, running statistics);
the NumPy generator random draws come from, and dropout's keep mask."""
import numpy as np

from .base import describe
from .norm import check_mask

__all__ = ["check_array", "check_writeable", "check_generator",
           "draw_generator", "keep_mask"]


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


def check_writeable(value, name, fn, why):
    """`value` itself, for an op to write its result into: a writeable
    NumPy array of floats (a list or an int array would be converted,
    and the caller would never see the result).

    Parameters
    ----------
    value : object
        The argument as given.
    name, fn : str
        Argument and function name, for the message.
    why : str
        The setting that makes the op write, e.g. ``"inplace=True"``.

    Raises
    ------
    TypeError
        For a non-array or a non-float array.
    ValueError
        For a read-only array.
    """
    if not isinstance(value, np.ndarray):
        raise TypeError(
            f"{fn}: {why} needs {name} to be a NumPy array to write "
            f"into, got {type(value).__name__}")
    if value.dtype.kind != "f":
        raise TypeError(
            f"{fn}: {why} needs a floating-point {name} to write the "
            f"result into, got dtype {value.dtype}")
    if not value.flags.writeable:
        raise ValueError(
            f"{fn}: {why} needs a writeable {name}, got a read-only array")
    return value


def check_generator(generator, fn):
    """None or a `numpy.random.Generator`: where a NumPy form's random
    draws (rrelu's slopes, dropout's mask) come from.

    Raises
    ------
    TypeError
        For anything else (a seed, a `RandomState`, a torch generator).
    """
    if generator is not None and not isinstance(generator,
                                                np.random.Generator):
        raise TypeError(
            f"{fn}: generator must be a numpy.random.Generator or None, "
            f"got {describe(generator)}")
    return generator


def draw_generator(generator, fn, given, what):
    """The Generator a training-mode draw comes from.

    `generator` when there is one (checked by `check_generator`), else
    a fresh, unseeded one -- except in a backward (`fn` ends in
    ``_backward``), which must redo the forward's draw: there the draw
    itself (the argument `given`, holding the forward's `what`) or a
    generator in the forward's state is required.

    Raises
    ------
    ValueError
        In a backward, for ``generator=None``.
    """
    if generator is not None:
        return check_generator(generator, fn)
    if fn.endswith("_backward"):
        raise ValueError(
            f"{fn}: training=True needs the forward's {what}: pass "
            f"{given}, or a generator in the forward's state; got neither")
    return np.random.default_rng()


def keep_mask(fn, shape, dtype, p, generator, mask, channelwise):
    """Dropout's keep mask for the NumPy forms: 1 keeps, 0 drops.

    `mask` as given (checked), else drawn as ``generator.random(shape)
    >= p`` (a fresh generator in a forward, see `draw_generator`).

    Parameters
    ----------
    fn : str
    shape : tuple of int
        The shape of one draw (`dropout_mask_shape`).
    dtype : numpy dtype
        Of the mask returned (the input's).
    p : float
        The dropout probability, checked.
    generator, mask
        As given to the op.
    channelwise : bool
        One draw per channel (dropout2d), for the message.

    Returns
    -------
    ndarray, shape `shape`, of `dtype`

    Raises
    ------
    TypeError, ValueError
        A generator that is not a NumPy Generator; a mask of the wrong
        shape or with values other than 0 and 1; neither in a backward.
    """
    check_generator(generator, fn)
    if mask is None:
        draw = draw_generator(generator, fn, "mask", "mask")
        return (draw.random(shape) >= p).astype(dtype)
    keep = check_array(mask, "mask", fn)
    wrong = keep[(keep != 0) & (keep != 1)]
    check_mask(fn, keep.shape, shape, channelwise,
               float(wrong.flat[0]) if wrong.size else None)
    return keep.astype(dtype, copy=False)
