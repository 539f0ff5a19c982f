"""Every statistic over time of one run: window sizes, intervals, tests, and the whole corpus's intervals.

:func:`time_statistics` runs, over one :mod:`window source <netanalysis.analysis.window_source>`
and one list of windows, what ``timeline``, ``plot`` and ``report`` write:

* the windows table (``windows.csv``, :func:`~netanalysis.analysis.window_stats.window_table`):
  each window's posts, units, nodes, edges, the ``small`` flag (fewer than ``min_posts``
  posts) and its similarity to the previous window;
* the timeline (``timeline.csv``): every node's value and rank per window and measure, with the
  percentile bootstrap interval of the value (``ci_low``, ``ci_high``) and of the rank
  (``rank_low``, ``rank_high``) over ``replicates`` resamples of the window's posts
  (:mod:`netanalysis.analysis.uncertainty`); ``replicates = 0`` gives values and ranks only;
* the permutation tests of change between consecutive windows (``p_value``, ``q_value`` of
  ``changes.csv``, :mod:`netanalysis.analysis.change_tests`); ``permutations = 0`` skips them;
* the whole corpus's intervals (``node_intervals.csv``): the same bootstrap over every post of
  the corpus (undated ones too, as in ``nodes.csv``), so that the report's "most central"
  tables can say which nodes can be told apart by rank.

Values and ranks are computed from the coded posts with the definitions of ``nodes.csv``
(:mod:`netanalysis.analysis.resample`; the tests check them against
:func:`~netanalysis.analysis.timeline.timeline_table` on the window graphs). Windows are
computed in worker processes (:func:`netanalysis.parallel.map_ordered`, ``jobs``), and the
whole corpus's intervals in a worker of their own while they are; seeds do not depend on the
workers: window ``k`` is resampled with seed ``[seed, k]``, the pair ending
in window ``k`` permuted with ``[seed, k]``, the whole corpus resampled with
``[seed, WHOLE_CORPUS]``.

The workers are started afresh (``fresh=True``: :mod:`netanalysis.parallel_fresh`), not forked
from the calling process, whose every page a forked worker holds: they get the window source
through a file, which holds only what codes the windows
(:class:`~netanalysis.analysis.window_source.BatchSource`). As with Python's ``spawn`` and
``forkserver``, each worker imports the calling script's main module, so a script that asks
for workers runs its work under ``if __name__ == "__main__":``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from netanalysis.analysis.change_tests import CHANGE_MEASURES, change_tests_over_time
from netanalysis.analysis.uncertainty import DEFAULT_LEVEL, DEFAULT_REPLICATES, bootstrap_coded, bootstrap_over_time
from netanalysis.analysis.window_source import WindowSource, as_source
from netanalysis.analysis.window_stats import DEFAULT_MIN_POSTS, window_table
from netanalysis.errors import ConfigError
from netanalysis.memory import release_memory
from netanalysis.model import DATE_FORMAT
from netanalysis.parallel import start_ordered, worker_count

__all__ = [
    "TIME_METRICS",
    "TIMELINE_INTERVAL_COLUMNS",
    "NODE_INTERVAL_COLUMNS",
    "WHOLE_CORPUS",
    "TimeStatistics",
    "time_statistics",
    "measures_to_test",
    "significant_changes",
    "measured_on",
    "UNIT_MEASURES",
    "PATH_MEASURES",
]

log = logging.getLogger(__name__)

#: Measures ``timeline.csv`` tracks (``share`` first: the size-comparable one trajectories show).
TIME_METRICS = ("share", "posts", "degree", "strength", "betweenness", "eigenvector", "pagerank", "pagerank_scaled")
#: Columns of the timeline with intervals (``timeline.csv``).
TIMELINE_INTERVAL_COLUMNS = [
    "window_start",
    "window_end",
    "node",
    "kind",
    "metric",
    "value",
    "ci_low",
    "ci_high",
    "rank",
    "rank_low",
    "rank_high",
]
#: Columns of the whole corpus's intervals (``node_intervals.csv``).
NODE_INTERVAL_COLUMNS = TIMELINE_INTERVAL_COLUMNS[2:]
#: The second seed word of the whole corpus's bootstrap (windows use 0, 1, 2, ...).
WHOLE_CORPUS = 2**31 - 1


@dataclass
class TimeStatistics:
    """What :func:`time_statistics` computed (see the module notes).

    Attributes
    ----------
    windows : DataFrame
        ``windows.csv``.
    timeline : DataFrame
        ``timeline.csv``: :data:`TIMELINE_INTERVAL_COLUMNS`.
    tests : DataFrame or None
        The change tests (``None`` when ``permutations`` is 0).
    overall : DataFrame
        ``node_intervals.csv``: :data:`NODE_INTERVAL_COLUMNS`, the whole corpus.
    """

    windows: pd.DataFrame
    timeline: pd.DataFrame
    tests: pd.DataFrame | None
    overall: pd.DataFrame


def measures_to_test(metrics: Sequence[str], shown: str | None = None) -> list[str]:
    """The measures whose changes are tested: those of ``metrics`` among
    :data:`~netanalysis.analysis.change_tests.CHANGE_MEASURES` (betweenness and closeness cost
    ten times more), plus the measure the report shows (``shown``) whatever it is."""
    chosen = [m for m in metrics if m in CHANGE_MEASURES]
    if shown is not None and shown in metrics and shown not in chosen:
        chosen.append(shown)
    return chosen


def _iso(ts: Any) -> str:
    return pd.Timestamp(ts).strftime(DATE_FORMAT)


def _timeline(boot: pd.DataFrame, windows: Sequence[tuple], metrics: list[str]) -> pd.DataFrame:
    frame = boot[TIMELINE_INTERVAL_COLUMNS].copy()
    frame = frame.sort_values(["window_start", "window_end", "metric", "kind", "rank", "node"], kind="mergesort")
    frame = frame.reset_index(drop=True)
    present = set(zip(frame["window_start"], frame["window_end"]))
    frame.attrs.update(
        windows=[(_iso(lo), _iso(hi)) for lo, hi in windows],
        empty_windows=[(_iso(lo), _iso(hi)) for lo, hi in windows if (lo, hi) not in present],
        metrics=list(metrics),
        replicates=boot.attrs.get("replicates"),
        level=boot.attrs.get("level"),
    )
    return frame


def time_statistics(
    posts: pd.DataFrame | WindowSource,
    links: pd.DataFrame | None,
    windows: Sequence[tuple],
    *,
    unit: str = "post",
    metrics: Sequence[str] = TIME_METRICS,
    replicates: int = DEFAULT_REPLICATES,
    permutations: int = 999,
    level: float = DEFAULT_LEVEL,
    seed: int = 0,
    min_weight: int = 1,
    min_posts: int = DEFAULT_MIN_POSTS,
    baseline: str = "all-units",
    shown: str | None = None,
    jobs: int = 1,
) -> TimeStatistics:
    """The windows table, the timeline with intervals, the change tests and the whole corpus's
    intervals of one run (see the module notes).

    Parameters
    ----------
    posts : DataFrame or WindowSource
        All posts (``post_id``, ``date``, and ``units`` or ``text`` for paragraph/sentence
        units), or a window source (:mod:`netanalysis.analysis.window_source`; then ``links``
        is ``None``).
    links : DataFrame or None
        The corpus's country/forum links (:func:`netanalysis.analysis.association.unit_links`).
    windows : sequence of (window_start, window_end)
        UTC, ``window_end`` exclusive, in time order (e.g. ``[(lo, hi) for lo, hi, _ in
        graphs_over_time(...)]``).
    unit : {"post", "paragraph", "sentence"}
    metrics : sequence of str
        Node measures of the timeline (:data:`TIME_METRICS` by default).
    replicates : int
        Bootstrap replicates ``B`` (0: no intervals).
    permutations : int
        Permutations ``R`` of each change test (0: no tests).
    level : float
        Confidence level of the intervals.
    seed : int
        Seed of every random draw (see the module notes).
    min_weight : int
        As for ``co_mention_graph``.
    min_posts : int
        Windows with fewer posts are marked ``small``.
    baseline : {"all-units", "topical-units"}
        The denominator of ``share``.
    shown : str, optional
        The measure the report lists changes of: tested even when costly (betweenness, closeness).
    jobs : int
        Worker processes (0: one per core); the results do not depend on it.

    Examples
    --------
    >>> import netanalysis
    >>> from netanalysis.analysis.association import unit_links
    >>> posts = netanalysis.read_posts("examples/mfa_channel_sample.txt")
    >>> mentions = netanalysis.extract_mentions(posts)
    >>> windows = [(lo, hi) for lo, hi, _ in netanalysis.graphs_over_time(mentions, posts)]
    >>> stats = time_statistics(posts, unit_links(mentions, posts), windows, replicates=50, permutations=99)
    >>> stats.windows["posts"].tolist(), bool(stats.windows["small"].all())
    ([2, 1, 2, 1, 1, 1, 1], True)
    """
    source = as_source(posts, links, unit)
    metrics = list(dict.fromkeys(metrics))
    if isinstance(permutations, bool) or not isinstance(permutations, (int, np.integer)) or permutations < 0:
        raise ConfigError(f"the number of permutations must be a whole number >= 0, not {permutations!r}")
    options: dict[str, Any] = dict(unit=source.unit, seed=seed, min_weight=min_weight, baseline=baseline, jobs=jobs)
    intervals = dict(measures=metrics, replicates=replicates, level=level, min_weight=min_weight, baseline=baseline)
    whole_corpus = _WholeCorpus(source, intervals, seed)
    # with workers, the whole corpus's intervals are computed in one of its own from the start,
    # while this process and the others do the windows (see _WholeCorpus)
    started = start_ordered(whole_corpus, [0], jobs=1, fresh=True) if worker_count(jobs) > 1 else None
    try:
        table = window_table(source, None, windows, unit=source.unit, min_weight=min_weight, min_posts=min_posts)
        boot = bootstrap_over_time(
            source, None, windows, measures=metrics, replicates=replicates, level=level, **options
        )
        timeline = _timeline(boot, windows, metrics)
        timeline.attrs.update(table.attrs)
        tests = None
        tested = measures_to_test(metrics, shown)
        if permutations and tested and len(windows) > 1:
            tests = change_tests_over_time(source, None, windows, measures=tested, permutations=permutations, **options)
            tests.attrs["measures"] = tested
        [overall] = list(started) if started is not None else [whole_corpus(0)]
    finally:
        if started is not None:
            started.close()  # (kills the worker when the run stops early)
    log.info(
        "%d window(s), %d small (fewer than %d posts); B = %d, R = %d",
        len(table),
        int(table["small"].sum()) if len(table) else 0,
        min_posts,
        replicates,
        permutations,
    )
    return TimeStatistics(windows=table, timeline=timeline, tests=tests, overall=overall)


class _WholeCorpus:
    """The whole corpus's intervals (``node_intervals.csv``): :func:`bootstrap_coded` of every
    post of a source, with seed ``[seed, WHOLE_CORPUS]`` (picklable; run by a worker).

    With two workers or more, :func:`time_statistics` hands it to a worker of its own before
    the windows' work starts. It needs the whole corpus coded at once, the largest arrays of the
    run (some 200 MB for a million benchmark posts, and the replicates' blocks on top): in a
    worker they are not added to this process's peak, and the worker uses the time that this
    process spends on the windows table and that the windows' workers leave idle at their
    ends. The intervals are the same wherever they are computed.
    """

    def __init__(self, source: WindowSource, options: dict, seed: int):
        self.source: WindowSource | None = source.for_coding()  # (no dates: it codes every post)
        self.options, self.seed = options, seed

    def __call__(self, _item: int) -> pd.DataFrame:
        # run once: the source's arrays (the corpus's links and dates, which a worker started
        # afresh holds as its own copy) go once the corpus is coded, before the replicates
        source, self.source = self.source, None
        if source is None:
            raise RuntimeError("the whole corpus's intervals are computed once")
        corpus = source.code_every_post(release=True)  # (its links go before the pairs are made)
        del source
        release_memory(collect=False)  # (the coding's freed chunks: 90 MB of a million benchmark posts)
        whole = bootstrap_coded(corpus, seed=[self.seed, WHOLE_CORPUS], **self.options)
        overall = whole[NODE_INTERVAL_COLUMNS].reset_index(drop=True)
        overall.attrs.update(whole.attrs)
        return overall


def significant_changes(changes: pd.DataFrame, metric: str, alpha: float) -> pd.DataFrame:
    """The rows of ``changes.csv`` for ``metric`` whose change is significant (``q_value < alpha``),
    most significant first (then largest change)."""
    if not 0 < alpha < 1:
        raise ConfigError(f"alpha must lie between 0 and 1, not {alpha!r}")
    rows = changes[(changes["metric"] == metric) & (changes["q_value"] < alpha)]
    order = rows.assign(_abs=-rows["value_change"].abs())
    order = order.sort_values(["q_value", "_abs", "window_start", "node"], kind="mergesort")
    return order.drop(columns="_abs")


#: Measures that count units: their value for a node does not depend on which edges a graph keeps.
UNIT_MEASURES = ("share", "posts")
#: Measures over paths: ``--path-weights`` redefines them (paths of length ``1 / weight``).
PATH_MEASURES = ("betweenness", "closeness")


def measured_on(
    stats: TimeStatistics, graphs: Sequence[tuple], *, backbone: bool = False, path_weights: bool = False
) -> TimeStatistics:
    """The statistics when the graph measures are not those of each window's whole co-mention graph.

    The bootstrap and the permutation tests recompute each replicate's co-mention graph and its
    measures with hops as path lengths. With ``path_weights`` betweenness and closeness are over
    weighted paths instead, and with ``backbone`` every graph measure is on the window's backbone
    (the edges its own test kept), which a resample cannot reproduce without testing every edge
    again. Those measures take their values and ranks from ``graphs`` (the measured windows,
    :func:`~netanalysis.analysis.timeline.timeline_table`) and get no interval and no test. The
    measures that count units (``share``, ``posts``) keep their value intervals and tests: they
    do not depend on the edges kept; on a backbone, which holds fewer nodes, they are ranked
    among its nodes and their rank intervals are left out. The whole corpus's intervals keep the
    measures whose definition did not change (with ``backbone``: ``share`` and ``posts``, over
    every node of the co-mention graph).
    """
    from netanalysis.analysis.timeline import timeline_table

    metrics = list(stats.timeline.attrs.get("metrics") or TIME_METRICS)
    if backbone:
        redefined = [m for m in metrics if m not in UNIT_MEASURES]
    else:
        redefined = [m for m in metrics if m in PATH_MEASURES] if path_weights else []
    if not redefined:
        return stats
    keys = ["window_start", "window_end", "node", "metric"]
    old = stats.timeline
    if backbone:
        rows = timeline_table(graphs, metrics=[m for m in metrics if m != "share"], path_weights=path_weights)
        present = rows[["window_start", "window_end", "node"]].drop_duplicates()
        share = old[old["metric"] == "share"].merge(present, on=["window_start", "window_end", "node"])
        rows = pd.concat([rows, share[rows.columns]], ignore_index=True)
        value = rows["value"].round(12)
        rows["rank"] = value.groupby([rows["window_start"], rows["window_end"], rows["kind"], rows["metric"]]).rank(
            ascending=False, method="min"
        )
        intervals = old.loc[old["metric"].isin(UNIT_MEASURES), keys + ["ci_low", "ci_high"]]
        timeline = rows.merge(intervals, on=keys, how="left")
        timeline["rank_low"] = timeline["rank_high"] = pd.NA
    else:
        rows = timeline_table(graphs, metrics=redefined, path_weights=path_weights)
        rows = rows.assign(ci_low=np.nan, ci_high=np.nan, rank_low=pd.NA, rank_high=pd.NA)
        timeline = pd.concat([old[~old["metric"].isin(redefined)], rows[TIMELINE_INTERVAL_COLUMNS]], ignore_index=True)
    timeline["rank"] = timeline["rank"].astype("int64")
    for col in ("rank_low", "rank_high"):
        timeline[col] = pd.array(pd.to_numeric(timeline[col]).to_numpy(dtype=float), dtype="Float64").astype("Int64")
    timeline = timeline[TIMELINE_INTERVAL_COLUMNS].sort_values(
        ["window_start", "window_end", "metric", "kind", "rank", "node"], kind="mergesort"
    )
    timeline = timeline.reset_index(drop=True)
    timeline.attrs.update(old.attrs, redefined=redefined)
    tests = stats.tests
    if tests is not None:
        tests = tests[~tests["metric"].isin(redefined)].reset_index(drop=True)
        tests.attrs.update(stats.tests.attrs if stats.tests is not None else {})
        tests.attrs["measures"] = [m for m in tests.attrs.get("measures", []) if m not in redefined]
    overall = stats.overall[~stats.overall["metric"].isin(redefined)].reset_index(drop=True)
    overall.attrs.update(stats.overall.attrs, redefined=redefined)
    return TimeStatistics(windows=stats.windows, timeline=timeline, tests=tests, overall=overall)
