"""Output sizes, receptive fields, HDC coverage and layer costs.

Plain integer arithmetic: no arrays of data, no torch. The first
argument of every size function is the input size -- an int for one
spatial dimension, or a tuple of ints for several (the answer is then a
tuple too) -- and the other arguments are keywords with the names
`torch.nn.functional` uses.

Invalid settings raise what torch refuses, as `ValueError` (bad value)
or `TypeError` (bad type), with a message that starts with the function
name and names the argument.
"""
from collections import namedtuple
from functools import partial
import math

import numpy as np

from ._util import _describe, check_positive_int, is_int, ntuple

__all__ = [
    "conv_output_size", "conv_transpose_output_size", "pool_output_size",
    "receptive_field", "ReceptiveField", "hdc_m_chain", "HDCChain",
    "coverage", "Coverage", "count_params", "count_flops",
]


# ---------------------------------------------------------------- sizes

def _input_sizes(input_size, fn):
    """Input size as a tuple of ints, and whether it was a single int."""
    if is_int(input_size):
        sizes, scalar = (int(input_size),), True
    elif (isinstance(input_size, (tuple, list)) and input_size
          and all(is_int(v) for v in input_size)):
        sizes, scalar = tuple(int(v) for v in input_size), False
    else:
        raise TypeError(
            f"{fn}: input_size must be an int or a non-empty tuple of "
            f"ints, got {_describe(input_size)}")
    if any(v < 1 for v in sizes):
        raise ValueError(
            f"{fn}: input_size must be >= 1 in every dimension, "
            f"got {input_size!r}")
    return sizes, scalar


def _result(values, scalar):
    return values[0] if scalar else tuple(values)


def _check_bool(value, name, fn):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(
            f"{fn}: {name} must be True or False, got {_describe(value)}")
    return bool(value)


def _conv_padding(padding, n, fn):
    """`padding` as a tuple of ints, or the string 'same'."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0,) * n
        if padding == "same":
            return "same"
        raise ValueError(
            f"{fn}: padding must be 'same', 'valid', an int or a tuple "
            f"of {n} ints, got {padding!r}")
    return ntuple(padding, n, "padding", fn, minimum=0)


def _same_padding(kernel_size, dilation):
    """(left, right) zero padding per dim that torch uses for 'same'.

    The total ``dilation * (kernel_size - 1)`` is split with the extra
    element, if any, on the right.
    """
    pads = []
    for k, d in zip(kernel_size, dilation):
        total = d * (k - 1)
        pads.append((total // 2, total - total // 2))
    return tuple(pads)


def _conv_args(fn, n, kernel_size, stride, padding, dilation):
    """Normalise the conv arguments; padding as (left, right) pairs."""
    k = ntuple(kernel_size, n, "kernel_size", fn, minimum=1)
    s = ntuple(stride, n, "stride", fn, minimum=1)
    d = ntuple(dilation, n, "dilation", fn, minimum=1)
    p = _conv_padding(padding, n, fn)
    if p == "same":
        if any(v != 1 for v in s):
            raise ValueError(
                f"{fn}: padding='same' needs stride=1 (torch does not "
                f"support it for strided convolutions), got stride="
                f"{stride!r}")
        return k, s, _same_padding(k, d), d
    return k, s, tuple((v, v) for v in p), d


def _conv_size(size, k, s, pads, d, fn, kernel_name="kernel_size"):
    """One dimension of the convolution output-size formula.

    `convlib.naive` calls this (and `_conv_args`, `_transpose_size`,
    `_pool_size`) with its own function name, so errors name the op.
    """
    span = d * (k - 1) + 1
    padded = size + pads[0] + pads[1]
    if span > padded:
        raise ValueError(
            f"{fn}: {kernel_name} {k} with dilation {d} spans {span} "
            f"elements, more than the padded input size {padded} "
            f"(input size {size} plus padding {pads[0]}+{pads[1]})")
    return (padded - span) // s + 1


def conv_output_size(input_size, kernel_size, stride=1, padding=0,
                     dilation=1):
    """Spatial output size of a convolution (torch's formula).

    Parameters
    ----------
    input_size : int or tuple of int
        Spatial input size, e.g. ``L`` or ``(H, W)``.
    kernel_size, stride, dilation : int or tuple of int
        As in ``torch.nn.Conv2d``; an int applies to every dim.
    padding : int, tuple of int, 'same' or 'valid'
        Zeros added on both sides of each dim. 'same' (stride 1 only)
        keeps the size, 'valid' means 0.

    Returns
    -------
    int or tuple of int
        ``floor((L + 2*p - d*(k - 1) - 1) / s) + 1`` per dimension; an
        int when `input_size` is an int.

    Raises
    ------
    ValueError
        If the dilated kernel is larger than the padded input, padding
        is negative or an unknown string, 'same' is used with a stride,
        or a size, stride or dilation is below 1.
    TypeError
        If an argument is not an int (or tuple of ints).

    Examples
    --------
    >>> conv_output_size(32, kernel_size=5, stride=1, padding=2)
    32
    >>> conv_output_size((7, 9), kernel_size=3, stride=2)
    (3, 4)
    """
    return _conv_output_size("conv_output_size", input_size, kernel_size,
                             stride, padding, dilation)


def _conv_output_size(fn, input_size, kernel_size, stride, padding,
                      dilation):
    """`conv_output_size`, with errors in the name of `fn`."""
    sizes, scalar = _input_sizes(input_size, fn)
    k, s, pads, d = _conv_args(fn, len(sizes), kernel_size, stride,
                               padding, dilation)
    out = [_conv_size(*args, fn) for args in zip(sizes, k, s, pads, d)]
    return _result(out, scalar)


def _transpose_size(size, k, s, p, op, d, fn):
    """One dimension of the transposed-convolution size formula."""
    if op >= max(s, d):
        raise ValueError(
            f"{fn}: output_padding must be smaller than stride or "
            f"dilation, got output_padding={op} with stride={s} and "
            f"dilation={d}")
    out = (size - 1) * s - 2 * p + d * (k - 1) + op + 1
    if out < 1:
        raise ValueError(
            f"{fn}: padding {p} is too large: the output size would be "
            f"{out} for input_size {size} and kernel_size {k}")
    return out


def conv_transpose_output_size(input_size, kernel_size, stride=1,
                               padding=0, output_padding=0, dilation=1):
    """Spatial output size of a transposed convolution (torch's formula).

    Parameters
    ----------
    input_size : int or tuple of int
        Spatial input size, e.g. ``L`` or ``(H, W)``.
    kernel_size, stride, padding, output_padding, dilation : int or tuple
        As in ``torch.nn.ConvTranspose2d``; an int applies to every dim.

    Returns
    -------
    int or tuple of int
        ``(L - 1)*s - 2*p + d*(k - 1) + output_padding + 1`` per dim.

    Raises
    ------
    ValueError
        If ``output_padding >= max(stride, dilation)``, the output size
        would be below 1, or a value is negative (or below 1 for sizes,
        stride and dilation).
    TypeError
        If an argument is not an int (or tuple of ints).

    Examples
    --------
    >>> conv_transpose_output_size(4, kernel_size=3, stride=2, padding=1,
    ...                            output_padding=1)
    8
    """
    return _conv_transpose_output_size(
        "conv_transpose_output_size", input_size, kernel_size, stride,
        padding, output_padding, dilation)


def _conv_transpose_output_size(fn, input_size, kernel_size, stride,
                                padding, output_padding, dilation):
    """`conv_transpose_output_size`, with errors in the name of `fn`."""
    sizes, scalar = _input_sizes(input_size, fn)
    n = len(sizes)
    k = ntuple(kernel_size, n, "kernel_size", fn, minimum=1)
    s = ntuple(stride, n, "stride", fn, minimum=1)
    p = ntuple(padding, n, "padding", fn, minimum=0)
    op = ntuple(output_padding, n, "output_padding", fn, minimum=0)
    d = ntuple(dilation, n, "dilation", fn, minimum=1)
    out = [_transpose_size(*args, fn) for args in zip(sizes, k, s, p, op, d)]
    return _result(out, scalar)


def _pool_size(size, k, s, p, d, ceil_mode, fn):
    """One dimension of the pooling output-size formula."""
    if p > k // 2:
        raise ValueError(
            f"{fn}: padding must be at most half of kernel_size, got "
            f"padding={p} with kernel_size={k}")
    out = (size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0))
    out = out // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1  # the last window must start inside input or left pad
    if out < 1:
        raise ValueError(
            f"{fn}: kernel_size {k} with dilation {d} does not fit: "
            f"input_size {size} with padding {p} gives output size {out}")
    return out


def pool_output_size(input_size, kernel_size, stride=None, padding=0,
                     dilation=1, ceil_mode=False):
    """Spatial output size of max/avg pooling (torch's rules).

    Parameters
    ----------
    input_size : int or tuple of int
        Spatial input size, e.g. ``L`` or ``(H, W)``.
    kernel_size : int or tuple of int
        Window size.
    stride : int or tuple of int, optional
        Defaults to `kernel_size`, as in torch.
    padding : int or tuple of int
        Implicit padding on both sides; at most ``kernel_size // 2``.
    dilation : int or tuple of int
        Spacing of the window elements (max pooling only in torch).
    ceil_mode : bool
        Round the division up instead of down -- but a window that
        would start past the input and its left padding is dropped.

    Returns
    -------
    int or tuple of int
        ``floor_or_ceil((L + 2*p - d*(k - 1) - 1) / s) + 1`` per dim,
        minus one when ceil_mode puts the last window's start at or
        beyond ``L + p``.

    Raises
    ------
    ValueError
        If padding exceeds half the kernel, the output size would be
        below 1, or a value is out of range.
    TypeError
        If an argument has the wrong type.

    Examples
    --------
    >>> pool_output_size(5, kernel_size=2, ceil_mode=True)
    3
    >>> pool_output_size((6, 6), kernel_size=3, stride=2, padding=1)
    (3, 3)
    """
    fn = "pool_output_size"
    sizes, scalar = _input_sizes(input_size, fn)
    n = len(sizes)
    k = ntuple(kernel_size, n, "kernel_size", fn, minimum=1)
    s = k if stride is None else ntuple(stride, n, "stride", fn, minimum=1)
    p = ntuple(padding, n, "padding", fn, minimum=0)
    d = ntuple(dilation, n, "dilation", fn, minimum=1)
    ceil_mode = _check_bool(ceil_mode, "ceil_mode", fn)
    out = [_pool_size(*args, ceil_mode, fn)
           for args in zip(sizes, k, s, p, d)]
    return _result(out, scalar)


# ------------------------------------------------------ receptive field

ReceptiveField = namedtuple("ReceptiveField", "size stride offset")
ReceptiveField.__doc__ = """Receptive field of one output unit.

size : int or tuple of int
    Span in input elements, from the first to the last input element
    that reaches the output unit (holes of a dilated stack included).
stride : int or tuple of int
    Distance in the input between the fields of adjacent output units.
offset : int or tuple of int
    Input index of the FIRST (left-most) element of output unit 0's
    field; negative when it lies in the zero padding. Output unit ``j``
    sees input ``offset + j*stride`` to ``offset + j*stride + size - 1``;
    its centre is ``offset + j*stride + (size - 1) / 2``.
"""

_LAYER_KEYS = ("kernel_size", "stride", "padding", "dilation")
_LAYER_DEFAULTS = {"stride": 1, "padding": 0, "dilation": 1}


def _layer_params(layer, index, fn):
    """The four geometry settings of one layer, as a dict."""
    where = f"layers[{index}]"
    if isinstance(layer, dict):
        params = dict(layer)
    elif isinstance(layer, (tuple, list)):
        if not 1 <= len(layer) <= 4:
            raise ValueError(
                f"{fn}: {where} as a tuple must be (kernel_size[, "
                f"stride[, padding[, dilation]]]), got {layer!r}")
        params = dict(zip(_LAYER_KEYS, layer))
    elif hasattr(layer, "kernel_size"):
        params = {key: getattr(layer, key) for key in _LAYER_KEYS
                  if hasattr(layer, key)}
    else:
        raise TypeError(
            f"{fn}: {where} must be a dict, a tuple or an object with a "
            f"kernel_size attribute, got {_describe(layer)}")
    if params.get("kernel_size") is None:
        raise ValueError(f"{fn}: {where} has no kernel_size")
    for key, default in _LAYER_DEFAULTS.items():
        params.setdefault(key, default)  # a missing setting: default
    if params["stride"] is None:  # as for pools: stride = kernel_size
        params["stride"] = params["kernel_size"]
    return {key: params[key] for key in _LAYER_KEYS}


def _ndim_of(params):
    lengths = {len(v) for layer in params for v in layer.values()
               if isinstance(v, (tuple, list))}
    if len(lengths) > 1:
        raise ValueError(
            "receptive_field: layers mix tuples of lengths "
            f"{sorted(lengths)}")
    return lengths.pop() if lengths else 1


def _layer_geometry(params, n, index, fn):
    """(k, s, left_padding, d) tuples of length n for one layer."""
    name = f"layers[{index}]"
    k = ntuple(params["kernel_size"], n, f"{name} kernel_size", fn, 1)
    s = ntuple(params["stride"], n, f"{name} stride", fn, 1)
    d = ntuple(params["dilation"], n, f"{name} dilation", fn, 1)
    padding = _conv_padding(params["padding"], n, fn)
    if padding == "same":
        padding = tuple(left for left, _ in _same_padding(k, d))
    return k, s, padding, d


def receptive_field(layers):
    """Receptive field of a stack of conv/pool layers (Distill 2019).

    The recurrences of Araujo, Norris and Sim, "Computing Receptive
    Fields of Convolutional Neural Networks", Distill 2019, for layers
    ``l = 1..L`` with kernel k, stride s, padding p and dilation d::

        size   = 1 + sum_l d_l (k_l - 1) prod_{i<l} s_i
        stride = prod_l s_l
        offset = - sum_l p_l prod_{i<l} s_i

    Parameters
    ----------
    layers : sequence
        Input first. Each layer is one of

        - a dict with key ``kernel_size`` and optional ``stride``,
          ``padding``, ``dilation`` (defaults 1, 0, 1);
        - a tuple ``(kernel_size[, stride[, padding[, dilation]]])``;
        - an object with those attributes, e.g. ``torch.nn.Conv2d`` or
          ``torch.nn.MaxPool2d`` (a missing dilation counts as 1).

        Values are ints or per-dimension tuples; padding may also be
        'same' (left padding ``d*(k-1)//2``) or 'valid'. A stride of
        None means `kernel_size`, as for pools. Layers without a
        kernel (activations, batch norm) must be left out.

    Returns
    -------
    ReceptiveField
        Named tuple ``(size, stride, offset)``; ints when every setting
        is an int (or 1-tuple), else tuples with one entry per dim.
        `offset` is the input index of the first element of the field
        of output unit 0 (see `ReceptiveField`).

    Raises
    ------
    TypeError, ValueError
        For an empty stack or a malformed layer (naming its index).

    Examples
    --------
    >>> receptive_field([(3, 1, 1), (2, 2), (3, 1, 1)])
    ReceptiveField(size=8, stride=2, offset=-3)
    """
    fn = "receptive_field"
    if not isinstance(layers, (list, tuple)) or not layers:
        raise ValueError(
            f"{fn}: layers must be a non-empty list of layers, got "
            f"{_describe(layers)}")
    params = [_layer_params(layer, i, fn) for i, layer in enumerate(layers)]
    n = _ndim_of(params)
    size, jump, offset = [1] * n, [1] * n, [0] * n
    for i, layer in enumerate(params):
        for dim, (k, s, p, d) in enumerate(
                zip(*_layer_geometry(layer, n, i, fn))):
            size[dim] += d * (k - 1) * jump[dim]
            offset[dim] -= p * jump[dim]
            jump[dim] *= s
    return ReceptiveField(_result(size, n == 1), _result(jump, n == 1),
                          _result(offset, n == 1))


# ---------------------------------------------------------------- HDC

HDCChain = namedtuple("HDCChain", "chain satisfied")
HDCChain.__doc__ = """Result of `hdc_m_chain`.

chain : tuple of int
    ``(M_1, ..., M_n)``, the maximum distance between two nonzero
    values seen by layer i (Wang et al. 2018).
satisfied : bool
    The design goal ``M_2 <= kernel_size``.
"""


def _check_rates(rates, fn, minimum_length):
    if not isinstance(rates, (list, tuple, np.ndarray)):
        raise TypeError(
            f"{fn}: rates must be a sequence of ints, got "
            f"{_describe(rates)}")
    if len(rates) < minimum_length:
        raise ValueError(
            f"{fn}: rates must hold at least {minimum_length} dilation "
            f"rates, got {list(rates)!r}")
    return tuple(check_positive_int(r, "rates", fn) for r in rates)


def hdc_m_chain(rates, kernel_size=3):
    """The HDC rule of thumb of Wang et al. 2018, as the paper states it.

    "Understanding Convolution for Semantic Segmentation" (WACV 2018),
    Hybrid Dilated Convolution: for dilation rates ``r_1..r_n`` of
    stacked K x K convolutions, define ``M_n = r_n`` and::

        M_i = max(M_{i+1} - 2 r_i, M_{i+1} - 2 (M_{i+1} - r_i), r_i)

    The design goal is ``M_2 <= K``. It is a rule of thumb: `coverage`
    gives the exact answer, and the two can disagree.

    Parameters
    ----------
    rates : sequence of int, length n >= 2
        Dilation rates, input side first.
    kernel_size : int
        K, the side of every kernel.

    Returns
    -------
    HDCChain
        ``(chain, satisfied)``: ``chain = (M_1, ..., M_n)`` and
        ``satisfied = M_2 <= kernel_size``.

    Raises
    ------
    ValueError
        Fewer than two rates (M_2 is then undefined), or a rate or
        kernel_size below 1.
    TypeError
        A rate or kernel_size that is not an int.

    Examples
    --------
    >>> hdc_m_chain([1, 2, 5])
    HDCChain(chain=(1, 2, 5), satisfied=True)
    >>> hdc_m_chain([1, 2, 9]).satisfied
    False
    """
    fn = "hdc_m_chain"
    rates = _check_rates(rates, fn, 2)
    kernel_size = check_positive_int(kernel_size, "kernel_size", fn)
    chain = [rates[-1]]
    for r in reversed(rates[:-1]):
        m_next = chain[0]
        chain.insert(0, max(m_next - 2 * r, m_next - 2 * (m_next - r), r))
    return HDCChain(tuple(chain), chain[1] <= kernel_size)


Coverage = namedtuple("Coverage", "counts has_holes")
Coverage.__doc__ = """Result of `coverage`.

counts : ndarray of int64, shape (span,) or (span, span)
    ``counts[i]`` is the number of paths from input offset i (0 = the
    first element of the field) to the output unit; 0 marks a hole.
    ``span = 1 + sum_l r_l (k_l - 1)``, the receptive field size.
has_holes : bool
    True when some input inside the span never reaches the output.
"""


def coverage(rates, kernel_size=3, ndim=1):
    """Which inputs one output of a dilated stack actually sees.

    The exact hole check behind HDC: stacking stride-1 convolutions
    with dilation rates ``r_l`` and kernel sizes ``k_l``, the inputs
    that reach one output are the sums ``sum_l r_l * j_l`` with
    ``0 <= j_l < k_l``. Counting the ways to form each sum is the
    convolution of the layers' dilated all-ones kernels -- the gradient
    of the output w.r.t. the input when every weight is 1.

    Parameters
    ----------
    rates : sequence of int, length >= 1
        Dilation rates, input side first.
    kernel_size : int or sequence of int
        One kernel size for every layer, or one per layer.
    ndim : {1, 2}
        1 for one spatial axis; 2 for square K x K kernels on an image
        (the map is then the outer product of the 1-D counts, and has
        holes exactly when the 1-D map does).

    Returns
    -------
    Coverage
        ``(counts, has_holes)``, counts of shape ``(span,)`` or
        ``(span, span)`` (see `Coverage`).

    Raises
    ------
    ValueError, TypeError
        For empty or non-positive rates, bad kernel_size or ndim.

    Examples
    --------
    >>> coverage([2, 2]).counts
    array([1, 0, 2, 0, 3, 0, 2, 0, 1])
    >>> coverage([1, 2, 5]).has_holes
    False
    """
    fn = "coverage"
    rates = _check_rates(rates, fn, 1)
    kernels = ntuple(kernel_size, len(rates), "kernel_size", fn, 1)
    if ndim not in (1, 2) or not is_int(ndim):
        raise ValueError(f"{fn}: ndim must be 1 or 2, got {ndim!r}")
    counts = np.ones(1, dtype=np.int64)
    for r, k in zip(rates, kernels):
        taps = np.zeros(r * (k - 1) + 1, dtype=np.int64)
        taps[::r] = 1
        counts = np.convolve(counts, taps)
    has_holes = bool((counts == 0).any())
    if ndim == 2:
        counts = np.outer(counts, counts)
    return Coverage(counts, has_holes)


# ------------------------------------------------------ params and MACs

def _channels(fn, in_channels, out_channels, groups):
    cin = check_positive_int(in_channels, "in_channels", fn)
    cout = check_positive_int(out_channels, "out_channels", fn)
    g = check_positive_int(groups, "groups", fn)
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
    cin = check_positive_int(in_features, "in_features", fn)
    cout = check_positive_int(out_features, "out_features", fn)
    return cout * cin + (cout if _check_bool(bias, "bias", fn) else 0)


def _depthwise_parts(fn, in_channels, out_channels, kernel_size,
                     depth_multiplier=1, bias=True, stride=1, padding=0,
                     dilation=1):
    """The two conv2d layers of a depthwise separable convolution."""
    cin = check_positive_int(in_channels, "in_channels", fn)
    m = check_positive_int(depth_multiplier, "depth_multiplier", fn)
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


_CONV_DIMS = {"conv1d": 1, "conv2d": 2, "conv3d": 3,
              "conv_transpose1d": 1, "conv_transpose2d": 2,
              "conv_transpose3d": 3}
_COMPOSITES = {"depthwise_separable_conv2d": _depthwise_parts,
               "spatially_separable_conv2d": _spatial_parts}
_LAYERS = sorted(list(_CONV_DIMS) + list(_COMPOSITES) + ["linear"])
_GEOMETRY = ("stride", "padding", "dilation", "output_padding")


def _layer_name(layer, fn):
    if not isinstance(layer, str):
        raise TypeError(
            f"{fn}: layer must be a layer name or a list of (name, "
            f"kwargs) pairs, got {_describe(layer)}")
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
            f"kwargs) pairs, got {_describe(layers)}")
    total = 0
    for i, entry in enumerate(layers):
        if (not isinstance(entry, (list, tuple)) or len(entry) != 2
                or not isinstance(entry[1], dict)):
            raise TypeError(
                f"{fn}: layer[{i}] must be a (name, kwargs) pair, got "
                f"{_describe(entry)}")
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
    counted; multiplications by padding zeros are (the dense
    definition computes them).

    Parameters
    ----------
    layer : str or list of (str, dict)
        As in `count_params` (the same keywords, plus the geometry
        `stride`, `padding`, `dilation`, and `output_padding` for
        transposed convs). A list of ``(name, kwargs)`` pairs, each
        kwargs holding its own `input_size`, is summed.
    input_size : int or tuple of int
        Spatial input size of a conv layer; must be omitted for
        ``'linear'`` (whose count is per input vector).
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


def _macs(fn, layer, input_size, kwargs):
    """MACs of one named layer."""
    if layer == "linear":
        if input_size is not None:
            raise ValueError(f"{fn}: input_size does not apply to "
                             f"'linear', got input_size={input_size!r}")
        return _call(fn, partial(_linear_macs, fn), layer, kwargs)
    if input_size is None:
        raise ValueError(f"{fn}: input_size is required for {layer!r}")
    if layer in _COMPOSITES:
        return _composite_macs(fn, layer, input_size, kwargs)
    return _call(fn, partial(_conv_macs, fn, layer, input_size), layer,
                 kwargs)
