"""Fit the forward convolution's cost model to this machine.

    .venv/bin/python benchmarks/fit_costs.py            # measure, fit, show
    .venv/bin/python benchmarks/fit_costs.py --write    # ... and save

`convlib.numpy._conv_forward` computes a convolution in one of several
ways and picks the way its cost model (`_costs`) expects to be
fastest. The model's constants (`convlib/numpy/_tuning.py`, `COSTS`)
are figures of one machine: the matmul's rate, what a copy, a gather,
an add or a Python step costs. On another machine every way still
gives the same numbers, but the choice may not be the fastest until
the constants are refitted with this script.

What it does, once per thread setting (``one worker``: one thread
everywhere; ``all workers``: every core busy, as when a call is split
over the workers):

1. draws random convolutions from the benchmark's sweep
   (`cases.sweep`, the forward of every family but the transposed one,
   whose phases are stride-1 forwards like the plain family's), cut
   into the pieces a worker computes (`_pieces.cut`);
2. times every way on every piece. With one worker: the least CPU
   time of the thread that computes it over several calls
   (``time.thread_time``: a call that waits for a busy machine's CPU
   is not charged for the wait). With all workers: every worker
   computes a copy of the piece at the same time, starting together
   at each call, and the figure is the least over calls of the
   median worker's wall time -- wall time, because what the workers
   lose to each other is mostly waiting, which costs no CPU time:
   waiting for Python's lock, which every NumPy call takes back when
   its work is done (two threads adding 20,000 floats in a loop took
   5.5 us an add each, against 1.6 us alone);
3. fits the constants by least squares on the logarithms of the
   estimated and measured times (two thirds of the pieces), then
   checks the choice on the other third: the time of the way chosen
   over the time of the fastest way, geometric mean (1.0 is perfect);
4. prints the fitted constants beside the ones in use, and with
   ``--write`` rewrites the fitted block of `_tuning.py` -- only where
   the fitted constants choose at least as well on the held-out pieces.

``--budgets`` also times the public ``conv2d`` forward on the same
shapes under a few sets of cache budgets (`BUDGET_SETS`) and reports
(and with ``--write`` keeps) the fastest set.

Fit on an otherwise idle machine if you can: the load average is
printed before and after, and saved with the constants.
"""
import argparse
import datetime
import math
import os
import platform
import re
import statistics
import sys
import textwrap
import threading
import time

import numpy as np
from scipy.optimize import least_squares
from threadpoolctl import threadpool_limits

import cases
from convlib.numpy import _conv_forward, _pieces, _tuning, _workers

SETTINGS = ("one worker", "all workers")
BUDGET_SETS = [  # (FLAT_BYTES, SAMPLE_BYTES, COLUMN_BYTES), MB
    (4, 2, 4), (2, 1, 2), (1, 1, 1), (1, 0.5, 1), (0.5, 0.5, 0.5)]
FIELDS = _tuning.Costs._fields
PRIOR = 1 / math.log(1000)  # see `fit`


def _pack(costs):
    """The constants as one vector of logarithms (the fit's unknowns)."""
    values = []
    for name in FIELDS:
        value = getattr(costs, name)
        values += list(value) if isinstance(value, tuple) else [value]
    return np.log(values)


def _unpack(vector):
    v = [float(x) for x in np.exp(vector)]
    fields, i = {}, 0
    for name in FIELDS:
        if name == "gemm_half":
            fields[name], i = tuple(v[i:i + 3]), i + 3
        else:
            fields[name], i = v[i], i + 1
    return _tuning.Costs(**fields)


def forward_call(case):
    """The `_pieces.Call` of a forward sweep case (float32)."""
    x_shape, w_shape = (tuple(s) for s in case["shapes"])
    kw = case["kwargs"]
    n = len(x_shape) - 2
    stride = (kw.get("stride", 1),) * n
    dilation = (kw.get("dilation", 1),) * n
    pads = ((kw.get("padding", 0),) * 2,) * n
    out = tuple((s + 2 * p[0] - d * (k - 1) - 1) // st + 1
                for s, p, d, k, st in zip(x_shape[2:], pads, dilation,
                                          w_shape[2:], stride))
    return _pieces.Call(x_shape, w_shape, stride, pads, dilation,
                        kw.get("groups", 1), out, 4)


def _pieces_of(seed, count, workers):
    """`count` random forward pieces (`_pieces.Call`s), float32."""
    calls, round_ = [], 0
    while len(calls) < count:
        for case in cases.sweep(seed + round_, per_family=6):
            if case["family"] == "transposed":
                continue
            call = forward_call(case)
            worth = _conv_forward.pieces_worth(call, _tuning.PIECE_NS)
            calls.append(_pieces.cut(call, workers, worth)[0].call)
        round_ += 1
    return calls[:count]


def _ways(call):
    """The ways that differ for this call (flat k > dims is flat dims).
    The regions way is left out: its estimate is made of the others'
    constants times a margin set by hand (`_tuning.REGIONS_MARGIN`),
    which a fit would bend them towards. So is the toeplitz way, whose
    estimate is made of the others' constants too."""
    n = len(call.kernel)
    return [w for w in _conv_forward.WAYS if w[0] == "columns"
            or w[0] == "flat" and w[1] <= n]


def _thread_seconds(func, repeats):
    """Least CPU time of this thread over `repeats` calls of `func`."""
    func()
    best = math.inf
    for _ in range(repeats):
        start = time.thread_time()
        func()
        best = min(best, time.thread_time() - start)
    return best


def _wall_seconds(func, repeats, barrier):
    """Wall time of each of `repeats` calls of `func`, every one
    started when all the threads sharing `barrier` are ready."""
    func()
    times = []
    for _ in range(repeats):
        barrier.wait()
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return times


def _measure(call, way, workers, repeats):
    """Seconds of one way on one piece: CPU time with one worker; with
    several, wall time, each of `workers` threads computing its own
    copy at once (see the module's notes)."""
    plan = _conv_forward._plan(call, (way,), _conv_forward._budgets(),
                               _tuning.costs(1))
    run = _conv_forward._RUN[plan.path]

    def one_call(seed):
        """A call of the way on arrays of its own."""
        rng = np.random.default_rng(seed)
        x = rng.standard_normal(call.x_shape).astype(np.float32)
        w = rng.standard_normal(call.w_shape).astype(np.float32)
        y = np.empty((call.x_shape[0], call.w_shape[0]) + call.out,
                     np.float32)
        return lambda: run(x, w, y, plan)
    if workers == 1:
        return _thread_seconds(one_call(0), repeats)
    barrier = threading.Barrier(workers)
    previous = _workers.set_workers(workers)
    try:  # thread t of `run` computes item t: one copy a thread
        times = _workers.run(lambda t: _wall_seconds(
            one_call(t), repeats, barrier), range(workers))
    finally:
        _workers.set_workers(previous)
    return min(statistics.median(each) for each in zip(*times))


def measure(calls, workers, repeats):
    """[{way: seconds}] for every call."""
    table = []
    with threadpool_limits(1, user_api="blas"):
        for i, call in enumerate(calls):
            table.append({way: _measure(call, way, workers, repeats)
                          for way in _ways(call)})
            if (i + 1) % 20 == 0:
                print(f"  measured {i + 1}/{len(calls)} pieces",
                      flush=True)
    return table


def _estimates(costs, call):
    return _conv_forward._costs(call, _conv_forward._budgets(), costs)


def regret(costs, calls, table):
    """Geometric mean of (time of the way `costs` chooses) / (time of
    the fastest way), and the worst case."""
    ratios = []
    for call, times in zip(calls, table):
        est = _estimates(costs, call)
        chosen = min(times, key=lambda way: est[way])
        ratios.append(times[chosen] / min(times.values()))
    return math.exp(statistics.fmean(map(math.log, ratios))), max(ratios)


def fit(start, calls, table):
    """Least squares on log(estimated) - log(measured)."""
    pairs = [(call, way, seconds * 1e9) for call, times in
             zip(calls, table) for way, seconds in times.items()]

    origin = _pack(start)

    def residuals(vector):
        costs = _unpack(vector)
        cache = {}
        out = []
        for call, way, ns in pairs:
            if call not in cache:
                cache[call] = _estimates(costs, call)
            out.append(math.log(cache[call][way]) - math.log(ns))
        # a weak pull towards the constants in use keeps the ones the
        # pieces say little about (a 1000x change costs one residual)
        return out + list(PRIOR * (vector - origin))
    result = least_squares(residuals, origin, loss="soft_l1",
                           f_scale=0.3, max_nfev=300)
    fitted = result.fun[:len(pairs)]
    return _unpack(result.x), math.sqrt(
        statistics.fmean(r * r for r in fitted))


def time_budgets(calls, repeats):
    """Geometric mean CPU time of conv2d forwards per `BUDGET_SETS`."""
    import convlib.numpy as cn
    rng = np.random.default_rng(0)
    arrays = [(rng.standard_normal(c.x_shape).astype(np.float32),
               rng.standard_normal(c.w_shape).astype(np.float32), c)
              for c in calls if len(c.kernel) == 2]
    scores = {}
    previous = _workers.set_workers(1)
    try:
        with threadpool_limits(1, user_api="blas"):
            for budget in BUDGET_SETS:
                sizes = [int(mb * 2**20) for mb in budget]
                (_tuning.FLAT_BYTES, _tuning.SAMPLE_BYTES,
                 _tuning.COLUMN_BYTES) = sizes
                times = [_thread_seconds(lambda: cn.conv2d(
                    x, w, stride=c.stride, padding=c.pads[0][0],
                    dilation=c.dilation, groups=c.groups), repeats)
                    for x, w, c in arrays]
                scores[budget] = math.exp(statistics.fmean(
                    map(math.log, times)))
                print(f"  budgets {budget} MB: geometric mean "
                      f"{scores[budget] * 1e3:.3f} ms", flush=True)
    finally:
        _workers.set_workers(previous)
    return scores


def _load():
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def _cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _format_costs(costs):
    """``Costs(...)`` as source, wrapped for `_tuning.py`."""
    parts = []
    for name, value in zip(FIELDS, costs):
        if isinstance(value, tuple):
            value = tuple(float(f"{v:.3g}") for v in value)
        else:
            value = float(f"{value:.4g}")
        parts.append(f"{name}={value!r}")
    return "Costs(\n" + textwrap.fill(
        ", ".join(parts) + "),", width=72, initial_indent=" " * 8,
        subsequent_indent=" " * 8, break_on_hyphens=False)


def write(fitted, note, budgets=None):
    """Rewrite the fitted block (and the budgets) of `_tuning.py`."""
    path = _tuning.fitted_file()
    with open(path) as f:
        text = f.read()
    entries = "\n".join(f'    "{name}": {_format_costs(costs)}'
                        for name, costs in fitted.items())
    note = "\n".join(f"    {line!r}" for line in textwrap.wrap(
        note, 66, drop_whitespace=False))
    block = f"FITTED_ON = (\n{note})\nCOSTS = {{\n{entries}\n}}\n"
    text = re.sub(r"(# --- fitted: begin[^\n]*\n).*?(# --- fitted: end)",
                  lambda m: m.group(1) + block + m.group(2), text,
                  flags=re.S)
    if budgets:
        for name, mb in zip(("FLAT_BYTES", "SAMPLE_BYTES",
                             "COLUMN_BYTES"), budgets):
            size = (f"{mb:g} * 2**20" if mb >= 1
                    else f"{int(mb * 2**10)} * 2**10")
            text = re.sub(rf"^{name} = .*?(?=  #)", f"{name} = {size}",
                          text, flags=re.M)
    with open(path, "w") as f:
        f.write(text)
    print(f"wrote {path}")


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pieces", type=int, default=90,
                        help="random pieces per setting (2/3 to fit)")
    parser.add_argument("--repeats", type=int, default=5,
                        help="calls per way and piece (the least counts)")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--settings", choices=("both", "one", "all"),
                        default="both")
    parser.add_argument("--budgets", action="store_true",
                        help="also choose the cache budgets")
    parser.add_argument("--write", action="store_true",
                        help="save into convlib/numpy/_tuning.py")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else int(time.time()) % 10**6
    machine = _workers._machine_workers()
    print(f"fitting the cost model on {_cpu_name()}, {machine} workers, "
          f"seed {seed}, load average {_load()}")
    settings = {"both": SETTINGS, "one": SETTINGS[:1],
                "all": SETTINGS[1:]}[args.settings]
    fitted, summary = dict(_tuning.COSTS), []
    for setting in settings:
        workers = 1 if setting == "one worker" else max(2, machine)
        calls = _pieces_of(seed, args.pieces, workers)
        print(f"\n{setting}: {len(calls)} pieces, {workers} worker(s)")
        table = measure(calls, workers, args.repeats)
        cut = len(calls) * 2 // 3
        current = _tuning.COSTS[setting]
        new, spread = fit(current, calls[:cut], table[:cut])
        old_fit, new_fit = (regret(c, calls[cut:], table[cut:])
                            for c in (current, new))
        print(f"  in use: {current}\n  fitted: {new}\n"
              f"  log residual (fit) {spread:.3f}; held-out choice / "
              f"fastest, geometric mean (worst): in use {old_fit[0]:.3f} "
              f"({old_fit[1]:.2f}), fitted {new_fit[0]:.3f} "
              f"({new_fit[1]:.2f})")
        if new_fit[0] <= old_fit[0]:
            fitted[setting] = new
            summary.append(f"{setting} {new_fit[0]:.3f}")
        else:
            print("  keeping the constants in use: they choose better")
            summary.append(f"{setting} kept ({old_fit[0]:.3f})")
    budgets = None
    if args.budgets:
        print("\ncache budgets (one worker, conv2d forward, CPU time)")
        scores = time_budgets(_pieces_of(seed + 1, args.pieces // 2, 1),
                              args.repeats)
        budgets = min(scores, key=scores.get)
        print(f"  fastest: {budgets} MB (flat, sample, column)")
    note = (f"{_cpu_name()}, {machine} cores, "
            f"{datetime.date.today().isoformat()}, seed {seed}, load "
            f"average {_load()}; held-out choice/fastest: "
            + ", ".join(summary))
    if any("kept" in part for part in summary):
        note += f"; the constants kept were fitted on {_tuning.FITTED_ON}"
    print(f"\nload average at the end {_load()}")
    if args.write:
        write(fitted, note, budgets)
    else:
        print("(not saved: --write saves them)")


if __name__ == "__main__":
    sys.exit(main())
