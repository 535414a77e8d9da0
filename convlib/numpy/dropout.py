"""Dropout in NumPy, forward and backward, reproducible.

`dropout` zeroes each element with probability `p`, `dropout2d` each
whole channel of each sample; the kept values are divided by ``1 - p``
("inverted" dropout, torch's scaling), so the expected output equals the
input and evaluation mode is the identity. ``p = 1`` gives zeros.

torch's random numbers cannot be reproduced here, so a training-mode
call is made reproducible the way `rrelu` is: pass the `mask` itself
(1 keeps, 0 drops), or a NumPy `generator`, from which the mask is
drawn as ``generator.random(shape) >= p``. The backward needs the same
mask: pass it, or a generator in the forward's state. ``inplace=True``
writes the result into `input` and returns it, as torch does (the
backward ignores it).
"""
import numpy as np

from .._args import check_array, check_grad_shape, describe
from .._args import norm as _norm

__all__ = ["dropout", "dropout_backward", "dropout2d",
           "dropout2d_backward"]


def _mask(fn, x, p, generator, mask, channelwise):
    """The keep mask (0/1 in x's dtype) of one training-mode call."""
    shape = _norm.dropout_mask_shape(fn, x.shape, channelwise)
    if generator is not None and not isinstance(generator,
                                                np.random.Generator):
        raise TypeError(
            f"{fn}: generator must be a numpy.random.Generator or None, "
            f"got {describe(generator)}")
    if mask is not None:
        m = check_array(mask, "mask", fn)
        _norm.check_mask_shape(fn, m.shape, shape, channelwise)
        if not np.all((m == 0) | (m == 1)):
            raise ValueError(
                f"{fn}: mask must hold only 0 (drop) and 1 (keep), got "
                f"values such as {m[(m != 0) & (m != 1)].flat[0]!r}")
        return m.astype(x.dtype, copy=False)
    if generator is None:
        if fn.endswith("_backward"):
            raise ValueError(
                f"{fn}: training=True needs the forward's mask: pass "
                f"mask, or a generator in the forward's state; got "
                f"neither")
        generator = np.random.default_rng()
    return (generator.random(shape) >= p).astype(x.dtype)


def _scale(fn, input, p, training, inplace, generator, mask,
           channelwise):
    """x and the factor it is multiplied by: 1 in evaluation mode (or
    p = 0), else mask / (1 - p) (zeros for p = 1)."""
    x = check_array(input, "input", fn)
    p, training = _norm.dropout_args(fn, p, training, inplace)
    if channelwise:  # the input's dims are checked in every mode
        _norm.dropout_mask_shape(fn, x.shape, channelwise)
    if not training:
        return x, None
    keep = _mask(fn, x, p, generator, mask, channelwise)
    if p == 1:
        return x, np.zeros_like(keep)
    return x, keep / x.dtype.type(1 - p)


def _forward(fn, input, p, training, inplace, generator, mask,
             channelwise):
    x, factor = _scale(fn, input, p, training, inplace, generator, mask,
                       channelwise)
    if inplace:
        _check_writeable(fn, input)
        if factor is not None:
            np.multiply(x, factor, out=x)
        return x
    return x.copy() if factor is None else x * factor


def _check_writeable(fn, input):
    """inplace=True writes into `input`: a writeable float ndarray."""
    if not isinstance(input, np.ndarray):
        raise TypeError(
            f"{fn}: inplace=True needs input to be a NumPy array, got "
            f"{type(input).__name__}")
    if input.dtype.kind != "f":
        raise TypeError(
            f"{fn}: inplace=True needs a floating-point input, got dtype "
            f"{input.dtype}")
    if not input.flags.writeable:
        raise ValueError(
            f"{fn}: inplace=True needs a writeable input, got a "
            f"read-only array")


def _backward(fn, grad_output, input, p, training, inplace, generator,
              mask, channelwise):
    x, factor = _scale(fn, input, p, training, inplace, generator, mask,
                       channelwise)
    g = check_array(grad_output, "grad_output", fn)
    check_grad_shape(fn, g.shape, x.shape)
    g = g.astype(x.dtype, copy=False)
    return g.copy() if factor is None else g * factor


def dropout(input, p=0.5, training=True, inplace=False, generator=None,
            mask=None):
    """Zero each element with probability p, scale the rest by 1/(1-p).

    Parameters
    ----------
    input : ndarray, shape (*)
    p : float
        Probability of dropping an element, 0 <= p <= 1.
    training : bool
        Drop (True) or return the input unchanged (False).
    inplace : bool
        Write the result into `input` (a writeable float ndarray) and
        return it, as torch does.
    generator : numpy.random.Generator, optional
        Source of the mask in training mode, ``generator.random(
        input.shape) >= p``. Default: a fresh, unseeded generator.
    mask : ndarray, shape (*), optional
        The mask itself, 1 to keep and 0 to drop each element; takes
        precedence over `generator`.

    Returns
    -------
    ndarray, shape (*)
        ``input * mask / (1 - p)`` in training mode (zeros for p = 1),
        a copy of `input` in evaluation mode (`input` itself when
        inplace).

    Raises
    ------
    ValueError
        p outside [0, 1]; a mask of the wrong shape or with values other
        than 0 and 1.
    TypeError
        A non-bool `training` or `inplace`; a generator that is not a
        NumPy Generator; ``inplace=True`` with an input that is not a
        float ndarray (ValueError if it is read-only).

    Examples
    --------
    >>> dropout(np.ones(4), 0.5, mask=np.array([1, 0, 0, 1]))
    array([2., 0., 0., 2.])
    """
    return _forward("dropout", input, p, training, inplace, generator,
                    mask, channelwise=False)


def dropout_backward(grad_output, input, p=0.5, training=True,
                     inplace=False, generator=None, mask=None):
    """Gradient of `dropout`: grad_output times the forward's factor.

    ``grad_output * mask / (1 - p)`` in training mode (the mask of the
    forward pass: pass it, or a generator in the state the forward's
    had), ``grad_output`` in evaluation mode.

    Parameters
    ----------
    grad_output : ndarray, shape (*)
    input, p, training, inplace, generator, mask
        As given to `dropout`.

    Returns
    -------
    ndarray, shape (*)
        Gradient with respect to `input`.

    Raises
    ------
    ValueError
        As `dropout`; training mode with neither mask nor generator.
    """
    return _backward("dropout_backward", grad_output, input, p, training,
                     inplace, generator, mask, channelwise=False)


def dropout2d(input, p=0.5, training=True, inplace=False, generator=None,
              mask=None):
    """Zero whole channels with probability p, scale the rest by 1/(1-p).

    One draw per (sample, channel): a dropped channel is zero at every
    spatial position (Tompson et al. 2015's spatial dropout), so
    neighbouring, correlated activations are dropped together.

    Parameters
    ----------
    input : ndarray, shape (N, C, H, W) or (N, C, L)
        A 3-d input is read as (N, C, L), as torch 2.x reads it (torch
        warns that a later release will read it as unbatched
        (C, H, W)); other dims are refused (torch warns and goes on).
    p : float
        Probability of dropping a channel, 0 <= p <= 1.
    training : bool
    inplace : bool
        As `dropout`.
    generator : numpy.random.Generator, optional
        Source of the mask, ``generator.random((N, C, 1, 1)) >= p``.
    mask : ndarray, shape (N, C, 1, 1) or (N, C, 1), optional
        One entry per channel (torch's noise shape), 1 keeps, 0 drops.

    Returns
    -------
    ndarray, shape of `input`

    Raises
    ------
    ValueError, TypeError
        As `dropout`; an input that is not 3-d or 4-d.
    """
    return _forward("dropout2d", input, p, training, inplace, generator,
                    mask, channelwise=True)


def dropout2d_backward(grad_output, input, p=0.5, training=True,
                       inplace=False, generator=None, mask=None):
    """Gradient of `dropout2d`: grad_output times the forward's factor.

    Parameters
    ----------
    grad_output : ndarray, shape of `input`
    input, p, training, inplace, generator, mask
        As given to `dropout2d`.

    Returns
    -------
    ndarray, shape of `input`
        ``grad_output * mask / (1 - p)`` in training mode, grad_output
        in evaluation mode.

    Raises
    ------
    ValueError
        As `dropout2d`; training mode with neither mask nor generator.
    """
    return _backward("dropout2d_backward", grad_output, input, p,
                     training, inplace, generator, mask, channelwise=True)
