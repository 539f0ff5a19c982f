"""XML written a block of lines at a time (:class:`Lines`), and its attributes escaped
(:func:`attr`, :func:`tag`): what the dynamic GEXF writer
(:mod:`~netanalysis.io.dynamic_gexf`) makes its file of, line by line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

__all__ = ["Lines", "LINES_AT_ONCE", "attr", "tag"]

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NEEDS_ESCAPE = re.compile('[&<>"\x00-\x1f\ufffe\uffff]')
_ENTITIES = (
    ("&", "&amp;"),
    ("<", "&lt;"),
    (">", "&gt;"),
    ('"', "&quot;"),
    ("\n", "&#10;"),
    ("\r", "&#13;"),
    ("\t", "&#9;"),
)


class Lines:
    """A file's lines, encoded (UTF-8, each ending in a newline) and written :data:`LINES_AT_ONCE`
    at a time as they are made. The whole text used to be made as a list of lines, joined and
    encoded at once: three copies of a file that grows with the windows' edges. At five
    million benchmark posts (71 windows, a 31.6 MB file) that took the run's process from 626
    to 728 MiB, the timeline stage's peak."""

    def __init__(self, fh: Any):
        self.fh = fh
        self.lines: list[str] = []

    def append(self, line: str) -> None:
        self.lines.append(line)
        if len(self.lines) >= LINES_AT_ONCE:
            self.flush()

    def extend(self, lines: Sequence[str]) -> None:
        for line in lines:
            self.append(line)

    def flush(self) -> None:
        if self.lines:
            self.fh.write(("\n".join(self.lines) + "\n").encode("utf-8"))
            self.lines = []


#: Lines of a GEXF file encoded and written at once (:class:`Lines`).
LINES_AT_ONCE = 4096


def attr(value: Any) -> str:
    """A double-quoted, escaped XML attribute value (characters XML cannot hold are dropped)."""
    text = str(value)
    if _NEEDS_ESCAPE.search(text):
        text = _XML_INVALID.sub("", text)
        for raw, entity in _ENTITIES:
            text = text.replace(raw, entity)
    return f'"{text}"'


def tag(name: str, attrs: dict[str, Any], close: bool = True) -> str:
    body = " ".join(f"{k}={attr(v)}" for k, v in attrs.items())
    return f"<{name} {body}{' /' if close else ''}>"
