"""Consensus communities over many Louvain runs, with modularity and stability.

Method
------
Louvain (Blondel et al. 2008) is randomised: different seeds give different partitions,
especially on small or weakly clustered graphs. Consensus clustering (Lancichinetti & Fortunato
2012) turns many runs into one partition that does not depend on a seed:

1. run Louvain ``runs`` times on the graph (weighted), seeds drawn from ``seed``;
2. build the consensus matrix ``D``: ``D_ij`` = the share of the runs that put ``i`` and ``j``
   in the same community; set entries below ``threshold`` to 0;
3. run Louvain ``runs`` times on ``D`` (a weighted graph); if all runs agree, stop with that
   partition, else go back to 2 with these partitions (at most ``max_rounds`` times; then the
   last round's most frequent partition is taken and ``converged`` is false).

Reported with it
----------------
``modularity``: Newman-Girvan modularity ``Q`` (weighted, resolution 1) of the consensus
partition on the original graph (Newman & Girvan 2004). ``stability``: the mean adjusted Rand
index (Hubert & Arabie 1985) between each of the first-round Louvain partitions and the
consensus (1: every run found the consensus; about 0: no more agreement than chance).
``agreement`` per node: the mean, over those runs, of the Jaccard index between the node's
community in the run and its consensus community (1: the node always lands with exactly its
consensus partners).

Communities are numbered 0, 1, ... from the largest, ties by the smallest node id (as a string),
as in ``nodes.csv``; nodes without edges are communities of their own.

Defaults: ``runs = 50`` and ``threshold = 0.5``: Lancichinetti & Fortunato use tens to a hundred
runs and find Louvain's consensus accurate over a wide range of thresholds; 0.5 keeps the pairs
that a majority of runs put together.

References
----------
Blondel, V. D., Guillaume, J.-L., Lambiotte, R., & Lefebvre, E. (2008). Fast unfolding of
communities in large networks. Journal of Statistical Mechanics, P10008.
Hubert, L., & Arabie, P. (1985). Comparing partitions. Journal of Classification, 2(1), 193-218.
Lancichinetti, A., & Fortunato, S. (2012). Consensus clustering in complex networks. Scientific
Reports, 2, 336.
Newman, M. E. J., & Girvan, M. (2004). Finding and evaluating community structure in networks.
Physical Review E, 69(2), 026113.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd

from netanalysis.errors import ConfigError

__all__ = ["Consensus", "consensus_communities", "adjusted_rand_index"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Consensus:
    """The result of :func:`consensus_communities`.

    Attributes
    ----------
    membership : dict
        node -> community number (0 = largest).
    agreement : dict
        node -> mean Jaccard index of its run communities with its consensus community.
    modularity : float
        ``Q`` of the consensus partition on the graph.
    stability : float
        Mean adjusted Rand index between the Louvain runs and the consensus.
    runs, threshold, seed, rounds, converged
        How it was computed.
    """

    membership: dict
    agreement: dict
    modularity: float
    stability: float
    runs: int
    threshold: float
    seed: int
    rounds: int
    converged: bool
    sizes: list = field(default_factory=list)

    def table(self) -> pd.DataFrame:
        """``node, community, agreement``, one row per node, sorted by community then node."""
        frame = pd.DataFrame(
            {
                "node": list(self.membership),
                "community": list(self.membership.values()),
                "agreement": [self.agreement[n] for n in self.membership],
            }
        )
        frame["_key"] = frame["node"].astype(str)
        frame = frame.sort_values(["community", "_key"], kind="mergesort").drop(columns="_key")
        frame.attrs.update(
            modularity=self.modularity,
            stability=self.stability,
            runs=self.runs,
            threshold=self.threshold,
            seed=self.seed,
            rounds=self.rounds,
            converged=self.converged,
        )
        return frame.reset_index(drop=True)


def adjusted_rand_index(a: np.ndarray, b: np.ndarray) -> float:
    """Adjusted Rand index of two labelings of the same items (Hubert & Arabie 1985).

    Examples
    --------
    >>> adjusted_rand_index(np.array([0, 0, 1, 1]), np.array([5, 5, 2, 2]))
    1.0
    >>> round(adjusted_rand_index(np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])), 3)
    -0.5
    """
    _, ia = np.unique(a, return_inverse=True)
    _, ib = np.unique(b, return_inverse=True)
    table = np.zeros((ia.max() + 1, ib.max() + 1), dtype=np.int64)
    np.add.at(table, (ia.ravel(), ib.ravel()), 1)

    def pairs(x: np.ndarray) -> float:
        return float((x * (x - 1) / 2).sum())

    n = len(a)
    index, rows, cols = pairs(table), pairs(table.sum(1)), pairs(table.sum(0))
    total = n * (n - 1) / 2
    expected = rows * cols / total if total else 0.0
    top = (rows + cols) / 2
    if top == expected:
        return 1.0
    return (index - expected) / (top - expected)


def _louvain_labels(G: nx.Graph, nodes: list, seeds: np.ndarray, weight: str | None) -> np.ndarray:
    """runs x nodes community labels (arbitrary numbers)."""
    position = {n: i for i, n in enumerate(nodes)}
    out = np.zeros((len(seeds), len(nodes)), dtype=np.int64)
    for r, s in enumerate(seeds.tolist()):
        for c, part in enumerate(nx.community.louvain_communities(G, weight=weight, seed=int(s))):
            out[r, [position[n] for n in part]] = c
    return out


def _co_membership(labels: np.ndarray) -> np.ndarray:
    same = np.zeros((labels.shape[1], labels.shape[1]))
    for row in labels:
        same += row[:, None] == row[None, :]
    return same / len(labels)


def _numbered(nodes: list, labels: np.ndarray) -> dict[Hashable, int]:
    groups: dict[int, list] = {}
    for n, c in zip(nodes, labels.tolist()):
        groups.setdefault(c, []).append(n)
    ordered = sorted((sorted(g, key=str) for g in groups.values()), key=lambda g: (-len(g), str(g[0])))
    return {n: i for i, g in enumerate(ordered) for n in g}


def consensus_communities(
    G: nx.Graph,
    *,
    runs: int = 50,
    threshold: float = 0.5,
    seed: int = 0,
    weight: str | None = "weight",
    max_rounds: int = 20,
) -> Consensus:
    """Consensus communities of ``G`` (see the module notes).

    Parameters
    ----------
    G : networkx.Graph
    runs : int
        Louvain runs per round.
    threshold : float
        Co-membership shares below it are set to 0 in the consensus matrix.
    seed : int
        Seed of the seeds of the runs: the same seed gives the same result.
    weight : str or None
        Edge attribute used as weight.
    max_rounds : int
        Most rounds of consensus.

    Returns
    -------
    Consensus

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("c", "a"), ("x", "y"), ("y", "z"), ("z", "x"), ("c", "x")])
    >>> c = consensus_communities(G, runs=10)
    >>> c.membership
    {'a': 0, 'b': 0, 'c': 0, 'x': 1, 'y': 1, 'z': 1}
    >>> round(c.modularity, 4), c.stability
    (0.3571, 1.0)
    """
    if isinstance(runs, bool) or not isinstance(runs, (int, np.integer)) or runs < 1:
        raise ConfigError(f"runs must be a whole number >= 1, not {runs!r}")
    if not 0 < threshold <= 1:
        raise ConfigError(f"threshold must lie in (0, 1], not {threshold!r}")
    nodes = sorted(G.nodes, key=str)
    if not nodes:
        return Consensus({}, {}, float("nan"), float("nan"), runs, threshold, seed, 0, True)
    H = nx.Graph()
    H.add_nodes_from(nodes)
    H.add_edges_from(
        sorted(((*sorted((u, v), key=str), d) for u, v, d in G.edges(data=True)), key=lambda e: (str(e[0]), str(e[1])))
    )
    rng = np.random.default_rng(seed)
    first = _louvain_labels(H, nodes, rng.integers(0, 2**31 - 1, size=runs), weight)
    labels, rounds, converged = first, 0, False
    while rounds < max_rounds:
        if (labels == labels[0]).all() or all(adjusted_rand_index(labels[0], row) == 1.0 for row in labels[1:]):
            converged = True
            break
        D = _co_membership(labels)
        D[D < threshold] = 0.0
        np.fill_diagonal(D, 0.0)
        C = nx.Graph()
        C.add_nodes_from(nodes)
        i, j = np.nonzero(np.triu(D, 1))
        C.add_weighted_edges_from((nodes[a], nodes[b], float(D[a, b])) for a, b in zip(i.tolist(), j.tolist()))
        labels = _louvain_labels(C, nodes, rng.integers(0, 2**31 - 1, size=runs), "weight")
        rounds += 1
    if converged:
        final = labels[0]
    else:
        keys = Counter(tuple(_numbered(nodes, row).values()) for row in labels)
        final = np.array(keys.most_common(1)[0][0])
        log.warning(
            "consensus communities did not converge in %d rounds: the most frequent "
            "partition of the last round is used",
            max_rounds,
        )
    membership = _numbered(nodes, final)
    codes = np.array([membership[n] for n in nodes])
    parts = [set(np.asarray(nodes, dtype=object)[codes == c]) for c in range(codes.max() + 1)]
    modularity = nx.community.modularity(H, parts, weight=weight) if H.number_of_edges() else float("nan")
    stability = float(np.mean([adjusted_rand_index(codes, row) for row in first]))
    agreement = {}
    for k, n in enumerate(nodes):
        mine = codes == codes[k]
        scores = [
            ((first[r] == first[r, k]) & mine).sum() / ((first[r] == first[r, k]) | mine).sum()
            for r in range(len(first))
        ]
        agreement[n] = float(np.mean(scores))
    return Consensus(
        membership=membership,
        agreement=agreement,
        modularity=float(modularity),
        stability=stability,
        runs=int(runs),
        threshold=float(threshold),
        seed=seed,
        rounds=rounds,
        converged=converged,
        sizes=[len(p) for p in parts],
    )
