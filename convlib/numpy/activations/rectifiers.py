"""ReLU family and piecewise-linear activations, forward and backward.

relu, leaky_relu, prelu, rrelu; hardtanh, hardsigmoid, hardswish.
"""
import numpy as np

from ..._args import (check_array, check_generator, check_real,
                       draw_generator, prelu_channels)
from ._common import _grad, _input, _result, _where

__all__ = [
    "relu", "relu_backward", "leaky_relu", "leaky_relu_backward", "prelu",
    "prelu_backward", "rrelu", "rrelu_backward", "hardtanh",
    "hardtanh_backward", "hardsigmoid", "hardsigmoid_backward", "hardswish",
    "hardswish_backward",
]


# --------------------------------------------------------------------------
# the ReLU family
# --------------------------------------------------------------------------

def relu(input, inplace=False):
    """Rectified linear unit ``max(0, x)``, elementwise.

    Parameters
    ----------
    input : ndarray, shape (*)
    inplace : bool
        Write the result into `input` and return `input`, as torch
        does; `input` must then be a writeable float array.

    Returns
    -------
    ndarray, shape (*)
        Same shape and dtype as `input`.
    """
    x = _input(input, "relu", inplace)
    return _result(x, np.maximum(x, 0), inplace)


def relu_backward(grad_output, input, inplace=False):
    """Gradient of `relu`: `grad_output` where x > 0, else 0.

    Parameters
    ----------
    grad_output : ndarray, shape (*)
        Gradient of the loss with respect to ``relu(input)``.
    input : ndarray, shape (*)
        The input given to `relu`.
    inplace : bool
        Not used. `input` is the forward's input: an in-place forward
        overwrote it, so keep a copy for the backward.

    Returns
    -------
    ndarray, shape (*)
        Gradient with respect to `input` (0 at x == 0, as torch).
    """
    x = _input(input, "relu_backward")
    # not x > 0: a NaN x passes g, as torch
    return _where(np.logical_not(x <= 0),
                  _grad(grad_output, x, "relu_backward"))


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """Leaky ReLU: ``x`` for x > 0, ``negative_slope * x`` otherwise.

    Parameters
    ----------
    input : ndarray, shape (*)
    negative_slope : float
        Slope of the negative part.
    inplace : bool
        Write the result into `input` and return `input`, as torch
        does; `input` must then be a writeable float array.

    Returns
    -------
    ndarray, shape (*)
        Same shape and dtype as `input`.
    """
    x = _input(input, "leaky_relu", inplace)
    slope = check_real(negative_slope, "negative_slope", "leaky_relu")
    return _result(x, np.where(x > 0, x, x * slope), inplace)


def leaky_relu_backward(grad_output, input, negative_slope=0.01,
                        inplace=False):
    """Gradient of `leaky_relu`: 1 where x > 0, `negative_slope` elsewhere.

    Parameters
    ----------
    grad_output : ndarray, shape (*)
        Gradient of the loss with respect to the output.
    input : ndarray, shape (*)
        The input given to `leaky_relu`.
    negative_slope : float
    inplace : bool
        Not used. `input` is the forward's input: an in-place forward
        overwrote it, so keep a copy for the backward.

    Returns
    -------
    ndarray, shape (*)
        Gradient with respect to `input`.
    """
    fn = "leaky_relu_backward"
    x = _input(input, fn)
    g = _grad(grad_output, x, fn)
    slope = check_real(negative_slope, "negative_slope", fn)
    return np.where(x > 0, g, g * slope)


def _prelu_weight(x, weight, fn):
    """PReLU weight as an array that broadcasts over channel dim 1."""
    w = check_array(weight, "weight", fn)
    channels = prelu_channels(fn, x.shape, w.shape)
    w = w.astype(x.dtype, copy=False)
    if channels == 1:
        return w, w.reshape(())
    return w, w.reshape((channels,) + (1,) * (x.ndim - 2))


def prelu(input, weight):
    """Parametric ReLU: ``x`` for x > 0, ``weight[c] * x`` otherwise.

    Parameters
    ----------
    input : ndarray, shape (N, C, *) or (*)
        Channels are dim 1; 0-d and 1-d inputs have one channel.
    weight : ndarray, shape (1,), (C,) or ()
        The learned negative slope, one for all channels or one each.

    Returns
    -------
    ndarray, same shape as `input`

    Raises
    ------
    ValueError
        If `weight` is not 0-d or 1-d, or has neither 1 nor C elements.
    """
    x = _input(input, "prelu")
    w = _prelu_weight(x, weight, "prelu")[1]
    return np.where(x > 0, x, w * x)


def prelu_backward(grad_output, input, weight):
    """Gradients of `prelu` with respect to `input` and `weight`.

    Parameters
    ----------
    grad_output : ndarray, shape of `input`
        Gradient of the loss with respect to ``prelu(input, weight)``.
    input : ndarray, shape (N, C, *) or (*)
    weight : ndarray, shape (1,), (C,) or ()

    Returns
    -------
    grad_input : ndarray, shape of `input`
    grad_weight : ndarray, shape of `weight`
        ``sum(x * grad_output)`` over the elements with x <= 0, over all
        dims but the channel dim (over all dims for a single weight).
    """
    x = _input(input, "prelu_backward")
    g = _grad(grad_output, x, "prelu_backward")
    w, wb = _prelu_weight(x, weight, "prelu_backward")
    grad_input = np.where(x > 0, g, wb * g)
    contrib = np.where(x > 0, 0, x * g)
    if w.size == 1:
        return grad_input, contrib.sum().reshape(w.shape)
    axes = (0,) + tuple(range(2, x.ndim))
    return grad_input, contrib.sum(axis=axes)


def _rrelu_slopes(x, lower, upper, training, generator, noise, fn):
    """Slope for x <= 0: the mean in eval mode, else noise or a draw."""
    lower = check_real(lower, "lower", fn)
    upper = check_real(upper, "upper", fn)
    if lower > upper:
        raise ValueError(
            f"{fn}: lower must be <= upper, got lower={lower}, "
            f"upper={upper}")
    check_generator(generator, fn)
    if not training:
        return (lower + upper) / 2
    if noise is not None:
        noise = check_array(noise, "noise", fn)
        if noise.shape != x.shape:
            raise ValueError(
                f"{fn}: noise must have the shape of input {x.shape}, "
                f"got shape {noise.shape}")
        return noise.astype(x.dtype, copy=False)
    generator = draw_generator(generator, fn, "noise", "slopes")
    return generator.uniform(lower, upper, size=x.shape).astype(x.dtype)


def rrelu(input, lower=1. / 8, upper=1. / 3, training=False,
          inplace=False, generator=None, noise=None):
    """Randomized leaky ReLU (Xu et al. 2015).

    ``x`` for x > 0 and ``a * x`` otherwise.  In training mode ``a`` is
    drawn for every element, uniformly in [lower, upper); in eval mode
    it is the mean ``(lower + upper) / 2``, so rrelu is a `leaky_relu`.

    Parameters
    ----------
    input : ndarray, shape (*)
    lower, upper : float
        Range of the random slope, ``lower <= upper``.
    training : bool
        Draw random slopes (True) or use their mean (False).
    inplace : bool
        Write the result into `input` and return `input`, as torch
        does; `input` must then be a writeable float array.
    generator : numpy.random.Generator, optional
        Source of the slopes in training mode: they are
        ``generator.uniform(lower, upper, size=input.shape)`` (one draw
        per element, also for x > 0 where it is unused; drawn in float64,
        so in float32 a slope may round up to `upper`).  Default: a
        fresh, unseeded generator.
    noise : ndarray, shape (*), optional
        The slopes themselves, one per element, as torch's
        ``rrelu_with_noise`` stores them (the slope where x <= 0; the
        entries where x > 0, 1 in torch, are not used).  Takes precedence
        over `generator`.

    Returns
    -------
    ndarray, shape (*)
        Same shape and dtype as `input`.

    Raises
    ------
    ValueError
        If ``lower > upper`` or `noise` has the wrong shape.
    TypeError
        If `generator` is not a numpy Generator.
    """
    x = _input(input, "rrelu", inplace)
    a = _rrelu_slopes(x, lower, upper, training, generator, noise, "rrelu")
    return _result(x, np.where(x > 0, x, x * a), inplace)


def rrelu_backward(grad_output, input, lower=1. / 8, upper=1. / 3,
                   training=False, inplace=False, generator=None,
                   noise=None):
    """Gradient of `rrelu`: 1 where x > 0, the element's slope elsewhere.

    In training mode the slopes must be those of the forward pass: pass
    the same `noise`, or a `generator` in the state the forward's had
    (e.g. ``np.random.default_rng(seed)`` again), which redraws them.

    Parameters
    ----------
    grad_output : ndarray, shape (*)
        Gradient of the loss with respect to the output.
    input, lower, upper, training, inplace, generator, noise
        As given to `rrelu`; `inplace` is not used (keep a copy of an
        input that an in-place forward overwrote).

    Returns
    -------
    ndarray, shape (*)
        Gradient with respect to `input`.

    Raises
    ------
    ValueError
        In training mode with neither `noise` nor `generator`.
    """
    fn = "rrelu_backward"
    x = _input(input, fn)
    g = _grad(grad_output, x, fn)
    a = _rrelu_slopes(x, lower, upper, training, generator, noise, fn)
    return np.where(x > 0, g, g * a)


# --------------------------------------------------------------------------
# piecewise linear: hardtanh, hardsigmoid, hardswish
# --------------------------------------------------------------------------

def _hardtanh_args(min_val, max_val, fn):
    lo = check_real(min_val, "min_val", fn)
    hi = check_real(max_val, "max_val", fn)
    if lo > hi:
        raise ValueError(
            f"{fn}: min_val must be <= max_val, got min_val={lo}, "
            f"max_val={hi}")
    return lo, hi


def hardtanh(input, min_val=-1., max_val=1., inplace=False):
    """Clip to [min_val, max_val].

    Parameters
    ----------
    input : ndarray, shape (*)
    min_val, max_val : float
        ``min_val <= max_val``.
    inplace : bool
        Write the result into `input` and return `input`, as torch
        does; `input` must then be a writeable float array.

    Returns
    -------
    ndarray, shape (*)
        Same shape and dtype as `input`.
    """
    lo, hi = _hardtanh_args(min_val, max_val, "hardtanh")
    x = _input(input, "hardtanh", inplace)
    return _result(x, np.clip(x, lo, hi), inplace)


def hardtanh_backward(grad_output, input, min_val=-1., max_val=1.,
                      inplace=False):
    """Gradient of `hardtanh`: 1 strictly inside (min_val, max_val), else 0.

    Parameters
    ----------
    grad_output : ndarray, shape (*)
    input : ndarray, shape (*)
    min_val, max_val : float
    inplace : bool
        Not used. `input` is the forward's input: an in-place forward
        overwrote it, so keep a copy for the backward.

    Returns
    -------
    ndarray, shape (*)
        Gradient with respect to `input`.
    """
    lo, hi = _hardtanh_args(min_val, max_val, "hardtanh_backward")
    x = _input(input, "hardtanh_backward")
    g = _grad(grad_output, x, "hardtanh_backward")
    # a NaN x passes g, as torch
    return _where(np.logical_not((x <= lo) | (x >= hi)), g)


def hardsigmoid(input, inplace=False):
    """Piecewise linear sigmoid ``clip(x + 3, 0, 6) / 6``.

    Parameters
    ----------
    input : ndarray, shape (*)
    inplace : bool
        Write the result into `input` and return `input`, as torch
        does; `input` must then be a writeable float array.

    Returns
    -------
    ndarray, shape (*)
        Same shape and dtype as `input`, in [0, 1].
    """
    x = _input(input, "hardsigmoid", inplace)
    return _result(x, np.clip(x + 3.0, 0.0, 6.0) / 6.0, inplace)


def hardsigmoid_backward(grad_output, input, inplace=False):
    """Gradient of `hardsigmoid`: 1/6 on (-3, 3), else 0.

    torch (2.x) multiplies by the float32 value of 1/6 even for float64
    input, so its result differs from this one by about 3e-8 relative.

    Parameters
    ----------
    grad_output : ndarray, shape (*)
    input : ndarray, shape (*)
    inplace : bool
        Not used. `input` is the forward's input: an in-place forward
        overwrote it, so keep a copy for the backward.

    Returns
    -------
    ndarray, shape (*)
        Gradient with respect to `input`.
    """
    x = _input(input, "hardsigmoid_backward")
    g = _grad(grad_output, x, "hardsigmoid_backward")
    return np.where((x > -3) & (x < 3), g / 6.0, 0.0).astype(x.dtype)


def hardswish(input, inplace=False):
    """Hard swish ``x * clip(x + 3, 0, 6) / 6`` (MobileNetV3).

    Parameters
    ----------
    input : ndarray, shape (*)
    inplace : bool
        Write the result into `input` and return `input`, as torch
        does; `input` must then be a writeable float array.

    Returns
    -------
    ndarray, shape (*)
        Same shape and dtype as `input`.
    """
    x = _input(input, "hardswish", inplace)
    return _result(x, x * np.clip(x + 3.0, 0.0, 6.0) / 6.0, inplace)


def hardswish_backward(grad_output, input, inplace=False):
    """Gradient of `hardswish`: 0, ``x / 3 + 1/2`` on (-3, 3), then 1.

    Parameters
    ----------
    grad_output : ndarray, shape (*)
    input : ndarray, shape (*)
    inplace : bool
        Not used. `input` is the forward's input: an in-place forward
        overwrote it, so keep a copy for the backward.

    Returns
    -------
    ndarray, shape (*)
        Gradient with respect to `input`; at the kinks torch's one-sided
        values: 0 at x = -3 and 1 at x = 3.
    """
    x = _input(input, "hardswish_backward")
    g = _grad(grad_output, x, "hardswish_backward")
    d = np.where(x <= -3, 0.0, np.where(x < 3, x / 3.0 + 0.5, 1.0))
    # 0 below -3 whatever g is there; a NaN x passes g, as torch
    return _where(np.logical_not(x <= -3), (g * d).astype(x.dtype,
                                                          copy=False))
