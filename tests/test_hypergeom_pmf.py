"""The change tests' exact p-values take scipy.stats.hypergeom's pmf without importing scipy.stats."""

import numpy as np
import pytest
from scipy.stats import hypergeom

from netanalysis.analysis.hypergeometric import scipy_hypergeom_pmf


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
