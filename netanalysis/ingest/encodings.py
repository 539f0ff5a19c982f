"""Which codec reads a file: the encoding asked for (``--encoding``), its byte-order mark, its bytes.

* ``utf-8`` (the default) reads UTF-8 with or without a byte-order mark; a file that starts
  with a UTF-16 or UTF-32 byte-order mark (Excel's "Unicode text", Windows tools) is read in
  that encoding instead, with a note in the log.
* ``utf-16`` and ``utf-32`` read a file with a byte-order mark in its byte order; without one,
  the byte order is read from the bytes (text in these encodings is mostly characters below
  U+0100 or U+10000, whose high bytes are zero: those zeros sit at odd positions in
  little-endian UTF-16, at even ones in big-endian), with a warning, and when the bytes do not
  tell, the file is refused with an error that says to give ``utf-16-le`` or ``utf-16-be``.
* ``utf-16-le``, ``utf-16-be``, ``utf-32-le``, ``utf-32-be`` and any other codec Python knows
  (``cp1251``, ``koi8-r``, ``latin-1``...) are used as given.

Binary files: a NUL byte in the first 8 KB of a file read in a one-byte or UTF-8 encoding
means binary data (NUL is no character of text); in UTF-16 and UTF-32 zero bytes are part of
the text. A NUL further on is reported where the reader meets it (the line, or the record).
"""

from __future__ import annotations

import codecs
import logging
from pathlib import Path

from netanalysis.errors import InputError

__all__ = ["file_codec", "decode_head", "is_wide", "normalise", "looks_wide", "BOMS"]

log = logging.getLogger(__name__)
_told: set[tuple[str, str]] = set()  # (file, codec) read by a guessed byte order, already warned of

#: Byte-order marks and the codec each says (UTF-32 first: its LE mark starts with UTF-16's).
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def normalise(encoding: str) -> str:
    """A codec name in one spelling (``UTF_8`` and ``utf8`` are ``utf-8``); unknown names as given."""
    try:
        return codecs.lookup(encoding).name
    except (LookupError, TypeError):
        return str(encoding)


def is_wide(codec: str) -> bool:
    """Whether ``codec`` is UTF-16 or UTF-32 (zero bytes are part of its text)."""
    return normalise(codec).startswith(("utf-16", "utf-32"))


def _bom(head: bytes) -> str | None:
    for mark, codec in BOMS:
        if head.startswith(mark):
            return codec
    return None


def _byte_order(head: bytes, width: int) -> str | None:
    """``le`` or ``be`` when the zero bytes of ``head`` say it for code units of ``width`` bytes."""
    units = len(head) // width
    if units < 2:
        return None
    zeros = [head[i : units * width : width].count(0) for i in range(width)]
    # the high byte of most UTF-16 units is zero (characters below U+0100: Latin text, digits,
    # punctuation, line ends); the two high bytes of nearly every UTF-32 unit (below U+10000)
    if width == 2:
        high_le, high_be, need = zeros[1], zeros[0], units * 0.3
    else:
        high_le, high_be, need = min(zeros[2], zeros[3]), min(zeros[0], zeros[1]), units * 0.9
    if high_le >= need and high_be * 10 <= high_le:
        return "le"
    if high_be >= need and high_le * 10 <= high_be:
        return "be"
    return None


def looks_wide(head: bytes) -> str | None:
    """``utf-16`` or ``utf-32`` when ``head`` (without a byte-order mark) looks like it."""
    if _byte_order(head, 4):
        return "utf-32"
    if _byte_order(head, 2):
        return "utf-16"
    return None


def file_codec(path: str | Path, encoding: str, head: bytes) -> str:
    """The codec to read ``path`` with (see the module notes), from the ``encoding`` asked for
    and the first bytes of the file.

    Raises
    ------
    InputError
        An unknown encoding, or ``utf-16``/``utf-32`` without a byte-order mark on bytes that
        do not tell the byte order.
    """
    try:
        name = codecs.lookup(encoding).name
    except (LookupError, TypeError):
        raise InputError(path, f"unknown encoding {encoding!r}") from None
    bom = _bom(head)
    if name == "utf-8":
        if bom in ("utf-16", "utf-32"):
            log.info("%s: a %s byte-order mark: read as %s", path, bom.upper(), bom.upper())
            return bom
        return "utf-8-sig"  # (reads plain UTF-8 too, and drops the mark editors on Windows add)
    if name in ("utf-16", "utf-32"):
        if bom == name:
            return name
        width = 2 if name == "utf-16" else 4
        order = _byte_order(head, width)
        if order is None:
            raise InputError(
                path,
                f"{name.upper()} without a byte-order mark, and its bytes do not tell the byte order: "
                f"give --encoding {name}-le or {name}-be",
            )
        codec = f"{name}-{order}"
        if (str(path), codec) not in _told:
            _told.add((str(path), codec))
            log.warning("%s: %s without a byte-order mark: read as %s (its bytes say so)", path, name.upper(), codec)
        return codec
    return name


def decode_head(head: bytes, codec: str) -> str:
    """The first bytes of a file as text (for guessing its format; broken characters replaced)."""
    decoder = codecs.getincrementaldecoder(codec)(errors="replace")
    return decoder.decode(head, final=False)
