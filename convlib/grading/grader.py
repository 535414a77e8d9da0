"""Grade one submission: run its code in a child, judge every case here.

The cases and their expected answers never leave this process: the
child receives one case's inputs, replies with the function's return
value as plain arrays, and `Case.judge` decides here. Each function is
worth the points its exercise's author gave it (`hidden.Function`), its
cases sharing them equally; each call has the function's time budget,
and running the notebook's cells has its own (`Limits.load`). When a
call runs out of time, that function's remaining cases score 0; when
the child dies, a fresh child (which runs the notebook again) takes the
next function; if the notebook's code itself cannot be run, every case
scores 0 with that reason.

The result is a Gradescope ``results.json`` (`result`): ``score``,
``execution_time``, ``output``, visibility, one test per function
(name, score, max_score, status, output listing its cases, visibility)
and everything else under ``extra_data``.
"""
import hashlib
import re
import time
from collections import Counter
from pathlib import Path

from . import hidden, notebook
from .sandbox import KERNEL_LAYERS, Child, ChildFailed, Limits


def fingerprint(seed=None, tests=None, package=None):
    """Hash of the grading package's code and cases (every ``*.py`` under
    `package`, by default this one: found, not listed), the instructor's
    own test files and seed (if any): a change in any of them grades
    again. The seed cannot be read back from it."""
    here = Path(package or Path(__file__).resolve().parent)
    digest = hashlib.sha256(b"" if seed is None else str(seed).encode())
    for path in sorted(here.rglob("*.py")):
        digest.update(str(path.relative_to(here)).encode()
                      + path.read_bytes())
    for path in hidden.extra_files(tests):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


def _clean(text, limit=1500):
    """Text from the child made safe for JSON, CSV and terminals."""
    return _UNSAFE.sub("\ufffd", str(text))[:limit]


def points(value):
    """A score as the files show it: 13.5, 20 (two decimals at most)."""
    return float(f"{value:.2f}") if value % 1 else int(value)


# ------------------------------------------------------- running cases

class _Runner:
    """Runs the cases of one submission, respawning the child as needed."""

    def __init__(self, cells, limits, budgets, cpu):
        self.cells, self.limits, self.budgets = cells, limits, budgets
        self.cpu = cpu
        self.child, self.fatal, self.dead = None, None, {}
        self.load_errors, self.failures, self.layers = [], [], None

    def close(self):
        if self.child is not None:
            self.child.close()
            self.child = None

    def _start(self):
        load = self.limits.load
        try:
            self.child = Child(self.limits, self.cpu)
            layers = self.child.layers
            self.layers = layers if self.layers is None else [
                x for x in self.layers if x in layers]
            reply = self.child.request(
                {"op": "load", "cells": self.cells, "seconds": load},
                load * 1.25 + 2)
            errors = reply.get("errors", [])
            self.load_errors = [_clean(e, 800) for e in (
                errors if isinstance(errors, list) else [errors])]
        except ChildFailed as exc:
            self.close()
            if exc.status == "timeout":
                exc = ChildFailed("timeout", (
                    f"the notebook's code ran longer than its budget of "
                    f"{load:g} s and could not be interrupted; move slow "
                    "tests out of the exercise cells"))
            self.fatal = exc
            self.failures.append(exc)

    def start(self):
        """Start a child and run the notebook in it, if none is running
        and the notebook has not failed to run."""
        if self.fatal is None and self.child is None:
            self._start()

    def run(self, case):
        """(passed, output) of one case."""
        self.start()
        if self.fatal is not None:
            return False, ("not run: the notebook's code could not be run: "
                           f"{self.fatal.reason}")
        if case.function in self.dead:
            return False, f"not run: {self.dead[case.function]}"
        seconds = self.budgets[case.function]
        message = {"op": "call", "name": case.function, "args": case.args,
                   "kwargs": case.kwargs, "strict": case.strict,
                   "seconds": seconds}
        try:
            reply = self.child.request(message, seconds * 1.25 + 1)
        except ChildFailed as exc:
            self.close()
            if exc.status == "timeout":
                exc = ChildFailed("timeout", (
                    f"time limit of {seconds:g} s per call exceeded (the "
                    "call could not be interrupted; it was stopped)"))
            self.failures.append(exc)
            self.dead[case.function] = f"an earlier case failed: {exc.reason}"
            return False, exc.reason
        if reply.get("timeout"):
            self.dead[case.function] = ("an earlier case exceeded the time "
                                        "limit")
            self.failures.append(ChildFailed("timeout", _clean(
                reply.get("error", "time limit exceeded"))))
        if not reply.get("ok"):
            return False, _clean(reply.get("error", "failed"))
        verdict = case.judge(reply.get("value"), reveal=False)
        return (False, _clean(verdict)) if verdict else (True, "passed")


def run_cases(cells, cases, limits=Limits(), budgets=None):
    """Run `cases` on the code of `cells` in the sandbox.

    Parameters
    ----------
    budgets : dict, optional
        Seconds per call of each function (already scaled); default
        `hidden.DEFAULT_SECONDS` times ``limits.time_scale``.

    Returns
    -------
    outcomes : list of dict
        Per case: function, name, passed, output, seconds (wall-clock).
    load_errors : list of str
    failures : list of ChildFailed
    layers : list of str
        The sandbox's layers in force in every child used.
    """
    budgets = dict(budgets or {})
    for case in cases:
        budgets.setdefault(case.function,
                           hidden.DEFAULT_SECONDS * limits.time_scale)
    cpu = limits.load + sum(budgets[c.function] for c in cases) + 5
    runner = _Runner(cells, limits, budgets, cpu)
    outcomes = []
    try:
        runner.start()
        for case in cases:
            start = time.monotonic()
            passed, output = runner.run(case)
            outcomes.append({"function": case.function, "name": case.name,
                             "passed": passed, "output": output,
                             "seconds": round(time.monotonic() - start, 3)})
    finally:
        runner.close()
    return outcomes, runner.load_errors, runner.failures, runner.layers or []


# ------------------------------------------------------------ results

def _function_test(function, outcomes):
    """The Gradescope test of one function: its cases share its points."""
    mine = [o for o in outcomes if o["function"] == function.name]
    passed = sum(o["passed"] for o in mine)
    score = function.points * passed / len(mine) if mine else 0.0
    lines = [f"{passed} of {len(mine)} cases passed"]
    lines += [f"{'✓' if o['passed'] else '✗'} {o['name']}"
              + ("" if o["passed"] else ":\n    " + o["output"].replace(
                  "\n", "\n    ")) for o in mine]
    return {"name": f"{function.name} ({points(function.points)} points)",
            "score": points(score), "max_score": points(function.points),
            "status": "passed" if mine and passed == len(mine)
            else "failed",
            "output": "\n".join(lines), "visibility": "visible",
            "extra_data": {"function": function.name, "passed": passed,
                           "cases": len(mine),
                           "seconds": round(sum(o["seconds"]
                                                for o in mine), 3)}}


def result(submission, exercise, functions, outcomes, status, detail,
           notes=(), load_errors=(), layers=(), execution_time=0.0,
           written=()):
    """A Gradescope results.json for one submission (a dict).

    Only Gradescope's own keys at the top level; the grader's data (the
    submission, its exercise, status, the cases, the sandbox's layers
    ...) under ``extra_data``."""
    tests = [_function_test(f, outcomes) for f in functions]
    score = sum(t["score"] for t in tests)
    max_score = sum(f.points for f in functions)
    lines = [f"{exercise or 'unknown exercise'}: {points(score)} of "
             f"{points(max_score)} points"] + [f"Note: {n}" for n in notes]
    if status in ("invalid", "grader-error"):
        lines.append(f"Not graded: {detail}")
    if load_errors:
        lines += ["Errors while running the notebook's cells:"] + [
            f"  {e}" for e in load_errors]
    return {
        "score": points(score), "execution_time": round(execution_time, 3),
        "output": "\n".join(lines), "visibility": "visible",
        "stdout_visibility": "hidden", "tests": tests,
        "extra_data": {
            "submission": str(submission), "exercise": exercise or "",
            "max_score": points(max_score), "status": status,
            "detail": detail[:500], "notes": list(notes),
            "load_errors": list(load_errors), "sandbox": list(layers),
            "functions": {t["extra_data"]["function"]: t["score"]
                          for t in tests},
            "cases": list(outcomes),
            "written": [{"question": q, "answer": a} for q, a in written]}}


_PICTURE = "\naround it"   # where a message's slice of arrays begins


def _detail(outcomes, load_errors, failures, notes):
    passed = sum(o["passed"] for o in outcomes)
    detail = f"{passed}/{len(outcomes)} cases passed"
    if failures:
        detail += f"; {failures[0].reason}"
    elif passed < len(outcomes):
        first = next(o for o in outcomes if not o["passed"])
        detail += (f"; first failure: {first['function']}: {first['name']}"
                   f": {first['output'].split(_PICTURE)[0]}")
    if load_errors:
        detail += f"; errors while running the notebook: {load_errors[0]}"
    if notes:
        detail = f"{notes[0]}; {detail}"
    return " ".join(detail.split())[:500]


# ---------------------------------------------------- which exercise?

def _by_functions(defined):
    """The exercise whose graded functions the notebook defines most of
    (None if it defines none, or two tie)."""
    counts = Counter({e: len(defined & set(hidden.functions(e)))
                      for e in hidden.EXERCISES})
    best = counts.most_common(2)
    if not best or best[0][1] == 0 or (len(best) > 1
                                       and best[1][1] == best[0][1]):
        return None
    return best[0][0]


def identify(path, requested, meta, defined, fallback=None):
    """(exercise or None, notes, wrong?) for a submission.

    The exercise graded is `requested` (``--exercise``), else the
    notebook's metadata, else the one whose functions it defines, else
    the one named in its file name, else `fallback` (the exercise of the
    other submissions of the run). Notes say what was assumed and what
    disagrees; `wrong` is true when the notebook looks like another
    exercise than the one graded."""
    meta_ok = meta if meta in hidden.EXERCISES else None
    from_functions = _by_functions(defined) if defined is not None else None
    from_name = notebook.exercise_from_name(path)
    notes, wrong = [], False
    if meta is not None and meta_ok is None:
        notes.append(f"the notebook's metadata names an unknown exercise "
                     f"{meta!r}")
    exercise = requested or meta_ok or from_functions or from_name
    if exercise is None and fallback:
        exercise = fallback
        notes.append(f"no exercise in the notebook's metadata, functions "
                     f"or file name: graded as {fallback}, the exercise "
                     "of the other submissions")
    elif exercise and not meta_ok and not requested:
        how = "functions" if exercise == from_functions else "file name"
        notes.append(f"no exercise in the notebook's metadata: graded as "
                     f"{exercise}, found from its {how}")
    if exercise is None:
        return None, notes, False
    if meta_ok and meta_ok != exercise:
        wrong = True
        notes.append(f"the notebook is exercise {meta_ok} (its metadata) "
                     f"but was graded as {exercise}: wrong file submitted?")
    elif (defined is not None and from_functions
          and from_functions != exercise
          and not defined & set(hidden.functions(exercise))):
        wrong = True
        notes.append(f"the notebook defines none of {exercise}'s functions"
                     f" but those of {from_functions}: wrong file "
                     "submitted?")
    return exercise, notes, wrong


# ----------------------------------------------------------- grading

def invalid(path, exercise, error, notes=(), seed=None, tests=None):
    """Result for a notebook that cannot be run: every case scores 0."""
    if exercise is None:
        why = f"{error}; " if str(error) else ""
        return result(path, None, [], [], "invalid", (
            f"{why}cannot tell which exercise this is (no --exercise, no "
            "metadata.convlib.exercise, no exercise's functions, no "
            "exercise ID in the file name): grade it with --exercise"),
            notes)
    outcomes = [{"function": c.function, "name": c.name, "passed": False,
                 "output": f"not run: {error}", "seconds": 0.0}
                for c in hidden.build(exercise, seed=seed, tests=tests)]
    return result(path, exercise, hidden.graded(exercise, tests), outcomes,
                  "invalid", "; ".join(list(notes) + [str(error)]), notes)


def grade(path, data, exercise=None, limits=Limits(), seed=None,
          tests=None, fallback=None):
    """Grade the notebook bytes `data` submitted as `path`.

    Parameters
    ----------
    data : bytes or notebook.NotebookError
        The file's content, or why it could not be read (the result then
        says so, with every case at 0).
    exercise : str, optional
        The exercise to grade it as (``--exercise``); else see
        `identify`.
    seed : int, optional
        The instructor's own seed for the hidden cases (`hidden.build`).
    tests : str, optional
        The instructor's folder of extra test modules.
    fallback : str, optional
        The exercise to assume when nothing else tells (the run's).
    """
    start = time.monotonic()
    try:
        if isinstance(data, notebook.NotebookError):
            raise data
        submission = notebook.read_submission(data)
    except notebook.NotebookError as exc:
        found, notes, _ = identify(path, exercise, None, None, fallback)
        return invalid(path, found, exc, notes, seed, tests)
    found, notes, wrong = identify(
        path, exercise, submission.exercise,
        notebook.defined_functions(submission.cells), fallback)
    if found is None:
        return invalid(path, None, "", notes, seed, tests)
    functions = hidden.graded(found, tests)
    budgets = {f.name: f.seconds * limits.time_scale for f in functions}
    outcomes, load_errors, failures, layers = run_cases(
        submission.cells, hidden.build(found, seed=seed, tests=tests),
        limits, budgets)
    status = ("wrong-exercise" if wrong else
              failures[0].status if failures else "ok")
    return result(path, found, functions, outcomes, status,
                  _detail(outcomes, load_errors, failures, notes), notes,
                  load_errors, layers, time.monotonic() - start,
                  submission.written)


def missing_layers(graded):
    """The kernel layers (`sandbox.KERNEL_LAYERS`) a result's children ran
    without; empty for a result that ran no child."""
    layers = graded["extra_data"].get("sandbox") or []
    return [x for x in KERNEL_LAYERS if layers and x not in layers]
