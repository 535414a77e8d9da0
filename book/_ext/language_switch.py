"""Sphinx extension: every page links to its twin in the other language.

The English book is at the site's root and the Chinese edition (中文版,
built from the same sources by scripts/translations.py) in ``zh/``, with
the same page names, so the twin of ``chapters/01_convolution.html`` is
``zh/chapters/01_convolution.html`` and back. The link sits at the top
of the article, in the language it leads to (``lang``/``hreflang``, so a
screen reader pronounces it right), and each page's head names its twin
as an alternate (``<link rel="alternate" hreflang>``).

:func:`twin` is plain Python so the tests can call it.
"""
from __future__ import annotations

from html import escape

ZH_LANGUAGE = "zh_CN"
ZH_FOLDER = "zh"
# (hreflang, the link's words) of the edition a page links to.
_OTHER = {"en": ("zh-CN", "中文版"), ZH_LANGUAGE: ("en", "English")}


def twin(pagename: str, language: str) -> str:
    """The relative URL of page `pagename`'s twin in the other edition."""
    up = "../" * pagename.count("/")
    if language == ZH_LANGUAGE:
        return "../" + up + pagename + ".html"
    return up + ZH_FOLDER + "/" + pagename + ".html"


def switch_html(pagename: str, language: str) -> str:
    """The link shown at the top of the article."""
    hreflang, words = _OTHER.get(language, _OTHER["en"])
    href = escape(twin(pagename, language))
    return (f'<p class="language-switch"><a href="{href}" '
            f'hreflang="{hreflang}" lang="{hreflang}">{words}</a></p>\n')


def _add_switch(app, pagename, templatename, context, doctree):
    if doctree is None:           # search, genindex: no twin page
        return
    language = app.config.language or "en"
    context["body"] = switch_html(pagename, language) + context.get(
        "body", "")
    hreflang, _ = _OTHER.get(language, _OTHER["en"])
    href = escape(twin(pagename, language))
    context["metatags"] = context.get("metatags", "") + (
        f'\n<link rel="alternate" hreflang="{hreflang}" href="{href}">')


def setup(app):
    # reading_view adds book/_ext/static, where language_switch.css lives
    app.setup_extension("reading_view")
    app.add_css_file("language_switch.css")
    app.connect("html-page-context", _add_switch)
    return {"version": "1.0", "parallel_read_safe": True,
            "parallel_write_safe": True}
