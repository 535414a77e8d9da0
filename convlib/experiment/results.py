"""Saved results of an experiment: load them, compare variants, show them.

`load("hdc_mnist1d")` reads ``hdc_mnist1d.json`` from `RESULTS_DIR`
(``convlib/experiment/saved/``, inside the package, so that it is there
wherever convlib is installed, Colab included) and returns a `Results`;
its methods give the curves per seed, the final accuracy of each run,
the convergence check, the difference of two variants with a 95%
interval, a tidy table (one row per variant, seed and epoch) and a text
summary that fits 79 columns.
`plot_curves` draws the mean curves on a matplotlib Axes.

NumPy only (matplotlib only through the Axes you pass): a notebook can
read and show results without torch.
"""
import itertools
import json
import math
import textwrap
from pathlib import Path

import numpy as np

from .. import stats
from ..palette import ROLES, SERIES

__all__ = ["Results", "load", "results_path", "plot_curves", "FORMAT",
           "RESULTS_DIR"]

FORMAT = 1
# The one place results files live: package data (pyproject.toml ships
# convlib's **/*.json), written by the scripts in experiments/ and read by
# `load`, in a clone and in any installed copy alike.
RESULTS_DIR = Path(__file__).resolve().parent / "saved"
WIDTH = 79
_STYLES = ("-", "--", ":", "-.")


def results_path(name):
    """The path of a results file, from its name or its path.

    Parameters
    ----------
    name : str or pathlib.Path
        A path to a ``.json`` file, or an experiment's name, looked up as
        ``<name>.json`` in `RESULTS_DIR`.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    FileNotFoundError
        Naming the place looked in.
    """
    path = Path(name)
    if path.suffix == ".json":
        if path.exists():
            return path
        raise FileNotFoundError(f"load: no results file {path}")
    place = RESULTS_DIR / f"{name}.json"
    if place.exists():
        return place
    raise FileNotFoundError(
        f"load: no results file {name}.json in {RESULTS_DIR}. Run "
        f"`python experiments/{name}.py` in a clone of the repository "
        f"(it writes there), or pass the file's path.")


def load(name):
    """Load an experiment's results.

    Parameters
    ----------
    name : str or pathlib.Path
        An experiment's name (e.g. "hdc_mnist1d") or a results file's
        path; see `results_path`.

    Returns
    -------
    Results
    """
    return Results.from_file(results_path(name))


class Results:
    """The saved runs of one experiment.

    Accuracies are returned in percent; losses and seconds as saved.
    Curve keys: "acc" and "loss" (on the held-out set, the test set or
    the validation set as ``split`` says), "train_acc", "train_loss"
    (measured during each epoch) and "seconds".

    Parameters
    ----------
    document : dict
        The parsed JSON file (see ``experiments/README.md``).
    path : pathlib.Path or None
        Where it was read from.
    """

    def __init__(self, document, path=None):
        if document.get("format") != FORMAT:
            raise ValueError(f"Results: format {document.get('format')!r}"
                             f" is not {FORMAT}")
        self.document, self.path = document, path

    @classmethod
    def from_file(cls, path):
        """Read a results file."""
        return cls(json.loads(Path(path).read_text()), Path(path))

    # ------------------------------------------------------------ settings
    @property
    def name(self):
        return self.document["name"]

    @property
    def title(self):
        return self.document["title"]

    @property
    def config(self):
        """Data, split, training settings, variants, pairing, threads."""
        return self.document["config"]

    @property
    def split(self):
        """"test" or "validation": the set the curves were evaluated on."""
        return self.config["split"]

    @property
    def variants(self):
        """Variant names in the experiment's order."""
        return tuple(self.config["variants"])

    @property
    def runs(self):
        """Every run's record (dicts, as saved)."""
        return self.document["runs"]

    @property
    def environments(self):
        """Software and machine of the runs (a run's "environment" is an
        index into this list)."""
        return self.document["environments"]

    @property
    def paired(self):
        """True if runs with the same seed are paired (see `compare`)."""
        return self.config.get("pairing") is not None

    def seeds(self, variant=None):
        """Sorted seeds of a variant's runs (None: of any variant)."""
        return sorted({r["seed"] for r in self.runs
                       if variant in (None, r["variant"])})

    def run(self, variant, seed):
        """The saved record of one run."""
        for record in self.runs:
            if record["variant"] == variant and record["seed"] == seed:
                return record
        raise KeyError(f"Results.run: no run of {variant!r} with seed "
                       f"{seed}")

    def params(self, variant):
        """The variant's parameter count."""
        counts = {r["params"] for r in self.runs if r["variant"] == variant}
        if len(counts) != 1:
            raise ValueError(f"Results.params: {variant!r} has parameter "
                             f"counts {sorted(counts)}")
        return counts.pop()

    # ------------------------------------------------------------ numbers
    def _key(self, key):
        held_out = "test" if self.split == "test" else "val"
        return {"acc": f"{held_out}_acc",
                "loss": f"{held_out}_loss"}.get(key, key)

    def curves(self, variant, key="acc", seeds=None):
        """Per-epoch values of every run of a variant.

        Parameters
        ----------
        variant : str
        key : str
            "acc", "loss", "train_acc", "train_loss" or "seconds".
        seeds : sequence of int or None
            Only these seeds, in this order (None: all, sorted).

        Returns
        -------
        numpy.ndarray, shape (runs, epochs)
            Accuracies in percent.
        """
        if variant not in self.variants:
            raise ValueError(f"Results.curves: variant must be one of "
                             f"{', '.join(self.variants)}, got "
                             f"{variant!r}")
        seeds = self.seeds(variant) if seeds is None else seeds
        name = self._key(key)
        rows = [self.run(variant, s)[name] for s in seeds]
        if len({len(r) for r in rows}) > 1:
            raise ValueError(f"Results.curves: the runs of {variant!r} "
                             f"have different numbers of epochs")
        values = np.array(rows, dtype=float)
        return values * 100 if name.endswith("acc") else values

    def final(self, variant, last=5, key="acc", seeds=None):
        """Each run's mean over its last `last` epochs.

        Returns
        -------
        numpy.ndarray, shape (runs,)
            In percent for accuracies; runs in seed order.
        """
        return self.curves(variant, key, seeds)[:, -last:].mean(axis=1)

    def convergence(self, variant, window=5, tol=0.2, key="acc"):
        """`convlib.stats.convergence` of the variant's mean curve."""
        return stats.convergence(self.curves(variant, key), window, tol)

    def compare(self, a, b, last=5, level=0.95, paired=None,
                bootstrap=False, key="acc"):
        """final(a) - final(b) with a confidence interval.

        Parameters
        ----------
        a, b : str
            Variants.
        last : int
            Epochs averaged per run (`final`).
        level : float
            Confidence level.
        paired : bool or None
            Pair runs by seed (paired t, on the seeds both have) or not
            (Welch t). None: paired if the experiment says what a seed's
            runs share (``config["pairing"]``).
        bootstrap : bool
            A percentile bootstrap interval (10 000 resamples, seed 0)
            instead of the t interval.
        key : str
            As in `curves`.

        Returns
        -------
        convlib.stats.Interval
        """
        paired = self.paired if paired is None else paired
        if paired:
            seeds = sorted(set(self.seeds(a)) & set(self.seeds(b)))
            x, y = (self.final(v, last, key, seeds) for v in (a, b))
        else:
            x, y = self.final(a, last, key), self.final(b, last, key)
        if bootstrap:
            return stats.bootstrap_interval(x, y, level, paired=paired)
        if paired:
            return stats.paired_interval(x, y, level)
        return stats.welch_interval(x, y, level)

    def seconds(self, variant):
        """Each run's training time in seconds (tests included)."""
        return np.array([sum(self.run(variant, s)["seconds"])
                         for s in self.seeds(variant)])

    def rows(self):
        """A tidy table: one dict per variant, seed and epoch.

        Returns
        -------
        list of dict
            Keys: variant, seed, epoch (from 1), and the saved curves
            (accuracies as saved, fractions).
        """
        curve_keys = ("train_loss", "train_acc", self._key("loss"),
                      self._key("acc"), "seconds")
        return [{"variant": r["variant"], "seed": r["seed"],
                 "epoch": e + 1, **{k: r[k][e] for k in curve_keys}}
                for r in self.runs for e in range(len(r["seconds"]))]

    # ------------------------------------------------------------ text
    def summary(self, last=5, tol=0.2, level=0.95, pairs=None,
                bootstrap=False):
        """The results as text no wider than 79 columns.

        One row per variant: parameters, runs, the mean over runs of each
        run's last-`last`-epoch mean with the half-width of its t interval,
        and the convergence check. Then one row per pair: the difference
        with its interval and the interval used (`compare`).

        Parameters
        ----------
        last : int
            Epochs averaged per run; also the convergence window.
        tol : float
            Convergence tolerance in points.
        level : float
            Confidence level.
        pairs : sequence of (str, str) or None
            Differences to show, a - b. None: each variant against each
            earlier one (the first variant is the baseline).
        bootstrap : bool
            Add a column with the percentile bootstrap interval.

        Returns
        -------
        str
        """
        self._level = level
        lines = _wrap(self.title)
        lines += self._head(last)
        lines += [""] + self._variant_table(last, tol, level)
        lines += [""] + self._pair_table(last, level, pairs, bootstrap)
        return "\n".join(lines)

    def _epochs(self):
        return min(len(r["seconds"]) for r in self.runs)

    def _head(self, last):
        epochs = {len(r["seconds"]) for r in self.runs}
        last = min(last, *epochs)
        span = (f"epochs {max(epochs) - last + 1}-{max(epochs)}"
                if len(epochs) == 1 else f"last {last} epochs")
        return _wrap(
            f"{self.split} accuracy (%) of a run: the mean of its {span}; "
            f"mean over runs ± half-width of its {self._level:.0%} t "
            f"interval.")

    def _variant_table(self, last, tol, level):
        rows = [("variant", "setting", "params", "runs", "accuracy",
                 "change*")]
        for v in self.variants:
            finals = self.final(v, min(last, self._epochs()))
            accuracy = f"{finals.mean():.2f}"
            if len(finals) > 1:
                ci = stats.mean_interval(finals, level)
                accuracy += f" ± {ci.half_width:.2f}"
            flat = "n/a"
            if self.curves(v).shape[1] >= 2 * last:
                check = self.convergence(v, last, tol)
                change = round(check.change, 2) + 0.0      # no "-0.00"
                flat = f"{change:+.2f} " + (
                    "flat" if check.converged else "NOT flat")
            rows.append((v, self.config["variants"][v]["description"],
                         str(self.params(v)), str(len(finals)), accuracy,
                         flat))
        return _align(rows, "llrrrl") + _wrap(
            f"* change: the mean curve's last {last} epochs minus the "
            f"{last} before; flat if smaller than {tol} in size.")

    def _pair_table(self, last, level, pairs, bootstrap):
        if pairs is None:
            pairs = [(b, a) for a, b in
                     itertools.combinations(self.variants, 2)]
        last = min(last, self._epochs())
        rows = [("difference", "points", f"{level:.0%} interval",
                 "interval") + (("bootstrap",) if bootstrap else ())]
        for a, b in pairs:
            if min(len(self.seeds(a)), len(self.seeds(b))) < 2:
                gap = self.final(a, last).mean() - self.final(b, last).mean()
                rows.append((f"{a} - {b}", f"{gap:+.2f}", "one run",
                             "none") + (("",) if bootstrap else ()))
                continue
            ci = self.compare(a, b, last, level)
            row = (f"{a} - {b}", f"{ci.estimate:+.2f}", _bounds(ci),
                   f"{ci.method}, {ci.df:.3g} df")
            if bootstrap:
                row += (_bounds(self.compare(a, b, last, level,
                                             bootstrap=True)),)
            rows.append(row)
        why = (f"Paired by seed: {self.config['pairing']}" if self.paired
               else "Runs are independent: Welch's t interval.")
        how = "lrll" + ("l" if bootstrap else "")
        return _align(rows, how) + _wrap(why)

    def __repr__(self):
        counts = ", ".join(f"{v}: {len(self.seeds(v))}"
                           for v in self.variants)
        return f"Results({self.name!r}, {self.split}, runs {{{counts}}})"


def _wrap(text, width=WIDTH):
    return textwrap.wrap(text, width, break_on_hyphens=False)


def _bounds(interval):
    return f"[{interval.low:+.2f}, {interval.high:+.2f}]"


def _align(rows, how):
    """Rows of cells as lines: columns padded, "l"eft or "r"ight."""
    widths = [max(len(row[j]) for row in rows) for j in range(len(how))]
    return ["  ".join(cell.ljust(w) if a == "l" else cell.rjust(w)
                      for cell, w, a in zip(row, widths, how)).rstrip()
            for row in rows]


def plot_curves(results, ax, key="acc", variants=None, window=5,
                level=0.95):
    """Mean curve over seeds per variant, with its t band, on `ax`.

    Colours from `convlib.palette.SERIES`, and a line style per variant
    so that colour is not the only cue. The last `window` epochs (those
    averaged in the tables) are shaded.

    Parameters
    ----------
    results : Results
    ax : matplotlib.axes.Axes
    key : str
        As in `Results.curves`.
    variants : sequence of str or None
        None: all, in the experiment's order.
    window : int or None
        Epochs to shade at the end (None: none).
    level : float
        Confidence level of the band around each mean.

    Returns
    -------
    matplotlib.axes.Axes
    """
    for i, variant in enumerate(variants or results.variants):
        runs = results.curves(variant, key)
        epochs = np.arange(1, runs.shape[1] + 1)
        mean, colour = runs.mean(axis=0), SERIES[i % len(SERIES)]
        if len(runs) > 1:
            t = stats.t_quantile(0.5 + level / 2, len(runs) - 1)
            half = t * runs.std(axis=0, ddof=1) / math.sqrt(len(runs))
            ax.fill_between(epochs, mean - half, mean + half, color=colour,
                            alpha=0.2, linewidth=0)
        ax.plot(epochs, mean, color=colour, linestyle=_STYLES[i % 4],
                label=f"{variant} ({len(runs)} runs)")
    if window:
        ax.axvspan(epochs[-1] - window + 0.5, epochs[-1] + 0.5,
                   color=ROLES["pad"], zorder=0,
                   label=f"last {window} epochs (averaged)")
    held_out = "test" if results.split == "test" else "validation"
    names = {"acc": f"{held_out} accuracy (%)",
             "loss": f"{held_out} loss (cross-entropy)",
             "train_acc": "training accuracy (%)",
             "train_loss": "training loss (cross-entropy)"}
    ax.set_xlabel("epoch")
    ax.set_ylabel(names.get(key, key))
    ax.set_title(f"Mean over seeds, band: {level:.0%} interval of the mean",
                 fontsize="medium")
    ax.legend()
    return ax
