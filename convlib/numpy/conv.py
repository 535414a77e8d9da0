"""Convolution and transposed convolution, 1-D to 3-D, in NumPy.

The definition is `convlib.numpy._reference`: pad -> every window as a
strided view -> one `np.tensordot` with the weight per group (and its
two adjoints for the backward), a few lines each. The functions here
compute the same numbers faster; the tests hold each fast path equal to
the reference (tests/test_numpy_reference.py). Arguments are checked
once, by `convlib._args`, as in every other form.

One N-d implementation (in `convlib.numpy._conv_nd`) serves every
dimension and both directions:

* forward (`convlib.numpy._conv_forward`): one of five ways, chosen
  per call by a cost model -- a plain matmul for 1x1 kernels; im2col
  (zero-pad -> ``sliding_windows``, a strided view -> one copy into
  columns -> one matmul per sample and group; or, band by band of
  output rows, only the kernel rows that meet the input, so that no
  time goes to the padding's zeros); or the padded planes
  laid out flat and split into stride phases, so that every kernel
  tap is a shift along one axis and the columns are contiguous copies
  (or, with fewer outputs than inputs, not copied at all); or im2col
  with the batch innermost, box by box of outputs that meet the same
  taps along every axis, so that none of the padding's taps is
  computed (dilated convolutions of small planes); or, for one input
  channel a group (depthwise), whole input rows times a Toeplitz-like
  matrix that holds the last axis' taps, one matmul per group;
* backward-input (the adjoint): for each output phase (the outputs
  with the same index modulo the stride) it is a stride-1 correlation
  of grad_output with a flipped sub-kernel, so the fast stride-1
  forward is reused and the phases are interleaved into the result.
  When stride and dilation are both above 1 in one dimension, or the
  cost model expects it to be faster (strided, not depthwise),
  ``weight^T @ grad_output`` gives one column per window instead and
  the columns are added back onto the padded input (col2im): the taps
  that land on the same phase are summed as shifts of a flat buffer,
  and each phase is copied to its strided slice;
* backward-weight: ``grad_output @ columns^T``, one matmul per group
  with im2col columns, or one matmul per kernel tap on the forward's
  flat layout (no columns gathered) where that was measured faster
  (`_tuning.GRAD_FLAT_MAX_CHANNELS`), or one matmul per kernel tap over
  only the outputs whose window reads that tap inside the input (the
  batch innermost; no multiply-add meets the padding) where the cost
  model expects that to be faster, or for a 1x1 kernel without
  padding one matmul per sample where the cost model expects that to
  be faster (nothing copied); tap by tap for depthwise convolutions.

A transposed convolution *is* the backward-input of the convolution with
the same weight, so ``conv_transpose*`` reuse the same three pieces with
the roles swapped.  The loops that remain run over kernel taps, phases
and chunks of the batch, never over pixels.

A call whose estimated time is large enough, and whose pieces are
estimated to finish sooner than the whole, is cut into pieces --
slices of the batch, or of the output rows when the batch is too small
to share out -- that the calling thread and a few helper threads
compute side by side (`convlib.numpy._workers`, `convlib.numpy._pieces`;
`set_workers`); the phases of a strided input gradient go to the
workers whole, in bundles of about equal estimated time, and a
backward pass of middling size computes its input and weight
gradients side by side. With more than one worker OpenBLAS is held to
one thread for the whole call.
Every number that decides how work is cut up or which way runs is in
`convlib.numpy._tuning`.

Output sizes are those of `convlib.shapes.conv_output_size` and
`convlib.shapes.conv_transpose_output_size`.
"""
from .. import _args
from .._args import check_array
from ._conv_nd import (_conv, _conv_backward, _conv_transpose,
                       _conv_transpose_backward)

__all__ = [
    "conv1d", "conv2d", "conv3d",
    "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "depthwise_separable_conv2d", "spatially_separable_conv2d",
    "conv1d_backward", "conv2d_backward", "conv3d_backward",
    "conv_transpose1d_backward", "conv_transpose2d_backward",
    "conv_transpose3d_backward",
    "depthwise_separable_conv2d_backward",
    "spatially_separable_conv2d_backward",
]


_SPATIAL = {1: "L", 2: "H, W", 3: "D, H, W"}
_KERNEL = {1: "kL", 2: "kH, kW", 3: "kD, kH, kW"}


def _doc(template, n):
    """Decorator: fill a shared docstring template for the n-d variant."""
    def decorate(func):
        func.__doc__ = template.format(
            n=n, s=_SPATIAL[n], k=_KERNEL[n],
            o=", ".join(f"{c}_out" for c in _SPATIAL[n].split(", ")))
        return func
    return decorate


_CONV_DOC = """{n}-D cross-correlation, as ``torch.nn.functional.conv{n}d``.

    Parameters
    ----------
    input : ndarray, shape (N, C_in, {s}) or (C_in, {s})
    weight : ndarray, shape (C_out, C_in / groups, {k})
    bias : ndarray, shape (C_out,), optional
    stride : int or tuple of {n} ints, >= 1
    padding : int, tuple of {n} ints, 'same' or 'valid'
        Zeros added on both sides.  'same' keeps the input size (only
        with stride 1); when the dilated kernel's extent minus one is odd,
        the extra zero goes on the right, as torch does.
    dilation : int or tuple of {n} ints, >= 1
        Spacing between kernel taps; 1 is a dense kernel.
    groups : int
        Input and output channels are split into this many groups,
        each convolved separately; ``groups == C_in`` is depthwise.

    Returns
    -------
    ndarray, shape (N, C_out, {o}) or (C_out, {o})
        Unbatched when `input` is.  Each output size is
        ``convlib.shapes.conv_output_size``:
        ``(size + 2*padding - dilation*(k - 1) - 1) // stride + 1``.
        Same float dtype as the inputs (float32 stays float32; mixed
        float32/float64 arguments give float64).

    Raises
    ------
    ValueError
        Wrong number of dimensions, channels that do not match or do
        not divide by `groups`, a dilated kernel larger than the padded
        input, negative padding, an unknown padding string or 'same'
        with stride > 1.
    TypeError
        Non-integer stride, padding, dilation or groups.

    Notes
    -----
    ``out[n, o] = bias[o] + sum_c sum_k weight[o, c, k] *
    padded[n, g*C_in/groups + c, stride*x + dilation*k]`` where ``g`` is
    the group of output channel ``o``.  Computed as pad -> strided
    window view -> grouped matmuls (see the module's notes).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.ones((1, 1) + (5,) * {n})
    >>> w = np.ones((2, 1) + (3,) * {n})
    >>> conv{n}d(x, w, padding=1).shape == (1, 2) + (5,) * {n}
    True
    """

_CONV_BACKWARD_DOC = """Gradients of ``conv{n}d`` in each array argument.

    The gradient in `input` can be skipped (`input_grad`), as torch's
    autograd skips it for an input that does not require a gradient.

    Parameters
    ----------
    grad_output : ndarray, shape (N, C_out, {o}) or (C_out, {o})
        Gradient of the loss with respect to ``conv{n}d``'s output.
    input, weight, bias, stride, padding, dilation, groups
        Exactly the arguments given to ``conv{n}d``.
    input_grad : bool, optional, keyword only
        Default True: the gradient in `input` is computed. False skips
        it (None in its place), for an input whose gradient nothing
        needs -- a network's first layer, whose input is the data.

    Returns
    -------
    grad_input : ndarray, shape of `input`, or None
        The adjoint (transposed convolution) of `grad_output`; None when
        `input_grad` is False.
    grad_weight : ndarray, shape (C_out, C_in / groups, {k})
    grad_bias : ndarray, shape (C_out,), or None when `bias` is None

    Raises
    ------
    ValueError, TypeError
        As ``conv{n}d``, and when `grad_output` does not have the shape
        of ``conv{n}d``'s output.
    TypeError
        When `input_grad` is not a bool (NumPy's bool is one).
    """

_TRANSPOSE_DOC = """{n}-D transposed convolution (torch's conv_transpose{n}d).

    The adjoint of ``conv{n}d`` with the same weight, stride, padding,
    dilation and groups: ``conv_transpose{n}d(y, w)`` is the gradient of
    ``conv{n}d(x, w)`` with respect to ``x`` when the output's gradient
    is ``y``.  Argument order is torch's (groups before dilation).

    Parameters
    ----------
    input : ndarray, shape (N, C_in, {s}) or (C_in, {s})
    weight : ndarray, shape (C_in, C_out / groups, {k})
    bias : ndarray, shape (C_out,), optional
    stride : int or tuple of {n} ints, >= 1
    padding : int or tuple of {n} ints, >= 0
        Cropped from both sides of the full (padding 0) output; it is
        the `padding` of the ``conv{n}d`` this is the adjoint of.
        Strings are not accepted.
    output_padding : int or tuple of {n} ints
        Extra size added on one side (the end) of the output, to pick
        among the input sizes that a strided conv maps to the same
        size; must be smaller than ``max(stride, dilation)``.
    groups : int
    dilation : int or tuple of {n} ints, >= 1

    Returns
    -------
    ndarray, shape (N, C_out, {o}) or (C_out, {o})
        Each output size is ``convlib.shapes.conv_transpose_output_size``:
        ``(size - 1)*stride - 2*padding + dilation*(k - 1)
        + output_padding + 1``.

    Raises
    ------
    ValueError
        Wrong number of dimensions, channel mismatch, channels not
        divisible by `groups`, output_padding too large, an output size
        below 1, negative padding.
    TypeError
        Non-integer or string arguments where ints are expected.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.ones((1, 1) + (3,) * {n})
    >>> w = np.ones((1, 1) + (2,) * {n})
    >>> conv_transpose{n}d(x, w, stride=2).shape == (1, 1) + (6,) * {n}
    True
    """

_TRANSPOSE_BACKWARD_DOC = """Gradients of ``conv_transpose{n}d``.

    Parameters
    ----------
    grad_output : ndarray, shape (N, C_out, {o}) or (C_out, {o})
    input, weight, bias, stride, padding, output_padding, groups, dilation
        Exactly the arguments given to ``conv_transpose{n}d``.
    input_grad : bool, optional, keyword only
        Default True: the gradient in `input` is computed. False skips
        it (None in its place), as torch's autograd does for an input
        that does not require a gradient.

    Returns
    -------
    grad_input : ndarray, shape of `input`, or None
        ``conv{n}d(grad_output, weight, ...)`` (the adjoint's adjoint);
        None when `input_grad` is False.
    grad_weight : ndarray, shape (C_in, C_out / groups, {k})
    grad_bias : ndarray, shape (C_out,), or None when `bias` is None

    Raises
    ------
    ValueError, TypeError
        As ``conv_transpose{n}d``, and when `grad_output` does not have
        the shape of its output.
    TypeError
        When `input_grad` is not a bool (NumPy's bool is one).
    """


@_doc(_CONV_DOC, 1)
def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1,
           groups=1):
    return _conv("conv1d", 1, input, weight, bias, stride, padding,
                 dilation, groups)


@_doc(_CONV_DOC, 2)
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1,
           groups=1):
    return _conv("conv2d", 2, input, weight, bias, stride, padding,
                 dilation, groups)


@_doc(_CONV_DOC, 3)
def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1,
           groups=1):
    return _conv("conv3d", 3, input, weight, bias, stride, padding,
                 dilation, groups)


@_doc(_CONV_BACKWARD_DOC, 1)
def conv1d_backward(grad_output, input, weight, bias=None, stride=1,
                    padding=0, dilation=1, groups=1, *, input_grad=True):
    return _conv_backward("conv1d_backward", 1, grad_output, input,
                          weight, bias, stride, padding, dilation, groups,
                          input_grad)


@_doc(_CONV_BACKWARD_DOC, 2)
def conv2d_backward(grad_output, input, weight, bias=None, stride=1,
                    padding=0, dilation=1, groups=1, *, input_grad=True):
    return _conv_backward("conv2d_backward", 2, grad_output, input,
                          weight, bias, stride, padding, dilation, groups,
                          input_grad)


@_doc(_CONV_BACKWARD_DOC, 3)
def conv3d_backward(grad_output, input, weight, bias=None, stride=1,
                    padding=0, dilation=1, groups=1, *, input_grad=True):
    return _conv_backward("conv3d_backward", 3, grad_output, input,
                          weight, bias, stride, padding, dilation, groups,
                          input_grad)


@_doc(_TRANSPOSE_DOC, 1)
def conv_transpose1d(input, weight, bias=None, stride=1, padding=0,
                     output_padding=0, groups=1, dilation=1):
    return _conv_transpose("conv_transpose1d", 1, input, weight, bias,
                           stride, padding, output_padding, groups,
                           dilation)


@_doc(_TRANSPOSE_DOC, 2)
def conv_transpose2d(input, weight, bias=None, stride=1, padding=0,
                     output_padding=0, groups=1, dilation=1):
    return _conv_transpose("conv_transpose2d", 2, input, weight, bias,
                           stride, padding, output_padding, groups,
                           dilation)


@_doc(_TRANSPOSE_DOC, 3)
def conv_transpose3d(input, weight, bias=None, stride=1, padding=0,
                     output_padding=0, groups=1, dilation=1):
    return _conv_transpose("conv_transpose3d", 3, input, weight, bias,
                           stride, padding, output_padding, groups,
                           dilation)


@_doc(_TRANSPOSE_BACKWARD_DOC, 1)
def conv_transpose1d_backward(grad_output, input, weight, bias=None,
                              stride=1, padding=0, output_padding=0,
                              groups=1, dilation=1, *, input_grad=True):
    return _conv_transpose_backward(
        "conv_transpose1d_backward", 1, grad_output, input, weight, bias,
        stride, padding, output_padding, groups, dilation, input_grad)


@_doc(_TRANSPOSE_BACKWARD_DOC, 2)
def conv_transpose2d_backward(grad_output, input, weight, bias=None,
                              stride=1, padding=0, output_padding=0,
                              groups=1, dilation=1, *, input_grad=True):
    return _conv_transpose_backward(
        "conv_transpose2d_backward", 2, grad_output, input, weight, bias,
        stride, padding, output_padding, groups, dilation, input_grad)


@_doc(_TRANSPOSE_BACKWARD_DOC, 3)
def conv_transpose3d_backward(grad_output, input, weight, bias=None,
                              stride=1, padding=0, output_padding=0,
                              groups=1, dilation=1, *, input_grad=True):
    return _conv_transpose_backward(
        "conv_transpose3d_backward", 3, grad_output, input, weight, bias,
        stride, padding, output_padding, groups, dilation, input_grad)


# ---------------------------------------------------------------------
# Separable convolutions: two cheap convolutions in a row.
# ---------------------------------------------------------------------

def _shape(array):
    return None if array is None else array.shape


def _arrays(fn, names, values):
    """The array arguments as float arrays (None stays None)."""
    return [None if v is None else check_array(v, name, fn)
            for name, v in zip(names, values)]


def _check_depthwise_separable(fn, input, dw, pw, db, pb):
    x = check_array(input, "input", fn, (3, 4))
    dw, pw, db, pb = _arrays(fn, ("depthwise_weight", "pointwise_weight",
                                  "depthwise_bias", "pointwise_bias"),
                             (dw, pw, db, pb))
    _args.depthwise_separable_args(fn, x.shape, dw.shape, pw.shape,
                                   _shape(db), _shape(pb))
    return x, dw, pw


def depthwise_separable_conv2d(input, depthwise_weight, pointwise_weight,
                               depthwise_bias=None, pointwise_bias=None,
                               stride=1, padding=0, dilation=1):
    """Depthwise k×k convolution, then a pointwise (1×1) convolution.

    ``conv2d(conv2d(input, depthwise_weight, depthwise_bias, stride,
    padding, dilation, groups=C_in), pointwise_weight, pointwise_bias)``:
    each input channel is filtered by M kernels of its own, then the
    C_in*M maps are mixed by a 1×1 convolution (MobileNet, Xception).

    Parameters
    ----------
    input : ndarray, shape (N, C_in, H, W) or (C_in, H, W)
    depthwise_weight : ndarray, shape (C_in*M, 1, kH, kW)
    pointwise_weight : ndarray, shape (C_out, C_in*M, 1, 1)
    depthwise_bias : ndarray, shape (C_in*M,), optional
    pointwise_bias : ndarray, shape (C_out,), optional
    stride, padding, dilation
        As in `conv2d`; they apply to the depthwise step only.

    Returns
    -------
    ndarray, shape (N, C_out, H_out, W_out) or (C_out, H_out, W_out)
        Sizes as `conv2d` with the depthwise kernel.

    Raises
    ------
    ValueError, TypeError
        Weights or biases of the wrong shape, and as `conv2d`.
    """
    fn = "depthwise_separable_conv2d"
    x, dw, pw = _check_depthwise_separable(
        fn, input, depthwise_weight, pointwise_weight, depthwise_bias,
        pointwise_bias)
    mid = _conv(fn, 2, x, dw, depthwise_bias, stride, padding, dilation,
                x.shape[-3])
    return _conv(fn, 2, mid, pw, pointwise_bias, 1, 0, 1, 1)


def depthwise_separable_conv2d_backward(
        grad_output, input, depthwise_weight, pointwise_weight,
        depthwise_bias=None, pointwise_bias=None, stride=1, padding=0,
        dilation=1):
    """Gradients of `depthwise_separable_conv2d`.

    Parameters
    ----------
    grad_output : ndarray, shape (N, C_out, H_out, W_out) or unbatched
    input, depthwise_weight, pointwise_weight, depthwise_bias,
    pointwise_bias, stride, padding, dilation
        Exactly the arguments given to `depthwise_separable_conv2d`.

    Returns
    -------
    tuple
        ``(grad_input, grad_depthwise_weight, grad_pointwise_weight,
        grad_depthwise_bias, grad_pointwise_bias)``, each the shape of
        its argument; None for a missing bias.
    """
    fn = "depthwise_separable_conv2d_backward"
    x, dw, pw = _check_depthwise_separable(
        fn, input, depthwise_weight, pointwise_weight, depthwise_bias,
        pointwise_bias)
    c_in = x.shape[-3]
    mid = _conv(fn, 2, x, dw, depthwise_bias, stride, padding, dilation,
                c_in)
    g_mid, g_pw, g_pb = _conv_backward(
        fn, 2, grad_output, mid, pw, pointwise_bias, 1, 0, 1, 1)
    g_x, g_dw, g_db = _conv_backward(
        fn, 2, g_mid, x, dw, depthwise_bias, stride, padding, dilation,
        c_in)
    return g_x, g_dw, g_pw, g_db, g_pb


def _check_spatially_separable(fn, input, cw, rw, cb, rb):
    x = check_array(input, "input", fn, (3, 4))
    cw, rw, cb, rb = _arrays(fn, ("column_weight", "row_weight",
                                  "column_bias", "row_bias"),
                             (cw, rw, cb, rb))
    _args.spatially_separable_args(fn, x.shape, cw.shape, rw.shape,
                                   _shape(cb), _shape(rb))
    return x, cw, rw


def spatially_separable_conv2d(input, column_weight, row_weight,
                               column_bias=None, row_bias=None, stride=1,
                               padding=0, dilation=1):
    """A kH×1 convolution down the columns, then a 1×kW along the rows.

    Parameters
    ----------
    input : ndarray, shape (N, C_in, H, W) or (C_in, H, W)
    column_weight : ndarray, shape (C_mid, C_in, kH, 1)
    row_weight : ndarray, shape (C_out, C_mid, 1, kW)
    column_bias : ndarray, shape (C_mid,), optional
    row_bias : ndarray, shape (C_out,), optional
    stride, padding, dilation : int or tuple of 2 ints
        As in `conv2d`, split by axis: the column step uses the height
        entries, the row step the width entries (see Notes).

    Returns
    -------
    ndarray, shape (N, C_out, H_out, W_out) or (C_out, H_out, W_out)
        Sizes as `conv2d` with a (kH, kW) kernel.

    Raises
    ------
    ValueError, TypeError
        Weights or biases of the wrong shape, and as `conv2d`.

    Notes
    -----
    With ``stride=(sH, sW)``, ``padding=(pH, pW)``, ``dilation=(dH, dW)``
    the two steps are::

        mid = conv2d(input, column_weight, column_bias, stride=(sH, 1),
                     padding=(pH, 0), dilation=(dH, 1))
        out = conv2d(mid, row_weight, row_bias, stride=(1, sW),
                     padding=(0, pW), dilation=(1, dW))

    'same' and 'valid' are passed to both steps (each pads only its own
    axis, because the other kernel size is 1).  Without `column_bias`
    the result equals one ``conv2d(input, K, row_bias, stride, padding,
    dilation)`` with ``K[o, i, h, w] = sum_m row_weight[o, m, 0, w] *
    column_weight[m, i, h, 0]``; with C_in = C_mid = C_out = 1 that is
    the outer product of a column and a row (a rank-1 kernel), which
    is why only rank-1 kernels (e.g. Sobel) separate exactly.
    `column_bias` breaks the equality at the columns the row step pads.
    """
    fn = "spatially_separable_conv2d"
    x, cw, rw = _check_spatially_separable(
        fn, input, column_weight, row_weight, column_bias, row_bias)
    col, row = _args.separable_steps(fn, stride, padding, dilation)
    mid = _conv(fn, 2, x, cw, column_bias, *col, 1)
    return _conv(fn, 2, mid, rw, row_bias, *row, 1)


def spatially_separable_conv2d_backward(
        grad_output, input, column_weight, row_weight, column_bias=None,
        row_bias=None, stride=1, padding=0, dilation=1):
    """Gradients of `spatially_separable_conv2d`.

    Parameters
    ----------
    grad_output : ndarray, shape (N, C_out, H_out, W_out) or unbatched
    input, column_weight, row_weight, column_bias, row_bias, stride,
    padding, dilation
        Exactly the arguments given to `spatially_separable_conv2d`.

    Returns
    -------
    tuple
        ``(grad_input, grad_column_weight, grad_row_weight,
        grad_column_bias, grad_row_bias)``, each the shape of its
        argument; None for a missing bias.
    """
    fn = "spatially_separable_conv2d_backward"
    x, cw, rw = _check_spatially_separable(
        fn, input, column_weight, row_weight, column_bias, row_bias)
    col, row = _args.separable_steps(fn, stride, padding, dilation)
    mid = _conv(fn, 2, x, cw, column_bias, *col, 1)
    g_mid, g_rw, g_rb = _conv_backward(
        fn, 2, grad_output, mid, rw, row_bias, *row, 1)
    g_x, g_cw, g_cb = _conv_backward(
        fn, 2, g_mid, x, cw, column_bias, *col, 1)
    return g_x, g_cw, g_rw, g_cb, g_rb
