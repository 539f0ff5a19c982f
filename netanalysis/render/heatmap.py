"""The country × forum heatmap: which countries are mentioned with which forums, how often.

Counts are drawn on a log scale by default: one dominant pair (the channel's own country with
the UN) would otherwise make every other cell the same colour. Association strength (observed
over expected co-mentions) is drawn on a log scale centred on 1 with a diverging colour map, so
pairs named together more often than chance and less often than chance read apart. A note
under the matrix names the country and the forum in the most co-mentions and their share.
"""

from __future__ import annotations

import matplotlib
import networkx as nx
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm, Normalize, to_rgb
from matplotlib.figure import Figure

from netanalysis.analysis.plotdata import heatmap_matrix
from netanalysis.config import HEATMAP_VALUES
from netanalysis.errors import GraphError
from netanalysis.render.style import PAGE_HEIGHT, figure_style, figure_width, freeze_layout, new_axes, renderer_of

__all__ = ["plot_heatmap", "compact_count", "VALUE_LABELS", "HEATMAP_VALUES"]


#: Colour bar labels for the edge attributes the graph carries.
VALUE_LABELS = {
    "weight": "Posts mentioning both",
    "assoc_strength": "Association strength",
    "jaccard": "Jaccard similarity",
    "npmi": "NPMI",
}

_EMPTY = "#F4F4F4"


def _luminance(rgb: tuple[float, float, float]) -> float:
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def compact_count(n: int) -> str:
    """A count in at most four characters, so that it fits a heatmap cell: as it is below
    10,000, else in thousands (``84k``) or millions (``1.2M``, ``12M``).

    Examples
    --------
    >>> [compact_count(n) for n in (7, 9999, 10000, 83618, 999499, 999500, 1234567, 12345678)]
    ['7', '9999', '10k', '84k', '999k', '1M', '1.2M', '12M']
    """
    if abs(n) < 10_000:
        return str(n)
    if abs(n) < 999_500:
        return f"{n / 1000:.0f}k"
    if abs(n) < 9_950_000:
        return f"{n / 1e6:.1f}".removesuffix(".0") + "M"
    return f"{n / 1e6:.0f}M"


#: What the axis says when some counts are written as :func:`compact_count` shortens them.
COMPACT_NOTE = "counts from 10,000 in thousands (k) or millions (M)"


#: The smallest font (points) a cell's value is written in; smaller cells get no value.
_SMALLEST_FONT = 3.5


def _format(value: float, integer: bool) -> str:
    if integer:
        return compact_count(int(round(value)))
    # Two decimals without the leading zero (".29", "-.10") so values fit small cells.
    text = f"{value:.2f}".replace("-0.00", "0.00")
    return text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text


def plot_heatmap(
    G: nx.Graph,
    *,
    value: str = "weight",
    ax: Axes | None = None,
    order: str = "spectral",
    annotate: bool | None = None,
    max_rows: int = 45,
    max_cols: int = 30,
    cmap: str | None = None,
    scale: str | None = None,
    size: str | float | tuple[float, float] = "single",
    font_size: float = 7.0,
    title: str | None = None,
) -> Figure:
    """Draw the country × forum matrix of an edge attribute.

    Rows (countries) and columns (forums) are ordered by
    :func:`netanalysis.analysis.plotdata.heatmap_matrix` so blocks of countries that share
    forums sit together. Pairs never mentioned together are light grey, not the colour of
    zero, so absence reads as absence.

    Parameters
    ----------
    G : nx.Graph
        Bipartite co-mention graph.
    value : str
        Edge attribute to show: ``weight`` (posts), ``assoc_strength``, ``jaccard``, ``npmi``.
    ax : Axes, optional
        Draw into this axes; otherwise a new figure whose height follows the row count.
    order : {"spectral", "weight", "alphabetical"}
        Row and column order.
    annotate : bool, optional
        Write the value in each non-empty cell; by default when the matrix has at most
        40 rows and 25 columns.
    max_rows, max_cols : int
        Show only the heaviest countries and forums (the axis labels say how many of how many).
    cmap : str, optional
        The colour map: ``cividis`` for counts and similarities, ``PuOr_r`` (diverging) for
        association strength, by default.
    scale : {"log", "linear"}, optional
        Colour scale: ``log`` by default for ``weight`` and ``assoc_strength`` (centred on 1),
        ``linear`` for the others.
    size : {"single", "double"} or float or (float, float)
        Figure width.

    Returns
    -------
    Figure

    Raises
    ------
    GraphError
        When the graph has no country or no forum.
    """
    with matplotlib.rc_context(figure_style(font_size)):
        matrix = heatmap_matrix(G, value, order=order, max_rows=max_rows, max_cols=max_cols)
        labels = matrix.attrs["labels"]
        n_rows, n_cols = matrix.shape
        if n_rows == 0 or n_cols == 0:
            raise GraphError("cannot draw a heatmap: the graph has no countries or no forums")
        scale = scale or ("log" if value in ("weight", "assoc_strength") else "linear")
        # Roughly square cells: the column width sets the row height (within readable bounds),
        # and the whole matrix stays within a page.
        # Cells about square: the width left beside the row labels and the colour bar sets the
        # cell, the cell sets the figure's height (within a page; past it cells get flatter).
        longest = max((len(labels[r]) for r in matrix.index), default=4)
        label_in = min(0.07 * longest * font_size / 7 + 0.35, 2.0)
        cell = float(np.clip((figure_width(size) - label_in - 0.75) / max(n_cols, 1), 0.08, 0.22))
        tallest = max((len(labels[c]) for c in matrix.columns), default=4) * 0.055 * font_size / 7
        new_figure = ax is None
        fig, ax = new_axes(ax, size, float(np.clip(n_rows * cell + tallest + 0.75, 1.8, PAGE_HEIGHT)))
        data = matrix.to_numpy(dtype=float)
        empty = ~np.isfinite(data) | ((data == 0) & (value != "npmi"))
        if scale == "log":
            empty |= data <= 0
        shown = np.ma.masked_where(empty, data)
        norm = _norm(data[~empty], value, scale)
        colormap = matplotlib.colormaps[cmap or ("PuOr_r" if value == "assoc_strength" else "cividis")]
        colormap = colormap.with_extremes(bad=_EMPTY)
        mesh = ax.pcolormesh(
            np.arange(n_cols + 1),
            np.arange(n_rows + 1),
            shown,
            cmap=colormap,
            norm=norm,
            edgecolors="white",
            linewidth=0.4,
        )
        ax.set_xlim(0, n_cols)
        ax.set_ylim(n_rows, 0)
        ax.set_xticks(
            np.arange(n_cols) + 0.5,
            [labels[c] for c in matrix.columns],
            rotation=60,
            ha="right",
            rotation_mode="anchor",
        )
        ax.set_yticks(np.arange(n_rows) + 0.5, [labels[r] for r in matrix.index])
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        total_r, total_c = matrix.attrs["total_rows"], matrix.attrs["total_cols"]
        ax.set_ylabel("Country" if n_rows == total_r else f"Country (top {n_rows} of {total_r})")
        xlabel = "Forum" if n_cols == total_c else f"Forum (top {n_cols} of {total_c})"
        ax.set_xlabel(xlabel + _dominance_note(matrix))
        if title:
            ax.set_title(title)
        if annotate is None:
            annotate = n_rows <= 40 and n_cols <= 25
        texts: list = []
        if annotate:
            texts, compacted = _annotate(ax, data, shown, colormap, norm, value, font_size)
            if compacted:
                ax.set_xlabel(ax.get_xlabel() + "\n" + COMPACT_NOTE[:1].upper() + COMPACT_NOTE[1:])
        # The colour bar hangs off the axes itself (an inset), so it stays beside the matrix
        # however the square cells shrink the axes.
        tall = float(np.clip(6 / max(n_rows, 1), 0.35, 1.0))
        cax = ax.inset_axes([1.03, 0.5 - tall / 2, 0.045 * min(1.0, 10 / max(n_cols, 1)) + 0.02, tall])
        bar = fig.colorbar(mesh, cax=cax)
        name = VALUE_LABELS.get(value, value.replace("_", " "))
        bar.set_label(name + (" (log scale)" if scale == "log" else ""))
        bar.outline.set_linewidth(0.4)
        if scale == "log":
            _log_ticks(bar, norm)
        elif value == "weight" and norm.vmax <= 12:
            bar.set_ticks(np.arange(0, int(norm.vmax) + 1, max(1, int(norm.vmax) // 6 or 1)))
        if new_figure:
            freeze_layout(fig)
        if texts and not _fit_to_cells(ax, texts):
            ax.set_xlabel(ax.get_xlabel().replace("\n" + COMPACT_NOTE[:1].upper() + COMPACT_NOTE[1:], ""))
    return fig


def _norm(values: np.ndarray, value: str, scale: str) -> Normalize:
    """The colour scale: NPMI fixed at -1..1; log counts from 1; association strength on a log
    scale symmetric around 1 (as far below 1 as above it)."""
    if value == "npmi":
        return Normalize(-1.0, 1.0)
    top = float(values.max()) if values.size else 1.0
    if scale != "log":
        return Normalize(0.0, top if top > 0 else 1.0)
    if value == "assoc_strength":
        low = float(values.min()) if values.size else 1.0
        reach = max(top, 1.0 / low if low > 0 else 1.0, 2.0)
        return LogNorm(1.0 / reach, reach)
    low = min(float(values.min()) if values.size else 1.0, 1.0)
    low = low if low > 0 else 1.0
    return LogNorm(low, top if top > low else low * 10)


def _log_ticks(bar, norm: Normalize) -> None:
    ticks = [t * 10.0**k for k in range(-6, 7) for t in (1, 2, 5)]
    ticks = [t for t in ticks if norm.vmin <= t <= norm.vmax * 1.0001]
    if len(ticks) > 7:  # powers of ten only
        ticks = [t for t in ticks if abs(np.log10(t) - round(np.log10(t))) < 1e-9]
    bar.set_ticks(ticks, labels=[compact_count(int(t)) if t >= 10_000 else f"{t:g}" for t in ticks])
    bar.ax.minorticks_off()


def _dominance_note(matrix) -> str:
    parts = []
    for key in ("dominant_row", "dominant_col"):
        found = matrix.attrs.get(key)
        if found:
            _, label, share = found
            parts.append(f"{label} {share:.0%}")
    if not parts:
        return ""
    return "\nMost co-mentioned: " + ", ".join(parts) + " of all co-mention weight"


def _annotate(ax, data, shown, colormap, norm, value, font_size) -> tuple[list, bool]:
    """Write each cell's value in it; the texts, and whether some count was shortened
    (:func:`compact_count`)."""
    integer = value == "weight" and np.allclose(np.nan_to_num(data), np.round(np.nan_to_num(data)))
    empty = np.ma.getmaskarray(shown)
    n_rows, n_cols = data.shape
    texts = []
    for i in range(n_rows):
        for j in range(n_cols):
            if empty[i, j]:
                continue
            rgb = to_rgb(colormap(norm(data[i, j])))
            color = "black" if _luminance(rgb) > 0.3 else "white"
            texts.append(
                ax.text(
                    j + 0.5,
                    i + 0.5,
                    _format(data[i, j], integer),
                    ha="center",
                    va="center",
                    color=color,
                    fontsize=max(font_size - 1.5, 4.5),
                )
            )
    return texts, integer and bool(np.any(np.abs(np.where(empty, 0, data)) >= 10_000))


def _fit_to_cells(ax, texts: list) -> bool:
    """Make the cells' values small enough for the widest to fit a cell as the axes are laid
    out (at least :data:`_SMALLEST_FONT` points; when even that is too wide, the values go and
    the colour alone tells them: False)."""
    renderer = renderer_of(ax.figure)
    cell = abs(ax.transData.transform((1, 0))[0] - ax.transData.transform((0, 0))[0])
    widest = max(t.get_window_extent(renderer).width for t in texts)
    room = 0.88 * cell
    if widest <= room:
        return True
    size = texts[0].get_fontsize() * room / widest
    for t in texts:
        if size < _SMALLEST_FONT:
            t.remove()
        else:
            t.set_fontsize(size)
    return size >= _SMALLEST_FONT
