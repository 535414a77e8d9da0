"""convlib.widgets.transposed: the transposed-convolution stepper.

`scatter_steps` and `zero_insertion_view` against
convlib.numpy.conv_transpose2d and torch.nn.functional.conv_transpose2d
(float64) over every setting the demo offers; `overlap_counts` and
`phase_counts` against the all-ones transposed convolution; their
JavaScript twins in transposed_stepper.js, run in headless chromium,
against them over the same settings; and the demo drawn in a page,
driven with the mouse and with the keyboard alone.
"""
import itertools
import json
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from convlib import naive, shapes
from convlib import numpy as cnp
from convlib.widgets import (TransposedStepper, example_kernel,
                             overlap_counts, phase_counts, scatter_steps,
                             script_source, transposed_stepper,
                             zero_insertion_view)
from convlib.widgets.transposed import (DILATIONS, INPUT, INSERTED,
                                        KERNEL_SIZES, OUTPUT_PADDINGS,
                                        PADDINGS, PADDING, STEPPER_INPUTS,
                                        STRIDES)
from _demo_page import mount

# every setting of the demo: values, kernel size, stride, padding,
# output_padding, dilation
GRID = list(itertools.product(sorted(STEPPER_INPUTS), KERNEL_SIZES, STRIDES,
                              PADDINGS, OUTPUT_PADDINGS, DILATIONS))


def _reference(x, w, s=1, p=0, o=0, d=1):
    """(convlib.numpy, torch) transposed convolution of 2-D arrays."""
    kw = dict(stride=s, padding=p, output_padding=o, dilation=d)
    ours = cnp.conv_transpose2d(x[None, None], w[None, None], **kw)[0, 0]
    theirs = F.conv_transpose2d(torch.from_numpy(x[None, None]),
                                torch.from_numpy(w[None, None]), **kw)
    return ours, theirs[0, 0].numpy()


def _valid(n, k, s, p, o=0, d=1):
    try:
        shapes.conv_transpose_output_size(n, kernel_size=k, stride=s,
                                          padding=p, output_padding=o,
                                          dilation=d)
    except ValueError:
        return False
    return True


VALID = [g for g in GRID if _valid(3, *g[1:])]


def test_the_grid_offers_valid_and_refused_settings():
    # 432 settings; output_padding >= max(stride, dilation) or an output
    # below 1 is refused by the argument layer (and by the demo)
    assert len(GRID) == 432
    assert 0 < len(VALID) < len(GRID)


# ---------------------------------------------------------- scatter_steps

@pytest.mark.parametrize("shape, kshape, s, p, o, d", [
    ((3, 3), (3, 3), 2, 0, 0, 1), ((3, 3), (3, 3), 2, 1, 1, 1),
    ((2, 4), (2, 3), 3, 1, 2, 1), ((4, 3), (4, 4), 1, 2, 0, 1),
    ((3, 5), (3, 1), (2, 1), (1, 0), (1, 0), 1),
    ((1, 1), (2, 2), 1, 0, 0, 1), ((3, 2), (3, 2), 2, 0, 1, 2),
    ((2, 3), (2, 3), (1, 2), (2, 1), (1, 1), (2, 3))])
def test_last_step_equals_convlib_and_torch(rng, shape, kshape, s, p, o, d):
    x = rng.standard_normal(shape)
    w = rng.standard_normal(kshape)
    steps = scatter_steps(x, w, s, p, o, d)
    ours, theirs = _reference(x, w, s, p, o, d)
    assert len(steps) == x.size
    np.testing.assert_allclose(steps[-1].output, ours, rtol=1e-12)
    np.testing.assert_allclose(steps[-1].output, theirs, rtol=1e-12)
    assert steps[-1].output.shape == shapes.conv_transpose_output_size(
        shape, kernel_size=kshape, stride=s, padding=p, output_padding=o,
        dilation=d)


def test_scatter_steps_over_every_setting_of_the_demo():
    for values, k, s, p, o, d in VALID:
        x = np.array(STEPPER_INPUTS[values], float)
        ours, theirs = _reference(x, example_kernel(k, values), s, p, o, d)
        last = scatter_steps(x, example_kernel(k, values), s, p, o, d)[-1]
        np.testing.assert_array_equal(last.output, ours)
        np.testing.assert_array_equal(last.output, theirs)


def test_each_step_adds_one_dilated_patch_at_stride_spacing(rng):
    x = rng.integers(-5, 6, size=(3, 4)).astype(float)
    w = rng.integers(-3, 4, size=(3, 2)).astype(float)
    steps = scatter_steps(x, w, stride=2, dilation=(1, 2))
    before = np.zeros_like(steps[0].canvas)
    for t, step in enumerate(steps):
        assert (step.row, step.col) == divmod(t, 4)
        assert (step.top, step.left) == (2 * step.row, 2 * step.col)
        np.testing.assert_array_equal(step.patch, x[step.row, step.col] * w)
        expected = np.zeros_like(before)
        expected[step.top:step.top + 3, step.left:step.left + 3:2] = \
            step.patch
        np.testing.assert_array_equal(step.canvas - before, expected)
        before = step.canvas


def test_partial_sums_and_counts_are_those_of_the_cells_so_far(rng):
    x = rng.integers(-5, 6, size=(3, 3)).astype(float)
    w = rng.integers(-3, 4, size=(3, 3)).astype(float)
    for t, step in enumerate(scatter_steps(x, w, 2, 1, 1)):
        seen = np.arange(9).reshape(3, 3) <= t
        np.testing.assert_array_equal(
            step.output, _reference(np.where(seen, x, 0.0), w, 2, 1, 1)[0])
        np.testing.assert_array_equal(
            step.counts, _reference(seen.astype(float), np.ones((3, 3)),
                                    2, 1, 1)[0])


def test_padding_crops_the_canvas_and_output_padding_keeps_more():
    ones = np.ones((3, 3))
    canvas, output = scatter_steps(ones, ones, 2, 1)[-1][5:7]
    assert canvas.shape == (7, 7) and output.shape == (5, 5)
    np.testing.assert_array_equal(output, canvas[1:6, 1:6])
    kept = scatter_steps(ones, ones, 2, 1, 1)[-1].output  # o <= p
    np.testing.assert_array_equal(kept, canvas[1:, 1:])
    beyond = scatter_steps(ones, ones, 2, 0, 1)[-1]       # o > p: zeros
    assert beyond.canvas.shape == beyond.output.shape == (8, 8)
    np.testing.assert_array_equal(beyond.output[:7, :7], canvas)
    assert not beyond.output[7].any() and not beyond.output[:, 7].any()


@pytest.mark.parametrize("kwargs, match", [
    (dict(stride=1, padding=2), r"scatter_steps: output size \(-1, -1\) "
                                r"is not positive.*padding \(2, 2\)"),
    (dict(stride=2, output_padding=2), r"scatter_steps: output_padding "
                                       r"must be smaller than max"),
    (dict(stride=1, dilation=2, output_padding=2), "output_padding")])
def test_refused_settings_are_rejected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        scatter_steps(np.ones((3, 3)), np.ones((1, 1)), **kwargs)


@pytest.mark.parametrize("kwargs, match", [
    (dict(input=np.ones(3), kernel=np.ones((2, 2))), "input must have 2"),
    (dict(input=np.ones((3, 3)), kernel=np.ones((2, 2)), stride=0),
     "stride"),
    (dict(input=np.ones((3, 3)), kernel=np.ones((2, 2)), padding=-1),
     "padding"),
    (dict(input=np.ones((3, 3)), kernel=np.ones((2, 2)), dilation=0),
     "dilation")])
def test_scatter_steps_names_the_bad_argument(kwargs, match):
    with pytest.raises(ValueError, match=match):
        scatter_steps(**kwargs)


# ---------------------------------------------------- zero_insertion_view

def test_zero_insertion_view_over_every_setting_of_the_demo():
    for values, k, s, p, o, d in VALID:
        x = np.array(STEPPER_INPUTS[values], float)
        w = example_kernel(k, values)
        view = zero_insertion_view(x, w, s, p, o, d)
        ours, theirs = _reference(x, w, s, p, o, d)
        np.testing.assert_array_equal(view.output, ours)
        np.testing.assert_array_equal(view.output, theirs)
        np.testing.assert_array_equal(view.counts,
                                      overlap_counts(3, k, s, p, o, d))
        np.testing.assert_array_equal(view.flipped, w[::-1, ::-1])
        span = d * (k - 1)
        assert view.edges == ((span - p, span - p + o),) * 2
        # the zeros: s - 1 between input cells, padding around them
        assert np.sum(view.kind == INPUT) <= 9
        np.testing.assert_array_equal(view.padded[view.kind != INPUT], 0)


def test_zero_insertion_view_of_the_first_section():
    g = np.array([[1.0, 2.0], [3.0, 4.0]])
    view = zero_insertion_view(g, np.arange(1.0, 10.0).reshape(3, 3), 2)
    assert view.padded.shape == (7, 7) and view.edges == ((2, 2), (2, 2))
    np.testing.assert_array_equal(view.padded[2:5, 2:5],
                                  naive.insert_zeros(g, 2))
    assert view.kind[3, 3] == INSERTED and view.kind[0, 0] == PADDING
    assert view.output[2, 2] == 1 * 9 + 2 * 7 + 3 * 3 + 4 * 1


def test_negative_padding_of_the_view_crops_the_inserted_input():
    view = zero_insertion_view(np.ones((3, 3)), np.ones((1, 1)), 2, 1)
    assert view.edges == ((-1, -1), (-1, -1))
    assert view.padded.shape == (3, 3) and (view.kind != PADDING).all()
    np.testing.assert_array_equal(view.output, _reference(
        np.ones((3, 3)), np.ones((1, 1)), 2, 1)[0])


# ---------------------------------------------- overlap and phase counts

@pytest.mark.parametrize("n, k, s, p, o, d", [
    (3, 3, 2, 0, 0, 1), (4, 4, 2, 1, 0, 1), (5, 3, 1, 1, 0, 1),
    (4, 5, 3, 0, 2, 1), (3, 3, 2, 1, 1, 2), (4, 2, 3, 0, 1, 2)])
def test_overlap_counts_is_the_all_ones_transposed_conv(n, k, s, p, o, d):
    counts = overlap_counts(n, k, s, p, o, d)
    ours, theirs = _reference(np.ones((n, n)), np.ones((k, k)), s, p, o, d)
    assert counts.dtype.kind == "i"
    np.testing.assert_array_equal(counts, ours)
    np.testing.assert_array_equal(counts, theirs)


def test_phase_counts_are_the_counts_inside_a_large_input():
    # k <= 6, s <= 4, d <= 4 on 20 input cells: inside (where every input
    # cell that could reach an output cell exists) the count of cell j of
    # the uncropped sum is phase_counts[j mod s]
    for k, s, d in itertools.product(range(1, 7), range(1, 5), range(1, 5)):
        counts = overlap_counts((1, 20), (1, k), s, dilation=d)[0]
        inside = np.arange(d * (k - 1), 19 * s + 1)
        expected = np.array(phase_counts(k, s, d))[inside % s]
        np.testing.assert_array_equal(counts[inside], expected)
        # holes exactly when gcd(d, s) > 1 or k < s; otherwise even
        # exactly when the stride divides the kernel size
        pc = phase_counts(k, s, d)
        holes = math.gcd(d, s) > 1 or k < s
        assert (min(pc) == 0) == holes, (k, s, d)
        assert (len(set(pc)) == 1) == (not holes and k % s == 0), (k, s, d)


def test_phase_counts_names_the_bad_argument():
    with pytest.raises(ValueError, match="phase_counts: stride"):
        phase_counts(3, 0)


# ---------------------------------------------------------- the demo object

def test_example_kernel():
    np.testing.assert_array_equal(example_kernel(2), [[1, 2], [3, 4]])
    np.testing.assert_array_equal(example_kernel(3, "ones"), np.ones((3, 3)))
    with pytest.raises(ValueError, match="example_kernel: values"):
        example_kernel(3, "zeros")


def test_stepper_config_holds_every_kernel_control_and_the_start():
    demo = transposed_stepper(kernel_size=4, stride=3, padding=1,
                              output_padding=2, dilation=2, values="ones",
                              zero_insertion=True)
    assert isinstance(demo, TransposedStepper)
    c = demo.config
    assert (c["kernel_size"], c["stride"], c["padding"],
            c["output_padding"], c["dilation"], c["values"],
            c["zero_insertion"]) == (4, 3, 1, 2, 2, "ones", True)
    assert (c["kernel_sizes"], c["strides"], c["paddings"],
            c["output_paddings"], c["dilations"]) == (
        list(KERNEL_SIZES), list(STRIDES), list(PADDINGS),
        list(OUTPUT_PADDINGS), list(DILATIONS))
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
    (dict(stride=2.0), "stride"), (dict(kernel_size=True), "kernel_size"),
    (dict(output_padding=3), "output_padding"), (dict(dilation=3),
                                                 "dilation"),
    (dict(zero_insertion="yes"), "zero_insertion"),
    (dict(zero_insertion=1), "zero_insertion")])
def test_stepper_rejects_settings_it_cannot_offer(kwargs, name):
    with pytest.raises(ValueError, match=f"transposed_stepper: {name}"):
        transposed_stepper(**kwargs)


# ---------------------------------------------------------- JavaScript

def _evaluate(page, function, cases):
    """convlibTransposedStepper[function](...case) for every case, as
    JSON (one string crosses to Python, which is fast)."""
    return json.loads(page.evaluate(
        "([f, cases]) => JSON.stringify(cases.map("
        "a => convlibTransposedStepper[f](...a)))", [function, cases]))


def _cases():
    return [(STEPPER_INPUTS[v], example_kernel(k, v).tolist(), s, p, o, d)
            for v, k, s, p, o, d in GRID]


@pytest.mark.browser
def test_js_scatter_equals_convlib_over_every_setting_of_the_demo(page):
    cases = _cases()
    results = _evaluate(page, "scatterSteps", cases)
    checked = 0
    for (x, w, s, p, o, d), js in zip(cases, results):
        x, w = np.array(x, float), np.array(w, float)
        if not _valid(3, len(w), s, p, o, d):
            assert js["error"] and not js["steps"], (len(w), s, p, o, d)
            continue
        py = scatter_steps(x, w, s, p, o, d)
        assert not js["error"] and len(js["steps"]) == len(py) == 9
        assert (js["canvasH"], js["canvasW"]) == py[0].canvas.shape
        for j, q in zip(js["steps"], py):
            assert (j["row"], j["col"], j["top"], j["left"]) == \
                (q.row, q.col, q.top, q.left)
            for key in ("patch", "canvas", "output", "counts"):
                np.testing.assert_array_equal(j[key], getattr(q, key))
        np.testing.assert_array_equal(js["steps"][-1]["output"],
                                      _reference(x, w, s, p, o, d)[1])
        checked += 1
    assert checked == len(VALID)


@pytest.mark.browser
def test_js_zero_insertion_equals_convlib_over_every_setting(page):
    cases = _cases()
    results = _evaluate(page, "zeroInsertion", cases)
    for (x, w, s, p, o, d), js in zip(cases, results):
        x, w = np.array(x, float), np.array(w, float)
        if not _valid(3, len(w), s, p, o, d):
            assert js["error"] and "padded" not in js
            continue
        py = zero_insertion_view(x, w, s, p, o, d)
        assert not js["error"]
        for key in ("padded", "kind", "flipped", "output", "counts"):
            np.testing.assert_array_equal(js[key], getattr(py, key))
        assert tuple(map(tuple, js["edges"])) == py.edges
        np.testing.assert_array_equal(js["output"],
                                      _reference(x, w, s, p, o, d)[1])


@pytest.mark.browser
def test_js_phase_counts_equal_python(page):
    cases = list(itertools.product(range(1, 7), range(1, 5), range(1, 5)))
    results = _evaluate(page, "phaseCounts", cases)
    assert results == [phase_counts(*c) for c in cases]


def _texts(root, cls):
    return root.locator(f".{cls} td").all_inner_texts()


def _shown(values):
    return [f"{v:g}".replace("-", "\u2212") for v in np.ravel(values)]


@pytest.mark.browser
@pytest.mark.parametrize("how", ["html", "esm"])
def test_stepper_in_the_page_follows_its_controls(page, how):
    root = mount(page, transposed_stepper(), how)
    x = np.array(STEPPER_INPUTS["example"], float)
    steps = scatter_steps(x, example_kernel(3), stride=2)
    assert _texts(root, "cl-output") == _shown(steps[0].output)
    assert _texts(root, "cl-patch") == _shown(steps[0].patch)
    # the heat panel counts the patches so far; cells not reached: blank
    assert _texts(root, "cl-counts") == [
        str(c) if c else "" for c in steps[0].counts.ravel()]
    assert "1, 2 or 4 patches: uneven" in \
        root.locator(".cl-verdict").inner_text()
    root.locator("[data-field='next']").click()
    assert _texts(root, "cl-canvas") == _shown(steps[1].canvas)
    assert root.locator(".cl-step").inner_text() == "step 2 of 9"
    root.locator("[data-field='padding']").select_option("1")
    root.locator("[data-field='output_padding']").select_option("1")
    root.locator("[data-field='kernel']").select_option("4")
    root.locator("[data-field='all']").click()
    final = scatter_steps(x, example_kernel(4), 2, 1, 1)[-1]
    assert _texts(root, "cl-output") == _shown(final.output)
    assert _texts(root, "cl-counts") == _shown(final.counts)
    assert "(3 \u2212 1)\u00d72 \u2212 2\u00d71 + 1\u00d7(4 \u2212 1) " \
        "+ 1 + 1 = 7" in root.locator(".cl-size-formula").inner_text()
    assert "4 patches: even" in root.locator(".cl-verdict").inner_text()
    # the zero-insertion view of the same call, at its last output cell
    root.locator("[data-field='zero_insertion']").check()
    view = zero_insertion_view(x, example_kernel(4), 2, 1, 1)
    assert _texts(root, "cl-padded") == _shown(view.padded)
    assert _texts(root, "cl-flipped") == _shown(view.flipped)
    root.locator("[data-field='all']").click()
    assert _texts(root, "cl-output") == _shown(view.output)
    assert root.locator(".cl-step").inner_text() == "step 49 of 49"
    # dilation 2 with stride 2: holes
    root.locator("[data-field='dilation']").select_option("2")
    assert "holes" in root.locator(".cl-verdict").inner_text()
    # refused settings say why
    root.locator("[data-field='output_padding']").select_option("2")
    assert "must be smaller than max(stride 2, dilation 2) = 2" in \
        root.locator(".cl-reason").inner_text()
    root.locator("[data-field='values']").select_option("ones")
    root.locator("[data-field='output_padding']").select_option("0")
    root.locator("[data-field='dilation']").select_option("1")
    root.locator("[data-field='stride']").select_option("1")
    root.locator("[data-field='padding']").select_option("2")
    root.locator("[data-field='kernel']").select_option("1")
    assert "would be \u22121" in root.locator(".cl-reason").inner_text()
    assert root.locator(".cl-output").count() == 0


CONTROLS = [("combobox", "kernel size"), ("combobox", "stride"),
            ("combobox", "padding"), ("combobox", "output_padding"),
            ("combobox", "dilation"), ("combobox", "values"),
            ("checkbox", "zero-insertion view"), ("slider", "input cell"),
            ("button", "\u25c0 back"), ("button", "next \u25b6"), ("button", "all")]


@pytest.mark.browser
def test_stepper_is_operable_by_keyboard_alone(page):
    """Issue 31: every control reachable with Tab in order, with a name a
    screen reader announces and a visible focus; arrow keys, Space and
    Enter change it; the result is in a live region."""
    root = mount(page, transposed_stepper(), "esm")
    for role, name in CONTROLS:
        assert root.get_by_role(role, name=name, exact=True).count() == 1, \
            name
    live = root.locator("[role=status][aria-live=polite]")
    assert live.count() == 1
    page.locator("body").focus()
    fields = []
    for _ in CONTROLS:
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => {
          const el = document.activeElement, s = getComputedStyle(el);
          return [el.dataset.field, s.outlineStyle,
                  parseFloat(s.outlineWidth)];
        }""")
        fields.append(focused[0])
        assert focused[1] != "none" and focused[2] > 0, focused
    assert fields == ["kernel", "stride", "padding", "output_padding",
                      "dilation", "values", "zero_insertion", "step",
                      "prev", "next", "all"]

    def result():
        return live.inner_text()

    def focus(field):
        root.locator(f"[data-field='{field}']").focus()

    start = result()
    assert "output size: (3 \u2212 1)\u00d72 \u2212 2\u00d70 + " \
        "1\u00d7(3 \u2212 1) + 0 + 1 = 7" in start
    focus("kernel")
    page.keyboard.press("ArrowDown")          # kernel size 3 -> 4
    assert "= 8" in result() and "4 patches: even" in result()
    focus("step")
    page.keyboard.press("ArrowRight")         # input cell 1 -> 2
    assert "input[0, 1] = 4 adds" in result()
    focus("all")
    page.keyboard.press("Enter")              # the last input cell
    assert "input[2, 2] = 6 adds" in result()
    focus("zero_insertion")
    page.keyboard.press("Space")              # the other view
    assert root.locator(".cl-padded").count() == 1
    assert "output[7, 7] = " in result()
    focus("prev")
    page.keyboard.press("Enter")
    assert "output[7, 6] = " in result()
    focus("dilation")
    page.keyboard.press("ArrowDown")          # dilation 1 -> 2
    assert "holes" in result()
    assert result() != start
