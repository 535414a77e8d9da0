"""ResNet's residual blocks: their layout and the checks of their
parameters (He et al. 2016, as torchvision builds them).

A block is a residual branch of steps (convolution, batch norm, ReLU)
plus a shortcut, added and passed through a ReLU:

- basic block: conv 3x3 (stride) -> BN -> ReLU -> conv 3x3 -> BN;
- bottleneck block: conv 1x1 -> BN -> ReLU -> conv 3x3 (stride,
  groups) -> BN -> ReLU -> conv 1x1 -> BN (torchvision's "ResNet
  v1.5" puts the stride on the 3x3 convolution; the paper put it on the
  first 1x1);
- shortcut: the identity, or a projection conv 1x1 (stride) -> BN,
  which is needed when the stride is not 1 or the channels change.

The parameters are a mapping with torchvision's state_dict names:
``conv1.weight``, ``bn1.weight``, ``bn1.bias``, ``bn1.running_mean``,
``bn1.running_var``, ..., and for a projection ``downsample.0.weight``
and ``downsample.1.*``; ``*.num_batches_tracked`` may be present (the
forms count it up in training mode, as the module does). Convolutions
have no bias (the batch norm after them has one).
Nothing here imports torch.
"""
import math
from collections.abc import Mapping
from typing import NamedTuple

from .base import check_bool, check_int, describe

__all__ = ["Step", "BlockLayout", "BN_KEYS", "block_layout"]

BN_KEYS = ("weight", "bias", "running_mean", "running_var")


class Step(NamedTuple):
    """One step of a block: 'conv', 'bn' or 'relu'."""
    kind: str
    name: str = ""  # prefix of its parameters, e.g. 'conv1'
    kernel: int = 1
    stride: int = 1
    padding: int = 0
    groups: int = 1


class BlockLayout(NamedTuple):
    """A checked block: its steps and the parameters with gradients."""
    main: tuple  # the residual branch
    shortcut: tuple  # () for the identity
    learnable: tuple  # parameter names with a gradient, in order


def _main_steps(kind, stride, groups):
    relu = Step("relu")
    if kind == "basic_block":
        return (Step("conv", "conv1", 3, stride, 1), Step("bn", "bn1"),
                relu, Step("conv", "conv2", 3, 1, 1), Step("bn", "bn2"))
    return (Step("conv", "conv1", 1), Step("bn", "bn1"), relu,
            Step("conv", "conv2", 3, stride, 1, groups),
            Step("bn", "bn2"), relu, Step("conv", "conv3", 1),
            Step("bn", "bn3"))


def _projection(stride):
    return (Step("conv", "downsample.0", 1, stride),
            Step("bn", "downsample.1"))


def _keys(steps):
    """(learnable, constant) parameter names of `steps`."""
    learnable, constant = [], []
    for step in steps:
        if step.kind == "conv":
            learnable.append(step.name + ".weight")
        elif step.kind == "bn":
            learnable += [f"{step.name}.weight", f"{step.name}.bias"]
            constant += [f"{step.name}.running_mean",
                         f"{step.name}.running_var"]
    return learnable, constant


def _check_keys(fn, shapes, steps):
    learnable, constant = _keys(steps)
    for key in learnable + constant:
        if key not in shapes:
            raise ValueError(f"{fn}: params has no {key!r}")
    allowed = set(learnable + constant) | {
        s.name + ".num_batches_tracked" for s in steps if s.kind == "bn"}
    for key in shapes:
        if key not in allowed:
            raise ValueError(
                f"{fn}: params has an unexpected entry {key!r} (a "
                f"projection shortcut is 'downsample.0.weight' with "
                f"'downsample.1.weight', '.bias', '.running_mean', "
                f"'.running_var')")
    return tuple(learnable)


def _check_shapes(fn, shapes, steps, channels):
    """Follow the channels through the steps; return the output's."""
    for step in steps:
        if step.kind == "conv":
            key = step.name + ".weight"
            want = (None, channels // step.groups, step.kernel,
                    step.kernel)
            got = tuple(shapes[key])
            if (len(got) != 4 or got[1:] != want[1:]
                    or channels % step.groups or got[0] % step.groups
                    or got[0] < 1):
                raise ValueError(
                    f"{fn}: params[{key!r}] must have shape (C_out, "
                    f"{want[1]}, {step.kernel}, {step.kernel}) for "
                    f"{channels} input channels"
                    + (f" in {step.groups} groups" if step.groups > 1
                       else "") + f", got {got}")
            channels = got[0]
        elif step.kind == "bn":
            for key in (f"{step.name}.{k}" for k in BN_KEYS):
                if tuple(shapes[key]) != (channels,):
                    raise ValueError(
                        f"{fn}: params[{key!r}] must have shape "
                        f"({channels},), got {tuple(shapes[key])}")
    return channels


def block_layout(fn, kind, input_shape, shapes, stride, groups, training):
    """Check a block's call; return its `BlockLayout`.

    Parameters
    ----------
    fn : str
        The public function, for the messages.
    kind : {'basic_block', 'bottleneck_block'}
    input_shape : tuple of int
        (N, C, H, W).
    shapes : mapping of str to tuple of int
        The shape of each entry of the params.
    stride, groups : int
    training : bool

    Raises
    ------
    ValueError
        Input not 4-d; a missing, unexpected or misshapen parameter; an
        identity shortcut where the shape changes; a single value per
        channel for a batch norm in training mode.
    TypeError
        params not a mapping; a non-integer stride or groups; a
        non-bool training.
    """
    if not isinstance(shapes, Mapping):
        raise TypeError(
            f"{fn}: params must be a mapping of names to arrays (a "
            f"state_dict), got {describe(shapes)}")
    if len(input_shape) != 4:
        raise ValueError(
            f"{fn}: input must have 4 dimensions (N, C, H, W), got "
            f"{len(input_shape)} (shape {tuple(input_shape)})")
    stride = check_int(stride, "stride", fn)
    groups = check_int(groups, "groups", fn)
    training = check_bool(training, "training", fn)
    main = _main_steps(kind, stride, groups)
    shortcut = (_projection(stride) if "downsample.0.weight" in shapes
                else ())
    learnable = _check_keys(fn, shapes, main + shortcut)
    channels = input_shape[1]
    out = _check_shapes(fn, shapes, main, channels)
    if shortcut:
        projected = _check_shapes(fn, shapes, shortcut, channels)
        if projected != out:
            raise ValueError(
                f"{fn}: params['downsample.0.weight'] must give the "
                f"branch's {out} channels, got {projected}")
    elif stride != 1 or out != channels:
        raise ValueError(
            f"{fn}: the identity shortcut needs stride=1 and as many "
            f"output as input channels, got stride={stride} and "
            f"{channels} -> {out} channels; give params a projection "
            f"('downsample.0.weight', 'downsample.1.*')")
    _check_batch(fn, input_shape, stride, training)
    return BlockLayout(main, shortcut, learnable)


def _check_batch(fn, input_shape, stride, training):
    """In training mode every batch norm needs > 1 value per channel;
    the smallest count is after the stride."""
    n, _, height, width = input_shape
    smallest = n * math.prod((s - 1) // stride + 1
                             for s in (height, width))
    if training and smallest <= 1:
        raise ValueError(
            f"{fn}: input must give the batch norms more than 1 value "
            f"per channel in training mode, got shape "
            f"{tuple(input_shape)} with stride={stride}")
