"""Ingest: input files -> a stream of :class:`~netanalysis.model.Post`.

Every reader has the same shape: ``read(path, stats, *, prefix, options) -> Iterator[Post]``.
:func:`iter_posts` streams posts from many inputs (constant memory); :func:`read_posts` collects
them into a pandas DataFrame with the columns of :data:`~netanalysis.model.POST_COLUMNS`.

Formats (:data:`FORMATS`): ``text`` (copied channel text), ``telegram_json`` (Telegram Desktop
``result.json``), ``telegram_html`` (its ``messages*.html``), ``telethon`` (``Message.to_dict()``
dumps, JSON or JSONL), ``json`` and ``jsonl`` (any of the JSON shapes, decided per file),
``table`` (CSV, TSV, JSONL rows or Parquet by suffix), ``csv``, ``tsv``, ``parquet``.

Counting: every file's :class:`~netanalysis.model.FileStats` has ``read + skipped == records``.
Skipped kinds: ``malformed`` (listed as problems; fatal with ``strict``), ``service``,
``unsupported``, ``empty``, ``no_text`` (media only), ``album_part`` (merged into its album's
post) and ``duplicate`` (with ``dedupe``; also counted in ``IngestStats.duplicates``). A post
whose date cannot be understood is kept undated and its problem listed.

Post ids are unique and traceable (:mod:`netanalysis.ingest.ids`): an id that repeats an
earlier post's is renamed ``<id>#2`` (counted in ``IngestStats.renamed_ids``), or dropped with
``dedupe``.
"""

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from netanalysis.errors import ConfigError, InputError
from netanalysis.ingest.channels import attribute
from netanalysis.ingest.dedupe import Deduplicator, dedupe_posts, plain_post
from netanalysis.ingest.files import base_suffix, expand_inputs, head_text, is_blank
from netanalysis.ingest.ids import unique_posts
from netanalysis.ingest.records import finish_post, resolve_zone
from netanalysis.model import POST_COLUMNS, FileStats, IngestStats, Post

__all__ = [
    "ReadOptions",
    "iter_posts",
    "read_posts",
    "posts_frame",
    "detect_format",
    "dedupe_posts",
    "expand_inputs",
    "FORMATS",
]

logger = logging.getLogger(__name__)

#: Format name -> "module:function" of its reader (imported only when used).
FORMATS: dict[str, str] = {
    "text": "netanalysis.ingest.text:read_copied_text",
    "telegram_json": "netanalysis.ingest.telegram_json:read_telegram_json",
    "telegram_html": "netanalysis.ingest.telegram_html:read_telegram_html",
    "telethon": "netanalysis.ingest.telethon:read_telethon",
    "json": "netanalysis.ingest.telethon:read_json",
    "jsonl": "netanalysis.ingest.telethon:read_jsonl",
    "table": "netanalysis.ingest.tables:read_table",
    "csv": "netanalysis.ingest.tables:read_csv",
    "tsv": "netanalysis.ingest.tables:read_tsv",
    "parquet": "netanalysis.ingest.tables:read_parquet",
}


@dataclass(frozen=True)
class ReadOptions:
    """Options every reader accepts (those that do not apply to a format are ignored).

    Attributes
    ----------
    encoding : text encoding of the inputs (``cp1251`` for Windows Cyrillic files)
    strict : stop with :class:`~netanalysis.errors.RecordError` at the first malformed record
    channel : channel name for inputs that do not name one (copied text, tables without a
        channel column, Telethon dumps)
    text_col, date_col, id_col, channel_col : column names of a table, when they are not the
        common ones
    dedupe : count a post forwarded into several channels or exported twice once
        (see :mod:`netanalysis.ingest.dedupe`)
    tz : IANA zone of timestamps written without offset (old Telegram Desktop exports); when
        ``None`` they are read as UTC with a warning
    group_col : a table column whose value each post keeps as its ``group`` (``compare --by``)
    count_forwards : count a forward as a post of the channel that forwarded it (the default);
        ``False`` skips forwards (kind ``forward``), see :mod:`netanalysis.ingest.channels`
    """

    encoding: str = "utf-8"
    strict: bool = False
    channel: str | None = None
    text_col: str | None = None
    date_col: str | None = None
    id_col: str | None = None
    channel_col: str | None = None
    dedupe: bool = False
    tz: str | None = None
    group_col: str | None = None
    count_forwards: bool = True

    def __post_init__(self) -> None:
        resolve_zone(self.tz)  # raises ConfigError for an unknown zone


def detect_format(path: Path, encoding: str = "utf-8") -> str:
    """Guess a file's format from its name and first bytes (read in ``encoding``)."""
    suffix = base_suffix(path)
    if suffix == ".txt":
        return "text"
    if suffix in (".html", ".htm"):
        return "telegram_html"
    if suffix in (".csv", ".tsv", ".parquet"):
        return "table"
    if suffix in (".json", ".jsonl", ".ndjson"):
        return _sniff_json(head_text(path, encoding), suffix)
    raise InputError(
        path, f"unknown input format {suffix or '(no suffix)'!r}; give --format ({', '.join(sorted(FORMATS))})"
    )


_TELETHON_RESULT = re.compile(r'^\{\s*"_"\s*:\s*"messages\.')


def _sniff_json(text: str, suffix: str) -> str:
    if suffix in (".jsonl", ".ndjson") or (text.startswith("{") and "\n{" in text[: _first_line_end(text) + 2]):
        return "jsonl"
    if _TELETHON_RESULT.search(text):  # a Telethon GetHistoryRequest result: {"_": "messages.ChannelMessages", ...}
        return "json"
    if '"messages"' in text and ('"type"' in text or '"chats"' in text) and '"date_unixtime"' in text:
        return "telegram_json"
    if (
        '"chats"' in text
        or '"left_chats"' in text
        or '"type": "public_channel"' in text
        or '"type": "private_channel"' in text
        or '"personal_information"' in text
    ):
        return "telegram_json"
    return "json"


def _first_line_end(text: str) -> int:
    i = text.find("\n")
    return len(text) if i < 0 else i


def reader_for(fmt: str) -> Callable[..., Iterator[Post]]:
    """The reader function of a format (:class:`ConfigError` for an unknown one)."""
    try:
        target = FORMATS[fmt]
    except (KeyError, TypeError):
        raise ConfigError(f"unknown input format {fmt!r}; choose auto or one of {', '.join(sorted(FORMATS))}") from None
    module, func = target.split(":")
    return getattr(importlib.import_module(module), func)


def id_prefixes(files: list[Path]) -> dict[Path, str]:
    """A short, unique id prefix per file: its name without suffixes, or more of its path."""
    stems = {f: f.name.split(".")[0] for f in files}
    counts: dict[str, int] = {}
    for s in stems.values():
        counts[s] = counts.get(s, 0) + 1
    out = {}
    for f in files:
        stem = stems[f]
        if counts[stem] > 1:
            stem = "/".join(f.with_name(stem).parts[-2:]) if len(f.parts) > 1 else stem
        out[f] = stem
    seen: dict[str, int] = {}
    for f in files:  # still the same (same dir/name with other suffix): number them
        p = out[f]
        seen[p] = seen.get(p, 0) + 1
        if seen[p] > 1:
            out[f] = f"{p}~{seen[p]}"
    return out


def iter_posts(
    inputs: str | Path | Iterable[str | Path],
    format: str | None = None,
    *,
    options: ReadOptions | None = None,
    stats: IngestStats | None = None,
) -> Iterator[Post]:
    """Stream the posts of all inputs in order (files sorted within a directory).

    Parameters
    ----------
    inputs : path, directory, glob pattern, or a list of them
    format : ``None`` or ``"auto"`` to detect each file's format (:func:`detect_format`), else
        one of :data:`FORMATS`
    options : :class:`ReadOptions` (``options.dedupe`` drops repeated posts while streaming)
    stats : an :class:`~netanalysis.model.IngestStats` to fill with counts while reading

    Raises
    ------
    InputError
        When an input cannot be read at all; with ``options.strict``, at the first bad record
        (:class:`~netanalysis.errors.RecordError`).
    ConfigError
        When ``format`` is not a known format.
    """
    options = options or ReadOptions()
    stats = stats if stats is not None else IngestStats()
    yield from unique_posts(_all_posts(inputs, format, options, stats), stats)


def _all_posts(inputs, format: str | None, options: ReadOptions, stats: IngestStats) -> Iterator[Post]:
    seen = Deduplicator() if options.dedupe else None
    for path, fmt, prefix, fstats in input_files(inputs, format, stats, encoding=options.encoding):
        yield from file_posts(path, fmt, fstats, prefix=prefix, options=options, seen=seen, stats=stats)


def input_files(
    inputs, format: str | None, stats: IngestStats, *, encoding: str = "utf-8"
) -> Iterator[tuple[Path, str, str, FileStats]]:
    """Each input file with its format, its post id prefix and its :class:`FileStats` (added to
    ``stats``), in reading order; an unknown ``format`` fails before any file is opened.

    An empty file (nothing but white space) among other inputs is skipped with a warning and
    listed in ``stats.empty_files``; when every input is empty, the first is an error.
    """
    if format not in (None, "auto"):
        reader_for(format)  # a usage error
    files = expand_inputs(list(inputs) if not isinstance(inputs, (str, Path)) else inputs)
    prefixes = id_prefixes(files)
    empty = [f for f in files if is_blank(f)] if len(files) > 1 else []
    if empty and len(empty) == len(files):
        raise InputError(files[0], "file is empty (and so is every other input)")
    for path in files:
        if path in empty:
            logger.warning("%s: the file is empty; it is skipped", path)
            stats.empty_files.append(str(path))
            continue
        fmt = detect_format(path, encoding) if format in (None, "auto") else format
        fstats = FileStats(path=str(path), format=fmt)
        stats.files.append(fstats)
        yield path, fmt, prefixes[path], fstats


def file_posts(
    path: Path,
    fmt: str,
    fstats: FileStats,
    *,
    prefix: str,
    options: ReadOptions,
    seen: Deduplicator | None = None,
    stats: IngestStats | None = None,
) -> Iterator[Post]:
    """The posts of one file read as ``fmt``, counted in ``fstats`` (and, with ``seen``, repeats
    of posts ``seen`` before dropped and counted in ``stats``); channel names normalised and
    forwards kept or skipped as :func:`~netanalysis.ingest.channels.attribute` says; each
    finished (:func:`~netanalysis.ingest.records.finish_post`: id escaped, made unique later,
    in input order)."""
    for read in reader_for(fmt)(path, fstats, prefix=prefix, options=options):
        post = attribute(read, options, fstats)
        if post is None:
            continue
        finish_post(post)
        if seen is not None and (repeat := seen.repeat(post)) is not None:
            fstats.skip(post.source, repeat, kind="duplicate")
            if stats is not None:
                stats.duplicates += 1
            continue
        fstats.read += 1
        if post.date is None:
            fstats.undated += 1
        yield plain_post(post)


def posts_frame(posts: Iterable[Post]) -> pd.DataFrame:
    """A DataFrame with the columns of :data:`POST_COLUMNS` (``date`` as UTC datetimes)."""
    rows = [(p.post_id, p.channel, p.date, p.date_source, p.source, p.forwarded_from, p.text) for p in posts]
    frame = pd.DataFrame.from_records(rows, columns=POST_COLUMNS)
    frame["date"] = pd.to_datetime(frame["date"], utc=True)
    for col in ("post_id", "channel", "date_source", "source", "text"):
        frame[col] = frame[col].astype(object)
    return frame


def read_posts(
    path_or_paths: str | Path | Iterable[str | Path],
    format: str | None = None,
    *,
    options: ReadOptions | None = None,
    stats: IngestStats | None = None,
) -> pd.DataFrame:
    """Read posts into a DataFrame, one row per post in input order.

    For archives too large for memory, use :func:`iter_posts`, which streams.

    Examples
    --------
    >>> import netanalysis
    >>> posts = netanalysis.read_posts("examples/mfa_channel_sample.txt")  # doctest: +SKIP
    >>> posts.columns.tolist()  # doctest: +SKIP
    ['post_id', 'channel', 'date', 'date_source', 'source', 'forwarded_from', 'text']
    """
    return posts_frame(iter_posts(path_or_paths, format, options=options, stats=stats))
