"""convlib.plot: the figures exist and show what they claim (Agg backend)."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.image import AxesImage  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from convlib import numpy as cnp  # noqa: E402
from convlib import palette, plot  # noqa: E402
from convlib.widgets import SEED_INPUT, SEED_KERNEL  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _texts(ax):
    return [t.get_text() for t in ax.texts]


def test_draw_grid_writes_every_value_and_marks_the_window():
    fig, ax = plt.subplots()
    plot.draw_grid(ax, [[1, -2], [3, 4]], window=(0, 1, 2, 1))
    assert _texts(ax) == ["1", "\u22122", "3", "4"]
    rects = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(rects) == 5  # four cells and the window
    window = rects[-1]
    assert (window.get_x(), window.get_y()) == (1, 0)
    assert (window.get_width(), window.get_height()) == (1, 2)


def test_draw_grid_greys_the_padding():
    fig, ax = plt.subplots()
    plot.draw_grid(ax, np.zeros((4, 4)), padding=1)
    colors = [tuple(p.get_facecolor()) for p in ax.patches]
    grey = matplotlib.colors.to_rgba(plot.PAD_COLOR)
    assert colors.count(grey) == 12  # the border of a 4x4 grid


def test_grids_one_axes_per_array():
    fig = plot.grids([np.eye(2), np.ones((3, 1))], ["a", "b"])
    assert isinstance(fig, Figure)
    assert [ax.get_title() for ax in fig.axes] == ["a", "b"]
    assert [len(ax.texts) for ax in fig.axes] == [4, 3]


def test_conv_step_shows_convlib_output_up_to_the_step():
    fig = plot.conv_step(SEED_INPUT, SEED_KERNEL, stride=1, padding=1,
                         step=6)
    ax_in, ax_k, ax_out = fig.axes
    assert len(ax_in.texts) == 49 and len(ax_k.texts) == 9
    expected = cnp.conv2d(np.array(SEED_INPUT, float)[None, None],
                          np.array(SEED_KERNEL, float)[None, None],
                          padding=1)[0, 0]
    shown = _texts(ax_out)
    assert shown[:7] == [f"{v:g}" for v in expected.ravel()[:7]]
    assert shown[7:] == [""] * 18
    window = ax_in.patches[-1]  # step 6 = output (1, 1): padded rows 1-3
    assert (window.get_x(), window.get_y()) == (1, 1)
    assert (window.get_width(), window.get_height()) == (3, 3)


def test_conv_step_with_stride_moves_the_window_by_the_stride():
    fig = plot.conv_step(SEED_INPUT, SEED_KERNEL, stride=2, padding=0,
                         step=3)
    window = fig.axes[0].patches[-1]
    assert (window.get_x(), window.get_y()) == (2, 2)


def test_conv_step_rejects_a_step_past_the_end():
    with pytest.raises(ValueError, match="step must be in"):
        plot.conv_step(SEED_INPUT, SEED_KERNEL, padding=0, step=9)


def test_feature_maps_one_image_and_colorbar_per_map():
    maps = [np.eye(5), -np.eye(5), np.arange(25).reshape(5, 5)]
    fig = plot.feature_maps(maps, ["input", "left edges", "ramp"])
    images = [ax for ax in fig.axes
              if any(isinstance(a, AxesImage) for a in ax.get_children())]
    assert [ax.get_title() for ax in images] == ["input", "left edges",
                                                 "ramp"]
    assert len(fig.axes) == 6  # three images, three colour bars
    np.testing.assert_array_equal(images[1].images[0].get_array(),
                                  -np.eye(5))


def test_feature_maps_signed_maps_get_a_diverging_scale_centred_on_zero():
    fig = plot.feature_maps([np.eye(4), np.array([[-1.0, 3.0]])])
    first, second = (ax.images[0] for ax in fig.axes if ax.images)
    assert first.get_cmap().name == "gray"
    assert second.get_cmap().name == plot.SIGNED_CMAP
    assert second.get_clim() == (-3.0, 3.0)


def test_feature_maps_one_colour_map_per_panel():
    signed = np.array([[-1.0, 2.0]])
    fig = plot.feature_maps([signed, signed], cmap=["gray", None])
    first, second = (ax.images[0] for ax in fig.axes if ax.images)
    assert first.get_cmap().name == "gray"
    assert second.get_cmap().name == plot.SIGNED_CMAP


# ---- chapter 2: connectivity

def test_connectivity_colours_channels_by_the_groups_they_see():
    from convlib.widgets import variant_report
    fig, axes = plt.subplots(1, 2)
    for ax, variant in zip(axes, ("grouped", "shuffled")):
        report = variant_report(variant, 6, 6, 1, 2, stacked=True)
        plot.connectivity(ax, report.stages, groups=2, title=variant)
    plain, shuffled = (ax.collections[-1].get_facecolors() for ax in axes)
    grey = matplotlib.colors.to_rgba(plot.MIXED_COLOR)
    # two grouped layers keep the groups apart; the shuffle mixes them
    assert not any(np.allclose(c, grey) for c in plain)
    assert all(np.allclose(c, grey) for c in shuffled)
    n_edges = sum(len(s.edges) for s in report.stages)
    assert len(axes[1].lines) == n_edges
    labels = [t.get_text() for t in axes[1].get_yticklabels()]
    assert labels == ["input"] + [s.label for s in report.stages]
def test_channel_sum_rows_are_channels_and_the_last_adds_the_bias(rng):
    x = rng.integers(-3, 4, size=(3, 5, 5)).astype(float)
    w = rng.integers(-2, 3, size=(2, 3, 3, 3)).astype(float)
    b = np.array([1.0, -2.0])
    fig = plot.channel_sum(x, w, b, out_channel=1)
    axes = np.array(fig.axes).reshape(4, 3)
    assert [ax.get_title() for ax in axes[0]] == [
        "input channel 0", "\u22c6 kernel w[1, 0]", "= partial map 0"]
    assert [ax.get_title() for ax in axes[3]] == [
        "sum of partial maps", "+ bias b[1]", "= output channel 1"]
    partial = cnp.conv2d(x[None, [2]], w[[1]][:, [2]])[0, 0]
    assert _texts(axes[2, 2]) == [plot._text(v, "{:g}")
                                  for v in partial.ravel()]
    assert _texts(axes[3, 1]) == ["\u22122"]
    out = cnp.conv2d(x[None], w, b)[0, 1]
    assert _texts(axes[3, 2]) == [plot._text(v, "{:g}") for v in out.ravel()]


def test_window_positions_marks_the_taps_of_a_dilated_kernel():
    fig = plot.window_positions(SEED_INPUT, 3, stride=1, padding=1,
                                dilation=2, steps=[0, 8])
    assert [ax.get_title() for ax in fig.axes] == ["output (0, 0)",
                                                   "output (2, 2)"]
    blue = matplotlib.colors.to_rgba(plot.SHADE_COLOR)
    for ax, (top, left) in zip(fig.axes, [(0, 0), (2, 2)]):
        cells = [p for p in ax.patches[:-1]]  # the last is the window
        tapped = [(int(p.get_y()), int(p.get_x())) for p in cells
                  if tuple(p.get_facecolor()) == blue]
        assert tapped == [(top + 2 * u, left + 2 * v) for u in range(3)
                          for v in range(3)]
        window = ax.patches[-1]
        assert (window.get_width(), window.get_height()) == (5, 5)


def test_window_positions_default_is_every_output_cell():
    fig = plot.window_positions(SEED_INPUT, (1, 3), stride=(2, 1))
    assert len(fig.axes) == 3 * 3


# ---- the book's figure rules: whole frames, text size, palette, labels

def _frame_darkness(fig, ax, h, w):
    """Darkness (0 white .. 1 black) of each outer grid line, and of the
    first inner vertical line, along the middle of the grid."""
    fig.canvas.draw()
    image = np.asarray(fig.canvas.buffer_rgba())[..., :3] / 255
    height = image.shape[0]
    (x0, y0), (x1, y1) = ax.transData.transform([(0, 0), (w, h)])
    (xi, _), = ax.transData.transform([(1, 0)])
    # y grows downwards in the grid (ylim inverted); image rows from the top
    top, bottom = sorted((height - y0, height - y1))
    mid_rows = slice(int(top + 0.3 * (bottom - top)),
                     int(top + 0.7 * (bottom - top)))
    mid_cols = slice(int(x0 + 0.3 * (x1 - x0)), int(x0 + 0.7 * (x1 - x0)))

    def column_line(x):
        cols = image[mid_rows, int(round(x)) - 2:int(round(x)) + 3]
        return float(1 - cols.min(axis=1).mean(axis=1).mean())

    def row_line(y):
        rows = image[int(round(y)) - 2:int(round(y)) + 3, mid_cols]
        return float(1 - rows.min(axis=0).mean(axis=1).mean())

    return {"left": column_line(x0), "right": column_line(x1),
            "top": row_line(top), "bottom": row_line(bottom),
            "inner": column_line(xi)}


def test_grid_frames_are_whole_on_all_four_sides():
    fig, ax = plt.subplots(figsize=(3, 2.4), dpi=100)
    plot.draw_grid(ax, np.zeros((3, 4)), title="grid")
    dark = _frame_darkness(fig, ax, 3, 4)
    for side in ("left", "right", "top", "bottom"):
        assert dark[side] >= 0.8 * dark["inner"], (side, dark)


def test_the_frame_check_sees_a_clipped_border():
    # the old drawing: limits exactly at the edges cut the outer lines
    fig, ax = plt.subplots(figsize=(3, 2.4), dpi=100)
    plot.draw_grid(ax, np.zeros((3, 4)), title="grid")
    ax.set_xlim(0, 4)
    ax.set_ylim(3, 0)
    dark = _frame_darkness(fig, ax, 3, 4)
    assert min(dark["right"], dark["bottom"]) < 0.8 * dark["inner"], dark


def test_every_grid_figure_has_whole_frames():
    fig = plot.conv_step(SEED_INPUT, SEED_KERNEL, padding=1, step=6)
    for ax in fig.axes:
        h, w = (int(round(abs(b - a))) for a, b in (ax.get_ylim(),
                                                     ax.get_xlim()))
        dark = _frame_darkness(fig, ax, h, w)
        assert min(dark[s] for s in ("left", "right", "top", "bottom")) \
            >= 0.8 * dark["inner"], (ax.get_title(), dark)


def _figures():
    rng = np.random.default_rng(0)
    report = __import__("convlib.widgets", fromlist=["variant_report"])
    fig, axes = plt.subplots(1, 2, figsize=(6.4, 3))
    for ax, variant in zip(axes, ("grouped", "shuffled")):
        stages = report.variant_report(variant, 6, 6, 1, 2,
                                       stacked=True).stages
        plot.connectivity(ax, stages, groups=2, title=variant)
    return {
        "conv_step": plot.conv_step(SEED_INPUT, SEED_KERNEL, padding=1,
                                    step=6),
        "grids, one row": plot.grids([np.eye(3), np.ones((5, 5))],
                                     ["a", "b"]),
        "grids, wrapped": plot.grids([np.zeros((7, 7))] * 6,
                                     list("abcdef")),
        "grids, big cells": plot.grids([np.eye(3)] * 3, list("abc"),
                                       cell=0.75),
        "window_positions": plot.window_positions(
            SEED_INPUT, 3, stride=2, padding=1, steps=[0, 1, 2, 3]),
        "window_positions, all": plot.window_positions(SEED_INPUT, 3),
        "channel_sum": plot.channel_sum(
            rng.integers(-3, 4, (3, 5, 5)), rng.integers(-2, 3, (2, 3, 3, 3)),
            np.array([1.0, -2.0])),
        "feature_maps": plot.feature_maps([np.eye(16)] * 4, list("abcd"),
                                          size=3.0),
        "connectivity": fig,
    }


def test_plot_functions_keep_text_readable_and_panels_labelled():
    for name, fig in _figures().items():
        assert plot.check_figure(fig) == [], name
        smallest = plot.text_sizes(fig)[0][1]
        assert smallest >= plot.MIN_TEXT_PT, (name, smallest)


def test_text_size_follows_the_figure_width():
    # 10-pt text at dpi 100: 10.4 pt unscaled; a figure twice the column
    # wide is shown at half size
    fig, ax = plt.subplots(figsize=(4, 2), dpi=100)
    ax.set_title("narrow", fontsize=12)
    assert plot.text_sizes(fig)[-1][1] == pytest.approx(12 * 100 / 96)
    wide, ax = plt.subplots(figsize=(2 * plot.COLUMN_IN, 2), dpi=100)
    ax.set_title("wide", fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])
    scale, width_px = plot._page_scale(wide)
    assert width_px > 1.5 * plot.COLUMN_PX and scale < 0.7
    assert plot.text_sizes(wide)[0][1] == pytest.approx(
        10 * 100 / 96 * plot.COLUMN_PX / width_px)
    assert any("wide" in p for p in plot.check_figure(wide))


def test_check_figure_finds_small_text_and_unlabelled_panels():
    fig, axes = plt.subplots(1, 2, figsize=(5, 2))
    axes[0].plot([0, 1])
    axes[0].set_title("a curve")
    axes[0].text(0.5, 0.5, "tiny", fontsize=6)
    axes[1].plot([1, 0])
    problems = plot.check_figure(fig)
    assert any("'tiny'" in p for p in problems)
    assert "panel 1 has no title, axis label or legend" in problems
    with pytest.raises(ValueError, match="figure rules"):
        plot.show(fig)
    fig.suptitle("two curves")
    axes[0].texts[0].set_fontsize(9)
    assert plot.check_figure(fig) == []


def test_figures_use_the_palette():
    fig, ax = plt.subplots()
    plot.draw_grid(ax, np.zeros((4, 4)), padding=1, window=(1, 1, 2, 2),
                   shade=np.eye(4, dtype=bool))
    used = {matplotlib.colors.to_hex(p.get_facecolor()) for p in ax.patches}
    allowed = {matplotlib.colors.to_hex(c) for c in (
        "white", palette.ROLES["pad"], palette.ROLES["kernel"],
        palette.ROLES["window"])}
    assert used <= allowed and len(used) == 4
    with matplotlib.rc_context():
        plot.use_book_style()
        cycle = [c["color"] for c in matplotlib.rcParams["axes.prop_cycle"]]
    assert [c.lower() for c in cycle] == [c.lower() for c in palette.SERIES]


def test_connectivity_groups_differ_in_marker_as_well_as_colour():
    from convlib.widgets import variant_report
    fig, ax = plt.subplots()
    report = variant_report("grouped", 6, 6, 1, 3, stacked=False)
    plot.connectivity(ax, report.stages, groups=3, title="grouped")
    first_row = [c for c in ax.collections
                 if np.allclose(c.get_offsets()[:, 1], 0)]
    markers = [c.get_paths()[0].vertices.round(3).tobytes()
               for c in first_row]
    colours = [matplotlib.colors.to_hex(c.get_facecolors()[0])
               for c in first_row]
    assert len(set(markers)) == 3 and len(set(colours)) == 3
    assert colours == [palette.series(g).lower() for g in range(3)]


# ---- chapter 1: the filter in a volume

def test_sliding_volume_shows_the_output_size_and_the_free_axes():
    fig, axes = plt.subplots(2, 1, figsize=(5.6, 5.6))
    plot.sliding_volume(axes[0], (3, 6, 6), (3, 3, 3), title="2-D",
                        kernel_name="filter")
    plot.sliding_volume(axes[1], (6, 6, 5), (3, 3, 2), title="3-D",
                        names=("D", "H", "W"))
    first, second = (_texts(ax) for ax in axes)
    # a filter as deep as the input: an output of depth 1, no arrow
    # along the channels; a shallower kernel slides along D too
    assert "output 1\u00d74\u00d74" in first and "C" not in first
    assert {"W", "H"} <= set(first)
    assert "output 4\u00d74\u00d74" in second and "D" in second
    assert "filter\n3\u00d73\u00d73" in first
    assert plot.check_figure(fig) == []
    with pytest.raises(ValueError, match="kernel_shape"):
        plot.sliding_volume(axes[0], (3, 6, 6), (3, 0, 3))
