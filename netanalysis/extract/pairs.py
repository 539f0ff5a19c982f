"""Hashtag vocabulary and compound-tag segmentation (``#RussiaChina`` -> RU, CN).

Channels glue entity names into one tag: ``#RussiaChina``, ``#RussiaSouthAfrica``,
``#RussiaCSTO``, ``#РоссияКитай``. :class:`TagLexicon` holds every alias the registry allows in
hashtags (``use`` = ``tag`` or ``both``; a multi-word alias also in its joined form, so
``South Africa`` gives ``SouthAfrica``) and splits a tag into known parts by dynamic
programming over the tag, preferring the fewest parts. Every character must belong to a part
(underscores may separate parts), otherwise the tag has no segmentation and stays a plain tag.
Inside a compound tag case follows the alias's ``case`` column: a ``fold`` alias matches in any
case, an ``exact`` alias only as written (``#RussiaUS`` has the part ``US``, ``#russiaus`` has
not: in a compound the capitals are the evidence of where parts begin). A whole tag is looked up
ignoring case (``lookup(tag, fold=True)``), as Telegram treats hashtags: ``#un`` is ``#UN``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

__all__ = ["TagPart", "TagLexicon"]


class TagPart(NamedTuple):
    """One known part of a hashtag: offsets inside the tag text, and what it names."""

    start: int
    end: int
    kind: str
    entity: str


class _Entry(NamedTuple):
    alias: str
    exact: bool
    kind: str
    entity: str


class TagLexicon:
    """The aliases usable in hashtags, looked up case-insensitively with case rules.

    Parameters
    ----------
    entries : iterable of (alias, exact, kind, entity)
        ``exact`` is True for case-sensitive aliases. Entries are tried in the order given; the
        first whose case rule holds wins.

    Examples
    --------
    >>> lex = TagLexicon([("Russia", False, "country", "RU"), ("China", False, "country", "CN"),
    ...                   ("CSTO", False, "forum", "CSTO")])
    >>> [(p.kind, p.entity) for p in lex.segment("RussiaCSTO")]
    [('country', 'RU'), ('forum', 'CSTO')]
    >>> lex.segment("RussiaMars") is None
    True
    """

    def __init__(self, entries: Iterable[tuple[str, bool, str, str]]):
        table: dict[str, list[_Entry]] = {}
        for alias, exact, kind, entity in entries:
            if not alias:
                continue
            entry = _Entry(alias, bool(exact), kind, entity)
            bucket = table.setdefault(alias.lower(), [])
            if entry not in bucket:
                bucket.append(entry)
        self._table = table
        self.max_len = max((len(k) for k in table), default=0)

    def __len__(self) -> int:
        return len(self._table)

    def lookup(self, piece: str, *, fold: bool = False) -> tuple[str, str] | None:
        """Return ``(kind, entity)`` named by ``piece`` as a whole, or None.

        With ``fold=True`` every alias matches in any case (a whole hashtag: Telegram treats
        ``#un`` and ``#UN`` as one tag); otherwise ``exact`` aliases match only as written.
        """
        bucket = self._table.get(piece.lower())
        if bucket is None:
            return None
        for entry in bucket:
            if fold or not entry.exact or piece == entry.alias:
                return entry.kind, entry.entity
        return None

    def segment(self, tag: str) -> list[TagPart] | None:
        """Split ``tag`` (without ``#``) into the fewest known parts, or return None.

        Underscores between parts are skipped (``Russia_China``). Among segmentations with
        equally few parts the one with the longest last part wins (a fixed, documented order).
        """
        n = len(tag)
        if n == 0 or self.max_len == 0:
            return None
        # best[i]: (number of parts, parts) of the best segmentation of tag[:i], or None.
        best: list[tuple[int, tuple[TagPart, ...]] | None] = [None] * (n + 1)
        best[0] = (0, ())
        for i in range(1, n + 1):
            cand = best[i - 1] if tag[i - 1] == "_" else None
            for j in range(max(0, i - self.max_len), i):
                prev = best[j]
                if prev is None or (cand is not None and prev[0] + 1 >= cand[0]):
                    continue
                hit = self.lookup(tag[j:i])
                if hit is not None:
                    cand = (prev[0] + 1, prev[1] + (TagPart(j, i, hit[0], hit[1]),))
            best[i] = cand
        final = best[n]
        if final is None or final[0] == 0:
            return None
        return list(final[1])
