"""Change over time: calendar windows, one co-mention graph per window, centrality per window.

Windows
-------
A window is a half-open interval ``[window_start, window_end)`` in UTC: a post belongs to it when
``window_start <= date < window_end``. ``window_end`` is always the **exclusive** end (the first
instant after the window): the April 2024 window is ``[2024-04-01 00:00 UTC, 2024-05-01 00:00 UTC)``.
Dates are compared in UTC, so a post dated ``2024-04-01T00:10+03:00`` (2024-03-31 21:10 UTC)
falls in March.

Windows are calendar-aligned: ``week`` windows start on Mondays 00:00 UTC (ISO weeks), ``month``
windows on the 1st, ``quarter`` windows on 1 January/April/July/October, ``year`` windows on
1 January. ``freq`` also accepts the pandas aliases ``W`` (``W-MON``), ``M``/``ME``/``MS``,
``Q``/``QE``/``QS``, ``Y``/``YE``/``YS``/``A`` and ``D`` (days).

A window is identified by ``(window_start, window_end)``: cumulative windows share their start.

Rolling windows: ``window="3M", step="1M"`` (spans ``<n><D|W|M|Q|Y>``). The first window starts at
the start of the step unit (day, Monday, 1st of the month, quarter or year) holding the first
date (or ``start``); window ``k`` is ``[first + k*step, first + k*step + window)``. Windows are
produced until one reaches past the last date (or reaches ``end``), so every dated post lies in
at least one window; trailing windows may extend past the data. ``window`` alone steps by one
of its units; ``step`` alone gives back-to-back windows of that length.
Cumulative windows (``cumulative=True``) keep the first window's start and take the ends of the
windows above: ``[first, end_0), [first, end_1), ...``.

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
``centrality_table(co_mention_graph(mentions of that window's posts, those posts))``.
``rank`` is 1 for the highest value within (window, kind, metric); ties share the smallest rank
(``method="min"``). Ranks compare values rounded to 12 decimals, so float noise (1e-17) between
symmetric nodes does not break a tie; ``value`` itself is not rounded.
"""
from __future__ import annotations

import functools
import logging
import re
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable, Iterable, Sequence

import networkx as nx
import numpy as np
import pandas as pd

from netanalysis.analysis.centrality import centrality_table
from netanalysis.errors import ConfigError
from netanalysis.graph import co_mention_graph

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
METRICS = ("posts", "degree", "strength", "betweenness", "closeness", "eigenvector", "pagerank",
           "pagerank_scaled")
DEFAULT_METRICS = ("degree", "strength", "betweenness", "eigenvector", "pagerank")
#: Columns of :func:`window_summary`.
WINDOW_COLUMNS = ["window_start", "window_end", "posts", "inferred_posts", "countries", "forums",
                  "edges", "total_weight"]

_FREQ_UNITS = {
    "day": "D", "d": "D", "daily": "D",
    "week": "W", "w": "W", "w-mon": "W", "weekly": "W",
    "month": "M", "m": "M", "me": "M", "ms": "M", "monthly": "M",
    "quarter": "Q", "q": "Q", "qe": "Q", "qs": "Q", "quarterly": "Q",
    "year": "Y", "y": "Y", "ye": "Y", "ys": "Y", "a": "Y", "as": "Y", "yearly": "Y", "annual": "Y",
}
_SPAN = re.compile(r"(\d+)\s*([DWMQY])")
_MAX_WINDOWS = 100_000
_RANK_DECIMALS = 12


class WindowGraphs(list):
    """The list of ``(window_start, window_end, graph)`` returned by :func:`graphs_over_time`.

    A plain list with an ``attrs`` dict: ``undated_posts``, ``inferred_posts``,
    ``posts_outside_windows``, ``unmatched_mentions`` (counts over the whole input).
    """

    def __init__(self, items: Iterable = (), attrs: dict | None = None):
        super().__init__(items)
        self.attrs: dict[str, Any] = dict(attrs or {})


def parse_span(text: str) -> tuple[int, str]:
    """Parse a window length or step such as ``"3M"`` into ``(3, "M")``.

    Units: ``D`` days, ``W`` weeks, ``M`` months, ``Q`` quarters, ``Y`` years (case-insensitive).
    A frequency name (``"month"``, ``"W"``, ``"QS"`` ...) means one of its unit.

    Examples
    --------
    >>> parse_span("3M"), parse_span("2w"), parse_span("quarter")
    ((3, 'M'), (2, 'W'), (1, 'Q'))
    """
    raw = str(text).strip()
    unit = _FREQ_UNITS.get(raw.casefold())
    if unit is not None:
        return 1, unit
    match = _SPAN.fullmatch(raw.upper())
    if not match:
        raise ConfigError(f"cannot read the time span {text!r}: write a whole number and a unit "
                          f"D, W, M, Q or Y (e.g. '3M'), or one of week, month, quarter, year")
    n = int(match.group(1))
    if n < 1:
        raise ConfigError(f"the time span {text!r} must be at least 1")
    return n, match.group(2)


def _utc(values: Any) -> pd.Series:
    """Timestamps as a UTC series (naive values are read as UTC)."""
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    if len(series) == 0:
        return pd.Series([], dtype="datetime64[ns, UTC]")
    try:
        return pd.to_datetime(series, utc=True)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"cannot read the dates as timestamps: {exc}") from None


def _one_utc(value: Any, name: str) -> pd.Timestamp:
    stamp = _utc([value]).iloc[0]
    if pd.isna(stamp):
        raise ConfigError(f"{name} must be a date, not {value!r}")
    return stamp


def _floor(ts: pd.Timestamp, unit: str) -> pd.Timestamp:
    day = ts.normalize()
    if unit == "D":
        return day
    if unit == "W":
        return day - pd.Timedelta(days=day.weekday())
    if unit == "M":
        return day.replace(day=1)
    if unit == "Q":
        return day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
    return day.replace(month=1, day=1)


def _add(ts: pd.Timestamp, n: int, unit: str) -> pd.Timestamp:
    if unit == "D":
        return ts + pd.Timedelta(days=n)
    if unit == "W":
        return ts + pd.Timedelta(weeks=n)
    months = {"M": n, "Q": 3 * n, "Y": 12 * n}[unit]
    return ts + pd.DateOffset(months=months)


def _spans(freq: str, window: str | None, step: str | None) -> tuple[tuple[int, str], tuple[int, str]]:
    if window is None and step is None:
        one = parse_span(freq)
        if one[0] != 1:
            raise ConfigError(f"freq is a calendar unit (week, month, quarter, year), not {freq!r}; "
                              f"use window={freq!r} for longer windows")
        return one, one
    if window is None:
        size = parse_span(step)
        return size, size
    size = parse_span(window)
    return size, (parse_span(step) if step is not None else (1, size[1]))


def time_windows(dates: Iterable, *, freq: str = "month", window: str | None = None,
                 step: str | None = None, cumulative: bool = False, start: Any = None,
                 end: Any = None) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Return the calendar-aligned windows ``[(window_start, window_end), ...]`` covering ``dates``.

    Parameters
    ----------
    dates : iterable of timestamps
        Post dates (tz-aware, or naive = UTC); missing values are ignored.
    freq : str
        ``week``, ``month``, ``quarter``, ``year`` (or a pandas alias, see the module notes).
        Ignored when ``window`` or ``step`` is given.
    window, step : str, optional
        Rolling windows, e.g. ``window="3M", step="1M"``.
    cumulative : bool
        Every window starts at the first window's start.
    start, end : timestamp or str, optional
        Cover ``[start, end)`` instead of the span of ``dates``; ``start`` is moved back to the
        start of its step unit.

    Returns
    -------
    list of (Timestamp, Timestamp)
        UTC ``(window_start, window_end)`` pairs, ``window_end`` exclusive, in time order;
        empty when there is no date and no ``start``/``end``.

    Examples
    --------
    >>> w = time_windows(pd.to_datetime(["2024-03-31T23:30Z", "2024-05-02T08:00Z"]))
    >>> [(s.strftime("%Y-%m-%d"), e.strftime("%Y-%m-%d")) for s, e in w]
    [('2024-03-01', '2024-04-01'), ('2024-04-01', '2024-05-01'), ('2024-05-01', '2024-06-01')]
    """
    size, stride = _spans(freq, window, step)
    stamps = _utc(dates).dropna()
    first = _one_utc(start, "start") if start is not None else (stamps.min() if len(stamps) else None)
    if end is not None:
        limit, inclusive = _one_utc(end, "end"), False
    elif len(stamps):
        limit, inclusive = stamps.max(), True
    else:
        limit, inclusive = None, True
    if first is None or limit is None:
        if first is None and limit is None:
            return []
        raise ConfigError("give both start and end when there are no dated posts")
    if not inclusive and limit <= first:
        raise ConfigError(f"end ({limit}) must come after start ({first})")
    anchor = _floor(first, stride[1])
    out: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    k = 0
    while True:
        lo = _add(anchor, k * stride[0], stride[1])
        hi = _add(lo, size[0], size[1])
        out.append((anchor if cumulative else lo, hi))
        if hi > limit or (not inclusive and hi == limit):
            return out
        k += 1
        if k >= _MAX_WINDOWS:
            raise ConfigError(f"more than {_MAX_WINDOWS} windows: choose a longer step")


def _post_dates(posts: pd.DataFrame) -> pd.DataFrame:
    """``post_id`` (str), ``date`` (UTC) and ``inferred`` (bool), on the index of ``posts``."""
    missing = [c for c in ("post_id", "date") if c not in posts.columns]
    if missing:
        raise ConfigError(f"the posts table lacks column(s) {', '.join(missing)}")
    source = posts["date_source"].astype(str) if "date_source" in posts.columns else ""
    return pd.DataFrame({"post_id": posts["post_id"].astype(str), "date": _utc(posts["date"]),
                         "inferred": source == "inferred"}, index=posts.index)


def _mention_dates(post_ids: pd.Series, dated: pd.DataFrame) -> tuple[pd.Series, np.ndarray]:
    """The date of each mention's post (UTC, NaT when undated or unknown) and whether its post
    is in the posts table; a categorical column is looked up once per category, and dates stay
    datetime64 throughout (no Timestamp object per mention)."""
    ids = dated["post_id"]
    last = ~ids.duplicated(keep="last").to_numpy()  # a repeated id takes its last row's date
    index = pd.Index(ids[last], dtype="str")
    values = pd.DatetimeIndex(dated["date"][last]).tz_convert("UTC").tz_localize(None).to_numpy()
    if isinstance(post_ids.dtype, pd.CategoricalDtype):
        at = index.get_indexer(pd.Index(post_ids.cat.categories).astype("str"))
        codes = post_ids.array.codes
        where = np.where(codes >= 0, at[codes], -1)
    else:
        where = index.get_indexer(pd.Index(post_ids.astype(str), dtype="str"))
    matched = where >= 0
    out = np.full(len(where), np.datetime64("NaT"), dtype=values.dtype)
    out[matched] = values[where[matched]]
    return pd.Series(pd.DatetimeIndex(out).tz_localize("UTC"), index=post_ids.index), matched


def graphs_over_time(mentions: pd.DataFrame, posts: pd.DataFrame, *, freq: str = "month",
                     window: str | None = None, step: str | None = None, cumulative: bool = False,
                     start: Any = None, end: Any = None, unit: str = "post", min_weight: int = 1,
                     exclude: Iterable[str] = (),
                     labels: Callable[[str, str], str] | None = None, post_ids: bool = True) -> WindowGraphs:
    """Build one co-mention graph per time window.

    Parameters
    ----------
    mentions : DataFrame
        The mentions table (``post_id, kind, entity, ...``).
    posts : DataFrame
        The posts table (``post_id, date`` [UTC, NaT when undated], ``date_source``, and ``text``
        for paragraph/sentence units).
    freq, window, step, cumulative, start, end
        The windows, as in :func:`time_windows`.
    unit, min_weight, exclude, labels, post_ids
        Passed to :func:`~netanalysis.graph.co_mention_graph` for every window.

    Returns
    -------
    WindowGraphs
        A list of ``(window_start, window_end, graph)`` in time order, one per window, empty
        windows included (with an empty graph). Each graph's ``graph`` dict also holds
        ``window_start``, ``window_end``, ``posts`` and ``inferred_posts`` (posts of the window).
        ``.attrs`` holds ``undated_posts``, ``inferred_posts``, ``posts_outside_windows`` and
        ``unmatched_mentions`` (mentions whose post is not in ``posts``; left out, logged).
    """
    dated = _post_dates(posts)
    windows = time_windows(dated["date"], freq=freq, window=window, step=step,
                           cumulative=cumulative, start=start, end=end)
    undated = int(dated["date"].isna().sum())
    if undated:
        log.warning("%d undated post(s) left out of the time windows", undated)
    mention_dates, matched = _mention_dates(mentions["post_id"], dated)
    unmatched = int((~matched).sum())
    if unmatched:
        log.warning("%d mention(s) name a post_id missing from the posts table: left out", unmatched)
    post_dates, inferred = dated["date"], dated["inferred"].astype(bool)
    covered = pd.Series(False, index=posts.index)
    out = WindowGraphs()
    for lo, hi in windows:
        in_posts = ((post_dates >= lo) & (post_dates < hi)).to_numpy()
        in_mentions = ((mention_dates >= lo) & (mention_dates < hi)).to_numpy()
        G = co_mention_graph(mentions[in_mentions], posts[in_posts], unit=unit,
                             min_weight=min_weight, exclude=exclude, labels=labels, post_ids=post_ids)
        G.graph.update(window_start=lo, window_end=hi, posts=int(in_posts.sum()),
                       inferred_posts=int(inferred[in_posts].sum()))
        covered |= in_posts
        out.append((lo, hi, G))
    outside = int((post_dates.notna() & ~covered).sum())
    if outside:
        log.warning("%d dated post(s) fall outside every time window (start/end, or a step "
                    "longer than the window)", outside)
    out.attrs.update(undated_posts=undated, inferred_posts=int((inferred & covered).sum()),
                     posts_outside_windows=outside, unmatched_mentions=unmatched)
    empty = sum(1 for _, _, G in out if G.number_of_nodes() == 0)
    log.info("%d time window(s), %d without co-mentions; %d inferred date(s) used",
             len(out), empty, out.attrs["inferred_posts"])
    return out


def _check_metrics(metrics: Sequence[str]) -> list[str]:
    if isinstance(metrics, str):
        metrics = [metrics]
    chosen = list(dict.fromkeys(metrics))
    unknown = [m for m in chosen if m not in METRICS]
    if unknown or not chosen:
        raise ConfigError(f"unknown metric(s) {', '.join(map(repr, unknown)) or '(none given)'}; "
                          f"choose from {', '.join(METRICS)}")
    return chosen


def _window_rows(lo: pd.Timestamp, hi: pd.Timestamp, table: pd.DataFrame,
                 metrics: list[str]) -> pd.DataFrame:
    long = table.melt(id_vars=["node", "kind"], value_vars=metrics, var_name="metric", value_name="value")
    long["value"] = long["value"].astype(float)
    key = long["value"].round(_RANK_DECIMALS)
    long["rank"] = key.groupby([long["kind"], long["metric"]]).rank(ascending=False, method="min")
    long.insert(0, "window_end", hi)
    long.insert(0, "window_start", lo)
    return long


def _tables(graphs: list[nx.Graph], seed: int, jobs: int) -> list[pd.DataFrame]:
    run = functools.partial(centrality_table, seed=seed)
    if jobs <= 1 or len(graphs) < 2:
        return [run(G) for G in graphs]
    with ProcessPoolExecutor(max_workers=min(jobs, len(graphs))) as pool:
        return list(pool.map(run, graphs, chunksize=max(1, len(graphs) // (4 * jobs))))


def timeline_table(graphs: Sequence[tuple[pd.Timestamp, pd.Timestamp, nx.Graph]], *,
                   metrics: Sequence[str] = DEFAULT_METRICS, seed: int = 0, jobs: int = 1) -> pd.DataFrame:
    """Return the tidy timeline (``timeline.csv``) of the window graphs of :func:`graphs_over_time`.

    Parameters
    ----------
    graphs : list of (window_start, window_end, graph)
    metrics : sequence of str
        Columns of :func:`~netanalysis.analysis.centrality.centrality_table` to track
        (see :data:`METRICS`).
    seed : int
        Passed to ``centrality_table``.
    jobs : int
        Worker processes for the windows (1: in this process); the result does not depend on it.

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
    tables = _tables([G for _, _, G in present], seed, jobs)
    parts = [_window_rows(lo, hi, table, chosen) for (lo, hi, _), table in zip(present, tables)]
    if parts:
        frame = pd.concat(parts, ignore_index=True)
    else:
        frame = pd.DataFrame({c: pd.Series(dtype=object) for c in TIMELINE_COLUMNS})
    for col in ("window_start", "window_end"):
        frame[col] = pd.to_datetime(frame[col], utc=True).astype("datetime64[ns, UTC]")
    frame = frame.astype({"node": str, "kind": str, "metric": str, "value": float})
    frame["rank"] = frame["rank"].astype("int64")
    frame = frame.sort_values(["window_start", "window_end", "metric", "kind", "rank", "node"],
                              kind="mergesort")
    frame = frame[TIMELINE_COLUMNS].reset_index(drop=True)
    frame.attrs.update(getattr(graphs, "attrs", {}))
    frame.attrs["windows"] = [(_iso(lo), _iso(hi)) for lo, hi, _ in graphs]
    frame.attrs["empty_windows"] = [(_iso(lo), _iso(hi)) for lo, hi, G in graphs if len(G) == 0]
    frame.attrs["metrics"] = chosen
    return frame


def _iso(ts: pd.Timestamp) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def centrality_over_time(mentions: pd.DataFrame, posts: pd.DataFrame, *, freq: str = "month",
                         window: str | None = None, step: str | None = None, cumulative: bool = False,
                         metrics: Sequence[str] = DEFAULT_METRICS, unit: str = "post",
                         exclude: Iterable[str] = (), seed: int = 0, start: Any = None,
                         end: Any = None, min_weight: int = 1,
                         labels: Callable[[str, str], str] | None = None, jobs: int = 1) -> pd.DataFrame:
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
    graphs = graphs_over_time(mentions, posts, freq=freq, window=window, step=step,
                              cumulative=cumulative, start=start, end=end, unit=unit,
                              min_weight=min_weight, exclude=exclude, labels=labels)
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
        rows.append({"window_start": lo, "window_end": hi, "posts": int(G.graph.get("posts", 0)),
                     "inferred_posts": int(G.graph.get("inferred_posts", 0)),
                     "countries": kinds.count("country"), "forums": kinds.count("forum"),
                     "edges": G.number_of_edges(),
                     "total_weight": float(sum(w for _, _, w in G.edges(data="weight", default=1)))})
    frame = pd.DataFrame(rows, columns=WINDOW_COLUMNS)
    for col in ("window_start", "window_end"):
        frame[col] = pd.to_datetime(frame[col], utc=True).astype("datetime64[ns, UTC]")
    return frame
