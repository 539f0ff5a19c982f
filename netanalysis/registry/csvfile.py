"""Reading the registry's CSV files: every cell a stripped string, every problem one error.

Shared by the loaders of the names (:mod:`netanalysis.registry.loader`), the context rules
(:mod:`netanalysis.registry.rules`) and the memberships. A bad file raises
:class:`~netanalysis.errors.RegistryError` naming the file, the line and what was wrong.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from netanalysis.errors import RegistryError

__all__ = ["read_rows", "choice", "nonempty", "sorted_frame", "columns_frame"]


def read_rows(path: Path, required: Sequence[str], optional: Sequence[str] = ()) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV file as ``(line number, {column: value})``; every value a stripped string."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RegistryError(f"{path}: cannot read registry file ({exc.strerror or exc})") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RegistryError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    done = 0  # physical lines read by the last complete record
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise RegistryError(f"{path}: empty file: expected a header line with columns {','.join(required)}")
        header = [cell.strip() for cell in header]
        twice = sorted({col for col in header if header.count(col) > 1})
        if twice:
            raise RegistryError(f"{path}: line 1: column(s) {', '.join(twice)} given twice")
        missing = [col for col in required if col not in header]
        if missing:
            raise RegistryError(
                f"{path}: line 1: missing column(s) {', '.join(missing)} (expected {','.join(required)})"
            )
        unknown = [col for col in header if col not in required and col not in optional]
        if unknown:
            raise RegistryError(f"{path}: line 1: unknown column(s) {', '.join(unknown)}")
        rows: list[tuple[int, dict[str, str]]] = []
        width = len(header)
        done = reader.line_num
        for record in reader:
            start, done = done + 1, reader.line_num
            if not "".join(record).strip():
                continue  # blank line
            if len(record) != width:
                raise RegistryError(f"{path}: line {start}: expected {width} fields, found {len(record)}")
            rows.append((start, dict(zip(header, map(str.strip, record)))))
    except csv.Error as exc:
        raise RegistryError(f"{path}: line {done + 1}: malformed CSV ({exc})") from exc
    return rows


def choice(path: Path, line: int, column: str, value: str, allowed: Sequence[str]) -> str:
    if value not in allowed:
        shown = repr(value) if value else "empty value"
        raise RegistryError(f"{path}: line {line}: {column} {shown} is not one of {', '.join(allowed)}")
    return value


def nonempty(path: Path, line: int, column: str, value: str) -> str:
    if not value:
        raise RegistryError(f"{path}: line {line}: empty {column}")
    return value


def sorted_frame(rows: list[list[str]], columns: list[str], key: list[str] | None = None) -> pd.DataFrame:
    """Sorted by ``key`` (the first columns by default), without duplicate rows."""
    at = [columns.index(column) for column in key or columns]
    unique = sorted({tuple(row) for row in rows}, key=lambda row: ([row[i] for i in at], row))
    return columns_frame(unique, columns)


def columns_frame(rows: Sequence[Sequence[str]], columns: list[str]) -> pd.DataFrame:
    """A frame of string columns from rows (built column-wise: several times faster)."""
    values = list(zip(*rows)) if rows else [()] * len(columns)
    return pd.DataFrame(dict(zip(columns, values)), columns=columns, dtype="str")
