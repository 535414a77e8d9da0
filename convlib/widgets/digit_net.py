"""Chapter 8 demo: the trained digit network, running live in the page.

The reader draws a digit on an 8 x 8 grid (or picks one of the test
set) and sees every layer of chapter 8's network answer: the input as
the network gets it, each convolution's maps after ReLU, the pooled
maps and the ten class probabilities. `digit_net_forward` is its Python
twin: every layer of one image, computed with `convlib.numpy`. The
JavaScript (digit_net.js, with the kit's network part kit_nn.js)
computes the same in the browser from the weights in the demo's config;
tests/test_widgets_digit_net.py holds the two equal.

The network: conv (k x k, padding k // 2) -> ReLU -> 2 x 2 max pool ->
conv -> ReLU -> 2 x 2 max pool -> flatten -> linear, on 8 x 8 images
whose pixels are counts 0..16 divided by 16 (as `convlib.data.digits`
gives them).
"""
from collections import OrderedDict, namedtuple
from collections.abc import Mapping

import numpy as np

from .. import numpy as cnp
from .._args import check_array, describe
from ._demo import Demo

SIDE = 8          # the grid: 8 x 8 pixels
LEVELS = 16       # a pixel counts 0..16 on-pixels; the network sees /16
WEIGHT_NAMES = ("conv1_weight", "conv1_bias", "conv2_weight",
                "conv2_bias", "linear_weight", "linear_bias")
PENS = (16, 8, 0)  # the pen's levels: full, half, eraser
FIRST_DIGITS = 12  # test digits the picker offers, besides the misread

DigitLayers = namedtuple("DigitLayers", "input conv1 relu1 pool1 conv2 "
                         "relu2 pool2 scores probabilities")
DigitLayers.__doc__ = """Every layer of the digit network for a batch.

input : (N, 1, 8, 8), pixels in [0, 1] (counts / 16)
conv1, relu1 : (N, C1, 8, 8), the first convolution, before and after
    ReLU
pool1 : (N, C1, 4, 4)
conv2, relu2 : (N, C2, 4, 4)
pool2 : (N, C2, 2, 2)
scores : (N, classes), the linear layer's output
probabilities : (N, classes), softmax of the scores
"""


def _array(value, name, fn):
    """A weight as a float64 array (a torch tensor too, without torch)."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    return check_array(value, name, fn).astype(np.float64)


def digit_net_weights(weights):
    """The six weight arrays of the digit network, checked.

    Parameters
    ----------
    weights : mapping or sequence of 6 arrays
        conv1's weight (C1, 1, k, k) and bias (C1,), conv2's weight
        (C2, C1, k, k) and bias (C2,), the linear layer's weight
        (classes, C2 * 2 * 2) and bias (classes,), in that order: a list,
        or a mapping whose values come in that order, such as
        ``net.state_dict()`` of chapter 8's ``nn.Sequential``. NumPy
        arrays or torch tensors; k odd.

    Returns
    -------
    OrderedDict
        `WEIGHT_NAMES` -> float64 arrays.

    Raises
    ------
    TypeError, ValueError
        Naming the weight and the shape expected.
    """
    fn = "digit_net_weights"
    values = list(weights.values()) if isinstance(weights, Mapping) \
        else weights
    if not isinstance(values, (list, tuple)) or len(values) != 6:
        raise TypeError(f"{fn}: weights must be 6 arrays (a list or a "
                        f"mapping such as net.state_dict()), got "
                        f"{describe(weights)}")
    w = OrderedDict((name, _array(v, name, fn))
                    for name, v in zip(WEIGHT_NAMES, values))
    c1, c2 = len(w["conv1_weight"]), len(w["conv2_weight"])
    k = w["conv1_weight"].shape[-1]
    classes = len(w["linear_weight"])
    expected = {"conv1_weight": (c1, 1, k, k), "conv1_bias": (c1,),
                "conv2_weight": (c2, c1, k, k), "conv2_bias": (c2,),
                "linear_weight": (classes, c2 * 4), "linear_bias": (classes,)}
    for name, shape in expected.items():
        if w[name].shape != shape:
            raise ValueError(f"{fn}: {name} must have shape {shape} (conv1 "
                             f"{c1} channels, conv2 {c2}, kernel {k}, "
                             f"{classes} classes), got {w[name].shape}")
    if k % 2 == 0:
        raise ValueError(f"{fn}: the kernels must have an odd size (padding "
                         f"k // 2 keeps 8 x 8), got {k}")
    return w


def digit_net_forward(weights, images):
    """Every layer of the digit network, computed with `convlib.numpy`.

    Parameters
    ----------
    weights : as for `digit_net_weights`
    images : array, shape (8, 8), (1, 8, 8) or (N, 1, 8, 8)
        Pixels in [0, 1], as `convlib.data.digits` gives them.

    Returns
    -------
    DigitLayers
        Every layer, with a batch axis of N (1 for one image), float64.
    """
    fn = "digit_net_forward"
    w = digit_net_weights(weights)
    x = check_array(images, "images", fn, ndims=(2, 3, 4))
    x = x.astype(np.float64).reshape((-1, 1) + x.shape[-2:])
    if x.shape[1:] != (1, SIDE, SIDE) or (np.ndim(images) == 4
                                         and np.shape(images)[1] != 1):
        raise ValueError(f"{fn}: images must be 8 x 8 (one channel), got "
                         f"shape {np.shape(images)}")
    pad = w["conv1_weight"].shape[-1] // 2
    conv1 = cnp.conv2d(x, w["conv1_weight"], w["conv1_bias"], padding=pad)
    relu1 = cnp.relu(conv1)
    pool1 = cnp.max_pool2d(relu1, 2)
    conv2 = cnp.conv2d(pool1, w["conv2_weight"], w["conv2_bias"],
                       padding=pad)
    relu2 = cnp.relu(conv2)
    pool2 = cnp.max_pool2d(relu2, 2)
    scores = cnp.linear(pool2.reshape(len(x), -1), w["linear_weight"],
                        w["linear_bias"])
    return DigitLayers(x, conv1, relu1, pool1, conv2, relu2, pool2, scores,
                       cnp.softmax(scores, dim=1))


def random_weights(seed=0, channels=(8, 16), kernel_size=3, classes=10):
    """Untrained weights of the digit network (for tests and benchmarks).

    Each weight and bias uniform in +-1/sqrt(fan_in), as torch's Conv2d
    and Linear start.

    Returns
    -------
    OrderedDict
        As `digit_net_weights`.
    """
    rng = np.random.default_rng(seed)
    c1, c2 = channels
    k = kernel_size
    shapes = [((c1, 1, k, k), k * k), ((c1,), k * k),
              ((c2, c1, k, k), c1 * k * k), ((c2,), c1 * k * k),
              ((classes, c2 * 4), c2 * 4), ((classes,), c2 * 4)]
    return digit_net_weights([rng.uniform(-1, 1, shape) / np.sqrt(fan_in)
                              for shape, fan_in in shapes])


def pixel_levels(images, fn="digit_net"):
    """Images in [0, 1] as integer counts 0..16 (times 16, exactly)."""
    x = check_array(images, "images", fn).astype(np.float64)
    x = x.reshape((-1,) + x.shape[-2:])
    levels = np.rint(x * LEVELS)
    if (x.shape[1:] != (SIDE, SIDE) or np.abs(levels - x * LEVELS).max()
            > 1e-6 or levels.min() < 0 or levels.max() > LEVELS):
        raise ValueError(f"{fn}: images must be 8 x 8 with pixels k/16 for "
                         f"k = 0..16 (convlib.data.digits' scaling), got "
                         f"shape {np.shape(images)}")
    return levels.astype(int)


def _picks(weights, images, labels, first):
    """The test digits the picker offers: the first `first` and every
    one the network gets wrong, in order."""
    predicted = digit_net_forward(weights, images).scores.argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    return sorted(set(range(min(first, len(labels)))) | set(wrong.tolist()))


class DigitNet(Demo):
    """The live digit network (see `digit_net`)."""

    name, script = "digit-net", "digit_net.js"
    namespace = "convlibDigitNet"
    kit_parts = ("kit_nn.js",)
    _esm = Demo.module_for(script, namespace, name, kit_parts)

    def __repr__(self):
        c = self.config
        count = sum(np.size(v) for v in c["weights"].values())
        return (f"DigitNet(weights={count}, digits={len(c['digits'])}, "
                f"start={c['start']})")


def digit_net(weights, images, labels, picks=None, start=0):
    """A trained digit network running in the page: draw, watch it answer.

    The browser computes what `digit_net_forward` computes, from the
    weights in the config, each time the drawing changes (no kernel): the
    input as the network sees it, every feature map, the pooled maps and
    the probabilities. Pointing at a unit (or choosing it with the arrow
    keys) shows the window of the layer below it was computed from.

    Parameters
    ----------
    weights : as for `digit_net_weights`
        The trained network's (e.g. ``net.state_dict()``): a network
        trained again gives a demo with its new weights.
    images : array, shape (N, 1, 8, 8)
        Test images in [0, 1] (`convlib.data.digits`'s ``x_test``).
    labels : array of int, shape (N,)
    picks : sequence of int or None
        Indices of the images the picker offers; None: the first 12 and
        every image the network misclassifies.
    start : int
        Position in `picks` of the image shown first.

    Returns
    -------
    DigitNet
        ``config``: the weights (nested lists), the offered images as
        counts 0..16 with their index and label, the levels (16), the
        padding, the first image and, under ``controls``, the pen's
        levels.
    """
    fn = "digit_net"
    w = digit_net_weights(weights)
    levels = pixel_levels(images, fn)
    labels = check_array(labels, "labels", fn).astype(int).ravel()
    if len(labels) != len(levels):
        raise ValueError(f"{fn}: labels must have one label per image "
                         f"({len(levels)}), got {len(labels)}")
    if picks is None:
        picks = _picks(w, levels / LEVELS, labels, FIRST_DIGITS)
    if not picks or not all(0 <= i < len(labels) for i in picks):
        raise ValueError(f"{fn}: picks must be indices of images, 0 to "
                         f"{len(labels) - 1}, got {describe(picks)}")
    if not 0 <= start < len(picks):
        raise ValueError(f"{fn}: start must be 0 to {len(picks) - 1}, got "
                         f"{start!r}")
    digits = [{"index": int(i), "label": int(labels[i]),
               "levels": levels[i].tolist()} for i in picks]
    config = {"weights": {name: array.tolist() for name, array in
                          w.items()},
              "padding": w["conv1_weight"].shape[-1] // 2,
              "levels": LEVELS, "digits": digits, "start": int(start),
              "controls": {"pens": list(PENS)}}
    return DigitNet(config=config)
