"""Layer and group normalisation in NumPy, forward and backward:
statistics per sample, over its trailing axes or over each group of
channels; the same in training and evaluation (no running statistics).
"""
from ... import _args
from ..._args import check_array
from ._common import (_affine_grads, _as, _grad, _moments, _normalise,
                      _normalise_backward, _optional, _per_channel,
                      _scale_shift, _shape)

__all__ = ["layer_norm", "layer_norm_backward", "group_norm",
           "group_norm_backward"]


def _layer_setup(fn, input, normalized_shape, weight, bias, eps):
    x = check_array(input, "input", fn)
    w, b = _optional(weight, "weight", fn), _optional(bias, "bias", fn)
    a = _args.layer_norm_args(fn, x.shape, normalized_shape, _shape(w),
                              _shape(b), eps)
    return x, _as(w, x.dtype), _as(b, x.dtype), a


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Layer normalisation (Ba et al. 2016), as torch's.

    Each sample is normalised over its trailing `normalized_shape`
    axes, e.g. (C, H, W) of an (N, C, H, W) input, with its own mean
    and biased variance; no running statistics, the same in training
    and evaluation.

    Parameters
    ----------
    input : ndarray, shape (*, *normalized_shape)
    normalized_shape : tuple or list of int
        The trailing shape of `input` to normalise over (an int is
        refused, as by ``torch.nn.functional.layer_norm``).
    weight, bias : ndarray, shape normalized_shape, optional
        Elementwise scale and shift.
    eps : float

    Returns
    -------
    ndarray, shape of `input`

    Raises
    ------
    ValueError
        `normalized_shape` empty or not the trailing shape of `input`;
        weight or bias not of that shape; eps < 0.
    TypeError
        `normalized_shape` not a tuple or list of ints.
    """
    x, w, b, a = _layer_setup("layer_norm", input, normalized_shape,
                              weight, bias, eps)
    mean, var = _moments(x, a.axes)
    return _scale_shift(_normalise(x, mean, var, a.eps)[0], w, b)


def layer_norm_backward(grad_output, input, normalized_shape, weight=None,
                        bias=None, eps=1e-5):
    """Gradients of `layer_norm` with respect to input, weight and bias.

    As `batch_norm_backward` in training mode, the means taken over the
    trailing `normalized_shape` axes; grad_weight and grad_bias are
    sums over the leading axes.

    Parameters
    ----------
    grad_output : ndarray, shape of `input`
    input, normalized_shape, weight, bias, eps
        As given to `layer_norm`.

    Returns
    -------
    grad_input : ndarray, shape of `input`
    grad_weight, grad_bias : ndarray, shape normalized_shape, or None
    """
    fn = "layer_norm_backward"
    x, w, b, a = _layer_setup(fn, input, normalized_shape, weight, bias,
                              eps)
    g = _grad(fn, grad_output, x)
    x_hat, invstd = _normalise(x, *_moments(x, a.axes), a.eps)
    g_hat = g if w is None else g * w
    grad_input = _normalise_backward(g_hat, x_hat, invstd, a.axes)
    leading = tuple(range(x.ndim - len(a.axes)))
    return (grad_input,) + _affine_grads(g, x_hat, w, b, leading)


# ------------------------------------------------------------- group norm

def _group_setup(fn, input, num_groups, weight, bias, eps):
    x = check_array(input, "input", fn)
    w, b = _optional(weight, "weight", fn), _optional(bias, "bias", fn)
    a = _args.group_norm_args(fn, x.shape, num_groups, _shape(w),
                              _shape(b), eps)
    w, b = (None if v is None else _per_channel(v.astype(x.dtype), x.ndim)
            for v in (w, b))
    return x, w, b, a


def _grouped(x, groups):
    """View (N, C, *) as (N, groups, C / groups * prod(spatial))."""
    return x.reshape(x.shape[0], groups, -1)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Group normalisation (Wu & He 2018), as torch's.

    The C channels are split into `num_groups` groups of C / num_groups
    consecutive channels; each (sample, group) is normalised with the
    mean and biased variance of its channels and spatial positions.
    ``num_groups=1`` normalises each sample over (C, *spatial), like
    `layer_norm` with per-channel affine parameters; ``num_groups=C``
    is `instance_norm`.

    Parameters
    ----------
    input : ndarray, shape (N, C, *spatial)
    num_groups : int
        Divides C.
    weight, bias : ndarray, shape (C,), optional
        Per-channel scale and shift.
    eps : float

    Returns
    -------
    ndarray, shape of `input`

    Raises
    ------
    ValueError
        Input of fewer than 2 dims, num_groups not dividing C, weight or
        bias not of shape (C,), eps < 0.
    TypeError
        A non-integer num_groups.
    """
    x, w, b, a = _group_setup("group_norm", input, num_groups, weight,
                              bias, eps)
    xg = _grouped(x, a.num_groups)
    x_hat = _normalise(xg, *_moments(xg, (2,)), a.eps)[0]
    return _scale_shift(x_hat.reshape(x.shape), w, b)


def group_norm_backward(grad_output, input, num_groups, weight=None,
                        bias=None, eps=1e-5):
    """Gradients of `group_norm` with respect to input, weight and bias.

    As `batch_norm_backward` in training mode, the means taken over
    each (sample, group); grad_weight and grad_bias are per-channel
    sums over (N, *spatial).

    Parameters
    ----------
    grad_output : ndarray, shape of `input`
    input, num_groups, weight, bias, eps
        As given to `group_norm`.

    Returns
    -------
    grad_input : ndarray, shape of `input`
    grad_weight, grad_bias : ndarray, shape (C,), or None
    """
    fn = "group_norm_backward"
    x, w, b, a = _group_setup(fn, input, num_groups, weight, bias, eps)
    g = _grad(fn, grad_output, x)
    xg = _grouped(x, a.num_groups)
    x_hat, invstd = _normalise(xg, *_moments(xg, (2,)), a.eps)
    g_hat = _grouped(g if w is None else g * w, a.num_groups)
    grad_input = _normalise_backward(g_hat, x_hat, invstd, (2,))
    axes = (0,) + tuple(range(2, x.ndim))
    grads = _affine_grads(g, x_hat.reshape(x.shape), w, b, axes)
    return (grad_input.reshape(x.shape),) + grads
