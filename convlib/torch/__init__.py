"""The convlib layers in PyTorch, built from tensor primitives.

Names and arguments mirror `torch.nn.functional`, but each op is written
with unfold / strided views / matmul / scatter rather than by calling the
functional op of the same name, so autograd derives the gradients.
"""
from .conv import *  # noqa: F401,F403
from .pool import *  # noqa: F401,F403
from .activations import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from . import conv, pool, activations, linear

__all__ = (conv.__all__ + pool.__all__ + activations.__all__
           + linear.__all__)
