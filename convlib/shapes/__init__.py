"""Output sizes, receptive fields, HDC coverage and gaps, layer costs.

Plain integer arithmetic: no arrays of data, no torch. The first
argument of every size function is the input size -- an int for one
spatial dimension, or a tuple of ints for several (the answer is then a
tuple too) -- and the other arguments are keywords with the names
`torch.nn.functional` uses.

Invalid settings raise what torch refuses, as `ValueError` (bad value)
or `TypeError` (bad type), with a message that starts with the function
name and names the argument.
"""
from .counting import count_flops, count_params
from .dilation import (HDCChain, Coverage, coverage, hdc_m_chain,
                       largest_gap)
from .output_size import (conv_output_size, conv_transpose_output_size,
                          pool_output_size)
from .receptive import ReceptiveField, receptive_field

__all__ = [
    "conv_output_size", "conv_transpose_output_size", "pool_output_size",
    "receptive_field", "ReceptiveField", "hdc_m_chain", "HDCChain",
    "coverage", "Coverage", "largest_gap", "count_params", "count_flops",
]
