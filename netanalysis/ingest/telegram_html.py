"""Telegram Desktop's HTML export (``messages.html``, ``messages2.html``, ...).

Each ``div.message.default`` is a post (``.joined`` only means the same sender continues; it is
still its own post); ``div.message.service`` records are skipped and counted. The date is the
``title`` of the message's ``div.date.details`` (``"13.07.2023 14:05:11 UTC+03:00"``; older
Russian-locale builds wrote ``"20 декабря 2019, 12:00:34"`` without offset: read in
``ReadOptions.tz``, else as UTC with a warning). The text is the ``div.text`` with ``<br>`` as
new lines and entities unescaped; hashtag links (``ShowHashtag(...)``) keep their ``#``. A
forward's text sits in ``div.forwarded.body``, whose ``div.from_name`` names the source.
The channel is the page header's title. Parsed with the standard library's ``html.parser``,
streaming: memory stays flat whatever the page size. A page that does not end with ``</html>``
(a copy or download cut short) is read as far as it goes, with a warning and a problem listed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from netanalysis.errors import InputError
from netanalysis.ingest.files import iter_text_chunks
from netanalysis.ingest.records import FileContext, clean_text
from netanalysis.model import FileStats, Post

__all__ = ["read_telegram_html", "TelegramHTMLParser"]

logger = logging.getLogger(__name__)

_VOID = {"br", "img", "hr", "input", "meta", "link", "source", "wbr", "area", "base", "col", "embed", "param", "track"}
_RAW_BREAK = "\x00"  # stands for white space around a raw newline in the HTML source
_RAW_SPACE = re.compile(r"[ \t\r]*\n\s*")
_SKIP_TEXT_IN = {"reply_to", "media_wrap", "media", "reactions", "signature", "webpage"}


class _Message:
    __slots__ = ("record", "mid", "date_title", "text", "forwarded_from", "has_text", "hashtag_at")

    def __init__(self, record: int, mid: str | None):
        self.record = record
        self.mid = mid
        self.date_title: str | None = None
        self.text: list[str] = []
        self.forwarded_from: list[str] | None = None
        self.has_text = False
        self.hashtag_at: int | None = None


class TelegramHTMLParser(HTMLParser):
    """Collects the messages of an export page; :meth:`take` hands over those completed so far."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, frozenset[str]]] = []
        self.channel: str | None = None
        self.done: list[tuple[str, Any]] = []  # ("post", _Message) or ("service", record)
        self.records = 0
        self._msg: _Message | None = None
        self._msg_depth = 0
        self._header_depth: int | None = None
        self._header_text: list[str] | None = None
        self._text_depth: int | None = None
        self._from_depth: int | None = None
        self._forward_depth: int | None = None
        self._quiet_depth: int | None = None
        self._hashtag_depth: int | None = None

    # -- stack ---------------------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            if tag == "br" and self._text_depth is not None:
                self._msg.text.append("\n")
            return
        classes = frozenset((dict(attrs).get("class") or "").split())
        self.stack.append((tag, classes))
        self._open(tag, classes, dict(attrs), len(self.stack))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" and self._text_depth is not None:
            self._msg.text.append("\n")

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                while len(self.stack) > i:
                    self._close(len(self.stack))
                    self.stack.pop()
                return

    def close(self) -> None:
        super().close()
        while self.stack:
            self._close(len(self.stack))
            self.stack.pop()

    # -- what the elements mean ----------------------------------------------------------------
    def _open(self, tag: str, classes: frozenset[str], attrs: dict, depth: int) -> None:
        if tag == "div" and "page_header" in classes and self.channel is None:
            self._header_depth = depth
        elif self._header_depth is not None and tag == "div" and "text" in classes and self._header_text is None:
            self._header_text = []
        if tag == "div" and "message" in classes and self._msg is None:
            self.records += 1
            if "service" in classes:
                self.done.append(("service", self.records))
                return
            mid = (attrs.get("id") or "").removeprefix("message") or None
            self._msg, self._msg_depth = _Message(self.records, mid), depth
            return
        msg = self._msg
        if msg is None:
            return
        if self._from_depth is not None and "details" in classes:
            if self._quiet_depth is None:
                self._quiet_depth = depth  # the forward's own date inside from_name
        elif "forwarded" in classes and "body" in classes and self._forward_depth is None:
            self._forward_depth = depth
        elif classes & _SKIP_TEXT_IN and self._quiet_depth is None:
            self._quiet_depth = depth
        elif "date" in classes and "details" in classes:
            if self._forward_depth is None and msg.date_title is None and tag == "div":
                msg.date_title = attrs.get("title")
        elif "from_name" in classes and self._forward_depth is not None and msg.forwarded_from is None:
            msg.forwarded_from, self._from_depth = [], depth
        elif (
            tag == "div"
            and "text" in classes
            and self._text_depth is None
            and self._quiet_depth is None
            and not msg.has_text
        ):
            self._text_depth, msg.has_text = depth, True
        elif tag == "a" and self._text_depth is not None and "ShowHashtag" in (attrs.get("onclick") or ""):
            self._hashtag_depth, msg.hashtag_at = depth, len(msg.text)

    def _close(self, depth: int) -> None:
        if depth == self._header_depth:
            self._header_depth = None
        if self._header_text is not None and self.channel is None and self._header_depth is None:
            self.channel = clean_text(_collapse("".join(self._header_text))) or None
        if self._msg is None:
            return
        if depth == self._hashtag_depth:
            self._hashtag_depth = None
            start = self._msg.hashtag_at
            if start is not None and not "".join(self._msg.text[start:]).lstrip(_RAW_BREAK).startswith("#"):
                self._msg.text.insert(start, "#")
        if depth == self._text_depth:
            self._text_depth = None
        if depth == self._from_depth:
            self._from_depth = None
        if depth == self._quiet_depth:
            self._quiet_depth = None
        if depth == self._forward_depth:
            self._forward_depth = None
        if depth == self._msg_depth:
            self.done.append(("post", self._msg))
            self._msg = None

    def handle_data(self, data: str) -> None:
        data = _RAW_SPACE.sub(_RAW_BREAK, data)
        if self._header_text is not None and self.channel is None and self._header_depth is not None:
            self._header_text.append(data)
        msg = self._msg
        if msg is None:
            return
        if self._text_depth is not None:
            msg.text.append(data)
        elif self._from_depth is not None and self._quiet_depth is None:
            msg.forwarded_from.append(data)

    def take(self) -> list[tuple[str, Any]]:
        """The records completed since the last call."""
        done, self.done = self.done, []
        return done


def _collapse(text: str) -> str:
    """Raw-source white space: gone next to a line break or at the ends, else one space."""
    text = re.sub(f"{_RAW_BREAK}+", _RAW_BREAK, text)
    text = re.sub(f"{_RAW_BREAK}(?=\n)|(?<=\n){_RAW_BREAK}", "", text)
    return text.replace(_RAW_BREAK, " ")


def _post(msg: _Message, channel: str, ctx: FileContext, *, prefix: str) -> Post | None:
    record = msg.mid or f"#{msg.record}"
    text = clean_text(_collapse("".join(msg.text)))
    if not text:
        ctx.skip(record, "no text", kind="no_text")
        return None
    date, date_source = ctx.date(msg.date_title, record)
    forwarded = clean_text(_collapse("".join(msg.forwarded_from))) if msg.forwarded_from is not None else ""
    key = msg.mid or f"n{msg.record}"
    return Post(
        post_id=f"{prefix}:{key}",
        channel=channel,
        date=date,
        date_source=date_source,
        text=text,
        source=f"{ctx.name}#{key}",
        forwarded_from=forwarded or None,
    )


def read_telegram_html(path: Path, stats: FileStats, *, prefix: str, options: Any) -> Iterator[Post]:
    """Read one page of a Telegram Desktop HTML export (see the module notes).

    Parameters
    ----------
    path : the page (may be gzipped)
    stats : filled with the file's counts and problems
    prefix : the start of every post id (unique per input file)
    options : :class:`~netanalysis.ingest.ReadOptions`

    Raises
    ------
    InputError
        When the file cannot be decoded or holds no Telegram messages at all.
    """
    ctx = FileContext(path, stats, options)
    parser = TelegramHTMLParser()
    chunks = iter_text_chunks(Path(path), options.encoding)
    tail = ""
    while True:
        chunk = next(chunks, None)
        if chunk:
            tail = (tail + chunk)[-64:]
        try:
            if chunk is None:
                parser.close()
            else:
                parser.feed(chunk)
        except (AssertionError, ValueError) as exc:  # html.parser's own failures on broken markup
            raise InputError(path, f"HTML cannot be parsed ({exc})") from None
        channel = parser.channel or options.channel or prefix
        for kind, item in parser.take():
            ctx.record()
            if kind == "service":
                ctx.skip(f"#{item}", "service message", kind="service")
                continue
            post = _post(item, channel, ctx, prefix=prefix)
            if post is not None:
                yield post
        if chunk is None:
            break
    if parser.records == 0:
        raise InputError(
            path, "no Telegram messages found (expected div.message elements of a Telegram Desktop HTML export)"
        )
    if not tail.rstrip().lower().endswith("</html>"):
        problem = "the file ends before </html>: a truncated export? (its last message may be cut short)"
        logger.warning("%s: %s", path, problem)
        ctx.note("end", problem)
