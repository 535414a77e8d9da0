"""Normalisation layers in PyTorch, built from means, sums and
broadcasting; autograd derives the backward passes.

``y = (x - mean) / sqrt(var + eps) * weight + bias`` with the biased
variance, the four layers differing only in the axes of the statistics
(see `convlib.numpy.norm`). As there, the statistics are accumulated
in float64 and the variance taken over the centred values, and in
training mode the running statistics are updated in place (without
autograd) with torch's momentum convention and the unbiased variance.
In evaluation mode the running statistics are constants (detached).
Nothing here calls ``torch.nn.functional.batch_norm`` or its kin.
"""
import torch

from .._args import (batch_norm_args, group_norm_args, instance_norm_args,
                     layer_norm_args)
from ._common import _check_input, _shape

__all__ = ["batch_norm", "instance_norm", "layer_norm", "group_norm"]


def _moments(x, dims):
    """Mean and biased variance over `dims` (kept), two passes with
    float64 sums: accurate when the mean is large against the spread."""
    mean = x.mean(dim=dims, keepdim=True, dtype=torch.float64).to(x.dtype)
    centred = x - mean
    var = (centred * centred).mean(dim=dims, keepdim=True,
                                   dtype=torch.float64).to(x.dtype)
    return mean, var


def _normalise(x, mean, var, eps):
    return (x - mean) / torch.sqrt(var + eps)


def _per_channel(vector, ndim):
    """A (C,) tensor shaped to broadcast over (N, C, *); None stays."""
    if vector is None:
        return None
    return vector.reshape((1, -1) + (1,) * (ndim - 2))


def _scale_shift(x_hat, weight, bias):
    out = x_hat if weight is None else x_hat * weight
    return out if bias is None else out + bias


def _record(running, batch, momentum):
    """``running = momentum * batch + (1 - momentum) * running`` in
    place, outside autograd, for (running_mean, running_var)."""
    with torch.no_grad():
        for stat, value in zip(running, batch):
            stat.copy_(momentum * value.detach()
                       + (1 - momentum) * stat)


def _stat_setup(fn, check, input, running_mean, running_var, weight,
                bias, flag, momentum, eps):
    """Check batch or instance norm's call; return the arguments."""
    _check_input(input, fn)
    shapes = [_shape(v, name, fn) for v, name in (
        (running_mean, "running_mean"), (running_var, "running_var"),
        (weight, "weight"), (bias, "bias"))]
    return check(fn, tuple(input.shape), *shapes, flag, momentum, eps)


def _running(x, running_mean, running_var):
    """The running statistics, constants shaped to broadcast over x."""
    return (_per_channel(running_mean.detach(), x.dim()),
            _per_channel(running_var.detach(), x.dim()))


def batch_norm(input, running_mean, running_var, weight=None, bias=None,
               training=False, momentum=0.1, eps=1e-5):
    """Batch normalisation, as ``torch.nn.functional.batch_norm``.

    Training mode: each channel normalised with the batch's mean and
    biased variance over (N, *spatial); the running statistics, if
    given, updated in place with momentum and the unbiased variance.
    Evaluation mode: the running statistics normalise.

    Parameters
    ----------
    input : Tensor, shape (N, C) or (N, C, *spatial)
    running_mean, running_var : Tensor, shape (C,), or None
        Required in evaluation mode.
    weight, bias : Tensor, shape (C,), optional
    training : bool
    momentum : float
        ``running = (1 - momentum) * running + momentum * batch``; None
        is refused, as by torch's functional form.
    eps : float
        >= 0.

    Returns
    -------
    Tensor, shape of `input`

    Raises
    ------
    TypeError, ValueError
        As `convlib.numpy.batch_norm`.
    """
    fn = "batch_norm"
    a = _stat_setup(fn, batch_norm_args, input, running_mean, running_var,
                    weight, bias, training, momentum, eps)
    x = input
    if not a.training:
        mean, var = _running(x, running_mean, running_var)
    else:
        mean, var = _moments(x, a.axes)
        if running_mean is not None:
            unbiased = var * (a.count / (a.count - 1))
            _record((running_mean, running_var),
                    (mean.reshape(-1), unbiased.reshape(-1)), a.momentum)
    return _scale_shift(_normalise(x, mean, var, a.eps),
                        _per_channel(weight, x.dim()),
                        _per_channel(bias, x.dim()))


def instance_norm(input, running_mean=None, running_var=None, weight=None,
                  bias=None, use_input_stats=True, momentum=0.1,
                  eps=1e-5):
    """Instance normalisation, as ``torch.nn.functional.instance_norm``.

    Each (sample, channel) normalised over its spatial axes; running
    statistics updated with the batch's average of the per-instance
    statistics, or used instead when ``use_input_stats=False``.

    Parameters
    ----------
    input : Tensor, shape (N, C, *spatial)
    running_mean, running_var : Tensor, shape (C,), optional
    weight, bias : Tensor, shape (C,), optional
    use_input_stats : bool
    momentum, eps : float

    Returns
    -------
    Tensor, shape of `input`

    Raises
    ------
    TypeError, ValueError
        As `convlib.numpy.instance_norm`.
    """
    fn = "instance_norm"
    a = _stat_setup(fn, instance_norm_args, input, running_mean,
                    running_var, weight, bias, use_input_stats, momentum,
                    eps)
    x = input
    if not a.use_input_stats:
        mean, var = _running(x, running_mean, running_var)
    else:
        mean, var = _moments(x, a.axes)
        if running_mean is not None:
            unbiased = var * (a.count / (a.count - 1))
            _record((running_mean, running_var),
                    [s.reshape(x.shape[0], -1).mean(dim=0)
                     for s in (mean, unbiased)], a.momentum)
    return _scale_shift(_normalise(x, mean, var, a.eps),
                        _per_channel(weight, x.dim()),
                        _per_channel(bias, x.dim()))


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Layer normalisation, as ``torch.nn.functional.layer_norm``.

    Parameters
    ----------
    input : Tensor, shape (*, *normalized_shape)
    normalized_shape : tuple or list of int
        The trailing shape normalised over.
    weight, bias : Tensor, shape normalized_shape, optional
    eps : float

    Returns
    -------
    Tensor, shape of `input`

    Raises
    ------
    TypeError, ValueError
        As `convlib.numpy.layer_norm`.
    """
    fn = "layer_norm"
    _check_input(input, fn)
    a = layer_norm_args(fn, tuple(input.shape), normalized_shape,
                        _shape(weight, "weight", fn),
                        _shape(bias, "bias", fn), eps)
    x_hat = _normalise(input, *_moments(input, a.axes), a.eps)
    return _scale_shift(x_hat, weight, bias)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Group normalisation, as ``torch.nn.functional.group_norm``.

    Each (sample, group of C / num_groups channels) normalised over
    its channels and spatial positions.

    Parameters
    ----------
    input : Tensor, shape (N, C, *spatial)
    num_groups : int
        Divides C.
    weight, bias : Tensor, shape (C,), optional
    eps : float

    Returns
    -------
    Tensor, shape of `input`

    Raises
    ------
    TypeError, ValueError
        As `convlib.numpy.group_norm`.
    """
    fn = "group_norm"
    _check_input(input, fn)
    a = group_norm_args(fn, tuple(input.shape), num_groups,
                        _shape(weight, "weight", fn),
                        _shape(bias, "bias", fn), eps)
    grouped = input.reshape(input.shape[0], a.num_groups, -1)
    x_hat = _normalise(grouped, *_moments(grouped, (2,)), a.eps)
    return _scale_shift(x_hat.reshape(input.shape),
                        _per_channel(weight, input.dim()),
                        _per_channel(bias, input.dim()))
