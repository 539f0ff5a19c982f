"""Permutation tests of change between two windows, with Benjamini-Hochberg q-values.

Method
------
For a node and a measure, the change from window ``A`` to window ``B`` is
``T = value_B - value_A`` (a node absent from a window's graph counts 0 there, as in
``changes.csv``). Under the null hypothesis the posts of the two windows are exchangeable: which
window a post fell in says nothing about what it names. A permutation reassigns the posts that
belong to only one of the windows at random, keeping each window's number of such posts, and
recomputes both windows' graphs and measures (:mod:`netanalysis.analysis.resample`); posts in
both windows (overlapping rolling windows) stay in both. With ``R`` permutations,

    p = (1 + #{r : |T*_r| >= |T|}) / (1 + R)

(two-sided; Phipson & Smyth 2010), which is never 0 and is exact (valid at every level) for
random permutations. For a statistic that takes few values under reassignment (a share moves in
steps of ``1/n_A + 1/n_B``; counts in whole units) ties make the p-values discrete and
conservative (``P(p <= a) <= a``, not uniform); for nearly continuous measures (PageRank,
eigenvector) they are uniform under the null. ``|T*|`` and ``|T|`` are compared rounded to 12
decimals, so float noise never turns a tie into a win. The smallest attainable p-value is ``1 / (1 + R)``, and with few
posts there are few distinct reassignments (two windows of one post each have two), so small
windows cannot give small p-values: as it should be.

Counts of posts are tested exactly: with post units, the number of posts of window ``A``
naming a node under random reassignment follows the hypergeometric distribution (the posts only
in ``A`` are a draw without replacement from the posts of either window alone), and the change
of ``posts`` and of ``share`` (all-units baseline: over each window's fixed number of posts) is
a monotone function of it. Their p-values sum that distribution over the reassignments whose
``|T*| >= |T|`` (the exact permutation p-value, Fisher's exact test of the 2 x 2 table of
windows x naming; Good 2005, ch. 3), not the ``R`` draws: exact at every level, and small enough
for the BH adjustment over many nodes, which ``1 / (1 + R)`` is not (with ``R = 999`` and 90
nodes a lone change could never reach ``q < 0.05``). Paragraph or sentence units (a post
counts several units) and the topical-units baseline (its denominator moves with the
reassignment) keep the Monte Carlo p-value.

q-values: Benjamini & Hochberg (1995) adjusted p-values over the nodes of each window pair and
measure (countries and forums together): ``q_(i) = min_{j >= i} p_(j) m / j``, capped at 1.
Reporting the changes with ``q <= alpha`` controls the false discovery rate at ``alpha`` among
them (under independence or positive dependence of the tests, Benjamini & Yekutieli 2001).

Windows that share all their posts on one side (cumulative windows: ``A`` inside ``B``) leave
nothing to permute; their p-values are NaN.

Permutations
------------
``R = 999`` by default (:data:`DEFAULT_PERMUTATIONS`), so that p can reach 0.001 and a change
among some tens of nodes can survive the BH adjustment (with ``R = 199`` no q-value over 40
nodes could go below 0.2). Measures are computed once per distinct reassignment (small windows
are cheap) and in stacked blocks (:mod:`netanalysis.analysis.batch_measures`). Measured with
``scripts/bench_uncertainty.py`` on the 2-core development machine under load (synthetic
windows naming about 12 of 150 countries and 16 forums a post): a pair of 100-post windows took
1.1 s with the default measures and 4.7 s with betweenness and closeness added, a pair of
1,000-post windows 3.1 s and 7.5 s; the bundled sample's six pairs of monthly windows 0.07 s.
Betweenness and closeness are left out of the default measures for that cost. Seeds: the pair
ending in window ``k`` draws from ``numpy.random.default_rng([seed, k])``.

References
----------
Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate: a practical and
powerful approach to multiple testing. Journal of the Royal Statistical Society B, 57(1), 289-300.
Benjamini, Y., & Yekutieli, D. (2001). The control of the false discovery rate in multiple testing
under dependency. The Annals of Statistics, 29(4), 1165-1188.
Good, P. (2005). Permutation, Parametric, and Bootstrap Tests of Hypotheses (3rd ed.). Springer.
Phipson, B., & Smyth, G. K. (2010). Permutation p-values should never be zero: calculating exact
p-values when permutations are randomly drawn. Statistical Applications in Genetics and
Molecular Biology, 9(1), Article 39.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from netanalysis.analysis.hypergeometric import pmf_range, scipy_hypergeom_pmf
from netanalysis.analysis.link_products import summed
from netanalysis.analysis.link_sums import counted
from netanalysis.analysis.replicate_blocks import DistinctRows, permutation_blocks
from netanalysis.analysis.resample import NODE_MEASURES, CodedWindow, code_window, paired_sums, replicate_values
from netanalysis.analysis.window_source import WindowSource, as_source
from netanalysis.errors import ConfigError
from netanalysis.parallel import map_ordered

__all__ = [
    "CHANGE_TEST_COLUMNS",
    "DEFAULT_PERMUTATIONS",
    "CHANGE_MEASURES",
    "bh_qvalues",
    "change_test",
    "change_test_coded",
    "change_tests_over_time",
]

log = logging.getLogger(__name__)

#: Columns of :func:`change_test`.
CHANGE_TEST_COLUMNS = ["node", "kind", "metric", "value_before", "value_after", "change", "p_value", "q_value"]
DEFAULT_PERMUTATIONS = 999
#: Measures tested by default: all but betweenness and closeness, the costly ones.
CHANGE_MEASURES = ("posts", "share", "degree", "strength", "eigenvector", "pagerank", "pagerank_scaled")
_DECIMALS = 12


def bh_qvalues(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values); NaN p-values stay NaN and do not count.

    Examples
    --------
    >>> bh_qvalues([0.01, 0.04, 0.03, 0.5]).round(4).tolist()
    [0.04, 0.0533, 0.0533, 0.5]
    >>> bh_qvalues([0.2, float("nan")]).tolist()
    [0.2, nan]
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    if not len(ok):
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    m = len(order)
    scaled = p[order] * m / np.arange(1, m + 1)
    out[order] = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
    return out


def _check(permutations: int, measures: Sequence[str] | str) -> list[str]:
    if isinstance(permutations, bool) or not isinstance(permutations, (int, np.integer)) or permutations < 1:
        raise ConfigError(f"the number of permutations must be a whole number >= 1, not {permutations!r}")
    chosen = [measures] if isinstance(measures, str) else list(dict.fromkeys(measures))
    unknown = [m for m in chosen if m not in NODE_MEASURES]
    if unknown or not chosen:
        raise ConfigError(
            f"unknown measure(s) {', '.join(map(repr, unknown)) or '(none given)'}; "
            f"choose from {', '.join(NODE_MEASURES)}"
        )
    return chosen


def _in_graph(win, counts: np.ndarray, min_weight: int) -> np.ndarray:
    """Which nodes are in the graph of the posts with these multiplicities (one row)."""
    weights = summed(np.asarray(counts, dtype=np.int64)[None, :], win.edge_links)[0]
    out = np.zeros(len(win.nodes), dtype=bool)
    out[win.edge_nodes[weights >= min_weight].ravel()] = True
    return out


EXACT_MEASURES = ("posts", "share")


def _exact_p_values(
    win: CodedWindow, in_a: np.ndarray, in_b: np.ndarray, metric: str, change: np.ndarray
) -> np.ndarray:
    """Exact permutation p-values of every node's change of ``posts`` or ``share`` (post units,
    all-units baseline): the hypergeometric distribution of the posts naming it that fall in
    window ``A`` when the posts of only one window are reassigned (see the module notes)."""
    shared = in_a & in_b
    only_a, only_b = in_a & ~in_b, in_b & ~in_a
    pool = only_a | only_b
    n_pool, n_only_a = int(pool.sum()), int(only_a.sum())
    size_a, size_b = (1.0, 1.0) if metric == "posts" else (float(in_a.sum()), float(in_b.sum()))
    named = np.zeros((len(win.nodes), 3), dtype=np.int64)  # shared, in the pool, in A's share of the pool
    post = win.node_post  # (made from the posts' starts: once)
    # (counted, as link_sums.totals counts: numpy.add.at took 9 times as long, one run)
    named[:, 0] = counted(win.node_index, len(win.nodes), where=shared[post])
    named[:, 1] = counted(win.node_index, len(win.nodes), where=pool[post])
    out = np.full(len(win.nodes), np.nan)
    for i, (s, k_pool) in enumerate(named[:, :2]):
        lo, hi = max(0, n_only_a - (n_pool - k_pool)), min(k_pool, n_only_a)
        k = np.arange(lo, hi + 1)
        t = (s + k_pool - k) / size_b - (s + k) / size_a  # the change when k of them fall in A
        extreme = np.round(np.abs(t), _DECIMALS) >= np.round(abs(change[i]), _DECIMALS)
        # the pmf of the extreme values, computed where it can be a positive double (0.0 elsewhere,
        # as the pmf itself gives there: the same array, the same sum)
        tail = k[extreme]
        lowest, highest = pmf_range(n_pool, int(k_pool), n_only_a)
        inside = (tail >= lowest) & (tail <= highest)
        pmf = np.zeros(len(tail))
        pmf[inside] = scipy_hypergeom_pmf(tail[inside], n_pool, int(k_pool), n_only_a)
        out[i] = min(1.0, float(pmf.sum()))
    return out


def change_test(
    posts_before: pd.DataFrame,
    posts_after: pd.DataFrame,
    links: pd.DataFrame,
    *,
    unit: str = "post",
    measures: Sequence[str] = CHANGE_MEASURES,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: Any = 0,
    min_weight: int = 1,
    baseline: str = "all-units",
) -> pd.DataFrame:
    """Permutation test of every node's change between two windows (see the module notes).

    Parameters
    ----------
    posts_before, posts_after : DataFrame
        The two windows' posts (``post_id``, and ``units`` or ``text`` for paragraph/sentence
        units); a post may be in both.
    links : DataFrame
        Country/forum links ``post_id, kind, entity`` (and ``unit``) of these posts (others are
        ignored).
    measures : sequence of str
        Node measures to test (:data:`netanalysis.analysis.resample.NODE_MEASURES`).
    permutations : int
        ``R``, the number of random reassignments.
    seed : int or sequence of int
        Seed of ``numpy.random.default_rng``.
    unit, min_weight, baseline
        As for :func:`netanalysis.analysis.uncertainty.bootstrap_window`.

    Returns
    -------
    DataFrame
        Columns :data:`CHANGE_TEST_COLUMNS`: one row per node in either window's graph and
        measure, ``change = value_after - value_before``; sorted by metric, kind, node.
        ``attrs``: ``permutations``, ``seed``, ``posts_before``, ``posts_after``,
        ``shared_posts``, ``distinct_permutations``, ``method``.

    Examples
    --------
    >>> before = pd.DataFrame({"post_id": [f"a{i}" for i in range(30)]})
    >>> after = pd.DataFrame({"post_id": [f"b{i}" for i in range(30)]})
    >>> links = pd.DataFrame({"post_id": [f"a{i}" for i in range(30)] * 2 + [f"b{i}" for i in range(30)] * 2,
    ...                       "kind": ["country"] * 30 + ["forum"] * 30 + ["country"] * 30 + ["forum"] * 30,
    ...                       "entity": ["CN"] * 30 + ["UN"] * 30 + ["CN"] * 30
    ...                                 + ["UN"] * 10 + ["BRICS"] * 20})
    >>> t = change_test(before, after, links, measures=["share", "strength"], permutations=199, seed=3)
    >>> [(n, m, round(c, 3), f"{p:.2g}") for n, m, c, p in t[["node", "metric", "change", "p_value"]].values]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('country:CN', 'share', 0.0, '1'), ('forum:BRICS', 'share', 0.667, '1.4e-08'),
     ('forum:UN', 'share', -0.667, '1.4e-08'), ('country:CN', 'strength', 0.0, '1'),
     ('forum:BRICS', 'strength', 20.0, '0.005'), ('forum:UN', 'strength', -20.0, '0.005')]

    The share's p-value is exact (Fisher's exact test of 0 of 30 posts against 20 of 30); the
    strength's is the Monte Carlo one, at its floor ``1 / (1 + R)``.
    """
    chosen = _check(permutations, measures)
    ids_a = pd.Index(posts_before["post_id"].astype(str))
    ids_b = pd.Index(posts_after["post_id"].astype(str))
    pooled = pd.concat([posts_before, posts_after[~ids_b.isin(ids_a)]], ignore_index=True)
    win = code_window(pooled, links, unit=unit)
    ids = pd.Index(win.post_ids)
    return change_test_coded(
        win,
        ids.isin(ids_a),
        ids.isin(ids_b),
        measures=chosen,
        permutations=permutations,
        seed=seed,
        min_weight=min_weight,
        baseline=baseline,
    )


def change_test_coded(
    win: CodedWindow,
    in_a: np.ndarray,
    in_b: np.ndarray,
    *,
    measures: Sequence[str] = CHANGE_MEASURES,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: Any = 0,
    min_weight: int = 1,
    baseline: str = "all-units",
) -> pd.DataFrame:
    """:func:`change_test` of the posts of a coded window (:mod:`netanalysis.analysis.window_source`):
    ``in_a`` and ``in_b`` say which of its posts are in the window before and after (a post may
    be in both)."""
    chosen = _check(permutations, measures)
    in_a, in_b = np.asarray(in_a, dtype=bool), np.asarray(in_b, dtype=bool)
    shared = in_a & in_b
    only_a, only_b = np.flatnonzero(in_a & ~in_b), np.flatnonzero(in_b & ~in_a)
    observed = np.stack([in_a, in_b]).astype(np.int64)
    values = replicate_values(win, observed, measures=chosen, min_weight=min_weight, baseline=baseline)
    rows = _in_graph(win, observed[0], min_weight) | _in_graph(win, observed[1], min_weight)
    change = values[1] - values[0]  # nodes x measures
    attrs = {
        "permutations": int(permutations),
        "seed": seed,
        "posts_before": int(in_a.sum()),
        "posts_after": int(in_b.sum()),
        "shared_posts": int(shared.sum()),
        "baseline": baseline,
        "unit": win.unit,
        "method": "permutation test of posts between windows (Phipson & Smyth 2010; exact for counts of posts), "
        "Benjamini-Hochberg q-values",
    }
    if len(only_a) and len(only_b):
        # a block of permutations at a time (the same draws as one; see replicate_blocks)
        hits = np.zeros(change.shape, dtype=np.int64)
        limit = np.round(np.abs(change), _DECIMALS)[None]
        seen = DistinctRows()
        both = paired_sums(win, observed.sum(axis=0))  # a permutation's windows add up to both windows
        for counts in permutation_blocks(np.random.default_rng(seed), shared, only_a, only_b, permutations):
            k = len(counts) // 2
            stacked = replicate_values(
                win, counts, measures=chosen, min_weight=min_weight, baseline=baseline, paired=both
            )
            null = stacked[k:] - stacked[:k]  # k x nodes x measures
            hits += (np.round(np.abs(null), _DECIMALS) >= limit).sum(axis=0)
            seen.add(counts[:k])
        p = (1.0 + hits) / (1.0 + permutations)
        distinct = len(seen)
    else:
        p = np.full(change.shape, np.nan)
        distinct = 0
    exact = [
        m for m in chosen if m in EXACT_MEASURES and win.unit == "post" and (m == "posts" or baseline == "all-units")
    ]
    if len(only_a) and len(only_b):
        for metric in exact:
            j = chosen.index(metric)
            p[:, j] = _exact_p_values(win, in_a, in_b, metric, change[:, j])
    attrs["exact"] = exact
    parts = []
    nodes = np.asarray(win.nodes, dtype=object)[rows]
    for j, metric in enumerate(chosen):
        pj = p[rows, j]
        parts.append(
            pd.DataFrame(
                {
                    "node": nodes,
                    "kind": win.kinds[rows],
                    "metric": metric,
                    "value_before": values[0][rows, j],
                    "value_after": values[1][rows, j],
                    "change": change[rows, j],
                    "p_value": pj,
                    "q_value": bh_qvalues(pj),
                }
            )
        )
    frame = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame({c: pd.Series(dtype=float) for c in CHANGE_TEST_COLUMNS})
    )
    frame = frame.astype(
        {
            "node": str,
            "kind": str,
            "metric": str,
            "value_before": float,
            "value_after": float,
            "change": float,
            "p_value": float,
            "q_value": float,
        }
    )
    frame = frame.sort_values(["metric", "kind", "node"], kind="mergesort")[CHANGE_TEST_COLUMNS]
    frame = frame.reset_index(drop=True)
    frame.attrs.update(attrs, distinct_permutations=int(distinct))
    return frame


class _PairTest:
    """The test between windows ``k - 1`` and ``k`` of a source (picklable; run by :func:`map_ordered`)."""

    def __init__(self, source: WindowSource, windows: list[tuple[pd.Timestamp, pd.Timestamp]], options: dict):
        self.source, self.windows, self.options = source, windows, options

    def __call__(self, k: int) -> pd.DataFrame:
        options = dict(self.options)
        seed = options.pop("seed")
        a, b = self.source.mask(*self.windows[k - 1]), self.source.mask(*self.windows[k])
        both = a | b
        win = self.source.code(both)
        frame = change_test_coded(win, a[both], b[both], seed=[*np.atleast_1d(seed).tolist(), k], **options)
        frame.insert(0, "window_end", self.windows[k][1])
        frame.insert(0, "window_start", self.windows[k][0])
        return frame


def change_tests_over_time(
    posts: pd.DataFrame | WindowSource,
    links: pd.DataFrame | None,
    windows: Sequence[tuple],
    *,
    unit: str = "post",
    measures: Sequence[str] = CHANGE_MEASURES,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int = 0,
    min_weight: int = 1,
    baseline: str = "all-units",
    jobs: int = 1,
) -> pd.DataFrame:
    """:func:`change_test` between every window and the one before it (``changes.csv``'s tests).

    Parameters
    ----------
    posts : DataFrame or WindowSource
        All posts with ``post_id`` and ``date`` (UTC); or a window source
        (:mod:`netanalysis.analysis.window_source`; then ``links`` is ``None``).
    links : DataFrame or None
        The corpus's country/forum links.
    windows : sequence of (window_start, window_end)
        In time order; window ``k >= 1`` is compared with window ``k - 1`` using seed
        ``[seed, k]``.
    jobs : int
        Worker processes (1: in this process; 0: one per core); the result does not depend on it.
    unit, measures, permutations, min_weight, baseline
        As for :func:`change_test`.

    Returns
    -------
    DataFrame
        ``window_start, window_end`` (the later window, as in ``changes.csv``) and
        :data:`CHANGE_TEST_COLUMNS`; q-values are adjusted within each window pair and measure.
    """
    chosen = _check(permutations, measures)
    source = as_source(posts, links, unit)
    options = dict(measures=chosen, permutations=permutations, seed=seed, min_weight=min_weight, baseline=baseline)
    spans = [(pd.Timestamp(lo), pd.Timestamp(hi)) for lo, hi in windows]
    parts = list(map_ordered(_PairTest(source, spans, options), range(1, len(spans)), jobs=jobs, fresh=True))
    frame = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=["window_start", "window_end"] + CHANGE_TEST_COLUMNS)
    )
    for col in ("window_start", "window_end"):
        frame[col] = pd.to_datetime(frame[col], utc=True).astype("datetime64[ns, UTC]")
    frame.attrs.update(
        permutations=int(permutations),
        seed=seed,
        baseline=baseline,
        unit=unit,
        method=parts[0].attrs["method"] if parts else "",
        exact=parts[0].attrs["exact"] if parts else [],
    )
    return frame
