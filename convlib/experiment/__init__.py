"""Experiments too long for a notebook: run from a script, saved, loaded.

A script in ``experiments/`` describes an experiment (`Experiment`: the
data, the `Variant` networks, the `Training` settings, the seeds) and
calls `main`, which trains every variant for every seed (`run`, one
deterministic `train_run` each) and saves the per-epoch curves, the
settings, the versions and the machine to `RESULTS_DIR`
(``convlib/experiment/saved/``, package data, so installed copies have
them too). A chapter reads them back with one call:

>>> from convlib import experiment                      # doctest: +SKIP
>>> results = experiment.load("hdc_mnist1d")            # doctest: +SKIP
>>> print(results.summary())                            # doctest: +SKIP

- `Results`: curves per seed, each run's final accuracy (mean of its
  last epochs), the convergence check, paired or Welch intervals of
  differences (`convlib.stats`), a tidy table, a 79-column summary
- `plot_curves`: the mean curves with their bands on a matplotlib Axes
- `reproduce`: train a saved run again (the tests compare the numbers)
- `main`, `parse_seeds`: the scripts' command line (`--help` lists it)

Loading and showing results need NumPy only; training needs torch.
"""
from .results import (RESULTS_DIR, Results, load, plot_curves,
                      results_path)
from .cli import main, parse_seeds
from .running import environment, held_out, reproduce, run, train_run
from .spec import Experiment, Training, Variant

__all__ = ["Experiment", "Training", "Variant", "Results", "load",
           "RESULTS_DIR",
           "plot_curves", "results_path", "run", "train_run", "reproduce",
           "environment", "held_out", "main", "parse_seeds"]
