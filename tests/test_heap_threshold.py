"""A run keeps glibc's mmap threshold fixed: a freed block mapped on its own must not move it up."""

import ctypes
import os
import subprocess
import sys

import pytest

# in a fresh interpreter: map a 1 MiB block and free it (glibc then raises its threshold to 1 MiB
# unless it is fixed), then ask for 1 MiB again and print whether that block is mapped on its own
_PROBE = """
import ctypes, sys
class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in
                "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()]
libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Info
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
if sys.argv[1] == "fixed":
    from netanalysis.memory import fixed_mmap_threshold
    fixed_mmap_threshold()
libc.free(libc.malloc(1 << 20))
before = libc.mallinfo2().hblks
block = libc.malloc(1 << 20)
print(libc.mallinfo2().hblks - before)
"""


def _glibc() -> bool:
    try:
        return hasattr(ctypes.CDLL(None), "mallinfo2")
    except OSError:
        return False


def _mapped(mode: str, **env: str) -> int:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("MALLOC_", "GLIBC_TUNABLES"))}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, mode], env={**environ, **env}, capture_output=True, text=True, check=True
    )
    return int(done.stdout)


@pytest.mark.skipif(not _glibc(), reason="glibc's malloc only")
def test_a_freed_mapped_block_does_not_move_the_threshold_once_fixed():
    assert _mapped("moving") == 0  # (glibc's own behaviour: the next 1 MiB comes from the heap)
    assert _mapped("fixed") == 1


@pytest.mark.skipif(not _glibc(), reason="glibc's malloc only")
def test_a_threshold_the_environment_sets_is_left_alone():
    assert _mapped("fixed", MALLOC_MMAP_THRESHOLD_=str(4 << 20)) == 0
