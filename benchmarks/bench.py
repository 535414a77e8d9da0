"""Time convlib.numpy against torch.nn.functional (and convlib.naive).

Run ``python benchmarks/bench.py`` (``--quick`` for fewer repeats).
Every case runs forward and backward in float32 on the CPU, in one
process, so the ratios compare like with like even on a busy machine.
Times are medians of several repeats after one warm-up call.  The table
shows each case's median times, the median of the paired ratios
numpy/torch (the two alternate, so load changes hit both alike) and the
ratio of the fastest runs ("best", what an idle machine shows); the
summary gives the geometric mean of the ratios per group (conv fwd,
conv bwd, pool fwd, pool bwd) and checks them against the targets.  The
small and tiny cases, where fixed per-call overhead dominates, form
their own group; the tiny case has an absolute target instead.

convlib.naive (loops) is timed only on the small cases, and only if it
is importable; missing pooling functions are skipped with a note.
"""
import argparse
import math
import os
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F

import convlib.numpy as cn

TARGETS = {"conv fwd": 1.25, "conv bwd": 2.0}
TINY_TARGET_MS = 0.2


def _conv_case(name, x, w, small=False, **kw):
    group = "small conv" if small else "conv"
    return dict(name=name, group=group, op="conv2d", shapes=(x, w),
                kwargs=kw, small=small)


CASES = [
    _conv_case("3x3 conv (32,64,32,32)->64", (32, 64, 32, 32),
               (64, 64, 3, 3), padding=1),
    _conv_case("7x7/2 stem (8,3,224,224)->64", (8, 3, 224, 224),
               (64, 3, 7, 7), stride=2, padding=3),
    _conv_case("depthwise 3x3 (32,128,32,32)", (32, 128, 32, 32),
               (128, 1, 3, 3), padding=1, groups=128),
    _conv_case("1x1 conv (32,256,16,16)->64", (32, 256, 16, 16),
               (64, 256, 1, 1)),
    _conv_case("dilated 3x3 d=2 (16,64,64,64)->64", (16, 64, 64, 64),
               (64, 64, 3, 3), padding=2, dilation=2),
    dict(name="transposed 4x4/2 (16,64,32,32)->32", group="conv",
         op="conv_transpose2d", shapes=((16, 64, 32, 32), (64, 32, 4, 4)),
         kwargs=dict(stride=2, padding=1), small=False),
    _conv_case("small 3x3 (2,8,16,16)->8", (2, 8, 16, 16), (8, 8, 3, 3),
               small=True, padding=1),
    _conv_case("tiny (1,1,5,5) 3x3", (1, 1, 5, 5), (1, 1, 3, 3),
               small=True),
    dict(name="max pool 3x3/2 (32,64,56,56)", group="pool",
         op="max_pool2d", shapes=((32, 64, 56, 56),),
         kwargs=dict(kernel_size=3, stride=2), small=False),
    dict(name="avg pool 2x2 (32,64,56,56)", group="pool", op="avg_pool2d",
         shapes=((32, 64, 56, 56),), kwargs=dict(kernel_size=2),
         small=False),
]


def _paired_ms(ours, theirs, repeats):
    """Median ms of each, median paired ratio, ratio of the minima.

    The two functions run alternately, once each per repeat after a
    warm-up, so a change in the machine's load hits both alike.  The
    ratio of the fastest runs is the one an idle machine would show.
    """
    ours(), theirs()
    times = ([], [])
    for _ in range(repeats):
        for func, bucket in zip((ours, theirs), times):
            start = time.perf_counter()
            func()
            bucket.append(time.perf_counter() - start)
    ratio = statistics.median(a / b for a, b in zip(*times))
    return (1e3 * statistics.median(times[0]),
            1e3 * statistics.median(times[1]), ratio,
            min(times[0]) / min(times[1]))


def _median_ms(func, repeats):
    """Median wall time of `func()` in milliseconds, after a warm-up."""
    func()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def _torch_timers(case, arrays):
    """(forward, backward) closures for torch on the same arrays."""
    op = getattr(F, case["op"])
    tensors = [torch.from_numpy(a).requires_grad_() for a in arrays]
    out = op(*tensors, **case["kwargs"])
    grad = torch.from_numpy(
        np.random.default_rng(1).standard_normal(out.shape, np.float32))

    def forward():
        with torch.no_grad():
            op(*tensors, **case["kwargs"])

    def backward():
        torch.autograd.grad(out, tensors, grad, retain_graph=True)
    return forward, backward, grad.numpy()


def _numpy_timers(module, case, arrays, grad):
    """(forward, backward) closures for a convlib module, or None."""
    op = getattr(module, case["op"], None)
    op_backward = getattr(module, case["op"] + "_backward", None)
    forward = backward = None
    if op is not None:
        def forward():
            op(*arrays, **case["kwargs"])
    if op_backward is not None:
        def backward():
            op_backward(grad, *arrays, **case["kwargs"])
    return forward, backward


def _naive_module():
    try:
        import convlib.naive as naive
    except ImportError:
        return None
    return naive


def run_case(case, repeats, naive):
    """Time one case: {direction: (numpy ms, torch ms, ratio, best
    ratio, naive ms)}.

    naive ms is None where convlib.naive was not timed.
    """
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s, np.float32) for s in case["shapes"]]
    t_fwd, t_bwd, grad = _torch_timers(case, arrays)
    n_fwd, n_bwd = _numpy_timers(cn, case, arrays, grad)
    loops = (None, None)
    if naive is not None and case["small"]:
        loops = _numpy_timers(naive, case, arrays, grad)
    if case["small"]:  # microseconds each: many repeats are cheap
        repeats *= 20
    result = {}
    for direction, ours, theirs, naive_op in (
            ("fwd", n_fwd, t_fwd, loops[0]), ("bwd", n_bwd, t_bwd, loops[1])):
        if ours is None:
            continue
        naive_ms = None if naive_op is None else _median_ms(naive_op, 3)
        result[direction] = _paired_ms(ours, theirs, repeats) + (naive_ms,)
    return result


def _row(name, direction, times):
    ours, theirs, ratio, best, loops = times
    naive = "-" if loops is None else f"{loops:10.3f}"
    return (f"{name:36s} {direction:>3s} {ours:9.3f} {theirs:9.3f} "
            f"{ratio:6.2f} {best:6.2f} {naive:>9s}")


def _geomean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values))


def _summary(ratios, tiny_ms):
    print("\ngeometric mean of numpy/torch time ratios "
          "(median of paired runs; ratio of the fastest runs)")
    for group, values in ratios.items():
        if not values:
            continue
        mean, best = (_geomean(v) for v in zip(*values))
        target = TARGETS.get(group)
        verdict = ("" if target is None else
                   f"  target <= {target:.2f}: "
                   f"{'ok' if mean <= target else 'MISSED'} / "
                   f"{'ok' if best <= target else 'MISSED'}")
        print(f"  {group:14s} {mean:5.2f} {best:5.2f}  "
              f"({len(values)} cases){verdict}")
    if tiny_ms is not None:
        verdict = "ok" if tiny_ms <= TINY_TARGET_MS else "MISSED"
        print(f"  tiny conv forward {tiny_ms:.3f} ms (median)  "
              f"target <= {TINY_TARGET_MS} ms: {verdict}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer repeats (noisier)")
    args = parser.parse_args(argv)
    repeats = 3 if args.quick else 9
    naive = _naive_module()
    print(f"torch {torch.__version__} threads={torch.get_num_threads()}, "
          f"numpy {np.__version__}, cpus={os.cpu_count()}, "
          f"repeats={repeats}, naive={'yes' if naive else 'missing'}")
    print(f"{'case':36s} dir {'numpy ms':>9s} {'torch ms':>9s} "
          f"{'ratio':>6s} {'best':>6s} {'naive ms':>9s}")
    ratios = {f"{g} {d}": [] for g in ("conv", "pool", "small conv")
              for d in ("fwd", "bwd")}
    tiny_ms = None
    for case in CASES:
        if getattr(cn, case["op"], None) is None:
            print(f"{case['name']:36s} skipped: convlib.numpy."
                  f"{case['op']} is not there yet")
            continue
        result = run_case(case, repeats, naive)
        for direction, times in result.items():
            print(_row(case["name"], direction, times))
            ratios[f"{case['group']} {direction}"].append(times[2:4])
        if case["name"].startswith("tiny"):
            tiny_ms = result["fwd"][0]
    _summary(ratios, tiny_ms)
    demo_benchmarks()


# ---- chapter 4: the HDC map's update time in chromium (target 30 ms)

DEMO_TARGET_MS = 30.0

_HDC_UPDATE_JS = """() => {
  // each setting is applied 5 times; its cost is the fastest of the 5
  // (a busy machine can only slow a run down, never speed it up)
  const el = document.querySelector('.convlib-hdc-map');
  const set = (field, value) => {
    const sel = el.querySelector(`[data-field='${field}']`);
    const times = [];
    for (let i = 0; i < 5; i++) {
      sel.value = String(value);
      const t0 = performance.now();
      sel.dispatchEvent(new Event('change'));
      times.push(performance.now() - t0);
    }
    return Math.min(...times);
  };
  const costs = [set('layers', 4), set('k', 5)];
  for (const r of [8, 7, 5, 2, 1, 8]) {
    for (const f of ['r1', 'r2', 'r3', 'r4']) costs.push(set(f, r));
  }
  costs.push(set('k', 2), set('layers', 1));
  return costs;
}"""


def hdc_map_update_ms():
    """Median and worst update time of the HDC map (ms), in chromium.

    Each update is a control change: the report (coverage, M chain,
    verdicts) is recomputed and the map redrawn, up to 129 x 129 pixels
    (4 layers of rate 8, K = 5). A setting's time is the fastest of 5
    repeats; the median and the worst are over 28 settings.
    """
    from playwright.sync_api import sync_playwright

    from convlib.widgets import hdc_map
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    demo = hdc_map([1, 2, 5], 3)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium,
                                    args=["--no-sandbox"])
        page = browser.new_page()
        page.set_content("<!doctype html><body>" + demo.fallback_html()
                         + "</body>")
        times = page.evaluate(_HDC_UPDATE_JS)
        browser.close()
    return statistics.median(times), max(times)


def demo_benchmarks():
    median, worst = hdc_map_update_ms()
    verdict = "ok" if worst <= DEMO_TARGET_MS else "MISSED"
    print(f"\ndemo updates (chromium): HDC map median {median:.1f} ms, "
          f"worst {worst:.1f} ms  target <= {DEMO_TARGET_MS:.0f} ms: "
          f"{verdict}")


if __name__ == "__main__":
    main()
