"""The numbers behind the figures: layouts, node sizes, heatmap matrices, timeline selections.

Each function here is pure (numpy, pandas, networkx only; no matplotlib) so what a figure shows
is tested as numbers; :mod:`netanalysis.render` only draws what these functions return.

The bipartite graph follows the project contract: node ids ``country:XX`` / ``forum:YY`` with
node attribute ``bipartite`` (0 countries, 1 forums) and ``label``; edges carry ``weight``.
The timeline frame has the columns ``window_start, window_end, node, kind, metric, value, rank``.
"""
from __future__ import annotations

import logging
from collections.abc import Hashable, Iterable, Mapping, Sequence

import networkx as nx
import numpy as np
import pandas as pd

from netanalysis.errors import GraphError

__all__ = [
    "LAYOUTS",
    "SIZE_MEASURES",
    "sides",
    "node_label",
    "sorted_graph",
    "bipartite_order",
    "count_crossings",
    "network_layout",
    "node_values",
    "node_communities",
    "union_graph",
    "seriate",
    "heatmap_matrix",
    "timeline_windows",
    "top_nodes_over_time",
    "rank_changes",
]

log = logging.getLogger(__name__)

#: Layouts understood by :func:`network_layout`.
LAYOUTS = ("bipartite", "force")
#: Node measures :func:`node_values` computes from the graph alone.
SIZE_MEASURES = ("strength", "degree", "posts", "pagerank", "betweenness", "eigenvector")

_TIMELINE_COLUMNS = ("window_start", "node", "metric", "value", "rank")


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
    edges = sorted((tuple(sorted((u, v), key=str)) + (d,) for u, v, d in G.edges(data=True)),
                   key=lambda e: (str(e[0]), str(e[1])))
    H.add_edges_from((u, v, dict(d)) for u, v, d in edges)
    return H


def _weight(data: Mapping, weight: str | None) -> float:
    if weight is None:
        return 1.0
    value = data.get(weight, 1.0)
    return float(value) if value is not None and np.isfinite(value) else 0.0


def count_crossings(G: nx.Graph, pos: Mapping[Hashable, Sequence[float]], *,
                    weight: str | None = None) -> float:
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


def bipartite_order(G: nx.Graph, *, weight: str | None = "weight",
                    sweeps: int = 12) -> tuple[list[Hashable], list[Hashable]]:
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
        biadjacency = pd.DataFrame(0.0, index=pd.Index(left, dtype=object),
                                   columns=pd.Index(right, dtype=object))
        for u, v, d in G.edges(data=True):
            a, b = (u, v) if u in biadjacency.index else (v, u)
            biadjacency.loc[a, b] += _weight(d, weight)
        rows, cols = seriate(biadjacency)
        best = sweep_from(list(rows), list(cols), best)
    return list(best[1]), list(best[2])


def network_layout(G: nx.Graph, layout: str = "bipartite", *, seed: int = 0,
                   weight: str | None = "weight") -> dict[Hashable, tuple[float, float]]:
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
    comps = sorted((sorted(c, key=str) for c in nx.connected_components(H)),
                   key=lambda c: (-len(c), str(c[0])))
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


def _spring_box(H: nx.Graph, seed: int, weighted: bool,
                box: tuple[float, float, float, float]) -> dict[Hashable, tuple[float, float]]:
    """Seeded spring layout of a connected graph, scaled to fill ``box`` (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = box
    nodes = list(H.nodes)
    if len(nodes) == 1:
        return {nodes[0]: ((x0 + x1) / 2, (y0 + y1) / 2)}
    raw = nx.spring_layout(H, k=1.6 / np.sqrt(len(nodes)), iterations=200, seed=seed,
                           weight="_layout_w" if weighted else None)
    xy = np.array([raw[v] for v in nodes], dtype=float)
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    span = np.where(hi - lo > 0, hi - lo, 1.0)
    # Each axis stretched to fill the box: a spring layout's aspect ratio carries no meaning,
    # and a filled box leaves the most room between nodes and labels.
    unit = (xy - lo) / span
    out = np.column_stack([x0 + unit[:, 0] * (x1 - x0), y0 + unit[:, 1] * (y1 - y0)])
    return {v: (float(x), float(y)) for v, (x, y) in zip(nodes, out.round(10))}


def node_values(G: nx.Graph, measure: str = "strength", *,
                centrality: pd.DataFrame | None = None,
                weight: str = "weight") -> pd.Series:
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
        values = (nx.eigenvector_centrality(sorted_graph(G), weight=weight, max_iter=1000)
                  if G.number_of_edges() else {})
    else:
        raise GraphError(f"cannot size nodes by {measure!r}: not a centrality column and not one "
                         f"of {', '.join(SIZE_MEASURES)}")
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


def node_communities(G: nx.Graph, *, centrality: pd.DataFrame | None = None,
                     weight: str = "weight") -> pd.Series:
    """A community number per node (0 = largest community).

    Taken from the ``community`` column of ``centrality`` when given, else computed with
    greedy modularity maximisation (deterministic). Communities are renumbered by size
    (largest first, ties by smallest member id) so colours are stable.
    """
    nodes = sorted(G.nodes, key=str)
    if centrality is not None and "community" in centrality.columns:
        raw = centrality.set_index("node")["community"]
        groups: dict[Hashable, list] = {}
        for n in nodes:
            groups.setdefault(raw.get(n, -1), []).append(n)
        members = list(groups.values())
    elif G.number_of_edges():
        members = [sorted(c, key=str) for c in
                   nx.community.greedy_modularity_communities(sorted_graph(G), weight=weight)]
        covered = {n for c in members for n in c}
        members += [[n] for n in nodes if n not in covered]
    else:
        members = [[n] for n in nodes]
    members.sort(key=lambda c: (-len(c), str(min(c, key=str))))
    return pd.Series({n: i for i, c in enumerate(members) for n in c},
                     dtype=int, name="community").sort_index()


def union_graph(graphs: Iterable[nx.Graph], *, weight: str = "weight") -> nx.Graph:
    """The union of several window graphs: every node and edge, edge weights summed."""
    U = nx.Graph()
    for G in graphs:
        for n, d in G.nodes(data=True):
            if n not in U:
                U.add_node(n, **{k: v for k, v in d.items() if k in ("bipartite", "kind", "label",
                                                                     "entity")})
        for u, v, d in G.edges(data=True):
            w = _weight(d, weight)
            if U.has_edge(u, v):
                U[u][v][weight] += w
            else:
                U.add_edge(u, v, **{weight: w})
    return sorted_graph(U)


def _fix_sign(vec: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Orient a singular vector so the heaviest entry sorts first (negative end)."""
    ref = vec[int(np.argmax(totals))]
    return -vec if ref > 0 else vec


def _component_order(W: np.ndarray, rows: np.ndarray, cols: np.ndarray,
                     row_keys: Sequence[str], col_keys: Sequence[str]) -> tuple[list, list]:
    sub = W[np.ix_(rows, cols)]
    rt, ct = sub.sum(axis=1), sub.sum(axis=0)
    if len(rows) > 1 and len(cols) > 1:
        dr, dc = 1.0 / np.sqrt(rt), 1.0 / np.sqrt(ct)
        u, _, vt = np.linalg.svd(dr[:, None] * sub * dc[None, :], full_matrices=False)
        ru = _fix_sign(u[:, 1] * dr, rt) if u.shape[1] > 1 else np.zeros(len(rows))
        cv = vt[1] * dc if vt.shape[0] > 1 else np.zeros(len(cols))
        # Orient columns consistently with rows: heavy rows' columns come first too.
        if ru @ sub @ cv < 0:
            cv = -cv
        ru, cv = ru.round(9), cv.round(9)
    else:
        ru, cv = np.zeros(len(rows)), np.zeros(len(cols))
    r = sorted(range(len(rows)), key=lambda i: (ru[i], -rt[i], row_keys[rows[i]]))
    c = sorted(range(len(cols)), key=lambda j: (cv[j], -ct[j], col_keys[cols[j]]))
    return [int(rows[i]) for i in r], [int(cols[j]) for j in c]


def seriate(matrix: pd.DataFrame) -> tuple[list, list]:
    """Order the rows and columns of a non-negative matrix so that blocks sit together.

    Spectral co-clustering order (Dhillon 2001): within each connected block of non-zero
    cells, rows and columns are sorted by the second singular vectors of
    ``D_r^-1/2 W D_c^-1/2``. Blocks come heaviest first; empty rows and columns go last;
    ties are broken by total weight, then by label, so the result is deterministic.

    Returns
    -------
    (row_labels, column_labels) : tuple of lists

    References
    ----------
    I. S. Dhillon, "Co-clustering documents and words using bipartite spectral graph
    partitioning", KDD 2001.
    """
    W = np.nan_to_num(matrix.to_numpy(dtype=float), nan=0.0)
    W = np.where(W > 0, W, 0.0)
    n_r, n_c = W.shape
    row_keys = [str(x) for x in matrix.index]
    col_keys = [str(x) for x in matrix.columns]
    B = nx.Graph()
    B.add_nodes_from(("r", i) for i in range(n_r))
    B.add_nodes_from(("c", j) for j in range(n_c))
    B.add_edges_from((("r", int(i)), ("c", int(j))) for i, j in zip(*np.nonzero(W)))
    blocks = []
    for comp in nx.connected_components(B):
        rows = np.array(sorted(i for s, i in comp if s == "r"), dtype=int)
        cols = np.array(sorted(j for s, j in comp if s == "c"), dtype=int)
        if len(rows) == 0 or len(cols) == 0:
            continue
        total = W[np.ix_(rows, cols)].sum()
        blocks.append((-total, min(row_keys[i] for i in rows), rows, cols))
    blocks.sort(key=lambda b: (b[0], b[1]))
    r_order: list[int] = []
    c_order: list[int] = []
    for _, _, rows, cols in blocks:
        r, c = _component_order(W, rows, cols, row_keys, col_keys)
        r_order += r
        c_order += c
    r_order += sorted(set(range(n_r)) - set(r_order), key=lambda i: row_keys[i])
    c_order += sorted(set(range(n_c)) - set(c_order), key=lambda j: col_keys[j])
    return [matrix.index[i] for i in r_order], [matrix.columns[j] for j in c_order]


def heatmap_matrix(G: nx.Graph, value: str = "weight", *, order: str = "spectral",
                   max_rows: int | None = None, max_cols: int | None = None) -> pd.DataFrame:
    """The country × forum matrix of an edge attribute, ordered so that structure shows.

    Parameters
    ----------
    G : nx.Graph
        Bipartite co-mention graph.
    value : str
        Edge attribute to show (``weight``, ``assoc_strength``, ``jaccard``, ``npmi``...).
        Pairs without an edge are 0, except for ``npmi`` where they are NaN (undefined).
    order : {"spectral", "weight", "alphabetical"}
        ``spectral``: :func:`seriate` on the weights; ``weight``: heaviest rows and columns
        first; ``alphabetical``: by label.
    max_rows, max_cols : int, optional
        Keep only the heaviest rows (countries) and columns (forums) by total weight.

    Returns
    -------
    pd.DataFrame
        Index: country node ids; columns: forum node ids. ``attrs["labels"]`` maps ids to
        display labels and ``attrs["total_rows"]``/``attrs["total_cols"]`` give the sizes
        before truncation.
    """
    if order not in ("spectral", "weight", "alphabetical"):
        raise GraphError(f"unknown heatmap order {order!r}")
    countries, forums = sides(G)
    fill = np.nan if value == "npmi" else 0.0
    values = pd.DataFrame(fill, index=pd.Index(countries, dtype=object),
                          columns=pd.Index(forums, dtype=object), dtype=float)
    weights = pd.DataFrame(0.0, index=values.index, columns=values.columns)
    cset = set(countries)
    for u, v, d in G.edges(data=True):
        a, b = (u, v) if u in cset else (v, u)
        if a not in cset or b in cset:
            continue
        raw = d.get(value)
        if raw is None:
            raise GraphError(f"edge {a}–{b} has no attribute {value!r}")
        values.loc[a, b] = float(raw)
        weights.loc[a, b] = _weight(d, "weight")
    labels = {n: node_label(G, n) for n in G.nodes}
    rsum, csum = weights.sum(axis=1), weights.sum(axis=0)
    if max_rows is not None and len(countries) > max_rows:
        keep = sorted(countries, key=lambda n: (-rsum[n], str(n)))[:max_rows]
        weights, values = weights.loc[keep], values.loc[keep]
    if max_cols is not None and len(forums) > max_cols:
        keep = sorted(forums, key=lambda n: (-csum[n], str(n)))[:max_cols]
        weights, values = weights[keep], values[keep]
    if order == "spectral":
        rows, cols = seriate(weights)
    elif order == "weight":
        rs, cs = weights.sum(axis=1), weights.sum(axis=0)
        rows = sorted(weights.index, key=lambda n: (-rs[n], labels[n]))
        cols = sorted(weights.columns, key=lambda n: (-cs[n], labels[n]))
    else:
        rows = sorted(weights.index, key=lambda n: (labels[n], str(n)))
        cols = sorted(weights.columns, key=lambda n: (labels[n], str(n)))
    out = values.loc[rows, cols].copy()
    out.index.name, out.columns.name = "country", "forum"
    out.attrs.update(labels={n: labels[n] for n in list(rows) + list(cols)}, value=value,
                     total_rows=len(countries), total_cols=len(forums))
    return out


def _check_timeline(timeline: pd.DataFrame, metric: str) -> pd.DataFrame:
    missing = [c for c in _TIMELINE_COLUMNS if c not in timeline.columns]
    if missing:
        raise GraphError(f"timeline frame lacks column(s) {', '.join(missing)}")
    rows = timeline[timeline["metric"] == metric]
    if rows.empty:
        known = ", ".join(sorted(map(str, timeline["metric"].unique())))
        raise GraphError(f"timeline has no metric {metric!r} (has: {known or 'none'})")
    return rows


def _utc(value) -> pd.Timestamp:
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def timeline_windows(timeline: pd.DataFrame) -> list[tuple[pd.Timestamp, pd.Timestamp | None]]:
    """Every window of a timeline frame, in time order, as UTC ``(start, end)`` timestamps.

    Uses ``timeline.attrs["windows"]`` when present (it also lists windows without posts,
    which have no rows), else the distinct ``window_start``/``window_end`` pairs of the rows.
    """
    listed = timeline.attrs.get("windows") if hasattr(timeline, "attrs") else None
    pairs: dict[pd.Timestamp, pd.Timestamp | None] = {}
    if listed:
        for start, end in listed:
            pairs[_utc(start)] = _utc(end) if end is not None else None
    has_end = "window_end" in timeline.columns
    for start, end in zip(timeline["window_start"],
                          timeline["window_end"] if has_end else [None] * len(timeline)):
        pairs.setdefault(_utc(start), _utc(end) if end is not None and not pd.isna(end) else None)
    return sorted(pairs.items(), key=lambda p: p[0])


def top_nodes_over_time(timeline: pd.DataFrame, metric: str = "pagerank", n: int = 8, *,
                        kind: str | None = None) -> pd.DataFrame:
    """The ``n`` nodes with the highest mean value of ``metric`` over all windows, per window.

    A node absent from a window counts as 0 in the mean (it was not mentioned). Windows
    without any rows (listed in ``timeline.attrs["windows"]``) are kept, all NaN.

    Returns
    -------
    pd.DataFrame
        Wide: index ``window_start`` (every window, sorted), one column per selected node in
        order of decreasing mean value (ties by node id); NaN where the node is absent.
    """
    rows = _check_timeline(timeline, metric)
    if kind is not None:
        rows = rows[rows["kind"] == kind]
    rows = rows.assign(window_start=[_utc(t) for t in rows["window_start"]])
    wide = rows.pivot_table(index="window_start", columns="node", values="value",
                            aggfunc="first").sort_index()
    all_windows = pd.DatetimeIndex([s for s, _ in timeline_windows(timeline)],
                                   name="window_start")
    wide = wide.reindex(all_windows)
    mean = wide.fillna(0.0).mean(axis=0)
    chosen = sorted(wide.columns, key=lambda c: (-round(float(mean[c]), 12), str(c)))[:n]
    out = wide[chosen].astype(float)
    out.columns.name = "node"
    return out


def rank_changes(timeline: pd.DataFrame, metric: str = "pagerank", n: int = 10, *,
                 kind: str | None = None) -> pd.DataFrame:
    """Ranks for a bump chart: every node ranked within the top ``n`` in at least one window.

    Ranks are the timeline's own ``rank`` column (not recomputed), so the chart shows exactly
    the published numbers. ``timeline.csv`` ranks within (window, kind, metric), so pass
    ``kind`` to compare like with like; with ``kind=None`` both kinds' ranks appear together.

    Returns
    -------
    pd.DataFrame
        Columns ``window_start, window_end, node, rank, value, in_top``, one row per window and
        selected node present in that window, sorted by window then rank then node.
        ``in_top`` says whether the rank is within ``n``.
    """
    rows = _check_timeline(timeline, metric)
    if kind is not None:
        rows = rows[rows["kind"] == kind]
    chosen = set(rows.loc[rows["rank"] <= n, "node"])
    out = rows[rows["node"].isin(chosen)].copy()
    out["window_start"] = [_utc(t) for t in out["window_start"]]
    if "window_end" not in out.columns:
        out["window_end"] = pd.NaT
    out = out[["window_start", "window_end", "node", "rank", "value"]]
    out["in_top"] = out["rank"] <= n
    out = out.sort_values(["window_start", "rank", "node"], kind="mergesort")
    return out.reset_index(drop=True)
