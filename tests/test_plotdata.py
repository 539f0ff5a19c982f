"""The numbers behind the figures: layouts, orderings, heatmap matrices, timeline selections."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from netanalysis.analysis.plotdata import (
    bipartite_order,
    count_crossings,
    heatmap_matrix,
    network_layout,
    node_communities,
    node_label,
    node_values,
    rank_changes,
    seriate,
    sides,
    sorted_graph,
    top_nodes_over_time,
    union_graph,
)
from netanalysis.errors import GraphError

FIXTURES = Path(__file__).parent / "fixtures" / "figures"


def fixture_graph() -> nx.Graph:
    """A realistic small country–forum graph (42 edges) from tests/fixtures/figures/edges.csv."""
    edges = pd.read_csv(FIXTURES / "edges.csv", keep_default_na=False)
    G = nx.Graph()
    for row in edges.itertuples(index=False):
        c, f = f"country:{row.country}", f"forum:{row.forum}"
        G.add_node(c, bipartite=0, kind="country", label=row.country_label, entity=row.country)
        G.add_node(f, bipartite=1, kind="forum", label=row.forum, entity=row.forum)
        G.add_edge(c, f, weight=int(row.weight), jaccard=row.weight / 10, npmi=(row.weight - 3) / 10)
    return G


def make_timeline(values: dict[str, list[float | None]], metric: str = "pagerank") -> pd.DataFrame:
    """A tidy timeline frame; None = node absent from that window; ranks by value (1 = top)."""
    starts = pd.date_range("2024-04-01", periods=len(next(iter(values.values()))), freq="MS", tz="UTC")
    rows = []
    for i, start in enumerate(starts):
        present = {n: v[i] for n, v in values.items() if v[i] is not None}
        ranks = pd.Series(present).rank(ascending=False, method="min")
        for node, value in present.items():
            rows.append(
                {
                    "window_start": start,
                    "window_end": start + pd.offsets.MonthBegin(1),
                    "node": node,
                    "kind": node.split(":")[0],
                    "metric": metric,
                    "value": value,
                    "rank": int(ranks[node]),
                }
            )
    return pd.DataFrame(rows)


# --- sides, labels ----------------------------------------------------------------------------


def test_sides_use_bipartite_attribute_then_prefix():
    G = nx.Graph()
    G.add_node("x", bipartite=1)
    G.add_node("forum:UN")
    G.add_node("country:CN")
    G.add_node("b", bipartite=0)
    assert sides(G) == (["b", "country:CN"], ["forum:UN", "x"])


def test_node_label_falls_back_to_entity_then_id():
    G = nx.Graph()
    G.add_node("country:RU", label="Россия")
    G.add_node("country:CN", entity="CN")
    G.add_node("forum:SCO")
    assert [node_label(G, n) for n in G] == ["Россия", "CN", "SCO"]


def test_sorted_graph_does_not_depend_on_insertion_order():
    G = fixture_graph()
    H = nx.Graph()
    H.add_nodes_from(reversed(list(G.nodes(data=True))))
    H.add_edges_from(reversed(list(G.edges(data=True))))
    assert list(sorted_graph(G).edges) == list(sorted_graph(H).edges)
    assert list(sorted_graph(G).nodes) == sorted(G.nodes)


# --- crossings and the two-column layout --------------------------------------------------------


def test_count_crossings_plain_and_weighted():
    G = nx.Graph()
    G.add_edge("country:A", "forum:X", weight=2)
    G.add_edge("country:B", "forum:Y", weight=3)
    G.add_edge("country:A", "forum:Y", weight=1)
    crossed = {"country:A": (0, 1), "country:B": (0, 0), "forum:X": (1, 0), "forum:Y": (1, 1)}
    straight = {"country:A": (0, 1), "country:B": (0, 0), "forum:X": (1, 1), "forum:Y": (1, 0)}
    # A–X crosses B–Y; A–Y shares an endpoint with both.
    assert count_crossings(G, crossed) == 1
    assert count_crossings(G, crossed, weight="weight") == 6
    assert count_crossings(G, straight) == 0


def test_count_crossings_matches_brute_force():
    rng = np.random.default_rng(1)
    G = nx.Graph()
    for _ in range(60):
        G.add_edge(f"country:{rng.integers(12)}", f"forum:{rng.integers(8)}", weight=int(rng.integers(1, 5)))
    pos = network_layout(G, "bipartite")
    left = set(sides(G)[0])
    edges = [((u, v) if u in left else (v, u), d["weight"]) for u, v, d in G.edges(data=True)]
    brute = 0
    for i, ((a, b), w1) in enumerate(edges):
        for (c, d), w2 in edges[i + 1 :]:
            if (pos[a][1] - pos[c][1]) * (pos[b][1] - pos[d][1]) < 0:
                brute += w1 * w2
    assert count_crossings(G, pos, weight="weight") == brute


def test_bipartite_layout_columns_and_range():
    G = fixture_graph()
    pos = network_layout(G, "bipartite")
    countries, forums = sides(G)
    assert set(pos) == set(G)
    assert {pos[n][0] for n in countries} == {0.0}
    assert {pos[n][0] for n in forums} == {1.0}
    for column in (countries, forums):
        ys = sorted(pos[n][1] for n in column)
        assert ys[0] == pytest.approx(0.0) and ys[-1] == pytest.approx(1.0)
        assert np.allclose(np.diff(ys), 1 / (len(column) - 1))


def test_barycentric_order_untangles_a_shuffled_chain():
    # A chain country_i – forum_i – country_{i+1} drawn in shuffled order has many crossings;
    # the barycentre sweeps must find a planar (zero-crossing) order.
    G = nx.Graph()
    rng = np.random.default_rng(7)
    labels = rng.permutation(10)
    for i in range(9):
        G.add_edge(f"country:{labels[i]}", f"forum:{labels[i]}", weight=1)
        G.add_edge(f"forum:{labels[i]}", f"country:{labels[i + 1]}", weight=1)
    naive = {}
    countries, forums = sides(G)
    for col, x in ((countries, 0.0), (forums, 1.0)):
        for i, n in enumerate(col):
            naive[n] = (x, 1 - i / (len(col) - 1))
    assert count_crossings(G, naive) > 5
    assert count_crossings(G, network_layout(G, "bipartite")) == 0


def test_barycentric_order_reduces_crossings_on_davis_southern_women():
    D = nx.davis_southern_women_graph()
    G = nx.relabel_nodes(D, {n: (f"country:{n}" if D.nodes[n]["bipartite"] == 0 else f"forum:{n}") for n in D})
    lo, ro = bipartite_order(G, weight=None)
    assert sorted(lo) == sides(G)[0] and sorted(ro) == sides(G)[1]
    alphabetical = {n: (0.0, 1 - i / 17) for i, n in enumerate(sides(G)[0])}
    alphabetical.update({n: (1.0, 1 - i / 13) for i, n in enumerate(sides(G)[1])})
    ordered = network_layout(G, "bipartite", weight=None)
    assert count_crossings(G, ordered) < 0.8 * count_crossings(G, alphabetical)


def test_isolated_nodes_go_last_in_their_column():
    G = fixture_graph()
    G.add_node("country:CU", bipartite=0, label="Cuba")
    lo, _ = bipartite_order(G)
    assert lo[-1] == "country:CU"


# --- force layout -------------------------------------------------------------------------------


def test_force_layout_deterministic_and_independent_of_insertion_order():
    G = fixture_graph()
    H = nx.Graph()
    H.add_nodes_from(reversed(list(G.nodes(data=True))))
    H.add_edges_from(reversed(list(G.edges(data=True))))
    a = network_layout(G, "force", seed=3)
    assert a == network_layout(G, "force", seed=3)
    assert a == network_layout(H, "force", seed=3)
    b = network_layout(G, "force", seed=4)
    assert any(not np.allclose(a[n], b[n]) for n in G)
    xy = np.array(list(a.values()))
    assert xy.min() >= -1 - 1e-9 and xy.max() <= 1 + 1e-9


def test_force_layout_keeps_main_component_large_and_isolates_in_bottom_row():
    G = fixture_graph()
    G.add_node("country:CU", bipartite=0)
    G.add_node("forum:OSCE", bipartite=1)
    pos = network_layout(G, "force", seed=0)
    main = np.array([pos[n] for n in fixture_graph()])
    # The component fills most of the square, not squashed by the far-off isolates.
    # Its box is [-1, 1] x [-0.72, 1], which it fills.
    assert main[:, 0].min() == pytest.approx(-1) and main[:, 0].max() == pytest.approx(1)
    assert main[:, 1].min() == pytest.approx(-0.72) and main[:, 1].max() == pytest.approx(1)
    assert pos["country:CU"][1] < main[:, 1].min() and pos["forum:OSCE"][1] < main[:, 1].min()
    assert pos["country:CU"][0] != pos["forum:OSCE"][0]


def test_unknown_layout_raises():
    with pytest.raises(GraphError, match="unknown layout 'circle'"):
        network_layout(fixture_graph(), "circle")


def test_empty_graph_has_empty_layout():
    assert network_layout(nx.Graph(), "force") == {}
    assert network_layout(nx.Graph(), "bipartite") == {}


# --- node values, communities, union ------------------------------------------------------------


def test_node_values_strength_degree_and_centrality_table():
    G = fixture_graph()
    strength = node_values(G, "strength")
    assert strength["country:RU"] == 9 + 7 + 6 + 5 + 4 + 3 + 2 + 2
    assert strength["forum:ASEAN"] == 2
    assert node_values(G, "degree")["forum:BRICS"] == 5
    table = pd.DataFrame({"node": ["country:RU", "forum:UN"], "pagerank": [0.3, 0.2]})
    pr = node_values(G, "pagerank", centrality=table)
    assert pr["country:RU"] == 0.3 and pr["forum:UN"] == 0.2 and pr["country:CN"] == 0.0
    computed = node_values(G, "pagerank")
    assert computed.sum() == pytest.approx(1.0)
    assert computed.idxmax() == "country:RU"
    # The known PageRank of a three-node path (alpha 0.85), as networkx gives it.
    path = nx.path_graph(["country:A", "forum:X", "country:B"])
    assert node_values(path, "pagerank", weight="none").tolist() == pytest.approx(
        [0.2567567, 0.2567567, 0.4864865], abs=1e-6
    )
    with pytest.raises(GraphError, match="cannot size nodes by 'size'"):
        node_values(G, "size")


def test_node_communities_keep_the_tables_numbers():
    # every output names a community by nodes.csv's number (the figures once said 4 for the table's 3)
    G = fixture_graph()
    table = pd.DataFrame({"node": sorted(G), "community": [7 if n.endswith(("RU", "UN")) else 3 for n in sorted(G)]})
    table = table[table["node"] != "forum:SCO"]
    comm = node_communities(G, centrality=table)
    assert comm["country:RU"] == comm["forum:UN"] == 7
    assert comm["country:CN"] == 3
    assert comm["forum:SCO"] == -1  # not in the table: no community, not a made-up number
    computed = node_communities(G)
    assert computed.equals(node_communities(G))
    assert computed.value_counts().is_monotonic_decreasing


def test_union_graph_sums_weights():
    a = nx.Graph([("country:CN", "forum:UN", {"weight": 2})])
    b = nx.Graph([("country:CN", "forum:UN", {"weight": 3}), ("country:IN", "forum:UN", {"weight": 1})])
    U = union_graph([a, b])
    assert U["country:CN"]["forum:UN"]["weight"] == 5
    assert U.number_of_nodes() == 3
    assert a["country:CN"]["forum:UN"]["weight"] == 2  # inputs untouched


# --- seriation and the heatmap matrix -----------------------------------------------------------


def _planted(blocks, noise, seed):
    """A shuffled block matrix: rows/cols labelled by their block."""
    rng = np.random.default_rng(seed)
    rows = [f"r{b}_{i}" for b, (nr, _) in enumerate(blocks) for i in range(nr)]
    cols = [f"c{b}_{j}" for b, (_, nc) in enumerate(blocks) for j in range(nc)]
    W = np.zeros((len(rows), len(cols)))
    r0 = c0 = 0
    for nr, nc in blocks:
        W[r0 : r0 + nr, c0 : c0 + nc] = rng.integers(3, 9, size=(nr, nc))
        r0, c0 = r0 + nr, c0 + nc
    W += (rng.random(W.shape) < noise) * 1.0
    frame = pd.DataFrame(W, index=rows, columns=cols)
    return frame.iloc[rng.permutation(len(rows)), rng.permutation(len(cols))]


def _contiguous(labels):
    blocks = [label.split("_")[0] for label in labels]
    runs = [b for i, b in enumerate(blocks) if i == 0 or b != blocks[i - 1]]
    return len(runs) == len(set(runs))


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_seriate_puts_planted_blocks_together(seed):
    frame = _planted([(6, 3), (5, 4), (4, 3)], noise=0.08, seed=seed)
    rows, cols = seriate(frame)
    assert sorted(rows) == sorted(frame.index) and sorted(cols) == sorted(frame.columns)
    assert _contiguous(rows) and _contiguous(cols)
    # Rows and columns of the same block line up along the diagonal.
    assert [r.split("_")[0][1:] for r in rows][0] == [c.split("_")[0][1:] for c in cols][0]


def test_seriate_disconnected_blocks_heaviest_first_and_empty_last():
    frame = _planted([(3, 2), (4, 3)], noise=0.0, seed=5)
    frame.loc["zz_empty"] = 0.0
    rows, cols = seriate(frame)
    assert _contiguous(rows[:-1]) and rows[-1] == "zz_empty"
    assert rows[0].startswith("r1") and cols[0].startswith("c1")  # block 1 is heavier


def test_heatmap_matrix_values_and_order():
    G = fixture_graph()
    m = heatmap_matrix(G)
    assert m.shape == (len(sides(G)[0]), len(sides(G)[1]))
    assert m.loc["country:RU", "forum:UN"] == 9
    assert m.loc["country:US", "forum:BRICS"] == 0
    assert m.to_numpy().sum() == sum(d["weight"] for *_, d in G.edges(data=True))
    assert m.attrs["labels"]["country:ZA"] == "South Africa"
    alpha = heatmap_matrix(G, order="alphabetical")
    assert [alpha.attrs["labels"][r] for r in alpha.index][:3] == ["Armenia", "Belarus", "Brazil"]
    heavy = heatmap_matrix(G, order="weight")
    assert heavy.index[0] == "country:RU" and heavy.columns[0] == "forum:BRICS"
    npmi = heatmap_matrix(G, "npmi")
    assert np.isnan(npmi.loc["country:US", "forum:BRICS"])
    assert npmi.loc["country:RU", "forum:UN"] == pytest.approx(0.6)


def test_heatmap_matrix_truncates_to_heaviest():
    m = heatmap_matrix(fixture_graph(), max_rows=3, max_cols=2)
    assert set(m.index) == {"country:RU", "country:CN", "country:IN"}
    assert set(m.columns) == {"forum:BRICS", "forum:UN"}
    assert m.attrs["total_rows"] == 12 and m.attrs["total_cols"] == 13


def test_heatmap_matrix_missing_attribute_raises():
    with pytest.raises(GraphError, match="no attribute 'assoc_strength'"):
        heatmap_matrix(fixture_graph(), "assoc_strength")


# --- timeline selections ------------------------------------------------------------------------


def test_top_nodes_over_time_by_mean_with_absent_as_zero():
    tl = make_timeline(
        {
            "country:CN": [0.5, 0.5, 0.5],
            "country:RU": [0.6, None, None],
            "forum:UN": [0.2, 0.3, 0.4],
            "forum:SCO": [0.1, 0.1, 0.1],
        }
    )
    wide = top_nodes_over_time(tl, "pagerank", 3)
    assert list(wide.columns) == ["country:CN", "forum:UN", "country:RU"]
    assert len(wide) == 3 and wide.index.is_monotonic_increasing
    assert np.isnan(wide.loc[wide.index[1], "country:RU"])
    assert wide["forum:UN"].tolist() == [0.2, 0.3, 0.4]
    forums = top_nodes_over_time(tl, "pagerank", 5, kind="forum")
    assert list(forums.columns) == ["forum:UN", "forum:SCO"]


def test_timeline_functions_check_metric_and_columns():
    tl = make_timeline({"country:CN": [0.5, 0.4]})
    with pytest.raises(GraphError, match="no metric 'degree'.*pagerank"):
        top_nodes_over_time(tl, "degree")
    with pytest.raises(GraphError, match="lacks column"):
        rank_changes(tl.drop(columns="rank"))


def test_rank_changes_keeps_the_timelines_ranks():
    tl = make_timeline({"a:1": [5, 1, 1], "a:2": [4, 4, None], "a:3": [3, 3, 1.5], "a:4": [2, 5, 2], "a:5": [1, 2, 5]})
    bump = rank_changes(tl, "pagerank", 2)
    assert set(bump["node"]) == {"a:1", "a:2", "a:4", "a:5"}  # a:3 never in the top 2
    merged = bump.merge(tl, on=["window_start", "node"], suffixes=("", "_tl"))
    assert len(merged) == len(bump)
    assert (merged["rank"] == merged["rank_tl"]).all()
    assert bump["in_top"].tolist() == (bump["rank"] <= 2).tolist()
    first = bump[bump["window_start"] == bump["window_start"].min()]
    assert first["node"].tolist() == ["a:1", "a:2", "a:4", "a:5"]
    assert first["rank"].tolist() == [1, 2, 4, 5]


@pytest.mark.parametrize(
    "module", ["common", "layout", "nodes", "matrix", "timeline", "windows", "dates", "trajectories", "ranks"]
)
def test_docstring_examples_run(module):
    import doctest
    import importlib

    mod = importlib.import_module(f"netanalysis.analysis.plotdata.{module}")
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
