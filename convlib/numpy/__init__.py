"""Vectorised NumPy layers, forward and backward (float32 and float64).

Every forward ``f`` has ``f_backward(grad_output, <f's arguments>)``
returning the gradient of each array argument, in argument order (the
convolutions' backward functions also take ``input_grad=False``, which
skips the input's gradient and returns None in its place).
A call with enough work is spread over the cores (`set_workers`,
`workers`; the environment variable CONVLIB_WORKERS). Importing it
asks glibc to keep freed memory for the next call rather than hand it
back (`_memory`; CONVLIB_KEEP_MEMORY=0 leaves glibc as it is). This
package never imports torch.
"""
from . import conv as _conv, pool as _pool
from . import pool_adaptive as _pool_adaptive, pool_lp as _pool_lp
from . import pool_blur as _pool_blur
from . import activations as _activations, linear as _linear
from . import norm as _norm, dropout as _dropout, residual as _residual
from .conv import *  # noqa: F401,F403
from .pool import *  # noqa: F401,F403
from .pool_adaptive import *  # noqa: F401,F403
from .pool_lp import *  # noqa: F401,F403
from .pool_blur import *  # noqa: F401,F403
from .activations import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .norm import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .residual import *  # noqa: F401,F403
from ._workers import set_workers, workers
from ._memory import keep_freed_memory as _keep_freed_memory

_keep_freed_memory()

__all__ = (_conv.__all__ + _pool.__all__ + _pool_adaptive.__all__
           + _pool_lp.__all__ + _pool_blur.__all__ + _activations.__all__
           + _linear.__all__ + _norm.__all__ + _dropout.__all__
           + _residual.__all__ + ["set_workers", "workers"])
