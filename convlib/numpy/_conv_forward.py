"""The forward convolution of `convlib.numpy`: five ways and a choice.

All work on batched arrays (N, C, *spatial) of any number of spatial
dimensions, with tuples of ints for stride and dilation and
((lo, hi), ...) pairs for padding. Each way gives the same numbers as
the definition in `convlib.numpy._reference` (tests force each one):

``pointwise``
    A 1x1 kernel without padding: one matmul, no copy at all at stride
    1 (at a larger stride, a copy of the positions it keeps).
``columns``
    im2col: every window copied into a column, then one matmul per
    (sample, group). Exact -- no position is computed twice -- but the
    copy gathers short rows, at the cost of some 40 multiply-adds per
    element.
``flat``
    The padded input planes laid out flat, split into ``stride``
    phases (by index modulo the stride) so that every kernel tap is a
    plain shift of one phase (`layout`). Part of each shift is taken
    by copying contiguous slices into columns, the rest by summing
    shifted rows of the matmul's product (`_split`): copying all is
    im2col on the flat layout, shifting all copies nothing. It computes
    outputs in the padding too (cropped at the end), so small planes
    waste work.
``regions``
    The columns way with the batch innermost (the input copied to
    (C, *S, N)), box by box of the output (`regions`): a box holds the
    outputs that meet the input with the same kernel taps along every
    axis, and its columns hold only those taps. Where dilation or
    padding put many taps in the padding of small planes, the padding's
    multiply-adds are skipped; the batch innermost keeps the copied
    rows long however narrow the box.
``toeplitz``
    im2col along every axis but the last; along the last, whole input
    rows times a Toeplitz-like matrix that holds the last axis' taps
    and stride (`_toeplitz_matrices`). A depthwise convolution (one
    input channel a group) gets one matmul per group with rows as long
    as the kernel times the input row, where the other ways multiply
    by one weight row of a few taps. It multiplies W / K_last times the
    entries of the windows, so it pays on short rows; the cost model
    weighs it only for one input channel a group (`_costs`).

`forward` cuts a large call into pieces for the workers (`_pieces`,
`_workers`) and picks, for each piece, the way (and the split) with
the least estimated time (`_costs`, a model of this machine's matmul,
copies and Python steps, whose constants and cache budgets are in
`_tuning`, fitted by benchmarks/fit_costs.py).
"""
import functools
import itertools
import math
from typing import NamedTuple

import numpy as np

from .._arrays import pad, strided_view
from . import _tuning, _workers
from ._pieces import Call, cut, whole

POINTWISE = ("pointwise", 0)
WAYS = (("columns", 0), ("columns", 1), ("flat", 0), ("flat", 1),
        ("flat", 2), ("flat", 3), ("regions", 0), ("toeplitz", 0))
# ("columns", 1): in bands of output rows, padding's taps left out;
# ("flat", k): k trailing kernel axes shifted; ("regions", 0): columns
# with the batch innermost, box by box, padding's taps left out along
# every axis; ("toeplitz", 0): whole rows of the last axis against
# Toeplitz-like matrices


def forward(x, weight, stride, pads, dilation, groups, out, y=None,
            path=None):
    """Cross-correlate x (N, C_in, *S) with weight (C_out, C_in/g, *K).

    A call with enough work is cut into pieces (`_pieces.cut`: slices
    of the batch or of the output rows), computed on the workers
    (`_workers.run`); each piece chooses its way.

    Parameters
    ----------
    x : ndarray, shape (N, C_in, *S)
    weight : ndarray, shape (C_out, C_in / groups, *K)
    stride, dilation : tuple of int
    pads : tuple of (int, int)
        Zeros before and after, per spatial dimension (tuples: the
        geometry is a key of the memoised plans).
    groups : int
    out : tuple of int
        Spatial size of the result (`convlib.shapes.conv_output_size`,
        or smaller: spare windows at the end are dropped).
    y : ndarray, shape (N, C_out, *out), optional
        Where to write the result; may be a strided view.
    path : None, 'pointwise', 'columns', 'flat', 'regions', 'toeplitz' or
        one of `WAYS`
        Force a way (tests do); None chooses by `_costs`, 'flat' chooses
        among the flat way's splits (`_split`).

    Returns
    -------
    ndarray, shape (N, C_out, *out)
        y, if given.
    """
    if y is None:
        y = np.empty((x.shape[0], weight.shape[0]) + tuple(out), x.dtype)
    if y.size == 0:
        return y
    call = Call(x.shape, weight.shape, stride, pads, dilation, groups,
                tuple(out), x.itemsize)
    workers = _workers.workers()
    # inside a piece (a phase of the input gradient) nothing is cut,
    # and the other workers are busy: the all-workers constants
    busy = workers > 1 and _workers.busy()
    work = _schedule(call, _ways(path), _budgets(), workers,
                     _tuning.PIECE_NS, busy)
    if len(work) == 1:  # the whole call, here (the public functions
        # hold OpenBLAS to one thread with several workers)
        _RUN[work[0][1].path](x, weight, y, work[0][1])
    else:
        _workers.run(lambda item: _RUN[item[1].path](
            item[0].input(x), weight, item[0].output(y), item[1]), work)
    return y


def _schedule(call, ways, budgets, workers, piece_ns, busy=False):
    """((piece, plan), ...): the pieces of a call and the `_Plan` of
    each (`_cut_or_whole`), for the cost model's constants in use."""
    return _cut_or_whole(call, ways, budgets, _tuning.costs(1),
                         _tuning.costs(max(2, workers)), workers,
                         piece_ns, _tuning.HANDOFF_NS, busy)


@functools.lru_cache(maxsize=512)
def _cut_or_whole(call, ways, budgets, alone, together, workers,
                  piece_ns, handoff_ns, busy):
    """The pieces of `call` (`_pieces.cut`) with their plans, or the
    whole call as one piece, whichever is estimated faster.

    The whole call runs on one core while the others idle, so its plan
    and estimate use the one-worker constants (`alone`); a piece runs
    beside the others, so its plan and estimate use the all-workers
    constants (`together`: every NumPy call a piece makes may wait for
    Python's lock while another piece holds it), plus `handoff_ns` for
    handing pieces to the helper threads. `busy`: the call is itself
    part of a piece (nothing is cut, the other cores are busy).
    Memoised: a pure function of the shapes and the settings, which
    small calls would otherwise spend most of their time on.
    """
    # beside other pieces, no regions way: its batch-innermost copies
    # move memory the other piece needs (one thread: 0.79-0.86x the
    # time on two dilated layers; in pieces at two workers 1.06-1.08x)
    beside = tuple(way for way in ways if way[0] != "regions")
    if all(way == POINTWISE for way in beside):  # regions forced (tests)
        beside = ways
    if busy:
        return ((whole(call), _plan(call, beside, budgets, together)),)
    plan = _plan(call, ways, budgets, alone)
    worth = _worth(call, budgets, piece_ns) if workers > 1 else 1
    pieces = cut(call, workers, worth)
    if len(pieces) == 1:
        return ((pieces[0], plan),)
    work = tuple((piece, _plan(piece.call, beside, budgets, together))
                 for piece in pieces)
    slowest = max(_estimate(p, budgets, together) for _, p in work)
    if not pieces_pay(slowest, _estimate(plan, budgets, alone), handoff_ns):
        return ((whole(call), plan),)
    return work


def pieces_pay(slowest, whole_ns, handoff_ns):
    """True when work shared out is estimated to finish sooner: the
    slowest share (all-workers constants) plus `handoff_ns` below the
    whole work on one worker (one-worker constants). The rule of
    `_cut_or_whole` and of the phases' bundles (`_conv_nd`)."""
    return slowest + handoff_ns < whole_ns


def cheapest(call, budgets, costs):
    """Estimated ns of `call` (a `Call`) the cheapest way: the least of
    `_costs`, or the pointwise way's where it fits. That is the estimate
    of the way `_plan` picks with the constants `costs` (equal on 5806
    random calls, 1-3-D, both constants); unlike `_plan`, it does not
    depend on which ways are allowed (tests patch `WAYS`)."""
    least = min(_costs(call, budgets, costs).values())
    if _pointwise_fits(call):
        least = min(least, _estimate(
            _Plan("pointwise", call, samples=call.x_shape[0]), budgets,
            costs))
    return least


def _estimate(plan, budgets, costs):
    """Estimated ns of a `_Plan` (the pointwise way: its matmul)."""
    call = plan.call
    if plan.path == "pointwise":
        g = call.groups
        return call.x_shape[0] * g * _gemm(
            costs, call.w_shape[0] // g, call.x_shape[1] // g,
            math.prod(call.out))
    return _costs(call, budgets, costs)[(plan.path, plan.shifted)]


def pieces_worth(call, piece_ns):
    """How many pieces `call` (a `_pieces.Call`) is worth: its time on
    one worker as the cost model estimates it (the cheapest way), in
    units of `piece_ns`. Work is cut for the workers only from two
    pieces' worth (`_tuning.PIECE_NS`): handing a piece to a thread
    costs tens of microseconds, and the NumPy calls of pieces running
    side by side wait for one another on Python's lock."""
    return _worth(call, _budgets(), piece_ns)


@functools.lru_cache(maxsize=512)
def _worth(call, budgets, piece_ns):
    if 0 in call.x_shape + call.w_shape + call.out:  # nothing to do
        return 0
    estimates = _costs(call, budgets, _tuning.costs(1))
    return int(min(estimates.values()) // piece_ns)


def _ways(path):
    """The ways `path` allows (`forward`), pointwise first."""
    if path is None:
        return (POINTWISE,) + WAYS  # a new tuple: tests may patch WAYS
    if path in ("pointwise", POINTWISE):
        return (POINTWISE,)
    return tuple(way for way in WAYS if path in (way, way[0]))


class _Budgets(NamedTuple):
    """The cache budgets of the forward (bytes; see `_tuning`)."""
    flat: int
    sample: int
    column: int


def _budgets():
    return _Budgets(_tuning.FLAT_BYTES, _tuning.SAMPLE_BYTES,
                    _tuning.COLUMN_BYTES)


class _Plan(NamedTuple):
    """How one call's geometry is computed (no array values)."""
    path: str
    call: Call
    samples: int  # per chunk
    layout: object = None  # `_Layout` of the flat path
    shifted: int = 0  # flat: kernel axes shifted; columns: 1 if banded
    groups_of_taps: tuple = ()  # `_split` of the flat path
    block: int = 0  # flat positions per block of columns
    group_step: int = 1  # groups per block of columns
    bands: tuple = ()  # `row_bands` (banded columns), `regions`


def _plan(call, ways, budgets, costs):
    """The `_Plan` for a `Call`: the pointwise way when it is allowed
    and fits; otherwise the cheapest of `ways` by `_costs` (with
    `costs`, a `_tuning.Costs`)."""
    if POINTWISE in ways and _pointwise_fits(call):
        return _Plan("pointwise", call, samples=call.x_shape[0])
    ways = tuple(way for way in ways if way != POINTWISE)
    if not ways:
        raise ValueError("no way to compute this convolution: the "
                         "pointwise way needs a 1x1 kernel and no "
                         "padding")
    name, shifted = ways[0]
    if len(ways) > 1:
        estimates = _costs(call, budgets, costs)
        name, shifted = min(ways, key=lambda way: estimates.get(
            way, math.inf))
    x_shape, kernel = call.x_shape, call.kernel
    if name == "columns":
        per = (x_shape[1] * math.prod(kernel) * math.prod(call.out)
               * call.itemsize)
        return _Plan(name, call, samples=_count(budgets.column, per),
                     shifted=shifted,
                     bands=row_bands(call) if shifted else ())
    if name == "regions":
        return _Plan(name, call, samples=_regions_samples(call, budgets),
                     bands=regions(call))
    if name == "toeplitz":
        return _Plan(name, call, samples=_toeplitz_samples(call, budgets))
    lay = layout(x_shape[2:], kernel, call.stride, call.pads,
                 call.dilation, call.out)
    per = x_shape[1] * len(lay.places) * lay.size * call.itemsize
    samples = min(x_shape[0], _count(budgets.sample, per))
    split = _split(lay, kernel, call.dilation, shifted)
    block, group_step = _blocks(split, call.w_shape, call.groups,
                                call.itemsize, budgets.flat,
                                samples * lay.size)
    return _Plan(name, call, samples=samples, layout=lay,
                 shifted=shifted, groups_of_taps=split, block=block,
                 group_step=group_step)


def _count(budget, per):
    """How many items of `per` bytes fit in `budget` (at least one)."""
    return max(1, budget // max(1, per))


def _blocks(split, w_shape, groups, itemsize, budget, length):
    """(flat positions, groups) a block: its columns and products fit
    `budget`. Long blocks first -- fewer, larger matmuls -- then as
    many groups as still fit (depthwise convolutions have many)."""
    m, c = w_shape[0] // groups, w_shape[1]
    rows = max(len(g.keys) * c + len(g.shifts) * m for g in split)
    block = min(length, _count(budget, rows * itemsize))
    return block, min(groups, _count(budget, rows * block * itemsize))


def _pointwise_fits(call):
    """A 1x1 kernel without padding: at stride 1 a plain matmul; at a
    larger stride the matmul of the positions the stride keeps."""
    return (all(v == 1 for v in call.kernel)
            and not any(lo or hi for lo, hi in call.pads))


def _costs(call, budgets, costs):
    """Estimated ns of each way in `WAYS` for one `Call`, chunked and
    blocked as `_plan` would with `budgets` (a `_Budgets`); `costs`
    are the model's constants (a `_tuning.Costs`).

    All multiply the same weights; they differ in the positions they
    compute (exact, against the flat layout's padded planes), in the
    shapes of their matmuls, and in how they copy: a gather of short
    rows, contiguous slices, or sums of shifted product rows.
    """
    k = costs
    n, c_in = call.x_shape[:2]
    kernel, groups, out = call.kernel, call.groups, call.out
    taps = math.prod(kernel)
    m, c = call.w_shape[0] // groups, c_in // groups
    exact = math.prod(out)
    gather = k.ns_gather + k.ns_gather_row / out[-1]
    per = c_in * taps * exact * call.itemsize
    chunks = -(-n // _count(budgets.column, per))
    estimates = {("columns", 0): n * groups * _gemm(k, m, c * taps, exact)
                 + n * c_in * taps * exact * gather + chunks * k.ns_step}
    rest, rows = math.prod(kernel[1:]), exact // out[0]
    estimates[("columns", 1)] = sum(
        n * groups * _gemm(k, m, c * (t1 - t0) * rest, (o1 - o0) * rows)
        + n * c_in * (t1 - t0) * rest * (o1 - o0) * rows * gather
        + chunks * k.ns_step for o0, o1, t0, t1 in row_bands(call))
    lay = layout(call.x_shape[2:], kernel, call.stride, call.pads,
                  call.dilation, out)
    samples = min(n, _count(budgets.sample, c_in * len(lay.places)
                            * lay.size * call.itemsize))
    chunks, length = -(-n // samples), samples * lay.size
    fixed = (c_in * len(lay.places) * lay.size + m * groups * exact
             ) * n * k.ns_copy  # fill the layout, crop the result
    for shifted in range(len(kernel) + 1):
        split = _split(lay, kernel, call.dilation, shifted)
        block, step = _blocks(split, call.w_shape, groups, call.itemsize,
                              budgets.flat, length)
        blocks = chunks * -(-length // block)
        cost = fixed + blocks * -(-groups // step) * k.ns_step
        for g in split:
            rows, inner = len(g.shifts) * m, len(g.keys) * c
            adds = len(g.shifts) > 1 or len(split) > 1
            copies = 1 if g.grid else len(g.keys)
            cost += groups * blocks * _gemm(k, rows, inner,
                                            n * lay.size / blocks)
            cost += (n * lay.size * groups * (inner * k.ns_copy + rows
                                              * k.ns_add * adds)
                     + blocks * -(-groups // step) * k.ns_op
                     * (copies + adds * len(g.shifts)))
        estimates[("flat", shifted)] = cost
    # grouped: its estimate was 1.5x low on a grouped 5x5 layer (g = 4)
    estimates[("regions", 0)] = (_tuning.REGIONS_MARGIN * _regions_cost(
        call, budgets, k) if groups == 1 else math.inf)
    # one input channel a group only: on 14 plain and grouped layers
    # the toeplitz way took 2-20x the time of the way chosen without it
    estimates[("toeplitz", 0)] = (
        _toeplitz_cost(call, budgets, k) if c == 1 else math.inf)
    return estimates


def _regions_cost(call, budgets, k):
    """Estimated ns of the regions way (`_costs`): the batch-innermost
    copies of the input and the result (short rows: one sample's entry
    apart from the next), and per box the gather of its taps (rows of
    the box's width times the chunk's samples) and its matmul."""
    n, c_in = call.x_shape[:2]
    groups, c_out = call.groups, call.w_shape[0]
    samples = _regions_samples(call, budgets)
    chunks = -(-n // samples)
    cost = batch_last_ns(call, samples, k)
    for box in regions(call):
        sizes = [o1 - o0 for o0, o1, _, _ in box]
        taps = math.prod(t1 - t0 for _, _, t0, t1 in box)
        positions = math.prod(sizes) * samples
        if not taps:
            cost += chunks * (positions * c_out * k.ns_copy + k.ns_op)
            continue
        per_row = c_in * taps * positions // sizes[0] * call.itemsize
        blocks = chunks * -(-sizes[0] // _count(budgets.column, per_row))
        row = samples * (sizes[-1] if call.stride[-1] == 1 else 1)
        cost += chunks * positions * (
            c_in * taps * (k.ns_gather + k.ns_gather_row / row)
            + c_out * k.ns_copy)
        cost += blocks * (groups * _gemm(
            k, c_out // groups, c_in // groups * taps,
            positions * chunks / blocks) + 3 * k.ns_op) + k.ns_step
    return cost


def batch_last_ns(call, samples, costs):
    """Estimated ns of copying a call's input (N, C_in, *S) and its
    result or grad (N, C_out, *out) with the batch innermost (or back),
    `samples` at a time: rows one sample's entry apart, 3x where a
    sample spans a multiple of 4 kB (`_aliased`). The regions way's and
    the tap-by-tap weight gradient's copies."""
    moved = call.x_shape[0] * sum(
        c * math.prod(shape) * (1 + 2 * _aliased((c,) + shape,
                                                 call.itemsize))
        for c, shape in ((call.x_shape[1], call.x_shape[2:]),
                         (call.w_shape[0], call.out)))
    return moved * (costs.ns_gather + costs.ns_gather_row / samples)


def _gemm(costs, m, k, n):
    """Estimated ns of one (m, k) @ (k, n) float32 matmul."""
    if not m * k * n:
        return costs.ns_call
    rate = costs.macs_per_ns * math.prod(
        v / (v + h) for v, h in zip((m, k, n), costs.gemm_half))
    return costs.ns_call + m * k * n / rate


# ---------------------------------------------------------------------
# pointwise and columns
# ---------------------------------------------------------------------

def _pointwise_way(x, weight, y, plan):
    """1x1, no padding: (G, M, C) @ (N, G, C, L), in place. With a
    stride (or spare positions dropped) the positions kept are copied
    first (the reshape copies them)."""
    call = plan.call
    g = call.groups
    if call.x_shape[2:] != call.out:
        x = x[(Ellipsis,) + tuple(slice(0, (o - 1) * s + 1, s) for o, s
                                  in zip(call.out, call.stride))]
    w = weight.reshape(g, weight.shape[0] // g, -1)
    xs = x.reshape(x.shape[0], g, x.shape[1] // g, -1)
    _matmul_into(w, xs, y, (x.shape[0], g, w.shape[1], xs.shape[-1]))


def _matmul_into(a, b, y, shape):
    """``a @ b`` written to y (N, C, *out), reshaped to `shape` (N, G,
    C / G, prod(out)): straight into y when its output axes merge into
    one without a copy, else through a new array. (Asking NumPy for the
    view and catching its refusal took 44 us a call.)"""
    out = range(2, y.ndim - 1)
    if all(y.strides[i] == y.shape[i + 1] * y.strides[i + 1] for i in out):
        np.matmul(a, b, out=y.reshape(shape))  # a view: nothing copied
        return
    y[...] = np.matmul(a, b).reshape(y.shape)


def _columns_way(x, weight, y, plan):
    """The columns way (`_whole_columns`), or in bands of output rows
    (`_banded_columns`) when the plan has them."""
    if plan.shifted:
        _banded_columns(x, weight, y, plan)
    else:
        _whole_columns(x, weight, y, plan)


def _window_steps(xp, call):
    """Strides of the window view (N, C, *K, *out) of the padded input
    xp (N, C, *S): along the kernel axes a dilation's worth of entries,
    along the output axes a stride's worth."""
    space = xp.strides[2:]
    return (xp.strides[:2]
            + tuple(st * d for st, d in zip(space, call.dilation))
            + tuple(st * s for st, s in zip(space, call.stride)))


def _whole_columns(x, weight, y, plan):
    """im2col per chunk of samples, then (G, M, C/G*K) @ columns.

    The windows are viewed straight in column order (N, C, *K, *out),
    so one copy makes the columns.
    """
    call = plan.call
    g, kernel, out = call.groups, weight.shape[2:], y.shape[2:]
    w = weight.reshape(g, weight.shape[0] // g, -1)
    xp = pad(x, call.pads)
    steps = _window_steps(xp, call)
    for i in range(0, x.shape[0], plan.samples):
        part = xp[i:i + plan.samples]
        cols = np.empty(part.shape[:2] + kernel + out, x.dtype)
        np.copyto(cols, strided_view(part, cols.shape, steps))
        cols = cols.reshape(part.shape[0], g, w.shape[2], -1)
        _matmul_into(w, cols, y[i:i + plan.samples],
                     (part.shape[0], g, w.shape[1], cols.shape[-1]))


def _runs(size, k, s, lo, d, out):
    """((o0, o1, t0, t1), ...): outputs 0 to `out` - 1 along one axis
    (input `size`, kernel `k`, stride `s`, `lo` zeros before, dilation
    `d`) cut into runs that meet the same kernel taps, t0 to t1 - 1,
    inside the input -- the other taps meet padding only (t0 == t1
    where the outputs meet padding only)."""
    runs = []
    for o in range(out):
        first = o * s - lo  # input index of tap 0
        taps = [t for t in range(k) if 0 <= first + t * d < size]
        t0, t1 = (taps[0], taps[-1] + 1) if taps else (0, 0)
        if runs and runs[-1][1] == o and runs[-1][2:] == (t0, t1):
            runs[-1] = (runs[-1][0], o + 1, t0, t1)
        else:
            runs.append((o, o + 1, t0, t1))
    return tuple(runs)


def tap_outputs(t, s, lo, d, size, out):
    """(first, stop): the outputs along one axis (`out` of them; input
    `size`, stride `s`, `lo` zeros before, dilation `d`) whose window
    reads tap t inside the input, index o * s - lo + t * d in [0,
    size). An empty range (first == stop) where none does."""
    first = max(0, -(-(lo - t * d) // s))
    return first, max(first, min(out, (size - 1 + lo - t * d) // s + 1))


def _axis_runs(call, axis):
    return _runs(call.x_shape[2 + axis], call.kernel[axis],
                 call.stride[axis], call.pads[axis][0],
                 call.dilation[axis], call.out[axis])


@functools.lru_cache(maxsize=512)
def row_bands(call):
    """((o0, o1, t0, t1), ...): the output rows (first spatial axis) cut
    into runs that meet the same kernel rows, t0 to t1 - 1, inside the
    input -- the other kernel rows meet padding only (`_runs`). Without
    padding one band, every row and tap.
    """
    return _axis_runs(call, 0)


@functools.lru_cache(maxsize=512)
def regions(call):
    """The boxes of the regions way: every combination of one run
    (`_runs`) per axis, as a tuple of (o0, o1, t0, t1) per axis. Over
    a box the same taps meet the input; a box with no tap along some
    axis meets padding only."""
    return tuple(itertools.product(*(_axis_runs(call, a)
                                     for a in range(len(call.kernel)))))


def _banded_columns(x, weight, y, plan):
    """The columns way band by band of output rows (`row_bands`): a
    band's columns hold only the kernel rows that meet the input, so
    neither its copies nor its matmul spend time on the padding's
    zeros (the first axis is not padded at all)."""
    call = plan.call
    g, kernel, out = call.groups, weight.shape[2:], y.shape[2:]
    xp = np.ascontiguousarray(pad(x, ((0, 0),) + tuple(call.pads[1:])))
    steps = _window_steps(xp, call)
    for o0, o1, t0, t1 in plan.bands:
        band = y[:, :, o0:o1]
        if t0 == t1:
            band[...] = 0
            continue
        w = np.ascontiguousarray(weight[:, :, t0:t1]).reshape(
            g, weight.shape[0] // g, -1)
        row = o0 * call.stride[0] - call.pads[0][0] + t0 * call.dilation[0]
        shape = ((t1 - t0,) + kernel[1:] + (o1 - o0,) + out[1:])
        for i in range(0, x.shape[0], plan.samples):
            part = xp[i:i + plan.samples].reshape(-1)[
                row * xp.strides[2] // xp.itemsize:]
            cols = np.empty((min(plan.samples, x.shape[0] - i),
                             x.shape[1]) + shape, x.dtype)
            np.copyto(cols, strided_view(part, cols.shape, steps))
            cols = cols.reshape(cols.shape[0], g, w.shape[2], -1)
            _matmul_into(w, cols, band[i:i + plan.samples],
                         (cols.shape[0], g, w.shape[1], cols.shape[-1]))


def _regions_samples(call, budgets):
    """Samples a chunk of the regions way: all, unless one output row's
    columns (every tap) for all of them take more than the column
    budget -- the boxes are copied in blocks of rows that fit it, and
    the more samples, the longer the rows each copy moves."""
    per = (call.x_shape[1] * math.prod(call.kernel)
           * math.prod(call.out[1:]) * call.itemsize)
    return min(call.x_shape[0], _count(budgets.column, per))


def _regions_way(x, weight, y, plan):
    """The regions way, per chunk of samples: the chunk copied batch
    innermost, (C, *S, n); each box of `regions` into the result
    (C_out, *out, n), copied back at the end. The weights are copied
    once with the input channels last, (C_out, *K, C_in / G), so that a
    box's taps are a slice of runs C_in / G long: cut from (C_out,
    C_in / G, *K), runs of a few entries, they took 38 us a box for a
    (32, 128, 3, 3) weight, 378 of a 878 us call with 9 boxes."""
    taps_first = np.ascontiguousarray(np.moveaxis(weight, 1, -1))
    for i in range(0, x.shape[0], plan.samples):
        part = x[i:i + plan.samples]
        xt = np.ascontiguousarray(np.moveaxis(part, 0, -1))
        yt = np.empty((y.shape[1],) + y.shape[2:] + (part.shape[0],),
                      y.dtype)
        for box in plan.bands:
            _box(xt, taps_first, yt, box, plan.call)
        _batch_first(yt, y[i:i + plan.samples])


def _aliased(shape, itemsize):
    """True when one sample of an (N, *shape) array spans a multiple of
    4 kB: moving the batch axis to or from the end then reads or writes
    entries a multiple of 4 kB apart, which share cache sets. Copying
    (32, 64, 16, 16) batch last took 0.56 ns an entry against 0.18 for
    (32, 24, 16, 16); back, 2.0 ns against 0.3-0.7 for four shapes
    that do not alias."""
    return math.prod(shape) * itemsize % 4096 == 0


def _batch_first(yt, y):
    """Copy yt (C, *out, n) into y (n, C, *out); where samples are 4 kB
    apart (`_aliased`), a block of channels of about 4096 entries at a
    time (the (32, 64, 16, 16) result 1.03 ms -> 0.44 ms)."""
    if not _aliased(y.shape[1:], y.itemsize):
        y[...] = np.moveaxis(yt, -1, 0)
        return
    step = max(1, 4096 // math.prod(y.shape[2:]))
    for c in range(0, y.shape[1], step):
        y[:, c:c + step] = np.moveaxis(yt[c:c + step], -1, 0)


def _box(xt, weight, yt, box, call):
    """One box of `regions`: the columns of its taps (G, *taps, C / G,
    *box, n) are one copy of a strided view of xt (C, *S, n), and one
    matmul a group, with the box's taps of weight (C_out, *K, C / G),
    gives the box's outputs; in blocks of its first axis of about
    `_tuning.COLUMN_BYTES` of columns."""
    spots = tuple(slice(o0, o1) for o0, o1, _, _ in box)
    if any(t0 == t1 for _, _, t0, t1 in box):  # padding only
        yt[(slice(None),) + spots] = 0
        return
    g, n = call.groups, xt.shape[-1]
    c = xt.shape[0] // g
    taps = tuple(t1 - t0 for _, _, t0, t1 in box)
    w = weight[(slice(None),) + tuple(slice(t0, t1) for _, _, t0, t1
                                      in box)]
    w = w.reshape(g, weight.shape[0] // g, -1)  # a copy if taps are cut
    space = xt.strides[1:-1]
    steps = ((xt.strides[0] * c,) + tuple(st * d for st, d in zip(
        space, call.dilation)) + (xt.strides[0],) + tuple(
            st * s for st, s in zip(space, call.stride)) + (xt.strides[-1],))
    (a0, a1, _, _), rest = box[0], box[1:]
    per_row = (g * c * math.prod(taps) * n * xt.itemsize
               * math.prod(o1 - o0 for o0, o1, _, _ in rest))
    rows = _count(_tuning.COLUMN_BYTES, per_row)
    for a in range(a0, a1, rows):
        b = min(a + rows, a1)
        sizes = (b - a,) + tuple(o1 - o0 for o0, o1, _, _ in rest)
        corner = (a,) + tuple(o0 for o0, _, _, _ in rest)  # first output
        first = (o * s - lo + t0 * d for o, (_, _, t0, _), s, (lo, _), d
                 in zip(corner, box, call.stride, call.pads, call.dilation))
        start = sum(i * st for i, st in zip(first, space)) // xt.itemsize
        cols = np.empty((g,) + taps + (c,) + sizes + (n,), xt.dtype)
        np.copyto(cols, strided_view(xt.reshape(-1)[start:], cols.shape,
                                     steps))  # from tap 0's first input
        product = np.matmul(w, cols.reshape(g, math.prod(taps) * c, -1))
        yt[(slice(None), slice(a, b)) + spots[1:]] = product.reshape(
            (yt.shape[0],) + sizes + (n,))


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
    taps: tuple  # per tap, in weight order: (phase, per-dim shifts)
    steps: tuple  # flat positions per step along each dimension
    last: int  # flat position of a sample's last output
    size: int  # flat positions per (channel, phase), one sample
    tail: int  # zeros past the last sample that reads reach
    crop: tuple  # index of the outputs in a block of positions


@functools.lru_cache(maxsize=256)
def layout(spatial, kernel, stride, pads, dilation, out):
    """The `_Layout` of one call's geometry (tuples; memoised)."""
    dims = [_dim_layout(*args) for args in zip(
        spatial, kernel, stride, pads, dilation, out)]
    periods = tuple(p for p, _, _ in dims)
    steps = [math.prod(periods[i + 1:]) for i in range(len(periods))]
    phases = tuple(len(places) for _, _, places in dims)
    taps = tuple(
        (int(np.ravel_multi_index([r for r, _ in k], phases)),
         tuple(shift for _, shift in k))
        for k in itertools.product(*[tap for _, tap, _ in dims]))
    places = tuple(_place(p, dims) for p in np.ndindex(*phases))
    last = sum((o - 1) * st for o, st in zip(out, steps))
    # the farthest read of any split (`_split`): every largest shift
    reach = last + sum(max(shift for _, shift in tap) * st
                       for (_, tap, _), st in zip(dims, steps)) + 1
    size = math.prod(periods)
    return _Layout(periods, places, taps, tuple(steps), last, size,
                   max(0, reach - size),
                   (Ellipsis,) + tuple(slice(0, o) for o in out))


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


def _place(phase, dims):
    """(input slices, block slices) of one phase, or None if empty."""
    chosen = [dim[2][r] for r, dim in zip(phase, dims)]
    if None in chosen:
        return None
    return tuple(c[0] for c in chosen), tuple(c[1] for c in chosen)


def _flat_way(x, weight, y, plan):
    """The flat path, chunk by chunk of samples."""
    _flat_chunks(x, weight, y, plan, range(0, x.shape[0], plan.samples))


def _flat_chunks(x, weight, y, plan, starts):
    """`_flat_chunk` for the samples from each of `starts`.

    The buffers, each group's stacked weights and column views are
    made once and reused by every chunk.
    """
    lay, g = plan.layout, plan.call.groups
    n = min(plan.samples, x.shape[0])
    buf = np.zeros((x.shape[1], len(lay.places), n * lay.size + lay.tail),
                   x.dtype)
    acc = np.empty((weight.shape[0], n * lay.size), y.dtype)
    flat = buf.reshape((g, buf.shape[0] // g) + buf.shape[1:])
    w = weight.reshape(g, weight.shape[0] // g, weight.shape[1], -1)
    work = [(group, _stacked(w, group),
             np.empty((min(g, plan.group_step), w.shape[2],
                       len(group.keys), plan.block + group.reach),
                      x.dtype), _key_grid(flat, group))
            for group in plan.groups_of_taps]
    for i in starts:
        part = slice(i, i + plan.samples)
        _flat_chunk(x[part], buf, flat, acc, y[part], plan, work)


def fill_layout(buf, x, lay):
    """Copy x (n, C, *S) into its places in buf (C, phases, >= n *
    lay.size), a `_Layout`'s flat planes; the rest of buf (the
    padding) is left as it is: zeros."""
    n = x.shape[0]
    blocks = buf[:, :, :n * lay.size].reshape(
        buf.shape[:2] + (n,) + lay.periods)
    for p, place in enumerate(lay.places):
        if place is not None:
            where, at = place
            blocks[(slice(None), p, slice(None)) + at] = x[
                (Ellipsis,) + where].swapaxes(0, 1)


def _flat_chunk(x, buf, flat, acc, y, plan, work):
    """Fill the layout with x (n, C, *S); compute; crop into y."""
    lay, n = plan.layout, x.shape[0]
    fill_layout(buf, x, lay)
    length = (n - 1) * lay.size + lay.last + 1
    groups = plan.call.groups
    out = acc[:, :length].reshape(groups, -1, length)
    for g0 in range(0, groups, plan.group_step):
        part = slice(g0, g0 + plan.group_step)
        for a in range(0, length, plan.block):
            b = min(a + plan.block, length)
            for i, (group, weights, cols, grid) in enumerate(work):
                _group_products(
                    flat[part], group, weights[part], cols,
                    None if grid is None else grid[part], a,
                    out[part, :, a:b], first=i == 0)
    grid = acc[:, :n * lay.size].reshape((acc.shape[0], n) + lay.periods)
    y[...] = grid[lay.crop].swapaxes(0, 1)


class _Group(NamedTuple):
    """Taps computed by one matmul of the flat way (see `_split`)."""
    keys: tuple  # copied column sources: (phase, flat shift)
    shifts: tuple  # flat shifts of the products, summed into the output
    taps: tuple  # the group's taps (weight order) or None: all of them
    grid: tuple  # one phase: (kernel axes copied, their flat steps)
    reach: int  # the largest shift


def _split(lay, kernel, dilation, shifted):
    """The `_Group`s of the flat way with `shifted` trailing kernel axes.

    A tap's shift is split in two: the part along the leading axes is
    copied into columns (a contiguous slice per key), the part along
    the `shifted` trailing axes is applied to the matmul's product rows,
    which are then summed. shifted=0 is im2col on the flat layout (one
    matmul, inner size C*K); shifted=n copies nothing (inner size C,
    K*M product rows). In between, both copies and sums shrink. With
    several phases and shifted > 0, each phase is its own matmul, so
    that every key meets every shift of its group (no zero weights).
    """
    n = len(kernel)
    cut = n - min(shifted, n)
    by_phase = {}
    for t, (phase, dims) in enumerate(lay.taps):
        by_phase.setdefault(0 if cut == n else phase, []).append(
            (t, (phase,) + dims[:cut], dims[cut:]))
    return tuple(_group(members, lay, kernel, dilation, cut)
                 for members in by_phase.values())


def _group(members, lay, kernel, dilation, cut):
    """One `_Group` from its (tap, key, shift) members."""
    keys, shifts = {}, {}
    found = [(keys.setdefault(head, len(keys)),
              shifts.setdefault(tail, len(shifts)))
             for _, head, tail in members]
    if found != [divmod(i, len(shifts)) for i in range(len(found))]:
        raise AssertionError("taps out of key-major order")  # `_stacked`
    taps = [t for t, _, _ in members]
    shifts = tuple(_offset(v, lay.steps[cut:]) for v in shifts)
    grid = None
    if len(lay.places) == 1:
        grid = (kernel[:cut], tuple(d * st for d, st in
                                    zip(dilation, lay.steps[:cut])))
    return _Group(tuple((h[0], _offset(h[1:], lay.steps)) for h in keys),
                  shifts, None if taps == list(range(len(lay.taps)))
                  else tuple(taps), grid, max(shifts))


def _offset(shifts, steps):
    return sum(s * st for s, st in zip(shifts, steps))


def _stacked(w, group):
    """(G, S*M, C*keys) from w (G, M, C, K): tap t's weights at (its
    shift, its key). A group's taps come in weight order, keys (leading
    axes) slower than shifts (trailing axes), so its tap i has key
    i // S and shift i % S: a transpose, no copy when S is 1."""
    g, m, c, _ = w.shape
    if group.taps is not None:
        w = w[..., list(group.taps)]
    keys, shifts = len(group.keys), len(group.shifts)
    w = w.reshape(g, m, c, keys, shifts).transpose(0, 4, 1, 2, 3)
    return w.reshape(g, shifts * m, c * keys)


def _key_grid(flat, group):
    """With one phase, a strided view of flat (G, C, 1, positions)
    whose copy is every key's columns at once (keys in kernel order);
    otherwise None."""
    if group.grid is None:
        return None
    kernel, steps = group.grid
    item = flat.itemsize
    count = flat.shape[-1] - max(shift for _, shift in group.keys)
    return strided_view(flat[:, :, 0], flat.shape[:2] + kernel + (count,),
                        flat.strides[:2] + tuple(k * item for k in steps)
                        + (item,))


def _group_products(flat, group, weights, cols, grid, a, out, first):
    """out (G, M, B) = (or +=, unless first) the group's products for
    the flat positions from a: copy the keys' columns, one matmul,
    then sum the product rows, each block shifted by its shift."""
    width = out.shape[-1]
    span = width + group.reach
    part = cols[:out.shape[0], ..., :span]
    if grid is not None:
        part.reshape(grid.shape[:-1] + (span,))[...] = grid[
            ..., a:a + span]
    else:
        for k, (phase, shift) in enumerate(group.keys):
            part[:, :, k] = flat[:, :, phase, a + shift:a + shift + span]
    part = part.reshape(part.shape[0], -1, span)
    if len(group.shifts) == 1 and first:
        np.matmul(weights, part[..., group.reach:], out=out)
        return
    rows = np.matmul(weights, part)
    m = out.shape[1]
    for v, shift in enumerate(group.shifts):
        piece = rows[:, v * m:(v + 1) * m, shift:shift + width]
        if first and v == 0:
            out[...] = piece
        else:
            out += piece


# ---------------------------------------------------------------------
# toeplitz
# ---------------------------------------------------------------------

def _toeplitz_samples(call, budgets):
    """Samples a chunk of the toeplitz way: as many as have their rows
    (`_toeplitz_way`) within the column budget."""
    per = (call.x_shape[1] * math.prod(call.out[:-1])
           * math.prod(call.kernel[:-1]) * call.x_shape[-1] * call.itemsize)
    return min(call.x_shape[0], _count(budgets.column, per))


def _toeplitz_cost(call, budgets, k):
    """Estimated ns of the toeplitz way (`_costs`): padding the leading
    axes, the copy of the rows (whole input rows, one per output row
    and kernel row along the leading axes), building the matrices,
    one matmul per group and chunk, and the copy into the result."""
    n, c_in = call.x_shape[:2]
    g, c_out = call.groups, call.w_shape[0]
    width, wide = call.x_shape[-1], call.out[-1]
    lead_taps, lead_out = math.prod(call.kernel[:-1]), math.prod(
        call.out[:-1])
    inner = c_in // g * lead_taps * width
    chunks = -(-n // _toeplitz_samples(call, budgets))
    cost = (chunks * (k.ns_step + 3 * k.ns_op)
            + (2 + call.kernel[-1]) * k.ns_op)
    if any(lo or hi for lo, hi in call.pads[:-1]):  # padded copy
        padded = math.prod(s + lo + hi for s, (lo, hi) in
                           zip(call.x_shape[2:-1], call.pads))
        cost += n * c_in * padded * width * k.ns_copy
    row = width * (call.kernel[-2] if len(call.kernel) > 1
                   and call.dilation[-2] == 1 else 1)
    cost += n * lead_out * g * inner * (k.ns_gather + k.ns_gather_row / row)
    cost += g * inner * c_out // g * wide * k.ns_copy  # the matrices
    cost += chunks * g * _gemm(k, c_out // g * wide, inner,
                               n * lead_out / chunks)
    return cost + n * c_out * lead_out * wide * (
        k.ns_gather + k.ns_gather_row / wide)


def _toeplitz_matrices(weight, call):
    """(G, C/G * prod(K[:-1]) * W, M * out[-1]): per group, the
    weights placed so that a row of the input (every input channel of
    the group, every leading kernel tap, the whole last axis) times the
    matrix gives that output row's M channels along the last axis --
    each column holds the last axis' kernel taps, shifted by the stride
    from one column to the next. Taps that fall in the last axis'
    padding are left out (zeros).

    Laid out (G, C/G, *K[:-1], W, M, out[-1]), one tap's weights for
    successive outputs are ``stride * M * out[-1] + 1`` entries apart:
    each tap is one strided view, filled at once.
    """
    g, (c_out, c) = call.groups, call.w_shape[:2]
    m, width, wide = c_out // g, call.x_shape[-1], call.out[-1]
    lead, s, d = call.kernel[:-1], call.stride[-1], call.dilation[-1]
    lo = call.pads[-1][0]
    mat = np.zeros((g, c) + lead + (width, m, wide), weight.dtype)
    axes = tuple(range(weight.ndim + 1))  # (G, C/G, *lead, K_last, M)
    w = weight.reshape((g, m, c) + lead + (-1,)).transpose(
        axes[:1] + axes[2:] + axes[1:2])
    size = mat.itemsize
    steps = mat.strides[:-3] + (wide * size, (s * m * wide + 1) * size)
    for j in range(call.kernel[-1]):
        first, last = tap_outputs(j, s, lo, d, width, wide)
        if last == first:
            continue
        col = first * s + j * d - lo
        view = np.ndarray(mat.shape[:-3] + (m, last - first), mat.dtype,
                          buffer=mat, offset=(col * m * wide + first)
                          * size, strides=steps)
        view[...] = w[..., j, :, None]
    return mat.reshape(g, -1, m * wide)


def _toeplitz_way(x, weight, y, plan):
    """The toeplitz way: along every axis but the last, im2col; along
    the last, the whole input row against a Toeplitz-like matrix
    (`_toeplitz_matrices`).

    Per group, the rows (sample, output position along the leading
    axes) hold every input channel's input rows that the kernel's
    leading taps meet, each whole; one matmul with the matrix
    gives the output row of every output channel. The last axis' taps
    and stride live in the matrix, so the rows are copied whole (long
    contiguous copies, however small the kernel) and no tap is
    gathered one by one: a depthwise convolution (one input channel a
    group) becomes one matmul per group whose inner size is the kernel
    times the row, not the kernel alone. It multiplies W / K_last as
    many entries as the windows hold, so it pays on short rows.
    """
    call = plan.call
    g, (c_out, c) = call.groups, weight.shape[:2]
    m, lead_out = c_out // g, call.out[:-1]
    lead = len(lead_out)
    xp = pad(x, tuple(call.pads[:-1]) + ((0, 0),))
    mat = _toeplitz_matrices(weight, call)
    space = xp.strides[2:]
    # view (N, G, C/G, *lead_out, *lead_taps, W) of the rows
    steps = ((xp.strides[0], c * xp.strides[1], xp.strides[1])
             + tuple(st * s for st, s in zip(space[:-1], call.stride))
             + tuple(st * d for st, d in zip(space[:-1], call.dilation))
             + (space[-1],))
    order = (1, 0) + tuple(range(3, 3 + lead)) + (2,) + tuple(
        range(3 + lead, 4 + 2 * lead))  # to (G, N, *lead_out, C/G, ...)
    for i in range(0, x.shape[0], plan.samples):
        part = xp[i:i + plan.samples]
        n = part.shape[0]
        shape = (n, g, c) + lead_out + call.kernel[:-1] + (xp.shape[-1],)
        rows = np.empty(tuple(shape[a] for a in order), x.dtype)
        np.copyto(rows, strided_view(part, shape, steps).transpose(order))
        product = np.matmul(rows.reshape(g, n * math.prod(lead_out), -1),
                            mat)
        # y (n, G, M, *lead_out, W_out) seen as (G, n, *lead_out, M, W):
        # splitting an axis in two is a view whatever y's strides
        view = y[i:i + n].reshape((n, g, m) + y.shape[2:])
        np.copyto(view.transpose((1, 0) + tuple(range(3, 3 + lead))
                                 + (2, 3 + lead)),
                  product.reshape((g, n) + lead_out + (m, y.shape[-1])))


_RUN = {"pointwise": _pointwise_way, "columns": _columns_way,
        "flat": _flat_way, "regions": _regions_way, "toeplitz": _toeplitz_way}
