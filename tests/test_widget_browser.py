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


# ---- chapter 4: the receptive-field / HDC map on the built page

def test_hdc_map_on_the_built_chapter_4_page(session):
    from convlib.widgets import hdc_report
    with session.open("chapters/04_dilated_hdc.html") as visit:
        assert check_page(visit) == []
        demo = visit.page.locator(".widget-subarea .convlib-hdc-map").first
        rep = hdc_report([2, 2, 2], 3)
        assert demo.locator(".cl-exact").inner_text() == rep.exact_text
        for field, value in [("r1", "1"), ("r3", "5")]:
            demo.locator(f"[data-field='{field}']").select_option(value)
        rep = hdc_report([1, 2, 5], 3)
        assert demo.locator(".cl-rule").inner_text() == rep.rule_text
        assert demo.locator(".cl-exact").inner_text() == rep.exact_text
        demo.locator("[data-field='r2']").select_option("3")
        demo.locator("[data-field='r3']").select_option("1")
        rep = hdc_report([1, 3, 1], 3)   # the rule is too strict here
        assert demo.locator(".cl-verdict").inner_text() == rep.verdict
        assert demo.locator(".cl-holes").inner_text().startswith(
            "holes: 0 of 11")
        visit.assert_clean()
