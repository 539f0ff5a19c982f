"""Static drawings of the country–forum network: one graph, or small multiples over windows.

Positions come from :func:`netanalysis.analysis.plotdata.network_layout`; this module only
draws them. Countries are blue circles, forums vermillion squares (shape and colour both
encode the side, so the figure survives greyscale printing); node area follows a centrality
measure and edge width the co-mention weight.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Hashable, Mapping, Sequence

import matplotlib
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.transforms import ScaledTranslation

from netanalysis.analysis.plotdata import (
    network_layout,
    node_communities,
    node_label,
    node_values,
    sides,
    union_graph,
)
from netanalysis.errors import GraphError
from netanalysis.render.labels import repel_labels, spread_column_labels
from netanalysis.render.style import (
    EDGE_COLOR,
    SIDE_COLORS,
    categorical_colors,
    figure_style,
    figure_width,
    new_axes,
    renderer_of,
    window_title,
)

__all__ = ["plot_network", "plot_network_small_multiples"]

log = logging.getLogger(__name__)

_HALO = [patheffects.withStroke(linewidth=1.6, foreground="white")]
_FADED = "#D9D9D9"


def _scale(values: np.ndarray, lo: float, hi: float, vmax: float | None = None) -> np.ndarray:
    top = float(vmax if vmax is not None else (values.max() if len(values) else 0.0))
    if top <= 0:
        return np.full(len(values), lo)
    return lo + (hi - lo) * np.clip(values / top, 0.0, 1.0)


def _marker_sizes(n: int) -> tuple[float, float]:
    """Smallest and largest node area (points²) for a graph of ``n`` nodes."""
    biggest = float(np.clip(9000.0 / max(n, 1), 16.0, 260.0))
    return biggest * 0.08, biggest


def _edge_widths(n_edges: int) -> tuple[float, float, float]:
    """Thinnest and thickest edge (points) and edge alpha for ``n_edges`` edges."""
    if n_edges < 80:
        return 0.4, 4.0, 0.55
    if n_edges < 600:
        return 0.25, 2.2, 0.4
    return 0.15, 1.2, 0.25


def _draw_edges(
    ax: Axes, G: nx.Graph, pos: Mapping, *, weight: str, wmax: float | None, n_edges_hint: int | None = None
) -> None:
    edges = sorted(
        G.edges(data=True),
        key=lambda e: (float(e[2].get(weight, 1.0)), str(min(e[0], e[1], key=str)), str(max(e[0], e[1], key=str))),
    )
    if not edges:
        return
    w = np.array([float(d.get(weight, 1.0)) for _, _, d in edges])
    lo, hi, alpha = _edge_widths(n_edges_hint or len(edges))
    segments = [(pos[u], pos[v]) for u, v, _ in edges]
    # ties to a country that was not a member of the forum on any dated post (edge status): dashed
    styles = [(0, (2.0, 1.5)) if d.get("status") == "non_member" else "solid" for _, _, d in edges]
    ax.add_collection(
        LineCollection(
            segments,
            linewidths=_scale(w, lo, hi, wmax),
            colors=EDGE_COLOR,
            alpha=alpha,
            zorder=1,
            capstyle="butt",
            linestyles=styles,
        ),
        autolim=False,
    )


def _draw_nodes(ax: Axes, G: nx.Graph, pos: Mapping, areas: Mapping, colors: Mapping) -> None:
    countries, forums = sides(G)
    for nodes, marker in ((countries, "o"), (forums, "s")):
        if not nodes:
            continue
        # Big nodes first so small ones stay visible on top.
        nodes = sorted(nodes, key=lambda n: (-areas[n], str(n)))
        xy = np.array([pos[n] for n in nodes])
        ax.scatter(
            xy[:, 0],
            xy[:, 1],
            s=[areas[n] for n in nodes],
            marker=marker,
            c=[colors[n] for n in nodes],
            edgecolors="white",
            linewidths=0.4,
            zorder=2,
        )


def _labelled(values: pd.Series, k: int) -> list[Hashable]:
    ranked = sorted(values.index, key=lambda n: (-float(values[n]), str(n)))
    return ranked[: max(k, 0)]


def _label_bipartite(
    ax: Axes, G: nx.Graph, pos: Mapping, chosen: Sequence[Hashable], font_size: float, areas: Mapping
) -> list:
    """Labels beside the two columns (left of countries, right of forums), spread apart."""
    countries, _ = sides(G)
    cset = set(countries)
    fig = ax.figure
    renderer = renderer_of(fig)
    texts = {}
    for n in chosen:
        left = n in cset
        texts[n] = ax.text(
            *pos[n],
            node_label(G, n),
            ha="right" if left else "left",
            va="center",
            fontsize=font_size,
            zorder=3,
            clip_on=False,
        )
    # Widen the x range so the longest label of each column fits inside the axes.
    width = ax.get_window_extent(renderer).width
    # Each label starts just clear of its own marker (radius ~ sqrt(area) / 2 points).
    gaps = {n: (math.sqrt(areas.get(n, 0.0)) / 2 + 2.5) * fig.dpi / 72 for n in chosen}
    gap_px = max(gaps.values(), default=font_size * fig.dpi / 72)
    longest = {True: 0.0, False: 0.0}
    for n, t in texts.items():
        longest[n in cset] = max(longest[n in cset], t.get_window_extent(renderer).width)
    pa = (longest[True] + 2 * gap_px) / width
    pb = (longest[False] + 2 * gap_px) / width
    if pa + pb > 0.8:
        pa, pb = pa * 0.8 / (pa + pb), pb * 0.8 / (pa + pb)
    total = 1.0 / (1.0 - pa - pb)
    ax.set_xlim(-pa * total, 1.0 + pb * total)
    per_px = (1.0 + pa * total + pb * total) / width
    for n, t in texts.items():
        x, y = pos[n]
        dx = gaps[n] * per_px
        t.set_position((x - dx if n in cset else x + dx, y))
    lines = []
    for column in (True, False):
        col = [n for n in chosen if (n in cset) == column]
        spread_column_labels(ax, [texts[n] for n in col], pad=0.5)
        for n in col:
            x, y = pos[n]
            ty = texts[n].get_position()[1]
            if abs(ty - y) > 0.004:
                tx = texts[n].get_position()[0]
                lines.append([(x, y), ((x + tx) / 2, ty), (tx, ty)])
    if lines:
        ax.add_collection(LineCollection(lines, linewidths=0.3, colors="#555555", zorder=1.5), autolim=False)
    return list(texts.values())


def _label_force(
    ax: Axes, G: nx.Graph, pos: Mapping, chosen: Sequence[Hashable], font_size: float, areas: Mapping
) -> list:
    """Labels just above their nodes, then nudged apart; leader lines where moved far."""
    fig = ax.figure
    texts = []
    for n in chosen:
        # Marker area is in points²; its radius is about sqrt(area) / 2 points.
        lift = (math.sqrt(areas.get(n, 0.0)) / 2 + 1.0) / 72
        offset = ax.transData + ScaledTranslation(0, lift, fig.dpi_scale_trans)
        texts.append(
            ax.text(
                *pos[n],
                node_label(G, n),
                ha="center",
                va="bottom",
                fontsize=font_size,
                zorder=3,
                path_effects=_HALO,
                transform=offset,
            )
        )
    # Node markers are obstacles (except each label's own node, which it sits beside).
    drawn = [n for n in sorted(G.nodes, key=str) if n in areas]
    markers = []
    for n in drawn:
        r = math.sqrt(areas[n]) / 2 * fig.dpi / 72
        x, y = ax.transData.transform(pos[n])
        markers.append((x - r, y - r, x + r, y + r))
    index = {n: i for i, n in enumerate(drawn)}
    repel_labels(ax, texts, obstacles=np.array(markers) if markers else None, owners=[index.get(n, -1) for n in chosen])
    lines = []
    for n, t in zip(chosen, texts):
        (x, y), (tx, ty) = pos[n], t.get_position()
        if math.hypot(tx - x, ty - y) > 0.08:
            lines.append([(x, y), (tx, ty)])
    if lines:
        ax.add_collection(LineCollection(lines, linewidths=0.3, colors="#555555", zorder=1.5), autolim=False)
    return texts


def _side_legend(ax: Axes, size_by: str, *, communities: pd.Series | None = None, dashed: bool = False) -> None:
    if communities is None:
        handles = [
            Line2D([], [], marker="o", ls="", color=SIDE_COLORS["country"], label="Country"),
            Line2D([], [], marker="s", ls="", color=SIDE_COLORS["forum"], label="Forum"),
        ]
    else:
        k = int(communities.max()) + 1 if len(communities) else 0
        colors = categorical_colors(k)
        handles = [Line2D([], [], marker="o", ls="", color=colors[i], label=f"Community {i}") for i in range(min(k, 7))]
        if k > 7:
            handles.append(Line2D([], [], marker="o", ls="", color=colors[7], label="Other"))
        handles += [
            Line2D([], [], marker="o", ls="", mfc="none", mec="#333333", label="Country"),
            Line2D([], [], marker="s", ls="", mfc="none", mec="#333333", label="Forum"),
        ]
    if dashed:
        handles.append(Line2D([], [], color=EDGE_COLOR, ls=(0, (2.0, 1.5)), label="Tie to a non-member"))
    width = ax.get_position().width * ax.figure.get_size_inches()[0]
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncols=min(len(handles), 5 if width > 5 else 3),
        handletextpad=0.2,
        columnspacing=1.0,
        title=(
            f"Node area: {size_by.replace('_', ' ')}; edge width: co-mention posts"
            if width > 5
            else f"Area: {size_by.replace('_', ' ')}; width: posts"
        ),
        borderaxespad=0.2,
    )


def _node_colors(G: nx.Graph, color_by: str, communities: pd.Series | None) -> dict:
    countries, _ = sides(G)
    cset = set(countries)
    if color_by == "side":
        return {n: SIDE_COLORS["country" if n in cset else "forum"] for n in G.nodes}
    palette = categorical_colors(int(communities.max()) + 1 if len(communities) else 0)
    return {n: palette[int(communities[n])] for n in G.nodes}


def _auto_labels(ax: Axes, G: nx.Graph, layout: str, font_size: float) -> int:
    n = G.number_of_nodes()
    if layout == "force":
        return min(n, 25)
    height_pt = ax.get_window_extent(renderer_of(ax.figure)).height * 72 / ax.figure.dpi
    per_column = int(height_pt / (font_size * 1.25))
    countries, forums = sides(G)
    return min(len(countries), per_column) + min(len(forums), per_column)


def plot_network(
    G: nx.Graph,
    *,
    layout: str = "bipartite",
    size_by: str = "strength",
    color_by: str = "side",
    centrality: pd.DataFrame | None = None,
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
        ``posts``, ``pagerank``, ``betweenness``, ``eigenvector``. Also chooses which nodes
        get labels when not all fit.
    color_by : {"side", "community"}
        Colour by side (country/forum) or by community (``centrality["community"]`` when
        given, else greedy modularity).
    centrality : DataFrame, optional
        Centrality table with a ``node`` column.
    ax : Axes, optional
        Draw into this axes; otherwise a new figure of width ``size`` is made.
    seed : int
        Seed of the force layout.
    max_labels : int, optional
        Most node labels to draw (the top nodes by ``size_by``); by default as many as fit
        in the columns (bipartite) or 25 (force).
    size : {"single", "double"} or float or (float, float)
        Figure width (3.5 or 7.2 inches, or explicit); the height follows the graph.
    font_size : float
        Label size in points.

    Returns
    -------
    Figure
        The caller saves it (:func:`netanalysis.render.save_figure`) and closes it.
    """
    if layout not in ("bipartite", "force"):
        raise GraphError(f"unknown layout {layout!r}; expected 'bipartite' or 'force'")
    if color_by not in ("side", "community"):
        raise GraphError(f"unknown color_by {color_by!r}; expected 'side' or 'community'")
    with matplotlib.rc_context(figure_style(font_size)):
        pos = network_layout(G, layout, seed=seed, weight=weight)
        values = node_values(G, size_by, centrality=centrality, weight=weight)
        countries, forums = sides(G)
        rows = max(len(countries), len(forums), 1)
        width = figure_width(size)
        height = float(np.clip(0.16 * rows + 0.9, 2.4, 9.0)) if layout == "bipartite" else width * 0.72 + 0.6
        fig, ax = new_axes(ax, size, height)
        ax.set_axis_off()
        if title:
            ax.set_title(title)
        communities = node_communities(G, centrality=centrality, weight=weight) if color_by == "community" else None
        lo, hi = _marker_sizes(G.number_of_nodes())
        if layout == "bipartite" and rows > 1:
            # Markers no taller than the row spacing, so neighbours in a column never touch.
            spacing = (fig.get_size_inches()[1] - 0.8) * 72 / (1.1 * (rows - 1))
            hi = float(min(hi, max((1.0 * spacing) ** 2, 4.0)))
            lo = min(lo, hi * 0.3)
        areas = dict(zip(values.index, _scale(values.to_numpy(), lo, hi)))
        _draw_edges(ax, G, pos, weight=weight, wmax=None)
        _draw_nodes(ax, G, pos, areas, _node_colors(G, color_by, communities))
        dashed = any(d.get("status") == "non_member" for _, _, d in G.edges(data=True))
        _side_legend(ax, size_by, communities=communities, dashed=dashed)
        if layout == "bipartite":
            ax.set_ylim(-0.04, 1.06)
            ax.set_xlim(-0.3, 1.3)  # provisional; _label_bipartite fits it to the labels
            ax.text(0.0, 1.045, "Countries", ha="center", va="bottom", fontweight="bold")
            ax.text(1.0, 1.045, "Forums", ha="center", va="bottom", fontweight="bold")
        else:
            ax.set_xlim(-1.12, 1.12)
            ax.set_ylim(-1.12, 1.12)
        if fig.get_layout_engine() is not None:
            fig.get_layout_engine().execute(fig)
        k = _auto_labels(ax, G, layout, font_size) if max_labels is None else max_labels
        chosen = _labelled(values, k)
        if layout == "bipartite":
            _label_bipartite(ax, G, pos, chosen, font_size, areas)
        else:
            _label_force(ax, G, pos, chosen, font_size, areas)
    log.debug("plot_network: %d nodes, %d edges, %d labels", G.number_of_nodes(), G.number_of_edges(), len(chosen))
    return fig


def plot_network_small_multiples(
    windows: Sequence[tuple],
    *,
    layout: str = "force",
    seed: int = 0,
    ncols: int = 3,
    size: str | float | tuple[float, float] = "double",
    font_size: float = 6.0,
    max_labels: int = 8,
    weight: str = "weight",
) -> Figure:
    """One network panel per time window, with node positions fixed across panels.

    Positions are computed once on the union of all window graphs, so a node stays in the
    same place in every panel; nodes absent from a window are drawn faded grey. Node areas
    and edge widths share one scale across panels, so panels compare directly.

    Parameters
    ----------
    windows : sequence of (window_start, window_end, nx.Graph)
        The window graphs in time order.
    layout : {"force", "bipartite"}
        Layout of the union graph.
    ncols : int
        Panels per row.
    max_labels : int
        Label the strongest nodes of the union graph (where present in a panel).

    Returns
    -------
    Figure
    """
    if not windows:
        raise GraphError("no windows to draw")
    graphs = [g for _, _, g in windows]
    with matplotlib.rc_context(figure_style(font_size)):
        U = union_graph(graphs, weight=weight)
        pos = network_layout(U, layout, seed=seed, weight=weight)
        strengths = [node_values(g, "strength", weight=weight) for g in graphs]
        smax = max((float(s.max()) for s in strengths if len(s)), default=0.0)
        wmax = max((float(d.get(weight, 1.0)) for g in graphs for _, _, d in g.edges(data=True)), default=None)
        ncols = max(1, min(ncols, len(windows)))
        nrows = math.ceil(len(windows) / ncols)
        width = figure_width(size)
        panel = width / ncols
        height = (panel * 0.95 + 0.25) * nrows + 0.35
        fig = Figure(figsize=(width, height), layout="constrained")
        FigureCanvasAgg(fig)
        axes = fig.subplots(nrows, ncols, squeeze=False)
        lo, hi = _marker_sizes(U.number_of_nodes())
        lo, hi = lo * 0.5, hi * 0.5
        cset = set(sides(U)[0])
        for ax in axes.flat[len(windows) :]:
            ax.set_visible(False)
        for ax, (start, end, g), strength in zip(axes.flat, windows, strengths):
            ax.set_axis_off()
            ax.set_title(window_title(start, end), loc="center", fontweight="normal")
            absent = [n for n in U.nodes if n not in g]
            if absent:
                xy = np.array([pos[n] for n in absent])
                ax.scatter(xy[:, 0], xy[:, 1], s=lo, c=_FADED, marker="o", linewidths=0, zorder=0.5)
            present = g.subgraph(n for n in U.nodes if n in g)
            _draw_edges(ax, present, pos, weight=weight, wmax=wmax, n_edges_hint=U.number_of_edges())
            areas = dict(zip(strength.index, _scale(strength.to_numpy(), lo, hi, smax)))
            colors = {n: SIDE_COLORS["country" if n in cset else "forum"] for n in present}
            _draw_nodes(ax, present, pos, areas, colors)
            pad = 0.15 if layout == "force" else 0.1
            xs = [p[0] for p in pos.values()] or [0.0]
            ys = [p[1] for p in pos.values()] or [0.0]
            ax.set_xlim(min(xs) - pad, max(xs) + pad)
            ax.set_ylim(min(ys) - pad, max(ys) + pad)
        handles = [
            Line2D([], [], marker="o", ls="", color=SIDE_COLORS["country"], label="Country"),
            Line2D([], [], marker="s", ls="", color=SIDE_COLORS["forum"], label="Forum"),
            Line2D([], [], marker="o", ls="", color=_FADED, label="Not mentioned in window"),
        ]
        fig.legend(handles=handles, loc="outside lower center", ncols=3, handletextpad=0.2)
        fig.get_layout_engine().execute(fig)
        top = _labelled(node_values(U, "strength", weight=weight), max_labels)
        biggest = {n: hi for n in top}  # one label gap for every panel, so columns line up
        for ax, (_, _, g), strength in zip(axes.flat, windows, strengths):
            if layout == "bipartite":
                # The same labels beside the columns in every panel; absent ones greyed.
                texts = _label_bipartite(ax, U, pos, top, font_size - 0.5, biggest)
                for n, t in zip(top, texts):
                    if n not in g:
                        t.set_color("#AAAAAA")
                continue
            names = [n for n in top if n in g]
            areas = dict(zip(strength.index, _scale(strength.to_numpy(), lo, hi, smax)))
            _label_force(ax, U, pos, names, font_size - 0.5, areas)
    return fig
