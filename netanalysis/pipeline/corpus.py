"""The corpus stage: read the posts and extract their mentions in one stream, chunk by chunk.

``posts.csv`` and ``mentions.csv`` are written as the chunks come back (in input order, from
worker processes or a Dask cluster: :func:`netanalysis.parallel.map_ordered`). Each chunk is a
:class:`~netanalysis.graph.Batch`; the co-mention counter adds it as it comes, so the graph is
built while the corpus streams. What else stays in memory depends on the command: ``parse``
and ``graph`` keep no per-post data (only running totals, and the counter's post ids); the
commands with time windows or the explorer, and any run filling the cache, keep the batches'
slim rows (id, channel, date, date source; no text: the explorer reads its posts' texts back) and their
coded links, joined into one corpus batch, so their memory grows with the number of posts and
links, not with their text. They also note where each chunk's rows start in both files
(:class:`~netanalysis.pipeline.csv_blocks.CsvBlocks`: three numbers a chunk), so that the
explorer reads back only the parts holding the posts it embeds.

While a run keeps the batches, its process holds glibc's mmap threshold at
:data:`STREAM_THRESHOLD` (1 MiB) from the first chunk back through their join
(:func:`netanalysis.memory.mapped_blocks`; the workers, forked at the first submissions, keep
glibc's moving threshold). Otherwise the threshold climbs to a chunk's size once a chunk's
buffers are freed, and from then on every chunk's message and CSV bytes (the CSV alone some 6 MB
of 2,000 benchmark posts) come from the heap, between the small kept arrays: near the end of a
million benchmark posts the heap held 58-105 MiB of free space, resident until trimmed. Held,
the stream's peak was 439.3-439.6 MiB in three runs against 446.3-497.1 MiB; it costs some 12 ms
of system time a chunk (fresh pages for the mapped buffers): 18.5 s against 12.6 s over the
million posts (medians of 3 pairs).

Post ids are made unique here, in input order, as the chunks come back
(:class:`~netanalysis.ingest.ids.UniqueIds`): a post whose id repeats an earlier one's is
renamed ``<id>#2`` in its chunk's rows and batch before anything is written or counted.
"""

from __future__ import annotations

import collections
import contextlib
import csv
import io
import logging
from collections.abc import Iterator
from typing import Any, cast

import pandas as pd
import pyarrow.compute as pc

from netanalysis import parallel
from netanalysis.config import Settings
from netanalysis.errors import raise_if_stopped
from netanalysis.extract.compiled import forget_compiled
from netanalysis.graph import Batch, CoMentionCounter
from netanalysis.ingest import ReadOptions
from netanalysis.ingest.ids import UniqueIds, warn_renamed
from netanalysis.ingest.partitions import absorb, iter_parts
from netanalysis.io.csv import header, unsafe_cell
from netanalysis.memory import mapped_blocks, release_memory
from netanalysis.model import MENTION_COLUMNS, NO_DATE, POST_COLUMNS, Post
from netanalysis.parallel import map_ordered
from netanalysis.pipeline.csv_blocks import CsvBlocks
from netanalysis.pipeline.state import RunResult, RunState, Stage, Staging
from netanalysis.pipeline.work import Chunk, ChunkExtractor, describe, post_rows

__all__ = ["CorpusTotals", "stage_corpus", "FORGET_POSTS"]

#: glibc's mmap threshold in this process while a run that keeps the batches streams them (see
#: :func:`_stream`).
STREAM_THRESHOLD = 1 << 20

#: From this many posts, the corpus stage drops the compiled registry once the posts are read
#: (:func:`~netanalysis.extract.compiled.forget_compiled`): the later stages' workers would each
#: hold a copy of it; a smaller run keeps it for the next run in the same process.
FORGET_POSTS = 2000

#: Posts of a corpus read from the cache that the counter adds at a time (:meth:`Batch.part`).
LOADED_POSTS = 1 << 16

log = logging.getLogger(__name__)


class CorpusTotals:
    """What a run reports of its posts, added up a batch at a time."""

    def __init__(self) -> None:
        self.posts = 0
        self.channels: set[str] = set()
        self.first: int | None = None
        self.last: int | None = None
        self.sources: dict[str, int] = {}

    def add(self, batch: Batch) -> None:
        self.posts += len(batch)
        channels = batch.columns.get("channel")
        if channels is not None:
            self.channels.update(c for c in pc.unique(channels).to_pylist() if c is not None)
        dates = batch.dates[batch.dates != NO_DATE]
        if len(dates):
            low, high = int(dates.min()), int(dates.max())
            self.first = low if self.first is None else min(self.first, low)
            self.last = high if self.last is None else max(self.last, high)
        sources = batch.columns.get("date_source")
        if sources is not None:
            for row in pc.value_counts(sources).to_pylist():
                if row["values"] is not None:
                    self.sources[row["values"]] = self.sources.get(row["values"], 0) + row["counts"]

    def counts(self) -> dict[str, Any]:
        def day(micros: int | None) -> str | None:
            return None if micros is None else pd.Timestamp(micros, unit="us", tz="UTC").strftime("%Y-%m-%d")

        return {
            "posts": self.posts,
            "channels": sorted(self.channels),
            "first_date": day(self.first),
            "last_date": day(self.last),
            "date_sources": dict(sorted(self.sources.items())),
        }


def read_options(settings: Settings) -> ReadOptions:
    """The reading options among the settings (and the table column ``compare --by`` names)."""
    from netanalysis.pipeline.compare_stage import group_column

    known = set(ReadOptions.__dataclass_fields__)
    return ReadOptions(**{k: v for k, v in settings.to_dict().items() if k in known}, group_col=group_column(settings))


def stage_corpus(state: RunState, result: RunResult, staging: Staging) -> None:
    """Stream the corpus (see the module notes), or read it from the cache."""
    from netanalysis.pipeline.compare_stage import kept_columns
    from netanalysis.registry import load_memberships, load_registry

    s = state.settings
    state.registry = load_registry(extra=list(s.registry) or None)
    result.counts["registry_fingerprint"] = state.registry.fingerprint()
    stages = state.command.stages
    work = ChunkExtractor(
        state.registry,
        countries=s.countries,
        exclude=s.exclusion,
        forms=s.forms,
        unit=s.unit,
        keep=kept_columns(s),
        safe_csv=s.safe_csv,
    )
    entry = None
    if s.cache:  # (Parquet is loaded only for the cache)
        from netanalysis.pipeline import cache

        entry = cache.entry_for(result.inputs, state.registry, s)
    # the batches are kept (and joined) for the later stages and the cache
    needed = any(x in stages for x in (Stage.TIMELINE, Stage.EXPLORER, Stage.COMPARE))
    keep = entry is not None or needed
    if Stage.GRAPH in stages:
        state.memberships = load_memberships(registry=state.registry)
        state.counter = CoMentionCounter(
            work.entities,
            unit=s.unit,
            min_weight=s.min_weight,
            exclude=s.exclusion,
            labels=state.registry.label,
            memberships=state.memberships,
            baseline=s.baseline,
            projections=True,  # the one-mode projections, counted in the same pass
            join_ids=not keep,  # (kept: the joined corpus's ids are adopted, not copied again)
        )
        result.counts["memberships_fingerprint"] = state.memberships.fingerprint()
    totals = CorpusTotals()
    loaded = False
    if entry is not None and cache.is_complete(entry):
        try:
            state.corpus, result.stats, state.mention_kinds, state.csv_blocks = cache.load(
                entry, staging, work.entities
            )
            loaded = True
        except cache.DamagedEntry as exc:
            log.warning("%s; it is removed and rebuilt", exc)
            cache.remove(entry)
    if loaded:
        assert state.corpus is not None
        corpus = state.corpus = state.corpus.numbered()
        # counted a run of posts at a time, as the stream counts its chunks: the counter's work
        # on a batch takes some 30 bytes a link (each link's post, unit, side and codes): added
        # whole, five million benchmark posts took the run's process to 2,827 MiB. Then, as after
        # the stream's join, the counter
        # holds the corpus's own ids and dates (made whole, not the parts')
        for lo in range(0, max(len(corpus), 1), LOADED_POSTS):
            _add(state, totals, corpus.part(lo, min(len(corpus), lo + LOADED_POSTS)))
        if state.counter is not None:
            state.counter.release_ids()
            state.counter.adopt_ids(corpus.post_ids)
            state.counter.adopt_dates(corpus.dates)
        del corpus
        result.counts["mentions_cache"] = "hit"
    else:
        _stream(state, result, staging, work, totals, keep)
        if entry is not None:
            assert state.corpus is not None
            try:
                cache.store(
                    entry,
                    state.corpus,
                    staging,
                    result.stats,
                    state.mention_kinds,
                    safe_csv=s.safe_csv,
                    blocks=state.csv_blocks,
                )
                result.counts["mentions_cache"] = "stored"
            except OSError as exc:  # a cache that cannot be written costs the next run time, not this run
                log.warning("the cache entry %s cannot be written (%s); the run goes on without it", entry, exc)
                result.counts["mentions_cache"] = "not stored"
    del work
    if not needed:
        # kept only to be stored, or read back from the cache: the later stages (graph, plot)
        # need the counter alone, as when the run streams without the cache. Kept, a cache
        # hit's corpus stayed through the graph stage: 42 bytes a post of 200,000 benchmark
        # posts (8.4 MiB of arrays)
        state.corpus = state.csv_blocks = None
    if totals.posts >= FORGET_POSTS:  # (small runs keep it: a test suite runs hundreds of them)
        forget_compiled()
    release_memory()
    result.counts.update(totals.counts())
    result.counts["mentions"] = dict(sorted(state.mention_kinds.items()))


def _add(state: RunState, totals: CorpusTotals, batch: Batch) -> None:
    totals.add(batch)
    if state.counter is not None:
        state.counter.add(batch)


def _stream(
    state: RunState, result: RunResult, staging: Staging, work: ChunkExtractor, totals: CorpusTotals, keep: bool
) -> None:
    s = state.settings
    kept: list[Batch] = []
    kinds: dict[str, int] = {}
    # the file stats each partition's counts go to, in the order the work goes out (and comes back)
    targets: collections.deque = collections.deque()
    warned: set[str] = set()

    # local worker processes read a partition's lines where they are in the file (a cluster's
    # workers may not see this machine's files, and one process has nothing to send)
    by_place = s.engine == "processes" and parallel.worker_count(s.jobs) > 1

    def work_items() -> Iterator[Any]:
        for item, file_stats in iter_parts(
            result.inputs, s.format, options=read_options(s), stats=result.stats, size=parallel.CHUNK, by_place=by_place
        ):
            targets.append(file_stats)
            yield item if file_stats is not None else post_rows(cast(list[Post], item))

    ids = UniqueIds()
    chunks = map_ordered(
        work,
        work_items(),
        jobs=s.jobs,
        engine=s.engine,
        scheduler=s.scheduler,
        timeout=s.worker_timeout,
        describe=describe,
    )
    # (closed on the way out of the block, whatever stops it: the workers stop at once)
    with (
        contextlib.ExitStack() as held,
        contextlib.closing(chunks),
        open(staging.path("posts.csv"), "wb") as posts_out,
        open(staging.path("mentions.csv"), "wb") as mentions_out,
    ):
        posts_out.write(header(POST_COLUMNS))
        mentions_out.write(header(MENTION_COLUMNS))
        # where each chunk's rows go in both files, for the explorer's reading back (csv_blocks)
        blocks = CsvBlocks() if keep else None
        for done, chunk in enumerate(chunks, 1):
            raise_if_stopped()
            if keep and done == 1:  # (the workers are forked by now: they keep glibc's own threshold)
                held.enter_context(mapped_blocks(STREAM_THRESHOLD))
            target = targets.popleft()
            if chunk.read is not None:
                absorb(target, chunk.read, warned)
            renames = ids.unique(chunk.batch.post_ids.to_numpy(zero_copy_only=False))
            if renames:
                chunk = _renamed(chunk, renames, result, s.safe_csv)
            if blocks is not None:
                blocks.add(rows=len(chunk.batch), posts_at=posts_out.tell(), mentions_at=mentions_out.tell())
            posts_out.write(chunk.posts_csv)
            mentions_out.write(chunk.mentions_csv)
            # the ids the run keeps (Batch.numbered), and the run's one tuple of entities rather
            # than the copy each batch brings back from its worker (Batch.sharing)
            batch = chunk.batch.numbered().sharing(work.entities)
            _add(state, totals, batch)
            if keep:
                kept.append(batch)
            for kind, n in chunk.kinds.items():
                kinds[kind] = kinds.get(kind, 0) + n
            if done % 25 == 0:  # freed text of past chunks back to the system
                release_memory(collect=False)
            if state.on_posts is not None:
                state.on_posts(chunk.posts)
        if keep:  # (joined under the held threshold too: the joined columns are mapped on their own)
            # the counter, which held each batch's own ids, lets them go, so that the join drops
            # each batch's ids once copied (the ids are never held twice), then holds the joined
            if kept:  # (the loop's last chunk holds its batch too)
                del chunk, batch
            # every id's hash is not needed past the last chunk (8 bytes a post, and as much
            # again while its levels merge): gone before the join, not after it
            ids.release()
            if state.counter is not None:
                state.counter.release_ids()
            state.corpus = Batch.concat(kept, work.entities)
            if state.counter is not None:
                state.counter.adopt_ids(state.corpus.post_ids)
                state.counter.adopt_dates(state.corpus.dates)
        if blocks is not None:
            blocks.close(posts_size=posts_out.tell(), mentions_size=mentions_out.tell())
            state.csv_blocks = blocks
    state.mention_kinds = kinds
    warn_renamed(result.stats)


def _renamed(chunk: Chunk, renames: dict[int, str], result: RunResult, safe: bool) -> Chunk:
    """The chunk with its repeated ids renamed, counted (with examples) in the run's stats."""
    before = chunk.batch.post_ids
    for i, new in sorted(renames.items()):
        old = before[i].as_py()
        source = ""
        if len(result.stats.renamed_examples) < 5:
            start = int(chunk.post_ends[i - 1]) if i else 0
            row = next(csv.reader(io.StringIO(chunk.posts_csv[start : int(chunk.post_ends[i])].decode())))
            source = unsafe_cell(row[POST_COLUMNS.index("source")])
        result.stats.rename(old, new, source)
    return chunk.renamed(renames, safe)
