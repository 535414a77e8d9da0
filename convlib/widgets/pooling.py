"""Chapter 5 demo: the pooling explorer.

`pool_report` computes, with convlib, everything the explorer shows for
one setting of max or average pooling on a small square input: the
output size with the formula's numbers put in (and torch's ceil_mode
rule), where every window starts, the output values, the index of each
maximum, the divisor of each average, or why the setting is invalid.
Sizes, window starts, divisors and validity come from convlib
(`_rules`: `convlib.shapes.pool_output_size` and `convlib._args`), the
words from the demos' string table. The explorer's JavaScript
(`pooling_explorer.js`) computes the same with the kit's rules in the
browser; the tests hold the two equal over the whole grid of the
explorer's controls.
"""
from collections import namedtuple

import numpy as np

from .. import _args
from .. import numpy as cnp
from .._args import check_array
from . import _rules
from ._demo import Demo, plain_lists as _plain
from ._strings import text

PoolReport = namedtuple(
    "PoolReport", "size starts output indices divisors formula reason")
PoolReport.__doc__ = """One setting of the pooling explorer, worked out.

size : int or None, output side (None when the setting is invalid)
starts : list of int, first input row (and column) of each window;
    negative in the padding
output : ndarray (size, size) or None, the pooled values (convlib)
indices : ndarray of int (size, size) or None, max pooling only: flat
    index of each maximum in the input (``return_indices``)
divisors : ndarray of int (size, size) or None, average pooling only:
    what each window sum is divided by
formula : str, the output-size formula with the numbers put in
reason : str, why the setting is invalid ('' when it is valid)
"""

KINDS = ("max", "avg")
POOL_INPUT = [[3, 4, 5, 6, 1, 0, 2],
              [2, 4, 5, 6, 3, 8, 1],
              [1, 6, 5, 7, 2, 2, 4],
              [6, 7, 9, 5, 0, 1, 3],
              [2, 0, 1, 3, 7, 5, 6],
              [4, 8, 2, 1, 6, 9, 2],
              [5, 3, 0, 4, 2, 1, 8]]

# The controls' bounds (the explorer's config carries them) and the
# sides of the inputs it takes.
EXPLORER_BOUNDS = dict(k=(1, 4), s=(1, 4), p=(0, 2), d=(1, 3))
INPUT_SIDES = (1, 9)
# The sentence of each rule that can refuse a setting ("span_ceil":
# "span" in ceil mode).
_REASONS = {"int": "arg.int", "min": "arg.min", "half_pad": "pool.half_pad",
            "span": "pool.span", "span_ceil": "pool.span_ceil"}


def _working(kind, n, k, s, p, d, ceil_mode):
    """(size or None, formula, reason) of one axis, from `_rules.pool`."""
    out = _rules.pool(n, k, s, p, d, ceil_mode)
    words = dict(out.facts, n=n, k=k, s=s, p=p, d=d, s1=s - 1,
                 size=out.size)
    if out.rule in ("int", "min"):
        return None, "", text(_REASONS[out.rule], **words)
    if kind == "avg" and d != 1:  # F.avg_pool2d takes no dilation
        return None, "", text("pool.avg_dilation", **words)
    if out.rule == "half_pad":
        return None, "", text("pool.half_pad", **words)
    formula = text("pool.formula_ceil" if ceil_mode
                   else "pool.formula_floor", **words)
    if out.rule:
        return None, formula, text(
            _REASONS["span_ceil" if ceil_mode else "span"], **words)
    if ceil_mode:
        kept = out.size == out.facts["raw"]
        formula = text("pool.kept" if kept else "pool.dropped",
                       formula=formula, **words)
    return out.size, formula, ""


def pool_report(kind, input, kernel_size, stride=None, padding=0,
                dilation=1, ceil_mode=False, count_include_pad=True):
    """Everything the pooling explorer shows for one setting.

    Parameters
    ----------
    kind : {'max', 'avg'}
    input : array_like, shape (n, n)
        A square input; the settings apply to both axes.
    kernel_size, padding, dilation : int
    stride : int or None
        None means the kernel size, torch's default.
    ceil_mode, count_include_pad : bool
        As in ``torch.nn.functional``; `count_include_pad` only
        matters for average pooling.

    Returns
    -------
    PoolReport
        ``output`` is ``convlib.numpy.max_pool2d`` (``indices`` its
        ``return_indices``) or ``convlib.numpy.avg_pool2d`` for these
        settings, ``size`` is ``convlib.shapes.pool_output_size``; all
        None, with ``reason`` saying why, for a setting torch refuses.

    Raises
    ------
    ValueError
        If `kind` is unknown or `input` is not a square 2-D array.
    """
    fn = "pool_report"
    if kind not in KINDS:
        raise ValueError(f"{fn}: kind must be 'max' or 'avg', got {kind!r}")
    x = check_array(input, "input", fn, ndims=(2,))
    if x.shape[0] != x.shape[1]:
        raise ValueError(f"{fn}: input must be square, got shape "
                         f"{x.shape}")
    n, k, p, d = x.shape[0], kernel_size, padding, dilation
    s = k if stride is None else stride
    size, formula, reason = _working(kind, n, k, s, p, d, bool(ceil_mode))
    if size is None:
        return PoolReport(None, [], None, None, None, formula, reason)
    args = dict(kernel_size=k, stride=s, padding=p, ceil_mode=ceil_mode)
    starts = _rules.starts(size, s, p)
    if kind == "max":
        out, idx = cnp.max_pool2d(x[None, None], dilation=d,
                                  return_indices=True, **args)
        return PoolReport(size, starts, out[0, 0], idx[0, 0], None,
                          formula, "")
    out = cnp.avg_pool2d(x[None, None], count_include_pad=count_include_pad,
                         **args)
    per_axis = _rules.window_counts(n, size, k, s, p, count_include_pad)
    return PoolReport(size, starts, out[0, 0], None,
                      np.outer(per_axis, per_axis), formula, "")


class PoolingExplorer(Demo):
    """Pooling explorer (see `pooling_explorer`)."""

    name, script = "pooling-explorer", "pooling_explorer.js"
    namespace = "convlibPoolingExplorer"
    _esm = Demo.module_for(script, namespace, name)


def pooling_explorer(input=None, kind="max", kernel_size=2, stride=None,
                     padding=0, dilation=1, ceil_mode=False,
                     count_include_pad=True):
    """Pooling explorer over a small square input (default `POOL_INPUT`).

    Controls: kind (max / avg), kernel size 1-4, stride (the kernel size,
    or 1-4), padding 0-2, dilation 1-3 (`EXPLORER_BOUNDS`), ceil_mode,
    count_include_pad.
    The browser draws the windows on the padded input (how often each
    cell is read, the chosen window and its maximum), the output, the
    output-size formula with the numbers put in, or why a setting is
    invalid; it computes what `pool_report` computes (no kernel needed).

    Returns
    -------
    PoolingExplorer
        A widget; ``config`` holds the input, the starting settings and,
        under ``controls``, the kinds and the bounds of the selects.
    """
    fn = "pooling_explorer"
    x = check_array(POOL_INPUT if input is None else input, "input", fn,
                    ndims=(2,))
    lo, hi = INPUT_SIDES
    if x.shape[0] != x.shape[1] or not lo <= x.shape[0] <= hi:
        raise ValueError(f"{fn}: input must be square with a side of {lo} "
                         f"to {hi}, got shape {x.shape}")
    if kind not in KINDS:
        raise ValueError(f"{fn}: kind must be 'max' or 'avg', got {kind!r}")
    names = dict(k="kernel_size", s="stride", p="padding", d="dilation")
    given = dict(k=kernel_size, s=stride, p=padding, d=dilation)
    config = {key: _bounded(given[key], EXPLORER_BOUNDS[key], names[key], fn)
              for key in ("k", "p", "d")}
    config["s"] = (0 if stride is None
                   else _bounded(stride, EXPLORER_BOUNDS["s"], "stride", fn))
    config.update(kind=kind, input=_plain(x), ceil=bool(ceil_mode),
                  cip=bool(count_include_pad),
                  controls=dict(kind=list(KINDS),
                                **{key: list(bounds) for key, bounds
                                   in EXPLORER_BOUNDS.items()}))
    return PoolingExplorer(config=config)


def _bounded(value, bounds, name, fn):
    lo, hi = bounds
    value = _args.check_int(value, name, fn, minimum=lo)
    if value > hi:
        raise ValueError(f"{fn}: {name} must be at most {hi} in the "
                         f"explorer, got {value}")
    return value
