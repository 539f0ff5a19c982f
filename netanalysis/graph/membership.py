"""Ties read against membership: the country's status in the forum on each post's date.

A country-forum edge stands for posts naming both; on each post's date (its UTC day) the
country had a status in the forum (:func:`netanalysis.registry.membership_status`: ``member``,
``observer``, ``partner``, ``dialogue_partner``, ``candidate``, ``associate``, ``suspended``,
``frozen``, ``non_member``; ``unknown`` for an undated post, a date inside an imprecise period of
the registry, or a forum the registry does not cover). Three levels:

* **tie** (one post of one edge): :func:`tie_blocks` as codes, :func:`edge_post_statuses` as
  tables: the rows of ``ties.csv``;
* **edge**: ``posts_by_status`` counts the edge's posts by status (``member:36;non_member:5``,
  statuses in the order of :data:`STATUS_ORDER`, counts > 0 only), and ``status`` is the one
  status of all its posts whose status is known, ``changed`` when they differ (an edge that
  spans an accession), ``unknown`` when none is known;
* **forum over time**: :func:`outsider_shares`, the share of a forum's ties that are to
  non-members, per year.

Post dates travel as int32 day numbers (:func:`post_days`, :data:`UNDATED` for none); a
country-forum pair's status is constant between the days on which its registry rows may change
(:meth:`~netanalysis.registry.memberships.Memberships.change_days`), so each pair is looked up
once per period, not once per post. Mentions are not labelled one by one: a country mention has
a status only with respect to a forum, so ``ties.csv`` (post, country, forum) is the level at
which every mention is labelled.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

import networkx as nx
import numpy as np
import pandas as pd

from netanalysis.graph.post_ids import PostIds, PostIdTable
from netanalysis.model import NO_DATE
from netanalysis.registry.memberships import MEMBERSHIP_STATUSES, NON_MEMBER, UNKNOWN, Memberships

__all__ = [
    "UNDATED",
    "STATUS_ORDER",
    "CHANGED",
    "post_days",
    "day_text",
    "day_calendar",
    "StatusLookup",
    "edge_status",
    "annotate_statuses",
    "TIE_ROWS",
    "TieBlock",
    "tie_blocks",
    "post_id_table",
    "edge_post_statuses",
    "outsider_shares",
]

#: The day number of an undated post.
UNDATED = np.iinfo(np.int32).min
#: The statuses a tie can have, in the order ``posts_by_status`` lists them.
STATUS_ORDER: tuple[str, ...] = (*MEMBERSHIP_STATUSES, NON_MEMBER, UNKNOWN)
#: An edge whose posts fall under different statuses.
CHANGED = "changed"
_UNKNOWN_CODE = STATUS_ORDER.index(UNKNOWN)
_CODE = {name: i for i, name in enumerate(STATUS_ORDER)}
_MICROS_PER_DAY = 86_400_000_000
_EARLIEST = -100_000  # days before any registry row (about 1696); pandas stops at 1677


def post_days(dates: np.ndarray) -> np.ndarray:
    """int64 microseconds since 1970 UTC (:data:`~netanalysis.model.NO_DATE` for none) as int32
    UTC day numbers (:data:`UNDATED` for none).

    >>> post_days(np.array([0, 86_400_000_000 - 1, -1, NO_DATE])).tolist()[:3]
    [0, 0, -1]
    """
    dates = np.asarray(dates, dtype=np.int64)
    days = np.floor_divide(dates, _MICROS_PER_DAY)
    return np.where(dates == NO_DATE, UNDATED, days).astype(np.int32)


class StatusLookup:
    """Statuses of (country, forum) on many days, one registry lookup per period of a pair."""

    def __init__(self, memberships: Memberships):
        self.memberships = memberships
        self._segments: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}

    def prepare(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Look up the periods of many (country, forum) pairs at once (one registry call)."""
        todo = sorted(set(pairs) - set(self._segments))
        if not todo:
            return
        starts = []
        for country, forum in todo:
            days = self.memberships.change_days(country, forum)
            starts.append(np.concatenate([[min(_EARLIEST, int(days.min()) - 1 if len(days) else 0)], days]))
        sizes = [len(s) for s in starts]
        flat = np.concatenate(starts)
        when = pd.Series(flat.astype("datetime64[D]").astype("datetime64[s]"))
        countries = np.repeat(np.array([c for c, _ in todo], dtype=object), sizes)
        forums = np.repeat(np.array([f for _, f in todo], dtype=object), sizes)
        names = self.memberships.status(countries, forums, when).to_numpy()
        codes = np.array([_CODE[n] for n in names], dtype=np.int8)
        cuts = np.cumsum(sizes)[:-1]
        for key, day, code in zip(todo, np.split(flat, cuts), np.split(codes, cuts)):
            self._segments[key] = (day, code)

    def segments(self, country: str, forum: str) -> tuple[np.ndarray, np.ndarray]:
        """``(starts, codes)``: from day ``starts[i]`` on the status is ``STATUS_ORDER[codes[i]]``."""
        if (country, forum) not in self._segments:
            self.prepare([(country, forum)])
        return self._segments[(country, forum)]

    def codes(self, country: str, forum: str, days: np.ndarray) -> np.ndarray:
        """The status code (index into :data:`STATUS_ORDER`) of each day; unknown where undated."""
        starts, codes = self.segments(country, forum)
        at = np.searchsorted(starts, days, side="right") - 1
        out = codes[np.maximum(at, 0)]
        return np.where(days == UNDATED, np.int8(_UNKNOWN_CODE), out).astype(np.int8)

    def statuses(self, country: str, forum: str, days: np.ndarray) -> np.ndarray:
        """The status names of each day (an object array)."""
        return np.asarray(STATUS_ORDER, dtype=object)[self.codes(country, forum, days)]


def edge_status(counts: np.ndarray) -> tuple[str, str]:
    """``(status, posts_by_status)`` of an edge from its post counts per status code.

    >>> counts = np.zeros(len(STATUS_ORDER), dtype=np.int64)
    >>> counts[[_CODE["member"], _CODE["non_member"], _CODE["unknown"]]] = [36, 5, 2]
    >>> edge_status(counts)
    ('changed', 'member:36;non_member:5;unknown:2')
    """
    listed = ";".join(f"{STATUS_ORDER[i]}:{int(n)}" for i, n in enumerate(counts) if n > 0)
    known = [STATUS_ORDER[i] for i, n in enumerate(counts) if n > 0 and i != _UNKNOWN_CODE]
    if not known:
        return UNKNOWN, listed
    return (known[0] if len(known) == 1 else CHANGED), listed


def _ends(G: nx.Graph, u: Any, v: Any) -> tuple[str, str] | None:
    """(country id, forum id) of a country-forum edge, else ``None``."""
    a, b = G.nodes[u], G.nodes[v]
    if a.get("kind") == "forum":
        a, b = b, a
    if a.get("kind") != "country" or b.get("kind") != "forum":
        return None
    return str(a.get("entity", u)), str(b.get("entity", v))


def _post_codes(d: dict) -> np.ndarray | None:
    ids = d.get("post_ids")
    codes = getattr(ids, "codes", None)
    return None if codes is None else np.asarray(codes)


def day_text(days: np.ndarray) -> np.ndarray:
    """Day numbers as ``YYYY-MM-DD`` (UTC), empty where undated: the ``date`` of ``ties.csv``.

    >>> day_text(np.array([0, UNDATED, 19_814], dtype=np.int32)).tolist()
    ['1970-01-01', '', '2024-04-01']
    """
    text = np.datetime_as_string(np.where(days == UNDATED, 0, days).astype("datetime64[D]"))
    return np.where(days == UNDATED, "", text)


def day_calendar(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The days from the first to the last of ``days`` (:func:`post_days`), and each post's
    place in them (``len(calendar)`` where undated; int16 when it fits): what the ties' files
    read a post's date or year from, without a date of every post nor a sort of them.

    >>> calendar, place = day_calendar(np.array([19_814, UNDATED, 19_812], dtype=np.int32))
    >>> calendar.tolist(), place.tolist(), place.dtype.name
    ([19812, 19813, 19814], [2, 3, 0], 'int16')
    """
    dated = days != UNDATED
    first = int(np.min(days, where=dated, initial=np.iinfo(np.int32).max))
    last = int(np.max(days, where=dated, initial=first - 1))
    calendar = np.arange(first, last + 1, dtype=np.int32)
    kind = np.int16 if len(calendar) < 2**15 else np.int32
    place = (days - np.int32(first)).astype(kind)  # (the undated ones wrap: set below)
    place[~dated] = len(calendar)
    return calendar, place


def _has_codes(d: dict) -> bool:
    """Whether the edge's ``post_ids`` are codes into the corpus (without sorting them)."""
    return isinstance(d.get("post_ids"), PostIds)


def annotate_statuses(G: nx.Graph, days: np.ndarray, memberships: Memberships) -> None:
    """Give every country-forum edge of ``G`` (built by the counter: its ``post_ids`` are codes
    into the corpus, ``days`` the corpus's post days) ``status`` and ``posts_by_status``.

    Modifies ``G`` in place (the counter calls it on the graph it has just built).
    """
    lookup = StatusLookup(memberships)
    lookup.prepare(e for u, v in G.edges if (e := _ends(G, u, v)) is not None)
    n = len(STATUS_ORDER)
    for u, v, d in G.edges(data=True):
        ends, codes = _ends(G, u, v), _post_codes(d)
        if ends is None or codes is None:
            continue
        # counted a block of the edge's posts at a time: a day, a place among the status's
        # changes and a code of each post take some 22 bytes a post: tens of MB for the largest
        # edges of five million benchmark posts (the five largest of 200,000 hold 88,000 to
        # 145,000 posts each, so millions at five million)
        counts = np.zeros(n, dtype=np.int64)
        for lo in range(0, len(codes), STATUS_BLOCK):
            counts += np.bincount(lookup.codes(*ends, days[codes[lo : lo + STATUS_BLOCK]]), minlength=n)
        d["status"], d["posts_by_status"] = edge_status(counts)


#: Posts of an edge whose statuses :func:`annotate_statuses` counts at a time.
STATUS_BLOCK = 1 << 18


#: Ties in a block of :func:`tie_blocks` (and a table of :func:`edge_post_statuses`): an edge of
#: a million posts (a million benchmark posts have such edges) is not one block, and many small
#: edges share one.
TIE_ROWS = 200_000


class TieBlock(NamedTuple):
    """Ties as codes, in ``ties.csv`` order: tie ``i`` is post ``post[i]`` (a position in the
    corpus, as the edges' ``post_ids`` codes) of edge ``pair[i]`` (an index into the pairs
    :func:`tie_blocks` returns), whose status on the post's day was ``STATUS_ORDER[status[i]]``."""

    pair: np.ndarray
    post: np.ndarray
    status: np.ndarray


def tie_blocks(
    G: nx.Graph, days: np.ndarray, memberships: Memberships, *, rows: int | None = None
) -> tuple[list[tuple[str, str]], Iterator[TieBlock]]:
    """The ties of ``G``: ``(pairs, blocks)``. ``pairs`` are the (country, forum) of its
    country-forum edges in ``edges.csv`` order (heaviest first, then by country and forum);
    ``blocks`` are their ties, edge after edge and each edge's posts in the natural order of
    their ids, in blocks of at most ``rows`` ties (default :data:`TIE_ROWS`, read at call time).
    ``days`` are the corpus's post days (:func:`post_days`)."""
    rows = rows or TIE_ROWS
    lookup = StatusLookup(memberships)
    edges = []
    for u, v, d in G.edges(data=True):
        ends = _ends(G, u, v)
        if ends is not None and _has_codes(d):
            edges.append((-int(d.get("weight", 0)), ends[0], ends[1], d["post_ids"]))
    lookup.prepare((country, forum) for _, country, forum, _ in edges)
    edges.sort(key=lambda e: e[:3])
    pairs = [(country, forum) for _, country, forum, _ in edges]

    def blocks() -> Iterator[TieBlock]:
        held: list[TieBlock] = []
        count = 0
        for index, (_, country, forum, ids) in enumerate(edges):
            every = np.asarray(ids.codes)
            lo = 0
            while lo < len(every):  # (as much of the edge as the block has room for)
                post = every[lo : lo + rows - count]
                status = lookup.codes(country, forum, days[post])
                held.append(TieBlock(np.full(len(post), index, dtype=np.int32), post, status))
                count += len(post)
                lo += len(post)
                if count == rows:
                    yield _joined(held)
                    held, count = [], 0
        if held:
            yield _joined(held)

    return pairs, blocks()


def post_id_table(G: nx.Graph) -> PostIdTable | None:
    """The corpus's post ids the edges' ``post_ids`` point into (``None`` if none does)."""
    return next((d["post_ids"].table for _, _, d in G.edges(data=True) if _has_codes(d)), None)


def _joined(held: list[TieBlock]) -> TieBlock:
    if len(held) == 1:
        return held[0]
    return TieBlock(*(np.concatenate([getattr(b, f) for b in held]) for f in TieBlock._fields))


def edge_post_statuses(
    G: nx.Graph, days: np.ndarray, memberships: Memberships, *, rows: int | None = None
) -> Iterator[pd.DataFrame]:
    """The ties of ``G`` (:func:`tie_blocks`) as tables of at most ``rows`` ties: ``country,
    forum, post_id, date`` (UTC day, empty if undated) ``, status``: the rows of ``ties.csv``."""
    pairs, blocks = tie_blocks(G, days, memberships, rows=rows)
    table = post_id_table(G)
    for block in blocks:
        assert table is not None
        yield pd.DataFrame(
            {
                "country": [pairs[i][0] for i in block.pair],
                "forum": [pairs[i][1] for i in block.pair],
                "post_id": table.take(block.post).to_pylist(),
                "date": day_text(days[block.post]),
                "status": np.asarray(STATUS_ORDER, dtype=object)[block.status],
            }
        )


def outsider_shares(ties: pd.DataFrame, *, freq: str = "year") -> pd.DataFrame:
    """The share of each forum's ties that are to non-members, per period.

    Parameters
    ----------
    ties : DataFrame
        Columns ``forum, date`` (``YYYY-MM-DD`` or empty) and ``status`` (:func:`edge_post_statuses`),
        and optionally ``n``: the number of ties the row stands for (default 1).
    freq : {"year", "all"}
        One row per forum and calendar year (UTC), or one per forum over the whole period.

    Returns
    -------
    DataFrame
        ``forum, period, ties, members`` (member, suspended or frozen), ``other_statuses``
        (observer, partner, dialogue partner, candidate, associate), ``non_members``,
        ``unknown`` and ``share_non_member`` = non_members / (ties - unknown) (NaN when no
        tie's status is known). A tie is one post naming the country and the forum; undated
        ties are counted in the ``all`` period only.
    """
    from netanalysis.registry.memberships import MEMBER_STATUSES

    columns = ["forum", "period", "ties", "members", "other_statuses", "non_members", "unknown", "share_non_member"]
    if ties.empty:
        return pd.DataFrame(columns=columns)
    status = ties["status"].astype(str)
    n = ties["n"].astype(np.int64) if "n" in ties.columns else pd.Series(1, index=ties.index, dtype=np.int64)
    frame = pd.DataFrame(
        {
            "forum": ties["forum"].astype(str),
            "period": ties["date"].astype(str).str[:4] if freq == "year" else "all",
            "ties": n,
            "members": n * status.isin(MEMBER_STATUSES),
            "non_members": n * (status == NON_MEMBER),
            "unknown": n * (status == UNKNOWN),
        }
    )
    if freq == "year":
        frame = frame[frame["period"] != ""]
    frame["other_statuses"] = frame["ties"] - frame[["members", "non_members", "unknown"]].sum(axis=1)
    out = frame.groupby(["forum", "period"], sort=True).agg(
        ties=("ties", "sum"),
        members=("members", "sum"),
        other_statuses=("other_statuses", "sum"),
        non_members=("non_members", "sum"),
        unknown=("unknown", "sum"),
    )
    out = out.reset_index()
    known = out["ties"] - out["unknown"]
    out["share_non_member"] = np.where(known > 0, out["non_members"] / known.where(known > 0, 1), np.nan)
    return out[columns]
