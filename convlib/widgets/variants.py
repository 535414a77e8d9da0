"""Chapter 2 demo: the variant comparer.

`variant_report` says what one variant of a ``C_in -> C_out`` convolution
layer costs -- weights and multiply-accumulates (MACs), counted with
`convlib.shapes` -- with the formula and its numbers, and which input
channels feed each output channel, stage by stage. Validity comes from
`_rules` (`convlib._args`, `convlib.shapes`), the words from the demos'
string table. The demo's JavaScript (``variant_comparer.js``) repeats
this arithmetic in the browser; the tests hold the two equal over the
demo's whole grid of settings.

Every variant keeps the spatial size: stride 1 and padding
``dilation * (k - 1) / 2`` (odd k), so ``MACs = H * W * weights``. Biases
are left out (MobileNet and ShuffleNet count none: batch norm follows).
"""
from collections import namedtuple

from .. import _args, shapes
from . import _rules
from ._demo import Demo
from ._strings import text

# The variants and their names (from the demos' string table).
VARIANTS = {key: text(f"variants.name_{key}") for key in (
    "standard", "dilated", "spatial", "depthwise", "pointwise", "grouped",
    "shuffled")}
CHANNEL_OPTIONS = (1, 2, 3, 4, 6, 8, 12, 16)
GROUP_OPTIONS = (1, 2, 3, 4, 6, 8, 12, 16)
KERNEL_OPTIONS = (1, 3, 5, 7)

VariantReport = namedtuple("VariantReport",
                           "params macs formula stages sees reason")
VariantReport.__doc__ = """Cost and connectivity of one convolution variant.

params : int or None, weights (no bias); None for invalid settings
macs : int or None, multiply-accumulates for one H x W input
formula : str, both counts as formulas with the numbers put in
stages : tuple of Stage, the layers from input to output channels
sees : tuple of tuple of int, for each output channel the input
    channels it depends on (through all stages)
reason : str, why the settings are invalid ('' when they are valid)
"""

Stage = namedtuple("Stage", "label n_in n_out edges")
Stage.__doc__ = """One layer of a variant: n_in -> n_out channels.

edges : tuple of (int, int), (input channel, output channel) pairs such
    that the output channel depends on the input channel.
"""

_X = "\u00d7"


def _group_edges(n_in, n_out, groups):
    """Edges of a convolution with `groups` groups."""
    per_in, per_out = n_in // groups, n_out // groups
    return tuple((i, o) for i in range(n_in)
                 for o in range(i // per_in * per_out,
                                (i // per_in + 1) * per_out))


def _shuffle_edges(channels, groups):
    """Channel shuffle: member k of group g moves to k * groups + g."""
    per = channels // groups
    return tuple(sorted((g * per + k, k * groups + g)
                        for g in range(groups) for k in range(per)))


def _full(n_in, n_out):
    return _group_edges(n_in, n_out, 1)


def _size_kept(cin, cout, k, **extra):
    """A bias-free conv2d layer's arguments that keep the size (stride
    1, odd k), with `extra` (dilation, groups) after the padding."""
    ((padding, _),) = _args.same_padding((k,), (extra.get("dilation", 1),))
    return dict(in_channels=cin, out_channels=cout, kernel_size=k,
                padding=padding, **extra, bias=False)


def _dense_unit(variant, cin, cout, k, g):
    """Standard, dilated (rate 2) or pointwise: one conv2d."""
    kk = 1 if variant == "pointwise" else k
    d = 2 if variant == "dilated" else 1
    layer = _size_kept(cin, cout, kk, dilation=d)
    label = text("variants.stage_dilated" if d == 2
                 else "variants.stage_conv", k=kk)
    terms = ("C_out\u00d7C_in" + ("" if kk == 1 else "\u00d7k\u00d7k"),
             f"{cout}{_X}{cin}" + ("" if kk == 1 else f"{_X}{k}{_X}{k}"))
    return [("conv2d", layer)], [Stage(label, cin, cout, _full(cin, cout))], \
        terms


def _spatial_unit(variant, cin, cout, k, g):
    """k x 1 to C_out channels, then 1 x k."""
    layer = _size_kept(cin, cout, k)
    stages = [Stage(text("variants.stage_kx1", k=k), cin, cout,
                    _full(cin, cout)),
              Stage(text("variants.stage_1xk", k=k), cout, cout,
                    _full(cout, cout))]
    terms = ("C_out\u00d7C_in\u00d7k + C_out\u00d7C_out\u00d7k",
             f"{cout}{_X}{cin}{_X}{k} + {cout}{_X}{cout}{_X}{k}")
    return [("spatially_separable_conv2d", layer)], stages, terms


def _depthwise_unit(variant, cin, cout, k, g):
    """Depthwise k x k (groups = C_in), then pointwise 1 x 1."""
    layer = _size_kept(cin, cout, k)
    stages = [Stage(text("variants.stage_depthwise", k=k, g=cin), cin, cin,
                    _group_edges(cin, cin, cin)),
              Stage(text("variants.stage_pointwise"), cin, cout,
                    _full(cin, cout))]
    terms = ("C_in\u00d7k\u00d7k + C_out\u00d7C_in",
             f"{cin}{_X}{k}{_X}{k} + {cout}{_X}{cin}")
    return [("depthwise_separable_conv2d", layer)], stages, terms


def _grouped_unit(variant, cin, cout, k, g):
    """A conv2d with g groups, then (variant 'shuffled') a shuffle."""
    layer = _size_kept(cin, cout, k, groups=g)
    stages = [Stage(text("variants.stage_grouped", k=k, g=g), cin, cout,
                    _group_edges(cin, cout, g))]
    if variant == "shuffled":
        stages.append(Stage(text("variants.stage_shuffle", g=g), cout, cout,
                            _shuffle_edges(cout, g)))
    terms = ("C_out\u00d7(C_in/g)\u00d7k\u00d7k",
             f"{cout}{_X}({cin}/{g}){_X}{k}{_X}{k}")
    return [("conv2d", layer)], stages, terms


_UNITS = {"standard": _dense_unit, "dilated": _dense_unit,
          "pointwise": _dense_unit, "spatial": _spatial_unit,
          "depthwise": _depthwise_unit, "grouped": _grouped_unit,
          "shuffled": _grouped_unit}


def _unit(variant, cin, cout, k, g):
    """(layers for convlib.shapes, stages, (symbolic, numeric) weights)
    of one unit of `variant` from cin to cout channels."""
    return _UNITS[variant](variant, cin, cout, k, g)


def _reason(variant, cin, cout, k, g):
    """The sentence of the rule that refuses the settings, or ''."""
    refused = _rules.ints([("C_in", cin, 1), ("C_out", cout, 1), ("k", k, 1),
                           ("g", g, 1)])
    if refused:
        return text(f"arg.{refused.rule}", **refused.facts)
    if k % 2 == 0 and variant != "pointwise":  # the demo keeps the size
        return text("variants.odd_k", k=k)
    if variant in ("grouped", "shuffled"):
        split = _rules.groups(cin, cout, g)
        if split.rule:
            name, value = (("C_in", cin) if split.rule == "groups_in"
                           else ("C_out", cout))
            return text("variants.groups", name=name, value=value, g=g)
    return ""


def _sees(stages, n_in):
    """For each final channel, the input channels it depends on."""
    reach = [{i} for i in range(n_in)]
    for stage in stages:
        nxt = [set() for _ in range(stage.n_out)]
        for i, o in stage.edges:
            nxt[o] |= reach[i]
        reach = nxt
    return tuple(tuple(sorted(r)) for r in reach)


def _check(variant, in_channels, out_channels, kernel_size, groups, size):
    fn = "variant_report"
    if variant not in VARIANTS:
        raise ValueError(f"{fn}: variant must be one of "
                         f"{', '.join(VARIANTS)}; got {variant!r}")
    for name, value in (("in_channels", in_channels),
                        ("out_channels", out_channels),
                        ("kernel_size", kernel_size), ("groups", groups)):
        if not _args.is_int(value):  # values < 1 get a reason instead
            raise TypeError(f"{fn}: {name} must be an int, got "
                            f"{_args.describe(value)}")
    return _args.check_int(size, "input_size", fn)


def variant_report(variant, in_channels, out_channels, kernel_size=3,
                   groups=1, input_size=16, stacked=False):
    """Weights, MACs and channel connectivity of a convolution variant.

    Parameters
    ----------
    variant : str
        A key of `VARIANTS`: 'standard', 'dilated' (rate 2), 'spatial'
        (k x 1 to C_out channels, then 1 x k), 'depthwise' (depthwise
        k x k, then pointwise 1 x 1), 'pointwise' (1 x 1; `kernel_size`
        is ignored), 'grouped', 'shuffled' (grouped, then a channel
        shuffle). `groups` applies to the last two only.
    in_channels, out_channels, kernel_size, groups : int
    input_size : int
        H = W of the input; stride 1 and "same" padding keep it.
    stacked : bool
        Two units in a row, the second from C_out to C_out channels.

    Returns
    -------
    VariantReport
        ``params`` is ``convlib.shapes.count_params`` of the layers (no
        bias), ``macs`` ``convlib.shapes.count_flops`` (MACs) for one
        ``input_size x input_size`` input; both None, and ``reason``
        saying why, when the settings are invalid (e.g. channels not
        divisible by groups).

    Raises
    ------
    ValueError, TypeError
        Unknown variant, non-integer settings.
    """
    n = _check(variant, in_channels, out_channels, kernel_size, groups,
               input_size)
    cin, cout, k, g = in_channels, out_channels, kernel_size, groups
    reason = _reason(variant, cin, cout, k, g)
    if reason:
        return VariantReport(None, None, "", (), (), reason)
    units = [_unit(variant, cin, cout, k, g)]
    if stacked:
        units.append(_unit(variant, cout, cout, k, g))
    counts = [shapes.count_params(unit[0]) for unit in units]
    params = sum(counts)
    macs = shapes.count_flops(
        [(name, dict(kw, input_size=(n, n)))
         for unit in units for name, kw in unit[0]], unit="mac")
    stages = tuple(s for unit in units for s in unit[1])
    formula = _formula(variant, [unit[2] for unit in units], counts, k, n,
                       macs)
    return VariantReport(params, macs, formula, stages, _sees(stages, cin),
                         "")


def _formula(variant, terms, counts, k, n, macs):
    """Both counts as formulas with the numbers put in, one per line."""
    lines, params = [], sum(counts)
    for number, ((symbolic, numeric), count) in enumerate(
            zip(terms, counts), 1):
        if number == 2:
            symbolic = symbolic.replace("C_in", "C_out")
        line = text("variants.weights", symbolic=symbolic, numeric=numeric,
                    count=count)
        lines.append(text("variants.layer", number=number, line=line)
                     if len(counts) > 1 else line)
    if len(counts) > 1:
        lines.append(text("variants.weights_total", params=params,
                          terms=" + ".join(map(str, counts))))
    lines.append(text("variants.macs", n=n, params=params, macs=macs))
    if variant == "dilated":
        lines.append(text("variants.dilated_span",
                          span=_rules.span(k, 2)))
    if variant == "shuffled":
        lines.append(text("variants.shuffle_free"))
    return "\n".join(lines)


class VariantComparer(Demo):
    """Variant comparer (see `variant_comparer`)."""

    name, script = "variant-comparer", "variant_comparer.js"
    namespace = "convlibVariantComparer"
    _esm = Demo.module_for(script, namespace, name)


def variant_comparer(variant="grouped", in_channels=8, out_channels=8,
                     kernel_size=3, groups=2, input_size=16,
                     stacked=False):
    """Variant comparer: choose the variant, C_in, C_out, k, g, stacking.

    Shows `variant_report` for the settings as they change, computed in
    the browser (no kernel needed): weights and MACs with the formula and
    numbers, the layers as a connectivity picture, how many input
    channels each output channel sees, or why the settings are invalid.

    Returns
    -------
    VariantComparer
        A widget; ``config`` holds the starting settings and the options
        of each control.
    """
    fn = "variant_comparer"
    variant_report(variant, in_channels, out_channels, kernel_size,
                   groups, input_size, stacked)  # checks the settings
    for name, value, options in (
            ("in_channels", in_channels, CHANNEL_OPTIONS),
            ("out_channels", out_channels, CHANNEL_OPTIONS),
            ("kernel_size", kernel_size, KERNEL_OPTIONS),
            ("groups", groups, GROUP_OPTIONS)):
        if value not in options:
            raise ValueError(f"{fn}: {name} must be one of {options}, "
                             f"got {value!r}")
    config = dict(variant=variant, in_channels=in_channels,
                  out_channels=out_channels, kernel_size=kernel_size,
                  groups=groups, input_size=input_size,
                  stacked=bool(stacked), variants=list(VARIANTS),
                  channel_options=list(CHANNEL_OPTIONS),
                  group_options=list(GROUP_OPTIONS),
                  kernel_options=list(KERNEL_OPTIONS))
    return VariantComparer(config=config)
