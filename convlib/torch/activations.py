"""Activation functions in PyTorch, built from tensor primitives.

Written with `torch.where`, `exp`, `expm1`, `log1p` and `erf` so that
autograd derives each derivative, with the same one-sided choice as torch
at every kink (e.g. relu'(0) = 0, hardtanh'(+-1) = 0). Exponentials only
ever see non-positive arguments, so values and gradients stay finite at
+-1000. Nothing here calls the ``torch`` / ``torch.nn.functional`` op of
the same name. `softmax` and `log_softmax` (in `convlib.torch.softmax`)
and `glu` (in `convlib.torch.gated`) are re-exported.
"""
import math

import torch

from .._args import check_real, prelu_channels
from ._common import _check_input
# softmax and log_softmax live in their own module; re-exported here.
from .softmax import log_softmax, softmax  # noqa: F401
from .softmax import __all__ as _softmax_all
from .gated import glu  # noqa: F401

__all__ = [
    "sigmoid", "tanh", "relu", "leaky_relu", "prelu", "rrelu", "elu",
    "selu", "celu", "gelu", "silu", "mish", "softplus", "hardtanh",
    "hardsigmoid", "hardswish", "glu",
] + _softmax_all

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


# ---------------------------------------------------------------- helpers

def _finish(input, result, inplace, fn):
    """Return `result`, or write it into `input` when `inplace`."""
    if not inplace:
        return result
    if input.requires_grad and torch.is_grad_enabled():
        raise ValueError(
            f"{fn}: inplace=True is only supported without autograd, "
            f"got an input that requires grad")
    return input.copy_(result)


def _mirror(x):
    """|x| whose derivative is +1 at 0 (torch.abs has 0 there)."""
    return torch.where(x >= 0, x, -x)


def _negative_part(x):
    """x where x <= 0, else 0: a safe argument for exp and expm1."""
    return torch.where(x > 0, torch.zeros_like(x), x)


def _softplus(x):
    """log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)), never overflows."""
    positive = torch.where(x >= 0, x, torch.zeros_like(x))
    return positive + torch.log1p(torch.exp(-_mirror(x)))


def _tanh(x):
    """tanh from expm1(-2|x|): exact near 0, finite everywhere."""
    a = _mirror(x)
    t = -torch.expm1(-2 * a) / (1 + torch.exp(-2 * a))
    return torch.where(x >= 0, t, -t)


def _sigmoid(x):
    """1 / (1 + exp(-x)), exp only of -|x|."""
    e = torch.exp(-_mirror(x))
    return torch.where(x >= 0, 1 / (1 + e), e / (1 + e))


# ------------------------------------------------------ squashing curves

def sigmoid(input):
    """Logistic sigmoid ``1 / (1 + exp(-x))``, elementwise.

    Parameters
    ----------
    input : Tensor, shape (*)

    Returns
    -------
    Tensor, shape (*)
        In [0, 1]; computed from ``exp(-|x|)`` so it never overflows.

    Raises
    ------
    TypeError
        If `input` is not a floating-point tensor.

    Examples
    --------
    >>> sigmoid(torch.tensor([-1000.0, 0.0, 1000.0]))
    tensor([0.0000, 0.5000, 1.0000])
    """
    return _sigmoid(_check_input(input, "sigmoid"))


def tanh(input):
    """Hyperbolic tangent ``(e^x - e^-x) / (e^x + e^-x)``, elementwise.

    Parameters
    ----------
    input : Tensor, shape (*)

    Returns
    -------
    Tensor, shape (*)
        In [-1, 1].

    Raises
    ------
    TypeError
        If `input` is not a floating-point tensor.
    """
    return _tanh(_check_input(input, "tanh"))


def softplus(input, beta=1, threshold=20):
    """``log(1 + exp(beta * x)) / beta``; x itself above threshold.

    Parameters
    ----------
    input : Tensor, shape (*)
    beta : float
        Sharpness; must not be 0.
    threshold : float
        Where ``beta * x > threshold`` the result is x (as torch).

    Returns
    -------
    Tensor, shape (*)

    Raises
    ------
    TypeError, ValueError
        If `input` is not a floating-point tensor or beta is 0.
    """
    x = _check_input(input, "softplus")
    beta = check_real(beta, "beta", "softplus")
    threshold = check_real(threshold, "threshold", "softplus")
    if beta == 0:
        raise ValueError("softplus: beta must be non-zero, got 0")
    scaled = x * beta
    return torch.where(scaled > threshold, x, _softplus(scaled) / beta)


# ----------------------------------------------------- rectifier family

def relu(input, inplace=False):
    """``max(0, x)``, elementwise; derivative 0 at x = 0 as torch.

    Parameters
    ----------
    input : Tensor, shape (*)
    inplace : bool
        Write the result into `input` (only without autograd).

    Returns
    -------
    Tensor, shape (*)

    Raises
    ------
    TypeError
        If `input` is not a floating-point tensor.
    ValueError
        If `inplace` with an input that requires grad.
    """
    x = _check_input(input, "relu")
    return _finish(x, torch.where(x > 0, x, torch.zeros_like(x)), inplace,
                   "relu")


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """``x`` for x > 0, else ``negative_slope * x``.

    Parameters
    ----------
    input : Tensor, shape (*)
    negative_slope : float
    inplace : bool
        As `relu`.

    Returns
    -------
    Tensor, shape (*)

    Raises
    ------
    TypeError, ValueError
        As `relu`.
    """
    x = _check_input(input, "leaky_relu")
    slope = check_real(negative_slope, "negative_slope", "leaky_relu")
    return _finish(x, torch.where(x > 0, x, x * slope), inplace,
                   "leaky_relu")


def prelu(input, weight):
    """``x`` for x > 0, else ``weight * x`` with a learned weight.

    Parameters
    ----------
    input : Tensor, shape (N, C, *) or (*) for ndim < 2
    weight : Tensor, shape (1,) or (C,)
        One slope shared, or one per channel (axis 1 of `input`).

    Returns
    -------
    Tensor, shape of `input`

    Raises
    ------
    TypeError
        If an argument is not a floating-point tensor.
    ValueError
        If `weight` has neither 1 nor C elements.
    """
    x = _check_input(input, "prelu")
    w = _check_input(weight, "prelu")
    if prelu_channels("prelu", tuple(x.shape), tuple(w.shape)) > 1:
        w = w.reshape((1, -1) + (1,) * (x.dim() - 2))
    else:
        w = w.reshape(())
    return torch.where(x > 0, x, w * x)


def _rrelu_slopes(x, lower, upper, generator, noise):
    """Per-element slopes: `noise`, or uniform(lower, upper) draws."""
    if noise is None:
        draw = torch.rand(x.shape, generator=generator, dtype=x.dtype)
        return lower + (upper - lower) * draw
    if not isinstance(noise, torch.Tensor) or noise.shape != x.shape:
        raise ValueError(
            f"rrelu: noise must be a tensor of the input's shape "
            f"{tuple(x.shape)}, got {getattr(noise, 'shape', noise)!r}")
    return noise.to(x.dtype)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False,
          inplace=False, generator=None, noise=None):
    """Randomised leaky ReLU (Xu et al. 2015), as torch's.

    Training: each x <= 0 is multiplied by its own slope drawn from
    uniform(lower, upper). Evaluation: one slope, ``(lower + upper) / 2``.

    Parameters
    ----------
    input : Tensor, shape (*)
    lower, upper : float
        Range of the slopes, ``lower <= upper``.
    training : bool
    inplace : bool
        As `relu`.
    generator : torch.Generator, optional
        Source of the training-mode draws, for reproducibility.
    noise : Tensor, shape (*), optional
        Training-mode slopes to use instead of drawing (entries for
        x > 0 are ignored); torch's `rrelu_with_noise` buffer fits.

    Returns
    -------
    Tensor, shape (*)

    Raises
    ------
    TypeError, ValueError
        As `relu`; also for lower > upper or a noise of the wrong shape.
    """
    x = _check_input(input, "rrelu")
    lower = check_real(lower, "lower", "rrelu")
    upper = check_real(upper, "upper", "rrelu")
    if lower > upper:
        raise ValueError(
            f"rrelu: lower must be <= upper, got lower={lower}, "
            f"upper={upper}")
    if training:
        slope = _rrelu_slopes(x, lower, upper, generator, noise)
    else:
        slope = (lower + upper) / 2
    return _finish(x, torch.where(x > 0, x, x * slope), inplace, "rrelu")


# ------------------------------------------------- exponential rectifiers

def _elu(x, alpha, scale, input_scale):
    """scale * (x if x > 0 else alpha * expm1(input_scale * x))."""
    negative = alpha * torch.expm1(input_scale * _negative_part(x))
    return scale * torch.where(x > 0, x, negative)


def elu(input, alpha=1.0, inplace=False):
    """``x`` for x > 0, else ``alpha * (exp(x) - 1)``.

    Parameters
    ----------
    input : Tensor, shape (*)
    alpha : float
    inplace : bool
        As `relu`.

    Returns
    -------
    Tensor, shape (*)

    Raises
    ------
    TypeError, ValueError
        As `relu`.
    """
    x = _check_input(input, "elu")
    alpha = check_real(alpha, "alpha", "elu")
    return _finish(x, _elu(x, alpha, 1.0, 1.0), inplace, "elu")


def selu(input, inplace=False):
    """``scale * elu(x, alpha)`` with Klambauer et al.'s constants.

    Parameters
    ----------
    input : Tensor, shape (*)
    inplace : bool
        As `relu`.

    Returns
    -------
    Tensor, shape (*)

    Raises
    ------
    TypeError, ValueError
        As `relu`.
    """
    x = _check_input(input, "selu")
    return _finish(x, _elu(x, _SELU_ALPHA, _SELU_SCALE, 1.0), inplace,
                   "selu")


def celu(input, alpha=1.0, inplace=False):
    """``x`` for x > 0, else ``alpha * (exp(x / alpha) - 1)``.

    Parameters
    ----------
    input : Tensor, shape (*)
    alpha : float
        Must not be 0.
    inplace : bool
        As `relu`.

    Returns
    -------
    Tensor, shape (*)

    Raises
    ------
    TypeError, ValueError
        As `relu`; also for alpha = 0.
    """
    x = _check_input(input, "celu")
    alpha = check_real(alpha, "alpha", "celu")
    if alpha == 0:
        raise ValueError("celu: alpha must be non-zero, got 0")
    return _finish(x, _elu(x, alpha, 1.0, 1.0 / alpha), inplace, "celu")


# ----------------------------------------------------- smooth rectifiers

def gelu(input, approximate="none"):
    """``x * Phi(x)``, Phi the standard normal CDF (Hendrycks & Gimpel).

    Parameters
    ----------
    input : Tensor, shape (*)
    approximate : {'none', 'tanh'}
        'tanh' uses ``0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))``.

    Returns
    -------
    Tensor, shape (*)

    Raises
    ------
    TypeError
        If `input` is not a floating-point tensor.
    ValueError
        For another `approximate`.
    """
    x = _check_input(input, "gelu")
    if approximate == "none":
        return x * 0.5 * (1 + torch.erf(x * math.sqrt(0.5)))
    if approximate == "tanh":
        inner = math.sqrt(2 / math.pi) * (x + 0.044715 * x * x * x)
        return 0.5 * x * (1 + _tanh(inner))
    raise ValueError(
        f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def silu(input, inplace=False):
    """``x * sigmoid(x)`` (also called swish).

    Parameters
    ----------
    input : Tensor, shape (*)
    inplace : bool
        As `relu`.

    Returns
    -------
    Tensor, shape (*)

    Raises
    ------
    TypeError, ValueError
        As `relu`.
    """
    x = _check_input(input, "silu")
    return _finish(x, x * _sigmoid(x), inplace, "silu")


def mish(input, inplace=False):
    """``x * tanh(softplus(x))`` (Misra 2019).

    Parameters
    ----------
    input : Tensor, shape (*)
    inplace : bool
        As `relu`.

    Returns
    -------
    Tensor, shape (*)

    Raises
    ------
    TypeError, ValueError
        As `relu`.
    """
    x = _check_input(input, "mish")
    return _finish(x, x * _tanh(_softplus(x)), inplace, "mish")


# -------------------------------------------------------- hard variants

def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """x clipped to [min_val, max_val]; derivative 0 at both ends.

    Parameters
    ----------
    input : Tensor, shape (*)
    min_val, max_val : float
        ``min_val <= max_val``.
    inplace : bool
        As `relu`.

    Returns
    -------
    Tensor, shape (*)

    Raises
    ------
    TypeError, ValueError
        As `relu`; also for min_val > max_val.
    """
    x = _check_input(input, "hardtanh")
    low = check_real(min_val, "min_val", "hardtanh")
    high = check_real(max_val, "max_val", "hardtanh")
    if low > high:
        raise ValueError(
            f"hardtanh: min_val must be <= max_val, got min_val={low}, "
            f"max_val={high}")
    clipped = torch.where(x >= high, torch.full_like(x, high), x)
    return _finish(x, torch.where(x <= low, torch.full_like(x, low),
                                  clipped), inplace, "hardtanh")


def hardsigmoid(input, inplace=False):
    """``(x + 3) / 6`` clipped to [0, 1]; derivative 0 at x = +-3.

    Parameters
    ----------
    input : Tensor, shape (*)
    inplace : bool
        As `relu`.

    Returns
    -------
    Tensor, shape (*)

    Raises
    ------
    TypeError, ValueError
        As `relu`.
    """
    x = _check_input(input, "hardsigmoid")
    inside = torch.where(x >= 3, torch.ones_like(x), (x + 3) / 6)
    return _finish(x, torch.where(x <= -3, torch.zeros_like(x), inside),
                   inplace, "hardsigmoid")


def hardswish(input, inplace=False):
    """``x * hardsigmoid(x)`` (Howard et al. 2019, MobileNetV3).

    As torch, the derivative is 0 at x = -3 and 1 at x = 3.

    Parameters
    ----------
    input : Tensor, shape (*)
    inplace : bool
        As `relu`.

    Returns
    -------
    Tensor, shape (*)

    Raises
    ------
    TypeError, ValueError
        As `relu`.
    """
    x = _check_input(input, "hardswish")
    inside = torch.where(x >= 3, x, x * (x + 3) / 6)
    return _finish(x, torch.where(x <= -3, torch.zeros_like(x), inside),
                   inplace, "hardswish")
