"""The update latency of every chapter's interactive demo, in chromium.

``python benchmarks/bench.py --widgets`` runs only this; ``make
bench`` runs it last (``--no-demos`` leaves it out). Chromium
(headless, $CHROMIUM or /usr/bin/chromium, driven by playwright)
mounts each demo from its HTML fallback and moves its controls through
the steps declared in `DEMO_SWEEPS`; each update is timed from the
event to the end of the layout it forces. One table gives each demo's
median, 95th percentile and worst time against `DEMO_TARGET_MS`.
"""
import os
import statistics

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
    """Every kernel, stride and padding of the transposed stepper in both
    views, a step forth and back at each (the innermost control changes
    most often); output_padding and dilation at their largest grids."""
    steps = []
    for view in (False, True):
        steps += _moves("zero_insertion", [view])
        for k in (1, 2, 3, 4):
            steps += _moves("kernel", [k])
            for s in (1, 2, 3):
                steps += _moves("stride", [s])
                for p in (0, 1, 2):
                    steps += (_moves("padding", [p])
                              + _moves("next", [None], "click")
                              + _moves("prev", [None], "click"))
        steps += (_changes([("padding", 0), ("dilation", 2),
                            ("output_padding", 1), ("output_padding", 2)])
                  + _moves("all", [None], "click")
                  + _changes([("dilation", 1), ("output_padding", 0),
                              ("values", "ones"), ("values", "example")]))
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
        ("kh", 3), ("kw", 3), ("sh", 2), ("sw", 2), ("ph", 1), ("pw", 1),
        ("ceil", None), ("shift", None), ("kind", "avg"), ("cip", None),
        ("div", 5), ("kh", 4), ("ph", 2), ("div", 0), ("kind", "max"),
        ("dh", 2), ("sh", 0), ("kh", 2), ("shift", None)])),
    "activation_explorer": (  # every activation function drawn
        lambda w: w.activation_explorer(
            [spec.name for spec in w.activations.SPECS]),
        _moves("point", [round(8 * x - 4, 2) for x in _RAMP], "input")
        + _moves("leaky_relu-negative_slope", _RAMP, "input")
        + _moves("in-mean", [round(6 * x - 3, 1) for x in _RAMP], "input")
        + _moves("in-std", [round(0.1 + 2.9 * x, 1) for x in _RAMP],
                 "input")
        + _moves("view-centre", [round(8 * x - 4) for x in _RAMP],
                 "input")),
    "cnn_tracer": (lambda w: w.cnn_tracer(),
                   _moves("size", range(4, 44), "input")),
    "conv_matrix_explorer": (  # up to its largest T, 243 x 75
        lambda w: w.conv_matrix_explorer(), _changes([
            ("cin", 3), ("cout", 3), ("n", 5), ("p", 1), ("p", 2),
            ("k", 1), ("s", 2), ("s", 1), ("g", 3), ("g", 1), ("k", 3),
            ("n", 3), ("p", 0), ("cin", 2), ("cout", 2), ("n", 4)])),
    "digit_net": (lambda w: _digit_net(w),   # forward pass, every map
                  _moves("digit", list(range(40)) + ["blank"])
                  + _moves("clear", [None], "click")),
    "norm_explorer": (lambda w: w.norm_explorer(), _changes(
        [("kind", k) for k in ("layer", "instance", "group", "batch")]
        + [("mode", "eval"), ("sample", 3), ("channel", 2),
           ("show", "output"), ("kind", "group"), ("groups", 4),
           ("groups", 1), ("mode", "train"), ("show", "input")])),
}


def _digit_net(widgets):
    """Chapter 8's live network on untrained weights (the same work per
    update as trained ones) and the first 40 test digits."""
    from convlib import data
    ds = data.digits(test_fraction=0.2, seed=0)
    return widgets.digit_net(widgets.random_weights(0), ds.x_test,
                             ds.y_test, picks=list(range(40)))


def _latency_row(name, times):
    """A table row: updates, median, 95th percentile, worst, verdicts."""
    median = statistics.median(times)
    p95 = statistics.quantiles(times, n=20, method="inclusive")[-1]
    verdict = " / ".join("within" if t <= DEMO_TARGET_MS else "above"
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
    print(f"\nthe demos' update latency in headless chromium ({chromium};"
          f" ms; target <= {DEMO_TARGET_MS:g} ms for median / 95th)")
    print(f"{'demo':22s} {'updates':>7s} {'median':>7s} {'95th':>7s} "
          f"{'worst':>7s}")
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

