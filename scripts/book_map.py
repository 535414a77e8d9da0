"""Draw the map of the book for the intro page: book/book_map.svg.

The layers of a small CNN from input to class scores, and the chapter
that teaches each one::

    .venv/bin/python scripts/book_map.py          # write book/book_map.svg
    .venv/bin/python scripts/book_map.py --check  # exit 1 if it is stale

The SVG is deterministic (no date, fixed ids), so the check compares
bytes; tests/test_reading.py runs it. The figure follows the book's
figure rules (`convlib.plot.check_figure`) and palette; every box says
in words what it is, so no meaning rests on colour.
"""
import argparse
import io
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402

from convlib import palette, plot  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "book" / "book_map.svg"
R = palette.ROLES

# (x centre, label, chapters, fill): the main path, left to right
LAYERS = [
    (1.8, "convolution", "ch. 1; variants ch. 2;\ndilated ch. 4",
     R["kernel"]),
    (3.6, "activation", "ch. 7", R["out"]),
    (5.4, "pooling", "ch. 5", R["window"]),
    (7.2, "flatten,\nlinear", "ch. 6", R["hole"]),
]
Y, W, H = 2.3, 1.5, 0.75


def _box(ax, x, y, text, fill, dashed=False, width=W, height=H):
    ax.add_patch(FancyBboxPatch(
        (x - width / 2, y - height / 2), width, height,
        boxstyle="round,pad=0.04", facecolor=fill, edgecolor="black",
        linewidth=1.0, linestyle="--" if dashed else "-"))
    ax.text(x, y, text, ha="center", va="center", fontsize=10)


def _arrow(ax, start, end, **style):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>",
                                 mutation_scale=12, color="black",
                                 linewidth=1.0, **style))


def draw():
    """The map as a matplotlib Figure."""
    plot.use_book_style()
    fig, ax = plt.subplots(figsize=(6.8, 3.6))
    ax.text(0.35, Y, "image", ha="center", va="center", fontsize=10)
    ax.text(8.75, Y, "class\nscores", ha="center", va="center",
            fontsize=10)
    xs = [0.75] + [x for x, *_ in LAYERS] + [8.35]
    for (x, label, chapters, fill) in LAYERS:
        _box(ax, x, Y, label, fill)
        ax.text(x, Y - H / 2 - 0.12, chapters, ha="center", va="top",
                fontsize=9)
    for a, b in zip(xs, xs[1:]):
        left = a if a in (0.75,) else a + W / 2
        right = b if b in (8.35,) else b - W / 2
        _arrow(ax, (left + 0.03, Y), (right - 0.03, Y))
    # the block repeats; chapter 9's layers sit around it
    ax.annotate("", xy=(1.6, Y + H / 2 + 0.05),
                xytext=(5.6, Y + H / 2 + 0.05),
                arrowprops=dict(arrowstyle="-|>", color="black", lw=1.0,
                                connectionstyle="arc3,rad=0.3"))
    ax.text(3.6, Y + 1.25, "repeated block; ch. 9 adds normalisation,\n"
            "dropout and residual connections",
            ha="center", va="bottom", fontsize=9)
    # chapter 8 builds the whole network
    ax.plot([1.05, 1.05, 7.95, 7.95], [1.2, 1.1, 1.1, 1.2], color="black",
            lw=1.0)
    ax.text(4.5, 1.0, "ch. 8: the whole network, built and trained",
            ha="center", va="top", fontsize=9)
    # transposed convolution: the way back up, in decoders
    _box(ax, 4.5, 0.05, "transposed convolution, ch. 3: from small\n"
         "maps back up to image size (decoders)", "white", dashed=True,
         width=5.6, height=0.62)
    ax.set_xlim(-0.2, 9.3)
    ax.set_ylim(-0.35, 3.95)
    ax.axis("off")
    ax.set_title("The layers of a CNN and the chapters that teach them",
                 pad=14)
    problems = plot.check_figure(fig)
    if problems:
        raise ValueError("book_map: " + "; ".join(problems))
    return fig


def svg_bytes():
    """The map as SVG, byte for byte the same on every run."""
    with matplotlib.rc_context({"svg.hashsalt": "book-map",
                                "svg.fonttype": "path"}):
        fig = draw()
        out = io.BytesIO()
        fig.savefig(out, format="svg", bbox_inches="tight",
                    metadata={"Date": None, "Creator": None})
        plt.close(fig)
    return out.getvalue()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if book/book_map.svg is stale")
    args = parser.parse_args(argv)
    data = svg_bytes()
    if args.check:
        stale = not OUT.is_file() or OUT.read_bytes() != data
        if stale:
            print(f"{OUT} is stale: run python scripts/book_map.py",
                  file=sys.stderr)
        return int(stale)
    OUT.write_bytes(data)
    print(f"wrote {OUT} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
