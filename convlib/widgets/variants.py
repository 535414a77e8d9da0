"""Chapter 2 demo: the variant comparer.

`variant_table` puts every variant of a ``C_in -> C_out`` convolution
layer side by side: weights and multiply-accumulates (MACs), counted with
`convlib.shapes`, their ratios to the standard layer, and the formula
that predicts each ratio (``1/C_out + 1/k**2`` for depthwise separable,
...). `variant_report` says more about one variant: both counts as
formulas with the numbers put in, and which input channels feed each
output channel, stage by stage (the demo's picture, coloured by
`picture_groups`). Validity comes from `_rules` (`convlib._args`,
`convlib.shapes`), the words from the demos' string table. The demo's
JavaScript (``variant_comparer.js``) repeats this arithmetic in the
browser; the tests hold the two equal over the demo's whole grid of
settings.

Every variant pads by ``dilation * (k - 1) / 2`` (odd k), so that at
stride 1 it keeps the size; `stride` applies to the layer's spatial
step (both steps of the spatially separable pair, each along its own
axis; the depthwise step of the depthwise separable layer). Biases are
left out (MobileNet and ShuffleNet count none: batch norm follows).
"""
from collections import namedtuple
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from .. import _args, palette, shapes
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
STRIDE_OPTIONS = (1, 2)

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

VariantRow = namedtuple("VariantRow", "variant params macs params_ratio "
                        "macs_ratio predicted predicted_ratios reason")
VariantRow.__doc__ = """One variant in `variant_table`.

variant : str, a key of `VARIANTS`
params, macs : int or None, as `variant_report` (None when invalid)
params_ratio, macs_ratio : float or None, divided by the standard
    layer's (same C_in, C_out, k, stride)
predicted : str, the formula that predicts the ratios, with the numbers
    put in (two lines, weights and MACs, when they differ)
predicted_ratios : (float, float) or None, the formula's values for the
    weights and the MACs
reason : str, why the settings are invalid for this variant ('' when
    valid)
"""

_X = "\u00d7"


def _fixed(value, digits=3):
    """`value` to `digits` decimals, trailing zeros dropped: the kit's
    ``fmt`` (JavaScript's toFixed rounds the exact binary value half
    up)."""
    quantum = Decimal(1).scaleb(-digits)
    rounded = Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    return format(rounded.normalize(), "f")


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


def _pad(k, dilation=1):
    """Padding that keeps the size at stride 1 (odd k)."""
    ((padding, _),) = _args.same_padding((k,), (dilation,))
    return padding


def _layer(cin, cout, k, s, **extra):
    """A bias-free layer's arguments for convlib.shapes."""
    return dict(in_channels=cin, out_channels=cout, kernel_size=k,
                stride=s, padding=_pad(k, extra.get("dilation", 1)),
                **extra, bias=False)


# Each unit gives (layers for convlib.shapes, stages, (symbolic, numeric)
# weights, steps); a step is one conv2d: (weights, kernel, stride,
# padding, dilation), each a (height, width) pair but the weights.

def _dense_unit(variant, cin, cout, k, g, s):
    """Standard, dilated (rate 2) or pointwise: one conv2d."""
    kk = 1 if variant == "pointwise" else k
    d = 2 if variant == "dilated" else 1
    layer = _layer(cin, cout, kk, s, dilation=d)
    p = layer["padding"]
    label = text("variants.stage_dilated" if d == 2
                 else "variants.stage_conv", k=kk)
    terms = ("C_out\u00d7C_in" + ("" if kk == 1 else "\u00d7k\u00d7k"),
             f"{cout}{_X}{cin}" + ("" if kk == 1 else f"{_X}{k}{_X}{k}"))
    steps = [(cout * cin * kk * kk, (kk, kk), (s, s), (p, p), (d, d))]
    return ([("conv2d", layer)], [Stage(label, cin, cout, _full(cin, cout))],
            terms, steps)


def _spatial_unit(variant, cin, cout, k, g, s):
    """k x 1 to C_out channels, then 1 x k."""
    layer = _layer(cin, cout, k, s)
    p = layer["padding"]
    stages = [Stage(text("variants.stage_kx1", k=k), cin, cout,
                    _full(cin, cout)),
              Stage(text("variants.stage_1xk", k=k), cout, cout,
                    _full(cout, cout))]
    terms = ("C_out\u00d7C_in\u00d7k + C_out\u00d7C_out\u00d7k",
             f"{cout}{_X}{cin}{_X}{k} + {cout}{_X}{cout}{_X}{k}")
    steps = [(cout * cin * k, (k, 1), (s, 1), (p, 0), (1, 1)),
             (cout * cout * k, (1, k), (1, s), (0, p), (1, 1))]
    return [("spatially_separable_conv2d", layer)], stages, terms, steps


def _depthwise_unit(variant, cin, cout, k, g, s):
    """Depthwise k x k (groups = C_in), then pointwise 1 x 1."""
    layer = _layer(cin, cout, k, s)
    p = layer["padding"]
    stages = [Stage(text("variants.stage_depthwise", k=k, g=cin), cin, cin,
                    _group_edges(cin, cin, cin)),
              Stage(text("variants.stage_pointwise"), cin, cout,
                    _full(cin, cout))]
    terms = ("C_in\u00d7k\u00d7k + C_out\u00d7C_in",
             f"{cin}{_X}{k}{_X}{k} + {cout}{_X}{cin}")
    steps = [(cin * k * k, (k, k), (s, s), (p, p), (1, 1)),
             (cout * cin, (1, 1), (1, 1), (0, 0), (1, 1))]
    return [("depthwise_separable_conv2d", layer)], stages, terms, steps


def _grouped_unit(variant, cin, cout, k, g, s):
    """A conv2d with g groups, then (variant 'shuffled') a shuffle."""
    layer = _layer(cin, cout, k, s, groups=g)
    p = layer["padding"]
    stages = [Stage(text("variants.stage_grouped", k=k, g=g), cin, cout,
                    _group_edges(cin, cout, g))]
    if variant == "shuffled":
        stages.append(Stage(text("variants.stage_shuffle", g=g), cout, cout,
                            _shuffle_edges(cout, g)))
    terms = ("C_out\u00d7(C_in/g)\u00d7k\u00d7k",
             f"{cout}{_X}({cin}/{g}){_X}{k}{_X}{k}")
    steps = [(cout * (cin // g) * k * k, (k, k), (s, s), (p, p), (1, 1))]
    return [("conv2d", layer)], stages, terms, steps


_UNITS = {"standard": _dense_unit, "dilated": _dense_unit,
          "pointwise": _dense_unit, "spatial": _spatial_unit,
          "depthwise": _depthwise_unit, "grouped": _grouped_unit,
          "shuffled": _grouped_unit}


def _unit(variant, cin, cout, k, g, s=1):
    """(layers for convlib.shapes, stages, (symbolic, numeric) weights,
    conv2d steps) of one unit of `variant` from cin to cout channels."""
    return _UNITS[variant](variant, cin, cout, k, g, s)


def _reason(variant, cin, cout, k, g, s=1):
    """The sentence of the rule that refuses the settings, or ''."""
    refused = _rules.ints([("C_in", cin, 1), ("C_out", cout, 1), ("k", k, 1),
                           ("g", g, 1), ("s", s, 1)])
    if refused:
        return text(f"arg.{refused.rule}", **refused.facts)
    if k % 2 == 0 and variant != "pointwise":  # padding (k - 1)/2
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


def _check(variant, in_channels, out_channels, kernel_size, groups, size,
           stride=1):
    fn = "variant_report"
    if variant not in VARIANTS:
        raise ValueError(f"{fn}: variant must be one of "
                         f"{', '.join(VARIANTS)}; got {variant!r}")
    for name, value in (("in_channels", in_channels),
                        ("out_channels", out_channels),
                        ("kernel_size", kernel_size), ("groups", groups),
                        ("stride", stride)):
        if not _args.is_int(value):  # values < 1 get a reason instead
            raise TypeError(f"{fn}: {name} must be an int, got "
                            f"{_args.describe(value)}")
    return _args.check_int(size, "input_size", fn)


def _step_sizes(steps, size):
    """The output (height, width) of each conv2d step from `size`, and
    the size after the last."""
    sizes = []
    for _, kernel, stride, padding, dilation in steps:
        size = shapes.conv_output_size(size, kernel_size=kernel,
                                       stride=stride, padding=padding,
                                       dilation=dilation)
        sizes.append(size)
    return sizes, size


def variant_report(variant, in_channels, out_channels, kernel_size=3,
                   groups=1, input_size=16, stacked=False, stride=1):
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
        H = W of the input; padding ``dilation * (k - 1) / 2`` keeps it
        at stride 1.
    stacked : bool
        Two units in a row, the second from C_out to C_out channels at
        stride 1.
    stride : int
        Stride of the (first) unit's spatial step.

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
               input_size, stride)
    # groups only changes the grouped variants (or refuses when < 1)
    used = variant in ("grouped", "shuffled") or groups < 1
    return _report(variant, in_channels, out_channels, kernel_size,
                   groups if used else 1, n, bool(stacked), stride)


@lru_cache(maxsize=1024)
def _report(variant, cin, cout, k, g, n, stacked, s):
    """`variant_report` of checked settings (`g` 1 unless it applies);
    remembered, as the demo's grid and table ask for the same layers many
    times."""
    reason = _reason(variant, cin, cout, k, g, s)
    if reason:
        return VariantReport(None, None, "", (), (), reason)
    units = [_unit(variant, cin, cout, k, g, s)]
    if stacked:
        units.append(_unit(variant, cout, cout, k, g))
    counts, macs, sizes = _counted(units, n)
    stages = tuple(st for unit in units for st in unit[1])
    steps = [(size, step[0]) for size, step in
             zip(sizes, [step for unit in units for step in unit[3]])]
    formula = _formula(variant, [unit[2] for unit in units], counts, k,
                       steps, macs)
    return VariantReport(sum(counts), macs, formula, stages,
                         _sees(stages, cin), "")


def _counted(units, n):
    """(weights of each unit, MACs, output size of each conv2d step) of
    `units` on an n x n input, counted by convlib.shapes."""
    counts = tuple(shapes.count_params(unit[0]) for unit in units)
    size, layers, sizes = (n, n), [], []
    for unit in units:
        layers += [(name, dict(kw, input_size=size)) for name, kw in unit[0]]
        out, size = _step_sizes(unit[3], size)
        sizes += out
    return counts, shapes.count_flops(layers, unit="mac"), tuple(sizes)


def _formula(variant, terms, counts, k, steps, macs):
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
    if len({size for size, _ in steps}) == 1:
        (h, w), _ = steps[0]
        lines.append(text("variants.macs", h=h, w=w, params=params,
                          macs=macs))
    else:
        lines.append(text("variants.macs_steps", macs=macs, terms=" + ".join(
            f"{h}{_X}{w}{_X}{weights}" for (h, w), weights in steps)))
    if variant == "dilated":
        lines.append(text("variants.dilated_span",
                          span=_rules.span(k, 2)))
    if variant == "shuffled":
        lines.append(text("variants.shuffle_free"))
    return "\n".join(lines)


def _predicted(variant, cin, cout, k, g, n, wo):
    """(text, (weights ratio, MACs ratio)) of the formula that predicts
    the variant's cost against the standard layer."""
    if variant in ("standard", "dilated"):
        return text("variants.pred_one"), (1.0, 1.0)
    if variant == "depthwise":
        value = 1 / cout + 1 / (k * k)
        return text("variants.pred_depthwise", cout=cout, kk=k * k,
                    value=_fixed(value)), (value, value)
    if variant == "pointwise":
        value = 1 / (k * k)
        return text("variants.pred_pointwise", kk=k * k,
                    value=_fixed(value)), (value, value)
    if variant in ("grouped", "shuffled"):
        value = 1 / g
        return text("variants.pred_grouped", g=g,
                    value=_fixed(value)), (value, value)
    weights = (cin + cout) / (cin * k)
    line = text("variants.pred_spatial", cin=cin, cout=cout, k=k,
                value=_fixed(weights))
    if wo == n:
        return line, (weights, weights)
    macs = (n * cin + wo * cout) / (wo * cin * k)
    return "\n".join([
        text("variants.pred_weights", line=line),
        text("variants.pred_macs", line=text(
            "variants.pred_spatial_macs", w=n, wo=wo, cin=cin, cout=cout,
            k=k, value=_fixed(macs)))]), (weights, macs)


def variant_table(in_channels, out_channels, kernel_size=3, groups=1,
                  input_size=16, stride=1):
    """Every variant of one layer against the standard layer.

    Parameters
    ----------
    in_channels, out_channels, kernel_size, groups, input_size, stride
        As `variant_report` (one unit, not stacked).

    Returns
    -------
    tuple of VariantRow
        One per variant, in the order of `VARIANTS`: its weights and
        MACs (`variant_report`), their ratios to the standard layer's,
        and the formula that predicts them, e.g. ``1/C_out + 1/k²`` for
        depthwise separable; a row whose settings are invalid has None
        for the numbers and its reason.

    Raises
    ------
    ValueError, TypeError
        As `variant_report`.
    """
    cin, cout, k, g, n, s = (in_channels, out_channels, kernel_size, groups,
                             input_size, stride)
    standard = variant_report("standard", cin, cout, k, g, n, stride=s)
    rows = []
    for variant in VARIANTS:
        report = variant_report(variant, cin, cout, k, g, n, stride=s)
        reason = report.reason or standard.reason
        if reason:
            rows.append(VariantRow(variant, None, None, None, None, "", None,
                                   reason))
            continue
        wo = shapes.conv_output_size(n, kernel_size=k, stride=s,
                                     padding=_pad(k))
        predicted, ratios = _predicted(variant, cin, cout, k, g, n, wo)
        rows.append(VariantRow(variant, report.params, report.macs,
                               report.params / standard.params,
                               report.macs / standard.macs, predicted,
                               ratios, ""))
    return tuple(rows)


def picture_groups(variant, in_channels, groups=1):
    """How many groups the picture colours the input channels in.

    `groups` for the grouped and shuffled variants, else the largest
    divisor of `in_channels` up to 4 (each channel its own colour for
    up to 4 channels). Group j gets the palette's ``SERIES[j]`` and
    ``MARKERS[j]``, as in `convlib.plot.connectivity`.
    """
    if variant in ("grouped", "shuffled"):
        return groups
    return max(d for d in range(1, 5) if in_channels % d == 0)


class VariantComparer(Demo):
    """Variant comparer (see `variant_comparer`)."""

    name, script = "variant-comparer", "variant_comparer.js"
    namespace = "convlibVariantComparer"
    _esm = Demo.module_for(script, namespace, name)


def variant_comparer(variant="grouped", in_channels=8, out_channels=8,
                     kernel_size=3, groups=2, input_size=16,
                     stacked=False, stride=1):
    """Variant comparer: every variant against the standard layer.

    Controls: C_in, C_out, k, g, the stride, the variant to look at, and
    two layers stacked. Shows `variant_table` (weights, MACs, their
    ratios to the standard layer and the predicted ratio), then
    `variant_report` of the chosen variant: both counts as formulas with
    the numbers put in, how many input channels each output channel
    sees, and the layers as a picture coloured by input group
    (`picture_groups`) with a legend, or why the settings are invalid.
    All is computed in the browser (no kernel needed); the chosen
    variant's numbers are announced to screen readers.

    Returns
    -------
    VariantComparer
        A widget; ``config`` holds the starting settings and the options
        of each control.
    """
    fn = "variant_comparer"
    variant_report(variant, in_channels, out_channels, kernel_size,
                   groups, input_size, stacked, stride)  # checks
    for name, value, options in (
            ("in_channels", in_channels, CHANNEL_OPTIONS),
            ("out_channels", out_channels, CHANNEL_OPTIONS),
            ("kernel_size", kernel_size, KERNEL_OPTIONS),
            ("groups", groups, GROUP_OPTIONS),
            ("stride", stride, STRIDE_OPTIONS)):
        if value not in options:
            raise ValueError(f"{fn}: {name} must be one of {options}, "
                             f"got {value!r}")
    config = dict(variant=variant, in_channels=in_channels,
                  out_channels=out_channels, kernel_size=kernel_size,
                  groups=groups, input_size=input_size,
                  stacked=bool(stacked), stride=stride,
                  variants=list(VARIANTS),
                  channel_options=list(CHANNEL_OPTIONS),
                  group_options=list(GROUP_OPTIONS),
                  kernel_options=list(KERNEL_OPTIONS),
                  stride_options=list(STRIDE_OPTIONS),
                  markers=list(palette.MARKERS),
                  mixed_marker=palette.MIXED_MARKER)
    return VariantComparer(config=config)
