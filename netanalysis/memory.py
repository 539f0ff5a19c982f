"""The process's memory: handing freed heap back to the system, and Arrow's allocator.

glibc keeps memory freed by arrays under its mmap threshold (a chunk's temporaries) in its heap
for reuse, so a process's resident size stays at its highest until it is trimmed;
:func:`release_memory` trims it between the stages of a run and after the largest allocations
of a stage (the whole corpus's coding for its intervals), so that what follows starts from what
the kept data need.

That threshold also moves: each time a block mapped on its own is freed, glibc raises the
threshold to the block's size (up to 32 MiB, and its trim threshold to twice that), so that from
then on blocks of up to that size come from the heap, where freed ones stay resident between
the blocks still in use. The stages after the corpus's graph run inside :func:`mapped_blocks`,
which holds the threshold at its starting 128 KiB: every larger array is mapped and unmapped on
its own there (see ``mallopt(3)``, ``M_MMAP_THRESHOLD``), which costs system time (fresh pages
for every such array) and saves resident memory. A run that keeps the corpus's batches holds it
at 1 MiB in its own process while they stream (:mod:`netanalysis.pipeline.corpus`).
"""

from __future__ import annotations

import ctypes
import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = [
    "release_memory",
    "use_system_allocator",
    "allow_mapped_blocks",
    "mapped_blocks",
    "settings",
    "apply_settings",
    "MMAP_THRESHOLD",
]

#: Bytes from which glibc maps an allocation on its own inside :func:`mapped_blocks` (its
#: starting value); after it, glibc's own ceiling for the moving threshold and the trim
#: threshold it goes with.
MMAP_THRESHOLD = 128 * 1024
_HEAP_THRESHOLD, _HEAP_TRIM = 32 << 20, 64 << 20
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt's parameter numbers (malloc.h)
_allowed = False
_system_allocator = False


def release_memory(collect: bool = True) -> None:
    """Hand the memory freed by the streamed chunks back to the system (glibc keeps freed heap
    otherwise), so that later steps start from what the kept data really need."""
    if collect:
        gc.collect()
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def use_system_allocator() -> None:
    """Arrow's own allocator keeps freed memory for reuse; on a long corpus that inflates the
    peak by hundreds of MB. The system allocator hands it back. (Set when a command runs, not
    at start-up: ``netanalysis --help`` does not load pyarrow.)"""
    global _system_allocator
    if "ARROW_DEFAULT_MEMORY_POOL" not in os.environ:
        import pyarrow

        pyarrow.set_memory_pool(pyarrow.system_memory_pool())
        _system_allocator = True


def allow_mapped_blocks() -> None:
    """Let :func:`mapped_blocks` set glibc's thresholds in this process (the command line does;
    a program using the library keeps its own), unless the environment sets them
    (``MALLOC_MMAP_THRESHOLD_`` or a ``glibc.malloc`` tunable)."""
    global _allowed
    _allowed = "MALLOC_MMAP_THRESHOLD_" not in os.environ and "glibc.malloc" not in os.environ.get("GLIBC_TUNABLES", "")


@contextmanager
def mapped_blocks(threshold: int = MMAP_THRESHOLD) -> Iterator[None]:
    """Within: glibc's mmap threshold held at ``threshold`` (workers forked inside keep it);
    after: held at 32 MiB with a 64 MiB trim threshold, where glibc's moving threshold ends up.
    No-op unless :func:`allow_mapped_blocks` was called, or where the C library is not glibc.

    On a million benchmark posts, ``report``'s stages from ``ties`` on run inside it: its peak
    was 846 MB against 951 MB, and it took 271.7 s against 244.2 s (72.1 s of system time against
    32.6 s; one run each). Holding the threshold for the whole run peaked at 833 MB but made the
    corpus stage slower too; holding it for the timeline stage alone peaked at 936 MB.
    """
    mallopt = _mallopt() if _allowed else None
    if mallopt is None:
        yield
        return
    mallopt(_M_MMAP_THRESHOLD, threshold)
    try:
        yield
    finally:
        mallopt(_M_MMAP_THRESHOLD, _HEAP_THRESHOLD)
        mallopt(_M_TRIM_THRESHOLD, _HEAP_TRIM)


def settings() -> dict[str, Any]:
    """What of this module's settings a worker that was not forked from this process takes
    (:mod:`netanalysis.parallel_fresh`): Arrow's allocator. Not glibc's thresholds: such a
    worker's peak is its own work's, and with the threshold held at 128 KiB the time windows'
    jobs took more CPU there (fresh pages for every array above it: one 200,000-post report,
    per job, bootstrap 1.20, 1.18, 0.74 s against 0.86, 0.95, 0.50 s, tests 8.45, 9.12 s against
    6.96, 7.36 s)."""
    return {"system_allocator": _system_allocator}


def apply_settings(given: dict[str, Any]) -> None:
    """Set in this process what :func:`settings` gave in another."""
    if given.get("system_allocator"):
        use_system_allocator()


def _mallopt() -> Any:
    try:
        return ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc: nothing to do
        return None
