"""The posts behind the explorer's edges: one numbered table in date order, with each post's day
(their channels, texts and matched words: :mod:`netanalysis.render.explorer_texts`).

Every edge lists its posts as indices into that table (sorted, so in date order), and carries
the number of its posts per day, so that the page can recount any time window exactly and page
through the evidence of any edge. A graph whose edges hold :class:`~netanalysis.graph.PostIds`
over one id table is handled as integer codes (no Python string per link); plain lists of ids give
the same table.

Budgets keep one page openable on a large corpus: at most ``max_posts`` posts are embedded (past
that, each edge keeps its earliest posts, the same number for every edge, and says how many it
has), and each text is cut at ``text_chars`` characters (the offsets beyond the cut are dropped).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from netanalysis.graph.numbered_ids import NumberedIds
from netanalysis.graph.numbered_ids import as_strings as id_strings
from netanalysis.model import index_type
from netanalysis.render.explorer_texts import TEXT_CHARS, as_strings

__all__ = [
    "PostTable",
    "PostDays",
    "DayRuns",
    "distinct_codes",
    "post_table",
    "day_counts",
    "day",
    "MAX_POSTS",
    "TEXT_CHARS",
]

#: Most posts one page embeds (with their text): about 30 MB of page with texts of 1.5 k
#: characters. Past it each edge shows its earliest posts; counts and time windows stay exact.
MAX_POSTS = 20_000
_NO_DAY = -1


@dataclass
class PostTable:
    """The posts behind a graph's edges, in date order (undated last, then by id).

    ``ids``: post ids; ``days``: days since 1970-01-01 (UTC), -1 when undated; ``edges``: per edge
    (in the order given) the sorted indices of its embedded posts; ``totals``: per edge its number
    of posts (embedded or not); ``edge_days``: per edge its ``(day, count)`` pairs over all its
    posts; ``kept``: posts per edge when the budget cut the lists (``None`` when every post is in);
    ``all_days``: the days of every post behind the edges, in date order; ``edge_posts``: edge
    ``k``'s posts (embedded or not) as indices into ``all_days``, in any order, made when asked
    for (a node's counts are made of its edges': :meth:`node_days`). They are not kept per edge:
    at a million benchmark posts that was 36 million int32 indices, 144 MB.
    """

    ids: list[str]
    days: np.ndarray
    edges: list[np.ndarray]
    totals: list[int]
    edge_days: list[np.ndarray]
    kept: int | None = None
    dated: bool = True
    first_day: int | None = field(default=None)
    all_days: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    edge_posts: Callable[[int], np.ndarray] = field(default=lambda k: np.zeros(0, dtype=np.int64))

    runs: DayRuns | None = None  # (where each day's posts are in ``all_days``: made from it when not given)

    def __post_init__(self) -> None:
        if self.runs is None:
            self.runs = DayRuns(self.all_days)

    def node_days(self, edges: Iterable[int]) -> np.ndarray:
        """``(day, count)`` rows of the distinct posts of the edges numbered ``edges`` (a node's),
        by day: each post once, however many of the edges it is behind. The posts are marked, one
        bool a post, and counted by runs of days (:class:`DayRuns`): not listed as indices and
        their days, which a hub's millions of posts took (16 bytes each)."""
        assert self.runs is not None  # (__post_init__)
        seen = np.zeros(len(self.all_days), dtype=bool)
        for k in edges:
            seen[self.edge_posts(k)] = True
        return self.runs.marked(seen)


class DayRuns:
    """Where each day's posts are in a day-ordered table of posts (dated days ascending, undated
    last), to count any set of them by day without the day of each one: with ``d`` days, a
    count is ``d`` searches in sorted indices (:meth:`sorted`) or one sum a run over a mask
    (:meth:`marked`). Rows are those of :func:`day_counts`: by day, undated (-1) first, as
    int32 when they fit.

    Examples
    --------
    >>> runs = DayRuns(np.array([3, 3, 5, 8, 8, 8, -1]))
    >>> runs.sorted(np.array([0, 3, 5, 6])).tolist()
    [[-1, 1], [3, 1], [8, 2]]
    >>> runs.marked(np.array([0, 1, 1, 0, 0, 0, 1], bool)).tolist()
    [[-1, 1], [3, 1], [5, 1]]
    """

    def __init__(self, days: np.ndarray):
        self.size = len(days)
        changes = np.flatnonzero(days[1:] != days[:-1]) + 1 if len(days) else np.zeros(0, np.int64)
        self.starts = np.r_[0, changes].astype(np.int64) if len(days) else np.zeros(0, np.int64)
        self.days = np.asarray(days[self.starts], dtype=np.int64)
        self.order = np.argsort(self.days, kind="stable")  # (the undated run, last, comes first)
        # the rows' type: int32 when the days and the counts fit (half of int64's: at 200,000
        # benchmark posts over twelve years, 600 edges' rows took 30 MB as int64 in the page's
        # table, and as much again as the edges' "h" lists)
        fits = self.size < 2**31 and (not len(self.days) or -(2**31) < self.days.min() <= self.days.max() < 2**31)
        self.type = np.int32 if fits else np.int64

    def _rows(self, counts: np.ndarray) -> np.ndarray:
        counts = counts[self.order]
        some = counts > 0
        return np.column_stack([self.days[self.order][some], counts[some]]).astype(self.type)

    def sorted(self, indices: np.ndarray) -> np.ndarray:
        """``(day, count)`` rows of the posts at ``indices`` (sorted, distinct)."""
        if not self.size:
            return np.zeros((0, 2), dtype=self.type)
        bounds = np.searchsorted(indices, np.r_[self.starts, self.size])
        return self._rows(np.diff(bounds))

    def marked(self, seen: np.ndarray) -> np.ndarray:
        """``(day, count)`` rows of the posts marked True in ``seen`` (one bool a post)."""
        if not self.size:
            return np.zeros((0, 2), dtype=self.type)
        return self._rows(np.add.reduceat(seen, self.starts, dtype=np.int64))


def day(value: Any) -> str | None:
    """``YYYY-MM-DD`` (UTC) of a date, timestamp or ISO string; ``None`` if missing or unreadable.

    Examples
    --------
    >>> day("2024-06-03T23:30:00+02:00"), day(None)
    ('2024-06-03', None)
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        return None
    if pd.isna(stamp):
        return None
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.strftime("%Y-%m-%d")


@dataclass(frozen=True)
class PostDays:
    """Every post's id and day, in one order: what the run's corpus gives the explorer without a
    table (at three million benchmark posts, a table of every post's id and date took 45 MiB and
    reading the days from it peaked 67 MiB above that; one run).

    ``ids``: the post ids (Arrow strings); ``days``: days since 1970-01-01 (UTC), -1 when undated
    (:func:`netanalysis.pipeline.explorer_inputs.corpus_days`).
    """

    ids: Any  # pa.Array | pa.ChunkedArray | NumberedIds
    days: np.ndarray


Posts: TypeAlias = "pd.DataFrame | PostDays | None"

#: Where the id strings of :func:`_codes` come from: a corpus's id table and the places in it of
#: each name (None when the edges' ids are plain lists, ``slice(None)``: every place in order).
Source = tuple[Any, Any] | None


def _codes(
    edges: Sequence[Mapping[str, Any]],
) -> tuple[Callable[[int], np.ndarray], pa.Array | pa.ChunkedArray, Source, np.ndarray | None]:
    """What gives edge ``k``'s posts as codes into one array of id strings (Arrow: no Python
    string per post), in any order, that array, where it comes from, and which of its ids are
    behind an edge (None: all). A graph's coded edges are read once here and again when asked
    for (their codes may wait in a temporary file), never all held at once. Their codes are
    places in the graph's id table, taken as they are: the array is that table (no copy of the
    ids of the posts behind the edges: 28 bytes a post of the benchmark)."""
    from netanalysis.graph import PostIds

    coded = [d.get("post_ids") for d in edges]
    tables = {id(p.table) for p in coded if isinstance(p, PostIds)}
    if coded and len(tables) == 1 and all(isinstance(p, PostIds) for p in coded):
        posts = [p for p in coded if isinstance(p, PostIds)]
        ids = posts[0].table.column  # (numbered ids as they are: made strings a block at a time)
        behind = np.zeros(len(ids), dtype=bool)
        for p in posts:
            behind[p.unordered_codes] = True
        return (lambda k: posts[k].unordered_codes), ids, (ids, slice(None)), None if behind.all() else behind
    lists = [[str(x) for x in (p or ())] for p in coded]
    distinct = sorted({x for ids in lists for x in ids})
    where = {name: i for i, name in enumerate(distinct)}
    codes = [np.asarray(sorted({where[x] for x in ids}), dtype=np.int64) for ids in lists]
    return codes.__getitem__, pa.array(distinct, type=pa.string()), None, None


def distinct_codes(arrays: Iterable[np.ndarray], size: int | None = None) -> np.ndarray:
    """The distinct values of arrays of small non-negative codes, sorted: ``np.unique`` of their
    concatenation, by marking the codes seen rather than sorting millions of them. With ``size``
    (a bound of the codes) the arrays are read once, one at a time: each may be made when it is
    asked for and dropped after.

    Examples
    --------
    >>> distinct_codes([np.array([5, 1]), np.array([1, 3])]).tolist(), distinct_codes([]).tolist()
    ([1, 3, 5], [])
    >>> distinct_codes((np.array([k, 2]) for k in (4, 0)), size=6).tolist()
    [0, 2, 4]
    """
    if size is None:
        arrays = [a for a in arrays if len(a)]
        size = int(max((a.max() for a in arrays), default=-1)) + 1
    seen = np.zeros(size, dtype=bool)
    for a in arrays:
        seen[a] = True
    return np.flatnonzero(seen).astype(np.int64)


def _post_days(names: pa.Array | pa.ChunkedArray, posts: Posts, source: Source = None) -> np.ndarray:
    """Days since 1970 of the posts named (-1 undated or not in ``posts``), found by id; when
    ``posts`` lists its ids as the ``source`` table does (the run's corpus and its graph), a
    name's row is its place in that table, and the ids are not matched as strings."""
    if posts is None or not len(names):
        return np.full(len(names), _NO_DAY, dtype=np.int64)
    if isinstance(posts, PostDays):
        days, ids = posts.days, posts.ids
        if source is not None and _same_array(ids, source[0]):
            return days[source[1]]
        ids = id_strings(ids)
        index = pd.Index(pa.chunked_array([ids]) if isinstance(ids, pa.Array) else ids).astype("str")
    else:
        stamps = pd.to_datetime(posts["date"], utc=True, errors="coerce").dt.tz_localize(None)
        days = stamps.to_numpy().astype("datetime64[D]").astype(np.int64)
        days[stamps.isna().to_numpy()] = _NO_DAY
        if source is not None and _same_ids(posts["post_id"], source[0]):
            return days[source[1]]
        index = pd.Index(posts["post_id"].astype(str), dtype="str")
    where = index.get_indexer(pd.Index(id_strings(names).to_pylist(), dtype="str"))
    return np.where(where >= 0, days[np.maximum(where, 0)], _NO_DAY)


def _same_array(ids: pa.Array | pa.ChunkedArray, table: pa.ChunkedArray) -> bool:
    """Whether ``ids`` are the strings of ``table``, in their order (compared in Arrow, no copy;
    the run's numbered ids are the table's own)."""
    if ids is table:
        return True
    ids, table = id_strings(ids), id_strings(table)
    table = pa.chunked_array([table]) if isinstance(table, pa.Array) else table
    chunked = pa.chunked_array([ids]) if isinstance(ids, pa.Array) else ids
    return len(chunked) == len(table) and chunked.type == table.type and chunked.equals(table)


def _same_ids(column: pd.Series, ids: pa.ChunkedArray) -> bool:
    """Whether ``column`` holds the strings of ``ids``, in their order."""
    if len(column) != len(ids):
        return False
    ids = id_strings(ids)
    ids = pa.chunked_array([ids]) if isinstance(ids, pa.Array) else ids
    try:
        return pa.chunked_array([as_strings(column)]).equals(ids)
    except (pa.ArrowException, TypeError, ValueError):
        return False


def day_counts(indices: np.ndarray, days: np.ndarray) -> np.ndarray:
    """``(day, count)`` rows of the posts at ``indices`` (undated as day -1), by day."""
    if not len(indices):
        return np.zeros((0, 2), dtype=np.int64)
    found = days[indices]
    if (found[1:] >= found[:-1]).all():  # in day order already (an edge's posts): runs, not a sort
        starts = np.flatnonzero(np.r_[True, found[1:] != found[:-1]])
        counts = np.diff(np.r_[starts, len(found)])
        return np.column_stack([found[starts], counts]).astype(np.int64)
    found, counts = np.unique(found, return_counts=True)
    return np.column_stack([found, counts]).astype(np.int64)


def post_table(edges: Sequence[Mapping[str, Any]], posts: Posts, *, max_posts: int = MAX_POSTS) -> PostTable:
    """Number the posts behind ``edges`` (edge attribute dicts with ``post_ids``) in date order.

    Parameters
    ----------
    edges : sequence of mapping
        The edges' attributes, in the order the page lists them.
    posts : DataFrame or PostDays, optional
        ``post_id`` and ``date`` of the posts, or their ids and days (without it every post
        counts as undated).
    max_posts : int
        Most posts embedded; past it each edge keeps its earliest ``k`` posts, ``k`` the largest
        that keeps the union within the budget.

    Examples
    --------
    >>> posts = pd.DataFrame({"post_id": ["b", "a", "c"],
    ...                       "date": pd.to_datetime(["2024-01-02", "2024-01-03", None], utc=True)})
    >>> table = post_table([{"post_ids": ["a", "b"]}, {"post_ids": ["c", "a"]}], posts)
    >>> table.ids, [e.tolist() for e in table.edges]
    (['b', 'a', 'c'], [[0, 1], [1, 2]])
    """
    codes_of, names, source, behind = _codes(edges)
    days = _post_days(names, posts, source)
    # (the posts behind no edge last; the places held as int32 where they fit, as the ranks)
    order = _date_order(days, names, behind).astype(index_type(len(days)), copy=False)
    n = len(order) if behind is None else int(np.count_nonzero(behind))
    del behind
    rank = np.empty(len(order), dtype=index_type(len(order)))  # (int32 ranks: int32 lists per edge)
    rank[order] = np.arange(len(order), dtype=rank.dtype)
    ordered_days = days[order[:n]]
    del days
    cut = n > max_posts
    runs = DayRuns(ordered_days)
    totals, edge_days, ordered, joins = [], [], [], _Joins(n)
    for k in range(len(edges)):  # each edge's posts as ranks, sorted, one edge at a time
        e = np.sort(rank[codes_of(k)])
        totals.append(len(e))
        edge_days.append(runs.sorted(e))
        if cut:
            joins.add(e)
        else:
            ordered.append(e)
    kept = None
    if cut:  # each edge's earliest posts, read again (36 million ranks at 1M posts: not kept)
        kept = joins.largest_k(max_posts)
        del joins
        # copied: a slice is a view that would keep the edge's whole sorted array (at a million
        # benchmark posts, those of the 666 edges took 93 MB more, until the table was made)
        ordered = [np.sort(rank[codes_of(k)])[:kept].copy() for k in range(len(edges))]
    used = distinct_codes(ordered)
    renumber = np.full(n, -1, dtype=index_type(n))  # (int32 where the posts fit, as the ranks)
    renumber[used] = np.arange(len(used))
    # (in date order, undated last: the first day is the first post's, when it is dated)
    first_day = int(ordered_days[0]) if len(ordered_days) and ordered_days[0] >= 0 else None
    return PostTable(
        ids=names.take(order[used]).to_pylist(),
        days=ordered_days[used],
        edges=[renumber[e] for e in ordered],
        totals=totals,
        edge_days=edge_days,
        kept=kept,
        dated=posts is not None,
        first_day=first_day,
        all_days=ordered_days,
        edge_posts=lambda k: rank[codes_of(k)],
        runs=runs,
    )


def _date_order(days: np.ndarray, names: Any, behind: np.ndarray | None = None) -> np.ndarray:
    """Places of the posts in date order, undated last, then by id: ``numpy.lexsort`` of the ids
    as text and the days, sorted in Arrow (UTF-8 bytes compare as code points do; both sorts
    are stable), without the Python string of every post nor a fixed-width copy of them all
    (the table of posts' peak at a million benchmark posts: 864 MiB with them, 739 MiB without).
    With ``behind`` (which posts are behind an edge), those behind none come after all the
    others, by id.

    Examples
    --------
    >>> _date_order(np.array([3, -1, 3, 1]), pa.array(["b", "a", "a", "z"])).tolist()
    [3, 2, 0, 1]
    >>> _date_order(np.array([3, -1, 3, 1]), pa.array(["b", "a", "a", "z"]), np.array([1, 0, 1, 1], bool)).tolist()
    [3, 2, 0, 1]
    >>> _date_order(np.array([3, -1, 3, 1]), pa.array(["b", "a", "a", "z"]), np.array([0, 1, 1, 1], bool)).tolist()
    [3, 2, 1, 0]
    """
    # (int32 keys, places and order where the posts fit: a day since 1970 is far below int32's
    # limit; four bytes a post each where int64 took eight)
    last = np.iinfo(np.int32).max
    key = np.where(days < 0, last - 1, days).astype(np.int32, copy=False)
    if behind is not None:
        key[~behind] = last
    if not isinstance(names, NumberedIds):
        return _day_id_order(key, names)
    # numbered ids: sorted by day, then each block of whole days by id, its ids made strings
    # only for the block (at most about BLOCK_POSTS of them, or one day's)
    place = index_type(len(key))
    by_day = np.argsort(key, kind="stable").astype(place, copy=False)
    sorted_key = key[by_day]
    del key
    out, lo = np.empty(len(sorted_key), dtype=place), 0
    while lo < len(sorted_key):
        hi = min(lo + BLOCK_POSTS, len(sorted_key))
        if hi < len(sorted_key):  # (the block ends where a day does)
            hi = int(np.searchsorted(sorted_key, sorted_key[hi - 1], side="right"))
        block = by_day[lo:hi]
        out[lo:hi] = block[_day_id_order(sorted_key[lo:hi], names.take(block))]
        lo = hi
    return out


#: Posts whose ids :func:`_date_order` makes strings at once (whole days: more for one day's).
#: At 2^20, a million posts were one block: the run's own process rose by some 98 MiB there at a
#: million benchmark posts over twelve years (its ids as strings and Arrow's sort of them), the
#: start of the report's explorer stage; blocks of 2^17 make an eighth of that at a time.
BLOCK_POSTS = 1 << 17


def _day_id_order(key: np.ndarray, names: pa.Array | pa.ChunkedArray) -> np.ndarray:
    table = pa.table({"day": key, "id": names})
    # (Arrow's indices are unsigned 64-bit: read as signed where they are, not copied)
    return pc.sort_indices(table, sort_keys=[("day", "ascending"), ("id", "ascending")]).to_numpy().view(np.int64)


def _largest_k(edges: list[np.ndarray], budget: int) -> int:
    """The largest ``k`` for which the union of every edge's first ``k`` posts holds at most
    ``budget`` posts (the edges: distinct post numbers each).

    A post joins that union at ``k`` = one more than its smallest position in any edge, so the
    union of the first ``k`` holds the posts that join by ``k``: one pass over the edges, then a
    cumulative count (not a union of arrays for each ``k`` tried: 4.6 s on 200,000 posts).

    Examples
    --------
    >>> _largest_k([np.array([0, 1, 2]), np.array([3, 1, 4])], 4)
    2
    """
    joins = _Joins(int(max((e.max() for e in edges if len(e)), default=-1)) + 1)
    for e in edges:
        joins.add(e)
    return joins.largest_k(budget)


class _Joins:
    """:func:`_largest_k` an edge at a time: each post's smallest position in any edge seen."""

    def __init__(self, size: int):
        kind = index_type(size + 2)  # (positions up to ``size``, and one past: int32 where they fit)
        self.joins = np.full(size, np.iinfo(kind).max, dtype=kind)
        self.longest = 0

    def add(self, e: np.ndarray) -> None:
        np.minimum.at(self.joins, e, np.arange(1, len(e) + 1, dtype=self.joins.dtype))
        self.longest = max(self.longest, len(e))

    def largest_k(self, budget: int) -> int:
        longest = self.longest
        if not longest:
            return 0
        joins = np.minimum(self.joins, longest + 1)  # (a post in no edge: never joins)
        union = np.cumsum(np.bincount(joins, minlength=longest + 2))  # union[k]: posts joined by k
        fits = np.flatnonzero(union[: longest + 1] <= budget)
        return int(fits[-1])
