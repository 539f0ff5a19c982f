#!/usr/bin/env python
"""What the run's own process holds at the end of the corpus stage of a run that keeps its
corpus: the kept corpus's columns in bytes a post, glibc's heap, and the process's resident
size at the join and after it (the numbers behind the README's memory sections).

Runs ``timeline``'s corpus stage on a JSON Lines corpus (as ``scripts/bench_corpus.py`` writes
it) with the command line's memory settings (Arrow on the system allocator, glibc's thresholds
held as the command line holds them), then stops before the graph stage. Linux with glibc only
(``/proc/self/status``, ``mallinfo2``). One run; run it on two checkouts to compare them::

    python scripts/memory_corpus.py corpus_1000000.jsonl --jobs 2
    PYTHONPATH=../before python scripts/memory_corpus.py corpus_1000000.jsonl --jobs 2
"""

from __future__ import annotations

import argparse
import ctypes
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from netanalysis.config import Settings  # noqa: E402
from netanalysis.graph import coding  # noqa: E402
from netanalysis.memory import allow_mapped_blocks, use_system_allocator  # noqa: E402
from netanalysis.pipeline import runner  # noqa: E402
from netanalysis.pipeline.state import Stage  # noqa: E402


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks")
        + ("keepcost",)
    ]


def heap() -> str:
    """glibc's heap: its size, what is in use and free in it, and the blocks mapped on their own."""
    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = _MallInfo2
    m = libc.mallinfo2()
    mib = 1 << 20
    return (
        f"heap {m.arena / mib:.1f} MiB ({m.uordblks / mib:.1f} in use, {m.fordblks / mib:.1f} free), "
        f"mapped blocks {m.hblkhd / mib:.1f} MiB"
    )


def status() -> str:
    """The process's peak and current resident size (``VmHWM``, ``VmRSS``), in kB."""
    wanted = ("VmHWM", "VmRSS", "RssAnon")
    with open("/proc/self/status", encoding="ascii") as fh:
        found = {line.split(":")[0]: line.split()[1] for line in fh if line.startswith(wanted)}
    return ", ".join(f"{key} {int(found[key]):,} kB" for key in wanted if key in found)


class _Stop(Exception):
    pass


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path, help="a JSON Lines corpus")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    use_system_allocator()  # (as the command line runs)
    allow_mapped_blocks()
    concat = coding.Batch.concat.__func__  # type: ignore[attr-defined]

    def watched(cls, batches, entities, **given):
        print(f"at the join: {status()}; {heap()}", flush=True)
        return concat(cls, batches, entities, **given)

    def stop(state, result, staging) -> None:
        corpus = state.corpus
        n = max(len(corpus), 1)
        print(f"posts {len(corpus):,}, links {corpus.n_links:,}")
        sizes = {
            "link starts": corpus.start.nbytes,
            "link entities": corpus.entity.nbytes,
            "post ids": corpus.post_ids.nbytes,
            "dates": corpus.dates.nbytes,
            **{f"column {name}": values.nbytes for name, values in corpus.columns.items()},
        }
        if corpus.unit is not None:
            sizes["link units"] = corpus.unit.nbytes
        for name, size in sizes.items():
            print(f"  kept corpus, {name:22} {size / n:6.1f} B a post")
        total = sum(sizes.values())
        print(f"  kept corpus, {'all':22} {total / n:6.1f} B a post ({total / 2**20:.1f} MiB)")
        print(f"after the corpus stage: {status()}; {heap()}")
        raise _Stop

    coding.Batch.concat = classmethod(watched)  # type: ignore[method-assign, assignment]
    runner.STAGES[Stage.GRAPH] = stop
    with tempfile.TemporaryDirectory(prefix="netanalysis-memory-") as out:
        try:
            runner.run("timeline", [args.corpus], Path(out) / "run", Settings(jobs=args.jobs))
        except _Stop:
            pass


if __name__ == "__main__":
    main()
