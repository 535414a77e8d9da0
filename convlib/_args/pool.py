"""Max, average and LP pooling and max unpooling: arguments and sizes.

torch's rules: `stride` None (or empty) means `kernel_size`; padding
at most half the kernel; in ceil mode the last window must start inside
the input or its left padding; flags are real bools.
"""
from typing import NamedTuple

from .._arrays import window_count
from .base import (batched, check_bool, describe, is_int, is_real, memoised,
                   ntuple)

__all__ = ["PoolArgs", "extent", "pool_params", "pool_size", "pool_geometry",
           "max_pool_args", "avg_pool_args", "window_counts",
           "check_divisor", "check_norm", "unpool_args", "first_inside",
           "pool_input"]


class PoolArgs(NamedTuple):
    """A checked pooling call (tuples have one entry per dim)."""
    batched: bool  # input had a batch axis
    kernel: tuple
    stride: tuple
    padding: tuple
    dilation: tuple
    ceil_mode: bool
    out: tuple  # spatial output size


def pool_params(fn, n, kernel_size, stride, padding, dilation=1):
    """kernel, stride, padding, dilation as n-tuples, checked.

    Raises
    ------
    ValueError
        Sizes below 1, negative padding, or padding above half the
        kernel in some dimension.
    TypeError
        Non-integer values.
    """
    kernel = ntuple(kernel_size, n, "kernel_size", fn, minimum=1)
    if stride is None or (isinstance(stride, (tuple, list))
                          and len(stride) == 0):
        stride = kernel  # torch's default: non-overlapping windows
    stride = ntuple(stride, n, "stride", fn, minimum=1)
    padding = ntuple(padding, n, "padding", fn, minimum=0)
    dilation = ntuple(dilation, n, "dilation", fn, minimum=1)
    if any(2 * p > k for p, k in zip(padding, kernel)):
        raise ValueError(
            f"{fn}: padding must be at most half of kernel_size in every "
            f"dimension, got padding={padding} with kernel_size={kernel}")
    return kernel, stride, padding, dilation


def pool_size(size, k, s, p, d, ceil_mode):
    """One dimension of torch's pooling output size (no checks).

    The convolution's size: the windows that fit in the padded input
    (`window_count`). In ceil mode the division rounds up, as torch
    writes it, by counting in a size ``stride - 1`` larger -- but a
    last window that would start past the input and its left padding
    is dropped.
    """
    if not ceil_mode:
        return window_count(size + 2 * p, k, s, d)
    out = window_count(size + 2 * p + s - 1, k, s, d)
    if (out - 1) * s >= size + p:
        out -= 1  # the last window must start inside input or left pad
    return out


def extent(out, k, s, d):
    """Input span that `out` windows read along one dimension (the
    output-size formula solved for the padded input size)."""
    return (out - 1) * s + d * (k - 1) + 1


def pool_geometry(fn, spatial, kernel_size, stride, padding, dilation,
                  ceil_mode):
    """Check the arguments; return (kernel, stride, padding, dilation,
    ceil_mode, out) for an input of spatial size `spatial`."""
    params = pool_params(fn, len(spatial), kernel_size, stride, padding,
                         dilation)
    ceil_mode = check_bool(ceil_mode, "ceil_mode", fn)
    out = tuple(pool_size(*a, ceil_mode) for a in zip(spatial, *params))
    if any(o < 1 for o in out):
        kernel, _, padding, dilation = params
        raise ValueError(
            f"{fn}: kernel_size {kernel} with dilation {dilation} does "
            f"not fit: input size {tuple(spatial)} with padding "
            f"{padding} gives output size {out}")
    return params + (ceil_mode, out)


def pool_input(fn, n, shape):
    """Batch flag of a pooling input; channels and sizes must be > 0."""
    is_batched = batched(fn, shape, n)
    if 0 in tuple(shape)[-n - 1:]:
        raise ValueError(
            f"{fn}: input must have non-empty channel and spatial "
            f"dimensions, got shape {tuple(shape)}")
    return is_batched


@memoised
def max_pool_args(fn, n, input, kernel_size, stride, padding, dilation,
                  ceil_mode, return_indices):
    """Check a max_pool{n}d call, `input` its shape; see `PoolArgs`."""
    check_bool(return_indices, "return_indices", fn)
    is_batched = pool_input(fn, n, input)
    return PoolArgs(is_batched, *pool_geometry(
        fn, tuple(input[-n:]), kernel_size, stride, padding, dilation,
        ceil_mode))


@memoised
def avg_pool_args(fn, n, input, kernel_size, stride, padding, ceil_mode,
                  count_include_pad, divisor_override):
    """Check an avg_pool{n}d call; return (PoolArgs, count_include_pad).

    Like torch, avg_pool3d refuses an input smaller than the kernel
    even when padding would make room.
    """
    is_batched = pool_input(fn, n, input)
    args = PoolArgs(is_batched, *pool_geometry(
        fn, tuple(input[-n:]), kernel_size, stride, padding, 1,
        ceil_mode))
    include = check_bool(count_include_pad, "count_include_pad", fn)
    check_divisor(fn, divisor_override)
    if n == 3 and any(m < k for m, k in zip(input[-n:], args.kernel)):
        raise ValueError(
            f"{fn}: kernel_size {args.kernel} must not exceed the input "
            f"size {tuple(input[-n:])} in any dimension")
    return args, include


def window_counts(size, out, k, s, p, count_include_pad):
    """Divisor of each average-pooling window along one dimension.

    The window's length clipped to the padded input (a ceil-mode
    window may hang past it), or with ``count_include_pad=False`` to
    the input itself. A list of `out` ints.
    """
    counts = []
    for i in range(out):
        start = i * s - p
        end = min(start + k, size + p)
        if not count_include_pad:
            start, end = max(start, 0), min(end, size)
        counts.append(end - start)
    return counts


def check_divisor(fn, divisor_override):
    """None or a non-zero int, as torch (a negative divisor is allowed)."""
    if divisor_override is None:
        return None
    if not is_int(divisor_override):
        raise TypeError(
            f"{fn}: divisor_override must be None or a non-zero int, "
            f"got {describe(divisor_override)}")
    if divisor_override == 0:
        raise ValueError(
            f"{fn}: divisor_override must be None or a non-zero int, "
            f"got 0")
    return int(divisor_override)


def check_norm(fn, norm_type):
    """LP pooling's norm_type: a real number, non-zero (NaN is allowed,
    as torch allows it: the output is NaN)."""
    if not is_real(norm_type):
        raise TypeError(
            f"{fn}: norm_type must be a real number, got "
            f"{describe(norm_type)}")
    if norm_type == 0:
        raise ValueError(f"{fn}: norm_type must be non-zero, got 0")
    return float(norm_type)


def first_inside(start, d):
    """`start` moved forward in steps of `d` until it is >= 0.

    Where torch's max pooling reports a window whose values are all
    -inf (or that lies wholly in the padding): its first position.
    """
    return start - min(start, 0) // d * d


def _unpool_size(fn, spatial, kernel, stride, padding, output_size):
    n = len(kernel)
    default = tuple((i - 1) * s + k - 2 * p for i, k, s, p
                    in zip(spatial, kernel, stride, padding))
    if output_size is None:
        size = default
    else:
        if not (isinstance(output_size, (tuple, list))
                and all(is_int(o) for o in output_size)):
            raise TypeError(
                f"{fn}: output_size must be None or a sequence of ints, "
                f"got {describe(output_size)}")
        size = tuple(int(o) for o in output_size)
        size = size[2:] if len(size) == n + 2 else size
        if len(size) != n or not all(
                d - s < o < d + s for o, d, s in zip(size, default, stride)):
            raise ValueError(
                f"{fn}: output_size must have {n} or {n + 2} entries, "
                f"each within stride of the default size {default}, "
                f"got {output_size!r}")
    if any(o < 1 for o in size):
        raise ValueError(
            f"{fn}: output size must be positive, got {size} (from "
            f"kernel_size {kernel}, stride {stride}, padding {padding})")
    return size


def unpool_args(fn, n, input, indices, kernel_size, stride, padding,
                output_size):
    """Check a max_unpool{n}d call from the shapes of input and indices.

    Returns
    -------
    batched : bool
    size : tuple of int
        Spatial output size: ``(in - 1)*stride - 2*padding + kernel``
        per dim, or `output_size` when given (within stride of that).
    """
    is_batched = pool_input(fn, n, input)
    if tuple(indices) != tuple(input):
        raise ValueError(
            f"{fn}: indices must have the shape of input "
            f"{tuple(input)}, got {tuple(indices)}")
    kernel = ntuple(kernel_size, n, "kernel_size", fn, minimum=1)
    stride = kernel if stride is None else ntuple(  # torch refuses ()
        stride, n, "stride", fn, minimum=1)
    padding = ntuple(padding, n, "padding", fn, minimum=0)
    return is_batched, _unpool_size(fn, tuple(input[-n:]), kernel, stride,
                                    padding, output_size)
