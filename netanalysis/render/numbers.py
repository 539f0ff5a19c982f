"""Counts as the pages and the methods write them.

One convention for every count a reader sees in ``report.html``, its methods and the explorer:
whole numbers as they are below 10,000 and with their thousands grouped from there (``9999``,
``431,881``, ``1,000,000``), so that a million-post report reads as one. (The heatmap's cells,
where four characters is all there is room for, shorten them instead:
:func:`netanalysis.render.heatmap.compact_count`.)
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["fixed", "whole"]


def fixed(value: Any, digits: int = 2) -> str:
    """A number with ``digits`` decimals, never a signed zero (a modularity of -0.0004 is
    ``0.00``, not ``-0.00``); ``n/a`` for what is not a number.

    Examples
    --------
    >>> [fixed(v) for v in (0.254, -0.0004, -0.5, None, "x")]
    ['0.25', '0.00', '-0.50', 'n/a', 'n/a']
    """
    try:
        text = f"{float(value):.{digits}f}"
    except (TypeError, ValueError):
        return "n/a"
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text


def whole(value: Any) -> str:
    """A count: grouped by thousands from 10,000; a float that is a whole number as one; ``–``
    for a missing value; anything else as ``str``.

    Examples
    --------
    >>> [whole(v) for v in (7, 9999, 10000, 431881, 1_000_000.0, -25000, None, float("nan"), 2.5)]
    ['7', '9999', '10,000', '431,881', '1,000,000', '-25,000', '–', '–', '2.5']
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool):
        return str(value)
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return str(value)
    if number != value:
        return str(value)
    return f"{number:,}" if abs(number) >= 10_000 else str(number)
