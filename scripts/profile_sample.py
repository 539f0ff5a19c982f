#!/usr/bin/env python
"""Where the time of ``netanalysis report`` on the 12-post sample goes: the accounting behind the
README's "The sample report" section (the speed issue's target: under 2 s, all three figure
formats).

Part 1 runs the report in one process (``--jobs 1``, ``-vv``) and times each piece from its
messages as they arrive: the start-up (interpreter and imports, up to the first stage), each
stage, and each figure's build and each of its formats (the figure stage's debug messages).

Part 2 measures, medians of ``--repeat`` runs: the report as a user runs it (``--jobs`` workers:
wall and CPU of the process and its workers), and the ``graph`` and ``timeline`` commands on the
same posts (the report without its figures, explorer and page, and less). On ``c`` cores a run
cannot take less than its CPU divided by ``c``; the report's own process must also go through
every stage before its page is written.

The package is compiled to bytecode first, as an installed copy is (see ``bench.py``).

Usage::

    python scripts/profile_sample.py [--repeat 5] [--jobs 2]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from bench import compile_package, measure_isolated  # noqa: E402
from bench_corpus import SAMPLE  # noqa: E402

FORMATS = ("png", "svg", "pdf")
_STAGE = re.compile(r"INFO: stage (\w+)$")
_BUILT = re.compile(r"DEBUG: built figure (\w+) in ([\d.]+) s")
_WROTE = re.compile(r"DEBUG: wrote .*/figures/(\w+)\.(\w+) in ([\d.]+) s")


def timed_run(command: list[str]) -> list[tuple[float, str]]:
    """``command``'s messages (stderr lines), each with the seconds since it started."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    began = time.perf_counter()
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env)
    assert proc.stderr is not None
    lines = [(time.perf_counter() - began, line.rstrip("\n")) for line in proc.stderr]
    lines.append((time.perf_counter() - began, "(end)"))
    if proc.wait() != 0:
        sys.exit(f"failed: {' '.join(command)}\n" + "\n".join(text for _, text in lines[-20:]))
    return lines


def accounting(lines: list[tuple[float, str]]) -> tuple[list[tuple[str, float]], dict[str, dict[str, float]]]:
    """The pieces of a ``-vv --jobs 1`` run: ``[(piece, seconds)]`` in order (the start-up, then
    each stage: the last one until the process ended), and each figure's seconds by step
    (``build`` and formats; the figure stage's other seconds import matplotlib and its writers)."""
    pieces, figures = [], defaultdict(dict)
    last_name, last_at = "start-up (interpreter, imports)", 0.0
    for at, text in lines:
        stage = _STAGE.search(text)
        if stage or text == "(end)":
            pieces.append((last_name, at - last_at))
            last_name, last_at = f"stage {stage.group(1) if stage else ''}", at
        if built := _BUILT.search(text):
            figures[built.group(1)]["build"] = float(built.group(2))
        if wrote := _WROTE.search(text):
            figures[wrote.group(1)][wrote.group(2)] = float(wrote.group(3))
    return pieces, dict(figures)


def measured(command: list[str], repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds (the command and its workers) over ``repeat`` runs, each
    measured as ``bench.py`` measures its rows (:func:`bench.measure_isolated`)."""
    runs = [measure_isolated(command) for _ in range(repeat)]
    return statistics.median(r.seconds for r in runs), statistics.median(r.cpu for r in runs)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5, help="runs of each command in part 2 (medians)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="workers of the report in part 2")
    args = ap.parse_args(argv)
    compile_package(ROOT)
    exe = [sys.executable, "-m", "netanalysis"]
    with tempfile.TemporaryDirectory(prefix="netanalysis-sample-") as work:
        out = Path(work)
        pieces, figures = accounting(
            timed_run(exe + ["-vv", "report", str(SAMPLE), "-o", str(out / "one"), "--jobs", "1"])
        )
        print("# the sample report in one process (--jobs 1), seconds")
        print("| piece | s |\n|---|---|")
        for name, seconds in pieces:
            print(f"| {name} | {seconds:.3f} |")
        print(f"| **all** | {sum(s for _, s in pieces):.3f} |\n")
        print("| figure | build | " + " | ".join(FORMATS) + " | all |\n|---|---|" + "---|" * (len(FORMATS) + 1))
        totals: dict[str, float] = defaultdict(float)
        for stem, steps in sorted(figures.items()):
            cells = [steps.get(step, 0.0) for step in ("build", *FORMATS)]
            for step, value in zip(("build", *FORMATS), cells):
                totals[step] += value
            print(f"| {stem} | " + " | ".join(f"{c:.3f}" for c in cells) + f" | {sum(cells):.3f} |")
        cells = [totals[step] for step in ("build", *FORMATS)]
        print("| **all** | " + " | ".join(f"{c:.3f}" for c in cells) + f" | {sum(cells):.3f} |\n")

        print(f"# medians of {args.repeat} runs; {os.cpu_count()} cores")
        print("| command | wall s | CPU s | CPU / cores |\n|---|---|---|---|")
        cores = os.cpu_count() or 1
        for name, extra in (
            (f"report --jobs {args.jobs}", ["report", "--jobs", str(args.jobs)]),
            ("timeline", ["timeline"]),
            ("graph", ["graph"]),
        ):
            command = exe + ["-q", extra[0], str(SAMPLE), "-o", str(out / extra[0])] + extra[1:]
            wall, cpu = measured(command, args.repeat)
            print(f"| {name} | {wall:.2f} | {cpu:.2f} | {cpu / cores:.2f} |")


if __name__ == "__main__":
    main()
