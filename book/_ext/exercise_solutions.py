"""Sphinx extension: show each exercise's solution in a collapsed dropdown.

The book's exercise pages are the student notebooks
``exercises/NN_topic.ipynb`` (written by ``python -m convlib.grading
release``; they hold no solutions). When ``exercise_solutions`` is true
(the default), this extension reads the matching source notebook
``exercises/source/NN_topic.ipynb`` while Sphinx reads the page and
inserts, after every exercise cell and its ``check(...)`` cell, a
markdown cell with the solution inside a ``dropdown`` admonition
(collapsed until clicked; sphinx-togglebutton, part of Jupyter Book).
With ``exercise_solutions: false`` under ``sphinx: config:`` in
``_config.yml``, or the environment variable ``EXERCISE_SOLUTIONS=0``
(what ``make course-book`` sets, for a course's public site), the pages
are built exactly as students get them.

Nothing is written to disk: the change lives in the text Sphinx parses.
"""
import json
import os
import re
from pathlib import Path

EXERCISE_TAG = "exercise"
SWITCH = "EXERCISE_SOLUTIONS"   # environment: 0 / 1 overrides the config
_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
_PAGE = re.compile(r"^exercises/(\d\d_[A-Za-z0-9_]+)$")


def _text(source):
    return "".join(source) if isinstance(source, list) else str(source)


def solution_code(source):
    """A source cell's code without the solution markers."""
    return "\n".join(line for line in _text(source).split("\n")
                     if line.strip() not in _MARKERS).strip("\n")


def _function_name(code):
    match = re.search(r"^def (\w+)\(", code, re.MULTILINE)
    return match.group(1) if match else "solution"


def solution_cell(code, cell_id):
    """A markdown cell holding `code` in a collapsed dropdown."""
    longest = max((len(m) for m in re.findall(r"`+", code)), default=0)
    inner = "`" * max(3, longest + 1)
    outer = "`" * (len(inner) + 1)
    # no backticks in the title: a backtick fence forbids them there
    text = (f"{outer}{{admonition}} Solution: {_function_name(code)}\n"
            f":class: dropdown\n\n{inner}python\n{code}\n{inner}\n{outer}")
    return {"cell_type": "markdown", "id": f"{cell_id}-solution"[:64],
            "metadata": {"tags": ["solution"]}, "source": text}


def _is_exercise(cell):
    return (cell.get("cell_type") == "code"
            and EXERCISE_TAG in cell.get("metadata", {}).get("tags", []))


def _is_check(cell):
    return (cell.get("cell_type") == "code"
            and _text(cell.get("source", "")).startswith("check("))


def _solutions(source_nb):
    """Solution code of every exercise cell of the source, in order."""
    return [solution_code(c["source"]) for c in source_nb["cells"]
            if _is_exercise(c)]


def inject(student_text, source_text):
    """Student notebook JSON text with a solution after each exercise.

    Raises
    ------
    ValueError
        If the two notebooks have different numbers of exercise cells
        (the released notebook is out of date).
    """
    student, source = json.loads(student_text), json.loads(source_text)
    solutions = _solutions(source)
    if sum(_is_exercise(c) for c in student["cells"]) != len(solutions):
        raise ValueError("released notebook and source disagree on the "
                         "number of exercise cells; rerun the release")
    cells, pending = [], None
    for cell in student["cells"]:
        # a solution goes after its exercise's check(...) cell, if any
        if pending is not None and not _is_check(cell):
            cells.append(pending)
            pending = None
        cells.append(cell)
        if pending is not None:
            cells.append(pending)
            pending = None
        if _is_exercise(cell):
            pending = solution_cell(solutions.pop(0), cell.get("id", "x"))
    if pending is not None:
        cells.append(pending)
    student["cells"] = cells
    return json.dumps(student, indent=1, ensure_ascii=False)


def _on_source_read(app, docname, content):
    match = _PAGE.match(docname)
    if not match or not app.config.exercise_solutions:
        return
    source = (Path(app.srcdir) / app.config.exercise_solutions_dir
              / f"{match.group(1)}.ipynb")
    if source.is_file():
        content[0] = inject(content[0], source.read_text(encoding="utf-8"))


def _on_config_inited(app, config):
    """The environment's switch, when set, wins over the config."""
    value = os.environ.get(SWITCH)
    if value is not None:
        config.exercise_solutions = value.strip().lower() not in (
            "", "0", "false", "no", "off")


def setup(app):
    """Register ``exercise_solutions`` (bool) and the source folder."""
    app.add_config_value("exercise_solutions", True, "env", [bool])
    app.add_config_value("exercise_solutions_dir", "exercises/source",
                         "env", [str])
    app.connect("config-inited", _on_config_inited)
    app.connect("source-read", _on_source_read)
    return {"version": "1.0", "parallel_read_safe": True,
            "parallel_write_safe": True}
