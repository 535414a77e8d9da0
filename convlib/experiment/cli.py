"""The command line of the experiment scripts in ``experiments/``."""
import argparse
import dataclasses
from pathlib import Path

from .results import RESULTS_DIR, Results
from .running import run
from .spec import SCHEDULES, SPLITS

__all__ = ["main", "parse_seeds"]


def parse_seeds(text):
    """The seeds of a ``--seeds`` argument.

    Parameters
    ----------
    text : str
        Comma-separated seeds and ranges, e.g. "0-19", "3", "0,2,5-7".

    Returns
    -------
    tuple of int
        In the order given, each once.
    """
    seeds = []
    try:
        for part in text.split(","):
            low, _, high = part.strip().partition("-")
            seeds += range(int(low), int(high or low) + 1)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--seeds must look like 0-19, 3 or 0,2,5-7, got {text!r}")
    return tuple(dict.fromkeys(seeds))


def _parser(experiment):
    parser = argparse.ArgumentParser(description=experiment.title)
    add = parser.add_argument
    add("--seeds", type=parse_seeds, help="e.g. 0-19, 3 or 0,2,5-7 "
        f"(default {experiment.seeds[0]}-{experiment.seeds[-1]})")
    add("--quick", action="store_true", help="a short version: seeds "
        f"{list(experiment.quick['seeds'])}, "
        f"{experiment.quick['epochs']} epochs, its own file")
    add("--split", choices=SPLITS, default="test", help="held-out set "
        "evaluated each epoch (validation: cut from the training set)")
    add("--epochs", type=int)
    add("--lr", type=float)
    add("--schedule", choices=SCHEDULES)
    add("--threads", type=int, default=1, help="torch threads per run")
    add("--jobs", type=int, default=1, help="runs in parallel processes")
    add("--out", type=Path, help="results file (default: derived from "
        "the name and the options, in convlib/experiment/saved/)")
    add("--rerun", action="store_true", help="train runs already saved "
        "again")
    add("--fresh", action="store_true", help="start the file anew")
    add("--show", action="store_true", help="only print the saved "
        "results' summary")
    return parser


def _default_path(experiment, results_dir, args, changes):
    parts = [experiment.name] + (["quick"] if args.quick else [])
    parts += ["validation"] if args.split == "validation" else []
    parts += [f"{k}{v}" for k, v in changes.items()]
    return Path(results_dir) / ("-".join(parts) + ".json")


def main(experiment, argv=None, results_dir=RESULTS_DIR):
    """The command line of an experiment script (``--help`` lists it).

    Parameters
    ----------
    experiment : Experiment
    argv : list of str or None
        None: ``sys.argv[1:]``.
    results_dir : str or pathlib.Path
        Where results files go by default: `RESULTS_DIR`, where `load`
        reads them (leave it so, unless for a test).

    Returns
    -------
    Results
    """
    args = _parser(experiment).parse_args(argv)
    changes = {k: getattr(args, k) for k in ("epochs", "lr", "schedule")
               if getattr(args, k) is not None}
    quick = {"epochs": experiment.quick["epochs"]} if args.quick else {}
    training = dataclasses.replace(experiment.training,
                                   **{**quick, **changes})
    seeds = args.seeds or (experiment.quick["seeds"] if args.quick
                           else experiment.seeds)
    path = args.out or _default_path(experiment, results_dir, args, changes)
    if args.show:
        results = Results.from_file(path)
    else:
        print(f"{experiment.title}\n-> {path}", flush=True)
        results = run(experiment, path, seeds, args.split, training,
                      args.threads, args.jobs, args.rerun, args.fresh,
                      log=lambda line: print(line, flush=True))
    print(results.summary())
    return results
