"""The test cases of every exercise set, their points and time budgets.

An exercise set is one module ``exNN_topic.py`` in this folder (its ID
is ``NN_topic``; a new module is a new set, found by its file name).
It defines

``FUNCTIONS``
    the graded functions in notebook order, each a `Function`: its
    name, its ``points`` (the author's weight; the function's cases
    share them equally) and its ``seconds`` (the time budget of each
    call, on the grading machine, before ``--time-scale``);
``cases(rng, vary=False)``
    the `Case` objects, whose `reference` calls convlib (``vary=True``
    draws the fixed settings anew from `rng` too).

The grader builds the hidden cases from the package's seed, or from
the instructor's own (`build`'s `seed`), and keeps them in its own
process: the child only ever receives one case's inputs at a time.
`check` builds the public cases (another seed, ``hidden_only`` cases
left out) in the student's kernel. An instructor adds cases, or new
weights, without editing the package: `load_extra` reads modules of
the same format from a folder (``grade --tests DIR``).

Nothing here imports NumPy or convlib until cases are built, so that
the command line starts at once.
"""
import hashlib
import importlib
import importlib.util
import math
import pkgutil
import re
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

_MODULE = re.compile(r"^ex(\d\d_[a-z0-9_]+)$")
EXERCISES = tuple(sorted(
    _MODULE.match(m.name).group(1) for m in pkgutil.iter_modules(__path__)
    if _MODULE.match(m.name)))
HIDDEN_SEED = 20261123
PUBLIC_SEED = 7
DEFAULT_SECONDS = 2.0


@dataclass(frozen=True)
class Function:
    """One graded function of an exercise set.

    Attributes
    ----------
    name : str
        The function's name in the notebook.
    points : float
        Its weight: the points a student earns when every case passes;
        each case is worth ``points / number of cases``.
    seconds : float
        Time budget of each call (wall-clock, in the sandbox); multiplied
        by the grader's ``--time-scale``.
    """

    name: str
    points: float
    seconds: float = DEFAULT_SECONDS

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise ValueError(f"Function name must be an identifier, got "
                             f"{self.name!r}")
        for key in ("points", "seconds"):
            value = getattr(self, key)
            if (isinstance(value, bool) or not isinstance(value, (int, float))
                    or not math.isfinite(value) or value <= 0):
                raise ValueError(f"Function {self.name!r}: {key} must be a "
                                 f"positive number, got {value!r}")


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
    rtol, atol : float
        Tolerance of the comparison (float64 answers).
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
        (hidden cases: a wrong first submission would give them away).
        Never raises: a value that breaks the comparison is a wrong
        answer with the reason."""
        from .. import compare
        try:
            if self.validate is not None:
                return self.validate(got)
            return compare.compare(self.expected, got, self.rtol, self.atol,
                                   reveal=reveal)
        except Exception as exc:  # noqa: BLE001 - any value a student made
            return ("the answer could not be compared with the expected "
                    f"one ({type(exc).__name__}: {str(exc)[:200]})")


def integer(rng, low, high):
    """A random int from `low` to `high`, both included."""
    return int(rng.integers(low, high + 1))


KINDS = {
    "random": "standard normal values",
    "ties": "small integers (exact ties and exact zeros)",
    "zeros": "half of the values exactly 0",
    "extreme": "rows of very large (1e3..1e6) and very small "
               "(1e-6..1e-3) values, of both signs",
}


def values(rng, shape, kind="random"):
    """An input array of `shape` (float64) of one of the `KINDS`."""
    import numpy as np
    if kind == "random":
        return rng.standard_normal(shape)
    if kind == "ties":
        return rng.integers(-2, 3, shape).astype(float)
    if kind == "zeros":
        x = rng.standard_normal(shape)
        return np.where(rng.random(shape) < 0.5, 0.0, x)
    if kind == "extreme":
        x = rng.standard_normal(shape)
        rows = shape[:-1] + (1,) if len(shape) else ()
        return x * 10.0 ** rng.choice([-6, -3, 3, 6], rows)
    raise ValueError(f"unknown kind of values {kind!r}")


def like(rng, value, low, high):
    """A new setting in place of `value` (under ``--seed``): 0 and 1
    stay (edge cases: no padding, batch of one, single channel), other
    values are drawn from `low` to `high`."""
    if value in (0, 1) or value is None:
        return value
    return integer(rng, max(low, 2), high)


def pair_like(rng, pair, low, high):
    """Two sizes in place of `pair`: equal when `pair` is (a square),
    different when it is not (non-square kernels and inputs)."""
    a, b = pair
    first = like(rng, a, low, high)
    if a == b:
        return first, first
    second = like(rng, b, low, high)
    while second == first and high > low:
        second = integer(rng, low, high)
    return first, second


def shape_like(rng, shape, high=9):
    """An (N, C, H, W) shape in place of `shape`: N and C of 1 stay 1
    (others 2..4), H and W drawn from 2..`high`, square iff it was."""
    n, c = (like(rng, d, 2, 4) for d in shape[:2])
    return (n, c) + pair_like(rng, shape[2:], 2, high)


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


def redrawn(settings, rng, vary, draw, valid=None, tries=1000):
    """`settings` as listed, or (`vary`) each replaced by one of its kind:
    `draw(rng, setting)` redrawn until `valid(setting, new)` holds (the
    new one keeps what made the listed one a test: a non-square kernel,
    a stride larger than the kernel, a ceil_mode edge ...)."""
    if not vary:
        return list(settings)
    result = []
    for setting in settings:
        for _ in range(tries):
            new = draw(rng, setting)
            if valid is None or valid(setting, new):
                break
        else:
            raise RuntimeError(f"no setting like {setting!r} drawn")
        result.append(new)
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


# ------------------------------------------------- the instructor's tests

class TestsError(ValueError):
    """A module of the instructor's ``--tests`` folder is unusable."""


def _load_module(path):
    tag = hashlib.sha1(str(path).encode()).hexdigest()[:12]
    name = f"convlib_instructor_tests_{tag}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise TestsError(f"{path}: cannot be imported ({type(exc).__name__}"
                         f": {exc})") from exc
    exercise = getattr(module, "EXERCISE", None)
    if exercise not in EXERCISES:
        raise TestsError(f"{path}: EXERCISE must name an exercise set "
                         f"({', '.join(EXERCISES)}), got {exercise!r}")
    functions = getattr(module, "FUNCTIONS", ())
    if not all(isinstance(f, Function) for f in functions):
        raise TestsError(f"{path}: FUNCTIONS must hold Function(...) "
                         "entries")
    if not callable(getattr(module, "cases", None)) and not functions:
        raise TestsError(f"{path}: define cases(rng, vary=False) and/or "
                         "FUNCTIONS")
    return module


@lru_cache(maxsize=None)
def load_extra(folder):
    """The instructor's test modules in `folder` (``*.py``, sorted).

    Each module names its set with ``EXERCISE = "NN_topic"`` and may
    define ``cases(rng, vary=False)`` (more cases, for the package's
    functions or new ones) and ``FUNCTIONS`` (`Function` entries: new
    functions, or new points/seconds for the package's). Raises
    `TestsError` naming the file when one is unusable."""
    if folder is None:
        return ()
    folder = Path(folder)
    if not folder.is_dir():
        raise TestsError(f"{folder} is not a folder")
    paths = sorted(p for p in folder.glob("*.py")
                   if not p.name.startswith(("_", ".")))
    if not paths:
        raise TestsError(f"{folder} holds no test module (*.py)")
    return tuple(_load_module(p) for p in paths)


def _extra_for(exercise, tests):
    return [m for m in load_extra(tests) if m.EXERCISE == exercise]


def extra_files(tests):
    """The instructor's test files (for the fingerprint)."""
    return () if tests is None else tuple(
        Path(m.__file__) for m in load_extra(tests))


def graded(exercise, tests=None):
    """The `Function` entries of `exercise`, the instructor's weights and
    functions (`load_extra`) applied, in order."""
    found = {f.name: f for f in suite_module(exercise).FUNCTIONS}
    for module in _extra_for(exercise, tests):
        for function in getattr(module, "FUNCTIONS", ()):
            found[function.name] = function
    return tuple(found.values())


def functions(exercise):
    """Names of the graded functions of `exercise` (the package's), in
    order."""
    return tuple(f.name for f in suite_module(exercise).FUNCTIONS)


def total_points(exercise, tests=None):
    """The points of a perfect submission."""
    return round(sum(f.points for f in graded(exercise, tests)), 6)


def _rng(seed, exercise, salt=""):
    import numpy as np
    return np.random.default_rng(
        seed + zlib.crc32((exercise + salt).encode()))


@lru_cache(maxsize=None)
def build(exercise, public=False, seed=None, tests=None):
    """All cases of `exercise`, expected answers filled in.

    Parameters
    ----------
    exercise : str
        One of `EXERCISES`.
    public : bool
        The self-check's cases (`PUBLIC_SEED`, ``hidden_only`` left out,
        the instructor's tests never included).
    seed : int, optional
        The instructor's own seed (``grade --seed`` or ``--seed-file``).
        It draws every hidden input anew: array values and the settings
        themselves (sizes, strides, rates, layer lists), so the installed
        package alone cannot reproduce the cases. None: the package's
        `HIDDEN_SEED` and its fixed settings.
    tests : str, optional
        A folder of the instructor's test modules (`load_extra`): their
        cases follow the package's, drawn from the same seed.

    The answers are computed once per process (convlib, in this
    process) and shared by every submission graded.
    """
    module = suite_module(exercise)
    vary = seed is not None and not public
    if seed is None:
        seed = PUBLIC_SEED if public else HIDDEN_SEED
    cases = [c for c in module.cases(_rng(seed, exercise), vary=vary)
             if not (public and c.hidden_only)]
    names = {f.name for f in graded(exercise, None if public else tests)}
    for extra in [] if public else _extra_for(exercise, tests):
        if callable(getattr(extra, "cases", None)):
            more = list(extra.cases(_rng(seed, exercise, extra.__file__),
                                    vary=vary))
            unknown = sorted({getattr(c, "function", None) for c in more}
                             - names, key=str)
            if not all(isinstance(c, Case) for c in more):
                raise TestsError(f"{extra.__file__}: cases(...) must return "
                                 "Case objects")
            if unknown:
                raise TestsError(
                    f"{extra.__file__}: cases for "
                    f"{', '.join(map(str, unknown))}, which FUNCTIONS does "
                    "not list (neither the package's nor this module's)")
            cases += more
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


__all__ = ["Case", "Function", "EXERCISES", "KINDS", "build", "graded",
           "functions", "load_extra", "integer", "drawn", "redrawn",
           "computable",
           "values", "like", "pair_like", "shape_like"]
