#!/usr/bin/env python
"""Benchmark the extraction engine on a seeded synthetic corpus.

The corpus is built from the sentences of ``examples/mfa_channel_sample.txt`` with random flag
emoji, compound (pair) hashtags and forum hashtags mixed in: N posts of about 1.5 KB each.
Reports posts per second for ``Extractor.extract`` (one text at a time) and for
``extract_mentions`` (the whole table, in one process and with ``--jobs`` processes), the
median of three runs, for both name-matching
backends (the Aho-Corasick automaton, the default, and a compiled regex alternation).

``--corpus FILE`` reads the posts from a JSONL file (one object with a ``text`` field a line)
instead; ``--extract-only`` times only ``Extractor.extract`` with the automaton (the number to
compare between versions; run it a few times, the machine may be busy).

Usage::

    python scripts/bench_extract.py [-n 20000] [--seed 1] [--size 1500] [--jobs N] [--fixture-registry]
    python scripts/bench_extract.py --corpus posts.jsonl --extract-only
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from netanalysis.extract import Extractor, extract_mentions  # noqa: E402

FLAGS = ["🇷🇺", "🇨🇳", "🇮🇳", "🇧🇾", "🇿🇦", "🇦🇿", "🇰🇿", "🇺🇳", "🇧🇷", "🇮🇷", "🇹🇷", "🇪🇬"]
PAIR_TAGS = [
    "#RussiaChina",
    "#RussiaIndia",
    "#RussiaBelarus",
    "#RussiaSouthAfrica",
    "#RussiaAzerbaijan",
    "#RussiaCSTO",
    "#РоссияКитай",
    "#CrisisInUkraine",
    "#MinskAgreements",
]
FORUM_TAGS = [
    "#UN",
    "#BRICS",
    "#SCO",
    "#G20",
    "#APEC",
    "#ASEAN",
    "#EAEU",
    "#CSTO",
    "#CIS",
    "#ШОС",
    "#БРИКС",
    "#ООН",
    "#OSCE",
    "#CELAC",
    "#AfricanUnion",
]


def sample_sentences() -> list[str]:
    text = (ROOT / "examples" / "mfa_channel_sample.txt").read_text(encoding="utf-8")
    sentences = set()
    for line in text.splitlines():
        for sentence in re.split(r"(?<=[.!?])\s+", line):
            if len(sentence) > 20 and not sentence.startswith("Forwarded from"):
                sentences.add(sentence)
    return sorted(sentences)


def corpus(n: int, seed: int, size: int) -> pd.DataFrame:
    rng = random.Random(seed)
    sentences = sample_sentences()
    texts = []
    for _ in range(n):
        parts = ["".join(rng.sample(FLAGS, rng.randint(0, 3)))]
        length = 0
        while length < size:
            sentence = rng.choice(sentences)
            if rng.random() < 0.2:
                sentence += " " + rng.choice(FORUM_TAGS)
            parts.append(sentence)
            length += len(sentence) + 1
        parts.append(" ".join(rng.sample(PAIR_TAGS, rng.randint(0, 2))))
        texts.append(" ".join(parts))
    return pd.DataFrame({"post_id": [f"p{i}" for i in range(n)], "text": texts})


def load(fixture: bool):
    if fixture:
        from netanalysis.registry import Registry

        d = ROOT / "tests" / "fixtures" / "extract"
        read = lambda name: pd.read_csv(d / name, dtype=str, keep_default_na=False)  # noqa: E731
        return Registry(
            countries=read("countries.csv"),
            forums=read("forums.csv"),
            aliases=read("aliases.csv"),
            stop_phrases=read("stop_phrases.csv"),
        )
    from netanalysis.registry import load_registry

    return load_registry()


def median_rate(n: int, func) -> tuple[float, object]:
    times, result = [], None
    for _ in range(3):
        t0 = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - t0)
    return n / statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20000, help="number of posts (default 20000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--size", type=int, default=1500, help="approximate characters per post")
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="processes for the parallel extract_mentions run (default: all cores)",
    )
    parser.add_argument(
        "--regex-posts", type=int, default=1000, help="posts to time the (slow) regex backend on (default 1000)"
    )
    parser.add_argument(
        "--fixture-registry", action="store_true", help="use the small test registry instead of the bundled one"
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        help="JSONL file of posts (a text field) instead of the synthetic corpus; -n limits how many are read",
    )
    parser.add_argument(
        "--extract-only", action="store_true", help="time only Extractor.extract with the automaton backend"
    )
    args = parser.parse_args()

    print("command:", " ".join([Path(sys.executable).name] + sys.argv))
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.processor() or '?'}; "
        f"Python {platform.python_version()}, pandas {pd.__version__}"
    )
    registry = load(args.fixture_registry)
    if args.corpus:
        with open(args.corpus, encoding="utf-8") as lines:
            texts = [json.loads(line)["text"] for line, _ in zip(lines, range(args.n))]
        posts = pd.DataFrame({"post_id": [f"p{i}" for i in range(len(texts))], "text": texts})
        source = str(args.corpus)
    else:
        posts = corpus(args.n, args.seed, args.size)
        source = f"synthetic, seed {args.seed}"
    mean_kb = posts["text"].str.len().mean() / 1000
    print(
        f"corpus: {len(posts)} posts, mean {mean_kb:.2f} k characters ({source}); "
        f"registry {len(registry.aliases)} aliases"
    )
    texts = posts["text"].tolist()
    for backend in ("automaton",) if args.extract_only else ("automaton", "regex"):
        # the regex alternation is ~50x slower: time it on a slice so the script stays quick
        sample = texts if backend == "automaton" else texts[: args.regex_posts]
        t0 = time.perf_counter()
        extractor = Extractor(registry, backend=backend)
        built = time.perf_counter() - t0
        rate, rows = median_rate(len(sample), lambda: [extractor.extract(t) for t in sample])
        count = sum(map(len, rows))
        print(
            f"{backend:9s} Extractor.extract: {rate:10,.0f} posts/s  ({len(sample):,} posts, {count:,} mentions; "
            f"built in {built:.2f}s)"
        )
    if args.extract_only:
        return
    for jobs in sorted({1, args.jobs}):
        rate, frame = median_rate(len(posts), lambda: extract_mentions(posts, registry, jobs=jobs))
        print(f"automaton extract_mentions (jobs={jobs}): {rate:10,.0f} posts/s  ({len(frame):,} rows)")


if __name__ == "__main__":
    main()
