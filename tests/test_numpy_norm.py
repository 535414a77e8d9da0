"""convlib.numpy and convlib.naive normalisation against torch.

batch_norm, instance_norm, layer_norm, group_norm: forward values,
gradients of every array argument and the running statistics after the
call, in float64 over hypothesis-drawn shapes (1 to 3 spatial dims, or
none), modes, momenta, eps, affine or not, and data scales (a spread of
0.01 to 30 around means of 0 to -50); float32 at the default tolerance;
the numerics of a large mean; the running-average conventions.
"""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st

import convlib.naive as V
import convlib.numpy as N
from convlib.numpy.norm._common import _moments

from _compare import TOLERANCES, compare_with_torch

FORMS = {"numpy": N, "naive": V}
MOMENTA = [0.1, 0.0, 1.0, 0.37]
EPS = [1e-5, 1e-3]


def _rng(draw):
    return np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))


def _data(draw, rng, shape):
    """Normal values of a drawn spread around a drawn mean."""
    scale = draw(st.sampled_from([1.0, 0.01, 30.0]))
    offset = draw(st.sampled_from([0.0, 3.0, -50.0]))
    return rng.standard_normal(shape) * scale + offset, scale, offset


def _affine(draw, rng, shape):
    return [rng.standard_normal(shape) if draw(st.booleans()) else None
            for _ in range(2)]


@st.composite
def stat_case(draw, instance):
    """(arrays, kwargs) of batch_norm (instance=False) or instance_norm:
    (N, C, *spatial) with 0-3 spatial dims (1-3 for instance norm)."""
    rng = _rng(draw)
    n, c = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    spatial = [draw(st.integers(1, 4))
               for _ in range(draw(st.integers(int(instance), 3)))]
    own = draw(st.booleans())  # training / use_input_stats
    per_stat = math.prod(spatial) * (1 if instance else n)
    if own and per_stat <= 1:  # torch needs more than one value
        spatial = spatial[:-1] + [2] if spatial else [2]
    x, scale, offset = _data(draw, rng, (n, c) + tuple(spatial))
    running = [rng.standard_normal(c) * scale + offset,
               (rng.random(c) + 0.5) * scale ** 2]
    if own and (instance or draw(st.booleans())) and draw(st.booleans()):
        running = [None, None]
    flag = "use_input_stats" if instance else "training"
    kwargs = {flag: own, "momentum": draw(st.sampled_from(MOMENTA)),
              "eps": draw(st.sampled_from(EPS))}
    return [x] + running + _affine(draw, rng, c), kwargs


@st.composite
def layer_case(draw):
    rng = _rng(draw)
    shape = tuple(draw(st.integers(1, 4))
                  for _ in range(draw(st.integers(1, 4))))
    k = draw(st.integers(1, len(shape)))
    x, _, _ = _data(draw, rng, shape)
    normalized = shape[-k:]
    normalized = list(normalized) if draw(st.booleans()) else normalized
    return ([x, *_affine(draw, rng, tuple(normalized))],
            dict(normalized_shape=normalized,
                 eps=draw(st.sampled_from(EPS))))


@st.composite
def group_case(draw):
    rng = _rng(draw)
    groups, per_group = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    spatial = tuple(draw(st.integers(1, 4))
                    for _ in range(draw(st.integers(0, 2))))
    shape = (draw(st.integers(1, 3)), groups * per_group) + spatial
    if math.prod(shape) // groups <= 1:  # torch refuses a single value
        shape = (2,) + shape[1:]
    x, _, _ = _data(draw, rng, shape)
    return ([x, *_affine(draw, rng, shape[1])],
            dict(num_groups=groups, eps=draw(st.sampled_from(EPS))))


def _check_stat_norm(name, form, arrays, kwargs, dtype=np.float64,
                     backward=True):
    """compare_with_torch, then the running statistics after the call."""
    seen = {}

    def ours(x, mean, var, *rest, **kw):
        # compare_with_torch hands torch the arrays after this call:
        # the update must land in copies (which are then checked)
        mean, var = (None if a is None else a.copy() for a in (mean, var))
        seen["ours"] = mean, var
        return getattr(form, name)(x, mean, var, *rest, **kw)

    def theirs(*args, **kw):
        seen["torch"] = args[1:3]
        return getattr(F, name)(*args, **kw)

    back = getattr(form, name + "_backward", None) if backward else None
    compare_with_torch(ours, theirs, arrays, kwargs, backward=back,
                       constant=(1, 2), dtype=dtype)
    for got, want in zip(seen["ours"], seen["torch"]):
        if want is not None:
            np.testing.assert_allclose(got, want.numpy(), err_msg="running",
                                       **TOLERANCES[np.dtype(dtype).type])


# ------------------------------------------------------------- parity

@pytest.mark.parametrize("form", FORMS)
@given(case=stat_case(instance=False))
def test_batch_norm_matches_torch(form, case):
    _check_stat_norm("batch_norm", FORMS[form], *case)


@pytest.mark.parametrize("form", FORMS)
@given(case=stat_case(instance=True))
def test_instance_norm_matches_torch(form, case):
    _check_stat_norm("instance_norm", FORMS[form], *case)


def _affine_last(function, backward=False):
    """`function` taking (x, weight, bias, **settings) positionally, as
    compare_with_torch passes arrays (layer and group norm take their
    settings second)."""
    if function is None:
        return None
    if backward:
        return lambda g, x, w, b, **kw: function(g, x, weight=w, bias=b,
                                                 **kw)
    return lambda x, w, b, **kw: function(x, weight=w, bias=b, **kw)


@pytest.mark.parametrize("form", FORMS)
@given(case=layer_case())
def test_layer_norm_matches_torch(form, case):
    module = FORMS[form]
    compare_with_torch(
        _affine_last(module.layer_norm), _affine_last(F.layer_norm),
        *case, backward=_affine_last(
            getattr(module, "layer_norm_backward", None), backward=True))


def _torch_group_norm(x, weight, bias, **kwargs):
    """F.group_norm; torch 2.13's backward fails ("tensor does not have
    a device") for a bias without a weight, so a weight of ones stands
    in there (the same function; its gradient is not compared, ours
    being None for the missing weight)."""
    if weight is None and bias is not None:
        weight = torch.ones(x.shape[1], dtype=x.dtype)
    return F.group_norm(x, weight=weight, bias=bias, **kwargs)


@pytest.mark.parametrize("form", FORMS)
@given(case=group_case())
def test_group_norm_matches_torch(form, case):
    module = FORMS[form]
    compare_with_torch(
        _affine_last(module.group_norm), _torch_group_norm,
        *case, backward=_affine_last(
            getattr(module, "group_norm_backward", None), backward=True))


def test_naive_has_the_loop_versions_it_is_tested_for():
    """The parity tests above run the naive forms' forward, and the
    chain-rule batch_norm_backward; the others are numpy's alone."""
    assert hasattr(V, "batch_norm_backward")
    assert not hasattr(V, "layer_norm_backward")


@pytest.mark.parametrize("name, make", [
    ("batch_norm", lambda r: [r.standard_normal((4, 3, 5, 5)),
                              np.zeros(3), np.ones(3), r.random(3),
                              r.standard_normal(3)]),
    ("instance_norm", lambda r: [r.standard_normal((4, 3, 5, 5)),
                                 np.zeros(3), np.ones(3), r.random(3),
                                 r.standard_normal(3)]),
])
@pytest.mark.parametrize("own", [True, False])
def test_stat_norms_float32(name, make, own, rng):
    flag = "training" if name == "batch_norm" else "use_input_stats"
    arrays = make(rng)
    _check_stat_norm(name, N, arrays, {flag: own}, dtype=np.float32)
    out = getattr(N, name)(*[a.astype(np.float32) for a in arrays],
                           **{flag: own})
    assert out.dtype == np.float32


def test_layer_and_group_norm_float32(rng):
    x = rng.standard_normal((4, 6, 5, 5))
    w, b = rng.standard_normal(6), rng.standard_normal(6)
    out = compare_with_torch(_affine_last(N.group_norm),
                             _affine_last(F.group_norm), [x, w, b],
                             dict(num_groups=3), dtype=np.float32,
                             backward=_affine_last(N.group_norm_backward,
                                                   True))
    assert out.dtype == np.float32
    w, b = rng.standard_normal((5, 5)), rng.standard_normal((5, 5))
    out = compare_with_torch(_affine_last(N.layer_norm),
                             _affine_last(F.layer_norm), [x, w, b],
                             dict(normalized_shape=(5, 5)),
                             dtype=np.float32,
                             backward=_affine_last(N.layer_norm_backward,
                                                   True))
    assert out.dtype == np.float32


# ---------------------------------------------------------- numerics

def _one_pass_variance(x, axes):
    """E[x^2] - E[x]^2 in the input's dtype: the formula to avoid."""
    return (x * x).mean(axis=axes) - x.mean(axis=axes) ** 2


# (name, call on a float32/float64 array)
LARGE_MEAN = {
    "batch_norm": lambda x: N.batch_norm(x, None, None, training=True),
    "instance_norm": lambda x: N.instance_norm(x),
    "layer_norm": lambda x: N.layer_norm(x, x.shape[1:]),
    "group_norm": lambda x: N.group_norm(x, 2),
}
# Tolerance of a float32 result against the float64 computation on the
# same float32 values, for a mean of 1e4 and a spread of 0.1: the mean,
# rounded to float32, may be off by half a unit in the last place of
# 1e4 (4.9e-4), which is 4.9e-3 of the spread; measured 4.3e-3 to
# 5.5e-3 here (torch's own float32 layers: 7e-3 to 1.3e-2). A one-pass
# variance is wrong by over 100 % (next test).
LARGE_MEAN_TOL = 1e-2


@pytest.mark.parametrize("name", LARGE_MEAN)
def test_float32_large_mean_keeps_the_variance(name, rng):
    x32 = (1e4 + 0.1 * rng.standard_normal((8, 4, 6, 6))).astype(
        np.float32)
    ours = LARGE_MEAN[name](x32)
    exact = LARGE_MEAN[name](x32.astype(np.float64))
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, exact, rtol=0, atol=LARGE_MEAN_TOL)
    assert abs(ours.std() - 1) < 1e-2


def test_one_pass_variance_would_fail_there(rng):
    """The check above can fail: E[x^2] - E[x]^2 in float32 loses the
    variance (0.01) in the rounding of x^2 (about 1e8)."""
    x32 = (1e4 + 0.1 * rng.standard_normal((8, 4, 6, 6))).astype(
        np.float32)
    axes = (0, 2, 3)
    exact = x32.astype(np.float64).var(axis=axes)
    bad = _one_pass_variance(x32, axes)
    assert np.max(np.abs(bad - exact) / exact) > 1  # off by over 100 %
    _, var = _moments(x32, axes)
    np.testing.assert_allclose(var.ravel(), exact, rtol=1e-3)


# ------------------------------------------------- running statistics

def test_running_statistics_torchs_momentum_and_unbiased_variance():
    x = np.array([[1.0], [2.0], [6.0]])  # one channel: mean 3, var 14/3
    mean, var = np.array([1.0]), np.array([2.0])
    N.batch_norm(x, mean, var, training=True, momentum=0.25)
    np.testing.assert_allclose(mean, [0.75 * 1 + 0.25 * 3])
    np.testing.assert_allclose(var, [0.75 * 2 + 0.25 * 7])  # 14/2


def test_cumulative_average_is_momentum_one_over_k(rng):
    """nn.BatchNorm's momentum=None: on batch k, momentum 1/k, which
    makes the running mean the plain average of the batch means."""
    mean, var = np.zeros(3), np.ones(3)
    batches = [rng.standard_normal((5, 3, 2)) + k for k in range(4)]
    for k, x in enumerate(batches, 1):
        N.batch_norm(x, mean, var, training=True, momentum=1 / k)
    np.testing.assert_allclose(
        mean, np.mean([x.mean(axis=(0, 2)) for x in batches], axis=0))
    with pytest.raises(TypeError, match="^batch_norm: momentum.*1/k"):
        N.batch_norm(batches[0], mean, var, training=True, momentum=None)


@pytest.mark.parametrize("form", FORMS)
def test_running_statistics_must_be_updatable(form):
    """Updated in place, they must be writeable float arrays: a list or
    an int array would be converted and the update lost."""
    fn = FORMS[form].batch_norm
    x = np.ones((2, 3))
    with pytest.raises(TypeError, match="^batch_norm: training=True needs "
                       "running_mean to be a NumPy array to write into"):
        fn(x, [0.0, 0.0, 0.0], np.ones(3), training=True)
    with pytest.raises(TypeError, match="^batch_norm: training=True needs "
                       "a floating-point running_var .* int64"):
        fn(x, np.zeros(3), np.ones(3, dtype=np.int64), training=True)
    frozen = np.zeros(3)
    frozen.flags.writeable = False
    with pytest.raises(ValueError, match="^batch_norm: training=True needs "
                       "a writeable running_mean, got a read-only array"):
        fn(x, frozen, np.ones(3), training=True)
    with pytest.raises(TypeError, match="^instance_norm: use_input_stats="
                       "True needs running_mean to be a NumPy array"):
        FORMS[form].instance_norm(np.ones((2, 3, 2)), [0.0] * 3,
                                  np.ones(3))
    # evaluation mode reads them only: a list is fine
    assert fn(x, [0.0] * 3, [1.0] * 3).shape == (2, 3)


def test_backward_and_evaluation_leave_running_statistics(rng):
    x = rng.standard_normal((4, 3, 5))
    mean, var = rng.standard_normal(3), rng.random(3) + 0.5
    before = mean.copy(), var.copy()
    N.batch_norm_backward(np.ones_like(x), x, mean, var, training=True)
    N.batch_norm(x, mean, var, training=False)
    N.instance_norm_backward(np.ones_like(x), x, mean, var)
    np.testing.assert_array_equal(mean, before[0])
    np.testing.assert_array_equal(var, before[1])


def test_evaluation_mode_is_a_fixed_affine_map(rng):
    """With running statistics the layer is y = a * x + c per channel,
    whatever the batch: one sample alone gives the same output."""
    x = rng.standard_normal((6, 2, 3))
    mean, var = rng.standard_normal(2), rng.random(2) + 0.5
    whole = N.batch_norm(x, mean, var)
    alone = N.batch_norm(x[:1], mean, var)
    np.testing.assert_allclose(whole[:1], alone)


def test_group_norm_extremes_are_layer_and_instance_norm(rng):
    x = rng.standard_normal((3, 4, 5, 2))
    np.testing.assert_allclose(N.group_norm(x, 1),
                               N.layer_norm(x, x.shape[1:]), atol=1e-12)
    np.testing.assert_allclose(N.group_norm(x, 4), N.instance_norm(x),
                               atol=1e-12)


@pytest.mark.parametrize("name, args", [
    ("batch_norm", (np.ones((1, 3)), None, None)),
    ("instance_norm", (np.ones((2, 3, 1)),)),
])
def test_a_single_value_has_no_variance(name, args):
    flag = "training" if name == "batch_norm" else "use_input_stats"
    with pytest.raises(ValueError, match=f"^{name}: input must have more "
                                         "than 1"):
        getattr(N, name)(*args, **{flag: True})
    torch_args = [None if a is None else torch.from_numpy(a) for a in args]
    with pytest.raises(ValueError, match="more than 1"):  # as torch
        getattr(F, name)(*torch_args, **{flag: True})
