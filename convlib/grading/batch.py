"""Grade many submissions in parallel into DIR, resuming earlier runs.

Each worker thread grades one submission at a time (the work itself
happens in the child processes). Results are saved as they complete;
the gradebook is rewritten atomically after each one, so stopping the
run at any moment leaves a valid gradebook, and a rerun skips every
submission whose path, content, exercise choice and suite are unchanged
(``force`` grades them again). Ctrl-C stops every child at once, keeps
what was finished and raises `Interrupted`.
"""
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from . import gradebook, grader, hidden, notebook, sandbox
from .sandbox import Limits


class Interrupted(Exception):
    """The run was stopped (Ctrl-C); `done` submissions were saved."""

    def __init__(self, done, total):
        super().__init__(f"interrupted after {done} of {total}")
        self.done, self.total = done, total


class Results(list):
    """The results of a run, in the order given, and what happened.

    Attributes
    ----------
    graded, reused : int
        Submissions graded now, and results reused from an earlier run
        (unchanged submission, exercise and suite).
    warnings : list of str
        Said once each: a sandbox with fewer layers than it could have,
        submissions that look like another exercise.
    """

    graded = reused = 0
    warnings = ()
    said = frozenset()   # the warnings already printed during the run


def _read(path):
    try:
        return notebook.read_bytes(path)
    except notebook.NotebookError as exc:
        return exc


def _grade_one(path, data, options, stamp, stop):
    exercise = options["exercise"]
    if stop.is_set():
        return None
    try:
        graded = grader.grade(path, data, exercise, options["limits"],
                              options["seed"], options["tests"],
                              options["fallback"])
    except Exception as exc:  # a grader bug must not stop the run
        graded = grader.result(path, exercise, [], [], "grader-error",
                               f"internal grader error: "
                               f"{type(exc).__name__}: {exc}"[:500])
    graded["extra_data"].update(stamp)
    return graded


def _fallback(submissions, datas):
    """The exercise most submissions of the run are (by metadata or file
    name), for those that tell nothing."""
    found = Counter()
    for path in submissions:
        data = datas[path]
        exercise = (notebook.peek_exercise(data) if isinstance(data, bytes)
                    else None) or notebook.exercise_from_name(path)
        if exercise:
            found[exercise] += 1
    return found.most_common(1)[0][0] if found else None


def _plan(submissions, out_dir, options, force):
    """(done results by path, [(path, data, stamp)] to grade, names)."""
    fingerprint = grader.fingerprint(options["seed"], options["tests"])
    datas = {path: _read(path) for path in submissions}
    options["fallback"] = (None if options["exercise"]
                           else _fallback(submissions, datas))
    chosen = gradebook.names(submissions, out_dir, hidden.EXERCISES)
    done, todo = {}, []
    for path in submissions:
        stamp = {"submission": path, "name": chosen[path],
                 "sha256": gradebook.content_hash(datas[path]),
                 "fingerprint": fingerprint,
                 "requested_exercise": options["exercise"],
                 "fallback_exercise": options["fallback"]}
        stored = None if force else gradebook.load_result(
            gradebook.result_path(out_dir, chosen[path]), stamp)
        if stored is not None:
            done[path] = stored
        else:
            todo.append((path, datas[path], stamp))
    return done, todo, chosen


def _run(todo, options, jobs):
    """Yield (path, result) as the worker threads finish them."""
    pool = ThreadPoolExecutor(max_workers=jobs)
    finished = False
    try:
        futures = {pool.submit(_grade_one, path, data, options, stamp,
                               sandbox.STOP): path
                   for path, data, stamp in todo}
        for future in as_completed(futures):
            yield futures[future], future.result()
        finished = True
    finally:
        if not finished:   # Ctrl-C: the children die, no other starts
            sandbox.stop_all()
        pool.shutdown(wait=True, cancel_futures=True)


def _warnings(results):
    warnings = []
    missing = sorted({x for r in results for x in grader.missing_layers(r)})
    if missing:
        warnings.append(
            f"the sandbox ran without {' and '.join(missing)} (not in this "
            "kernel, or not permitted): the other layers still applied "
            "(audit hook, resource limits, and a separate user when the "
            "grader is root); see each result's extra_data.sandbox")
    wrong = [r["extra_data"]["submission"] for r in results
             if r["extra_data"]["status"] == "wrong-exercise"]
    if wrong:
        warnings.append(f"{len(wrong)} submission(s) look like another "
                        f"exercise than the one graded: {', '.join(wrong)}")
    return warnings


def grade_all(submissions, out_dir, exercise=None, limits=Limits(),
              jobs=1, progress=True, seed=None, tests=None, force=False):
    """Grade `submissions` (paths as given) into `out_dir`.

    Parameters
    ----------
    exercise : str, optional
        Grade every submission as this exercise (else each says, see
        `grader.identify`).
    seed : int, optional
        The instructor's own (``grade --seed``): draws every hidden case
        anew; results graded with another seed are graded again.
    tests : str, optional
        A folder of the instructor's own test modules (``--tests``).
    force : bool
        Grade again even the submissions whose results could be reused.

    Returns
    -------
    Results
        One result per distinct submission, in the order given.

    Raises
    ------
    Interrupted
        On KeyboardInterrupt, after stopping every child; what finished
        is saved.
    """
    submissions = list(dict.fromkeys(str(s) for s in submissions))
    out_dir = Path(out_dir)
    book = out_dir / "gradebook.csv"
    options = {"exercise": exercise, "limits": limits, "seed": seed,
               "tests": None if tests is None else str(tests)}
    done, todo, chosen = _plan(submissions, out_dir, options, force)
    reused = len(done)

    def save():
        rows = [gradebook.row(done[s], chosen[s]) for s in submissions
                if s in done]
        gradebook.update_gradebook(book, rows, submissions)

    from tqdm import tqdm
    bar = tqdm(total=len(submissions), initial=reused, file=sys.stderr,
               unit="notebook", desc="grading", disable=not progress)
    save()
    said = set()
    sandbox.STOP.clear()
    try:
        with bar:
            for path, graded in _run(todo, options, jobs):
                if graded is None or sandbox.STOP.is_set():
                    continue
                done[path] = graded
                gradebook.save_result(out_dir, chosen[path], graded)
                save()
                bar.update()
                for warning in _warnings([graded])[:1]:
                    if warning.startswith("the sandbox") and \
                            warning not in said:
                        said.add(warning)
                        bar.write(f"warning: {warning}", file=sys.stderr)
    except KeyboardInterrupt:
        raise Interrupted(len(done), len(submissions)) from None
    results = Results(done[s] for s in submissions)
    results.graded, results.reused = len(done) - reused, reused
    results.warnings = _warnings(results)
    results.said = said
    return results
