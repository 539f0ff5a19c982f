"""Time windows: calendar-aligned and rolling spans of UTC time.

Windows
-------
A window is a half-open interval ``[window_start, window_end)`` in UTC: a post belongs to it when
``window_start <= date < window_end``. ``window_end`` is always the **exclusive** end (the first
instant after the window): the April 2024 window is ``[2024-04-01 00:00 UTC, 2024-05-01 00:00 UTC)``.
Dates are compared in UTC, so a post dated ``2024-04-01T00:10+03:00`` (2024-03-31 21:10 UTC)
falls in March.

Windows are calendar-aligned: ``week`` windows start on Mondays 00:00 UTC (ISO weeks), ``month``
windows on the 1st, ``quarter`` windows on 1 January/April/July/October, ``year`` windows on
1 January. ``freq`` also accepts the pandas aliases ``W`` (``W-MON``), ``M``/``ME``/``MS``,
``Q``/``QE``/``QS``, ``Y``/``YE``/``YS``/``A`` and ``D`` (days).

A window is identified by ``(window_start, window_end)``: cumulative windows share their start.

Rolling windows: ``window="3M", step="1M"`` (spans ``<n><D|W|M|Q|Y>``). The first window starts at
the start of the step unit (day, Monday, 1st of the month, quarter or year) holding the first
date (or ``start``); window ``k`` is ``[first + k*step, first + k*step + window)``. Windows are
produced until one reaches past the last date (or reaches ``end``), so every dated post lies in
at least one window; trailing windows may extend past the data. ``window`` alone steps by one
of its units; ``step`` alone gives back-to-back windows of that length.
Cumulative windows (``cumulative=True``) keep the first window's start and take the ends of the
windows above: ``[first, end_0), [first, end_1), ...``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

from netanalysis.errors import ConfigError

__all__ = ["parse_span", "time_windows", "utc"]

_FREQ_UNITS = {
    "day": "D",
    "d": "D",
    "daily": "D",
    "week": "W",
    "w": "W",
    "w-mon": "W",
    "weekly": "W",
    "month": "M",
    "m": "M",
    "me": "M",
    "ms": "M",
    "monthly": "M",
    "quarter": "Q",
    "q": "Q",
    "qe": "Q",
    "qs": "Q",
    "quarterly": "Q",
    "year": "Y",
    "y": "Y",
    "ye": "Y",
    "ys": "Y",
    "a": "Y",
    "as": "Y",
    "yearly": "Y",
    "annual": "Y",
}
_SPAN = re.compile(r"(\d+)\s*([DWMQY])")
_MAX_WINDOWS = 100_000


def parse_span(text: str) -> tuple[int, str]:
    """Parse a window length or step such as ``"3M"`` into ``(3, "M")``.

    Units: ``D`` days, ``W`` weeks, ``M`` months, ``Q`` quarters, ``Y`` years (case-insensitive).
    A frequency name (``"month"``, ``"W"``, ``"QS"`` ...) means one of its unit.

    Examples
    --------
    >>> parse_span("3M"), parse_span("2w"), parse_span("quarter")
    ((3, 'M'), (2, 'W'), (1, 'Q'))
    """
    raw = str(text).strip()
    unit = _FREQ_UNITS.get(raw.casefold())
    if unit is not None:
        return 1, unit
    match = _SPAN.fullmatch(raw.upper())
    if not match:
        raise ConfigError(
            f"cannot read the time span {text!r}: write a whole number and a unit "
            f"D, W, M, Q or Y (e.g. '3M'), or one of week, month, quarter, year"
        )
    n = int(match.group(1))
    if n < 1:
        raise ConfigError(f"the time span {text!r} must be at least 1")
    return n, match.group(2)


def utc(values: Any) -> pd.Series:
    """Timestamps as a UTC series (naive values are read as UTC)."""
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    if len(series) == 0:
        return pd.Series([], dtype="datetime64[ns, UTC]")
    try:
        return pd.to_datetime(series, utc=True)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"cannot read the dates as timestamps: {exc}") from None


def _oneutc(value: Any, name: str) -> pd.Timestamp:
    stamp = utc([value]).iloc[0]
    if pd.isna(stamp):
        raise ConfigError(f"{name} must be a date, not {value!r}")
    return stamp


def _floor(ts: pd.Timestamp, unit: str) -> pd.Timestamp:
    day = ts.normalize()
    if unit == "D":
        return day
    if unit == "W":
        return day - pd.Timedelta(days=day.weekday())
    if unit == "M":
        return day.replace(day=1)
    if unit == "Q":
        return day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
    return day.replace(month=1, day=1)


def _add(ts: pd.Timestamp, n: int, unit: str) -> pd.Timestamp:
    if unit == "D":
        return ts + pd.Timedelta(days=n)
    if unit == "W":
        return ts + pd.Timedelta(weeks=n)
    months = {"M": n, "Q": 3 * n, "Y": 12 * n}[unit]
    return ts + pd.DateOffset(months=months)


def _spans(freq: str, window: str | None, step: str | None) -> tuple[tuple[int, str], tuple[int, str]]:
    if window is None and step is None:
        one = parse_span(freq)
        if one[0] != 1:
            raise ConfigError(
                f"freq is a calendar unit (week, month, quarter, year), not {freq!r}; "
                f"use window={freq!r} for longer windows"
            )
        return one, one
    if window is None:
        assert step is not None
        size = parse_span(step)
        return size, size
    size = parse_span(window)
    return size, (parse_span(step) if step is not None else (1, size[1]))


def time_windows(
    dates: Iterable,
    *,
    freq: str = "month",
    window: str | None = None,
    step: str | None = None,
    cumulative: bool = False,
    start: Any = None,
    end: Any = None,
) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Return the calendar-aligned windows ``[(window_start, window_end), ...]`` covering ``dates``.

    Parameters
    ----------
    dates : iterable of timestamps
        Post dates (tz-aware, or naive = UTC); missing values are ignored.
    freq : str
        ``week``, ``month``, ``quarter``, ``year`` (or a pandas alias, see the module notes).
        Ignored when ``window`` or ``step`` is given.
    window, step : str, optional
        Rolling windows, e.g. ``window="3M", step="1M"``.
    cumulative : bool
        Every window starts at the first window's start.
    start, end : timestamp or str, optional
        Cover ``[start, end)`` instead of the span of ``dates``; ``start`` is moved back to the
        start of its step unit.

    Returns
    -------
    list of (Timestamp, Timestamp)
        UTC ``(window_start, window_end)`` pairs, ``window_end`` exclusive, in time order;
        empty when there is no date and no ``start``/``end``.

    Examples
    --------
    >>> w = time_windows(pd.to_datetime(["2024-03-31T23:30Z", "2024-05-02T08:00Z"]))
    >>> [(s.strftime("%Y-%m-%d"), e.strftime("%Y-%m-%d")) for s, e in w]
    [('2024-03-01', '2024-04-01'), ('2024-04-01', '2024-05-01'), ('2024-05-01', '2024-06-01')]
    """
    size, stride = _spans(freq, window, step)
    stamps = utc(dates).dropna()
    first = _oneutc(start, "start") if start is not None else (stamps.min() if len(stamps) else None)
    if end is not None:
        limit, inclusive = _oneutc(end, "end"), False
    elif len(stamps):
        limit, inclusive = stamps.max(), True
    else:
        limit, inclusive = None, True
    if first is None or limit is None:
        if first is None and limit is None:
            return []
        raise ConfigError("give both start and end when there are no dated posts")
    if not inclusive and limit <= first:
        raise ConfigError(f"end ({limit}) must come after start ({first})")
    anchor = _floor(first, stride[1])
    out: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    k = 0
    while True:
        lo = _add(anchor, k * stride[0], stride[1])
        hi = _add(lo, size[0], size[1])
        out.append((anchor if cumulative else lo, hi))
        if hi > limit or (not inclusive and hi == limit):
            return out
        k += 1
        if k >= _MAX_WINDOWS:
            raise ConfigError(f"more than {_MAX_WINDOWS} windows: choose a longer step")
