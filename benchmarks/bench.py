"""Time convlib.numpy against torch.nn.functional (and convlib.naive).

Run ``python benchmarks/bench.py`` (``--quick`` for fewer repeats).
Every case runs forward and backward in float32 on the CPU, in one
process, so the ratios compare like with like even on a busy machine;
torch, OpenBLAS and convlib's own thread pool get the same number of
threads (``--threads``, default 1).
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

Besides these named cases, every run draws a sweep of conv2d shapes at
random (`sweep_cases`; the seed is printed, ``--seed`` repeats a run):
grouped, depthwise, dilated, strided, 1x1, 3x3 and 5x5 convolutions,
batch 1 to 32, 8 to 128 channels -- shapes nobody tuned on. Its
geometric means are checked against `SWEEP_TARGETS`. Max pooling's
backward is compared twice, like with like: given the forward's
indices against torch's backward, and recomputing them against torch's
forward + backward.

Then the convolutions of two real networks (`network_cases`: ResNet-18
and MobileNet v1 on one 224x224 image), printed as a check that the
sweep's figures hold on shapes chosen apart from it.

Last, the update latency of every chapter's interactive demo
(`demo_latencies`; ``--widgets`` runs only this): chromium (headless,
$CHROMIUM or /usr/bin/chromium, driven by playwright) mounts each demo
from its HTML fallback and moves its controls through the steps
declared in `DEMO_SWEEPS`; each update is timed from the event to the
end of the layout it forces. One table gives each demo's median, 95th
percentile and worst time against `DEMO_TARGET_MS`.
"""
import argparse
import math
import os
import random
import statistics
import sys
import time


def _threads_option(argv):
    """The value of ``--threads`` (default 1), read before NumPy loads:
    OpenBLAS takes its thread count from the environment once."""
    for i, arg in enumerate(argv):
        if arg.startswith("--threads="):
            return int(arg.split("=", 1)[1])
        if arg == "--threads" and i + 1 < len(argv):
            return int(argv[i + 1])
    return 1


THREADS = _threads_option(sys.argv[1:])
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
    os.environ[_name] = str(THREADS)

import numpy as np  # noqa: E402  (after the thread count is set)
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import convlib.numpy as cn  # noqa: E402
import convlib.numpy._conv_forward as _conv_forward  # noqa: E402

TARGETS = {"conv fwd": 1.25, "conv bwd": 2.0}
TINY_TARGET_MS = 0.2
SWEEP_TARGETS = {"sweep fwd": 1.25, "sweep bwd": 2.0,
                 "sweep depthwise fwd": 1.5,
                 "max_pool2d bwd, given indices": 2.0,
                 "max_pool2d bwd, recomputed": 2.0}
SWEEP_KINDS = ("grouped", "depthwise", "dilated", "strided", "1x1", "3x3",
               "5x5")
SWEEP_MACS = 1.5e8  # per case: keeps one sweep within a minute or two


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


def _sweep_case(kind, rng):
    """One random conv2d case of the given kind (see `sweep_cases`)."""
    batch = rng.choice([1, 2, 4, 8, 16, 32])
    c_in = rng.choice([8, 16, 24, 32, 48, 64, 96, 128])
    c_out = rng.choice([8, 16, 24, 32, 48, 64, 96, 128])
    size = rng.choice([7, 8, 14, 16, 28, 32, 56])
    k, kw = {"1x1": 1, "5x5": 5}.get(kind, 3), {}
    groups = 1
    if kind == "grouped":
        groups = rng.choice([2, 4, 8])
        c_in, c_out = (max(groups, c - c % groups) for c in (c_in, c_out))
    elif kind == "depthwise":
        groups, c_out = c_in, c_in * rng.choice([1, 1, 2])
    elif kind == "dilated":
        kw["dilation"] = rng.choice([2, 3])
    elif kind == "strided":
        k, kw["stride"] = rng.choice([3, 5]), 2
    kw["padding"] = kw.get("dilation", 1) * (k // 2)
    size = max(size, kw.get("dilation", 1) * (k - 1) + 1)
    while (batch * c_out * c_in // groups * k * k * size * size
           / kw.get("stride", 1) ** 2 > SWEEP_MACS and batch > 1):
        batch //= 2
    name = (f"{kind} {k}x{k} ({batch},{c_in},{size},{size})->{c_out}"
            + "".join(f" {key[0]}={v}" for key, v in kw.items()
                      if key != "padding")
            + (f" g={groups}" if groups > 1 else ""))
    return dict(name=name, group="sweep", op="conv2d", kind=kind,
                shapes=((batch, c_in, size, size),
                        (c_out, c_in // groups, k, k)),
                kwargs=dict(kw, groups=groups), small=False)


def sweep_cases(seed, per_kind=2):
    """`per_kind` random conv2d cases of every kind in `SWEEP_KINDS`."""
    rng = random.Random(seed)
    return [_sweep_case(kind, rng) for _ in range(per_kind)
            for kind in SWEEP_KINDS]


def _max_pool_backward_timers(shape, kwargs):
    """Closures timing max_pool2d's backward both ways, and torch's."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape, np.float32)
    values, indices = cn.max_pool2d(x, return_indices=True, **kwargs)
    grad = rng.standard_normal(values.shape, np.float32)
    tx = torch.from_numpy(x).requires_grad_()
    t_grad = torch.from_numpy(grad)
    t_out = F.max_pool2d(tx, **kwargs)

    def ours_given():
        cn.max_pool2d_backward(grad, x, indices=indices, **kwargs)

    def ours_recomputed():
        cn.max_pool2d_backward(grad, x, **kwargs)

    def torch_backward():
        torch.autograd.grad(t_out, tx, t_grad, retain_graph=True)

    def torch_both():
        out = F.max_pool2d(tx, **kwargs)
        torch.autograd.grad(out, tx, t_grad)
    return (ours_given, torch_backward), (ours_recomputed, torch_both)


def run_pool_backward(repeats):
    """Paired ratios of max_pool2d_backward, with and without indices."""
    ratios = {"max_pool2d bwd, given indices": [],
              "max_pool2d bwd, recomputed": []}
    for shape, kwargs in (((32, 64, 56, 56), dict(kernel_size=3, stride=2)),
                          ((16, 32, 32, 32), dict(kernel_size=2)),
                          ((8, 64, 28, 28), dict(kernel_size=3, stride=1,
                                                 padding=1))):
        pairs = _max_pool_backward_timers(shape, kwargs)
        for (label, values), pair in zip(ratios.items(), pairs):
            times = _paired_ms(*pair, repeats)
            values.append(times[2:4])
            print(f"  {label:32s} {str(shape):18s} {times[0]:9.3f} "
                  f"{times[1]:9.3f} {times[2]:6.2f} {times[3]:6.2f}")
    return ratios


def run_sweep(seed, repeats):
    """Time the random sweep; {group: [(ratio, best ratio), ...]}."""
    print(f"\nsweep of random conv2d shapes, seed {seed} "
          f"(repeat with --seed {seed})")
    ratios = {"sweep fwd": [], "sweep bwd": [], "sweep depthwise fwd": []}
    for case in sweep_cases(seed):
        result = run_case(case, repeats, None)
        for direction, times in result.items():
            print(_row(case["name"][:36], direction, times))
            ratios[f"sweep {direction}"].append(times[2:4])
        if case["kind"] == "depthwise":
            ratios["sweep depthwise fwd"].append(result["fwd"][2:4])
    print("\nmax_pool2d_backward against torch (numpy ms, torch ms, "
          "ratio, best)")
    ratios.update(run_pool_backward(repeats))
    print("\nsweep: geometric mean of numpy/torch time ratios "
          "(median of paired runs; ratio of the fastest runs)")
    for group, values in ratios.items():
        mean, best = (_geomean(v) for v in zip(*values))
        target = SWEEP_TARGETS[group]
        print(f"  {group:32s} {mean:5.2f} {best:5.2f}  ({len(values)} "
              f"cases)  target <= {target:.2f}: "
              f"{'ok' if mean <= target else 'MISSED'} / "
              f"{'ok' if best <= target else 'MISSED'}")
    return ratios


def network_cases():
    """The convolutions of ResNet-18 and MobileNet v1 on one 224x224
    image: real layers, chosen apart from the code and the sweep (up to
    1024 channels, 7x7 stems, 1x1 downsampling at stride 2)."""
    cases = [_conv_case("resnet18 conv1 7x7/2", (1, 3, 224, 224),
                        (64, 3, 7, 7), stride=2, padding=3)]
    size, c_in = 56, 64
    for c_out, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
        if stride == 2:
            cases.append(_conv_case(
                f"resnet18 {c_in}->{c_out} 3x3/2 @{size}",
                (1, c_in, size, size), (c_out, c_in, 3, 3), stride=2,
                padding=1))
            cases.append(_conv_case(
                f"resnet18 {c_in}->{c_out} 1x1/2 @{size}",
                (1, c_in, size, size), (c_out, c_in, 1, 1), stride=2))
            size //= 2
        cases.append(_conv_case(
            f"resnet18 {c_out}->{c_out} 3x3 @{size}",
            (1, c_out, size, size), (c_out, c_out, 3, 3), padding=1))
        c_in = c_out
    cases.append(_conv_case("mobilenet conv 3x3/2", (1, 3, 224, 224),
                            (32, 3, 3, 3), stride=2, padding=1))
    size, c_in = 112, 32
    for c_out, stride in ((64, 1), (128, 2), (128, 1), (256, 2),
                          (256, 1), (512, 2), (512, 1), (1024, 2)):
        cases.append(_conv_case(
            f"mobilenet dw {c_in} 3x3/{stride} @{size}",
            (1, c_in, size, size), (c_in, 1, 3, 3), stride=stride,
            padding=1, groups=c_in))
        size = (size - 1) // stride + 1
        cases.append(_conv_case(
            f"mobilenet pw {c_in}->{c_out} @{size}", (1, c_in, size, size),
            (c_out, c_in, 1, 1)))
        c_in = c_out
    return [dict(case, group="network") for case in cases]


def run_networks(repeats):
    """Time `network_cases`; print their geometric means (no target:
    a check that the sweep's figures hold on shapes it did not draw)."""
    print("\nconvolutions of real networks, batch 1, 224x224 "
          "(numpy ms, torch ms, ratio, best)")
    ratios = {}
    for case in network_cases():
        result = run_case(case, repeats, None)
        net = case["name"].split()[0]
        kind = " depthwise" if " dw " in case["name"] else ""
        for direction, times in result.items():
            print(_row(case["name"][:36], direction, times))
            for group in {f"{net} {direction}",
                          f"{net}{kind} {direction}"}:
                ratios.setdefault(group, []).append(times[2:4])
    print("\nnetworks: geometric mean of numpy/torch time ratios "
          "(median of paired runs; ratio of the fastest runs)")
    for group, values in ratios.items():
        mean, best = (_geomean(v) for v in zip(*values))
        print(f"  {group:32s} {mean:5.2f} {best:5.2f}  ({len(values)} "
              f"cases)")
    return ratios


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer repeats (noisier)")
    parser.add_argument("--widgets", action="store_true",
                        help="only the demos' update latencies")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed of the random conv2d sweep")
    parser.add_argument("--sweep-only", action="store_true",
                        help="skip the named cases")
    parser.add_argument("--threads", type=int, default=THREADS,
                        help="threads for torch, OpenBLAS and convlib's "
                        "own thread pool alike (default 1: like with "
                        "like, and steady on a busy machine)")
    args = parser.parse_args(argv)
    if args.widgets:
        demo_latencies(3 if args.quick else 9)
        return
    torch.set_num_threads(THREADS)
    _conv_forward.THREADS = THREADS
    seed = (args.seed if args.seed is not None
            else random.SystemRandom().randrange(10**6))
    repeats = 3 if args.quick else 9
    naive = _naive_module()
    print(f"torch {torch.__version__}, threads={torch.get_num_threads()} "
          f"(torch, OpenBLAS and convlib alike), "
          f"numpy {np.__version__}, cpus={os.cpu_count()}, "
          f"repeats={repeats}, naive={'yes' if naive else 'missing'}")
    print(f"{'case':36s} dir {'numpy ms':>9s} {'torch ms':>9s} "
          f"{'ratio':>6s} {'best':>6s} {'naive ms':>9s}")
    ratios = {f"{g} {d}": [] for g in ("conv", "pool", "small conv")
              for d in ("fwd", "bwd")}
    tiny_ms = None
    for case in ([] if args.sweep_only else CASES):
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
    if not args.sweep_only:
        _summary(ratios, tiny_ms)
    run_sweep(seed, repeats)
    if not args.sweep_only:
        run_networks(repeats)
        demo_latencies(repeats)


# ---------------------------------------------------------------------
# The demos' update latency: every chapter's demo, timed in chromium.

DEMO_TARGET_MS = 30.0

_UPDATES_JS = """([steps, rounds]) => {
  const root = document.querySelector('.convlib-demo');
  const times = [];
  for (let r = 0; r <= rounds; r++) {  // round 0 only warms up
    for (const [field, value, event] of steps) {
      const el = root.querySelector(`[data-field='${field}']`);
      if (!el) throw new Error(`no control data-field=${field}`);
      if (el.type === 'checkbox') {
        el.checked = value === null ? !el.checked : value;
      } else if (event !== 'click') { el.value = String(value); }
      const t0 = performance.now();
      if (event === 'click') { el.click(); }
      else { el.dispatchEvent(new Event(event, {bubbles: true})); }
      void root.offsetHeight;  // include the layout the update forces
      if (r > 0) times.push(performance.now() - t0);
    }
  }
  return times;
}"""


def _moves(field, values, event="change"):
    """Steps setting control `field` to each of `values` in turn; event
    'input' (number boxes, sliders), 'change' (selects, checkboxes; value
    None toggles a checkbox) or 'click' (buttons)."""
    return [(field, value, event) for value in values]


def _changes(pairs):
    """Steps from (field, value) pairs of selects and checkboxes."""
    return [(field, value, "change") for field, value in pairs]


def _stepper_moves():
    """Every setting of the transposed stepper, a step forth and back at
    each (the innermost control changes most often)."""
    steps = []
    for values in ("example", "ones"):
        steps += _moves("values", [values])
        for k in (1, 2, 3, 4):
            steps += _moves("kernel", [k])
            for s in (1, 2, 3):
                steps += _moves("stride", [s])
                for p in (0, 1, 2):
                    steps += (_moves("padding", [p])
                              + _moves("next", [None], "click")
                              + _moves("prev", [None], "click"))
    return steps


def _hdc_moves():
    """The HDC map up to its largest picture (4 layers of rate 8, K=5)."""
    rates = [(f"r{i}", r) for r in (8, 7, 5, 2, 1, 8) for i in (1, 2, 3, 4)]
    return _changes([("layers", 4), ("k", 5)] + rates
                    + [("k", 2), ("layers", 1)])


_RAMP = [k / 40 for k in range(40)]
DEMO_SWEEPS = {  # demo: (built from convlib.widgets, steps of one round)
    "shape_calculator": (lambda w: w.shape_calculator(),
                         _moves("k", [3, 5, 7] * 10, "input")),
    "window_stepper": (lambda w: w.window_stepper(),
                       _moves("dilation", [1, 2, 3] * 10)),
    "variant_comparer": (lambda w: w.variant_comparer(), _changes([
        ("variant", "standard"), ("in_channels", 16), ("out_channels", 16),
        ("stacked", True), ("variant", "spatial"), ("variant", "depthwise"),
        ("variant", "shuffled"), ("groups", 4), ("variant", "grouped"),
        ("kernel_size", 7), ("groups", 3), ("variant", "pointwise"),
        ("stacked", False)])),
    "transposed_stepper": (lambda w: w.transposed_stepper(),
                           _stepper_moves()),
    "hdc_map": (lambda w: w.hdc_map([1, 2, 5], 3), _hdc_moves()),
    "pooling_explorer": (lambda w: w.pooling_explorer(), _changes([
        ("k", 3), ("s", 2), ("p", 1), ("ceil", None), ("kind", "avg"),
        ("cip", None), ("k", 4), ("p", 2), ("kind", "max"), ("d", 2),
        ("s", 0), ("k", 2)])),
    "activation_explorer": (  # every activation function drawn
        lambda w: w.activation_explorer(
            [spec.name for spec in w.activations.SPECS]),
        _moves("point", [round(8 * x - 4, 2) for x in _RAMP], "input")
        + _moves("leaky_relu-negative_slope", _RAMP, "input")),
    "cnn_tracer": (lambda w: w.cnn_tracer(),
                   _moves("size", range(4, 44), "input")),
}


def _latency_row(name, times):
    """A table row: updates, median, 95th percentile, worst, verdicts."""
    median = statistics.median(times)
    p95 = statistics.quantiles(times, n=20, method="inclusive")[-1]
    verdict = " / ".join("ok" if t <= DEMO_TARGET_MS else "MISSED"
                         for t in (median, p95))
    return (f"{name:22s} {len(times):7d} {median:7.2f} {p95:7.2f} "
            f"{max(times):7.2f}  {verdict}")


def demo_latencies(rounds):
    """Update times of every chapter's demo in headless chromium.

    Chromium starts once; each demo is mounted from its HTML fallback and
    its steps run `rounds` times after a warm-up round (see `_UPDATES_JS`).
    Prints one table row per demo; returns {demo: [ms, ...]}.
    """
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("\ndemo latencies skipped: playwright missing")
        return None
    if not os.path.exists(chromium):
        print(f"\ndemo latencies skipped: no chromium at {chromium}")
        return None
    from convlib import widgets
    print(f"\ndemo update in chromium (ms; target <= {DEMO_TARGET_MS:g} ms "
          f"for median / 95th)\n{'demo':22s} {'updates':>7s} {'median':>7s} "
          f"{'95th':>7s} {'worst':>7s}")
    results = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium,
                                    args=["--no-sandbox"])
        page = browser.new_page()
        for name, (build, steps) in DEMO_SWEEPS.items():
            page.set_content("<!doctype html><body>"
                             + build(widgets).fallback_html() + "</body>")
            results[name] = page.evaluate(_UPDATES_JS, [steps, rounds])
            print(_latency_row(name, results[name]), flush=True)
        browser.close()
    return results


if __name__ == "__main__":
    main()
