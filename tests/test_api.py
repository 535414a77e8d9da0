"""The public API of convlib, called and checked.

Every public function of `convlib.numpy`, `convlib.torch`,
`convlib.naive` and `convlib.shapes` runs here on a small valid input,
and its answer is checked against an independent one:

- each `convlib.numpy` op and its ``*_backward`` against
  ``torch.nn.functional`` and autograd (`tests/_compare.py`), its output
  shape against `convlib.shapes` where a size formula applies, and the
  arrays it updates in place (running statistics) against torch's;
- each `convlib.torch` op, forward and autograd gradients, against the
  NumPy form; each `convlib.naive` op against the NumPy form;
- each `convlib.shapes` function against torch: sizes of real outputs,
  receptive fields and coverage from autograd, parameter counts of
  torch modules, MACs counted from a real output.

A public name with no case here fails `test_every_public_function_is_
called`. The family tests (test_numpy_*.py, test_torch_ops.py,
test_naive.py, test_shapes.py) search the argument space; this file
also holds the API's fixed points: the names of the op list below,
signatures equal across forms, numpydoc docstrings, torch's ``inplace``
contract, and which modules import without torch.
"""
import inspect
import subprocess
import sys
from typing import NamedTuple

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import convlib.data
import convlib.naive
import convlib.numpy
import convlib.shapes
import convlib.torch
import convlib.train
from convlib.shapes import (conv_output_size, conv_transpose_output_size,
                            pool_output_size)

from _compare import compare_with_torch
from _resnet import BasicBlock, Bottleneck, randomise

# The op list of the design: convlib.numpy has each with a backward,
# convlib.torch each from primitives, convlib.naive the first few.
NUMPY_OPS = """
conv1d conv2d conv3d conv_transpose1d conv_transpose2d conv_transpose3d
max_pool1d max_pool2d max_pool3d avg_pool1d avg_pool2d avg_pool3d
max_unpool1d max_unpool2d max_unpool3d
adaptive_avg_pool1d adaptive_avg_pool2d adaptive_max_pool1d
adaptive_max_pool2d fractional_max_pool2d lp_pool2d linear channel_shuffle
sigmoid tanh relu leaky_relu prelu rrelu elu selu celu gelu silu mish
softplus hardtanh hardsigmoid hardswish softmax log_softmax glu
depthwise_separable_conv2d spatially_separable_conv2d
batch_norm layer_norm group_norm instance_norm dropout dropout2d
basic_block bottleneck_block
""".split()
NAIVE_OPS = """conv1d conv2d conv_transpose2d max_pool2d avg_pool2d linear
batch_norm layer_norm group_norm instance_norm dropout dropout2d"""
NAIVE_BACKWARDS = ["conv2d", "batch_norm"]
SHAPES = """conv_output_size conv_transpose_output_size pool_output_size
receptive_field hdc_m_chain coverage largest_gap count_params
count_flops""".split()


class Case(NamedTuple):
    """One call: array arguments, other arguments, torch's twin, and
    the output shape."""
    arrays: list
    kwargs: dict
    reference: object
    shape: tuple
    tolerance: dict = None  # for compare_with_torch, if not its own
    constant: tuple = ()  # arrays torch does not differentiate
    # for ops whose arrays are not their leading arguments: makes a form
    # (or, with backward=True, its backward) take them so
    adapt: object = None


def _as_given(function, backward=False):
    return function


def _adapted(case, function, backward=False):
    return (case.adapt or _as_given)(function, backward)


def _r(*shape, seed=0):
    return np.random.default_rng([seed, *shape]).standard_normal(shape)


def _conv_cases():
    cases = {}
    x, w, b = _r(2, 4, 9), _r(6, 2, 3), _r(6)
    kw = dict(stride=2, padding=1, dilation=2, groups=2)
    cases["conv1d"] = Case([x, w, b], kw, F.conv1d, (2, 6, conv_output_size(
        9, kernel_size=3, stride=2, padding=1, dilation=2)))
    x, w, b = _r(2, 4, 7, 6), _r(6, 2, 3, 2), _r(6)
    kw = dict(stride=(2, 1), padding=(1, 0), dilation=(1, 2), groups=2)
    cases["conv2d"] = Case([x, w, b], kw, F.conv2d, (2, 6) + conv_output_size(
        (7, 6), kernel_size=(3, 2), stride=(2, 1), padding=(1, 0),
        dilation=(1, 2)))
    x, w, b = _r(1, 2, 5, 4, 4), _r(3, 2, 2, 3, 2), _r(3)
    cases["conv3d"] = Case([x, w, b], dict(padding="same"), F.conv3d,
                           (1, 3, 5, 4, 4))
    x, w, b = _r(2, 4, 5), _r(4, 3, 3), _r(6)
    kw = dict(stride=2, padding=1, output_padding=1, groups=2)
    cases["conv_transpose1d"] = Case(
        [x, w, b], kw, F.conv_transpose1d, (2, 6, conv_transpose_output_size(
            5, kernel_size=3, stride=2, padding=1, output_padding=1)))
    x, w, b = _r(1, 2, 4, 3), _r(2, 3, 3, 2), _r(3)
    kw = dict(stride=(2, 1), padding=(1, 0), output_padding=(1, 0),
              dilation=(1, 2))
    cases["conv_transpose2d"] = Case(
        [x, w, b], kw, F.conv_transpose2d,
        (1, 3) + conv_transpose_output_size((4, 3), kernel_size=(3, 2), **kw))
    x, w, b = _r(1, 2, 3, 3, 2), _r(2, 2, 2, 2, 2), _r(2)
    cases["conv_transpose3d"] = Case(
        [x, w, b], dict(stride=2), F.conv_transpose3d,
        (1, 2) + conv_transpose_output_size((3, 3, 2), kernel_size=2,
                                            stride=2))
    x, dw, pw = _r(2, 3, 6, 5), _r(6, 1, 3, 3), _r(4, 6, 1, 1)
    db, pb = _r(6), _r(4)
    kw = dict(stride=2, padding=1)
    cases["depthwise_separable_conv2d"] = Case(
        [x, dw, pw, db, pb], kw,
        lambda x, dw, pw, db, pb, **kw: F.conv2d(
            F.conv2d(x, dw, db, groups=x.shape[1], **kw), pw, pb),
        (2, 4) + conv_output_size((6, 5), kernel_size=3, **kw))
    x, cw, rw, cb, rb = _r(2, 3, 6, 5), _r(4, 3, 3, 1), _r(5, 4, 1, 2), \
        _r(4), _r(5)
    cases["spatially_separable_conv2d"] = Case(
        [x, cw, rw, cb, rb], dict(stride=(2, 1), padding=(1, 1)),
        lambda x, cw, rw, cb, rb, stride, padding: F.conv2d(
            F.conv2d(x, cw, cb, stride=(stride[0], 1),
                     padding=(padding[0], 0)),
            rw, rb, stride=(1, stride[1]), padding=(0, padding[1])),
        (2, 5) + conv_output_size((6, 5), kernel_size=(3, 2), stride=(2, 1),
                                  padding=(1, 1)))
    return cases


def _blur_reference(x, kernel_size, stride, padding_mode):
    """Blur pooling from torch's ops: pad (k - 1) // 2 before and k // 2
    after, then a depthwise conv2d with the binomial filter."""
    rows = torch.tensor([[1.0, 2, 1]]).T / 4 @ torch.tensor([[1.0, 3, 3, 1]]
                                                           ) / 8
    padded = F.pad(x, [1, 2, 1, 1], mode=padding_mode)
    return F.conv2d(padded, rows.to(x.dtype).expand(x.shape[1], 1, 3, 4),
                    stride=stride, groups=x.shape[1])


def _pool_cases():
    cases = {}
    spatial = {1: (9,), 2: (7, 6), 3: (5, 5, 4)}
    for n, size in spatial.items():
        x = _r(2, 3, *size)
        kw = dict(kernel_size=3, stride=2, padding=1, dilation=2,
                  ceil_mode=True)
        cases[f"max_pool{n}d"] = Case([x], kw, getattr(F, f"max_pool{n}d"),
                                      (2, 3) + pool_output_size(size, **kw))
        kw = dict(kernel_size=3, stride=2, padding=1, ceil_mode=True,
                  count_include_pad=n == 3)
        if n > 1:
            kw["divisor_override"] = None if n == 3 else 5
        cases[f"avg_pool{n}d"] = Case(
            [x], kw, getattr(F, f"avg_pool{n}d"), (2, 3) + pool_output_size(
                size, kernel_size=3, stride=2, padding=1, ceil_mode=True))
        pooled, indices = getattr(F, f"max_pool{n}d")(
            torch.from_numpy(x), 2, return_indices=True)
        kw = dict(kernel_size=2, output_size=size)
        cases[f"max_unpool{n}d"] = Case(
            [pooled.numpy(), indices.numpy()], kw,
            getattr(F, f"max_unpool{n}d"), (2, 3) + size)
    positive = np.abs(_r(2, 3, 9)) + 0.1  # a power of a negative sum
    cases["lp_pool1d"] = Case([positive], dict(  # would be NaN
        norm_type=2, kernel_size=3, stride=2), F.lp_pool1d, (2, 3, 4))
    cases["lp_pool2d"] = Case(
        [np.abs(_r(2, 3, 7, 6)) + 0.1], dict(norm_type=3, kernel_size=(3, 2)),
        F.lp_pool2d, (2, 3, 2, 3))
    x = _r(2, 3, 7, 6)
    cases["adaptive_avg_pool1d"] = Case(
        [_r(2, 3, 9)], dict(output_size=4), F.adaptive_avg_pool1d, (2, 3, 4))
    cases["adaptive_avg_pool2d"] = Case(
        [x], dict(output_size=(3, None)), F.adaptive_avg_pool2d,
        (2, 3, 3, 6))
    cases["adaptive_max_pool1d"] = Case(
        [_r(2, 3, 9)], dict(output_size=4), F.adaptive_max_pool1d,
        (2, 3, 4))
    cases["adaptive_max_pool2d"] = Case(
        [x], dict(output_size=(2, 4), return_indices=True),
        F.adaptive_max_pool2d, (2, 3, 2, 4))
    cases["blur_pool2d"] = Case(  # Zhang 2019; torch has no blur pool
        [x], dict(kernel_size=(3, 4), stride=(2, 1), padding_mode="reflect"),
        _blur_reference, (2, 3, 4, 6))
    samples = np.random.default_rng(1).random((2, 3, 2))
    cases["fractional_max_pool2d"] = Case(
        [x], dict(kernel_size=2, output_size=(4, 3),
                  _random_samples=samples),
        F.fractional_max_pool2d, (2, 3, 4, 3))
    return cases


def _other_cases():
    x = _r(2, 3, 4, 5)
    cases = {name: Case([x], {}, getattr(torch, name), x.shape)
             for name in ("sigmoid", "tanh")}
    cases.update({name: Case([x], {}, getattr(F, name), x.shape)
                  for name in ("relu", "selu", "silu", "mish", "hardswish")})
    # torch's hardsigmoid backward multiplies by float32(1/6), and its
    # celu backward divides by float32(alpha): alpha=1.25 is exact.
    cases["hardsigmoid"] = Case([x], {}, F.hardsigmoid, x.shape,
                                dict(rtol=5e-8, atol=1e-10))
    for name, kw in [("leaky_relu", dict(negative_slope=0.2)),
                     ("elu", dict(alpha=0.7)), ("celu", dict(alpha=1.25)),
                     ("gelu", dict(approximate="tanh")),
                     ("softplus", dict(beta=2.0, threshold=1.5)),
                     ("hardtanh", dict(min_val=-0.5, max_val=0.7)),
                     ("rrelu", dict(lower=0.1, upper=0.3)),
                     ("softmax", dict(dim=1)), ("log_softmax", dict(dim=2))]:
        cases[name] = Case([x], kw, getattr(F, name), x.shape)
    cases["prelu"] = Case([x, _r(3)], {}, F.prelu, x.shape)
    cases["glu"] = Case([_r(2, 6, 5)], dict(dim=1), F.glu, (2, 3, 5))
    cases["linear"] = Case([_r(2, 3, 4), _r(5, 4), _r(5)], {}, F.linear,
                           (2, 3, 5))
    cases["flatten"] = Case([x], dict(start_dim=1, end_dim=2),
                            torch.flatten, (2, 12, 5))
    cases["channel_shuffle"] = Case([_r(2, 6, 3, 3)], dict(groups=3),
                                    F.channel_shuffle, (2, 6, 3, 3))
    return cases


def _after_input(setting):
    """`adapt` for layer and group norm, which take their setting
    (normalized_shape, num_groups) between input and weight."""
    def adapt(function, backward=False):
        if backward:
            return lambda g, x, *arrays, **kw: function(g, x, setting,
                                                        *arrays, **kw)
        return lambda x, *arrays, **kw: function(x, setting, *arrays, **kw)
    return adapt


def _seeded_twin(name, seed):
    """torch's dropout, reseeded on every call: the same mask each time."""
    def twin(x, p, training, mask):  # the mask is read off this twin
        torch.manual_seed(seed)
        return getattr(F, name)(x, p, training)
    return twin


def _torch_mask(name, x, p, seed):
    """The keep mask (1 keeps, 0 drops) torch draws for `seed`."""
    with torch.no_grad():
        out = _seeded_twin(name, seed)(torch.from_numpy(x), p, True, None)
    keep = (out != 0).numpy().astype(np.float64)
    if name == "dropout2d":  # a kept channel keeps its first value
        keep = keep[:, :, :1, :1]
    return keep


def _norm_cases():
    cases = {}
    x = _r(2, 3, 4, 5)
    mean, w, b = _r(3, seed=1), _r(3, seed=2), _r(3, seed=3)
    var = np.abs(_r(3, seed=4)) + 0.5
    cases["batch_norm"] = Case(
        [x, mean, var, w, b], dict(training=True, momentum=0.3, eps=1e-4),
        F.batch_norm, x.shape, constant=(1, 2))
    cases["instance_norm"] = Case(
        [x, mean, var, w, b], dict(use_input_stats=True, momentum=0.2),
        F.instance_norm, x.shape, constant=(1, 2))
    cases["layer_norm"] = Case(
        [x, _r(4, 5, seed=1), _r(4, 5, seed=2)], dict(eps=1e-4),
        F.layer_norm, x.shape, adapt=_after_input((4, 5)))
    x6 = _r(2, 6, 3, 4)
    cases["group_norm"] = Case(
        [x6, _r(6, seed=1), _r(6, seed=2)], dict(eps=1e-4), F.group_norm,
        x6.shape, adapt=_after_input(3))
    nonzero = 1 + np.abs(x6)  # so the mask reads off torch's output
    for name in ("dropout", "dropout2d"):
        mask = _torch_mask(name, nonzero, 0.4, seed=7)
        cases[name] = Case([nonzero], dict(p=0.4, training=True, mask=mask),
                           _seeded_twin(name, seed=7), nonzero.shape)
    return cases


def _as_params(keys):
    """`adapt` for the blocks: their parameters (a dict) given as
    arrays after the input, in the order of `keys`; their gradients
    (a dict of the weights' and biases') returned likewise, None for
    the running statistics."""
    def adapt(function, backward=False):
        if not backward:
            return lambda x, *values, **kw: function(
                x, dict(zip(keys, values)), **kw)

        def run(g, x, *values, **kw):
            grad_x, grads = function(g, x, dict(zip(keys, values)), **kw)
            return (grad_x,) + tuple(grads.get(key) for key in keys)
        return run
    return adapt


def _torch_block(x, params, stride=1, groups=1, training=False,
                 momentum=0.1, eps=1e-5):
    """ResNet's block from F.conv2d, F.batch_norm and F.relu (basic, or
    a bottleneck when there is a conv3, its stride on the 3x3)."""
    def conv(y, name, **kw):
        return F.conv2d(y, params[name + ".weight"], **kw)

    def bn(y, name):
        return F.batch_norm(y, *(params[f"{name}.{k}"] for k in (
            "running_mean", "running_var", "weight", "bias")), training,
            momentum, eps)
    if "conv3.weight" in params:
        out = F.relu(bn(conv(x, "conv1"), "bn1"))
        out = F.relu(bn(conv(out, "conv2", stride=stride, padding=1,
                             groups=groups), "bn2"))
        out = bn(conv(out, "conv3"), "bn3")
    else:
        out = F.relu(bn(conv(x, "conv1", stride=stride, padding=1), "bn1"))
        out = bn(conv(out, "conv2", padding=1), "bn2")
    if "downsample.0.weight" in params:
        x = bn(conv(x, "downsample.0", stride=stride), "downsample.1")
    return F.relu(out + x)


def _block_case(module, x, kwargs, shape):
    """A block's case: the parameters of a randomised torch module."""
    state = randomise(module.double(), torch.Generator().manual_seed(3))
    state = {k: v.numpy() for k, v in state.state_dict().items()
             if not k.endswith("num_batches_tracked")}
    keys = list(state)
    constant = tuple(1 + i for i, key in enumerate(keys)
                     if key.endswith(("running_mean", "running_var")))
    return Case([x] + [state[k] for k in keys], kwargs, _torch_block,
                shape, constant=constant, adapt=_as_params(keys))


def _block_cases():
    # basic: a projection shortcut (stride 2, 3 -> 4 channels), eval
    # mode; bottleneck: the identity, grouped 3x3, training mode
    return {"basic_block": _block_case(
                BasicBlock(3, 4, stride=2), _r(2, 3, 5, 4),
                dict(stride=2, momentum=0.2), (2, 4, 3, 2)),
            "bottleneck_block": _block_case(
                Bottleneck(8, 8, mid=4, groups=2), _r(2, 8, 3, 3),
                dict(groups=2, training=True, momentum=0.2), (2, 8, 3, 3))}


CASES = {**_conv_cases(), **_pool_cases(), **_other_cases(),
         **_norm_cases(), **_block_cases()}


def _tensor_kwargs(function):
    """`function` taking NumPy arrays among its keywords as tensors."""
    def call(*args, **kwargs):
        kwargs = {k: torch.from_numpy(v) if isinstance(v, np.ndarray)
                  else v for k, v in kwargs.items()}
        return function(*args, **kwargs)
    return call


# ------------------------------------------------ every name is called

def _public_functions(module):
    return {name for name in module.__all__
            if inspect.isfunction(getattr(module, name))}


# convlib.numpy's settings rather than ops (tests/test_numpy_workers.py)
NUMPY_SETTINGS = {"set_workers", "workers"}


def test_every_public_function_is_called():
    numpy_ops = _public_functions(convlib.numpy) - NUMPY_SETTINGS
    forwards = {n for n in numpy_ops if not n.endswith("_backward")}
    assert set(NUMPY_OPS) <= forwards
    assert numpy_ops == forwards | {n + "_backward" for n in forwards}
    assert _public_functions(convlib.torch) == forwards == set(CASES)
    assert _public_functions(convlib.naive) == set(NAIVE_OPS.split()) | {
        name + "_backward" for name in NAIVE_BACKWARDS} | {
        "insert_zeros", "conv_transpose2d_by_zero_insertion"}
    assert _public_functions(convlib.shapes) == set(SHAPES)
    assert set(SHAPES) == {name[len("test_shapes_"):] for name in globals()
                           if name.startswith("test_shapes_")}


def test_numpy_workers_setting_round_trips():
    before = convlib.numpy.workers()
    previous = convlib.numpy.set_workers(1)
    try:
        assert convlib.numpy.workers() == 1
    finally:
        convlib.numpy.set_workers(previous)
    assert convlib.numpy.workers() == before


# ------------------------------------------------------- the op forms

# conv3d's case pads 'same' around an even kernel, which torch warns of
@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("name", sorted(CASES))
def test_numpy_op_and_backward_match_torch(name):
    case = CASES[name]
    out = compare_with_torch(
        _adapted(case, getattr(convlib.numpy, name)),
        _tensor_kwargs(_adapted(case, case.reference)), case.arrays,
        case.kwargs, backward=_adapted(
            case, getattr(convlib.numpy, name + "_backward"), True),
        tolerance=case.tolerance, constant=case.constant)
    out = out[0] if isinstance(out, tuple) else out
    assert out.shape == case.shape


def _copies(arrays):
    return [None if a is None else np.array(a) for a in arrays]


@pytest.mark.parametrize("name", sorted(n for n in CASES
                                        if CASES[n].constant))
def test_numpy_running_statistics_end_as_torchs(name):
    """The arrays an op updates in place (the running statistics, in
    training mode) hold torch's values after the call."""
    case = CASES[name]
    ours = _copies(case.arrays)
    _adapted(case, getattr(convlib.numpy, name))(*ours, **case.kwargs)
    theirs = [torch.from_numpy(a) for a in _copies(case.arrays)]
    _tensor_kwargs(_adapted(case, case.reference))(*theirs, **case.kwargs)
    for i in case.constant:
        np.testing.assert_allclose(ours[i], theirs[i].numpy(), rtol=1e-12,
                                   atol=1e-12)


@pytest.mark.parametrize("name", sorted(CASES))
def test_torch_form_and_its_gradients_match_numpy(name):
    case = CASES[name]
    compare_with_torch(
        _adapted(case, getattr(convlib.numpy, name)),
        _tensor_kwargs(_adapted(case, getattr(convlib.torch, name))),
        case.arrays, case.kwargs, backward=_adapted(
            case, getattr(convlib.numpy, name + "_backward"), True),
        constant=case.constant)


@pytest.mark.parametrize("name", NAIVE_OPS.split())
def test_naive_matches_numpy(name):
    """Values, and the arrays updated in place (running statistics)."""
    case = CASES[name]
    ours_arrays, numpy_arrays = _copies(case.arrays), _copies(case.arrays)
    ours = _adapted(case, getattr(convlib.naive, name))(
        *ours_arrays, **case.kwargs)
    numpy = _adapted(case, getattr(convlib.numpy, name))(
        *numpy_arrays, **case.kwargs)
    assert ours.shape == numpy.shape == case.shape
    np.testing.assert_allclose(ours, numpy, rtol=1e-10, atol=1e-10)
    for got, want in zip(ours_arrays, numpy_arrays):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", NAIVE_BACKWARDS)
def test_naive_backward_matches_numpy(name):
    case = CASES[name]
    grad = _r(*case.shape, seed=1)
    backward = name + "_backward"
    ours = getattr(convlib.naive, backward)(grad, *case.arrays,
                                            **case.kwargs)
    numpy = getattr(convlib.numpy, backward)(grad, *case.arrays,
                                             **case.kwargs)
    assert len(ours) == len(numpy) == len(case.arrays)
    for i, (got, want) in enumerate(zip(ours, numpy)):
        if i in case.constant:
            assert got is None and want is None
        else:
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


# ------------------------------------------------------ convlib.shapes

def test_shapes_conv_output_size():
    x = torch.zeros(1, 1, 11, 8)
    for kw in [dict(kernel_size=3), dict(kernel_size=(4, 2), stride=(3, 2),
                                         padding=(2, 1), dilation=(2, 3)),
               dict(kernel_size=5, padding="same", dilation=(1, 2))]:
        weight = torch.zeros((1, 1) + tuple(
            int(k) for k in np.broadcast_to(kw["kernel_size"], 2)))
        real = F.conv2d(x, weight, **{k: v for k, v in kw.items()
                                      if k != "kernel_size"})
        assert conv_output_size((11, 8), **kw) == tuple(real.shape[2:])
    assert conv_output_size(11, kernel_size=4, stride=3) == 3


def test_shapes_conv_transpose_output_size():
    x = torch.zeros(1, 1, 5, 4)
    kw = dict(stride=(3, 2), padding=(1, 0), output_padding=(2, 1),
              dilation=(1, 2))
    real = F.conv_transpose2d(x, torch.zeros(1, 1, 3, 2), **kw)
    assert conv_transpose_output_size((5, 4), kernel_size=(3, 2),
                                      **kw) == tuple(real.shape[2:])


def test_shapes_pool_output_size():
    # ceil mode, including a last window torch drops (size 5, k 2, s 2,
    # padding 1: a fourth window would start in the right padding)
    for size, kw in [(7, dict(kernel_size=3, stride=2, ceil_mode=True)),
                     (5, dict(kernel_size=2, stride=2, padding=1,
                              ceil_mode=True)),
                     (9, dict(kernel_size=3, padding=1, dilation=2))]:
        real = F.max_pool1d(torch.zeros(1, 1, size), **kw)
        assert pool_output_size(size, **kw) == real.shape[-1]


def _field_from_autograd(layers, length, unit):
    """First and last input index that reach output `unit` of a 1-d
    stack of all-ones convolutions / average pools."""
    x = torch.ones(1, 1, length, requires_grad=True)
    y = x
    for kind, kw in layers:
        if kind == "conv":
            y = F.conv1d(y, torch.ones(1, 1, kw["kernel_size"]),
                         **{k: v for k, v in kw.items()
                            if k != "kernel_size"})
        else:
            y = F.avg_pool1d(y, **kw)
    y[0, 0, unit].backward()
    seen = torch.nonzero(x.grad[0, 0]).flatten()
    return int(seen[0]), int(seen[-1])


def test_shapes_receptive_field():
    layers = [("conv", dict(kernel_size=3, padding=1)),
              ("pool", dict(kernel_size=2, stride=2)),
              ("conv", dict(kernel_size=3, dilation=2, padding=2)),
              ("conv", dict(kernel_size=2, stride=2))]
    field = convlib.shapes.receptive_field([kw for _, kw in layers])
    unit = 3  # a unit whose field lies wholly inside the input
    first, last = _field_from_autograd(layers, 48, unit)
    assert first == field.offset + unit * field.stride
    assert last == first + field.size - 1


def test_shapes_hdc_m_chain():
    # The recurrence of Wang et al. 2018, written out here again.
    for rates, k in [([1, 2, 5], 3), ([1, 2, 9], 3), ([3, 3, 3], 3),
                     ([1, 3, 7, 11], 5)]:
        chain = [rates[-1]]
        for r in reversed(rates[:-1]):
            m = chain[0]
            chain.insert(0, max(m - 2 * r, m - 2 * (m - r), r))
        got = convlib.shapes.hdc_m_chain(rates, k)
        assert got.chain == tuple(chain)
        assert got.satisfied == (chain[1] <= k)


def test_shapes_coverage():
    # Counts of the ways each input reaches the output: the gradient of
    # a stack of dilated all-ones kernels.
    for rates, k in [([1, 2, 5], 3), ([2, 2], 3), ([1, 3], 2)]:
        got = convlib.shapes.coverage(rates, kernel_size=k)
        span = sum(r * (k - 1) for r in rates) + 1
        x = torch.ones(1, 1, span, requires_grad=True)
        y = x
        for r in rates:
            y = F.conv1d(y, torch.ones(1, 1, k), dilation=r)
        y.sum().backward()
        counts = x.grad[0, 0].numpy().astype(int)
        np.testing.assert_array_equal(got.counts, counts)
        assert got.has_holes == bool((counts == 0).any())


def test_shapes_largest_gap():
    # The longest step between the inputs a PyTorch gradient reaches.
    for rates, k in [([2, 5], 2), ([1, 2, 5], 3), ([2, 2, 2], 3),
                     ([3, 1, 4], 4)]:
        span = sum(r * (k - 1) for r in rates) + 1
        x = torch.ones(1, 1, span, requires_grad=True)
        y = x
        for r in rates:
            y = F.conv1d(y, torch.ones(1, 1, k), dilation=r)
        y.sum().backward()
        reached = np.flatnonzero(x.grad[0, 0].numpy())
        assert convlib.shapes.largest_gap(rates, k) == \
            np.diff(reached).max()


def test_shapes_count_params():
    nn = torch.nn
    for layer, kw, module in [
            ("conv2d", dict(in_channels=4, out_channels=6, kernel_size=3,
                            groups=2), nn.Conv2d(4, 6, 3, groups=2)),
            ("conv_transpose1d", dict(in_channels=4, out_channels=6,
                                      kernel_size=3, bias=False),
             nn.ConvTranspose1d(4, 6, 3, bias=False)),
            ("linear", dict(in_features=5, out_features=7),
             nn.Linear(5, 7)),
            ("depthwise_separable_conv2d",
             dict(in_channels=3, out_channels=8, kernel_size=3),
             nn.Sequential(nn.Conv2d(3, 3, 3, groups=3),
                           nn.Conv2d(3, 8, 1))),
            ("batch_norm", dict(num_features=6), nn.BatchNorm2d(6)),
            ("group_norm", dict(num_groups=2, num_channels=6),
             nn.GroupNorm(2, 6)),
            ("layer_norm", dict(normalized_shape=(4, 5)),
             nn.LayerNorm((4, 5))),
            ("dropout", dict(p=0.3), nn.Dropout(0.3)),
            ("bottleneck_block", dict(in_channels=8, out_channels=16,
                                      stride=2, groups=2),
             Bottleneck(8, 16, stride=2, groups=2))]:
        expected = sum(p.numel() for p in module.parameters())
        assert convlib.shapes.count_params(layer, **kw) == expected


def test_shapes_count_flops():
    # MACs: every output element costs (C_in / groups) * prod(kernel).
    x = torch.zeros(1, 4, 9, 8)
    out = F.conv2d(x, torch.zeros(6, 2, 3, 2), stride=2, padding=1,
                   groups=2)
    macs = out.numel() * 2 * 3 * 2
    assert convlib.shapes.count_flops(
        "conv2d", (9, 8), in_channels=4, out_channels=6, kernel_size=(3, 2),
        stride=2, padding=1, groups=2) == macs
    assert convlib.shapes.count_flops(
        "linear", in_features=5, out_features=7, unit="flop") == 2 * 35


# --------------------------------------------- inplace, as torch does it

# dropout with p=1 (zeros) so torch's random mask cannot differ from
# ours (test_dropout.py writes in place with torch's mask, any p)
INPLACE = {"relu": {}, "leaky_relu": dict(negative_slope=0.2),
           "rrelu": dict(lower=0.1, upper=0.3), "elu": dict(alpha=0.7),
           "selu": {}, "celu": dict(alpha=1.25), "silu": {}, "mish": {},
           "hardtanh": dict(min_val=-0.5, max_val=0.7),
           "hardsigmoid": {}, "hardswish": {}, "dropout": dict(p=1.0),
           "dropout2d": dict(p=1.0)}


def _takes_inplace(function):
    try:
        return "inplace" in inspect.signature(function).parameters
    except (TypeError, ValueError):  # a builtin: no Python signature
        return False


def test_inplace_list_is_torchs():
    names = {name for name in CASES
             if _takes_inplace(getattr(F, name, None))}
    assert names == set(INPLACE)
    assert names == {name for name in CASES
                     if _takes_inplace(getattr(convlib.numpy, name))}


@pytest.mark.parametrize("name", sorted(INPLACE))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_numpy_inplace_writes_the_input_as_torch_does(name, dtype):
    x = _r(2, 3, 4, 2).astype(dtype) * 3  # 4-d, as dropout2d wants
    t = torch.from_numpy(x.copy())
    theirs = getattr(F, name)(t, inplace=True, **INPLACE[name])
    ours = getattr(convlib.numpy, name)(x, inplace=True, **INPLACE[name])
    assert theirs is t and ours is x
    np.testing.assert_allclose(x, t.numpy(), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_numpy_without_inplace_leaves_the_input(name):
    x = _r(2, 3, 4, 2)
    before = x.copy()
    out = getattr(convlib.numpy, name)(x, **INPLACE[name])
    assert out is not x
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize("value, error, match", [
    ([-1.0, 2.0], TypeError, "needs input to be a NumPy array.*got list"),
    (np.array([-1, 2]), TypeError, "needs a floating-point input.*int64"),
])
def test_numpy_inplace_refuses_what_it_cannot_write(value, error, match):
    with pytest.raises(error, match="^relu: inplace=True " + match):
        convlib.numpy.relu(value, inplace=True)


def test_numpy_inplace_writes_through_a_view():
    base = np.array([[-1.0, 2.0, -3.0], [4.0, -5.0, 6.0]])
    view = base[:, ::-2]
    assert convlib.numpy.relu(view, inplace=True) is view
    np.testing.assert_array_equal(base, [[0, 2, 0], [4, -5, 6]])


def test_numpy_inplace_refuses_a_read_only_array():
    x = np.ones(3)
    x.flags.writeable = False
    with pytest.raises(ValueError, match="^elu: inplace=True needs a "
                       "writeable input, got a read-only array"):
        convlib.numpy.elu(x, inplace=True)


# --------------------------------------------------------- fixed points

@pytest.mark.parametrize("name", NUMPY_OPS)
def test_numpy_signature_equals_torch_modules(name):
    """convlib.torch's signatures are checked against torch's in
    test_torch_ops.py; convlib.numpy must have the same ones."""
    ours = _arguments(getattr(convlib.numpy, name))
    twin = _arguments(getattr(convlib.torch, name))
    assert ours == twin


def _arguments(function):
    # torch's softmax keeps a private _stacklevel for its warning
    return [(p.name, p.default)
            for p in inspect.signature(function).parameters.values()
            if p.name != "_stacklevel"]


def _documented_functions():
    for module in (convlib.numpy, convlib.torch, convlib.naive,
                   convlib.shapes, convlib.data, convlib.train):
        for name in getattr(module, "__all__", dir(module)):
            obj = getattr(module, name)
            if inspect.isfunction(obj):
                yield f"{module.__name__}.{name}", obj


@pytest.mark.parametrize("qualname,function", list(_documented_functions()),
                         ids=lambda v: v if isinstance(v, str) else "")
def test_numpydoc_docstring(qualname, function):
    doc = inspect.getdoc(function) or ""
    assert "Parameters\n----------" in doc, f"{qualname}: no Parameters"
    assert "Returns\n-------" in doc, f"{qualname}: no Returns"


NO_TORCH = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {'torch', 'matplotlib', 'ipywidgets',
                                  'anywidget'}:
            raise ImportError('blocked ' + name)
sys.meta_path.insert(0, Block())
import convlib.numpy, convlib.naive, convlib.shapes, convlib.data
assert not any(m.split('.')[0] in {'torch', 'matplotlib', 'ipywidgets'}
               for m in sys.modules)
print('ok')
"""


def test_numpy_naive_shapes_data_import_without_torch():
    result = subprocess.run([sys.executable, "-c", NO_TORCH],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
