"""Chapter 1 demos: the output-shape calculator and the window stepper.

Each demo shows the result of plain, tested Python functions:
`shape_report` for the calculator, `window_steps` and `read_counts`
(which cells of the padded input some window reads) for the stepper.
Both ask convlib for the sizes (`_rules`, `convlib._args`); the
JavaScript that runs in the page asks the kit's rules, and the tests
hold the two equal.
"""
from collections import namedtuple

import numpy as np

from .. import _args
from .._args import check_array
from .._arrays import sliding_windows
from . import _rules
from ._demo import Demo, plain_lists as _plain
from ._strings import text

ShapeReport = namedtuple("ShapeReport", "size formula reason")
ShapeReport.__doc__ = """Output size of one dimension, with its working.

size : int or None (None when the settings are invalid)
formula : str, the output-size formula with the numbers substituted
reason : str, why the settings are invalid ('' when they are valid)
"""

WindowStep = namedtuple("WindowStep", "row col top left products total")
WindowStep.__doc__ = """One output cell of a 2-D cross-correlation.

row, col : int, the output cell
top, left : int, the window's corner in the padded input
products : ndarray (kH, kW), window values times kernel values
total : float, the sum of `products` (the output value before bias)
"""

# The sentence of each rule that can refuse a setting of the calculator.
_REASONS = {"int": "arg.int", "min": "arg.min",
            "same_stride": "calc.same_stride", "span": "calc.span"}
CALCULATOR_BOUNDS = dict(n=(1, 64), k=(1, 15), s=(1, 8), p=(0, 10),
                         d=(1, 8))


def shape_report(input_size, kernel_size, stride=1, padding=0, dilation=1):
    """Output size of a convolution along one dimension, with its working.

    Parameters
    ----------
    input_size, kernel_size, stride, dilation : int
    padding : int or 'same'

    Returns
    -------
    ShapeReport
        ``size`` is ``convlib.shapes.conv_output_size`` for these settings
        (None when they are invalid), ``formula`` the floor formula with
        the numbers put in, ``reason`` the sentence of the rule that
        refuses invalid settings.
    """
    n, k, s, p, d = input_size, kernel_size, stride, padding, dilation
    out = _rules.conv(n, k, s, p, d)
    words = dict(out.facts, n=n, k=k, s=s, p=p, d=d, size=out.size)
    reason = text(_REASONS[out.rule], **words) if out.rule else ""
    if out.rule in ("int", "min", "same_stride"):
        return ShapeReport(None, "", reason)
    if p == "same":
        return ShapeReport(out.size, text("calc.same", **words), "")
    formula = text("calc.floor", **words)
    if out.rule:
        return ShapeReport(None, formula, reason)
    return ShapeReport(out.size, text("calc.floor_size", formula=formula,
                                      size=out.size), "")


def window_steps(input, kernel, stride=1, padding=0, dilation=1):
    """Every window of a single-channel 2-D cross-correlation, in order.

    Output cell ``(i, j)`` reads the padded input at
    ``(s_h i + d_h u, s_w j + d_w v)`` for every kernel tap ``(u, v)``.

    Parameters
    ----------
    input : array_like, shape (H, W)
    kernel : array_like, shape (kH, kW)
    stride, padding, dilation : int or (int, int)

    Returns
    -------
    list of WindowStep
        Row by row; ``top, left`` is the window's first tap in the padded
        input; ``total`` of step ``i * W_out + j`` equals
        ``convlib.numpy.conv2d(input[None, None], kernel[None, None],
        stride=stride, padding=padding, dilation=dilation)[0, 0, i, j]``.

    Raises
    ------
    ValueError
        If the (dilated) kernel spans more than the padded input
        (`convlib._args.conv_geometry` says so).
    """
    fn = "window_steps"
    x = check_array(input, "input", fn, ndims=(2,))
    w = check_array(kernel, "kernel", fn, ndims=(2,))
    p = _args.ntuple(padding, 2, "padding", fn, minimum=0)
    s, _, d, _ = _args.conv_geometry(fn, x.shape, w.shape, stride, p,
                                     dilation, kernel_name="kernel")
    padded = np.pad(x, ((p[0], p[0]), (p[1], p[1])))
    windows = sliding_windows(padded, w.shape, s, d)
    steps = []
    for i in range(windows.shape[0]):
        for j in range(windows.shape[1]):
            products = windows[i, j] * w
            steps.append(WindowStep(i, j, i * s[0], j * s[1], products,
                                    float(products.sum())))
    return steps


def read_counts(input_size, kernel_size, stride=1, padding=0, dilation=1):
    """How many windows read each cell of the padded input (2-D).

    Cell ``(r, c)`` of the padded input is read by output cell
    ``(i, j)`` when one of its kernel taps ``(u, v)`` lands there:
    ``r = s_h i + d_h u`` and ``c = s_w j + d_w v``. The count is the
    number of such ``(i, j, u, v)``; it splits into one count per axis,
    and the 2-D count is their outer product.

    Parameters
    ----------
    input_size, kernel_size : int or (int, int)
        (H, W) of the input and (kH, kW) of the kernel.
    stride, padding, dilation : int or (int, int)

    Returns
    -------
    ndarray of int, shape (H + 2 p_h, W + 2 p_w)
        The count of every padded-input cell; 0 marks a cell that no
        window reads (the window stepper hatches those).

    Raises
    ------
    ValueError
        If a size is below 1 or the (dilated) kernel spans more than the
        padded input (`convlib._args.conv_geometry` says so).

    Examples
    --------
    >>> read_counts(5, 3, stride=3, padding=1)[:, 6].tolist()
    [0, 0, 0, 0, 0, 0, 0]
    """
    fn = "read_counts"
    n = _args.ntuple(input_size, 2, "input_size", fn, minimum=1)
    k = _args.ntuple(kernel_size, 2, "kernel_size", fn, minimum=1)
    p = _args.ntuple(padding, 2, "padding", fn, minimum=0)
    s, _, d, out = _args.conv_geometry(fn, n, k, stride, p, dilation)
    axes = []
    for size, kk, ss, pp, dd, oo in zip(n, k, s, p, d, out):
        counts = np.zeros(size + 2 * pp, dtype=int)
        taps = np.arange(oo)[:, None] * ss + np.arange(kk)[None, :] * dd
        np.add.at(counts, taps.ravel(), 1)
        axes.append(counts)
    return np.outer(*axes)


SEED_INPUT = [[3, 4, 5, 6, 5],
              [4, 2, 2, 1, 5],
              [4, 5, 6, 7, 8],
              [5, 6, 7, 8, 9],
              [1, 2, 4, 5, 6]]
SEED_KERNEL = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]


class ShapeCalculator(Demo):
    """Output-shape calculator (see `shape_calculator`)."""

    name, script = "shape-calculator", "shape_calculator.js"
    namespace = "convlibShapeCalculator"
    _esm = Demo.module_for(script, namespace, name)


class WindowStepper(Demo):
    """Sliding-window stepper (see `window_stepper`)."""

    name, script = "window-stepper", "window_stepper.js"
    namespace = "convlibWindowStepper"
    _esm = Demo.module_for(script, namespace, name)


def shape_calculator(input_size=5, kernel_size=3, stride=1, padding=1,
                     dilation=1, same=False):
    """Output-shape calculator: number boxes for n, k, s, p, d.

    Shows `shape_report` for the settings as they change, computed in the
    browser (no kernel needed): the size, the formula with the numbers put
    in, or why the settings are invalid. The boxes' bounds are
    `CALCULATOR_BOUNDS` (any number typed in is still answered).

    Returns
    -------
    ShapeCalculator
        A widget; ``config`` holds the starting settings and, under
        ``controls``, the boxes' bounds.
    """
    fn = "shape_calculator"
    check = _args.check_int
    config = dict(n=check(input_size, "input_size", fn),
                  k=check(kernel_size, "kernel_size", fn),
                  s=check(stride, "stride", fn),
                  p=check(padding, "padding", fn, minimum=0),
                  d=check(dilation, "dilation", fn), same=bool(same),
                  controls={key: list(bounds) for key, bounds
                            in CALCULATOR_BOUNDS.items()})
    return ShapeCalculator(config=config)


def window_stepper(input=None, kernel=None, stride=1, padding=1,
                   dilation=1, strides=(1, 2, 3), paddings=(0, 1, 2),
                   dilations=(1, 2, 3)):
    """Sliding-window stepper over a small 2-D input (default: seed 001's).

    The window's taps are highlighted on the padded input; the products,
    their sum and the filled output cells follow the step chosen with the
    buttons or the slider; padding, stride and dilation are chosen from
    `paddings`, `strides` and `dilations`. The browser computes what
    `window_steps` computes (no kernel needed); a setting whose dilated
    kernel does not fit shows why.

    Returns
    -------
    WindowStepper
        A widget; ``config`` holds the data and the starting settings.
    """
    fn = "window_stepper"
    x = check_array(SEED_INPUT if input is None else input, "input", fn,
                    ndims=(2,))
    w = check_array(SEED_KERNEL if kernel is None else kernel, "kernel", fn,
                    ndims=(2,))
    strides = [_args.check_int(v, "strides", fn) for v in strides]
    paddings = [_args.check_int(v, "paddings", fn, minimum=0)
                for v in paddings]
    dilations = [_args.check_int(v, "dilations", fn) for v in dilations]
    if (stride not in strides or padding not in paddings
            or dilation not in dilations):
        raise ValueError(f"{fn}: stride={stride!r} must be one of {strides}"
                         f", padding={padding!r} one of {paddings} and "
                         f"dilation={dilation!r} one of {dilations}")
    config = dict(input=_plain(x), kernel=_plain(w), stride=stride,
                  padding=padding, dilation=dilation, strides=strides,
                  paddings=paddings, dilations=dilations)
    return WindowStepper(config=config)
