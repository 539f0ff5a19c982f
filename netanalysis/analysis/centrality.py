"""Centrality and communities of a co-mention graph (the ``nodes.csv`` table).

Which measure, and how it is defined on our graphs
--------------------------------------------------
Every algorithm runs on a copy of the graph with nodes and edges in sorted order, so the same
graph always gives the same numbers, whatever order it was built in.

* ``degree``, ``betweenness``, ``closeness``: on the bipartite graph (every node has
  ``bipartite`` 0/1 and every edge joins the two sides) networkx's bipartite-normalised
  versions with the countries (``bipartite=0``) as the top set:
  ``nx.bipartite.degree_centrality``, ``nx.bipartite.betweenness_centrality``,
  ``nx.bipartite.closeness_centrality``. On other graphs (projections) the ordinary
  ``nx.degree_centrality``, ``nx.betweenness_centrality`` and ``nx.closeness_centrality``.
  Betweenness and closeness count hops (weights are similarities, not distances).
  On a disconnected bipartite graph networkx's bipartite closeness can exceed 1 (its least
  possible distance counts nodes the node cannot reach); ``closeness`` here counts reachable
  nodes only, so it equals networkx's on a connected graph and stays in [0, 1] otherwise.
  On a side where no node can lie between two others (its maximum possible betweenness is
  0, e.g. the leaves of a star), betweenness is 0 where networkx would divide by zero.
* ``strength``: weighted degree (sum of ``weight`` over a node's edges).
* ``eigenvector``: the Perron eigenvector of the weighted adjacency matrix, computed exactly
  (``numpy.linalg.eigh``) on each connected component, scaled to unit Euclidean norm on the
  component and then by ``sqrt(component size / graph size)``; so the whole vector has unit
  norm, a connected graph gets exactly what ``nx.eigenvector_centrality`` converges to, and a
  disconnected one gets defined, deterministic values (compare them within a component only).
  Nodes without edges get 0 (so a graph with isolates has a norm a little below 1).
* ``pagerank``: weighted PageRank, damping 0.85, uniform teleport, dangling nodes spread
  uniformly (networkx's defaults), solved exactly as a linear system rather than iterated.
* ``hub``, ``authority``: HITS. On the bipartite graph edges are read as country -> forum, so
  countries have hub scores and forums authority scores (the other score is 0): the leading
  singular vectors of the weighted country x forum matrix, each summing to 1 over its side, as
  ``nx.hits`` gives on that directed graph. On other (undirected) graphs hubs and authorities
  coincide: the eigenvector centrality scaled to sum 1. Disconnected graphs: per component,
  scaled by the component's share of the nodes (of that side), as for ``eigenvector``;
  nodes without edges get 0.
* ``community``: Louvain (``nx.community.louvain_communities``, weighted, seeded) on the graph
  given (on the bipartite graph, countries and the forums they are named with share
  communities), numbered 0, 1, ... from the largest community, ties by smallest node id.

Eigenvector, PageRank and HITS are computed with numpy rather than ``nx.pagerank`` /
``nx.hits``, which need scipy and (for HITS) start ARPACK from a random vector; the graphs are
small (hundreds of nodes), so dense exact solutions are cheap and give the same bytes every run.
The tests check them against networkx's own implementations.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable

import networkx as nx
import numpy as np
import pandas as pd

from netanalysis.errors import GraphError

__all__ = ["NODE_COLUMNS", "centrality_table", "communities"]

log = logging.getLogger(__name__)

#: Columns of ``nodes.csv``, in this order.
NODE_COLUMNS = [
    "node",
    "kind",
    "label",
    "posts",
    "degree",
    "strength",
    "betweenness",
    "closeness",
    "eigenvector",
    "pagerank",
    "hub",
    "authority",
    "community",
]
_DAMPING = 0.85


def _sorted_copy(G: nx.Graph) -> nx.Graph:
    H = nx.Graph()
    H.graph.update(G.graph)
    H.add_nodes_from(sorted(G.nodes(data=True), key=lambda nd: str(nd[0])))
    edges = (tuple(sorted((u, v), key=str)) + (d,) for u, v, d in G.edges(data=True))
    H.add_edges_from(sorted(edges, key=lambda e: (str(e[0]), str(e[1]))))
    return H


def _sides(G: nx.Graph) -> tuple[list, list] | None:
    """Return (top, bottom) node lists if ``G`` is marked bipartite, else None."""
    marks = dict(G.nodes(data="bipartite"))
    if not marks or any(m not in (0, 1) for m in marks.values()):
        return None
    top = [n for n in G if marks[n] == 0]
    bottom = [n for n in G if marks[n] == 1]
    if any(marks[u] == marks[v] for u, v in G.edges()):
        return None
    if not top or not bottom:
        side = "countries (bipartite=0)" if not top else "forums (bipartite=1)"
        raise GraphError(f"the bipartite graph has no {side}: centralities are undefined")
    return top, bottom


def _matrix(G: nx.Graph, nodes: list, weight: str | None) -> np.ndarray:
    A = nx.to_numpy_array(G, nodelist=nodes, weight=weight, dtype=float)
    if (A < 0).any():
        raise GraphError(f"negative edge {weight!r} values: eigenvector, PageRank and HITS need non-negative weights")
    return A


def _perron(M: np.ndarray) -> np.ndarray:
    """Leading eigenvector of a symmetric non-negative irreducible matrix, positive, unit norm."""
    _, vectors = np.linalg.eigh(M)
    v = np.abs(vectors[:, -1])
    return v / np.linalg.norm(v)


def _components(G: nx.Graph) -> list[list]:
    comps = [sorted(c, key=str) for c in nx.connected_components(G)]
    return sorted(comps, key=lambda c: str(c[0]))


def _eigenvector(G: nx.Graph, weight: str | None) -> dict:
    n = len(G)
    out = dict.fromkeys(G, 0.0)
    for comp in _components(G):
        if len(comp) < 2:
            continue
        v = _perron(_matrix(G, comp, weight)) * np.sqrt(len(comp) / n)
        out.update(zip(comp, v.tolist()))
    return out


def _pagerank(G: nx.Graph, weight: str | None) -> dict:
    nodes = list(G)
    n = len(nodes)
    A = _matrix(G, nodes, weight)
    s = A.sum(axis=1)
    P = np.where(s[:, None] > 0, A / np.where(s > 0, s, 1.0)[:, None], 1.0 / n)
    x = np.linalg.solve(np.eye(n) - _DAMPING * P.T, np.full(n, (1 - _DAMPING) / n))
    return dict(zip(nodes, (x / x.sum()).tolist()))


def _hits(G: nx.Graph, sides: tuple[list, list] | None, weight: str | None) -> tuple[dict, dict]:
    hub, authority = dict.fromkeys(G, 0.0), dict.fromkeys(G, 0.0)
    if sides is None:
        total = len(G)
        for comp in _components(G):
            if len(comp) < 2:
                continue
            v = _perron(_matrix(G, comp, weight))
            v = v / v.sum() * len(comp) / total
            hub.update(zip(comp, v.tolist()))
        return hub, dict(hub)
    top, bottom = (set(s) for s in sides)
    for comp in _components(G):
        rows = [c for c in comp if c in top]
        cols = [c for c in comp if c in bottom]
        if not rows or not cols:
            continue
        B = _matrix(G, rows + cols, weight)[: len(rows), len(rows) :]
        h = _perron(B @ B.T)
        a = B.T @ h
        hub.update(zip(rows, (h / h.sum() * len(rows) / len(top)).tolist()))
        authority.update(zip(cols, (a / a.sum() * len(cols) / len(bottom)).tolist()))
    return hub, authority


def _bipartite_max_betweenness(n: int, m: int) -> float:
    """Largest possible betweenness of a node on the side of ``n`` nodes facing ``m`` nodes."""
    s, t = divmod(n - 1, m)
    return ((m**2) * ((s + 1) ** 2) + m * (s + 1) * (2 * t - s - 1) - t * (2 * s - t + 3)) / 2.0


def _bipartite_betweenness(G: nx.Graph, top: list) -> dict:
    """``nx.bipartite.betweenness_centrality``, but 0 (not ZeroDivisionError) on a side whose
    maximum is 0 (no node of that side can lie between two others, e.g. the leaves of a star)."""
    top = set(top)
    n, m = len(top), len(G) - len(top)
    most = {True: _bipartite_max_betweenness(n, m), False: _bipartite_max_betweenness(m, n)}
    raw = nx.betweenness_centrality(G, normalized=False, weight=None)
    return {v: (b / most[v in top] if most[v in top] else 0.0) for v, b in raw.items()}


def _bipartite_closeness(G: nx.Graph, top: list) -> dict:
    """networkx's bipartite closeness, with the minimum distance taken over reachable nodes.

    networkx divides ``m + 2 (n - 1)`` (the least total distance of a top node that reaches all
    ``n`` top and ``m`` bottom nodes) by the total distance to the nodes it does reach, which
    exceeds 1 on a disconnected graph. Here the least total distance counts the reachable nodes
    only; the result equals networkx's on a connected graph and stays within [0, 1].
    """
    top = set(top)
    out = {}
    for node in G:
        sp = nx.single_source_shortest_path_length(G, node)
        total = sum(sp.values())
        if total == 0:
            out[node] = 0.0
            continue
        same = sum(1 for v in sp if (v in top) == (node in top))
        least = (len(sp) - same) + 2 * (same - 1)
        out[node] = least / total * (len(sp) - 1) / (len(G) - 1)
    return out


def communities(G: nx.Graph, *, seed: int = 0, weight: str | None = "weight") -> dict[Hashable, int]:
    """Louvain communities of ``G``: node -> community number.

    Numbered 0, 1, ... from the largest community; ties by smallest node id (as a string).
    Nodes without edges are communities of their own.

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("c", "a"), ("x", "y")])
    >>> communities(G)
    {'a': 0, 'b': 0, 'c': 0, 'x': 1, 'y': 1}
    """
    if len(G) == 0:
        return {}
    H = _sorted_copy(G)
    if H.number_of_edges() == 0:
        parts = [{n} for n in H]
    else:
        parts = nx.community.louvain_communities(H, weight=weight, seed=seed)
    ordered = sorted((sorted(p, key=str) for p in parts), key=lambda p: (-len(p), str(p[0])))
    return {n: i for i, part in enumerate(ordered) for n in part}


def centrality_table(G: nx.Graph, *, seed: int = 0, weight: str | None = "weight") -> pd.DataFrame:
    """Return one row per node with its centralities (the ``nodes.csv`` table).

    Parameters
    ----------
    G : networkx.Graph
        The bipartite co-mention graph or a projection (see the module notes for the measures).
    seed : int
        Seed of the Louvain community detection.
    weight : str or None
        Edge attribute used as weight (None: every edge weighs 1).

    Returns
    -------
    DataFrame
        Columns :data:`NODE_COLUMNS`, sorted by kind, then strength (descending), then node.

    Raises
    ------
    GraphError
        If the graph is empty or a bipartite graph lacks one side.
    """
    if len(G) == 0:
        raise GraphError("the graph is empty: no co-mentions to analyse (check the input, --exclude and --min-weight)")
    H = _sorted_copy(G)
    sides = _sides(H)
    if sides is not None:
        top = sides[0]
        degree = nx.bipartite.degree_centrality(H, top)
        betweenness = _bipartite_betweenness(H, top)
        closeness = _bipartite_closeness(H, top)
    else:
        degree = nx.degree_centrality(H)
        betweenness = nx.betweenness_centrality(H, normalized=True)
        closeness = nx.closeness_centrality(H)
    strength = dict(H.degree(weight=weight))
    eigenvector = _eigenvector(H, weight)
    pagerank = _pagerank(H, weight)
    hub, authority = _hits(H, sides, weight)
    community = communities(H, seed=seed, weight=weight)
    rows = []
    for n, d in H.nodes(data=True):
        rows.append(
            {
                "node": n,
                "kind": d.get("kind", ""),
                "label": d.get("label", d.get("entity", str(n))),
                "posts": d.get("posts", pd.NA),
                "degree": float(degree[n]),
                "strength": strength[n],
                "betweenness": float(betweenness[n]),
                "closeness": float(closeness[n]),
                "eigenvector": eigenvector[n],
                "pagerank": pagerank[n],
                "hub": hub[n],
                "authority": authority[n],
                "community": community[n],
            }
        )
    table = pd.DataFrame(rows, columns=NODE_COLUMNS)
    table["posts"] = table["posts"].astype("Int64")
    table["_key"] = table["node"].astype(str)
    table = table.sort_values(["kind", "strength", "_key"], ascending=[True, False, True], kind="mergesort")
    log.debug("centrality table: %d nodes, %d communities", len(table), table["community"].nunique())
    return table.drop(columns="_key").reset_index(drop=True)
