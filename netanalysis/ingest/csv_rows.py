"""The records of a CSV or TSV file, with broken quoting found, reported and got over.

Python's :mod:`csv` reader is lenient: a quote that opens a field and never closes makes the
field run to the end of the file, so one stray ``"`` turns every later row into the text of a
single post, silently. :func:`csv_records` reads the same records as :mod:`csv` does and checks
every record that runs over more than one line (a quoted field with line breaks, which posts
often have):

* if it ran to the end of the file and the file ends inside a quoted field, the quote opened
  in its first line never closes: the record is reported as malformed **with that line**, and
  the lines after its first are read again as rows of their own;
* if it has another number of fields than the header (a quote closed too late, by a stray
  quote further down), the same: reported with its first line, its other lines read again;
* if one of its later lines, read alone, is a row of the table (the header's number of fields,
  a date that reads as a date in the date column, an id in the id column: what the caller's
  ``is_row`` says), a quote opened in its first line was closed only by a stray quote further
  down: the same again. Prose in a quoted field does not look like that (its pieces between
  commas are not dates).

So a broken quote costs the one row it is in, is counted (``skipped``, listed among the file's
problems) and, with ``strict``, stops the run with that line. A table with neither a date nor
an id column cannot be checked the third way.
"""

from __future__ import annotations

import collections
import csv
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from netanalysis.errors import InputError
from netanalysis.ingest.records import FileContext

__all__ = ["csv_records", "guess_delimiter", "ends_in_quotes"]

_FIELD_LIMIT = 64 * 1024 * 1024  # a post longer than 64 MB is not a post


def guess_delimiter(header_line: str, suffix: str) -> str:
    """``\\t`` for ``.tsv``; else the most frequent of ``,``, ``;`` and tab in the header line."""
    if suffix == ".tsv":
        return "\t"
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def ends_in_quotes(text: str, delimiter: str = ",") -> bool:
    """Whether ``text`` (whole CSV records) ends inside a quoted field, read as :mod:`csv`
    reads it (a ``"`` opens a quoted field only at the start of a field; ``""`` inside one is
    a quote).

    Examples
    --------
    >>> ends_in_quotes('1,"a\\nb",2\\n'), ends_in_quotes('1,"a\\n2,b\\n'), ends_in_quotes('1,say "hi\\n')
    (False, True, False)
    """
    i, n = 0, len(text)
    start = True  # at the start of a field
    while i < n:
        c = text[i]
        if start and c == '"':
            while True:  # inside quotes: to the closing quote
                j = text.find('"', i + 1)
                if j < 0:
                    return True
                if text.startswith('"', j + 1):  # a doubled quote: still inside
                    i = j + 1
                    continue
                i = j + 1
                break
            start = False
            continue
        if c == delimiter or c in "\r\n":
            start = True
        else:
            start = False
        i += 1
    return False


class _Lines:
    """Numbered lines handed to the csv reader, that can be handed again (:meth:`again`) and
    tell which were taken since the last :meth:`taken` (so a record's lines are known)."""

    def __init__(self, lines: Iterable[tuple[int, str]]):
        self._lines = iter(lines)
        self._again: collections.deque[tuple[int, str]] = collections.deque()
        self._taken: list[tuple[int, str]] = []
        self.ended = False  # the file has no more lines (none waits to be read again either)

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self._again:
            item = self._again.popleft()
        else:
            found = next(self._lines, None)
            if found is None:
                self.ended = True
                raise StopIteration
            item = found
        self._taken.append(item)
        return item[1]

    def taken(self) -> list[tuple[int, str]]:
        taken, self._taken = self._taken, []
        return taken

    def again(self, items: list[tuple[int, str]]) -> None:
        self._again.extendleft(reversed(items))
        if items:
            self.ended = False


def csv_records(
    lines: Iterable[tuple[int, str]],
    ctx: FileContext,
    *,
    delimiter: str,
    is_row: Callable[[list[str]], Callable[[list[str]], bool] | None] | None = None,
) -> Iterator[Any]:
    """The header (a list of names), then ``(line number, row dict)`` of each record of the
    numbered ``lines`` (see the module notes); every record met is counted in ``ctx``.
    ``is_row(header)`` gives the test of a line that is a row of its own (or ``None``)."""
    path = ctx.path
    source = _Lines(lines)
    old_limit = csv.field_size_limit()
    csv.field_size_limit(max(old_limit, _FIELD_LIMIT))
    try:
        reader = csv.reader(source, delimiter=delimiter)
        try:
            header = next(reader)
        except csv.Error as exc:
            raise InputError(path, f"line 1: the header cannot be read ({exc})") from None
        except StopIteration:
            raise InputError(path, "file is empty") from None
        header = [h.strip() for h in header]
        if not any(header):
            raise InputError(path, "line 1: the header row is empty")
        source.taken()
        row_test = is_row(header) if is_row is not None else None
        yield header
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                taken = source.taken()
                ctx.record()
                ctx.bad(taken[0][0] if taken else "?", f"broken CSV row ({exc})")
                continue
            taken = source.taken()
            if not taken or not row or (len(row) == 1 and not row[0].strip()):
                continue  # a blank line is no record
            record = taken[0][0]
            ctx.record()
            if len(taken) > 1:
                problem = _broken_quote(row, taken, len(header), source.ended, delimiter, row_test)
                if problem:
                    strict = getattr(ctx.options, "strict", False)
                    ctx.bad(record, problem if strict else f"{problem}; the row is skipped and {_AGAIN}")
                    source.again(taken[1:])
                    continue
            if len(row) != len(header):
                ctx.bad(record, f"expected {len(header)} fields, found {len(row)}")
                continue
            yield record, dict(zip(header, row))
    finally:
        csv.field_size_limit(old_limit)


def _broken_quote(
    row: list[str],
    taken: list[tuple[int, str]],
    fields: int,
    at_end: bool,
    delimiter: str,
    row_test: Callable[[list[str]], bool] | None,
) -> str:
    """What is wrong with a record over several lines (``""``: nothing)."""
    others = len(taken) - 1
    if at_end and ends_in_quotes("".join(line for _, line in taken), delimiter):
        return (
            "a quote opened on this line never closes (its field runs to the end of the file, "
            f"over {others} more line(s))"
        )
    if len(row) != fields:
        return (
            f"expected {fields} fields, found {len(row)} in a row running over {others + 1} lines "
            "(a quote that closes too late?)"
        )
    if row_test is not None:
        for number, line in taken[1:]:
            try:
                alone = next(csv.reader([line], delimiter=delimiter), [])
            except csv.Error:
                continue
            if len(alone) == fields and row_test(alone):
                return (
                    f"a quote opened on this line runs on into line {number}, which is a row of its own "
                    "(the quote does not close where it should)"
                )
    return ""


_AGAIN = "the lines after its first are read as rows"
