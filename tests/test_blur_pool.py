"""Blur pooling (Zhang 2019): convlib.numpy and convlib.torch against torch.

torch has no blur pool, so the reference is written here from torch's
own ops as antialiased-cnns' ``BlurPool`` is: ``F.pad`` by
``(k - 1) // 2`` before and ``k // 2`` after, then a depthwise
``F.conv2d`` with the binomial filter, built here by repeated
convolution with [1, 1] (not by convlib's formula), and checked
against the filter table of antialiased-cnns. Forward and gradients in
float64 over the argument space (hypothesis); the torch form against
the NumPy form and gradcheck; bad calls refused alike by every form.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st

import convlib.numpy as cnp
import convlib.torch as ct
from convlib import _args

from _compare import compare_with_torch

# antialiased-cnns' filters (blurpool.py), before normalising
TABLE = {1: [1], 2: [1, 1], 3: [1, 2, 1], 4: [1, 3, 3, 1],
         5: [1, 4, 6, 4, 1], 6: [1, 5, 10, 10, 5, 1],
         7: [1, 6, 15, 20, 15, 6, 1]}
PAD = {"zeros": "constant", "reflect": "reflect",
       "replicate": "replicate", "circular": "circular"}


def _binomial(k):
    row = np.array([1.0])
    for _ in range(k - 1):
        row = np.convolve(row, [1.0, 1.0])
    return row


def reference(x, kernel_size=3, stride=2, padding_mode="reflect"):
    """Blur pooling from torch's pad and conv2d (tensors in, out)."""
    kh, kw = (kernel_size,) * 2 if np.isscalar(kernel_size) else kernel_size
    unbatched = x.dim() == 3
    x = x[None] if unbatched else x
    f = np.outer(_binomial(kh), _binomial(kw))
    weight = torch.from_numpy(f / f.sum()).to(x.dtype)
    padded = F.pad(x, [(kw - 1) // 2, kw // 2, (kh - 1) // 2, kh // 2],
                   mode=PAD[padding_mode])
    out = F.conv2d(padded, weight.expand(x.shape[1], 1, kh, kw),
                   stride=stride, groups=x.shape[1])
    return out[0] if unbatched else out


def test_the_filter_is_antialiased_cnns_binomial():
    for k, row in TABLE.items():
        want = np.outer(row, row) / np.sum(row) ** 2
        np.testing.assert_allclose(_args.blur_filter((k, k)), want,
                                   rtol=1e-15)
        np.testing.assert_allclose(_binomial(k), row)
    np.testing.assert_allclose(_args.blur_filter((1, 3)),
                               [[0.25, 0.5, 0.25]])


@st.composite
def calls(draw):
    kh, kw = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    kernel = draw(st.sampled_from([kh, (kh, kw)]))
    kw = kh if kernel == kh else kw
    mode = draw(st.sampled_from(sorted(PAD)))
    least = {"reflect": max(kh, kw) // 2 + 1}.get(mode, 1)
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 3)),
             draw(st.integers(max(least, kh // 2), 9)),
             draw(st.integers(max(least, kw // 2), 9)))
    if draw(st.booleans()):
        shape = shape[1:]
    stride = draw(st.sampled_from([1, 2, 3, (2, 1), (1, 3)]))
    x = np.random.default_rng(list(shape)).standard_normal(shape)
    return x, dict(kernel_size=kernel, stride=stride, padding_mode=mode)


@given(calls())
def test_numpy_forward_and_backward_equal_torch(call):
    x, kwargs = call
    out = compare_with_torch(cnp.blur_pool2d, reference, [x], kwargs,
                             backward=cnp.blur_pool2d_backward)
    stride = kwargs["stride"]
    sh, sw = (stride, stride) if np.isscalar(stride) else stride
    assert out.shape[-2:] == (-(-x.shape[-2] // sh), -(-x.shape[-1] // sw))


@given(calls())
def test_torch_form_and_its_gradients_equal_numpy(call):
    x, kwargs = call
    compare_with_torch(cnp.blur_pool2d, ct.blur_pool2d, [x], kwargs,
                       backward=cnp.blur_pool2d_backward)


def test_torch_form_passes_gradcheck():
    x = torch.randn(1, 2, 6, 5, dtype=torch.float64, requires_grad=True)
    for mode in PAD:
        assert torch.autograd.gradcheck(
            lambda t: ct.blur_pool2d(t, (3, 4), 2, mode), (x,))


def test_float32_stays_float32():
    x = np.random.default_rng(0).standard_normal((1, 2, 8, 8), np.float32)
    assert cnp.blur_pool2d(x).dtype == np.float32
    compare_with_torch(cnp.blur_pool2d, reference, [x],
                       dict(kernel_size=4), dtype=np.float32,
                       backward=cnp.blur_pool2d_backward)


def test_max_blur_pool_keeps_circular_equivariance_at_the_stride():
    """Max at stride 1, then a circular blur pool: shifting the input by
    the stride shifts the output by one cell exactly (Zhang's set-up)."""
    x = np.random.default_rng(1).standard_normal((2, 3, 8, 8))

    def max_blur(x):
        wrapped = np.pad(x, ((0, 0), (0, 0), (0, 1), (0, 1)), mode="wrap")
        return cnp.blur_pool2d(cnp.max_pool2d(wrapped, 2, stride=1), 3, 2,
                               "circular")
    moved = max_blur(np.roll(x, 2, axis=-1))
    np.testing.assert_allclose(moved, np.roll(max_blur(x), 1, axis=-1),
                               rtol=1e-12)


BAD = [
    ((np.zeros((4, 4)),), {}, ValueError, "input"),
    ((np.zeros((1, 1, 4, 4)),), dict(kernel_size=0), ValueError,
     "kernel_size"),
    ((np.zeros((1, 1, 4, 4)),), dict(kernel_size=2.5), TypeError,
     "kernel_size"),
    ((np.zeros((1, 1, 4, 4)),), dict(stride=(1, 2, 3)), ValueError,
     "stride"),
    ((np.zeros((1, 1, 4, 4)),), dict(padding_mode="wrap"), ValueError,
     "padding_mode"),
    ((np.zeros((1, 1, 4, 4)),), dict(padding_mode=None), TypeError,
     "padding_mode"),
    ((np.zeros((1, 1, 2, 4)),), dict(kernel_size=5), ValueError,
     "padding_mode='reflect' needs an input with more than 2 cells"),
    ((np.zeros((1, 1, 4, 1)),), dict(kernel_size=5,
                                      padding_mode="circular"),
     ValueError, "padding_mode='circular' needs an input with at least 2"),
]


@pytest.mark.parametrize("args, kwargs, error, words", BAD)
def test_every_form_refuses_a_bad_call_alike(args, kwargs, error, words):
    messages = set()
    calls = [(cnp.blur_pool2d, args), (ct.blur_pool2d, (
        torch.from_numpy(args[0]),)), (cnp.blur_pool2d_backward,
                                      (np.zeros(1),) + args)]
    for function, given_args in calls:
        with pytest.raises(error) as info:
            function(*given_args, **kwargs)
        message = str(info.value)
        assert message.startswith(function.__name__ + ":"), message
        assert words in message, message
        messages.add(message.split(":", 1)[1])
    if words != "input":  # each form names its own array type
        assert len(messages) == 1, messages


def test_backward_refuses_a_grad_of_the_wrong_shape():
    with pytest.raises(ValueError, match="^blur_pool2d_backward: "
                       "grad_output"):
        cnp.blur_pool2d_backward(np.zeros((1, 1, 3, 3)),
                                 np.zeros((1, 1, 8, 8)))
