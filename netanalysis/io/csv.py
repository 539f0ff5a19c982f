r"""The one CSV module: every table netanalysis writes, in one format.

UTF-8, ``,``-separated, ``\n`` line ends, fields quoted only when they hold ``,``, ``"`` or a
line break (the format of Python's :mod:`csv` module and of pandas' ``to_csv``), dates in
ISO 8601 UTC (``2024-04-01T09:30:00Z``). :func:`quote` and :func:`field_parts` are what the
extraction workers use to format ``posts.csv`` and ``mentions.csv`` rows in parallel;
:func:`write_csv` writes a table; :func:`write_edges_csv` writes ``edges.csv`` (and
:func:`write_projection_csv` a projection's ties) joining each edge's post ids only as its row
is written.

Spreadsheet-safe cells
----------------------
A spreadsheet opening a CSV file runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula (and a tab or carriage return first can hide one): post text is written by strangers,
so a post reading ``=HYPERLINK("http://...")`` would become a live link, or worse (OWASP,
"CSV Injection"). By default (``safe=True``; ``--no-safe-csv`` turns it off) every text cell
(not numbers) that starts with one of these characters is written with a ``'`` before it, as
OWASP recommends; a spreadsheet shows the text as it was and runs nothing. So that the rule can
be undone exactly, a cell that starts with ``'`` characters followed by one of these characters
gets one more ``'``. :func:`unsafe_cell` undoes it: drop one leading ``'`` from a cell that
matches ``'+[=+\-@\t\r]`` at its start, e.g. in pandas
``frame[col].str.replace(r"^'(?='*[=+\-@\t\r])", "", regex=True)``. Post ids never need it
(:mod:`netanalysis.ingest.ids` makes them start otherwise).
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from typing import Any

import networkx as nx
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from netanalysis.graph.numbered_ids import stems_of
from netanalysis.graph.post_ids import PostIds, PostIdTable
from netanalysis.graph.table import edges_table, plain_value, projection_table
from netanalysis.io.atomic import atomic_write
from netanalysis.model import DATE_FORMAT, FORMULA_START

__all__ = [
    "FORMULA_START",
    "safe_cell",
    "unsafe_cell",
    "unsafe_column",
    "quote",
    "quote_column",
    "field_parts",
    "rename_rows",
    "header",
    "format_dates",
    "write_csv",
    "write_edges_csv",
    "write_projection_csv",
]

_FIRST = FORMULA_START + "'"
_RISKY = re.compile("'*[=+\\-@\t\r]")
_PREFIXED = re.compile("'(?='*[=+\\-@\t\r])")
_RISKY_ARROW = "^" + _RISKY.pattern  # (Arrow's regular expressions search where Python's match anchors)


def safe_cell(value: str) -> str:
    """``value`` as a spreadsheet-safe cell: with a ``'`` before it when it starts with a
    character of :data:`FORMULA_START` (after any ``'``), else unchanged (see the module notes).

    Examples
    --------
    >>> safe_cell("=1+2"), safe_cell("-5 degrees"), safe_cell("'=x"), safe_cell("plain'")
    ("'=1+2", "'-5 degrees", "''=x", "plain'")
    """
    if value and value[0] in _FIRST and _RISKY.match(value):
        return "'" + value
    return value


def unsafe_cell(value: str) -> str:
    """The value :func:`safe_cell` was given (drops the ``'`` it added).

    Examples
    --------
    >>> unsafe_cell("'=1+2"), unsafe_cell("''=x"), unsafe_cell("'quoted'")
    ('=1+2', "'=x", "'quoted'")
    """
    return value[1:] if value.startswith("'") and _PREFIXED.match(value) else value


#: The cells :func:`unsafe_cell` changes, as a pattern for Arrow's regular expressions (which
#: have no lookahead): a ``'``, any more, then a character of :data:`FORMULA_START`.
_PREFIXED_ARROW = "'+[=+\\-@\t\r]"


def unsafe_column(values: pd.Series) -> pd.Series:
    """:func:`unsafe_cell` of every cell of a text column (Arrow-backed or not, no missing
    cells): the cells it changes are found with one regular expression over the column and
    only they are made Python strings. Mapping every cell made a Python string of each (four
    bytes a character when a text holds an emoji): the 20,000 texts the explorer embeds from
    200,000 benchmark posts took 152 MB more that way (one run).

    Examples
    --------
    >>> unsafe_column(pd.Series(["'=1+2", "plain", "''=x", "'quoted'"], dtype="str")).tolist()
    ['=1+2', 'plain', "'=x", "'quoted'"]
    """
    changed = values.str.match(_PREFIXED_ARROW).fillna(False).to_numpy(dtype=bool)
    if not changed.any():
        return values
    out = values.copy()
    out[changed] = [unsafe_cell(v) for v in values[changed]]
    return out


def quote(value: str, safe: bool = True) -> str:
    """A CSV field as :mod:`csv` writes it with minimal quoting (spreadsheet-safe unless
    ``safe=False``: see :func:`safe_cell`).

    Examples
    --------
    >>> quote("plain"), quote("a,b"), quote('say "hi" now'), quote("=A1"), quote("=A1", safe=False)
    ('plain', '"a,b"', '"say ""hi"" now"', "'=A1", '=A1')
    """
    if safe and value and value[0] in _FIRST and _RISKY.match(value):
        value = "'" + value
    if '"' in value:
        return '"' + value.replace('"', '""') + '"'
    if "," in value or "\n" in value or "\r" in value:
        return '"' + value + '"'
    return value


def quote_column(values: pa.Array, safe: bool = True) -> pa.Array:
    """:func:`quote` of every cell of an Arrow text column (no missing cells), by Arrow's
    kernels: the cells that need the ``'`` or the quotes are found by one regular expression
    each, and only those are rebuilt.

    Examples
    --------
    >>> quote_column(pa.array(["plain", "a,b", 'say "hi" now', "=A1"])).to_pylist()
    ['plain', '"a,b"', '"say ""hi"" now"', "'=A1"]
    """
    if safe:
        risky = pc.match_substring_regex(values, _RISKY_ARROW)
        if pc.any(risky).as_py():
            values = pc.if_else(risky, pc.binary_join_element_wise("'", values, ""), values)
    quoted = pc.match_substring_regex(values, _QUOTED)
    if pc.any(quoted).as_py():
        doubled = pc.replace_substring(values, '"', '""')
        values = pc.if_else(quoted, pc.binary_join_element_wise('"', doubled, '"', ""), values)
    return values


def field_parts(value: str, safe: bool = True) -> tuple[bytes, ...]:
    """The UTF-8 bytes of :func:`quote` of ``value`` in pieces, without copying a long text
    into a second string (the workers join the pieces of a whole chunk once).

    Examples
    --------
    >>> b"".join(field_parts('a "b", c')), b"".join(field_parts("+7 495"))
    (b'"a ""b"", c"', b"'+7 495")
    """
    lead = b"'" if safe and value and value[0] in _FIRST and _RISKY.match(value) else b""
    if '"' in value:
        return (b'"' + lead, value.replace('"', '""').encode(), b'"')
    if "," in value or "\n" in value or "\r" in value:
        return (b'"' + lead, value.encode(), b'"')
    return (lead, value.encode()) if lead else (value.encode(),)


def rename_rows(rows: bytes, old: bytes, new: bytes) -> bytes:
    """CSV ``rows`` (whole records, UTF-8) whose first field is ``old`` with ``new`` instead.

    Records end at a line end outside quotes (an even number of ``"`` before it).

    Examples
    --------
    >>> rename_rows(b'a:1,"x\\ny",3\\na:1,z,4\\n', b"a:1", b"a:1#2")
    b'a:1#2,"x\\ny",3\\na:1#2,z,4\\n'
    """
    out: list[bytes] = []
    start = 0
    while start < len(rows):
        end, quotes = start, 0
        while True:
            after = rows.index(b"\n", end) + 1
            quotes += rows.count(b'"', end, after)
            end = after
            if not quotes % 2:
                break
        if not rows.startswith(old + b",", start):
            raise ValueError(f"a CSV record does not start with {old!r}")
        out += [new, rows[start + len(old) : end]]
        start = end
    return b"".join(out)


def header(columns: list[str]) -> bytes:
    """The header line of a table with ``columns``, as UTF-8 bytes."""
    return (",".join(quote(c) for c in columns) + "\n").encode()


def format_dates(series: pd.Series) -> pd.Series:
    """UTC datetimes as ISO 8601 strings ending in ``Z`` (empty where missing)."""
    out = series.dt.strftime(DATE_FORMAT)
    return out.where(series.notna(), "")


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell made spreadsheet-safe (:func:`safe_cell`); numbers,
    dates and missing values unchanged. The frame itself is not modified."""
    out = None
    for col in frame.columns:
        column = frame[col]
        if not (column.dtype == object or isinstance(column.dtype, pd.StringDtype)):
            continue
        if isinstance(column.dtype, pd.StringDtype):  # (one regex over the column: Arrow's, or pandas' loop)
            if not column.str.match(_RISKY.pattern).fillna(False).to_numpy(dtype=bool).any():
                continue
        values = column.to_numpy(dtype=object)
        risky = [i for i, v in enumerate(values) if isinstance(v, str) and v[:1] in _FIRST and _RISKY.match(v)]
        if risky:
            values = values.copy()
            for i in risky:
                values[i] = "'" + values[i]
            out = frame.copy() if out is None else out
            out[col] = pd.Series(values, index=frame.index, dtype=object)
    return frame if out is None else out


def write_csv(frame: pd.DataFrame, path: str | os.PathLike[str], *, safe: bool = True) -> None:
    """Write a table as CSV (atomically), timezone-aware dates as ISO 8601 UTC, text cells
    spreadsheet-safe unless ``safe=False`` (see the module notes)."""
    frame = frame.copy()
    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.DatetimeTZDtype):
            frame[col] = format_dates(frame[col])
    if safe:
        frame = safe_frame(frame)
    with atomic_write(path, "w", encoding="utf-8", newline="") as fh:
        frame.to_csv(fh, index=False, lineterminator="\n")


#: What the csv module puts a cell in quotes for (``QUOTE_MINIMAL``): the comma, the quote, a line end.
_QUOTED = '[,"\r\n]'


def _cell(value: Any, safe: bool) -> Any:
    if isinstance(value, float):
        return "" if math.isnan(value) else value
    if safe and isinstance(value, str):
        return safe_cell(value)
    return value


def write_edges_csv(G: nx.Graph, path: str | os.PathLike[str], *, safe: bool = True) -> None:
    """Write ``edges_table(G)`` as CSV (atomically), joining each edge's post ids only as its
    row is written: the same bytes as ``write_csv(edges_table(G), path, safe=safe)`` without
    holding every joined list at once (they run to gigabytes on a large corpus)."""
    _write_with_ids(edges_table(G, join=False), path, safe)


def write_projection_csv(P: nx.Graph, path: str | os.PathLike[str], *, safe: bool = True) -> None:
    """Write ``projection_table(P)`` as CSV (atomically), post ids joined as rows are written."""
    _write_with_ids(projection_table(P, join=False), path, safe)


def _write_with_ids(table: pd.DataFrame, path: str | os.PathLike[str], safe: bool) -> None:
    ids = table.columns.get_loc("post_ids")
    last = ids == len(table.columns) - 1
    risky: dict[int, bool] = {}
    with atomic_write(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(table.columns)
        for values in table.itertuples(index=False, name=None):
            row = [_cell(v, safe) for v in values]
            value = row[ids]
            if (
                last
                and isinstance(value, PostIds)
                and value.table.plain
                and not (safe and _risky_ids(value.table, risky))
            ):
                # the usual case: ids that need no quotes, written a piece at a time (the csv
                # module would scan a long list character by character)
                fh.write(_row_start(row))
                value.write_joined(fh, ";")
                fh.write("\n")
                continue
            joined = plain_value(value) if isinstance(value, (list, tuple, PostIds, type(None))) else str(value)
            if safe:
                joined = safe_cell(joined)
            if last and not any(c in joined for c in ',"\r\n'):
                fh.write(_row_start(row) + joined + "\n")
            else:
                row[ids] = joined
                out.writerow(row)


def _risky_ids(table: PostIdTable, known: dict[int, bool]) -> bool:
    """Whether some id of ``table`` starts like a formula (then each cell is checked), once per table."""
    if id(table) not in known:
        # (a numbered id starts as its stem does, or with a digit)
        known[id(table)] = any(
            pc.any(pc.match_substring_regex(stems_of(p), "^" + _RISKY.pattern)).as_py() for p in table.pieces
        )
    return known[id(table)]


def _row_start(row: list[Any]) -> str:
    """The CSV text of every field of ``row`` but the last, with the comma before it."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(row[:-1] + ["x"])
    return buffer.getvalue()[:-1]
