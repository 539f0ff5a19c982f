"""Figure style for publication: journal column widths, fonts, colour-blind-safe palettes.

The style is applied with :func:`figure_style` (an ``rc_context``) inside each plotting
function, never globally, and figures are created with :class:`matplotlib.figure.Figure`
on an Agg canvas, not through pyplot, so no global figure state is touched.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from netanalysis.errors import ConfigError

__all__ = [
    "OKABE_ITO",
    "TOL_MUTED",
    "SIDE_COLORS",
    "EDGE_COLOR",
    "COLUMN_WIDTHS",
    "FONT_FAMILY",
    "figure_style",
    "figure_width",
    "new_axes",
    "categorical_colors",
    "renderer_of",
    "window_title",
]

#: Okabe & Ito (2008) colour-blind-safe palette, black left out (used for text).
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#F0E442")
#: Countries blue, forums vermillion (Okabe–Ito); forums are also drawn as squares.
#: Paul Tol's "muted" qualitative palette (colour-blind safe), for many lines at once.
TOL_MUTED = ("#332288", "#CC6677", "#117733", "#DDCC77", "#88CCEE", "#882255", "#44AA99", "#999933", "#AA4499")
SIDE_COLORS = {"country": "#0072B2", "forum": "#D55E00"}
EDGE_COLOR = "#7f7f7f"
#: Figure widths in inches: a journal's single and double column.
COLUMN_WIDTHS = {"single": 3.5, "double": 7.2}
#: DejaVu Sans ships with matplotlib and covers Latin, Greek and Cyrillic.
FONT_FAMILY = "DejaVu Sans"


def figure_style(font_size: float = 7.0) -> dict:
    """rcParams for a publication figure with body text of ``font_size`` points."""
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [FONT_FAMILY],
        "font.size": font_size,
        "axes.titlesize": font_size + 1,
        "axes.labelsize": font_size,
        "xtick.labelsize": font_size - 0.5,
        "ytick.labelsize": font_size - 0.5,
        "legend.fontsize": font_size - 0.5,
        "legend.title_fontsize": font_size,
        "legend.frameon": False,
        "axes.linewidth": 0.6,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "xtick.major.width": 0.6,
        "ytick.major.width": 0.6,
        "xtick.major.size": 2.5,
        "ytick.major.size": 2.5,
        "lines.linewidth": 1.2,
        "axes.titlelocation": "left",
        "axes.titleweight": "bold",
        "figure.dpi": 100,
        "savefig.dpi": 300,
        "pdf.fonttype": 42,  # TrueType: text stays text in PDF (journals ask for this)
        "ps.fonttype": 42,
        "svg.fonttype": "path",  # SVG looks the same without the fonts installed
        "svg.hashsalt": "netanalysis",
        "image.cmap": "cividis",
    }


def figure_width(size: str | float | tuple[float, float]) -> float:
    """Width in inches for ``size``: ``"single"`` (3.5), ``"double"`` (7.2), a number or (w, h)."""
    if isinstance(size, str):
        try:
            return COLUMN_WIDTHS[size]
        except KeyError:
            raise ConfigError(
                f"unknown figure size {size!r}; expected 'single', 'double', a width in inches or (width, height)"
            ) from None
    if isinstance(size, tuple):
        return float(size[0])
    return float(size)


def new_axes(
    ax: Axes | None,
    size: str | float | tuple[float, float],
    height: float,
) -> tuple[Figure, Axes]:
    """The figure and axes to draw on: ``ax`` itself, or a new single-axes figure.

    A new figure has the width of ``size`` and ``height`` inches (unless ``size`` is a
    ``(width, height)`` tuple), constrained layout, and an Agg canvas (no pyplot).
    """
    if ax is not None:
        return ax.figure, ax
    width = figure_width(size)
    if isinstance(size, tuple):
        height = float(size[1])
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    fig.get_layout_engine().set(w_pad=0.02, h_pad=0.02, wspace=0.02, hspace=0.02)
    return fig, fig.add_subplot()


def categorical_colors(n: int) -> list[str]:
    """``n`` colours: Okabe–Ito first, then grey for the rest (the long tail of categories)."""
    return [OKABE_ITO[i] if i < len(OKABE_ITO) else "#BBBBBB" for i in range(n)]


def renderer_of(fig: Figure):
    """A renderer that measures text for ``fig`` (Agg unless the canvas has its own)."""
    get = getattr(fig.canvas, "get_renderer", None)
    if get is not None:
        return get()
    from matplotlib.backends.backend_agg import RendererAgg

    w, h = fig.get_size_inches() * fig.dpi
    return RendererAgg(int(w), int(h), fig.dpi)


def window_title(start: pd.Timestamp, end: pd.Timestamp | None) -> str:
    """A short title for a window: ``Apr 2024``, ``Apr–Jun 2024`` or ``2024-04-08 – 05-07``.

    ``end`` is taken as exclusive when it falls on the first day of a month at midnight.

    Examples
    --------
    >>> window_title(pd.Timestamp("2024-04-01", tz="UTC"), pd.Timestamp("2024-05-01", tz="UTC"))
    'Apr 2024'
    >>> window_title(pd.Timestamp("2024-04-01", tz="UTC"), pd.Timestamp("2024-07-01", tz="UTC"))
    'Apr–Jun 2024'
    """
    start = pd.Timestamp(start)
    if end is None or pd.isna(end):
        return f"from {start:%Y-%m-%d}"
    end = pd.Timestamp(end)
    month_start = start.day == 1 and start == start.normalize()
    if month_start and end.day == 1 and end == end.normalize():
        last = end - pd.Timedelta(days=1)
    elif month_start and end.is_month_end:
        last = end
    else:
        year = "" if start.year == end.year else f"{end.year}-"
        return f"{start:%Y-%m-%d} – {year}{end:%m-%d}"
    if (start.year, start.month) == (last.year, last.month):
        return f"{start:%b %Y}"
    if start.year == last.year:
        return f"{start:%b}–{last:%b %Y}"
    return f"{start:%b %Y}–{last:%b %Y}"
