"""Chapter 3 demo: the transposed-convolution stepper.

A transposed convolution scatters: every input cell adds its value times
the kernel into the output, at a place that moves `stride` cells per
input cell; overlapping stamps add up, and `padding` then crops the
border of the result. `scatter_steps` computes that one input cell at a
time; the demo draws it, and its JavaScript repeats the arithmetic (the
tests hold both equal to `convlib.numpy.conv_transpose2d`).
"""
from collections import namedtuple

import numpy as np

from .. import _args
from .._args import check_array
from ._demo import Demo
from .conv import SEED_INPUT

ScatterStep = namedtuple("ScatterStep",
                         "row col top left patch canvas output")
ScatterStep.__doc__ = """One input cell's contribution and the sum so far.

row, col : int, the input cell
top, left : int, where its patch lands on the uncropped canvas
    (``row * stride``, ``col * stride``)
patch : ndarray (kH, kW), ``input[row, col] * kernel``
canvas : ndarray, the uncropped output after this cell, shape
    ``((H - 1) * s + kH, (W - 1) * s + kW)``
output : ndarray, `canvas` with `padding` cells cropped from each side
"""

# The demo's bounded controls and its fixed 3 x 3 input: the top-left
# corner of chapter 1's input (seed 001), or all ones (overlap counts).
KERNEL_SIZES, STRIDES, PADDINGS = (1, 2, 3, 4), (1, 2, 3), (0, 1, 2)
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


def scatter_steps(input, kernel, stride=1, padding=0):
    """A single-channel 2-D transposed convolution, one input cell a step.

    Parameters
    ----------
    input : array_like, shape (H, W)
    kernel : array_like, shape (kH, kW)
    stride, padding : int or (int, int)

    Returns
    -------
    list of ScatterStep
        Row by row over the input cells. The last step's ``output``
        equals ``convlib.numpy.conv_transpose2d(input[None, None],
        kernel[None, None], stride=stride, padding=padding)[0, 0]``;
        its shape is ``convlib.shapes.conv_transpose_output_size``.

    Raises
    ------
    ValueError
        If the padding crops the whole output (output size below 1:
        `convlib._args.transpose_geometry` says so).
    """
    fn = "scatter_steps"
    x = check_array(input, "input", fn, ndims=(2,))
    w = check_array(kernel, "kernel", fn, ndims=(2,))
    s, p, _, _, out_shape = _args.transpose_geometry(
        fn, x.shape, w.shape, stride, padding, 0, 1)
    canvas = np.zeros(tuple(_args.transpose_size(n, k, st, 0, 0, 1)
                            for n, k, st in zip(x.shape, w.shape, s)))
    steps = []
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            top, left = i * s[0], j * s[1]
            patch = x[i, j] * w
            canvas[top:top + w.shape[0], left:left + w.shape[1]] += patch
            output = canvas[p[0]:p[0] + out_shape[0],
                            p[1]:p[1] + out_shape[1]]
            steps.append(ScatterStep(i, j, top, left, patch,
                                     canvas.copy(), output.copy()))
    return steps


def overlap_counts(input_size, kernel_size, stride=1, padding=0):
    """How many kernel stamps cover each output cell (all-ones case).

    The output of ``conv_transpose2d`` for an all-ones input and an
    all-ones kernel; uneven counts are the checkerboard pattern.

    Parameters
    ----------
    input_size, kernel_size, stride, padding : int or (int, int)

    Returns
    -------
    ndarray of int, shape ``conv_transpose_output_size(...)``
    """
    fn = "overlap_counts"
    n = _args.ntuple(input_size, 2, "input_size", fn, minimum=1)
    k = _args.ntuple(kernel_size, 2, "kernel_size", fn, minimum=1)
    last = scatter_steps(np.ones(n), np.ones(k), stride, padding)[-1]
    return last.output.astype(int)


class TransposedStepper(Demo):
    """Transposed-convolution stepper (see `transposed_stepper`)."""

    name, script = "transposed-stepper", "transposed_stepper.js"
    namespace = "convlibTransposedStepper"
    _esm = Demo.module_for(script, namespace, name)


def transposed_stepper(kernel_size=3, stride=2, padding=0,
                       values="example"):
    """Step through a transposed convolution, one input cell at a time.

    The 3 x 3 input (chapter 1's top-left corner, or ones) scatters each
    value times the kernel (`example_kernel`) into the output; the
    current cell's patch, the uncropped sum so far and the output after
    cropping `padding` are drawn. Kernel size (1-4), stride (1-3),
    padding (0-2) and the values are chosen in the page, which computes
    what `scatter_steps` computes (no kernel needed).

    Returns
    -------
    TransposedStepper
        A widget; ``config`` holds the data and the starting settings.
    """
    fn = "transposed_stepper"
    for name, value, allowed in (("kernel_size", kernel_size, KERNEL_SIZES),
                                 ("stride", stride, STRIDES),
                                 ("padding", padding, PADDINGS),
                                 ("values", values, tuple(STEPPER_INPUTS))):
        valid = (isinstance(value, str) if name == "values"
                 else _args.is_int(value))
        if not valid or value not in allowed:
            raise ValueError(f"{fn}: {name} must be one of {list(allowed)}"
                             f", got {value!r}")
    kernels = {v: [example_kernel(k, v).astype(int).tolist()
                   for k in KERNEL_SIZES] for v in STEPPER_INPUTS}
    config = dict(inputs=STEPPER_INPUTS, kernels=kernels,
                  kernel_sizes=list(KERNEL_SIZES), strides=list(STRIDES),
                  paddings=list(PADDINGS), kernel_size=kernel_size,
                  stride=stride, padding=padding, values=values)
    return TransposedStepper(config=config)
