"""The work sent to each worker: read a chunk of posts (or a partition of an input), extract
its mentions, format its ``posts.csv`` and ``mentions.csv`` rows and code its links.

A :class:`Chunk` holds what the later stages need and nothing more:

``posts_csv``, ``mentions_csv``
    The chunk's rows of ``posts.csv`` and ``mentions.csv`` (UTF-8 bytes, no header), formatted
    in the worker by the one CSV module (:func:`netanalysis.io.csv.quote` and
    :func:`~netanalysis.io.csv.field_parts`: spreadsheet-safe text cells unless ``safe_csv``
    is off), so formatting runs in parallel too.
``batch``
    The chunk as a :class:`~netanalysis.graph.Batch`: post ids, dates, the columns later
    stages keep of each post (channel, date source and, for the explorer, the start of the
    text), and the country and forum links, one per post and entity (and unit, for paragraph
    or sentence units, with each post's number of units): all the graph and the time windows use.
``post_ends``, ``mention_ends``
    Where each post's row of ``posts_csv`` and its rows of ``mentions_csv`` end (bytes), so
    that a post renamed in the main process (:meth:`Chunk.renamed`: an id that repeats an
    earlier chunk's, see :mod:`netanalysis.ingest.ids`) is rewritten without parsing the rest.
``kinds``
    The number of mentions of each kind.
``read``
    For a partition, its counts (:class:`~netanalysis.ingest.partitions.PartRead`), to be
    added to its file's with :func:`~netanalysis.ingest.partitions.absorb`.

:func:`netanalysis.parallel.map_ordered` runs a :class:`ChunkExtractor` over the chunks, on
worker processes or a Dask cluster, results in input order.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from netanalysis.errors import ConfigError
from netanalysis.extract.engine import COUNTRY_SOURCES, Extractor
from netanalysis.extract.units import unit_index, unit_starts
from netanalysis.graph import link_starts
from netanalysis.graph.coding import Batch, entity_list
from netanalysis.graph.strings import compact_strings
from netanalysis.ingest.partitions import Partition, PartRead, read_partition
from netanalysis.io.csv import field_parts, quote, rename_rows
from netanalysis.model import DATE_FORMAT, DEFAULT_FORMS, NO_DATE, UNITS, Exclusion

if TYPE_CHECKING:  # pragma: no cover
    from netanalysis.model import Post
    from netanalysis.registry import Registry

__all__ = ["Chunk", "ChunkExtractor", "post_rows", "describe", "text_slices", "SLICE_CHARS"]

#: Post fields a batch may keep besides channel and date source, with their place in a row.
_KEPT = {"forwarded_from": 5, "group": 7}


@dataclass
class Chunk:
    """What extraction gives for one chunk of posts (see the module notes)."""

    posts: int
    posts_csv: bytes
    mentions_csv: bytes
    batch: Batch
    kinds: dict[str, int] = field(default_factory=dict)
    read: PartRead | None = None
    post_ends: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    mention_ends: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def renamed(self, renames: dict[int, str], safe: bool = True) -> Chunk:
        """The chunk with the posts at the positions of ``renames`` given their new ids (in
        ``posts_csv``, ``mentions_csv`` and the batch)."""
        if not renames:
            return self
        ids = self.batch.post_ids.to_pylist()
        posts: list[bytes] = []
        mentions: list[bytes] = []
        done_posts = done_mentions = 0
        for i in sorted(renames):
            old, new = quote(ids[i], safe).encode(), quote(renames[i], safe).encode()
            for out, data, ends, done in (
                (posts, self.posts_csv, self.post_ends, done_posts),
                (mentions, self.mentions_csv, self.mention_ends, done_mentions),
            ):
                start, end = (int(ends[i - 1]) if i else 0), int(ends[i])
                out += [data[done:start], rename_rows(data[start:end], old, new)]
            done_posts, done_mentions = int(self.post_ends[i]), int(self.mention_ends[i])
            ids[i] = renames[i]
        posts.append(self.posts_csv[done_posts:])
        mentions.append(self.mentions_csv[done_mentions:])
        batch = dataclasses.replace(self.batch, post_ids=pa.array(ids, type=pa.string()))
        return dataclasses.replace(self, posts_csv=b"".join(posts), mentions_csv=b"".join(mentions), batch=batch)


class ChunkExtractor:
    """Turn a chunk of posts into a :class:`Chunk` (picklable: it travels to workers).

    Parameters
    ----------
    registry : Registry
    countries, exclude, tags, forms
        As for :class:`~netanalysis.extract.Extractor`.
    unit : {"post", "paragraph", "sentence"}
        The co-mention unit; for paragraphs and sentences each link carries its unit's index.
    keep : tuple of str
        Further post fields kept as batch columns: ``forwarded_from``, ``group`` (what
        ``compare --by`` groups posts by).
    safe_csv : bool, default True
        Write text cells spreadsheet-safe (:func:`netanalysis.io.csv.safe_cell`).
    """

    def __init__(
        self,
        registry: Registry,
        *,
        countries: Iterable[str] | str = COUNTRY_SOURCES,
        exclude: Exclusion | Iterable[str] | str = (),
        tags: bool = True,
        forms: Iterable[str] | str = DEFAULT_FORMS,
        unit: str = "post",
        keep: tuple[str, ...] = (),
        safe_csv: bool = True,
    ):
        if unit not in UNITS:
            raise ConfigError(f"unknown unit {unit!r}; choose one of {', '.join(UNITS)}")
        self.registry = registry
        self.options: dict[str, Any] = {"countries": countries, "exclude": exclude, "tags": tags, "forms": forms}
        self.unit = unit
        self.keep = tuple(keep)
        unknown = sorted(set(self.keep) - set(_KEPT))
        if unknown:
            raise ConfigError(f"cannot keep post field(s) {', '.join(unknown)}; choose among {', '.join(_KEPT)}")
        self.safe_csv = bool(safe_csv)
        self._extractor: Extractor | None = Extractor(registry, **self.options)  # validates here
        self._quote = _needs_quotes(registry, self.safe_csv)
        self._entities = entity_list(registry)
        self._entity_code = {key: i for i, key in enumerate(self._entities)}

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_extractor"] = None  # rebuilt on first use in the worker
        return state

    def __call__(self, rows: list[tuple] | Partition) -> Chunk:
        """Extract from ``rows``: tuples in :data:`~netanalysis.model.POST_COLUMNS` order (and
        the post's ``group``), the date as microseconds since 1970 UTC (or ``None``), as
        :func:`post_rows` gives them, or
        a :class:`~netanalysis.ingest.partitions.Partition` of an input, read here."""
        read = None
        if isinstance(rows, Partition):
            posts, read = read_partition(rows)
            rows = post_rows(posts)
            del posts
        if self._extractor is None:
            self._extractor = Extractor(self.registry, **self.options)
        extract = self._extractor.extract
        requote = self._quote
        split = self.unit != "post"
        unit = self.unit
        # UTF-8 pieces, joined once per chunk: texts hold emoji, so a str join would copy them
        # four bytes per character before encoding
        post_parts: list[bytes] = []
        mention_parts: list[bytes] = []
        kinds: list[str] = []
        code = self._entity_code
        link_count = [0] * len(rows)  # (each post's number of links: Batch.start)
        link_entity: list[int] = []
        link_unit: list[int] = []
        units = np.ones(len(rows), dtype=np.int32) if split else None  # units of each post
        gmtime, strftime = time.gmtime, time.strftime
        safe = self.safe_csv
        post_ends: list[int] = []
        mention_ends: list[int] = []
        post_end = mention_end = 0
        for position, (pid, channel, date, source_kind, source, fwd, text, *_) in enumerate(rows):
            q = quote(pid, safe)
            day = strftime(DATE_FORMAT, gmtime(date // 1_000_000)) if date is not None else ""
            line = (
                f"{q},{quote(channel, safe)},{day},{source_kind},{quote(source, safe)},"
                f"{'' if fwd is None else quote(fwd, safe)},".encode()
            )
            post_parts.append(line)
            post_end += len(line) + 1
            if not text:
                post_parts.append(b"\n")
                post_ends.append(post_end)
                mention_ends.append(mention_end)
                continue
            parts = field_parts(text, safe)
            post_parts += parts
            post_parts.append(b"\n")
            for part in parts:
                post_end += len(part)
            post_ends.append(post_end)
            if units is not None:
                starts = unit_starts(text, unit)
                units[position] = len(starts)
            if len(text) > SLICE_CHARS:  # (a huge post: its mentions a slice at a time)
                blocks, found_kinds, links = self._long_text(text, q, starts if split else None)
                kinds += found_kinds
                link_count[position] = len(links)
                for entity, unit_at in links:
                    link_entity.append(entity)
                    if split:
                        link_unit.append(unit_at)
                mention_parts += blocks
                mention_end += sum(len(block) for block in blocks)
                mention_ends.append(mention_end)
                continue
            found = extract(text)
            if not found:
                mention_ends.append(mention_end)
                continue
            kinds += [m[0] for m in found]
            if split:
                keyed = {(code[m[0], m[1]], unit_index(starts, m[5])) for m in found if m[0] != "tag"}
                link_entity += [key[0] for key in keyed]
                link_unit += [key[1] for key in keyed]
                link_count[position] = len(keyed)
            else:
                keys = {code[m[0], m[1]] for m in found if m[0] != "tag"}
                link_entity += keys
                link_count[position] = len(keys)
            if requote:  # a registry with a comma, a quote or a formula start in some alias or id
                found = [
                    (k, quote(e, safe), v, f, quote(s, safe) if v == "name" else s, a, b)
                    for k, e, v, f, s, a, b in found
                ]
            block = "".join([f"{q},{k},{e},{v},{f},{s},{a},{b}\n" for k, e, v, f, s, a, b in found]).encode()
            mention_parts.append(block)
            mention_end += len(block)
            mention_ends.append(mention_end)
        code_type = np.int16 if len(self._entities) < 2**15 else np.int32
        batch = Batch(
            post_ids=pa.array([row[0] for row in rows], type=pa.string()),
            dates=np.array([NO_DATE if row[2] is None else row[2] for row in rows], dtype=np.int64),
            start=link_starts.starts(np.array(link_count, dtype=np.int64)),
            entity=np.array(link_entity, dtype=code_type),
            entities=self._entities,
            unit=np.array(link_unit, dtype=np.int32) if split else None,
            columns=self._columns(rows),
            units=units,
        )
        return Chunk(
            len(rows),
            b"".join(post_parts),
            b"".join(mention_parts),
            batch,
            dict(collections.Counter(kinds)),
            read,
            np.array(post_ends, dtype=np.int64),
            np.array(mention_ends, dtype=np.int64),
        )

    def _long_text(
        self, text: str, q: str, starts: list[int] | None
    ) -> tuple[list[bytes], list[str], list[tuple[int, int]]]:
        """The ``mentions.csv`` rows (in blocks), mention kinds and links ``(entity code, unit
        index)`` of a text longer than :data:`SLICE_CHARS` (``starts``: its units' starts, for
        paragraph or sentence units), found a slice at a time
        (:func:`text_slices`): a post of 50 MB may name millions of entities, and holding
        them all as tuples would take gigabytes."""
        assert self._extractor is not None
        extract, code, safe = self._extractor.extract, self._entity_code, self.safe_csv
        blocks: list[bytes] = []
        kinds: list[str] = []
        links: dict[tuple[int, int], None] = {}
        for offset, piece in text_slices(text, SLICE_CHARS):
            found = extract(piece)
            if not found:
                continue
            kinds += [m[0] for m in found]
            for m in found:
                if m[0] != "tag":
                    links[code[m[0], m[1]], 0 if starts is None else unit_index(starts, m[5] + offset)] = None
            if self._quote:
                found = [
                    (k, quote(e, safe), v, f, quote(s, safe) if v == "name" else s, a, b)
                    for k, e, v, f, s, a, b in found
                ]
            blocks.append(
                "".join(
                    [f"{q},{k},{e},{v},{f},{s},{a + offset},{b + offset}\n" for k, e, v, f, s, a, b in found]
                ).encode()
            )
        return blocks, kinds, list(links)

    def _columns(self, rows: list[tuple]) -> dict[str, pa.Array]:
        """The columns later stages keep of each post besides id and date (no text, or only
        its start), as Arrow string arrays, the channels and dates' sources dictionary-encoded
        when that is smaller."""
        columns = {  # (a few values repeated: as codes, joined as codes, see Batch.concat)
            "channel": compact_strings(pa.array([row[1] for row in rows], type=pa.string())),
            "date_source": compact_strings(pa.array([row[3] for row in rows], type=pa.string())),
        }
        for name in self.keep:
            at = _KEPT[name]
            columns[name] = pa.array([row[at] if len(row) > at else None for row in rows], type=pa.string())
        return columns

    @property
    def entities(self) -> tuple[tuple[str, str], ...]:
        """The (kind, entity) that link codes stand for: countries, then forums, each sorted."""
        return self._entities


#: Texts longer than this many characters are searched a slice at a time (:func:`text_slices`).
SLICE_CHARS = 1 << 20


def text_slices(text: str, size: int = SLICE_CHARS) -> Iterator[tuple[int, str]]:
    """``(offset, slice)`` of ``text`` in slices of at most ``size`` characters, each cut after a
    paragraph break (a blank line) in its second half, else after a line break, else after a
    space (else at ``size``): no name, tag or flag spans such a cut.

    Examples
    --------
    >>> list(text_slices("ab cd\\n\\nef gh\\nij", size=8))
    [(0, 'ab cd\\n\\n'), (7, 'ef gh\\nij')]
    """
    start, n = 0, len(text)
    while n - start > size:
        end, half = start + size, start + size // 2
        cut = text.rfind("\n\n", half, end - 1)
        if cut >= 0:
            cut += 2
        else:
            cut = max(text.rfind("\n", half, end), text.rfind(" ", half, end))
            cut = cut + 1 if cut >= 0 else end
        yield start, text[start:cut]
        start = cut
    yield start, text[start:]


_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_MICROSECOND = datetime.timedelta(microseconds=1)


def post_rows(posts: Iterable[Post]) -> list[tuple]:
    """Posts as the plain tuples :class:`ChunkExtractor` takes (cheap to send to a worker); the
    date as whole microseconds since 1970 UTC (exact, unlike a float of seconds)."""
    return [
        (
            p.post_id,
            p.channel,
            None if p.date is None else (p.date - _EPOCH) // _MICROSECOND,
            p.date_source,
            p.source,
            p.forwarded_from,
            p.text,
            p.group,
        )
        for p in posts
    ]


def describe(item: list[tuple] | Partition) -> str:
    """What a piece of work holds, for messages: ``posts from FILE:LINE`` (its first post)."""
    if isinstance(item, Partition):
        return f"the lines of {item.path} from line {item.first_line}"
    return f"posts from {item[0][4]}" if item else "no posts"


def _needs_quotes(registry: Registry, safe: bool = True) -> bool:
    """Whether any alias or entity id of ``registry`` holds a character CSV must quote (or,
    with ``safe``, starts like a spreadsheet formula)."""
    values = [
        *registry.aliases["alias"].astype(str),
        *registry.forums["id"].astype(str),
        *registry.countries["code"].astype(str),
    ]
    return any(quote(v, safe) != v for v in values)
