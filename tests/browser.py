"""Open pages of the built book in a real headless Chromium, offline.

This module is a helper for the tests, not a test file. It serves
``_build/html`` from a local HTTP server on 127.0.0.1, drives Debian's
Chromium (``/usr/bin/chromium``, or ``$CHROMIUM``) through Playwright, and
for every page records what a reader would suffer from:

- every request to a host other than 127.0.0.1/localhost (aborted, so
  nothing ever leaves the machine);
- local requests that failed or answered 4xx/5xx (a missing font, image...);
- JavaScript console errors and uncaught page errors.

Typical use in a test that drives a demo (build the book first)::

    from browser import open_page

    def test_stride_select_changes_the_output():
        with open_page("chapters/01_convolution.html") as visit:
            page = visit.page                      # a Playwright Page
            demo = page.locator(".convlib-window-stepper").first
            demo.locator("[data-field='stride']").select_option("2")
            assert demo.locator(".cl-output td").count() == 4
            visit.assert_clean()                   # no errors, no net

``open_page`` waits until the page is loaded, MathJax has finished and every
embedded widget view has been drawn (or a timeout passes). Several pages can
share one browser with :func:`browser_session`::

    with browser_session() as session:
        for rel in ["book/intro.html", "book/notation.html"]:
            with session.open(rel) as visit:
                assert not visit.problems()

:func:`check_page` runs the generic checks of ``tests/test_browser.py``
(maths typeset, images loaded, widgets drawn) on an open visit and returns
a list of problems. If Chromium or the built book is missing, everything
here raises :class:`BrowserSetupError` — tests fail, they are never skipped.
"""
from __future__ import annotations

import contextlib
import functools
import http.server
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
BUILD_DIR = Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu",
    "--disable-background-networking", "--disable-quic", "--no-first-run",
    "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
LOCAL_SCHEMES = {"data", "blob", "about", "file", "chrome-error"}
# Chromium asks for /favicon.ico by itself; a missing one hurts no reader.
IGNORED_LOCAL_404 = {"/favicon.ico"}
WIDGET_TIMEOUT_MS = 15_000


class BrowserSetupError(RuntimeError):
    """Chromium, Playwright or the built book is not there."""


def toc_files(root: Path = ROOT) -> list[str]:
    """Every document of ``_toc.yml`` (root first), as written there."""
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    walk(toc.get("sections"))
    return [str(Path(f).with_suffix("")) if Path(f).suffix in
            (".md", ".ipynb") else f for f in files]


def toc_pages(root: Path = ROOT) -> list[str]:
    """The HTML page (relative to ``_build/html``) of every toc document."""
    return [f"{f}.html" for f in toc_files(root)]


def require_build(build_dir: Path = BUILD_DIR) -> Path:
    """Return the build directory, or raise if the book was not built."""
    if not (Path(build_dir) / "index.html").is_file():
        raise BrowserSetupError(
            f"no built book at {build_dir}: build it first with "
            "`jupyter-book build . -W -n --keep-going` (make book)")
    return Path(build_dir)


def require_chromium(path: str = CHROMIUM) -> str:
    """Return the Chromium executable, or raise with how to install it."""
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise BrowserSetupError(
            f"Chromium not found at {path!r}. The browser tests need "
            "Debian's chromium: `apt-get install -y chromium` (or set "
            "$CHROMIUM to another Chromium executable). They never "
            "download a browser.")
    return path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - stdlib name
        pass


@contextlib.contextmanager
def serve(directory: Path = BUILD_DIR):
    """Serve ``directory`` on 127.0.0.1 (a free port); yield the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Visit:
    """One opened page and what went wrong while it loaded and ran.

    Attributes: ``page`` (Playwright Page), ``url``, ``external_requests``
    (URLs to other hosts, all aborted), ``failed_requests`` (local loads
    that failed or got an HTTP error), ``console_errors``, ``page_errors``.
    """

    page: object
    url: str
    external_requests: list = field(default_factory=list)
    failed_requests: list = field(default_factory=list)
    console_errors: list = field(default_factory=list)
    page_errors: list = field(default_factory=list)

    def problems(self) -> list[str]:
        """Network and JavaScript problems recorded so far."""
        return ([f"request to another host: {u}"
                 for u in self.external_requests]
                + [f"failed local request: {u}" for u in self.failed_requests]
                + [f"console error: {m}" for m in self.console_errors]
                + [f"page error: {m}" for m in self.page_errors])

    def assert_clean(self):
        """Fail (AssertionError) if :meth:`problems` is not empty."""
        problems = self.problems()
        assert not problems, f"{self.url}:\n  " + "\n  ".join(problems)


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return (parts.scheme in LOCAL_SCHEMES
            or (parts.hostname or "") in LOCAL_HOSTS)


class Session:
    """A browser and a local server for the book; open pages with it."""

    def __init__(self, browser, base_url: str):
        self.browser = browser
        self.base_url = base_url

    @contextlib.contextmanager
    def open(self, relative_path: str, wait: bool = True,
             viewport=(1280, 900), base_url: str | None = None):
        """Open ``relative_path`` (e.g. "book/intro.html"); yield a Visit.

        With ``wait`` (default) returns once the page has loaded, MathJax
        has typeset it and every widget view is drawn (or the wait timed
        out — the checks then report what is missing). ``base_url``
        (from :func:`serve`) opens a page of another directory with the
        same browser.
        """
        context = self.browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]},
            service_workers="block")
        page = context.new_page()
        visit = Visit(page=page,
                      url=(base_url or self.base_url) + relative_path)

        def route(route_, request):
            if _is_local(request.url):
                route_.continue_()
            else:
                visit.external_requests.append(request.url)
                route_.abort("blockedbyclient")

        def on_response(response):
            path = urlsplit(response.url).path
            if (response.status >= 400 and _is_local(response.url)
                    and path not in IGNORED_LOCAL_404):
                visit.failed_requests.append(f"{response.status} {path}")

        def on_failed(request):
            if _is_local(request.url):
                visit.failed_requests.append(
                    f"{request.failure} {urlsplit(request.url).path}")

        def on_console(message):
            if message.type == "error":
                text = message.text
                # the aborts above are already in external_requests
                if "ERR_BLOCKED_BY_CLIENT" in text:
                    return
                if ("404" in text and "Failed to load resource" in text
                        and any(p in (message.location or {}).get("url", "")
                                for p in IGNORED_LOCAL_404)):
                    return
                visit.console_errors.append(text)

        page.route("**/*", route)
        page.on("response", on_response)
        page.on("requestfailed", on_failed)
        page.on("console", on_console)
        page.on("pageerror", lambda exc: visit.page_errors.append(str(exc)))
        try:
            page.goto(visit.url, wait_until="load")
            if wait:
                wait_until_ready(page)
            yield visit
        finally:
            context.close()


def wait_until_ready(page, timeout_ms: int = WIDGET_TIMEOUT_MS):
    """Wait for MathJax to finish and for every widget view to be drawn."""
    page.evaluate(
        "() => (window.MathJax && MathJax.startup && MathJax.startup.promise)"
        " ? MathJax.startup.promise.then(() => true) : true")
    try:
        page.wait_for_function(_WIDGETS_DRAWN_JS, timeout=timeout_ms)
    except Exception:  # the check reports which views are missing
        pass
    page.evaluate(
        "() => (window.MathJax && MathJax.startup && MathJax.startup.promise)"
        " ? MathJax.startup.promise.then(() => true) : true")


# True when every embedded widget view has a drawn, non-empty sibling.
_WIDGETS_DRAWN_JS = """() => {
  const views = document.querySelectorAll(
    'script[type="application/vnd.jupyter.widget-view+json"]');
  for (const v of views) {
    const area = v.previousElementSibling;
    if (!area || !area.classList.contains('widget-subarea')) return false;
    const r = area.getBoundingClientRect();
    if (area.children.length === 0 || r.height === 0) return false;
  }
  return true;
}"""

_PAGE_REPORT_JS = """async () => {
  // make lazy images load now
  for (const img of document.images) img.loading = 'eager';
  const t0 = Date.now();
  while (Date.now() - t0 < 5000 &&
         [...document.images].some(i => !i.complete)) {
    await new Promise(r => setTimeout(r, 50));
  }
  const report = {};
  report.brokenImages = [...document.images]
    .filter(i => !(i.complete && i.naturalWidth > 0))
    .map(i => i.getAttribute('src'));
  report.mathSources = document.querySelectorAll(
    '.math, span.math, div.math').length;
  report.mathTypeset = document.querySelectorAll('mjx-container').length;
  report.mathErrors = [...document.querySelectorAll('mjx-merror')]
    .map(e => e.getAttribute('data-mjx-error') || e.textContent);
  report.hasMathJax = !!(window.MathJax && MathJax.startup);
  const clone = document.body.cloneNode(true);
  for (const e of clone.querySelectorAll(
      'pre, code, script, style, textarea, mjx-container, .highlight'))
    e.remove();
  const text = clone.textContent;
  report.rawMath = ['\\\\(', '\\\\)', '\\\\[', '\\\\]', '$$']
    .filter(s => text.includes(s));
  const views = [...document.querySelectorAll(
    'script[type="application/vnd.jupyter.widget-view+json"]')];
  report.widgetViews = views.length;
  report.undrawnWidgets = views.filter(v => {
    const area = v.previousElementSibling;
    return !area || !area.classList.contains('widget-subarea') ||
      area.children.length === 0 || area.getBoundingClientRect().height === 0;
  }).map(v => v.textContent.slice(0, 120));
  // convlib's HTML+JS demos: a .convlib-demo root that its script fills
  report.undrawnDemos = [...document.querySelectorAll('.convlib-demo')]
    .filter(e => [...e.children].every(c => c.tagName === 'NOSCRIPT') ||
                 e.getBoundingClientRect().height === 0)
    .map(e => e.id || e.className);
  report.loadingText = /Loading widget/i.test(document.body.innerText);
  report.emptyWidgetPlaceholders = [...document.querySelectorAll(
    '.jupyter-widgets')].filter(e =>
      e.children.length === 0 && e.textContent.trim() === '' &&
      e.getBoundingClientRect().height === 0 &&
      !e.closest('.widget-subarea')).length;
  return report;
}"""


def page_report(visit: Visit) -> dict:
    """Raw facts about the open page (maths, images, widgets)."""
    return visit.page.evaluate(_PAGE_REPORT_JS)


def check_page(visit: Visit) -> list[str]:
    """Everything wrong with an open page, as readable strings.

    Maths typeset (MathJax output present for every ``.math`` element, no
    ``mjx-merror``, no raw ``\\(``/``\\[``/``$$`` left in the text), every
    image loaded, every widget view and every ``.convlib-demo`` drawn
    (convlib's HTML+JS demos), no "Loading widget" text,
    plus :meth:`Visit.problems` (network, console, page errors).
    """
    r = page_report(visit)
    problems = []
    if r["mathSources"]:
        if not r["hasMathJax"]:
            problems.append(f"{r['mathSources']} maths elements but no "
                            "MathJax on the page")
        elif r["mathTypeset"] < r["mathSources"]:
            problems.append(f"maths not typeset: {r['mathTypeset']} MathJax "
                            f"outputs for {r['mathSources']} maths elements")
    problems += [f"MathJax error: {e}" for e in r["mathErrors"]]
    problems += [f"raw TeX delimiter left in the text: {s}"
                 for s in r["rawMath"]]
    problems += [f"image not loaded: {s}" for s in r["brokenImages"]]
    problems += [f"widget view not drawn: {s}" for s in r["undrawnWidgets"]]
    problems += [f"demo not drawn: {s}" for s in r["undrawnDemos"]]
    if r["loadingText"]:
        problems.append("'Loading widget' text left on the page")
    if r["emptyWidgetPlaceholders"]:
        problems.append(f"{r['emptyWidgetPlaceholders']} empty "
                        ".jupyter-widgets placeholders")
    return problems + visit.problems()


@contextlib.contextmanager
def browser_session(build_dir: Path = BUILD_DIR):
    """Start the local server and headless Chromium; yield a Session."""
    build_dir = require_build(build_dir)
    executable = require_chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - in requirements.txt
        raise BrowserSetupError(f"playwright is not installed: {exc}")
    with serve(build_dir) as base_url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable,
                                    args=CHROMIUM_ARGS, headless=True)
        try:
            yield Session(browser, base_url)
        finally:
            browser.close()


@contextlib.contextmanager
def open_page(relative_path: str, build_dir: Path = BUILD_DIR, **kwargs):
    """Open one built page in a fresh browser; yield a :class:`Visit`.

    Starts its own browser: inside a ``with browser_session()`` block use
    ``session.open(...)`` instead (Playwright allows one at a time).

    ``relative_path`` is relative to ``_build/html``, e.g.
    ``"chapters/01_convolution.html"``. ``visit.page`` is a Playwright
    Page: click, fill, ``locator(...)``, ``screenshot(path=...)``.
    Requests to other hosts are aborted and listed in
    ``visit.external_requests``; call ``visit.assert_clean()`` at the end.
    """
    with browser_session(build_dir) as session:
        with session.open(relative_path, **kwargs) as visit:
            yield visit


def screenshot(relative_path: str, path: str, full_page: bool = True,
               build_dir: Path = BUILD_DIR) -> list[str]:
    """Save a PNG of a built page; return the problems found on it."""
    with open_page(relative_path, build_dir) as visit:
        problems = check_page(visit)
        visit.page.screenshot(path=path, full_page=full_page)
        return problems


if __name__ == "__main__":  # python tests/browser.py PAGE.html OUT.png
    import sys

    started = time.time()
    found = screenshot(sys.argv[1], sys.argv[2])
    print("\n".join(found) or "no problems",
          f"({time.time() - started:.1f} s)")
