"""Where the statistics over time get each window's posts: tables, or the coded corpus.

The windows table (:mod:`netanalysis.analysis.window_stats`), the bootstrap
(:mod:`netanalysis.analysis.uncertainty`) and the permutation tests
(:mod:`netanalysis.analysis.change_tests`) code the posts of a window (or of two windows) as a
:class:`~netanalysis.analysis.resample.CodedWindow` and work on that. A *window source* gives
them the dates of every post and the coded window of any selection of posts, from either face
of the one engine:

:class:`FrameSource`
    A posts table (``post_id``, ``date``, optionally ``date_source``, and ``units`` or ``text``
    for paragraph/sentence units) and a links table (``post_id, kind, entity`` and ``unit``), as
    the Python API has them (:func:`netanalysis.analysis.association.unit_links`).
:class:`BatchSource`
    A coded corpus (:class:`~netanalysis.graph.Batch`), as the command line keeps it: no post id
    or entity name is turned into a string per link, so memory stays that of the batch.

Both give the same coded windows for the same posts (tested), with the links of excluded
entities left out as the co-mention counter leaves them out.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from netanalysis.analysis.link_sums import PAIR_CHUNK, code_type, counted, joined, ones, tally
from netanalysis.analysis.resample import CodedWindow, code_window, coded_links
from netanalysis.analysis.windows import utc
from netanalysis.errors import ConfigError
from netanalysis.graph.coding import Batch, micros
from netanalysis.graph.link_starts import run_posts, start_runs, starts
from netanalysis.model import NO_DATE, SIDES, UNITS, Exclusion

__all__ = ["WindowSource", "FrameSource", "BatchSource", "as_source"]


class WindowSource:
    """The posts of a corpus, their dates, and the coded window of any selection of them.

    Attributes
    ----------
    unit : str
        The unit of co-mention.
    dates : ndarray of int64
        Every post's date, microseconds since 1970 UTC (:data:`~netanalysis.model.NO_DATE`
        when undated).
    inferred : ndarray of bool
        Whether each post's date was inferred from its neighbours.
    """

    unit: str
    dates: np.ndarray
    inferred: np.ndarray

    def __len__(self) -> int:
        return len(self.dates)

    def mask(self, start: Any, end: Any) -> np.ndarray:
        """The posts dated in ``[start, end)`` (UTC); undated posts are in no window."""
        lo, hi = (int(pd.Timestamp(t).value // 1000) for t in (start, end))
        return (self.dates != NO_DATE) & (self.dates >= lo) & (self.dates < hi)

    def code(self, keep: np.ndarray) -> CodedWindow:
        """The coded window of the posts where ``keep`` is true (in corpus order)."""
        raise NotImplementedError


class FrameSource(WindowSource):
    """A window source over a posts table and a links table (see the module notes)."""

    def __init__(self, posts: pd.DataFrame, links: pd.DataFrame, *, unit: str = "post"):
        if unit not in UNITS:
            raise ConfigError(f"unknown unit {unit!r}; choose one of {', '.join(UNITS)}")
        if "date" not in posts.columns:
            raise ConfigError("the posts table lacks column date")
        self.unit = unit
        self.posts = posts.reset_index(drop=True)
        self.links = links
        self.dates = micros(utc(self.posts["date"]))  # (utc: a clear error for what is not a date)
        sources = self.posts["date_source"].astype(str) if "date_source" in self.posts.columns else None
        self.inferred = (sources == "inferred").to_numpy() if sources is not None else np.zeros(len(posts), bool)

    def code(self, keep: np.ndarray) -> CodedWindow:
        return code_window(self.posts[keep], self.links, unit=self.unit)


class BatchSource(WindowSource):
    """A window source over a coded corpus (see the module notes).

    Parameters
    ----------
    batch : Batch
        The corpus; for paragraph and sentence units it must know each post's number of units
        (:attr:`~netanalysis.graph.Batch.units`).
    unit : str
    exclude : Exclusion or iterable of str
        Entities left out (as ``--exclude``).
    """

    def __init__(self, batch: Batch, *, unit: str = "post", exclude: Exclusion | Iterable[str] = ()):
        if unit not in UNITS:
            raise ConfigError(f"unknown unit {unit!r}; choose one of {', '.join(UNITS)}")
        if unit != "post" and (batch.unit is None or batch.units is None):
            raise ConfigError(f"unit={unit!r}: the corpus was coded without its {unit}s (code it with the same unit)")
        exclusion = Exclusion.parse(exclude)
        self.unit = unit
        # only what the windows are coded from, so that a worker started afresh gets no more
        # (:mod:`netanalysis.parallel_fresh` pickles the source: not the ids, texts or channels)
        self._start, self._entity, self._link_units, self._units = batch.start, batch.entity, batch.unit, batch.units
        self.dates = batch.dates
        sources = batch.columns.get("date_source")
        self.inferred = (
            np.zeros(len(batch), dtype=bool)
            if sources is None
            else np.asarray(pc.fill_null(pc.equal(sources, "inferred"), False))
        )
        names = np.array([f"{kind}:{name}" for kind, name in batch.entities], dtype=object)
        self._names = names
        self._rank = np.argsort(np.argsort(names, kind="stable"), kind="stable")  # sorted position of each name
        self._allowed = np.array(
            [kind in SIDES and not exclusion.matches(kind, name) for kind, name in batch.entities], dtype=bool
        )

    def code(self, keep: np.ndarray) -> CodedWindow:
        start, entity = self._start, self._entity
        keep = np.asarray(keep, dtype=bool)
        renumber = np.cumsum(keep, dtype=np.int64) - 1
        on = np.repeat(keep, np.diff(start))
        on &= self._allowed[entity]
        used = np.flatnonzero(counted(entity, len(self._names), where=on))
        used = used[np.argsort(self._rank[used], kind="stable")]
        nodes = [str(n) for n in self._names[used]]
        lookup = np.full(len(self._names), -1, dtype=np.int64)
        lookup[used] = np.arange(len(used))
        n_nodes = max(len(nodes), 1)
        link_units = self._link_units if self.unit != "post" else None
        span = int(link_units[on].max(initial=0)) + 1 if link_units is not None else 1
        node_type = code_type(n_nodes)
        # the distinct (post, unit, node) links, sorted: a run of posts at a time, so that no
        # array of int64 codes of every link is made (1,000,000 benchmark posts have 24 million
        # links), nor of each link's post (each is kept only as where each post's links start)
        parts: list[list[np.ndarray]] = [[], []]
        per_post = np.zeros(int(keep.sum()), dtype=np.int64)
        for first, end in start_runs(start, PAIR_CHUNK):
            lo, hi = int(start[first]), int(start[end])
            part = on[lo:hi]
            renumbered = renumber[run_posts(start, first, end)[part]]
            where = link_units[lo:hi][part].astype(np.int64) if link_units is not None else 0
            key = np.unique((renumbered * span + where) * n_nodes + lookup[entity[lo:hi][part]])
            rest = key // n_nodes
            tally(per_post, rest // span)
            if span > 1:  # (else every link is in unit 0: zeros that take no memory below)
                parts[0].append((rest % span).astype(np.int32))
            parts[1].append((key % n_nodes).astype(node_type))
            del part, renumbered, where, key, rest
        del renumber, on
        node = joined(parts[1], node_type)
        where = joined(parts[0], np.int32) if span > 1 else np.broadcast_to(np.zeros(1, dtype=np.int32), node.shape)
        if self.unit == "post":  # (a unit each: ones that take no memory, 8 bytes a post as int64)
            units = ones(len(per_post), np.int64)
        else:
            assert self._units is not None  # (checked when the source was made)
            units = self._units[keep]
        return coded_links(np.flatnonzero(keep), units, starts(per_post), where, node, nodes, self.unit)


def as_source(posts: pd.DataFrame | WindowSource, links: pd.DataFrame | None, unit: str) -> WindowSource:
    """``posts`` itself when it is a window source (then ``links`` must be ``None``), else a
    :class:`FrameSource` over the two tables."""
    if isinstance(posts, WindowSource):
        if links is not None:
            raise ConfigError("give either a window source or the posts and links tables, not both")
        if posts.unit != unit:
            raise ConfigError(f"the window source counts {posts.unit}s, not {unit}s")
        return posts
    if links is None:
        raise ConfigError("the links table is missing (see netanalysis.analysis.association.unit_links)")
    return FrameSource(posts, links, unit=unit)
