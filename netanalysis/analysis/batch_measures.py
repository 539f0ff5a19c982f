"""Node measures of many replicate graphs at once: PageRank, eigenvector, and the hop measures.

The replicates of a window (:mod:`netanalysis.analysis.resample`) share their nodes and
possible edges and differ in the edges' weights (0 = absent). Building a networkx graph for
each and solving it alone costs more in Python and in small LAPACK calls than the numbers do;
here a block of replicates is solved with one stacked LAPACK call, with the definitions of
:mod:`netanalysis.analysis.centrality` exactly:

* PageRank (damping 0.85, uniform teleport over the nodes *of the replicate's graph*): the
  linear system ``(I - d P^T) x = (1 - d) / n`` on the present nodes, where an absent node's
  row is the identity with right-hand side 0 (it has no links, so it gets 0 and gives nothing);
  ``x`` scaled to sum 1; ``pagerank_scaled`` is ``x`` times the number of present nodes.
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

from netanalysis.analysis.centrality import _bipartite_max_betweenness

__all__ = ["batch_pagerank", "batch_eigenvector", "batch_hop_measures"]

_DAMPING = 0.85
_TIED = 1e-9
_BLOCK_VALUES = 2_000_000  # matrix entries per stacked block (bounds memory)


def batch_pagerank(weights: np.ndarray, ends: np.ndarray, n_nodes: int) -> np.ndarray:
    """PageRank of each replicate: ``weights`` (replicates x edges, 0 = absent), ``ends``
    (edges x 2 node indices); returns replicates x nodes (0 for absent nodes)."""
    n_rep = weights.shape[0]
    out = np.zeros((n_rep, n_nodes))
    step = max(1, _BLOCK_VALUES // max(n_nodes * n_nodes, 1))
    for lo in range(0, n_rep, step):
        w = weights[lo : lo + step].astype(float)
        k = len(w)
        A = np.zeros((k, n_nodes, n_nodes))
        A[:, ends[:, 0], ends[:, 1]] = w
        A[:, ends[:, 1], ends[:, 0]] = w
        s = A.sum(axis=2)
        present = s > 0
        P = A / np.where(present, s, 1.0)[:, :, None]
        M = -_DAMPING * np.transpose(P, (0, 2, 1))
        idx = np.arange(n_nodes)
        M[:, idx, idx] += 1.0
        n_present = present.sum(axis=1)
        rhs = np.where(present, (1 - _DAMPING) / np.maximum(n_present, 1)[:, None], 0.0)
        x = np.linalg.solve(M, rhs[:, :, None])[:, :, 0]
        total = x.sum(axis=1)
        out[lo : lo + k] = np.where(total[:, None] > 0, x / np.where(total > 0, total, 1.0)[:, None], 0.0)
    return out


def _components(weights: np.ndarray, ends: np.ndarray, n_nodes: int) -> np.ndarray:
    """Connected-component labels (the smallest node index in the component) per replicate."""
    n_rep = weights.shape[0]
    labels = np.tile(np.arange(n_nodes), (n_rep, 1))
    live = weights > 0
    rows = np.nonzero(live)[0]
    a, b = ends[np.nonzero(live)[1], 0], ends[np.nonzero(live)[1], 1]
    while True:
        low = np.minimum(labels[rows, a], labels[rows, b])
        before = labels.copy()
        np.minimum.at(labels, (rows, a), low)
        np.minimum.at(labels, (rows, b), low)
        labels = np.take_along_axis(labels, labels, axis=1)  # jump to the label's label
        if np.array_equal(labels, before):
            return labels


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
        u, s, vt = np.linalg.svd(B, full_matrices=False)
        for k in range(len(w)):
            if s[k, 0] <= 0:
                out.append(np.zeros(n_nodes))
                continue
            if len(s[k]) > 1 and s[k, 1] >= s[k, 0] * (1 - _TIED):
                out.append(None)
                continue
            v = np.zeros(n_nodes)
            v[rows_idx] = np.abs(u[k, :, 0])
            v[cols_idx] = np.abs(vt[k, 0, :])
            comp = labels[lo + k, int(np.argmax(v))]
            v[labels[lo + k] != comp] = 0.0
            out.append(v / np.linalg.norm(v))
    return out


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
    step = max(1, _BLOCK_VALUES // max(4 * n_nodes * n_nodes, 1))
    for lo in range(0, n_rep, step):
        block = support[lo : lo + step].astype(float)
        A = np.zeros((len(block), n_nodes, n_nodes))
        A[:, ends[:, 0], ends[:, 1]] = block
        A[:, ends[:, 1], ends[:, 0]] = block
        out[lo : lo + len(block)] = _hop_block(A, is_forum, wanted)
    return out
