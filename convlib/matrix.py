"""Convolution as a matrix: the T of ``vec(y) = T vec(x)``.

A convolution is linear in its input, so for a fixed input shape it is
a matrix product. `conv_matrix` writes that matrix down from the
definition: output channel o at output position i reads input channel
c at position ``i*stride - padding + u*dilation`` with weight
``weight[o, c - g*C_in/groups, u]`` (g the group of o), and a tap that
lands in the padding reads a zero, so it has no column. Rows and
columns follow NumPy's ``ravel`` of (C_out, *out) and (C_in, *spatial).

T is dense and grows with the image: a teaching and testing tool for
small shapes (chapters 1 and 6 and their demos), never a way to
compute a real convolution. The output size is that of
`convlib.shapes.conv_output_size`; the arguments are checked by
`convlib._args` as for `convlib.numpy.conv2d`.
"""
import numpy as np

from . import _args
from ._args import check_array

__all__ = ["conv_matrix"]


def _input_shape(input_shape, n, fn):
    """(C_in, *spatial) as a tuple of n + 1 ints >= 1."""
    if not (isinstance(input_shape, (tuple, list))
            and len(input_shape) == n + 1
            and all(_args.is_int(v) for v in input_shape)):
        raise TypeError(
            f"{fn}: input_shape must be (C_in, *spatial), a tuple of "
            f"{n + 1} ints for a weight with {n} spatial dimensions, got "
            f"{_args.describe(input_shape)}")
    if any(v < 1 for v in input_shape):
        raise ValueError(
            f"{fn}: input_shape must be >= 1 in every entry, got "
            f"{tuple(input_shape)}")
    return tuple(int(v) for v in input_shape)


def _taps(out, kernel, stride, pads, dilation, spatial):
    """For every (output position, kernel tap) whose input lies inside
    the input: (output position, tap, flat input position), three
    arrays of one entry each, positions in C order."""
    n = len(out)
    at = np.indices(out).reshape(n, -1).T          # (P, n)
    taps = np.indices(kernel).reshape(n, -1).T     # (K, n)
    before = np.array([lo for lo, _ in pads])
    pos = (at[:, None, :] * np.array(stride) - before
           + taps[None, :, :] * np.array(dilation))  # (P, K, n)
    inside = np.all((pos >= 0) & (pos < np.array(spatial)), axis=-1)
    p, k = np.nonzero(inside)
    flat = np.ravel_multi_index(tuple(pos[p, k].T), spatial)
    return p, k, flat


def conv_matrix(weight, input_shape, stride=1, padding=0, dilation=1,
                groups=1):
    """The matrix T of a convolution: ``T @ x.ravel()`` is its output.

    Parameters
    ----------
    weight : ndarray, shape (C_out, C_in/groups, *kernel)
        1 to 3 spatial dimensions, as for ``conv1d`` .. ``conv3d``.
    input_shape : tuple of int, (C_in, *spatial)
        The shape of one input sample (no batch axis).
    stride, padding, dilation, groups
        As in ``torch.nn.functional.conv2d``: ints or tuples; padding
        may also be 'valid' or 'same'.

    Returns
    -------
    T : ndarray, shape (C_out * prod(out), C_in * prod(spatial))
        ``T @ x.ravel() == conv{n}d(x[None], weight, stride=...,
        ...).ravel()`` for every x of `input_shape`, where ``out`` is
        `convlib.shapes.conv_output_size`. Row ``o*prod(out) + i``
        (i the flat output position), column ``c*prod(spatial) + j``
        (j the flat input position). Each row holds the taps of
        ``weight[o]`` that land inside the input; a whole block
        (rows of channel o, columns of channel c) is zero when o and c
        are in different groups. Same float dtype as `weight`.

    Raises
    ------
    TypeError
        If `weight` is not a real array, `input_shape` not a tuple of
        ints, or an argument not an int (or tuple of ints).
    ValueError
        If `weight` has not 3 to 5 dimensions, the channels do not
        match `groups`, or the kernel does not fit the padded input.

    Examples
    --------
    >>> T = conv_matrix(np.array([[[[1., 2.], [3., 4.]]]]), (1, 3, 3))
    >>> T.astype(int)
    array([[1, 2, 0, 3, 4, 0, 0, 0, 0],
           [0, 1, 2, 0, 3, 4, 0, 0, 0],
           [0, 0, 0, 1, 2, 0, 3, 4, 0],
           [0, 0, 0, 0, 1, 2, 0, 3, 4]])
    """
    fn = "conv_matrix"
    w = check_array(weight, "weight", fn, ndims=(3, 4, 5))
    n = w.ndim - 2
    shape = _input_shape(input_shape, n, fn)
    a = _args.conv_args(fn, n, shape, w.shape, None, stride, padding,
                        dilation, groups)
    c_in, spatial = shape[0], shape[1:]
    c_out, per_in = w.shape[:2]
    n_out, n_in = int(np.prod(a.out)), int(np.prod(spatial))
    p, k, flat = _taps(a.out, a.kernel, a.stride, a.pads, a.dilation,
                       spatial)
    o = np.arange(c_out)[:, None, None]                  # (C_out, 1, 1)
    c = (o // (c_out // a.groups)) * per_in \
        + np.arange(per_in)[None, :, None]               # (C_out, C/g, 1)
    rows = np.broadcast_to(o * n_out + p, (c_out, per_in, p.size))
    cols = c * n_in + flat                               # (C_out, C/g, M)
    T = np.zeros((c_out * n_out, c_in * n_in), dtype=w.dtype)
    T[rows, cols] = w.reshape(c_out, per_in, -1)[:, :, k]
    return T
