"""``ties.csv`` written from ties as codes (:func:`~netanalysis.graph.membership.tie_blocks`).

A report on a million benchmark posts writes some 36 million ties, one row per post naming a
country and a forum. Each row is four cells that repeat: the edge's ``country,forum,``, the
post's ``post_id`` and ``,date`` and the tie's ``,status``. Each of them is formatted once, as
:func:`~netanalysis.io.csv.quote` formats a cell (spreadsheet-safe unless ``safe=False``): the
edges', days' and statuses' in Python (a few thousand), the posts' ids by Arrow's kernels over
the corpus's post ids (:func:`~netanalysis.io.csv.quote_column`, the same arrays when none needs
quoting); a block of ties is then four ``take`` and one join of Arrow strings, written as it
is. The rows are those of the tables of :func:`~netanalysis.graph.membership.edge_post_statuses`
written by :func:`~netanalysis.io.csv.write_csv` (pandas), byte for byte.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from netanalysis.graph.membership import STATUS_ORDER, UNDATED, TieBlock, day_calendar, day_text
from netanalysis.graph.numbered_ids import NumberedIds, as_strings
from netanalysis.graph.post_ids import PostIdTable
from netanalysis.io.atomic import atomic_write
from netanalysis.io.csv import header, quote, quote_column

__all__ = ["COLUMNS", "PostCells", "post_cells", "write_ties_csv"]

#: Columns of ``ties.csv``, in this order.
COLUMNS = ["country", "forum", "post_id", "date", "status"]


class PostCells:
    """Every post's ``post_id`` and ``,date`` cells, as :func:`post_cells` makes them.

    ``ids`` are the posts' ids quoted (:func:`~netanalysis.io.csv.quote_column`: the corpus's own
    arrays, not copies, when no id needs quoting); ``day`` is each post's code into ``days``,
    the texts ``,YYYY-MM-DD`` of the days from the corpus's first to its last
    (:func:`~netanalysis.graph.membership.day_calendar`; ``,`` if undated). A million
    benchmark posts' ``post_id,date`` cells joined had taken 36 MB, held while the ties were
    written; the codes take 2 MB.
    """

    def __init__(self, ids: PostIdTable, day: np.ndarray, days: pa.Array):
        self.ids, self.day, self.days = ids, day, days

    def take(self, posts: np.ndarray) -> tuple[pa.Array, pa.Array]:
        """The ``post_id`` and ``,date`` cells of the posts at ``posts``."""
        return self.ids.take(posts), self.days.take(pa.array(self.day[posts]))


def post_cells(ids: PostIdTable, days: np.ndarray, *, safe: bool = True) -> PostCells:
    """Every post's ``post_id`` cell (quoted, in the pieces of ``ids``) and ``,date`` cell (the
    UTC day ``YYYY-MM-DD`` or empty if undated) of the corpus's post ``days``."""
    quoted = PostIdTable([_quoted(piece, safe) for piece in ids.pieces], direction=ids.direction)
    calendar, day = day_calendar(days)  # (the undated: the code past the calendar's days)
    found = np.r_[calendar, np.int32(UNDATED)]
    texts = pa.array(np.char.add(",", day_text(found).astype(str)).tolist(), type=pa.string())
    return PostCells(quoted, day, texts)


def write_ties_csv(
    path: str | os.PathLike[str],
    pairs: list[tuple[str, str]],
    blocks: Iterable[TieBlock],
    ids: PostIdTable | None,
    days: np.ndarray,
    *,
    safe: bool = True,
) -> int:
    """Write ``ties.csv`` (atomically): the ties ``blocks`` of the (country, forum) ``pairs``,
    the posts' ids from ``ids`` and their days from ``days``; returns the rows written."""
    edges = pa.array([f"{quote(c, safe)},{quote(f, safe)}," for c, f in pairs], type=pa.string())
    statuses = pa.array([f",{quote(s, safe)}\n" for s in STATUS_ORDER], type=pa.string())
    cells = post_cells(ids, days, safe=safe) if ids is not None and pairs else None
    rows = 0
    with atomic_write(path, "wb") as fh:
        fh.write(header(COLUMNS))
        for block in blocks:
            if not len(block.post):
                continue
            assert cells is not None
            post_id, date = cells.take(block.post)
            lines = pc.binary_join_element_wise(
                edges.take(pa.array(block.pair)), post_id, date, statuses.take(pa.array(block.status)), ""
            )
            offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)[lines.offset : lines.offset + len(lines) + 1]
            fh.write(memoryview(lines.buffers()[2])[offsets[0] : offsets[-1]])
            rows += len(lines)
    return rows


def _quoted(piece: Any, safe: bool) -> Any:
    """A piece of the corpus's ids quoted: numbered ids as they are when their stems need no
    quote and no ``'`` (a number's digits never do, and an id starts as its stem does or with
    a digit), else the ids made strings and quoted."""
    if isinstance(piece, NumberedIds) and quote_column(piece.stems, safe).equals(piece.stems):
        return piece
    return quote_column(as_strings(piece), safe)
