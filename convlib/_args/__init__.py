"""The argument layer: every op family's parsing and checks, once.

`convlib.shapes`, `convlib.naive`, `convlib.numpy` and `convlib.torch`
all call these functions, so the four forms accept and refuse the same
calls with the same messages. They see shapes (tuples of ints), never
arrays or tensors: the forms check their own array type, then hand the
shapes here. One module per op family:

- `base`: int-or-tuple arguments, flags, the batch axis, grad shapes;
- `conv`: convolution and transposed convolution;
- `pool`: max/avg/LP pooling and max unpooling;
- `adaptive`: adaptive and fractional pooling.

Every error is a `ValueError` (bad value) or `TypeError` (bad type)
whose message starts with the public function's name and names the
argument. Nothing here imports torch.
"""
from .adaptive import adaptive_size, fractional_args
from .base import (batched, check_bool, check_grad_shape, check_int,
                   describe, is_int, ntuple)
from .conv import (ConvArgs, conv_args, conv_geometry, conv_size,
                   parse_padding, same_padding, transpose_args,
                   transpose_geometry, transpose_size)
from .pool import (PoolArgs, avg_pool_args, check_divisor, check_norm,
                   extent, first_inside, max_pool_args, pool_geometry,
                   pool_input, pool_params, pool_size, unpool_args,
                   window_counts)

__all__ = [
    "adaptive_size", "fractional_args",
    "batched", "check_bool", "check_grad_shape", "check_int", "describe",
    "is_int", "ntuple",
    "ConvArgs", "conv_args", "conv_geometry", "conv_size", "parse_padding",
    "same_padding", "transpose_args", "transpose_geometry",
    "transpose_size",
    "PoolArgs", "avg_pool_args", "check_divisor", "check_norm", "extent",
    "first_inside", "max_pool_args", "pool_geometry", "pool_input",
    "pool_params", "pool_size", "unpool_args", "window_counts",
]
