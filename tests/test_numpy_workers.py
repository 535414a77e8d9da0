"""convlib.numpy's work split over threads (`_workers`, `_pieces`).

A call with enough work is cut into pieces -- slices of the batch or
of the output rows -- that run on the calling thread and helper
threads. The results may differ with the number of workers only by
float rounding, must be identical run to run for one number, and the
pieces must actually run on the calling thread and the helpers' with
OpenBLAS held to one thread.
`_tuning.PIECE_NS`, `GRAD_PIECE_NS` and `HANDOFF_NS` are lowered here
so that small arrays are cut too.
"""
import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from hypothesis import given, strategies as st
from threadpoolctl import threadpool_info, threadpool_limits

import convlib.numpy as cn
import convlib.numpy._reference as ref
from convlib.numpy import (_conv_forward, _conv_nd, _pieces, _tuning,
                           _workers)

FLOAT32 = dict(rtol=2e-5, atol=2e-5)
CASES = [  # (x shape, weight shape, kwargs): batch pieces and row pieces
    ((8, 6, 12, 10), (8, 6, 3, 3), dict(padding=1)),
    ((1, 6, 13, 9), (4, 3, 3, 2), dict(stride=2, padding=(2, 0),
                                       groups=2)),
    ((3, 8, 11, 11), (16, 1, 3, 3), dict(padding=2, dilation=2,
                                         groups=8)),
    ((2, 4, 9), (6, 4, 3), dict(stride=3, padding=1)),
    ((2, 4, 5, 6, 5), (4, 2, 2, 3, 2), dict(padding=1, groups=2)),
]


@pytest.fixture
def workers():
    """`set_workers`, put back afterwards; pieces of any size."""
    previous = _workers.set_workers(None)
    patch = pytest.MonkeyPatch()
    patch.setattr(_tuning, "PIECE_NS", 1)
    patch.setattr(_tuning, "GRAD_PIECE_NS", 1)
    patch.setattr(_tuning, "HANDOFF_NS", -10**15)  # pieces always win
    yield _workers.set_workers
    patch.undo()
    _workers.set_workers(previous)


def _all_gradients(x, w, kwargs):
    """Forward, backward, transposed forward and backward of one case."""
    n = x.ndim - 2
    conv = getattr(cn, f"conv{n}d")
    y = conv(x, w, **kwargs)
    g = np.random.default_rng(1).standard_normal(y.shape).astype(x.dtype)
    gx, gw, _ = getattr(cn, f"conv{n}d_backward")(g, x, w, **kwargs)
    t = getattr(cn, f"conv_transpose{n}d")(y, w, **kwargs)
    tx, tw, _ = getattr(cn, f"conv_transpose{n}d_backward")(
        np.ones_like(t), y, w, **kwargs)
    return [y, gx, gw, t, tx, tw]


def _numpy_blas_threads():
    """Threads of the BLAS NumPy's matmul calls (its wheel's OpenBLAS;
    every BLAS library if none is NumPy's own): other tests in this
    process may have loaded another, which convlib need not hold."""
    found = [p for p in threadpool_info() if p["user_api"] == "blas"]
    own = [p for p in found if "numpy" in p["filepath"]]
    return [p["num_threads"] for p in own or found]


@pytest.mark.parametrize("side_by_side", [False, True])
@pytest.mark.parametrize("x_shape, w_shape, kwargs", CASES)
def test_one_and_four_workers_agree(x_shape, w_shape, kwargs, side_by_side,
                                    rng, workers, monkeypatch):
    """1 and 4 workers: the same numbers up to float32 rounding; 4
    workers: bitwise the same in three runs. Backward passes with their
    two gradients in pieces, or side by side (`_side_by_side`)."""
    monkeypatch.setattr(_tuning, "SIDE_BY_SIDE_PIECES",
                        10**15 if side_by_side else 1)
    x = rng.standard_normal(x_shape).astype(np.float32)
    w = rng.standard_normal(w_shape).astype(np.float32)
    workers(1)
    one = _all_gradients(x, w, kwargs)
    workers(4)
    runs = [_all_gradients(x, w, kwargs) for _ in range(3)]
    for a, b in zip(one, runs[0]):
        np.testing.assert_allclose(a, b, **FLOAT32)
    for again in runs[1:]:
        assert all(np.array_equal(a, b) for a, b in zip(runs[0], again))


def test_pieces_run_side_by_side_with_one_blas_thread(rng, workers,
                                                      monkeypatch):
    """With 2 workers a large enough call runs one piece on the calling
    thread and one on the pool's, OpenBLAS at one thread meanwhile and
    as before after."""
    seen = []
    for name, run in dict(_conv_forward._RUN).items():
        def spy(x, w, y, plan, run=run):
            blas = _numpy_blas_threads()
            seen.append((threading.current_thread().name, blas))
            return run(x, w, y, plan)
        monkeypatch.setitem(_conv_forward._RUN, name, spy)
    before = _numpy_blas_threads()
    workers(2)
    cn.conv2d(rng.standard_normal((4, 3, 8, 8)),
              rng.standard_normal((5, 3, 3, 3)), padding=1)
    assert len(seen) == 2  # one piece per worker
    assert sorted(name.startswith("convlib") for name, _ in seen) == [
        False, True]
    assert all(set(blas) <= {1} for _, blas in seen)
    assert _numpy_blas_threads() == before


@pytest.mark.parametrize("op", ["conv2d", "conv_transpose2d"])
def test_the_two_gradients_run_side_by_side_each_whole(op, rng, workers,
                                                       monkeypatch):
    """A backward pass worth 2 to SIDE_BY_SIDE_PIECES pieces computes the
    input gradient on one thread and the weight gradient on the other,
    neither cut again; its numbers are one worker's."""
    x = rng.standard_normal((4, 8, 10, 10)).astype(np.float32)
    w = rng.standard_normal((8, 8, 3, 3)).astype(np.float32)
    backward = getattr(cn, op + "_backward")
    y = getattr(cn, op)(x, w, padding=1)
    g = rng.standard_normal(y.shape).astype(np.float32)
    workers(1)
    want = backward(g, x, w, padding=1)
    seen = []
    for name, run in dict(_conv_forward._RUN).items():
        def spy(x, w, y, plan, run=run):
            seen.append(("forward", threading.current_thread().name))
            return run(x, w, y, plan)
        monkeypatch.setitem(_conv_forward._RUN, name, spy)
    real = _conv_nd._grad_weight_piece

    def weight_spy(*args):
        seen.append(("weight", threading.current_thread().name))
        return real(*args)
    monkeypatch.setattr(_conv_nd, "_grad_weight_piece", weight_spy)
    monkeypatch.setattr(_tuning, "SIDE_BY_SIDE_PIECES", 10**15)
    workers(2)
    got = backward(g, x, w, padding=1)
    for a, b in zip(got[:2], want[:2]):
        np.testing.assert_allclose(a, b, **FLOAT32)
    assert sorted(kind for kind, _ in seen) == ["forward", "weight"]
    assert len({thread for _, thread in seen}) == 2
    seen.clear()
    monkeypatch.setattr(_tuning, "SIDE_BY_SIDE_PIECES", 1)
    backward(g, x, w, padding=1)  # worth more: the input gradient in
    assert [kind for kind, _ in seen].count("forward") == 2  # pieces


def test_a_large_call_cut_into_rows_goes_side_by_side():
    """Past SIDE_BY_SIDE_PIECES a backward pass goes side by side only
    where its pieces would be rows of one sample and its weight
    gradient a matmul: a batch of one, not a batch of eight, and not a
    depthwise layer."""
    def call(n, c_in, groups):
        return _pieces.Call((n, c_in, 56, 56), (64, c_in // groups, 3, 3),
                            (1, 1), ((1, 1), (1, 1)), (1, 1), groups,
                            (56, 56))
    worth = 10**6
    assert _conv_nd._rows_cost_more(call(1, 64, 1), 2, worth)
    assert not _conv_nd._rows_cost_more(call(8, 64, 1), 2, worth)
    assert not _conv_nd._rows_cost_more(call(1, 64, 64), 2, worth)


def test_phases_are_shared_out_whole_and_balanced(rng, workers,
                                                  monkeypatch):
    """With 2 workers the four phases of a stride-2 transposed
    convolution run as two bundles, one on each thread, each phase
    whole (not cut again); a 3x3 kernel's phases (4, 2, 2 and 1 taps)
    go 4 + 1 against 2 + 2."""
    workers(2)
    x = rng.standard_normal((2, 8, 6, 6)).astype(np.float32)
    w = rng.standard_normal((8, 8, 3, 3)).astype(np.float32)
    seen, real = [], _conv_forward.forward

    def spy(*args, **kwargs):
        seen.append((threading.current_thread().name, _workers.busy()))
        return real(*args, **kwargs)
    monkeypatch.setattr(_conv_forward, "forward", spy)
    monkeypatch.setattr(_tuning, "SCATTER_FACTOR", 10**9)  # phases
    monkeypatch.setattr(_conv_nd, "_stack_pays", lambda *args: False)
    got = cn.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1)
    want = ref.conv_grad_input(x, w, got.shape[2:], (2, 2),
                               ((1, 1), (1, 1)), (1, 1), 1)
    np.testing.assert_allclose(got, want, **FLOAT32)
    assert len(seen) == 4 and all(busy for _, busy in seen)
    assert len({name for name, _ in seen}) == 2
    plans = _conv_nd._phase_plans(x.shape, w.shape, got.shape[2:], (2, 2),
                                  ((1, 1), (1, 1)), (1, 1), 1, 4)
    taps = [len(range(*t[0].indices(3))) * len(range(*t[1].indices(3)))
            for t, *_ in plans]
    bundles = _conv_nd._phase_bundles(
        tuple(p[-1] for p in plans), 2, _tuning.costs(1), _tuning.costs(2),
        _conv_forward._budgets(), 1, _tuning.HANDOFF_NS)
    assert sorted(sorted(taps[i] for i in b) for b in bundles) == [
        [1, 4], [2, 2]]


def test_small_calls_stay_whole():
    """A call is cut only from two pieces' worth of its estimated time
    on one worker (`pieces_worth`): chapter 8's small layer stays
    whole, a (32, 64, 32, 32) 3x3 layer is cut."""
    call = _pieces.Call((2, 3, 8, 8), (4, 3, 3, 3), (1, 1),
                        ((1, 1), (1, 1)), (1, 1), 1, (8, 8))
    estimate = min(_conv_forward._costs(call, _conv_forward._budgets(),
                                        _tuning.costs(1)).values())
    assert _conv_forward.pieces_worth(call, estimate) == 1
    assert _conv_forward.pieces_worth(call, estimate / 2) == 2
    assert [len(_pieces.cut(call, 4, worth)) for worth in (1, 2, 9)] == [
        1, 2, 4]
    assert len(_pieces.cut(call, 1, 9)) == 1
    small = call._replace(x_shape=(32, 8, 4, 4), w_shape=(16, 8, 3, 3),
                          out=(4, 4), itemsize=8)
    large = call._replace(x_shape=(32, 64, 32, 32),
                          w_shape=(64, 64, 3, 3), out=(32, 32))
    assert _conv_forward.pieces_worth(small, _tuning.PIECE_NS) < 2
    assert _conv_forward.pieces_worth(large, _tuning.PIECE_NS) >= 2


def test_a_call_is_cut_only_where_its_pieces_are_estimated_faster():
    """Worth two pieces is not enough: the largest piece's estimate
    (all-workers constants) plus `HANDOFF_NS` must beat the whole
    call's (one-worker constants), and the whole call is planned with
    the one-worker constants."""
    call = _pieces.Call((32, 64, 32, 32), (64, 64, 3, 3), (1, 1),
                        ((1, 1), (1, 1)), (1, 1), 1, (32, 32))
    args = (call, _conv_forward._ways(None), _conv_forward._budgets(),
            _tuning.costs(1), _tuning.costs(2), 2, _tuning.PIECE_NS)
    whole = _conv_forward._estimate(
        _conv_forward._plan(call, args[1], args[2], args[3]), args[2],
        args[3])
    work = _conv_forward._cut_or_whole(*args, 0, False)
    piece = max(_conv_forward._estimate(plan, args[2], args[4])
                for _, plan in work)
    assert len(work) == 2 and piece < whole
    for handoff, count in ((whole - piece - 1, 2), (whole - piece, 1)):
        work = _conv_forward._cut_or_whole(*args, handoff, False)
        assert len(work) == count
    assert work[0][1] == _conv_forward._plan(call, args[1], args[2],
                                             args[3])
    busy = _conv_forward._cut_or_whole(*args, 0, True)
    assert len(busy) == 1 and busy[0][1] == _conv_forward._plan(
        call, args[1], args[2], args[4])


def test_a_whole_call_holds_blas_to_one_thread_too(rng, monkeypatch):
    """With several workers a call too small to cut runs on the calling
    thread, OpenBLAS at one thread all the same (its spinning threads
    would slow the next call's pieces); with one worker OpenBLAS is
    left as it is."""
    seen = []
    for name, run in dict(_conv_forward._RUN).items():
        def spy(x, w, y, plan, run=run):
            seen.append(_numpy_blas_threads())
            return run(x, w, y, plan)
        monkeypatch.setitem(_conv_forward._RUN, name, spy)
    x, w = rng.standard_normal((1, 2, 5, 5)), rng.standard_normal(
        (2, 2, 3, 3))
    previous = _workers.set_workers(2)
    try:
        with threadpool_limits(limits=2, user_api="blas"):
            cn.conv2d(x, w)
            _workers.set_workers(1)
            cn.conv2d(x, w)
    finally:
        _workers.set_workers(previous)
    assert seen == [[1], [2]]


def test_the_hold_sets_only_libraries_above_one_thread(monkeypatch):
    """Held (nested, as a convolution and its `run` hold it), a BLAS at
    3 threads is set to 1 once and put back to 3 once, at the end of
    the outermost hold; one already at 1 is never set."""
    calls = {"many": [], "one": []}
    counts = {"many": 3, "one": 1}

    def library(name):
        def put(count):
            calls[name].append(count)
            counts[name] = count
        return (lambda: counts[name]), put
    monkeypatch.setattr(_workers, "_blas",
                        [library("many"), library("one")])
    with _workers._HOLD:
        with _workers._HOLD:
            assert counts == {"many": 1, "one": 1}
        assert calls == {"many": [1], "one": []}
    assert calls == {"many": [1, 3], "one": []}
    assert counts == {"many": 3, "one": 1}


@pytest.mark.parametrize("count", [2, 3])
def test_each_thread_takes_its_own_pieces_after_many_quick_calls(count):
    """After many quick calls, the pieces of a call still go to as many
    threads, one each (a warmed-up ThreadPoolExecutor of two at times
    ran both pieces on one thread, one after the other: its threads
    share one queue). Whether they then overlap in time is up to the
    system's scheduler, so it is not asserted."""
    previous = _workers.set_workers(count)
    try:
        for _ in range(200):
            _workers.run(lambda item: item, list(range(count)))
        a = np.ones((256, 256), np.float32)
        names = _workers.run(lambda item: (
            [a @ a for _ in range(5)], threading.current_thread().name)[1],
            list(range(2 * count)))
    finally:
        _workers.set_workers(previous)
    assert names[:count] == names[count:]  # thread t: items t, t + count
    assert names[0] == threading.current_thread().name
    assert len(set(names)) == count


def test_a_failing_piece_raises_after_every_piece_is_done():
    finished = []

    def piece(item):
        if item == 1:
            raise ValueError("piece 1 failed")
        time.sleep(0.05)
        finished.append(item)
    previous = _workers.set_workers(2)
    try:
        with pytest.raises(ValueError, match="piece 1 failed"):
            _workers.run(piece, [0, 1, 2])
    finally:
        _workers.set_workers(previous)
    assert sorted(finished) == [0, 2]


@st.composite
def cuts(draw):
    """A conv2d geometry and a worker count."""
    k, s, d = (draw(st.integers(1, 4)), draw(st.integers(1, 3)),
               draw(st.integers(1, 3)))
    lo, hi = draw(st.integers(0, 4)), draw(st.integers(0, 4))
    size = max(1, d * (k - 1) + 1 - lo - hi) + draw(st.integers(0, 9))
    out = (size + lo + hi - d * (k - 1) - 1) // s + 1
    call = _pieces.Call((draw(st.integers(1, 6)), 2, size, 5),
                        (3, 2, k, 2), (s, 1), ((lo, hi), (0, 1)), (d, 1),
                        1, (out, 5), 8)
    return call, draw(st.integers(1, 5))


@given(cuts())
def test_pieces_tile_the_output(case):
    """The pieces write every output once, and each, computed as a
    convolution of its own (its input rows, its padding), gives the
    reference's numbers for its slice -- also pieces whose rows read
    padding only."""
    call, count = case
    rng = np.random.default_rng(0)
    x = rng.standard_normal(call.x_shape)
    w = rng.standard_normal(call.w_shape)
    want = ref.conv(x, w, call.stride, call.pads, call.dilation, 1)
    hits = np.zeros(want.shape, int)
    for piece in _pieces.cut(call, count, count):
        got = ref.conv(piece.input(x), w, call.stride, piece.call.pads,
                       call.dilation, 1)
        assert got.shape[2:] == piece.call.out
        np.testing.assert_allclose(got, piece.output(want), rtol=1e-12,
                                   atol=1e-12)
        piece.output(hits)[...] += 1
    assert (hits == 1).all()


def test_set_workers_checks_its_argument():
    with pytest.raises(ValueError, match="^set_workers: count must be >= 1"):
        cn.set_workers(0)
    with pytest.raises(TypeError, match="^set_workers: count must be an "
                                        "int or None, got float 2.0"):
        cn.set_workers(2.0)
    previous = cn.set_workers(3)
    try:
        assert cn.workers() == 3
    finally:
        cn.set_workers(previous)


WORKERS_SCRIPT = "import convlib.numpy as cn; print(cn.workers())"


@pytest.mark.parametrize("value, expected", [
    (None, len(os.sched_getaffinity(0))), ("3", 3), ("0", None),
    ("two", None)])
def test_workers_follow_the_machine_or_the_environment(value, expected):
    env = {k: v for k, v in os.environ.items() if k != "CONVLIB_WORKERS"}
    if value is not None:
        env["CONVLIB_WORKERS"] = value
    result = subprocess.run([sys.executable, "-c", WORKERS_SCRIPT],
                            env=env, capture_output=True, text=True,
                            timeout=120)
    if expected is None:
        assert "CONVLIB_WORKERS must be a positive integer" in result.stderr
    else:
        assert result.returncode == 0, result.stderr
        assert int(result.stdout) == expected


def test_pooling_blocks_are_shared_out(rng, monkeypatch):
    """Pooling's blocks of planes go to the workers; one plane a block
    with a budget of 1 byte, the same values as one block."""
    counts, real = [], _workers.run
    monkeypatch.setattr(_workers, "run", lambda func, items: counts.append(
        len(items)) or real(func, items))
    x = rng.standard_normal((2, 3, 9, 8))
    whole = cn.max_pool2d(x, 3, 2, 1)
    monkeypatch.setattr(_tuning, "POOL_BLOCK_BYTES", 1)
    previous = _workers.set_workers(3)
    try:
        blocks = cn.max_pool2d(x, 3, 2, 1)
    finally:
        _workers.set_workers(previous)
    assert counts[-1] == 6
    np.testing.assert_array_equal(whole, blocks)
