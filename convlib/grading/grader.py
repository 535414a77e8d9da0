"""Grade one submission: run its code in a child, judge every case here.

The cases and their expected answers never leave this process: the
child receives one case's inputs, replies with the function's return
value as plain arrays, and `Case.judge` decides here. When the child
dies or hangs during a function's cases, that function's remaining
cases score 0 with the reason, and a fresh child runs the next
function; if the notebook's code itself cannot be loaded, every case
scores 0 with that reason.
"""
import hashlib
import re
import time
from pathlib import Path

from . import hidden, notebook
from .sandbox import Child, ChildFailed, Limits

_CODE = ("compare.py", "_child.py", "_lockdown.py", "protocol.py",
         "sandbox.py",
         "grader.py", "notebook.py")


def fingerprint(seed=None):
    """Hash of every case, the grading code and the instructor's seed (if
    any): a change re-grades. The seed cannot be read back from it."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256(b"" if seed is None else str(seed).encode())
    for path in sorted((here / "hidden").glob("*.py")) + [
            here / name for name in _CODE]:
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


def _clean(text, limit=1000):
    """Text from the child made safe for JSON, CSV and terminals."""
    return _UNSAFE.sub("\ufffd", str(text))[:limit]


def _judge(case, value):
    """(score, output) of `value`; a value that breaks the comparison
    (overflow, ragged lists...) fails this case only."""
    try:
        verdict = case.judge(value, reveal=False)
    except Exception as exc:  # noqa: BLE001 - anything the child sent
        verdict = ("the answer could not be compared with the expected "
                   f"one ({type(exc).__name__}: {exc})")
    return (0, _clean(verdict)) if verdict else (1, "passed")


def _test(case, score, output):
    return {"name": f"{case.function}: {case.name}", "score": score,
            "max_score": 1, "status": "passed" if score else "failed",
            "output": output, "visibility": "visible"}


class _Runner:
    """Runs the cases of one submission, respawning the child as needed."""

    def __init__(self, cells, limits):
        self.cells, self.limits = cells, limits
        self.child, self.fatal, self.dead = None, None, {}
        self.load_errors, self.failures = [], []

    def close(self):
        if self.child is not None:
            self.child.close()
            self.child = None

    def _start(self):
        self.child = Child(self.limits)
        try:
            reply = self.child.request({"op": "load", "cells": self.cells})
            errors = reply.get("errors", [])
            self.load_errors = [_clean(e, 600) for e in (
                errors if isinstance(errors, list) else [errors])]
        except ChildFailed as exc:
            self.close()
            self.fatal = exc
            self.failures.append(exc)

    def run(self, case):
        """(score, output) of one case."""
        if self.fatal is None and self.child is None:
            self._start()
        if self.fatal is not None:
            return 0, ("not run: the notebook's code could not be loaded: "
                       f"{self.fatal.reason}")
        if case.function in self.dead:
            return 0, f"not run: {self.dead[case.function]}"
        message = {"op": "call", "name": case.function, "args": case.args,
                   "kwargs": case.kwargs, "strict": case.strict}
        try:
            reply = self.child.request(message)
        except ChildFailed as exc:
            self.close()
            self.failures.append(exc)
            self.dead[case.function] = f"an earlier case failed: {exc.reason}"
            return 0, exc.reason
        if not reply.get("ok"):
            return 0, _clean(reply.get("error", "failed"))
        return _judge(case, reply.get("value"))


def run_cases(cells, cases, limits):
    """Per-case results and the failures of the child(ren)."""
    runner = _Runner(cells, limits)
    try:
        tests = [_test(case, *runner.run(case)) for case in cases]
    finally:
        runner.close()
    return tests, runner.load_errors, runner.failures


def _summary(tests, load_errors, failures):
    passed = sum(t["score"] for t in tests)
    status = failures[0].status if failures else "ok"
    detail = f"{passed}/{len(tests)} tests passed"
    if failures:
        detail += f"; {failures[0].reason}"
    elif passed < len(tests):
        first = next(t for t in tests if not t["score"])
        detail += f"; first failure: {first['name']}: {first['output']}"
    if load_errors:
        detail += f"; errors while running the notebook: {load_errors[0]}"
    return status, detail[:500]


def result(submission, exercise, tests, status, detail, output=""):
    """A Gradescope-style results dict."""
    score = sum(t["score"] for t in tests)
    return {"score": score, "max_score": len(tests), "status": status,
            "detail": detail, "output": output, "tests": tests,
            "visibility": "visible", "stdout_visibility": "hidden",
            "submission": str(submission), "exercise": exercise}


def _exercise(path, requested, found):
    exercise = (requested or (found if isinstance(found, str) else None)
                or notebook.exercise_from_name(path))
    if exercise is None:
        raise notebook.NotebookError(
            "cannot tell which exercise this is: no --exercise, no "
            "metadata.convlib.exercise and no exercise ID in the file "
            "name")
    try:
        return hidden.check_exercise_id(exercise)
    except ValueError as exc:
        raise notebook.NotebookError(str(exc)) from exc


def _invalid(path, exercise, error, seed=None):
    """Result for a notebook that cannot be run: every case scores 0."""
    exercise = exercise or notebook.exercise_from_name(path)
    tests = []
    if exercise in hidden.EXERCISES:
        tests = [_test(c, 0, f"not run: {error}")
                 for c in hidden.build(exercise, seed=seed)]
    return result(path, exercise or "", tests, "invalid", str(error))


def grade(path, data, exercise=None, limits=Limits(), seed=None):
    """Grade the notebook bytes `data` submitted as `path`.

    `data` may also be a `notebook.NotebookError` (the file could not
    be read); the result then says why, with every case at 0. `seed` is
    the instructor's own seed for the hidden cases (`hidden.build`).
    """
    start = time.monotonic()
    try:
        if isinstance(data, notebook.NotebookError):
            raise data
        submission = notebook.read_submission(data)
        exercise = _exercise(path, exercise, submission.exercise)
    except notebook.NotebookError as exc:
        return _invalid(path, exercise, exc, seed)
    tests, load_errors, failures = run_cases(
        submission.cells, hidden.build(exercise, seed=seed), limits)
    status, detail = _summary(tests, load_errors, failures)
    output = "\n".join(["Errors while running the notebook's cells:"]
                       + load_errors if load_errors else [])
    graded = result(path, exercise, tests, status, detail, output)
    graded["execution_time"] = round(time.monotonic() - start, 3)
    return graded
