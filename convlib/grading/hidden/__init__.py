"""The test cases of every exercise set, and their expected answers.

Each module ``exNN_topic.py`` defines ``FUNCTIONS`` (the graded
functions, in notebook order) and ``cases(rng)`` returning `Case`
objects whose `reference` calls convlib (``vary=True`` draws the fixed
settings anew from `rng` too). The grader builds the hidden cases from
the package's seed, or from the instructor's own (`build`'s `seed`), and
keeps them in its own process:
the child only ever receives one case's inputs at a time. `check`
builds the public cases (another seed, ``hidden_only`` cases left out)
in the student's kernel.
"""
import hashlib
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


def integer(rng, low, high):
    """A random int from `low` to `high`, both included."""
    return int(rng.integers(low, high + 1))


def drawn(settings, rng, vary, draw, valid=None):
    """`settings` as listed, or (`vary`) as many drawn anew by `draw(rng)`,
    each redrawn until `valid(setting)` holds."""
    if not vary:
        return list(settings)
    result = []
    for _ in settings:
        setting = draw(rng)
        while valid is not None and not valid(setting):
            setting = draw(rng)
        result.append(setting)
    return result


def computable(reference):
    """A `valid` for `drawn`: `reference(*setting)` raises no ValueError."""
    def valid(setting):
        try:
            reference(*setting)
        except ValueError:
            return False
        return True
    return valid


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

    Parameters
    ----------
    exercise : str
        One of `EXERCISES`.
    public : bool
        The self-check's cases (`PUBLIC_SEED`, ``hidden_only`` left out).
    seed : int, optional
        The instructor's own seed (``grade --seed`` or ``--seed-file``).
        It draws every hidden input anew: array values and the settings
        themselves (sizes, strides, rates, layer lists), so the installed
        package alone cannot reproduce the cases. None: the package's
        `HIDDEN_SEED` and its fixed settings, as before.

    The answers are computed once per process (convlib, in this
    process) and shared by every submission graded.
    """
    module = suite_module(exercise)
    vary = seed is not None and not public
    if seed is None:
        seed = PUBLIC_SEED if public else HIDDEN_SEED
    rng = np.random.default_rng(seed + zlib.crc32(exercise.encode()))
    cases = [c for c in module.cases(rng, vary=vary)
             if not (public and c.hidden_only)]
    for case in cases:
        if case.validate is None:
            case.expected = case.reference(*case.args, **case.kwargs)
    return tuple(cases)


def seed_from_text(text):
    """An instructor's seed from the text of a seed file: the integer it
    holds, else a number derived from the whole text (a passphrase)."""
    text = text.strip()
    if not text:
        raise ValueError("the seed file is empty: write an integer or a "
                         "passphrase in it")
    if text.isdigit():
        return int(text)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8],
                          "big")


def functions(exercise):
    """Names of the graded functions of `exercise`, in order."""
    return tuple(suite_module(exercise).FUNCTIONS)
