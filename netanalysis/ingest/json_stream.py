"""A Telegram Desktop export (``result.json``) read message by message.

Telegram Desktop writes one JSON document, so ``json.loads`` needs the whole file in memory, a
few times over (the text and every parsed message). This module reads it in blocks of whole
lines and decodes one message at a time with the standard library's ``raw_decode``; memory is
bounded by a block and the largest message, not by the file.

It reads the file twice. The first pass decodes everything but keeps only the **skeleton**:
the document with every list of messages (the top level's, and each chat's under
``chats.list`` and ``left_chats.list``) replaced by a :class:`StreamedMessages` placeholder.
The reader then knows every chat's name and id, and which lists it will read in which order,
before the first post goes out; a broken file fails in this pass, before any post is read,
exactly as loading it whole would. The second pass hands out the messages of each list as the
reader asks for them. ``\\xNN`` escapes (which Telegram Desktop writes) are repaired as
:func:`~netanalysis.ingest.files.loads_json` repairs them.

:func:`skeleton` returns ``None`` for anything it does not know how to stream (a JSON error, a
document of another shape, lists read out of file order); the caller then loads the file
whole, which gives the usual error message or result.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from netanalysis.errors import InputError
from netanalysis.ingest.files import open_text, repair_x_escapes

__all__ = ["StreamedMessages", "skeleton", "stream_messages"]

#: Characters decoded and held at a time (whole lines: a block never ends inside a string).
BLOCK = 1 << 20
_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")
_SECTIONS = ("chats", "left_chats")


class _Unexpected(Exception):
    """The document is not one this module streams (the caller loads it whole)."""


class _Text:
    """The decoded text of a file, a block of whole lines at a time, and a read position."""

    def __init__(self, path: Path, encoding: str):
        self.lines = open_text(path, encoding)
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.repair = False  # \xNN escapes met: repair every block from then on

    def more(self) -> bool:
        if self.eof:
            return False
        parts, size = [], 0
        for _, line in self.lines:
            parts.append(line)
            size += len(line)
            if size >= BLOCK:
                break
        else:
            self.eof = True
        block = "".join(parts)
        if self.repair and "\\x" in block:
            block = repair_x_escapes(block)
        self.buf = self.buf[self.pos :] + block
        self.pos = 0
        return bool(block)

    def peek(self) -> str:
        """The next character that is not white space ("" at the end of the file)."""
        while True:
            self.pos = _SPACE.match(self.buf, self.pos).end()
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.more():
                return ""

    def take(self, char: str) -> None:
        if self.peek() != char:
            raise _Unexpected(f"expected {char!r}")
        self.pos += 1

    def value(self) -> Any:
        """Decode the JSON value at the read position (reading more until it is whole)."""
        self.peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError:
                rest = self.buf[self.pos :]
                if not self.repair and "\\x" in rest:
                    self.repair = True
                    self.buf = repair_x_escapes(rest)
                    self.pos = 0
                    continue
                if self.more():
                    continue
                raise _Unexpected("invalid JSON") from None
            except RecursionError:
                raise _Unexpected("JSON nested too deeply") from None
            if end == len(self.buf) and self.more():  # a number may go on in the next block
                continue
            self.pos = end
            return value

    def _members(self, opening: str, closing: str) -> Iterator[None]:
        """Step through the object or array at the read position: yield before each member
        (which the caller reads), then take the ``,`` or the closing bracket after it."""
        self.take(opening)
        if self.peek() == closing:
            self.pos += 1
            return
        while True:
            yield None
            char = self.peek()
            self.pos += 1
            if char == closing:
                return
            if char != ",":
                raise _Unexpected(f"expected ',' or {closing!r}")

    def keys(self) -> Iterator[str]:
        """The keys of the object at the read position; the caller reads each key's value."""
        for _ in self._members("{", "}"):
            if self.peek() != '"':
                raise _Unexpected("expected a key")
            key = self.value()
            self.take(":")
            yield key

    def elements(self) -> Iterator[None]:
        """Step through the array at the read position; the caller reads each element."""
        return self._members("[", "]")


class StreamedMessages(list):
    """A chat's list of messages, read from the file when iterated (empty until then)."""

    def __init__(self, where: tuple):
        super().__init__()
        self.where = where
        self.feed: _Feed | None = None

    def __iter__(self) -> Iterator[Any]:
        if self.feed is None:
            raise RuntimeError("the messages of a skeleton are read through stream_messages()")
        return self.feed.messages(self.where)


def _messages(text: _Text, where: tuple) -> Iterator[tuple]:
    yield ("list", where)
    for _ in text.elements():
        yield ("message", where, text.value())


def _chat(text: _Text, where: tuple, chat: dict) -> Iterator[tuple]:
    """Fill ``chat`` from the object at the read position; its messages go out as events."""
    for key in text.keys():
        if key == "messages" and text.peek() == "[":
            if isinstance(chat.get(key), StreamedMessages):
                raise _Unexpected("two lists of messages in one chat")
            chat[key] = StreamedMessages(where)
            yield from _messages(text, where)
        else:
            chat[key] = text.value()


def _events(text: _Text) -> Iterator[tuple]:
    """``("list", where)`` and ``("message", where, message)`` in file order, then
    ``("document", skeleton)``; ``where`` is ``("messages",)`` for the top level's list and
    ``(section, i)`` for the i-th chat of ``chats.list`` or ``left_chats.list``."""
    document: dict = {}
    for key in text.keys():
        if key == "messages" and text.peek() == "[":
            if isinstance(document.get(key), StreamedMessages):
                raise _Unexpected("two top-level lists of messages")
            document[key] = StreamedMessages(("messages",))
            yield from _messages(text, ("messages",))
        elif key in _SECTIONS and text.peek() == "{":
            section: dict = {}
            for inner in text.keys():
                if inner == "list" and text.peek() == "[":
                    listed: list = []
                    for i, _ in enumerate(text.elements()):
                        if text.peek() == "{":
                            chat: dict = {}
                            yield from _chat(text, (key, i), chat)
                            listed.append(chat)
                        else:
                            listed.append(text.value())
                    section[inner] = listed
                else:
                    section[inner] = text.value()
            document[key] = section
        else:
            document[key] = text.value()
    if text.peek() != "":
        raise _Unexpected("text after the document")
    yield ("document", document)


def skeleton(path: Path, encoding: str = "utf-8") -> tuple[dict, list[tuple]] | None:
    """The first pass: the document with its lists of messages as :class:`StreamedMessages`
    placeholders, and the lists in file order; ``None`` when the file is not one to stream."""
    order = []
    try:
        for event in _events(_Text(path, encoding)):
            if event[0] == "list":
                order.append(event[1])
            elif event[0] == "document":
                return event[1], order
    except (_Unexpected, InputError):
        return None
    return None


class _Feed:
    """The second pass: hands out the messages of each list when its placeholder is iterated
    (the lists must be asked for in file order; others are skipped)."""

    def __init__(self, path: Path, encoding: str):
        self.path = path
        self.events = _events(_Text(path, encoding))
        self.back: tuple | None = None

    def _next(self) -> tuple:
        if self.back is not None:
            event, self.back = self.back, None
            return event
        try:
            return next(self.events)
        except (_Unexpected, StopIteration):
            raise InputError(self.path, "the file changed while it was being read") from None

    def messages(self, where: tuple) -> Iterator[Any]:
        while True:
            event = self._next()
            if event[0] == "list" and event[1] == where:
                break
            if event[0] == "document":
                raise InputError(self.path, "the file changed while it was being read")
        while True:
            event = self._next()
            if event[0] != "message":
                self.back = event
                return
            yield event[2]


def stream_messages(path: Path, document: dict, encoding: str = "utf-8") -> None:
    """Make the placeholders of ``document`` (from :func:`skeleton`) read their messages from
    ``path`` (one pass, lists in file order)."""
    feed = _Feed(path, encoding)
    places = [document.get("messages")]
    for key in _SECTIONS:
        section = document.get(key)
        if isinstance(section, dict) and isinstance(section.get("list"), list):
            places += [chat.get("messages") for chat in section["list"] if isinstance(chat, dict)]
    for place in places:
        if isinstance(place, StreamedMessages):
            place.feed = feed
