"""What sharing a forward convolution between two workers costs.

    .venv/bin/python benchmarks/threads.py [--seed N] [--layers 6]

`convlib.numpy` shares a call between its workers by cutting it into
pieces (`convlib.numpy._pieces`) that Python threads compute
(`convlib.numpy._workers.run`). Two costs of that, measured here:

1. **Handing work over.** `run` with two items that do nothing: one
   goes to a helper thread, which wakes, takes Python's lock, runs it
   and replies. Timed back to back, and after the caller has slept
   0.5 ms and 2 ms (a thread that slept longer wakes slower).
2. **Pieces side by side.** Layers drawn from the benchmark's sweep
   (plain, strided and dilated forwards; seed printed) that convlib
   cuts into two pieces at two workers. Each piece is timed alone,
   then both pieces started together (a barrier before every call)
   on two threads of one process, then on two processes. Threads
   share Python's lock; processes share only the machine. The figure
   of a pair is its slower piece's median, what a call waits for.

The run is repeated in rounds (`--rounds`), and every figure is the
median over rounds. The ratio threads / processes is what Python's
lock costs pieces that run side by side.
"""
import argparse
import multiprocessing
import random
import statistics
import sys
import threading
import time

import numpy as np
from threadpoolctl import threadpool_limits

import cases
from convlib.numpy import _conv_forward, _tuning, _workers
from fit_costs import _wall_seconds, forward_call

FAMILIES = ("plain", "strided", "dilated")


def _schedule(call):
    """((piece, plan), ...) of `call` at two workers, as `forward`
    would cut and plan it."""
    return _conv_forward._schedule(
        call, (_conv_forward.POINTWISE,) + _conv_forward.WAYS,
        _conv_forward._budgets(), 2, _tuning.PIECE_NS)


def layers(seed, count, smoke=False):
    """`count` sweep cases of `FAMILIES` that two workers share as two
    pieces, drawn with `seed` (more sweeps are drawn until enough)."""
    found, round_ = [], 0
    while len(found) < count:
        for case in cases.sweep(seed + round_, per_family=4, smoke=smoke):
            if case["family"] in FAMILIES and (
                    smoke or len(_schedule(forward_call(case))) == 2):
                found.append(case)
        round_ += 1
        if round_ > 50:
            raise SystemExit("threads.py: no layer of the sweep is cut "
                             "into two pieces at two workers")
    return found[:count]


def piece_runs(case):
    """Two callables, each computing one piece of the case's forward
    (`_schedule`; a call too small to cut runs whole in both)."""
    call = forward_call(case)
    rng = np.random.default_rng(case["seed"])
    x = rng.standard_normal(call.x_shape, dtype=np.float32)
    w = rng.standard_normal(call.w_shape, dtype=np.float32)
    y = np.empty((call.x_shape[0], call.w_shape[0]) + call.out,
                 np.float32)
    work = _schedule(call)
    work = (work * 2)[:2]
    return [lambda piece=piece, plan=plan: _conv_forward._RUN[plan.path](
        piece.input(x), w, piece.output(y), plan) for piece, plan in work]


def _timed(func, repeats, barrier=None):
    """Median seconds of `repeats` calls, each after `barrier` (if
    any) lets it start (`fit_costs._wall_seconds`)."""
    return statistics.median(_wall_seconds(
        func, repeats, barrier or threading.Barrier(1)))


def alone(runs, repeats):
    """Seconds of the slower piece, each timed on its own."""
    return max(_timed(run, repeats) for run in runs)


def on_threads(runs, repeats):
    """Seconds of the slower piece, the two started together on two
    threads of this process."""
    barrier, found = threading.Barrier(2), [None, None]

    def work(i):
        found[i] = _timed(runs[i], repeats, barrier)
    threads = [threading.Thread(target=work, args=(i,)) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return max(found)


def _process(index, layer_cases, repeats, barrier, orders, results):
    """A process computing piece `index` of every layer, once per
    order received (None ends it)."""
    with threadpool_limits(1):
        runs = [piece_runs(case)[index] for case in layer_cases]
        while orders.get() is not None:
            results.put([_timed(run, repeats, barrier) for run in runs])


class _Processes:
    """Two processes (spawned: no copy of this one's threads) that
    compute the two pieces of every layer side by side on request."""

    def __init__(self, layer_cases, repeats):
        context = multiprocessing.get_context("spawn")
        # kept: a spawned process opens the barrier after this returns
        self.barrier = barrier = context.Barrier(2)
        self.orders = [context.Queue() for _ in (0, 1)]
        self.results = [context.Queue() for _ in (0, 1)]
        self.procs = [context.Process(
            target=_process, args=(i, layer_cases, repeats, barrier,
                                   self.orders[i], self.results[i]),
            daemon=True) for i in (0, 1)]
        for p in self.procs:
            p.start()

    def time(self):
        for q in self.orders:
            q.put(True)
        each = [q.get(timeout=600) for q in self.results]
        return [max(pair) for pair in zip(*each)]

    def close(self):
        for q in self.orders:
            q.put(None)
        for p in self.procs:
            p.join(timeout=30)


def handoff(repeats, idle):
    """Median us of `_workers.run` with two items that do nothing, at
    two workers, each call after `idle` seconds of sleep (0: none)."""
    previous = _workers.set_workers(2)
    try:
        _workers.run(lambda item: item, (0, 1))
        times = []
        for _ in range(repeats):
            if idle:
                time.sleep(idle)
            start = time.perf_counter()
            _workers.run(lambda item: item, (0, 1))
            times.append(time.perf_counter() - start)
        return statistics.median(times) * 1e6
    finally:
        _workers.set_workers(previous)


def _options(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=None,
                        help="seed of the layers (default: drawn)")
    parser.add_argument("--layers", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=100,
                        help="calls a figure (the median is kept)")
    parser.add_argument("--smoke", action="store_true",
                        help="tiny layers, few calls: checks that it runs")
    return parser.parse_args(argv)


def main(argv=None):
    args = _options(argv)
    if args.smoke:
        args.layers, args.rounds, args.repeats = 1, 1, 3
    seed = (args.seed if args.seed is not None
            else random.SystemRandom().randrange(10**6))
    print(f"seed {seed} (repeat with --seed {seed}); {args.rounds} "
          f"rounds of {args.repeats} calls a figure\n")
    print("| handing two items to `run` | median us |\n|---|---|")
    for idle, label in ((0, "back to back"), (5e-4, "after 0.5 ms asleep"),
                        (2e-3, "after 2 ms asleep")):
        found = [handoff(args.repeats * 5, idle)
                 for _ in range(args.rounds)]
        print(f"| {label} | {statistics.median(found):.1f} |")
    layer_cases = layers(seed, args.layers, args.smoke)
    runs = [piece_runs(case) for case in layer_cases]
    processes = _Processes(layer_cases, args.repeats)
    rounds = []
    try:
        with threadpool_limits(1):
            for _ in range(args.rounds):
                rounds.append(list(zip(
                    [alone(r, args.repeats) for r in runs],
                    [on_threads(r, args.repeats) for r in runs],
                    processes.time())))
    finally:
        processes.close()
    print("\n| layer (pieces at two workers) | a piece alone, us | side "
          "by side on threads | on processes | threads / processes |")
    print("|---|---|---|---|---|")
    ratios = []
    for i, case in enumerate(layer_cases):
        a, t, p = (statistics.median(r[i][k] for r in rounds) * 1e6
                   for k in range(3))
        ratios.append(t / p)
        print(f"| {case['name']} | {a:.0f} | {t:.0f} | {p:.0f} | "
              f"{t / p:.2f} |")
    print(f"\ngeometric mean threads / processes: "
          f"{np.exp(np.mean(np.log(ratios))):.2f}")


if __name__ == "__main__":
    sys.exit(main())
