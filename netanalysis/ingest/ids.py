"""Post ids: unique by construction, and traceable in every output.

Readers build a post's id from its input (the file's short name), its channel and its message
id or record number: ``mfa:1234``, ``posts:@embassy:77``. Two rules make these ids safe to use
as keys everywhere.

**Traceable.** ``edges.csv`` lists an edge's posts as ids joined by ``;``, and spreadsheets run
a cell that starts with ``=``, ``+``, ``-`` or ``@``. So an id never holds ``;`` and never starts
with one of those characters (nor a tab or carriage return): :func:`escape_id` writes ``%`` as
``%25``, ``;`` as ``%3B`` and such a first character as its ``%XX`` code (``@mfa:1`` becomes
``%40mfa:1``). The mapping is one-to-one, so distinct ids stay distinct, and
``post_ids.split(";")`` gives ids exactly as ``posts.csv`` writes them.

**Unique.** An input may hold a post twice (an export run twice and concatenated, a table
whose id column repeats), and two inputs may give the same id. Every id is checked against all
ids before it, in input order, whatever reads or extracts the posts: the first post keeps its
id, a later one gets ``<id>#2`` (``#3``, ... : the lowest number not taken, checked like any
id), and the renaming is counted and reported with examples (``ids_renamed`` in
``manifest.json``). With ``dedupe`` a later post with an id already seen is dropped instead
(:mod:`netanalysis.ingest.dedupe`). No two rows of ``posts.csv`` ever share an id.

Memory: :class:`UniqueIds` keeps a 64-bit hash of each id (pandas' SipHash of the UTF-8 text)
in a few sorted NumPy arrays (8 bytes an id, 80 MB at ten million posts). Two distinct ids
share a hash with a chance of about 3 in a million among ten million ids; the later one is then
renamed although it repeats nothing (uniqueness still holds).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Sequence

import numpy as np
import pandas as pd

from netanalysis.model import FORMULA_START, IngestStats, Post

__all__ = ["escape_id", "needs_escape", "UniqueIds", "unique_posts", "warn_renamed"]

log = logging.getLogger(__name__)

_ESCAPE = re.compile("[%;]")
#: How many renamed ids a run keeps as examples.
EXAMPLES = 5
#: A level of this many hashes or more is not merged again: merging copies both levels into a
#: third (at ten million posts a merge of two levels of 5 million would hold 80 MB more for a
#: moment); levels of about a million are searched one by one instead (ten at ten million).
LEVEL_CAP = 1 << 20


def needs_escape(post_id: str) -> bool:
    """Whether :func:`escape_id` changes ``post_id``."""
    return "%" in post_id or ";" in post_id or post_id[:1] in FORMULA_START if post_id else False


def escape_id(post_id: str) -> str:
    """``post_id`` without ``;`` and without a formula start (see the module notes).

    Examples
    --------
    >>> escape_id("posts:A;B:1"), escape_id("=cmd:1"), escape_id("50%:2"), escape_id("mfa:1")
    ('posts:A%3BB:1', '%3Dcmd:1', '50%25:2', 'mfa:1')
    """
    if not needs_escape(post_id):
        return post_id
    text = _ESCAPE.sub(lambda m: f"%{ord(m.group()):02X}", post_id)
    if text[:1] in FORMULA_START:
        text = f"%{ord(text[0]):02X}" + text[1:]
    return text


def _hashes(ids: Sequence[str]) -> np.ndarray:
    return pd.util.hash_array(np.asarray(ids, dtype=object), categorize=False)


class UniqueIds:
    """Every id seen so far, as 64-bit hashes; :meth:`unique` renames the ids that repeat one.

    Examples
    --------
    >>> seen = UniqueIds()
    >>> seen.unique(["a:1", "a:2", "a:1"])
    {2: 'a:1#2'}
    >>> seen.unique(["a:1#2", "a:1"]), seen.renamed  # a genuine 'a:1#2' after the renamed one
    ({0: 'a:1#2#2', 1: 'a:1#3'}, 3)
    """

    def __init__(self) -> None:
        # sorted, disjoint arrays of hashes; below LEVEL_CAP, each at most half the size of the one before
        self._levels: list[np.ndarray] = []
        self._next: dict[str, int] = {}
        self.renamed = 0

    def __len__(self) -> int:
        return sum(len(level) for level in self._levels)

    def release(self) -> None:
        """Forget every id seen (their hashes: 8 bytes an id), keeping the count of renamed ids."""
        self._levels, self._next = [], {}

    def _contains(self, hashes: np.ndarray) -> np.ndarray:
        found = np.zeros(len(hashes), dtype=bool)
        for level in self._levels:
            at = np.minimum(np.searchsorted(level, hashes), len(level) - 1)
            found |= level[at] == hashes
        return found

    def _insert(self, hashes: np.ndarray) -> None:
        """Add new hashes (sorted, distinct, none seen before)."""
        if not len(hashes):
            return
        self._levels.append(hashes)
        while (
            len(self._levels) > 1
            and len(self._levels[-2]) <= 2 * len(self._levels[-1])
            and len(self._levels[-2]) < LEVEL_CAP
        ):
            top = self._levels.pop()
            below = self._levels.pop()
            merged = np.concatenate([below, top])
            merged.sort(kind="stable")
            self._levels.append(merged)

    def unique(self, ids: Sequence[str]) -> dict[int, str]:
        """Take ``ids`` in order; return ``{position: new id}`` for those that repeat an id
        seen before (in an earlier call or earlier in ``ids``)."""
        if not len(ids):
            return {}
        hashes = _hashes(ids)
        seen = self._contains(hashes)
        distinct = np.unique(hashes)
        if not seen.any() and len(distinct) == len(hashes):
            self._insert(distinct)
            return {}
        renames: dict[int, str] = {}
        added: set[int] = set()
        for i, post_id in enumerate(ids):
            key = int(hashes[i])
            if not seen[i] and key not in added:
                added.add(key)
                continue
            number = self._next.get(post_id, 2)
            while True:
                candidate = f"{post_id}#{number}"
                number += 1
                code = int(_hashes([candidate])[0])
                if code not in added and not self._contains(np.array([code], dtype=np.uint64))[0]:
                    break
            self._next[post_id] = number
            added.add(code)
            renames[i] = candidate
        self.renamed += len(renames)
        self._insert(np.unique(np.fromiter(added, dtype=np.uint64, count=len(added))))
        return renames


def unique_posts(posts: Iterable[Post], stats: IngestStats | None = None, *, batch: int = 1000) -> Iterator[Post]:
    """``posts`` with each id that repeats an earlier one renamed (see the module notes),
    counted in ``stats`` (``renamed_ids`` and the first examples)."""
    seen = UniqueIds()
    waiting: list[Post] = []

    def flush() -> Iterator[Post]:
        renames = seen.unique([p.post_id for p in waiting])
        for i, new in renames.items():
            post = waiting[i]
            if stats is not None:
                stats.rename(post.post_id, new, post.source)
            post.post_id = new
        yield from waiting
        waiting.clear()

    for post in posts:
        waiting.append(post)
        if len(waiting) >= batch:
            yield from flush()
    if waiting:
        yield from flush()
    if stats is not None:
        warn_renamed(stats)


def warn_renamed(stats: IngestStats) -> None:
    """Warn that ids were renamed, with the first example (nothing when none was)."""
    if not stats.renamed_ids:
        return
    old, new, source = stats.renamed_examples[0] if stats.renamed_examples else ("?", "?", "?")
    log.warning(
        "%d post(s) repeated the id of an earlier post and were renamed (first: %s at %s became %s); "
        "give --dedupe to drop such repeats instead",
        stats.renamed_ids,
        old,
        source,
        new,
    )
