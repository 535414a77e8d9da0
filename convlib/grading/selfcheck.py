"""`check`: the self-check students run in their own notebook.

It calls the student's function on the public cases of its exercise
(same kinds of inputs as the hidden tests, other random values) in the
student's own kernel, and prints one line: all passed, or the first
failing case with expected vs got. It never raises for a wrong answer,
so "Run all" keeps going.
"""
import copy

import numpy as np

from . import hidden


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


def _run(function, case):
    """Message for a failed case, or None."""
    args, kwargs = copy.deepcopy((case.args, case.kwargs))
    setting = "raise" if case.strict else "ignore"
    try:
        with np.errstate(over=setting, invalid=setting, divide=setting,
                         under="ignore"):
            got = function(*args, **kwargs)
    except NotImplementedError:
        return "not implemented yet: replace `raise NotImplementedError`"
    except FloatingPointError as exc:
        return (f"raised FloatingPointError ({exc}): an intermediate "
                "overflowed; rewrite the formula so it cannot")
    except Exception as exc:
        return f"raised {type(exc).__name__}: {exc}"
    return case.judge(got)


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
        Prints ``✓ name: all N checks passed`` or what went wrong.
    """
    name = getattr(function, "__name__", None)
    if not callable(function) or not isinstance(name, str):
        raise TypeError(f"check: expected a function, got {function!r}")
    cases = _cases(name, exercise)
    for number, case in enumerate(cases, 1):
        message = _run(function, case)
        if message:
            print(f"✗ {name}, check {number} of {len(cases)} "
                  f"({case.name}):\n  {message}")
            return
    print(f"✓ {name}: all {len(cases)} checks passed")
