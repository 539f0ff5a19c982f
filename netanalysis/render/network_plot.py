"""Static drawings of the country–forum network: two columns, a force layout, or the overlay view.

Positions come from :func:`netanalysis.analysis.plotdata.network_layout`; this module only
draws them. Node area follows a measure (``strength`` by default, the measure the explorer and
the Gephi files size nodes by too) and edge width the co-mention weight. Every node is named or
counted: the force layout places a label for every node without overlap (its short form, the
ISO code or forum id, where the name finds no room), and a note says how many are left
unnamed when even that fails; the two-column drawing shrinks its labels to fit its rows and
says how many it leaves out when they still do not fit.

The overlay view colours each node of the force layout by the average date of the posts that
mention it (or its first mention), with a colour bar: the compact answer to many panels.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Mapping

import matplotlib
import matplotlib.dates as mdates
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize, to_hex
from matplotlib.figure import Figure

from netanalysis.analysis.plotdata import network_layout, node_communities, node_values, sides
from netanalysis.errors import GraphError
from netanalysis.render.graph_style import area_range, network_sizes
from netanalysis.render.network_draw import (
    community_handles,
    draw_edges,
    draw_nodes,
    label_bipartite,
    label_everything,
    node_colors,
    non_member_handle,
    side_handles,
    size_handles,
)
from netanalysis.render.style import (
    LAYOUT_DPI,
    PAGE_HEIGHT,
    execute_layout,
    figure_style,
    figure_width,
    freeze_layout,
    new_axes,
    renderer_of,
)

__all__ = ["plot_network", "plot_network_overlay", "network_sizes", "area_range", "COLOR_BY"]

log = logging.getLogger(__name__)

#: What node colour can encode.
COLOR_BY = ("side", "community", "date")
#: The colour map of dates (perceptually uniform, colour-blind safe, light = late).
DATE_CMAP = "viridis"


def _date_colors(
    G: nx.Graph, dates: pd.DataFrame, field: str
) -> tuple[dict[Hashable, str], ScalarMappable | None, int]:
    """Colours from each node's date; the mappable for the colour bar; nodes without a date.

    The colour scale spans the 5th to the 95th percentile of the nodes' dates (a node or two
    named once at either end of the period would otherwise squeeze everyone else into one
    colour); the colour bar's arrows say that dates beyond take the end colours.
    """
    when = pd.to_datetime(dates.set_index("node")[field], utc=True)
    known = {n: when.get(n) for n in G.nodes if n in when.index and pd.notna(when.get(n))}
    if not known:
        return {}, None, G.number_of_nodes()
    numbers = {n: mdates.date2num(t.tz_convert("UTC").tz_localize(None)) for n, t in known.items()}
    values = np.array(sorted(numbers.values()))
    lo, hi = np.percentile(values, [5, 95]) if len(values) >= 20 else (values.min(), values.max())
    norm = Normalize(float(lo), float(hi) if hi > lo else float(lo) + 1)
    cmap = matplotlib.colormaps[DATE_CMAP]
    colors = {n: to_hex(cmap(norm(v))) for n, v in numbers.items()}
    mappable = ScalarMappable(norm=norm, cmap=cmap)
    mappable.netanalysis_extend = "both" if (values.min() < lo or values.max() > hi) else "neither"
    return colors, mappable, G.number_of_nodes() - len(known)


def _fit_bipartite_font(ax: Axes, G: nx.Graph, font_size: float) -> tuple[float, int]:
    """The label size that fits every row of the taller column (not below 5 pt), and how many
    labels fit per column at that size."""
    height_pt = ax.get_window_extent(renderer_of(ax.figure)).height * 72 / ax.figure.dpi
    countries, forums = sides(G)
    rows = max(len(countries), len(forums), 1)
    size = float(np.clip(height_pt / ((rows + 1) * 1.18), 5.0, font_size))
    return size, int(height_pt / (size * 1.18))


def plot_network(
    G: nx.Graph,
    *,
    layout: str = "bipartite",
    size_by: str = "strength",
    color_by: str = "side",
    centrality: pd.DataFrame | None = None,
    dates: pd.DataFrame | None = None,
    date_field: str = "mean_date",
    ax: Axes | None = None,
    seed: int = 0,
    max_labels: int | None = None,
    size: str | float | tuple[float, float] = "double",
    font_size: float = 7.0,
    weight: str = "weight",
    title: str | None = None,
) -> Figure:
    """Draw the bipartite country–forum network.

    Parameters
    ----------
    G : nx.Graph
        Bipartite co-mention graph (``bipartite``/``label`` node attributes, ``weight`` edges).
    layout : {"bipartite", "force"}
        Two columns (countries left, forums right, ordered to reduce crossings) or a seeded
        spring layout. See :func:`netanalysis.analysis.plotdata.network_layout`.
    size_by : str
        Node area measure: a column of ``centrality`` or one of ``strength``, ``degree``,
        ``posts``, ``pagerank``, ``betweenness``, ``eigenvector``. A key shows three sizes.
    color_by : {"side", "community", "date"}
        Colour by side, by community (``centrality["community"]``: ``nodes.csv``'s numbers;
        else greedy modularity) or by date (``dates``, the overlay view).
    centrality : DataFrame, optional
        Centrality table with a ``node`` column.
    dates : DataFrame, optional
        :func:`~netanalysis.analysis.plotdata.node_dates` of the graph's nodes (``color_by="date"``).
    date_field : {"mean_date", "first_date", "last_date"}
        Which date colours the nodes.
    ax : Axes, optional
        Draw into this axes; otherwise a new figure of width ``size`` is made.
    seed : int
        Seed of the force layout.
    max_labels : int, optional
        Most node labels (the top nodes by ``size_by``). By default every node: the force
        layout places them all (short forms where names find no room); the two columns label
        as many as their rows hold. A note under the drawing says how many are left unnamed.
    size : {"single", "double"} or float or (float, float)
        Figure width (3.5 or 7.2 inches, or explicit); the height follows the graph and never
        exceeds a journal page (9.7 in).
    font_size : float
        Label size in points (minor nodes of the force layout get 1.5 pt less).

    Returns
    -------
    Figure
        ``fig.netanalysis_labels`` holds the label counts (``labelled``, ``short``, ``unlabelled``).
    """
    if layout not in ("bipartite", "force"):
        raise GraphError(f"unknown layout {layout!r}; expected 'bipartite' or 'force'")
    if color_by not in COLOR_BY:
        raise GraphError(f"unknown color_by {color_by!r}; expected one of {', '.join(COLOR_BY)}")
    if color_by == "date" and dates is None:
        raise GraphError("color_by='date' needs the nodes' dates (dates=node_dates(...))")
    with matplotlib.rc_context(figure_style(font_size)):
        pos = network_layout(G, layout, seed=seed, weight=weight)
        values = node_values(G, size_by, centrality=centrality, weight=weight)
        countries, forums = sides(G)
        rows = max(len(countries), len(forums), 1)
        width = figure_width(size)
        if layout == "bipartite":
            height = float(np.clip(0.16 * rows + 0.9, 2.4, PAGE_HEIGHT - 0.3))
        else:
            height = min(width * 0.78 + 0.9, PAGE_HEIGHT)
        fig, ax = new_axes(ax, size, height)
        ax.set_axis_off()
        if title:
            ax.set_title(title)
        communities = node_communities(G, centrality=centrality, weight=weight) if color_by == "community" else None
        date_colors: dict[Hashable, str] = {}
        mappable: ScalarMappable | None = None
        undated = 0
        if color_by == "date":
            assert dates is not None
            date_colors, mappable, undated = _date_colors(G, dates, date_field)
        areas = network_sizes(G, values, layout, fig.get_size_inches()[1])
        lo, hi = area_range(G, layout, fig.get_size_inches()[1])
        draw_edges(ax, G, pos, weight=weight, wmax=None)
        draw_nodes(ax, G, pos, areas, node_colors(G, color_by, communities, date_colors))

        def legend(ncols: int | None = None) -> int:
            return _legend(ax, G, size_by, values, communities, lo=lo, hi=hi, hollow=color_by == "date", ncols=ncols)

        ncols = legend()
        if mappable is not None:
            _date_bar(fig, ax, mappable, date_field, undated)
        if layout == "bipartite":
            ax.set_ylim(-0.04, 1.06)
            ax.set_xlim(-0.3, 1.3)  # provisional; label_bipartite fits it to the labels
            ax.text(0.0, 1.045, "Countries", ha="center", va="bottom")
            ax.text(1.0, 1.045, "Forums", ha="center", va="bottom")
        else:
            ax.set_xlim(-1.12, 1.12)
            ax.set_ylim(-1.12, 1.12)
        _settle(fig, ax, legend, ncols)
        ranked = sorted(values.index, key=lambda n: (-float(values[n]), str(n)))
        if max_labels is not None:
            ranked = ranked[: max(max_labels, 0)]
        if layout == "bipartite":
            counts = _label_columns(ax, G, pos, ranked, font_size, areas)
        else:
            major = max(8, len(ranked) // 3)
            counts = label_everything(
                ax, G, pos, ranked, areas, font_size=font_size, small_font=max(font_size - 1.5, 5.0), major=major
            )
        counts["unlabelled"] += G.number_of_nodes() - len(ranked)
        if counts["unlabelled"] or counts["short"]:
            _label_note(ax, counts, G.number_of_nodes())
        fig.netanalysis_labels = counts
    log.debug("plot_network: %d nodes, %d edges, labels %s", G.number_of_nodes(), G.number_of_edges(), counts)
    return fig


def _label_columns(
    ax: Axes, G: nx.Graph, pos: Mapping, ranked: list, font_size: float, areas: Mapping
) -> dict[str, int]:
    size, per_column = _fit_bipartite_font(ax, G, font_size)
    countries, _ = sides(G)
    cset = set(countries)
    chosen = [n for n in ranked if n in cset][:per_column] + [n for n in ranked if n not in cset][:per_column]
    label_bipartite(ax, G, pos, chosen, size, areas)
    return {"labelled": len(chosen), "short": 0, "unlabelled": len(ranked) - len(chosen)}


def _label_note(ax: Axes, counts: Mapping[str, int], total: int) -> None:
    parts = []
    if counts["short"]:
        parts.append(f"{counts['short']} labelled by ISO code or forum id")
    if counts["unlabelled"]:
        parts.append(f"{counts['unlabelled']} of {total} nodes unlabelled (no room; all are in nodes.csv)")
    ax.set_title("; ".join(parts), loc="right", fontsize=5.5, color="#555555", fontweight="normal")


def _legend(
    ax: Axes,
    G: nx.Graph,
    size_by: str,
    values: pd.Series,
    communities: pd.Series | None,
    *,
    lo: float,
    hi: float,
    hollow: bool = False,
    ncols: int | None = None,
) -> int:
    """Put the legend under the axes (in ``ncols`` columns, or as many as fit the figure's width
    by default); returns its number of columns."""
    if communities is not None:
        handles = community_handles(communities) + side_handles(hollow=True)
    else:
        handles = side_handles(hollow=hollow)
    handles += non_member_handle(G)
    sizes = size_handles(values, lo=lo, hi=hi)
    measure = size_by.replace("_", " ")
    for handle in sizes:
        handle.set_label(f"{measure} {handle.get_label()}")
    width = ax.figure.get_size_inches()[0]
    ncols = ncols or min(len(handles + sizes), 6 if width > 5 else 3)
    # one legend: a second one added with add_artist is left out of the layout (and cut off)
    ax.legend(
        handles=handles + sizes,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncols=ncols,
        handletextpad=0.2,
        columnspacing=0.9,
        borderaxespad=0.2,
        title=f"Node area: {measure}; edge width: co-mention posts",
    )
    return ncols


def _settle(fig: Figure, ax: Axes, legend: Callable[[int], object], ncols: int) -> None:
    """Lay the figure out and freeze the layout, the legend in fewer columns while it runs past
    an edge of the figure: centred under the axes, which a date bar moves left, six columns of
    wide size labels ("strength 5,000,000" at a million benchmark posts) ran past the left edge
    and were cut there. A legend that fits is left as it was."""
    items = len(ax.get_legend().get_texts())
    # fewer columns, in rows as even as can be (six items: 3 columns of 2 rows, then 2 of 3...)
    fewer = sorted({-(-items // rows) for rows in range(2, items + 1)} & set(range(1, ncols)), reverse=True)
    execute_layout(fig)
    for smaller in fewer:
        if _within(fig, ax.get_legend()):
            break
        legend(smaller)  # (made anew: a legend lays its columns out when it is made)
        execute_layout(fig)
    freeze_layout(fig, execute=False)


def _within(fig: Figure, artist: Artist) -> bool:
    """Whether ``artist`` lies between the figure's left and right edges, measured at the
    layout's resolution."""
    old = fig.dpi
    fig.dpi = LAYOUT_DPI
    try:
        box = artist.get_window_extent(renderer_of(fig)).transformed(fig.transFigure.inverted())
    finally:
        fig.dpi = old
    return bool(box.x0 >= -1e-3 and box.x1 <= 1 + 1e-3)


def _date_bar(fig: Figure, ax: Axes, mappable: ScalarMappable, field: str, undated: int) -> None:
    extend = getattr(mappable, "netanalysis_extend", "neither")
    bar = fig.colorbar(
        mappable, ax=ax, orientation="vertical", fraction=0.03, pad=0.01, aspect=25, shrink=0.7, extend=extend
    )
    locator = mdates.AutoDateLocator(minticks=3, maxticks=6)
    bar.ax.yaxis.set_major_locator(locator)
    # months while the ticks are a month or more apart; days when they are closer (nodes whose
    # average dates lie within a month were all labelled with the same month); the hour under
    # the day when they are hours or minutes apart, the year always written (the average dates
    # of a large corpus's nodes can all fall within a day, and a bar without the year does not
    # say which day)
    # (AutoDateFormatter takes the format of the smallest scale, in days, at least the ticks' unit)
    formatter = mdates.AutoDateFormatter(locator, defaultfmt="%b %Y")
    formatter.scaled = {
        1 / 24: "%d %b %Y\n%H:%M",
        7: "%d %b %Y",
        mdates.DAYS_PER_MONTH: "%b %Y",
    }
    bar.ax.yaxis.set_major_formatter(formatter)
    name = {"mean_date": "Average date of mention", "first_date": "First mention", "last_date": "Last mention"}
    label = name.get(field, field)
    if extend != "neither":
        label += " (5th–95th percentile)"
    if undated:
        label += f"\n(grey: {undated} never dated)"
    bar.set_label(label)
    bar.outline.set_linewidth(0.4)


def plot_network_overlay(
    G: nx.Graph,
    dates: pd.DataFrame,
    *,
    field: str = "mean_date",
    centrality: pd.DataFrame | None = None,
    size_by: str = "strength",
    seed: int = 0,
    size: str | float | tuple[float, float] = "double",
    font_size: float = 7.0,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """The overlay view: the force layout of :func:`plot_network` (same positions, sizes and
    labels) with each node coloured by the average date of the posts that mention it
    (``field="first_date"``: by its first mention), and a colour bar.

    Parameters
    ----------
    G : nx.Graph
        The whole-period co-mention graph.
    dates : DataFrame
        :func:`~netanalysis.analysis.plotdata.node_dates` (``node``, ``mean_date``, ``first_date``...).

    Returns
    -------
    Figure
    """
    return plot_network(
        G,
        layout="force",
        color_by="date",
        dates=dates,
        date_field=field,
        centrality=centrality,
        size_by=size_by,
        seed=seed,
        size=size,
        font_size=font_size,
        ax=ax,
        title=title,
    )
