"""The book shows the outputs stored in its notebooks.

`make book` renders every chapter from the outputs saved in its notebook
(``execute_notebooks: off`` in _config.yml), and `make test` runs every
notebook again under nbval, which compares those outputs cell by cell, so
each notebook is executed once per test run. These checks cover what nbval
does not compare: every code cell has run, top to bottom in one session,
with no error; and every demo is saved with the JavaScript it has now (a
notebook last run before its demo's script changed would show the old
demo in the static book).
"""
from pathlib import Path

import nbformat
import pytest

from convlib import widgets
from convlib.widgets import Demo

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb")) + sorted(
    (ROOT / "book").glob("*.ipynb"))
VIEW = "application/vnd.jupyter.widget-view+json"
STATE = "application/vnd.jupyter.widget-state+json"


def _demo_modules():
    """{ES module source: demo class name} of every demo in convlib."""
    found, todo = {}, list(Demo.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        found[cls._esm] = cls.__name__
    return found


@pytest.fixture(scope="module", params=NOTEBOOKS, ids=lambda p: p.stem)
def notebook(request):
    return nbformat.read(request.param, as_version=4)


def test_there_are_chapters():
    assert any(p.parent.name == "chapters" for p in NOTEBOOKS)
    assert widgets.__all__


def test_every_code_cell_ran_in_order_without_error(notebook):
    code = [c for c in notebook.cells if c.cell_type == "code"]
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), (
        "run the notebook top to bottom in a fresh kernel and save it "
        f"(execution counts {counts})")
    errors = [o for c in code for o in c.outputs
              if o.output_type == "error"]
    assert not errors, [e.ename for e in errors]


def test_every_demo_is_saved_with_its_current_script(notebook):
    state = notebook.metadata.get("widgets", {}).get(STATE, {})
    models = state.get("state", {})
    modules = _demo_modules()
    views = [o.data[VIEW]["model_id"] for c in notebook.cells
             if c.cell_type == "code" for o in c.outputs
             if VIEW in o.get("data", {})]
    for model_id in views:
        assert model_id in models, (
            f"widget {model_id} has no saved state: the static book cannot "
            "draw it (save the notebook with its widget state)")
        saved = models[model_id]["state"]
        if "globalThis.convlib" in saved.get("_esm", ""):  # a convlib demo
            assert saved["_esm"] in modules, (
                "a demo is saved with an old script: run the notebook "
                "again and save it")
