"""Files the grader writes: one JSON per submission and gradebook.csv.

Every file is written atomically (a temporary file in the same
directory, then ``os.replace``), so an interrupted run never leaves a
half-written gradebook. A JSON records the submission's content hash
and the suite's fingerprint; a rerun reuses it when both still match.
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

COLUMNS = ("submission", "exercise", "points", "max_points", "status",
           "detail")


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


def result_path(out_dir, submission):
    """DIR/results/<name>-<hash of the path>.json, unique per path."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(submission).stem)[:60]
    tag = hashlib.sha1(str(submission).encode(
        "utf-8", "surrogateescape")).hexdigest()[:10]
    return Path(out_dir) / "results" / f"{stem}-{tag}.json"


def load_result(path, sha256, fingerprint):
    """The stored result if it matches the content and the suite."""
    try:
        stored = json.loads(Path(path).read_text(
            encoding="utf-8", errors="surrogateescape"))
    except (OSError, ValueError):
        return None
    if (isinstance(stored, dict) and stored.get("sha256") == sha256
            and stored.get("fingerprint") == fingerprint):
        return stored
    return None


def save_result(path, graded):
    """Write one submission's result JSON atomically."""
    write_atomic(path, json.dumps(graded, indent=1, ensure_ascii=False))


def cell_path(submission):
    """`submission` as the gradebook shows it: a relative path that a
    spreadsheet would take for a formula (=, +, -, @) gets a './'."""
    text = str(submission)
    return "./" + text if text[:1] in ("=", "+", "-", "@") else text


def row(graded):
    """The gradebook row of one result."""
    return {"submission": cell_path(graded["submission"]),
            "exercise": graded["exercise"], "points": graded["score"],
            "max_points": graded["max_score"], "status": graded["status"],
            "detail": graded["detail"]}


def read_rows(path):
    """Rows of an existing gradebook (empty if absent or unreadable)."""
    try:
        with open(path, newline="", encoding="utf-8",
                  errors="surrogateescape") as stream:
            rows = list(csv.DictReader(stream))
    except (OSError, csv.Error, UnicodeError):
        return []
    return [r for r in rows if set(COLUMNS) <= set(r)]


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
        others = [r for r in read_rows(path) if r["submission"] not in mine]
        write_gradebook(path, others + rows)


def write_gradebook(path, rows):
    """Write the CSV atomically; `rows` are dicts with COLUMNS."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    write_atomic(path, buffer.getvalue())
