"""Chapter 1 demos: the output-shape calculator and the window stepper.

Each demo shows the result of a plain, tested Python function:
`shape_report` for the calculator and `window_steps` for the stepper.
The JavaScript that runs in the page repeats that arithmetic; the tests
hold the two equal.
"""
from collections import namedtuple

import numpy as np

from .. import shapes
from .._args import check_array, check_int, is_int, ntuple
from .._arrays import sliding_windows
from ._demo import Demo, plain_lists as _plain

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

_MINUS, _TIMES = "\u2212", "\u00d7"


def _num(value):
    return f"{_MINUS}{-value}" if value < 0 else str(value)


def _check_report_args(n, k, s, p, d):
    same = isinstance(p, str) and p == "same"
    limits = [("input_size", n, 1), ("kernel_size", k, 1),
              ("stride", s, 1), ("dilation", d, 1)]
    if not same:
        limits.append(("padding", p, 0))
    for name, value, low in limits:
        if not is_int(value):
            return f"{name} must be an integer, got {value}"
        if value < low:
            return f"{name} must be \u2265 {low}, got {_num(value)}"
    if same and s != 1:
        return ("padding='same' needs stride 1 (as in PyTorch), "
                f"got stride {s}")
    return ""


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
        the numbers put in, ``reason`` why invalid settings are invalid.
    """
    n, k, s, p, d = input_size, kernel_size, stride, padding, dilation
    reason = _check_report_args(n, k, s, p, d)
    if reason:
        return ShapeReport(None, "", reason)
    size_kwargs = dict(kernel_size=k, stride=s, padding=p, dilation=d)
    if isinstance(p, str):  # 'same'
        total = d * (k - 1)
        size = shapes.conv_output_size(n, **size_kwargs)
        formula = (f"padding='same': total padding d{_TIMES}(k {_MINUS} 1)"
                   f" = {d}{_TIMES}({k} {_MINUS} 1) = {total}, "
                   f"{total // 2} before and {total - total // 2} after, "
                   f"so the output size is n = {size}")
        return ShapeReport(size, formula, "")
    top = n + 2 * p - d * (k - 1) - 1
    formula = (f"\u230a({n} + 2{_TIMES}{p} {_MINUS} {d}{_TIMES}({k} "
               f"{_MINUS} 1) {_MINUS} 1) / {s}\u230b + 1 = "
               f"\u230a{_num(top)} / {s}\u230b + 1")
    if top < 0:
        return ShapeReport(None, formula, (
            f"the kernel spans d{_TIMES}(k {_MINUS} 1) + 1 = "
            f"{d * (k - 1) + 1} cells but the padded input n + 2p has "
            f"only {n + 2 * p}"))
    size = shapes.conv_output_size(n, **size_kwargs)
    return ShapeReport(size, f"{formula} = {size}", "")


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
        If the (dilated) kernel spans more than the padded input.
    """
    fn = "window_steps"
    x = check_array(input, "input", fn, ndims=(2,))
    w = check_array(kernel, "kernel", fn, ndims=(2,))
    s = ntuple(stride, 2, "stride", fn, minimum=1)
    p = ntuple(padding, 2, "padding", fn, minimum=0)
    d = ntuple(dilation, 2, "dilation", fn, minimum=1)
    padded = np.pad(x, ((p[0], p[0]), (p[1], p[1])))
    span = tuple(dd * (k - 1) + 1 for dd, k in zip(d, w.shape))
    if any(sp > pd for sp, pd in zip(span, padded.shape)):
        raise ValueError(
            f"{fn}: kernel of shape {w.shape} spanning {span} with "
            f"dilation={dilation!r} is larger than the padded input of "
            f"shape {padded.shape} (padding={padding!r})")
    windows = sliding_windows(padded, w.shape, s, d)
    steps = []
    for i in range(windows.shape[0]):
        for j in range(windows.shape[1]):
            products = windows[i, j] * w
            steps.append(WindowStep(i, j, i * s[0], j * s[1], products,
                                    float(products.sum())))
    return steps


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
    in, or why the settings are invalid.

    Returns
    -------
    ShapeCalculator
        A widget; ``config`` holds the starting settings.
    """
    fn = "shape_calculator"
    config = dict(n=check_int(input_size, "input_size", fn),
                  k=check_int(kernel_size, "kernel_size", fn),
                  s=check_int(stride, "stride", fn),
                  p=check_int(padding, "padding", fn, minimum=0),
                  d=check_int(dilation, "dilation", fn),
                  same=bool(same))
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
    strides = [check_int(v, "strides", fn) for v in strides]
    paddings = [check_int(v, "paddings", fn, minimum=0)
                for v in paddings]
    dilations = [check_int(v, "dilations", fn) for v in dilations]
    if (stride not in strides or padding not in paddings
            or dilation not in dilations):
        raise ValueError(f"{fn}: stride={stride!r} must be one of {strides}"
                         f", padding={padding!r} one of {paddings} and "
                         f"dilation={dilation!r} one of {dilations}")
    config = dict(input=_plain(x), kernel=_plain(w), stride=stride,
                  padding=padding, dilation=dilation, strides=strides,
                  paddings=paddings, dilations=dilations)
    return WindowStepper(config=config)
