"""Residual blocks against torch.nn modules, and ResNet's counts.

convlib.numpy's and convlib.torch's `basic_block` and
`bottleneck_block` run on a torch block's state_dict and must give its
output, its gradients (input and every weight and bias) and its running
statistics after a training-mode call, in float64, over hypothesis-drawn
channels, strides, groups, sizes and modes. The blocks are
`tests/_resnet.py`'s rebuild of torchvision's from torch.nn layers;
ResNet-18/50 built from them have torchvision's published parameter
counts and MACs, and so do `convlib.shapes`' counts.
"""
import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st
from torch.utils.flop_counter import FlopCounterMode

import convlib.numpy as N
import convlib.torch as ct
from convlib.shapes import count_flops, count_params
from _resnet import (PUBLISHED, BasicBlock, Bottleneck, layer_list,
                     randomise, resnet)

TOL = dict(rtol=1e-9, atol=1e-10)


@st.composite
def block_case(draw):
    """A randomised torch block, its input and the call's settings."""
    kind = draw(st.sampled_from(["basic_block", "bottleneck_block"]))
    stride = draw(st.integers(1, 2))
    cin = draw(st.integers(1, 4))
    groups = 1
    if kind == "basic_block":
        cout = draw(st.sampled_from([cin, draw(st.integers(1, 4))]))
        module = BasicBlock(cin, cout, stride)
    else:
        groups = draw(st.integers(1, 2))
        mid = groups * draw(st.integers(1, 2))
        cout = draw(st.sampled_from([cin, 4 * draw(st.integers(1, 2))]))
        module = Bottleneck(cin, cout, stride, mid, groups)
    seed = draw(st.integers(0, 2 ** 31))
    gen = torch.Generator().manual_seed(seed)
    module = randomise(module.double(), gen)
    size = (draw(st.integers(1, 5)), draw(st.integers(1, 5)))
    batch = draw(st.integers(2, 3))
    x = torch.randn((batch, cin) + size, generator=gen, dtype=torch.float64)
    settings = dict(stride=stride, training=draw(st.booleans()),
                    momentum=draw(st.sampled_from([0.1, 0.5])))
    for m in module.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.momentum = settings["momentum"]
    if kind == "bottleneck_block":
        settings["groups"] = groups
    return kind, module, x, settings


def _run_module(module, x, training, seed):
    """The torch block's output, input gradient and parameter gradients
    for a random grad_output, and its state after the call."""
    module.train(training)
    x = x.clone().requires_grad_()
    out = module(x)
    grad = torch.randn(out.shape, dtype=out.dtype,
                       generator=torch.Generator().manual_seed(seed))
    out.backward(grad)
    grads = {k: p.grad for k, p in module.named_parameters()}
    return out.detach(), grad, x.grad, grads, module.state_dict()


def _numpy_state(module):
    return {k: v.detach().numpy().copy()
            for k, v in module.state_dict().items()}


@settings(max_examples=15)  # a whole block per example
@given(case=block_case())
def test_numpy_block_matches_torch_module(case):
    kind, module, x, settings = case
    params = _numpy_state(module)
    ours = getattr(N, kind)(x.numpy(), params, **settings)
    out, grad, grad_x, grads, state = _run_module(
        module, x, settings["training"], seed=1)
    np.testing.assert_allclose(ours, out.numpy(), **TOL)
    for key, value in state.items():  # running statistics updated alike
        np.testing.assert_allclose(params[key], value.numpy(), **TOL,
                                   err_msg=key)
    got_x, got = getattr(N, kind + "_backward")(grad.numpy(), x.numpy(),
                                                params, **settings)
    np.testing.assert_allclose(got_x, grad_x.numpy(), **TOL)
    assert set(got) == set(grads)
    for key, value in grads.items():
        np.testing.assert_allclose(got[key], value.numpy(), **TOL,
                                   err_msg=key)


@settings(max_examples=15)  # a whole block per example
@given(case=block_case())
def test_torch_block_matches_torch_module(case):
    kind, module, x, settings = case
    params = {k: v.detach().clone().requires_grad_(v.is_floating_point()
                                                   and "running" not in k)
              for k, v in module.state_dict().items()}
    mine = x.clone().requires_grad_()
    ours = getattr(ct, kind)(mine, params, **settings)
    out, grad, grad_x, grads, state = _run_module(
        module, x, settings["training"], seed=2)
    torch.testing.assert_close(ours, out, **TOL)
    ours.backward(grad)
    torch.testing.assert_close(mine.grad, grad_x, **TOL)
    for key, value in grads.items():
        torch.testing.assert_close(params[key].grad, value, **TOL)
    for key, value in state.items():
        torch.testing.assert_close(params[key].detach(), value, **TOL)


def test_backward_does_not_update_running_statistics():
    module = randomise(BasicBlock(2, 3, 2).double(),
                       torch.Generator().manual_seed(0))
    params = _numpy_state(module)
    before = {k: v.copy() for k, v in params.items()}
    x = np.random.default_rng(0).standard_normal((2, 2, 4, 4))
    N.basic_block_backward(np.ones((2, 3, 2, 2)), x, params, stride=2,
                           training=True)
    for key, value in params.items():
        np.testing.assert_array_equal(value, before[key])
    N.basic_block(x, params, stride=2, training=True)
    assert not np.array_equal(params["bn1.running_mean"],
                              before["bn1.running_mean"])


def test_identity_block_adds_its_input():
    """A branch whose last batch norm has weight and bias 0 gives
    relu(0 + x): the block starts as the identity on x >= 0 (the
    zero-init trick of Goyal et al. 2017 that torchvision offers)."""
    module = randomise(BasicBlock(3, 3).double(),
                       torch.Generator().manual_seed(1))
    params = _numpy_state(module)
    params["bn2.weight"][:] = 0
    params["bn2.bias"][:] = 0
    x = np.abs(np.random.default_rng(1).standard_normal((2, 3, 4, 4)))
    np.testing.assert_allclose(N.basic_block(x, params), x, atol=1e-15)


def test_torch_block_passes_gradcheck():
    module = randomise(Bottleneck(2, 4, 2, 2).double(),
                       torch.Generator().manual_seed(3))
    state = {k: v.detach().clone() for k, v in module.state_dict().items()}
    learn = [k for k, _ in module.named_parameters()]
    x = torch.randn(2, 2, 3, 3, dtype=torch.float64,
                    generator=torch.Generator().manual_seed(4))

    def fn(x, *values):
        params = dict(state, **dict(zip(learn, values)))
        return ct.bottleneck_block(x, params, stride=2, training=True)
    inputs = [x.requires_grad_()] + [
        state[k].clone().requires_grad_() for k in learn]
    assert torch.autograd.gradcheck(fn, inputs, eps=1e-6, atol=1e-5)


# ------------------------------------------------------- ResNet's counts

def _params_only(layers):
    return [(name, {k: v for k, v in kw.items() if k != "input_size"})
            for name, kw in layers]


@pytest.mark.parametrize("depth", sorted(PUBLISHED))
def test_resnet_counts_equal_torchvisions(depth):
    """count_params and count_flops over ResNet-18/50's layers equal the
    torch.nn rebuild's parameters and torch's FLOP counter (convolutions
    and matrix products, / 2 for MACs), and torchvision's published
    num_params and GFLOPS (its "_ops", MACs in 1e9, rounded to 3
    decimals) for a 224 x 224 input."""
    params, gmacs = PUBLISHED[depth]
    model = resnet(depth, device="meta")
    with FlopCounterMode(display=False) as counter:
        model(torch.empty(1, 3, 224, 224, device="meta"))
    assert sum(p.numel() for p in model.parameters()) == params
    layers = layer_list(depth)
    assert count_params(_params_only(layers)) == params
    macs = count_flops(layers)
    assert macs == counter.get_total_flops() // 2
    assert round(macs / 1e9, 3) == gmacs


@pytest.mark.parametrize("kind, kwargs, module", [
    ("basic_block", dict(in_channels=64, out_channels=64),
     BasicBlock(64, 64)),
    ("basic_block", dict(in_channels=64, out_channels=128, stride=2),
     BasicBlock(64, 128, 2)),
    ("bottleneck_block", dict(in_channels=256, out_channels=256),
     Bottleneck(256, 256)),
    ("bottleneck_block", dict(in_channels=256, out_channels=512,
                              stride=2), Bottleneck(256, 512, 2)),
    ("bottleneck_block", dict(in_channels=64, out_channels=256),
     Bottleneck(64, 256)),
    ("bottleneck_block", dict(in_channels=256, out_channels=256,
                              mid_channels=128, groups=32),
     Bottleneck(256, 256, 1, 128, 32)),  # ResNeXt-50 32x4d's first
])
def test_block_counts_equal_the_modules(kind, kwargs, module):
    assert count_params(kind, **kwargs) == sum(
        p.numel() for p in module.parameters())
    with FlopCounterMode(display=False) as counter:
        module.to("meta")(torch.empty(1, kwargs["in_channels"], 56, 56,
                                      device="meta"))
    assert count_flops(kind, 56, **kwargs) == \
        counter.get_total_flops() // 2
