"""Activation functions in NumPy, forward and backward.

Each ``f`` has the signature and defaults of ``torch.nn.functional.f``;
``f_backward(grad_output, <f's arguments>)`` returns the gradient with
respect to ``input`` (``prelu_backward`` also the weight's).  ``inplace``
is accepted so calls written for torch run unchanged, but it is ignored:
a new array is always returned.

Everything is computed in the input's dtype (float32 or float64; other
real arrays become float64) except `gelu`, which goes through float64.
The functions are written not to overflow: ``exp`` is only ever taken of
numbers <= 0, so ``sigmoid``, ``softplus``, ``elu``, ``mish``,
``log_softmax`` and the rest stay finite and warning-free at +-1e30.
Results below about ``8 * finfo(dtype).tiny`` are flushed to zero
instead of becoming subnormal.
"""
import numbers

import numpy as np

from .._util import _describe, check_array, is_int

__all__ = [
    "sigmoid", "sigmoid_backward", "tanh", "tanh_backward",
    "relu", "relu_backward", "leaky_relu", "leaky_relu_backward",
    "prelu", "prelu_backward", "rrelu", "rrelu_backward",
    "elu", "elu_backward", "selu", "selu_backward",
    "celu", "celu_backward", "gelu", "gelu_backward",
    "silu", "silu_backward", "mish", "mish_backward",
    "softplus", "softplus_backward", "hardtanh", "hardtanh_backward",
    "hardsigmoid", "hardsigmoid_backward",
    "hardswish", "hardswish_backward",
    "softmax", "softmax_backward", "log_softmax", "log_softmax_backward",
]

# SELU constants (Klambauer et al. 2017), as torch uses them.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
_SQRT1_2 = 0.70710678118654752440
_INV_SQRT_2PI = 0.39894228040143267794
_SQRT_2_OVER_PI = 0.79788456080286535588
_GELU_KAPPA = 0.044715


# --------------------------------------------------------------------------
# shared helpers
# --------------------------------------------------------------------------

def _input(input, fn):
    """`input` as a float ndarray, for function `fn`."""
    return check_array(input, "input", fn)


def _grad(grad_output, x, fn):
    """`grad_output` as an array of `x`'s shape and dtype."""
    g = check_array(grad_output, "grad_output", fn)
    if g.shape != x.shape:
        raise ValueError(
            f"{fn}: grad_output must have the shape of input {x.shape}, "
            f"got shape {g.shape}")
    return g.astype(x.dtype, copy=False)


def _real(value, name, fn):
    """Check a real-number argument; return it as a Python float."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(
            f"{fn}: {name} must be a real number, got {_describe(value)}")
    return float(value)


def _exp(z):
    """``exp(z)`` for ``z <= 0`` without underflow: tiny results are 0."""
    floor = np.log(np.finfo(z.dtype).tiny) + 2.0
    return np.exp(z, out=np.zeros_like(z), where=z > floor)


def _sigmoid_parts(x):
    """``(sigmoid(x), exp(-|x|) / (1 + exp(-|x|))**2)`` computed stably.

    The second value is the derivative ``sigmoid(x) * sigmoid(-x)``.
    """
    e = _exp(-np.abs(x))
    p = 1.0 / (1.0 + e)
    return np.where(x >= 0, p, e * p), e * p * p


def _softplus(x):
    """``log(1 + exp(x))`` without overflow."""
    return np.maximum(x, 0) + np.log1p(_exp(-np.abs(x)))


# --------------------------------------------------------------------------
# erf: NumPy has none, so here is a vectorised one
# --------------------------------------------------------------------------
# Rational approximations and constants from fdlibm's s_erf.c (Copyright
# (C) 1993 by Sun Microsystems, Inc.; "Permission to use, copy, modify,
# and distribute this software is freely granted, provided that this
# notice is preserved."), evaluated here on whole arrays.  Error < 1 ulp.
_ERX = 8.45062911510467529297e-01
_PP = (1.28379167095512558561e-01, -3.25042107247001499370e-01,
       -2.84817495755985104766e-02, -5.77027029648944159157e-03,
       -2.37630166566501626084e-05)
_QQ = (1.0, 3.97917223959155352819e-01, 6.50222499887672944485e-02,
       5.08130628187576562776e-03, 1.32494738004321644526e-04,
       -3.96022827877536812320e-06)
_PA = (-2.36211856075265944077e-03, 4.14856118683748331666e-01,
       -3.72207876035701323847e-01, 3.18346619901161753674e-01,
       -1.10894694282396677476e-01, 3.54783043256182359371e-02,
       -2.16637559486879084300e-03)
_QA = (1.0, 1.06420880400844228286e-01, 5.40397917702171048937e-01,
       7.18286544141962662868e-02, 1.26171219808761642112e-01,
       1.36370839120290507362e-02, 1.19844998467991074170e-02)
_RA = (-9.86494403484714822705e-03, -6.93858572707181764372e-01,
       -1.05586262253232909814e+01, -6.23753324503260060396e+01,
       -1.62396669462573470355e+02, -1.84605092906711035994e+02,
       -8.12874355063065934246e+01, -9.81432934416914548592e+00)
_SA = (1.0, 1.96512716674392571292e+01, 1.37657754143519042600e+02,
       4.34565877475229228821e+02, 6.45387271733267880336e+02,
       4.29008140027567833386e+02, 1.08635005541779435134e+02,
       6.57024977031928170135e+00, -6.04244152148580987438e-02)
_RB = (-9.86494292470009928597e-03, -7.99283237680523006574e-01,
       -1.77579549177547519889e+01, -1.60636384855821916062e+02,
       -6.37566443368389627722e+02, -1.02509513161107724954e+03,
       -4.83519191608651397019e+02)
_SB = (1.0, 3.03380607434824582924e+01, 3.25792512996573918826e+02,
       1.53672958608443695994e+03, 3.19985821950859553908e+03,
       2.55305040643316442583e+03, 4.74528541206955367215e+02,
       -2.24409524465858183362e+01)
_HIGH_WORD = np.uint64(0xFFFFFFFF00000000)


def _horner(coefs, t):
    """``sum(c[k] * t**k)``, coefficients from the constant term up."""
    result = np.full_like(t, coefs[-1])
    for c in coefs[-2::-1]:
        result = result * t + c
    return result


def _erfc_tail(a):
    """``erfc(a)`` for ``a >= 1.25`` (``a`` float64, >= 0); 0 past 28."""
    a = np.clip(a, 1.25, 28.0)
    s = 1.0 / (a * a)
    ratio = np.where(a < 1 / 0.35, _horner(_RA, s) / _horner(_SA, s),
                     _horner(_RB, s) / _horner(_SB, s))
    # z is a with its low 32 bits cleared, so z * z is exact
    z = (a.view(np.uint64) & _HIGH_WORD).view(np.float64)
    return _exp(-z * z - 0.5625) * np.exp((z - a) * (z + a) + ratio) / a


def _erf_erfc(x):
    """``(erf(x), erfc(x))`` of a float64 array, each within 1 ulp.

    Three ranges of ``a = |x|``: a rational function of ``a**2`` below
    0.84375, of ``a - 1`` below 1.25, and ``exp(-a**2)`` times a rational
    function of ``1 / a**2`` above (fdlibm's s_erf.c).
    """
    a = np.abs(x)
    a_small = np.minimum(a, 0.84375)
    y = _horner(_PP, a_small ** 2) / _horner(_QQ, a_small ** 2)
    s = np.clip(a, 0.84375, 1.25) - 1.0
    m = _horner(_PA, s) / _horner(_QA, s)
    tail = _erfc_tail(a)
    small, mid = a < 0.84375, a < 1.25
    erf_small = a_small + a_small * y
    erf_a = np.where(small, erf_small, np.where(mid, _ERX + m, 1.0 - tail))
    erfc_small = np.where(a < 0.25, 1.0 - erf_small,
                          0.5 - (a_small * y + (a_small - 0.5)))
    erfc_a = np.where(small, erfc_small,
                      np.where(mid, (1.0 - _ERX) - m, tail))
    return np.copysign(erf_a, x), np.where(x < 0, 1.0 + erf_a, erfc_a)


def _erf(x):
    """Error function of a float64 array (see `_erf_erfc`)."""
    return _erf_erfc(np.asarray(x, dtype=np.float64))[0]


def _erfc(x):
    """Complementary error function ``1 - erf(x)``, accurate in the tail."""
    return _erf_erfc(np.asarray(x, dtype=np.float64))[1]


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
    return _sigmoid_parts(_input(input, "sigmoid"))[0]


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
    return g * _sigmoid_parts(x)[1]


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
# the ReLU family
# --------------------------------------------------------------------------

def relu(input, inplace=False):
    """Rectified linear unit ``max(0, x)``, elementwise.

    Parameters
    ----------
    input : ndarray, shape (*)
    inplace : bool
        Ignored (a new array is returned); accepted as in torch.

    Returns
    -------
    ndarray, shape (*)
        Same shape and dtype as `input`.
    """
    return np.maximum(_input(input, "relu"), 0)


def relu_backward(grad_output, input, inplace=False):
    """Gradient of `relu`: `grad_output` where x > 0, else 0.

    Parameters
    ----------
    grad_output : ndarray, shape (*)
        Gradient of the loss with respect to ``relu(input)``.
    input : ndarray, shape (*)
        The input given to `relu`.
    inplace : bool
        Ignored.

    Returns
    -------
    ndarray, shape (*)
        Gradient with respect to `input` (0 at x == 0, as torch).
    """
    x = _input(input, "relu_backward")
    return _grad(grad_output, x, "relu_backward") * (x > 0)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """Leaky ReLU: ``x`` for x > 0, ``negative_slope * x`` otherwise.

    Parameters
    ----------
    input : ndarray, shape (*)
    negative_slope : float
        Slope of the negative part.
    inplace : bool
        Ignored.

    Returns
    -------
    ndarray, shape (*)
        Same shape and dtype as `input`.
    """
    x = _input(input, "leaky_relu")
    slope = _real(negative_slope, "negative_slope", "leaky_relu")
    return np.where(x > 0, x, x * slope)


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
        Ignored.

    Returns
    -------
    ndarray, shape (*)
        Gradient with respect to `input`.
    """
    fn = "leaky_relu_backward"
    x = _input(input, fn)
    g = _grad(grad_output, x, fn)
    slope = _real(negative_slope, "negative_slope", fn)
    return np.where(x > 0, g, g * slope)


def _prelu_weight(x, weight, fn):
    """PReLU weight as an array that broadcasts over channel dim 1."""
    w = check_array(weight, "weight", fn, ndims=(0, 1))
    channels = x.shape[1] if x.ndim >= 2 else 1
    if w.size not in (1, channels):
        raise ValueError(
            f"{fn}: weight must have 1 or {channels} elements (the input's "
            f"channels, dim 1 of shape {x.shape}), got shape {w.shape}")
    w = w.astype(x.dtype, copy=False)
    if w.size == 1:
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
    lower = _real(lower, "lower", fn)
    upper = _real(upper, "upper", fn)
    if lower > upper:
        raise ValueError(
            f"{fn}: lower must be <= upper, got lower={lower}, "
            f"upper={upper}")
    if generator is not None and not isinstance(
            generator, np.random.Generator):
        raise TypeError(
            f"{fn}: generator must be a numpy.random.Generator or None, "
            f"got {_describe(generator)}")
    if not training:
        return (lower + upper) / 2
    if noise is not None:
        noise = check_array(noise, "noise", fn)
        if noise.shape != x.shape:
            raise ValueError(
                f"{fn}: noise must have the shape of input {x.shape}, "
                f"got shape {noise.shape}")
        return noise.astype(x.dtype, copy=False)
    if generator is None:
        if fn.endswith("_backward"):
            raise ValueError(
                f"{fn}: training=True needs the forward's slopes: pass "
                f"noise, or a generator in the forward's state; got neither")
        generator = np.random.default_rng()
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
        Ignored.
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
    x = _input(input, "rrelu")
    a = _rrelu_slopes(x, lower, upper, training, generator, noise, "rrelu")
    return np.where(x > 0, x, x * a)


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
        As given to `rrelu`.

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
# exponential units: ELU, SELU, CELU
# --------------------------------------------------------------------------

def _elu(x, alpha, scale, input_scale):
    """torch's elu kernel: ``scale * x`` or ``alpha*scale*expm1(x*is)``."""
    neg = np.minimum(x, 0) * input_scale
    return np.where(x > 0, x * scale, alpha * scale * np.expm1(neg))


def _elu_grad(g, x, alpha, scale, input_scale):
    """Derivative of `_elu` times `g` (x <= 0 takes the exp branch)."""
    neg = _exp(np.minimum(x, 0) * input_scale)
    return np.where(x > 0, g * scale, g * (alpha * scale * input_scale) * neg)


def elu(input, alpha=1.0, inplace=False):
    """Exponential linear unit: ``x`` for x > 0, ``alpha*(exp(x)-1)`` else.

    Parameters
    ----------
    input : ndarray, shape (*)
    alpha : float
        Value the negative part saturates to is ``-alpha``.
    inplace : bool
        Ignored.

    Returns
    -------
    ndarray, shape (*)
        Same shape and dtype as `input`.
    """
    x = _input(input, "elu")
    return _elu(x, _real(alpha, "alpha", "elu"), 1.0, 1.0)


def elu_backward(grad_output, input, alpha=1.0, inplace=False):
    """Gradient of `elu`: 1 for x > 0, ``alpha * exp(x)`` for x <= 0.

    Parameters
    ----------
    grad_output : ndarray, shape (*)
    input : ndarray, shape (*)
    alpha : float
    inplace : bool
        Ignored.

    Returns
    -------
    ndarray, shape (*)
        Gradient with respect to `input`.
    """
    x = _input(input, "elu_backward")
    g = _grad(grad_output, x, "elu_backward")
    return _elu_grad(g, x, _real(alpha, "alpha", "elu_backward"), 1.0, 1.0)


def selu(input, inplace=False):
    """Scaled ELU: ``scale * elu(x, alpha)`` with torch's fixed constants.

    Parameters
    ----------
    input : ndarray, shape (*)
    inplace : bool
        Ignored.

    Returns
    -------
    ndarray, shape (*)
        ``alpha = 1.6732632423543772``, ``scale = 1.0507009873554805``.
    """
    return _elu(_input(input, "selu"), _SELU_ALPHA, _SELU_SCALE, 1.0)


def selu_backward(grad_output, input, inplace=False):
    """Gradient of `selu`: ``scale`` or ``scale * alpha * exp(x)``.

    Parameters
    ----------
    grad_output : ndarray, shape (*)
    input : ndarray, shape (*)
    inplace : bool
        Ignored.

    Returns
    -------
    ndarray, shape (*)
        Gradient with respect to `input`.
    """
    x = _input(input, "selu_backward")
    g = _grad(grad_output, x, "selu_backward")
    return _elu_grad(g, x, _SELU_ALPHA, _SELU_SCALE, 1.0)


def _celu_alpha(alpha, fn):
    alpha = _real(alpha, "alpha", fn)
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
        Ignored.

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
    return _elu(_input(input, "celu"), alpha, 1.0, 1.0 / alpha)


def celu_backward(grad_output, input, alpha=1.0, inplace=False):
    """Gradient of `celu`: 1 for x > 0, ``exp(x / alpha)`` for x <= 0.

    Parameters
    ----------
    grad_output : ndarray, shape (*)
    input : ndarray, shape (*)
    alpha : float
    inplace : bool
        Ignored.

    Returns
    -------
    ndarray, shape (*)
        Gradient with respect to `input`.
    """
    alpha = _celu_alpha(alpha, "celu_backward")
    x = _input(input, "celu_backward")
    g = _grad(grad_output, x, "celu_backward")
    return _elu_grad(g, x, alpha, 1.0, 1.0 / alpha)


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
        Ignored.

    Returns
    -------
    ndarray, shape (*)
        Same shape and dtype as `input`.
    """
    x = _input(input, "silu")
    return x * _sigmoid_parts(x)[0]


def silu_backward(grad_output, input, inplace=False):
    """Gradient of `silu`: ``s + x * s * (1 - s)``, ``s = sigmoid(x)``.

    Parameters
    ----------
    grad_output : ndarray, shape (*)
    input : ndarray, shape (*)
    inplace : bool
        Ignored.

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
        Ignored.

    Returns
    -------
    ndarray, shape (*)
        Same shape and dtype as `input`.
    """
    x = _input(input, "mish")
    return x * np.tanh(_softplus(x))


def mish_backward(grad_output, input, inplace=False):
    """Gradient of `mish`: ``t + x * sigmoid(x) * (1 - t**2)``.

    Here ``t = tanh(softplus(x))``.

    Parameters
    ----------
    grad_output : ndarray, shape (*)
    input : ndarray, shape (*)
    inplace : bool
        Ignored.

    Returns
    -------
    ndarray, shape (*)
        Gradient with respect to `input`.
    """
    x = _input(input, "mish_backward")
    g = _grad(grad_output, x, "mish_backward")
    t = np.tanh(_softplus(x))
    s = _sigmoid_parts(x)[0]
    return g * (t + x * s * ((1.0 - t) * (1.0 + t)))


def _softplus_args(beta, threshold, fn):
    beta = _real(beta, "beta", fn)
    if beta == 0:
        raise ValueError(f"{fn}: beta must be nonzero, got {beta}")
    return beta, _real(threshold, "threshold", fn)


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
    return np.where(bx > threshold, g, g * _sigmoid_parts(bx)[0])


# --------------------------------------------------------------------------
# piecewise linear: hardtanh, hardsigmoid, hardswish
# --------------------------------------------------------------------------

def _hardtanh_args(min_val, max_val, fn):
    lo = _real(min_val, "min_val", fn)
    hi = _real(max_val, "max_val", fn)
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
        Ignored.

    Returns
    -------
    ndarray, shape (*)
        Same shape and dtype as `input`.
    """
    lo, hi = _hardtanh_args(min_val, max_val, "hardtanh")
    return np.clip(_input(input, "hardtanh"), lo, hi)


def hardtanh_backward(grad_output, input, min_val=-1., max_val=1.,
                      inplace=False):
    """Gradient of `hardtanh`: 1 strictly inside (min_val, max_val), else 0.

    Parameters
    ----------
    grad_output : ndarray, shape (*)
    input : ndarray, shape (*)
    min_val, max_val : float
    inplace : bool
        Ignored.

    Returns
    -------
    ndarray, shape (*)
        Gradient with respect to `input`.
    """
    lo, hi = _hardtanh_args(min_val, max_val, "hardtanh_backward")
    x = _input(input, "hardtanh_backward")
    g = _grad(grad_output, x, "hardtanh_backward")
    return g * ((x > lo) & (x < hi))


def hardsigmoid(input, inplace=False):
    """Piecewise linear sigmoid ``clip(x + 3, 0, 6) / 6``.

    Parameters
    ----------
    input : ndarray, shape (*)
    inplace : bool
        Ignored.

    Returns
    -------
    ndarray, shape (*)
        Same shape and dtype as `input`, in [0, 1].
    """
    return np.clip(_input(input, "hardsigmoid") + 3.0, 0.0, 6.0) / 6.0


def hardsigmoid_backward(grad_output, input, inplace=False):
    """Gradient of `hardsigmoid`: 1/6 on (-3, 3), else 0.

    torch (2.x) multiplies by the float32 value of 1/6 even for float64
    input, so its result differs from this one by about 3e-8 relative.

    Parameters
    ----------
    grad_output : ndarray, shape (*)
    input : ndarray, shape (*)
    inplace : bool
        Ignored.

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
        Ignored.

    Returns
    -------
    ndarray, shape (*)
        Same shape and dtype as `input`.
    """
    x = _input(input, "hardswish")
    return x * np.clip(x + 3.0, 0.0, 6.0) / 6.0


def hardswish_backward(grad_output, input, inplace=False):
    """Gradient of `hardswish`: 0, ``x / 3 + 1/2`` on (-3, 3), then 1.

    Parameters
    ----------
    grad_output : ndarray, shape (*)
    input : ndarray, shape (*)
    inplace : bool
        Ignored.

    Returns
    -------
    ndarray, shape (*)
        Gradient with respect to `input`; at the kinks torch's one-sided
        values: 0 at x = -3 and 1 at x = 3.
    """
    x = _input(input, "hardswish_backward")
    g = _grad(grad_output, x, "hardswish_backward")
    d = np.where(x <= -3, 0.0, np.where(x < 3, x / 3.0 + 0.5, 1.0))
    return (g * d).astype(x.dtype, copy=False)


# --------------------------------------------------------------------------
# softmax, log_softmax
# --------------------------------------------------------------------------

def _softmax_args(input, dim, dtype, fn):
    """``(x, axis)``: `input` cast to `dtype` with a dim for 0-d input.

    ``dim=None`` follows torch's legacy rule: dim 0 for 0-, 1- and 3-d
    input, dim 1 otherwise.
    """
    x = _input(input, fn)
    if dtype is not None:
        try:
            dt = np.dtype(dtype)
        except TypeError as exc:
            raise TypeError(
                f"{fn}: dtype must be a NumPy float dtype or None, "
                f"got {dtype!r}") from exc
        if dt.kind != "f":
            raise TypeError(
                f"{fn}: dtype must be a float dtype, got {dt}")
        x = x.astype(dt)
    if dim is None:
        dim = 0 if x.ndim in (0, 1, 3) else 1
    n = max(x.ndim, 1)
    if not is_int(dim):
        raise TypeError(f"{fn}: dim must be an int or None, got {dim!r}")
    if not -n <= dim < n:
        raise ValueError(
            f"{fn}: dim must be in [{-n}, {n - 1}] for input of shape "
            f"{x.shape}, got {dim}")
    return x, dim % n


def _log_softmax(x, axis):
    """``x - logsumexp(x)`` along `axis` of a >= 1-d array."""
    z = x - np.max(x, axis=axis, keepdims=True, initial=-np.inf)
    return z - np.log(np.sum(_exp(z), axis=axis, keepdims=True))


def _softmax(x, axis):
    z = x - np.max(x, axis=axis, keepdims=True, initial=-np.inf)
    e = _exp(z)
    return e / np.sum(e, axis=axis, keepdims=True)


def softmax(input, dim=None, dtype=None):
    """Softmax ``exp(x) / sum(exp(x))`` along `dim`.

    Parameters
    ----------
    input : ndarray, shape (*)
    dim : int, optional
        Axis to normalise.  None follows torch's deprecated implicit rule
        (dim 0 for 0-, 1- and 3-d input, dim 1 otherwise) but, unlike
        torch, without a warning: pass `dim` to be explicit.
    dtype : numpy float dtype, optional
        Cast `input` to it first; the output has this dtype.

    Returns
    -------
    ndarray, shape (*)
        Same shape as `input`; sums to 1 along `dim`.

    Notes
    -----
    The maximum along `dim` is subtracted before ``exp``, so nothing
    overflows.
    """
    x, axis = _softmax_args(input, dim, dtype, "softmax")
    return _softmax(x.reshape(x.shape or (1,)), axis).reshape(x.shape)


def softmax_backward(grad_output, input, dim=None, dtype=None):
    """Gradient of `softmax`: ``y * (g - sum(g * y, dim))``.

    Parameters
    ----------
    grad_output : ndarray, shape (*)
        Gradient with respect to ``softmax(input, dim, dtype)``.
    input : ndarray, shape (*)
    dim, dtype
        As given to `softmax`.

    Returns
    -------
    ndarray, shape (*)
        Gradient with respect to `input`, in `input`'s dtype.
    """
    fn = "softmax_backward"
    x, axis = _softmax_args(input, dim, dtype, fn)
    g = _grad(grad_output, x, fn).reshape(x.shape or (1,))
    y = _softmax(x.reshape(x.shape or (1,)), axis)
    grad = y * (g - np.sum(g * y, axis=axis, keepdims=True))
    return grad.reshape(x.shape).astype(_input(input, fn).dtype)


def log_softmax(input, dim=None, dtype=None):
    """Log of `softmax`: ``x - logsumexp(x)`` along `dim`.

    Parameters
    ----------
    input : ndarray, shape (*)
    dim : int, optional
        As for `softmax` (None: torch's implicit rule, no warning).
    dtype : numpy float dtype, optional
        Cast `input` to it first.

    Returns
    -------
    ndarray, shape (*)
        Same shape as `input`, values <= 0; finite for finite input
        however large (the maximum is subtracted first).
    """
    x, axis = _softmax_args(input, dim, dtype, "log_softmax")
    return _log_softmax(x.reshape(x.shape or (1,)), axis).reshape(x.shape)


def log_softmax_backward(grad_output, input, dim=None, dtype=None):
    """Gradient of `log_softmax`: ``g - softmax(x) * sum(g, dim)``.

    Parameters
    ----------
    grad_output : ndarray, shape (*)
        Gradient with respect to ``log_softmax(input, dim, dtype)``.
    input : ndarray, shape (*)
    dim, dtype
        As given to `log_softmax`.

    Returns
    -------
    ndarray, shape (*)
        Gradient with respect to `input`, in `input`'s dtype.
    """
    fn = "log_softmax_backward"
    x, axis = _softmax_args(input, dim, dtype, fn)
    g = _grad(grad_output, x, fn).reshape(x.shape or (1,))
    y = _exp(_log_softmax(x.reshape(x.shape or (1,)), axis))
    grad = g - y * np.sum(g, axis=axis, keepdims=True)
    return grad.reshape(x.shape).astype(_input(input, fn).dtype)
