"""Cases for 04_dilated: effective kernel, dilated conv, receptive field,
holes (gridding) and choosing hole-free rates.

Hidden cases beyond the public ones: non-square kernels and inputs,
batches of one and single channels, dilations larger than the kernel,
exact ties and zeros and extreme rows, and more stacks and rates.
"""
import itertools
import numbers

from convlib import numpy as cnp
from convlib import shapes

from . import (Case, Function, integer, pair_like, redrawn, shape_like,
               values)

# name, points (of 20; the cases share them), seconds per call
FUNCTIONS = (
    Function("effective_kernel_size", points=2, seconds=1),
    Function("dilated_conv2d", points=6, seconds=3),
    Function("receptive_field_size", points=4, seconds=1),
    Function("has_holes", points=3, seconds=2),
    Function("widest_hole_free_rates", points=5, seconds=5),
)


def _effective(kernel_size, dilation):
    # the input span of one output: n - out + 1 for any large n
    n = 1000
    return n - shapes.conv_output_size(n, kernel_size=kernel_size,
                                       dilation=dilation) + 1


def _effective_cases(rng, vary):
    settings = redrawn([(3, 1, False), (3, 2, False), (3, 4, False),
                        (5, 3, False), (1, 7, False), (2, 5, False),
                        (4, 3, True), (7, 2, True), (2, 1, True),
                        (6, 6, True)], rng, vary,
                       lambda r, s: (integer(r, 1, 7), integer(r, 1, 8),
                                     s[2]))
    return [Case("effective_kernel_size", f"kernel_size={k}, dilation={d}",
                 (k, d), reference=_effective, hidden_only=hidden)
            for k, d, hidden in settings]


# (input shape, weight shape, dilation, kind of values, hidden only)
_CONV = [((1, 1, 7, 7), (1, 1, 3, 3), 2, "random", False),
         ((2, 3, 9, 8), (2, 3, 3, 2), 3, "extreme", False),
         ((1, 2, 6, 7), (3, 2, 2, 2), 4, "zeros", False),
         ((1, 2, 5, 5), (2, 2, 3, 3), 1, "ties", False),
         ((2, 1, 8, 10), (1, 1, 2, 3), 2, "random", True),
         ((1, 2, 9, 7), (2, 2, 1, 3), 3, "extreme", True),
         ((3, 2, 7, 9), (2, 2, 3, 1), 2, "zeros", True),
         ((1, 1, 10, 6), (2, 1, 2, 2), 5, "random", True)]


def _draw_conv(rng, setting):
    xs, ws, d, kind, hidden = setting
    kh, kw = pair_like(rng, ws[2:], 1, 3)
    d = d if d == 1 else integer(rng, 2, 5)
    xs = shape_like(rng, xs, 12)
    c_out = 1 if ws[0] == 1 else integer(rng, 2, 3)
    return xs, (c_out, xs[1], kh, kw), d, kind, hidden


def _conv_fits(setting, new):
    xs, ws, d = new[:3]
    return all(n >= d * (k - 1) + 1 for n, k in zip(xs[2:], ws[2:]))


def _conv_cases(rng, vary):
    settings = redrawn(_CONV, rng, vary, _draw_conv, _conv_fits)
    return [Case("dilated_conv2d", f"input {xs} ({kind}), weight {ws}, "
                 f"dilation={d}",
                 (values(rng, xs, kind), values(rng, ws), d),
                 reference=lambda x, w, d: cnp.conv2d(x, w, dilation=d),
                 hidden_only=hidden)
            for xs, ws, d, kind, hidden in settings]


def _rf(layers):
    return shapes.receptive_field(
        [dict(kernel_size=k, stride=s, dilation=d) for k, s, d in layers]
    ).size


def _draw_stack(rng):
    return [(integer(rng, 1, 7), integer(rng, 1, 3), integer(rng, 1, 4))
            for _ in range(integer(rng, 1, 4))]


def _draw_rates(rng):
    rates = [integer(rng, 1, 8) for _ in range(integer(rng, 1, 4))]
    return rates, [1, 2, 3, 5][integer(rng, 0, 3)]


def _rf_cases(rng, vary):
    stacks = redrawn([
        ([(3, 1, 1)], False), ([(3, 1, 1), (3, 1, 1)], False),
        ([(3, 1, 1), (3, 1, 2), (3, 1, 4)], False),
        ([(7, 2, 1), (3, 2, 1)], False),
        ([(3, 2, 1), (2, 2, 1), (3, 1, 2), (3, 1, 3)], False),
        ([(5, 1, 3), (1, 1, 1)], False),
        ([(3, 1, 2), (3, 2, 1), (3, 1, 1)], True),
        ([(2, 3, 1), (3, 1, 4)], True), ([(1, 2, 1), (5, 1, 1)], True),
        ([(3, 2, 2), (3, 2, 2), (3, 2, 2)], True)],
        rng, vary, lambda r, s: (_draw_stack(r), s[1]))
    return [Case("receptive_field_size", f"layers={s}", (s,), reference=_rf,
                 hidden_only=hidden)
            for s, hidden in stacks]


def _holes(rates, kernel_size):
    return shapes.coverage(rates, kernel_size).has_holes


def _hole_cases(rng, vary):
    # (rates, kernel_size, hidden only); under --seed each drawn with the
    # same answer, so holes and no holes stay as many
    rates = redrawn([([1, 2, 5], 3, False), ([2, 2, 2], 3, False),
                     ([1, 2, 3], 3, False), ([2, 4, 8], 3, False),
                     ([1, 3], 3, False), ([1, 4], 3, False),
                     ([3], 1, False), ([2], 3, False),
                     ([1, 5, 9], 3, False), ([1, 2, 9], 5, False),
                     ([1, 3, 4], 3, True), ([2, 3], 3, True),
                     ([1, 1, 6], 5, True), ([1, 2, 4, 8], 2, True),
                     ([1, 6, 9], 3, True)], rng, vary,
                    lambda r, s: _draw_rates(r) + (s[2],),
                    lambda s, new: _holes(*s[:2]) == _holes(*new[:2]))
    return [Case("has_holes", f"rates={r}, kernel_size={k}", (r, k),
                 reference=_holes, hidden_only=hidden)
            for r, k, hidden in rates]


def _span(rates, k):
    return 1 + (k - 1) * sum(rates)


def _rates_validator(n_layers, kernel_size, max_rate):
    best = max(_span(r, kernel_size) for r in itertools.product(
        range(1, max_rate + 1), repeat=n_layers)
        if not shapes.coverage(list(r), kernel_size).has_holes)

    def validate(got):
        if not isinstance(got, (tuple, list)) or len(got) != n_layers:
            return f"expected a tuple of {n_layers} rates, got {got!r}"
        if not all(isinstance(r, numbers.Integral) and 1 <= r <= max_rate
                   for r in got):
            return f"every rate must be an int from 1 to {max_rate}: {got!r}"
        got = [int(r) for r in got]
        if shapes.coverage(got, kernel_size).has_holes:
            return f"rates {tuple(got)} leave holes"
        if _span(got, kernel_size) != best:
            return (f"rates {tuple(got)} have no holes but a receptive "
                    f"field of {_span(got, kernel_size)}; {best} is "
                    "possible")
        return None
    return validate


def _rates_cases(rng, vary):
    settings = redrawn([(2, 3, 4, False), (3, 3, 5, False),
                        (2, 2, 5, False), (3, 3, 9, True), (2, 5, 6, True),
                        (4, 3, 4, True), (3, 2, 4, True)], rng, vary,
                       lambda r, s: (integer(r, 2, 3),
                                     [2, 3, 5][integer(r, 0, 2)],
                                     integer(r, 3, 7), s[3]))
    return [Case("widest_hole_free_rates", f"n_layers={n}, kernel_size={k}"
                 f", max_rate={m}", (n, k, m),
                 validate=_rates_validator(n, k, m), hidden_only=hidden)
            for n, k, m, hidden in settings]


def cases(rng, vary=False):
    """Every case of this set, in FUNCTIONS order (`vary`: the fixed
    settings drawn anew from `rng` too)."""
    effective = _effective_cases(rng, vary)
    conv = _conv_cases(rng, vary)
    return (effective + conv + _rf_cases(rng, vary)
            + _hole_cases(rng, vary) + _rates_cases(rng, vary))
