"""The Dask engine of :func:`netanalysis.parallel.map_ordered`: the work on a ``dask.distributed``
cluster, the one at a scheduler's address or a local one, results in input order.

The callable is scattered to every worker once; a few chunks per worker are in flight (as with
the local processes); a cluster without workers, or whose workers run another netanalysis
version (their mentions could differ), is refused; dask's own logging is kept quiet unless
``-vv``. Imported only when the engine is asked for: ``import netanalysis`` loads no Dask.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from typing import Any

from netanalysis.errors import ConfigError, NetanalysisError, WorkerError
from netanalysis.parallel import _bounded

__all__ = ["dask_map"]

log = logging.getLogger("netanalysis.parallel")

#: How long to wait for a Dask scheduler given by address before giving up.
_CONNECT_TIMEOUT = "10s"
#: Loggers of dask.distributed quietened while a cluster runs (they log every worker's start and
#: stop at INFO and harmless shutdown races at WARNING); errors still show, and ``-vv`` shows all.
_DASK_LOGGERS = ("distributed", "distributed.client", "distributed.gc")


def _run_remote(work: Callable[[Any], Any], chunk: Any) -> Any:
    return work(chunk)


def dask_map(
    work: Callable[[Any], Any],
    chunks: Iterator,
    workers: int,
    scheduler: str | None,
    timeout: str | None = None,
    wait: float | None = None,
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
                lambda future: _dask_result(future, wait),
            )
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


def _dask_result(future: Any, wait: float | None) -> Any:
    try:
        return future.result(timeout=wait or None)
    except TimeoutError:
        raise WorkerError(
            f"a Dask worker gave no result for {wait:g} s (a longer limit: --worker-timeout SECONDS, 0 for none)"
        ) from None


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
