"""Mutated inputs for every reader and the command line, and the check each must pass: "the
project's own error, or a correct result".

Used by ``tests/test_fuzz.py`` (a few hundred inputs, drawn and shrunk by hypothesis) and by
``scripts/fuzz_campaign.py`` (thousands, by hand). A *plan* is a list of mutations, each a tuple
of small integers, applied to one of the seed files (real-shaped inputs of every format, from
the test fixtures and the bundled sample): flipped, deleted, repeated or inserted bytes,
truncation, hostile snippets (unclosed quotes, NUL, lone surrogates, control characters,
formula starts, separators, deep nesting, byte-order marks), lines repeated (repeated post
ids), another encoding, gzip.

What "correct" means for a result (:func:`check_posts`, :func:`check_folder`): the posts have
the documented columns; ids are unique, never hold ``;`` nor start like a formula; dates are
UTC or missing; every file's counts add up (``read + skipped == records``); every output file
of a run is there, ``posts.csv`` ids are unique, every id ``edges.csv`` lists is in
``posts.csv``, the GEXF and GraphML parse as XML, no text cell starts like a formula, and no
staging folder is left. A failure must be a :class:`~netanalysis.errors.NetanalysisError`
naming the file (API), or one ``Error:`` line with exit code 1 or 2 and no traceback (CLI).
"""

from __future__ import annotations

import csv
import gzip
import json
import random
import traceback
import xml.dom.minidom
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "formats"

Plan = Sequence[tuple[int, int, int, int]]  # (operation, position 0-999, length 0-999, payload)

#: Snippets that break readers in known ways.
PAYLOADS: list[bytes] = [
    b'"',
    b'""',
    b"\x00",
    b"\r",
    b"\r\n",
    b"\n\n",
    b",",
    b";",
    b"\t",
    b"\\ud800",
    b"\\x01",
    b"\x01\x1f\x7f",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\xc3",
    b"\xed\xa0\x80",
    b"=HYPERLINK(1)",
    b"+1",
    b"-",
    b"@x",
    b"{",
    b"}",
    b"[" * 5000,
    b'{"a":' * 3000,
    b'<div class="message default" id="message7"><div class="text">',
    b"</div>",
    b"#BRICS #SCO \xf0\x9f\x87\xb7\xf0\x9f\x87\xba China India",
    b'"text": null',
    b'"date": "not a date"',
    b'"id": 101',
    b'"date_unixtime": "99999999999999"',
    b"9999-99-99T99:99:99",
    b"1e309",
    b"NaN",
    b"A" * 70_000,
]


def seeds() -> dict[str, bytes]:
    """Seed files by name (the name's suffix says the format)."""
    sample = (ROOT / "examples" / "mfa_channel_sample.txt").read_bytes()
    found = {
        "sample.txt": sample[:6000],
        "result.json": (FIXTURES / "roundtrip" / "result.json").read_bytes(),
        "account.json": (FIXTURES / "account" / "result.json").read_bytes(),
        "messages.html": (FIXTURES / "roundtrip" / "messages.html").read_bytes(),
        "telethon.jsonl": (FIXTURES / "roundtrip" / "telethon.jsonl").read_bytes(),
        "scraper.json": (FIXTURES / "telethon" / "scraper.json").read_bytes(),
        "posts.csv": (FIXTURES / "roundtrip" / "posts.csv").read_bytes(),
        "posts.parquet": (FIXTURES / "roundtrip" / "posts.parquet").read_bytes(),
    }
    rows = list(csv.reader(found["posts.csv"].decode().splitlines(keepends=True)))
    found["posts.tsv"] = "".join("\t".join(c.replace("\n", " ") for c in row) + "\n" for row in rows).encode()
    found["rows.jsonl"] = "".join(
        json.dumps(dict(zip(rows[0], row)), ensure_ascii=False) + "\n" for row in rows[1:]
    ).encode()
    return found


SEEDS = seeds()
NAMES = sorted(SEEDS)


def _span(data: bytes, position: int, length: int) -> tuple[int, int]:
    start = len(data) * position // 1000
    return start, min(len(data), start + 1 + length * max(1, len(data) // 4000))


def mutate(data: bytes, plan: Plan) -> tuple[bytes, str]:
    """``data`` after the mutations of ``plan``, and how to write it (``""``, ``"gz"``)."""
    wrap = ""
    for operation, position, length, payload in plan:
        start, end = _span(data, position, length)
        op = operation % 12
        if op == 0:  # flip bytes
            data = data[:start] + bytes(b ^ (1 + payload % 255) for b in data[start:end]) + data[end:]
        elif op == 1:  # delete
            data = data[:start] + data[end:]
        elif op == 2:  # insert a snippet
            data = data[:start] + PAYLOADS[payload % len(PAYLOADS)] + data[start:]
        elif op == 3:  # truncate
            data = data[:start]
        elif op == 4:  # repeat a span
            data = data[:end] + data[start:end] * (1 + payload % 3) + data[end:]
        elif op == 5:  # repeat whole lines (the same record twice: repeated ids)
            lines = data.splitlines(keepends=True)
            if lines:
                i = position * len(lines) // 1000
                data = b"".join(lines[: i + 1] + lines[i : i + 1 + length % 5] + lines[i + 1 :])
        elif op == 6:  # replace a span with a snippet
            data = data[:start] + PAYLOADS[payload % len(PAYLOADS)] + data[end:]
        elif op == 7:  # swap two halves
            data = data[start:] + data[:start]
        elif op == 8:  # another encoding (with or without a byte-order mark)
            text = data.decode("utf-8", "replace")
            data = text.encode(("utf-16", "utf-16-le", "utf-32", "cp1251", "utf-8-sig")[payload % 5], "replace")
        elif op == 9:  # empty, or white space only
            data = b"" if payload % 2 else b" \n" * (1 + length * 20)
        elif op == 10:  # gzip it (or a broken gzip)
            wrap = "gz"
            if payload % 4 == 0:
                data = gzip.compress(data)[: max(10, len(data) // 3)]
                wrap = "raw-gz"
        else:  # insert a random byte string
            rng = random.Random(position * 1000 + length)
            data = data[:start] + bytes(rng.randrange(256) for _ in range(1 + payload % 64)) + data[start:]
    return data, wrap


def write_input(folder: Path, name: str, plan: Plan) -> Path:
    """Write the seed ``name`` mutated by ``plan`` into ``folder``; return its path."""
    data, wrap = mutate(SEEDS[name], plan)
    path = folder / name
    if wrap == "gz":
        path = folder / f"{name}.gz"
        data = gzip.compress(data)
    elif wrap == "raw-gz":
        path = folder / f"{name}.gz"
    path.write_bytes(data)
    return path


# -- checks ----------------------------------------------------------------------------------------
FORMULA = tuple("=+-@\t\r")


def check_posts(posts, stats) -> None:
    """Assert what every read must give (see the module notes)."""
    from netanalysis.model import DATE_SOURCES, POST_COLUMNS

    assert list(posts.columns) == POST_COLUMNS, list(posts.columns)
    ids = posts["post_id"].tolist()
    assert len(ids) == len(set(ids)), "repeated post ids"
    for pid in ids:
        assert isinstance(pid, str) and pid, repr(pid)
        assert ";" not in pid and not pid.startswith(FORMULA), repr(pid)
    assert str(posts["date"].dtype).startswith("datetime64") and "UTC" in str(posts["date"].dtype)
    assert set(posts["date_source"]) <= set(DATE_SOURCES)
    for text in posts["text"]:
        assert isinstance(text, str) and text.strip(), repr(text)
        text.encode("utf-8")  # (no lone surrogate)
    for f in stats.files:
        assert f.read + f.skipped == f.records or f.format == "text", (f.path, f.read, f.skipped, f.records)
    assert stats.read == len(posts)


def check_folder(out: Path, command: str) -> None:
    """Assert what a run's folder must hold (see the module notes)."""
    import pandas as pd

    assert not [p for p in out.iterdir() if p.name.startswith(".netanalysis")], "staging left"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for name in manifest["files"]:
        assert (out / name).is_file(), name
    posts = pd.read_csv(out / "posts.csv", dtype=str, keep_default_na=False)
    ids = posts["post_id"].tolist()
    assert len(ids) == len(set(ids)), "repeated ids in posts.csv"
    mentions = pd.read_csv(out / "mentions.csv", dtype=str, keep_default_na=False)
    assert set(mentions["post_id"]) <= set(ids), "mentions of unknown posts"
    for path in out.glob("*.csv"):
        with open(path, newline="", encoding="utf-8") as fh:
            for row in csv.reader(fh):
                for cell in row:
                    if cell.startswith(FORMULA):
                        float(cell)  # (a negative number is fine; anything else is a raw formula)
    if command != "parse":
        edges = pd.read_csv(out / "edges.csv", dtype={"post_ids": str}, keep_default_na=False)
        listed = {pid for cell in edges["post_ids"] for pid in cell.split(";") if pid}
        assert listed <= set(ids), "edges list unknown posts"
        for name in ("graph.gexf", "graph.graphml"):
            xml.dom.minidom.parse(str(out / name))


# -- running -----------------------------------------------------------------------------------
def read_outcome(path: Path) -> tuple[str, str]:
    """``("ok" | "error" | "crash", detail)`` of reading ``path`` with the API."""
    import netanalysis
    from netanalysis.errors import NetanalysisError
    from netanalysis.model import IngestStats

    stats = IngestStats()
    try:
        posts = netanalysis.read_posts(path, stats=stats)
    except NetanalysisError as exc:
        if str(path) not in str(exc):
            return "crash", f"an error not naming the file: {exc}"
        return "error", str(exc)
    except Exception:  # (what the check looks for)
        return "crash", traceback.format_exc()
    try:
        check_posts(posts, stats)
    except AssertionError:
        return "crash", "wrong result: " + traceback.format_exc()
    return "ok", f"{len(posts)} posts"


def cli_outcome(path: Path, out: Path, command: str = "graph") -> tuple[str, str]:
    """``("ok" | "error" | "crash", detail)`` of ``netanalysis COMMAND path -o out`` (in process)."""
    from click.testing import CliRunner

    from netanalysis.cli import cli

    result = CliRunner().invoke(cli, ["-q", command, str(path), "-o", str(out), "--format", "png"])
    text = result.output
    if result.exit_code == 0:
        try:
            check_folder(out, command)
        except (AssertionError, ValueError, OSError, KeyError):
            return "crash", "wrong result: " + traceback.format_exc()
        return "ok", ""
    lines = [line for line in text.strip().splitlines() if not line.startswith("WARNING:")]
    if (
        result.exit_code in (1, 2)
        and lines
        and lines[-1].startswith("Error: ")
        and "Traceback" not in text
        and "internal error" not in text
    ):
        leftovers = [p.name for p in out.iterdir() if p.name.startswith(".netanalysis")] if out.exists() else []
        if leftovers:
            return "crash", f"staging left after an error: {leftovers}"
        return "error", lines[-1]
    detail = text
    if result.exc_info and not isinstance(result.exception, SystemExit):
        detail += "".join(traceback.format_exception(*result.exc_info))
    return "crash", detail


def random_plan(rng: random.Random) -> list[tuple[int, int, int, int]]:
    """A plan of 1 to 4 mutations."""
    return [
        (rng.randrange(12), rng.randrange(1000), rng.randrange(1000), rng.randrange(1000))
        for _ in range(rng.randint(1, 4))
    ]


def describe(name: str, plan: Plan) -> str:
    return f"{name} {list(plan)}"


__all__ = [
    "SEEDS",
    "NAMES",
    "PAYLOADS",
    "mutate",
    "write_input",
    "check_posts",
    "check_folder",
    "read_outcome",
    "cli_outcome",
    "random_plan",
    "describe",
]
