"""The bad-input table: every convlib module refuses bad calls clearly.

Each row is one bad call. It must raise the listed exception type (a
ValueError for a bad value, a TypeError for a bad type -- never a bare
numpy/torch error or an assert), the message must start with the
function's name and must name the offending argument.
"""
import importlib
from collections import namedtuple

import numpy as np
import pytest
import torch

Bad = namedtuple("Bad", "module function args kwargs error argument")


def Z(*shape):
    """A NumPy array of zeros (float64)."""
    return np.zeros(shape)


def T(*shape):
    """A torch tensor of zeros (float64)."""
    return torch.zeros(shape, dtype=torch.float64)


S, N = "convlib.shapes", "convlib.naive"
V = ValueError
TE = TypeError

SHAPES = [
    Bad(S, "conv_output_size", (-1,), dict(kernel_size=3), V, "input_size"),
    Bad(S, "conv_output_size", ("5",), dict(kernel_size=3), TE,
        "input_size"),
    Bad(S, "conv_output_size", (5,), dict(kernel_size=0), V, "kernel_size"),
    Bad(S, "conv_output_size", (5,), dict(kernel_size=2.0), TE,
        "kernel_size"),
    Bad(S, "conv_output_size", ((5, 5),), dict(kernel_size=(3, 3, 3)), V,
        "kernel_size"),
    Bad(S, "conv_output_size", (2,), dict(kernel_size=3), V, "kernel_size"),
    Bad(S, "conv_output_size", (5,), dict(kernel_size=3, stride=0), V,
        "stride"),
    Bad(S, "conv_output_size", (5,), dict(kernel_size=3, dilation=-1), V,
        "dilation"),
    Bad(S, "conv_output_size", (5,), dict(kernel_size=3, padding="full"),
        V, "padding"),
    Bad(S, "conv_output_size", (5,), dict(kernel_size=3, padding="same",
                                          stride=2), V, "padding"),
    Bad(S, "conv_output_size", (5,), dict(kernel_size=3, padding=-2), V,
        "padding"),
    Bad(S, "conv_transpose_output_size", (3,),
        dict(kernel_size=3, stride=2, output_padding=2), V,
        "output_padding"),
    Bad(S, "conv_transpose_output_size", (1,),
        dict(kernel_size=1, padding=1), V, "padding"),
    Bad(S, "pool_output_size", (5,), dict(kernel_size=2, padding=2), V,
        "padding"),
    Bad(S, "pool_output_size", (5,), dict(kernel_size=3, stride=-1), V,
        "stride"),
    Bad(S, "pool_output_size", (5,), dict(kernel_size=3, ceil_mode="yes"),
        TE, "ceil_mode"),
    Bad(S, "receptive_field", ([{"stride": 2}],), {}, V, "kernel_size"),
    Bad(S, "receptive_field", ([object()],), {}, TE, "layers"),
    Bad(S, "hdc_m_chain", ([1, 2, 0],), {}, V, "rates"),
    Bad(S, "hdc_m_chain", ([1, 2],), dict(kernel_size=0), V,
        "kernel_size"),
    Bad(S, "coverage", ([1, 2.5],), {}, TE, "rates"),
    Bad(S, "count_params", ("conv2d",),
        dict(in_channels=3, out_channels=4, kernel_size=3, groups=2), V,
        "groups"),
    Bad(S, "count_params", ("conv2d",),
        dict(in_channels=-3, out_channels=4, kernel_size=3), V,
        "in_channels"),
    Bad(S, "count_flops", ("conv2d", 2),
        dict(in_channels=1, out_channels=1, kernel_size=3), V,
        "kernel_size"),
]

NAIVE = [
    Bad(N, "conv2d", (Z(5, 5), Z(1, 1, 3, 3)), {}, V, "input"),
    Bad(N, "conv2d", (Z(1, 3, 5, 5), Z(2, 2, 3, 3)), {}, V, "weight"),
    Bad(N, "conv2d", (Z(1, 3, 5, 5), Z(2, 1, 3, 3)), dict(groups=2), V,
        "groups"),
    Bad(N, "conv2d", (Z(1, 1, 2, 2), Z(1, 1, 3, 3)), {}, V, "weight"),
    Bad(N, "conv2d", (Z(1, 1, 5, 5), Z(1, 1, 3, 3)), dict(padding="full"),
        V, "padding"),
    Bad(N, "conv2d", (Z(1, 1, 5, 5), Z(1, 1, 3, 3)), dict(stride=0), V,
        "stride"),
    Bad(N, "conv2d", (Z(1, 1, 5, 5), Z(2, 1, 3, 3), Z(3)), {}, V, "bias"),
    Bad(N, "conv2d", (np.array([[["a"]]]), Z(1, 1, 1, 1)), {}, TE,
        "input"),
    Bad(N, "conv1d", (Z(1, 1, 5), Z(1, 1, 3)), dict(dilation=1.5), TE,
        "dilation"),
    Bad(N, "conv1d", (Z(1, 1, 1, 5), Z(1, 1, 3)), {}, V, "input"),
    Bad(N, "conv2d_backward", (Z(1, 1, 2, 2), Z(1, 1, 5, 5),
                               Z(1, 1, 3, 3)), {}, V, "grad_output"),
    Bad(N, "conv_transpose2d", (Z(1, 2, 3, 3), Z(2, 1, 3, 3)),
        dict(stride=2, output_padding=2), V, "output_padding"),
    Bad(N, "conv_transpose2d", (Z(1, 2, 3, 3), Z(3, 1, 3, 3)), {}, V,
        "weight"),
    Bad(N, "max_pool2d", (Z(1, 1, 5, 5), 2), dict(padding=2), V,
        "padding"),
    Bad(N, "max_pool2d", (Z(1, 1, 2, 2), 3), {}, V, "kernel_size"),
    Bad(N, "max_pool2d", (Z(5), 2), {}, V, "input"),
    Bad(N, "avg_pool2d", (Z(1, 1, 4, 4), 2), dict(divisor_override=0), V,
        "divisor_override"),
    Bad(N, "avg_pool2d", (Z(1, 1, 4, 4), 2), dict(stride=-1), V, "stride"),
    Bad(N, "linear", (Z(3, 5), Z(4, 6)), {}, V, "weight"),
    Bad(N, "linear", (Z(3, 5), Z(5)), {}, V, "weight"),
]


def _op_rows(module, A):
    """Rows for convlib.numpy (A = Z) or convlib.torch (A = T)."""
    M = module
    return [
        Bad(M, "conv2d", (A(5, 5), A(1, 1, 3, 3)), {}, V, "input"),
        Bad(M, "conv2d", (A(1, 3, 5, 5), A(2, 2, 3, 3)), {}, V, "weight"),
        Bad(M, "conv2d", (A(1, 3, 5, 5), A(2, 1, 3, 3)), dict(groups=2), V,
            "groups"),
        Bad(M, "conv2d", (A(1, 1, 2, 2), A(1, 1, 3, 3)), {}, V, "weight"),
        Bad(M, "conv2d", (A(1, 1, 5, 5), A(1, 1, 3, 3)),
            dict(padding="full"), V, "padding"),
        Bad(M, "conv2d", (A(1, 1, 5, 5), A(1, 1, 3, 3)), dict(padding=-1),
            V, "padding"),
        Bad(M, "conv2d", (A(1, 1, 5, 5), A(1, 1, 3, 3)), dict(stride=1.5),
            TE, "stride"),
        Bad(M, "conv2d", (A(1, 1, 5, 5), A(2, 1, 3, 3), A(3)), {}, V,
            "bias"),
        Bad(M, "conv1d", (A(1, 1, 1, 5), A(1, 1, 3)), {}, V, "input"),
        Bad(M, "conv3d", (A(1, 1, 3, 3, 3), A(1, 1, 3, 3)), {}, V,
            "weight"),
        Bad(M, "conv_transpose2d", (A(1, 2, 3, 3), A(2, 1, 3, 3)),
            dict(stride=2, output_padding=2), V, "output_padding"),
        Bad(M, "conv_transpose2d", (A(1, 2, 3, 3), A(3, 1, 3, 3)), {}, V,
            "weight"),
        Bad(M, "max_pool2d", (A(1, 1, 5, 5), 2), dict(padding=2), V,
            "padding"),
        Bad(M, "max_pool2d", (A(1, 1, 2, 2), 3), {}, V, "kernel_size"),
        Bad(M, "max_pool1d", (A(1, 1, 5), 2), dict(stride=0), V, "stride"),
        Bad(M, "avg_pool2d", (A(1, 1, 5, 5), 2), dict(padding=2), V,
            "padding"),
        Bad(M, "avg_pool2d", (A(1, 1, 4, 4), (2, 2, 2)), {}, V,
            "kernel_size"),
        Bad(M, "adaptive_avg_pool2d", (A(1, 1, 4, 4), -1), {}, V,
            "output_size"),
        Bad(M, "prelu", (A(1, 2, 3, 3), A(3)), {}, V, "weight"),
        Bad(M, "linear", (A(3, 5), A(4, 6)), {}, V, "weight"),
        Bad(M, "channel_shuffle", (A(1, 6, 2, 2), 4), {}, V, "groups"),
        Bad(M, "softmax", (A(2, 3),), dict(dim=5), V, "dim"),
        Bad(M, "max_unpool2d", (A(1, 1, 2, 2), np.zeros((1, 1, 3, 3), int)
                                if A is Z else
                                torch.zeros((1, 1, 3, 3), dtype=torch.long),
                                2), {}, V, "indices"),
        Bad(M, "depthwise_separable_conv2d",
            (A(1, 2, 5, 5), A(2, 1, 3, 3), A(4, 3, 1, 1)), {}, V,
            "pointwise_weight"),
    ]


NUMPY = _op_rows("convlib.numpy", Z) + [
    Bad("convlib.numpy", "avg_pool2d", (Z(1, 1, 4, 4), 2),
        dict(divisor_override=0), V, "divisor_override"),
    Bad("convlib.numpy", "conv2d", (np.array([[["a"]]]), Z(1, 1, 1, 1)),
        {}, TE, "input"),
]
TORCH = _op_rows("convlib.torch", T)
TABLE = SHAPES + NAIVE + NUMPY + TORCH


def _id(row):
    return f"{row.module.split('.')[-1]}.{row.function}-{row.argument}"


def test_table_is_large_enough():
    assert len(TABLE) >= 40
    modules = {row.module for row in TABLE}
    assert modules == {"convlib.shapes", "convlib.naive", "convlib.numpy",
                       "convlib.torch"}


@pytest.mark.parametrize("row", TABLE, ids=[_id(r) for r in TABLE])
def test_bad_call_raises_a_named_error(row):
    function = getattr(importlib.import_module(row.module), row.function)
    with pytest.raises(Exception) as info:
        function(*row.args, **row.kwargs)
    assert isinstance(info.value, row.error), (
        f"expected {row.error.__name__}, got "
        f"{type(info.value).__name__}: {info.value}")
    message = str(info.value)
    assert message.startswith(row.function), (
        f"message should start with {row.function!r}: {message}")
    assert row.argument in message, (
        f"message should name {row.argument!r}: {message}")
