"""Selections from the timeline frame for line charts and bump charts."""

from __future__ import annotations

import pandas as pd

from netanalysis.errors import GraphError

__all__ = ["timeline_windows", "top_nodes_over_time", "rank_changes"]

_TIMELINE_COLUMNS = ("window_start", "node", "metric", "value", "rank")


def _check_timeline(timeline: pd.DataFrame, metric: str) -> pd.DataFrame:
    missing = [c for c in _TIMELINE_COLUMNS if c not in timeline.columns]
    if missing:
        raise GraphError(f"timeline frame lacks column(s) {', '.join(missing)}")
    rows = timeline[timeline["metric"] == metric]
    if rows.empty:
        known = ", ".join(sorted(map(str, timeline["metric"].unique())))
        raise GraphError(f"timeline has no metric {metric!r} (has: {known or 'none'})")
    return rows


def _utc(value) -> pd.Timestamp:
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def timeline_windows(timeline: pd.DataFrame) -> list[tuple[pd.Timestamp, pd.Timestamp | None]]:
    """Every window of a timeline frame, in time order, as UTC ``(start, end)`` timestamps.

    Uses ``timeline.attrs["windows"]`` when present (it also lists windows without posts,
    which have no rows), else the distinct ``window_start``/``window_end`` pairs of the rows.
    """
    listed = timeline.attrs.get("windows") if hasattr(timeline, "attrs") else None
    pairs: dict[pd.Timestamp, pd.Timestamp | None] = {}
    if listed:
        for start, end in listed:
            pairs[_utc(start)] = _utc(end) if end is not None else None
    has_end = "window_end" in timeline.columns
    for start, end in zip(timeline["window_start"], timeline["window_end"] if has_end else [None] * len(timeline)):
        pairs.setdefault(_utc(start), _utc(end) if end is not None and not pd.isna(end) else None)
    return sorted(pairs.items(), key=lambda p: p[0])


def top_nodes_over_time(
    timeline: pd.DataFrame, metric: str = "pagerank", n: int = 8, *, kind: str | None = None
) -> pd.DataFrame:
    """The ``n`` nodes with the highest mean value of ``metric`` over all windows, per window.

    A node absent from a window counts as 0 in the mean (it was not mentioned). Windows
    without any rows (listed in ``timeline.attrs["windows"]``) are kept, all NaN.

    Returns
    -------
    pd.DataFrame
        Wide: index ``window_start`` (every window, sorted), one column per selected node in
        order of decreasing mean value (ties by node id); NaN where the node is absent.
    """
    rows = _check_timeline(timeline, metric)
    if kind is not None:
        rows = rows[rows["kind"] == kind]
    rows = rows.assign(window_start=[_utc(t) for t in rows["window_start"]])
    wide = rows.pivot_table(index="window_start", columns="node", values="value", aggfunc="first").sort_index()
    all_windows = pd.DatetimeIndex([s for s, _ in timeline_windows(timeline)], name="window_start")
    wide = wide.reindex(all_windows)
    mean = wide.fillna(0.0).mean(axis=0)
    chosen = sorted(wide.columns, key=lambda c: (-round(float(mean[c]), 12), str(c)))[:n]
    out = wide[chosen].astype(float)
    out.columns.name = "node"
    return out


def rank_changes(
    timeline: pd.DataFrame, metric: str = "pagerank", n: int = 10, *, kind: str | None = None
) -> pd.DataFrame:
    """Ranks for a bump chart: every node ranked within the top ``n`` in at least one window.

    Ranks are the timeline's own ``rank`` column (not recomputed), so the chart shows exactly
    the published numbers. ``timeline.csv`` ranks within (window, kind, metric), so pass
    ``kind`` to compare like with like; with ``kind=None`` both kinds' ranks appear together.

    Returns
    -------
    pd.DataFrame
        Columns ``window_start, window_end, node, rank, value, in_top``, one row per window and
        selected node present in that window, sorted by window then rank then node.
        ``in_top`` says whether the rank is within ``n``.

    Examples
    --------
    >>> t = pd.DataFrame({"window_start": pd.to_datetime(["2024-04-01"] * 3, utc=True),
    ...                   "node": ["country:CN", "country:IN", "country:RU"],
    ...                   "metric": "pagerank", "value": [0.5, 0.3, 0.2], "rank": [1, 2, 3]})
    >>> rank_changes(t, n=2)[["node", "rank", "in_top"]].values.tolist()
    [['country:CN', 1, True], ['country:IN', 2, True]]
    """
    rows = _check_timeline(timeline, metric)
    if kind is not None:
        rows = rows[rows["kind"] == kind]
    chosen = set(rows.loc[rows["rank"] <= n, "node"])
    out = rows[rows["node"].isin(chosen)].copy()
    out["window_start"] = [_utc(t) for t in out["window_start"]]
    if "window_end" not in out.columns:
        out["window_end"] = pd.NaT
    out = out[["window_start", "window_end", "node", "rank", "value"]]
    out["in_top"] = out["rank"] <= n
    out = out.sort_values(["window_start", "rank", "node"], kind="mergesort")
    return out.reset_index(drop=True)
