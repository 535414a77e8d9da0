"""Figures shared by the chapters (matplotlib).

Each function draws arrays that convlib's ops computed; none of them
computes a layer itself.  Functions that make a whole figure return the
`matplotlib.figure.Figure`; `draw_grid` draws on an axes you pass.
"""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from . import numpy as cnp
from ._args import check_array, ntuple

__all__ = ["draw_grid", "grids", "conv_step", "feature_maps",
           "connectivity", "channel_sum", "window_positions"]

WINDOW_COLOR = "#ffb300"
PAD_COLOR = "#e0e0e0"
SIGNED_CMAP = "RdBu_r"


def _text(value, fmt):
    if isinstance(value, str):
        return value
    text = fmt.format(value)
    return text.replace("-", "\u2212")


def draw_grid(ax, values, title=None, window=None, padding=0,
              fmt="{:g}", shade=None, fontsize=10):
    """Draw a 2-D array as a grid of numbered cells.

    Parameters
    ----------
    ax : matplotlib Axes
    values : array_like, shape (H, W)
        Numbers (or strings; '' leaves a cell blank).
    window : (top, left, height, width), optional
        Cells outlined and tinted as the current window.
    padding : int
        Width of a border of padding cells, drawn grey.
    shade : array_like of bool, shape (H, W), optional
        Extra cells to tint (e.g. the output cells filled so far).

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
                color = "#bbdefb"
            ax.add_patch(Rectangle((c, r), 1, 1, facecolor=color,
                                   edgecolor="#666666", linewidth=0.8))
            ax.text(c + 0.5, r + 0.5, _text(values[r, c], fmt),
                    ha="center", va="center", fontsize=fontsize,
                    color="#777777" if pad else "black")
    if window is not None:
        top, left, wh, ww = window
        ax.add_patch(Rectangle((left, top), ww, wh, facecolor=WINDOW_COLOR,
                               alpha=0.35, edgecolor=WINDOW_COLOR,
                               linewidth=2.5))
    ax.set_xlim(0, w)
    ax.set_ylim(h, 0)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title)
    return ax


def grids(arrays, titles=None, fmt="{:g}", cell=0.45):
    """Several 2-D arrays side by side as numbered grids (a Figure)."""
    arrays = [np.asarray(a, dtype=object) for a in arrays]
    titles = titles or [None] * len(arrays)
    widths = [a.shape[1] for a in arrays]
    height = max(a.shape[0] for a in arrays)
    fig, axes = plt.subplots(
        1, len(arrays), figsize=(cell * (sum(widths) + len(arrays)),
                                 cell * height + 0.6),
        gridspec_kw=dict(width_ratios=widths), squeeze=False)
    for ax, array, title in zip(axes[0], arrays, titles):
        draw_grid(ax, array, title=title, fmt=fmt)
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
    draw_grid(ax_out, shown, "output", shade=shade)
    return fig


def feature_maps(images, titles=None, cmap=None, size=2.2):
    """A row of images (an input and its feature maps); returns the Figure.

    Each panel has its own colour scale and colour bar. `cmap` is one
    colour map name for every panel or a list with one per panel; where it
    is None, an image with negative values (an edge detector's response)
    is drawn in a diverging map centred on zero, so its sign shows, and
    any other in grey.
    """
    images = [np.asarray(im, dtype=float) for im in images]
    titles = titles or [None] * len(images)
    cmaps = (list(cmap) if isinstance(cmap, (list, tuple))
             else [cmap] * len(images))
    fig, axes = plt.subplots(1, len(images),
                             figsize=(size * len(images) + 0.5, size),
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

MIXED_COLOR = "0.6"


def connectivity(ax, stages, groups=1, title=None):
    """Channels as dots, one row per layer, joined where one feeds another.

    Each channel is coloured by the input group it depends on (the input
    channels cut into `groups` equal parts, colours C0, C1, ...), grey
    when it depends on several groups.

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
    return (f"C{min(groups_seen)}" if len(groups_seen) == 1
            else MIXED_COLOR)


def _channel_row(ax, seen, y):
    ax.scatter(range(len(seen)), [y] * len(seen), zorder=3,
               c=[_colour(s) for s in seen])
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
    fig, axes = plt.subplots(len(rows), 3, squeeze=False,
                             figsize=(3 * cell * (side + 1.5),
                                      len(rows) * cell * (side + 1)))
    for ax_row, row in zip(axes, rows):
        for ax, (values, title) in zip(ax_row, row):
            draw_grid(ax, values, title=title, fmt=fmt, fontsize=9)
            ax.set_xlim(0, side)
            ax.set_ylim(side, 0)
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
    fig, axes = plt.subplots(1, len(steps), squeeze=False, figsize=(
        len(steps) * cell * (padded.shape[1] + 1),
        cell * padded.shape[0] + 0.6))
    for ax, step in zip(axes[0], steps):
        i, j = divmod(step, out.shape[1])
        taps = np.zeros(padded.shape, dtype=bool)
        taps[i * s[0]:i * s[0] + span[0]:d[0],
             j * s[1]:j * s[1] + span[1]:d[1]] = True
        draw_grid(ax, padded, title=f"output ({i}, {j})", fmt=fmt,
                  padding=p[0], shade=taps, fontsize=8)
        ax.add_patch(Rectangle((j * s[1], i * s[0]), span[1], span[0],
                               facecolor="none", edgecolor=WINDOW_COLOR,
                               linewidth=2.5))
    return fig
