"""The benchmark's corpus and reference scripts (used by ``scripts/bench.py``, the profiler and tests).

:func:`generate` writes a seeded synthetic corpus of posts in JSONL from the sample's sentences
(with random flag runs, pair tags and forum tags); :data:`READ_SCRIPT` only reads and decodes it
(the floor for any tool) and :data:`PLAIN_SCRIPT` is a plain pandas + regex + loop-over-country-names
script written the way a researcher would.
"""

from __future__ import annotations

import json
import random
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

# The ceiling of a vectorised extraction, in compiled code from end to end (polars, the `bench`
# extra): decoding the JSON lines alone, then decoding, lower-casing, finding every text alias the
# extractor matches (one Aho-Corasick pass over the batch, overlapping matches) and the hashtag
# and flag-run patterns. No word-boundary checks, case rules or output: what any compiled engine
# would still have to add. argv: corpus, posts, the aliases file (one a line), and "decode" or
# "match"; it prints the posts and the hits found.
CEILING_SCRIPT = r"""
import sys
import polars as pl
corpus, n, aliases, what = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
schema = {"id": pl.Int64, "date": pl.Int64, "channel": pl.String, "text": pl.String}
posts = pl.scan_ndjson(corpus, n_rows=n, schema=schema)
text = pl.col("text")
if what == "match":
    with open(aliases, encoding="utf-8") as fh:
        keys = fh.read().split("\n")
    found = [
        text.str.to_lowercase().str.extract_many(keys, overlapping=True).list.len().alias("names"),
        text.str.extract_all(r"#[\w\u0300-\u036f]+").list.len().alias("tags"),
        text.str.extract_all("[\U0001f1e6-\U0001f1ff]{2,}").list.len().alias("flags"),
    ]
else:
    found = [text.str.len_bytes().alias("bytes")]
# (the streaming engine spreads the batch's morsels over the threads)
totals = posts.select(pl.len().alias("posts"), *[f.sum() for f in found]).collect(engine="streaming")
print(*totals.row(0))
"""


def alias_keys() -> list[str]:
    """The lower-cased text aliases the bundled registry's extractor looks for (not its
    context-rule literals or marks), as :data:`CEILING_SCRIPT` is given them."""
    from netanalysis.extract import Extractor

    names = Extractor()._compiled.names
    return list(names._keys[: names._first_trigger])
