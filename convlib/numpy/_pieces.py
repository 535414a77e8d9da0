"""Cutting one convolution into pieces for the workers (`_workers`).

A piece is a whole convolution of its own: some samples of the batch,
or some rows of the output (rows: along the first spatial axis), with
the input rows those output rows read and the part of the padding
that falls among them. Computing every piece and putting the results
side by side gives the whole convolution; each piece writes its own
slice of the output, so the pieces can run on different threads.

The cut (`cut`):

* one piece when the call is small (worth less than two pieces: its
  estimated time on one worker, `_conv_forward.pieces_worth`, is
  under two `_tuning.PIECE_NS`) or there is one worker;
* otherwise one piece per worker, along the batch when it shares out
  evenly (the batch size divides, or it is at least four samples a
  worker); else along the output rows, all samples in every piece, so
  that a batch of one or three still keeps every core busy. A piece of
  rows reads ``dilation * (kernel - 1)`` input rows more than it
  writes, so rows are the second choice.
"""
import functools
from typing import NamedTuple


class Call(NamedTuple):
    """The geometry of one convolution call (no array values).

    Hashable, so that plans and cuts are memoised by it.
    """
    x_shape: tuple  # (N, C_in, *S)
    w_shape: tuple  # (C_out, C_in / groups, *K)
    stride: tuple
    pads: tuple  # ((before, after), ...)
    dilation: tuple
    groups: int
    out: tuple  # spatial size of the output
    itemsize: int = 4

    @property
    def kernel(self):
        return self.w_shape[2:]


class Piece(NamedTuple):
    """Part of a `Call`: its samples and output rows, the input rows
    they read, and the piece's own geometry (a `Call`)."""
    samples: slice
    rows: slice  # output rows (first spatial axis)
    inputs: slice  # input rows (first spatial axis)
    call: Call

    def input(self, x):
        """The piece's view of x (N, C, *S)."""
        return x[self.samples, :, self.inputs]

    def output(self, y):
        """The piece's view of the output y (N, C_out, *out)."""
        return y[self.samples, :, self.rows]


def whole(call):
    """The `Piece` that is all of `call`."""
    return Piece(slice(None), slice(None), slice(None), call)


@functools.lru_cache(maxsize=512)
def cut(call, workers, worth, rows=True):
    """The pieces of `call` for `workers` workers (see the module).

    Parameters
    ----------
    call : Call
    workers : int
    worth : int
        How many pieces the call's work is worth
        (`_conv_forward.pieces_worth`); below 2 it stays whole.
    rows : bool
        False allows pieces of the batch only.

    Returns
    -------
    tuple of Piece
    """
    parts = min(workers, worth)
    n = call.x_shape[0]
    if not rows:
        parts = min(parts, n)
    rows = call.out[0] if rows else 0
    if parts <= 1 or (n < parts and rows < parts):
        return (whole(call),)
    if n % parts == 0 or n >= 4 * parts or rows < parts:
        return tuple(Piece(s, slice(None), slice(None), call._replace(
            x_shape=(s.stop - s.start,) + call.x_shape[1:]))
            for s in shares(n, parts))
    return tuple(_rows(call, r) for r in shares(rows, parts))


def _rows(call, rows):
    """The `Piece` of `call` that writes output rows `rows`."""
    size, k, s, d = (call.x_shape[2], call.kernel[0], call.stride[0],
                     call.dilation[0])
    lo = call.pads[0][0]
    # padded rows [a, b) in the input's own numbering
    a = rows.start * s - lo
    b = (rows.stop - 1) * s + d * (k - 1) + 1 - lo
    before = min(max(0, -a), b - a)  # padding rows in [a, b)
    after = min(max(0, b - size), b - a)
    start = min(max(a, 0), size)
    stop = start + (b - a) - before - after
    shape = call.x_shape[:2] + (stop - start,) + call.x_shape[3:]
    return Piece(slice(None), rows, slice(start, stop), call._replace(
        x_shape=shape, pads=((before, after),) + call.pads[1:],
        out=(rows.stop - rows.start,) + call.out[1:]))


def shares(total, parts):
    """`total` cut into `parts` nearly equal runs: a list of slices,
    the first ones one longer when `parts` does not divide it."""
    parts = max(1, min(parts, total))
    size, extra = divmod(total, parts)
    cuts, start = [], 0
    for i in range(parts):
        stop = start + size + (i < extra)
        cuts.append(slice(start, stop))
        start = stop
    return cuts
