"""Grade many submissions in parallel into DIR, resuming earlier runs.

Each worker thread grades one submission at a time (the work itself
happens in the child processes). Results are saved as they complete;
the gradebook is rewritten atomically after each one, so stopping the
run at any moment leaves a valid gradebook, and a rerun skips every
submission whose content, exercise choice and suite are unchanged.
"""
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from tqdm import tqdm

from . import gradebook, grader, notebook
from .sandbox import Limits


def _read(path):
    try:
        return notebook.read_bytes(path)
    except notebook.NotebookError as exc:
        return exc


def _grade_one(path, data, exercise, limits, stamp, seed):
    try:
        graded = grader.grade(path, data, exercise, limits, seed)
    except Exception as exc:  # a grader bug must not stop the run
        graded = grader.result(path, exercise or "", [], "grader-error",
                               f"internal grader error: "
                               f"{type(exc).__name__}: {exc}"[:500])
    graded.update(stamp)
    return graded


def _plan(submissions, out_dir, exercise, seed):
    """(done results by path, [(path, data, stamp)] still to grade)."""
    fingerprint = grader.fingerprint(seed)
    done, todo = {}, []
    for path in submissions:
        data = _read(path)
        stamp = {"sha256": gradebook.content_hash(data),
                 "fingerprint": fingerprint,
                 "requested_exercise": exercise}
        stored = gradebook.load_result(
            gradebook.result_path(out_dir, path), stamp["sha256"],
            fingerprint)
        if stored and stored.get("requested_exercise") == exercise:
            done[path] = stored
        else:
            todo.append((path, data, stamp))
    return done, todo


def _run(todo, exercise, limits, jobs, seed):
    """Yield (path, result) as the worker threads finish them."""
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(_grade_one, path, data, exercise, limits,
                               stamp, seed): path
                   for path, data, stamp in todo}
        for future in as_completed(futures):
            yield futures[future], future.result()


def grade_all(submissions, out_dir, exercise=None, limits=Limits(),
              jobs=1, progress=True, seed=None):
    """Grade `submissions` (paths as given) into `out_dir`.

    `seed`, the instructor's own (``grade --seed``), draws every hidden
    case anew; results graded with another seed are graded again.

    Returns
    -------
    list of dict
        One result per distinct submission, in the order given.
    """
    submissions = list(dict.fromkeys(str(s) for s in submissions))
    out_dir = Path(out_dir)
    book = out_dir / "gradebook.csv"
    done, todo = _plan(submissions, out_dir, exercise, seed)
    bar = tqdm(total=len(submissions), initial=len(done), file=sys.stderr,
               unit="notebook", desc="grading", disable=not progress)

    def save():
        rows = [gradebook.row(done[s]) for s in submissions if s in done]
        gradebook.update_gradebook(book, rows, submissions)

    save()
    with bar:
        for path, graded in _run(todo, exercise, limits, jobs, seed):
            done[path] = graded
            gradebook.save_result(gradebook.result_path(out_dir, path),
                                  graded)
            save()
            bar.update()
    return [done[s] for s in submissions]
