"""Cases for 08_cnn: tracing shapes, counting parameters, a forward pass."""
import numpy as np

from convlib import numpy as cnp
from convlib import shapes

from . import Case, Function, computable, drawn, integer

# name, points (of 20; the cases share them), seconds per call
FUNCTIONS = (
    Function("trace_shapes", points=6, seconds=1),
    Function("count_cnn_params", points=6, seconds=1),
    Function("tiny_cnn_forward", points=8, seconds=3),
)

_NETS = [
    ((1, 1, 28, 28), (("conv", 8, 3, 1, 1), ("relu",), ("pool", 2, 2),
                      ("conv", 16, 3, 1, 1), ("relu",), ("pool", 2, 2),
                      ("flatten",), ("linear", 10))),
    ((2, 3, 32, 32), (("conv", 6, 5, 1, 0), ("pool", 2, 2),
                      ("conv", 16, 5, 1, 0), ("pool", 2, 2), ("flatten",),
                      ("linear", 120), ("relu",), ("linear", 10))),
    ((1, 3, 9, 7), (("conv", 4, 3, 2, 1), ("pool", 3, 1), ("flatten",))),
    ((4, 2, 5, 5), (("flatten",), ("linear", 3))),
]


def _step(shape, layer):
    """(new shape, parameters) of one layer."""
    kind = layer[0]
    if kind == "conv":
        _, out, k, s, p = layer
        size = [shapes.conv_output_size(n, kernel_size=k, stride=s,
                                        padding=p) for n in shape[2:]]
        params = shapes.count_params("conv2d", in_channels=shape[1],
                                     out_channels=out, kernel_size=k)
        return (shape[0], out, *size), params
    if kind == "pool":
        size = [shapes.pool_output_size(n, kernel_size=layer[1],
                                        stride=layer[2]) for n in shape[2:]]
        return (*shape[:2], *size), 0
    if kind == "flatten":
        return (shape[0], int(np.prod(shape[1:]))), 0
    if kind == "linear":
        params = shapes.count_params("linear", in_features=shape[1],
                                     out_features=layer[1])
        return (shape[0], layer[1]), params
    return tuple(shape), 0


def _trace(input_shape, layers):
    shape, result = tuple(input_shape), []
    for layer in layers:
        shape = _step(shape, layer)[0]
        result.append(tuple(shape))
    return result


def _count(input_shape, layers):
    shape, total = tuple(input_shape), 0
    for layer in layers:
        shape, params = _step(shape, layer)
        total += params
    return total


def _forward(x, conv_weight, conv_bias, fc_weight, fc_bias):
    h = cnp.relu(cnp.conv2d(x, conv_weight, conv_bias, padding=1))
    h = cnp.max_pool2d(h, 2, stride=2)
    return cnp.linear(h.reshape(len(h), -1), fc_weight, fc_bias)


def _forward_cases(rng):
    result = []
    for n, c, size, channels, classes in [(1, 1, 4, 2, 3), (2, 3, 6, 4, 5),
                                          (3, 2, 8, 3, 2)]:
        features = channels * (size // 2) ** 2
        args = (rng.standard_normal((n, c, size, size)),
                rng.standard_normal((channels, c, 3, 3)),
                rng.standard_normal(channels),
                rng.standard_normal((classes, features)),
                rng.standard_normal(classes))
        result.append(Case("tiny_cnn_forward", f"x ({n}, {c}, {size}, "
                           f"{size}), {channels} conv channels, {classes} "
                           "classes", args, reference=_forward))
    return result


def _draw_layer(rng, kind):
    if kind == "conv":
        return ("conv", integer(rng, 1, 16), integer(rng, 1, 5),
                integer(rng, 1, 2), integer(rng, 0, 2))
    if kind == "pool":
        return ("pool", integer(rng, 2, 3), integer(rng, 1, 2))
    if kind == "linear":
        return ("linear", integer(rng, 2, 20))
    return (kind,)


def _draw_net(rng):
    """conv (relu) pool, once or twice, then flatten and 1-2 linear."""
    kinds = []
    for _ in range(integer(rng, 1, 2)):
        kinds += ["conv", "relu", "pool"][:3 - integer(rng, 0, 1)]
    kinds += ["flatten", "linear"] + ["relu", "linear"] * integer(rng, 0, 1)
    shape = (integer(rng, 1, 3), integer(rng, 1, 3), integer(rng, 6, 32),
             integer(rng, 6, 32))
    return shape, tuple(_draw_layer(rng, k) for k in kinds)


def cases(rng, vary=False):
    """Every case of this set, in FUNCTIONS order (`vary`: the fixed
    settings drawn anew from `rng` too)."""
    nets = drawn(_NETS, rng, vary, _draw_net, computable(_trace))
    trace = [Case("trace_shapes", f"input {s}, layers {list(l)}", (s, l),
                  reference=_trace) for s, l in nets]
    count = [Case("count_cnn_params", f"input {s}, layers {list(l)}",
                  (s, l), reference=_count) for s, l in nets]
    return trace + count + _forward_cases(rng)
