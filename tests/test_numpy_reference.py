"""convlib.numpy's fast paths against its reference path.

`convlib.numpy._reference` is convolution and pooling as definitions
(pad -> strided window view -> tensordot / max). Every fast path of
`_conv_forward` (pointwise, columns, flat with columns or tap sums),
of `_conv_nd` (grad_input by phases, by column scatter, by depthwise
scatter; grad_weight on the flat layout, by columns and depthwise)
and of the pooling
modules must give the same numbers. Each test forces one path.
Arguments are drawn by hypothesis; the inputs are NaN-free (the torch
tests cover NaN).
"""
import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

import convlib.numpy as cn
import convlib.numpy._conv_forward as conv_forward
import convlib.numpy._conv_nd as conv_nd
import convlib.numpy._reference as ref
from convlib import _args
from convlib.numpy import _tuning
from convlib.numpy._pieces import Call

TOL = dict(rtol=1e-10, atol=1e-10)
MAX_POOL = {1: cn.max_pool1d, 2: cn.max_pool2d, 3: cn.max_pool3d}
MAX_POOL_BACKWARD = {1: cn.max_pool1d_backward, 2: cn.max_pool2d_backward,
                     3: cn.max_pool3d_backward}
AVG_POOL = {1: cn.avg_pool1d, 2: cn.avg_pool2d, 3: cn.avg_pool3d}
AVG_POOL_BACKWARD = {1: cn.avg_pool1d_backward, 2: cn.avg_pool2d_backward,
                     3: cn.avg_pool3d_backward}


@st.composite
def conv_cases(draw, depthwise=None, strided=None):
    """(x, weight, ConvArgs) for a valid conv{n}d call."""
    n = draw(st.integers(1, 3))
    groups = draw(st.sampled_from([1, 2, 3]))
    if depthwise is None:
        depthwise = draw(st.booleans())
    per_group = 1 if depthwise else draw(st.integers(1, 3))
    c_in, c_out = groups * per_group, groups * draw(st.integers(1, 3))
    if depthwise:
        groups = max(groups, 2)
        c_in, c_out = groups, groups * draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(n))
    stride = [draw(st.integers(1, 3)) for _ in range(n)]
    if strided is False:
        stride = [1] * n
    elif strided and max(stride) == 1:
        stride[draw(st.integers(0, n - 1))] = draw(st.integers(2, 3))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(n))
    padding = tuple(draw(st.integers(0, 2)) for _ in range(n))
    size = tuple(max(1, d * (k - 1) + 1 - 2 * p)
                 + draw(st.integers(0, 5 if n < 3 else 3))
                 for k, d, p in zip(kernel, dilation, padding))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.standard_normal((draw(st.integers(1, 3)), c_in) + size)
    w = rng.standard_normal((c_out, c_in // groups) + kernel)
    try:
        a = _args.conv_args("conv", n, x.shape, w.shape, None, stride,
                            padding, dilation, groups)
    except ValueError:
        assume(False)
    return x, w, a


def _spy(monkeypatch, name, module=conv_nd):
    """Record the calls of `module.<name>` (their first argument)."""
    calls, real = [], getattr(module, name)
    monkeypatch.setattr(module, name,
                        lambda *args: calls.append(args[0]) or real(*args))
    return calls


def _spy_ways(monkeypatch):
    """Record the `_Plan` of every way `_conv_forward.forward` runs."""
    plans = []
    for name, run in dict(conv_forward._RUN).items():
        monkeypatch.setitem(
            conv_forward._RUN, name,
            lambda x, w, y, plan, run=run: plans.append(plan)
            or run(x, w, y, plan))
    return plans


@st.composite
def forward_cases(draw):
    """(x, w, stride, pads, dilation, groups, out) with uneven pads and
    now and then fewer outputs than windows (spare windows dropped)."""
    x, w, a = draw(conv_cases())
    pads = tuple((lo, hi + draw(st.integers(0, 2))) for lo, hi in a.pads)
    out = tuple(_args.conv_size(s, k, st_, p, d) for s, k, st_, p, d in
                zip(x.shape[2:], a.kernel, a.stride, pads, a.dilation))
    out = tuple(o - draw(st.integers(0, o - 1)) if draw(st.booleans())
                else o for o in out)
    return x, w, a.stride, pads, a.dilation, a.groups, out


@pytest.mark.parametrize("way", conv_forward.WAYS)
@pytest.mark.parametrize("budget", [1, 2**22])
@given(case=forward_cases())
def test_forward_ways(case, way, budget):
    """Every way of `_conv_forward`, in chunks of one sample and one
    flat position or in one chunk, equals the reference; the plan that
    ran is the way asked for, chunked as the budget says."""
    x, w, stride, pads, dilation, groups, out = case
    with pytest.MonkeyPatch.context() as mp:
        for name in ("FLAT_BYTES", "SAMPLE_BYTES", "COLUMN_BYTES"):
            mp.setattr(_tuning, name, budget)
        plans = _spy_ways(mp)
        got = conv_forward.forward(x, w, stride, pads, dilation, groups,
                                   out, path=way)
    want = ref.conv(x, w, stride, pads, dilation, groups)
    crop = (Ellipsis,) + tuple(slice(0, o) for o in out)
    np.testing.assert_allclose(got, want[crop], **TOL)
    assert [(p.path, p.shifted) for p in plans] == [way]
    if budget == 1:  # one sample a chunk; flat: one position a block
        assert plans[0].samples == 1
        assert way[0] != "flat" or plans[0].block == 1


@given(case=forward_cases())
def test_forward_pointwise_and_chosen(case):
    """The way `_costs` chooses, and pointwise where it fits, equal the
    reference."""
    x, w, stride, pads, dilation, groups, out = case
    want = ref.conv(x, w, stride, pads, dilation, groups)
    crop = (Ellipsis,) + tuple(slice(0, o) for o in out)
    np.testing.assert_allclose(conv_forward.forward(
        x, w, stride, pads, dilation, groups, out), want[crop], **TOL)
    call = Call(x.shape, w.shape, stride, pads, dilation, groups, out)
    if conv_forward._pointwise_fits(call):
        with pytest.MonkeyPatch.context() as mp:
            plans = _spy_ways(mp)
            np.testing.assert_allclose(conv_forward.forward(
                x, w, stride, pads, dilation, groups, out,
                path="pointwise"), want[crop], **TOL)
        assert [p.path for p in plans] == ["pointwise"]


@pytest.mark.parametrize("factor", [0, 10**9])  # scatter / phases
@pytest.mark.parametrize("budget", [1, 2**30])  # col2im chunks
@pytest.mark.parametrize("stacked", [False, True])  # phases stacked
@given(case=conv_cases())
def test_grad_input_paths(case, factor, budget, stacked):
    """grad_input by phases (one at a time, or stacked into one
    correlation where that applies), by col2im of columns or by the
    depthwise col2im equals the reference, and the path is the one
    `_tuning.SCATTER_FACTOR` asks for: with 0, every strided
    grad_input is scattered; with 10**9, every one goes by phases but where a
    dimension has both stride and dilation above 1 (phases cannot).
    col2im goes in chunks of one sample or all at once."""
    x, w, a = case
    grad = np.random.default_rng(1).standard_normal(
        (x.shape[0], w.shape[0]) + a.out)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_tuning, "SCATTER_FACTOR", factor)
        mp.setattr(_tuning, "GRAD_COLUMN_BYTES", budget)
        mp.setattr(conv_nd, "_stack_pays", lambda *args: stacked and (
            conv_nd._stacked_plan(*args) is not None))
        phases = _spy(mp, "_phases")
        columns = _spy(mp, "_scatter_columns")
        depthwise = _spy(mp, "_scatter_depthwise")
        got = conv_nd._grad_input(grad, w, x.shape[2:], a.stride, a.pads,
                                  a.dilation, a.groups)
    want = ref.conv_grad_input(grad, w, x.shape[2:], a.stride, a.pads,
                               a.dilation, a.groups)
    np.testing.assert_allclose(got, want, **TOL)
    strided = max(a.stride) > 1
    both = any(s > 1 and d > 1 for s, d in zip(a.stride, a.dilation))
    by_phases = not both and (not strided or factor > 0)
    assert bool(phases) == by_phases
    is_depthwise = a.groups > 1 and w.shape[1] == 1
    assert bool(depthwise) == (not by_phases and is_depthwise)
    assert bool(columns) == (not by_phases and not is_depthwise)


@pytest.mark.parametrize("way", ["flat", "columns", "pointwise",
                                 "tap_boxes"])
@given(case=conv_cases())
def test_grad_weight_paths(case, way):
    """The flat layout's tap matmuls or im2col columns (whichever
    `_flat_grad_weight_pays` chooses: forced here; the columns in
    chunks of one sample), a matmul per sample for a 1x1 kernel
    without padding (`_pointwise_grad_weight_pays`, forced too; other
    kernels then go by columns), the tap boxes (`_tap_boxes_pay`,
    forced too), or the depthwise tap loop when groups == C_in (and
    only then), equal the reference."""
    x, w, a = case
    grad = np.random.default_rng(2).standard_normal(
        (x.shape[0], w.shape[0]) + a.out)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(conv_nd, "_flat_grad_weight_pays",
                   lambda *args: way == "flat")
        mp.setattr(conv_nd, "_pointwise_grad_weight_pays",
                   lambda *args: way == "pointwise")
        mp.setattr(conv_nd, "_tap_boxes_pay",
                   lambda *args: way == "tap_boxes")
        mp.setattr(_tuning, "GRAD_COLUMN_BYTES", 1)
        spies = {name: _spy(mp, name) for name in (
            "_depthwise_grad_weight", "_flat_grad_weight",
            "_columns_grad_weight", "_pointwise_grad_weight",
            "_tap_boxes_grad_weight")}
        got = conv_nd._grad_weight(x, grad, w.shape[2:], a.stride, a.pads,
                                   a.dilation, a.groups)
    want = ref.conv_grad_weight(x, grad, w.shape[2:], a.stride, a.pads,
                                a.dilation, a.groups)
    np.testing.assert_allclose(got, want, **TOL)
    is_depthwise = a.groups > 1 and x.shape[1] == a.groups
    pointwise = max(w.shape[2:]) == 1 and not any(map(any, a.pads))
    taken = {name for name, calls in spies.items() if calls}
    if way == "pointwise" and not pointwise:
        way = "columns"
    assert taken == ({"_depthwise_grad_weight"} if is_depthwise
                     else {f"_{way}_grad_weight"})


def test_reference_conv_is_the_definition(rng):
    """The reference against the formula written out, one output."""
    x = rng.standard_normal((1, 4, 7, 8))
    w = rng.standard_normal((6, 2, 3, 2))
    y = ref.conv(x, w, (2, 1), ((1, 1), (0, 0)), (1, 3), 2)
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (0, 0)))
    o, i, j = 4, 2, 1  # output channel 4 is in group 1: channels 2, 3
    want = sum(padded[0, 2 + c, 2 * i + a, j + 3 * b] * w[o, c, a, b]
               for c in range(2) for a in range(3) for b in range(2))
    assert np.isclose(y[0, o, i, j], want)


# ------------------------------------------------------------- pooling

@st.composite
def pool_cases(draw, dilated=True):
    """(x, PoolArgs) for a valid pooling call; dilation 1 if not dilated."""
    n = draw(st.integers(1, 3))
    kernel = tuple(draw(st.integers(1, 4)) for _ in range(n))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(n))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    dilation = tuple(draw(st.integers(1, 3 if dilated else 1))
                     for _ in range(n))
    ceil_mode = draw(st.booleans())
    size = tuple(max(k, d * (k - 1) + 1 - 2 * p)
                 + draw(st.integers(0, 5 if n < 3 else 3))
                 for k, d, p in zip(kernel, dilation, padding))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.standard_normal((draw(st.integers(1, 2)), 3) + size)
    if draw(st.booleans()):  # ties and -inf
        x = np.round(x).clip(-1, 1)
        x[x == -1] = -np.inf
    try:
        a = _args.max_pool_args("pool", n, x.shape, kernel, stride,
                                padding, dilation, ceil_mode, False)
        if not dilated:
            _args.avg_pool_args("pool", n, x.shape, kernel, stride,
                                padding, ceil_mode, True, None)
    except ValueError:
        assume(False)
    return x, a


def _pool_kwargs(a, dilation=True):
    kwargs = dict(kernel_size=a.kernel, stride=a.stride, padding=a.padding,
                  ceil_mode=a.ceil_mode)
    return dict(kwargs, dilation=a.dilation) if dilation else kwargs


@pytest.mark.parametrize("block_bytes", [1, 2**20])
@given(case=pool_cases())
def test_max_pool_separable_path(case, block_bytes):
    """Values and indices of the separable scan, in blocks of planes."""
    x, a = case
    n = x.ndim - 2
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_tuning, "POOL_BLOCK_BYTES", block_bytes)
        values, indices = MAX_POOL[n](x, return_indices=True,
                                      **_pool_kwargs(a))
    want_values, want_indices = ref.max_pool(x, a)
    np.testing.assert_array_equal(values, want_values)
    np.testing.assert_array_equal(indices, want_indices)


@given(case=pool_cases())
def test_max_pool_backward_scatters_at_the_reference_indices(case):
    x, a = case
    n = x.ndim - 2
    grad = np.random.default_rng(3).standard_normal(x.shape[:2] + a.out)
    got = MAX_POOL_BACKWARD[n](grad, x, **_pool_kwargs(a))
    np.testing.assert_allclose(got, _reference_max_backward(grad, x, a),
                               **TOL)


def _reference_max_backward(grad, x, a):
    """The max pool gradient scattered at the reference's indices."""
    _, indices = ref.max_pool(x, a)
    want = np.zeros(x.shape[:2] + (int(np.prod(x.shape[2:])),))
    inside = indices < want.shape[-1]  # a window in the padding only
    lead = np.indices(indices.shape)[:2]
    np.add.at(want, (lead[0][inside], lead[1][inside], indices[inside]),
              grad[inside])
    return want.reshape(x.shape)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_tiled_max_backward_writes_every_entry(n):
    """Entries no window covers get 0 whatever the buffer held."""
    from convlib.numpy import _pool_common
    x = np.random.default_rng(n).standard_normal((1, 2) + (5,) * n)
    kernel, out = (2,) * n, (2,) * n
    grad_input = np.full(x.shape, np.nan)
    _pool_common.tiled_max_backward(
        x, np.ones((1, 2) + out), kernel, out, grad_input)
    assert not np.isnan(grad_input).any()
    assert np.count_nonzero(grad_input) == 2 * 2 ** n
    for d in range(n):
        assert not grad_input[(Ellipsis,) + (slice(None),) * d + (4,)
                              + (slice(None),) * (n - d - 1)].any()


@pytest.mark.parametrize("include", [True, False])
@pytest.mark.parametrize("divisor", [None, -3])
@given(case=pool_cases(dilated=False))
def test_avg_pool_window_sum_and_spread(case, include, divisor):
    """The forward against the reference; the backward is its adjoint:
    <avg_pool(x), g> == <x, avg_pool_backward(g)>."""
    x, a = case
    x = np.where(np.isinf(x), 0.5, x)
    n = x.ndim - 2
    kwargs = dict(_pool_kwargs(a, dilation=False),
                  count_include_pad=include)
    if n > 1:
        kwargs["divisor_override"] = divisor
    y = AVG_POOL[n](x, **kwargs)
    np.testing.assert_allclose(
        y, ref.avg_pool(x, a, include, kwargs.get("divisor_override")),
        **TOL)
    grad = np.random.default_rng(4).standard_normal(y.shape)
    back = AVG_POOL_BACKWARD[n](grad, x, **kwargs)
    probe = np.random.default_rng(5).standard_normal(x.shape)
    lhs = np.sum(ref.avg_pool(probe, a, include,
                              kwargs.get("divisor_override")) * grad)
    assert np.isclose(lhs, np.sum(probe * back), rtol=1e-10, atol=1e-10)


@given(case=pool_cases())
def test_max_pool_backward_given_the_forward_indices(case):
    """`indices=` (the forward's) skips the search: the same gradient,
    in blocks of planes or all at once."""
    x, a = case
    n = x.ndim - 2
    kwargs = _pool_kwargs(a)
    grad = np.random.default_rng(6).standard_normal(x.shape[:2] + a.out)
    _, indices = MAX_POOL[n](x, return_indices=True, **kwargs)
    want = MAX_POOL_BACKWARD[n](grad, x, **kwargs)
    for block_bytes in (1, 2**20):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(_tuning, "POOL_BLOCK_BYTES", block_bytes)
            got = MAX_POOL_BACKWARD[n](grad, x, indices=indices, **kwargs)
        np.testing.assert_array_equal(got, want)


def test_max_pool_backward_checks_the_given_indices():
    x = np.zeros((1, 1, 4, 4))
    grad = np.zeros((1, 1, 2, 2))
    with pytest.raises(ValueError, match="^max_pool2d_backward: indices"):
        cn.max_pool2d_backward(grad, x, 2, indices=np.zeros((1, 1, 3, 3),
                                                            int))
    with pytest.raises(TypeError, match="^max_pool2d_backward: indices"):
        cn.max_pool2d_backward(grad, x, 2, indices=np.zeros((1, 1, 2, 2)))
