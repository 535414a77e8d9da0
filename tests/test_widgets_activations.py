"""convlib.widgets.activations: the activation explorer of chapter 7.

The Python functions behind the demo are checked against torch autograd
in float64; the demo's JavaScript (activation_explorer.js, run in
headless chromium) is held equal to them over every slider setting of
every function, forward and backward, and the mounted demo is driven as
a reader would drive it.
"""
import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from convlib.numpy.activations import _erf
from convlib.widgets import (ActivationExplorer, activation_explorer,
                             activation_point, activation_samples,
                             explorer_config, explorer_x, parameter_grid,
                             script_source)
from convlib.widgets._demo import kit_source
from convlib.widgets.activations import SPECS
from _demo_page import mount

NAMES = [spec.name for spec in SPECS]
TORCH = {
    "sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": F.relu,
    "leaky_relu": F.leaky_relu,
    "rrelu": lambda x, **k: F.rrelu(x, training=False, **k),
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
        # torch's CELU uses 1 / alpha in float32 (test_numpy_activations)
        rtol = 1e-6 if name == "celu" else 1e-12
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
    ("celu", 30), ("softplus", 20), ("gelu_tanh", 1)])
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
    assert root.locator("tr[data-name]").count() == 3
    assert root.locator(".cl-chart").count() == 2
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
