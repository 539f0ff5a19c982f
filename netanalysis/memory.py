"""The process's memory: handing freed heap back to the system, and Arrow's allocator.

glibc keeps memory freed by arrays under its mmap threshold (a chunk's temporaries) in its heap
for reuse, so a process's resident size stays at its highest until it is trimmed;
:func:`release_memory` trims it between the stages of a run and after the largest allocations
of a stage (the whole corpus's coding for its intervals), so that what follows starts from what
the kept data need.

That threshold also moves: each time a block mapped on its own is freed, glibc raises the
threshold to the block's size (up to 32 MiB), so that from then on blocks of up to that size
come from the heap, where freed ones stay resident between the blocks still in use.
:func:`fixed_mmap_threshold` keeps it where it starts (128 KiB) for a run: every larger array is
mapped and unmapped on its own (see ``mallopt(3)``, ``M_MMAP_THRESHOLD``).
"""

from __future__ import annotations

import ctypes
import gc
import os

__all__ = ["release_memory", "use_system_allocator", "fixed_mmap_threshold", "MMAP_THRESHOLD"]

#: Bytes from which glibc maps an allocation on its own (its starting value, kept fixed).
MMAP_THRESHOLD = 128 * 1024
_M_MMAP_THRESHOLD = -3  # mallopt's parameter number (malloc.h)


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
    if "ARROW_DEFAULT_MEMORY_POOL" not in os.environ:
        import pyarrow

        pyarrow.set_memory_pool(pyarrow.system_memory_pool())


def fixed_mmap_threshold() -> None:
    """Keep glibc's mmap threshold at :data:`MMAP_THRESHOLD` for the rest of the process and the
    workers it forks (see the module notes), unless the environment sets it
    (``MALLOC_MMAP_THRESHOLD_`` or a ``glibc.malloc`` tunable); no-op where the C library is not
    glibc.

    On 200,000 benchmark posts, reading back the explorer's rows of ``posts.csv`` and
    ``mentions.csv`` a 1 MiB block at a time peaked 179 and 272 MB above where it started with
    the moving threshold, 69 and 63 MB with this one (alone, one run each).
    """
    if "MALLOC_MMAP_THRESHOLD_" in os.environ or "glibc.malloc" in os.environ.get("GLIBC_TUNABLES", ""):
        return
    try:
        ctypes.CDLL(None).mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass
