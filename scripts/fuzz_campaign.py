"""A fuzz campaign by hand: thousands of mutated inputs through every reader and the command line.

Each input is a seed file of one format (Telegram Desktop JSON and HTML, a whole-account export,
Telethon JSONL and JSON, CSV, TSV, JSON Lines rows, Parquet, copied text) with 1 to 4 random
mutations (``scripts/fuzzkit.py`` lists them). Every input is read with ``read_posts`` and run
through ``netanalysis graph`` in this process (``--cli-every``: every N-th input; a sample of
them also as a separate process, ``--process-every``), and each outcome is classed: ``ok`` (a
result that passes the checks), ``error`` (the project's own error naming the file, or one
``Error:`` line) or ``crash`` (anything else: a traceback, a wrong result, staging left). The
counts per seed and the first crashes are printed; the exit code is 1 if any input crashed.

    nice .venv/bin/python scripts/fuzz_campaign.py --inputs 2000 --seed 0
"""

from __future__ import annotations

import argparse
import collections
import logging
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fuzzkit  # noqa: E402


def process_outcome(path: Path, out: Path) -> tuple[str, str]:
    """The outcome of ``netanalysis graph`` as a separate process (exit code and stderr only)."""
    run = subprocess.run(
        [sys.executable, "-m", "netanalysis", "-q", "graph", str(path), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    lines = [line for line in run.stderr.strip().splitlines() if not line.startswith("WARNING:")]
    if run.returncode == 0:
        try:
            fuzzkit.check_folder(out, "graph")
        except (AssertionError, ValueError, OSError, KeyError) as exc:
            return "crash", f"wrong result: {exc!r}"
        return "ok", ""
    if run.returncode in (1, 2) and lines and lines[-1].startswith("Error: ") and "Traceback" not in run.stderr:
        return "error", lines[-1]
    return "crash", f"exit {run.returncode}: {run.stderr}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inputs", type=int, default=2000, help="mutated inputs  [2000]")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cli-every", type=int, default=1, help="run the command line on every N-th input  [1]")
    parser.add_argument(
        "--process-every", type=int, default=20, help="... and as a process on one in N, at random  [20]"
    )
    parser.add_argument("--show", type=int, default=5, help="crashes shown in full  [5]")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # (the readers warn about what they get over: counted, not shown)
    rng = random.Random(args.seed)
    sample = random.Random(args.seed + 1)  # which inputs also run as a process
    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    crashes: list[str] = []
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="netanalysis-fuzz-") as tmp:
        for number in range(args.inputs):
            name = fuzzkit.NAMES[number % len(fuzzkit.NAMES)]
            plan = fuzzkit.random_plan(rng)
            folder = Path(tmp) / f"in{number}"
            folder.mkdir()
            path = fuzzkit.write_input(folder, name, plan)
            checks = [("read_posts", lambda: fuzzkit.read_outcome(path))]
            if number % args.cli_every == 0:
                checks.append(("cli graph", lambda: fuzzkit.cli_outcome(path, folder / "out")))
            if (
                args.process_every and sample.randrange(args.process_every) == 0
            ):  # (at random: every format gets its share)
                checks.append(("process graph", lambda: process_outcome(path, folder / "out-process")))
            for where, check in checks:
                outcome, detail = check()
                counts[where][outcome] += 1
                counts[f"{where} / {name}"][outcome] += 1
                if outcome == "crash":
                    crashes.append(f"#{number} {where}: {fuzzkit.describe(name, plan)}\n{detail}")
            if (number + 1) % 100 == 0:
                print(f"{number + 1} inputs, {time.monotonic() - began:.0f} s, {len(crashes)} crash(es)", flush=True)
            for leftover in sorted(folder.rglob("*"), reverse=True):  # (keep the disk free)
                leftover.unlink() if leftover.is_file() else leftover.rmdir()
            folder.rmdir()
    print(f"\n{args.inputs} mutated inputs (seed {args.seed}) in {time.monotonic() - began:.0f} s")
    print(f"{'where':<40} {'ok':>6} {'error':>6} {'crash':>6}")
    for where in sorted(counts, key=lambda w: (" / " in w, w)):
        c = counts[where]
        print(f"{where:<40} {c['ok']:>6} {c['error']:>6} {c['crash']:>6}")
    for crash in crashes[: args.show]:
        print("\n--- " + crash)
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
