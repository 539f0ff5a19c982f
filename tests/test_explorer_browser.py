"""The explorer in a real, offline, headless Chromium: it draws, fetches nothing, runs no post text,
searches Cyrillic names and filters.

Skipped (with the reason) without Chromium and chromedriver, unless NETANALYSIS_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest
from browser import frame_ids, leaks, open_blank, page_requests, requests_made, start_chromium
from test_explorer import HOSTILE, big_graph, realistic

from netanalysis.render.explorer import write_explorer

pytest.importorskip("selenium")
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

COUNT_INK = """
const canvas = document.querySelector('#na-network canvas');
if (!canvas) { return -1; }
const ctx = canvas.getContext('2d');
const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
let ink = 0;
for (let i = 0; i < px.length; i += 4) {
  if (px[i + 3] > 0 && (px[i] < 235 || px[i + 1] < 235 || px[i + 2] < 235)) { ink += 1; }
}
return ink;
"""


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    drv = start_chromium(tmp_path_factory.mktemp("chromium-profile"))
    yield drv
    drv.quit()


@pytest.fixture(scope="module")
def sample():
    return realistic()


def load(driver, path):
    """Load a file from ``about:blank``; return the URLs of the requests made by the page's own frames."""
    open_blank(driver)  # drop whatever the browser did before, its own start-up pages included
    driver.get(path.as_uri())
    sent: list[dict] = []

    def requests() -> list[str]:
        sent.extend(requests_made(driver))
        frames = frame_ids(driver.execute_cdp_cmd("Page.getFrameTree", {})["frameTree"])
        return page_requests(sent, path.as_uri(), frames)

    return requests


def open_page(driver, path, timeout=30):
    """Load a file, wait for the explorer to be ready, return the URLs of every request it made."""
    requests = load(driver, path)
    WebDriverWait(driver, timeout).until(lambda d: d.execute_script("return !!window.netanalysisExplorer"))
    WebDriverWait(driver, timeout).until(lambda d: d.execute_script(COUNT_INK) > 500)
    return requests()


def visible(driver):
    return driver.execute_script(
        "const ex = window.netanalysisExplorer; return [ex.visibleNodeIds().sort(), ex.visibleEdgeIds().sort()];"
    )


def set_input(driver, element_id, value):
    """Set a range/date input as a user would end up with, firing the events the page listens to."""
    driver.execute_script(
        "const el = document.getElementById(arguments[0]); el.value = arguments[1];"
        "el.dispatchEvent(new Event('input', {bubbles: true}));"
        "el.dispatchEvent(new Event('change', {bubbles: true}));",
        element_id,
        value,
    )


def node_point(driver, node_id):
    """Offset of a node's centre from the canvas centre, in CSS pixels (for ActionChains)."""
    return driver.execute_script(
        "const net = window.netanalysisExplorer.network; const id = arguments[0];"
        "const p = net.canvasToDOM(net.getPositions([id])[id]);"
        "const c = document.querySelector('#na-network canvas').getBoundingClientRect();"
        "return [Math.round(p.x - c.width / 2), Math.round(p.y - c.height / 2)];",
        node_id,
    )


@pytest.fixture(scope="module")
def page(driver, sample, tmp_path_factory):
    G, cent, posts = sample
    path = write_explorer(
        G, tmp_path_factory.mktemp("explorer") / "network.html", centrality=cent, posts=posts, title="MFA: co-mentions"
    )
    urls = open_page(driver, path)
    return path, urls


def test_graph_draws_from_the_data_set(driver, sample, page):
    G, _, _ = sample
    ids = driver.execute_script("return window.netanalysisExplorer.nodes.getIds().sort()")
    assert ids == sorted(G.nodes)
    assert driver.execute_script("return window.netanalysisExplorer.edges.length") == G.number_of_edges()
    assert driver.find_element(By.CSS_SELECTOR, "#na-network canvas").size["width"] > 400
    assert driver.execute_script(COUNT_INK) > 2000
    assert driver.find_element(By.ID, "na-status").text == (
        f"Showing {G.number_of_nodes()} of {G.number_of_nodes()} nodes, "
        f"{G.number_of_edges()} of {G.number_of_edges()} edges"
    )
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []


def test_no_request_left_the_page(page):
    path, urls = page
    assert path.as_uri() in urls
    assert leaks(urls) == []
    assert [u for u in urls if u.startswith("file://")] == [path.as_uri()]


def test_a_page_that_requests_the_network_fails_the_check(tmp_path):
    """The test of the test: a page loading an https image, a fetch and a frame is caught."""
    driver = start_chromium(tmp_path / "profile")
    try:
        leaky_page_is_caught(driver, tmp_path)
    finally:
        driver.quit()


def leaky_page_is_caught(driver, tmp_path):
    frame = tmp_path / "frame.html"
    frame.write_text('<img src="https://frame.example.org/pixel.png">', encoding="utf-8")
    path = tmp_path / "leaky.html"
    path.write_text(
        '<!doctype html><title>leaky</title><img src="https://example.org/pixel.png">'
        f'<iframe src="{frame.as_uri()}"></iframe>'
        '<script>fetch("http://example.org/data.json").catch(() => {}); window.done = 1;</script>',
        encoding="utf-8",
    )
    requests = load(driver, path)
    expected = ["http://example.org/data.json", "https://example.org/pixel.png", "https://frame.example.org/pixel.png"]
    WebDriverWait(driver, 15).until(lambda d: sorted(leaks(requests())) == expected)
    assert path.as_uri() in requests() and frame.as_uri() in requests()


def test_the_browser_s_own_requests_are_not_the_page_s():
    """Chromium's own pages (new-tab page, chrome:// resources) load under other loaders: never counted."""
    uri = "file:///tmp/network.html"
    sent = [
        {"type": "Document", "request": {"url": "chrome://new-tab-page/"}, "loaderId": "L0", "frameId": "F"},
        {"type": "Image", "request": {"url": "chrome://resources/images/add.svg"}, "loaderId": "L0", "frameId": "F"},
        {"type": "Document", "request": {"url": uri}, "loaderId": "L1", "frameId": "F"},
        {"type": "Script", "request": {"url": "data:text/javascript,1"}, "loaderId": "L1", "frameId": "F"},
        {"type": "Image", "request": {"url": "https://cdn.example.org/x.png"}, "loaderId": "L1", "frameId": "F"},
        {"type": "Document", "request": {"url": "https://ads.example.org/"}, "loaderId": "L2", "frameId": "C"},
        {"type": "Other", "request": {"url": "chrome://new-tab-page/strings.m.js"}, "loaderId": "L3", "frameId": "F"},
    ]
    urls = page_requests(sent, uri, {"F", "C"})
    assert urls == [uri, "data:text/javascript,1", "https://cdn.example.org/x.png", "https://ads.example.org/"]
    assert leaks(urls) == ["https://cdn.example.org/x.png", "https://ads.example.org/"]


def test_hostile_post_text_is_shown_as_text_and_never_runs(driver, sample, page):
    G, _, posts = sample
    hostile_id = posts.loc[posts["text"].str.startswith(HOSTILE), "post_id"].item()
    node = next(n for n in sorted(G) if any(hostile_id in d["post_ids"] for d in G[n].values()))
    x, y = node_point(driver, node)
    canvas = driver.find_element(By.CSS_SELECTOR, "#na-network canvas")
    ActionChains(driver).move_to_element_with_offset(canvas, x, y).click().perform()
    WebDriverWait(driver, 10).until(lambda d: hostile_id in d.find_element(By.ID, "na-details").text)
    details = driver.find_element(By.ID, "na-details").text
    assert "<script>window.__pwned = 1;" in details and "onerror=" in details
    # hover until vis-network shows the tooltip, which holds the same post
    ActionChains(driver).move_to_element_with_offset(canvas, x + 1, y + 1).perform()
    WebDriverWait(driver, 10).until(
        lambda d: (
            "<img src=x"
            in d.execute_script("const t = document.querySelector('div.vis-tooltip'); return t ? t.textContent : ''")
        )
    )
    assert driver.execute_script("return typeof window.__pwned") == "undefined"
    assert driver.find_elements(By.CSS_SELECTOR, "pwned-img, b, #na-details img, div.vis-tooltip img") == []
    assert driver.title == "MFA: co-mentions"


def test_search_finds_cyrillic_names_case_insensitively(driver, page):
    box = driver.find_element(By.ID, "na-search")
    box.clear()
    box.send_keys("РОСС")
    WebDriverWait(driver, 5).until(lambda d: d.find_element(By.ID, "na-search-count").text == "1 match")
    assert [li.text for li in driver.find_elements(By.CSS_SELECTOR, "#na-results li")] == ["Россия"]
    assert driver.execute_script("return window.netanalysisExplorer.network.getSelectedNodes()") == ["country:RU"]
    box.clear()
    box.send_keys("аравия")
    WebDriverWait(driver, 5).until(lambda d: d.find_element(By.ID, "na-search-count").text == "1 match")
    driver.find_element(By.CSS_SELECTOR, "#na-results button").click()
    assert driver.find_element(By.CSS_SELECTOR, "#na-details h2").text.startswith("Саудовская Аравия")
    box.clear()
    box.send_keys("brics")
    WebDriverWait(driver, 5).until(lambda d: d.find_element(By.ID, "na-search-count").text == "1 match")
    box.clear()
    box.send_keys("cn")  # the ISO code is searched too, the node id prefix is not
    WebDriverWait(driver, 5).until(lambda d: d.find_element(By.ID, "na-search-count").text == "1 match")
    assert driver.execute_script("return window.netanalysisExplorer.search('country')") == []
    box.clear()
    box.send_keys("нет такой страны")
    WebDriverWait(driver, 5).until(lambda d: d.find_element(By.ID, "na-search-count").text == "0 matches")


def expected(G, posts, *, sides=("country", "forum"), min_weight=1, start=None, end=None, undated=True):
    """What the page should show, computed independently from the graph and the posts."""
    day = {p: None if d is None or d != d else d.strftime("%Y-%m-%d") for p, d in zip(posts["post_id"], posts["date"])}
    passing = set()
    for u, v, d in G.edges(data=True):
        days = [day[p] for p in d["post_ids"]]
        in_window = any(x and (start is None or x >= start) and (end is None or x <= end) for x in days)
        if d["weight"] >= min_weight and (in_window or (undated and None in days)):
            passing.add(tuple(sorted((u, v))))
    touched = {n for e in passing for n in e}
    nodes = sorted(n for n in G if G.nodes[n]["kind"] in sides and (n in touched or G.degree(n) == 0))
    edges = sorted(f"{u}|{v}" for u, v in passing if u in nodes and v in nodes)
    return [nodes, edges]


def test_filters_change_what_is_visible(driver, sample, page):
    G, _, posts = sample
    driver.find_element(By.ID, "na-reset").click()
    assert visible(driver) == expected(G, posts)
    driver.find_element(By.ID, "na-side-forum").click()
    assert visible(driver) == expected(G, posts, sides=("country",))
    assert visible(driver)[1] == [] and len(visible(driver)[0]) == 15
    driver.find_element(By.ID, "na-side-forum").click()
    set_input(driver, "na-weight", "4")
    assert driver.find_element(By.ID, "na-weight-value").text == "4"
    heavy = expected(G, posts, min_weight=4)
    assert visible(driver) == heavy and 0 < len(heavy[0]) < G.number_of_nodes()
    set_input(driver, "na-weight", "1")
    set_input(driver, "na-from", "2024-06-01")
    set_input(driver, "na-to", "2024-06-30")
    june = expected(G, posts, start="2024-06-01", end="2024-06-30")
    assert visible(driver) == june
    driver.find_element(By.ID, "na-undated").click()
    june_dated = expected(G, posts, start="2024-06-01", end="2024-06-30", undated=False)
    assert visible(driver) == june_dated and len(june_dated[1]) < len(june[1])
    shown = len(june_dated[0])
    assert driver.find_element(By.ID, "na-status").text.startswith(f"Showing {shown} of {G.number_of_nodes()} nodes")
    driver.find_element(By.ID, "na-reset").click()
    assert visible(driver) == expected(G, posts)


def test_physics_checkbox_switches_physics(driver, page):
    enabled = "return window.netanalysisExplorer.network.physics.physicsEnabled"
    assert driver.execute_script(enabled) is False
    driver.find_element(By.ID, "na-physics").click()
    assert driver.execute_script(enabled) is True
    driver.find_element(By.ID, "na-physics").click()
    assert driver.execute_script(enabled) is False


def test_a_500_node_graph_opens_and_draws(driver, tmp_path):
    G = big_graph()
    path = write_explorer(G, tmp_path / "big.html")
    urls = open_page(driver, path, timeout=90)
    assert leaks(urls) == []
    assert driver.execute_script("return window.netanalysisExplorer.nodes.length") == 500
    assert driver.execute_script(COUNT_INK) > 5000
    assert len(visible(driver)[0]) == 500


def test_without_posts_the_time_filter_uses_each_edge_span(driver, tmp_path):
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
    open_page(driver, write_explorer(G, tmp_path / "span.html"))
    both = [["country:CN", "country:IN", "forum:BRICS"], ["country:CN|forum:BRICS", "country:IN|forum:BRICS"]]
    assert visible(driver) == both
    set_input(driver, "na-from", "2024-06-01")
    set_input(driver, "na-to", "2024-06-30")
    assert visible(driver) == both
    set_input(driver, "na-from", "2024-09-02")
    set_input(driver, "na-to", "2024-09-30")
    assert visible(driver) == [["country:IN", "forum:BRICS"], ["country:IN|forum:BRICS"]]
    driver.find_element(By.ID, "na-undated").click()
    assert visible(driver) == [[], []]
    assert driver.find_element(By.ID, "na-status").text == "Showing 0 of 3 nodes, 0 of 2 edges"


def test_large_counts_are_written_with_their_thousands_grouped(driver, tmp_path):
    # a million-post run's counts: 431,881 reads at a glance, 431881 does not
    G = nx.Graph()
    G.add_node("country:AZ", kind="country", bipartite=0, label="Azerbaijan", posts=431_881)
    G.add_node("forum:SCO", kind="forum", bipartite=1, label="SCO", posts=9_999)
    day = pd.Timestamp("2024-05-02T10:00Z")
    ids = [f"p{i}" for i in range(12_345)]
    G.add_edge("country:AZ", "forum:SCO", weight=12_345, post_ids=ids, first_date=day, last_date=day)
    load(driver, write_explorer(G, tmp_path / "counts.html"))
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return !!window.netanalysisExplorer"))
    driver.execute_script("window.netanalysisExplorer.select('country:AZ|forum:SCO')")
    assert driver.find_element(By.CSS_SELECTOR, "#na-details .na-count").text.startswith("12,345 posts")
    driver.execute_script("window.netanalysisExplorer.select('country:AZ')")
    cells = {
        th.text: td.text
        for th, td in zip(
            driver.find_elements(By.CSS_SELECTOR, "#na-details .na-measures th"),
            driver.find_elements(By.CSS_SELECTOR, "#na-details .na-measures td"),
        )
    }
    assert cells["posts"] == "431,881" and cells["strength"] == "12,345"
    driver.execute_script("window.netanalysisExplorer.select('forum:SCO')")
    cells = [td.text for td in driver.find_elements(By.CSS_SELECTOR, "#na-details .na-measures td")]
    assert cells[0] == "9999"  # under 10,000 as it is
