"""Chapter 5 demo: the pooling explorer.

`pool_report` computes, with convlib, everything the explorer shows for
one setting of max or average pooling on a small square input: the
output size with the formula's numbers put in (and torch's ceil_mode
rule), where every window starts, the output values, the index of each
maximum, the divisor of each average, or why the setting is invalid.
The explorer's JavaScript (`pooling_explorer.js`) repeats that
arithmetic in the browser; the tests hold the two equal over the whole
grid of the explorer's controls.
"""
from collections import namedtuple

import numpy as np

from .. import numpy as cnp
from .._args import check_array, check_int, is_int
from ._demo import Demo, plain_lists as _plain

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

_MINUS, _TIMES = "\u2212", "\u00d7"


def _num(value):
    return f"{_MINUS}{-value}" if value < 0 else str(value)


def _check_settings(kind, k, s, p, d):
    for name, value, low in [("kernel_size", k, 1), ("stride", s, 1),
                             ("padding", p, 0), ("dilation", d, 1)]:
        if not is_int(value):
            return f"{name} must be an integer, got {value}"
        if value < low:
            return f"{name} must be \u2265 {low}, got {_num(value)}"
    if kind == "avg" and d != 1:
        return (f"average pooling has no dilation in PyTorch (avg_pool2d "
                f"takes no dilation argument), got dilation {d}")
    if p > k // 2:
        return (f"padding {p} is more than half the kernel: PyTorch allows"
                f" at most \u230ak / 2\u230b = \u230a{k} / 2\u230b = "
                f"{k // 2}")
    return ""


def _formula(n, k, s, p, d, ceil_mode):
    """(formula text, output size or None, reason) of one dimension."""
    top = n + 2 * p - d * (k - 1) - 1
    lo, hi = ("\u2308", "\u2309") if ceil_mode else ("\u230a", "\u230b")
    raw = (top + s - 1) // s + 1 if ceil_mode else top // s + 1
    text = (f"{lo}({n} + 2{_TIMES}{p} {_MINUS} {d}{_TIMES}({k} {_MINUS} "
            f"1) {_MINUS} 1) / {s}{hi} + 1 = {lo}{_num(top)} / {s}{hi} + 1"
            f" = {raw}")
    if raw < 1:
        span = d * (k - 1) + 1
        extra = f" plus s {_MINUS} 1 = {s - 1}" if ceil_mode else ""
        return text, None, (
            f"the window spans d{_TIMES}(k {_MINUS} 1) + 1 = {span} cells "
            f"but the padded input n + 2p has only {n + 2 * p}{extra}")
    if not ceil_mode:
        return text, raw, ""
    last = (raw - 1) * s - p
    if last < n:
        return (f"{text}; the last window starts at ({raw} {_MINUS} 1)"
                f"{_TIMES}{s} {_MINUS} {p} = {_num(last)} < n = {n}: "
                f"kept", raw, "")
    return (f"{text}; the last window would start at ({raw} {_MINUS} 1)"
            f"{_TIMES}{s} {_MINUS} {p} = {last} \u2265 n = {n}, past the "
            f"input: dropped, so {raw - 1}", raw - 1, "")


def _divisors(starts, n, k, p, count_include_pad):
    """Divisor of each window sum along one axis, torch's rule."""
    sizes = []
    for a in starts:
        end = min(a + k, n + p)  # may reach into the right padding
        inside = min(end, n) - max(a, 0)
        sizes.append(end - a if count_include_pad else inside)
    return np.array(sizes)


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
    reason = _check_settings(kind, k, s, p, d)
    if reason:
        return PoolReport(None, [], None, None, None, "", reason)
    formula, size, reason = _formula(n, k, s, p, d, bool(ceil_mode))
    if size is None:
        return PoolReport(None, [], None, None, None, formula, reason)
    args = dict(kernel_size=k, stride=s, padding=p, ceil_mode=ceil_mode)
    starts = [i * s - p for i in range(size)]
    if kind == "max":
        out, idx = cnp.max_pool2d(x[None, None], dilation=d,
                                  return_indices=True, **args)
        return PoolReport(size, starts, out[0, 0], idx[0, 0], None,
                          formula, "")
    out = cnp.avg_pool2d(x[None, None], count_include_pad=count_include_pad,
                         **args)
    per_axis = _divisors(starts, n, k, p, count_include_pad)
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
    or 1-4), padding 0-2, dilation 1-3, ceil_mode, count_include_pad.
    The browser draws the windows on the padded input (how often each
    cell is read, the chosen window and its maximum), the output, the
    output-size formula with the numbers put in, or why a setting is
    invalid; it computes what `pool_report` computes (no kernel needed).

    Returns
    -------
    PoolingExplorer
        A widget; ``config`` holds the input and the starting settings.
    """
    fn = "pooling_explorer"
    x = check_array(POOL_INPUT if input is None else input, "input", fn,
                    ndims=(2,))
    if x.shape[0] != x.shape[1] or not 1 <= x.shape[0] <= 9:
        raise ValueError(f"{fn}: input must be square with a side of 1 to "
                         f"9, got shape {x.shape}")
    if kind not in KINDS:
        raise ValueError(f"{fn}: kind must be 'max' or 'avg', got {kind!r}")
    settings = dict(k=("kernel_size", kernel_size, 1, 4),
                    p=("padding", padding, 0, 2),
                    d=("dilation", dilation, 1, 3))
    config = {key: _bounded(v, lo, hi, name, fn)
              for key, (name, v, lo, hi) in settings.items()}
    config["s"] = (0 if stride is None
                   else _bounded(stride, 1, 4, "stride", fn))
    config.update(kind=kind, input=_plain(x), ceil=bool(ceil_mode),
                  cip=bool(count_include_pad))
    return PoolingExplorer(config=config)


def _bounded(value, lo, hi, name, fn):
    value = check_int(value, name, fn, minimum=lo)
    if value > hi:
        raise ValueError(f"{fn}: {name} must be at most {hi} in the "
                         f"explorer, got {value}")
    return value
