"""convlib.shapes against what torch actually does.

Output sizes are compared with the shapes torch produces on zeros (and
torch's refusals with our ValueError); receptive fields and coverage
maps with the support of a back-propagated gradient through all-ones
layers; parameter counts with torch modules; MAC counts with a
brute-force count of the products.
"""
import itertools
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st
from torch import nn

from convlib import shapes
from convlib.shapes import (conv_output_size, conv_transpose_output_size,
                            count_flops, count_params, coverage,
                            hdc_m_chain, pool_output_size, receptive_field)

pytestmark = pytest.mark.filterwarnings("ignore:Using padding=.same.")

CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
TRANSPOSE = {1: F.conv_transpose1d, 2: F.conv_transpose2d}
MAX_POOL = {1: F.max_pool1d, 2: F.max_pool2d}
AVG_POOL = {1: F.avg_pool1d, 2: F.avg_pool2d}


def _torch_shape(op, spatial, *args, **kwargs):
    """Spatial output shape of a torch op on zeros, or None if it raises."""
    x = torch.zeros((1, 1) + tuple(spatial))
    try:
        out = op(x, *args, **kwargs)
    except RuntimeError:
        return None
    out = out[0] if isinstance(out, tuple) else out
    return tuple(out.shape[2:])


def _expect(ours, spatial, torch_shape):
    """Our answer (a callable) agrees with torch's shape or refusal."""
    if torch_shape is None:
        with pytest.raises(ValueError):
            ours()
    else:
        got = ours()
        assert (got,) == torch_shape if len(spatial) == 1 \
            else got == torch_shape


def _dims(draw, n, low, high):
    return tuple(draw(st.integers(low, high)) for _ in range(n))


# ---------------------------------------------------------- output sizes

@given(st.data())
def test_conv_output_size_matches_torch(data):
    draw = data.draw
    n = draw(st.integers(1, 3))
    size, k = _dims(draw, n, 1, 8), _dims(draw, n, 1, 5)
    s, d = _dims(draw, n, 0, 3), _dims(draw, n, 0, 3)
    padding = draw(st.one_of(st.sampled_from(["same", "valid"]),
                             st.tuples(*[st.integers(-1, 3)] * n)))
    kwargs = dict(stride=s, padding=padding, dilation=d)
    theirs = _torch_shape(CONV[n], size, torch.zeros((1, 1) + k), **kwargs)
    arg = size[0] if n == 1 else size
    _expect(lambda: conv_output_size(arg, kernel_size=k, **kwargs),
            size, theirs)


@given(st.data())
def test_conv_transpose_output_size_matches_torch(data):
    draw = data.draw
    n = draw(st.integers(1, 2))
    size, k = _dims(draw, n, 1, 6), _dims(draw, n, 1, 4)
    kwargs = dict(stride=_dims(draw, n, 1, 3), padding=_dims(draw, n, -1, 4),
                  output_padding=_dims(draw, n, 0, 3),
                  dilation=_dims(draw, n, 1, 3))
    theirs = _torch_shape(TRANSPOSE[n], size, torch.zeros((1, 1) + k),
                          **kwargs)
    arg = size[0] if n == 1 else size
    _expect(lambda: conv_transpose_output_size(arg, kernel_size=k,
                                               **kwargs), size, theirs)


@given(st.data())
def test_pool_output_size_matches_torch(data):
    draw = data.draw
    n, use_max = draw(st.integers(1, 2)), draw(st.booleans())
    size, k = _dims(draw, n, 1, 9), _dims(draw, n, 1, 5)
    kwargs = dict(kernel_size=k, padding=_dims(draw, n, -1, 3),
                  ceil_mode=draw(st.booleans()),
                  stride=draw(st.one_of(st.none(),
                                        st.just(_dims(draw, n, 1, 4)))))
    if use_max:
        kwargs["dilation"] = _dims(draw, n, 1, 3)
    op = (MAX_POOL if use_max else AVG_POOL)[n]
    theirs = _torch_shape(op, size, **kwargs)
    arg = size[0] if n == 1 else size
    _expect(lambda: pool_output_size(arg, **kwargs), size, theirs)


@pytest.mark.parametrize("size, kwargs, expected", [
    (5, dict(kernel_size=2, stride=2, ceil_mode=True), 3),
    (6, dict(kernel_size=3, stride=2, padding=1, ceil_mode=True), 4),
    # the ceil window would start in the right padding: dropped
    (5, dict(kernel_size=2, stride=2, padding=1, ceil_mode=True), 3),
    (5, dict(kernel_size=2, stride=2, padding=1, ceil_mode=False), 3),
    (7, dict(kernel_size=3, stride=2, ceil_mode=False), 3),
    ((7, 8), dict(kernel_size=(3, 2)), (2, 4)),
])
def test_pool_output_size_hand_computed(size, kwargs, expected):
    assert pool_output_size(size, **kwargs) == expected
    op = MAX_POOL[1 if isinstance(size, int) else 2]
    spatial = (size,) if isinstance(size, int) else size
    want = _torch_shape(op, spatial, **kwargs)
    assert want == ((expected,) if isinstance(size, int) else expected)


def test_output_sizes_hand_computed():
    assert conv_output_size(32, kernel_size=5, padding=2) == 32
    assert conv_output_size(224, kernel_size=11, stride=4, padding=2) == 55
    assert conv_output_size((7, 9), kernel_size=3, stride=2) == (3, 4)
    assert conv_output_size(10, kernel_size=3, dilation=4,
                            padding="same") == 10
    assert conv_transpose_output_size(4, kernel_size=4, stride=2,
                                      padding=1) == 8
    assert conv_transpose_output_size(
        (3, 3), kernel_size=3, stride=2, padding=1,
        output_padding=(1, 0)) == (6, 5)


@pytest.mark.parametrize("call, message", [
    (lambda: conv_output_size(4, kernel_size=3, dilation=2), "kernel_size"),
    (lambda: conv_output_size(4, kernel_size=3, padding=-1), "padding"),
    (lambda: conv_output_size(4, kernel_size=3, stride=2, padding="same"),
     "padding"),
    (lambda: conv_output_size(4, kernel_size=3, padding="full"),
     "padding"),
    (lambda: conv_transpose_output_size(4, kernel_size=3, stride=2,
                                        output_padding=2), "output_padding"),
    (lambda: conv_transpose_output_size(1, kernel_size=1, padding=1),
     "padding"),
    (lambda: pool_output_size(5, kernel_size=2, padding=2), "padding"),
    (lambda: pool_output_size(2, kernel_size=3), "kernel_size"),
    (lambda: pool_output_size(0, kernel_size=1), "input_size"),
])
def test_size_errors_name_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("call, name", [
    (lambda: conv_output_size(4.0, kernel_size=3), "input_size"),
    (lambda: conv_output_size(4, kernel_size=2.5), "kernel_size"),
    (lambda: conv_output_size(4, kernel_size=3, padding=1.5), "padding"),
    (lambda: pool_output_size(4, kernel_size=2, ceil_mode=1), "ceil_mode"),
])
def test_non_integers_raise_type_error_like_torch(call, name):
    with pytest.raises(TypeError, match=name):
        call()
    with pytest.raises(TypeError):  # torch refuses a float padding too
        F.conv1d(torch.zeros(1, 1, 4), torch.zeros(1, 1, 3), padding=1.5)


# ------------------------------------------------------ receptive field

def _measure_field(model, ndim, length):
    """Size, stride, offset per dim from gradients of two output units."""
    x = torch.zeros((1, 1) + (length,) * ndim, requires_grad=True)
    out = model(x)
    centre = tuple(s // 2 for s in out.shape[2:])
    firsts, size = [], []
    for step in (0, 1):
        x.grad = None
        unit = tuple(c + step for c in centre)
        out[(0, 0) + unit].backward(retain_graph=True)
        support = np.nonzero(x.grad[0, 0].numpy())
        first = [int(axis.min()) for axis in support]
        last = [int(axis.max()) for axis in support]
        assert min(first) > 0 and max(last) < length - 1, "hit a border"
        firsts.append(first)
        size = [b - a + 1 for a, b in zip(first, last)]
    stride = [b - a for a, b in zip(*firsts)]
    offset = [f - c * s for f, c, s in zip(firsts[0], centre, stride)]
    return size, stride, offset


def _ones_module(kind, k, s, p, d, ndim=1):
    if kind == "conv":
        conv = (nn.Conv1d if ndim == 1 else nn.Conv2d)(
            1, 1, k, stride=s, padding=p, dilation=d, bias=False)
        nn.init.ones_(conv.weight)
        return conv
    return (nn.AvgPool1d if ndim == 1 else nn.AvgPool2d)(
        k, stride=s, padding=min(p, k // 2))


@st.composite
def layer_stacks(draw):
    layers = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["conv", "conv", "pool"]))
        k, s = draw(st.integers(1, 4)), draw(st.integers(1, 2))
        p = draw(st.integers(0, 2))
        d = draw(st.integers(1, 3)) if kind == "conv" else 1
        layers.append(_ones_module(kind, k, s, p, d))
    return layers


@given(layer_stacks())
def test_receptive_field_matches_gradient_support(layers):
    size, stride, offset = _measure_field(nn.Sequential(*layers), 1, 400)
    got = receptive_field(layers)
    assert got == (size[0], stride[0], offset[0])
    as_dicts = [dict(kernel_size=m.kernel_size, stride=m.stride,
                     padding=m.padding,
                     dilation=getattr(m, "dilation", 1)) for m in layers]
    assert receptive_field(as_dicts) == got


def test_receptive_field_2d_modules_per_dim():
    layers = [_ones_module("conv", (3, 1), (1, 2), (1, 0), (2, 1), 2),
              _ones_module("pool", 2, 2, 0, 1, 2),
              _ones_module("conv", (1, 3), 1, "same", (1, 3), 2)]
    size, stride, offset = _measure_field(nn.Sequential(*layers), 2, 60)
    assert receptive_field(layers) == (tuple(size), tuple(stride),
                                       tuple(offset))


def test_receptive_field_accepts_tuples_dicts_and_pool_stride_none():
    as_tuples = [(3, 1, 1), (2, 2), (3, 1, 1, 2)]
    as_dicts = [dict(kernel_size=3, padding=1), dict(kernel_size=2,
                                                     stride=None),
                dict(kernel_size=3, padding=1, dilation=2)]
    # size 1 + 2 + 1 + 2*2*2 = 12, stride 2, offset -1 - 1*2 = -3
    assert receptive_field(as_tuples) == (12, 2, -3)
    assert receptive_field(as_dicts) == (12, 2, -3)


def test_receptive_field_vgg_like_hand_computed():
    vgg = [(3, 1, 1), (3, 1, 1), (2, 2)] * 2 + [(3, 1, 1)]
    # 1 + 2 + 2 + 1 + 2*2 + 2*2 + 2*1 + 4*2 = 24
    assert receptive_field(vgg) == (24, 4, -2 - 2 * 2 - 4)


# ---------------------------------------------------------------- HDC

def test_hdc_paper_examples():
    # Wang et al. 2018: [1, 2, 5] with K=3 gives M_2 = 2 <= 3
    assert hdc_m_chain([1, 2, 5]) == ((1, 2, 5), True)
    # [1, 2, 9]: M_2 = max(9 - 4, 9 - 14, 2) = 5 > 3, M_1 = max(3, -3, 1)
    assert hdc_m_chain([1, 2, 9]) == ((3, 5, 9), False)
    # [2, 4, 8]: M_2 = max(0, 0, 4) = 4 > 3: a common factor grids
    assert hdc_m_chain([2, 4, 8], kernel_size=3).satisfied is False
    assert hdc_m_chain([2, 4, 8], kernel_size=4).satisfied is True


def test_coverage_hand_checked():
    np.testing.assert_array_equal(coverage([2, 2]).counts,
                                  [1, 0, 2, 0, 3, 0, 2, 0, 1])
    assert coverage([2, 2]).has_holes
    assert not coverage([1, 2, 5]).has_holes
    assert coverage([1, 2, 9]).has_holes
    assert coverage([1, 2, 5]).counts.sum() == 3 ** 3
    two_d = coverage([1, 2], ndim=2)
    assert two_d.counts.shape == (7, 7) and two_d.counts.sum() == 9 ** 2
    assert not coverage([3], kernel_size=1).has_holes


def _brute_force_holes(rates, k):
    reach = {sum(r * j for r, j in zip(rates, js))
             for js in itertools.product(range(k), repeat=len(rates))}
    return len(reach) != max(reach) + 1


# The numbers the book quotes (chapter 4): over all 1000 rate triples in
# 1..10 with K = 3, the HDC rule and the exact hole check disagree on
# 181: the rule passes 143 stacks that have holes (all with r_1 > 1) and
# fails 38 that have none (e.g. [1, 3, 1]). With r_1 = 1 it is never
# wrong in the dangerous direction (14 of 100 false alarms), and with
# r_1 = 1 <= r_2 <= r_3 it agrees on all 55.
def test_hdc_rule_against_exact_coverage_exhaustive():
    tally = {"agree": 0, "passes_with_holes": 0, "fails_without": 0}
    r1_is_1 = {"passes_with_holes": 0, "fails_without": 0}
    for rates in itertools.product(range(1, 11), repeat=3):
        holes = coverage(rates).has_holes
        assert holes == _brute_force_holes(rates, 3), rates
        rule = hdc_m_chain(rates).satisfied
        key = ("agree" if rule != holes else
               "passes_with_holes" if rule else "fails_without")
        tally[key] += 1
        if rates[0] == 1 and key != "agree":
            r1_is_1[key] += 1
    assert tally == {"agree": 819, "passes_with_holes": 143,
                     "fails_without": 38}
    assert r1_is_1 == {"passes_with_holes": 0, "fails_without": 14}


@pytest.mark.parametrize("rates", [[1, 2, 5], [2, 2], [1, 3, 1], [1, 2, 9],
                                   [3, 1]])
def test_coverage_equals_torch_gradient(rates):
    # with all-ones weights the input gradient counts the paths
    for ndim, conv in ((1, nn.Conv1d), (2, nn.Conv2d)):
        layers = [conv(1, 1, 3, dilation=r, bias=False) for r in rates]
        for layer in layers:
            nn.init.ones_(layer.weight)
        span = 1 + 2 * sum(rates)
        x = torch.zeros((1, 1) + (span,) * ndim, requires_grad=True)
        out = nn.Sequential(*layers)(x)
        assert out.shape[2:] == (1,) * ndim
        out.sum().backward()
        grad = x.grad[0, 0].numpy().astype(np.int64)
        np.testing.assert_array_equal(grad, coverage(rates, ndim=ndim).counts)


# ------------------------------------------------------------ parameters

def _torch_params(module):
    return sum(p.numel() for p in module.parameters())


def _conv_modules():
    for (n, transpose), g, bias, k in itertools.product(
            [(1, False), (2, False), (3, False), (1, True), (2, True),
             (3, True)], [1, 2, 4], [True, False], [1, 3, (2, 3, 1)]):
        kernel = k if isinstance(k, int) else k[:n]
        cls = getattr(nn, f"Conv{'Transpose' if transpose else ''}{n}d")
        name = f"conv{'_transpose' if transpose else ''}{n}d"
        kwargs = dict(in_channels=4 * g, out_channels=2 * g,
                      kernel_size=kernel, groups=g, bias=bias)
        yield name, kwargs, cls(**kwargs)


def test_count_params_equals_torch_conv_modules():
    cases = list(_conv_modules())
    assert len(cases) == 108
    for name, kwargs, module in cases:
        assert count_params(name, **kwargs) == _torch_params(module), (
            name, kwargs)


@pytest.mark.parametrize("cin, cout, k, m, bias", [
    (3, 8, 3, 1, True), (16, 32, 5, 2, False), (1, 1, (3, 1), 3, True)])
def test_count_params_composites_equal_torch(cin, cout, k, m, bias):
    depthwise = nn.Sequential(
        nn.Conv2d(cin, cin * m, k, groups=cin, bias=bias),
        nn.Conv2d(cin * m, cout, 1, bias=bias))
    assert count_params("depthwise_separable_conv2d", in_channels=cin,
                        out_channels=cout, kernel_size=k,
                        depth_multiplier=m, bias=bias) == \
        _torch_params(depthwise)
    kh, kw = (k, k) if isinstance(k, int) else k
    spatial = nn.Sequential(nn.Conv2d(cin, m, (kh, 1), bias=bias),
                            nn.Conv2d(m, cout, (1, kw), bias=bias))
    assert count_params("spatially_separable_conv2d", in_channels=cin,
                        out_channels=cout, kernel_size=k, mid_channels=m,
                        bias=bias) == _torch_params(spatial)


def test_count_params_linear_and_lists():
    assert count_params("linear", in_features=120, out_features=84) == \
        _torch_params(nn.Linear(120, 84))
    assert count_params("linear", in_features=7, out_features=3,
                        bias=False) == 21
    lenet = [("conv2d", dict(in_channels=1, out_channels=6, kernel_size=5)),
             ("conv2d", dict(in_channels=6, out_channels=16, kernel_size=5)),
             ("linear", dict(in_features=400, out_features=120)),
             ("linear", dict(in_features=120, out_features=84)),
             ("linear", dict(in_features=84, out_features=10))]
    assert count_params(lenet) == 61706  # LeNet-5's well-known count


@pytest.mark.parametrize("name, kwargs, module", [
    ("batch_norm", dict(num_features=16), nn.BatchNorm2d(16)),
    ("batch_norm", dict(num_features=7, affine=False, momentum=None),
     nn.BatchNorm1d(7, affine=False, momentum=None)),
    ("instance_norm", dict(num_features=5), nn.InstanceNorm2d(5)),
    ("instance_norm", dict(num_features=5, affine=True),
     nn.InstanceNorm3d(5, affine=True)),
    ("group_norm", dict(num_groups=4, num_channels=12), nn.GroupNorm(4, 12)),
    ("group_norm", dict(num_groups=3, num_channels=6, affine=False),
     nn.GroupNorm(3, 6, affine=False)),
    ("layer_norm", dict(normalized_shape=10), nn.LayerNorm(10)),
    ("layer_norm", dict(normalized_shape=(3, 4, 5), bias=False),
     nn.LayerNorm((3, 4, 5), bias=False)),
    ("layer_norm", dict(normalized_shape=[6], elementwise_affine=False),
     nn.LayerNorm([6], elementwise_affine=False)),
    ("dropout", dict(p=0.3), nn.Dropout(0.3)),
    ("dropout2d", {}, nn.Dropout2d()),
])
def test_count_params_norms_and_dropout_equal_torch(name, kwargs, module):
    """Weights and biases only: running statistics are buffers."""
    assert count_params(name, **kwargs) == _torch_params(module)
    assert count_flops(name, 8, **kwargs) == 0  # elementwise: not counted
    assert count_flops(name, **kwargs) == 0


# ------------------------------------------------------------------ MACs

def _brute_force_conv_macs(n, size, cin, cout, k, s, p, d, g):
    """Run the conv on ones padded with ONES: each output is its count
    of products, so the sum is every multiply the dense conv does."""
    x = F.pad(torch.ones((1, cin) + size), [q for q in p[::-1]
                                            for _ in (0, 1)], value=1.0)
    w = torch.ones((cout, cin // g) + k)
    return int(CONV[n](x, w, stride=s, dilation=d, groups=g).sum())


@given(st.data())
def test_count_flops_conv_equals_brute_force(data):
    draw = data.draw
    n, g = draw(st.integers(1, 3)), draw(st.sampled_from([1, 2]))
    k, s, d = (_dims(draw, n, 1, 3), _dims(draw, n, 1, 2),
               _dims(draw, n, 1, 2))
    p = _dims(draw, n, 0, 2)
    size = tuple(di * (ki - 1) + 1 + draw(st.integers(0, 3))
                 for ki, di in zip(k, d))
    cin, cout = 2 * g, draw(st.integers(1, 2)) * g
    macs = count_flops(f"conv{n}d", size, in_channels=cin, out_channels=cout,
                       kernel_size=k, stride=s, padding=p, dilation=d,
                       groups=g)
    assert macs == _brute_force_conv_macs(n, size, cin, cout, k, s, p, d, g)
    assert count_flops(f"conv{n}d", size, unit="flop", in_channels=cin,
                       out_channels=cout, kernel_size=k, stride=s,
                       padding=p, dilation=d, groups=g) == 2 * macs


@pytest.mark.parametrize("size, k, s, g, d", [
    ((3, 4), (3, 3), (2, 2), 1, (1, 1)), ((2, 2), (2, 3), (1, 3), 2, (2, 1)),
    ((5, 2), (1, 2), (3, 1), 4, (1, 1))])
def test_count_flops_conv_transpose_equals_brute_force(size, k, s, g, d):
    cin, cout = 4, 8
    x, w = torch.ones((1, cin) + size), torch.ones((cin, cout // g) + k)
    full = F.conv_transpose2d(x, w, stride=s, groups=g, dilation=d)
    for padding in (0, 1):
        assert count_flops("conv_transpose2d", size, in_channels=cin,
                           out_channels=cout, kernel_size=k, stride=s,
                           padding=padding, groups=g, dilation=d) == \
            int(full.sum())


def test_count_flops_hand_computed():
    # MobileNet's example: 3x3 conv, 32 -> 64 channels on 112 x 112
    full = count_flops("conv2d", 112, in_channels=32, out_channels=64,
                       kernel_size=3, padding=1)
    assert full == 112 * 112 * 64 * 32 * 9 == 231_211_008
    separable = count_flops("depthwise_separable_conv2d", 112,
                            in_channels=32, out_channels=64, kernel_size=3,
                            padding=1)
    assert separable == 112 * 112 * 32 * (9 + 64) == 29_302_784
    assert math.isclose(separable / full, 1 / 64 + 1 / 9)
    spatial = count_flops("spatially_separable_conv2d", (5, 5),
                          in_channels=1, out_channels=1, kernel_size=3)
    assert spatial == 3 * 5 * 3 + 3 * 3 * 3  # (3x5 out) then (3x3 out)
    assert count_flops("linear", in_features=100, out_features=10) == 1000
    assert count_flops("linear", in_features=4, out_features=5, bias=False,
                       unit="flop") == 40
    stack = [("conv2d", dict(input_size=5, in_channels=1, out_channels=2,
                             kernel_size=3)),
             ("linear", dict(in_features=18, out_features=1))]
    assert count_flops(stack) == 9 * 2 * 9 + 18


def test_count_flops_composites_equal_their_parts():
    assert count_flops("depthwise_separable_conv2d", (9, 8), in_channels=4,
                       out_channels=6, kernel_size=3, stride=2,
                       depth_multiplier=2) == \
        count_flops("conv2d", (9, 8), in_channels=4, out_channels=8,
                    kernel_size=3, stride=2, groups=4) + \
        count_flops("conv2d", (4, 3), in_channels=8, out_channels=6,
                    kernel_size=1)
    assert shapes.conv_output_size((9, 8), kernel_size=3, stride=2) == (4, 3)


@pytest.mark.parametrize("call, name", [
    (lambda: count_params("conv4d", in_channels=1), "layer"),
    (lambda: count_params("conv2d", in_channels=3, out_channels=4,
                          kernel_size=3, groups=2), "in_channels"),
    (lambda: count_params("conv2d", in_channels=4, out_channels=3,
                          kernel_size=3, groups=2), "out_channels"),
    (lambda: count_params("linear", in_features=0, out_features=3),
     "in_features"),
    (lambda: count_flops("conv2d", in_channels=1, out_channels=1,
                         kernel_size=3), "input_size"),
    (lambda: count_flops("linear", 4, in_features=1, out_features=1),
     "input_size"),
    (lambda: count_flops("conv2d", 4, unit="gflop", in_channels=1,
                         out_channels=1, kernel_size=3), "unit"),
    (lambda: hdc_m_chain([3]), "rates"),
    (lambda: coverage([1, 0]), "rates"),
    (lambda: coverage([1, 2], ndim=3), "ndim"),
    (lambda: receptive_field([]), "layers"),
    (lambda: receptive_field([(3, 1, 1, 1, 1)]), "layers"),
])
def test_counting_errors_name_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_count_params_unknown_keyword_is_a_type_error():
    with pytest.raises(TypeError, match="conv2d"):
        count_params("conv2d", in_channels=1, out_channels=1,
                     kernel=3)
    with pytest.raises(TypeError, match="bias"):
        count_params("linear", in_features=1, out_features=1, bias=1)
