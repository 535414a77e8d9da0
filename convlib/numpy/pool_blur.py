"""Blur pooling in NumPy (Zhang 2019, "Making convolutional networks
shift-invariant again"): low-pass filter each channel with a binomial
filter, then subsample.

    out = conv2d(pad(x), binomial filter, stride, groups=C)

Max pooling at stride 1 followed by `blur_pool2d` is Zhang's
MaxBlurPool; a convolution at stride 1, its activation, then
`blur_pool2d`, his ConvBlurPool. The arguments, the padding and the
filter are `convlib._args.blur_pool_args` and `blur_filter`; the
convolution is `conv2d`. The backward passes the gradient through the
convolution, then adds the gradient of each padded cell to the input
cell it copies (the adjoint of the padding).
"""
import numpy as np

from .. import _args
from .._args import check_array
from . import _pool_common as _pc
from .conv import conv2d, conv2d_backward

__all__ = ["blur_pool2d", "blur_pool2d_backward"]

# torch.nn.Conv2d's padding_mode names -> numpy.pad's mode
_NP_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "edge",
            "circular": "wrap"}


def _blur(fn, input, kernel_size, stride, padding_mode):
    """(x batched, args, padded x, per-channel filter)."""
    x = check_array(input, "input", fn, ndims=(3, 4))
    a = _args.blur_pool_args(fn, x.shape, kernel_size, stride,
                             padding_mode)
    x = x if a.batched else x[None]
    padded = np.pad(x, ((0, 0), (0, 0)) + a.pads,
                    mode=_NP_MODE[a.padding_mode])
    weight = np.array(_args.blur_filter(a.kernel), dtype=x.dtype)
    weight = np.ascontiguousarray(np.broadcast_to(
        weight, (x.shape[1], 1) + weight.shape))
    return x, a, padded, weight


def blur_pool2d(input, kernel_size=3, stride=2, padding_mode="reflect"):
    """Blur pooling: a binomial low-pass filter, then subsampling.

    Parameters
    ----------
    input : ndarray, shape (N, C, H, W) or (C, H, W)
    kernel_size : int or tuple of 2 ints
        Taps of the binomial filter per axis: 1 (no blur: plain
        subsampling), 2 ([1, 1] / 2), 3 ([1, 2, 1] / 4), 4, 5 ...
    stride : int or tuple of 2 ints
        The subsampling step.
    padding_mode : {'reflect', 'zeros', 'replicate', 'circular'}
        How the input is extended by ``(k - 1) // 2`` cells before and
        ``k // 2`` after on each axis (as ``torch.nn.Conv2d`` names the
        modes); 'reflect' is Zhang's choice.

    Returns
    -------
    ndarray, shape (N, C, ceil(H / stride), ceil(W / stride))
        (C, ...) for unbatched input. Each channel is filtered on its own
        (a depthwise convolution whose kernels are the normalised
        binomial filter, `convlib._args.blur_filter`).

    Raises
    ------
    TypeError, ValueError
        Non-integer or non-positive sizes, wrong ndim, an unknown
        `padding_mode`, an input too small for 'reflect' or 'circular'
        padding.
    """
    x, a, padded, weight = _blur("blur_pool2d", input, kernel_size, stride,
                                 padding_mode)
    out = conv2d(padded, weight, stride=a.stride, groups=x.shape[1])
    return _pc._unbatch(out, not a.batched)


def blur_pool2d_backward(grad_output, input, kernel_size=3, stride=2,
                         padding_mode="reflect"):
    """Gradient of ``blur_pool2d`` with respect to `input`.

    Parameters
    ----------
    grad_output : ndarray, shape of ``blur_pool2d``'s output
    input, kernel_size, stride, padding_mode
        Exactly ``blur_pool2d``'s arguments.

    Returns
    -------
    grad_input : ndarray, shape of `input`
        The gradient of the padded input (the convolution's backward),
        each padded cell's added to the input cell it copies.
    """
    fn = "blur_pool2d_backward"
    x, a, padded, weight = _blur(fn, input, kernel_size, stride,
                                 padding_mode)
    grad = _pc._check_grad(grad_output, x.shape[int(not a.batched):2]
                           + a.out, x.dtype, fn)
    grad = grad if a.batched else grad[None]
    grad_padded = conv2d_backward(grad, padded, weight, stride=a.stride,
                                  groups=x.shape[1])[0]
    height, width = x.shape[2:]
    source = np.pad(np.arange(height * width).reshape(height, width),
                    a.pads, mode=_NP_MODE[a.padding_mode],
                    **({"constant_values": -1}
                       if a.padding_mode == "zeros" else {}))
    source = source.ravel()
    copies = source >= 0  # zeros padding copies nothing
    flat = grad_padded.reshape(-1, source.size)[:, copies]
    grad_input = np.zeros((height * width, flat.shape[0]), x.dtype)
    np.add.at(grad_input, source[copies], flat.T)
    grad_input = grad_input.T.reshape(x.shape)
    return _pc._unbatch(grad_input, not a.batched)
