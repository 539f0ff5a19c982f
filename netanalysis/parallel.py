"""The one pool: work spread over local processes or a Dask cluster, results in input order.

:func:`map_ordered` runs a picklable callable over a stream of chunks and yields the results
**in input order**, whatever runs the work, so the output is the same for ``jobs=1``,
``jobs=8`` or a cluster. At most a few chunks per worker are in flight, so memory stays
bounded however long the input is.

Engines: ``"processes"`` (the default; ``jobs`` worker processes, started with ``fork`` on Linux
so that what the callable holds, such as a compiled registry, is shared) and ``"dask"`` (a
``dask.distributed`` cluster: the one at ``scheduler``, or a local cluster of ``jobs`` worker
processes; ``pip install netanalysis[dask]``). The callable travels to each worker once.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from netanalysis.errors import ConfigError, NetanalysisError

__all__ = ["CHUNK", "ENGINES", "chunked", "map_ordered", "process_context", "worker_count"]

log = logging.getLogger(__name__)

#: Posts per chunk (a unit of work sent to one worker).
CHUNK = 2000
#: Where the work runs.
ENGINES = ("processes", "dask")
#: Chunks in flight per worker: enough to keep workers busy, few enough to bound memory.
_IN_FLIGHT = 3
#: How long to wait for a Dask scheduler given by address before giving up.
_CONNECT_TIMEOUT = "10s"
#: Loggers of dask.distributed quietened while a cluster runs (they log every worker's start and
#: stop at INFO and harmless shutdown races at WARNING); errors still show, and ``-vv`` shows all.
_DASK_LOGGERS = ("distributed", "distributed.client", "distributed.gc")


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


def map_ordered(
    work: Callable[[Any], Any],
    chunks: Iterable[Any],
    *,
    jobs: int | None = 1,
    engine: str = "processes",
    scheduler: str | None = None,
) -> Iterator[Any]:
    """Run ``work`` over ``chunks`` and yield the results in input order.

    Parameters
    ----------
    work : callable
        Picklable (it travels to each worker once); called with one chunk at a time.
    chunks : iterable
        Consumed lazily: only a few chunks per worker are read ahead.
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
    with ProcessPoolExecutor(workers, mp_context=process_context(), initializer=_init_worker, initargs=(work,)) as pool:
        yield from _bounded(
            lambda chunk: pool.submit(_run_in_worker, chunk), rest, workers, lambda future: future.result()
        )


def _prepend(head: list, tail: Iterator) -> Iterator:
    yield from head
    yield from tail


def _bounded(submit, chunks: Iterator, workers: int, result) -> Iterator[Any]:
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


_WORKER: Callable[[Any], Any] | None = None


def _init_worker(work: Callable[[Any], Any]) -> None:
    global _WORKER
    _WORKER = work


def _run_in_worker(chunk: Any) -> Any:
    assert _WORKER is not None, "worker not initialised"
    return _WORKER(chunk)


def _run_remote(work: Callable[[Any], Any], chunk: Any) -> Any:
    return work(chunk)


def _dask_map(
    work: Callable[[Any], Any], chunks: Iterator, workers: int, scheduler: str | None, timeout: str | None = None
) -> Iterator[Any]:
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
                cluster = LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=level
                )
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
            yield from _bounded(
                lambda chunk: client.submit(_run_remote, remote, chunk, pure=False),
                chunks,
                n,
                lambda future: future.result(),
            )
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
        raise NetanalysisError(
            f"the Dask scheduler at {scheduler} has no workers (none joined within {timeout})"
        ) from None
    versions = client.run(_netanalysis_version)
    other = sorted({v for v in versions.values() if v != __version__})
    if other:
        raise NetanalysisError(
            f"the Dask workers run netanalysis {', '.join(other)}, this is "
            f"{__version__}: install the same version on every worker"
        )


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
