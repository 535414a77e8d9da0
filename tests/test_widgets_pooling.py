"""convlib.widgets.pooling: the pooling explorer and `pool_report`.

`pool_report` is held equal to torch.nn.functional (float64) and to
convlib.shapes.pool_output_size, over the explorer's square settings and
a sample of settings that differ between rows and columns (with
divisor_override and the one-pixel shift); the explorer's JavaScript
`poolReport` is held equal to `pool_report` -- sizes, window starts,
values, indices, divisors, changed outputs, formula and reason -- over
the same settings, run in headless chromium; and the explorer is driven
in a page, by mouse and by keyboard alone, both as the widget's ES
module and as the plain HTML fallback.
"""
import itertools
import json
import random

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from convlib import shapes
from convlib.palette import ROLES
from convlib.widgets import (POOL_INPUT, PoolingExplorer, pool_report,
                             pooling_explorer)
from convlib.widgets.pooling import CHANGE_TOLERANCE
from _demo_page import mount

WINDOW = ROLES["window"]  # the window's cells, as the kit paints them

X = np.array(POOL_INPUT, dtype=float)

# The explorer's controls with one value for both axes: kind, kernel,
# stride (None = kernel), padding, dilation, ceil_mode, count_include_pad.
GRID = list(itertools.product(["max", "avg"], range(1, 5),
                              [None, 1, 2, 3, 4], range(0, 3), range(1, 4),
                              [False, True], [True, False]))


def _sample(count, seed=0):
    """Settings that differ between rows and columns: (kind, k, s, p, d,
    ceil, cip, divisor_override, shift), pairs for k, s, p, d."""
    rnd = random.Random(seed)
    cases = []
    for _ in range(count):
        kind = rnd.choice(["max", "avg"])
        k = (rnd.randint(1, 4), rnd.randint(1, 4))
        s = (rnd.randint(1, 4), rnd.randint(1, 4))
        p = (rnd.randint(0, 2), rnd.randint(0, 2))
        d = ((1, 1) if kind == "avg" and rnd.random() < 0.8
             else (rnd.randint(1, 3), rnd.randint(1, 3)))
        div = rnd.choice([None, None, 1, 2, 5, 9]) if kind == "avg" else None
        cases.append((kind, k, s, p, d, rnd.random() < 0.5,
                      rnd.random() < 0.5, div, rnd.random() < 0.5))
    return cases


SAMPLE = _sample(120)
# Inputs of other shapes, for the sample: 5 x 7 and 7 x 4 (negative
# and non-integer values too).
OTHER_INPUTS = [X[:5, :], X[:, :4] * -1.5 + 0.25]


def _torch_pool(kind, x, k, s, p, d, ceil, cip, div=None):
    """torch's output (and indices) in float64, or None if it refuses."""
    t = torch.from_numpy(np.asarray(x, dtype=float))[None, None]
    try:
        if kind == "max":
            out, idx = F.max_pool2d(t, k, s, p, d, ceil_mode=ceil,
                                    return_indices=True)
            return out[0, 0].numpy(), idx[0, 0].numpy()
        if d not in (1, (1, 1)):
            return None  # F.avg_pool2d has no dilation
        return F.avg_pool2d(t, k, s, p, ceil_mode=ceil,
                            count_include_pad=cip,
                            divisor_override=div)[0, 0].numpy(), None
    except RuntimeError:
        return None


def _check_against_torch(x, kind, k, s, p, d, ceil, cip, div=None,
                         shift=False):
    report = pool_report(kind, x, k, s, p, d, ceil, cip, div, shift)
    shown = np.roll(x, 1, axis=1) if shift else x
    ref = _torch_pool(kind, shown, k, s, p, d, ceil, cip, div)
    args = (kind, k, s, p, d, ceil, cip, div, shift)
    assert (ref is None) == (report.size is None) == bool(
        report.reason), args
    if ref is None:
        return report
    np.testing.assert_allclose(report.output, ref[0], rtol=1e-12,
                               err_msg=str(args))
    if kind == "max":
        np.testing.assert_array_equal(report.indices, ref[1])
    assert report.size == ref[0].shape == shapes.pool_output_size(
        x.shape, kernel_size=k, stride=s, padding=p, dilation=d,
        ceil_mode=ceil), args
    if shift:
        before = _torch_pool(kind, x, k, s, p, d, ceil, cip, div)[0]
        changed = np.abs(ref[0] - before) > CHANGE_TOLERANCE * np.maximum(
            1, np.abs(before))
        np.testing.assert_array_equal(report.changed, changed)
    else:
        assert report.changed is None
    return report


@pytest.mark.parametrize("x", [X, X[:4, :4], X[:5, :5] * -1.5])
def test_pool_report_equals_torch_over_the_grid(x):
    for kind, k, s, p, d, ceil, cip in GRID:
        _check_against_torch(x, kind, k, s, p, d, ceil, cip)


@pytest.mark.parametrize("x", OTHER_INPUTS)
def test_pool_report_equals_torch_per_axis_divisor_and_shift(x):
    valid = 0
    for case in SAMPLE:
        valid += _check_against_torch(x, *case).size is not None
    assert valid > len(SAMPLE) // 4  # the sample tests real outputs


def test_avg_divisors_give_the_window_sums():
    settings = dict.fromkeys((k, s, p, ceil, cip)
                             for _, k, s, p, _, ceil, cip in GRID)
    for k, s, p, ceil, cip in settings:
        report = pool_report("avg", X, k, s, p, 1, ceil, cip)
        if report.size is None:
            continue
        sums = F.avg_pool2d(torch.from_numpy(X)[None, None], k, s, p,
                            ceil_mode=ceil, divisor_override=1)[0, 0]
        np.testing.assert_allclose(report.output * report.divisors,
                                   sums.numpy(), rtol=1e-12)
    report = pool_report("avg", X, 3, 2, 1, divisor_override=5)
    assert (report.divisors == 5).all()


def test_window_starts_follow_stride_and_padding_per_axis():
    report = pool_report("max", X, 3, 2, 1)
    assert report.starts == [[-1, 1, 3, 5], [-1, 1, 3, 5]]
    assert report.size == (4, 4)
    assert pool_report("max", X, 3).starts == [[0, 3], [0, 3]]
    report = pool_report("max", X[:5], (2, 3), (1, 2), (0, 1))
    assert report.starts == [[0, 1, 2, 3], [-1, 1, 3, 5]]
    assert report.size == (4, 4) and report.output.shape == (4, 4)


def test_formula_floor_with_numbers_substituted():
    report = pool_report("max", X, 3, 2, 1)
    assert report.formula == ("\u230a(7 + 2\u00d71 \u2212 1\u00d7(3 \u2212"
                              " 1) \u2212 1) / 2\u230b + 1 = \u230a6 / 2"
                              "\u230b + 1 = 4")


def test_formula_names_each_axis_when_their_settings_differ():
    report = pool_report("max", X[:5], 2)
    rows, cols = report.formula.split("\n")
    assert rows.startswith("rows: \u230a(5 + 2\u00d70")
    assert cols.startswith("columns: \u230a(7 + 2\u00d70")
    report = pool_report("max", X, (2, 3), padding=(0, 2))
    assert report.reason.startswith("columns: padding 2 is more than half")


def test_ceil_mode_keeps_a_last_window_inside_the_input():
    report = pool_report("max", X, 2, 2, 0, 1, True)
    assert report.size == (4, 4) and report.starts[1][-1] == 6
    assert report.formula.endswith("= 6 < n = 7: kept")


def test_ceil_mode_drops_a_window_starting_past_the_input():
    report = pool_report("max", X, 2, 2, 1, 1, True)  # the chapter's task
    assert report.size == (4, 4) == shapes.pool_output_size(
        (7, 7), kernel_size=2, stride=2, padding=1, ceil_mode=True)
    assert report.formula.endswith(
        "would start at (5 \u2212 1)\u00d72 \u2212 1 = 7 \u2265 n = 7, "
        "past the input: dropped, so 4")


def test_the_shift_marks_the_outputs_it_changes():
    # k = s = 2: a 1-pixel shift changes most outputs; at stride 1 with
    # a full-width window (k = 7) a circular shift changes none
    report = pool_report("max", X, 2, shift=True)
    assert 0 < report.changed.sum() < report.changed.size
    report = pool_report("avg", X, (1, 7), 1, shift=True)
    assert report.changed.shape == (7, 1) and not report.changed.any()


@pytest.mark.parametrize("args, words", [
    (("max", 3, 1, 2, 1), "padding 2 is more than half the kernel"),
    (("avg", 3, 1, 1, 2), "no dilation"),
    (("max", 4, 1, 0, 3), "spans d\u00d7(k \u2212 1) + 1 = 10 cells"),
    (("max", 0, 1, 0, 1), "kernel_size must be >= 1, got 0"),
    (("max", 2, 1.5, 0, 1), "stride must be an int, got 1.5")])
def test_invalid_settings_give_the_reason(args, words):
    kind, k, s, p, d = args
    report = pool_report(kind, X, k, s, p, d)
    assert report.size is None and report.output is None
    assert words in report.reason


def test_pool_report_rejects_bad_calls():
    with pytest.raises(ValueError, match="kind"):
        pool_report("min", X, 2)
    with pytest.raises(ValueError, match="input"):
        pool_report("max", np.ones(3), 2)
    with pytest.raises(ValueError, match="kernel_size must be an int or a"):
        pool_report("max", X, (2, 2, 2))
    with pytest.raises(ValueError, match="divisor_override"):
        pool_report("avg", X, 2, divisor_override=0)


def test_explorer_config_and_bounds():
    demo = pooling_explorer(kind="avg", kernel_size=3, stride=(2, 1),
                            padding=1, divisor_override=4, shift=True)
    assert isinstance(demo, PoolingExplorer)
    c = demo.config
    assert c["input"] == POOL_INPUT
    assert (c["k"], c["s"], c["p"], c["d"]) == ([3, 3], [2, 1], [1, 1],
                                                [1, 1])
    assert c["div"] == 4 and c["shift"] is True
    assert pooling_explorer().config["s"] == [0, 0]  # stride = kernel
    assert pooling_explorer().config["div"] == 0  # None
    assert pooling_explorer(input=np.ones((2, 9))).config["input"][0] == [
        1] * 9
    assert len(json.dumps(c)) < 1000  # small saved state
    with pytest.raises(ValueError, match="kernel_size must be at most 4"):
        pooling_explorer(kernel_size=(2, 5))
    with pytest.raises(ValueError, match="divisor_override must be at"):
        pooling_explorer(divisor_override=10)
    with pytest.raises(ValueError, match="kind"):
        pooling_explorer(kind="sum")
    with pytest.raises(ValueError, match="1 to 9 rows and columns"):
        pooling_explorer(input=np.ones((3, 10)))


# ---------------------------------------------------------- JavaScript

def _options(kind, k, s, p, d, ceil, cip, div=None, shift=False):
    """poolReport's options for pool_report's arguments."""
    def two(v):
        return list(v) if isinstance(v, tuple) else [v, v]
    return dict(kind=kind, k=two(k), s=[0, 0] if s is None else two(s),
                p=two(p), d=two(d), ceil=ceil, cip=cip, div=div or 0,
                shift=shift)


def _same(js, py, args):
    assert js["formula"] == py.formula and js["reason"] == py.reason, args
    assert js["starts"] == py.starts, args
    if py.size is None:
        assert js["size"] is None and js["output"] is None, args
        return
    assert tuple(js["size"]) == py.size, args
    np.testing.assert_allclose(js["output"], py.output, rtol=1e-12,
                               err_msg=str(args))
    if py.indices is not None:
        np.testing.assert_array_equal(js["indices"], py.indices)
    else:
        np.testing.assert_array_equal(js["divisors"], py.divisors)
    if py.changed is None:
        assert js["changed"] is None, args
    else:
        np.testing.assert_array_equal(js["changed"], py.changed)


def _js_reports(page, x, cases):
    got = page.evaluate(
        "([x, cases]) => cases.map("
        "o => convlibPoolingExplorer.poolReport(x, o))",
        [x.tolist(), [_options(*case) for case in cases]])
    assert len(got) == len(cases)
    return got


@pytest.mark.browser
@pytest.mark.parametrize("x", [X, X[:4, :4]])
def test_js_pool_report_equals_python_over_the_whole_grid(page, x):
    for args, js in zip(GRID, _js_reports(page, x, GRID)):
        _same(js, pool_report(args[0], x, *args[1:]), args)


@pytest.mark.browser
@pytest.mark.parametrize("x", OTHER_INPUTS)
def test_js_pool_report_equals_python_per_axis_divisor_and_shift(page, x):
    for args, js in zip(SAMPLE, _js_reports(page, x, SAMPLE)):
        _same(js, pool_report(args[0], x, *args[1:]), args)


@pytest.mark.browser
def test_js_reasons_for_bad_numbers(page):
    cases = [("max", k, s, p, d, False, True)
             for k, s, p, d in [(0, 1, 0, 1), (2, 1.5, 0, 1), (2, 1, -1, 1)]]
    for args, js in zip(cases, _js_reports(page, X, cases)):
        _same(js, pool_report(args[0], X, *args[1:]), args)


@pytest.mark.browser
def test_js_reads_the_typed_input(page):
    def parse(text):
        return page.evaluate(
            "t => convlibPoolingExplorer.parseInput(t, [1, 9])", text)
    assert parse("1 2 3\n4, 5, 6\n") == {"x": [[1, 2, 3], [4, 5, 6]]}
    assert parse("\u22121.5 2")["x"] == [[-1.5, 2]]
    assert parse("1 2\n3")["error"] == (
        "every row needs as many numbers as the first (2); row 2 has 1")
    assert parse("1 x")["error"] == "row 1: x is not a number"
    assert parse(" ".join(["1"] * 10))["error"] == (
        "the input needs 1 to 9 rows and columns, got 1 \u00d7 10")


def _rgb(css):
    """'#rrggbb' as the browser's computed 'rgb(r, g, b)'."""
    r, g, b = (int(css[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def _mount(page, demo, how):
    return mount(page, demo, how, ".convlib-pooling-explorer")


def _shown(root, grid="cl-output"):
    cells = root.locator(f".{grid} td").all_inner_texts()
    return [float(t.replace("\u2212", "-")) for t in cells]


@pytest.mark.browser
@pytest.mark.parametrize("how", ["html", "esm"])
def test_explorer_in_the_page_follows_its_controls(page, how):
    root = _mount(page, pooling_explorer(), how)
    ref = pool_report("max", X, 2)
    assert root.locator(".cl-size").inner_text() == "3\u00d73"
    assert _shown(root) == list(ref.output.ravel())
    assert _shown(root, "cl-aux") == list(ref.indices.ravel())
    root.locator("[data-field='ceil']").check()
    assert root.locator(".cl-size").inner_text() == "4\u00d74"
    root.locator("[data-field='kind']").select_option("avg")
    for field in ("kh", "kw"):
        root.locator(f"[data-field='{field}']").select_option("3")
    root.locator("[data-field='sh']").select_option("2")
    root.locator("[data-field='sw']").select_option("1")
    for field in ("ph", "pw"):
        root.locator(f"[data-field='{field}']").select_option("1")
    root.locator("[data-field='cip']").uncheck()
    ref = pool_report("avg", X, 3, (2, 1), 1, 1, True, False)
    np.testing.assert_allclose(_shown(root), ref.output.ravel(), atol=5e-4)
    assert _shown(root, "cl-aux") == list(ref.divisors.ravel())
    assert root.locator(".cl-formula").first.inner_text() == ref.formula
    root.locator("[data-field='div']").select_option("2")
    ref = pool_report("avg", X, 3, (2, 1), 1, 1, True, False, 2)
    np.testing.assert_allclose(_shown(root), ref.output.ravel(), atol=5e-4)
    root.locator("[data-field='window']").fill("5")
    assert root.locator(".cl-window").inner_text().startswith(
        "output[0, 5] = (")
    root.locator("[data-field='pw']").select_option("2")
    assert root.locator(".cl-size").inner_text() == "invalid"
    assert root.locator(".cl-reason").inner_text() == pool_report(
        "avg", X, 3, (2, 1), (1, 2)).reason


@pytest.mark.browser
def test_explorer_shift_marks_the_changed_outputs(page):
    root = _mount(page, pooling_explorer(), "html")
    ref = pool_report("max", X, 2, shift=True)
    root.locator("[data-field='shift']").check()
    assert _shown(root) == list(ref.output.ravel())
    marked = root.locator(".cl-output td[data-changed]")
    assert marked.count() == int(ref.changed.sum())
    assert root.locator(".cl-shift").inner_text() == (
        f"the 1-px shift changes {int(ref.changed.sum())} of 9 outputs "
        "(dashed outline)")


@pytest.mark.browser
def test_explorer_takes_a_typed_input(page):
    root = _mount(page, pooling_explorer(), "html")
    root.locator("summary").click()
    root.locator("[data-field='input']").fill("1 2 3\n4 5 6")
    ref = pool_report("max", [[1, 2, 3], [4, 5, 6]], 2)
    assert root.locator(".cl-size").inner_text() == "1\u00d71"
    assert _shown(root) == list(ref.output.ravel())
    root.locator("[data-field='input']").fill("1 2 3\n4 5")
    assert "row 2 has 2" in root.locator(".cl-input-reason").inner_text()
    assert _shown(root) == list(ref.output.ravel())  # the last good input


@pytest.mark.browser
def test_explorer_click_selects_a_window_and_marks_its_maximum(page):
    root = _mount(page, pooling_explorer(kernel_size=3, stride=2), "html")
    ref = pool_report("max", X, 3, 2)
    root.locator(".cl-output td[data-r='1'][data-c='2']").click()
    at = int(ref.indices[1, 2])
    assert root.locator(".cl-window").inner_text().endswith(
        f"input ({at // 7}, {at % 7}), index {at}")
    marked = root.locator(".cl-input td[style*='outline']")
    assert marked.count() == 1
    assert marked.get_attribute("data-r") == str(at // 7)
    taps = root.locator(".cl-input td[data-tap]")
    assert taps.count() == 9
    colours = taps.evaluate_all(
        "tds => tds.map(td => getComputedStyle(td).backgroundColor)")
    assert set(colours) == {_rgb(WINDOW)}


# ------------------------------------------------------- keyboard only

def _focused(page):
    return page.evaluate(
        "() => document.activeElement.getAttribute('data-field') || "
        "document.activeElement.tagName.toLowerCase()")


def _tab_to(page, field, limit=30):
    """Press Tab until the control `field` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if _focused(page) == field:
            return
    raise AssertionError(f"Tab never reached {field!r}")


@pytest.mark.browser
def test_explorer_works_by_keyboard_alone(page):
    root = _mount(page, pooling_explorer(), "html")
    status = root.locator("[role='status']")
    assert status.get_attribute("aria-live") == "polite"
    assert status.inner_text().startswith("output: 3\u00d73")
    # every control has a name a screen reader announces
    names = page.evaluate("""() => [...document.querySelectorAll(
        '.convlib-pooling-explorer select, .convlib-pooling-explorer input,'
        + ' .convlib-pooling-explorer textarea')].map(e =>
        e.getAttribute('aria-label') || (e.labels && e.labels.length
        ? e.labels[0].textContent.trim() : ''))""")
    assert names and all(names), names
    page.evaluate("() => document.activeElement.blur()")
    _tab_to(page, "kh")
    outline = page.evaluate(
        "() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus is visible
    page.keyboard.press("ArrowDown")  # kernel rows 2 -> 3
    assert status.inner_text().startswith("output: 2\u00d73")
    _tab_to(page, "ceil")
    page.keyboard.press("Enter")
    assert status.inner_text().startswith("output: 3\u00d74")
    _tab_to(page, "shift")
    page.keyboard.press("Enter")
    ref = pool_report("max", X, (3, 2), ceil_mode=True, shift=True)
    assert f"changes {int(ref.changed.sum())} of 12" in status.inner_text()
    _tab_to(page, "window")
    page.keyboard.press("ArrowRight")
    assert "output[0, 1] = max(" in status.inner_text()
    _tab_to(page, "summary")
    page.keyboard.press("Enter")  # opens the input editor
    _tab_to(page, "input")
    page.keyboard.press("Control+A")
    page.keyboard.type("1 2 3 4\n5 6 7 8\n9 1 2 3")
    assert status.inner_text().startswith("output: 1\u00d72")
