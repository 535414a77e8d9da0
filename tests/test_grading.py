"""Tests of convlib.grading: release, self-checks, the sandboxed grader.

The slow parts (child processes) run once per module through fixtures:
every source and released notebook is graded in one batch, every
hostile submission of tests/hostile/ in another.
"""
import csv
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat
import numpy as np
import pytest

from convlib.grading import (check, gradebook, hidden, protocol, release,
                             sandbox)
from convlib.grading.__main__ import main
from convlib.grading.batch import grade_all
from convlib.grading.compare import compare

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = Path(__file__).resolve().parent / "hostile"
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import exercise_solutions  # noqa: E402



def _tagged_functions(path):
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if "exercise" in c.metadata.get("tags", [])]
    return [re.search(r"^def (\w+)\(", c.source, re.M).group(1)
            for c in cells]


# ------------------------------------------------------------ release

def test_released_notebooks_are_up_to_date():
    assert release.release(check=True) == [], (
        "run: python -m convlib.grading release")


def test_release_check_fails_when_out_of_date(tmp_path):
    shutil.copy(release.SOURCE_DIR / "06_linear.ipynb", tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    assert release.release(tmp_path, out, check=True) == [
        out / "06_linear.ipynb"]
    assert not (out / "06_linear.ipynb").exists()
    release.release(tmp_path, out)
    assert release.release(tmp_path, out, check=True) == []


def test_strip_solution_keeps_indentation_and_code_around():
    source = ("def f(x):\n    y = 1\n    ### BEGIN SOLUTION\n"
              "    return x + y\n    ### END SOLUTION\n")
    assert release.strip_solution(source) == (
        "def f(x):\n    y = 1\n    raise NotImplementedError\n")


@pytest.mark.parametrize("source, problem", [
    ("### BEGIN SOLUTION\nx = 1\n", "without ### END"),
    ("x = 1\n### END SOLUTION\n", "without ### BEGIN"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n", "nested"),
])
def test_strip_solution_rejects_broken_markers(source, problem):
    with pytest.raises(release.ReleaseError, match=problem):
        release.strip_solution(source, "cell 3")


@pytest.mark.parametrize("exercise", hidden.EXERCISES)
def test_released_notebook_hides_solutions(exercise):
    path = release.RELEASE_DIR / f"{exercise}.ipynb"
    nb = nbformat.read(path, as_version=4)
    text = path.read_text()
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    assert nb.metadata["convlib"]["exercise"] == exercise
    assert _tagged_functions(path) == list(hidden.functions(exercise))
    for cell in nb.cells:
        if "exercise" in cell.metadata.get("tags", []):
            assert "raise NotImplementedError" in cell.source
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def test_exercise_catalogue():
    names = [f for e in hidden.EXERCISES for f in hidden.functions(e)]
    assert len(hidden.EXERCISES) >= 8 and len(names) >= 30
    assert len(names) == len(set(names)), "check() finds functions by name"
    for exercise in hidden.EXERCISES:
        source = release.SOURCE_DIR / f"{exercise}.ipynb"
        assert _tagged_functions(source) == list(hidden.functions(exercise))
        built = hidden.build(exercise)
        assert {c.function for c in built} == set(hidden.functions(exercise))


# ---------------------------------------------------------- self-check

def _solution(exercise, name):
    nb = nbformat.read(release.SOURCE_DIR / f"{exercise}.ipynb", 4)
    namespace = {"np": np}
    for cell in nb.cells:
        if "exercise" in cell.metadata.get("tags", []):
            exec(release.solution_code(cell.source), namespace)
    return namespace[name]


def test_check_passes_a_solution(capsys):
    check(_solution("05_pooling", "max_pool2d"))
    assert re.fullmatch(r"✓ max_pool2d: all \d+ checks passed\n",
                        capsys.readouterr().out)


def test_check_explains_a_wrong_shape(capsys):
    def conv2d(x, weight, bias=None, stride=1, padding=0):
        return np.zeros((1, 1, 2, 2))
    check(conv2d)
    out = capsys.readouterr().out
    assert out.startswith("✗ conv2d, check 1 of")
    assert "input (1, 1, 5, 5)" in out
    assert "expected shape (1, 1, 3, 3), got shape (1, 1, 2, 2)" in out


def test_check_reports_unstable_sigmoid(capsys):
    def sigmoid(x):
        return np.exp(x) / (1 + np.exp(x))
    check(sigmoid)
    out = capsys.readouterr().out
    assert "FloatingPointError" in out and "+-1000" in out


def test_check_reports_not_implemented(capsys):
    def linear(x, weight, bias=None):
        raise NotImplementedError
    check(linear, "06_linear")
    assert "not implemented yet" in capsys.readouterr().out


def test_check_rejects_unknown_function():
    def nonsense():
        pass
    with pytest.raises(ValueError, match="no exercise has a function"):
        check(nonsense)


# ------------------------------------------------- compare and protocol

def test_compare_messages():
    expected = np.arange(6.0).reshape(2, 3)
    assert compare(expected, expected + 1e-12) is None
    assert "expected shape (2, 3), got shape (3, 2)" in compare(
        expected, expected.T)
    message = compare(expected, expected + np.eye(2, 3))
    assert "2 of 6 values differ" in message and "(0, 0)" in message
    assert compare((1, None), (1, None)) is None
    assert "item 1" in compare((1, np.ones(2)), (1, None))
    assert compare(3, 4) == "expected 3, got 4"
    assert "got NoneType" in compare(expected, None)
    assert compare(True, 1.0).startswith("expected True")


def test_hidden_cases_do_not_reveal_expected_values():
    """A wrong answer must not teach the hidden answer to resubmit."""
    from convlib.grading.grader import run_cases
    from convlib.grading.sandbox import Limits
    cases = [c for c in hidden.build("06_linear")
             if c.function in ("linear_params", "linear")]
    cells = [(1, "def linear_params(i, o, bias=True):\n    return -1\n"
              "def linear(x, weight, bias=None):\n"
              "    return np.zeros(x.shape[:-1] + weight.shape[:1])\n")]
    tests, _, _ = run_cases(cells, cases, Limits(timeout=5))
    for case, test in zip(cases, tests):
        assert test["score"] == 0 and "expected" not in test["output"]
        if case.function == "linear_params":
            assert test["output"] == "wrong answer: got -1"
        else:
            assert "values differ" in test["output"]
    assert "expected 3, got 4" == compare(3, 4)
    assert "wrong answer: got 4" == compare(3, 4, reveal=False)


def test_protocol_roundtrip_and_rejects_pickles():
    message = {"a": (np.arange(3), [1.5, None, "s"]), "b": True}
    back = protocol.decode(protocol.encode(message))
    np.testing.assert_array_equal(back["a"][0], np.arange(3))
    assert back["a"][1] == [1.5, None, "s"] and back["b"] is True
    with pytest.raises(ValueError):
        protocol.encode({"x": np.array([object()], dtype=object)})
    header = protocol.encode({"x": np.zeros(1)})[:-3]
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(header)
    import pickle
    bogus = pickle.dumps(np.array([object()], dtype=object))
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(protocol.LENGTH.pack(2) + b"{}"
                        + protocol.LENGTH.pack(len(bogus)) + bogus)


def test_protocol_refuses_huge_json():
    """Numbers outside arrays would cost the grader ~50x their size."""
    data = protocol.encode({"v": [0.5] * (protocol.MAX_HEADER // 4)})
    with pytest.raises(protocol.ProtocolError, match="bytes of JSON"):
        protocol.decode(data)


# ------------------------------------------------------------ grading

def _rows(out_dir):
    with open(out_dir / "gradebook.csv", newline="") as stream:
        return {row["submission"]: row for row in csv.DictReader(stream)}


@pytest.fixture(scope="module")
def graded_book(tmp_path_factory):
    """Every source (full marks) and released notebook (zero), graded."""
    out = tmp_path_factory.mktemp("book")
    paths = ([str(p) for p in release.sources()]
             + [str(release.RELEASE_DIR / p.name)
                for p in release.sources()])
    results = grade_all(paths, out, jobs=2, progress=False)
    return out, {r["submission"]: r for r in results}


@pytest.mark.parametrize("exercise", hidden.EXERCISES)
def test_sources_score_full_marks(graded_book, exercise):
    _, results = graded_book
    result = results[str(release.SOURCE_DIR / f"{exercise}.ipynb")]
    failed = [t for t in result["tests"] if t["status"] != "passed"]
    assert failed == [] and result["status"] == "ok"
    assert result["score"] == result["max_score"] >= 10


@pytest.mark.parametrize("exercise", hidden.EXERCISES)
def test_released_notebooks_score_zero(graded_book, exercise):
    _, results = graded_book
    result = results[str(release.RELEASE_DIR / f"{exercise}.ipynb")]
    assert result["score"] == 0 and result["max_score"] > 0
    assert all("not implemented yet" in t["output"]
               for t in result["tests"])


def test_gradebook_and_gradescope_json(graded_book):
    out, results = graded_book
    rows = _rows(out)
    assert list(rows) == list(results)
    for path, result in results.items():
        assert int(rows[path]["points"]) == result["score"]
        assert int(rows[path]["max_points"]) == result["max_score"]
    stored = json.loads(next((out / "results").glob("*.json")).read_text())
    assert {"score", "max_score", "tests", "output"} <= set(stored)
    assert {"name", "score", "max_score", "output", "status"} <= set(
        stored["tests"][0])


# ------------------------------------------- the instructor's own seed

def _inputs(cases):
    return [repr((c.args, c.kwargs)) for c in cases]


@pytest.mark.parametrize("exercise", hidden.EXERCISES)
def test_instructor_seed_draws_every_hidden_input_anew(exercise):
    package = _inputs(hidden.build(exercise))
    for seed in (1, 2):
        own = _inputs(hidden.build(exercise, seed=seed))
        assert len(own) == len(package)
        assert [a == b for a, b in zip(own, package)] == [False] * len(own)
    assert _inputs(hidden.build(exercise, seed=1)) != \
        _inputs(hidden.build(exercise, seed=2))
    # the public self-check keeps its fixed settings whatever the seed
    assert [c.name for c in hidden.build(exercise, public=True, seed=1)] \
        == [c.name for c in hidden.build(exercise, public=True)]


@pytest.fixture(scope="module")
def graded_with_seed(tmp_path_factory, children_tmp):
    """Sources and released notebooks graded with a seed from a file."""
    out = tmp_path_factory.mktemp("seeded")
    seed_file = out.parent / "course-seed.txt"
    seed_file.write_text("a passphrase only the instructor knows\n")
    paths = ([str(p) for p in release.sources()]
             + [str(release.RELEASE_DIR / p.name)
                for p in release.sources()])
    assert main(["grade", *paths, "--out", str(out / "o"), "--jobs", "2",
                 "--seed-file", str(seed_file)]) == 0
    results = {}
    for path in (out / "o" / "results").glob("*.json"):
        result = json.loads(path.read_text())
        results[result["submission"]] = result
    return out / "o", results, seed_file


def test_sources_score_full_marks_on_the_instructors_cases(
        graded_with_seed):
    _, results, _ = graded_with_seed
    for source in release.sources():
        result = results[str(source)]
        assert result["score"] == result["max_score"] > 0, source.name


def test_students_see_the_inputs_of_the_cases_they_failed(
        graded_with_seed):
    _, results, seed_file = graded_with_seed
    seed = hidden.seed_from_text(seed_file.read_text())
    released = release.RELEASE_DIR / "04_dilated.ipynb"
    names = [t["name"] for t in results[str(released)]["tests"]]
    own = [c.name for c in hidden.build("04_dilated", seed=seed)]
    assert all(n.endswith(o) for n, o in zip(names, own)), names
    assert own != [c.name for c in hidden.build("04_dilated")]


def test_another_seed_regrades_and_the_same_seed_resumes(tmp_path):
    from convlib.grading import grader
    source = str(release.SOURCE_DIR / "06_linear.ipynb")
    first = grade_all([source], tmp_path, progress=False, seed=5)[0]
    again = grade_all([source], tmp_path, progress=False, seed=5)[0]
    other = grade_all([source], tmp_path, progress=False, seed=6)[0]
    assert again["fingerprint"] == first["fingerprint"]
    assert again["execution_time"] == first["execution_time"]  # resumed
    assert other["fingerprint"] != first["fingerprint"]
    assert first["fingerprint"] != grader.fingerprint()


@pytest.mark.parametrize("text, seed", [("42\n", 42), ("  7 ", 7)])
def test_seed_file_holds_an_integer_or_a_passphrase(text, seed):
    assert hidden.seed_from_text(text) == seed
    assert hidden.seed_from_text("correct horse") == \
        hidden.seed_from_text("correct horse\n") != \
        hidden.seed_from_text("correct horses")


def test_seed_arguments_are_checked(tmp_path, capsys):
    empty = tmp_path / "seed.txt"
    empty.write_text("\n")
    sub = tmp_path / "x_06_linear.ipynb"
    sub.write_text("{}")
    for argv, message in [
            (["--seed", "-1"], "--seed must be between 0"),
            (["--seed", "1", "--seed-file", str(empty)], "not allowed with"),
            (["--seed-file", str(empty)], "the seed file is empty"),
            (["--seed-file", str(tmp_path / "none")], "cannot be read")]:
        with pytest.raises(SystemExit) as exit_:
            main(["grade", str(sub), "--out", str(tmp_path / "o"), *argv])
        assert exit_.value.code == 2
        assert message in capsys.readouterr().err, argv


def test_rerun_resumes_and_regrades_changed(tmp_path, graded_book,
                                            monkeypatch):
    source = release.SOURCE_DIR / "06_linear.ipynb"
    copy = tmp_path / "student_06_linear.ipynb"
    shutil.copy(source, copy)
    out = tmp_path / "out"
    first = grade_all([str(copy)], out, progress=False)[0]
    assert first["score"] == first["max_score"]
    from convlib.grading import grader
    calls = []
    real = grader.grade
    monkeypatch.setattr(grader, "grade", lambda *a, **k: (
        calls.append(a[0]), real(*a, **k))[1])
    grade_all([str(copy)], out, progress=False)
    assert calls == []
    text = copy.read_text().replace("return out\\n", "return -out\\n", 1)
    copy.write_text(text)
    again = grade_all([str(copy)], out, progress=False)[0]
    assert calls == [str(copy)] and 0 < again["score"] < first["score"]
    assert len(_rows(out)) == 1


def test_exercise_from_metadata_name_or_option(tmp_path):
    data = json.loads((release.SOURCE_DIR / "06_linear.ipynb").read_text())
    data["metadata"].pop("convlib")
    anonymous = tmp_path / "homework.ipynb"
    anonymous.write_text(json.dumps(data))
    named = tmp_path / "bob-06_linear.ipynb"
    named.write_text(json.dumps(data))
    results = grade_all([str(anonymous), str(named)], tmp_path / "o",
                        progress=False)
    assert results[0]["status"] == "invalid"
    assert "cannot tell which exercise" in results[0]["detail"]
    assert results[1]["exercise"] == "06_linear"
    assert results[1]["score"] == results[1]["max_score"]
    forced = grade_all([str(anonymous)], tmp_path / "p", "06_linear",
                       progress=False)[0]
    assert forced["score"] == forced["max_score"]


def test_untagged_notebook_with_magics_runs_every_code_cell(tmp_path):
    nb = nbformat.read(release.SOURCE_DIR / "06_linear.ipynb", 4)
    for cell in nb.cells:
        cell.metadata.pop("tags", None)
    cell = next(c for c in nb.cells if c.source.startswith("def linear("))
    cell.source = "%load_ext autoreload\n!pip list\n" + cell.source
    path = tmp_path / "untagged_06_linear.ipynb"
    nbformat.write(nb, path)
    result = grade_all([str(path)], tmp_path / "o", progress=False)[0]
    assert result["score"] == result["max_score"]
    assert "importing convlib.grading is not allowed" in result["output"]


# ------------------------------------------------- hostile submissions

LINEAR, BACKWARD, PARAMS, CONV1X1 = 5, 5, 4, 3
ALL = LINEAR + BACKWARD + PARAMS + CONV1X1
HOSTILE_CASES = {
    # name: (points, status, text in detail or a failed test's output)
    "timeout_loop": (ALL - BACKWARD, "timeout", "time limit of 3 s"),
    "toplevel_loop": (0, "timeout", "time limit of 3 s"),
    "memory_bomb": (ALL - BACKWARD, "ok", "MemoryError"),
    "fork_bomb": (ALL - BACKWARD, "ok", "os.fork is not allowed"),
    "subprocess_shell": (ALL - BACKWARD, "ok", "os.system is not allowed"),
    "exits": (ALL - BACKWARD - CONV1X1, "exited", "sys.exit(0)"),
    "segfault": (ALL - BACKWARD, "crashed", "SIGSEGV"),
    "ctypes_memory": (LINEAR + PARAMS, "ok", "importing ctypes is not"),
    "output_flood": (ALL - CONV1X1, "output-limit", "more than"),
    "big_return": (ALL - BACKWARD, "ok", "returned 229 MB"),
    "tamper_numpy": (ALL - LINEAR, "ok", "expected shape (1, 2)"),
    "forge_replies": (0, "ok", "expected an array of shape (1, 2), got str"),
    "read_secrets": (PARAMS, "ok", "hidden/ex06_linear.py' is not allowed"),
    "import_reference": (PARAMS, "ok", "importing convlib.numpy is not"),
    "network": (LINEAR + PARAMS, "ok", "importing socket is not allowed"),
    "kill_grader": (ALL - BACKWARD, "ok", "os.kill is not allowed"),
    "escape_limits": (ALL - BACKWARD, "ok", "resource.setrlimit is not"),
    "write_outside": (ALL - BACKWARD, "ok", "convlib-hostile-pwned' is not"),
    "syntax_error": (ALL - LINEAR, "ok", "could not be parsed"),
    "empty": (0, "invalid", "the file is empty"),
    "not_json": (0, "invalid", "not a readable Jupyter notebook"),
    "not_notebook": (0, "invalid", "not a readable Jupyter notebook"),
    "binary": (0, "invalid", "not a readable Jupyter notebook"),
    "no_code": (0, "invalid", "no code cells"),
    "tamper_sandbox": (PARAMS, "ok", "ex06_linear.py' is not allowed"),
    "hook_frame": (ALL - LINEAR, "ok", "ex06_linear.py' is not allowed"),
    "compare_crash": (LINEAR + BACKWARD, "ok", "could not be compared"),
    "odd_text": (ALL - LINEAR, "ok", "ValueError: bad \ufffd \ufffd"),
    "dir_fd": (ALL - LINEAR, "ok", "python3.11' is not allowed"),
    "whoami": (ALL - BACKWARD, "ok",
               "back_to_root=setuid 1 seteuid 1 setresuid 1"),
}


@pytest.fixture(scope="module")
def children_tmp():
    """A temporary directory of this test process's own for the children's
    working directories (world-searchable, as /tmp is, for an unprivileged
    child), so parallel test processes never see each other's."""
    private = tempfile.mkdtemp(prefix="convlib-test-children-")
    os.chmod(private, 0o755)
    saved, tempfile.tempdir = tempfile.tempdir, private
    yield Path(private)
    tempfile.tempdir = saved
    shutil.rmtree(private, ignore_errors=True)


@pytest.fixture(scope="module")
def graded_hostile(tmp_path_factory, children_tmp):
    """tests/hostile/*.ipynb with real paths filled in, graded at once."""
    folder = tmp_path_factory.mktemp("hostile")
    pwned = children_tmp / "convlib-hostile-pwned"
    places = {"__HIDDEN_PATH__": ROOT / "convlib/grading/hidden/"
              "ex06_linear.py", "__SOURCE_PATH__": release.SOURCE_DIR
              / "06_linear.ipynb", "__REPO__": ROOT,
              "__PWNED_PATH__": pwned}
    paths = []
    for name in HOSTILE_CASES:
        data = (HOSTILE / f"{name}.ipynb").read_bytes()
        for key, value in places.items():
            data = data.replace(key.encode(), str(value).encode())
        (folder / f"{name}.ipynb").write_bytes(data)
        paths.append(str(folder / f"{name}.ipynb"))
    out = folder / "out"
    code = main(["grade", *paths, "--exercise", "06_linear", "--out",
                 str(out), "--timeout", "3", "--jobs", "2"])
    assert code == 0
    left = list(children_tmp.glob("convlib-grade-*"))
    assert not left, "children's working directories left behind"
    return out, paths, pwned


def test_hostile_fixtures_all_listed():
    assert {p.stem for p in HOSTILE.glob("*.ipynb")} == set(HOSTILE_CASES)


@pytest.mark.parametrize("name", sorted(HOSTILE_CASES))
def test_hostile_submission_contained(graded_hostile, name):
    out, paths, _ = graded_hostile
    points, status, text = HOSTILE_CASES[name]
    path = next(p for p in paths if Path(p).stem == name)
    row = _rows(out)[path]
    result = json.loads((out / "results").glob(
        f"{name}-*.json").__next__().read_text())
    outputs = [row["detail"]] + [t["output"] for t in result["tests"]]
    assert (int(row["points"]), row["status"]) == (points, status), row
    assert int(row["max_points"]) == ALL
    assert any(text in o for o in outputs), outputs


def test_child_runs_unprivileged_when_the_grader_is_root(graded_hostile):
    """As root, the child is `nobody` for good and owns its directory;
    otherwise it is the grader's own user."""
    out, _, _ = graded_hostile
    result = json.loads(next((out / "results").glob("whoami-*.json"))
                        .read_text())
    text = next(t["output"] for t in result["tests"]
                if "ids=" in t["output"])
    found = re.search(r"ids=\(([\d, ]+)\) groups=\[([\d, ]*)\] "
                      r"workdir_owner=(\d+) .* uid_now=(\d+),(\d+)", text)
    ids = [int(v) for v in found.group(1).split(",")]
    user = sandbox.child_user()
    uid, gid = user if user else (os.getuid(), os.getgid())
    assert ids == [uid] * 3 + [gid] * 3
    assert int(found.group(3)) == uid
    assert [int(found.group(4)), int(found.group(5))] == [uid, uid]
    if user:
        assert uid != 0 and found.group(2) == ""


def test_hostile_run_left_intact_gradebook_and_no_files(graded_hostile):
    out, paths, pwned = graded_hostile
    assert set(_rows(out)) == set(paths)
    assert not pwned.exists()
    assert not list(out.glob(".*"))  # no temporary files left


KERNEL_PROBE = """
import os, socket, sys
sys.path[:0] = [{root!r}]
from convlib.grading import _lockdown, sandbox
readable, hidden = sandbox._read_roots()
os.chdir({workdir!r})
layers = _lockdown.lockdown(readable + sandbox._numpy_roots(), hidden,
                            os.getcwd())
for name, attempt in [
        ("fork", os.fork), ("socket", socket.socket),
        ("exec", lambda: os.execv("/bin/true", ["true"])),
        ("kill", lambda: os.kill(os.getppid(), 0)),
        ("read", lambda: open({secret!r}).read()),
        ("proc", lambda: open(f"/proc/{{os.getppid()}}/environ").read()),
        ("write", lambda: open({outside!r}, "w"))]:
    try:
        attempt()
        print(name, "ALLOWED")
    except OSError as exc:
        print(name, "denied", exc.errno)
open("inside.txt", "w").write("ok")
print(" ".join(layers), open(os.__file__).read(1))
"""


@pytest.mark.skipif(sandbox.landlock_abi() == 0, reason="no Landlock")
def test_kernel_layers_hold_without_the_audit_hook(tmp_path):
    """What the kernel denies even once the audit hook is gone."""
    import subprocess
    outside = tmp_path / "outside.txt"
    (tmp_path / "work").mkdir()
    probe = KERNEL_PROBE.format(
        root=str(ROOT), workdir=str(tmp_path / "work"), outside=str(outside),
        secret=str(ROOT / "convlib/grading/hidden/ex06_linear.py"))
    run = subprocess.run([sys.executable, "-I", "-c", probe], timeout=30,
                         capture_output=True, text=True)
    lines = run.stdout.splitlines()
    assert run.returncode == 0, run.stderr
    assert all(" denied " in line for line in lines[:-1]), lines
    assert len(lines) == 8 and lines[-1].startswith("landlock seccomp ")
    assert not outside.exists()


def test_odd_submission_names_round_trip(tmp_path):
    """Commas, quotes, a newline and non-UTF-8 bytes in a file name."""
    name = tmp_path / os.fsdecode(b'we\xffird,"q"\n_06_linear.ipynb')
    shutil.copy(release.SOURCE_DIR / "06_linear.ipynb", name)
    other = tmp_path / "other_06_linear.ipynb"
    shutil.copy(release.RELEASE_DIR / "06_linear.ipynb", other)
    out = tmp_path / "out"
    for _ in range(2):
        results = grade_all([str(name), str(other)], out, progress=False)
    assert results[0]["score"] == results[0]["max_score"]
    rows = gradebook.read_rows(out / "gradebook.csv")
    assert [r["submission"] for r in rows] == [str(name), str(other)]


def test_gradebook_cells_are_not_formulas(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    name = "=HYPERLINK(1)_06_linear.ipynb"
    shutil.copy(release.RELEASE_DIR / "06_linear.ipynb", name)
    for _ in range(2):
        grade_all([name], "out", progress=False)
    rows = gradebook.read_rows(tmp_path / "out/gradebook.csv")
    assert [r["submission"] for r in rows] == ["./" + name]
    assert all(v[:1] not in ("=", "+", "-", "@")
               for r in rows for v in r.values())


def test_concurrent_runs_keep_each_others_rows(tmp_path, monkeypatch):
    """Another run finishing while this one grades keeps its rows."""
    from convlib.grading import grader
    first = tmp_path / "a_06_linear.ipynb"
    second = tmp_path / "b_06_linear.ipynb"
    for path in (first, second):
        shutil.copy(release.RELEASE_DIR / "06_linear.ipynb", path)
    out, real = tmp_path / "out", grader.grade

    def grade(path, *args):
        if path == str(first):   # the other run ends in the meantime
            grade_all([str(second)], out, progress=False)
        return real(path, *args)
    monkeypatch.setattr(grader, "grade", grade)
    grade_all([str(first)], out, progress=False)
    assert set(_rows(out)) == {str(first), str(second)}


# ------------------------------------------------------------- the CLI

@pytest.mark.parametrize("argv, message", [
    (["grade", "missing.ipynb", "--out", "o"], "not found"),
    (["grade", "x", "--out", "o", "--exercise", "99_x"],
     "unknown exercise '99_x'"),
    (["grade", "x", "--out", "o", "--timeout", "0"], "--timeout must be"),
    (["grade", "x", "--out", "o", "--jobs", "two"], "--jobs must be a int"),
    (["grade", "x", "--out", "o", "--memory", "10"], "--memory must be"),
    (["grade", "x"], "--out"),
    (["publish"], "invalid choice"),
])
def test_cli_rejects_bad_arguments(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_cli_release_check_reports_up_to_date(capsys):
    assert main(["release", "--check"]) == 0
    assert "up to date" in capsys.readouterr().out


# ----------------------------------------------- book solutions toggle

def test_solutions_injected_after_each_check_cell():
    student = (release.RELEASE_DIR / "06_linear.ipynb").read_text()
    source = (release.SOURCE_DIR / "06_linear.ipynb").read_text()
    cells = json.loads(exercise_solutions.inject(student, source))["cells"]
    kinds = [("exercise" if "exercise" in c["metadata"].get("tags", [])
              else "solution" if "solution" in c["metadata"].get("tags", [])
              else "check" if "".join(c["source"]).startswith("check(")
              else "other") for c in cells]
    order = [k for k in kinds if k != "other"]
    assert order == ["exercise", "check", "solution"] * 4
    solution = next(c for c in cells
                    if "solution" in c["metadata"].get("tags", []))
    assert ":class: dropdown" in solution["source"]
    assert "out = x @ weight.T" in solution["source"]
    assert "### BEGIN" not in solution["source"]


def test_book_builds_with_and_without_solutions(tmp_path):
    from sphinx.cmd import build as sphinx
    src = tmp_path / "src"
    (src / "exercises/source").mkdir(parents=True)
    shutil.copy(release.RELEASE_DIR / "06_linear.ipynb", src / "exercises")
    shutil.copy(release.SOURCE_DIR / "06_linear.ipynb",
                src / "exercises/source")
    (src / "index.md").write_text(
        "# Book\n\n```{toctree}\nexercises/06_linear\n```\n")
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / 'book/_ext')!r})\n"
        "extensions = ['myst_nb', 'sphinx_togglebutton', "
        "'exercise_solutions']\nexclude_patterns = ['exercises/source']\n"
        "nb_execution_mode = 'off'\n"
        # the exercise page links to its chapter, absent from this book
        "suppress_warnings = ['myst.xref_missing']\n"
        "myst_enable_extensions = ['dollarmath']\n")
    pages = {}
    for flag in ("1", "0"):
        out = tmp_path / f"html{flag}"
        assert sphinx.build_main(["-q", "-W", "-b", "html", "-D",
                                  f"exercise_solutions={flag}",
                                  str(src), str(out)]) == 0
        pages[flag] = (out / "exercises/06_linear.html").read_text()
    assert pages["1"].count('class="dropdown admonition"') == 4
    assert "Solution: linear_backward" in pages["1"]
    assert "dropdown admonition" not in pages["0"]
    assert "Solution:" not in pages["0"]
