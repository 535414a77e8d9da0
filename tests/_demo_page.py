"""Demos in headless chromium for the widget tests (tests/test_widget*.py).

`demo_page` opens one page with the shared kit (its palette and string
table put in) and every demo script loaded (Debian's chromium,
``$CHROMIUM`` to change it); tests get it as the `page` fixture of
tests/conftest.py. `mount` draws a demo on a page either as its plain
HTML fallback or as the widget's ES module, rendered with a stand-in for
anywidget's model, as JupyterLab and the static book do.
"""
import contextlib
import os

from playwright.sync_api import sync_playwright

from convlib.widgets import Demo, script_source
from convlib.widgets._demo import kit_source

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def _demo_classes():
    found, todo = set(), list(Demo.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        found.add(cls)
    return found


def demo_scripts():
    """The script of every demo class, sorted."""
    return sorted({cls.script for cls in _demo_classes()})


def kit_parts():
    """The optional parts of the kit the demos load (kit_nn.js), sorted."""
    return sorted({part for cls in _demo_classes() for part in
                   cls.kit_parts})

_RENDER_ESM = """async ([esm, config]) => {
    const url = URL.createObjectURL(
        new Blob([esm], {type: "text/javascript"}));
    const widget = (await import(url)).default;
    const model = {get: key => config[key], on() {}};
    widget.render({model, el: document.getElementById("el")});
}"""


@contextlib.contextmanager
def demo_page(body="<div id='el'></div>", lang="en"):
    """A chromium page holding `body` in language `lang`, with the kit,
    its optional parts and every demo script loaded."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.set_content(f"<!doctype html><html lang='{lang}'><body>"
                             f"{body}</body></html>")
            page.add_script_tag(content=kit_source(demo_scripts()))
            for name in kit_parts() + demo_scripts():
                page.add_script_tag(content=script_source(name))
            yield page
        finally:
            browser.close()


def mount(page, demo, how="html", selector=".convlib-demo"):
    """Draw `demo` in a fresh page in the same language ('html': its
    fallback, else its ES module); return the locator of its root
    element."""
    lang = page.evaluate("document.documentElement.lang") or "en"
    start = f"<!doctype html><html lang='{lang}'><body>"
    if how == "html":
        page.set_content(start + demo.fallback_html() + "</body></html>")
    else:
        page.set_content(start + "<div id='el'></div></body></html>")
        page.evaluate(_RENDER_ESM, [demo._esm, {"config": demo.config}])
    return page.locator(selector).first
