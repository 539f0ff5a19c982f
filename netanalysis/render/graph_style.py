"""What the force figure shows of each node, as numbers for the graph files and the explorer.

Gephi (GEXF ``viz`` and GraphML ``x, y, size, r, g, b``) and the explorer should open the network
the paper shows: the force layout's positions, the community colours of ``nodes.csv``'s numbers
and node sizes by the same measure. :func:`node_styles` gives them from the same functions the
figure draws with (:func:`~netanalysis.analysis.plotdata.network_layout`, :func:`network_sizes`,
:func:`~netanalysis.render.palette.community_color`), without loading a plotting library.

Units: positions and sizes are in points of the double-column force figure (one layout unit =
:data:`POINTS_PER_UNIT` points; ``size`` is the marker's width in points), so that the drawing
Gephi makes from the file has the figure's proportions.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from netanalysis.analysis.plotdata import network_layout, node_communities, node_values, sides
from netanalysis.render.palette import community_color, diameter, marker_area_range, scale

__all__ = ["node_styles", "area_range", "network_sizes", "POINTS_PER_UNIT", "MEASURE_COLUMNS", "SIZE_MEASURE"]

#: Points per layout unit: the double-column force figure's axes (about 7 in) span 2.24 units.
POINTS_PER_UNIT = 225.0
#: The measure node sizes follow in the figures, the explorer and the graph files.
SIZE_MEASURE = "strength"
#: ``nodes.csv`` columns written as node attributes into the graph files (those present).
MEASURE_COLUMNS = (
    "posts",
    "degree",
    "strength",
    "betweenness",
    "closeness",
    "eigenvector",
    "pagerank",
    "pagerank_scaled",
    "community",
)


def area_range(G: nx.Graph, layout: str, height: float | None = None) -> tuple[float, float]:
    """Smallest and largest marker area (points²) of a drawing of ``G``: in two columns, markers
    no taller than the row spacing of a figure ``height`` inches tall."""
    lo, hi = marker_area_range(G.number_of_nodes())
    countries, forums = sides(G)
    rows = max(len(countries), len(forums), 1)
    if layout == "bipartite" and rows > 1 and height is not None:
        spacing = (height - 0.8) * 72 / (1.1 * (rows - 1))
        hi = float(min(hi, max(spacing**2, 4.0)))
        lo = min(lo, hi * 0.3)
    return lo, hi


def network_sizes(G: nx.Graph, values: pd.Series, layout: str, height: float | None = None) -> dict[Hashable, float]:
    """Marker area (points²) of every node as the network figures draw it: proportional to the
    value above a floor."""
    lo, hi = area_range(G, layout, height)
    return dict(zip(values.index, scale(values.to_numpy(), lo, hi)))


def _rgb(hex_colour: str) -> dict[str, int]:
    value = hex_colour.lstrip("#")
    return {"r": int(value[0:2], 16), "g": int(value[2:4], 16), "b": int(value[4:6], 16)}


def node_styles(
    G: nx.Graph, *, centrality: pd.DataFrame | None = None, seed: int = 0, weight: str = "weight"
) -> dict[Hashable, dict[str, Any]]:
    """Per node: its measures (``nodes.csv``'s columns), its community and its ``viz`` styling
    as the force figure draws it.

    Parameters
    ----------
    G : nx.Graph
        The whole-period co-mention graph.
    centrality : DataFrame, optional
        ``nodes.csv`` (measures and the community numbers every output shares). Without it the
        community comes from :func:`~netanalysis.analysis.plotdata.node_communities`.
    seed : int
        The force layout's seed (the figures' ``--seed``).

    Returns
    -------
    dict
        ``node -> {measure: value, ..., "viz": {"color": {"r", "g", "b", "a"}, "size": points,
        "position": {"x", "y", "z"}}}``, in the form networkx's GEXF writer takes.

    Examples
    --------
    >>> G = nx.Graph([("country:CN", "forum:UN", {"weight": 2})])
    >>> style = node_styles(G)["forum:UN"]
    >>> sorted(style["viz"]), style["community"]
    (['color', 'position', 'size'], 0)
    """
    pos = network_layout(G, "force", seed=seed, weight=weight)
    values = node_values(G, SIZE_MEASURE, centrality=centrality, weight=weight)
    areas = network_sizes(G, values, "force")
    communities = node_communities(G, centrality=centrality, weight=weight)
    table = centrality.set_index("node") if centrality is not None and "node" in centrality.columns else None
    out: dict[Hashable, dict[str, Any]] = {}
    for node in sorted(G.nodes, key=str):
        attrs: dict[str, Any] = {}
        if table is not None and node in table.index:
            row = table.loc[node]
            for column in MEASURE_COLUMNS:
                if column in table.columns and pd.notna(row[column]):
                    value = row[column]
                    attrs[column] = int(value) if column in ("posts", "community") else float(value)
        community = int(communities.get(node, -1))
        attrs["community"] = community
        x, y = pos[node]
        attrs["viz"] = {
            "color": {**_rgb(community_color(community)), "a": 1.0},
            "size": round(float(diameter(areas.get(node, 0.0))), 4),
            "position": {
                "x": round(float(np.float64(x) * POINTS_PER_UNIT), 4),
                "y": round(float(np.float64(y) * POINTS_PER_UNIT), 4),
                "z": 0.0,
            },
        }
        out[node] = attrs
    return out
