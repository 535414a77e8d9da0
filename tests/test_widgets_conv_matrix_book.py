"""The convolution-matrix explorer on the built chapter 6 page.

Needs the built book (`make book`; tests/browser.py). Its own module:
tests/browser.py starts its own Playwright, which cannot run while the
demo page of test_widgets_conv_matrix.py holds one.
"""
import pytest

from browser import browser_session
from convlib.widgets import matrix_report

SELECTOR = ".convlib-conv-matrix-explorer"


@pytest.mark.browser
def test_explorer_on_the_built_chapter_6_page():
    """The saved widget on the built page: drawn by the widget manager,
    driven from its first select by keyboard alone, its live region
    following; no network request, no JavaScript error."""
    with browser_session() as session:
        with session.open("chapters/06_linear.html") as visit:
            page = visit.page
            demo = page.locator(f".widget-subarea {SELECTOR}").first
            live = demo.locator("[aria-live='polite']")
            assert live.inner_text() == matrix_report(
                4, 3, 1, 0, 2, 2, 1).summary
            demo.locator("[data-field='n']").focus()
            for _ in range(3):
                page.keyboard.press("Tab")          # to padding p
            page.keyboard.press("ArrowDown")        # p = 1
            for _ in range(4):
                page.keyboard.press("Tab")          # to the outputs
            page.keyboard.press("End")
            page.keyboard.press("Enter")
            assert live.inner_text() == matrix_report(
                4, 3, 1, 1, 2, 2, 1, output=31).summary
            visit.assert_clean()
