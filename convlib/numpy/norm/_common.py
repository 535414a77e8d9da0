"""What the four normalisation layers share: the moments, the
normalisation and its backward, the per-channel affine step.

See `convlib.numpy.norm` for the formulas and the numerics.
"""
import numpy as np

from ... import _args
from ..._args import check_array


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
