"""Reader for channel text copied out of a Telegram client and pasted into a file.

What such a file looks like (see the bundled ``examples/mfa_channel_sample.txt``):

- a post forwarded from another channel starts with a header line ``Forwarded from <name>``
  (the name may end with a flag emoji, which belongs to the header): the post's ``channel`` is
  the copying channel, like any other post of the file, and ``<name>`` its ``forwarded_from``
  (:mod:`netanalysis.ingest.channels`);
- a post of the copying channel itself has no header: it starts where the previous post ends;
- the client pastes the visible post and then its expanded preview, so a post reads
  ``title, body, body again`` (sometimes ``title, body, title, body``): the repeated copy is
  dropped, and where it ends is where an unheaded next post begins;
- ``Read in full``, ``📄 Read in full`` and ``<...>`` are interface text, not content.

Posts are numbered in file order (``post_id`` ``"<prefix>:<n>"``) and dated from their own title
line only (:mod:`netanalysis.ingest.dates`); years missing from the text are inferred from the
neighbouring posts of the same file.

Limits: two consecutive unheaded posts that both lack a preview copy cannot be told apart and are
read as one post; the whole file is held in memory (copied text files are small).
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from netanalysis.ingest import ReadOptions
from netanalysis.ingest.dates import find_post_date, resolve_dates
from netanalysis.ingest.files import read_text
from netanalysis.model import FileStats, Post

__all__ = ["read_copied_text", "split_copied_posts", "is_interface_line", "strip_interface_text", "parse_header"]

logger = logging.getLogger(__name__)

_HEADER_RE = re.compile(r"^(?:Forwarded from|Переслано от)\s+(?P<name>\S.*)$", re.IGNORECASE)
_INTERFACE_RE = re.compile(r"^(?:📄\s*)?(?:Read in full|Читать полностью)$|^<(?:\.\.\.|…)>$", re.IGNORECASE)
_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")
_TRAILING_ELISION_RE = re.compile(r"\s*<(?:\.\.\.|…)>$")
# Flags: a pair of regional indicators (🇷🇺), or a black flag with tag characters (🏴 of a subdivision).
_TRAILING_FLAGS_RE = re.compile(r"(?:\s*(?:[\U0001F1E6-\U0001F1FF]{2}|\U0001F3F4[\U000E0020-\U000E007F]+))+\s*$")
# Telegram caps a channel's name at 128 characters: a longer "Forwarded from ..." line is content.
_MAX_CHANNEL_NAME = 128
# A preview copy is never longer than this many characters (Telegram caps a post at 4096).
_MAX_COPY_CHARS = 16384
# Without a clean ending, a repeated block this short ("***", "❓") is taken as repeated content.
_MIN_LOOSE_COPY_CHARS = 20


@dataclass(frozen=True)
class _Line:
    number: int
    text: str


def is_interface_line(line: str) -> bool:
    """Whether a (stripped) line is client interface text: ``Read in full``, ``📄 Read in full``, ``<...>``.

    Examples
    --------
    >>> is_interface_line("📄 Read in full"), is_interface_line("<...>"), is_interface_line("Read")
    (True, True, False)
    """
    return bool(_INTERFACE_RE.match(line.strip()))


def strip_interface_text(line: str) -> str:
    """A line without surrounding white space and without a trailing ``<...>``; ``""`` for interface text.

    Examples
    --------
    >>> strip_interface_text("and the situation on the Korean Peninsula. <...>  ")
    'and the situation on the Korean Peninsula.'
    """
    text = line.strip()
    while text.endswith(">"):  # "<...>" at the end, possibly more than one
        shorter = _TRAILING_ELISION_RE.sub("", text).rstrip()
        if shorter == text:
            break
        text = shorter
    if len(text) <= 40 and _INTERFACE_RE.match(text):
        return ""
    return text


def parse_header(line: str) -> str | None:
    """The channel named by a ``Forwarded from <name>`` line (trailing flag emoji removed), else ``None``.

    Examples
    --------
    >>> parse_header("Forwarded from Russian MFA 🇷🇺")
    'Russian MFA'
    >>> parse_header("Lavrov was forwarded from Moscow") is None
    True
    >>> parse_header("Forwarded from 🇷🇺")
    '🇷🇺'
    """
    match = _HEADER_RE.match(line.strip())
    if not match or len(match.group("name")) > _MAX_CHANNEL_NAME:
        return None
    name = match.group("name").strip()
    return _TRAILING_FLAGS_RE.sub("", name).strip() or name  # a name that is only a flag stays


def split_copied_posts(lines: Sequence[str]) -> list[tuple[int, int, int]]:
    """Split the content lines between two headers into posts, and find each post's repeated copy.

    Parameters
    ----------
    lines : sequence of str
        Content lines (interface text and blank lines already removed), in file order.

    Returns
    -------
    list of (start, kept_end, end)
        One triple per post: the post's own lines are ``lines[start:kept_end]``;
        ``lines[kept_end:end]`` is the repeated preview copy (empty when there is none).
        The spans cover ``lines`` exactly, in order.

    Notes
    -----
    A post is ``title, body, body`` or ``title, body, title, body``. Where several splits fit,
    the one after which the rest of the lines also split into such posts is preferred; a post
    with no repeated copy runs up to the next point where that holds (or to the end).

    Examples
    --------
    >>> split_copied_posts(["T1", "a", "b", "a", "b", "T2", "c", "c"])
    [(0, 3, 5), (5, 7, 8)]
    >>> split_copied_posts(["T1", "a", "b"])
    [(0, 3, 3)]
    """
    return _Splitter([" ".join(line.split()) for line in lines]).split()


class _Splitter:
    """Finds post spans in a list of normalised lines (see :func:`split_copied_posts`)."""

    def __init__(self, keys: list[str]):
        self.keys = keys
        self.n = len(keys)
        self.positions: dict[str, list[int]] = defaultdict(list)
        for i, key in enumerate(keys):
            self.positions[key].append(i)
        self.chars = [0]
        for key in keys:
            self.chars.append(self.chars[-1] + len(key) + 1)
        self._options: dict[int, list[tuple[int, int]]] = {}
        self.clean = self._clean_from_end()

    def copies(self, p: int) -> list[tuple[int, int]]:
        """``(kept_end, end)`` of every post starting at ``p`` that has a repeated copy, longest first."""
        if p not in self._options:
            found = set()
            for first in (p + 1, p):  # the title once (title, body, body) or twice (title, body, title, body)
                if first >= self.n:
                    continue
                occurrences = self.positions[self.keys[first]]
                for q in occurrences[bisect_right(occurrences, first) :]:
                    k = q - first
                    if q + k > self.n or self.chars[q] - self.chars[first] > _MAX_COPY_CHARS:
                        break
                    if self._same_block(first, q, k):
                        found.add((q, q + k))
            self._options[p] = sorted(found, key=lambda span: (-span[1], -span[0]))
        return self._options[p]

    def _same_block(self, first: int, q: int, k: int) -> bool:
        keys = self.keys  # cheap checks of the last and middle lines first, then the whole block
        return (
            keys[q + k - 1] == keys[q - 1]
            and keys[q + k // 2] == keys[first + k // 2]
            and keys[first:q] == keys[q : q + k]
        )

    def _clean_from_end(self) -> list[bool]:
        """``clean[q]``: lines from ``q`` on split entirely into posts that have a repeated copy."""
        clean = [False] * (self.n + 1)
        clean[self.n] = True
        for q in range(self.n - 1, -1, -1):
            clean[q] = any(clean[end] for _, end in self.copies(q))
        return clean

    def split(self) -> list[tuple[int, int, int]]:
        spans = []
        p = 0
        while p < self.n:
            span = self._choose(p)
            if span is None:  # no repeated copy: the post runs to where clean posts start again
                end = next((q for q in range(p + 1, self.n) if self.clean[q]), self.n)
                span = (end, end)
            spans.append((p, span[0], span[1]))
            p = span[1]
        return spans

    def _choose(self, p: int) -> tuple[int, int] | None:
        options = self.copies(p)
        for kept_end, end in options:
            if self.clean[end]:
                return kept_end, end
        for kept_end, end in options:
            if self.chars[end] - self.chars[kept_end] >= _MIN_LOOSE_COPY_CHARS or end - kept_end >= 2:
                return kept_end, end
        return None


def read_copied_text(path: Path, stats: FileStats, *, prefix: str, options: ReadOptions) -> Iterator[Post]:
    """Read posts from channel text copied out of a Telegram client (format ``"text"``).

    Parameters
    ----------
    path : Path
        The text file (UTF-8 unless ``options.encoding`` says otherwise; ``.gz`` is read too).
    stats : FileStats
        Counts for this file: every block met is a record; a header with no post under it is
        counted as skipped (malformed), in strict mode too.
    prefix : str
        Post ids are ``f"{prefix}:{n}"``, ``n`` counting posts from 1 in file order.
    options : ReadOptions
        ``channel`` names the copying channel (default: the file's stem), which published every
        post of the file, forwards included; ``encoding``.

    Yields
    ------
    Post
        In file order. ``source`` is ``"<file name>:<line>"`` of the post's first line (its
        header line when it has one).

    Raises
    ------
    InputError
        When the file is missing, empty, binary or not valid text in the encoding.
    """
    own_channel = options.channel or _file_stem(path)
    blocks = _read_blocks(path, options.encoding)
    drafts: list[tuple[str, str | None, int, list[str]]] = []  # channel, forwarded_from, line, lines
    for header_line, forwarded_from, lines in blocks:
        if not lines:
            stats.records += 1
            stats.skip(f"line {header_line}", "'Forwarded from' header with no post under it")
            continue
        for i, (start, kept_end, _end) in enumerate(split_copied_posts([line.text for line in lines])):
            stats.records += 1
            kept = [line.text for line in lines[start:kept_end]]
            if i == 0 and header_line is not None:  # a forward: published here, written there
                drafts.append((own_channel, forwarded_from, header_line, kept))
            else:
                drafts.append((own_channel, None, lines[start].number, kept))
    texts = ["\n".join(kept) for *_, kept in drafts]
    dates = resolve_dates([find_post_date(text) for text in texts])
    logger.debug("%s: %d posts", path, len(drafts))
    for n, (draft, text, (date, source)) in enumerate(zip(drafts, texts, dates), 1):
        channel, forwarded_from, line, _ = draft
        yield Post(
            post_id=f"{prefix}:{n}",
            channel=channel,
            date=date,
            date_source=source,
            text=text,
            source=f"{path.name}:{line}",
            forwarded_from=forwarded_from,
        )


def _read_blocks(path: Path, encoding: str) -> list[tuple[int | None, str | None, list[_Line]]]:
    """``(header line, forwarded-from name, content lines)`` per header; text before any header first."""
    blocks: list[tuple[int | None, str | None, list[_Line]]] = []
    # The whole text at once: a decoding error then names the exact line (and the posts need
    # the whole file anyway, to infer years from neighbours).
    for number, raw in enumerate(_LINE_BREAK_RE.split(read_text(path, encoding)), 1):
        name = parse_header(raw)
        if name is not None:
            blocks.append((number, name, []))
            continue
        text = strip_interface_text(raw)
        if not text:
            continue
        if not blocks:
            blocks.append((None, None, []))
        blocks[-1][2].append(_Line(number, text))
    return blocks


def _file_stem(path: Path) -> str:
    name = path.name[:-3] if path.name.lower().endswith(".gz") else path.name
    return Path(name).stem
