"""convlib.widgets.variants: the variant comparer of chapter 2.

`variant_report` is held to torch (parameter counts of the matching
modules, MACs counted from the modules' real outputs, which input
channels really change an output) and its JavaScript twin is held equal
to it over the demo's whole grid of settings, in headless chromium.
"""
import itertools

import pytest
import torch
from torch import nn

from convlib import numpy as cnp
from convlib.widgets import (VARIANTS, VariantComparer, script_source,
                             variant_comparer, variant_report)
from convlib.widgets.variants import (CHANNEL_OPTIONS, GROUP_OPTIONS,
                                      KERNEL_OPTIONS)
from _demo_page import mount

SIZE = 6


class Shuffle(nn.Module):
    def __init__(self, groups):
        super().__init__()
        self.groups = groups

    def forward(self, x):
        return nn.functional.channel_shuffle(x, self.groups)


def _unit(variant, cin, cout, k, g):
    """The torch layers of one unit (no bias, size kept)."""
    pad = (k - 1) // 2
    conv = dict(bias=False)
    if variant == "standard":
        return [nn.Conv2d(cin, cout, k, padding=pad, **conv)]
    if variant == "dilated":
        return [nn.Conv2d(cin, cout, k, padding=2 * pad, dilation=2,
                          **conv)]
    if variant == "pointwise":
        return [nn.Conv2d(cin, cout, 1, **conv)]
    if variant == "spatial":
        return [nn.Conv2d(cin, cout, (k, 1), padding=(pad, 0), **conv),
                nn.Conv2d(cout, cout, (1, k), padding=(0, pad), **conv)]
    if variant == "depthwise":
        return [nn.Conv2d(cin, cin, k, padding=pad, groups=cin, **conv),
                nn.Conv2d(cin, cout, 1, **conv)]
    layers = [nn.Conv2d(cin, cout, k, padding=pad, groups=g, **conv)]
    return layers + ([Shuffle(g)] if variant == "shuffled" else [])


def _model(variant, cin, cout, k, g, stacked):
    layers = _unit(variant, cin, cout, k, g)
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


CASES = [(v, cin, cout, k, g, stacked)
         for v in VARIANTS
         for cin, cout, g in [(8, 8, 2), (4, 12, 4), (6, 6, 3), (12, 4, 1)]
         for k in (1, 3) for stacked in (False, True)]


@pytest.mark.parametrize("variant, cin, cout, k, g, stacked", CASES)
def test_report_equals_torch(variant, cin, cout, k, g, stacked):
    torch.manual_seed(0)
    model = _model(variant, cin, cout, k, g, stacked)
    for p in model.parameters():  # no zero weight hides a connection
        nn.init.uniform_(p, 0.5, 1.5)
    report = variant_report(variant, cin, cout, k, g, input_size=SIZE,
                            stacked=stacked)
    assert report.reason == ""
    assert report.params == sum(p.numel() for p in model.parameters())
    macs, shape = _torch_macs(model, cin)
    assert shape == (1, cout, SIZE, SIZE)  # every variant keeps the size
    assert report.macs == macs
    assert report.sees == _torch_sees(model, cin, cout)
    macs_line = [line for line in report.formula.split("\n")
                 if line.startswith("MACs")]
    assert macs_line[0].endswith(f" = {macs}")


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
    x = cnp.channel_shuffle(
        __import__("numpy").arange(12.0).reshape(1, 12, 1, 1), 4)
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
    (("grouped", 0, 8, 3, 1), "C_in must be >= 1, got 0")])
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
    (lambda: variant_comparer(in_channels=5), ValueError)])
def test_bad_arguments_raise(call, error):
    with pytest.raises(error):
        call()


def test_comparer_is_a_widget_with_its_options():
    demo = variant_comparer()
    assert isinstance(demo, VariantComparer)
    assert demo.config["channel_options"] == list(CHANNEL_OPTIONS)
    assert "convlibVariantComparer.mount(" in demo.fallback_html()
    assert script_source("variant_comparer.js") in demo._esm


# ---------------------------------------------------------- JavaScript

GRID = list(itertools.product(VARIANTS, CHANNEL_OPTIONS, CHANNEL_OPTIONS,
                              KERNEL_OPTIONS, GROUP_OPTIONS, (False, True)))


def _js_reports(page, cases, with_edges):
    return page.evaluate("""([cases, withEdges]) => cases.map(a => {
        const r = convlibVariantComparer.variantReport(...a);
        return [r.params, r.macs, r.formula, r.reason,
                r.sees.map(s => s.join(",")).join(";"),
                withEdges ? r.stages.map(s => [s.label, s.nIn, s.nOut,
                    s.edges.map(e => e.join(",")).join(";")]) : null];
    })""", [cases, with_edges])


def _py(report, with_edges):
    sees = ";".join(",".join(map(str, s)) for s in report.sees)
    stages = [[s.label, s.n_in, s.n_out,
               ";".join(f"{i},{o}" for i, o in s.edges)]
              for s in report.stages] if with_edges else None
    return [report.params, report.macs, report.formula, report.reason,
            sees, stages]


@pytest.mark.browser
def test_js_report_equals_python_over_the_whole_grid(page):
    assert len(GRID) == 7 * 8 * 8 * 4 * 8 * 2
    cases = [[v, ci, co, k, g, 16, st] for v, ci, co, k, g, st in GRID]
    # the edges do not depend on k: compare them for k = 3 only
    for with_edges in (False, True):
        chosen = [c for c in cases if (c[3] == 3) == with_edges]
        for start in range(0, len(chosen), 2048):
            batch = chosen[start:start + 2048]
            got = _js_reports(page, batch, with_edges)
            for args, js in zip(batch, got):
                assert js == _py(variant_report(*args), with_edges), args


def big(n):
    """The kit's thousands separator (a thin space)."""
    return f"{n:,}".replace(",", "\u2009")


@pytest.mark.browser
@pytest.mark.parametrize("how", ["html", "esm"])
def test_comparer_in_the_page_follows_its_controls(page, how):
    root = mount(page, variant_comparer(), how)
    expected = variant_report("grouped", 8, 8, 3, 2)
    assert root.locator(".cl-params").inner_text() == big(expected.params)
    root.locator("[data-field='variant']").select_option("depthwise")
    root.locator("[data-field='in_channels']").select_option("16")
    expected = variant_report("depthwise", 16, 8, 3, 2)
    assert root.locator(".cl-params").inner_text() == big(expected.params)
    assert root.locator(".cl-formula").inner_text() == expected.formula
    root.locator("[data-field='variant']").select_option("grouped")
    root.locator("[data-field='groups']").select_option("3")
    assert "not divisible" in root.locator(".cl-reason").inner_text()
    assert root.locator(".cl-params").count() == 0
