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
