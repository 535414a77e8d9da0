"""convlib.stats: Student's t against closed forms, a printed table and
SciPy; the intervals against hand-computed values and by their coverage
in simulation; the convergence check."""
import math

import numpy as np
import pytest
import scipy.stats

from convlib import stats

# A printed two-sided t table (upper quantiles, 3 decimals), e.g. any
# statistics textbook's appendix; df=inf is the normal distribution.
T_TABLE = {
    0.95: {1: 6.314, 2: 2.920, 5: 2.015, 10: 1.812, 30: 1.697,
           math.inf: 1.645},
    0.975: {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447,
            7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228, 15: 2.131,
            19: 2.093, 20: 2.086, 30: 2.042, 60: 2.000, 120: 1.980,
            math.inf: 1.960},
    0.995: {1: 63.657, 2: 9.925, 5: 4.032, 10: 3.169, 30: 2.750,
            math.inf: 2.576},
}


@pytest.mark.parametrize("p", sorted(T_TABLE))
def test_t_quantile_matches_the_printed_table(p):
    for df, printed in T_TABLE[p].items():
        assert abs(stats.t_quantile(p, df) - printed) <= 0.0005, (p, df)


@pytest.mark.parametrize("t", [-40.0, -2.5, -0.3, 0.0, 0.01, 1.0, 7.0])
def test_t_cdf_closed_forms_for_one_and_two_df(t):
    # df = 1 is Cauchy; df = 2 has cdf 1/2 + t / (2 sqrt(2 + t^2))
    assert stats.t_cdf(t, 1) == pytest.approx(0.5 + math.atan(t) / math.pi,
                                              abs=1e-14)
    assert stats.t_cdf(t, 2) == pytest.approx(
        0.5 + t / (2 * math.sqrt(2 + t * t)), abs=1e-14)


@pytest.mark.parametrize("p", [0.6, 0.9, 0.975, 0.995, 0.9995, 0.01])
def test_t_quantile_closed_forms_for_one_and_two_df(p):
    assert stats.t_quantile(p, 1) == pytest.approx(
        math.tan(math.pi * (p - 0.5)), rel=1e-12)
    assert stats.t_quantile(p, 2) == pytest.approx(
        (2 * p - 1) / math.sqrt(2 * p * (1 - p)), rel=1e-12)


def test_t_matches_scipy_to_1e_10():
    """The accuracy the module docstring states: df 1..1000 (and the
    fractional df of Welch), levels 0.5..0.9995."""
    for df in (1, 1.5, 2, 3, 3.53, 4, 7, 9, 13.2, 19, 30, 57.9, 100, 1000):
        for p in (0.5, 0.55, 0.75, 0.9, 0.95, 0.975, 0.99, 0.995, 0.9995,
                  0.025, 0.1):
            ours, theirs = stats.t_quantile(p, df), scipy.stats.t.ppf(p, df)
            assert abs(ours - theirs) <= 1e-10 * max(abs(theirs), 1e-3)
        for t in (-30.0, -2.0, -0.5, 0.2, 1.0, 3.0, 100.0):
            assert stats.t_cdf(t, df) == pytest.approx(
                scipy.stats.t.cdf(t, df), rel=1e-10, abs=1e-14)


def test_t_quantile_inverts_the_cdf_and_is_symmetric():
    for df in (1, 2.5, 12):
        for p in (0.51, 0.8, 0.999):
            q = stats.t_quantile(p, df)
            assert stats.t_cdf(q, df) == pytest.approx(p, abs=1e-14)
            assert stats.t_quantile(1 - p, df) == pytest.approx(-q)


# ---------------------------------------------------------------- intervals

def test_mean_interval_by_hand():
    # mean 3, s^2 = 2.5, se = sqrt(2.5 / 5), df 4, t(0.975, 4) = 2.776
    ci = stats.mean_interval([1, 2, 3, 4, 5])
    assert ci.estimate == 3 and ci.df == 4
    assert ci.se == pytest.approx(math.sqrt(0.5))
    assert ci.half_width == pytest.approx(2.776 * math.sqrt(0.5), abs=5e-4)
    assert ci.low == pytest.approx(3 - ci.half_width)
    assert ci.method == "t" and ci.level == 0.95


def test_welch_interval_by_hand():
    # a: mean 3, var 2.5, n 5; b: mean 4, var 4, n 3
    # se^2 = 0.5 + 4/3 = 11/6; df = (11/6)^2 / (0.5^2/4 + (4/3)^2/2)
    #      = 484/137
    ci = stats.welch_interval([1, 2, 3, 4, 5], [2, 4, 6])
    assert ci.estimate == -1
    assert ci.se == pytest.approx(math.sqrt(11 / 6))
    assert ci.df == pytest.approx(484 / 137)
    t = scipy.stats.t.ppf(0.975, 484 / 137)
    assert ci.high == pytest.approx(-1 + t * math.sqrt(11 / 6))
    assert ci.method == "Welch t"


def test_paired_interval_by_hand():
    # differences 1, 2, 2: mean 5/3, s^2 = 1/3, se = 1/3, df 2,
    # t(0.975, 2) = 0.95 / sqrt(2 * 0.975 * 0.025)
    ci = stats.paired_interval([1, 2, 3], [0, 0, 1])
    t = 0.95 / math.sqrt(2 * 0.975 * 0.025)
    assert ci.estimate == pytest.approx(5 / 3) and ci.df == 2
    assert (ci.low, ci.high) == pytest.approx((5 / 3 - t / 3,
                                               5 / 3 + t / 3))
    assert ci.method == "paired t"


def test_pairing_removes_the_shared_luck():
    """Runs that share a seed's luck: the paired interval is narrow,
    Welch's (which ignores the pairing) is wide."""
    rng = np.random.default_rng(0)
    luck = rng.normal(0, 1, 12)
    a, b = 95 + luck + rng.normal(0, 0.05, 12), 94.8 + luck
    paired, welch = stats.paired_interval(a, b), stats.welch_interval(a, b)
    assert paired.excludes(0) and not welch.excludes(0)
    assert paired.half_width < welch.half_width / 5


def test_the_old_verdict_example_of_issue_23():
    """a = [0, 0, 3], b = [2.8] * 3: the gap of the means, 1.8, exceeds
    neither the runs' ranges being apart nor Welch's interval."""
    ci = stats.welch_interval([0, 0, 3], [2.8, 2.8, 2.8])
    assert ci.estimate == pytest.approx(-1.8) and not ci.excludes(0)


@pytest.mark.parametrize("make", ["mean", "welch", "paired"])
def test_t_intervals_cover_the_truth_95_percent_of_the_time(make):
    """Coverage in simulation: 2000 normal samples of 5 (Welch: 5 and 8
    with variances 1 and 9). The binomial sd of the rate is 0.0049, so
    [0.93, 0.97] fails for a correct interval with probability < 1e-4
    and catches a normal instead of a t quantile (coverage 0.88)."""
    rng = np.random.default_rng(1)
    hits = 0
    for _ in range(2000):
        a = rng.normal(1.0, 1.0, 5)
        if make == "mean":
            ci, truth = stats.mean_interval(a), 1.0
        elif make == "welch":
            ci, truth = stats.welch_interval(a, rng.normal(0, 3, 8)), 1.0
        else:
            ci, truth = stats.paired_interval(a, a - 1 + rng.normal(
                0, 0.5, 5)), 1.0
        hits += ci.low <= truth <= ci.high
    assert 0.93 <= hits / 2000 <= 0.97


def test_bootstrap_interval():
    rng = np.random.default_rng(2)
    a, b = rng.normal(1, 1, 200), rng.normal(0, 2, 150)
    boot = stats.bootstrap_interval(a, b)
    welch = stats.welch_interval(a, b)
    # large samples: the percentile bootstrap agrees with Welch's t
    assert boot.estimate == welch.estimate
    assert boot.low == pytest.approx(welch.low, abs=0.1 * welch.half_width)
    assert boot.high == pytest.approx(welch.high, abs=0.1 * welch.half_width)
    assert boot.df is None and boot.method == "bootstrap"
    assert stats.bootstrap_interval(a, b) == boot            # seeded
    assert stats.bootstrap_interval(a, b, seed=1) != boot
    pairs = stats.bootstrap_interval(a[:150], b, paired=True)
    assert pairs.method == "paired bootstrap"
    assert pairs.low < pairs.estimate < pairs.high


def test_paired_bootstrap_resamples_pairs():
    """Shared luck cancels in the paired bootstrap as in the paired t."""
    luck = np.random.default_rng(3).normal(0, 1, 30)
    a, b = luck + 0.5, luck + np.linspace(-0.01, 0.01, 30)
    paired = stats.bootstrap_interval(a, b, paired=True)
    unpaired = stats.bootstrap_interval(a, b)
    assert paired.half_width < 0.01 < unpaired.half_width


@pytest.mark.parametrize("call, message", [
    (lambda: stats.mean_interval([1.0]), "at least 2"),
    (lambda: stats.mean_interval([[1, 2], [3, 4]]), "1-D"),
    (lambda: stats.mean_interval([1, np.nan]), "finite"),
    (lambda: stats.mean_interval([1, 2], level=95), "level"),
    (lambda: stats.welch_interval([1, 1], [2, 2]), "constant"),
    (lambda: stats.paired_interval([1, 2, 3], [1, 2]), "same number"),
    (lambda: stats.bootstrap_interval([1, 2], [3, 4], n_resamples=5),
     "n_resamples"),
    (lambda: stats.bootstrap_interval([1, 2], [3, 4, 5], paired=True),
     "same length"),
    (lambda: stats.t_quantile(1.0, 3), "p must be in"),
    (lambda: stats.t_quantile(0.5, 0), "df must be > 0"),
    (lambda: stats.convergence([1, 2, 3], window=2), "at least"),
    (lambda: stats.convergence([1, 2, 3, 4], window=0), "window"),
    (lambda: stats.convergence([1, 2, 3, 4], 2, tol=0), "tol"),
])
def test_bad_input_names_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ---------------------------------------------------------------- curves

def test_convergence_compares_the_last_two_windows():
    curve = [50, 80, 90, 95, 96, 97, 97.1, 97.0, 97.2]
    check = stats.convergence(curve, window=2, tol=0.2)
    # last two (97.0, 97.2) vs the two before (97, 97.1)
    assert check.last == pytest.approx(97.1)
    assert check.previous == pytest.approx(97.05)
    assert check.change == pytest.approx(0.05) and check.converged
    rising = stats.convergence(curve[:6], window=2, tol=0.2)
    assert rising.change == pytest.approx(96.5 - 92.5)
    assert not rising.converged


def test_convergence_averages_runs_first():
    runs = np.array([[1, 2, 3, 4], [3, 2, 5, 2]], dtype=float)
    check = stats.convergence(runs, window=2, tol=1.5)
    # mean curve 2, 2, 4, 3: last 3.5, previous 2
    assert (check.last, check.previous) == (3.5, 2.0)
    assert not check.converged
    assert stats.convergence(runs, window=2, tol=1.6).converged
