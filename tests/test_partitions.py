"""Partitioned reading: JSON Lines cut into parts that workers read give what reading the whole
file gives (posts, counts, problems with their line numbers, warnings, errors)."""

from __future__ import annotations

import codecs
import gzip
import json
import logging
import pickle

import pandas as pd
import pytest
from click.testing import CliRunner

from netanalysis import parallel as batch
from netanalysis import pipeline as report
from netanalysis.cli import cli
from netanalysis.config import Settings
from netanalysis.errors import InputError, RecordError
from netanalysis.ingest import ReadOptions, iter_posts
from netanalysis.ingest.partitions import Partition, absorb, iter_parts, read_partition
from netanalysis.model import IngestStats
from netanalysis.pipeline import work as extraction_work


def read_in_parts(paths, size, options=None, by_place=False):
    """Posts and stats as the main process sees them when every part is read by a worker (with
    ``by_place``, from the file where its lines are)."""
    stats, posts, warned = IngestStats(), [], set()
    kinds = []
    for item, target in iter_parts(paths, options=options, stats=stats, size=size, by_place=by_place):
        if isinstance(item, Partition):
            plain = not str(item.path).endswith(".gz")
            assert (item.data is None) == (by_place and plain) and (item.place is not None) == (by_place and plain)
            item = pickle.loads(pickle.dumps(item))  # as it travels to a worker
            got, read = read_partition(item)
            read = pickle.loads(pickle.dumps(read))  # and back
            absorb(target, read, warned)
            kinds.append("part")
        else:
            got = item
            kinds.append("posts")
        posts += got
    return posts, stats, kinds


def read_whole(paths, options=None):
    stats = IngestStats()
    return list(iter_posts(paths, options=options, stats=stats)), stats


def same_posts(a, b):
    assert [(p.post_id, p.channel, p.date, p.date_source, p.text, p.source, p.forwarded_from) for p in a] == [
        (p.post_id, p.channel, p.date, p.date_source, p.text, p.source, p.forwarded_from) for p in b
    ]


def rows_file(path, n=40):
    """Table rows with the awkward cases: blank lines, broken JSON, a non-object, no text,
    a date without offset, a bad date, a lone CR inside a line, a BOM."""
    lines = []
    for i in range(n):
        if i % 9 == 3:
            lines.append("")
        if i % 11 == 5:
            lines.append('{"id": 99, "text": "broken')
        if i % 13 == 7:
            lines.append("[1, 2]")
        rec = {"id": i, "date": 1704067200 + 3600 * i, "channel": "MFA", "text": f"Post {i} on #BRICS and Russia"}
        if i % 7 == 2:
            rec["text"] = ""
        if i % 10 == 4:
            rec["date"] = "2024-02-03 10:00:00"  # no offset
        if i % 17 == 8:
            rec["date"] = "the day after"
        lines.append(json.dumps(rec, ensure_ascii=False))
    text = "\n".join(lines) + "\n"
    text = text.replace('"Post 12 on', '"Post 12\ron')  # a lone CR (JSON-escaped? no: raw)
    path.write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    return path


def telethon_file(path):
    """A Telethon dump where albums, service messages and broken lines fall on every cut."""
    recs = []
    mid = 100
    for block in range(12):
        group = 5000 + block if block % 2 else None
        parts = 1 + block % 4
        for k in range(parts):
            mid += 1
            rec = {
                "_": "Message",
                "id": mid,
                "peer_id": {"_": "PeerChannel", "channel_id": 42},
                "date": f"2024-03-{block + 1:02d}T10:00:0{k}+00:00",
                "message": f"part {k} of {block} #SCO" if k != 1 else "",
                "grouped_id": group,
            }
            recs.append(json.dumps(rec))
            if block % 3 == 1 and k == 0:
                recs.append(
                    json.dumps(
                        {
                            "_": "MessageService",
                            "id": mid + 1000,
                            "peer_id": {"channel_id": 42},
                            "date": "2024-03-01T10:00:00+00:00",
                            "action": {},
                        }
                    )
                )
            if block % 5 == 2 and k == 0:
                recs.append('{"_": "Message", "id": ')
    path.write_text("\n".join(recs) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("by_place", [False, True])
@pytest.mark.parametrize("size", [1, 2, 3, 7, 1000])
def test_rows_read_in_parts_equal_the_whole_file(tmp_path, size, caplog, by_place):
    path = rows_file(tmp_path / "rows.jsonl")
    whole, whole_stats = read_whole([path])
    with caplog.at_level(logging.WARNING):
        caplog.clear()
        parts, part_stats, kinds = read_in_parts([path], size, by_place=by_place)
    assert kinds == ["part"] * len(kinds) and (len(kinds) > 5 or size == 1000)
    same_posts(parts, whole)
    assert part_stats.as_dict() == whole_stats.as_dict()
    assert whole_stats.files[0].problems and whole_stats.files[0].skipped_kinds["no_text"] > 0
    naive = [r for r in caplog.records if "no UTC offset" in r.getMessage()]
    assert len(naive) == 1  # once per file, not once per part


@pytest.mark.parametrize("block", [1, 10, 64, 1 << 20])  # bytes of lines read at a time
@pytest.mark.parametrize("size", [1, 2, 3, 1000])
@pytest.mark.parametrize("by_place", [False, True])
def test_parts_cut_from_blocks_of_lines_keep_the_line_numbers(tmp_path, monkeypatch, block, size, by_place):
    # lines read in blocks of any size, lone carriage returns (old Mac line ends: a line of its
    # own) before and after partition ends: the posts, counts and problem lines of one piece
    from netanalysis.ingest import files, partitions

    monkeypatch.setattr(partitions, "raw_line_blocks", lambda path: files.raw_line_blocks(path, block))
    path = tmp_path / "cr.jsonl"
    lines = []
    for i in range(30):
        text = "broken\r" if i % 7 == 3 else f"ok #UN {i}"
        lines.append(f'{{"id": {i}, "text": "{text}"}}' if i % 5 else f'{{"id": {i}, "text": "x #SCO"}}\r')
    path.write_bytes(("\n".join(lines) + "\n").encode())
    assert path.read_bytes().count(b"\r") > 5
    whole, whole_stats = read_whole([path])
    parts, part_stats, kinds = read_in_parts([path], size, by_place=by_place)
    assert set(kinds) == {"part"} and len(kinds) >= (30 // size if size < 30 else 1)
    same_posts(parts, whole)
    assert part_stats.as_dict() == whole_stats.as_dict()
    assert whole_stats.files[0].problems  # (the lone returns broke records: their lines are named)


def test_problems_keep_the_file_order_and_cap(tmp_path):
    path = tmp_path / "many.jsonl"
    path.write_text(
        "".join(
            f'{{"id": {i}, "text": "broken\n' if i % 2 else f'{{"id": {i}, "text": "ok #UN"}}\n' for i in range(100)
        ),
        encoding="utf-8",
    )
    whole, whole_stats = read_whole([path])
    parts, part_stats, _ = read_in_parts([path], 3)
    assert part_stats.as_dict() == whole_stats.as_dict()
    problems = part_stats.files[0].problems
    assert len(problems) == 20 and problems[0][0] == "2" and problems[-1][0] == "40"


@pytest.mark.parametrize("by_place", [False, True])
@pytest.mark.parametrize("size", [1, 2, 3, 5])
def test_telethon_albums_are_never_split(tmp_path, size, by_place):
    path = telethon_file(tmp_path / "dump.jsonl")
    whole, whole_stats = read_whole([path])
    parts, part_stats, kinds = read_in_parts([path], size, by_place=by_place)
    assert len(kinds) > 3
    same_posts(parts, whole)
    assert part_stats.as_dict() == whole_stats.as_dict()
    assert whole_stats.files[0].skipped_kinds.get("album_part", 0) > 5
    # a post of an album holds every part's text
    assert any(p.text.count("#SCO") == 3 for p in whole)


@pytest.mark.parametrize("by_place", [False, True])
def test_other_formats_and_dedupe_are_read_here(tmp_path, by_place):
    rows = rows_file(tmp_path / "a.jsonl")
    text = tmp_path / "b.txt"
    text.write_text("Russian MFA, [1/1/2024 10:00 AM]\nLavrov on #BRICS and China\n", encoding="utf-8")
    gz = tmp_path / "c.jsonl.gz"
    gz.write_bytes(gzip.compress(rows.read_bytes()))
    whole, whole_stats = read_whole([rows, text, gz])
    parts, part_stats, kinds = read_in_parts([rows, text, gz], 4, by_place=by_place)
    same_posts(parts, whole)
    assert part_stats.as_dict() == whole_stats.as_dict()
    assert "posts" in kinds and kinds[0] == "part" and kinds[-1] == "part"  # gzip is cut too
    deduped = ReadOptions(dedupe=True)
    parts, _, kinds = read_in_parts([rows], 4, deduped)
    assert set(kinds) == {"posts"}
    same_posts(parts, read_whole([rows], deduped)[0])


def test_a_strict_error_in_a_worker_names_the_file_and_line(tmp_path, monkeypatch):
    path = tmp_path / "rows.jsonl"
    good = '{"id": %d, "text": "on #UN"}\n'
    path.write_text("".join(good % i for i in range(30)) + '{"id": 31, "text": \n' + good % 32, encoding="utf-8")
    monkeypatch.setattr(batch, "CHUNK", 4)
    result = CliRunner().invoke(cli, ["parse", str(path), "-o", str(tmp_path / "out"), "--strict", "--jobs", "2"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1].startswith(f"Error: {path}: record 31:")
    assert "Traceback" not in result.output


def test_undecodable_bytes_in_a_late_part_name_their_line(tmp_path, monkeypatch):
    path = tmp_path / "rows.jsonl"
    good = b'{"id": %d, "text": "on #UN"}\n'
    path.write_bytes(b"".join(good % i for i in range(20)) + b'{"id": 20, "text": "\xff"}\n')
    monkeypatch.setattr(batch, "CHUNK", 6)
    with pytest.raises(InputError, match="line 21"):
        report.run("parse", [path], tmp_path / "out", Settings(jobs=2))


def test_errors_survive_the_trip_from_a_worker():
    for error in (InputError("a.jsonl", "bad"), RecordError("a.jsonl", 7, "no id")):
        back = pickle.loads(pickle.dumps(error))
        assert type(back) is type(error) and str(back) == str(error) and back.path == "a.jsonl"


def test_a_run_reads_in_parts_and_writes_the_same_files(tmp_path, monkeypatch):
    paths = [rows_file(tmp_path / "rows.jsonl"), telethon_file(tmp_path / "dump.jsonl")]
    first = report.run("graph", paths, tmp_path / "whole", Settings(jobs=1))
    monkeypatch.setattr(batch, "CHUNK", 3)
    seen = []
    real = extraction_work.read_partition
    monkeypatch.setattr(extraction_work, "read_partition", lambda part: seen.append(part) or real(part))
    second = report.run("graph", paths, tmp_path / "parts", Settings(jobs=1))
    assert len(seen) > 10
    for name in ("posts.csv", "mentions.csv", "edges.csv", "nodes.csv"):
        assert (tmp_path / "parts" / name).read_bytes() == (tmp_path / "whole" / name).read_bytes(), name
    assert second.stats.as_dict() == first.stats.as_dict()
    assert len(pd.read_csv(tmp_path / "parts" / "posts.csv")) == first.counts["posts"] > 30


@pytest.mark.parametrize("name", ["telethon.jsonl"])
@pytest.mark.parametrize("size", [1, 2])
def test_the_format_fixtures_read_in_parts_as_in_one_piece(name, size):
    from pathlib import Path

    path = Path(__file__).parent / "fixtures" / "formats" / "roundtrip" / name
    whole, whole_stats = read_whole([path])
    parts, part_stats, kinds = read_in_parts([path], size)
    assert set(kinds) == {"part"} and len(whole) > 1
    same_posts(parts, whole)
    assert part_stats.as_dict() == whole_stats.as_dict()


def _placed_parts(path, size):
    parts = [item for item, _ in iter_parts([path], size=size, by_place=True)]
    assert parts and all(isinstance(p, Partition) and p.data is None for p in parts)
    return [pickle.loads(pickle.dumps(p)) for p in parts]


def test_a_part_read_where_it_is_sees_lines_appended_meanwhile_as_not_its_own(tmp_path):
    path = rows_file(tmp_path / "rows.jsonl")
    whole, _ = read_whole([path])
    parts = _placed_parts(path, 5)
    with open(path, "ab") as out:  # (a scraper still writing the file)
        out.write(b'{"id": 1000, "text": "late #UN"}\n')
    posts = [post for part in parts for post in read_partition(part)[0]]
    same_posts(posts, whole)


@pytest.mark.parametrize("change", ["rewritten", "replaced", "truncated", "removed"])
def test_a_part_of_a_file_changed_meanwhile_is_an_input_error(tmp_path, change):
    # the worker reads a partition's bytes where the main process cut them: another file there,
    # other bytes, or none, stop the run with the file named, never other posts
    path = rows_file(tmp_path / "rows.jsonl")
    parts = _placed_parts(path, 5)
    data = path.read_bytes()
    if change == "rewritten":  # the same file, the same size, other bytes (a post's id changed)
        with open(path, "r+b") as out:
            out.write(data.replace(b'"id": 0,', b'"id": 9,', 1))
        assert path.stat().st_size == len(data)
    elif change == "replaced":  # an editor's way: a new file renamed over the old one
        fresh = tmp_path / "new.jsonl"
        fresh.write_bytes(data)
        fresh.replace(path)
    elif change == "truncated":
        path.write_bytes(data[: len(data) // 2])
    else:
        path.unlink()
    with pytest.raises(InputError) as caught:
        for part in parts:
            read_partition(part)
    assert caught.value.path == str(path)
    expected = "cannot be read" if change == "removed" else "changed while it was being read"
    assert expected in caught.value.problem


def test_a_run_with_workers_sends_where_the_lines_are(tmp_path, monkeypatch):
    # two worker processes: the run's process cuts the file by place (a cluster or one process
    # is sent the bytes), and the files are those of a run in one process
    from netanalysis.ingest import partitions
    from netanalysis.pipeline import corpus

    path = rows_file(tmp_path / "rows.jsonl", n=120)
    first = report.run("graph", [path], tmp_path / "one", Settings(jobs=1))
    monkeypatch.setattr(batch, "CHUNK", 7)
    asked = []
    real = partitions.iter_parts

    def spy(*args, **kwargs):
        asked.append(kwargs.get("by_place"))
        return real(*args, **kwargs)

    monkeypatch.setattr(corpus, "iter_parts", spy)
    second = report.run("graph", [path], tmp_path / "two", Settings(jobs=2))
    report.run("graph", [path], tmp_path / "again", Settings(jobs=1))
    assert asked == [True, False]
    for name in ("posts.csv", "mentions.csv", "edges.csv", "nodes.csv"):
        assert (tmp_path / "two" / name).read_bytes() == (tmp_path / "one" / name).read_bytes(), name
    assert second.stats.as_dict() == first.stats.as_dict()
