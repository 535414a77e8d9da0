"""Every page of the built book, opened in a real headless Chromium, offline.

Needs the built book (``jupyter-book build . -W -n --keep-going``, which
``make test`` runs first) and Debian's Chromium at /usr/bin/chromium (or
$CHROMIUM). Without either the tests fail with a message saying what to do;
they are never skipped.

For each page, opened once: maths typeset by MathJax, every image loaded,
every widget view drawn, no request to another host (all are aborted), no
failed local request, no JavaScript console error or uncaught exception;
then the reading rules (``tests/reading.py``: no output wider than its box
at 1280 px, no page wider than a 390-px phone, no True/False output, no
progress bar, every image with a real alternative text), axe-core's
accessibility rules (no critical or serious violation) and, on the
English pages, a live first demo (operating its control changes it).
"""
import pytest

from browser import (BUILD_DIR, browser_session, check_page, serve,
                     toc_pages)
from reading import (DESKTOP, axe_problems, axe_report, reading_problems,
                     reading_report)

pytestmark = pytest.mark.browser  # chromium: left out by `make unit`

EXTRA_PAGES = ["search.html", "genindex.html"]
PAGES = toc_pages() + EXTRA_PAGES


@pytest.fixture(scope="module")
def session():
    """One server and one browser for all the pages of this module."""
    with browser_session() as s:
        yield s


def check_every_problem(session, page, live=False):
    """Every problem of `page`: offline, axe-core, the reading rules, and
    with `live` a demo that does not answer its control
    (`frozen_demo_problems`), in the same visit."""
    with session.open(page) as visit:
        problems = check_page(visit)
        problems += axe_problems(axe_report(visit))
        problems += reading_problems(reading_report(visit))
        if live:
            problems += frozen_demo_problems(visit)
        problems += visit.problems()  # errors raised by the checks too
    return list(dict.fromkeys(problems))


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_offline_and_reads_well(session, page):
    """...and its demos are live, not frozen pictures."""
    assert (BUILD_DIR / page).is_file(), f"{page} was not built"
    problems = check_every_problem(session, page, live=True)
    assert not problems, f"{page}:\n  " + "\n  ".join(problems)


FILE_PAGES = ["book/notation.html", "book/how_to_use.html"] + [
    p for p in toc_pages() if p.startswith("chapters/")][:1]


@pytest.mark.parametrize("page", FILE_PAGES)
def test_page_works_from_a_file_url(session, page):
    """Opened straight from disk (a copy on a USB stick): same checks.

    Only the search page's result snippets need a server (Sphinx fetches
    each page for them), so search.html is not opened this way.
    """
    with session.open(page, base_url=BUILD_DIR.resolve().as_uri() + "/") \
            as visit:
        problems = check_page(visit)
    assert not problems, f"file://.../{page}:\n  " + "\n  ".join(problems)


def test_notation_page_typesets_its_formulas(session):
    # the notation page is all maths: a failed MathJax load must show here
    with session.open("book/notation.html") as visit:
        n_math = visit.page.locator(".math").count()
        n_typeset = visit.page.locator("mjx-container").count()
        chtml = visit.page.locator("mjx-container[jax='CHTML']").count()
        font_ok = visit.page.evaluate(
            "() => [...document.fonts].some(f => f.family.startsWith('MJX')"
            " && f.status === 'loaded')")
    assert n_math >= 20
    assert n_typeset >= n_math and chtml == n_typeset
    assert font_ok, "no MathJax web font loaded (vendored woff-v2 missing?)"


def test_glossary_links_resolve_both_languages(session):
    with session.open("book/glossary.html") as visit:
        terms = visit.page.locator("dl.glossary dt").all_inner_texts()
        visit.assert_clean()
    names = {t.strip().rstrip("#¶").strip() for t in terms}
    for term in ["convolution", "卷积", "receptive field", "感受野",
                 "transposed convolution", "转置卷积", "HDC", "混合空洞卷积"]:
        assert term in names, f"glossary has no term {term!r}"


def test_search_finds_a_glossary_word(session):
    with session.open("search.html?q=receptive") as visit:
        visit.page.wait_for_selector("#search-results li", timeout=10_000)
        hits = visit.page.locator("#search-results li").all_inner_texts()
        visit.assert_clean()
    assert any("Glossary" in h or "Notation" in h for h in hits), hits


DEMOS = ".widget-subarea, .convlib-demo"
CONTROLS = ".noUi-handle, input[type=range], select, button"


def _operate(control):
    """Move a slider one step, pick another option, or click a button."""
    kind = control.evaluate(
        "e => e.classList.contains('noUi-handle') ? 'handle'"
        " : e.tagName === 'SELECT' ? 'select' : e.type || e.tagName")
    if kind == "handle":
        control.focus()
        control.press("ArrowRight")
    elif kind == "range":
        control.evaluate(
            "e => { e.value < e.max ? e.stepUp() : e.stepDown();"
            " e.dispatchEvent(new Event('input', {bubbles: true}));"
            " e.dispatchEvent(new Event('change', {bubbles: true})); }")
    elif kind == "select":
        options = control.locator("option")
        current = control.input_value()
        values = [options.nth(i).get_attribute("value")
                  for i in range(options.count())]
        control.select_option(next(v for v in values if v != current))
    else:
        control.click()


DEMO_MARKERS = ("application/vnd.jupyter.widget-view+json",
                "convlib-demo")


def frozen_demo_problems(visit):
    """Widgets and demos are live: the page's first demo holding a
    slider, select or button is operated once, at desktop width, and
    must look different afterwards (compared pixel for pixel). [] for a
    page without one (read-only widgets, or none)."""
    visit.page.set_viewport_size({"width": DESKTOP[0],
                                  "height": DESKTOP[1]})
    demos = visit.page.locator(DEMOS)
    operable = [demos.nth(i) for i in range(demos.count())
                if demos.nth(i).locator(CONTROLS).count()]
    if not operable:
        return []
    demo = operable[0]
    demo.scroll_into_view_if_needed()
    before = demo.screenshot()
    _operate(demo.locator(CONTROLS).first)
    visit.page.wait_for_timeout(300)
    if demo.screenshot() == before:
        return ["operating the first demo's control changed nothing"]
    return []


def test_the_book_has_demos():
    """The live-demo check above has something to check: some built
    page holds a widget or a demo."""
    assert any(m in (BUILD_DIR / p).read_text(encoding="utf-8")
               for p in toc_pages() for m in DEMO_MARKERS), (
        "no built page has a widget or a demo")


def test_the_anywidget_demo_computes_in_the_browser(session):
    # book/how_to_use.md embeds an anywidget whose logic is in JavaScript
    with session.open("book/how_to_use.html") as visit:
        demo = visit.page.locator(".output-size-demo")
        result = demo.locator(".output-size-result")
        assert result.inner_text() == "output size = 16"
        kernel = demo.locator("input[data-field=kernel_size]")
        kernel.evaluate("e => { e.value = 7; e.dispatchEvent("
                        "new Event('input', {bubbles: true})); }")
        assert result.inner_text() == "output size = 14"
        visit.assert_clean()


def test_open_page_reports_a_request_to_another_host(session, tmp_path):
    """The guard works: a page that loads from a CDN is caught, not sent."""
    (tmp_path / "index.html").write_text(
        "<!doctype html><title>t</title>"
        "<img src='https://cdn.invalid/x.png'>"
        "<script src='http://example.invalid/x.js'></script>",
        encoding="utf-8")
    with serve(tmp_path) as base, \
            session.open("index.html", base_url=base) as visit:
        problems = check_page(visit)
    assert set(visit.external_requests) == {
        "http://example.invalid/x.js", "https://cdn.invalid/x.png"}
    assert any("image not loaded" in p for p in problems)


def test_check_page_reports_raw_tex_and_undrawn_widgets(session, tmp_path):
    (tmp_path / "index.html").write_text(
        "<!doctype html><title>t</title><p>left: $$x$$ and \\(y\\)</p>"
        "<span class='math'>\\(z\\)</span>"
        "<script type='application/vnd.jupyter.widget-view+json'>"
        "{\"model_id\": \"x\"}</script>",
        encoding="utf-8")
    with serve(tmp_path) as base, \
            session.open("index.html", base_url=base, wait=False) as visit:
        problems = check_page(visit)
    text = "\n".join(problems)
    assert "raw TeX delimiter left in the text: $$" in text
    assert "raw TeX delimiter left in the text: \\(" in text
    assert "no MathJax" in text
    assert "widget view not drawn" in text


# --- Chinese text: the vendored font (book/_vendor/cjk-font) renders it ----

CJK_FAMILY = "CNN Book CJK"  # scripts/cjk_font.py FAMILY
_MARK_TEXT = """probe => {
    const walk = document.createTreeWalker(document.body,
                                           NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
        if (n.data.trim() === probe || (n.data.includes(probe)
            && n.parentElement.closest('p, dt, li'))) {
            const el = n.parentElement;
            el.setAttribute('data-cjk-probe', '');
            return [...el.childNodes].filter(c => c.nodeType === 3)
                .map(c => c.data).join('');
        }
    }
    return null;
}"""
_DRAW = """async ([family, chars]) => {
    await document.fonts.ready;
    const faces = await document.fonts.load(`48px "${family}"`, chars);
    const draw = ch => {
        const c = document.createElement('canvas');
        c.width = 64; c.height = 64;
        const g = c.getContext('2d');
        g.font = `48px "${family}"`;
        g.textBaseline = 'top';
        g.fillText(ch, 8, 8);
        return c.toDataURL();
    };
    return {faces: faces.map(f => [f.family, f.status]),
            images: [...chars].map(draw), tofu: draw('\\ue000')};
}"""


def _platform_fonts(page, selector):
    """The fonts Chromium used for the text of the element (DevTools)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector",
                    {"nodeId": root, "selector": selector})["nodeId"]
    return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]


@pytest.mark.parametrize("page, probe", [
    ("book/glossary.html", "卷积"), ("book/glossary.html", "归一化互相关"),
    ("chapters/01_convolution.html", "卷积核")])
def test_chinese_text_renders_with_the_vendored_font(session, page, probe):
    """Not tofu: the glyphs come from the book's own font, by its name.

    Chromium reports (DevTools CSS.getPlatformFontsForNode) which font drew
    the text: it must be the @font-face family of book/_vendor/cjk-font,
    loaded from the book, with one glyph per Chinese character. Drawn on a
    canvas with that family alone, two characters must differ from each
    other and from a missing glyph (tofu boxes all look the same).
    """
    with session.open(page) as visit:
        text = visit.page.evaluate(_MARK_TEXT, probe)
        assert text is not None, f"no text {probe!r} on {page}"
        fonts = _platform_fonts(visit.page, "[data-cjk-probe]")
        drawn = visit.page.evaluate(_DRAW, [CJK_FAMILY, probe[:2]])
        visit.assert_clean()
    cjk = [f for f in fonts if f["familyName"] == CJK_FAMILY]
    n_cjk = sum(1 for c in text if "\u3000" <= c <= "\u9fff"
                or "\uff00" <= c <= "\uffef")
    assert cjk and cjk[0]["isCustomFont"], f"{probe!r} drawn with {fonts}"
    assert cjk[0]["glyphCount"] == n_cjk, fonts
    assert [CJK_FAMILY, "loaded"] in drawn["faces"]
    first, second = drawn["images"]
    assert first != second and drawn["tofu"] not in (first, second)


# --- the reading and accessibility checks can fail ---------------------------

_BAD_PAGE = """<!doctype html><html lang="en"><title>t</title><main>
<div class="cell"><div class="cell_input"><pre>print(checks)</pre></div>
<div class="cell_output" style="width: 300px">
 <div class="output"><pre>True True
False</pre></div></div></div>
<div class="cell"><div class="cell_output" style="width: 300px">
 <div class="output"><pre style="overflow-x: auto">{wide}</pre></div>
 <div class="output"><pre>fit:  40%|####      | 2/5 [00:01&lt;00:02]</pre></div>
 <div class="widget-hprogress"></div>
 <img src="x.png" alt="../_images/56dd48.png" width="10" height="10">
</div></div>
<div style="width: 900px">a page wider than a phone</div>
<button aria-label="Colour mode">Search</button>
</main></html>"""


def test_the_reading_and_axe_checks_catch_a_bad_page(session, tmp_path):
    (tmp_path / "index.html").write_text(
        _BAD_PAGE.format(wide="x" * 200), encoding="utf-8")
    with serve(tmp_path) as base, \
            session.open("index.html", base_url=base, wait=False) as visit:
        axe = axe_problems(axe_report(visit))
        report = reading_report(visit)
    assert any("label-content-name-mismatch" in p for p in axe), axe
    assert len(report["wide_outputs"]) == 1
    assert report["boolean_outputs"] == ["print(checks)"]
    assert len(report["progress_bars"]) == 2   # a text bar and a widget
    assert report["bad_alt"] == ["x.png"]
    assert report["page_width_390"] > 400
    assert len(reading_problems(report)) == 6
