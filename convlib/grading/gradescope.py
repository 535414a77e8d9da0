"""Gradescope's autograder: grade the one notebook of a submission.

Gradescope runs ``/autograder/run_autograder`` once per submission,
with the student's files in ``/autograder/submission`` and expects
``/autograder/results/results.json``. `run` does that work: it picks
the notebook (the one whose metadata names the exercise when several
were uploaded), grades it in the sandbox as ``grade`` does, and writes
the Gradescope results.json (`grader.result`). The README shows the
``run_autograder`` and ``setup.sh`` that call it.
"""
import json
from pathlib import Path

from . import grader, notebook
from .gradebook import write_atomic
from .sandbox import Limits


def _choose(folder, exercise):
    """(notebook path or None, note or None)."""
    found = (notebook.notebooks([str(folder)])[0]
             if Path(folder).is_dir() else [])
    if len(found) <= 1:
        return (found[0] if found else None), None
    matching = [p for p in found if exercise and notebook.peek_exercise(
        notebook.read_bytes(p)) == exercise] if exercise else []
    chosen = (matching or found)[0]
    return chosen, (f"{len(found)} notebooks were submitted; graded "
                    f"{Path(chosen).name}")


def run(submission_dir, results_path, exercise=None, limits=Limits(),
        seed=None, tests=None):
    """Grade the notebook in `submission_dir` into `results_path`
    (Gradescope's results.json); return the result."""
    path, note = _choose(submission_dir, exercise)
    if path is None:
        graded = grader.invalid(
            Path(submission_dir) / "(no notebook)", exercise,
            notebook.NotebookError("no Jupyter notebook (.ipynb) was "
                                   "submitted"), seed=seed, tests=tests)
    else:
        try:
            data = notebook.read_bytes(path)
        except notebook.NotebookError as exc:
            data = exc
        graded = grader.grade(path, data, exercise, limits, seed, tests)
    if note:
        graded["output"] = f"{graded['output']}\nNote: {note}"
        graded["extra_data"]["notes"].append(note)
    write_atomic(results_path, json.dumps(graded, indent=1,
                                          ensure_ascii=False))
    return graded
