"""Sums of a window's links over replicates: ``counts @ links.T`` in sparse integer products.

The replicates of a window (:mod:`netanalysis.analysis.resample`) sum the posts' links
(:mod:`netanalysis.analysis.link_sums` codes them) weighted by each replicate's post
multiplicities (:func:`summed`), a block of replicates at a time (:data:`BLOCK` values of the
counts copied at a time) and, for a coded window's links (:class:`PostLinks`), a block of posts
at a time (:data:`LINK_BLOCK` entries), so that neither the counts nor the matrix are copied
whole: the node links and pairs of a million benchmark posts are 12 + 36 million entries, whose
values the sparse matrices of all of them held as int32 ones (46 + 139 MiB).
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any

import numpy as np

from netanalysis.analysis.link_sums import is_ones
from netanalysis.graph.link_starts import start_runs

__all__ = [
    "BLOCK",
    "LINK_BLOCK",
    "KEPT_WIDENED",
    "grouped",
    "link_matrix",
    "by_post",
    "PostLinks",
    "largest_abs",
    "shared_ones",
    "summed",
    "TOTAL_CHUNK",
    "weighted_totals",
]

#: Values of ``counts`` copied at a time by :func:`summed` (bounds its memory).
BLOCK = 4_000_000
#: Entries of a :class:`PostLinks` block (a post with more is a block by itself).
LINK_BLOCK = 4_000_000
#: Entries up to which a :class:`PostLinks` of int16 indices keeps its blocks' matrices (their
#: indices widened to int32 once); past it each block is made again when read.
KEPT_WIDENED = 2 * LINK_BLOCK


def grouped(counts: np.ndarray, post: np.ndarray, weight: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """``out[r, g] = sum over k with group[k] == g of counts[r, post[k]] * weight[k]``.

    Sparse products, a block of replicates at a time: ``counts`` (replicates x posts) times the
    posts x groups matrix of the weights (repeated pairs summed), in integers, so exactly the sum
    above. Gathering ``counts[:, post]`` for every link instead moved replicates x links of
    memory per call: 2.7 of the 4.5 s of the timeline stage on 20,000 benchmark posts (one
    profile).
    """
    return summed(counts, link_matrix(post, weight, group, n_groups, counts.shape[1]))


def link_matrix(post: np.ndarray, weight: np.ndarray, group: np.ndarray, n_groups: int, n_posts: int):
    """The groups x posts sparse integer matrix of the weights (repeated pairs summed)."""
    import scipy.sparse as sp

    return sp.csr_matrix(
        (np.asarray(weight, dtype=np.int64), (np.asarray(group), np.asarray(post))), shape=(n_groups, n_posts)
    )


def by_post(start: np.ndarray, index: np.ndarray, weight: np.ndarray, n_groups: int) -> PostLinks:
    """:func:`link_matrix` of entries sorted by post, each ``(post, index)`` once, the posts'
    entries starting at ``start`` (:func:`~netanalysis.graph.link_starts.starts`), as
    :class:`PostLinks`: sparse matrices of the columns of :data:`LINK_BLOCK` entries at a time,
    built with no sorting and no copy of the weights."""
    return PostLinks(start, index, weight, n_groups)


class PostLinks:
    """A groups x posts matrix of integer weights given as entries sorted by post (``start``,
    ``index``, ``weight``), multiplied a block of posts at a time (:func:`summed`).

    Each block is a CSC matrix of the columns of consecutive posts holding at most
    :data:`LINK_BLOCK` entries (or one post's, when it has more), whose indices are views of
    ``index`` and whose data are views of ``weight`` (int32 or int64) or, when every weight is
    one (:func:`~netanalysis.analysis.link_sums.ones`: every unit a whole post), of one array of
    ones shared by every block: the matrix of all the entries needed its values, and a million
    benchmark posts' links and pairs (46 + 139 MiB of int32 ones) were made for the whole
    corpus's coding. The blocks are built once, when first used.

    Examples
    --------
    >>> from netanalysis.analysis.link_sums import ones
    >>> links = PostLinks(np.array([0, 2, 2, 3]), np.array([0, 1, 1], dtype=np.int32), ones(3, np.int32), 2)
    >>> links.toarray().tolist(), links.shape, links.nnz, links.dtype.name
    ([[1, 0, 0], [1, 0, 1]], (2, 3), 3, 'int32')
    """

    def __init__(self, start: np.ndarray, index: np.ndarray, weight: np.ndarray, n_groups: int):
        weight = np.asarray(weight)
        if weight.dtype not in (np.int32, np.int64):
            weight = weight.astype(np.int64)
        self.start = np.asarray(start)
        self.index = np.asarray(index)
        self.weight = weight
        self.shape = (int(n_groups), len(self.start) - 1)
        self.nnz = int(self.start[-1])
        self.dtype = weight.dtype
        self._ones = is_ones(weight)
        self._blocks: list | None = None

    def largest_weight(self) -> int:
        """The largest absolute weight (0 without entries)."""
        if not self.nnz:
            return 0
        return 1 if self._ones else largest_abs(self.weight[: self.nnz])

    def blocks(self) -> Sequence[tuple[int, int, Any]]:
        """``(first post, end post, CSC matrix of those posts' columns)`` of every block: built
        once and kept when the indices are of a type scipy takes (the matrices hold views of
        them) or few (:data:`KEPT_WIDENED`: widened to int32 once), else each made when it is
        read, its indices widened to int32 for that block only."""
        if self._blocks is None:
            start = self.start
            runs = start_runs(start, LINK_BLOCK)
            widest = max((int(start[b] - start[a]) for a, b in runs), default=0)
            shared = shared_ones(widest, self.dtype) if self._ones else None
            made = _Blocks(self, runs, shared)
            # kept unless that would widen many narrow indices (a whole corpus's 36 million
            # pairs: 139 MiB as int32), which are then widened a block at a time when read
            keep = self.index.dtype.itemsize >= 4 or self.nnz <= KEPT_WIDENED
            self._blocks = list(made) if keep else made
        return self._blocks

    def block(self, a: int, b: int, shared: np.ndarray | None) -> Any:
        """The CSC matrix of the columns of posts ``a`` to ``b``."""
        lo, hi = int(self.start[a]), int(self.start[b])
        data = shared[: hi - lo] if shared is not None else np.ascontiguousarray(self.weight[lo:hi])
        index = self.index[lo:hi]
        if index.dtype.itemsize < 4:
            index = index.astype(np.int32)
        return _csc(data, index, self.start[a : b + 1] - lo, (self.shape[0], b - a))

    def toarray(self) -> np.ndarray:
        """The dense groups x posts matrix."""
        parts = [m.toarray() for _, _, m in self.blocks()]
        return np.concatenate(parts, axis=1) if parts else np.zeros(self.shape, dtype=self.dtype)


class _Blocks(Sequence):
    """The blocks of a :class:`PostLinks` (``(first post, end post, matrix)``), each made when it
    is read."""

    def __init__(self, links: PostLinks, runs: list[tuple[int, int]], shared: np.ndarray | None):
        self._links, self._runs, self._shared = links, runs, shared

    def __len__(self) -> int:
        return len(self._runs)

    def __getitem__(self, k: Any) -> Any:
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(len(self)))]
        a, b = self._runs[k]
        return a, b, self._links.block(a, b, self._shared)


_SHARED_ONES: dict[np.dtype, weakref.ref] = {}


def shared_ones(size: int, dtype: Any) -> np.ndarray:
    """``size`` ones of ``dtype``, read only, as a view of the longest such array still in use
    (made when none is long enough, to the next power of two, so that blocks of about the same
    width find it long enough): a window's node links and pairs share one, where each made its
    own (16 MB each for the blocks of a million benchmark posts).

    Examples
    --------
    >>> a = shared_ones(5, np.int32); b = shared_ones(7, np.int32)
    >>> b.tolist(), b.base is a.base, len(a.base) >= 8, a.flags.writeable
    ([1, 1, 1, 1, 1, 1, 1], True, True, False)
    """
    key = np.dtype(dtype)
    ref = _SHARED_ONES.get(key)
    whole = ref() if ref is not None else None
    if whole is None or len(whole) < size:
        whole = np.ones(1 << max(int(size) - 1, 0).bit_length(), dtype=key)
        whole.flags.writeable = False
        _SHARED_ONES[key] = weakref.ref(whole)
    return whole[:size]


def largest_abs(values: np.ndarray) -> int:
    """The largest absolute value of a non-empty integer array (as a Python integer: no overflow)."""
    return max(abs(int(values.max())), abs(int(values.min())))


#: Posts whose int32 counts :func:`weighted_totals` widens to int64 at a time.
TOTAL_CHUNK = 1 << 20


def weighted_totals(rows: np.ndarray, per_post: np.ndarray) -> np.ndarray:
    """``rows @ per_post`` in int64, a row at a time, without widening a row whole: the units
    (or topical units) of each replicate of a window.

    ``rows`` are replicates x posts (int32 or int64); ``per_post`` is ones that take no memory
    (:func:`~netanalysis.analysis.link_sums.ones`: each row's sum), int8 0/1 flags (the sum of
    the flagged posts' counts, as a ``where`` of the sum) or integer weights (a dot product of
    :data:`TOTAL_CHUNK` posts at a time). The same whole numbers as ``rows @ per_post``: for an
    int32 row of ten million posts that product made the row int64 first (76 MiB traced, the
    whole corpus's bootstrap's spike at each replicate), and 162 MiB against int64 weights.

    Examples
    --------
    >>> rows = np.array([[1, 2, 0], [0, 0, 3]], dtype=np.int32)
    >>> weighted_totals(rows, np.array([1, 0, 2])).tolist()
    [1, 6]
    >>> weighted_totals(rows, np.array([1, 0, 1], dtype=np.int8)).tolist()
    [1, 3]
    """
    rows = np.asarray(rows)
    out = np.zeros(len(rows), dtype=np.int64)
    if is_ones(per_post):
        for i, row in enumerate(rows):
            out[i] = row.sum(dtype=np.int64)
    elif per_post.dtype in (np.int8, np.bool_):
        picked = per_post.view(bool)
        for i, row in enumerate(rows):
            out[i] = np.add.reduce(row, where=picked, dtype=np.int64)
    else:
        weights = per_post.astype(np.int64, copy=False)
        for i, row in enumerate(rows):
            for lo in range(0, len(row), TOTAL_CHUNK):
                out[i] += row[lo : lo + TOTAL_CHUNK].astype(np.int64) @ weights[lo : lo + TOTAL_CHUNK]
    return out


def summed(counts: np.ndarray, links, *, top: int | None = None) -> np.ndarray:
    """``counts @ links.T`` (replicates x groups, int64), a block of replicates a product (see
    :func:`grouped`), and a block of posts when ``links`` is :class:`PostLinks`; a window's
    pairs given as :class:`~netanalysis.analysis.pair_sets.PairSets` sum themselves
    (``links.sums``). ``top``: the largest absolute value of ``counts`` when the caller knows it
    (summing node and edge links of the same counts), else read from each block.

    A matrix of int32 data (a coded window's counts: half the memory of int64) is multiplied in
    int32 when no sum can leave it: every sum of a block is at most the largest weight times the
    block's posts times the largest replicate count in absolute value, and that bound is below
    2**31 (a million posts with counts up to 10 and weights up to 100 are 10**9). Otherwise the
    product is made in int64 from a copy of the block's data, as for int64 matrices; either way
    the sums are exact.
    """
    if hasattr(links, "sums"):  # a window's pairs summed through its posts' subsets (pair_sets.PairSets)
        return links.sums(counts, top)
    out = np.zeros((counts.shape[0], links.shape[0]), dtype=np.int64)
    if not links.nnz:
        return out
    if isinstance(links, PostLinks):
        blocks, weights_top = links.blocks(), links.largest_weight()
    else:
        blocks, weights_top = [(0, counts.shape[1], links)], largest_abs(links.data)
    rows = max(1, BLOCK // max(1, counts.shape[1]))  # replicates a product: a copy of at most BLOCK values
    for lo in range(0, counts.shape[0], rows):
        part = counts[lo : lo + rows]
        largest = largest_abs(part) if top is None else top
        for a, b, matrix in blocks:
            if matrix.dtype != np.int64 and weights_top * (b - a) * largest < 2**31:
                out[lo : lo + rows] += (matrix @ np.ascontiguousarray(part[:, a:b].T, dtype=np.int32)).T
            else:
                wide = matrix if matrix.dtype == np.int64 else matrix.astype(np.int64)
                out[lo : lo + rows] += (wide @ np.ascontiguousarray(part[:, a:b].T, dtype=np.int64)).T
    return out


def _csc(data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, shape: tuple[int, int]):
    """The CSC matrix of these arrays (a window's entries, sorted and distinct by post), holding
    ``data`` and ``indices`` themselves: scipy's constructor and its format check copy an array
    that is a view of less than half of another (``prune``), which every block's part of a
    window's links is (the indices would be copied whole, a block at a time)."""
    import scipy.sparse as sp

    idx_type = np.int32 if max(shape) < 2**31 and indptr[-1] < 2**31 and indices.dtype == np.int32 else np.int64
    matrix = sp.csc_matrix(shape, dtype=data.dtype)
    matrix.data = data
    matrix.indices = indices.astype(idx_type, copy=False)
    matrix.indptr = indptr.astype(idx_type)
    return matrix
