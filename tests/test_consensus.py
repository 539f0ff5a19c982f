"""Consensus communities: deterministic, a planted partition recovered, Q and stability reported."""

import networkx as nx
import numpy as np
import pytest

from netanalysis.analysis.consensus import adjusted_rand_index, consensus_communities


def planted_bipartite(seed=1, p_in=1.0, p_out=0.05):
    """Two blocks of 10 countries x 4 forums; edges mostly within a block."""
    rng = np.random.default_rng(seed)
    G = nx.Graph()
    for block in (0, 1):
        for c in range(10):
            G.add_node(f"country:B{block}C{c}", bipartite=0, block=block)
        for f in range(4):
            G.add_node(f"forum:B{block}F{f}", bipartite=1, block=block)
    for block_c in (0, 1):
        for c in range(10):
            for block_f in (0, 1):
                for f in range(4):
                    if rng.random() < (p_in if block_c == block_f else p_out):
                        G.add_edge(f"country:B{block_c}C{c}", f"forum:B{block_f}F{f}", weight=int(rng.integers(1, 4)))
    return G


def test_planted_two_blocks_are_recovered_with_q_and_stability():
    G = planted_bipartite()
    truth = np.array([G.nodes[n]["block"] for n in sorted(G, key=str)])
    for seed in (1, 2, 3):  # single Louvain runs disagree (stability < 1) ...
        result = consensus_communities(G, runs=30, seed=seed)
        found = np.array([result.membership[n] for n in sorted(G, key=str)])
        assert adjusted_rand_index(truth, found) == 1.0  # ... the consensus is the truth
    assert result.stability < 1.0
    assert sorted(set(found)) == [0, 1]
    parts = [{n for n in G if result.membership[n] == c} for c in (0, 1)]
    assert result.modularity == pytest.approx(nx.community.modularity(G, parts, weight="weight"))
    assert result.modularity > 0.3
    assert 0.8 <= result.stability <= 1.0 and result.converged
    assert min(result.agreement.values()) > 0.5
    table = result.table()
    assert list(table.columns) == ["node", "community", "agreement"]
    assert table.attrs["modularity"] == result.modularity and table.attrs["runs"] == 30


def test_deterministic_and_numbered_from_the_largest():
    G = planted_bipartite(seed=3)
    a, b = consensus_communities(G, seed=4), consensus_communities(G, seed=4)
    assert a.membership == b.membership and a.stability == b.stability and a.agreement == b.agreement
    H = nx.Graph()
    H.add_nodes_from(reversed(list(G.nodes(data=True))))
    H.add_edges_from((v, u, d) for u, v, d in reversed(list(G.edges(data=True))))
    assert consensus_communities(H, seed=4).membership == a.membership
    sizes = np.bincount(list(a.membership.values()))
    assert (np.diff(sizes) <= 0).all()
    # ties by the smallest node id; a node without edges is a community of its own
    T = nx.Graph([("m1", "m2"), ("m2", "m3"), ("m3", "m1"), ("b1", "b2"), ("b2", "b3"), ("b3", "b1")])
    T.add_node("z")
    assert consensus_communities(T, runs=5).membership == {"b1": 0, "b2": 0, "b3": 0, "m1": 1, "m2": 1, "m3": 1, "z": 2}


def test_unstable_structure_scores_lower_stability():
    # A ring of 24 nodes: Louvain cuts it in different places on different seeds
    ring = nx.cycle_graph(24)
    result = consensus_communities(ring, runs=30, seed=0)
    assert result.stability < 0.9
    clear = consensus_communities(planted_bipartite(), runs=30, seed=0)
    assert result.stability < clear.stability
    assert set(result.membership) == set(ring)


def test_adjusted_rand_index_by_hand():
    # contingency [[2, 1], [0, 2]]: index 1 + 1 = 2, rows 3 + 1 = 4, cols 1 + 3 = 4, pairs 10
    a, b = np.array([0, 0, 0, 1, 1]), np.array([0, 0, 1, 1, 1])
    expected = 4 * 4 / 10
    assert adjusted_rand_index(a, b) == pytest.approx((2 - expected) / (4 - expected))
    assert adjusted_rand_index(a, a) == 1.0
