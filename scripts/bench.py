"""Benchmark: the whole performance table in one run, written as CSV and as a Markdown table.

Generates a seeded synthetic corpus of N posts in JSONL from the sample's sentences (with random
flag runs, pair tags and forum tags; :mod:`bench_corpus`), then measures each row in a fresh
process (wall seconds, CPU seconds of the process and its workers, peak RSS of the largest one):

- ``read``:     reading the JSONL and ``json.loads`` of every line (the floor for any tool);
- ``parse``:    ``netanalysis parse``    (posts.csv + mentions.csv);
- ``graph``:    ``netanalysis graph``    (+ the tested graph, centralities, GEXF/GraphML);
- ``timeline``: ``netanalysis timeline`` (+ monthly windows, timeline.csv, changes.csv);
- ``report``:   ``netanalysis report``   (everything);
- ``ceiling_decode``, ``ceiling_match``: the ceiling of a vectorised extraction in compiled code
  (polars, the ``bench`` extra; :data:`bench_corpus.CEILING_SCRIPT`), on the first
  ``--ceiling-posts`` posts of the same corpus with ``--jobs`` threads: decoding alone, then
  decoding, lower-casing, one Aho-Corasick pass for every text alias the extractor matches and
  the hashtag and flag patterns (no word boundaries, rules or output);
- ``plain``:    a plain pandas + regex + loop-over-country-names script, written the way a
  researcher would, on the same corpus (on a slice of it when N is large: its rate is per post);
- ``help``:     ``netanalysis --help`` (start-up);
- ``sample``:   ``netanalysis report`` on the 12-post sample, PNG, SVG and PDF figures;
- ``sample_png``: the same with PNG figures only.

Before timing, the measured package (and the one of ``--compare-with``) is compiled to bytecode,
as an installed package is: with ``PYTHONDONTWRITEBYTECODE`` set (some machines set it), an
editable checkout would otherwise be compiled again in every run (the sample row took 5.16 s
without and 4.28 s with the bytecode, medians of 5 in two runs of this script).

The corpus rows are run ``--repeat`` times, the start-up and sample rows ``--sample-repeat``
times (medians). Each row carries its target (the speed issue's "done when" ceilings) and
whether this run met it; ``graph / read``, ``graph / plain`` and ``graph / ceiling_match`` rows
give the ratios (the last: how far today's engine is from that ceiling, measured in the same run).

``--compare-with DIR`` measures every ``netanalysis`` row a second time with another checkout of
the package (``DIR`` put first on ``PYTHONPATH``, the same interpreter and dependencies), the
two versions taking turns run by run, and adds ``before`` columns, the ratio of the medians and
whether the two versions wrote the same files: byte for byte, except ``manifest.json``'s ``run``
(start time and duration) and the version in ``report.html``'s header.

Usage::

    python scripts/bench.py --posts 1000000 --jobs 2 --repeat 3
    python scripts/bench.py --posts 20000 --commands sample,help --compare-with ../before
"""

from __future__ import annotations

import argparse
import compileall
import csv
import filecmp
import importlib.util
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_corpus import (  # noqa: E402
    CEILING_SCRIPT,
    FLAGS,
    PLAIN_SCRIPT,
    READ_SCRIPT,
    SAMPLE,
    alias_keys,
    flag,
    generate,
    sample_sentences,
)

__all__ = ["FLAGS", "flag", "generate", "sample_sentences", "main"]

ROOT = Path(__file__).resolve().parents[1]
ALL = "read,ceiling_decode,ceiling_match,parse,graph,timeline,report,plain,help,sample,sample_png"
CEILING = ("ceiling_decode", "ceiling_match")
#: The speed issue's ceilings, beside each row (a posts/s or peak target holds at 1M posts).
TARGETS = {
    "graph": "≥ 60,000 posts/s at 1M posts",
    "report": "peak < 500 MB at 1M posts (< 1 GB at 10M)",
    "help": "< 0.3 s",
    "sample": "< 2 s (median of 5)",
    "graph / read": "≥ 0.4",
    "graph / plain": "≥ 30",
    "graph / ceiling_match": "",
}
COLUMNS = [
    "row",
    "posts",
    "runs",
    "median_s",
    "cpu_s",
    "posts_per_s",
    "peak_rss_mb",
    "ratio",
    "target",
    "met",
    "before_median_s",
    "before_cpu_s",
    "before_peak_rss_mb",
    "after_over_before",
    "same_files",
]


@dataclass
class Run:
    seconds: float
    cpu: float
    peak_mb: float


def measure_isolated(cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> Run:
    """Wall seconds, CPU seconds and peak RSS (MB) of a command and its children, run under a
    wrapper process so that the numbers are this command's alone. (Run from ``cwd``: ``python -m``
    puts the current folder first on the path, which must not hold a ``netanalysis`` package when
    another checkout is compared.)"""
    wrapper = [
        sys.executable,
        "-c",
        "import resource,subprocess,sys,time;t=time.perf_counter();"
        "r=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.PIPE);"
        "e=time.perf_counter()-t;u=resource.getrusage(resource.RUSAGE_CHILDREN);"
        "sys.stderr.write(r.stderr.decode(errors='replace')[-2000:]) if r.returncode else None;"
        "print(e, u.ru_utime+u.ru_stime, u.ru_maxrss);sys.exit(r.returncode)",
    ] + cmd
    proc = subprocess.run(wrapper, capture_output=True, text=True, env=env, cwd=cwd)
    if proc.returncode != 0:
        sys.exit(f"benchmark command failed: {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    elapsed, cpu, peak_kb = proc.stdout.split()
    return Run(float(elapsed), float(cpu), int(peak_kb) / 1024)


def same_bytes(a: Path, b: Path) -> bool:
    """Whether two files hold the same bytes, but for what differs from run to run or between
    versions by design: ``manifest.json``'s ``run`` and versions, the version in ``report.html``."""
    if a.name in ("manifest.json", "report.html"):
        return comparable(a) == comparable(b)
    return filecmp.cmp(a, b, shallow=False)


def comparable(path: Path) -> bytes:
    data = path.read_bytes()
    if path.name == "manifest.json":
        manifest = json.loads(data)
        manifest.pop("run", None)
        manifest.pop("netanalysis", None)
        manifest.get("versions", {}).pop("netanalysis", None)
        return json.dumps(manifest, sort_keys=True).encode()
    if path.name == "report.html":
        return re.sub(rb"netanalysis \d+\.\d+\.\d+\S*", b"netanalysis VERSION", data)
    return data


def same_files(a: Path, b: Path) -> str:
    """``yes`` when both folders hold the same files with the same bytes (see :func:`same_bytes`),
    else the files that differ."""
    files_a = {p.relative_to(a) for p in a.rglob("*") if p.is_file()}
    files_b = {p.relative_to(b) for p in b.rglob("*") if p.is_file()}
    differ = sorted(str(p) for p in files_a ^ files_b)
    differ += sorted(str(p) for p in files_a & files_b if not same_bytes(a / p, b / p))
    return "yes" if not differ else "no: " + " ".join(differ)


def commands(args: argparse.Namespace, work: Path, corpus: Path) -> dict[str, tuple[list[str], int, Path | None]]:
    """Each row's command line, its number of posts and its output folder."""
    exe = [sys.executable, "-m", "netanalysis.cli"]
    plain = work / "plain.py"
    plain.write_text(PLAIN_SCRIPT, encoding="utf-8")
    reader = work / "read.py"
    reader.write_text(READ_SCRIPT, encoding="utf-8")
    plain_n = min(args.plain_posts, args.posts)
    ceiling_n = min(args.ceiling_posts, args.posts)
    ceiling = work / "ceiling.py"
    ceiling.write_text(CEILING_SCRIPT, encoding="utf-8")
    aliases = work / "aliases.txt"
    aliases.write_text("\n".join(alias_keys()), encoding="utf-8")
    rows: dict[str, tuple[list[str], int, Path | None]] = {
        "read": ([sys.executable, str(reader), str(corpus)], args.posts, None),
        "plain": ([sys.executable, str(plain), str(corpus), str(plain_n), str(work / "edges.csv")], plain_n, None),
        "help": (exe + ["--help"], 0, None),
    }
    for name in CEILING:
        what = name.split("_")[1]
        rows[name] = ([sys.executable, str(ceiling), str(corpus), str(ceiling_n), str(aliases), what], ceiling_n, None)
    for name in ("parse", "graph", "timeline", "report"):
        out = work / name
        rows[name] = (exe + ["-q", name, str(corpus), "-o", str(out), "--jobs", str(args.jobs)], args.posts, out)
    for name, extra in (("sample", []), ("sample_png", ["--format", "png"])):
        out = work / name  # (its posts are read from the manifest)
        rows[name] = (exe + ["-q", "report", str(SAMPLE), "-o", str(out), *extra], 0, out)
    return rows


def met(name: str, row: dict) -> str:
    """Whether the row meets its target in this run (``n/a`` where it needs a bigger corpus)."""
    if name == "help":
        return "yes" if row["median_s"] < 0.3 else "no"
    if name == "sample":
        return "yes" if row["median_s"] < 2 else "no"
    if name in ("graph", "report") and row["posts"] < 1_000_000:
        return "n/a (at 1M posts)"
    if name == "graph":
        return "yes" if row["posts_per_s"] >= 60_000 else "no"
    if name == "report":
        limit = 1024 if row["posts"] >= 10_000_000 else 500
        return "yes" if row["peak_rss_mb"] < limit else "no"
    if name == "graph / read":
        return "yes" if row["ratio"] >= 0.4 else "no"
    if name == "graph / plain":
        return "yes" if row["ratio"] >= 30 else "no"
    return ""


def compile_package(root: Path) -> None:
    """Compile the ``netanalysis`` package under ``root`` to bytecode (``__pycache__``), as
    installing it does: the commands then import it as a user's installed copy, whether or not
    ``PYTHONDONTWRITEBYTECODE`` is set."""
    if not compileall.compile_dir(str(root / "netanalysis"), quiet=1):
        sys.exit(f"benchmark: could not compile {root / 'netanalysis'}")


def measure(args: argparse.Namespace, rows: dict, before: Path | None, work: Path) -> dict[str, dict]:
    results: dict[str, dict] = {}
    compile_package(Path(__file__).resolve().parent.parent)
    if before is not None:
        compile_package(before)
    env_before = None
    if before is not None:
        env_before = {**os.environ, "PYTHONPATH": os.pathsep.join([str(before), os.environ.get("PYTHONPATH", "")])}
    env_threads = {**os.environ, "POLARS_MAX_THREADS": str(args.jobs)}  # (the ceiling's threads: --jobs)
    for name in args.commands.split(","):
        cmd, posts, out = rows[name]
        repeat = args.sample_repeat if name in ("help", "sample", "sample_png") else args.repeat
        compared = before is not None and cmd[1:3] == ["-m", "netanalysis.cli"]
        runs, runs_before = [], []
        for _ in range(repeat):  # the two versions take turns, so that both see the same load
            if compared:
                old = [str(work / f"before_{name}") if out is not None and part == str(out) else part for part in cmd]
                runs_before.append(measure_isolated(old, env_before, cwd=work))
            runs.append(measure_isolated(cmd, env=env_threads if name in CEILING else None, cwd=work))
        secs = statistics.median(r.seconds for r in runs)
        if not posts and out is not None:
            posts = json.loads((out / "manifest.json").read_text())["counts"]["posts"]
        row = {
            "row": name,
            "posts": posts,
            "runs": repeat,
            "median_s": secs,
            "cpu_s": statistics.median(r.cpu for r in runs),
            "posts_per_s": posts / secs if posts else None,
            "peak_rss_mb": max(r.peak_mb for r in runs),
            "target": TARGETS.get(name, ""),
        }
        if compared:
            row["before_median_s"] = statistics.median(r.seconds for r in runs_before)
            row["before_cpu_s"] = statistics.median(r.cpu for r in runs_before)
            row["before_peak_rss_mb"] = max(r.peak_mb for r in runs_before)
            row["after_over_before"] = secs / row["before_median_s"]
            if out is not None:
                row["same_files"] = same_files(work / f"before_{name}", out)
        row["met"] = met(name, row)
        results[name] = row
        print(f"{name}: median {secs:.3f} s over {repeat} runs", file=sys.stderr)
    for name, base in (
        ("graph / read", "read"),
        ("graph / plain", "plain"),
        ("graph / ceiling_match", "ceiling_match"),
    ):
        if "graph" in results and base in results:
            ratio = results["graph"]["posts_per_s"] / results[base]["posts_per_s"]
            results[name] = {"row": name, "ratio": ratio, "target": TARGETS[name]}
            results[name]["met"] = met(name, results[name])
    return results


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.0f}" if value >= 1000 else f"{value:.3g}" if value < 10 else f"{value:.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def markdown(results: dict[str, dict], header: str) -> str:
    used = [c for c in COLUMNS if any(r.get(c) is not None for r in results.values())]
    lines = [header, "", "| " + " | ".join(used) + " |", "|" + "---|" * len(used)]
    for r in results.values():
        lines.append("| " + " | ".join(cell(r.get(c)) for c in used) + " |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--posts", type=int, default=100_000, help="corpus size (posts)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per corpus row (median reported)")
    ap.add_argument("--sample-repeat", type=int, default=5, help="runs of the start-up and sample rows")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument(
        "--plain-posts", type=int, default=20_000, help="posts given to the plain script (its rate is per post)"
    )
    ap.add_argument(
        "--ceiling-posts", type=int, default=100_000, help="posts given to the ceiling rows (their rate is per post)"
    )
    ap.add_argument("--commands", default=ALL, help=f"rows to run, comma-separated (default: {ALL})")
    ap.add_argument("--workdir", type=Path, default=None, help="keep the corpus and outputs here")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--csv", type=Path, default=None, help="the table as CSV (default: WORKDIR/bench.csv)")
    ap.add_argument("--compare-with", type=Path, default=None, help="another checkout to measure beside this one")
    args = ap.parse_args(argv)
    unknown = set(args.commands.split(",")) - set(ALL.split(","))
    if unknown:
        ap.error(f"unknown rows: {', '.join(sorted(unknown))} (choose from {ALL})")

    if set(args.commands.split(",")) & set(CEILING) and importlib.util.find_spec("polars") is None:
        ap.error("the ceiling rows need polars: pip install -e '.[bench]' (or leave them out of --commands)")
    work = args.workdir or Path(tempfile.mkdtemp(prefix="netanalysis-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / f"corpus_{args.posts}.jsonl"
    if not corpus.exists() and set(args.commands.split(",")) - {"help", "sample", "sample_png"}:
        t0 = time.perf_counter()
        generate(corpus, args.posts, seed=args.seed)
        print(
            f"generated {args.posts} posts ({corpus.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f} s",
            file=sys.stderr,
        )
    before = args.compare_with.resolve() if args.compare_with else None
    load = os.getloadavg()
    results = measure(args, commands(args, work, corpus), before, work)
    load_end = os.getloadavg()
    corpus_rows = set(args.commands.split(",")) - {"help", "sample", "sample_png"}
    header = (
        (f"{args.posts:,} posts, jobs={args.jobs}, medians of {args.repeat}; " if corpus_rows else "")
        + f"{os.cpu_count()} cores; start-up and sample rows: medians of {args.sample_repeat}; load average "
        f"{load[0]:.1f} at the start, {load_end[0]:.1f} at the end" + (f"; before = {before}" if before else "")
    )
    table = markdown(results, header)
    print(table)
    path = args.csv or work / "bench.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        for r in results.values():
            writer.writerow({c: r.get(c) for c in COLUMNS})
    path.with_suffix(".md").write_text(table, encoding="utf-8")
    (work / "bench.json").write_text(json.dumps({"header": header, "rows": results}, indent=2))
    print(f"wrote {path} and {path.with_suffix('.md')}", file=sys.stderr)


if __name__ == "__main__":
    main()
