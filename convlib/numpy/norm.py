"""Normalisation layers in NumPy, forward and backward.

`batch_norm`, `instance_norm`, `layer_norm` and `group_norm` all compute

    y = (x - mean) / sqrt(var + eps) * weight + bias

with the biased variance (divided by the count, not count - 1) and
differ only in which values share a mean and a variance. For an input
(N, C, H, W):

- batch norm: per channel, over (N, H, W) -- or the running
  statistics in evaluation mode;
- instance norm: per (n, c), over (H, W);
- layer norm: per sample, over the trailing `normalized_shape` axes;
- group norm: per (n, group), over the group's C / G channels and
  (H, W).

`weight` and `bias` are one per channel (one per element of
`normalized_shape` for layer norm); either may be None.

Numerics: the mean and the variance are sums accumulated in float64
and the variance is taken in a second pass over the centred values,
never as E[x^2] - E[x]^2, so float32 inputs with a large mean (1e4 and
a spread of 0.1, say) keep their variance; the result is computed in
the input's dtype. In training mode the running statistics are updated
in place with torch's convention, ``running = (1 - momentum) * running
+ momentum * batch``, the variance term being the unbiased one
(count / (count - 1) times the biased variance used to normalise).

Tolerances (tests/test_numpy_norm.py): equal to torch.nn.functional
within rtol 1e-9, atol 1e-10 in float64 (values, gradients and running
statistics) and rtol 1e-4, atol 1e-5 in float32. For float32 data with
a mean of 1e4 and a spread of 0.1, the outputs are within 1e-2 of the
float64 computation on the same values (measured 4.3e-3 to 5.5e-3:
rounding the mean to float32 costs up to half a unit in its last place,
4.9e-4, i.e. 4.9e-3 of the spread; torch's own float32 layers: 7e-3 to
1.3e-2), where a one-pass E[x^2] - E[x]^2 gets the variance wrong by
more than 100 %.

Backward: ``f_backward(grad_output, <f's arguments>)`` returns the
gradient of each array argument in argument order; the running
statistics get None (constants, as in torch, which does not
differentiate them), as do a missing weight or bias. In training mode
the batch statistics are functions of the input and the gradient goes
through them; the backward never updates the running statistics.
"""
import numpy as np

from .. import _args
from .._args import norm as _norm
from .._args import check_array, describe

__all__ = [
    "batch_norm", "batch_norm_backward",
    "instance_norm", "instance_norm_backward",
    "layer_norm", "layer_norm_backward",
    "group_norm", "group_norm_backward",
]


# ---------------------------------------------------------------- helpers

def _optional(value, name, fn):
    return None if value is None else check_array(value, name, fn)


def _shape(array):
    return None if array is None else array.shape


def _as(array, dtype):
    return None if array is None else array.astype(dtype, copy=False)


def _grad(fn, grad_output, x):
    """grad_output as an array of x's shape and dtype."""
    g = check_array(grad_output, "grad_output", fn)
    _args.check_grad_shape(fn, g.shape, x.shape)
    return g.astype(x.dtype, copy=False)


def _moments(x, axes):
    """Mean and biased variance over `axes` (kept as axes of size 1).

    Two passes with float64 sums: the variance is the mean of the
    squared centred values, which stays accurate when the mean is large
    against the spread (E[x^2] - E[x]^2 would cancel).
    """
    mean = x.mean(axis=axes, dtype=np.float64, keepdims=True)
    centred = x - mean.astype(x.dtype)
    var = np.square(centred).mean(axis=axes, dtype=np.float64,
                                  keepdims=True)
    return mean.astype(x.dtype), var.astype(x.dtype)


def _normalise(x, mean, var, eps):
    """``(x - mean) / sqrt(var + eps)`` and the ``1 / sqrt(var + eps)``
    it used."""
    invstd = 1 / np.sqrt(var + eps)
    return (x - mean) * invstd, invstd


def _normalise_backward(g_hat, x_hat, invstd, axes):
    """Gradient w.r.t. x of ``x_hat = (x - mean) * invstd`` when mean
    and variance are x's own, over `axes`.

    ``dx = invstd * (g - mean(g) - x_hat * mean(g * x_hat))``: the two
    means are the paths through the mean and through the variance.
    """
    mean_g = g_hat.mean(axis=axes, keepdims=True)
    mean_gx = (g_hat * x_hat).mean(axis=axes, keepdims=True)
    return invstd * (g_hat - mean_g - x_hat * mean_gx)


def _per_channel(vector, ndim):
    """A (C,) vector shaped to broadcast over (N, C, *) of `ndim` dims."""
    return vector.reshape((1, -1) + (1,) * (ndim - 2))


def _scale_shift(x_hat, weight, bias):
    """``x_hat * weight + bias`` (either may be None, already shaped)."""
    out = x_hat if weight is None else x_hat * weight
    return out if bias is None else out + bias


def _affine_grads(g, x_hat, weight, bias, axes):
    """Gradients of the weight and bias: sums over `axes`."""
    grad_w = None if weight is None else (g * x_hat).sum(axis=axes)
    grad_b = None if bias is None else g.sum(axis=axes)
    return grad_w, grad_b


def _updatable(fn, given, converted, name):
    """The running statistic to update in place: the caller's own
    writeable float array, or a TypeError (a copy would be lost)."""
    if (converted is not given or not converted.flags.writeable):
        raise TypeError(
            f"{fn}: {name} is updated in place in training mode, so it "
            f"must be a writeable float ndarray, got {describe(given)} "
            f"of dtype {getattr(given, 'dtype', type(given).__name__)}")
    return converted


def _record(fn, given, arrays, batch, momentum):
    """Update the running statistics in place with the batch's:
    ``running = momentum * batch + (1 - momentum) * running`` (torch's
    order of terms). Both are checked before either changes."""
    names = ("running_mean", "running_var")
    targets = [_updatable(fn, g, a, name)
               for g, a, name in zip(given, arrays, names)]
    for running, value in zip(targets, batch):
        running[...] = momentum * value + (1 - momentum) * running


# ------------------------------------------------------------- batch norm

def _stat_setup(fn, check, input, running_mean, running_var, weight,
                bias, flag, momentum, eps):
    """Arrays (x, running_mean, running_var, weight, bias) and the
    checked arguments of batch or instance norm."""
    x = check_array(input, "input", fn)
    rm, rv = (_optional(running_mean, "running_mean", fn),
              _optional(running_var, "running_var", fn))
    w, b = _optional(weight, "weight", fn), _optional(bias, "bias", fn)
    a = check(fn, x.shape, _shape(rm), _shape(rv), _shape(w), _shape(b),
              flag, momentum, eps)
    w, b = (None if v is None else _per_channel(v.astype(x.dtype), x.ndim)
            for v in (w, b))
    return x, rm, rv, w, b, a


def _running(x, rm, rv):
    """The running statistics shaped to broadcast over x."""
    return (_per_channel(rm.astype(x.dtype), x.ndim),
            _per_channel(rv.astype(x.dtype), x.ndim))


def batch_norm(input, running_mean, running_var, weight=None, bias=None,
               training=False, momentum=0.1, eps=1e-5):
    """Batch normalisation (Ioffe & Szegedy 2015), torch's semantics.

    Training mode normalises each channel with the mean and biased
    variance of the batch, over (N, *spatial), and updates the running
    statistics in place: ``running_mean = (1 - momentum) *
    running_mean + momentum * mean`` and ``running_var = (1 -
    momentum) * running_var + momentum * unbiased_var``. Evaluation
    mode normalises with the running statistics and changes nothing.

    Parameters
    ----------
    input : ndarray, shape (N, C) or (N, C, *spatial)
        E.g. (N, C, L), (N, C, H, W) or (N, C, D, H, W).
    running_mean, running_var : ndarray, shape (C,), or None
        Required in evaluation mode; optional in training mode, where
        they are updated in place (so they must be writeable float
        ndarrays, not lists).
    weight, bias : ndarray, shape (C,), optional
        Per-channel scale (gamma) and shift (beta).
    training : bool
        Use (and record) the batch's statistics, or the running ones.
    momentum : float
        Weight of the batch in the running average. torch's module
        `nn.BatchNorm2d(momentum=None)` keeps a cumulative average by
        passing ``momentum = 1 / k`` on its k-th batch; None itself is
        refused here, as by ``torch.nn.functional.batch_norm``.
    eps : float
        Added to the variance, >= 0.

    Returns
    -------
    ndarray, shape of `input`
        ``(x - mean) / sqrt(var + eps) * weight + bias``, in the
        input's dtype.

    Raises
    ------
    ValueError
        Input of fewer than 2 dims; statistics, weight or bias not of
        shape (C,); no running statistics in evaluation mode; a single
        value per channel in training mode; eps < 0.
    TypeError
        A non-bool `training`, a non-real momentum or eps, running
        statistics that cannot be updated in place.

    Examples
    --------
    >>> x = np.array([[1.0], [3.0]])
    >>> mean, var = np.zeros(1), np.ones(1)
    >>> batch_norm(x, mean, var, training=True, eps=0.0).ravel()
    array([-1.,  1.])
    >>> mean, var  # 0.1 * 2 and 0.9 + 0.1 * 2 (unbiased variance)
    (array([0.2]), array([1.1]))
    """
    fn = "batch_norm"
    x, rm, rv, w, b, a = _stat_setup(
        fn, _norm.batch_norm_args, input, running_mean, running_var,
        weight, bias, training, momentum, eps)
    if not a.training:
        mean, var = _running(x, rm, rv)
    else:
        mean, var = _moments(x, a.axes)
        if rm is not None:
            unbiased = var * (a.count / (a.count - 1))
            _record(fn, (running_mean, running_var), (rm, rv),
                    (mean.reshape(-1), unbiased.reshape(-1)), a.momentum)
    return _scale_shift(_normalise(x, mean, var, a.eps)[0], w, b)


def batch_norm_backward(grad_output, input, running_mean, running_var,
                        weight=None, bias=None, training=False,
                        momentum=0.1, eps=1e-5):
    """Gradients of `batch_norm` with respect to input, weight and bias.

    With ``x_hat = (x - mean) / sqrt(var + eps)`` per channel and ``g =
    grad_output * weight``: in training mode (statistics of the batch)

        grad_input = (g - mean(g) - x_hat * mean(g * x_hat)) / sqrt(var + eps)

    the means over (N, *spatial); in evaluation mode (running
    statistics, constants) ``grad_input = g / sqrt(running_var + eps)``.
    Always ``grad_weight = sum(grad_output * x_hat)`` and ``grad_bias =
    sum(grad_output)`` over (N, *spatial). The running statistics are
    not updated.

    Parameters
    ----------
    grad_output : ndarray, shape of `input`
        Gradient of the loss with respect to ``batch_norm(input, ...)``.
    input, running_mean, running_var, weight, bias, training, momentum,
    eps
        As given to `batch_norm` (in training mode the running
        statistics are not used and may be None).

    Returns
    -------
    grad_input : ndarray, shape of `input`
    grad_running_mean, grad_running_var : None
        The running statistics are constants.
    grad_weight, grad_bias : ndarray, shape (C,), or None
        None when `weight` / `bias` is None.
    """
    fn = "batch_norm_backward"
    x, rm, rv, w, b, a = _stat_setup(
        fn, _norm.batch_norm_args, input, running_mean, running_var,
        weight, bias, training, momentum, eps)
    g = _grad(fn, grad_output, x)
    stats = _moments(x, a.axes) if a.training else _running(x, rm, rv)
    x_hat, invstd = _normalise(x, *stats, a.eps)
    g_hat = g if w is None else g * w
    if a.training:
        grad_input = _normalise_backward(g_hat, x_hat, invstd, a.axes)
    else:
        grad_input = g_hat * invstd
    return (grad_input, None, None) + _affine_grads(g, x_hat, w, b, a.axes)


# ---------------------------------------------------------- instance norm

def instance_norm(input, running_mean=None, running_var=None, weight=None,
                  bias=None, use_input_stats=True, momentum=0.1,
                  eps=1e-5):
    """Instance normalisation (Ulyanov et al. 2016), torch's semantics.

    Each (sample, channel) is normalised with its own mean and biased
    variance over the spatial axes. With running statistics and
    ``use_input_stats=True`` they are updated in place with the
    average over the batch of the per-instance statistics (unbiased
    variance), as torch does; with ``use_input_stats=False`` the running
    statistics normalise instead (per channel, like `batch_norm` in
    evaluation mode).

    Parameters
    ----------
    input : ndarray, shape (N, C, *spatial)
        E.g. (N, C, L) or (N, C, H, W); more than one spatial element
        when ``use_input_stats``.
    running_mean, running_var : ndarray, shape (C,), optional
        Required when ``use_input_stats=False``; updated in place
        otherwise (writeable float ndarrays).
    weight, bias : ndarray, shape (C,), optional
    use_input_stats : bool
    momentum : float
    eps : float

    Returns
    -------
    ndarray, shape of `input`

    Raises
    ------
    ValueError, TypeError
        As `batch_norm`; also a single spatial element with
        ``use_input_stats=True``.
    """
    fn = "instance_norm"
    x, rm, rv, w, b, a = _stat_setup(
        fn, _norm.instance_norm_args, input, running_mean, running_var,
        weight, bias, use_input_stats, momentum, eps)
    if not a.use_input_stats:
        mean, var = _running(x, rm, rv)
    else:
        mean, var = _moments(x, a.axes)
        if rm is not None:  # the batch's average of each instance's
            unbiased = var * (a.count / (a.count - 1))
            per_channel = [s.reshape(-1, x.shape[1]).mean(axis=0)
                           for s in (mean, unbiased)]
            _record(fn, (running_mean, running_var), (rm, rv),
                    per_channel, a.momentum)
    return _scale_shift(_normalise(x, mean, var, a.eps)[0], w, b)


def instance_norm_backward(grad_output, input, running_mean=None,
                           running_var=None, weight=None, bias=None,
                           use_input_stats=True, momentum=0.1, eps=1e-5):
    """Gradients of `instance_norm` with respect to input, weight, bias.

    As `batch_norm_backward`, the means taken over the spatial axes of
    each (n, c) when ``use_input_stats``; with the running statistics
    the gradient is ``grad_output * weight / sqrt(running_var + eps)``.

    Parameters
    ----------
    grad_output : ndarray, shape of `input`
    input, running_mean, running_var, weight, bias, use_input_stats,
    momentum, eps
        As given to `instance_norm`.

    Returns
    -------
    grad_input : ndarray, shape of `input`
    grad_running_mean, grad_running_var : None
    grad_weight, grad_bias : ndarray, shape (C,), or None
    """
    fn = "instance_norm_backward"
    x, rm, rv, w, b, a = _stat_setup(
        fn, _norm.instance_norm_args, input, running_mean, running_var,
        weight, bias, use_input_stats, momentum, eps)
    g = _grad(fn, grad_output, x)
    use = a.use_input_stats
    stats = _moments(x, a.axes) if use else _running(x, rm, rv)
    x_hat, invstd = _normalise(x, *stats, a.eps)
    g_hat = g if w is None else g * w
    if use:
        grad_input = _normalise_backward(g_hat, x_hat, invstd, a.axes)
    else:
        grad_input = g_hat * invstd
    axes = (0,) + a.axes
    return (grad_input, None, None) + _affine_grads(g, x_hat, w, b, axes)


# ------------------------------------------------------------- layer norm

def _layer_setup(fn, input, normalized_shape, weight, bias, eps):
    x = check_array(input, "input", fn)
    w, b = _optional(weight, "weight", fn), _optional(bias, "bias", fn)
    a = _norm.layer_norm_args(fn, x.shape, normalized_shape, _shape(w),
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
    a = _norm.group_norm_args(fn, x.shape, num_groups, _shape(w),
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
