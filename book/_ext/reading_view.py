"""Sphinx extension: what the reader of the built book sees.

The notebooks keep everything a learner running them in JupyterLab needs;
this extension changes, in the text Sphinx parses (nothing is written
back to the notebooks), what the book shows:

- **The set-up cell is collapsed.** A code cell tagged ``setup-cell``, or
  whose source starts with ``# Set-up: install convlib`` (the marker of
  ``scripts/setup_cell.py``), gets the tag ``hide-input``: the reader sees
  a "Show code cell source" toggle instead of 15 lines of pip.
- **Progress bars are dropped.** ``convlib.train.fit`` shows a
  ``tqdm.auto`` bar, a widget in JupyterLab that the notebook saves. Every
  output that is a progress-bar widget (a progress model, or a box holding
  one, in the notebook's saved widget state), with its models, and every
  tqdm text bar in a stderr stream, is removed from the page.
- **Figures get their alternative text from the cell.** A code cell's
  metadata ``"alt"`` is a sentence (one figure) or a list of sentences
  (one per figure, in output order) saying what the figure shows; it
  becomes the ``alt`` of the image on the page. An image left without an
  alternative text, or a cell whose count of texts and figures differ, is
  a build warning (an error under ``-W``). The Chinese edition takes
  its text from the page's catalogue (scripts/translations.py).
- **On a phone, no output widens the page**: a wider output (a demo drawn
  at a fixed width) scrolls inside its own box (``static/reading_view.css``).
- **The page chrome has honest labels** (WCAG 2.5.3, "label in name"):
  the search buttons and the "Show code cell content" toggles are named by
  their visible text, the colour-mode button's icons no longer carry
  names that differ from the button's, and the bibliography's entries are
  list items of its list (docutils' deprecated ``doc-biblioentry`` role
  left the list without items).

The functions (:func:`prepare_notebook`, :func:`is_progress_output`,
:func:`fix_chrome_labels`) are plain Python so the tests can call them.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

SETUP_TAG = "setup-cell"
SETUP_MARKER = "# Set-up: install convlib"
ALT_KEY = "alt"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
_PROGRESS_MODELS = {"FloatProgressModel", "IntProgressModel"}
# a tqdm text bar: "fit:  40%|####      | 2/5 [00:01<00:02, ...]"
_TQDM_LINE = re.compile(r"^.*\d+%\|.*\|.*$", re.MULTILINE)


def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else str(source)


def is_setup_cell(cell: dict) -> bool:
    """True for the notebook's set-up cell (by tag or by its marker)."""
    return cell.get("cell_type") == "code" and (
        SETUP_TAG in cell.get("metadata", {}).get("tags", [])
        or _text(cell.get("source", "")).lstrip().startswith(SETUP_MARKER))


def _widget_models(notebook: dict) -> dict:
    state = notebook.get("metadata", {}).get("widgets", {}).get(
        WIDGET_STATE, {})
    return state.get("state", {})


def _children(model: dict) -> list[str]:
    children = model.get("state", {}).get("children", [])
    return [c.removeprefix("IPY_MODEL_") for c in children
            if isinstance(c, str)]


def _progress_parts(model_id: str, models: dict) -> set[str] | None:
    """The model ids of a progress-bar widget, or None if it is not one.

    A progress bar is a progress model, or a box (tqdm's HBox) whose
    children include one; its parts are the box, its children and their
    layout and style models.
    """
    model = models.get(model_id)
    if model is None:
        return None
    if model.get("model_name") in _PROGRESS_MODELS:
        parts = {model_id}
    elif any(models.get(c, {}).get("model_name") in _PROGRESS_MODELS
             for c in _children(model)):
        parts = {model_id, *_children(model)}
    else:
        return None
    for part in list(parts):
        state = models.get(part, {}).get("state", {})
        for key in ("layout", "style"):
            ref = state.get(key)
            if isinstance(ref, str) and ref.startswith("IPY_MODEL_"):
                parts.add(ref.removeprefix("IPY_MODEL_"))
    return parts


def is_progress_output(output: dict, models: dict) -> bool:
    """True if a code cell's output is a progress-bar widget."""
    view = output.get("data", {}).get(WIDGET_VIEW)
    return bool(view) and _progress_parts(view.get("model_id", ""),
                                          models) is not None


def _strip_progress(cell: dict, models: dict) -> set[str]:
    """Drop the cell's progress-bar outputs; return their model ids."""
    dropped, kept = set(), []
    for output in cell.get("outputs", []):
        view = output.get("data", {}).get(WIDGET_VIEW)
        parts = (_progress_parts(view.get("model_id", ""), models)
                 if view else None)
        if parts is not None:
            dropped |= parts
            continue
        if output.get("output_type") == "stream" and \
                output.get("name") == "stderr":
            text = _TQDM_LINE.sub("", _text(output.get("text", "")))
            text = re.sub(r"[\r\n]+", "\n", text).lstrip("\n")
            if not text.strip():
                continue
            output = {**output, "text": text}
        kept.append(output)
    cell["outputs"] = kept
    return dropped


def prepare_notebook(notebook: dict) -> dict:
    """The notebook as the book shows it (a changed copy).

    Collapses the set-up cell and removes progress bars (see the module
    docstring); everything else is kept.
    """
    notebook = json.loads(json.dumps(notebook))
    models = _widget_models(notebook)
    dropped = set()
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        if is_setup_cell(cell):
            tags = cell.setdefault("metadata", {}).setdefault("tags", [])
            if "hide-input" not in tags and "hide-cell" not in tags:
                tags.append("hide-input")
        dropped |= _strip_progress(cell, models)
    for model_id in dropped:
        models.pop(model_id, None)
    return notebook


def _source_read(app, docname, source):
    path = app.env.doc2path(docname)
    if not str(path).endswith(".ipynb"):
        return
    try:
        notebook = json.loads(source[0])
    except ValueError:
        return  # not JSON: leave it to the parser to complain
    source[0] = json.dumps(prepare_notebook(notebook), ensure_ascii=False)


# ---- alternative texts ------------------------------------------------

def alt_texts(metadata: dict) -> list[str]:
    """The cell's alternative texts: ``"alt"`` as a list of sentences."""
    alt = metadata.get(ALT_KEY, [])
    return [alt] if isinstance(alt, str) else list(alt)


def _translator(app, docname):
    """gettext of `docname`'s catalogue in the book's language (the
    Chinese edition), or no change for English. The alternative texts
    are set after Sphinx's own translation pass, so they are translated
    here, from the same catalogue."""
    language = app.config.language or "en"
    if language == "en":
        return lambda text: text
    from sphinx.locale import init as init_locale
    from sphinx.util.i18n import docname_to_domain

    dirs = [str(Path(app.srcdir, folder))
            for folder in app.config.locale_dirs]
    catalog, _ = init_locale(dirs, language, docname_to_domain(
        docname, app.config.gettext_compact))
    return catalog.gettext


def _set_alt_texts(app, doctree):
    from docutils import nodes
    from sphinx.util import logging as sphinx_logging

    logger = sphinx_logging.getLogger(__name__)
    translate = _translator(app, app.env.docname)
    in_cells = set()
    for cell in doctree.findall(nodes.container):
        if cell.get("nb_element") != "cell_code":
            continue
        images = list(cell.findall(nodes.image))
        in_cells.update(map(id, images))
        texts = alt_texts(cell.get("cell_metadata", {}))
        if (images or texts) and len(images) != len(texts):
            logger.warning(
                "cell %s has %d figure(s) but %d alternative text(s) in its "
                "metadata %r", cell.get("cell_index"), len(images),
                len(texts), ALT_KEY, location=cell,
                type="reading_view", subtype="alt")
        for image, text in zip(images, texts):
            image["alt"] = translate(text)
    for image in doctree.findall(nodes.image):
        if id(image) not in in_cells and not image.get("alt", "").strip():
            logger.warning(
                "figure %s has no alternative text (a code cell's figure: "
                "metadata %r; a Markdown figure: its :alt: or ![alt](...))",
                image.get("uri"), ALT_KEY, location=image,
                type="reading_view", subtype="alt")


# ---- the page chrome ----------------------------------------------------

_CHROME_FIXES = [
    # search buttons: named by their visible text ("Search Ctrl+K"), in
    # either language ("搜索" in the Chinese edition)
    (re.compile(r'(<button[^>]*\bsearch-button__button\b[^>]*?)'
                r'\s+aria-label="[^"]*"'), r"\1"),
    # "Show code cell content": named by its visible text
    (re.compile(r'(<summary\b[^>]*?)\s+aria-label="[^"]*"'), r"\1"),
    # colour-mode icons: decorative, the button is named "Color mode"
    (re.compile(r'(<i class="theme-switch [^"]*" data-mode="\w+")'
                r'\s+title="[^"]*"'), r'\1 aria-hidden="true"'),
    # bibliography entries are items of the citation list
    (re.compile(r'role="doc-biblioentry"'), 'role="listitem"'),
]


def fix_chrome_labels(html: str) -> str:
    """The page with the chrome's accessible names fixed (see above)."""
    for pattern, replacement in _CHROME_FIXES:
        html = pattern.sub(replacement, html)
    return html


def _wrap_renderer(app):
    templates = getattr(app.builder, "templates", None)
    if templates is None or getattr(templates, "_reading_view", False):
        return
    render = templates.render

    def render_fixed(template, context):
        text = render(template, context)
        return fix_chrome_labels(text) if template.endswith(".html") \
            else text

    templates.render = render_fixed
    templates._reading_view = True


def _add_static(app, config):
    static = str(Path(__file__).parent / "static")
    if static not in config.html_static_path:
        config.html_static_path.append(static)


def setup(app):
    app.connect("config-inited", _add_static)
    app.add_css_file("reading_view.css")
    app.connect("source-read", _source_read)
    app.connect("doctree-read", _set_alt_texts)
    app.connect("builder-inited", _wrap_renderer)
    return {"version": "1.0", "parallel_read_safe": True,
            "parallel_write_safe": True}
