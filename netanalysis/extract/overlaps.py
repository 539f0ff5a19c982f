"""The longest match among overlapping name matches (see :mod:`netanalysis.extract.gazetteer`,
whose matcher gives its candidates here when two of them overlap).
"""

from __future__ import annotations

import bisect
import operator

__all__ = ["NESTED_FORMS", "resolve_overlaps"]

_ROW_SPAN = operator.itemgetter(5, 6)
_ROW_START = operator.itemgetter(5)
#: Forms of a country match that count inside a forum's name.
NESTED_FORMS = ("name", "acronym")


def resolve_overlaps(rows: list, text: str) -> list:
    """:func:`_longest_first` over mention rows, run on each group of overlapping rows alone.

    Rows that overlap no other row are kept as they are (unless stop phrases); a group of
    rows linked by overlaps is settled by :func:`_settle` on its own, which gives what it
    gives on all rows at once: whether a row is kept depends only on rows it overlaps.

    ``rows`` come in order of their end (as the names' automaton reports its candidates), so a
    stable sort by start puts them in span order (of two with one start, the shorter first).
    """
    rows.sort(key=_ROW_START)
    kept = []
    group: list = []
    group_end = -1
    for row in rows:
        if row[5] >= group_end:  # starts after every row so far ends: the group is closed
            if len(group) == 1:  # a row that overlaps none: kept unless a stop phrase
                if group[0][0] is not None:
                    kept.append(group[0])
            elif group:
                kept += _settle(group)
            group = [row]
        else:
            group.append(row)
        if row[6] > group_end:
            group_end = row[6]
    if group:
        kept += _settle(group)
    return kept


def _settle(group: list) -> list:
    """The rows kept of one group of overlapping rows (sorted by span): longest first, then
    the countries named inside a kept forum's name (see the module notes)."""
    if len(group) == 1:
        return group if group[0][0] is not None else []
    if len(group) == 2:  # the usual group: the longer one (of two as long, the first)
        a, b = group
        win, other = (b, a) if b[6] - b[5] > a[6] - a[5] else (a, b)
        if win[0] is None:
            return []
        if win[0] == "forum" and other[0] == "country" and other[3] in NESTED_FORMS:
            if win[5] <= other[5] and other[6] <= win[6]:
                return group  # a country named inside the forum's name: both, in span order
        return [win]
    winners = _longest_first(group)
    forums = [row for row in winners if row[0] == "forum"]
    if not forums:
        return [row for row in winners if row[0] is not None]
    nested = []
    for forum in forums:
        inside = [
            row
            for row in group
            if row is not forum
            and forum[5] <= row[5]
            and row[6] <= forum[6]
            and (row[0] is None or (row[0] == "country" and row[3] in NESTED_FORMS))
        ]
        if inside:
            nested += _longest_first(inside)
    kept = [row for row in winners + nested if row[0] is not None]
    kept.sort(key=_ROW_SPAN)
    return kept


def _longest_first(found: list) -> list:
    """Keep non-overlapping rows, longest first (then leftmost); stop phrases are kept here
    (their kind is None) so that the caller can use them to mask names inside them."""
    found = sorted(found, key=_ROW_SPAN)
    if all(a[6] <= b[5] for a, b in zip(found, found[1:])):  # the usual case: no overlaps
        return found
    found.sort(key=lambda m: (m[5] - m[6], m[5]))
    starts: list[int] = []
    ends: list[int] = []
    kept: list = []
    for match in found:
        start, end = match[5], match[6]
        i = bisect.bisect_left(starts, start)
        if i < len(starts) and starts[i] < end:
            continue
        if i > 0 and ends[i - 1] > start:
            continue
        starts.insert(i, start)
        ends.insert(i, end)
        kept.insert(i, match)
    return kept
