"""convlib.widgets.pooling: the pooling explorer and `pool_report`.

`pool_report` is held equal to torch.nn.functional (float64) and to
convlib.shapes.pool_output_size; the explorer's JavaScript `poolReport`
is held equal to `pool_report` -- sizes, window starts, values, indices,
divisors, formula and reason -- over the whole grid of its controls, run
in headless chromium; and the explorer is driven in a page, both as the
widget's ES module and as the plain HTML fallback.
"""
import itertools
import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from convlib import shapes
from convlib.palette import ROLES
from convlib.widgets import (POOL_INPUT, PoolingExplorer, pool_report,
                             pooling_explorer)
from _demo_page import mount

WINDOW = ROLES["window"]  # the window's cells, as the kit paints them

X = np.array(POOL_INPUT, dtype=float)

# The explorer's controls: kind, kernel, stride (None = kernel), padding,
# dilation, ceil_mode, count_include_pad.
GRID = list(itertools.product(["max", "avg"], range(1, 5),
                              [None, 1, 2, 3, 4], range(0, 3), range(1, 4),
                              [False, True], [True, False]))


def _torch_pool(kind, x, k, s, p, d, ceil, cip):
    """torch's output (and indices) in float64, or None if it refuses."""
    t = torch.from_numpy(np.asarray(x, dtype=float))[None, None]
    try:
        if kind == "max":
            out, idx = F.max_pool2d(t, k, s, p, d, ceil_mode=ceil,
                                    return_indices=True)
            return out[0, 0].numpy(), idx[0, 0].numpy()
        if d != 1:
            return None  # F.avg_pool2d has no dilation
        return F.avg_pool2d(t, k, s, p, ceil_mode=ceil,
                            count_include_pad=cip)[0, 0].numpy(), None
    except RuntimeError:
        return None


@pytest.mark.parametrize("x", [X, X[:4, :4], X[:5, :5] * -1.5])
def test_pool_report_equals_torch_over_the_grid(x):
    for kind, k, s, p, d, ceil, cip in GRID:
        report = pool_report(kind, x, k, s, p, d, ceil, cip)
        ref = _torch_pool(kind, x, k, s, p, d, ceil, cip)
        args = (kind, k, s, p, d, ceil, cip)
        assert (ref is None) == (report.size is None) == bool(
            report.reason), args
        if ref is None:
            continue
        np.testing.assert_allclose(report.output, ref[0], rtol=1e-12,
                                   err_msg=str(args))
        if kind == "max":
            np.testing.assert_array_equal(report.indices, ref[1])
        assert report.size == ref[0].shape[0] == shapes.pool_output_size(
            x.shape[0], kernel_size=k, stride=s, padding=p, dilation=d,
            ceil_mode=ceil), args


def test_avg_divisors_give_the_window_sums():
    settings = dict.fromkeys((k, s, p, ceil, cip)
                             for _, k, s, p, _, ceil, cip in GRID)
    for k, s, p, ceil, cip in settings:
        report = pool_report("avg", X, k, s, p, 1, ceil, cip)
        if report.size is None:
            continue
        sums = F.avg_pool2d(torch.from_numpy(X)[None, None], k, s, p,
                            ceil_mode=ceil, divisor_override=1)[0, 0]
        np.testing.assert_allclose(report.output * report.divisors,
                                   sums.numpy(), rtol=1e-12)


def test_window_starts_follow_stride_and_padding():
    report = pool_report("max", X, 3, 2, 1)
    assert report.starts == [-1, 1, 3, 5][:report.size]
    assert report.size == 4
    assert pool_report("max", X, 3).starts == [0, 3]  # stride = kernel


def test_formula_floor_with_numbers_substituted():
    report = pool_report("max", X, 3, 2, 1)
    assert report.formula == ("\u230a(7 + 2\u00d71 \u2212 1\u00d7(3 \u2212"
                              " 1) \u2212 1) / 2\u230b + 1 = \u230a6 / 2"
                              "\u230b + 1 = 4")


def test_ceil_mode_keeps_a_last_window_inside_the_input():
    report = pool_report("max", X, 2, 2, 0, 1, True)
    assert report.size == 4 and report.starts[-1] == 6
    assert report.formula.endswith("= 6 < n = 7: kept")


def test_ceil_mode_drops_a_window_starting_past_the_input():
    x = X[:5, :5]
    report = pool_report("max", x, 2, 2, 1, 1, True)
    assert report.size == 3 == shapes.pool_output_size(
        5, kernel_size=2, stride=2, padding=1, ceil_mode=True)
    assert report.formula.endswith(
        "would start at (4 \u2212 1)\u00d72 \u2212 1 = 5 \u2265 n = 5, "
        "past the input: dropped, so 3")


@pytest.mark.parametrize("args, words", [
    (("max", 3, 1, 2, 1), "padding 2 is more than half the kernel"),
    (("avg", 3, 1, 1, 2), "no dilation"),
    (("max", 4, 1, 0, 3), "spans d\u00d7(k \u2212 1) + 1 = 10 cells"),
    (("max", 0, 1, 0, 1), "kernel_size must be >= 1, got 0"),
    (("max", 2, 1.5, 0, 1), "stride must be an int, got 1.5")])
def test_invalid_settings_give_the_reason(args, words):
    kind, k, s, p, d = args
    report = pool_report(kind, X, k, s, p, d)
    assert report.size is None and report.output is None
    assert words in report.reason


def test_pool_report_rejects_a_non_square_input_and_an_unknown_kind():
    with pytest.raises(ValueError, match="square"):
        pool_report("max", np.ones((3, 4)), 2)
    with pytest.raises(ValueError, match="kind"):
        pool_report("min", X, 2)


def test_explorer_config_and_bounds():
    demo = pooling_explorer(kind="avg", kernel_size=3, stride=2, padding=1)
    assert isinstance(demo, PoolingExplorer)
    assert demo.config["input"] == POOL_INPUT
    assert (demo.config["k"], demo.config["s"], demo.config["p"]) == (3, 2,
                                                                     1)
    assert pooling_explorer().config["s"] == 0  # stride = kernel size
    assert len(json.dumps(demo.config)) < 1000  # small saved state
    with pytest.raises(ValueError, match="kernel_size must be at most 4"):
        pooling_explorer(kernel_size=5)
    with pytest.raises(ValueError, match="kind"):
        pooling_explorer(kind="sum")
    with pytest.raises(ValueError, match="square"):
        pooling_explorer(input=np.ones((3, 4)))


# ---------------------------------------------------------- JavaScript

def _same(js, py, args):
    assert js["size"] == py.size, args
    assert js["formula"] == py.formula and js["reason"] == py.reason, args
    assert js["starts"] == py.starts, args
    if py.size is None:
        assert js["output"] is None, args
        return
    np.testing.assert_allclose(js["output"], py.output, rtol=1e-12,
                               err_msg=str(args))
    if py.indices is not None:
        np.testing.assert_array_equal(js["indices"], py.indices)
    else:
        np.testing.assert_array_equal(js["divisors"], py.divisors)


@pytest.mark.browser
@pytest.mark.parametrize("x", [X, X[:4, :4]])
def test_js_pool_report_equals_python_over_the_whole_grid(page, x):
    cases = [(kind, x.tolist(), k, s or 0, p, d, ceil, cip)
             for kind, k, s, p, d, ceil, cip in GRID]
    got = page.evaluate(
        "cases => cases.map(a => convlibPoolingExplorer.poolReport(...a))",
        cases)
    assert len(got) == len(GRID)
    for args, js in zip(GRID, got):
        kind, k, s, p, d, ceil, cip = args
        _same(js, pool_report(kind, x, k, s, p, d, ceil, cip), args)


@pytest.mark.browser
def test_js_reasons_for_bad_numbers(page):
    for k, s, p, d in [(0, 1, 0, 1), (2, 1.5, 0, 1), (2, 1, -1, 1)]:
        js = page.evaluate(
            "a => convlibPoolingExplorer.poolReport(...a)",
            ["max", POOL_INPUT, k, s, p, d, False, True])
        _same(js, pool_report("max", X, k, s, p, d), (k, s, p, d))


def _mount(page, demo, how):
    return mount(page, demo, how, ".convlib-pooling-explorer")


def _shown(root):
    cells = root.locator(".cl-output td").all_inner_texts()
    return [float(t.replace("\u2212", "-")) for t in cells]


@pytest.mark.browser
@pytest.mark.parametrize("how", ["html", "esm"])
def test_explorer_in_the_page_follows_its_controls(page, how):
    root = _mount(page, pooling_explorer(), how)
    ref = pool_report("max", X, 2)
    assert root.locator(".cl-size").inner_text() == "3\u00d73"
    assert _shown(root) == list(ref.output.ravel())
    root.locator("[data-field='ceil']").check()
    assert root.locator(".cl-size").inner_text() == "4\u00d74"
    root.locator("[data-field='kind']").select_option("avg")
    root.locator("[data-field='k']").select_option("3")
    root.locator("[data-field='s']").select_option("2")
    root.locator("[data-field='p']").select_option("1")
    root.locator("[data-field='cip']").uncheck()
    ref = pool_report("avg", X, 3, 2, 1, 1, True, False)
    np.testing.assert_allclose(_shown(root), ref.output.ravel(), atol=5e-4)
    assert root.locator(".cl-formula").first.inner_text() == ref.formula
    root.locator("[data-field='window']").fill("5")
    assert root.locator(".cl-window").inner_text().startswith(
        "output[1, 1] = (")
    root.locator("[data-field='p']").select_option("2")
    assert root.locator(".cl-size").inner_text() == "invalid"
    assert root.locator(".cl-reason").inner_text() == pool_report(
        "avg", X, 3, 2, 2).reason


@pytest.mark.browser
def test_explorer_click_selects_a_window_and_marks_its_maximum(page):
    root = _mount(page, pooling_explorer(kernel_size=3, stride=2), "html")
    ref = pool_report("max", X, 3, 2)
    root.locator(".cl-output td[data-r='1'][data-c='2']").click()
    at = int(ref.indices[1, 2])
    assert root.locator(".cl-window").inner_text().endswith(
        f"input ({at // 7}, {at % 7}), index {at}")
    marked = root.locator(".cl-input td[style*='outline']")
    assert marked.count() == 1
    assert marked.get_attribute("data-r") == str(at // 7)
    yellow = root.locator(f".cl-input td[style*='{WINDOW}' i]")
    assert yellow.count() == 9
