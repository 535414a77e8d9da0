"""Exercises: self-checks for students and a sandboxed bulk grader.

- `check(function)` -- run in a student's notebook: the public checks of
  one exercise function, with a specific message on the first failure
  (the failing case kept in ``check.failed``).
- ``python -m convlib.grading release`` -- write the student notebooks
  ``exercises/NN_topic.ipynb`` from ``exercises/source/``.
- ``python -m convlib.grading grade SUBMISSION... --out DIR`` -- grade
  notebooks against hidden tests, each in a sandboxed child process,
  into ``DIR/gradebook.csv``, ``DIR/results/NAME.json`` (Gradescope's
  results.json) and ``DIR/feedback/NAME.md``.
- ``python -m convlib.grading gradescope`` -- the same for the one
  submission of a Gradescope autograder run.

Modules: `selfcheck` (check), `hidden` (the cases, points and time
budgets), `compare`, `notebook` (reading notebooks), `release`,
`protocol` and `sandbox` (the child process; its code is `_child.py`
and `_lockdown.py`), `grader` (one submission), `gradebook` (files out,
resuming), `batch` (many submissions), `gradescope`, `__main__` (the
command line). `check` is imported on first use, so that the command
line starts without NumPy.
"""

__all__ = ["check"]


def __getattr__(name):
    if name == "check":
        from .selfcheck import check
        return check
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
