"""Inputs cut into partitions that worker processes read on their own.

Reading is part of the work that runs in parallel: a JSON Lines file (the format of large
archives: Telethon dumps and scraped rows) is cut into **partitions** of whole lines, about
``size`` lines each, and every partition is parsed where it is extracted, in a worker process or
on a Dask worker. The main process only cuts the bytes at line ends and counts lines; it never
decodes a record. The posts, their ids, the counts and the problems (with their line numbers)
are those that reading the file in one piece gives:

* the file's shape (Telethon messages or table rows, and a table's columns) is decided once,
  from its first records, exactly as :func:`~netanalysis.ingest.iter_posts` decides it;
* a Telethon dump is cut only before a message that starts a post of its own (not part of an
  album, not a service message), so albums are never split;
* a partition's counts come back as a :class:`~netanalysis.model.FileStats` of its own, which
  :func:`absorb` adds to the file's, keeping the file's first problems in order; the warning
  about timestamps without a UTC offset is given once per file.

For local worker processes a partition of a plain file holds where its lines are, not their
bytes (``by_place``): the worker reads them itself, so the main process neither joins them nor
sends them through a pipe (1.5 GB at a million benchmark posts). The worker checks
that the file is the one that was cut, with the same first and last bytes in that place.

Other formats, inputs in another encoding than UTF-8 and runs with ``dedupe`` (which must see
every post before the next) are read in the main process as before, in chunks of posts.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG

from netanalysis.errors import InputError
from netanalysis.ingest import ReadOptions, file_posts, input_files
from netanalysis.ingest.channels import attribute
from netanalysis.ingest.dedupe import Deduplicator
from netanalysis.ingest.files import count_lines, number_utf8_lines, raw_line_blocks, reads_as_utf8
from netanalysis.ingest.records import FileContext, finish_post, warn_naive
from netanalysis.ingest.tables import TableColumns, TableMapper, head_columns, iter_json_lines, json_line_items
from netanalysis.ingest.telethon import jsonl_shape, starts_own_post, telethon_posts
from netanalysis.model import FileStats, IngestStats, Post

__all__ = ["Partition", "Place", "iter_parts", "read_partition", "absorb"]


@dataclass(frozen=True)
class Partition:
    """Whole lines of a JSON Lines file, and what it takes to read them anywhere."""

    path: str
    format: str
    prefix: str
    shape: str  # "telethon" or "rows"
    columns: TableColumns | None  # of rows
    options: ReadOptions
    first_line: int  # number of the first line of ``data`` in the file (1-based)
    data: bytes | None  # None: read from the file at ``place``
    place: Place | None = None

    def __repr__(self) -> str:
        size = len(self.data) if self.data is not None else self.place.length if self.place else 0
        return f"Partition({self.path!r}, lines from {self.first_line}, {size} bytes)"


@dataclass(frozen=True)
class Place:
    """Where a partition's lines are in its file (byte offset and length), and what the file was
    when they were cut: its device and inode, and the lines' first and last bytes (up to
    :data:`_EDGE` each)."""

    offset: int
    length: int
    device: int
    inode: int
    head: bytes
    tail: bytes


_EDGE = 64


def iter_parts(
    inputs,
    format: str | None = None,
    *,
    options: ReadOptions | None = None,
    stats: IngestStats | None = None,
    size: int = 2000,
    by_place: bool = False,
) -> Iterator[tuple[Partition | list[Post], FileStats | None]]:
    """The inputs as work: partitions of JSON Lines files, and chunks of posts of the rest.

    Yields ``(partition, file_stats)``, the stats of the partition's file, to be completed with
    :func:`absorb` once the partition is read, or ``(posts, None)``: up to ``size`` posts read
    here (their counts are already in ``stats``). In input order, files one after another.

    With ``by_place``, a partition of a plain (not gzipped) regular file holds where its lines
    are instead of their bytes (:attr:`Partition.place`): a worker process reads them there, so
    the bytes are not joined here, sent through a pipe and copied again in the worker. The work
    must then run on this machine (local worker processes, not a cluster).
    """
    options = options or ReadOptions()
    stats = stats if stats is not None else IngestStats()
    seen = Deduplicator() if options.dedupe else None
    batch: list[Post] = []
    for path, fmt, prefix, fstats in input_files(inputs, format, stats, encoding=options.encoding):
        shape = _shape(path, fmt, options) if seen is None else None
        if shape is None:
            for post in file_posts(path, fmt, fstats, prefix=prefix, options=options, seen=seen, stats=stats):
                batch.append(post)
                if len(batch) >= size:
                    yield batch, None
                    batch = []
            continue
        if batch:
            yield batch, None
            batch = []
        for part in _cut(path, fmt, prefix, shape, options, size, by_place):
            yield part, fstats
    if batch:
        yield batch, None


def _shape(path: Path, fmt: str, options: ReadOptions) -> tuple[str, TableColumns | None] | None:
    """How a JSON Lines file is read (as :func:`~netanalysis.ingest.telethon.read_jsonl` decides),
    or ``None`` when the file is not one to cut (another format, another encoding, no record)."""
    if fmt != "jsonl" or not reads_as_utf8(path, options.encoding):
        return None
    ctx = FileContext(path, FileStats(path=str(path), format=fmt), options)  # counts made by the workers
    items = iter_json_lines(path, ctx)
    first = next(items, None)
    if first is None:
        return None
    if jsonl_shape(first[1], options) == "telethon":
        return "telethon", None
    return "rows", head_columns(items, [first], ctx)


def _cut(
    path: Path,
    fmt: str,
    prefix: str,
    shape: tuple[str, TableColumns | None],
    options: ReadOptions,
    size: int,
    by_place: bool = False,
) -> Iterator[Partition]:
    """The partitions of a file: ``size`` lines each (the last one the rest); a Telethon dump's
    partition goes on to the next line that starts a post of its own. The lines come in blocks
    split in C (:func:`~netanalysis.ingest.files.raw_line_blocks`); table rows are cut a
    partition at a time, not looked at a line at a time. With ``by_place`` (and a plain regular
    file), each partition says where its lines are (see :func:`iter_parts`)."""
    kind, columns = shape
    lines: list[bytes] = []
    first = 1
    offset = 0
    file = _file_id(path) if by_place else None

    def made(part: list[bytes]) -> Partition:
        nonlocal first, offset
        if file is None:
            joined = b"".join(part)
            partition = Partition(str(path), fmt, prefix, kind, columns, options, first, joined)
            first += count_lines(part, joined)
            return partition
        length = sum(map(len, part))
        place = Place(offset, length, *file, part[0][:_EDGE], part[-1][-_EDGE:])
        partition = Partition(str(path), fmt, prefix, kind, columns, options, first, None, place)
        offset += length
        first += count_lines(part)
        return partition

    for block in raw_line_blocks(path):
        if kind == "rows":
            lines += block
            while len(lines) > size:  # (a partition is made once a line follows its last)
                yield made(lines[:size])
                del lines[:size]
            continue
        for line in block:
            if len(lines) >= size and _starts_post(line):
                yield made(lines)
                lines = []
            lines.append(line)
    if lines:
        yield made(lines)


def _file_id(path: Path) -> tuple[int, int] | None:
    """The device and inode of a plain regular file (``None`` for a gzipped file, a pipe or a
    device: their lines are sent as bytes)."""
    if path.suffix.lower() == ".gz":
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None  # (reading it says what is wrong)
    return (stat.st_dev, stat.st_ino) if S_ISREG(stat.st_mode) else None


def _placed_bytes(part: Partition) -> bytes:
    """The bytes of a partition read where they are in its file, checked against what the file
    was when they were cut (the same file, the same first and last bytes): a file replaced or
    rewritten in the meantime is an :class:`InputError`, not other posts. (Lines appended to
    the file meanwhile do not move the partition's bytes.)"""
    place = part.place
    assert place is not None
    try:
        with open(part.path, "rb") as raw:
            stat = os.fstat(raw.fileno())
            data = os.pread(raw.fileno(), place.length, place.offset) if place.length else b""
    except OSError as exc:
        raise InputError(part.path, f"cannot be read ({exc.__class__.__name__}: {exc})") from None
    if (
        (stat.st_dev, stat.st_ino) != (place.device, place.inode)
        or len(data) != place.length
        or not data.startswith(place.head)
        or not data.endswith(place.tail)
    ):
        raise InputError(part.path, "changed while it was being read (run again once it is written)")
    return data


def _starts_post(line: bytes) -> bool:
    """Whether a Telethon dump may be cut just before this line (see :func:`starts_own_post`)."""
    try:
        return starts_own_post(json.loads(line))
    except (ValueError, RecursionError):
        return False


class _PartContext(FileContext):
    """A file context that leaves the warning about timestamps without offset to the main process."""

    def warn_naive(self) -> None:
        pass


@dataclass
class PartRead:
    """What reading a partition gave: its counts, and whether it met naive timestamps."""

    stats: FileStats
    saw_naive: bool


def read_partition(part: Partition) -> tuple[list[Post], PartRead]:
    """The posts of a partition, and its counts (to :func:`absorb` into the file's)."""
    fstats = FileStats(path=part.path, format=part.format)
    ctx = _PartContext(Path(part.path), fstats, part.options)
    data = part.data if part.data is not None else _placed_bytes(part)
    lines = number_utf8_lines(io.BytesIO(data), ctx.path, part.options.encoding, part.first_line)
    items = json_line_items(lines, ctx)
    if part.shape == "telethon":
        posts: Iterable[Post] = telethon_posts(items, ctx, prefix=part.prefix)
    else:
        posts = TableMapper(part.columns, ctx, prefix=part.prefix, sparse=True).posts(items)
    out = []
    for read in posts:
        post = attribute(read, part.options, fstats)
        if post is None:
            continue
        finish_post(post)
        fstats.read += 1
        if post.date is None:
            fstats.undated += 1
        out.append(post)
    return out, PartRead(fstats, ctx.saw_naive)


def absorb(into: FileStats, read: PartRead, warned: set[str]) -> None:
    """Add a partition's counts to its file's (partitions in file order), and warn once per
    file (``warned`` holds the files warned of) about timestamps without offset."""
    part = read.stats
    into.records += part.records
    into.read += part.read
    into.skipped += part.skipped
    into.undated += part.undated
    for kind, n in part.skipped_kinds.items():
        into.skipped_kinds[kind] = into.skipped_kinds.get(kind, 0) + n
    room = into.max_problems - len(into.problems)
    if room > 0:
        into.problems += part.problems[:room]
    if read.saw_naive and into.path not in warned:
        warned.add(into.path)
        warn_naive(into.path)
