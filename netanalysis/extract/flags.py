"""Flag emoji: pairs of regional-indicator symbols -> two-letter codes.

A flag emoji is two regional-indicator symbols (U+1F1E6..U+1F1FF, one per letter A..Z): 🇷🇺 is
``R`` + ``U``. A run of them (🇷🇺🇧🇾🇦🇲🇰🇬🇹🇯🇰🇿) is read in pairs from the start of the run,
as every renderer does, so one stray symbol at the end of an odd run is dropped and never
shifts the pairing of the others. Subdivision flags (🏴 followed by tag characters, as in the
flag of Scotland) contain no regional indicators and are never read as country flags.

Which codes name what is up to the caller (see :class:`netanalysis.extract.Extractor`): the
two-letter pairs of the UN and EU flags (🇺🇳, 🇪🇺) name forums, not countries.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["FLAG_RUN_RE", "flag_pair", "iter_flags"]

_BASE = 0x1F1E6
#: A run of two or more regional-indicator symbols (written out rather than ``{2,}``: the
#: regex engine scans for a leading character class several times faster).
FLAG_RUN_RE = re.compile("[\U0001f1e6-\U0001f1ff][\U0001f1e6-\U0001f1ff]+")


def flag_pair(code: str) -> str:
    """The flag emoji of a two-letter code: ``flag_pair("RU") == "🇷🇺"``."""
    return "".join(chr(_BASE + ord(letter) - 65) for letter in code)


def iter_flags(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield every flag emoji in ``text`` as ``(start, end, code)``.

    Parameters
    ----------
    text : str
        Post text.

    Returns
    -------
    Iterator[tuple[int, int, str]]
        Offsets of the two symbols (``end - start == 2``) and the two upper-case letters they
        spell, whether or not that is an assigned code.

    Examples
    --------
    >>> [code for _, _, code in iter_flags("🇷🇺🇨🇳 talks")]
    ['RU', 'CN']
    >>> [code for _, _, code in iter_flags("🇷🇺🇧🇾🇦")]
    ['RU', 'BY']
    """
    if text.isascii():
        return
    for match in FLAG_RUN_RE.finditer(text):
        start, end = match.span()
        for i in range(start, end - 1, 2):
            code = chr(ord(text[i]) - _BASE + 65) + chr(ord(text[i + 1]) - _BASE + 65)
            yield i, i + 2, code
