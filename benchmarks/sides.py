"""Timing two libraries fairly on a machine others are using too.

Each library runs in a process of its own (`Side`, serving
`_side.py`), started with the thread setting under test. `compare`
times a batch of cases in rounds: in every round each side takes a
turn in which it runs, for every case of the batch, a block of calls
and keeps its fastest (best of the block: other work only ever adds
time); the order of the sides turns by one place a round (`turns`),
and the parent sleeps a pause between the turns, so that the worker
threads of the side that just ran (OpenBLAS's spin for up to about
0.1 s after a call) have gone to sleep before the other side starts. A
round's ratio compares two blocks taken seconds apart, so a drift of
the machine's speed between rounds cancels; the median over rounds
is the figure, the lowest and highest the range.
"""
import json
import math
import os
import statistics
import subprocess
import sys
import time
from typing import NamedTuple

HERE = os.path.dirname(os.path.abspath(__file__))
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                    "MKL_NUM_THREADS", "CONVLIB_WORKERS")


def thread_environment(threads, base=None):
    """The environment of a side: `threads` None is the machine's
    default (what a learner gets: the thread variables removed), an int
    sets every library to that many threads."""
    env = dict(os.environ if base is None else base)
    for name in THREAD_VARIABLES:
        env.pop(name, None)
    if threads is not None:
        env.update({name: str(threads) for name in THREAD_VARIABLES})
    return env


class Side:
    """A library in its own process (see `_side.py`)."""

    def __init__(self, library, threads, label=None, pythonpath=None):
        env = thread_environment(threads)
        env["BENCH_SIDE"] = library
        if pythonpath:
            env["PYTHONPATH"] = os.pathsep.join(
                [pythonpath] + env.get("PYTHONPATH", "").split(os.pathsep))
        self.label = label or library
        self.process = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "_side.py")], env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ask(self, **message):
        """Send one command; return the side's answer."""
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"benchmark side {self.label} stopped "
                               f"(exit code {self.process.wait()})")
        return json.loads(line)

    def close(self):
        if self.process.poll() is None:
            try:
                self.ask(cmd="quit")
            except (RuntimeError, BrokenPipeError, ValueError):
                pass
            self.process.stdin.close()
            self.process.wait(timeout=30)


class Timing(NamedTuple):
    """One direction of one case, ours against theirs."""
    ours_ms: float  # median over rounds of the best of a block
    theirs_ms: float
    ratio: float  # median over rounds of ours / theirs
    low: float  # lowest round ratio
    high: float  # highest round ratio


class Settings(NamedTuple):
    """How hard to time: rounds per case, the least time a block of
    calls takes (s), the pause between two sides' blocks (s), and the
    fewest and most calls a block makes."""
    rounds: int = 5
    block_s: float = 0.03
    pause_s: float = 0.1
    min_calls: int = 3
    max_calls: int = 50


def _calls(seconds, settings):
    """Calls per block so that a block takes at least `block_s`, going
    by the fastest call seen so far."""
    return max(settings.min_calls, min(
        settings.max_calls, math.ceil(settings.block_s
                                      / max(seconds, 1e-7))))


def compare(ours, theirs, batch, settings, name):
    """[{direction: {label: `Timing`}}, ...], one per case of `batch`:
    each of the `Side`s `ours` against the `Side` `theirs`, in the same
    rounds. In a round each side times every case of the batch in one
    turn (a block per case and direction), so a batch pays the pause
    between the sides once a round rather than once a case; a case's
    two blocks of a round are still taken seconds apart."""
    everyone = list(ours) + [theirs]
    ids = [f"{name}/{i}" for i in range(len(batch))]  # the sides' keys
    jobs = [(key, d) for key, case in zip(ids, batch)
            for d in case["directions"]]
    fastest = []  # per side: {job: fastest call seen (s)}
    for side in everyone:
        answer = side.ask(cmd="prepare", cases=list(zip(ids, batch)))
        fastest.append({(key, d): seconds for key, found in
                        zip(ids, answer) for d, seconds in found.items()})
        time.sleep(settings.pause_s)
    best = [{job: [] for job in jobs} for _ in everyone]
    for r in range(settings.rounds):
        for i in turns(len(everyone), r):
            answer = everyone[i].ask(cmd="time", jobs=[
                (key, d, _calls(fastest[i][key, d], settings))
                for key, d in jobs])
            for job, times in zip(jobs, answer):
                best[i][job].append(min(times))
                fastest[i][job] = min(fastest[i][job], min(times))
            time.sleep(settings.pause_s)
    for side in everyone:
        side.ask(cmd="forget", ids=ids)
    return [{d: {side.label: _timing(mine[key, d], best[-1][key, d])
                 for side, mine in zip(ours, best)}
             for d in case["directions"]}
            for key, case in zip(ids, batch)]


def turns(sides, r):
    """The order in which `sides` sides time their blocks in round r:
    rotated by one each round, so that over `sides` rounds each side
    has each place once, and no side times two blocks in a row across
    rounds but for two sides, where both do so equally. (Alternating
    the order left a third side always in the middle and the first
    twice in a row every other round: comparing a checkout with
    itself, `--against`'s families came out 0.930-0.994x; turned,
    0.982-1.025x.)"""
    return [(r + j) % sides for j in range(sides)]


def _timing(mine, theirs):
    ratios = [a / b for a, b in zip(mine, theirs)]
    return Timing(1e3 * statistics.median(mine),
                  1e3 * statistics.median(theirs),
                  statistics.median(ratios), min(ratios), max(ratios))


def geomean(values):
    values = list(values)
    return math.exp(sum(math.log(v) for v in values) / len(values))
