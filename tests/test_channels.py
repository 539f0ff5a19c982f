"""Channel attribution: the same posts read from any format name the same channel and origin."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from netanalysis.ingest import ReadOptions, read_posts
from netanalysis.ingest.channels import channel_name
from netanalysis.ingest.partitions import iter_parts, read_partition
from netanalysis.model import IngestStats

FIXTURES = Path(__file__).parent / "fixtures" / "formats" / "channels"
FORMATS = ["result.json", "messages.html", "Russian Embassy in South Africa.txt", "telethon_history.json"]
EMBASSY = "Russian Embassy in South Africa"
EXPECTED = [
    (EMBASSY, None),
    (EMBASSY, "Russian MFA"),
    (EMBASSY, "Посольство России в Индии"),
    (EMBASSY, None),
]


def read(path, **options):
    stats = IngestStats()
    return read_posts(path, options=ReadOptions(**options), stats=stats), stats


@pytest.mark.parametrize("name", FORMATS)
def test_every_format_gives_the_same_channel_and_origin(name):
    posts, _ = read(FIXTURES / name)
    if name.startswith("telethon"):  # newest first, as Telethon returns history
        posts = posts.iloc[::-1].reset_index(drop=True)
    origins = [value if isinstance(value, str) else None for value in posts["forwarded_from"]]
    assert list(zip(posts["channel"], origins)) == EXPECTED


def test_the_same_posts_in_every_format():
    texts = [read(FIXTURES / name)[0]["text"].tolist() for name in FORMATS]
    texts[3] = texts[3][::-1]
    assert all(t == texts[0] for t in texts[1:])
    assert len(texts[0]) == 4


def test_copied_text_forward_belongs_to_the_copying_channel_even_with_channel_option():
    posts, _ = read(FIXTURES / FORMATS[2], channel="Embassy (own name)")
    assert posts["channel"].tolist() == ["Embassy (own name)"] * 4
    assert posts["forwarded_from"].tolist()[1] == "Russian MFA"


def test_telethon_without_chat_titles_reads_ids(tmp_path):
    data = json.loads((FIXTURES / "telethon_history.json").read_text(encoding="utf-8"))
    del data["chats"]
    path = tmp_path / "dump.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    posts, _ = read(path)
    assert set(posts["channel"]) == {"channel:1512294761"}
    assert posts["forwarded_from"].tolist()[1:3] == ["channel:1234500001", "channel:1101806611"]
    named, _ = read(path, channel="Embassy")
    assert set(named["channel"]) == {"Embassy"}


@pytest.mark.parametrize("name", FORMATS)
def test_forwards_can_be_left_out(name):
    posts, stats = read(FIXTURES / name, count_forwards=False)
    assert posts["forwarded_from"].isna().all() and len(posts) == 2
    f = stats.files[0]
    assert f.skipped_kinds.get("forward") == 2
    assert f.read + f.skipped == f.records


def test_forwards_left_out_in_partitions_too(tmp_path):
    """JSON Lines inputs are read by workers in partitions: the same rule applies there."""
    data = json.loads((FIXTURES / "telethon_history.json").read_text(encoding="utf-8"))
    path = tmp_path / "dump.jsonl"
    path.write_text("".join(json.dumps(m, ensure_ascii=False) + "\n" for m in data["messages"]), encoding="utf-8")
    options = ReadOptions(count_forwards=False)
    parts = [item for item, fstats in iter_parts([path], options=options, size=1) if fstats is not None]
    read_back = [read_partition(part) for part in parts]
    posts = [p for got, _ in read_back for p in got]
    assert [p.forwarded_from for p in posts] == [None, None]
    assert sum(r.stats.skipped_kinds.get("forward", 0) for _, r in read_back) == 2
    whole, _ = read(path, count_forwards=False)
    assert whole["post_id"].tolist() == [p.post_id for p in posts]


def test_channel_names_are_normalised():
    assert channel_name("Russian MFA 🇷🇺") == "Russian MFA"
    assert channel_name("🇷🇺🇨🇳  MFA\u00a0Russia ") == "MFA Russia"
    assert channel_name("Scotland 🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f office") == (
        "Scotland office"
    )
    assert channel_name("Cafe\u0301") == "Café"  # NFC
    assert channel_name("🇷🇺") == "🇷🇺"  # a name that is only a flag stays


def test_cli_count_forwards_option(tmp_path):
    from click.testing import CliRunner

    from netanalysis.cli import cli

    runner = CliRunner()
    for flag, expected in (("--count-forwards", 4), ("--no-count-forwards", 2)):
        out = tmp_path / flag
        result = runner.invoke(cli, ["-q", "parse", str(FIXTURES / "result.json"), "-o", str(out), flag])
        assert result.exit_code == 0, result.output
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["counts"]["read"] == expected
        assert manifest["parameters"]["count_forwards"] is (flag == "--count-forwards")
        assert manifest["counts"]["files"][0]["skipped_by_kind"].get("forward", 0) == 4 - expected
