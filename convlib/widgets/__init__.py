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
(shows `window_steps`).
Chapter 2: `variant_comparer` (shows `variant_report`).

Chapter 3: `transposed_stepper` (shows `scatter_steps`; `overlap_counts`
measures the checkerboard).

Chapter 5: `pooling_explorer` (shows `pool_report`).

Chapter 8: `cnn_tracer` (shows `trace_cnn` of `cnn_layers`).

Chapter 4: `hdc_map` (shows `hdc_report`).

Chapter 9: `norm_explorer` (shows `norm_report`).
"""
from ._demo import Demo, script_source
from .conv import (SEED_INPUT, SEED_KERNEL, ShapeCalculator, ShapeReport,
                   WindowStep, WindowStepper, shape_calculator,
                   shape_report, window_stepper, window_steps)

__all__ = ["Demo", "script_source", "ShapeCalculator", "WindowStepper",
           "ShapeReport", "WindowStep", "SEED_INPUT", "SEED_KERNEL",
           "shape_calculator", "shape_report", "window_stepper",
           "window_steps"]

# Chapter 2: the variant comparer
from .variants import (VARIANTS, Stage, VariantComparer,  # noqa: E402
                       VariantReport, variant_comparer, variant_report)

__all__ += ["VARIANTS", "Stage", "VariantComparer", "VariantReport",
            "variant_comparer", "variant_report"]
# Chapter 3: the transposed-convolution stepper.
from .transposed import (ScatterStep, TransposedStepper,  # noqa: E402
                         example_kernel, overlap_counts, scatter_steps,
                         transposed_stepper)

__all__ += ["ScatterStep", "TransposedStepper", "example_kernel",
            "overlap_counts", "scatter_steps", "transposed_stepper"]
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
# `activation_point` over the sliders' `parameter_grid`).
from .activations import (ActivationExplorer, activation_explorer,
                          activation_point, activation_samples,
                          explorer_config, explorer_x, parameter_grid)

__all__ += ["ActivationExplorer", "activation_explorer", "activation_point",
            "activation_samples", "explorer_config", "explorer_x",
            "parameter_grid"]
# Chapter 4: the receptive-field / HDC coverage map
from .dilation import HDCMap, HDCReport, hdc_map, hdc_report  # noqa: E402

__all__ += ["HDCMap", "HDCReport", "hdc_map", "hdc_report"]
# Chapter 9: the normalisation explorer (shows `norm_report` for every
# setting of `settings()`).
from .norm import (NORM_INPUT, NormExplorer, NormReport,  # noqa: E402
                   norm_explorer, norm_report)

__all__ += ["NORM_INPUT", "NormExplorer", "NormReport", "norm_explorer",
            "norm_report"]
