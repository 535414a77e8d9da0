"""Helpers shared by the convlib.torch op modules.

Argument checks that raise TypeError/ValueError naming the function and
the argument, padding, and the one window-extraction helper: a strided
view over the padded input (`Tensor.unfold`) that serves convolution and
every sliding-window pooling op.
"""
import torch
import torch.nn.functional as F  # F.pad only

from .. import _args


# ------------------------------------------------------------ arguments

def _check_input(input, fn):
    """Raise TypeError unless `input` is a floating-point tensor."""
    if not isinstance(input, torch.Tensor):
        raise TypeError(
            f"{fn}: input must be a torch.Tensor, "
            f"got {type(input).__name__}")
    if not input.is_floating_point():
        raise TypeError(
            f"{fn}: input must be a floating-point tensor, "
            f"got dtype {input.dtype}")
    return input


def _check_tensor(value, name, fn):
    """Raise TypeError unless `value` is a torch.Tensor."""
    if not isinstance(value, torch.Tensor):
        raise TypeError(
            f"{fn}: {name} must be a torch.Tensor, "
            f"got {type(value).__name__}")
    return value


def _batched(input, n, fn, name="input"):
    """Return `input` with a batch axis, and whether one was added.

    Parameters
    ----------
    input : Tensor, shape (N, C, *spatial) or (C, *spatial)
        `spatial` has `n` axes.

    Returns
    -------
    Tensor, shape (N, C, *spatial)
    bool
        True when `input` was unbatched (remove the axis afterwards).
    """
    _check_tensor(input, name, fn)
    if _args.batched(fn, tuple(input.shape), n, name):
        return input, False
    return input.unsqueeze(0), True


def _shape(value, name="input", fn=None):
    """Shape of a tensor argument as a tuple (None stays None)."""
    if value is None:
        return None
    if fn is not None:
        _check_tensor(value, name, fn)
    return tuple(value.shape)


def _pad(x, pairs, value=0.0):
    """Pad the trailing len(pairs) axes of `x` by (before, after) pairs.

    Negative amounts crop, as in `torch.nn.functional.pad`.
    """
    flat = []
    for before, after in reversed(pairs):
        flat += [before, after]
    if not any(flat):
        return x
    return F.pad(x, flat, value=value)


def _windows(padded, kernel_size, stride, dilation):
    """Every window of the trailing spatial axes, as a strided view.

    Parameters
    ----------
    padded : Tensor, shape (N, C, *spatial)
        Already padded input.
    kernel_size, stride, dilation : tuple of int
        One entry per spatial axis.

    Returns
    -------
    Tensor, shape (N, C, *out, *kernel_size)
        `out` as `convlib.shapes.conv_output_size` with padding 0.
    """
    x = padded
    for axis, (k, s, d) in enumerate(zip(kernel_size, stride, dilation)):
        x = x.unfold(2 + axis, d * (k - 1) + 1, s)
        if d > 1:
            x = x[..., ::d]
    return x


def _add_bias(out, bias, n):
    """Add a per-channel bias of shape (C,) to (N, C, *spatial)."""
    if bias is None:
        return out
    return out + bias.reshape((1, -1) + (1,) * n)


# -------------------------------------------------------------- pooling

def _pool_windows(x, kernel, stride, padding, dilation, out_sizes, value):
    """Pad with `value` (extra on the right for ceil_mode) and unfold.

    Returns
    -------
    Tensor, shape (N, C, *out_sizes, *kernel)
    """
    pairs = []
    for size, k, s, p, d, out in zip(x.shape[2:], kernel, stride, padding,
                                     dilation, out_sizes):
        extra = max(0, _args.extent(out, k, s, d) - (size + 2 * p))
        pairs.append((p, p + extra))
    win = _windows(_pad(x, pairs, value), kernel, stride, dilation)
    for axis, out in enumerate(out_sizes):
        win = win.narrow(2 + axis, 0, out)
    return win


def _lowest(dtype):
    """The value padding never wins a max against."""
    if dtype.is_floating_point:
        return float("-inf")
    return torch.iinfo(dtype).min


def _unravel(flat_arg, sizes):
    """Split a flat index over `sizes` into one index tensor per axis."""
    coords = []
    for size in reversed(sizes):
        coords.append(flat_arg % size)
        flat_arg = flat_arg // size
    return coords[::-1]


def _axis_view(t, axis, n):
    """Reshape a 1-d tensor to broadcast along axis `2 + axis` of n + 2."""
    shape = [1] * (n + 2)
    shape[2 + axis] = -1
    return t.reshape(shape)


def _flat_index(coords, spatial):
    """Row-major flat index into `spatial` from one tensor per axis."""
    flat = 0
    for coord, size in zip(coords, spatial):
        flat = flat * size + coord
    return flat


def _strip(outputs, unbatched):
    """Remove the batch axis added by `_batched` from each output."""
    if unbatched:
        outputs = tuple(t[0] for t in outputs)
    return outputs
