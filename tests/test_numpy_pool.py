"""convlib.numpy pooling against torch.nn.functional, forward and backward.

Property-based tests draw the arguments (dimension, batch, kernel,
stride, padding, dilation, ceil_mode, count_include_pad,
divisor_override, return_indices, adaptive and fractional output sizes,
LP norms) and compare values, indices and gradients with torch through
`compare_with_torch`, in float64 and in float32 (`FLOAT32` tolerances).
Inputs are often small integers, so windows hold tied maxima and the
indices show which of them wins. Fixed cases cover NaN, -inf and
padding, and the bad-input table checks that every error starts with
the function's name and names the argument.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, strategies as st

from convlib.numpy import pool, pool_adaptive, pool_lp
from _compare import compare_with_torch

FLOAT32 = dict(rtol=1e-4, atol=1e-5)
DTYPES = [np.float64, np.float32]


def _ops(module, name, dims):
    """{n: (ours, torch's, our backward)} for name{n}d."""
    return {n: (getattr(module, f"{name}{n}d"), getattr(F, f"{name}{n}d"),
                getattr(module, f"{name}{n}d_backward")) for n in dims}


MAX = _ops(pool, "max_pool", (1, 2, 3))
AVG = _ops(pool, "avg_pool", (1, 2, 3))
UNPOOL = _ops(pool, "max_unpool", (1, 2, 3))
LP = _ops(pool_lp, "lp_pool", (1, 2))
ADAPTIVE_AVG = _ops(pool_adaptive, "adaptive_avg_pool", (1, 2))
ADAPTIVE_MAX = _ops(pool_adaptive, "adaptive_max_pool", (1, 2))


def _tolerance(dtype):
    return FLOAT32 if dtype == np.float32 else None


def _compare(ops, arrays, kwargs, dtype):
    """compare_with_torch for ops = (ours, torch's, backward); the output
    keeps the input's float type."""
    forward, torch_forward, backward = ops
    out = compare_with_torch(forward, torch_forward, arrays, kwargs,
                             backward=backward, dtype=dtype,
                             tolerance=_tolerance(dtype))
    first = out[0] if isinstance(out, tuple) else out
    assert first.dtype == dtype
    return out


def _per_dim(draw, n, values):
    """An int or a tuple of n ints drawn from `values`."""
    if draw(st.booleans()):
        return draw(values)
    return tuple(draw(values) for _ in range(n))


def _tup(value, n):
    return value if isinstance(value, tuple) else (value,) * n


def _input(draw, lead_spatial, channels=None):
    """Random input: small integers (ties) or normal floats."""
    batch = draw(st.sampled_from([None, 1, 2]))
    channels = channels or draw(st.integers(1, 2))
    shape = (() if batch is None else (batch,)) + (channels,) + lead_spatial
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    if draw(st.booleans()):
        return rng.integers(-2, 3, shape).astype(np.float64)
    return rng.standard_normal(shape)


def _touches_input(size, k, s, p, d, out):
    """Every window has an entry inside the input (not only padding)."""
    for o in range(out):
        start = o * s - p
        if not any(0 <= start + j * d < size for j in range(k)):
            return False
    return True


def _out(size, k, s, p, d, ceil):
    span = size + 2 * p - d * (k - 1) - 1
    if ceil:
        out = -(-span // s) + 1
        return out - 1 if (out - 1) * s >= size + p else out
    return span // s + 1


@st.composite
def window_cases(draw, dims=(1, 2, 3), dilation=True, padding=True):
    """(n, input, kwargs) for one max/avg pooling call torch accepts."""
    n = draw(st.sampled_from(dims))
    kernel = _per_dim(draw, n, st.integers(1, 3))
    k = _tup(kernel, n)
    pad = _per_dim(draw, n, st.integers(0, 1)) if padding else 0
    p = tuple(min(a, b // 2) for a, b in zip(_tup(pad, n), k))
    stride = (None if draw(st.booleans())
              else _per_dim(draw, n, st.integers(1, 3)))
    s = k if stride is None else _tup(stride, n)
    dil = _per_dim(draw, n, st.integers(1, 2)) if dilation else 1
    d = _tup(dil, n)
    ceil = draw(st.booleans())
    grow = 4 if n < 3 else 2
    size = tuple(max(1, dd * (kk - 1) + 1 - 2 * pp)
                 + draw(st.integers(0, grow))
                 for kk, pp, dd in zip(k, p, d))
    args = list(zip(size, k, s, p, d))
    assume(all(_touches_input(*a, _out(*a, ceil)) for a in args))
    kwargs = dict(kernel_size=kernel, stride=stride, ceil_mode=ceil)
    if padding:
        kwargs["padding"] = p
    if dilation:
        kwargs["dilation"] = dil
    return n, _input(draw, size), kwargs


@given(window_cases(), st.booleans(), st.sampled_from(DTYPES))
def test_max_pool_matches_torch(case, return_indices, dtype):
    n, x, kwargs = case
    out = _compare(MAX[n], [x], dict(kwargs, return_indices=return_indices),
                   dtype)
    if return_indices:
        assert out[1].dtype == np.int64


@given(window_cases(), st.sampled_from(DTYPES), st.integers(0, 2**16))
def test_max_pool_with_nan_and_inf_matches_torch(case, dtype, seed):
    """About a third of the entries NaN, inf or -inf: values, indices
    (last NaN, first maximum) and gradients as torch."""
    n, x, kwargs = case
    rng = np.random.default_rng(seed)
    special = rng.choice([np.nan, np.inf, -np.inf], size=x.shape)
    x = np.where(rng.random(x.shape) < 0.3, special, x)
    _compare(MAX[n], [x], dict(kwargs, return_indices=True), dtype)


def test_max_pool_empty_batch():
    compare_with_torch(
        pool.max_pool2d, F.max_pool2d, [np.zeros((0, 2, 5, 5))],
        dict(kernel_size=3, stride=2, padding=1, return_indices=True),
        backward=pool.max_pool2d_backward)


@given(window_cases(dilation=False), st.booleans(),
       st.sampled_from([None, 1, 3, -2]), st.sampled_from(DTYPES))
def test_avg_pool_matches_torch(case, count_include_pad, divisor, dtype):
    n, x, kwargs = case
    if n == 3:  # torch's avg_pool3d wants the input >= kernel, padded or not
        kernel = _tup(kwargs["kernel_size"], 3)
        assume(all(s >= k for s, k in zip(x.shape[-3:], kernel)))
    kwargs["count_include_pad"] = count_include_pad
    if n > 1:
        kwargs["divisor_override"] = divisor
    _compare(AVG[n], [x], kwargs, dtype)


@given(window_cases(dilation=False), st.booleans(), st.sampled_from(DTYPES))
def test_max_unpool_round_trip_matches_torch(case, give_size, dtype):
    """max_unpool of torch's max_pool output and indices, both ways."""
    n, x, kwargs = case
    pooled, indices = MAX[n][1](torch.from_numpy(x), return_indices=True,
                                **kwargs)
    kwargs.pop("ceil_mode")
    k, p = _tup(kwargs["kernel_size"], n), kwargs["padding"]
    s = k if kwargs["stride"] is None else _tup(kwargs["stride"], n)
    default = [(i - 1) * ss + kk - 2 * pp for i, kk, ss, pp
               in zip(pooled.shape[-n:], k, s, p)]
    # an empty default output is refused (torch returns an empty array)
    assume(all(dd > 0 for dd in default))
    # indices beyond the default size need output_size, in torch too
    give_size |= any(dd < size for dd, size in zip(default, x.shape[-n:]))
    if give_size:
        kwargs["output_size"] = x.shape[-n:]
    _compare(UNPOOL[n], [pooled.numpy(), indices.numpy()], kwargs, dtype)


@st.composite
def adaptive_cases(draw):
    """(n, input, output_size): sizes that rarely divide the input,
    larger outputs than inputs, None entries (keep) in 2-D."""
    n = draw(st.sampled_from([1, 2]))
    size = tuple(draw(st.integers(1, 9)) for _ in range(n))
    sizes = st.integers(1, 8)
    if n == 2:
        sizes = sizes | st.none()
    output = draw(sizes | st.tuples(*[sizes] * n))
    assume(output is not None)
    return n, _input(draw, size), output


@given(adaptive_cases(), st.sampled_from(DTYPES))
def test_adaptive_avg_pool_matches_torch(case, dtype):
    n, x, output_size = case
    _compare(ADAPTIVE_AVG[n], [x], dict(output_size=output_size), dtype)


@given(adaptive_cases(), st.booleans(), st.sampled_from(DTYPES))
def test_adaptive_max_pool_matches_torch(case, return_indices, dtype):
    n, x, output_size = case
    _compare(ADAPTIVE_MAX[n], [x], dict(output_size=output_size,
                                        return_indices=return_indices),
             dtype)


def _fractional_ops(samples):
    """The three fractional functions with `_random_samples` bound."""
    def ours(x, **kwargs):
        return pool_adaptive.fractional_max_pool2d(
            x, _random_samples=samples.astype(x.dtype), **kwargs)

    def theirs(x, **kwargs):
        return F.fractional_max_pool2d(
            x, _random_samples=torch.from_numpy(samples).to(x.dtype),
            **kwargs)

    def backward(grad, x, **kwargs):
        return pool_adaptive.fractional_max_pool2d_backward(
            grad, x, _random_samples=samples.astype(x.dtype), **kwargs)
    return ours, theirs, backward


@st.composite
def fractional_cases(draw):
    size = tuple(draw(st.integers(2, 11)) for _ in range(2))
    kernel = _per_dim(draw, 2, st.integers(1, 3))
    k = _tup(kernel, 2)
    assume(all(kk <= s for kk, s in zip(k, size)))
    kwargs = dict(kernel_size=kernel, return_indices=draw(st.booleans()))
    if draw(st.booleans()):
        kwargs["output_size"] = tuple(draw(st.integers(1, s - kk + 1))
                                      for s, kk in zip(size, k))
    else:
        ratio = tuple(draw(st.floats(0.1, 0.99)) for _ in range(2))
        out = [int(s * r) for s, r in zip(size, ratio)]
        assume(all(1 <= o <= s - kk + 1 for o, s, kk in zip(out, size, k)))
        kwargs["output_ratio"] = ratio
    x = _input(draw, size)
    planes = (x.shape[0] if x.ndim == 4 else 1, x.shape[-3], 2)
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    return x, kwargs, rng.random(planes)


@given(fractional_cases(), st.sampled_from(DTYPES))
def test_fractional_max_pool_matches_torch(case, dtype):
    """Same _random_samples give torch's windows, values and indices."""
    x, kwargs, samples = case
    _compare(_fractional_ops(samples), [x], kwargs, dtype)


@given(window_cases(dims=(1, 2), dilation=False, padding=False),
       st.sampled_from([1, 2, 3, 1.5, float("inf"), -float("inf")]),
       st.sampled_from(DTYPES))
def test_lp_pool_matches_torch(case, norm_type, dtype):
    """Negative sums under odd or fractional powers give NaN in both."""
    n, x, kwargs = case
    if n == 1:  # torch's lp_pool1d multiplies by kernel_size: an int
        kwargs["kernel_size"] = _tup(kwargs["kernel_size"], 1)[0]
    kwargs["norm_type"] = norm_type
    with np.errstate(invalid="ignore"):
        _compare(LP[n], [x], kwargs, dtype)


@pytest.mark.parametrize("n, size, kernel", [
    (1, (9,), (2,)), (2, (8, 8), (2, 2)), (2, (7, 9), (3, 2)),
    (3, (4, 5, 6), (2, 2, 3))])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("planes_a_block", [1, 4, 6])
def test_tiling_max_pool_matches_torch(n, size, kernel, dtype,
                                       planes_a_block, monkeypatch):
    """Windows that tile the input (stride = kernel, no padding, some
    entries past the last window) take their own way
    (`_pool_common.tiles`): ties, NaN (two in a window), inf and -inf,
    values, indices and gradients as torch; the 6 planes in blocks of
    1, of 4 (the last of 2) or all at once."""
    from convlib.numpy import _pool_common, _tuning
    monkeypatch.setattr(_tuning, "POOL_BLOCK_BYTES", planes_a_block
                        * np.dtype(dtype).itemsize * int(np.prod(size)))
    out = tuple(s // k for s, k in zip(size, kernel))
    assert _pool_common.tiles((kernel, kernel, (0,) * n, (1,) * n),
                              size, out)
    rng = np.random.default_rng(n)
    x = rng.integers(-2, 3, (2, 3) + size).astype(np.float64)
    special = rng.choice([np.nan, np.inf, -np.inf], size=x.shape)
    x = np.where(rng.random(x.shape) < 0.2, special, x)
    x[(0, 0) + (0,) * n] = x[(0, 0) + (0,) * (n - 1) + (1,)] = np.nan
    x[1, 2] = -np.inf
    _compare(MAX[n], [x], dict(kernel_size=kernel, return_indices=True),
             dtype)
    _compare(MAX[n], [x], dict(kernel_size=kernel), dtype)


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("kwargs", [dict(kernel_size=2),
                                    dict(kernel_size=3, stride=1,
                                         padding=1)])
@pytest.mark.parametrize("grad_value", [np.inf, -np.inf, np.nan])
def test_max_pool_backward_of_non_finite_gradients(n, kwargs, grad_value):
    """An inf or NaN gradient goes to the winner only; the other entries
    get 0, not inf * 0 = NaN (tiling windows and overlapping ones)."""
    x = np.random.default_rng(n).standard_normal((2, 3) + (5,) * n)
    xt = torch.tensor(x, requires_grad=True)
    y = MAX[n][1](xt, **kwargs)
    g = np.full(y.shape, grad_value)
    y.backward(torch.tensor(g))
    np.testing.assert_array_equal(MAX[n][2](g, x, **kwargs),
                                  xt.grad.numpy())


def test_max_pool_ties_go_to_the_first_in_window_order():
    x = np.ones((1, 1, 4, 4))
    out, idx = compare_with_torch(
        pool.max_pool2d, F.max_pool2d, [x],
        dict(kernel_size=2, stride=1, return_indices=True),
        backward=pool.max_pool2d_backward)
    np.testing.assert_array_equal(
        idx[0, 0], [[0, 1, 2], [4, 5, 6], [8, 9, 10]])


@pytest.mark.parametrize("n, last_nan", [(1, 2), (2, 8), (3, 8)])
def test_max_pool_nan_wins_and_the_last_nan_is_picked(n, last_nan):
    """NaN at (0.., 1), (0.., 2) and (0.., 1, 0); the window at output
    (0.., 1) holds all of them (two in 1-D) and picks the last."""
    x = np.arange(8.0 ** n).reshape((1, 1) + (8,) * n)
    first_row = (0, 0) + (0,) * (n - 1)
    x[first_row + (1,)] = x[first_row + (2,)] = np.nan
    if n > 1:
        x[first_row[:-1] + (1, 0)] = np.nan
    out, idx = compare_with_torch(
        MAX[n][0], MAX[n][1], [x],
        dict(kernel_size=3, stride=1, padding=1, return_indices=True),
        backward=MAX[n][2])
    second = (0, 0) + (0,) * (n - 1) + (1,)
    assert np.isnan(out[second]) and idx[second] == last_nan


def test_max_pool_minus_inf_input_points_at_the_first_real_entry():
    """Nothing beats the -inf padding: torch reports the first entry
    inside the input, never a padded one."""
    x = np.full((1, 1, 4, 5), -np.inf)
    x[0, 0, 3, 4] = 1.0
    out, idx = compare_with_torch(
        pool.max_pool2d, F.max_pool2d, [x],
        dict(kernel_size=3, stride=2, padding=1, dilation=2,
             ceil_mode=True, return_indices=True),
        backward=pool.max_pool2d_backward)
    assert np.isneginf(out[0, 0, 0, 0]) and idx[0, 0, 0, 0] == 6


@pytest.mark.parametrize("ops, shape, kwargs", [
    (ADAPTIVE_MAX[2], (1, 3, 5, 4),
     dict(output_size=(2, 3), return_indices=True)),
    (ADAPTIVE_MAX[1], (3, 5), dict(output_size=3, return_indices=True)),
    (MAX[3], (2, 1, 3, 5, 4),
     dict(kernel_size=2, ceil_mode=True, return_indices=True)),
])
def test_nan_and_minus_inf_elsewhere(ops, shape, kwargs):
    x = np.zeros(shape)
    x.reshape(-1)[[0, 3, 4, 9]] = [np.nan, -np.inf, np.nan, -np.inf]
    compare_with_torch(*ops[:2], [x], kwargs, backward=ops[2])


def test_fractional_nan_and_unbatched():
    x = np.arange(49.0).reshape(1, 7, 7)
    x[0, 2, 3] = np.nan
    samples = np.array([[[0.25, 0.75]]])
    ours, theirs, backward = _fractional_ops(samples)
    out, idx = compare_with_torch(
        ours, theirs, [x],
        dict(kernel_size=2, output_size=(4, 3), return_indices=True),
        backward=backward)
    assert np.isnan(out).sum() >= 1 and idx.shape == (1, 4, 3)


def test_lp_pool_gradient_is_zero_where_the_window_is_zero():
    x = np.array([[[0.0, 0.0, 1.0, -2.0, 0.0, 0.0]]])
    grad = pool_lp.lp_pool1d_backward(np.ones((1, 1, 3)), x, 2, 2)
    np.testing.assert_allclose(grad[0, 0, :2], 0.0)
    compare_with_torch(pool_lp.lp_pool1d, F.lp_pool1d, [x],
                       dict(norm_type=2, kernel_size=2),
                       backward=pool_lp.lp_pool1d_backward)


def test_fractional_backward_needs_the_samples():
    with pytest.raises(ValueError, match="_random_samples"):
        pool_adaptive.fractional_max_pool2d_backward(
            np.ones((1, 1, 2, 2)), np.ones((1, 1, 4, 4)), 2,
            output_size=2)


def test_fractional_draws_samples_when_none_are_given():
    x = np.random.default_rng(0).standard_normal((2, 3, 9, 9))
    out = pool_adaptive.fractional_max_pool2d(x, 3, output_ratio=(0.5,
                                                                 0.5))
    assert out.shape == (2, 3, 4, 4)
    # each output is the maximum of some 3 x 3 block of its plane
    blocks = pool.max_pool2d(x, 3, stride=1)
    assert all(np.isin(out[i, c], blocks[i, c]).all()
               for i in range(2) for c in range(3))


def test_every_pooling_op_is_exported_by_convlib_numpy():
    import convlib.numpy as cn
    missing = [name for module in (pool, pool_adaptive, pool_lp)
               for name in module.__all__
               if name not in cn.__all__
               or getattr(cn, name, None) is not getattr(module, name)]
    assert not missing, f"convlib.numpy does not export {missing}"


def Z(*shape):
    return np.zeros(shape)


I = np.zeros((1, 1, 2, 2), dtype=np.int64)
V, TE = ValueError, TypeError
P, A, L = pool, pool_adaptive, pool_lp

BAD = [
    (P.max_pool2d, (Z(1, 1, 5, 5), 3), dict(padding=2), V, "padding"),
    (P.max_pool1d, (Z(1, 1, 5), 2), dict(padding=(2,)), V, "padding"),
    (P.avg_pool3d, (Z(1, 1, 5, 5, 5), 2), dict(padding=2), V, "padding"),
    (P.avg_pool3d, (Z(1, 1, 2, 2, 1), 2), dict(padding=1), V, "kernel_size"),
    (P.max_pool2d, (Z(1, 1, 2, 2), 3), {}, V, "kernel_size"),
    (P.avg_pool1d, (Z(1, 1, 2), 4), {}, V, "kernel_size"),
    (P.max_pool2d, (Z(1, 1, 5, 5), 2), dict(dilation=5), V, "kernel_size"),
    (P.max_pool2d, (Z(5, 5), 2), {}, V, "input"),
    (P.max_pool1d, (Z(1, 1, 1, 5), 2), {}, V, "input"),
    (P.avg_pool2d, (Z(1, 0, 4, 4), 2), {}, V, "input"),
    (P.max_pool2d, (np.array([[["a"]]]), 1), {}, TE, "input"),
    (P.max_pool2d, (Z(1, 1, 5, 5), -1), {}, V, "kernel_size"),
    (P.max_pool2d, (Z(1, 1, 5, 5), 2.0), {}, TE, "kernel_size"),
    (P.max_pool3d, (Z(1, 1, 5, 5, 5), (2, 2)), {}, V, "kernel_size"),
    (P.max_pool2d, (Z(1, 1, 5, 5), 2), dict(stride=0), V, "stride"),
    (P.avg_pool2d, (Z(1, 1, 5, 5), 2), dict(stride=-1), V, "stride"),
    (P.max_pool2d, (Z(1, 1, 5, 5), 2), dict(dilation=0), V, "dilation"),
    (P.max_pool2d, (Z(1, 1, 5, 5), 2), dict(padding=-1), V, "padding"),
    (P.max_pool2d, (Z(1, 1, 5, 5), 2), dict(ceil_mode="yes"), TE,
     "ceil_mode"),
    (P.max_pool2d, (Z(1, 1, 5, 5), 2), dict(return_indices=1), TE,
     "return_indices"),
    (P.avg_pool2d, (Z(1, 1, 4, 4), 2), dict(count_include_pad=None), TE,
     "count_include_pad"),
    (P.avg_pool2d, (Z(1, 1, 4, 4), 2), dict(divisor_override=0), V,
     "divisor_override"),
    (P.avg_pool3d, (Z(1, 1, 4, 4, 4), 2), dict(divisor_override=1.5), TE,
     "divisor_override"),
    (P.max_pool2d_backward, (Z(1, 1, 3, 3), Z(1, 1, 4, 4), 2), {}, V,
     "grad_output"),
    (P.avg_pool1d_backward, (Z(1, 1, 3), Z(1, 1, 4), 2), {}, V,
     "grad_output"),
    (P.max_unpool2d, (Z(1, 1, 2, 2), I.astype(float), 2), {}, TE,
     "indices"),
    (P.max_unpool2d, (Z(1, 1, 2, 2), I[..., :1], 2), {}, V, "indices"),
    (P.max_unpool2d, (Z(1, 1, 2, 2), I + 16, 2), {}, V, "indices"),
    (P.max_unpool2d, (Z(1, 1, 2, 2), I, 2), dict(output_size=(6, 4)), V,
     "output_size"),
    (P.max_unpool2d, (Z(1, 1, 2, 2), I, 2), dict(output_size=(4,)), V,
     "output_size"),
    (P.max_unpool1d, (Z(1, 1, 2), I[..., 0], 2), dict(output_size=4), TE,
     "output_size"),
    (P.max_unpool2d_backward, (Z(1, 1, 3, 3), Z(1, 1, 2, 2), I, 2), {}, V,
     "grad_output"),
    (A.adaptive_avg_pool2d, (Z(1, 1, 4, 4), -1), {}, V, "output_size"),
    (A.adaptive_avg_pool1d, (Z(1, 1, 4), 0), {}, V, "output_size"),
    (A.adaptive_max_pool2d, (Z(1, 1, 4, 4), (2, 2.5)), {}, TE,
     "output_size"),
    (A.adaptive_max_pool2d, (Z(1, 1, 4, 4), (2, 2, 2)), {}, V,
     "output_size"),
    (A.adaptive_avg_pool2d, (Z(4, 4), 2), {}, V, "input"),
    (A.fractional_max_pool2d, (Z(1, 1, 5, 5), 2), {}, V, "output_size"),
    (A.fractional_max_pool2d, (Z(1, 1, 5, 5), 3), dict(output_size=4), V,
     "kernel_size"),
    (A.fractional_max_pool2d, (Z(1, 1, 5, 5), 2), dict(output_size=-1), V,
     "output_size"),
    (A.fractional_max_pool2d, (Z(1, 1, 5, 5), 2),
     dict(output_ratio=(0.1, 0.5)), V, "output_ratio"),
    (A.fractional_max_pool2d, (Z(1, 1, 5, 5), 2),
     dict(output_ratio="half"), TE, "output_ratio"),
    (A.fractional_max_pool2d, (Z(2, 1, 5, 5), 2),
     dict(output_size=2, _random_samples=Z(1, 1, 2)), V, "_random_samples"),
    (L.lp_pool2d, (Z(1, 1, 4, 4), 0, 2), {}, V, "norm_type"),
    (L.lp_pool2d, (Z(1, 1, 4, 4), "2", 2), {}, TE, "norm_type"),
    (L.lp_pool1d, (Z(1, 1, 4), 2, 5), {}, V, "kernel_size"),
    (L.lp_pool2d, (Z(1, 1, 4, 4), 2, 2), dict(stride=(1, 0)), V, "stride"),
    (L.lp_pool2d_backward, (Z(1, 1, 1, 1), Z(1, 1, 4, 4), 2, 2), {}, V,
     "grad_output"),
    (L.lp_pool1d_backward, (Z(1, 1, 1), Z(1, 1, 4), np.inf, 2), {}, V,
     "grad_output"),
]


@pytest.mark.parametrize(
    "function, args, kwargs, error, argument", BAD,
    ids=[f"{row[0].__name__}-{row[4]}-{i}" for i, row in enumerate(BAD)])
def test_bad_input_raises_a_named_error(function, args, kwargs, error,
                                        argument):
    with pytest.raises(Exception) as info:
        function(*args, **kwargs)
    assert type(info.value) is error, (
        f"expected {error.__name__}, got {type(info.value).__name__}: "
        f"{info.value}")
    message = str(info.value)
    assert message.startswith(function.__name__ + ":"), message
    assert argument in message, message
