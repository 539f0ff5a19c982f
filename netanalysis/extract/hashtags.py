"""Hashtags in post text: where they are and what their text is.

A hashtag is ``#`` followed by one or more word characters (Unicode letters, digits, underscore,
and combining marks so that decomposed ``ü`` stays inside a tag). It ends at the first character
that is not one of these: ``#ASEAN-centric`` is the tag ``#ASEAN``, ``#UN,`` is ``#UN``. A tag
may be glued to the preceding word (``С.В.#Лавров``, ``word#UN``), as Telegram renders it.

Two things that look like hashtags are not: a tag without any letter (``#1``, ``#2024``: list
numbers and years, which Telegram does not link either) and ``&#...`` (an HTML character
reference left in scraped text).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["HASHTAG_RE", "has_letter", "iter_hashtags"]

#: ``#`` and the tag text (group 1).
HASHTAG_RE = re.compile(r"#([\w\u0300-\u036f]+)")
_LETTER = re.compile(r"[^\W\d_]")


def has_letter(tag: str) -> bool:
    """Whether ``tag`` has a letter (``#1`` and ``#2024`` are not hashtags)."""
    return _LETTER.search(tag) is not None


def iter_hashtags(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield every hashtag in ``text`` as ``(start, end, tag)``.

    Parameters
    ----------
    text : str
        Post text.

    Returns
    -------
    Iterator[tuple[int, int, str]]
        ``start`` is the offset of ``#``, ``end`` the offset after the tag, and ``tag`` the tag
        text without ``#`` (so ``text[start + 1:end] == tag``).

    Examples
    --------
    >>> list(iter_hashtags("the #UN, #ASEAN-centric and С.В.#Лавров"))
    [(4, 7, 'UN'), (9, 15, 'ASEAN'), (32, 39, 'Лавров')]
    >>> list(iter_hashtags("item #1 of &#x27;"))
    []
    """
    if "#" not in text:
        return
    for match in HASHTAG_RE.finditer(text):
        start = match.start()
        if start and text[start - 1] == "&":
            continue
        tag = match.group(1)
        if _LETTER.search(tag) is None:
            continue
        yield start, match.end(), tag
