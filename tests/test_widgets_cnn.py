"""convlib.widgets.cnn_tracer: the CNN shape tracer of chapter 8.

`trace_cnn` is held equal to torch (the shapes and parameter counts of
the same nn.Sequential, and torch refusing the network exactly where
`trace_cnn` says it breaks) over a sweep of settings; its JavaScript twin
is held equal to it in headless chromium over a larger sweep, and the
mounted demo follows its controls.
"""
import json

import numpy as np
import pytest
import torch

from convlib import shapes
from convlib.widgets import (CnnTracer, cnn_layers, cnn_tracer,
                             script_source, trace_cnn)
from _demo_page import mount



def _settings(rng):
    """Random settings of the demo's network (many of them break)."""
    def conv():
        return (int(rng.integers(1, 9)), int(rng.choice([1, 2, 3, 5])),
                int(rng.integers(1, 3)), int(rng.integers(0, 3)))

    def pool():
        return (str(rng.choice(["max", "avg", "none"])),
                int(rng.integers(1, 4)), int(rng.integers(1, 4)))

    size = int(rng.choice([1, 2, 3, 4, 5, 6, 8, 11, 16, 28]))
    channels = int(rng.integers(1, 4))
    c1, c2 = conv(), conv()
    kwargs = dict(conv1=c1, pool1=pool(), conv2=c2, pool2=pool(),
                  classes=int(rng.integers(1, 12)))
    if rng.random() < 0.2:
        kwargs["conv2_in"] = int(rng.integers(1, 9))
    if rng.random() < 0.2:
        kwargs["linear_in"] = int(rng.integers(1, 200))
    return size, channels, kwargs


def _torch_layer(name, kw, shape):
    """The torch module of one traced layer, for an input of `shape`."""
    if name == "conv2d":
        cin = kw.get("in_channels") or shape[0]
        return torch.nn.Conv2d(cin, kw["out_channels"], kw["kernel_size"],
                               stride=kw["stride"], padding=kw["padding"])
    if name == "max_pool2d":
        return torch.nn.MaxPool2d(kw["kernel_size"], stride=kw["stride"])
    if name == "avg_pool2d":
        return torch.nn.AvgPool2d(kw["kernel_size"], stride=kw["stride"])
    if name == "linear":
        fin = kw.get("in_features") or shape[0]
        return torch.nn.Linear(fin, kw["out_features"])
    return torch.nn.ReLU() if name == "relu" else torch.nn.Flatten()


def _torch_run(size, channels, layers):
    """Per layer (shape, params, numel of one output) from torch; stops
    with the index of the layer torch refuses (1-based) as (rows,
    index)."""
    x = torch.zeros(1, channels, size, size)
    rows = []
    with torch.no_grad():
        for i, (name, kw) in enumerate(layers, start=1):
            module = _torch_layer(name, kw, tuple(x.shape[1:]))
            try:
                x = module(x)
            except RuntimeError:
                return rows, i
            if name == "linear" and x.dim() != 2:
                return rows, i  # torch maps the last axis; not flat
            params = sum(p.numel() for p in module.parameters())
            rows.append((tuple(x.shape[1:]), params, x[0].numel()))
    return rows, None


# ------------------------------------------------------------ trace_cnn

def test_default_network_rows():
    trace = trace_cnn(8, 1, cnn_layers())
    assert trace.input_shape == (1, 8, 8)
    assert trace.failed_at is None and trace.reason == ""
    assert [r.layer for r in trace.rows] == [
        "conv2d", "relu", "max_pool2d", "conv2d", "relu", "max_pool2d",
        "flatten", "linear"]
    assert [r.shape for r in trace.rows] == [
        (8, 8, 8), (8, 8, 8), (8, 4, 4), (16, 4, 4), (16, 4, 4),
        (16, 2, 2), (64,), (10,)]
    assert [r.params for r in trace.rows] == [
        8 * 9 + 8, 0, 0, 16 * 8 * 9 + 16, 0, 0, 0, 64 * 10 + 10]
    assert trace.rows[0].macs == 8 * 8 * 8 * 9
    assert trace.rows[3].macs == 16 * 4 * 4 * 8 * 9
    assert trace.rows[-1].macs == 640
    assert [r.activations for r in trace.rows] == [
        512, 512, 128, 256, 256, 64, 64, 10]


def test_receptive_fields_are_convlib_shapes():
    trace = trace_cnn(8, 1, cnn_layers())
    geometry = [dict(kernel_size=3, padding=1), dict(kernel_size=2,
                stride=2), dict(kernel_size=3, padding=1),
                dict(kernel_size=2, stride=2)]
    rf = shapes.receptive_field(geometry)
    assert (trace.rows[5].rf_size, trace.rows[5].rf_stride) == \
        (rf.size, rf.stride) == (10, 4)
    assert trace.rows[-1].rf_size is None


def test_receptive_field_is_what_a_gradient_reaches():
    # ones weights and average pooling: the gradient of one central output
    # unit is non-zero exactly on its receptive field
    layers = cnn_layers(conv1=(1, 3, 1, 0), pool1=("avg", 2, 2),
                        conv2=(1, 3, 1, 0), pool2=("avg", 2, 2))
    trace = trace_cnn(32, 1, layers)
    net = torch.nn.Sequential(*[_torch_layer(n, kw, (1,))
                                for n, kw in layers[:6]])
    for m in net:
        if isinstance(m, torch.nn.Conv2d):
            torch.nn.init.ones_(m.weight)
            torch.nn.init.ones_(m.bias)  # every ReLU passes
    x = torch.ones(1, 1, 32, 32, requires_grad=True)
    net(x)[0, 0, 2, 2].backward()
    rows = torch.nonzero(x.grad[0, 0].sum(1)).ravel()
    assert int(rows[-1] - rows[0]) + 1 == trace.rows[5].rf_size == 10


def test_trace_equals_torch_over_a_sweep(rng):
    failures = 0
    for _ in range(250):
        size, channels, kwargs = _settings(rng)
        layers = cnn_layers(**kwargs)
        trace = trace_cnn(size, channels, layers)
        rows, refused = _torch_run(size, channels, layers)
        assert trace.failed_at == refused, (size, channels, kwargs)
        assert [(r.shape, r.params, r.activations)
                for r in trace.rows] == rows
        failures += refused is not None
    assert 30 < failures < 220  # the sweep tries both kinds


def test_macs_are_output_size_times_window(rng):
    for _ in range(50):
        size, channels, kwargs = _settings(rng)
        trace = trace_cnn(size, channels, cnn_layers(**kwargs))
        before = trace.input_shape
        for row in trace.rows:
            if row.layer == "conv2d":
                k = kwargs["conv1" if row.index == 1 else "conv2"][1]
                assert row.macs == np.prod(row.shape) * before[0] * k * k
            elif row.layer == "linear":
                assert row.macs == before[0] * row.shape[0]
            else:
                assert row.macs == 0 and row.params == 0
            before = row.shape


@pytest.mark.parametrize("kwargs, index, words", [
    (dict(conv1=(8, 5, 1, 0)), 1, ["5\u00d75 kernel", "spans 5 pixels",
                                   "only 4 high (4 + 2\u00d70)"]),
    (dict(conv2_in=3), 4, ["in_channels=3", "has 8 channels"]),
    (dict(linear_in=100), 8, ["in_features=100", "has 16 features"]),
    (dict(pool1=("max", 3, 0)), 3, ["stride must be >= 1", "got 0"]),
    (dict(conv2=(16, 2, 1, 0), pool2=("max", 2, 2)), 6,
     ["2\u00d72 window", "only 1 high"]),
])
def test_first_failing_layer_and_reason(kwargs, index, words):
    trace = trace_cnn(4, 1, cnn_layers(**kwargs))
    assert trace.failed_at == index
    assert len(trace.rows) == index - 1
    assert trace.reason.startswith(f"layer {index} (")
    for word in words:
        assert word in trace.reason


def test_pool_padding_over_half_the_window():
    trace = trace_cnn(8, 1, [("max_pool2d", dict(kernel_size=2,
                                                 padding=2))])
    assert trace.failed_at == 1 and "at most 1" in trace.reason
    with pytest.raises(RuntimeError, match="pad should be"):
        torch.nn.MaxPool2d(2, padding=2)(torch.zeros(1, 1, 8, 8))


def test_conv_after_flatten_and_linear_before_it():
    trace = trace_cnn(4, 2, [("flatten", {}), ("conv2d",
                                              dict(out_channels=1))])
    assert trace.failed_at == 2 and "flat vector of 32" in trace.reason
    trace = trace_cnn(4, 2, [("linear", dict(out_features=3))])
    assert trace.failed_at == 1 and "(2, 4, 4)" in trace.reason


@pytest.mark.parametrize("size, channels, word", [
    (0, 1, "size"), (8, 0, "channels"), ((8, -1), 1, "size")])
def test_bad_input_is_layer_0(size, channels, word):
    trace = trace_cnn(size, channels, cnn_layers())
    assert trace.failed_at == 0 and trace.input_shape is None
    assert trace.reason.startswith(f"input: {word} must be")


def test_non_square_input():
    trace = trace_cnn((8, 12), 3, cnn_layers())
    assert trace.rows[-2].shape == (16 * 2 * 3,)
    out = torch.nn.Sequential(
        torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(8, 16, 3, padding=1), torch.nn.MaxPool2d(2),
        torch.nn.Flatten())(torch.zeros(1, 3, 8, 12))
    assert out.shape[1] == 96


@pytest.mark.parametrize("layers, match", [
    ("conv", "layers must be a list"), ([("conv3d", {})], r"layers\[0\]"),
    ([("conv2d", dict(out_channels=1, groups=2))], "unknown settings"),
    ([("linear", {})], "needs"), ([("relu",)], r"layers\[0\]")])
def test_malformed_layers_raise(layers, match):
    with pytest.raises(TypeError, match=match):
        trace_cnn(8, 1, layers)


# ------------------------------------------------------------ the widget

def test_cnn_tracer_config_and_fallback():
    demo = cnn_tracer()
    assert isinstance(demo, CnnTracer)
    assert demo.config["conv2_in"] == 8 and demo.config["linear_in"] == 64
    html = demo._repr_mimebundle_()
    data = html[0] if isinstance(html, tuple) else html
    assert "convlibCnnTracer.mount(" in data["text/html"]
    assert script_source("cnn_tracer.js") in demo._esm
    assert len(json.dumps(demo.config)) < 600


def test_cnn_tracer_rejects_a_broken_start():
    with pytest.raises(ValueError, match="does not trace"):
        cnn_tracer(input_size=2, conv1=(8, 5, 1, 0))


# ------------------------------------------------------------ JavaScript

def _as_js(trace):
    rows = [dict(index=r.index, layer=r.layer, shape=list(r.shape),
                 params=r.params, macs=r.macs, rfSize=r.rf_size,
                 rfStride=r.rf_stride, activations=r.activations)
            for r in trace.rows]
    shape = None if trace.input_shape is None else list(trace.input_shape)
    return dict(inputShape=shape, rows=rows, failedAt=trace.failed_at,
                reason=trace.reason)


@pytest.mark.browser
def test_js_trace_equals_python_over_a_sweep(page, rng):
    cases = [_settings(rng) for _ in range(1500)]
    cases += [(0, 1, {}), (8, 0, {}), (8, 1, dict(classes=0)),
              (8, 1, dict(conv1=(0, 3, 1, 1))),
              (8, 1, dict(conv2=(4, 3, 1, -1)))]
    js = page.evaluate("""cases => cases.map(([size, ch, kw]) => {
        const layers = convlibCnnTracer.cnnLayers(Object.assign({
          conv1: [8, 3, 1, 1], pool1: ["max", 2, 2],
          conv2: [16, 3, 1, 1], pool2: ["max", 2, 2], classes: 10}, kw));
        return [layers, convlibCnnTracer.traceCnn(size, ch, layers)];
    })""", [[s, c, {k: list(v) if isinstance(v, tuple) else v
                    for k, v in kw.items()}] for s, c, kw in cases])
    broken = 0
    for (size, channels, kwargs), (js_layers, js_trace) in zip(cases, js):
        layers = cnn_layers(**kwargs)
        assert [[n, kw] for n, kw in layers] == js_layers
        assert js_trace == _as_js(trace_cnn(size, channels, layers)), \
            (size, channels, kwargs)
        broken += js_trace["failedAt"] is not None
    assert 250 < broken < 1250


def _mount(page, demo, how):
    return mount(page, demo, how)


def _shown(root):
    return [t.replace("\u2009", "") for t in
            root.locator(".cl-trace .cl-shape").all_inner_texts()]


@pytest.mark.browser
@pytest.mark.parametrize("how", ["html", "esm"])
def test_demo_follows_its_controls(page, how):
    root = _mount(page, cnn_tracer(), how)
    expected = trace_cnn(8, 1, cnn_layers())
    assert _shown(root)[1:] == [str(r.shape).replace(",)", ")")
                                for r in expected.rows]
    assert root.locator(".cl-totals").inner_text().replace(
        "\u2009", "") == (f"total: {sum(r.params for r in expected.rows)}"
                          f" parameters, {sum(r.macs for r in expected.rows)}"
                          " MACs per image")
    memory = [t.replace("\u2009", "") for t in
              root.locator(".cl-trace .cl-memory").all_inner_texts()]
    values = [64] + [r.activations for r in expected.rows]
    assert memory == [f"{4 * v} B" for v in values]
    assert "activation memory (float32)" in root.locator(
        ".cl-trace th").all_inner_texts()
    assert root.locator(".cl-memory-total").inner_text().replace(
        "\u2009", "") == (f"activation memory: {sum(values)} values, "
                          f"{4 * sum(values)} B per image in float32 (the "
                          "input and every layer's output)")
    root.locator("[data-field='size']").fill("28")
    root.locator("[data-field='conv1_s']").fill("2")
    root.locator("[data-field='pool2_kind']").select_option("avg")
    expected = trace_cnn(28, 1, cnn_layers(conv1=(8, 3, 2, 1),
                                           pool2=("avg", 2, 2)))
    assert _shown(root)[-1] == "(10)"
    assert _shown(root)[-2] == f"({expected.rows[-2].shape[0]})"
    assert root.locator(".cl-reason").count() == 0


@pytest.mark.browser
@pytest.mark.parametrize("how", ["html", "esm"])
def test_demo_shows_where_and_why_it_breaks(page, how):
    root = _mount(page, cnn_tracer(), how)
    root.locator("[data-field='wire']").uncheck()
    assert not root.locator("[data-field='conv2_in']").is_disabled()
    root.locator("[data-field='conv1_out']").fill("4")
    expected = trace_cnn(8, 1, cnn_layers(conv1=(4, 3, 1, 1), conv2_in=8,
                                          linear_in=64))
    assert root.locator(".cl-reason").inner_text() == \
        f"breaks at layer 4: {expected.reason}"
    assert root.locator(".cl-trace .cl-row").count() == 4  # input + 3
    assert root.locator(".cl-failed").inner_text().split() == [
        "4", "conv2d", "breaks"]
    root.locator("[data-field='wire']").check()
    assert root.locator(".cl-reason").count() == 0
    assert root.locator("[data-field='conv2_in']").input_value() == "4"
    root.locator("[data-field='conv1_k']").fill("9")
    root.locator("[data-field='conv1_p']").fill("0")
    assert "spans 9 pixels" in root.locator(".cl-reason").inner_text()


@pytest.mark.browser
def test_js_trace_with_dilation_and_pool_padding(page):
    cases = []
    for size in (3, 5, 7, 9):
        for d in (1, 2, 3):
            for pool_pad in (0, 1, 2):
                cases.append((size, [
                    ("conv2d", dict(out_channels=2, kernel_size=3,
                                    dilation=d, padding=1)),
                    ("max_pool2d", dict(kernel_size=3, stride=2,
                                        padding=pool_pad)),
                    ("flatten", {}), ("linear", dict(out_features=3))]))
    js = page.evaluate(
        "cases => cases.map(([n, l]) => convlibCnnTracer.traceCnn(n, 1, l))",
        [[n, [[name, kw] for name, kw in layers]] for n, layers in cases])
    for (size, layers), got in zip(cases, js):
        assert got == _as_js(trace_cnn(size, 1, layers)), (size, layers)
    assert any("(dilation 3)" in got["reason"] for got in js)
    assert any("at most 1" in got["reason"] for got in js)
