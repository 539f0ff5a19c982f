"""Replicates drawn a block at a time: permutations of two windows, distinct replicates, and the
bootstrap's multiplicities (:func:`bootstrap_counts`).

The permutation test of change (:mod:`netanalysis.analysis.change_tests`) and the bootstrap
(:mod:`netanalysis.analysis.uncertainty`) draw ``R`` replicates of a window: ``R`` rows of post
multiplicities. Drawn at once, a window pair of 133,000 posts and ``R = 999`` took several
arrays of ``R x n`` numbers (the uniform draws, their ranks, both windows' counts, their
concatenation: 11-13 GB in each worker process). Here they are drawn and handed on a block of
replicates at a time, each block holding at most :data:`BLOCK` post multiplicities, so memory
no longer grows with ``R x n``.

The numbers drawn are those of a single draw, in the same order: numpy's generators fill an
array element by element in C order from one stream, so ``rng.random((b, n))`` for the
successive row blocks of an ``(R, n)`` array draws exactly what ``rng.random((R, n))`` draws
(and so does ``rng.integers``; both checked in the tests), and every row's argsort is that row's
alone. The test statistics, p-values and intervals are therefore the same numbers as with one
draw, whatever the block size.

The graph measures of a block are computed once per distinct replicate: :func:`distinct_rows`
finds them, as ``np.unique(counts, axis=0, return_inverse=True)`` does and in its order, but by
comparing each row's bytes rather than through numpy's structured view of a row (one field
per post): the bootstrap of a 100,000-post corpus's 200 replicates took 0.95 s instead of 2.82 s.

A permutation gives window ``A`` the pooled posts that come first in the argsort of a row of
uniform draws; :func:`first_of_order` finds them with a partition instead of sorting the row
(the same posts, ties included), so a block of permutations costs a linear pass per row.

Distinct replicates are counted by :class:`DistinctRows`, which keeps a 32-byte BLAKE2b digest
of each row's exact values (a byte each when they are all under 256) instead of the row itself
(a row of a 133,000-post window is 1 MB as int64):
two different rows share a digest with probability ``2**-256``, so over ``R`` rows the count
is wrong with probability below ``R**2 / 2**257`` (about ``10**-71`` for ``R = 999``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from netanalysis.model import index_type

__all__ = ["BLOCK", "DistinctRows", "bootstrap_counts", "distinct_rows", "first_of_order", "permutation_blocks"]

#: Post multiplicities (replicates x posts, both windows' together) drawn and computed at a time.
BLOCK = 4_000_000


def distinct_rows(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of a 2-d array of non-negative whole numbers, in lexicographic order,
    and the index of each row's among them: ``np.unique(counts, axis=0, return_inverse=True)``.

    Rows are compared by the bytes of their values written big-endian, whose byte order is the
    numbers' order for non-negative values (an array with a negative value goes to numpy); values
    all under 256 (a replicate's multiplicities, as a rule) are written one byte each, which
    orders them the same and hashes and copies an eighth of the bytes.

    Examples
    --------
    >>> rows, back = distinct_rows(np.array([[1, 0], [0, 2], [1, 0], [0, 1]]))
    >>> rows.tolist(), back.tolist()
    ([[0, 1], [0, 2], [1, 0]], [2, 1, 2, 0])
    """
    counts = np.asarray(counts)
    if counts.ndim != 2 or not counts.size or counts.min() < 0:
        distinct, back = np.unique(counts, axis=0, return_inverse=True)
        return distinct, np.asarray(back).ravel()
    keys = [row.tobytes() for row in _as_bytes(counts)]
    first: dict[bytes, int] = {}
    for number, key in enumerate(keys):
        first.setdefault(key, number)
    order = sorted(first)
    place = {key: number for number, key in enumerate(order)}
    back = np.fromiter((place[key] for key in keys), dtype=np.intp, count=len(keys))
    return counts[[first[key] for key in order]], back


def _as_bytes(counts: np.ndarray) -> np.ndarray:
    """Non-negative whole numbers as an array whose rows' bytes order the rows as their values:
    ``uint8`` when every value is under 256, else big-endian int64."""
    if counts.max() < 256:
        return counts.astype(np.uint8)
    return np.ascontiguousarray(counts, dtype=">i8")


class DistinctRows:
    """How many distinct rows were added (by a digest of each row's bytes; see the module notes).

    Examples
    --------
    >>> seen = DistinctRows()
    >>> seen.add(np.array([[0, 1], [1, 0], [0, 1]]))
    >>> seen.add(np.array([[1, 0]]))
    >>> len(seen)
    2
    """

    def __init__(self) -> None:
        self._digests: set[bytes] = set()

    def add(self, rows: np.ndarray) -> None:
        """Add every row of a 2-d array (compared as int64 values)."""
        rows = np.asarray(rows)
        if not rows.size:
            self._digests.update(hashlib.blake2b(b"", digest_size=32).digest() for _ in rows)
            return
        # a row of values in 0..255 is digested as its bytes, any other as its int64 values: the
        # choice depends on the row alone, so equal rows always give equal digests
        byte = (rows.min(axis=1) >= 0) & (rows.max(axis=1) < 256)
        narrow = rows.astype(np.uint8)
        self._digests.update(
            hashlib.blake2b(narrow[i] if byte[i] else rows[i].astype(np.int64).tobytes(), digest_size=32).digest()
            for i in range(len(rows))
        )

    def __len__(self) -> int:
        return len(self._digests)


def permutation_blocks(
    rng: np.random.Generator,
    shared: np.ndarray,
    only_a: np.ndarray,
    only_b: np.ndarray,
    permutations: int,
    *,
    block: int | None = None,
) -> Iterator[np.ndarray]:
    """Random reassignments of the posts of two windows, a block of permutations at a time.

    Parameters
    ----------
    rng : numpy.random.Generator
        Draws ``rng.random((permutations, len(only_a) + len(only_b)))`` over the blocks, row
        block by row block; each row's argsort is a random order of the pooled posts, the first
        ``len(only_a)`` of which go to window ``A`` (found without sorting: :func:`first_of_order`).
    shared : ndarray of bool
        Per post, whether it is in both windows (it stays in both; never one of ``only_a`` or
        ``only_b``).
    only_a, only_b : ndarray of int
        Positions of the posts in only one window.
    permutations : int
        ``R``.
    block : int, optional
        Post multiplicities a block may hold (default :data:`BLOCK`); a block has at least one
        permutation.

    Yields
    ------
    ndarray
        ``(2 k, n_posts)`` int64 multiplicities of ``k`` permutations: rows ``[:k]`` window
        ``A``'s, rows ``[k:]`` window ``B``'s, permutation ``i`` of the block in rows ``i`` and
        ``k + i``.
    """
    pool = np.r_[only_a, only_b].astype(np.int64)
    base = np.asarray(shared, dtype=np.int64)
    n_a = len(only_a)
    step = max(1, (BLOCK if block is None else block) // max(1, 2 * len(base)))
    # the pooled posts' columns: a slice when they are consecutive (windows in order of date)
    consecutive = len(pool) > 0 and pool[-1] - pool[0] + 1 == len(pool) and bool(np.all(np.diff(pool) == 1))
    columns: slice | np.ndarray = slice(int(pool[0]), int(pool[-1]) + 1) if consecutive else pool
    if base[pool].any():
        raise ValueError("a post in only one window cannot be shared")
    for lo in range(0, permutations, step):
        k = min(step, permutations - lo)
        in_a = first_of_order(rng.random((k, len(pool))), n_a)
        counts = np.tile(base, (2 * k, 1))
        counts[:k, columns] = in_a
        counts[k:, columns] = ~in_a
        del in_a
        yield counts


def first_of_order(draws: np.ndarray, n: int) -> np.ndarray:
    """Per row of ``draws``, whether each column is among the first ``n`` of the row's argsort:
    ``np.argsort(draws, axis=1)[:, :n]`` as a mask, found by a partition (linear in the row's
    length) rather than a sort.

    The first ``n`` of a row's argsort are its ``n`` smallest values: those at or below the
    row's ``n``-th smallest value, unless a tie straddles it (then more than ``n`` are); such a
    row is given its argsort's own first ``n``, so the mask is the argsort's in every case.

    Examples
    --------
    >>> first_of_order(np.array([[0.5, 0.1, 0.9, 0.3], [0.2, 0.2, 0.2, 0.1]]), 2).astype(int).tolist()
    [[0, 1, 0, 1], [1, 0, 0, 1]]
    """
    draws = np.asarray(draws)
    if n <= 0 or n >= draws.shape[1]:
        return np.full(draws.shape, n > 0)
    nth = np.partition(draws, n - 1, axis=1)[:, n - 1 : n]
    mask = draws <= nth
    for row in np.flatnonzero(mask.sum(axis=1) != n):  # a tie at the n-th value
        mask[row] = False
        mask[row, np.argsort(draws[row])[:n]] = True
    return mask


def bootstrap_counts(rng: np.random.Generator, n_posts: int, replicates: int) -> np.ndarray:
    """``(replicates, n_posts)`` multiplicities of ``n_posts`` posts drawn with replacement
    (each replicate a multinomial draw of ``n_posts`` from equally likely posts), as int32 when
    they fit (a multiplicity is at most ``n_posts``): half the memory of a block of replicates,
    whose sums are whole numbers either way. A single replicate of more than
    :data:`COUNT_PART` posts is counted a part of its posts at a time (:func:`_counted_in_parts`)."""
    kind = index_type(n_posts + 1)
    if replicates == 1 and n_posts > COUNT_PART:
        return _counted_in_parts(rng, n_posts, kind)[None]
    out = np.empty((replicates, n_posts), dtype=kind)
    # a replicate's draws at a time: the same numbers as one draw of them all (the generator's
    # stream goes on from call to call), without every replicate's draws beside the counts
    # (a block of four replicates of a million posts: 32 MB of draws where 8 MB suffice)
    for row in out:
        row[:] = np.bincount(rng.integers(0, n_posts, size=n_posts), minlength=n_posts)
    return out


#: Posts whose multiplicities :func:`bootstrap_counts` counts at a time in one replicate of a
#: larger window (the bootstrap draws one replicate a block from two million posts on, its
#: blocks holding four million multiplicities: :mod:`netanalysis.analysis.uncertainty`).
COUNT_PART = 1 << 21
#: Draws made at a time when a replicate is counted in parts.
DRAW_CHUNK = 1 << 20


def _counted_in_parts(rng: np.random.Generator, n_posts: int, kind: Any) -> np.ndarray:
    """One replicate's multiplicities, :data:`COUNT_PART` posts at a time: for each part the
    generator is set back to where it was and the replicate's draws made again, a chunk at a
    time, keeping those that fall in the part. The draws are the same numbers each time (the
    generator's state is restored, and its stream does not depend on how a draw is split), so
    the counts are those of one draw, and the generator is left where that draw leaves it.

    At ten million posts one draw's ``n`` int64 numbers and their int64 counts, narrowed into a
    row, took 200 MB at once (the whole corpus's worker, the report's largest process, peaked
    there, 140 MB above the rest of its bootstrap); a part's kept draws and counts take 16 bytes
    a post of the part (32 MiB), beside the row, for ``n / COUNT_PART`` times the draws
    (some 30 ms each per ten million)."""
    start = rng.bit_generator.state
    out = np.empty(n_posts, dtype=kind)
    for lo in range(0, n_posts, COUNT_PART):
        hi = min(lo + COUNT_PART, n_posts)
        rng.bit_generator.state = start
        kept = []
        for done in range(0, n_posts, DRAW_CHUNK):
            draws = rng.integers(0, n_posts, size=min(DRAW_CHUNK, n_posts - done))
            kept.append(draws[(draws >= lo) & (draws < hi)] - lo)
        part = np.concatenate(kept)
        del kept  # (before the part is counted: its draws are held once)
        out[lo:hi] = np.bincount(part, minlength=hi - lo)
    return out
