"""Gated linear unit (GLU), forward and backward.

``glu(x) = a * sigmoid(b)`` where ``a`` and ``b`` are the two halves of
`x` along `dim` (Dauphin et al. 2017). SwiGLU and the other GLU variants
(Shazeer 2020) swap the sigmoid for another activation; they are a
linear layer followed by such a product, not a new elementwise op.
"""
import numpy as np

from ..._args import glu_dim
from ._common import _grad, _input
from .smooth import _sigmoid, _sigmoid_parts

__all__ = ["glu", "glu_backward"]


def _halves(x, fn, dim):
    """``(a, b, axis)``: the two halves of `x` along `dim`."""
    axis = glu_dim(fn, dim, x.shape)
    a, b = np.split(x, 2, axis=axis)
    return a, b, axis


def glu(input, dim=-1):
    """Gated linear unit: ``a * sigmoid(b)``, ``a, b`` the halves of x.

    Parameters
    ----------
    input : ndarray, shape (*, 2 * m, *)
        Its size along `dim` is even: the first half ``a`` is gated by
        the sigmoid of the second half ``b``.
    dim : int
        The axis that is halved (negative counts from the end).

    Returns
    -------
    ndarray, shape (*, m, *)
        Same dtype as `input`; the size along `dim` halved.

    Raises
    ------
    ValueError
        For a 0-d input, or an odd size along `dim`.
    """
    a, b, _ = _halves(_input(input, "glu"), "glu", dim)
    return a * _sigmoid(b)


def glu_backward(grad_output, input, dim=-1):
    """Gradient of `glu` with respect to `input`.

    Parameters
    ----------
    grad_output : ndarray, shape (*, m, *)
        Gradient of the loss with respect to ``glu(input, dim)``.
    input : ndarray, shape (*, 2 * m, *)
        The input given to `glu`.
    dim : int
        As given to `glu`.

    Returns
    -------
    ndarray, shape (*, 2 * m, *)
        ``g * sigmoid(b)`` for the first half and
        ``g * a * sigmoid'(b)`` for the second, joined along `dim`.
    """
    fn = "glu_backward"
    x = _input(input, fn)
    a, b, axis = _halves(x, fn, dim)
    g = _grad(grad_output, a, fn)
    s, ds = _sigmoid_parts(b)
    return np.concatenate([g * s, g * a * ds], axis=axis).astype(x.dtype)
