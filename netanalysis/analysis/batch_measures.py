"""Node measures of many replicate graphs at once: PageRank, eigenvector, and the hop measures.

The replicates of a window (:mod:`netanalysis.analysis.resample`) share their nodes and
possible edges and differ in the edges' weights (0 = absent). Building a networkx graph for
each and solving it alone costs more in Python and in small LAPACK calls than the numbers do;
here a block of replicates is solved with one stacked LAPACK call, with the definitions of
:mod:`netanalysis.analysis.centrality` exactly:

* PageRank (damping 0.85, uniform teleport over the nodes *of the replicate's graph*): the
  linear system ``(I - d P^T) x = (1 - d) / n`` on the present nodes (an absent node has no
  links, so it gets 0 and gives nothing), solved on the smaller side of the bipartite graph
  (:func:`batch_pagerank`); ``x`` scaled to sum 1; ``pagerank_scaled`` is ``x`` times the
  number of present nodes.
* Eigenvector centrality on the bipartite graph, networkx's semantics: the leading singular
  vectors ``(u, v)`` of the weighted country x forum block, restricted to the connected
  component that carries them (the one with the largest leading eigenvalue; entries elsewhere
  are rounding noise and set to 0), scaled to unit norm. When the two largest singular values
  tie (two components with the same leading eigenvalue, where networkx mixes them), the
  replicate is left to the caller (``None``), which computes it on its graph.

* Degree, betweenness and closeness (hops, weights ignored), with the bipartite
  normalisations of ``centrality_table`` over the nodes present in the replicate: all-pairs
  breadth-first search by stacked matrix products (distances ``D`` and numbers of shortest
  paths ``S`` layer by layer), then Brandes' accumulation (Brandes 2001) of the dependencies
  ``delta_s(v) = sum_w S_sv / S_sw (1 + delta_s(w))`` over ``w`` one hop further from ``s``,
  one layer at a time for all sources together; betweenness is ``sum_s delta_s(v) / 2``
  divided by the bipartite maximum of the node's side (Borgatti & Everett 1997), closeness the
  reachable-nodes version of networkx's bipartite closeness.

The tests check all of them against :func:`netanalysis.analysis.centrality.node_measures` on the
replicates' graphs.

References
----------
Borgatti, S. P., & Everett, M. G. (1997). Network analysis of 2-mode data. Social Networks,
19(3), 243-269.
Brandes, U. (2001). A faster algorithm for betweenness centrality. Journal of Mathematical
Sociology, 25(2), 163-177.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from netanalysis.analysis.centrality import _bipartite_max_betweenness

__all__ = ["batch_pagerank", "batch_eigenvector", "batch_hop_measures"]

_DAMPING = 0.85
_TIED = 1e-9
_BLOCK_VALUES = 2_000_000  # matrix entries per stacked block (bounds memory)


def batch_pagerank(weights: np.ndarray, ends: np.ndarray, n_nodes: int, is_forum: np.ndarray) -> np.ndarray:
    """PageRank of each replicate of a bipartite graph: ``weights`` (replicates x edges,
    0 = absent), ``ends`` (edges x 2 node indices, a country and a forum), ``is_forum`` per
    node; returns replicates x nodes (0 for absent nodes).

    The system ``x = d P^T x + r`` splits by side: with ``B`` the country x forum weights and
    ``s`` the strengths, ``x_c = d (B / s_f) x_f + r_c`` and ``x_f = d (B^T / s_c) x_c + r_f``, so
    the smaller side solves ``(I - d^2 (B^T / s_c) (B / s_f)) x_f = d (B^T / s_c) r_c + r_f`` (a
    Schur complement: the same solution, from a system the size of the smaller side) and the
    other side follows.
    """
    n_rep = weights.shape[0]
    out = np.zeros((n_rep, n_nodes))
    rows_idx, cols_idx = np.flatnonzero(~is_forum), np.flatnonzero(is_forum)
    if len(cols_idx) > len(rows_idx):  # solve on the smaller side
        rows_idx, cols_idx = cols_idx, rows_idx
    row_of = np.full(n_nodes, -1)
    row_of[rows_idx] = np.arange(len(rows_idx))
    col_of = np.full(n_nodes, -1)
    col_of[cols_idx] = np.arange(len(cols_idx))
    flip = row_of[ends[:, 0]] < 0
    r_end = np.where(flip, ends[:, 1], ends[:, 0])
    c_end = np.where(flip, ends[:, 0], ends[:, 1])
    m, n = len(rows_idx), len(cols_idx)
    step = max(1, _BLOCK_VALUES // max(m * n, 1))
    eye = np.eye(n)
    for lo in range(0, n_rep, step):
        w = weights[lo : lo + step].astype(float)
        k = len(w)
        B = np.zeros((k, m, n))
        B[:, row_of[r_end], col_of[c_end]] = w
        s_r, s_c = B.sum(axis=2), B.sum(axis=1)
        on_r, on_c = s_r > 0, s_c > 0
        n_present = on_r.sum(axis=1) + on_c.sum(axis=1)
        teleport = (1 - _DAMPING) / np.maximum(n_present, 1)[:, None]
        t_r, t_c = np.where(on_r, teleport, 0.0), np.where(on_c, teleport, 0.0)
        to_r = B / np.where(on_c, s_c, 1.0)[:, None, :]  # x_r = d to_r x_c + t_r
        to_c = np.transpose(B, (0, 2, 1)) / np.where(on_r, s_r, 1.0)[:, None, :]  # x_c = d to_c x_r + t_c
        M = eye - _DAMPING**2 * (to_c @ to_r)
        rhs = _DAMPING * (to_c @ t_r[:, :, None])[:, :, 0] + t_c
        x_c = np.linalg.solve(M, rhs[:, :, None])[:, :, 0]
        x_r = _DAMPING * (to_r @ x_c[:, :, None])[:, :, 0] + t_r
        x = np.zeros((k, n_nodes))
        x[:, rows_idx], x[:, cols_idx] = x_r, x_c
        total = x.sum(axis=1)
        out[lo : lo + k] = np.where(total[:, None] > 0, x / np.where(total > 0, total, 1.0)[:, None], 0.0)
    return out


def _components(weights: np.ndarray, ends: np.ndarray, n_nodes: int) -> np.ndarray:
    """Connected-component labels per replicate (equal for the nodes of one component; every
    replicate's graph is a block of one sparse graph, labelled at once)."""
    n_rep = weights.shape[0]
    rows, cols = np.nonzero(weights > 0)
    offset = rows.astype(np.int64) * n_nodes
    graph = sp.coo_matrix(
        (np.ones(len(rows)), (offset + ends[cols, 0], offset + ends[cols, 1])), shape=(n_rep * n_nodes,) * 2
    )
    return connected_components(graph, directed=False)[1].reshape(n_rep, n_nodes)


def batch_eigenvector(weights: np.ndarray, ends: np.ndarray, n_nodes: int, is_forum: np.ndarray) -> list:
    """Eigenvector centrality of each replicate of a bipartite graph (see the module notes).

    Returns a list with one array of node values per replicate, or ``None`` where the largest
    singular value is tied (to be computed on the replicate's graph).
    """
    rows_idx, cols_idx = np.flatnonzero(~is_forum), np.flatnonzero(is_forum)
    row_of = np.full(n_nodes, -1)
    row_of[rows_idx] = np.arange(len(rows_idx))
    col_of = np.full(n_nodes, -1)
    col_of[cols_idx] = np.arange(len(cols_idx))
    c_end = np.where(is_forum[ends[:, 0]], ends[:, 1], ends[:, 0])
    f_end = np.where(is_forum[ends[:, 0]], ends[:, 0], ends[:, 1])
    labels = _components(weights, ends, n_nodes)
    out: list = []
    step = max(1, _BLOCK_VALUES // max(len(rows_idx) * len(cols_idx), 1))
    for lo in range(0, weights.shape[0], step):
        w = weights[lo : lo + step].astype(float)
        B = np.zeros((len(w), len(rows_idx), len(cols_idx)))
        B[:, row_of[c_end], col_of[f_end]] = w
        top, second, u, v = _leading_singular(B)
        values = np.zeros((len(w), n_nodes))
        values[:, rows_idx] = np.abs(u)
        values[:, cols_idx] = np.abs(v)
        where = np.argmax(values, axis=1)
        block_labels = labels[lo : lo + len(w)]
        carrier = block_labels[np.arange(len(w)), where]
        values[block_labels != carrier[:, None]] = 0.0
        norms = np.linalg.norm(values, axis=1)
        for k in range(len(w)):
            if top[k] <= 0:
                out.append(np.zeros(n_nodes))
            elif second[k] >= top[k] * (1 - _TIED):
                out.append(None)
            else:
                out.append(values[k] / norms[k])
    return out


def _leading_singular(B: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The two largest singular values and the leading left and right singular vectors of each
    matrix of a stack (k x m x n), from the eigendecomposition of the smaller Gram matrix
    (``B^T B`` or ``B B^T``: n x n or m x m; the other vector is ``B v / s``), which is far
    cheaper than a full singular value decomposition of every matrix."""
    k, m, n = B.shape
    cols = n <= m
    gram = np.transpose(B, (0, 2, 1)) @ B if cols else B @ np.transpose(B, (0, 2, 1))
    values, vectors = np.linalg.eigh(gram)
    values = np.clip(values, 0.0, None)
    top = np.sqrt(values[:, -1])
    second = np.sqrt(values[:, -2]) if values.shape[1] > 1 else np.zeros(k)
    lead = vectors[:, :, -1]
    safe = np.where(top > 0, top, 1.0)[:, None]
    if cols:
        other = (B @ lead[:, :, None])[:, :, 0] / safe
        return top, second, other, lead
    other = (np.transpose(B, (0, 2, 1)) @ lead[:, :, None])[:, :, 0] / safe
    return top, second, lead, other


def _hop_block(A: np.ndarray, is_forum: np.ndarray, wanted: list[str]) -> np.ndarray:
    """Hop measures of a stack of 0/1 adjacency matrices (k x n x n) -> k x n x len(wanted)."""
    k, n, _ = A.shape
    present = A.sum(axis=2) > 0
    out = np.zeros((k, n, len(wanted)))
    forums = (present & is_forum).sum(axis=1)[:, None]
    countries = (present & ~is_forum).sum(axis=1)[:, None]
    other = np.where(is_forum[None, :], countries, forums)
    if "degree" in wanted:
        out[:, :, wanted.index("degree")] = A.sum(axis=2) / np.maximum(other, 1)
    if "betweenness" not in wanted and "closeness" not in wanted:
        return out
    D = np.full((k, n, n), np.inf)
    idx = np.arange(n)
    D[:, idx, idx] = 0.0
    frontier = np.broadcast_to(np.eye(n), (k, n, n)).copy()
    S = frontier.copy()
    depth = 0
    while True:
        frontier = (frontier @ A) * np.isinf(D)
        if not frontier.any():
            break
        depth += 1
        D[frontier > 0] = depth
        S += frontier
    if "betweenness" in wanted:
        delta = np.zeros((k, n, n))
        with np.errstate(divide="ignore", invalid="ignore"):
            for level in range(depth - 1, 0, -1):
                further = np.where(D == level + 1, (1.0 + delta) / S, 0.0)
                delta = np.where(D == level, S * (further @ A), delta)
        raw = delta.sum(axis=1) / 2.0
        same = np.where(is_forum[None, :], forums, countries)
        cache: dict[tuple[int, int], float] = {}
        for pair in zip(np.broadcast_to(same, other.shape).ravel().tolist(), other.ravel().tolist()):
            if pair not in cache:
                cache[pair] = _bipartite_max_betweenness(*pair) if min(pair) > 0 else 0.0
        most = np.array(
            [cache[pair] for pair in zip(np.broadcast_to(same, other.shape).ravel().tolist(), other.ravel().tolist())]
        ).reshape(other.shape)
        out[:, :, wanted.index("betweenness")] = np.where(most > 0, raw / np.where(most > 0, most, 1), 0.0)
    if "closeness" in wanted:
        reach = np.isfinite(D)
        total = np.where(reach, D, 0.0).sum(axis=2)
        reached = reach.sum(axis=2)
        same_side = (reach & (is_forum[None, None, :] == is_forum[None, :, None])).sum(axis=2)
        least = (reached - same_side) + 2 * (same_side - 1)
        size = present.sum(axis=1)[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            value = least / total * (reached - 1) / np.maximum(size - 1, 1)
        out[:, :, wanted.index("closeness")] = np.where((total > 0) & present, value, 0.0)
    out[~present] = 0.0
    return out


def batch_hop_measures(
    support: np.ndarray, ends: np.ndarray, n_nodes: int, is_forum: np.ndarray, wanted: list[str]
) -> np.ndarray:
    """Degree, betweenness and closeness (those in ``wanted``) of each replicate's bipartite
    graph: ``support`` (replicates x edges, True = present) -> replicates x nodes x len(wanted)."""
    n_rep = support.shape[0]
    out = np.zeros((n_rep, n_nodes, len(wanted)))
    if wanted == ["degree"]:  # no path needed: the edges each node has, over the other side's nodes
        edge = np.arange(len(ends))
        incidence = sp.csr_matrix(
            (np.ones(2 * len(ends)), (np.r_[ends[:, 0], ends[:, 1]], np.r_[edge, edge])), shape=(n_nodes, len(ends))
        )
        degree = np.asarray(incidence @ support.T.astype(float)).T
        present = degree > 0
        forums = (present & is_forum).sum(axis=1)[:, None]
        countries = (present & ~is_forum).sum(axis=1)[:, None]
        other = np.where(is_forum[None, :], countries, forums)
        out[:, :, 0] = degree / np.maximum(other, 1)
        return out
    step = max(1, _BLOCK_VALUES // max(4 * n_nodes * n_nodes, 1))
    for lo in range(0, n_rep, step):
        block = support[lo : lo + step].astype(float)
        A = np.zeros((len(block), n_nodes, n_nodes))
        A[:, ends[:, 0], ends[:, 1]] = block
        A[:, ends[:, 1], ends[:, 0]] = block
        out[lo : lo + len(block)] = _hop_block(A, is_forum, wanted)
    return out
