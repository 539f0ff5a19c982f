"""The process's memory: handing freed heap back to the system, and Arrow's allocator.

glibc keeps memory freed by arrays under its mmap threshold (a chunk's temporaries) in its heap
for reuse, so a process's resident size stays at its highest until it is trimmed;
:func:`release_memory` trims it between the stages of a run and after the largest allocations
of a stage (the whole corpus's coding for its intervals), so that what follows starts from what
the kept data need.
"""

from __future__ import annotations

import ctypes
import gc
import os

__all__ = ["release_memory", "use_system_allocator"]


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
