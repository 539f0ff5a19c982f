"""Dynamic GEXF: spells, dynamic weights, networkx read-back, determinism."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from netanalysis.analysis.timeline import graphs_over_time, timeline_table
from netanalysis.errors import GraphError
from netanalysis.graph import co_mention_graph
from netanalysis.io.dynamic_gexf import display_intervals, write_dynamic_gexf

FIXTURES = Path(__file__).parent / "fixtures" / "timeline"
NS = {"g": "http://gexf.net/1.3"}


@pytest.fixture
def data() -> tuple[pd.DataFrame, pd.DataFrame]:
    posts = pd.read_csv(FIXTURES / "posts.csv", dtype=str, keep_default_na=False)
    posts["date"] = pd.to_datetime(posts["date"].replace("", None), utc=True, format="ISO8601")
    mentions = pd.read_csv(FIXTURES / "mentions.csv", dtype={"post_id": str})
    return posts, mentions


@pytest.fixture
def written(tmp_path, data):
    posts, mentions = data
    graphs = graphs_over_time(mentions, posts)
    timeline = timeline_table(graphs, metrics=["pagerank", "strength"])
    path = write_dynamic_gexf(
        graphs, tmp_path / "graph.gexf", graph=co_mention_graph(mentions, posts), timeline=timeline
    )
    return path, graphs, timeline


def test_header_is_dynamic_gexf_13(written):
    root = ET.parse(written[0]).getroot()
    assert root.get("version") == "1.3"
    graph = root.find("g:graph", NS)
    assert graph.get("mode") == "dynamic"
    assert graph.get("timeformat") == "date"
    assert graph.get("timerepresentation") == "interval"
    assert (graph.get("start"), graph.get("end")) == ("2024-03-01", "2024-06-30")
    dynamic_edge = graph.find("g:attributes[@class='edge'][@mode='dynamic']", NS)
    assert [a.get("id") for a in dynamic_edge] == ["weight", "window_weight"]
    assert root.find("g:meta", NS).get("lastmodifieddate") is None  # no run time in data files


def test_dynamic_weight_attvalues_as_gephi_writes_them(written):
    root = ET.parse(written[0]).getroot()
    edge = root.find(".//g:edge[@id='country:CN|forum:BRICS']", NS)
    assert edge.get("weight") == "2.0"  # total: posts p01 (March) and p07 (June)
    weights = [
        (a.get("value"), a.get("start"), a.get("end"))
        for a in edge.findall("g:attvalues/g:attvalue[@for='weight']", NS)
    ]
    assert weights == [("1.0", "2024-03-01", "2024-03-31"), ("1.0", "2024-06-01", "2024-06-30")]
    spells = [(s.get("start"), s.get("end")) for s in edge.findall("g:spells/g:spell", NS)]
    assert spells == [("2024-03-01", "2024-03-31"), ("2024-06-01", "2024-06-30")]


def test_networkx_reads_it_back(written):
    path, graphs, timeline = written
    H = nx.read_gexf(path)
    assert H.graph["mode"] == "dynamic"
    cn = H.nodes["country:CN"]
    assert cn["kind"] == "country" and cn["bipartite"] == 0 and cn["posts"] == 4
    # CN is in March, April and June: March-April merge into one spell.
    assert cn["spells"] == [("2024-03-01", "2024-04-30"), ("2024-06-01", "2024-06-30")]
    assert cn["windows"] == 3
    assert cn["window_posts"] == [
        (1, "2024-03-01", "2024-03-31"),
        (1, "2024-04-01", "2024-04-30"),
        (2, "2024-06-01", "2024-06-30"),
    ]
    want = timeline[(timeline["node"] == "country:CN") & (timeline["metric"] == "pagerank")]["value"]
    assert [v for v, _, _ in cn["pagerank"]] == want.tolist()
    e = H.edges["country:RU", "forum:UN"]
    assert e["weight"] == 1.0 and e["total_weight"] == 1.0
    assert e["window_weight"] == [(1.0, "2024-04-01", "2024-04-30")]
    assert e["spells"] == [("2024-04-01", "2024-04-30")]
    assert e["first_date"] == "2024-04-20"
    assert "post_ids" not in e  # listed in edges.csv; megabytes per edge on a large corpus


def test_whole_graph_elements_without_a_window_have_no_spell(tmp_path, data):
    posts, mentions = data
    whole = co_mention_graph(mentions, posts)
    path = write_dynamic_gexf(graphs_over_time(mentions, posts), tmp_path / "g.gexf", graph=whole)
    H = nx.read_gexf(path)
    assert set(H.nodes()) == set(whole.nodes())
    assert {frozenset(e) for e in H.edges()} == {frozenset(e) for e in whole.edges()}
    br = H.nodes["country:BR"]  # named only in the undated post
    assert "spells" not in br and br["windows"] == 0


def test_same_input_same_bytes(tmp_path, data):
    posts, mentions = data
    graphs = graphs_over_time(mentions, posts)
    a = write_dynamic_gexf(graphs, tmp_path / "a.gexf").read_bytes()
    shuffled = graphs_over_time(mentions.iloc[::-1], posts.iloc[::-1])
    b = write_dynamic_gexf(shuffled, tmp_path / "b.gexf").read_bytes()
    assert a == b


def test_rolling_windows_do_not_overlap_in_time(tmp_path, data):
    posts, mentions = data
    graphs = graphs_over_time(mentions, posts, window="3M", step="1M")
    shown = display_intervals([(lo, hi) for lo, hi, _ in graphs])
    assert [(a.strftime("%m-%d"), b.strftime("%m-%d")) for a, b in shown] == [("03-01", "05-31"), ("06-01", "06-30")]
    whole = co_mention_graph(mentions, posts)
    H = nx.read_gexf(write_dynamic_gexf(graphs, tmp_path / "r.gexf", graph=whole))
    for _, _, d in H.edges(data=True):
        spans = [(s, e) for _, s, e in d.get("window_weight", [])]
        assert all(e1 < s2 for (_, e1), (s2, _) in zip(spans, spans[1:]))
    # CN-BRICS: March-May window (p01) shown 03-01..05-31, June-August (p07) from 06-01.
    assert H.edges["country:CN", "forum:BRICS"]["window_weight"][:2] == [
        (1.0, "2024-03-01", "2024-05-31"),
        (1.0, "2024-06-01", "2024-06-30"),
    ]
    assert H.edges["country:CN", "forum:BRICS"]["weight"] == 2.0  # the whole graph's total
    with pytest.raises(GraphError, match="pass graph="):
        write_dynamic_gexf(graphs, tmp_path / "x.gexf")
    assert not (tmp_path / "x.gexf").exists()


def test_hostile_text_is_escaped(tmp_path):
    G = nx.Graph()
    G.add_node("country:XX", kind="country", bipartite=0, entity="XX", posts=1, label="<b>\"A\" & 'B'</b>\x01")
    G.add_node("forum:YY", kind="forum", bipartite=1, entity="YY", posts=1, label="Y")
    G.add_edge("country:XX", "forum:YY", weight=1, post_ids=["p<1>"], first_date="2024-01-02", last_date="2024-01-02")
    H = nx.read_gexf(write_dynamic_gexf(G, tmp_path / "h.gexf"))
    assert H.nodes["country:XX"]["label"] == "<b>\"A\" & 'B'</b>"
    assert H.edges["country:XX", "forum:YY"]["first_date"] == "2024-01-02"


def test_cumulative_windows_show_each_value_from_the_previous_end():
    windows = [(pd.Timestamp("2024-04-01", tz="UTC"), pd.Timestamp(f"2024-{m:02d}-01", tz="UTC")) for m in (5, 6, 7)]
    shown = display_intervals(windows)
    assert [(a.strftime("%m-%d"), b.strftime("%m-%d")) for a, b in shown] == [
        ("04-01", "04-30"),
        ("05-01", "05-31"),
        ("06-01", "06-30"),
    ]


def test_window_ends_must_increase():
    t = pd.Timestamp("2024-04-01", tz="UTC")
    with pytest.raises(GraphError):
        display_intervals([(t, t + pd.Timedelta(days=30)), (t, t + pd.Timedelta(days=30))])


def test_single_graph_spells_from_first_and_last_dates(tmp_path, data):
    posts, mentions = data
    G = co_mention_graph(mentions, posts)
    H = nx.read_gexf(write_dynamic_gexf(G, tmp_path / "s.gexf"))
    assert H.graph["mode"] == "dynamic"
    assert H.edges["country:CN", "forum:BRICS"]["spells"] == [("2024-03-31", "2024-06-20")]
    assert H.nodes["country:CN"]["spells"] == [("2024-03-31", "2024-06-20")]
    # The BR-BRICS edge is undated: no spell.
    assert "spells" not in H.edges["country:BR", "forum:BRICS"]


def test_cumulative_node_metrics_follow_their_own_window(tmp_path, data):
    posts, mentions = data
    graphs = graphs_over_time(mentions, posts, cumulative=True)
    timeline = timeline_table(graphs, metrics=["strength"])
    whole = co_mention_graph(mentions, posts)
    H = nx.read_gexf(write_dynamic_gexf(graphs, tmp_path / "c.gexf", graph=whole, timeline=timeline))
    # BRICS strength: March 3; March-April 3; ... March-June 4 (CN-BRICS again in June).
    assert H.nodes["forum:BRICS"]["strength"] == [
        (3.0, "2024-03-01", "2024-03-31"),
        (3.0, "2024-04-01", "2024-04-30"),
        (3.0, "2024-05-01", "2024-05-31"),
        (4.0, "2024-06-01", "2024-06-30"),
    ]


@pytest.mark.parametrize("at_once", [1, 2, 7])
def test_lines_written_a_block_at_a_time_give_the_same_bytes(tmp_path, data, monkeypatch, at_once):
    # the file is written a block of lines at a time, not made whole first: block by block,
    # one line at a time or all at once (the default block is larger than this file), the same bytes
    import netanalysis.io.xml_lines as xml_lines

    posts, mentions = data
    graphs = graphs_over_time(mentions, posts)
    timeline = timeline_table(graphs, metrics=["pagerank", "strength"])
    whole = co_mention_graph(mentions, posts)
    whole_file = write_dynamic_gexf(graphs, tmp_path / "whole.gexf", graph=whole, timeline=timeline).read_bytes()
    static_file = write_dynamic_gexf(whole, tmp_path / "static.gexf").read_bytes()
    assert whole_file.count(b"\n") < xml_lines.LINES_AT_ONCE
    monkeypatch.setattr(xml_lines, "LINES_AT_ONCE", at_once)
    blocks = write_dynamic_gexf(graphs, tmp_path / "blocks.gexf", graph=whole, timeline=timeline).read_bytes()
    assert blocks == whole_file and blocks.endswith(b"</gexf>\n") and not blocks.endswith(b"\n\n")
    assert write_dynamic_gexf(whole, tmp_path / "static_blocks.gexf").read_bytes() == static_file
