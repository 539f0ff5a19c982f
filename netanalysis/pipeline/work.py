"""The work sent to each worker: read a chunk of posts (or a partition of an input), extract
its mentions, format its ``posts.csv`` and ``mentions.csv`` rows and code its links.

A :class:`Chunk` holds what the later stages need and nothing more:

``posts_csv``, ``mentions_csv``
    The chunk's rows of ``posts.csv`` and ``mentions.csv`` (UTF-8 bytes, no header), formatted
    in the worker (:func:`netanalysis.io.csv.quote`), so formatting runs in parallel too.
``batch``
    The chunk as a :class:`~netanalysis.graph.Batch`: post ids, dates, the columns later
    stages keep of each post (channel, date source and, for the explorer, the start of the
    text), and the country and forum links, one per post and entity (and unit, for paragraph
    or sentence units, with each post's number of units): all the graph and the time windows use.
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
import datetime
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from netanalysis.errors import ConfigError
from netanalysis.extract.engine import COUNTRY_SOURCES, Extractor
from netanalysis.extract.units import unit_index, unit_starts
from netanalysis.graph.coding import Batch, entity_list
from netanalysis.ingest.partitions import Partition, PartRead, read_partition
from netanalysis.io.csv import quote
from netanalysis.model import DATE_FORMAT, DEFAULT_FORMS, NO_DATE, UNITS, Exclusion, trim_for_excerpt

if TYPE_CHECKING:  # pragma: no cover
    from netanalysis.model import Post
    from netanalysis.registry import Registry

__all__ = ["Chunk", "ChunkExtractor", "post_rows"]

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


class ChunkExtractor:
    """Turn a chunk of posts into a :class:`Chunk` (picklable: it travels to workers).

    Parameters
    ----------
    registry : Registry
    countries, exclude, tags, forms
        As for :class:`~netanalysis.extract.Extractor`.
    unit : {"post", "paragraph", "sentence"}
        The co-mention unit; for paragraphs and sentences each link carries its unit's index.
    excerpts : bool, default False
        Keep the start of each text in the batch's ``text`` column (what the explorer's tooltips show).
    keep : tuple of str
        Further post fields kept as batch columns: ``forwarded_from``, ``group`` (what
        ``compare --by`` groups posts by).
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
        excerpts: bool = False,
        keep: tuple[str, ...] = (),
    ):
        if unit not in UNITS:
            raise ConfigError(f"unknown unit {unit!r}; choose one of {', '.join(UNITS)}")
        self.registry = registry
        self.options: dict[str, Any] = {"countries": countries, "exclude": exclude, "tags": tags, "forms": forms}
        self.unit = unit
        self.excerpts = bool(excerpts)
        self.keep = tuple(keep)
        unknown = sorted(set(self.keep) - set(_KEPT))
        if unknown:
            raise ConfigError(f"cannot keep post field(s) {', '.join(unknown)}; choose among {', '.join(_KEPT)}")
        self._extractor: Extractor | None = Extractor(registry, **self.options)  # validates here
        self._quote = _needs_quotes(registry)
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
        link_post: list[int] = []
        link_entity: list[int] = []
        link_unit: list[int] = []
        units = np.ones(len(rows), dtype=np.int32) if split else None  # units of each post
        gmtime, strftime = time.gmtime, time.strftime
        for position, (pid, channel, date, source_kind, source, fwd, text, *_) in enumerate(rows):
            q = quote(pid)
            day = strftime(DATE_FORMAT, gmtime(date // 1_000_000)) if date is not None else ""
            post_parts.append(
                f"{q},{quote(channel)},{day},{source_kind},{quote(source)},"
                f"{'' if fwd is None else quote(fwd)},".encode()
            )
            if not text:
                post_parts.append(b"\n")
                continue
            if '"' in text:
                post_parts += [b'"', text.replace('"', '""').encode(), b'"\n']
            elif "," in text or "\n" in text or "\r" in text:
                post_parts += [b'"', text.encode(), b'"\n']
            else:
                post_parts += [text.encode(), b"\n"]
            if units is not None:
                starts = unit_starts(text, unit)
                units[position] = len(starts)
            found = extract(text)
            if not found:
                continue
            kinds += [m[0] for m in found]
            if split:
                keyed = {(code[m[0], m[1]], unit_index(starts, m[5])) for m in found if m[0] != "tag"}
                link_entity += [key[0] for key in keyed]
                link_unit += [key[1] for key in keyed]
                link_post += [position] * len(keyed)
            else:
                keys = {code[m[0], m[1]] for m in found if m[0] != "tag"}
                link_entity += keys
                link_post += [position] * len(keys)
            if requote:  # a registry with a comma or quote in some alias or id
                found = [(k, quote(e), v, f, quote(s) if v == "name" else s, a, b) for k, e, v, f, s, a, b in found]
            mention_parts.append(
                "".join([f"{q},{k},{e},{v},{f},{s},{a},{b}\n" for k, e, v, f, s, a, b in found]).encode()
            )
        code_type = np.int16 if len(self._entities) < 2**15 else np.int32
        batch = Batch(
            post_ids=pa.array([row[0] for row in rows], type=pa.string()),
            dates=np.array([NO_DATE if row[2] is None else row[2] for row in rows], dtype=np.int64),
            post=np.array(link_post, dtype=np.int32),
            entity=np.array(link_entity, dtype=code_type),
            entities=self._entities,
            unit=np.array(link_unit, dtype=np.int32) if split else None,
            columns=self._columns(rows),
            units=units,
        )
        return Chunk(
            len(rows), b"".join(post_parts), b"".join(mention_parts), batch, dict(collections.Counter(kinds)), read
        )

    def _columns(self, rows: list[tuple]) -> dict[str, pa.Array]:
        """The columns later stages keep of each post besides id and date (no text, or only
        its start), as Arrow string arrays: joined without copies."""
        columns = {
            "channel": pa.array([row[1] for row in rows], type=pa.string()),
            "date_source": pa.array([row[3] for row in rows], type=pa.string()),
        }
        for name in self.keep:
            at = _KEPT[name]
            columns[name] = pa.array([row[at] if len(row) > at else None for row in rows], type=pa.string())
        if self.excerpts:
            columns["text"] = pa.array([trim_for_excerpt(row[6] or "") for row in rows], type=pa.string())
        return columns

    @property
    def entities(self) -> tuple[tuple[str, str], ...]:
        """The (kind, entity) that link codes stand for: countries, then forums, each sorted."""
        return self._entities


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


def _needs_quotes(registry: Registry) -> bool:
    """Whether any alias or entity id of ``registry`` holds a character CSV must quote."""
    values = [
        *registry.aliases["alias"].astype(str),
        *registry.forums["id"].astype(str),
        *registry.countries["code"].astype(str),
    ]
    return any(quote(v) != v for v in values)
