"""Softmax and log-softmax in PyTorch, from exp, sum and log.

Both subtract the row maximum first (without gradient; the result does
not depend on it) so that no exp overflows. Nothing here calls
``torch.softmax`` or ``torch.nn.functional.log_softmax``.
"""
import torch

from .._args import softmax_dim
from ._common import _check_input

__all__ = ["softmax", "log_softmax"]


def _softmax_args(input, dim, dtype, fn):
    """Check input, cast to dtype, pick torch's legacy default dim."""
    x = _check_input(input, fn)
    if dtype is not None:
        x = x.to(dtype)
    return x, softmax_dim(fn, dim, x.dim())


def _shifted(x, dim):
    """x minus its (gradient-free) max along dim; -inf rows left as is."""
    if x.dim() == 0:
        return x - x.detach()
    top = x.detach().amax(dim=dim, keepdim=True)
    return x - torch.where(torch.isfinite(top), top, torch.zeros_like(top))


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``exp(x_i) / sum_j exp(x_j)`` along `dim`, shifted by the max.

    Parameters
    ----------
    input : Tensor, shape (*)
    dim : int, optional
        None picks torch's legacy default (0 for 0-, 1- and 3-d input,
        else 1).
    _stacklevel : int
        Accepted for signature compatibility; unused.
    dtype : torch.dtype, optional
        Cast `input` to this first.

    Returns
    -------
    Tensor, shape (*)
        Non-negative, summing to 1 along `dim`.

    Raises
    ------
    TypeError, ValueError
        If `input` is not a floating-point tensor or `dim` is out of
        range.
    """
    x, dim = _softmax_args(input, dim, dtype, "softmax")
    e = torch.exp(_shifted(x, dim))
    return e / e.sum(dim=dim, keepdim=True)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``x_i - log(sum_j exp(x_j))`` along `dim`, shifted by the max.

    Parameters
    ----------
    input : Tensor, shape (*)
    dim : int, optional
        As `softmax`.
    _stacklevel : int
        Unused.
    dtype : torch.dtype, optional

    Returns
    -------
    Tensor, shape (*)
        Non-positive; finite wherever the input is.

    Raises
    ------
    TypeError, ValueError
        As `softmax`.
    """
    x, dim = _softmax_args(input, dim, dtype, "log_softmax")
    z = _shifted(x, dim)
    return z - torch.log(torch.exp(z).sum(dim=dim, keepdim=True))
