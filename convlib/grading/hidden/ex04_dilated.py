"""Cases for 04_dilated: effective kernel, dilated conv, receptive field,
holes (gridding) and choosing hole-free rates."""
import itertools
import numbers

from convlib import numpy as cnp
from convlib import shapes

from . import Case, Function, drawn, integer

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
    settings = drawn([(3, 1), (3, 2), (3, 4), (5, 3), (1, 7), (2, 5)], rng,
                     vary, lambda r: (integer(r, 1, 7), integer(r, 1, 8)))
    return [Case("effective_kernel_size", f"kernel_size={k}, dilation={d}",
                 (k, d), reference=_effective) for k, d in settings]


def _conv_cases(rng):
    settings = [((1, 1, 7, 7), (1, 1, 3, 3), 2),
                ((2, 3, 9, 8), (2, 3, 3, 3), 3),
                ((1, 2, 6, 6), (3, 2, 2, 2), 4),
                ((1, 2, 5, 5), (2, 2, 3, 3), 1)]
    return [Case("dilated_conv2d", f"input {xs}, weight {ws}, dilation={d}",
                 (rng.standard_normal(xs), rng.standard_normal(ws), d),
                 reference=lambda x, w, d: cnp.conv2d(x, w, dilation=d))
            for xs, ws, d in settings]


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
    stacks = drawn([[(3, 1, 1)], [(3, 1, 1), (3, 1, 1)],
                    [(3, 1, 1), (3, 1, 2), (3, 1, 4)], [(7, 2, 1), (3, 2, 1)],
                    [(3, 2, 1), (2, 2, 1), (3, 1, 2), (3, 1, 3)],
                    [(5, 1, 3), (1, 1, 1)]], rng, vary, _draw_stack)
    return [Case("receptive_field_size", f"layers={s}", (s,), reference=_rf)
            for s in stacks]


def _hole_cases(rng, vary):
    rates = drawn([([1, 2, 5], 3), ([2, 2, 2], 3), ([1, 2, 3], 3),
                   ([2, 4, 8], 3), ([1, 3], 3), ([1, 4], 3), ([3], 1),
                   ([2], 3), ([1, 5, 9], 3), ([1, 2, 9], 5)], rng, vary,
                  _draw_rates)
    return [Case("has_holes", f"rates={r}, kernel_size={k}", (r, k),
                 reference=lambda r, k: shapes.coverage(r, k).has_holes)
            for r, k in rates]


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
    settings = drawn([(2, 3, 4), (3, 3, 5), (3, 3, 9), (2, 5, 6),
                      (4, 3, 4)], rng, vary, lambda r: (
                          integer(r, 2, 3), [3, 5][integer(r, 0, 1)],
                          integer(r, 3, 7)))
    return [Case("widest_hole_free_rates", f"n_layers={n}, kernel_size={k}"
                 f", max_rate={m}", (n, k, m),
                 validate=_rates_validator(n, k, m))
            for n, k, m in settings]


def cases(rng, vary=False):
    """Every case of this set, in FUNCTIONS order (`vary`: the fixed
    settings drawn anew from `rng` too)."""
    effective = _effective_cases(rng, vary)
    conv = _conv_cases(rng)
    return (effective + conv + _rf_cases(rng, vary)
            + _hole_cases(rng, vary) + _rates_cases(rng, vary))
