"""Helpers shared by the activation modules.

Argument checks (`_input`, `_grad`) and `_exp`, an ``exp`` of
non-positive numbers that flushes tiny results to zero.
"""
import numpy as np

from ..._args import check_array


def _input(input, fn):
    """`input` as a float ndarray, for function `fn`."""
    return check_array(input, "input", fn)


def _grad(grad_output, x, fn):
    """`grad_output` as an array of `x`'s shape and dtype."""
    g = check_array(grad_output, "grad_output", fn)
    if g.shape != x.shape:
        raise ValueError(
            f"{fn}: grad_output must have the shape of input {x.shape}, "
            f"got shape {g.shape}")
    return g.astype(x.dtype, copy=False)


def _exp(z):
    """``exp(z)`` for ``z <= 0`` without underflow: tiny results are 0."""
    floor = np.log(np.finfo(z.dtype).tiny) + 2.0
    return np.exp(z, out=np.zeros_like(z), where=z > floor)
