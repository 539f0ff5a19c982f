"""Comparison statistics: log-odds with a Dirichlet prior, Fisher per item, the permutation
test, Kendall's tau-b and rank-biased overlap. Published and hand-computed values, and the
behaviour of the tests when both groups come from the same distribution or one item differs.
"""

import doctest
import itertools
import math
from collections import Counter
from fractions import Fraction

import numpy as np
import pytest
from scipy import stats

from netanalysis.analysis import compare_stats, rank_agreement
from netanalysis.analysis.compare_stats import (
    fisher_items,
    fisher_randomized_pvalues,
    log_odds_dirichlet,
    permutation_test,
)
from netanalysis.analysis.rank_agreement import kendall_tau, rank_biased_overlap, ranking
from netanalysis.analysis.significance import bh_qvalues
from netanalysis.errors import ConfigError, GraphError

# --- log-odds with a Dirichlet prior -------------------------------------------------------


def _word_counts(*docs):
    """Counts per word of each document over their joint vocabulary (words of 2+ letters)."""
    counts = [Counter(w for w in doc.split() if len(w) > 1) for doc in docs]
    vocab = sorted(set().union(*counts))
    return vocab, [np.array([c[w] for w in vocab]) for c in counts]


def test_log_odds_match_the_published_fightin_words_examples():
    """The README of the fightin_words package (Wigder/fightin_words, after J. Hessel's script
    of Monroe et al.'s method) publishes z-scores for two pairs of documents, with a flat prior
    of 0.05 and with "very" given the prior 1/1000 (one over its count). By hand for "brown"
    (once in doc1, never in doc2, 9 words each, 11 words of prior 0.05, alpha_0 = 0.55):
    delta = log(1.05 / 8.5) - log(0.05 / 9.5) = 3.155748, var = 1/1.05 + 1/0.05, z = 0.689423."""
    vocab, (a, b) = _word_counts(
        "the quick brown fox jumps over the lazy pig", "the lazy purple pig jumps over the lazier donkey"
    )
    z = dict(zip(vocab, log_odds_dirichlet(a, b, prior=0.05).z))
    published = {
        "donkey": -0.6894227886807968,
        "lazier": -0.6894227886807968,
        "purple": -0.6894227886807968,
        "jumps": 0.0,
        "lazy": 0.0,
        "over": 0.0,
        "pig": 0.0,
        "the": 0.0,
        "brown": 0.6894227886807968,
        "fox": 0.6894227886807968,
        "quick": 0.6894227886807968,
    }
    assert z == pytest.approx(published, abs=1e-12)

    vocab, (a, b) = _word_counts(
        "the quick brown fox jumps over the lazy pig",
        "the lazy purple pig jumps over the " + 1000 * "very " + "sleepy donkey",
    )
    uninformed = dict(zip(vocab, log_odds_dirichlet(a, b, prior=0.05).z))
    prior = np.array([1.0 / 1000 if w == "very" else 0.05 for w in vocab])  # 1 / its count
    informed = dict(zip(vocab, log_odds_dirichlet(a, b, prior=prior).z))
    assert uninformed == pytest.approx(
        {
            "very": -2.2144429606255946,
            "donkey": 0.3528670051726073,
            "purple": 0.3528670051726073,
            "sleepy": 0.3528670051726073,
            "brown": 1.7074955767167836,
            "fox": 1.7074955767167836,
            "quick": 1.7074955767167836,
            "jumps": 3.4564380059373603,
            "lazy": 3.4564380059373603,
            "over": 3.4564380059373603,
            "pig": 3.4564380059373603,
            "the": 4.954523357120953,
        },
        abs=1e-12,
    )
    assert informed == pytest.approx(
        {
            "very": -0.4368846171934332,
            "purple": 0.3539801999989518,
            "sleepy": 0.3539801999989518,
            "donkey": 0.3539801999989518,
            "quick": 1.7087406001344665,
            "brown": 1.7087406001344665,
            "fox": 1.7087406001344665,
            "jumps": 3.4605672465974453,
            "over": 3.4605672465974453,
            "lazy": 3.4605672465974453,
            "pig": 3.4605672465974453,
            "the": 4.961066225017743,
        },
        abs=1e-12,
    )


def test_log_odds_default_prior_and_symmetry():
    a, b = np.array([30, 5, 0, 12]), np.array([10, 5, 4, 12])
    t = log_odds_dirichlet(a, b)  # prior = pooled counts
    alpha = a + b
    n_a, n_b, a0 = a.sum(), b.sum(), alpha.sum()
    delta0 = math.log((30 + 40) / (n_a + a0 - 30 - 40)) - math.log((10 + 40) / (n_b + a0 - 10 - 40))
    assert t.delta[0] == pytest.approx(delta0, abs=1e-14)
    assert t.variance[0] == pytest.approx(1 / 70 + 1 / 50, abs=1e-15)
    assert np.allclose(log_odds_dirichlet(b, a).z, -t.z)
    assert np.allclose(log_odds_dirichlet(b, b).z, 0.0)
    with pytest.raises(GraphError):
        log_odds_dirichlet([1, 0], [2, 0])  # an item never counted: no prior
    with pytest.raises(GraphError):
        log_odds_dirichlet([1, 2], [1])


# --- Fisher's exact test per item ----------------------------------------------------------


def _exact_two_sided(wa, wb, ua, ub):
    n, a = ua + ub, wa + wb
    if a in (0, n) or ua == 0 or ub == 0:
        return Fraction(1)
    pmf = {
        x: Fraction(math.comb(a, x) * math.comb(n - a, ua - x), math.comb(n, ua))
        for x in range(max(0, a + ua - n), min(a, ua) + 1)
    }
    return sum(v for v in pmf.values() if v <= pmf[wa])


def test_fisher_matches_the_exact_definition_and_scipy():
    """All tables with up to 9 units a group (ties between the tails included), and random
    larger ones: the two-sided p-value equals the exact rational sum to 1e-12 and SciPy's."""
    rows = [(wa, wb, ua, ub) for ua in range(10) for ub in range(10) for wa in range(ua + 1) for wb in range(ub + 1)]
    rng = np.random.default_rng(2)
    for _ in range(60):
        ua, ub = (int(v) for v in rng.integers(50, 250, 2))
        rows.append((int(rng.integers(0, ua + 1)), int(rng.integers(0, ub + 1)), ua, ub))
    got = np.empty(len(rows))
    by_size = {}
    for k, (wa, wb, ua, ub) in enumerate(rows):
        by_size.setdefault((ua, ub), []).append(k)
    for (ua, ub), ks in by_size.items():  # one call per pair of group sizes
        got[ks] = fisher_items([rows[k][0] for k in ks], [rows[k][1] for k in ks], units_a=ua, units_b=ub).p_value
    exact = np.array([float(_exact_two_sided(*r)) for r in rows])
    assert np.abs(got - exact).max() < 1e-12
    for (wa, wb, ua, ub), p in zip(rows[::7], got[::7]):
        if ua and ub:
            assert p == pytest.approx(stats.fisher_exact([[wa, ua - wa], [wb, ub - wb]]).pvalue, abs=1e-12)


def test_fisher_degenerate_items_and_errors():
    t = fisher_items([0, 5, 2], [0, 4, 2], units_a=5, units_b=4)  # in no unit, every unit, some
    assert t.p_value.tolist()[:2] == [1.0, 1.0] and not t.isna().any().any()
    assert fisher_items([0], [0], units_a=0, units_b=4).p_value[0] == 1.0
    with pytest.raises(GraphError):
        fisher_items([6], [0], units_a=5, units_b=4)
    with pytest.raises(ConfigError):
        fisher_items([1], [0], units_a=5, units_b=4, alpha=0)


def _two_groups(rng, seeds, units_a, units_b, rates_a, rates_b):
    a = rng.binomial(units_a, rates_a, size=(seeds, len(rates_a)))
    b = rng.binomial(units_b, rates_b, size=(seeds, len(rates_b)))
    return a, b


def test_same_distribution_gives_uniform_fisher_pvalues():
    """Two groups (300 and 200 units) drawn from one distribution of 15 items, 250 times.

    The Fisher p-value is discrete, so its raw values are stochastically larger than uniform
    and a KS test on thousands of them would reject uniformity because of the atoms alone.
    The randomised p-value P(f(X) < f(x)) + U P(f(X) = f(x)) is exactly uniform under this
    null, so the KS test is run on it (items are independent, so all 3,750 values are); the
    raw p-values are checked to be conservative (P(p <= a) <= a), and the share of items
    called significant (BH q < 0.05) stays below 0.05."""
    rng = np.random.default_rng(7)
    rates = rng.uniform(0.02, 0.5, 15)
    a, b = _two_groups(rng, 250, 300, 200, rates, rates)
    randomized = fisher_randomized_pvalues(a.ravel(), b.ravel(), units_a=300, units_b=200, u=rng.random(a.size))
    raw = fisher_items(a.ravel(), b.ravel(), units_a=300, units_b=200).p_value.to_numpy()
    shares = [np.mean(bh_qvalues(p) < 0.05) for p in raw.reshape(250, 15)]  # one BH per draw
    assert stats.kstest(randomized, "uniform").pvalue > 0.01
    for level in (0.01, 0.05, 0.1, 0.5):
        assert np.mean(raw <= level) <= level + 3 * math.sqrt(level * (1 - level) / raw.size)
    assert np.mean(shares) <= 0.05


def test_randomized_fisher_brackets_the_ordinary_pvalue():
    counts, units = ([3, 0, 7, 2], [1, 4, 7, 2]), {"units_a": 10, "units_b": 10}
    ordinary = fisher_items(*counts, **units).p_value.to_numpy()
    assert np.allclose(fisher_randomized_pvalues(*counts, **units, u=1.0), ordinary, atol=1e-14)
    low = fisher_randomized_pvalues(*counts, **units, u=0.0)
    assert np.all(low < ordinary)
    # 7 of 10 against 7 of 10 is the (unique) mode: p = 1, and P(f(X) = f(x)) = P(X = 7)
    assert ordinary[2] == 1.0
    assert low[2] == pytest.approx(1 - stats.hypergeom.pmf(7, 20, 14, 10), abs=1e-12)


def test_a_planted_difference_in_one_edge_is_found():
    """2,000 units a group, 20 edges with the same rates except edge 0 (5% in A, 11% in B):
    over 20 draws edge 0 always has q < 0.01 and its log-odds z-score is below -2, and at most
    5% of the other edges are called significant (BH controls the false discovery rate, so a
    draw may have a false discovery or two)."""
    rng = np.random.default_rng(11)
    rates = rng.uniform(0.02, 0.3, 20)
    rates[0] = 0.05
    rates_b = rates.copy()
    rates_b[0] = 0.11
    a, b = _two_groups(rng, 20, 2000, 2000, rates, rates_b)
    false = 0
    for s in range(20):
        table = fisher_items(a[s], b[s], units_a=2000, units_b=2000)
        assert table.q_value[0] < 0.01
        assert log_odds_dirichlet(a[s], b[s]).z[0] < -2
        false += table.significant[1:].sum()
    assert false <= 0.05 * 20 * 19


# --- the permutation test ------------------------------------------------------------------


def _incidences(rng, units, rates):
    """(unit, item) pairs of units naming items independently."""
    hit = rng.random((units, len(rates))) < rates
    u, i = np.nonzero(hit)
    return u, i


def test_permutation_statistic_hand_computed_and_exact_distribution():
    """Units 0-2 in A name item 0, 0, 1; units 3-5 in B name 1, 1, 1. Shares (2/3, 1/3) against
    (0, 1): total variation 2/3; JSD = H(1/3, 2/3) - (H(2/3, 1/3) + 0) / 2 = 0.918296 / 2 =
    0.459148 bits. Of the 20 ways to put 3 of the 6 units in A, the statistic reaches the
    observed one for 8 (A holds units 0 and 1 and one of the four naming item 1, or neither of
    them), so the exact permutation p-value is 8/20; with 20,000 random permutations the
    estimate is within 0.01 of it."""
    units, items = np.array([0, 1, 2, 3, 4, 5]), np.array([0, 0, 1, 1, 1, 1])
    in_a = np.array([True, True, True, False, False, False])
    tv = permutation_test(units, items, in_a, statistic="tv", n_permutations=10)
    assert tv.statistic == pytest.approx(2 / 3, abs=1e-15)
    result = permutation_test(units, items, in_a, n_permutations=20_000, seed=3)
    h = -(1 / 3 * math.log2(1 / 3) + 2 / 3 * math.log2(2 / 3))
    assert result.statistic == pytest.approx(h / 2, abs=1e-12)
    exceed = 0
    for chosen in itertools.combinations(range(6), 3):
        lab = np.isin(np.arange(6), chosen)
        a_counts = np.bincount(items[lab[units]], minlength=2)
        b_counts = np.bincount(items[~lab[units]], minlength=2)
        t = compare_stats._distance(a_counts[None].astype(float), b_counts[None].astype(float), "jsd")[0]
        exceed += t >= result.statistic - 1e-12
    assert exceed == 8
    assert abs(result.p_value - exceed / 20) < 0.01
    again = permutation_test(units, items, in_a, n_permutations=20_000, seed=3)
    assert again.p_value == result.p_value  # seeded: reproducible


def test_permutation_pvalues_are_uniform_when_groups_share_a_distribution():
    """250 pairs of groups (60 and 40 units, units without items included) drawn from one
    distribution of 6 items; 199 permutations each. Under exchangeability the Phipson-Smyth
    p-value is uniform on {1/200, ..., 1}; its KS distance to the continuous uniform is at most
    1/200, far below the test's critical value, so the KS test applies."""
    rng = np.random.default_rng(12)
    rates = rng.uniform(0.05, 0.5, 6)
    in_a = np.arange(100) < 60
    pvals = []
    for _ in range(250):
        u, i = _incidences(rng, 100, rates)
        pvals.append(permutation_test(u, i, in_a, n_permutations=199, seed=rng).p_value)
    pvals = np.array(pvals)
    assert pvals.min() >= 1 / 200
    assert stats.kstest(pvals, "uniform").pvalue > 0.01


def test_permutation_finds_a_planted_difference():
    rng = np.random.default_rng(13)
    rates = rng.uniform(0.05, 0.3, 10)
    planted = rates.copy()
    planted[0] = 0.6
    ua, ia = _incidences(rng, 300, rates)
    ub, ib = _incidences(rng, 300, planted)
    units = np.concatenate([ua, ub + 300])
    items = np.concatenate([ia, ib])
    in_a = np.arange(600) < 300
    for name in ("jsd", "tv"):
        result = permutation_test(units, items, in_a, statistic=name, n_permutations=999, seed=1)
        assert result.p_value == 1 / 1000 and result.null.shape == (999,)


def test_permutation_input_errors():
    with pytest.raises(GraphError):
        permutation_test([0, 1], [0, 0], np.array([True, True]))  # group B is empty
    with pytest.raises(GraphError):
        permutation_test([0, 5], [0, 0], np.array([True, False]))  # unit 5 has no group
    with pytest.raises(ConfigError):
        permutation_test([0, 1], [0, 1], np.array([True, False]), statistic="kl")
    with pytest.raises(ConfigError):
        permutation_test([0, 1], [0, 1], np.array([True, False]), n_permutations=0)


# --- rank agreement ------------------------------------------------------------------------


def test_kendall_tau_hand_computed_with_ties_and_missing_items():
    # x = 1, 2, 2, 3 and y = 1, 3, 2, 2: 3 concordant, 1 discordant, one pair tied in x, one
    # tied in y, 6 pairs: tau_b = (3 - 1) / sqrt((6 - 1) (6 - 1)) = 0.4
    tau, p, n = kendall_tau({"a": 1, "b": 2, "c": 2, "d": 3}, {"a": 1, "b": 3, "c": 2, "d": 2})
    assert tau == pytest.approx(0.4, abs=1e-15) and n == 4 and 0 < p <= 1
    # an item missing from B scores 0 there (default), or is left out
    assert kendall_tau({"a": 3, "b": 2, "c": 1}, {"a": 3, "b": 2})[0] == pytest.approx(1.0)
    assert kendall_tau({"a": 3, "b": 2, "c": 1}, {"a": 2, "b": 3}, missing=None)[2] == 2
    tau, p, n = kendall_tau({"a": 1, "b": 1}, {"a": 1, "b": 2})
    assert math.isnan(tau) and math.isnan(p) and n == 2


def test_rbo_matches_the_reference_implementation():
    """Values of Webber's reference implementation of RBO_ext, as published in the test of its
    Go port (dgryski/go-rbo, rbo_test.go, "from the reference implementation"), to 1e-6."""
    cases = [
        ("abcdefgh", "hgfedcba", 0.95, 0.771924),
        ("gafcz", "abcd", 0.8, 0.3786667),
        ("abcdefgh", "badfch", 0.8, 0.6869504),
        ("abcde", "bagheklc", 0.9, 0.6338971),
    ]
    for a, b, p, expected in cases:
        assert rank_biased_overlap(a, b, p=p) == pytest.approx(expected, abs=1e-6)
        assert rank_biased_overlap(b, a, p=p) == pytest.approx(expected, abs=1e-6)


def test_rbo_hand_computed_and_limits():
    # S = a b, T = b a, p = 0.5: X_1 = 0, X_2 = 2;
    # RBO_ext = (1 - p)/p (0 * p / 1 + 2/2 * p^2) + (X_2 / 2) p^2 = 0.25 + 0.25 = 0.5
    assert rank_biased_overlap("ab", "ba", p=0.5) == pytest.approx(0.5, abs=1e-15)
    assert rank_biased_overlap("abcdef", "abcdef") == pytest.approx(1.0)
    assert rank_biased_overlap("abc", "xyz") == 0.0
    assert rank_biased_overlap([], []) == 1.0 and rank_biased_overlap(["a"], []) == 0.0
    with pytest.raises(ConfigError):
        rank_biased_overlap("ab", "ab", p=1.0)
    with pytest.raises(GraphError):
        rank_biased_overlap("aab", "ab")
    assert ranking({"CN": 3, "IN": 5, "BR": 3, "ZA": 0}, top=2) == ["IN", "BR"]


def test_docstring_examples_run():
    assert doctest.testmod(compare_stats).failed == 0
    assert doctest.testmod(rank_agreement).failed == 0
