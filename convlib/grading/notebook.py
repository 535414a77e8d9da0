"""Read notebooks with nbformat: the code a submission is graded on.

A submission's graded code is its code cells tagged ``exercise`` (the
released notebooks tag every graded function's cell). When a notebook
has lost its tags, every code cell is used. IPython magics and shell
escapes (``%...``, ``!...``) are blanked out: the child runs plain
Python. Nothing here executes anything.

Written questions, marked by hand (as nbgrader's manually graded
cells): a Markdown cell tagged ``written-question`` asks, the next
Markdown cell tagged ``written-answer`` holds the student's answer; the
grader collects the pairs (`written_answers`) for the instructor.
"""
import ast
import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from .hidden import EXERCISES

MAX_NOTEBOOK_BYTES = 20 * 2 ** 20
EXERCISE_TAG = "exercise"
QUESTION_TAG, ANSWER_TAG = "written-question", "written-answer"
ANSWER_PLACEHOLDER = "*Your answer (a few sentences):*"   # released
MAX_ANSWER_CHARS = 5000
_MAGIC = re.compile(r"^(\s*)[%!].*$", re.MULTILINE)
# The batch grades on a thread pool, and CPython 3.11 builds every AST
# with one recursion counter per interpreter: two threads parsing at once
# can fail with "SystemError: AST constructor recursion depth mismatch"
# (python/cpython#106905). It did once, in `make test` on a loaded
# machine (08_cnn's source graded "grader-error"). So parses take turns.
_PARSING = threading.Lock()


class NotebookError(Exception):
    """The file is not a notebook that can be graded."""


@dataclass
class Submission:
    """What the grader needs from one notebook.

    Attributes
    ----------
    exercise : str or None
        The exercise ID in the notebook's metadata, if any.
    cells : list of (int, str)
        (1-based cell number, source) of the code to run, in order.
    written : list of (str, str)
        (question, answer) of each written question (`written_answers`).
    """

    exercise: object
    cells: list
    written: list = ()


def read_bytes(path, limit=MAX_NOTEBOOK_BYTES):
    """The file's bytes; NotebookError if missing, empty or too large."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > limit:
            raise NotebookError(
                f"the file is {size / 2 ** 20:.1f} MB, more than the "
                f"{limit / 2 ** 20:.0f} MB a notebook may have")
        data = path.read_bytes()
    except OSError as exc:
        raise NotebookError(f"cannot read the file: {exc}") from exc
    if not data.strip():
        raise NotebookError("the file is empty")
    return data


def parse(data):
    """An nbformat v4 notebook from bytes, or NotebookError."""
    import nbformat   # slow to import (jsonschema): only when grading
    try:
        return nbformat.reads(data.decode("utf-8"), as_version=4)
    except Exception as exc:  # JSON, Unicode, schema, recursion errors
        raise NotebookError(
            f"not a readable Jupyter notebook ({type(exc).__name__}: "
            f"{str(exc)[:200]})") from exc


def _tags(cell):
    tags = cell.get("metadata", {}).get("tags", [])
    return tags if isinstance(tags, list) else []


def _code(source):
    if isinstance(source, list):
        source = "".join(str(s) for s in source)
    return _MAGIC.sub(r"\1pass  # IPython magic removed", str(source))


def read_submission(data):
    """The graded code and metadata exercise ID of notebook bytes."""
    nb = parse(data)
    try:
        code_cells = [(i + 1, cell) for i, cell in enumerate(nb.cells)
                      if cell.get("cell_type") == "code"]
        tagged = [(i, c) for i, c in code_cells if EXERCISE_TAG in _tags(c)]
        cells = [(i, _code(c.get("source", "")))
                 for i, c in (tagged or code_cells)]
        meta = nb.metadata.get("convlib", {})
        exercise = meta.get("exercise") if isinstance(meta, dict) else None
    except (AttributeError, TypeError) as exc:
        raise NotebookError(f"malformed notebook structure: {exc}") from exc
    if not cells:
        raise NotebookError("the notebook has no code cells")
    return Submission(exercise, cells, written_answers(nb.cells))


def _text(cell):
    source = cell.get("source", "")
    if isinstance(source, list):
        source = "".join(str(s) for s in source)
    return str(source).strip()


def written_answers(cells):
    """[(question, answer), ...]: each ``written-question`` Markdown cell
    and the ``written-answer`` cell after it ("" when there is none)."""
    found, question = [], None
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "markdown":
            continue
        if QUESTION_TAG in _tags(cell):
            if question is not None:
                found.append((question, ""))
            question = _text(cell)[:MAX_ANSWER_CHARS]
        elif ANSWER_TAG in _tags(cell) and question is not None:
            answer = _text(cell).replace(ANSWER_PLACEHOLDER, "", 1).strip()
            found.append((question, answer[:MAX_ANSWER_CHARS]))
            question = None
    if question is not None:
        found.append((question, ""))
    return found


def exercise_from_name(path):
    """The exercise ID contained in the file name, or None."""
    stem = Path(path).stem
    found = [e for e in EXERCISES if e in stem]
    return found[0] if len(found) == 1 else None


def defined_functions(cells):
    """Names of the functions the cells define at top level (nothing is
    run; a cell that does not parse defines nothing)."""
    names = set()
    for _, source in cells:
        try:
            with _PARSING:
                tree = ast.parse(source)
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            continue
        names |= {node.name for node in tree.body if isinstance(
            node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    return names


def peek_exercise(data):
    """The exercise ID in a notebook's metadata, read cheaply (no
    validation), or None."""
    try:
        meta = json.loads(data)["metadata"]["convlib"]["exercise"]
    except (ValueError, TypeError, KeyError, RecursionError):
        return None
    return meta if meta in EXERCISES else None


def notebooks(paths):
    """The notebooks named: files as given, folders searched (sorted;
    checkpoints and hidden folders skipped). Missing paths are
    returned apart: (notebooks, missing)."""
    found, missing = [], []
    for text in paths:
        path = Path(text)
        if path.is_file():
            found.append(text)
        elif path.is_dir():
            found += [str(p) for p in sorted(path.rglob("*.ipynb"))
                      if not any(part.startswith(".") for part in
                                 p.relative_to(path).parts)]
        else:
            missing.append(text)
    return found, missing
