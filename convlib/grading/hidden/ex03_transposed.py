"""Cases for 03_transposed: output size, transposed conv, max unpooling."""
from convlib import numpy as cnp
from convlib import shapes

from . import Case, Function, computable, drawn, integer

# name, points (of 20; the cases share them), seconds per call
FUNCTIONS = (
    Function("conv_transpose_output_size", points=3, seconds=1),
    Function("conv_transpose2d", points=10, seconds=3),
    Function("max_unpool2d", points=7, seconds=2),
)


def _size(n, k, s, p, o):
    return shapes.conv_transpose_output_size(
        n, kernel_size=k, stride=s, padding=p, output_padding=o)


def _draw_size(rng):
    stride = integer(rng, 1, 4)
    return (integer(rng, 1, 32), integer(rng, 1, 6), stride,
            integer(rng, 0, 3), integer(rng, 0, stride - 1))


def _size_cases(rng, vary):
    settings = drawn([(4, 3, 1, 0, 0), (4, 4, 2, 1, 0), (7, 3, 2, 1, 1),
                      (1, 5, 3, 0, 2), (16, 2, 2, 0, 0), (5, 3, 3, 1, 0)],
                     rng, vary, _draw_size, computable(_size))
    return [Case("conv_transpose_output_size",
                 f"n={n}, kernel_size={k}, stride={s}, padding={p}, "
                 f"output_padding={o}", (n, k),
                 dict(stride=s, padding=p, output_padding=o),
                 reference=lambda n, k, **kw:
                 shapes.conv_transpose_output_size(n, kernel_size=k, **kw))
            for n, k, s, p, o in settings]


def _transpose_cases(rng):
    settings = [((1, 1, 2, 2), (1, 1, 2, 2), 1, 0),
                ((1, 2, 3, 3), (2, 3, 3, 3), 2, 0),
                ((2, 3, 4, 3), (3, 2, 4, 4), 2, 1),
                ((1, 2, 2, 3), (2, 1, 3, 2), 3, 1),
                ((2, 2, 5, 5), (2, 4, 3, 3), 2, 2)]
    return [Case("conv_transpose2d", f"input {xs}, weight {ws}, "
                 f"stride={s}, padding={p}",
                 (rng.standard_normal(xs), rng.standard_normal(ws)),
                 dict(stride=s, padding=p), reference=cnp.conv_transpose2d,
                 hidden_only=i == 4)
            for i, (xs, ws, s, p) in enumerate(settings)]


def _unpool_cases(rng):
    settings = [((1, 1, 4, 4), 2, 2), ((2, 3, 6, 6), 2, 2),
                ((1, 2, 7, 7), 3, 2), ((1, 1, 5, 6), 3, 3)]
    result = []
    for xs, k, s in settings:
        pooled, indices = cnp.max_pool2d(rng.standard_normal(xs), k,
                                         stride=s, return_indices=True)
        result.append(Case(
            "max_unpool2d", f"pooled {pooled.shape} from input {xs}, "
            f"kernel_size={k}, stride={s}", (pooled, indices, k),
            dict(stride=s), reference=cnp.max_unpool2d))
    return result


def cases(rng, vary=False):
    """Every case of this set, in FUNCTIONS order (`vary`: the fixed
    settings drawn anew from `rng` too)."""
    sizes = _size_cases(rng, vary)
    return sizes + _transpose_cases(rng) + _unpool_cases(rng)
