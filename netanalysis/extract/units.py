"""Paragraphs and sentences of a post: where each starts, and which one an offset falls in.

A co-mention may be counted per post, per paragraph or per sentence (``unit``). Paragraphs are
separated by line breaks. A sentence ends at ``.``, ``!``, ``?`` or ``…`` (with any closing
quotes or brackets) followed by white space, when the next character opens a sentence (a
capital letter, an opening quote before one, or a flag emoji) and the full stop does not end an
initial (``U.S.``, ``С.В.``).
"""

from __future__ import annotations

import bisect
import re

from netanalysis.model import UNITS

__all__ = ["UNITS", "unit_starts", "unit_index", "count_units"]


_SENTENCE_END = re.compile(r"[.!?…]+[\"'»”’)\]]*\s+")
_INITIALS = re.compile(r"(?:[^\W\d_]\.)*[^\W\d_]")


def unit_starts(text: str, unit: str) -> list[int]:
    """Return the start offsets of the paragraphs or sentences of ``text`` (always begins with 0).

    Examples
    --------
    >>> unit_starts("One. Two\\nThree", "paragraph")
    [0, 9]
    >>> unit_starts("Встреча в Москве. Россия и Китай. U.S. News", "sentence")
    [0, 18, 34]
    """
    starts = {0}
    starts.update(m.end() for m in re.finditer("\n", text))
    if unit == "sentence":
        for m in _SENTENCE_END.finditer(text):
            nxt = m.end()
            if nxt < len(text) and _opens_sentence(text, nxt) and not _after_initial(text, m.start()):
                starts.add(nxt)
    return sorted(s for s in starts if s <= len(text))


def _opens_sentence(text: str, i: int) -> bool:
    ch = text[i]
    if ch in "\"'«“„(" and i + 1 < len(text):
        ch = text[i + 1]
    return ch.isupper() or "\U0001f1e6" <= ch <= "\U0001f1ff"


def _after_initial(text: str, end: int) -> bool:
    word = re.split(r"\s", text[:end])[-1]
    return bool(_INITIALS.fullmatch(word))


def unit_index(starts: list[int], offset: int) -> int:
    """The index of the unit (from :func:`unit_starts`) that holds ``offset``."""
    return bisect.bisect_right(starts, offset) - 1


def count_units(text: str | None, unit: str) -> int:
    """How many units ``text`` has: 1 post, its paragraphs or its sentences (as
    :func:`unit_starts` splits it; an empty or missing text is one empty unit).

    Examples
    --------
    >>> count_units("One. Two\\nThree", "paragraph"), count_units("One. Two\\nThree", "sentence")
    (2, 3)
    """
    if unit == "post" or not text:
        return 1
    if unit == "paragraph":  # every line break starts one (see unit_starts)
        return text.count("\n") + 1
    return len(unit_starts(text, unit))
