"""Cases for 02_variants: parameter counts, grouped and separable
convolution, channel shuffle."""
from convlib import numpy as cnp
from convlib import shapes

from . import Case, Function, drawn, integer

# name, points (of 20; the cases share them), seconds per call
FUNCTIONS = (
    Function("conv2d_params", points=2, seconds=1),
    Function("depthwise_separable_params", points=2, seconds=1),
    Function("grouped_conv2d", points=7, seconds=3),
    Function("depthwise_separable_conv2d", points=5, seconds=3),
    Function("channel_shuffle", points=4, seconds=1),
)


def _count(layer):
    def reference(*args, **kwargs):
        names = ("in_channels", "out_channels", "kernel_size")
        return shapes.count_params(layer, **dict(zip(names, args)),
                                   **kwargs)
    return reference


def _draw_conv(rng):
    groups = [1, 2, 4, 8][integer(rng, 0, 3)]
    return (groups * integer(rng, 1, 16), groups * integer(rng, 1, 16),
            integer(rng, 1, 7), groups, bool(rng.integers(2)))


def _draw_separable(rng):
    return (integer(rng, 1, 128), integer(rng, 1, 256), integer(rng, 1, 7),
            bool(rng.integers(2)))


def _param_cases(rng, vary):
    conv = drawn([(3, 64, 3, 1, True), (64, 128, 3, 1, False),
                  (32, 64, 3, 4, True), (16, 16, 5, 16, False),
                  (8, 4, 1, 2, True)], rng, vary, _draw_conv)
    separable = drawn([(32, 64, 3, True), (128, 256, 3, False),
                       (3, 16, 5, True), (1, 1, 1, False)], rng, vary,
                      _draw_separable)
    return ([Case("conv2d_params", f"in={i}, out={o}, kernel_size={k}, "
                  f"groups={g}, bias={b}", (i, o, k),
                  dict(groups=g, bias=b), reference=_count("conv2d"))
             for i, o, k, g, b in conv]
            + [Case("depthwise_separable_params", f"in={i}, out={o}, "
                    f"kernel_size={k}, bias={b}", (i, o, k), dict(bias=b),
                    reference=_count("depthwise_separable_conv2d"))
               for i, o, k, b in separable])


def _grouped_cases(rng):
    settings = [((1, 4, 5, 5), (6, 2, 3, 3), 2),
                ((2, 6, 6, 4), (3, 2, 3, 1), 3),
                ((1, 3, 4, 4), (3, 3, 2, 2), 1),
                ((2, 4, 5, 5), (4, 1, 3, 3), 4)]
    return [Case("grouped_conv2d", f"input {xs}, weight {ws}, groups={g}",
                 (rng.standard_normal(xs), rng.standard_normal(ws), g),
                 reference=lambda x, w, g: cnp.conv2d(x, w, groups=g))
            for xs, ws, g in settings]


def _separable_reference(x, depthwise, pointwise):
    return cnp.conv2d(cnp.conv2d(x, depthwise, groups=x.shape[1]),
                      pointwise)


def _separable_cases(rng):
    settings = [((1, 2, 5, 5), 3, 4), ((2, 3, 6, 7), 3, 5),
                ((1, 4, 4, 4), 1, 2)]
    return [Case("depthwise_separable_conv2d",
                 f"input {xs}, depthwise ({xs[1]}, 1, {k}, {k}), "
                 f"pointwise ({o}, {xs[1]}, 1, 1)",
                 (rng.standard_normal(xs),
                  rng.standard_normal((xs[1], 1, k, k)),
                  rng.standard_normal((o, xs[1], 1, 1))),
                 reference=_separable_reference)
            for xs, k, o in settings]


def _shuffle_cases(rng):
    settings = [((1, 6, 1, 1), 2), ((2, 6, 2, 3), 3), ((1, 4, 2, 2), 1),
                ((1, 12, 2, 2), 4), ((1, 8, 1, 1), 8)]
    return [Case("channel_shuffle", f"input {xs}, groups={g}",
                 (rng.standard_normal(xs), g), reference=cnp.channel_shuffle)
            for xs, g in settings]


def cases(rng, vary=False):
    """Every case of this set, in FUNCTIONS order (`vary`: the fixed
    settings drawn anew from `rng` too)."""
    return (_param_cases(rng, vary) + _grouped_cases(rng)
            + _separable_cases(rng) + _shuffle_cases(rng))
