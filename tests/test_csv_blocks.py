"""The explorer reads back only the chunks holding its posts, and the page is the same."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import netanalysis.parallel
from netanalysis import pipeline
from netanalysis.config import Settings
from netanalysis.pipeline import csv_blocks
from netanalysis.pipeline import explorer_inputs as inputs_module
from netanalysis.render import explorer_evidence

PAIRS = [
    ("Russia", "China", "BRICS"),
    ("India", "Brazil", "G20"),
    ("Russia", "India", "SCO"),
    ("China", "Brazil", "UN"),
    ("France", "Germany", "G20"),
    ("Egypt", "Iran", "BRICS"),
]


def _corpus(path: Path, n: int = 60) -> Path:
    """``n`` posts in date order (one a day), each naming two countries and a forum; one id twice
    (renamed), a text a spreadsheet would run and a text over several lines."""
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            a, b, forum = PAIRS[i % len(PAIRS)]
            text = f"{a} and {b} met within the {forum} (post {i})."
            if i % 7 == 3:
                text = f'=SUM(1)\n{a} and {b}\n\nin the {forum}, "quoted", again'
            post_id = 5 if i == 9 else i  # post 9 repeats post 5's id: renamed 5#2
            f.write(json.dumps({"id": post_id, "date": 1704067200 + 86400 * i, "channel": "mfa", "text": text}) + "\n")
    return path


def _run(corpus: Path, out: Path, monkeypatch, *, blocks: bool, budget: int):
    monkeypatch.setattr(netanalysis.parallel, "CHUNK", 4)  # 15 chunks
    monkeypatch.setattr(explorer_evidence, "MAX_POSTS", budget)
    read: list[tuple[str, tuple | None]] = []
    original = inputs_module._rows

    def spy(path, columns, ids, safe, parts=None):
        read.append((Path(path).name, parts))
        return original(path, columns, ids, safe, parts)

    monkeypatch.setattr(inputs_module, "_rows", spy)
    if not blocks:
        monkeypatch.setattr(inputs_module, "_parts", lambda *a: None)
    pipeline.run("explore", [corpus], out, Settings(jobs=1))
    monkeypatch.undo()
    return read


@pytest.mark.parametrize("budget", [5, 12, 1000])
def test_the_page_is_the_same_read_in_parts_or_whole(tmp_path, monkeypatch, budget):
    corpus = _corpus(tmp_path / "posts.jsonl")
    whole = _run(corpus, tmp_path / "whole", monkeypatch, blocks=False, budget=budget)
    parted = _run(corpus, tmp_path / "parts", monkeypatch, blocks=True, budget=budget)
    assert [parts for _, parts in whole] == [None, None]
    assert [name for name, _ in parted] == ["posts.csv", "mentions.csv"]
    page = (tmp_path / "parts" / "network.html").read_bytes()
    assert page == (tmp_path / "whole" / "network.html").read_bytes()
    assert "5#2" in page.decode("utf-8") or budget < 12  # the renamed post, when embedded
    for name, (header, parts) in parted:
        data = (tmp_path / "parts" / name).read_bytes()
        assert data[:header].count(b"\n") == 1 and data[:header].endswith(b"\n")  # the header line
        for start, end in parts:  # whole rows: each part starts after a row's end
            assert data[start - 1 : start] == b"\n" and data[end - 1 : end] == b"\n"
        read_bytes = sum(end - start for start, end in parts)
        if budget == 5:  # the earliest posts: the first chunks only
            assert read_bytes < (len(data) - header) / 2
        if budget == 1000:  # every post embedded: every chunk, one part
            assert parts == [(header, len(data))]


def test_the_blocks_give_each_rows_chunk(tmp_path, monkeypatch):
    """Every post's row in posts.csv and its rows in mentions.csv lie in the parts given for it."""
    import csv

    corpus = _corpus(tmp_path / "posts.jsonl")
    monkeypatch.setattr(netanalysis.parallel, "CHUNK", 4)
    seen: dict = {}
    original = inputs_module.explorer_inputs

    def keep_state(state, staging):
        seen["blocks"] = state.csv_blocks
        seen["ids"] = state.corpus.post_ids.to_pylist()
        return original(state, staging)

    monkeypatch.setattr(inputs_module, "explorer_inputs", keep_state)
    pipeline.run("explore", [corpus], tmp_path / "out", Settings(jobs=2))
    blocks, ids = seen["blocks"], seen["ids"]
    assert blocks is not None and blocks.closed and blocks.rows == len(ids) == 60
    for name in ("posts", "mentions"):
        data = (tmp_path / "out" / f"{name}.csv").read_bytes()
        for row, post_id in enumerate(ids):
            parts = blocks.parts(np.array([row]), name)
            assert len(parts) == 1
            start, end = parts[0]
            text = data[: blocks.header(name)] + data[start:end]
            found = [r["post_id"] for r in csv.DictReader(text.decode("utf-8").splitlines(keepends=True))]
            if name == "posts":
                assert found.count(post_id) == 1  # its row is in its part
            else:  # its mentions are in its part, none elsewhere
                rest = data[blocks.header(name) : start] + data[end:]
                assert post_id in found
                assert f"\n{post_id},".encode() not in b"\n" + rest


def test_a_run_read_from_the_cache_reads_the_same_parts_and_an_entry_without_blocks_whole(tmp_path, monkeypatch):
    import json

    corpus = _corpus(tmp_path / "posts.jsonl")
    read: list = []
    original = inputs_module._rows

    def spy(path, columns, ids, safe, parts=None):
        read.append(parts)
        return original(path, columns, ids, safe, parts)

    monkeypatch.setattr(inputs_module, "_rows", spy)
    settings = Settings(cache=True, cache_dir=str(tmp_path / "c"))

    def run(out):
        result = pipeline.run("explore", [corpus], tmp_path / out, settings)
        return result.counts["mentions_cache"]

    assert [run("stored"), run("hit")] == ["stored", "hit"]
    # the entry keeps where each chunk's rows are: the hit reads the same parts as the run that stored it
    assert None not in read[:2] and read[2:] == read[:2]
    (entry,) = (tmp_path / "c").iterdir()
    blocks = entry / "blocks.json"
    kept = json.loads(blocks.read_text())
    blocks.unlink()  # (an entry stored before entries kept them: its files are read whole)
    assert run("whole") == "hit" and read[4:] == [None, None]
    kept["posts"][-1] += 1  # (blocks that do not end at the file's size: a damaged entry, rebuilt)
    blocks.write_text(json.dumps(kept))
    assert run("rebuilt") == "stored" and None not in read[6:]
    pages = [(tmp_path / out / "network.html").read_bytes() for out in ("stored", "hit", "whole", "rebuilt")]
    assert pages[1:] == pages[:1] * 3


def test_the_parts_reader_reads_the_header_and_the_parts(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"h1,h2\n" + b"".join(f"{i},x{i}\n".encode() for i in range(100)))
    data = path.read_bytes()
    parts = [(6 + 10 * k, 6 + 10 * k + 5) for k in range(0, 40, 3)]
    import io

    for size in (1, 7, 1 << 20):
        reader = io.BufferedReader(csv_blocks.PartsReader(path, 6, parts), buffer_size=size)
        assert reader.read() == data[:6] + b"".join(data[a:b] for a, b in parts)
        reader.close()
