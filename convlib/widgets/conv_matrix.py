"""Chapter 6 demo: the convolution-matrix explorer.

`matrix_report` works out, for one setting of a square 2-D convolution
(input side n, kernel k, stride s, padding p, C_in -> C_out channels in
g groups), everything the explorer shows: the output side, the shape
of the matrix T with ``vec(y) = T vec(x)`` (`convlib.matrix.
conv_matrix`), which weight sits in each entry of T, and for one
selected output its row of T: the taps of its window, the inputs they
read (or the padding they fall on) and the sum they make. Sizes and
validity come from convlib (`_rules`: `convlib.shapes` and
`convlib._args`), the words from the demos' string table. The
explorer's JavaScript (`conv_matrix_explorer.js`) computes the same in
the browser with the kit's rules; the tests hold the two equal over
the whole grid of its controls.
"""
from collections import namedtuple

import numpy as np

from .. import _args
from ..matrix import conv_matrix
from . import _rules
from ._demo import Demo, bounded_int as _bounded
from ._strings import text

MatrixReport = namedtuple(
    "MatrixReport", "size rows cols labels output row taps formula shape "
                    "blocks terms summary reason")
MatrixReport.__doc__ = """One setting of the matrix explorer, worked out.

size : int or None, the output side m (None when the setting is invalid)
rows, cols : int, the shape of T (0 when invalid)
labels : ndarray of int (rows, cols) or None: the flat index of the
    weight (C_out, C_in/g, k, k) in each entry of T, -1 where T is 0
output : tuple (o, i, j), the selected output; row : int, its row of T
taps : list of Tap, the selected output's k*k*C_in/g taps
formula, shape, blocks : str, the output side, T's shape and its blocks
terms : str, the selected output as a sum of weight times input
summary : str, the result a screen reader announces
reason : str, why the setting is invalid ('' when it is valid)
"""

Tap = namedtuple("Tap", "c h w cw u v col")
Tap.__doc__ = """One kernel tap of the selected output.

c, h, w : int, the input it reads (h, w negative or >= n: padding)
cw, u, v : int, the weight ``weight[o, cw, u, v]`` it multiplies
col : int, the column of T of that input, -1 on padding
"""

# The controls' bounds (the explorer's config carries them).
BOUNDS = dict(n=(3, 5), k=(1, 3), s=(1, 3), p=(0, 2), cin=(1, 3),
              cout=(1, 3), g=(1, 3))
# The sentence of each rule that can refuse a setting.
_REASONS = {"int": "arg.int", "min": "arg.min", "span": "matrix.span",
            "groups_in": "matrix.groups_in",
            "groups_out": "matrix.groups_out"}


def _refused(n, k, s, p, cin, cout, g):
    """(m or None, reason) from the kit's rules' Python twin."""
    words = dict(n=n, k=k, s=s, p=p, cin=cin, cout=cout, g=g)
    out = _rules.conv(n, k, s, p, 1)
    if out.rule:
        return None, text(_REASONS[out.rule], **dict(out.facts, **words))
    split = _rules.groups(cin, cout, g)
    if split.rule:
        return None, text(_REASONS[split.rule], **dict(split.facts,
                                                          **words))
    return out.size, ""


def weight_labels(in_channels, out_channels, groups, kernel_size):
    """A weight (C_out, C_in/g, k, k) holding 1, 2, 3, ...: an entry of
    its T is the flat index of the weight there, plus one."""
    count = out_channels * (in_channels // groups) * kernel_size ** 2
    return np.arange(1.0, count + 1).reshape(
        out_channels, in_channels // groups, kernel_size, kernel_size)


def _taps(o, i, j, n, k, starts, per_in, per_out):
    """The Tap of every weight of output (o, i, j), in weight order."""
    group = o // per_out
    taps = []
    for cw in range(per_in):
        c = group * per_in + cw
        for u in range(k):
            for v in range(k):
                h, w = starts[i] + u, starts[j] + v
                inside = 0 <= h < n and 0 <= w < n
                col = (c * n + h) * n + w if inside else -1
                taps.append(Tap(c, h, w, cw, u, v, col))
    return taps


def _words(taps, o, i, j, row, rows, cols):
    """(terms, summary) of the selected output."""
    inside = [t for t in taps if t.col >= 0]
    terms = " + ".join(text("matrix.term", o=o, **t._asdict())
                       for t in inside) or "0"
    at = dict(o=o, i=i, j=j, row=row, rows=rows, cols=cols,
              taps=len(taps))
    if not inside:
        return (text("matrix.terms", terms=terms, **at),
                text("matrix.summary_zero", **at))
    return (text("matrix.terms", terms=terms, **at),
            text("matrix.summary", nonzero=len(inside),
                 padded=len(taps) - len(inside), **at))


def matrix_report(input_size, kernel_size, stride=1, padding=0,
                  in_channels=1, out_channels=1, groups=1, output=0):
    """Everything the matrix explorer shows for one setting.

    Parameters
    ----------
    input_size, kernel_size, stride, padding : int
        A square input n x n and kernel k x k; the same stride and
        padding on both axes.
    in_channels, out_channels, groups : int
    output : int
        The selected output, a row of T: ``o*m*m + i*m + j``.

    Returns
    -------
    MatrixReport
        ``labels + 1`` is ``convlib.matrix.conv_matrix`` of
        `weight_labels` (so ``labels >= 0`` is where T is non-zero);
        ``size`` is ``convlib.shapes.conv_output_size``. For a setting
        torch refuses, every field but ``reason`` is empty.

    Raises
    ------
    ValueError
        If `output` is not a row of T.
    """
    n, k, s, p = input_size, kernel_size, stride, padding
    cin, cout, g = in_channels, out_channels, groups
    m, reason = _refused(n, k, s, p, cin, cout, g)
    if m is None:
        return MatrixReport(None, 0, 0, None, None, None, [], "", "", "",
                            "", "", reason)
    rows, cols = cout * m * m, cin * n * n
    output = _args.check_int(output, "output", "matrix_report", 0)
    if output >= rows:
        raise ValueError(f"matrix_report: output must be a row of T, "
                         f"below {rows}, got {output}")
    w = weight_labels(cin, cout, g, k)
    labels = conv_matrix(w, (cin, n, n), stride=s, padding=p,
                         groups=g).astype(int) - 1
    o, i, j = output // (m * m), output // m % m, output % m
    taps = _taps(o, i, j, n, k, _rules.starts(m, s, p), cin // g, cout // g)
    terms, summary = _words(taps, o, i, j, output, rows, cols)
    words = dict(n=n, s=s, m=m, cin=cin, cout=cout, g=g, rows=rows,
                 cols=cols, top=n + 2 * p - k, mm=m * m, nn=n * n,
                 zero=cout * cin - cout * cin // g)
    return MatrixReport(m, rows, cols, labels, (o, i, j), output, taps,
                        text("matrix.size", **words),
                        text("matrix.shape", **words),
                        text("matrix.blocks", **words), terms, summary, "")


class ConvMatrixExplorer(Demo):
    """Convolution-matrix explorer (see `conv_matrix_explorer`)."""

    name, script = "conv-matrix-explorer", "conv_matrix_explorer.js"
    namespace = "convlibConvMatrixExplorer"
    _esm = Demo.module_for(script, namespace, name)


def conv_matrix_explorer(input_size=4, kernel_size=3, stride=1, padding=0,
                         in_channels=2, out_channels=2, groups=1, output=0):
    """Convolution-matrix explorer: T of a small convolution, row by row.

    Controls: input side n 3-5, kernel k 1-3, stride 1-3, padding 0-2,
    C_in, C_out and groups 1-3 (`BOUNDS`); the output cells, picked by
    click or by keyboard (Tab to them, arrow keys, Enter). The browser
    draws the padded input (each cell labelled with its column of T),
    the output (each cell a row of T), T itself with its blocks, and the
    selected output's row: its window, its weights and its sum. It
    computes what `matrix_report` computes (no kernel needed); the
    result is also announced to screen readers.

    Returns
    -------
    ConvMatrixExplorer
        A widget; ``config`` holds the starting settings and, under
        ``controls``, the bounds of the selects.

    Raises
    ------
    ValueError
        If a setting is outside the explorer's bounds or refused by
        torch's rules, or `output` is not a row of T.
    """
    fn = "conv_matrix_explorer"
    given = dict(n=input_size, k=kernel_size, s=stride, p=padding,
                 cin=in_channels, cout=out_channels, g=groups)
    names = dict(n="input_size", k="kernel_size", s="stride", p="padding",
                 cin="in_channels", cout="out_channels", g="groups")
    config = {key: _bounded(given[key], BOUNDS[key], names[key], fn)
              for key in BOUNDS}
    report = matrix_report(*(config[key] for key in BOUNDS),
                           output=output)
    if report.reason:
        raise ValueError(f"{fn}: {report.reason}")
    config.update(output=report.row,
                  controls={key: list(b) for key, b in BOUNDS.items()})
    return ConvMatrixExplorer(config=config)
