"""The forward convolution of `convlib.numpy`: three ways and a choice.

All work on batched arrays (N, C, *spatial) of any number of spatial
dimensions, with tuples of ints for stride and dilation and
((lo, hi), ...) pairs for padding. Each way gives the same numbers as
the definition in `convlib.numpy._reference` (tests force each one):

``pointwise``
    A 1x1 kernel, stride 1, no padding: one matmul, no copy at all.
``columns``
    im2col: every window copied into a column, then one matmul per
    (sample, group). Exact -- no position is computed twice -- but the
    copy gathers short rows and costs about as much as 40 multiply-adds
    per element.
``flat``
    The padded input planes laid out flat, split into ``stride``
    phases (by index modulo the stride) so that every kernel tap is a
    plain shift of one phase. Columns are then contiguous slices (a
    fast copy), or, with fewer outputs than inputs per group, no
    columns at all: one matmul per phase for all its taps, then the
    shifted rows summed (`_tap_sums`). It computes outputs in the
    padding too (cropped at the end), so small planes waste work.

`forward` picks the cheaper of ``columns`` and ``flat`` from a cost
model of both (`_costs`).
"""
import functools
import math
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np

from .._util import sliding_windows, strided_view

THREADS = 2  # depthwise flat chunks: memory-bound, two threads help
FLAT_BYTES = 4 * 2**20  # flat columns per block: stay in cache
SAMPLE_BYTES = 16 * 2**20  # flat input buffer per chunk of samples
COLUMN_BYTES = 4 * 2**20  # im2col columns per chunk of samples

# Cost model, fitted on this project's CI machine (one core, OpenBLAS
# sgemm): a matmul call's fixed cost and its peak rate, reached only
# when all three sizes are well above the `_GEMM_HALF` sizes; a
# contiguous copy; an add of shifted rows; an im2col gather, whose cost
# per element falls with the length of the rows it copies.
_NS_CALL = 1500.0
_MACS_PER_NS = 48.0
_GEMM_HALF = (8, 10, 20)  # (m, k, n) at which the rate halves
_NS_COPY = 0.15
_NS_ADD = 0.8
_NS_GATHER, _NS_GATHER_ROW = 0.25, 5.5
WAYS = (("columns", False), ("flat", False), ("flat", True))

def forward(x, weight, stride, pads, dilation, groups, out, y=None,
            path=None):
    """Cross-correlate x (N, C_in, *S) with weight (C_out, C_in/g, *K).

    Parameters
    ----------
    x : ndarray, shape (N, C_in, *S)
    weight : ndarray, shape (C_out, C_in / groups, *K)
    stride, dilation : tuple of int
    pads : tuple of (int, int)
        Zeros before and after, per spatial dimension.
    groups : int
    out : tuple of int
        Spatial size of the result (`convlib.shapes.conv_output_size`,
        or smaller: spare windows at the end are dropped).
    y : ndarray, shape (N, C_out, *out), optional
        Where to write the result; may be a strided view.
    path : None, 'pointwise', 'columns', 'flat' or one of `WAYS`
        Force a way (tests do); None chooses by `_costs`, 'flat' chooses
        between its two variants (with columns or `_tap_sums`).

    Returns
    -------
    ndarray, shape (N, C_out, *out)
        y, if given.
    """
    if y is None:
        y = np.empty((x.shape[0], weight.shape[0]) + tuple(out), x.dtype)
    if y.size == 0:
        return y
    ways = WAYS if path is None else tuple(
        way for way in WAYS if path in (way, way[0]))
    plan = _plan(x.shape, weight.shape, stride, pads, dilation, groups,
                 tuple(out), x.itemsize, path in (None, "pointwise"), ways,
                 FLAT_BYTES, SAMPLE_BYTES, COLUMN_BYTES, THREADS)
    _RUN[plan.path](x, weight, y, plan)
    return y


class _Plan(NamedTuple):
    """How one call's geometry is computed (no array values)."""
    path: str
    stride: tuple
    pads: tuple
    dilation: tuple
    groups: int
    samples: int  # per chunk
    layout: object = None  # `_Layout` of the flat path
    tap_sums: bool = False
    block: int = 0  # flat positions per block of columns
    threads: int = 1


@functools.lru_cache(maxsize=512)
def _plan(x_shape, w_shape, stride, pads, dilation, groups, out,
          itemsize, pointwise, ways, flat_bytes, sample_bytes,
          column_bytes, threads):
    """The `_Plan` for a call: a pure function of shapes and settings,
    memoised because small convolutions would otherwise spend most of
    their time here. With `pointwise`, a call that fits it takes that
    way; otherwise the cheapest of `ways` by `_costs`."""
    c_in, kernel = x_shape[1], w_shape[2:]
    geometry = (stride, pads, dilation, groups)
    if pointwise and _pointwise_fits(kernel, stride, pads, x_shape[2:],
                                     out):
        return _Plan("pointwise", *geometry, samples=x_shape[0])
    if not ways:
        raise ValueError("no way to compute this convolution: the "
                         "pointwise way needs a 1x1 kernel, stride 1 and "
                         "no padding")
    name, tap_sums = ways[0]
    if len(ways) > 1:
        costs = _costs(x_shape, w_shape, stride, pads, dilation, groups,
                       out)
        name, tap_sums = min(ways, key=costs.get)
    if name == "columns":
        per = c_in * math.prod(kernel) * math.prod(out) * itemsize
        return _Plan(name, *geometry, samples=_count(column_bytes, per))
    layout = _layout(x_shape[2:], kernel, stride, pads, dilation, out)
    per = c_in * len(layout.places) * layout.size * itemsize
    samples = min(x_shape[0], _count(sample_bytes, per))
    m, c = w_shape[0] // groups, c_in // groups
    rows = (m if tap_sums else c) * math.prod(kernel) * groups
    block = _count(flat_bytes, rows * itemsize)
    depthwise = groups > 1 and c == 1
    return _Plan(name, *geometry, samples=samples, layout=layout,
                 tap_sums=tap_sums, block=block,
                 threads=threads if depthwise else 1)


def _count(budget, per):
    """How many items of `per` bytes fit in `budget` (at least one)."""
    return max(1, budget // max(1, per))


def _pointwise_fits(kernel, stride, pads, spatial, out):
    """A 1x1 kernel at stride 1 without padding, every position kept:
    a plain matmul."""
    return (all(v == 1 for v in kernel + stride) and spatial == out
            and not any(lo or hi for lo, hi in pads))


def _costs(x_shape, w_shape, stride, pads, dilation, groups, out):
    """Estimated ns of each way in `WAYS` for one call.

    All multiply the same weights; they differ in the positions they
    compute (exact, against the flat layout's padded planes), in the
    shapes of their matmuls, and in how they copy: a gather of short
    rows, contiguous slices, or shifted adds (`_tap_sums`).
    """
    n, c_in = x_shape[:2]
    taps = math.prod(w_shape[2:])
    m, c = w_shape[0] // groups, c_in // groups
    exact = math.prod(out)
    lay = _layout(x_shape[2:], w_shape[2:], stride, pads, dilation, out)
    flat = n * lay.size
    phases = len(lay.places)
    gather = _NS_GATHER + _NS_GATHER_ROW / out[-1]
    fill_crop = (c_in * phases * flat + m * groups * n * exact) * _NS_COPY
    return {
        ("columns", False): (n * groups * _gemm(m, c * taps, exact)
                             + n * c_in * taps * exact * gather),
        ("flat", False): (groups * _gemm(m, c * taps, flat)
                          + c_in * taps * flat * _NS_COPY + fill_crop),
        ("flat", True): (groups * phases * _gemm(
            max(1, m * taps // phases), c, flat) + groups * m * taps * flat
            * _NS_ADD + fill_crop)}


def _gemm(m, k, n):
    """Estimated ns of one (m, k) @ (k, n) float32 matmul."""
    rate = _MACS_PER_NS * math.prod(
        v / (v + h) for v, h in zip((m, k, n), _GEMM_HALF))
    return _NS_CALL + m * k * n / rate


# ---------------------------------------------------------------------
# pointwise and columns
# ---------------------------------------------------------------------

def _pointwise(x, weight, y, plan):
    """1x1, stride 1, no padding: (G, M, C) @ (N, G, C, L), in place."""
    g = plan.groups
    w = weight.reshape(g, weight.shape[0] // g, -1)
    xs = x.reshape(x.shape[0], g, x.shape[1] // g, -1)
    _matmul_into(w, xs, y, (x.shape[0], g, w.shape[1], xs.shape[-1]))


def _matmul_into(a, b, y, shape):
    """``a @ b`` written to y, reshaped to `shape` (a view if it can)."""
    try:
        target = y.view()
        target.shape = shape  # raises rather than copy
    except AttributeError:
        y[...] = np.matmul(a, b).reshape(y.shape)
        return
    np.matmul(a, b, out=target)


def _columns(x, weight, y, plan):
    """im2col per chunk of samples, then (G, M, C/G*K) @ columns."""
    g, kernel, out = plan.groups, weight.shape[2:], y.shape[2:]
    d = len(kernel)
    w = weight.reshape(g, weight.shape[0] // g, -1)
    xp = pad(x, plan.pads)
    order = ((0, 1) + tuple(range(2 + d, 2 + 2 * d))
             + tuple(range(2, 2 + d)))
    crop = (slice(None),) * 2 + tuple(slice(0, o) for o in out)
    for i in range(0, x.shape[0], plan.samples):
        part = slice(i, i + plan.samples)
        win = sliding_windows(xp[part], kernel, plan.stride,
                              plan.dilation)[crop]
        cols = np.empty((win.shape[0], x.shape[1]) + kernel + out,
                        x.dtype)
        np.copyto(cols, win.transpose(order))
        cols = cols.reshape(win.shape[0], g, w.shape[2], -1)
        _matmul_into(w, cols, y[part],
                     (win.shape[0], g, w.shape[1], cols.shape[-1]))


def pad(x, pads):
    """Zero-pad the spatial axes of (N, C, *S) by ((lo, hi), ...)."""
    if not any(lo or hi for lo, hi in pads):
        return x
    shape = x.shape[:2] + tuple(s + lo + hi for s, (lo, hi)
                                in zip(x.shape[2:], pads))
    xp = np.zeros(shape, x.dtype)
    xp[(Ellipsis,) + tuple(slice(lo, lo + s) for s, (lo, _)
                           in zip(x.shape[2:], pads))] = x
    return xp


# ---------------------------------------------------------------------
# flat
# ---------------------------------------------------------------------

class _Layout(NamedTuple):
    """Where the flat path puts the input and finds every tap.

    Each (channel, phase) gets one flat array holding, sample after
    sample, a block of `periods` positions; a phase holds the padded
    input's entries whose index is r modulo the stride, dimension by
    dimension. Output o reads tap k at position o + (k*d) // s of phase
    (k*d) % s, so every tap is one shift. A period is as short as it
    can be: reads that run past a row land in the next row's leading
    zeros, so rows share their padding.
    """
    periods: tuple  # positions per dimension in one sample's block
    places: tuple  # per phase: (input slices, block slices) or None
    taps: tuple  # per tap, in weight order: (phase, flat shift)
    last: int  # flat position of a sample's last output
    size: int  # flat positions per (channel, phase), one sample
    tail: int  # zeros past the last sample that reads reach
    out: tuple
    kernel_steps: tuple  # with one phase: flat shift per kernel index


def _layout(spatial, kernel, stride, pads, dilation, out):
    """The `_Layout` of one call's geometry."""
    dims = [_dim_layout(*args) for args in zip(
        spatial, kernel, stride, pads, dilation, out)]
    periods = tuple(p for p, _, _ in dims)
    steps = [math.prod(periods[i + 1:]) for i in range(len(periods))]
    phases = tuple(len(places) for _, _, places in dims)
    taps = tuple(
        (_phase_index([r for r, _ in k], phases),
         sum(shift * st for (_, shift), st in zip(k, steps)))
        for k in _product([tap for _, tap, _ in dims]))
    places = tuple(_place(p, dims) for p in np.ndindex(*phases))
    last = sum((o - 1) * st for o, st in zip(out, steps))
    reach = last + max(shift for _, shift in taps) + 1
    size = math.prod(periods)
    kernel_steps = None
    if len(places) == 1:
        kernel_steps = tuple(d * st for d, st in zip(dilation, steps))
    return _Layout(periods, places, taps, last, size,
                   max(0, reach - size), tuple(out), kernel_steps)


def _dim_layout(size, k, s, pads, d, out):
    """(period, taps [(phase, shift)], places [(in slice, at slice)])."""
    lo = pads[0]
    taps = [((t * d) % s, (t * d) // s) for t in range(k)]
    places, starts, ends = [], [], []
    for r in range(s):
        first = (r - lo) % s  # first input index in phase r
        count = len(range(first, size, s))
        start = (lo + first) // s
        places.append((slice(first, None, s), slice(start, start + count))
                      if count else None)
        starts.append(start if count else math.inf)
        ends.append(start + count if count else 0)
    period = max(max(ends), out)
    # a read past the period wraps to the next row: it must hit zeros
    while any(out - 1 + shift - period >= starts[r]
              for r, shift in taps if out - 1 + shift >= period):
        period += 1
    return period, taps, places


def _product(lists):
    """Every combination, the last list fastest (like np.ndindex)."""
    combos = [()]
    for items in lists:
        combos = [c + (i,) for c in combos for i in items]
    return combos


def _phase_index(residues, phases):
    index = 0
    for r, p in zip(residues, phases):
        index = index * p + r
    return index


def _place(phase, dims):
    """(input slices, block slices) of one phase, or None if empty."""
    chosen = [dim[2][r] for r, dim in zip(phase, dims)]
    if None in chosen:
        return None
    return tuple(c[0] for c in chosen), tuple(c[1] for c in chosen)


def _flat(x, weight, y, plan):
    """The flat path, chunk by chunk of samples (threads: depthwise)."""
    starts = range(0, x.shape[0], plan.samples)
    run = functools.partial(_flat_chunks, x, weight, y, plan)
    if plan.threads > 1 and len(starts) > 1:
        # NumPy and BLAS release the GIL; each thread has its own
        # samples and output slices
        with ThreadPoolExecutor(plan.threads) as pool:
            list(pool.map(run, [starts[t::plan.threads]
                                for t in range(plan.threads)]))
    else:
        run(starts)


def _flat_chunks(x, weight, y, plan, starts):
    """`_flat_chunk` for the samples from each of `starts`."""
    lay = plan.layout
    n = min(plan.samples, x.shape[0])
    buf = np.zeros((x.shape[1], len(lay.places), n * lay.size + lay.tail),
                   x.dtype)
    acc = np.empty((weight.shape[0], n * lay.size), y.dtype)
    for i in starts:
        part = slice(i, i + plan.samples)
        _flat_chunk(x[part], weight, buf, acc, y[part], plan)


def _flat_chunk(x, weight, buf, acc, y, plan):
    """Fill the layout with x (n, C, *S); compute; crop into y."""
    lay, n = plan.layout, x.shape[0]
    blocks = buf[:, :, :n * lay.size].reshape(
        buf.shape[:2] + (n,) + lay.periods)
    for p, place in enumerate(lay.places):
        if place is not None:
            where, at = place
            blocks[(slice(None), p, slice(None)) + at] = x[
                (Ellipsis,) + where].swapaxes(0, 1)
    length = (n - 1) * lay.size + lay.last + 1
    g = plan.groups
    w = weight.reshape((g, weight.shape[0] // g) + weight.shape[1:])
    flat = buf.reshape((g, buf.shape[0] // g) + buf.shape[1:])
    out = acc[:, :length].reshape(g, w.shape[1], length)
    if plan.tap_sums:
        _tap_sums(flat, w, lay.taps, out)
    else:
        _shifted_columns(flat, w, lay.taps, out, plan.block,
                         lay.kernel_steps)
    grid = acc[:, :n * lay.size].reshape((acc.shape[0], n) + lay.periods)
    y[...] = grid[(Ellipsis,) + tuple(slice(0, o) for o in lay.out)
                  ].swapaxes(0, 1)


def _shifted_columns(flat, w, taps, out, block, kernel_steps):
    """out (G, M, L) = w @ columns, the columns copied block by block.

    flat is (G, C, phases, positions), w (G, M, C, *K); the column of
    tap (phase, shift) at position q is ``flat[:, :, phase, q + shift]``.
    With one phase the taps are a regular grid of shifts
    (`kernel_steps` per kernel axis): one strided view copies them all.
    """
    g, c, length = flat.shape[0], flat.shape[1], out.shape[-1]
    kernel = w.shape[3:]
    w = w.reshape(g, w.shape[1], -1)
    cols = np.empty((g, c, len(taps), min(block, length)), flat.dtype)
    grid = None
    if kernel_steps is not None:
        item = flat.itemsize
        grid = strided_view(
            flat[:, :, 0], (g, c) + kernel + (length,),
            flat.strides[:2] + tuple(k * item for k in kernel_steps)
            + (item,))
    for a in range(0, length, block):
        b = min(a + block, length)
        part = cols[..., :b - a]
        if grid is not None:
            part.reshape(grid.shape[:-1] + (b - a,))[...] = grid[..., a:b]
        else:
            for t, (phase, shift) in enumerate(taps):
                part[:, :, t] = flat[:, :, phase, a + shift:b + shift]
        np.matmul(w, part.reshape(g, -1, b - a), out=out[..., a:b])


def _tap_sums(flat, w, taps, out):
    """out (G, M, L) without columns: per phase, one matmul of all its
    taps' weights with the phase as it is, (G, T*M, C) @ (G, C, flat);
    each tap's M rows, shifted by its offset, are summed into out."""
    g, m, length = w.shape[0], w.shape[1], out.shape[-1]
    w = w.reshape(g, m, w.shape[2], -1)
    first = True
    for phase in sorted({p for p, _ in taps}):
        mine = [(t, s) for t, (p, s) in enumerate(taps) if p == phase]
        span = length + max(s for _, s in mine)
        stacked = np.concatenate([w[..., t] for t, _ in mine], axis=1)
        rows = np.matmul(stacked, flat[:, :, phase, :span])
        for j, (_, shift) in enumerate(mine):
            part = rows[:, j * m:(j + 1) * m, shift:shift + length]
            if first:
                out[...] = part
                first = False
            else:
                out += part


_RUN = {"pointwise": _pointwise, "columns": _columns, "flat": _flat}
