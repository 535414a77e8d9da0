"""Activation functions in NumPy, forward and backward.

Each ``f`` has the signature and defaults of ``torch.nn.functional.f``;
``f_backward(grad_output, <f's arguments>)`` returns the gradient with
respect to ``input`` (``prelu_backward`` also the weight's).  With
``inplace=True`` a forward does what torch's does: it writes the result
into ``input`` (a writeable float array, else a clear error) and returns
``input``.  A backward takes ``inplace`` with the forward's arguments but
does not use it; it needs the forward's input, so keep a copy of an
input that an in-place forward overwrote.

Everything is computed in the input's dtype (float32 or float64; other
real arrays become float64) except `gelu`, which goes through float64.
The functions are written not to overflow: ``exp`` is only ever taken of
numbers <= 0, so ``sigmoid``, ``softplus``, ``elu``, ``mish``,
``log_softmax`` and the rest stay finite and warning-free at +-1e30.
Results below about ``8 * finfo(dtype).tiny`` are flushed to zero
instead of becoming subnormal.

Modules, by concern: `rectifiers` (relu, leaky_relu, prelu, rrelu and
the piecewise-linear hardtanh, hardsigmoid, hardswish), `elu` (elu,
selu, celu), `smooth` (sigmoid, tanh, softplus, silu, mish, gelu),
`gated` (glu), `softmax_family` (softmax, log_softmax); `_erf` is the
vectorised erf/erfc and `_common` holds the input checks and the
in-place write they share.
"""
from ._erf import _erf, _erf_erfc, _erfc  # noqa: F401  (used by tests)
from .elu import celu, celu_backward, elu, elu_backward, selu, selu_backward
from .gated import glu, glu_backward
from .rectifiers import (
    hardsigmoid, hardsigmoid_backward, hardswish, hardswish_backward,
    hardtanh, hardtanh_backward, leaky_relu, leaky_relu_backward,
    prelu, prelu_backward, relu, relu_backward, rrelu, rrelu_backward,
)
from .smooth import (
    gelu, gelu_backward, mish, mish_backward, sigmoid, sigmoid_backward,
    silu, silu_backward, softplus, softplus_backward, tanh, tanh_backward,
)
from .softmax_family import (
    log_softmax, log_softmax_backward, softmax, softmax_backward,
)


__all__ = [
    "sigmoid", "sigmoid_backward", "tanh", "tanh_backward",
    "relu", "relu_backward", "leaky_relu", "leaky_relu_backward",
    "prelu", "prelu_backward", "rrelu", "rrelu_backward",
    "elu", "elu_backward", "selu", "selu_backward",
    "celu", "celu_backward", "gelu", "gelu_backward",
    "silu", "silu_backward", "mish", "mish_backward",
    "softplus", "softplus_backward", "hardtanh", "hardtanh_backward",
    "hardsigmoid", "hardsigmoid_backward",
    "hardswish", "hardswish_backward",
    "softmax", "softmax_backward", "log_softmax", "log_softmax_backward",
    "glu", "glu_backward",
]
