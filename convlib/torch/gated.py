"""Gated linear unit (GLU) in PyTorch, from narrow, exp and division.

Nothing here calls ``torch.nn.functional.glu``; autograd derives the
gradient.
"""
import torch

from .._args import glu_dim
from ._common import _check_input

__all__ = ["glu"]


def glu(input, dim=-1):
    """``a * sigmoid(b)``, with ``a`` and ``b`` the halves of `input`.

    Parameters
    ----------
    input : Tensor, shape (*, 2 * m, *)
        Its size along `dim` is even.
    dim : int
        The axis that is halved.

    Returns
    -------
    Tensor, shape (*, m, *)

    Raises
    ------
    TypeError
        If `input` is not a floating-point tensor.
    ValueError
        For a 0-d input, or an odd size along `dim`.
    """
    x = _check_input(input, "glu")
    axis = glu_dim("glu", dim, tuple(x.shape))
    half = x.shape[axis] // 2
    a, b = x.narrow(axis, 0, half), x.narrow(axis, half, half)
    e = torch.exp(-torch.where(b >= 0, b, -b))     # exp(-|b|) <= 1
    gate = torch.where(b >= 0, 1 / (1 + e), e / (1 + e))
    return a * gate
