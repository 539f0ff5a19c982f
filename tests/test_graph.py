"""The bipartite co-mention graph: counts, normalised weights (checked by hand), units, filters,
projections and exports."""

import math
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from netanalysis.errors import ConfigError, GraphError
from netanalysis.graph import EDGE_COLUMNS, co_mention_graph, edges_table, project, unit_starts
from netanalysis.io import write_gexf, write_graphml

FIXTURES = Path(__file__).parent / "fixtures" / "graph"


@pytest.fixture
def mentions():
    return pd.read_csv(FIXTURES / "mentions.csv", dtype={"post_id": str})


@pytest.fixture
def posts():
    frame = pd.read_csv(FIXTURES / "posts.csv", dtype=str, keep_default_na=False)
    frame["date"] = pd.to_datetime(frame["date"].replace("", None), utc=True)
    return frame


def frame(rows):
    """Mentions from (post_id, kind, entity[, start]) tuples."""
    cols = ["post_id", "kind", "entity", "start"][: len(rows[0])] if rows else ["post_id", "kind", "entity"]
    return pd.DataFrame(rows, columns=cols)


# The 3 x 3 example (tests/fixtures/graph): 7 posts, p7 names only a tag.
#   p1: RU CN UN BRICS   p2: RU UN   p3: CN RU SCO RU (RU twice)   p4: IN BRICS   p5: RU   p6: SCO
# Every post (the all-units baseline, the default): N = 7. Units naming a country or forum (the
# topical-units baseline): N = 6 (p1..p6).
# n: RU 4 (p1 p2 p3 p5), CN 2, IN 1; UN 2 (p1 p2), BRICS 2 (p1 p4), SCO 2 (p3 p6).
HAND = {  # (country, forum): (w, n_country, n_forum)
    ("RU", "UN"): (2, 4, 2),
    ("RU", "BRICS"): (1, 4, 2),
    ("RU", "SCO"): (1, 4, 2),
    ("CN", "UN"): (1, 2, 2),
    ("CN", "BRICS"): (1, 2, 2),
    ("CN", "SCO"): (1, 2, 2),
    ("IN", "BRICS"): (1, 1, 2),
}


def test_three_by_three_counts(mentions, posts):
    G = co_mention_graph(mentions, posts)
    assert G.graph["n_units"] == 7 and G.graph["baseline"] == "all-units"
    margins = G.graph["margins"]
    assert (margins.topical_units, margins.all_units) == (6, 7)
    assert margins.unit_degrees == {0: 1, 1: 2, 2: 2, 3: 1, 4: 1}  # p7 | p5 p6 | p2 p4 | p3 | p1
    assert co_mention_graph(mentions, posts, baseline="topical-units").graph["n_units"] == 6
    assert nx.is_bipartite(G)
    assert sorted(G.nodes) == ["country:CN", "country:IN", "country:RU", "forum:BRICS", "forum:SCO", "forum:UN"]
    assert {n: G.nodes[n]["posts"] for n in G} == {
        "country:RU": 4,
        "country:CN": 2,
        "country:IN": 1,
        "forum:UN": 2,
        "forum:BRICS": 2,
        "forum:SCO": 2,
    }
    assert G.nodes["country:RU"]["bipartite"] == 0 and G.nodes["forum:UN"]["bipartite"] == 1
    assert G.nodes["country:RU"]["kind"] == "country" and G.nodes["forum:UN"]["entity"] == "UN"
    got = {
        (G.nodes[u]["entity"], G.nodes[v]["entity"])
        if G.nodes[u]["kind"] == "country"
        else (G.nodes[v]["entity"], G.nodes[u]["entity"]): d["weight"]
        for u, v, d in G.edges(data=True)
    }
    assert got == {pair: w for pair, (w, _, _) in HAND.items()}


def test_normalised_weights_by_hand(mentions, posts):
    G = co_mention_graph(mentions, posts, baseline="topical-units")  # N = 6
    ru_un = G.edges["country:RU", "forum:UN"]
    # observed / expected = w N / (n_i n_j) = 2 * 6 / (4 * 2)
    assert ru_un["assoc_strength"] == pytest.approx(1.5)
    # jaccard = w / (n_i + n_j - w) = 2 / (4 + 2 - 2)
    assert ru_un["jaccard"] == pytest.approx(0.5)
    # npmi = log(p_ij / (p_i p_j)) / -log p_ij = log((2/6) / (4/6 * 2/6)) / log 3 = log 1.5 / log 3
    assert ru_un["npmi"] == pytest.approx(math.log(1.5) / math.log(3))
    ru_brics = G.edges["country:RU", "forum:BRICS"]
    assert ru_brics["assoc_strength"] == pytest.approx(0.75)  # 6 / 8
    assert ru_brics["jaccard"] == pytest.approx(0.2)  # 1 / 5
    assert ru_brics["npmi"] == pytest.approx(math.log(0.75) / math.log(6))
    assert ru_brics["npmi"] < 0  # less often than chance
    in_brics = G.edges["country:IN", "forum:BRICS"]
    assert in_brics["assoc_strength"] == pytest.approx(3.0)  # 6 / 2
    assert in_brics["jaccard"] == pytest.approx(0.5)  # 1 / 2
    assert in_brics["npmi"] == pytest.approx(math.log(3) / math.log(6))
    for (c, f), (w, ni, nj) in HAND.items():
        d = G.edges[f"country:{c}", f"forum:{f}"]
        assert d["expected"] == pytest.approx(ni * nj / 6)
        assert d["assoc_strength"] == pytest.approx(w * 6 / (ni * nj))
        assert d["jaccard"] == pytest.approx(w / (ni + nj - w))
        assert -1 <= d["npmi"] <= 1
    every = co_mention_graph(mentions, posts)  # all units: N = 7 (p7 names nothing)
    ru_un = every.edges["country:RU", "forum:UN"]
    assert (ru_un["expected"], ru_un["assoc_strength"]) == (pytest.approx(8 / 7), pytest.approx(2 * 7 / 8))
    assert ru_un["npmi"] == pytest.approx(math.log((2 / 7) / (4 / 7 * 2 / 7)) / -math.log(2 / 7))
    assert ru_un["jaccard"] == pytest.approx(0.5)  # does not depend on N


def test_npmi_is_one_when_both_are_in_every_unit():
    G = co_mention_graph(
        frame([("a", "country", "RU"), ("a", "forum", "UN"), ("b", "country", "RU"), ("b", "forum", "UN")])
    )
    d = G.edges["country:RU", "forum:UN"]
    assert (d["weight"], d["assoc_strength"], d["jaccard"], d["npmi"]) == (2, 1.0, 1.0, 1.0)


def test_post_ids_and_dates(mentions, posts):
    G = co_mention_graph(mentions, posts)
    ru_un = G.edges["country:RU", "forum:UN"]
    assert ru_un["post_ids"] == ["p1", "p2"]
    # p2 is 2024-05-20T23:30Z: the UTC date is kept
    assert (ru_un["first_date"], ru_un["last_date"]) == ("2024-04-08", "2024-05-20")
    ru_sco = G.edges["country:RU", "forum:SCO"]  # only p3, which is undated
    assert (ru_sco["post_ids"], ru_sco["first_date"], ru_sco["last_date"]) == (["p3"], "", "")
    undated = co_mention_graph(mentions)  # without posts: no dates at all
    assert all(d["first_date"] == "" == d["last_date"] for _, _, d in undated.edges(data=True))


def test_a_post_repeating_names_counts_once():
    rows = [("p", "country", "RU")] * 3 + [("p", "forum", "UN")] * 2 + [("q", "country", "RU"), ("q", "forum", "UN")]
    G = co_mention_graph(frame(rows))
    d = G.edges["country:RU", "forum:UN"]
    assert d["weight"] == 2 and d["post_ids"] == ["p", "q"]
    assert G.nodes["country:RU"]["posts"] == 2


def test_tags_are_ignored():
    rows = [("p", "country", "RU"), ("p", "tag", "un"), ("q", "tag", "russiachina"), ("q", "forum", "SCO")]
    G = co_mention_graph(frame(rows))
    assert G.number_of_edges() == 0 and G.number_of_nodes() == 0
    assert G.graph["n_units"] == 2


def test_labels_callable_and_fallback(mentions):
    names = {("country", "RU"): "Russia", ("forum", "UN"): "United Nations"}
    G = co_mention_graph(mentions, labels=lambda kind, entity: names[(kind, entity)])
    assert G.nodes["country:RU"]["label"] == "Russia"
    assert G.nodes["forum:UN"]["label"] == "United Nations"
    assert G.nodes["country:CN"]["label"] == "CN"  # KeyError -> the entity itself


def test_min_weight_drops_edges_then_isolates_but_keeps_measures(mentions, posts):
    full = co_mention_graph(mentions, posts)
    G = co_mention_graph(mentions, posts, min_weight=2)
    assert list(G.edges) == [("country:RU", "forum:UN")]
    assert sorted(G.nodes) == ["country:RU", "forum:UN"]
    assert G.graph["n_units"] == 7 and G.graph["min_weight"] == 2
    assert G.edges["country:RU", "forum:UN"] == full.edges["country:RU", "forum:UN"]
    # the pairs left out are kept for the tests' family
    assert len(G.graph["margins"].dropped) == 6 and ("country:RU", "forum:BRICS", 1) in G.graph["margins"].dropped
    assert co_mention_graph(mentions, min_weight=3).number_of_nodes() == 0


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2", True])
def test_min_weight_must_be_a_positive_whole_number(mentions, bad):
    with pytest.raises(ConfigError, match="min_weight"):
        co_mention_graph(mentions, min_weight=bad)


def test_exclude_removes_entities_before_counting(mentions):
    G = co_mention_graph(mentions, exclude=["ru", "forum:SCO"], baseline="topical-units")
    assert sorted(G.nodes) == ["country:CN", "country:IN", "forum:BRICS", "forum:UN"]
    # p5 named only RU and p6 only SCO: with both excluded they no longer name anything
    assert G.graph["n_units"] == 4 and G.graph["exclude"] == "forum:sco;ru"
    d = G.edges["country:CN", "forum:UN"]  # w 1, n_CN 2 (p1 p3), n_UN 2 (p1 p2)
    assert d["assoc_strength"] == pytest.approx(1 * 4 / (2 * 2))
    # ... but they are still posts: without the posts table the all-units N counts the six
    # posts the mentions name with a country or forum (p7, naming only a tag, is not known)
    assert co_mention_graph(mentions, exclude=["ru", "forum:SCO"]).graph["n_units"] == 6
    assert co_mention_graph(mentions, exclude="IN").has_node("country:IN") is False


def test_unknown_unit_and_missing_posts():
    m = frame([("p", "country", "RU", 0), ("p", "forum", "UN", 10)])
    with pytest.raises(ConfigError, match="unknown unit 'word'"):
        co_mention_graph(m, unit="word")
    with pytest.raises(ConfigError, match="needs the posts table"):
        co_mention_graph(m, unit="paragraph")
    other = pd.DataFrame({"post_id": ["q"], "text": ["x"]})
    with pytest.raises(GraphError, match="post 'p' is mentioned but has no text"):
        co_mention_graph(m, other, unit="sentence")
    with pytest.raises(GraphError, match="mentions table lacks column"):
        co_mention_graph(m.drop(columns="start"), other, unit="sentence")
    with pytest.raises(GraphError, match=r"posts table lacks column\(s\) text"):
        co_mention_graph(m, other.drop(columns="text"), unit="paragraph")
    with pytest.raises(GraphError, match=r"posts table lacks column\(s\) post_id"):
        co_mention_graph(m, pd.DataFrame({"date": []}))


def test_paragraph_unit():
    text = "Russia at the #UN.\nChina at #BRICS.\n\nRussia and #UN again."
    posts = pd.DataFrame({"post_id": ["p"], "date": pd.to_datetime(["2024-01-02"], utc=True), "text": [text]})
    m = frame(
        [
            ("p", "country", "RU", text.index("Russia")),
            ("p", "forum", "UN", text.index("#UN")),
            ("p", "country", "CN", text.index("China")),
            ("p", "forum", "BRICS", text.index("#BRICS")),
            ("p", "country", "RU", text.rindex("Russia")),
            ("p", "forum", "UN", text.rindex("#UN")),
        ]
    )
    by_post = co_mention_graph(m, posts)
    assert by_post.number_of_edges() == 4
    G = co_mention_graph(m, posts, unit="paragraph")
    assert sorted(G.edges(data="weight")) == [("country:CN", "forum:BRICS", 1), ("country:RU", "forum:UN", 2)]
    assert G.edges["country:RU", "forum:UN"]["post_ids"] == ["p"]  # two units, one post
    # four paragraphs (one of them empty), three naming something
    assert G.graph["n_units"] == 4 and G.graph["unit"] == "paragraph"
    assert G.graph["margins"].topical_units == 3
    assert co_mention_graph(m, posts, unit="paragraph", baseline="topical-units").graph["n_units"] == 3
    # links that carry their paragraph need no text, but then only a 'units' column says how
    # many paragraphs the posts have
    indexed = m.assign(paragraph=[0, 0, 1, 1, 3, 3]).drop(columns="start")
    with pytest.raises(ConfigError, match="all-units baseline counts every paragraph"):
        co_mention_graph(indexed, unit="paragraph")
    assert co_mention_graph(indexed, unit="paragraph", baseline="topical-units").graph["n_units"] == 3
    counted = co_mention_graph(indexed, pd.DataFrame({"post_id": ["p"], "units": [4]}), unit="paragraph")
    assert counted.graph["n_units"] == 4
    with pytest.raises(GraphError, match="beyond the number of paragraphs"):
        co_mention_graph(indexed, pd.DataFrame({"post_id": ["p"], "units": [3]}), unit="paragraph")
    assert G.nodes["country:RU"]["posts"] == 2  # units, not posts


def test_sentence_unit_english_and_russian():
    text = "Россия и Китай в #ШОС. Индия в #БРИКС! Lavrov met the U.S. Envoy at the #UN… Then left"
    posts = pd.DataFrame({"post_id": ["p"], "text": [text]})
    m = frame(
        [
            ("p", "country", "RU", text.index("Россия")),
            ("p", "country", "CN", text.index("Китай")),
            ("p", "forum", "SCO", text.index("#ШОС")),
            ("p", "country", "IN", text.index("Индия")),
            ("p", "forum", "BRICS", text.index("#БРИКС")),
            ("p", "country", "US", text.index("U.S.")),
            ("p", "forum", "UN", text.index("#UN")),
        ]
    )
    G = co_mention_graph(m, posts, unit="sentence")
    assert sorted(G.edges) == [
        ("country:CN", "forum:SCO"),
        ("country:IN", "forum:BRICS"),
        ("country:RU", "forum:SCO"),
        ("country:US", "forum:UN"),
    ]


@pytest.mark.parametrize(
    "text, starts",
    [
        ("One. Two. three", [0, 5]),  # lower case does not open a sentence
        ("Да! Нет? Может… Всё.", [0, 4, 9, 16]),
        ("Meeting with V.V. Putin. Next", [0, 25]),  # initials do not end a sentence
        ("Talks ended. 🇷🇺🇨🇳 Russia and China", [0, 13]),  # a flag emoji opens one
        ("He said «Yes.» «Good» then", [0, 15]),
        ("Line one\nline two. End", [0, 9, 19]),
        ("", [0]),
    ],
)
def test_unit_starts_sentence(text, starts):
    assert unit_starts(text, "sentence") == starts


def test_projection_via_forums_follows_networkx(mentions):
    G = co_mention_graph(mentions)
    P = project(G, "country")
    expected = nx.bipartite.weighted_projected_graph(G, [n for n in G if n.startswith("country:")])
    assert sorted(P.edges(data="weight")) == sorted(
        (min(u, v), max(u, v), w) for u, v, w in expected.edges(data="weight")
    )
    assert P.edges["country:CN", "country:RU"]["shared"] == ["BRICS", "SCO", "UN"]
    # overlap = sum over shared forums of min(w): UN min(1, 2) + BRICS min(1, 1) + SCO min(1, 1)
    assert P.edges["country:CN", "country:RU"]["overlap"] == 3
    assert P.edges["country:IN", "country:RU"]["shared"] == ["BRICS"]
    assert P.nodes["country:RU"] == G.nodes["country:RU"]
    F = project(G, "forum", via="country")
    assert sorted(F.edges(data="weight")) == [
        ("forum:BRICS", "forum:SCO", 2),
        ("forum:BRICS", "forum:UN", 2),
        ("forum:SCO", "forum:UN", 2),
    ]


def test_projection_via_posts(mentions, posts):
    G = co_mention_graph(mentions, posts)
    P = project(G, "country", via="posts", mentions=mentions, posts=posts)
    assert sorted(P.nodes) == ["country:CN", "country:IN", "country:RU"]  # IN kept, without edges
    assert list(P.edges) == [("country:CN", "country:RU")]
    d = P.edges["country:CN", "country:RU"]
    assert (d["weight"], d["post_ids"], d["first_date"], d["last_date"]) == (
        2,
        ["p1", "p3"],
        "2024-04-08",
        "2024-04-08",
    )
    assert d["assoc_strength"] == pytest.approx(2 * 7 / (2 * 4))  # N = 7 posts
    assert d["jaccard"] == pytest.approx(2 / (2 + 4 - 2))
    F = project(G, "forum", via="posts", mentions=mentions)
    assert sorted(F.edges(data="weight")) == [("forum:BRICS", "forum:UN", 1)]


def test_projection_errors(mentions):
    G = co_mention_graph(mentions)
    with pytest.raises(ConfigError, match="via 'forum' or 'posts'"):
        project(G, "country", via="country")
    with pytest.raises(ConfigError, match="needs the mentions table"):
        project(G, "forum", via="posts")
    with pytest.raises(ConfigError, match="unknown side"):
        project(G, "tag")


def test_edges_table(mentions, posts):
    table = edges_table(co_mention_graph(mentions, posts))
    assert list(table.columns) == EDGE_COLUMNS
    assert list(zip(table["country"], table["forum"], table["weight"])) == [
        ("RU", "UN", 2),
        ("CN", "BRICS", 1),
        ("CN", "SCO", 1),
        ("CN", "UN", 1),
        ("IN", "BRICS", 1),
        ("RU", "BRICS", 1),
        ("RU", "SCO", 1),
    ]
    assert table.loc[0, "post_ids"] == "p1;p2"
    assert table.loc[0, "assoc_strength"] == pytest.approx(2 * 7 / (4 * 2))
    assert table[["p_value", "q_value", "significant"]].isna().all().all()  # not tested yet
    empty = edges_table(co_mention_graph(mentions, min_weight=9))
    assert list(empty.columns) == EDGE_COLUMNS and empty.empty


def test_edges_table_rejects_a_projection(mentions):
    with pytest.raises(GraphError, match="not a country-forum edge"):
        edges_table(project(co_mention_graph(mentions), "country"))


def test_empty_and_one_sided_inputs():
    empty = co_mention_graph(pd.DataFrame(columns=["post_id", "kind", "entity"]))
    assert empty.number_of_nodes() == 0 and empty.graph["n_units"] == 0
    countries_only = co_mention_graph(frame([("p", "country", "RU"), ("p", "country", "CN")]))
    assert countries_only.number_of_nodes() == 0 and countries_only.graph["n_units"] == 1
    assert project(countries_only, "country").number_of_nodes() == 0


def test_inputs_are_not_mutated(mentions, posts):
    m0, p0 = mentions.copy(), posts.copy()
    G = co_mention_graph(mentions, posts, unit="sentence")
    g0 = nx.node_link_data(G, edges="edges")
    project(G, "country", via="posts", mentions=mentions, posts=posts, unit="sentence")
    project(G, "forum", via="country")
    pd.testing.assert_frame_equal(mentions, m0)
    pd.testing.assert_frame_equal(posts, p0)
    assert nx.node_link_data(G, edges="edges") == g0


def test_same_input_same_output_whatever_the_row_order(mentions, posts, tmp_path):
    a = co_mention_graph(mentions, posts)
    b = co_mention_graph(mentions.sample(frac=1, random_state=3), posts.sample(frac=1, random_state=4))
    pd.testing.assert_frame_equal(edges_table(a), edges_table(b))
    write_graphml(a, tmp_path / "a.graphml")
    write_graphml(b, tmp_path / "b.graphml")
    write_gexf(a, tmp_path / "a.gexf")
    write_gexf(b, tmp_path / "b.gexf")
    assert (tmp_path / "a.graphml").read_bytes() == (tmp_path / "b.graphml").read_bytes()
    assert (tmp_path / "a.gexf").read_bytes() == (tmp_path / "b.gexf").read_bytes()
    assert b"lastmodifieddate" not in (tmp_path / "a.gexf").read_bytes()  # no date of writing


def _flat(value):
    return ";".join(value) if isinstance(value, list) else value


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_round_trip_keeps_every_attribute(mentions, posts, tmp_path, fmt):
    G = co_mention_graph(mentions, posts, labels=lambda kind, entity: f"{entity} ({kind})")
    path = tmp_path / f"g.{fmt}"
    (write_graphml if fmt == "graphml" else write_gexf)(G, path)
    H = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)
    assert sorted(H.nodes) == sorted(G.nodes)
    for n, d in G.nodes(data=True):
        assert {k: H.nodes[n][k] for k in d} == d
    assert sorted(map(sorted, H.edges)) == sorted(map(sorted, G.edges))
    for u, v, d in G.edges(data=True):
        back = H.edges[u, v]
        assert "post_ids" not in back and d["post_ids"]  # post ids are in edges.csv, not graph files
        for key, value in d.items():
            if key == "post_ids":
                continue
            assert (
                back[key] == pytest.approx(_flat(value)) if isinstance(value, float) else back[key] == _flat(value)
            ), key
    if fmt == "graphml":  # every graph attribute but the in-memory margins of the tests
        plain = {k: v for k, v in G.graph.items() if k != "margins"}
        assert {k: H.graph[k] for k in plain} == plain
        assert "margins" not in H.graph
    else:
        dated = H.edges["country:RU", "forum:UN"]
        assert (dated["start"], dated["end"]) == ("2024-04-08", "2024-05-20")  # Gephi time spell
        assert "start" not in H.edges["country:RU", "forum:SCO"]  # undated: always shown


def test_write_is_atomic_on_failure(mentions, tmp_path):
    G = co_mention_graph(mentions)
    G.nodes["country:RU"]["bad"] = object()  # not serialisable
    target = tmp_path / "g.graphml"
    target.write_text("old")
    with pytest.raises(Exception):
        write_graphml(G, target)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["g.graphml"]


def test_mentions_without_post_or_entity_are_ignored(caplog):
    m = pd.DataFrame(
        {
            "post_id": ["p", "p", None, "q"],
            "kind": ["country", "forum", "country", "forum"],
            "entity": ["RU", "UN", "CN", None],
        }
    )
    G = co_mention_graph(m)
    assert list(G.edges) == [("country:RU", "forum:UN")] and G.graph["n_units"] == 1
    assert "ignoring 2 country/forum mention(s)" in caplog.text


def test_post_ids_are_in_natural_order():
    ids = ["b:10", "a:2", "b:9", "a:10", 7, "b:09", "a", "a:1x"]
    m = frame([row for i in ids for row in ((i, "country", "RU"), (i, "forum", "UN"))])
    assert co_mention_graph(m).edges["country:RU", "forum:UN"]["post_ids"] == [
        "7",
        "a",
        "a:2",
        "a:10",
        "a:1x",
        "b:9",
        "b:09",
        "b:10",
    ]
