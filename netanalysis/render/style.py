"""Figure style for publication: journal column widths, fonts, colour-blind-safe palettes.

The style is applied with :func:`figure_style` (an ``rc_context``) inside each plotting
function, never globally, and figures are created with :class:`matplotlib.figure.Figure`
on an Agg canvas, not through pyplot, so no global figure state is touched.
"""

from __future__ import annotations

import matplotlib
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from netanalysis.errors import ConfigError
from netanalysis.render.palette import OKABE_ITO, SIDE_COLORS, TOL_MUTED
from netanalysis.render.sizes import COLUMN_WIDTHS, parse_size

__all__ = [
    "OKABE_ITO",
    "TOL_MUTED",
    "SIDE_COLORS",
    "EDGE_COLOR",
    "COLUMN_WIDTHS",
    "PAGE_HEIGHT",
    "freeze_layout",
    "FONT_FAMILY",
    "figure_style",
    "figure_width",
    "parse_size",
    "new_axes",
    "categorical_colors",
    "renderer_of",
    "window_title",
]

EDGE_COLOR = "#7f7f7f"
#: The tallest figure that fits a journal page with its caption (inches).
PAGE_HEIGHT = 9.7
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
        # One weight and one style of one font: a PDF embeds each it uses (bold doubles the
        # time spent embedding fonts, and journals set figure titles in their captions anyway).
        "axes.titleweight": "normal",
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


#: Resolution at which :func:`freeze_layout` measures text (that of the saved PNGs).
LAYOUT_DPI = 300


def execute_layout(fig: Figure) -> None:
    """Run the figure's layout engine (if any) with text measured at :data:`LAYOUT_DPI`.

    Hinted text is wider at the PNG's 300 dpi than on a 100-dpi canvas: a layout measured on
    the canvas leaves the outermost labels (a heatmap's row title, end labels) a few pixels off
    the saved page.
    """
    engine = fig.get_layout_engine()
    if engine is None:
        return
    old = fig.dpi
    fig.dpi = LAYOUT_DPI
    try:
        engine.execute(fig)
    finally:
        fig.dpi = old


def freeze_layout(fig: Figure, *, execute: bool = True) -> None:
    """Run the figure's layout engine once more and switch it off.

    Labels are placed in display units after the layout has settled; a layout run again when the
    figure is saved would move the axes under them. Without an engine, saving also skips the
    extra drawing pass matplotlib makes to lay a figure out: each format is drawn once. With
    ``execute=False`` the layout is taken as it stands (the caller has just settled it).
    """
    engine = fig.get_layout_engine()
    if engine is not None:
        if execute:
            execute_layout(fig)
        with matplotlib.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
            fig.set_layout_engine(None)


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
