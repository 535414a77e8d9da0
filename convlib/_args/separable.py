"""Separable convolutions: the shapes of their two weights and how the
geometry splits between the two steps."""
from .base import ntuple
from .conv import parse_padding

__all__ = ["depthwise_separable_args", "spatially_separable_args",
           "separable_steps"]


def _pattern(fn, name, shape, pattern, meaning):
    """`shape` against a pattern of sizes (None: any size)."""
    shape = tuple(shape)
    if len(shape) != len(pattern):
        raise ValueError(
            f"{fn}: {name} must have {len(pattern)} dimensions, got "
            f"{len(shape)} (shape {shape})")
    if any(p is not None and p != s for p, s in zip(pattern, shape)):
        raise ValueError(
            f"{fn}: {name} must have shape {meaning}, got {shape}")


def depthwise_separable_args(fn, input, dw, pw, db, pb):
    """Check a depthwise separable call from its shapes.

    `input` is (N, C_in, H, W) or (C_in, H, W); `dw` (C_in*M, 1, kH,
    kW), `pw` (C_out, C_in*M, 1, 1), the biases None or one per output
    channel of their step. The geometry is `conv_args`' (first step).
    """
    c_in = tuple(input)[-3]
    _pattern(fn, "depthwise_weight", dw, (None, 1, None, None),
             f"(C_in*M, 1, kH, kW) with C_in={c_in}")
    if dw[0] % c_in:
        raise ValueError(
            f"{fn}: depthwise_weight must have a multiple of the "
            f"{c_in} input channels as its first size, got {tuple(dw)}")
    mid = dw[0]
    _pattern(fn, "pointwise_weight", pw, (None, mid, 1, 1),
             f"(C_out, {mid}, 1, 1)")
    if db is not None:
        _pattern(fn, "depthwise_bias", db, (mid,), f"({mid},)")
    if pb is not None:
        _pattern(fn, "pointwise_bias", pb, (pw[0],), f"({pw[0]},)")


def spatially_separable_args(fn, input, cw, rw, cb, rb):
    """Check a spatially separable call from its shapes.

    `input` is (N, C_in, H, W) or (C_in, H, W); `cw` (C_mid, C_in, kH,
    1), `rw` (C_out, C_mid, 1, kW), the biases None or one per output
    channel of their step.
    """
    c_in = tuple(input)[-3]
    _pattern(fn, "column_weight", cw, (None, c_in, None, 1),
             f"(C_mid, {c_in}, kH, 1)")
    mid = cw[0]
    _pattern(fn, "row_weight", rw, (None, mid, 1, None),
             f"(C_out, {mid}, 1, kW)")
    if cb is not None:
        _pattern(fn, "column_bias", cb, (mid,), f"({mid},)")
    if rb is not None:
        _pattern(fn, "row_bias", rb, (rw[0],), f"({rw[0]},)")


def separable_steps(fn, stride, padding, dilation):
    """(stride, padding, dilation) of the column step and of the row step.

    The column step takes the height entries, the row step the width
    entries (1 or 0 in the other axis); 'same' pads each step's own
    axis, as its kernel is 1 in the other.
    """
    sh, sw = ntuple(stride, 2, "stride", fn, minimum=1)
    dh, dw = ntuple(dilation, 2, "dilation", fn, minimum=1)
    padding = parse_padding(fn, padding, 2)
    if padding == "same":
        pads = (padding, padding)
    else:
        ph, pw = padding
        pads = ((ph, 0), (0, pw))
    return (((sh, 1), pads[0], (dh, 1)), ((1, sw), pads[1], (1, dw)))
