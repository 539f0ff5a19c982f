"""The stages after the graph run with glibc's mmap threshold held at 128 KiB, and after them it
stays where glibc's moving threshold ends up; a library caller's process is left alone."""

import ctypes
import os
import subprocess
import sys
from pathlib import Path

import pytest

from netanalysis.pipeline import runner
from netanalysis.pipeline.state import Stage

# in a fresh interpreter: map a 1 MiB block and free it (glibc then raises its threshold to 1 MiB
# unless it is held), then ask for 1 MiB inside and after mapped_blocks and print whether each
# block is mapped on its own
_PROBE = """
import ctypes, sys
class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in
                "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()]
libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Info
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
from netanalysis.memory import allow_mapped_blocks, mapped_blocks
if sys.argv[1] == "allowed":
    allow_mapped_blocks()
def mapped():
    before = libc.mallinfo2().hblks
    block = libc.malloc(1 << 20)
    mapped = libc.mallinfo2().hblks - before
    libc.free(block)
    return mapped
libc.free(libc.malloc(1 << 20))
with mapped_blocks():
    inside = mapped()
print(inside, mapped())
"""


def _glibc() -> bool:
    try:
        return hasattr(ctypes.CDLL(None), "mallinfo2")
    except OSError:
        return False


def _mapped(mode: str, **env: str) -> list[int]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("MALLOC_", "GLIBC_TUNABLES"))}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, mode], env={**environ, **env}, capture_output=True, text=True, check=True
    )
    return [int(x) for x in done.stdout.split()]


@pytest.mark.skipif(not _glibc(), reason="glibc's malloc only")
def test_blocks_are_mapped_on_their_own_inside_and_come_from_the_heap_after():
    assert _mapped("allowed") == [1, 0]


@pytest.mark.skipif(not _glibc(), reason="glibc's malloc only")
def test_a_library_caller_or_a_threshold_the_environment_sets_is_left_alone():
    assert _mapped("library") == [0, 0]  # (glibc's own moving threshold: 1 MiB from the heap)
    assert _mapped("allowed", MALLOC_MMAP_THRESHOLD_=str(4 << 20)) == [0, 0]


def test_the_stages_after_the_graph_run_inside_mapped_blocks(monkeypatch, tmp_path):
    entered = []

    class Recorder:
        def __enter__(self):
            entered.append("in")

        def __exit__(self, *exc):
            entered.append("out")

    stages_seen = []
    for stage, fn in list(runner.STAGES.items()):

        def wrapped(state, result, staging, fn=fn, stage=stage):
            stages_seen.append((stage, entered[-1:] == ["in"]))
            return fn(state, result, staging)

        monkeypatch.setitem(runner.STAGES, stage, wrapped)
    monkeypatch.setattr(runner, "mapped_blocks", Recorder)
    sample = Path(__file__).resolve().parents[1] / "examples" / "mfa_channel_sample.txt"
    runner.run("report", [sample], tmp_path / "out")
    inside = {stage for stage, held in stages_seen if held}
    assert inside == {s for s, _ in stages_seen} - {Stage.CORPUS, Stage.GRAPH}
    assert Stage.TIES in inside and Stage.TIMELINE in inside and entered.count("in") == entered.count("out")


# the corpus stage's probe: a 3 MiB block, mapped on its own (1) or not (0), asked for by four
# chunks' work in two workers forked before this process held a 2 MiB threshold, then by this
# process (after the first result) inside mapped_blocks(2 MiB)
_HELD_PROBE = (
    _PROBE.split("libc.free(libc.malloc(1 << 20))")[0]
    + """
from netanalysis.parallel import map_ordered
def probe(size):
    libc.free(libc.malloc(4 << 20))  # (glibc's moving threshold: 4 MiB from the heap from now on)
    before = libc.mallinfo2().hblks
    block = libc.malloc(size)
    mapped = libc.mallinfo2().hblks - before
    libc.free(block)
    return mapped
if __name__ == "__main__":
    import contextlib
    found = []
    with contextlib.ExitStack() as held:
        if sys.argv[2] == "before":
            held.enter_context(mapped_blocks(2 << 20))
        for done, worker in enumerate(map_ordered(probe, [3 << 20] * 4, jobs=2), 1):
            found.append(worker)
            if done == 1:
                if sys.argv[2] == "after":
                    held.enter_context(mapped_blocks(2 << 20))
                found.append(probe(3 << 20))
    print(*found)
"""
)


@pytest.mark.skipif(not _glibc(), reason="glibc's malloc only")
@pytest.mark.parametrize("when, found", [("after", [0, 1, 0, 0, 0]), ("before", [1, 1, 1, 1, 1])])
def test_a_threshold_held_after_the_first_result_leaves_the_workers_alone(tmp_path, when, found):
    # (as the corpus stage holds it: the workers were forked at the first submissions)
    script = tmp_path / "probe.py"
    script.write_text(_HELD_PROBE)
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("MALLOC_", "GLIBC_TUNABLES"))}
    done = subprocess.run(
        [sys.executable, str(script), "allowed", when], env=environ, capture_output=True, text=True, check=True
    )
    assert [int(x) for x in done.stdout.split()] == found


def test_the_corpus_stage_holds_its_threshold_while_it_keeps_batches(monkeypatch, tmp_path):
    from netanalysis.graph import Batch
    from netanalysis.pipeline import corpus

    held: list[int] = []
    events: list[str] = []

    class Recorder:
        def __init__(self, threshold):
            held.append(threshold)

        def __enter__(self):
            events.append("in")

        def __exit__(self, *exc):
            events.append("out")

    joined = Batch.concat

    def concat(batches, entities, **given):
        events.append("join")
        return joined(batches, entities, **given)

    monkeypatch.setattr(corpus, "mapped_blocks", Recorder)
    monkeypatch.setattr(Batch, "concat", staticmethod(concat))
    sample = Path(__file__).resolve().parents[1] / "examples" / "mfa_channel_sample.txt"
    runner.run("timeline", [sample], tmp_path / "kept")
    assert held == [corpus.STREAM_THRESHOLD] and events == ["in", "join", "out"]
    held.clear(), events.clear()
    runner.run("graph", [sample], tmp_path / "streamed")  # (no batch kept: glibc's own threshold)
    assert held == [] and events == []
