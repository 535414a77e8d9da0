"""Interactive demos for the book; each one works with no kernel.

A demo is an anywidget whose JavaScript holds all its logic, so it responds
at once in JupyterLab and in the static HTML book (drawn from the saved
widget state by the vendored widget manager); its output also carries a
plain HTML + script copy for viewers without widgets. Behind each demo is a
plain function, unit-tested against convlib: the JavaScript repeats its
arithmetic and the tests hold the two equal.

Chapter 1: `shape_calculator` (shows `shape_report`) and `window_stepper`
(shows `window_steps`).
"""
from ._demo import Demo, script_source
from .conv import (SEED_INPUT, SEED_KERNEL, ShapeCalculator, ShapeReport,
                   WindowStep, WindowStepper, shape_calculator,
                   shape_report, window_stepper, window_steps)

__all__ = ["Demo", "script_source", "ShapeCalculator", "WindowStepper",
           "ShapeReport", "WindowStep", "SEED_INPUT", "SEED_KERNEL",
           "shape_calculator", "shape_report", "window_stepper",
           "window_steps"]

# Chapter 7: the activation explorer (shows `activation_samples` and
# `activation_point` over the sliders' `parameter_grid`).
from .activations import (ActivationExplorer, activation_explorer,
                          activation_point, activation_samples,
                          explorer_config, explorer_x, parameter_grid)

__all__ += ["ActivationExplorer", "activation_explorer", "activation_point",
            "activation_samples", "explorer_config", "explorer_x",
            "parameter_grid"]
