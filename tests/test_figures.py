"""Publication figures: what is drawn (as numbers), files written, determinism, fonts, scale."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import matplotlib
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.collections import LineCollection, PathCollection, QuadMesh
from matplotlib.figure import Figure

from netanalysis.analysis import centrality_table
from netanalysis.analysis.plotdata import (
    heatmap_matrix,
    network_layout,
    node_label,
)
from netanalysis.errors import ConfigError, GraphError
from netanalysis.render import (
    plot_centrality_over_time,
    plot_heatmap,
    plot_network,
    plot_network_overlay,
    plot_network_small_multiples,
    plot_rank_changes,
    save_figure,
)
from netanalysis.render.labels import spread_1d
from netanalysis.render.style import renderer_of

FIXTURES = Path(__file__).parent / "fixtures" / "figures"


def fixture_graph() -> nx.Graph:
    """A realistic small country–forum graph (42 edges) from tests/fixtures/figures/edges.csv."""
    edges = pd.read_csv(FIXTURES / "edges.csv", keep_default_na=False)
    G = nx.Graph()
    for row in edges.itertuples(index=False):
        c, f = f"country:{row.country}", f"forum:{row.forum}"
        G.add_node(c, bipartite=0, kind="country", label=row.country_label, entity=row.country)
        G.add_node(f, bipartite=1, kind="forum", label=row.forum, entity=row.forum)
        G.add_edge(c, f, weight=int(row.weight), npmi=(row.weight - 3) / 10)
    return G


def fixture_timeline(n_windows: int = 5) -> pd.DataFrame:
    """Deterministic pagerank-like values per month for the fixture graph's nodes."""
    G = fixture_graph()
    rng = np.random.default_rng(11)
    starts = pd.date_range("2024-04-01", periods=n_windows, freq="MS", tz="UTC")
    base = {n: float(G.degree(n, weight="weight")) for n in sorted(G)}
    rows = []
    for start in starts:
        values = {n: b * rng.uniform(0.5, 1.5) for n, b in base.items() if rng.random() < 0.9}
        total = sum(values.values())
        # Ranked within kind, as timeline.csv does.
        series = pd.Series(values)
        kinds = series.index.str.split(":").str[0]
        ranks = series.groupby(kinds).rank(ascending=False, method="first")
        for n, v in values.items():
            rows.append(
                {
                    "window_start": start,
                    "window_end": start + pd.offsets.MonthBegin(1),
                    "node": n,
                    "kind": n.split(":")[0],
                    "metric": "pagerank",
                    "value": v / total,
                    "rank": int(ranks[n]),
                }
            )
    return pd.DataFrame(rows)


def big_graph(n_countries: int = 250, n_forums: int = 50, seed: int = 0) -> nx.Graph:
    rng = np.random.default_rng(seed)
    G = nx.Graph()
    for i in range(n_countries):
        G.add_node(f"country:C{i:03d}", bipartite=0, label=f"Country number {i}")
    for j in range(n_forums):
        G.add_node(f"forum:F{j:02d}", bipartite=1, label=f"Forum {j}")
    for i in range(n_countries):
        for j in rng.choice(n_forums, size=int(rng.integers(1, 8)), replace=False):
            G.add_edge(f"country:C{i:03d}", f"forum:F{j:02d}", weight=int(rng.geometric(0.4)))
    return G


def node_offsets(ax) -> list[tuple[float, float]]:
    """Every scatter point drawn in ``ax``, sorted."""
    points = []
    for coll in ax.collections:
        if isinstance(coll, PathCollection):
            points += [tuple(map(float, p)) for p in coll.get_offsets()]
    return sorted(points)


def label_texts(ax, G) -> list:
    names = {node_label(G, n) for n in G}
    return [t for t in ax.texts if t.get_text() in names]


def overlapping_pairs(fig, texts) -> int:
    renderer = renderer_of(fig)
    boxes = [t.get_window_extent(renderer) for t in texts]
    count = 0
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            ox = min(a.x1, b.x1) - max(a.x0, b.x0)
            oy = min(a.y1, b.y1) - max(a.y0, b.y0)
            count += ox > 0.5 and oy > 0.5
    return count


def png_bytes(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=72)
    return buffer.getvalue()


# --- network -----------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["bipartite", "force"])
def test_plot_network_draws_nodes_at_layout_positions(layout):
    G = fixture_graph()
    fig = plot_network(G, layout=layout, seed=2)
    ax = fig.axes[0]
    expected = sorted(tuple(p) for p in network_layout(G, layout, seed=2).values())
    assert np.allclose(node_offsets(ax), expected)
    edges = [c for c in ax.collections if isinstance(c, LineCollection)][0]
    assert len(edges.get_segments()) == G.number_of_edges()
    # Edge width grows with weight: the heaviest edge (RU–UN, 9) is drawn widest, last.
    widths = edges.get_linewidths()
    assert widths[-1] == max(widths) and widths[0] == min(widths)
    assert len(png_bytes(fig)) > 10_000


def test_plot_network_sizes_by_centrality_and_colours_by_community():
    G = fixture_graph()
    table = pd.DataFrame(
        {
            "node": sorted(G),
            "pagerank": np.linspace(0.01, 0.1, len(G)),
            "community": [0 if n.startswith("country") else 1 for n in sorted(G)],
        }
    )
    fig = plot_network(G, size_by="pagerank", color_by="community", centrality=table)
    scatters = [c for c in fig.axes[0].collections if isinstance(c, PathCollection)]
    countries, forums = scatters
    # Communities follow the sides here, so each scatter has one colour and they differ.
    assert len({tuple(c) for c in countries.get_facecolors()}) == 1
    assert tuple(countries.get_facecolors()[0]) != tuple(forums.get_facecolors()[0])
    sizes = np.concatenate([countries.get_sizes(), forums.get_sizes()])
    # Largest pagerank (the last node id, forum:UN) gets the largest marker.
    assert forums.get_sizes().max() == sizes.max()


def test_plot_network_legend_numbers_communities_as_the_table_does():
    # nodes.csv numbers communities 0, 1, ... (largest first); the legend must use the same
    # numbers (it once said "Community 1" for the table's 0) with the colours of those nodes
    G = fixture_graph()
    table = centrality_table(G, seed=0)
    fig = plot_network(G, layout="force", color_by="community", centrality=table, seed=0)
    ax = fig.axes[0]
    legend = {t.get_text(): h for t, h in zip(ax.get_legend().get_texts(), ax.get_legend().legend_handles)}
    assert [k for k in legend if k.startswith("strength")]  # the size key
    numbers = sorted(set(table["community"]))
    assert [k for k in legend if k.startswith("Community")] == [f"Community {c}" for c in numbers]
    colours = {}
    for scatter in (c for c in ax.collections if isinstance(c, PathCollection)):
        for offset, colour in zip(scatter.get_offsets(), scatter.get_facecolors()):
            colours[tuple(np.round(offset, 9))] = tuple(colour)
    pos = network_layout(G, "force", seed=0)
    for node, community in zip(table["node"], table["community"]):
        handle = legend[f"Community {community}"]
        assert colours[tuple(np.round(pos[node], 9))][:3] == pytest.approx(
            matplotlib.colors.to_rgba(handle.get_color())[:3]
        )


def test_plot_network_labels_every_node_when_they_fit_and_beside_columns():
    G = fixture_graph()
    fig = plot_network(G)
    ax = fig.axes[0]
    texts = label_texts(ax, G)
    assert len(texts) == G.number_of_nodes()
    assert overlapping_pairs(fig, texts) == 0
    renderer = renderer_of(fig)
    axes_box = ax.get_window_extent(renderer)
    for t in texts:
        box = t.get_window_extent(renderer)
        assert axes_box.x0 - 1 <= box.x0 and box.x1 <= axes_box.x1 + 1
    left = [t for t in texts if t.get_ha() == "right"]
    assert {t.get_text() for t in left} == {node_label(G, n) for n in G if n.startswith("country")}


def test_plot_network_force_labels_top_n_without_overlap():
    G = fixture_graph()
    fig = plot_network(G, layout="force", max_labels=12, size="single")
    texts = label_texts(fig.axes[0], G)
    assert len(texts) == 12
    assert overlapping_pairs(fig, texts) == 0
    strongest = sorted(G, key=lambda n: -G.degree(n, weight="weight"))[0]
    assert node_label(G, strongest) in {t.get_text() for t in texts}


def visible_texts(ax, G) -> list:
    names = {node_label(G, n) for n in G} | {str(n).split(":", 1)[1] for n in G}
    return [t for t in ax.texts if t.get_visible() and t.get_text() in names]


def marker_boxes(fig, ax) -> list:
    boxes = []
    for coll in ax.collections:
        if isinstance(coll, PathCollection):
            for (x, y), s in zip(coll.get_offsets(), np.broadcast_to(coll.get_sizes(), len(coll.get_offsets()))):
                px, py = ax.transData.transform((x, y))
                r = np.sqrt(s) / 2 * fig.dpi / 72
                boxes.append((px - r, py - r, px + r, py + r))
    return boxes


def test_force_layout_labels_every_node_without_overlap():
    G = fixture_graph()
    fig = plot_network(G, layout="force", color_by="community", size="single")
    texts = visible_texts(fig.axes[0], G)
    counts = fig.netanalysis_labels
    assert counts["unlabelled"] == 0 and len(texts) == G.number_of_nodes() == counts["labelled"] + counts["short"]
    assert overlapping_pairs(fig, texts) == 0
    # no label covers a node marker (each sits beside its own node)
    renderer = renderer_of(fig)
    markers = marker_boxes(fig, fig.axes[0])
    for t in texts:
        b = t.get_window_extent(renderer)
        hits = [
            m for m in markers if min(b.x1, m[2]) - max(b.x0, m[0]) > 0.5 and min(b.y1, m[3]) - max(b.y0, m[1]) > 0.5
        ]
        assert hits == [], t.get_text()


@pytest.mark.parametrize("layout", ["bipartite", "force"])
def test_plot_network_300_nodes_says_how_many_it_leaves_unlabelled(layout):
    G = big_graph()
    assert G.number_of_nodes() == 300
    fig = plot_network(G, layout=layout)
    ax = fig.axes[0]
    texts = visible_texts(ax, G)
    counts = fig.netanalysis_labels
    assert counts["labelled"] + counts["short"] + counts["unlabelled"] == 300
    assert len(texts) == counts["labelled"] + counts["short"] >= 100
    assert overlapping_pairs(fig, texts) == 0
    if counts["unlabelled"]:  # never silent: the figure says so
        assert f"{counts['unlabelled']} of 300 nodes unlabelled" in ax.get_title(loc="right")
    sizes = np.concatenate([c.get_sizes() for c in ax.collections if isinstance(c, PathCollection)])
    assert sizes.max() <= 40
    edges = [c for c in ax.collections if isinstance(c, LineCollection)][0]
    assert max(edges.get_linewidths()) <= 1.5
    assert png_bytes(fig)[:4] == b"\x89PNG"
    assert fig.get_size_inches()[1] <= 9.7


def test_plot_network_into_given_axes_and_size_option():
    fig = Figure(figsize=(4, 3))
    ax = fig.add_subplot()
    assert plot_network(fixture_graph(), ax=ax) is fig
    assert len(node_offsets(ax)) == fixture_graph().number_of_nodes()
    assert plot_network(fixture_graph(), size="single").get_size_inches()[0] == 3.5
    assert plot_network(fixture_graph(), size="double").get_size_inches()[0] == 7.2
    assert tuple(plot_network(fixture_graph(), size=(5, 4)).get_size_inches()) == (5, 4)
    with pytest.raises(ConfigError, match="unknown figure size 'wide'"):
        plot_network(fixture_graph(), size="wide")
    with pytest.raises(GraphError, match="unknown color_by"):
        plot_network(fixture_graph(), color_by="kind")
    with pytest.raises(GraphError, match="needs the nodes' dates"):
        plot_network(fixture_graph(), color_by="date")


def test_plotting_leaves_global_rcparams_alone():
    before = dict(matplotlib.rcParams)
    plot_network(fixture_graph(), font_size=11)
    plot_heatmap(fixture_graph())
    plot_rank_changes(fixture_timeline(), metric="pagerank")
    after = dict(matplotlib.rcParams)
    assert {k for k in before if before[k] != after[k]} == set()


def test_plot_network_does_not_mutate_graph():
    G = fixture_graph()
    snapshot = (sorted(G.nodes(data=True)), sorted(G.edges(data=True)))
    plot_network(G, layout="force", color_by="community")
    assert (sorted(G.nodes(data=True)), sorted(G.edges(data=True))) == snapshot


# --- heatmap -----------------------------------------------------------------------------------


def test_heatmap_draws_the_ordered_matrix_with_counts_and_colorbar():
    G = fixture_graph()
    fig = plot_heatmap(G)
    ax = fig.axes[0]
    matrix = heatmap_matrix(G, max_rows=45, max_cols=30)
    mesh = [c for c in ax.collections if isinstance(c, QuadMesh)][0]
    drawn = np.ma.filled(mesh.get_array().reshape(matrix.shape).astype(float), 0.0)
    assert np.array_equal(drawn, matrix.to_numpy())
    labels = matrix.attrs["labels"]
    assert [t.get_text() for t in ax.get_yticklabels()] == [labels[r] for r in matrix.index]
    assert [t.get_text() for t in ax.get_xticklabels()] == [labels[c] for c in matrix.columns]
    assert all(t.get_rotation() == 60 for t in ax.get_xticklabels())
    counts = sorted(int(t.get_text()) for t in ax.texts)
    assert counts == sorted(int(v) for v in matrix.to_numpy().ravel() if v > 0)
    assert mesh.get_cmap().name.startswith("cividis")
    assert fig.axes[0].child_axes[0].get_ylabel() == "Posts mentioning both (log scale)"
    # log scale: one dominant pair does not flatten the others
    assert isinstance(mesh.norm, matplotlib.colors.LogNorm) and mesh.norm.vmin == 1 and mesh.norm.vmax == 9
    # the dominant entities are named with their share of all co-mention weight
    strength = {n: G.degree(n, weight="weight") for n in G}
    total = sum(d["weight"] for *_, d in G.edges(data=True))
    top_country = max((n for n in G if n.startswith("country")), key=lambda n: (strength[n], n))
    share = strength[top_country] / total
    assert f"{node_label(G, top_country)} {share:.0%}" in ax.get_xlabel()


def test_heatmap_truncates_and_says_so():
    fig = plot_heatmap(big_graph(), max_rows=60, max_cols=20)
    ax = fig.axes[0]
    assert len(ax.get_yticklabels()) == 60 and len(ax.get_xticklabels()) == 20
    assert ax.get_ylabel() == "Country (top 60 of 250)"
    assert ax.get_xlabel().startswith("Forum (top 20 of 50)\nMost co-mentioned: ")
    assert fig.get_size_inches()[1] <= 9.7
    assert len(ax.texts) == 0  # too many cells to annotate by default


def test_heatmap_of_association_strength_is_log_scaled_around_one():
    G = fixture_graph()
    for u, v, d in G.edges(data=True):
        d["assoc_strength"] = d["weight"] / 3
    fig = plot_heatmap(G, value="assoc_strength")
    mesh = [c for c in fig.axes[0].collections if isinstance(c, QuadMesh)][0]
    assert isinstance(mesh.norm, matplotlib.colors.LogNorm)
    assert mesh.norm.vmin * mesh.norm.vmax == pytest.approx(1.0)  # 1 (chance) in the middle
    assert mesh.norm.vmax >= 3.0  # the largest value (9 / 3) is inside the scale
    assert mesh.get_cmap().name.startswith("PuOr")
    assert fig.axes[0].child_axes[0].get_ylabel() == "Association strength (log scale)"


def test_heatmap_npmi_uses_fixed_symmetric_range():
    fig = plot_heatmap(fixture_graph(), value="npmi", cmap="viridis")
    mesh = [c for c in fig.axes[0].collections if isinstance(c, QuadMesh)][0]
    assert (mesh.norm.vmin, mesh.norm.vmax) == (-1.0, 1.0)
    assert fig.axes[0].child_axes[0].get_ylabel() == "NPMI"
    assert all("." in t.get_text() for t in fig.axes[0].texts)


# --- fonts -------------------------------------------------------------------------------------


def _glyph_warnings(G, tmp_path) -> tuple[Figure, list[str]]:
    """Plot and save ``G``, returning the figure and every missing-glyph warning on the way."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = plot_network(G)
        save_figure(fig, tmp_path / "fig", formats=("png", "svg", "pdf"), dpi=72)
    return fig, [str(w.message) for w in caught if "missing from" in str(w.message) or "Glyph" in str(w.message)]


def test_cyrillic_labels_render_without_missing_glyphs(tmp_path):
    G = nx.Graph()
    G.add_node("country:RU", bipartite=0, label="Россия")
    G.add_node("country:BY", bipartite=0, label="Беларусь")
    G.add_node("forum:SCO", bipartite=1, label="ШОС")
    G.add_edge("country:RU", "forum:SCO", weight=3)
    G.add_edge("country:BY", "forum:SCO", weight=1)
    fig, missing = _glyph_warnings(G, tmp_path)
    assert missing == []
    texts = label_texts(fig.axes[0], G)
    assert {t.get_text() for t in texts} == {"Россия", "Беларусь", "ШОС"}
    for t in texts:
        assert Path(font_manager.findfont(t.get_fontproperties())).name == "DejaVuSans.ttf"
    # SVG text is drawn as glyph paths, each text preceded by a comment with its string.
    svg = (tmp_path / "fig.svg").read_text(encoding="utf-8")
    assert "<!-- Россия -->" in svg and "<!-- ШОС -->" in svg


def test_glyph_check_does_catch_missing_glyphs(tmp_path):
    # Control for the test above: DejaVu Sans has no CJK, so this must warn.
    G = nx.Graph()
    G.add_node("country:CN", bipartite=0, label="中国")
    G.add_node("forum:UN", bipartite=1, label="UN")
    G.add_edge("country:CN", "forum:UN", weight=1)
    assert _glyph_warnings(G, tmp_path)[1]


# --- saving ------------------------------------------------------------------------------------


def test_save_figure_writes_all_formats_atomically(tmp_path):
    fig = plot_heatmap(fixture_graph())
    paths = save_figure(fig, tmp_path / "sub" / "heatmap")
    assert [p.name for p in paths] == ["heatmap.png", "heatmap.svg", "heatmap.pdf"]
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in paths[1].read_bytes()[:500]
    assert paths[2].read_bytes()[:5] == b"%PDF-"
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == sorted(p.name for p in paths)
    assert save_figure(fig, tmp_path / "x.svg", formats=["svg"]) == [tmp_path / "x.svg"]
    with pytest.raises(ConfigError, match="unknown figure format"):
        save_figure(fig, tmp_path / "y", formats=["jpg"])
    assert not list(tmp_path.glob("y*")) and not list(tmp_path.glob(".*tmp"))


def test_saved_files_carry_no_dates(tmp_path):
    fig = plot_network(fixture_graph())
    svg, pdf = save_figure(fig, tmp_path / "n", formats=("svg", "pdf"))
    assert b"<dc:date>" not in svg.read_bytes()
    assert b"CreationDate" not in pdf.read_bytes() and b"ModDate" not in pdf.read_bytes()


def _all_figures():
    from test_figures_time import fixture_windows

    G, tl = fixture_graph(), fixture_timeline()
    return {
        "bipartite": plot_network(G),
        "force": plot_network(G, layout="force", color_by="community"),
        "heatmap": plot_heatmap(G),
        "centrality": plot_centrality_over_time(tl, metric="pagerank"),
        "ranks": plot_rank_changes(tl, metric="pagerank"),
        "multiples": plot_network_small_multiples(fixture_windows()),
    }


def test_two_runs_give_byte_identical_files(tmp_path):
    runs = []
    for run in ("a", "b"):
        written = []
        for name, fig in _all_figures().items():
            written += save_figure(fig, tmp_path / run / name, dpi=100)
        runs.append(written)
    for a, b in zip(*runs):
        assert a.name == b.name
        assert a.read_bytes() == b.read_bytes(), a.name


def test_spread_1d_separates_keeps_order_and_bounds():
    rng = np.random.default_rng(4)
    for _ in range(50):
        c = rng.uniform(0, 10, size=12)
        s = rng.uniform(0.2, 0.8, size=12)
        y = spread_1d(c, s, lo=0, hi=10)
        order = np.argsort(c, kind="stable")
        gaps = np.diff(y[order]) - (s[order][1:] + s[order][:-1]) / 2
        assert (gaps >= -1e-9).all()
        assert (y - s / 2 >= -1e-9).all() and (y + s / 2 <= 10 + 1e-9).all()
    # Already separated intervals do not move.
    assert spread_1d([0, 5], [1, 1]).tolist() == [0, 5]


def test_figures_module_gathers_the_public_functions():
    from netanalysis.render import figures

    assert figures.plot_network is plot_network
    assert figures.save_figure is save_figure
    assert set(figures.__all__) >= {
        "plot_network",
        "plot_heatmap",
        "plot_centrality_over_time",
        "plot_rank_changes",
        "plot_network_small_multiples",
    }


def test_heatmap_of_a_graph_without_forums_is_a_clear_error():
    G = nx.Graph()
    G.add_node("country:RU", bipartite=0)
    with pytest.raises(GraphError, match="no countries or no forums"):
        plot_heatmap(G)


@pytest.mark.parametrize("layout", ["bipartite", "force"])
def test_tiny_graphs_still_draw(layout):
    one = nx.Graph()
    one.add_node("country:RU", bipartite=0, label="Russia")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no layout warnings either
        assert png_bytes(plot_network(one, layout=layout))[:4] == b"\x89PNG"
        assert png_bytes(plot_network(nx.Graph(), layout=layout))[:4] == b"\x89PNG"


@pytest.mark.parametrize("module", ["style", "labels"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"netanalysis.render.{module}"))
    assert result.attempted > 0 and result.failed == 0


def test_a_label_without_room_falls_back_to_a_code_never_to_a_long_id():
    from netanalysis.render.network_draw import fallback_label

    G = nx.Graph()
    G.add_node("country:RU", kind="country", entity="RU", label="Russia")
    G.add_node("forum:BRICS", kind="forum", entity="BRICS", label="BRICS")
    G.add_node("forum:CENTRAL_ASIA_CHINA", kind="forum", entity="CENTRAL_ASIA_CHINA", label="China–Central Asia")
    G.add_node("forum:RUSSIA_AFRICA", kind="forum", entity="RUSSIA_AFRICA", label="Russia–Africa")
    assert fallback_label(G, "country:RU") == "RU"
    assert fallback_label(G, "forum:BRICS") is None  # the label is the code already
    assert fallback_label(G, "forum:CENTRAL_ASIA_CHINA") is None
    assert fallback_label(G, "forum:RUSSIA_AFRICA") is None


def test_heatmap_counts_fit_their_cells_at_any_scale():
    # a million-post corpus has six-digit counts; written out they ran into each other
    G = fixture_graph()
    for _u, _v, d in G.edges(data=True):
        d["weight"] = d["weight"] * 83_617 + 1_000
    fig = plot_heatmap(G)
    ax = fig.axes[0]
    renderer = renderer_of(fig)
    fig.canvas.draw()  # the laid-out figure, as saved
    cell = ax.transData.transform((1, 0))[0] - ax.transData.transform((0, 0))[0]
    texts = [t.get_text() for t in ax.texts]
    assert texts and all(len(t) <= 4 for t in texts) and any(t.endswith("k") for t in texts)
    assert all(t.get_window_extent(renderer).width < cell for t in ax.texts)
    assert min(t.get_fontsize() for t in ax.texts) >= 3.5
    assert ax.get_xlabel().endswith("Counts from 10,000 in thousands (k) or millions (M)")
    ticks = [t.get_text() for t in ax.child_axes[0].get_yticklabels()]
    assert "100k" in ticks and not any(len(t) > 4 for t in ticks)
    # small counts are written out and the axis says nothing more
    small = plot_heatmap(fixture_graph()).axes[0]
    assert "thousands" not in small.get_xlabel()


def test_heatmap_values_too_wide_for_their_cells_are_left_out():
    # cells too narrow for even the smallest font: the colour alone tells the value
    G = fixture_graph()
    for _u, _v, d in G.edges(data=True):
        d["weight"] = d["weight"] * 83_617 + 1_000
    ax = Figure(figsize=(1.0, 1.0)).add_subplot()
    plot_heatmap(G, ax=ax)
    assert len(ax.texts) == 0 and "thousands" not in ax.get_xlabel()


@pytest.mark.parametrize("days, words", [(12, 3), (900, 2), (0.3, 4), (0.01, 4)])
def test_the_date_bar_labels_its_ticks_apart(days, words):
    G = fixture_graph()
    nodes = sorted(G)
    start = pd.Timestamp("2024-03-02", tz="UTC")
    stamps = [start + pd.Timedelta(days=days * i / (len(nodes) - 1)) for i in range(len(nodes))]
    dates = pd.DataFrame({"node": nodes, "mean_date": stamps, "first_date": stamps, "last_date": stamps})
    dates["dated_posts"], dates["undated_posts"] = 1, 0
    fig = plot_network_overlay(G, dates)
    fig.canvas.draw()
    bar = fig.axes[-1]
    labels = [t.get_text() for t in bar.get_yticklabels() if t.get_text()]
    assert len(labels) >= 2 and len(set(labels)) == len(labels)  # (never the same month twice)
    # "Mar 2024", "04 Mar 2024", or for ticks hours or minutes apart "02 Mar 2024" over "04:30":
    # the year always written
    years = {str(stamp.year) for stamp in stamps}
    assert all(len(label.split()) == words and years & set(label.split()) for label in labels), labels


def test_a_wide_legend_is_kept_inside_the_figure():
    """Size labels in the millions under a date-coloured network (a million benchmark posts):
    the legend, centred under axes that the date bar moves left, is laid out in fewer columns
    rather than cut at the figure's left edge; a narrow one keeps its columns."""
    from netanalysis.render.network_plot import _within

    G = fixture_graph()
    for k, (_, _, d) in enumerate(G.edges(data=True)):
        d["weight"] = d["weight"] * 1_000_000
        d["status"] = "non_member" if k == 0 else "member"  # (the legend's tie handle)
    nodes = sorted(G)
    stamps = [pd.Timestamp("2024-08-01T16:00", tz="UTC") + pd.Timedelta(hours=i) for i in range(len(nodes))]
    dates = pd.DataFrame({"node": nodes, "mean_date": stamps, "first_date": stamps, "last_date": stamps})
    dates["dated_posts"], dates["undated_posts"] = 1, 0
    fig = plot_network_overlay(G, dates, font_size=9.0)  # (the report's default is 8 pt)
    legend = fig.axes[0].get_legend()
    assert _within(fig, legend) and legend._ncols < 6
    narrow = plot_network_overlay(G, dates, font_size=6.0)
    assert _within(narrow, narrow.axes[0].get_legend()) and narrow.axes[0].get_legend()._ncols == 6
