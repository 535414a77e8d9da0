"""convlib.widgets.variants: the variant comparer of chapter 2.

`variant_report` is held to torch (parameter counts of the matching
modules, MACs counted from the modules' real outputs, which input
channels really change an output), `variant_table`'s predicted ratios to
its counted ones, and the JavaScript twins are held equal to both over
the demo's whole grid of settings, in headless chromium. The demo itself
is driven by keyboard alone, measured on a phone's width, and its
picture is checked against `convlib.plot.connectivity`'s colours.
"""
import functools
import itertools
import json

import numpy as np
import pytest
import torch
from torch import nn

from convlib import numpy as cnp
from convlib import palette, plot
from convlib.widgets import (VARIANTS, VariantComparer, script_source,
                             variant_comparer, variant_report)
from convlib.widgets import variants
from convlib.widgets.variants import (CHANNEL_OPTIONS, GROUP_OPTIONS,
                                      KERNEL_OPTIONS, STRIDE_OPTIONS,
                                      picture_groups, variant_table)
from _demo_page import mount

SIZE = 6


class Shuffle(nn.Module):
    def __init__(self, groups):
        super().__init__()
        self.groups = groups

    def forward(self, x):
        return nn.functional.channel_shuffle(x, self.groups)


def _unit(variant, cin, cout, k, g, s=1):
    """The torch layers of one unit (no bias, padding (k - 1)/2)."""
    pad = (k - 1) // 2
    conv = dict(bias=False)
    if variant == "standard":
        return [nn.Conv2d(cin, cout, k, s, padding=pad, **conv)]
    if variant == "dilated":
        return [nn.Conv2d(cin, cout, k, s, padding=2 * pad, dilation=2,
                          **conv)]
    if variant == "pointwise":
        return [nn.Conv2d(cin, cout, 1, s, **conv)]
    if variant == "spatial":
        return [nn.Conv2d(cin, cout, (k, 1), (s, 1), padding=(pad, 0),
                          **conv),
                nn.Conv2d(cout, cout, (1, k), (1, s), padding=(0, pad),
                          **conv)]
    if variant == "depthwise":
        return [nn.Conv2d(cin, cin, k, s, padding=pad, groups=cin, **conv),
                nn.Conv2d(cin, cout, 1, **conv)]
    layers = [nn.Conv2d(cin, cout, k, s, padding=pad, groups=g, **conv)]
    return layers + ([Shuffle(g)] if variant == "shuffled" else [])


def _model(variant, cin, cout, k, g, stacked, s=1):
    layers = _unit(variant, cin, cout, k, g, s)
    if stacked:
        layers += _unit(variant, cout, cout, k, g)
    return nn.Sequential(*layers).double()


def _torch_macs(model, cin):
    """Each conv: output elements x weights per output element."""
    macs, x = 0, torch.zeros(1, cin, SIZE, SIZE, dtype=torch.float64)
    for layer in model:
        x = layer(x)
        if isinstance(layer, nn.Conv2d):
            macs += x.numel() * layer.weight[0].numel()
    return macs, x.shape


def _torch_sees(model, cin, cout):
    """Input channels whose change moves each output channel (autograd)."""
    x = torch.randn(1, cin, SIZE, SIZE, dtype=torch.float64,
                    requires_grad=True)
    y = model(x)
    sees = []
    for o in range(cout):
        (grad,) = torch.autograd.grad(y[0, o].sum(), x, retain_graph=True)
        sees.append(tuple(int(c) for c in
                          torch.nonzero(grad[0].abs().sum((1, 2)))[:, 0]))
    return tuple(sees)


CASES = [(v, cin, cout, k, g, stacked, s)
         for v in VARIANTS
         for cin, cout, g in [(8, 8, 2), (4, 12, 4), (6, 6, 3), (12, 4, 1)]
         for k, s in [(1, 1), (3, 1), (3, 2)] for stacked in (False, True)]


@pytest.mark.parametrize("variant, cin, cout, k, g, stacked, s", CASES)
def test_report_equals_torch(variant, cin, cout, k, g, stacked, s):
    torch.manual_seed(0)
    model = _model(variant, cin, cout, k, g, stacked, s)
    for p in model.parameters():  # no zero weight hides a connection
        nn.init.uniform_(p, 0.5, 1.5)
    report = variant_report(variant, cin, cout, k, g, input_size=SIZE,
                            stacked=stacked, stride=s)
    assert report.reason == ""
    assert report.params == sum(p.numel() for p in model.parameters())
    macs, shape = _torch_macs(model, cin)
    side = SIZE // s  # padding (k - 1)/2 keeps the size at stride 1
    assert shape == (1, cout, side, side)
    assert report.macs == macs
    assert report.sees == _torch_sees(model, cin, cout)
    macs_line = [line for line in report.formula.split("\n")
                 if line.startswith("MACs")]
    assert macs_line[0].endswith(f" = {macs}")
    # the terms the line shows add up to the count
    terms = macs_line[0].split(" = ")[-2].split(" + ")
    assert sum(np.prod([int(v) for v in t.split("\u00d7")])
               for t in terms) == macs


def test_stages_chain_and_count_edges():
    report = variant_report("depthwise", 4, 6, 3)
    assert [(s.n_in, s.n_out, len(s.edges)) for s in report.stages] == \
        [(4, 4, 4), (4, 6, 24)]
    report = variant_report("shuffled", 6, 6, 3, 3)
    assert [s.n_out for s in report.stages] == [6, 6]
    # the shuffle is a permutation: every channel goes to one place
    assert sorted(o for _, o in report.stages[1].edges) == list(range(6))


def test_shuffle_edges_are_convlib_channel_shuffle():
    report = variant_report("shuffled", 12, 12, 1, 4)
    x = cnp.channel_shuffle(np.arange(12.0).reshape(1, 12, 1, 1), 4)
    moved = {int(x[0, o, 0, 0]): o for o in range(12)}
    assert dict(report.stages[1].edges) == moved


def test_two_grouped_layers_keep_groups_apart_unless_shuffled():
    for g, plain_sees, shuffled_sees in [(2, 4, 8), (4, 2, 4)]:
        plain = variant_report("grouped", 8, 8, 3, g, stacked=True)
        shuffled = variant_report("shuffled", 8, 8, 3, g, stacked=True)
        assert {len(s) for s in plain.sees} == {plain_sees}
        # each second-layer group takes 8 / g channels, one from each of
        # 8 / g first-layer groups: all g groups only when 8 / g >= g
        assert {len(s) for s in shuffled.sees} == {shuffled_sees}


@pytest.mark.parametrize("args, words", [
    (("grouped", 6, 8, 3, 4), "C_in = 6 is not divisible by g = 4"),
    (("shuffled", 8, 6, 3, 4), "C_out = 6 is not divisible by g = 4"),
    (("standard", 8, 8, 4), "k must be odd"),
    (("grouped", 0, 8, 3, 1), "C_in must be >= 1, got 0"),
    (("grouped", 8, 8, 3, 1, 16, False, 0), "s must be >= 1, got 0")])
def test_invalid_settings_give_the_reason(args, words):
    report = variant_report(*args)
    assert report.params is None and report.macs is None
    assert words in report.reason


def test_even_kernel_is_fine_for_pointwise_and_groups_ignored():
    report = variant_report("pointwise", 6, 8, 4, 4)
    assert report.reason == "" and report.params == 48


@pytest.mark.parametrize("call, error", [
    (lambda: variant_report("separable", 4, 4), ValueError),
    (lambda: variant_report("standard", 4.5, 4), TypeError),
    (lambda: variant_report("standard", 4, 4, stride=1.5), TypeError),
    (lambda: variant_comparer(in_channels=5), ValueError),
    (lambda: variant_comparer(stride=3), ValueError)])
def test_bad_arguments_raise(call, error):
    with pytest.raises(error):
        call()


def test_comparer_is_a_widget_with_its_options():
    demo = variant_comparer()
    assert isinstance(demo, VariantComparer)
    assert demo.config["channel_options"] == list(CHANNEL_OPTIONS)
    assert demo.config["stride_options"] == list(STRIDE_OPTIONS)
    assert demo.config["markers"] == list(plot.GROUP_MARKERS)
    assert demo.config["mixed_marker"] == plot.MIXED_MARKER
    assert "convlibVariantComparer.mount(" in demo.fallback_html()
    assert script_source("variant_comparer.js") in demo._esm


# ------------------------------------------------------- variant_table

TABLE_GRID = list(itertools.product(CHANNEL_OPTIONS, CHANNEL_OPTIONS,
                                    KERNEL_OPTIONS, GROUP_OPTIONS,
                                    STRIDE_OPTIONS))


@functools.lru_cache(maxsize=None)
def _table(cin, cout, k, g, n, s):
    """variant_table, computed once for the two tests over TABLE_GRID."""
    return tuple(variant_table(cin, cout, k, g, n, s))


def test_predicted_ratios_equal_the_counted_ones_over_the_grid():
    """The formula in each row predicts its counts: 1/C_out + 1/k**2
    and the others, for every setting the demo offers."""
    checked = 0
    for cin, cout, k, g, s in TABLE_GRID:
        for row in _table(cin, cout, k, g, 16, s):
            if row.reason:
                assert row.variant in ("grouped", "shuffled")
                continue
            assert row.predicted_ratios == pytest.approx(
                (row.params_ratio, row.macs_ratio), rel=1e-12), row
            checked += 1
    assert checked > 20_000


def test_the_table_rows_are_variant_reports_and_their_ratios():
    rows = variant_table(8, 16, 3, 4, input_size=12, stride=2)
    assert [row.variant for row in rows] == list(VARIANTS)
    standard = variant_report("standard", 8, 16, 3, input_size=12,
                              stride=2)
    for row in rows:
        report = variant_report(row.variant, 8, 16, 3, 4, input_size=12,
                                stride=2)
        assert (row.params, row.macs) == (report.params, report.macs)
        assert row.params_ratio == report.params / standard.params
    by = {row.variant: row for row in rows}
    assert by["depthwise"].predicted == "1/C_out + 1/k\u00b2 = 1/16 + 1/9" \
        " = 0.174"
    # the separable pair at stride 2 saves weights but not MACs here: its
    # k x 1 step runs at 6 x 12
    assert by["spatial"].macs_ratio == (12 * 8 + 6 * 16) / (6 * 8 * 3)
    assert by["spatial"].predicted.split("\n")[1].startswith("MACs: ")


def test_an_invalid_group_count_leaves_the_other_rows():
    rows = {r.variant: r for r in variant_table(6, 8, 3, 4)}
    assert rows["grouped"].params is None
    assert "not divisible by g = 4" in rows["shuffled"].reason
    assert rows["depthwise"].params == 6 * 9 + 8 * 6


def test_picture_groups():
    assert picture_groups("grouped", 12, 3) == 3
    assert [picture_groups("standard", c) for c in CHANNEL_OPTIONS] == \
        [1, 2, 3, 4, 3, 4, 4, 4]


# ---------------------------------------------------------- JavaScript

GRID = list(itertools.product(VARIANTS, CHANNEL_OPTIONS, CHANNEL_OPTIONS,
                              KERNEL_OPTIONS, GROUP_OPTIONS, (False, True),
                              STRIDE_OPTIONS))


# What each JS twin is compared on: the counts and formulas everywhere,
# the connections (which depend on neither k nor s) for k = 3, s = 1.
def _depth(case):
    k, s = case[3], case[7]
    return "edges" if k == 3 and s == 1 else "formula"


def _js_reports(page, cases, depth):
    # as one JSON text each way: much faster than playwright's values
    return json.loads(page.evaluate("""([cases, depth]) => JSON.stringify(
      JSON.parse(cases).map(a => {
        const V = convlibVariantComparer;
        const r = (depth === "edges" ? V.variantReport
                   : V.variantCounts)(...a);
        const out = [r.params, r.macs, r.reason, r.formula];
        if (depth === "formula") { return out; }
        return out.concat([r.sees.map(s => s.join(",")).join(";"),
            r.stages.map(s => [s.label, s.nIn, s.nOut,
                               s.edges.map(e => e.join(",")).join(";")])]);
      }))""", [json.dumps(cases), depth]))


def _py(report, depth):
    out = [report.params, report.macs, report.reason, report.formula]
    if depth == "formula":
        return out
    sees = ";".join(",".join(map(str, s)) for s in report.sees)
    stages = [[s.label, s.n_in, s.n_out,
               ";".join(f"{i},{o}" for i, o in s.edges)]
              for s in report.stages]
    return out + [sees, stages]


@pytest.mark.browser
def test_js_report_equals_python_over_the_whole_grid(page):
    assert len(GRID) == 7 * 8 * 8 * 4 * 8 * 2 * 2
    cases = [[v, ci, co, k, g, 16, st, s]
             for v, ci, co, k, g, st, s in GRID]
    compared = 0
    for depth in ("formula", "edges"):
        chosen = [c for c in cases if _depth(c) == depth]
        for start in range(0, len(chosen), 16384):
            batch = chosen[start:start + 16384]
            got = _js_reports(page, batch, depth)
            for args, js in zip(batch, got):
                py = _py(variant_report(*args[:7], stride=args[7]), depth)
                assert js == py, args
            compared += len(batch)
    assert compared == len(GRID)


@pytest.mark.browser
def test_js_table_equals_python_over_the_whole_grid(page):
    """Ratios and predicted formulas (the counts are the reports')."""
    cases = [[ci, co, k, g, 16, s] for ci, co, k, g, s in TABLE_GRID]
    got = json.loads(page.evaluate("""cases => JSON.stringify(
        JSON.parse(cases).map(a =>
          convlibVariantComparer.variantTable(...a).map(r => [
            r.variant, r.paramsRatio, r.macsRatio, r.predictedRatios,
            r.predicted, r.reason])))""", json.dumps(cases)))
    assert page.evaluate("convlibVariantComparer.VARIANTS") == \
        list(VARIANTS)
    for args, js in zip(cases, got):
        py = [[r.variant, r.params_ratio, r.macs_ratio,
               list(r.predicted_ratios) if r.predicted_ratios else None,
               r.predicted, r.reason]
              for r in _table(*args)]
        assert js == py, args
    groups = page.evaluate("""cases => cases.map(a =>
        convlibVariantComparer.pictureGroups(...a))""",
                           [[v, c, g] for v in VARIANTS
                            for c in CHANNEL_OPTIONS for g in (1, 2)])
    assert groups == [picture_groups(v, c, g) for v in VARIANTS
                      for c in CHANNEL_OPTIONS for g in (1, 2)]


def big(n):
    """The kit's thousands separator (a thin space)."""
    return f"{n:,}".replace(",", "\u2009")


@pytest.mark.browser
@pytest.mark.parametrize("how", ["html", "esm"])
def test_comparer_in_the_page_follows_its_controls(page, how):
    root = mount(page, variant_comparer(), how)
    expected = variant_report("grouped", 8, 8, 3, 2)
    assert root.locator(".cl-params").inner_text() == big(expected.params)
    assert root.locator(".cl-row-params").count() == len(VARIANTS)
    root.locator("[data-field='variant']").select_option("depthwise")
    root.locator("[data-field='in_channels']").select_option("16")
    root.locator("[data-field='stride']").select_option("2")
    expected = variant_report("depthwise", 16, 8, 3, 2, stride=2)
    assert root.locator(".cl-params").inner_text() == big(expected.params)
    assert root.locator(".cl-formula").inner_text() == expected.formula
    rows = variant_table(16, 8, 3, 2, stride=2)
    shown = root.locator(".cl-predicted").all_inner_texts()
    assert shown == [row.predicted for row in rows if not row.reason]
    assert root.locator(".cl-row-macs div:first-child").all_inner_texts() \
        == [big(row.macs) for row in rows]
    root.locator("[data-field='variant']").select_option("grouped")
    root.locator("[data-field='groups']").select_option("3")
    assert "not divisible" in root.locator(".cl-reason").inner_text()
    assert root.locator(".cl-params").count() == 0
    # the other variants stay in the table
    assert root.locator(".cl-row-params").count() == len(VARIANTS) - 2


# -------------------------------------- keyboard, screen reader, phone

LABELS = {"in_channels": "in channels C_in", "out_channels":
          "out channels C_out", "kernel_size": "kernel k",
          "groups": "groups g", "stride": "stride s",
          "variant": "picture of"}


def _live(root):
    return root.locator("[role='status']").inner_text()


def _expected_live(variant, cin, cout, k, g, s):
    row = {r.variant: r for r in variant_table(cin, cout, k, g, 16, s)}[
        variant]
    return (f"{VARIANTS[variant]}: {big(row.params)} weights, "
            f"{_fixed(row.params_ratio)} of the standard layer's; "
            f"{big(row.macs)} MACs, {_fixed(row.macs_ratio)} of the "
            "standard layer's")


def _fixed(value):
    from convlib.widgets.variants import _fixed as fixed
    return fixed(value)


@pytest.mark.browser
def test_the_demo_works_by_keyboard_alone(page):
    """Tab reaches every control, arrow keys and Space change them, the
    focus is visible, each control has the name a screen reader reads,
    and the live region announces the chosen variant's numbers."""
    root = mount(page, variant_comparer(), "html")
    for field, name in LABELS.items():  # named as a screen reader says
        control = root.get_by_role("combobox", name=name)
        assert control.get_attribute("data-field") == field
    assert root.get_by_role("checkbox", name="two layers stacked").count()
    assert root.locator("[aria-live='polite']").count() == 1
    assert _live(root) == _expected_live("grouped", 8, 8, 3, 2, 1)
    order = []
    for _ in range(7):  # the controls in Tab order, from the page's top
        page.keyboard.press("Tab")
        order.append(page.evaluate(
            "document.activeElement.dataset.field"))
        outline = page.evaluate(
            "getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none", order[-1]  # focus visible
    assert order == ["in_channels", "out_channels", "kernel_size", "groups",
                     "stride", "variant", "stacked"]
    # back to the variant select; ArrowDown: grouped -> shuffled grouped
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("ArrowDown")
    assert _live(root) == _expected_live("shuffled", 8, 8, 3, 2, 1)
    page.keyboard.press("Shift+Tab")  # the stride: 1 -> 2
    page.keyboard.press("ArrowDown")
    assert _live(root) == _expected_live("shuffled", 8, 8, 3, 2, 2)
    page.keyboard.press("Shift+Tab")  # groups: 2 -> 3, not possible
    page.keyboard.press("ArrowDown")
    assert _live(root).startswith("not possible: C_in = 8 is not "
                                  "divisible by g = 3")
    for _ in range(3):  # to the stacked checkbox; Space ticks it
        page.keyboard.press("Tab")
    page.keyboard.press("Space")
    assert root.locator("[data-field='stacked']").is_checked()


@pytest.mark.browser
def test_the_demo_fits_a_phone(page):
    """On a 390-px phone the demo's box in the book is 358 px wide, in the
    book's 16-px sans-serif font, which its menus inherit: at every width from 300 to 360 px, with its
    widest settings, neither the demo nor any block in it needs scrolling
    of its own (a margin at the end of a line counts) and nothing sticks
    out of it."""
    page.set_viewport_size({"width": 390, "height": 900})
    try:
        for variant in ("spatial", "grouped"):
            root = mount(page, variant_comparer(
                variant, 16, 16, 7, 12, stacked=True, stride=2), "html")
            page.add_style_tag(content=".convlib-demo { font: 16px system-ui,"
                               " sans-serif } .convlib-demo select,"
                               " .convlib-demo input { font: inherit }")
            for width in range(300, 361, 2):
                widths = root.evaluate("""(el, w) => {
                    el.style.width = w + 'px';
                    const blocks = [el, ...el.querySelectorAll(
                        'div, table, ul, p')];
                    return [Math.max(...blocks.map(
                        e => e.scrollWidth - e.clientWidth)),
                        Math.max(...[...el.querySelectorAll('*')].map(
                            e => e.getBoundingClientRect().right))
                        - el.getBoundingClientRect().left]; }""", width)
                assert widths[0] <= 0 and widths[1] <= width + 0.5, \
                    (variant, width, widths)
            assert page.evaluate(
                "document.documentElement.scrollWidth") <= 390
    finally:
        page.set_viewport_size({"width": 1280, "height": 720})


@pytest.mark.browser
def test_the_picture_has_the_figures_colours_and_shapes(page):
    """Group j looks as in convlib.plot.connectivity: series colour j and
    marker j; a channel of several groups is plot's grey cross."""
    root = mount(page, variant_comparer("shuffled", 12, 12, 3, 3,
                                        stacked=True), "html")
    nodes = root.locator(".cl-layers [data-row]").evaluate_all(
        "ns => ns.map(n => [Number(n.dataset.row), n.dataset.shape,"
        " n.getAttribute('fill')])")
    report = variant_report("shuffled", 12, 12, 3, 3, stacked=True)
    expected = [(0, {i * 3 // 12}) for i in range(12)]
    for row in range(1, len(report.stages) + 1):
        # what each channel sees (checked against torch above)
        reach = variants._sees(report.stages[:row], 12)
        expected += [(row, {c * 3 // 12 for c in seen}) for seen in reach]
    got = [(row, shape, fill) for row, shape, fill in nodes]
    want = [(row, plot._marker(groups), plot._colour(groups))
            for row, groups in expected]
    assert got == want
    assert {palette.SERIES[1], plot.MIXED_COLOR} <= {f for *_, f in got}
    legend = root.locator(".cl-legend li").all_inner_texts()
    assert legend == ["input group 0 only (channels 0\u20133)",
                      "input group 1 only (channels 4\u20137)",
                      "input group 2 only (channels 8\u201311)",
                      "several input groups"]

