"""The data model shared by every stage: posts and mentions, and their column orders.

A :class:`Post` is one post of a channel, read from any input format. Mentions are kept as a
tidy table (one row per entity found in a post) with the columns of :data:`MENTION_COLUMNS`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from netanalysis.errors import ConfigError

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "index_type",
    "Post",
    "Exclusion",
    "IngestStats",
    "FileStats",
    "POST_COLUMNS",
    "MENTION_COLUMNS",
    "DATE_SOURCES",
    "MENTION_KINDS",
    "MENTION_VIAS",
    "MENTION_FORMS",
    "DEFAULT_FORMS",
    "parse_forms",
    "EXCERPT_CHARS",
    "NO_DATE",
    "UNITS",
    "DATE_FORMAT",
    "SIDES",
    "BASELINES",
    "TESTS",
    "ALTERNATIVES",
    "FORMULA_START",
    "excerpt",
    "trim_for_excerpt",
]

#: Columns of ``posts.csv``, in this order.
POST_COLUMNS = ["post_id", "channel", "date", "date_source", "source", "forwarded_from", "text"]
#: Columns of ``mentions.csv``, in this order.
MENTION_COLUMNS = ["post_id", "kind", "entity", "via", "form", "surface", "start", "end"]
#: How a post's date was obtained.
DATE_SOURCES = ("metadata", "text", "inferred", "none")
MENTION_KINDS = ("country", "forum", "tag")
MENTION_VIAS = ("flag", "hashtag", "pair_hashtag", "name")
#: How a mention names its entity: a text match's form comes from its alias (``name``,
#: ``acronym``, ``adjective``, ``demonym``, ``metonymy``), the others from where it was found.
MENTION_FORMS = ("name", "acronym", "adjective", "demonym", "metonymy", "flag", "hashtag", "pair_hashtag")
#: The forms that count by default: all but ``metonymy``. A foreign ministry's channel names the
#: states it deals with; "Moscow believes" and "in Moscow" look alike, and capitals are far more
#: often places (datelines, venues) than governments in such channels, so a capital counts only
#: when asked for (``--forms all``).
DEFAULT_FORMS = tuple(f for f in MENTION_FORMS if f != "metonymy")
#: The date of an undated post where dates are int64 microseconds since 1970 UTC.
NO_DATE = -(2**63)
#: Characters of a post's text shown as its excerpt (the explorer's tooltips).
EXCERPT_CHARS = 200
#: How dates and times are written (UTC, ISO 8601).
DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
#: What counts as one co-mention: a post, a paragraph (line) or a sentence.
UNITS = ("post", "paragraph", "sentence")
#: The two sides of the bipartite graph and their ``bipartite`` attribute.
SIDES = {"country": 0, "forum": 1}
#: What the number of units ``N`` counts (the baseline of every expected count, association
#: measure and test): every unit of the posts (the default), or only the units naming a country
#: or forum (see :mod:`netanalysis.analysis.association` for the null model of each).
BASELINES = ("all-units", "topical-units")
#: The null models of the edge tests: hypergeometric (Tumminello et al. 2011) or SDSM (Neal 2014).
TESTS = ("hypergeom", "sdsm")
#: What an edge test asks: over-expression (stronger than chance), under-expression, either.
ALTERNATIVES = ("greater", "less", "two-sided")
#: First characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_START = "=+-@\t\r"


def index_type(limit: int) -> type[np.signedinteger[Any]]:
    """The integer type of codes and positions below ``limit``: int32 when they fit (half the
    memory of int64; a million benchmark posts name 36 million country-forum pairs).

    Examples
    --------
    >>> index_type(2**31).__name__, index_type(2**31 + 1).__name__
    ('int32', 'int64')
    """
    import numpy as np  # (here: the command line's start-up does not load numpy)

    return np.int32 if limit <= 2**31 else np.int64


def parse_forms(value: Iterable[str] | str | None) -> tuple[str, ...]:
    """Read ``--forms``: ``default``, ``all`` or forms separated by commas (a list works too),
    in :data:`MENTION_FORMS` order without repeats.

    Raises
    ------
    ConfigError
        An unknown form, or no form at all.

    Examples
    --------
    >>> parse_forms("flag, name")
    ('name', 'flag')
    >>> parse_forms("all") == MENTION_FORMS, parse_forms(None) == DEFAULT_FORMS
    (True, True)
    """
    if value is None:
        return DEFAULT_FORMS
    items = value.split(",") if isinstance(value, str) else list(value)
    words = [str(item).strip() for item in items if str(item).strip()]
    if words in (["default"], ["all"]):
        return DEFAULT_FORMS if words == ["default"] else MENTION_FORMS
    unknown = [w for w in words if w not in MENTION_FORMS]
    if unknown or not words:
        shown = ", ".join(map(repr, unknown)) if unknown else "none given"
        raise ConfigError(f"unknown form(s) {shown}; choose from {', '.join(MENTION_FORMS)}, default or all")
    return tuple(f for f in MENTION_FORMS if f in words)


@dataclass(frozen=True)
class Exclusion:
    """The entities a run leaves out (``--exclude``), parsed once and handed to every stage.

    Each entry is ``(kind, id)``: ``kind`` is ``"country"``, ``"forum"`` or ``None`` for a bare
    id, which names a country and a forum spelt alike (``AU``: Australia and the African
    Union); ``country:AU`` or ``forum:AU`` names one of them. Ids compare case-insensitively.

    Examples
    --------
    >>> ex = Exclusion.parse(["RU", "forum:AU"])
    >>> ex.matches("country", "ru"), ex.matches("forum", "AU"), ex.matches("country", "AU")
    (True, True, False)
    >>> str(ex)
    'forum:au;ru'
    """

    entries: tuple[tuple[str | None, str], ...] = ()

    @classmethod
    def parse(cls, values: Exclusion | Iterable[str] | str | None) -> Exclusion:
        """Read ``RU``, ``country:AU``, ``forum:AU`` (a list, or one comma-separated string)."""
        if isinstance(values, Exclusion):
            return values
        if values is None:
            return cls()
        if isinstance(values, str):
            values = values.split(",")
        entries: list[tuple[str | None, str]] = []
        for value in values:
            text = str(value).strip()
            if not text:
                continue
            kind, _, ident = text.rpartition(":")
            if kind not in ("", *SIDES):
                raise ConfigError(f"cannot exclude {text!r}: prefix must be country: or forum:")
            entry = (kind or None, ident.strip())
            if entry not in entries:
                entries.append(entry)
        return cls(tuple(entries))

    def __iter__(self) -> Iterator[str]:
        """The entries as written: ``RU``, ``country:AU``."""
        return iter(ident if kind is None else f"{kind}:{ident}" for kind, ident in self.entries)

    def __bool__(self) -> bool:
        return bool(self.entries)

    def matches(self, kind: str, entity: str) -> bool:
        """Whether the entity ``entity`` of ``kind`` is left out."""
        folded = str(entity).casefold()
        return any(ident.casefold() == folded and k in (None, kind) for k, ident in self.entries)

    def __str__(self) -> str:
        """The graph attribute ``exclude``: entries case-folded, sorted, joined by ``;``."""
        return ";".join(
            sorted({(ident if kind is None else f"{kind}:{ident}").casefold() for kind, ident in self.entries})
        )


@dataclass(slots=True)
class Post:
    """One post.

    ``date`` is timezone-aware UTC or ``None``; ``date_source`` is one of :data:`DATE_SOURCES`
    (``metadata``: a timestamp of the export; ``text``: a full date written in the post;
    ``inferred``: day and month written in the post, year inferred from neighbouring posts;
    ``none``: undated). ``source`` says where the post was read (``file:line`` or
    ``file#message-id``). ``group`` is the value of a table's column named by
    ``ReadOptions.group_col`` (``compare --by COLUMN``), else ``None``.
    """

    post_id: str
    channel: str
    date: datetime | None
    date_source: str
    text: str
    source: str
    forwarded_from: str | None = None
    group: str | None = None


@dataclass
class FileStats:
    """What reading one input file gave: counts and the first problems met."""

    path: str
    format: str = ""
    read: int = 0
    skipped: int = 0
    undated: int = 0
    records: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)
    skipped_kinds: dict[str, int] = field(default_factory=dict)
    max_problems: int = 20

    def skip(self, record: int | str, problem: str, kind: str = "malformed") -> None:
        """Count one skipped record; keep the first few problems as examples."""
        self.skipped += 1
        self.skipped_kinds[kind] = self.skipped_kinds.get(kind, 0) + 1
        if kind == "malformed" and len(self.problems) < self.max_problems:
            self.problems.append((str(record), problem))

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "format": self.format,
            "records": self.records,
            "read": self.read,
            "skipped": self.skipped,
            "skipped_by_kind": dict(sorted(self.skipped_kinds.items())),
            "undated": self.undated,
            "problems": [{"record": r, "problem": p} for r, p in self.problems],
        }


@dataclass
class IngestStats:
    """Counts over all inputs of one run (filled in while posts stream by)."""

    files: list[FileStats] = field(default_factory=list)
    duplicates: int = 0
    #: posts whose id repeated an earlier post's and was made unique (``id#2``)
    renamed_ids: int = 0
    #: the first of them: (id read, id given, source)
    renamed_examples: list[tuple[str, str, str]] = field(default_factory=list)
    #: inputs that were empty and skipped (a run of several inputs goes on without them)
    empty_files: list[str] = field(default_factory=list)

    def rename(self, old: str, new: str, source: str) -> None:
        """Count a post whose id ``old`` repeated an earlier one and became ``new``."""
        self.renamed_ids += 1
        if len(self.renamed_examples) < 5:
            self.renamed_examples.append((old, new, source))

    @property
    def read(self) -> int:
        return sum(f.read for f in self.files)

    @property
    def skipped(self) -> int:
        return sum(f.skipped for f in self.files)

    @property
    def undated(self) -> int:
        return sum(f.undated for f in self.files)

    def as_dict(self) -> dict:
        return {
            "read": self.read,
            "skipped": self.skipped,
            "undated": self.undated,
            "duplicates_removed": self.duplicates,
            "ids_renamed": self.renamed_ids,
            "ids_renamed_examples": [{"id": o, "renamed": n, "source": src} for o, n, src in self.renamed_examples],
            "empty_files": list(self.empty_files),
            "files": [f.as_dict() for f in self.files],
        }


def trim_for_excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The start of ``text`` that gives the same tooltip excerpt as the whole text.

    The excerpt depends only on the first ``limit + 1`` characters after white space is
    collapsed, so a long corpus can keep just these for the explorer.
    """
    head = " ".join(text[: 4 * limit].split())
    if len(head) <= limit and len(text) > 4 * limit:
        head = " ".join(text.split())
    # one more character than the limit tells "longer than the limit"; it must not be a space,
    # which the excerpt would strip
    return head if len(head) <= limit else head[:limit] + "…"


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The start of ``text`` shown in the explorer's tooltips: white space collapsed, cut at a
    word near ``limit`` characters, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit * 0.6 else cut) + "…"
