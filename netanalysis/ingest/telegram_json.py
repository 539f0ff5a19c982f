"""Telegram Desktop's JSON export (``result.json``): one chat, or a whole account.

A single-chat export is ``{"name", "type", "id", "messages": [...]}``; a whole-account export
holds such chats under ``chats.list`` and ``left_chats.list``. The file is read message by
message (:mod:`netanalysis.ingest.json_stream`: memory bounded by a block of the file and the
largest message); a file of another shape is loaded whole with ``json.loads``.

Per message: ``text`` is a string or a list of strings and ``{"type", "text"}`` objects whose
concatenation is the text (``text_entities`` and ``rich_message.blocks[*].text`` are used when
``text`` is empty); the date is ``date_unixtime`` (UTC seconds, as a string) or, in exports
made before about 2021, ``date`` (local time of the exporting computer without offset: read in
``ReadOptions.tz``, else as UTC with a warning). ``service`` and ``unsupported`` records are
skipped and counted by kind; a message with media only is skipped as ``no_text``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from netanalysis.errors import InputError
from netanalysis.ingest.dedupe import SourcedPost
from netanalysis.ingest.files import read_json
from netanalysis.ingest.json_stream import StreamedMessages, skeleton, stream_messages
from netanalysis.ingest.records import FileContext, clean_text
from netanalysis.model import FileStats, Post

__all__ = ["read_telegram_json", "telegram_export_posts", "join_text", "is_telegram_export"]

_SKIPPED_TYPES = {"service": "service message", "unsupported": "unsupported message"}


def is_telegram_export(data: Any) -> bool:
    """Whether a parsed JSON document looks like a Telegram Desktop export."""
    if not isinstance(data, dict):
        return False
    if isinstance(data.get("chats"), dict) or isinstance(data.get("left_chats"), dict):
        return True
    return isinstance(data.get("messages"), list) and ("name" in data or "type" in data) and "count" not in data


def join_text(value: Any) -> str:
    """The text of a ``text`` field: a string, or a list of strings and entity objects.

    Raises
    ------
    ValueError
        When the value has another shape.

    Examples
    --------
    >>> join_text(["Talks at the ", {"type": "hashtag", "text": "#SCO"}, " today"])
    'Talks at the #SCO today'
    >>> join_text([{"type": "hashtag", "hashtag": "BRICS"}])
    '#BRICS'
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if not isinstance(value, list):
        raise ValueError(f"text is a {type(value).__name__}, not a string or a list")
    pieces = []
    for piece in value:
        if isinstance(piece, str):
            pieces.append(piece)
        elif isinstance(piece, dict):
            text = piece.get("text")
            if isinstance(text, str):
                pieces.append(text)
            elif isinstance(text, list):
                pieces.append(join_text(text))
            elif isinstance(piece.get("hashtag"), str):
                pieces.append("#" + piece["hashtag"].lstrip("#"))
            elif text is not None:
                raise ValueError(f"text piece holds a {type(text).__name__}")
        else:
            raise ValueError(f"text piece is a {type(piece).__name__}")
    return "".join(pieces)


def _rich_text(rich: Any) -> str:
    if not isinstance(rich, dict):
        return ""
    blocks = rich.get("blocks")
    if not isinstance(blocks, list):
        return ""
    texts = [join_text(b.get("text")) for b in blocks if isinstance(b, dict)]
    return "\n".join(t for t in texts if t)


def _message_text(msg: dict) -> str:
    text = join_text(msg.get("text"))
    if not text.strip() and isinstance(msg.get("text_entities"), list):
        text = join_text(msg["text_entities"])
    if not text.strip() and "rich_message" in msg:
        text = _rich_text(msg["rich_message"])
    return clean_text(text)


def _chats(data: Any, ctx: FileContext) -> list[tuple[dict, bool]]:
    if not isinstance(data, dict):
        raise InputError(ctx.path, "not a Telegram Desktop export (the JSON is not an object)")
    if "messages" in data and not ("chats" in data or "left_chats" in data):
        return [(data, False)]
    chats = []
    for key in ("chats", "left_chats"):
        section = data.get(key)
        if section is None:
            continue
        listed = section.get("list") if isinstance(section, dict) else None
        if not isinstance(listed, list):
            raise InputError(ctx.path, f"{key}.list is missing or not a list")
        chats.extend((c, True) for c in listed if isinstance(c, dict))
    if not chats and "chats" not in data and "left_chats" not in data:
        raise InputError(ctx.path, "not a Telegram Desktop export (no messages, chats or left_chats)")
    return chats


def _message_post(msg: Any, index: int, chat: dict, ctx: FileContext, *, prefix: str, multi: bool) -> Post | None:
    chat_id = chat.get("id")
    record = f"{chat_id}/{index}" if multi else index
    if not isinstance(msg, dict):
        ctx.bad(record, "message is not a JSON object")
        return None
    mtype = msg.get("type", "message")
    if isinstance(mtype, str) and mtype in _SKIPPED_TYPES:
        ctx.skip(record, _SKIPPED_TYPES[mtype], kind=str(mtype))
        return None
    mid = msg.get("id")
    if mtype != "message" or isinstance(mid, bool) or not isinstance(mid, (int, str)) or mid == "":
        ctx.bad(record, f"not a message (type {mtype!r}, id {mid!r})")
        return None
    record = f"{chat_id}/{mid}" if multi else mid
    try:
        text = _message_text(msg)
    except (ValueError, RecursionError) as exc:
        ctx.bad(record, str(exc) or "text nested too deeply")
        return None
    if not text:
        ctx.skip(record, "no text", kind="no_text")
        return None
    stamp = msg.get("date_unixtime") or msg.get("date")
    date, date_source = ctx.date(stamp, record)
    channel = chat.get("name") if isinstance(chat.get("name"), str) and chat.get("name") else None
    forwarded = msg.get("forwarded_from")
    forwarded = forwarded if isinstance(forwarded, str) and forwarded else None
    origin = (str(chat_id), str(mid)) if chat_id is not None and forwarded is None else None
    return SourcedPost(
        post_id=f"{prefix}:{chat_id}:{mid}" if multi else f"{prefix}:{mid}",
        channel=channel or ctx.options.channel or prefix,
        date=date,
        date_source=date_source,
        text=text,
        source=f"{ctx.name}#{chat_id}/{mid}" if multi else f"{ctx.name}#{mid}",
        forwarded_from=forwarded,
        origin=origin,
    )


def telegram_export_posts(data: Any, ctx: FileContext, *, prefix: str) -> Iterator[Post]:
    """The posts of a parsed export (``data`` as ``json.loads`` returned it)."""
    for number, (chat, multi) in enumerate(_chats(data, ctx), 1):
        if multi and chat.get("id") is None:  # e.g. "Saved Messages" has no id: number it
            chat = {**chat, "id": f"chat{number}"}
        messages = chat.get("messages", [])
        if not isinstance(messages, list):
            ctx.record()
            ctx.bad(f"chat {chat.get('id')}", "messages is not a list")
            continue
        for index, msg in enumerate(messages, 1):
            ctx.record()
            post = _message_post(msg, index, chat, ctx, prefix=prefix, multi=multi)
            if post is not None:
                yield post


def read_telegram_json(path: Path, stats: FileStats, *, prefix: str, options: Any) -> Iterator[Post]:
    """Read a Telegram Desktop ``result.json`` (see the module notes).

    Parameters
    ----------
    path : the file (may be gzipped)
    stats : filled with the file's counts and problems
    prefix : the start of every post id (unique per input file)
    options : :class:`~netanalysis.ingest.ReadOptions`

    Raises
    ------
    InputError
        When the file is not valid JSON or not a Telegram export.
    """
    ctx = FileContext(path, stats, options)
    path = Path(path)
    plan = skeleton(path, options.encoding)
    if plan is not None:
        document, order = plan
        wanted = [
            chat["messages"].where
            for chat, _ in _chats(document, ctx)
            if isinstance(chat.get("messages"), StreamedMessages)
        ]
        if wanted == [where for where in order if where in set(wanted)]:
            stream_messages(path, document, options.encoding)
            yield from telegram_export_posts(document, ctx, prefix=prefix)
            return
    data = read_json(path, options.encoding)  # a shape the stream does not handle, or a broken file
    yield from telegram_export_posts(data, ctx, prefix=prefix)
