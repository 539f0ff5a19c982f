"""Benchmark: posts/s and peak memory of netanalysis against reading alone and a plain script.

Generates a seeded synthetic corpus of N posts in JSONL from the sample's sentences (with random
flag runs, pair tags and forum tags), then measures, each in a fresh process:

- ``read``:   reading the JSONL and ``json.loads`` of every line (the floor for any tool);
- ``parse``:  ``netanalysis parse``  (posts.csv + mentions.csv);
- ``graph``:  ``netanalysis graph``  (+ bipartite graph, centralities, GEXF/GraphML);
- ``report``: ``netanalysis report`` (everything);
- ``plain``:  a plain pandas + regex + loop-over-country-names script, written the way a
  researcher would, on the same corpus (on a slice of it when N is large: its rate is per post).

Usage::

    python scripts/bench.py --posts 1000000 --jobs 2 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "mfa_channel_sample.txt"
FLAGS = [
    "RU",
    "CN",
    "IN",
    "BR",
    "ZA",
    "BY",
    "KZ",
    "AZ",
    "AM",
    "KG",
    "TJ",
    "UZ",
    "TR",
    "IR",
    "EG",
    "AE",
    "SA",
    "ET",
    "ID",
    "VN",
    "US",
    "FR",
    "DE",
    "GB",
    "JP",
    "KR",
    "MN",
    "RS",
    "CU",
    "VE",
    "NI",
    "MX",
]
PAIR_NAMES = {
    "RU": "Russia",
    "CN": "China",
    "IN": "India",
    "BR": "Brazil",
    "ZA": "SouthAfrica",
    "BY": "Belarus",
    "KZ": "Kazakhstan",
    "AZ": "Azerbaijan",
    "AM": "Armenia",
    "TR": "Turkey",
    "IR": "Iran",
    "EG": "Egypt",
    "MN": "Mongolia",
    "VN": "Vietnam",
    "CU": "Cuba",
    "RS": "Serbia",
}
FORUM_TAGS = [
    "UN",
    "BRICS",
    "SCO",
    "G20",
    "APEC",
    "ASEAN",
    "EAEU",
    "CSTO",
    "CIS",
    "CICA",
    "OSCE",
    "EEC",
    "AfricanUnion",
    "CELAC",
    "UnionState",
    "БРИКС",
    "ШОС",
    "ООН",
    "ОДКБ",
    "СНГ",
    "ЕАЭС",
]


def flag(code: str) -> str:
    return "".join(chr(0x1F1E6 + ord(c) - ord("A")) for c in code)


def sample_sentences() -> list[str]:
    text = SAMPLE.read_text(encoding="utf-8")
    lines = {ln.strip() for ln in text.splitlines()}
    keep = [ln for ln in lines if len(ln) > 40 and not ln.startswith(("Forwarded from", "Read in full", "#"))]
    return sorted(keep)


def generate(path: Path, n: int, seed: int = 0, target_bytes: int = 1500) -> None:
    """Write ``n`` synthetic posts as JSONL (id, date, channel, text), seeded."""
    rng = random.Random(seed)
    sentences = sample_sentences()
    start = 1704067200  # 2024-01-01 UTC
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            flags = "".join(flag(c) for c in rng.sample(FLAGS, rng.randint(0, 3)))
            body = [flags] if flags else []
            size = len(flags)
            while size < target_bytes - 200:
                s = rng.choice(sentences)
                if rng.random() < 0.3:
                    s += " #" + rng.choice(FORUM_TAGS)
                body.append(s)
                size += len(s.encode("utf-8")) + 1
            a, b = rng.sample(sorted(PAIR_NAMES), 2)
            body.append(f"#{PAIR_NAMES[a]}{PAIR_NAMES[b]} #{rng.choice(FORUM_TAGS)}")
            rec = {"id": i + 1, "date": start + i * 37, "channel": "Synthetic MFA", "text": "\n".join(body)}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


PLAIN_SCRIPT = r"""
import json, re, sys
import pandas as pd
countries = {"Russia": "RU", "China": "CN", "India": "IN", "Brazil": "BR", "South Africa": "ZA",
             "Belarus": "BY", "Kazakhstan": "KZ", "Azerbaijan": "AZ", "Armenia": "AM", "Turkey": "TR",
             "Iran": "IR", "Egypt": "EG", "Mongolia": "MN", "Vietnam": "VN", "Cuba": "CU", "Serbia": "RS",
             "United States": "US", "France": "FR", "Germany": "DE", "Japan": "JP", "Ukraine": "UA",
             "Kyrgyzstan": "KG", "Tajikistan": "TJ", "Uzbekistan": "UZ", "Indonesia": "ID",
             "Ethiopia": "ET", "Saudi Arabia": "SA", "Mexico": "MX", "Venezuela": "VE", "Nicaragua": "NI"}
forums = {"UN": "UN", "BRICS": "BRICS", "SCO": "SCO", "G20": "G20", "APEC": "APEC", "ASEAN": "ASEAN",
          "EAEU": "EAEU", "CSTO": "CSTO", "CIS": "CIS", "CICA": "CICA", "OSCE": "OSCE", "EEC": "EEC",
          "AfricanUnion": "AU", "CELAC": "CELAC", "UnionState": "UNION_STATE", "БРИКС": "BRICS",
          "ШОС": "SCO", "ООН": "UN", "ОДКБ": "CSTO", "СНГ": "CIS", "ЕАЭС": "EAEU"}
import itertools
limit = int(sys.argv[2]) if len(sys.argv) > 2 else None
with open(sys.argv[1], encoding="utf-8") as fh:
    rows = [json.loads(line) for line in itertools.islice(fh, limit)]
df = pd.DataFrame(rows)
edges = {}
for _, row in df.iterrows():
    text = row["text"]
    found_c = set()
    for name, code in countries.items():
        if re.search(r"\b" + re.escape(name) + r"\b", text):
            found_c.add(code)
    for m in re.finditer(r"[\U0001F1E6-\U0001F1FF]{2}", text):
        found_c.add("".join(chr(ord(ch) - 0x1F1E6 + 65) for ch in m.group()))
    found_f = set()
    for tag in re.findall(r"#(\w+)", text):
        if tag in forums:
            found_f.add(forums[tag])
    for c in found_c:
        for f in found_f:
            edges[(c, f)] = edges.get((c, f), 0) + 1
out = pd.DataFrame([(c, f, w) for (c, f), w in edges.items()], columns=["country", "forum", "weight"])
out.to_csv(sys.argv[3] if len(sys.argv) > 3 else "/dev/null", index=False)
print(len(df))
"""

READ_SCRIPT = r"""
import json, sys
n = 0
with open(sys.argv[1], encoding="utf-8") as fh:
    for line in fh:
        json.loads(line)
        n += 1
print(n)
"""


def measure_isolated(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of a command, run under a wrapper process so that the
    peak is this command's alone."""
    wrapper = [
        sys.executable,
        "-c",
        "import resource,subprocess,sys,time;t=time.perf_counter();"
        "r=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.PIPE);"
        "e=time.perf_counter()-t;"
        "sys.stderr.write(r.stderr.decode(errors='replace')[-2000:]) if r.returncode else None;"
        "print(e, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss);sys.exit(r.returncode)",
    ] + cmd
    proc = subprocess.run(wrapper, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"benchmark command failed: {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    elapsed, peak_kb = proc.stdout.split()
    return float(elapsed), int(peak_kb) / 1024


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--posts", type=int, default=100_000, help="corpus size (posts)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement (median reported)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument(
        "--plain-posts", type=int, default=20_000, help="posts given to the plain script (its rate is per post)"
    )
    ap.add_argument("--commands", default="read,parse,graph,report,plain")
    ap.add_argument("--workdir", type=Path, default=None, help="keep the corpus and outputs here")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    work = args.workdir or Path(tempfile.mkdtemp(prefix="netanalysis-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / f"corpus_{args.posts}.jsonl"
    if not corpus.exists():
        t0 = time.perf_counter()
        generate(corpus, args.posts, seed=args.seed)
        print(
            f"generated {args.posts} posts ({corpus.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f} s",
            file=sys.stderr,
        )
    exe = [sys.executable, "-m", "netanalysis.cli"]
    plain = work / "plain.py"
    plain.write_text(PLAIN_SCRIPT, encoding="utf-8")
    reader = work / "read.py"
    reader.write_text(READ_SCRIPT, encoding="utf-8")
    plain_n = min(args.plain_posts, args.posts)
    commands = {
        "read": ([sys.executable, str(reader), str(corpus)], args.posts),
        "plain": ([sys.executable, str(plain), str(corpus), str(plain_n), str(work / "plain_edges.csv")], plain_n),
    }
    for name in ("parse", "graph", "report"):
        commands[name] = (exe + ["-q", name, str(corpus), "-o", str(work / name), "--jobs", str(args.jobs)], args.posts)
    results = {}
    for name in args.commands.split(","):
        cmd, n = commands[name]
        runs = [measure_isolated(cmd) for _ in range(args.repeat)]
        secs = statistics.median(r[0] for r in runs)
        peak = max(r[1] for r in runs)
        results[name] = {"posts": n, "seconds": secs, "posts_per_s": n / secs, "peak_rss_mb": peak}
    print(f"# {args.posts} posts, {os.cpu_count()} cores, jobs={args.jobs}, median of {args.repeat}")
    print(f"{'command':8} {'posts':>9} {'median s':>9} {'posts/s':>10} {'peak RSS MB':>12}")
    for name, r in results.items():
        print(f"{name:8} {r['posts']:>9} {r['seconds']:>9.2f} {r['posts_per_s']:>10.0f} {r['peak_rss_mb']:>12.0f}")
    if "graph" in results and "read" in results:
        print(f"graph / read speed: {results['graph']['posts_per_s'] / results['read']['posts_per_s']:.2f}")
    if "graph" in results and "plain" in results:
        print(f"graph / plain speed: {results['graph']['posts_per_s'] / results['plain']['posts_per_s']:.1f}x")
    (work / "bench.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
