"""Graph: mentions -> the bipartite country-forum co-mention network, its projections, exports.

Every number on an edge is a group-by over the mentions table, so every edge names its posts.

Units of co-mention
-------------------
``unit="post"`` (default): two entities are co-mentioned when one post names both.
``unit="paragraph"``: ... when one *line* of a post names both. The text readers join the lines of
a post with ``"\\n"``, so every line is a paragraph (blank lines are simply empty paragraphs).
``unit="sentence"``: ... when one sentence names both. A sentence ends at a line break or at
``.``, ``!``, ``?`` or ``…`` (optionally followed by closing quotes/brackets) followed by
white space and then an upper-case letter of any script (Latin, Cyrillic, ...), an opening quote
followed by one, or a flag emoji. A period after a lone letter (``U.S.``, ``В.В.``) does not end a
sentence; other abbreviations (``Mr.``) do.
Mentions are assigned to units by their ``start`` offset, so paragraph and sentence units need
the posts frame (its ``text``). A unit counts once however often it repeats a name.

Normalised weights of an edge (i, j)
------------------------------------
With ``w`` the number of units naming both, ``n_i`` and ``n_j`` the numbers of units naming each
(the node attribute ``posts``) and ``N`` the number of units naming at least one (not excluded)
country or forum (graph attribute ``n_units``):

* ``assoc_strength`` = ``w * N / (n_i * n_j)``: observed over expected co-mentions under
  independence (VOSviewer's association strength ``w / (n_i n_j)`` scaled by ``N``);
  1 means "as often as chance", above 1 "more often than chance".
* ``jaccard`` = ``w / (n_i + n_j - w)``.
* ``npmi`` = ``log(p_ij / (p_i p_j)) / -log(p_ij)`` with ``p = count / N`` (natural log), in
  (-1, 1]; when ``p_ij = 1`` (both named in every unit) it is 1.

``N`` counts every unit that names a country or a forum, not only those naming both: then
``n_i`` is simply how often ``i`` is named, and every measure can be recomputed from
``nodes.csv`` (``posts``), ``edges.csv`` (``weight``) and ``N``. With paragraph or sentence
units, ``posts`` and ``weight`` count those units, while ``post_ids`` lists the posts.

``post_ids`` lists are sorted in natural order: by the id without its trailing number, then by
that number (``"mfa:9"`` before ``"mfa:10"``), then as strings. ``first_date`` and
``last_date`` are the UTC calendar dates (``YYYY-MM-DD``) of the edge's first and last dated
post, ``""`` when none is dated.

Filtering: ``exclude`` removes entities before anything is counted (they are not part of ``N``);
``min_weight`` drops lighter edges after the measures are computed, and nodes left without
edges are dropped (the graph holds only nodes with at least one edge; countries or forums never
co-mentioned with the other side are not in it).
"""
from __future__ import annotations

import csv
import io
import logging
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Sequence
from typing import Callable, Iterable

import networkx as nx
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from networkx.readwrite.gexf import GEXFWriter

from netanalysis.errors import ConfigError, GraphError
from netanalysis.extract.units import unit_starts

__all__ = [
    "GraphBuilder",
    "UNITS",
    "EDGE_COLUMNS",
    "node_id",
    "unit_starts",
    "co_mention_graph",
    "project",
    "edges_table",
    "write_edges_csv",
    "write_gexf",
    "write_graphml",
]

log = logging.getLogger(__name__)

#: Units of co-mention accepted by :func:`co_mention_graph`.
UNITS = ("post", "paragraph", "sentence")
#: Columns of ``edges.csv``, in this order.
EDGE_COLUMNS = ["country", "forum", "weight", "assoc_strength", "jaccard", "npmi",
                "first_date", "last_date", "post_ids"]
_SIDES = {"country": 0, "forum": 1}
_OTHER = {"country": "forum", "forum": "country"}


def node_id(kind: str, entity: str) -> str:
    """Return the node id of an entity: ``node_id("country", "CN") == "country:CN"``."""
    return f"{kind}:{entity}"


def _check_options(unit: str, min_weight: int) -> None:
    if unit not in UNITS:
        raise ConfigError(f"unknown unit {unit!r}; choose one of {', '.join(UNITS)}")
    if isinstance(min_weight, bool) or not isinstance(min_weight, (int, np.integer)) or min_weight < 1:
        raise ConfigError(f"min_weight must be a whole number >= 1, not {min_weight!r}")


def _excluded(exclude: Iterable[str]) -> set[str]:
    if isinstance(exclude, str):
        exclude = [exclude]
    return {str(e).split(":", 1)[-1].strip().casefold() for e in exclude if str(e).strip()}


@dataclass(frozen=True)
class _Units:
    """Country and forum mentions, one row per (unit, side, entity), as integer codes.

    ``frame`` maps column names to equal-length numpy arrays: ``post`` (index into
    ``post_names``, which is sorted, so code order is string order), ``unit``, ``side`` (0
    country, 1 forum) and ``entity`` (index into ``entity_names``, sorted). Plain arrays, not a
    DataFrame: a DataFrame would copy them into blocks, and there may be tens of millions.
    """

    frame: dict[str, np.ndarray]
    post_names: pd.Index
    entity_names: np.ndarray
    one_per_post: bool

    @property
    def n_units(self) -> int:
        unit = self.frame["unit"]
        if len(unit) < 2:
            return len(unit)
        if bool(np.all(unit[1:] >= unit[:-1])):  # the usual order: count the changes
            return 1 + int(np.count_nonzero(unit[1:] != unit[:-1]))
        return int(pd.unique(unit).size)

    def counts(self) -> dict[tuple[int, str], int]:
        """(side, entity) -> number of units naming it."""
        n_ent = max(len(self.entity_names), 1)
        key = self.frame["side"].astype(np.int32)  # (in place below: one array of the links' length)
        key *= n_ent
        key += self.frame["entity"]
        sizes = np.bincount(key, minlength=2 * n_ent)
        return {(int(k // n_ent), str(self.entity_names[k % n_ent])): int(sizes[k])
                for k in np.flatnonzero(sizes)}


def _check_posts(posts: pd.DataFrame | None, unit: str, split: bool) -> None:
    if posts is None:
        return
    need = ["post_id"] + (["text"] if split else [])
    missing = [c for c in need if c not in posts.columns]
    if missing:
        raise GraphError(f"the posts table lacks column(s) {', '.join(missing)}")


def _unit_mentions(mentions: pd.DataFrame, posts: pd.DataFrame | None, unit: str,
                   exclude: set[str]) -> _Units:
    # A column named after the unit (the paragraph or sentence index within the post, as the
    # streaming pipeline computes while it still holds the text) spares splitting the text again.
    split = unit != "post" and unit not in mentions.columns
    _check_posts(posts, unit, split)
    need = ["post_id", "kind", "entity"] + (["start"] if split else [])
    missing = [c for c in need if c not in mentions.columns]
    if missing:
        raise GraphError(f"the mentions table lacks column(s) {', '.join(missing)}")
    on_sides = mentions["kind"].isin(list(_SIDES)).to_numpy()
    m = mentions if on_sides.all() else mentions[on_sides]  # (no copy of millions of links)
    blank = m["post_id"].isna().to_numpy() | m["entity"].isna().to_numpy()
    if blank.any():
        log.warning("ignoring %d country/forum mention(s) without a post_id or entity", int(blank.sum()))
        m = m[~blank]
    if exclude:
        names = pd.unique(m["entity"])
        m = m[~m["entity"].isin([e for e in names if str(e).casefold() in exclude])]
    post, post_names = _natural_codes(m["post_id"])
    entity, entity_names = _sorted_codes(m["entity"])
    kind = m["kind"]
    if isinstance(kind.dtype, pd.CategoricalDtype) and list(kind.cat.categories) == ["country", "forum"]:
        side = kind.array.codes.astype(np.int8, copy=False)  # (a view: no copy)
    else:
        side = (kind == "forum").to_numpy(np.int8)
    frame = {"post": post.astype(np.int32, copy=False), "side": side,
             "entity": entity if entity.dtype.itemsize <= 4 else entity.astype(np.int32)}
    del post, entity
    if unit == "post":
        frame["unit"] = frame["post"]
    elif not split:
        frame["unit"] = _unit_codes(frame["post"], m[unit].to_numpy(np.int64))
    else:
        if posts is None:
            raise ConfigError(f"unit={unit!r} needs the posts table (their text) to split posts "
                              f"into {unit}s; pass posts=...")
        frame["unit"] = _unit_codes(frame["post"], _unit_index(post_names, frame["post"], m["start"], posts, unit))
    if not mentions.attrs.get("distinct_links"):  # the streaming pipeline's links are distinct already
        key = ((frame["unit"].astype(np.int64) * 2 + frame["side"]) * max(len(entity_names), 1)
               + frame["entity"])
        first = ~pd.Series(key).duplicated().to_numpy()
        frame = {name: values[first] for name, values in frame.items()}
    return _Units(frame, post_names, np.asarray(entity_names, dtype=object), unit == "post")


def _unit_codes(post: np.ndarray, index: np.ndarray) -> np.ndarray:
    """One code per (post, paragraph or sentence index), in the order of posts."""
    return post.astype(np.int64) * (int(index.max(initial=0)) + 1) + index


def _in_unit_order(frame: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The rows of ``frame`` sorted by ``unit`` (stable; as they are when already sorted)."""
    unit = frame["unit"]
    if len(unit) < 2 or bool(np.all(unit[1:] >= unit[:-1])):
        return frame
    order = np.argsort(unit, kind="stable")
    return {name: values[order] for name, values in frame.items()}


def _used_counts(codes: np.ndarray, n: int) -> np.ndarray:
    """How often each of ``n`` codes occurs (``-1``, a missing value, is not counted)."""
    if len(codes) and codes.min() < 0:
        codes = codes[codes >= 0]
    return np.bincount(codes, minlength=n)


def _sorted_codes(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Codes of ``values`` and the distinct values as strings, sorted (code order is string order).

    A categorical column is coded through the categories it uses, never turned into one string
    per row (the streaming pipeline's links hold millions of rows).
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.array.codes
        categories = values.cat.categories
        used = np.flatnonzero(_used_counts(codes, len(categories)))
        used_codes, names = pd.factorize(pd.Index(categories[used]).astype(str), sort=True)
        remap = np.full(len(categories), -1, dtype=np.int16 if len(categories) < 2**15 else np.int32)
        remap[used] = used_codes
        return remap[codes], pd.Index(names)
    codes, names = pd.factorize(values.astype(str), sort=True)
    return codes, pd.Index(names)


def _natural_codes(post_ids: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Codes of post ids and the ids in natural order (``p2`` before ``p10``).

    The order: by the id without its trailing digits, then by length, then as a string; so ids
    that differ only in a trailing number sort by that number. A categorical column is coded
    through the categories it uses; when they are all used and already in natural order (a
    corpus with numbered posts, as the streaming pipeline builds it), its codes are used as they
    are, without a copy.
    """
    if isinstance(post_ids.dtype, pd.CategoricalDtype):
        codes = post_ids.array.codes
        categories = pd.Index(post_ids.cat.categories)
    else:
        codes, categories = pd.factorize(post_ids.astype(str))
    used = np.flatnonzero(_used_counts(codes, len(categories)))
    text = pd.Series(categories if len(used) == len(categories) else categories[used]).astype("str")
    string_rank, _ = pd.factorize(text, sort=True)
    stem, _ = pd.factorize(text.str.rstrip("0123456789"), sort=True)
    order = np.lexsort((string_rank, text.str.len().to_numpy(), stem))
    del string_rank, stem
    names = pd.Index(text.array.take(order))  # (stays in Arrow: no Python string per post)
    if len(used) == len(categories) and bool(np.all(order == np.arange(len(order)))):
        return codes, names
    remap = np.full(len(categories), -1, dtype=np.int32 if len(categories) < 2**31 else np.int64)
    remap[used[order]] = np.arange(len(order))
    return remap[codes], names


def _unit_index(post_names: pd.Index, post: np.ndarray, starts: pd.Series, posts: pd.DataFrame,
                unit: str) -> np.ndarray:
    """The index of the paragraph or sentence of each mention, from its ``start`` offset."""
    texts = dict(zip(posts["post_id"].astype(str), posts["text"]))
    offsets = pd.to_numeric(starts, errors="coerce").to_numpy(dtype=float)
    cache: dict[int, np.ndarray] = {}
    out = np.empty(len(post), dtype=np.int64)
    for i, (code, start) in enumerate(zip(post.tolist(), offsets.tolist())):
        if code not in cache:
            text = texts.get(post_names[code])
            if not isinstance(text, str):
                raise GraphError(f"post {post_names[code]!r} is mentioned but has no text in the "
                                 f"posts table (needed for unit={unit!r})")
            cache[code] = np.asarray(unit_starts(text, unit))
        if math.isnan(start):
            raise GraphError(f"a mention in post {post_names[code]!r} has no start offset "
                             f"(needed for unit={unit!r})")
        out[i] = int(np.searchsorted(cache[code], start, side="right")) - 1
    return out


def _post_dates(posts: pd.DataFrame | None, post_names: np.ndarray) -> np.ndarray | None:
    """Dates (naive datetime64 in UTC, NaT when undated) aligned with ``post_names``."""
    if posts is None or "date" not in posts.columns or not len(post_names):
        return None
    utc = pd.to_datetime(posts["date"], utc=True, errors="coerce").dt.tz_localize(None).to_numpy()
    ids = pd.Index(posts["post_id"].astype(str))
    where = ids.get_indexer(post_names) if ids.is_unique else \
        pd.Index(ids[~ids.duplicated()]).get_indexer(post_names)
    if not ids.is_unique:
        utc = utc[~ids.duplicated()]
    out = np.full(len(post_names), np.datetime64("NaT"), dtype=utc.dtype)
    found = where >= 0
    out[found] = utc[where[found]]
    return out


class _IdTable:
    """The corpus's post ids as one Arrow string array (no Python string per post), shared by
    the :class:`PostIds` of every edge."""

    __slots__ = ("ids", "_plain")

    def __init__(self, ids: "pd.Index | pa.Array"):
        if isinstance(ids, pd.Index):
            ids = pa.array(ids.astype(str).array)
        self.ids = ids.combine_chunks() if isinstance(ids, pa.ChunkedArray) else ids
        self._plain: bool | None = None

    @property
    def plain(self) -> bool:
        """Whether no id holds a character that CSV quotes (``,``, ``"``, a line break)."""
        if self._plain is None:
            self._plain = not pc.any(pc.match_substring_regex(self.ids, '[,"\r\n]')).as_py()
        return bool(self._plain)

    def take(self, codes: np.ndarray) -> pa.Array:
        return self.ids.take(pa.array(codes, type=pa.int32() if codes.dtype.itemsize <= 4 else pa.int64()))

    def __reduce__(self):
        return (_IdTable, (self.ids,))


class _Spill:
    """A temporary file of int32 post codes, read back a run at a time (deleted once no
    :class:`PostIds` refers to it)."""

    __slots__ = ("file", "size")

    def __init__(self):
        self.file = tempfile.TemporaryFile(prefix="netanalysis-pairs-", buffering=0)
        self.size = 0  # codes written

    def append(self, codes: np.ndarray) -> int:
        """Write ``codes``; return the position of the first."""
        data = memoryview(np.ascontiguousarray(codes, dtype=np.int32)).cast("B")
        while data:
            data = data[os.write(self.file.fileno(), data):]
        start, self.size = self.size, self.size + len(codes)
        return start

    def read(self, start: int, count: int) -> np.ndarray:
        data = os.pread(self.file.fileno(), 4 * count, 4 * start)
        if len(data) != 4 * count:
            raise OSError(f"the temporary file of post codes ended early ({len(data)} of {4 * count} bytes)")
        return np.frombuffer(data, dtype=np.int32)


class _Run:
    """``count`` codes from position ``start`` of a :class:`_Spill` (a piece of one edge's posts)."""

    __slots__ = ("spill", "start", "count")

    def __init__(self, spill: _Spill, start: int, count: int):
        self.spill, self.start, self.count = spill, start, count

    def __len__(self) -> int:
        return self.count

    def load(self) -> np.ndarray:
        return self.spill.read(self.start, self.count)


def _loaded(part: "np.ndarray | _Run") -> np.ndarray:
    return part if isinstance(part, np.ndarray) else part.load()


def _piece(part: "np.ndarray | _Run", lo: int, hi: int) -> "np.ndarray | _Run":
    """Codes ``lo:hi`` of a block kept by :class:`_Codes` (a view, or a shorter run on disk)."""
    return part[lo:hi] if isinstance(part, np.ndarray) else _Run(part.spill, part.start + lo, hi - lo)


class _Codes:
    """Where a graph's (edge, post) codes are kept: in memory for the first :data:`_SPILL_PAIRS`,
    then in a temporary file."""

    def __init__(self):
        self.kept = 0
        self.spill: _Spill | None = None

    def keep(self, codes: np.ndarray) -> "np.ndarray | _Run":
        self.kept += len(codes)
        if self.kept <= _SPILL_PAIRS or not len(codes):
            return codes
        self.spill = self.spill or _Spill()
        return _Run(self.spill, self.spill.append(codes), len(codes))


class PostIds(Sequence):
    """The ids of an edge's posts: a read-only sequence of str, equal to the list of those ids.

    Stored as int32 codes into the corpus's post ids (one Arrow array, shared by all edges), so
    a graph over millions of posts holds 4 bytes per (edge, post) rather than a list of string
    references. The codes may come in several consecutive pieces (one per slice of posts paired
    at once), each in memory or, for graphs of many (edge, post) pairs, in a temporary file
    (read back when the ids are used: see :data:`_SPILL_PAIRS`).
    """

    __slots__ = ("_parts", "_names")

    def __init__(self, codes: "np.ndarray | Sequence[np.ndarray | _Run]", names: "_IdTable | pd.Index | np.ndarray"):
        self._parts = (codes,) if isinstance(codes, np.ndarray) else tuple(codes)
        self._names = names if isinstance(names, _IdTable) else _IdTable(pd.Index(names, dtype="str"))

    @property
    def _codes(self) -> np.ndarray:
        if len(self._parts) == 1:
            return _loaded(self._parts[0])
        return np.concatenate([_loaded(p) for p in self._parts]) if self._parts else np.zeros(0, dtype=np.int32)

    def __len__(self) -> int:
        return sum(len(part) for part in self._parts)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return self._names.take(self._codes[i]).to_pylist()
        return self._names.ids[int(self._codes[i])].as_py()

    def __iter__(self):
        for part in self._parts:
            yield from self._names.take(_loaded(part)).to_pylist()

    def __eq__(self, other) -> bool:
        if isinstance(other, (PostIds, list, tuple)):
            return len(self) == len(other) and list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(list(self))

    def __reduce__(self):
        return (PostIds, (self._codes, self._names))

    def join(self, sep: str = ";") -> str:
        """The ids joined by ``sep`` (as in ``edges.csv``), in one Arrow call."""
        return _joined(self._names.take(self._codes), sep)

    def write_joined(self, fh, sep: str = ";", piece: int = 200_000) -> None:
        """Write :meth:`join` to the text file ``fh``, ``piece`` ids at a time (an edge of
        millions of posts is never one string)."""
        started = False
        for part in self._parts:
            codes = _loaded(part)
            for lo in range(0, len(codes), piece):
                if started:
                    fh.write(sep)
                fh.write(_joined(self._names.take(codes[lo:lo + piece]), sep))
                started = True


def _joined(taken: "pa.Array", sep: str) -> str:
    if not len(taken):
        return ""
    if pa.types.is_large_string(taken.type):
        whole = pa.LargeListArray.from_arrays(pa.array([0, len(taken)], type=pa.int64()), taken)
        return pc.binary_join(whole, pa.scalar(sep, pa.large_string()))[0].as_py()
    whole = pa.ListArray.from_arrays(pa.array([0, len(taken)], type=pa.int32()), taken)
    return pc.binary_join(whole, sep)[0].as_py()


#: Unit-entity rows handled at once when pairing (bounds the memory of pairing large corpora).
_PAIR_SLICE = 500_000
#: (edge, post) pairs whose post codes a graph keeps in memory; the codes of further slices go
#: to a temporary file (4 bytes a pair: some 150 MB at a million posts of the benchmark).
_SPILL_PAIRS = 4_000_000
_NAT = np.iinfo(np.int64).min


def _slices(post: np.ndarray, size: int) -> list[tuple[int, int]]:
    """Row ranges of about ``size`` rows that never split one post's rows (``post`` is sorted)."""
    bounds, start, n = [], 0, len(post)
    while start < n:
        end = min(start + size, n)
        if end < n:
            end = int(np.searchsorted(post, post[end], side="left"))
            if end <= start:
                end = int(np.searchsorted(post, post[start], side="right"))
        bounds.append((start, end))
        start = end
    return bounds


def _slice_pairs(col: dict[str, np.ndarray], side_a: int, side_b: int, n_ent: int, one_per_post: bool,
                 weight: np.ndarray, first: np.ndarray, last: np.ndarray, day: np.ndarray | None
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairs of a slice of unit-ordered rows (columns ``unit, post, side, entity``, no unit
    split across slices): ``(pair_key, post, per_key)``, one (pair, post) each sorted by pair
    then post, and the count per pair key; ``weight``, ``first`` and ``last`` (by pair key, ``day``
    by post) are updated in place."""
    n_keys = n_ent * n_ent
    side = col["side"]
    a_rows, b_rows = side == side_a, side == side_b
    a_unit, a_post, a_ent = col["unit"][a_rows], col["post"][a_rows], col["entity"][a_rows]
    b_unit, b_ent = col["unit"][b_rows], col["entity"][b_rows]
    # every (a, b) of one unit, without a hash join: rows are in unit order, so each a row's
    # partners are one run of b rows
    b_lo = np.searchsorted(b_unit, a_unit, side="left")
    count = np.searchsorted(b_unit, a_unit, side="right") - b_lo
    left = np.repeat(np.arange(len(a_unit)), count)
    right = np.repeat(b_lo - (np.cumsum(count) - count), count) + np.arange(len(left))
    pairs = {"a": a_ent[left], "b": b_ent[right], "post": a_post[left]}
    del left, right, b_lo, count
    if side_a == side_b:
        keep = pairs["a"] < pairs["b"]
        pairs = {k: v[keep] for k, v in pairs.items()}
    key = pairs["a"].astype(np.int64) * n_ent + pairs["b"]
    weight += np.bincount(key, minlength=n_keys)
    # one (pair, post) each, sorted by pair then post: pairs come in unit (so post) order,
    # and a stable sort by pair keeps it within each pair (a radix sort when the pair
    # codes fit in 16 bits)
    order = np.argsort(key.astype(np.uint16) if n_keys <= 1 << 16 else key, kind="stable")
    pair_key = key[order]
    post = pairs["post"].astype(np.int32, copy=False)[order]
    del pairs
    if not one_per_post and len(post):  # several units of one post may pair a and b
        first_of = np.concatenate(([True], (pair_key[1:] != pair_key[:-1]) | (post[1:] != post[:-1])))
        pair_key, post = pair_key[first_of], post[first_of]
    per_key = np.bincount(pair_key, minlength=n_keys)
    if day is not None and len(post):
        starts = np.concatenate(([0], np.flatnonzero(np.diff(pair_key)) + 1))
        present = pair_key[starts]
        d = day[post]
        undated = d == _NAT
        lo_d = np.minimum.reduceat(np.where(undated, np.iinfo(np.int64).max, d), starts)
        hi_d = np.maximum.reduceat(d, starts)
        first[present] = np.minimum(first[present], lo_d)
        last[present] = np.maximum(last[present], hi_d)
    return pair_key, post, per_key


def _pairs(units: _Units, side_a: int, side_b: int, dates: np.ndarray | None, *,
           keep_posts: bool = True) -> pd.DataFrame:
    """Co-mention counts of entity pairs (a on side_a, b on side_b) over units.

    Columns ``entity_a, entity_b`` (names), ``weight``, ``post_ids`` (:class:`PostIds`, in
    natural order), ``first_date``, ``last_date``; rows sorted by (entity_a, entity_b); when
    both sides are equal, a < b. Pairs are formed a slice of posts at a time, so memory grows
    with the number of (pair, post) combinations kept (4 bytes each), not with all pair rows.
    """
    keys = ["entity_a", "entity_b"]
    col = _in_unit_order({name: units.frame[name] for name in ("unit", "post", "side", "entity")})
    n_ent = max(len(units.entity_names), 1)
    n_keys = n_ent * n_ent
    weight = np.zeros(n_keys, dtype=np.int64)
    first = np.full(n_keys, np.iinfo(np.int64).max, dtype=np.int64)
    last = np.full(n_keys, _NAT, dtype=np.int64)
    day = None if dates is None else dates.astype("datetime64[ns]").view(np.int64)
    parts: list[tuple[np.ndarray | _Run, np.ndarray]] = []  # per slice: posts sorted by key, count per key
    store = _Codes()
    for lo, hi in _slices(col["post"], _PAIR_SLICE):
        pair_key, post, per_key = _slice_pairs({name: values[lo:hi] for name, values in col.items()},
                                               side_a, side_b, n_ent, units.one_per_post, weight, first, last, day)
        if keep_posts:
            parts.append((store.keep(post), per_key))
    found = np.flatnonzero(weight)
    if not len(found):
        return pd.DataFrame(columns=keys + ["weight"] + (["post_ids"] if keep_posts else [])
                            + ["first_date", "last_date"])
    # each edge's posts: its run in every slice (views, not copies: no second array of all pairs)
    position = np.full(n_keys, -1, dtype=np.int64)
    position[found] = np.arange(len(found))
    runs: list[list[np.ndarray]] = [[] for _ in found]
    for post, per_key in parts:
        present = np.flatnonzero(per_key)
        ends = np.cumsum(per_key[present])
        for k, end, n in zip(position[present].tolist(), ends.tolist(), per_key[present].tolist()):
            runs[k].append(_piece(post, end - n, end))
    del parts
    names = _IdTable(units.post_names)
    out = pd.DataFrame({"entity_a": units.entity_names[found // n_ent], "entity_b": units.entity_names[found % n_ent],
                        "weight": weight[found]})
    if keep_posts:
        out["post_ids"] = [PostIds(run, names) for run in runs]
    if day is None:
        out["first_date"] = out["last_date"] = ""
    else:
        out["first_date"] = _days(first[found], first[found] == np.iinfo(np.int64).max)
        out["last_date"] = _days(last[found], last[found] == _NAT)
    return out


def _days(ns: np.ndarray, missing: np.ndarray) -> list[str]:
    text = np.datetime_as_string(np.where(missing, 0, ns).astype("datetime64[ns]"), unit="D")
    return ["" if gone else day for day, gone in zip(text.tolist(), missing.tolist())]


def _measures(w: np.ndarray, n_a: np.ndarray, n_b: np.ndarray, n: int) -> dict[str, np.ndarray]:
    w, n_a, n_b = (np.asarray(x, dtype=float) for x in (w, n_a, n_b))
    p_ab, p_a, p_b = w / n, n_a / n, n_b / n
    with np.errstate(divide="ignore", invalid="ignore"):
        npmi = np.log(p_ab / (p_a * p_b)) / -np.log(p_ab)
    npmi = np.where(p_ab >= 1.0, 1.0, npmi)
    return {"assoc_strength": w * n / (n_a * n_b), "jaccard": w / (n_a + n_b - w), "npmi": npmi}


def _label(labels: Callable[[str, str], str] | None, kind: str, entity: str) -> str:
    if labels is None:
        return entity
    try:
        text = labels(kind, entity)
    except LookupError:
        text = None
    return str(text) if text else entity


def co_mention_graph(mentions: pd.DataFrame, posts: pd.DataFrame | None = None, *, unit: str = "post",
                     min_weight: int = 1, exclude: Iterable[str] = (),
                     labels: Callable[[str, str], str] | None = None, post_ids: bool = True) -> nx.Graph:
    """Build the bipartite country-forum co-mention graph.

    Parameters
    ----------
    mentions : DataFrame
        Columns ``post_id, kind, entity`` (and ``start`` for paragraph/sentence units); rows of
        kind ``tag`` are ignored. For paragraph/sentence units a column named after the unit
        (``paragraph`` or ``sentence``: the unit's index within its post) may replace ``start``,
        and then the posts' text is not needed.
    posts : DataFrame, optional
        Columns ``post_id, date`` (for ``first_date``/``last_date``) and ``text`` (for units
        other than ``post``).
    unit : {"post", "paragraph", "sentence"}
        What counts as one co-mention (see the module notes).
    min_weight : int
        Drop edges named together in fewer units; nodes left without edges are dropped.
    exclude : iterable of str
        ISO codes or forum ids (or node ids) to leave out, compared case-insensitively.
    labels : callable, optional
        ``labels(kind, entity) -> str`` gives node labels (default: the entity itself).
    post_ids : bool, default True
        Keep each edge's post ids (``False`` leaves the attribute out: faster and lighter
        where only weights and measures are used, as for the graphs of time windows).

    Returns
    -------
    networkx.Graph
        Nodes ``country:XX`` (``bipartite=0``) and ``forum:ID`` (``bipartite=1``) with
        ``kind, entity, label, posts``; edges with ``weight, assoc_strength, jaccard, npmi,
        post_ids, first_date, last_date``; graph attributes ``unit, n_units, min_weight, exclude``.

    Examples
    --------
    >>> m = pd.DataFrame({"post_id": ["p1", "p1", "p1", "p2", "p2"],
    ...                   "kind": ["country", "country", "forum", "country", "forum"],
    ...                   "entity": ["CN", "CN", "BRICS", "CN", "SCO"]})
    >>> G = co_mention_graph(m)
    >>> sorted(G.edges(data="weight"))
    [('country:CN', 'forum:BRICS', 1), ('country:CN', 'forum:SCO', 1)]
    >>> G.nodes["country:CN"]["posts"], G.graph["n_units"]
    (2, 2)
    """
    _check_options(unit, min_weight)
    excluded = sorted(_excluded(exclude))
    units = _unit_mentions(mentions, posts, unit, set(excluded))
    n_units = units.n_units
    counts = units.counts()
    pairs = _pairs(units, 0, 1, _post_dates(posts, units.post_names), keep_posts=post_ids)
    return _assemble(pairs, counts, n_units, unit=unit, min_weight=min_weight, excluded=excluded,
                     labels=labels, post_ids=post_ids)


def _assemble(pairs: pd.DataFrame, counts: dict[tuple[int, str], int], n_units: int, *, unit: str,
              min_weight: int, excluded: list[str], labels: Callable[[str, str], str] | None,
              post_ids: bool) -> nx.Graph:
    """The graph of :func:`co_mention_graph` from its pairs (sorted by entity_a, entity_b), the
    units naming each (side, entity) and the number of units."""
    G = nx.Graph(unit=unit, n_units=n_units, min_weight=int(min_weight), exclude=";".join(excluded))
    if pairs.empty:
        return G
    pairs = pairs.assign(**_measures(pairs["weight"].to_numpy(),
                                     [counts[0, e] for e in pairs["entity_a"]],
                                     [counts[1, e] for e in pairs["entity_b"]], n_units))
    kept = pairs[pairs["weight"] >= min_weight]
    log.debug("co-mention graph: %d of %d edges have weight >= %d", len(kept), len(pairs), min_weight)
    for kind, col in (("country", "entity_a"), ("forum", "entity_b")):
        for entity in sorted(set(kept[col])):
            G.add_node(node_id(kind, entity), bipartite=_SIDES[kind], kind=kind, entity=entity,
                       label=_label(labels, kind, entity), posts=counts[_SIDES[kind], entity])
    for row in kept.itertuples(index=False):
        extra = {"post_ids": row.post_ids} if post_ids else {}
        G.add_edge(node_id("country", row.entity_a), node_id("forum", row.entity_b),
                   weight=int(row.weight), assoc_strength=float(row.assoc_strength),
                   jaccard=float(row.jaccard), npmi=float(row.npmi), **extra,
                   first_date=row.first_date, last_date=row.last_date)
    return G


class GraphBuilder:
    """The co-mention graph of a corpus built a chunk of posts at a time, as the streaming
    pipeline reads them, so that no table of all posts or links is ever held.

    Each chunk's pairs are formed as :func:`co_mention_graph` forms them and added up: weights,
    units per entity, the number of units, first and last dates; each edge's posts are kept as
    int32 codes into the corpus's post ids, gathered by edge about :data:`_PAIR_SLICE` pairs at a
    time (one run per edge and batch; beyond :data:`_SPILL_PAIRS` pairs, in a temporary file).
    :meth:`graph` gives what :func:`co_mention_graph` gives for the whole corpus.

    An edge lists its posts in the natural order of their ids, which the chunks give only when
    the ids come in that order or in its reverse (newest-first dumps); the builder checks it as
    they come (strictly one way also means distinct), and :meth:`graph` returns ``None`` when
    they did neither, for the caller to build the graph from the whole tables instead.

    Parameters
    ----------
    entities : list of (kind, entity)
        What the chunks' entity codes stand for (``ChunkExtractor.entities``).
    unit, min_weight, exclude, labels
        As for :func:`co_mention_graph`.
    """

    def __init__(self, entities: list[tuple[str, str]], *, unit: str = "post", min_weight: int = 1,
                 exclude: Iterable[str] = (), labels: Callable[[str, str], str] | None = None):
        _check_options(unit, min_weight)
        self.unit, self.min_weight, self.labels = unit, min_weight, labels
        self.excluded = sorted(_excluded(exclude))
        names = np.array(sorted({name for _, name in entities}), dtype=object)
        position = {name: i for i, name in enumerate(names)}
        self._names = names
        self._code = np.array([position[name] for _, name in entities], dtype=np.int32)
        self._side = np.array([kind == "forum" for kind, _ in entities], dtype=np.int8)
        excluded = set(self.excluded)
        self._keep = np.array([name.casefold() not in excluded for _, name in entities], dtype=bool)
        n_keys = len(names) * len(names)
        self._weight = np.zeros(n_keys, dtype=np.int64)
        self._first = np.full(n_keys, np.iinfo(np.int64).max, dtype=np.int64)
        self._last = np.full(n_keys, _NAT, dtype=np.int64)
        self._runs: dict[int, list] = {}  # pair key -> its posts' codes, a run per batch
        self._counts: dict[tuple[int, str], int] = {}
        self._units = 0
        self._ids = _Ids()
        self._posts = 0
        self._codes = _Codes()
        self._pending: list[tuple[np.ndarray, np.ndarray]] = []  # (pair keys, post codes) not yet gathered
        self._pending_pairs = 0
        self._last_id: tuple | None = None
        self.direction: int | None = None

    def add(self, links: dict[str, np.ndarray], post_ids: "pa.Array", dates: np.ndarray | None) -> None:
        """Add a chunk: its links (``post``: position in the chunk, ``entity``: code, and for
        paragraph and sentence units ``unit``: the unit's index in its post), its post ids (in
        input order) and their dates (datetime64, NaT when undated; or ``None``)."""
        base = self._posts
        self._posts += len(post_ids)
        self._ids.append(post_ids)
        self._check_order(post_ids)
        if not self.in_order:  # the graph will be built from the whole tables: stop adding up
            self._pending, self._pending_pairs, self._runs = [], 0, {}
            return
        keep = self._keep[links["entity"]]
        post = links["post"][keep].astype(np.int32, copy=False)
        entity = links["entity"][keep]
        frame = {"post": post, "side": self._side[entity], "entity": self._code[entity]}
        if self.unit == "post":
            frame["unit"] = post
        else:
            frame["unit"] = _unit_codes(post, links["unit"][keep].astype(np.int64))
        units = _Units(frame, post_ids, self._names, self.unit == "post")
        self._units += units.n_units
        for key, n in units.counts().items():
            self._counts[key] = self._counts.get(key, 0) + n
        frame = _in_unit_order(frame)
        day = None if dates is None else dates.astype("datetime64[ns]").view(np.int64)
        pair_key, post, _ = _slice_pairs(frame, 0, 1, len(self._names), self.unit == "post",
                                         self._weight, self._first, self._last, day)
        self._pending.append((pair_key, post + np.int32(base)))
        self._pending_pairs += len(post)
        if self._pending_pairs >= _PAIR_SLICE:
            self._flush()

    def _flush(self) -> None:
        """Gather the pending (pair, post) codes by pair (posts stay in order) and give each pair
        one run of them: in memory, or in the temporary file beyond :data:`_SPILL_PAIRS`."""
        if not self._pending:
            return
        key = np.concatenate([k for k, _ in self._pending])
        codes = np.concatenate([c for _, c in self._pending])
        self._pending, self._pending_pairs = [], 0
        if not len(key):
            return
        order = np.argsort(key, kind="stable")
        key, codes = key[order], codes[order]
        del order
        block = self._codes.keep(codes)
        cuts = (np.flatnonzero(np.diff(key)) + 1).tolist()
        for lo, hi in zip([0, *cuts], [*cuts, len(key)]):
            self._runs.setdefault(int(key[lo]), []).append(_piece(block, lo, hi))

    def _check_order(self, ids: "pa.Array") -> None:
        """Whether the ids so far run strictly one way in natural order (see :func:`_natural_codes`):
        :attr:`direction` is 1 while they rise, -1 while they fall (newest-first dumps), 0 when
        they do neither (or have not been seen yet: ``None``)."""
        if self.direction == 0 or not len(ids):
            return
        stems = pc.utf8_rtrim(ids, characters="0123456789")
        lengths = pc.utf8_length(ids)
        keys = [(stems[0].as_py(), lengths[0].as_py(), ids[0].as_py())]
        if len(ids) > 1:
            s0, s1 = stems[:-1], stems[1:]
            n0, n1 = lengths[:-1], lengths[1:]
            i0, i1 = ids[:-1], ids[1:]
            same_stem, same_length = pc.equal(s0, s1), pc.equal(n0, n1)
            for way, less in ((1, pc.less), (-1, pc.greater)):
                if self.direction not in (None, way):
                    continue
                ordered = pc.or_(less(s0, s1), pc.and_(same_stem, pc.or_(
                    less(n0, n1), pc.and_(same_length, less(i0, i1)))))
                if pc.all(ordered).as_py():
                    break
            else:
                self.direction = 0
                return
            keys.append((stems[-1].as_py(), lengths[-1].as_py(), ids[-1].as_py()))
            chunk_way = way
        else:
            chunk_way = None
        if self._last_id is not None:
            step = 1 if self._last_id < keys[0] else -1 if self._last_id > keys[0] else 0
            if step == 0 or (chunk_way is not None and step != chunk_way) or self.direction not in (None, step):
                self.direction = 0
                return
            chunk_way = step
        if chunk_way is not None:
            self.direction = chunk_way
        self._last_id = keys[-1]

    @property
    def in_order(self) -> bool:
        """Whether the ids so far come in natural order, or in its reverse."""
        return self.direction != 0

    def graph(self, *, post_ids: bool = True) -> nx.Graph | None:
        """The co-mention graph of the chunks added, or ``None`` if their ids were not in order."""
        if not self.in_order:
            return None
        self._flush()
        n_ent = len(self._names)
        found = np.flatnonzero(self._weight)
        ids = self._ids.array()
        self._ids = _Ids()
        runs = {int(k): self._runs.get(int(k), []) for k in found}
        if self.direction == -1:  # newest first: natural order is input order reversed
            n = len(ids)
            ids = ids.take(pa.array(np.arange(n - 1, -1, -1, dtype=np.int64)))
            runs = {k: [_Reversed(part, n) for part in reversed(parts)] for k, parts in runs.items()}
        table = _IdTable(ids)
        first, last = self._first[found], self._last[found]
        pairs = pd.DataFrame({
            "entity_a": self._names[found // n_ent], "entity_b": self._names[found % n_ent],
            "weight": self._weight[found],
            "post_ids": [PostIds(runs[int(k)], table) for k in found],
            "first_date": _days(first, first == np.iinfo(np.int64).max),
            "last_date": _days(last, last == _NAT),
        })
        return _assemble(pairs, self._counts, self._units, unit=self.unit, min_weight=self.min_weight,
                         excluded=self.excluded, labels=self.labels, post_ids=post_ids)


class _Reversed:
    """A piece of an edge's post codes in input order, read back reversed and renumbered for ids
    that came newest first (``n - 1 - code``)."""

    __slots__ = ("part", "n")

    def __init__(self, part: "np.ndarray | _Run", n: int):
        self.part, self.n = part, n

    def __len__(self) -> int:
        return len(self.part)

    def load(self) -> np.ndarray:
        codes = _loaded(self.part)
        return (np.int32(self.n - 1) - codes[::-1]).astype(np.int32)


class _Ids:
    """Post ids appended a chunk at a time, joined into one Arrow array every million or so (so
    that joining them all at the end copies few, large pieces)."""

    _JOIN = 1_000_000

    def __init__(self):
        self.joined: list[pa.Array] = []
        self.recent: list[pa.Array] = []
        self.n_recent = 0

    def append(self, ids: "pa.Array") -> None:
        self.recent.append(ids)
        self.n_recent += len(ids)
        if self.n_recent >= self._JOIN:
            self.joined.append(pa.concat_arrays(self.recent))
            self.recent, self.n_recent = [], 0

    def array(self) -> "pa.Array":
        """All the ids as one array (the pieces are let go as they are copied)."""
        pieces = self.joined + self.recent
        self.joined, self.recent = [], []
        if not pieces:
            return pa.array([], type=pa.string())
        return pa.concat_arrays([piece.cast(pa.string()) for piece in pieces])


def project(G: nx.Graph, side: str = "country", *, via: str = "forum", mentions: pd.DataFrame | None = None,
            posts: pd.DataFrame | None = None, unit: str = "post") -> nx.Graph:
    """Project the bipartite graph onto one side (countries or forums).

    Parameters
    ----------
    G : networkx.Graph
        A graph from :func:`co_mention_graph`; the projection has the nodes of ``side`` in ``G``
        with their attributes.
    side : {"country", "forum"}
    via : str
        The other side (``"forum"`` for countries, ``"country"`` for forums): two nodes are
        linked when they share neighbours in ``G``, with networkx's
        ``bipartite.weighted_projected_graph`` semantics: ``weight`` = number of shared
        neighbours; edges also carry ``shared`` (the shared entities, sorted) and ``overlap``
        (sum over shared neighbours of the smaller of the two edge weights: units that could be
        common). ``"posts"``: two nodes are linked when a unit names both (needs ``mentions``;
        exclusions are those of ``G``); ``weight`` = number of units, with ``assoc_strength``,
        ``jaccard``, ``npmi``, ``post_ids``, ``first_date``, ``last_date`` as in
        :func:`co_mention_graph` (``N`` = units naming at least one country or forum).
    mentions, posts, unit
        As in :func:`co_mention_graph`; used only with ``via="posts"``.
    """
    if side not in _SIDES:
        raise ConfigError(f"unknown side {side!r}; choose country or forum")
    if via not in (_OTHER[side], "posts"):
        raise ConfigError(f"a {side} projection goes via {_OTHER[side]!r} or 'posts', not {via!r}")
    nodes = sorted(n for n, d in G.nodes(data=True) if d.get("bipartite") == _SIDES[side])
    P = nx.Graph(side=side, via=via, unit=G.graph.get("unit", "post") if via != "posts" else unit,
                 exclude=G.graph.get("exclude", ""))
    P.add_nodes_from((n, dict(G.nodes[n])) for n in nodes)
    if via == "posts":
        return _project_via_posts(P, mentions, posts, unit, side)
    if len(nodes) == len(G):                      # nothing on the other side: no edges
        return P
    W = nx.bipartite.weighted_projected_graph(G, nodes)
    for u, v in sorted(tuple(sorted(e)) for e in W.edges()):
        shared = sorted(set(G[u]) & set(G[v]))
        P.add_edge(u, v, weight=len(shared), shared=[G.nodes[s].get("entity", s) for s in shared],
                   overlap=int(sum(min(G[u][s].get("weight", 1), G[v][s].get("weight", 1)) for s in shared)))
    return P


def _project_via_posts(P: nx.Graph, mentions: pd.DataFrame | None, posts: pd.DataFrame | None,
                       unit: str, side: str) -> nx.Graph:
    if mentions is None:
        raise ConfigError("a projection via='posts' needs the mentions table; pass mentions=...")
    _check_options(unit, 1)
    units = _unit_mentions(mentions, posts, unit, _excluded(P.graph["exclude"].split(";")))
    n_units = units.n_units
    P.graph["n_units"] = n_units
    entities = {d.get("entity", n.split(":", 1)[-1]): n for n, d in P.nodes(data=True)}
    pairs = _pairs(units, _SIDES[side], _SIDES[side], _post_dates(posts, units.post_names))
    pairs = pairs[pairs["entity_a"].isin(list(entities)) & pairs["entity_b"].isin(list(entities))]
    if pairs.empty:
        return P
    counts = units.counts()
    pairs = pairs.assign(**_measures(pairs["weight"].to_numpy(),
                                     [counts[_SIDES[side], e] for e in pairs["entity_a"]],
                                     [counts[_SIDES[side], e] for e in pairs["entity_b"]], n_units))
    for row in pairs.itertuples(index=False):
        P.add_edge(entities[row.entity_a], entities[row.entity_b], weight=int(row.weight),
                   assoc_strength=float(row.assoc_strength), jaccard=float(row.jaccard),
                   npmi=float(row.npmi), post_ids=row.post_ids,
                   first_date=row.first_date, last_date=row.last_date)
    return P


def edges_table(G: nx.Graph, *, join: bool = True) -> pd.DataFrame:
    """Return the edges of the bipartite graph as the ``edges.csv`` table.

    Columns :data:`EDGE_COLUMNS` (``country`` as ISO code, ``forum`` as id, ``post_ids`` joined
    by ``";"``, or as the graph holds them with ``join=False``), sorted by weight
    (descending), then country, then forum.
    """
    rows = []
    for u, v, d in G.edges(data=True):
        if G.nodes[u].get("kind") == "forum":
            u, v = v, u
        if G.nodes[u].get("kind") != "country" or G.nodes[v].get("kind") != "forum":
            raise GraphError(f"edge {u!r}-{v!r} is not a country-forum edge; edges_table expects "
                             "the bipartite co-mention graph")
        rows.append({"country": G.nodes[u].get("entity", u), "forum": G.nodes[v].get("entity", v),
                     **{c: d.get(c) for c in EDGE_COLUMNS[2:]}})
    table = pd.DataFrame(rows, columns=EDGE_COLUMNS)
    if join:
        table["post_ids"] = [_plain(p) if isinstance(p, (list, tuple, PostIds, type(None))) else str(p)
                             for p in table["post_ids"]]
    table[["first_date", "last_date"]] = table[["first_date", "last_date"]].fillna("")
    table["weight"] = table["weight"].astype("int64")
    for col in ("assoc_strength", "jaccard", "npmi"):
        table[col] = table[col].astype(float)
    return table.sort_values(["weight", "country", "forum"], ascending=[False, True, True],
                             kind="mergesort").reset_index(drop=True)


def write_edges_csv(G: nx.Graph, path: str | Path) -> None:
    """Write :func:`edges_table` of ``G`` as CSV (atomically), joining each edge's post ids only
    as its row is written: the same bytes as ``edges_table(G).to_csv(index=False)`` without
    holding every joined list at once (they run to gigabytes on a large corpus)."""
    table = edges_table(G, join=False)

    def cell(value):
        if isinstance(value, float):
            return "" if math.isnan(value) else value
        return value

    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            out = csv.writer(fh, lineterminator="\n")
            out.writerow(table.columns)
            ids = table.columns.get_loc("post_ids")
            for row in table.itertuples(index=False, name=None):
                row = [cell(v) for v in row]
                value = row[ids]
                if ids == len(row) - 1 and isinstance(value, PostIds) and value._names.plain:
                    # the usual case: ids that need no quotes, written a piece at a time
                    buffer = io.StringIO()
                    csv.writer(buffer, lineterminator="").writerow(row[:-1] + ["x"])
                    fh.write(buffer.getvalue()[:-1])
                    value.write_joined(fh, ";")
                    fh.write("\n")
                    continue
                joined = _plain(row[ids]) if isinstance(row[ids], (list, tuple, PostIds, type(None))) \
                    else str(row[ids])
                if ids == len(row) - 1 and not any(c in joined for c in ',"\r\n'):
                    # the usual case: the (long) id list needs no quotes; the csv module would
                    # scan it character by character
                    buffer = io.StringIO()
                    csv.writer(buffer, lineterminator="").writerow(row[:-1] + ["x"])
                    fh.write(buffer.getvalue()[:-1] + joined + "\n")
                else:
                    row[ids] = joined
                    out.writerow(row)

    _atomic_write(path, write)


def _plain(value):
    if isinstance(value, PostIds):
        return value.join(";")
    if isinstance(value, (list, tuple, set)):
        return ";".join(str(v) for v in (sorted(value) if isinstance(value, set) else value))
    if value is None:
        return ""
    if isinstance(value, np.generic):
        return value.item()
    return value


#: Edge attributes left out of GEXF and GraphML: an edge's post ids run to megabytes on a large
#: corpus, which Gephi cannot handle; ``edges.csv`` lists them (join on country and forum).
_NOT_EXPORTED = frozenset({"post_ids"})


def _exportable(G: nx.Graph, *, spells: bool = False) -> nx.Graph:
    H = nx.Graph()
    H.graph.update({k: _plain(v) for k, v in G.graph.items()})
    for n in sorted(G.nodes):
        H.add_node(n, **{k: _plain(v) for k, v in G.nodes[n].items()})
    for u, v in sorted(tuple(sorted(e)) for e in G.edges()):
        data = {k: _plain(x) for k, x in G.edges[u, v].items() if k not in _NOT_EXPORTED}
        if spells and data.get("first_date"):
            data.update(start=data["first_date"], end=data["last_date"])
        H.add_edge(u, v, **data)
    return H


def _atomic_write(path: str | Path, write: Callable[[str], None]) -> None:
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)  # mkstemp makes owner-only files; outputs are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_gexf(G: nx.Graph, path: str | Path, *, spells: bool = True) -> None:
    """Write ``G`` as GEXF 1.2 (atomically): lists joined with ``";"``, ``None`` as ``""``; edges
    without their ``post_ids`` (``edges.csv`` lists them).

    With ``spells`` (default) each edge with dated posts gets ``start``/``end`` (its first and
    last date), so Gephi's timeline shows when the pair was co-mentioned; edges without dated
    posts are always visible. The file carries no write date (networkx would add today's), so
    the same graph always gives the same bytes.
    """
    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    writer.add_graph(_exportable(G, spells=spells))
    meta = writer.xml.find("meta")
    if meta is not None:                           # today's date: same input, same bytes
        meta.attrib.pop("lastmodifieddate", None)

    def write(tmp: str) -> None:
        with open(tmp, "wb") as fh:
            writer.write(fh)

    _atomic_write(path, write)


def write_graphml(G: nx.Graph, path: str | Path) -> None:
    """Write ``G`` as GraphML (atomically): lists joined with ``";"``, ``None`` as ``""``; edges
    without their ``post_ids`` (``edges.csv`` lists them)."""
    H = _exportable(G)
    _atomic_write(path, lambda tmp: nx.write_graphml(H, tmp))
