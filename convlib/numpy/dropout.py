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

from .. import _args
from .activations._common import _grad, _input, _result

__all__ = ["dropout", "dropout_backward", "dropout2d",
           "dropout2d_backward"]


def _factor(fn, x, p, training, inplace, generator, mask, channelwise):
    """What x is multiplied by: None in evaluation mode, else the keep
    mask / (1 - p) (zeros for p = 1)."""
    p, training = _args.dropout_args(fn, p, training, inplace)
    shape = _args.dropout_mask_shape(fn, x.shape, channelwise)
    if not training:
        return None
    keep = _args.keep_mask(fn, shape, x.dtype, p, generator, mask,
                           channelwise)
    if p == 1:
        return np.zeros_like(keep)
    return keep / x.dtype.type(1 - p)


def _forward(fn, input, p, training, inplace, generator, mask,
             channelwise):
    x = _input(input, fn, inplace)
    factor = _factor(fn, x, p, training, inplace, generator, mask,
                     channelwise)
    if factor is None:
        return x if inplace else x.copy()
    return _result(x, x * factor, inplace)


def _backward(fn, grad_output, input, p, training, inplace, generator,
              mask, channelwise):
    x = _input(input, fn)
    factor = _factor(fn, x, p, training, inplace, generator, mask,
                     channelwise)
    g = _grad(grad_output, x, fn)
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
