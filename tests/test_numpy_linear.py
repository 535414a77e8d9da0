"""convlib.numpy.linear against torch: linear, flatten, channel_shuffle."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st
from hypothesis.extra.numpy import arrays

import convlib.numpy as N
from _compare import compare_with_torch

VALUES = st.floats(-50, 50, allow_nan=False, allow_subnormal=False)


def _array(shape):
    return arrays(np.float64, shape, elements=VALUES)


# --------------------------------------------------------------------------
# linear
# --------------------------------------------------------------------------

@st.composite
def linear_case(draw):
    lead = draw(st.lists(st.integers(1, 4), min_size=0, max_size=3))
    n_in, n_out = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    x = draw(_array(tuple(lead) + (n_in,)))
    w = draw(_array((n_out, n_in)))
    b = draw(st.none() | _array((n_out,)))
    return x, w, b


@given(linear_case())
def test_linear_matches_torch(case):
    compare_with_torch(N.linear, F.linear, list(case),
                       backward=N.linear_backward)


@pytest.mark.parametrize("bias", [True, False])
def test_linear_float32(rng, bias):
    x = rng.uniform(-50, 50, (2, 3, 5))
    w = rng.uniform(-1, 1, (4, 5))
    b = rng.uniform(-1, 1, 4) if bias else None
    out = compare_with_torch(N.linear, F.linear, [x, w, b],
                             backward=N.linear_backward,
                             dtype=np.float32)
    assert out.dtype == np.float32


def test_linear_without_bias_gives_none_gradient(rng):
    x, w = rng.standard_normal((3, 2)), rng.standard_normal((4, 2))
    grads = N.linear_backward(np.ones((3, 4)), x, w)
    assert grads[2] is None
    np.testing.assert_allclose(grads[1], np.ones((4, 3)) @ x)


@pytest.mark.parametrize("args, kind, match", [
    ((np.ones((2, 3)), np.ones((4, 5))), ValueError,
     r"^linear: weight .*4, 5.* 5 input features but input has 3"),
    ((np.ones((2, 3)), np.ones(3)), ValueError,
     r"^linear: weight must have 2 dimensions, got 1"),
    ((np.ones((2, 3)), np.ones((4, 3)), np.ones(3)), ValueError,
     r"^linear: bias must have shape \(4,\).*got \(3,\)"),
    ((np.ones((2, 3)), np.ones((4, 3)), np.ones((1, 4))), ValueError,
     r"^linear: bias must have 1 dimensions, got 2"),
    ((np.float64(1.0), np.ones((4, 1))), ValueError,
     r"^linear: input must have at least 1 dimension.*got shape \(\)"),
    ((np.array(["a"]), np.ones((4, 1))), TypeError,
     r"^linear: input must be a real numeric array"),
])
def test_linear_bad_input(args, kind, match):
    with pytest.raises(kind, match=match):
        N.linear(*args)


def test_linear_backward_bad_grad_shape():
    with pytest.raises(ValueError, match=r"^linear_backward: grad_output "
                       r"must have shape \(2, 4\), got \(2, 3\)"):
        N.linear_backward(np.ones((2, 3)), np.ones((2, 3)),
                          np.ones((4, 3)))


# --------------------------------------------------------------------------
# flatten
# --------------------------------------------------------------------------

@st.composite
def flatten_case(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=0,
                                max_size=5)))
    n = max(len(shape), 1)
    start = draw(st.integers(0, n - 1))
    end = draw(st.integers(start, n - 1))
    # either sign for each index
    start -= draw(st.sampled_from([0, n]))
    end -= draw(st.sampled_from([0, n]))
    return draw(_array(shape)), start, end


@given(flatten_case())
def test_flatten_matches_torch(case):
    x, start, end = case
    compare_with_torch(N.flatten, torch.flatten, [x],
                       dict(start_dim=start, end_dim=end),
                       backward=N.flatten_backward)


def test_flatten_defaults_match_nn_flatten(rng):
    x = rng.standard_normal((2, 3, 4, 5))
    compare_with_torch(N.flatten, torch.nn.Flatten(), [x],
                       backward=N.flatten_backward)
    assert N.flatten(x).shape == (2, 60)


def test_flatten_float32(rng):
    x = rng.uniform(-50, 50, (2, 3, 4))
    out = compare_with_torch(N.flatten, torch.flatten, [x],
                             dict(start_dim=0, end_dim=1),
                             backward=N.flatten_backward,
                             dtype=np.float32)
    assert out.dtype == np.float32 and out.shape == (6, 4)


@pytest.mark.parametrize("shape, kwargs, kind, match", [
    ((2, 3, 4), dict(start_dim=2, end_dim=1), ValueError,
     r"^flatten: start_dim must not come after end_dim.*start_dim=2"),
    ((2, 3), dict(start_dim=2), ValueError,
     r"^flatten: start_dim must be in \[-2, 1\].*got 2"),
    ((3,), dict(), ValueError,
     r"^flatten: start_dim must be in \[-1, 0\] for a 1-d input, got 1"),
    ((2, 3), dict(end_dim=-3), ValueError,
     r"^flatten: end_dim must be in \[-2, 1\].*got -3"),
    ((2, 3), dict(start_dim=0.5), TypeError,
     r"^flatten: start_dim must be an int, got 0.5"),
])
def test_flatten_bad_input(shape, kwargs, kind, match):
    with pytest.raises(kind, match=match):
        N.flatten(np.ones(shape), **kwargs)


def test_flatten_backward_bad_grad_shape():
    with pytest.raises(ValueError, match=r"^flatten_backward: grad_output "
                       r"must have shape \(2, 12\), got \(2, 3, 4\)"):
        N.flatten_backward(np.ones((2, 3, 4)), np.ones((2, 3, 4)))


# --------------------------------------------------------------------------
# channel_shuffle
# --------------------------------------------------------------------------

@st.composite
def shuffle_case(draw):
    groups, per_group = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    spatial = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    shape = (draw(st.integers(1, 2)), groups * per_group) + tuple(spatial)
    return draw(_array(shape)), groups


@given(shuffle_case())
def test_channel_shuffle_matches_torch(case):
    x, groups = case
    compare_with_torch(N.channel_shuffle, F.channel_shuffle, [x],
                       dict(groups=groups),
                       backward=N.channel_shuffle_backward)
    np.testing.assert_array_equal(
        N.channel_shuffle(x, groups),
        torch.nn.ChannelShuffle(groups)(torch.from_numpy(x)).numpy())


def test_channel_shuffle_backward_undoes_forward(rng):
    x = rng.standard_normal((2, 12, 3, 3)).astype(np.float32)
    for groups in (1, 2, 3, 4, 6, 12):
        y = N.channel_shuffle(x, groups)
        back = N.channel_shuffle_backward(y, x, groups)
        np.testing.assert_array_equal(back, x)
        assert back.dtype == np.float32


def test_channel_shuffle_example():
    x = np.arange(6.0).reshape(1, 6, 1)
    np.testing.assert_array_equal(N.channel_shuffle(x, 2)[0, :, 0],
                                  [0, 3, 1, 4, 2, 5])
    np.testing.assert_array_equal(N.channel_shuffle(x, 3)[0, :, 0],
                                  [0, 2, 4, 1, 3, 5])


@pytest.mark.parametrize("shape, groups, kind, match", [
    ((1, 6, 2), 4, ValueError,
     r"^channel_shuffle: groups must divide the 6 channels.*groups=4"),
    ((1, 6, 2), 0, ValueError, r"^channel_shuffle: groups must be >= 1"),
    ((1, 6, 2), 2.0, TypeError, r"^channel_shuffle: groups must be an int"),
    ((1, 6), 2, ValueError,
     r"^channel_shuffle: input must have at least 3 dimensions.*\(1, 6\)"),
])
def test_channel_shuffle_bad_input(shape, groups, kind, match):
    with pytest.raises(kind, match=match):
        N.channel_shuffle(np.ones(shape), groups)
