"""The explorer's embedded posts as the page reads them: their channels, their texts (cut at a
budget of characters, kept as UTF-8 until written) and the words the extraction matched in them,
as offsets in the UTF-16 units JavaScript counts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from netanalysis.model import index_type
from netanalysis.render.text_column import MarkColumn, TextColumn

if TYPE_CHECKING:
    from netanalysis.render.explorer_evidence import PostTable

__all__ = ["texts_and_marks", "sorted_marks", "as_strings", "numbers_of", "TEXT_CHARS"]

#: Most characters of one post's text the page shows.
TEXT_CHARS = 2_000


#: A character outside the Basic Multilingual Plane (a flag emoji is two of them).
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _utf16(text: str) -> list[int] | None:
    """Positions of the characters outside the Basic Multilingual Plane (two UTF-16 units in the
    browser, one character in Python), or ``None`` when there are none.

    The regex finds them in C: over 20,000 benchmark texts (flag emoji in each) it took 0.16 s
    where a Python loop over every character took 1.39 s.

    Examples
    --------
    >>> _utf16("🇷🇺 Russia"), _utf16("Russia")
    ([0, 1], None)
    """
    return [m.start() for m in _ASTRAL.finditer(text)] or None


def texts_and_marks(
    table: PostTable,
    posts: pd.DataFrame | None,
    mentions: pd.DataFrame | None,
    node_index: Mapping[str, int],
    *,
    text_chars: int = TEXT_CHARS,
) -> dict[str, Any]:
    """The embedded posts' channels, texts and matched words, as the page reads them.

    Returns a dict with ``d`` (days since 1970, -1 undated), ``c`` (channel numbers), ``channels``,
    ``t`` (texts cut at ``text_chars``, a :class:`~netanalysis.render.text_column.TextColumn`),
    ``m`` (per post a flat list ``start, end, node, ...`` of the mentions of the graph's nodes in
    the text, offsets in UTF-16 units as JavaScript counts them) and ``id`` (post ids).
    """
    n = len(table.ids)
    out: dict[str, Any] = {"id": table.ids, "d": table.days.tolist(), "c": [0] * n, "channels": [""]}
    texts = pa.array([""] * n, type=pa.string())  # (UTF-8 until written: see TextColumn)
    if posts is not None and n:
        # each embedded post's first row (an id twice: its first), found through an index of the
        # ids: only the rows and columns read are copied (the frame indexed by id was a copy of
        # every column, texts included: 32 MB at a million benchmark posts)
        index = pd.Index(posts["post_id"].astype(str), dtype="str")
        first = np.flatnonzero(~index.duplicated())
        where = index[first].get_indexer(pd.Index(table.ids, dtype="str"))
        rows = np.full(len(where), -1, dtype=np.int64)
        rows[where >= 0] = first[where[where >= 0]]
        if "channel" in posts.columns:
            channel = posts["channel"].reset_index(drop=True).reindex(rows)
            names = sorted({str(c) for c in channel.dropna()} - {""})
            number = {name: i + 1 for i, name in enumerate(names)}
            out["channels"] = [""] + names
            out["c"] = [0 if pd.isna(c) else number.get(str(c), 0) for c in channel]
            del channel
        if "text" in posts.columns:
            texts = _taken(posts["text"], rows)
    lengths = pc.utf8_length(texts).to_numpy(zero_copy_only=False).astype(np.int64)  # (characters, as len)
    out["t"] = TextColumn(_cut(texts, lengths, text_chars))
    marks = np.zeros((0, 4), dtype=np.int64)  # (post, start, end, node) rows
    if mentions is not None and n and {"start", "end"} <= set(mentions.columns):
        position = {pid: i for i, pid in enumerate(table.ids)}
        inside = mentions["post_id"].astype(str).isin(position)
        # (the run reads only the embedded posts' mentions: then none is left out, nor copied)
        rows = mentions if inside.all() else mentions[inside]
        del inside
        # the checks on every row at once (NaN fails them all). Rows are matched to posts and
        # nodes in Arrow: no Python string per row
        at = _places(rows["post_id"], table.ids)
        nodes = pc.binary_join_element_wise(as_strings(rows["kind"]), as_strings(rows["entity"]), ":")
        place = _places(nodes, list(node_index))
        numbers = np.fromiter(node_index.values(), dtype=float, count=len(node_index))
        k_of = np.where(place >= 0, numbers[np.maximum(place, 0)] if len(numbers) else np.nan, np.nan)
        starts, ends = numbers_of(rows["start"]), numbers_of(rows["end"])
        limit = np.minimum(lengths, text_chars)[at]
        kept = ~np.isnan(k_of) & (starts >= 0) & (starts < ends) & (ends <= limit)
        del rows, nodes, place, limit
        # int32 when the posts, offsets (a character outside the BMP is two units) and nodes fit:
        # the rows are sorted and their repeats dropped as copies (at a million benchmark posts,
        # 390,000 rows: 12.5 MB a copy as int64, made from a float64 table as large)
        top = max(n, 2 * text_chars + 2, int(numbers.max(initial=0)) + 1)
        marks = np.empty((int(kept.sum()), 4), dtype=index_type(top))
        for column, values in enumerate((at, starts, ends, k_of)):
            marks[:, column] = values[kept]  # (whole numbers: the checks above hold them in range)
        del at, starts, ends, k_of, kept
        _in_utf16(marks, texts)
    out["m"] = _mark_column(marks, n)
    return out


def _taken(text: pd.Series, rows: np.ndarray) -> pa.Array:
    """The texts at ``rows`` (``""`` at -1 and where a text is missing) as one Arrow array,
    taken from the column's own Arrow strings: no copy when the rows are the column's, in order
    (as the run's explorer stage gives them), else one copy of the embedded posts' texts (a
    frame reindexed and its missing texts filled made two more, some 30 MB each at twenty
    thousand benchmark posts)."""
    strings = text if text.dtype == "str" else text.astype("str")  # (missing texts stay missing)
    values = pa.array(strings, type=pa.string(), from_pandas=True)  # (the column's own strings: no copy)
    if len(rows) == len(values) and np.array_equal(rows, np.arange(len(rows))):
        taken = values  # (the frame is in the page's order, as the run's explorer stage gives it)
    else:
        taken = values.take(pa.array(rows, mask=rows < 0))
    taken = pc.fill_null(taken, "") if taken.null_count else taken
    return taken.combine_chunks() if isinstance(taken, pa.ChunkedArray) else taken


def _in_utf16(marks: np.ndarray, texts: pa.Array) -> None:
    """Shift the offsets of ``marks`` (``post, start, end, node`` rows) in place from characters
    to UTF-16 units, as JavaScript counts them: each character outside the Basic Multilingual
    Plane before an offset adds one (one text at a time as a Python string)."""
    order = np.argsort(marks[:, 0], kind="stable")
    posts, first = np.unique(marks[order, 0], return_index=True)
    for post, a, b in zip(posts.tolist(), first.tolist(), np.r_[first[1:], len(order)].tolist()):
        astral = _utf16(texts[post].as_py())
        if astral:
            rows = order[a:b]
            for column in (1, 2):
                marks[rows, column] += np.searchsorted(astral, marks[rows, column], side="left")


def _mark_column(marks: np.ndarray, n: int) -> MarkColumn:
    """Each post's marks ``start, end, node`` in text order, repeats dropped (as
    :func:`sorted_marks` sorts them; overlapping marks of different nodes are kept: the page
    highlights those of the item it shows), as one array: the page's JSON writer makes them
    lists a block of posts at a time."""
    if len(marks):
        marks = marks[np.lexsort((marks[:, 3], marks[:, 2], marks[:, 1], marks[:, 0]))]
        marks = marks[np.r_[True, (marks[1:] != marks[:-1]).any(axis=1)]]
    start = np.r_[0, np.cumsum(np.bincount(marks[:, 0], minlength=n) * 3)] if n else np.zeros(1, dtype=np.int64)
    return MarkColumn(np.ascontiguousarray(marks[:, 1:]).ravel(), start)


#: Texts cut a block at a time by :func:`_cut`.
_BLOCK_TEXTS = 1000


def _cut(texts: pa.Array, lengths: np.ndarray, text_chars: int) -> pa.Array:
    """The texts cut at ``text_chars`` characters with ``…`` after the cut, as Python slices them
    (made into Python strings a block at a time, only when a text is longer)."""
    if not (lengths > text_chars).any():
        return texts
    pieces = []
    for start in range(0, len(texts), _BLOCK_TEXTS):
        block = texts.slice(start, _BLOCK_TEXTS).to_pylist()
        pieces.append(pa.array([t if len(t) <= text_chars else t[:text_chars] + "…" for t in block], pa.string()))
    return pa.concat_arrays(pieces)


def as_strings(values: Any) -> pa.Array:
    """``values`` (a Series or an Arrow array) as Arrow strings."""
    if isinstance(values, pd.Series):
        values = pa.array(values.astype(str), type=pa.string())
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


#: A whole number as the run writes offsets (ASCII decimal digits), which Arrow and pandas read alike.
_WHOLE = r"^[+-]?[0-9]+$"


def numbers_of(values: pd.Series) -> np.ndarray:
    """A column as float64, NaN where a cell is not a number: what ``pd.to_numeric(values,
    errors="coerce")`` gives. A column of whole numbers written as text (the run's
    ``mentions.csv`` offsets) is parsed in Arrow, without a Python string per cell: at a million
    benchmark posts pandas' parse of the 390,000 rows' offsets held some 40 MiB more for a moment,
    the explorer stage's peak; any other column (a cell Arrow does not read as a whole number)
    is left to pandas.

    Examples
    --------
    >>> numbers_of(pd.Series(["3", "12", "-1"])).tolist(), numbers_of(pd.Series(["3", "x", None])).tolist()
    ([3.0, 12.0, -1.0], [3.0, nan, nan])
    """
    if values.dtype.kind not in "iuf":
        try:
            strings = as_strings(values)
            # (decimal digits only: Arrow also reads "0x10" as 16, where pandas reads no number)
            if pc.all(pc.match_substring_regex(strings, _WHOLE)).as_py() is True:
                return pc.cast(strings, pa.int64()).to_numpy(zero_copy_only=False).astype(float)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, TypeError, ValueError):
            pass
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _places(values: Any, among: Sequence[str]) -> np.ndarray:
    """Each value's place in ``among`` (distinct strings), -1 where it is not there."""
    found = pc.index_in(as_strings(values), value_set=pa.array(among, type=pa.string()))
    return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def sorted_marks(flat: list[int]) -> list[int]:
    """Marks ``start, end, node`` in text order (repeats dropped; overlapping marks of different
    nodes are kept: the page highlights those of the item it shows).

    Examples
    --------
    >>> sorted_marks([10, 15, 1, 0, 4, 2, 0, 4, 2])
    [0, 4, 2, 10, 15, 1]
    """
    return [x for triple in sorted(set(zip(flat[0::3], flat[1::3], flat[2::3]))) for x in triple]
