"""Helpers shared by the plot-data modules: the two sides, labels, canonical node order."""

from __future__ import annotations

from collections.abc import Hashable, Mapping

import networkx as nx
import numpy as np

__all__ = ["sides", "node_label", "sorted_graph", "edge_weight"]


def sides(G: nx.Graph) -> tuple[list[Hashable], list[Hashable]]:
    """Split a bipartite graph into its two sides, each sorted by node id.

    A node's side is its ``bipartite`` attribute (0 countries, 1 forums); without it, the
    ``kind`` attribute or the ``forum:`` id prefix decides.

    Examples
    --------
    >>> G = nx.Graph([("country:CN", "forum:UN")])
    >>> sides(G)
    (['country:CN'], ['forum:UN'])
    """
    left: list[Hashable] = []
    right: list[Hashable] = []
    for node, data in G.nodes(data=True):
        side = data.get("bipartite")
        if side is None:
            kind = data.get("kind") or str(node).split(":", 1)[0]
            side = 1 if kind == "forum" else 0
        (right if side == 1 else left).append(node)
    return sorted(left, key=str), sorted(right, key=str)


def node_label(G: nx.Graph, node: Hashable) -> str:
    """The text to show for a node: its ``label``, else ``entity``, else the id after ``:``."""
    data = G.nodes[node] if node in G else {}
    label = data.get("label") or data.get("entity")
    return str(label) if label else str(node).split(":", 1)[-1]


def sorted_graph(G: nx.Graph) -> nx.Graph:
    """A copy of ``G`` whose nodes and edges are inserted in sorted order.

    networkx algorithms follow insertion order, so layouts computed on this copy depend on the
    graph's content only, not on the order in which it was built.
    """
    H = nx.Graph()
    H.add_nodes_from((n, dict(G.nodes[n])) for n in sorted(G.nodes, key=str))
    edges = sorted(
        (tuple(sorted((u, v), key=str)) + (d,) for u, v, d in G.edges(data=True)), key=lambda e: (str(e[0]), str(e[1]))
    )
    H.add_edges_from((u, v, dict(d)) for u, v, d in edges)
    return H


def edge_weight(data: Mapping, weight: str | None) -> float:
    """An edge's weight (1 without a weight attribute name; 0 when missing or not finite)."""
    if weight is None:
        return 1.0
    value = data.get(weight, 1.0)
    return float(value) if value is not None and np.isfinite(value) else 0.0
