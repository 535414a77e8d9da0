"""Power-average (LP) pooling in NumPy, built on `pool`'s average and
max pooling exactly as torch's ``lp_pool1d`` / ``lp_pool2d`` are.

    out = (sum over the window of x ** p) ** (1 / p)

computed as ``(kernel_size_product * avg_pool(x ** p)) ** (1 / p)``, so
in ceil mode a window clipped by the input edge is rescaled the way
torch rescales it. ``norm_type = inf`` is max pooling of ``|x|``
(``-inf``: the minimum of ``|x|``).
"""

import numpy as np

from .. import _args
from . import _pool_common as _pc
from .pool import (_avg_pool_backward, _avg_pool_forward,
                   _max_pool_backward, _max_pool_forward)

__all__ = ["lp_pool1d", "lp_pool1d_backward",
           "lp_pool2d", "lp_pool2d_backward"]

_LP_DOC = """Power-average pooling, as torch's ``lp_pool{n}d``.

Parameters
----------
input : ndarray, shape (N, C, {sp}) or (C, {sp})
norm_type : float
    The power p (non-zero; ``inf`` gives max pooling of ``|x|``).
    Negative sums and non-integer powers of negative inputs give NaN,
    as in torch.
kernel_size : int or tuple of {n} ints
stride : int or tuple of {n} ints, optional
    Defaults to `kernel_size`.
ceil_mode : bool
    Round the output size up, as in `avg_pool{n}d`.

Returns
-------
ndarray, shape (N, C, {out}) or (C, {out})
    ``(k * avg_pool{n}d(input ** p)) ** (1 / p)`` with k the number of
    entries of a kernel window.

Raises
------
TypeError, ValueError
    A non-number or zero `norm_type`; otherwise as `avg_pool{n}d`.
"""

_LP_BACKWARD_DOC = """Gradient of ``lp_pool{n}d`` with respect to `input`.

Parameters
----------
grad_output : ndarray, shape of ``lp_pool{n}d``'s output
input, norm_type, kernel_size, stride, ceil_mode
    Exactly ``lp_pool{n}d``'s arguments.

Returns
-------
grad_input : ndarray, shape of `input`
    Zero where a window's power sum is zero, as torch.
"""


def _lp_pool(fn, n, input, norm_type, kernel_size, stride, ceil_mode):
    p = _args.check_norm(fn, norm_type)
    x = _args.check_array(input, "input", fn, ndims=(n + 1, n + 2))
    if np.isinf(p):
        sign = 1 if p > 0 else -1
        out = _max_pool_forward(fn, n, sign * np.abs(x), kernel_size,
                                stride, 0, 1, ceil_mode, False)
        return sign * out
    with np.errstate(invalid="ignore", divide="ignore"):
        avg = _avg_pool_forward(fn, n, x ** p, kernel_size, stride, 0,
                                ceil_mode, True, None)
        k = int(np.prod(_args.ntuple(kernel_size, n, "kernel_size", fn)))
        return (avg * k) ** (1 / p)


def _lp_pool_backward(fn, n, grad_output, input, norm_type, kernel_size,
                      stride, ceil_mode):
    p = _args.check_norm(fn, norm_type)
    x = _args.check_array(input, "input", fn, ndims=(n + 1, n + 2))
    if np.isinf(p):
        sign = 1 if p > 0 else -1
        grad = _args.check_array(grad_output, "grad_output", fn)
        grad = _max_pool_backward(fn, n, sign * grad,
                                  sign * np.abs(x), kernel_size, stride,
                                  0, 1, ceil_mode, False)
        return grad * (sign * np.sign(x))
    args = (kernel_size, stride, 0, ceil_mode, True, None)
    with np.errstate(invalid="ignore", divide="ignore"):
        avg = _avg_pool_forward(fn, n, x ** p, *args)
        k = int(np.prod(_args.ntuple(kernel_size, n, "kernel_size", fn)))
        grad = _pc._check_grad(grad_output, avg.shape, x.dtype, fn)
        # d/d avg of (k * avg) ** (1/p), chained as torch's autograd does
        # through sign(avg) * relu(|avg|): zero where avg == 0.
        grad = grad * (1 / p * (avg * k) ** (1 / p - 1)) * k
        grad = np.where(np.abs(avg) <= 0, 0, grad * np.sign(avg))
        grad = grad * np.sign(avg)
        grad = _avg_pool_backward(fn, n, grad.astype(x.dtype), x ** p,
                                  *args)
        return grad * (p * x ** (p - 1))


@_pc._with_doc(_LP_DOC, n=1, sp=_pc.SPATIAL[1], out=_pc.OUT_SPATIAL[1])
def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool("lp_pool1d", 1, input, norm_type, kernel_size, stride,
                    ceil_mode)


@_pc._with_doc(_LP_DOC, n=2, sp=_pc.SPATIAL[2], out=_pc.OUT_SPATIAL[2])
def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool("lp_pool2d", 2, input, norm_type, kernel_size, stride,
                    ceil_mode)


@_pc._with_doc(_LP_BACKWARD_DOC, n=1)
def lp_pool1d_backward(grad_output, input, norm_type, kernel_size,
                       stride=None, ceil_mode=False):
    return _lp_pool_backward("lp_pool1d_backward", 1, grad_output, input,
                             norm_type, kernel_size, stride, ceil_mode)


@_pc._with_doc(_LP_BACKWARD_DOC, n=2)
def lp_pool2d_backward(grad_output, input, norm_type, kernel_size,
                       stride=None, ceil_mode=False):
    return _lp_pool_backward("lp_pool2d_backward", 2, grad_output, input,
                             norm_type, kernel_size, stride, ceil_mode)
