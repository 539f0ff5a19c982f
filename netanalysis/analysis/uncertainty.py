"""Bootstrap confidence intervals for node measures and ranks, per window.

Method
------
The nonparametric bootstrap over posts (Efron & Tibshirani 1993, ch. 6 and 13): each of ``B``
replicates draws the window's ``n`` posts with replacement (multinomial multiplicities, every
post equally likely), builds the co-mention graph of the drawn posts (a post drawn twice counts
twice) and computes every node measure with the definitions behind ``nodes.csv``
(:mod:`netanalysis.analysis.resample`; the tests check the replicates against
:func:`netanalysis.analysis.centrality.node_measures`). The post is the resampling unit whatever the unit of
co-mention, so the dependence between the paragraphs or sentences of one post is kept.

* ``ci_low``, ``ci_high``: the percentile interval, the ``(1 - level) / 2`` and
  ``(1 + level) / 2`` quantiles of the ``B`` replicate values (numpy's linear interpolation
  between order statistics; Efron & Tibshirani 1993, sec. 13.3).
* ``se``: the standard deviation of the replicate values (the bootstrap standard error).
* ``rank_low``, ``rank_high``: the same quantiles of the node's rank (within its kind and
  measure, 1 = highest, ties share the smallest rank) over the replicates, taken at the order
  statistics outside them (``method="lower"`` / ``"higher"``), so they are whole ranks and the
  interval errs wide. Nodes whose rank intervals overlap should not be presented as ordered
  (:func:`rank_intervals_overlap`, :func:`rank_tiers`).

Rows are the nodes of the window's graph (those of ``timeline.csv``); a node missing from a
replicate's graph scores 0 there (and ranks at the bottom), so intervals of rare nodes reach 0.

When it is accurate
-------------------
Percentile intervals of smooth statistics (shares, strengths: sums over posts) have close to
nominal coverage from a few hundred posts per window (the tests check 93-97% coverage of 95%
intervals for a share around 0.3 over 400 posts); graph measures of sparse windows are not
smooth (an edge appears or not) and their intervals are rougher. A window of a few posts has
only a few distinct replicates: its interval shows how much the few posts disagree, no more.
Windows of fewer than two posts get no interval (NaN): resampling one post gives it back.
Reports should grey out windows below ``--min-posts`` (see
:func:`netanalysis.analysis.window_stats.window_table`).

Which measure for trajectories
------------------------------
:data:`TRAJECTORY_MEASURE` is ``share``: the share of the window's units (posts by default)
that name the node, over the all-units ``N`` (every post of the window, including those naming
nothing). It is comparable across windows of any size and any number of nodes (a proportion of
the window's own output), it has a plain reading ("named in 23% of the month's posts"), and as
a mean over posts its bootstrap intervals are accurate (see above). ``pagerank_scaled``
(PageRank x number of nodes, mean 1 in every window) is the size-comparable graph measure, but
it still moves when other nodes enter or leave the window and its intervals are rougher; raw
PageRank sums to 1 over a window's nodes, so it falls whenever a window holds more nodes.

Replicates
----------
``B = 200`` by default (:data:`DEFAULT_REPLICATES`): enough for the 2.5% and 97.5% quantiles to
sit on the 5th and 195th order statistics (Efron & Tibshirani 1993 advise at least a few hundred
replicates for percentile intervals; 1000 for publication-grade tails), and cheap: a window's
replicates share one coded table, weights for all replicates are one product of the replicate x
post multiplicity matrix with the post x edge counts, graph measures are computed once per
distinct replicate and in stacked blocks (:mod:`netanalysis.analysis.batch_measures`). Measured
with ``scripts/bench_uncertainty.py`` on the busy 2-core development machine: every measure of
every monthly window of the bundled sample (one or two posts each, at most three distinct
replicates) in 0.08 s; one synthetic window of 100 posts (about 130 nodes) in 0.5 s, of 1,000
posts in 0.8 s. Seeds: window ``k`` of
:func:`bootstrap_over_time` draws from ``numpy.random.default_rng([seed, k])``, so its intervals
do not depend on the other windows or on ``jobs``.

References
----------
Efron, B., & Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall/CRC.
Hall, P., & Miller, H. (2009). Using the bootstrap to quantify the authority of an empirical
ranking. The Annals of Statistics, 37(6B), 3929-3959.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from netanalysis.analysis.ranks import rank_intervals_overlap, rank_tiers
from netanalysis.analysis.replicate_blocks import DistinctRows
from netanalysis.analysis.resample import (
    NODE_MEASURES,
    CodedWindow,
    bootstrap_counts,
    code_window,
    rank_within_kind,
    replicate_values,
)
from netanalysis.analysis.window_source import WindowSource, as_source
from netanalysis.errors import ConfigError
from netanalysis.parallel import map_ordered

__all__ = [
    "BOOTSTRAP_COLUMNS",
    "DEFAULT_REPLICATES",
    "DEFAULT_LEVEL",
    "TRAJECTORY_MEASURE",
    "bootstrap_window",
    "bootstrap_coded",
    "bootstrap_over_time",
    "rank_intervals_overlap",
    "rank_tiers",
    "window_posts",
]

log = logging.getLogger(__name__)

#: Columns of :func:`bootstrap_window` (``timeline.csv``'s, plus the intervals).
BOOTSTRAP_COLUMNS = ["node", "kind", "metric", "value", "rank", "ci_low", "ci_high", "se", "rank_low", "rank_high"]
DEFAULT_REPLICATES = 200
DEFAULT_LEVEL = 0.95
#: The measure trajectory figures should show by default (see the module notes).
TRAJECTORY_MEASURE = "share"
#: Replicate x post multiplicities drawn at once (bounds memory on large windows).
_BLOCK = 4_000_000


def _check(replicates: int, level: float) -> None:
    if isinstance(replicates, bool) or not isinstance(replicates, (int, np.integer)) or replicates < 0:
        raise ConfigError(f"the number of bootstrap replicates must be a whole number >= 0, not {replicates!r}")
    if not 0 < level < 1:
        raise ConfigError(f"the confidence level must lie between 0 and 1, not {level!r}")


def _measures(measures: Sequence[str] | str) -> list[str]:
    chosen = [measures] if isinstance(measures, str) else list(dict.fromkeys(measures))
    unknown = [m for m in chosen if m not in NODE_MEASURES]
    if unknown or not chosen:
        raise ConfigError(
            f"unknown measure(s) {', '.join(map(repr, unknown)) or '(none given)'}; "
            f"choose from {', '.join(NODE_MEASURES)}"
        )
    return chosen


def bootstrap_window(
    posts: pd.DataFrame,
    links: pd.DataFrame,
    *,
    unit: str = "post",
    measures: Sequence[str] = NODE_MEASURES,
    replicates: int = DEFAULT_REPLICATES,
    level: float = DEFAULT_LEVEL,
    seed: Any = 0,
    min_weight: int = 1,
    baseline: str = "all-units",
) -> pd.DataFrame:
    """Bootstrap intervals of every node measure and rank of one window.

    Parameters
    ----------
    posts : DataFrame
        The window's posts: ``post_id`` (and ``units`` or ``text`` for paragraph/sentence
        units); see :mod:`netanalysis.analysis.resample`.
    links : DataFrame
        Country/forum links ``post_id, kind, entity`` (and ``unit``); links of other posts are
        ignored.
    unit : {"post", "paragraph", "sentence"}
    measures : sequence of str
        Node measures (:data:`netanalysis.analysis.resample.NODE_MEASURES`).
    replicates : int
        ``B``, the number of bootstrap replicates (0: values and ranks only, no intervals).
    level : float
        Confidence level of the intervals.
    seed : int or sequence of int
        Seed of ``numpy.random.default_rng``.
    min_weight : int
        As for ``co_mention_graph``.
    baseline : {"all-units", "topical-units"}
        The denominator of ``share``.

    Returns
    -------
    DataFrame
        Columns :data:`BOOTSTRAP_COLUMNS`, one row per node of the window's graph and measure
        (``value`` and ``rank`` as in ``timeline.csv``), sorted by metric, kind, rank, node.
        ``attrs``: ``replicates``, ``level``, ``seed``, ``posts``, ``distinct_replicates``,
        ``baseline``, ``unit``, ``method``.

    Examples
    --------
    >>> posts = pd.DataFrame({"post_id": ["p1", "p2", "p3"]})
    >>> links = pd.DataFrame({"post_id": ["p1", "p1", "p2", "p2", "p3"],
    ...                       "kind": ["country", "forum", "country", "forum", "country"],
    ...                       "entity": ["CN", "UN", "CN", "BRICS", "RU"]})
    >>> t = bootstrap_window(posts, links, measures=["share"], replicates=100, seed=1)
    >>> t[["node", "value", "ci_low", "ci_high"]].round(3).values.tolist()
    [['country:CN', 0.667, 0.0, 1.0], ['forum:BRICS', 0.333, 0.0, 1.0], ['forum:UN', 0.333, 0.0, 0.842]]
    """
    _check(replicates, level)
    chosen = _measures(measures)
    win = code_window(posts, links, unit=unit)
    return bootstrap_coded(
        win, measures=chosen, replicates=replicates, level=level, seed=seed, min_weight=min_weight, baseline=baseline
    )


def bootstrap_coded(
    win: CodedWindow,
    *,
    measures: Sequence[str] = NODE_MEASURES,
    replicates: int = DEFAULT_REPLICATES,
    level: float = DEFAULT_LEVEL,
    seed: Any = 0,
    min_weight: int = 1,
    baseline: str = "all-units",
) -> pd.DataFrame:
    """:func:`bootstrap_window` of a coded window (:mod:`netanalysis.analysis.window_source`).

    Replicates are drawn and computed in blocks of about four million post multiplicities, so a
    window of a million posts needs no more memory than one of twenty thousand (the draws, from
    one generator, are those of a single draw).
    """
    _check(replicates, level)
    chosen = _measures(measures)
    # the window itself: ones that take no memory (as int64, 80 MB at ten million posts)
    every_post_once = np.broadcast_to(np.ones(1, dtype=np.int32), (1, win.n_posts))
    point = replicate_values(win, every_post_once, measures=chosen, min_weight=min_weight, baseline=baseline)[0]
    present = _present(win, min_weight)
    attrs = {
        "replicates": int(replicates),
        "level": float(level),
        "seed": seed,
        "posts": win.n_posts,
        "baseline": baseline,
        "unit": win.unit,
        "method": "percentile bootstrap over posts",
    }
    if not present.any():
        frame = pd.DataFrame(
            {c: pd.Series(dtype=float if c not in ("node", "kind", "metric") else str) for c in BOOTSTRAP_COLUMNS}
        )
        frame.attrs.update(attrs, distinct_replicates=0)
        return frame
    kinds = win.kinds[present]
    nodes = np.asarray(win.nodes, dtype=object)[present]
    point = point[present]
    ranks = rank_within_kind(point.T, kinds)  # measures x nodes
    values, distinct = None, 1
    if win.n_posts >= 2 and replicates > 0:
        rng = np.random.default_rng(seed)
        step = max(1, _BLOCK // win.n_posts)
        blocks: list[np.ndarray] = []
        seen = DistinctRows()  # (digests of the rows: a row of a large window is megabytes)
        for lo in range(0, replicates, step):
            counts = bootstrap_counts(rng, win.n_posts, min(step, replicates - lo))
            blocks.append(
                replicate_values(win, counts, measures=chosen, min_weight=min_weight, baseline=baseline)[:, present, :]
            )
            seen.add(counts)
            del counts  # (before the next block is drawn: not held beside the next one's)
        values, distinct = np.concatenate(blocks), len(seen)
    tail = (1.0 - level) / 2.0
    parts = []
    for j, metric in enumerate(chosen):
        part = {"node": nodes, "kind": kinds, "metric": metric, "value": point[:, j], "rank": ranks[j]}
        if values is None:
            part.update(ci_low=np.nan, ci_high=np.nan, se=np.nan, rank_low=np.nan, rank_high=np.nan)
        else:
            v = values[:, :, j]
            r = rank_within_kind(v, kinds)
            part.update(
                ci_low=np.quantile(v, tail, axis=0),
                ci_high=np.quantile(v, 1 - tail, axis=0),
                se=v.std(axis=0, ddof=1) if replicates > 1 else np.nan,
                rank_low=np.quantile(r, tail, axis=0, method="lower"),
                rank_high=np.quantile(r, 1 - tail, axis=0, method="higher"),
            )
        parts.append(pd.DataFrame(part))
    frame = pd.concat(parts, ignore_index=True)
    frame = frame.astype(
        {"node": str, "kind": str, "metric": str, "value": float, "ci_low": float, "ci_high": float, "se": float}
    )
    frame["rank"] = frame["rank"].astype("int64")
    for col in ("rank_low", "rank_high"):
        frame[col] = pd.array(frame[col].to_numpy(dtype=float), dtype="Float64").astype("Int64")
    frame = frame.sort_values(["metric", "kind", "rank", "node"], kind="mergesort")[BOOTSTRAP_COLUMNS]
    frame = frame.reset_index(drop=True)
    frame.attrs.update(attrs, distinct_replicates=int(distinct))
    return frame


def _present(win: CodedWindow, min_weight: int) -> np.ndarray:
    """Nodes of the window's graph: those with an edge of weight >= min_weight."""
    weights = win.edge_totals
    out = np.zeros(len(win.nodes), dtype=bool)
    out[win.edge_nodes[weights >= min_weight].ravel()] = True
    return out


def window_posts(posts: pd.DataFrame, start: Any, end: Any) -> pd.DataFrame:
    """The posts dated in ``[start, end)`` (UTC; undated posts are in no window)."""
    if "date" not in posts.columns:
        raise ConfigError("the posts table lacks column date")
    dates = pd.to_datetime(posts["date"], utc=True)
    return posts[((dates >= pd.Timestamp(start)) & (dates < pd.Timestamp(end))).to_numpy()]


class _WindowBootstrap:
    """The bootstrap of window ``k`` of a source (picklable; run by :func:`map_ordered`)."""

    def __init__(self, source: WindowSource, options: dict):
        self.source, self.options = source, options

    def __call__(self, job: tuple[int, pd.Timestamp, pd.Timestamp]) -> pd.DataFrame:
        k, lo, hi = job
        options = dict(self.options)
        seed = options.pop("seed")
        win = self.source.code(self.source.mask(lo, hi))
        frame = bootstrap_coded(win, seed=[*np.atleast_1d(seed).tolist(), k], **options)
        frame.insert(0, "window_end", hi)
        frame.insert(0, "window_start", lo)
        return frame


def bootstrap_over_time(
    posts: pd.DataFrame | WindowSource,
    links: pd.DataFrame | None,
    windows: Sequence[tuple],
    *,
    unit: str = "post",
    measures: Sequence[str] = NODE_MEASURES,
    replicates: int = DEFAULT_REPLICATES,
    level: float = DEFAULT_LEVEL,
    seed: int = 0,
    min_weight: int = 1,
    baseline: str = "all-units",
    jobs: int = 1,
) -> pd.DataFrame:
    """:func:`bootstrap_window` for every window: ``timeline.csv`` with intervals.

    Parameters
    ----------
    posts : DataFrame or WindowSource
        All posts, with ``post_id``, ``date`` (UTC; undated posts are in no window) and, for
        paragraph/sentence units, ``units`` or ``text``; or a window source
        (:mod:`netanalysis.analysis.window_source`; then ``links`` is ``None``).
    links : DataFrame or None
        The corpus's country/forum links (see :func:`bootstrap_window`).
    windows : sequence of (window_start, window_end)
        E.g. from :func:`netanalysis.analysis.timeline.time_windows` (``window_end`` exclusive).
    jobs : int
        Worker processes (1: in this process; 0: one per core); the result does not depend on it.
    unit, measures, replicates, level, seed, min_weight, baseline
        As for :func:`bootstrap_window`; window ``k`` (from 0) is drawn with seed ``[seed, k]``.

    Returns
    -------
    DataFrame
        ``window_start, window_end`` and :data:`BOOTSTRAP_COLUMNS`, sorted by window, metric,
        kind, rank, node; windows without co-mentions have no rows. ``attrs``: ``replicates``,
        ``level``, ``seed``, ``baseline``, ``unit``, ``method``, ``posts`` (per window).
    """
    _check(replicates, level)
    chosen = _measures(measures)
    source = as_source(posts, links, unit)
    options = dict(
        measures=chosen,
        replicates=replicates,
        level=level,
        seed=seed,
        min_weight=min_weight,
        baseline=baseline,
    )
    jobs_list = [(k, pd.Timestamp(lo), pd.Timestamp(hi)) for k, (lo, hi) in enumerate(windows)]
    parts = list(map_ordered(_WindowBootstrap(source, options), jobs_list, jobs=jobs, fresh=True))
    frame = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=["window_start", "window_end"] + BOOTSTRAP_COLUMNS)
    )
    for col in ("window_start", "window_end"):
        frame[col] = pd.to_datetime(frame[col], utc=True).astype("datetime64[ns, UTC]")
    frame.attrs.update(
        {
            "replicates": int(replicates),
            "level": float(level),
            "seed": seed,
            "baseline": baseline,
            "unit": unit,
            "method": "percentile bootstrap over posts",
            "posts": [part.attrs.get("posts", 0) for part in parts],
        }
    )
    return frame
