"""Sphinx extension: the built book must load nothing from another host.

After an HTML build, every page and every stylesheet in the output is
scanned for resources the browser would fetch: ``<script src>``,
``<link rel="stylesheet|preload|icon|..." href>``, ``<img src>``,
``srcset``, ``<iframe>``/``<source>``/``<video>``/``<audio>``/``<embed>``/
``<object>``, and CSS ``url(...)``/``@import`` (in .css files, ``<style>``
blocks and ``style=`` attributes). Any such URL pointing at another host
(``http:``, ``https:``, ``ftp:`` or protocol-relative ``//host``) is
reported as a Sphinx warning, so ``jupyter-book build -W`` fails.
Hyperlinks (``<a href>``) are not loads and are allowed.

It also writes every warning of the build to ``sphinx-warnings.log`` next
to the output directory (``_build/sphinx-warnings.log``), empty when there
were none, so the tests can check the log of the build they test. And it
removes sphinx-thebe's scripts from the pages (see :func:`_drop_thebe`).

Loads made by JavaScript at run time cannot be seen statically;
``tests/test_browser.py`` catches those in a real browser.

The scanning functions (:func:`external_loads_in_html`,
:func:`external_loads_in_css`, :func:`scan_output`) are plain Python so the
tests can call them on ``_build/html`` too.
"""
from __future__ import annotations

import logging
import re
from html.parser import HTMLParser
from pathlib import Path

_EXTERNAL = re.compile(r"^\s*(?:https?:|ftp:|//)", re.IGNORECASE)
_CSS_URL = re.compile(
    r"""(?:url\(\s*["']?([^"')]+)["']?\s*\)|@import\s+["']([^"']+)["'])""",
    re.IGNORECASE,
)
_LOAD_ATTRS = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
    "image": ("href", "xlink:href"),  # SVG <image>
}
_LOAD_RELS = {
    "stylesheet", "preload", "modulepreload", "prefetch", "icon",
    "shortcut", "apple-touch-icon", "manifest", "preconnect",
    "dns-prefetch",
}


def is_external(url: str) -> bool:
    """True if the browser would fetch ``url`` from another host."""
    return bool(_EXTERNAL.match(url))


def external_loads_in_css(text: str) -> list[str]:
    """External URLs that CSS ``text`` loads (``url()`` and ``@import``)."""
    found = []
    for match in _CSS_URL.finditer(text):
        url = match.group(1) or match.group(2)
        if is_external(url):
            found.append(url.strip())
    return found


class _LoadFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        urls = [attrs.get(name, "") for name in _LOAD_ATTRS.get(tag, ())]
        if tag == "link":
            rels = set(attrs.get("rel", "").lower().split())
            if rels & _LOAD_RELS:
                urls.append(attrs.get("href", ""))
        for url in urls:
            # srcset holds "url size, url size"; test every candidate
            for candidate in url.split(","):
                candidate = candidate.strip().split(" ")[0]
                if candidate and is_external(candidate):
                    self.found.append(f"<{tag}> {candidate}")
        if "style" in attrs:
            self.found += [f"<{tag} style> {u}"
                           for u in external_loads_in_css(attrs["style"])]
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.found += [f"<style> {u}" for u in external_loads_in_css(data)]


def external_loads_in_html(text: str) -> list[str]:
    """Descriptions ("<tag> url") of external resources an HTML page loads."""
    finder = _LoadFinder()
    finder.feed(text)
    finder.close()
    return finder.found


def scan_output(outdir: str | Path) -> dict[str, list[str]]:
    """Map each .html/.css file under ``outdir`` to its external loads."""
    outdir = Path(outdir)
    problems = {}
    for path in sorted(outdir.rglob("*")):
        if path.suffix not in (".html", ".css") or not path.is_file():
            continue
        if "_sources" in path.relative_to(outdir).parts:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".html":
            found = external_loads_in_html(text)
        else:
            found = external_loads_in_css(text)
        if found:
            problems[str(path.relative_to(outdir))] = found
    return problems


WARNINGS_LOG = "sphinx-warnings.log"


class _WarningCollector(logging.Handler):
    """Keeps every warning (and error) the build logs, as text lines."""

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record):
        location = getattr(record, "location", None)
        if location is not None and not isinstance(location, (str, tuple)):
            from sphinx.util.logging import get_node_location

            location = get_node_location(location)
        elif isinstance(location, tuple):
            location = ":".join(str(x) for x in location if x is not None)
        prefix = f"{location}: " if location else ""
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is still a warning
            message = str(record.msg)
        line = f"{prefix}{record.levelname}: {message}"
        if line not in self.lines:  # pending warnings are handled twice
            self.lines.append(line)


def _write_warnings(app, exception):
    collector = app.offline_book_warnings
    log = Path(app.outdir).parent / WARNINGS_LOG
    lines = list(collector.lines)
    if exception is not None:
        lines.append(f"ERROR: build failed: {exception!r}")
    log.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def _check_build(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    from sphinx.util import logging as sphinx_logging

    logger = sphinx_logging.getLogger(__name__)
    for rel, found in scan_output(app.outdir).items():
        for item in found:
            logger.warning(
                "page loads a resource from another host: %s", item,
                location=rel, type="offline_book", subtype="external_load",
            )


def _drop_thebe(app, pagename, templatename, context, doctree):
    """Remove sphinx-thebe's scripts and stylesheet from every page.

    Jupyter Book always loads sphinx-thebe; with ``launch_buttons.thebe``
    off they do nothing but declare ``THEBE_JS_URL`` (a CDN URL) twice,
    which is a JavaScript error ("Identifier ... has already been
    declared") on every page.
    """
    def is_thebe(asset):
        body = getattr(asset, "attributes", {}).get("body", "") or ""
        name = getattr(asset, "filename", None) or str(asset)
        return "THEBE_JS_URL" in body or "sphinx-thebe" in name

    for key in ("script_files", "css_files"):
        if key in context:
            context[key][:] = [a for a in context[key] if not is_thebe(a)]


def setup(app):
    app.offline_book_warnings = _WarningCollector()
    logging.getLogger("sphinx").addHandler(app.offline_book_warnings)
    app.connect("html-page-context", _drop_thebe, priority=900)
    app.connect("build-finished", _check_build, priority=500)
    app.connect("build-finished", _write_warnings, priority=990)
    return {"version": "1.0", "parallel_read_safe": True,
            "parallel_write_safe": True}
