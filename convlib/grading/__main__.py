"""Command line: ``python -m convlib.grading {release,grade,gradescope}``.

    python -m convlib.grading release [--check]
    python -m convlib.grading grade SUBMISSION... --out DIR [options]
    python -m convlib.grading gradescope [--exercise ID] [options]

``--help`` on each command documents every option. Bad arguments exit
with status 2 and a message naming the argument; Ctrl-C stops the
children, keeps what was graded and exits with status 130. Nothing
slow (NumPy, nbformat, convlib) is imported before it is needed, so
``--help`` answers at once.
"""
import argparse
import sys
from pathlib import Path

from . import hidden

_DESCRIPTION = """\
Release the exercise notebooks and grade students' submissions against
hidden tests, each submission in a sandboxed child process."""

_GRADE = """\
Grade notebooks against the hidden tests of their exercise. Each function
earns the points its exercise's author gave it (its cases share them) and
each call has the function's time budget (see README, "Exercises").

Writes into DIR:
  gradebook.csv      one row per submission: its name, exercise, points,
                     max_points, a column per graded function, status
                     (ok, timeout, crashed, exited, output-limit,
                     protocol-error, sandbox-error, invalid,
                     wrong-exercise, grader-error) and detail
  results/NAME.json  Gradescope's results.json of each submission
  feedback/NAME.md   the feedback page a student reads
NAME is the notebook's file name, or its folder's name when the file
keeps the released notebook's name (alice/05_pooling.ipynb -> alice).
A rerun reuses the results of unchanged submissions (--force: not)."""

_GRADESCOPE = """\
Gradescope's run_autograder: grade the one notebook in the submission
folder and write Gradescope's results.json (the feedback page goes to
standard output, which Gradescope shows to instructors). See README,
"Exercises", for the two-line run_autograder and setup.sh."""


def _bounded(kind, low, high, name):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{name} must be a {kind.__name__}, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"{name} must be between {low} and {high}, got {text}")
        return value
    return parse


def _exercise(text):
    try:
        return hidden.check_exercise_id(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _add_grading_options(parser):
    """The options `grade` and `gradescope` share."""
    parser.add_argument(
        "--exercise", type=_exercise, metavar="ID",
        help=f"grade as this exercise: one of {', '.join(hidden.EXERCISES)}"
        ". Default: each notebook's metadata, else the exercise whose "
        "functions it defines, else its file name, else the exercise of "
        "the other submissions; a notebook that looks like another "
        "exercise is reported (status wrong-exercise)")
    parser.add_argument(
        "--load-timeout", type=_bounded(float, 0.5, 3600, "--load-timeout"),
        default=10.0, metavar="S", help="seconds to run a notebook's "
        "exercise cells (their top-level code) before its functions are "
        "called (default 10); when exceeded, the message names the cell "
        "and line that was running")
    parser.add_argument(
        "--time-scale", type=_bounded(float, 0.1, 100, "--time-scale"),
        default=1.0, metavar="F", help="multiply every function's time "
        "budget per call (set by the exercise's author) by F, e.g. 2 on a "
        "slow machine (default 1)")
    parser.add_argument(
        "--memory", type=_bounded(int, 256, 65536, "--memory"),
        default=1024, metavar="MB", help="address-space limit of each "
        "child process (default 1024)")
    parser.add_argument(
        "--tests", type=Path, metavar="DIR", help="a folder of your own "
        "test modules (*.py, the format of convlib/grading/hidden/): more "
        "cases for a function, new weights or functions; their cases stay "
        "hidden and share their function's points")
    secret = parser.add_mutually_exclusive_group()
    secret.add_argument(
        "--seed", type=_bounded(int, 0, 2 ** 63 - 1, "--seed"), metavar="N",
        help="your own seed for the hidden cases: every hidden input is "
        "drawn anew, so the package alone cannot reproduce them")
    secret.add_argument(
        "--seed-file", type=Path, metavar="PATH", help="a file (kept "
        "outside the package) holding your seed: an integer or a "
        "passphrase")


def _parser():
    parser = argparse.ArgumentParser(
        prog="python -m convlib.grading", description=_DESCRIPTION)
    commands = parser.add_subparsers(dest="command", required=True)
    rel = commands.add_parser(
        "release", help="write exercises/*.ipynb from "
        "exercises/source/*.ipynb", description="Write the student "
        "notebooks exercises/NN_topic.ipynb from exercises/source/ "
        "(solutions replaced by raise NotImplementedError).")
    rel.add_argument("--check", action="store_true", help="only report "
                     "out-of-date notebooks (exit 1 if any)")
    grade = commands.add_parser(
        "grade", help="grade submissions into a folder", description=_GRADE,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    grade.add_argument(
        "submissions", nargs="+", metavar="SUBMISSION", help="a notebook, "
        "or a folder: every *.ipynb in it and its subfolders")
    grade.add_argument("--out", required=True, type=Path, metavar="DIR",
                       help="folder for gradebook.csv, results/ and "
                       "feedback/ (created if needed)")
    _add_grading_options(grade)
    grade.add_argument(
        "--jobs", type=_bounded(int, 1, 64, "--jobs"), default=1,
        metavar="N", help="submissions graded at once (default 1)")
    grade.add_argument("--force", action="store_true", help="grade every "
                       "submission again, even unchanged ones")
    scope = commands.add_parser(
        "gradescope", help="Gradescope's run_autograder: one submission",
        description=_GRADESCOPE)
    scope.add_argument(
        "--submission", type=Path, default=Path("/autograder/submission"),
        metavar="DIR", help="the folder holding the student's notebook "
        "(default /autograder/submission)")
    scope.add_argument(
        "--results", type=Path, metavar="FILE",
        default=Path("/autograder/results/results.json"),
        help="where to write results.json (default "
        "/autograder/results/results.json)")
    _add_grading_options(scope)
    return parser


def _seed(parser, args):
    """The instructor's seed from --seed or --seed-file, or None."""
    if args.seed_file is None:
        return args.seed
    try:
        return hidden.seed_from_text(
            args.seed_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        parser.error(f"--seed-file cannot be read: {args.seed_file} "
                     f"({exc})")
    except ValueError as exc:
        parser.error(f"--seed-file {args.seed_file}: {exc}")


def _tests(parser, args):
    """The --tests folder (as a str), checked, or None."""
    if args.tests is None:
        return None
    folder = str(args.tests)
    try:
        for module in hidden.load_extra(folder):
            hidden.build(module.EXERCISE, tests=folder)
    except hidden.TestsError as exc:
        parser.error(f"--tests: {exc}")
    except Exception as exc:  # noqa: BLE001 - the instructor's own code
        parser.error(f"--tests: building the cases failed: "
                     f"{type(exc).__name__}: {exc}")
    return folder


def _limits(args):
    from .sandbox import Limits
    return Limits(load=args.load_timeout, time_scale=args.time_scale,
                  memory_mb=args.memory)


def _release(args):
    from . import release
    changed = release.release(check=args.check)
    verb = "out of date" if args.check else "written"
    for path in changed:
        print(f"{verb}: {path}")
    if not changed:
        print("all released notebooks are up to date")
    return 1 if args.check and changed else 0


def _grade(parser, args):
    from .batch import Interrupted, grade_all
    from .notebook import notebooks
    submissions, missing = notebooks(args.submissions)
    if missing:
        parser.error(f"SUBMISSION not found: {', '.join(missing)}")
    if not submissions:
        parser.error("SUBMISSION: no notebook (*.ipynb) in the folders "
                     "given")
    if args.out.exists() and not args.out.is_dir():
        parser.error(f"--out must be a directory, got the file {args.out}")
    seed, tests = _seed(parser, args), _tests(parser, args)
    try:
        results = grade_all(submissions, args.out, args.exercise,
                            _limits(args), args.jobs, seed=seed,
                            tests=tests, force=args.force)
    except Interrupted as stop:
        print(f"\ninterrupted: {stop.done} of {stop.total} submission(s) "
              f"graded and saved in {args.out}; run the same command "
              "again to grade the rest", file=sys.stderr)
        return 130
    for warning in results.warnings:
        if warning not in results.said:
            print(f"warning: {warning}", file=sys.stderr)
    from .grader import points
    total = points(sum(r["score"] for r in results))
    print(f"graded {results.graded}, reused {results.reused} unchanged "
          f"(of {len(results)} submission(s)); {total} points in all; "
          f"gradebook: {args.out / 'gradebook.csv'}")
    return 0


def _gradescope(parser, args):
    from . import gradescope
    seed, tests = _seed(parser, args), _tests(parser, args)
    graded = gradescope.run(args.submission, args.results, args.exercise,
                            _limits(args), seed, tests)
    from .gradebook import feedback
    print(feedback(graded))
    return 0


def main(argv=None):
    """Entry point; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "release":
        return _release(args)
    if args.command == "gradescope":
        return _gradescope(parser, args)
    return _grade(parser, args)


if __name__ == "__main__":
    sys.exit(main())
