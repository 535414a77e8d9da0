"""Normalisation and dropout: arguments, checks, the axes averaged over.

torch's rules, as `torch.nn.functional` applies them:

- batch norm: input (N, C, *) with at least 2 dims; statistics over
  every axis but the channel axis 1; running statistics of shape (C,),
  required in evaluation mode; in training mode more than one value
  per channel;
- instance norm: input (N, C, *); statistics over the spatial axes of
  each (n, c); more than one spatial element when the input's own
  statistics are used, running statistics when they are not;
- layer norm: statistics over the trailing ``normalized_shape`` axes
  (a non-empty tuple or list of ints, not an int), weight and bias of
  that shape;
- group norm: input (N, C, *), ``num_groups`` dividing C, statistics
  over each group of C / num_groups channels and all spatial axes;
- dropout: ``0 <= p <= 1``; flags are real bools; dropout2d drops
  whole channels of a 3-d or 4-d input.

Each check sees shapes (tuples of ints) and settings, never arrays;
every error starts with the public function's name and names the
argument. Nothing here imports torch.
"""
import math
from typing import NamedTuple

from .base import check_bool, check_int, check_real, describe, is_int

__all__ = ["BatchNormArgs", "InstanceNormArgs", "LayerNormArgs",
           "GroupNormArgs", "check_eps", "check_momentum",
           "check_probability", "batch_norm_args", "instance_norm_args",
           "layer_norm_args", "group_norm_args", "dropout_args",
           "dropout_mask_shape", "check_mask"]


class BatchNormArgs(NamedTuple):
    """A checked batch_norm call."""
    training: bool
    momentum: float
    eps: float
    axes: tuple  # the axes averaged over: (0, 2, 3, ...)
    count: int  # values per channel, N * prod(spatial)


class InstanceNormArgs(NamedTuple):
    """A checked instance_norm call."""
    use_input_stats: bool
    momentum: float
    eps: float
    axes: tuple  # the spatial axes (2, 3, ...)
    count: int  # values per (n, c), prod(spatial)


class LayerNormArgs(NamedTuple):
    """A checked layer_norm call."""
    normalized_shape: tuple
    eps: float
    axes: tuple  # the trailing len(normalized_shape) axes


class GroupNormArgs(NamedTuple):
    """A checked group_norm call."""
    num_groups: int
    eps: float
    count: int  # values per (n, group), C / num_groups * prod(spatial)


# --------------------------------------------------------------- numbers

def check_eps(fn, eps):
    """eps >= 0. torch's batch_norm refuses a negative eps (torch's
    layer, group and instance norm take it, and give NaN where the
    variance is below -eps); every norm here refuses it."""
    eps = check_real(eps, "eps", fn)
    if not eps >= 0:
        raise ValueError(f"{fn}: eps must be >= 0, got {eps}")
    return eps


def check_momentum(fn, momentum):
    """A real momentum; None is refused as torch.nn.functional does."""
    if momentum is None:
        raise TypeError(
            f"{fn}: momentum must be a real number, got None (the "
            f"cumulative average of nn.BatchNorm's momentum=None is "
            f"momentum=1/k on the k-th batch)")
    return check_real(momentum, "momentum", fn)


def check_probability(fn, p):
    """A dropout probability in [0, 1]."""
    p = check_real(p, "p", fn)
    if not 0.0 <= p <= 1.0:
        raise ValueError(
            f"{fn}: p (the dropout probability) must be between 0 and 1, "
            f"got {p}")
    return p


# ---------------------------------------------------------------- shapes

def _input_ndim(fn, shape, minimum, layout):
    if len(shape) < minimum:
        raise ValueError(
            f"{fn}: input must have at least {minimum} dimensions "
            f"{layout}, got {len(shape)} (shape {tuple(shape)})")


def _vector(fn, name, shape, size, what):
    """None, or a shape that must be (size,)."""
    if shape is not None and tuple(shape) != (size,):
        raise ValueError(
            f"{fn}: {name} must have shape ({size},) ({what}), got "
            f"{tuple(shape)}")


def _running(fn, mean_shape, var_shape, channels, required, why):
    """running_mean / running_var: both given as (C,), or both None."""
    for name, shape in (("running_mean", mean_shape),
                        ("running_var", var_shape)):
        if shape is None and required:
            raise ValueError(
                f"{fn}: {name} must be given {why}, got None")
        _vector(fn, name, shape, channels, "one per channel of input")
    if (mean_shape is None) != (var_shape is None):
        raise ValueError(
            f"{fn}: running_mean and running_var must be given together, "
            f"got running_mean={_describe_shape(mean_shape)} and "
            f"running_var={_describe_shape(var_shape)}")


def _describe_shape(shape):
    """'None' or 'an array of shape (...)' for a message."""
    return "None" if shape is None else f"shape {tuple(shape)}"


def _affine(fn, weight_shape, bias_shape, channels):
    _vector(fn, "weight", weight_shape, channels,
            "one per channel of input")
    _vector(fn, "bias", bias_shape, channels, "one per channel of input")


# ------------------------------------------------------------------- ops

def batch_norm_args(fn, shape, mean_shape, var_shape, weight_shape,
                    bias_shape, training, momentum, eps):
    """Check a batch_norm call; return `BatchNormArgs`.

    Raises
    ------
    ValueError
        Input of fewer than 2 dims, vectors not of shape (C,), no
        running statistics in evaluation mode, one value per channel in
        training mode, eps < 0 (or 0 in training mode, as torch).
    TypeError
        A non-bool `training`, a non-real `momentum` or `eps`.
    """
    _input_ndim(fn, shape, 2, "(N, C, *)")
    training = check_bool(training, "training", fn)
    momentum = check_momentum(fn, momentum)
    eps = check_eps(fn, eps)
    channels = shape[1]
    _running(fn, mean_shape, var_shape, channels, not training,
             "in evaluation mode (training=False)")
    _affine(fn, weight_shape, bias_shape, channels)
    if training and eps == 0:
        raise ValueError(
            f"{fn}: eps must be > 0 in training mode (as torch), got 0")
    count = math.prod(shape) // channels if channels else 0
    if training and count <= 1:
        raise ValueError(
            f"{fn}: input must have more than 1 value per channel in "
            f"training mode, got shape {tuple(shape)}")
    axes = (0,) + tuple(range(2, len(shape)))
    return BatchNormArgs(training, momentum, eps, axes, count)


def instance_norm_args(fn, shape, mean_shape, var_shape, weight_shape,
                       bias_shape, use_input_stats, momentum, eps):
    """Check an instance_norm call; return `InstanceNormArgs`.

    Raises
    ------
    ValueError, TypeError
        As `batch_norm_args`; with ``use_input_stats`` the input needs
        more than one spatial element, without it running statistics.
    """
    _input_ndim(fn, shape, 2, "(N, C, *)")
    use = check_bool(use_input_stats, "use_input_stats", fn)
    momentum = check_momentum(fn, momentum)
    eps = check_eps(fn, eps)
    channels = shape[1]
    _running(fn, mean_shape, var_shape, channels, not use,
             "when use_input_stats=False")
    _affine(fn, weight_shape, bias_shape, channels)
    count = math.prod(shape[2:])
    if use and count <= 1:
        raise ValueError(
            f"{fn}: input must have more than 1 spatial element when "
            f"use_input_stats=True, got shape {tuple(shape)}")
    return InstanceNormArgs(use, momentum, eps,
                            tuple(range(2, len(shape))), count)


def layer_norm_args(fn, shape, normalized_shape, weight_shape, bias_shape,
                    eps):
    """Check a layer_norm call; return `LayerNormArgs`.

    Raises
    ------
    TypeError
        `normalized_shape` not a tuple or list of ints (torch's
        functional form refuses an int, nn.LayerNorm takes one).
    ValueError
        An empty `normalized_shape`, one that is not the input's
        trailing shape, weight or bias not of that shape, eps < 0.
    """
    if not (isinstance(normalized_shape, (tuple, list))
            and all(is_int(v) for v in normalized_shape)):
        raise TypeError(
            f"{fn}: normalized_shape must be a tuple or list of ints "
            f"(nn.LayerNorm also takes an int, the functional form does "
            f"not), got {describe(normalized_shape)}")
    normalized = tuple(int(v) for v in normalized_shape)
    if not normalized:
        raise ValueError(
            f"{fn}: normalized_shape must have at least one entry, got "
            f"{normalized_shape!r}")
    k = len(normalized)
    if len(shape) < k or tuple(shape[len(shape) - k:]) != normalized:
        raise ValueError(
            f"{fn}: normalized_shape must equal the trailing dimensions "
            f"of input, got normalized_shape={normalized} for input of "
            f"shape {tuple(shape)}")
    for name, given in (("weight", weight_shape), ("bias", bias_shape)):
        if given is not None and tuple(given) != normalized:
            raise ValueError(
                f"{fn}: {name} must have shape normalized_shape="
                f"{normalized}, got {tuple(given)}")
    eps = check_eps(fn, eps)
    return LayerNormArgs(normalized, eps,
                         tuple(range(len(shape) - k, len(shape))))


def group_norm_args(fn, shape, num_groups, weight_shape, bias_shape, eps):
    """Check a group_norm call; return `GroupNormArgs`.

    Raises
    ------
    ValueError
        Input of fewer than 2 dims, num_groups < 1 or not dividing the
        channels, weight or bias not of shape (C,), eps < 0, a single
        value in all (as torch: N * C / num_groups * prod(spatial) must
        exceed 1).
    TypeError
        A non-integer num_groups or a non-real eps.
    """
    _input_ndim(fn, shape, 2, "(N, C, *)")
    groups = check_int(num_groups, "num_groups", fn, minimum=1)
    channels = shape[1]
    if channels % groups:
        raise ValueError(
            f"{fn}: num_groups must divide the {channels} channels of "
            f"input (shape {tuple(shape)}), got num_groups={groups}")
    _affine(fn, weight_shape, bias_shape, channels)
    eps = check_eps(fn, eps)
    count = channels // groups * math.prod(shape[2:])
    if shape[0] * count <= 1:  # torch's check counts the batch too
        raise ValueError(
            f"{fn}: input must have more than 1 value per group over the "
            f"batch (N * C / num_groups * prod(spatial) > 1, as torch "
            f"requires), got shape {tuple(shape)} with "
            f"num_groups={groups}")
    return GroupNormArgs(groups, eps, count)


# --------------------------------------------------------------- dropout

def dropout_args(fn, p, training, inplace):
    """Check dropout's settings; return (p, training)."""
    p = check_probability(fn, p)
    training = check_bool(training, "training", fn)
    check_bool(inplace, "inplace", fn)
    return p, training


def dropout_mask_shape(fn, shape, channelwise):
    """The shape of one dropout draw for an input of `shape`.

    Elementwise dropout draws one keep/drop per element. Channel-wise
    dropout (dropout2d) draws one per (n, c) of a 4-d (N, C, H, W)
    input, or of a 3-d input read as (N, C, L), as torch 2.x does
    (torch warns that a later release will read it as (C, H, W));
    torch only warns about other dims, this refuses them.
    """
    if not channelwise:
        return tuple(shape)
    if len(shape) not in (3, 4):
        raise ValueError(
            f"{fn}: input must have 3 dimensions (N, C, L) or 4 "
            f"(N, C, H, W), got {len(shape)} (shape {tuple(shape)})")
    return tuple(shape[:2]) + (1,) * (len(shape) - 2)


def check_mask(fn, mask_shape, expected, channelwise, wrong=None):
    """An explicit dropout mask: the shape of one draw, and only 0
    (drop) and 1 (keep); `wrong` is one of its other values, if any
    (each form finds it in its own array type).

    Raises
    ------
    ValueError
        For a mask of another shape, or with a value other than 0 and 1.
    """
    if tuple(mask_shape) != tuple(expected):
        per = "channel" if channelwise else "element"
        raise ValueError(
            f"{fn}: mask must have shape {tuple(expected)} (one entry "
            f"per {per} of input), got {tuple(mask_shape)}")
    if wrong is not None:
        raise ValueError(
            f"{fn}: mask must hold only 0 (drop) and 1 (keep), got "
            f"values such as {wrong!r}")
