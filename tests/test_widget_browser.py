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
from convlib import shapes
from convlib.widgets import SEED_INPUT, SEED_KERNEL, shape_report

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


def _seed_conv(stride, padding):
    x = np.array(SEED_INPUT, dtype=float)[None, None]
    w = np.array(SEED_KERNEL, dtype=float)[None, None]
    return cnp.conv2d(x, w, stride=stride, padding=padding)[0, 0]


def test_page_has_both_demos_as_widgets_and_no_problems(visit):
    assert check_page(visit) == []
    page = visit.page
    # drawn by the widget manager from the saved widget state
    assert page.locator(".widget-subarea .convlib-demo").count() == 2
    assert page.locator(".convlib-window-stepper .cl-input").count() == 1
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


# ---------------------------------------------------------------- chapter 7
# The activation explorer on the built chapter 7 page.

ACTIVATIONS_PAGE = "chapters/07_activations.html"


def _shown(demo, name, col):
    cell = demo.locator(f"tr[data-name='{name}'] td[data-col='{col}']")
    return float(cell.inner_text().replace("\u2212", "-"))


def test_activation_explorer_follows_its_controls(session):
    from convlib.widgets import activation_point

    with session.open(ACTIVATIONS_PAGE) as visit:
        assert check_page(visit) == []
        demo = visit.page.locator(
            ".widget-subarea .convlib-activation-explorer").first
        assert demo.locator(".cl-chart").count() == 2
        value, slope = activation_point("leaky_relu", -1.0,
                                        negative_slope=0.1)
        assert abs(_shown(demo, "leaky_relu", "value") - value) < 1e-4
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
        visit.assert_clean()
