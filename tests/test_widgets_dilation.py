"""convlib.widgets.dilation: the HDC map's report and its JavaScript.

`hdc_report` is checked against convlib.shapes (coverage, hdc_m_chain),
against a brute-force enumeration of the reachable offsets and against
hand-worked examples; the demo's JavaScript (hdc_map.js, run in headless
chromium) is held equal to `hdc_report` over every setting the demo's
controls offer, and the drawn demo is driven as a reader would.
"""
import itertools
import json
import math

import numpy as np
import pytest

from convlib import shapes
from convlib.palette import ROLES
from convlib.widgets import HDCMap, hdc_map, hdc_report, script_source
from convlib.widgets.dilation import KERNELS, MAX_LAYERS, MAX_RATE
from _demo_page import mount


GRID = [(rates, k) for n in range(1, MAX_LAYERS + 1)
        for rates in itertools.product(range(1, MAX_RATE + 1), repeat=n)
        for k in KERNELS]


def _reachable(rates, k):
    return {sum(r * j for r, j in zip(rates, js))
            for js in itertools.product(range(k), repeat=len(rates))}


# ------------------------------------------------------------ hdc_report

def test_seed_gridding_example():
    rep = hdc_report([2, 2, 2], 3)
    assert rep.span == 13 and rep.holes == (1, 3, 5, 7, 9, 11)
    assert rep.counts == [1, 0, 3, 0, 6, 0, 7, 0, 6, 0, 3, 0, 1]
    assert rep.holes_2d == 13 * 13 - 7 * 7
    assert rep.chain == (2, 2, 2) and rep.m2_ok and rep.gcd == 2
    assert rep.rule is False and rep.exact is False
    assert rep.rule_text == ("HDC rule: M_2 = 2 \u2264 K = 3 and common "
                             "factor 2: holes predicted")
    assert rep.verdict == "the rule and the exact check agree"


def test_paper_examples_and_their_working():
    good, bad = hdc_report([1, 2, 5]), hdc_report([1, 2, 9])
    assert good.rule and good.exact and good.span == 17
    assert good.steps == [
        "M_3 = r_3 = 5",
        "M_2 = max(5 \u2212 2\u00d72, 5 \u2212 2\u00d7(5 \u2212 2), 2)"
        " = max(1, \u22121, 2) = 2",
        "M_1 = max(2 \u2212 2\u00d71, 2 \u2212 2\u00d7(2 \u2212 1), 1)"
        " = max(0, 0, 1) = 1"]
    assert bad.chain == (3, 5, 9) and not bad.rule and not bad.exact
    assert bad.holes == (7, 8, 16, 17)
    assert bad.exact_text == ("exact check: 4 of 25 offsets along an axis "
                              "are holes, 184 of 625 pixels in 2-D")


def test_the_two_ways_the_rule_disagrees():
    passes = hdc_report([2, 3])      # M_2 = 3 <= 3, gcd 1, yet holes
    assert passes.rule and not passes.exact and passes.holes == (1, 9)
    assert passes.verdict.endswith("predicts no holes, but there are")
    strict = hdc_report([1, 3, 1])   # M_2 = 5 > 3, yet no holes
    assert strict.rule is False and strict.exact
    assert strict.verdict.endswith("predicts holes, but there are none")


def test_one_layer_has_no_rule():
    rep = hdc_report([3], 3)
    assert rep.chain is None and rep.rule is None and rep.steps == []
    assert rep.holes == (1, 2, 4, 5) and "two layers" in rep.rule_text


@pytest.mark.parametrize("rates, k", [((1, 2, 5), 3), ((2, 2, 2), 3),
                                      ((3, 1, 4, 1), 5), ((2, 5), 2),
                                      ((7,), 5), ((1, 1, 8), 5)])
def test_report_equals_convlib_shapes_and_brute_force(rates, k):
    rep = hdc_report(rates, k)
    cover = shapes.coverage(rates, k)
    assert rep.counts == cover.counts.tolist()
    assert rep.exact is not cover.has_holes
    assert rep.span == shapes.receptive_field(
        [dict(kernel_size=k, dilation=r) for r in rates]).size
    reach = _reachable(rates, k)
    assert set(rep.holes) == set(range(rep.span)) - reach
    two_d = shapes.coverage(rates, k, ndim=2).counts
    assert rep.holes_2d == int(np.count_nonzero(two_d == 0))
    if len(rates) > 1:
        chain = shapes.hdc_m_chain(rates, k)
        assert rep.chain == chain.chain and rep.m2_ok == chain.satisfied
        assert rep.rule == (chain.satisfied and math.gcd(*rates) == 1)


def test_report_rejects_bad_rates():
    with pytest.raises(ValueError, match="rates"):
        hdc_report([1, 0])
    with pytest.raises(ValueError, match="kernel_size"):
        hdc_report([1, 2], 0)


# ------------------------------------------------------------ the demo

def test_demo_holds_its_settings():
    demo = hdc_map([1, 2, 5], 5)
    assert isinstance(demo, HDCMap)
    assert demo.config == dict(rates=[1, 2, 5], k=5, max_layers=4,
                               max_rate=8, kernels=[2, 3, 5])
    assert len(json.dumps(demo.config)) < 200
    assert "convlibHDCMap.mount(" in demo.fallback_html()
    assert script_source("hdc_map.js") in demo._esm


@pytest.mark.parametrize("rates, k, name", [
    ([1] * 5, 3, "rates"), ([9], 3, "rates"), ([0, 1], 3, "rates"),
    ([1, 2], 4, "kernel_size"), ("125", 3, "rates")])
def test_demo_refuses_what_its_controls_cannot_show(rates, k, name):
    with pytest.raises((ValueError, TypeError), match=name):
        hdc_map(rates, k)


@pytest.mark.browser
def test_js_report_equals_python_over_the_whole_grid(page):
    assert len(GRID) == 3 * sum(MAX_RATE ** n
                                for n in range(1, MAX_LAYERS + 1))
    # JSON both ways: playwright's own serialisation of 14040 reports is
    # slow
    got = json.loads(page.evaluate(
        "grid => JSON.stringify(JSON.parse(grid).map("
        "a => convlibHDCMap.hdcReport(a[0], a[1])))",
        json.dumps([[list(rates), k] for rates, k in GRID])))
    for (rates, k), js in zip(GRID, got):
        py = hdc_report(rates, k)._asdict()
        py["rates"], py["holes"] = list(py["rates"]), list(py["holes"])
        if py["chain"] is not None:
            py["chain"] = list(py["chain"])
        assert js == py, (rates, k)


def _mount(page, demo):
    return mount(page, demo)


@pytest.mark.browser
def test_demo_in_the_page_follows_its_controls(page):
    root = _mount(page, hdc_map([2, 2, 2], 3))
    rep = hdc_report([2, 2, 2], 3)
    assert root.locator(".cl-verdict").inner_text() == rep.verdict
    assert root.locator(".cl-map").get_attribute("data-rows") == "13"
    root.locator("[data-field='r1']").select_option("1")
    root.locator("[data-field='r3']").select_option("5")
    rep = hdc_report([1, 2, 5], 3)
    assert root.locator(".cl-rule").inner_text() == rep.rule_text
    assert root.locator(".cl-exact").inner_text() == rep.exact_text
    assert root.locator(".cl-chain").inner_text() == "\n".join(rep.steps)
    root.locator("[data-field='layers']").select_option("4")
    root.locator("[data-field='r4']").select_option("8")
    root.locator("[data-field='k']").select_option("5")
    rep = hdc_report([1, 2, 5, 8], 5)
    assert root.locator(".cl-verdict").inner_text() == rep.verdict
    assert root.locator(".cl-map").get_attribute("data-rows") == \
        str(rep.span)
    root.locator("[data-field='layers']").select_option("1")
    assert root.locator("[data-field='r2']").count() == 0
    assert root.locator(".cl-rule").inner_text() == \
        hdc_report([1], 5).rule_text


@pytest.mark.browser
def test_the_map_colours_holes_red(page):
    root = _mount(page, hdc_map([2, 2], 3))
    # pixel (row 1, col 1) of the 9 x 9 map is a hole; (0, 0) is reached
    colours = page.evaluate("""() => {
        const c = document.querySelector('.cl-map');
        const cell = c.width / Number(c.dataset.cols);
        const at = (r, q) => Array.from(c.getContext('2d').getImageData(
            (q + 0.5) * cell, (r + 0.5) * cell, 1, 1).data.slice(0, 3));
        return [at(1, 1), at(0, 0)];
    }""")
    hole = ROLES["hole"].lstrip("#")  # the palette's colour of holes
    assert colours[0] == [int(hole[i:i + 2], 16) for i in (0, 2, 4)]
    assert colours[1] != colours[0]
    assert root.locator(".cl-holes").inner_text().startswith(
        "holes: 4 of 9 along an axis (offsets 1, 3, 5, 7)")
