"""Texts kept as Arrow strings (UTF-8) until they are written, a block at a time.

A Python string takes 4 bytes a character as soon as it holds one character outside the Basic
Multilingual Plane, and a flag emoji is two of them. On 200,000 benchmark posts the explorer's
20,000 embedded texts (1.5 k characters, a flag in each) were 28 MB as Arrow strings, and making
the page's texts and marks with them as Python strings kept 180 MB more. :class:`TextColumn` is
a read-only sequence of ``str`` over an Arrow string array: the page's JSON writer turns a block
of it into Python strings at a time.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

import numpy as np
import pyarrow as pa

__all__ = ["TextColumn", "MarkColumn", "IntColumn", "COLUMNS"]

#: Texts made into Python strings at a time when the column is iterated over.
_BLOCK = 1000


class TextColumn(Sequence[str]):
    """A sequence of ``str`` equal to the list of those strings, held as Arrow strings.

    Examples
    --------
    >>> texts = TextColumn(pa.array(["🇷🇺 Russia", "China"]))
    >>> len(texts), texts[0], texts[-1], texts[:1], texts == ["🇷🇺 Russia", "China"]
    (2, '🇷🇺 Russia', 'China', ['🇷🇺 Russia'], True)
    """

    __slots__ = ("_values",)

    def __init__(self, values: pa.Array | pa.ChunkedArray):
        self._values = values

    def __len__(self) -> int:
        return len(self._values)

    @overload
    def __getitem__(self, i: int) -> str: ...

    @overload
    def __getitem__(self, i: slice) -> list[str]: ...

    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            start, stop, step = i.indices(len(self))
            if step == 1:
                return self._values.slice(start, max(stop - start, 0)).to_pylist()
            return [self[k] for k in range(start, stop, step)]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError("TextColumn index out of range")
        return self._values[i].as_py()

    def __iter__(self) -> Iterator[str]:
        for start in range(0, len(self), _BLOCK):
            yield from self[start : start + _BLOCK]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (TextColumn, list, tuple)):
            return len(self) == len(other) and list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"TextColumn({list(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (TextColumn, (self._values,))


class MarkColumn(Sequence[list[int]]):
    """A sequence of lists of ``int`` (each post's marks: ``start, end, node`` triples one after
    the other) held as one integer array and where each post's values start: equal to the list
    of those lists, which the page's JSON writer makes a block of posts at a time. As Python
    lists, the marks of the 20,000 posts a page embeds took some 100 MB (an int object for each
    offset past 256).

    Examples
    --------
    >>> marks = MarkColumn(np.array([0, 4, 2, 10, 15, 1, 3, 5, 0]), np.array([0, 6, 6, 9]))
    >>> len(marks), marks[0], marks[1], marks[-1], marks[1:], marks == [[0, 4, 2, 10, 15, 1], [], [3, 5, 0]]
    (3, [0, 4, 2, 10, 15, 1], [], [3, 5, 0], [[], [3, 5, 0]], True)
    """

    __slots__ = ("_values", "_start")

    def __init__(self, values: np.ndarray, start: np.ndarray):
        self._values, self._start = values, start

    def __len__(self) -> int:
        return len(self._start) - 1

    @overload
    def __getitem__(self, i: int) -> list[int]: ...

    @overload
    def __getitem__(self, i: slice) -> list[list[int]]: ...

    def __getitem__(self, i: int | slice) -> list[int] | list[list[int]]:
        if isinstance(i, slice):
            start, stop, step = i.indices(len(self))
            if step != 1:
                return [self[k] for k in range(start, stop, step)]
            stop = max(stop, start)
            bounds = (self._start[start : stop + 1] - self._start[start]).tolist()
            values = self._values[self._start[start] : self._start[stop]].tolist()
            return [values[a:b] for a, b in zip(bounds[:-1], bounds[1:])]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError("MarkColumn index out of range")
        return self._values[self._start[i] : self._start[i + 1]].tolist()

    def __iter__(self) -> Iterator[list[int]]:
        for start in range(0, len(self), _BLOCK):
            yield from self[start : start + _BLOCK]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (MarkColumn, list, tuple)):
            return len(self) == len(other) and list(self) == [list(x) for x in other]
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"MarkColumn({list(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (MarkColumn, (self._values, self._start))


class IntColumn(Sequence[int]):
    """A sequence of ``int`` held as one integer array: equal to the list of those ints, which
    the page's JSON writer makes when it writes them. An edge's counts by day (``[day, count,
    ...]``) are two ints for each day it has posts on: as Python lists, those of the 666 edges of
    the five-million-post benchmark corpus (2,140 days) are up to 2.9 million ints by arithmetic,
    an object for each day past 256.

    Examples
    --------
    >>> counts = IntColumn(np.array([0, 4, 300, 1]))
    >>> len(counts), counts[2], counts[1::2], counts == [0, 4, 300, 1], counts.tolist()
    (4, 300, [4, 1], True, [0, 4, 300, 1])
    """

    __slots__ = ("_values",)

    def __init__(self, values: np.ndarray):
        self._values = values

    def __len__(self) -> int:
        return len(self._values)

    @overload
    def __getitem__(self, i: int) -> int: ...

    @overload
    def __getitem__(self, i: slice) -> list[int]: ...

    def __getitem__(self, i: int | slice) -> int | list[int]:
        if isinstance(i, slice):
            return self._values[i].tolist()
        return int(self._values[i])

    def __iter__(self) -> Iterator[int]:
        return iter(self._values.tolist())

    def tolist(self) -> list[int]:
        return self._values.tolist()

    def json(self) -> str:
        """The ints as JSON (``json.dumps`` of their list, without spaces): a decimal number each."""
        return "[" + ",".join(map(str, self._values.tolist())) + "]"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (IntColumn, list, tuple)):
            return len(self) == len(other) and self.tolist() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"IntColumn({self.tolist()!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (IntColumn, (self._values,))


#: The columns the page's JSON writer turns into lists a block at a time.
COLUMNS = (TextColumn, MarkColumn, IntColumn)
