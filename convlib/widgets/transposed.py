"""Chapter 3 demo: the transposed-convolution stepper.

A transposed convolution scatters: every input cell adds its value times
the kernel into the output, at a place that moves `stride` cells per
input cell; overlapping patches add up, and `padding` then crops the
border of the result (`output_padding` keeps more of it at the end).
`scatter_steps` computes that one input cell at a time. The same numbers
come from an ordinary convolution of a larger input, the zero-insertion
view (`zero_insertion_view`): zeros between the input cells, padding
around them, and the kernel flipped. `overlap_counts` and
`phase_counts` count the patches over each output cell, the cause of
checkerboard artifacts. The demo draws both views; its JavaScript
repeats the arithmetic (the tests hold it equal to these functions and
to `convlib.numpy.conv_transpose2d` over every setting it offers).
"""
from collections import namedtuple

import numpy as np

from .. import _args, naive
from .._args import check_array
from ._demo import Demo
from .conv import SEED_INPUT

ScatterStep = namedtuple("ScatterStep",
                         "row col top left patch canvas output counts")
ScatterStep.__doc__ = """One input cell's contribution and the sum so far.

row, col : int, the input cell
top, left : int, where its patch lands on the uncropped canvas
    (``row * stride``, ``col * stride``); its taps are `dilation` apart
patch : ndarray (kH, kW), ``input[row, col] * kernel``
canvas : ndarray, the uncropped sum after this cell, shape
    ``(H - 1) * s + d * (kH - 1) + 1`` per axis, and ``output_padding -
    padding`` zero cells more at the end where that is positive
output : ndarray, `canvas` with `padding` cells cropped from the start
    of each axis and the output size kept
counts : ndarray of int, shape of `output`: how many patches have
    covered each output cell so far (taps only, not the holes between
    dilated taps)
"""

ZeroInsertionView = namedtuple("ZeroInsertionView",
                               "padded kind edges flipped output counts")
ZeroInsertionView.__doc__ = """A transposed convolution as a convolution.

padded : ndarray (Hp, Wp), the input with ``stride - 1`` zeros between
    its cells, ``dilation * (k - 1) - padding`` zeros around it (cropped
    where negative) and ``output_padding`` more at the end
kind : ndarray of int, shape of `padded`: 0 where an input value sits,
    1 for a zero put between input cells, 2 for a zero of the padding
edges : ((top, bottom), (left, right)), the zeros added on each side
    (negative: cells cropped)
flipped : ndarray (kH, kW), the kernel turned by 180 degrees
output : ndarray, `padded` cross-correlated with `flipped` at stride 1
    and the given dilation: ``output[r, c] = sum over (u, v) of
    padded[r + d*u, c + d*v] * flipped[u, v]``
counts : ndarray of int, shape of `output`: how many of those taps
    fall on input values (equal to `overlap_counts`: the patches over
    each output cell in the scatter view)
"""

INPUT, INSERTED, PADDING = 0, 1, 2  # the values of ZeroInsertionView.kind

# The demo's bounded controls and its fixed 3 x 3 input: the top-left
# corner of chapter 1's input (the CNN notes), or all ones (overlap
# counts).
KERNEL_SIZES, STRIDES, PADDINGS = (1, 2, 3, 4), (1, 2, 3), (0, 1, 2)
OUTPUT_PADDINGS, DILATIONS = (0, 1, 2), (1, 2)
STEPPER_INPUTS = {"example": [row[:3] for row in SEED_INPUT[:3]],
                  "ones": [[1] * 3 for _ in range(3)]}


def example_kernel(kernel_size, values="example"):
    """The stepper's k x k kernel: 1, 2, ..., k*k row by row, or ones."""
    fn = "example_kernel"
    k = _args.check_int(kernel_size, "kernel_size", fn)
    if not isinstance(values, str) or values not in STEPPER_INPUTS:
        raise ValueError(f"{fn}: values must be one of "
                         f"{sorted(STEPPER_INPUTS)}, got {values!r}")
    if values == "ones":
        return np.ones((k, k))
    return np.arange(1.0, k * k + 1).reshape(k, k)


def _geometry(fn, x, w, stride, padding, output_padding, dilation):
    """(stride, padding, output_padding, dilation, output shape), checked
    by the argument layer."""
    return _args.transpose_geometry(fn, x.shape, w.shape, stride, padding,
                                    output_padding, dilation)


def scatter_steps(input, kernel, stride=1, padding=0, output_padding=0,
                  dilation=1):
    """A single-channel 2-D transposed convolution, one input cell a step.

    Parameters
    ----------
    input : array_like, shape (H, W)
    kernel : array_like, shape (kH, kW)
    stride, padding, output_padding, dilation : int or (int, int)

    Returns
    -------
    list of ScatterStep
        Row by row over the input cells. The last step's ``output``
        equals ``convlib.numpy.conv_transpose2d(input[None, None],
        kernel[None, None], ...)[0, 0]`` with the same arguments; its
        shape is ``convlib.shapes.conv_transpose_output_size``.

    Raises
    ------
    ValueError
        If the argument layer refuses the setting (`output_padding` not
        below ``max(stride, dilation)``, an output size below 1).
    """
    fn = "scatter_steps"
    x = check_array(input, "input", fn, ndims=(2,))
    w = check_array(kernel, "kernel", fn, ndims=(2,))
    s, p, o, d, out = _geometry(fn, x, w, stride, padding, output_padding,
                                dilation)
    full = [_args.transpose_size(n, k, st, 0, 0, di)
            for n, k, st, di in zip(x.shape, w.shape, s, d)]
    canvas = np.zeros([f + max(oi - pi, 0) for f, oi, pi in zip(full, o, p)])
    covered = np.zeros(canvas.shape, dtype=int)
    crop = (slice(p[0], p[0] + out[0]), slice(p[1], p[1] + out[1]))
    steps = []
    for i, j in np.ndindex(*x.shape):
        top, left = i * s[0], j * s[1]
        taps = (slice(top, top + d[0] * (w.shape[0] - 1) + 1, d[0]),
                slice(left, left + d[1] * (w.shape[1] - 1) + 1, d[1]))
        patch = x[i, j] * w
        canvas[taps] += patch
        covered[taps] += 1
        steps.append(ScatterStep(i, j, top, left, patch, canvas.copy(),
                                 canvas[crop].copy(), covered[crop].copy()))
    return steps


def zero_insertion_view(input, kernel, stride=1, padding=0,
                        output_padding=0, dilation=1):
    """The same transposed convolution as `scatter_steps`, as a convolution.

    Insert ``stride - 1`` zeros between neighbouring input cells
    (`convlib.naive.insert_zeros`), pad with ``dilation * (k - 1)`` zeros
    on each side and `output_padding` more at the end, crop `padding`
    cells from each side, and cross-correlate with the flipped kernel at
    stride 1. Padding by ``d*(k - 1)`` alone gives the whole uncropped sum
    of the patches; each unit of `padding` crops one cell from each side
    of it, which is why PyTorch describes `padding` as adding
    ``dilation * (kernel_size - 1) - padding`` zeros.

    Parameters
    ----------
    input : array_like, shape (H, W)
    kernel : array_like, shape (kH, kW)
    stride, padding, output_padding, dilation : int or (int, int)

    Returns
    -------
    ZeroInsertionView
        Its ``output`` equals the last step's ``output`` of
        `scatter_steps` with the same arguments.

    Raises
    ------
    ValueError
        As `scatter_steps`.
    """
    fn = "zero_insertion_view"
    x = check_array(input, "input", fn, ndims=(2,))
    w = check_array(kernel, "kernel", fn, ndims=(2,))
    s, p, o, d, _ = _geometry(fn, x, w, stride, padding, output_padding,
                              dilation)
    spans = [di * (k - 1) for k, di in zip(w.shape, d)]
    around = [(e, e + oi) for e, oi in zip(spans, o)]
    values = np.pad(naive.insert_zeros(x, s), around)
    kind = np.pad(np.where(naive.insert_zeros(np.ones(x.shape), s) > 0,
                           INPUT, INSERTED), around, constant_values=PADDING)
    keep = tuple(slice(pi, n - pi) for pi, n in zip(p, values.shape))
    flipped = w[::-1, ::-1]
    output, counts = (naive.conv2d(a[None, None], b[None, None],
                                   dilation=d)[0, 0]
                      for a, b in [(values[keep], flipped),
                                   (kind[keep] == INPUT, np.ones(w.shape))])
    edges = tuple((e - pi, e - pi + oi) for e, pi, oi in zip(spans, p, o))
    return ZeroInsertionView(values[keep], kind[keep], edges,
                             flipped.copy(), output, counts.astype(int))


def overlap_counts(input_size, kernel_size, stride=1, padding=0,
                   output_padding=0, dilation=1):
    """How many kernel patches cover each output cell (all-ones case).

    The output of ``conv_transpose2d`` for an all-ones input and an
    all-ones kernel; uneven counts are the checkerboard pattern.

    Parameters
    ----------
    input_size, kernel_size, stride, padding, output_padding, dilation
        int or (int, int)

    Returns
    -------
    ndarray of int, shape ``conv_transpose_output_size(...)``
    """
    fn = "overlap_counts"
    n = _args.ntuple(input_size, 2, "input_size", fn, minimum=1)
    k = _args.ntuple(kernel_size, 2, "kernel_size", fn, minimum=1)
    last = scatter_steps(np.ones(n), np.ones(k), stride, padding,
                         output_padding, dilation)[-1]
    return last.counts


def phase_counts(kernel_size, stride=1, dilation=1):
    """Patches over an output cell far from the border, by its phase.

    Along one axis, output cell ``j`` (counted on the uncropped sum) is
    covered by tap ``u`` of input cell ``i`` when ``j = s*i + d*u``; far
    from the border every ``i`` exists, so the count depends only on
    ``j mod s``: the number of taps ``u`` in ``0 .. k-1`` with
    ``d*u = j (mod s)``.

    Returns
    -------
    list of int, length `stride`
        The count for each phase 0 .. s-1. Unequal counts are a
        checkerboard; a 0 is a hole. In two dimensions a cell's count is
        the product of its row's and its column's.
    """
    fn = "phase_counts"
    k = _args.check_int(kernel_size, "kernel_size", fn, 1)
    s = _args.check_int(stride, "stride", fn, 1)
    d = _args.check_int(dilation, "dilation", fn, 1)
    return [sum(1 for u in range(k) if (d * u - r) % s == 0)
            for r in range(s)]


class TransposedStepper(Demo):
    """Transposed-convolution stepper (see `transposed_stepper`)."""

    name, script = "transposed-stepper", "transposed_stepper.js"
    namespace = "convlibTransposedStepper"
    _esm = Demo.module_for(script, namespace, name)


def transposed_stepper(kernel_size=3, stride=2, padding=0,
                       output_padding=0, dilation=1, values="example",
                       zero_insertion=False):
    """Step through a transposed convolution, in either of two views.

    The 3 x 3 input (chapter 1's top-left corner, or ones) scatters each
    value times the kernel (`example_kernel`) into the output
    (`scatter_steps`: the current cell's patch, the uncropped sum so
    far, the output after cropping); with `zero_insertion` the page
    shows the same computation as a convolution of the zero-inserted,
    padded input with the flipped kernel, one output cell a step
    (`zero_insertion_view`). Both views shade each output cell by the
    number of patches over it (`overlap_counts`, with the numbers
    written in the cells) and say what a large input would give
    (`phase_counts`). Kernel size (1-4), stride (1-3), padding (0-2),
    output_padding (0-2), dilation (1-2), the values and the view are
    chosen in the page, which computes everything itself (no kernel
    needed).

    Returns
    -------
    TransposedStepper
        A widget; ``config`` holds the data, the controls' options and
        the starting settings.
    """
    fn = "transposed_stepper"
    for name, value, allowed in (
            ("kernel_size", kernel_size, KERNEL_SIZES),
            ("stride", stride, STRIDES), ("padding", padding, PADDINGS),
            ("output_padding", output_padding, OUTPUT_PADDINGS),
            ("dilation", dilation, DILATIONS),
            ("values", values, tuple(STEPPER_INPUTS)),
            ("zero_insertion", zero_insertion, (False, True))):
        if name == "values":
            valid = isinstance(value, str)
        elif name == "zero_insertion":
            valid = isinstance(value, bool)
        else:
            valid = _args.is_int(value)
        if not valid or value not in allowed:
            raise ValueError(f"{fn}: {name} must be one of {list(allowed)}"
                             f", got {value!r}")
    kernels = {v: [example_kernel(k, v).astype(int).tolist()
                   for k in KERNEL_SIZES] for v in STEPPER_INPUTS}
    config = dict(inputs=STEPPER_INPUTS, kernels=kernels,
                  kernel_sizes=list(KERNEL_SIZES), strides=list(STRIDES),
                  paddings=list(PADDINGS),
                  output_paddings=list(OUTPUT_PADDINGS),
                  dilations=list(DILATIONS), kernel_size=kernel_size,
                  stride=stride, padding=padding,
                  output_padding=output_padding, dilation=dilation,
                  values=values, zero_insertion=zero_insertion)
    return TransposedStepper(config=config)
