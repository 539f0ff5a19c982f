"""Post ids kept as a stem and a number: ``c1m:Synthetic MFA:123456`` as the code of its stem
``c1m:Synthetic MFA:`` and the number 123456.

A run keeps every post's id to the end (each edge's posts, the ties, the explorer). As Arrow
strings the ids of a million benchmark posts take 28 MB (a 4-byte offset and some 24 bytes of
text each), the largest of the run's own columns; readers make ids of a source's stem and a
message's number, so most of that text repeats. :class:`NumberedIds` keeps each id's stem as a
code into the distinct stems (one or two bytes a post) and its number as an integer (four
bytes, or eight past 2**32): five bytes a benchmark post.

An id is split only where that is exact: its number is its trailing ASCII digits without a
leading zero (``0``, or ``7`` of ``mfa:007`` whose stem is ``mfa:00``), at most 18 of them, so
that the stem followed by the number written in decimal gives back the very same id. Ids are
numbered a whole array at a time (:func:`numbered`): an array with an id that has no such
number (or a missing id) stays Arrow strings, and the two kinds mix freely
(:func:`joined_ids`, :func:`as_strings`).

A :class:`NumberedIds` answers what the run asks of its ids as an Arrow string array does
(``len``, ``take``, ``filter``, ``to_pylist``, an item's ``as_py``); an operation that needs
the strings makes them for the ids it is given only (:meth:`NumberedIds.take`).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from netanalysis.graph.strings import drained_strings

__all__ = ["NumberedIds", "numbered", "joined_ids", "as_strings", "stems_of", "is_in"]

#: the shortest stem, then a number in decimal without a leading zero (a stem may hold line
#: breaks): for Arrow's regular expressions (RE2) and, as :data:`_SPLIT_PY`, for Python's
_PATTERN = r"(?P<stem>.*?)(?P<number>0|[1-9][0-9]{0,17})"
_SPLIT = "(?s)^" + _PATTERN + "$"
_SPLIT_PY = re.compile(_PATTERN + r"\Z", re.DOTALL)


def _code_type(n: int) -> np.dtype:
    return np.dtype(np.uint8 if n <= 1 << 8 else np.uint16 if n <= 1 << 16 else np.int32)


def _number_type(largest: int) -> np.dtype:
    return np.dtype(np.uint32 if largest < 1 << 32 else np.int64)


class NumberedIds:
    """Post ids as the code of each one's stem (into ``stems``, distinct Arrow strings) and its
    number; see the module notes. Equal, id for id, to the Arrow strings :meth:`strings` makes.

    Examples
    --------
    >>> ids = numbered(pa.array(["mfa:9", "mfa:10", "tass:007", "0"]), smaller=False)
    >>> ids.stems.to_pylist(), ids.stem.tolist(), ids.number.tolist()
    (['mfa:', 'tass:00', ''], [0, 0, 1, 2], [9, 10, 7, 0])
    >>> ids.take(np.array([2, 0])).to_pylist(), ids[1].as_py(), len(ids)
    (['tass:007', 'mfa:9'], 'mfa:10', 4)
    """

    __slots__ = ("stems", "stem", "number", "__weakref__")

    type = pa.string()

    def __init__(self, stems: pa.Array, stem: np.ndarray, number: np.ndarray):
        self.stems, self.stem, self.number = stems, stem, number

    def __len__(self) -> int:
        return len(self.stem)

    def __reduce__(self) -> tuple[Any, ...]:
        return (NumberedIds, (self.stems, self.stem, self.number))

    @property
    def nbytes(self) -> int:
        return int(self.stems.nbytes + self.stem.nbytes + self.number.nbytes)

    def strings(self, rows: np.ndarray | None = None) -> pa.Array:
        """The ids (those at ``rows``, in that order) as an Arrow string array."""
        stem, number = (self.stem, self.number) if rows is None else (self.stem[rows], self.number[rows])
        if not len(stem):
            return pa.array([], type=pa.string())
        numbers = pa.array(number).cast(pa.string())
        if len(self.stems) == 1:  # (one stem, joined as a scalar: 41 ns an id instead of 74)
            return pc.binary_join_element_wise(self.stems[0], numbers, "")
        stems = self.stems.take(pa.array(stem.astype(np.int32, copy=False)))
        return pc.binary_join_element_wise(stems, numbers, "")

    def take(self, indices: Any) -> pa.Array:
        """The ids at ``indices`` (ints: numpy or Arrow) as Arrow strings."""
        if isinstance(indices, (pa.Array, pa.ChunkedArray)):
            indices = indices.to_numpy(zero_copy_only=False)
        return self.strings(np.asarray(indices, dtype=np.int64))

    def slice(self, offset: int, length: int) -> NumberedIds:
        """The ids ``offset`` to ``offset + length`` (views of this one's arrays), as Arrow's
        ``Array.slice``."""
        return NumberedIds(self.stems, self.stem[offset : offset + length], self.number[offset : offset + length])

    def filter(self, mask: Any) -> NumberedIds:
        """The ids where ``mask`` (booleans: numpy or Arrow) is true, still numbered."""
        if isinstance(mask, (pa.Array, pa.ChunkedArray)):
            mask = mask.to_numpy(zero_copy_only=False)
        keep = np.asarray(mask, dtype=bool)
        return NumberedIds(self.stems, self.stem[keep], self.number[keep])

    def __getitem__(self, i: int) -> pa.Scalar:
        i = int(i)
        stem = self.stems[int(self.stem[i])].as_py()
        return pa.scalar(stem + str(int(self.number[i])), type=pa.string())

    def to_pylist(self) -> list[str]:
        return self.strings().to_pylist()

    def equals(self, other: Any) -> bool:
        """Whether ``other`` (numbered or Arrow strings) holds the same ids in the same order."""
        if other is self:
            return True
        return len(other) == len(self) and self.strings().equals(as_strings(other))


def numbered(ids: Any, *, smaller: bool = True) -> Any:
    """``ids`` (an Arrow string array) as :class:`NumberedIds` when every id splits exactly
    into a stem and a number (see the module notes) and (with ``smaller``) that is smaller,
    else ``ids`` as given.

    Examples
    --------
    >>> ids = pa.array([f"mfa:{i}" for i in range(100)])
    >>> type(numbered(ids)).__name__, numbered(ids).nbytes, ids.nbytes
    ('NumberedIds', 508, 990)
    >>> numbered(pa.array(["a:1", "b"] * 100)).type, numbered(pa.array(["a:1", "a:2"])).type  # (no number; larger)
    (DataType(string), DataType(string))
    """
    if isinstance(ids, NumberedIds) or not len(ids) or ids.null_count or ids.type != pa.string():
        return ids
    if ids.offset:  # (the split reads the array's own buffers)
        ids = pa.concat_arrays([ids])
    trimmed = pc.utf8_rtrim(ids, characters="0123456789")
    begin = np.frombuffer(ids.buffers()[1], dtype=np.int32, count=len(ids) + 1)
    digits = np.diff(begin) - pc.binary_length(trimmed).to_numpy().astype(np.int32)
    if digits.min() < 1 or digits.max() > 18:  # (an id without a number, or too long a one)
        return ids
    data = np.frombuffer(ids.buffers()[2], dtype=np.uint8)
    at = begin[:-1] + (np.diff(begin) - digits)  # where each id's digits begin
    if np.any((digits > 1) & (data[at] == ord("0"))):  # leading zeros: into the stem
        parts = pc.extract_regex(ids, _SPLIT)
        stem_text, number = parts.field("stem"), parts.field("number").cast(pa.int64()).to_numpy()
    else:
        stem_text, number = trimmed, np.zeros(len(ids), dtype=np.int64)
        for j in range(int(digits.max())):  # (the digits read a place at a time, all ids at once)
            more = digits > j
            number[more] = number[more] * 10 + (data[at[more] + j] - ord("0"))
    coded = stem_text.dictionary_encode()
    stems = coded.dictionary
    stem = coded.indices.to_numpy().astype(_code_type(len(stems)))
    out = NumberedIds(stems, stem, number.astype(_number_type(int(number.max()))))
    return out if out.nbytes < ids.nbytes or not smaller else ids


def as_strings(ids: Any) -> Any:
    """``ids`` as Arrow strings (numbered ids made into strings; anything else as given)."""
    return ids.strings() if isinstance(ids, NumberedIds) else ids


def stems_of(ids: Any) -> pa.Array:
    """What holds every character of ``ids`` that is not a number's digit: the distinct stems
    of numbered ids, else the strings themselves (to look for characters that need quoting)."""
    return ids.stems if isinstance(ids, NumberedIds) else ids


def joined_ids(parts: list[Any]) -> Any:
    """The ids of ``parts`` (numbered or Arrow strings) as one: numbered when every part is,
    their stems' codes made one; else Arrow strings. Each part is dropped from ``parts`` (set
    to None) once copied, so that the parts and the joined ids are not all held at once."""
    if not parts or not all(isinstance(p, NumberedIds) for p in parts):
        for i in range(len(parts)):  # (no name left holding a part: each is dropped once copied)
            parts[i] = as_strings(parts[i])
        return drained_strings(parts)
    if len(parts) == 1:  # (one part: itself, not a copy)
        return parts.pop()
    stems = pa.concat_arrays([p.stems for p in parts]).unique()
    n = sum(len(p) for p in parts)
    stem = np.empty(n, dtype=_code_type(len(stems)))
    number = np.empty(n, dtype=np.result_type(*[p.number.dtype for p in parts]))
    at = 0
    for i in range(len(parts)):
        part, parts[i] = parts[i], None
        to = pc.index_in(part.stems, value_set=stems).to_numpy().astype(np.int64)
        stem[at : at + len(part)] = to[part.stem]
        number[at : at + len(part)] = part.number
        at += len(part)
        del part
    parts.clear()
    return NumberedIds(stems, stem, number)


def is_in(ids: Any, values: list[str]) -> np.ndarray:
    """Whether each of ``ids`` (numbered or Arrow strings) is one of ``values``, as booleans; of
    numbered ids, by their stems' codes and numbers (no string made for every id).

    Examples
    --------
    >>> ids = numbered(pa.array([f"a:{i}" for i in range(8)] + ["b:3"]))
    >>> np.flatnonzero(is_in(ids, ["b:3", "a:03", "a:5", "c"])).tolist()
    [5, 8]
    """
    if not isinstance(ids, NumberedIds):
        return pc.is_in(ids, value_set=pa.array(values, type=pa.string())).to_numpy(zero_copy_only=False)
    code = {stem: i for i, stem in enumerate(ids.stems.to_pylist())}
    wanted = set()
    for value in values:  # (split as the ids were: a value that does not split is no id of theirs)
        match = _SPLIT_PY.match(value)
        if match is not None and match["stem"] in code:
            wanted.add((code[match["stem"]], int(match["number"])))
    numbers = np.fromiter((n for _, n in wanted), dtype=np.int64, count=len(wanted))
    found = np.isin(ids.number, numbers)
    for i in np.flatnonzero(found):  # (the few ids whose number is wanted: their stems too)
        found[i] = (int(ids.stem[i]), int(ids.number[i])) in wanted
    return found
