"""The hypergeometric co-occurrence test and Benjamini-Hochberg q-values, tested as statistics.

Hand-computed values (exact integer sums) and published ones must match; on simulated corpora
of independent mentions the test must be valid (few false discoveries, uniform randomised
p-values) and a planted association must be found.
"""

import doctest
import math
import warnings
from fractions import Fraction

import numpy as np
import pytest
from scipy import stats

from netanalysis.analysis import hypergeometric, significance
from netanalysis.analysis.hypergeometric import hypergeometric_logpmf
from netanalysis.analysis.significance import (
    SIGNIFICANCE_COLUMNS,
    bh_qvalues,
    hypergeometric_pvalues,
    randomized_pvalues,
    significance_table,
    validate_pvalues,
)
from netanalysis.errors import ConfigError, GraphError


def _exact_tails(w, n, a, b):
    """P(X >= w) and P(X <= w) of Hypergeometric(n, a, b) as exact fractions."""
    total = math.comb(n, b)
    pmf = {x: math.comb(a, x) * math.comb(n - a, b - x) for x in range(max(0, a + b - n), min(a, b) + 1)}
    upper = sum(v for x, v in pmf.items() if x >= w)
    lower = sum(v for x, v in pmf.items() if x <= w)
    return Fraction(upper, total), Fraction(lower, total)


def test_pvalues_match_exact_integer_sums_on_every_tiny_table():
    """Every table with N <= 15 units: both tails equal the exact sums to 1e-12."""
    rows = [
        (w, n, a, b)
        for n in range(16)
        for a in range(n + 1)
        for b in range(n + 1)
        for w in range(max(0, a + b - n), min(a, b) + 1)
    ]
    w, n, a, b = map(np.array, zip(*rows))
    got = hypergeometric_pvalues(w, a, b, n_units=n)
    exact = np.array([[float(x) for x in _exact_tails(*r)] for r in rows])
    assert len(rows) > 3500
    assert np.abs(got["p_over"].to_numpy() - exact[:, 0]).max() <= 1e-12
    assert np.abs(got["p_under"].to_numpy() - exact[:, 1]).max() <= 1e-12
    assert np.allclose(got["expected"], np.where(n > 0, a * b / np.maximum(n, 1), 0.0), rtol=0, atol=1e-15)


@pytest.mark.parametrize(
    "w, n, a, b",
    [(50, 2000, 50, 50), (30, 1000, 40, 60), (15, 300, 20, 25), (120, 100_000, 400, 500), (0, 5000, 900, 1200)],
)
def test_tiny_pvalues_keep_their_relative_precision(w, n, a, b):
    """Far tails (down to 1e-250) are summed directly, not as 1 - cdf: relative error 1e-12."""
    got = hypergeometric_pvalues([w], [a], [b], n_units=[n])
    upper, lower = _exact_tails(w, n, a, b)
    for value, exact in ((got.p_over[0], upper), (got.p_under[0], lower)):
        assert exact > 0 and abs(value - float(exact)) <= 1e-12 * float(exact)
    assert min(float(upper), float(lower)) < 1e-9  # each case exercises a far tail


def test_accurate_where_scipy_is_not_at_a_million_units():
    """At a million units the probability of one table keeps ~1e-13 relative precision
    (SciPy's hypergeom was off by up to 1.6e-10 there, and is slow), and tails summed over
    hundreds of terms keep it too (exact references: integer binomial coefficients)."""
    rng = np.random.default_rng(9)
    for n in (1_000_000, 5_000):
        for _ in range(4):
            a, b = (int(v) for v in rng.integers(n // 100, n // 20, 2))
            mean, sd = a * b / n, math.sqrt(a * b / n)
            w = int(min(a, b, max(0, round(mean + rng.choice([-4.0, 0.0, 5.0]) * sd))))
            pmf = Fraction(math.comb(a, w) * math.comb(n - a, b - w), math.comb(n, b))
            assert abs(math.exp(hypergeometric_logpmf(w, a, b, n_units=n)[()]) / float(pmf) - 1) < 1e-12
            if n <= 5_000:
                got = hypergeometric_pvalues([w], [a], [b], n_units=n)
                upper, lower = _exact_tails(w, n, a, b)
                assert abs(got.p_over[0] / float(upper) - 1) < 1e-12
                assert abs(got.p_under[0] / float(lower) - 1) < 1e-12


def test_matches_the_published_fixed_row_model_of_backbone():
    """backbone (R, Neal), tests/testthat/test-backbone.R, "FixedRow output": the hypergeometric
    p-values of the projection of M = rbind(c(1,0,1,1), c(0,1,0,0), c(1,0,0,1)) onto its rows,
    published rounded to 3 decimals (repository zpneal/backbone)."""
    m = np.array([[1, 0, 1, 1], [0, 1, 0, 0], [1, 0, 0, 1]])
    co = m @ m.T
    deg = m.sum(axis=1)
    i, j = np.indices(co.shape)
    got = hypergeometric_pvalues(co.ravel(), deg[i.ravel()], deg[j.ravel()], n_units=m.shape[1])
    upper = np.array([[0.25, 1, 0.5], [1, 0.25, 1], [0.5, 1, 0.167]])
    lower = np.array([[1, 0.25, 1], [0.25, 1, 0.5], [1, 0.5, 1]])
    assert np.array_equal(got.p_over.to_numpy().reshape(3, 3).round(3), upper)
    assert np.array_equal(got.p_under.to_numpy().reshape(3, 3).round(3), lower)


def test_constant_nodes_and_empty_graphs_give_p_one_without_warnings():
    w = [4, 0, 2, 0, 0, 3]
    a = [4, 0, 4, 0, 0, 3]  # named in every unit, in none, in every unit, ..., N = 0
    b = [4, 0, 2, 3, 0, 3]
    n = [4, 4, 4, 4, 0, 3]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = hypergeometric_pvalues(w, a, b, n_units=n)
        table = significance_table(w, a, b, n_units=n)
    assert got.p_over.tolist() == [1.0] * 6 and got.p_under.tolist() == [1.0] * 6
    assert got.expected.tolist() == [4.0, 0.0, 2.0, 0.0, 0.0, 3.0]
    assert not table.isna().any().any() and not table.significant.any()


def test_impossible_counts_are_a_graph_error():
    for args in (
        ([3], [2], [5], [9]),  # weight > n_i
        ([1], [10], [2], [9]),  # n_i > N
        ([0], [6], [6], [10]),  # weight < n_i + n_j - N
        ([-1], [2], [2], [9]),
        ([1.5], [2], [2], [9]),
    ):
        with pytest.raises(GraphError):
            hypergeometric_pvalues(*args[:3], n_units=args[3])


def test_bh_qvalues_hand_computed_and_against_the_definition():
    # p sorted: .01 .03 .04 .5 ; m p / rank: .04 .06 .0533 .5 ; running minimum from the top.
    assert bh_qvalues([0.01, 0.04, 0.03, 0.5]).round(6).tolist() == [0.04, 0.053333, 0.053333, 0.5]
    assert bh_qvalues([0.01, 0.04], n_tests=4).round(6).tolist() == [0.04, 0.08]
    rng = np.random.default_rng(3)
    p = np.concatenate([rng.random(40), rng.random(10) * 1e-3, [0.2, 0.2, 1.0]])
    m = p.size
    # q_k = min over p_j >= p_k of m p_j / #{l: p_l <= p_j}, capped at 1
    definition = [min(1.0, min(m * pj / (p <= pj).sum() for pj in p[p >= p[k]])) for k in range(m)]
    assert np.allclose(bh_qvalues(p), definition, rtol=0, atol=1e-15)
    assert bh_qvalues(np.array([])).size == 0
    with pytest.raises(GraphError):
        bh_qvalues([0.1, np.nan])
    with pytest.raises(GraphError):
        bh_qvalues([1.2])
    with pytest.raises(ConfigError):
        bh_qvalues([0.1, 0.2], n_tests=1)


def test_alternatives_and_alpha():
    table = validate_pvalues([0.001, 0.9], [0.999, 0.02], alternative="two-sided")
    assert table.p_value.tolist() == [0.002, 0.04]
    assert validate_pvalues([0.001, 0.9], [0.999, 0.02], alternative="less").p_value.tolist() == [0.999, 0.02]
    with pytest.raises(ConfigError):
        validate_pvalues([0.1], [0.9], alternative="bigger")
    with pytest.raises(ConfigError):
        validate_pvalues([0.1], [0.9], alpha=1.5)
    assert list(significance_table([1], [2], [2], n_units=10).columns) == SIGNIFICANCE_COLUMNS


def test_randomized_pvalues_bracket_the_ordinary_ones():
    w, a, b, n = [3, 0, 5], [6, 4, 5], [5, 3, 5], [20, 20, 5]
    ordinary = hypergeometric_pvalues(w, a, b, n_units=n)
    assert np.allclose(randomized_pvalues(w, a, b, n_units=n, u=1.0), ordinary.p_over, atol=1e-14)
    assert np.allclose(randomized_pvalues(w, a, b, n_units=n, u=1.0, alternative="less"), ordinary.p_under, atol=1e-14)
    low = randomized_pvalues(w, a, b, n_units=n, u=0.0)
    assert np.all(low <= ordinary.p_over) and low[2] == 0.0  # constant X: p = u
    with pytest.raises(ConfigError):
        randomized_pvalues(w, a, b, n_units=n, u=1.5)


# --- simulated corpora ---------------------------------------------------------------------


def _corpora(seeds, posts, p_country, p_forum, rng):
    """Independent mentions: (seeds, posts, countries) and (seeds, posts, forums) 0/1 arrays."""
    c = (rng.random((seeds, posts, len(p_country))) < p_country).astype(np.float32)
    f = (rng.random((seeds, posts, len(p_forum))) < p_forum).astype(np.float32)
    return c, f


def test_planted_association_is_recovered():
    """3,000 posts, 30 countries x 10 forums mentioned independently, plus 40 posts that name
    one planted country-forum pair together (about 50 co-mentions where ~16 are expected);
    N counts the posts naming anything, as the graph does. Over 20 corpora the planted pair always
    has q < 0.001 and at most one independent pair is significant at alpha 0.05 in any corpus."""
    rng = np.random.default_rng(17)
    seeds, posts = 20, 3000
    pc, pf = rng.uniform(0.02, 0.2, 30), rng.uniform(0.02, 0.2, 10)
    pc[0] = pf[0] = 0.06  # the planted pair: 180 posts each by chance, ~11 together
    c, f = _corpora(seeds, posts, pc, pf, rng)
    for s in range(seeds):
        planted = rng.choice(posts, 40, replace=False)
        c[s, planted, 0] = 1
        f[s, planted, 0] = 1
    weight = np.einsum("spc,spf->scf", c, f).astype(np.int64)
    n_c, n_f = c.sum(axis=1).astype(np.int64), f.sum(axis=1).astype(np.int64)
    n_units = ((c.sum(axis=2) + f.sum(axis=2)) > 0).sum(axis=1)
    for s in range(seeds):
        table = significance_table(weight[s].ravel(), np.repeat(n_c[s], 10), np.tile(n_f[s], 30), n_units=n_units[s])
        q = table.q_value.to_numpy().reshape(30, 10)
        assert q[0, 0] < 0.001
        independent = table.significant.to_numpy().reshape(30, 10).copy()
        independent[0, 0] = False
        assert independent.sum() <= 1


def test_null_corpora_are_valid_and_randomized_pvalues_uniform():
    """200 corpora of 3,000 posts with independent mentions (12 countries x 8 forums).

    * Mean share of edges (pairs with weight >= 1) called significant (BH q < 0.05 over all 96
      pairs) is <= 0.05, and so is the mean share of raw p_over <= 0.05.
    * Hypergeometric p-values are discrete, so raw p-values are *not* uniform: they are
      stochastically larger than uniform (P(p <= a) <= a), and a KS test on 19,200 of them
      would reject uniformity because of the atoms, not because of an error. The randomised
      p-values P(X > w) + U P(X = w) are exactly uniform under the null whatever the
      discreteness, so the KS test is run on them: it checks the whole distribution
      computation (an off-by-one in the tail, a wrong margin) at every point. Only disjoint
      pairs (country k with forum k) enter it, 8 per corpus, so its 1,600 values are independent.
    * Here N is the number of posts (every post is a unit), the population in which the
      mentions are independent; see the module docstring for N restricted to posts that name
      something.
    """
    rng = np.random.default_rng(2024)
    seeds, posts = 200, 3000
    pc, pf = rng.uniform(0.03, 0.4, 12), rng.uniform(0.03, 0.4, 8)
    c, f = _corpora(seeds, posts, pc, pf, rng)
    weight = np.einsum("spc,spf->scf", c, f).astype(np.int64)
    n_c, n_f = c.sum(axis=1).astype(np.int64), f.sum(axis=1).astype(np.int64)
    share_q, share_raw, randomized, raw = [], [], [], []
    for s in range(seeds):
        w, a, b = weight[s].ravel(), np.repeat(n_c[s], 8), np.tile(n_f[s], 12)
        table = significance_table(w, a, b, n_units=posts)
        edges = w >= 1
        share_q.append(table.significant[edges].mean())
        share_raw.append((table.p_over <= 0.05).mean())
        raw.append(table.p_over.to_numpy())
        k = np.arange(8)
        randomized.append(randomized_pvalues(weight[s, k, k], n_c[s, k], n_f[s, k], n_units=posts, u=rng.random(8)))
    assert np.mean(share_q) <= 0.05
    assert np.mean(share_raw) <= 0.05
    randomized = np.concatenate(randomized)
    assert stats.kstest(randomized, "uniform").pvalue > 0.01
    raw = np.concatenate(raw)
    for level in (0.01, 0.05, 0.1, 0.25, 0.5):
        assert np.mean(raw <= level) <= level + 3 * math.sqrt(level * (1 - level) / raw.size)


def test_a_country_in_every_post_gets_no_significant_edge():
    """One country is named in all 3,000 posts (n_i = N): every one of its edges has p = 1 and
    is not significant, nothing is NaN, no warning is raised, and the planted pair between two
    other nodes is still found."""
    rng = np.random.default_rng(5)
    c, f = _corpora(1, 3000, rng.uniform(0.05, 0.3, 10), rng.uniform(0.05, 0.3, 6), rng)
    c, f = c[0], f[0]
    c[:, 0] = 1
    planted = rng.choice(3000, 60, replace=False)
    c[planted, 1] = 1
    f[planted, 1] = 1
    weight = (c.T @ f).astype(np.int64).ravel()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = significance_table(
            weight,
            np.repeat(c.sum(axis=0), 6).astype(np.int64),
            np.tile(f.sum(axis=0), 10).astype(np.int64),
            n_units=3000,
        )
    assert not table.isna().any().any()
    ubiquitous = table.iloc[:6]
    assert (ubiquitous.p_over == 1.0).all() and (ubiquitous.p_under == 1.0).all()
    assert not ubiquitous.significant.any()
    assert np.allclose(ubiquitous.expected, weight[:6])
    assert table.q_value.iloc[6 + 1] < 0.001


def test_docstring_examples_run():
    assert doctest.testmod(significance).failed == 0
    assert doctest.testmod(hypergeometric).failed == 0
