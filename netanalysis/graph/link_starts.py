"""Entries sorted by post, kept as where each post's entries start rather than as a post per entry.

A corpus's links and a window's pairs come post by post. Each entry's post is then known from
``start`` (:func:`starts`: ``posts + 1`` offsets, int64; a joined corpus keeps them as int32
below a billion links, :func:`narrow_starts`), four or eight bytes a post, where a post per
entry costs four bytes an entry: the 12 million links of a million benchmark posts took 49
bytes a post as an int32 post each. What needs the posts of entries makes them a run of posts
at a time (:func:`start_runs`, :func:`run_posts`), or all at once for a small batch
(:func:`posts_of`).
"""

from __future__ import annotations

import numpy as np

from netanalysis.model import index_type

__all__ = [
    "starts",
    "starts_of",
    "posts_of",
    "run_posts",
    "start_runs",
    "narrow_starts",
    "NARROW_ENTRIES",
    "start_type",
]

#: Starts of fewer entries than this are kept as int32 where a corpus keeps them
#: (:func:`narrow_starts`): half the bytes, and below int32's limit by more than a billion, so
#: that a start plus any run's size (:func:`start_runs`) does not overflow.
NARROW_ENTRIES = 1 << 30


def starts(per_post: np.ndarray) -> np.ndarray:
    """Where each post's entries start in arrays sorted by post, and their end (length
    ``posts + 1``, int64): the entries' posts themselves are never kept (four bytes an entry:
    144 MB for the 36 million pairs of a million benchmark posts).

    Examples
    --------
    >>> starts(np.array([2, 0, 1])).tolist()
    [0, 2, 2, 3]
    """
    return np.r_[np.int64(0), np.cumsum(per_post, dtype=np.int64)]


def start_type(n_entries: int) -> np.dtype:
    """The type a kept ``start`` of ``n_entries`` entries takes: int32 below :data:`NARROW_ENTRIES`,
    else int64.

    Examples
    --------
    >>> str(start_type(12)), str(start_type(NARROW_ENTRIES))
    ('int32', 'int64')
    """
    return np.dtype(np.int32 if n_entries < NARROW_ENTRIES else np.int64)


def narrow_starts(start: np.ndarray) -> np.ndarray:
    """``start`` in the type a corpus keeps it (:func:`start_type`): four bytes a post rather than
    eight below a billion entries (40 MB at ten million posts).

    Examples
    --------
    >>> narrow_starts(np.array([0, 2, 2, 3])).dtype
    dtype('int32')
    """
    kind = start_type(int(start[-1]) if len(start) else 0)
    return start if start.dtype == kind else start.astype(kind)


def posts_of(start: np.ndarray) -> np.ndarray:
    """Each entry's post from :func:`starts` (int32 when it fits).

    Examples
    --------
    >>> posts_of(np.array([0, 2, 2, 3])).tolist()
    [0, 0, 2]
    """
    return run_posts(start, 0, len(start) - 1)


def start_runs(start: np.ndarray, size: int) -> list[tuple[int, int]]:
    """``(first post, end post)`` of runs of consecutive posts whose entries (sorted by post,
    each post's starting at ``start``: :func:`starts`) number at most ``size``, or of one post
    when it has more: a window's entries a block of posts at a time, without each entry's post.

    Examples
    --------
    >>> start_runs(np.array([0, 2, 2, 3, 9]), 3), start_runs(np.array([0]), 3)
    ([(0, 3), (3, 4)], [])
    """
    n_posts, at = len(start) - 1, 0
    runs = []
    while at < n_posts:
        end = int(np.searchsorted(start, start[at] + size, side="right")) - 1
        end = min(n_posts, max(end, at + 1))
        runs.append((at, end))
        at = end
    return runs


def starts_of(post: np.ndarray, n_posts: int) -> np.ndarray:
    """:func:`starts` of entries whose posts are ``post`` (sorted, each below ``n_posts``).

    Examples
    --------
    >>> starts_of(np.array([0, 0, 2]), 4).tolist()
    [0, 2, 2, 3, 3]
    """
    post = np.asarray(post)
    if len(post) and (int(post[0]) < 0 or int(post[-1]) >= n_posts or bool((post[1:] < post[:-1]).any())):
        raise ValueError(f"entries' posts must be sorted positions below {n_posts}")
    return starts(np.bincount(post, minlength=n_posts) if len(post) else np.zeros(n_posts, dtype=np.int64))


def run_posts(start: np.ndarray, first: int, end: int) -> np.ndarray:
    """The post of each entry of posts ``first`` to ``end`` (excluded), i.e. of entries
    ``start[first]`` to ``start[end]`` (int32 when the posts fit).

    Examples
    --------
    >>> run_posts(np.array([0, 2, 2, 3, 5]), 1, 4).tolist()
    [2, 3, 3]
    """
    n_posts = len(start) - 1
    return np.repeat(np.arange(first, end, dtype=index_type(n_posts)), np.diff(start[first : end + 1]))
