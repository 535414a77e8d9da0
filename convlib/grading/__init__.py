"""Exercises: self-checks for students and a sandboxed bulk grader.

- `check(function)` -- run in a student's notebook: the public checks of
  one exercise function, with a specific message on the first failure.
- ``python -m convlib.grading release`` -- write the student notebooks
  ``exercises/NN_topic.ipynb`` from ``exercises/source/``.
- ``python -m convlib.grading grade SUBMISSION... --out DIR`` -- grade
  notebooks against hidden tests, each in a sandboxed child process,
  into ``DIR/gradebook.csv`` and one Gradescope-style JSON each.

Modules: `selfcheck` (check), `hidden` (the cases), `compare`,
`notebook` (reading notebooks), `release`, `protocol` and `sandbox`
(the child process; its code is `_child.py`), `grader` (one
submission), `gradebook` (files out, resuming), `__main__` (the CLI).
"""
from .selfcheck import check

__all__ = ["check"]
