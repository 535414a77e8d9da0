"""The benchmark runs, and says what it does -- never its verdict.

`make bench` times on whatever machine runs it, so this test checks
only that its documented short run (``--smoke``) works end to end:
both thread settings, every family of the sweep, the seed, the table
the closing notes need, the figures file, and exit status 0 (it
reports without judging). The figures themselves are not checked.
"""
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "benchmarks")
sys.path.insert(0, BENCH)

import cases  # noqa: E402
import sides  # noqa: E402


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    figures = tmp_path_factory.mktemp("bench") / "run.json"
    result = subprocess.run(
        [sys.executable, os.path.join(BENCH, "bench.py"), "--smoke",
         "--seed", "7", "--json", str(figures)],
        capture_output=True, text=True, timeout=600, cwd=ROOT)
    return result, figures


def test_smoke_run_reports_both_settings_and_exits_0(smoke):
    result, figures = smoke
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "seed 7 (repeat with --seed 7)" in out
    for setting in ("=== default threads", "=== one thread"):
        assert setting in out
    assert "| measure | default threads | one thread | target |" in out
    for measure in ("conv2d forward", "conv2d backward",
                    "grouped forward", "depthwise forward",
                    "transposed forward"):
        assert f"| {measure} |" in out
    assert "it does not judge: exit status 0" in out
    assert "benchmarks/fit_costs.py" in out  # how to refit
    report = json.loads(figures.read_text())
    assert report["seed"] == 7
    names = [name for name, _ in report["cases"]["one thread"]]
    assert len(names) == len(cases.FAMILIES)


def test_the_cost_model_fit_runs_at_both_settings_without_saving():
    """`fit_costs.py` measures every way on a few pieces, one worker
    and every core at once (its threads through `_workers.run`), fits,
    and leaves `_tuning.py` alone without --write."""
    tuning = os.path.join(ROOT, "convlib", "numpy", "_tuning.py")
    with open(tuning) as f:
        before = f.read()
    result = subprocess.run(
        [sys.executable, os.path.join(BENCH, "fit_costs.py"), "--pieces",
         "6", "--repeats", "1", "--settings", "both", "--seed", "3"],
        capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    for setting in ("one worker:", "all workers:"):
        assert setting in result.stdout
    assert "not saved" in result.stdout
    with open(tuning) as f:
        assert f.read() == before


def test_sweep_is_fresh_per_seed_and_covers_every_family():
    one, again, other = (cases.sweep(s, per_family=6) for s in (1, 1, 2))
    assert one == again
    assert one != other
    assert {c["family"] for c in one} == set(cases.FAMILIES)
    assert {c["shapes"][0][0] for c in one} == set(cases.BATCHES)
    assert {c["op"] for c in one} == {"conv2d", "conv_transpose2d"}
    for case in one:
        assert cases._macs(case) <= cases.SWEEP_MACS or \
            case["shapes"][0][2] == 8


def test_every_sweep_holds_the_same_mix_of_settings():
    """Settings are dealt from decks (`cases.SETTINGS`): with six cases
    a family, every seed gives the depthwise family two cases at stride
    2, two of two outputs per channel and two 5x5 kernels, each
    dilation twice, and every transposed setting at least once; only
    the shapes differ."""
    for seed in (1, 2, 3):
        sweep = cases.sweep(seed, per_family=6)

        def count(family, test):
            return sum(bool(test(c)) for c in sweep
                       if c["family"] == family)
        assert count("depthwise", lambda c: c["kwargs"]["stride"] == 2) \
            == 2
        assert count("depthwise", lambda c: c["shapes"][1][0]
                     == 2 * c["shapes"][0][1]) == 2
        assert count("depthwise", lambda c: c["shapes"][1][2] == 5) == 2
        for d in (2, 3, 4):
            assert count("dilated",
                         lambda c: c["kwargs"]["dilation"] == d) == 2
        settings = {(c["shapes"][1][2], c["kwargs"]["stride"],
                     c["kwargs"]["padding"]) for c in sweep
                    if c["family"] == "transposed"}
        assert settings == set(cases.SETTINGS["transposed"]["k s p"])


def test_thread_settings_of_the_sides():
    base = {"OMP_NUM_THREADS": "4", "CONVLIB_WORKERS": "3", "HOME": "/x"}
    default = sides.thread_environment(None, base)
    assert default == {"HOME": "/x"}
    one = sides.thread_environment(1, base)
    assert all(one[name] == "1" for name in sides.THREAD_VARIABLES)


@pytest.mark.parametrize("count", [2, 3, 4])
def test_every_side_takes_every_place_and_none_runs_twice_in_a_row(count):
    rounds = [sides.turns(count, r) for r in range(2 * count)]
    for order in rounds:
        assert sorted(order) == list(range(count))
    for place in range(count):  # each side each place once in `count`
        assert sorted(o[place] for o in rounds[:count]) == list(
            range(count))
    chain = [side for order in rounds for side in order]
    repeats = sum(a == b for a, b in zip(chain, chain[1:]))
    assert repeats == (len(rounds) - 1 if count == 2 else 0)


def test_chapter_8_training_sides_train_the_same_network():
    """`training.py` times two loops; they must be the same training:
    the NumPy and torch sides' losses agree at every step."""
    import numpy as np
    import training
    params, x, y, batches = training.problem()
    batches = batches[:20]
    ours = training.numpy_run({k: v.copy() for k, v in params.items()},
                              x, y, batches)
    theirs = training.torch_run({k: v.copy() for k, v in params.items()},
                                x, y, batches)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    assert ours[-1] < ours[0]  # it trains


def _report(rows, seed=1):
    """A `bench.py --json` report of sweep cases `rows`: (name,
    {setting: (convlib ms, torch ms)}), forward only."""
    report = {"seed": seed, "cases": {}}
    for setting in ("default threads", "one thread"):
        report["cases"][setting] = [
            [name, {"fwd": {"convlib": [t[setting][0], t[setting][1],
                                        t[setting][0] / t[setting][1],
                                        0, 0]}}] for name, t in rows]
    return report


def test_scaling_splits_the_ratio_into_each_librarys_speedup():
    """`scaling.py`: a case where torch gains 2x from the other thread
    and convlib 1.25x is put at convlib's one-thread time over 2; a
    case where convlib gains more keeps its ratio; named cases and
    other families are left out."""
    import scaling
    rows = [
        ("plain 3x3 (8,16,14,14)->32", {"default threads": (8.0, 4.0),
                                        "one thread": (10.0, 8.0)}),
        ("dilat 3x3 (8,16,14,14)->32 d=2", {
            "default threads": (3.0, 6.0), "one thread": (6.0, 6.0)}),
        ("dilated 3x3 d=2 named", {"default threads": (50.0, 1.0),
                                   "one thread": (50.0, 1.0)}),
        ("depth 3x3 (8,16,14,14)->16 s=1", {
            "default threads": (50.0, 1.0), "one thread": (50.0, 1.0)}),
    ]
    figures = scaling.scaling(_report(rows), ("plain", "dilated"), "fwd")
    assert figures["cases"] == 2
    assert figures["default"] == pytest.approx((2.0 * 0.5) ** 0.5)
    assert figures["one thread"] == pytest.approx((1.25 * 1.0) ** 0.5)
    assert figures["convlib speedup"] == pytest.approx((1.25 * 2) ** 0.5)
    assert figures["torch speedup"] == pytest.approx((2.0 * 1.0) ** 0.5)
    # plain: 10 / 2 = 5 ms against 4 ms; dilated keeps 0.5
    assert figures["like torch"] == pytest.approx((1.25 * 0.5) ** 0.5)
    assert scaling.sweep_family("strid 5x5 (4,8,8,8)->8 s=2") == "strided"
    assert scaling.sweep_family("resnet18 conv1 7x7/2") is None


def test_scaling_table_of_a_real_run_agrees_with_the_bench(smoke):
    """On the smoke run's figures, the table has every target at both
    settings, and its default-thread figure is the bench's own."""
    import scaling
    _, figures = smoke
    report = json.loads(figures.read_text())
    out = scaling.table([report, report])
    import bench
    for name, families, direction, _ in bench.TARGETS:
        lines = [line for line in out.splitlines()
                 if line.startswith(f"| {name} |")]
        assert len(lines) == 2
        for column, setting in ((4, "default threads"),
                                (5, "one thread")):
            ours = float(lines[0].split("|")[column])
            theirs = report["tables"]["convlib"][name][setting][0]
            assert ours == pytest.approx(theirs, abs=0.006)


def test_scaling_needs_runs_at_both_settings(tmp_path):
    import scaling
    report = _report([])
    del report["cases"]["one thread"]
    path = tmp_path / "one.json"
    path.write_text(json.dumps(report))
    with pytest.raises(SystemExit, match="both thread settings"):
        scaling.main([str(path)])


def test_threads_benchmark_runs():
    """`threads.py --smoke` hands items over, and times pieces alone,
    on threads and on spawned processes; the figures are not checked."""
    result = subprocess.run(
        [sys.executable, os.path.join(BENCH, "threads.py"), "--smoke",
         "--seed", "5"], capture_output=True, text=True, timeout=600,
        cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "seed 5 (repeat with --seed 5)" in out
    for row in ("| back to back |", "| after 2 ms asleep |",
                "| threads / processes |", "geometric mean threads"):
        assert row in out
