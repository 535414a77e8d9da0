"""Batch and instance normalisation in NumPy, forward and backward:
statistics per channel (over the batch) or per (sample, channel), and
running statistics updated in place in training mode.
"""
from ... import _args
from ..._args import check_array
from ._common import (_affine_grads, _grad, _moments, _normalise,
                      _normalise_backward, _optional, _per_channel,
                      _scale_shift, _shape)

__all__ = ["batch_norm", "batch_norm_backward", "instance_norm",
           "instance_norm_backward"]


def _record(fn, why, running, batch, momentum):
    """Update the running statistics, the caller's (running_mean,
    running_var), in place with the batch's: ``running = momentum *
    batch + (1 - momentum) * running`` (torch's order of terms). Both
    are checked before either changes: a list or an int array would be
    converted and the update lost."""
    for value, name in zip(running, ("running_mean", "running_var")):
        _args.check_writeable(value, name, fn, why)
    for stat, value in zip(running, batch):
        stat[...] = momentum * value + (1 - momentum) * stat


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
        fn, _args.batch_norm_args, input, running_mean, running_var,
        weight, bias, training, momentum, eps)
    if not a.training:
        mean, var = _running(x, rm, rv)
    else:
        mean, var = _moments(x, a.axes)
        if rm is not None:
            unbiased = var * (a.count / (a.count - 1))
            _record(fn, "training=True", (running_mean, running_var),
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
        fn, _args.batch_norm_args, input, running_mean, running_var,
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
        fn, _args.instance_norm_args, input, running_mean, running_var,
        weight, bias, use_input_stats, momentum, eps)
    if not a.use_input_stats:
        mean, var = _running(x, rm, rv)
    else:
        mean, var = _moments(x, a.axes)
        if rm is not None:  # the batch's average of each instance's
            unbiased = var * (a.count / (a.count - 1))
            per_channel = [s.reshape(-1, x.shape[1]).mean(axis=0)
                           for s in (mean, unbiased)]
            _record(fn, "use_input_stats=True",
                    (running_mean, running_var), per_channel, a.momentum)
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
        fn, _args.instance_norm_args, input, running_mean, running_var,
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
