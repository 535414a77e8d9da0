"""convlib.widgets.dilation: the HDC map's report and its JavaScript.

`hdc_report` is checked against convlib.shapes (coverage, hdc_m_chain,
largest_gap), against a brute-force enumeration of the reachable offsets
and against hand-worked examples; the demo's JavaScript (hdc_map.js, run
in headless chromium) is held equal to `hdc_report` over every setting
the demo's controls offer, and the drawn demo is driven as a reader
would: with the mouse's select_option, and with the keyboard alone.
"""
import itertools
import json
import math

import numpy as np
import pytest

from convlib import shapes
from convlib.palette import ROLES
from convlib.widgets import HDCMap, hdc_map, hdc_report, script_source
from convlib.widgets.dilation import (KERNELS, MAX_LAYERS, MAX_RATE,
                                      hdc_compare)
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
    assert rep.gap2 == 2 and rep.centre == 6
    assert rep.holes_text == ("holes: 6 of 13 along an axis (offsets 1, 3, "
                              "5, 7, 9, 11); receptive field 13 \u00d7 13")
    assert rep.gap_text.endswith("r_1 = 2 is not 1, so G_2 \u2264 K is "
                                 "not the exact test")


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
    assert passes.verdict.endswith("predicts no holes, but there are holes")
    strict = hdc_report([1, 3, 1])   # M_2 = 5 > 3, yet no holes
    assert strict.rule is False and strict.exact
    assert strict.verdict.endswith("predicts holes, but there are none")


def test_one_layer_has_no_rule():
    rep = hdc_report([3], 3)
    assert rep.chain is None and rep.rule is None and rep.steps == []
    assert rep.holes == (1, 2, 4, 5) and "two layers" in rep.rule_text
    assert rep.gap2 is None and rep.gap_text is None


def test_k_2_counterexample_the_rule_accepts_a_hole():
    """[1, 2, 5] with K = 2: M_2 = 2 <= 2, yet offset 4 is never reached;
    the true gap of layers 2-3 (offsets 0, 2, 5, 7) is 3 > K."""
    rep = hdc_report([1, 2, 5], 2)
    assert rep.rule is True and rep.exact is False and rep.holes == (4,)
    assert rep.chain[1] == 2 and rep.gap2 == 3
    assert rep.gap_text == (
        "true largest gap of layers 2\u20133: G_2 = 3 (M_2 = 2 estimates "
        "it); r_1 = 1 fills gaps up to K, but G_2 = 3 > K = 2: holes")
    assert rep.holes_text.startswith("holes: 1 of 9 along an axis "
                                     "(offset 4);")
    assert rep.verdict == ("they disagree: the rule predicts no holes, "
                           "but there are holes")


def test_even_k_has_no_centre_and_odd_k_reaches_its_centre():
    assert hdc_report([1, 2, 5], 2).centre is None
    assert "no input is the centre" in hdc_report([1, 2, 5], 2).centre_text
    for rates, k in GRID:
        if k % 2:
            counts = shapes.coverage(rates, k).counts
            assert counts[(len(counts) - 1) // 2] > 0, (rates, k)


def test_long_hole_lists_are_shortened():
    rep = hdc_report([8, 8, 8, 8], 5)
    assert len(rep.holes) == 112
    assert "(offsets 1, 2, 3, \u2026, 125, 126, 127)" in rep.holes_text
    eight = hdc_report([3, 3], 5)          # 8 holes: listed in full
    assert len(eight.holes) == 16 or "\u2026" not in eight.holes_text


def test_compare_says_whether_two_stacks_reach_the_same_inputs():
    a, b = hdc_report([1, 3, 1]), hdc_report([1, 1, 3])
    assert a.rule is False and b.rule is True and a.exact and b.exact
    assert hdc_compare(a, b) == "A and B reach exactly the same inputs"
    assert hdc_compare(hdc_report([1, 2, 5]), hdc_report([2, 2, 2])) == \
        "A and B reach different inputs"


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
        assert rep.gap2 == shapes.largest_gap(rates[1:], k)
        if rates[0] == 1:     # the exact form of HDC's goal
            assert rep.exact == (rep.gap2 <= k)


def test_report_rejects_bad_rates():
    with pytest.raises(ValueError, match="rates"):
        hdc_report([1, 0])
    with pytest.raises(ValueError, match="kernel_size"):
        hdc_report([1, 2], 0)


# ------------------------------------------------------------ the demo

def test_demo_holds_its_settings():
    demo = hdc_map([1, 2, 5], 5)
    assert isinstance(demo, HDCMap)
    assert demo.config == dict(
        stacks=[dict(rates=[1, 2, 5], k=5), dict(rates=[1, 1, 3], k=5)],
        max_layers=4, max_rate=8, kernels=[2, 3, 5])
    assert hdc_map().config["stacks"] == [dict(rates=[1, 3, 1], k=3),
                                          dict(rates=[1, 1, 3], k=3)]
    assert hdc_map([2], 2, [1, 2, 5], 3).config["stacks"][1] == dict(
        rates=[1, 2, 5], k=3)
    assert len(json.dumps(demo.config)) < 200
    assert "convlibHDCMap.mount(" in demo.fallback_html()
    assert script_source("hdc_map.js") in demo._esm


@pytest.mark.parametrize("args, name", [
    (([1] * 5, 3), "rates"), (([9], 3), "rates"), (([0, 1], 3), "rates"),
    (([1, 2], 4), "kernel_size"), (("125", 3), "rates"),
    (([1, 2], 3, [1] * 5), "rates_b"), (([1, 2], 3, [1], 4),
                                        "kernel_size_b")])
def test_demo_refuses_what_its_controls_cannot_show(args, name):
    with pytest.raises((ValueError, TypeError), match=name):
        hdc_map(*args)


def _py(rates, k):
    py = hdc_report(rates, k)._asdict()
    py["rates"], py["holes"] = list(py["rates"]), list(py["holes"])
    if py["chain"] is not None:
        py["chain"] = list(py["chain"])
    return py


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
        assert js == _py(rates, k), (rates, k)


@pytest.mark.browser
def test_js_compare_equals_python(page):
    rng = np.random.default_rng(4)
    pairs = [GRID[i] for i in rng.integers(0, len(GRID), 400)]
    pairs += [((1, 3, 1), 3), ((1, 1, 3), 3), ((3, 1, 1), 3), ((2,), 2),
              ((1, 2), 2), ((2, 1), 2)]
    cases = [[list(a[0]), a[1], list(b[0]), b[1]]
             for a, b in zip(pairs, pairs[1:])]
    got = page.evaluate(
        "cases => cases.map(c => convlibHDCMap.compareText("
        "convlibHDCMap.hdcReport(c[0], c[1]),"
        " convlibHDCMap.hdcReport(c[2], c[3])))", cases)
    want = [hdc_compare(hdc_report(a, k), hdc_report(b, kb))
            for a, k, b, kb in cases]
    assert got == want and len(set(want)) == 2


def _mount(page, demo):
    return mount(page, demo)


@pytest.mark.browser
def test_demo_in_the_page_follows_its_controls(page):
    root = _mount(page, hdc_map([2, 2, 2], 3, [1, 1, 3]))
    a, b = (root.locator(f"[data-stack='{n}']") for n in "AB")
    rep = hdc_report([2, 2, 2], 3)
    assert a.locator(".cl-verdict").inner_text() == rep.verdict
    assert a.locator(".cl-map").get_attribute("data-rows") == "13"
    assert root.locator(".cl-compare").inner_text() == \
        "A and B reach different inputs"
    a.locator("[data-field='r1']").select_option("1")
    a.locator("[data-field='r3']").select_option("5")
    rep = hdc_report([1, 2, 5], 3)
    assert a.locator(".cl-rule").inner_text() == rep.rule_text
    assert a.locator(".cl-exact").inner_text() == rep.exact_text
    assert a.locator(".cl-gap").inner_text() == rep.gap_text
    assert a.locator(".cl-chain").inner_text() == "\n".join(rep.steps)
    a.locator("[data-field='r2']").select_option("3")
    a.locator("[data-field='r3']").select_option("1")
    assert root.locator(".cl-compare").inner_text() == \
        "A and B reach exactly the same inputs"
    b.locator("[data-field='layers']").select_option("4")
    b.locator("[data-field='r4']").select_option("8")
    b.locator("[data-field='k']").select_option("5")
    rep = hdc_report([1, 1, 3, 8], 5)
    assert b.locator(".cl-verdict").inner_text() == rep.verdict
    assert b.locator(".cl-map").get_attribute("data-rows") == str(rep.span)
    assert b.locator(".cl-holes").inner_text() == rep.holes_text
    b.locator("[data-field='layers']").select_option("1")
    assert b.locator("[data-field='r2']").count() == 0
    assert b.locator(".cl-rule").inner_text() == \
        hdc_report([1], 5).rule_text
    assert b.locator(".cl-gap").count() == 0
    assert a.locator(".cl-verdict").inner_text() == \
        hdc_report([1, 3, 1], 3).verdict          # A is untouched


@pytest.mark.browser
def test_the_demo_works_by_keyboard_alone(page):
    """Issue 31: Tab reaches every control in order, each with a name a
    screen reader announces; arrow keys change a select; the focused
    control is visibly outlined; the verdict, in a live region, changes.
    No mouse and no select_option: key presses only."""
    root = _mount(page, hdc_map([1, 2, 5], 3, [2, 2, 2], 3))
    names = ("layers", "layer 1 rate", "layer 2 rate", "layer 3 rate",
             "kernel size K")
    for s in "AB":    # the names a screen reader announces, per group
        group = root.get_by_role("group", name=f"stack {s}", exact=True)
        assert [group.get_by_role("combobox", name=n, exact=True).count()
                for n in names] == [1] * len(names)
    assert root.locator("select").count() == 2 * len(names)
    names = 2 * names
    live = root.locator("[data-stack='A'] [aria-live='polite']")
    assert live.get_attribute("role") == "status"
    before = live.inner_text()
    assert before == "the rule and the exact check agree"
    page.keyboard.press("Tab")            # from the page into the demo
    focused = []
    for _ in range(len(names)):
        focused.append(page.evaluate(
            "() => [document.activeElement.closest('fieldset')"
            ".dataset.stack, document.activeElement.dataset.field]"))
        page.keyboard.press("Tab")
    assert focused == [[s, f] for s in "AB" for f in (
        "layers", "r1", "r2", "r3", "k")]
    for _ in range(len(names) // 2 + 1):  # back past B to stack A's K
        page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.dataset.field") == "k"
    outline = page.evaluate(
        "() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("ArrowUp")        # K = 3 -> 2
    assert live.inner_text() == ("they disagree: the rule predicts no "
                                 "holes, but there are holes")
    assert root.locator("[data-stack='A'] .cl-holes").inner_text() == \
        hdc_report([1, 2, 5], 2).holes_text
    page.keyboard.press("ArrowDown")      # back to K = 3
    assert live.inner_text() == before


@pytest.mark.browser
def test_the_map_marks_holes_by_colour_and_stroke(page):
    root = _mount(page, hdc_map([2, 2], 3, [1, 2, 5], 2))
    # pixel (row 1, col 1) of the 9 x 9 map is a hole; (0, 0) is reached.
    # Read near a cell's top-left corner (the fill) and on its
    # anti-diagonal (the stroke).
    colours = page.evaluate("""() => {
        const c = document.querySelector('[data-stack=A] .cl-map');
        const cell = c.width / Number(c.dataset.cols);
        const at = (r, q, dr, dq) => Array.from(c.getContext('2d')
            .getImageData((q + dq) * cell, (r + dr) * cell, 1, 1)
            .data.slice(0, 3));
        return [at(1, 1, 0.25, 0.25), at(0, 0, 0.25, 0.25),
                at(1, 1, 0.5, 0.5), at(0, 0, 0.5, 0.5)];
    }""")
    rgb = [[int(c.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)]
           for c in (ROLES["hole"], ROLES["muted"])]
    hole_fill, reached_fill, hole_middle, reached_middle = colours
    assert hole_fill == rgb[0] and reached_fill != rgb[0]
    assert hole_middle != rgb[0]              # the stroke crosses it
    assert reached_middle == reached_fill     # no stroke where reached
    assert root.locator("[data-stack='A'] .cl-holes").inner_text() \
        .startswith("holes: 4 of 9 along an axis (offsets 1, 3, 5, 7)")
    label = root.locator("[data-stack='A'] .cl-map").get_attribute(
        "aria-label")
    assert label == "map of the 9 \u00d7 9 inputs of the field, 56 of " \
        "them holes"
    assert "outlined" in root.locator("[data-stack='A'] .cl-centre") \
        .inner_text()
    assert "none is outlined" in root.locator(
        "[data-stack='B'] .cl-centre").inner_text()
