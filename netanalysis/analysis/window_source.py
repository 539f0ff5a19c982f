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

import copy
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from netanalysis.analysis.link_sums import PAIR_CHUNK, code_type, joined, ones, tally
from netanalysis.analysis.resample import CodedWindow, code_window, coded_links
from netanalysis.analysis.windows import utc
from netanalysis.errors import ConfigError
from netanalysis.graph.coding import Batch, micros
from netanalysis.graph.link_starts import narrow_starts, start_runs, starts
from netanalysis.graph.strings import equal_flags
from netanalysis.model import NO_DATE, SIDES, UNITS, Exclusion, index_type

__all__ = ["WindowSource", "FrameSource", "BatchSource", "as_source"]

_NONE = np.zeros(0, dtype=np.int64)  # (what a released source holds in place of its links)


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
        # (undated posts are NO_DATE, the smallest int64, below any start: one mask and one
        # temporary of a byte a post, where three comparisons and two joins made five)
        inside = self.dates >= max(lo, NO_DATE + 1)
        inside &= self.dates < hi
        return inside

    def code(self, keep: np.ndarray) -> CodedWindow:
        """The coded window of the posts where ``keep`` is true (in corpus order)."""
        raise NotImplementedError

    def code_every_post(self, *, release: bool = False) -> CodedWindow:
        """The coded window of every post. With ``release``, a source that can let its links go
        once they are coded does (it then codes nothing more)."""
        return self.code(np.ones(len(self), dtype=bool))

    def for_coding(self) -> WindowSource:
        """A source that codes the same windows, without what coding does not need (the dates),
        where that takes less memory: what a worker that codes given posts is sent."""
        return self


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
        self.inferred = np.zeros(len(batch), dtype=bool) if sources is None else equal_flags(sources, "inferred")
        names = np.array([f"{kind}:{name}" for kind, name in batch.entities], dtype=object)
        self._names = names
        self._rank = np.argsort(np.argsort(names, kind="stable"), kind="stable")  # sorted position of each name
        self._allowed = np.array(
            [kind in SIDES and not exclusion.matches(kind, name) for kind, name in batch.entities], dtype=bool
        )
        self._coding_only, self._released, self._posts = False, False, len(batch)
        # the units of a post are numbered below this (links of excluded entities included)
        units_at = self._link_units
        self._span = int(units_at.max(initial=0)) + 1 if unit != "post" and units_at is not None else 1

    def __len__(self) -> int:
        return self._posts

    def mask(self, start: Any, end: Any) -> np.ndarray:
        if self._coding_only:
            raise RuntimeError("this source was made for coding only (for_coding): it has no dates")
        return super().mask(start, end)

    def for_coding(self) -> BatchSource:
        """This source without the posts' dates and inferred flags (nine bytes a post): the whole
        corpus's worker codes every post and never selects by date."""
        light = copy.copy(self)
        light.dates, light.inferred, light._coding_only = np.zeros(0, np.int64), np.zeros(0, bool), True
        return light

    def code_every_post(self, *, release: bool = False) -> CodedWindow:
        """The coded window of every post; with ``release``, the source drops its links (the
        corpus's link starts, entities and units: 32.5 bytes a post of the benchmark) once they
        are coded, before the window's pairs are made: the whole corpus's worker, whose peak
        that is, then holds the corpus coded without the corpus itself."""
        return self._code(np.ones(len(self), dtype=bool), release=release)

    def code(self, keep: np.ndarray) -> CodedWindow:
        return self._code(np.asarray(keep, dtype=bool), release=False)

    def _code(self, keep: np.ndarray, *, release: bool) -> CodedWindow:
        """The coded window of the kept posts, made from their links only: nothing a post or a
        link of the whole corpus is made (a window is coded for the windows table, each
        bootstrap and each change test; an array over every post or link of a three-million-post
        corpus is 24-36 MB each time)."""
        if self._released:
            raise RuntimeError("this source let its links go once it had coded every post (code_every_post)")
        start, entity, rank, allowed = self._start, self._entity, self._rank, self._allowed
        if keep.all():  # the whole corpus (a worker's largest arrays): its own starts, no copy
            places, first, kept_start = None, start[:-1], start
        else:
            places = np.flatnonzero(keep)  # (kept post i is corpus post places[i])
            first = start[places]  # where each kept post's links start in the corpus
            kept_start = starts(start[places + 1] - first)
        link_units = self._link_units if self.unit != "post" else None
        span, n_names = self._span, len(self._names)
        # the distinct (post, unit, node) links, sorted: a run of kept posts at a time, so that no
        # array of int64 codes of every link is made (1,000,000 benchmark posts have 24 million
        # links), nor of each link's post (each is kept only as where each post's links start);
        # nodes are coded by the rank of their name and renumbered once the window's are known
        parts: list[list[np.ndarray]] = [[], []]
        per_post = np.zeros(len(kept_start) - 1, dtype=np.int64)
        named = np.zeros(n_names, dtype=bool)
        rank_type = code_type(n_names)
        for a, b in start_runs(kept_start, PAIR_CHUNK):
            counts = np.diff(kept_start[a : b + 1])
            link = np.repeat(first[a:b] - kept_start[a:b], counts)
            link += np.arange(kept_start[a], kept_start[b], dtype=np.int64)  # the corpus's links
            ent = entity[link]
            part = allowed[ent]
            post = np.repeat(np.arange(a, b, dtype=np.int64), counts)[part]
            where = link_units[link[part]].astype(np.int64) if link_units is not None else 0
            key = np.unique((post * span + where) * n_names + rank[ent[part]])
            rest = key // n_names
            tally(per_post, rest // span)
            if link_units is not None:
                parts[0].append((rest % span).astype(np.int32))
            ranks = (key % n_names).astype(rank_type)
            named[ranks] = True
            parts[1].append(ranks)
            del link, ent, part, post, where, key, rest
        del first, kept_start
        if release:  # (the units of each post are kept: the window holds them)
            self._start, self._entity, self._link_units, self._released = _NONE, _NONE, None, True
            del start, entity, link_units
        used = np.flatnonzero(named)  # the ranks of the nodes the window names
        by_rank = np.argsort(rank, kind="stable")  # the name of each rank
        nodes = [str(n) for n in self._names[by_rank[used]]]
        node_type = code_type(max(len(nodes), 1))
        lookup = np.zeros(n_names, dtype=rank_type)
        lookup[used] = np.arange(len(used))
        for i, ranks in enumerate(parts[1]):
            parts[1][i] = lookup[ranks].astype(node_type, copy=False)
        node = joined(parts[1], node_type)
        if any(int(w.max(initial=0)) > 0 for w in parts[0]):
            where = joined(parts[0], np.int32)
        else:  # (every link in unit 0: zeros that take no memory)
            where = np.broadcast_to(np.zeros(1, dtype=np.int32), node.shape)
        if self.unit == "post":  # (a unit each: ones that take no memory, 8 bytes a post as int64)
            units = ones(len(per_post), np.int64)
        else:
            assert self._units is not None  # (checked when the source was made)
            units = self._units if places is None else self._units[places]
        # the posts' places and where their links start as int32 when they fit, as the corpus
        # keeps its own starts (four bytes a post less each: 76 MiB at ten million posts)
        kind = index_type(self._posts)
        places = np.arange(len(per_post), dtype=kind) if places is None else places.astype(kind, copy=False)
        return coded_links(places, units, narrow_starts(starts(per_post)), where, node, nodes, self.unit)


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
