"""Normalisation layers in NumPy, forward and backward.

`batch_norm`, `instance_norm`, `layer_norm` and `group_norm` all compute

    y = (x - mean) / sqrt(var + eps) * weight + bias

with the biased variance (divided by the count, not count - 1) and
differ only in which values share a mean and a variance. For an input
(N, C, H, W):

- batch norm: per channel, over (N, H, W) -- or the running
  statistics in evaluation mode;
- instance norm: per (n, c), over (H, W);
- layer norm: per sample, over the trailing `normalized_shape` axes;
- group norm: per (n, group), over the group's C / G channels and
  (H, W).

`weight` and `bias` are one per channel (one per element of
`normalized_shape` for layer norm); either may be None.

Numerics: the mean and the variance are sums accumulated in float64
and the variance is taken in a second pass over the centred values,
never as E[x^2] - E[x]^2, so float32 inputs with a large mean (1e4 and
a spread of 0.1, say) keep their variance; the result is computed in
the input's dtype. In training mode the running statistics are updated
in place with torch's convention, ``running = (1 - momentum) * running
+ momentum * batch``, the variance term being the unbiased one
(count / (count - 1) times the biased variance used to normalise).

Tolerances (tests/test_numpy_norm.py): equal to torch.nn.functional
within rtol 1e-9, atol 1e-10 in float64 (values, gradients and running
statistics) and rtol 1e-4, atol 1e-5 in float32. For float32 data with
a mean of 1e4 and a spread of 0.1, the outputs are within 1e-2 of the
float64 computation on the same values (measured 4.3e-3 to 5.5e-3:
rounding the mean to float32 costs up to half a unit in its last place,
4.9e-4, i.e. 4.9e-3 of the spread; torch's own float32 layers: 7e-3 to
1.3e-2), where a one-pass E[x^2] - E[x]^2 gets the variance wrong by
more than 100 %.

Modules: `batch_instance` (batch and instance norm, per channel, with
running statistics) and `layer_group` (layer and group norm, per
sample, without); `_common` holds the statistics, the normalisation
and its backward that all four share.

Backward: ``f_backward(grad_output, <f's arguments>)`` returns the
gradient of each array argument in argument order; the running
statistics get None (constants, as in torch, which does not
differentiate them), as do a missing weight or bias. In training mode
the batch statistics are functions of the input and the gradient goes
through them; the backward never updates the running statistics.
"""

from .batch_instance import (batch_norm, batch_norm_backward,
                             instance_norm, instance_norm_backward)
from .layer_group import (group_norm, group_norm_backward, layer_norm,
                          layer_norm_backward)

__all__ = [
    "batch_norm", "batch_norm_backward",
    "instance_norm", "instance_norm_backward",
    "layer_norm", "layer_norm_backward",
    "group_norm", "group_norm_backward",
]
