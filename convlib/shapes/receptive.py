"""Receptive field of a stack of conv/pool layers."""
from collections import namedtuple

from .._args import (describe, ntuple, parse_padding, same_padding,
                     sizes_as_given)


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
            f"kernel_size attribute, got {describe(layer)}")
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
    padding = parse_padding(fn, params["padding"], n)
    if padding == "same":
        padding = tuple(left for left, _ in same_padding(k, d))
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
            f"{describe(layers)}")
    params = [_layer_params(layer, i, fn) for i, layer in enumerate(layers)]
    n = _ndim_of(params)
    size, jump, offset = [1] * n, [1] * n, [0] * n
    for i, layer in enumerate(params):
        for dim, (k, s, p, d) in enumerate(
                zip(*_layer_geometry(layer, n, i, fn))):
            size[dim] += d * (k - 1) * jump[dim]
            offset[dim] -= p * jump[dim]
            jump[dim] *= s
    return ReceptiveField(*(sizes_as_given(values, n == 1)
                            for values in (size, jump, offset)))
