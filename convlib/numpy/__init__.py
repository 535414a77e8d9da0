"""Vectorised NumPy layers, forward and backward (float32 and float64).

Every forward ``f`` has ``f_backward(grad_output, <f's arguments>)``
returning the gradient of each array argument, in argument order.
This package never imports torch.
"""
from .conv import *  # noqa: F401,F403
from .pool import *  # noqa: F401,F403
from .activations import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from . import conv, pool, activations, linear

__all__ = (conv.__all__ + pool.__all__ + activations.__all__
           + linear.__all__)
