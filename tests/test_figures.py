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
    rank_changes,
    top_nodes_over_time,
    union_graph,
)
from netanalysis.errors import ConfigError, GraphError
from netanalysis.render import (
    plot_centrality_over_time,
    plot_heatmap,
    plot_network,
    plot_network_small_multiples,
    plot_rank_changes,
    save_figure,
)
from netanalysis.render.labels import spread_1d
from netanalysis.render.style import renderer_of, window_title

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


@pytest.mark.parametrize("layout", ["bipartite", "force"])
def test_plot_network_300_nodes_is_bounded_and_renders(layout):
    G = big_graph()
    assert G.number_of_nodes() == 300
    fig = plot_network(G, layout=layout)
    ax = fig.axes[0]
    texts = label_texts(ax, G)
    assert 10 <= len(texts) <= (25 if layout == "force" else 140)
    if layout == "force":
        assert overlapping_pairs(fig, texts) <= 2
    sizes = np.concatenate([c.get_sizes() for c in ax.collections if isinstance(c, PathCollection)])
    assert sizes.max() <= 40
    edges = [c for c in ax.collections if isinstance(c, LineCollection)][0]
    assert max(edges.get_linewidths()) <= 1.5
    assert png_bytes(fig)[:4] == b"\x89PNG"


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


def test_plotting_leaves_global_rcparams_alone():
    before = dict(matplotlib.rcParams)
    plot_network(fixture_graph(), font_size=11)
    plot_heatmap(fixture_graph())
    plot_rank_changes(fixture_timeline())
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
    assert fig.axes[0].child_axes[0].get_ylabel() == "Posts mentioning both"


def test_heatmap_truncates_and_says_so():
    fig = plot_heatmap(big_graph(), max_rows=60, max_cols=20)
    ax = fig.axes[0]
    assert len(ax.get_yticklabels()) == 60 and len(ax.get_xticklabels()) == 20
    assert ax.get_ylabel() == "Country (top 60 of 250)"
    assert ax.get_xlabel() == "Forum (top 20 of 50)"
    assert len(ax.texts) == 0  # too many cells to annotate by default


def test_heatmap_npmi_uses_fixed_symmetric_range():
    fig = plot_heatmap(fixture_graph(), value="npmi", cmap="viridis")
    mesh = [c for c in fig.axes[0].collections if isinstance(c, QuadMesh)][0]
    assert (mesh.norm.vmin, mesh.norm.vmax) == (-1.0, 1.0)
    assert fig.axes[0].child_axes[0].get_ylabel() == "NPMI"
    assert all("." in t.get_text() for t in fig.axes[0].texts)


# --- timeline ----------------------------------------------------------------------------------


def test_centrality_over_time_lines_equal_the_timeline_values():
    tl = fixture_timeline()
    fig = plot_centrality_over_time(tl, top=5)
    ax = fig.axes[0]
    wide = top_nodes_over_time(tl, "pagerank", 5).fillna(0.0)
    lines = {line.get_label(): line.get_ydata() for line in ax.lines}
    assert len(lines) == 5
    for node in wide.columns:
        assert np.allclose(lines[node.split(":", 1)[1]], wide[node].to_numpy())
    end_labels = [t for t in ax.texts if t.get_text() in lines]
    assert len(end_labels) == 5 and overlapping_pairs(fig, end_labels) == 0
    assert [t.get_text() for t in ax.get_xticklabels()][0] == "Apr 2024"
    assert ax.get_ylabel() == "PageRank"


def test_centrality_over_time_uses_given_labels():
    tl = fixture_timeline()
    fig = plot_centrality_over_time(tl, top=3, labels={"country:RU": "Россия"})
    assert "Россия" in {t.get_text() for t in fig.axes[0].texts}


@pytest.mark.parametrize("kind", ["country", "forum"])
def test_bump_chart_ranks_equal_the_timeline_ranks(kind):
    tl = fixture_timeline(6)
    fig = plot_rank_changes(tl, top=6, kind=kind)
    ax = fig.axes[0]
    data = rank_changes(tl, "pagerank", 6, kind=kind)
    assert set(data["node"].str.split(":").str[0]) == {kind}
    starts = sorted(tl["window_start"].unique())
    bumps = {line.get_gid()[5:]: line for line in ax.lines if (line.get_gid() or "").startswith("bump:")}
    assert set(bumps) == set(data["node"])
    for node, line in bumps.items():
        ranks = tl[(tl["node"] == node)].set_index("window_start")["rank"]
        expected = [float(ranks[s]) if s in ranks.index and ranks[s] <= 6 else np.nan for s in starts]
        assert np.array_equal(np.asarray(line.get_ydata(), float), expected, equal_nan=True)
    last = tl[(tl["window_start"] == starts[-1]) & (tl["kind"] == kind)]
    top_last = {n.split(":", 1)[1] for n in last.loc[last["rank"] <= 6, "node"]}
    right = [t for t in ax.texts if t.get_text() in top_last and t.get_ha() == "left"]
    assert len(right) == 6 and overlapping_pairs(fig, right) == 0
    assert ax.get_ylim()[0] > ax.get_ylim()[1]  # rank 1 on top


def test_timeline_plots_keep_windows_without_rows():
    tl = fixture_timeline(3)
    starts = sorted(tl["window_start"].unique())
    # Drop the middle window's rows but list it, as centrality_over_time does for empty windows.
    tl.attrs["windows"] = [(s.isoformat(), (s + pd.offsets.MonthBegin(1)).isoformat()) for s in starts]
    tl = tl[tl["window_start"] != starts[1]]
    wide = top_nodes_over_time(tl, "pagerank", 4)
    assert len(wide) == 3 and wide.iloc[1].isna().all()
    fig = plot_centrality_over_time(tl, top=4)
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["Apr 2024", "May 2024", "Jun 2024"]
    assert all(line.get_ydata()[1] == 0 for line in fig.axes[0].lines)
    bump = plot_rank_changes(tl, top=3)
    assert len(bump.axes[0].get_xticklabels()) == 3


def test_window_titles():
    utc = dict(tz="UTC")
    assert window_title(pd.Timestamp("2024-04-01", **utc), pd.Timestamp("2024-05-01", **utc)) == "Apr 2024"
    assert window_title(pd.Timestamp("2024-11-01", **utc), pd.Timestamp("2025-02-01", **utc)) == "Nov 2024–Jan 2025"
    assert window_title(pd.Timestamp("2024-04-08", **utc), pd.Timestamp("2024-05-07", **utc)) == "2024-04-08 – 05-07"


# --- small multiples ---------------------------------------------------------------------------


def _windows():
    G = fixture_graph()
    starts = pd.date_range("2024-04-01", periods=4, freq="MS", tz="UTC")
    out = []
    edges = sorted(G.edges(data=True))
    for i, start in enumerate(starts):
        H = nx.Graph()
        for k, (u, v, d) in enumerate(edges):
            if (k + i) % 3:
                H.add_node(u, **G.nodes[u])
                H.add_node(v, **G.nodes[v])
                H.add_edge(u, v, weight=d["weight"])
        out.append((start, start + pd.offsets.MonthBegin(1), H))
    return out


def test_small_multiples_fix_positions_and_fade_absent_nodes():
    windows = _windows()
    fig = plot_network_small_multiples(windows, ncols=3, seed=1)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == 4 and len(fig.axes) == 6
    pos = network_layout(union_graph([g for *_, g in windows]), "force", seed=1)
    for ax, (_, _, g) in zip(panels, windows):
        assert np.allclose(node_offsets(ax), sorted(pos.values()))
        faded = [
            c
            for c in ax.collections
            if isinstance(c, PathCollection) and matplotlib.colors.to_hex(c.get_facecolors()[0]) == "#d9d9d9"
        ]
        n_absent = len(pos) - g.number_of_nodes()
        assert sum(len(c.get_offsets()) for c in faded) == n_absent
    assert [ax.get_title() for ax in panels] == ["Apr 2024", "May 2024", "Jun 2024", "Jul 2024"]


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
    G, tl = fixture_graph(), fixture_timeline()
    return {
        "bipartite": plot_network(G),
        "force": plot_network(G, layout="force", color_by="community"),
        "heatmap": plot_heatmap(G),
        "centrality": plot_centrality_over_time(tl),
        "ranks": plot_rank_changes(tl),
        "multiples": plot_network_small_multiples(_windows()),
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


def test_small_multiples_bipartite_label_the_same_nodes_in_every_panel():
    windows = _windows()
    fig = plot_network_small_multiples(windows, layout="bipartite", ncols=2, max_labels=5)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    label_sets = [sorted(t.get_text() for t in ax.texts) for ax in panels]
    assert all(len(s) == 5 for s in label_sets) and all(s == label_sets[0] for s in label_sets)
    assert np.allclose([ax.get_xlim() for ax in panels], panels[0].get_xlim())
    U = union_graph([g for *_, g in windows])
    for ax, (_, _, g) in zip(panels, windows):
        for t in ax.texts:
            node = next(n for n in U if node_label(U, n) == t.get_text())
            assert (matplotlib.colors.to_hex(t.get_color()) == "#aaaaaa") == (node not in g)
