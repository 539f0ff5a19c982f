"""The one representation of a corpus: post rows and integer-coded links, column by column.

A :class:`Batch` holds posts (their ids as one Arrow string array, their dates as int64
microseconds, and whatever other columns a stage keeps) and their links to countries and
forums: one row per (post, entity, unit), post by post, as int arrays: ``entity`` (an index
into :attr:`Batch.entities`, the ``(kind, id)`` pairs) and, for paragraph and sentence units,
``unit`` (the unit's index within its post). Each link's post is kept as where each post's links
start (``start``, :mod:`netanalysis.graph.link_starts`): eight bytes a post, where an int32
post a link took 49 bytes a post on the benchmark corpus, the largest column of the corpus that
``timeline`` and ``report`` keep. For paragraph and sentence units a batch also says how many
units each post has (``units``, those naming nothing included), which the all-units baseline
counts.

The command line builds batches as it streams a corpus (a few thousand posts each) and joins
them with :meth:`Batch.concat` when a later stage needs the whole corpus; the Python API codes
its mention and post tables with :func:`~netanalysis.graph.tables_coding.from_tables`. Either way the same
:class:`~netanalysis.graph.counter.CoMentionCounter` counts them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from netanalysis.graph.link_starts import posts_of, start_type, starts
from netanalysis.graph.numbered_ids import as_strings, joined_ids, numbered
from netanalysis.graph.strings import TRIM_BYTES, joined_strings, pandas_strings, plain_strings
from netanalysis.memory import release_memory
from netanalysis.model import NO_DATE

__all__ = ["Batch", "Entities", "entity_list", "micros", "datetimes"]


#: The ``(kind, id)`` pairs that link codes stand for.
Entities = tuple[tuple[str, str], ...]


def micros(dates: Any) -> np.ndarray:
    """Dates (tz-aware, naive UTC, or missing) as int64 microseconds since 1970 UTC,
    :data:`~netanalysis.model.NO_DATE` where missing."""
    stamps = pd.to_datetime(pd.Series(dates), utc=True, errors="coerce").dt.tz_localize(None)
    values = stamps.to_numpy().astype("datetime64[us]").view(np.int64).copy()
    values[stamps.isna().to_numpy()] = NO_DATE
    return values


def datetimes(values: np.ndarray) -> pd.Series:
    """int64 microseconds (:data:`~netanalysis.model.NO_DATE` for none) as a UTC datetime series."""
    dates = values.view("datetime64[us]").copy()
    dates[values == NO_DATE] = np.datetime64("NaT")
    return pd.Series(dates).dt.tz_localize("UTC")


def entity_list(registry: Any) -> Entities:
    """Every country and forum of a registry: countries, then forums, each sorted by id."""
    return tuple(
        [("country", c) for c in sorted(set(registry.countries["code"].astype(str)))]
        + [("forum", f) for f in sorted(set(registry.forums["id"].astype(str)))]
    )


#: :meth:`Batch.select` takes the kept links by their places when they are at most one in this
#: many of the batch's links (a place takes eight bytes, a mask over every link one).
SELECT_BY_PLACES = 8


@dataclass(frozen=True)
class Batch:
    """Posts and their country/forum links (see the module notes).

    Attributes
    ----------
    post_ids : pyarrow.Array or NumberedIds
        The posts' ids, in input order: Arrow strings, or a run's
        (:class:`~netanalysis.graph.numbered_ids.NumberedIds`, see :meth:`numbered`).
    dates : ndarray of int64
        Microseconds since 1970 UTC, :data:`~netanalysis.model.NO_DATE` for an undated post.
    start : ndarray of int64 or int32
        Where each post's links start, and their end (``len(batch) + 1`` values; int32 in a
        joined corpus of fewer than a billion links, :func:`~netanalysis.graph.link_starts.start_type`;
        :func:`~netanalysis.graph.link_starts.starts`; from sorted posts,
        :func:`~netanalysis.graph.link_starts.starts_of`).
    entity : ndarray
        One entry per link, post by post: the entity's code.
    entities : tuple of (kind, id)
        What entity codes stand for.
    unit : ndarray, optional
        The paragraph or sentence index of each link in its post (``None``: units are posts).
    columns : dict of str to pyarrow.Array
        Other post columns kept (``channel``, ``date_source``, ``text``).
    units : ndarray, optional
        Per post: its number of paragraphs or sentences, those naming nothing included
        (``None``: units are posts, or the counts are unknown).
    """

    post_ids: Any  # pa.Array | NumberedIds
    dates: np.ndarray
    start: np.ndarray
    entity: np.ndarray
    entities: Entities
    unit: np.ndarray | None = None
    columns: dict[str, pa.Array] = field(default_factory=dict)
    units: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.post_ids)

    def __post_init__(self) -> None:
        if len(self.start) != len(self.post_ids) + 1 or int(self.start[-1]) != len(self.entity):
            raise ValueError(
                f"{len(self.start)} link starts for {len(self.post_ids)} posts and {len(self.entity)} links"
            )

    @property
    def n_links(self) -> int:
        return len(self.entity)

    @property
    def post(self) -> np.ndarray:
        """Each link's post (its position in the batch), made anew at each call, four bytes a
        link: for a batch of the stream; over a whole corpus, go a run of posts at a time
        (:func:`~netanalysis.graph.link_starts.start_runs`, :func:`~netanalysis.graph.link_starts.run_posts`)."""
        return posts_of(self.start)

    @classmethod
    def concat(cls, batches: list[Batch], entities: Entities) -> Batch:
        """One batch of all ``batches`` (posts renumbered in order). The list is emptied, and
        each column's parts are dropped (and their heap trimmed) once joined, so that the join
        needs the batches and one joined column, not every column twice: on a million benchmark
        posts, the join of ``timeline``'s corpus stage peaked 49 MiB above where it started,
        where joining every column at once from the kept list peaked 171 MiB above (one run
        each). Each column, the ids too (:func:`~netanalysis.graph.numbered_ids.joined_ids`), is
        copied a part at a time, the heap trimmed as it grows: where nothing else holds the
        batches' arrays, a column is not held twice. At a million benchmark posts the corpus
        stage's join peaked 9 MiB above where it started, where joining the ids first (then
        handed to the counter) and the other columns with one trim each peaked 27 MiB above
        (one run each, RSS sampled every 20 ms)."""
        link_offsets = np.cumsum([0] + [b.n_links for b in batches]).tolist()
        names = sorted(set().union(*(b.columns for b in batches))) if batches else []
        every_units = bool(batches) and all(b.units is not None for b in batches)
        parts: dict[str, list[Any]] = {
            "post_ids": [b.post_ids for b in batches],
            "dates": [b.dates for b in batches],
            "start": [b.start[1:] for b in batches],
            "entity": [b.entity for b in batches],
            "unit": [b.unit for b in batches if b.unit is not None],
            "units": [b.units for b in batches] if every_units else [],
            **{f"column:{name}": [b.columns[name] for b in batches] for name in names},
        }
        batches.clear()  # (the parts are all that holds the batches' arrays now)

        def joined(
            key: str, dtype: Any, shifts: list[int] | None = None, first: int = 0, kind: Any = None
        ) -> np.ndarray:
            # copied a part at a time into the result (of type ``kind``, or what the parts'
            # types give), each part dropped once copied; the values of part i moved past the
            # links before it (shifts[i]), after ``first`` zeros
            chunks = parts.pop(key)
            if not chunks:
                return np.zeros(first, dtype=kind or dtype)
            kind = kind or np.result_type(*[c.dtype for c in chunks], *([np.int32] if shifts else []))
            out = np.empty(sum(len(c) for c in chunks) + first, dtype=kind)
            out[:first] = 0
            at = since_trim = first
            for i in range(len(chunks)):
                chunk, chunks[i] = chunks[i], None
                values = chunk + kind.type(shifts[i]) if shifts else chunk
                out[at : at + len(values)] = values
                at += len(values)
                since_trim += values.nbytes
                del chunk, values
                if since_trim >= TRIM_BYTES:  # (the copied parts' heap back as the column grows)
                    release_memory(collect=False)
                    since_trim = 0
            release_memory(collect=False)  # (the parts' heap back to the system, for the next column)
            return out

        def strings(key: str, compact: bool = False) -> pa.Array:
            chunks = parts.pop(key)
            out = joined_strings(chunks) if compact else joined_ids(chunks)
            chunks.clear()
            release_memory(collect=False)
            return out

        post_ids = strings("post_ids")
        dates = joined("dates", np.int64)
        start = joined("start", np.int64, shifts=link_offsets, first=1, kind=start_type(link_offsets[-1]))
        entity = joined("entity", np.int16)
        unit = joined("unit", np.int32) if parts["unit"] else None
        units = joined("units", np.int32) if every_units else None
        columns = {name: strings(f"column:{name}", compact=True) for name in names}
        return cls(
            post_ids=post_ids,
            dates=dates,
            start=start,
            entity=entity,
            entities=entities,
            unit=unit,
            columns=columns,
            units=units,
        )

    def sharing(self, entities: Entities) -> Batch:
        """The batch holding ``entities``, the run's own tuple, in place of its own equal copy.

        A batch that comes back from a worker process brings its own copy of what its codes
        stand for (on the benchmark registry, 334 pairs of strings: some 36 KB a chunk of 2,000
        posts, 18 bytes a post), which a run keeping the batches until their join would hold
        once for each chunk. Raises ``ValueError`` if they code other entities."""
        if self.entities is entities:
            return self
        if tuple(self.entities) != tuple(entities):
            raise ValueError("the batch codes other entities than the run's")
        return replace(self, entities=entities)

    def numbered(self) -> Batch:
        """The batch with its ids numbered where that is exact and smaller
        (:func:`~netanalysis.graph.numbered_ids.numbered`: five bytes a benchmark post instead
        of 28), as a run keeps them."""
        ids = numbered(self.post_ids)
        return self if ids is self.post_ids else replace(self, post_ids=ids)

    def part(self, lo: int, hi: int) -> Batch:
        """Posts ``lo`` to ``hi`` and their links, as views of this batch's arrays (but the link
        starts, made from 0): a run of a loaded corpus's posts, counted as the stream counts a
        chunk (:func:`~netanalysis.pipeline.corpus.stage_corpus`)."""
        first, last = int(self.start[lo]), int(self.start[hi])
        return replace(
            self,
            post_ids=self.post_ids.slice(lo, hi - lo),
            dates=self.dates[lo:hi],
            start=(self.start[lo : hi + 1] - first).astype(np.int64),
            entity=self.entity[first:last],
            unit=None if self.unit is None else self.unit[first:last],
            columns={k: v.slice(lo, hi - lo) for k, v in self.columns.items()},
            units=None if self.units is None else self.units[lo:hi],
        )

    def posts_only(self, columns: Iterable[str] = ()) -> Batch:
        """The posts (ids, dates and those of the kept ``columns`` asked for) without their links:
        a batch of posts that name nothing, for what needs no more of them (the run's explorer
        and page), so that the links' arrays can go."""
        return replace(
            self,
            start=np.zeros(len(self) + 1, dtype=np.int64),
            entity=np.zeros(0, dtype=self.entity.dtype),
            unit=None,
            columns={k: v for k, v in self.columns.items() if k in set(columns)},
            units=None,
        )

    def select(self, keep: np.ndarray, *, ids: bool = True) -> Batch:
        """The batch of the posts where ``keep`` is true (and their links); with ``ids=False``
        without their ids (for counts that list no posts).

        The kept links are taken by their places when they are few (at most one in
        :data:`SELECT_BY_PLACES` of the links: eight bytes a kept link), else by a mask over
        every link (one byte a link, and each post's number of links). A time window of a
        large corpus is a small part of it: at five million benchmark posts the mask and the
        numbers of links take some 80 MB by their sizes for each window's few links (a probe
        saw the run's process go from 635 to 694 MiB as one window's were made)."""
        rows = np.flatnonzero(keep)
        first = self.start[rows].astype(np.int64)
        counts = self.start[rows + 1].astype(np.int64) - first
        n = int(counts.sum())
        start = starts(counts)
        if n * SELECT_BY_PLACES <= self.n_links:
            on: np.ndarray = np.repeat(first - start[:-1], counts) + np.arange(n)
        else:
            on = np.repeat(keep, np.diff(self.start))
        del first, counts
        mask = pa.array(keep)
        post_ids = self.post_ids.filter(mask) if ids else pa.nulls(len(rows), pa.string())
        return replace(
            self,
            post_ids=post_ids,
            dates=self.dates[rows],
            start=start,
            entity=self.entity[on],
            unit=None if self.unit is None else self.unit[on],
            columns={k: v.filter(mask) for k, v in self.columns.items()} if ids else {},
            units=None if self.units is None else self.units[rows],
        )

    def posts_frame(self, rows: np.ndarray | None = None, *, columns: Iterable[str] | None = None) -> pd.DataFrame:
        """The posts as a table: ``post_id``, the kept columns, ``date`` (UTC).

        ``rows`` (places of posts) gives only those posts, in that order, and ``columns`` only
        those of the kept columns (all by default): the explorer's table of posts needs only the
        ids and dates of every post (at a million benchmark posts, the whole table took 41 MB,
        an index of 64-bit offsets for each string column and the dates), and the rest only of
        the posts the page embeds.
        """
        wanted = list(self.columns) if columns is None else [c for c in self.columns if c in set(columns)]
        places = None if rows is None else np.asarray(rows, dtype=np.int64)
        chosen = None if places is None else pa.array(places)

        def strings(values: pa.Array) -> pd.Series:
            values = as_strings(values) if chosen is None else values.take(chosen)
            return pandas_strings(plain_strings(values))

        frame: dict[str, Any] = {"post_id": strings(self.post_ids)}
        if "channel" in wanted:
            frame["channel"] = strings(self.columns["channel"])
        frame["date"] = datetimes(self.dates if places is None else self.dates[places])
        for name in wanted:
            if name != "channel":
                frame[name] = strings(self.columns[name])
        return pd.DataFrame(frame)
