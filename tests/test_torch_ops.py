"""convlib.torch against torch.nn.functional: values, gradients, gradcheck.

One table, `CASES`, maps every public name to its torch twin and a
hypothesis strategy that draws arguments. Each drawn case is run through
both functions in float64; the outputs must agree, and so must the
gradients of every floating-point argument after back-propagating the
same random grad_output. A second pass runs `torch.autograd.gradcheck`
on tiny, kink-free draws. Then: stability at +-1000, a table of bad
inputs, and an ast scan proving no op calls its torch namesake.
"""
import ast
import inspect
import math
import pathlib
import re
from functools import partial

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import convlib.torch as ct
from _resnet import BasicBlock, Bottleneck, randomise

DTYPE = torch.float64
# torch 2.13 warns that it reads a 3-d dropout2d input as (N, C, L)
pytestmark = pytest.mark.filterwarnings(
    "ignore:dropout2d. Received a 3D:UserWarning")
TOL = dict(rtol=1e-9, atol=1e-10)
# torch's hardsigmoid backward multiplies by 1/6 rounded to float32
GRAD_TOL = {"hardsigmoid": dict(rtol=1e-7, atol=1e-10)}
KINKS = np.array([0.0, 0.5, 1.0, 2.0, 2.5, 3.0, 10.0])


# ------------------------------------------------------------ the checks

def _leaves(args):
    """Fresh leaf copies; floating-point ones require grad."""
    out = []
    for a in args:
        if isinstance(a, torch.Tensor):
            a = a.detach().clone()
            a.requires_grad_(a.is_floating_point())
        out.append(a)
    return out


def _first(output):
    return output[0] if isinstance(output, tuple) else output


def _assert_same(ours, theirs, what, tol=TOL):
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs), what
        for o, t in zip(ours, theirs):
            _assert_same(o, t, what, tol)
        return
    assert ours.dtype == theirs.dtype, f"{what}: dtype {ours.dtype}"
    assert ours.shape == theirs.shape, (
        f"{what}: shape {tuple(ours.shape)} != {tuple(theirs.shape)}")
    if theirs.is_floating_point():
        torch.testing.assert_close(ours.detach(), theirs.detach(),
                                   equal_nan=True, msg=what, **tol)
    else:
        assert torch.equal(ours, theirs), f"{what}: indices differ"


def check_against_torch(ours, theirs, args, kwargs, seed=0,
                        grad_tol=TOL):
    """Forward values and all argument gradients equal torch's."""
    mine, gold = _leaves(args), _leaves(args)
    out, expected = ours(*mine, **kwargs), theirs(*gold, **kwargs)
    _assert_same(out, expected, "forward")
    if not _first(expected).requires_grad:
        return
    gen = torch.Generator().manual_seed(seed)
    grad = torch.randn(_first(expected).shape, generator=gen, dtype=DTYPE)
    _first(out).backward(grad)
    _first(expected).backward(grad)
    for i, (a, b) in enumerate(zip(mine, gold)):
        if isinstance(b, torch.Tensor) and b.requires_grad:
            want = torch.zeros_like(b) if b.grad is None else b.grad
            assert a.grad is not None, f"no gradient for argument {i}"
            _assert_same(a.grad, want, f"gradient of argument {i}",
                         grad_tol)


# -------------------------------------------------------- drawing inputs

def _rng(draw):
    return np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))


def _tensor(rng, shape, ties=False, positive=False):
    """Normal values; small integers when `ties`; > 0.5 if positive."""
    if ties:
        values = rng.integers(-2, 3, size=shape).astype(float)
    else:
        values = rng.standard_normal(shape)
    if positive:
        values = np.abs(values) + 0.5
    return torch.tensor(values, dtype=DTYPE)


def _sizes(draw, minimum, small):
    """Input sizes at least `minimum` per axis plus a little."""
    top = 1 if small else 3
    return tuple(max(1, m) + draw(st.integers(0, top)) for m in minimum)


def _lead(draw, small):
    """(N, C) or, for an unbatched input, (C,)."""
    channels = draw(st.integers(1, 2 if small else 3))
    if draw(st.booleans()):
        return (channels,)
    return (draw(st.sampled_from([1] if small else [1, 2])), channels)


def _axis_ints(draw, n, low, high):
    return tuple(draw(st.integers(low, high)) for _ in range(n))


@st.composite
def conv_case(draw, n, small):
    rng = _rng(draw)
    kind = draw(st.sampled_from(["plain", "grouped", "depthwise"]))
    groups = 1 if kind == "plain" else draw(st.integers(2, 3))
    cin_g = 1 if kind == "depthwise" else draw(st.integers(1, 2))
    cout_g = draw(st.integers(1, 2))
    kernel = _axis_ints(draw, n, 1, 3)
    dilation = _axis_ints(draw, n, 1, 2)
    pad_kind = draw(st.sampled_from(["int", "tuple", "same", "valid"]))
    stride = (1,) * n if pad_kind == "same" else _axis_ints(draw, n, 1, 2)
    pads = {"int": (draw(st.integers(0, 2)),) * n, "tuple":
            _axis_ints(draw, n, 0, 2)}.get(pad_kind, (0,) * n)
    padding = {"int": pads[0], "tuple": pads}.get(pad_kind, pad_kind)
    eff = [d * (k - 1) + 1 - 2 * p for k, d, p in
           zip(kernel, dilation, pads)]
    batch = (1,) if small else (draw(st.sampled_from([1, 2])),)
    x = _tensor(rng, batch + (groups * cin_g,) + _sizes(draw, eff, small))
    w = _tensor(rng, (groups * cout_g, cin_g) + kernel)
    b = _tensor(rng, (groups * cout_g,)) if draw(st.booleans()) else None
    if batch == (1,) and draw(st.booleans()):
        x = x[0]  # unbatched (C, *spatial)
    return [x, w, b], dict(stride=stride, padding=padding,
                           dilation=dilation, groups=groups)


@st.composite
def conv_transpose_case(draw, n, small):
    rng = _rng(draw)
    groups = draw(st.integers(1, 2 if small else 3))
    cin_g, cout_g = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kernel = _axis_ints(draw, n, 1, 2 if small and n == 3 else 3)
    stride = _axis_ints(draw, n, 1, 3)
    dilation = _axis_ints(draw, n, 1, 2)
    sizes = _axis_ints(draw, n, 1, 2 if small else 4)
    out_pad = tuple(draw(st.integers(0, max(s, d) - 1))
                    for s, d in zip(stride, dilation))
    padding = tuple(
        draw(st.integers(0, min(2, ((m - 1) * s + d * (k - 1) + op) // 2)))
        for m, s, d, k, op in zip(sizes, stride, dilation, kernel,
                                  out_pad))
    lead = (draw(st.sampled_from([1] if small else [1, 2])),)
    x = _tensor(rng, lead + (groups * cin_g,) + sizes)
    w = _tensor(rng, (groups * cin_g, cout_g) + kernel)
    b = _tensor(rng, (groups * cout_g,)) if draw(st.booleans()) else None
    if lead == (1,) and draw(st.booleans()):
        x = x[0]  # unbatched (C, *spatial)
    return [x, w, b], dict(stride=stride, padding=padding,
                           output_padding=out_pad, groups=groups,
                           dilation=dilation)


@st.composite
def separable_case(draw, small, spatially):
    rng = _rng(draw)
    kernel, dilation = _axis_ints(draw, 2, 1, 3), _axis_ints(draw, 2, 1, 2)
    pad_kind = draw(st.sampled_from(["tuple", "same", "valid"]))
    stride = (1, 1) if pad_kind == "same" else _axis_ints(draw, 2, 1, 2)
    pads = _axis_ints(draw, 2, 0, 1) if pad_kind == "tuple" else (0, 0)
    eff = [d * (k - 1) + 1 - 2 * p for k, d, p in
           zip(kernel, dilation, pads)]
    c_in, c_mid, c_out = (draw(st.integers(1, 3)) for _ in range(3))
    x = _tensor(rng, (draw(st.integers(1, 2)), c_in)
                + _sizes(draw, eff, small))
    if spatially:
        shapes = [(c_mid, c_in, kernel[0], 1), (c_out, c_mid, 1, kernel[1]),
                  (c_mid,), (c_out,)]
    else:
        shapes = [(c_in * c_mid, 1) + kernel, (c_out, c_in * c_mid, 1, 1),
                  (c_in * c_mid,), (c_out,)]
    arrays = [_tensor(rng, s) for s in shapes]
    arrays[2:] = [a if draw(st.booleans()) else None for a in arrays[2:]]
    padding = pads if pad_kind == "tuple" else pad_kind
    return [x] + arrays, dict(stride=stride, padding=padding,
                              dilation=dilation)


def _pool_geometry(draw, n, dilate):
    kernel = _axis_ints(draw, n, 1, 3)
    stride = (None if draw(st.booleans())
              else _axis_ints(draw, n, 1, 3))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    dilation = _axis_ints(draw, n, 1, 2) if dilate else (1,) * n
    eff = [d * (k - 1) + 1 - 2 * p for k, d, p in
           zip(kernel, dilation, padding)]
    return kernel, stride, padding, dilation, eff


def _padding_only_window(sizes, kernel, stride, padding, dilation):
    """True if some dilated window misses the input (torch: garbage)."""
    for m, k, s, p, d in zip(sizes, kernel, stride, padding, dilation):
        out = (m + 2 * p - d * (k - 1) - 1) // s + 2  # covers ceil_mode
        for o in range(out):
            start = o * s - p
            if start < m + p and not any(
                    0 <= start + j * d < m for j in range(k)):
                return True
    return False


@st.composite
def max_pool_case(draw, n, small):
    rng = _rng(draw)
    kernel, stride, padding, dilation, eff = _pool_geometry(draw, n, True)
    ties = not small and draw(st.booleans())
    x = _tensor(rng, _lead(draw, small) + _sizes(draw, eff, small), ties)
    assume(not _padding_only_window(x.shape[-n:], kernel, stride or kernel,
                                    padding, dilation))
    return [x], dict(kernel_size=kernel, stride=stride, padding=padding,
                     dilation=dilation, ceil_mode=draw(st.booleans()),
                     return_indices=draw(st.booleans()))


@st.composite
def avg_pool_case(draw, n, small):
    rng = _rng(draw)
    kernel, stride, padding, _, eff = _pool_geometry(draw, n, False)
    if n == 3:  # torch's avg_pool3d wants the unpadded input >= kernel
        eff = [max(e, k) for e, k in zip(eff, kernel)]
    x = _tensor(rng, _lead(draw, small) + _sizes(draw, eff, small))
    kwargs = dict(kernel_size=kernel, stride=stride, padding=padding,
                  ceil_mode=draw(st.booleans()),
                  count_include_pad=draw(st.booleans()))
    if n > 1:
        kwargs["divisor_override"] = draw(
            st.sampled_from([None, None, 1, 3]))
    return [x], kwargs


@st.composite
def unpool_case(draw, n, small):
    rng = _rng(draw)
    kernel, stride, padding, _, eff = _pool_geometry(draw, n, False)
    # overlapping windows may send two values to one index, where the
    # unpooling is not differentiable: gradcheck gets disjoint windows
    stride = kernel if small or stride is None else stride
    x = _tensor(rng, _lead(draw, small) + _sizes(draw, eff, small))
    pool = getattr(F, f"max_pool{n}d")
    values, indices = pool(x, kernel, stride, padding, return_indices=True)
    kwargs = dict(kernel_size=kernel, stride=stride, padding=padding)
    form = draw(st.sampled_from(["none", "spatial", "full"]))
    default = [(m - 1) * s + k - 2 * p for m, s, k, p in
               zip(values.shape[-n:], stride, kernel, padding)]
    if form == "none":
        assume(indices.numel() == 0 or indices.max() < math.prod(default))
    else:
        spatial = list(x.shape[-n:])
        kwargs["output_size"] = (spatial if form == "spatial"
                                 else [1, 1] + spatial)
    return [values, indices], kwargs


@st.composite
def adaptive_case(draw, n, small, kind):
    rng = _rng(draw)
    sizes = _axis_ints(draw, n, 1, 4 if small else 7)
    x = _tensor(rng, _lead(draw, small) + sizes,
                ties=kind == "max" and not small and draw(st.booleans()))
    out = _axis_ints(draw, n, 1, 4 if small else 8)
    if n == 1:
        output_size = out[0] if draw(st.booleans()) else out
    else:
        output_size = draw(st.sampled_from(
            [out, (None, out[1]), out[0]]))
    kwargs = dict(output_size=output_size)
    if kind == "max":
        kwargs["return_indices"] = draw(st.booleans())
    return [x], kwargs


@st.composite
def fractional_case(draw, small):
    rng = _rng(draw)
    kernel = _axis_ints(draw, 2, 1, 3)
    sizes = _sizes(draw, [k + 1 for k in kernel], small)
    lead = _lead(draw, small)
    x = _tensor(rng, lead + sizes, ties=not small and draw(st.booleans()))
    kwargs = dict(kernel_size=kernel,
                  return_indices=draw(st.booleans()),
                  _random_samples=torch.tensor(
                      rng.random(((1,) + lead)[-2:] + (2,)), dtype=DTYPE))
    out = tuple(draw(st.integers(1, m - k + 1))
                for m, k in zip(sizes, kernel))
    if draw(st.booleans()):
        kwargs["output_size"] = out
    else:  # a ratio below 1 (1 or more is refused, as nn.Fractional...)
        kwargs["output_ratio"] = tuple((min(o, m - 1) + 0.5) / m
                                       for o, m in zip(out, sizes))
    return [x], kwargs


@st.composite
def lp_pool_case(draw, n, small):
    rng = _rng(draw)
    kernel, stride, _, _, _ = _pool_geometry(draw, n, False)
    x = _tensor(rng, _lead(draw, small) + _sizes(draw, kernel, small),
                positive=True)
    norm = draw(st.sampled_from([1, 2, 3, 1.5, math.inf]))
    if n == 1:  # torch's lp_pool1d multiplies by kernel_size: an int
        kernel, stride = kernel[0], stride and stride[0]
    return [x], dict(norm_type=norm, kernel_size=kernel, stride=stride,
                     ceil_mode=draw(st.booleans()))


def _blur_torch(x, kernel_size, stride, padding_mode):
    """Blur pooling (Zhang 2019) from torch's pad and conv2d: the
    binomial filter, padded (k - 1) // 2 before and k // 2 after."""
    rows = [torch.tensor([math.comb(k - 1, i) for i in range(k)],
                         dtype=x.dtype) for k in kernel_size]
    weight = torch.outer(*rows) / 2 ** (sum(kernel_size) - 2)
    (kh, kw), mode = kernel_size, {"zeros": "constant"}.get(
        padding_mode, padding_mode)
    x4 = x if x.dim() == 4 else x[None]
    padded = F.pad(x4, [(kw - 1) // 2, kw // 2, (kh - 1) // 2, kh // 2],
                   mode=mode)
    out = F.conv2d(padded, weight.expand(x4.shape[1], 1, kh, kw),
                   stride=stride, groups=x4.shape[1])
    return out if x.dim() == 4 else out[0]


@st.composite
def blur_case(draw, small):
    rng = _rng(draw)
    kernel = tuple(draw(st.integers(1, 4)) for _ in range(2))
    sizes = tuple(draw(st.integers(k // 2 + 1, 4 if small else 8))
                  for k in kernel)
    stride = tuple(draw(st.integers(1, 3)) for _ in range(2))
    mode = draw(st.sampled_from(["zeros", "reflect", "replicate",
                                 "circular"]))
    return [_tensor(rng, _lead(draw, small) + sizes)], dict(
        kernel_size=kernel, stride=stride, padding_mode=mode)


@st.composite
def linear_case(draw, small):
    rng = _rng(draw)
    n_in, n_out = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    lead = _axis_ints(draw, draw(st.integers(0, 2)), 1, 3)
    bias = _tensor(rng, (n_out,)) if draw(st.booleans()) else None
    return [_tensor(rng, lead + (n_in,)), _tensor(rng, (n_out, n_in)),
            bias], {}


@st.composite
def flatten_case(draw, small):
    rng = _rng(draw)
    ndim = draw(st.integers(0, 4))
    x = _tensor(rng, _axis_ints(draw, ndim, 0 if not small else 1, 3))
    size = max(ndim, 1)
    start = draw(st.integers(-size, size - 1))
    end = draw(st.integers(start % size, size - 1))
    end = end - size if draw(st.booleans()) else end
    return [x], dict(start_dim=start, end_dim=end)


@st.composite
def shuffle_case(draw, small):
    rng = _rng(draw)
    groups, per_group = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    rest = _axis_ints(draw, draw(st.integers(1, 2)), 1, 3)
    x = _tensor(rng, (draw(st.integers(1, 2)), groups * per_group) + rest)
    return [x], dict(groups=groups)


def _activation_values(draw, rng, shape, small):
    """Wide-range values with kinks and +-1000; smooth when `small`."""
    if small:
        values = rng.uniform(-4, 4, size=shape)
        near = np.abs(np.abs(values)[..., None] - KINKS).min(-1) < 0.05
        return np.where(near, values + 0.1, values)
    scale = draw(st.sampled_from([1.0, 4.0, 30.0, 1000.0]))
    values = rng.standard_normal(shape) * scale
    specials = np.array([0.0, 1000.0, -1000.0, 3.0, -3.0, 1.0, -1.0,
                         20.0, 0.5, -2.0, 2.0, 40.0])
    mask = rng.random(shape) < 0.3
    return np.where(mask, rng.choice(specials, size=shape), values)


def activation_case(**kwarg_choices):
    """Strategy factory: an input of 0-4 dims and drawn keyword args."""
    @st.composite
    def case(draw, small):
        rng = _rng(draw)
        shape = _axis_ints(draw, draw(st.integers(0, 3)), 1, 4)
        x = torch.tensor(_activation_values(draw, rng, shape, small),
                         dtype=DTYPE)
        kwargs = {k: draw(st.sampled_from(v))
                  for k, v in kwarg_choices.items()}
        return [x], kwargs
    return case


@st.composite
def prelu_case(draw, small):
    rng = _rng(draw)
    shape = _axis_ints(draw, draw(st.integers(1, 4)), 1, 4)
    x = torch.tensor(_activation_values(draw, rng, shape, small),
                     dtype=DTYPE)
    channels = shape[1] if len(shape) >= 2 else 1
    count = draw(st.sampled_from([1, channels]))
    return [x, _tensor(rng, (count,))], {}


@st.composite
def softmax_case(draw, small):
    rng = _rng(draw)
    ndim = draw(st.integers(1, 4))
    shape = _axis_ints(draw, ndim, 1, 4)
    x = torch.tensor(_activation_values(draw, rng, shape, small),
                     dtype=DTYPE)
    return [x], dict(dim=draw(st.integers(-ndim, ndim - 1)))


@st.composite
def glu_case(draw, small):
    rng = _rng(draw)
    ndim = draw(st.integers(1, 4))
    shape = list(_axis_ints(draw, ndim, 1, 4))
    dim = draw(st.integers(-ndim, ndim - 1))
    shape[dim] *= 2                        # GLU halves an even size
    x = torch.tensor(_activation_values(draw, rng, tuple(shape), small),
                     dtype=DTYPE)
    return [x], dict(dim=dim)


@st.composite
def rrelu_train_case(draw, small):
    rng = _rng(draw)
    shape = _axis_ints(draw, draw(st.integers(1, 3)), 1, 4)
    x = torch.tensor(_activation_values(draw, rng, shape, small),
                     dtype=DTYPE)
    lower = draw(st.sampled_from([0.1, 0.125, 0.3]))
    return [x], dict(lower=lower, upper=lower + draw(
        st.sampled_from([0.0, 0.2])), seed=draw(st.integers(0, 1000)))


def _rrelu_ours(x, lower, upper, seed):
    """convlib rrelu fed torch's own noise for the same seed."""
    noise = torch.empty_like(x)
    torch.ops.aten.rrelu_with_noise(
        x.detach(), noise, lower, upper, True,
        torch.Generator().manual_seed(seed))
    return ct.rrelu(x, lower, upper, training=True, noise=noise)


def _rrelu_torch(x, lower, upper, seed):
    return torch.ops.aten.rrelu_with_noise(
        x, torch.empty_like(x), lower, upper, True,
        torch.Generator().manual_seed(seed))


def _affine_last(function):
    """`function` taking (x, weight, bias, **settings): the norms take
    their settings (running statistics, normalized_shape, num_groups)
    before weight and bias, and the table passes arrays first."""
    return lambda x, w, b, **kw: function(x, weight=w, bias=b, **kw)


def _optional_pair(draw, rng, shape):
    return [_tensor(rng, shape) if draw(st.booleans()) else None
            for _ in range(2)]


@st.composite
def stat_norm_case(draw, small, instance):
    """batch_norm / instance_norm: the running statistics go in the
    keyword arguments (torch does not differentiate them; in training
    mode both functions update the same ones)."""
    rng = _rng(draw)
    n, c = draw(st.integers(1, 2 if small else 3)), draw(st.integers(1, 3))
    spatial = [draw(st.integers(1, 3)) for _ in range(
        draw(st.integers(int(instance), 2 if small else 3)))]
    own = draw(st.booleans())
    if own and math.prod(spatial) * (1 if instance else n) <= 1:
        spatial = spatial[:-1] + [2] if spatial else [2]
    x = _tensor(rng, (n, c) + tuple(spatial))
    mean, var = _tensor(rng, (c,)), _tensor(rng, (c,), positive=True)
    if own and draw(st.booleans()):
        mean = var = None
    flag = "use_input_stats" if instance else "training"
    return [x] + _optional_pair(draw, rng, (c,)), {
        "running_mean": mean, "running_var": var, flag: own,
        "momentum": draw(st.sampled_from([0.1, 0.0, 1.0, 0.3])),
        "eps": draw(st.sampled_from([1e-5, 1e-2]))}


@st.composite
def layer_norm_case(draw, small):
    rng = _rng(draw)
    shape = _axis_ints(draw, draw(st.integers(1, 3 if small else 4)), 1, 3)
    normalized = shape[len(shape) - draw(st.integers(1, len(shape))):]
    return [_tensor(rng, shape)] + _optional_pair(draw, rng, normalized), \
        dict(normalized_shape=normalized, eps=draw(
            st.sampled_from([1e-5, 1e-2])))


@st.composite
def group_norm_case(draw, small):
    rng = _rng(draw)
    groups, size = draw(st.integers(1, 3)), draw(st.integers(1, 2))
    spatial = _axis_ints(draw, draw(st.integers(0, 2)), 1, 3)
    shape = (draw(st.integers(1, 2)), groups * size) + spatial
    if math.prod(shape) // groups <= 1:  # torch wants 2 values
        shape = (2,) + shape[1:]
    return [_tensor(rng, shape)] + _optional_pair(draw, rng, shape[1]), \
        dict(num_groups=groups, eps=draw(st.sampled_from([1e-5, 1e-2])))


def _torch_group_norm(x, weight, bias, **kwargs):
    """torch 2.13's backward fails for a bias without a weight ("tensor
    does not have a device"); ones stand in for the weight there."""
    if weight is None and bias is not None:
        weight = torch.ones(x.shape[1], dtype=x.dtype)
    return F.group_norm(x, weight=weight, bias=bias, **kwargs)


@st.composite
def dropout_case(draw, small, channelwise):
    """The mask is torch's own for the drawn seed, read off its output
    (the input has no zeros); ours gets it, torch redraws it."""
    rng = _rng(draw)
    ndim = draw(st.sampled_from([3, 4])) if channelwise else draw(
        st.integers(1, 4))
    x = _tensor(rng, _axis_ints(draw, ndim, 1, 3), positive=True)
    p = draw(st.sampled_from([0.0, 0.2, 0.5, 1.0]))
    kwargs = dict(p=p, training=draw(st.booleans()),
                  seed=draw(st.integers(0, 10 ** 6)))
    with torch.no_grad():
        out = _torch_dropout(channelwise)(x, mask=None, **kwargs)
    keep = (out != 0).to(DTYPE)
    if channelwise:
        keep = keep.amax(dim=tuple(range(2, ndim)), keepdim=True)
    return [x], dict(kwargs, mask=keep)


def _torch_dropout(channelwise):
    def twin(x, p, training, mask, seed):
        torch.manual_seed(seed)
        op = F.dropout2d if channelwise else F.dropout
        return op(x, p, training)
    return twin


def _our_dropout(channelwise):
    def ours(x, p, training, mask, seed):
        op = ct.dropout2d if channelwise else ct.dropout
        return op(x, p, training, mask=mask)
    return ours


@st.composite
def block_case(draw, small, kind):
    """A torch.nn block (tests/_resnet.py) with random batch norms; the
    learnable parameters are the array arguments, the buffers go in the
    keywords (both functions update the same ones)."""
    rng = _rng(draw)
    stride, cin = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    settings = dict(stride=stride, training=draw(st.booleans()),
                    momentum=draw(st.sampled_from([0.1, 0.5])))
    if kind == "basic_block":
        module = BasicBlock(cin, draw(st.sampled_from([cin, 2])), stride)
    else:
        groups = draw(st.integers(1, 2))
        settings["groups"] = groups
        module = Bottleneck(cin, draw(st.sampled_from([cin, 4])), stride,
                            groups, groups)
    randomise(module.double(), torch.Generator().manual_seed(
        draw(st.integers(0, 2 ** 31))))
    for m in module.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.momentum = settings["momentum"]
    names = [k for k, _ in module.named_parameters()]
    params = [p.detach().clone() for p in module.parameters()]
    buffers = {k: b.detach().clone() for k, b in module.named_buffers()}
    sizes = _axis_ints(draw, 2, 1, 2 if small else 4)
    x = _tensor(rng, (2, cin) + sizes)
    return [x] + params, dict(settings, names=tuple(names),
                              buffers=buffers, module=module)


def _our_block(kind):
    def ours(x, *params, names, buffers, module, **settings):
        return getattr(ct, kind)(x, dict(buffers, **dict(zip(names,
                                                             params))),
                                 **settings)
    return ours


def _torch_block(x, *params, names, buffers, module, **settings):
    module.train(settings["training"])
    return torch.func.functional_call(
        module, dict(buffers, **dict(zip(names, params))), (x,))


# ---------------------------------------------------------------- table

def _depthwise_separable_torch(x, dw, pw, db, pb, stride, padding,
                               dilation):
    mid = F.conv2d(x, dw, db, stride, padding, dilation, x.shape[1])
    return F.conv2d(mid, pw, pb)


def _spatially_separable_torch(x, cw, rw, cb, rb, stride, padding,
                               dilation):
    (sh, sw), (dh, dw) = stride, dilation
    ph, pw = ((padding, padding) if isinstance(padding, str)
              else ((padding[0], 0), (0, padding[1])))
    mid = F.conv2d(x, cw, cb, (sh, 1), ph, (dh, 1))
    return F.conv2d(mid, rw, rb, (1, sw), pw, (1, dw))


CASES = {
    **{f"conv{n}d": (getattr(F, f"conv{n}d"), partial(conv_case, n))
       for n in (1, 2, 3)},
    **{f"conv_transpose{n}d": (getattr(F, f"conv_transpose{n}d"),
                               partial(conv_transpose_case, n))
       for n in (1, 2, 3)},
    "depthwise_separable_conv2d": (_depthwise_separable_torch,
                                   partial(separable_case,
                                           spatially=False)),
    "spatially_separable_conv2d": (_spatially_separable_torch,
                                   partial(separable_case,
                                           spatially=True)),
    **{f"max_pool{n}d": (getattr(F, f"max_pool{n}d"),
                         partial(max_pool_case, n)) for n in (1, 2, 3)},
    **{f"avg_pool{n}d": (getattr(F, f"avg_pool{n}d"),
                         partial(avg_pool_case, n)) for n in (1, 2, 3)},
    **{f"max_unpool{n}d": (getattr(F, f"max_unpool{n}d"),
                         partial(unpool_case, n)) for n in (1, 2, 3)},
    **{f"adaptive_{kind}_pool{n}d": (
        getattr(F, f"adaptive_{kind}_pool{n}d"),
        partial(adaptive_case, n, kind=kind))
       for n in (1, 2) for kind in ("avg", "max")},
    "fractional_max_pool2d": (F.fractional_max_pool2d, fractional_case),
    **{f"lp_pool{n}d": (getattr(F, f"lp_pool{n}d"),
                        partial(lp_pool_case, n)) for n in (1, 2)},
    "blur_pool2d": (_blur_torch, blur_case),  # torch has none
    "linear": (F.linear, linear_case),
    "flatten": (torch.flatten, flatten_case),
    "channel_shuffle": (F.channel_shuffle, shuffle_case),
    "sigmoid": (torch.sigmoid, activation_case()),
    "tanh": (torch.tanh, activation_case()),
    "relu": (F.relu, activation_case()),
    "leaky_relu": (F.leaky_relu, activation_case(
        negative_slope=[0.01, 0.2, -0.5, 2.0])),
    "prelu": (F.prelu, prelu_case),
    "rrelu": (F.rrelu, activation_case(lower=[0.125, 0.1],
                                       upper=[1 / 3, 0.5])),
    "rrelu_training": (_rrelu_torch, rrelu_train_case),
    "elu": (F.elu, activation_case(alpha=[1.0, 0.5, 2.0])),
    "selu": (F.selu, activation_case()),
    "celu": (F.celu, activation_case(alpha=[1.0, 0.5, 2.0])),
    "gelu": (F.gelu, activation_case(approximate=["none", "tanh"])),
    "silu": (F.silu, activation_case()),
    "mish": (F.mish, activation_case()),
    "softplus": (F.softplus, activation_case(beta=[1, 0.5, 2],
                                             threshold=[20, 5, 1])),
    "hardtanh": (F.hardtanh, activation_case(
        min_val=[-1.0, -2.0, 0.5], max_val=[1.0, 2.0])),
    "hardsigmoid": (F.hardsigmoid, activation_case()),
    "hardswish": (F.hardswish, activation_case()),
    "softmax": (F.softmax, softmax_case),
    "log_softmax": (F.log_softmax, softmax_case),
    "glu": (F.glu, glu_case),
    "batch_norm": (_affine_last(F.batch_norm),
                   partial(stat_norm_case, instance=False)),
    "instance_norm": (_affine_last(F.instance_norm),
                      partial(stat_norm_case, instance=True)),
    "layer_norm": (_affine_last(F.layer_norm), layer_norm_case),
    "group_norm": (_torch_group_norm, group_norm_case),
    "dropout": (_torch_dropout(False), partial(dropout_case,
                                               channelwise=False)),
    "dropout2d": (_torch_dropout(True), partial(dropout_case,
                                                channelwise=True)),
    "basic_block": (_torch_block, partial(block_case, kind="basic_block")),
    "bottleneck_block": (_torch_block, partial(block_case,
                                               kind="bottleneck_block")),
}
OURS = {name: getattr(ct, name) for name in CASES if name in ct.__all__}
OURS["rrelu_training"] = _rrelu_ours
OURS.update({name: _affine_last(getattr(ct, name)) for name in (
    "batch_norm", "instance_norm", "layer_norm", "group_norm")})
OURS.update(dropout=_our_dropout(False), dropout2d=_our_dropout(True),
            basic_block=_our_block("basic_block"),
            bottleneck_block=_our_block("bottleneck_block"))


def _draw_case(data, name, small):
    make = CASES[name][1]
    return data.draw(make(small=small), label=name)


# Whole residual blocks (several convolutions and batch norms each) cost
# about 40 times a single op: fewer examples, the same check.
BLOCKS = {"basic_block", "bottleneck_block"}


@pytest.mark.parametrize("name", sorted(set(CASES) - BLOCKS))
@given(data=st.data())
def test_matches_torch(name, data):
    args, kwargs = _draw_case(data, name, small=False)
    check_against_torch(OURS[name], CASES[name][0], args, kwargs,
                        grad_tol=GRAD_TOL.get(name, TOL))


@pytest.mark.parametrize("name", sorted(BLOCKS))
@settings(max_examples=8)
@given(data=st.data())
def test_block_matches_torch(name, data):
    test_matches_torch.hypothesis.inner_test(name, data)


@pytest.mark.parametrize("name", sorted(CASES))
@settings(max_examples=4)
@given(data=st.data())
def test_gradcheck(name, data):
    args, kwargs = _draw_case(data, name, small=True)
    float_at = [i for i, a in enumerate(args)
                if isinstance(a, torch.Tensor) and a.is_floating_point()]

    def fn(*floats):
        full = list(args)
        for i, f in zip(float_at, floats):
            full[i] = f
        return _first(OURS[name](*full, **kwargs))

    inputs = [args[i].detach().clone().requires_grad_()
              for i in float_at]
    assert torch.autograd.gradcheck(fn, inputs, eps=1e-6, atol=1e-5)


def test_table_covers_the_public_api():
    assert set(ct.__all__) <= set(CASES), set(ct.__all__) - set(CASES)
    assert set(ct.__all__) >= DESIGN_NAMES, DESIGN_NAMES - set(ct.__all__)


DESIGN_NAMES = set("""
conv1d conv2d conv3d conv_transpose1d conv_transpose2d conv_transpose3d
max_pool1d max_pool2d max_pool3d avg_pool1d avg_pool2d avg_pool3d
max_unpool1d max_unpool2d max_unpool3d adaptive_avg_pool1d
adaptive_avg_pool2d adaptive_max_pool1d adaptive_max_pool2d
fractional_max_pool2d lp_pool1d lp_pool2d linear channel_shuffle flatten
sigmoid tanh relu leaky_relu prelu rrelu elu selu celu gelu silu mish
softplus hardtanh hardsigmoid hardswish softmax log_softmax glu
depthwise_separable_conv2d spatially_separable_conv2d
batch_norm layer_norm group_norm instance_norm dropout dropout2d""".split())


def _torch_parameters(name):
    """(name, default) pairs of torch's function, from its signature or,
    for builtins, from the first line of its docstring."""
    fn = torch.flatten if name == "flatten" else getattr(F, name)
    for candidate in (getattr(F, name + "_with_indices", None), fn):
        try:
            params = inspect.signature(candidate).parameters.values()
        except (TypeError, ValueError):
            continue
        if all(p.kind != p.VAR_POSITIONAL for p in params):
            return [(p.name, p.default) for p in params]
    head = fn.__doc__.strip().split("\n")[0].split(" -> ")[0]
    args = ast.parse(f"def {head}: pass").body[0].args
    defaults = [inspect.Parameter.empty] * (
        len(args.args) - len(args.defaults)) + [
        ast.literal_eval(d) for d in args.defaults]
    return [(a.arg, d) for a, d in zip(args.args, defaults)]


@pytest.mark.parametrize("name", sorted(DESIGN_NAMES - {
    "depthwise_separable_conv2d", "spatially_separable_conv2d"}))
def test_signature_is_torchs(name):
    ours = [(p.name, p.default) for p in
            inspect.signature(getattr(ct, name)).parameters.values()]
    theirs = _torch_parameters(name)
    assert ours[:len(theirs)] == theirs
    assert all(d is None for _, d in ours[len(theirs):]), ours


@pytest.mark.parametrize("name", ["batch_norm", "instance_norm"])
@given(data=st.data())
def test_running_statistics_updated_as_torchs(name, data):
    (x, w, b), kwargs = data.draw(stat_norm_case(
        small=False, instance=name == "instance_norm"), label=name)
    if kwargs["running_mean"] is None:
        kwargs["running_mean"] = torch.zeros(x.shape[1], dtype=DTYPE)
        kwargs["running_var"] = torch.ones(x.shape[1], dtype=DTYPE)
    stats = ("running_mean", "running_var")
    mine = dict(kwargs, **{k: kwargs[k].clone() for k in stats})
    gold = dict(kwargs, **{k: kwargs[k].clone() for k in stats})
    getattr(ct, name)(x, weight=w, bias=b, **mine)
    getattr(F, name)(x, weight=w, bias=b, **gold)
    for key in stats:
        _assert_same(mine[key], gold[key], key)


# ------------------------------------------------------------ stability

ELEMENTWISE = ["sigmoid", "tanh", "relu", "leaky_relu", "rrelu", "elu",
               "selu", "celu", "gelu", "silu", "mish", "softplus",
               "hardtanh", "hardsigmoid", "hardswish", "softmax",
               "log_softmax"]


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_finite_values_and_gradients_at_1000(name):
    x = torch.tensor([-1000.0, -100.0, -30.0, -1.0, 0.0, 1.0, 30.0,
                      100.0, 1000.0], dtype=DTYPE, requires_grad=True)
    kwargs = {"softmax": dict(dim=0), "log_softmax": dict(dim=0)}
    y = getattr(ct, name)(x, **kwargs.get(name, {}))
    y.backward(torch.linspace(-1, 1, len(x), dtype=DTYPE))
    assert torch.isfinite(y).all(), y
    assert torch.isfinite(x.grad).all(), x.grad


def test_gelu_tanh_and_softplus_beta_at_1000():
    x = torch.tensor([-1000.0, 1000.0], dtype=DTYPE, requires_grad=True)
    y = ct.gelu(x, approximate="tanh") + ct.softplus(x, beta=3,
                                                     threshold=1e6)
    y.sum().backward()
    assert torch.isfinite(y).all() and torch.isfinite(x.grad).all()
    torch.testing.assert_close(y.detach(), torch.tensor(
        [0.0, 1000.0 + 1000.0], dtype=DTYPE), rtol=1e-12, atol=1e-12)


# ------------------------------------------------------- rrelu, inplace

def test_rrelu_generator_reproducible_and_slopes_in_range():
    x = torch.linspace(-5, 5, 101, dtype=DTYPE)
    first = ct.rrelu(x, 0.1, 0.4, training=True,
                     generator=torch.Generator().manual_seed(7))
    again = ct.rrelu(x, 0.1, 0.4, training=True,
                     generator=torch.Generator().manual_seed(7))
    other = ct.rrelu(x, 0.1, 0.4, training=True,
                     generator=torch.Generator().manual_seed(8))
    assert torch.equal(first, again) and not torch.equal(first, other)
    negative = x < 0
    slopes = first[negative] / x[negative]
    assert ((slopes >= 0.1) & (slopes <= 0.4)).all()
    assert slopes.unique().numel() > 10
    assert torch.equal(first[~negative], x[~negative])


def test_rrelu_eval_uses_the_mean_slope():
    x = torch.tensor([-2.0, 3.0], dtype=DTYPE)
    expected = torch.tensor([-2.0 * 0.25, 3.0], dtype=DTYPE)
    assert torch.equal(ct.rrelu(x, 0.1, 0.4), expected)


def test_inplace_writes_into_the_input():
    x = torch.tensor([-1.0, 2.0], dtype=DTYPE)
    out = ct.relu(x, inplace=True)
    assert out is x and torch.equal(x, torch.tensor([0.0, 2.0],
                                                    dtype=DTYPE))
    leaf = torch.zeros(2, dtype=DTYPE, requires_grad=True)
    with pytest.raises(ValueError, match="^relu: inplace"):
        ct.relu(leaf, inplace=True)


# ---------------------------------------------------- structural checks

def test_spatially_separable_equals_conv2d_with_rank_one_kernel():
    gen = torch.Generator().manual_seed(3)
    x = torch.randn(2, 3, 7, 6, generator=gen, dtype=DTYPE)
    column = torch.randn(4, 3, 3, 1, generator=gen, dtype=DTYPE)
    row = torch.randn(5, 4, 1, 2, generator=gen, dtype=DTYPE)
    # w[o, c, i, j] = sum_m row[o, m, 0, j] * column[m, c, i, 0]
    full = torch.einsum("omj,mci->ocij", row[:, :, 0], column[..., 0])
    kwargs = dict(stride=(2, 1), padding=(1, 1), dilation=(1, 2))
    torch.testing.assert_close(
        ct.spatially_separable_conv2d(x, column, row, **kwargs),
        ct.conv2d(x, full, **kwargs), rtol=1e-12, atol=1e-12)


def test_max_unpool_round_trip_keeps_each_maximum_in_place():
    x = torch.randn(2, 3, 6, 8, generator=torch.Generator().manual_seed(5),
                    dtype=DTYPE)
    values, indices = ct.max_pool2d(x, 2, return_indices=True)
    back = ct.max_unpool2d(values, indices, 2)
    kept = back != 0
    assert kept.sum() == values.numel()
    assert torch.equal(back[kept], x[kept])
    hidden = torch.where(kept, back, -math.inf)
    assert torch.equal(ct.max_pool2d(hidden, 2), values)


def test_fractional_float32_sequence_matches_torch():
    gen = torch.Generator().manual_seed(11)
    x = torch.randn(2, 3, 25, 31, generator=gen)
    samples = torch.rand(2, 3, 2, generator=gen)
    ours = ct.fractional_max_pool2d(x, 3, output_size=(9, 13),
                                    return_indices=True,
                                    _random_samples=samples)
    theirs = F.fractional_max_pool2d(x, 3, output_size=(9, 13),
                                     return_indices=True,
                                     _random_samples=samples)
    assert torch.equal(ours[0], theirs[0])
    assert torch.equal(ours[1], theirs[1])


# ------------------------------------------------------------ bad input

def _t(*shape):
    return torch.zeros(shape, dtype=DTYPE)


BAD_INPUTS = [
    (ct.conv2d, (_t(3, 4), _t(1, 3, 1, 1)), {}, ValueError, "input"),
    (ct.conv2d, (_t(1, 6, 5, 5), _t(2, 2, 1, 1)), {}, ValueError,
     "weight has 2 input channels per group"),
    (ct.conv2d, (_t(1, 6, 5, 5), _t(2, 3, 1, 1)), dict(groups=4),
     ValueError, "groups"),
    (ct.conv2d, (_t(1, 1, 5, 5), _t(1, 1, 1, 1)), dict(stride=0),
     ValueError, "stride"),
    (ct.conv2d, (_t(1, 1, 5, 5), _t(1, 1, 1, 1)), dict(padding="full"),
     ValueError, "padding"),
    (ct.conv2d, (_t(1, 1, 5, 5), _t(1, 1, 3, 3)),
     dict(padding="same", stride=2), ValueError, "padding='same'"),
    (ct.conv2d, (_t(1, 1, 2, 2), _t(1, 1, 3, 3)), {}, ValueError,
     "weight"),
    (ct.conv2d, (_t(1, 1, 5, 5), _t(2, 1, 1, 1), _t(3)), {}, ValueError,
     "bias"),
    (ct.conv2d, (np.zeros((1, 1, 3, 3)), _t(1, 1, 1, 1)), {}, TypeError,
     "input"),
    (ct.conv2d, (_t(1, 1, 5, 5), _t(1, 1, 1, 1)), dict(dilation=1.5),
     TypeError, "dilation"),
    (ct.conv_transpose2d, (_t(1, 1, 3, 3), _t(1, 1, 2, 2)),
     dict(stride=2, output_padding=2), ValueError, "output_padding"),
    (ct.conv_transpose1d, (_t(1, 2, 3), _t(3, 1, 2)), {}, ValueError,
     "weight"),
    (ct.depthwise_separable_conv2d,
     (_t(1, 2, 5, 5), _t(2, 1, 3, 3), _t(4, 2, 2, 2)), {}, ValueError,
     "pointwise_weight"),
    (ct.spatially_separable_conv2d,
     (_t(1, 2, 5, 5), _t(2, 2, 3, 3), _t(4, 2, 1, 3)), {}, ValueError,
     "column_weight"),
    (ct.max_pool2d, (_t(1, 1, 5, 5), 2), dict(padding=2), ValueError,
     "padding"),
    (ct.max_pool2d, (_t(1, 1, 5, 5), 1.5), {}, TypeError, "kernel_size"),
    (ct.max_pool3d, (_t(1, 1, 1, 1, 1), 3), {}, ValueError,
     "kernel_size"),
    (ct.avg_pool2d, (_t(1, 1, 4, 4), 2), dict(divisor_override=0),
     ValueError, "divisor_override"),
    (ct.max_unpool2d, (_t(1, 1, 2, 2), torch.full((1, 1, 2, 2), 16), 2),
     {}, ValueError, "indices"),
    (ct.max_unpool2d, (_t(1, 1, 2, 2), torch.zeros(1, 1, 2, 2).long(), 2),
     dict(output_size=(9, 4)), ValueError, "output_size"),
    (ct.adaptive_avg_pool2d, (_t(1, 1, 4, 4), 0), {}, ValueError,
     "output_size"),
    (ct.adaptive_max_pool1d, (_t(1, 1, 4), (2, 2)), {}, ValueError,
     "output_size"),
    (ct.fractional_max_pool2d, (_t(1, 1, 6, 6), 2), {}, ValueError,
     "output_size"),
    (ct.fractional_max_pool2d, (_t(1, 1, 6, 6), 2), dict(output_size=6),
     ValueError, "output"),
    (ct.fractional_max_pool2d, (_t(1, 1, 6, 6), 2),
     dict(output_size=3, _random_samples=_t(1, 2, 2)), ValueError,
     "_random_samples"),
    (ct.lp_pool2d, (_t(1, 1, 4, 4), 0, 2), {}, ValueError, "norm_type"),
    (ct.linear, (_t(2, 3), _t(4, 5)), {}, ValueError, "input"),
    (ct.linear, (_t(2, 3), _t(4, 3), _t(3)), {}, ValueError, "bias"),
    (ct.linear, (_t(2, 3), _t(3)), {}, ValueError, "weight"),
    (ct.channel_shuffle, (_t(1, 6, 2), 4), {}, ValueError, "groups"),
    (ct.channel_shuffle, (_t(1, 6), 2), {}, ValueError, "input"),
    (ct.flatten, (_t(2, 3, 4),), dict(start_dim=2, end_dim=1),
     ValueError, "start_dim"),
    (ct.flatten, (_t(2, 3),), dict(start_dim=2), ValueError, "start_dim"),
    (ct.prelu, (_t(2, 3, 4), _t(2)), {}, ValueError, "weight"),
    (ct.rrelu, (_t(3),), dict(lower=0.5, upper=0.1), ValueError, "lower"),
    (ct.rrelu, (_t(3),), dict(training=True, noise=_t(4)), ValueError,
     "noise"),
    (ct.relu, (torch.zeros(3, dtype=torch.int64),), {}, TypeError,
     "input"),
    (ct.softmax, (_t(2, 3),), dict(dim=2), ValueError, "dim"),
    (ct.gelu, (_t(3),), dict(approximate="erf"), ValueError,
     "approximate"),
    (ct.celu, (_t(3),), dict(alpha=0), ValueError, "alpha"),
    (ct.hardtanh, (_t(3),), dict(min_val=1.0, max_val=0.0), ValueError,
     "min_val"),
    (ct.softplus, (_t(3),), dict(beta=0), ValueError, "beta"),
]


@pytest.mark.parametrize(
    "fn, args, kwargs, error, fragment", BAD_INPUTS,
    ids=[f"{case[0].__name__}-{case[4]}" for case in BAD_INPUTS])
def test_bad_input_is_named(fn, args, kwargs, error, fragment):
    with pytest.raises(error) as info:
        fn(*args, **kwargs)
    message = str(info.value)
    assert message.startswith(f"{fn.__name__}: "), message
    assert fragment in message, message


# ------------------------------------------------- no same-purpose calls

PACKAGE = pathlib.Path(inspect.getfile(ct.conv2d)).parent
# the op names plus torch's aliases and internals for the same things
FORBIDDEN = DESIGN_NAMES | {
    "expit", "logsigmoid", "log_sigmoid", "relu6", "softmin", "logit",
    "_softmax", "_log_softmax", "convolution", "_convolution",
    "conv_tbc", "adaptive_avg_pool3d", "adaptive_max_pool3d",
    "fractional_max_pool3d", "lp_pool3d", "native_channel_shuffle",
    "max_pool1d_with_indices", "max_pool2d_with_indices",
    "max_pool3d_with_indices", "rrelu_with_noise", "bilinear", "addmm",
    "baddbmm", "mkldnn_convolution", "prelu_kernel",
    "_batch_norm_impl_index", "native_batch_norm"}
FORBIDDEN_PATTERN = re.compile(
    r"conv|pool|softmax|sigmoid|relu|elu$|tanh|softplus|mish|silu|"
    r"hardswish|shuffle|linear|flatten|norm$|dropout")


def _forbidden_calls(source):
    """(line, text) of each call that reaches a torch op of our kind."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level == 0:
            found += [(node.lineno, f"import {a.name}") for a in node.names
                      if _forbidden_name(a.name)]
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if (isinstance(func, ast.Attribute)
                and ast.unparse(func.value) == "_args"):
            continue  # convlib._args: argument checks, plain integers
        if isinstance(func, ast.Attribute) and _forbidden_name(func.attr):
            found.append((node.lineno, ast.unparse(func)))
        if (isinstance(func, ast.Name) and func.id == "getattr"
                and re.match(r"(torch|F)\b", ast.unparse(node.args[0]))):
            found.append((node.lineno, ast.unparse(node)))
    return found


def _forbidden_name(name):
    bare = name.strip("_")
    return name in FORBIDDEN or bare in FORBIDDEN or bool(
        FORBIDDEN_PATTERN.search(bare))


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")),
                         ids=lambda p: p.name)
def test_no_op_calls_its_torch_namesake(path):
    assert _forbidden_calls(path.read_text()) == []


@pytest.mark.parametrize("snippet", [
    "F.conv2d(x, w)", "torch.sigmoid(x)", "x.relu()", "x.flatten(1)",
    "torch.nn.functional.max_pool2d(x, 2)", "torch.ops.aten.gelu(x)",
    "torch.special.expit(x)", "from torch.nn.functional import relu",
    "getattr(F, 'soft' + 'max')(x)", "torch._softmax(x, 0, False)",
    "x.tanh_()", "torch.selu(x)", "F.batch_norm(x, m, v)",
    "torch.nn.functional.layer_norm(x, (3,))", "torch.group_norm(x, 2)",
    "torch.ops.aten.native_layer_norm(x)", "F.dropout2d(x)",
    "torch.native_dropout(x, 0.5, True)",
    "from torch.nn.functional import dropout"])
def test_scanner_catches_forbidden_calls(snippet):
    assert _forbidden_calls(snippet)


def test_scanner_allows_primitives():
    source = ("F.pad(x, [1, 1]); x.unfold(2, 3, 1); torch.einsum('i', x);"
              "torch.where(x > 0, x, 0); x.max(-1); _tanh(x); relu(x);"
              "from .activations import relu")
    assert _forbidden_calls(source) == []
