"""Figures shared by the chapters (matplotlib), and the book's figure rules.

Each function draws arrays that convlib's ops computed; none of them
computes a layer itself.  Functions that make a whole figure return the
`matplotlib.figure.Figure`; `draw_grid` and `connectivity` draw on an axes
you pass.

The book's figures follow three rules, which `check_figure` tests and
`show` applies to every figure a chapter shows:

- text is at least `MIN_TEXT_PT` points on the page: the book scales a
  figure wider than its text column (`COLUMN_PX` CSS pixels in a 1280-px
  window) down to the column, and its text with it (`text_sizes`);
- colours come from `convlib.palette` (`use_book_style` makes its series
  matplotlib's colour cycle), with markers, line styles or labels
  carrying the meaning too;
- every panel says what it draws: a title or an axis label (or the
  figure's own title).
"""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from . import numpy as cnp
from . import palette
from ._args import check_array, ntuple

__all__ = ["draw_grid", "grids", "conv_step", "feature_maps",
           "connectivity", "channel_sum", "window_positions",
           "network_diagram", "sliding_volume",
           "use_book_style", "text_sizes", "check_figure", "show"]

# The text column of a chapter page in a 1280-px window (CSS px), the
# resolution the notebooks save figures at, and the smallest text allowed.
COLUMN_PX = 688
DPI = 100
COLUMN_IN = COLUMN_PX / DPI
MIN_TEXT_PT = 9
FONT_PT = 10          # text in grids and the default font (10.4 pt shown)

WINDOW_COLOR = palette.ROLES["window"]
PAD_COLOR = palette.ROLES["pad"]
SHADE_COLOR = palette.ROLES["kernel"]
OUT_COLOR = palette.ROLES["out"]
GRID_COLOR = palette.ROLES["grid"]
SIGNED_CMAP = "RdBu_r"
# Room around a grid, in cells, so that its outer lines are drawn whole.
_FRAME_MARGIN = 0.08
# The smallest cell (inches) that holds a 10-pt number of three characters.
_MIN_CELL = 0.34

BOOK_STYLE = {
    "figure.dpi": DPI,
    "savefig.dpi": "figure",
    "figure.figsize": (6.4, 3.6),
    "font.size": FONT_PT,
    "axes.titlesize": "medium",
    "figure.titlesize": "medium",
    "axes.prop_cycle": plt.cycler(color=list(palette.SERIES)),
    "image.cmap": "viridis",
}


def use_book_style():
    """Set matplotlib's defaults to the book's (`BOOK_STYLE`).

    The palette's series as the colour cycle, 10-pt text, figures saved at
    `DPI` and 6.4 inches wide by default (narrower than the text column).
    """
    plt.rcParams.update(BOOK_STYLE)


def _text(value, fmt):
    if isinstance(value, str):
        return value
    text = fmt.format(value)
    return text.replace("-", "\u2212")


def draw_grid(ax, values, title=None, window=None, padding=0,
              fmt="{:g}", shade=None, fontsize=FONT_PT,
              shade_color=SHADE_COLOR):
    """Draw a 2-D array as a grid of numbered cells, its frame whole.

    Parameters
    ----------
    ax : matplotlib Axes
    values : array_like, shape (H, W)
        Numbers (or strings; '' leaves a cell blank).
    window : (top, left, height, width), optional
        Cells outlined (thick, in the window colour) as the current window.
    padding : int
        Width of a border of padding cells, drawn grey with italic numbers.
    shade : array_like of bool, shape (H, W), optional
        Extra cells to tint (e.g. the kernel's taps).
    shade_color : colour
        Their tint (default: the palette's kernel colour).

    Returns
    -------
    ax
    """
    values = np.asarray(values, dtype=object)
    h, w = values.shape
    for r in range(h):
        for c in range(w):
            pad = r < padding or c < padding or r >= h - padding \
                or c >= w - padding
            color = PAD_COLOR if pad else "white"
            if shade is not None and shade[r][c]:
                color = shade_color
            ax.add_patch(Rectangle((c, r), 1, 1, facecolor=color,
                                   edgecolor=GRID_COLOR, linewidth=0.8))
            ax.text(c + 0.5, r + 0.5, _text(values[r, c], fmt),
                    ha="center", va="center", fontsize=fontsize,
                    color="black", style="italic" if pad else "normal")
    if window is not None:
        top, left, wh, ww = window
        ax.add_patch(Rectangle((left, top), ww, wh, facecolor=WINDOW_COLOR,
                               alpha=0.35, edgecolor="black",
                               linewidth=2.5))
    m = _FRAME_MARGIN
    ax.set_xlim(-m, w + m)
    ax.set_ylim(h + m, -m)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title)
    return ax


def _fit_cell(cells_across, cell):
    """The cell size (inches) that fits `cells_across` in the column."""
    return min(cell, COLUMN_IN / cells_across)


def _text_cell(arrays, fmt):
    """The cell size (inches) that holds the longest number drawn."""
    longest = max((len(_text(v, fmt)) for a in arrays for v in a.ravel()),
                  default=1)
    return longest * FONT_PT * 0.62 / 72 + 0.08


def _rows_of(widths, cell):
    """Split panel widths (in cells, gaps included) into rows that fit."""
    rows, row = [], []
    for i, width in enumerate(widths):
        if row and (sum(widths[j] for j in row) + width) * cell \
                > COLUMN_IN + 1e-9:
            rows.append(row)
            row = []
        row.append(i)
    return rows + [row]


def grids(arrays, titles=None, fmt="{:g}", cell=0.45):
    """Several 2-D arrays as numbered grids side by side (a Figure).

    The grids share one cell size, at most `cell` inches (but wide enough
    for the longest number) and small enough for the figure to fit the
    text column; when the cells cannot be that small, the grids wrap onto
    several rows.
    """
    arrays = [np.asarray(a, dtype=object) for a in arrays]
    titles = list(titles or [None] * len(arrays))
    widths = [a.shape[1] + 1 for a in arrays]      # one cell of gap each
    cell = max(_fit_cell(sum(widths), cell),
               min(cell, _MIN_CELL), _text_cell(arrays, fmt))
    rows = _rows_of(widths, cell)
    lines = [max(str(t).count("\n") + 1 if t else 0
                 for t in titles[r[0]:r[-1] + 1]) for r in rows]
    heights = [max(arrays[i].shape[0] for i in r) for r in rows]
    fig = plt.figure(figsize=(cell * max(sum(widths[i] for i in r)
                                         for r in rows),
                              sum(cell * h + 0.22 * n + 0.15
                                  for h, n in zip(heights, lines))))
    outer = fig.add_gridspec(len(rows), 1, height_ratios=[
        cell * h + 0.22 * n + 0.15 for h, n in zip(heights, lines)])
    for k, row in enumerate(rows):
        inner = outer[k].subgridspec(1, len(row), width_ratios=[
            widths[i] for i in row])
        for slot, i in enumerate(row):
            draw_grid(fig.add_subplot(inner[slot]), arrays[i],
                      title=titles[i], fmt=fmt)
    return fig


def conv_step(input, kernel, stride=1, padding=0, step=0, fmt="{:g}"):
    """Padded input with one window, the kernel, and the output so far.

    The output values come from `convlib.numpy.conv2d`; cells after
    `step` (counted row by row) are left blank.

    Parameters
    ----------
    input : array_like, shape (H, W)
    kernel : array_like, shape (kH, kW)
    stride, padding : int or (int, int)
    step : int
        Index of the current output cell, row by row.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fn = "conv_step"
    x = check_array(input, "input", fn, ndims=(2,))
    w = check_array(kernel, "kernel", fn, ndims=(2,))
    s = ntuple(stride, 2, "stride", fn, minimum=1)
    p = ntuple(padding, 2, "padding", fn, minimum=0)
    out = cnp.conv2d(x[None, None], w[None, None], stride=s, padding=p)[0, 0]
    if not 0 <= step < out.size:
        raise ValueError(f"{fn}: step must be in [0, {out.size}), "
                         f"got {step}")
    i, j = divmod(step, out.shape[1])
    padded = np.pad(x, ((p[0], p[0]), (p[1], p[1])))
    shown = np.array([[fmt.format(v) if r * out.shape[1] + c <= step
                       else "" for c, v in enumerate(row)]
                      for r, row in enumerate(out)], dtype=object)
    shade = np.zeros(out.shape, dtype=bool)
    shade[i, j] = True
    fig = grids([padded, w, shown],
                ["input (padded)", "kernel", "output"], fmt=fmt)
    ax_in, _, ax_out = fig.axes
    ax_in.cla()
    draw_grid(ax_in, padded, "input (padded)", fmt=fmt,
              window=(i * s[0], j * s[1]) + w.shape, padding=p[0])
    ax_out.cla()
    draw_grid(ax_out, shown, "output", shade=shade, shade_color=OUT_COLOR)
    return fig


def feature_maps(images, titles=None, cmap=None, size=2.2):
    """A row of images (an input and its feature maps); returns the Figure.

    Panels are at most `size` inches wide, less when that is needed for
    the row to fit the text column. Each has its own colour scale and
    colour bar. `cmap` is one
    colour map name for every panel or a list with one per panel; where it
    is None, an image with negative values (an edge detector's response)
    is drawn in a diverging map centred on zero, so its sign shows, and
    any other in grey.
    """
    images = [np.asarray(im, dtype=float) for im in images]
    titles = titles or [None] * len(images)
    cmaps = (list(cmap) if isinstance(cmap, (list, tuple))
             else [cmap] * len(images))
    size = min(size, (COLUMN_IN - 0.2) / len(images))
    fig, axes = plt.subplots(1, len(images),
                             figsize=(size * len(images) + 0.2,
                                      size + 0.25),
                             squeeze=False, layout="constrained")
    for ax, image, title, chosen in zip(axes[0], images, titles, cmaps):
        limits = {}
        if chosen is None and image.min() < 0:
            chosen = SIGNED_CMAP
            bound = float(np.abs(image).max())
            limits = dict(vmin=-bound, vmax=bound)
        mappable = ax.imshow(image, cmap=chosen or "gray", **limits)
        fig.colorbar(mappable, ax=ax, shrink=0.8)
        ax.set_xticks([])
        ax.set_yticks([])
        if title:
            ax.set_title(title)
    return fig


# ---- chapter 2: which channels feed which, layer by layer

MIXED_COLOR = palette.ROLES["muted"]
GROUP_MARKERS = palette.MARKERS
MIXED_MARKER = palette.MIXED_MARKER


def connectivity(ax, stages, groups=1, title=None):
    """Channels as dots, one row per layer, joined where one feeds another.

    Each channel is coloured and shaped by the input group it depends on
    (the input channels cut into `groups` equal parts; group g has the
    palette's series colour g and marker ``GROUP_MARKERS[g]``), a grey
    cross (`MIXED_COLOR`, `MIXED_MARKER`) when it depends on several
    groups. Connections take the colour of the channel they leave.

    Parameters
    ----------
    ax : matplotlib Axes
    stages : sequence of (label, n_in, n_out, edges)
        The layers from the input down, e.g. the ``stages`` of
        `convlib.widgets.variant_report`; ``edges`` holds (input channel,
        output channel) pairs.
    groups : int
        Number of input groups to colour (1: one colour).

    Returns
    -------
    ax
    """
    n_in = stages[0][1]
    seen = [{i * groups // n_in} for i in range(n_in)]
    _channel_row(ax, seen, 0)
    for row, (_, _, n_out, edges) in enumerate(stages, 1):
        nxt = [set() for _ in range(n_out)]
        for i, o in edges:
            nxt[o] |= seen[i]
            ax.plot([i, o], [1 - row, -row], lw=0.8, color=_colour(seen[i]))
        seen = nxt
        _channel_row(ax, seen, -row)
    ax.set_yticks([-r for r in range(len(stages) + 1)],
                  ["input"] + [stage[0] for stage in stages])
    ax.set_xlabel("channel")
    if title:
        ax.set_title(title)
    return ax


def _colour(groups_seen):
    return (palette.series(min(groups_seen)) if len(groups_seen) == 1
            else MIXED_COLOR)


def _marker(groups_seen):
    return (GROUP_MARKERS[min(groups_seen) % len(GROUP_MARKERS)]
            if len(groups_seen) == 1 else MIXED_MARKER)


def _channel_row(ax, seen, y):
    for marker in dict.fromkeys(_marker(s) for s in seen):
        at = [i for i, s in enumerate(seen) if _marker(s) == marker]
        ax.scatter(at, [y] * len(at), zorder=3, marker=marker, s=36,
                   c=[_colour(seen[i]) for i in at], edgecolors="black",
                   linewidths=0.5)
def channel_sum(input, weight, bias, out_channel=0, fmt="{:g}",
                cell=0.42):
    """How one output channel of a multi-channel convolution is made.

    One row per input channel ``c``: the channel ``input[c]``, the kernel
    ``weight[out_channel, c]`` and the partial map it gives
    (`convlib.numpy.conv2d` of that channel alone); a last row: the sum of
    the partial maps, the bias, and the output channel (sum + bias).

    Parameters
    ----------
    input : array_like, shape (C_in, H, W)
    weight : array_like, shape (C_out, C_in, kH, kW)
    bias : array_like, shape (C_out,)

    Returns
    -------
    matplotlib.figure.Figure
    """
    fn = "channel_sum"
    x = check_array(input, "input", fn, ndims=(3,))
    w = check_array(weight, "weight", fn, ndims=(4,))
    b = check_array(bias, "bias", fn, ndims=(1,))
    o = out_channel
    partial = [cnp.conv2d(x[None, [c]], w[[o]][:, [c]])[0, 0]
               for c in range(x.shape[0])]
    total = sum(partial)
    rows = [[(x[c], f"input channel {c}"), (w[o, c], f"\u22c6 kernel "
             f"w[{o}, {c}]"), (partial[c], f"= partial map {c}")]
            for c in range(x.shape[0])]
    rows.append([(total, "sum of partial maps"),
                 ([[b[o]]], f"+ bias b[{o}]"),
                 (total + b[o], f"= output channel {o}")])
    side = max(x.shape[1:])
    cell = max(_fit_cell(3 * (side + 1), cell), _MIN_CELL)
    fig, axes = plt.subplots(len(rows), 3, squeeze=False,
                             figsize=(3 * cell * (side + 1),
                                      len(rows) * (cell * side + 0.45)))
    m = _FRAME_MARGIN
    for ax_row, row in zip(axes, rows):
        for ax, (values, title) in zip(ax_row, row):
            draw_grid(ax, values, title=title, fmt=fmt)
            ax.set_xlim(-m, side + m)
            ax.set_ylim(side + m, -m)
    return fig


def window_positions(input, kernel_size, stride=1, padding=0, dilation=1,
                     steps=None, fmt="{:g}", cell=0.38):
    """Where the window reads the padded input, one panel per output cell.

    In each panel the outlined box is the span of the (dilated) kernel and
    the blue cells are its taps, ``x[s i + d u, s j + d v]``; the title is
    the output cell ``(i, j)``. `steps` (row-by-row indices of output
    cells) picks the panels; default all.

    Parameters
    ----------
    input : array_like, shape (H, W)
    kernel_size, stride, padding, dilation : int or (int, int)

    Returns
    -------
    matplotlib.figure.Figure
    """
    fn = "window_positions"
    x = check_array(input, "input", fn, ndims=(2,))
    k = ntuple(kernel_size, 2, "kernel_size", fn, minimum=1)
    s = ntuple(stride, 2, "stride", fn, minimum=1)
    p = ntuple(padding, 2, "padding", fn, minimum=0)
    d = ntuple(dilation, 2, "dilation", fn, minimum=1)
    out = cnp.conv2d(x[None, None], np.ones((1, 1) + k), stride=s,
                     padding=p, dilation=d)[0, 0]
    steps = range(out.size) if steps is None else steps
    padded = np.pad(x, ((p[0], p[0]), (p[1], p[1])))
    span = tuple(dd * (kk - 1) + 1 for dd, kk in zip(d, k))
    steps = list(steps)
    panel = padded.shape[1] + 1                    # one cell of gap
    cell = max(_fit_cell(len(steps) * panel, cell), min(cell, _MIN_CELL))
    ncols = max(1, min(len(steps), int((COLUMN_IN + 1e-9) // (cell * panel))))
    nrows = -(-len(steps) // ncols)
    fig, axes = plt.subplots(nrows, ncols, squeeze=False, figsize=(
        ncols * cell * panel, nrows * (cell * padded.shape[0] + 0.4)))
    for ax in axes.ravel()[len(steps):]:
        ax.remove()
    for ax, step in zip(axes.ravel(), steps):
        i, j = divmod(step, out.shape[1])
        taps = np.zeros(padded.shape, dtype=bool)
        taps[i * s[0]:i * s[0] + span[0]:d[0],
             j * s[1]:j * s[1] + span[1]:d[1]] = True
        draw_grid(ax, padded, title=f"output ({i}, {j})", fmt=fmt,
                  padding=p[0], shade=taps)
        ax.add_patch(Rectangle((j * s[1], i * s[0]), span[1], span[0],
                               facecolor="none", edgecolor="black",
                               linewidth=2.5))
    return fig


# ---- the book's figure rules

def _page_scale(fig):
    """How much the book shrinks `fig` to fit the text column (<= 1)."""
    from matplotlib import rcParams

    fig.canvas.draw()
    box = fig.get_tightbbox(fig.canvas.get_renderer())
    pad = rcParams["savefig.pad_inches"]
    width_px = (box.width + 2 * pad) * fig.dpi
    return min(1.0, COLUMN_PX / width_px), width_px


def _hidden_tick_labels(fig):
    hidden = set()
    for ax in fig.axes:
        if not (ax.axison and ax.get_visible()):
            for axis in (ax.xaxis, ax.yaxis):
                hidden |= {id(t) for t in axis.get_ticklabels(which="both")}
    return hidden


def text_sizes(fig):
    """Every text of `fig` with its size on the page, in points.

    The notebooks save a figure at ``fig.dpi`` pixels per inch (cropped to
    what is drawn), and the book shows one pixel per CSS pixel (1/96 inch)
    unless the figure is wider than the column, which scales it to
    `COLUMN_PX`. So a text of ``s`` points is shown at
    ``s * fig.dpi / 96 * min(1, COLUMN_PX / width_px)`` points.

    Returns
    -------
    list of (str, float)
        The text and its size on the page, smallest first.
    """
    scale, _ = _page_scale(fig)
    hidden = _hidden_tick_labels(fig)
    sizes = [(t.get_text(), t.get_fontsize() * fig.dpi / 96 * scale)
             for t in fig.findobj(Text)
             if t.get_visible() and t.get_text().strip()
             and id(t) not in hidden]
    return sorted(sizes, key=lambda pair: pair[1])


def _says_what_it_draws(ax):
    if ax.get_title() or ax.get_title("left") or ax.get_title("right"):
        return True
    return bool(ax.get_xlabel() or ax.get_ylabel() or ax.get_legend())


def check_figure(fig):
    """What breaks the book's figure rules in `fig` (empty if nothing).

    Text smaller than `MIN_TEXT_PT` on the page (see `text_sizes`), and
    panels that say nothing about what they draw (no title, axis label or
    legend, in a figure without a title of its own; colour bars are
    exempt).

    Returns
    -------
    list of str
    """
    scale, width_px = _page_scale(fig)
    problems = [f"text {text!r} is {size:.1f} pt on the page (at least "
                f"{MIN_TEXT_PT}; the figure is {width_px:.0f} px wide, "
                f"shown at {scale:.0%})"
                for text, size in text_sizes(fig) if size < MIN_TEXT_PT]
    titled = bool(fig._suptitle and fig._suptitle.get_text())
    for i, ax in enumerate(fig.axes):
        if (ax.get_visible() and not hasattr(ax, "_colorbar")
                and not titled and not _says_what_it_draws(ax)):
            problems.append(f"panel {i} has no title, axis label or legend")
    return problems


def show(fig=None):
    """Check a figure against the book's rules, then show it.

    Use it in the chapters instead of ``plt.show()``: a figure with text
    too small for the page or an unlabelled panel raises a ValueError
    (so nbval fails), otherwise every open figure is shown as by
    ``plt.show()``.

    Parameters
    ----------
    fig : matplotlib.figure.Figure or None
        The figure to check; None checks every open figure.
    """
    figures = [fig] if fig is not None else [
        plt.figure(n) for n in plt.get_fignums()]
    problems = [p for f in figures for p in check_figure(f)]
    if problems:
        raise ValueError("show: the figure breaks the book's figure rules: "
                         + "; ".join(problems))
    plt.show()


# ---- chapter 8: a network's outputs as blocks

def network_diagram(ax, stages, depth=4, gap=4.5):
    """A network's outputs as blocks, left to right, heights to scale.

    A (C, H, W) output is a stack of min(C, `depth`) squares of side H,
    offset like the pages of a book (the channels), a flat (F,) output a
    bar of height F / 8 (a 64-vector is as tall as an 8 x 8 map); arrows
    join them. Under each block, its label (say, the operation that made
    it) and its shape.

    Parameters
    ----------
    ax : matplotlib Axes
    stages : sequence of (label, shape)
        The input first, e.g. ``("input", (1, 8, 8))``, then each
        layer's output (the rows of `convlib.widgets.trace_cnn` give
        the shapes).
    depth : int
        Most squares drawn per stack.
    gap : float
        Space between blocks, in units of one pixel of the maps.

    Returns
    -------
    ax
    """
    x, step, top = 0.0, 0.9, 0.0
    for k, (label, shape) in enumerate(stages):
        if k:
            ax.annotate("", xy=(x - 0.4, 0), xytext=(x - gap + 0.4, 0),
                        arrowprops=dict(arrowstyle="->", color=GRID_COLOR))
        if len(shape) == 3:
            h, layers = shape[1], min(shape[0], depth)
            for i in reversed(range(layers)):
                ax.add_patch(Rectangle((x + i * step, -h / 2 + i * step), h,
                                       h, facecolor=OUT_COLOR,
                                       edgecolor=GRID_COLOR, lw=0.8))
            width, top = h + (layers - 1) * step, max(top, h / 2 + layers)
        else:
            height = shape[0] / 8
            ax.add_patch(Rectangle((x, -height / 2), 0.8, height,
                                   facecolor=SHADE_COLOR,
                                   edgecolor=GRID_COLOR, lw=0.8))
            width, top = 0.8, max(top, height / 2)
        dims = " x ".join(str(n) for n in shape)
        ax.text(x + width / 2, -5, f"{label}\n{dims}", ha="center",
                va="top")
        x += width + gap
    ax.set_xlim(-0.5, x - gap + 0.5)
    ax.set_ylim(-9.5, top + 0.5)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


# ---- chapter 1: a filter sliding through a volume

_DEPTH = (0.5, 0.35)  # one cell of depth, drawn up and to the right


def _project(x, y, z):
    """Oblique projection: x right (width), y up (height), z into the
    page (channels or depth), drawn up and to the right."""
    return x + _DEPTH[0] * z, y + _DEPTH[1] * z


def _box(ax, corner, size, face, edge="black", lw=1.0):
    """The three visible faces (front, top, right) of a box: `corner` is
    its front-bottom-left (x, y, z), `size` its (width, height, depth)."""
    from matplotlib.colors import to_rgb
    from matplotlib.patches import Polygon

    x, y, z = corner
    w, h, d = size
    faces = [[(x, y, z), (x + w, y, z), (x + w, y + h, z), (x, y + h, z)],
             [(x, y + h, z), (x + w, y + h, z), (x + w, y + h, z + d),
              (x, y + h, z + d)],
             [(x + w, y, z), (x + w, y, z + d), (x + w, y + h, z + d),
              (x + w, y + h, z)]]
    for shade, points in zip((1.0, 0.88, 0.76), faces):
        ax.add_patch(Polygon([_project(*p) for p in points], closed=True,
                             facecolor=tuple(np.array(to_rgb(face)) * shade),
                             edgecolor=edge, linewidth=lw))


def _cells(ax, corner, size):
    """Thin lines marking the cells on the front face of a box."""
    x, y, z = corner
    w, h, _ = size
    for i in range(1, w):
        ax.plot(*zip(_project(x + i, y, z), _project(x + i, y + h, z)),
                color=GRID_COLOR, lw=0.5)
    for j in range(1, h):
        ax.plot(*zip(_project(x, y + j, z), _project(x + w, y + j, z)),
                color=GRID_COLOR, lw=0.5)


def _arrow(ax, start, end, label):
    """An arrow between two projected points, labelled at its head."""
    a, b = _project(*start), _project(*end)
    ax.annotate("", xy=b, xytext=a, arrowprops=dict(
        arrowstyle="-|>", color="black", lw=1.5, mutation_scale=12))
    ax.text(b[0] + 0.15, b[1] + 0.1, label, ha="left", va="bottom",
            bbox=dict(facecolor="white", edgecolor="none", pad=0.5))


def sliding_volume(ax, in_shape, kernel_shape, title=None,
                   names=("C", "H", "W"), kernel_name="kernel"):
    """A kernel block in the corner of an input block, and its output.

    The input block is ``in_shape = (depth, height, width)`` cells (the
    depth drawn into the page); the kernel block ``kernel_shape`` sits at
    the input's first position (front, top, left), and the output block
    beside it has the valid, stride-1 output size along each axis
    (`convlib.shapes.conv_output_size`), with the cell that this position
    makes shaded. An arrow marks each axis along which the kernel can
    slide (where it is shorter than the input). A kernel as deep as the
    input cannot slide along the depth and leaves an output of depth 1:
    a multi-channel 2-D convolution; a shallower one slides along the
    depth too: a 3-D convolution.

    Parameters
    ----------
    ax : matplotlib Axes
    in_shape, kernel_shape : (int, int, int)
    names : three str
        The names of the input's axes, for its label and the arrows.
    kernel_name : str
        What to call the kernel block ('kernel', 'filter').

    Returns
    -------
    ax
    """
    from .shapes import conv_output_size

    fn = "sliding_volume"
    din, hin, win = ntuple(in_shape, 3, "in_shape", fn, minimum=1)
    dk, hk, wk = ntuple(kernel_shape, 3, "kernel_shape", fn, minimum=1)
    dout, hout, wout = conv_output_size((din, hin, win),
                                        kernel_size=(dk, hk, wk))
    _box(ax, (0, 0, 0), (win, hin, din), "white", edge=GRID_COLOR)
    _cells(ax, (0, 0, 0), (win, hin, din))
    _box(ax, (0, hin - hk, 0), (wk, hk, dk), SHADE_COLOR, lw=2.0)
    _cells(ax, (0, hin - hk, 0), (wk, hk, dk))
    slides = [(wk < win, (wk, hin - hk / 2, 0), (wk + 1.6, hin - hk / 2, 0),
               names[2]),
              (hk < hin, (wk / 2, hin - hk, 0), (wk / 2, hin - hk - 1.6, 0),
               names[1]),
              (dk < din, (wk, hin, dk), (wk, hin, dk + 2.2), names[0])]
    for can, start, end, name in slides:
        if can:
            _arrow(ax, start, end, name)
    gap = win + _DEPTH[0] * din + 1.8
    top = (hin - hout) / 2
    _box(ax, (gap, top, 0), (wout, hout, dout), "white", edge=GRID_COLOR)
    _cells(ax, (gap, top, 0), (wout, hout, dout))
    _box(ax, (gap, top + hout - 1, 0), (1, 1, 1), OUT_COLOR, lw=2.0)
    ax.text(*_project(win / 2, -0.5, 0), f"input {din}\u00d7{hin}\u00d7"
            f"{win} ({', '.join(names)})", ha="center", va="top")
    ax.text(*_project(gap + wout / 2, top - 0.5, 0),
            f"output {dout}\u00d7{hout}\u00d7{wout}", ha="center", va="top")
    ax.text(-0.4, hin - hk / 2, f"{kernel_name}\n{dk}\u00d7{hk}\u00d7{wk}",
            ha="right", va="center")
    far = _project(gap + wout + 0.5, hin + 0.8, max(din, dout, dk + 2.2))
    ax.set_xlim(-3.2, far[0])
    ax.set_ylim(-1.6, far[1] + 0.6)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title)
    return ax
