"""convlib.plot.network_diagram (chapter 8's architecture figure)."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from convlib import plot  # noqa: E402

STAGES = [("input", (1, 8, 8)), ("conv1", (8, 8, 8)), ("pool1", (8, 4, 4)),
          ("flatten", (64,)), ("linear", (10,))]


def _blocks(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def test_one_square_per_channel_up_to_depth_and_one_bar_per_vector():
    fig, ax = plt.subplots()
    plot.network_diagram(ax, STAGES, depth=4)
    # input 1 square, conv1 and pool1 4 each (8 channels, depth 4), 2 bars
    assert len(_blocks(ax)) == 1 + 4 + 4 + 2
    sides = sorted({round(p.get_height(), 6) for p in _blocks(ax)})
    assert sides == [10 / 8, 4, 8]          # the 10-bar, 4x4 and 8x8 maps
    plt.close(fig)


def test_labels_give_each_stage_and_its_shape():
    fig, ax = plt.subplots()
    plot.network_diagram(ax, STAGES)
    texts = [t.get_text() for t in ax.texts if t.get_text()]
    assert texts == ["input\n1 x 8 x 8", "conv1\n8 x 8 x 8",
                     "pool1\n8 x 4 x 4", "flatten\n64", "linear\n10"]
    arrows = [t for t in ax.texts
              if t.__class__.__name__ == "Annotation" and not t.get_text()]
    assert len(arrows) == len(STAGES) - 1   # one between each two blocks
    plt.close(fig)
