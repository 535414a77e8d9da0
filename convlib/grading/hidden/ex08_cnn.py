"""Cases for 08_cnn: tracing shapes, counting parameters, a forward pass,
reading a shape error (the numbers of PyTorch's message), and the
capstone: a small CNN's loss and gradients, trained by SGD until it
has memorised 16 images.

Hidden cases beyond the public ones: other networks (non-square inputs,
pools whose stride differs from their size, several convolutions in a
row), batches of one, a single input channel, non-square images in the
forward pass, exact ties and zeros and extreme rows.
"""
import numpy as np

from convlib import numpy as cnp
from convlib import shapes

from . import Case, Function, computable, integer, like, redrawn, values

# name, points (of 20; the cases share them), seconds per call
FUNCTIONS = (
    Function("trace_shapes", points=3, seconds=1),
    Function("count_cnn_params", points=2, seconds=1),
    Function("tiny_cnn_forward", points=4, seconds=3),
    Function("first_shape_error", points=4, seconds=1),
    Function("cnn_loss_and_grads", points=5, seconds=3),
    Function("overfit", points=2, seconds=30),
)

# (input shape, layers, hidden only)
_NETS = [
    ((1, 1, 28, 28), (("conv", 8, 3, 1, 1), ("relu",), ("pool", 2, 2),
                      ("conv", 16, 3, 1, 1), ("relu",), ("pool", 2, 2),
                      ("flatten",), ("linear", 10)), False),
    ((2, 3, 32, 32), (("conv", 6, 5, 1, 0), ("pool", 2, 2),
                      ("conv", 16, 5, 1, 0), ("pool", 2, 2), ("flatten",),
                      ("linear", 120), ("relu",), ("linear", 10)), False),
    ((1, 3, 9, 7), (("conv", 4, 3, 2, 1), ("pool", 3, 1), ("flatten",)),
     False),
    ((4, 2, 5, 5), (("flatten",), ("linear", 3)), False),
    ((2, 1, 12, 17), (("conv", 5, 3, 1, 1), ("conv", 7, 3, 2, 0),
                      ("pool", 2, 1), ("flatten",), ("linear", 4)), True),
    ((1, 2, 20, 11), (("conv", 3, 5, 2, 2), ("relu",), ("pool", 3, 2),
                      ("flatten",), ("linear", 6), ("relu",),
                      ("linear", 2)), True),
    ((3, 4, 15, 15), (("pool", 3, 3), ("conv", 2, 1, 1, 0), ("flatten",)),
     True),
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


# (batch, channels, height, width, conv channels, classes, kind, hidden)
_FORWARD = [(1, 1, 4, 4, 2, 3, "random", False),
            (2, 3, 6, 4, 4, 5, "zeros", False),
            (3, 2, 8, 8, 3, 2, "ties", False),
            (1, 2, 4, 10, 3, 4, "random", True),
            (2, 1, 6, 6, 1, 3, "extreme", False),
            (4, 3, 10, 6, 2, 1, "ties", True)]


def _draw_forward(rng, setting):
    n, c, h, w, channels, classes, kind, hidden = setting
    h2 = integer(rng, 1, 5)
    w2 = h2 if h == w else integer(rng, 1, 5)
    return (like(rng, n, 2, 4), like(rng, c, 2, 3), 2 * h2, 2 * w2,
            like(rng, channels, 2, 4), like(rng, classes, 2, 6), kind,
            hidden)


def _forward_cases(rng, vary):
    result = []
    for n, c, h, w, channels, classes, kind, hidden in redrawn(
            _FORWARD, rng, vary, _draw_forward,
            lambda s, new: (new[2] == new[3]) == (s[2] == s[3])):
        features = channels * (h // 2) * (w // 2)
        args = (values(rng, (n, c, h, w), kind),
                values(rng, (channels, c, 3, 3)),
                values(rng, channels),
                values(rng, (classes, features)),
                values(rng, classes))
        result.append(Case("tiny_cnn_forward", f"x ({n}, {c}, {h}, {w}) "
                           f"({kind}), {channels} conv channels, {classes} "
                           "classes", args, reference=_forward,
                           hidden_only=hidden))
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


def _draw_net(rng, setting):
    """conv (relu) pool, once or twice, then flatten and 1-2 linear; the
    input square iff `setting`'s was."""
    kinds = []
    for _ in range(integer(rng, 1, 2)):
        kinds += ["conv", "relu", "pool"][:3 - integer(rng, 0, 1)]
    kinds += ["flatten", "linear"] + ["relu", "linear"] * integer(rng, 0, 1)
    h = integer(rng, 6, 32)
    w = h if setting[0][2] == setting[0][3] else integer(rng, 6, 32)
    shape = (like(rng, setting[0][0], 2, 3), like(rng, setting[0][1], 2, 3),
             h, w)
    return shape, tuple(_draw_layer(rng, k) for k in kinds), setting[2]


def _walk(input_shape, layers):
    """(None or (index, kind, numbers) of the first failing layer, the
    shape after the layers that ran)."""
    shape = tuple(input_shape)
    for index, layer in enumerate(layers):
        if layer[0] == "conv":
            _, c_in, c_out, k, s, p = layer
            if shape[1] != c_in:
                return (index, "channels", (c_in, shape[1])), shape
            padded = tuple(n + 2 * p for n in shape[2:])
            if min(padded) < k:
                return (index, "kernel", padded + (k, k)), shape
            shape = (shape[0], c_out) + tuple((n - k) // s + 1
                                              for n in padded)
        elif layer[0] == "pool":
            _, k, s = layer
            out = tuple((n - k) // s + 1 for n in shape[2:])
            if min(out) < 1:
                return (index, "pool", shape[1:] + shape[1:2] + out), shape
            shape = shape[:2] + out
        elif layer[0] == "flatten":
            shape = (shape[0], int(np.prod(shape[1:])))
        elif layer[0] == "linear":
            _, n_in, n_out = layer
            if shape[-1] != n_in:
                return (index, "matmul", (int(np.prod(shape[:-1])),
                                          shape[-1], n_in, n_out)), shape
            shape = shape[:-1] + (n_out,)
    return None, shape


def first_shape_error(input_shape, layers):
    """None, or (index, kind, numbers) of the first layer PyTorch would
    stop at (``tests/test_grading_bugs.py`` checks it against torch)."""
    return _walk(input_shape, layers)[0]


def _outcome(setting):
    """How a stack ends (runs, or the kind of error) and whether a linear
    layer meets a feature map (more than 2 axes: a forgotten flatten)."""
    shape, layers = setting[:2]
    found = first_shape_error(shape, layers)
    stop = len(layers) if found is None else found[0] + 1
    on_maps = any(layer[0] == "linear"
                  and len(_walk(shape, layers[:i])[1]) > 2
                  for i, layer in enumerate(layers[:stop]))
    return (None if found is None else found[1]), on_maps


# (input shape, layers in full, hidden only)
_BROKEN = [
    ((2, 3, 8, 8), (("conv", 3, 4, 3, 1, 0), ("pool", 2, 2), ("flatten",),
                    ("linear", 40, 10)), False),
    ((2, 3, 8, 8), (("conv", 1, 4, 3, 1, 0),), False),
    ((1, 3, 4, 5), (("conv", 3, 4, 5, 1, 0),), False),
    ((2, 3, 3, 4), (("pool", 4, 3),), False),
    ((2, 3, 4, 5), (("conv", 3, 6, 3, 1, 1), ("relu",),
                    ("linear", 120, 10)), False),
    ((4, 1, 28, 28), (("conv", 1, 6, 5, 1, 2), ("relu",), ("pool", 2, 2),
                      ("flatten",), ("linear", 1176, 10)), False),
    ((1, 1, 28, 28), (("conv", 1, 8, 3, 1, 1), ("pool", 2, 2),
                      ("conv", 8, 16, 3, 1, 1), ("pool", 2, 2),
                      ("flatten",), ("linear", 784, 10)), True),
    ((2, 3, 32, 32), (("conv", 3, 6, 5, 1, 0), ("pool", 2, 2),
                      ("conv", 6, 16, 5, 1, 0), ("pool", 2, 2),
                      ("flatten",), ("linear", 400, 120), ("relu",),
                      ("linear", 100, 10)), True),
    ((1, 3, 9, 7), (("conv", 3, 4, 3, 2, 1), ("conv", 3, 8, 3, 1, 0)), True),
    ((3, 2, 6, 6), (("conv", 2, 4, 3, 1, 0), ("pool", 2, 2),
                    ("conv", 4, 4, 3, 1, 0)), True),
    ((2, 1, 5, 12), (("pool", 2, 2), ("pool", 3, 1)), True),
    ((2, 4, 3, 3), (("flatten",), ("linear", 36, 8), ("relu",),
                    ("linear", 8, 3)), True),
    ((1, 3, 8, 8), (("conv", 3, 4, 3, 1, 1), ("linear", 8, 5),
                    ("flatten",), ("linear", 128, 2)), True),
    ((2, 3, 6, 6), (("conv", 3, 5, 3, 1, 0), ("relu",), ("linear", 4, 3)),
     True),
]


def _draw_full_layer(rng, shape):
    """A layer in full for an input of `shape` (conv and pool on 4-D
    inputs only), its numbers right most of the time."""
    kinds = ["conv", "conv", "pool", "relu", "flatten", "linear"]
    kind = kinds[integer(rng, 0, 5) if len(shape) == 4 else
                 integer(rng, 3, 5)]
    if kind == "conv":
        c_in = shape[1] if rng.random() < 0.8 else integer(rng, 1, 4)
        return ("conv", c_in, integer(rng, 1, 8), integer(rng, 1, 5),
                integer(rng, 1, 2), integer(rng, 0, 2))
    if kind == "pool":
        return ("pool", integer(rng, 2, 4), integer(rng, 1, 3))
    if kind == "linear":
        n_in = shape[-1] if rng.random() < 0.6 else integer(rng, 2, 64)
        return ("linear", n_in, integer(rng, 2, 16))
    return (kind,)


def _draw_broken(rng, setting):
    """A random stack; the caller keeps it when it has the outcome of
    `setting` (runs, or fails for the same reason)."""
    shape = (like(rng, setting[0][0], 2, 3), like(rng, setting[0][1], 2, 4),
             integer(rng, 3, 16), integer(rng, 3, 16))
    layers, current = [], shape
    for _ in range(integer(rng, 1, 5)):
        layers.append(_draw_full_layer(rng, current))
        error, current = _walk(shape, layers)
        if error is not None:
            break
    return shape, tuple(layers), setting[2]


def _shape_error_cases(rng, vary):
    settings = redrawn(_BROKEN, rng, vary, _draw_broken,
                       lambda s, new: _outcome(new) == _outcome(s))
    return [Case("first_shape_error", f"input {s}, layers {list(l)}",
                 (s, l), reference=first_shape_error, hidden_only=hidden)
            for s, l, hidden in settings]


def _capstone(x, y, conv_w, conv_b, fc_w, fc_b):
    """conv3x3 (pad 1) -> ReLU -> global average pool -> linear ->
    cross-entropy: (loss, grads) from convlib (checked against torch in
    tests/test_grading_bugs.py)."""
    z = cnp.conv2d(x, conv_w, conv_b, padding=1)
    pooled = np.maximum(z, 0).mean(axis=(2, 3))
    logits = cnp.linear(pooled, fc_w, fc_b)
    rows = np.arange(len(y))
    loss = -cnp.log_softmax(logits, dim=1)[rows, y].mean()
    g = cnp.softmax(logits, dim=1)
    g[rows, y] -= 1
    g /= len(y)
    g_pooled, grad_fc_w, grad_fc_b = cnp.linear_backward(g, pooled, fc_w,
                                                         fc_b)
    g_z = g_pooled[:, :, None, None] / (z.shape[2] * z.shape[3]) * (z > 0)
    _, grad_conv_w, grad_conv_b = cnp.conv2d_backward(g_z, x, conv_w,
                                                      conv_b, padding=1)
    return float(loss), grad_conv_w, grad_conv_b, grad_fc_w, grad_fc_b


# (images N, channels C, H, W, filters F, classes K, kind, hidden only)
_CAPSTONE = [(4, 1, 5, 5, 3, 3, "random", False),
             (1, 2, 4, 6, 2, 4, "zeros", False),
             (3, 3, 6, 4, 4, 2, "extreme", False),
             (5, 1, 3, 7, 1, 3, "ties", False),
             (2, 2, 5, 5, 3, 5, "random", True),
             (6, 1, 4, 4, 2, 2, "zeros", True)]


def _draw_capstone(rng, setting):
    n, c, h, w, f, k, kind, hidden = setting
    h2 = integer(rng, 3, 7)
    w2 = h2 if h == w else integer(rng, 3, 7)
    return (like(rng, n, 2, 6), like(rng, c, 2, 3), h2, w2,
            like(rng, f, 2, 5), integer(rng, 2, 5), kind, hidden)


def _capstone_args(rng, n, c, h, w, f, k, kind):
    x = values(rng, (n, c, h, w), kind)
    if kind == "extreme":
        x = x / np.abs(x).max()   # the logits stay moderate
    return (x, rng.integers(0, k, n), values(rng, (f, c, 3, 3)) * 0.5,
            values(rng, f) * 0.1, values(rng, (k, f)) * 0.5,
            values(rng, k) * 0.1)


def _capstone_cases(rng, vary):
    return [Case("cnn_loss_and_grads", f"x ({n}, {c}, {h}, {w}) ({kind}),"
                 f" {f} filters, {k} classes",
                 _capstone_args(rng, n, c, h, w, f, k, kind),
                 reference=_capstone, hidden_only=hidden)
            for n, c, h, w, f, k, kind, hidden in redrawn(
                _CAPSTONE, rng, vary, _draw_capstone)]


def _trained(x, y, k):
    """validate(got): got holds trained parameters (their shapes) whose
    loss on (x, y) is below 0.05."""
    def validate(got):
        if not isinstance(got, (tuple, list)) or len(got) != 4:
            return ("expected the trained (conv_w, conv_b, fc_w, fc_b), "
                    f"got {type(got).__name__}")
        try:
            params = [np.asarray(p, dtype=float) for p in got]
            with np.errstate(all="ignore"):   # diverged weights: inf, nan
                loss = _capstone(x, y, *params)[0]
        except Exception as exc:  # noqa: BLE001 - any shape a student made
            return (f"the returned parameters do not fit the network "
                    f"({type(exc).__name__}: {str(exc)[:120]})")
        if not loss < 0.05:
            return (f"after training the loss on the 16 images is "
                    f"{loss:.3g}; a correct network gets it below 0.05")
        return None
    return validate


# (channels C, H, W, filters F, classes K, hidden only); 16 images
_OVERFIT = [(1, 6, 5, 16, 4, False), (2, 5, 7, 16, 3, True),
            (1, 7, 5, 16, 4, True)]


def _overfit_cases(rng, vary):
    result = []
    for c, h, w, f, k, hidden in redrawn(
            _OVERFIT, rng, vary, lambda r, s: (
                s[0], integer(r, 5, 7), integer(r, 5, 7)) + s[3:]):
        x = rng.standard_normal((16, c, h, w))
        y = rng.integers(0, k, 16)
        args = (x, y, rng.standard_normal((f, c, 3, 3)) * 0.5, np.zeros(f),
                rng.standard_normal((k, f)) * 0.1, np.zeros(k))
        result.append(Case("overfit", f"16 images ({c}, {h}, {w}), random "
                           f"labels of {k} classes, {f} filters, lr=2.0, "
                           "steps=300", args, dict(lr=2.0, steps=300),
                           validate=_trained(x, y, k), hidden_only=hidden))
    return result


def cases(rng, vary=False):
    """Every case of this set, in FUNCTIONS order (`vary`: the networks
    and sizes drawn anew from `rng` too)."""
    valid = computable(_trace)
    nets = redrawn(_NETS, rng, vary, _draw_net,
                   lambda s, new: valid(new[:2]))
    trace = [Case("trace_shapes", f"input {s}, layers {list(l)}", (s, l),
                  reference=_trace, hidden_only=hidden)
             for s, l, hidden in nets]
    count = [Case("count_cnn_params", f"input {s}, layers {list(l)}",
                  (s, l), reference=_count, hidden_only=hidden)
             for s, l, hidden in nets]
    return (trace + count + _forward_cases(rng, vary)
            + _shape_error_cases(rng, vary) + _capstone_cases(rng, vary)
            + _overfit_cases(rng, vary))
