"""Interactive demos for the book; each one works with no kernel.

A demo is an anywidget whose JavaScript holds all its logic, so it responds
at once in JupyterLab and in the static HTML book (drawn from the saved
widget state by the vendored widget manager); its output also carries a
plain HTML + script copy for viewers without widgets. Behind each demo is a
plain function, unit-tested against convlib: the JavaScript repeats its
arithmetic and the tests hold the two equal.

Chapter 1: `shape_calculator` (shows `shape_report`) and `window_stepper`
(shows `window_steps`).

Chapter 4: `hdc_map` (shows `hdc_report`).
"""
from ._demo import Demo, script_source
from .conv import (SEED_INPUT, SEED_KERNEL, ShapeCalculator, ShapeReport,
                   WindowStep, WindowStepper, shape_calculator,
                   shape_report, window_stepper, window_steps)

__all__ = ["Demo", "script_source", "ShapeCalculator", "WindowStepper",
           "ShapeReport", "WindowStep", "SEED_INPUT", "SEED_KERNEL",
           "shape_calculator", "shape_report", "window_stepper",
           "window_steps"]

# Chapter 4: the receptive-field / HDC coverage map
from .dilation import HDCMap, HDCReport, hdc_map, hdc_report  # noqa: E402

__all__ += ["HDCMap", "HDCReport", "hdc_map", "hdc_report"]
