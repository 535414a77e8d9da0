"""The Chinese edition's pages (中文版, in _build/html/zh) held to the same
checks as the English ones (tests/test_browser.py): offline, reading
rules, axe-core. A file of its own, so that `make test` runs it on another
worker than the English pages.
"""
import pytest

from browser import BUILD_DIR, browser_session, toc_pages
from test_browser import EXTRA_PAGES, check_every_problem

pytestmark = pytest.mark.browser  # chromium: left out by `make unit`

PAGES = [f"zh/{page}" for page in toc_pages() + EXTRA_PAGES]


@pytest.fixture(scope="module")
def session():
    with browser_session() as s:
        yield s


@pytest.mark.parametrize("page", PAGES)
def test_chinese_page_renders_offline_and_reads_well(session, page):
    assert (BUILD_DIR / page).is_file(), f"{page} was not built"
    problems = check_every_problem(session, page)
    assert not problems, f"{page}:\n  " + "\n  ".join(problems)


def test_a_chinese_page_says_its_language_and_links_to_its_twin(session):
    with session.open("zh/chapters/01_convolution.html") as visit:
        page = visit.page
        assert page.evaluate("document.documentElement.lang") == "zh-CN"
        link = page.locator("p.language-switch a")
        assert link.get_attribute("hreflang") == "en"
        link.click()
        page.wait_for_load_state()
        assert page.url.endswith("/chapters/01_convolution.html")
        assert "/zh/" not in page.url


def test_a_demo_on_a_chinese_page_speaks_chinese_and_responds(session):
    """The pooling explorer of chapter 5 on its Chinese page: labels and
    verdicts from the "zh" column of the string table (kit.js reads
    <html lang>), driven by keyboard alone as on the English page."""
    from convlib.widgets._strings import text

    with session.open("zh/chapters/05_pooling.html") as visit:
        page = visit.page
        demo = page.locator(".widget-subarea .convlib-pooling-explorer").first
        status = demo.locator("[role='status']")
        assert status.inner_text().startswith(
            text("pool.output_size", "zh"))
        legend = text("pool.legend", "zh")
        assert legend != text("pool.legend") and legend in demo.inner_text()
        before = status.inner_text()
        demo.locator("[data-field='kh']").focus()
        page.keyboard.press("ArrowDown")   # kernel rows 2 -> 3
        assert status.inner_text() != before
        assert status.inner_text().startswith(
            text("pool.output_size", "zh"))
        visit.assert_clean()


def test_the_normalisation_explorer_s_sentence_is_chinese(session):
    """Chapter 9's explorer prints sentences Python wrote for every
    setting, in every language of the table; the Chinese page shows the
    Chinese one (and the English page the English, test_widget_browser)."""
    from convlib.widgets import norm_report

    with session.open("zh/chapters/09_normalisation.html") as visit:
        demo = visit.page.locator(
            ".widget-subarea .convlib-norm-explorer").first
        live = demo.locator(".cl-result")
        assert live.inner_text() == norm_report(
            "batch", True, 2, 1, 2, lang="zh").text
        visit.assert_clean()
