"""convlib.numpy.conv against torch.nn.functional, forward and backward.

Property-based tests draw the arguments (dimension, batch, channels,
groups, kernel, stride, padding, dilation, bias, output_padding) and
compare values and gradients with torch in float64 via
`compare_with_torch`; float32 cases use rtol 1e-4, atol 1e-4
(`FLOAT32`) and check that float32 stays float32.  The bad-input table
checks that every error names the function and the argument.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, strategies as st

import convlib.numpy as cn
import convlib.numpy._conv_forward as conv_forward
import convlib.numpy._conv_nd as conv_nd
from _compare import compare_with_torch
from convlib.numpy import _tuning

pytestmark = pytest.mark.filterwarnings(
    "ignore:Using padding='same':UserWarning")

CONV = {1: (cn.conv1d, F.conv1d, cn.conv1d_backward),
        2: (cn.conv2d, F.conv2d, cn.conv2d_backward),
        3: (cn.conv3d, F.conv3d, cn.conv3d_backward)}
TRANSPOSE = {
    1: (cn.conv_transpose1d, F.conv_transpose1d,
        cn.conv_transpose1d_backward),
    2: (cn.conv_transpose2d, F.conv_transpose2d,
        cn.conv_transpose2d_backward),
    3: (cn.conv_transpose3d, F.conv_transpose3d,
        cn.conv_transpose3d_backward)}


# float32: sums of up to ~200 products of O(1) numbers in single
# precision, each side rounding differently
FLOAT32 = dict(rtol=1e-4, atol=1e-4)


def _per_dim(draw, n, values):
    """An int, or a tuple of n ints, drawn from `values`."""
    if draw(st.booleans()):
        return draw(values)
    return tuple(draw(values) for _ in range(n))


def _as_tuple(value, n):
    return value if isinstance(value, tuple) else (value,) * n


@st.composite
def conv_cases(draw, depthwise=False):
    """(n, arrays, kwargs) for one conv{n}d call that torch accepts."""
    n = draw(st.integers(1, 3))
    big = 3 if n < 3 else 2  # keep 3-D small
    groups = draw(st.integers(1, 3))
    c_in_g = 1 if depthwise else draw(st.integers(1, 2))
    c_out_g = draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, big)) for _ in range(n))
    dilation = _per_dim(draw, n, st.integers(1, 2))
    padding = draw(st.sampled_from(["same", "valid"])
                   | st.integers(0, 2)
                   | st.tuples(*[st.integers(0, 2)] * n))
    stride = 1 if padding == "same" else _per_dim(draw, n, st.integers(1, 3))
    pads = (0,) * n if isinstance(padding, str) else _as_tuple(padding, n)
    span = [d * (k - 1) + 1 for d, k in zip(_as_tuple(dilation, n), kernel)]
    size = tuple(max(1, s - 2 * p) + draw(st.integers(0, big))
                 for s, p in zip(span, pads))
    batch = draw(st.sampled_from([None, 1, 2]))
    lead = () if batch is None else (batch,)
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    arrays = [rng.standard_normal(lead + (groups * c_in_g,) + size),
              rng.standard_normal((groups * c_out_g, c_in_g) + kernel),
              rng.standard_normal((groups * c_out_g,))
              if draw(st.booleans()) else None]
    kwargs = dict(stride=stride, padding=padding, dilation=dilation,
                  groups=groups)
    return n, arrays, kwargs


@given(conv_cases())
def test_conv_matches_torch(case):
    n, arrays, kwargs = case
    forward, torch_forward, backward = CONV[n]
    compare_with_torch(forward, torch_forward, arrays, kwargs,
                       backward=backward)


@given(conv_cases(depthwise=True))
def test_depthwise_conv_matches_torch(case):
    n, arrays, kwargs = case
    forward, torch_forward, backward = CONV[n]
    compare_with_torch(forward, torch_forward, arrays, kwargs,
                       backward=backward)


@st.composite
def transpose_cases(draw):
    """(n, arrays, kwargs) for one conv_transpose{n}d call."""
    n = draw(st.integers(1, 3))
    big = 3 if n < 3 else 2
    groups = draw(st.integers(1, 3))
    c_in_g, c_out_g = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, big)) for _ in range(n))
    stride = _per_dim(draw, n, st.integers(1, 3))
    dilation = _per_dim(draw, n, st.integers(1, 2))
    padding = _per_dim(draw, n, st.integers(0, 2))
    limits = [max(s, d) for s, d in zip(_as_tuple(stride, n),
                                        _as_tuple(dilation, n))]
    output_padding = tuple(draw(st.integers(0, m - 1)) for m in limits)
    size = tuple(draw(st.integers(1, big)) for _ in range(n))
    out = [(i - 1) * s - 2 * p + d * (k - 1) + op + 1 for i, s, p, d, k, op
           in zip(size, _as_tuple(stride, n), _as_tuple(padding, n),
                  _as_tuple(dilation, n), kernel, output_padding)]
    assume(min(out) >= 1)
    batch = draw(st.sampled_from([None, 1, 2]))
    lead = () if batch is None else (batch,)
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    arrays = [rng.standard_normal(lead + (groups * c_in_g,) + size),
              rng.standard_normal((groups * c_in_g, c_out_g) + kernel),
              rng.standard_normal((groups * c_out_g,))
              if draw(st.booleans()) else None]
    kwargs = dict(stride=stride, padding=padding,
                  output_padding=output_padding, groups=groups,
                  dilation=dilation)
    return n, arrays, kwargs


@given(transpose_cases())
def test_conv_transpose_matches_torch(case):
    n, arrays, kwargs = case
    forward, torch_forward, backward = TRANSPOSE[n]
    compare_with_torch(forward, torch_forward, arrays, kwargs,
                       backward=backward)


def _without_input_grad(backward, torch_forward, arrays, kwargs):
    """The backward with ``input_grad=False`` against torch's autograd
    with an input that needs no gradient (torch then skips it too)."""
    x, w, b = arrays
    out = torch_forward(*(None if a is None else torch.from_numpy(a)
                          for a in arrays), **kwargs)
    grad = np.random.default_rng(0).standard_normal(tuple(out.shape))
    tw = torch.from_numpy(w).requires_grad_()
    tb = None if b is None else torch.from_numpy(b).requires_grad_()
    torch_forward(torch.from_numpy(x), tw, tb, **kwargs).backward(
        torch.from_numpy(grad))
    ours = backward(grad, x, w, b, **kwargs, input_grad=False)
    assert ours[0] is None
    np.testing.assert_allclose(ours[1], tw.grad.numpy(), rtol=1e-10,
                               atol=1e-12)
    if b is None:
        assert ours[2] is None
    else:
        np.testing.assert_allclose(ours[2], tb.grad.numpy(), rtol=1e-10,
                                   atol=1e-12)


@given(conv_cases())
def test_conv_backward_without_input_grad_matches_torch(case):
    n, arrays, kwargs = case
    forward, torch_forward, backward = CONV[n]
    _without_input_grad(backward, torch_forward, arrays, kwargs)


@given(transpose_cases())
def test_conv_transpose_backward_without_input_grad_matches_torch(case):
    n, arrays, kwargs = case
    forward, torch_forward, backward = TRANSPOSE[n]
    _without_input_grad(backward, torch_forward, arrays, kwargs)


@pytest.mark.parametrize("backward", [cn.conv2d_backward,
                                      cn.conv_transpose2d_backward])
def test_without_input_grad_the_other_gradients_are_unchanged(backward,
                                                               rng):
    """With one worker (nothing cut differently), skipping the input's
    gradient leaves the weight's and the bias's bit for bit."""
    x = rng.standard_normal((3, 4, 6, 6))
    w, b = rng.standard_normal((4, 2, 3, 3)), rng.standard_normal(4)
    kwargs = dict(stride=2, padding=1, groups=2)
    y = (cn.conv2d if backward is cn.conv2d_backward
         else cn.conv_transpose2d)(x, w, b, **kwargs)
    grad = rng.standard_normal(y.shape)
    previous = cn.set_workers(1)
    try:
        full = backward(grad, x, w, b, **kwargs)
        part = backward(grad, x, w, b, **kwargs, input_grad=False)
    finally:
        cn.set_workers(previous)
    assert full[0].shape == x.shape and part[0] is None
    assert np.array_equal(full[1], part[1])
    assert np.array_equal(full[2], part[2])


@pytest.mark.parametrize("n, kwargs", [
    (2, dict(stride=2, padding=1, groups=2)),
    (2, dict(padding="same", dilation=2, groups=4)),  # depthwise
    (1, dict(stride=3, dilation=2)),
    (3, dict(padding=(1, 0, 1), groups=2)),
])
def test_conv_float32(n, kwargs, rng):
    c = 4
    groups = kwargs.get("groups", 1)
    x = rng.standard_normal((2, c) + (9,) * n)
    w = rng.standard_normal((6 if groups < c else c, c // groups)
                            + (3,) * n)
    b = rng.standard_normal(w.shape[0])
    forward, torch_forward, backward = CONV[n]
    out = compare_with_torch(forward, torch_forward, [x, w, b], kwargs,
                             backward=backward, dtype=np.float32,
                             tolerance=FLOAT32)
    assert out.dtype == np.float32
    grads = backward(np.ones_like(out), *(a.astype(np.float32)
                                          for a in (x, w, b)), **kwargs)
    assert all(g.dtype == np.float32 for g in grads)


@pytest.mark.parametrize("kwargs", [
    dict(stride=2, padding=1, output_padding=1),
    dict(stride=1, dilation=2, output_padding=1, groups=2),
])
def test_conv_transpose_float32(kwargs, rng):
    x = rng.standard_normal((2, 4, 7, 6))
    w = rng.standard_normal((4, 3, 4, 3))
    out = compare_with_torch(cn.conv_transpose2d, F.conv_transpose2d,
                             [x, w, rng.standard_normal(3 * kwargs.get(
                                 "groups", 1))], kwargs,
                             backward=cn.conv_transpose2d_backward,
                             dtype=np.float32, tolerance=FLOAT32)
    assert out.dtype == np.float32


@given(st.integers(0, 2**16), st.sampled_from([1, 2, 3]),
       st.sampled_from([0, 1, (2, 0)]))
def test_conv_transpose_is_adjoint_of_conv(seed, stride, padding):
    """<conv(x, w), y> == <x, conv_transpose(y, w)> for the same w."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, 4, 9, 8))
    w = rng.standard_normal((6, 2, 3, 2))
    y = rng.standard_normal(cn.conv2d(x, w, stride=stride,
                                      padding=padding, groups=2).shape)
    # the rows a strided conv skips come back as output_padding
    output_padding = tuple((size + 2 * p - k) % stride for size, p, k in
                           zip((9, 8), _as_tuple(padding, 2), (3, 2)))
    back = cn.conv_transpose2d(y, w, stride=stride, padding=padding,
                               groups=2, output_padding=output_padding)
    assert back.shape == x.shape
    lhs = np.vdot(cn.conv2d(x, w, stride=stride, padding=padding,
                            groups=2), y)
    np.testing.assert_allclose(lhs, np.vdot(x, back), rtol=1e-10)


@pytest.mark.parametrize("groups, weight_shape", [
    (1, (4, 6, 3, 3)), (2, (4, 3, 3, 3)), (6, (6, 1, 3, 3))])
@pytest.mark.parametrize("stride", [1, 2])
def test_empty_batch(groups, weight_shape, stride, rng):
    """A batch of zero samples is allowed, as in torch."""
    arrays = [rng.standard_normal((0, 6, 5, 5)),
              rng.standard_normal(weight_shape),
              rng.standard_normal(weight_shape[0])]
    kwargs = dict(stride=stride, padding=1, groups=groups)
    compare_with_torch(cn.conv2d, F.conv2d, arrays, kwargs,
                       backward=cn.conv2d_backward)
    arrays[1] = rng.standard_normal((6, 2, 3, 3))
    arrays[2] = None
    compare_with_torch(cn.conv_transpose2d, F.conv_transpose2d, arrays,
                       kwargs, backward=cn.conv_transpose2d_backward)


# ------------------------------------------------ fast paths, one by one

@pytest.mark.parametrize("n, groups, c_in, c_out, kwargs", [
    (2, 1, 3, 4, dict(padding=1)),
    (2, 3, 6, 9, dict(padding=(2, 0), dilation=(1, 2))),
    (2, 5, 5, 10, dict(padding="same")),  # depthwise, multiplier 2
    (1, 4, 4, 4, dict(padding=2, dilation=2)),  # depthwise
    (3, 2, 4, 2, dict(padding=(1, 0, 1))),
    (2, 2, 4, 6, dict(padding=1, stride=(2, 3))),
    (2, 1, 4, 2, dict(padding=(1, 0), stride=2, dilation=(3, 1))),
    (2, 1, 3, 4, dict(padding=(4, 1))),  # rows that meet padding only
])
@pytest.mark.parametrize("way", conv_forward.WAYS)
@pytest.mark.parametrize("budget", [1, 10**4, 4 * 10**4, 2**20])
def test_forward_ways_in_chunks(n, groups, c_in, c_out, kwargs, way,
                                budget, rng, monkeypatch):
    """Each way of the forward pass, with chunks of any size, through
    the public functions: forward and backward agree with torch (the
    backward's grad_input reuses the forward on the flipped kernel).

    1 byte gives one sample and one flat position a chunk; 10 to 40 kB
    give chunks that end part-way through the samples or the flat
    positions.
    """
    monkeypatch.setattr(conv_forward, "WAYS", (way,))
    for name in ("FLAT_BYTES", "SAMPLE_BYTES", "COLUMN_BYTES"):
        monkeypatch.setattr(_tuning, name, budget)
    plans = _spy_plans(monkeypatch)
    arrays = [rng.standard_normal((5, c_in) + (6,) * n),
              rng.standard_normal((c_out, c_in // groups) + (3,) * n),
              rng.standard_normal(c_out)]
    forward, torch_forward, backward = CONV[n]
    compare_with_torch(forward, torch_forward, arrays,
                       dict(kwargs, groups=groups), backward=backward)
    taken = [(p.path, p.shifted) for p in plans]
    assert taken[0] == way  # the forward; grad_input's phases may be
    assert set(taken) <= {way, ("pointwise", 0)}  # 1x1 kernels
    if budget == 1:  # chunks of one sample (flat: one position a block)
        assert all(p.samples == 1 and (p.path != "flat" or p.block == 1)
                   for p in plans if p.path != "pointwise")


@given(size=st.lists(st.integers(1, 9), min_size=1, max_size=3),
       data=st.data())
def test_regions_boxes_cover_the_output_once_with_the_taps_inside(
        size, data):
    """The regions way's boxes: every output in exactly one box, and
    a box's taps along each axis exactly those that meet the input at
    every one of its outputs."""
    def each_axis(values):
        return tuple(data.draw(values) for _ in size)
    kernel, stride = each_axis(st.integers(1, 4)), each_axis(st.integers(1, 3))
    dilation = each_axis(st.integers(1, 3))
    pads = tuple((lo, 0) for lo in each_axis(st.integers(0, 4)))
    out = tuple((s + lo - d * (k - 1) - 1) // st_ + 1 for s, (lo, _), d, k,
                st_ in zip(size, pads, dilation, kernel, stride))
    assume(min(out) >= 1)
    call = conv_forward.Call((1, 1) + tuple(size), (1, 1) + kernel,
                             stride, pads, dilation, 1, out)
    seen = np.zeros(out, int)
    for box in conv_forward.regions(call):
        seen[tuple(slice(o0, o1) for o0, o1, _, _ in box)] += 1
        for axis, (o0, o1, t0, t1) in enumerate(box):
            for o in range(o0, o1):
                first = o * stride[axis] - pads[axis][0]
                inside = [t for t in range(kernel[axis])
                          if 0 <= first + t * dilation[axis] < size[axis]]
                assert inside == list(range(t0, t1))
    assert (seen == 1).all()


@given(size=st.lists(st.integers(1, 9), min_size=1, max_size=3),
       data=st.data())
def test_tap_boxes_hold_the_outputs_that_read_each_tap_inside(size, data):
    """The weight gradient's tap boxes: for each tap, exactly the
    outputs whose window reads it inside the input (None: no output
    does), and the inputs those outputs read there, in order."""
    def each_axis(values):
        return tuple(data.draw(values) for _ in size)
    kernel, stride = each_axis(st.integers(1, 4)), each_axis(st.integers(1, 3))
    dilation = each_axis(st.integers(1, 3))
    pads = tuple(zip(each_axis(st.integers(0, 4)),
                     each_axis(st.integers(0, 4))))
    out = tuple((s + lo + hi - d * (k - 1) - 1) // st_ + 1 for s, (lo, hi),
                d, k, st_ in zip(size, pads, dilation, kernel, stride))
    assume(min(out) >= 1)
    call = conv_forward.Call((1, 1) + tuple(size), (1, 1) + kernel,
                             stride, pads, dilation, 1, out)
    for tap, box in zip(np.ndindex(*kernel), conv_nd._tap_boxes(call)):
        reads = [[(o, o * s - lo + t * d) for o in range(n)
                  if 0 <= o * s - lo + t * d < length]
                 for t, s, (lo, _), d, n, length in zip(
                     tap, stride, pads, dilation, out, size)]
        if not all(reads):
            assert box is None
            continue
        outputs, inputs = box
        for axis, pairs in enumerate(reads):
            assert list(range(out[axis]))[outputs[axis]] == [
                o for o, _ in pairs]
            assert list(range(size[axis]))[inputs[axis]] == [
                i for _, i in pairs]


@pytest.mark.parametrize("shape", [(3, 64, 4, 4), (3, 24, 4, 4),
                                   (2, 256, 4)])
def test_batch_first_copy_blocked_where_samples_alias(shape, rng):
    """`_batch_first` moves the batch axis back to the front, by blocks
    of channels where a sample spans a multiple of 4 kB."""
    y = np.empty(shape, np.float32)
    yt = rng.standard_normal(shape[1:] + shape[:1]).astype(np.float32)
    aliased = conv_forward._aliased(shape[1:], 4)
    assert aliased == (shape[1] != 24)
    conv_forward._batch_first(yt, y)
    np.testing.assert_array_equal(y, np.moveaxis(yt, -1, 0))


def _spy_plans(monkeypatch):
    """Record the plans `_conv_forward.forward` runs."""
    plans, runs = [], dict(conv_forward._RUN)
    for name, run in runs.items():
        monkeypatch.setitem(
            conv_forward._RUN, name,
            lambda x, w, y, plan, run=run: plans.append(plan)
            or run(x, w, y, plan))
    return plans


@pytest.mark.parametrize("kwargs", [dict(groups=2),
                                    dict(stride=(2, 3), groups=2)])
def test_pointwise_is_one_matmul(kwargs, rng, monkeypatch):
    """1x1 without padding takes the pointwise way, at any stride."""
    plans = _spy_plans(monkeypatch)
    arrays = [rng.standard_normal((3, 6, 5, 4)),
              rng.standard_normal((4, 3, 1, 1)), rng.standard_normal(4)]
    compare_with_torch(cn.conv2d, F.conv2d, arrays, kwargs,
                       backward=cn.conv2d_backward)
    assert {p.path for p in plans} == {"pointwise"}


@st.composite
def phase_cases(draw):
    """conv_transpose{n}d arguments with stride >= 2 in some dimension."""
    n = draw(st.integers(1, 3))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(n))
    assume(max(stride) > 1)
    # dilation only where the stride is 1: there the phases apply
    dilation = tuple(1 if s > 1 else draw(st.integers(1, 2))
                     for s in stride)
    kernel = tuple(draw(st.integers(1, 5 if n < 3 else 3))
                   for _ in range(n))
    padding = tuple(draw(st.integers(0, 3)) for _ in range(n))
    output_padding = tuple(draw(st.integers(0, max(s, d) - 1))
                           for s, d in zip(stride, dilation))
    size = tuple(draw(st.integers(1, 4)) for _ in range(n))
    out = [(i - 1) * s - 2 * p + d * (k - 1) + op + 1 for i, s, p, d, k, op
           in zip(size, stride, padding, dilation, kernel, output_padding)]
    assume(min(out) >= 1)
    groups = draw(st.integers(1, 3))
    c_in, c_out = groups * draw(st.integers(1, 2)), draw(st.integers(1, 2))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    arrays = [rng.standard_normal((2, c_in) + size),
              rng.standard_normal((c_in, c_out) + kernel),
              rng.standard_normal(groups * c_out)]
    kwargs = dict(stride=stride, padding=padding, groups=groups,
                  output_padding=output_padding, dilation=dilation)
    return n, arrays, kwargs


@pytest.mark.parametrize("stacked", [False, True])
@given(case=phase_cases())
def test_conv_transpose_phases_match_torch(case, stacked):
    """Strided transposed convolutions through `_phases` (forced: the
    cost model may prefer col2im for these tiny shapes), one phase at a
    time or stacked into one correlation wherever that applies (forced
    both ways).

    Padding larger than the kernel leaves phases with no taps or with
    no input in reach; they must come out as zeros (plus bias).
    """
    n, arrays, kwargs = case
    forward, torch_forward, backward = TRANSPOSE[n]
    applies = []

    def pays(*args):
        applies.append(conv_nd._stacked_plan(*args) is not None)
        return stacked and applies[-1]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_tuning, "SCATTER_FACTOR", 10**9)
        mp.setattr(conv_nd, "_stack_pays", pays)
        calls = _spy(mp, conv_nd, "_phases")
        stacks = _spy(mp, conv_nd, "_stacked_phases")
        compare_with_torch(forward, torch_forward, arrays, kwargs,
                           backward=backward)
    assert calls  # the forward went by phases
    assert len(stacks) == (sum(applies) if stacked else 0)


def _spy(monkeypatch, module, name):
    """Count the calls of `module.<name>`."""
    calls, real = [], getattr(module, name)
    monkeypatch.setattr(module, name,
                        lambda *args: calls.append(1) or real(*args))
    return calls


@pytest.mark.parametrize("pays", [False, True])
@pytest.mark.parametrize("n, shape, kwargs", [
    (1, (3, 4, 9), dict(stride=1)),
    (2, (2, 6, 7, 5), dict(stride=2, groups=2)),
    (2, (1, 8, 6, 6), dict(stride=(1, 3), groups=4)),
    (3, (2, 4, 3, 4, 5), dict(stride=(2, 1, 2), groups=2)),
])
def test_pointwise_grad_weight_matches_torch(n, shape, kwargs, pays, rng,
                                             monkeypatch):
    """A 1x1 kernel's weight gradient as one matmul per sample (forced
    on, and off: by columns) agrees with torch, strided and grouped,
    and takes the path asked for."""
    monkeypatch.setattr(conv_nd, "_pointwise_grad_weight_pays",
                        lambda *args: pays)
    calls = _spy(monkeypatch, conv_nd, "_pointwise_grad_weight")
    groups = kwargs.get("groups", 1)
    arrays = [rng.standard_normal(shape),
              rng.standard_normal((2 * groups, shape[1] // groups)
                                  + (1,) * n),
              rng.standard_normal(2 * groups)]
    forward, torch_forward, backward = CONV[n]
    compare_with_torch(forward, torch_forward, arrays, kwargs,
                       backward=backward)
    assert bool(calls) == pays


@pytest.mark.parametrize("factor", [0, 10**9])
@pytest.mark.parametrize("kwargs", [
    dict(stride=2, padding=1),
    dict(stride=(3, 2), padding=(0, 2), groups=2),
    dict(stride=(2, 1), padding=1, dilation=(1, 2)),
    dict(stride=2, padding=0, dilation=2),  # always scattered
])
def test_grad_input_phases_and_scatter_agree(factor, kwargs, rng,
                                             monkeypatch):
    """`_tuning.SCATTER_FACTOR` 0 scatters every strided grad_input,
    10**9 never (but where stride and dilation are both above 1): both
    agree with torch, and each call takes the path the factor asks
    for."""
    monkeypatch.setattr(_tuning, "SCATTER_FACTOR", factor)
    phases = _spy(monkeypatch, conv_nd, "_phases")
    scatters = _spy(monkeypatch, conv_nd, "_scatter_columns")
    groups = kwargs.get("groups", 1)
    by_phases = factor > 0 and kwargs.get("dilation", 1) != 2
    arrays = [rng.standard_normal((2, 4, 9, 8)),
              rng.standard_normal((6, 4 // groups, 3, 4)),
              rng.standard_normal(6)]
    compare_with_torch(cn.conv2d, F.conv2d, arrays, kwargs,
                       backward=cn.conv2d_backward)
    assert (len(phases), len(scatters)) == ((1, 0) if by_phases
                                            else (0, 1))
    arrays = [rng.standard_normal((2, 4, 5, 4)),
              rng.standard_normal((4, 6 // groups, 3, 4)),
              rng.standard_normal(6)]
    compare_with_torch(cn.conv_transpose2d, F.conv_transpose2d, arrays,
                       kwargs, backward=cn.conv_transpose2d_backward)
    assert (len(phases), len(scatters)) == ((2, 0) if by_phases
                                            else (0, 2))


# ----------------------------------------------------- separable helpers

def _torch_depthwise_separable(x, dw, pw, db=None, pb=None, stride=1,
                               padding=0, dilation=1):
    mid = F.conv2d(x, dw, db, stride, padding, dilation,
                   groups=x.shape[-3])
    return F.conv2d(mid, pw, pb)


@given(st.integers(0, 2**16), st.sampled_from([1, 2]), st.booleans(),
       st.sampled_from([(1, 0, 1), (2, 1, 1), (1, "same", 2),
                        ((2, 1), (0, 1), (1, 2))]),
       st.sampled_from([None, 1]))
def test_depthwise_separable_matches_torch(seed, mult, bias, sdp, batch):
    stride, padding, dilation = sdp
    rng = np.random.default_rng(seed)
    lead = () if batch is None else (2,)
    c_in, c_out = 3, 4
    arrays = [rng.standard_normal(lead + (c_in, 8, 7)),
              rng.standard_normal((c_in * mult, 1, 3, 3)),
              rng.standard_normal((c_out, c_in * mult, 1, 1)),
              rng.standard_normal(c_in * mult) if bias else None,
              rng.standard_normal(c_out) if bias else None]
    kwargs = dict(stride=stride, padding=padding, dilation=dilation)
    compare_with_torch(cn.depthwise_separable_conv2d,
                       _torch_depthwise_separable, arrays, kwargs,
                       backward=cn.depthwise_separable_conv2d_backward)


def _split(value):
    """As the docstring says: (H entry, W entry)."""
    return _as_tuple(value, 2)


def _torch_spatially_separable(x, cw, rw, cb=None, rb=None, stride=1,
                               padding=0, dilation=1):
    (sh, sw), (dh, dw) = _split(stride), _split(dilation)
    if isinstance(padding, str):
        pads = (padding, padding)
    else:
        ph, pw = _split(padding)
        pads = ((ph, 0), (0, pw))
    mid = F.conv2d(x, cw, cb, (sh, 1), pads[0], (dh, 1))
    return F.conv2d(mid, rw, rb, (1, sw), pads[1], (1, dw))


SPLITS = [(1, 0, 1), ((2, 3), (1, 2), (2, 1)), (1, "same", (1, 2)),
          (2, "valid", 1), (1, "same", 2)]


@given(st.integers(0, 2**16), st.sampled_from(SPLITS), st.booleans(),
       st.sampled_from([None, 2]))
def test_spatially_separable_matches_torch(seed, sdp, bias, batch):
    stride, padding, dilation = sdp
    rng = np.random.default_rng(seed)
    lead = () if batch is None else (batch,)
    arrays = [rng.standard_normal(lead + (2, 9, 8)),
              rng.standard_normal((3, 2, 3, 1)),
              rng.standard_normal((4, 3, 1, 2)),
              rng.standard_normal(3) if bias else None,
              rng.standard_normal(4) if bias else None]
    kwargs = dict(stride=stride, padding=padding, dilation=dilation)
    compare_with_torch(cn.spatially_separable_conv2d,
                       _torch_spatially_separable, arrays, kwargs,
                       backward=cn.spatially_separable_conv2d_backward)


@pytest.mark.parametrize("c_in, c_mid, c_out", [(1, 1, 1), (2, 3, 4)])
@pytest.mark.parametrize("stride, padding, dilation", SPLITS)
def test_spatially_separable_equals_outer_product_kernel(
        c_in, c_mid, c_out, stride, padding, dilation, rng):
    """Without column_bias, one conv2d with the composed kernel.

    With one channel each the kernel is the outer product column x row
    (rank 1); with more, a sum over C_mid of such outer products.
    """
    x = rng.standard_normal((2, c_in, 9, 8))
    column = rng.standard_normal((c_mid, c_in, 3, 1))
    row = rng.standard_normal((c_out, c_mid, 1, 2))
    row_bias = rng.standard_normal(c_out)
    kernel = np.einsum("omw,mih->oihw", row[:, :, 0], column[..., 0])
    if c_in == c_mid == c_out == 1:
        np.testing.assert_allclose(
            kernel[0, 0], np.outer(column[0, 0, :, 0], row[0, 0, 0]))
    ours = cn.spatially_separable_conv2d(
        x, column, row, None, row_bias, stride, padding, dilation)
    theirs = F.conv2d(torch.from_numpy(x), torch.from_numpy(kernel),
                      torch.from_numpy(row_bias), stride, padding,
                      dilation).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-10)


# -------------------------------------------------------------- bad input

X = np.zeros((2, 6, 5, 5))
W = np.zeros((4, 6, 3, 3))
BAD = [
    # (function, args, kwargs, error, pattern after "fn: ")
    (cn.conv2d, (X[0, 0], W), {}, ValueError, "input must have 3 or 4"),
    (cn.conv2d, (X, W[0]), {}, ValueError, "weight must have 4"),
    (cn.conv1d, (X, W), {}, ValueError, "input must have 2 or 3"),
    (cn.conv2d, (X, np.zeros((4, 4, 3, 3))), {}, ValueError,
     "weight has 4 input channels per group but input has 6 channels "
     "with groups=1"),
    (cn.conv2d, (X, np.zeros((4, 2, 3, 3))), dict(groups=4), ValueError,
     "input has 6 channels, not divisible by groups=4"),
    (cn.conv2d, (X, np.zeros((5, 3, 3, 3))), dict(groups=2), ValueError,
     "weight has 5 output channels, not divisible by groups=2"),
    (cn.conv2d, (X, np.zeros((4, 6, 9, 3))), dict(padding=1), ValueError,
     r"weight's kernel \(9, 3\).*larger than the padded input \(7, 7\)"),
    (cn.conv2d, (X, W), dict(dilation=3), ValueError,
     "weight's kernel .* dilation .* larger than the padded input"),
    (cn.conv2d, (X, W), dict(padding=-1), ValueError,
     "padding must be >= 0"),
    (cn.conv2d, (X, W), dict(stride=1.5), TypeError,
     "stride must be an int or a tuple of 2 ints, got 1.5"),
    (cn.conv2d, (X, W), dict(stride=0), ValueError, "stride must be >= 1"),
    (cn.conv2d, (X, W), dict(stride=(1, 2, 3)), ValueError,
     "stride must be an int or a tuple of 2 ints"),
    (cn.conv2d, (X, W), dict(padding="full"), ValueError,
     "padding must be an int, a tuple of 2 ints, 'same' or 'valid', "
     "got 'full'"),
    (cn.conv2d, (X, W), dict(padding="same", stride=2), ValueError,
     "padding='same' is not supported for strided"),
    (cn.conv2d, (X, W), dict(groups=0), ValueError, "groups must be >= 1"),
    (cn.conv2d, (X, W), dict(groups=2.0), TypeError, "groups must be an int"),
    (cn.conv2d, (X, W, np.zeros(3)), {}, ValueError,
     r"bias must have shape \(4,\)"),
    (cn.conv2d, (np.array([["a"]]), W), {}, TypeError,
     "input must be a real numeric array"),
    (cn.conv_transpose2d, (X, np.zeros((4, 2, 3, 3))), {}, ValueError,
     "weight has 4 input channels .* but input has 6 channels"),
    (cn.conv_transpose2d, (X, np.zeros((6, 2, 3, 3))), dict(groups=4),
     ValueError, "input has 6 channels, not divisible by groups=4"),
    (cn.conv_transpose2d, (X, np.zeros((6, 2, 3, 3))),
     dict(stride=2, output_padding=2), ValueError,
     "output_padding must be smaller than max\\(stride, dilation\\)"),
    (cn.conv_transpose2d, (X, np.zeros((6, 2, 3, 3))), dict(padding=4),
     ValueError, "output size .* is not positive"),
    (cn.conv_transpose2d, (X, np.zeros((6, 2, 3, 3))),
     dict(padding="same"), TypeError, "padding must be an int or a tuple"),
    (cn.conv_transpose2d, (X, np.zeros((6, 2, 3, 3))), dict(padding=-1),
     ValueError, "padding must be >= 0"),
    (cn.conv2d_backward, (np.zeros((2, 4, 3, 4)), X, W), {}, ValueError,
     r"grad_output must have the output's shape \(2, 4, 3, 3\), got "
     r"\(2, 4, 3, 4\)"),
    (cn.conv_transpose2d_backward, (np.zeros((2, 2, 7, 7)), X,
                                    np.zeros((6, 2, 3, 3))),
     dict(stride=2), ValueError, r"grad_output must have the output's"),
    (cn.conv2d_backward, (np.zeros((2, 4, 3, 3)), X, W),
     dict(input_grad="no"), TypeError,
     "input_grad must be True or False, got 'no'"),
    (cn.conv_transpose2d_backward, (np.zeros((2, 2, 7, 7)), X,
                                    np.zeros((6, 2, 3, 3))),
     dict(input_grad=None), TypeError,
     "input_grad must be True or False, got None"),
    (cn.depthwise_separable_conv2d, (X, np.zeros((6, 2, 3, 3)),
                                     np.zeros((4, 6, 1, 1))), {},
     ValueError, r"depthwise_weight must have shape \(C_in\*M, 1"),
    (cn.depthwise_separable_conv2d, (X, np.zeros((9, 1, 3, 3)),
                                     np.zeros((4, 9, 1, 1))), {},
     ValueError, "depthwise_weight must have a multiple of the 6"),
    (cn.depthwise_separable_conv2d, (X, np.zeros((12, 1, 3, 3)),
                                     np.zeros((4, 6, 1, 1))), {},
     ValueError, r"pointwise_weight must have shape \(C_out, 12, 1, 1\)"),
    (cn.depthwise_separable_conv2d, (X, np.zeros((6, 1, 3, 3)),
                                     np.zeros((4, 6, 1, 1)), np.zeros(4)),
     {}, ValueError, r"depthwise_bias must have shape \(6,\)"),
    (cn.spatially_separable_conv2d, (X, np.zeros((3, 6, 3, 3)),
                                     np.zeros((4, 3, 1, 3))), {},
     ValueError, r"column_weight must have shape \(C_mid, 6, kH, 1\)"),
    (cn.spatially_separable_conv2d, (X, np.zeros((3, 6, 3, 1)),
                                     np.zeros((4, 2, 1, 3))), {},
     ValueError, r"row_weight must have shape \(C_out, 3, 1, kW\)"),
    (cn.spatially_separable_conv2d, (X, np.zeros((3, 6, 3, 1)),
                                     np.zeros((4, 3, 1, 3))),
     dict(stride=2, padding="same"), ValueError,
     "padding='same' is not supported"),
]


@pytest.mark.parametrize("func, args, kwargs, error, pattern", BAD)
def test_bad_input_is_named(func, args, kwargs, error, pattern):
    with pytest.raises(error, match=f"^{func.__name__}: {pattern}"):
        func(*args, **kwargs)
