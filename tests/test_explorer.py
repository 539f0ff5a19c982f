"""The offline explorer as HTML: nothing fetched, data complete, text escaped, deterministic, clean."""

from __future__ import annotations

import copy
import itertools
import json
import math
import random
import re
from html.parser import HTMLParser

import networkx as nx
import pandas as pd
import pytest

from netanalysis.errors import ConfigError, GraphError
from netanalysis.render import explorer
from netanalysis.render.explorer import explorer_data, explorer_html, write_explorer

HOSTILE = (
    "<script>window.__pwned = 1; document.title = 'pwned'</script>"
    "<img src=x onerror=\"window.__pwned = 1; document.body.appendChild(document.createElement('pwned-img'))\">"
    " </script><!-- \u2028 & <b>bold</b>"
)

COUNTRIES = [
    ("RU", "Россия"),
    ("CN", "Китай"),
    ("IN", "Индия"),
    ("BR", "Бразилия"),
    ("ZA", "ЮАР"),
    ("IR", "Иран"),
    ("EG", "Египет"),
    ("ET", "Эфиопия"),
    ("AE", "ОАЭ"),
    ("SA", "Саудовская Аравия"),
    ("KZ", "Казахстан"),
    ("BY", "Беларусь"),
    ("TR", "Турция"),
    ("US", "США"),
    ("FR", "Франция"),
]
FORUMS = ["UN", "BRICS", "SCO", "G20", "EAEU", "CSTO", "CIS", "ASEAN", "APEC", "OSCE"]


def co_mention(posts: pd.DataFrame, mentions: dict[str, list[str]]) -> nx.Graph:
    """A bipartite graph built by hand from post -> entities (as the graph stage would)."""
    G = nx.Graph()
    dates = dict(zip(posts["post_id"], posts["date"]))
    labels = dict(COUNTRIES)
    per_node: dict[str, set[str]] = {}
    for pid, ents in mentions.items():
        for e in ents:
            per_node.setdefault(e, set()).add(pid)
    for node in sorted(per_node):
        kind, entity = node.split(":")
        G.add_node(
            node,
            bipartite=int(kind == "forum"),
            kind=kind,
            entity=entity,
            label=labels.get(entity, entity),
            posts=len(per_node[node]),
        )
    n = len(mentions)
    for pid, ents in mentions.items():
        for c, f in itertools.product(
            [e for e in ents if e.startswith("country:")], [e for e in ents if e.startswith("forum:")]
        ):
            if not G.has_edge(c, f):
                G.add_edge(c, f, post_ids=[])
            G.edges[c, f]["post_ids"].append(pid)
    for c, f, d in G.edges(data=True):
        d["post_ids"] = sorted(d["post_ids"])
        w, a, b = len(d["post_ids"]), len(per_node[c]), len(per_node[f])
        d["weight"] = w
        d["assoc_strength"] = w * n / (a * b)
        d["jaccard"] = w / (a + b - w)
        pxy, px, py = w / n, a / n, b / n
        d["npmi"] = 1.0 if pxy == 1 else math.log(pxy / (px * py)) / -math.log(pxy)
        known = sorted(dates[p] for p in d["post_ids"] if not pd.isna(dates[p]))
        d["first_date"] = known[0] if known else pd.NaT
        d["last_date"] = known[-1] if known else pd.NaT
    return G


def pagerank(G: nx.Graph, alpha: float = 0.85) -> dict[str, float]:
    """Weighted PageRank by power iteration (networkx's needs scipy)."""
    nodes = sorted(G)
    rank = dict.fromkeys(nodes, 1 / len(nodes))
    strength = dict(G.degree(weight="weight"))
    for _ in range(100):
        rank = {
            n: (1 - alpha) / len(nodes) + alpha * sum(rank[m] * d["weight"] / strength[m] for m, d in G[n].items())
            for n in nodes
        }
    return rank


def centrality_table(G: nx.Graph) -> pd.DataFrame:
    pr = pagerank(G)
    bt = nx.betweenness_centrality(G)
    rows = [
        {
            "node": n,
            "kind": G.nodes[n]["kind"],
            "label": G.nodes[n]["label"],
            "posts": G.nodes[n]["posts"],
            "degree": G.degree(n),
            "strength": G.degree(n, weight="weight"),
            "betweenness": bt[n],
            "pagerank": pr[n],
            "community": 0,
        }
        for n in sorted(G)
    ]
    return pd.DataFrame(rows)


def realistic(n_posts: int = 80, seed: int = 7, hostile: bool = True):
    """About 15 countries x 10 forums, posts April-October 2024, a few undated, one hostile post."""
    rng = random.Random(seed)
    weights_c = [12, 8, 7, 5, 4, 3, 3, 2, 2, 2, 3, 3, 2, 1, 1]
    weights_f = [10, 9, 6, 4, 3, 2, 2, 1, 1, 1]
    rows, mentions = [], {}
    for i in range(n_posts):
        pid = f"mfa_ru:{1000 + i}"
        day = pd.Timestamp("2024-04-01", tz="UTC") + pd.Timedelta(
            days=rng.randrange(0, 210), hours=rng.randrange(7, 20)
        )
        undated = i % 17 == 5
        cs = sorted(set(rng.choices([c for c, _ in COUNTRIES], weights_c, k=rng.randint(1, 3))))
        fs = sorted(set(rng.choices(FORUMS, weights_f, k=rng.randint(1, 2))))
        text = (
            f"Министр провёл переговоры с коллегами ({', '.join(cs)}) на полях #{fs[0]}. "
            f"Обсуждены вопросы сотрудничества в рамках {' и '.join(fs)}, включая торговлю, "
            f"энергетику и безопасность. Стороны подтвердили приверженность многосторонности. " * 2
        )
        if hostile and i == 3:
            text, day, undated = HOSTILE + " " + text, pd.Timestamp("2024-04-01T06:00Z"), False
        rows.append(
            {
                "post_id": pid,
                "channel": "MID_Russia",
                "date": pd.NaT if undated else day,
                "date_source": "none" if undated else "metadata",
                "source": f"sample.txt:{10 * i + 1}",
                "forwarded_from": None,
                "text": text,
            }
        )
        mentions[pid] = [f"country:{c}" for c in cs] + [f"forum:{f}" for f in fs]
    posts = pd.DataFrame(rows)
    posts["date"] = pd.to_datetime(posts["date"], utc=True)
    G = co_mention(posts, mentions)
    return G, centrality_table(G), posts


def big_graph(n_countries: int = 400, n_forums: int = 100, seed: int = 1) -> nx.Graph:
    rng = random.Random(seed)
    G = nx.Graph()
    for i in range(n_countries):
        G.add_node(f"country:C{i:03d}", bipartite=0, kind="country", entity=f"C{i:03d}", label=f"Страна {i}")
    for j in range(n_forums):
        G.add_node(f"forum:F{j:03d}", bipartite=1, kind="forum", entity=f"F{j:03d}", label=f"Forum {j}")
    for i in range(n_countries):
        for j in rng.sample(range(n_forums), 3):
            w = rng.randint(1, 9)
            G.add_edge(
                f"country:C{i:03d}",
                f"forum:F{j:03d}",
                weight=w,
                post_ids=[f"p{i}-{j}-{k}" for k in range(w)],
                first_date="2024-05-01",
                last_date="2024-06-01",
            )
    return G


def data_block(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="na-data">(.*?)</script>', page, re.S)
    assert m, "no JSON data block"
    return json.loads(m[1])


class Fetches(HTMLParser):
    """Everything in a page that a browser could fetch: src/href/srcset/poster/data attributes."""

    def __init__(self):
        super().__init__()
        self.urls, self.tags = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, tuple(attrs)))
        for name, value in attrs:
            if name in {"src", "href", "srcset", "poster", "data", "action", "formaction", "background"}:
                self.urls.append((tag, name, value))


@pytest.fixture(scope="module")
def sample():
    return realistic()


@pytest.fixture(scope="module")
def page(sample):
    G, cent, posts = sample
    return explorer_html(G, centrality=cent, posts=posts, seed=3, title="BRICS & <friends>")


def test_page_fetches_nothing(page):
    parser = Fetches()
    parser.feed(page)
    assert parser.urls == []
    names = [tag for tag, _ in parser.tags]
    assert not {"link", "iframe", "img", "object", "embed", "base"} & set(names)
    css_urls = re.findall(r"url\(\s*['\"]?([^'\")]*)", page)
    assert css_urls and all(u.startswith("data:") for u in css_urls)
    assert "@import" not in page and "@font-face" not in page
    assert "content=\"default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; " in page
    assert not re.search(r"<script[^>]*\ssrc=", page, re.I)
    assert "bootstrap" not in page.lower() and "cdnjs" not in page and "jsdelivr" not in page
    # the only script elements: the JSON block, vis-network and the page's own script
    scripts = [attrs for tag, attrs in parser.tags if tag == "script"]
    assert scripts == [(("type", "application/json"), ("id", "na-data")), (), ()]


def post_days(posts: pd.DataFrame) -> dict[str, int]:
    """Days since 1970 of each post (-1: undated), as the page counts them."""
    return {
        p: -1 if pd.isna(d) else int(d.tz_convert("UTC").tz_localize(None).normalize().value // 86_400_000_000_000)
        for p, d in zip(posts["post_id"], posts["date"])
    }


def test_data_block_holds_the_graph_and_every_post_of_every_edge(sample, page):
    G, cent, posts = sample
    data = data_block(page)
    assert [n["id"] for n in data["nodes"]] == sorted(G.nodes)
    assert len(data["edges"]) == G.number_of_edges()
    node = next(n for n in data["nodes"] if n["id"] == "country:RU")
    assert node["label"] == "Россия" and node["kind"] == "country" and node["shape"] == "dot"
    assert dict(node["measures"])["posts"] == str(G.nodes["country:RU"]["posts"])
    assert {n["community"] for n in data["nodes"]} == {0}  # the table's numbers
    ids, days = data["posts"]["id"], data["posts"]["d"]
    day = post_days(posts)
    assert [days[i] for i in range(len(ids))] == [day[p] for p in ids]
    keys = [(d < 0, d, p) for d, p in zip(days, ids)]
    assert keys == sorted(keys)  # the table is in date order (undated last), so indices sort by date
    first = data["meta"]["first_day"]
    for e in data["edges"]:
        attrs = G.edges[e["from"], e["to"]]
        assert e["weight"] == attrs["weight"] and e["n"] == len(attrs["post_ids"])
        assert sorted(ids[i] for i in e["p"]) == sorted(attrs["post_ids"]) and e["p"] == sorted(e["p"])
        per_day = dict(zip(e["h"][0::2], e["h"][1::2]))
        expected: dict[int, int] = {}
        for p in attrs["post_ids"]:
            d = day[p] - first if day[p] >= 0 else -1
            expected[d] = expected.get(d, 0) + 1
        assert per_day == expected
        measures = dict(e["measures"])
        assert measures["weight"] == str(attrs["weight"])
        assert measures["jaccard"] == f"{attrs['jaccard']:.4g}"
        assert measures["first post"] == (
            attrs["first_date"].strftime("%Y-%m-%d") if not pd.isna(attrs["first_date"]) else "–"
        )
        assert "title" not in e
    for n in data["nodes"]:
        behind = {p for nb in G[n["id"]] for p in G.edges[n["id"], nb]["post_ids"]}
        assert n["n"] == len(behind) == sum(n["h"][1::2])
        assert {"россия", "ru"} <= set(n["terms"]) if n["id"] == "country:RU" else True
    assert all("title" not in n for n in data["nodes"])
    row = posts.set_index("post_id").loc[ids[0]]
    assert data["posts"]["channels"][data["posts"]["c"][0]] == "MID_Russia"
    assert data["posts"]["t"][0] == row["text"]  # the whole text (under the cut)


def test_matched_words_are_marked_in_utf16_offsets():
    # a flag is one character in Python and two UTF-16 units in the browser
    text = "🇷🇺🇨🇳 Переговоры России и Китая в рамках ШОС."
    posts = pd.DataFrame({"post_id": ["p1"], "date": pd.to_datetime(["2024-06-03"], utc=True), "text": [text]})
    start_ru, start_cn, start_sco = text.index("России"), text.index("Китая"), text.index("ШОС")
    mentions = pd.DataFrame(
        {
            "post_id": ["p1"] * 4,
            "kind": ["country", "country", "forum", "country"],
            "entity": ["RU", "CN", "SCO", "RU"],
            "start": [start_ru, start_cn, start_sco, 0],
            "end": [start_ru + 6, start_cn + 5, start_sco + 3, 2],
        }
    )
    G = nx.Graph()
    G.add_node("country:RU", kind="country", label="Russia")
    G.add_node("country:CN", kind="country", label="China")
    G.add_node("forum:SCO", kind="forum", label="SCO")
    G.add_edge("country:RU", "forum:SCO", weight=1, post_ids=["p1"])
    G.add_edge("country:CN", "forum:SCO", weight=1, post_ids=["p1"])
    data = explorer_data(G, posts=posts, mentions=mentions)
    names = [n["id"] for n in data["nodes"]]
    marks = data["posts"]["m"][0]
    as_js = text.encode("utf-16-le")
    found = [
        (as_js[2 * s : 2 * e].decode("utf-16-le"), names[k]) for s, e, k in zip(marks[0::3], marks[1::3], marks[2::3])
    ]
    assert found == [("🇷🇺", "country:RU"), ("России", "country:RU"), ("Китая", "country:CN"), ("ШОС", "forum:SCO")]


def test_evidence_budget_keeps_each_edges_earliest_posts_and_its_counts(sample):
    G, cent, posts = sample
    data = explorer_data(G, centrality=cent, posts=posts, max_posts=30)
    kept = data["meta"]["kept"]
    assert kept is not None and len(data["posts"]["id"]) <= 30
    whole = explorer_data(G, centrality=cent, posts=posts)
    assert whole["meta"]["kept"] is None
    ids = whole["posts"]["id"]
    for small, full in zip(data["edges"], whole["edges"]):
        assert small["n"] == full["n"] and small["h"] == full["h"]  # counts stay exact
        assert [data["posts"]["id"][i] for i in small["p"]] == [ids[i] for i in full["p"][:kept]]


def test_search_terms_cover_every_registry_alias():
    from netanalysis.registry import load_registry

    registry = load_registry()
    terms = explorer.search_terms(registry, ["country:RU", "country:CN", "forum:UN", "forum:SCO", "forum:ZZ"])
    aliases = registry.aliases
    for node in ("country:RU", "country:CN"):
        entity = node.split(":")[1]
        listed = aliases[(aliases["kind"] == "country") & (aliases["entity"] == entity)]["alias"]
        assert {a.casefold() for a in listed} <= set(terms[node])
    assert {"россия", "россии", "китая", "китаю"} <= set(terms["country:RU"]) | set(terms["country:CN"])
    assert "оон" in terms["forum:UN"] and "shanghai cooperation organisation" in terms["forum:SCO"]
    assert terms["forum:ZZ"] == []


def test_hostile_text_is_escaped_in_the_page_and_intact_in_the_data(sample, page):
    head, _, rest = page.partition('<script type="application/json" id="na-data">')
    block = rest.split("</script>", 1)[0]
    for raw in ("<script>window.__pwned", "<img src=x", "</script><!--", "<b>bold"):
        assert raw not in block
    assert "\\u003cscript\\u003e" in block and "\\u0026" in block
    assert "<title>BRICS &amp; &lt;friends&gt;</title>" in head
    data = data_block(page)
    hostile = [t for t in data["posts"]["t"] if t.startswith("<script>window.__pwned")]
    assert len(hostile) == 1 and "onerror=" in hostile[0]


def test_json_block_escapes_what_could_end_the_script():
    G = nx.Graph()
    G.add_node("country:XX", kind="country", label="a\u2028b\u2029c</script><script>x()</script>&amp;")
    page = explorer_html(G)
    block = page.split('id="na-data">', 1)[1].split("</script>", 1)[0]
    assert "\u2028" not in block and "\u2029" not in block and "<" not in block and ">" not in block
    assert "\\u2028" in block and "\\u2029" in block and "\\u003c/script\\u003e" in block and "\\u0026amp;" in block
    assert data_block(page)["nodes"][0]["label"] == G.nodes["country:XX"]["label"]


def test_same_input_and_seed_give_the_same_page(sample):
    G, cent, posts = sample
    a = explorer_html(G, centrality=cent, posts=posts, seed=5)
    b = explorer_html(G.copy(), centrality=cent.sample(frac=1, random_state=1), posts=posts.iloc[::-1], seed=5)
    assert a == b
    c = explorer_html(G, centrality=cent, posts=posts, seed=6)
    pos = lambda p: {n["id"]: (n["x"], n["y"]) for n in data_block(p)["nodes"]}  # noqa: E731
    assert pos(a) != pos(c)


def test_insertion_order_does_not_change_the_page(sample):
    G, cent, posts = sample
    H = nx.Graph()
    H.add_nodes_from(reversed(list(G.nodes(data=True))))
    H.add_edges_from(reversed(list(G.edges(data=True))))
    assert explorer_html(H, centrality=cent, posts=posts) == explorer_html(G, centrality=cent, posts=posts)


def test_graph_and_frames_not_mutated(sample):
    G, cent, posts = sample
    before = (copy.deepcopy(dict(G.nodes(data=True))), copy.deepcopy(list(G.edges(data=True))), dict(G.graph))
    cent_before, posts_before = cent.copy(), posts.copy()
    explorer_html(G, centrality=cent, posts=posts)
    assert (dict(G.nodes(data=True)), list(G.edges(data=True)), dict(G.graph)) == before
    pd.testing.assert_frame_equal(cent, cent_before)
    pd.testing.assert_frame_equal(posts, posts_before)


def test_writes_only_the_html_and_leaves_the_cwd_clean(sample, tmp_path, monkeypatch):
    G, cent, posts = sample
    monkeypatch.chdir(tmp_path)
    explorer_html(G, centrality=cent, posts=posts)
    assert list(tmp_path.iterdir()) == []
    out = write_explorer(G, tmp_path / "run" / "network.html", centrality=cent, posts=posts)
    assert out == tmp_path / "run" / "network.html"
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == ["run", "run/network.html"]
    assert out.read_text(encoding="utf-8") == explorer_html(G, centrality=cent, posts=posts)


def test_pyvis_hazards_are_never_touched(sample, monkeypatch):
    import pyvis.network

    G, cent, posts = sample

    def forbidden(*args, **kwargs):
        raise AssertionError("pyvis method that writes, opens a browser or mutates was called")

    for name in ("show", "write_html", "save_graph", "from_nx", "generate_html", "prep_notebook", "__init__"):
        monkeypatch.setattr(pyvis.network.Network, name, forbidden)
    assert "na-data" in explorer_html(G, centrality=cent, posts=posts)


def test_failed_write_leaves_nothing(sample, tmp_path, monkeypatch):
    G, _, _ = sample
    target = tmp_path / "network.html"
    target.write_text("old", encoding="utf-8")

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(explorer.os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        write_explorer(G, target)
    assert [p.name for p in tmp_path.iterdir()] == ["network.html"]
    assert target.read_text(encoding="utf-8") == "old"


def test_nodes_sized_by_the_chosen_measure(sample):
    G, cent, posts = sample
    data = explorer_data(G, centrality=cent, posts=posts, size_by="betweenness")
    size = {n["id"]: n["size"] for n in data["nodes"]}
    ordered = cent.sort_values(["betweenness", "node"])["node"].tolist()
    assert [size[n] for n in ordered] == sorted(size[n] for n in ordered)
    assert max(size.values()) == pytest.approx(40.0) and min(size.values()) >= 8.0
    assert data["meta"]["size_by"] == "betweenness"
    with pytest.raises(ConfigError, match="size_by='nonsense'"):
        explorer_html(G, centrality=cent, size_by="nonsense")


def test_without_centrality_or_posts_sizes_by_strength_and_filters_by_span():
    G = nx.Graph()
    G.add_node("country:CN", kind="country", bipartite=0, label="China")
    G.add_node("country:IN", kind="country", bipartite=0, label="India")
    G.add_node("forum:BRICS", kind="forum", bipartite=1, label="BRICS")
    G.add_edge(
        "country:CN",
        "forum:BRICS",
        weight=4,
        post_ids=["a", "b", "c", "d"],
        first_date=pd.Timestamp("2024-05-02T10:00Z"),
        last_date=pd.Timestamp("2024-09-01T10:00Z"),
    )
    G.add_edge("country:IN", "forum:BRICS", weight=1, post_ids=["e"], first_date=None, last_date=None)
    data = explorer_data(G)
    size = {n["id"]: n["size"] for n in data["nodes"]}
    assert size["forum:BRICS"] > size["country:CN"] > size["country:IN"]
    edges = {e["id"]: e for e in data["edges"]}
    assert edges["country:CN|forum:BRICS"]["span"] == ["2024-05-02", "2024-09-01"]
    assert edges["country:IN|forum:BRICS"]["span"] == [None, None]
    assert data["posts"]["t"] == [""] * 5 and data["meta"]["dated"] is False


def test_bad_node_kind_and_bad_limits_are_errors():
    G = nx.Graph()
    G.add_node("tag:peace", kind="tag", label="peace")
    with pytest.raises(GraphError, match="tag:peace"):
        explorer_html(G)
    with pytest.raises(ConfigError, match="page_size"):
        explorer_html(nx.Graph(), page_size=0)


def test_empty_graph_renders():
    data = data_block(explorer_html(nx.Graph()))
    assert data["nodes"] == [] and data["edges"] == []


def test_physics_off_by_default_and_on_request(sample):
    G, _, _ = sample
    assert explorer_data(G)["options"]["physics"]["enabled"] is False
    on = explorer_data(G, physics=True)
    assert on["options"]["physics"]["enabled"] is True and on["meta"]["physics"] is True


def test_large_graph_has_spread_positions():
    data = explorer_data(big_graph())
    xs = [n["x"] for n in data["nodes"]]
    ys = [n["y"] for n in data["nodes"]]
    assert len(data["nodes"]) == 500 and len(data["edges"]) == 1200
    assert max(xs) - min(xs) > 1000 and max(ys) - min(ys) > 1000
    assert len({(n["x"], n["y"]) for n in data["nodes"]}) == 500


def test_browser_helper_skips_or_fails_without_chromium(monkeypatch, tmp_path):
    import browser

    monkeypatch.setattr(browser, "find_chromium", lambda: None)
    monkeypatch.delenv("NETANALYSIS_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no Chromium found"):
        browser.start_chromium(tmp_path)
    monkeypatch.setenv("NETANALYSIS_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="NETANALYSIS_REQUIRE_BROWSER=1 but no Chromium found"):
        browser.start_chromium(tmp_path)


@pytest.mark.parametrize("which", ["realistic", "big"])
def test_layout_keeps_drawn_nodes_apart(sample, which):
    G, cent, posts = sample if which == "realistic" else (big_graph(), None, None)
    nodes = explorer_data(G, centrality=cent, posts=posts)["nodes"]
    # each node keeps 14 px of room around its drawn radius (for its label), to half a pixel
    gaps = [
        math.dist((a["x"], a["y"]), (b["x"], b["y"])) - a["size"] - b["size"]
        for a, b in itertools.combinations(nodes, 2)
    ]
    assert min(gaps) > 27.0


def test_posts_frame_with_only_the_required_columns(sample):
    G, cent, posts = sample
    data = explorer_data(G, posts=posts[["post_id", "date"]])
    assert set(data["posts"]["t"]) == {""} and data["posts"]["channels"] == [""]
    assert all(isinstance(e["weight"], int) for e in data["edges"])
    assert data["meta"]["dated"] is True and data["meta"]["first_day"] is not None


def test_posts_frame_without_dates_or_ids(sample):
    G, _, posts = sample
    data = explorer_data(G, posts=posts[["post_id", "text"]])
    assert all(e["h"] == [-1, e["n"]] for e in data["edges"])  # every post undated
    with pytest.raises(ConfigError, match="post_id"):
        explorer_html(G, posts=posts[["date", "text"]])
