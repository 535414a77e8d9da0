"""Linear layer, flatten and channel shuffle in PyTorch.

`linear` is one matrix product; `flatten` and `channel_shuffle` are
reshapes and a transpose. Nothing here calls ``F.linear``,
``torch.flatten`` or ``F.channel_shuffle``.
"""
import math

from .._args import check_dim, linear_args, shuffle_groups
from ._common import _check_tensor, _shape

__all__ = ["linear", "flatten", "channel_shuffle"]


def linear(input, weight, bias=None):
    """Fully connected layer ``y = x W^T + b`` over the last axis.

    Parameters
    ----------
    input : Tensor, shape (*, in_features)
    weight : Tensor, shape (out_features, in_features)
    bias : Tensor, shape (out_features,), optional

    Returns
    -------
    Tensor, shape (*, out_features)

    Raises
    ------
    TypeError
        If an argument is not a tensor.
    ValueError
        If the weight is not 2-d, its in_features differ from the
        input's last axis, or the bias has the wrong shape.

    Examples
    --------
    >>> linear(torch.ones(2, 3), torch.ones(4, 3)).shape
    torch.Size([2, 4])
    """
    fn = "linear"
    linear_args(fn, _shape(input, "input", fn), _shape(weight, "weight", fn),
                _shape(bias, "bias", fn))
    out = input @ weight.T
    return out if bias is None else out + bias


def flatten(input, start_dim=0, end_dim=-1):
    """Merge the axes start_dim..end_dim (inclusive) into one.

    Parameters
    ----------
    input : Tensor, shape (d_0, ..., d_{k-1})
    start_dim, end_dim : int
        First and last axis to merge; negative counts from the end.

    Returns
    -------
    Tensor, shape (d_0, ..., d_{start-1}, prod(d_start..d_end), ...)
        A 0-d input becomes shape (1,), as `torch.flatten`.

    Raises
    ------
    TypeError, ValueError
        If `input` is not a tensor or the axes are out of range or
        start_dim comes after end_dim.
    """
    fn = "flatten"
    _check_tensor(input, "input", fn)
    start = check_dim(start_dim, input.dim(), "start_dim", fn)
    end = check_dim(end_dim, input.dim(), "end_dim", fn)
    if start > end:
        raise ValueError(
            f"{fn}: start_dim must not come after end_dim, got "
            f"start_dim={start_dim}, end_dim={end_dim}")
    if input.dim() == 0:
        return input.reshape(1)
    shape = tuple(input.shape)
    merged = math.prod(shape[start:end + 1])
    return input.reshape(shape[:start] + (merged,) + shape[end + 1:])


def channel_shuffle(input, groups):
    """Interleave the channels of `groups` groups (ShuffleNet).

    Channel ``g * (C / groups) + i`` moves to ``i * groups + g``: view
    the channels as (groups, C / groups), transpose, and flatten back.

    Parameters
    ----------
    input : Tensor, shape (N, C, *), at least 3 dimensions
    groups : int
        Must divide C.

    Returns
    -------
    Tensor, shape (N, C, *)

    Raises
    ------
    TypeError, ValueError
        If `input` is not a tensor of at least 3 dimensions or `groups`
        is not a positive divisor of C.

    Examples
    --------
    >>> x = torch.arange(6.).reshape(1, 6, 1)
    >>> channel_shuffle(x, 2).reshape(-1).tolist()
    [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]
    """
    fn = "channel_shuffle"
    groups = shuffle_groups(fn, _shape(input, "input", fn), groups)
    batch, channels = input.shape[:2]
    rest = tuple(input.shape[2:])
    grouped = input.reshape((batch, groups, channels // groups) + rest)
    return grouped.transpose(1, 2).reshape(tuple(input.shape))
