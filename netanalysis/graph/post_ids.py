"""Post ids of a corpus and of each edge: ranked once, each edge's ids sorted when read.

A graph over millions of posts must not hold a list of id strings per edge. The corpus's ids
are kept once, in input order, as one Arrow string array (:class:`PostIdTable`); an edge holds
int32 codes into it (:class:`PostIds`), in the order its posts came, some in memory and, for
graphs of many (edge, post) pairs, the rest in a temporary file (:class:`CodeStore`).

Edges list their posts in the *natural order* of their ids: by the id without its trailing
digits, then by length, then as a string, so ``mfa:9`` comes before ``mfa:10``. The table ranks
its ids in that order once (for ids that came in natural order, or in its reverse as
newest-first dumps give them, the rank is the position itself, or its mirror: nothing to sort
or store); an edge's codes are sorted by that rank when they are read.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from typing import IO, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from netanalysis.graph.numbered_ids import NumberedIds, as_strings, joined_ids, stems_of

__all__ = ["PostIdTable", "PostIdCollector", "PostIds", "CodeStore", "Run", "Runs", "natural_order"]

#: (edge, post) pairs whose post codes a graph keeps in memory; the codes of further pairs go
#: to a temporary file (4 bytes a pair: some 150 MB at a million posts of the benchmark). The
#: process keeps its graph to the end of a run and every worker forked after the graph stage
#: holds a copy: 4 MB each, where 4 million pairs took 16 MB (and as much for each projection).
SPILL_PAIRS = 1_000_000


def _natural_keys(ids: pa.Array) -> tuple[pa.Array, pa.Array]:
    return pc.utf8_rtrim(ids, characters="0123456789"), pc.utf8_length(ids)


def natural_order(ids: pa.Array) -> np.ndarray:
    """Positions of ``ids`` sorted in natural order (stable: equal ids keep their order).

    Examples
    --------
    >>> natural_order(pa.array(["p10", "p9", "a:2", "p1"])).tolist()
    [2, 3, 1, 0]
    """
    stems, lengths = _natural_keys(ids)
    table = pa.table({"stem": stems, "length": lengths, "id": ids})
    keys = [("stem", "ascending"), ("length", "ascending"), ("id", "ascending")]
    return pc.sort_indices(table, sort_keys=keys).to_numpy().astype(np.int64)


def _direction(ids: pa.Array) -> int:
    """1 if ``ids`` rise strictly in natural order, -1 if they fall strictly, else 0."""
    if len(ids) < 2:
        return 1
    stems, lengths = _natural_keys(ids)
    s0, s1, n0, n1, i0, i1 = stems[:-1], stems[1:], lengths[:-1], lengths[1:], ids[:-1], ids[1:]
    same_stem, same_length = pc.equal(s0, s1), pc.equal(n0, n1)
    for way, less in ((1, pc.less), (-1, pc.greater)):
        ordered = pc.or_(less(s0, s1), pc.and_(same_stem, pc.or_(less(n0, n1), pc.and_(same_length, less(i0, i1)))))
        if pc.all(ordered).as_py():
            return way
    return 0


def _key(ids: pa.Array, i: int) -> tuple[str, int, str]:
    text = ids[i].as_py()
    return text.rstrip("0123456789"), len(text), text


class PostIdTable:
    """A corpus's post ids (Arrow strings in input order, in pieces: of about a million as the
    counter joins them, or the one array a run that keeps its corpus joined) ranked in natural
    order.

    The pieces are never joined into one array: that copy would double the memory the ids take
    (some 400 MB at ten million posts) for a moment. ``direction`` is 1 when the ids are known
    to rise in natural order, -1 when they fall (newest first), and 0 when they come in no
    order: then they are sorted once, on first use.
    """

    __slots__ = ("pieces", "_starts", "direction", "_rank", "_order", "_plain")

    def __init__(self, ids: pa.Array | pa.ChunkedArray | list[pa.Array], direction: int | None = None):
        if isinstance(ids, pa.ChunkedArray):
            ids = list(ids.chunks)
        elif isinstance(ids, (pa.Array, NumberedIds)):
            ids = [ids]
        self.pieces = [p.cast(pa.string()) if p.type != pa.string() else p for p in ids if len(p)]
        self._starts = np.cumsum([0] + [len(p) for p in self.pieces])
        self.direction = _direction(self.ids) if direction is None else direction
        self._rank: np.ndarray | None = None
        self._order: np.ndarray | None = None
        self._plain: bool | None = None

    @property
    def ids(self) -> pa.ChunkedArray:
        """All the ids (no copy, but of numbered pieces: made as strings)."""
        return pa.chunked_array([as_strings(p) for p in self.pieces], type=pa.string())

    @property
    def column(self) -> Any:
        """All the ids as one column: the one piece as it is (numbered ids stay numbered), else
        :attr:`ids`."""
        return self.pieces[0] if len(self.pieces) == 1 else self.ids

    def __len__(self) -> int:
        return int(self._starts[-1])

    def _ranked(self) -> tuple[np.ndarray, np.ndarray]:
        if self._order is None:
            order = natural_order(self.ids).astype(np.int32 if len(self) < 2**31 else np.int64)
            rank = np.empty_like(order)
            rank[order] = np.arange(len(order), dtype=order.dtype)
            self._order, self._rank = order, rank
        assert self._rank is not None
        return self._rank, self._order

    def sorted_codes(self, codes: np.ndarray) -> np.ndarray:
        """``codes`` (positions in :attr:`ids`) reordered so that their ids run in natural order."""
        if self.direction == 1:
            return np.sort(codes, kind="stable")
        if self.direction == -1:
            return np.sort(codes, kind="stable")[::-1]
        rank, order = self._ranked()
        return order[np.sort(rank[codes], kind="stable")]

    def rank(self, codes: np.ndarray) -> np.ndarray:
        """The natural-order rank of the ids at ``codes`` (0 for the first id in that order)."""
        if self.direction == 1:
            return codes.astype(np.int64)
        if self.direction == -1:
            return len(self) - 1 - codes.astype(np.int64)
        return self._ranked()[0][codes].astype(np.int64)

    @property
    def plain(self) -> bool:
        """Whether no id holds a character that CSV quotes (``,``, ``"``, a line break)."""
        if self._plain is None:
            # (a numbered id's digits need no quotes: its stem says)
            self._plain = not any(
                pc.any(pc.match_substring_regex(stems_of(p), '[,"\r\n]')).as_py() for p in self.pieces
            )
        return bool(self._plain)

    def take(self, codes: np.ndarray) -> pa.Array:
        """The ids at ``codes`` (in the order of ``codes``)."""
        if not len(codes):
            return pa.array([], type=pa.string())
        if len(self.pieces) == 1:
            return self.pieces[0].take(_indices(codes))
        piece = np.searchsorted(self._starts, codes, side="right") - 1
        order = None
        if len(piece) > 1 and not bool(np.all(piece[1:] >= piece[:-1])):  # ids from pieces in no order
            order = np.argsort(piece, kind="stable")
            codes, piece = codes[order], piece[order]
        cuts = np.flatnonzero(np.diff(piece)) + 1
        taken = [
            self.pieces[int(piece[lo])].take(_indices(codes[lo:hi] - self._starts[piece[lo]]))
            for lo, hi in zip([0, *cuts.tolist()], [*cuts.tolist(), len(codes)], strict=True)
        ]
        whole = pa.concat_arrays(taken)
        if order is not None:  # back to the order of ``codes``
            inverse = np.empty_like(order)
            inverse[order] = np.arange(len(order))
            whole = whole.take(_indices(inverse))
        return whole

    def id_at(self, code: int) -> str:
        """The id at position ``code``."""
        piece = int(np.searchsorted(self._starts, code, side="right")) - 1
        return str(self.pieces[piece][code - int(self._starts[piece])].as_py())

    def __reduce__(self) -> tuple[Any, ...]:
        return (PostIdTable, (self.pieces, self.direction))


def _indices(codes: np.ndarray) -> pa.Array:
    return pa.array(codes, type=pa.int32() if codes.dtype.itemsize <= 4 else pa.int64())


class PostIdCollector:
    """Post ids appended a batch at a time, checked for natural order as they come (cheaply,
    a batch at a time) and joined into one :class:`PostIdTable` by :meth:`table`.

    With ``join=False`` the batches' arrays are kept as they come (no copy), for a caller that
    keeps the same batches and joins their ids itself: :meth:`release` lets them go before the
    caller's join, which can then drop each batch's array as it copies it, and :meth:`adopt`
    takes the joined array in their place, so the ids are held once, not twice.
    """

    _JOIN = 1_000_000

    def __init__(self, join: bool = True) -> None:
        self.join = join
        self.joined: list[pa.Array] = []
        self.recent: list[pa.Array] = []
        self.n_recent = 0
        self.direction: int | None = None  # None: nothing seen yet
        self._last: tuple[str, int, str] | None = None
        self.released = 0  # ids appended, then let go by :meth:`release`

    def append(self, ids: pa.Array) -> None:
        if not len(ids):
            return
        self.recent.append(ids)
        self.n_recent += len(ids)
        if self.join and self.n_recent >= self._JOIN:  # few large pieces to join at the end
            self.joined.append(joined_ids(self.recent))
            self.recent, self.n_recent = [], 0
        if self.direction == 0:
            return
        ids = as_strings(ids)  # (a batch's numbered ids as strings, for a moment)
        way = _direction(ids) if len(ids) > 1 else None
        if way == 0:
            self.direction = 0
            return
        first = _key(ids, 0)
        if self._last is not None:
            step = 1 if self._last < first else -1 if self._last > first else 0
            if step == 0 or (way is not None and way != step) or self.direction not in (None, step):
                self.direction = 0
                return
            way = step
        if way is not None:
            self.direction = way
        self._last = _key(ids, len(ids) - 1)

    def release(self) -> None:
        """Let go of the arrays appended (their number is kept), for a caller that holds the
        same arrays and joins them, dropping each as it is copied; :meth:`adopt` takes the
        joined array next."""
        self.released += self.n_recent + sum(len(piece) for piece in self.joined)
        self.joined, self.recent, self.n_recent = [], [], 0

    def adopt(self, ids: pa.Array) -> None:
        """Hold ``ids`` (every id appended so far, in the same order, joined by the caller) in
        place of the arrays appended, which are dropped."""
        appended = self.released + self.n_recent + sum(len(piece) for piece in self.joined)
        if len(ids) != appended:
            raise ValueError(f"{len(ids)} ids to adopt where {appended} were appended")
        self.joined, self.recent, self.n_recent, self.released = ([ids] if len(ids) else []), [], 0, 0

    def table(self) -> PostIdTable:
        """All the ids as one table, in pieces of about a million (never joined into one copy)."""
        pieces = self.joined + ([joined_ids(self.recent)] if self.recent else [])
        self.joined, self.recent, self.n_recent = [], [], 0
        return PostIdTable(pieces, 1 if self.direction is None else self.direction)


class _Spill:
    """A temporary file of int32 post codes, read back a run at a time."""

    __slots__ = ("file", "size")

    def __init__(self) -> None:
        self.file: IO[bytes] = tempfile.TemporaryFile(prefix="netanalysis-pairs-", buffering=0)
        self.size = 0

    def append(self, codes: np.ndarray) -> int:
        """Write ``codes``; return the position of the first."""
        data = memoryview(np.ascontiguousarray(codes, dtype=np.int32).tobytes())
        while data:
            data = data[os.write(self.file.fileno(), data) :]
        start, self.size = self.size, self.size + len(codes)
        return start

    def read(self, start: int, count: int) -> np.ndarray:
        data = os.pread(self.file.fileno(), 4 * count, 4 * start)
        if len(data) != 4 * count:
            raise OSError(f"the temporary file of post codes ended early ({len(data)} of {4 * count} bytes)")
        return np.frombuffer(data, dtype=np.int32)


class Run:
    """Where :meth:`CodeStore.keep` wrote a block of codes: ``count`` codes from position
    ``start`` of a temporary file. The counter cuts it into each edge's runs (:class:`Runs`)."""

    __slots__ = ("spill", "start", "count")

    def __init__(self, spill: _Spill, start: int, count: int):
        self.spill, self.start, self.count = spill, start, count


class Runs:
    """Runs of one edge's codes in a temporary file: ``counts[i]`` codes from position
    ``starts[i]``, in order, kept as two arrays (12 bytes a run).

    Each time the counter gathers its pending pairs by edge (:mod:`netanalysis.graph.counter`),
    every edge it meets gets a run: a million benchmark posts make 80,568 runs in the three
    graphs, which as a :class:`Run` object each in lists took 128 bytes a run (the object, its
    two ints and its list slot, by ``tracemalloc``), 10.3 MB growing with the corpus.
    """

    __slots__ = ("spill", "starts", "counts", "total")

    def __init__(self, spill: _Spill, starts: np.ndarray, counts: np.ndarray):
        self.spill, self.starts, self.counts = spill, starts, counts
        self.total = int(counts.sum(dtype=np.int64))

    def __len__(self) -> int:
        return self.total

    def load(self) -> np.ndarray:
        out = np.empty(self.total, dtype=np.int32)
        at = 0
        for start, count in zip(self.starts.tolist(), self.counts.tolist()):
            out[at : at + count] = self.spill.read(start, count)
            at += count
        return out


def loaded(part: np.ndarray | Runs) -> np.ndarray:
    """The codes of a piece (read back from the file if it is there)."""
    return part if isinstance(part, np.ndarray) else part.load()


class CodeStore:
    """Where a graph's (edge, post) codes are kept: in memory for the first :data:`SPILL_PAIRS`,
    then in a temporary file (deleted once no :class:`PostIds` refers to it)."""

    def __init__(self) -> None:
        self.kept = 0
        self.spill: _Spill | None = None

    def keep(self, codes: np.ndarray) -> np.ndarray | Run:
        self.kept += len(codes)
        if self.kept <= SPILL_PAIRS or not len(codes):
            return codes
        self.spill = self.spill or _Spill()
        return Run(self.spill, self.spill.append(codes), len(codes))


class PostIds(Sequence):
    """The ids of an edge's posts: a read-only sequence of str, in natural order, equal to the
    list of those ids.

    Parameters
    ----------
    codes : array or sequence of pieces
        Positions in ``table`` (int32), in any order; pieces may wait in a temporary file.
    table : PostIdTable, or the ids themselves
        The corpus's post ids, shared by every edge.

    Examples
    --------
    >>> ids = PostIds(np.array([2, 0], dtype=np.int32), ["mfa:10", "x", "mfa:9"])
    >>> list(ids), len(ids), ids == ["mfa:9", "mfa:10"]
    (['mfa:9', 'mfa:10'], 2, True)
    """

    __slots__ = ("_parts", "_table")

    def __init__(self, codes: np.ndarray | Sequence[np.ndarray | Runs], table: PostIdTable | Sequence[str]):
        self._parts = (codes,) if isinstance(codes, np.ndarray) else tuple(codes)
        self._table = (
            table if isinstance(table, PostIdTable) else PostIdTable(pa.array(list(map(str, table)), type=pa.string()))
        )

    @property
    def table(self) -> PostIdTable:
        """The corpus's id table these ids point into."""
        return self._table

    @property
    def codes(self) -> np.ndarray:
        """Positions in :attr:`table` of these ids, in natural order of the ids."""
        return self._table.sorted_codes(self.unordered_codes)

    @property
    def unordered_codes(self) -> np.ndarray:
        """Positions in :attr:`table` of these ids, in the order they came (not sorted: for
        counting or marking them)."""
        if len(self._parts) == 1:
            return loaded(self._parts[0])
        return np.concatenate([loaded(p) for p in self._parts]) if self._parts else np.zeros(0, dtype=np.int32)

    def __len__(self) -> int:
        return sum(len(part) for part in self._parts)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return self._table.take(self.codes[i]).to_pylist()
        return self._table.id_at(int(self.codes[i]))

    def __iter__(self) -> Iterator[str]:
        yield from self._table.take(self.codes).to_pylist()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (PostIds, list, tuple)):
            return len(self) == len(other) and list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(list(self))

    def __reduce__(self) -> tuple[Any, ...]:
        return (PostIds, (self.codes, self._table))

    def join(self, sep: str = ";") -> str:
        """The ids joined by ``sep`` (as in ``edges.csv``), in one Arrow call."""
        return _joined(self._table.take(self.codes), sep)

    def write_joined(self, fh: IO[str], sep: str = ";", piece: int = 200_000) -> None:
        """Write :meth:`join` to the text file ``fh``, ``piece`` ids at a time (an edge of
        millions of posts is never one string)."""
        codes = self.codes
        for lo in range(0, len(codes), piece):
            if lo:
                fh.write(sep)
            fh.write(_joined(self._table.take(codes[lo : lo + piece]), sep))


def _joined(taken: pa.Array, sep: str) -> str:
    if not len(taken):
        return ""
    if pa.types.is_large_string(taken.type):
        whole = pa.LargeListArray.from_arrays(pa.array([0, len(taken)], type=pa.int64()), taken)
        return pc.binary_join(whole, pa.scalar(sep, pa.large_string()))[0].as_py()
    whole = pa.ListArray.from_arrays(pa.array([0, len(taken)], type=pa.int32()), taken)
    return pc.binary_join(whole, sep)[0].as_py()
