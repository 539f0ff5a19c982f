"""Telegram Desktop exports read message by message give what loading the file whole gives."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from netanalysis.errors import InputError
from netanalysis.ingest import ReadOptions, json_stream
from netanalysis.ingest.files import read_json
from netanalysis.ingest.records import FileContext
from netanalysis.ingest.telegram_json import read_telegram_json, telegram_export_posts
from netanalysis.model import FileStats

FORMATS = Path(__file__).parent / "fixtures" / "formats"


def streamed(path, options=ReadOptions()):
    stats = FileStats(str(path))
    posts = list(read_telegram_json(path, stats, prefix="x", options=options))
    return posts, stats


def whole(path, options=ReadOptions()):
    stats = FileStats(str(path))
    ctx = FileContext(path, stats, options)
    posts = list(telegram_export_posts(read_json(path, options.encoding), ctx, prefix="x"))
    return posts, stats


def same(a, b):
    posts_a, stats_a = a
    posts_b, stats_b = b
    assert [(p.post_id, p.channel, p.date, p.date_source, p.text, p.source, p.forwarded_from) for p in posts_a] == [
        (p.post_id, p.channel, p.date, p.date_source, p.text, p.source, p.forwarded_from) for p in posts_b
    ]
    assert stats_a.as_dict() == stats_b.as_dict()


class Spy:
    """Records whether the stream was used and the largest text it held at once."""

    def __init__(self, monkeypatch):
        self.skeletons, self.largest = 0, 0
        real_skeleton, real_more = json_stream.skeleton, json_stream._Text.more
        spy = self

        def skeleton(*a, **k):
            got = real_skeleton(*a, **k)
            spy.skeletons += got is not None
            return got

        def more(text):
            grew = real_more(text)
            spy.largest = max(spy.largest, len(text.buf))
            return grew

        monkeypatch.setattr("netanalysis.ingest.telegram_json.skeleton", skeleton)
        monkeypatch.setattr(json_stream._Text, "more", more)


@pytest.mark.parametrize("fixture", ["roundtrip/result.json", "account/result.json"])
@pytest.mark.parametrize("block", [1, 7, 64, 1 << 20])
def test_fixtures_stream_as_they_load(fixture, block, monkeypatch):
    monkeypatch.setattr(json_stream, "BLOCK", block)
    spy = Spy(monkeypatch)
    path = FORMATS / fixture
    got = streamed(path)
    assert spy.skeletons == 1  # streamed, not loaded whole
    same(got, whole(path))
    assert len(got[0]) > 1


def export(n, *, escape=False, numbers_at_line_end=True):
    messages = []
    for i in range(1, n + 1):
        text = f"Lavrov on #BRICS and Russia, message {i}" + (" \\x41" if escape and i % 5 == 0 else "")
        messages.append({"id": i, "type": "message", "date_unixtime": str(1700000000 + i), "text": text})
        if i % 7 == 0:
            messages.append({"id": 10_000 + i, "type": "service", "action": "pin_message"})
    body = json.dumps(
        {"name": "MFA Russia", "type": "public_channel", "id": 123, "messages": messages}, indent=1, ensure_ascii=False
    )
    if escape:
        body = body.replace("\\\\x41", "\\x41")  # as Telegram Desktop writes it: not valid JSON
    return body


def test_a_long_export_is_held_a_block_at_a_time(tmp_path, monkeypatch):
    path = tmp_path / "result.json"
    path.write_text(export(3000), encoding="utf-8")
    monkeypatch.setattr(json_stream, "BLOCK", 512)
    spy = Spy(monkeypatch)
    got = streamed(path)
    assert spy.skeletons == 1 and len(got[0]) == 3000
    assert path.stat().st_size > 400_000 and spy.largest < 512 + 400  # a block and a message
    same(got, whole(path))


def test_x_escapes_are_repaired_in_every_block(tmp_path, monkeypatch):
    path = tmp_path / "result.json.gz"
    path.write_bytes(gzip.compress(export(300, escape=True).encode("utf-8")))
    monkeypatch.setattr(json_stream, "BLOCK", 100)
    spy = Spy(monkeypatch)
    got = streamed(path)
    assert spy.skeletons == 1
    same(got, whole(path))
    assert sum(p.text.endswith(" A") for p in got[0]) == 60


def test_a_broken_export_fails_before_any_post_with_the_usual_message(monkeypatch):
    monkeypatch.setattr(json_stream, "BLOCK", 64)
    path = FORMATS / "bad" / "truncated_result.json"
    reader = read_telegram_json(path, FileStats(str(path)), prefix="x", options=ReadOptions())
    with pytest.raises(InputError) as streaming:
        next(reader)  # no post comes out before the error
    with pytest.raises(InputError) as loading:
        read_json(path)
    assert str(streaming.value) == str(loading.value) and "line 122, column 14" in str(streaming.value)


def test_left_chats_before_chats_fall_back_to_loading_whole(tmp_path, monkeypatch):
    data = read_json(FORMATS / "account" / "result.json")
    reordered = {
        "left_chats": data.get("left_chats", {"list": []}),
        **{k: v for k, v in data.items() if k != "left_chats"},
    }
    reordered["left_chats"] = {"about": "", "list": [dict(data["chats"]["list"][0], id=999)]}
    path = tmp_path / "result.json"
    path.write_text(json.dumps(reordered), encoding="utf-8")
    spy = Spy(monkeypatch)
    got = streamed(path)
    assert spy.skeletons == 1  # the first pass worked, but the lists come out of order: loaded whole
    same(got, whole(path))
    assert any(p.post_id.startswith("x:999:") for p in got[0])


def test_shapes_the_stream_does_not_know_are_loaded_whole(tmp_path):
    path = tmp_path / "result.json"
    path.write_text(json.dumps([{"id": 1, "type": "message", "text": "#UN"}]), encoding="utf-8")
    assert json_stream.skeleton(path) is None
    assert json_stream.skeleton(FORMATS / "bad" / "truncated_result.json") is None
    document, order = json_stream.skeleton(FORMATS / "account" / "result.json")
    assert order and all(
        isinstance(chat["messages"], json_stream.StreamedMessages) and chat["messages"] == []
        for chat in document["chats"]["list"]
        if isinstance(chat.get("messages"), list)
    )
