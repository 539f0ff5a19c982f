"""The posts behind the explorer's nodes and edges: their dates and the evidence shown.

For a graph whose edges hold :class:`~netanalysis.graph.PostIds` over one id table the posts are
handled as integer codes (:class:`CodedPosts`): day numbers and string ranks per post, so that
counts, days and evidence come from numpy over codes rather than from millions of Python strings;
other graphs (plain lists of ids) go through :func:`edge_dates` and :func:`evidence`, which give
the same for the same posts.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from netanalysis.model import excerpt as _excerpt

__all__ = ["CodedPosts", "post_dates", "edge_dates", "evidence", "post_records", "day"]


def post_dates(posts: pd.DataFrame | None) -> dict[str, str | None]:
    if posts is None:
        return {}
    dates = pd.to_datetime(posts["date"], utc=True, errors="coerce")
    return {
        pid: None if pd.isna(day) else day.strftime("%Y-%m-%d") for pid, day in zip(posts["post_id"].astype(str), dates)
    }


class CodedPosts:
    """The posts of a graph whose edges hold :class:`~netanalysis.graph.PostIds` over one id
    table, as integer codes: day numbers and string ranks per post, so that counts, days and
    evidence come from numpy over codes rather than from millions of Python strings. Gives what
    :func:`_edge_dates` and :func:`_evidence` give for the same posts."""

    def __init__(self, table, posts: pd.DataFrame | None):
        self.ids = pd.Index(table.ids.to_pandas(), dtype="str")
        rank = np.empty(len(self.ids), dtype=np.int64)
        rank[self.ids.argsort()] = np.arange(len(self.ids))
        self.rank = rank
        self.day = None
        if posts is not None and len(posts):
            where = pd.Index(posts["post_id"].astype(str), dtype="str").get_indexer(self.ids)
            stamps = pd.to_datetime(posts["date"], utc=True, errors="coerce").dt.tz_localize(None)
            days = stamps.to_numpy().astype("datetime64[D]").astype(np.int64)
            days[stamps.isna().to_numpy()] = -1
            self.day = np.where(where >= 0, days[np.maximum(where, 0)], -1)

    @classmethod
    def of(cls, G: nx.Graph, posts: pd.DataFrame | None) -> CodedPosts | None:
        from netanalysis.graph import PostIds

        tables = {
            id(d["post_ids"].table) if isinstance(d.get("post_ids"), PostIds) else None
            for _, _, d in G.edges(data=True)
        }
        if not tables or None in tables or len(tables) > 1:
            return None
        first = next(d["post_ids"] for _, _, d in G.edges(data=True))
        return cls(first.table, posts)

    @staticmethod
    def codes(post_ids) -> np.ndarray:
        return np.asarray(post_ids.codes, dtype=np.int64)

    def dates(self, codes: np.ndarray, attrs: Mapping[str, Any]) -> dict[str, Any]:
        if self.day is None:
            return edge_dates(range(len(codes)), {}, attrs)
        days = self.day[codes]
        known = np.unique(days[days >= 0])
        text = np.datetime_as_string(known.astype("datetime64[D]"), unit="D").tolist()
        return {"days": text, "undated": int((days < 0).sum()) if len(codes) else 1}

    def evidence(self, codes: np.ndarray, limit: int) -> list[str]:
        if not len(codes) or limit <= 0:
            return []
        rank = self.rank[codes]
        if self.day is None:
            key = rank
        else:
            days = self.day[codes]
            undated = days < 0
            key = (undated.astype(np.int64) * (1 << 20) + np.where(undated, 0, days)) * len(self.rank) + rank
        top = np.argpartition(key, limit - 1)[:limit] if len(key) > limit else np.arange(len(key))
        top = top[np.argsort(key[top])]
        return self.ids.take(codes[top]).tolist()


def edge_dates(ids: Sequence[Any], dates: Mapping[str, str | None], attrs: Mapping[str, Any]) -> dict[str, Any]:
    """Distinct post days of an edge and its number of undated posts (or its span without posts)."""
    if not dates:
        span = [day(attrs.get("first_date")), day(attrs.get("last_date"))]
        days = sorted({d for d in span if d})
        return {"days": days, "undated": 0 if days else max(len(ids), 1)}
    known = [dates.get(p) for p in ids]
    days = sorted({d for d in known if d})
    # an edge without any post id has no date either: it counts as undated
    return {"days": days, "undated": sum(1 for d in known if not d) if ids else 1}


def day(value: Any) -> str | None:
    """``YYYY-MM-DD`` (UTC) of a date, timestamp or ISO string; ``None`` if missing or unreadable."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, str):
        return _day_of_text(value)
    return _parse_day(value)


@functools.lru_cache(maxsize=65536)
def _day_of_text(value: str) -> str | None:
    return _parse_day(value)


def _parse_day(value: Any) -> str | None:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        return None
    if pd.isna(stamp):
        return None
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.strftime("%Y-%m-%d")


def evidence(ids: Iterable[str], dates: Mapping[str, str | None], limit: int) -> list[str]:
    """The first ``limit`` posts in time order (undated last, then by id)."""
    return sorted(ids, key=lambda p: (dates.get(p) is None, dates.get(p) or "", p))[:limit]


def post_records(ids: list[str], posts: pd.DataFrame | None) -> dict[str, dict[str, str]]:
    if posts is None:
        return {p: {"date": "", "channel": "", "text": ""} for p in ids}
    frame = posts[posts["post_id"].astype(str).isin(set(ids))]
    dates = pd.to_datetime(frame["date"], utc=True, errors="coerce")
    blank = pd.Series([""] * len(frame), index=frame.index, dtype=object)
    records = {}
    for pid, channel, date, text in zip(
        frame["post_id"].astype(str), frame.get("channel", blank), dates, frame.get("text", blank)
    ):
        records[pid] = {
            "date": "" if pd.isna(date) else date.strftime("%Y-%m-%d %H:%M UTC"),
            "channel": "" if pd.isna(channel) else str(channel),
            "text": _excerpt("" if pd.isna(text) else str(text)),
        }
    return {p: records.get(p, {"date": "", "channel": "", "text": ""}) for p in ids}
