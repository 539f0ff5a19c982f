"""Colours, markers and node sizes shared by the figures, the explorer and the Gephi files.

Plain data and arithmetic (no matplotlib), so that the graph files written for Gephi and the
explorer can take the same colours and sizes as the figures without loading a plotting library.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = [
    "OKABE_ITO",
    "TOL_MUTED",
    "SIDE_COLORS",
    "LINE_COLORS",
    "MARKERS",
    "OTHER_COLOR",
    "COMMUNITY_SHOWN",
    "community_color",
    "line_style",
    "scale",
    "marker_area_range",
    "node_areas",
    "diameter",
]

#: Okabe & Ito (2008) colour-blind-safe palette, black left out (used for text).
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#F0E442")
#: Paul Tol's "muted" qualitative palette (colour-blind safe).
TOL_MUTED = ("#332288", "#CC6677", "#117733", "#DDCC77", "#88CCEE", "#882255", "#44AA99", "#999933", "#AA4499")
#: Countries blue, forums vermillion (Okabe–Ito); forums are also drawn as squares.
SIDE_COLORS = {"country": "#0072B2", "forum": "#D55E00"}
#: Colours for lines and their labels: Okabe–Ito and Tol colours dark enough to read as text on
#: white (contrast >= 3:1), so a label takes exactly its line's colour. Under the common colour
#: vision deficiencies some pairs come close, hence the second encoding (:data:`MARKERS`).
LINE_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#332288", "#882255", "#117733", "#AA4499")
#: Marker shapes, the second encoding of lines (and of nothing else).
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "h")
#: Colour of the long tail of communities and of context lines.
OTHER_COLOR = "#BBBBBB"
#: Communities 0..COMMUNITY_SHOWN-1 get their own colour; the others share :data:`OTHER_COLOR`.
COMMUNITY_SHOWN = 7


def community_color(number: int) -> str:
    """The colour of community ``number`` (``nodes.csv``'s numbering) in every output.

    Examples
    --------
    >>> community_color(0), community_color(7), community_color(-1)
    ('#0072B2', '#BBBBBB', '#BBBBBB')
    """
    return OKABE_ITO[number] if 0 <= number < COMMUNITY_SHOWN else OTHER_COLOR


def line_style(i: int) -> dict[str, str]:
    """Colour, marker and line style of the ``i``-th highlighted line: no two lines of a figure
    share all three (colours cycle fastest, markers with them, dashes once both have cycled).

    Examples
    --------
    >>> line_style(0), line_style(8)["marker"], line_style(8)["color"] == line_style(0)["color"]
    ({'color': '#0072B2', 'marker': 'o', 'linestyle': '-'}, '>', True)
    """
    n = len(LINE_COLORS)
    dashes = ("-", "--", ":", "-.")
    return {
        "color": LINE_COLORS[i % n],
        "marker": MARKERS[i % len(MARKERS)],
        "linestyle": dashes[(i // (n * len(MARKERS))) % len(dashes)] if i >= n * len(MARKERS) else "-",
    }


def scale(values: Sequence[float] | np.ndarray, lo: float, hi: float, vmax: float | None = None) -> np.ndarray:
    """Map values linearly from ``[0, vmax]`` onto ``[lo, hi]`` (clipped; all ``lo`` when nothing
    is positive).

    Examples
    --------
    >>> scale([0, 5, 10], 1, 3).tolist()
    [1.0, 2.0, 3.0]
    """
    v = np.asarray(values, dtype=float)
    top = float(vmax if vmax is not None else (v.max() if len(v) else 0.0))
    if top <= 0:
        return np.full(len(v), float(lo))
    return lo + (hi - lo) * np.clip(v / top, 0.0, 1.0)


def marker_area_range(n: int) -> tuple[float, float]:
    """Smallest and largest node area (points²) for a network drawing of ``n`` nodes."""
    biggest = float(np.clip(9000.0 / max(n, 1), 16.0, 260.0))
    return biggest * 0.08, biggest


def node_areas(values: Sequence[float] | np.ndarray, n: int, vmax: float | None = None) -> np.ndarray:
    """Marker areas (points²) for node values, area proportional to the value above a floor.

    Examples
    --------
    >>> node_areas([0, 10], 100).round(1).tolist()
    [7.2, 90.0]
    """
    lo, hi = marker_area_range(n)
    return scale(values, lo, hi, vmax)


def diameter(area: float) -> float:
    """The width in points of a marker of ``area`` points² (matplotlib's ``s`` is the square of
    the marker's size in points)."""
    return math.sqrt(max(area, 0.0))
