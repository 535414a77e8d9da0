"""Dropout in PyTorch: a keep mask, drawn or given, times 1 / (1 - p).

``input * mask / (1 - p)`` in training mode (zeros for p = 1), the
input itself in evaluation mode; autograd derives the backward
(``grad * mask / (1 - p)``). The mask is drawn as ``torch.rand(shape,
generator=generator) >= p``, or given, so a call is reproducible with a
seeded `torch.Generator` or an explicit mask. Nothing here calls
``torch.nn.functional.dropout`` or its kin.
"""
import torch

from .._args import check_mask, dropout_args, dropout_mask_shape
from ._common import _check_input, _check_tensor
from .activations import _finish

__all__ = ["dropout", "dropout2d"]


def _keep(fn, x, p, generator, mask, shape, channelwise):
    """The 0/1 keep mask of one training-mode call, in x's dtype."""
    if mask is not None:
        _check_tensor(mask, "mask", fn)
        wrong = mask[(mask != 0) & (mask != 1)]
        check_mask(fn, tuple(mask.shape), shape, channelwise,
                   float(wrong[0]) if wrong.numel() else None)
        return mask.to(x.dtype)
    if generator is not None and not isinstance(generator,
                                                torch.Generator):
        raise TypeError(
            f"{fn}: generator must be a torch.Generator or None, got "
            f"{type(generator).__name__}")
    draw = torch.rand(shape, generator=generator, dtype=x.dtype)
    return (draw >= p).to(x.dtype)


def _dropout(fn, input, p, training, inplace, generator, mask,
             channelwise):
    x = _check_input(input, fn)
    p, training = dropout_args(fn, p, training, inplace)
    shape = dropout_mask_shape(fn, tuple(x.shape), channelwise)
    if not training:
        return x
    keep = _keep(fn, x, p, generator, mask, shape, channelwise)
    factor = keep * 0 if p == 1 else keep / (1 - p)
    return _finish(x, x * factor, inplace, fn)


def dropout(input, p=0.5, training=True, inplace=False, generator=None,
            mask=None):
    """Zero each element with probability p, scale the rest by 1/(1-p).

    Parameters
    ----------
    input : Tensor, shape (*)
    p : float
        0 <= p <= 1.
    training : bool
        False returns `input` itself, as torch.
    inplace : bool
        Write the result into `input` (only without autograd).
    generator : torch.Generator, optional
        Source of the mask, ``torch.rand(input.shape, generator=...)
        >= p``.
    mask : Tensor, shape (*), optional
        1 keeps, 0 drops; takes precedence over `generator`.

    Returns
    -------
    Tensor, shape (*)

    Raises
    ------
    TypeError, ValueError
        As `convlib.numpy.dropout`.
    """
    return _dropout("dropout", input, p, training, inplace, generator,
                    mask, channelwise=False)


def dropout2d(input, p=0.5, training=True, inplace=False, generator=None,
              mask=None):
    """Zero whole channels with probability p, scale the rest by 1/(1-p).

    Parameters
    ----------
    input : Tensor, shape (N, C, H, W) or (N, C, L)
        3-d read as (N, C, L), as torch 2.x does.
    p : float
    training, inplace : bool
    generator : torch.Generator, optional
        The mask is ``torch.rand((N, C, 1, 1), generator=...) >= p``.
    mask : Tensor, shape (N, C, 1, 1) or (N, C, 1), optional

    Returns
    -------
    Tensor, shape of `input`

    Raises
    ------
    TypeError, ValueError
        As `convlib.numpy.dropout2d`.
    """
    return _dropout("dropout2d", input, p, training, inplace, generator,
                    mask, channelwise=True)
