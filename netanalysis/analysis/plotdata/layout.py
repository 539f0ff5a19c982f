"""Node positions: the two-column (bipartite) layout with few crossings, and a force layout."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import networkx as nx
import numpy as np
import pandas as pd

from netanalysis.analysis.plotdata.common import edge_weight as _weight
from netanalysis.analysis.plotdata.common import sides, sorted_graph
from netanalysis.analysis.plotdata.matrix import seriate
from netanalysis.errors import GraphError

__all__ = ["LAYOUTS", "count_crossings", "bipartite_order", "network_layout"]

#: Layouts understood by :func:`network_layout`.
LAYOUTS = ("bipartite", "force")


def count_crossings(G: nx.Graph, pos: Mapping[Hashable, Sequence[float]], *, weight: str | None = None) -> float:
    """Count edge crossings of a two-column drawing.

    Two edges cross when their endpoints are in opposite vertical order on the two columns.
    With ``weight``, a crossing counts as the product of the two edges' weights.

    Examples
    --------
    >>> G = nx.Graph([("country:A", "forum:X"), ("country:B", "forum:Y")])
    >>> count_crossings(G, {"country:A": (0, 1), "country:B": (0, 0),
    ...                     "forum:X": (1, 0), "forum:Y": (1, 1)})
    1.0
    """
    left, _ = sides(G)
    left_set = set(left)
    edges = []
    for u, v, d in G.edges(data=True):
        a, b = (u, v) if u in left_set else (v, u)
        edges.append((-pos[a][1], -pos[b][1], _weight(d, weight)))
    edges.sort()
    # Fenwick tree over the distinct right-hand positions: weight of earlier edges whose
    # right end lies below the current edge's right end (those cross it).
    keys = sorted({yb for _, yb, _ in edges})
    rank = {y: i + 1 for i, y in enumerate(keys)}
    tree = [0.0] * (len(keys) + 1)

    def prefix(i: int) -> float:
        s = 0.0
        while i > 0:
            s += tree[i]
            i -= i & -i
        return s

    total = passed = 0.0
    i = 0
    while i < len(edges):
        j = i
        while j < len(edges) and edges[j][0] == edges[i][0]:
            j += 1
        for _, yb, w in edges[i:j]:
            total += w * (passed - prefix(rank[yb]))
        for _, yb, w in edges[i:j]:
            k = rank[yb]
            while k < len(tree):
                tree[k] += w
                k += k & -k
            passed += w
        i = j
    return float(total)


def _spread(order: Sequence[Hashable], n_max: int) -> dict[Hashable, float]:
    """Even vertical positions from 1 (top) to 0, first item on top; one item sits at 0.5.

    ``n_max`` (the longer column) is accepted for symmetry with the drawing code; both
    columns span the full height, as in :func:`networkx.bipartite_layout`.
    """
    n = len(order)
    if n == 1:
        return {order[0]: 0.5}
    return {node: 1.0 - i / (n - 1) for i, node in enumerate(order)}


def bipartite_order(
    G: nx.Graph, *, weight: str | None = "weight", sweeps: int = 12
) -> tuple[list[Hashable], list[Hashable]]:
    """Order both sides of a bipartite graph to reduce edge crossings (barycentre heuristic).

    Starts from each side sorted by weighted degree (heaviest first), and from the spectral
    order of :func:`seriate`; from each start, alternately sorts one side by the weighted mean
    position of its neighbours on the other side (Sugiyama's barycentre method), keeping the
    order with the fewest weighted crossings. Nodes without
    edges go last. Ties are broken by node id, so the result is deterministic.

    Returns
    -------
    (countries, forums) : tuple of lists
        Node ids from top to bottom.
    """
    left, right = sides(G)

    def strength(n: Hashable) -> float:
        return sum(_weight(d, weight) for _, _, d in G.edges(n, data=True))

    def initial(nodes: list[Hashable]) -> list[Hashable]:
        return sorted(nodes, key=lambda n: (-strength(n), str(n)))

    def barycentre(nodes: list[Hashable], other: list[Hashable]) -> list[Hashable]:
        index = {n: i for i, n in enumerate(other)}
        keys = {}
        for n in nodes:
            total = wsum = 0.0
            for _, m, d in G.edges(n, data=True):
                w = _weight(d, weight)
                total += w * index[m]
                wsum += w
            keys[n] = (0, total / wsum) if wsum > 0 else (1, 0.0)
        return sorted(nodes, key=lambda n: (keys[n], str(n)))

    def crossings(lo: list[Hashable], ro: list[Hashable]) -> float:
        n_max = max(len(lo), len(ro))
        pos = {n: (0.0, y) for n, y in _spread(lo, n_max).items()}
        pos.update({n: (1.0, y) for n, y in _spread(ro, n_max).items()})
        return count_crossings(G, pos, weight=weight)

    def sweep_from(lo: list[Hashable], ro: list[Hashable], best: tuple) -> tuple:
        for sweep in range(sweeps):
            c = crossings(lo, ro)
            if c < best[0]:
                best = (c, lo, ro)
            if c == 0:
                break
            if sweep % 2 == 0:
                ro = barycentre(ro, lo)
            else:
                lo = barycentre(lo, ro)
        return best

    # Two starting orders: heaviest first, and the spectral order of the biadjacency matrix
    # (which lays chains and blocks out in sequence); the sweeps refine both.
    best = (np.inf, initial(left), initial(right))
    best = sweep_from(initial(left), initial(right), best)
    if best[0] > 0 and left and right:
        biadjacency = pd.DataFrame(0.0, index=pd.Index(left, dtype=object), columns=pd.Index(right, dtype=object))
        for u, v, d in G.edges(data=True):
            a, b = (u, v) if u in biadjacency.index else (v, u)
            biadjacency.loc[a, b] += _weight(d, weight)
        rows, cols = seriate(biadjacency)
        best = sweep_from(list(rows), list(cols), best)
    return list(best[1]), list(best[2])


def network_layout(
    G: nx.Graph, layout: str = "bipartite", *, seed: int = 0, weight: str | None = "weight"
) -> dict[Hashable, tuple[float, float]]:
    """Node positions for drawing the country–forum graph.

    Parameters
    ----------
    G : nx.Graph
        Bipartite co-mention graph.
    layout : {"bipartite", "force"}
        ``bipartite``: countries in a left column (x = 0), forums in a right column (x = 1),
        each ordered by :func:`bipartite_order` and spread evenly over y in [0, 1].
        ``force``: a seeded spring layout (Fruchterman–Reingold) on the weighted graph,
        scaled into [-1, 1].
    seed : int
        Seed of the spring layout; the same graph and seed give the same positions.
    weight : str or None
        Edge attribute used as attraction (force) or barycentre weight (bipartite).

    Returns
    -------
    dict
        ``node -> (x, y)`` for every node of ``G``.

    Examples
    --------
    >>> G = nx.Graph([("country:CN", "forum:UN"), ("country:IN", "forum:UN")])
    >>> pos = network_layout(G, "bipartite")
    >>> pos["forum:UN"]
    (1.0, 0.5)
    """
    if layout not in LAYOUTS:
        raise GraphError(f"unknown layout {layout!r}; expected one of {', '.join(LAYOUTS)}")
    if G.number_of_nodes() == 0:
        return {}
    if layout == "bipartite":
        lo, ro = bipartite_order(G, weight=weight)
        n_max = max(len(lo), len(ro))
        pos = {n: (0.0, float(y)) for n, y in _spread(lo, n_max).items()}
        pos.update({n: (1.0, float(y)) for n, y in _spread(ro, n_max).items()})
        return pos
    H = sorted_graph(G)
    if weight is not None:
        # Compress heavy weights so one dominant pair does not collapse the drawing.
        for _, _, d in H.edges(data=True):
            d["_layout_w"] = float(np.log1p(_weight(d, weight)))
    comps = sorted((sorted(c, key=str) for c in nx.connected_components(H)), key=lambda c: (-len(c), str(c[0])))
    main, rest = comps[0], comps[1:]
    top = -0.72 if rest else -1.0
    pos = _spring_box(H.subgraph(main), seed, weight is not None, (-1.0, top, 1.0, 1.0))
    # Small components and isolated nodes go in a row along the bottom, left to right.
    if rest:
        widths = np.sqrt([len(c) for c in rest])
        x = -1.0
        step = 2.0 / widths.sum()
        for comp, w in zip(rest, widths):
            box = (x, -1.0, x + w * step, -0.82)
            pos.update(_spring_box(H.subgraph(comp), seed, weight is not None, box))
            x += w * step
    return {v: pos[v] for v in H.nodes}


def _spring_box(
    H: nx.Graph, seed: int, weighted: bool, box: tuple[float, float, float, float]
) -> dict[Hashable, tuple[float, float]]:
    """Seeded spring layout of a connected graph, scaled to fill ``box`` (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = box
    nodes = list(H.nodes)
    if len(nodes) == 1:
        return {nodes[0]: ((x0 + x1) / 2, (y0 + y1) / 2)}
    raw = nx.spring_layout(
        H, k=1.6 / np.sqrt(len(nodes)), iterations=200, seed=seed, weight="_layout_w" if weighted else None
    )
    xy = np.array([raw[v] for v in nodes], dtype=float)
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    span = np.where(hi - lo > 0, hi - lo, 1.0)
    # Each axis stretched to fill the box: a spring layout's aspect ratio carries no meaning,
    # and a filled box leaves the most room between nodes and labels.
    unit = (xy - lo) / span
    out = np.column_stack([x0 + unit[:, 0] * (x1 - x0), y0 + unit[:, 1] * (y1 - y0)])
    return {v: (float(x), float(y)) for v, (x, y) in zip(nodes, out.round(10))}
