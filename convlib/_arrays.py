"""Array helpers shared by the op modules: padding and window views.

The bottom of convlib: it imports NumPy and nothing of convlib. It holds
`window_count`, the one place the output-size formula is written (the
argument layer, `convlib._args`, builds torch's output sizes on it, and
`sliding_windows` uses it to shape its view), and `pad`, the one place
convlib pads an array: the loops (`convlib.naive`), the vectorised
kernels (`convlib.numpy`) and their reference definitions
(`convlib.numpy._reference`) all call it.
"""
import numpy as np

__all__ = ["window_count", "pad", "sliding_windows", "strided_view"]


def window_count(size, kernel, stride, dilation):
    """How many windows fit along an axis of `size` (already padded).

    A window has `kernel` taps `dilation` apart, so it spans
    ``dilation * (kernel - 1) + 1`` elements; windows start `stride`
    apart, the first at 0. No checks: a span larger than `size` gives
    0 or less.

    Returns
    -------
    int
        ``(size - dilation * (kernel - 1) - 1) // stride + 1``.
    """
    return (size - dilation * (kernel - 1) - 1) // stride + 1


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
    if any(hi < 0 for _, hi in pads):  # crop first
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


def sliding_windows(padded, kernel_size, stride, dilation):
    """Strided view of every window of the last len(kernel_size) axes.

    Parameters
    ----------
    padded : ndarray, shape (..., *spatial)
        Already padded input.
    kernel_size, stride, dilation : tuple of int
        One entry per spatial dimension.

    Returns
    -------
    ndarray, shape (..., *out, *kernel_size)
        A read-only view (no copy); ``out[d] = window_count(spatial[d],
        kernel_size[d], stride[d], dilation[d])``.
    """
    n = len(kernel_size)
    strides = padded.strides[-n:]
    out, steps, taps = [], [], []
    for size, k, s, d, st in zip(padded.shape[-n:], kernel_size, stride,
                                 dilation, strides):
        out.append(window_count(size, k, s, d))
        steps.append(st * s)
        taps.append(st * d)
    return strided_view(
        padded, padded.shape[:-n] + tuple(out) + tuple(kernel_size),
        padded.strides[:-n] + tuple(steps) + tuple(taps))


def strided_view(base, shape, strides):
    """A read-only view of `base` with the given shape and byte strides.

    Like ``np.lib.stride_tricks.as_strided(..., writeable=False)``, and
    as unchecked: every position must lie inside `base`. For a
    C-contiguous base it builds the view directly, four times faster.
    """
    if base.flags.c_contiguous:
        view = np.ndarray(shape, base.dtype, buffer=base, strides=strides)
    else:
        view = np.lib.stride_tricks.as_strided(base, shape, strides,
                                               writeable=False)
    view.flags.writeable = False
    return view
