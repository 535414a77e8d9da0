"""Time convlib.numpy against torch.nn.functional, on a busy machine too.

Run ``make bench`` (this script) from the repository; it takes about
ten minutes. Shorter runs:

``--quick``
    the random sweep only, twelve cases a family, three rounds (about
    a minute): enough to see a large change; the intervals it prints
    say how little twelve cases pin a family down.
``--smoke``
    tiny arrays, one case a family, two rounds, no demos (seconds):
    proves that the harness runs (tests/test_bench.py); its figures
    mean nothing.
``--widgets``
    only the demos' update latency in chromium.

What it times, at two thread settings -- the machine's default thread
count (what a learner gets: every library's thread variables removed)
and one thread for every library (OMP_NUM_THREADS, OPENBLAS_NUM_THREADS,
MKL_NUM_THREADS and CONVLIB_WORKERS set to 1):

1. a sweep of conv2d shapes drawn at random, fresh every run (the seed
   is printed; ``--seed`` repeats a sweep): `cases.FAMILIES` -- plain,
   strided, dilated, grouped, depthwise and transposed convolutions,
   batch 1 to 32, 8 to 128 channels -- forward and backward, float32;
2. in the full run, fixed named cases (pooling among them; the small
   ones also with ``convlib.naive``, the loops) and the convolutions of
   ResNet-18 and MobileNet v1 on one 224x224 image;
3. in the full run, chapter 8's training loop, NumPy (convlib.numpy)
   against torch autograd (`training.py`; ``--training`` runs it
   alone);
4. last, in the full run, the update latency of every chapter's demo
   in headless chromium (`demos.py`; ``--no-demos`` leaves it out).

How it times (`sides.py`): torch and convlib.numpy each run in a
process of their own, started with the thread setting. Cases are
timed in batches and rounds; in a round each side takes a turn, in
which it runs a block of calls of every case of the batch and keeps
each block's fastest; the sides' order turns by one place a round, with
a pause between turns so that the threads of one are asleep before the
other starts. A case's figure is the median over rounds of the ratio
convlib / torch (the lowest and highest round beside it); a family's
is the geometric mean over its cases, with a 90 % bootstrap interval
over the sampled shapes (`_sampling_interval`): the rounds agree
closely, and what moves a family's figure between runs is which
shapes were drawn.

Targets (issue 30), geometric means of the sweep's median ratios at
both thread settings: conv2d forward and backward (the plain, strided,
dilated and grouped families) <= 1.25, and the forward of the grouped,
depthwise and transposed families each <= 1.5. The summary prints the
table of these, one column per thread setting.

It reports; it does not judge. The machine this runs on may be busy,
so a figure above its target is printed as such and the exit status
is 0 whatever the ratios. ``--strict`` exits with status 1 when a
target is missed (for an otherwise idle machine).

The forward convolution chooses its way by a cost model fitted to one
machine (`convlib/numpy/_tuning.py`); on another machine, refit it
with ``python benchmarks/fit_costs.py`` (see benchmarks/README.md).
"""
import argparse
import json
import os
import math
import random
import statistics
import sys
import time

import cases
import sides
import training

SETTINGS = {"default threads": None, "one thread": 1}
TARGETS = (  # (measure, families, direction, most ratio)
    ("conv2d forward", ("plain", "strided", "dilated", "grouped"), "fwd",
     1.25),
    ("conv2d backward", ("plain", "strided", "dilated", "grouped"), "bwd",
     1.25),
    ("grouped forward", ("grouped",), "fwd", 1.5),
    ("depthwise forward", ("depthwise",), "fwd", 1.5),
    ("transposed forward", ("transposed",), "fwd", 1.5),
)
TINY_TARGET_MS = 0.2  # the tiny case's forward, absolute
MODES = {  # per_family, rounds, block_s, named and network cases, demos
    "full": dict(per_family=96, rounds=3, block_s=0.03, extra=True,
                 demos=True),
    "quick": dict(per_family=12, rounds=3, block_s=0.02, extra=False,
                  demos=False),
    "smoke": dict(per_family=1, rounds=2, block_s=0.001, extra=False,
                  demos=False),
}
EXTRA_ROUNDS = 5  # chapter 8's training and the demos, full run
BATCH = {"sweep": 12, "named": 4, "networks": 8}  # cases a turn
BOOTSTRAP = 2000  # resamples of the sweep's cases (`_sampling_interval`)
PAUSE_S = {"default threads": 0.1, "one thread": 0.02}


def _load():
    """The load averages (1, 5, 15 min) as text."""
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "unknown"


def _row(name, direction, timings, labels):
    cells = []
    for label in labels:
        t = timings[label]
        cells.append(f"{t.ours_ms:9.3f} {t.ratio:6.2f} "
                     f"[{t.low:4.2f}-{t.high:4.2f}]")
    theirs = timings[labels[0]].theirs_ms
    return (f"{name[:40]:40s} {direction:>14s} {theirs:9.3f} "
            + " ".join(cells))


def _start(setting, against):
    """The sides of one thread setting: convlib (and another checkout
    of it, `against`), then torch, the reference."""
    threads = SETTINGS[setting]
    ours = [sides.Side("convlib", threads)]
    if against:
        ours.append(sides.Side("convlib", threads,
                               label=f"convlib@{against}",
                               pythonpath=against))
    return ours, sides.Side("torch", threads)


def time_setting(setting, groups, mode, against):
    """Time every case of `groups` ({section: [case]}) at one thread
    setting. Returns {section: [(case, {direction: {label: Timing}})]}.
    """
    ours, torch_side = _start(setting, against)
    labels = [s.label for s in ours]
    try:
        print(f"\n=== {setting} (load average {_load()}) ===")
        for side in ours + [torch_side]:
            print(f"  {side.label}: {json.dumps(side.ask(cmd='info'))}")
        settings = sides.Settings(rounds=mode["rounds"],
                                  block_s=mode["block_s"],
                                  pause_s=PAUSE_S[setting])
        results = {}
        for section, section_cases in groups.items():
            shown = section != "sweep" or mode.get("show_cases")
            if shown:
                print(f"\n{section} ({setting}): torch ms, then per "
                      f"convlib side ms, ratio convlib/torch "
                      f"[lowest-highest round]")
                print(f"{'case':40s} {'direction':>14s} {'torch ms':>9s} "
                      + " ".join(f"{label[:26]:>26s}" for label in labels))
            step = BATCH.get(section, 1)
            for start in range(0, len(section_cases), step):
                batch = section_cases[start:start + step]
                found = sides.compare(ours, torch_side, batch, settings,
                                      f"{section} {start}")
                results.setdefault(section, []).extend(zip(batch, found))
                for case, timings in zip(batch, found):
                    for direction, by_label in timings.items():
                        if shown:
                            print(_row(case["name"], direction, by_label,
                                       labels), flush=True)
                if not shown:
                    print(f"{section} ({setting}): {start + len(batch)} of "
                          f"{len(section_cases)} cases timed (load "
                          f"average {_load()})", flush=True)
        if "named" in groups:
            _time_naive(groups["named"], torch_side, settings,
                        SETTINGS[setting])
        return results
    finally:
        for side in ours + [torch_side]:
            side.close()


def _time_naive(named, torch_side, settings, threads):
    """convlib.naive (the loops) on the small named cases, for scale."""
    naive = sides.Side("naive", threads)
    try:
        print("\nconvlib.naive, the loops, on the small cases: naive ms, "
              "ratio naive/torch")
        small = [c for c in named if c["family"] in ("small", "tiny")]
        found = sides.compare([naive], torch_side, small,
                              settings._replace(rounds=1), "naive")
        for case, timings in zip(small, found):
            for direction, by_label in timings.items():
                print(_row(case["name"], direction, by_label, ["naive"]),
                      flush=True)
    finally:
        naive.close()


def _geomeans(results, families, direction, label):
    """(median, lowest, highest) geometric means over the cases of
    `families` in `results` (one setting), or None if there are none."""
    found = [t[direction][label] for case, t in results
             if case["family"] in families and direction in t]
    if not found:
        return None
    return tuple(sides.geomean(getattr(f, key) for f in found)
                 for key in ("ratio", "low", "high"))


def _sampling_interval(results, families, direction, label, seed):
    """(lower, upper): the 90 % bootstrap interval of the geometric
    mean over `families`' cases in `results` -- how far another draw
    of shapes could move it. Each family's cases are resampled with
    replacement on their own (a family keeps its number of cases)."""
    logs = [[math.log(t[direction][label].ratio) for case, t in results
             if case["family"] == family and direction in t]
            for family in families]
    logs = [family for family in logs if family]
    rng = random.Random(seed)
    means = sorted(statistics.fmean(
        [v for family in logs for v in rng.choices(family, k=len(family))])
        for _ in range(BOOTSTRAP))
    return (math.exp(means[BOOTSTRAP // 20]),
            math.exp(means[BOOTSTRAP - 1 - BOOTSTRAP // 20]))


def _cell(values):
    """'median (lowest-highest round)', or with a sampling interval
    (five values) 'median [90 % interval over the shapes]'."""
    if values is None:
        return "-"
    if len(values) == 5:
        return f"{values[0]:.2f} [{values[3]:.2f}-{values[4]:.2f}]"
    median, low, high = values
    return f"{median:.2f} ({low:.2f}-{high:.2f})"


def summary(by_setting, label, seed):
    """Print the sweep's family table and the targets table (markdown,
    one column per thread setting); return {measure: {setting:
    (median, low, high, lower, upper)}} -- the geometric means of the
    cases' median, lowest and highest round ratios, and the 90 %
    interval of the first over the sampled shapes -- and the list of
    missed targets."""
    settings = list(by_setting)
    table, missed = {}, []
    print(f"\nsweep, {label}: geometric mean of the cases' median ratios "
          f"convlib/torch [90 % bootstrap interval over the sampled "
          f"shapes: how far another draw could move it]\n")
    print("| measure | " + " | ".join(settings) + " | target |")
    print("|---|" + "---|" * len(settings) + "---|")
    rows = [(f"{family} {d}", (family,), d, None)
            for family in cases.FAMILIES for d in ("fwd", "bwd")]
    for name, families, direction, target in list(TARGETS) + rows:
        values = {}
        for s in settings:
            found = by_setting[s].get("sweep", [])
            means = _geomeans(found, families, direction, label)
            values[s] = means and means + _sampling_interval(
                found, families, direction, label, seed)
        table[name] = values
        cells = []
        for s in settings:
            cell = _cell(values[s])
            if target is not None and values[s] is not None:
                above = values[s][0] > target
                cell += " above" if above else ""
                if above:
                    missed.append(f"{name}, {s}: {values[s][0]:.2f} > "
                                  f"{target}")
            cells.append(cell)
        goal = f"<= {target}" if target is not None else ""
        print(f"| {name} | " + " | ".join(cells) + f" | {goal} |")
        if name == TARGETS[-1][0]:
            print("| *per family* |" + " |" * len(settings) + " |")
    for s in settings:
        for case, t in by_setting[s].get("named", []):
            if case["family"] == "tiny":
                ms = t["fwd"][label].ours_ms
                print(f"\ntiny conv forward, {s}: {ms:.3f} ms "
                      f"(target <= {TINY_TARGET_MS} ms"
                      f"{', above' if ms > TINY_TARGET_MS else ''})")
                if ms > TINY_TARGET_MS:
                    missed.append(f"tiny forward, {s}: {ms:.3f} ms")
    return table, missed


def network_summary(by_setting, label):
    """Geometric means of the real networks' layers (no target: a check
    that the sweep's figures hold on shapes it did not draw)."""
    settings = [s for s in by_setting if "networks" in by_setting[s]]
    if not settings:
        return
    print(f"\nreal networks, batch 1, 224x224, {label}: geometric mean "
          f"of median ratios\n")
    print("| layers | " + " | ".join(settings) + " |")
    print("|---|" + "---|" * len(settings))
    for families, name in (
            (("resnet18",), "ResNet-18"),
            (("mobilenet", "mobilenet depthwise"), "MobileNet v1"),
            (("mobilenet depthwise",), "MobileNet depthwise only")):
        for d in ("fwd", "bwd"):
            cells = [_cell(_geomeans(by_setting[s]["networks"], families,
                                     d, label)) for s in settings]
            print(f"| {name} {d} | " + " | ".join(cells) + " |")


def _options(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="See the top of benchmarks/bench.py for what it does.")
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--quick", action="store_true",
                     help="the sweep only, 12 cases a family, 3 rounds")
    how.add_argument("--smoke", action="store_true",
                     help="tiny arrays, seconds: checks the harness runs")
    how.add_argument("--widgets", action="store_true",
                     help="only the demos' update latency in chromium")
    how.add_argument("--training", action="store_true",
                     help="only chapter 8's training, NumPy vs torch")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed of the random sweep (default: fresh)")
    parser.add_argument("--threads", choices=("both", "default", "one"),
                        default="both", help="thread settings to time")
    parser.add_argument("--per-family", type=int, default=None,
                        help="sweep cases per family")
    parser.add_argument("--rounds", type=int, default=None,
                        help="rounds per case")
    parser.add_argument("--cases", action="store_true",
                        help="print every sweep case's row, not only "
                        "progress (the --json file holds them anyway)")
    parser.add_argument("--no-demos", action="store_true",
                        help="leave out the demos' latency in chromium")
    parser.add_argument("--against", metavar="PATH", default=None,
                        help="also time the convlib of another checkout "
                        "(a directory holding convlib/), e.g. a git "
                        "worktree of the commit before a change")
    parser.add_argument("--json", metavar="FILE", default=None,
                        help="write the figures to FILE (benchmarks/"
                        "runs.py compares several runs)")
    parser.add_argument("--strict", action="store_true",
                        help="exit with status 1 when a target is missed")
    return parser.parse_args(argv)


def main(argv=None):
    args = _options(argv)
    if args.widgets:
        import demos
        demos.demo_latencies(3 if args.quick else 9)
        return 0
    if args.training:
        training.report(args.rounds or 5)
        return 0
    mode = dict(MODES["smoke" if args.smoke else
                      "quick" if args.quick else "full"])
    mode["per_family"] = args.per_family or mode["per_family"]
    mode["rounds"] = args.rounds or mode["rounds"]
    mode["show_cases"] = args.cases or args.smoke
    demos_too = mode["demos"] and not args.no_demos
    seed = (args.seed if args.seed is not None
            else random.SystemRandom().randrange(10**6))
    settings = {"both": list(SETTINGS), "default": ["default threads"],
                "one": ["one thread"]}[args.threads]
    groups = {"sweep": cases.sweep(seed, mode["per_family"], args.smoke)}
    if mode["extra"]:
        groups.update(named=cases.named(), networks=cases.networks())
    started = time.time()
    print(f"benchmark of convlib.numpy against torch.nn.functional: "
          f"seed {seed} (repeat with --seed {seed}), "
          f"{len(groups['sweep'])} sweep cases, "
          f"{mode['rounds']} rounds, cpus {os.cpu_count()}, "
          f"load average {_load()}")
    print(f"thread settings: {', '.join(settings)}; sections: "
          f"{', '.join(groups)}"
          + ("; then the demos' update latency in headless chromium "
             "(--no-demos leaves it out)" if demos_too else ""))
    by_setting = {s: time_setting(s, groups, mode, args.against)
                  for s in settings}
    labels = ["convlib"] + ([f"convlib@{args.against}"]
                            if args.against else [])
    report = {"seed": seed, "mode": "smoke" if args.smoke else "quick"
              if args.quick else "full", "rounds": mode["rounds"],
              "cases": {s: [(c["name"], {d: {k: list(v) for k, v in t.items()}
                                          for d, t in r.items()})
                            for section in by_setting[s].values()
                            for c, r in section] for s in settings},
              "tables": {}}
    missed = []
    for label in labels:
        table, miss = summary(by_setting, label, seed)
        network_summary(by_setting, label)
        report["tables"][label] = table
        missed += miss if label == "convlib" else []
    print(f"\nseed {seed}; load average at the end {_load()}; "
          f"{(time.time() - started) / 60:.1f} min")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)
        print(f"figures written to {args.json}")
    if mode["extra"]:
        training.report(EXTRA_ROUNDS)
    if demos_too:
        import demos
        demos.demo_latencies(EXTRA_ROUNDS)
    print("\nThe forward convolution's cost model was fitted on "
          f"{_fitted_on()}. On another machine refit it with "
          "'.venv/bin/python benchmarks/fit_costs.py' "
          "(benchmarks/README.md).")
    if missed:
        print(f"\n{len(missed)} target(s) above their bound: "
              + "; ".join(missed))
    print("This benchmark reports; it does not judge: exit status 0 "
          "whatever the ratios" + (" (--strict: 1 when a target is "
                                   "missed)." if not args.strict else
                                   "; --strict is on."))
    return 1 if args.strict and missed else 0


def _fitted_on():
    from convlib.numpy import _tuning
    return _tuning.FITTED_ON


if __name__ == "__main__":
    sys.exit(main())
