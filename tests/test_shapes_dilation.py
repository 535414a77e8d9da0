"""convlib.shapes.dilation beyond the API table: the true largest gap,
the M chain with another factor, and the statements chapter 4 makes
about them, checked on wider ranges than the notebook can afford.

The chapter checks its statements for rates 1-12 and 2-4 layers; here
the same statements hold for rates 1-30 and 2-5 layers (the chapter
names both ranges).
"""
import itertools
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from convlib import shapes

RATES = st.lists(st.integers(1, 9), min_size=1, max_size=4)


def _offsets(rates, k):
    """Every sum r_1 j_1 + ... + r_n j_n, 0 <= j < k, by enumeration."""
    return sorted({sum(r * j for r, j in zip(rates, js))
                   for js in itertools.product(range(k), repeat=len(rates))})


@given(RATES, st.integers(1, 5))
def test_largest_gap_is_the_largest_step_between_reached_offsets(rates, k):
    reached = _offsets(rates, k)
    steps = [b - a for a, b in zip(reached, reached[1:])]
    assert shapes.largest_gap(rates, k) == max(steps, default=0)


@given(RATES, st.integers(2, 5))
def test_a_largest_gap_of_one_means_no_holes(rates, k):
    gap = shapes.largest_gap(rates, k)
    assert (gap == 1) == (not shapes.coverage(rates, k).has_holes)


def test_largest_gap_examples():
    assert shapes.largest_gap([2, 5], 2) == 3          # 0, 2, 5, 7
    assert shapes.largest_gap([2, 5], 3) == 2
    assert shapes.largest_gap([2, 2, 2], 3) == 2
    assert shapes.largest_gap([7], 3) == 7
    assert shapes.largest_gap([4, 1], 1) == 0          # one offset


@pytest.mark.parametrize("k", [2, 3, 4, 5, 7])
def test_with_a_first_rate_of_one_no_holes_iff_the_gap_is_at_most_k(k):
    """The exact form of HDC's goal, on every stack [1, r_2, .., r_n]
    with rates 1-8 and 2-4 layers."""
    for n in (2, 3, 4):
        for rest in itertools.combinations_with_replacement(range(1, 9),
                                                            n - 1):
            free = not shapes.coverage((1, *rest), k).has_holes
            assert free == (shapes.largest_gap(rest, k) <= k), (rest, k)


def test_m_chain_with_another_factor_written_out():
    for rates, k in [([1, 2, 5], 2), ([1, 3, 7, 11], 5), ([2, 9, 4], 4)]:
        for factor in (1, 2, k - 1, 5):
            chain = [rates[-1]]
            for r in reversed(rates[:-1]):
                m = chain[0]
                chain.insert(0, max(m - factor * r, m - factor * (m - r), r))
            got = shapes.hdc_m_chain(rates, k, factor=factor)
            assert got.chain == tuple(chain)
            assert got.satisfied == (chain[1] <= k)
    assert shapes.hdc_m_chain([1, 2, 9], 3) == shapes.hdc_m_chain(
        [1, 2, 9], 3, factor=2)


def _m2(tails, factor):
    """M_2 of [1, *tail] for every row of `tails` (independent of r_1),
    vectorised: M_n = r_n, M_i = max(M - f r_i, M - f (M - r_i), r_i)."""
    m = tails[:, -1].copy()
    for i in range(tails.shape[1] - 2, -1, -1):
        r = tails[:, i]
        m = np.maximum(np.maximum(m - factor * r, m - factor * (m - r)), r)
    return m


def _accepted_with_holes(k, factor, max_rate=30, max_layers=5):
    """Stacks [1, r_2, .., r_n] the rule accepts although they have holes
    (a first rate of 1 leaves no common factor: the rule is M_2 <= K)."""
    bad, accepted = [], 0
    for n in range(2, max_layers + 1):
        grid = np.stack(np.meshgrid(*[np.arange(1, max_rate + 1)] * (n - 1),
                                    indexing="ij"), -1).reshape(-1, n - 1)
        kept = grid[_m2(grid, factor) <= k]
        accepted += len(kept)
        for tail in np.unique(np.sort(kept, axis=1), axis=0):
            if shapes.coverage([1, *tail.tolist()], k).has_holes:
                bad.append((1, *tail.tolist()))
    return accepted, bad


def test_the_vectorised_m2_is_hdc_m_chain():
    tails = np.array([[2, 5], [3, 1], [2, 4, 8], [7, 1, 3, 2]], dtype=object)
    for tail in tails:
        for factor in (1, 2, 4):
            want = shapes.hdc_m_chain([1, *tail], 5, factor=factor).chain[1]
            assert _m2(np.array([tail]), factor)[0] == want


@pytest.mark.parametrize("k", [3, 4, 5])
def test_the_rule_accepts_no_hole_from_a_first_rate_of_one(k):
    """The chapter's scoped claim, widened: K = 3, 4, 5, rates 1-30,
    2-5 layers."""
    accepted, bad = _accepted_with_holes(k, factor=2)
    assert accepted > 1000 and bad == []


def test_for_k_2_the_rule_fails_and_factor_k_minus_1_repairs_it():
    accepted, bad = _accepted_with_holes(2, factor=2)
    assert (1, 2, 5) in bad and len(bad) > 100
    accepted, bad = _accepted_with_holes(2, factor=1)
    assert accepted > 100 and bad == []


@pytest.mark.parametrize("call, error, name", [
    (lambda: shapes.largest_gap([]), ValueError, "rates"),
    (lambda: shapes.largest_gap([1, 0]), ValueError, "rates"),
    (lambda: shapes.largest_gap(5), TypeError, "rates"),
    (lambda: shapes.largest_gap([1, 2], 0), ValueError, "kernel_size"),
    (lambda: shapes.hdc_m_chain([1, 2], 3, factor=0), ValueError,
     "factor"),
    (lambda: shapes.hdc_m_chain([1, 2], 3, factor=1.5), TypeError,
     "factor")])
def test_bad_input_names_the_argument(call, error, name):
    with pytest.raises(error, match=name):
        call()


def test_a_common_factor_leaves_a_gap_of_at_least_the_factor():
    for rates in ([2, 4], [3, 6, 9], [2, 2, 2, 2]):
        g = math.gcd(*rates)
        assert shapes.largest_gap(rates, 3) >= g
