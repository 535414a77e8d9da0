"""Blur pooling (Zhang 2019): arguments, padding and the filter.

A blur pool is a fixed low-pass filter applied to each channel, then
subsampling: the binomial filter of `kernel_size` taps per axis, the
input padded by ``(k - 1) // 2`` cells before and ``k // 2`` after on
each axis (antialiased-cnns' ``BlurPool``), so the output has
``ceil(n / stride)`` cells. The padding repeats the input as
`padding_mode` says, in the names of ``torch.nn.Conv2d``.
"""
import math
from typing import NamedTuple

from .base import batched, describe, ntuple

__all__ = ["BlurArgs", "PADDING_MODES", "blur_pool_args", "blur_filter"]

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class BlurArgs(NamedTuple):
    """A checked blur-pooling call (pairs per spatial axis)."""
    batched: bool  # input had a batch axis
    kernel: tuple
    stride: tuple
    pads: tuple  # ((before, after) rows, (before, after) columns)
    padding_mode: str
    out: tuple  # spatial output size, ceil(n / stride)


def blur_pool_args(fn, shape, kernel_size, stride, padding_mode):
    """Check a 2-D blur pooling of an input of `shape` ((N,) C, H, W).

    Raises
    ------
    TypeError
        Non-integer sizes, a padding_mode that is not a string.
    ValueError
        Wrong ndim, sizes below 1, an unknown padding_mode, or an input
        too small for the padding: 'reflect' needs more cells than the
        padding on each side, 'circular' at least as many.
    """
    is_batched = batched(fn, shape, 2)
    kernel = ntuple(kernel_size, 2, "kernel_size", fn, minimum=1)
    stride = ntuple(stride, 2, "stride", fn, minimum=1)
    if not isinstance(padding_mode, str):
        raise TypeError(f"{fn}: padding_mode must be one of "
                        f"{', '.join(map(repr, PADDING_MODES))}, got "
                        f"{describe(padding_mode)}")
    if padding_mode not in PADDING_MODES:
        raise ValueError(f"{fn}: padding_mode must be one of "
                         f"{', '.join(map(repr, PADDING_MODES))}, got "
                         f"{padding_mode!r}")
    spatial = tuple(shape[-2:])
    pads = tuple(((k - 1) // 2, k // 2) for k in kernel)
    for size, (_, after) in zip(spatial, pads):
        if (padding_mode == "reflect" and after >= size) or (
                padding_mode == "circular" and after > size):
            need = "more than" if padding_mode == "reflect" else "at least"
            raise ValueError(
                f"{fn}: padding_mode={padding_mode!r} needs an input with "
                f"{need} {after} cells (the padding of kernel_size "
                f"{kernel}) in every dimension, got input size {spatial}")
    out = tuple(-(-n // s) for n, s in zip(spatial, stride))
    return BlurArgs(is_batched, kernel, stride, pads, padding_mode, out)


def blur_filter(kernel):
    """The normalised binomial filter of ``kernel = (kh, kw)`` taps, as
    nested lists: the outer product of the rows of Pascal's triangle
    ``C(k - 1, i)``, divided by its sum ``2 ** (kh + kw - 2)``."""
    rows = [[math.comb(k - 1, i) for i in range(k)] for k in kernel]
    total = 2 ** (sum(kernel) - 2)
    return [[a * b / total for b in rows[1]] for a in rows[0]]
