"""convlib.widgets: the functions behind the demos, and their JavaScript.

The demos run JavaScript in the page; the tests here hold what that
JavaScript computes equal to convlib (`shape_report` and
`convlib.shapes.conv_output_size` for the shape calculator,
`convlib.numpy.conv2d` for the window stepper's sums, `read_counts` for
the cells it hatches as read by no window), running the scripts in
headless chromium, both as the widget's ES module and as the plain HTML
fallback, and drive both demos by keyboard alone as a reader who uses
no mouse (or a screen reader) would.
"""
import itertools
import json
import re

import numpy as np
import pytest

from convlib import numpy as cnp
from convlib import shapes
from convlib.widgets import (SEED_INPUT, SEED_KERNEL, ShapeCalculator,
                             WindowStepper, read_counts, script_source,
                             shape_calculator, shape_report,
                             window_stepper, window_steps)
from convlib.palette import ROLES
from _demo_page import mount

WINDOW = ROLES["window"]  # the window's cells, as the kit paints them
UNREAD = "read by no window"  # the title of a hatched cell


SWEEP = list(itertools.product(range(1, 13), range(1, 7), range(1, 5),
                               [0, 1, 2, 3, "same"], range(1, 4)))
BAD = [(0, 3, 1, 0, 1), (5, 0, 1, 0, 1), (5, 3, 0, 0, 1),
       (5, 3, 1, -1, 1), (5, 3, 1, 0, 0), (-2, 3, 1, 0, 1)]


def _expected_size(n, k, s, p, d):
    try:
        return shapes.conv_output_size(n, kernel_size=k, stride=s,
                                       padding=p, dilation=d)
    except ValueError:
        return None


# ---------------------------------------------------------- shape_report

def test_shape_report_worked_example():
    report = shape_report(5, 3, stride=1, padding=1, dilation=1)
    assert report.size == 5
    assert report.reason == ""
    assert report.formula == ("\u230a(5 + 2\u00d71 \u2212 1\u00d7(3 \u2212 1)"
                              " \u2212 1) / 1\u230b + 1 = \u230a4 / 1\u230b"
                              " + 1 = 5")


def test_shape_report_seed_layer():
    # seed 001: 100 wide, 3x3 kernel, no padding -> 98
    assert shape_report(100, 3).size == 98


def test_shape_report_size_is_convlib_shapes_over_a_sweep():
    for args in SWEEP:
        report = shape_report(*args)
        assert report.size == _expected_size(*args), args
        assert (report.size is None) == bool(report.reason), args


def test_shape_report_kernel_larger_than_padded_input():
    report = shape_report(3, 7, padding=1)
    assert report.size is None
    assert "7 cells" in report.reason and "only 5" in report.reason
    assert report.formula.endswith("\u230a\u22122 / 1\u230b + 1")


@pytest.mark.parametrize("args, name", [
    ((5, 3, 2, "same", 1), "stride 1"), ((5, 0, 1, 0, 1), "kernel_size"),
    ((0, 3, 1, 0, 1), "input_size"), ((5, 3, 1, -1, 1), "padding"),
    ((5, 3, 1, 0, 0), "dilation"), ((5, 3, 1.5, 0, 1), "stride")])
def test_shape_report_names_the_bad_setting(args, name):
    report = shape_report(*args)
    assert report.size is None and report.formula == ""
    assert name in report.reason


def test_shape_report_same_splits_padding_like_torch():
    report = shape_report(6, 4, padding="same", dilation=1)
    assert report.size == 6
    assert "= 3, 1 before and 2 after" in report.formula


# ---------------------------------------------------------- window_steps

def test_window_steps_seed_example():
    steps = window_steps(SEED_INPUT, SEED_KERNEL, stride=1, padding=1)
    assert len(steps) == 25
    first = steps[0]
    assert (first.row, first.col, first.top, first.left) == (0, 0, 0, 0)
    np.testing.assert_array_equal(
        first.products, [[0, 0, 0], [0, 15, 24], [0, 32, 18]])
    assert first.total == 89


@pytest.mark.parametrize("shape, kshape, stride, padding, dilation", [
    ((5, 5), (3, 3), 1, 0, 1), ((5, 5), (3, 3), 2, 1, 1),
    ((6, 7), (2, 3), 3, 2, 1), ((4, 4), (4, 4), 1, 0, 1),
    ((7, 5), (3, 1), (2, 1), (0, 1), 1), ((5, 5), (3, 3), 1, 0, 2),
    ((7, 8), (2, 3), 2, 1, (3, 2)), ((5, 5), (3, 3), 1, 1, 3)])
def test_window_steps_sums_equal_convlib_conv2d(rng, shape, kshape, stride,
                                                padding, dilation):
    x = rng.integers(-5, 6, size=shape).astype(float)
    w = rng.integers(-3, 4, size=kshape).astype(float)
    expected = cnp.conv2d(x[None, None], w[None, None], stride=stride,
                          padding=padding, dilation=dilation)[0, 0]
    steps = window_steps(x, w, stride=stride, padding=padding,
                         dilation=dilation)
    assert len(steps) == expected.size
    for step in steps:
        assert step.total == expected[step.row, step.col]
        assert step.products.shape == kshape


def test_window_steps_rejects_a_kernel_larger_than_the_padded_input():
    with pytest.raises(ValueError, match="larger than the padded input"):
        window_steps(np.ones((2, 2)), np.ones((4, 4)), padding=0)


def test_window_steps_dilated_taps_are_d_apart():
    # seed example, dilation 2: one window whose taps are x[2u, 2v]
    steps = window_steps(SEED_INPUT, SEED_KERNEL, dilation=2)
    assert len(steps) == 1
    x = np.array(SEED_INPUT, float)
    np.testing.assert_array_equal(steps[0].products,
                                  x[::2, ::2] * np.array(SEED_KERNEL))


def test_window_steps_rejects_a_dilated_kernel_too_wide():
    with pytest.raises(ValueError, match="spans \\(7, 7\\), larger than"):
        window_steps(SEED_INPUT, SEED_KERNEL, dilation=3)


def test_window_steps_rejects_a_3d_input():
    with pytest.raises(ValueError, match="input must have 2 dimensions"):
        window_steps(np.ones((1, 3, 3)), np.ones((2, 2)))


# ---------------------------------------------------------- read_counts

def _counts_from_steps(shape, kshape, stride, padding, dilation):
    """The windows over each padded cell, counted tap by tap from
    window_steps (an independent path to read_counts' numbers)."""
    x = np.ones(shape)
    k = np.ones(kshape)
    s, d = np.broadcast_to(stride, 2), np.broadcast_to(dilation, 2)
    p = np.broadcast_to(padding, 2)
    counts = np.zeros((shape[0] + 2 * p[0], shape[1] + 2 * p[1]), int)
    for st in window_steps(x, k, stride, padding, dilation):
        for u in range(kshape[0]):
            for v in range(kshape[1]):
                counts[st.top + d[0] * u, st.left + d[1] * v] += 1
    return counts


def test_read_counts_equal_the_taps_of_every_window():
    grid = itertools.product([(5, 5), (4, 7)], [(3, 3), (2, 1)], [1, 2, 3],
                             [0, 1, 2], [1, 2, (3, 1)])
    for shape, kshape, stride, padding, dilation in grid:
        args = (shape, kshape, stride, padding, dilation)
        try:
            got = read_counts(*args)
        except ValueError:
            with pytest.raises(ValueError):
                window_steps(np.ones(shape), np.ones(kshape), stride,
                             padding, dilation)
            continue
        np.testing.assert_array_equal(got, _counts_from_steps(*args), args)


def test_read_counts_of_the_chapter_questions():
    # stride 3, padding 1 on the 5x5 seed input: the last row and column
    # of the 7x7 padded input, 13 cells, are read by no window
    unread = read_counts(5, 3, stride=3, padding=1) == 0
    assert unread.sum() == 13
    assert unread[6].all() and unread[:, 6].all()
    # stride 1, no padding: the corners once, the centre by all 9 windows
    counts = read_counts(5, 3)
    assert counts[0, 0] == 1 and counts[2, 2] == 9 and counts.min() == 1
    # dilation 2 with stride 2: the odd rows and columns are never read
    unread = read_counts(5, 3, stride=2, padding=2, dilation=2) == 0
    assert unread[1::2].all() and unread[:, 1::2].all()
    assert not unread[::2, ::2].any()


def test_read_counts_refuses_a_kernel_that_does_not_fit():
    with pytest.raises(ValueError, match="read_counts: .*larger than the"):
        read_counts(5, 3, dilation=3)
    with pytest.raises(ValueError, match="input_size"):
        read_counts(0, 3)


# ---------------------------------------------------------- demo objects

def _bundle(demo):
    bundle = demo._repr_mimebundle_()
    return bundle[0] if isinstance(bundle, tuple) else bundle


def test_demos_are_widgets_with_an_html_fallback():
    demo = shape_calculator(input_size=7, kernel_size=3)
    assert isinstance(demo, ShapeCalculator)
    assert demo.config == dict(n=7, k=3, s=1, p=1, d=1, same=False,
                               controls=dict(n=[1, 64], k=[1, 15],
                                             s=[1, 8], p=[0, 10], d=[1, 8]))
    data = _bundle(demo)
    assert data["application/vnd.jupyter.widget-view+json"]["model_id"] \
        == demo.model_id
    assert data["text/plain"] == \
        "ShapeCalculator(n=7, k=3, s=1, p=1, d=1, same=False)"
    assert "convlibShapeCalculator.mount(" in data["text/html"]
    assert "export default" in demo._esm
    assert script_source("shape_calculator.js") in demo._esm


def test_fallback_html_gets_a_fresh_id_each_time():
    demo = window_stepper()
    first, second = demo.fallback_html(), demo.fallback_html()
    ids = [re.search(r'id="([^"]+)"', h).group(1) for h in (first, second)]
    assert ids[0] != ids[1]
    assert f'getElementById("{ids[0]}")' in first
    assert "0x" not in repr(demo)


def test_window_stepper_holds_its_data():
    demo = window_stepper(padding=0, stride=2)
    assert isinstance(demo, WindowStepper)
    config = json.loads(demo.fallback_html().rsplit("), ", 1)[1]
                        .split(");")[0])
    assert config == demo.config
    assert config["input"] == SEED_INPUT and config["kernel"] == SEED_KERNEL
    assert (config["padding"], config["stride"]) == (0, 2)
    assert config["dilation"] == 1 and config["dilations"] == [1, 2, 3]


def test_window_stepper_rejects_a_setting_it_cannot_offer():
    with pytest.raises(ValueError, match="stride=4"):
        window_stepper(stride=4)
    with pytest.raises(ValueError, match="dilation=5"):
        window_stepper(dilation=5)


def test_shape_calculator_rejects_a_negative_padding():
    with pytest.raises(ValueError, match="padding"):
        shape_calculator(padding=-1)


# ---------------------------------------------------------- JavaScript

@pytest.mark.browser
def test_js_shape_report_equals_python(page):
    cases = SWEEP + BAD
    got = page.evaluate(
        "cases => cases.map(a => convlibShapeCalculator.shapeReport(...a))",
        cases)
    assert len(got) == len(cases)
    for args, js in zip(cases, got):
        py = shape_report(*args)
        assert (js["size"], js["formula"], js["reason"]) == tuple(py), args


@pytest.mark.browser
def test_js_window_sums_equal_convlib_conv2d(page, rng):
    for trial in range(30):
        h, w = rng.integers(1, 8, size=2)
        kh, kw = rng.integers(1, 5, size=2)
        stride, padding = int(rng.integers(1, 4)), int(rng.integers(0, 3))
        dilation = int(rng.integers(1, 4))
        x = rng.integers(-9, 10, size=(h, w)).astype(float)
        k = rng.integers(-4, 5, size=(kh, kw)).astype(float)
        _check_js_steps(page, x, k, stride, padding, dilation)


def _check_js_steps(page, x, k, stride, padding, dilation):
    """The JavaScript's windows equal window_steps and convlib's conv2d."""
    res = page.evaluate("a => convlibWindowStepper.windowSteps(...a)",
                        [x.tolist(), k.tolist(), stride, padding, dilation])
    span = [dilation * (n - 1) + 1 for n in k.shape]
    if any(sp > n + 2 * padding for sp, n in zip(span, x.shape)):
        assert res["error"] and not res["steps"]
        with pytest.raises(ValueError):
            window_steps(x, k, stride, padding, dilation)
        return
    expected = cnp.conv2d(x[None, None], k[None, None], stride=stride,
                          padding=padding, dilation=dilation)[0, 0]
    assert (res["outH"], res["outW"]) == expected.shape
    sums = np.array([s["sum"] for s in res["steps"]])
    np.testing.assert_array_equal(sums.reshape(expected.shape), expected)
    np.testing.assert_array_equal(
        res["reads"], read_counts(x.shape, k.shape, stride, padding,
                                  dilation))
    py = window_steps(x, k, stride=stride, padding=padding,
                      dilation=dilation)
    for js_step, py_step in zip(res["steps"], py):
        assert (js_step["top"], js_step["left"]) == (py_step.top,
                                                     py_step.left)
        np.testing.assert_array_equal(js_step["products"], py_step.products)


@pytest.mark.browser
def test_js_window_sums_over_the_whole_grid_of_the_demo(page):
    """Every setting the chapter's stepper offers, on its own data."""
    demo = window_stepper()
    x = np.array(demo.config["input"], float)
    k = np.array(demo.config["kernel"], float)
    grid = itertools.product(demo.config["strides"],
                             demo.config["paddings"],
                             demo.config["dilations"])
    for stride, padding, dilation in grid:
        _check_js_steps(page, x, k, stride, padding, dilation)


def _mount(page, demo, how):
    return mount(page, demo, how)


@pytest.mark.browser
@pytest.mark.parametrize("how", ["html", "esm"])
def test_calculator_in_the_page_follows_its_inputs(page, how):
    root = _mount(page, shape_calculator(), how)
    assert root.locator(".cl-size").inner_text() == "5"
    for key, value in [("n", "28"), ("k", "5"), ("s", "2"), ("p", "0"),
                       ("d", "2")]:
        root.locator(f"[data-field='{key}']").fill(value)
    size = shapes.conv_output_size(28, kernel_size=5, stride=2, padding=0,
                                   dilation=2)
    assert root.locator(".cl-size").inner_text() == str(size)
    root.locator("[data-field='k']").fill("15")
    assert root.locator(".cl-size").inner_text() == "invalid"
    assert "29 cells" in root.locator(".cl-reason").inner_text()


@pytest.mark.browser
@pytest.mark.parametrize("how", ["html", "esm"])
def test_stepper_in_the_page_follows_its_controls(page, how):
    root = _mount(page, window_stepper(), how)
    expected = cnp.conv2d(np.array(SEED_INPUT, float)[None, None],
                          np.array(SEED_KERNEL, float)[None, None],
                          padding=1)[0, 0]
    assert root.locator(".cl-sum").inner_text() == f"{expected[0, 0]:g}"
    root.locator("[data-field='next']").click()
    assert root.locator(".cl-sum").inner_text() == f"{expected[0, 1]:g}"
    root.locator("[data-field='stride']").select_option("2")
    root.locator("[data-field='padding']").select_option("0")
    expected = cnp.conv2d(np.array(SEED_INPUT, float)[None, None],
                          np.array(SEED_KERNEL, float)[None, None],
                          stride=2)[0, 0]
    for _ in range(3):
        root.locator("[data-field='next']").click()
    assert root.locator(".cl-sum").inner_text() == f"{expected[1, 1]:g}"
    assert root.locator(".cl-step").inner_text().startswith("step 4 of 4")
    filled = root.locator(".cl-output td").all_inner_texts()
    assert filled == [f"{v:g}" for v in expected.ravel()]


@pytest.mark.browser
@pytest.mark.parametrize("how", ["html", "esm"])
def test_stepper_in_the_page_follows_its_dilation(page, how):
    root = _mount(page, window_stepper(padding=0), how)
    x = np.array(SEED_INPUT, float)[None, None]
    w = np.array(SEED_KERNEL, float)[None, None]
    root.locator("[data-field='dilation']").select_option("2")
    expected = cnp.conv2d(x, w, dilation=2)[0, 0]
    assert root.locator(".cl-output td").all_inner_texts() == \
        [f"{v:g}" for v in expected.ravel()]
    assert root.locator(".cl-step").inner_text() == "step 1 of 1 (output 1" \
        "\u00d71)"
    # the 9 taps of the window are every second cell of the 5x5 input
    taps = root.locator(f".cl-input td[style*='background:{WINDOW}' i]")
    assert taps.count() == 9
    root.locator("[data-field='dilation']").select_option("3")
    assert "spans 7\u00d77 cells" in root.locator(".cl-reason").inner_text()
    assert root.locator(".cl-output td").count() == 0
    root.locator("[data-field='padding']").select_option("1")
    expected = cnp.conv2d(x, w, dilation=3, padding=1)[0, 0]
    assert root.locator(".cl-sum").inner_text() == f"{expected[0, 0]:g}"


@pytest.mark.browser
@pytest.mark.parametrize("how", ["html", "esm"])
def test_stepper_hatches_the_cells_no_window_reads(page, how):
    root = _mount(page, window_stepper(stride=3, padding=1), how)
    cells = root.locator(".cl-input td")
    unread = read_counts(5, 3, stride=3, padding=1) == 0
    hatched = [t == UNREAD for t in cells.evaluate_all(
        "tds => tds.map(td => td.title)")]
    assert hatched == list(unread.ravel())
    assert root.locator(".cl-unread").inner_text() == (
        "hatched: 13 of the 49 cells of the padded input, read by no window")
    root.locator("[data-field='padding']").select_option("0")
    assert root.locator(".cl-unread").inner_text() == (
        "hatched: 16 of the 25 cells of the padded input, read by no window")
    root.locator("[data-field='stride']").select_option("1")
    assert root.locator(f".cl-input td[title='{UNREAD}']").count() == 0
    assert root.locator(".cl-unread").inner_text() == (
        "every cell of the padded input is read by some window")


# ------------------------------------------------- keyboard, screen reader
# Both demos driven by the keyboard alone: Tab reaches each control in
# order, the arrow keys, Enter and Space change it, and the result a
# screen reader hears (the live region, role "status") follows.

def _focused(page):
    return page.evaluate("document.activeElement.dataset.field || ''")


def _live(root):
    region = root.locator("[role='status']")
    assert region.count() == 1
    assert region.get_attribute("aria-live") == "polite"
    return region.text_content()  # what a screen reader reads


@pytest.mark.browser
@pytest.mark.parametrize("how", ["html", "esm"])
def test_calculator_by_keyboard_alone(page, how):
    root = _mount(page, shape_calculator(), how)
    for name in ["input size n", "kernel size k", "stride s", "padding p",
                 "dilation d"]:
        assert root.get_by_role("spinbutton", name=name).count() == 1
    assert root.get_by_role("checkbox", name="padding='same'").count() == 1
    assert _live(root) == "output size: 5"
    page.keyboard.press("Tab")
    assert _focused(page) == "n"
    page.keyboard.press("ArrowUp")                      # n = 6
    assert _live(root) == "output size: 6"
    page.keyboard.press("Tab")
    assert _focused(page) == "k"
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")                      # k = 5
    assert _live(root) == f"output size: {shape_report(6, 5, 1, 1).size}"
    for field in "spd":
        page.keyboard.press("Tab")
        assert _focused(page) == field
    page.keyboard.press("Tab")
    assert _focused(page) == "same"
    page.keyboard.press("Enter")                        # padding='same'
    assert _live(root) == "output size: 6"
    assert root.locator("[data-field='p']").is_disabled()
    page.keyboard.press("Space")                        # back to p = 1
    assert _live(root) == f"output size: {shape_report(6, 5, 1, 1).size}"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert _focused(page) == "s"
    page.keyboard.press("ArrowUp")                      # stride 2
    assert _live(root) == f"output size: {shape_report(6, 5, 2, 1).size}"


@pytest.mark.browser
@pytest.mark.parametrize("how", ["html", "esm"])
def test_stepper_by_keyboard_alone(page, how):
    root = _mount(page, window_stepper(), how)
    x = np.array(SEED_INPUT, float)[None, None]
    w = np.array(SEED_KERNEL, float)[None, None]
    for name in ["padding", "stride", "dilation"]:
        assert root.get_by_role("combobox", name=name).count() == 1
    assert root.get_by_role("slider", name="position").count() == 1
    for name in ["back", "next"]:
        assert root.get_by_role("button", name=name).count() == 1
    for name in ["input (padded)", "kernel", "output"]:
        assert root.get_by_role("table", name=name).count() == 1
    expected = cnp.conv2d(x, w, padding=1)[0, 0]
    assert _live(root) == f"sum: {expected[0, 0]:g} (output[0, 0], " \
        "step 1 of 25)"
    page.keyboard.press("Tab")
    assert _focused(page) == "padding"
    page.keyboard.press("ArrowUp")                      # padding 0
    expected = cnp.conv2d(x, w)[0, 0]
    assert _live(root) == f"sum: {expected[0, 0]:g} (output[0, 0], " \
        "step 1 of 9)"
    page.keyboard.press("Tab")
    assert _focused(page) == "stride"
    page.keyboard.press("ArrowDown")                    # stride 2
    page.keyboard.press("ArrowDown")                    # stride 3
    assert root.locator(f".cl-input td[title='{UNREAD}']").count() == 16
    page.keyboard.press("ArrowUp")                      # stride 2
    expected = cnp.conv2d(x, w, stride=2)[0, 0]
    page.keyboard.press("Tab")
    assert _focused(page) == "dilation"
    page.keyboard.press("Tab")
    assert _focused(page) == "step"
    page.keyboard.press("ArrowRight")                   # the second window
    assert _live(root) == f"sum: {expected[0, 1]:g} (output[0, 1], " \
        "step 2 of 4)"
    page.keyboard.press("Tab")
    assert _focused(page) == "prev"
    page.keyboard.press("Tab")
    assert _focused(page) == "next"
    page.keyboard.press("Enter")
    page.keyboard.press("Space")                        # the fourth
    assert _live(root) == f"sum: {expected[1, 1]:g} (output[1, 1], " \
        "step 4 of 4)"
    assert root.locator(".cl-sum").inner_text() == f"{expected[1, 1]:g}"


@pytest.mark.browser
def test_calculator_boxes_keep_the_formula_order_from_a_saved_state(page):
    """A saved widget state (the book's) sorts the config's keys; the
    boxes and the Tab order stay n, k, s, p, d."""
    config = json.loads(json.dumps(shape_calculator().config,
                                   sort_keys=True))
    page.set_content("<!doctype html><html lang='en'><body>"
                     "<div id='el'></div></body></html>")
    page.add_script_tag(content=ShapeCalculator._esm.split(
        "export default")[0])
    page.evaluate("c => convlibShapeCalculator.mount("
                  "document.getElementById('el'), c)", config)
    fields = page.locator("#el input").evaluate_all(
        "els => els.map(e => e.dataset.field)")
    assert fields == ["n", "k", "s", "p", "d", "same"]
