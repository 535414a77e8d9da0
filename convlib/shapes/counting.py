"""Learnable parameters and multiply-accumulates of layers."""
from functools import partial
import math

from .._args import check_int, check_probability, describe, is_int, ntuple
from .._args import check_bool as _check_bool
from .output_size import (_conv_output_size, _conv_transpose_output_size,
                          conv_output_size)


def _channels(fn, in_channels, out_channels, groups):
    cin = check_int(in_channels, "in_channels", fn)
    cout = check_int(out_channels, "out_channels", fn)
    g = check_int(groups, "groups", fn)
    for name, value in (("in_channels", cin), ("out_channels", cout)):
        if value % g:
            raise ValueError(
                f"{fn}: {name} must be divisible by groups, got "
                f"{name}={value} and groups={g}")
    return cin, cout, g


def _conv_params(fn, n, in_channels, out_channels, kernel_size,
                 groups=1, bias=True):
    """Weights (C_out, C_in/groups, *k) plus C_out biases."""
    cin, cout, g = _channels(fn, in_channels, out_channels, groups)
    k = ntuple(kernel_size, n, "kernel_size", fn, minimum=1)
    bias = _check_bool(bias, "bias", fn)
    return cout * (cin // g) * math.prod(k) + (cout if bias else 0)


def _linear_params(fn, in_features, out_features, bias=True):
    cin = check_int(in_features, "in_features", fn)
    cout = check_int(out_features, "out_features", fn)
    return cout * cin + (cout if _check_bool(bias, "bias", fn) else 0)


def _depthwise_parts(fn, in_channels, out_channels, kernel_size,
                     depth_multiplier=1, bias=True, stride=1, padding=0,
                     dilation=1):
    """The two conv2d layers of a depthwise separable convolution."""
    cin = check_int(in_channels, "in_channels", fn)
    m = check_int(depth_multiplier, "depth_multiplier", fn)
    depthwise = dict(in_channels=cin, out_channels=cin * m,
                     kernel_size=kernel_size, groups=cin, bias=bias,
                     stride=stride, padding=padding, dilation=dilation)
    pointwise = dict(in_channels=cin * m, out_channels=out_channels,
                     kernel_size=1, bias=bias)
    return [depthwise, pointwise]


def _spatial_parts(fn, in_channels, out_channels, kernel_size,
                   mid_channels=None, bias=True, stride=1, padding=0,
                   dilation=1):
    """The (kH x 1) then (1 x kW) conv2d layers of a spatially
    separable convolution; `mid_channels` defaults to out_channels."""
    mid = out_channels if mid_channels is None else mid_channels
    k, s, p, d = (ntuple(v, 2, name, fn, minimum)
                  for v, name, minimum in (
                      (kernel_size, "kernel_size", 1), (stride, "stride", 1),
                      (padding, "padding", 0), (dilation, "dilation", 1)))
    first = dict(in_channels=in_channels, out_channels=mid,
                 kernel_size=(k[0], 1), stride=(s[0], 1),
                 padding=(p[0], 0), dilation=(d[0], 1), bias=bias)
    second = dict(in_channels=mid, out_channels=out_channels,
                  kernel_size=(1, k[1]), stride=(1, s[1]),
                  padding=(0, p[1]), dilation=(1, d[1]), bias=bias)
    return [first, second]


def _norm_params(fn, layer, affine_default, **kwargs):
    """Weight and bias of a normalisation layer: 2 per channel (per
    element of normalized_shape for layer norm) when affine, else 0.
    Running statistics are buffers, not parameters."""
    if layer == "layer_norm":
        return _call(fn, partial(_layer_norm_params, fn), layer, kwargs)
    if layer == "group_norm":
        return _call(fn, partial(_group_norm_params, fn), layer, kwargs)
    return _call(fn, partial(_channel_norm_params, fn, affine_default),
                 layer, kwargs)


def _channel_norm_params(fn, affine_default, num_features, affine=None,
                         eps=1e-5, momentum=0.1, track_running_stats=None):
    """batch_norm / instance_norm: eps, momentum and
    track_running_stats are accepted and change no count."""
    c = check_int(num_features, "num_features", fn)
    affine = affine_default if affine is None else affine
    return 2 * c if _check_bool(affine, "affine", fn) else 0


def _group_norm_params(fn, num_groups, num_channels, affine=True,
                       eps=1e-5):
    g = check_int(num_groups, "num_groups", fn)
    c = check_int(num_channels, "num_channels", fn)
    if c % g:
        raise ValueError(
            f"{fn}: num_groups must divide num_channels, got "
            f"num_groups={g} and num_channels={c}")
    return 2 * c if _check_bool(affine, "affine", fn) else 0


def _layer_norm_params(fn, normalized_shape, elementwise_affine=True,
                       bias=True, eps=1e-5):
    """normalized_shape an int or a tuple, as nn.LayerNorm takes it."""
    if is_int(normalized_shape):
        normalized_shape = (normalized_shape,)
    if not isinstance(normalized_shape, (tuple, list)) or not all(
            is_int(v) for v in normalized_shape) or not normalized_shape:
        raise TypeError(
            f"{fn}: normalized_shape must be an int or a non-empty tuple "
            f"of ints, got {describe(normalized_shape)}")
    shape = ntuple(normalized_shape, len(normalized_shape),
                   "normalized_shape", fn, minimum=1)
    if not _check_bool(elementwise_affine, "elementwise_affine", fn):
        return 0
    return math.prod(shape) * (2 if _check_bool(bias, "bias", fn) else 1)


def _dropout_params(fn, p=0.5, inplace=False):
    check_probability(fn, p)
    _check_bool(inplace, "inplace", fn)
    return 0


def _basic_parts(fn, in_channels, out_channels, stride=1):
    """The conv2d layers of a basic block, each with True when it runs
    at the block's output size; a batch norm follows each."""
    cin = check_int(in_channels, "in_channels", fn)
    cout = check_int(out_channels, "out_channels", fn)
    s = check_int(stride, "stride", fn)
    parts = [(dict(in_channels=cin, out_channels=cout, kernel_size=3,
                   stride=s, padding=1, bias=False), False),
             (dict(in_channels=cout, out_channels=cout, kernel_size=3,
                   padding=1, bias=False), True)]
    return parts + _projection(cin, cout, s)


def _bottleneck_parts(fn, in_channels, out_channels, mid_channels=None,
                      stride=1, groups=1):
    """The conv2d layers of a bottleneck block (torchvision's: the
    stride on the 3x3), each with True when it runs at the output size;
    `mid_channels` defaults to out_channels / 4 (the expansion 4)."""
    cin = check_int(in_channels, "in_channels", fn)
    cout = check_int(out_channels, "out_channels", fn)
    if mid_channels is None and cout % 4:
        raise ValueError(
            f"{fn}: mid_channels defaults to out_channels / 4, so "
            f"out_channels must be divisible by 4, got {cout}")
    mid = check_int(cout // 4 if mid_channels is None
                    else mid_channels, "mid_channels", fn)
    s = check_int(stride, "stride", fn)
    parts = [(dict(in_channels=cin, out_channels=mid, kernel_size=1,
                   bias=False), False),
             (dict(in_channels=mid, out_channels=mid, kernel_size=3,
                   stride=s, padding=1, groups=groups, bias=False), False),
             (dict(in_channels=mid, out_channels=cout, kernel_size=1,
                   bias=False), True)]
    return parts + _projection(cin, cout, s)


def _projection(cin, cout, stride):
    """The 1x1 projection shortcut, present when the stride or the
    channels change (torchvision's rule)."""
    if stride == 1 and cin == cout:
        return []
    return [(dict(in_channels=cin, out_channels=cout, kernel_size=1,
                  stride=stride, bias=False), False)]


_CONV_DIMS = {"conv1d": 1, "conv2d": 2, "conv3d": 3,
              "conv_transpose1d": 1, "conv_transpose2d": 2,
              "conv_transpose3d": 3}
_COMPOSITES = {"depthwise_separable_conv2d": _depthwise_parts,
               "spatially_separable_conv2d": _spatial_parts}
_BLOCKS = {"basic_block": _basic_parts,
           "bottleneck_block": _bottleneck_parts}
# normalisation layers: whether they are affine by default (as torch)
_NORMS = {"batch_norm": True, "instance_norm": False, "layer_norm": True,
          "group_norm": True}
_DROPOUTS = ("dropout", "dropout2d")
_LAYERS = sorted(list(_CONV_DIMS) + list(_COMPOSITES) + list(_BLOCKS)
                 + list(_NORMS) + list(_DROPOUTS) + ["linear"])
_GEOMETRY = ("stride", "padding", "dilation", "output_padding")


def _layer_name(layer, fn):
    if not isinstance(layer, str):
        raise TypeError(
            f"{fn}: layer must be a layer name or a list of (name, "
            f"kwargs) pairs, got {describe(layer)}")
    if layer not in _LAYERS:
        raise ValueError(
            f"{fn}: layer must be one of {', '.join(_LAYERS)}; "
            f"got {layer!r}")
    return layer


def _call(fn, function, layer, kwargs):
    """Call a counting rule, turning a wrong keyword into a clear error."""
    try:
        return function(**kwargs)
    except TypeError as exc:
        if fn in str(exc):
            raise
        raise TypeError(
            f"{fn}: bad keyword arguments for {layer!r}: {exc}") from None


def _each_layer(fn, layers, counter):
    if not isinstance(layers, (list, tuple)):
        raise TypeError(
            f"{fn}: layer must be a layer name or a list of (name, "
            f"kwargs) pairs, got {describe(layers)}")
    total = 0
    for i, entry in enumerate(layers):
        if (not isinstance(entry, (list, tuple)) or len(entry) != 2
                or not isinstance(entry[1], dict)):
            raise TypeError(
                f"{fn}: layer[{i}] must be a (name, kwargs) pair, got "
                f"{describe(entry)}")
        total += counter(entry[0], **entry[1])
    return total


def count_params(layer, **kwargs):
    """Number of learnable parameters, as torch's modules hold them.

    Parameters
    ----------
    layer : str or list of (str, dict)
        A layer name and its settings as keywords, or a list of
        ``(name, kwargs)`` pairs whose counts are added up. Names and
        keywords (defaults as in torch):

        - ``'conv1d'``, ``'conv2d'``, ``'conv3d'``: `in_channels`,
          `out_channels`, `kernel_size`, ``groups=1``, ``bias=True``;
          weight ``(C_out, C_in/groups, *k)`` plus C_out biases.
          stride, padding, dilation are accepted and ignored.
        - ``'conv_transpose1d'`` .. ``'conv_transpose3d'``: the same
          keywords (weight ``(C_in, C_out/groups, *k)``, same count),
          output_padding accepted and ignored.
        - ``'linear'``: `in_features`, `out_features`, ``bias=True``.
        - ``'depthwise_separable_conv2d'``: `in_channels`,
          `out_channels`, `kernel_size`, ``depth_multiplier=1``,
          ``bias=True``: a k x k conv with groups=C_in producing
          ``C_in * depth_multiplier`` channels, then a 1x1 conv.
        - ``'spatially_separable_conv2d'``: `in_channels`,
          `out_channels`, `kernel_size`, ``mid_channels=out_channels``,
          ``bias=True``: a (kH x 1) conv to mid_channels, then a
          (1 x kW) conv to out_channels.
        - ``'batch_norm'``: `num_features`, ``affine=True``;
          ``'instance_norm'``: `num_features`, ``affine=False``;
          ``'group_norm'``: `num_groups`, `num_channels`,
          ``affine=True``: a weight and a bias per channel when affine
          (running statistics are buffers, not parameters; eps,
          momentum, track_running_stats accepted and ignored).
        - ``'layer_norm'``: `normalized_shape` (an int or a tuple),
          ``elementwise_affine=True``, ``bias=True``: a weight (and a
          bias) per element of normalized_shape.
        - ``'dropout'``, ``'dropout2d'``: ``p=0.5``; no parameters.
        - ``'basic_block'``: `in_channels`, `out_channels`,
          ``stride=1``: ResNet's 3x3 -> BN -> ReLU -> 3x3 -> BN, plus a
          1x1 projection and its BN when the stride is not 1 or the
          channels change (torchvision's ``BasicBlock``); convolutions
          without bias.
        - ``'bottleneck_block'``: `in_channels`, `out_channels`,
          ``mid_channels=out_channels // 4``, ``stride=1``,
          ``groups=1``: 1x1 -> BN -> ReLU -> 3x3 (stride, groups) ->
          BN -> ReLU -> 1x1 -> BN, plus the projection as above
          (torchvision's ``Bottleneck``).

    Returns
    -------
    int
        Equal to ``sum(p.numel() for p in module.parameters())`` for the
        matching torch module (or nn.Sequential for the composites).

    Raises
    ------
    ValueError, TypeError
        Unknown layer, missing or bad keywords, channels not divisible
        by groups.

    Examples
    --------
    >>> count_params('conv2d', in_channels=3, out_channels=64,
    ...              kernel_size=3)
    1792
    >>> count_params('depthwise_separable_conv2d', in_channels=32,
    ...              out_channels=64, kernel_size=3)
    2432
    """
    fn = "count_params"
    if not isinstance(layer, str):
        if kwargs:
            raise TypeError(f"{fn}: with a list of layers, give each "
                            f"layer's settings in its own kwargs dict, "
                            f"got extra {kwargs!r}")
        return _each_layer(fn, layer, count_params)
    layer = _layer_name(layer, fn)
    if layer in _COMPOSITES:
        parts = _call(fn, partial(_COMPOSITES[layer], fn), layer, kwargs)
        return sum(count_params("conv2d", **part) for part in parts)
    if layer in _BLOCKS:
        parts = _call(fn, partial(_BLOCKS[layer], fn), layer, kwargs)
        return sum(count_params("conv2d", **part)
                   + 2 * part["out_channels"] for part, _ in parts)
    if layer in _NORMS:
        return _norm_params(fn, layer, _NORMS[layer], **kwargs)
    if layer in _DROPOUTS:
        return _call(fn, partial(_dropout_params, fn), layer, kwargs)
    if layer == "linear":
        return _call(fn, partial(_linear_params, fn), layer, kwargs)
    conv = {k: v for k, v in kwargs.items() if k not in _GEOMETRY}
    return _call(fn, partial(_conv_params, fn, _CONV_DIMS[layer]), layer,
                 conv)


def _conv_macs(fn, layer, input_size, in_channels, out_channels,
               kernel_size, stride=1, padding=0, dilation=1, groups=1,
               output_padding=0, bias=True):
    """Multiply-accumulates of one conv or transposed conv layer."""
    n = _CONV_DIMS[layer]
    cin, cout, g = _channels(fn, in_channels, out_channels, groups)
    k = ntuple(kernel_size, n, "kernel_size", fn, minimum=1)
    _check_bool(bias, "bias", fn)
    sizes = ntuple(input_size, n, "input_size", fn, minimum=1)
    if layer.startswith("conv_transpose"):
        _conv_transpose_output_size(fn, sizes, k, stride, padding,
                                    output_padding, dilation)
        return math.prod(sizes) * cin * (cout // g) * math.prod(k)
    if output_padding != 0:
        raise ValueError(
            f"{fn}: output_padding applies to conv_transpose layers "
            f"only, got output_padding={output_padding!r} for {layer!r}")
    out = _conv_output_size(fn, sizes, k, stride, padding, dilation)
    return math.prod(out) * cout * (cin // g) * math.prod(k)


def _composite_macs(fn, layer, input_size, kwargs):
    total = 0
    sizes = ntuple(input_size, 2, "input_size", fn, minimum=1)
    for part in _call(fn, partial(_COMPOSITES[layer], fn), layer, kwargs):
        total += _conv_macs(fn, "conv2d", sizes, **part)
        geometry = {key: part.get(key, d) for key, d in
                    (("stride", 1), ("padding", 0), ("dilation", 1))}
        sizes = conv_output_size(sizes, part["kernel_size"], **geometry)
    return total


def count_flops(layer, input_size=None, unit="mac", **kwargs):
    """Multiply-accumulates (MACs) of one forward pass, per sample.

    One MAC is one product added to a sum, ``y += w * x``; it is what
    the MobileNet and ShuffleNet papers report as "Mult-Adds" or
    "FLOPs". With ``unit='flop'`` the count is doubled (a multiply and
    an add). Bias additions, activations and the batch size are not
    counted, nor are the elementwise normalisation and dropout layers
    (they count 0, like torchvision's published figures, which count
    convolutions and matrix products only; an evaluation-mode batch
    norm folds into the convolution before it); multiplications by
    padding zeros are counted (the dense definition computes them).

    Parameters
    ----------
    layer : str or list of (str, dict)
        As in `count_params` (the same keywords, plus the geometry
        `stride`, `padding`, `dilation`, and `output_padding` for
        transposed convs). A list of ``(name, kwargs)`` pairs, each
        kwargs holding its own `input_size`, is summed.
    input_size : int or tuple of int
        Spatial input size of a conv layer or a block; must be omitted
        for ``'linear'`` (whose count is per input vector); ignored by
        the normalisation and dropout layers.
    unit : {'mac', 'flop'}
        Count MACs, or FLOPs = 2 x MACs.

    Returns
    -------
    int
        - conv: ``prod(out_size) * C_out * (C_in/groups) * prod(k)``
        - transposed conv (scatter form): ``prod(input_size) * C_in *
          (C_out/groups) * prod(k)``
        - linear: ``in_features * out_features``
        - composites: the sum over their two conv layers.
        - blocks: the sum over their convolutions, each at its own
          input size (the output size is ``(H - 1) // stride + 1``).
        - normalisation, dropout: 0.

    Raises
    ------
    ValueError, TypeError
        As `count_params`, plus the output-size errors of
        `conv_output_size`.

    Examples
    --------
    >>> count_flops('conv2d', (32, 32), in_channels=3, out_channels=16,
    ...             kernel_size=3, padding=1)
    442368
    >>> count_flops('linear', in_features=100, out_features=10)
    1000
    """
    fn = "count_flops"
    if unit not in ("mac", "flop"):
        raise ValueError(f"{fn}: unit must be 'mac' or 'flop', got "
                         f"{unit!r}")
    factor = 2 if unit == "flop" else 1
    if not isinstance(layer, str):
        if input_size is not None or kwargs:
            raise TypeError(f"{fn}: with a list of layers, give each "
                            f"layer's input_size and settings in its "
                            f"own kwargs dict, got extra {kwargs!r}")
        return factor * _each_layer(fn, layer, count_flops)
    return factor * _macs(fn, _layer_name(layer, fn), input_size, kwargs)


def _linear_macs(fn, in_features, out_features, bias=True):
    _linear_params(fn, in_features, out_features, bias)  # checks
    return in_features * out_features


def _block_macs(fn, layer, input_size, kwargs):
    """The convolutions' MACs, each at its own input size."""
    sizes = ntuple(input_size, 2, "input_size", fn, minimum=1)
    parts = _call(fn, partial(_BLOCKS[layer], fn), layer, kwargs)
    stride = max(part.get("stride", 1) for part, _ in parts)
    out = conv_output_size(sizes, 3, stride=stride, padding=1)
    return sum(_conv_macs(fn, "conv2d", out if at_output else sizes,
                          **part) for part, at_output in parts)


def _macs(fn, layer, input_size, kwargs):
    """MACs of one named layer."""
    if layer in _NORMS:
        _norm_params(fn, layer, _NORMS[layer], **kwargs)  # the checks
        return 0
    if layer in _DROPOUTS:
        _call(fn, partial(_dropout_params, fn), layer, kwargs)
        return 0
    if layer == "linear":
        if input_size is not None:
            raise ValueError(f"{fn}: input_size does not apply to "
                             f"'linear', got input_size={input_size!r}")
        return _call(fn, partial(_linear_macs, fn), layer, kwargs)
    if input_size is None:
        raise ValueError(f"{fn}: input_size is required for {layer!r}")
    if layer in _COMPOSITES:
        return _composite_macs(fn, layer, input_size, kwargs)
    if layer in _BLOCKS:
        return _block_macs(fn, layer, input_size, kwargs)
    return _call(fn, partial(_conv_macs, fn, layer, input_size), layer,
                 kwargs)
