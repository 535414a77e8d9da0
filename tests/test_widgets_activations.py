"""convlib.widgets.activations: the activation explorer of chapter 7.

The Python functions behind the demo are checked against torch autograd
in float64 and the input statistics against closed forms; the demo's
JavaScript (activation_explorer.js, run in headless chromium) is held
equal to them over every slider setting of every function, forward and
backward, and over a grid of inputs N(mean, std^2); the mounted demo is
driven as a reader would drive it, by mouse and by keyboard alone, and
fits a 390-px phone.
"""
import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from convlib.numpy.activations import _erf
from convlib.widgets import (ActivationExplorer, activation_distribution,
                             activation_explorer, activation_point,
                             activation_samples, explorer_config,
                             explorer_x, input_points, parameter_grid,
                             script_source)
from convlib.widgets._demo import kit_source
from convlib.widgets.activations import (GAINS, HIST_BINS, HIST_HALF,
                                         INPUT_MEAN, INPUT_STD, QUAD_HALF,
                                         QUAD_N, SPECS)
from _demo_page import mount

NAMES = [spec.name for spec in SPECS]
TORCH = {
    "sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": F.relu,
    "leaky_relu": F.leaky_relu,
    "rrelu": lambda x, **k: F.rrelu(x, training=False, **k),
    "relu6": F.relu6, "hardsigmoid": F.hardsigmoid,
    "hardswish": F.hardswish,
    "elu": F.elu, "celu": F.celu, "selu": F.selu,
    "gelu": F.gelu, "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "silu": F.silu, "mish": F.mish,
    "softplus": lambda x, **k: F.softplus(x, threshold=20.0, **k),
}


def _torch_samples(name, x, **params):
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = TORCH[name](t, **params)
    y.sum().backward()
    return y.detach().numpy(), t.grad.numpy()


def _some_settings(name):
    grid = parameter_grid(name)
    return [grid[0], grid[len(grid) // 2], grid[-1]]


# ------------------------------------------------------ Python functions

def test_x_grid_is_minus_4_to_4_in_steps_of_0_05():
    x = explorer_x()
    assert x.shape == (161,)
    assert (x[0], x[80], x[-1]) == (-4.0, 0.0, 4.0)
    np.testing.assert_allclose(np.diff(x), 0.05, rtol=1e-9)


@pytest.mark.parametrize("name", NAMES)
def test_samples_equal_torch_autograd_float64(name):
    for params in _some_settings(name):
        if params.get("lower", 0) > params.get("upper", 1):
            continue
        x, y, dy = activation_samples(name, **params)
        ty, tdy = _torch_samples(name, x, **params)
        # torch's CELU uses 1 / alpha in float32 and its hardsigmoid
        # backward 1/6 in float32 (test_numpy_activations)
        rtol = 1e-6 if name in ("celu", "hardsigmoid") else 1e-12
        np.testing.assert_allclose(y, ty, rtol=rtol, atol=1e-14)
        np.testing.assert_allclose(dy, tdy, rtol=rtol, atol=1e-14)


def test_point_is_the_sample_at_that_x():
    x, y, dy = activation_samples("elu", alpha=2.0)
    assert activation_point("elu", x[30], alpha=2.0) == (y[30], dy[30])
    assert activation_point("relu", -1.0) == (0.0, 0.0)
    value, slope = activation_point("sigmoid", 0.0)
    assert (value, slope) == (0.5, 0.25)


@pytest.mark.parametrize("name, size", [
    ("sigmoid", 1), ("leaky_relu", 101), ("rrelu", 51 * 51), ("elu", 30),
    ("celu", 30), ("softplus", 20), ("gelu_tanh", 1), ("relu6", 1),
    ("hardswish", 1)])
def test_parameter_grid_sizes(name, size):
    grid = parameter_grid(name)
    assert len(grid) == size
    assert len({json.dumps(g, sort_keys=True) for g in grid}) == size


def test_parameter_grid_ends_are_the_slider_ends():
    grid = parameter_grid("softplus")
    assert grid[0] == {"beta": 0.5} and grid[-1] == {"beta": 10.0}
    assert parameter_grid("elu")[2] == {"alpha": 0.3}


def test_rrelu_with_lower_above_upper_is_rejected_as_convlib_does():
    with pytest.raises(ValueError, match="lower must be <= upper"):
        activation_samples("rrelu", lower=0.3, upper=0.2)


@pytest.mark.parametrize("call, match", [
    (lambda: activation_samples("swish"), "activation_samples: name"),
    (lambda: activation_samples(3), "activation_samples: name"),
    (lambda: activation_samples("relu", alpha=1.0), "relu takes"),
    (lambda: activation_samples("elu", slope=1.0), "got \\['slope'\\]"),
    (lambda: activation_explorer(point=0.01), "point must be on the grid"),
    (lambda: activation_explorer(["relu", "nope"]), "name must be one of"),
    (lambda: activation_explorer(elu__beta=2.0), "elu takes"),
    (lambda: parameter_grid("nope"), "parameter_grid: name"),
])
def test_bad_arguments_name_the_function_and_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ------------------------------------------------------ the widget

def test_config_is_small_and_holds_the_starting_state():
    config = explorer_config(["elu", "softplus"], point=0.5,
                             elu__alpha=2.0)
    assert len(json.dumps(config)) < 20_000
    assert config["selected"] == ["elu", "softplus"]
    assert config["point"] == 0.5 and config["xs"] == explorer_x().tolist()
    elu = next(f for f in config["functions"] if f["name"] == "elu")
    assert elu["params"][0]["value"] == 2.0
    softplus = next(f for f in config["functions"]
                    if f["name"] == "softplus")
    assert softplus["params"][0]["value"] == 1.0


def test_demo_is_a_widget_with_an_html_fallback():
    demo = activation_explorer(["gelu", "gelu_tanh"], point=1.0)
    assert isinstance(demo, ActivationExplorer)
    bundle = demo._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert data["text/plain"] == \
        "ActivationExplorer(selected=['gelu', 'gelu_tanh'], point=1.0)"
    assert "convlibActivationExplorer.mount(" in data["text/html"]
    assert script_source("activation_explorer.js") in demo._esm
    assert kit_source(["activation_explorer.js"]) in demo._esm


# ------------------------------------------------------ JavaScript

@pytest.mark.browser
def test_js_erf_equals_convlib_erf(page):
    z = np.linspace(-7, 7, 2801)
    got = np.array(page.evaluate(
        "zs => zs.map(convlibActivationExplorer.erf)", z.tolist()))
    np.testing.assert_allclose(got, _erf(z), rtol=1e-14, atol=1e-15)


@pytest.mark.browser
@pytest.mark.parametrize("name", NAMES)
def test_js_equals_convlib_over_the_whole_slider_grid(page, name):
    """Forward and backward, every x, every slider setting."""
    xs = explorer_x()
    grid = parameter_grid(name)
    # back: per setting, f on xs then f' on xs (NaN for an invalid
    # setting) as one string of shortest round-trip numbers, and whether
    # the page reported an error
    js = page.evaluate(
        """([name, xs, grid]) => {
             const values = [], errors = [];
             for (const p of grid) {
               const r = convlibActivationExplorer.evaluate(name, xs, p, 20);
               errors.push(r.error !== "");
               const v = r.error ? xs.map(() => NaN) : r.y;
               values.push(...v, ...(r.error ? v : r.dy));
             }
             return [values.join(" "), errors];  // one string: fast
           }""", [name, xs.tolist(), grid])
    got = np.array(js[0].split(), dtype=float).reshape(len(grid), 2,
                                                        xs.size)
    assert len(js[1]) == len(grid)
    for params, values, error in zip(grid, got, js[1]):
        try:
            _, y, dy = activation_samples(name, **params)
        except ValueError:
            assert error, params
            continue
        assert not error, params
        np.testing.assert_allclose(values, [y, dy], rtol=1e-12, atol=1e-14,
                                   err_msg=f"{name} {params}")


def _mount(page, demo, how):
    return mount(page, demo, how, ".convlib-activation-explorer")


def shown(root, name, col):
    text = root.locator(f"tr[data-name='{name}'] td[data-col='{col}']")
    return float(text.inner_text().replace("\u2212", "-"))


@pytest.mark.browser
@pytest.mark.parametrize("how", ["html", "esm"])
def test_mounted_demo_follows_its_controls(page, how):
    root = _mount(page, activation_explorer(), how)
    assert root.locator(".cl-values tr[data-name]").count() == 3
    assert root.locator(".cl-dist tr[data-name]").count() == 3
    assert root.locator(".cl-chart").count() == 3
    value, slope = activation_point("elu", -1.0)
    assert abs(shown(root, "elu", "value") - value) < 1e-4
    assert abs(shown(root, "elu", "slope") - slope) < 1e-4
    root.locator("[data-field='leaky_relu-negative_slope']").fill("0.25")
    root.locator("[data-field='point']").fill("-2.5")
    value, slope = activation_point("leaky_relu", -2.5, negative_slope=0.25)
    assert abs(shown(root, "leaky_relu", "value") - value) < 1e-4
    assert shown(root, "leaky_relu", "slope") == slope
    root.locator("[data-field='show-relu']").uncheck()
    root.locator("[data-field='show-softplus']").check()
    root.locator("[data-field='softplus-beta']").fill("3")
    value, slope = activation_point("softplus", -2.5, beta=3.0)
    assert abs(shown(root, "softplus", "value") - value) < 1e-4
    assert abs(shown(root, "softplus", "slope") - slope) < 1e-4
    assert root.locator("tr[data-name='relu']").count() == 0


@pytest.mark.browser
def test_mounted_demo_shows_why_a_setting_is_invalid(page):
    root = _mount(page, activation_explorer(["rrelu"], point=-2.0), "html")
    assert abs(shown(root, "rrelu", "slope") - (0.12 + 0.33) / 2) < 1e-9
    root.locator("[data-field='rrelu-lower']").fill("0.4")
    root.locator("[data-field='rrelu-upper']").fill("0.2")
    assert "lower \u2264 upper" in root.locator(".cl-reason").inner_text()
    assert root.locator("tr[data-name='rrelu']").count() == 0
    with pytest.raises(ValueError):
        activation_samples("rrelu", lower=0.4, upper=0.2)
    root.locator("[data-field='rrelu-upper']").fill("0.5")
    assert root.locator(".cl-reason").count() == 0
    assert shown(root, "rrelu", "slope") == 0.45


# ------------------------------------------------------ the input N(mu, s^2)

def test_input_points_are_a_normal_quadrature():
    z, w, t = input_points(0.7, 2.3)
    assert z.shape == w.shape == t.shape == (QUAD_N,)
    assert abs(w.sum() - 1) < 1e-12 and not np.any(t == 0)
    np.testing.assert_allclose(np.diff(t), 2 * QUAD_HALF / QUAD_N)
    assert abs(np.sum(w * z) - 0.7) < 1e-12
    assert abs(np.sum(w * (z - 0.7) ** 2) / 2.3 ** 2 - 1) < 1e-6  # tails


def _quad(f, mean, std):
    """E[f(Z)], Z ~ N(mean, std^2), by a fine trapezoid (the check)."""
    z = mean + std * np.linspace(-12, 12, 120001)
    dens = np.exp(-0.5 * ((z - mean) / std) ** 2) / (std * np.sqrt(2 * np.pi))
    return np.trapezoid(f(z) * dens, z)


@pytest.mark.parametrize("name, mean, std", [
    ("relu", 0.0, 1.0), ("selu", 0.0, 1.0), ("tanh", 0.3, 2.0),
    ("sigmoid", -1.0, 0.5), ("gelu", 0.0, 1.0), ("elu", -0.4, 1.7),
    ("hardswish", 0.5, 3.0)])
def test_distribution_statistics_equal_fine_quadrature(name, mean, std):
    got = activation_distribution([name], mean, std, gain=5 / 3,
                                  layers=7)["functions"][name]

    def f(z):
        return activation_samples(name, z)[1]

    def slope2(z):
        return activation_samples(name, z)[2] ** 2

    m = _quad(f, mean, std)
    assert abs(got["mean"] - m) < 1e-4
    assert abs(got["var"] - _quad(lambda z: (f(z) - m) ** 2, mean,
                                  std)) < 1e-4
    assert abs(got["rms_slope"] - np.sqrt(_quad(slope2, mean, std))) < 1e-3
    assert got["per_layer"] == 5 / 3 * got["rms_slope"]
    assert got["through"] == got["per_layer"] ** 7


def test_distribution_closed_forms_and_histogram():
    d = activation_distribution(["relu", "leaky_relu", "selu"],
                                leaky_relu__negative_slope=1.0)
    relu, identity = d["functions"]["relu"], d["functions"]["leaky_relu"]
    assert abs(relu["mean"] - 1 / np.sqrt(2 * np.pi)) < 1e-5
    assert abs(relu["var"] - (0.5 - 1 / (2 * np.pi))) < 1e-5
    assert abs(relu["rms_slope"] - np.sqrt(0.5)) < 1e-9
    assert abs(identity["var"] - 1) < 1e-6 and identity["rms_slope"] == 1
    selu = d["functions"]["selu"]
    assert abs(selu["mean"]) < 1e-4 and abs(selu["var"] - 1) < 1e-4
    edges = d["edges"]
    assert len(edges) == HIST_BINS + 1
    for stats in d["functions"].values():
        assert abs(stats["counts"].sum() - 1) < 1e-12
    zero_bin = np.searchsorted(edges, 0.0, side="right") - 1
    assert relu["counts"][zero_bin] > 0.5        # half the outputs are 0
    _, _, t = input_points()
    central = np.abs(t) <= HIST_HALF
    assert edges[0] == t[central].min()          # the identity's least
    assert np.isclose(edges[-1], activation_samples("selu", t[central])[1].max(),
                      rtol=1e-15)


@pytest.mark.parametrize("call, match", [
    (lambda: activation_distribution(["relu"], std=0.0), "std must be > 0"),
    (lambda: activation_distribution(["relu"], layers=0), "layers"),
    (lambda: activation_distribution(["relu"], elu__alpha=2.0),
     "names no function"),
    (lambda: activation_distribution(["nope"]), "name must be one of"),
    (lambda: activation_explorer(width=3.0), "width must be one of"),
    (lambda: activation_explorer(gain=1.3), "gain must be one of"),
    (lambda: activation_explorer(std=0.05), "std must be on the grid"),
])
def test_distribution_and_config_refuse_bad_settings(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ------------------------------------------------------ JavaScript: input

_DIST_JS = """([fs, settings, gain, layers, cfg]) => {
  const out = [];
  for (const [mean, std] of settings) {
    const d = convlibActivationExplorer.distribution(
      fs, mean, std, gain, layers, cfg.quadrature, cfg.histogram,
      cfg.threshold);
    const row = [...d.edges];
    for (const f of fs) {
      const s = d.functions[f.name];
      row.push(s.mean, s.var, s.rms_slope, s.per_layer, s.through,
               ...s.counts);
    }
    out.push(row.join(" "));
  }
  return out.join(" ");                         // one string: fast
}"""
KEYS = ("mean", "var", "rms_slope", "per_layer", "through")


def _js_distribution(page, functions, settings, gain, layers, params=None):
    params = params or {}
    config = explorer_config()
    fs = [{"name": n, "params": {**{p["field"]: p["value"] for f in
                                    config["functions"] if f["name"] == n
                                    for p in f["params"]},
                                 **params.get(n, {})}} for n in functions]
    text = page.evaluate(_DIST_JS, [fs, settings, gain, layers, config])
    width = HIST_BINS + 1 + len(functions) * (len(KEYS) + HIST_BINS)
    return np.array(text.split(), dtype=float).reshape(len(settings), width)


def _python_distribution(functions, mean, std, gain, layers, params=None):
    kwargs = {f"{n}__{k}": v for n, p in (params or {}).items()
              for k, v in p.items()}
    d = activation_distribution(functions, mean, std, gain, layers,
                                **kwargs)
    row = list(d["edges"])
    for name in functions:
        s = d["functions"][name]
        row += [s[k] for k in KEYS] + list(s["counts"])
    return np.array(row)


def _grid(param):
    n = int(round((param.hi - param.lo) / param.step)) + 1
    return np.round(param.lo + param.step * np.arange(n), 10)


@pytest.mark.browser
def test_js_distribution_equals_python_over_the_input_grid(page):
    """All functions at once; every third mean and std of the sliders
    (both ends included), two gains and depths: statistics, shared bin
    edges and histograms."""
    names = [spec.name for spec in SPECS]
    means, stds = _grid(INPUT_MEAN), _grid(INPUT_STD)
    settings = [[float(m), float(s)]
                for m in np.union1d(means[::3], means[-1:])
                for s in np.union1d(stds[::3], stds[-1:])]
    for gain, layers, some in [(GAINS[3][0], 16, settings),
                               (5 / 3, 64, settings[::10])]:
        got = _js_distribution(page, names, some, gain, layers)
        for (mean, std), row in zip(some, got):
            want = _python_distribution(names, mean, std, gain, layers)
            np.testing.assert_allclose(row, want, rtol=1e-11, atol=1e-13,
                                       err_msg=f"N({mean}, {std}^2)")


@pytest.mark.browser
@pytest.mark.parametrize("name", [s.name for s in SPECS if s.params])
def test_js_distribution_equals_python_for_each_slider_setting(page, name):
    """Each function alone (its own histogram range), at about 40
    settings spread over its slider grid and its last, at a few
    inputs."""
    settings = [[0.0, 1.0], [-1.3, 0.4], [2.0, 2.5]]
    grid = parameter_grid(name)
    for params in grid[::max(1, len(grid) // 40)] + grid[-1:]:
        if params.get("lower", 0) > params.get("upper", 1):
            continue
        got = _js_distribution(page, [name], settings, 1.0, 3,
                               {name: params})
        for (mean, std), row in zip(settings, got):
            want = _python_distribution([name], mean, std, 1.0, 3,
                                        {name: params})
            np.testing.assert_allclose(row, want, rtol=1e-11, atol=1e-13,
                                       err_msg=f"{name} {params}")


@pytest.mark.browser
def test_kit_ticks_are_round_numbers(page):
    got = page.evaluate("""() => [convlibKit.ticks(-4, 4, 6),
                                  convlibKit.ticks(-0.17, 1.13, 5),
                                  convlibKit.ticks(0, 0.0031, 5)]""")
    assert got[0] == [-4, -2, 0, 2, 4]
    assert got[1] == [0, 0.5, 1]
    assert got[2] == [0, 0.001, 0.002, 0.003]


# ------------------------------------------------------ reading and keys

@pytest.mark.browser
def test_invalid_rrelu_alone_shows_its_reason_and_nothing_else(page):
    root = _mount(page, activation_explorer(["rrelu"]), "html")
    root.locator("[data-field='rrelu-lower']").fill("0.4")
    root.locator("[data-field='rrelu-upper']").fill("0.2")
    text = root.inner_text()
    assert "lower \u2264 upper" in text and "Tick a function" not in text
    root.locator("[data-field='show-rrelu']").uncheck()
    assert "Tick a function" in root.inner_text()


def _status(root):
    return root.locator("[role='status']").inner_text()


def _focused(page):
    return page.evaluate("document.activeElement.dataset.field || ''")


def _tab_to(page, field, limit=60):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if _focused(page) == field:
            return
    raise AssertionError(f"Tab never reached {field}")


@pytest.mark.browser
def test_demo_is_operable_by_keyboard_alone(page):
    root = _mount(page, activation_explorer(), "html")
    controls = root.locator("input, select")
    fields = [controls.nth(i).get_attribute("data-field")
              for i in range(controls.count())]
    for i in range(controls.count()):          # each has a spoken name
        name = controls.nth(i).evaluate(
            "e => (e.labels && e.labels[0] ? e.labels[0].innerText : '')"
            " || e.getAttribute('aria-label') || ''")
        assert name.strip(), fields[i]
    page.locator("body").focus()
    reached = set()
    for _ in range(len(fields) + 5):           # every control by Tab
        page.keyboard.press("Tab")
        reached.add(_focused(page))
    assert set(fields) <= reached
    before = _status(root)
    _tab_to(page, "point")
    outline = page.evaluate(
        "getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")         # visible focus
    page.keyboard.press("ArrowRight")
    assert "x\u2080 = \u22120.95" in _status(root) != before
    _tab_to(page, "show-sigmoid")
    page.keyboard.press("Enter")                # Enter ticks a box
    assert root.locator("tr[data-name='sigmoid']").count() == 2
    assert "sigmoid" in _status(root)
    _tab_to(page, "view-width")
    page.keyboard.press("ArrowDown")
    assert root.locator("[data-field='view-width']").input_value() == "4"
    _tab_to(page, "in-std")
    before = _status(root)
    page.keyboard.press("ArrowRight")
    assert "N(0, 1.1\u00b2)" in _status(root) != before
    _tab_to(page, "gain")
    page.keyboard.press("ArrowDown")
    assert "g = \u221a2" in _status(root)


@pytest.mark.browser
def test_demo_fits_a_390_px_phone(page):
    page.set_viewport_size({"width": 390, "height": 800})
    try:
        demo = activation_explorer([s.name for s in SPECS])
        root = _mount(page, demo, "html")
        widths = root.evaluate("e => [e.scrollWidth, e.clientWidth]")
        wide = root.evaluate("""e => [...e.querySelectorAll('*')].filter(
            c => c.getBoundingClientRect().right >
                 e.getBoundingClientRect().right + 0.5).map(
            c => c.tagName + ' ' + (c.textContent || '').slice(0, 30))""")
        assert widths[0] <= widths[1], wide
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        page.set_viewport_size({"width": 1280, "height": 800})
