"""Array helpers shared by the op modules (NumPy only).

`pad` is the one place convlib pads an array: the loops
(`convlib.naive`), the vectorised kernels (`convlib.numpy`) and their
reference definitions (`convlib.numpy._reference`) all call it.
"""
import numpy as np


def pad(x, pads, value=0.0):
    """Pad the spatial axes of x (N, C, *S) with a constant.

    Parameters
    ----------
    x : ndarray, shape (N, C, *S)
    pads : sequence of (int, int)
        (before, after) per spatial axis. A negative `after` crops that
        many entries from the end instead (pooling's last windows may
        stop short of the input's end); `before` is >= 0.
    value : float
        What the padding holds: 0 for convolution and average pooling,
        -inf for max pooling.

    Returns
    -------
    ndarray, shape (N, C, *(S + before + after))
        A new array, or `x` itself when there is nothing to add or
        crop (callers only read it).
    """
    if not any(lo or hi for lo, hi in pads):
        return x
    keep = tuple(slice(0, max(0, s + min(hi, 0)))
                 for s, (_, hi) in zip(x.shape[2:], pads))
    x = x[(Ellipsis,) + keep]
    shape = x.shape[:2] + tuple(s + lo + max(hi, 0) for s, (lo, hi)
                                in zip(x.shape[2:], pads))
    out = (np.zeros(shape, x.dtype) if value == 0
           else np.full(shape, value, x.dtype))
    out[(Ellipsis,) + tuple(slice(lo, lo + s) for s, (lo, _)
                            in zip(x.shape[2:], pads))] = x
    return out
