"""The country × forum matrix and its seriation (an order that puts blocks together)."""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx
import numpy as np
import pandas as pd

from netanalysis.analysis.plotdata.common import edge_weight as _weight
from netanalysis.analysis.plotdata.common import node_label, sides
from netanalysis.errors import GraphError

__all__ = ["seriate", "heatmap_matrix"]


def _fix_sign(vec: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Orient a singular vector so the heaviest entry sorts first (negative end)."""
    ref = vec[int(np.argmax(totals))]
    return -vec if ref > 0 else vec


def _component_order(
    W: np.ndarray, rows: np.ndarray, cols: np.ndarray, row_keys: Sequence[str], col_keys: Sequence[str]
) -> tuple[list, list]:
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

    Examples
    --------
    >>> m = pd.DataFrame([[0, 5, 0], [4, 0, 0], [0, 6, 1]], index=["a", "b", "c"],
    ...                  columns=["x", "y", "z"])
    >>> seriate(m)
    (['c', 'a', 'b'], ['z', 'y', 'x'])

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


def heatmap_matrix(
    G: nx.Graph,
    value: str = "weight",
    *,
    order: str = "spectral",
    max_rows: int | None = None,
    max_cols: int | None = None,
) -> pd.DataFrame:
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
        before truncation. ``attrs["dominant_row"]``/``attrs["dominant_col"]`` name the country
        and the forum in the most co-mentions, ``(node, label, share)``, ``share`` being the
        share of all co-mention weight (before truncation) on edges of that node.
    """
    if order not in ("spectral", "weight", "alphabetical"):
        raise GraphError(f"unknown heatmap order {order!r}")
    countries, forums = sides(G)
    fill = np.nan if value == "npmi" else 0.0
    values = pd.DataFrame(
        fill, index=pd.Index(countries, dtype=object), columns=pd.Index(forums, dtype=object), dtype=float
    )
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
    total = float(rsum.sum())
    out.attrs.update(
        labels={n: labels[n] for n in list(rows) + list(cols)},
        value=value,
        total_rows=len(countries),
        total_cols=len(forums),
        dominant_row=_dominant(rsum, total, labels),
        dominant_col=_dominant(csum, total, labels),
    )
    return out


def _dominant(totals: pd.Series, total: float, labels: dict) -> tuple[str, str, float] | None:
    """The node with the largest share of all co-mentions on one side: (node, label, share)."""
    if total <= 0 or totals.empty:
        return None
    node = sorted(totals.index, key=lambda n: (-float(totals[n]), str(n)))[0]
    return str(node), str(labels[node]), float(totals[node]) / total
