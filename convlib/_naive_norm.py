"""Normalisation and dropout as plain loops, for `convlib.naive`.

One loop over the groups of values that share a mean and a variance --
the channels for batch norm, each (sample, channel) for instance norm,
each sample for layer norm, each (sample, group) for group norm -- and
inside it the definition: the mean, the biased variance, then
``(x - mean) / sqrt(var + eps) * weight + bias``. `batch_norm_backward`
is the chain rule written out step by step, through the variance and
the mean. Dropout loops over the elements (or channels) it keeps.

The argument checks are `convlib._args.norm`'s, shared with the other
forms. This module never imports torch.
"""
import numpy as np

from . import _args
from ._args import check_array, check_grad_shape

__all__ = ["batch_norm", "batch_norm_backward", "instance_norm",
           "layer_norm", "group_norm", "dropout", "dropout2d"]


def _optional(value, name, fn):
    return None if value is None else check_array(value, name, fn)


def _shape(array):
    return None if array is None else array.shape


def _mean_var(values):
    """Mean and biased variance of an array of values (two passes)."""
    mean = values.sum() / values.size
    var = ((values - mean) ** 2).sum() / values.size
    return mean, var


def _scale(weight, index):
    return 1.0 if weight is None else weight[index]


def _shift(bias, index):
    return 0.0 if bias is None else bias[index]


def _stat_setup(fn, check, input, running_mean, running_var, weight,
                bias, flag, momentum, eps):
    x = check_array(input, "input", fn)
    arrays = [_optional(v, name, fn) for v, name in (
        (running_mean, "running_mean"), (running_var, "running_var"),
        (weight, "weight"), (bias, "bias"))]
    a = check(fn, x.shape, *(_shape(v) for v in arrays), flag, momentum,
              eps)
    return (x,) + tuple(arrays) + (a,)


def _updatable(fn, why, running_mean, running_var):
    """The caller's running statistics, which are updated in place."""
    for value, name in ((running_mean, "running_mean"),
                        (running_var, "running_var")):
        _args.check_writeable(value, name, fn, why)


# ------------------------------------------------------------- batch norm

def batch_norm(input, running_mean, running_var, weight=None, bias=None,
               training=False, momentum=0.1, eps=1e-5):
    """Batch normalisation, as loops over the channels.

    For each channel c, over all its values ``x[:, c]`` (every sample
    and position): in training mode their mean and biased variance
    normalise them, and the running statistics become ``(1 - momentum)
    * running + momentum * batch`` (the unbiased variance, count /
    (count - 1) times the biased one); in evaluation mode the running
    statistics normalise them.

    Parameters
    ----------
    input : ndarray, shape (N, C, *)
    running_mean, running_var : ndarray, shape (C,), or None
        Updated in place in training mode; required in evaluation mode.
    weight, bias : ndarray, shape (C,), optional
    training : bool
    momentum, eps : float

    Returns
    -------
    ndarray, shape of `input`

    Raises
    ------
    ValueError, TypeError
        As `convlib.numpy.batch_norm`.
    """
    fn = "batch_norm"
    x, rm, rv, w, b, a = _stat_setup(
        fn, _args.batch_norm_args, input, running_mean, running_var,
        weight, bias, training, momentum, eps)
    if a.training and rm is not None:
        _updatable(fn, "training=True", running_mean, running_var)
    out = np.empty_like(x)
    for c in range(x.shape[1]):
        values = x[:, c]
        if a.training:
            mean, var = _mean_var(values)
            if rm is not None:
                unbiased = var * values.size / (values.size - 1)
                rm[c] = a.momentum * mean + (1 - a.momentum) * rm[c]
                rv[c] = a.momentum * unbiased + (1 - a.momentum) * rv[c]
        else:
            mean, var = rm[c], rv[c]
        x_hat = (values - mean) / np.sqrt(var + a.eps)
        out[:, c] = x_hat * _scale(w, c) + _shift(b, c)
    return out


def batch_norm_backward(grad_output, input, running_mean, running_var,
                        weight=None, bias=None, training=False,
                        momentum=0.1, eps=1e-5):
    """Gradients of `batch_norm`, the chain rule step by step.

    Per channel, with ``x_hat = (x - mean) / std``, ``std = sqrt(var +
    eps)`` and M values: ``grad_x_hat = grad_output * weight``; in
    training mode the variance and the mean depend on x, so

        grad_var  = sum(grad_x_hat * (x - mean)) * (-1/2) * std**-3
        grad_mean = -sum(grad_x_hat) / std
                    + grad_var * sum(-2 * (x - mean)) / M
        grad_x    = grad_x_hat / std + grad_var * 2 * (x - mean) / M
                    + grad_mean / M

    (the middle term of grad_mean is zero, and kept to show the path);
    in evaluation mode only ``grad_x = grad_x_hat / std``. Always
    ``grad_weight = sum(grad_output * x_hat)``, ``grad_bias =
    sum(grad_output)``.

    Parameters
    ----------
    grad_output : ndarray, shape of `input`
    input, running_mean, running_var, weight, bias, training, momentum,
    eps
        As given to `batch_norm` (the running statistics are not
        updated).

    Returns
    -------
    grad_input : ndarray, shape of `input`
    grad_running_mean, grad_running_var : None
    grad_weight, grad_bias : ndarray, shape (C,), or None
    """
    fn = "batch_norm_backward"
    x, rm, rv, w, b, a = _stat_setup(
        fn, _args.batch_norm_args, input, running_mean, running_var,
        weight, bias, training, momentum, eps)
    grad = check_array(grad_output, "grad_output", fn)
    check_grad_shape(fn, grad.shape, x.shape)
    grad_x = np.empty_like(x)
    grad_w = np.zeros(x.shape[1], dtype=x.dtype)
    grad_b = np.zeros(x.shape[1], dtype=x.dtype)
    for c in range(x.shape[1]):
        values, g = x[:, c], grad[:, c]
        mean, var = _mean_var(values) if a.training else (rm[c], rv[c])
        std = np.sqrt(var + a.eps)
        x_hat = (values - mean) / std
        grad_w[c], grad_b[c] = (g * x_hat).sum(), g.sum()
        grad_x_hat = g * _scale(w, c)
        if not a.training:
            grad_x[:, c] = grad_x_hat / std
            continue
        m = values.size
        grad_var = (grad_x_hat * (values - mean)).sum() * -0.5 * std ** -3
        grad_mean = (-grad_x_hat.sum() / std
                     + grad_var * (-2 * (values - mean)).sum() / m)
        grad_x[:, c] = (grad_x_hat / std + grad_var * 2 * (values - mean)
                        / m + grad_mean / m)
    return (grad_x, None, None, None if w is None else grad_w,
            None if b is None else grad_b)


# ---------------------------------------------- instance, layer and group

def instance_norm(input, running_mean=None, running_var=None, weight=None,
                  bias=None, use_input_stats=True, momentum=0.1,
                  eps=1e-5):
    """Instance normalisation, as loops over (sample, channel).

    Each ``x[n, c]`` (its spatial values) is normalised with its own
    mean and biased variance; the running statistics, if given, are
    updated with the average over the samples of those statistics
    (unbiased variance). With ``use_input_stats=False`` the running
    statistics normalise instead.

    Parameters
    ----------
    input : ndarray, shape (N, C, *spatial)
    running_mean, running_var : ndarray, shape (C,), optional
    weight, bias : ndarray, shape (C,), optional
    use_input_stats : bool
    momentum, eps : float

    Returns
    -------
    ndarray, shape of `input`

    Raises
    ------
    ValueError, TypeError
        As `convlib.numpy.instance_norm`.
    """
    fn = "instance_norm"
    x, rm, rv, w, b, a = _stat_setup(
        fn, _args.instance_norm_args, input, running_mean, running_var,
        weight, bias, use_input_stats, momentum, eps)
    if a.use_input_stats and rm is not None:
        _updatable(fn, "use_input_stats=True", running_mean,
                   running_var)
    n_samples, channels = x.shape[:2]
    out = np.empty_like(x)
    batch_mean, batch_var = np.zeros(channels), np.zeros(channels)
    for n in range(n_samples):
        for c in range(channels):
            values = x[n, c]
            if a.use_input_stats:
                mean, var = _mean_var(values)
                batch_mean[c] += mean / n_samples
                batch_var[c] += (var * values.size / (values.size - 1)
                                 / n_samples)
            else:
                mean, var = rm[c], rv[c]
            x_hat = (values - mean) / np.sqrt(var + a.eps)
            out[n, c] = x_hat * _scale(w, c) + _shift(b, c)
    if a.use_input_stats and rm is not None:
        rm[:] = a.momentum * batch_mean + (1 - a.momentum) * rm
        rv[:] = a.momentum * batch_var + (1 - a.momentum) * rv
    return out


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Layer normalisation, as a loop over the leading positions.

    Each ``x[i]`` (for every index i of the leading axes; the values
    of shape `normalized_shape`) is normalised with its own mean and
    biased variance, then scaled and shifted elementwise.

    Parameters
    ----------
    input : ndarray, shape (*, *normalized_shape)
    normalized_shape : tuple or list of int
    weight, bias : ndarray, shape normalized_shape, optional
    eps : float

    Returns
    -------
    ndarray, shape of `input`

    Raises
    ------
    ValueError, TypeError
        As `convlib.numpy.layer_norm`.
    """
    fn = "layer_norm"
    x = check_array(input, "input", fn)
    w, b = _optional(weight, "weight", fn), _optional(bias, "bias", fn)
    a = _args.layer_norm_args(fn, x.shape, normalized_shape, _shape(w),
                              _shape(b), eps)
    out = np.empty_like(x)
    for lead in np.ndindex(*x.shape[:x.ndim - len(a.normalized_shape)]):
        mean, var = _mean_var(x[lead])
        x_hat = (x[lead] - mean) / np.sqrt(var + a.eps)
        out[lead] = x_hat * (1.0 if w is None else w) + (
            0.0 if b is None else b)
    return out


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Group normalisation, as loops over (sample, group).

    The channels of ``x[n]`` are cut into `num_groups` runs of C /
    num_groups; each run (its channels and positions) is normalised
    with its own mean and biased variance, then each channel is scaled
    and shifted by its weight and bias.

    Parameters
    ----------
    input : ndarray, shape (N, C, *spatial)
    num_groups : int
        Divides C.
    weight, bias : ndarray, shape (C,), optional
    eps : float

    Returns
    -------
    ndarray, shape of `input`

    Raises
    ------
    ValueError, TypeError
        As `convlib.numpy.group_norm`.
    """
    fn = "group_norm"
    x = check_array(input, "input", fn)
    w, b = _optional(weight, "weight", fn), _optional(bias, "bias", fn)
    a = _args.group_norm_args(fn, x.shape, num_groups, _shape(w),
                              _shape(b), eps)
    size = x.shape[1] // a.num_groups
    out = np.empty_like(x)
    for n in range(x.shape[0]):
        for g in range(a.num_groups):
            group = slice(g * size, (g + 1) * size)
            mean, var = _mean_var(x[n, group])
            out[n, group] = (x[n, group] - mean) / np.sqrt(var + a.eps)
        for c in range(x.shape[1]):
            out[n, c] = out[n, c] * _scale(w, c) + _shift(b, c)
    return out


# ---------------------------------------------------------------- dropout

def dropout(input, p=0.5, training=True, inplace=False, generator=None,
            mask=None):
    """Dropout, as a loop over the elements.

    Each element is kept and divided by ``1 - p`` where the mask is 1,
    and set to zero where it is 0 (every element when p = 1); in
    evaluation mode the input is returned unchanged (a copy).

    Parameters
    ----------
    input : ndarray, shape (*)
    p : float
        0 <= p <= 1.
    training, inplace : bool
        `inplace` is ignored.
    generator : numpy.random.Generator, optional
        The mask is ``generator.random(input.shape) >= p``.
    mask : ndarray, shape (*), optional
        1 keeps, 0 drops.

    Returns
    -------
    ndarray, shape (*)

    Raises
    ------
    ValueError, TypeError
        As `convlib.numpy.dropout`.
    """
    fn = "dropout"
    x = check_array(input, "input", fn)
    p, training = _args.dropout_args(fn, p, training, inplace)
    out = x.copy()
    if not training:
        return out
    keep = _args.keep_mask(fn, x.shape, x.dtype, p, generator, mask,
                           channelwise=False)
    for i in np.ndindex(*x.shape):
        out[i] = x[i] / (1 - p) if keep[i] and p < 1 else 0.0
    return out


def dropout2d(input, p=0.5, training=True, inplace=False, generator=None,
              mask=None):
    """Channel dropout, as a loop over (sample, channel).

    Each channel ``x[n, c]`` is kept whole and divided by ``1 - p``
    where the mask is 1, and set to zero where it is 0.

    Parameters
    ----------
    input : ndarray, shape (N, C, H, W) or (N, C, L)
    p : float
    training, inplace : bool
    generator : numpy.random.Generator, optional
        The mask is ``generator.random((N, C, 1, 1)) >= p``.
    mask : ndarray, shape (N, C, 1, 1) or (N, C, 1), optional

    Returns
    -------
    ndarray, shape of `input`

    Raises
    ------
    ValueError, TypeError
        As `convlib.numpy.dropout2d`.
    """
    fn = "dropout2d"
    x = check_array(input, "input", fn)
    p, training = _args.dropout_args(fn, p, training, inplace)
    shape = _args.dropout_mask_shape(fn, x.shape, channelwise=True)
    out = x.copy()
    if not training:
        return out
    keep = _args.keep_mask(fn, shape, x.dtype, p, generator, mask,
                           channelwise=True)
    for n, c in np.ndindex(*x.shape[:2]):
        out[n, c] = x[n, c] / (1 - p) if keep[n, c].all() and p < 1 else 0
    return out
