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
  Betweenness and closeness count hops (weights are similarities, not distances), unless
  ``path_weights=True`` (``--path-weights``): a path's length is then the sum of ``1 / weight``
  (Newman 2001; Opsahl et al. 2010; shortest paths as in Brandes 2001). Betweenness keeps the
  bipartite normalisation (within [0, 1] on the tests' random graphs); closeness is networkx's
  with ``distance``, in units of 1 / weight: it ranks nodes but is not bounded by 1.
  On a disconnected bipartite graph networkx's bipartite closeness can exceed 1 (its least
  possible distance counts nodes the node cannot reach); ``closeness`` here counts reachable
  nodes only, so it equals networkx's on a connected graph and stays in [0, 1] otherwise.
  On a side where no node can lie between two others (its maximum possible betweenness is
  0, e.g. the leaves of a star), betweenness is 0 where networkx would divide by zero.
* ``strength``: weighted degree (sum of ``weight`` over a node's edges).
* ``eigenvector``: the Perron eigenvector of the weighted adjacency matrix, computed exactly
  (``numpy.linalg.eigh``), with networkx's semantics on a disconnected graph: the vector that
  ``nx.eigenvector_centrality`` converges to (power iteration from the all-ones vector), which
  lives on the component(s) with the largest leading eigenvalue and is 0 elsewhere. So a small
  side component ranks last (its nodes are 0), as in networkx, instead of being scaled up to rank
  among the main component's nodes. When several components share the largest eigenvalue
  (within a relative 1e-9), each gets its Perron vector weighted by that vector's sum (the
  projection of the all-ones start), as power iteration gives. Unit Euclidean norm (Bonacich
  1972; networkx, Hagberg et al. 2008). Nodes without edges get 0.
* ``pagerank``: weighted PageRank (Brin & Page 1998), damping 0.85, uniform teleport,
  dangling nodes spread uniformly (networkx's defaults), solved exactly as a linear system
  rather than iterated.
* ``pagerank_scaled``: ``pagerank`` times the number of nodes of the graph, so the mean node
  scores 1 in every graph: raw PageRank sums to 1 and so shrinks as a window holds more nodes,
  while the scaled value says how many times the average node's share a node gets and can be
  compared across windows with different numbers of nodes.
* No HITS hub/authority columns: on the bipartite graph (edges read country -> forum) the hub
  scores are the leading left singular vector of the weighted country x forum matrix ``B`` and
  the authorities its right singular vector, i.e. the two halves of the Perron eigenvector of
  ``[[0, B], [B^T, 0]]`` (the ``eigenvector`` column) rescaled to sum 1 on each side; on the
  one-mode projections hubs and authorities coincide with the eigenvector scaled to sum 1. They
  repeat ``eigenvector`` in every case and are not reported.
* ``community``: consensus communities over 50 seeded Louvain runs (Lancichinetti & Fortunato
  2012; :func:`netanalysis.analysis.consensus.consensus_communities`) on the graph given (on the
  bipartite graph, countries and the forums they are named with share communities), numbered 0,
  1, ... from the largest community, ties by smallest node id; the table's ``attrs`` hold the
  partition's modularity ``Q`` and its stability (mean adjusted Rand index of the runs with the
  consensus). :func:`communities` is one Louvain run.

Eigenvector and PageRank are computed with numpy rather than ``nx.eigenvector_centrality`` /
``nx.pagerank`` (iterative; the latter needs scipy); the graphs are small (hundreds of nodes), so
dense exact solutions are cheap and give the same bytes every run. The tests check them against
networkx's own implementations.

:func:`node_measures` computes the measures without the communities; it is what the bootstrap
and permutation tests (:mod:`netanalysis.analysis.resample`) call on every replicate graph, so
their intervals and tests are about the very numbers of this table.

References
----------
Bonacich, P. (1972). Factoring and weighting approaches to status scores and clique
identification. Journal of Mathematical Sociology, 2(1), 113-120.
Borgatti, S. P., & Everett, M. G. (1997). Network analysis of 2-mode data. Social Networks,
19(3), 243-269.
Brin, S., & Page, L. (1998). The anatomy of a large-scale hypertextual web search engine.
Computer Networks and ISDN Systems, 30(1-7), 107-117.
Hagberg, A. A., Schult, D. A., & Swart, P. J. (2008). Exploring network structure, dynamics, and
function using NetworkX. Proceedings of SciPy 2008, 11-15.
Brandes, U. (2001). A faster algorithm for betweenness centrality. Journal of Mathematical
Sociology, 25(2), 163-177.
Lancichinetti, A., & Fortunato, S. (2012). Consensus clustering in complex networks. Scientific
Reports, 2, 336.
Newman, M. E. J. (2001). Scientific collaboration networks. II. Shortest paths, weighted networks,
and centrality. Physical Review E, 64, 016132.
Opsahl, T., Agneessens, F., & Skvoretz, J. (2010). Node centrality in weighted networks:
Generalizing degree and shortest paths. Social Networks, 32(3), 245-251.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Sequence

import networkx as nx
import numpy as np
import pandas as pd

from netanalysis.analysis.consensus import consensus_communities
from netanalysis.errors import GraphError

__all__ = ["NODE_COLUMNS", "MEASURES", "HOP_MEASURES", "centrality_table", "communities", "node_measures"]

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
    "pagerank_scaled",
    "community",
]
#: The measures :func:`node_measures` computes (every numeric column but ``posts`` and ``community``).
MEASURES = ("degree", "strength", "betweenness", "closeness", "eigenvector", "pagerank", "pagerank_scaled")
#: Measures that count hops and ignore edge weights: they depend only on which edges exist.
HOP_MEASURES = ("degree", "betweenness", "closeness")
#: Largest eigenvalues closer than this (relative) count as tied between components.
_TIED_EIGENVALUE = 1e-9
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
        raise GraphError(f"negative edge {weight!r} values: eigenvector and PageRank need non-negative weights")
    return A


def _perron(M: np.ndarray) -> tuple[float, np.ndarray]:
    """Largest eigenvalue and its eigenvector (positive, unit norm) of a symmetric non-negative
    irreducible matrix."""
    values, vectors = np.linalg.eigh(M)
    v = np.abs(vectors[:, -1])
    return float(values[-1]), v / np.linalg.norm(v)


def _components(G: nx.Graph) -> list[list]:
    comps = [sorted(c, key=str) for c in nx.connected_components(G)]
    return sorted(comps, key=lambda c: str(c[0]))


def _bipartite_perron(G: nx.Graph, rows: list, cols: list, weight: str | None) -> tuple[float, np.ndarray]:
    """:func:`_perron` of a connected bipartite component from the singular value decomposition
    of its rows x cols block ``B``: the adjacency ``[[0, B], [B^T, 0]]`` has largest eigenvalue
    ``s_1`` with eigenvector ``(u_1, v_1) / sqrt 2`` (smaller, and faster, than ``eigh``)."""
    B = _matrix(G, rows + cols, weight)[: len(rows), len(rows) :]
    u, s, vt = np.linalg.svd(B)
    v = np.abs(np.r_[u[:, 0], vt[0]])
    return float(s[0]), v / np.linalg.norm(v)


def _eigenvector(G: nx.Graph, weight: str | None, sides: tuple[list, list] | None = None) -> dict:
    """networkx's eigenvector centrality, exactly (see the module notes)."""
    out = dict.fromkeys(G, 0.0)
    top = set(sides[0]) if sides is not None else set()
    leading = []
    for comp in _components(G):
        if len(comp) < 2:
            continue
        if sides is not None:
            rows = [n for n in comp if n in top]
            cols = [n for n in comp if n not in top]
            value, v = _bipartite_perron(G, rows, cols, weight)
            leading.append((rows + cols, value, v))
        else:
            leading.append((comp,) + _perron(_matrix(G, comp, weight)))
    if not leading:
        return out
    largest = max(value for _, value, _ in leading)
    tied = [(comp, v) for comp, value, v in leading if value >= largest * (1 - _TIED_EIGENVALUE)]
    norm = np.sqrt(sum(v.sum() ** 2 for _, v in tied))
    for comp, v in tied:
        out.update(zip(comp, (v * v.sum() / norm).tolist()))
    return out


def _pagerank(G: nx.Graph, weight: str | None) -> dict:
    nodes = list(G)
    n = len(nodes)
    A = _matrix(G, nodes, weight)
    s = A.sum(axis=1)
    P = np.where(s[:, None] > 0, A / np.where(s > 0, s, 1.0)[:, None], 1.0 / n)
    x = np.linalg.solve(np.eye(n) - _DAMPING * P.T, np.full(n, (1 - _DAMPING) / n))
    return dict(zip(nodes, (x / x.sum()).tolist()))


def _bipartite_max_betweenness(n: int, m: int) -> float:
    """Largest possible betweenness of a node on the side of ``n`` nodes facing ``m`` nodes."""
    s, t = divmod(n - 1, m)
    return ((m**2) * ((s + 1) ** 2) + m * (s + 1) * (2 * t - s - 1) - t * (2 * s - t + 3)) / 2.0


def _bipartite_betweenness(G: nx.Graph, top: list, distance: str | None = None) -> dict:
    """``nx.bipartite.betweenness_centrality``, but 0 (not ZeroDivisionError) on a side whose
    maximum is 0 (no node of that side can lie between two others, e.g. the leaves of a star);
    with ``distance``, over the shortest paths of that edge length."""
    top = set(top)
    n, m = len(top), len(G) - len(top)
    most = {True: _bipartite_max_betweenness(n, m), False: _bipartite_max_betweenness(m, n)}
    raw = nx.betweenness_centrality(G, normalized=False, weight=distance)
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


#: The edge attribute holding ``1 / weight`` on the sorted copy, with ``path_weights``.
_DISTANCE = "_distance"


def _with_distances(H: nx.Graph, weight: str | None) -> None:
    """Give every edge of ``H`` the length ``1 / weight`` (``path_weights``)."""
    if weight is None:
        raise GraphError("path weights need edge weights (weight=None counts hops)")
    for u, v, d in H.edges(data=True):
        w = d.get(weight, 1)
        if not w > 0:
            raise GraphError(f"edge {u!r}-{v!r} has weight {w!r}: path lengths 1 / weight need positive weights")
        d[_DISTANCE] = 1.0 / float(w)


def node_measures(
    G: nx.Graph,
    *,
    weight: str | None = "weight",
    measures: Sequence[str] = MEASURES,
    path_weights: bool = False,
) -> dict[str, dict[Hashable, float]]:
    """The node measures of ``G`` (those of :data:`MEASURES` asked for): measure -> node -> value.

    The numbers of :func:`centrality_table` without its communities; see the module notes for
    their definitions.

    Parameters
    ----------
    G : networkx.Graph
        The bipartite co-mention graph or a projection (not empty).
    weight : str or None
        Edge attribute used as weight (None: every edge weighs 1).
    measures : sequence of str
        Which of :data:`MEASURES` to compute.
    path_weights : bool, default False
        Betweenness and closeness over paths of length ``sum(1 / weight)`` instead of hops.

    Returns
    -------
    dict
        ``{measure: {node: value}}``, in the order of ``measures``.

    Examples
    --------
    >>> G = nx.Graph([("a", "b", {"weight": 2}), ("b", "c", {"weight": 1})])
    >>> m = node_measures(G, measures=["strength", "pagerank_scaled"])
    >>> m["strength"]
    {'a': 2, 'b': 3, 'c': 1}
    >>> round(sum(m["pagerank_scaled"].values()), 12)
    3.0
    """
    unknown = [m for m in measures if m not in MEASURES]
    if unknown:
        raise GraphError(f"unknown node measure(s) {', '.join(map(repr, unknown))}; choose from {', '.join(MEASURES)}")
    if len(G) == 0:
        raise GraphError("the graph is empty: no co-mentions to analyse (check the input, --exclude and --min-weight)")
    H = _sorted_copy(G)
    sides = _sides(H)
    distance = None
    if path_weights and ("betweenness" in measures or "closeness" in measures):
        _with_distances(H, weight)
        distance = _DISTANCE
    out: dict[str, dict] = {}
    for name in measures:
        if name == "degree":
            values = nx.bipartite.degree_centrality(H, sides[0]) if sides is not None else nx.degree_centrality(H)
        elif name == "betweenness":
            values = (
                _bipartite_betweenness(H, sides[0], distance)
                if sides is not None
                else nx.betweenness_centrality(H, normalized=True, weight=distance)
            )
        elif name == "closeness":
            if distance is not None:
                values = nx.closeness_centrality(H, distance=distance)
            else:
                values = _bipartite_closeness(H, sides[0]) if sides is not None else nx.closeness_centrality(H)
        elif name == "strength":
            values = dict(H.degree(weight=weight))
        elif name == "eigenvector":
            values = _eigenvector(H, weight, sides)
        elif name == "pagerank":
            values = out["pagerank"] if "pagerank" in out else _pagerank(H, weight)
        else:  # pagerank_scaled
            values = {
                n: v * len(H) for n, v in (out["pagerank"] if "pagerank" in out else _pagerank(H, weight)).items()
            }
        # strength keeps the weights' type (whole numbers for counts); the rest are floats
        out[name] = values if name == "strength" else {n: float(v) for n, v in values.items()}
    return out


def centrality_table(
    G: nx.Graph, *, seed: int = 0, weight: str | None = "weight", path_weights: bool = False
) -> pd.DataFrame:
    """Return one row per node with its centralities (the ``nodes.csv`` table).

    Parameters
    ----------
    G : networkx.Graph
        The bipartite co-mention graph or a projection (see the module notes for the measures).
    seed : int
        Seed of the consensus community detection.
    weight : str or None
        Edge attribute used as weight (None: every edge weighs 1).
    path_weights : bool, default False
        Betweenness and closeness over paths of length ``sum(1 / weight)`` (module notes).

    Returns
    -------
    DataFrame
        Columns :data:`NODE_COLUMNS`, sorted by kind, then strength (descending), then node;
        ``attrs["path_weights"]`` says how betweenness and closeness were computed.

    Raises
    ------
    GraphError
        If the graph is empty or a bipartite graph lacks one side.
    """
    values = node_measures(G, weight=weight, path_weights=path_weights)
    H = _sorted_copy(G)
    found = consensus_communities(H, seed=seed, weight=weight)
    community = found.membership
    rows = []
    for n, d in H.nodes(data=True):
        rows.append(
            {
                "node": n,
                "kind": d.get("kind", ""),
                "label": d.get("label", d.get("entity", str(n))),
                "posts": d.get("posts", pd.NA),
                **{m: values[m][n] for m in MEASURES},
                "community": community[n],
            }
        )
    table = pd.DataFrame(rows, columns=NODE_COLUMNS)
    table["posts"] = table["posts"].astype("Int64")
    table["_key"] = table["node"].astype(str)
    table = table.sort_values(["kind", "strength", "_key"], ascending=[True, False, True], kind="mergesort")
    log.debug("centrality table: %d nodes, %d communities", len(table), table["community"].nunique())
    table = table.drop(columns="_key").reset_index(drop=True)
    table.attrs["path_weights"] = bool(path_weights)
    table.attrs.update(
        communities=len(found.sizes),
        modularity=found.modularity,
        stability=found.stability,
        community_runs=found.runs,
        community_threshold=found.threshold,
        community_rounds=found.rounds,
        community_converged=found.converged,
    )
    return table
