"""The country × forum heatmap: which countries are mentioned with which forums, how often."""

from __future__ import annotations

import matplotlib
import networkx as nx
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import Normalize, to_rgb
from matplotlib.figure import Figure

from netanalysis.analysis.plotdata import heatmap_matrix
from netanalysis.errors import GraphError
from netanalysis.render.style import figure_style, figure_width, new_axes

__all__ = ["plot_heatmap", "VALUE_LABELS"]

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


def _format(value: float, integer: bool) -> str:
    if integer:
        return f"{int(round(value))}"
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
    cmap: str = "cividis",
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
    cmap : str
        A perceptually uniform colormap (``cividis`` by default, or ``viridis``).
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
        # Roughly square cells: the column width sets the row height (within readable bounds).
        cell = min(0.2, max(0.11, (figure_width(size) - 1.8) / max(n_cols, 1)))
        new_figure = ax is None
        fig, ax = new_axes(ax, size, max(1.8, n_rows * cell + 1.2))
        data = matrix.to_numpy(dtype=float)
        shown = np.ma.masked_where(~np.isfinite(data) | ((data == 0) & (value != "npmi")), data)
        colormap = matplotlib.colormaps[cmap].with_extremes(bad=_EMPTY)
        if value == "npmi":
            norm = Normalize(-1.0, 1.0)
        else:
            top = float(np.nanmax(data)) if data.size and np.isfinite(data).any() else 1.0
            norm = Normalize(0.0, top if top > 0 else 1.0)
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
        if new_figure:
            ax.set_box_aspect(n_rows / max(n_cols, 1))  # square cells
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
        ax.set_xlabel("Forum" if n_cols == total_c else f"Forum (top {n_cols} of {total_c})")
        if title:
            ax.set_title(title)
        if annotate is None:
            annotate = n_rows <= 40 and n_cols <= 25
        if annotate:
            integer = value == "weight" and np.allclose(np.nan_to_num(data), np.round(np.nan_to_num(data)))
            empty = np.ma.getmaskarray(shown)
            for i in range(n_rows):
                for j in range(n_cols):
                    if empty[i, j]:
                        continue
                    rgb = to_rgb(colormap(norm(data[i, j])))
                    color = "black" if _luminance(rgb) > 0.3 else "white"
                    ax.text(
                        j + 0.5,
                        i + 0.5,
                        _format(data[i, j], integer),
                        ha="center",
                        va="center",
                        color=color,
                        fontsize=max(font_size - 1.5, 4.5),
                    )
        # The colour bar hangs off the axes itself (an inset), so it stays beside the matrix
        # however the square cells shrink the axes.
        tall = float(np.clip(6 / max(n_rows, 1), 0.35, 1.0))
        cax = ax.inset_axes([1.03, 0.5 - tall / 2, 0.045 * min(1.0, 10 / max(n_cols, 1)) + 0.02, tall])
        bar = fig.colorbar(mesh, cax=cax)
        bar.set_label(VALUE_LABELS.get(value, value.replace("_", " ")))
        bar.outline.set_linewidth(0.4)
        if value == "weight" and norm.vmax <= 12:
            bar.set_ticks(np.arange(0, int(norm.vmax) + 1, max(1, int(norm.vmax) // 6 or 1)))
    return fig
