"""Telethon and research-scraper dumps (JSON or JSON Lines), and JSON files of any known shape.

A Telethon ``Message.to_dict()`` has ``id``, ``peer_id.channel_id``, ``date`` (UTC,
``"2022-12-10 11:07:36+00:00"`` or ISO with ``T``), ``message`` (raw text), ``entities``
(offsets in UTF-16 code units), ``fwd_from`` (``from_id.channel_id``, ``channel_post``,
``from_name``) and ``grouped_id``. Consecutive messages with the same ``grouped_id`` form one
album: one post (the texts joined, the smallest id, the first date), the other parts counted
as skipped ``album_part``. ``MessageService`` records are skipped as ``service``. Scrapers that
store rendered markdown (a ``text`` field, or ``message`` with ``**bold**``/``[t](url)`` and no
entities) get the markup stripped to the visible text.

:func:`read_jsonl` and :func:`read_json` take JSON of unknown origin: a JSON Lines file is a
Telethon dump or table rows, decided from its first record's keys; a JSON document is a
Telegram Desktop export, a ``{"count", "messages"}`` wrapper, a list of messages or rows.

Channels are named by id (``channel:<id>``) unless a record carries a name (``channel``,
``chat``, ``channel_title``, ``username``) or the document is a ``GetHistoryRequest`` result
whose ``chats`` list gives titles (:func:`chat_titles`): see :mod:`netanalysis.ingest.channels`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from netanalysis.errors import InputError
from netanalysis.ingest.dedupe import SourcedPost
from netanalysis.ingest.files import base_suffix, head_text
from netanalysis.ingest.files import read_json as load_json_file
from netanalysis.ingest.records import FileContext, clean_text
from netanalysis.ingest.tables import iter_json_lines, rows_posts
from netanalysis.ingest.telegram_json import is_telegram_export, telegram_export_posts
from netanalysis.model import FileStats, Post

__all__ = [
    "read_telethon",
    "read_jsonl",
    "read_json",
    "is_telethon_record",
    "TELETHON_KEYS",
    "telethon_posts",
    "strip_markdown",
    "utf16_slice",
    "message_text",
    "starts_own_post",
    "jsonl_shape",
    "chat_titles",
]

logger = logging.getLogger(__name__)

_MARKDOWN = [
    (re.compile(r"```(?:[\w+-]*\n)?(.*?)```", re.S), r"\1"),
    (re.compile(r"\[([^\]\n]+)\]\([^)\s]*\)"), r"\1"),
    (re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*", re.S), r"\1"),
    (re.compile(r"(?<!\w)__(?=\S)(.+?)(?<=\S)__(?!\w)", re.S), r"\1"),
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~", re.S), r"\1"),
    (re.compile(r"\|\|(.+?)\|\|", re.S), r"\1"),
    (re.compile(r"`([^`\n]+)`"), r"\1"),
]
_LOOKS_MARKDOWN = re.compile(r"\*\*\S|\]\((?:https?|tg)://|~~\S|`")


def _may_be_markdown(text: str) -> bool:
    # substring tests are fast; the regex runs only on the few texts that pass them
    return "**" in text or "](" in text or "~~" in text or "`" in text


def strip_markdown(text: str) -> str:
    """Telegram-flavoured markdown reduced to its visible text.

    Examples
    --------
    >>> strip_markdown("**Lavrov** met the [#SCO](https://t.me/s/mfa) ministers")
    'Lavrov met the #SCO ministers'
    """
    for pattern, repl in _MARKDOWN:
        text = pattern.sub(repl, text)
    return text


def utf16_slice(text: str, offset: int, length: int) -> str:
    """The part of ``text`` that a Telegram entity (UTF-16 offsets) covers.

    Examples
    --------
    >>> utf16_slice("🇷🇺 #BRICS", 5, 6)
    '#BRICS'
    """
    data = text.encode("utf-16-le")
    return data[2 * offset : 2 * (offset + length)].decode("utf-16-le", "replace")


#: Keys that only a dump of Telegram messages has (a table row of posts has none of them).
TELETHON_KEYS = frozenset(
    {
        "_",
        "peer_id",
        "fwd_from",
        "grouped_id",
        "entities",
        "media",
        "reply_to",
        "edit_date",
        "post_author",
        "views",
        "forwards",
    }
)


def is_telethon_record(record: Any) -> bool:
    """Whether a JSON object looks like a Telethon ``Message.to_dict()`` or a scraper's message.

    Examples
    --------
    >>> is_telethon_record({"_": "Message", "id": 1, "message": "hi"})
    True
    >>> is_telethon_record({"id": 1, "date": "2024-01-01", "text": "hi", "channel": "mfa"})
    False
    """
    if not isinstance(record, dict):
        return False
    if "_" in record or "peer_id" in record or "fwd_from" in record:
        return True
    return "id" in record and ("message" in record or "text" in record) and not TELETHON_KEYS.isdisjoint(record)


class _Part(NamedTuple):
    record: Any
    mid: int
    chat: str | None
    channel: str | None
    date: Any
    date_source: str
    text: str
    forwarded_from: str | None
    origin: tuple[str, str] | None
    group: Any


def _peer_id(peer: Any) -> str | None:
    if isinstance(peer, bool):
        return None
    if isinstance(peer, (int, str)):
        return str(peer)
    if isinstance(peer, dict):
        for key in ("channel_id", "chat_id", "user_id"):
            if isinstance(peer.get(key), (int, str)) and not isinstance(peer.get(key), bool):
                return str(peer[key])
    return None


def message_text(rec: dict) -> str:
    """The visible text of a Telethon message record (markup stripped); ``ValueError`` when its
    text field is not a string."""
    message = rec.get("message")
    if isinstance(message, str):
        if not rec.get("entities") and _may_be_markdown(message) and _LOOKS_MARKDOWN.search(message):
            message = strip_markdown(message)
        return clean_text(message)
    if message is not None:
        raise ValueError(f"message is a {type(message).__name__}, not a string")
    text = rec.get("text")
    if isinstance(text, str):
        return clean_text(strip_markdown(text))
    if text is not None:
        raise ValueError(f"text is a {type(text).__name__}, not a string")
    return ""


def _check_entities(rec: dict, text: str, ctx: FileContext) -> None:
    entities = rec.get("entities")
    if not isinstance(entities, list) or not text:
        return
    data = None
    for ent in entities:
        if isinstance(ent, dict) and ent.get("_") == "MessageEntityHashtag":
            off, length = ent.get("offset"), ent.get("length")
            # offsets count UTF-16 code units, 2 bytes each (a lone surrogate, which JSON may
            # escape, is one of them too)
            data = data or text.encode("utf-16-le", "surrogatepass")
            fits = (
                isinstance(off, int)
                and isinstance(length, int)
                and length > 0
                and data[2 * off : 2 * off + 2] == b"#\x00"
            )
            if not fits:
                logger.debug("%s: entity offsets do not fit the text of message %s", ctx.path, rec.get("id"))
                return


def _forward(rec: dict, titles: Mapping[str, str]) -> tuple[str | None, tuple[str, str] | None, bool]:
    fwd = rec.get("fwd_from")
    if not isinstance(fwd, dict):
        return None, None, False
    source = _peer_id(fwd.get("from_id"))
    name = fwd.get("from_name")
    post = fwd.get("channel_post")
    if isinstance(name, str) and name:
        label: str | None = name
    else:
        label = (titles.get(source) or f"channel:{source}") if source else None
    origin = (source, str(post)) if source and isinstance(post, int) and not isinstance(post, bool) else None
    return label, origin, True


def _part(rec: dict, record: Any, ctx: FileContext, titles: Mapping[str, str]) -> _Part | None:
    kind = rec.get("_")
    if kind in ("MessageService", "MessageEmpty"):
        ctx.skip(record, "service message", kind="service" if kind == "MessageService" else "empty")
        return None
    mid = rec.get("id")
    if isinstance(mid, bool) or not isinstance(mid, int):
        ctx.bad(record, f"no integer message id (id {mid!r})")
        return None
    try:
        text = message_text(rec)
    except ValueError as exc:
        ctx.bad(record, str(exc))
        return None
    _check_entities(rec, text, ctx)
    chat = _peer_id(rec.get("peer_id")) or _peer_id(rec.get("channel_id")) or _peer_id(rec.get("chat_id"))
    names = [rec.get(k) for k in ("channel", "chat", "channel_title", "username")]
    channel = next((n for n in names if isinstance(n, str) and n.strip()), None) or titles.get(chat or "")
    date, date_source = ctx.date(rec.get("date"), record)
    forwarded_from, fwd_origin, forwarded = _forward(rec, titles)
    origin = fwd_origin if forwarded else ((chat, str(mid)) if chat else None)
    return _Part(record, mid, chat, channel, date, date_source, text, forwarded_from, origin, _group(rec))


def _group(rec: dict) -> Any:
    """The album a message belongs to (its ``grouped_id``), or ``None``."""
    group = rec.get("grouped_id")
    return group if isinstance(group, (int, str)) and not isinstance(group, bool) else None


def starts_own_post(rec: Any) -> bool:
    """Whether a record is a message that :func:`telethon_posts` reads (not a service message,
    not malformed) and that is in no album: reading it closes any album before it, so a dump
    cut just before it reads the same in pieces (:mod:`netanalysis.ingest.partitions`)."""
    if not isinstance(rec, dict) or rec.get("_") in ("MessageService", "MessageEmpty"):
        return False
    mid = rec.get("id")
    if isinstance(mid, bool) or not isinstance(mid, int) or _group(rec) is not None:
        return False
    try:
        message_text(rec)
    except (ValueError, RecursionError):
        return False
    return True


def jsonl_shape(first: dict, options: Any) -> str:
    """How a JSON Lines file is read, from its first record: ``"telethon"`` messages, or table
    ``"rows"`` (also when the options name a table's columns)."""
    named = any(getattr(options, o, None) for o in ("text_col", "date_col", "id_col", "channel_col"))
    return "telethon" if is_telethon_record(first) and not named else "rows"


def _album_post(parts: list[_Part], ctx: FileContext, prefix: str) -> Post | None:
    first = parts[0]
    if len(parts) == 1:  # the common case: no album
        keeper, text, dated = first, first.text, first
    else:
        keeper = min(parts, key=lambda p: p.mid)
        text = "\n".join(p.text for p in sorted(parts, key=lambda p: p.mid) if p.text)
        for p in parts:
            if p is not keeper:
                ctx.skip(p.record, f"part of the album of message {keeper.mid}", kind="album_part")
        dated = next((p for p in parts if p.date is not None), first)
    if not text:
        ctx.skip(keeper.record, "no text", kind="no_text")
        return None
    channel = keeper.channel or ctx.options.channel or (f"channel:{keeper.chat}" if keeper.chat else prefix)
    key = f"{keeper.chat}:{keeper.mid}" if keeper.chat else str(keeper.mid)
    return SourcedPost(
        post_id=f"{prefix}:{key}",
        channel=channel,
        date=dated.date,
        date_source=dated.date_source,
        text=text,
        source=f"{ctx.name}#{keeper.mid}",
        forwarded_from=first.forwarded_from
        if len(parts) == 1
        else next((p.forwarded_from for p in parts if p.forwarded_from), None),
        origin=keeper.origin,
    )


def telethon_posts(
    items: Iterable[tuple[Any, dict]], ctx: FileContext, *, prefix: str, titles: Mapping[str, str] | None = None
) -> Iterator[Post]:
    """Posts of ``(record number, Telethon message dict)`` pairs, albums merged; ``titles`` maps
    channel ids to names (from a dump's ``chats`` list, :func:`chat_titles`)."""
    album: list[_Part] = []
    names = titles or {}
    for record, rec in items:
        part = _part(rec, record, ctx, names)
        if part is None:
            continue
        if album and part.group is not None and (part.group, part.chat) == (album[0].group, album[0].chat):
            album.append(part)
            continue
        if album:
            post = _album_post(album, ctx, prefix)
            if post is not None:
                yield post
        album = [part]
    if album:
        post = _album_post(album, ctx, prefix)
        if post is not None:
            yield post


def _is_jsonl(path: Path, encoding: str = "utf-8") -> bool:
    if base_suffix(path) in (".jsonl", ".ndjson"):
        return True
    head = head_text(path, encoding)
    first, _, rest = head.partition("\n")
    return first.rstrip().endswith("}") and rest.lstrip().startswith("{")


def chat_titles(data: Any) -> dict[str, str]:
    """Channel id -> title from the ``chats`` list of a Telethon ``GetHistoryRequest`` result
    (``{"messages": [...], "chats": [{"_": "Channel", "id": ..., "title": ...}], ...}``),
    which names the dump's channel and the channels its forwards come from.

    Examples
    --------
    >>> chat_titles({"messages": [], "chats": [{"_": "Channel", "id": 5, "title": "MFA Russia"}]})
    {'5': 'MFA Russia'}
    """
    chats = data.get("chats") if isinstance(data, dict) else None
    if not isinstance(chats, list):
        return {}
    titles = {}
    for chat in chats:
        if isinstance(chat, dict) and isinstance(chat.get("title"), str) and chat["title"].strip():
            ident = _peer_id(chat.get("id"))
            if ident is not None:
                titles[ident] = chat["title"]
    return titles


def _records_of(data: Any, ctx: FileContext) -> list:
    if isinstance(data, list):
        return data
    if isinstance(data, dict) and isinstance(data.get("messages"), list):
        return data["messages"]
    if is_telethon_record(data):
        return [data]
    raise InputError(
        ctx.path,
        "JSON of unknown shape (expected a Telegram export, a list of messages "
        'or rows, or an object with a "messages" list)',
    )


def _json_items(records: list, ctx: FileContext) -> Iterator[tuple[int, dict]]:
    for index, rec in enumerate(records, 1):
        ctx.record()
        if not isinstance(rec, dict):
            ctx.bad(index, f"a JSON {type(rec).__name__}, not an object")
            continue
        yield index, rec


def read_telethon(path: Path, stats: FileStats, *, prefix: str, options: Any) -> Iterator[Post]:
    """Read a Telethon dump: JSON Lines (streamed) or one JSON document (loaded whole)."""
    ctx = FileContext(path, stats, options)
    path = Path(path)
    if _is_jsonl(path, options.encoding):
        items = iter_json_lines(path, ctx)
        titles: dict[str, str] = {}
    else:
        data = load_json_file(path, options.encoding)
        items, titles = _json_items(_records_of(data, ctx), ctx), chat_titles(data)
    yield from telethon_posts(items, ctx, prefix=prefix, titles=titles)


def _dispatch(
    items: Iterator[tuple[int, dict]], ctx: FileContext, prefix: str, titles: Mapping[str, str] | None = None
) -> Iterator[Post]:
    first = next(items, None)
    if first is None:
        return
    if jsonl_shape(first[1], ctx.options) == "telethon":
        yield from telethon_posts(_prepend(first, items), ctx, prefix=prefix, titles=titles)
    else:
        yield from rows_posts(items, ctx, prefix=prefix, head=[first])


def _prepend(first: Any, rest: Iterator) -> Iterator:
    yield first
    yield from rest


def read_jsonl(path: Path, stats: FileStats, *, prefix: str, options: Any) -> Iterator[Post]:
    """Read JSON Lines: a Telethon dump or table rows, decided by the first record's keys."""
    ctx = FileContext(path, stats, options)
    yield from _dispatch(iter_json_lines(Path(path), ctx), ctx, prefix)


def read_json(path: Path, stats: FileStats, *, prefix: str, options: Any) -> Iterator[Post]:
    """Read a JSON file of any known shape (loaded whole: memory a few times its size)."""
    ctx = FileContext(path, stats, options)
    path = Path(path)
    if _is_jsonl(path, options.encoding):
        yield from _dispatch(iter_json_lines(path, ctx), ctx, prefix)
        return
    data = load_json_file(path, options.encoding)
    if is_telegram_export(data):
        yield from telegram_export_posts(data, ctx, prefix=prefix)
        return
    yield from _dispatch(_json_items(_records_of(data, ctx), ctx), ctx, prefix, chat_titles(data))
