"""SDSM: the Poisson-binomial tails, the BiCM fit and the co-occurrence test.

Reference values come from brute-force convolution (exact sums of positive terms), from SciPy's
binomial distribution, from the published unit tests of the R package ``backbone`` (Neal) and
from the ``bicm`` package (Saracco et al.'s reference implementation of the BiCM).
"""

import contextlib
import doctest
import io
import warnings

import networkx as nx
import numpy as np
import pytest
from scipy import stats

from netanalysis.analysis import poisson_binomial, sdsm
from netanalysis.analysis.poisson_binomial import poisson_binomial_tails, refined_normal_tails
from netanalysis.analysis.sdsm import fit_bicm, sdsm_projection, sdsm_pvalues
from netanalysis.analysis.significance import hypergeometric_pvalues, validate_pvalues
from netanalysis.errors import ConfigError, GraphError


def _convolved_pmf(q, m):
    """Exact pmf of sum_a Binomial(m_a, q_a) by convolving binomial pmfs (positive terms only)."""
    pmf = np.array([1.0])
    for qa, ma in zip(q, m):
        pmf = np.convolve(pmf, stats.binom.pmf(np.arange(ma + 1), ma, qa))
    return pmf


def _check_against(q, m, ks, rtol):
    pmf = _convolved_pmf(q, m)
    up, low = poisson_binomial_tails(ks, np.tile(q, (len(ks), 1)), m)
    checked = 0
    for k, u, lo in zip(ks, up, low):
        for got, ref in ((u, pmf[k:].sum()), (lo, pmf[: k + 1].sum())):
            if ref > 1e-280:  # below, the reference itself underflows
                assert abs(got - ref) <= rtol * ref, (q, m, k, got, ref)
                checked += 1
    return checked


def test_tails_match_convolution_including_far_tails():
    """Random grouped sums, spreads from 0.1 to ~40: both tails to 1e-9 relative, including
    tails far below the 1e-16 an untilted FFT inversion could resolve."""
    rng = np.random.default_rng(11)
    checked = 0
    for _ in range(120):
        groups = rng.integers(1, 7)
        q = rng.random(groups) * rng.choice([0.02, 0.3, 0.95])
        m = rng.integers(1, rng.choice([40, 2500]), groups)
        mean, sd = (q * m).sum(), np.sqrt((q * (1 - q) * m).sum())
        ks = np.clip(np.round(mean + sd * np.array([-25, -6, -1, 0, 2, 7, 30])), 0, m.sum()).astype(int)
        checked += _check_against(q, m, ks, 1e-9)
    assert checked > 1200


def test_far_tail_below_1e100_is_exact():
    q, m = np.array([0.01, 0.2]), np.array([300, 50])
    pmf = _convolved_pmf(q, m)
    up, _ = poisson_binomial_tails([120], [q], m)
    assert pmf[120:].sum() < 1e-100
    assert abs(up[0] - pmf[120:].sum()) <= 1e-9 * pmf[120:].sum()


def test_a_million_trials_in_one_group_match_the_binomial():
    """One group of a million units (as with a million posts of equal degree): the result must
    equal SciPy's binomial tails, near the centre and 1e-40 deep."""
    m, q = 1_000_000, 0.003
    mean, sd = m * q, np.sqrt(m * q * (1 - q))
    ks = np.round(mean + sd * np.array([-12, -3, 0, 0.5, 4, 14])).astype(int)
    up, low = poisson_binomial_tails(ks, np.full((len(ks), 1), q), [m])
    assert np.allclose(up, stats.binom.sf(ks - 1, m, q), rtol=1e-8, atol=0)
    assert np.allclose(low, stats.binom.cdf(ks, m, q), rtol=1e-8, atol=0)
    assert min(up.min(), low.min()) < 1e-30


def test_trivial_and_degenerate_sums():
    # two fair coins and one sure success (the doctest), plus k outside the support
    up, low = poisson_binomial_tails([0, 3, 4, -1], [[0.5, 1.0, 0.0]] * 4, [2, 1, 5])
    assert up.tolist() == [1.0, 0.25, 0.0, 1.0] and low.tolist() == [0.0, 1.0, 1.0, 0.0]
    up, low = poisson_binomial_tails([0, 2], [[0.0], [1.0]], [2])  # constant sums
    assert up.tolist() == [1.0, 1.0] and low.tolist() == [1.0, 1.0]
    with pytest.raises(GraphError):
        poisson_binomial_tails([1], [[1.5]])
    with pytest.raises(ConfigError):
        poisson_binomial_tails([1], [[0.5]], method="fast")


def test_refined_normal_is_used_beyond_the_window_and_is_close():
    rng = np.random.default_rng(4)
    q, m = rng.random((30, 4)) * 0.2, rng.integers(200, 800, 4)
    ks = np.round((q * m).sum(axis=1) + rng.normal(0, 2, 30) * np.sqrt((q * (1 - q) * m).sum(axis=1)))
    exact = poisson_binomial_tails(ks.astype(int), q, m, method="exact")
    capped = poisson_binomial_tails(ks.astype(int), q, m, max_window=64)
    rna = refined_normal_tails(ks.astype(int), q, m)
    assert np.allclose(capped, rna, rtol=0, atol=1e-15)
    assert np.abs(np.array(rna) - np.array(exact)).max() < 5e-3


def test_bicm_matches_the_published_backbone_probabilities():
    """backbone (R, Neal): inst/tinytest/test_backbone.R and tests/testthat/test-backbone.R,
    "BiCM": for M = rbind(c(0,0,1), c(0,1,0), c(1,0,1)), round(bicm(M), 3) is published as
    rbind(c(.216,.216,.568), c(.216,.216,.568), c(.568,.568,.863)) (repository zpneal/backbone)."""
    m = np.array([[0, 0, 1], [0, 1, 0], [1, 0, 1]])
    fit = fit_bicm(m.sum(axis=1), m.sum(axis=0))
    published = np.array([[0.216, 0.216, 0.568], [0.216, 0.216, 0.568], [0.568, 0.568, 0.863]])
    assert np.array_equal(fit.unit_probabilities(m.sum(axis=1)).round(3), published)


def test_sdsm_matches_the_published_backbone_pvalues():
    """backbone (R, Neal), tests/testthat/test-backbone.R, "SDSM output" (repository
    zpneal/backbone): for M = rbind(c(1,0,1,1), c(0,1,0,0), c(1,0,0,1)) projected onto its rows
    (units are M's columns), round(Pupper, 3) = rbind(c(.432,1,.549), c(1,.304,1), c(.549,1,.329))
    and round(Plower, 3) = rbind(c(.909,.354,.844), c(.354,.954,.476), c(.844,.476,.942)).

    That backbone version computed the Poisson-binomial tails with the refined normal
    approximation (its R/pb.R), so ``method="rna"`` must reproduce all 18 published numbers
    (the diagonal treats an entity as two independent copies of itself, probabilities p^2);
    the exact tails differ from them by less than 0.02.
    """
    m = np.array([[1, 0, 1, 1], [0, 1, 0, 0], [1, 0, 0, 1]])
    units = m.T
    fit = fit_bicm(units.sum(axis=1), units.sum(axis=0))
    p = fit.unit_probabilities(units.sum(axis=1))
    co = m @ m.T
    upper = np.array([[0.432, 1, 0.549], [1, 0.304, 1], [0.549, 1, 0.329]])
    lower = np.array([[0.909, 0.354, 0.844], [0.354, 0.954, 0.476], [0.844, 0.476, 0.942]])
    i, j = np.indices(co.shape)
    probs = (p[:, i.ravel()] * p[:, j.ravel()]).T
    for method, tol in (("rna", 0.0), ("exact", 0.02)):
        up, low = poisson_binomial_tails(co.ravel(), probs, method=method)
        assert np.abs(up.reshape(3, 3).round(3) - upper).max() <= tol
        assert np.abs(low.reshape(3, 3).round(3) - lower).max() <= tol
    table = sdsm_projection(units, method="rna")  # the off-diagonal pairs, via the API
    assert table.p_over.round(3).tolist() == [1.0, 0.549, 1.0]
    assert table.p_under.round(3).tolist() == [0.354, 0.844, 0.476]


def _davis_events_by_women():
    g = nx.davis_southern_women_graph()
    return nx.bipartite.biadjacency_matrix(g, row_order=g.graph["bottom"], column_order=g.graph["top"]).toarray()


def test_davis_southern_women_matches_the_bicm_reference_implementation():
    """Davis' Southern Women (networkx), projected onto the 18 women over the 14 events.

    No published SDSM p-values or backbone for Davis were found (the backbone package's
    vignettes print them only as figures); the published SDSM numbers matched above are
    backbone's own unit test. Here the fit and the exact p-values are checked against the
    ``bicm`` package, the BiCM implementation of Saracco et al.: probabilities to 1e-8, and
    upper-tail p-values computed with its Poisson-binomial class (Hong's DFT-CF) to 1e-9.
    With 14 events the projection has little power: no tie reaches p < 0.05 under SDSM.
    """
    bicm = pytest.importorskip("bicm")
    from bicm.poibin import PoiBin

    b = _davis_events_by_women()
    table = sdsm_projection(b)
    fit = fit_bicm(b.sum(axis=1), b.sum(axis=0))
    graph = bicm.BipartiteGraph(biadjacency=b)
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        graph.solve_tool(print_error=False)
        reference = graph.get_bicm_matrix()
    assert np.abs(fit.unit_probabilities(b.sum(axis=1)) - reference).max() < 1e-8
    worst = 0.0
    for row in table.itertuples():
        ref = PoiBin(reference[:, row.i] * reference[:, row.j]).pval(int(row.weight)) if row.weight else 1.0
        worst = max(worst, abs(ref - row.p_over))
    assert worst < 1e-9
    assert len(table) == 18 * 17 // 2 and table.p_over.min() > 0.05
    p = fit.unit_probabilities(b.sum(axis=1))
    assert np.allclose(table.expected, (p.T @ p)[table.i, table.j], rtol=1e-12)


def test_bicm_reproduces_the_degrees_and_forced_cells():
    """Expected degrees equal the observed ones; a unit naming every entity, an entity named in
    every unit, an empty unit and an empty entity get probabilities exactly 1 or 0, and their
    pairs get finite p-values without warnings."""
    rng = np.random.default_rng(8)
    b = (rng.random((300, 12)) < rng.uniform(0.05, 0.5, 12)).astype(int)
    b[:, 5] = 0  # named nowhere
    b[0, :] = 1  # names everything that is named at all
    b[0, 5] = 0
    b[:, 3] = 1  # named everywhere
    b[1, :] = 0  # names nothing
    b[1, 3] = 1  # ... but the entity named everywhere
    rows, cols = b.sum(axis=1), b.sum(axis=0)
    fit = fit_bicm(rows, cols)
    p = fit.unit_probabilities(rows)
    assert np.abs(p.sum(axis=1) - rows).max() < 1e-7 and np.abs(p.sum(axis=0) - cols).max() < 1e-7
    assert (p[0, cols > 0] == 1).all() and (p[:, 3] == 1).all() and (p[:, 5] == 0).all()
    assert (p[1, np.arange(12) != 3] == 0).all()  # peeled once the full entity is removed
    assert fit.unit_counts.sum() == 300 and np.all(np.diff(fit.unit_degrees) > 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = sdsm_pvalues(
            fit, np.array([3, 3, 0]), np.array([4, 5, 1]), weight=np.array([cols[4], 0, (b[:, 0] & b[:, 1]).sum()])
        )
    assert not table.isna().any().any()
    # the entity named everywhere co-occurs with entity 4 exactly as often as expected (SDSM
    # keeps degrees on average, so that count is random, centred on the observation): p ~ 0.5
    assert abs(table.expected.iloc[0] - cols[4]) < 1e-7 and 0.4 < table.p_over.iloc[0] < 0.6
    assert table.p_over.iloc[1] == 1.0 and table.p_under.iloc[1] == 1.0  # entity named nowhere


def test_degrees_that_cannot_be_fitted_are_errors():
    with pytest.raises(GraphError):
        fit_bicm([1, 2], [1, 1])  # 3 mentions against 2
    with pytest.raises(GraphError):
        fit_bicm([3], [1, 1])  # a unit naming 3 of 2 entities
    fit = fit_bicm([1, 1], [1, 1])
    with pytest.raises(GraphError):
        sdsm_pvalues(fit, [0], [0], weight=[0])  # a pair needs two entities
    with pytest.raises(GraphError):
        sdsm_pvalues(fit, [0], [2], weight=[0])


def test_sdsm_discounts_co_mentions_in_long_posts():
    """2,000 short posts with independent mentions and 200 long posts naming ~70% of the 20
    entities. The hypergeometric test (which ignores post length) calls every pair
    over-expressed; SDSM, which expects long posts to co-mention, calls none."""
    rng = np.random.default_rng(0)
    short = (rng.random((2000, 20)) < rng.uniform(0.02, 0.08, 20)).astype(int)
    long_posts = (rng.random((200, 20)) < 0.7).astype(int)
    b = np.vstack([short, long_posts])
    b = b[b.sum(axis=1) > 0]
    i, j = np.triu_indices(20, k=1)
    w = (b.T @ b)[i, j]
    deg = b.sum(axis=0)
    hyper = hypergeometric_pvalues(w, deg[i], deg[j], n_units=b.shape[0])
    model = sdsm_pvalues(fit_bicm(b.sum(axis=1), deg), i, j, weight=w)
    assert validate_pvalues(hyper.p_over, hyper.p_under).significant.mean() > 0.9
    assert validate_pvalues(model.p_over, model.p_under).significant.mean() < 0.05


def test_sdsm_finds_a_planted_pair():
    """3,000 posts, 15 entities mentioned independently, 60 posts naming entities 0 and 1
    together (base rates 5% each). SDSM is less powerful than the hypergeometric test here,
    because the planted posts are long posts, which SDSM expects to co-mention; it still finds
    the pair (q < 0.001) and at most one other."""
    rng = np.random.default_rng(21)
    rates = rng.uniform(0.03, 0.2, 15)
    rates[:2] = 0.05
    b = (rng.random((3000, 15)) < rates).astype(int)
    planted = rng.choice(3000, 60, replace=False)
    b[planted, 0] = b[planted, 1] = 1
    b = b[b.sum(axis=1) > 0]
    i, j = np.triu_indices(15, k=1)
    table = sdsm_pvalues(fit_bicm(b.sum(axis=1), b.sum(axis=0)), i, j, weight=(b.T @ b)[i, j])
    verdict = validate_pvalues(table.p_over, table.p_under)
    assert verdict.q_value.iloc[0] < 0.001 and verdict.significant.iloc[1:].sum() <= 1


def test_docstring_examples_run():
    assert doctest.testmod(sdsm).failed == 0
    assert doctest.testmod(poisson_binomial).failed == 0
