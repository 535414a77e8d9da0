"""convlib.naive against torch.nn.functional and against convlib.numpy.

Arguments are drawn by hypothesis, small enough for Python loops; every
comparison is float64 through `compare_with_torch`.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st

from convlib import naive
from _compare import compare_with_torch

SMALL = st.integers(1, 2)
pytestmark = pytest.mark.filterwarnings("ignore:Using padding=.same.")



@st.composite
def conv_cases(draw, n):
    """(input, weight, bias, kwargs) for a random n-d convolution."""
    groups = draw(SMALL)
    k = [draw(st.integers(1, 3)) for _ in range(n)]
    d = [draw(SMALL) for _ in range(n)]
    padding = draw(st.sampled_from(["int", "same", "valid"]))
    s = [1] * n if padding == "same" else [draw(st.integers(1, 3))
                                            for _ in range(n)]
    p = [draw(st.integers(0, 2)) for _ in range(n)] if padding == "int" \
        else [0] * n
    sizes = [_size_for_draw(draw, ki, di, pi)
             for ki, di, pi in zip(k, d, p)]
    c_in, c_out = draw(SMALL) * groups, draw(SMALL) * groups
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.standard_normal([draw(SMALL), c_in] + sizes)
    w = rng.standard_normal([c_out, c_in // groups] + k)
    bias = rng.standard_normal(c_out) if draw(st.booleans()) else None
    kwargs = dict(stride=tuple(s), dilation=tuple(d), groups=groups,
                  padding=padding if padding != "int" else tuple(p))
    return x, w, bias, kwargs


def _size_for_draw(draw, kernel, dilation, padding):
    span = dilation * (kernel - 1) + 1
    return draw(st.integers(max(1, span - 2 * padding),
                            span - 2 * padding + 4))


@given(conv_cases(1))
def test_conv1d_matches_torch(case):
    x, w, bias, kwargs = case
    compare_with_torch(naive.conv1d, F.conv1d, [x, w, bias], kwargs)


@given(conv_cases(2))
def test_conv2d_and_backward_match_torch(case):
    x, w, bias, kwargs = case
    compare_with_torch(naive.conv2d, F.conv2d, [x, w, bias], kwargs,
                       backward=naive.conv2d_backward)


def test_conv2d_unbatched_input_matches_torch(rng):
    x, w = rng.standard_normal((2, 5, 4)), rng.standard_normal((3, 2, 2, 3))
    compare_with_torch(naive.conv2d, F.conv2d, [x, w, None],
                       dict(padding=1), backward=naive.conv2d_backward)


def test_conv2d_same_padding_even_kernel_pads_right(rng):
    # total padding 3 is split 1 left, 2 right, as torch does
    x, w = rng.standard_normal((1, 1, 5, 5)), np.zeros((1, 1, 4, 4))
    w[0, 0, 0, 0] = 1.0
    out = naive.conv2d(x, w, padding="same")
    assert out.shape == x.shape
    np.testing.assert_array_equal(out[0, 0, 1:, 1:], x[0, 0, :-1, :-1])


@st.composite
def transpose_cases(draw):
    groups = draw(SMALL)
    k = [draw(st.integers(1, 3)) for _ in range(2)]
    s = [draw(st.integers(1, 3)) for _ in range(2)]
    d = [draw(SMALL) for _ in range(2)]
    op = [draw(st.integers(0, max(si, di) - 1)) for si, di in zip(s, d)]
    sizes = [draw(st.integers(1, 4)) for _ in range(2)]
    p = [draw(st.integers(0, ((hi - 1) * si + di * (ki - 1) + opi) // 2))
         for hi, si, di, ki, opi in zip(sizes, s, d, k, op)]
    c_in, c_out = draw(SMALL) * groups, draw(SMALL) * groups
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.standard_normal([draw(SMALL), c_in] + sizes)
    w = rng.standard_normal([c_in, c_out // groups] + k)
    bias = rng.standard_normal(c_out) if draw(st.booleans()) else None
    kwargs = dict(stride=tuple(s), padding=tuple(p),
                  output_padding=tuple(op), groups=groups,
                  dilation=tuple(d))
    return x, w, bias, kwargs


@given(transpose_cases())
def test_conv_transpose2d_matches_torch(case):
    x, w, bias, kwargs = case
    compare_with_torch(naive.conv_transpose2d, F.conv_transpose2d,
                       [x, w, bias], kwargs)


@given(transpose_cases())
def test_conv_transpose2d_by_zero_insertion_matches_torch(case):
    x, w, bias, kwargs = case
    compare_with_torch(naive.conv_transpose2d_by_zero_insertion,
                       F.conv_transpose2d, [x, w, bias], kwargs)


def test_zero_insertion_crops_when_padding_exceeds_the_kernel_span(rng):
    # d*(k - 1) - p < 0: the zero-inserted input is cropped, not padded
    x, w = rng.standard_normal((1, 2, 4, 3)), rng.standard_normal((2, 3, 1, 2))
    kw = dict(stride=(2, 3), padding=(1, 2), output_padding=(1, 0))
    compare_with_torch(naive.conv_transpose2d_by_zero_insertion,
                       F.conv_transpose2d, [x, w, None], kw)


def test_insert_zeros_puts_stride_minus_one_zeros_between_cells():
    x = np.arange(1.0, 7.0).reshape(1, 2, 3)
    out = naive.insert_zeros(x, (2, 3))
    assert out.shape == (1, 3, 7)
    np.testing.assert_array_equal(out[0, ::2, ::3], x[0])
    assert np.count_nonzero(out) == x.size
    np.testing.assert_array_equal(naive.insert_zeros(x, 1), x)
    with pytest.raises(ValueError, match="insert_zeros: stride"):
        naive.insert_zeros(x, 0)
    with pytest.raises(ValueError, match="insert_zeros: input must have"):
        naive.insert_zeros(np.ones(3), 2)


def test_conv_transpose2d_is_the_adjoint_of_conv2d(rng):
    # <conv2d(x), y> == <x, conv_transpose2d(y)> with the same weight
    x, w = rng.standard_normal((1, 2, 7, 6)), rng.standard_normal((4, 2, 3, 2))
    kw = dict(stride=2, padding=1, dilation=(1, 2))
    y = rng.standard_normal(naive.conv2d(x, w, **kw).shape)
    back = naive.conv_transpose2d(y, w, output_padding=(0, 1), **kw)
    assert back.shape == x.shape
    np.testing.assert_allclose(np.sum(naive.conv2d(x, w, **kw) * y),
                               np.sum(x * back), rtol=1e-12)


@st.composite
def pool_cases(draw, dilation=True):
    k = [draw(st.integers(1, 3)) for _ in range(2)]
    s = [draw(st.integers(1, 3)) for _ in range(2)]
    p = [draw(st.integers(0, ki // 2)) for ki in k]
    d = [draw(SMALL) if dilation else 1 for _ in range(2)]
    sizes = [_size_for_draw(draw, ki, di, pi)
             for ki, di, pi in zip(k, d, p)]
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.standard_normal([draw(SMALL), draw(SMALL)] + sizes)
    if draw(st.booleans()):  # ties, to check which index wins
        x = np.round(x)
    kwargs = dict(kernel_size=tuple(k), stride=tuple(s), padding=tuple(p),
                  ceil_mode=draw(st.booleans()))
    if dilation:
        kwargs["dilation"] = tuple(d)
    return x, kwargs


@given(pool_cases(), st.booleans())
def test_max_pool2d_matches_torch(case, return_indices):
    x, kwargs = case
    compare_with_torch(naive.max_pool2d, F.max_pool2d, [x],
                       dict(kwargs, return_indices=return_indices))


def test_max_pool2d_nan_wins_like_torch():
    x = np.array([[[[1.0, np.nan], [3.0, 2.0]]]])
    out, idx = naive.max_pool2d(x, 2, return_indices=True)
    assert np.isnan(out[0, 0, 0, 0]) and idx[0, 0, 0, 0] == 1
    t_out, t_idx = F.max_pool2d(torch.from_numpy(x), 2, return_indices=True)
    assert int(t_idx[0, 0, 0, 0]) == 1 and torch.isnan(t_out).all()


@pytest.mark.parametrize("shape, kwargs", [
    # a dilated window can lie wholly in the padding: -inf, and torch's
    # index of the first window position inside the input
    ((1, 1, 1, 1), dict(kernel_size=(1, 2), stride=1, padding=(0, 1),
                        dilation=(1, 2))),
    ((1, 1, 2, 3), dict(kernel_size=2, stride=1, padding=1,
                        dilation=(2, 3))),
])
def test_max_pool2d_windows_in_the_padding(rng, shape, kwargs):
    compare_with_torch(naive.max_pool2d, F.max_pool2d,
                       [rng.standard_normal(shape)],
                       dict(kwargs, return_indices=True))


@given(pool_cases(dilation=False), st.booleans(),
       st.sampled_from([None, 1, 3]))
def test_avg_pool2d_matches_torch(case, count_include_pad, divisor):
    x, kwargs = case
    compare_with_torch(naive.avg_pool2d, F.avg_pool2d, [x],
                       dict(kwargs, count_include_pad=count_include_pad,
                            divisor_override=divisor))


@pytest.mark.parametrize("kwargs", [
    dict(kernel_size=2, ceil_mode=True),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=(3, 2), stride=(2, 3), padding=(1, 0),
         ceil_mode=True, count_include_pad=False),
])
def test_avg_pool2d_ceil_mode_windows_past_the_edge(rng, kwargs):
    # ceil_mode windows that hang past the padded input divide by the
    # part inside it only
    x = rng.standard_normal((1, 2, 5, 6))
    compare_with_torch(naive.avg_pool2d, F.avg_pool2d, [x], kwargs)


@pytest.mark.parametrize("shape", [(5,), (3, 5), (2, 3, 5)])
@pytest.mark.parametrize("with_bias", [True, False])
def test_linear_matches_torch(rng, shape, with_bias):
    x, w = rng.standard_normal(shape), rng.standard_normal((4, 5))
    bias = rng.standard_normal(4) if with_bias else None
    compare_with_torch(naive.linear, F.linear, [x, w, bias])


def test_naive_matches_hand_computed_conv():
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    w = np.array([[[[1.0, 0.0], [0.0, -1.0]]]])
    # each output: top-left minus bottom-right of its 2x2 window
    np.testing.assert_array_equal(naive.conv2d(x, w),
                                  np.full((1, 1, 2, 2), -4.0))


# ----------------------------------------- naive against convlib.numpy

@given(conv_cases(2))
def test_conv2d_matches_numpy(case):
    import convlib.numpy as cnp
    x, w, bias, kwargs = case
    np.testing.assert_allclose(naive.conv2d(x, w, bias, **kwargs),
                               cnp.conv2d(x, w, bias, **kwargs),
                               rtol=1e-10, atol=1e-12)
    grad = np.random.default_rng(1).standard_normal(
        naive.conv2d(x, w, bias, **kwargs).shape)
    for ours, theirs in zip(
            naive.conv2d_backward(grad, x, w, bias, **kwargs),
            cnp.conv2d_backward(grad, x, w, bias, **kwargs)):
        if ours is None:
            assert theirs is None
        else:
            np.testing.assert_allclose(ours, theirs, rtol=1e-10,
                                       atol=1e-12)


@given(conv_cases(1))
def test_conv1d_matches_numpy(case):
    import convlib.numpy as cnp
    x, w, bias, kwargs = case
    np.testing.assert_allclose(naive.conv1d(x, w, bias, **kwargs),
                               cnp.conv1d(x, w, bias, **kwargs),
                               rtol=1e-10, atol=1e-12)


@given(transpose_cases())
def test_conv_transpose2d_matches_numpy(case):
    import convlib.numpy as cnp
    x, w, bias, kwargs = case
    np.testing.assert_allclose(naive.conv_transpose2d(x, w, bias, **kwargs),
                               cnp.conv_transpose2d(x, w, bias, **kwargs),
                               rtol=1e-10, atol=1e-12)


@given(pool_cases(), st.booleans())
def test_max_pool2d_matches_numpy(case, return_indices):
    import convlib.numpy as cnp
    x, kwargs = case
    kwargs["return_indices"] = return_indices
    ours, theirs = naive.max_pool2d(x, **kwargs), cnp.max_pool2d(x, **kwargs)
    for a, b in zip(ours if return_indices else [ours],
                    theirs if return_indices else [theirs]):
        np.testing.assert_array_equal(a, b)


@given(pool_cases(dilation=False), st.booleans(),
       st.sampled_from([None, 3]))
def test_avg_pool2d_matches_numpy(case, count_include_pad, divisor):
    import convlib.numpy as cnp
    x, kwargs = case
    kwargs.update(count_include_pad=count_include_pad,
                  divisor_override=divisor)
    np.testing.assert_allclose(naive.avg_pool2d(x, **kwargs),
                               cnp.avg_pool2d(x, **kwargs),
                               rtol=1e-10, atol=1e-12)


def test_linear_matches_numpy(rng):
    import convlib.numpy as cnp
    x, w, b = (rng.standard_normal((3, 5)), rng.standard_normal((4, 5)),
               rng.standard_normal(4))
    np.testing.assert_allclose(naive.linear(x, w, b), cnp.linear(x, w, b),
                               rtol=1e-12)
