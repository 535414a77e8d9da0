"""What the reader sees: the book's extension and the notebooks' own rules.

The browser side (every built page opened, outputs measured at 1280 px and
390 px, axe-core) is in tests/test_browser.py with tests/reading.py. Here:
book/_ext/reading_view.py on notebooks (set-up cell collapsed, progress bars
dropped, alternative texts, chrome labels) and the rules the notebooks keep
in their sources (README, "Reading rules").
"""
import ast
import json
import re
import sys
from pathlib import Path

import nbformat
import pytest

from reading import is_file_name

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import reading_view  # noqa: E402  (book/_ext/reading_view.py)

CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
NOTEBOOKS = (CHAPTERS + sorted((ROOT / "book").glob("*.ipynb"))
             + sorted((ROOT / "exercises").glob("*.ipynb"))
             + sorted((ROOT / "exercises" / "source").glob("*.ipynb")))
IMAGES = ("image/png", "image/svg+xml", "image/jpeg")
REMOVED = {"remove-input", "remove-cell", "remove_input", "remove_cell"}


def _code_cells(path):
    nb = nbformat.read(path, as_version=4)
    return [c for c in nb.cells if c.cell_type == "code"]


def _figures(cell):
    return sum(1 for o in cell.get("outputs", [])
               if any(m in o.get("data", {}) for m in IMAGES))


def _name(path):
    return str(path.relative_to(ROOT))


# --- the set-up cell ---------------------------------------------------------

def _cell(source, tags=(), outputs=()):
    return {"cell_type": "code", "source": source, "execution_count": 1,
            "metadata": {"tags": list(tags)} if tags else {},
            "outputs": list(outputs)}


def test_the_setup_cell_is_collapsed_by_marker_or_tag():
    nb = {"metadata": {}, "cells": [
        _cell("# Set-up: install convlib if it is missing\nimport convlib"),
        _cell("import numpy", tags=["setup-cell"]),
        _cell("print(1)")]}
    shown = reading_view.prepare_notebook(nb)
    tags = [c["metadata"].get("tags", []) for c in shown["cells"]]
    assert tags == [["hide-input"], ["setup-cell", "hide-input"], []]
    assert nb["cells"][0]["metadata"] == {}  # the input is not changed


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS
                                  if p.parent.name in ("chapters", "book")],
                         ids=_name)
def test_every_chapter_set_up_cell_is_recognised(path):
    first = _code_cells(path)[0]
    assert reading_view.is_setup_cell(first), (
        f"{_name(path)}: the first code cell is not the set-up cell the "
        "book collapses")


# --- progress bars -----------------------------------------------------------

@pytest.fixture(scope="module")
def trained_notebook(tmp_path_factory):
    """A notebook that ran convlib.train.fit with its progress bar."""
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import numpy as np, torch\n"
        "from convlib import data, train\n"
        "ds = data.Dataset(np.zeros((8, 3), 'f'), np.arange(8) % 2,\n"
        "                  np.zeros((4, 3), 'f'), np.arange(4) % 2,\n"
        "                  classes=('a', 'b'))\n"
        "h = train.fit(torch.nn.Linear(3, 2), ds, epochs=2)\n"
        "print('epochs:', len(h))")]
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(
                       tmp_path_factory.mktemp("nb"))}}).execute()
    return json.loads(nbformat.writes(nb))


def test_the_notebook_keeps_its_progress_bar(trained_notebook):
    # what JupyterLab shows: the saved bar, a widget with its state
    outputs = trained_notebook["cells"][0]["outputs"]
    models = reading_view._widget_models(trained_notebook)
    assert sum(reading_view.is_progress_output(o, models)
               for o in outputs) == 1
    names = {m["model_name"] for m in models.values()}
    assert "FloatProgressModel" in names or "IntProgressModel" in names


def test_the_book_drops_the_progress_bar(trained_notebook):
    shown = reading_view.prepare_notebook(trained_notebook)
    outputs = shown["cells"][0]["outputs"]
    models = reading_view._widget_models(shown)
    assert not any(reading_view.is_progress_output(o, models)
                   for o in outputs)
    assert [reading_view._text(o.get("text", "")) for o in outputs] == [
        "epochs: 2\n"]
    assert not {m["model_name"] for m in models.values()} & {
        "FloatProgressModel", "IntProgressModel", "HBoxModel"}


def test_tqdm_text_bars_go_and_other_stderr_stays():
    bar = ("fit:  50%|#####     | 1/2 [00:00<00:00, 9.1epoch/s]\r"
           "fit: 100%|##########| 2/2 [00:00<00:00, 9.3epoch/s]\n")
    nb = {"metadata": {}, "cells": [_cell("train.fit(...)", outputs=[
        {"output_type": "stream", "name": "stderr", "text": bar},
        {"output_type": "stream", "name": "stderr",
         "text": bar + "UserWarning: something\n"},
        {"output_type": "stream", "name": "stdout", "text": "50%|x| no\n"},
    ])]}
    outputs = reading_view.prepare_notebook(nb)["cells"][0]["outputs"]
    assert [o["text"] for o in outputs] == ["UserWarning: something\n",
                                            "50%|x| no\n"]


# --- alternative texts -------------------------------------------------------

@pytest.mark.parametrize("alt, bad", [
    ("", True), ("   ", True), ("../_images/56dd48ab.png", True),
    ("figure.svg", True), ("56dd48ab9e0f1c2d3e4f", True), ("plot", True),
    ("Three grids: the padded input with the window, the kernel, and the "
     "output so far.", False),
    ("三幅图像：黑底上的一个白色正方形和一个白色圆盘。", False)])
def test_is_file_name(alt, bad):
    assert is_file_name(alt) is bad


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_name)
def test_every_figure_has_an_alternative_text(path):
    """A sentence per figure in the cell's metadata "alt" (see README)."""
    problems = []
    for i, cell in enumerate(_code_cells(path)):
        texts = reading_view.alt_texts(cell.metadata)
        if len(texts) != _figures(cell):
            problems.append(f"code cell {i}: {_figures(cell)} figure(s), "
                            f"{len(texts)} alt text(s)")
        problems += [f"code cell {i}: alt text {t!r} is not a sentence"
                     for t in texts
                     if is_file_name(t) or len(t.split()) < 6]
    assert not problems, f"{_name(path)}:\n  " + "\n  ".join(problems)


# --- what the reader does not see --------------------------------------------

def _tags(cell):
    return set(cell.metadata.get("tags", []))


@pytest.mark.parametrize("path", CHAPTERS + [ROOT / "book" /
                                             "how_to_use.ipynb"], ids=_name)
def test_assertions_live_in_cells_the_book_removes(path):
    shown = [i for i, c in enumerate(_code_cells(path))
             if not _tags(c) & REMOVED
             and any(isinstance(n, ast.Assert)
                     for n in ast.walk(ast.parse(_python(c.source))))]
    assert not shown, (f"{_name(path)}: code cells {shown} show an assert "
                       "to the reader: move it to a cell tagged "
                       "remove-input (or remove-cell)")


def _python(source):
    # IPython magics and shell lines are not Python
    return "\n".join("" if re.match(r"\s*[%!]", line) else line
                     for line in source.splitlines())


@pytest.mark.parametrize("path", CHAPTERS, ids=_name)
def test_figures_are_shown_through_the_book_rules(path):
    """Figure cells end with convlib.plot.show, which checks the figure."""
    missing = [i for i, c in enumerate(_code_cells(path))
               if _figures(c) and "plot.show(" not in c.source]
    assert not missing, (f"{_name(path)}: code cells {missing} show a "
                         "figure without plot.show() (README, Reading rules)")


# --- the page chrome ---------------------------------------------------------

def test_chrome_labels_are_fixed():
    page = (
        '<button class="btn search-button-field search-button__button '
        'pst-js-only" title="Search" aria-label="Search" data-bs-toggle='
        '"tooltip"><span>Search</span><kbd>Ctrl</kbd>+<kbd>K</kbd></button>'
        '<summary aria-label="Toggle hidden content"><p>Show code cell '
        'content</p></summary>'
        '<i class="theme-switch fa-solid fa-sun fa-lg" data-mode="light" '
        'title="Light"></i>'
        '<div class="citation" role="doc-biblioentry">')
    fixed = reading_view.fix_chrome_labels(page)
    assert 'aria-label="Search"' not in fixed and 'title="Search"' in fixed
    assert "Toggle hidden content" not in fixed
    assert 'data-mode="light" aria-hidden="true">' in fixed
    assert 'title="Light"' not in fixed
    assert 'role="listitem"' in fixed and "doc-biblioentry" not in fixed
    assert reading_view.fix_chrome_labels(fixed) == fixed


# --- the map of the book on the intro page -----------------------------------

def test_the_book_map_is_current_and_described():
    sys.path.insert(0, str(ROOT / "scripts"))
    import book_map  # scripts/book_map.py

    assert book_map.main(["--check"]) == 0, (
        "book/book_map.svg is stale: run python scripts/book_map.py")
    intro = (ROOT / "book" / "intro.md").read_text(encoding="utf-8")
    figure = re.search(r"```\{figure\} book_map\.svg\n:alt: (.+)\n", intro)
    assert figure, "book/intro.md does not show book_map.svg with an :alt:"
    alt = figure.group(1)
    assert not is_file_name(alt) and len(alt.split()) > 20
    for chapter in range(1, 10):
        assert f"chapter {chapter}" in alt, chapter
