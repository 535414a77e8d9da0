"""ResNet's residual blocks in PyTorch, composed from this package's
`conv2d`, `batch_norm` and `relu`; autograd derives the backward.

Layout, parameter names (torchvision's state_dict names) and checks are
`convlib._args.residual`'s, shared with `convlib.numpy.residual`; in
training mode the running statistics in `params` are updated in place
(and a ``num_batches_tracked`` entry counted up), as the module's
buffers are.
"""
from collections.abc import Mapping

import torch

from .._args import block_layout
from ._common import _check_input, _check_tensor
from .activations import relu
from .conv import conv2d
from .norm import batch_norm

__all__ = ["basic_block", "bottleneck_block"]


def _layout(fn, kind, input, params, stride, groups, training):
    _check_input(input, fn)
    shapes = params  # not a mapping: block_layout says so
    if isinstance(params, Mapping):
        shapes = {k: tuple(_check_tensor(v, f"params[{k!r}]", fn).shape)
                  for k, v in params.items()}
    return block_layout(fn, kind, tuple(input.shape), shapes, stride,
                        groups, training)


def _run(steps, x, params, training, momentum, eps):
    for step in steps:
        if step.kind == "relu":
            x = relu(x)
        elif step.kind == "conv":
            x = conv2d(x, params[step.name + ".weight"], None, step.stride,
                       step.padding, 1, step.groups)
        else:
            mean, var, weight, bias = (params[f"{step.name}.{k}"] for k in (
                "running_mean", "running_var", "weight", "bias"))
            x = batch_norm(x, mean, var, weight, bias, training, momentum,
                           eps)
            count = params.get(step.name + ".num_batches_tracked")
            if training and count is not None:
                with torch.no_grad():
                    count.add_(1)  # as the module's buffer
    return x


def _block(fn, kind, input, params, stride, groups, training, momentum,
           eps):
    layout = _layout(fn, kind, input, params, stride, groups, training)
    branch = _run(layout.main, input, params, training, momentum, eps)
    shortcut = _run(layout.shortcut, input, params, training, momentum,
                    eps)
    return relu(branch + shortcut)


def basic_block(input, params, stride=1, training=False, momentum=0.1,
                eps=1e-5):
    """ResNet's basic block, as torchvision's ``BasicBlock``.

    ``relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))``, conv1 3x3
    with `stride`, conv2 3x3, the shortcut x or a 1x1 projection and
    its batch norm.

    Parameters
    ----------
    input : Tensor, shape (N, C_in, H, W)
    params : mapping of str to Tensor
        As `convlib.numpy.basic_block` (torchvision's state_dict
        names); running statistics updated in place in training mode.
    stride : int
    training : bool
    momentum, eps : float

    Returns
    -------
    Tensor, shape (N, C_out, (H - 1) // stride + 1, (W - 1) // stride + 1)

    Raises
    ------
    TypeError, ValueError
        As `convlib.numpy.basic_block`.
    """
    return _block("basic_block", "basic_block", input, params, stride, 1,
                  training, momentum, eps)


def bottleneck_block(input, params, stride=1, groups=1, training=False,
                     momentum=0.1, eps=1e-5):
    """ResNet's bottleneck block, as torchvision's ``Bottleneck``.

    conv1 1x1 -> bn1 -> ReLU -> conv2 3x3 (stride, groups) -> bn2 ->
    ReLU -> conv3 1x1 -> bn3, plus the shortcut, then ReLU.

    Parameters
    ----------
    input : Tensor, shape (N, C_in, H, W)
    params : mapping of str to Tensor
        As `convlib.numpy.bottleneck_block`.
    stride, groups : int
        Of conv2 (and the stride of the projection).
    training : bool
    momentum, eps : float

    Returns
    -------
    Tensor, shape (N, C_out, (H - 1) // stride + 1, (W - 1) // stride + 1)

    Raises
    ------
    TypeError, ValueError
        As `convlib.numpy.bottleneck_block`.
    """
    return _block("bottleneck_block", "bottleneck_block", input, params,
                  stride, groups, training, momentum, eps)
