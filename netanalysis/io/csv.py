"""The one CSV module: every table netanalysis writes, in one format.

UTF-8, ``,``-separated, ``\\n`` line ends, fields quoted only when they hold ``,``, ``"`` or a
line break (the format of Python's :mod:`csv` module and of pandas' ``to_csv``), dates in
ISO 8601 UTC (``2024-04-01T09:30:00Z``). :func:`quote` is what the extraction workers use to
format ``posts.csv`` and ``mentions.csv`` rows in parallel; :func:`write_csv` writes a table;
:func:`write_edges_csv` writes ``edges.csv`` (and :func:`write_projection_csv` a projection's ties)
joining each edge's post ids only as its row is written.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Iterable
from typing import Any

import networkx as nx
import pandas as pd

from netanalysis.graph.post_ids import PostIds
from netanalysis.graph.table import edges_table, plain_value, projection_table
from netanalysis.io.atomic import atomic_write
from netanalysis.model import DATE_FORMAT

__all__ = ["quote", "header", "format_dates", "write_csv", "write_csv_parts", "write_edges_csv", "write_projection_csv"]


def quote(value: str) -> str:
    """A CSV field as :mod:`csv` writes it with minimal quoting.

    Examples
    --------
    >>> quote("plain"), quote("a,b"), quote('say "hi" now')
    ('plain', '"a,b"', '"say ""hi"" now"')
    """
    if '"' in value:
        return '"' + value.replace('"', '""') + '"'
    if "," in value or "\n" in value or "\r" in value:
        return '"' + value + '"'
    return value


def header(columns: list[str]) -> bytes:
    """The header line of a table with ``columns``, as UTF-8 bytes."""
    return (",".join(quote(c) for c in columns) + "\n").encode()


def format_dates(series: pd.Series) -> pd.Series:
    """UTC datetimes as ISO 8601 strings ending in ``Z`` (empty where missing)."""
    out = series.dt.strftime(DATE_FORMAT)
    return out.where(series.notna(), "")


def write_csv(frame: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write a table as CSV (atomically), timezone-aware dates as ISO 8601 UTC."""
    frame = frame.copy()
    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.DatetimeTZDtype):
            frame[col] = format_dates(frame[col])
    with atomic_write(path, "w", encoding="utf-8", newline="") as fh:
        frame.to_csv(fh, index=False, lineterminator="\n")


def write_csv_parts(frames: Iterable[pd.DataFrame], path: str | os.PathLike[str], columns: list[str]) -> int:
    """Write tables with ``columns`` one after the other as one CSV (atomically), as
    :func:`write_csv` would write them joined, without holding them all; returns the rows written."""
    rows = 0
    with atomic_write(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(header(columns).decode())
        for frame in frames:
            frame[columns].to_csv(fh, index=False, header=False, lineterminator="\n")
            rows += len(frame)
    return rows


def _cell(value: Any) -> Any:
    if isinstance(value, float):
        return "" if math.isnan(value) else value
    return value


def write_edges_csv(G: nx.Graph, path: str | os.PathLike[str]) -> None:
    """Write ``edges_table(G)`` as CSV (atomically), joining each edge's post ids only as its
    row is written: the same bytes as ``write_csv(edges_table(G), path)`` without holding every
    joined list at once (they run to gigabytes on a large corpus)."""
    _write_with_ids(edges_table(G, join=False), path)


def write_projection_csv(P: nx.Graph, path: str | os.PathLike[str]) -> None:
    """Write ``projection_table(P)`` as CSV (atomically), post ids joined as rows are written."""
    _write_with_ids(projection_table(P, join=False), path)


def _write_with_ids(table: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    ids = table.columns.get_loc("post_ids")
    last = ids == len(table.columns) - 1
    with atomic_write(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(table.columns)
        for values in table.itertuples(index=False, name=None):
            row = [_cell(v) for v in values]
            value = row[ids]
            if last and isinstance(value, PostIds) and value.table.plain:
                # the usual case: ids that need no quotes, written a piece at a time (the csv
                # module would scan a long list character by character)
                fh.write(_row_start(row))
                value.write_joined(fh, ";")
                fh.write("\n")
                continue
            joined = plain_value(value) if isinstance(value, (list, tuple, PostIds, type(None))) else str(value)
            if last and not any(c in joined for c in ',"\r\n'):
                fh.write(_row_start(row) + joined + "\n")
            else:
                row[ids] = joined
                out.writerow(row)


def _row_start(row: list[Any]) -> str:
    """The CSV text of every field of ``row`` but the last, with the comma before it."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(row[:-1] + ["x"])
    return buffer.getvalue()[:-1]
