"""Intervals for comparing trained models over seeds (NumPy only).

- `mean_interval`       a mean with its standard error and t interval
- `welch_interval`      difference of two means, independent runs (Welch)
- `paired_interval`     difference of two means, runs paired by seed
- `bootstrap_interval`  percentile bootstrap interval of a difference
- `convergence`         has a curve flattened? last `w` epochs vs the `w`
  before
- `t_cdf`, `t_quantile` Student's t distribution, computed here

Every interval is an `Interval`: the estimate, the bounds, the level, the
degrees of freedom (None for the bootstrap) and the method's name.

Student's t is computed from the regularised incomplete beta function
(a continued fraction, as in Numerical Recipes, 3rd ed., section 6.4),
and its quantile by safeguarded Newton steps on the CDF, so SciPy is
not needed. The
tests compare it with closed forms (1 and 2 degrees of freedom), a
printed t table (3 decimals) and, where SciPy is installed, with
`scipy.stats.t` (relative error < 1e-10 for 1 to 1000 degrees of
freedom, levels 0.5 to 0.9995).
"""
import math
from typing import NamedTuple

import numpy as np

from ._args import is_int

__all__ = ["Interval", "Convergence", "mean_interval", "welch_interval",
           "paired_interval", "bootstrap_interval", "convergence",
           "t_cdf", "t_quantile"]


class Interval(NamedTuple):
    """An estimate with a two-sided confidence interval.

    Attributes
    ----------
    estimate : float
        The mean, or the difference of means.
    low, high : float
        The interval's bounds.
    level : float
        Confidence level, e.g. 0.95.
    df : float or None
        Degrees of freedom of the t interval (None for the bootstrap).
    method : str
        How the interval was made, e.g. "paired t" or "Welch t".
    se : float or None
        Standard error of the estimate (None for the bootstrap).
    """

    estimate: float
    low: float
    high: float
    level: float
    df: object
    method: str
    se: object = None

    @property
    def half_width(self):
        """Half the interval's width, (high - low) / 2."""
        return (self.high - self.low) / 2

    def excludes(self, value=0.0):
        """True if `value` lies outside [low, high]."""
        return not self.low <= value <= self.high

    def __str__(self):
        return (f"{self.estimate:.4g} [{self.low:.4g}, {self.high:.4g}] "
                f"({self.level:.0%}, {self.method})")


class Convergence(NamedTuple):
    """The result of `convergence`.

    Attributes
    ----------
    last : float
        Mean of the last `window` epochs.
    previous : float
        Mean of the `window` epochs before them.
    change : float
        ``last - previous``.
    tol : float
        The tolerance `change` was held against.
    window : int
        Epochs per window.
    converged : bool
        ``abs(change) < tol``.
    """

    last: float
    previous: float
    change: float
    tol: float
    window: int
    converged: bool


# ---------------------------------------------------------------- checks

def _sample(values, name, fn, minimum=2):
    """A 1-D float array of finite values with at least `minimum` items."""
    array = np.asarray(values, dtype=float)
    if array.ndim != 1:
        raise ValueError(f"{fn}: {name} must be 1-D, got shape "
                         f"{array.shape}")
    if len(array) < minimum:
        raise ValueError(f"{fn}: {name} needs at least {minimum} values, "
                         f"got {len(array)}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{fn}: {name} must be finite, got {array}")
    return array


def _check_level(level, fn):
    if isinstance(level, bool) or not isinstance(level, (int, float)):
        raise TypeError(f"{fn}: level must be a number, got {level!r}")
    if not 0 < level < 1:
        raise ValueError(f"{fn}: level must be in (0, 1), got {level!r}")


def _check_df(df, fn):
    if isinstance(df, bool) or not isinstance(df, (int, float)):
        raise TypeError(f"{fn}: df must be a number, got {df!r}")
    if not df > 0:
        raise ValueError(f"{fn}: df must be > 0, got {df!r}")


# ---------------------------------------------------------------- Student t

def _beta_fraction(a, b, x):
    """Continued fraction of the incomplete beta function (modified
    Lentz), converging fast for x < (a + 1) / (a + b + 2)."""
    tiny, eps = 1e-300, 1e-16
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 1000):
        for numerator in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                          -(a + m) * (a + b + m) * x
                          / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= c * d
        if abs(c * d - 1.0) < eps:
            return result
    raise ArithmeticError(f"incomplete beta: no convergence for a={a}, "
                          f"b={b}, x={x}")


def _betainc(a, b, x):
    """Regularised incomplete beta function I_x(a, b), 0 <= x <= 1."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                 + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1) / (a + b + 2):
        return math.exp(log_front) * _beta_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_fraction(b, a, 1 - x) / b


def t_cdf(t, df):
    """P(T <= t) for Student's t with `df` degrees of freedom.

    Parameters
    ----------
    t : float
    df : float
        Degrees of freedom, > 0 (need not be an integer: Welch's are
        not); ``math.inf`` gives the standard normal.

    Returns
    -------
    float

    Notes
    -----
    With x = df / (df + t^2), P(|T| > |t|) = I_x(df/2, 1/2) (Abramowitz
    and Stegun 26.5.27 with 26.7.1).

    Examples
    --------
    >>> round(t_cdf(1.0, 1), 12)    # Cauchy: 1/2 + atan(1)/pi
    0.75
    """
    _check_df(df, "t_cdf")
    t = float(t)
    if math.isinf(df):
        return 0.5 * math.erfc(-t / math.sqrt(2))
    if t * t < df:      # the more accurate branch near t = 0
        inside = _betainc(0.5, df / 2, t * t / (df + t * t))
        tail = 0.5 * (1.0 - inside)
    else:
        tail = 0.5 * _betainc(df / 2, 0.5, df / (df + t * t))
    return 1.0 - tail if t > 0 else tail


def t_quantile(p, df):
    """The p-quantile of Student's t: the t with ``t_cdf(t, df) == p``.

    Parameters
    ----------
    p : float
        Probability, in (0, 1).
    df : float
        Degrees of freedom, > 0; ``math.inf`` gives the normal quantile.

    Returns
    -------
    float

    Notes
    -----
    Newton's method on `t_cdf`, kept inside a bracket that halves when a
    step would leave it, down to a few units in the last place; the
    result's relative error is below 1e-10 (module docstring).

    Examples
    --------
    >>> round(t_quantile(0.975, 10), 3)     # the t table's 2.228
    2.228
    """
    fn = "t_quantile"
    _check_df(df, fn)
    if isinstance(p, bool) or not isinstance(p, (int, float)):
        raise TypeError(f"{fn}: p must be a number, got {p!r}")
    if not 0 < p < 1:
        raise ValueError(f"{fn}: p must be in (0, 1), got {p!r}")
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        low, high = high, 2 * high
    t = (low + high) / 2
    for _ in range(200):
        error = t_cdf(t, df) - p
        if error == 0:
            return t
        low, high = (t, high) if error < 0 else (low, t)
        step = t - error / _t_pdf(t, df)        # Newton, kept in bounds
        new = step if low < step < high else (low + high) / 2
        if abs(new - t) <= 2 * np.finfo(float).eps * abs(t):
            return new
        t = new
    raise ArithmeticError(f"{fn}: no convergence for p={p}, df={df}")


def _t_pdf(t, df):
    if math.isinf(df):
        return math.exp(-t * t / 2) / math.sqrt(2 * math.pi)
    log_c = (math.lgamma((df + 1) / 2) - math.lgamma(df / 2)
             - 0.5 * math.log(df * math.pi))
    return math.exp(log_c - (df + 1) / 2 * math.log1p(t * t / df))


def _t_interval(estimate, se, df, level, method):
    half = t_quantile(0.5 + level / 2, df) * se
    return Interval(float(estimate), float(estimate - half),
                    float(estimate + half), level, float(df), method,
                    float(se))


# ---------------------------------------------------------------- intervals

def mean_interval(values, level=0.95):
    """The mean of `values` with its t interval.

    Parameters
    ----------
    values : array-like of float, shape (n,)
        Independent measurements, n >= 2 (e.g. one per seed).
    level : float
        Confidence level.

    Returns
    -------
    Interval
        ``estimate`` the mean, ``se`` its standard error s / sqrt(n)
        (s the sample standard deviation, ddof=1), ``df`` n - 1, and
        the bounds mean -/+ t_{(1+level)/2, n-1} se.
    """
    x = _sample(values, "values", "mean_interval")
    _check_level(level, "mean_interval")
    se = x.std(ddof=1) / math.sqrt(len(x))
    return _t_interval(x.mean(), se, len(x) - 1, level, "t")


def welch_interval(a, b, level=0.95):
    """Welch's t interval for mean(a) - mean(b), independent samples.

    Parameters
    ----------
    a, b : array-like of float, shapes (n_a,) and (n_b,)
        Independent runs of two set-ups, each n >= 2; the variances may
        differ.
    level : float
        Confidence level.

    Returns
    -------
    Interval
        ``se = sqrt(s_a^2/n_a + s_b^2/n_b)`` and the Welch-Satterthwaite
        degrees of freedom
        ``se^4 / ((s_a^2/n_a)^2/(n_a-1) + (s_b^2/n_b)^2/(n_b-1))``.
    """
    fn = "welch_interval"
    a, b = _sample(a, "a", fn), _sample(b, "b", fn)
    _check_level(level, fn)
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = math.sqrt(va + vb)
    if se == 0:
        raise ValueError(f"{fn}: a and b are both constant; the interval "
                         f"is undefined")
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    return _t_interval(a.mean() - b.mean(), se, df, level, "Welch t")


def paired_interval(a, b, level=0.95):
    """The t interval of mean(a - b) for runs paired (e.g. by seed).

    Use it when ``a[i]`` and ``b[i]`` share something that varies from
    pair to pair (the same seed's initial weights and batch order): the
    pair's common luck cancels in ``a[i] - b[i]``.

    Parameters
    ----------
    a, b : array-like of float, shape (n,)
        ``a[i]`` and ``b[i]`` form pair i; n >= 2.
    level : float
        Confidence level.

    Returns
    -------
    Interval
        `mean_interval` of the differences, method "paired t", df n - 1.
    """
    fn = "paired_interval"
    a, b = _sample(a, "a", fn), _sample(b, "b", fn)
    if len(a) != len(b):
        raise ValueError(f"{fn}: a and b must hold the same number of "
                         f"pairs, got {len(a)} and {len(b)}")
    interval = mean_interval(a - b, level)
    return interval._replace(method="paired t")


def bootstrap_interval(a, b, level=0.95, paired=False, n_resamples=10000,
                       seed=0):
    """Percentile bootstrap interval for mean(a) - mean(b).

    Resamples with replacement -- the pairs (a[i], b[i]) together if
    `paired`, else each sample on its own -- and takes the
    (1 - level)/2 and (1 + level)/2 quantiles of the resampled
    differences of means. With few runs (n < ~15) it is narrower than the
    t interval (it treats the sample's spread as the truth); report it
    as a check on the t interval rather than instead of it.

    Parameters
    ----------
    a, b : array-like of float, shapes (n_a,) and (n_b,)
        n >= 2 each; equal lengths if `paired`.
    level : float
        Confidence level.
    paired : bool
        Resample pairs (True) or the two samples independently (False).
    n_resamples : int
        Number of bootstrap resamples, >= 100.
    seed : int
        Seed of the resampling (`numpy.random.default_rng`): the same
        seed gives the same interval.

    Returns
    -------
    Interval
        ``df`` and ``se`` None; method "paired bootstrap" or
        "bootstrap".
    """
    fn = "bootstrap_interval"
    a, b = _sample(a, "a", fn), _sample(b, "b", fn)
    _check_level(level, fn)
    if not is_int(n_resamples) or n_resamples < 100:
        raise ValueError(f"{fn}: n_resamples must be an int >= 100, got "
                         f"{n_resamples!r}")
    rng = np.random.default_rng(seed)
    if paired:
        if len(a) != len(b):
            raise ValueError(f"{fn}: paired samples must have the same "
                             f"length, got {len(a)} and {len(b)}")
        pick = rng.integers(0, len(a), (n_resamples, len(a)))
        diffs = (a - b)[pick].mean(axis=1)
    else:
        diffs = (a[rng.integers(0, len(a), (n_resamples, len(a)))]
                 .mean(axis=1)
                 - b[rng.integers(0, len(b), (n_resamples, len(b)))]
                 .mean(axis=1))
    low, high = np.quantile(diffs, [(1 - level) / 2, (1 + level) / 2])
    method = "paired bootstrap" if paired else "bootstrap"
    return Interval(float(a.mean() - b.mean()), float(low), float(high),
                    level, None, method)


# ---------------------------------------------------------------- curves

def convergence(curve, window=5, tol=0.2):
    """Has a training curve flattened? Compare its last two windows.

    Parameters
    ----------
    curve : array-like of float, shape (epochs,) or (runs, epochs)
        A per-epoch measurement (e.g. test accuracy in percent); with
        several runs the mean over runs is taken epoch by epoch first.
    window : int
        Epochs per window, >= 1; the curve needs >= 2 * window epochs.
    tol : float
        The largest acceptable change between the two windows, > 0, in
        the curve's unit.

    Returns
    -------
    Convergence
        ``last`` the mean of the last `window` epochs, ``previous`` the
        mean of the `window` before, ``change = last - previous`` and
        ``converged = abs(change) < tol``.
    """
    fn = "convergence"
    values = np.asarray(curve, dtype=float)
    if values.ndim == 2:
        values = values.mean(axis=0)
    if values.ndim != 1:
        raise ValueError(f"{fn}: curve must be 1-D (epochs) or 2-D (runs, "
                         f"epochs), got shape {np.shape(curve)}")
    if not is_int(window) or window < 1:
        raise ValueError(f"{fn}: window must be an int >= 1, got "
                         f"{window!r}")
    if len(values) < 2 * window:
        raise ValueError(f"{fn}: curve needs at least 2 * window = "
                         f"{2 * window} epochs, got {len(values)}")
    if isinstance(tol, bool) or not isinstance(tol, (int, float)) \
            or not tol > 0:
        raise ValueError(f"{fn}: tol must be a number > 0, got {tol!r}")
    last = float(values[-window:].mean())
    previous = float(values[-2 * window:-window].mean())
    change = last - previous
    return Convergence(last, previous, change, float(tol), window,
                       bool(abs(change) < tol))
