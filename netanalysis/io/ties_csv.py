"""``ties.csv`` written from ties as codes (:func:`~netanalysis.graph.membership.tie_blocks`).

A report on a million benchmark posts writes some 36 million ties, one row per post naming a
country and a forum. Each row is three cells that repeat: the edge's ``country,forum,``, the
post's ``post_id,date`` and the tie's ``,status``. Each of them is formatted once, as
:func:`~netanalysis.io.csv.quote` formats a cell (spreadsheet-safe unless ``safe=False``): the
edges' and statuses' in Python (a few thousand), the posts' by Arrow's kernels over the corpus's
post ids (:func:`~netanalysis.io.csv.quote_column`); a block of ties is then three ``take`` and
one join of Arrow strings, written as it is. The rows are those of the tables of
:func:`~netanalysis.graph.membership.edge_post_statuses` written by
:func:`~netanalysis.io.csv.write_csv` (pandas), byte for byte.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from netanalysis.graph.membership import STATUS_ORDER, TieBlock, day_text
from netanalysis.graph.post_ids import PostIdTable
from netanalysis.io.atomic import atomic_write
from netanalysis.io.csv import header, quote, quote_column

__all__ = ["COLUMNS", "post_cells", "write_ties_csv"]

#: Columns of ``ties.csv``, in this order.
COLUMNS = ["country", "forum", "post_id", "date", "status"]
#: Posts whose cells :func:`post_cells` makes at a time.
DAYS_AT_ONCE = 65_536


def post_cells(ids: PostIdTable, days: np.ndarray, *, safe: bool = True) -> PostIdTable:
    """Every post's ``post_id,date`` cells (the id quoted, the UTC day ``YYYY-MM-DD`` or empty
    if undated), in the pieces of ``ids``: a table whose :meth:`~PostIdTable.take` gives them.
    The days are formatted :data:`DAYS_AT_ONCE` at a time: NumPy's text of a million days,
    four bytes a character, is 40 MB a copy."""
    pieces, start = [], 0
    for piece in ids.pieces:
        parts = []
        for lo in range(0, len(piece), DAYS_AT_ONCE):
            dates = day_text(days[start + lo : start + min(lo + DAYS_AT_ONCE, len(piece))])
            cells = quote_column(piece[lo : lo + len(dates)], safe)
            parts.append(pc.binary_join_element_wise(cells, pa.array(dates, type=pa.string()), ","))
        pieces.append(pa.concat_arrays(parts))
        start += len(piece)
    return PostIdTable(pieces, direction=ids.direction)


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
            lines = pc.binary_join_element_wise(
                edges.take(pa.array(block.pair)), cells.take(block.post), statuses.take(pa.array(block.status)), ""
            )
            offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)[lines.offset : lines.offset + len(lines) + 1]
            fh.write(memoryview(lines.buffers()[2])[offsets[0] : offsets[-1]])
            rows += len(lines)
    return rows
