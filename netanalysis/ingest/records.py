"""What every reader does with one record: count it, skip it, date it, report its problems.

A reader makes one :class:`FileContext` per input file. Each record it meets is counted once
(``records``); it then either yields a post (``iter_posts`` counts it as read) or skips it
through :meth:`FileContext.bad` (malformed: listed as a problem, fatal in strict mode) or
:meth:`FileContext.skip` (service messages, posts without text, album parts: counted only).
So ``read + skipped == records`` for every file.

Dates: a timestamp with a UTC offset is converted to UTC. A timestamp without one (old
Telegram Desktop exports, Russian-locale HTML exports, many spreadsheets) is read in the zone
``ReadOptions.tz`` names, or as UTC when none is given, with one warning per file. A date that
cannot be understood does **not** drop the post: the post is kept undated (``date_source``
``"none"``) and the problem is listed in the file's problems.
"""

from __future__ import annotations

import logging
import math
import re
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from netanalysis.errors import ConfigError, RecordError
from netanalysis.ingest.ids import escape_id, needs_escape
from netanalysis.model import FileStats, Post

__all__ = ["FileContext", "parse_timestamp", "resolve_zone", "clean_text", "finish_post", "MONTHS"]

logger = logging.getLogger(__name__)

#: Month names (English, Russian nominative and genitive) -> month number.
MONTHS: dict[str, int] = {}
for _i, _names in enumerate(
    [
        ("january", "jan", "январь", "января"),
        ("february", "feb", "февраль", "февраля"),
        ("march", "mar", "март", "марта"),
        ("april", "apr", "апрель", "апреля"),
        ("may", "май", "мая"),
        ("june", "jun", "июнь", "июня"),
        ("july", "jul", "июль", "июля"),
        ("august", "aug", "август", "августа"),
        ("september", "sep", "sept", "сентябрь", "сентября"),
        ("october", "oct", "октябрь", "октября"),
        ("november", "nov", "ноябрь", "ноября"),
        ("december", "dec", "декабрь", "декабря"),
    ],
    1,
):
    for _n in _names:
        MONTHS[_n] = _i

_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
# "13.07.2023 14:05:11 UTC+03:00" (Telegram HTML), also "13.07.2023 14:05" and "13.07.2023".
_DOTTED = re.compile(
    r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ ,T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
    r"(?:\s*(?:UTC|GMT)\s*(?:([+-])(\d{1,2})(?::?(\d{2}))?)?)?"
)
# "20 декабря 2019, 12:00:34" (old Russian-locale HTML), "20 December 2019, 12:00".
_NAMED = re.compile(r"(\d{1,2})\s+([^\W\d_]+)\.?\s+(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_MS_THRESHOLD = 1e11  # larger Unix times are milliseconds


def resolve_zone(name: str | None) -> ZoneInfo | None:
    """The zone named ``name`` (an IANA name such as ``Europe/Moscow``), or ``None``.

    Raises
    ------
    ConfigError
        When the zone is unknown.
    """
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ConfigError(f"unknown time zone {name!r} (give an IANA name such as Europe/Moscow or UTC)") from None


def _from_number(value: float) -> datetime:
    if math.isnan(value) or math.isinf(value):
        raise ValueError("not a number")
    if abs(value) > _MS_THRESHOLD:
        value = value / 1000.0
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"Unix time {value!r} out of range") from None


def _from_match_dotted(m: re.Match) -> datetime:
    day, month, year = int(m[1]), int(m[2]), int(m[3])
    hour, minute, second = int(m[4] or 0), int(m[5] or 0), int(m[6] or 0)
    dt = datetime(year, month, day, hour, minute, second)
    if m[7]:
        offset = (int(m[8]) * 60 + int(m[9] or 0)) * (1 if m[7] == "+" else -1)
        dt = dt.replace(tzinfo=timezone(timedelta(minutes=offset)))
    elif m[0].rstrip().upper().endswith(("UTC", "GMT")):
        dt = dt.replace(tzinfo=UTC)
    return dt


def _from_string(text: str) -> datetime:
    text = text.strip()
    if _NUMBER.fullmatch(text):
        return _from_number(float(text))
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    m = _DOTTED.fullmatch(text)
    if m:
        return _from_match_dotted(m)
    m = _NAMED.fullmatch(text)
    if m and m[2].lower() in MONTHS:
        return datetime(int(m[3]), MONTHS[m[2].lower()], int(m[1]), int(m[4] or 0), int(m[5] or 0), int(m[6] or 0))
    if text.endswith(" UTC"):  # "2024-04-08 10:00:00 UTC"
        return datetime.fromisoformat(text[:-4]).replace(tzinfo=UTC)
    try:  # RFC 2822, as e-mail and RSS write it: "Mon, 08 Apr 2024 07:00:00 GMT"
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        pass
    raise ValueError(f"date {text[:40]!r} not understood")


def parse_timestamp(value: Any, *, zone: ZoneInfo | None = None) -> tuple[datetime | None, bool]:
    """Read a timestamp of any input format as UTC.

    Parameters
    ----------
    value : str, int, float, datetime, date or None
        Numbers (and strings of digits) are Unix seconds, or milliseconds when above 1e11;
        strings are ISO 8601 or the shapes Telegram's HTML export writes.
    zone : the zone of timestamps that carry no offset (``None``: read them as UTC)

    Returns
    -------
    (datetime or None, bool)
        The UTC datetime (``None`` when ``value`` is empty) and whether it had no offset and was
        read as UTC for want of a zone.

    Raises
    ------
    ValueError
        When the value is not a date.

    Examples
    --------
    >>> parse_timestamp("13.07.2023 14:05:11 UTC+03:00")
    (datetime.datetime(2023, 7, 13, 11, 5, 11, tzinfo=datetime.timezone.utc), False)
    >>> parse_timestamp("1689246311")[0].isoformat()
    '2023-07-13T11:05:11+00:00'
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, False
    if isinstance(value, bool):
        raise ValueError(f"date {value!r} not understood")
    if isinstance(value, (int, float)):
        return _from_number(float(value)), False
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            dt = _from_string(value)
        except ValueError as exc:
            if "not understood" in str(exc):
                raise
            raise ValueError(f"date {value.strip()[:40]!r} not understood ({exc})") from None
    else:
        raise ValueError(f"date of type {type(value).__name__} not understood")
    if dt.tzinfo is None or dt.tzinfo.utcoffset(dt) is None:
        if zone is None:
            return dt.replace(tzinfo=UTC), True
        dt = dt.replace(tzinfo=zone)
    try:
        return dt.astimezone(UTC), False
    except (OverflowError, ValueError):
        raise ValueError("date out of range") from None


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_STRING_FIELDS = ("post_id", "channel", "text", "source", "forwarded_from")


def finish_post(post: Post) -> Post:
    """A post as every reader hands it on: its id escaped (:func:`~netanalysis.ingest.ids.escape_id`)
    and no lone surrogate in any field (JSON can write ``"\\ud800"``, which no file can hold:
    each becomes U+FFFD)."""
    if needs_escape(post.post_id):
        post.post_id = escape_id(post.post_id)
    for name in _STRING_FIELDS:
        value = getattr(post, name)
        if value and not value.isascii() and _has_surrogate(value):
            setattr(post, name, _LONE_SURROGATE.sub("\ufffd", value))
    return post


#: Texts up to this many characters are checked for surrogates by encoding them (a copy).
_ENCODE_CHECK = 1 << 16


def _has_surrogate(value: str) -> bool:
    """Whether ``value`` holds a surrogate code point (U+D800 to U+DFFF): the only ones UTF-8
    cannot encode, so encoding a text tells, at some 1.7 µs for a 1,500-character post where
    searching it with :data:`_LONE_SURROGATE` took 5.6 µs; longer texts are searched (no copy)."""
    if len(value) > _ENCODE_CHECK:
        return _LONE_SURROGATE.search(value) is not None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def clean_text(text: str) -> str:
    """Normalise line ends and strip surrounding white space."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


class FileContext:
    """Book-keeping of one input file while a reader goes through its records."""

    def __init__(self, path: str | Path, stats: FileStats, options: Any):
        self.path = Path(path)
        self.name = self.path.name
        self.stats = stats
        self.options = options
        self.zone = resolve_zone(getattr(options, "tz", None))
        self._warned_naive = False

    def record(self) -> None:
        """Count one record met in the file."""
        self.stats.records += 1

    def bad(self, record: int | str, problem: str) -> None:
        """A malformed record: raise in strict mode, else skip it and list the problem."""
        if getattr(self.options, "strict", False):
            raise RecordError(self.path, record, problem)
        logger.debug("%s: record %s skipped: %s", self.path, record, problem)
        self.stats.skip(record, problem, kind="malformed")

    def skip(self, record: int | str, problem: str, kind: str) -> None:
        """A record that is fine but holds no post (service message, no text, album part...)."""
        self.stats.skip(record, problem, kind=kind)

    def note(self, record: int | str, problem: str) -> None:
        """A problem with a record that is still read (listed with the file's problems)."""
        logger.info("%s: record %s: %s", self.path, record, problem)
        if len(self.stats.problems) < self.stats.max_problems:
            self.stats.problems.append((str(record), problem))

    def date(self, value: Any, record: int | str) -> tuple[datetime | None, str]:
        """``(date, date_source)`` of a record's timestamp (see the module notes)."""
        try:
            dt, naive = parse_timestamp(value, zone=self.zone)
        except ValueError as exc:
            self.note(record, f"{exc}; post kept undated")
            return None, "none"
        if dt is None:
            return None, "none"
        if naive and not self._warned_naive:
            self._warned_naive = True
            self.warn_naive()
        return dt, "metadata"

    @property
    def saw_naive(self) -> bool:
        """Whether a timestamp without UTC offset was met (read as UTC, or in ``options.tz``)."""
        return self._warned_naive

    def warn_naive(self) -> None:
        """Warn (once per file) that timestamps without offset are read as UTC."""
        warn_naive(self.path)


def warn_naive(path: str | Path) -> None:
    """The warning that a file's timestamps carry no UTC offset and are read as UTC."""
    logger.warning(
        "%s: timestamps carry no UTC offset; they are read as UTC (set the exporting computer's zone with --tz)", path
    )
