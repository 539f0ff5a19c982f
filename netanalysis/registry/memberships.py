"""Who belonged to which forum when: the sourced membership registry and its lookup.

The data live in ``netanalysis/registry/data/memberships.csv`` (one row per period of one status
of one member in one forum, each naming its source); ``data/README.md`` defines every column and
status. :func:`load_memberships` reads and validates the file and applies the user's own files;
:func:`membership_status` labels (member, forum, date) rows, vectorised, with the status on that
date; :func:`forum_members` gives the members of a forum on a date.

Date semantics (tested in ``tests/test_memberships.py``): ``start_date`` is the first day of the
status (inclusive), ``end_date`` the first day without it (exclusive; empty = ongoing). A date
cell is a day (``2023-04-04``), a month (``2022-11``), a year (``2005``) or an interval
``A/B`` (some day from A to B): within an imprecise period, until its last day, the status
is ``unknown``.
Post dates are compared by their UTC calendar day.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from netanalysis.errors import RegistryError
from netanalysis.registry.loader import DATA_DIR, Registry, load_registry
from netanalysis.registry.membership_rows import (
    MEMBER_KINDS,
    MEMBER_STATUSES,
    MEMBERSHIP_ACTIONS,
    MEMBERSHIP_COLUMNS,
    MEMBERSHIP_STATUSES,
    NON_MEMBER,
    UNKNOWN,
    MembershipRow,
    apply_membership_file,
    check_overlaps,
    read_membership_file,
)

__all__ = [
    "Memberships",
    "load_memberships",
    "membership_status",
    "forum_members",
    "MEMBERSHIP_COLUMNS",
    "MEMBER_KINDS",
    "MEMBERSHIP_STATUSES",
    "MEMBER_STATUSES",
    "MEMBERSHIP_ACTIONS",
    "NON_MEMBER",
    "UNKNOWN",
]

logger = logging.getLogger(__name__)

#: Day numbers at least this far from 1970 stand for "no end" (open periods).
_OPEN_DAY = 10_000_000

# --------------------------------------------------------------------------------------------
# the table and its lookups


class Memberships:
    """The membership periods, validated, with vectorised lookups.

    Attributes
    ----------
    table : pandas.DataFrame
        The rows as strings, columns :data:`MEMBERSHIP_COLUMNS`, sorted by forum and member.
        Treat it as read-only (the default table is cached and shared).
    """

    def __init__(self, rows: Sequence[MembershipRow]):
        rows = sorted(rows, key=lambda row: (row.key(), row.s_any))
        self.table = pd.DataFrame([row.values for row in rows], columns=MEMBERSHIP_COLUMNS, dtype="str")
        self._periods = pd.DataFrame(
            {
                "forum": self.table["forum"],
                "kind": self.table["member_kind"],
                "member": self.table["member"],
                "status": self.table["status"],
                "s_any": np.array([row.s_any for row in rows], dtype=np.int64),
                "s_cert": np.array([row.s_cert for row in rows], dtype=np.int64),
                "e_cert": np.array([row.e_cert for row in rows], dtype=np.int64),
                "e_any": np.array([row.e_any for row in rows], dtype=np.int64),
            }
        )
        self._covered = frozenset(zip(self.table["forum"], self.table["member_kind"]))
        # integer keys: rows are sorted by (forum, kind, member), so each key is a contiguous run
        self._forum_ids = pd.Index(sorted(set(self.table["forum"])), dtype=object)
        self._member_ids = pd.Index(sorted(set(self.table["member"])), dtype=object)
        self._keys = self._encode(
            self._forum_ids.get_indexer(self.table["forum"].to_numpy(object)),
            self.table["member_kind"] == "forum",
            self.table["member"].to_numpy(object),
        )
        self._run = int(pd.Series(self._keys).value_counts().max()) if len(rows) else 0
        covered = np.zeros((max(len(self._forum_ids), 1), 2), dtype=bool)
        for forum, kind in self._covered:
            covered[self._forum_ids.get_loc(forum), MEMBER_KINDS.index(kind)] = True
        self._covered_codes = covered

    def _encode(self, forum: np.ndarray, is_forum: Any, members: Any) -> np.ndarray:
        """One int64 per (forum code, kind, member); -1 where the forum or member is unknown."""
        member = self._member_ids.get_indexer(members)
        key = (forum.astype(np.int64) * 2 + np.asarray(is_forum, dtype=np.int64)) * len(self._member_ids) + member
        key[(forum < 0) | (member < 0)] = -1
        return key

    def __repr__(self) -> str:
        return f"Memberships({len(self.table)} rows, {self.table['forum'].nunique()} forums)"

    def covers(self, forum: str, kind: str = "country") -> bool:
        """Whether the table lists members of this kind for ``forum`` (else lookups say unknown)."""
        return (forum, kind) in self._covered

    def fingerprint(self) -> str:
        """A sha256 hex digest of the rows (in any order), for caches and the run manifest."""
        digest = hashlib.sha256()
        for row in sorted(self.table.itertuples(index=False, name=None)):
            digest.update(("\x1f".join(row) + "\x1e").encode("utf-8"))
        return digest.hexdigest()

    def status(self, members: Any, forums: Any, dates: Any, *, kind: Any = "country") -> pd.Series:
        """The status of each (member, forum) on each date; see :func:`membership_status`."""
        forum, kinds, member, day, index = _queries(members, forums, dates, kind)
        is_forum = kinds == "forum"
        forum_code = self._forum_ids.get_indexer(forum)
        keys = self._encode(forum_code, is_forum, member)
        first = np.searchsorted(self._keys, keys, side="left")
        last = np.searchsorted(self._keys, keys, side="right")
        out = np.full(len(keys), NON_MEMBER, dtype=object)
        periods = self._periods
        status = periods["status"].to_numpy()
        s_any, s_cert = periods["s_any"].to_numpy(), periods["s_cert"].to_numpy()
        e_cert, e_any = periods["e_cert"].to_numpy(), periods["e_any"].to_numpy()
        dated = ~np.isnan(day) & (keys >= 0)
        for offset in range(self._run):  # a key has at most a handful of rows
            row = first + offset
            hit = dated & (row < last)
            where, row = np.flatnonzero(hit), row[hit]
            on = day[where]
            possible = (s_any[row] <= on) & (on < e_any[row])
            certain = (s_cert[row] <= on) & (on < e_cert[row])
            out[where[possible & ~certain]] = UNKNOWN
            out[where[certain]] = status[row[certain]]
        covered = (forum_code >= 0) & self._covered_codes[np.maximum(forum_code, 0), is_forum.astype(np.int64)]
        out[~covered | np.isnan(day)] = UNKNOWN
        return pd.Series(out, index=index, name="status", dtype=object)

    def change_days(self, member: str, forum: str, *, kind: str = "country") -> np.ndarray:
        """The days (since 1970-01-01, UTC) on which ``member``'s status in ``forum`` may change.

        Between two consecutive days of this array (and before the first, and from the last
        on) :meth:`status` gives one answer for every day, so a lookup of many post dates
        needs only one :meth:`status` call per period (:mod:`netanalysis.graph.membership`).

        >>> table = load_memberships()
        >>> [str(np.datetime64(int(d), "D")) for d in table.change_days("FI", "NATO")]
        ['2023-04-04']
        """
        _choice_of(kind, MEMBER_KINDS, "kind")
        return self._change_days(kind).get((member, forum), np.zeros(0, dtype=np.int64))

    def _change_days(self, kind: str) -> dict[tuple[str, str], np.ndarray]:
        """(member, forum) -> its change days, for every pair of ``kind`` (computed once)."""
        cache = self.__dict__.setdefault("_change_cache", {})
        if kind not in cache:
            p = self._periods[self._periods["kind"] == kind]
            days = np.stack([p[c].to_numpy(np.int64) for c in ("s_any", "s_cert", "e_cert", "e_any")], axis=1)
            found: dict[tuple[str, str], list[np.ndarray]] = {}
            for key, row in zip(zip(p["member"], p["forum"]), days):
                found.setdefault(key, []).append(row)
            cache[kind] = {
                key: np.unique(np.concatenate(rows)[np.abs(np.concatenate(rows)) < _OPEN_DAY])
                for key, rows in found.items()
            }
        return cache[kind]

    def members_of(
        self, forum: str, date: Any, *, statuses: Iterable[str] = MEMBER_STATUSES, kind: str = "country"
    ) -> frozenset[str]:
        """The ids whose status in ``forum`` on ``date`` is one of ``statuses``; see
        :func:`forum_members`."""
        _choice_of(kind, MEMBER_KINDS, "kind")
        wanted = set(statuses)
        bad = sorted(wanted - set(MEMBERSHIP_STATUSES))
        if bad:
            raise RegistryError(
                f"unknown status(es) {', '.join(bad)}: expected some of {', '.join(MEMBERSHIP_STATUSES)}"
            )
        day = _days(pd.Series([date], dtype=object))[0]
        if np.isnan(day):
            raise RegistryError(f"forum_members needs a date, got {date!r}")
        rows = self._periods[(self._periods["forum"] == forum) & (self._periods["kind"] == kind)]
        certain = (rows["s_cert"] <= day) & (day < rows["e_cert"]) & rows["status"].isin(wanted)
        return frozenset(rows.loc[certain, "member"])


def _choice_of(value: Any, allowed: Sequence[str], what: str) -> None:
    if value not in allowed:
        raise RegistryError(f"membership lookup: {what} {value!r} is not one of {', '.join(allowed)}")


def _broadcast(values: Any, n: int | None) -> tuple[Any, int | None]:
    if isinstance(values, (str, bytes)) or np.ndim(values) == 0:
        return values, n
    length = len(values)
    if n is not None and length != n:
        raise RegistryError(f"membership lookup: inputs of different lengths ({n} and {length})")
    return values, length


def _queries(
    members: Any, forums: Any, dates: Any, kind: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, pd.Index]:
    """The lookup's inputs as equal-length arrays (scalars broadcast) and the result's index."""
    n = None
    for values in (members, forums, dates, kind):
        _, n = _broadcast(values, n)
    n = 1 if n is None else n
    index = next((v.index for v in (members, forums, dates) if isinstance(v, pd.Series)), pd.RangeIndex(n))

    def column(values: Any) -> np.ndarray:
        if isinstance(values, str) or np.ndim(values) == 0:
            return np.full(n, values, dtype=object)
        return np.asarray(values, dtype=object)

    kinds = column(kind)
    for value in set(kinds):
        _choice_of(value, MEMBER_KINDS, "kind")
    if isinstance(dates, pd.Series):
        date_values = dates
    elif isinstance(dates, str) or np.ndim(dates) == 0:
        date_values = pd.Series(column(dates), dtype=object)
    else:  # keeps a datetime64 array's dtype (as objects, nanoseconds would become integers)
        date_values = pd.Series(dates)
    return (column(forums), kinds, column(members), _days(date_values.reset_index(drop=True)), index)


def _days(dates: pd.Series) -> np.ndarray:
    """UTC calendar days since 1970-01-01 (float, NaN where the date is missing)."""
    if isinstance(dates.dtype, pd.DatetimeTZDtype):
        stamps = dates.dt.tz_convert("UTC")
    elif pd.api.types.is_datetime64_dtype(dates.dtype):
        stamps = dates.dt.tz_localize("UTC")
    else:
        stamps = pd.to_datetime(dates, utc=True, errors="coerce", format="ISO8601")
        failed = stamps.isna().to_numpy() & dates.notna().to_numpy()
        if failed.any():
            where = int(np.flatnonzero(failed)[0])
            raise RegistryError(f"membership lookup: date {dates.iloc[where]!r} (row {where + 1}) is not a date")
    missing = stamps.isna().to_numpy()
    days = stamps.dt.tz_localize(None).to_numpy().astype("datetime64[D]").astype(np.int64)
    out = days.astype(float)
    out[missing] = np.nan
    return out


# --------------------------------------------------------------------------------------------
# the public functions


@functools.lru_cache(maxsize=4)
def _load_base(folder: str, reg: Registry) -> tuple[MembershipRow, ...]:
    path = Path(folder) / "memberships.csv"
    rows = [row for _, row in read_membership_file(path, reg, extension=False)]
    check_overlaps(rows)
    logger.debug("memberships: %d rows from %s", len(rows), path)
    return tuple(rows)


@functools.lru_cache(maxsize=4)
def _default(folder: str, reg: Registry) -> Memberships:
    return Memberships(_load_base(folder, reg))


def load_memberships(
    extra: str | Path | Sequence[str | Path] | None = None,
    *,
    registry: Registry | None = None,
    data_dir: str | Path | None = None,
) -> Memberships:
    """Load the shipped ``memberships.csv``, then apply the user's files in order.

    Parameters
    ----------
    extra : path or sequence of paths, optional
        CSV files with the columns of ``memberships.csv`` (``note`` optional) and optionally
        ``action``: ``set`` (the default) or ``remove``. The ``set`` rows of a file replace all
        earlier rows of their (forum, member_kind, member); a ``remove`` row deletes them
        (its status and dates may be empty). Every ``set`` row must name its source.
    registry : Registry, optional
        The countries and forums that rows may name (default: :func:`load_registry` of
        ``data_dir``); pass one loaded with extension files to list members of user forums.
    data_dir : path, optional
        A folder with a replacement ``memberships.csv`` (default: the shipped data folder).

    Returns
    -------
    Memberships

    Raises
    ------
    RegistryError
        A bad row: the message names the file, the line and what was wrong (unknown country
        or forum, unknown status, bad date, end before start, overlapping rows, no source).

    Examples
    --------
    >>> table = load_memberships()
    >>> table.members_of("NATO", "2024-03-07") - table.members_of("NATO", "2024-03-06")
    frozenset({'SE'})
    """
    folder = Path(data_dir).resolve() if data_dir is not None else DATA_DIR
    reg = registry if registry is not None else load_registry(data_dir=data_dir)
    paths = [] if extra is None else [extra] if isinstance(extra, (str, Path)) else list(extra)
    if not paths:
        return _default(str(folder), reg)
    rows = list(_load_base(str(folder), reg))
    for item in paths:
        rows = apply_membership_file(rows, Path(item), reg)
        logger.info("memberships: applied %s", item)
    check_overlaps(rows)
    return Memberships(rows)


def membership_status(
    members: Any, forums: Any, dates: Any, *, kind: Any = "country", memberships: Memberships | None = None
) -> pd.Series:
    """The status of each member in each forum on each date, vectorised.

    Parameters
    ----------
    members : array-like or str
        ISO codes (``kind="country"``) or forum ids (``kind="forum"``).
    forums : array-like or str
        Forum ids; a single id applies to every row.
    dates : array-like or scalar
        Post dates: timezone-aware timestamps (compared by their UTC day), naive timestamps
        (read as UTC), ``datetime.date`` or ISO strings; missing values (None, NaT) are allowed.
    kind : str or array-like
        ``"country"`` (default) or ``"forum"``, for all rows or per row.
    memberships : Memberships, optional
        Default: :func:`load_memberships`.

    Returns
    -------
    pandas.Series
        One status per row (index of the first Series argument, else 0..n-1): a status of
        :data:`MEMBERSHIP_STATUSES` on that date; ``"non_member"`` when no row covers the date;
        ``"unknown"`` when the date is missing, falls inside an imprecise period (a year- or
        month-only date), or the table has no members of that kind for the forum.

    Examples
    --------
    >>> membership_status(["FI", "FI"], "NATO", ["2023-04-03", "2023-04-04"]).tolist()
    ['non_member', 'member']
    >>> membership_status("AU", "G20", ["2023-09-09", None], kind="forum").tolist()
    ['member', 'unknown']
    """
    table = memberships if memberships is not None else load_memberships()
    return table.status(members, forums, dates, kind=kind)


def forum_members(
    forum: str,
    date: Any,
    *,
    statuses: Iterable[str] = MEMBER_STATUSES,
    kind: str = "country",
    memberships: Memberships | None = None,
) -> frozenset[str]:
    """The members of ``forum`` on ``date``.

    Parameters
    ----------
    forum : str
        A forum id (``"BRICS"``).
    date : date-like
        A day; a timestamp is read by its UTC day.
    statuses : iterable of str
        The statuses to include; default :data:`MEMBER_STATUSES` (formal members, including
        suspended and frozen ones). Pass ``("partner",)`` for BRICS partners, etc.
    kind : str
        ``"country"`` (default) or ``"forum"`` (the EU and the African Union in the G20).
    memberships : Memberships, optional
        Default: :func:`load_memberships`.

    Returns
    -------
    frozenset of str
        Members whose status is certain on that day (a member inside an imprecise period of
        its start or end is left out).

    Examples
    --------
    >>> sorted(forum_members("BRICS", "2024-01-01"))
    ['AE', 'BR', 'CN', 'EG', 'ET', 'IN', 'IR', 'RU', 'ZA']
    """
    table = memberships if memberships is not None else load_memberships()
    return table.members_of(forum, date, statuses=statuses, kind=kind)
