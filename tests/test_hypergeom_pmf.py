"""The change tests' exact p-values take scipy.stats.hypergeom's pmf without importing scipy.stats."""

import numpy as np
import pytest
from scipy.stats import hypergeom

from netanalysis.analysis.hypergeometric import pmf_range, scipy_hypergeom_pmf


@pytest.mark.parametrize("seed", range(5))
def test_the_same_numbers_as_scipy_stats_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    for _ in range(200):
        total = int(rng.integers(0, 400))
        marked, drawn = (int(v) for v in rng.integers(0, total + 1, size=2))
        k = np.arange(max(0, drawn - total + marked), min(marked, drawn) + 1)
        k = k[rng.random(len(k)) < 0.7]  # (a part of the support, as the tests sum)
        ours = scipy_hypergeom_pmf(k, total, marked, drawn)
        theirs = hypergeom.pmf(k, total, marked, drawn)
        assert ours.dtype == theirs.dtype and np.array_equal(ours, theirs)
        assert float(ours.sum()) == float(theirs.sum())


@pytest.mark.parametrize("seed", range(3))
def test_the_pmf_is_zero_outside_its_range(seed):
    # the exact p-values compute the pmf only inside pmf_range: outside it the pmf must be 0.0,
    # so that the array summed, and its sum, are the ones of the whole support
    rng = np.random.default_rng(seed)
    narrowed = 0
    for _ in range(12):
        total = int(rng.integers(5_000, 2_000_000))
        marked, drawn = (int(v) for v in rng.integers(1, total, size=2))
        if rng.random() < 0.3:  # (skewed tables: the mode near an end of the support)
            marked = int(rng.integers(1, max(2, total // 200)))
        k = np.arange(max(0, drawn - total + marked), min(marked, drawn) + 1)
        pmf = scipy_hypergeom_pmf(k, total, marked, drawn)
        lo, hi = pmf_range(total, marked, drawn)
        inside = (k >= lo) & (k <= hi)
        assert (pmf[~inside] == 0.0).all()
        assert (pmf[inside] > 0).any()
        narrowed += int((~inside).any())
        partial = np.zeros(len(k))
        partial[inside] = scipy_hypergeom_pmf(k[inside], total, marked, drawn)
        assert np.array_equal(partial, pmf) and float(partial.sum()) == float(pmf.sum())
    assert narrowed >= 3  # (the ranges were narrower than the supports)


def test_small_supports_are_whole():
    assert pmf_range(10, 4, 3) == (0, 3)
    assert pmf_range(100_000, 3, 50_000) == (0, 3)
    assert pmf_range(100_000, 99_999, 50_000) == (49_999, 50_000)


def test_the_range_is_where_the_log_pmf_is_above_the_threshold():
    # the bracketing search finds the same ends as evaluating the log-pmf on the whole support
    from netanalysis.analysis.hypergeometric import NEGLIGIBLE_LOG, hypergeometric_logpmf

    rng = np.random.default_rng(9)
    for _ in range(40):
        total = int(rng.integers(5_000, 400_000))
        marked, drawn = (int(v) for v in rng.integers(1, total, size=2))
        if rng.random() < 0.3:
            drawn = int(rng.integers(1, max(2, total // 100)))
        k = np.arange(max(0, drawn - total + marked), min(marked, drawn) + 1)
        if len(k) <= 4096:
            assert pmf_range(total, marked, drawn) == (int(k[0]), int(k[-1]))
            continue
        above = np.flatnonzero(hypergeometric_logpmf(k, marked, drawn, n_units=total) >= NEGLIGIBLE_LOG)
        assert pmf_range(total, marked, drawn) == (int(k[above[0]]), int(k[above[-1]]))
