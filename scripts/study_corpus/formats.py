"""The corpus written as researchers get it: Telegram Desktop exports, a Telethon dump, a table,
copied channel text, in the shapes the readers of ``netanalysis.ingest`` document.

Each channel's posts are first laid out as Telegram messages (:func:`layout`): message ids in
time order, albums (several photo messages, the caption on the first), media without text,
pinned-message service records, edits, views. Every format is written from that one layout, so
the formats hold the same posts with the same ids.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from study_corpus.content import Post

EXPORT_OFFSET = timedelta(hours=3)  # the exporting computer's clock: Moscow time, no offset written
_HASHTAG = re.compile(r"(?<![\w#])#\w+")
_URL = re.compile(r"https?://\S+|(?<![\w/])t\.me/\S+")
_READ_IN_FULL = re.compile(r"^(?:📄 )?(?:Read in full|Читать полностью)$", re.M)


@dataclass
class Message:
    """One Telegram message of a channel: a post, a part of a post's album, media without
    text, or a service record."""

    id: int
    kind: str  # post | album_part | media | service
    when: datetime
    post: Post | None = None
    group: int | None = None
    edited: datetime | None = None
    views: int = 0
    pinned: int | None = None


def channel_id(name: str) -> int:
    """A stable made-up channel id for a channel outside the corpus (forward sources)."""
    return 1_000_000_000 + int(hashlib.sha256(name.encode()).hexdigest()[:8], 16) % 900_000_000


def layout(posts: list[Post], rng: random.Random, *, first_id: int) -> list[Message]:
    """The messages of one channel's posts (in time order), ids from ``first_id``."""
    out: list[Message] = []
    mid = first_id
    for post in posts:
        mid += 1 + (rng.randrange(1, 4) if rng.random() < 0.02 else 0)  # a few deleted messages
        views = int(rng.lognormvariate(9.3, 0.6) * (1.0 + 0.25 * (post.when.year - 2022)))
        edited = post.when + timedelta(minutes=rng.randrange(3, 600)) if rng.random() < 0.06 else None
        parts = rng.choice([2, 2, 3, 4, 5]) if rng.random() < 0.08 else 1
        group = rng.randrange(13_000_000_000_000_000, 14_000_000_000_000_000) if parts > 1 else None
        out.append(Message(mid, "post", post.when, post, group, edited, views))
        post.key = f"{post.channel}:{mid}"
        for _ in range(parts - 1):
            mid += 1
            out.append(Message(mid, "album_part", post.when, None, group, None, views))
        if rng.random() < 0.04:
            mid += 1
            out.append(Message(mid, "media", post.when + timedelta(minutes=rng.randrange(1, 90)), views=views))
        if rng.random() < 0.01:
            mid += 1
            out.append(Message(mid, "service", post.when + timedelta(minutes=1), pinned=mid - 1 - (parts - 1)))
    return out


# -- entities of a post's text -----------------------------------------------------------------
def text_entities(post: Post, *, bold_title: bool) -> list[tuple[int, int, str, str | None]]:
    """``(start, end, type, href)`` of the formatted runs of a post's text, in order: hashtags,
    links, the "Read in full" link, and the title in bold where the channel writes it so."""
    spans = []
    if bold_title and post.title and post.text.startswith(post.title):
        spans.append((0, len(post.title), "bold", None))
    for m in _HASHTAG.finditer(post.text):
        spans.append((m.start(), m.end(), "hashtag", None))
    for m in _URL.finditer(post.text):
        spans.append((m.start(), m.end(), "link", None))
    for m in _READ_IN_FULL.finditer(post.text):
        spans.append((m.start(), m.end(), "text_link", "https://mid.ru/en/press_service/"))
    spans.sort()
    kept, end = [], -1
    for span in spans:  # no overlaps: a hashtag inside a bold title stays part of the title
        if span[0] >= end:
            kept.append(span)
            end = span[1]
    return kept


def _pieces(text: str, spans) -> list:
    out, at = [], 0
    for start, end, kind, href in spans:
        if start > at:
            out.append(("plain", text[at:start], None))
        out.append((kind, text[start:end], href))
        at = end
    if at < len(text):
        out.append(("plain", text[at:], None))
    return out


# -- Telegram Desktop result.json -----------------------------------------------------------------
def _stamp(when: datetime) -> tuple[str, str]:
    local = (when + EXPORT_OFFSET).replace(tzinfo=None)
    return local.isoformat(timespec="seconds"), str(int(when.timestamp()))


def _desktop_message(msg: Message, name: str, cid: int) -> dict:
    date, unix = _stamp(msg.when)
    head = {
        "id": msg.id,
        "type": "service" if msg.kind == "service" else "message",
        "date": date,
        "date_unixtime": unix,
    }
    if msg.kind == "service":
        return {
            **head,
            "actor": name,
            "actor_id": f"channel{cid}",
            "action": "pin_message",
            "message_id": msg.pinned,
            "text": "",
            "text_entities": [],
        }
    rec = {**head}
    if msg.edited:
        rec["edited"], rec["edited_unixtime"] = _stamp(msg.edited)
    rec["from"], rec["from_id"] = name, f"channel{cid}"
    post = msg.post
    if post is not None and post.forwarded_from:
        rec["forwarded_from"] = post.forwarded_from
    if msg.kind == "media":
        rec.update(
            file="(File not included. Change data exporting settings to download.)",
            media_type="video_file",
            mime_type="video/mp4",
            duration_seconds=30 + msg.id % 90,
        )
    elif msg.group is not None or msg.kind == "album_part":
        rec.update(photo="(File not included. Change data exporting settings to download.)", width=1280, height=853)
    if post is None:
        rec["text"], rec["text_entities"] = "", []
        return rec
    pieces = _pieces(post.text, text_entities(post, bold_title=post.channel in ("cn_mfa", "wire")))
    entities, text = [], []
    for kind, run, href in pieces:
        ent = {"type": kind, "text": run}
        if href:
            ent["href"] = href
        entities.append(ent)
        text.append(run if kind == "plain" else ent)
    rec["text"] = post.text if all(k == "plain" for k, _, _ in pieces) else text
    rec["text_entities"] = entities
    return rec


def write_desktop(path: Path, messages: list[Message], *, name: str, cid: int) -> None:
    """A single-chat Telegram Desktop export (``result.json``) of one channel."""
    doc = {
        "name": name,
        "type": "public_channel",
        "id": cid,
        "messages": [_desktop_message(m, name, cid) for m in messages],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


# -- Telethon JSONL -------------------------------------------------------------------------------------
def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _telethon_entities(post: Post) -> list[dict]:
    names = {
        "bold": "MessageEntityBold",
        "hashtag": "MessageEntityHashtag",
        "link": "MessageEntityUrl",
        "text_link": "MessageEntityTextUrl",
    }
    out = []
    for start, end, kind, href in text_entities(post, bold_title=False):
        ent = {"_": names[kind], "offset": _utf16(post.text[:start]), "length": _utf16(post.text[start:end])}
        if href:
            ent["url"] = href
        out.append(ent)
    return out


def _tl_date(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S+00:00")


def _telethon_record(msg: Message, cid: int, originals: dict[str, tuple[int, int]]) -> dict:
    peer = {"_": "PeerChannel", "channel_id": cid}
    if msg.kind == "service":
        return {
            "_": "MessageService",
            "id": msg.id,
            "peer_id": peer,
            "date": _tl_date(msg.when),
            "action": {"_": "MessageActionPinMessage"},
            "out": False,
            "mentioned": False,
            "media_unread": False,
            "silent": False,
            "post": True,
            "legacy": False,
            "from_id": None,
            "reply_to": {"_": "MessageReplyHeader", "reply_to_msg_id": msg.pinned},
            "ttl_period": None,
        }
    post = msg.post
    media = None
    if msg.kind == "media":
        media = {
            "_": "MessageMediaDocument",
            "document": {"_": "Document", "id": msg.id * 7919, "mime_type": "video/mp4"},
        }
    elif msg.group is not None:
        media = {"_": "MessageMediaPhoto", "photo": {"_": "Photo", "id": msg.id * 7907}}
    fwd = None
    if post is not None and post.forwarded_from:
        src_cid, src_mid = originals.get(post.key, (channel_id(post.forwarded_from), None))
        fwd = {
            "_": "MessageFwdHeader",
            "date": _tl_date(post.original.when if post.original else post.when),
            "imported": False,
            "from_id": {"_": "PeerChannel", "channel_id": src_cid},
            "from_name": None,
            "channel_post": src_mid if src_mid is not None else 1000 + msg.id % 50000,
            "post_author": None,
            "saved_from_peer": None,
            "saved_from_msg_id": None,
            "psa_type": None,
        }
    return {
        "_": "Message",
        "id": msg.id,
        "peer_id": peer,
        "date": _tl_date(msg.when),
        "message": post.text if post is not None else "",
        "out": False,
        "mentioned": False,
        "media_unread": False,
        "silent": False,
        "post": True,
        "from_scheduled": False,
        "legacy": False,
        "edit_hide": False,
        "pinned": False,
        "noforwards": False,
        "from_id": None,
        "fwd_from": fwd,
        "via_bot_id": None,
        "reply_to": None,
        "media": media,
        "reply_markup": None,
        "entities": _telethon_entities(post) if post is not None else [],
        "views": msg.views,
        "forwards": msg.views // 300,
        "replies": None,
        "edit_date": _tl_date(msg.edited) if msg.edited else None,
        "post_author": None,
        "grouped_id": msg.group,
        "reactions": None,
        "restriction_reason": [],
        "ttl_period": None,
    }


def write_telethon(path: Path, messages: list[Message], *, cid: int, originals: dict) -> None:
    """A Telethon dump (``Message.to_dict()`` per line), newest first as ``iter_messages`` gives."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for msg in reversed(messages):
            fh.write(json.dumps(_telethon_record(msg, cid, originals), ensure_ascii=False) + "\n")


# -- table ------------------------------------------------------------------------------------------------
def write_table(path: Path, rows: list[tuple[str, Message]]) -> None:
    """One row per post of every channel, merged in time order (the shape of a research
    platform's export): id, channel, date (UTC), text, forwarded_from, views."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["id", "channel", "date", "text", "forwarded_from", "views"])
        for name, msg in sorted(rows, key=lambda r: (r[1].when, r[0], r[1].id)):
            post = msg.post
            out.writerow(
                [msg.id, name, msg.when.strftime("%Y-%m-%dT%H:%M:%SZ"), post.text, post.forwarded_from or "", msg.views]
            )


# -- copied channel text ---------------------------------------------------------------------------------
def write_copied_text(path: Path, posts: list[Post], rng: random.Random) -> dict:
    """The channel's posts as selected in a Telegram client and pasted into a file: a
    ``Forwarded from`` header over forwards, the expanded preview repeating the body (sometimes
    title and body), ``Read in full`` under posts with a link. Returns counts for the manifest."""
    lines: list[str] = []
    counts = {"posts": len(posts), "forwarded": 0, "with_copy": 0, "title_repeated": 0}
    for i, post in enumerate(posts):
        if post.forwarded_from:
            lines.append(f"Forwarded from {post.forwarded_from}")
            counts["forwarded"] += 1
        own = [ln for ln in post.text.split("\n") if ln.strip()]
        title, body = own[0], own[1:]
        linked = bool(_URL.search(post.text)) or bool(_READ_IN_FULL.search(post.text))
        visible = [ln for ln in own if not _READ_IN_FULL.match(ln)]
        lines.extend(visible)
        if linked:
            lines.append("Read in full")
        nxt = posts[i + 1] if i + 1 < len(posts) else None
        can_skip = nxt is None or nxt.forwarded_from is not None
        roll = rng.random()
        if roll < 0.05 and can_skip:
            continue
        copy = [ln for ln in (([title] if roll > 0.9 or not body else []) + body) if not _READ_IN_FULL.match(ln)]
        if not copy:
            copy = [title]
        counts["with_copy"] += 1
        counts["title_repeated"] += copy[0] == title
        lines.extend(copy)
        if linked:
            lines.append("Read in full")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return counts
