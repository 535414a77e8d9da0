"""Compare several runs of the benchmark (their ``--json`` files).

    .venv/bin/python benchmarks/bench.py --json run1.json   # three times
    .venv/bin/python benchmarks/runs.py run1.json run2.json run3.json

Prints, for every measure of the targets table and every thread
setting, each run's geometric mean ratio and how far apart the runs
are: the largest over the smallest, minus one (10 % means the runs
agree within 10 %). Each run draws its own sweep (its seed is shown).
"""
import json
import sys


def spread(values):
    """max / min - 1 of positive values."""
    return max(values) / min(values) - 1


def compare(reports, label="convlib"):
    """Print the comparison table (markdown); return the largest
    spread over the measures with a target."""
    import bench
    seeds = ", ".join(str(r["seed"]) for r in reports)
    tables = [r["tables"][label] for r in reports]
    settings = [s for s in ("default threads", "one thread")
                if all(s in t["conv2d forward"] for t in tables)]
    print(f"{len(reports)} runs, seeds {seeds}; ratios convlib/torch "
          f"(geometric means of the sweep's median ratios)\n")
    print("| measure | setting | " + " | ".join(
        f"run {i + 1}" for i in range(len(reports))) + " | spread |")
    print("|---|---|" + "---|" * len(reports) + "---|")
    worst = 0.0
    targeted = {name for name, *_ in bench.TARGETS}
    for name in tables[0]:
        for s in settings:
            values = [t[name][s][0] for t in tables if t[name][s]]
            if len(values) < len(tables):
                continue
            gap = spread(values)
            if name in targeted:
                worst = max(worst, gap)
            print(f"| {name} | {s} | " + " | ".join(
                f"{v:.2f}" for v in values) + f" | {gap:.0%} |")
    print(f"\nlargest spread among the targets' measures: {worst:.0%}")
    return worst


def main(paths):
    reports = []
    for path in paths:
        with open(path) as f:
            reports.append(json.load(f))
    compare(reports)


if __name__ == "__main__":
    main(sys.argv[1:])
