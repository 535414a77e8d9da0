"""`check`: the self-check students run in their own notebook.

It calls the student's function on the public cases of its exercise
(same kinds of inputs as the hidden tests, other random values) in the
student's own kernel, and prints all passed, or the first failing case
with expected vs got (plain numbers, a 2-D slice around the first
difference) or the error raised with the student's line. The failing
case stays available as ``check.failed`` to rerun and inspect. `check`
never raises for a wrong answer, so "Run all" keeps going.
"""
import copy
import os
import re
import sysconfig
import traceback
from dataclasses import dataclass

import numpy as np

from . import hidden
from .compare import precision_note

_NOT_MINE = tuple(os.path.realpath(p) + os.sep for p in {
    os.path.dirname(np.__file__),
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    sysconfig.get_paths()["stdlib"]})
_CELL_FILE = re.compile(r"(ipykernel_\d+[/\\]\d+\.py|<ipython-input-[^>]*>)$")


@dataclass
class Failure:
    """The first failed check of a function, to rerun and inspect.

    Attributes
    ----------
    function : callable
        The student's function.
    check : str
        Which check failed, e.g. ``'check 2 of 4 (input (1, 1, 5, 5) ...)'``.
    args, kwargs
        The inputs it was called with (fresh copies).
    expected
        The right answer (None for questions with several right answers).
    got
        What the function returned (None if it raised).
    message : str
        What `check` printed about it.
    """

    function: object
    check: str
    args: tuple
    kwargs: dict
    expected: object
    got: object
    message: str

    def rerun(self):
        """Call the function again on (copies of) the same inputs."""
        args, kwargs = copy.deepcopy((self.args, self.kwargs))
        return self.function(*args, **kwargs)


def _exercise_of(name):
    found = [e for e in hidden.EXERCISES if name in hidden.functions(e)]
    if not found:
        raise ValueError(f"check: no exercise has a function named {name!r}")
    return found[0]


def _cases(name, exercise):
    exercise = exercise or _exercise_of(name)
    cases = [c for c in hidden.build(exercise, public=True)
             if c.function == name]
    if not cases:
        raise ValueError(f"check: {exercise} has no function {name!r}")
    return cases


def _where(exc):
    """'in NAME, line L of its cell: CODE' for the innermost frame of the
    student's own code in the traceback, or ''."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)[1:]
              if not os.path.realpath(f.filename).startswith(_NOT_MINE)]
    if not frames:
        return ""
    frame = frames[-1]
    place = ("its cell" if _CELL_FILE.search(frame.filename)
             else os.path.basename(frame.filename))
    code = f": {frame.line.strip()}" if frame.line else ""
    return f"\n  in {frame.name}, line {frame.lineno} of {place}{code}"


def _run(function, case):
    """(message or None, value returned or None)."""
    args, kwargs = copy.deepcopy((case.args, case.kwargs))
    setting = "raise" if case.strict else "ignore"
    try:
        with np.errstate(over=setting, invalid=setting, divide=setting,
                         under="ignore"):
            got = function(*args, **kwargs)
    except NotImplementedError:
        return "not implemented yet: replace `raise NotImplementedError`", \
            None
    except FloatingPointError as exc:
        return (f"raised FloatingPointError ({exc}): an intermediate "
                f"overflowed; rewrite the formula so it cannot"
                f"{_where(exc)}"), None
    except Exception as exc:  # noqa: BLE001 - the student's code
        return f"raised {type(exc).__name__}: {exc}{_where(exc)}", None
    return case.judge(got), got


def _record(function, name, label, case, message, got):
    check.failed = Failure(
        function, label, *copy.deepcopy((case.args, case.kwargs)),
        None if case.validate else case.expected, got, message)
    rerun = ("" if message.startswith("not implemented") else
             "\n  check.failed holds this check's args, kwargs and expected"
             f" answer;\n  check.failed.rerun() calls {name} on them again.")
    text = message.replace("\n", "\n  ")
    print(f"✗ {name}, {label}:\n  {text}{rerun}")


def check(function, exercise=None):
    """Run the public checks of one exercise function and print a verdict.

    Parameters
    ----------
    function : callable
        The student's function; its ``__name__`` picks the checks.
    exercise : str, optional
        Exercise ID such as ``'05_pooling'``; found from the name when
        omitted.

    Returns
    -------
    None
        Prints ``✓ name: all N checks passed`` or what went wrong; the
        first failed check is then kept in ``check.failed`` (a `Failure`:
        its inputs, the expected answer, ``rerun()``), else that is None.
    """
    name = getattr(function, "__name__", None)
    if not callable(function) or not isinstance(name, str):
        raise TypeError(f"check: expected a function, got {function!r}")
    cases = _cases(name, exercise)
    check.failed, notes = None, []
    for number, case in enumerate(cases, 1):
        message, got = _run(function, case)
        if message:
            label = f"check {number} of {len(cases)} ({case.name})"
            _record(function, name, label, case, message, got)
            return
        notes.append(precision_note(got))
    note = next((n for n in notes if n), None)
    print(f"✓ {name}: all {len(cases)} checks passed"
          + (f" ({note})" if note else ""))


check.failed = None
