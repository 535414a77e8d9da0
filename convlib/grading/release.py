"""Write the student notebooks from the sources (nbgrader-style markers).

In a source ``exercises/source/NN_topic.ipynb`` every line from
``### BEGIN SOLUTION`` to ``### END SOLUTION`` is replaced, in the
released ``exercises/NN_topic.ipynb``, by ``raise NotImplementedError``
at the indentation of the BEGIN line, and each exercise cell starts with
a comment giving its function's points (`points_line`); the model
answer of a written question (a Markdown cell tagged ``written-answer``)
becomes `ANSWER_PLACEHOLDER`. Outputs and execution counts are cleared;
cells with a solution must carry the ``exercise`` tag, and the
notebook's metadata names its exercise (``metadata.convlib.exercise``).

Each released notebook starts with a set-up cell, as the chapters do,
that installs convlib where it is missing (Colab): the exercise variant
written by ``scripts/setup_cell.py`` from ``_config.yml``
(`_with_setup_cell`).
"""
import importlib.util
import re
from pathlib import Path

import nbformat

from .gradebook import write_atomic
from .notebook import ANSWER_PLACEHOLDER, ANSWER_TAG, EXERCISE_TAG

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
ROOT = Path(__file__).resolve().parents[2]
SOURCE_DIR = ROOT / "exercises" / "source"
RELEASE_DIR = ROOT / "exercises"
_BEGIN = re.compile(r"^([ \t]*)### BEGIN SOLUTION[ \t]*$")


class ReleaseError(ValueError):
    """A source notebook breaks the conventions above."""


def strip_solution(source, where="cell"):
    """`source` with each solution block replaced by a raise."""
    lines, out, indent = source.split("\n"), [], None
    for line in lines:
        match = _BEGIN.match(line)
        if match:
            if indent is not None:
                raise ReleaseError(f"{where}: nested {BEGIN}")
            indent = match.group(1)
        elif line.strip() == END:
            if indent is None:
                raise ReleaseError(f"{where}: {END} without {BEGIN}")
            out.append(f"{indent}raise NotImplementedError")
            indent = None
        elif indent is None:
            out.append(line)
    if indent is not None:
        raise ReleaseError(f"{where}: {BEGIN} without {END}")
    return "\n".join(out)


def solution_code(source):
    """`source` with the markers removed, the solution kept."""
    return "\n".join(line for line in source.split("\n")
                     if line.strip() not in (BEGIN, END))


_DEF = re.compile(r"^def (\w+)\(", re.M)


def points_line(source, points):
    """The comment a released exercise cell starts with: its function's
    points in hidden grading (`points`: {name: points}, and the total
    under None), or "" for a function that is not graded."""
    found = _DEF.search(source)
    if found is None or found.group(1) not in points:
        return ""
    return (f"# {found.group(1)}: {points[found.group(1)]:g} of "
            f"{points[None]:g} points in hidden grading\n")


def _points(exercise):
    from . import hidden
    if exercise not in hidden.EXERCISES:
        return {None: 0}
    found = {f.name: f.points for f in hidden.graded(exercise)}
    return {**found, None: hidden.total_points(exercise)}


def _release_cell(cell, where, points=None):
    cell = nbformat.from_dict(dict(cell))
    if cell.cell_type == "markdown" and \
            ANSWER_TAG in cell.metadata.get("tags", []):
        cell.source = ANSWER_PLACEHOLDER   # the model answer stays out
    if cell.cell_type != "code":
        return cell
    has_solution = BEGIN in cell.source
    if has_solution and EXERCISE_TAG not in cell.metadata.get("tags", []):
        raise ReleaseError(f"{where} has a solution but no "
                           f"'{EXERCISE_TAG}' tag")
    cell.source = strip_solution(cell.source, where)
    cell.metadata.pop("execution", None)   # nbconvert's timestamps
    if EXERCISE_TAG in cell.metadata.get("tags", []) and points:
        cell.source = points_line(cell.source, points) + cell.source
    cell.outputs, cell.execution_count = [], None
    return cell


def render(source_path):
    """Text of the student notebook for one source notebook."""
    source_path = Path(source_path)
    nb = nbformat.read(source_path, as_version=4)
    exercise = nb.metadata.get("convlib", {}).get("exercise")
    if exercise != source_path.stem:
        raise ReleaseError(f"{source_path.name}: metadata.convlib.exercise "
                           f"is {exercise!r}, expected {source_path.stem!r}")
    points = _points(exercise)
    nb.cells = [_release_cell(c, f"{source_path.name} cell {i + 1}", points)
                for i, c in enumerate(nb.cells)]
    return nbformat.writes(_with_setup_cell(nb)) + "\n"


# --- the set-up cell (installs convlib on Colab; scripts/setup_cell.py) ---

SETUP_SCRIPT = ROOT / "scripts" / "setup_cell.py"
SETUP_ID = "setup-cell"  # a fixed cell id, so that a release is repeatable


def _setup_source():
    """The exercise set-up cell that scripts/setup_cell.py makes."""
    spec = importlib.util.spec_from_file_location("setup_cell", SETUP_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.setup_cell(ROOT, kind="exercise"), module.TAG


def _with_setup_cell(nb):
    """`nb` with the set-up cell inserted before its first code cell."""
    source, tag = _setup_source()
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": [tag]})
    if nb.nbformat_minor >= 5:
        cell.id = SETUP_ID
    else:
        del cell["id"]
    first = next((i for i, c in enumerate(nb.cells)
                  if c.cell_type == "code"), len(nb.cells))
    nb.cells.insert(first, cell)
    return nb


def sources(source_dir=SOURCE_DIR):
    """The source notebooks, sorted."""
    return sorted(Path(source_dir).glob("[0-9][0-9]_*.ipynb"))


def release(source_dir=SOURCE_DIR, release_dir=RELEASE_DIR, check=False):
    """Write (or with `check`, compare) every student notebook.

    Returns
    -------
    list of Path
        The released notebooks that were (or, with `check`, would be)
        rewritten because they were missing or out of date.
    """
    changed = []
    for source in sources(source_dir):
        target = Path(release_dir) / source.name
        text = render(source)
        if target.exists() and target.read_text() == text:
            continue
        changed.append(target)
        if not check:
            write_atomic(target, text)
    return changed
