"""Interactive demos for the book; each one works with no kernel.

A demo is an anywidget whose JavaScript holds all its logic, so it responds
at once in JupyterLab and in the static HTML book (drawn from the saved
widget state by the vendored widget manager); its output also carries a
plain HTML + script copy for viewers without widgets. Behind each demo is a
plain function, unit-tested against convlib: the JavaScript repeats its
arithmetic and the tests hold the two equal.

One source per language: the Python functions ask `convlib._args` and
`convlib.shapes` for sizes and validity (through `_rules`, which turns a
refusal into the id of the rule behind it), the JavaScript asks the
shared kit's `rules` (kit.js). The words both show come from one string
table (strings/, one file per demo, read by `_strings`), in the page's language; the
kit takes its colours from `convlib.palette`. Each demo's control bounds
travel in its config.

Chapter 1: `shape_calculator` (shows `shape_report`) and `window_stepper`
(shows `window_steps` and, hatched, the cells `read_counts` finds unread).
Chapter 2: `variant_comparer` (shows `variant_table` and
`variant_report`).

Chapter 3: `transposed_stepper` (shows `scatter_steps` and
`zero_insertion_view`; `overlap_counts` and `phase_counts` measure the
checkerboard).

Chapter 5: `pooling_explorer` (shows `pool_report`).

Chapter 6: `conv_matrix_explorer` (shows `matrix_report`).

Chapter 7: `activation_explorer` (shows `activation_samples`,
`activation_point` and `activation_distribution`).

Chapter 8: `cnn_tracer` (shows `trace_cnn` of `cnn_layers`).

Chapter 4: `hdc_map` (shows `hdc_report` of two stacks and `hdc_compare`).

Chapter 9: `norm_explorer` (shows `norm_report`).
"""
from ._demo import Demo, script_source
from .conv import (SEED_INPUT, SEED_KERNEL, ShapeCalculator, ShapeReport,
                   WindowStep, WindowStepper, read_counts, shape_calculator,
                   shape_report, window_stepper, window_steps)

__all__ = ["Demo", "script_source", "ShapeCalculator", "WindowStepper",
           "ShapeReport", "WindowStep", "SEED_INPUT", "SEED_KERNEL",
           "read_counts", "shape_calculator", "shape_report",
           "window_stepper", "window_steps"]

# Chapter 2: the variant comparer
from .variants import (VARIANTS, Stage, VariantComparer,  # noqa: E402
                       VariantReport, VariantRow, picture_groups,
                       variant_comparer, variant_report, variant_table)

__all__ += ["VARIANTS", "Stage", "VariantComparer", "VariantReport",
            "VariantRow", "picture_groups", "variant_comparer",
            "variant_report", "variant_table"]
# Chapter 3: the transposed-convolution stepper.
from .transposed import (ScatterStep, TransposedStepper,  # noqa: E402
                         ZeroInsertionView, example_kernel, overlap_counts,
                         phase_counts, scatter_steps, transposed_stepper,
                         zero_insertion_view)

__all__ += ["ScatterStep", "TransposedStepper", "ZeroInsertionView",
            "example_kernel", "overlap_counts", "phase_counts",
            "scatter_steps", "transposed_stepper", "zero_insertion_view"]
# Chapter 5: the pooling explorer.
from .pooling import (POOL_INPUT, PoolingExplorer, PoolReport,  # noqa: E402
                      pool_report, pooling_explorer)

__all__ += ["POOL_INPUT", "PoolingExplorer", "PoolReport", "pool_report",
            "pooling_explorer"]
# Chapter 8: the CNN shape tracer.
from .cnn_tracer import (CnnTrace, CnnTracer, LayerTrace, cnn_layers,
                         cnn_tracer, trace_cnn)

__all__ += ["CnnTrace", "CnnTracer", "LayerTrace", "cnn_layers",
            "cnn_tracer", "trace_cnn"]
# Chapter 7: the activation explorer (shows `activation_samples` and
# `activation_point` over the sliders' `parameter_grid`, and
# `activation_distribution` of an input N(mean, std^2)).
from .activations import (ActivationExplorer, activation_distribution,
                          activation_explorer, activation_point,
                          activation_samples, explorer_config, explorer_x,
                          input_points, parameter_grid)

__all__ += ["ActivationExplorer", "activation_distribution",
            "activation_explorer", "activation_point",
            "activation_samples", "explorer_config", "explorer_x",
            "input_points", "parameter_grid"]
# Chapter 4: the receptive-field / HDC coverage map
from .dilation import (HDCMap, HDCReport, hdc_compare, hdc_map,  # noqa: E402
                       hdc_report)

__all__ += ["HDCMap", "HDCReport", "hdc_compare", "hdc_map",
            "hdc_report"]
# Chapter 6: the convolution-matrix explorer
from .conv_matrix import (ConvMatrixExplorer, MatrixReport,  # noqa: E402
                          conv_matrix_explorer, matrix_report)

__all__ += ["ConvMatrixExplorer", "MatrixReport", "conv_matrix_explorer",
            "matrix_report"]
# Chapter 8: the trained digit network, live (shows `digit_net_forward`).
from .digit_net import (DigitLayers, DigitNet, digit_net,  # noqa: E402
                        digit_net_forward, digit_net_weights,
                        random_weights)

__all__ += ["DigitLayers", "DigitNet", "digit_net", "digit_net_forward",
            "digit_net_weights", "random_weights"]
# Chapter 9: the normalisation explorer (shows `norm_report` for every
# setting of `settings()`).
from .norm import (NORM_INPUT, NormExplorer, NormReport,  # noqa: E402
                   norm_explorer, norm_report)

__all__ += ["NORM_INPUT", "NormExplorer", "NormReport", "norm_explorer",
            "norm_report"]
