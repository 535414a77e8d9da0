"""The convlib layers in PyTorch, built from tensor primitives.

Names and arguments mirror `torch.nn.functional`, but each op is written
with unfold / strided views / matmul / scatter rather than by calling the
functional op of the same name, so autograd derives the gradients.
"""
from . import conv as _conv, pool as _pool
from . import activations as _activations, linear as _linear
from . import norm as _norm, dropout as _dropout, residual as _residual
from .conv import *  # noqa: F401,F403
from .pool import *  # noqa: F401,F403
from .activations import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .norm import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .residual import *  # noqa: F401,F403

__all__ = (_conv.__all__ + _pool.__all__ + _activations.__all__
           + _linear.__all__ + _norm.__all__ + _dropout.__all__
           + _residual.__all__)
