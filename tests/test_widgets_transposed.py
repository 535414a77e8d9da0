"""convlib.widgets.transposed: the transposed-convolution stepper.

`scatter_steps` against convlib.numpy.conv_transpose2d and
torch.nn.functional.conv_transpose2d (float64); its JavaScript twin in
transposed_stepper.js, run in headless chromium, against both over every
setting the demo offers; and the demo drawn in a page.
"""
import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from convlib import numpy as cnp
from convlib import shapes
from convlib.widgets import (TransposedStepper, example_kernel,
                             overlap_counts, scatter_steps, script_source,
                             transposed_stepper)
from convlib.widgets.transposed import (KERNEL_SIZES, PADDINGS,
                                        STEPPER_INPUTS, STRIDES)
from _demo_page import mount

GRID = list(itertools.product(sorted(STEPPER_INPUTS), KERNEL_SIZES, STRIDES,
                              PADDINGS))


def _reference(x, w, stride, padding):
    """(convlib.numpy, torch) transposed convolution of 2-D arrays."""
    ours = cnp.conv_transpose2d(x[None, None], w[None, None], stride=stride,
                                padding=padding)[0, 0]
    theirs = F.conv_transpose2d(torch.from_numpy(x[None, None]),
                                torch.from_numpy(w[None, None]),
                                stride=stride, padding=padding)[0, 0]
    return ours, theirs.numpy()


def _valid(n, k, s, p):
    try:
        shapes.conv_transpose_output_size(n, kernel_size=k, stride=s,
                                          padding=p)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------- scatter_steps

@pytest.mark.parametrize("shape, kshape, stride, padding", [
    ((3, 3), (3, 3), 2, 0), ((3, 3), (3, 3), 2, 1), ((2, 4), (2, 3), 3, 1),
    ((4, 3), (4, 4), 1, 2), ((3, 5), (3, 1), (2, 1), (1, 0)),
    ((1, 1), (2, 2), 1, 0)])
def test_last_step_equals_convlib_and_torch(rng, shape, kshape, stride,
                                            padding):
    x = rng.standard_normal(shape)
    w = rng.standard_normal(kshape)
    steps = scatter_steps(x, w, stride=stride, padding=padding)
    ours, theirs = _reference(x, w, stride, padding)
    assert len(steps) == x.size
    np.testing.assert_allclose(steps[-1].output, ours, rtol=1e-12)
    np.testing.assert_allclose(steps[-1].output, theirs, rtol=1e-12)
    assert steps[-1].output.shape == shapes.conv_transpose_output_size(
        shape, kernel_size=kshape, stride=stride, padding=padding)


def test_each_step_adds_one_patch_at_stride_spacing(rng):
    x = rng.integers(-5, 6, size=(3, 4)).astype(float)
    w = rng.integers(-3, 4, size=(3, 2)).astype(float)
    steps = scatter_steps(x, w, stride=2)
    before = np.zeros_like(steps[0].canvas)
    for t, step in enumerate(steps):
        assert (step.row, step.col) == divmod(t, 4)
        assert (step.top, step.left) == (2 * step.row, 2 * step.col)
        np.testing.assert_array_equal(step.patch, x[step.row, step.col] * w)
        added = step.canvas - before
        expected = np.zeros_like(added)
        expected[step.top:step.top + 3, step.left:step.left + 2] = step.patch
        np.testing.assert_array_equal(added, expected)
        before = step.canvas


def test_partial_sums_are_transposed_convs_of_the_cells_so_far(rng):
    x = rng.integers(-5, 6, size=(3, 3)).astype(float)
    w = rng.integers(-3, 4, size=(3, 3)).astype(float)
    for t, step in enumerate(scatter_steps(x, w, stride=2, padding=1)):
        seen = np.where(np.arange(9).reshape(3, 3) <= t, x, 0.0)
        np.testing.assert_array_equal(step.output,
                                      _reference(seen, w, 2, 1)[0])


def test_padding_crops_the_canvas():
    steps = scatter_steps(np.ones((3, 3)), np.ones((3, 3)), stride=2,
                          padding=1)
    canvas, output = steps[-1].canvas, steps[-1].output
    assert canvas.shape == (7, 7) and output.shape == (5, 5)
    np.testing.assert_array_equal(output, canvas[1:6, 1:6])


def test_padding_that_crops_everything_is_rejected():
    with pytest.raises(ValueError, match=r"scatter_steps: output size "
                                         r"\(-1, -1\) is not positive.*"
                                         r"padding \(2, 2\)"):
        scatter_steps(np.ones((3, 3)), np.ones((1, 1)), stride=1, padding=2)


@pytest.mark.parametrize("kwargs, match", [
    (dict(input=np.ones(3), kernel=np.ones((2, 2))), "input must have 2"),
    (dict(input=np.ones((3, 3)), kernel=np.ones((2, 2)), stride=0),
     "stride"),
    (dict(input=np.ones((3, 3)), kernel=np.ones((2, 2)), padding=-1),
     "padding")])
def test_scatter_steps_names_the_bad_argument(kwargs, match):
    with pytest.raises(ValueError, match=match):
        scatter_steps(**kwargs)


# ---------------------------------------------------------- overlap_counts

@pytest.mark.parametrize("n, k, s, p", [(3, 3, 2, 0), (4, 4, 2, 1),
                                        (5, 3, 1, 1), (4, 5, 3, 0)])
def test_overlap_counts_is_the_all_ones_transposed_conv(n, k, s, p):
    counts = overlap_counts(n, k, s, p)
    ours, theirs = _reference(np.ones((n, n)), np.ones((k, k)), s, p)
    assert counts.dtype.kind == "i"
    np.testing.assert_array_equal(counts, ours)
    np.testing.assert_array_equal(counts, theirs)


def test_overlap_is_even_inside_only_when_stride_divides_kernel():
    for k, s in itertools.product(range(1, 7), range(1, 4)):
        counts = overlap_counts(8, k, s)
        inner = counts[k:-k, k:-k]  # away from the borders
        assert (np.ptp(inner) == 0) == (k % s == 0), (k, s)


# ---------------------------------------------------------- the demo object

def test_example_kernel():
    np.testing.assert_array_equal(example_kernel(2), [[1, 2], [3, 4]])
    np.testing.assert_array_equal(example_kernel(3, "ones"), np.ones((3, 3)))
    with pytest.raises(ValueError, match="example_kernel: values"):
        example_kernel(3, "zeros")


def test_stepper_config_holds_every_kernel_and_the_start():
    demo = transposed_stepper(kernel_size=4, stride=3, padding=1,
                              values="ones")
    assert isinstance(demo, TransposedStepper)
    c = demo.config
    assert (c["kernel_size"], c["stride"], c["padding"], c["values"]) == \
        (4, 3, 1, "ones")
    for values, k in itertools.product(STEPPER_INPUTS, KERNEL_SIZES):
        np.testing.assert_array_equal(
            c["kernels"][values][KERNEL_SIZES.index(k)],
            example_kernel(k, values))
    assert c["inputs"]["example"] == [[3, 4, 5], [4, 2, 2], [4, 5, 6]]
    assert "convlibTransposedStepper.mount(" in demo.fallback_html()
    assert script_source("transposed_stepper.js") in demo._esm


@pytest.mark.parametrize("kwargs, name", [
    (dict(kernel_size=5), "kernel_size"), (dict(stride=0), "stride"),
    (dict(padding=3), "padding"), (dict(values="zeros"), "values"),
    (dict(stride=2.0), "stride"), (dict(kernel_size=True), "kernel_size")])
def test_stepper_rejects_settings_it_cannot_offer(kwargs, name):
    with pytest.raises(ValueError, match=f"transposed_stepper: {name}"):
        transposed_stepper(**kwargs)


# ---------------------------------------------------------- JavaScript

@pytest.mark.browser
def test_js_equals_convlib_over_every_setting_of_the_demo(page):
    cases = [(STEPPER_INPUTS[v], example_kernel(k, v).tolist(), s, p)
             for v, k, s, p in GRID]
    results = page.evaluate(
        "cases => cases.map(a => convlibTransposedStepper.scatterSteps(...a))",
        cases)
    checked = 0
    for (x, w, s, p), js in zip(cases, results):
        x, w = np.array(x, float), np.array(w, float)
        if not _valid(3, len(w), s, p):
            assert js["error"] and not js["steps"], (len(w), s, p)
            assert f"would be {js['outH']}".replace("-", "\u2212") in \
                js["error"]
            continue
        py = scatter_steps(x, w, stride=s, padding=p)
        assert not js["error"] and len(js["steps"]) == len(py) == 9
        for j, q in zip(js["steps"], py):
            assert (j["row"], j["col"], j["top"], j["left"]) == \
                (q.row, q.col, q.top, q.left)
            np.testing.assert_array_equal(j["patch"], q.patch)
            np.testing.assert_array_equal(j["canvas"], q.canvas)
            np.testing.assert_array_equal(j["output"], q.output)
        ours, theirs = _reference(x, w, s, p)
        np.testing.assert_array_equal(js["steps"][-1]["output"], ours)
        np.testing.assert_allclose(js["steps"][-1]["output"], theirs)
        checked += 1
    assert checked == len(GRID) - 2 * 2  # (k=1, p=2), (k=2, p=2) at s=1


def _mount(page, demo, how):
    return mount(page, demo, how)


def _texts(root, cls):
    return root.locator(f".{cls} td").all_inner_texts()


def _shown(values):
    return [f"{v:g}".replace("-", "\u2212") for v in np.ravel(values)]


@pytest.mark.browser
@pytest.mark.parametrize("how", ["html", "esm"])
def test_stepper_in_the_page_follows_its_controls(page, how):
    root = _mount(page, transposed_stepper(), how)
    x = np.array(STEPPER_INPUTS["example"], float)
    steps = scatter_steps(x, example_kernel(3), stride=2)
    assert _texts(root, "cl-output") == _shown(steps[0].output)
    assert _texts(root, "cl-patch") == _shown(steps[0].patch)
    root.locator("[data-field='next']").click()
    assert _texts(root, "cl-canvas") == _shown(steps[1].canvas)
    assert root.locator(".cl-step").inner_text() == "step 2 of 9"
    root.locator("[data-field='padding']").select_option("1")
    root.locator("[data-field='kernel']").select_option("4")
    root.locator("[data-field='all']").click()
    final = scatter_steps(x, example_kernel(4), stride=2, padding=1)[-1]
    assert _texts(root, "cl-output") == _shown(final.output)
    assert "(3 \u2212 1)\u00d72 \u2212 2\u00d71 + 4 = 6" in \
        root.locator(".cl-size-formula").inner_text()
    root.locator("[data-field='values']").select_option("ones")
    root.locator("[data-field='stride']").select_option("1")
    root.locator("[data-field='padding']").select_option("2")
    root.locator("[data-field='kernel']").select_option("1")
    assert "would be \u22121" in root.locator(".cl-reason").inner_text()
    assert root.locator(".cl-output").count() == 0
