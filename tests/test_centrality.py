"""Centrality table and communities: by hand on tiny graphs, against networkx on the Davis
Southern Women graph, on disconnected and degenerate graphs, and on a graph read back from GraphML."""

import math
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

from netanalysis.analysis import NODE_COLUMNS, centrality_table, communities
from netanalysis.errors import GraphError
from netanalysis.graph import co_mention_graph, project
from netanalysis.io import write_graphml

FIXTURES = Path(__file__).parent / "fixtures" / "graph"
SQ5 = math.sqrt(5)


def pagerank_reference(G, weight="weight"):
    """networkx's PageRank (its scipy path when scipy is installed, else its pure-Python one)."""
    try:
        import scipy  # noqa: F401
    except ImportError:
        return _pagerank_python(G, weight=weight, tol=1e-13, max_iter=100000)
    return nx.pagerank(G, weight=weight, tol=1e-13, max_iter=100000)


def bipartite(edges, isolates=()):
    G = nx.Graph()
    for c, f, w in edges:
        G.add_node(f"country:{c}", bipartite=0, kind="country", entity=c, label=c, posts=w)
        G.add_node(f"forum:{f}", bipartite=1, kind="forum", entity=f, label=f, posts=w)
        G.add_edge(f"country:{c}", f"forum:{f}", weight=w)
    for node, side in isolates:
        G.add_node(node, bipartite=side, kind=("country", "forum")[side], posts=0)
    return G


@pytest.fixture
def path4():
    # CN - BRICS - RU = UN  (RU-UN weighs 2)
    return bipartite([("CN", "BRICS", 1), ("RU", "BRICS", 1), ("RU", "UN", 2)])


def test_columns_and_row_order(path4):
    t = centrality_table(path4)
    assert list(t.columns) == NODE_COLUMNS
    # kind, then strength descending, then node
    assert list(t["node"]) == ["country:RU", "country:CN", "forum:BRICS", "forum:UN"]
    assert list(t["strength"]) == [3, 1, 2, 2]
    assert list(t["kind"]) == ["country", "country", "forum", "forum"]


def test_path_by_hand(path4):
    t = centrality_table(path4).set_index("node")
    # degree / size of the other side
    assert t["degree"].to_dict() == {"country:RU": 1.0, "country:CN": 0.5, "forum:BRICS": 1.0, "forum:UN": 0.5}
    # RU lies on CN-UN and BRICS-UN, BRICS on CN-RU and CN-UN; the bipartite maximum for 2 x 2 is 2
    assert t["betweenness"].to_dict() == {"country:RU": 1.0, "country:CN": 0.0, "forum:BRICS": 1.0, "forum:UN": 0.0}
    # least total distance (m + 2(n-1) = 4) over the total distance: RU 1+1+2, CN 1+2+3
    assert t["closeness"].to_dict() == pytest.approx(
        {"country:RU": 1.0, "country:CN": 4 / 6, "forum:BRICS": 1.0, "forum:UN": 4 / 6}
    )
    # B (CN, RU x BRICS, UN) = [[1, 0], [1, 2]]; B B^T = [[1, 1], [1, 5]] has eigenvalue 3 + sqrt 5
    # with eigenvector h = (1, 2 + sqrt 5); forums a = B^T h / lambda = (3 + sqrt 5, 4 + 2 sqrt 5) / lambda
    lam = math.sqrt(3 + SQ5)
    h = np.array([1, 2 + SQ5])
    a = np.array([3 + SQ5, 4 + 2 * SQ5]) / lam
    norm = math.sqrt((h**2).sum() + (a**2).sum())
    assert t.loc[["country:CN", "country:RU", "forum:BRICS", "forum:UN"], "eigenvector"].tolist() == pytest.approx(
        list(np.r_[h, a] / norm), abs=1e-12
    )
    assert t["pagerank"].sum() == pytest.approx(1.0)
    assert t["pagerank_scaled"].tolist() == pytest.approx((t["pagerank"] * 4).tolist())
    assert t["pagerank"].to_dict() == pytest.approx(pagerank_reference(path4), abs=1e-10)


def test_pagerank_of_a_star_by_hand():
    # UN with three countries; x_c = 0.0375 + 0.85 * 3 x_l, x_l = 0.0375 + 0.85 x_c / 3
    t = centrality_table(bipartite([("RU", "UN", 1), ("CN", "UN", 1), ("IN", "UN", 1)])).set_index("node")
    centre = 0.133125 / 0.2775
    assert t.loc["forum:UN", "pagerank"] == pytest.approx(centre, abs=1e-12)
    assert t.loc["country:RU", "pagerank"] == pytest.approx((1 - centre) / 3, abs=1e-12)
    assert t.loc["forum:UN", "degree"] == 1.0 and t.loc["country:RU", "degree"] == 1.0
    assert t.loc["forum:UN", "betweenness"] == 1.0 and t.loc["country:RU", "betweenness"] == 0.0


def test_single_edge_is_defined():
    t = centrality_table(bipartite([("RU", "UN", 3)])).set_index("node")
    assert t["betweenness"].tolist() == [0.0, 0.0]  # networkx's maximum is 0 here
    assert t["closeness"].tolist() == [1.0, 1.0]
    assert t["eigenvector"].tolist() == pytest.approx([1 / math.sqrt(2)] * 2)
    assert t["pagerank"].tolist() == pytest.approx([0.5, 0.5])
    assert t["pagerank_scaled"].tolist() == pytest.approx([1.0, 1.0])
    assert t["community"].tolist() == [0, 0]


def test_davis_southern_women_matches_networkx():
    G = nx.davis_southern_women_graph()
    women = sorted(n for n, d in G.nodes(data=True) if d["bipartite"] == 0)
    t = centrality_table(G, weight=None).set_index("node")
    assert len(t) == 32
    for column, expected in [
        ("degree", nx.bipartite.degree_centrality(G, women)),
        ("betweenness", nx.bipartite.betweenness_centrality(G, women)),
        ("closeness", nx.bipartite.closeness_centrality(G, women)),
    ]:
        assert t[column].to_dict() == pytest.approx(expected, abs=1e-12), column
    assert t["strength"].to_dict() == dict(G.degree())
    assert t["eigenvector"].to_dict() == pytest.approx(
        nx.eigenvector_centrality(G, tol=1e-13, max_iter=100000), abs=1e-9
    )
    assert t["pagerank"].to_dict() == pytest.approx(pagerank_reference(G, weight=None), abs=1e-10)
    # rows: kind is empty here, so by strength then node; Evelyn, Theresa, Nora attend 8 events
    assert t.index[:3].tolist() == ["E8", "E9", "E7"]


def test_davis_communities_are_a_seeded_partition():
    G = nx.davis_southern_women_graph()
    first, again = communities(G, seed=7), communities(G, seed=7)
    assert first == again and set(first) == set(G)
    parts = {}
    for node, c in first.items():
        parts.setdefault(c, set()).add(node)
    assert sorted(parts) == list(range(len(parts))) and len(parts) >= 2
    sizes = [len(parts[c]) for c in sorted(parts)]
    assert sizes == sorted(sizes, reverse=True)
    assert nx.community.modularity(G, parts.values()) > 0.3


def test_community_numbering_largest_first_then_smallest_node():
    G = nx.Graph()
    G.add_edges_from([("z1", "z2")])  # size 2
    G.add_edges_from([("m1", "m2"), ("m2", "m3"), ("m3", "m1")])  # size 3
    G.add_edges_from([("b1", "b2"), ("b2", "b3"), ("b3", "b1")])  # size 3, smaller ids
    assert communities(G) == {"b1": 0, "b2": 0, "b3": 0, "m1": 1, "m2": 1, "m3": 1, "z1": 2, "z2": 2}
    assert communities(nx.Graph()) == {}
    lonely = nx.Graph()
    lonely.add_nodes_from(["b", "a"])
    assert communities(lonely) == {"a": 0, "b": 1}


def test_disconnected_graph_values_are_defined(path4):
    G = nx.union(path4, bipartite([("FR", "EU", 1)]))
    G.add_node("country:XX", bipartite=0, kind="country", posts=0)  # an isolate
    t = centrality_table(G).set_index("node")
    assert not t.isna().any().any()
    assert t.loc["country:XX", ["degree", "strength", "betweenness", "closeness", "eigenvector"]].eq(0).all()
    assert (t["closeness"] <= 1).all() and (t["closeness"] >= 0).all()
    # closeness of FR: it reaches 1 of 7 other nodes at distance 1 -> 1/1 * 1/6
    assert t.loc["country:FR", "closeness"] == pytest.approx(1 / 6)
    # eigenvector, networkx's semantics: all of it on the component with the largest eigenvalue
    # (the path's sqrt(3 + sqrt 5) ~ 2.29 against FR-EU's 1), the side component is 0
    alone = centrality_table(path4).set_index("node")["eigenvector"]
    assert t.loc[list(path4), "eigenvector"].to_dict() == pytest.approx(alone.to_dict(), abs=1e-12)
    assert t.loc[["country:FR", "forum:EU"], "eigenvector"].tolist() == [0.0, 0.0]
    assert t["eigenvector"].to_dict() == pytest.approx(
        nx.eigenvector_centrality(G, weight="weight", tol=1e-14, max_iter=100000), abs=1e-6
    )
    assert t["pagerank"].sum() == pytest.approx(1.0)
    assert t["pagerank"].to_dict() == pytest.approx(pagerank_reference(G), abs=1e-10)
    assert t["pagerank_scaled"].sum() == pytest.approx(len(G))
    assert t.loc["country:FR", "community"] != t.loc["country:RU", "community"]


def big_and_side_component():
    """A 12-node bipartite component (4 countries x 8 forums, weighted) and a 3-node path."""
    rng = np.random.default_rng(5)
    edges = [
        (c, f, int(rng.integers(1, 4)))
        for c in ("CN", "IN", "BR", "ZA")
        for f in ("UN", "BRICS", "SCO", "G20", "APEC", "ASEAN", "CICA", "EAEU")
        if rng.random() < 0.7
    ]
    edges += [("FR", "EU", 5), ("DE", "EU", 5)]  # the side component
    return bipartite(edges)


def test_eigenvector_side_component_ranks_last_as_in_networkx():
    G = big_and_side_component()
    assert nx.number_connected_components(G) == 2
    t = centrality_table(G).set_index("node")
    reference = nx.eigenvector_centrality(G, weight="weight", tol=1e-14, max_iter=100000)
    assert t["eigenvector"].to_dict() == pytest.approx(reference, abs=1e-6)
    side = ["country:FR", "country:DE", "forum:EU"]
    for kind in ("country", "forum"):
        ranked = t[t["kind"] == kind]["eigenvector"].rank(ascending=False, method="min")
        lowest = ranked.max()
        for node in side:
            if node.startswith(kind):
                assert ranked[node] == lowest  # last (tied at 0)
        theirs = pd.Series({n: v for n, v in reference.items() if n.startswith(kind)})
        assert theirs.idxmin() in side  # networkx agrees
    # the side component's heavy edges (weight 5) still do not lift it: its eigenvalue
    # sqrt(50) ~ 7.07 is below the big component's
    assert (t.loc[side, "eigenvector"] == 0).all()


def test_eigenvector_tied_components_follow_power_iteration():
    # two identical components: power iteration from ones splits the vector equally between them
    G = nx.union(bipartite([("CN", "UN", 1), ("RU", "UN", 1)]), bipartite([("FR", "EU", 1), ("DE", "EU", 1)]))
    t = centrality_table(G).set_index("node")
    reference = nx.eigenvector_centrality(G, weight="weight", tol=1e-14, max_iter=100000)
    assert t["eigenvector"].to_dict() == pytest.approx(reference, abs=1e-9)
    assert t.loc["forum:UN", "eigenvector"] == pytest.approx(t.loc["forum:EU", "eigenvector"])


def test_empty_and_one_sided_graphs_raise():
    with pytest.raises(GraphError, match="the graph is empty"):
        centrality_table(nx.Graph())
    G = nx.Graph()
    G.add_node("country:RU", bipartite=0)
    G.add_node("country:CN", bipartite=0)
    with pytest.raises(GraphError, match=r"has no forums \(bipartite=1\)"):
        centrality_table(G)
    G = nx.Graph()
    G.add_node("forum:UN", bipartite=1)
    with pytest.raises(GraphError, match="has no countries"):
        centrality_table(G)


def test_projection_uses_ordinary_measures():
    mentions = pd.read_csv(FIXTURES / "mentions.csv", dtype={"post_id": str})
    P = project(co_mention_graph(mentions), "forum", via="posts", mentions=mentions)
    P.add_edges_from([("forum:SCO", "forum:UN", {"weight": 3}), ("forum:BRICS", "forum:SCO", {"weight": 1})])
    t = centrality_table(P).set_index("node")
    assert t["degree"].to_dict() == pytest.approx(nx.degree_centrality(P))
    assert t["betweenness"].to_dict() == pytest.approx(nx.betweenness_centrality(P))
    assert t["closeness"].to_dict() == pytest.approx(nx.closeness_centrality(P))
    assert t["eigenvector"].to_dict() == pytest.approx(
        nx.eigenvector_centrality(P, weight="weight", tol=1e-13, max_iter=100000), abs=1e-9
    )
    assert t["posts"].to_dict() == {"forum:UN": 2, "forum:BRICS": 2, "forum:SCO": 2}


def test_same_graph_any_insertion_order_gives_the_same_table():
    G = nx.davis_southern_women_graph()
    H = nx.Graph()
    H.add_nodes_from(reversed(list(G.nodes(data=True))))
    H.add_edges_from((v, u) for u, v in reversed(list(G.edges())))
    pd.testing.assert_frame_equal(centrality_table(G, seed=3), centrality_table(H, seed=3))
    pd.testing.assert_frame_equal(centrality_table(G), centrality_table(G))


def test_graph_is_not_mutated(path4):
    before = nx.node_link_data(path4, edges="edges")
    centrality_table(path4)
    communities(path4)
    assert nx.node_link_data(path4, edges="edges") == before


def test_table_equals_networkx_on_the_graph_read_back_from_graphml(tmp_path):
    mentions = pd.read_csv(FIXTURES / "mentions.csv", dtype={"post_id": str})
    G = co_mention_graph(mentions)
    table = centrality_table(G).set_index("node")
    write_graphml(G, tmp_path / "graph.graphml")
    H = nx.read_graphml(tmp_path / "graph.graphml")
    countries = [n for n, side in H.nodes(data="bipartite") if side == 0]
    assert nx.is_connected(H)
    expected = {
        "degree": nx.bipartite.degree_centrality(H, countries),
        "betweenness": nx.bipartite.betweenness_centrality(H, countries),
        "closeness": nx.bipartite.closeness_centrality(H, countries),
        "strength": dict(H.degree(weight="weight")),
        "eigenvector": nx.eigenvector_centrality(H, weight="weight", tol=1e-13, max_iter=100000),
        "pagerank": pagerank_reference(H),
    }
    for column, values in expected.items():
        assert table[column].to_dict() == pytest.approx(values, abs=1e-9), column
    assert table["posts"].to_dict() == dict(H.nodes(data="posts"))
    assert table["label"].to_dict() == dict(H.nodes(data="label"))
    back = centrality_table(H).set_index("node")
    pd.testing.assert_frame_equal(back.drop(columns="strength"), table.drop(columns="strength"))
