"""The argument layer: every op family's parsing and checks, once.

`convlib.shapes`, `convlib.naive`, `convlib.numpy` and `convlib.torch`
all call these functions, so the four forms accept and refuse the same
calls with the same messages. The op-family checks see shapes (tuples
of ints), never arrays or tensors: each form checks its own array type
(NumPy arrays with `check_array`, tensors in `convlib.torch`), then
hands the shapes here. One module per concern:

- `base`: ints, reals, int-or-tuple arguments, flags, seeds, the batch
  axis, grad shapes, `convlib.shapes`' input_size, `describe`;
- `ndarray`: `check_array`, the NumPy forms' array arguments (also
  the arrays written into, the random generator, dropout's mask);
- `conv`: convolution and transposed convolution;
- `pool`: max/avg/LP pooling and max unpooling;
- `adaptive`: adaptive and fractional pooling;
- `blur`: blur pooling (its padding and filter too);
- `separable`: depthwise and spatially separable convolutions;
- `layers`: linear, channel shuffle, PReLU's weight, softmax's dim;
- `norm`: batch, instance, layer and group normalisation, dropout;
- `residual`: ResNet's basic and bottleneck blocks.

Below this layer sits only `convlib._arrays` (array views and the
window-count formula the output sizes build on).

Every error is a `ValueError` (bad value) or `TypeError` (bad type)
whose message starts with the public function's name and names the
argument. Nothing here imports torch.
"""
from .adaptive import adaptive_size, check_samples, fractional_args
from .blur import PADDING_MODES, BlurArgs, blur_filter, blur_pool_args
from .base import (batched, check_bool, check_dim, check_grad_shape,
                   check_int, check_real, check_seed, describe,
                   input_sizes, is_int, is_real, ntuple, sizes_as_given)
from .conv import (ConvArgs, conv_args, conv_geometry, conv_size,
                   parse_padding, same_padding, transpose_args,
                   transpose_geometry, transpose_size)
from .layers import (glu_dim, linear_args, prelu_channels, shuffle_groups,
                     softmax_dim)
from .ndarray import (check_array, check_generator, check_writeable,
                      draw_generator, keep_mask)
from .norm import (batch_norm_args, check_eps, check_mask, check_momentum,
                   check_probability, dropout_args, dropout_mask_shape,
                   group_norm_args, instance_norm_args, layer_norm_args)
from .pool import (PoolArgs, avg_pool_args, check_divisor, check_norm,
                   extent, first_inside, max_pool_args, pool_geometry,
                   pool_input, pool_params, pool_size, unpool_args,
                   window_counts)
from .residual import block_layout
from .separable import (depthwise_separable_args, separable_steps,
                        spatially_separable_args)

__all__ = [
    "adaptive_size", "check_samples", "fractional_args",
    "PADDING_MODES", "BlurArgs", "blur_filter", "blur_pool_args",
    "batched", "check_bool", "check_dim", "check_grad_shape", "check_int",
    "check_real", "check_seed", "describe", "input_sizes", "is_int",
    "is_real", "ntuple", "sizes_as_given",
    "ConvArgs", "conv_args", "conv_geometry", "conv_size", "parse_padding",
    "same_padding", "transpose_args", "transpose_geometry",
    "transpose_size",
    "glu_dim", "linear_args", "prelu_channels", "shuffle_groups",
    "softmax_dim",
    "check_array", "check_generator", "check_writeable", "draw_generator",
    "keep_mask",
    "batch_norm_args", "check_eps", "check_mask", "check_momentum",
    "check_probability", "dropout_args", "dropout_mask_shape",
    "group_norm_args", "instance_norm_args", "layer_norm_args",
    "PoolArgs", "avg_pool_args", "check_divisor", "check_norm", "extent",
    "first_inside", "max_pool_args", "pool_geometry", "pool_input",
    "pool_params", "pool_size", "unpool_args", "window_counts",
    "block_layout",
    "depthwise_separable_args", "separable_steps",
    "spatially_separable_args",
]
