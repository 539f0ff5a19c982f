"""Readers of real export formats: Telegram Desktop JSON and HTML, Telethon dumps, tables."""

from __future__ import annotations

import gzip
import json
import logging
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from netanalysis.errors import ConfigError, InputError
from netanalysis.ingest import FORMATS, ReadOptions, detect_format, iter_posts, read_posts
from netanalysis.ingest.files import expand_inputs
from netanalysis.ingest.telethon import strip_markdown, utf16_slice
from netanalysis.model import IngestStats, Post

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
ROUNDTRIP = FIXTURES / "roundtrip"
ROUNDTRIP_FILES = ["result.json", "messages.html", "telethon.jsonl", "posts.csv", "posts.parquet"]

EXPECTED_DATES = [
    datetime(2024, 4, 8, 7, 0, tzinfo=UTC),
    datetime(2024, 5, 20, 10, 30, tzinfo=UTC),
    datetime(2024, 6, 25, 12, 0, tzinfo=UTC),
    datetime(2024, 7, 3, 9, 15, tzinfo=UTC),
    datetime(2024, 9, 5, 14, 0, tzinfo=UTC),
    datetime(2024, 10, 7, 8, 0, tzinfo=UTC),
]


def read(path, fmt=None, **options):
    stats = IngestStats()
    frame = read_posts(path, fmt, options=ReadOptions(**options), stats=stats)
    return frame, stats


# -- round trip: the same posts in five formats ------------------------------------------------
@pytest.mark.parametrize("name", ROUNDTRIP_FILES)
def test_roundtrip_texts_and_dates(name):
    reference, _ = read(ROUNDTRIP / "result.json")
    frame, stats = read(ROUNDTRIP / name)
    assert frame["text"].tolist() == reference["text"].tolist()
    assert frame["date"].tolist() == EXPECTED_DATES
    assert set(frame["date_source"]) == {"metadata"}
    assert str(frame["date"].dtype) == "datetime64[ns, UTC]" or str(frame["date"].dtype).endswith(", UTC]")
    f = stats.files[0]
    assert f.read == 6 and f.read + f.skipped == f.records
    assert f.problems == []


def test_roundtrip_reference_text_is_what_telegram_shows():
    frame, _ = read(ROUNDTRIP / "result.json")
    assert frame["text"][0] == (
        "🇷🇺🇨🇳 On April 8-9, Foreign Minister Sergey Lavrov will pay an official visit to "
        "China.\nThe Ministers will discuss joint efforts at the #UN, #BRICS, the #SCO and the #G20."
    )
    assert frame["text"][2].startswith('🇷🇺🇧🇾 (Minsk, June 25, 2024) Talks on the Union State & the "Eurasian')
    assert frame["text"][4].endswith("<in New York>.\n\nRead more: https://mid.ru/en/")


@pytest.mark.parametrize("name", ROUNDTRIP_FILES[1:])
def test_roundtrip_same_mentions(name):
    from netanalysis.extract import extract_mentions  # here, so the other tests do not depend on extraction

    reference, _ = read(ROUNDTRIP / "result.json")
    frame, _ = read(ROUNDTRIP / name)

    def by_position(posts):
        mentions = extract_mentions(posts)
        position = {pid: i for i, pid in enumerate(posts["post_id"])}
        mentions["post_id"] = mentions["post_id"].map(position)
        return mentions.sort_values(["post_id", "start", "kind", "entity"]).reset_index(drop=True)

    expected = by_position(reference)
    assert len(expected) > 20
    assert {"BRICS", "SCO", "CSTO", "RU", "CN"} <= set(expected["entity"])
    pd.testing.assert_frame_equal(by_position(frame), expected)


def test_roundtrip_skipped_kinds_per_format():
    kinds = {name: read(ROUNDTRIP / name)[1].files[0].skipped_kinds for name in ROUNDTRIP_FILES}
    assert kinds["result.json"] == {"service": 1, "no_text": 1}
    assert kinds["messages.html"] == {"service": 2, "no_text": 1}
    assert kinds["telethon.jsonl"] == {"service": 1, "album_part": 1}
    assert kinds["posts.csv"] == {"no_text": 1}


def test_forwards_in_each_format():
    assert read(ROUNDTRIP / "result.json")[0]["forwarded_from"][1] == "Russian MFA"
    assert read(ROUNDTRIP / "messages.html")[0]["forwarded_from"][1] == "Russian MFA"
    assert read(ROUNDTRIP / "telethon.jsonl")[0]["forwarded_from"][1] == "channel:1101806611"
    assert read(ROUNDTRIP / "result.json")[0]["forwarded_from"].isna().sum() == 5


# -- format detection and input discovery -------------------------------------------------------
def test_detect_format():
    assert detect_format(ROUNDTRIP / "result.json") == "telegram_json"
    assert detect_format(FIXTURES / "account" / "result.json") == "telegram_json"
    assert detect_format(ROUNDTRIP / "messages.html") == "telegram_html"
    assert detect_format(ROUNDTRIP / "telethon.jsonl") == "jsonl"
    assert detect_format(ROUNDTRIP / "posts.csv") == "table"
    assert detect_format(ROUNDTRIP / "posts.parquet") == "table"
    assert detect_format(FIXTURES / "telethon" / "scraper.json") == "json"
    for fmt in ("telegram_json", "telegram_html", "telethon", "json", "jsonl", "table", "csv", "tsv", "parquet"):
        assert fmt in FORMATS


def test_jsonl_inside_a_json_file_is_read_line_by_line(tmp_path):
    target = tmp_path / "dump.json"
    shutil.copy(ROUNDTRIP / "telethon.jsonl", target)
    frame, stats = read(target)
    assert len(frame) == 6 and stats.files[0].skipped_kinds == {"service": 1, "album_part": 1}


def test_directory_glob_and_gzip_inputs(tmp_path):
    for name in ROUNDTRIP_FILES:
        data = (ROUNDTRIP / name).read_bytes()
        (tmp_path / (name + ".gz")).write_bytes(gzip.compress(data))
    frame, stats = read(tmp_path)
    assert len(frame) == 30
    assert frame["post_id"].is_unique
    assert sorted(f.format for f in stats.files) == ["jsonl", "table", "table", "telegram_html", "telegram_json"]
    by_glob, _ = read(str(tmp_path / "*.csv.gz"))
    assert len(by_glob) == 6


def test_html_pages_are_read_in_page_order(tmp_path):
    page = (FIXTURES / "html_old" / "messages2.html").read_text(encoding="utf-8")
    for n in (2, 10, 3):
        (tmp_path / f"messages{n}.html").write_text(page.replace("message45", f"message{n}0"), encoding="utf-8")
    shutil.copy(FIXTURES / "html_old" / "messages.html", tmp_path / "messages.html")
    names = [p.name for p in expand_inputs(tmp_path)]
    assert names == ["messages.html", "messages2.html", "messages3.html", "messages10.html"]
    frame, _ = read(tmp_path)
    assert frame["post_id"].tolist()[-3:] == ["messages2:20", "messages3:30", "messages10:100"]


# -- Telegram Desktop JSON -------------------------------------------------------------------------
def test_whole_account_export(caplog):
    with caplog.at_level(logging.WARNING):
        frame, stats = read(FIXTURES / "account" / "result.json")
    assert frame["post_id"].tolist() == [
        "result:1234567890:5",
        "result:1234567890:7",
        "result:1234567890:8",
        "result:1156931015:900",
        "result:1156931015:902",
    ]
    assert frame["channel"].tolist()[::3] == ["Embassy of Russia in South Africa", "MFA Russia"]
    assert frame["source"][0] == "result.json#1234567890/5"
    f = stats.files[0]
    assert f.skipped_kinds == {"service": 1, "unsupported": 1}
    assert (f.records, f.read, f.undated) == (7, 5, 1)
    assert "no UTC offset" in caplog.text and "--tz" in caplog.text


def test_old_export_dates_without_offset():
    frame, _ = read(FIXTURES / "account" / "result.json")
    assert frame["date"][0] == pd.Timestamp("2019-12-20 12:00:34", tz="UTC")
    moscow, _ = read(FIXTURES / "account" / "result.json", tz="Europe/Moscow")
    assert moscow["date"][0] == pd.Timestamp("2019-12-20 09:00:34", tz="UTC")
    # date_unixtime wins over the local date whatever the zone
    assert moscow["date"][3] == frame["date"][3] == pd.Timestamp("2024-11-01 07:00:00", tz="UTC")


def test_unknown_time_zone_is_a_config_error():
    with pytest.raises(ConfigError, match="Mars/Olympus"):
        ReadOptions(tz="Mars/Olympus")


def test_invalid_x_escapes_are_tolerated_but_escaped_backslashes_are_not_touched():
    frame, _ = read(FIXTURES / "account" / "result.json")
    assert frame["text"][1] == "Tab\tand vertical\x0btab; a path C:\\x41 stays as written. #RussiaSouthAfrica"


def test_rich_message_and_entity_objects():
    frame, _ = read(FIXTURES / "account" / "result.json")
    assert frame["text"][3] == "Lavrov on the #CICA meeting\nAstana, 1 November 2024"
    assert frame["text"][4] == "🇷🇺 Statement on the @MFARussia channel: the #UN Charter matters."
    assert frame["forwarded_from"][4] == "Russian MFA"


def test_unreadable_date_keeps_the_post_undated():
    frame, stats = read(FIXTURES / "account" / "result.json")
    row = frame.iloc[2]
    assert row["text"].startswith("A post whose date cannot be read")
    assert pd.isna(row["date"]) and row["date_source"] == "none"
    assert stats.files[0].problems == [
        ("1234567890/8", "date '21.12.2019 (sometime)' not understood; post kept undated")
    ]


def test_text_entities_used_when_text_is_missing(tmp_path):
    export = {
        "name": "MFA",
        "type": "public_channel",
        "id": 1,
        "messages": [
            {
                "id": 1,
                "type": "message",
                "date": "2024-01-01T00:00:00",
                "date_unixtime": "1704067200",
                "text_entities": [{"type": "plain", "text": "On the "}, {"type": "hashtag", "text": "#EAEU"}],
            }
        ],
    }
    path = tmp_path / "result.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    frame, _ = read(path)
    assert frame["text"].tolist() == ["On the #EAEU"]


# -- Telegram Desktop HTML -----------------------------------------------------------------------------
def test_html_old_russian_export():
    frame, stats = read(FIXTURES / "html_old", tz="Europe/Moscow")
    assert frame["channel"].unique().tolist() == ["МИД России"]
    assert frame["text"][0] == "🇷🇺🇨🇳 С.В.#Лавров провёл переговоры с Ван И.\n#ШОС #БРИКС #РоссияКитай"
    assert frame["text"][1] == "Консультации по линии #ООН & #ОДКБ."
    assert frame["forwarded_from"][1] == "Посольство России в ЮАР"
    assert frame["date"][0] == pd.Timestamp("2019-12-20 09:00:34", tz="UTC")
    assert pd.isna(frame["date"][2]) and frame["date_source"][2] == "none"
    assert [f.skipped_kinds for f in stats.files] == [{"service": 1}, {"no_text": 1}]
    assert stats.files[0].problems[0][0] == "43"


def test_html_joined_messages_are_posts_of_their_own():
    frame, _ = read(ROUNDTRIP / "messages.html")
    assert frame["post_id"].tolist() == [f"messages:{i}" for i in range(101, 107)]
    assert frame["source"][0] == "messages.html#101"


def test_html_without_messages_is_an_input_error(tmp_path):
    path = tmp_path / "page.html"
    path.write_text("<html><body><p>Hello</p></body></html>", encoding="utf-8")
    with pytest.raises(InputError, match=r"page\.html: no Telegram messages found"):
        read(path)


# -- Telethon and scrapers -------------------------------------------------------------------------
def test_telethon_album_is_one_post():
    frame, stats = read(ROUNDTRIP / "telethon.jsonl")
    assert frame["post_id"].tolist()[-1] == "telethon:1156931015:106"
    assert stats.files[0].records == 8


def test_scraper_wrapper_with_markdown():
    frame, stats = read(FIXTURES / "telethon" / "scraper.json")
    assert frame["text"].tolist() == [
        "Sergey Lavrov met the #SCO Secretary-General.\nBeijing, 9 10 December",
        "Photos from the visit\n#BRICS #RussiaChina",
    ]
    assert frame["channel"].tolist() == ["Russian MFA", "Russian MFA"]
    assert stats.files[0].skipped_kinds == {"album_part": 1, "no_text": 1}


def test_telethon_format_forced_on_a_json_list(tmp_path):
    records = [json.loads(line) for line in (ROUNDTRIP / "telethon.jsonl").read_text(encoding="utf-8").splitlines()]
    path = tmp_path / "dump.json"
    path.write_text(json.dumps(records[::-1], ensure_ascii=False, indent=2), encoding="utf-8")
    frame = read_posts(path, "telethon")
    assert len(frame) == 6  # newest first, as iter_messages gives them: the album is still merged
    assert frame["post_id"].tolist()[0] == "dump:1156931015:106"


def test_utf16_offsets_and_markdown():
    text = "🇷🇺🇨🇳 talks at the #SCO"
    assert utf16_slice(text, 22, 4) == "#SCO"  # a flag is 4 UTF-16 units, 2 code points
    assert text[18:22] == "#SCO" and text[22:26] != "#SCO"
    assert strip_markdown("`code` and ```pre``` and ||spoiler||") == "code and pre and spoiler"
    assert strip_markdown("a__init__ stays") == "a__init__ stays"


# -- tables ----------------------------------------------------------------------------------------
def test_table_column_overrides_and_errors(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("msg,when,source_channel,ref\n#BRICS summit,1712559600000,mfa,9\n", encoding="utf-8")
    with pytest.raises(
        InputError,
        match=r"export\.csv: no text column .* the columns are: msg, when, "
        r"source_channel, ref; name it with --text-col",
    ):
        read(path)
    frame, _ = read(path, text_col="msg", date_col="when", channel_col="source_channel", id_col="ref")
    row = frame.iloc[0]
    assert (row["text"], row["channel"], row["post_id"]) == ("#BRICS summit", "mfa", "export:mfa:9")
    assert row["date"] == pd.Timestamp("2024-04-08 07:00", tz="UTC")  # milliseconds
    with pytest.raises(InputError, match=r"no column 'stamp' \(--date-col\); the columns are: msg, when"):
        read(path, text_col="msg", date_col="stamp")


def test_tsv_semicolon_csv_and_common_names(tmp_path):
    (tmp_path / "a.tsv").write_text(
        "Message_ID\tChat\tCreated_At\tContent\n1\tmfa\t2024-04-08 07:00:00\t#SCO\n", encoding="utf-8"
    )
    (tmp_path / "b.csv").write_text("id;author;unix_timestamp;body\n2;embassy;1712559600;#UN\n", encoding="utf-8")
    frame, _ = read(tmp_path, channel="fallback")
    assert frame["text"].tolist() == ["#SCO", "#UN"]
    assert frame["channel"].tolist() == ["mfa", "embassy"]
    assert frame["date"].tolist() == [pd.Timestamp("2024-04-08 07:00", tz="UTC")] * 2


def test_table_without_channel_or_id_uses_fallbacks(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text(
        '{"text": "first #UN"}\n{"text": "second #UN", "date": "2024-01-02T03:04:05+03:00"}\n', encoding="utf-8"
    )
    frame, _ = read(path, channel="Embassy")
    assert frame["post_id"].tolist() == ["rows:1", "rows:2"]
    assert frame["channel"].tolist() == ["Embassy", "Embassy"]
    assert frame["source"].tolist() == ["rows.jsonl:1", "rows.jsonl:2"]
    assert frame["date"][1] == pd.Timestamp("2024-01-02 00:04:05", tz="UTC")
    assert frame["date_source"].tolist() == ["none", "metadata"]


def test_parquet_streams_by_batches_and_reads_timestamps(tmp_path):
    n = 20000
    stamps = pa.array([1712559600 * 1000 + i for i in range(n)], pa.timestamp("ms", tz="UTC"))
    table = pa.table(
        {"id": list(range(n)), "text": [f"post {i} #SCO" for i in range(n)], "date": stamps, "unused": ["x" * 50] * n}
    )
    path = tmp_path / "big.parquet"
    pq.write_table(table, path, row_group_size=5000)
    posts = list(iter_posts(path))
    assert len(posts) == n and posts[-1].text == f"post {n - 1} #SCO"
    assert posts[0].date == datetime(2024, 4, 8, 7, 0, tzinfo=UTC)


def test_posts_are_plain_posts():
    posts = list(iter_posts(ROUNDTRIP / "telethon.jsonl"))
    assert all(type(p) is Post for p in posts)
    assert posts[0] == Post(
        posts[0].post_id, posts[0].channel, posts[0].date, "metadata", posts[0].text, posts[0].source, None
    )


def test_json_rows_read_as_a_table(tmp_path):
    path = tmp_path / "rows.json"
    path.write_text(
        json.dumps([{"id": 1, "date": 1712559600, "body": "#SCO", "views": 3}, "junk", {"id": 2, "body": ""}]),
        encoding="utf-8",
    )
    for fmt in (None, "json", "table"):  # "views" alone does not make a message dump: no message/text
        frame, stats = read(path, fmt)
        assert frame["text"].tolist() == ["#SCO"]
        assert frame["date"][0] == pd.Timestamp("2024-04-08 07:00", tz="UTC")
        assert stats.files[0].skipped_kinds == {"malformed": 1, "no_text": 1}


def test_whole_account_chat_without_id(tmp_path):
    export = {
        "chats": {
            "list": [
                {
                    "name": "Saved Messages",
                    "type": "saved_messages",
                    "messages": [{"id": 1, "type": "message", "date_unixtime": "1704067200", "text": "note on #G20"}],
                }
            ]
        }
    }
    path = tmp_path / "result.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    frame, _ = read(path)
    assert frame["post_id"].tolist() == ["result:chat1:1"]


def tagged_message(text: str, offset: int, length: int) -> dict:
    """A Telethon message of channel 5 (id 1) whose text has one hashtag entity."""
    return {
        "_": "Message",
        "id": 1,
        "peer_id": {"channel_id": 5},
        "date": "2024-01-01 00:00:00+00:00",
        "message": text,
        "entities": [{"_": "MessageEntityHashtag", "offset": offset, "length": length}],
    }


def test_entities_that_do_not_fit_the_text_are_logged(tmp_path, caplog):
    good = tagged_message("🇷🇺 #UN", 5, 3)
    bad = {
        **good,
        "id": 2,
        "message": "🇷🇺 #SCO",
        "entities": [{"_": "MessageEntityHashtag", "offset": 3, "length": 4}],
    }  # Python offset, not UTF-16
    path = tmp_path / "dump.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    with caplog.at_level(logging.DEBUG, logger="netanalysis.ingest.telethon"):
        frame, _ = read(path)
    assert frame["text"].tolist() == ["🇷🇺 #UN", "🇷🇺 #SCO"]  # the text is what matters
    assert [r.getMessage().endswith("message 2") for r in caplog.records] == [True]


def test_a_lone_surrogate_before_a_tagged_hashtag_is_one_utf16_unit(tmp_path, caplog):
    """The bytes of a lone surrogate (ED A0 80, which ``json.loads`` decodes as U+D800) before a
    hashtag entity: the entity's offset counts it as one UTF-16 unit and fits, and the post is
    read with U+FFFD in its place (the entities' check raised UnicodeEncodeError before)."""
    record = tagged_message("@ #UN", 2, 3)
    path = tmp_path / "dump.jsonl"
    path.write_bytes(json.dumps(record).encode().replace(b"@", b"\xed\xa0\x80"))
    with caplog.at_level(logging.DEBUG, logger="netanalysis.ingest.telethon"):
        frame, _ = read(path)
    assert frame["text"].tolist() == ["\ufffd #UN"]
    assert not [r for r in caplog.records if "do not fit" in r.getMessage()]


@pytest.mark.parametrize(
    "value, expected, naive",
    [
        ("13.07.2023 14:05:11 UTC+03:00", "2023-07-13T11:05:11+00:00", False),
        ("13.07.2023 14:05:11 UTC-05:30", "2023-07-13T19:35:11+00:00", False),
        ("20 декабря 2019, 12:00:34", "2019-12-20T12:00:34+00:00", True),
        ("2022-12-10 11:07:36+00:00", "2022-12-10T11:07:36+00:00", False),
        ("2024-04-08T07:00:00Z", "2024-04-08T07:00:00+00:00", False),
        ("2023-07-13T14:05:11", "2023-07-13T14:05:11+00:00", True),
        ("1712559600", "2024-04-08T07:00:00+00:00", False),
        (1712559600000, "2024-04-08T07:00:00+00:00", False),
        ("Mon, 08 Apr 2024 10:00:00 +0300", "2024-04-08T07:00:00+00:00", False),
    ],
)
def test_parse_timestamp(value, expected, naive):
    from netanalysis.ingest.records import parse_timestamp

    dt, was_naive = parse_timestamp(value)
    assert (dt.isoformat(), was_naive) == (expected, naive)


@pytest.mark.parametrize("value", ["garbage", "99.99.9999", "31.02.2024 10:00", True, float("nan"), 1e30, [1]])
def test_parse_timestamp_rejects(value):
    from netanalysis.ingest.records import parse_timestamp

    with pytest.raises(ValueError, match="not understood|out of range|not a number"):
        parse_timestamp(value)
