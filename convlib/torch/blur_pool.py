"""Blur pooling in PyTorch (Zhang 2019): a binomial low-pass filter per
channel, then subsampling, built from `torch.nn.functional.pad` and
convlib's own depthwise `conv2d`, so autograd derives the gradient.
The arguments, the padding and the filter are
`convlib._args.blur_pool_args` and `blur_filter`.
"""
import torch
import torch.nn.functional as F  # F.pad only

from .. import _args
from ._common import _batched
from .conv import conv2d

__all__ = ["blur_pool2d"]

# torch.nn.Conv2d's padding_mode names -> F.pad's mode
_PAD_MODE = {"zeros": "constant", "reflect": "reflect",
             "replicate": "replicate", "circular": "circular"}


def blur_pool2d(input, kernel_size=3, stride=2, padding_mode="reflect"):
    """Blur pooling, as `convlib.numpy.blur_pool2d`.

    Parameters
    ----------
    input : Tensor, shape (N, C, H, W) or (C, H, W)
    kernel_size : int or tuple of 2 ints
        Taps of the binomial filter per axis.
    stride : int or tuple of 2 ints
    padding_mode : {'reflect', 'zeros', 'replicate', 'circular'}

    Returns
    -------
    Tensor, shape (N, C, ceil(H / stride), ceil(W / stride))
        (C, ...) for unbatched input.
    """
    fn = "blur_pool2d"
    x, unbatched = _batched(input, 2, fn)
    a = _args.blur_pool_args(fn, tuple(input.shape), kernel_size, stride,
                             padding_mode)
    (top, bottom), (left, right) = a.pads
    padded = F.pad(x, [left, right, top, bottom],
                   mode=_PAD_MODE[a.padding_mode])
    weight = torch.tensor(_args.blur_filter(a.kernel), dtype=x.dtype,
                          device=x.device)
    weight = weight.expand((x.shape[1], 1) + a.kernel)
    out = conv2d(padded, weight, stride=a.stride, groups=x.shape[1])
    return out[0] if unbatched else out
