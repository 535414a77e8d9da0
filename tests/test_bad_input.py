"""The bad-input table: every form of every op refuses bad calls alike.

Each row of `OPS` is one bad call. It runs against every form that has
the function -- `convlib.naive`, `convlib.numpy` (forward and, where
there is one, `*_backward`) and `convlib.torch` (with tensors) -- and
each must raise the listed exception type (a ValueError for a bad
value, a TypeError for a bad type; never a bare numpy/torch error or an
assert), with a message that starts with the function's name and names
the offending argument. A row's `size` twin makes the same mistake in
`convlib.shapes`. `SHAPES` rows are `convlib.shapes` alone.

`ACCEPTED` lists calls the forms once disagreed on that torch accepts:
every form must accept them and give torch's result.
"""
import importlib
from collections import namedtuple

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import convlib.naive
import convlib.numpy
import convlib.shapes
import convlib.torch

Bad = namedtuple("Bad", "function args kwargs error argument size",
                 defaults=(None,))
Size = namedtuple("Size", "function args kwargs")
V, TE = ValueError, TypeError
FORMS = {"naive": convlib.naive, "numpy": convlib.numpy,
         "torch": convlib.torch}


def Z(*shape):
    """A NumPy array of zeros (float64); tensors for convlib.torch."""
    return np.zeros(shape)


def I(*shape):  # noqa: E743 -- integer indices
    return np.zeros(shape, dtype=np.int64)


X1, X2, W2 = Z(1, 1, 5, 5), Z(1, 3, 5, 5), Z(1, 1, 3, 3)
CONV = [
    Bad("conv2d", (Z(5, 5), W2), {}, V, "input"),
    Bad("conv2d", (X2, Z(2, 2, 3, 3)), {}, V, "weight"),
    Bad("conv2d", (X2, Z(2, 1, 3, 3)), dict(groups=2), V, "groups"),
    Bad("conv2d", (X2, Z(3, 1, 3, 3)), dict(groups=0), V, "groups"),
    Bad("conv2d", (X2, Z(3, 1, 3, 3)), dict(groups=3.0), TE, "groups"),
    Bad("conv2d", (Z(1, 4, 5, 5), Z(3, 2, 3, 3)), dict(groups=2), V,
        "groups"),
    Bad("conv2d", (Z(1, 1, 2, 2), W2), {}, V, "weight",
        Size("conv_output_size", (2,), dict(kernel_size=3))),
    Bad("conv2d", (X1, Z(0, 1, 3, 3)), {}, V, "weight"),
    Bad("conv2d", (X1, Z(1, 1, 0, 3)), {}, V, "weight",
        Size("conv_output_size", (5,), dict(kernel_size=0))),
    Bad("conv2d", (X1, W2), dict(padding="full"), V, "padding",
        Size("conv_output_size", (5,), dict(kernel_size=3,
                                            padding="full"))),
    Bad("conv2d", (X1, W2), dict(padding=-1), V, "padding",
        Size("conv_output_size", (5,), dict(kernel_size=3, padding=-1))),
    Bad("conv2d", (X1, W2), dict(padding=1.5), TE, "padding",
        Size("conv_output_size", (5,), dict(kernel_size=3, padding=1.5))),
    Bad("conv2d", (X1, W2), dict(padding="same", stride=2), V, "padding",
        Size("conv_output_size", (5,), dict(kernel_size=3, stride=2,
                                            padding="same"))),
    Bad("conv2d", (X1, W2), dict(stride=0), V, "stride",
        Size("conv_output_size", (5,), dict(kernel_size=3, stride=0))),
    Bad("conv2d", (X1, W2), dict(stride=1.5), TE, "stride",
        Size("conv_output_size", (5,), dict(kernel_size=3, stride=1.5))),
    Bad("conv2d", (X1, W2), dict(stride=()), V, "stride",
        Size("conv_output_size", ((5, 5),), dict(kernel_size=3,
                                                 stride=()))),
    Bad("conv2d", (X1, W2), dict(stride=(1, 1, 1)), V, "stride"),
    Bad("conv2d", (X1, W2), dict(dilation=0), V, "dilation",
        Size("conv_output_size", (5,), dict(kernel_size=3, dilation=0))),
    Bad("conv2d", (X1, W2), dict(dilation=3), V, "weight",
        Size("conv_output_size", (5,), dict(kernel_size=3, dilation=3))),
    Bad("conv2d", (X1, Z(2, 1, 3, 3), Z(3)), {}, V, "bias"),
    Bad("conv2d", (np.array([[["a"]]]), Z(1, 1, 1, 1)), {}, TE, "input"),
    Bad("conv1d", (Z(1, 1, 1, 5), Z(1, 1, 3)), {}, V, "input"),
    Bad("conv1d", (Z(1, 1, 5), Z(1, 1, 3)), dict(dilation=1.5), TE,
        "dilation"),
    Bad("conv3d", (Z(1, 1, 3, 3, 3), W2), {}, V, "weight"),
]
X3 = Z(1, 2, 3, 3)
TRANSPOSE = [
    Bad("conv_transpose2d", (X3, Z(2, 1, 3, 3)),
        dict(stride=2, output_padding=2), V, "output_padding",
        Size("conv_transpose_output_size", (3,),
             dict(kernel_size=3, stride=2, output_padding=2))),
    Bad("conv_transpose2d", (X3, Z(3, 1, 3, 3)), {}, V, "weight"),
    Bad("conv_transpose2d", (X3, Z(2, 1, 3, 3)), dict(groups=3), V,
        "groups"),
    Bad("conv_transpose2d", (X3, Z(2, 1, 3, 3)), dict(padding=4), V,
        "padding",
        Size("conv_transpose_output_size", (3,),
             dict(kernel_size=3, padding=4))),
    Bad("conv_transpose2d", (X3, Z(2, 1, 3, 3)), dict(padding="same"),
        TE, "padding"),
    Bad("conv_transpose2d", (X3, Z(2, 1, 3, 3)), dict(padding=-1), V,
        "padding"),
    Bad("conv_transpose2d", (X3, Z(2, 1, 3, 3)), dict(stride=0), V,
        "stride"),
    Bad("conv_transpose2d", (X3, Z(2, 1, 3, 3), Z(3)), {}, V, "bias"),
    Bad("conv_transpose1d", (Z(1, 2, 3), Z(3, 1, 2)), {}, V, "weight"),
]
POOL = [
    Bad("max_pool2d", (X1, 2), dict(padding=2), V, "padding",
        Size("pool_output_size", (5,), dict(kernel_size=2, padding=2))),
    Bad("max_pool2d", (Z(1, 1, 2, 2), 3), {}, V, "kernel_size",
        Size("pool_output_size", (2,), dict(kernel_size=3))),
    Bad("max_pool2d", (Z(5), 2), {}, V, "input"),
    Bad("max_pool2d", (Z(1, 0, 4, 4), 2), {}, V, "input"),
    Bad("max_pool2d", (X1, -1), {}, V, "kernel_size"),
    Bad("max_pool2d", (X1, 2.0), {}, TE, "kernel_size"),
    Bad("max_pool2d", (X1, 2), dict(stride=0), V, "stride",
        Size("pool_output_size", (5,), dict(kernel_size=2, stride=0))),
    Bad("max_pool2d", (X1, 2), dict(dilation=0), V, "dilation"),
    Bad("max_pool2d", (X1, 2), dict(dilation=5), V, "kernel_size"),
    Bad("max_pool2d", (X1, 2), dict(ceil_mode="yes"), TE, "ceil_mode",
        Size("pool_output_size", (5,), dict(kernel_size=2,
                                            ceil_mode="yes"))),
    Bad("max_pool2d", (X1, 2), dict(return_indices="no"), TE,
        "return_indices"),
    Bad("max_pool2d", (X1, 2), dict(return_indices=1), TE,
        "return_indices"),
    Bad("max_pool1d", (Z(1, 1, 5), 2), dict(stride=0), V, "stride"),
    Bad("max_pool3d", (Z(1, 1, 5, 5, 5), (2, 2)), {}, V, "kernel_size"),
    Bad("avg_pool2d", (X1, 2), dict(padding=2), V, "padding"),
    Bad("avg_pool2d", (Z(1, 1, 4, 4), (2, 2, 2)), {}, V, "kernel_size"),
    Bad("avg_pool2d", (Z(1, 1, 4, 4), 2), dict(stride=-1), V, "stride"),
    Bad("avg_pool2d", (Z(1, 1, 4, 4), 2), dict(ceil_mode="yes"), TE,
        "ceil_mode"),
    Bad("avg_pool2d", (Z(1, 1, 4, 4), 2), dict(count_include_pad=None),
        TE, "count_include_pad"),
    Bad("avg_pool2d", (Z(1, 1, 4, 4), 2), dict(divisor_override=0), V,
        "divisor_override"),
    Bad("avg_pool2d", (Z(1, 1, 4, 4), 2), dict(divisor_override=1.5), TE,
        "divisor_override"),
    Bad("avg_pool3d", (Z(1, 1, 2, 2, 1), 2), dict(padding=1), V,
        "kernel_size"),
    Bad("lp_pool2d", (Z(1, 1, 4, 4), 0, 2), {}, V, "norm_type"),
    Bad("lp_pool2d", (Z(1, 1, 4, 4), "2", 2), {}, TE, "norm_type"),
    Bad("max_unpool2d", (Z(1, 1, 2, 2), I(1, 1, 3, 3), 2), {}, V,
        "indices"),
    Bad("max_unpool2d", (Z(1, 1, 2, 2), I(1, 1, 2, 2), 2),
        dict(output_size=(9, 4)), V, "output_size"),
    Bad("max_unpool2d", (Z(1, 1, 2, 2), I(1, 1, 2, 2), 2),
        dict(stride=()), V, "stride"),
    Bad("max_unpool2d", (Z(1, 1, 2, 2), Z(1, 1, 2, 2), 2), {}, TE,
        "indices"),
]
ADAPTIVE = [
    Bad("adaptive_avg_pool2d", (Z(1, 1, 4, 4), -1), {}, V, "output_size"),
    Bad("adaptive_avg_pool2d", (Z(1, 1, 4, 4), 0), {}, V, "output_size"),
    Bad("adaptive_max_pool1d", (Z(1, 1, 4), (2, 2)), {}, V, "output_size"),
    Bad("adaptive_max_pool2d", (Z(1, 1, 4, 4), 2),
        dict(return_indices="no"), TE, "return_indices"),
    Bad("fractional_max_pool2d", (Z(1, 1, 6, 6), 2), {}, V, "output_size"),
    Bad("fractional_max_pool2d", (Z(1, 1, 6, 6), 2), dict(output_size=6),
        V, "output"),
    Bad("fractional_max_pool2d", (Z(1, 1, 6, 6), 2),
        dict(output_ratio=1.0), V, "output_ratio"),
    Bad("fractional_max_pool2d", (Z(1, 1, 6, 6), 2),
        dict(output_ratio=(0.5, 1.5)), V, "output_ratio"),
    Bad("fractional_max_pool2d", (Z(1, 1, 6, 6), 2),
        dict(output_ratio=0.0), V, "output_ratio"),
    Bad("fractional_max_pool2d", (Z(1, 1, 6, 6), 2),
        dict(output_size=3, return_indices="no"), TE, "return_indices"),
    Bad("fractional_max_pool2d", (Z(1, 1, 6, 6), 2),
        dict(output_size=3, _random_samples=Z(1, 2, 2)), V,
        "_random_samples"),
]
OTHER = [
    Bad("linear", (Z(3, 5), Z(4, 6)), {}, V, "weight"),
    Bad("prelu", (Z(1, 2, 3, 3), Z(3)), {}, V, "weight"),
    Bad("channel_shuffle", (Z(1, 6, 2, 2), 4), {}, V, "groups"),
    Bad("softmax", (Z(2, 3),), dict(dim=5), V, "dim"),
    Bad("glu", (Z(2, 3),), {}, V, "dim"),
    Bad("depthwise_separable_conv2d",
        (Z(1, 2, 5, 5), Z(2, 1, 3, 3), Z(4, 3, 1, 1)), {}, V,
        "pointwise_weight"),
]
XN = Z(2, 3, 4)
NORM = [
    Bad("batch_norm", (Z(3), None, None), dict(training=True), V,
        "input"),
    Bad("batch_norm", (XN, Z(4), Z(3)), {}, V, "running_mean"),
    Bad("batch_norm", (XN, Z(3), Z(3, 1)), {}, V, "running_var"),
    Bad("batch_norm", (XN, None, None), {}, V, "running_mean"),
    Bad("batch_norm", (XN, Z(3), None), dict(training=True), V,
        "running_var"),
    Bad("batch_norm", (XN, Z(3), Z(3), Z(2)), {}, V, "weight"),
    Bad("batch_norm", (XN, Z(3), Z(3), None, Z(4)), {}, V, "bias"),
    Bad("batch_norm", (XN, Z(3), Z(3)), dict(training=1), TE,
        "training"),
    Bad("batch_norm", (Z(1, 3), None, None), dict(training=True), V,
        "input"),
    Bad("batch_norm", (XN, Z(3), Z(3)), dict(momentum=None), TE,
        "momentum"),
    Bad("batch_norm", (XN, Z(3), Z(3)), dict(momentum="0.1"), TE,
        "momentum"),
    Bad("batch_norm", (XN, Z(3), Z(3)), dict(eps=-1e-5), V, "eps"),
    Bad("batch_norm", (XN, None, None), dict(training=True, eps=0), V,
        "eps"),
    Bad("instance_norm", (Z(2, 3, 1),), {}, V, "input"),
    Bad("instance_norm", (Z(2, 3),), {}, V, "input"),
    Bad("instance_norm", (XN,), dict(use_input_stats=False), V,
        "running_mean"),
    Bad("instance_norm", (XN, Z(2), Z(2)), {}, V, "running_mean"),
    Bad("instance_norm", (XN,), dict(use_input_stats="yes"), TE,
        "use_input_stats"),
    Bad("instance_norm", (XN, None, None, Z(4)), {}, V, "weight"),
    Bad("layer_norm", (XN, 4), {}, TE, "normalized_shape"),
    Bad("layer_norm", (XN, (3,)), {}, V, "normalized_shape"),
    Bad("layer_norm", (XN, ()), {}, V, "normalized_shape"),
    Bad("layer_norm", (XN, (1, 2, 3, 4)), {}, V, "normalized_shape"),
    Bad("layer_norm", (XN, (4,), Z(3)), {}, V, "weight"),
    Bad("layer_norm", (XN, (3, 4), None, Z(4)), {}, V, "bias"),
    Bad("layer_norm", (XN, (4,)), dict(eps="small"), TE, "eps"),
    Bad("group_norm", (Z(2, 6, 4), 4), {}, V, "num_groups"),
    Bad("group_norm", (Z(2, 6, 4), 0), {}, V, "num_groups"),
    Bad("group_norm", (Z(2, 6, 4), 2.0), {}, TE, "num_groups"),
    Bad("group_norm", (Z(6), 2), {}, V, "input"),
    Bad("group_norm", (Z(1, 2), 2), {}, V, "input"),
    Bad("group_norm", (Z(2, 6, 4), 3, Z(3)), {}, V, "weight"),
    Bad("dropout", (Z(3),), dict(p=1.5), V, "p"),
    Bad("dropout", (Z(3),), dict(p=-0.1), V, "p"),
    Bad("dropout", (Z(3),), dict(p="0.5"), TE, "p"),
    Bad("dropout", (Z(3),), dict(p=True), TE, "p"),
    Bad("dropout", (Z(3),), dict(training=1), TE, "training"),
    Bad("dropout", (Z(3),), dict(inplace="no"), TE, "inplace"),
    Bad("dropout", (Z(3),), dict(mask=Z(4)), V, "mask"),
    Bad("dropout2d", (Z(2, 3),), {}, V, "input"),
    Bad("dropout2d", (Z(2, 3, 4, 5, 6),), dict(training=False), V,
        "input"),
    Bad("dropout2d", (Z(2, 3, 4, 4),), dict(mask=Z(2, 3)), V, "mask"),
    Bad("dropout2d", (Z(2, 3, 4, 4),), dict(mask=Z(2, 3, 4, 4)), V,
        "mask"),
]


def _block_params(cin, cout, mid=None, projection=False):
    """Zero parameters of a basic block (or a bottleneck with `mid`)."""
    convs = ([("conv1", cout, cin, 3), ("conv2", cout, cout, 3)]
             if mid is None else
             [("conv1", mid, cin, 1), ("conv2", mid, mid, 3),
              ("conv3", cout, mid, 1)])
    params = {}
    for i, (name, out, inp, k) in enumerate(convs, 1):
        params[name + ".weight"] = Z(out, inp, k, k)
        for key in ("weight", "bias", "running_mean", "running_var"):
            params[f"bn{i}.{key}"] = Z(out)
    if projection:
        params["downsample.0.weight"] = Z(cout, cin, 1, 1)
        for key in ("weight", "bias", "running_mean", "running_var"):
            params[f"downsample.1.{key}"] = Z(cout)
    return params


XB, PB = Z(2, 2, 4, 4), _block_params(2, 2)
BLOCKS = [
    Bad("basic_block", (XB, PB), dict(stride=2), V, "stride"),
    Bad("basic_block", (XB, PB), dict(stride=0), V, "stride"),
    Bad("basic_block", (XB, PB), dict(training="yes"), TE, "training"),
    Bad("basic_block", (Z(2, 3, 4, 4), PB), {}, V, "conv1.weight"),
    Bad("basic_block", (XB, _block_params(2, 3)), {}, V, "shortcut"),
    Bad("basic_block", (XB, dict(PB, extra=Z(1))), {}, V, "extra"),
    Bad("basic_block", (XB, {k: v for k, v in PB.items()
                             if k != "bn2.running_var"}), {}, V,
        "bn2.running_var"),
    Bad("basic_block", (XB, dict(PB, **{"bn1.bias": Z(3)})), {}, V,
        "bn1.bias"),
    Bad("basic_block", (XB, [PB]), {}, TE, "params"),
    Bad("basic_block", (Z(2, 2, 4), PB), {}, V, "input"),
    Bad("basic_block", (Z(1, 2, 1, 1), PB), dict(training=True), V,
        "input"),
    Bad("basic_block", (XB, dict(_block_params(2, 4, projection=True),
                                 **{"downsample.0.weight": Z(4, 2, 3, 3)})),
        dict(stride=2), V, "downsample.0.weight"),
    Bad("bottleneck_block", (XB, _block_params(2, 2, mid=2)),
        dict(groups=2), V, "conv2.weight"),
    Bad("bottleneck_block", (XB, _block_params(2, 2, mid=2)),
        dict(groups=1.0), TE, "groups"),
]
OPS = CONV + TRANSPOSE + POOL + ADAPTIVE + OTHER + NORM + BLOCKS

S = "convlib.shapes"
SHAPES = [
    (S, "conv_output_size", (-1,), dict(kernel_size=3), V, "input_size"),
    (S, "conv_output_size", ("5",), dict(kernel_size=3), TE, "input_size"),
    (S, "conv_output_size", (5,), dict(kernel_size=2.0), TE,
     "kernel_size"),
    (S, "conv_output_size", ((5, 5),), dict(kernel_size=(3, 3, 3)), V,
     "kernel_size"),
    (S, "conv_output_size", (5,), dict(kernel_size=3, dilation=-1), V,
     "dilation"),
    (S, "conv_transpose_output_size", (1,), dict(kernel_size=1, padding=1),
     V, "padding"),
    (S, "pool_output_size", (5,), dict(kernel_size=3, stride=-1), V,
     "stride"),
    (S, "receptive_field", ([{"stride": 2}],), {}, V, "kernel_size"),
    (S, "receptive_field", ([object()],), {}, TE, "layers"),
    (S, "hdc_m_chain", ([1, 2, 0],), {}, V, "rates"),
    (S, "hdc_m_chain", ([1, 2],), dict(kernel_size=0), V, "kernel_size"),
    (S, "coverage", ([1, 2.5],), {}, TE, "rates"),
    (S, "count_params", ("conv2d",),
     dict(in_channels=3, out_channels=4, kernel_size=3, groups=2), V,
     "groups"),
    (S, "count_params", ("conv2d",),
     dict(in_channels=-3, out_channels=4, kernel_size=3), V,
     "in_channels"),
    (S, "count_flops", ("conv2d", 2),
     dict(in_channels=1, out_channels=1, kernel_size=3), V, "kernel_size"),
    (S, "count_params", ("group_norm",),
     dict(num_groups=4, num_channels=6), V, "num_groups"),
    (S, "count_params", ("batch_norm",), dict(num_features=0), V,
     "num_features"),
    (S, "count_params", ("instance_norm",),
     dict(num_features=3, affine=1), TE, "affine"),
    (S, "count_params", ("layer_norm",), dict(normalized_shape="4"), TE,
     "normalized_shape"),
    (S, "count_params", ("dropout",), dict(p=2), V, "p"),
    (S, "count_params", ("basic_block",), dict(in_channels=3), TE,
     "out_channels"),
    (S, "count_params", ("bottleneck_block",),
     dict(in_channels=4, out_channels=6), V, "mid_channels"),
    (S, "count_flops", ("basic_block",),
     dict(in_channels=4, out_channels=4), V, "input_size"),
    (S, "count_flops", ("basic_block", 8),
     dict(in_channels=4, out_channels=4, stride=0), V, "stride"),
]


def _tensor(value):
    """Arrays as tensors (integers as int64), also in a dict (a block's
    params); other values unchanged."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "fi":
        return torch.from_numpy(value.copy())
    if isinstance(value, dict):
        return {k: _tensor(v) for k, v in value.items()}
    return value


def _for_form(form, row):
    """(args, kwargs) of `row` as form `form` takes them."""
    if form != "torch":
        return row.args, row.kwargs
    return ([_tensor(a) for a in row.args],
            {k: _tensor(v) for k, v in row.kwargs.items()})


def _cases():
    """(form, function name, row) for every form that has the function;
    numpy's `*_backward` too, with a grad_output that is never looked
    at (the arguments are checked first)."""
    for row in OPS:
        for form, module in FORMS.items():
            if hasattr(module, row.function):
                yield form, row.function, row
            backward = row.function + "_backward"
            if (form != "torch" and hasattr(module, backward)
                    and row not in OTHER):
                yield form, backward, row


CASES = list(_cases())


def _check(call, name, error, argument):
    with pytest.raises(Exception) as info:
        call()
    assert isinstance(info.value, error), (
        f"expected {error.__name__}, got "
        f"{type(info.value).__name__}: {info.value}")
    message = str(info.value)
    assert message.startswith(name + ":"), (
        f"message should start with {name!r}: {message}")
    assert argument in message, (
        f"message should name {argument!r}: {message}")


def test_table_covers_every_form_and_family():
    forms = {form for form, _, _ in CASES}
    assert forms == set(FORMS)
    for family in (CONV, TRANSPOSE, POOL, ADAPTIVE, NORM, BLOCKS):
        for row in family:  # numpy and torch have every op of the table
            assert {f for f, _, r in CASES if r is row} >= {"numpy",
                                                            "torch"}
    for row in NORM:  # and the loops have every norm and dropout
        assert "naive" in {f for f, _, r in CASES if r is row}
    naive = {name for form, name, _ in CASES if form == "naive"}
    assert naive >= {"conv1d", "conv2d", "conv2d_backward",
                     "conv_transpose2d", "max_pool2d", "avg_pool2d",
                     "batch_norm_backward"}
    assert len(CASES) + len(SHAPES) >= 150


@pytest.mark.parametrize(
    "form, name, row", CASES,
    ids=[f"{form}.{name}-{row.argument}-{i}"
         for i, (form, name, row) in enumerate(CASES)])
def test_every_form_refuses_the_bad_call(form, name, row):
    function = getattr(FORMS[form], name)
    args, kwargs = _for_form(form, row)
    if name.endswith("_backward"):
        args = (np.zeros(1),) + tuple(args)
        if name.startswith("fractional"):  # required by the backward
            kwargs = dict(dict(_random_samples=np.full((1, 1, 2), 0.5)),
                          **kwargs)
    _check(lambda: function(*args, **kwargs), name, row.error,
           row.argument)


def _message(form, row):
    """'<Error>: <message>' of `row` called in `form`."""
    args, kwargs = _for_form(form, row)
    with pytest.raises(Exception) as info:
        getattr(FORMS[form], row.function)(*args, **kwargs)
    return f"{type(info.value).__name__}: {info.value}"


def _names_the_array_type(row):
    """Rows whose mistake is the array's own type or dtype: each form
    names its own (ndarray or Tensor)."""
    return row.error is TE and row.argument in ("input", "indices")


# naive's linear still checks its arguments itself (convlib/naive.py
# is being reworked in another branch; it should call _args.linear_args)
NAIVE_OWN_WORDS = {"linear"}


@pytest.mark.parametrize("row", OPS, ids=[f"{r.function}-{r.argument}-{i}"
                                          for i, r in enumerate(OPS)])
def test_every_form_words_the_refusal_alike(row):
    """One argument layer: the forms refuse a bad call in one sentence."""
    forms = [form for form, module in FORMS.items()
             if hasattr(module, row.function)
             and not (form == "naive" and row.function in NAIVE_OWN_WORDS)]
    if _names_the_array_type(row):
        forms = [form for form in forms if form != "torch"]
    messages = {form: _message(form, row) for form in forms}
    assert len(set(messages.values())) == 1, messages


SIZE_ROWS = [row for row in OPS if row.size is not None]


@pytest.mark.parametrize("row", SIZE_ROWS,
                         ids=[r.size.function for r in SIZE_ROWS])
def test_shapes_refuses_the_same_mistake(row):
    size = row.size
    function = getattr(convlib.shapes, size.function)
    argument = "kernel_size" if row.argument == "weight" else row.argument
    _check(lambda: function(*size.args, **size.kwargs), size.function,
           row.error, argument)


@pytest.mark.parametrize("row", SHAPES, ids=[f"{r[1]}-{r[5]}"
                                             for r in SHAPES])
def test_shapes_refuses_bad_calls(row):
    module, name, args, kwargs, error, argument = row
    function = getattr(importlib.import_module(module), name)
    _check(lambda: function(*args, **kwargs), name, error, argument)


# ----------------------------------- calls torch accepts: every form too

R = np.random.default_rng(0)
XR = R.standard_normal((2, 3, 7, 6))
ACCEPTED = [
    # stride=() means the default (kernel_size), as in torch's pooling
    ("max_pool2d", (XR, 2), dict(stride=())),
    ("avg_pool2d", (XR, 3), dict(stride=(), padding=1)),
    # a negative divisor: torch only refuses 0
    ("avg_pool2d", (XR, 2), dict(divisor_override=-2)),
    # dilated windows lying wholly in the padding: -inf, as torch
    ("max_pool1d", (R.standard_normal((1, 2, 1)), 2),
     dict(stride=1, padding=1, dilation=2, return_indices=True)),
    ("max_pool2d", (R.standard_normal((1, 2, 1, 3)), 2),
     dict(padding=1, dilation=2, return_indices=True)),
    # an LP norm of NaN gives NaN
    ("lp_pool2d", (XR, float("nan"), 2), {}),
    # a 'valid' string and a 1-tuple broadcast, as torch
    ("conv2d", (XR, R.standard_normal((4, 3, 3, 2))),
     dict(padding="valid", stride=(2,))),
    # no running statistics in training mode; an int momentum; eps 0
    ("batch_norm", (XR, None, None), dict(training=True)),
    ("batch_norm", (XR, np.zeros(3), np.ones(3)),
     dict(training=True, momentum=1)),
    ("batch_norm", (XR, np.zeros(3), np.ones(3)), dict(eps=0)),
    ("instance_norm", (XR,), dict(eps=0)),
    ("instance_norm", (XR,), dict(momentum=0)),
    # normalized_shape as a list; a single group; one channel per group
    ("layer_norm", (XR, [7, 6]), {}),
    ("group_norm", (XR, 1), {}),
    ("group_norm", (XR, 3), dict(eps=0.5)),
    # p = 0, p = 1 and evaluation mode are deterministic
    ("dropout", (XR,), dict(p=0.0)),
    ("dropout", (XR,), dict(p=1)),
    ("dropout2d", (XR,), dict(p=0.3, training=False)),
]


def _as_numpy(result):
    if isinstance(result, tuple):
        return tuple(_as_numpy(r) for r in result)
    if isinstance(result, torch.Tensor):
        return result.detach().numpy()
    return np.asarray(result)


ACCEPTED_CASES = [(form, case) for case in ACCEPTED for form in FORMS
                  if hasattr(FORMS[form], case[0])]


@pytest.mark.parametrize("form, case", ACCEPTED_CASES,
                         ids=[f"{f}.{c[0]}-{i}" for i, (f, c)
                              in enumerate(ACCEPTED_CASES)])
def test_every_form_accepts_what_torch_accepts(form, case):
    name, args, kwargs = case
    function = getattr(FORMS[form], name)
    row = Bad(name, args, kwargs, None, None)
    want = _as_numpy(getattr(F, name)(*_for_form("torch", row)[0],
                                      **_for_form("torch", row)[1]))
    got = _as_numpy(function(*_for_form(form, row)[0],
                             **_for_form(form, row)[1]))
    for g, w in zip(got if isinstance(got, tuple) else (got,),
                    want if isinstance(want, tuple) else (want,)):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12,
                                   equal_nan=True)


def test_remembered_checks_keep_types_apart():
    """The argument layer remembers checked calls by value; a bool or a
    float that equals a remembered int must still be refused, and a
    NumPy integer or a list still accepted, each exactly as if nothing
    were remembered."""
    x, w = Z(1, 1, 5, 5), Z(1, 1, 3, 3)
    for _ in range(2):  # the second round is answered from memory
        assert convlib.numpy.conv2d(x, w, stride=1).shape == (1, 1, 3, 3)
        assert convlib.numpy.conv2d(x, w, stride=(1, 1)).shape == (
            1, 1, 3, 3)
        for stride in (True, 1.0, (1, True)):
            with pytest.raises(TypeError, match="stride"):
                convlib.numpy.conv2d(x, w, stride=stride)
        for stride in (np.int64(1), [1, 1]):
            assert convlib.numpy.conv2d(x, w, stride=stride).shape == (
                1, 1, 3, 3)
