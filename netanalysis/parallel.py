"""The one pool: work spread over local processes or a Dask cluster, results in input order.

:func:`map_ordered` runs a picklable callable over a stream of chunks and yields the results
**in input order**, whatever runs the work, so the output is the same for ``jobs=1``,
``jobs=8`` or a cluster. At most a few chunks per worker are in flight, so memory stays
bounded however long the input is.

Engines: ``"processes"`` (the default; ``jobs`` worker processes, started with ``fork`` on Linux
so that what the callable holds, such as a compiled registry, is shared) and ``"dask"`` (a
``dask.distributed`` cluster: the one at ``scheduler``, or a local cluster of ``jobs`` worker
processes; ``pip install netanalysis[dask]``; :mod:`netanalysis.parallel_dask`). The callable
travels to each worker once. With ``fresh=True`` the local workers are not forks of this process
but of a small server process, and get the callable through a file
(:mod:`netanalysis.parallel_fresh`): for work that reads little of a large process, such as the
time windows' bootstrap and tests, whose forked workers held every page of the run's process.

Workers never outlive the run. A worker process dies with the process that started it (Linux:
``PR_SET_PDEATHSIG``; elsewhere a watch on its parent), so a killed run leaves no worker
running on, holding the caller's pipes; ``Ctrl-C`` reaches the workers through the run, which
stops them, not directly. A worker that dies (killed, out of memory) ends the run with a
:class:`~netanalysis.errors.WorkerError` naming how it died and what it was working on, as
does one that gives no result for ``timeout`` seconds (it is stopped); and whenever the run
stops early, for any reason, its workers are killed at once rather than waited for.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import ctypes
import gc
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from netanalysis.errors import ConfigError, WorkerError, stops_held
from netanalysis.parallel_fresh import close_pool, open_pool

__all__ = [
    "CHUNK",
    "ENGINES",
    "MAX_JOBS_PER_CORE",
    "STOP_SIGNALS",
    "chunked",
    "map_ordered",
    "process_context",
    "start_ordered",
    "signals_held",
    "worker_count",
]

log = logging.getLogger(__name__)

#: Posts per chunk (a unit of work sent to one worker).
CHUNK = 2000
#: Where the work runs.
ENGINES = ("processes", "dask")
#: Chunks in flight per worker: enough to keep workers busy, few enough to bound memory.
_IN_FLIGHT = 3
#: More worker processes than this many per core (at least 8 in all) only cost memory: more
#: are not started.
MAX_JOBS_PER_CORE = 4


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
    cores = os.cpu_count() or 1
    if jobs == 0:
        return cores
    bound = max(8, MAX_JOBS_PER_CORE * cores)
    if jobs > bound:
        log.warning("%d worker processes asked for on %d core(s): using %d", jobs, cores, bound)
        return bound
    return jobs


def map_ordered(
    work: Callable[[Any], Any],
    chunks: Iterable[Any],
    *,
    jobs: int | None = 1,
    engine: str = "processes",
    scheduler: str | None = None,
    timeout: float | None = None,
    describe: Callable[[Any], str] | None = None,
    fresh: bool = False,
) -> Generator[Any, None, None]:
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
    timeout : float, optional
        Seconds to wait for a chunk's result from a worker before the run stops (``None`` or 0:
        no limit; work done in this process is not timed).
    describe : callable, optional
        ``describe(chunk)`` says what a chunk is (``posts from FILE:LINE``) in error messages.
    fresh : bool, default False
        Local worker processes start from a fresh interpreter, not as forks of this one, and
        get ``work`` through a file (:mod:`netanalysis.parallel_fresh`): for work that reads
        little of a large process.

    Raises
    ------
    ConfigError
        An unknown engine, a ``scheduler`` without ``engine="dask"`` or Dask not installed.
    NetanalysisError
        A Dask scheduler that cannot be reached or a local Dask cluster that cannot start (not
        an option error: the same address may work later).
    WorkerError
        A worker process died, or gave no result within ``timeout``.
    """
    if engine not in ENGINES:
        raise ConfigError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if scheduler and engine != "dask":
        raise ConfigError("a scheduler address needs the dask engine (--engine dask)")
    workers = worker_count(jobs)
    chunks = iter(chunks)
    if engine == "dask":
        from netanalysis.parallel_dask import dask_map  # (Dask is imported only when asked for)

        yield from dask_map(work, chunks, workers, scheduler, wait=timeout)
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
    yield from _process_map(
        work, _prepend([first, second], chunks), workers, timeout, describe or _a_chunk, fresh=fresh
    )


def start_ordered(
    work: Callable[[Any], Any],
    items: Iterable[Any],
    *,
    jobs: int | None = 1,
    timeout: float | None = None,
    describe: Callable[[Any], str] | None = None,
    fresh: bool = False,
) -> Generator[Any, None, None]:
    """Hand every item to worker processes now and go on: the work runs while the caller does.

    :func:`map_ordered` starts when its first result is asked for and keeps a few chunks in
    flight; here every item is submitted before this returns (the ``jobs`` workers, at least one
    and no more than the items, are forked now, from the objects as they are now), and the
    returned generator yields the results in input order, waiting for each. Closing it before
    its end kills the workers. ``fresh`` and the errors are :func:`map_ordered`'s.
    """
    items = list(items)
    if not items:
        return _prepend([], iter(()))
    workers = max(1, min(worker_count(jobs), len(items)))
    # Forked workers share this process's objects until they write to them; a garbage collection
    # in a worker writes to every object it scans, copying their pages. Frozen objects are not
    # scanned (some 0.3 s of the figure workers' CPU on the sample; the same results).
    if not fresh:
        gc.freeze()
    try:
        results = _process_map(work, iter(items), workers, timeout, describe or _a_chunk, started=True, fresh=fresh)
        next(results)  # (every item submitted: the workers are running)
    finally:
        if not fresh:
            gc.unfreeze()
    return results


def _a_chunk(chunk: Any) -> str:
    return "a chunk of work"


def _process_map(
    work: Callable[[Any], Any],
    chunks: Iterator,
    workers: int,
    timeout: float | None,
    describe: Callable[[Any], str],
    started: bool = False,
    fresh: bool = False,
) -> Generator[Any, None, None]:
    """:func:`map_ordered` on ``workers`` local processes (see the module notes); with
    ``started`` (:func:`start_ordered`), every chunk is submitted first and ``None`` is yielded
    before the results; with ``fresh``, the workers start from a fresh interpreter (and the fork
    server is not stopped before the pool ends: :func:`~netanalysis.parallel_fresh.open_pool`)."""
    if not fresh:
        return _pool_map(process_context(), (work, os.getpid()), chunks, workers, timeout, describe, started)
    # the workers read the work from its file, and the pool does not hold it in this process (the
    # report's figure worker's work holds the corpus's links, which the explorer stage lets go;
    # held for the pool's life, that stage peaked at 692 MB at three million benchmark posts)
    context, shipped = open_pool(work)
    return _pool_map(context, (_Shipped(shipped), None), chunks, workers, timeout, describe, started, shipped)


def _pool_map(
    context: Any,
    initargs: tuple[Any, ...],
    chunks: Iterator,
    workers: int,
    timeout: float | None,
    describe: Callable[[Any], str],
    started: bool,
    shipped: str | None = None,
) -> Generator[Any, None, None]:
    """The pool's work, its workers started with ``context`` and ``initargs``; ``shipped``: the
    fresh workers' file, removed at the end (the fork server is not stopped before then)."""
    fresh = shipped is not None
    try:
        pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=initargs)
    except BaseException:
        close_pool(shipped)
        raise
    # Every worker is started at the first submission, as with fork. A pool that starts them one
    # submission at a time (its way for other start methods) woke its watching thread before
    # starting each: a worker started after the thread went back to waiting was not watched, and
    # its death went unseen until another worker gave a result (3 runs in 8 on Python 3.11).
    pool._safe_to_dynamically_spawn_children = False  # type: ignore[attr-defined]
    forked: list[Any] = []  # the worker processes (to kill them, and to tell how one died)
    run = _run_fresh if fresh else _run_in_worker

    def submit(chunk: Any) -> tuple[concurrent.futures.Future, str]:
        try:
            if forked:
                future = pool.submit(run, chunk)
            else:  # the first submission forks the workers: no signal acts half-way through
                with signals_held():
                    future = pool.submit(run, chunk)
                    forked.extend(getattr(pool, "_processes", {}).values())
        except BrokenProcessPool:  # (one died while the others worked)
            _settled(pool)
            raise WorkerError(f"a worker process {_how_it_died(forked)} while the run went on") from None
        return future, describe(chunk)

    def result(item: tuple[concurrent.futures.Future, str]) -> Any:
        global _fresh_peak
        future, what = item
        try:
            if not fresh:
                return future.result(timeout=timeout or None)
            value, peak = future.result(timeout=timeout or None)
            _fresh_peak = max(_fresh_peak, peak)
            return value
        except concurrent.futures.TimeoutError:
            raise WorkerError(
                f"a worker process gave no result for {timeout:g} s on {what} and was stopped "
                "(a longer limit: --worker-timeout SECONDS, 0 for none)"
            ) from None
        except BrokenProcessPool:
            _settled(pool)
            raise WorkerError(f"a worker process {_how_it_died(forked)} while working on {what}") from None

    finished = False
    try:
        if started:
            pending = [submit(chunk) for chunk in chunks]
            yield None
            for item in pending:
                yield result(item)
        else:
            yield from _bounded(submit, chunks, workers, result)
        finished = True
    finally:
        try:
            if finished:
                pool.shutdown(wait=True)
            else:  # stopped early (an error, a signal, the consumer gone): do not wait for the workers
                _kill(list(dict.fromkeys([*forked, *(getattr(pool, "_processes", None) or {}).values()])))
                pool.shutdown(wait=False, cancel_futures=True)
        finally:
            close_pool(shipped)


def _settled(pool: ProcessPoolExecutor, wait: float = 5.0) -> None:
    """Wait (up to ``wait`` seconds) for a broken pool's own thread to have stopped and reaped
    its workers. The pool fails its futures first and reaps after: a reap of ours at the same
    time races the pool's for each exit status, and the loser reads none (one run in twenty on a
    loaded machine told an out-of-memory kill as the pool's SIGTERM, or as no cause at all)."""
    thread = getattr(pool, "_executor_manager_thread", None)
    if thread is not None and thread is not threading.current_thread():
        thread.join(wait)


def _how_it_died(processes: list[Any]) -> str:
    """``died`` with its cause: killed by which signal, or its exit code."""
    deadline = time.monotonic() + 1.0
    codes = []
    for proc in processes:
        with contextlib.suppress(Exception):
            proc.join(max(0.0, deadline - time.monotonic()))
        code = getattr(proc, "exitcode", None)
        if code not in (None, 0):
            codes.append(code)
    if not codes:
        return "died"
    # When one worker dies, the pool stops the others with SIGTERM: their codes say nothing of
    # the death that broke it (a run whose worker the out-of-memory killer ended with SIGKILL was
    # reported as "killed by SIGTERM"). A SIGKILL is named first, then any other cause.
    kill, term = -int(getattr(signal, "SIGKILL", 9)), -int(signal.SIGTERM)
    code = kill if kill in codes else next((c for c in codes if c != term), codes[0])
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = (
            " (the system's out-of-memory killer sends it when memory runs out; a user or another program can too)"
            if name == "SIGKILL"
            else ""
        )
        return f"was killed by {name}{hint}"
    return f"died with exit code {code}"


def _kill(processes: list[Any], wait: float = 10.0) -> None:
    """SIGKILL the processes and reap them, waiting up to ``wait`` seconds in all (a killed
    process can be reaped only once the kernel has torn it down, which takes longer on a loaded
    machine: with one second each, a closed pool's worker was once seen alive)."""
    for proc in processes:
        with contextlib.suppress(Exception):
            if proc.is_alive():
                proc.kill()
    deadline = time.monotonic() + wait
    for proc in processes:
        with contextlib.suppress(Exception):
            proc.join(max(0.0, deadline - time.monotonic()))


def _prepend(head: list, tail: Iterator) -> Generator[Any, None, None]:
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


#: The signals that stop a run.
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold the signals that stop a run while the block runs: they act when it ends. Blocked
    in the main thread (a child forked meanwhile starts with them blocked, and unblocks them
    once it has its own handlers), and a stop that reaches the process through another thread
    is held by :func:`~netanalysis.errors.stops_held`."""
    with stops_held():
        if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
            yield
            return
        old = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            yield
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)


class _Shipped:
    """The path of a file that holds the work (:func:`~netanalysis.parallel_fresh.write_work`),
    as the initialiser of a fresh worker gets it."""

    def __init__(self, path: str):
        self.path = path


def _init_worker(work: Callable[[Any], Any] | _Shipped, parent: int | None = None) -> None:
    """Set up a worker: its work, its signals, its death with the process that started it
    (``parent``; that of a fresh worker is the fork server, which ends with the run)."""
    global _WORKER
    # Ctrl-C goes to the whole process group: the run stops the workers, which ignore it; the
    # signal handlers of the command line (inherited through fork) are not theirs. The signals
    # were held while the worker was forked: they are let through once it has its own handlers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    if isinstance(work, _Shipped):
        die_with_parent(os.getppid())
        from netanalysis.parallel_fresh import read_work

        _WORKER = read_work(work.path)
        return
    if parent is not None:
        die_with_parent(parent)
    _WORKER = work


def die_with_parent(parent: int) -> None:
    """End this process when the process ``parent`` (which started it) ends, however it ends."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
            if os.getppid() != parent:  # (it ended before the line above)
                os._exit(1)
            return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="netanalysis-parent-watch", daemon=True).start()


def _run_in_worker(chunk: Any) -> Any:
    assert _WORKER is not None, "worker not initialised"
    return _WORKER(chunk)


#: The largest peak resident size (``ru_maxrss``) a fresh worker has told with a result.
_fresh_peak = 0


def _run_fresh(chunk: Any) -> tuple[Any, int]:
    """The result, and this worker's peak resident size so far: a fresh worker is the fork
    server's child, not this process's, so its end is not counted in this process's
    ``RUSAGE_CHILDREN``."""
    result = _run_in_worker(chunk)
    try:
        import resource
    except ImportError:  # (not on this system)
        return result, 0
    return result, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def workers_peak() -> int:
    """The largest peak resident size (``ru_maxrss``'s unit) of the worker processes this
    process has started that have ended, or of the fresh ones, as they told with their results."""
    try:
        import resource
    except ImportError:  # (not on this system)
        return _fresh_peak
    return max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, _fresh_peak)
