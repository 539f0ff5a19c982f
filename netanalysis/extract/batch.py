"""Extraction over a stream of posts, chunk by chunk, in this process, on a pool of processes or
on a Dask cluster.

:func:`extract_chunks` takes posts in chunks (lists of plain tuples, as :func:`post_rows` makes
them from :class:`~netanalysis.model.Post` objects: cheap to send to a worker) or partitions of
input files that the worker reads itself (:mod:`netanalysis.ingest.partitions`: JSON Lines, so
that reading runs in parallel too), and yields one :class:`Chunk` per chunk, **in input
order**, whatever runs the work, so the output is the same for ``jobs=1``, ``jobs=8`` or a
cluster. At most a few chunks per worker are in flight, so memory stays bounded however long
the input is.

A chunk's result holds what the later stages need and nothing more:

``posts_csv``, ``mentions_csv``
    The chunk's rows of ``posts.csv`` and ``mentions.csv`` (UTF-8 bytes, no header), formatted
    in the worker, so formatting runs in parallel too. The format is that of Python's
    :mod:`csv` module (and pandas' ``to_csv``): ``,``-separated, ``\\n`` line ends, fields
    quoted only when they hold ``,``, ``"`` or a line break; dates in ISO 8601 UTC.
``links``
    The country and forum mentions, one per post and entity (and unit, for paragraph or
    sentence units), as integer arrays: ``post`` (int32, position in the chunk), ``entity``
    (int16, index into :attr:`ChunkExtractor.entities`) and, for those units, ``unit`` (int32,
    the unit's index within its post). This is all the graph and the time windows use, far smaller than the mention table.
``kinds``
    The number of mentions of each kind.
``slim``
    What the later stages keep of each post: id, channel, date (int64 microseconds) and date
    source, and with ``excerpts`` the start of the text, as Arrow arrays.
``read``
    For a partition, its counts (:class:`~netanalysis.ingest.partitions.PartRead`), to be
    added to its file's with :func:`~netanalysis.ingest.partitions.absorb`.

Engines: ``"processes"`` (the default; ``jobs`` worker processes, started with ``fork`` on Linux
so that the compiled registry is shared) and ``"dask"`` (a ``dask.distributed`` cluster: the one
at ``scheduler``, or a local cluster of ``jobs`` worker processes; ``pip install
netanalysis[dask]``). The registry and options travel to each worker once; the compiled matchers
are built there on first use.
"""
from __future__ import annotations

import collections
import contextlib
import datetime
import logging
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Iterator

import numpy as np

from netanalysis.errors import ConfigError, NetanalysisError
from netanalysis.extract.engine import COUNTRY_SOURCES, Extractor
from netanalysis.extract.units import UNITS, unit_index, unit_starts
from netanalysis.ingest.partitions import Partition, PartRead, read_partition
from netanalysis.model import NO_DATE, trim_for_excerpt

if TYPE_CHECKING:  # pragma: no cover
    from netanalysis.model import Post
    from netanalysis.registry import Registry

__all__ = ["CHUNK", "ENGINES", "Chunk", "ChunkExtractor", "extract_chunks", "chunked", "post_rows",
           "process_context", "worker_count"]

log = logging.getLogger(__name__)

#: Posts per chunk (a unit of work sent to one worker).
CHUNK = 2000
#: Where the extraction runs.
ENGINES = ("processes", "dask")
#: Chunks in flight per worker: enough to keep workers busy, few enough to bound memory.
_IN_FLIGHT = 3
#: How long to wait for a Dask scheduler given by address before giving up.
_CONNECT_TIMEOUT = "10s"
#: Loggers of dask.distributed quietened while a cluster runs (they log every worker's start and
#: stop at INFO and harmless shutdown races at WARNING); errors still show, and ``-vv`` shows all.
_DASK_LOGGERS = ("distributed", "distributed.client", "distributed.gc")
_LINK_KINDS = ("country", "forum")
_DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


@dataclass
class Chunk:
    """What extraction gives for one chunk of posts (see the module notes)."""

    posts: int
    posts_csv: bytes
    mentions_csv: bytes
    links: dict[str, np.ndarray]
    kinds: dict[str, int] = field(default_factory=dict)
    slim: dict[str, Any] = field(default_factory=dict)
    read: "PartRead | None" = None


def _q(value: str) -> str:
    """A CSV field as :mod:`csv` writes it with minimal quoting."""
    if '"' in value:
        return '"' + value.replace('"', '""') + '"'
    if "," in value or "\n" in value or "\r" in value:
        return '"' + value + '"'
    return value


class ChunkExtractor:
    """Turn a chunk of posts into a :class:`Chunk` (picklable: it travels to workers).

    Parameters
    ----------
    registry : Registry
    countries, exclude, tags
        As for :class:`~netanalysis.extract.Extractor`.
    unit : {"post", "paragraph", "sentence"}
        The co-mention unit; for paragraphs and sentences each link carries its unit's index.
    excerpts : bool, default False
        Keep the start of each text in :attr:`Chunk.slim` (what the explorer's tooltips show).
    """

    def __init__(self, registry: "Registry", *, countries: Iterable[str] | str = COUNTRY_SOURCES,
                 exclude: Iterable[str] | str = (), tags: bool = True, unit: str = "post",
                 excerpts: bool = False):
        if unit not in UNITS:
            raise ConfigError(f"unknown unit {unit!r}; choose one of {', '.join(UNITS)}")
        self.registry = registry
        self.options = {"countries": countries, "exclude": exclude, "tags": tags}
        self.unit = unit
        self.excerpts = bool(excerpts)
        self._extractor: Extractor | None = Extractor(registry, **self.options)  # validates here
        self._quote = _needs_quotes(registry)
        self._entities = ([("country", c) for c in sorted(set(registry.countries["code"].astype(str)))]
                          + [("forum", f) for f in sorted(set(registry.forums["id"].astype(str)))])
        self._entity_code = {key: i for i, key in enumerate(self._entities)}

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_extractor"] = None  # rebuilt on first use in the worker
        return state

    def __call__(self, rows: "list[tuple] | Partition") -> Chunk:
        """Extract from ``rows``: tuples in :data:`~netanalysis.model.POST_COLUMNS` order, the
        date as microseconds since 1970 UTC (or ``None``), as :func:`post_rows` gives them, or
        a :class:`~netanalysis.ingest.partitions.Partition` of an input, read here."""
        read = None
        if isinstance(rows, Partition):
            posts, read = read_partition(rows)
            rows = post_rows(posts)
            del posts
        if self._extractor is None:
            self._extractor = Extractor(self.registry, **self.options)
        extract = self._extractor.extract
        quote = self._quote
        split = self.unit != "post"
        unit = self.unit
        # UTF-8 pieces, joined once per chunk: texts hold emoji, so a str join would copy them
        # four bytes per character before encoding
        post_parts: list[bytes] = []
        mention_parts: list[bytes] = []
        kinds: list[str] = []
        code = self._entity_code
        link_post: list[int] = []
        link_entity: list[int] = []
        link_unit: list[int] = []
        gmtime, strftime = time.gmtime, time.strftime
        for position, (pid, channel, date, source_kind, source, fwd, text) in enumerate(rows):
            q = _q(pid)
            day = strftime(_DATE_FORMAT, gmtime(date // 1_000_000)) if date is not None else ""
            post_parts.append(f"{q},{_q(channel)},{day},{source_kind},{_q(source)},"
                              f"{'' if fwd is None else _q(fwd)},".encode())
            if not text:
                post_parts.append(b"\n")
                continue
            if '"' in text:
                post_parts += [b'"', text.replace('"', '""').encode(), b'"\n']
            elif "," in text or "\n" in text or "\r" in text:
                post_parts += [b'"', text.encode(), b'"\n']
            else:
                post_parts += [text.encode(), b"\n"]
            found = extract(text)
            if not found:
                continue
            kinds += [m[0] for m in found]
            if split:
                starts = unit_starts(text, unit)
                keys = {(code[m[0], m[1]], unit_index(starts, m[4])) for m in found if m[0] != "tag"}
                link_entity += [key[0] for key in keys]
                link_unit += [key[1] for key in keys]
            else:
                keys = {code[m[0], m[1]] for m in found if m[0] != "tag"}
                link_entity += keys
            link_post += [position] * len(keys)
            if quote:  # a registry with a comma or quote in some alias or id
                found = [(k, _q(e), v, _q(s) if v == "name" else s, a, b) for k, e, v, s, a, b in found]
            mention_parts.append("".join([f"{q},{k},{e},{v},{s},{a},{b}\n"
                                          for k, e, v, s, a, b in found]).encode())
        code_type = np.int16 if len(self._entities) < 2**15 else np.int32
        links = {"post": np.array(link_post, dtype=np.int32), "entity": np.array(link_entity, dtype=code_type)}
        if split:
            links["unit"] = np.array(link_unit, dtype=np.int32)
        return Chunk(len(rows), b"".join(post_parts), b"".join(mention_parts), links,
                     dict(collections.Counter(kinds)), self._slim(rows), read)

    def _slim(self, rows: list[tuple]) -> dict[str, Any]:
        """The columns later stages keep of each post (no text, or only its start), as Arrow
        string arrays and int64 microseconds (:data:`~netanalysis.model.NO_DATE` for none):
        joined without copies."""
        import pyarrow as pa

        columns: dict[str, Any] = {
            "post_id": pa.array([row[0] for row in rows], type=pa.string()),
            "channel": pa.array([row[1] for row in rows], type=pa.string()),
            "date": np.array([NO_DATE if row[2] is None else row[2] for row in rows], dtype=np.int64),
            "date_source": pa.array([row[3] for row in rows], type=pa.string()),
        }
        if self.excerpts:
            columns["text"] = pa.array([trim_for_excerpt(row[6] or "") for row in rows], type=pa.string())
        return columns

    @property
    def entities(self) -> list[tuple[str, str]]:
        """The (kind, entity) that link codes stand for: countries, then forums, each sorted."""
        return self._entities


_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_MICROSECOND = datetime.timedelta(microseconds=1)


def post_rows(posts: Iterable["Post"]) -> list[tuple]:
    """Posts as the plain tuples :class:`ChunkExtractor` takes (cheap to send to a worker); the
    date as whole microseconds since 1970 UTC (exact, unlike a float of seconds)."""
    return [(p.post_id, p.channel, None if p.date is None else (p.date - _EPOCH) // _MICROSECOND,
             p.date_source, p.source, p.forwarded_from, p.text) for p in posts]


def _needs_quotes(registry: "Registry") -> bool:
    """Whether any alias or entity id of ``registry`` holds a character CSV must quote."""
    values = [*registry.aliases["alias"].astype(str), *registry.forums["id"].astype(str),
              *registry.countries["code"].astype(str)]
    return any(_q(v) != v for v in values)


def chunked(items: Iterable, size: int | None = None) -> Iterator[list]:
    """Lists of ``size`` consecutive items (the last may be shorter); by default :data:`CHUNK`
    (read at call time, so it can be changed)."""
    size = size or CHUNK
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def worker_count(jobs: int | None) -> int:
    """Workers for ``jobs`` (0 or None: one per core)."""
    if jobs is None:
        jobs = 0
    try:
        jobs = int(jobs)
    except (TypeError, ValueError):
        raise ConfigError(f"jobs must be a whole number, not {jobs!r}") from None
    if jobs < 0:
        raise ConfigError(f"jobs must be 0 (all cores) or more, not {jobs}")
    return (os.cpu_count() or 1) if jobs == 0 else jobs


def extract_chunks(chunks: Iterable[list[tuple]], work: ChunkExtractor, *, jobs: int | None = 1,
                   engine: str = "processes", scheduler: str | None = None) -> Iterator[Chunk]:
    """Run ``work`` over ``chunks`` and yield the results in input order.

    Parameters
    ----------
    chunks : iterable of list of tuple or of Partition
        Rows as :func:`post_rows` gives them, or partitions of inputs that the workers read
        (:mod:`netanalysis.ingest.partitions`); consumed lazily: only a few chunks per worker
        are read ahead.
    work : ChunkExtractor
    jobs : int, default 1
        Worker processes (0: one per core). With one worker and no cluster the work runs in
        this process; a single chunk always does.
    engine : {"processes", "dask"}
    scheduler : str, optional
        Address of a Dask scheduler (``tcp://host:8786``); without it ``engine="dask"`` starts
        a local cluster of ``jobs`` workers.

    Raises
    ------
    ConfigError
        An unknown engine, a ``scheduler`` without ``engine="dask"`` or Dask not installed.
    NetanalysisError
        A Dask scheduler that cannot be reached or a local Dask cluster that cannot start (not
        an option error: the same address may work later).
    """
    if engine not in ENGINES:
        raise ConfigError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if scheduler and engine != "dask":
        raise ConfigError("a scheduler address needs the dask engine (--engine dask)")
    workers = worker_count(jobs)
    chunks = iter(chunks)
    if engine == "dask":
        yield from _dask_map(work, chunks, workers, scheduler)
        return
    first = next(chunks, None)
    if first is None:
        return
    second = next(chunks, None)
    if workers <= 1 or second is None:
        yield work(first)
        if second is not None:
            yield work(second)
            for chunk in chunks:
                yield work(chunk)
        return
    rest = _prepend([first, second], chunks)
    with ProcessPoolExecutor(workers, mp_context=process_context(), initializer=_init_worker,
                             initargs=(work,)) as pool:
        yield from _bounded(lambda chunk: pool.submit(_run_in_worker, chunk), rest, workers,
                            lambda future: future.result())


def _prepend(head: list, tail: Iterator) -> Iterator:
    yield from head
    yield from tail


def _bounded(submit, chunks: Iterator, workers: int, result) -> Iterator[Chunk]:
    """Submit chunks keeping at most ``_IN_FLIGHT * workers`` pending; yield results in order."""
    pending: collections.deque = collections.deque()
    limit = max(2, _IN_FLIGHT * workers)
    for chunk in chunks:
        pending.append(submit(chunk))
        if len(pending) >= limit:
            yield result(pending.popleft())
    while pending:
        yield result(pending.popleft())


def process_context():
    # fork starts workers at once and shares the compiled registry; elsewhere use the default
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


_WORKER: ChunkExtractor | None = None


def _init_worker(work: ChunkExtractor) -> None:
    global _WORKER
    _WORKER = work


def _run_in_worker(chunk: list[tuple]) -> Chunk:
    assert _WORKER is not None, "worker not initialised"
    return _WORKER(chunk)


def _run_remote(work: ChunkExtractor, chunk: list[tuple]) -> Chunk:
    return work(chunk)


def _dask_map(work: ChunkExtractor, chunks: Iterator, workers: int, scheduler: str | None,
              timeout: str | None = None) -> Iterator[Chunk]:
    """Run ``work`` over ``chunks`` on the Dask cluster at ``scheduler`` (or on a local one of
    ``workers`` processes), a few chunks per worker in flight, results in input order.
    ``timeout`` bounds the wait for the scheduler (default :data:`_CONNECT_TIMEOUT`)."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise ConfigError("the dask engine needs dask.distributed: pip install 'netanalysis[dask]'") from None
    with _quiet_dask() as level:
        cluster = None
        try:
            if scheduler:
                client = Client(scheduler, timeout=timeout or _CONNECT_TIMEOUT)
            else:
                cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                       dashboard_address=":0", silence_logs=level)
                client = Client(cluster)
        except (OSError, TimeoutError) as exc:
            if cluster is not None:
                cluster.close()
            where = f"the Dask scheduler at {scheduler}" if scheduler else "a local Dask cluster"
            raise NetanalysisError(f"cannot reach {where}: {exc}") from None
        try:
            _check_workers(client, scheduler, timeout or _CONNECT_TIMEOUT)
            n = max(1, len(client.scheduler_info().get("workers", {})) or workers)
            log.info("dask: %d worker(s) at %s", n, client.scheduler.address)
            remote = client.scatter(work, broadcast=True)
            yield from _bounded(lambda chunk: client.submit(_run_remote, remote, chunk, pure=False),
                                chunks, n, lambda future: future.result())
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


def _netanalysis_version() -> str:
    from netanalysis import __version__

    return __version__


def _check_workers(client, scheduler: str | None, timeout: str) -> None:
    """Refuse a cluster without workers (tasks would wait for ever) or whose workers run another
    netanalysis version (their mentions could differ from this one's)."""
    from netanalysis import __version__

    try:
        client.wait_for_workers(1, timeout=timeout)
    except TimeoutError:
        raise NetanalysisError(f"the Dask scheduler at {scheduler} has no workers "
                               f"(none joined within {timeout})") from None
    versions = client.run(_netanalysis_version)
    other = sorted({v for v in versions.values() if v != __version__})
    if other:
        raise NetanalysisError(f"the Dask workers run netanalysis {', '.join(other)}, this is "
                               f"{__version__}: install the same version on every worker")


@contextlib.contextmanager
def _quiet_dask() -> Iterator[int]:
    """Raise dask.distributed's loggers to ERROR while a cluster runs (unless the root logger is
    at DEBUG, as with ``-vv``); give the level (for the local cluster's workers too)."""
    level = logging.DEBUG if logging.getLogger().getEffectiveLevel() <= logging.DEBUG else logging.ERROR
    loggers = [logging.getLogger(name) for name in _DASK_LOGGERS]
    old = [logger.level for logger in loggers]
    for logger in loggers:
        if logger.getEffectiveLevel() < level:
            logger.setLevel(level)
    try:
        yield level
    finally:
        for logger, before in zip(loggers, old):
            logger.setLevel(before)
