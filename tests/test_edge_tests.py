"""Every edge tested against chance, through the one engine: the tests on the counter's graphs,
their family and N, the projections, the windows, the backbone, and the command line end to end.

The statistics themselves (tails, BH, null uniformity, SDSM) are tested in test_significance.py
and test_sdsm.py; here they are held to what the graphs, the files and the report say.
"""

import json
import math
import xml.etree.ElementTree as ET
from fractions import Fraction

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from netanalysis.analysis import backbone, validate_edges
from netanalysis.analysis.edge_tests import window_edges_table
from netanalysis.analysis.sdsm import sdsm_projection
from netanalysis.analysis.timeline import graphs_over_time
from netanalysis.cli import cli
from netanalysis.errors import ConfigError, GraphError
from netanalysis.graph import co_mention_graph, projection_graph

COUNTRIES = ["BR", "IN", "CN", "ZA", "TR", "IR", "EG", "ID", "VN", "KZ", "BY"]
FORUMS = ["BRICS", "SCO", "G20", "ASEAN", "APEC", "CIS"]


def _flag(code: str) -> str:
    return "".join(chr(0x1F1E6 + ord(ch) - ord("A")) for ch in code)


def _exact_upper(w: int, a: int, b: int, n: int) -> float:
    """P(X >= w), X ~ Hypergeometric(N = n, a marked, b drawn), as an exact fraction."""
    total = math.comb(n, b)
    return float(sum(Fraction(math.comb(a, x) * math.comb(n - a, b - x), total) for x in range(w, min(a, b) + 1)))


def frame(rows):
    return pd.DataFrame(rows, columns=["post_id", "kind", "entity"])


# --- the test on the counter's graphs: N, the family, by hand ----------------------------------------


def test_hand_computed_pvalues_use_the_baselines_n_and_every_pair():
    """6 posts; p5 names nothing. CN in p1 p2 p3, RU in p1 p4; BRICS in p1 p2, UN in p3 p4.
    Edges: CN-BRICS w 2, CN-UN 1, RU-BRICS 1, RU-UN 1. The family is every country x forum pair
    (2 x 2 = 4, all observed here). All-units N = 6 (p6 absent from the mentions but in posts)."""
    rows = [("p1", "country", "CN"), ("p1", "country", "RU"), ("p1", "forum", "BRICS")]
    rows += [("p2", "country", "CN"), ("p2", "forum", "BRICS"), ("p3", "country", "CN"), ("p3", "forum", "UN")]
    rows += [("p4", "country", "RU"), ("p4", "forum", "UN"), ("p5", "tag", "news")]
    posts = pd.DataFrame({"post_id": [f"p{k}" for k in range(1, 7)]})
    for baseline, n in (("all-units", 6), ("topical-units", 4)):
        G = validate_edges(co_mention_graph(frame(rows), posts, baseline=baseline))
        assert G.graph["n_units"] == n and G.graph["pairs_tested"] == 4
        cases = {
            ("CN", "BRICS"): (2, 3, 2),
            ("CN", "UN"): (1, 3, 2),
            ("RU", "BRICS"): (1, 2, 2),
            ("RU", "UN"): (1, 2, 2),
        }
        p = {}
        for (c, f), (w, a, b) in cases.items():
            d = G.edges[f"country:{c}", f"forum:{f}"]
            p[c, f] = _exact_upper(w, a, b, n)
            assert abs(d["p_value"] - p[c, f]) <= 1e-12 * max(p[c, f], 1e-300), (baseline, c, f)
            assert d["expected"] == pytest.approx(a * b / n, rel=1e-15)
        ordered = sorted(p.values())
        bh = [min(1.0, min(ordered[j] * 4 / (j + 1) for j in range(k, 4))) for k in range(4)]
        for value in p.values():
            q = bh[ordered.index(value)]
            assert any(abs(d["q_value"] - q) <= 1e-12 for _, _, d in G.edges(data=True))


def test_pairs_below_min_weight_and_never_together_stay_in_the_family():
    rows = [(f"a{k}", kind, e) for k in range(6) for kind, e in (("country", "CN"), ("forum", "BRICS"))]
    rows += [("b0", "country", "RU"), ("b0", "forum", "BRICS"), ("b1", "country", "IN"), ("b2", "forum", "UN")]
    full = validate_edges(co_mention_graph(frame(rows)))
    light = validate_edges(co_mention_graph(frame(rows), min_weight=2))
    assert light.number_of_edges() == 1 and full.number_of_edges() == 2
    # 3 countries x 2 forums, whatever min_weight drops
    assert full.graph["pairs_tested"] == light.graph["pairs_tested"] == 6
    edge = ("country:CN", "forum:BRICS")
    assert light.edges[edge]["q_value"] == full.edges[edge]["q_value"]
    assert light.edges[edge]["p_value"] == full.edges[edge]["p_value"]


def test_less_and_two_sided_test_the_pairs_never_named_together():
    """Two frequent entities never named together avoid each other: under 'less' or
    'two-sided' that pair is significant (counted as unobserved), under 'greater' it is not."""
    rows = [(f"c{k}", "country", "CN") for k in range(40)] + [(f"c{k}", "forum", "SCO") for k in range(40)]
    rows += [(f"u{k}", "country", "US") for k in range(40)] + [(f"u{k}", "forum", "NATO") for k in range(40)]
    m = frame(rows)
    greater = validate_edges(co_mention_graph(m))
    assert greater.graph["unobserved_significant"] == 0 and greater.graph["edges_significant"] == 2
    for alternative in ("less", "two-sided"):
        G = validate_edges(co_mention_graph(m), alternative=alternative)
        assert G.graph["unobserved_significant"] == 2  # CN-NATO and US-SCO
    with pytest.raises(GraphError, match="avoidance"):
        backbone(validate_edges(co_mention_graph(m), alternative="less"))
    with pytest.raises(ConfigError, match="alternative"):
        validate_edges(co_mention_graph(m), alternative="up")
    with pytest.raises(ConfigError, match="alpha"):
        validate_edges(co_mention_graph(m), alpha=1.5)
    with pytest.raises(GraphError, match="test the edges first"):
        backbone(co_mention_graph(m))


def test_sdsm_on_the_counter_equals_sdsm_on_the_unit_by_entity_matrix():
    """The counter's degree histogram and margins give the same SDSM as the 0/1 matrix itself;
    units naming nothing (the all-units baseline) change nothing."""
    rng = np.random.default_rng(3)
    names = [("country", "CN"), ("country", "RU"), ("country", "IN"), ("forum", "SCO"), ("forum", "UN")]
    b = (rng.random((400, 5)) < rng.uniform(0.1, 0.5, 5)).astype(int)
    b[::3] = 0  # a third of the posts name nothing
    rows = [(f"p{u}", *names[e]) for u, e in zip(*np.nonzero(b))]
    posts = pd.DataFrame({"post_id": [f"p{u}" for u in range(400)]})
    reference = sdsm_projection(b)
    for baseline in ("all-units", "topical-units"):
        G = validate_edges(co_mention_graph(frame(rows), posts, baseline=baseline), test="sdsm")
        for u, v, d in G.edges(data=True):
            i, j = sorted(names.index(tuple(n.split(":"))) for n in (u, v))
            ref = reference[(reference.i == i) & (reference.j == j)].iloc[0]
            assert d["p_value"] == pytest.approx(ref.p_over, rel=1e-9)
            assert d["expected"] == pytest.approx(ref.expected, rel=1e-9)
    assert G.graph["test"] == "sdsm"


def test_validated_null_corpora_call_few_edges_significant():
    """100 corpora of 400 posts, 6 countries x 4 forums named independently, through
    co_mention_graph and validate_edges: the mean share of edges called significant is <= 0.05."""
    rng = np.random.default_rng(11)
    shares = []
    for _ in range(100):
        rates = rng.uniform(0.05, 0.4, 10)
        b = rng.random((400, 10)) < rates
        rows = [(f"p{u}", "country" if e < 6 else "forum", f"E{e}") for u, e in zip(*np.nonzero(b))]
        posts = pd.DataFrame({"post_id": [f"p{u}" for u in range(400)]})
        G = validate_edges(co_mention_graph(frame(rows), posts))
        shares.append(np.mean([d["significant"] for _, _, d in G.edges(data=True)]))
    assert np.mean(shares) <= 0.05


def test_projections_are_tested_over_their_own_pairs():
    rows = [(f"a{k}", "country", c) for k in range(30) for c in ("CN", "RU")]
    rows += [(f"b{k}", "country", c) for k in range(5) for c in ("IN", "BR")]
    rows += [(f"c{k}", "country", "US") for k in range(30)] + [("a0", "forum", "SCO"), ("c0", "forum", "UN")]
    posts = pd.DataFrame({"post_id": sorted({r[0] for r in rows} | {f"z{k}" for k in range(20)})})
    P = validate_edges(projection_graph(frame(rows), posts, side="country"))
    assert P.graph["pairs_tested"] == 5 * 4 // 2  # CN RU IN BR US: every pair of countries
    d = P.edges["country:CN", "country:RU"]
    n = len(posts)
    assert d["weight"] == 30 and d["p_value"] == pytest.approx(_exact_upper(30, 30, 30, n), rel=1e-12)
    assert d["significant"] and not P.has_edge("country:CN", "country:US")
    F = validate_edges(projection_graph(frame(rows), posts, side="forum"))
    assert F.number_of_edges() == 0 and F.graph["pairs_tested"] == 1


# --- windows -----------------------------------------------------------------------------------


def _window_corpus():
    """Monthly posts in 2024: CN and SCO named independently every month, together (far more
    often than chance) only in March."""
    rng = np.random.default_rng(4)
    rows, posts = [], []
    for month in range(1, 7):
        for k in range(200):
            pid = f"m{month}-{k}"
            posts.append((pid, pd.Timestamp(f"2024-{month:02d}-10", tz="UTC")))
            together = month == 3 and k < 40
            if together or rng.random() < 0.15:
                rows.append((pid, "country", "CN"))
            if together or rng.random() < 0.15:
                rows.append((pid, "forum", "SCO"))
            if rng.random() < 0.3:
                rows.append((pid, "country", "RU"))
            if rng.random() < 0.3:
                rows.append((pid, "forum", "UN"))
    return frame(rows), pd.DataFrame(posts, columns=["post_id", "date"])


def test_a_tie_that_became_significant_in_march_can_be_read_off_the_windows(tmp_path):
    from netanalysis.analysis.edge_tests import validate_windows
    from netanalysis.io import write_dynamic_gexf

    mentions, posts = _window_corpus()
    windows = graphs_over_time(mentions, posts, freq="month", post_ids=False)
    validate_windows(windows)
    table = window_edges_table(windows)
    cn_sco = table[(table["country"] == "CN") & (table["forum"] == "SCO")]
    months = cn_sco.loc[cn_sco["significant"].astype(bool), "window_start"].dt.month.tolist()
    assert months == [3]
    assert (table["n_units"] == 200).all()  # each window's own N: its posts
    for (_, _, G), (_, rows) in zip(windows, table.groupby("window_start", sort=True)):
        assert G.graph["edges_tested"] == len(rows)
    path = write_dynamic_gexf(windows, tmp_path / "g.gexf")
    root = ET.parse(path).getroot()
    ns = {"g": "http://gexf.net/1.3"}
    edge = root.find(".//g:edge[@id='country:CN|forum:SCO']", ns)
    marks = {
        a.get("start"): a.get("value")
        for a in edge.iter(f"{{{ns['g']}}}attvalue")
        if a.get("for") == "window_significant"
    }
    assert marks["2024-03-01"] == "true" and marks["2024-04-01"] == "false"
    back = nx.read_gexf(path)
    q = back.edges["country:CN", "forum:SCO"]["window_q_value"]
    assert min(q, key=lambda x: x[0])[1] == "2024-03-01"


# --- path weights --------------------------------------------------------------------------------


def test_weighted_paths_betweenness_stays_within_its_bipartite_bound_and_matches_networkx():
    from netanalysis.analysis.centrality import node_measures

    rng = np.random.default_rng(9)
    for _ in range(150):
        G = nx.Graph()
        n, m = rng.integers(2, 7, size=2)
        for i in range(n):
            for j in range(m):
                if rng.random() < 0.6:
                    G.add_edge(f"c{i}", f"f{j}", weight=int(rng.integers(1, 40)))
        nx.set_node_attributes(G, {v: int(v.startswith("f")) for v in G}, "bipartite")
        if G.number_of_edges() < 2 or len({d for _, d in G.nodes(data="bipartite")}) < 2:
            continue
        got = node_measures(G, path_weights=True, measures=["betweenness", "closeness"])
        assert max(got["betweenness"].values()) <= 1 + 1e-12
        H = G.copy()
        nx.set_edge_attributes(H, {(u, v): 1 / w for u, v, w in H.edges(data="weight")}, "d")
        raw = nx.betweenness_centrality(H, normalized=False, weight="d")
        hops = node_measures(G, measures=["betweenness"])["betweenness"]
        plain = nx.betweenness_centrality(G, normalized=False)
        for v in G:  # the same normalisation as the hop count: raw / raw maximum
            if plain[v] > 0 and hops[v] > 0:
                assert got["betweenness"][v] / raw[v] == pytest.approx(hops[v] / plain[v]) if raw[v] else True
        closeness = nx.closeness_centrality(H, distance="d")
        assert got["closeness"] == pytest.approx(closeness)


def test_weighted_paths_change_who_lies_between():
    """a-x is a strong tie and a-y-b weak: with hops x and y are alike, with 1/weight x lies
    on the shortest path between a and b (a-x-b beats a-y-b)."""
    from netanalysis.analysis import centrality_table

    G = nx.Graph()
    G.add_nodes_from(["country:A", "country:B"], bipartite=0, kind="country")
    G.add_nodes_from(["forum:X", "forum:Y"], bipartite=1, kind="forum")
    G.add_edges_from([("country:A", "forum:X", {"weight": 9}), ("country:B", "forum:X", {"weight": 9})])
    G.add_edges_from([("country:A", "forum:Y", {"weight": 1}), ("country:B", "forum:Y", {"weight": 1})])
    hops = centrality_table(G).set_index("node")["betweenness"]
    paths = centrality_table(G, path_weights=True).set_index("node")["betweenness"]
    assert hops["forum:X"] == hops["forum:Y"]
    assert paths["forum:X"] > paths["forum:Y"] == 0


# --- the command line, end to end ----------------------------------------------------------------


def _study_corpus(path, seed=1, posts=3000, planted=60):
    """~3,000 posts of a channel: the channel's own country (RU) in every post, 11 countries and
    6 forums named independently, one planted pair (BR with BRICS) named together in ``planted``
    posts, and a tenth of the posts (consular briefings) naming only RU."""
    rng = np.random.default_rng(seed)
    pc, pf = rng.uniform(0.04, 0.2, len(COUNTRIES)), rng.uniform(0.04, 0.2, len(FORUMS))
    pc[0] = pf[0] = 0.05
    together = set(rng.choice(posts, planted, replace=False).tolist())
    lines = []
    for k in range(posts):
        if k % 10 == 9:
            text = f"Weekly briefing {_flag('RU')} on consular matters."
        else:
            named = [c for c, p in zip(COUNTRIES, pc) if rng.random() < p]
            forums = [f for f, p in zip(FORUMS, pf) if rng.random() < p]
            if k in together:
                named, forums = sorted(set(named) | {"BR"}), sorted(set(forums) | {"BRICS"})
            text = "Statement " + " ".join(_flag(c) for c in ["RU", *named]) + " " + " ".join(f"#{f}" for f in forums)
        day = pd.Timestamp("2024-01-01", tz="UTC") + pd.Timedelta(hours=6 * k)
        lines.append(json.dumps({"id": k, "date": int(day.timestamp()), "channel": "MFA", "text": text}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    folder = tmp_path_factory.mktemp("study")
    corpus = _study_corpus(folder / "posts.jsonl")
    out = folder / "graph"
    result = CliRunner().invoke(cli, ["-q", "graph", str(corpus), "-o", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    return corpus, out


def test_the_command_line_recovers_a_planted_pair(study):
    _, out = study
    edges = pd.read_csv(out / "edges.csv", keep_default_na=False)
    pair = edges[(edges["country"] == "BR") & (edges["forum"] == "BRICS")].iloc[0]
    assert pair["q_value"] < 0.001 and pair["significant"]
    others = edges[~((edges["country"] == "BR") & (edges["forum"] == "BRICS")) & (edges["country"] != "RU")]
    assert len(others) >= 60 and others["significant"].sum() <= 1
    manifest = json.loads((out / "manifest.json").read_text())
    tests = manifest["counts"]["significance"]["edges"]
    assert tests["pairs_tested"] == 12 * 6 and tests["n_units"] == tests["topical_units"] == 3000
    assert manifest["counts"]["baseline"] == "all-units" and manifest["parameters"]["baseline"] == "all-units"


def test_the_command_line_gives_a_country_in_every_post_no_significant_edge(study):
    _, out = study
    edges = pd.read_csv(out / "edges.csv", keep_default_na=False)
    ru = edges[edges["country"] == "RU"]
    assert len(ru) == 6 and (ru["p_value"] == 1.0).all() and not ru["significant"].any()
    assert (ru["expected"] == ru["weight"]).all()  # named in every post: exactly as expected
    countries = pd.read_csv(out / "projection_countries.csv", keep_default_na=False)
    assert not countries.loc[(countries["country_a"] == "RU") | (countries["country_b"] == "RU"), "significant"].any()


def test_the_command_line_writes_tested_projections_and_their_measures(study):
    _, out = study
    countries = pd.read_csv(out / "projection_countries.csv", keep_default_na=False)
    assert {"country_a", "country_b", "weight", "expected", "p_value", "q_value", "significant", "post_ids"} <= set(
        countries.columns
    )
    assert (countries["country_a"] < countries["country_b"]).all()
    assert len(countries) == 12 * 11 // 2  # every pair of these countries is named together somewhere
    nodes = pd.read_csv(out / "projection_nodes.csv")
    assert set(nodes["projection"]) == {"countries", "forums"}
    assert nx.read_gexf(out / "projection_forums.gexf").number_of_edges() == 15


def test_gexf_and_graphml_carry_every_edges_test(study):
    """graph.gexf and graph.graphml (and the projections' GEXF) hold each edge's expected count,
    p-value, q-value and significance, equal to the CSV files'."""
    _, out = study
    edges = pd.read_csv(out / "edges.csv", keep_default_na=False)
    for name in ("graph.gexf", "graph.graphml"):
        G = nx.read_gexf(out / name) if name.endswith("gexf") else nx.read_graphml(out / name)
        assert G.number_of_edges() == len(edges)
        for row in edges.itertuples():
            d = G.edges[f"country:{row.country}", f"forum:{row.forum}"]
            assert d["expected"] == pytest.approx(row.expected, rel=1e-12)
            assert d["p_value"] == pytest.approx(row.p_value, rel=1e-12)
            assert d["q_value"] == pytest.approx(row.q_value, rel=1e-12)
            assert str(d["significant"]).lower() == str(row.significant).lower()
    ties = pd.read_csv(out / "projection_countries.csv", keep_default_na=False)
    P = nx.read_gexf(out / "projection_countries.gexf")
    for row in ties.itertuples():
        d = P.edges[f"country:{row.country_a}", f"country:{row.country_b}"]
        assert (d["p_value"], d["q_value"]) == (pytest.approx(row.p_value), pytest.approx(row.q_value))
        assert str(d["significant"]).lower() == str(row.significant).lower()


def test_backbone_through_the_command_line(study, tmp_path):
    corpus, full = study
    out = tmp_path / "backbone"
    result = CliRunner().invoke(cli, ["-q", "report", str(corpus), "-o", str(out), "--jobs", "1", "--backbone"])
    assert result.exit_code == 0, result.output
    edges = pd.read_csv(out / "edges.csv", keep_default_na=False)
    assert edges.equals(pd.read_csv(full / "edges.csv", keep_default_na=False))  # every edge, tested
    nodes = pd.read_csv(out / "nodes.csv")
    significant = edges[edges["significant"]]
    kept = {f"country:{c}" for c in significant["country"]} | {f"forum:{f}" for f in significant["forum"]}
    assert set(nodes["node"]) == kept  # nodes without a significant edge drop out
    assert len(pd.read_csv(out / "nodes_full.csv")) == len(pd.read_csv(full / "nodes.csv"))
    assert nx.read_graphml(out / "backbone.graphml").number_of_edges() == len(significant)
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "on the backbone of significant edges" in page and "(backbone: " in page
    assert f"{len(significant)} of {len(edges)} edges are significant" in page
    assert "Benjamini" in page and "Tumminello" in page and "q &lt; 0.05" in page
    # each window is tested on its own units: the report says how many windows kept a significant edge
    counts = json.loads((out / "manifest.json").read_text())["counts"]
    windows = pd.read_csv(out / "window_edges.csv", keep_default_na=False)
    kept = counts["backbone_windows"]
    assert kept["windows"] == counts["windows"] > kept["with_edges"] > 0
    assert kept["with_edges"] == windows.loc[windows["significant"], "window_start"].nunique()
    assert f"{kept['with_edges']} of {kept['windows']} windows have a significant edge" in page


def test_command_line_errors(study, tmp_path):
    corpus, _ = study
    runner = CliRunner()
    bad = runner.invoke(cli, ["graph", str(corpus), "-o", str(tmp_path / "a"), "--alpha", "2"])
    assert bad.exit_code == 2 and "alpha must be between 0 and 1" in bad.output
    less = runner.invoke(cli, ["graph", str(corpus), "-o", str(tmp_path / "b"), "--backbone", "--alternative", "less"])
    assert less.exit_code == 2 and "backbone keeps the ties stronger than chance" in less.output
    empty = runner.invoke(
        cli, ["graph", str(corpus), "-o", str(tmp_path / "c"), "--jobs", "1", "--backbone", "--alpha", "1e-300"]
    )
    assert empty.exit_code == 1 and empty.output.startswith("Error: no edge is significant")
    assert "Traceback" not in empty.output


# --- the report ----------------------------------------------------------------------------------


def test_the_report_does_not_rank_by_a_constant_column():
    """Every country tied to every forum (a saturated graph): degree is 1 for all, so the table
    leaves it out and says so, while the columns that differ stay."""
    from netanalysis.analysis import centrality_table
    from netanalysis.render.report_page import _top_nodes

    rows = [(f"p{k}", "country", c) for k, c in enumerate(["CN", "IN", "BR"] * 4)]
    rows += [(f"p{k}", "forum", f) for k in range(12) for f in ("BRICS", "G20")]
    rows += [("p0", "forum", "SCO"), ("p1", "forum", "SCO"), ("p2", "forum", "SCO")]
    rows += [(f"q{k}", kind, e) for k in range(4) for kind, e in (("country", "CN"), ("forum", "BRICS"))]
    G = co_mention_graph(frame(rows))
    nodes = centrality_table(G)
    countries = nodes[nodes["kind"] == "country"]
    assert (countries["degree"] == 1.0).all() and countries["strength"].nunique() > 1
    html = _top_nodes(nodes, "country")
    assert "<th" in html and ">degree<" not in html and ">strength<" in html
    assert "Not shown as a ranking: every one of these 3 countries has the same degree 1.0000" in html
    assert "each is tied to every node of the other side" in html


def test_the_methods_paragraph_names_the_test_its_numbers_and_its_works():
    from netanalysis.config import Settings
    from netanalysis.render.methods import methods_paragraphs, references

    counts = {
        "posts": 4000,
        "significance": {
            "edges": {
                "test": "hypergeom",
                "alternative": "greater",
                "alpha": 0.05,
                "pairs_tested": 2233,
                "edges_tested": 913,
                "edges_significant": 192,
                "unobserved_significant": 0,
                "baseline": "all-units",
                "n_units": 4000,
                "topical_units": 3516,
                "all_units": 4000,
            },
            "backbone": {"edges": 192, "countries": 71, "forums": 26, "nodes_dropped": 9},
        },
    }
    paragraphs = methods_paragraphs(Settings(backbone=True, path_weights=True), counts)
    text = next(p.text for p in paragraphs if p.title == "Which ties are more frequent than chance")
    for part in ("Tumminello et al. (2011)", "N = 4,000 posts", "the 484 naming no country or forum included"):
        assert part in text
    for part in ("Benjamini–Hochberg", "2,233", "below 0.05: 192 of the 913 edges", "backbone", "1/weight"):
        assert part in text
    works = " ".join(references(paragraphs))
    assert "Tumminello" in works and "Benjamini" in works and "Opsahl" in works and "Brandes" in works
    sdsm = dict(counts, significance={"edges": dict(counts["significance"]["edges"], test="sdsm")})
    text = " ".join(p.text for p in methods_paragraphs(Settings(test="sdsm"), sdsm))
    assert "Neal 2014" in text and "Saracco et al. 2015, 2017" in text
    assert "Saracco" in " ".join(references(methods_paragraphs(Settings(test="sdsm"), sdsm)))
