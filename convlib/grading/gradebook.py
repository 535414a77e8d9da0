"""Files the grader writes into its output folder DIR.

- ``DIR/results/NAME.json``: the submission's Gradescope results.json
  (see `grader.result`), NAME being the student's file or folder
  (`names`);
- ``DIR/feedback/NAME.md``: the same as a Markdown page the student can
  read (`feedback`);
- ``DIR/gradebook.csv``: one row per submission, a column per graded
  function plus the total (`write_gradebook`).

Every file is written atomically (a temporary file in the same
directory, then ``os.replace``), so an interrupted run never leaves a
half-written gradebook. A results file records the submission's path,
content hash and the suite's fingerprint under ``extra_data``; a rerun
reuses it when all still match.
"""
import contextlib
import csv
import fcntl
import hashlib
import io
import json
import os
import re
import tempfile
from pathlib import Path

COLUMNS = ("submission", "name", "exercise", "points", "max_points")
# written questions: how many were answered, and the instructor's marks
# (filled in by hand; kept when the submission is graded again)
WRITTEN_COLUMNS = ("written_answered", "written_points")
LAST_COLUMNS = WRITTEN_COLUMNS + ("status", "detail")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


def write_atomic(path, text):
    """Write `text` to `path` via a temporary file and os.replace."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        # surrogateescape: a path that is not UTF-8 keeps its bytes
        with os.fdopen(fd, "w", encoding="utf-8", newline="",
                       errors="surrogateescape") as stream:
            stream.write(text)
        os.chmod(temp, 0o644)  # mkstemp's 0600 would surprise readers
        os.replace(temp, path)
    except BaseException:
        os.unlink(temp)
        raise


def content_hash(data):
    """sha256 of the submission's bytes (or of an error text)."""
    if isinstance(data, (bytes, bytearray)):
        return hashlib.sha256(data).hexdigest()
    return hashlib.sha256(repr(data).encode()).hexdigest()


# ------------------------------------------------------------- names

def base_name(submission, exercises=()):
    """The student's name for a submission: its file name without
    '.ipynb', or its folder's name when the file keeps the released
    notebook's name (``alice/05_pooling.ipynb`` -> ``alice``)."""
    path = Path(submission)
    stem = path.stem
    rest = stem
    for exercise in exercises:
        rest = rest.replace(exercise, "")
    generic = not re.search(r"[A-Za-z]", re.sub(
        r"(?i)checkpoint|copy|submission|notebook|untitled", "", rest))
    parent = path.parent.name
    name = parent if generic and parent not in ("", ".", "..") else stem
    return _UNSAFE_NAME.sub("_", name).strip("._")[:60] or "submission"


def _tag(submission):
    return hashlib.sha1(str(submission).encode(
        "utf-8", "surrogateescape")).hexdigest()[:8]


def names(submissions, out_dir, exercises=()):
    """{submission: NAME}, unique: two submissions of one run with the
    same name, or a name whose result in `out_dir` belongs to another
    submission, get ``-<hash of the path>`` appended."""
    wanted = {s: base_name(s, exercises) for s in submissions}
    counts = {}
    for name in wanted.values():
        counts[name] = counts.get(name, 0) + 1
    chosen = {}
    for submission, name in wanted.items():
        owner = _owner(result_path(out_dir, name))
        if counts[name] > 1 or owner not in (None, str(submission)):
            name = f"{name}-{_tag(submission)}"
        chosen[submission] = name
    return chosen


def result_path(out_dir, name):
    """DIR/results/NAME.json."""
    return Path(out_dir) / "results" / f"{name}.json"


def feedback_path(out_dir, name):
    """DIR/feedback/NAME.md."""
    return Path(out_dir) / "feedback" / f"{name}.md"


def _read_json(path):
    try:
        stored = json.loads(Path(path).read_text(
            encoding="utf-8", errors="surrogateescape"))
    except (OSError, ValueError):
        return None
    return stored if isinstance(stored, dict) and isinstance(
        stored.get("extra_data"), dict) else None


def _owner(path):
    stored = _read_json(path)
    return None if stored is None else stored["extra_data"].get("submission")


def load_result(path, stamp):
    """The stored result if its ``extra_data`` matches every item of
    `stamp` (path, content hash, fingerprint, exercise asked...)."""
    stored = _read_json(path)
    if stored is None:
        return None
    extra = stored["extra_data"]
    if all(extra.get(k) == v for k, v in stamp.items()):
        return stored
    return None


def save_result(out_dir, name, graded):
    """Write one submission's results.json and feedback page."""
    write_atomic(result_path(out_dir, name),
                 json.dumps(graded, indent=1, ensure_ascii=False))
    write_atomic(feedback_path(out_dir, name), feedback(graded))


# ----------------------------------------------------------- feedback

def _fence(text):
    """`text` in a Markdown code block that nothing inside can close."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def feedback(graded):
    """The Markdown page a student reads: score, a table of functions,
    notes, errors of the notebook, and every failed case."""
    extra = graded["extra_data"]
    title = extra["exercise"] or "unknown exercise"
    lines = [f"# Feedback: {title}", "",
             f"Submission: `{Path(extra['submission']).name}`  ",
             f"**Score: {graded['score']} of {extra['max_score']} "
             "points**", ""]
    for note in extra.get("notes", []):
        lines += [f"> **Note:** {note}", ""]
    if extra["status"] == "invalid":
        lines += ["The notebook could not be graded:", "",
                  _fence(extra["detail"]), ""]
    if graded["tests"]:
        lines += ["| function | points | cases passed |",
                  "|---|---:|---:|"]
        for test in graded["tests"]:
            data = test["extra_data"]
            lines.append(f"| `{data['function']}` | {test['score']} / "
                         f"{test['max_score']} | {data['passed']} / "
                         f"{data['cases']} |")
        lines.append("")
    if extra.get("load_errors"):
        lines += ["## Errors while running your notebook", "",
                  _fence("\n".join(extra["load_errors"])), ""]
    failed = [c for c in extra.get("cases", []) if not c["passed"]]
    if failed:
        lines += ["## What failed", "",
                  "Each failed case: its inputs, then what went wrong "
                  "(expected values of hidden cases are not shown).", ""]
        for function in dict.fromkeys(c["function"] for c in failed):
            mine = [c for c in failed if c["function"] == function]
            lines += [f"### `{function}`: {len(mine)} case(s) failed", ""]
            if len({c["output"] for c in mine}) == 1 and len(mine) > 1:
                lines += [f"- {c['name']}" for c in mine]
                lines += ["", "Each of them:", "", _fence(mine[0]["output"]),
                          ""]
                continue
            for case in mine:
                lines += [f"- {case['name']}", "",
                          _indent(_fence(case["output"])), ""]
    elif graded["tests"]:
        lines += ["Every case passed.", ""]
    written = extra.get("written") or []
    if written:
        lines += ["## Written answers (marked by hand)", ""]
        for number, item in enumerate(written, 1):
            lines += [f"**Question {number}.** " + " ".join(
                item["question"].split()), "",
                _fence(item["answer"] or "(no answer)"), ""]
    return "\n".join(lines)


def _indent(text):
    return "\n".join("  " + line if line else line
                     for line in text.split("\n"))


# ---------------------------------------------------------- gradebook

def cell_path(submission):
    """`submission` as the gradebook shows it: a relative path that a
    spreadsheet would take for a formula (=, +, -, @) gets a './'."""
    text = str(submission)
    return "./" + text if text[:1] in ("=", "+", "-", "@") else text


def row(graded, name):
    """The gradebook row of one result: a column per function."""
    extra = graded["extra_data"]
    values = {"submission": cell_path(extra["submission"]), "name": name,
              "exercise": extra["exercise"], "points": graded["score"],
              "max_points": extra["max_score"], "status": extra["status"],
              "detail": extra["detail"]}
    written = extra.get("written") or []
    values["written_answered"] = (
        f"{sum(bool(w['answer']) for w in written)} of {len(written)}"
        if written else "")
    values["written_points"] = ""
    values.update(extra.get("functions", {}))
    return values


def read_rows(path):
    """Rows of an existing gradebook (empty if absent or unreadable)."""
    try:
        with open(path, newline="", encoding="utf-8",
                  errors="surrogateescape") as stream:
            rows = list(csv.DictReader(stream))
    except (OSError, csv.Error, UnicodeError):
        return []
    fixed = set(COLUMNS + ("status", "detail"))   # older gradebooks too
    return [r for r in rows if fixed <= set(r)]


@contextlib.contextmanager
def _locked(folder):
    """Hold an exclusive lock on `folder` (other grader runs wait)."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def update_gradebook(path, rows, replaced=()):
    """Put `rows` in the CSV at `path` instead of those of their
    submissions and of `replaced`, keeping every other row, even one
    another grader run wrote meanwhile."""
    path = Path(path)
    with _locked(path.parent):
        mine = {r["submission"] for r in rows} | {
            cell_path(s) for s in replaced}
        before = read_rows(path)
        others = [r for r in before if r["submission"] not in mine]
        marks = _kept_marks(path, before)
        for values in rows:   # the instructor's marks stay
            values["written_points"] = values.get("written_points") or \
                marks.get(values["submission"], "")
        write_gradebook(path, others + rows)


def _kept_marks(path, rows):
    """{submission: written_points} the instructor entered, also for rows
    a regrade removed for a while (kept in a file beside the gradebook,
    ``.written_points.json``)."""
    store = Path(path).parent / ".written_points.json"
    try:
        marks = json.loads(store.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        marks = {}
    if not isinstance(marks, dict):
        marks = {}
    new = {r["submission"]: r["written_points"] for r in rows
           if r.get("written_points")}
    if new and any(marks.get(k) != v for k, v in new.items()):
        marks.update(new)
        write_atomic(store, json.dumps(marks, indent=1, ensure_ascii=False))
    return marks


def write_gradebook(path, rows):
    """Write the CSV atomically: the fixed columns, then one per graded
    function (in the order met, the functions of each exercise in
    notebook order; empty for another exercise's rows), then status and
    detail."""
    functions = []
    for values in rows:
        functions += [k for k in values if k not in COLUMNS + LAST_COLUMNS
                      and k not in functions and k is not None]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, COLUMNS + tuple(functions)
                            + LAST_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    write_atomic(path, buffer.getvalue())
