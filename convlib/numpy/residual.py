"""ResNet's residual blocks in NumPy, forward and backward (He et al.
2016), composed from this package's `conv2d`, `batch_norm` and `relu`
and their backward passes.

``out = relu(branch(x) + shortcut(x))``: the branch learns a correction
to the identity. The layout (which convolutions, strides, where the
projection shortcut goes) and the parameter checks are in
`convlib._args.residual`; the parameters are a mapping with the names
of torchvision's ``BasicBlock`` / ``Bottleneck`` state_dict, so a
torch block's ``{k: v.numpy() for k, v in block.state_dict().items()}``
runs here unchanged.

In training mode the batch norms use the batch's statistics and update
their running statistics in the mapping, in place, as the module's
buffers would be; the backward passes recompute the forward without
updating them and return ``(grad_input, grads)``, `grads` a dict with
the gradient of every weight and bias (not of the running statistics).
A ``num_batches_tracked`` entry, if present, counts the training-mode
calls, as the module's buffer does.
"""
from collections.abc import Mapping

import numpy as np

from .._args import block_layout, check_array, check_grad_shape
from .activations import relu, relu_backward
from .conv import conv2d, conv2d_backward
from .norm import batch_norm, batch_norm_backward

__all__ = ["basic_block", "basic_block_backward", "bottleneck_block",
           "bottleneck_block_backward"]


def _setup(fn, kind, input, params, stride, groups, training):
    """The input, the parameters as arrays, and the checked layout."""
    x = check_array(input, "input", fn)
    arrays, shapes = params, params  # not a mapping: block_layout says so
    if isinstance(params, Mapping):
        arrays = {k: check_array(v, f"params[{k!r}]", fn)
                  for k, v in params.items()}
        shapes = {k: v.shape for k, v in arrays.items()}
    layout = block_layout(fn, kind, x.shape, shapes, stride, groups,
                          training)
    return x, arrays, layout


def _bn_args(step, params, arrays, training, record):
    """batch_norm's arrays for a step: the caller's running statistics
    (updated in place when `record`), none in a training-mode replay."""
    mean, var, weight, bias = (f"{step.name}.{k}" for k in (
        "running_mean", "running_var", "weight", "bias"))
    if training and not record:
        stats = (None, None)
    elif training:
        stats = (params[mean], params[var])
    else:
        stats = (arrays[mean], arrays[var])
    return stats + (arrays[weight], arrays[bias])


def _forward_step(step, x, params, arrays, mode):
    if step.kind == "relu":
        return relu(x)
    if step.kind == "conv":
        return conv2d(x, arrays[step.name + ".weight"], None, step.stride,
                      step.padding, 1, step.groups)
    training, momentum, eps, record = mode
    out = batch_norm(x, *_bn_args(step, params, arrays, training, record),
                     training, momentum, eps)
    if training and record:
        _count_batch(params, step.name + ".num_batches_tracked")
    return out


def _count_batch(params, key):
    """Add 1 to a num_batches_tracked entry, in place, as the module's
    buffer counts its training-mode calls."""
    if key not in params:
        return
    if not isinstance(params[key], np.ndarray):
        raise TypeError(
            f"params[{key!r}] is counted up in place in training mode, "
            f"so it must be an ndarray, got {type(params[key]).__name__}")
    params[key] += 1


def _backward_step(step, grad, x, arrays, mode, grads):
    """Gradient w.r.t. the step's input; its parameters' into `grads`."""
    if step.kind == "relu":
        return relu_backward(grad, x)
    if step.kind == "conv":
        key = step.name + ".weight"
        grad_x, grads[key], _ = conv2d_backward(
            grad, x, arrays[key], None, step.stride, step.padding, 1,
            step.groups)
        return grad_x
    training, momentum, eps, _ = mode
    grad_x, _, _, grads[step.name + ".weight"], grads[
        step.name + ".bias"] = batch_norm_backward(
        grad, x, *_bn_args(step, None, arrays, training, False),
        training, momentum, eps)
    return grad_x


def _run(steps, x, params, arrays, mode):
    """Output of `steps` on x, and the input of every step."""
    inputs = []
    for step in steps:
        inputs.append(x)
        x = _forward_step(step, x, params, arrays, mode)
    return x, inputs


def _run_backward(steps, grad, inputs, arrays, mode, grads):
    for step, x in zip(reversed(steps), reversed(inputs)):
        grad = _backward_step(step, grad, x, arrays, mode, grads)
    return grad


def _block(fn, kind, input, params, stride, groups, training, momentum,
           eps):
    x, arrays, layout = _setup(fn, kind, input, params, stride, groups,
                               training)
    mode = (training, momentum, eps, True)
    branch = _run(layout.main, x, params, arrays, mode)[0]
    shortcut = _run(layout.shortcut, x, params, arrays, mode)[0]
    return relu(branch + shortcut)


def _block_backward(fn, kind, grad_output, input, params, stride, groups,
                    training, momentum, eps):
    x, arrays, layout = _setup(fn, kind, input, params, stride, groups,
                               training)
    mode = (training, momentum, eps, False)  # never update in a replay
    branch, branch_inputs = _run(layout.main, x, params, arrays, mode)
    shortcut, short_inputs = _run(layout.shortcut, x, params, arrays,
                                  mode)
    grad = check_array(grad_output, "grad_output", fn)
    check_grad_shape(fn, grad.shape, branch.shape)
    grad = relu_backward(grad, branch + shortcut)
    grads = {}
    grad_x = _run_backward(layout.main, grad, branch_inputs, arrays, mode,
                           grads)
    grad_x = grad_x + _run_backward(layout.shortcut, grad, short_inputs,
                                    arrays, mode, grads)
    return grad_x, {key: grads[key] for key in layout.learnable}


def basic_block(input, params, stride=1, training=False, momentum=0.1,
                eps=1e-5):
    """ResNet's basic block (ResNet-18/34).

    ``relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))``: conv1 3x3
    with `stride` and padding 1, conv2 3x3 with padding 1, no conv
    bias; the shortcut is x or ``bn(conv1x1(x, stride))``.

    Parameters
    ----------
    input : ndarray, shape (N, C_in, H, W)
    params : mapping of str to ndarray
        conv1.weight (C_out, C_in, 3, 3), conv2.weight (C_out, C_out,
        3, 3); for bn1, bn2 (and downsample.1): weight, bias,
        running_mean, running_var, each (C_out,); the projection
        downsample.0.weight (C_out, C_in, 1, 1) when the stride is not
        1 or C_out != C_in.
    stride : int
        Of conv1 and the projection.
    training : bool
        Batch statistics (and running statistics updated in `params`,
        in place) or the running statistics.
    momentum, eps : float
        Of every batch norm, as `batch_norm`.

    Returns
    -------
    ndarray, shape (N, C_out, H_out, W_out)
        ``H_out = (H - 1) // stride + 1``, likewise W_out.

    Raises
    ------
    ValueError, TypeError
        A missing, unexpected or misshapen parameter, an identity
        shortcut where the shape changes, bad stride or flags.
    """
    return _block("basic_block", "basic_block", input, params, stride, 1,
                  training, momentum, eps)


def basic_block_backward(grad_output, input, params, stride=1,
                         training=False, momentum=0.1, eps=1e-5):
    """Gradients of `basic_block` with respect to input and parameters.

    The chain rule through the steps in reverse, each by its own
    backward (`relu_backward`, `batch_norm_backward`,
    `conv2d_backward`); the shortcut's gradient is added to the
    branch's. The running statistics are not updated.

    Parameters
    ----------
    grad_output : ndarray, shape (N, C_out, H_out, W_out)
    input, params, stride, training, momentum, eps
        As given to `basic_block`.

    Returns
    -------
    grad_input : ndarray, shape (N, C_in, H, W)
    grads : dict of str to ndarray
        The gradient of every weight and bias in `params`, under the
        same names.
    """
    return _block_backward("basic_block_backward", "basic_block",
                           grad_output, input, params, stride, 1,
                           training, momentum, eps)


def bottleneck_block(input, params, stride=1, groups=1, training=False,
                     momentum=0.1, eps=1e-5):
    """ResNet's bottleneck block (ResNet-50/101/152), as torchvision's.

    conv1 1x1 (C_in -> C_mid) -> bn1 -> ReLU -> conv2 3x3 (stride,
    padding 1, groups) -> bn2 -> ReLU -> conv3 1x1 (C_mid -> C_out) ->
    bn3, plus the shortcut, then ReLU. torchvision (ResNet v1.5) puts
    the stride on the 3x3 convolution; He et al. 2016 put it on conv1.
    ``groups > 1`` is ResNeXt's grouped 3x3.

    Parameters
    ----------
    input : ndarray, shape (N, C_in, H, W)
    params : mapping of str to ndarray
        conv1.weight (C_mid, C_in, 1, 1), conv2.weight (C_mid,
        C_mid / groups, 3, 3), conv3.weight (C_out, C_mid, 1, 1); bn1,
        bn2 of C_mid and bn3 of C_out channels (weight, bias,
        running_mean, running_var); the projection downsample.0.weight
        (C_out, C_in, 1, 1) and downsample.1.* when the stride is not
        1 or C_out != C_in.
    stride : int
        Of conv2 and the projection.
    groups : int
        Of conv2.
    training : bool
    momentum, eps : float

    Returns
    -------
    ndarray, shape (N, C_out, H_out, W_out)
        ``H_out = (H - 1) // stride + 1``, likewise W_out.

    Raises
    ------
    ValueError, TypeError
        As `basic_block`.
    """
    return _block("bottleneck_block", "bottleneck_block", input, params,
                  stride, groups, training, momentum, eps)


def bottleneck_block_backward(grad_output, input, params, stride=1,
                              groups=1, training=False, momentum=0.1,
                              eps=1e-5):
    """Gradients of `bottleneck_block` w.r.t. input and parameters.

    Parameters
    ----------
    grad_output : ndarray, shape (N, C_out, H_out, W_out)
    input, params, stride, groups, training, momentum, eps
        As given to `bottleneck_block`.

    Returns
    -------
    grad_input : ndarray, shape (N, C_in, H, W)
    grads : dict of str to ndarray
        The gradient of every weight and bias in `params`.
    """
    return _block_backward("bottleneck_block_backward", "bottleneck_block",
                           grad_output, input, params, stride, groups,
                           training, momentum, eps)
