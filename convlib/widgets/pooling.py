"""Chapter 5 demo: the pooling explorer.

`pool_report` computes, with convlib, everything the explorer shows for
one setting of max or average pooling on a small input: for each axis
(rows, then columns) the output size with the formula's numbers put in
(and torch's ceil_mode rule) and where every window starts; the output
values; the index of each maximum (``return_indices``) or the divisor
of each average (``count_include_pad``, ``divisor_override``); which
outputs change when the input moves one pixel to the right; or why the
setting is invalid. Sizes, window starts, divisors and validity come
from convlib (`_rules`: `convlib.shapes.pool_output_size` and
`convlib._args`), the words from the demos' string table. The
explorer's JavaScript (`pooling_explorer.js`) computes the same with the
kit's rules in the browser; the tests hold the two equal over the grid
of the explorer's controls.
"""
from collections import namedtuple

import numpy as np

from .. import _args
from .. import numpy as cnp
from .._args import check_array
from . import _rules
from ._demo import Demo, bounded_int as _bounded
from ._demo import plain_lists as _plain
from ._strings import text

PoolReport = namedtuple(
    "PoolReport",
    "size starts output indices divisors changed formula reason")
PoolReport.__doc__ = """One setting of the pooling explorer, worked out.

size : (int, int) or None, output rows and columns (None when the
    setting is invalid)
starts : [list of int, list of int], first input row of each window
    and first input column of each window; negative in the padding
output : ndarray (rows, cols) or None, the pooled values (convlib)
indices : ndarray of int (rows, cols) or None, max pooling only: flat
    index of each maximum in the input (``return_indices``)
divisors : ndarray of int (rows, cols) or None, average pooling only:
    what each window sum is divided by
changed : ndarray of bool (rows, cols) or None, with ``shift`` only:
    the outputs that differ from those of the unshifted input
formula : str, the output-size formula with the numbers put in (one
    line per axis, each named, when the axes' settings differ)
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

# The controls' bounds (the explorer's config carries them), the
# divisor_override values it offers and the sides of the inputs it
# takes (each axis on its own).
EXPLORER_BOUNDS = dict(k=(1, 4), s=(1, 4), p=(0, 2), d=(1, 3))
DIVISOR_BOUNDS = (1, 9)
INPUT_SIDES = (1, 9)
# Two outputs differ when they differ by more than this, relative to
# their size (sums taken in another order differ in the last bits).
CHANGE_TOLERANCE = 1e-9
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


def _pair(value, name, fn):
    """(rows, columns) of an int-or-pair argument, unchecked otherwise
    (the rules say what is wrong with a value)."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{fn}: {name} must be an int or a pair, got "
                             f"{len(value)} values")
        return tuple(value)
    return value, value


def _together(axes, part):
    """One text for both axes: the rows' alone when both axes have the
    same settings, else each non-empty one named by its axis ('rows: ...',
    'columns: ...'), one per line; a reason names the first axis only."""
    rows, cols = axes
    if rows["args"] == cols["args"]:
        return rows[part]
    named = [text("pool.axis", axis=text(f"pool.{name}"), line=a[part])
             for name, a in zip(("rows", "cols"), axes) if a[part]]
    return named[0] if part == "reason" and named else "\n".join(named)


def pool_report(kind, input, kernel_size, stride=None, padding=0,
                dilation=1, ceil_mode=False, count_include_pad=True,
                divisor_override=None, shift=False):
    """Everything the pooling explorer shows for one setting.

    Parameters
    ----------
    kind : {'max', 'avg'}
    input : array_like, shape (H, W)
    kernel_size, padding, dilation : int or (int, int)
        As torch takes them: one value for both axes or (rows, columns).
    stride : int, (int, int) or None
        None means the kernel size, torch's default.
    ceil_mode, count_include_pad : bool
        As in ``torch.nn.functional``; `count_include_pad` only
        matters for average pooling.
    divisor_override : int or None
        Average pooling only: divide every window sum by it.
    shift : bool
        Pool the input moved one column to the right, circularly
        (``np.roll``), and mark the outputs that this changes.

    Returns
    -------
    PoolReport
        ``output`` is ``convlib.numpy.max_pool2d`` (``indices`` its
        ``return_indices``) or ``convlib.numpy.avg_pool2d`` for these
        settings, ``size`` is ``convlib.shapes.pool_output_size`` per
        axis; all None, with ``reason`` saying why, for a setting torch
        refuses.

    Raises
    ------
    ValueError
        If `kind` is unknown, `input` is not a 2-D array, a pair has
        more or fewer than two values, or `divisor_override` is 0.
    TypeError
        If `divisor_override` is not None or an int.
    """
    fn = "pool_report"
    if kind not in KINDS:
        raise ValueError(f"{fn}: kind must be 'max' or 'avg', got {kind!r}")
    x = check_array(input, "input", fn, ndims=(2,))
    _args.check_divisor(fn, divisor_override)
    k, p, d = (_pair(v, name, fn) for v, name in (
        (kernel_size, "kernel_size"), (padding, "padding"),
        (dilation, "dilation")))
    s = k if stride is None else _pair(stride, "stride", fn)
    axes = []
    for i in (0, 1):
        args = (x.shape[i], k[i], s[i], p[i], d[i])
        if axes and axes[0]["args"] == args:  # a square setting
            axes.append(axes[0])
            continue
        size, formula, reason = _working(kind, *args, bool(ceil_mode))
        axes.append(dict(args=args, size=size, formula=formula,
                         reason=reason))
    formula, reason = _together(axes, "formula"), _together(axes, "reason")
    if reason:
        return PoolReport(None, [[], []], None, None, None, None, formula,
                          reason)
    size = (axes[0]["size"], axes[1]["size"])
    starts = [_rules.starts(size[i], s[i], p[i]) for i in (0, 1)]
    pool = dict(kind=kind, k=k, s=s, p=p, d=d, ceil=ceil_mode,
                cip=count_include_pad, div=divisor_override)
    shown = np.roll(x, 1, axis=1) if shift else x
    out, aux = _pooled(shown, **pool)
    changed = None
    if shift:
        before, _ = _pooled(x, **pool)
        changed = np.abs(out - before) > CHANGE_TOLERANCE * np.maximum(
            1, np.abs(before))
    if kind == "max":
        return PoolReport(size, starts, out, aux, None, changed, formula,
                          "")
    if divisor_override is None:
        counts = [_rules.window_counts(x.shape[i], size[i], k[i], s[i],
                                       p[i], count_include_pad)
                  for i in (0, 1)]
        aux = np.outer(*counts)
    else:
        aux = np.full(size, divisor_override)
    return PoolReport(size, starts, out, None, aux, changed, formula, "")


def _pooled(x, kind, k, s, p, d, ceil, cip, div):
    """(output, indices or None) of convlib's pooling of the plane x."""
    x4 = x[None, None]
    if kind == "max":
        out, idx = cnp.max_pool2d(x4, k, s, p, d, ceil, return_indices=True)
        return out[0, 0], idx[0, 0]
    out = cnp.avg_pool2d(x4, k, s, p, ceil, count_include_pad=cip,
                         divisor_override=div)
    return out[0, 0], None


class PoolingExplorer(Demo):
    """Pooling explorer (see `pooling_explorer`)."""

    name, script = "pooling-explorer", "pooling_explorer.js"
    namespace = "convlibPoolingExplorer"
    _esm = Demo.module_for(script, namespace, name)


def pooling_explorer(input=None, kind="max", kernel_size=2, stride=None,
                     padding=0, dilation=1, ceil_mode=False,
                     count_include_pad=True, divisor_override=None,
                     shift=False):
    """Pooling explorer over a small input (default `POOL_INPUT`).

    Controls, each for rows and columns apart (torch's pairs): kernel
    size 1-4, stride (the kernel size, or 1-4), padding 0-2, dilation
    1-3 (`EXPLORER_BOUNDS`); the kind (max / average), ceil_mode,
    count_include_pad, divisor_override (None or 1-9), a one-pixel
    shift of the input, and the input itself (1 to 9 rows and columns,
    typed in a text box).
    The browser draws the windows on the padded input (how often each
    cell is read, the chosen window and its maximum), the output, the
    index or divisor of every output, the outputs the shift changes,
    the output-size formula with the numbers put in, or why a setting is
    invalid; it computes what `pool_report` computes (no kernel needed).
    It is operable by keyboard alone, and its result (output size, the
    chosen window, what the shift changed) is in a live region.

    Returns
    -------
    PoolingExplorer
        A widget; ``config`` holds the input, the starting settings
        (pairs ``[rows, columns]``; stride 0 is the kernel size,
        divisor 0 is None) and, under ``controls``, the kinds and the
        bounds of the selects and of the input's sides.
    """
    fn = "pooling_explorer"
    x = check_array(POOL_INPUT if input is None else input, "input", fn,
                    ndims=(2,))
    lo, hi = INPUT_SIDES
    if not all(lo <= side <= hi for side in x.shape):
        raise ValueError(f"{fn}: input must have {lo} to {hi} rows and "
                         f"columns, got shape {x.shape}")
    if kind not in KINDS:
        raise ValueError(f"{fn}: kind must be 'max' or 'avg', got {kind!r}")
    names = dict(k="kernel_size", s="stride", p="padding", d="dilation")
    given = dict(k=kernel_size, s=stride, p=padding, d=dilation)
    config = {}
    for key, name in names.items():
        if key == "s" and stride is None:
            config["s"] = [0, 0]  # the kernel size, torch's default
            continue
        config[key] = [_bounded(v, EXPLORER_BOUNDS[key], name, fn)
                       for v in _pair(given[key], name, fn)]
    config["div"] = (0 if divisor_override is None else _bounded(
        divisor_override, DIVISOR_BOUNDS, "divisor_override", fn))
    config.update(kind=kind, input=_plain(x), ceil=bool(ceil_mode),
                  cip=bool(count_include_pad), shift=bool(shift),
                  controls=dict(kind=list(KINDS), div=list(DIVISOR_BOUNDS),
                                sides=list(INPUT_SIDES),
                                **{key: list(bounds) for key, bounds
                                   in EXPLORER_BOUNDS.items()}))
    return PoolingExplorer(config=config)
