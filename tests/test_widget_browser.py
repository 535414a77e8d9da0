"""Chapter 1's demos on the built page, driven in headless Chromium.

Needs the built book (`make book`); see tests/browser.py. Each test
changes the controls of a demo as a reader would and checks that the
page shows convlib's number for those settings, with no network request
and no JavaScript error.
"""
import numpy as np
import pytest

from browser import browser_session, check_page
from convlib import numpy as cnp
from convlib.palette import ROLES
from convlib import shapes
from convlib.widgets import SEED_INPUT, SEED_KERNEL, shape_report

WINDOW = ROLES["window"]  # the window's cells, as the kit paints them

pytestmark = pytest.mark.browser  # the built book in chromium
PAGE = "chapters/01_convolution.html"


@pytest.fixture(scope="module")
def session():
    with browser_session() as session:
        yield session


@pytest.fixture
def visit(session):
    with session.open(PAGE) as visit:
        yield visit
        visit.assert_clean()


def _seed_conv(stride, padding, dilation=1):
    x = np.array(SEED_INPUT, dtype=float)[None, None]
    w = np.array(SEED_KERNEL, dtype=float)[None, None]
    return cnp.conv2d(x, w, stride=stride, padding=padding,
                      dilation=dilation)[0, 0]


def test_page_has_both_demos_as_widgets_and_no_problems(visit):
    assert check_page(visit) == []
    page = visit.page
    # drawn by the widget manager from the saved widget state: the stepper
    # three times (plain, stride 2, dilation 2) and the calculator
    assert page.locator(".widget-subarea .convlib-demo").count() == 4
    assert page.locator(".convlib-window-stepper .cl-input").count() == 3
    assert page.locator(".convlib-shape-calculator .cl-size").count() == 1


def test_stepper_first_window_is_the_seed_example(visit):
    demo = visit.page.locator(".convlib-window-stepper").first
    assert demo.locator(".cl-sum").inner_text() == \
        f"{_seed_conv(1, 0)[0, 0]:g}"
    # the 3x3 window on the 5x5 input: 9 highlighted cells, 3x3 output
    assert demo.locator(".cl-input td").count() == 25
    assert demo.locator(".cl-output td").count() == 9


def test_stepper_buttons_and_selects(visit):
    demo = visit.page.locator(".convlib-window-stepper").first
    demo.locator("[data-field='padding']").select_option("1")
    demo.locator("[data-field='stride']").select_option("2")
    expected = _seed_conv(stride=2, padding=1)
    assert demo.locator(".cl-output td").count() == expected.size
    for _ in range(4):
        demo.locator("[data-field='next']").click()
    demo.locator("[data-field='prev']").click()
    demo.locator("[data-field='next']").click()
    # step 5 of 9 is output cell (1, 1)
    assert demo.locator(".cl-sum").inner_text() == f"{expected[1, 1]:g}"
    assert demo.locator(".cl-products").inner_text().startswith(
        "output[1, 1] = ")
    shown = demo.locator(".cl-output td").all_inner_texts()
    assert shown[:5] == [f"{v:g}" for v in expected.ravel()[:5]]
    assert shown[5:] == [""] * 4
    assert demo.locator(".cl-input td").count() == 7 * 7


def test_stepper_slider_jumps_to_the_last_window(visit):
    demo = visit.page.locator(".convlib-window-stepper").first
    demo.locator("[data-field='padding']").select_option("2")
    expected = _seed_conv(stride=1, padding=2)
    demo.locator("[data-field='step']").fill(str(expected.size - 1))
    assert demo.locator(".cl-sum").inner_text() == f"{expected[-1, -1]:g}"
    shown = demo.locator(".cl-output td").all_inner_texts()
    assert shown == [f"{v:g}" for v in expected.ravel()]


def test_calculator_shows_convlib_size(visit):
    demo = visit.page.locator(".convlib-shape-calculator").first
    for n, k, s, p, d in [(32, 5, 2, 2, 1), (224, 7, 2, 3, 1),
                          (28, 3, 3, 0, 2), (9, 4, 1, 1, 1)]:
        for key, value in zip("nkspd", (n, k, s, p, d)):
            demo.locator(f"[data-field='{key}']").fill(str(value))
        size = shapes.conv_output_size(n, kernel_size=k, stride=s,
                                       padding=p, dilation=d)
        assert demo.locator(".cl-size").inner_text() == str(size)
        assert demo.locator(".cl-formula").inner_text() == \
            shape_report(n, k, s, p, d).formula
        assert demo.locator(".cl-reason").inner_text() == ""


def test_calculator_flags_invalid_settings_with_the_reason(visit):
    demo = visit.page.locator(".convlib-shape-calculator").first
    for key, value in zip("nkspd", (4, 7, 1, 1, 1)):
        demo.locator(f"[data-field='{key}']").fill(str(value))
    with pytest.raises(ValueError):
        shapes.conv_output_size(4, kernel_size=7, padding=1)
    assert demo.locator(".cl-size").inner_text() == "invalid"
    assert demo.locator(".cl-reason").inner_text() == \
        shape_report(4, 7, 1, 1, 1).reason


def test_calculator_same_padding(visit):
    demo = visit.page.locator(".convlib-shape-calculator").first
    for key, value in zip("nkspd", (10, 4, 1, 0, 2)):
        demo.locator(f"[data-field='{key}']").fill(str(value))
    demo.locator("[data-field='same']").check()
    size = shapes.conv_output_size(10, kernel_size=4, padding="same",
                                   dilation=2)
    assert demo.locator(".cl-size").inner_text() == str(size)
    assert demo.locator("[data-field='p']").is_disabled()
    demo.locator("[data-field='s']").fill("2")
    assert demo.locator(".cl-size").inner_text() == "invalid"
    assert demo.locator(".cl-reason").inner_text() == \
        shape_report(10, 4, 2, "same", 2).reason


# ---- chapter 1 by keyboard alone, as a reader with no mouse (or with a
# screen reader) works the built page: Tab from the page's control before
# each demo into it, the arrow keys and Enter to change it, and the live
# region (role "status") that a screen reader announces follows.

_FOCUS_BEFORE = """demo => {
    const all = [...document.querySelectorAll(
        'a[href], button, input, select, textarea, [tabindex]')].filter(
        e => e.tabIndex >= 0 && !e.disabled);
    all[all.findIndex(e => demo.contains(e)) - 1].focus();
}"""


def _tab_into(page, demo, limit=20):
    """Focus the last control before `demo` (the page's own, say a code
    cell's copy button), then press Tab until the focus is inside it."""
    demo.evaluate(_FOCUS_BEFORE)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if demo.evaluate("el => el.contains(document.activeElement)"):
            return
    raise AssertionError(f"Tab did not reach the demo in {limit} presses")


def _focus(page):
    """The focused control's field and whether its focus is visible."""
    return page.evaluate("""() => {
        const el = document.activeElement, s = getComputedStyle(el);
        const ring = (s.outlineStyle !== "none" &&
                      parseFloat(s.outlineWidth) > 0) ||
                     s.boxShadow !== "none";
        return [el.dataset.field || "", ring];
    }""")


def _status(demo):
    return demo.locator("[role='status']").text_content()


def test_chapter_1_demos_by_keyboard_alone(visit):
    page = visit.page
    stepper = page.locator(".widget-subarea .convlib-window-stepper").first
    _tab_into(page, stepper)
    assert _focus(page) == ["padding", True]
    assert _status(stepper) == \
        f"sum: {_seed_conv(1, 0)[0, 0]:g} (output[0, 0], step 1 of 9)"
    page.keyboard.press("ArrowDown")                    # padding 1
    assert _status(stepper) == \
        f"sum: {_seed_conv(1, 1)[0, 0]:g} (output[0, 0], step 1 of 25)"
    page.keyboard.press("Tab")
    assert _focus(page) == ["stride", True]
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")                    # stride 3
    expected = _seed_conv(stride=3, padding=1)
    assert stepper.locator(".cl-unread").inner_text().startswith(
        "hatched: 13 of the 49 cells")
    for field in ("dilation", "step"):
        page.keyboard.press("Tab")
        assert _focus(page) == [field, True]
    page.keyboard.press("ArrowRight")                   # the second window
    assert _status(stepper) == \
        f"sum: {expected[0, 1]:g} (output[0, 1], step 2 of 4)"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert _focus(page) == ["next", True]
    page.keyboard.press("Enter")
    assert _status(stepper) == \
        f"sum: {expected[1, 0]:g} (output[1, 0], step 3 of 4)"

    calculator = page.locator(".widget-subarea .convlib-shape-calculator")
    _tab_into(page, calculator)
    assert _focus(page) == ["n", True]
    assert _status(calculator) == "output size: 2"      # n 6, k 3, s 2
    page.keyboard.press("ArrowUp")                      # n = 7
    assert _status(calculator) == \
        f"output size: {shapes.conv_output_size(7, kernel_size=3, stride=2)}"
    for field in ("k", "s", "p", "d", "same"):
        page.keyboard.press("Tab")
        assert _focus(page)[0] == field
    page.keyboard.press("Enter")                        # padding='same'
    assert _status(calculator) == "output size: invalid"
    assert calculator.locator(".cl-reason").inner_text() == \
        shape_report(7, 3, 2, "same", 1).reason


# ---- chapter 2: the variant comparer on the built page

def _thousands(n):
    """The kit's `big`: thousands separated by thin spaces."""
    return f"{n:,}".replace(",", "\u2009")


def test_variant_comparer_shows_convlib_counts(session):
    from convlib.widgets import variant_report
    from convlib.widgets.variants import variant_table
    with session.open("chapters/02_conv_variants.html") as visit:
        assert check_page(visit) == []
        demo = visit.page.locator(".convlib-variant-comparer").first
        for variant, cin, cout, k, g, stacked, s in [
                ("depthwise", 16, 12, 5, 1, False, 1),
                ("spatial", 8, 16, 7, 1, True, 2),
                ("shuffled", 12, 12, 3, 3, True, 1),
                ("grouped", 12, 12, 3, 3, True, 2)]:
            for field, value in [("variant", variant),
                                 ("in_channels", cin),
                                 ("out_channels", cout),
                                 ("kernel_size", k), ("groups", g),
                                 ("stride", s)]:
                demo.locator(f"[data-field='{field}']").select_option(
                    str(value))
            demo.locator("[data-field='stacked']").set_checked(stacked)
            report = variant_report(variant, cin, cout, k, g,
                                    input_size=16, stacked=stacked,
                                    stride=s)
            assert demo.locator(".cl-params").inner_text() == \
                _thousands(report.params)
            assert demo.locator(".cl-macs").inner_text() == \
                _thousands(report.macs)
            assert demo.locator(".cl-formula").inner_text() == \
                report.formula
            assert demo.locator(".cl-predicted").all_inner_texts() == [
                row.predicted for row in variant_table(cin, cout, k, g,
                                                       16, s)
                if not row.reason]
            seen = {len(s) for s in report.sees}
            assert f"sees {seen.pop()} of the {cin}" in \
                demo.locator(".cl-sees").inner_text()
            lines = sum(len(s.edges) for s in report.stages)
            drawn = demo.locator(".cl-layers path").evaluate_all(
                "ps => ps.reduce((n, p) => n + Number(p.dataset.edges), 0)")
            assert drawn == lines
        demo.locator("[data-field='groups']").select_option("8")
        assert demo.locator(".cl-reason").inner_text() == variant_report(
            "grouped", 12, 12, 3, 8).reason
        # on a phone, the demo fits its box: nothing to scroll inside it
        visit.page.set_viewport_size({"width": 390, "height": 900})
        demo.locator("[data-field='variant']").select_option("spatial")
        assert demo.evaluate(
            "el => el.scrollWidth <= el.clientWidth && [...el.querySelectorAll"
            "('*')].every(e => e.getBoundingClientRect().right <= "
            "el.getBoundingClientRect().right + 0.5)")
        visit.assert_clean()


# ---------------------------------------------------------------- chapter 3
# The transposed-convolution stepper on the built chapter 3 page: the
# scatter view (first) and the zero-insertion view (second).
from convlib.widgets import (example_kernel, overlap_counts,  # noqa: E402
                             scatter_steps, zero_insertion_view)
from convlib.widgets.transposed import STEPPER_INPUTS  # noqa: E402

CH3_PAGE = "chapters/03_transposed_conv.html"


@pytest.fixture
def visit_ch3(session):
    with session.open(CH3_PAGE) as visit:
        yield visit
        visit.assert_clean()


def _cells(demo, cls):
    return demo.locator(f".{cls} td").all_inner_texts()


def _as_shown(values):
    return [f"{v:g}".replace("-", "\u2212") for v in np.ravel(values)]


def test_transposed_stepper_shows_convlib_numbers(visit_ch3):
    assert check_page(visit_ch3) == []
    page = visit_ch3.page
    assert page.locator(".widget-subarea .convlib-transposed-stepper") \
        .count() == 2
    demo = page.locator(".convlib-transposed-stepper").first
    x = np.array(STEPPER_INPUTS["example"], dtype=float)
    first = scatter_steps(x, example_kernel(3), stride=2)[0]
    assert _cells(demo, "cl-output") == _as_shown(first.output)
    demo.locator("[data-field='kernel']").select_option("4")
    demo.locator("[data-field='padding']").select_option("1")
    demo.locator("[data-field='all']").click()
    full = cnp.conv_transpose2d(x[None, None], example_kernel(4)[None, None],
                                stride=2, padding=1)[0, 0]
    assert _cells(demo, "cl-output") == _as_shown(full)
    assert demo.locator(".cl-step").inner_text() == "step 9 of 9"
    demo.locator("[data-field='values']").select_option("ones")
    demo.locator("[data-field='kernel']").select_option("3")
    demo.locator("[data-field='padding']").select_option("0")
    assert _cells(demo, "cl-output") == _as_shown(overlap_counts(3, 3, 2))
    assert _cells(demo, "cl-counts") == _as_shown(overlap_counts(3, 3, 2))
    demo.locator("[data-field='stride']").select_option("1")
    demo.locator("[data-field='padding']").select_option("2")
    demo.locator("[data-field='kernel']").select_option("1")
    with pytest.raises(ValueError):
        shapes.conv_transpose_output_size(3, kernel_size=1, padding=2)
    assert "would be \u22121" in demo.locator(".cl-reason").inner_text()


def test_zero_insertion_view_on_the_built_page(visit_ch3):
    demo = visit_ch3.page.locator(".convlib-transposed-stepper").nth(1)
    x = np.array(STEPPER_INPUTS["example"], dtype=float)
    view = zero_insertion_view(x, example_kernel(3), 2, 1, 1)
    assert demo.locator("[data-field='zero_insertion']").is_checked()
    assert _cells(demo, "cl-padded") == _as_shown(view.padded)
    demo.locator("[data-field='all']").click()
    assert _cells(demo, "cl-output") == _as_shown(view.output)
    assert _cells(demo, "cl-counts") == _as_shown(view.counts)
    demo.locator("[data-field='zero_insertion']").uncheck()  # scatter view
    last = scatter_steps(x, example_kernel(3), 2, 1, 1)[-1]
    assert _cells(demo, "cl-output") == _as_shown(last.output)


def test_transposed_stepper_by_keyboard_on_the_built_page(visit_ch3):
    """Issue 31 on the book's own page: Tab reaches the demo's first
    control with a visible focus, the arrow keys change it, and the
    live region says the new output size."""
    page = visit_ch3.page
    demo = page.locator(".convlib-transposed-stepper").first
    live = demo.locator("[role=status][aria-live=polite]")
    before = live.inner_text()
    demo.locator("[data-field='kernel']").focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")          # back onto the first control
    focused = page.evaluate("""() => {
      const el = document.activeElement, s = getComputedStyle(el);
      return [el.dataset.field, s.outlineStyle, parseFloat(s.outlineWidth)];
    }""")
    assert focused[0] == "kernel" and focused[1] != "none" \
        and focused[2] > 0, focused
    page.keyboard.press("ArrowDown")    # kernel size 3 -> 4
    assert "= 8" in live.inner_text() and live.inner_text() != before


# ---- Chapter 5: the pooling explorer on the built page ----

def test_pooling_explorer_on_the_built_page(session):
    from convlib.widgets import POOL_INPUT, pool_report

    with session.open("chapters/05_pooling.html") as visit:
        assert check_page(visit) == []
        demo = visit.page.locator(".widget-subarea "
                                  ".convlib-pooling-explorer").first
        x = np.array(POOL_INPUT, dtype=float)

        def shown():
            return [float(t.replace("\u2212", "-")) for t in
                    demo.locator(".cl-output td").all_inner_texts()]

        assert demo.locator(".cl-size").inner_text() == "3\u00d73"
        assert shown() == list(pool_report("max", x, 2).output.ravel())
        for field, value in [("k", "3"), ("s", "2"), ("p", "1")]:
            for axis in "hw":  # rows and columns
                demo.locator(f"[data-field='{field}{axis}']").select_option(
                    value)
        demo.locator("[data-field='ceil']").check()
        ref = pool_report("max", x, 3, 2, 1, 1, True)
        assert demo.locator(".cl-formula").first.inner_text() == \
            ref.formula
        assert shown() == list(ref.output.ravel())
        demo.locator("[data-field='kind']").select_option("avg")
        demo.locator("[data-field='cip']").uncheck()
        ref = pool_report("avg", x, 3, 2, 1, 1, True, False)
        np.testing.assert_allclose(shown(), ref.output.ravel(), atol=5e-4)
        for axis in "hw":
            demo.locator(f"[data-field='d{axis}']").select_option("2")
        assert demo.locator(".cl-size").inner_text() == "invalid"
        assert demo.locator(".cl-reason").inner_text() == \
            pool_report("avg", x, 3, 2, 1, 2).reason
        visit.assert_clean()
# --- the stepper re-shown with stride 2 and with dilation 2 (chapter 1) ---

def _steppers(visit):
    return visit.page.locator(".widget-subarea .convlib-window-stepper")


def test_stride_stepper_starts_at_stride_2(visit):
    demo = _steppers(visit).nth(1)
    expected = _seed_conv(stride=2, padding=1)
    assert demo.locator("[data-field='stride']").input_value() == "2"
    for _ in range(3):
        demo.locator("[data-field='next']").click()
    assert demo.locator(".cl-sum").inner_text() == f"{expected[1, 0]:g}"
    demo.locator("[data-field='stride']").select_option("3")
    expected = _seed_conv(stride=3, padding=1)
    assert demo.locator(".cl-output td").count() == expected.size


def test_dilation_stepper_reads_taps_two_apart(visit):
    demo = _steppers(visit).nth(2)
    expected = _seed_conv(stride=1, padding=2, dilation=2)
    assert demo.locator(".cl-output td").count() == expected.size == 25
    demo.locator("[data-field='step']").fill("6")
    assert demo.locator(".cl-sum").inner_text() == f"{expected[1, 1]:g}"
    taps = demo.locator(f".cl-input td[style*='background:{WINDOW}' i]")
    assert taps.count() == 9
    demo.locator("[data-field='padding']").select_option("0")
    demo.locator("[data-field='dilation']").select_option("3")
    assert "spans 7" in demo.locator(".cl-reason").inner_text()
    demo.locator("[data-field='padding']").select_option("1")
    assert demo.locator(".cl-sum").inner_text() == \
        f"{_seed_conv(stride=1, padding=1, dilation=3)[0, 0]:g}"
# ---------------------------------------------------------------------
# Chapter 8: the CNN shape tracer on its built page.

CNN_PAGE = "chapters/08_build_a_cnn.html"


def _cnn_shapes(demo):
    return demo.locator(".cl-trace .cl-shape").all_inner_texts()


def test_cnn_tracer_on_the_built_page(session):
    from convlib.widgets import cnn_layers, trace_cnn

    with session.open(CNN_PAGE) as visit:
        assert check_page(visit) == []
        page = visit.page
        assert page.locator(".widget-subarea .convlib-cnn-tracer").count() \
            == 1
        demo = page.locator(".convlib-cnn-tracer").first
        start = trace_cnn(8, 1, cnn_layers())
        assert _cnn_shapes(demo)[-2:] == ["(64)", "(10)"]
        assert demo.locator(".cl-totals").inner_text().replace(
            "\u2009", "") == (
            f"total: {sum(r.params for r in start.rows)} parameters, "
            f"{sum(r.macs for r in start.rows)} MACs per image")
        demo.locator("[data-field='size']").fill("28")
        demo.locator("[data-field='pool1_kind']").select_option("avg")
        mnist = trace_cnn(28, 1, cnn_layers(pool1=("avg", 2, 2)))
        assert _cnn_shapes(demo)[1:] == [
            str(r.shape).replace(",)", ")") for r in mnist.rows]
        params = demo.locator(".cl-trace .cl-params").all_inner_texts()
        assert params[-1].replace("\u2009", "") == \
            str(mnist.rows[-1].params)
        demo.locator("[data-field='wire']").uncheck()
        demo.locator("[data-field='size']").fill("8")
        broken = trace_cnn(8, 1, cnn_layers(pool1=("avg", 2, 2),
                                            linear_in=784))
        assert demo.locator(".cl-reason").inner_text() == \
            f"breaks at layer 8: {broken.reason}"
        demo.locator("[data-field='conv1_k']").fill("11")
        assert "breaks at layer 1:" in \
            demo.locator(".cl-reason").inner_text()
# ---------------------------------------------------------------- chapter 7
# The activation explorer on the built chapter 7 page.

ACTIVATIONS_PAGE = "chapters/07_activations.html"


def _shown(demo, name, col):
    cell = demo.locator(f"tr[data-name='{name}'] td[data-col='{col}']")
    return float(cell.inner_text().replace("\u2212", "-"))


def test_activation_explorer_follows_its_controls(session):
    from convlib.widgets import activation_distribution, activation_point

    with session.open(ACTIVATIONS_PAGE) as visit:
        assert check_page(visit) == []
        demo = visit.page.locator(
            ".widget-subarea .convlib-activation-explorer").first
        # f, f' and the histogram of the outputs of an input N(mu, sigma)
        assert demo.locator(".cl-chart").count() == 3
        value, slope = activation_point("leaky_relu", -1.0,
                                        negative_slope=0.1)
        assert abs(_shown(demo, "leaky_relu", "value") - value) < 1e-4
        demo.locator("[data-field='in-mean']").fill("1")
        demo.locator("[data-field='in-std']").fill("2")
        dist = activation_distribution(
            ["relu"], mean=float(demo.locator("[data-field='in-mean']")
                                 .input_value()),
            std=float(demo.locator("[data-field='in-std']").input_value()))
        shown = demo.locator(".cl-dist tr[data-name='relu'] "
                             "td[data-col='mean']").inner_text()
        assert abs(float(shown) - dist["functions"]["relu"]["mean"]) < 1e-3
        demo.locator("[data-field='show-elu']").uncheck()
        demo.locator("[data-field='show-gelu']").check()
        demo.locator("[data-field='show-celu']").check()
        demo.locator("[data-field='celu-alpha']").fill("2.5")
        demo.locator("[data-field='point']").fill("-1.75")
        alpha = float(demo.locator("[data-field='celu-alpha']")
                      .input_value())
        for name, params in [("celu", {"alpha": alpha}), ("gelu", {}),
                             ("leaky_relu", {"negative_slope": 0.1})]:
            value, slope = activation_point(name, -1.75, **params)
            assert abs(_shown(demo, name, "value") - value) < 1e-4, name
            assert abs(_shown(demo, name, "slope") - slope) < 1e-4, name
        assert demo.locator("tr[data-name='elu']").count() == 0
        demo.locator("[data-field='show-rrelu']").check()
        demo.locator("[data-field='rrelu-lower']").fill("0.45")
        demo.locator("[data-field='rrelu-upper']").fill("0.1")
        assert "lower \u2264 upper" in demo.locator(".cl-reason").inner_text()
# ---- chapter 4: the receptive-field / HDC map on the built page

def test_hdc_map_on_the_built_chapter_4_page(session):
    from convlib.widgets import hdc_report
    with session.open("chapters/04_dilated_hdc.html") as visit:
        assert check_page(visit) == []
        demo = visit.page.locator(".widget-subarea .convlib-hdc-map").first
        a = demo.locator("[data-stack='A']")
        rep = hdc_report([1, 3, 1], 3)   # the rule is too strict here
        assert a.locator(".cl-verdict").inner_text() == rep.verdict
        assert demo.locator(".cl-compare").inner_text() == \
            "A and B reach exactly the same inputs"
        for field, value in [("r2", "2"), ("r3", "5")]:
            a.locator(f"[data-field='{field}']").select_option(value)
        rep = hdc_report([1, 2, 5], 3)
        assert a.locator(".cl-rule").inner_text() == rep.rule_text
        assert a.locator(".cl-exact").inner_text() == rep.exact_text
        a.locator("[data-field='k']").select_option("2")
        rep = hdc_report([1, 2, 5], 2)   # the rule lets a hole through
        assert a.locator(".cl-verdict").inner_text() == rep.verdict
        assert a.locator(".cl-holes").inner_text().startswith(
            "holes: 1 of 9")
        visit.assert_clean()


# ---- chapter 9: the normalisation explorer on the built page

def test_norm_explorer_on_the_built_chapter_9_page(session):
    from convlib.widgets import norm_report
    with session.open("chapters/09_normalisation.html") as visit:
        assert check_page(visit) == []
        demo = visit.page.locator(
            ".widget-subarea .convlib-norm-explorer").first
        result = demo.locator(".cl-result")
        assert result.inner_text() == norm_report("batch", True, 2, 1,
                                                  2).text
        demo.locator("[data-field='kind']").select_option("group")
        demo.locator("[data-field='groups']").select_option("4")
        assert result.inner_text() == norm_report("group", True, 4, 1,
                                                  2).text
        demo.locator("[data-field='kind']").select_option("batch")
        demo.locator("[data-field='mode']").select_option("eval")
        assert result.inner_text() == norm_report("batch", False, 2, 1,
                                                  2).text
        visit.assert_clean()
