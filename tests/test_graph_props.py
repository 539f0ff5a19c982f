"""Properties of the co-mention graph and its centrality table on random mention tables."""

import math

import networkx as nx
import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from netanalysis.analysis import centrality_table
from netanalysis.graph import co_mention_graph, edges_table, project

COUNTRIES = ["CN", "IN", "RU", "US", "ZA"]
FORUMS = ["BRICS", "G20", "SCO", "UN"]

mention = st.one_of(
    st.tuples(st.integers(0, 12), st.just("country"), st.sampled_from(COUNTRIES)),
    st.tuples(st.integers(0, 12), st.just("forum"), st.sampled_from(FORUMS)),
    st.tuples(st.integers(0, 12), st.just("tag"), st.sampled_from(["un", "brics"])),
)
tables = st.lists(mention, max_size=60).map(
    lambda rows: pd.DataFrame([(f"p{p}", k, e) for p, k, e in rows], columns=["post_id", "kind", "entity"])
)


def by_hand(m):
    """Units (posts) of each entity, the way a reader would count them."""
    named = m[m["kind"].isin(["country", "forum"])]
    return {(k, e): set(g["post_id"]) for (k, e), g in named.groupby(["kind", "entity"])}


@settings(max_examples=100, deadline=None)
@given(tables)
def test_edges_agree_with_set_counting(m):
    G = co_mention_graph(m)
    sets = by_hand(m)
    n = len(set().union(*sets.values())) if sets else 0
    assert G.graph["n_units"] == n
    expected = {
        (c, f): sets["country", c] & sets["forum", f]
        for (k, c) in sets
        if k == "country"
        for (k2, f) in sets
        if k2 == "forum"
    }
    expected = {pair: posts for pair, posts in expected.items() if posts}
    assert G.number_of_edges() == len(expected)
    for (c, f), posts in expected.items():
        d = G.edges[f"country:{c}", f"forum:{f}"]
        ni, nj, w = len(sets["country", c]), len(sets["forum", f]), len(posts)
        assert d["weight"] == w and d["post_ids"] == sorted(posts, key=lambda p: (len(p), p))  # p2 < p10
        assert math.isclose(d["assoc_strength"], w * n / (ni * nj))
        assert math.isclose(d["jaccard"], w / (ni + nj - w))
        assert -1 - 1e-12 <= d["npmi"] <= 1 + 1e-12
        assert G.nodes[f"country:{c}"]["posts"] == ni and G.nodes[f"forum:{f}"]["posts"] == nj
    assert all(G.degree(v) > 0 for v in G)


@settings(max_examples=40, deadline=None)
@given(tables, st.randoms(use_true_random=False))
def test_row_order_does_not_matter(m, rnd):
    shuffled = m.iloc[rnd.sample(range(len(m)), len(m))]
    a, b = co_mention_graph(m), co_mention_graph(shuffled)
    pd.testing.assert_frame_equal(edges_table(a), edges_table(b))
    if a.number_of_nodes():
        pd.testing.assert_frame_equal(centrality_table(a), centrality_table(b))


@settings(max_examples=50, deadline=None)
@given(tables, st.integers(1, 3))
def test_centralities_are_defined_and_bounded(m, min_weight):
    G = co_mention_graph(m, min_weight=min_weight)
    if G.number_of_nodes() == 0:
        return
    t = centrality_table(G)
    values = t[["degree", "betweenness", "closeness", "eigenvector", "pagerank"]]
    assert np.isfinite(values.to_numpy(dtype=float)).all()
    assert ((values >= -1e-12) & (values <= 1 + 1e-9)).all().all()
    assert math.isclose(t["pagerank"].sum(), 1.0)
    assert math.isclose((t["eigenvector"] ** 2).sum(), 1.0)  # no isolates in a co-mention graph
    assert math.isclose(t["pagerank_scaled"].sum(), len(t))
    assert sorted(set(t["community"])) == list(range(t["community"].nunique()))
    for side, via in (("country", "forum"), ("forum", "posts")):
        P = project(G, side, via=via, mentions=m)
        expected = nx.bipartite.weighted_projected_graph(G, [v for v in G if v.startswith(side)])
        assert set(P.nodes) == set(expected.nodes)
        if via == "forum":
            assert {frozenset(e): w for *e, w in P.edges(data="weight")} == {
                frozenset(e): w for *e, w in expected.edges(data="weight")
            }


@settings(max_examples=80, deadline=None)
@given(tables, st.sampled_from(["country", "forum"]), st.integers(1, 2))
def test_projection_ties_agree_with_set_counting(m, side, min_weight):
    """The one-mode ties counted in the counter's pass (each pair once per unit) equal the
    intersections of the entities' post sets, with their post ids, and are tested over every pair."""
    from netanalysis.analysis import validate_edges
    from netanalysis.graph import projection_graph

    P = validate_edges(projection_graph(m, side=side, min_weight=min_weight))
    sets = {e: posts for (k, e), posts in by_hand(m).items() if k == side}
    expected = {(a, b): sets[a] & sets[b] for a in sets for b in sets if a < b and len(sets[a] & sets[b]) >= min_weight}
    got = {tuple(sorted((P.nodes[u]["entity"], P.nodes[v]["entity"]))): d for u, v, d in P.edges(data=True)}
    assert set(got) == set(expected)
    for pair, posts in expected.items():
        assert got[pair]["weight"] == len(posts)
        assert got[pair]["post_ids"] == sorted(posts, key=lambda p: (len(p), p))
        assert 0 <= got[pair]["p_value"] <= 1 and got[pair]["q_value"] >= got[pair]["p_value"]
    assert P.graph["pairs_tested"] == len(sets) * (len(sets) - 1) // 2
