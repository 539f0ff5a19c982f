"""Dates written in the text of a post, and years inferred from neighbouring posts.

Copied channel text has no timestamps: a post's date is only what the post says about itself,
in its title line (``On April 8-9, ...``, ``(Minsk, June 25, 2024)``, ``Today, September 5, ...``,
``8 апреля 2024 года``, ``25.06.2024``). Dates deeper in the body (``On 14 June`` in the fifth
paragraph, ``In June 2023``) are about other events and are never taken.

Two pure steps:

1. :func:`find_post_date` reads one post's text and returns a :class:`PartialDate` (day and
   month, the year when written) or ``None``.
2. :func:`resolve_dates` turns the partial dates of a file's posts, in posting order, into
   ``(date, date_source)``: a written year gives ``"text"``; a missing year is inferred from the
   nearest dated posts (posts run chronologically, so ``April 8`` before ``June 25, 2024`` is
   2024, and ``January 3`` after ``December 28, 2023`` is 2024) and gives ``"inferred"``.
   A written date far earlier than the dates of its neighbours is taken as a date *mentioned*
   by the post, not its own, and the post stays undated.

Dates are midnight UTC, timezone-aware.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

__all__ = ["PartialDate", "find_post_date", "find_dates", "resolve_dates", "MONTH_NAMES"]

#: Month names (lower case) -> month number: English full and short names, Russian genitive.
MONTH_NAMES: dict[str, int] = {}
for _number, _names in enumerate(
    [
        ("january", "jan", "января"),
        ("february", "feb", "февраля"),
        ("march", "mar", "марта"),
        ("april", "apr", "апреля"),
        ("may", "мая"),
        ("june", "jun", "июня"),
        ("july", "jul", "июля"),
        ("august", "aug", "августа"),
        ("september", "sep", "sept", "сентября"),
        ("october", "oct", "октября"),
        ("november", "nov", "ноября"),
        ("december", "dec", "декабря"),
    ],
    start=1,
):
    for _name in _names:
        MONTH_NAMES[_name] = _number

_MONTH = "(?:" + "|".join(sorted(MONTH_NAMES, key=len, reverse=True)) + r")\.?"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])"
_RANGE = r"(?:\s*[-–—]\s*" + _DAY + r")?"  # "8-9": the first day is the date
_YEAR = r"(?:19|20)\d\d"

_DATE_RE = re.compile(
    # June 25, 2024 / April 8-9 / September 5
    r"(?<![\w.])(?P<m1>"
    + _MONTH
    + r")\s+(?P<d1>"
    + _DAY
    + r")(?:st|nd|rd|th)?"
    + _RANGE
    + r"(?:,?\s+(?P<y1>"
    + _YEAR
    + r")(?!\d))?(?![\d\w])"
    # 3 July 2024 / 8-9 апреля / 8 апреля 2024 года
    + r"|(?<![\w.])(?P<d2>"
    + _DAY
    + r")"
    + _RANGE
    + r"(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>"
    + _MONTH
    + r")(?:,?\s+(?P<y2>"
    + _YEAR
    + r")(?!\d))?(?!\w)"
    # 25.06.2024 / 2024-06-25
    + r"|(?<![\w.])(?P<d3>"
    + _DAY
    + r")\.(?P<m3>0?[1-9]|1[0-2])\.(?P<y3>"
    + _YEAR
    + r")(?![\d\w])"
    + r"|(?<![\w.-])(?P<y4>"
    + _YEAR
    + r")-(?P<m4>0[1-9]|1[0-2])-(?P<d4>"
    + _DAY
    + r")(?![\d\w])",
    re.IGNORECASE,
)

# The end of the first sentence: . ! ? followed by a space and a capital letter (not "25.06").
_SENTENCE_END = re.compile(r"[.!?]\s+(?=[\"«“(]?[A-ZА-ЯЁ])")

# Posts run in order; a written date more than this far before both neighbours is not the post's.
_TOO_EARLY = timedelta(days=183)


@dataclass(frozen=True)
class PartialDate:
    """A date as written: day and month, and the year when the text gives it.

    ``start`` and ``end`` are offsets of the written date in the text it was found in.
    """

    day: int
    month: int
    year: int | None
    start: int = 0
    end: int = 0

    def on(self, year: int) -> datetime | None:
        """This day and month in ``year`` at midnight UTC, or ``None`` when there is no such day."""
        try:
            return datetime(year, self.month, self.day, tzinfo=UTC)
        except ValueError:
            return None


def find_dates(text: str) -> list[PartialDate]:
    """Every day-and-month date written in ``text``, in order (month-year and bare years are not dates).

    Examples
    --------
    >>> [(d.day, d.month, d.year) for d in find_dates("On April 8-9 and (3 July 2024, Astana)")]
    [(8, 4, None), (3, 7, 2024)]
    >>> find_dates("In June 2023, between 2020 and 2022")
    []
    """
    found = []
    for match in _DATE_RE.finditer(text):
        groups = match.groupdict()
        for n in "1234":
            if groups[f"d{n}"]:
                month_text = groups[f"m{n}"].rstrip(".").lower()
                month = MONTH_NAMES[month_text] if not month_text.isdigit() else int(month_text)
                year = int(groups[f"y{n}"]) if groups[f"y{n}"] else None
                partial = PartialDate(int(groups[f"d{n}"]), month, year, match.start(), match.end())
                if partial.on(year or 2000) is not None:  # 2000 is a leap year: 29 February is valid
                    found.append(partial)
                break
    return found


def find_post_date(text: str) -> PartialDate | None:
    """The date a post states for itself, from its title line; ``None`` when it states none.

    Looked for, in this order, only in the first non-empty line of ``text``: a date inside
    parentheses (``(Minsk, June 25, 2024)``, ``(19 August 2024)``), then a date in the first
    sentence (``On April 8-9, ...``, ``Today, September 5, ...``, ``8 апреля 2024 года ...``).
    Dates in the body are never taken. Offsets are relative to ``text``.

    Parameters
    ----------
    text : str
        The cleaned text of one post, title line first.

    Returns
    -------
    PartialDate or None

    Examples
    --------
    >>> find_post_date("🇷🇺🇨🇳 On April 8-9, Sergey Lavrov will visit China.\\nIn June 2023, ...")
    PartialDate(day=8, month=4, year=None, start=8, end=17)
    >>> find_post_date("Interview to Newsweek (October 7, 2024)\\nOn 14 June, ...").year
    2024
    >>> find_post_date("On the human rights situation\\nIn June 2023, on 14 June ...") is None
    True
    """
    offset = len(text) - len(text.lstrip())
    title = text[offset:].split("\n", 1)[0]
    for group in re.finditer(r"\(([^()]*)\)", title):
        dates = find_dates(group.group(1))
        if dates:
            return _shift(dates[0], offset + group.start(1))
    end = _SENTENCE_END.search(title)
    first_sentence = title[: end.start() + 1] if end else title
    dates = find_dates(first_sentence)
    return _shift(dates[0], offset) if dates else None


def _shift(partial: PartialDate, by: int) -> PartialDate:
    return PartialDate(partial.day, partial.month, partial.year, partial.start + by, partial.end + by)


def resolve_dates(partials: Sequence[PartialDate | None]) -> list[tuple[datetime | None, str]]:
    """``(date, date_source)`` for each post of one file, given their written dates in posting order.

    Parameters
    ----------
    partials : sequence of PartialDate or None
        What :func:`find_post_date` found in each post, in the order the posts were published.

    Returns
    -------
    list of (datetime or None, str)
        One per post: a full written date gives ``(date, "text")``; day and month with the year
        taken from the nearest dated posts give ``(date, "inferred")``; otherwise
        ``(None, "none")``. A written date more than half a year before the dates of its
        neighbours is not the post's own (``(None, "none")``).

    Notes
    -----
    A missing year is chosen among the years of the previous resolved post and the next post
    with a written year (and the years either side of them), as the one that keeps the posts
    in order: the date should not fall before the previous post's date nor after the next
    written date. Ties go to the date nearest the previous post (or the next, when first).

    Examples
    --------
    >>> from netanalysis.ingest.dates import PartialDate as P
    >>> [(d.date().isoformat(), s) for d, s in resolve_dates([P(28, 12, 2023), P(3, 1, None)])]
    [('2023-12-28', 'text'), ('2024-01-03', 'inferred')]
    """
    anchors = _plausible_anchors(partials)
    result: list[tuple[datetime | None, str]] = []
    following_anchor: list[datetime | None] = [None] * (len(partials) + 1)
    for i in range(len(partials) - 1, -1, -1):
        following_anchor[i] = anchors.get(i + 1, following_anchor[i + 1]) if i + 1 < len(partials) else None
    previous: datetime | None = None
    for i, partial in enumerate(partials):
        if partial is None:
            result.append((None, "none"))
            continue
        if partial.year is not None:
            if i in anchors:
                previous = anchors[i]
                result.append((previous, "text"))
            else:
                result.append((None, "none"))
            continue
        guessed = _infer_year(partial, previous, following_anchor[i])
        if guessed is None:
            result.append((None, "none"))
        else:
            previous = guessed
            result.append((guessed, "inferred"))
    return result


def _plausible_anchors(partials: Sequence[PartialDate | None]) -> dict[int, datetime]:
    """Index -> date of the posts whose written full date is plausible for their place in the file."""
    written = {i: p.on(p.year) for i, p in enumerate(partials) if p is not None and p.year is not None}
    written = {i: d for i, d in written.items() if d is not None}
    order = sorted(written)
    kept = {}
    for k, i in enumerate(order):
        neighbours = [written[order[j]] for j in (k - 1, k + 1) if 0 <= j < len(order)]
        if neighbours and all(written[i] < other - _TOO_EARLY for other in neighbours):
            continue
        kept[i] = written[i]
    return kept


def _infer_year(partial: PartialDate, previous: datetime | None, following: datetime | None) -> datetime | None:
    references = [d for d in (previous, following) if d is not None]
    if not references:
        return None
    years = sorted({d.year + delta for d in references for delta in (-1, 0, 1)})
    best: tuple[tuple[float, float], datetime] | None = None
    for year in years:
        candidate = partial.on(year)
        if candidate is None:
            continue
        out_of_order = timedelta(0)
        if previous is not None and candidate < previous:
            out_of_order += previous - candidate
        if following is not None and candidate > following:
            out_of_order += candidate - following
        nearest = previous if previous is not None else following
        key = (out_of_order.total_seconds(), abs((candidate - nearest).total_seconds()))
        if best is None or key < best[0]:
            best = (key, candidate)
    return best[1] if best else None
