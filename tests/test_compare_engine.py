"""The comparison engine: the k-group permutation test, the contrast tables by hand, the figures
and the page (the command line's end-to-end tests are in test_compare.py)."""

from __future__ import annotations

import itertools
import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from netanalysis.analysis.compare import REST, compare_groups, contrasts_of, group_order
from netanalysis.analysis.compare_plotdata import difference_edges, log_odds_points, shared_graph
from netanalysis.analysis.compare_stats import fisher_items, log_odds_dirichlet
from netanalysis.analysis.group_permutation import group_permutation_test, weighted_jsd
from netanalysis.config import Settings
from netanalysis.errors import ConfigError, GraphError
from netanalysis.graph import CoMentionCounter, from_tables
from netanalysis.model import IngestStats
from netanalysis.registry import load_memberships

# --- the k-group permutation test ------------------------------------------------------------


def _incidences(rng, units, rates):
    hit = rng.random((units, len(rates))) < rates
    return np.nonzero(hit)


def test_weighted_jsd_by_hand():
    counts = np.array([[3, 1], [1, 3]], dtype=float)  # two groups of 4 occurrences
    h = lambda p: -sum(x * math.log2(x) for x in p if x > 0)  # noqa: E731
    expected = h([0.5, 0.5]) - 0.5 * h([0.75, 0.25]) - 0.5 * h([0.25, 0.75])
    assert float(weighted_jsd(counts)) == pytest.approx(expected, abs=1e-12)
    # weights follow the groups' occurrences; a group without any carries none
    uneven = np.array([[6, 2], [1, 3], [0, 0]], dtype=float)
    pooled = [7 / 12, 5 / 12]
    expected = h(pooled) - (8 / 12) * h([0.75, 0.25]) - (4 / 12) * h([0.25, 0.75])
    assert float(weighted_jsd(uneven)) == pytest.approx(expected, abs=1e-12)
    assert weighted_jsd(np.stack([counts, uneven[:2]])).shape == (2,)


def test_group_permutation_matches_the_exact_permutation_distribution():
    """Six units in groups of 2, 2 and 2: the p-value from many random permutations approaches
    the share of all 90 distinct assignments whose statistic reaches the observed one."""
    units = np.array([0, 0, 1, 2, 3, 4, 5, 5])
    items = np.array([0, 1, 0, 1, 1, 2, 2, 0])
    groups = np.array([0, 0, 1, 1, 2, 2])
    observed = group_permutation_test(units, items, groups, n_permutations=1).statistic
    values = []
    for order in set(itertools.permutations(groups.tolist())):
        counts = np.zeros((3, 3))
        for u, i in zip(units, items):
            counts[order[u], i] += 1
        values.append(float(weighted_jsd(counts)))
    exact = np.mean(np.array(values) >= observed - 1e-12)
    assert len(values) == 90
    result = group_permutation_test(units, items, groups, n_permutations=20_000, seed=2)
    assert abs(result.p_value - exact) < 0.01


def test_group_permutation_pvalues_are_uniform_under_the_null():
    """200 draws of three groups (50, 40 and 30 units) from one distribution of 6 items, 199
    permutations each: the Phipson-Smyth p-value is uniform on {1/200, ..., 1}."""
    rng = np.random.default_rng(31)
    rates = rng.uniform(0.05, 0.4, 6)
    groups = np.repeat([0, 1, 2], [50, 40, 30])
    pvals = []
    for _ in range(200):
        u, i = _incidences(rng, 120, rates)
        pvals.append(group_permutation_test(u, i, groups, n_permutations=199, seed=rng).p_value)
    pvals = np.array(pvals)
    assert pvals.min() >= 1 / 200
    assert stats.kstest(pvals, "uniform").pvalue > 0.01


def test_group_permutation_finds_a_planted_difference():
    rng = np.random.default_rng(32)
    rates = rng.uniform(0.05, 0.3, 8)
    planted = rates.copy()
    planted[3] = 0.6
    parts = [_incidences(rng, 200, r) for r in (rates, rates, planted)]
    units = np.concatenate([u + 200 * k for k, (u, _) in enumerate(parts)])
    items = np.concatenate([i for _, i in parts])
    result = group_permutation_test(units, items, np.repeat([0, 1, 2], 200), n_permutations=499, seed=1)
    assert result.p_value == 1 / 500
    with pytest.raises(GraphError):
        group_permutation_test([0, 1], [0, 0], np.array([0, 0]))


# --- the contrast tables by hand ---------------------------------------------------------------


def _corpus(rows):
    """rows: (post id, group, [entities]) -> batch, labels, pooled graph."""
    mentions = pd.DataFrame(
        [(pid, "country" if len(e) == 2 else "forum", e) for pid, _, ents in rows for e in ents],
        columns=["post_id", "kind", "entity"],
    )
    posts = pd.DataFrame({"post_id": [r[0] for r in rows], "date": "2024-05-01T00:00:00Z"})
    batch, _ = from_tables(mentions, posts)
    counter = CoMentionCounter(batch.entities, memberships=load_memberships())
    counter.add(batch)
    return batch, np.array([r[1] for r in rows], dtype=object), counter.graph()


ROWS = [
    ("p1", "A", ["CN", "BRICS"]),
    ("p2", "A", ["CN", "BRICS", "SCO"]),
    ("p3", "A", ["RU", "SCO"]),
    ("p4", "A", ["CN"]),
    ("p5", "B", ["RU", "BRICS"]),
    ("p6", "B", ["RU", "SCO"]),
    ("p7", "B", ["CN", "SCO"]),
    ("p8", "B", []),  # names nothing: not a unit
    ("p9", "C", ["RU", "BRICS"]),
    ("p10", "C", ["IN", "BRICS"]),
]


def test_two_groups_edge_table_by_hand():
    batch, labels, G = _corpus(ROWS[:8])
    result = compare_groups(batch, labels, G, n_permutations=19, baseline="topical-units")
    assert result.groups == ["A", "B"] and result.contrasts == [("A", "B")]
    every = compare_groups(batch, labels, G, n_permutations=19)  # all-units: p8 counts too
    assert set(every.edges["units_versus"]) == {4}
    assert every.summary["posts_naming"].tolist() == [4, 3]  # what the posts name, whatever the units
    edges = result.edges.set_index(["country", "forum"])
    # units: posts naming a country or forum (A 4, B 3: p8 names nothing)
    assert set(edges["units"]) == {4} and set(edges["units_versus"]) == {3}
    keys = [("CN", "BRICS"), ("CN", "SCO"), ("RU", "BRICS"), ("RU", "SCO")]
    a = np.array([2, 1, 0, 1])
    b = np.array([0, 1, 1, 1])
    fisher = fisher_items(a, b, units_a=4, units_b=3)
    odds = log_odds_dirichlet(a, b)
    for i, key in enumerate(keys):
        row = edges.loc[key]
        assert (row["posts"], row["posts_versus"]) == (a[i], b[i])
        assert row["share"] == pytest.approx(a[i] / 4) and row["share_versus"] == pytest.approx(b[i] / 3)
        assert row["p_value"] == pytest.approx(fisher.p_value[i])
        assert row["z"] == pytest.approx(odds.z[i]) and row["log_odds"] == pytest.approx(odds.delta[i])
        assert row["status"] == "member"  # China and Russia in BRICS and the SCO
    assert np.allclose(sorted(result.edges["q_value"]), sorted(np.minimum(1, result.edges["q_value"])))
    nodes = result.nodes.set_index("node")
    assert (nodes.loc["country:CN", "posts"], nodes.loc["country:CN", "posts_versus"]) == (3, 1)
    assert nodes.loc["forum:SCO", "posts_versus"] == 2
    assert nodes.loc["country:CN", "strength"] == 3 and nodes.loc["country:CN", "strength_versus"] == 1
    assert result.summary["posts"].tolist() == [4, 4] and result.summary["posts_naming"].tolist() == [4, 3]
    # rank by share (the default): A names CN in 3 of 4 posts, BRICS and SCO in 2 each (tied: rank 1)
    assert nodes.loc["country:CN", "rank"] == 1 and nodes.loc[["forum:BRICS", "forum:SCO"], "rank"].tolist() == [1, 1]
    assert "share_versus" in result.nodes and "pagerank" not in result.nodes
    by_pagerank = compare_groups(batch, labels, G, n_permutations=19, measure="pagerank").nodes.set_index("node")
    assert by_pagerank.loc["country:CN", "pagerank"] > by_pagerank.loc["country:RU", "pagerank"] > 0
    with pytest.raises(ConfigError, match="unknown node measure 'nonsense'"):
        compare_groups(batch, labels, G, n_permutations=19, measure="nonsense")


def test_three_groups_each_against_the_rest():
    batch, labels, G = _corpus(ROWS)
    result = compare_groups(batch, labels, G, n_permutations=19, baseline="topical-units")
    assert result.contrasts == [("A", REST), ("B", REST), ("C", REST)]
    rows = result.edges[(result.edges["country"] == "RU") & (result.edges["forum"] == "BRICS")].set_index("group")
    assert rows.loc["C", ["posts", "units", "posts_versus", "units_versus"]].tolist() == [1, 2, 1, 7]
    assert rows.loc["A", ["posts", "posts_versus"]].tolist() == [0, 2]
    assert len(result.edges) == 3 * G.number_of_edges()
    assert set(result.tests["group"]) == {"all groups", "A", "B", "C"}
    assert len(result.agreement) == 3 * 3
    assert REST + ":A" in result.networks  # the rest's network, for the side-by-side measures


def test_group_order_and_contrasts():
    assert group_order(["x", "y", "y", "z"], ["z"]) == ["z", "y", "x"]
    with pytest.raises(GraphError, match="at least two groups"):
        contrasts_of(["only"])


# --- figures and page --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def planted():
    rng = np.random.default_rng(7)
    countries, forums = ["CN", "RU", "IN", "BR", "ZA", "EG", "IR"], ["BRICS", "SCO", "UN"]
    rows = []
    for g, n in (("Ministry <b>", 150), ("Embassy", 150), ("Wire", 100)):
        for i in range(n):
            c, f = countries[rng.integers(len(countries))], forums[rng.integers(len(forums))]
            if g == "Embassy" and rng.random() < 0.5:
                c, f = "EG", "BRICS"
            rows.append((f"{g}{i}", g, [c, f]))
    batch, labels, G = _corpus(rows)
    return compare_groups(batch, labels, G, n_permutations=99)


def test_plot_data(planted):
    U = shared_graph(planted, top=6)
    assert U.number_of_nodes() <= 6 and {d["kind"] for _, d in U.nodes(data=True)} == {"country", "forum"}
    diff = difference_edges(planted).set_index(["country", "forum"])
    assert diff.loc[("EG", "BRICS"), "over_used_by"] == "Embassy" and diff.loc[("EG", "BRICS"), "z"] > 2
    points = log_odds_points(planted)
    assert len(points) == len(planted.edges) and (points["edge"] == "EG–BRICS").sum() == 3


def test_figures_draw_one_panel_per_group_and_colour_the_planted_edge(planted):
    from matplotlib.collections import LineCollection

    from netanalysis.render import compare_plot

    fig = compare_plot.plot_group_networks(planted)
    assert sum(ax.get_visible() for ax in fig.axes) == 3
    titles = [ax.get_title(loc="left") for ax in fig.axes if ax.get_visible()]
    assert [t.split("\n")[0] for t in titles] == planted.groups  # the name, then the group's N
    assert [t.split("\n")[1] for t in titles] == [f"{n:,} posts" for n in planted.summary["units"]]
    fig = compare_plot.plot_difference_network(planted)
    colours = {
        tuple(np.round(c[:3], 3))
        for col in fig.axes[0].collections
        if isinstance(col, LineCollection)
        for c in col.get_colors()
    }
    embassy = matplotlib_rgb(compare_plot.group_colors(planted)["Embassy"])
    assert embassy in colours
    fig = compare_plot.plot_log_odds(planted)
    assert sum(ax.get_visible() for ax in fig.axes) == 3


def matplotlib_rgb(hex_colour):
    from matplotlib.colors import to_rgb

    return tuple(np.round(to_rgb(hex_colour), 3))


def test_page_escapes_group_names_and_cites_the_methods(planted):
    from netanalysis.render.compare_page import ComparePage, compare_html

    counts = {"posts": 400, "compare": {"by": "channel", "groups": {"Ministry <b>": 150}, "permutations": 99}}
    page = compare_html(
        ComparePage("0", ["x.csv"], Settings(), IngestStats(), counts, planted, figures=[]), files=["compare_edges.csv"]
    )
    assert "Ministry &lt;b&gt;" in page and "Ministry <b>" not in page
    assert "Comparing groups" in page and "Monroe" in page and "rank-biased overlap" in page


def test_graph_helpers_do_not_modify_the_pooled_graph(planted):
    before = {k: nx.number_of_edges(v.graph) for k, v in planted.networks.items()}
    shared_graph(planted, top=4)
    assert before == {k: nx.number_of_edges(v.graph) for k, v in planted.networks.items()}
