"""Reading and validating membership files (``memberships.csv`` and the user's own files).

One row is one period of one status of one member in one forum. Every row is checked: known
forum and country (or member forum), known status, a source, well-formed dates, an end after
the start, and no overlap with another row of the same member in the same forum. A bad row
raises :class:`~netanalysis.errors.RegistryError` naming the file and the line.
:mod:`netanalysis.registry.memberships` builds the lookup table from these rows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from netanalysis.errors import RegistryError
from netanalysis.registry.csvfile import choice as _choice
from netanalysis.registry.csvfile import read_rows as _read_rows
from netanalysis.registry.loader import Registry

__all__ = [
    "MEMBERSHIP_COLUMNS",
    "MEMBER_KINDS",
    "MEMBERSHIP_STATUSES",
    "MEMBER_STATUSES",
    "MEMBERSHIP_ACTIONS",
    "NON_MEMBER",
    "UNKNOWN",
    "MembershipRow",
    "read_membership_file",
    "apply_membership_file",
    "check_overlaps",
]

MEMBERSHIP_COLUMNS = ["forum", "member_kind", "member", "status", "start_date", "end_date", "source", "note"]
#: ``forum`` rows say that a forum (the EU, the African Union) belongs to another forum.
MEMBER_KINDS = ("country", "forum")
MEMBERSHIP_STATUSES = (
    "member",
    "observer",
    "partner",
    "dialogue_partner",
    "candidate",
    "associate",
    "suspended",
    "frozen",
)
#: The statuses under which a state is still formally a member (its rights may be limited).
MEMBER_STATUSES = ("member", "suspended", "frozen")
#: ``set`` (the default): the rows of an extension file replace every shipped row of their
#: (forum, member_kind, member); ``remove``: delete all rows of that pair.
MEMBERSHIP_ACTIONS = ("set", "remove")
#: Lookup result when no row covers the date (the forum is covered for that kind of member).
NON_MEMBER = "non_member"
#: Lookup result for an undated row, a date inside an imprecise period, or an uncovered forum.
UNKNOWN = "unknown"

_REQUIRED = [column for column in MEMBERSHIP_COLUMNS if column != "note"]
_DATE_RE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_OPEN = np.iinfo(np.int64).max // 2  # the day number of "no end"
_EPOCH = np.datetime64("1970-01-01", "D")


# --------------------------------------------------------------------------------------------
# date cells


def _period(text: str) -> tuple[int, int]:
    """``(first day, day after the last)`` of a day, month or year, as days since 1970-01-01."""
    match = _DATE_RE.fullmatch(text)
    if not match:
        raise ValueError(text)
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        if day is not None:
            first = np.datetime64(f"{year:04d}-{month:02d}-{day:02d}", "D")
            after = first + 1
        elif month is not None:
            first = np.datetime64(f"{year:04d}-{month:02d}", "M")
            first, after = first.astype("datetime64[D]"), (first + 1).astype("datetime64[D]")
        else:
            first = np.datetime64(f"{year:04d}", "Y")
            first, after = first.astype("datetime64[D]"), (first + 1).astype("datetime64[D]")
    except ValueError:  # month 13, 30 February...
        raise ValueError(text) from None
    return int((first - _EPOCH).astype(int)), int((after - _EPOCH).astype(int))


def _parse_date(path: Path, line: int, column: str, text: str) -> tuple[int, int]:
    """A date cell as ``(first possible day, day after the last possible day)``."""
    try:
        if "/" in text:
            left, right = text.split("/", 1)
            first, _ = _period(left.strip())
            right_first, after = _period(right.strip())
            if right_first < first:
                raise ValueError(text)
        else:
            first, after = _period(text)
    except ValueError:
        raise RegistryError(
            f"{path}: line {line}: {column} {text!r} is not a date: expected YYYY-MM-DD, "
            "YYYY-MM, YYYY or an interval A/B of those"
        ) from None
    return first, after


# --------------------------------------------------------------------------------------------
# reading and validating files


@dataclass(frozen=True)
class MembershipRow:
    """One validated row; days are counted from 1970-01-01.

    The status certainly holds on days ``s_cert <= day < e_cert`` and possibly on
    ``s_any <= day < e_any``; the difference is where an imprecise date leaves it unknown.
    """

    values: tuple[str, ...]  # in MEMBERSHIP_COLUMNS order
    origin: str  # "file: line N", for messages
    s_any: int
    s_cert: int
    e_cert: int
    e_any: int

    def key(self) -> tuple[str, str, str]:
        return self.values[0], self.values[1], self.values[2]


def _make_row(path: Path, line: int, row: dict[str, str], reg: Registry) -> MembershipRow:
    forum, kind, member = row["forum"], row["member_kind"], row["member"]
    if not reg.is_forum(forum):
        raise RegistryError(f"{path}: line {line}: unknown forum {forum!r}: not in forums.csv")
    _choice(path, line, "member_kind", kind, MEMBER_KINDS)
    if kind == "country" and not reg.is_country(member):
        raise RegistryError(f"{path}: line {line}: unknown country code {member!r}: not in countries.csv")
    if kind == "forum" and not reg.is_forum(member):
        raise RegistryError(f"{path}: line {line}: unknown forum {member!r} as member: not in forums.csv")
    if kind == "forum" and member == forum:
        raise RegistryError(f"{path}: line {line}: forum {forum} cannot be its own member")
    _choice(path, line, "status", row["status"], MEMBERSHIP_STATUSES)
    if not row["start_date"]:
        raise RegistryError(f"{path}: line {line}: empty start_date")
    if not row["source"]:
        raise RegistryError(
            f"{path}: line {line}: empty source: every row must name its "
            "source (an official page, a treaty, a decision)"
        )
    s_first, s_after = _parse_date(path, line, "start_date", row["start_date"])
    # the change happened on some day of [first, after): it has certainly happened by the
    # period's last day (after - 1); before that day it may or may not have
    s_cert = s_after - 1
    if row["end_date"]:
        e_first, e_after = _parse_date(path, line, "end_date", row["end_date"])
        e_any = e_after - 1
        if e_any <= s_first:
            raise RegistryError(
                f"{path}: line {line}: end_date {row['end_date']} is not after start_date {row['start_date']}"
            )
    else:
        e_first = e_any = _OPEN
    values = tuple(row.get(column, "") for column in MEMBERSHIP_COLUMNS)
    return MembershipRow(values, f"{path}: line {line}", s_first, s_cert, e_first, e_any)


def check_overlaps(rows: Sequence[MembershipRow]) -> None:
    """Rows of one (forum, member_kind, member) must follow each other without overlapping.

    Two rows may share an imprecise boundary (one ends ``2015``, the next starts ``2015``).
    The error names the row that comes later in the files, the likeliest to be the new one.
    """
    by_key: dict[tuple[str, str, str], list[tuple[int, MembershipRow]]] = {}
    for order, row in enumerate(rows):
        by_key.setdefault(row.key(), []).append((order, row))
    for key, group in by_key.items():
        group.sort(key=lambda item: (item[1].s_any, item[1].e_any))
        for (first, before), (second, after) in zip(group, group[1:]):
            shared_boundary = before.values[5] == after.values[4]  # end_date == next start_date
            if before.e_any > after.s_any and not shared_boundary:
                culprit, other = (after, before) if second > first else (before, after)
                forum, _, member = key
                raise RegistryError(
                    f"{culprit.origin}: {member} in {forum} from {culprit.values[4]} overlaps the "
                    f"row at {other.origin} ({other.values[4]} to {other.values[5] or 'ongoing'})"
                )


def read_membership_file(path: Path, reg: Registry, *, extension: bool) -> list[tuple[str, MembershipRow]]:
    """``(action, row)`` pairs of a file; a ``remove`` row carries only its key (dummy dates)."""
    optional = ["note", "action"] if extension else ["note"]
    out: list[tuple[str, MembershipRow]] = []
    for line, row in _read_rows(path, _REQUIRED, optional=optional):
        action = _choice(path, line, "action", row.get("action") or "set", MEMBERSHIP_ACTIONS)
        if action == "remove":
            if not reg.is_forum(row["forum"]):
                raise RegistryError(f"{path}: line {line}: unknown forum {row['forum']!r}: not in forums.csv")
            values = tuple(row.get(column, "") for column in MEMBERSHIP_COLUMNS)
            out.append((action, MembershipRow(values, f"{path}: line {line}", 0, 0, 0, 0)))
        else:
            out.append((action, _make_row(path, line, row, reg)))
    return out


def apply_membership_file(rows: list[MembershipRow], path: Path, reg: Registry) -> list[MembershipRow]:
    """``rows`` with a user file applied: its ``set`` rows replace their pairs, ``remove``
    deletes them."""
    entries = read_membership_file(path, reg, extension=True)
    replaced = {row.key() for action, row in entries if action == "set"}
    current = {row.key() for row in rows}
    for action, row in entries:
        if action == "remove" and row.key() not in current:
            forum, kind, member = row.key()
            raise RegistryError(f"{row.origin}: nothing to remove: no {kind} {member!r} in {forum}")
    removed = {row.key() for action, row in entries if action == "remove"}
    kept = [row for row in rows if row.key() not in replaced | removed]
    return kept + [row for action, row in entries if action == "set"]
