"""convlib.numpy.activations against torch.nn.functional."""
import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

import convlib.numpy as N
from convlib.numpy.activations import _erf, _erfc
from _compare import TOLERANCES, compare_with_torch

VALUES = st.floats(-50, 50, allow_nan=False, allow_subnormal=False)
SHAPES = array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=5)
EXTREMES = np.array([-1e30, -1000.0, -50.0, -1.0, -0.5, 0.0, 0.5, 1.0,
                     50.0, 1000.0, 1e30])
TORCH_DTYPES = {None: None, np.float32: torch.float32,
                np.float64: torch.float64}


def _sorted_pair(low, high):
    pair = st.tuples(st.floats(low, high), st.floats(low, high))
    return pair.map(sorted)


def _alpha():
    # float32 values: torch's CELU derivative uses 1 / float(alpha)
    return (st.floats(0.125, 3, width=32)
            | st.floats(-3, -0.125, width=32))


# name -> (torch twin, strategy for its keyword arguments)
ELEMENTWISE = {
    "sigmoid": (torch.sigmoid, st.just({})),
    "tanh": (torch.tanh, st.just({})),
    "relu": (F.relu, st.just({})),
    "leaky_relu": (F.leaky_relu, st.fixed_dictionaries(
        {"negative_slope": st.floats(-2, 2)})),
    "rrelu": (F.rrelu, _sorted_pair(0, 1).map(
        lambda p: {"lower": p[0], "upper": p[1], "training": False})),
    "elu": (F.elu, st.fixed_dictionaries({"alpha": st.floats(-3, 3)})),
    "selu": (F.selu, st.just({})),
    "celu": (F.celu, st.fixed_dictionaries({"alpha": _alpha()})),
    "gelu": (F.gelu, st.fixed_dictionaries(
        {"approximate": st.sampled_from(["none", "tanh"])})),
    "silu": (F.silu, st.just({})),
    "mish": (F.mish, st.just({})),
    "softplus": (F.softplus, st.fixed_dictionaries(
        {"beta": _alpha(), "threshold": st.floats(-5, 30)})),
    "hardtanh": (F.hardtanh, _sorted_pair(-10, 10).map(
        lambda p: {"min_val": p[0], "max_val": p[1]})),
    "hardsigmoid": (F.hardsigmoid, st.just({})),
    "hardswish": (F.hardswish, st.just({})),
}
# torch's hardsigmoid backward multiplies by float32(1/6) even in float64
# (see the docstring); every other op meets the float64 tolerance.
LOOSER = {"hardsigmoid": dict(rtol=5e-8, atol=1e-10)}
# Kinks and boundaries where the one-sided choice of derivative matters.
KINKS = np.array([-3.0, -1.0, 0.0, 1.0, 3.0, 20.0, -20.0])


def _ops(name):
    return getattr(N, name), getattr(N, name + "_backward")


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
@given(data=st.data())
def test_elementwise_matches_torch(name, data):
    torch_fn, params = ELEMENTWISE[name]
    x = data.draw(arrays(np.float64, SHAPES, elements=VALUES))
    kwargs = data.draw(params)
    forward, backward = _ops(name)
    compare_with_torch(forward, torch_fn, [x], kwargs, backward=backward,
                       tolerance=LOOSER.get(name))


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_at_kinks_defaults(name):
    torch_fn = ELEMENTWISE[name][0]
    forward, backward = _ops(name)
    compare_with_torch(forward, torch_fn, [KINKS], backward=backward,
                       tolerance=LOOSER.get(name))


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
@pytest.mark.parametrize("grad_value", [2.0, np.inf, -np.inf, np.nan])
def test_non_finite_values_as_torch(name, grad_value):
    """NaN, inf and -inf inputs, and inf or NaN gradients: the values
    and gradients torch gives. A NaN input gives NaN (sigmoid gave 0)
    or takes the branch torch's test sends it to (relu passes g); an
    inf gradient where torch's mask is off gives 0, not inf * 0."""
    torch_fn = ELEMENTWISE[name][0]
    x = np.concatenate([KINKS, [-0.5, 0.5, 7.0, -1e308, 1e308, np.nan,
                                np.inf, -np.inf]])
    g = np.full_like(x, grad_value)
    xt = torch.tensor(x, requires_grad=True)
    kwargs = (dict(training=False) if name == "rrelu" else {})
    want = torch_fn(xt, **kwargs)
    want.backward(torch.tensor(g))
    forward, backward = _ops(name)
    with np.errstate(all="ignore"):  # inf * 0 where torch has NaN too
        got, got_grad = forward(x, **kwargs), backward(g, x, **kwargs)
    tol = LOOSER.get(name) or TOLERANCES[np.float64]
    # NaN where torch has NaN, inf where it has inf (assert_allclose)
    np.testing.assert_allclose(got, want.detach().numpy(), **tol)
    np.testing.assert_allclose(got_grad, xt.grad.numpy(), **tol)


def test_hardsigmoid_backward_is_exactly_one_sixth():
    x = np.array([-3.0, -2.9, 0.0, 2.9, 3.0])
    np.testing.assert_array_equal(N.hardsigmoid_backward(np.ones(5), x),
                                  [0, 1 / 6, 1 / 6, 1 / 6, 0])


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_float32(name, rng):
    torch_fn = ELEMENTWISE[name][0]
    forward, backward = _ops(name)
    x = rng.uniform(-50, 50, (4, 5, 6))
    out = compare_with_torch(forward, torch_fn, [x], backward=backward,
                             dtype=np.float32)
    assert out.dtype == np.float32
    grad = backward(np.ones(x.shape, np.float32), x.astype(np.float32))
    assert grad.dtype == np.float32


# Functions the brief requires to be stable, plus those torch itself
# keeps finite at +-1e30 (torch's tanh-GELU backward is nan there).
STABLE = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "celu",
          "silu", "mish", "softplus", "hardtanh", "hardsigmoid",
          "hardswish", "rrelu", "gelu"]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", sorted(ELEMENTWISE) + ["softmax",
                                                       "log_softmax"])
def test_extremes_finite_and_warning_free(name, dtype):
    forward, backward = _ops(name)
    x = EXTREMES.astype(dtype)
    kwargs = {"dim": 0} if name.endswith("softmax") else {}
    with np.errstate(all="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        out = forward(x, **kwargs)
        grad = backward(np.ones_like(x), x, **kwargs)
    assert out.dtype == dtype and grad.dtype == dtype
    assert np.isfinite(out).all() and np.isfinite(grad).all()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", STABLE)
def test_extremes_match_torch(name, dtype):
    forward, backward = _ops(name)
    tol = LOOSER.get(name) if dtype == np.float64 else None
    compare_with_torch(forward, ELEMENTWISE[name][0], [EXTREMES],
                       backward=backward, dtype=dtype, tolerance=tol)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_extremes_match_torch(name, dtype):
    x = np.stack([EXTREMES, EXTREMES[::-1], np.zeros_like(EXTREMES)])
    forward, backward = _ops(name)
    for dim in (0, 1):
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            compare_with_torch(forward, getattr(F, name), [x],
                               {"dim": dim}, backward=backward, dtype=dtype)


def test_gelu_tanh_extremes_float64():
    compare_with_torch(N.gelu, F.gelu, [EXTREMES], {"approximate": "tanh"},
                       backward=N.gelu_backward)


def test_sigmoid_family_values_at_extremes():
    x = np.array([-1e30, -1000.0, 1000.0, 1e30])
    np.testing.assert_array_equal(N.sigmoid(x), [0, 0, 1, 1])
    np.testing.assert_array_equal(N.softplus(x), [0, 0, 1000, 1e30])
    np.testing.assert_array_equal(N.silu(x), [0, 0, 1000, 1e30])
    np.testing.assert_array_equal(N.mish(x), [0, 0, 1000, 1e30])
    np.testing.assert_array_equal(N.elu(x), [-1, -1, 1000, 1e30])
    np.testing.assert_array_equal(N.log_softmax(x, dim=0),
                                  [-2e30, -1e30 - 1000, -1e30 + 1000, 0])


# --------------------------------------------------------------------------
# softmax, log_softmax
# --------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@given(data=st.data())
def test_softmax_matches_torch(name, data):
    elements = st.floats(-1000, 1000, allow_subnormal=False)
    x = data.draw(arrays(np.float64, SHAPES, elements=elements))
    n = max(x.ndim, 1)
    dim = data.draw(st.integers(-n, n - 1))
    forward, backward = _ops(name)
    compare_with_torch(forward, getattr(F, name), [x], {"dim": dim},
                       backward=backward)


@pytest.mark.filterwarnings("ignore:Implicit dimension choice")
@pytest.mark.parametrize("ndim", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_implicit_dim_is_torchs_rule_without_warning(
        name, ndim, rng):
    x = rng.uniform(-5, 5, (2, 3, 4, 5)[:ndim])
    forward, backward = _ops(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        forward(x)
        backward(np.ones_like(x), x)
    compare_with_torch(forward, getattr(F, name), [x], backward=backward)
    expected_dim = 0 if ndim in (0, 1, 3) else 1
    np.testing.assert_array_equal(forward(x), forward(x, expected_dim))


def _with_torch_dtype(torch_fn):
    def call(input, dim=None, dtype=None):
        return torch_fn(input, dim, dtype=TORCH_DTYPES[dtype])
    return call


@pytest.mark.parametrize("in_dtype, out_dtype", [
    (np.float32, np.float64), (np.float64, np.float32),
    (np.float64, np.float64)])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_dtype_casts(name, in_dtype, out_dtype, rng):
    x = rng.uniform(-50, 50, (3, 4, 5))
    forward, backward = _ops(name)
    tol = TOLERANCES[np.float32] if np.float32 in (in_dtype, out_dtype) \
        else None
    out = compare_with_torch(
        forward, _with_torch_dtype(getattr(F, name)), [x],
        {"dim": 2, "dtype": out_dtype}, backward=backward,
        dtype=in_dtype, tolerance=tol)
    assert out.dtype == out_dtype
    grad = backward(np.ones(x.shape, out_dtype), x.astype(in_dtype), 2,
                    out_dtype)
    assert grad.dtype == in_dtype


# --------------------------------------------------------------------------
# prelu
# --------------------------------------------------------------------------

@st.composite
def prelu_case(draw):
    shape = draw(array_shapes(min_dims=0, max_dims=4, min_side=1,
                              max_side=4))
    channels = shape[1] if len(shape) >= 2 else 1
    weight_shape = draw(st.sampled_from([(1,), (channels,), ()]))
    weights = st.floats(-2, 2)
    return (draw(arrays(np.float64, shape, elements=VALUES)),
            draw(arrays(np.float64, weight_shape, elements=weights)))


@given(prelu_case())
def test_prelu_matches_torch(case):
    compare_with_torch(N.prelu, F.prelu, list(case),
                       backward=N.prelu_backward)


@pytest.mark.parametrize("weight_shape", [(1,), (3,)])
def test_prelu_float32(weight_shape, rng):
    x = rng.uniform(-50, 50, (2, 3, 4, 5))
    w = rng.uniform(0, 1, weight_shape)
    compare_with_torch(N.prelu, F.prelu, [x, w], backward=N.prelu_backward,
                       dtype=np.float32)


# --------------------------------------------------------------------------
# rrelu in training mode
# --------------------------------------------------------------------------

NONZERO = VALUES.filter(lambda v: abs(v) > 1e-3)


@given(data=st.data())
def test_rrelu_training_with_torchs_slopes_as_noise(data):
    x = data.draw(arrays(np.float64, array_shapes(max_dims=3, max_side=5),
                         elements=NONZERO))
    lower, upper = data.draw(_sorted_pair(0, 1))
    seed = data.draw(st.integers(0, 2 ** 31))

    def torch_rrelu(input, lower, upper, training, noise):
        torch.manual_seed(seed)
        return F.rrelu(input, lower, upper, training=training)

    torch.manual_seed(seed)
    out = F.rrelu(torch.from_numpy(x), lower, upper, training=True)
    noise = np.where(x < 0, out.numpy() / x, 1.0)
    kwargs = dict(lower=lower, upper=upper, training=True, noise=noise)
    compare_with_torch(N.rrelu, torch_rrelu, [x], kwargs,
                       backward=N.rrelu_backward)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_rrelu_generator_is_reproducible(dtype, rng):
    x = rng.uniform(-50, 50, (4, 5, 6)).astype(dtype)
    g = rng.standard_normal(x.shape).astype(dtype)
    args = dict(lower=0.1, upper=0.3, training=True)
    out = N.rrelu(x, generator=np.random.default_rng(7), **args)
    again = N.rrelu(x, generator=np.random.default_rng(7), **args)
    other = N.rrelu(x, generator=np.random.default_rng(8), **args)
    np.testing.assert_array_equal(out, again)
    assert out.dtype == dtype and not np.array_equal(out, other)
    neg = x < 0
    np.testing.assert_array_equal(out[~neg], x[~neg])
    slopes = out[neg].astype(np.float64) / x[neg]
    assert slopes.min() >= 0.1 - 1e-6 and slopes.max() < 0.3 + 1e-6
    assert slopes.std() > 0.03  # really random, not the mean
    noise = np.random.default_rng(7).uniform(0.1, 0.3, x.shape)
    np.testing.assert_array_equal(N.rrelu(x, noise=noise, **args), out)
    grad = N.rrelu_backward(g, x, generator=np.random.default_rng(7),
                            **args)
    np.testing.assert_allclose(grad, np.where(neg, g * noise, g),
                               rtol=1e-6)


def test_rrelu_generator_slopes_in_half_open_range():
    x = -np.ones(100_000)
    out = N.rrelu(x, 0.25, 0.5, training=True,
                  generator=np.random.default_rng(0))
    assert (-out >= 0.25).all() and (-out < 0.5).all()


def test_rrelu_eval_uses_mean_slope():
    x = np.array([-4.0, 0.0, 2.0])
    np.testing.assert_allclose(N.rrelu(x, 0.1, 0.3), [-0.8, 0.0, 2.0])
    np.testing.assert_allclose(
        N.rrelu_backward(np.ones(3), x, 0.1, 0.3), [0.2, 0.2, 1.0])


# --------------------------------------------------------------------------
# erf
# --------------------------------------------------------------------------

ERF_X = np.concatenate([np.linspace(-8, 8, 20001),
                        np.logspace(-300, 0.5, 500),
                        -np.logspace(-300, 0.5, 500)])
EPS = np.finfo(np.float64).eps


def _max_rel_error(got, want):
    """Largest relative error; where `want` is 0, `got` must be 0."""
    zero = want == 0
    np.testing.assert_array_equal(got[zero], 0.0)
    return np.max(np.abs(got - want)[~zero] / np.abs(want[~zero]))


def test_erf_matches_math_erf():
    want = np.array([math.erf(v) for v in ERF_X])
    assert _max_rel_error(_erf(ERF_X), want) <= 2 * EPS


def test_erfc_matches_math_erfc_into_the_tail():
    x = np.concatenate([ERF_X, np.linspace(-26, 26, 5001)])
    want = np.array([math.erfc(v) for v in x])
    assert _max_rel_error(_erfc(x), want) <= 4 * EPS


def test_erf_matches_torch():
    t = torch.from_numpy(ERF_X)
    assert _max_rel_error(_erf(ERF_X), torch.erf(t).numpy()) <= 4 * EPS
    assert _max_rel_error(_erfc(ERF_X), torch.erfc(t).numpy()) <= 4 * EPS


def test_erf_limits_without_warnings():
    x = np.array([-np.inf, -1e300, -30.0, 0.0, 30.0, 1e300, np.inf])
    with np.errstate(all="raise"):
        erf, erfc = _erf(x), _erfc(x)
    np.testing.assert_array_equal(erf, [-1, -1, -1, 0, 1, 1, 1])
    np.testing.assert_array_equal(erfc, [2, 2, 2, 1, 0, 0, 0])


# --------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------

X = np.ones((2, 4, 3))


@pytest.mark.parametrize("call, kind, match", [
    (lambda: N.prelu(X, np.ones(3)), ValueError,
     r"^prelu: weight must have 1 or 4 elements.*got shape \(3,\)"),
    (lambda: N.prelu(X, np.ones((1, 4))), ValueError,
     r"^prelu: weight must have 0 or 1 dimensions, got 2"),
    (lambda: N.prelu_backward(X, X, np.ones(2)), ValueError,
     r"^prelu_backward: weight must have 1 or 4 elements"),
    (lambda: N.rrelu(X, 0.5, 0.2), ValueError,
     r"^rrelu: lower must be <= upper, got lower=0.5, upper=0.2"),
    (lambda: N.rrelu(X, training=True, noise=np.ones(3)), ValueError,
     r"^rrelu: noise must have the shape of input \(2, 4, 3\), got"),
    (lambda: N.rrelu(X, training=True, generator=3), TypeError,
     r"^rrelu: generator must be a numpy.random.Generator or None, got 3"),
    (lambda: N.rrelu_backward(X, X, training=True), ValueError,
     r"^rrelu_backward: training=True needs .* noise"),
    (lambda: N.softmax(X, dim=3), ValueError,
     r"^softmax: dim must be in \[-3, 2\] .*got 3"),
    (lambda: N.log_softmax(X, dim=-4), ValueError,
     r"^log_softmax: dim must be in \[-3, 2\] .*got -4"),
    (lambda: N.softmax(X, dim=1.0), TypeError,
     r"^softmax: dim must be an int or None, got 1.0"),
    (lambda: N.log_softmax(X, 1, dtype=np.int32), TypeError,
     r"^log_softmax: dtype must be a float dtype, got int32"),
    (lambda: N.softmax(X, 1, dtype="nonsense"), TypeError,
     r"^softmax: dtype must be a NumPy float dtype or None"),
    (lambda: N.gelu(X, approximate="fast"), ValueError,
     r"^gelu: approximate must be 'none' or 'tanh', got 'fast'"),
    (lambda: N.hardtanh(X, 1.0, -1.0), ValueError,
     r"^hardtanh: min_val must be <= max_val, got min_val=1.0"),
    (lambda: N.celu(X, alpha=0.0), ValueError,
     r"^celu: alpha must be nonzero, got 0.0"),
    (lambda: N.softplus(X, beta=0), ValueError,
     r"^softplus: beta must be nonzero, got 0.0"),
    (lambda: N.leaky_relu(X, negative_slope="0.1"), TypeError,
     r"^leaky_relu: negative_slope must be a real number, got '0.1'"),
    (lambda: N.sigmoid(np.array(["a"])), TypeError,
     r"^sigmoid: input must be a real numeric array"),
    (lambda: N.tanh_backward(np.ones(3), X), ValueError,
     r"^tanh_backward: grad_output must have the shape of input "
     r"\(2, 4, 3\), got shape \(3,\)"),
])
def test_bad_input(call, kind, match):
    with pytest.raises(kind, match=match):
        call()


# --------------------------------------------------------------------------
# glu
# --------------------------------------------------------------------------

@given(data=st.data())
def test_glu_matches_torch(data):
    shape = list(data.draw(array_shapes(min_dims=1, max_dims=4, min_side=1,
                                        max_side=4)))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    shape[dim] *= 2                        # GLU halves an even size
    x = data.draw(arrays(np.float64, tuple(shape), elements=VALUES))
    compare_with_torch(N.glu, F.glu, [x], {"dim": dim},
                       backward=N.glu_backward)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_glu_extremes_match_torch_without_warnings(dtype):
    x = np.stack([EXTREMES, EXTREMES[::-1]])          # halves along dim 0
    with np.errstate(all="raise"):
        out = compare_with_torch(N.glu, F.glu, [x], {"dim": 0},
                                 backward=N.glu_backward, dtype=dtype)
    assert out.shape == (1, EXTREMES.size) and out.dtype == dtype
