"""Demos in headless chromium for the widget tests (tests/test_widget*.py).

`demo_page` opens one page with the shared kit and some demo scripts loaded
(Debian's chromium, ``$CHROMIUM`` to change it); `mount` draws a demo on a
page either as its plain HTML fallback or as the widget's ES module,
rendered with a stand-in for anywidget's model, as JupyterLab and the
static book do.
"""
import contextlib
import os

from playwright.sync_api import sync_playwright

from convlib.widgets import script_source

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

_RENDER_ESM = """async ([esm, config]) => {
    const url = URL.createObjectURL(
        new Blob([esm], {type: "text/javascript"}));
    const widget = (await import(url)).default;
    const model = {get: key => config[key], on() {}};
    widget.render({model, el: document.getElementById("el")});
}"""


@contextlib.contextmanager
def demo_page(*scripts, body=""):
    """A chromium page holding `body`, with kit.js and `scripts` loaded."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.set_content(f"<!doctype html><body>{body}</body>")
            for name in ("kit.js",) + scripts:
                page.add_script_tag(content=script_source(name))
            yield page
        finally:
            browser.close()


def mount(page, demo, how="html", selector=".convlib-demo"):
    """Draw `demo` in a fresh page ('html': its fallback, else its ES
    module); return the locator of its root element."""
    if how == "html":
        page.set_content("<!doctype html><body>" + demo.fallback_html()
                         + "</body>")
    else:
        page.set_content("<!doctype html><body><div id='el'></div></body>")
        page.evaluate(_RENDER_ESM, [demo._esm, {"config": demo.config}])
    return page.locator(selector).first
