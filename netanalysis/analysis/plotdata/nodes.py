"""Per-node numbers for drawing: sizes, communities; and the union of window graphs."""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import networkx as nx
import numpy as np
import pandas as pd

from netanalysis.analysis.plotdata.common import edge_weight as _weight
from netanalysis.analysis.plotdata.common import sorted_graph
from netanalysis.errors import GraphError

__all__ = ["SIZE_MEASURES", "node_values", "node_communities", "union_graph"]

#: Node measures :func:`node_values` computes from the graph alone.
SIZE_MEASURES = ("strength", "degree", "posts", "pagerank", "betweenness", "eigenvector")


def node_values(
    G: nx.Graph, measure: str = "strength", *, centrality: pd.DataFrame | None = None, weight: str = "weight"
) -> pd.Series:
    """One number per node, for sizing nodes or choosing which to label.

    Parameters
    ----------
    G : nx.Graph
        Bipartite co-mention graph.
    measure : str
        A column of ``centrality`` when given; otherwise one of :data:`SIZE_MEASURES`
        computed here (``strength`` = sum of edge weights, ``posts`` = the node attribute).
    centrality : DataFrame, optional
        A centrality table with a ``node`` column (``netanalysis.analysis.centrality_table``).

    Returns
    -------
    pd.Series
        Indexed by node id (sorted), float values; missing values are 0.
    """
    nodes = sorted(G.nodes, key=str)
    if centrality is not None and measure in centrality.columns:
        table = centrality.set_index("node")[measure]
        values = {n: table.get(n, 0.0) for n in nodes}
    elif measure == "strength":
        values = {n: sum(_weight(d, weight) for _, _, d in G.edges(n, data=True)) for n in nodes}
    elif measure == "degree":
        values = dict(G.degree(nodes))
    elif measure == "posts":
        values = {n: G.nodes[n].get("posts", 0) for n in nodes}
    elif measure == "pagerank":
        values = _pagerank(sorted_graph(G), weight)
    elif measure == "betweenness":
        values = nx.betweenness_centrality(sorted_graph(G))
    elif measure == "eigenvector":
        values = nx.eigenvector_centrality(sorted_graph(G), weight=weight, max_iter=1000) if G.number_of_edges() else {}
    else:
        raise GraphError(
            f"cannot size nodes by {measure!r}: not a centrality column and not one of {', '.join(SIZE_MEASURES)}"
        )
    series = pd.Series({n: values.get(n, 0.0) for n in nodes}, dtype=float, name=measure)
    return series.fillna(0.0)


def _pagerank(G: nx.Graph, weight: str, alpha: float = 0.85) -> dict[Hashable, float]:
    """Weighted PageRank by dense power iteration (numpy only; networkx's needs scipy)."""
    nodes = list(G.nodes)
    n = len(nodes)
    if n == 0:
        return {}
    A = nx.to_numpy_array(G, nodelist=nodes, weight=weight)
    out = A.sum(axis=1)
    dangling = out == 0
    P = np.divide(A, out[:, None], out=np.zeros_like(A), where=~dangling[:, None])
    x = np.full(n, 1.0 / n)
    for _ in range(1000):
        new = alpha * (x @ P + x[dangling].sum() / n) + (1 - alpha) / n
        if np.abs(new - x).sum() < n * 1e-12:
            x = new
            break
        x = new
    return dict(zip(nodes, (x / x.sum()).tolist()))


def node_communities(G: nx.Graph, *, centrality: pd.DataFrame | None = None, weight: str = "weight") -> pd.Series:
    """A community number per node.

    Taken as they are from the ``community`` column of ``centrality`` when given (the numbers
    of ``nodes.csv``, so that every output names the same community with the same number; a
    node missing from the table gets -1). Otherwise computed with greedy modularity maximisation
    (deterministic) and numbered 0 = largest community (ties by smallest member id).
    """
    nodes = sorted(G.nodes, key=str)
    if centrality is not None and "community" in centrality.columns:
        raw = centrality.set_index("node")["community"]
        values = {n: raw.get(n, -1) for n in nodes}
        return pd.Series(
            {n: int(v) if pd.notna(v) else -1 for n, v in values.items()}, dtype=int, name="community"
        ).sort_index()
    if G.number_of_edges():
        members = [
            sorted(c, key=str) for c in nx.community.greedy_modularity_communities(sorted_graph(G), weight=weight)
        ]
        covered = {n for c in members for n in c}
        members += [[n] for n in nodes if n not in covered]
    else:
        members = [[n] for n in nodes]
    members.sort(key=lambda c: (-len(c), str(min(c, key=str))))
    return pd.Series({n: i for i, c in enumerate(members) for n in c}, dtype=int, name="community").sort_index()


def union_graph(graphs: Iterable[nx.Graph], *, weight: str = "weight") -> nx.Graph:
    """The union of several window graphs: every node and edge, edge weights summed.

    Examples
    --------
    >>> a = nx.Graph([("country:CN", "forum:UN", {"weight": 2})])
    >>> b = nx.Graph([("country:CN", "forum:UN", {"weight": 3})])
    >>> union_graph([a, b])["country:CN"]["forum:UN"]["weight"]
    5.0
    """
    U = nx.Graph()
    for G in graphs:
        for n, d in G.nodes(data=True):
            if n not in U:
                U.add_node(n, **{k: v for k, v in d.items() if k in ("bipartite", "kind", "label", "entity")})
        for u, v, d in G.edges(data=True):
            w = _weight(d, weight)
            if U.has_edge(u, v):
                U[u][v][weight] += w
            else:
                U.add_edge(u, v, **{weight: w})
    return sorted_graph(U)
