"""convlib.widgets.conv_matrix: the convolution-matrix explorer.

`matrix_report`'s T is held equal to torch's convolution (float64) over
the whole grid of the explorer's controls, its taps to its own T, its
sizes to convlib.shapes; the explorer's JavaScript `matrixReport` is
held equal to `matrix_report` -- T, sizes, taps and every sentence --
over the same grid, in headless chromium; and the explorer is driven in
a page by mouse and by keyboard alone (Tab, arrow keys, Enter), its
result read from its live region (on the built chapter 6 page:
test_widgets_conv_matrix_book.py).
"""
import itertools
import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from convlib import shapes
from convlib.palette import ROLES
from convlib.widgets import (ConvMatrixExplorer, conv_matrix_explorer,
                             matrix_report)
from convlib.widgets.conv_matrix import BOUNDS, weight_labels
from _demo_page import mount

# Every setting of the explorer's selects: n, k, s, p, C_in, C_out, g.
GRID = list(itertools.product(*(range(lo, hi + 1)
                                 for lo, hi in BOUNDS.values())))
VALID = [a for a in GRID if matrix_report(*a).size is not None]
SELECTOR = ".convlib-conv-matrix-explorer"


def test_the_grid_is_the_controls_and_most_of_it_is_valid():
    assert len(GRID) == 3 ** 7 and len(VALID) == 81 * 11


def test_T_of_the_report_is_torch_s_convolution_over_the_grid():
    """T (the labels with random weights put in) times four random
    inputs is torch's convolution of them, for every valid setting."""
    rng = np.random.default_rng(0)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny convolutions: no threads to wake
    try:
        for args in VALID:
            _check_T(args, rng)
    finally:
        torch.set_num_threads(threads)


def _check_T(args, rng):
    n, k, s, p, cin, cout, g = args
    report = matrix_report(*args)
    weight = rng.standard_normal(weight_labels(cin, cout, g, k).shape)
    T = np.where(report.labels >= 0,
                 weight.ravel()[report.labels], 0.0)
    x = rng.standard_normal((4, cin, n, n))
    y = F.conv2d(torch.from_numpy(x), torch.from_numpy(weight),
                 stride=s, padding=p, groups=g).numpy()
    np.testing.assert_allclose(x.reshape(4, -1) @ T.T,
                               y.reshape(4, -1), rtol=1e-12,
                               atol=1e-12, err_msg=str(args))
    assert report.size == shapes.conv_output_size(
        n, kernel_size=k, stride=s, padding=p), args


def test_taps_of_each_output_are_its_row_of_T():
    for args in VALID:
        rows = matrix_report(*args).rows
        for output in sorted({0, rows // 2, rows - 1}):
            report = matrix_report(*args, output=output)
            k, per_in = args[1], args[4] // args[6]
            inside = {t.col: ((report.output[0] * per_in + t.cw) * k
                              + t.u) * k + t.v
                      for t in report.taps if t.col >= 0}
            row = report.labels[output]
            assert inside == {c: row[c] for c in np.flatnonzero(row >= 0)}
            assert len(report.taps) == args[4] // args[6] * k * k


def test_worked_example_and_its_sentences():
    report = matrix_report(4, 3, 1, 0, 2, 2, 1, output=5)
    assert (report.size, report.rows, report.cols) == (2, 8, 32)
    assert report.output == (1, 0, 1)
    assert report.shape == ("T: C_out\u00b7m\u00b2 \u00d7 C_in\u00b7n\u00b2"
                            " = 2\u00b72\u00b2 \u00d7 2\u00b74\u00b2 = 8 "
                            "\u00d7 32")
    assert report.summary == ("y[1, 0, 1] is row 5 of T (8 \u00d7 32): 18 "
                              "non-zero entries; 0 of its 18 taps fall "
                              "on padding")
    assert report.terms.startswith(
        "y[1, 0, 1] = w[1,0,0,0]\u00b7x[0,0,1] + w[1,0,0,1]\u00b7x[0,0,2]")


def test_a_window_in_the_padding_gives_a_row_of_zeros():
    report = matrix_report(3, 1, 1, 2, 1, 1, 1, output=0)
    assert (report.labels[0] == -1).all()
    assert report.terms == "y[0, 0, 0] = 0"
    assert "lies in the padding" in report.summary
    corner = matrix_report(4, 3, 1, 1, 1, 1, 1, output=0)
    assert "5 of its 9 taps fall on padding" in corner.summary


def test_groups_leave_blocks_of_zeros():
    report = matrix_report(4, 3, 1, 0, 2, 2, 2)
    blocks = (report.labels >= 0).reshape(2, 4, 2, 16).any(axis=(1, 3))
    np.testing.assert_array_equal(blocks, np.eye(2, dtype=bool))
    assert report.blocks.endswith("2 of them are all zeros")


@pytest.mark.parametrize("args, words", [
    ((4, 3, 1, 0, 3, 2, 2), "C_in = 3 is not divisible by groups = 2"),
    ((4, 3, 1, 0, 2, 3, 2), "C_out = 3 is not divisible by groups = 2"),
    ((3, 7, 1, 0, 1, 1, 1), "spans 7 cells but the padded input n + 2p "
                            "has only 3"),
    ((3, 3, 0, 0, 1, 1, 1), "stride must be >= 1, got 0")])
def test_invalid_settings_give_the_reason(args, words):
    report = matrix_report(*args)
    assert report.size is None and report.labels is None
    assert words in report.reason


def test_explorer_config_bounds_and_errors():
    demo = conv_matrix_explorer(padding=1, output=3)
    assert isinstance(demo, ConvMatrixExplorer)
    assert demo.config["p"] == 1 and demo.config["output"] == 3
    assert demo.config["controls"] == {k: list(b) for k, b in
                                       BOUNDS.items()}
    assert len(json.dumps(demo.config)) < 300  # small saved state
    with pytest.raises(ValueError, match="padding must be at most 2"):
        conv_matrix_explorer(padding=3)
    with pytest.raises(ValueError, match="not divisible by groups = 2"):
        conv_matrix_explorer(in_channels=3, groups=2)
    with pytest.raises(ValueError, match="output must be a row of T"):
        conv_matrix_explorer(output=8)


# ---------------------------------------------------------- JavaScript

_REPORTS_JS = """([cases, last]) => JSON.stringify(cases.map(a => {
  const E = convlibConvMatrixExplorer;
  let r = E.matrixReport(...a, 0);
  if (last && r.size !== null) {
    r = E.matrixReport(...a, r.rows - 1);
    delete r.labels;
  }
  return r;
}))"""


def _same(js, py, args):
    assert js["reason"] == py.reason, args
    assert js["size"] == py.size, args
    if py.size is None:
        return
    for field in ("rows", "cols", "row", "formula", "shape", "blocks",
                  "terms", "summary"):
        assert js[field] == getattr(py, field), (args, field)
    assert tuple(js["output"]) == py.output, args
    assert [tuple(t[f] for f in py.taps[0]._fields)
            for t in js["taps"]] == [tuple(t) for t in py.taps], args
    if "labels" in js:
        assert js["labels"] == py.labels.tolist(), args


@pytest.mark.browser
@pytest.mark.parametrize("last", [False, True])
def test_js_matrix_report_equals_python_over_the_whole_grid(page, last):
    """Every setting, with the first output selected (T compared
    entry by entry) and with the last (its taps and sentences)."""
    got = json.loads(page.evaluate(_REPORTS_JS, [[list(a) for a in GRID],
                                                 last]))
    assert len(got) == len(GRID)
    for args, js in zip(GRID, got):
        output = matrix_report(*args).rows - 1 if last else 0
        py = matrix_report(*args, output=max(output, 0))
        _same(js, py, args)


def _live(root):
    return root.locator("[aria-live='polite']").inner_text()


@pytest.mark.browser
@pytest.mark.parametrize("how", ["html", "esm"])
def test_explorer_follows_its_controls_and_clicks(page, how):
    root = mount(page, conv_matrix_explorer(), how, SELECTOR)
    assert _live(root) == matrix_report(4, 3, 1, 0, 2, 2, 1).summary
    assert root.locator(".cl-input").count() == 2
    assert root.locator(".cl-output td").count() == 8
    root.locator("[data-field='p']").select_option("1")
    root.locator("[data-field='g']").select_option("2")
    root.locator(".cl-output td[data-row='21']").click()
    ref = matrix_report(4, 3, 1, 1, 2, 2, 2, output=21)
    assert _live(root) == ref.summary
    assert root.locator(".cl-terms").inner_text() == ref.terms
    assert root.locator(".cl-shape").inner_text() == ref.shape
    taps = root.locator(".cl-input td[title*='times w[']")
    assert taps.count() == sum(t.col >= 0 for t in ref.taps)
    assert root.locator(".cl-matrix").get_attribute("data-nonzero") == \
        str(int((ref.labels >= 0).sum()))
    root.locator("[data-field='cin']").select_option("3")
    assert root.locator(".cl-reason").inner_text() == matrix_report(
        4, 3, 1, 1, 3, 2, 2).reason
    assert _live(root) == matrix_report(4, 3, 1, 1, 3, 2, 2).reason


def _focused(page):
    return page.evaluate("""() => {
        const el = document.activeElement;
        return {field: el.dataset.field || null, row: el.dataset.row ||
                null, outline: getComputedStyle(el).outlineStyle,
                label: el.getAttribute('aria-label') ||
                       (el.labels && el.labels[0] ?
                        el.labels[0].textContent : '')};
    }""")


@pytest.mark.browser
def test_explorer_works_by_keyboard_alone(page):
    """Tab reaches every select and then the outputs (one stop); arrow
    keys change a select and move among the outputs; Enter picks one;
    the live region says the result; focus is visible."""
    root = mount(page, conv_matrix_explorer(), "html", SELECTOR)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    before = _live(root)
    seen = []
    for _ in range(len(BOUNDS)):
        page.keyboard.press("Tab")
        seen.append(_focused(page))
    assert [f["field"] for f in seen] == list(BOUNDS)
    assert all(f["label"].strip() for f in seen)  # each has a name
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert _focused(page)["field"] == "cin"
    page.keyboard.press("ArrowDown")                   # C_in 2 -> 3
    assert root.locator("[data-field='cin']").input_value() == "3"
    ref = matrix_report(4, 3, 1, 0, 3, 2, 1)
    assert _live(root) == ref.summary != before
    for _ in range(3):
        page.keyboard.press("Tab")
    cell = _focused(page)
    assert cell["row"] == "0" and cell["label"] == "y[0, 0, 0], row 0 of T"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    moved = _focused(page)
    assert moved["row"] == "3"
    assert moved["outline"] != "none"  # visible focus on a plain cell
    assert _live(root) == ref.summary              # moved, not picked
    page.keyboard.press("Enter")
    picked = matrix_report(4, 3, 1, 0, 3, 2, 1, output=3)
    assert _live(root) == picked.summary
    assert _focused(page)["row"] == "3"           # focus stays
    page.keyboard.press("End")
    page.keyboard.press(" ")
    assert _live(root) == matrix_report(4, 3, 1, 0, 3, 2, 1,
                                        output=7).summary
    selected = root.locator(".cl-output td[aria-selected='true']")
    assert selected.count() == 1
    assert selected.get_attribute("data-row") == "7"
    assert root.locator(".cl-output td[tabindex='0']").count() == 1
    page.keyboard.press("Shift+Tab")               # back to the selects
    assert _focused(page)["field"] == "g"


@pytest.mark.browser
def test_frame_strokes_boxes_on_a_raster(page):
    """The explorer's `frame` outlines cells of a raster drawn by the
    kit: the frame's pixels change, the inside of a box does not."""
    got = page.evaluate("""() => {
        const K = convlibKit, white = K.tint(K.COLORS.grid, 0);
        const values = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
        const canvas = K.raster(values, () => white, {cell: 10});
        convlibConvMatrixExplorer.frame(canvas, [[1, 0, 1, 3]], 10,
                                        K.COLORS.error, 2);
        const px = (x, y) => Array.from(
            canvas.getContext("2d").getImageData(x, y, 1, 1).data);
        return [px(15, 10), px(15, 15), px(15, 5), px(0, 15)];
    }""")
    r, g, b = (int(ROLES["error"][i:i + 2], 16) for i in (1, 3, 5))
    edge, inside, above, left = got
    assert edge == [r, g, b, 255] == left
    assert inside == [255, 255, 255, 255] == above

