"""Cases for 02_variants: parameter counts, grouped and separable
convolution, channel shuffle.

Hidden cases beyond the public ones: other channel counts and groups
(with and without bias), non-square kernels and inputs, batches of
one, single channels per group, exact ties and zeros and extreme rows.
"""
from convlib import numpy as cnp
from convlib import shapes

from . import (Case, Function, integer, like, pair_like, redrawn,
               shape_like, values)

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


def _draw_conv(rng, setting):
    """Like `setting`: grouped iff it was, the same bias flag."""
    i, o, k, g, b, hidden = setting
    groups = 1 if g == 1 else [2, 3, 4, 8][integer(rng, 0, 3)]
    return (groups * integer(rng, 1, 16), groups * integer(rng, 1, 16),
            integer(rng, 1, 7), groups, b, hidden)


def _draw_separable(rng, setting):
    i, o, k, b, hidden = setting
    return (like(rng, i, 2, 128), like(rng, o, 2, 256),
            like(rng, k, 2, 7), b, hidden)


def _param_cases(rng, vary):
    conv = redrawn([(3, 64, 3, 1, True, False), (64, 128, 3, 1, False, False),
                    (32, 64, 3, 4, True, False), (16, 16, 5, 16, False, False),
                    (8, 4, 1, 2, True, False), (12, 6, 3, 3, True, True),
                    (6, 9, 5, 3, False, True), (1, 5, 7, 1, True, True)],
                   rng, vary, _draw_conv)
    separable = redrawn([(32, 64, 3, True, False),
                         (128, 256, 3, False, False),
                         (3, 16, 5, True, False), (1, 1, 1, False, False),
                         (7, 5, 3, True, True), (16, 1, 7, True, True)],
                        rng, vary, _draw_separable)
    return ([Case("conv2d_params", f"in={i}, out={o}, kernel_size={k}, "
                  f"groups={g}, bias={b}", (i, o, k),
                  dict(groups=g, bias=b), reference=_count("conv2d"),
                  hidden_only=hidden)
             for i, o, k, g, b, hidden in conv]
            + [Case("depthwise_separable_params", f"in={i}, out={o}, "
                    f"kernel_size={k}, bias={b}", (i, o, k), dict(bias=b),
                    reference=_count("depthwise_separable_conv2d"),
                    hidden_only=hidden)
               for i, o, k, b, hidden in separable])


# (input shape, weight shape, groups, kind of values, hidden only)
_GROUPED = [((1, 4, 5, 5), (6, 2, 3, 3), 2, "random", False),
            ((2, 6, 6, 4), (3, 2, 3, 1), 3, "extreme", False),
            ((1, 3, 4, 4), (3, 3, 2, 2), 1, "ties", False),
            ((2, 4, 5, 6), (4, 1, 2, 3), 4, "zeros", False),
            ((1, 6, 7, 5), (9, 2, 1, 3), 3, "random", True),
            ((3, 4, 4, 6), (2, 2, 3, 2), 2, "extreme", True),
            ((1, 2, 6, 6), (2, 1, 3, 3), 2, "ties", True)]


def _draw_grouped(rng, setting):
    xs, ws, g, kind, hidden = setting
    groups = 1 if g == 1 else integer(rng, 2, 4)
    per_group = 1 if ws[1] == 1 else integer(rng, 2, 3)
    xs = shape_like(rng, xs, 9)
    xs = (xs[0], groups * per_group) + xs[2:]
    kh, kw = pair_like(rng, ws[2:], 1, 3)
    c_out = groups * integer(rng, 1, 3)
    return xs, (c_out, per_group, kh, kw), groups, kind, hidden


def _grouped_fits(setting, new):
    xs, ws = new[:2]
    return xs[2] >= ws[2] and xs[3] >= ws[3]


def _grouped_cases(rng, vary):
    settings = redrawn(_GROUPED, rng, vary, _draw_grouped, _grouped_fits)
    return [Case("grouped_conv2d", f"input {xs} ({kind}), weight {ws}, "
                 f"groups={g}",
                 (values(rng, xs, kind), values(rng, ws), g),
                 reference=lambda x, w, g: cnp.conv2d(x, w, groups=g),
                 hidden_only=hidden)
            for xs, ws, g, kind, hidden in settings]


def _separable_reference(x, depthwise, pointwise):
    return cnp.conv2d(cnp.conv2d(x, depthwise, groups=x.shape[1]),
                      pointwise)


# (input shape, k, C_out, kind of values, hidden only)
_SEPARABLE = [((1, 2, 5, 5), 3, 4, "ties", False),
              ((2, 3, 6, 7), 3, 5, "zeros", False),
              ((1, 4, 4, 4), 1, 2, "extreme", False),
              ((2, 3, 7, 5), 2, 3, "ties", True),
              ((1, 1, 6, 8), 3, 1, "extreme", True),
              ((3, 2, 5, 9), 4, 2, "random", False)]


def _draw_separable_conv(rng, setting):
    xs, k, o, kind, hidden = setting
    return (shape_like(rng, xs, 9), like(rng, k, 2, 4), like(rng, o, 2, 5),
            kind, hidden)


def _separable_cases(rng, vary):
    settings = redrawn(_SEPARABLE, rng, vary, _draw_separable_conv,
                       lambda s, new: min(new[0][2:]) >= new[1])
    return [Case("depthwise_separable_conv2d",
                 f"input {xs} ({kind}), depthwise ({xs[1]}, 1, {k}, {k}), "
                 f"pointwise ({o}, {xs[1]}, 1, 1)",
                 (values(rng, xs, kind),
                  values(rng, (xs[1], 1, k, k)),
                  values(rng, (o, xs[1], 1, 1))),
                 reference=_separable_reference, hidden_only=hidden)
            for xs, k, o, kind, hidden in settings]


# (input shape, groups, hidden only); C = groups * per group
_SHUFFLE = [((1, 6, 1, 1), 2, False), ((2, 6, 2, 3), 3, False),
            ((1, 4, 2, 2), 1, False), ((1, 12, 2, 2), 4, False),
            ((1, 8, 1, 1), 8, False), ((2, 9, 1, 2), 3, True),
            ((3, 10, 2, 1), 2, True), ((1, 15, 1, 1), 5, True)]


def _draw_shuffle(rng, setting):
    xs, g, hidden = setting
    per_group = xs[1] // g
    groups = like(rng, g, 2, 5)
    per = per_group if per_group == 1 else (
        groups if per_group == g else integer(rng, 2, 5))
    return ((like(rng, xs[0], 2, 3), groups * per, integer(rng, 1, 3),
             integer(rng, 1, 3)), groups, hidden)


def _shuffle_cases(rng, vary):
    return [Case("channel_shuffle", f"input {xs}, groups={g}",
                 (values(rng, xs), g), reference=cnp.channel_shuffle,
                 hidden_only=hidden)
            for xs, g, hidden in redrawn(_SHUFFLE, rng, vary, _draw_shuffle)]


def cases(rng, vary=False):
    """Every case of this set, in FUNCTIONS order (`vary`: the settings
    drawn anew from `rng` too, each keeping what it tests)."""
    return (_param_cases(rng, vary) + _grouped_cases(rng, vary)
            + _separable_cases(rng, vary) + _shuffle_cases(rng, vary))
