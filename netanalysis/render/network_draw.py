"""Pieces shared by the network drawings: edges, markers, labels, the colour and size keys.

Countries are circles, forums squares (shape and colour both encode the side, so a figure
survives greyscale printing); node area follows a measure, edge width the co-mention weight.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence

import networkx as nx
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D

from netanalysis.analysis.plotdata import node_label, sides
from netanalysis.render.labels import place_labels, spread_column_labels
from netanalysis.render.palette import COMMUNITY_SHOWN, OTHER_COLOR, SIDE_COLORS, community_color, scale
from netanalysis.render.style import EDGE_COLOR, renderer_of

__all__ = [
    "HALO",
    "FADED",
    "draw_edges",
    "non_member_handle",
    "draw_nodes",
    "label_bipartite",
    "label_everything",
    "side_handles",
    "community_handles",
    "size_handles",
    "node_colors",
    "short_label",
]

HALO = [patheffects.withStroke(linewidth=1.6, foreground="white")]
#: Dash pattern of ties to a country that was not a member of the forum on its posts' dates.
NON_MEMBER_DASHES = (0, (2.0, 1.5))
FADED = "#D9D9D9"


def edge_widths(n_edges: int) -> tuple[float, float, float]:
    """Thinnest and thickest edge (points) and edge alpha for ``n_edges`` edges."""
    if n_edges < 80:
        return 0.4, 4.0, 0.55
    if n_edges < 600:
        return 0.25, 2.2, 0.4
    return 0.15, 1.2, 0.25


def draw_edges(
    ax: Axes, G: nx.Graph, pos: Mapping, *, weight: str, wmax: float | None, n_edges_hint: int | None = None
) -> None:
    """Edges as one collection, lightest first, width by ``weight`` (scaled to ``wmax``)."""
    edges = sorted(
        G.edges(data=True),
        key=lambda e: (float(e[2].get(weight, 1.0)), str(min(e[0], e[1], key=str)), str(max(e[0], e[1], key=str))),
    )
    if not edges:
        return
    w = np.array([float(d.get(weight, 1.0)) for _, _, d in edges])
    lo, hi, alpha = edge_widths(n_edges_hint or len(edges))
    segments = [(pos[u], pos[v]) for u, v, _ in edges]
    # ties to a country that was not a member of the forum on any dated post (edge status): dashed
    styles = [NON_MEMBER_DASHES if d.get("status") == "non_member" else "solid" for _, _, d in edges]
    ax.add_collection(
        LineCollection(
            segments,
            linewidths=scale(w, lo, hi, wmax),
            colors=EDGE_COLOR,
            alpha=alpha,
            zorder=1,
            capstyle="butt",
            linestyles=styles,
        ),
        autolim=False,
    )


def non_member_handle(G: nx.Graph) -> list[Line2D]:
    """The legend entry of dashed ties, when the graph has any."""
    if any(d.get("status") == "non_member" for _, _, d in G.edges(data=True)):
        return [Line2D([], [], color=EDGE_COLOR, ls=NON_MEMBER_DASHES, label="Tie to a non-member")]
    return []


def draw_nodes(ax: Axes, G: nx.Graph, pos: Mapping, areas: Mapping, colors: Mapping) -> None:
    """Country circles and forum squares, big ones first so that small ones stay visible."""
    countries, forums = sides(G)
    for nodes, marker in ((countries, "o"), (forums, "s")):
        if not nodes:
            continue
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


def short_label(G: nx.Graph, node: Hashable) -> str:
    """The short form of a node's label: its ISO code or forum id."""
    data = G.nodes[node] if node in G else {}
    return str(data.get("entity") or str(node).split(":", 1)[-1])


def fallback_label(G: nx.Graph, node: Hashable) -> str | None:
    """The short form tried where a label finds no place: an ISO code or an acronym-like forum id,
    never an id longer than the label (``CENTRAL_ASIA_CHINA`` for "China–Central Asia")."""
    short, label = short_label(G, node), node_label(G, node)
    return short if short != label and len(short) < len(label) and "_" not in short else None


def label_bipartite(
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
    width = ax.get_window_extent(renderer).width
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


def label_everything(
    ax: Axes,
    G: nx.Graph,
    pos: Mapping,
    order: Sequence[Hashable],
    areas: Mapping,
    *,
    font_size: float,
    small_font: float | None = None,
    major: int | None = None,
) -> dict[str, int]:
    """Label the nodes of ``order`` (most important first) without any overlap.

    The first ``major`` nodes get ``font_size``, the rest ``small_font``. Each label sits beside
    its node where there is room, else further out with a leader line, else as its short form
    (ISO code or forum id); one that finds no room at all is hidden and counted.

    Returns
    -------
    dict
        ``{"labelled": ..., "short": ..., "unlabelled": ...}`` counts.
    """
    fig = ax.figure
    small_font = font_size if small_font is None else small_font
    major = len(order) if major is None else major
    texts = [
        ax.text(
            *pos[n],
            node_label(G, n),
            ha="center",
            va="center",
            fontsize=font_size if i < major else small_font,
            zorder=3,
            path_effects=HALO,
        )
        for i, n in enumerate(order)
    ]
    to_px = ax.transData.transform
    drawn = [n for n in sorted(G.nodes, key=str) if n in areas]
    markers = []
    for n in drawn:
        r = math.sqrt(areas[n]) / 2 * fig.dpi / 72
        x, y = to_px(pos[n])
        markers.append((x - r, y - r, x + r, y + r))
    anchors = np.array([to_px(pos[n]) for n in order]).reshape(-1, 2)
    radii = np.array([math.sqrt(areas.get(n, 0.0)) / 2 * fig.dpi / 72 for n in order])
    short = [fallback_label(G, n) for n in order]
    outcome = place_labels(ax, texts, anchors, radii, obstacles=np.array(markers) if markers else None, short=short)
    lines = []
    to_data = ax.transData.inverted().transform
    for n, t, how in zip(order, texts, outcome):
        if how in (1, 2):
            box = t.get_window_extent(renderer_of(fig))
            x, y = to_px(pos[n])
            # from the node's edge to the nearest point of the label's box
            tx = min(max(x, box.x0), box.x1)
            ty = min(max(y, box.y0), box.y1)
            if math.hypot(tx - x, ty - y) > radii[order.index(n)] + 4:
                lines.append([to_data((x, y)), to_data((tx, ty))])
    if lines:
        ax.add_collection(LineCollection(lines, linewidths=0.3, colors="#666666", zorder=1.5), autolim=False)
    return {
        "labelled": sum(1 for h in outcome if h in (0, 1)),
        "short": sum(1 for h in outcome if h == 2),
        "unlabelled": sum(1 for h in outcome if h == -1),
    }


def side_handles(*, hollow: bool = False) -> list[Line2D]:
    """Legend entries for the two sides (filled in their colours, or hollow when colour means
    something else)."""
    if hollow:
        return [
            Line2D([], [], marker="o", ls="", mfc="none", mec="#333333", label="Country"),
            Line2D([], [], marker="s", ls="", mfc="none", mec="#333333", label="Forum"),
        ]
    return [
        Line2D([], [], marker="o", ls="", color=SIDE_COLORS["country"], label="Country"),
        Line2D([], [], marker="s", ls="", color=SIDE_COLORS["forum"], label="Forum"),
    ]


def community_handles(communities: pd.Series) -> list[Line2D]:
    """One legend entry per community shown in its own colour (``nodes.csv`` numbers), then
    "Other" for the rest."""
    numbers = sorted({int(c) for c in communities if int(c) >= 0})
    handles = [
        Line2D([], [], marker="o", ls="", color=community_color(c), label=f"Community {c}")
        for c in numbers
        if c < COMMUNITY_SHOWN
    ]
    if any(c >= COMMUNITY_SHOWN for c in numbers) or (communities < 0).any():
        handles.append(Line2D([], [], marker="o", ls="", color=OTHER_COLOR, label="Other"))
    return handles


def _nice(value: float) -> float:
    """``value`` rounded down to 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return 0.0
    power = 10 ** math.floor(math.log10(value))
    return max(step * power for step in (1, 2, 5) if step * power <= value)


def size_handles(values: pd.Series, *, lo: float, hi: float) -> list[Line2D]:
    """Legend entries showing the marker area of three round values of the size measure (the
    areas the drawing gives them: ``lo`` at 0 up to ``hi`` at the largest value)."""
    top = float(values.max()) if len(values) else 0.0
    if top <= 0:
        return []
    shown = sorted({_nice(top), _nice(top / 4), _nice(top / 16)} - {0.0}, reverse=True)
    areas = scale(np.array(shown), lo, hi, top)
    text = {v: (f"{v:g}" if v < 1 else f"{v:,.0f}") for v in shown}
    return [
        Line2D([], [], marker="o", ls="", mfc="#999999", mec="white", ms=math.sqrt(a), label=f"{text[v]}")
        for v, a in zip(shown, areas)
    ]


def node_colors(
    G: nx.Graph, color_by: str, communities: pd.Series | None, dates: Mapping[Hashable, str] | None = None
) -> dict:
    """A colour per node: by side, by community (``nodes.csv`` numbers) or a given mapping."""
    countries, _ = sides(G)
    cset = set(countries)
    if color_by == "side":
        return {n: SIDE_COLORS["country" if n in cset else "forum"] for n in G.nodes}
    if color_by == "community" and communities is not None:
        return {n: community_color(int(communities.get(n, -1))) for n in G.nodes}
    assert dates is not None
    return {n: dates.get(n, FADED) for n in G.nodes}
