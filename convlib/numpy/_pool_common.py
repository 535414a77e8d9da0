"""Private helpers shared by the pooling modules.

Everything here works on batched arrays of shape (N, C, *spatial),
through strided views (`convlib._arrays.sliding_windows` and slices) or
contiguous copies of the window entries; `_by_planes` runs an op on
blocks of planes small enough to stay in cache.
"""
import functools
import math

import numpy as np

from .. import _args
from .._args import check_array
from .._arrays import sliding_windows
from . import _tuning, _workers

# shape names and the backward docstring, for the docstring templates
SPATIAL = {1: "L", 2: "H, W", 3: "D, H, W"}
OUT_SPATIAL = {1: "L_out", 2: "H_out, W_out", 3: "D_out, H_out, W_out"}
BACKWARD_DOC = """Gradient of ``{name}`` with respect to its array arguments.

Parameters
----------
grad_output : ndarray, the shape of ``{name}``'s (first) output
*args, **kwargs
    Exactly ``{name}``'s arguments.{note}

Returns
-------
{returns}
"""


def _by_planes(func, *arrays):
    """``func(*arrays)``, computed on a few input planes at a time.

    Pooling treats every (n, c) plane alike, so the arrays are cut
    into blocks of whole planes (`_tuning.POOL_BLOCK_BYTES` of input
    each) and `func` runs on each block, the blocks shared out among
    the workers (`_workers.run`); whole-array NumPy operations on
    blocks that fit in cache are several times faster than on the
    full arrays.

    Parameters
    ----------
    func : callable
        Maps blocks of shape (1, B, ...) to a tuple of arrays of shape
        (1, B, ...), maybe empty.
    *arrays : ndarray, shape (N, C, ...)
        The first sets the block size. `func` may write into blocks of
        C-contiguous ones (they are views).

    Returns
    -------
    list of ndarray, shape (N, C, ...)
        The results of `func`, blocks put back together.
    """
    lead = arrays[0].shape[:2]
    planes = lead[0] * lead[1]
    flat = [a.reshape((1, planes) + a.shape[2:]) for a in arrays]
    step = max(1, _tuning.POOL_BLOCK_BYTES
               // max(1, arrays[0][:1, :1].nbytes))
    blocks = [slice(start, start + step)
              for start in range(0, max(planes, 1), step)]
    if len(blocks) == 1:  # small: no copy into a whole, unless a view
        return [np.ascontiguousarray(r).reshape(lead + r.shape[2:])
                for r in func(*flat)]
    # blocks of planes are independent: the workers share them out
    results = _workers.run(
        lambda block: func(*(a[:, block] for a in flat)), blocks)
    outs = [np.empty((planes,) + r.shape[2:], r.dtype)
            for r in results[0]]
    for block, result in zip(blocks, results):
        for out, part in zip(outs, result):
            out[block] = part[0]
    return [out.reshape(lead + out.shape[1:]) for out in outs]


def _batched(input, n, fn, name="input"):
    """Check a pooling input and give it a batch axis.

    Returns
    -------
    x : ndarray, shape (N, C, *spatial)
        `input` as floats, with a batch axis of 1 added when unbatched.
    unbatched : bool
        True when `input` had shape (C, *spatial).
    """
    x = check_array(input, name, fn, ndims=(n + 1, n + 2))
    unbatched = not _args.pool_input(fn, n, x.shape)
    return (x[None] if unbatched else x), unbatched


def _unbatch(array, unbatched):
    """Undo `_batched`: drop the batch axis of 1 when it was added."""
    return array[0] if unbatched else array


def _extent(out, kernel, stride, dilation):
    """Input extent the `out` windows read, per spatial dimension."""
    return tuple(_args.extent(*a) for a in zip(out, kernel, stride,
                                               dilation))


def _pad(x, kernel, stride, padding, dilation, out, fill):
    """`x` padded with `fill` to exactly what the `out` windows read.

    That is `padding` on the left and whatever ceil mode needs (or
    nothing, or a crop) on the right; no copy when nothing is added.

    Returns
    -------
    ndarray, shape (N, C, *extent)
        ``extent[d] = (out[d] - 1) * stride[d]
        + dilation[d] * (kernel[d] - 1) + 1``.
    """
    extent = _extent(out, kernel, stride, dilation)
    return _pad_to(x, padding, extent, fill)


def _pad_to(x, padding, extent, fill):
    """`x` with `padding` `fill`s on the left, cut or filled to `extent`.

    No copy when nothing is added.
    """
    n = len(extent)
    spatial = x.shape[-n:]
    if not any(padding) and all(e <= size for e, size
                                in zip(extent, spatial)):
        return x[(Ellipsis,) + tuple(slice(0, e) for e in extent)]
    padded = np.empty(x.shape[:-n] + extent, dtype=x.dtype)
    kept = tuple(max(0, min(size, e - p)) for size, e, p
                 in zip(spatial, extent, padding))
    padded[(Ellipsis,) + tuple(slice(p, p + k) for p, k
                               in zip(padding, kept))] = \
        x[(Ellipsis,) + tuple(slice(0, k) for k in kept)]
    for d, (p, k) in enumerate(zip(padding, kept)):  # the borders only
        before = (Ellipsis,) + (slice(None),) * d
        after = (slice(None),) * (n - d - 1)
        padded[before + (slice(0, p),) + after] = fill
        padded[before + (slice(p + k, None),) + after] = fill
    return padded


def _padded_entries(x, kernel, stride, padding, dilation, out, fill):
    """The window entries along the last axis, over `x` padded.

    Entry j of every window along the last axis is
    ``padded[..., j * d::s]`` (`padded` as `_pad` gives it, with `fill`)
    cut to the output width. Each is made as a contiguous copy straight
    from `x`: whole-array operations run several times faster on these
    than on strided views.

    Returns
    -------
    list of k ndarray, shape (N, C, *extent[:-1], out[-1])
        With `extent` as `_pad`'s.
    """
    extent = _extent(out, kernel, stride, dilation)
    s, p, d = stride[-1], padding[-1], dilation[-1]
    entries = []
    for j in range(kernel[-1]):
        left = max(0, -(-(p - j * d) // s))  # windows reading padding
        entries.append(np.ascontiguousarray(_pad_to(
            x[..., left * s + j * d - p::s], padding[:-1] + (left,),
            extent[:-1] + (out[-1],), fill)))
    return entries


def _padded_windows(x, kernel, stride, padding, dilation, out, fill):
    """Window view (N, C, *out, *kernel) over `x` padded with `fill`."""
    padded = _pad(x, kernel, stride, padding, dilation, out, fill)
    return sliding_windows(padded, kernel, stride, dilation)


def _window_sum(windows, n):
    """Sum over the last `n` (kernel) axes, one offset at a time."""
    offsets = list(np.ndindex(*windows.shape[-n:]))
    total = np.array(windows[(Ellipsis,) + offsets[0]])
    for offset in offsets[1:]:
        np.add(total, windows[(Ellipsis,) + offset], out=total)
    return total


def _spread(values, kernel, stride, padding, spatial):
    """Adjoint of `_window_sum` over `_padded_windows` (dilation 1).

    Adds `values` (N, C, *out) to every entry of its window and crops
    the padding: returns shape (N, C, *spatial).
    """
    n = len(kernel)
    out = values.shape[-n:]
    extent = tuple(max(p + size, (o - 1) * s + k) for o, k, s, p, size
                   in zip(out, kernel, stride, padding, spatial))
    acc = np.zeros(values.shape[:-n] + extent, dtype=values.dtype)
    for offset in np.ndindex(*kernel):
        window = tuple(slice(j, j + (o - 1) * s + 1, s)
                       for j, o, s in zip(offset, out, stride))
        acc[(Ellipsis,) + window] += values
    crop = tuple(slice(p, p + size) for p, size in zip(padding, spatial))
    return acc[(Ellipsis,) + crop]


def _first_max(cands, codes=None):
    """Elementwise max of same-shape arrays and where it was, as torch.

    Torch scans a window in order and keeps a value when it is greater
    than the running maximum or is NaN: the first of tied maxima wins,
    and a NaN wins over numbers (the last NaN when there are several).
    The running scan here does the same, one array at a time.

    Parameters
    ----------
    cands : list of ndarray, all of one shape
        The window's entries, in window order.
    codes : list of (ndarray or scalar), optional
        A label for each entry of each array, of one integer type; the
        labels must grow along the list (those of ``cands[j]`` above
        all of ``cands[:j]``'s), as window positions do.

    Returns
    -------
    best : ndarray
        The maximum (NaN propagates).
    code : ndarray, or None without `codes`
        The label of the winner (that of ``cands[0]`` when all are
        -inf).
    """
    first, rest = cands[0], cands[1:]
    best = np.maximum(first, rest[0]) if rest else np.array(first)
    if codes is None:
        for cand in cands[2:]:
            np.maximum(best, cand, out=best)
        return best, None
    if (len(cands) == 2 and type(codes[0]) is type(codes[1]) is np.uint8
            and codes[0] == 0 and codes[1] == 1):  # a pair: one compare
        code = np.greater(rest[0], first)
        if np.isnan(best).any():
            code |= np.isnan(rest[0])
        return best, code.view(np.uint8)
    code = np.empty(best.shape, np.result_type(codes[0]))
    code[...] = codes[0]
    hit, step = np.empty(best.shape, dtype=bool), np.empty_like(code)
    if rest:  # best already includes rest[0]: compare it with first
        _set_where(code, codes[1], np.greater(rest[0], first, out=hit),
                   step)
    for cand, new in zip(cands[2:], codes[2:]):
        _set_where(code, new, np.greater(cand, best, out=hit), step)
        np.maximum(best, cand, out=best)
    if np.isnan(best).any():
        for cand, new in zip(cands, codes):
            _set_where(code, new, np.isnan(cand, out=hit), step)
    return best, code


def _set_where(code, new, mask, step):
    """``code[mask] = new[mask]`` for labels given in increasing order.

    `_first_max` scans the arrays in label order, so a new winner's
    label is above the one it replaces, and the update is
    ``max(code, new * mask)``: arithmetic, much faster than a masked
    copy when `mask` is irregular. (In the NaN pass too: the running
    scan stops advancing at the first NaN.) `step` is scratch space
    shaped like `code`.
    """
    np.multiply(new, mask.view(np.uint8) if step.dtype == np.uint8
                else mask, out=step)
    np.maximum(code, step, out=code)


def _code_type(count):
    """Smallest of uint8 and int64 holding labels 0 .. count - 1."""
    return np.uint8 if count <= 256 else np.int64


def _entries(array, axis, k, s, d):
    """Entry j of every window along one axis, for j < k.

    Entry j starts at ``j * d`` with step `s`; `axis` counts from the
    end (-2 is the one before the last). With a stride above 1 the
    entries are slices of contiguous copies of every s-th row, which
    whole-array operations read faster than a strided view.
    """
    out = _args.conv_size(array.shape[axis], k, s, (0, 0), d)
    tail = (slice(None),) * (-axis - 1)
    phases = {}
    for r in sorted({j * d % s for j in range(k)}):
        phases[r] = array[(Ellipsis, slice(r, None, s)) + tail]
        if s > 1:
            phases[r] = np.ascontiguousarray(phases[r])
    return [phases[j * d % s][(Ellipsis, slice(j * d // s,
                                               j * d // s + out)) + tail]
            for j in range(k)]


def _separable_max(x, kernel, stride, padding, dilation, out,
                   need_arg=False):
    """Window maximum over `x` padded with -inf, one spatial dimension
    at a time (last first).

    The maximum over a box is the maximum over its rows of the row
    maxima; taking torch's winner (`_first_max`) along each dimension
    gives torch's winner in row-major window order. The entries along
    the last axis come from `_padded_entries`, contiguous copies.

    Parameters
    ----------
    x : ndarray, shape (N, C, *spatial)
    kernel, stride, padding, dilation : tuple of int
    out : tuple of int
        Output spatial shape.

    Returns
    -------
    best : ndarray, shape (N, C, *out)
    code : ndarray of uint8 (int64 for large kernels), or None
        Row-major index of the winner in its window, e.g. ``i * kW + j``
        in 2-D; None unless `need_arg`.
    """
    n = len(kernel)
    cands = _padded_entries(x, kernel, stride, padding, dilation, out,
                            -np.inf)
    dtype = _code_type(int(np.prod(kernel)))
    codes = [dtype(j) for j in range(kernel[-1])] if need_arg else None
    best, code = _first_max(cands, codes)
    for d in reversed(range(n - 1)):
        params = (d - n, kernel[d], stride[d], dilation[d])
        codes = None
        if need_arg:
            weight = dtype(np.prod(kernel[d + 1:]))
            codes = [view + dtype(j) * weight for j, view
                     in enumerate(_entries(code, *params))]
        best, code = _first_max(_entries(best, *params), codes)
    return best, code


def tiles(params, spatial, out):
    """True when the windows tile the input: stride equal to the
    kernel, no padding or dilation, every window inside the input (a
    2x2 pool at stride 2, the common case). Each input entry then lies
    in at most one window, and the windows are views of the input
    (`_tile_view`), with no padded copies.
    """
    kernel, stride, padding, dilation = params
    return (tuple(kernel) == tuple(stride) and not any(padding)
            and all(d == 1 for d in dilation)
            and all(o * k <= size for o, k, size in
                    zip(out, kernel, spatial)))


def _tile_view(array, kernel, out):
    """A view (N, C, *out, *kernel) of the tiles of `array`: axis 2 + d
    numbers the windows along dimension d, axis 2 + n + d the entries
    in them. Writable if `array` is. (Cropping to the tiles and
    splitting each axis in two never needs a copy.)"""
    n = len(kernel)
    crop = array[(Ellipsis,) + tuple(slice(0, o * k) for o, k
                                     in zip(out, kernel))]
    split = crop.reshape(array.shape[:2] + tuple(
        size for pair in zip(out, kernel) for size in pair))
    return split.transpose((0, 1) + tuple(range(2, 2 + 2 * n, 2))
                           + tuple(range(3, 3 + 2 * n, 2)))


def tiled_max(x, kernel, out):
    """`_separable_max`'s values for windows that tile the input
    (`tiles`), from views of x rather than padded copies."""
    return _tiled_steps(x, kernel, out, False)[0]


def tiled_max_indices(x, kernel, out):
    """(values, indices) of a max pool whose windows tile the input
    (`tiles`): torch's winners (`_first_max`), each as its flat index
    in its plane, as ``return_indices`` gives it.

    With two or more spatial dimensions they are found on the window
    entries gathered into rows (`_tile_winners`): on a (256, 8, 8)
    block, 2x2 tiles, one thread, 44 us against 94-97 us for the scan
    over strided views of the entries (0.53-0.85x its time on blocks
    of 8x8 to 112x112 planes, 2x2 to 4x4 tiles, and 8x8x8 planes,
    2x2x2 tiles). Along one axis the strided views are long rows: the
    scan runs on them, and each index is its window's start plus the
    winner's place (0.67-0.79x the time of the general index
    arithmetic used before; the gathered rows took 1.03-1.09x).
    """
    planes = x.shape[1]
    if x.ndim == 3:
        best, (code,) = _tiled_steps(x, kernel, out, True)
        return best, code + np.arange(out[0]) * kernel[0]
    best, code, _, offsets = _tile_winners(x, kernel, out)
    starts = _tile_starts(x.shape[2:], tuple(kernel), tuple(out))
    flat = offsets.take(code).reshape(planes, -1)
    flat += starts
    shape = (1, planes) + tuple(out)
    return best.reshape(shape), flat.reshape(shape)


def _tile_winners(x, kernel, out):
    """(best, code, index, offsets): the window entries of a block x
    (1, P, *spatial) gathered into rows (`_tile_index`'s index and
    offsets), and the maximum and winner of each window (`_first_max`;
    `code` numbers the entries in window order), windows in the
    order of the output."""
    index, offsets = _tile_index(x.shape[1], x.shape[2:], tuple(kernel),
                                 tuple(out))
    entries = x.reshape(-1).take(index)
    labels = _code_type(len(entries))
    best, code = _first_max(list(entries),
                            [labels(j) for j in range(len(entries))])
    return best, code, index, offsets


def _split_axis(array, axis, k, o):
    """A view of `array` with axis `axis` cropped to o * k and split in
    (o, k): o tiles of k entries."""
    crop = array[(slice(None),) * axis + (slice(0, o * k),)]
    return crop.reshape(crop.shape[:axis] + (o, k) + crop.shape[axis + 1:])


def _tile_steps(array, axis, k, o):
    """The k entries of the tiles along `axis` (`_split_axis`), views."""
    split = _split_axis(array, axis, k, o)
    return [split[(slice(None),) * (axis + 1) + (j,)] for j in range(k)]


def _tiled_steps(x, kernel, out, need_arg):
    """Tiled max one axis at a time, the last (contiguous) first: the
    maximum of a box is the maximum of its rows' maxima, and the first
    maximum in window order lies in the first row holding the maximum,
    first in that row (the last NaN likewise). Returns (best, codes):
    codes[i] the winner's entry along the i-th axis reduced, or None."""
    best, codes = x, []
    for axis in reversed(range(2, x.ndim)):
        k = kernel[axis - 2]
        labels = ([_code_type(k)(j) for j in range(k)] if need_arg
                  else None)
        best, code = _first_max(_tile_steps(best, axis, k, out[axis - 2]),
                                labels)
        codes.append(code)
    return best, codes


def tiled_max_backward(x, grad, kernel, out, grad_input):
    """The max pool backward for windows that tile the input (`tiles`):
    each window's gradient to its winner (`tiled_max`), written into
    `grad_input` (shape of x; entries no window covers get 0).

    `grad_input` must be C-contiguous (`_by_planes`' blocks are). With
    two or more spatial dimensions the window entries are gathered
    first (`_gathered_max_backward`); along one, the winners are found
    and the gradient spread back on strided views, which are long rows
    there (`_stepped_max_backward`), unless `grad` holds an inf or a
    NaN: spreading multiplies by masks (inf * 0 is NaN), and torch
    gives the other entries 0.
    """
    if x.ndim > 3 or not np.isfinite(grad).all():
        _gathered_max_backward(x, grad, kernel, out, grad_input)
    else:
        _stepped_max_backward(x, grad, kernel, out, grad_input)


def _gathered_max_backward(x, grad, kernel, out, grad_input):
    """`tiled_max_backward` from one gather of the window entries.

    The entries are taken into rows, one per position in the window
    (`_tile_index`), so that the scan for the winner (`_first_max`)
    runs on contiguous rows; each gradient is then put at its winner's
    flat index. A strided view of one entry of every 2-D tile has
    rows as short as the output is wide, and NumPy pays for every row:
    on a (256, 8, 8) block, 2x2 tiles, one thread, 47 against 86 us
    for `_stepped_max_backward` (0.39-0.97x its time on 23 blocks of
    2-D and 3-D tiles, planes from 4x4 to 112x112; along one axis it
    took 1.26x).
    """
    if not grad_input.flags.c_contiguous:  # reshape would copy
        raise ValueError("tiled_max_backward: grad_input must be "
                         "C-contiguous")
    _, code, index, offsets = _tile_winners(x, kernel, out)
    winners = offsets.take(code)
    winners += index[0]
    flat = grad_input.reshape(-1)
    flat[...] = 0
    flat[winners] = grad.reshape(-1)


@functools.lru_cache(maxsize=8)
def _tile_index(planes, spatial, kernel, out):
    """(index, offsets) for `_gathered_max_backward` on a block of
    `planes` planes of size `spatial`, flat: ``index[j]`` the flat
    index in the block of entry j (window order) of every tile, tiles
    in the order of the output; ``offsets[j]`` its distance from entry
    0 of the same tile. Memoised and read-only: about as many bytes as
    the float64 block (blocks are `POOL_BLOCK_BYTES`)."""
    n = len(spatial)
    plane = np.arange(math.prod(spatial)).reshape((1, 1) + spatial)
    tiles = _tile_view(plane, kernel, out)[0, 0]  # (*out, *kernel)
    within = tiles.transpose(tuple(range(n, 2 * n)) + tuple(range(n)))
    within = within.reshape(math.prod(kernel), -1)
    starts = np.arange(planes) * math.prod(spatial)
    index = (within[:, None, :] + starts[None, :, None]).reshape(
        len(within), -1)
    offsets = index[:, 0] - index[0, 0]
    for array in (index, offsets):
        array.flags.writeable = False
    return index, offsets


@functools.lru_cache(maxsize=8)
def _tile_starts(spatial, kernel, out):
    """The flat index in a plane of size `spatial` of each tile's first
    entry, tiles in the order of the output (read-only)."""
    return _tile_index(1, spatial, kernel, out)[0][0]


def _stepped_max_backward(x, grad, kernel, out, grad_input):
    """`tiled_max_backward` one axis at a time, for a finite `grad`:
    the winners are found that way (`_tiled_steps`), and the gradient
    is spread back the same way, multiplied by masks: to the winning
    row of each box, then to the winning entry of that row."""
    _, codes = _tiled_steps(x, kernel, out, True)
    g = grad
    for i, axis in enumerate(range(2, x.ndim)):  # the last reduced first
        code = codes[-1 - i]
        size = x.shape[axis]
        target = (grad_input if axis == x.ndim - 1 else
                  np.empty(g.shape[:axis] + (size,) + g.shape[axis + 1:],
                           g.dtype))
        if out[axis - 2] * kernel[axis - 2] < size:
            target[(slice(None),) * axis
                   + (slice(out[axis - 2] * kernel[axis - 2], None),)] = 0
        entries = _tile_steps(target, axis, kernel[axis - 2],
                              out[axis - 2])
        if len(entries) == 2:  # a pair: codes 0 and 1
            second = code.view(bool)
            np.multiply(g, second, out=entries[1])
            np.multiply(g, np.logical_not(second), out=entries[0])
        else:
            hit = np.empty(code.shape, bool)
            for j, entry in enumerate(entries):
                np.multiply(g, np.equal(code, j, out=hit), out=entry)
        g = target


def _gather_max(x, positions):
    """Like `_separable_max` for windows given by their positions.

    Parameters
    ----------
    x : ndarray, shape (N, C, *spatial)
    positions : list of int ndarray, per dim (out_d, k_d) or
        (N, C, out_d, k_d): coordinate of each window entry.

    Returns
    -------
    values, indices : ndarray, shape (N, C, *out)
        Maxima, and their flat indices into each input plane.
    """
    best, args = x, [None] * len(positions)
    for d in reversed(range(len(positions))):
        pos = positions[d]
        cands = [_take(best, pos[..., j], 2 + d)
                 for j in range(pos.shape[-1])]
        labels = np.arange(len(cands), dtype=_code_type(len(cands)))
        best, args[d] = _first_max(cands, labels)
    coords = _separable_coords(args, positions, x.shape[2:])
    flat = 0
    for coord, size in zip(coords, x.shape[2:]):
        flat = flat * size + coord
    return best, flat


def _take(array, index, axis):
    """Entries of `array` at `index` along `axis`.

    `index` has shape (out,) or, one row per plane, (N, C, out).
    """
    if index.ndim == 1:
        return np.take(array, index, axis=axis)
    shape = (index.shape[:2] + (1,) * (axis - 2) + index.shape[2:]
             + (1,) * (array.ndim - axis - 1))
    return np.take_along_axis(array, index.reshape(shape), axis=axis)


def _separable_coords(args, positions, extent):
    """Coordinates of the maxima found one dimension at a time.

    Dimension 0's kernel index is ``args[0]``; dimension d's is read
    from ``args[d]`` at the coordinates already found for dims < d.

    Parameters
    ----------
    args : list of n arrays
        From `_gather_max`: ``args[d]`` has shape
        (N, C, *extent[:d], *out[d:]), the kernel index along dim d of
        the maximum of each (partly reduced) window.
    positions : list of int ndarray, per dim (out_d, k_d) or
        (N, C, out_d, k_d): coordinate of kernel entry k of window o.
    extent : tuple of int
        Spatial shape of the array the maxima were taken over.

    Returns
    -------
    list of n int64 arrays, shape (N, C, *out)
    """
    shape = args[0].shape
    n, out = len(args), shape[2:]
    planes = np.arange(shape[0] * shape[1]).reshape(shape[:2] + (1,) * n)
    coords, flat = [], None
    for d, arg in enumerate(args):
        if d:
            tail = int(np.prod(out[d:]))
            at = flat + planes * int(np.prod(extent[:d]))
            at *= tail
            at += np.arange(tail).reshape(out[d:])
            arg = np.take(arg.reshape(-1), at)
        pos = positions[d]
        at = arg.astype(np.int64)
        at += np.arange(0, pos.shape[-2] * pos.shape[-1], pos.shape[-1]
                        ).reshape((-1,) + (1,) * (n - d - 1))
        if pos.ndim == 4:
            at += planes * pos[0, 0].size
        coords.append(np.take(pos.reshape(-1), at))
        flat = coords[-1] if flat is None else flat * extent[d] + coords[-1]
    return coords


def _scatter_planes(grad, indices, out, unique=False):
    """Sum `grad` into each plane of `out` at flat `indices`.

    The max backward: `out` is overwritten with zeros plus the sums.
    Entries whose index falls outside the plane are dropped.

    Parameters
    ----------
    grad, indices : ndarray, shape (N, C, *out_spatial)
    out : C-contiguous ndarray, shape (N, C, *spatial)
        Written in place.
    unique : bool
        True when no two entries of a plane share an index inside it
        (windows that do not overlap): a plain assignment then does.
    """
    n_planes = grad.shape[0] * grad.shape[1]
    size = math.prod(out.shape[2:])
    per_plane = math.prod(grad.shape[2:])  # not -1: N may be 0
    glob = indices.reshape(n_planes, per_plane)
    weights = grad.reshape(n_planes, per_plane)
    if glob.size and (glob.min() < 0 or glob.max() >= size):
        keep = (glob >= 0) & (glob < size)
        glob, weights = np.where(keep, glob, 0), np.where(keep, weights, 0)
        unique = False  # the dropped ones now all point at 0
    glob = glob + (np.arange(n_planes) * size)[:, None]
    sums = np.reshape(out, -1, copy=False)
    sums[...] = 0
    if unique:
        sums[glob.reshape(-1)] = weights.reshape(-1)
    else:
        np.add.at(sums, glob.reshape(-1), weights.reshape(-1))


def _check_grad(grad_output, shape, dtype, fn):
    """grad_output as an array of the forward output's shape."""
    grad = check_array(grad_output, "grad_output", fn)
    _args.check_grad_shape(fn, grad.shape, shape)
    return grad.astype(dtype, copy=False)


def _with_doc(template, note="", **fields):
    """Decorator: give a function the docstring `template` filled in."""
    def decorate(func):
        func.__doc__ = template.format(note=note, **fields)
        return func
    return decorate
