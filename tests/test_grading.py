"""Tests of convlib.grading: release, self-checks, the sandboxed grader.

The slow parts (child processes) run once per module through fixtures:
every source and released notebook is graded in one batch, every
hostile submission of tests/hostile/ in another, the class of
tests/grading_class/ in a third.
"""
import csv
import json
import linecache
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest

from convlib import numpy as cnp
from convlib.grading import (check, gradebook, grader, hidden, protocol,
                             release, sandbox)
from convlib.grading.__main__ import _parser, main
from convlib.grading.batch import grade_all
from convlib.grading.compare import compare
from convlib.grading.sandbox import Limits

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = Path(__file__).resolve().parent / "hostile"
CLASS = Path(__file__).resolve().parent / "grading_class"
sys.path.insert(0, str(ROOT / "book" / "_ext"))
sys.path.insert(0, str(CLASS))
import exercise_solutions  # noqa: E402
import make_class  # noqa: E402

# Gradescope's results.json: the keys it defines (autograder specs)
GRADESCOPE_TOP = {"score", "execution_time", "output", "output_format",
                  "test_output_format", "test_name_format", "visibility",
                  "stdout_visibility", "extra_data", "tests", "leaderboard"}
GRADESCOPE_TEST = {"score", "max_score", "status", "name", "name_format",
                   "number", "output", "output_format", "tags",
                   "visibility", "extra_data"}


def _tagged_functions(path):
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if "exercise" in c.metadata.get("tags", [])]
    return [re.search(r"^def (\w+)\(", c.source, re.M).group(1)
            for c in cells]


def _rows(out_dir):
    with open(out_dir / "gradebook.csv", newline="") as stream:
        return {row["submission"]: row for row in csv.DictReader(stream)}


def _result(out_dir, name):
    return json.loads((out_dir / "results" / f"{name}.json").read_text())


def _outputs(result):
    """The detail and every case's output of a result."""
    extra = result["extra_data"]
    return [extra["detail"]] + [c["output"] for c in extra["cases"]]


@pytest.fixture(scope="module")
def children_tmp(tmp_path_factory):
    """A temporary directory of this test process's own for the children's
    working directories (world-searchable, as /tmp is, for an unprivileged
    child), so parallel test processes never see each other's.

    pytest's own base directory is fixed first: made later, while
    `tempfile.tempdir` points here, it would be made in here and
    removed with it (``pytest -k pool`` failed so)."""
    tmp_path_factory.getbasetemp()
    private = tempfile.mkdtemp(prefix="convlib-test-children-")
    os.chmod(private, 0o755)
    saved, tempfile.tempdir = tempfile.tempdir, private
    yield Path(private)
    tempfile.tempdir = saved
    shutil.rmtree(private, ignore_errors=True)


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


# ---------------------------------------------------- the exercise sets

def test_exercise_catalogue():
    names = [f for e in hidden.EXERCISES for f in hidden.functions(e)]
    assert len(hidden.EXERCISES) >= 8 and len(names) >= 30
    assert len(names) == len(set(names)), "check() finds functions by name"
    for exercise in hidden.EXERCISES:
        source = release.SOURCE_DIR / f"{exercise}.ipynb"
        assert _tagged_functions(source) == list(hidden.functions(exercise))
        built = hidden.build(exercise)
        assert {c.function for c in built} == set(hidden.functions(exercise))
        weights = hidden.graded(exercise)
        assert all(isinstance(f, hidden.Function) for f in weights)
        assert [f.name for f in weights] == list(hidden.functions(exercise))
        assert hidden.total_points(exercise) == sum(f.points
                                                    for f in weights) > 0


def test_exercise_sets_are_the_modules_found():
    """A new module exNN_topic.py is a new set: nothing lists them."""
    folder = Path(hidden.__file__).parent
    found = sorted(p.stem[2:] for p in folder.glob("ex[0-9][0-9]_*.py"))
    assert list(hidden.EXERCISES) == found


@pytest.mark.parametrize("bad, message", [
    (dict(name="two words", points=1), "identifier"),
    (dict(name="f", points=0), "points must be a positive number"),
    (dict(name="f", points=1, seconds=float("nan")), "seconds must be"),
    (dict(name="f", points=True), "points must be"),
])
def test_function_entries_are_checked(bad, message):
    with pytest.raises(ValueError, match=message):
        hidden.Function(**bad)


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
    assert check.failed is None


def test_check_explains_a_wrong_shape(capsys):
    def conv2d(x, weight, bias=None, stride=1, padding=0):
        return np.zeros((1, 1, 2, 2))
    check(conv2d)
    out = capsys.readouterr().out
    assert out.startswith("✗ conv2d, check 1 of")
    assert "input (1, 1, 5, 5)" in out
    assert "expected shape (1, 1, 3, 3), got shape (1, 1, 2, 2)" in out


def test_check_shows_plain_numbers_and_a_slice(capsys):
    def conv2d(x, weight, bias=None, stride=1, padding=0):
        right = cnp.conv2d(x, weight, bias, stride=stride, padding=padding)
        right[0, -1, 1, 2] = 0.0
        return right
    check(conv2d)
    out = capsys.readouterr().out
    assert "np.float64" not in out and "array(" not in out
    first = re.search(r"the first at index \((\d+), (\d+), (\d+), (\d+)\): "
                      r"expected (-?[\d.e+-]+), got 0\n", out)
    assert first, out
    assert "expected:" in out and "got:" in out and "*" in out
    # a 2-D slice of the last two axes around the difference
    assert re.search(r"around it, \[\d+, \d+, \d+:\d+, \d+:\d+\]", out)
    assert max(len(line) for line in out.splitlines()[1:]) <= 79


def test_check_keeps_the_failing_case_to_rerun(capsys):
    def linear(x, weight, bias=None):
        return x @ weight.T          # forgets the bias
    check(linear, "06_linear")
    out = capsys.readouterr().out
    assert "check.failed.rerun()" in out
    failed = check.failed
    assert failed.kwargs == {} and len(failed.args) == 3
    np.testing.assert_allclose(failed.expected, cnp.linear(*failed.args))
    np.testing.assert_allclose(failed.rerun(), failed.got)
    np.testing.assert_allclose(failed.got, failed.args[0]
                               @ failed.args[1].T)


def test_check_names_the_students_own_line(capsys):
    """An error in a helper: its name, line and code, as in a notebook."""
    cell = ("def _helper(x):\n    return x[:, :, 10]\n\n\n"
            "def conv2d(x, weight, bias=None, stride=1, padding=0):\n"
            "    return _helper(x)\n")
    filename = "/tmp/ipykernel_4242/1234567.py"   # how IPython names cells
    linecache.cache[filename] = (len(cell), None, cell.splitlines(True),
                                 filename)
    namespace = {}
    exec(compile(cell, filename, "exec"), namespace)
    check(namespace["conv2d"])
    out = capsys.readouterr().out
    assert "raised IndexError" in out
    assert "in _helper, line 2 of its cell: return x[:, :, 10]" in out


def test_check_accepts_float32_within_its_rounding(capsys):
    def pad2d(x, padding):
        p = ((0, 0), (0, 0), (padding, padding), (padding, padding))
        return np.pad(x, p).astype(np.float32)
    check(pad2d)
    out = capsys.readouterr().out
    assert out.startswith("✓ pad2d: all 3 checks passed")
    assert "your result is float32" in out

    def linear(x, weight, bias=None):
        out = (x @ weight.T).astype(np.float32)
        return out if bias is None else out + np.float32(bias) + 1e-3
    check(linear)
    out = capsys.readouterr().out
    assert "values differ" in out and "your result is float32" in out


@pytest.mark.parametrize("answer", [
    [[1.0, 2.0], [3.0]], 10 ** 400, None, "text", {"a": 1},
    type("Weird", (), {"__repr__": lambda s: 1 / 0,
                       "__eq__": lambda s, o: 1 / 0})()])
def test_check_never_raises_for_odd_answers(answer, capsys):
    def conv2d(x, weight, bias=None, stride=1, padding=0):
        return answer
    check(conv2d)
    out = capsys.readouterr().out
    assert out.startswith("✗ conv2d, check 1 of"), out
    assert "Traceback" not in out


def test_check_reports_unstable_sigmoid(capsys):
    def sigmoid(x):
        return 1 / (1 + np.exp(-x))
    check(sigmoid)
    out = capsys.readouterr().out
    assert "FloatingPointError" in out and "+-1000" in out

    def sigmoid(x):  # inf / inf on rows of very large values
        return np.exp(x) / (1 + np.exp(x))
    check(sigmoid)
    out = capsys.readouterr().out
    assert "(extreme)" in out and "nan or infinite" in out, out


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
    assert compare(0.5, np.float64(0.25)) == "expected 0.5, got 0.25"
    assert compare(1.0, 1.0001) == "expected 1, got 1.0001"
    assert "got NoneType" in compare(expected, None)
    assert compare(True, 1.0).startswith("expected True")
    assert "not rectangular" in compare(expected, [[1.0, 2.0], [3.0]])
    assert "an int of 401 digits" in compare(3, 10 ** 400)


def test_compare_hides_expected_values_when_asked():
    expected = np.arange(24.0).reshape(2, 3, 4)
    got = expected.copy()
    got[1, 2, 3] = -1
    shown = compare(expected, got)
    hidden_ = compare(expected, got, reveal=False)
    assert "expected 23, got -1" in shown and "expected:" in shown
    assert "expected" not in hidden_ and "got -1" in hidden_
    assert "around it, [1, 0:3, 0:4]" in hidden_


def test_hidden_cases_do_not_reveal_expected_values(children_tmp):
    """A wrong answer must not teach the hidden answer to resubmit."""
    cases = [c for c in hidden.build("06_linear")
             if c.function in ("linear_params", "linear")]
    cells = [(1, "def linear_params(i, o, bias=True):\n    return -1\n"
              "def linear(x, weight, bias=None):\n"
              "    return np.zeros(x.shape[:-1] + weight.shape[:1])\n")]
    outcomes, _, _, _ = grader.run_cases(cells, cases)
    for case, outcome in zip(cases, outcomes):
        assert not outcome["passed"]
        assert "expected" not in outcome["output"]
        if case.function == "linear_params":
            assert outcome["output"] == "wrong answer: got -1"
        else:
            assert "values differ" in outcome["output"]


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


# ------------------------------------------- one submission, in a child

def _cases(function, exercise="06_linear"):
    return [c for c in hidden.build(exercise) if c.function == function]


def test_numpy_random_works_in_the_sandbox(children_tmp):
    cell = ("import random\n\ndef linear_params(i, o, bias=True):\n"
            "    rng = np.random.default_rng(0)\n"
            "    np.random.seed(1)\n"
            "    noise = rng.standard_normal(3).sum() + np.random.rand()\n"
            "    noise += random.random()\n"
            "    return i * o + (o if bias else 0) + 0 * int(noise)\n")
    outcomes, errors, failures, _ = grader.run_cases(
        [(1, cell)], _cases("linear_params"))
    assert errors == [] and failures == []
    assert all(o["passed"] for o in outcomes), outcomes


def test_a_denied_import_says_what_is_allowed(children_tmp):
    cell = ("def linear_params(i, o, bias=True):\n"
            "    import threading\n")
    outcomes, _, _, _ = grader.run_cases([(1, cell)],
                                         _cases("linear_params")[:1])
    assert "importing threading is not allowed" in outcomes[0]["output"]
    assert "np.random included" in outcomes[0]["output"]


def test_child_reaches_python_through_the_graders_descriptors(
        children_tmp):
    """NumPy, its lazily imported parts and the standard library are
    reached through /proc/self/fd/N, so the real path (perhaps under a
    folder the child may not enter) is never walked."""
    cell = ("import sys\n\ndef linear_params(i, o, bias=True):\n"
            "    import numpy.fft\n"
            "    raise RuntimeError(repr([np.__file__, np.fft.__file__,"
            " np.random.__file__] + sys.path))\n")
    outcomes, _, _, layers = grader.run_cases([(1, cell)],
                                              _cases("linear_params")[:1])
    paths = eval(re.search(r"RuntimeError: (\[[^]]*\])", outcomes[0]["output"])
                 .group(1))
    assert all(p.startswith("/proc/self/fd/") for p in paths), paths
    assert "audit hook" in layers and "resource limits" in layers


def test_each_call_has_its_functions_time_budget(children_tmp):
    """Budgets are per call: slow but in time passes; too slow loses that
    function's cases only, with the line that was running."""
    cell = ("import time\n\n"
            "def linear_params(i, o, bias=True):\n"
            "    time.sleep(0.3)\n"
            "    return i * o + (o if bias else 0)\n\n"
            "def linear(x, weight, bias=None):\n"
            "    time.sleep(30)\n")
    cases = _cases("linear") + _cases("linear_params")
    start = time.monotonic()
    outcomes, _, failures, _ = grader.run_cases(
        [(4, cell)], cases, Limits(), {"linear": 0.5, "linear_params": 1})
    elapsed = time.monotonic() - start
    by = {f: [o for o in outcomes if o["function"] == f]
          for f in ("linear", "linear_params")}
    assert all(o["passed"] for o in by["linear_params"])   # 4 x 0.3 s > 1 s
    first, *rest = by["linear"]
    assert first["output"] == ("time limit of 0.5 s per call exceeded: "
                               "stopped (cell 4, line 8, in linear: "
                               "time.sleep(30))")
    assert all(o["output"].startswith("not run: an earlier case exceeded")
               for o in rest)
    assert [f.status for f in failures] == ["timeout"]
    assert elapsed < 15


def test_loading_has_its_own_budget_naming_cell_and_line(children_tmp):
    """Slow test code at a cell's top level is stopped where it runs; the
    definitions after it still count."""
    cells = [(3, "def linear_params(i, o, bias=True):\n"
                 "    return i * o + (o if bias else 0)\n"),
             (5, "total = 0\nwhile True:\n    total += 1\n"
                 "print(total)\n\n"
                 "def linear(x, weight, bias=None):\n"
                 "    out = x @ weight.T\n"
                 "    return out if bias is None else out + bias\n")]
    outcomes, errors, failures, _ = grader.run_cases(
        cells, _cases("linear") + _cases("linear_params"), Limits(load=1))
    assert failures == [] and all(o["passed"] for o in outcomes)
    assert re.match(r"the notebook's code ran longer than its budget of "
                    r"1 s and was stopped \(cell 5, line [23]: ", errors[0])
    assert "1 later statement(s) other than definitions were skipped" \
        in errors[0]


def test_loading_that_cannot_be_interrupted_is_stopped(children_tmp):
    cells = [(2, "x = sum(range(10 ** 12))  # C code, never checks\n")]
    outcomes, _, failures, _ = grader.run_cases(
        cells, _cases("linear_params"), Limits(load=0.5))
    assert [f.status for f in failures] == ["timeout"]
    assert all("could not be interrupted" in o["output"] for o in outcomes)


def _notebook(tmp_path, name, replacements, exercise="06_linear"):
    """A copy of the source notebook with its solutions, some code
    replaced (each cell's code ends with a newline)."""
    nb = make_class.solved(exercise)
    for cell in nb["cells"]:
        cell["source"] += "\n"
        for old, new in replacements:
            cell["source"] = cell["source"].replace(old, new)
    path = tmp_path / f"{name}.ipynb"
    path.write_text(json.dumps(nb))
    return path


def test_points_are_shared_by_a_functions_cases(tmp_path, children_tmp):
    """linear_params (1 point, 8 cases) right only with a bias: 0.5;
    the others full marks; the total is the sum."""
    path = _notebook(tmp_path, "half", [
        ("(out_features if bias else 0)", "out_features")])
    graded = grader.grade(str(path), path.read_bytes())
    assert graded["extra_data"]["functions"] == {
        "linear": 4, "linear_backward": 6, "linear_params": 0.5,
        "conv1x1_as_linear": 3, "rel_error": 2, "numerical_gradient": 4}
    assert graded["score"] == 19.5 and graded["extra_data"]["max_score"] == 20
    test = next(t for t in graded["tests"]
                if t["extra_data"]["function"] == "linear_params")
    assert (test["score"], test["max_score"], test["status"]) == (
        0.5, 1, "failed")
    assert test["output"].startswith("4 of 8 cases passed\n")


# ------------------------------------------------------ grading a class

@pytest.fixture(scope="module")
def graded_book(tmp_path_factory, children_tmp):
    """Every source (full marks) and released notebook (zero), graded."""
    out = tmp_path_factory.mktemp("book")
    paths = ([str(p) for p in release.sources()]
             + [str(release.RELEASE_DIR / p.name)
                for p in release.sources()])
    results = grade_all(paths, out, jobs=2, progress=False)
    return out, {r["extra_data"]["submission"]: r for r in results}


@pytest.mark.parametrize("exercise", hidden.EXERCISES)
def test_sources_score_full_marks(graded_book, exercise):
    _, results = graded_book
    result = results[str(release.SOURCE_DIR / f"{exercise}.ipynb")]
    assert all(t["status"] == "passed" for t in result["tests"])
    assert result["extra_data"]["status"] == "ok"
    assert result["score"] == result["extra_data"]["max_score"] == 20


@pytest.mark.parametrize("exercise", hidden.EXERCISES)
def test_released_notebooks_score_zero(graded_book, exercise):
    _, results = graded_book
    result = results[str(release.RELEASE_DIR / f"{exercise}.ipynb")]
    assert result["score"] == 0 and result["extra_data"]["max_score"] == 20
    assert all("not implemented yet" in c["output"]
               for c in result["extra_data"]["cases"])


def test_results_json_is_gradescopes(graded_book):
    out, results = graded_book
    files = sorted((out / "results").glob("*.json"))
    assert len(files) == len(results)
    for path in files:
        stored = json.loads(path.read_text())
        assert set(stored) <= GRADESCOPE_TOP
        assert isinstance(stored["score"], (int, float))
        assert stored["visibility"] == "visible"
        for test in stored["tests"]:
            assert {"name", "score", "max_score", "status", "output",
                    "visibility"} <= set(test) <= GRADESCOPE_TEST
            assert test["status"] in ("passed", "failed")
        assert stored["score"] == pytest.approx(
            sum(t["score"] for t in stored["tests"]))
        assert stored["extra_data"]["max_score"] == sum(
            t["max_score"] for t in stored["tests"])


def test_gradebook_has_a_column_per_function(graded_book):
    out, results = graded_book
    with open(out / "gradebook.csv", newline="") as stream:
        header = next(csv.reader(stream))
    functions = [f for e in hidden.EXERCISES for f in hidden.functions(e)]
    assert header == ["submission", "name", "exercise", "points",
                      "max_points", *functions, "written_answered",
                      "written_points", "status", "detail"]
    rows = _rows(out)
    assert list(rows) == list(results)
    for path, result in results.items():
        row = rows[path]
        assert float(row["points"]) == result["score"]
        assert float(row["max_points"]) == 20
        mine = hidden.functions(result["extra_data"]["exercise"])
        assert sum(float(row[f]) for f in mine) == result["score"]
        assert all(row[f] == "" for f in functions if f not in mine)


def test_a_feedback_page_per_submission(graded_book):
    out, results = graded_book
    pages = {p.stem: p.read_text() for p in (out / "feedback").glob("*.md")}
    assert len(pages) == len(results)
    released = results[str(release.RELEASE_DIR / "06_linear.ipynb")]
    page = pages[released["extra_data"]["name"]]
    assert page.startswith("# Feedback: 06_linear\n")
    assert "**Score: 0 of 20 points**" in page
    assert "| `linear_backward` | 0 / 6 | 0 / 9 |" in page
    assert "not implemented yet" in page


def test_written_answers_are_collected_for_marking_by_hand(graded_book):
    """Sources hold model answers, released notebooks none; both list
    every question; the feedback page shows them."""
    out, results = graded_book
    rows = _rows(out)
    for exercise in hidden.EXERCISES:
        for folder, answered in ((release.SOURCE_DIR, True),
                                 (release.RELEASE_DIR, False)):
            path = str(folder / f"{exercise}.ipynb")
            written = results[path]["extra_data"]["written"]
            assert len(written) >= 2
            assert all(w["question"].startswith("**Question ")
                       for w in written)
            assert all(bool(w["answer"]) == answered for w in written)
            assert rows[path]["written_answered"] == (
                f"{len(written) if answered else 0} of {len(written)}")
            assert rows[path]["written_points"] == ""
    page = next((out / "feedback").glob("*.md")).read_text()
    assert "## Written answers (marked by hand)" in page


def test_the_instructors_written_marks_survive_a_regrade(tmp_path):
    sub = tmp_path / "ann_06_linear.ipynb"
    shutil.copy(release.SOURCE_DIR / "06_linear.ipynb", sub)
    out = tmp_path / "out"
    grade_all([str(sub)], out, progress=False)
    book = out / "gradebook.csv"
    rows = gradebook.read_rows(book)
    rows[0]["written_points"] = "3.5"
    gradebook.write_gradebook(book, rows)
    grade_all([str(sub)], out, progress=False, force=True)
    assert gradebook.read_rows(book)[0]["written_points"] == "3.5"


def test_results_report_the_sandbox_layers(graded_book):
    _, results = graded_book
    for result in results.values():
        layers = result["extra_data"]["sandbox"]
        assert "audit hook" in layers and "resource limits" in layers
        if sandbox.landlock_abi():
            assert {"landlock", "seccomp"} <= set(layers)
        if sandbox.child_user():
            assert "unprivileged user" in layers


def test_results_are_named_after_the_student(tmp_path):
    paths = [tmp_path / "alice" / "05_pooling.ipynb",
             tmp_path / "bob_05_pooling.ipynb",
             tmp_path / "x" / "carol.ipynb", tmp_path / "y" / "carol.ipynb"]
    chosen = gradebook.names([str(p) for p in paths], tmp_path / "out",
                             hidden.EXERCISES)
    names = [chosen[str(p)] for p in paths]
    assert names[:2] == ["alice", "bob_05_pooling"]
    assert re.fullmatch(r"carol-[0-9a-f]{8}", names[2])
    assert names[2] != names[3] and names[3].startswith("carol-")


# ------------------------------------------- the instructor's own seed

def _inputs(cases):
    return [repr((c.args, c.kwargs)) for c in cases]


def _edge(case):
    """Sizes or values of 0 and 1 only (e.g. in=1, out=1; rel_error of
    0 and 0): kept under any seed."""
    flat = list(case.args) + list(case.kwargs.values())
    return all(v is None or isinstance(v, bool)
               or (isinstance(v, (int, float)) and v in (0, 1))
               for v in flat)


@pytest.mark.parametrize("exercise", hidden.EXERCISES)
def test_instructor_seed_draws_every_hidden_input_anew(exercise):
    package = _inputs(hidden.build(exercise))
    edges = [_edge(c) for c in hidden.build(exercise)]
    for seed in (1, 2):
        own = _inputs(hidden.build(exercise, seed=seed))
        assert len(own) == len(package)
        same = [a == b for a, b in zip(own, package)]
        assert all(edge for edge, kept in zip(edges, same) if kept)
        assert sum(same) <= 2
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
        results[result["extra_data"]["submission"]] = result
    return out / "o", results, seed_file


def test_sources_score_full_marks_on_the_instructors_cases(
        graded_with_seed):
    _, results, _ = graded_with_seed
    for source in release.sources():
        result = results[str(source)]
        assert result["score"] == result["extra_data"]["max_score"] > 0


def test_students_see_the_inputs_of_the_cases_they_failed(
        graded_with_seed):
    _, results, seed_file = graded_with_seed
    seed = hidden.seed_from_text(seed_file.read_text())
    released = release.RELEASE_DIR / "04_dilated.ipynb"
    names = [c["name"] for c in results[str(released)]["extra_data"]["cases"]]
    own = [c.name for c in hidden.build("04_dilated", seed=seed)]
    assert names == own
    assert own != [c.name for c in hidden.build("04_dilated")]


def test_another_seed_regrades_and_the_same_seed_resumes(tmp_path):
    source = str(release.SOURCE_DIR / "06_linear.ipynb")
    first = grade_all([source], tmp_path, progress=False, seed=5)[0]
    again = grade_all([source], tmp_path, progress=False, seed=5)
    other = grade_all([source], tmp_path, progress=False, seed=6)[0]
    assert (again.graded, again.reused) == (0, 1)
    assert again[0]["extra_data"]["fingerprint"] == \
        first["extra_data"]["fingerprint"]
    assert again[0]["execution_time"] == first["execution_time"]  # resumed
    assert other["extra_data"]["fingerprint"] != \
        first["extra_data"]["fingerprint"]
    assert first["extra_data"]["fingerprint"] != grader.fingerprint()


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


# ------------------------------------------ the instructor's own tests

INSTRUCTOR_TESTS = '''
from convlib import shapes
from convlib.grading.hidden import Case, Function

EXERCISE = "06_linear"
# linear_params now weighs 4 points; its cases (the package's 8 and
# these 2) share them
FUNCTIONS = (Function("linear_params", points=4, seconds=1),)


def cases(rng, vary=False):
    sizes = [(1, 1), (7, 5)] if not vary else [
        (int(rng.integers(1, 9)), int(rng.integers(1, 9))) for _ in "ab"]
    return [Case("linear_params", f"mine: in={i}, out={o}, bias=False",
                 (i, o), dict(bias=False),
                 reference=lambda i, o, bias: shapes.count_params(
                     "linear", in_features=i, out_features=o, bias=bias))
            for i, o in sizes]
'''


def test_instructors_add_their_own_cases_and_weights(tmp_path,
                                                     children_tmp):
    tests = tmp_path / "my_tests"
    tests.mkdir()
    (tests / "more_linear.py").write_text(INSTRUCTOR_TESTS)
    source = str(release.SOURCE_DIR / "06_linear.ipynb")
    wrong = _notebook(tmp_path, "wrong_06_linear", [
        ("(out_features if bias else 0)", "out_features")])
    results = grade_all([source, str(wrong)], tmp_path / "out",
                        progress=False, tests=str(tests))
    full, half = results
    assert full["score"] == full["extra_data"]["max_score"] == 23
    names = [c["name"] for c in full["extra_data"]["cases"]]
    assert "mine: in=7, out=5, bias=False" in names
    # right with a bias only: 4 of the package's 8 cases, none of mine
    assert half["extra_data"]["functions"]["linear_params"] == \
        pytest.approx(4 * 4 / 10, abs=0.01)
    plain = grade_all([source], tmp_path / "plain", progress=False)[0]
    assert plain["extra_data"]["fingerprint"] != \
        full["extra_data"]["fingerprint"]


@pytest.mark.parametrize("text, message", [
    ("EXERCISE = '99_nothing'\n", "EXERCISE must name an exercise set"),
    ("EXERCISE = '06_linear'\n", "define cases"),
    ("import nothing_at_all\n", "cannot be imported"),
    ("from convlib.grading.hidden import Case\nEXERCISE = '06_linear'\n"
     "def cases(rng, vary=False):\n"
     "    return [Case('nothing', 'x', (), reference=len)]\n",
     "cases for nothing, which FUNCTIONS does not list"),
    ("EXERCISE = '06_linear'\ndef cases(rng, vary=False):\n"
     "    return [1]\n", "must return Case objects"),
])
def test_instructors_tests_that_cannot_be_used_are_named(
        tmp_path, capsys, text, message):
    tests = tmp_path / "t"
    tests.mkdir()
    (tests / "bad.py").write_text(text)
    hidden.load_extra.cache_clear()
    with pytest.raises(SystemExit) as exit_:
        main(["grade", str(release.SOURCE_DIR / "06_linear.ipynb"),
              "--out", str(tmp_path / "o"), "--tests", str(tests)])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "--tests:" in err and "bad.py" in err and message in err


# ------------------------------------------ resuming, forcing, naming

def test_rerun_resumes_and_regrades_changed(tmp_path, monkeypatch):
    source = release.SOURCE_DIR / "06_linear.ipynb"
    copy = tmp_path / "student_06_linear.ipynb"
    shutil.copy(source, copy)
    out = tmp_path / "out"
    first = grade_all([str(copy)], out, progress=False)[0]
    assert first["score"] == 20
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


def test_force_regrades_and_the_summary_says_what_was_done(
        tmp_path, capsys, children_tmp):
    sub = tmp_path / "ann_06_linear.ipynb"
    shutil.copy(release.SOURCE_DIR / "06_linear.ipynb", sub)
    argv = ["grade", str(sub), "--out", str(tmp_path / "o")]
    for extra, said in [([], "graded 1, reused 0 unchanged"),
                        ([], "graded 0, reused 1 unchanged"),
                        (["--force"], "graded 1, reused 0 unchanged")]:
        assert main(argv + extra) == 0
        assert said in capsys.readouterr().out


def test_fingerprint_follows_every_module_of_the_package(tmp_path):
    """A module added anywhere in the package grades again."""
    package = tmp_path / "grading"
    shutil.copytree(Path(grader.__file__).parent, package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    before = grader.fingerprint(package=package)
    assert before == grader.fingerprint()
    (package / "hidden" / "ex09_new.py").write_text("FUNCTIONS = ()\n")
    added = grader.fingerprint(package=package)
    (package / "helpers.py").write_text("")
    assert len({before, added, grader.fingerprint(package=package)}) == 3


# ---------------------------------------------------- which exercise?

def test_exercise_from_metadata_functions_name_or_option(tmp_path,
                                                         children_tmp):
    data = json.loads((release.SOURCE_DIR / "06_linear.ipynb").read_text())
    data["metadata"].pop("convlib")
    anonymous = tmp_path / "homework.ipynb"
    anonymous.write_text(json.dumps(data))
    named = tmp_path / "bob-06_linear.ipynb"
    named.write_text(json.dumps(data))
    results = grade_all([str(anonymous), str(named)], tmp_path / "o",
                        progress=False)
    for result in results:
        assert result["extra_data"]["exercise"] == "06_linear"
        assert result["score"] == 20
    assert "graded as 06_linear, found from its functions" in \
        results[0]["extra_data"]["notes"][0]
    forced = grade_all([str(anonymous)], tmp_path / "p", "06_linear",
                       progress=False)[0]
    assert forced["score"] == 20 and forced["extra_data"]["notes"] == []


def test_another_exercise_is_reported_not_silently_zero(tmp_path,
                                                        children_tmp):
    """A pooling notebook graded as exercise 1, by --exercise or by a
    misleading name; no exercise at all with --exercise missing."""
    pooling = tmp_path / "ann_01_convolution.ipynb"
    shutil.copy(release.SOURCE_DIR / "05_pooling.ipynb", pooling)
    data = json.loads(pooling.read_text())
    data["metadata"].pop("convlib")
    renamed = tmp_path / "bea_01_convolution.ipynb"
    renamed.write_text(json.dumps(data))
    forced = grade_all([str(pooling)], tmp_path / "a", "01_convolution",
                       progress=False)
    assert forced[0]["extra_data"]["status"] == "wrong-exercise"
    assert "is exercise 05_pooling (its metadata) but was graded as " \
        "01_convolution" in forced[0]["extra_data"]["detail"]
    assert any("look like another exercise" in w for w in forced.warnings)
    # without --exercise: metadata, then functions, win over the name
    found = grade_all([str(pooling), str(renamed)], tmp_path / "b",
                      progress=False)
    assert [r["extra_data"]["exercise"] for r in found] == ["05_pooling"] * 2
    assert [r["score"] for r in found] == [20, 20]
    forced = grade_all([str(renamed)], tmp_path / "c", "01_convolution",
                       progress=False)[0]
    assert forced["extra_data"]["status"] == "wrong-exercise"
    assert "defines none of 01_convolution's functions but those of " \
        "05_pooling" in forced["extra_data"]["detail"]


def test_unreadable_file_is_scored_out_of_the_runs_exercise(tmp_path):
    """A corrupt, renamed file among 06_linear submissions: 0 of 20, not
    a 0/0 row."""
    good = tmp_path / "ann_06_linear.ipynb"
    shutil.copy(release.RELEASE_DIR / "06_linear.ipynb", good)
    corrupt = tmp_path / "upload.ipynb"
    corrupt.write_text(good.read_text()[:300])
    lonely = grade_all([str(corrupt)], tmp_path / "a", progress=False)[0]
    assert lonely["extra_data"]["status"] == "invalid"
    assert "grade it with --exercise" in lonely["extra_data"]["detail"]
    results = grade_all([str(good), str(corrupt)], tmp_path / "b",
                        progress=False)
    broken = results[1]["extra_data"]
    assert (broken["status"], broken["exercise"], broken["max_score"]) == (
        "invalid", "06_linear", 20)
    assert "the exercise of the other submissions" in broken["notes"][0]


def test_untagged_notebook_with_magics_runs_every_code_cell(tmp_path,
                                                            children_tmp):
    nb = nbformat.read(release.SOURCE_DIR / "06_linear.ipynb", 4)
    for cell in nb.cells:
        cell.metadata.pop("tags", None)
    cell = next(c for c in nb.cells if c.source.startswith("def linear("))
    cell.source = "%load_ext autoreload\n!pip list\n" + cell.source
    path = tmp_path / "untagged_06_linear.ipynb"
    nbformat.write(nb, path)
    result = grade_all([str(path)], tmp_path / "o", progress=False)[0]
    assert result["score"] == 20
    assert "importing convlib.grading is not allowed" in result["output"]


def test_grading_threads_parse_one_at_a_time(monkeypatch):
    """The batch's threads never build two ASTs at once: CPython 3.11
    can fail that with a SystemError (`notebook._PARSING`). A stand-in
    for ast.parse that takes 20 ms counts the parses under way."""
    import ast
    import threading
    from convlib.grading import notebook
    real, busy, most, lock = ast.parse, [0], [0], threading.Lock()

    def slow_parse(source, *args, **kwargs):
        with lock:
            busy[0] += 1
            most[0] = max(most[0], busy[0])
        time.sleep(0.02)
        with lock:
            busy[0] -= 1
        return real(source, *args, **kwargs)
    monkeypatch.setattr(ast, "parse", slow_parse)
    cells = [(0, "def f(x):\n    return x\n")] * 3
    found = []
    threads = [threading.Thread(target=lambda: found.append(
        notebook.defined_functions(cells))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert found == [{"f"}] * 4
    assert most[0] == 1, f"{most[0]} parses at once"


# ------------------------------------------------- hostile submissions

LINEAR, BACKWARD, PARAMS, CONV1X1 = 4, 6, 1, 3   # of 20: rel_error,
# numerical_gradient (2 + 4) are missing from these older notebooks
ALL = LINEAR + BACKWARD + PARAMS + CONV1X1
STDLIB = os.path.dirname(os.__file__)
HOSTILE_CASES = {
    # name: (points, status, text in detail or a case's output)
    "timeout_loop": (ALL - BACKWARD, "timeout",
                     "time limit of 1 s per call exceeded: stopped (cell 8"),
    "toplevel_loop": (ALL, "ok", "ran longer than its budget of 3 s and was "
                      "stopped (cell 6, line"),
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
    "compare_crash": (LINEAR + BACKWARD, "ok", "an int of 401 digits"),
    "odd_text": (ALL - LINEAR, "ok", "ValueError: bad \ufffd \ufffd"),
    "dir_fd": (ALL - LINEAR, "ok", f"opening {STDLIB!r} is not allowed"),
    "inherited_fd": (ALL - LINEAR, "ok",
                     "descriptors that reached hidden files: []"),
    "whoami": (ALL - BACKWARD, "ok",
               "back_to_root=setuid 1 seteuid 1 setresuid 1"),
}


def _hostile_copies(folder, children_tmp, names):
    """tests/hostile notebooks with real paths filled in, into `folder`."""
    pwned = children_tmp / "convlib-hostile-pwned"
    places = {"__HIDDEN_PATH__": ROOT / "convlib/grading/hidden/"
              "ex06_linear.py", "__SOURCE_PATH__": release.SOURCE_DIR
              / "06_linear.ipynb", "__REPO__": ROOT,
              "__PWNED_PATH__": pwned}
    paths = []
    for name in names:
        data = (HOSTILE / f"{name}.ipynb").read_bytes()
        for key, value in places.items():
            data = data.replace(key.encode(), str(value).encode())
        (folder / f"{name}.ipynb").write_bytes(data)
        paths.append(str(folder / f"{name}.ipynb"))
    return paths, pwned


@pytest.fixture(scope="module")
def graded_hostile(tmp_path_factory, children_tmp):
    """Every hostile submission, graded at once by the command line."""
    folder = tmp_path_factory.mktemp("hostile")
    paths, pwned = _hostile_copies(folder, children_tmp, HOSTILE_CASES)
    out = folder / "out"
    code = main(["grade", *paths, "--exercise", "06_linear", "--out",
                 str(out), "--load-timeout", "3", "--jobs", "2"])
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
    result = _result(out, name)
    assert (float(row["points"]), row["status"]) == (points, status), row
    assert float(row["max_points"]) == 20
    assert any(text in o for o in _outputs(result)), _outputs(result)


def test_child_runs_unprivileged_when_the_grader_is_root(graded_hostile):
    """As root, the child is `nobody` for good and owns its directory;
    otherwise it is the grader's own user."""
    out, _, _ = graded_hostile
    text = next(o for o in _outputs(_result(out, "whoami"))
                if "ids=" in o)
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


def test_the_audit_hook_alone_holds_the_descriptors(tmp_path, monkeypatch,
                                                    children_tmp, capsys):
    """Without the kernel's layers (as on a kernel without Landlock), the
    audit hook still keeps the inherited descriptors from reaching hidden
    files, and the run warns, once, that layers were missing."""
    monkeypatch.setattr(sandbox, "landlock_abi", lambda: 0)
    paths, _ = _hostile_copies(tmp_path, children_tmp,
                               ["inherited_fd", "dir_fd", "read_secrets"])
    assert main(["grade", *paths, "--exercise", "06_linear", "--out",
                 str(tmp_path / "out")]) == 0
    for name in ("inherited_fd", "dir_fd", "read_secrets"):
        result = _result(tmp_path / "out", name)
        assert "landlock" not in result["extra_data"]["sandbox"]
        assert any(HOSTILE_CASES[name][2] in o for o in _outputs(result))
    err = capsys.readouterr().err
    assert err.count("warning: the sandbox ran without landlock and "
                     "seccomp") == 1


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
    assert results[0]["score"] == 20
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


# ------------------------------------------------------ a class of 12

@pytest.fixture(scope="module")
def graded_class(tmp_path_factory, children_tmp):
    out = tmp_path_factory.mktemp("class")
    code = main(["grade", str(CLASS), "--exercise", "05_pooling", "--out",
                 str(out), "--load-timeout", "3", "--jobs", "2"])
    assert code == 0
    return out


def test_the_class_is_up_to_date(tmp_path):
    make_class.main(tmp_path)
    written = sorted(p.relative_to(tmp_path) for p in
                     tmp_path.rglob("*.ipynb"))
    stored = sorted(p.relative_to(CLASS) for p in CLASS.rglob("*.ipynb"))
    assert written == stored and len(stored) == 12
    for path in written:
        assert (tmp_path / path).read_text() == (CLASS / path).read_text(), (
            f"{path}: run python tests/grading_class/make_class.py")


CLASS_GRADES = {
    # name: (points, status, text in the detail or a case's output)
    "alice": (20, "ok", "57/57 cases passed"),
    "bob_05_pooling": (15.78, "ok", "values differ"),
    "carol_05_pooling": (20, "ok", "57/57 cases passed"),
    "dave_05_pooling": (16, "timeout", "time limit of 2 s per call exceeded:"
                        " stopped (cell 7, line 7, in max_pool2d: "
                        "time.sleep(3))"),
    "erin_05_pooling": (15, "crashed", "IndexError: list index out of range "
                        "(cell 19, line 9, in _bin: return edges[i], "
                        "edges[i + 1])"),
    "frank_05_pooling": (10, "ok", "os.system is not allowed"),
    "grace_05_pooling": (0, "wrong-exercise", "is exercise 06_linear (its "
                         "metadata) but was graded as 05_pooling"),
    "heidi": (19.25, "ok", "wrong answer: got"),
    "ivan_05_pooling": (0, "invalid", "not a readable Jupyter notebook"),
    "judy_05_pooling": (20, "ok", "ran longer than its budget of 3 s and "
                        "was stopped (cell 7, line"),
    "mallory_05_pooling": (0, "ok", "not implemented yet"),
    "oscar_05_pooling": (15.06, "ok", "expected a tuple of 2 items, got "
                         "ndarray"),
}


@pytest.mark.parametrize("name", sorted(CLASS_GRADES))
def test_a_class_of_twelve(graded_class, name):
    points, status, text = CLASS_GRADES[name]
    rows = {r["name"]: r for r in _rows(graded_class).values()}
    assert set(rows) == set(CLASS_GRADES)
    row, result = rows[name], _result(graded_class, name)
    assert (float(row["points"]), row["status"]) == (points, status), row
    assert float(row["max_points"]) == 20
    assert any(text in o for o in _outputs(result)), _outputs(result)
    assert (graded_class / "feedback" / f"{name}.md").is_file()


def test_the_class_float32_and_slow_functions(graded_class):
    carol = (graded_class / "feedback" / "carol_05_pooling.md").read_text()
    assert "Every case passed." in carol
    frank = _result(graded_class, "frank_05_pooling")["extra_data"]
    assert frank["functions"]["max_pool2d"] == 0
    assert any("hidden/ex05_pooling.py' is not allowed" in c["output"]
               for c in frank["cases"])


# ------------------------------------------------------------- the CLI

@pytest.mark.parametrize("argv, message", [
    (["grade", "missing.ipynb", "--out", "o"], "not found"),
    (["grade", "x", "--out", "o", "--exercise", "99_x"],
     "unknown exercise '99_x'"),
    (["grade", "x", "--out", "o", "--load-timeout", "0"],
     "--load-timeout must be"),
    (["grade", "x", "--out", "o", "--time-scale", "-1"],
     "--time-scale must be"),
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


def test_help_documents_every_argument_and_imports_nothing_slow():
    parser = _parser()
    commands = parser._subparsers._group_actions[0].choices
    for name, command in commands.items():
        for action in command._actions:
            assert action.help, (name, action.dest)
    probe = ("import sys, time\nstart = time.perf_counter()\n"
             "from convlib.grading.__main__ import main\n"
             "for argv in (['--help'], ['grade', '--help'],\n"
             "             ['gradescope', '--help']):\n"
             "    try:\n        main(argv)\n    except SystemExit:\n"
             "        pass\n"
             "print(sorted(m for m in ('numpy', 'nbformat', 'tqdm', "
             "'convlib.numpy') if m in sys.modules), "
             "time.perf_counter() - start, file=sys.stderr)\n")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True,
                         text=True, timeout=60, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert run.stderr.startswith("[] "), run.stderr   # imported nothing slow
    assert "results/NAME.json" in run.stdout and "feedback/NAME.md" in \
        run.stdout


def test_readme_documents_every_output_and_option():
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Exercises"):]
    for needed in ("gradebook.csv", "results/", "feedback/", "run_autograder",
                   "setup.sh", "make course-book", "--tests", "--force",
                   "--load-timeout", "--time-scale", "--exercise", "--jobs",
                   "--memory", "--seed", "--seed-file", "check.failed",
                   "points=", "seconds="):
        assert needed in section, needed


def test_ctrl_c_stops_the_children_and_keeps_the_gradebook(tmp_path):
    """SIGINT as a terminal sends it: no traceback, children gone."""
    private = Path(tempfile.mkdtemp(prefix="convlib-test-sigint-"))
    os.chmod(private, 0o755)
    subs = []
    for i in range(3):   # each runs C code that never checks signals
        subs.append(str(_notebook(tmp_path, f"s{i}_06_linear", [(
            "    return out\n", "    return out\n\n"
            "x = sum(range(10 ** 12))\n")])))
    out = tmp_path / "out"
    run = subprocess.Popen(
        [sys.executable, "-m", "convlib.grading", "grade", *subs, "--out",
         str(out), "--jobs", "2", "--load-timeout", "60"],
        cwd=ROOT, env={**os.environ, "TMPDIR": str(private)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,   # SIGINT as a terminal has it (pytest-
        # xdist's workers ignore it, and an ignored signal is inherited)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 60
        while len(list(private.glob("convlib-grade-*"))) < 2:
            assert time.monotonic() < deadline and run.poll() is None
            time.sleep(0.1)
        time.sleep(0.5)
        os.killpg(run.pid, signal.SIGINT)
        stdout, stderr = run.communicate(timeout=30)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
        left = list(private.glob("convlib-grade-*"))
        shutil.rmtree(private, ignore_errors=True)
    assert run.returncode == 130, stderr
    assert "Traceback" not in stderr and "interrupted: 0 of 3" in stderr
    assert left == []
    assert gradebook.read_rows(out / "gradebook.csv") == []


# ------------------------------------------------------------ Gradescope

def test_gradescope_entry_point(tmp_path, capsys, children_tmp):
    submission = tmp_path / "submission"
    submission.mkdir()
    shutil.copy(release.SOURCE_DIR / "06_linear.ipynb",
                submission / "my_work.ipynb")
    results = tmp_path / "results" / "results.json"
    assert main(["gradescope", "--submission", str(submission),
                 "--results", str(results), "--exercise", "06_linear"]) == 0
    stored = json.loads(results.read_text())
    assert set(stored) <= GRADESCOPE_TOP and stored["score"] == 20
    assert all(set(t) <= GRADESCOPE_TEST for t in stored["tests"])
    assert "# Feedback: 06_linear" in capsys.readouterr().out
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["gradescope", "--submission", str(empty), "--results",
                 str(results), "--exercise", "06_linear"]) == 0
    stored = json.loads(results.read_text())
    assert stored["score"] == 0 and len(stored["tests"]) == 6
    assert "no Jupyter notebook (.ipynb) was submitted" in stored["output"]


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
    assert order == ["exercise", "check", "solution"] * 6
    solution = next(c for c in cells
                    if "solution" in c["metadata"].get("tags", []))
    assert ":class: dropdown" in solution["source"]
    assert "out = x @ weight.T" in solution["source"]
    assert "### BEGIN" not in solution["source"]


def test_book_builds_with_and_without_solutions(tmp_path, monkeypatch):
    """The -D flag and the environment switch of `make course-book`."""
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
    for flag, env in (("1", None), ("0", None), ("1", "0")):
        if env is not None:
            monkeypatch.setenv(exercise_solutions.SWITCH, env)
        out = tmp_path / f"html{flag}{env}"
        assert sphinx.build_main(["-q", "-W", "-b", "html", "-D",
                                  f"exercise_solutions={flag}",
                                  str(src), str(out)]) == 0
        pages[flag, env] = (out / "exercises/06_linear.html").read_text()
    assert pages["1", None].count('class="dropdown admonition"') == 6
    assert "Solution: linear_backward" in pages["1", None]
    for without in (pages["0", None], pages["1", "0"]):
        assert "dropdown admonition" not in without
        assert "Solution:" not in without


def test_children_started_at_once_are_passed_the_folders_they_name():
    """With --jobs 2 two threads start children together; each child's
    configuration must name the descriptors passed to it. Opening the
    folders once under a lock gives every thread the same set (a race
    once left a child without NumPy: 'sandbox-error')."""
    import threading
    from convlib.grading import sandbox
    sandbox._ROOT_FDS.clear()  # the first call of the run, from 8 threads
    seen, start = [], threading.Barrier(8)

    def call():
        start.wait()
        seen.append(sandbox._root_fds())
    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 8 and all(fds == seen[0] for fds in seen)
    assert all(os.path.isdir(f"/proc/self/fd/{fd}")
               for fd in seen[0].values())
