"""Smooth activations, forward and backward.

sigmoid, tanh and the smooth ReLUs gelu, silu, mish, softplus.
"""
import numpy as np

from ..._args import check_real
from ._common import _exp, _grad, _input, _result
from ._erf import _erfc

__all__ = [
    "sigmoid", "sigmoid_backward", "tanh", "tanh_backward", "gelu",
    "gelu_backward", "silu", "silu_backward", "mish", "mish_backward",
    "softplus", "softplus_backward",
]

_SQRT1_2 = 0.70710678118654752440
_INV_SQRT_2PI = 0.39894228040143267794
_SQRT_2_OVER_PI = 0.79788456080286535588
_GELU_KAPPA = 0.044715


def _exp_terms(x):
    """``(e, p)``: ``e = exp(-|x|) <= 1`` and ``p = 1 / (1 + e)``, from
    which the sigmoid and its derivative are computed without overflow."""
    e = _exp(-np.abs(x))
    return e, 1.0 / (1.0 + e)


def _sigmoid_from(x, e, p):
    """``sigmoid(x)`` from `_exp_terms`: ``p`` for x >= 0 and ``e * p``
    for x < 0, neither of which overflows."""
    return np.where(x >= 0, p, e * p)


def _sigmoid(x):
    """``sigmoid(x)`` computed stably. The forwards need only this:
    computing the derivative too (`_sigmoid_parts`) cost them a pass."""
    return _sigmoid_from(x, *_exp_terms(x))


def _sigmoid_parts(x):
    """``(sigmoid(x), exp(-|x|) / (1 + exp(-|x|))**2)`` computed stably.

    The second value is the derivative ``sigmoid(x) * sigmoid(-x)``.
    """
    e, p = _exp_terms(x)
    return _sigmoid_from(x, e, p), e * p * p


def _softplus(x):
    """``log(1 + exp(x))`` without overflow."""
    return np.maximum(x, 0) + np.log1p(_exp(-np.abs(x)))


# --------------------------------------------------------------------------
# sigmoid, tanh
# --------------------------------------------------------------------------

def sigmoid(input):
    """Logistic sigmoid ``1 / (1 + exp(-x))``, elementwise.

    Parameters
    ----------
    input : ndarray, shape (*)
        Any shape.

    Returns
    -------
    ndarray, shape (*)
        Same shape and dtype as `input`, values in [0, 1].

    Notes
    -----
    Computed as ``1 / (1 + e)`` for x >= 0 and ``e / (1 + e)`` for x < 0
    with ``e = exp(-|x|) <= 1``, so nothing overflows.
    """
    return _sigmoid(_input(input, "sigmoid"))


def sigmoid_backward(grad_output, input):
    """Gradient of `sigmoid`: ``grad_output * s * (1 - s)``.

    Parameters
    ----------
    grad_output : ndarray, shape (*)
        Gradient of the loss with respect to ``sigmoid(input)``.
    input : ndarray, shape (*)
        The input given to `sigmoid`.

    Returns
    -------
    ndarray, shape (*)
        Gradient with respect to `input`.  ``s * (1 - s)`` is computed as
        ``s(x) * s(-x)``, which keeps its accuracy for large ``|x|``.
    """
    x = _input(input, "sigmoid_backward")
    g = _grad(grad_output, x, "sigmoid_backward")
    e, p = _exp_terms(x)
    return g * (e * p * p)


def tanh(input):
    """Hyperbolic tangent, elementwise.

    Parameters
    ----------
    input : ndarray, shape (*)

    Returns
    -------
    ndarray, shape (*)
        Same shape and dtype as `input`, values in [-1, 1].
    """
    return np.tanh(_input(input, "tanh"))


def tanh_backward(grad_output, input):
    """Gradient of `tanh`: ``grad_output * (1 - tanh(x)**2)``.

    Parameters
    ----------
    grad_output : ndarray, shape (*)
        Gradient of the loss with respect to ``tanh(input)``.
    input : ndarray, shape (*)
        The input given to `tanh`.

    Returns
    -------
    ndarray, shape (*)
        Gradient with respect to `input`.
    """
    x = _input(input, "tanh_backward")
    g = _grad(grad_output, x, "tanh_backward")
    return g * (1.0 - np.tanh(x) ** 2)


# --------------------------------------------------------------------------
# smooth ReLUs: GELU, SiLU, Mish, Softplus
# --------------------------------------------------------------------------

def _gelu_approximate(approximate, fn):
    if approximate not in ("none", "tanh"):
        raise ValueError(
            f"{fn}: approximate must be 'none' or 'tanh', "
            f"got {approximate!r}")
    return approximate


def _gelu_tanh_parts(x):
    """``(t, dinner)``: tanh of the inner cubic and its derivative."""
    xc = np.clip(x, -100.0, 100.0)  # tanh is +-1 long before; no x**3 inf
    inner = _SQRT_2_OVER_PI * (xc + _GELU_KAPPA * xc ** 3)
    dinner = _SQRT_2_OVER_PI * (1.0 + 3.0 * _GELU_KAPPA * xc ** 2)
    return np.tanh(inner), dinner


def gelu(input, approximate="none"):
    """Gaussian error linear unit ``x * Phi(x)`` (Hendrycks & Gimpel).

    Parameters
    ----------
    input : ndarray, shape (*)
    approximate : {'none', 'tanh'}
        'none': ``Phi`` is the normal CDF ``erfc(-x / sqrt(2)) / 2``
        (`_erf_erfc`, accurate to 1 ulp); 'tanh':
        ``0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x**3)))``.

    Returns
    -------
    ndarray, shape (*)
        Same shape and dtype as `input` (computed in float64).
    """
    x = _input(input, "gelu")
    z = x.astype(np.float64)
    if _gelu_approximate(approximate, "gelu") == "tanh":
        out = 0.5 * z * (1.0 + _gelu_tanh_parts(z)[0])
    else:
        out = 0.5 * z * _erfc(-z * _SQRT1_2)
    return out.astype(x.dtype, copy=False)


def gelu_backward(grad_output, input, approximate="none"):
    """Gradient of `gelu`: ``Phi(x) + x * phi(x)`` (or the tanh form's).

    Parameters
    ----------
    grad_output : ndarray, shape (*)
    input : ndarray, shape (*)
    approximate : {'none', 'tanh'}

    Returns
    -------
    ndarray, shape (*)
        Gradient with respect to `input`.
    """
    fn = "gelu_backward"
    x = _input(input, fn)
    g = _grad(grad_output, x, fn)
    z = x.astype(np.float64)
    if _gelu_approximate(approximate, fn) == "tanh":
        t, dinner = _gelu_tanh_parts(z)
        d = 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * dinner
    else:
        zc = np.clip(z, -40.0, 40.0)  # exp(-800) is 0 anyway
        pdf = _INV_SQRT_2PI * _exp(-0.5 * zc * zc)
        d = 0.5 * _erfc(-z * _SQRT1_2) + z * pdf
    return (g * d).astype(x.dtype, copy=False)


def silu(input, inplace=False):
    """Sigmoid linear unit (swish) ``x * sigmoid(x)``.

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
    x = _input(input, "silu", inplace)
    return _result(x, x * _sigmoid(x), inplace)


def silu_backward(grad_output, input, inplace=False):
    """Gradient of `silu`: ``s + x * s * (1 - s)``, ``s = sigmoid(x)``.

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
    x = _input(input, "silu_backward")
    g = _grad(grad_output, x, "silu_backward")
    s, ds = _sigmoid_parts(x)
    return g * (s + x * ds)


def mish(input, inplace=False):
    """Mish ``x * tanh(softplus(x))`` (Misra 2019).

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
    x = _input(input, "mish", inplace)
    return _result(x, x * np.tanh(_softplus(x)), inplace)


def mish_backward(grad_output, input, inplace=False):
    """Gradient of `mish`: ``t + x * sigmoid(x) * (1 - t**2)``.

    Here ``t = tanh(softplus(x))``.

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
    x = _input(input, "mish_backward")
    g = _grad(grad_output, x, "mish_backward")
    t = np.tanh(_softplus(x))
    s = _sigmoid(x)
    return g * (t + x * s * ((1.0 - t) * (1.0 + t)))


def _softplus_args(beta, threshold, fn):
    beta = check_real(beta, "beta", fn)
    if beta == 0:
        raise ValueError(f"{fn}: beta must be nonzero, got {beta}")
    return beta, check_real(threshold, "threshold", fn)


def softplus(input, beta=1.0, threshold=20.0):
    """Softplus ``log(1 + exp(beta * x)) / beta``, linear past threshold.

    Parameters
    ----------
    input : ndarray, shape (*)
    beta : float
        Sharpness, nonzero.
    threshold : float
        Where ``beta * x > threshold`` the output is ``x`` (as torch).

    Returns
    -------
    ndarray, shape (*)
        Same shape and dtype as `input`.

    Raises
    ------
    ValueError
        If ``beta == 0``.
    """
    x = _input(input, "softplus")
    beta, threshold = _softplus_args(beta, threshold, "softplus")
    bx = x * beta
    return np.where(bx > threshold, x, _softplus(bx) / beta)


def softplus_backward(grad_output, input, beta=1.0, threshold=20.0):
    """Gradient of `softplus`: ``sigmoid(beta * x)`` (1 past threshold).

    Parameters
    ----------
    grad_output : ndarray, shape (*)
    input : ndarray, shape (*)
    beta, threshold : float

    Returns
    -------
    ndarray, shape (*)
        Gradient with respect to `input`.
    """
    x = _input(input, "softplus_backward")
    g = _grad(grad_output, x, "softplus_backward")
    beta, threshold = _softplus_args(beta, threshold, "softplus_backward")
    bx = x * beta
    return np.where(bx > threshold, g, g * _sigmoid(bx))
