"""The test cases of every exercise set, and their expected answers.

Each module ``exNN_topic.py`` defines ``FUNCTIONS`` (the graded
functions, in notebook order) and ``cases(rng)`` returning `Case`
objects whose `reference` calls convlib. The grader builds the hidden
cases from a secret-by-default seed and keeps them in its own process:
the child only ever receives one case's inputs at a time. `check`
builds the public cases (another seed, ``hidden_only`` cases left out)
in the student's kernel.
"""
import importlib
import zlib
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

EXERCISES = ("01_convolution", "02_variants", "03_transposed",
             "04_dilated", "05_pooling", "06_linear", "07_activations",
             "08_cnn")
HIDDEN_SEED = 20261123
PUBLIC_SEED = 7


@dataclass
class Case:
    """One call of a student's function and how to judge its answer.

    Attributes
    ----------
    function : str
        Name of the student's function.
    name : str
        What the case is about, shown to the student.
    args : tuple
        Positional arguments (arrays, numbers, tuples).
    kwargs : dict
        Keyword arguments.
    reference : callable
        ``reference(*args, **kwargs)`` gives the expected answer
        (calls convlib). Not used when `validate` is given.
    validate : callable, optional
        ``validate(got)`` returns None or a message, for questions with
        several right answers.
    strict : bool
        Run the student's function with NumPy overflow/invalid/divide
        warnings turned into errors (numerical stability checks).
    hidden_only : bool
        Left out of the public self-check.
    """

    function: str
    name: str
    args: tuple
    kwargs: dict = field(default_factory=dict)
    reference: object = None
    validate: object = None
    strict: bool = False
    hidden_only: bool = False
    rtol: float = 1e-6
    atol: float = 1e-8
    expected: object = None

    def judge(self, got, reveal=True):
        """None if `got` is right, else a message for the student; with
        `reveal` false the message does not show the expected values
        (hidden cases: a wrong first submission would give them away)."""
        from .. import compare
        if self.validate is not None:
            return self.validate(got)
        return compare.compare(self.expected, got, self.rtol, self.atol,
                               reveal=reveal)


def check_exercise_id(exercise):
    """Return `exercise` if it names an exercise set, else raise."""
    if exercise not in EXERCISES:
        raise ValueError(
            f"unknown exercise {exercise!r}; expected one of "
            f"{', '.join(EXERCISES)}")
    return exercise


def suite_module(exercise):
    """The module holding the cases of `exercise`."""
    check_exercise_id(exercise)
    return importlib.import_module(f"{__name__}.ex{exercise}")


@lru_cache(maxsize=None)
def build(exercise, public=False, seed=None):
    """All cases of `exercise`, expected answers filled in.

    The answers are computed once per process (convlib, in this
    process) and shared by every submission graded.
    """
    module = suite_module(exercise)
    if seed is None:
        seed = PUBLIC_SEED if public else HIDDEN_SEED
    rng = np.random.default_rng(seed + zlib.crc32(exercise.encode()))
    cases = [c for c in module.cases(rng)
             if not (public and c.hidden_only)]
    for case in cases:
        if case.validate is None:
            case.expected = case.reference(*case.args, **case.kwargs)
    return tuple(cases)


def functions(exercise):
    """Names of the graded functions of `exercise`, in order."""
    return tuple(suite_module(exercise).FUNCTIONS)
