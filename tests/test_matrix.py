"""convlib.matrix.conv_matrix against torch.nn.functional.

Property-based: hypothesis draws the dimension (1-3), channels, groups,
kernel, stride, padding (ints, tuples, 'same', 'valid') and dilation;
``T @ x.ravel()`` must equal ``conv{n}d(x).ravel()`` and ``T.T @
g.ravel()`` the input gradient autograd computes, in float64. Then the
structure the chapters teach (columns are the outputs of unit inputs,
the zero blocks of a grouped convolution, the non-zeros per row), the
dtype, and the bad-input messages.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st

from convlib import shapes
from convlib import numpy as cnp
from convlib.matrix import conv_matrix

pytestmark = pytest.mark.filterwarnings(
    "ignore:Using padding='same':UserWarning")

CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


def _as_tuple(value, n):
    return value if isinstance(value, tuple) else (value,) * n


@st.composite
def cases(draw):
    """(x, weight, kwargs) of one unbatched conv{n}d torch accepts."""
    n = draw(st.integers(1, 3))
    big = 3 if n < 3 else 2
    groups = draw(st.integers(1, 3))
    c_in_g, c_out_g = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, big)) for _ in range(n))
    dilation = draw(st.integers(1, 2) | st.tuples(
        *[st.integers(1, 2)] * n))
    padding = draw(st.sampled_from(["same", "valid"]) | st.integers(0, 2)
                   | st.tuples(*[st.integers(0, 2)] * n))
    stride = 1 if padding == "same" else draw(
        st.integers(1, 3) | st.tuples(*[st.integers(1, 3)] * n))
    pads = (0,) * n if isinstance(padding, str) else _as_tuple(padding, n)
    span = [d * (k - 1) + 1 for d, k in zip(_as_tuple(dilation, n), kernel)]
    size = tuple(max(1, s - 2 * p) + draw(st.integers(0, big))
                 for s, p in zip(span, pads))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.standard_normal((groups * c_in_g,) + size)
    w = rng.standard_normal((groups * c_out_g, c_in_g) + kernel)
    return x, w, dict(stride=stride, padding=padding, dilation=dilation,
                      groups=groups)


@given(cases())
def test_T_times_x_is_torch_s_convolution(case):
    x, w, kw = case
    T = conv_matrix(w, x.shape, **kw)
    y = CONV[w.ndim - 2](torch.from_numpy(x)[None], torch.from_numpy(w),
                         **kw)
    assert T.shape == (y.numel(), x.size)
    np.testing.assert_allclose(T @ x.ravel(), y.numpy().ravel(),
                               rtol=1e-10, atol=1e-12)


@given(cases())
def test_T_transposed_times_g_is_the_input_gradient(case):
    x, w, kw = case
    tx = torch.from_numpy(x)[None].requires_grad_()
    y = CONV[w.ndim - 2](tx, torch.from_numpy(w), **kw)
    g = np.random.default_rng(1).standard_normal(tuple(y.shape))
    y.backward(torch.from_numpy(g))
    T = conv_matrix(w, x.shape, **kw)
    np.testing.assert_allclose(T.T @ g.ravel(), tx.grad.numpy().ravel(),
                               rtol=1e-10, atol=1e-12)


def test_columns_are_the_outputs_of_unit_inputs():
    """Chapter 1's construction: column m is the convolution of the
    m-th unit input."""
    w = np.random.default_rng(2).standard_normal((3, 2, 2, 3))
    shape = (2, 4, 5)
    T = conv_matrix(w, shape, stride=(1, 2), padding=1)
    for m in range(int(np.prod(shape))):
        unit = np.zeros(int(np.prod(shape)))
        unit[m] = 1.0
        out = cnp.conv2d(unit.reshape((1,) + shape), w, stride=(1, 2),
                         padding=1)
        np.testing.assert_array_equal(T[:, m], out.ravel())


def test_grouped_convolution_has_zero_blocks_off_its_groups():
    T = conv_matrix(np.ones((4, 2, 3, 3)), (4, 5, 5), groups=2)
    blocks = T.reshape(4, 9, 4, 25).any(axis=(1, 3))
    np.testing.assert_array_equal(blocks, [[1, 1, 0, 0], [1, 1, 0, 0],
                                           [0, 0, 1, 1], [0, 0, 1, 1]])
    depthwise = conv_matrix(np.ones((4, 1, 3, 3)), (4, 5, 5), groups=4)
    assert np.array_equal(depthwise.reshape(4, 9, 4, 25).any(axis=(1, 3)),
                          np.eye(4, dtype=bool))


def test_a_row_holds_every_tap_inside_the_input_and_no_other():
    w = np.arange(1.0, 1 + 2 * 3 * 3 * 3).reshape(2, 3, 3, 3)
    T = conv_matrix(w, (3, 5, 5), padding=1)
    out = shapes.conv_output_size((5, 5), kernel_size=3, padding=1)
    per_row = np.count_nonzero(T, axis=1).reshape((2,) + out)
    assert per_row[0, 2, 2] == 27      # the window inside the input
    assert per_row[1, 0, 0] == 3 * 4   # a corner: 4 taps of 9 inside
    assert per_row[0, 0, 2] == 3 * 6   # an edge: 6 taps of 9 inside
    # every weight of filter 1 appears once in an inner row
    assert sorted(T[25 + 12][T[25 + 12] != 0]) == list(w[1].ravel())


def test_dtype_follows_the_weight():
    w = np.ones((1, 1, 2, 2), dtype=np.float32)
    assert conv_matrix(w, (1, 3, 3)).dtype == np.float32
    assert conv_matrix(w.astype(int), (1, 3, 3)).dtype == np.float64


@pytest.mark.parametrize("args, kwargs, error, words", [
    ((np.ones((1, 1, 3, 3)), (1, 2, 2)), {}, ValueError,
     "larger than the padded input"),
    ((np.ones((1, 1, 3, 3)), (2, 5, 5)), {}, ValueError,
     "weight has 1 input channels per group but input has 2"),
    ((np.ones((1, 1, 3, 3)), (5, 5)), {}, TypeError,
     "input_shape must be (C_in, *spatial), a tuple of 3 ints"),
    ((np.ones((1, 1, 3, 3)), (1, 0, 5)), {}, ValueError,
     "input_shape must be >= 1"),
    ((np.ones((3, 3)), (1, 5, 5)), {}, ValueError,
     "weight must have 3 or 4 or 5 dimensions"),
    ((np.ones((1, 1, 3, 3)), (1, 5, 5)), dict(stride=0), ValueError,
     "stride must be >= 1"),
    ((np.ones((1, 1, 3, 3)), (1, 5, 5)), dict(stride=2, padding="same"),
     ValueError, "padding='same' is not supported for strided"),
    ((np.ones((2, 1, 3, 3)), (2, 5, 5)), dict(groups=3), ValueError,
     "not divisible by groups=3"),
    (("w", (1, 5, 5)), {}, TypeError, "weight must be a real numeric"),
])
def test_bad_input_names_the_argument(args, kwargs, error, words):
    with pytest.raises(error, match="^conv_matrix: ") as raised:
        conv_matrix(*args, **kwargs)
    assert words in str(raised.value)
