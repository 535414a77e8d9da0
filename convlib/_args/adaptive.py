"""Adaptive and fractional max pooling: output sizes, checked."""
from .base import batched, describe, is_int, is_real, ntuple

__all__ = ["adaptive_size", "fractional_args", "check_samples"]


def adaptive_size(fn, output_size, spatial):
    """output_size as a tuple of positive ints; None keeps the input's.

    An int applies to every dimension; a tuple has one entry (int or
    None) per dimension.
    """
    n = len(spatial)
    if output_size is None or is_int(output_size):
        sizes = (output_size,) * n
    elif isinstance(output_size, (tuple, list)):
        sizes = tuple(output_size)
        if len(sizes) != n:
            raise ValueError(
                f"{fn}: output_size must be an int or a tuple of {n} "
                f"entries, got {output_size!r}")
    else:
        raise TypeError(
            f"{fn}: output_size must be an int or a tuple of {n} ints or "
            f"None, got {describe(output_size)}")
    sizes = tuple(m if o is None else o for o, m in zip(sizes, spatial))
    if not all(is_int(o) for o in sizes):
        raise TypeError(
            f"{fn}: output_size must be an int or a tuple of {n} ints or "
            f"None, got {output_size!r}")
    if any(o < 1 for o in sizes):
        raise ValueError(
            f"{fn}: output_size must be positive, got {output_size!r}")
    return tuple(int(o) for o in sizes)


def _ratio_size(fn, spatial, output_ratio):
    """int(size * ratio) per dim; each ratio must lie in (0, 1)."""
    ratio = output_ratio
    if is_real(ratio):
        ratio = (ratio, ratio)
    if not (isinstance(ratio, (tuple, list)) and len(ratio) == 2
            and all(is_real(r) for r in ratio)):
        raise TypeError(
            f"{fn}: output_ratio must be a number or a tuple of 2 "
            f"numbers, got {describe(output_ratio)}")
    if not all(0 < r < 1 for r in ratio):
        raise ValueError(
            f"{fn}: output_ratio must lie strictly between 0 and 1 (the "
            f"output is smaller than the input), got {output_ratio!r}")
    out = tuple(int(m * r) for m, r in zip(spatial, ratio))
    if any(o < 1 for o in out):
        raise ValueError(
            f"{fn}: output_ratio {output_ratio!r} gives output size {out} "
            f"for input size {tuple(spatial)}; it must be positive")
    return out


def fractional_args(fn, input, kernel_size, output_size, output_ratio):
    """Check a fractional_max_pool2d call, `input` its shape.

    Returns
    -------
    batched : bool
    kernel, out : tuple of 2 ints
        `out` is `output_size`, else ``int(size * output_ratio)``.
    """
    is_batched = batched(fn, input, 2)
    if 0 in tuple(input)[-3:]:
        raise ValueError(
            f"{fn}: input must have non-empty channel and spatial "
            f"dimensions, got shape {tuple(input)}")
    kernel = ntuple(kernel_size, 2, "kernel_size", fn, minimum=1)
    spatial = tuple(input[-2:])
    if output_size is not None:
        out = ntuple(output_size, 2, "output_size", fn, minimum=1)
    elif output_ratio is not None:
        out = _ratio_size(fn, spatial, output_ratio)
    else:
        raise ValueError(
            f"{fn}: output_size or output_ratio must be given, got both "
            f"None")
    if any(o + k - 1 > m for o, k, m in zip(out, kernel, spatial)):
        raise ValueError(
            f"{fn}: kernel_size {kernel} is too large for output size "
            f"{out} and input size {spatial} (need output + kernel - 1 "
            f"<= input)")
    return is_batched, kernel, out


def check_samples(fn, samples, input):
    """fractional_max_pool2d's `_random_samples` shape: (N, C, 2) for
    a batched `input` shape (N, C, H, W)."""
    shape = tuple(input)[:2] + (2,)
    if tuple(samples) != shape:
        raise ValueError(
            f"{fn}: _random_samples must have shape (N, C, 2) = {shape}, "
            f"got {tuple(samples)}")
