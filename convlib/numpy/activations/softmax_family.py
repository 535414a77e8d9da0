"""softmax and log_softmax, forward and backward."""
import numpy as np

from ..._args import softmax_dim
from ._common import _exp, _grad, _input

__all__ = [
    "softmax", "softmax_backward", "log_softmax", "log_softmax_backward",
]


def _softmax_args(input, dim, dtype, fn):
    """``(x, axis)``: `input` cast to `dtype` with a dim for 0-d input.

    ``dim=None`` follows torch's legacy rule: dim 0 for 0-, 1- and 3-d
    input, dim 1 otherwise.
    """
    x = _input(input, fn)
    if dtype is not None:
        try:
            dt = np.dtype(dtype)
        except TypeError as exc:
            raise TypeError(
                f"{fn}: dtype must be a NumPy float dtype or None, "
                f"got {dtype!r}") from exc
        if dt.kind != "f":
            raise TypeError(
                f"{fn}: dtype must be a float dtype, got {dt}")
        x = x.astype(dt)
    return x, softmax_dim(fn, dim, x.ndim)


def _log_softmax(x, axis):
    """``x - logsumexp(x)`` along `axis` of a >= 1-d array."""
    z = x - np.max(x, axis=axis, keepdims=True, initial=-np.inf)
    return z - np.log(np.sum(_exp(z), axis=axis, keepdims=True))


def _softmax(x, axis):
    z = x - np.max(x, axis=axis, keepdims=True, initial=-np.inf)
    e = _exp(z)
    return e / np.sum(e, axis=axis, keepdims=True)


def softmax(input, dim=None, dtype=None):
    """Softmax ``exp(x) / sum(exp(x))`` along `dim`.

    Parameters
    ----------
    input : ndarray, shape (*)
    dim : int, optional
        Axis to normalise.  None follows torch's deprecated implicit rule
        (dim 0 for 0-, 1- and 3-d input, dim 1 otherwise) but, unlike
        torch, without a warning: pass `dim` to be explicit.
    dtype : numpy float dtype, optional
        Cast `input` to it first; the output has this dtype.

    Returns
    -------
    ndarray, shape (*)
        Same shape as `input`; sums to 1 along `dim`.

    Notes
    -----
    The maximum along `dim` is subtracted before ``exp``, so nothing
    overflows.
    """
    x, axis = _softmax_args(input, dim, dtype, "softmax")
    return _softmax(x.reshape(x.shape or (1,)), axis).reshape(x.shape)


def softmax_backward(grad_output, input, dim=None, dtype=None):
    """Gradient of `softmax`: ``y * (g - sum(g * y, dim))``.

    Parameters
    ----------
    grad_output : ndarray, shape (*)
        Gradient with respect to ``softmax(input, dim, dtype)``.
    input : ndarray, shape (*)
    dim, dtype
        As given to `softmax`.

    Returns
    -------
    ndarray, shape (*)
        Gradient with respect to `input`, in `input`'s dtype.
    """
    fn = "softmax_backward"
    x, axis = _softmax_args(input, dim, dtype, fn)
    g = _grad(grad_output, x, fn).reshape(x.shape or (1,))
    y = _softmax(x.reshape(x.shape or (1,)), axis)
    grad = y * (g - np.sum(g * y, axis=axis, keepdims=True))
    return grad.reshape(x.shape).astype(_input(input, fn).dtype)


def log_softmax(input, dim=None, dtype=None):
    """Log of `softmax`: ``x - logsumexp(x)`` along `dim`.

    Parameters
    ----------
    input : ndarray, shape (*)
    dim : int, optional
        As for `softmax` (None: torch's implicit rule, no warning).
    dtype : numpy float dtype, optional
        Cast `input` to it first.

    Returns
    -------
    ndarray, shape (*)
        Same shape as `input`, values <= 0; finite for finite input
        however large (the maximum is subtracted first).
    """
    x, axis = _softmax_args(input, dim, dtype, "log_softmax")
    return _log_softmax(x.reshape(x.shape or (1,)), axis).reshape(x.shape)


def log_softmax_backward(grad_output, input, dim=None, dtype=None):
    """Gradient of `log_softmax`: ``g - softmax(x) * sum(g, dim)``.

    Parameters
    ----------
    grad_output : ndarray, shape (*)
        Gradient with respect to ``log_softmax(input, dim, dtype)``.
    input : ndarray, shape (*)
    dim, dtype
        As given to `log_softmax`.

    Returns
    -------
    ndarray, shape (*)
        Gradient with respect to `input`, in `input`'s dtype.
    """
    fn = "log_softmax_backward"
    x, axis = _softmax_args(input, dim, dtype, fn)
    g = _grad(grad_output, x, fn).reshape(x.shape or (1,))
    y = _exp(_log_softmax(x.reshape(x.shape or (1,)), axis))
    grad = g - y * np.sum(g, axis=axis, keepdims=True)
    return grad.reshape(x.shape).astype(_input(input, fn).dtype)
