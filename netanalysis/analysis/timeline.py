"""Change over time: calendar windows, one co-mention graph per window, centrality per window.

Windows
-------
Half-open UTC intervals ``[window_start, window_end)``, calendar-aligned or rolling, cumulative
on request: see :mod:`netanalysis.analysis.windows` (:func:`time_windows`).

Empty windows
-------------
A window with no posts is still a window: :func:`graphs_over_time` returns it with an empty
graph (so :func:`~netanalysis.analysis.changes.changes_table` shows every node of the previous
window as lost). In the timeline table an empty window has **no rows** (no node is present, and
centralities of absent nodes are not invented); every window, empty or not, is listed in
``timeline.attrs["windows"]`` and the empty ones in ``timeline.attrs["empty_windows"]``;
:func:`window_summary` gives one row per window (with its post, node and edge counts) for a
``windows.csv``.

Undated and inferred posts
--------------------------
Posts without a date (``NaT``) are left out of every window and counted
(``attrs["undated_posts"]``, logged); dated posts in no window (outside an explicit
``start``/``end``, or between windows when the step is longer than the window) are counted in
``attrs["posts_outside_windows"]``; mentions of a ``post_id`` missing from the posts table in
``attrs["unmatched_mentions"]``. Posts whose date was inferred (``date_source == "inferred"``)
are included, and counted in ``attrs["inferred_posts"]``. Nothing is dropped silently.

Values and ranks
----------------
The values of a window are exactly those of
``centrality_table(co_mention_graph(mentions of that window's posts, those posts))`` (computed
without its communities, which are not tracked).
``rank`` is 1 for the highest value within (window, kind, metric); ties share the smallest rank
(``method="min"``). Ranks compare values rounded to 12 decimals, so float noise (1e-17) between
symmetric nodes does not break a tie; ``value`` itself is not rounded.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from netanalysis.analysis.centrality import NODE_COLUMNS, node_measures
from netanalysis.analysis.windows import parse_span, time_windows, utc
from netanalysis.errors import ConfigError
from netanalysis.graph import Batch, CoMentionCounter, from_tables
from netanalysis.graph.coding import datetimes
from netanalysis.graph.strings import equal_flags
from netanalysis.model import BASELINES, DATE_FORMAT, NO_DATE, Exclusion
from netanalysis.parallel import map_ordered

__all__ = [
    "TIMELINE_COLUMNS",
    "METRICS",
    "DEFAULT_METRICS",
    "WindowGraphs",
    "parse_span",
    "time_windows",
    "graphs_over_time",
    "timeline_table",
    "centrality_over_time",
    "window_summary",
]

log = logging.getLogger(__name__)

#: Columns of ``timeline.csv``, in this order.
TIMELINE_COLUMNS = ["window_start", "window_end", "node", "kind", "metric", "value", "rank"]
#: Node measures of :func:`~netanalysis.analysis.centrality.centrality_table` that can be tracked.
METRICS = tuple(c for c in NODE_COLUMNS if c not in ("node", "kind", "label", "community"))
DEFAULT_METRICS = ("degree", "strength", "betweenness", "eigenvector", "pagerank")
#: Columns of :func:`window_summary`.
WINDOW_COLUMNS = [
    "window_start",
    "window_end",
    "posts",
    "inferred_posts",
    "countries",
    "forums",
    "edges",
    "total_weight",
]

_RANK_DECIMALS = 12


class WindowGraphs(list):
    """The list of ``(window_start, window_end, graph)`` returned by :func:`graphs_over_time`.

    A plain list with an ``attrs`` dict: ``undated_posts``, ``inferred_posts``,
    ``posts_outside_windows``, ``unmatched_mentions`` (counts over the whole input).
    """

    def __init__(self, items: Iterable = (), attrs: dict | None = None):
        super().__init__(items)
        self.attrs: dict[str, Any] = dict(attrs or {})


def _coded_corpus(
    mentions: pd.DataFrame | Batch, posts: pd.DataFrame | None, unit: str
) -> tuple[Batch, np.ndarray, int]:
    """The corpus as a batch, whether each post's date was inferred, and the number of mentions
    naming a post missing from the posts table (left out)."""
    if isinstance(mentions, Batch):
        sources = mentions.columns.get("date_source")
        inferred = np.zeros(len(mentions), dtype=bool) if sources is None else equal_flags(sources, "inferred")
        return mentions, inferred, 0
    if posts is None:
        raise ConfigError("time windows need the posts table (their dates): pass posts=...")
    missing = [c for c in ("post_id", "date") if c not in posts.columns]
    if missing:
        raise ConfigError(f"the posts table lacks column(s) {', '.join(missing)}")
    utc(posts["date"])  # (a clear error for dates that are not timestamps)
    corpus, unmatched = from_tables(mentions, posts, unit=unit, unlisted="drop")
    first = ~posts["post_id"].astype(str).duplicated().to_numpy()
    source = posts["date_source"].astype(str) if "date_source" in posts.columns else pd.Series("", index=posts.index)
    inferred = (source == "inferred").to_numpy()[first]
    return corpus, inferred, unmatched


def _micros(ts: pd.Timestamp) -> int:
    return int(ts.value // 1000)


_FIRST, _LAST = np.iinfo(np.int64).min, np.iinfo(np.int64).max


def graphs_over_time(
    mentions: pd.DataFrame | Batch,
    posts: pd.DataFrame | None = None,
    *,
    freq: str = "month",
    window: str | None = None,
    step: str | None = None,
    cumulative: bool = False,
    start: Any = None,
    end: Any = None,
    unit: str = "post",
    min_weight: int = 1,
    exclude: Exclusion | Iterable[str] = (),
    labels: Callable[[str, str], str] | None = None,
    post_ids: bool = True,
    baseline: str = BASELINES[0],
) -> WindowGraphs:
    """Build one co-mention graph per time window.

    Parameters
    ----------
    mentions : DataFrame or Batch
        The mentions table (``post_id, kind, entity, ...``), or a coded corpus
        (:class:`~netanalysis.graph.Batch`, as the command line keeps it; then ``posts`` is
        not needed).
    posts : DataFrame
        The posts table (``post_id, date`` [UTC, NaT when undated], ``date_source``, and ``text``
        for paragraph/sentence units).
    freq, window, step, cumulative, start, end
        The windows, as in :func:`time_windows`.
    unit, min_weight, exclude, labels, post_ids, baseline
        As for :func:`~netanalysis.graph.co_mention_graph`, for every window (one
        :class:`~netanalysis.graph.CoMentionCounter` per window counts its posts: a window's
        ``N`` counts its own units, so its edges can be tested on their own with
        :func:`netanalysis.analysis.validate_edges`).

    Returns
    -------
    WindowGraphs
        A list of ``(window_start, window_end, graph)`` in time order, one per window, empty
        windows included (with an empty graph). Each graph's ``graph`` dict also holds
        ``window_start``, ``window_end``, ``posts`` and ``inferred_posts`` (posts of the window).
        ``.attrs`` holds ``undated_posts``, ``inferred_posts``, ``posts_outside_windows`` and
        ``unmatched_mentions`` (mentions whose post is not in ``posts``; left out, logged).
    """
    corpus, inferred, unmatched = _coded_corpus(mentions, posts, unit)
    dates = corpus.dates
    dated = dates != NO_DATE
    # the windows cover the span of the dates: its two ends, not a datetime of every post (with
    # its UTC copies, 24 bytes a post at the peak of that step: tracemalloc, a million posts)
    ends = (
        np.array([np.min(dates, where=dated, initial=_LAST), np.max(dates, where=dated, initial=_FIRST)])
        if dated.any()
        else dates[:0]
    )
    windows = time_windows(
        datetimes(ends), freq=freq, window=window, step=step, cumulative=cumulative, start=start, end=end
    )
    undated = int((~dated).sum())
    if undated:
        log.warning("%d undated post(s) left out of the time windows", undated)
    if unmatched:
        log.warning("%d mention(s) name a post_id missing from the posts table: left out", unmatched)
    covered = np.zeros(len(dates), dtype=bool)
    out = WindowGraphs()
    for lo, hi in windows:
        in_posts = dated & (dates >= _micros(lo)) & (dates < _micros(hi))
        counter = CoMentionCounter(
            corpus.entities,
            unit=unit,
            min_weight=min_weight,
            exclude=exclude,
            labels=labels,
            post_ids=post_ids,
            baseline=baseline,
        )
        counter.add(corpus.select(in_posts, ids=post_ids))
        G = counter.graph()
        G.graph.update(
            window_start=lo, window_end=hi, posts=int(in_posts.sum()), inferred_posts=int(inferred[in_posts].sum())
        )
        covered |= in_posts
        out.append((lo, hi, G))
    outside = int((dated & ~covered).sum())
    if outside:
        log.warning(
            "%d dated post(s) fall outside every time window (start/end, or a step longer than the window)", outside
        )
    out.attrs.update(
        undated_posts=undated,
        inferred_posts=int((inferred & covered).sum()),
        posts_outside_windows=outside,
        unmatched_mentions=unmatched,
    )
    empty = sum(1 for _, _, G in out if G.number_of_nodes() == 0)
    log.info(
        "%d time window(s), %d without co-mentions; %d inferred date(s) used",
        len(out),
        empty,
        out.attrs["inferred_posts"],
    )
    return out


def _check_metrics(metrics: Sequence[str]) -> list[str]:
    if isinstance(metrics, str):
        metrics = [metrics]
    chosen = list(dict.fromkeys(metrics))
    unknown = [m for m in chosen if m not in METRICS]
    if unknown or not chosen:
        raise ConfigError(
            f"unknown metric(s) {', '.join(map(repr, unknown)) or '(none given)'}; choose from {', '.join(METRICS)}"
        )
    return chosen


def _window_rows(lo: pd.Timestamp, hi: pd.Timestamp, table: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    long = table.melt(id_vars=["node", "kind"], value_vars=metrics, var_name="metric", value_name="value")
    long["value"] = long["value"].astype(float)
    key = long["value"].round(_RANK_DECIMALS)
    long["rank"] = key.groupby([long["kind"], long["metric"]]).rank(ascending=False, method="min")
    long.insert(0, "window_end", hi)
    long.insert(0, "window_start", lo)
    return long


def _measures_table(G: nx.Graph, path_weights: bool = False) -> pd.DataFrame:
    """The node measures of ``centrality_table`` (its ``posts`` and measures; no communities,
    which the timeline does not track)."""
    values = node_measures(G, path_weights=path_weights)
    nodes = sorted(G.nodes, key=str)
    frame = pd.DataFrame(
        {
            "node": nodes,
            "kind": [G.nodes[n].get("kind", "") for n in nodes],
            "posts": pd.array([G.nodes[n].get("posts", pd.NA) for n in nodes], dtype="Int64"),
            **{m: [values[m][n] for n in nodes] for m in values},
        }
    )
    return frame


def _tables(graphs: list[nx.Graph], seed: int, jobs: int, path_weights: bool = False) -> list[pd.DataFrame]:
    run = functools.partial(_measures_table, path_weights=path_weights)
    if jobs <= 1 or len(graphs) < 2:
        return [run(G) for G in graphs]
    return list(map_ordered(run, graphs, jobs=min(jobs, len(graphs))))


def timeline_table(
    graphs: Sequence[tuple[pd.Timestamp, pd.Timestamp, nx.Graph]],
    *,
    metrics: Sequence[str] = DEFAULT_METRICS,
    seed: int = 0,
    jobs: int = 1,
    path_weights: bool = False,
) -> pd.DataFrame:
    """Return the tidy timeline (``timeline.csv``) of the window graphs of :func:`graphs_over_time`.

    Parameters
    ----------
    graphs : list of (window_start, window_end, graph)
    metrics : sequence of str
        Columns of :func:`~netanalysis.analysis.centrality.centrality_table` to track
        (see :data:`METRICS`).
    seed : int
        Kept for compatibility: the measures tracked involve no random draw.
    jobs : int
        Worker processes for the windows (1: in this process); the result does not depend on it.
    path_weights : bool, default False
        Betweenness and closeness over paths of length ``1 / weight`` (see
        :func:`~netanalysis.analysis.centrality.centrality_table`).

    Returns
    -------
    DataFrame
        Columns :data:`TIMELINE_COLUMNS`: one row per window, present node and metric; sorted by
        window_start, window_end (which tells cumulative windows apart), metric, kind, rank,
        node. ``attrs``: ``windows`` and ``empty_windows``
        (ISO dates of window starts/ends) and the counts of ``graphs.attrs`` when present.
    """
    chosen = _check_metrics(metrics)
    present = [(lo, hi, G) for lo, hi, G in graphs if G.number_of_nodes() > 0]
    tables = _tables([G for _, _, G in present], seed, jobs, path_weights)
    parts = [_window_rows(lo, hi, table, chosen) for (lo, hi, _), table in zip(present, tables)]
    if parts:
        frame = pd.concat(parts, ignore_index=True)
    else:
        frame = pd.DataFrame({c: pd.Series(dtype=object) for c in TIMELINE_COLUMNS})
    for col in ("window_start", "window_end"):
        frame[col] = pd.to_datetime(frame[col], utc=True).astype("datetime64[ns, UTC]")
    frame = frame.astype({"node": str, "kind": str, "metric": str, "value": float})
    frame["rank"] = frame["rank"].astype("int64")
    frame = frame.sort_values(["window_start", "window_end", "metric", "kind", "rank", "node"], kind="mergesort")
    frame = frame[TIMELINE_COLUMNS].reset_index(drop=True)
    frame.attrs.update(getattr(graphs, "attrs", {}))
    frame.attrs["windows"] = [(_iso(lo), _iso(hi)) for lo, hi, _ in graphs]
    frame.attrs["empty_windows"] = [(_iso(lo), _iso(hi)) for lo, hi, G in graphs if len(G) == 0]
    frame.attrs["metrics"] = chosen
    return frame


def _iso(ts: pd.Timestamp) -> str:
    return ts.strftime(DATE_FORMAT)


def centrality_over_time(
    mentions: pd.DataFrame,
    posts: pd.DataFrame,
    *,
    freq: str = "month",
    window: str | None = None,
    step: str | None = None,
    cumulative: bool = False,
    metrics: Sequence[str] = DEFAULT_METRICS,
    unit: str = "post",
    exclude: Iterable[str] = (),
    seed: int = 0,
    start: Any = None,
    end: Any = None,
    min_weight: int = 1,
    labels: Callable[[str, str], str] | None = None,
    jobs: int = 1,
) -> pd.DataFrame:
    """Centrality of every node in every time window: the ``timeline.csv`` table.

    Builds the window graphs with :func:`graphs_over_time` (same window and graph options) and
    tabulates them with :func:`timeline_table` (``metrics``, ``seed``, ``jobs``); see the module
    notes for windows, empty windows, undated posts and ranks. To get both the window graphs and
    the timeline, call those two functions rather than building the graphs twice.

    Returns
    -------
    DataFrame
        Columns ``window_start, window_end, node, kind, metric, value, rank``; ``window_start``
        and ``window_end`` are UTC timestamps, ``window_end`` exclusive. ``attrs``:
        ``undated_posts``, ``inferred_posts``, ``posts_outside_windows``, ``windows``,
        ``empty_windows``, ``metrics``.

    Examples
    --------
    >>> posts = pd.DataFrame({"post_id": ["p1", "p2"], "date_source": ["text", "none"],
    ...                       "date": pd.to_datetime(["2024-04-08T00:00Z", None], utc=True)})
    >>> mentions = pd.DataFrame({"post_id": ["p1", "p1", "p2", "p2"],
    ...                          "kind": ["country", "forum", "country", "forum"],
    ...                          "entity": ["CN", "BRICS", "RU", "SCO"]})
    >>> t = centrality_over_time(mentions, posts, metrics=["strength"])
    >>> t[["node", "value", "rank"]].values.tolist()
    [['country:CN', 1.0, 1], ['forum:BRICS', 1.0, 1]]
    >>> t.attrs["undated_posts"]
    1
    """
    chosen = _check_metrics(metrics)
    graphs = graphs_over_time(
        mentions,
        posts,
        freq=freq,
        window=window,
        step=step,
        cumulative=cumulative,
        start=start,
        end=end,
        unit=unit,
        min_weight=min_weight,
        exclude=exclude,
        labels=labels,
    )
    return timeline_table(graphs, metrics=chosen, seed=seed, jobs=jobs)


def window_summary(graphs: Sequence[tuple[pd.Timestamp, pd.Timestamp, nx.Graph]]) -> pd.DataFrame:
    """One row per window, empty ones included (a ``windows.csv``).

    Returns
    -------
    DataFrame
        Columns ``window_start, window_end, posts, inferred_posts, countries, forums, edges,
        total_weight`` (``posts`` counts the dated posts of the window, whether or not they
        co-mention anything).
    """
    rows = []
    for lo, hi, G in graphs:
        kinds = [d.get("kind") for _, d in G.nodes(data=True)]
        rows.append(
            {
                "window_start": lo,
                "window_end": hi,
                "posts": int(G.graph.get("posts", 0)),
                "inferred_posts": int(G.graph.get("inferred_posts", 0)),
                "countries": kinds.count("country"),
                "forums": kinds.count("forum"),
                "edges": G.number_of_edges(),
                "total_weight": float(sum(w for _, _, w in G.edges(data="weight", default=1))),
            }
        )
    frame = pd.DataFrame(rows, columns=WINDOW_COLUMNS)
    for col in ("window_start", "window_end"):
        frame[col] = pd.to_datetime(frame[col], utc=True).astype("datetime64[ns, UTC]")
    return frame
