"""Linear layers in NumPy: fully connected, flatten, channel shuffle.

Forward and backward side by side; signatures as in
``torch.nn.functional`` (`flatten` takes ``nn.Flatten``'s defaults).
"""
import numpy as np

from .._args import check_array, check_dim, linear_args, shuffle_groups

__all__ = [
    "linear", "linear_backward",
    "flatten", "flatten_backward",
    "channel_shuffle", "channel_shuffle_backward",
]


def _grad(grad_output, shape, dtype, fn):
    """`grad_output` as an array of the given shape and dtype."""
    g = check_array(grad_output, "grad_output", fn)
    if g.shape != tuple(shape):
        raise ValueError(
            f"{fn}: grad_output must have shape {tuple(shape)}, "
            f"got {g.shape}")
    return g.astype(dtype, copy=False)


# --------------------------------------------------------------------------
# linear
# --------------------------------------------------------------------------

def _linear_args(input, weight, bias, fn):
    """Check `linear`'s arrays; return them as float arrays."""
    x = check_array(input, "input", fn)
    w = check_array(weight, "weight", fn)
    if bias is not None:
        bias = check_array(bias, "bias", fn)
    linear_args(fn, x.shape, w.shape, None if bias is None else bias.shape)
    return x, w, bias


def linear(input, weight, bias=None):
    """Fully connected layer ``y = x @ weight.T + bias``.

    Parameters
    ----------
    input : ndarray, shape (*, in_features)
        Any number of leading dims, including none.
    weight : ndarray, shape (out_features, in_features)
    bias : ndarray, shape (out_features,), optional

    Returns
    -------
    ndarray, shape (*, out_features)

    Raises
    ------
    ValueError
        If `weight` is not 2-d, its in_features differ from the input's
        last dim, or `bias` is not of shape (out_features,).

    Examples
    --------
    >>> x = np.ones((2, 3))
    >>> linear(x, np.ones((4, 3)), np.arange(4.)).shape
    (2, 4)
    """
    x, w, b = _linear_args(input, weight, bias, "linear")
    out = x @ w.T
    return out if b is None else out + b


def linear_backward(grad_output, input, weight, bias=None):
    """Gradients of `linear` with respect to input, weight and bias.

    Parameters
    ----------
    grad_output : ndarray, shape (*, out_features)
        Gradient of the loss with respect to ``linear(input, ...)``.
    input : ndarray, shape (*, in_features)
    weight : ndarray, shape (out_features, in_features)
    bias : ndarray, shape (out_features,), optional

    Returns
    -------
    grad_input : ndarray, shape (*, in_features)
        ``grad_output @ weight``.
    grad_weight : ndarray, shape (out_features, in_features)
        ``grad_output.T @ input``, summed over all leading dims.
    grad_bias : ndarray, shape (out_features,), or None
        ``grad_output`` summed over all leading dims; None without bias.
    """
    fn = "linear_backward"
    x, w, b = _linear_args(input, weight, bias, fn)
    out_shape = x.shape[:-1] + (w.shape[0],)
    g = _grad(grad_output, out_shape, np.result_type(x, w), fn)
    g2 = g.reshape(-1, w.shape[0])
    grad_weight = g2.T @ x.reshape(-1, w.shape[1])
    grad_bias = None if b is None else g2.sum(axis=0)
    return g @ w, grad_weight, grad_bias


# --------------------------------------------------------------------------
# flatten
# --------------------------------------------------------------------------

def _flat_shape(shape, start_dim, end_dim, fn):
    """Shape after merging dims start_dim..end_dim (torch.flatten)."""
    start = check_dim(start_dim, len(shape), "start_dim", fn)
    end = check_dim(end_dim, len(shape), "end_dim", fn)
    if start > end:
        raise ValueError(
            f"{fn}: start_dim must not come after end_dim, got "
            f"start_dim={start_dim}, end_dim={end_dim} for a "
            f"{len(shape)}-d input")
    shape = tuple(shape) or (1,)
    merged = int(np.prod(shape[start:end + 1]))
    return shape[:start] + (merged,) + shape[end + 1:]


def flatten(input, start_dim=1, end_dim=-1):
    """Merge dims `start_dim` to `end_dim` (inclusive) into one.

    ``torch.flatten`` semantics with ``nn.Flatten``'s defaults, so a
    batch (N, C, H, W) becomes (N, C*H*W).  A 0-d input becomes shape
    (1,); ``start_dim == end_dim`` leaves the shape unchanged.

    Parameters
    ----------
    input : ndarray, shape (d_0, ..., d_{n-1})
    start_dim, end_dim : int
        First and last dim to merge; negative values count from the end.

    Returns
    -------
    ndarray, shape (d_0, ..., d_{s-1}, d_s * ... * d_e, d_{e+1}, ...)
        A view of `input` when NumPy can make one, else a copy.

    Raises
    ------
    ValueError
        If a dim is out of range or `start_dim` comes after `end_dim`.
    """
    x = check_array(input, "input", "flatten")
    return x.reshape(_flat_shape(x.shape, start_dim, end_dim, "flatten"))


def flatten_backward(grad_output, input, start_dim=1, end_dim=-1):
    """Gradient of `flatten`: `grad_output` reshaped to the input's shape.

    Parameters
    ----------
    grad_output : ndarray, shape of ``flatten(input, start_dim, end_dim)``
    input : ndarray, shape (d_0, ..., d_{n-1})
    start_dim, end_dim : int

    Returns
    -------
    ndarray, shape (d_0, ..., d_{n-1})
    """
    fn = "flatten_backward"
    x = check_array(input, "input", fn)
    g = _grad(grad_output, _flat_shape(x.shape, start_dim, end_dim, fn),
              x.dtype, fn)
    return g.reshape(x.shape)


# --------------------------------------------------------------------------
# channel shuffle
# --------------------------------------------------------------------------

def _shuffle_args(input, groups, fn):
    """Check `channel_shuffle`'s arguments; return (x, groups)."""
    x = check_array(input, "input", fn)
    return x, shuffle_groups(fn, x.shape, groups)


def _shuffle(x, groups):
    """View channels as (groups, C // groups), transpose, flatten back."""
    n, c = x.shape[:2]
    rest = x.shape[2:]
    y = x.reshape((n, groups, c // groups) + rest).swapaxes(1, 2)
    return y.reshape(x.shape)


def channel_shuffle(input, groups):
    """Shuffle channels across groups, as ShuffleNet (Zhang et al. 2018).

    Channel ``g * (C // groups) + k`` (member k of group g) moves to
    position ``k * groups + g``, so each group of a following grouped
    convolution sees channels from every group of the previous one.

    Parameters
    ----------
    input : ndarray, shape (N, C, *)
        At least 3-d, as torch requires.
    groups : int
        Positive divisor of C.

    Returns
    -------
    ndarray, shape (N, C, *)
        A copy with the channels permuted.

    Raises
    ------
    ValueError
        If `input` has fewer than 3 dims or `groups` does not divide C.

    Examples
    --------
    >>> channel_shuffle(np.arange(6.).reshape(1, 6, 1), 2)[0, :, 0]
    array([0., 3., 1., 4., 2., 5.])
    """
    x, groups = _shuffle_args(input, groups, "channel_shuffle")
    return _shuffle(x, groups)


def channel_shuffle_backward(grad_output, input, groups):
    """Gradient of `channel_shuffle`: the inverse permutation.

    Shuffling with ``C // groups`` groups undoes shuffling with
    `groups` groups.

    Parameters
    ----------
    grad_output : ndarray, shape (N, C, *)
    input : ndarray, shape (N, C, *)
    groups : int

    Returns
    -------
    ndarray, shape (N, C, *)
    """
    fn = "channel_shuffle_backward"
    x, groups = _shuffle_args(input, groups, fn)
    g = _grad(grad_output, x.shape, x.dtype, fn)
    return _shuffle(g, max(x.shape[1] // groups, 1))
