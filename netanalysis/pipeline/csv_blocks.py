"""Where each chunk's rows are in the run's ``posts.csv`` and ``mentions.csv``.

The corpus stage writes both files a chunk of posts at a time, in the order the kept corpus
holds the posts (a post's row in ``posts.csv`` and its block of rows in ``mentions.csv`` are
in its chunk's part of each file). :class:`CsvBlocks` notes, for each chunk, the corpus row of
its first post and where its part starts in each file: three numbers a chunk, nothing a post.

The explorer stage reads back the rows of the posts the page embeds (at most 20,000). With the
blocks it reads only the parts of the chunks that hold one of them (:func:`CsvBlocks.parts`,
:class:`PartsReader`), not the whole files: the page's posts are each edge's earliest, so on a
corpus in date order they are mostly in its first chunks. The rows read are the same, and
parsed by the same reader, so the page is byte-identical.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["CsvBlocks", "PartsReader"]


@dataclass
class CsvBlocks:
    """Each chunk's first corpus row and its parts' starts in ``posts.csv`` and ``mentions.csv``.

    :meth:`add` is called before a chunk's rows are written, :meth:`close` once both files are
    complete (their sizes end the last parts). What comes before the first part of a file is its
    header line (all of the file when no chunk was written).

    Examples
    --------
    >>> blocks = CsvBlocks()
    >>> blocks.add(rows=3, posts_at=10, mentions_at=8)
    >>> blocks.add(rows=2, posts_at=70, mentions_at=50)
    >>> blocks.add(rows=4, posts_at=95, mentions_at=64)
    >>> blocks.close(posts_size=150, mentions_size=99)
    >>> blocks.parts(np.array([0, 2, 5, 8]), "posts")  # rows 0 and 2 in chunk 0, 5 and 8 in chunk 2
    [(10, 70), (95, 150)]
    >>> blocks.parts(np.array([3, 4, 5]), "mentions")  # chunks 1 and 2: one part
    [(50, 99)]
    """

    first_rows: list[int] = field(default_factory=list)
    starts: dict[str, list[int]] = field(default_factory=lambda: {"posts": [], "mentions": []})
    rows: int = 0

    def add(self, *, rows: int, posts_at: int, mentions_at: int) -> None:
        """A chunk of ``rows`` posts whose rows start at these offsets of each file."""
        self.first_rows.append(self.rows)
        self.starts["posts"].append(posts_at)
        self.starts["mentions"].append(mentions_at)
        self.rows += rows

    def close(self, *, posts_size: int, mentions_size: int) -> None:
        """Both files are written: their sizes end the last chunk's parts."""
        self.starts["posts"].append(posts_size)
        self.starts["mentions"].append(mentions_size)

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called (each file's starts end with its size)."""
        return len(self.starts["posts"]) == len(self.first_rows) + 1

    def header(self, which: str) -> int:
        """Bytes of the header line of ``which`` (``"posts"`` or ``"mentions"``): those before
        its first part."""
        return self.starts[which][0]

    def parts(self, rows: np.ndarray, which: str) -> list[tuple[int, int]]:
        """``(start, end)`` byte ranges of ``which`` file holding the corpus ``rows``: the parts
        of their chunks, neighbouring chunks joined, in file order."""
        if not self.closed:
            raise ValueError("the files' blocks are not complete")
        if not len(rows):
            return []
        chunks = np.unique(np.searchsorted(np.asarray(self.first_rows), rows, side="right") - 1)
        starts = self.starts[which]
        parts: list[tuple[int, int]] = []
        for c in chunks.tolist():
            start, end = starts[c], starts[c + 1]
            if parts and parts[-1][1] == start:
                parts[-1] = (parts[-1][0], end)
            else:
                parts.append((start, end))
        return parts


class PartsReader(io.RawIOBase):
    """A file's header line followed by some byte ranges of it, read as one file.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile(delete=False) as f:
    ...     _ = f.write(b"id\\na\\nb\\nc\\nd\\n")
    >>> PartsReader(f.name, 3, [(5, 7), (9, 11)]).read()
    b'id\\nb\\nd\\n'
    >>> os.unlink(f.name)
    """

    def __init__(self, path: Path | str, header: int, parts: list[tuple[int, int]]):
        super().__init__()
        self._file = open(path, "rb")
        self._parts = [(0, header), *parts]
        self._at: int | None = None  # where the current part is read to

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        while self._parts:
            start, end = self._parts[0]
            if self._at is None:
                self._file.seek(start)
                self._at = start
            n = min(len(view), end - self._at)
            got = self._file.readinto(view[:n]) if n > 0 else 0
            if not got:  # the part is done (or the file ended early: the next part)
                self._parts.pop(0)
                self._at = None
                continue
            self._at += got
            return got
        return 0

    def close(self) -> None:
        self._file.close()
        super().close()
