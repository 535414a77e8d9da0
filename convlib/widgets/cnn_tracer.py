"""Chapter 8 demo: the CNN shape tracer.

`trace_cnn` follows an input through a stack of layers and reports, for
each layer, its output shape, parameter count, multiply-accumulates,
receptive field (all from `convlib.shapes`) and the number of values it
outputs (its activation memory), or the first layer where the
settings break, with the reason. `cnn_layers` builds the layer list of
the demo's network (conv -> ReLU -> pool -> conv -> ReLU -> pool ->
flatten -> linear) from its settings. The JavaScript of the demo
(cnn_tracer.js) repeats both; the tests hold it equal to them, and the
shapes equal to torch's.
"""
import math
from collections import namedtuple

from .. import shapes
from .._args import describe, is_int
from . import _rules
from ._demo import Demo
from ._strings import text

LayerTrace = namedtuple(
    "LayerTrace", "index layer shape params macs rf_size rf_stride "
    "activations")
LayerTrace.__doc__ = """One layer of a traced network.

index : int, 1 for the first layer (0 is the input)
layer : str, the layer's name ('conv2d', 'relu', 'max_pool2d', ...)
shape : tuple of int, the output shape of one sample: (C, H, W) or (F,)
params : int, learnable parameters (weights and biases)
macs : int, multiply-accumulates of one forward pass of one sample
    (pooling and ReLU compare or add, and count 0 MACs)
rf_size, rf_stride : int or tuple of int, the receptive field of one
    output unit (`convlib.shapes.receptive_field`); None for a linear
    layer, whose units see the whole input
activations : int, the values of one sample's output (the product of
    `shape`): what the layer adds to the memory of a forward pass that
    keeps every output for the backward pass, 4 bytes each in float32
"""

CnnTrace = namedtuple("CnnTrace", "input_shape rows failed_at reason")
CnnTrace.__doc__ = """A network traced layer by layer.

input_shape : tuple of int, (C, H, W) of one sample
rows : list of LayerTrace, every layer before the first failing one
failed_at : int or None, the index of the first failing layer (0: the
    input itself), None when every layer works
reason : str, why that layer fails ('' when none does)
"""

_CONV_KEYS = {"out_channels": 1, "kernel_size": 1, "stride": 1,
              "padding": 0, "dilation": 1}
_POOL_KEYS = {"kernel_size": 1, "stride": 1, "padding": 0}
_KINDS = ("conv2d", "relu", "max_pool2d", "avg_pool2d", "flatten",
          "linear")
POOL_KINDS = ("max", "avg", "none")
# The bounds of the demo's number boxes (its config carries them).
TRACER_BOUNDS = dict(size=(1, 64), channels=(1, 16), out_channels=(1, 64),
                     kernel=(1, 9), stride=(1, 4), padding=(0, 4),
                     window=(1, 8), window_stride=(1, 8), classes=(1, 100),
                     conv2_in=(1, 64), linear_in=(1, 100_000))


def _because(label, key, **words):
    """"label: sentence" of the string table."""
    return text("tracer.reason", label=label, reason=text(key, **words))


def _bad_number(label, kwargs, limits):
    """Why a setting is not an integer >= its limit (`_rules.ints`), or
    ''."""
    refused = _rules.ints([(name, kwargs[name], low)
                           for name, low in limits.items()
                           if kwargs.get(name) is not None])
    if refused:
        return _because(label, f"arg.{refused.rule}", **refused.facts)
    return ""


def _not_a_map(label, shape):
    """Why a conv or pooling layer cannot take `shape` ('' if it can)."""
    if len(shape) != 3:
        return text("tracer.flat", label=label, features=shape[0])
    return ""


def _sizes(label, what, shape, size_of, k, p, d):
    """(H, W) after a conv or pooling layer (`size_of(n)`, a
    `_rules.Outcome`, per axis), or the reason the layer breaks."""
    sizes = []
    for dim, n in zip(("tracer.high", "tracer.wide"), shape[1:]):
        out = size_of(n)
        if out.rule == "half_pad":
            return _because(label, "tracer.half_pad", p=p, k=k,
                            **out.facts)
        if out.rule == "span":
            key = f"tracer.span_{what}" + ("_dilated" if d != 1 else "")
            return _because(label, key, k=k, d=d, n=n, p=p,
                            dim=text(dim), **out.facts)
        sizes.append(out.size)
    return tuple(sizes)


def _conv(label, shape, kw):
    """(shape, params, macs, geometry) of a conv2d layer, or a reason."""
    if reason := _not_a_map(label, shape):
        return reason
    cin = kw.get("in_channels", shape[0])
    if cin is not None and cin != shape[0]:
        return text("tracer.in_channels", label=label, given=cin,
                    channels=shape[0])
    k, s, p, d = (kw.get(key, _CONV_KEYS[key]) for key in
                  ("kernel_size", "stride", "padding", "dilation"))
    size = _sizes(label, "kernel", shape, lambda n: _rules.conv(
        n, k, s, p, d), k, p, d)
    if isinstance(size, str):
        return size
    cout = kw["out_channels"]
    counts = dict(in_channels=shape[0], out_channels=cout, kernel_size=k)
    macs = shapes.count_flops("conv2d", shape[1:], stride=s, padding=p,
                              dilation=d, **counts)
    return ((cout,) + size, shapes.count_params("conv2d", **counts), macs,
            dict(kernel_size=k, stride=s, padding=p, dilation=d))


def _pool(label, shape, kw):
    """(shape, 0, 0, geometry) of a pooling layer, or a reason."""
    if reason := _not_a_map(label, shape):
        return reason
    k, p = kw["kernel_size"], kw.get("padding", 0)
    s = kw.get("stride") or k
    size = _sizes(label, "window", shape, lambda n: _rules.pool(
        n, k, s, p, 1, False), k, p, 1)
    if isinstance(size, str):
        return size
    return ((shape[0],) + size, 0, 0,
            dict(kernel_size=k, stride=s, padding=p))


def _linear(label, shape, kw):
    """(shape, params, macs, None) of a linear layer, or a reason."""
    if len(shape) != 1:
        return text("tracer.needs_flat", label=label,
                    shape=str(tuple(shape)))
    fin = kw.get("in_features", shape[0])
    if fin is not None and fin != shape[0]:
        return text("tracer.in_features", label=label, given=fin,
                    features=shape[0])
    counts = dict(in_features=shape[0], out_features=kw["out_features"])
    return ((kw["out_features"],), shapes.count_params("linear", **counts),
            shapes.count_flops("linear", **counts), None)


def _check_layer(entry, index, fn):
    """The (name, kwargs) pair of layers[index], checked."""
    if (not isinstance(entry, (tuple, list)) or len(entry) != 2
            or entry[0] not in _KINDS or not isinstance(entry[1], dict)):
        raise TypeError(
            f"{fn}: layers[{index}] must be a (name, kwargs) pair with a "
            f"name in {_KINDS}, got {describe(entry)}")
    name, kwargs = entry
    allowed = {"conv2d": set(_CONV_KEYS) | {"in_channels"},
               "max_pool2d": set(_POOL_KEYS), "avg_pool2d": set(_POOL_KEYS),
               "linear": {"in_features", "out_features"}}.get(name, set())
    unknown = set(kwargs) - allowed
    if unknown:
        raise TypeError(f"{fn}: layers[{index}] ({name}) got unknown "
                        f"settings {sorted(unknown)}")
    required = {"conv2d": ("out_channels",), "linear": ("out_features",),
                "max_pool2d": ("kernel_size",),
                "avg_pool2d": ("kernel_size",)}.get(name, ())
    missing = [key for key in required if key not in kwargs]
    if missing:
        raise TypeError(f"{fn}: layers[{index}] ({name}) needs {missing}")
    return name, kwargs


def _limits(name):
    if name == "conv2d":
        return dict(_CONV_KEYS, in_channels=1)
    if name == "linear":
        return {"out_features": 1, "in_features": 1}
    return dict(_POOL_KEYS) if name.endswith("pool2d") else {}


def _step(name, label, shape, kwargs):
    """(shape, params, macs, geometry) after one layer, or a reason."""
    reason = _bad_number(label, {k: v for k, v in kwargs.items()
                                 if v is not None}, _limits(name))
    if reason:
        return reason
    if name == "conv2d":
        return _conv(label, shape, kwargs)
    if name.endswith("pool2d"):
        return _pool(label, shape, kwargs)
    if name == "linear":
        return _linear(label, shape, kwargs)
    if name == "flatten" and len(shape) == 3:
        return (shape[0] * shape[1] * shape[2],), 0, 0, None
    return shape, 0, 0, None  # relu, or flatten of a flat input


def _input_shape(input_size, in_channels):
    """(C, H, W), or a reason why the input is invalid."""
    sizes = (input_size, input_size) if is_int(input_size) \
        else tuple(input_size)
    label = text("tracer.input")
    refused = _rules.ints([("size", sizes[0], 1), ("size", sizes[-1], 1),
                           ("channels", in_channels, 1)])
    if refused:
        return _because(label, f"arg.{refused.rule}", **refused.facts)
    if len(sizes) != 2:
        return _because(label, "tracer.input_pair", value=repr(input_size))
    return (in_channels,) + sizes


def trace_cnn(input_size, in_channels, layers):
    """Every layer's output shape, parameters, MACs and receptive field.

    Parameters
    ----------
    input_size : int or (int, int)
        Height and width of the input image (an int: square).
    in_channels : int
        Channels of the input image.
    layers : list of (str, dict)
        Input first. ``('conv2d', dict(out_channels, kernel_size=1,
        stride=1, padding=0, dilation=1, in_channels=None))``,
        ``('relu', {})``, ``('max_pool2d', dict(kernel_size, stride=None,
        padding=0))`` (likewise ``'avg_pool2d'``), ``('flatten', {})``,
        ``('linear', dict(out_features, in_features=None))``. Sizes are
        ints (square kernels); convolutions and linear layers have a
        bias; a stride of None means the window size; an `in_channels`
        or `in_features` of None is taken from the input, as torch's
        Lazy modules do, and one that is given must match it.

    Returns
    -------
    CnnTrace
        The rows of the layers that work and, at the first one that
        does not (a kernel or window larger than the padded input,
        channels or features that do not match, pool padding over half
        the window, a bad setting), its index and the reason. Shapes,
        parameters and MACs are those of `convlib.shapes`
        (`conv_output_size`, `pool_output_size`, `count_params`,
        `count_flops`); receptive fields `receptive_field` of the conv
        and pool layers so far; activations the size of each output.

    Raises
    ------
    TypeError
        If a layer is not a (name, kwargs) pair of a known layer with
        known settings.

    Examples
    --------
    >>> t = trace_cnn(8, 1, [('conv2d', dict(out_channels=4,
    ...                        kernel_size=3, padding=1)),
    ...                      ('max_pool2d', dict(kernel_size=2))])
    >>> [row.shape for row in t.rows]
    [(4, 8, 8), (4, 4, 4)]
    """
    fn = "trace_cnn"
    if not isinstance(layers, (list, tuple)):
        raise TypeError(f"{fn}: layers must be a list of (name, kwargs) "
                        f"pairs, got {describe(layers)}")
    checked = [_check_layer(e, i, fn) for i, e in enumerate(layers)]
    shape = _input_shape(input_size, in_channels)
    if isinstance(shape, str):
        return CnnTrace(None, [], 0, shape)
    rows, geometry, current = [], [], shape
    for i, (name, kwargs) in enumerate(checked, start=1):
        step = _step(name, text("tracer.label", index=i, name=name),
                     current, kwargs)
        if isinstance(step, str):
            return CnnTrace(shape, rows, i, step)
        current, params, macs, geo = step
        geometry += [geo] if geo else []
        rf = shapes.receptive_field(geometry) if geometry else None
        size, stride = (rf.size, rf.stride) if rf else (1, 1)
        if name == "linear":
            size = stride = None
        rows.append(LayerTrace(i, name, current, params, macs, size,
                               stride, math.prod(current)))
    return CnnTrace(shape, rows, None, "")


def cnn_layers(conv1=(8, 3, 1, 1), pool1=("max", 2, 2),
               conv2=(16, 3, 1, 1), pool2=("max", 2, 2), classes=10,
               conv2_in=None, linear_in=None):
    """The layer list of the demo's network, for `trace_cnn`.

    conv -> ReLU -> pool -> conv -> ReLU -> pool -> flatten -> linear.

    Parameters
    ----------
    conv1, conv2 : (out_channels, kernel_size, stride, padding)
    pool1, pool2 : (kind, kernel_size, stride)
        kind 'max', 'avg' or 'none' (the pooling layer is left out).
    classes : int
        Outputs of the linear layer.
    conv2_in, linear_in : int or None
        The second conv's in_channels and the linear layer's
        in_features; None takes them from the layer before.

    Returns
    -------
    list of (str, dict)
    """
    def conv(settings, cin):
        keys = ("out_channels", "kernel_size", "stride", "padding")
        return ("conv2d", dict(zip(keys, settings), in_channels=cin))

    def pool(settings):
        kind, k, s = settings
        if kind == "none":
            return []
        return [(f"{kind}_pool2d", dict(kernel_size=k, stride=s))]

    return ([conv(conv1, None), ("relu", {})] + pool(pool1)
            + [conv(conv2, conv2_in), ("relu", {})] + pool(pool2)
            + [("flatten", {}), ("linear", dict(out_features=classes,
                                                in_features=linear_in))])


class CnnTracer(Demo):
    """CNN shape tracer (see `cnn_tracer`)."""

    name, script = "cnn-tracer", "cnn_tracer.js"
    namespace = "convlibCnnTracer"
    _esm = Demo.module_for(script, namespace, name)


def cnn_tracer(input_size=8, in_channels=1, conv1=(8, 3, 1, 1),
               pool1=("max", 2, 2), conv2=(16, 3, 1, 1),
               pool2=("max", 2, 2), classes=10, wire_channels=True):
    """CNN shape tracer: controls for the network of `cnn_layers`.

    The browser computes what `trace_cnn` computes for the settings as
    they change (no kernel needed): a table of every layer's output
    shape, parameters, MACs and receptive field, the totals, and the
    first layer that breaks, with the reason. With `wire_channels`
    unchecked, the second conv's in_channels and the linear layer's
    in_features stay at the starting network's values, as a hand-written
    ``nn.Conv2d``/``nn.Linear`` would.

    Parameters
    ----------
    input_size, in_channels : int
        The input image's (square) size and channels.
    conv1, pool1, conv2, pool2, classes
        The starting network, as for `cnn_layers`.
    wire_channels : bool
        Start with "fill in in_channels / in_features" ticked.

    Returns
    -------
    CnnTracer
        A widget; ``config`` holds the starting settings and, under
        ``controls``, the bounds of the number boxes (`TRACER_BOUNDS`)
        and the pooling kinds.

    Raises
    ------
    ValueError
        If the starting network itself does not trace.
    """
    settings = dict(conv1=list(conv1), pool1=list(pool1),
                    conv2=list(conv2), pool2=list(pool2), classes=classes)
    trace = trace_cnn(input_size, in_channels, cnn_layers(**settings))
    if trace.failed_at is not None:
        raise ValueError(f"cnn_tracer: the starting network does not "
                         f"trace: {trace.reason}")
    controls = {key: list(bounds) for key, bounds in TRACER_BOUNDS.items()}
    config = dict(size=input_size, channels=in_channels, **settings,
                  wire=bool(wire_channels), conv2_in=conv1[0],
                  linear_in=trace.rows[-2].shape[0],
                  controls=dict(controls, pool_kinds=list(POOL_KINDS)))
    return CnnTracer(config=config)
