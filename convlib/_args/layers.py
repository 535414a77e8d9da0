"""Linear layers, channel shuffle, PReLU's weight, softmax's and GLU's dim.

The checks on shapes that `convlib.numpy` and `convlib.torch` share for
the ops outside the convolution and pooling families.
"""
from .base import check_dim, check_int, describe, is_int

__all__ = ["linear_args", "shuffle_groups", "prelu_channels",
           "softmax_dim", "glu_dim"]


def linear_args(fn, input, weight, bias):
    """Check a linear call from the shapes of input, weight and bias.

    `input` is (*, in_features) with at least one axis, `weight`
    (out_features, in_features), `bias` None or (out_features,).

    Raises
    ------
    ValueError
        For any other shape.
    """
    input, weight = tuple(input), tuple(weight)
    if len(input) < 1:
        raise ValueError(
            f"{fn}: input must have at least 1 dimension "
            f"(..., in_features), got shape {input}")
    _ndim(fn, "weight", weight, 2)
    if weight[1] != input[-1]:
        raise ValueError(
            f"{fn}: weight of shape {weight} expects {weight[1]} input "
            f"features but input has {input[-1]} (shape {input})")
    if bias is None:
        return
    _ndim(fn, "bias", tuple(bias), 1)
    if tuple(bias) != (weight[0],):
        raise ValueError(
            f"{fn}: bias must have shape ({weight[0]},) (out_features), "
            f"got {tuple(bias)}")


def _ndim(fn, name, shape, ndim):
    if len(shape) != ndim:
        raise ValueError(
            f"{fn}: {name} must have {ndim} dimensions, got {len(shape)} "
            f"(shape {shape})")


def shuffle_groups(fn, input, groups):
    """channel_shuffle's `groups` for an input of shape (N, C, *).

    Raises
    ------
    TypeError
        If `groups` is not an int.
    ValueError
        If `input` has fewer than 3 axes, or `groups` is below 1 or
        does not divide C.
    """
    input = tuple(input)
    if len(input) < 3:
        raise ValueError(
            f"{fn}: input must have at least 3 dimensions (N, C, *), "
            f"got shape {input}")
    groups = check_int(groups, "groups", fn)
    if input[1] % groups:
        raise ValueError(
            f"{fn}: groups must divide the {input[1]} channels of "
            f"input, got groups={groups}")
    return groups


def prelu_channels(fn, input, weight):
    """How many slopes PReLU's weight holds: 1, or one per channel.

    Channels are axis 1 of `input`; a 0-d or 1-d input has one. The
    weight is 0-d or 1-d.

    Raises
    ------
    ValueError
        For a weight of another shape.
    """
    input, weight = tuple(input), tuple(weight)
    if len(weight) > 1:
        raise ValueError(
            f"{fn}: weight must have 0 or 1 dimensions, got {len(weight)} "
            f"(shape {weight})")
    channels = input[1] if len(input) >= 2 else 1
    size = weight[0] if weight else 1
    if size not in (1, channels):
        raise ValueError(
            f"{fn}: weight must have 1 or {channels} elements (the "
            f"input's channels, dim 1 of shape {input}), got shape "
            f"{weight}")
    return size


def softmax_dim(fn, dim, ndim):
    """softmax's `dim` as an axis in [0, max(ndim, 1)).

    None picks torch's legacy default: 0 for a 0-, 1- or 3-d input,
    else 1.

    Raises
    ------
    TypeError
        If `dim` is neither an int nor None.
    ValueError
        If it is out of range.
    """
    if dim is None:
        dim = 0 if ndim in (0, 1, 3) else 1
    elif not is_int(dim):
        raise TypeError(
            f"{fn}: dim must be an int or None, got {describe(dim)}")
    return check_dim(dim, ndim, "dim", fn)


def glu_dim(fn, dim, shape):
    """GLU's `dim` as an axis of an input of `shape`, whose size there
    is even (GLU halves it).

    Raises
    ------
    TypeError
        If `dim` is not an int.
    ValueError
        For a 0-d input, a `dim` out of range, or an odd size along it.
    """
    if not shape:
        raise ValueError(f"{fn}: input must have at least 1 dimension "
                         f"(GLU halves one), got a 0-d input")
    axis = check_dim(dim, len(shape), "dim", fn)
    if shape[axis] % 2:
        raise ValueError(
            f"{fn}: input's size along dim {dim} must be even (GLU "
            f"halves it), got {shape[axis]} in shape {tuple(shape)}")
    return axis
