"""A coded window's country-forum pairs and links, in bounded memory.

:func:`netanalysis.analysis.resample.coded_window` lists every pair of a country and a forum
named together in a unit of a post (:func:`window_pairs`), and the replicates of a window
sum the posts' links weighted by each replicate's post multiplicities
(:func:`netanalysis.analysis.link_products.summed`). Both go a part at a time so that their
memory is bounded by the part, not by the corpus: a million posts of the benchmark corpus name
36 million pairs, eight bytes each in every int64 array made of them, and enumerating them at
once took 5.7 GB. Their edges and their counts are kept as int32 (:func:`index_type`; the
counts are the weights they are summed with), their posts only as where each post's pairs start
(:func:`starts`), and the parts are joined a part at a time (:func:`joined`), so that the parts
and their concatenation are never all in memory at once. Counts that are all one (every unit a
whole post) are kept as their number only (:class:`Counts`, :func:`ones`): the products make
ones for a block of posts at a time.
The distinct (post, node) links (:func:`distinct_pairs`) and the window source's coding of a
corpus (:mod:`netanalysis.analysis.window_source`) go a chunk of posts at a time the same way.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from netanalysis.graph.link_starts import run_posts, start_runs, starts
from netanalysis.model import index_type

__all__ = [
    "PAIR_CHUNK",
    "LOOKUP_CODES",
    "joined",
    "ones",
    "is_ones",
    "totals",
    "counted",
    "COUNT_CHUNK",
    "Counts",
    "Filled",
    "distinct_pairs",
    "tally",
    "code_type",
    "window_pairs",
]

#: Links (post, unit, node) whose country-forum pairs :func:`window_pairs` enumerates at a time
#: (the whole corpus's coding on 200,000 benchmark posts peaked 32 MiB lower than with 1,000,000,
#: and took no longer; on 1,000,000 posts, 35 MiB lower with 50,000 than with 250,000, 999 ->
#: 964 MiB, one run each).
PAIR_CHUNK = 50_000
#: Edge codes (``country * n_nodes + forum``) up to which :func:`window_pairs` finds the distinct
#: edges and each pair's edge with tables over every code (a byte and four bytes a code).
LOOKUP_CODES = 1 << 22


def code_type(limit: int) -> type[np.signedinteger[Any]]:
    """The integer type of a window's node and edge codes below ``limit``: int16 when they fit (a
    registry's few hundred nodes, and the edges among the nodes a window names: half the memory
    of int32 for the 36 million pairs of a million benchmark posts), else
    :func:`~netanalysis.model.index_type`'s. The sparse products widen a block at a time
    (:class:`~netanalysis.analysis.link_products.PostLinks`).

    Examples
    --------
    >>> code_type(2**15).__name__, code_type(2**15 + 1).__name__
    ('int16', 'int32')
    """
    return np.int16 if limit <= 2**15 else index_type(limit)


def joined(chunks: list[np.ndarray], dtype: type) -> np.ndarray:
    """The chunks one after the other as one array of ``dtype``, each chunk dropped from the
    list once copied (the list is left empty): the copy needs the result and one chunk, not the
    result twice as ``numpy.concatenate`` does while the list holds every chunk.

    Examples
    --------
    >>> parts = [np.array([1, 2]), np.array([3])]
    >>> joined(parts, np.int32).tolist(), parts
    ([1, 2, 3], [])
    """
    out: np.ndarray = np.empty(sum(len(c) for c in chunks), dtype=dtype)
    at = 0
    chunks.reverse()
    while chunks:
        chunk = chunks.pop()
        out[at : at + len(chunk)] = chunk
        at += len(chunk)
        del chunk
    return out


def ones(n: int, dtype: type) -> np.ndarray:
    """``n`` ones of ``dtype`` that take no memory (a read-only view of one value): the counts
    of links and pairs when every unit is a whole post (each counted once).

    Examples
    --------
    >>> ones(3, np.int32).tolist(), ones(3, np.int32).strides
    ([1, 1, 1], (0,))
    """
    return np.broadcast_to(np.ones(1, dtype=dtype), (n,))


def is_ones(counts: np.ndarray) -> bool:
    """Whether ``counts`` are :func:`ones` (a view of a single one: no memory of their own).

    Examples
    --------
    >>> is_ones(ones(3, np.int32)), is_ones(np.ones(3, np.int32)), is_ones(ones(0, np.int64))
    (True, False, True)
    """
    counts = np.asarray(counts)
    return counts.ndim == 1 and counts.strides == (0,) and bool(len(counts) == 0 or counts[0] == 1)


#: Entries :func:`counted` hands to one ``numpy.bincount`` call, which copies its input as int64
#: (eight bytes an entry, whatever the input's type): counting the 36 million int32 pair codes of
#: a million benchmark posts at once took the whole corpus's intervals from 819 to 1,020 MiB
#: (``timeline --bootstrap 0``, one run each); 4 million entries make 32 MiB.
COUNT_CHUNK = 1 << 22


def counted(index: np.ndarray, size: int, where: np.ndarray | None = None) -> np.ndarray:
    """How many entries of ``index`` (those where ``where`` is true, if given) hold each value
    ``0 .. size - 1`` (int64; every value below ``size``): ``numpy.bincount(index[where],
    minlength=size)``, :data:`COUNT_CHUNK` entries at a time.

    Examples
    --------
    >>> counted(np.array([2, 0, 2], dtype=np.int32), 4).tolist()
    [1, 0, 2, 0]
    >>> counted(np.array([2, 0, 2], dtype=np.int16), 4, where=np.array([True, False, True])).tolist()
    [0, 0, 2, 0]
    """
    index = np.asarray(index)
    out = np.zeros(size, dtype=np.int64)
    for lo in range(0, len(index), COUNT_CHUNK):
        part = index[lo : lo + COUNT_CHUNK]
        out += np.bincount(part if where is None else part[where[lo : lo + COUNT_CHUNK]], minlength=size)
    return out


def totals(index: np.ndarray, counts: np.ndarray, size: int) -> np.ndarray:
    """``out[i]``: the sum of ``counts[k]`` over the entries ``k`` with ``index[k] == i`` (int64,
    ``size`` values; every index below it): a node's or an edge's total in a window. Counts that
    are all one (:func:`ones`) are counted (:func:`counted`), which took 0.16 s over the 36
    million pairs of a million benchmark posts where ``numpy.add.at`` took 1.43 s (one run).

    Examples
    --------
    >>> totals(np.array([2, 0, 2]), ones(3, np.int32), 4).tolist()
    [1, 0, 2, 0]
    >>> totals(np.array([2, 0, 2]), np.array([1, 5, 2]), 4).tolist()
    [5, 0, 3, 0]
    """
    if is_ones(counts):
        return counted(index, size)
    out = np.zeros(size, dtype=np.int64)
    np.add.at(out, index, counts)
    return out


class Counts:
    """Counts collected a chunk at a time and joined as one array of ``dtype`` (:func:`joined`),
    a chunk of ones kept as its length only; when every count is one the result is :func:`ones`.
    When every unit is a whole post, the 36 million pair counts of a million benchmark posts
    (139 MiB as int32) are all one, and the whole corpus's coding peaked with them, their int64
    originals and their concatenation in memory.

    Examples
    --------
    >>> c = Counts(np.int32); c.add(np.array([1, 1])); c.add(np.array([1]))
    >>> c.joined().strides
    (0,)
    >>> c = Counts(np.int32); c.add(np.array([1, 1])); c.add(np.array([2]))
    >>> c.joined().tolist()
    [1, 1, 2]
    """

    def __init__(self, dtype: type):
        self.dtype = dtype
        self._chunks: list[np.ndarray | int] = []

    def add(self, counts: np.ndarray) -> None:
        self._chunks.append(len(counts) if bool((counts == 1).all()) else counts.astype(self.dtype))

    def joined(self) -> np.ndarray:
        """The counts, the chunks dropped as they are copied (the collector is left empty)."""
        chunks, self._chunks = self._chunks, []
        sizes = [c if isinstance(c, int) else len(c) for c in chunks]
        if all(isinstance(c, int) for c in chunks):
            return ones(sum(sizes), self.dtype)
        out: np.ndarray = np.empty(sum(sizes), dtype=self.dtype)
        at = 0
        chunks.reverse()
        while chunks:
            chunk = chunks.pop()
            size = chunk if isinstance(chunk, int) else len(chunk)
            out[at : at + size] = 1 if isinstance(chunk, int) else chunk
            at += size
            del chunk
        return out


class Filled:
    """An array of at most ``size`` values of ``dtype`` filled a chunk at a time (:meth:`add`);
    :attr:`values` is the part filled. Unlike chunks kept in a list and joined, the values are
    never in memory twice, and the pages of the unfilled end are never touched (so take no
    memory).

    Examples
    --------
    >>> f = Filled(5, np.int32)
    >>> f.add(np.array([3, 4])), f.add(np.array([5]))
    ((0, 2), (2, 3))
    >>> f.values.tolist(), f.values.dtype.name
    ([3, 4, 5], 'int32')
    """

    def __init__(self, size: int, dtype: type):
        self._array: np.ndarray = np.empty(size, dtype=dtype)
        self.size = 0

    def add(self, values: np.ndarray) -> tuple[int, int]:
        """Append ``values``; returns where they are, ``(lo, hi)``."""
        lo, self.size = self.size, self.size + len(values)
        self._array[lo : self.size] = values
        return lo, self.size

    @property
    def values(self) -> np.ndarray:
        return self._array[: self.size]


def distinct_pairs(
    start: np.ndarray, node: np.ndarray, n_nodes: int, *, with_counts: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """The distinct ``(post, node)`` of links sorted by post (each post's starting at ``start``:
    :func:`starts`), in that order, and how many links each stands for (what
    ``numpy.unique(post * n_nodes + node, return_counts=True)`` gives, a run of about
    :data:`PAIR_CHUNK` links at a time, each link's post made for that run only): where each
    post's entries start (:func:`starts`), the node of each entry (:func:`code_type`) and its
    count (int32 when it fits; None without ``with_counts``: an int32 an entry that a caller
    counting posts does not need).

    Examples
    --------
    >>> start, n, c = distinct_pairs(np.array([0, 3, 3, 4]), np.array([1, 0, 1, 1]), 3)
    >>> start.tolist(), n.tolist(), c.tolist()
    ([0, 2, 2, 3], [0, 1, 1], [1, 2, 1])
    """
    node_type, count_type = code_type(n_nodes), index_type(len(node))  # (a count is at most every link)
    per_post = np.zeros(len(start) - 1, dtype=np.int64)
    nodes, counts = Filled(len(node), node_type), Counts(count_type)  # (at most one entry a link)
    for first, end in start_runs(start, PAIR_CHUNK):
        lo, hi = int(start[first]), int(start[end])
        posts = run_posts(start, first, end).astype(np.int64)
        key, count = np.unique(posts * n_nodes + node[lo:hi], return_counts=True)
        tally(per_post, key // n_nodes)
        nodes.add(key % n_nodes)
        if with_counts:
            counts.add(count)
        del posts, key, count
    return starts(per_post), nodes.values, counts.joined() if with_counts else None


def tally(per_post: np.ndarray, post: np.ndarray) -> None:
    """Add the entries of sorted ``post`` to their posts' counts (a chunk's entries: only the
    range of posts they span is counted).

    Examples
    --------
    >>> per_post = np.zeros(4, dtype=np.int64); tally(per_post, np.array([1, 1, 3])); per_post.tolist()
    [0, 2, 0, 1]
    """
    if len(post):
        first = int(post[0])
        per_post[first : int(post[-1]) + 1] += np.bincount(post - first)


def _unit_pairs(
    group: np.ndarray, post: np.ndarray, node: np.ndarray, is_forum: np.ndarray, n_nodes: int
) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``(post * n_nodes + country) * n_nodes + forum`` keys of the pairs named
    together in a unit, sorted, and in how many units of the post each is."""
    c_rows, f_rows = np.flatnonzero(~is_forum), np.flatnonzero(is_forum)
    lo = np.searchsorted(group[f_rows], group[c_rows], side="left")
    hi = np.searchsorted(group[f_rows], group[c_rows], side="right")
    reps = hi - lo
    pair_c = np.repeat(c_rows, reps)
    offsets = np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps)
    pair_f = f_rows[np.repeat(lo, reps) + offsets]
    pair_key = (post[pair_c].astype(np.int64) * n_nodes + node[pair_c]) * n_nodes + node[pair_f]
    if len(pair_key) < 2 or bool((pair_key[1:] > pair_key[:-1]).all()):
        # already sorted and distinct (whole posts as units: each post's countries in order of
        # node, each with its forums in order): numpy.unique's result, without its sort
        return pair_key, np.ones(len(pair_key), dtype=np.int64)
    return np.unique(pair_key, return_counts=True)


def _pair_bound(group: np.ndarray, is_forum: np.ndarray) -> int:
    """At most how many pairs links sorted by unit name together: each unit's countries times its
    forums (pairs of different units of a post may be the same pair, counted once).

    Examples
    --------
    >>> _pair_bound(np.array([0, 0, 0, 1, 1]), np.array([False, True, True, False, True]))
    3
    """
    if not len(group):
        return 0
    first = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    forums = np.add.reduceat(is_forum.astype(np.int64), first)
    return int(((np.diff(np.r_[first, len(group)]) - forums) * forums).sum())


def window_pairs(
    start: np.ndarray, where: np.ndarray | None, node: np.ndarray, forum: np.ndarray, n_nodes: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every (post, edge) pair of a window's links and in how many units of the post it is.

    Parameters
    ----------
    start : ndarray
        Where each post's links start (:func:`starts`: ``posts + 1`` values); the links are
        sorted by post, then unit, then node. Each link's post is made a chunk at a time, never
        for every link (four bytes a link: 47 MiB for the 12 million links of a million
        benchmark posts).
    where : ndarray or None
        Per link, the index of its unit in its post (None: every unit a whole post).
    node : ndarray
        Per link, its node (below ``n_nodes``).
    forum : ndarray
        Per node, whether it is a forum (bool).
    n_nodes : int
        Node codes are below it.

    Returns
    -------
    edge_start, edge_index, edge_count, edges : ndarray
        Per pair, sorted by post then edge: the edge's place in ``edges`` and the count (each
        int32 when it fits: a million benchmark posts name 36 million pairs; the count is the
        data of the sparse matrix it is summed with), with where each post's pairs start (:func:`starts`);
        ``edges`` the sorted ``country * n_nodes + forum`` codes of the distinct edges.

    The pairs are enumerated about :data:`PAIR_CHUNK` links at a time, cut at posts
    (:func:`start_runs`): a post's pairs all sort after an earlier post's, so the chunks' sorted
    distinct pairs, one after the other, are the whole window's (the same arrays as one
    ``numpy.unique`` over all of them).
    """
    n_posts = len(start) - 1
    span = int(where.max(initial=0)) + 1 if where is not None else 1
    runs = start_runs(start, PAIR_CHUNK)

    def chunk(a: int, b: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The unit, post, node and forum flag of each link of posts ``a`` to ``b``."""
        lo, hi = int(start[a]), int(start[b])
        post = np.repeat(np.arange(a, b, dtype=np.int64), np.diff(start[a : b + 1]))
        group = post if where is None or span == 1 else post * span + where[lo:hi]
        return group, post, node[lo:hi], forum[node[lo:hi]]

    square = n_nodes * n_nodes
    count_type = index_type(len(node))  # (a pair is in at most every unit)
    per_post = np.zeros(n_posts, dtype=np.int64)
    bound = 0
    for a, b in runs:
        group, _post, _node, is_forum = chunk(a, b)
        bound += _pair_bound(group, is_forum)
    rests = Filled(bound, code_type(square))
    parts, counts = [], Counts(count_type)
    for a, b in runs:
        pair_key, pair_count = _unit_pairs(*chunk(a, b), n_nodes)
        tally(per_post, pair_key // square)
        parts.append(rests.add(pair_key % square))
        counts.add(pair_count)
        del pair_key, pair_count
    codes = rests.values
    edge_count = counts.joined()
    # each pair's edge: its place among the sorted distinct edges (numpy.unique's inverse),
    # a chunk at a time in place of the chunk's codes; by tables over every possible edge code
    # when they are small (a registry's few hundred nodes: some 100,000 codes), which is
    # numpy.unique's and searchsorted's result without their sorting and binary searches
    if square <= LOOKUP_CODES:
        present = np.zeros(square, dtype=bool)
        for a, b in parts:
            present[codes[a:b]] = True
        edges = np.flatnonzero(present)
        place = np.zeros(square, dtype=codes.dtype)
        place[edges] = np.arange(len(edges))
        for a, b in parts:
            codes[a:b] = place[codes[a:b]]
        del present, place
    else:
        edges = np.unique(np.concatenate([np.unique(codes[a:b]) for a, b in parts])) if parts else np.zeros(0, np.int64)
        for a, b in parts:
            codes[a:b] = np.searchsorted(edges, codes[a:b])
    # (the codes' own type when it holds the edges' places: int16 when every code fits)
    wide = index_type(len(edges))
    edge_index = codes if codes.dtype.itemsize <= np.dtype(wide).itemsize else codes.astype(wide)
    return starts(per_post), edge_index, edge_count, edges.astype(np.int64)
