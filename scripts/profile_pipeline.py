#!/usr/bin/env python
"""Where the time of ``netanalysis graph`` goes, per post: the profile behind the README's
performance figures.

Part 1 times, in this process, each piece of the work a worker does for a partition of a JSON
Lines corpus (medians of ``--repeat`` runs over ``-n`` posts): reading (JSON decoding and
mapping records to posts), extraction (names: lower-casing, the automaton's walk, handling its
hits, which include the hashtags and flag emoji it meets; then masking links, the context rules
and merging), formatting the CSV rows and links, the per-post
columns kept for later stages, and pickling a chunk's result for the trip back. Their sum is
the CPU a worker spends per post, so two cores can do at most ``2 / sum`` posts per second.

Part 2 runs ``graph`` over the same posts with ``--jobs`` workers and reports the CPU time of
the main process and of the workers (``getrusage``) next to the wall time.

Usage::

    python scripts/profile_pipeline.py [-n 20000] [--corpus FILE.jsonl] [--jobs 2] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import pickle
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import bench  # noqa: E402  (the benchmark's corpus generator)

from netanalysis import pipeline  # noqa: E402
from netanalysis.config import Settings  # noqa: E402
from netanalysis.extract.gazetteer import _lower_same_length, normalise_for_matching  # noqa: E402
from netanalysis.ingest.partitions import iter_parts, read_partition  # noqa: E402
from netanalysis.parallel import CHUNK  # noqa: E402
from netanalysis.pipeline.work import ChunkExtractor, post_rows  # noqa: E402
from netanalysis.registry import load_registry  # noqa: E402


def timed(func, repeat: int) -> float:
    """Median seconds of ``func()`` over ``repeat`` runs."""
    runs = []
    for _ in range(repeat):
        began = time.perf_counter()
        func()
        runs.append(time.perf_counter() - began)
    return statistics.median(runs)


def worker_pieces(corpus: Path, repeat: int) -> tuple[list[tuple[str, float]], int]:
    parts = [part for part, _ in iter_parts([corpus], size=CHUNK)]
    work = ChunkExtractor(load_registry())
    rows = [post_rows(read_partition(part)[0]) for part in parts]
    texts = [row[6] for chunk in rows for row in chunk]
    n = len(texts)
    work(rows[0])  # builds the matchers
    extract = work._extractor.extract
    names = work._extractor._compiled.names
    padded = [normalise_for_matching(" " + t + " ") for t in texts]
    lowered = [_lower_same_length(p) for p in padded]
    results = [work(chunk) for chunk in rows]

    def walk():
        for low in lowered:
            names._candidates(low)

    t = {
        "read": timed(lambda: [post_rows(read_partition(part)[0]) for part in parts], repeat),
        "unify apostrophes and spaces": timed(lambda: [normalise_for_matching(" " + t + " ") for t in texts], repeat),
        "lower-case": timed(lambda: [_lower_same_length(p) for p in padded], repeat),
        "automaton walk": timed(walk, repeat),
        "names": timed(lambda: [names.find_rows(t) for t in texts], repeat),
        "extract": timed(lambda: [extract(t) for t in texts], repeat),
        "whole chunk": timed(lambda: [work(chunk) for chunk in rows], repeat),
        "columns": timed(lambda: [work._columns(chunk) for chunk in rows], repeat),
        "pickle": timed(
            lambda: [pickle.loads(pickle.dumps(r, protocol=pickle.HIGHEST_PROTOCOL)) for r in results], repeat
        ),
        "partition pickle": timed(
            lambda: [pickle.loads(pickle.dumps(p, protocol=pickle.HIGHEST_PROTOCOL)) for p in parts], repeat
        ),
    }
    hits = t["names"] - t["unify apostrophes and spaces"] - t["lower-case"] - t["automaton walk"]
    pieces = [
        ("read: JSON decoding, records to posts and rows", t["read"]),
        ("names: unify apostrophes and spaces", t["unify apostrophes and spaces"]),
        ("names: lower-case", t["lower-case"]),
        ("names: automaton walk", t["automaton walk"]),
        ("names: boundaries, case, longest match of the hits", hits),
        ("links, hashtags, flags, context rules, merging", t["extract"] - t["names"]),
        ("CSV rows, links, per-post columns", t["whole chunk"] - t["extract"]),
        ("pickling: partition in, result out", t["pickle"] + t["partition pickle"]),
    ]
    return pieces, n


def run_profile(corpus: Path, jobs: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="netanalysis-profile-") as out:  # (the graph's files go with it)
        before_self = resource.getrusage(resource.RUSAGE_SELF)
        before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
        began = time.perf_counter()
        pipeline.run("graph", [corpus], Path(out) / "graph", Settings(jobs=jobs))
        wall = time.perf_counter() - began
    after_self = resource.getrusage(resource.RUSAGE_SELF)
    after_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = lambda a, b: (b.ru_utime - a.ru_utime) + (b.ru_stime - a.ru_stime)  # noqa: E731
    return {"wall": wall, "main": cpu(before_self, after_self), "workers": cpu(before_children, after_children)}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=20_000, help="posts to generate (without --corpus)")
    ap.add_argument("--corpus", type=Path, help="a JSONL corpus (as scripts/bench.py writes it)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="netanalysis-profile-") as work:  # (a generated corpus goes with it)
        corpus = args.corpus
        if corpus is None:
            corpus = Path(work) / "corpus.jsonl"
            bench.generate(corpus, args.n, seed=0)
        report(corpus, args)


def report(corpus: Path, args: argparse.Namespace) -> None:
    """Profile ``corpus`` and print the table and the ``graph`` run's line."""
    pieces, n = worker_pieces(corpus, args.repeat)
    total = sum(seconds for _, seconds in pieces)
    print(f"# one worker's CPU per post, {n} posts of {corpus.name}, median of {args.repeat}")
    for name, seconds in pieces:
        print(f"{name:55} {seconds / n * 1e6:7.1f} us  {seconds / total:6.1%}")
    print(f"{'total':55} {total / n * 1e6:7.1f} us  -> at most {2 * n / total:,.0f} posts/s on 2 cores")
    cpu = run_profile(corpus, args.jobs)
    print(
        f"# graph --jobs {args.jobs}: wall {cpu['wall']:.2f} s ({n / cpu['wall']:,.0f} posts/s); "
        f"CPU: main process {cpu['main']:.2f} s ({cpu['main'] / n * 1e6:.1f} us/post, "
        f"the graph stage included), workers {cpu['workers']:.2f} s ({cpu['workers'] / n * 1e6:.1f} us/post)"
    )


if __name__ == "__main__":
    main()
