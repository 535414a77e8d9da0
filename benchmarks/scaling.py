"""What the machine's other cores buy each library, from saved runs.

    .venv/bin/python benchmarks/bench.py --no-demos --json run1.json
    .venv/bin/python benchmarks/scaling.py run1.json [run2.json ...]

A run of `bench.py` times every case of the sweep at the default
thread count and at one thread. For each target measure (`bench.TARGETS`)
this prints, per run:

- the ratio convlib/torch at each setting (as `bench.py` prints it:
  the geometric mean of the cases' median ratios), over the cases
  timed at both settings;
- each library's **speedup** from one thread to the default thread
  count: the geometric mean over the cases of time at one thread over
  time at the default;
- the ratio at the default thread count **if convlib sped up like
  torch**: every case's ratio at the default setting, divided by how
  much more torch sped up on that case than convlib did (a case where
  convlib sped up more keeps its ratio).

When the last column meets a target that the measured one misses, the
miss comes from how convlib shares work between cores, not from what
it does on one core.
"""
import json
import re
import sys

import bench
import cases
from sides import geomean

SETTINGS = ("default threads", "one thread")


def sweep_family(name):
    """The family of a sweep case from its name (`cases._family_case`
    writes "plain 3x3 (8,16,14,14)->32", the family cut to five
    letters), or None for a named case ("dilated 3x3 d=2 ...")."""
    found = re.match(r"(\w+) \d+x\d+ \(", name)
    for family in cases.FAMILIES:
        if found and found.group(1) == family[:5]:
            return family
    return None


def case_timings(report, families, direction, label="convlib"):
    """[(ratio at default, ratio at one thread, convlib speedup, torch
    speedup)] of the
    sweep's cases of `families` timed in `direction` at both settings.

    A speedup is the time at one thread over the time at the default
    thread count (the cases' figures in the report: [convlib ms,
    torch ms, median ratio, lowest, highest])."""
    by_setting = [dict(report["cases"][s]) for s in SETTINGS]
    found = []
    for name, default in by_setting[0].items():
        one = by_setting[1].get(name)
        if sweep_family(name) not in families:
            continue
        if (one is None or direction not in default
                or direction not in one):
            continue
        d, o = default[direction][label], one[direction][label]
        found.append((d[2], o[2], o[0] / d[0], o[1] / d[1]))
    return found


def scaling(report, families, direction):
    """dict of the figures above for one measure of one run."""
    rows = case_timings(report, families, direction)
    return {
        "cases": len(rows),
        "default": geomean(r for r, _, _, _ in rows),
        "one thread": geomean(r for _, r, _, _ in rows),
        "convlib speedup": geomean(c for _, _, c, _ in rows),
        "torch speedup": geomean(t for _, _, _, t in rows),
        "like torch": geomean(r * min(1.0, c / t)
                              for r, _, c, t in rows),
    }


def table(reports):
    """The markdown table of every run and target measure."""
    lines = ["| measure | run (seed) | cases | default threads | one "
             "thread | convlib speedup | torch speedup | default, if "
             "convlib sped up like torch | target |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, families, direction, target in bench.TARGETS:
        for i, report in enumerate(reports):
            figures = scaling(report, families, direction)
            lines.append(
                f"| {name} | {i + 1} ({report['seed']}) | "
                f"{figures['cases']} | {figures['default']:.2f} | "
                f"{figures['one thread']:.2f} | "
                f"{figures['convlib speedup']:.2f} | "
                f"{figures['torch speedup']:.2f} | "
                f"{figures['like torch']:.2f} | <= {target} |")
    return "\n".join(lines)


def main(paths):
    reports = []
    for path in paths:
        with open(path) as f:
            report = json.load(f)
        missing = [s for s in SETTINGS if s not in report["cases"]]
        if missing:
            raise SystemExit(f"scaling.py: {path} has no cases timed at "
                             f"{' or '.join(missing)}; it needs a run "
                             f"at both thread settings")
        reports.append(report)
    if not reports:
        raise SystemExit("scaling.py: give one or more --json files of "
                         "bench.py")
    print(table(reports))


if __name__ == "__main__":
    main(sys.argv[1:])
