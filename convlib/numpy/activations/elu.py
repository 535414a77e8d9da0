"""Exponential units, forward and backward: elu, selu, celu."""
import numpy as np

from ..._args import check_real
from ._common import _exp, _grad, _input, _result

__all__ = [
    "elu", "elu_backward", "selu", "selu_backward", "celu", "celu_backward",
]

# SELU constants (Klambauer et al. 2017), as torch uses them.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _elu(x, alpha, scale, input_scale):
    """torch's elu kernel: ``scale * x`` or ``alpha*scale*expm1(x*is)``."""
    neg = np.minimum(x, 0) * input_scale
    return np.where(x > 0, x * scale, alpha * scale * np.expm1(neg))


def _elu_grad(g, x, alpha, scale, input_scale):
    """Derivative of `_elu` times `g` (x <= 0 takes the exp branch; a
    NaN x the other, as torch)."""
    neg = _exp(np.minimum(x, 0) * input_scale)
    return np.where(x <= 0, g * (alpha * scale * input_scale) * neg,
                    g * scale)


def elu(input, alpha=1.0, inplace=False):
    """Exponential linear unit: ``x`` for x > 0, ``alpha*(exp(x)-1)`` else.

    Parameters
    ----------
    input : ndarray, shape (*)
    alpha : float
        Value the negative part saturates to is ``-alpha``.
    inplace : bool
        Write the result into `input` and return `input`, as torch
        does; `input` must then be a writeable float array.

    Returns
    -------
    ndarray, shape (*)
        Same shape and dtype as `input`.
    """
    x = _input(input, "elu", inplace)
    alpha = check_real(alpha, "alpha", "elu")
    return _result(x, _elu(x, alpha, 1.0, 1.0), inplace)


def elu_backward(grad_output, input, alpha=1.0, inplace=False):
    """Gradient of `elu`: 1 for x > 0, ``alpha * exp(x)`` for x <= 0.

    Parameters
    ----------
    grad_output : ndarray, shape (*)
    input : ndarray, shape (*)
    alpha : float
    inplace : bool
        Not used. `input` is the forward's input: an in-place forward
        overwrote it, so keep a copy for the backward.

    Returns
    -------
    ndarray, shape (*)
        Gradient with respect to `input`.
    """
    x = _input(input, "elu_backward")
    g = _grad(grad_output, x, "elu_backward")
    alpha = check_real(alpha, "alpha", "elu_backward")
    return _elu_grad(g, x, alpha, 1.0, 1.0)


def selu(input, inplace=False):
    """Scaled ELU: ``scale * elu(x, alpha)`` with torch's fixed constants.

    Parameters
    ----------
    input : ndarray, shape (*)
    inplace : bool
        Write the result into `input` and return `input`, as torch
        does; `input` must then be a writeable float array.

    Returns
    -------
    ndarray, shape (*)
        ``alpha = 1.6732632423543772``, ``scale = 1.0507009873554805``.
    """
    x = _input(input, "selu", inplace)
    return _result(x, _elu(x, _SELU_ALPHA, _SELU_SCALE, 1.0), inplace)


def selu_backward(grad_output, input, inplace=False):
    """Gradient of `selu`: ``scale`` or ``scale * alpha * exp(x)``.

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
    x = _input(input, "selu_backward")
    g = _grad(grad_output, x, "selu_backward")
    return _elu_grad(g, x, _SELU_ALPHA, _SELU_SCALE, 1.0)


def _celu_alpha(alpha, fn):
    alpha = check_real(alpha, "alpha", fn)
    if alpha == 0:
        raise ValueError(f"{fn}: alpha must be nonzero, got {alpha}")
    return alpha


def celu(input, alpha=1.0, inplace=False):
    """Continuously differentiable ELU: ``alpha * (exp(x/alpha) - 1)``.

    ``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``.

    Parameters
    ----------
    input : ndarray, shape (*)
    alpha : float
        Nonzero; stable (no overflow) for alpha > 0.
    inplace : bool
        Write the result into `input` and return `input`, as torch
        does; `input` must then be a writeable float array.

    Returns
    -------
    ndarray, shape (*)
        Same shape and dtype as `input`.

    Raises
    ------
    ValueError
        If ``alpha == 0``.
    """
    alpha = _celu_alpha(alpha, "celu")
    x = _input(input, "celu", inplace)
    return _result(x, _elu(x, alpha, 1.0, 1.0 / alpha), inplace)


def celu_backward(grad_output, input, alpha=1.0, inplace=False):
    """Gradient of `celu`: 1 for x > 0, ``exp(x / alpha)`` for x <= 0.

    Parameters
    ----------
    grad_output : ndarray, shape (*)
    input : ndarray, shape (*)
    alpha : float
    inplace : bool
        Not used. `input` is the forward's input: an in-place forward
        overwrote it, so keep a copy for the backward.

    Returns
    -------
    ndarray, shape (*)
        Gradient with respect to `input`.
    """
    alpha = _celu_alpha(alpha, "celu_backward")
    x = _input(input, "celu_backward")
    g = _grad(grad_output, x, "celu_backward")
    return _elu_grad(g, x, alpha, 1.0, 1.0 / alpha)
