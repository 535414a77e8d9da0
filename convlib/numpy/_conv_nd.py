"""The N-d convolution kernels behind `convlib.numpy.conv`.

Everything here works on batched arrays (N, C, *spatial) of any number
of spatial dimensions, with tuples of ints for stride and dilation and
((lo, hi), ...) pairs for padding.  See `convlib.numpy.conv` for the
public functions and for how the pieces fit together.
"""
import functools
import itertools
import math
from typing import NamedTuple

import numpy as np

from .. import _args
from .._args import check_array, check_bool
from .._arrays import pad, sliding_windows
from . import _conv_forward, _tuning, _workers
from ._pieces import Call, cut

# ---------------------------------------------------------------------
# The N-d kernels: forward, backward-input (adjoint), backward-weight.
# ---------------------------------------------------------------------

def _chunks(batch, per_sample):
    """Batch slices whose columns take about
    `_tuning.GRAD_COLUMN_BYTES` each.

    Copying the columns and multiplying them while they are still in
    cache is faster (1.5x on the dilated benchmark case) than building
    them for the whole batch first.
    """
    step = max(1, _tuning.GRAD_COLUMN_BYTES // max(1, per_sample))
    return [slice(i, min(i + step, batch)) for i in range(0, batch, step)]


def _windows(padded, kernel, stride, dilation, out):
    """Window view (N, C, *out, *kernel); `out` may drop spare windows."""
    win = sliding_windows(padded, tuple(kernel), stride, dilation)
    return win[(slice(None),) * 2 + tuple(slice(0, o) for o in out)]


def _im2col(win, groups):
    """Copy windows into im2col order (groups, C/groups*K, N*L).

    K is the number of kernel taps and L the number of output positions.
    With the batch inside the columns, one matmul per group covers a
    whole chunk of samples; the innermost, contiguous axis is the output
    width, so the copy reads the input row by row.
    """
    n = (win.ndim - 2) // 2
    axes = ((1,) + tuple(range(2 + n, 2 + 2 * n)) + (0,)
            + tuple(range(2, 2 + n)))
    cols = np.ascontiguousarray(win.transpose(axes))
    rows = win.shape[1] // groups * math.prod(win.shape[2 + n:])
    return cols.reshape(groups, rows,
                        win.shape[0] * math.prod(win.shape[2:2 + n]))


def _channel_major(array, groups):
    """(N, C, *S) -> (groups, C/groups, N*prod(S)), a copy."""
    n, c = array.shape[:2]
    size = n * math.prod(array.shape[2:])
    return np.ascontiguousarray(array.swapaxes(0, 1)).reshape(
        groups, c // groups, size)


def _column_bytes(x, kernel, out):
    """Bytes of one sample's im2col columns."""
    return x.shape[1] * math.prod(kernel) * math.prod(out) * x.itemsize


def _is_depthwise(weight, groups):
    """True when every group sees one input channel (weight (G*M, 1, ..))."""
    return groups > 1 and weight.shape[1] == 1


def _letters(n):
    """einsum letters for n output axes and n kernel axes."""
    return "xyz"[:n], "XYZ"[:n]


def _forward(x, weight, stride, pads, dilation, groups, out=None):
    """Cross-correlate x (N, C_in, *S) with weight (C_out, C_in/g, *K);
    see `_conv_forward.forward` for the ways and how one is chosen."""
    if out is None:
        out = tuple(_args.conv_size(*a) for a in zip(
            x.shape[2:], weight.shape[2:], stride, pads, dilation))
    return _conv_forward.forward(x, weight, stride, pads, dilation,
                                 groups, out)


def _grad_input(grad, weight, in_spatial, stride, pads, dilation, groups):
    """Adjoint of `_forward` in its input: (N, C_out, *O) -> (N, C_in, *S).

    This is also the forward pass of the transposed convolution.  It is
    split into stride-1 correlations with the flipped kernel, one per
    output phase (`_phases`), which reuse the fast forward path; when a
    dimension has both stride and dilation above 1, or that is
    estimated faster (`_use_phases`), the columns ``weight^T @ grad``
    are scattered back instead (col2im).
    """
    if _use_phases(grad.shape, weight.shape, tuple(in_spatial), stride,
                   pads, dilation, groups, grad.itemsize):
        return _phases(grad, weight, tuple(in_spatial), stride, pads,
                       dilation, groups)
    c_in = groups * weight.shape[1]
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(in_spatial, pads))
    target = np.zeros((grad.shape[0], c_in) + padded, grad.dtype)
    scatter = (_scatter_depthwise if _is_depthwise(weight, groups)
               else _scatter_columns)
    workers = _workers.workers()
    if workers == 1 or _workers.busy():  # no pieces to cut
        scatter(target, grad, weight, stride, dilation, groups)
    else:  # pieces of the batch only: rows would overlap in target
        call = Call((grad.shape[0], c_in) + tuple(in_spatial),
                    weight.shape, stride, pads, dilation, groups,
                    grad.shape[2:], grad.itemsize)
        worth = _conv_forward.pieces_worth(call, _tuning.GRAD_PIECE_NS)
        _workers.run(lambda piece: scatter(
            piece.input(target), piece.output(grad), weight, stride,
            dilation, groups), cut(call, workers, worth, rows=False))
    crop = tuple(slice(lo, lo + s) for (lo, _), s in zip(pads, in_spatial))
    return target[(Ellipsis,) + crop]


def _use_phases(grad_shape, w_shape, in_spatial, stride, pads, dilation,
                groups, itemsize):
    """True when `_phases` applies and is estimated the faster way: at
    most `_tuning.SCATTER_FACTOR` times the estimate of col2im
    (`_grad_input_costs`)."""
    if any(s > 1 and d > 1 for s, d in zip(stride, dilation)):
        return False
    if all(s == 1 for s in stride):
        return True
    phases, scatter = _grad_input_costs(
        grad_shape, w_shape, in_spatial, stride, pads, dilation, groups,
        itemsize, _tuning.costs(1), _conv_forward._budgets(),
        _tuning.GRAD_COLUMN_BYTES)
    factor = _tuning.SCATTER_FACTOR
    return factor > 0 and phases <= factor * scatter


@functools.lru_cache(maxsize=512)
def _grad_input_costs(grad_shape, w_shape, in_spatial, stride, pads,
                      dilation, groups, itemsize, costs, budgets,
                      column_bytes):
    """Estimated ns of `_phases` and of col2im for one `_grad_input`
    (memoised: a function of the shapes, the cost model's constants
    `costs` and the cache budgets).

    The phases: each phase's stride-1 correlation as the forward's cost
    model (`_conv_forward._costs`) estimates its cheapest way, or the
    stacked correlation (`_stacked_phases`) if less. col2im
    (`_scatter_columns`): the matmul ``weight^T @ grad`` over the phase
    grid, laying grad out in it, zeroing the result and the phase
    buffers, one contiguous add per product, and each phase's copy to
    its strided slice.
    The depthwise scatter is not estimated (inf): the phases took
    0.24-0.95x its time in all of 19 strided depthwise cases of the
    sweep (one thread).
    """
    if 0 in grad_shape + w_shape + in_spatial:  # nothing to compute
        return 0, 0
    k, n, c_out = costs, grad_shape[0], grad_shape[1]
    c_in, kernel = groups * w_shape[1], w_shape[2:]
    phases = _separate_phases_ns(grad_shape, w_shape, in_spatial, stride,
                                 pads, dilation, groups, itemsize, k,
                                 budgets)
    stacked = _stacked_plan(grad_shape, w_shape, in_spatial, stride, pads,
                            dilation, groups, itemsize)
    if stacked is not None:
        phases = min(phases, _stacked_ns(stacked, k, budgets))
    if w_shape[1] == 1 and groups > 1:  # depthwise
        return phases, math.inf
    grid, on = _phase_grid(tuple(kernel), tuple(grad_shape[2:]), stride,
                           dilation)
    taps, size, count = math.prod(kernel), math.prod(grid), len(on)
    # buffers made (copied or zeroed) and taps added onto one
    made = sum(len(m) > 1 or m[0][1] > 0 for _, m in on)
    adds = sum(len(m) - (m[0][1] == 0) for _, m in on)
    padded = math.prod(s + lo + hi for s, (lo, hi) in zip(in_spatial,
                                                          pads))
    per_sample = c_in * taps * size * itemsize
    chunks = -(-n // max(1, column_bytes // max(1, per_sample)))
    matmul = groups * chunks * _conv_forward._gemm(
        k, c_in // groups * taps, c_out // groups, n * size / chunks)
    # grad laid out with room, the zeroed target, the phase buffers,
    # the taps' contiguous adds, each phase copied to its strided slice
    each = n * c_in * size
    scatter = (matmul + (n * c_out * size + n * c_in * padded
                         + each * made) * k.ns_copy
               + each * adds * k.ns_add
               + each * count * (k.ns_gather + k.ns_gather_row / grid[-1])
               + chunks * ((adds + made + count) * k.ns_op + k.ns_step))
    return phases, scatter


def _lengths(slices, sizes):
    """How many entries each slice takes of an axis of that size."""
    return tuple(len(range(*piece.indices(size)))
                 for piece, size in zip(slices, sizes))


def _phases(grad, weight, in_spatial, stride, pads, dilation, groups):
    """`_grad_input` as prod(stride) dense stride-1 correlations.

    The outputs whose index plus padding is r modulo the stride (a
    phase) only meet the taps r, r + stride, ... of the kernel; for
    them the transposed convolution is a stride-1 correlation of grad
    with that flipped sub-kernel (sub-pixel convolution).  Each phase
    is written to its strided slice of the result; a phase without
    outputs, taps or grad in reach stays zero.  Needs dilation 1 in
    every dimension with stride > 1.  Where it is estimated faster
    (`_stack_pays`), the phases are computed as one correlation
    (`_stacked_phases`).
    """
    shapes = (grad.shape, weight.shape, in_spatial, stride, pads,
              dilation, groups, grad.itemsize)
    if _stack_pays(*shapes):
        return _stacked_phases(grad, weight, in_spatial,
                               _stacked_plan(*shapes))
    result = np.zeros((grad.shape[0], groups * weight.shape[1])
                      + in_spatial, grad.dtype)
    phases = _phase_plans(grad.shape, weight.shape, in_spatial, stride,
                          pads, dilation, groups, grad.itemsize)

    def compute(phase):
        taps, part, sub_pads, where, _ = phase
        target = result[(Ellipsis,) + where]
        _conv_forward.forward(
            grad[(Ellipsis,) + part],
            _flip(weight[(Ellipsis,) + taps], groups),
            (1,) * len(stride), sub_pads, dilation, groups,
            target.shape[2:], y=target)
    workers, bundles = _workers.workers(), None
    if 1 < workers <= len(phases) and not _workers.busy():
        bundles = _phase_bundles(
            tuple(phase[-1] for phase in phases), workers,
            _tuning.costs(1), _tuning.costs(workers),
            _conv_forward._budgets(), _tuning.PIECE_NS,
            _tuning.HANDOFF_NS)
    if bundles is None:
        for phase in phases:
            compute(phase)
    else:  # the phases write disjoint slices: a bundle a worker
        _workers.run(lambda bundle: [compute(phases[i]) for i in bundle],
                     bundles)
    return result


@functools.lru_cache(maxsize=512)
def _phase_plans(grad_shape, w_shape, in_spatial, stride, pads, dilation,
                 groups, itemsize):
    """The phases of `_phases` that have work: (taps, part of grad,
    its padding, outputs, the phase's `Call`) each (see `_phase_dim`).
    Memoised: a function of the shapes."""
    c_out, c_in = grad_shape[1], groups * w_shape[1]
    found = []
    for phase in np.ndindex(*stride):
        plan = [_phase_dim(*args) for args in zip(
            phase, stride, dilation, w_shape[2:], pads, grad_shape[2:],
            in_spatial)]
        if None in plan:
            continue
        taps, part, sub_pads, where = zip(*plan)
        call = Call((grad_shape[0], c_out) + _lengths(part, grad_shape[2:]),
                    (c_in, c_out // groups) + _lengths(taps, w_shape[2:]),
                    (1,) * len(stride), tuple(sub_pads), dilation, groups,
                    _lengths(where, in_spatial), itemsize)
        found.append((taps, part, sub_pads, where, call))
    return tuple(found)


@functools.lru_cache(maxsize=512)
def _phase_bundles(calls, workers, alone, together, budgets, piece_ns,
                   handoff_ns):
    """The phases (their `Call`s) shared out among `workers` workers, as
    bundles of phase numbers balanced by estimated time (each phase, in
    order, to the least loaded worker: a phase's taps r, r + s, ... are
    fewer for a later r); None to compute them one after another, each
    cut into pieces of its own (`_conv_forward.forward`) -- with one
    worker, fewer phases than workers, too little work to share (under
    two `piece_ns` with the one-worker constants `alone`), or where the
    most loaded bundle, estimated with the all-workers constants
    `together`, plus `handoff_ns` is no faster than all the phases
    one after another (the forward's rule, `_conv_forward.
    pieces_pay`). Cutting every phase of a strided transposed
    convolution made pieces a quarter the size: at two workers such
    calls ran 1.19x faster than at one, torch's 1.78x (73 cases of
    three full benchmark runs). Bundled, the transposed forward took
    0.94x the time and the strided backward 0.95x (paired sweep, two
    workers, seed 246802)."""
    if (workers == 1 or len(calls) < max(2, workers)
            or any(0 in call.x_shape + call.w_shape + call.out
                   for call in calls)):
        return None
    times = [_conv_forward.cheapest(call, budgets, alone) for call in calls]
    if sum(times) < 2 * piece_ns:
        return None
    loads, bundles = [0.0] * workers, [[] for _ in range(workers)]
    for i, call in enumerate(calls):  # phases come largest first
        least = loads.index(min(loads))
        loads[least] += _conv_forward.cheapest(call, budgets, together)
        bundles[least].append(i)
    if not _conv_forward.pieces_pay(max(loads), sum(times), handoff_ns):
        return None
    return tuple(tuple(bundle) for bundle in bundles if bundle)


def _phase_dim(r, s, d, k, pads, size, out):
    """One dimension of phase r in `_phases`, or None if it is empty.

    Returns the kernel taps, the part of grad to use, its (lo, hi)
    zero padding and the outputs, as slices but for the padding.
    Output o of the phase takes ``grad[(o + lo - r) // s - t * d]`` times
    ``kernel[r + s * t]`` (d is 1 when s > 1).
    """
    window = _phase_window(r, s, d, k, pads, size, out)
    if window is None:
        return None
    first, count, start, span = window
    lo = max(0, -start)
    hi = max(0, count + span - (size - start))
    return (slice(r, None, s), slice(max(0, start), None), (lo, hi),
            slice(first, None, s))


def _phase_window(r, s, d, k, pads, size, out):
    """(first output, count of outputs, grad index of the first
    window's first entry, span of the dilated sub-kernel) of phase r
    along one dimension (`_phase_dim`), or None when the phase has no
    outputs, no taps or no grad in reach."""
    first = (r - pads[0]) % s  # first output of the phase
    count = len(range(first, out, s))
    span = d * (len(range(r, k, s)) - 1)  # of the dilated sub-kernel
    start = (first + pads[0] - r) // s - span  # grad index of window 0
    if count == 0 or r >= k or start >= size:
        return None
    return first, count, start, span


class _Stacked(NamedTuple):
    """`_stacked_phases`'s geometry (no array values)."""
    call: Call  # the one stride-1 correlation, its weight stacked
    dims: tuple  # per dimension: ((first, count, offset, taps), ...)
    part: tuple  # slices of grad it reads
    phases: int  # prod(stride)


@functools.lru_cache(maxsize=512)
def _stacked_plan(grad_shape, w_shape, in_spatial, stride, pads,
                  dilation, groups, itemsize):
    """The `_Stacked` plan of a strided `_phases` call, or None: when a
    phase is empty (`_phase_window`), every stride is 1 or there is
    nothing to compute.

    Along each dimension the phases' windows, each at its own start in
    grad, are put in one window from the first start to the last end;
    a phase's taps sit at its offset in it, zeros elsewhere. Output j
    of every phase then reads the same window of grad, so all the
    phases are one stride-1 correlation with prod(stride) times the
    output channels (sub-pixel convolution).
    """
    if (all(s == 1 for s in stride)
            or 0 in grad_shape + w_shape + in_spatial):
        return None
    dims, part, sub_pads, kernel, count = [], [], [], [], []
    for s, d, k, pad_pair, size, out in zip(
            stride, dilation, w_shape[2:], pads, grad_shape[2:],
            in_spatial):
        windows = [_phase_window(r, s, d, k, pad_pair, size, out)
                   for r in range(s)]
        if None in windows:
            return None
        taps = [len(range(r, k, s)) for r in range(s)]
        base = min(start for _, _, start, _ in windows)
        length = max(start + span + 1 for _, _, start, span in windows)
        dims.append(tuple((first, n, start - base, t) for (
            first, n, start, _), t in zip(windows, taps)))
        width = (length - base - 1) // d + 1  # taps of the window
        most = max(n for _, n, _, _ in windows)
        lo = max(0, -base)
        hi = max(0, most + d * (width - 1) - lo - (size - max(0, base)))
        part.append(slice(max(0, base), None))
        sub_pads.append((lo, hi))
        kernel.append(width)
        count.append(most)
    c_in, c_out = groups * w_shape[1], grad_shape[1]
    phases = math.prod(stride)
    call = Call((grad_shape[0], c_out) + _lengths(part, grad_shape[2:]),
                (phases * c_in, c_out // groups) + tuple(kernel),
                (1,) * len(stride), tuple(sub_pads), dilation, groups,
                tuple(count), itemsize)
    return _Stacked(call, tuple(dims), tuple(part), phases)


@functools.lru_cache(maxsize=512)
def _stack_pays(grad_shape, w_shape, in_spatial, stride, pads, dilation,
                groups, itemsize):
    """True when `_stacked_phases` applies (`_stacked_plan`) and is
    estimated faster than the phases one by one: its correlation also
    multiplies the zeros of its stacked weight, but it is one
    correlation, not prod(stride), each with its NumPy calls and
    copies. Memoised: a function of the shapes."""
    plan = _stacked_plan(grad_shape, w_shape, in_spatial, stride, pads,
                         dilation, groups, itemsize)
    if plan is None:
        return False
    k, budgets = _tuning.costs(1), _conv_forward._budgets()
    return _stacked_ns(plan, k, budgets) < _separate_phases_ns(
        grad_shape, w_shape, in_spatial, stride, pads, dilation, groups,
        itemsize, k, budgets)


def _stacked_ns(plan, costs, budgets):
    """Estimated ns of `_stacked_phases`: its correlation the cheapest
    way (`_conv_forward.cheapest`), a copy call a phase, and zeroing
    its stacked weight, times `_tuning.STACK_MARGIN`.

    Both ways copy the flipped taps of the weight, which neither
    estimate counts; zeroing is the stacked way's own. Without it (and
    without the margin), a (64, 48, 3, 3) weight at stride 2 on 4x4
    planes went by stacked phases, estimated at 67 us, instead of
    col2im at 57: 136 us against 85, one thread.
    """
    zeros = math.prod(plan.call.w_shape) * costs.ns_copy
    return _tuning.STACK_MARGIN * (
        _conv_forward.cheapest(plan.call, budgets, costs)
        + zeros + costs.ns_step + plan.phases * costs.ns_op)


def _separate_phases_ns(grad_shape, w_shape, in_spatial, stride, pads,
                        dilation, groups, itemsize, costs, budgets):
    """Estimated ns of `_phases` one phase after another: each phase's
    correlation the cheapest way (`_conv_forward._costs`)."""
    return sum(min(_conv_forward._costs(phase[-1], budgets,
                                        costs).values()) + costs.ns_step
               for phase in _phase_plans(grad_shape, w_shape, in_spatial,
                                         stride, pads, dilation, groups,
                                         itemsize))


def _stacked_weight(weight, groups, plan):
    """The weight of `_stacked_phases`' correlation: (G * P * C_in/G,
    C_out/G, *window), phase p's flipped taps at its offsets."""
    c_out, c_in_g = weight.shape[:2]
    n = weight.ndim - 2
    w = weight.reshape((groups, c_out // groups, c_in_g)
                       + weight.shape[2:]).swapaxes(1, 2)
    stacked = np.zeros((groups, plan.phases, c_in_g, c_out // groups)
                       + plan.call.kernel, weight.dtype)
    reverse = (slice(None, None, -1),) * n
    for p, phase in enumerate(itertools.product(*(
            enumerate(dim) for dim in plan.dims))):
        taps = tuple(slice(r, None, len(dim)) for (r, _), dim
                     in zip(phase, plan.dims))
        at = tuple(slice(offset, offset + t) for _, (_, _, offset, t)
                   in phase)
        sub = w[(Ellipsis,) + taps][(Ellipsis,) + reverse]
        stacked[(slice(None), p, Ellipsis) + at] = sub
    return stacked.reshape((-1, c_out // groups) + plan.call.kernel)


def _stacked_phases(grad, weight, in_spatial, plan):
    """`_phases` as one stride-1 correlation (`_stacked_plan`), whose
    output channels are the phases' results, each then copied to its
    strided slice of the result (every entry is in one phase)."""
    groups = plan.call.groups
    y = _conv_forward.forward(
        grad[(Ellipsis,) + plan.part], _stacked_weight(weight, groups,
                                                        plan),
        plan.call.stride, plan.call.pads, plan.call.dilation, groups,
        plan.call.out)
    n, c_in = grad.shape[0], groups * weight.shape[1]
    y = y.reshape((n, groups, plan.phases, c_in // groups)
                  + plan.call.out)
    result = np.empty((n, groups, c_in // groups) + in_spatial,
                      grad.dtype)
    for p, phase in enumerate(itertools.product(*plan.dims)):
        where = tuple(slice(first, None, len(dim)) for (first, _, _, _),
                      dim in zip(phase, plan.dims))
        crop = tuple(slice(0, count) for _, count, _, _ in phase)
        result[(slice(None),) * 3 + where] = y[
            (slice(None), slice(None), p, slice(None)) + crop]
    return result.reshape((n, c_in) + in_spatial)


def _scatter_columns(target, grad, weight, stride, dilation, groups):
    """col2im: ``weight^T @ grad``, each tap's product added onto
    `target` (zeros: it is overwritten where the taps reach).

    The taps that land on the same phase of `target` (the same index
    modulo the stride along every axis) are summed first in a buffer of
    that phase's grid (`_phase_grid`), where each tap is a shift of the
    flat buffer: grad is laid out with room for the largest shift
    (zeros after each axis' outputs), so a tap is one contiguous add
    over every channel and sample, not a strided add of rows as short
    as the output (which took 2 ns an entry on 7x7 grads). Each phase's
    buffer is then copied to its strided slice of `target`.
    """
    c_out, c_in = weight.shape[0], target.shape[1]
    grid, phases = _phase_grid(tuple(weight.shape[2:]),
                               tuple(grad.shape[2:]), tuple(stride),
                               tuple(dilation))
    taps = math.prod(weight.shape[2:])
    size = math.prod(grid)
    inside = (slice(None), slice(None)) + tuple(
        slice(0, o) for o in grad.shape[2:])
    # a transposed view: OpenBLAS reads it as it is, and copying it
    # took longer than the matmul on small calls ((96, 128, 2, 2)
    # weight, one 4x4 sample: 42 us copy, 12 us matmul)
    w = weight.reshape(groups, c_out // groups, -1).transpose(0, 2, 1)
    per_sample = c_in * taps * size * grad.itemsize
    for part in _chunks(grad.shape[0], per_sample):
        n = len(range(*part.indices(grad.shape[0])))
        room = np.zeros((c_out, n) + grid, grad.dtype)
        room[inside] = grad[part].swapaxes(0, 1)
        cols = np.matmul(w, room.reshape(groups, c_out // groups, -1))
        cols = cols.reshape(c_in, taps, n * size)
        for phase, members in phases:
            buf = _phase_sum(cols, members)
            dest = target[part][(Ellipsis,) + tuple(
                slice(r, None, s) for r, s in zip(phase, stride))]
            crop = (Ellipsis,) + tuple(slice(0, min(g, d)) for g, d in
                                       zip(grid, dest.shape[2:]))
            dest[crop] = buf.reshape((c_in, n) + grid).swapaxes(0, 1)[crop]


def _phase_sum(cols, members):
    """The sum of a phase's taps (``((tap, shift), ...)``) in its flat
    grid: cols (C_in, taps, L) -> (C_in, L). A phase of one tap without
    a shift is that tap's product as it is; a first tap without a shift
    starts the sum, else it starts from zeros."""
    (first, shift), rest = members[0], members[1:]
    if shift == 0 and not rest:
        return cols[:, first]
    if shift == 0:
        buf = cols[:, first].copy()
    else:
        buf, rest = np.zeros_like(cols[:, first]), members
    size = buf.shape[-1]
    for t, shift in rest:
        buf[:, shift:] += cols[:, t, :size - shift]
    return buf


@functools.lru_cache(maxsize=512)
def _phase_grid(kernel, out, stride, dilation):
    """(grid, ((phase, ((tap, shift), ...)), ...)) of
    `_scatter_columns`: the grid of a phase (the outputs along each
    axis plus room for the largest shift), and per phase of the result
    that taps land on, its taps (index in weight order) with their
    shifts in the flat grid. Tap offset t along an axis lands on phase
    ``t * d % s`` at grid index ``o + t * d // s`` for output o (with
    dilation 1, a phase's first tap has no shift)."""
    grid = tuple(o + (k - 1) * d // s for k, o, s, d in
                 zip(kernel, out, stride, dilation))
    steps = tuple(math.prod(grid[i + 1:]) for i in range(len(grid)))
    phases = {}
    for tap, offsets in enumerate(np.ndindex(*kernel)):
        phase = tuple(t * d % s for t, s, d in zip(offsets, stride,
                                                   dilation))
        shift = sum(t * d // s * step for t, s, d, step in
                    zip(offsets, stride, dilation, steps))
        phases.setdefault(phase, []).append((tap, shift))
    return grid, tuple((phase, tuple(members))
                       for phase, members in phases.items())


def _scatter_depthwise(target, grad, weight, stride, dilation, groups):
    """col2im for one input channel per group: no matmul needed."""
    c_out, kernel, out = weight.shape[0], weight.shape[2:], grad.shape[2:]
    g = grad.reshape(grad.shape[0], groups, c_out // groups,
                     math.prod(out))
    w = weight.reshape(groups, c_out // groups, -1)
    _add_taps(target, lambda t: np.einsum("ngml,gm->ngl", g, w[:, :, t]),
              kernel, out, stride, dilation)


def _add_taps(target, tap, kernel, out, stride, dilation):
    """Add each tap's (N, C, L) values to its strided slice of `target`."""
    shape = target.shape[:2] + tuple(out)
    for t, where in enumerate(_tap_slices(tuple(kernel), tuple(out),
                                          tuple(stride), tuple(dilation))):
        target[where] += tap(t).reshape(shape)


@functools.lru_cache(maxsize=512)
def _tap_slices(kernel, out, stride, dilation):
    """Per tap, in weight order, the index of the entries of the padded
    input it meets (memoised: a small call spent a third of its time
    building them)."""
    return tuple((Ellipsis,) + tuple(
        slice(k * d, k * d + (o - 1) * s + 1, s)
        for k, d, o, s in zip(offsets, dilation, out, stride))
        for offsets in np.ndindex(*kernel))


def _flip(weight, groups):
    """(C_out, C_in/g, *K) -> (C_in, C_out/g, *K), kernel reversed."""
    c_out, per_group = weight.shape[:2]
    kernel = weight.shape[2:]
    w = weight.reshape((groups, c_out // groups, per_group) + kernel)
    w = w.swapaxes(1, 2).reshape(
        (groups * per_group, c_out // groups) + kernel)
    reverse = (slice(None, None, -1),) * len(kernel)
    return np.ascontiguousarray(w[(Ellipsis,) + reverse])


def _grad_weight(x, grad, kernel, stride, pads, dilation, groups):
    """Gradient of `_forward` in its weight: (C_out, C_in/g, *K).

    A sum over samples and output positions: each piece of the call
    (`_pieces.cut`) gives its share on a worker, and the shares are
    added in order.
    """
    workers = _workers.workers()
    pieces = None
    if workers > 1 and not _workers.busy():
        pieces = _grad_weight_cut(
            Call(x.shape, (grad.shape[1], x.shape[1] // groups)
                 + tuple(kernel), stride, pads, dilation, groups,
                 grad.shape[2:], x.itemsize), workers,
            _tuning.GRAD_PIECE_NS, _tuning.GRAD_TAP_NS)
    if pieces is None:  # no pieces to cut
        return _grad_weight_piece(x, grad, kernel, stride, pads,
                                  dilation, groups)
    shares = _workers.run(lambda piece: _grad_weight_piece(
        piece.input(x), piece.output(grad), kernel, stride,
        piece.call.pads, dilation, groups), pieces)
    total = shares[0]
    for share in shares[1:]:
        total += share
    return total


@functools.lru_cache(maxsize=512)
def _grad_weight_cut(call, workers, piece_ns, tap_ns):
    """The pieces of `_grad_weight` for `call` (its forward's `Call`),
    or None to compute it whole. Memoised: small calls would otherwise
    spend much of their time here."""
    worth = _conv_forward.pieces_worth(call, piece_ns)
    c_in, c_out = call.x_shape[1], call.w_shape[0]
    if _flat_grad_weight_taken(call.kernel, c_in, c_out, call.groups):
        # the flat way makes one NumPy call a tap: pieces whose calls are
        # short wait on Python's lock for each other
        worth = min(worth, _conv_forward.pieces_worth(
            call, tap_ns * math.prod(call.kernel)))
    pieces = cut(call, workers, worth)
    return pieces if len(pieces) > 1 else None


def _grad_weight_piece(x, grad, kernel, stride, pads, dilation, groups):
    """`_grad_weight` of one piece: the depthwise case tap by tap,
    else tap by tap over the outputs each tap reads inside the input
    where that is estimated faster (`_tap_boxes_pay`), else on the
    flat layout where that pays (`_flat_grad_weight_pays`), else by
    im2col columns."""
    if groups > 1 and x.shape[1] == groups:  # depthwise
        return _depthwise_grad_weight(
            _windows(pad(x, pads), kernel, stride, dilation,
                     grad.shape[2:]), grad, groups)
    if (all(k == 1 for k in kernel) and not any(map(any, pads))
            and _pointwise_grad_weight_pays(
                x.shape[0], x.shape[1] // groups, grad.shape[1] // groups,
                groups, math.prod(grad.shape[2:]))):
        return _pointwise_grad_weight(x, grad, stride, groups)
    call = Call(x.shape, (grad.shape[1], x.shape[1] // groups)
                + tuple(kernel), tuple(stride), tuple(pads),
                tuple(dilation), groups, grad.shape[2:], x.itemsize)
    if _tap_boxes_pay(call, _tuning.costs(1), _tuning.TAP_BOXES_MARGIN):
        return _tap_boxes_grad_weight(x, grad, call)
    if _flat_grad_weight_taken(kernel, x.shape[1], grad.shape[1],
                               groups):
        lay = _conv_forward.layout(x.shape[2:], kernel, stride, pads,
                                   dilation, grad.shape[2:])
        return _flat_grad_weight(x, grad, kernel, lay, groups)
    return _columns_grad_weight(x, grad, kernel, stride, pads, dilation,
                                groups)


def _pointwise_grad_weight_pays(n, c_in, c_out, groups, positions):
    """True when the cost model (`_tuning.costs(1)`) expects a 1x1
    kernel's weight gradient to be faster as one matmul per sample
    (`_pointwise_grad_weight`) than by columns: the columns copy input
    and grad (channels first) for one matmul over every sample and
    position; a matmul per sample copies nothing but is smaller. On
    seven 1x1 layers (one thread) the estimate chose the faster way in
    six; where it chose a matmul per sample, that took 0.25-0.85x the
    time of columns (the seventh layer, 8 samples of 7x7, took 0.66x
    but was estimated level)."""
    k = _tuning.costs(1)
    big, small = max(c_in, c_out), min(c_in, c_out)
    columns = (n * positions * groups * (c_in + c_out) * k.ns_copy
               + groups * _conv_forward._gemm(k, big, n * positions,
                                              small))
    per_sample = (n * groups * _conv_forward._gemm(k, big, positions,
                                                   small)
                  + n * groups * c_in * c_out * k.ns_add)
    return per_sample < columns


def _pointwise_grad_weight(x, grad, stride, groups):
    """`_grad_weight` of a 1x1 kernel without padding: the sum over
    samples of grad[n] @ x[n]^T (the positions the stride keeps), one
    matmul per sample, the channels of the larger side on the left
    (faster with OpenBLAS, as in `_columns_grad_weight`)."""
    n, c_out, out = x.shape[0], grad.shape[1], grad.shape[2:]
    if any(s > 1 for s in stride):  # the positions the windows read
        x = x[(Ellipsis,) + tuple(slice(0, (o - 1) * s + 1, s)
                                  for o, s in zip(out, stride))]
    g = grad.reshape(n, groups, c_out // groups, -1)
    xs = x.reshape(n, groups, x.shape[1] // groups, -1)
    if xs.shape[2] > g.shape[2]:
        gw = np.matmul(xs, g.swapaxes(2, 3)).sum(axis=0).swapaxes(1, 2)
    else:
        gw = np.matmul(g, xs.swapaxes(2, 3)).sum(axis=0)
    return gw.reshape((c_out, x.shape[1] // groups) + (1,) * len(out))


def _flat_grad_weight_taken(kernel, c_in, c_out, groups):
    """True when `_grad_weight_piece` takes the flat way: not depthwise
    (tap by tap), and where it pays (a 1x1 kernel, pointwise or
    columns, never does)."""
    depthwise = groups > 1 and c_in == groups
    return not depthwise and _flat_grad_weight_pays(
        kernel, c_out // groups, groups, c_in // groups)


def _flat_grad_weight_pays(kernel, per_group, groups, in_per_group):
    """True where the flat way was measured faster than im2col: several
    taps, more than one input channel a group (with one, each tap's
    matmul is a matrix-vector product), and a grouped convolution or
    few output channels a group (`_tuning.GRAD_FLAT_MAX_CHANNELS`)."""
    return math.prod(kernel) > 1 and in_per_group > 1 and (
        groups > 1 or per_group <= _tuning.GRAD_FLAT_MAX_CHANNELS)


def _flat_grad_weight(x, grad, kernel, lay, groups):
    """``dweight[:, :, t] = grad @ (input shifted by tap t)^T`` on the
    forward's flat layout (`_conv_forward.layout`): grad is placed at
    the output positions of the flat planes (zeros elsewhere), and
    each tap is one matmul with a contiguous slice of the input's
    planes, whose transpose is a view -- nothing is gathered."""
    n, c_in = x.shape[:2]
    c_out, size = grad.shape[1], n * lay.size
    buf = np.zeros((c_in, len(lay.places), size + lay.tail), x.dtype)
    _conv_forward.fill_layout(buf, x, lay)
    g = np.zeros((c_out, size), grad.dtype)
    g.reshape((c_out, n) + lay.periods)[lay.crop] = grad.swapaxes(0, 1)
    length = size - lay.size + lay.last + 1  # up to the last output
    g = g[:, :length].reshape(groups, c_out // groups, length)
    planes = buf.reshape((groups, c_in // groups) + buf.shape[1:])
    starts = (sum(s * step for s, step in zip(shifts, lay.steps))
              for _, shifts in lay.taps)
    return _tap_products(
        ((g, planes[:, :, phase, start:start + length])
         for (phase, _), start in zip(lay.taps, starts)),
        kernel, c_out, c_in // groups, groups, x.dtype)


def _tap_products(taps, kernel, c_out, c, groups, dtype):
    """(C_out, C, *K) weight gradient from one (grad, input) pair a tap
    (an iterable, in weight order), ``(G, M, L)`` and ``(G, C, L)``
    over the same L positions, or None where the tap meets padding only
    (its gradient is zero): grad @ input^T per group. The product is
    small and its inner size long: OpenBLAS was up to 1.6x faster with
    the more channels on the left (C_out 16, C_in 96, 5x5, 3136
    positions: 2.6 against 4.1 ms for the 25 taps)."""
    m = c_out // groups
    few_out = m < c
    gw = np.zeros((math.prod(kernel), groups)
                  + ((c, m) if few_out else (m, c)), dtype)
    for t, pair in enumerate(taps):
        if pair is None:
            continue
        grad, x = pair
        if few_out:
            np.matmul(x, grad.transpose(0, 2, 1), out=gw[t])
        else:
            np.matmul(grad, x.transpose(0, 2, 1), out=gw[t])
    if few_out:
        gw = gw.swapaxes(2, 3)
    return np.moveaxis(gw, 0, -1).reshape((c_out, c) + tuple(kernel))


@functools.lru_cache(maxsize=512)
def _tap_boxes(call):
    """Per kernel tap (in weight order): None when it reads padding
    only, else (outputs, inputs), slices per spatial axis of the
    outputs that read it inside the input and of the inputs they
    read. Memoised: a function of the shapes."""
    boxes = []
    for tap in np.ndindex(*call.kernel):
        found = [(_conv_forward.tap_outputs(t, s, lo, d, size, o), t, s,
                  lo, d)
                 for t, s, (lo, _), d, size, o in zip(
                     tap, call.stride, call.pads, call.dilation,
                     call.x_shape[2:], call.out)]
        if any(a == b for (a, b), *_ in found):
            boxes.append(None)
            continue
        boxes.append((tuple(slice(a, b) for (a, b), *_ in found),
                      tuple(slice(a * s - lo + t * d,
                                  (b - 1) * s - lo + t * d + 1, s)
                            for (a, b), t, s, lo, d in found)))
    return tuple(boxes)


def _tap_boxes_grad_weight(x, grad, call):
    """`_grad_weight` tap by tap: ``dweight[:, :, t]`` is grad over the
    outputs that read tap t inside the input (a box, `_tap_boxes`)
    times the inputs they read, one matmul a tap (a group's). With the
    batch innermost, (C, *S, N), each box is copied in runs as long as
    its last axis times the batch. Exact: where padding puts many taps
    outside the input (dilated or strided kernels on small planes), no
    multiply-add meets a zero, where im2col and the flat layout compute
    them all."""
    g, c_out, c = call.groups, call.w_shape[0], call.w_shape[1]
    xt = np.ascontiguousarray(np.moveaxis(x, 0, -1))
    gt = np.ascontiguousarray(np.moveaxis(grad, 0, -1))
    taps = (None if box is None else (  # each box copied, one by one
        gt[(slice(None),) + box[0]].reshape(g, c_out // g, -1),
        xt[(slice(None),) + box[1]].reshape(g, c, -1))
        for box in _tap_boxes(call))
    return _tap_products(taps, call.kernel, c_out, c, g, x.dtype)


@functools.lru_cache(maxsize=512)
def _tap_boxes_pay(call, costs, margin):
    """True when `_tap_boxes_grad_weight` is estimated faster than the
    way `_grad_weight_piece` would take otherwise (the flat layout or
    im2col columns), its estimate times `margin` (`_tuning.
    TAP_BOXES_MARGIN`), with the forward's cost model (`costs`)."""
    if 0 in call.x_shape + call.w_shape + call.out:  # nothing to do
        return False
    return margin * _tap_boxes_ns(call, costs) < _other_grad_weight_ns(
        call, costs)


def _tap_boxes_ns(call, costs):
    """Estimated ns of `_tap_boxes_grad_weight`: the batch-innermost
    copies of input and grad (3x where samples alias, as the regions
    way's), and per tap the copies of its two boxes (rows as long as
    the box's last axis times the batch) and its matmul."""
    k, n = costs, call.x_shape[0]
    c_in, c_out, g = call.x_shape[1], call.w_shape[0], call.groups
    cost = _conv_forward.batch_last_ns(call, n, k)
    for box in _tap_boxes(call):
        if box is None:
            continue
        sizes = [o.stop - o.start for o in box[0]]
        length = n * math.prod(sizes)
        rows = (sizes[-1] if call.stride[-1] == 1 else 1) * n
        cost += length * (c_in * (k.ns_gather + k.ns_gather_row / rows)
                          + c_out * (k.ns_gather + k.ns_gather_row
                                     / (sizes[-1] * n)))
        cost += g * _conv_forward._gemm(
            k, c_out // g, length, c_in // g) + 3 * k.ns_op
    return cost


def _other_grad_weight_ns(call, costs):
    """Estimated ns of the flat or the columns weight gradient, the one
    `_grad_weight_piece` takes without the tap boxes."""
    k, n = costs, call.x_shape[0]
    c_in, c_out, g = call.x_shape[1], call.w_shape[0], call.groups
    taps, m, c = math.prod(call.kernel), c_out // g, c_in // g
    if _flat_grad_weight_taken(call.kernel, c_in, c_out, g):
        lay = _conv_forward.layout(call.x_shape[2:], call.kernel,
                                   call.stride, call.pads, call.dilation,
                                   call.out)
        length = n * lay.size
        return ((c_in * len(lay.places) + c_out) * length * k.ns_copy
                + taps * (g * _conv_forward._gemm(k, m, length, c)
                          + k.ns_op))
    positions = n * math.prod(call.out)
    gather = k.ns_gather + k.ns_gather_row / call.out[-1]
    return (c_in * taps * positions * gather + c_out * positions * k.ns_copy
            + g * _conv_forward._gemm(k, c * taps, positions, m)
            + 3 * k.ns_op)


def _columns_grad_weight(x, grad, kernel, stride, pads, dilation,
                         groups):
    """`_grad_weight` by im2col columns per chunk of samples."""
    xp, out, c_out = pad(x, pads), grad.shape[2:], grad.shape[1]
    rows = x.shape[1] // groups * math.prod(kernel)  # of the columns
    # the more rows on the left: columns @ grad^T, several times
    # faster with OpenBLAS than grad @ columns^T when the columns have
    # the more rows, and 2.6x slower when they have fewer (a 1x1 layer
    # 8 -> 96, 2048 positions: 0.141 against 0.054 ms)
    cols_left = rows >= c_out // groups
    gw = np.zeros((groups,) + ((rows, c_out // groups) if cols_left
                               else (c_out // groups, rows)), x.dtype)
    for part in _chunks(x.shape[0], _column_bytes(x, kernel, out)):
        cols = _im2col(_windows(xp[part], kernel, stride, dilation, out),
                       groups)  # (G, C_in/G*K, n*L)
        g = _channel_major(grad[part], groups)  # (G, C_out/G, n*L)
        gw += (np.matmul(cols, g.transpose(0, 2, 1)) if cols_left
               else np.matmul(g, cols.transpose(0, 2, 1)))
    if cols_left:
        gw = gw.transpose(0, 2, 1)
    return gw.reshape((c_out, -1) + tuple(kernel))


def _depthwise_grad_weight(win, grad, groups):
    """Weight gradient for one input channel per group, tap by tap."""
    n, c_out = (win.ndim - 2) // 2, grad.shape[1]
    kernel = win.shape[2 + n:]
    o, _ = _letters(n)
    g = grad.reshape((grad.shape[0], groups, c_out // groups)
                     + grad.shape[2:])
    gw = np.empty((groups, c_out // groups) + kernel, grad.dtype)
    for offsets in np.ndindex(*kernel):
        # a plain einsum loop: no copy of the strided tap (optimize=True
        # copies it and is 3-4x slower here)
        gw[(Ellipsis,) + offsets] = np.einsum(
            f"ng{o},ngm{o}->gm", win[(Ellipsis,) + offsets], g)
    return gw.reshape((c_out, 1) + kernel)


def _grad_bias(grad):
    """Gradient of an added per-channel bias: sum over all but axis 1.

    The samples are added first (whole planes at a time), then each
    channel's plane: on (32, 16, 4, 4) and (32, 8, 8, 8) float64, one
    thread, 4.1-4.7 us against 8.9-11.6 for one sum over axes (0, 2, 3),
    whose inner loop runs along rows as short as a plane."""
    planes = grad.sum(axis=0)
    return planes.reshape(len(planes), math.prod(planes.shape[1:])).sum(
        axis=1)


# ---------------------------------------------------------------------
# Argument checking.
# ---------------------------------------------------------------------

class _Args(NamedTuple):
    """Checked arguments of one call, input always batched."""
    x: np.ndarray
    weight: np.ndarray
    bias: object
    stride: tuple
    pads: tuple
    dilation: tuple
    groups: int
    batched: bool
    out: tuple  # spatial size of the output


def _arrays(fn, n, input, weight, bias):
    """The array arguments as float ndarrays (bias may be None)."""
    x = check_array(input, "input", fn, (n + 1, n + 2))
    w = check_array(weight, "weight", fn)
    b = None if bias is None else check_array(bias, "bias", fn, (1,))
    return x, w, b


def _checked(x, w, b, a):
    """`_Args` from the arrays and the layer's `ConvArgs` `a`."""
    dtype = np.result_type(x, w, *(() if b is None else (b,)))
    x, w, b = (None if v is None else v.astype(dtype, copy=False)
               for v in (x, w, b))
    return _Args(x if a.batched else x[None], w, b, a.stride, a.pads,
                 a.dilation, a.groups, a.batched, a.out)


def _parse_conv(fn, n, input, weight, bias, stride, padding, dilation,
                groups):
    """Check the arguments of conv{n}d (`convlib._args`); see `_Args`."""
    x, w, b = _arrays(fn, n, input, weight, bias)
    a = _args.conv_args(fn, n, x.shape, w.shape, _shape(b), stride,
                        padding, dilation, groups)
    return _checked(x, w, b, a)


def _parse_transpose(fn, n, input, weight, bias, stride, padding,
                     output_padding, groups, dilation):
    """Check the arguments of conv_transpose{n}d; see `_Args`."""
    x, w, b = _arrays(fn, n, input, weight, bias)
    a = _args.transpose_args(fn, n, x.shape, w.shape, _shape(b), stride,
                             padding, output_padding, groups, dilation)
    return _checked(x, w, b, a)


def _shape(array):
    return None if array is None else array.shape


def _check_grad(fn, grad_output, a, channels):
    """grad_output, batched, after checking it has the output's shape."""
    g = check_array(grad_output, "grad_output", fn)
    shape = (a.x.shape[0], channels) + a.out
    _args.check_grad_shape(fn, g.shape, shape if a.batched else shape[1:])
    g = g.astype(a.x.dtype, copy=False)
    return g if a.batched else g[None]


def _add_bias(y, b):
    if b is not None:
        y += b.reshape((-1,) + (1,) * (y.ndim - 2))
    return y


# ---------------------------------------------------------------------
# N-d drivers of the public functions in `convlib.numpy.conv`.
# ---------------------------------------------------------------------

@_workers.holding_blas
def _conv(fn, n, input, weight, bias, stride, padding, dilation, groups):
    a = _parse_conv(fn, n, input, weight, bias, stride, padding,
                    dilation, groups)
    y = _forward(a.x, a.weight, a.stride, a.pads, a.dilation, a.groups,
                 a.out)
    y = _add_bias(y, a.bias)
    return y if a.batched else y[0]


def _side_by_side(call, input_task, weight_task):
    """(input_task(), weight_task()): the two gradients of a backward
    pass whose forward is `call`, side by side on two workers when the
    call is worth cutting (`_conv_forward.pieces_worth`) but not worth
    more than `_tuning.SIDE_BY_SIDE_PIECES` pieces, or would be cut
    into rows (`_rows_cost_more`); else one after the other (each cut
    into pieces of its own where that pays).

    Side by side, each gradient is computed whole on its thread: every
    NumPy call stays as large as with one worker, where pieces would
    halve it, and the shorter a NumPy call, the more of it a thread
    spends waiting for Python's lock (see `_tuning`).
    """
    workers = _workers.workers()
    if workers > 1 and not _workers.busy():
        worth = _conv_forward.pieces_worth(call, _tuning.PIECE_NS)
        if 2 <= worth and (worth <= _tuning.SIDE_BY_SIDE_PIECES
                           or _rows_cost_more(call, workers, worth)):
            gx, gw = _workers.run(lambda task: task(),
                                  (input_task, weight_task))
            return gx, gw
    return input_task(), weight_task()


def _rows_cost_more(call, workers, worth):
    """True when `call` would be cut into pieces of output rows and its
    weight gradient is a matmul (not depthwise): each piece of rows
    then computes a whole weight gradient of its own over half the
    positions, and the pieces' sum is added up after. On ResNet-18's
    3x3 stride-1 layers, batch 1, two workers, the backward took
    0.57-0.89x the time side by side; on MobileNet's depthwise layers
    it took up to 1.13x, so those stay in pieces."""
    return (call.w_shape[1] > 1
            and cut(call, workers, worth)[0].rows != slice(None))


@_workers.holding_blas
def _conv_backward(fn, n, grad_output, input, weight, bias, stride,
                   padding, dilation, groups, input_grad=True):
    input_grad = check_bool(input_grad, "input_grad", fn)
    a = _parse_conv(fn, n, input, weight, bias, stride, padding,
                    dilation, groups)
    g = _check_grad(fn, grad_output, a, a.weight.shape[0])
    gx, gw = _gradients(
        Call(a.x.shape, a.weight.shape, a.stride, a.pads, a.dilation,
             a.groups, g.shape[2:], a.x.itemsize),
        (lambda: _grad_input(g, a.weight, a.x.shape[2:], a.stride,
                             a.pads, a.dilation, a.groups))
        if input_grad else None,
        lambda: _grad_weight(a.x, g, a.weight.shape[2:], a.stride,
                             a.pads, a.dilation, a.groups))
    gb = None if a.bias is None else _grad_bias(g)
    return _unbatched(gx, a.batched), gw, gb


def _gradients(call, input_task, weight_task):
    """(input_task(), weight_task()) as `_side_by_side` computes them;
    (None, weight_task()) when `input_task` is None (not asked for)."""
    if input_task is None:
        return None, weight_task()
    return _side_by_side(call, input_task, weight_task)


def _unbatched(grad_input, batched):
    """`grad_input` without the batch axis added for an unbatched input
    (None stays None)."""
    return grad_input if batched or grad_input is None else grad_input[0]


@_workers.holding_blas
def _conv_transpose(fn, n, input, weight, bias, stride, padding,
                    output_padding, groups, dilation):
    a = _parse_transpose(fn, n, input, weight, bias, stride, padding,
                         output_padding, groups, dilation)
    y = _grad_input(a.x, a.weight, a.out, a.stride, a.pads, a.dilation,
                    a.groups)
    y = _add_bias(np.ascontiguousarray(y), a.bias)
    return y if a.batched else y[0]


@_workers.holding_blas
def _conv_transpose_backward(fn, n, grad_output, input, weight, bias,
                             stride, padding, output_padding, groups,
                             dilation, input_grad=True):
    input_grad = check_bool(input_grad, "input_grad", fn)
    a = _parse_transpose(fn, n, input, weight, bias, stride, padding,
                         output_padding, groups, dilation)
    g = _check_grad(fn, grad_output, a, a.weight.shape[1] * a.groups)
    spatial = a.x.shape[2:]
    # the adjoint of the adjoint is the plain convolution
    gx, gw = _gradients(
        Call(g.shape, a.weight.shape, a.stride, a.pads, a.dilation,
             a.groups, spatial, g.itemsize),
        (lambda: _forward(g, a.weight, a.stride, a.pads, a.dilation,
                          a.groups, out=spatial))
        if input_grad else None,
        lambda: _grad_weight(g, a.x, a.weight.shape[2:], a.stride,
                             a.pads, a.dilation, a.groups))
    gb = None if a.bias is None else _grad_bias(g)
    return _unbatched(gx, a.batched), gw, gb
