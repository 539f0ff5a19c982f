"""The explorer as the command line writes it, on the bundled sample and on a two-year study corpus,
driven in headless Chromium: Russian search, a one-month window that recounts widths and evidence,
"Show more" through every post of an edge, neighbour highlight, colour by kind and by community
(nodes.csv's numbers, as in graph.gexf and the figures), the matched words highlighted.

Every expectation is computed from the run's own files (edges.csv, posts.csv, mentions.csv,
nodes.csv), not from the page's data. Skipped without Chromium unless NETANALYSIS_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import logging
import sys
from datetime import date
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from browser import leaks, open_blank, page_requests, requests_made, start_chromium
from click.testing import CliRunner

from netanalysis.cli import cli
from netanalysis.render.palette import community_color

pytest.importorskip("selenium")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FADED = "#E2E2E2"


class Run:
    """One run's output folder and the tables the expectations come from."""

    def __init__(self, folder: Path, june: str) -> None:
        self.folder = folder
        self.page = folder / "network.html"
        self.june = june  # the June to select: "YYYY-06"
        self.nodes = pd.read_csv(folder / "nodes.csv", keep_default_na=False)
        self.edges = pd.read_csv(folder / "edges.csv", keep_default_na=False, dtype=str)
        posts = pd.read_csv(folder / "posts.csv", keep_default_na=False, dtype=str)
        self.day = {p: d[:10] for p, d in zip(posts["post_id"], posts["date"])}
        self.text = dict(zip(posts["post_id"], posts["text"]))
        self.mentions = pd.read_csv(folder / "mentions.csv", keep_default_na=False, dtype=str)

    def edge_posts(self) -> dict[str, list[str]]:
        """Edge id as the page names it -> its posts (edges.csv), in date order."""
        out = {}
        for row in self.edges.itertuples(index=False):
            u, v = sorted((f"country:{row.country}", f"forum:{row.forum}"))
            ids = row.post_ids.split(";")
            out[f"{u}|{v}"] = sorted(ids, key=lambda p: (self.day[p] == "", self.day[p], p))
        return out


def explore(args: list[str], out: Path) -> None:
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    try:
        result = CliRunner().invoke(cli, ["-q", "explore", *args, "-o", str(out)])
    finally:  # the command line configures the root logger: later tests capture warnings again
        root.setLevel(level)
        root.handlers[:] = handlers
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory, sample_path) -> Run:
    out = tmp_path_factory.mktemp("explore") / "sample"
    explore([str(sample_path)], out)
    return Run(out, "2024-06")


@pytest.fixture(scope="module")
def study_run(tmp_path_factory) -> Run:
    sys.path.insert(0, str(ROOT / "scripts"))
    import make_study_corpus

    corpus = tmp_path_factory.mktemp("study") / "corpus"
    make_study_corpus.generate(
        corpus, posts=800, seed=7, start=date(2023, 1, 1), end=date(2024, 12, 31), formats_wanted=["desktop"]
    )
    out = tmp_path_factory.mktemp("explore") / "study"
    explore([str(corpus / "desktop")], out)
    return Run(out, "2024-06")


@pytest.fixture(scope="module", params=["sample", "study"])
def run(request) -> Run:
    return request.getfixturevalue(f"{request.param}_run")


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    drv = start_chromium(tmp_path_factory.mktemp("chromium-profile"))
    yield drv
    drv.quit()


@pytest.fixture(scope="module")
def opened(driver, run):
    """The run's page open in the browser (once per run); the requests it made."""
    open_blank(driver)
    driver.get(run.page.as_uri())
    WebDriverWait(driver, 60).until(lambda d: d.execute_script("return !!window.netanalysisExplorer"))
    urls = page_requests(requests_made(driver), run.page.as_uri())
    return run, urls


@pytest.fixture
def page(driver, opened):
    """A fresh state: filters reset, nothing selected, kind colours."""
    run, _ = opened
    driver.execute_script(
        "const ex = window.netanalysisExplorer; document.getElementById('na-colour').value = 'kind';"
        "ex.reset(); ex.select(null); document.getElementById('na-search').value = ''; ex.search('');"
    )
    return run


def js(driver, script, *args):
    return driver.execute_script("const ex = window.netanalysisExplorer; " + script, *args)


def set_input(driver, element_id, value):
    driver.execute_script(
        "const el = document.getElementById(arguments[0]); el.value = arguments[1];"
        "el.dispatchEvent(new Event('input', {bubbles: true}));"
        "el.dispatchEvent(new Event('change', {bubbles: true}));",
        element_id,
        value,
    )


def show_every_post(driver) -> list[str]:
    """Click "Show more" until it hides; the post ids listed."""
    for _ in range(1000):
        button = driver.find_element(By.ID, "na-show-more")
        if not button.is_displayed():
            break
        before = len(driver.find_elements(By.CSS_SELECTOR, "#na-evidence li"))
        button.click()
        WebDriverWait(driver, 5).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#na-evidence li")) > before)
    return js(driver, "return ex.evidenceIds()")


def test_page_opens_offline_and_shows_the_whole_graph(driver, opened):
    run, urls = opened
    assert leaks(urls) == []
    status = driver.find_element(By.ID, "na-status").text
    assert status == f"Showing {len(run.nodes)} of {len(run.nodes)} nodes, {len(run.edges)} of {len(run.edges)} edges"
    assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []


@pytest.mark.parametrize(("query", "node"), [("Россия", "country:RU"), ("Китая", "country:CN"), ("ООН", "forum:UN")])
def test_russian_names_find_the_nodes(driver, page, query, node):
    assert node in set(page.nodes["node"])
    box = driver.find_element(By.ID, "na-search")
    box.clear()
    box.send_keys(query)
    WebDriverWait(driver, 5).until(
        lambda d: d.find_element(By.ID, "na-search-count").text.endswith(("match", "matches"))
    )
    found = js(driver, "return ex.search(arguments[0])", query)
    assert found[0] == node  # an exact alias ranks first
    labels = [li.text for li in driver.find_elements(By.CSS_SELECTOR, "#na-results button")]
    assert labels[0] == page.nodes.set_index("node").loc[node, "label"]
    assert node in js(driver, "return ex.network.getSelectedNodes()")


def test_a_june_window_recounts_widths_and_lists_only_june_posts(driver, page):
    posts = page.edge_posts()
    june = {e: [p for p in ids if page.day[p].startswith(page.june)] for e, ids in posts.items()}
    # the edge with most posts in June among those with posts outside June too
    edge = max((e for e in posts if june[e] and len(june[e]) < len(posts[e])), key=lambda e: (len(june[e]), e))
    widths = "const out = {}; ex.data.edges.forEach(e => { out[e.id] = ex.edgeWidth(e.id); }); return out;"
    weights = "const out = {}; ex.data.edges.forEach(e => { out[e.id] = ex.edgeWeight(e.id); }); return out;"
    whole = js(driver, widths)
    assert js(driver, weights) == {e: len(ids) for e, ids in posts.items()}
    year = page.june[:4]
    driver.find_element(By.ID, "na-undated").click()  # dated posts only
    set_input(driver, "na-from", f"{year}-06-01")
    set_input(driver, "na-to", f"{year}-06-30")
    # every edge's weight in the window is its number of June posts; widths follow them
    assert js(driver, weights) == {e: len(ids) for e, ids in june.items()}
    heaviest = max(len(ids) for ids in june.values())
    expected = {e: round(1 + 7 * (len(ids) / heaviest) ** 0.5, 2) if ids else 1 for e, ids in june.items()}
    shown = js(driver, widths)
    assert shown == pytest.approx(expected, abs=0.011)
    assert shown != whole
    assert sorted(js(driver, "return ex.visibleEdgeIds()")) == sorted(e for e, ids in june.items() if ids)
    js(driver, "ex.select(arguments[0])", edge)
    listed = show_every_post(driver)
    assert listed == june[edge]
    assert driver.find_element(By.CSS_SELECTOR, ".na-count").text.startswith(f"{len(june[edge])} post")
    dates = [li.text.split(" · ")[0] for li in driver.find_elements(By.CSS_SELECTOR, "#na-evidence .na-post-meta")]
    assert len(dates) == len(june[edge]) and all(d.startswith(page.june) for d in dates)


def test_show_more_pages_through_every_post_of_an_edge(driver, page):
    posts = page.edge_posts()
    edge = max(posts, key=lambda e: (len(posts[e]), e))
    js(driver, "ex.select(arguments[0])", edge)
    page_size = js(driver, "return ex.data.meta.page")
    assert len(driver.find_elements(By.CSS_SELECTOR, "#na-evidence li")) == min(page_size, len(posts[edge]))
    listed = show_every_post(driver)
    assert listed == posts[edge]  # every post of edges.csv, once, in date order
    assert not driver.find_element(By.ID, "na-show-more").is_displayed()


def test_selecting_a_node_fades_all_but_its_neighbours(driver, page):
    node = "country:RU"
    neighbours = {f"forum:{f}" for f in page.edges.loc[page.edges["country"] == "RU", "forum"]}
    js(driver, "ex.select(arguments[0])", node)
    colours = js(driver, "const out = {}; ex.nodes.forEach(n => { out[n.id] = n.color.background; }); return out;")
    kind = js(driver, "return ex.data.meta.colours")
    faded = {n for n, c in colours.items() if c == FADED}
    assert faded == set(page.nodes["node"]) - neighbours - {node}
    assert all(colours[n] == kind[n.split(":")[0]] for n in neighbours | {node})
    js(driver, "ex.select(null)")
    assert FADED not in js(driver, "return ex.nodes.get().map(n => n.color.background)")


def test_colour_by_community_uses_the_numbers_of_nodes_csv_and_the_figures_colours(driver, page):
    select = driver.find_element(By.ID, "na-colour")
    select.find_element(By.CSS_SELECTOR, "option[value=community]").click()
    colours = js(driver, "const out = {}; ex.nodes.forEach(n => { out[n.id] = n.color.background; }); return out;")
    community = dict(zip(page.nodes["node"], page.nodes["community"].astype(int)))
    assert colours == {n: community_color(c) for n, c in community.items()}
    legend = [row.get_attribute("data-community") for row in driver.find_elements(By.CSS_SELECTOR, ".na-legend-row")]
    assert legend == [str(c) for c in sorted(set(community.values()))]
    # graph.gexf carries the same numbers and colours
    gexf = nx.read_gexf(page.folder / "graph.gexf")
    for node, c in community.items():
        attrs = gexf.nodes[node]
        assert attrs["community"] == c
        colour = "#{r:02X}{g:02X}{b:02X}".format(**attrs["viz"]["color"])
        assert colour == community_color(c).upper()
    select.find_element(By.CSS_SELECTOR, "option[value=kind]").click()
    kind = js(driver, "return ex.data.meta.colours")
    assert js(driver, "return ex.nodes.get().map(n => n.color.background)") == [
        kind[n.split(":")[0]] for n in js(driver, "return ex.nodes.getIds()")
    ]


def test_the_matched_words_are_highlighted_in_the_posts(driver, page):
    posts = page.edge_posts()
    edge = max(posts, key=lambda e: (len(posts[e]), e))
    ends = edge.split("|")
    js(driver, "ex.select(arguments[0])", edge)
    items = driver.find_elements(By.CSS_SELECTOR, "#na-evidence li")
    cut = js(driver, "return ex.data.meta.text_chars")
    assert items
    mentions = page.mentions.assign(node=page.mentions["kind"] + ":" + page.mentions["entity"])
    checked = 0
    for li in items:
        post = li.get_attribute("data-post")
        rows = mentions[(mentions["post_id"] == post) & mentions["node"].isin(ends)]
        text = page.text[post]
        # (the page shows the first text_chars characters of a post, and the matches in them)
        wanted = sorted({(int(s), int(e)) for s, e in zip(rows["start"], rows["end"]) if int(e) <= cut})
        expected = [text[s:e] for s, e in wanted]  # (no two matches of one post overlap here)
        marked = [m.text for m in li.find_elements(By.CSS_SELECTOR, "mark.na-match")]
        assert marked == expected, post
        checked += len(marked)
    assert checked >= len(items)  # each post names both ends
