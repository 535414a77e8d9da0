"""The hidden tests catch the usual bugs (issue 32).

Every bug of `grading_bugs.BUGS` (a reference solution with one edit, as
a student would err) must lose points in hidden grading, with the
package's seed and with instructors' own seeds, while the reference
scores full marks. Functions run in this process (no sandbox: the
corpus is ours), the way the child runs them: fresh copies of the
inputs, NumPy warnings raised for the numerically strict cases.

`python tests/test_grading_bugs.py` prints the corpus's table: each
bug's score (package seed) and whether it passes the public self-check.
"""
import copy
import re
import sys
import warnings
from collections import Counter
from functools import lru_cache
from pathlib import Path

import nbformat
import numpy as np
import pytest

from convlib.grading import hidden, release

sys.path.insert(0, str(Path(__file__).resolve().parent))
from grading_bugs import BUGS  # noqa: E402

SEEDS = (None, 11, 2026)   # the package's, then two instructors'


@lru_cache(maxsize=None)
def _cells(exercise):
    """{function name: source of its exercise cell}, notebook order."""
    nb = nbformat.read(release.SOURCE_DIR / f"{exercise}.ipynb", 4)
    cells = {}
    for cell in nb.cells:
        if "exercise" in cell.metadata.get("tags", []):
            name = re.search(r"^def (\w+)\(", cell.source, re.M).group(1)
            cells[name] = cell.source
    return cells


def _mutate(source, bug):
    if bug.old is None:
        body = re.search(r"^([ \t]*)### BEGIN SOLUTION\n(.*?)^[ \t]*### END"
                         r" SOLUTION", source, re.M | re.S)
        indent = body.group(1)
        new = "".join(indent + line + "\n" for line in bug.new.split("\n"))
        return source[:body.start(2)] + new + source[body.end(2):]
    assert source.count(bug.old) == 1, (
        f"{bug.function}: {bug.old!r} occurs {source.count(bug.old)} times"
        " in the solution (the corpus is stale)")
    return source.replace(bug.old, bug.new)


def _namespace(exercise, bug=None):
    """The notebook's solutions, `bug` applied to its function."""
    namespace = {"np": np}
    for name, source in _cells(exercise).items():
        if bug is not None and name == bug.function:
            source = _mutate(source, bug)
        exec(compile(release.solution_code(source), f"<{name}>", "exec"),
             namespace)
    return namespace


def _passes(function, case):
    args, kwargs = copy.deepcopy((case.args, case.kwargs))
    try:
        setting = "raise" if case.strict else "ignore"
        with np.errstate(over=setting, invalid=setting, divide=setting,
                         under="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = function(*args, **kwargs)
    except Exception:  # noqa: BLE001 - a bug may raise anything
        return False
    return case.judge(got, reveal=False) is None


def score(exercise, name, function, seed=None, public=False):
    """(points earned, points possible, cases passed, cases)."""
    cases = [c for c in hidden.build(exercise, public=public, seed=seed)
             if c.function == name]
    points = {f.name: f.points for f in hidden.graded(exercise)}[name]
    passed = sum(_passes(function, c) for c in cases)
    return points * passed / len(cases), points, passed, len(cases)


def _id(bug):
    return f"{bug.function}: {bug.what}"


def test_corpus_has_two_bugs_per_graded_function():
    counts = Counter((b.exercise, b.function) for b in BUGS)
    for exercise in hidden.EXERCISES:
        for name in hidden.functions(exercise):
            if name in _cells(exercise):   # sets added later: their bugs
                assert counts[(exercise, name)] >= 2, (exercise, name)


@pytest.mark.parametrize("exercise", hidden.EXERCISES)
@pytest.mark.parametrize("seed", SEEDS)
def test_reference_scores_full_marks(exercise, seed):
    namespace = _namespace(exercise)
    for name in hidden.functions(exercise):
        earned, points, passed, total = score(exercise, name,
                                              namespace[name], seed)
        assert passed == total, (name, seed, passed, total)


@pytest.mark.parametrize("bug", BUGS, ids=_id)
def test_each_bug_loses_points(bug):
    function = _namespace(bug.exercise, bug)[bug.function]
    for seed in SEEDS:   # stops at the first failed case: enough to lose
        cases = [c for c in hidden.build(bug.exercise, seed=seed)
                 if c.function == bug.function]
        assert not all(_passes(function, c) for c in cases), (
            f"{_id(bug)} scores full marks with seed {seed}")


def table():
    """Rows (exercise, function, bug, hidden score, public passed?)."""
    rows = []
    for bug in BUGS:
        function = _namespace(bug.exercise, bug)[bug.function]
        earned, points, passed, total = score(bug.exercise, bug.function,
                                              function)
        _, _, public, public_total = score(bug.exercise, bug.function,
                                           function, public=True)
        rows.append((bug.exercise, bug.function, bug.what,
                     f"{earned:.3g}/{points:g} ({passed}/{total} cases)",
                     "passes" if public == public_total
                     else f"fails ({public}/{public_total})"))
    return rows


if __name__ == "__main__":
    print("| set | function | bug | hidden score | self-check |")
    print("|---|---|---|---|---|")
    for row in table():
        print("| " + " | ".join(row) + " |")


# ------------------------------------------ what the hidden cases draw

def _traits(case):
    """The kinds of input a case holds: kinds of values named in it, and
    for each (N, C, H, W) array: non-square, batch of one, one channel;
    a stride larger than the kernel."""
    found = {kind for kind in hidden.KINDS if f"({kind})" in case.name}
    for arg in case.args:
        if isinstance(arg, np.ndarray) and arg.ndim == 4:
            n, c, h, w = arg.shape
            found |= {t for t, holds in [("non-square", h != w),
                                         ("batch 1", n == 1),
                                         ("one channel", c == 1)] if holds}
    stride = case.kwargs.get("stride")
    kernel = case.kwargs.get("kernel_size", next(
        (a for a in case.args[1:2] if isinstance(a, int)), None))
    if isinstance(stride, int) and isinstance(kernel, int) \
            and stride > kernel:
        found.add("stride > kernel")
    return found


@pytest.mark.parametrize("exercise", hidden.EXERCISES)
def test_self_check_covers_the_kinds_hidden_tests_use(exercise):
    """A ✓ means the same kinds of inputs pass: every trait of a hidden
    case (ties, zeros, extreme rows, non-square, batch of one, one
    channel, stride > kernel) is in some public case of the function."""
    for name in hidden.functions(exercise):
        def traits(public, seed=None):
            return set().union(*[_traits(c) for c in hidden.build(
                exercise, public=public, seed=seed) if c.function == name])
        public = traits(True)
        for seed in SEEDS:
            assert traits(False, seed) <= public, (
                name, seed, traits(False, seed) - public)


@pytest.mark.parametrize("exercise", hidden.EXERCISES)
def test_seed_redraws_the_settings_of_every_function(exercise):
    """Under an instructor's seed the sizes, shapes, strides ... of every
    function's cases are drawn anew (case names spell them out); only
    edge values (0, 1) and fixed extreme inputs keep their names."""
    package = hidden.build(exercise)
    for seed in (1, 2):
        own = hidden.build(exercise, seed=seed)
        for name in hidden.functions(exercise):
            before = [c.name for c in package if c.function == name]
            after = [c.name for c in own if c.function == name]
            changed = sum(a != b for a, b in zip(before, after))
            assert len(after) == len(before)
            assert changed >= len(before) / 2, (name, seed, changed)


def test_most_hidden_cases_are_not_in_the_self_check():
    cases = [c for e in hidden.EXERCISES for c in hidden.build(e)]
    share = sum(c.hidden_only for c in cases) / len(cases)
    assert share >= 0.4, share


def test_cross_entropy_answers_are_pytorchs():
    """convlib has no cross-entropy: the hidden cases' answers are built
    from its log_softmax; here they meet torch's, value and gradient."""
    torch = pytest.importorskip("torch")
    cases = [c for c in hidden.build("07_activations", seed=5)
             if c.function.startswith("cross_entropy")]
    for case in cases:
        logits = torch.tensor(case.args[0], requires_grad=True)
        loss = torch.nn.functional.cross_entropy(
            logits, torch.tensor(case.args[1]))
        loss.backward()
        want = (loss.item() if case.function == "cross_entropy"
                else logits.grad.numpy())
        np.testing.assert_allclose(case.expected, want, rtol=1e-9,
                                   atol=1e-12)
    assert len(cases) == 20


def _torch_layer(nn, layer):
    if layer[0] == "conv":
        _, c_in, c_out, k, s, p = layer
        return nn.Conv2d(c_in, c_out, k, stride=s, padding=p)
    if layer[0] == "pool":
        return nn.MaxPool2d(layer[1], layer[2])
    if layer[0] == "linear":
        return nn.Linear(layer[1], layer[2])
    return nn.ReLU() if layer[0] == "relu" else nn.Flatten()


def _torch_message(kind, numbers):
    if kind == "channels":
        return "to have {} channels, but got {} channels".format(*numbers)
    if kind == "kernel":
        return "size per channel: ({} x {}). Kernel size: ({} x {})".format(
            *numbers)
    if kind == "pool":
        return ("Given input size: ({}x{}x{}). Calculated output size: "
                "({}x{}x{})").format(*numbers)
    return "({}x{} and {}x{})".format(*numbers)


def test_shape_error_answers_are_pytorchs():
    """Each expected (index, kind, numbers) of first_shape_error is
    where torch stops and the numbers in its message."""
    torch = pytest.importorskip("torch")
    cases = [c for seed in SEEDS for c in hidden.build("08_cnn", seed=seed)
             if c.function == "first_shape_error"]
    for case in cases:
        shape, layers = case.args
        x = torch.zeros(shape)
        stop = len(layers) if case.expected is None else case.expected[0]
        with torch.no_grad():
            for layer in layers[:stop]:
                x = _torch_layer(torch.nn, layer)(x)
            if case.expected is not None:
                with pytest.raises(RuntimeError) as error:
                    _torch_layer(torch.nn, layers[stop])(x)
                assert _torch_message(*case.expected[1:]) in str(
                    error.value), (case.name, str(error.value))
    assert len(cases) == 3 * 14


@pytest.mark.parametrize("exercise", hidden.EXERCISES)
def test_released_cells_show_their_points(exercise):
    nb = nbformat.read(release.RELEASE_DIR / f"{exercise}.ipynb", 4)
    total = hidden.total_points(exercise)
    firsts = [c.source.split("\n")[0] for c in nb.cells
              if "exercise" in c.metadata.get("tags", [])]
    assert firsts == [f"# {f.name}: {f.points:g} of {total:g} points in "
                      "hidden grading" for f in hidden.graded(exercise)
                      if f.name in _cells(exercise)]


@pytest.mark.parametrize("exercise", hidden.EXERCISES)
def test_released_notebook_runs_top_to_bottom(exercise, capsys):
    """Every code cell of the student notebook runs (in this process, as
    "Run all" would), no traceback, and every self-check says its
    function is not implemented yet."""
    nb = nbformat.read(release.RELEASE_DIR / f"{exercise}.ipynb", 4)
    namespace = {"__name__": "__main__"}
    checks = 0
    for number, cell in enumerate(nb.cells, 1):
        if cell.cell_type != "code":
            continue
        exec(compile(cell.source, f"<cell {number}>", "exec"), namespace)
        out = capsys.readouterr().out
        if cell.source.startswith("check("):
            checks += 1
            assert "not implemented" in out, (number, out)
    assert checks == len(_cells(exercise))


def test_a_sent_function_crosses_the_wire_and_nothing_else_does():
    """numerical_gradient's f reaches the child as a fixed formula and
    its parameters; an unknown formula is a protocol error."""
    from convlib.grading import protocol
    f = protocol.SentFunction("sine", [np.ones(3), np.arange(3.0)])
    x = np.linspace(-1, 1, 3)
    back = protocol.decode(protocol.encode({"args": (f, x)}))["args"][0]
    assert back(x) == f(x) and repr(back) == repr(f)
    np.testing.assert_allclose(back.gradient(x), np.arange(3.0) * np.cos(x))
    bad = protocol.encode({"f": f}).replace(b'"sine"', b'"exec"')
    with pytest.raises(protocol.ProtocolError, match="unknown function"):
        protocol.decode(bad)


def test_capstone_answers_are_pytorchs():
    """The capstone's reference loss and gradients (built from convlib)
    are torch's autograd ones."""
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    cases = [c for c in hidden.build("08_cnn", seed=3)
             if c.function == "cnn_loss_and_grads"]
    for case in cases:
        x, y, *params = case.args
        weights = [torch.tensor(p, requires_grad=True) for p in params]
        conv_w, conv_b, fc_w, fc_b = weights
        z = F.relu(F.conv2d(torch.tensor(x), conv_w, conv_b, padding=1))
        loss = F.cross_entropy(F.linear(z.mean(dim=(2, 3)), fc_w, fc_b),
                               torch.tensor(y))
        loss.backward()
        want = [loss.item()] + [w.grad.numpy() for w in weights]
        for got, expected in zip(case.expected, want):
            np.testing.assert_allclose(got, expected, rtol=1e-9,
                                       atol=1e-12)
    assert len(cases) == 6
