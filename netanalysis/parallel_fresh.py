"""Worker processes started from a fresh interpreter, for :func:`netanalysis.parallel.map_ordered`
and :func:`~netanalysis.parallel.start_ordered` with ``fresh=True``.

A worker forked from the run's process holds every page of it: its resident size starts at the
run's (some 440 MB at a million benchmark posts by the time windows' stage), whatever the work
reads. A *fresh* worker is forked instead from a small server process (:mod:`multiprocessing`'s
``forkserver``; ``spawn`` where there is none) that holds only the interpreter and the modules of
the first work it was started for (``netanalysis.analysis.over_time`` and what it imports: some
140 MB), and it gets the work, arrays and all, from a file:

- this process pickles the work with protocol 5, its large buffers (NumPy's arrays) out of band
  (:pep:`574`), and writes the pickle and then each buffer to a temporary file, straight from
  the arrays' memory (no copy of them is made here);
- each worker reads the file once when it starts, each buffer into memory of its own (aligned
  as NumPy aligns), and unpickles the work over them;
- the file is removed when the workers are done (or the run stops); a run killed by ``SIGKILL``
  leaves it in the temporary folder (``$TMPDIR``, ``netanalysis-work-*``).

The work must be picklable and should hold only what it reads (as
:class:`netanalysis.analysis.window_source.BatchSource` does). Arrow's allocator setting travels
with it (:func:`netanalysis.memory.settings`); glibc's thresholds do not. As with Python's
``spawn`` and ``forkserver``, each worker imports the calling script's main module first (a
script that starts fresh workers runs its work under ``if __name__ == "__main__":``). The server
lives until :func:`stop_fresh_server` or the end of this process.

The server ends once every process holding its "alive" pipe has closed it, and
:func:`stop_fresh_server` waits for that. A child forked from this process (a forked pool's
worker, the report's figure worker) would inherit the pipe and keep the server alive: if it
outlived the stop, the stop would wait for it, and for good if it waited for this process (a
report run in a process whose earlier call had left a server running hung in the timeline
stage's stop). So a forked child closes its copy of the pipe and forgets the server
(:func:`_forget_server_in_child`).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import struct
import sys
import tempfile
from typing import Any

from netanalysis import memory

__all__ = [
    "fresh_context",
    "start_fresh_server",
    "stop_fresh_server",
    "open_pool",
    "close_pool",
    "write_work",
    "read_work",
]

#: Each buffer is read into memory starting at a multiple of this many bytes (as NumPy aligns).
_ALIGN = 64
_HEADER = struct.Struct("<QQ")  # the pickle's length, the number of buffers
_SIZE = struct.Struct("<Q")


def fresh_context(preload: str) -> Any:
    """The start method for fresh workers, its server started: ``forkserver`` (the server
    imports ``preload``, a module name, when it starts: a server already running keeps the
    modules it started with), or ``spawn`` where there is no fork server."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        from multiprocessing import forkserver

        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([preload])
        # (started here, not while a pool's first submission holds the stop signals, which the
        # server would keep blocked for its life)
        forkserver.ensure_running()
        return context
    return multiprocessing.get_context("spawn")


def start_fresh_server(preload: str) -> None:
    """Start now, without waiting for it, the server that fresh workers are forked from (see
    :func:`netanalysis.parallel.map_ordered`), importing the module ``preload``: its start-up
    (some 0.7 s of a core) then overlaps what this process does before it asks for them.
    Nothing more is done if it runs already."""
    fresh_context(preload)


def stop_fresh_server() -> None:
    """Stop the server fresh workers are forked from, if one runs, and wait for it to end (some
    10 ms): the run's process stops it once the stage that used it is done, so that it holds no
    memory after and does not outlive the run (it ends on its own only once every process
    holding its pipe has ended). A later fresh pool starts it again.

    While a fresh pool is still open (the report's figure worker, drawing while the time stage
    that asks for the stop is done with its own workers), the stop waits for it: the last open
    pool to end stops the server (:func:`close_pool`). Stopping it at once would end the pool's
    workers with it (they die with their parent, the server) and break the pool."""
    global _stop_asked
    if _open_pools:
        _stop_asked = True
        return
    _stop_server()


#: Fresh pools open now (:func:`open_pool`, :func:`close_pool`), and whether a stop waits for them to end.
_open_pools = 0
_stop_asked = False


def open_pool(work: Any) -> tuple[Any, str]:
    """A pool of fresh workers for ``work`` starts: the start method (:func:`fresh_context`, the
    server started) and the work's file (:func:`write_work`), which the caller gives the workers
    instead of the work; :func:`stop_fresh_server` waits for the pool's end (:func:`close_pool`)."""
    global _open_pools
    path = write_work(work)
    try:
        context = fresh_context(type(work).__module__)
    except BaseException:
        os.unlink(path)
        raise
    _open_pools += 1
    return context, path


def close_pool(path: str | None) -> None:
    """A pool from :func:`open_pool` has ended: its file goes, and the last open pool stops the
    server if a stop waits (``None``: a pool of forked workers, nothing to do)."""
    global _open_pools, _stop_asked
    if path is None:
        return
    with contextlib.suppress(OSError):
        os.unlink(path)
    _open_pools -= 1
    if not _open_pools and _stop_asked:
        _stop_asked = False
        _stop_server()


def _stop_server() -> None:
    forkserver = sys.modules.get("multiprocessing.forkserver")
    stop = getattr(getattr(forkserver, "_forkserver", None), "_stop", None)
    if stop is not None:
        with contextlib.suppress(OSError):
            stop()


def _forget_server_in_child() -> None:
    """In a child just forked from this process: close its copy of the fork server's "alive"
    pipe and forget the server (which is its parent's, not its own; see the module notes)."""
    global _open_pools, _stop_asked
    _open_pools, _stop_asked = 0, False  # (the parent's pools are not this child's)
    forkserver = sys.modules.get("multiprocessing.forkserver")
    server = getattr(forkserver, "_forkserver", None)
    alive = getattr(server, "_forkserver_alive_fd", None)
    if alive is None:
        return
    with contextlib.suppress(OSError):
        os.close(alive)
    server._forkserver_alive_fd = None
    server._forkserver_pid = None
    server._forkserver_address = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_server_in_child)


def write_work(work: Any) -> str:
    """Write ``work`` to a new temporary file (see the module notes) and return its path."""
    buffers: list[pickle.PickleBuffer] = []
    head = pickle.dumps((work, memory.settings()), protocol=5, buffer_callback=buffers.append)
    fd, path = tempfile.mkstemp(prefix="netanalysis-work-", suffix=".pickle")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(_HEADER.pack(len(head), len(buffers)))
            for buffer in buffers:
                out.write(_SIZE.pack(buffer.raw().nbytes))
            out.write(head)
            for buffer in buffers:
                out.write(buffer.raw())
    except BaseException:
        os.unlink(path)
        raise
    return path


def read_work(path: str) -> Any:
    """The work written to ``path`` by :func:`write_work`, this process's memory settings made
    those of the process that wrote it."""
    import numpy as np

    with open(path, "rb") as file:
        length, count = _HEADER.unpack(file.read(_HEADER.size))
        sizes = [_SIZE.unpack(file.read(_SIZE.size))[0] for _ in range(count)]
        head = file.read(length)
        buffers = []
        for size in sizes:
            memory_ = np.empty(size + _ALIGN, dtype=np.uint8)
            start = -memory_.ctypes.data % _ALIGN
            buffer = memory_[start : start + size]
            if file.readinto(buffer) != size:
                raise EOFError(f"{path}: the work's file ends early")
            buffers.append(buffer)
    work, settings = pickle.loads(head, buffers=buffers)
    memory.apply_settings(settings)
    return work
