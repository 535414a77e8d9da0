"""Command line: ``python -m convlib.grading {release,grade} ...``.

    python -m convlib.grading release [--check]
    python -m convlib.grading grade SUBMISSION... --out DIR
        [--exercise ID] [--timeout S] [--memory MB] [--jobs N]
        [--seed N | --seed-file PATH]

Bad arguments exit with status 2 and a message naming the argument.
"""
import argparse
import sys
from pathlib import Path

from . import hidden, release
from .sandbox import Limits


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


def _parser():
    parser = argparse.ArgumentParser(
        prog="python -m convlib.grading",
        description="Release exercise notebooks and grade submissions.")
    commands = parser.add_subparsers(dest="command", required=True)
    rel = commands.add_parser("release", help="write exercises/*.ipynb "
                              "from exercises/source/*.ipynb")
    rel.add_argument("--check", action="store_true", help="only report "
                     "out-of-date notebooks (exit 1 if any)")
    grade = commands.add_parser("grade", help="grade submissions")
    grade.add_argument("submissions", nargs="+", metavar="SUBMISSION")
    grade.add_argument("--out", required=True, type=Path, metavar="DIR")
    grade.add_argument("--exercise", type=_exercise, metavar="ID",
                       help=f"one of {', '.join(hidden.EXERCISES)}; "
                       "default: the notebook's metadata, else its name")
    grade.add_argument("--timeout", type=_bounded(float, 0.5, 3600,
                       "--timeout"), default=10.0, metavar="S",
                       help="wall-clock and CPU seconds per child "
                       "(default 10)")
    grade.add_argument("--memory", type=_bounded(int, 256, 65536,
                       "--memory"), default=1024, metavar="MB",
                       help="address-space limit per child (default 1024)")
    grade.add_argument("--jobs", type=_bounded(int, 1, 64, "--jobs"),
                       default=1, metavar="N", help="submissions graded "
                       "at once (default 1)")
    secret = grade.add_mutually_exclusive_group()
    secret.add_argument("--seed", type=_bounded(int, 0, 2 ** 63 - 1,
                        "--seed"), metavar="N", help="your own seed for "
                        "the hidden cases: every hidden input is drawn "
                        "anew, so the package alone cannot reproduce them")
    secret.add_argument("--seed-file", type=Path, metavar="PATH",
                        help="a file (kept outside the package) holding "
                        "your seed: an integer or a passphrase")
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


def _release(args):
    changed = release.release(check=args.check)
    verb = "out of date" if args.check else "written"
    for path in changed:
        print(f"{verb}: {path}")
    if not changed:
        print("all released notebooks are up to date")
    return 1 if args.check and changed else 0


def _grade(parser, args):
    from .batch import grade_all
    missing = [s for s in args.submissions if not Path(s).is_file()]
    if missing:
        parser.error(f"SUBMISSION not found or not a file: "
                     f"{', '.join(missing)}")
    if args.out.exists() and not args.out.is_dir():
        parser.error(f"--out must be a directory, got the file {args.out}")
    limits = Limits(timeout=args.timeout, memory_mb=args.memory)
    seed = _seed(parser, args)
    results = grade_all(args.submissions, args.out, args.exercise, limits,
                        args.jobs, seed=seed)
    total = sum(r["score"] for r in results)
    print(f"graded {len(results)} submission(s), {total} points in all; "
          f"gradebook: {args.out / 'gradebook.csv'}")
    return 0


def main(argv=None):
    """Entry point; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "release":
        return _release(args)
    return _grade(parser, args)


if __name__ == "__main__":
    sys.exit(main())
