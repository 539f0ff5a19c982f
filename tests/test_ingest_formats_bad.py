"""Bad input: clear errors naming the file and place, counted skips, strict mode, dedupe."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest

from netanalysis.errors import InputError, RecordError
from netanalysis.ingest import ReadOptions, dedupe_posts, iter_posts, read_posts
from netanalysis.ingest.dedupe import normalise_text
from netanalysis.model import IngestStats, Post

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
BAD = FIXTURES / "bad"
ROUNDTRIP = FIXTURES / "roundtrip"


def read(path, fmt=None, **options):
    stats = IngestStats()
    frame = read_posts(path, fmt, options=ReadOptions(**options), stats=stats)
    return frame, stats


def test_truncated_json_names_file_and_position():
    with pytest.raises(InputError) as info:
        read(BAD / "truncated_result.json")
    message = str(info.value)
    assert message.startswith(
        str(BAD / "truncated_result.json") + ": invalid JSON at line 122, column 14 "
        "(character 2435): Unterminated string"
    )
    assert message.endswith("the file ends too early (truncated?)")


def test_truncated_json_in_any_json_reader(tmp_path):
    path = tmp_path / "dump.json"
    path.write_text('{"count": 2, "messages": [{"_": "Message", "id": 1, "message": "hi"', encoding="utf-8")
    for fmt in ("json", "telethon", "telegram_json", None):
        with pytest.raises(InputError, match=r"dump\.json: invalid JSON at line 1, column \d+"):
            read(path, fmt)


def test_broken_jsonl_lines_are_skipped_and_counted():
    frame, stats = read(BAD / "broken.jsonl")
    assert frame["text"].tolist() == ["The #SCO ministers met in Astana.", "A post with a bad date #UN"]
    f = stats.files[0]
    assert (f.records, f.read, f.skipped) == (6, 2, 4)
    assert f.skipped_kinds == {"malformed": 3, "no_text": 1}
    assert [record for record, _ in f.problems] == ["2", "3", "6", "7"]
    assert f.problems[1] == ("3", "a JSON list, not an object")
    assert "date 'yesterday' not understood" in f.problems[2][1]
    assert pd.isna(frame["date"][1]) and frame["date_source"][1] == "none"


def test_broken_csv_rows_are_skipped_with_their_line():
    frame, stats = read(BAD / "broken.csv")
    assert frame["text"].tolist() == [
        "The #SCO ministers met in Astana.",
        "A quoted field\nthat spans two lines #BRICS",
    ]
    assert frame["source"].tolist() == ["broken.csv:2", "broken.csv:4"]
    f = stats.files[0]
    assert (f.records, f.read, f.skipped) == (5, 2, 3)
    assert f.problems == [("3", "expected 4 fields, found 5"), ("6", "expected 4 fields, found 2")]
    assert f.skipped_kinds == {"malformed": 2, "no_text": 1}


def test_strict_mode_stops_at_the_first_malformed_record():
    with pytest.raises(RecordError) as info:
        read(BAD / "broken.csv", strict=True)
    assert str(info.value) == f"{BAD / 'broken.csv'}: record 3: expected 4 fields, found 5"
    assert info.value.record == 3
    with pytest.raises(RecordError, match=r"broken\.jsonl: record 2: invalid JSON"):
        read(BAD / "broken.jsonl", strict=True)


def test_strict_mode_does_not_stop_at_skips_that_are_not_malformed():
    frame, stats = read(ROUNDTRIP / "result.json", strict=True)
    assert len(frame) == 6 and stats.skipped == 2


def test_wrong_encoding_suggests_cp1251():
    with pytest.raises(InputError) as info:
        read(BAD / "cp1251.csv")
    assert str(info.value) == (
        f"{BAD / 'cp1251.csv'}: line 2: not valid utf-8 text (try --encoding cp1251 for Windows Cyrillic text)"
    )
    frame, _ = read(BAD / "cp1251.csv", encoding="cp1251")
    assert frame["text"].tolist() == ["Саммит #БРИКС"]
    assert frame["channel"].tolist() == ["МИД России"]


@pytest.mark.parametrize("name", ["messages.html", "result.json", "telethon.jsonl"])
def test_wrong_encoding_in_other_formats(tmp_path, name):
    text = (ROUNDTRIP / name).read_text(encoding="utf-8").replace("Lavrov", "Лавров")
    path = tmp_path / name
    path.write_bytes(text.encode("cp1251", errors="replace"))
    with pytest.raises(InputError, match=r"not valid utf-8 text \(try --encoding cp1251"):
        read(path)


def test_unknown_encoding(tmp_path):
    with pytest.raises(InputError, match="unknown encoding 'klingon'"):
        read(ROUNDTRIP / "posts.csv", encoding="klingon")


@pytest.mark.parametrize(
    "content, problem",
    [
        (b"", "file is empty"),
        (b"\x00\x01\x02binary", "binary file"),
        (b"just one line of text\n", "no text column"),
    ],
)
def test_files_that_cannot_be_read_at_all(tmp_path, content, problem):
    path = tmp_path / "posts.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=problem):
        read(path)


def test_not_parquet_and_not_gzip(tmp_path):
    (tmp_path / "x.parquet").write_bytes(b"PAR1 this is not parquet at all PAR1")
    with pytest.raises(InputError, match=r"x\.parquet: not a readable Parquet file"):
        read(tmp_path / "x.parquet")
    (tmp_path / "y.jsonl.gz").write_bytes(b"not gzip data at all")
    with pytest.raises(InputError, match=r"y\.jsonl\.gz: cannot be read"):
        read(tmp_path / "y.jsonl.gz")


def test_json_of_unknown_shape(tmp_path):
    path = tmp_path / "weird.json"
    path.write_text('{"hello": "world"}', encoding="utf-8")
    with pytest.raises(InputError, match=r"weird\.json: JSON of unknown shape"):
        read(path)
    with pytest.raises(InputError, match="not a Telegram Desktop export"):
        read(path, "telegram_json")


def test_counts_add_up_for_every_fixture():
    for path in sorted(FIXTURES.rglob("*")):
        if not path.is_file() or path.name.startswith(("truncated", "cp1251")):
            continue
        stats = IngestStats()
        list(iter_posts(path, stats=stats))
        for f in stats.files:
            assert f.read + f.skipped == f.records > 0, f.path


def test_malformed_records_in_telegram_json(tmp_path):
    export = {
        "name": "MFA",
        "type": "public_channel",
        "id": 1,
        "messages": [
            "not an object",
            {"id": 2, "type": "message", "date": "2024-01-01T00:00:00", "text": 42},
            {"type": "message", "date": "2024-01-01T00:00:00", "text": "no id"},
            {
                "id": 4,
                "type": "message",
                "date": "2024-01-01T00:00:00",
                "date_unixtime": "1704067200",
                "text": "ok #UN",
            },
        ],
    }
    path = tmp_path / "result.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    frame, stats = read(path)
    assert frame["text"].tolist() == ["ok #UN"]
    assert [r for r, _ in stats.files[0].problems] == ["1", "2", "3"]
    assert stats.files[0].problems[1][1] == "text is a int, not a string or a list"


# -- dedupe ---------------------------------------------------------------------------------------
def test_dedupe_across_formats_and_forwards(tmp_path):
    # the same six posts in five formats: without dedupe 30 posts, with dedupe 6
    frame, stats = read(ROUNDTRIP, dedupe=True)
    assert len(frame) == 6 and stats.duplicates == 24
    assert frame["post_id"].str.startswith("messages:").all()  # the first file read keeps its posts
    assert all(f.read + f.skipped == f.records for f in stats.files)
    assert stats.files[1].skipped_kinds.get("duplicate") == 6
    plain, plain_stats = read(ROUNDTRIP)
    assert len(plain) == 30 and plain_stats.duplicates == 0


def test_dedupe_order_does_not_matter_between_keyed_and_sourceless_posts():
    json_first, _ = read([ROUNDTRIP / "result.json", ROUNDTRIP / "messages.html"], dedupe=True)
    html_first, _ = read([ROUNDTRIP / "messages.html", ROUNDTRIP / "result.json"], dedupe=True)
    assert len(json_first) == len(html_first) == 6
    # Telegram JSON and Telethon share channel and message ids; a table names the channel its own way
    both, stats = read([ROUNDTRIP / "result.json", ROUNDTRIP / "telethon.jsonl"], dedupe=True)
    assert len(both) == 6 and stats.duplicates == 6
    keyed, _ = read([ROUNDTRIP / "result.json", ROUNDTRIP / "posts.csv"], dedupe=True)
    # only the forward (no source message in a Desktop export, so keyed by text) is matched
    assert len(keyed) == 11
    assert keyed["post_id"].tolist()[6:] == [f"posts:MFA Russia:{i}" for i in (101, 103, 104, 105, 106)]


def test_dedupe_by_source_message_keeps_distinct_posts_with_the_same_text(tmp_path):
    lines = [
        {
            "_": "Message",
            "id": 1,
            "peer_id": {"channel_id": 10},
            "date": "2024-01-01 00:00:00+00:00",
            "message": "Good morning #UN",
        },
        {
            "_": "Message",
            "id": 2,
            "peer_id": {"channel_id": 10},
            "date": "2024-01-02 00:00:00+00:00",
            "message": "Good morning #UN",
        },
        {
            "_": "Message",
            "id": 7,
            "peer_id": {"channel_id": 20},
            "date": "2024-01-02 01:00:00+00:00",
            "message": "GOOD  morning #un https://t.me/x",
            "fwd_from": {"from_id": {"channel_id": 10}, "channel_post": 2},
        },
        {
            "_": "Message",
            "id": 8,
            "peer_id": {"channel_id": 20},
            "date": "2024-01-03 01:00:00+00:00",
            "message": "Forwarded from a user #UN",
            "fwd_from": {"from_name": "someone"},
        },
        {
            "_": "Message",
            "id": 9,
            "peer_id": {"channel_id": 30},
            "date": "2024-01-03 02:00:00+00:00",
            "message": "forwarded from a user  #UN",
            "fwd_from": {"from_name": "someone"},
        },
    ]
    path = tmp_path / "dump.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    frame, stats = read(path, dedupe=True)
    assert frame["post_id"].tolist() == ["dump:10:1", "dump:10:2", "dump:20:8"]
    assert stats.duplicates == 2


def test_dedupe_posts_on_a_stream():
    posts = [
        Post(f"p:{i}", "c", None, "none", text, f"s#{i}")
        for i, text in enumerate(
            ["The #BRICS summit", "the  #brics SUMMIT https://mid.ru/x", "Ｔｈｅ #BRICS summit", "Other"]
        )
    ]
    stats = IngestStats()
    kept = list(dedupe_posts(iter(posts), stats))
    assert [p.post_id for p in kept] == ["p:0", "p:3"]
    assert stats.duplicates == 2
    assert normalise_text("Ｔｈｅ\u00a0#BRICS\n\nsummit www.mid.ru") == "the #brics summit"


def test_gzipped_truncated_jsonl(tmp_path):
    path = tmp_path / "rows.jsonl.gz"
    path.write_bytes(gzip.compress(b'{"text": "one #UN"}\n{"text": "two')[:-4])
    with pytest.raises(InputError, match=r"rows\.jsonl\.gz: cannot be read"):
        read(path)


def test_unknown_format_is_a_config_error():
    from netanalysis.errors import ConfigError

    with pytest.raises(ConfigError, match=r"unknown input format 'xml'; choose auto or one of csv, json"):
        read(ROUNDTRIP / "posts.csv", "xml")
