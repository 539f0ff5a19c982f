"""Tables of posts: CSV, TSV, JSONL rows and Parquet, one row per post.

Columns are found by their common names (case-insensitive): text ``text, body, message,
content``; time ``date, timestamp, unix_timestamp, created_at`` (numbers are Unix seconds, or
milliseconds when above 1e11; strings ISO 8601); id ``id, message_id``; channel ``channel,
chat, author``. ``ReadOptions.text_col`` / ``date_col`` / ``id_col`` / ``channel_col`` name
them when they differ. Files are streamed: CSV/TSV and JSONL line by line, Parquet by row
batches. A broken row (wrong number of fields, a quote that never closes, a line that is not
JSON) is skipped and counted with its line number (:mod:`netanalysis.ingest.csv_rows` reads the
rows after a broken quote again); a row without text is skipped as ``no_text``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from netanalysis.errors import InputError
from netanalysis.ingest.csv_rows import csv_records, guess_delimiter
from netanalysis.ingest.dedupe import SourcedPost
from netanalysis.ingest.files import (
    base_suffix,
    check_file,
    decode_error,
    head_text,
    loads_json,
    open_text,
    open_utf8_lines,
    read_bytes,
    read_json,
)
from netanalysis.ingest.records import FileContext, clean_text, parse_timestamp
from netanalysis.ingest.telegram_json import join_text
from netanalysis.model import FileStats, Post

__all__ = [
    "TableColumns",
    "TableMapper",
    "resolve_columns",
    "read_table",
    "read_csv",
    "read_tsv",
    "read_parquet",
    "read_jsonl_rows",
    "read_json_rows",
    "iter_json_lines",
    "rows_posts",
    "keys_of",
    "TEXT_COLUMNS",
    "DATE_COLUMNS",
    "ID_COLUMNS",
    "CHANNEL_COLUMNS",
]

TEXT_COLUMNS = ("text", "body", "message", "content")
DATE_COLUMNS = ("date", "timestamp", "unix_timestamp", "created_at")
ID_COLUMNS = ("id", "message_id")
CHANNEL_COLUMNS = ("channel", "chat", "author")
FORWARD_COLUMNS = ("forwarded_from", "fwd_from", "forward_from")
_BATCH_ROWS = 8192


@dataclass(frozen=True)
class TableColumns:
    """The columns that hold each field of a post (``None``: not in the table)."""

    text: str
    date: str | None = None
    id: str | None = None
    channel: str | None = None
    forwarded_from: str | None = None
    group: str | None = None  # ReadOptions.group_col (compare --by COLUMN)


def _find(available: Sequence[str], wanted: str) -> str | None:
    if wanted in available:
        return wanted
    folded = {str(a).strip().casefold(): a for a in reversed(available)}
    return folded.get(wanted.strip().casefold())


def resolve_columns(available: Sequence[str], options: Any, path: str | Path) -> TableColumns:
    """Find the text, date, id and channel columns among ``available``.

    Raises
    ------
    InputError
        Naming the file and its columns, when a column named in ``options`` is missing or no
        text column is found.
    """
    available = [str(a) for a in available]
    listing = ", ".join(available) if available else "(none)"
    found: dict[str, str | None] = {}
    for field_name, candidates, option in (
        ("text", TEXT_COLUMNS, "text_col"),
        ("date", DATE_COLUMNS, "date_col"),
        ("id", ID_COLUMNS, "id_col"),
        ("channel", CHANNEL_COLUMNS, "channel_col"),
        ("forwarded_from", FORWARD_COLUMNS, None),
        ("group", (), "group_col"),
    ):
        named = getattr(options, option, None) if option else None
        if named:
            column = _find(available, named)
            if column is None:
                flag = "--by" if option == "group_col" else "--" + option.replace("_", "-")
                raise InputError(path, f"no column {named!r} ({flag}); the columns are: {listing}")
        else:
            column = next((c for c in (_find(available, n) for n in candidates) if c is not None), None)
        found[field_name] = column
    if found["text"] is None:
        raise InputError(
            path,
            f"no text column (looked for {', '.join(TEXT_COLUMNS)}); the columns are: "
            f"{listing}; name it with --text-col",
        )
    return TableColumns(**found)


def _missing(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, float) and math.isnan(value))
        or (isinstance(value, str) and not value.strip())
    )


def _scalar_id(value: Any) -> str | None:
    if _missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        raise ValueError(f"id is a {type(value).__name__}")
    return str(value).strip()


class TableMapper:
    """Turns table rows (mappings of column -> value) into posts.

    With ``sparse=True`` (JSON rows, where empty keys are often left out) a date, id, channel
    or forward column that the first rows lacked is looked for again in each row.
    """

    def __init__(self, columns: TableColumns, ctx: FileContext, *, prefix: str, sparse: bool = False):
        self.columns = columns
        self.ctx = ctx
        self.prefix = prefix
        # fields to look for again in each row: (position, candidate names)
        self._sparse = (
            [
                (i, names)
                for i, (col, names) in enumerate(
                    (
                        (columns.date, DATE_COLUMNS),
                        (columns.id, ID_COLUMNS),
                        (columns.channel, CHANNEL_COLUMNS),
                        (columns.forwarded_from, FORWARD_COLUMNS),
                    )
                )
                if col is None
            ]
            if sparse
            else []
        )
        self._fixed = [columns.date, columns.id, columns.channel, columns.forwarded_from]
        self._group = columns.group

    def _values(self, row: dict) -> list:
        cols = self._fixed
        if self._sparse:
            cols = list(cols)
            for i, names in self._sparse:
                cols[i] = next((c for c in names if c in row), None)
        return [row.get(c) if c is not None else None for c in cols]

    def post(self, row: dict, record: int) -> Post | None:
        """The post of one row, or ``None`` (the row was counted as skipped)."""
        ctx = self.ctx
        value = row.get(self.columns.text)
        stamp, mid, channel, fwd = self._values(row)
        try:
            if isinstance(value, list):
                value = join_text(value)
            elif isinstance(value, dict):
                raise ValueError(f"text in column {self.columns.text!r} is an object")
            text = "" if _missing(value) else clean_text(str(value))
            mid = _scalar_id(mid)
        except (ValueError, RecursionError) as exc:
            ctx.bad(record, str(exc) or "text nested too deeply")
            return None
        if not text:
            ctx.skip(record, "no text", kind="no_text")
            return None
        channel = None if _missing(channel) or isinstance(channel, (dict, list)) else str(channel).strip()
        date, date_source = ctx.date(stamp, record)
        key = f"{channel}:{mid or record}" if channel else (mid or str(record))
        return SourcedPost(
            post_id=f"{self.prefix}:{key}",
            channel=channel or ctx.options.channel or self.prefix,
            date=date,
            date_source=date_source,
            text=text,
            source=f"{ctx.name}:{record}",
            forwarded_from=fwd.strip() or None if isinstance(fwd, str) else None,
            origin=(channel, mid) if channel and mid else None,
            group=self._group_value(row),
        )

    def _group_value(self, row: dict) -> str | None:
        if self._group is None:
            return None
        value = row.get(self._group)
        return None if _missing(value) or isinstance(value, (dict, list)) else str(value).strip()

    def posts(self, rows: Iterable[tuple[int, dict]]) -> Iterator[Post]:
        """The posts of ``(record number, row)`` pairs."""
        for record, row in rows:
            post = self.post(row, record)
            if post is not None:
                yield post


# -- CSV / TSV ---------------------------------------------------------------------------------
def _csv_rows(path: Path, ctx: FileContext, *, delimiter: str | None) -> Iterator[Any]:
    """The header (a list of names), then ``(line number, row dict)`` of each record
    (:func:`~netanalysis.ingest.csv_rows.csv_records`: broken quotes found and got over)."""
    lines = open_text(path, ctx.options.encoding)
    first = next(lines, None)
    if first is None:
        raise InputError(path, "file is empty")

    def numbered() -> Iterator[tuple[int, str]]:
        yield first
        yield from lines

    delim = delimiter or guess_delimiter(first[1], base_suffix(path))

    def is_row(header: list[str]) -> Callable[[list[str]], bool] | None:
        try:
            columns = resolve_columns(header, ctx.options, path)
        except InputError:  # (said when the rows are read)
            return None
        return row_test(header, columns)

    return csv_records(numbered(), ctx, delimiter=delim, is_row=is_row)


def row_test(header: list[str], columns: TableColumns) -> Callable[[list[str]], bool] | None:
    """Whether fields read from one line are a row of the table: a date in the date column (and
    a value in the id column), or, without a date column, digits in the id column."""
    date_at = header.index(columns.date) if columns.date in header else None
    id_at = header.index(columns.id) if columns.id in header else None
    if date_at is None and id_at is None:
        return None

    def test(fields: list[str]) -> bool:
        if id_at is not None:
            value = fields[id_at].strip()
            if not value or " " in value or (date_at is None and not value.isdigit()):
                return False
        if date_at is not None:
            try:
                date = parse_timestamp(fields[date_at])[0]
            except ValueError:
                return False
            return date is not None and 1990 <= date.year <= 2100  # (not a small number read as Unix time)
        return True

    return test


def read_csv(
    path: Path, stats: FileStats, *, prefix: str, options: Any, delimiter: str | None = None
) -> Iterator[Post]:
    """Read a CSV file (delimiter ``,``, ``;`` or tab, guessed from the header line)."""
    ctx = FileContext(path, stats, options)
    rows = _csv_rows(Path(path), ctx, delimiter=delimiter)
    header = next(rows)
    mapper = TableMapper(resolve_columns(header, options, path), ctx, prefix=prefix)
    yield from mapper.posts(rows)


def read_tsv(path: Path, stats: FileStats, *, prefix: str, options: Any) -> Iterator[Post]:
    """Read a tab-separated file."""
    return read_csv(path, stats, prefix=prefix, options=options, delimiter="\t")


# -- JSONL rows --------------------------------------------------------------------------------
def iter_json_lines(path: Path, ctx: FileContext) -> Iterator[tuple[int, dict]]:
    """``(line number, object)`` of a JSON Lines file; broken lines are skipped and counted."""
    return json_line_items(open_utf8_lines(path, ctx.options.encoding), ctx)


def json_line_items(lines: Iterable[tuple[int, bytes | str]], ctx: FileContext) -> Iterator[tuple[int, dict]]:
    """``(line number, object)`` of numbered JSON Lines (:func:`iter_json_lines` of a part of a file)."""
    path = ctx.path
    for lineno, line in lines:
        if not line or line.isspace():  # (isspace stops at the first other character; strip copies)
            continue
        ctx.record()
        try:
            obj = json.loads(line)
        except UnicodeDecodeError:
            raise decode_error(path, ctx.options.encoding, lineno) from None
        except json.JSONDecodeError:
            if isinstance(line, bytes):
                try:  # (json.loads let a lone surrogate's bytes through; the text must be UTF-8)
                    line = line.decode("utf-8")
                except UnicodeDecodeError:
                    raise decode_error(path, ctx.options.encoding, lineno) from None
            try:
                obj = loads_json(line, path)
            except InputError as exc:
                ctx.bad(lineno, exc.problem.replace("line 1, ", ""))
                continue
        except RecursionError:
            ctx.bad(lineno, "JSON nested too deeply")
            continue
        if not isinstance(obj, dict):
            ctx.bad(lineno, f"a JSON {type(obj).__name__}, not an object")
            continue
        yield lineno, obj


def keys_of(first: Sequence[tuple[Any, dict]]) -> list[str]:
    """The keys of some records, in order of first appearance."""
    keys: dict[str, None] = {}
    for _, obj in first:
        for k in obj:
            keys.setdefault(str(k), None)
    return list(keys)


def rows_posts(
    items: Iterator[tuple[int, dict]], ctx: FileContext, *, prefix: str, head: list[tuple[int, dict]] | None = None
) -> Iterator[Post]:
    """Posts of JSON rows; the columns are resolved from the keys of the first rows."""
    head = list(head or [])
    if not head:
        item = next(items, None)
        if item is None:
            return
        head.append(item)
    columns = head_columns(items, head, ctx)
    mapper = TableMapper(columns, ctx, prefix=prefix, sparse=True)
    yield from mapper.posts(head)
    yield from mapper.posts(items)


def head_columns(items: Iterator[tuple[int, dict]], head: list[tuple[int, dict]], ctx: FileContext) -> TableColumns:
    """The columns of JSON rows, from the keys of the rows in ``head`` (at least one), taking
    more rows from ``items`` into ``head`` until a text column is met (at most 50)."""
    while True:
        try:
            return resolve_columns(keys_of(head), ctx.options, ctx.path)
        except InputError:
            item = None if len(head) >= 50 or getattr(ctx.options, "text_col", None) else next(items, None)
            if item is None:
                raise
            head.append(item)


def read_jsonl_rows(path: Path, stats: FileStats, *, prefix: str, options: Any) -> Iterator[Post]:
    """Read JSON Lines whose objects are table rows (one post per line)."""
    ctx = FileContext(path, stats, options)
    yield from rows_posts(iter_json_lines(Path(path), ctx), ctx, prefix=prefix)


# -- Parquet -----------------------------------------------------------------------------------
def read_parquet(path: Path, stats: FileStats, *, prefix: str, options: Any) -> Iterator[Post]:
    """Read a Parquet file by row batches (memory: one batch of the needed columns)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    ctx = FileContext(path, stats, options)
    errors = (pa.ArrowException, OSError, ValueError, TypeError, IndexError)
    source: Any = pa.BufferReader(read_bytes(path, allow_binary=True)) if path.suffix.lower() == ".gz" else str(path)
    check_file(path, allow_binary=True)
    try:
        parquet = pq.ParquetFile(source)
        names = parquet.schema_arrow.names
    except errors as exc:
        raise InputError(path, f"not a readable Parquet file ({exc})") from None
    columns = resolve_columns(names, options, path)
    wanted = [
        c for c in (columns.text, columns.date, columns.id, columns.channel, columns.forwarded_from, columns.group) if c
    ]
    mapper = TableMapper(columns, ctx, prefix=prefix)
    record = 0
    batches = parquet.iter_batches(batch_size=_BATCH_ROWS, columns=list(dict.fromkeys(wanted)))
    while True:
        try:
            batch = next(batches, None)
            rows = batch.to_pylist() if batch is not None else None
        except errors as exc:
            raise InputError(path, f"Parquet data after row {record} cannot be read ({exc})") from None
        if rows is None:
            return
        for row in rows:
            record += 1
            ctx.record()
            post = mapper.post(row, record)
            if post is not None:
                yield post


def read_json_rows(path: Path, stats: FileStats, *, prefix: str, options: Any) -> Iterator[Post]:
    """Read a JSON document holding rows: a list of objects, or an object with a ``messages`` list.

    The file is loaded whole (memory: a few times its size); JSON Lines are streamed instead.
    """
    path = Path(path)
    head = head_text(path, options.encoding)
    first, _, rest = head.partition("\n")
    if first.rstrip().endswith("}") and rest.lstrip().startswith("{"):
        yield from read_jsonl_rows(path, stats, prefix=prefix, options=options)
        return
    ctx = FileContext(path, stats, options)
    data = read_json(path, options.encoding)
    rows = data.get("messages") if isinstance(data, dict) else data
    if not isinstance(rows, list):
        raise InputError(path, 'JSON of unknown shape (expected a list of rows or an object with a "messages" list)')

    def items() -> Iterator[tuple[int, dict]]:
        for index, row in enumerate(rows, 1):
            ctx.record()
            if isinstance(row, dict):
                yield index, row
            else:
                ctx.bad(index, f"a JSON {type(row).__name__}, not an object")

    yield from rows_posts(items(), ctx, prefix=prefix)


def read_table(path: Path, stats: FileStats, *, prefix: str, options: Any) -> Iterator[Post]:
    """Read a table, choosing CSV, TSV, JSON(L) rows or Parquet by the file's suffix."""
    suffix = base_suffix(Path(path))
    reader = {
        ".tsv": read_tsv,
        ".parquet": read_parquet,
        ".jsonl": read_jsonl_rows,
        ".ndjson": read_jsonl_rows,
        ".json": read_json_rows,
    }.get(suffix, read_csv)
    return reader(path, stats, prefix=prefix, options=options)
