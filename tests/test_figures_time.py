"""Figures over time windows: trajectories, rank charts per kind, per-window networks; what is
drawn equals the numbers, small windows are marked, and every figure fits a journal page at 24
and at 105 windows."""

from __future__ import annotations

import matplotlib
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection, PolyCollection
from test_figures import fixture_graph, overlapping_pairs

from netanalysis.analysis.plotdata import (
    network_layout,
    rank_chart,
    trajectories,
    union_graph,
    window_sizes,
)
from netanalysis.render import plot_centrality_over_time, plot_network_small_multiples, plot_rank_changes
from netanalysis.render.palette import LINE_COLORS
from netanalysis.render.rank_plot import NARROW
from netanalysis.render.style import window_title

PAGE = (7.2, 9.7)


def fixture_windows(n: int = 4, *, freq: str = "MS") -> list[tuple]:
    """``n`` window graphs over the fixture graph's edges (each window drops a third of them)."""
    G = fixture_graph()
    starts = pd.date_range("2024-04-01", periods=n + 1, freq=freq, tz="UTC")
    edges = sorted(G.edges(data=True))
    out = []
    for i in range(n):
        H = nx.Graph()
        for k, (u, v, d) in enumerate(edges):
            if (k + i) % 3:
                H.add_node(u, **G.nodes[u])
                H.add_node(v, **G.nodes[v])
                H.add_edge(u, v, weight=d["weight"] + (i % 4 == 0) * (k % 5))
        H.graph["posts"] = 5 + (i * 7) % 40
        out.append((starts[i], starts[i + 1], H))
    return out


def window_timeline(windows, *, metric: str = "share", bands: bool = True) -> pd.DataFrame:
    """A timeline.csv for window graphs: each node's share of the window's strength, ranked within
    kind; with intervals around each value."""
    rows = []
    for start, end, G in windows:
        strength = {n: float(G.degree(n, weight="weight")) for n in G}
        total = sum(strength.values()) / 2 or 1.0
        frame = pd.DataFrame({"node": list(strength), "value": [v / total for v in strength.values()]})
        frame["kind"] = frame["node"].str.split(":").str[0]
        frame["rank"] = frame.groupby("kind")["value"].rank(ascending=False, method="min").astype(int)
        frame["window_start"], frame["window_end"], frame["metric"] = start, end, metric
        if bands:
            frame["ci_low"], frame["ci_high"] = frame["value"] * 0.8, frame["value"] * 1.2
        rows.append(frame)
    return pd.concat(rows, ignore_index=True)


def trajectory_lines(ax) -> dict:
    return {line.get_gid()[11:]: line for line in ax.lines if (line.get_gid() or "").startswith("trajectory:")}


# --- trajectories --------------------------------------------------------------------------------


def test_trajectories_give_every_node_asked_for_with_zero_where_absent():
    windows = fixture_windows(6)
    tl = window_timeline(windows)
    data = trajectories(tl, "share", 10, kind="country")
    nodes = data.attrs["nodes"]
    assert len(nodes) == 10 and data.attrs["bands"]  # --top 10 gives 10, no cap at 8
    keyed = tl.set_index(["window_start", "node"])
    for row in data.itertuples():
        if (row.window_start, row.node) in keyed.index:
            assert row.present and row.value == keyed.loc[(row.window_start, row.node), "value"]
            assert row.ci_low == keyed.loc[(row.window_start, row.node), "ci_low"]
        else:
            assert not row.present and row.value == 0.0 and np.isnan(row.ci_low)
    # chosen by mean over the windows that are not small
    sizes = window_sizes(windows, min_posts=20)
    big = trajectories(tl, "share", 3, kind="country", sizes=sizes)
    usable = set(sizes.loc[~sizes["small"], "window_start"])
    mean = (
        tl[(tl["kind"] == "country") & tl["window_start"].isin(usable)].groupby("node")["value"].sum().div(len(usable))
    )
    assert big.attrs["nodes"] == sorted(mean.index, key=lambda n: (-round(mean[n], 12), n))[:3]
    assert big["small"].tolist() == list(sizes["small"]) * 3


@pytest.mark.parametrize("n_windows", [24, 105])
def test_trajectory_figure_draws_the_values_marks_small_windows_and_fits_a_page(n_windows):
    windows = fixture_windows(n_windows, freq="MS" if n_windows == 24 else "W-MON")
    tl = window_timeline(windows)
    sizes = window_sizes(windows, min_posts=20)
    small = sizes["small"].to_numpy()
    assert 0 < small.sum() < n_windows
    fig = plot_centrality_over_time(tl, top=10, sizes=sizes, size="double")
    assert tuple(fig.get_size_inches()) <= PAGE and fig.get_size_inches()[1] <= PAGE[1]
    countries, forums, strip = fig.axes
    for ax, kind in ((countries, "country"), (forums, "forum")):
        data = trajectories(tl, "share", 10, kind=kind, sizes=sizes)
        lines = trajectory_lines(ax)
        assert set(lines) == set(data.attrs["nodes"]) and len(lines) == min(10, tl[tl.kind == kind].node.nunique())
        for node, line in lines.items():
            values = data[data["node"] == node]["value"].to_numpy()
            y = np.asarray(line.get_ydata(), float)
            # trend points only where the window is big enough: small windows are never a trend point
            assert np.array_equal(y, np.where(small, np.nan, values), equal_nan=True)
            marks = [m for m in ax.lines if m.get_gid() == f"small:{node}"]
            present = data[data["node"] == node]["present"].to_numpy()
            if (small & present).any():
                (mark,) = marks
                assert np.allclose(mark.get_ydata(), values[small & present])
                assert mark.get_markerfacecolor() == "white"  # hollow
        # second encoding: no two lines share colour and marker
        styles = {(line.get_color(), line.get_marker()) for line in lines.values()}
        assert len(styles) == len(lines)
        # labels in the colour of their lines, not overlapping
        labels = {t.get_text(): t for t in ax.texts}
        for line in lines.values():
            assert matplotlib.colors.to_hex(labels[line.get_label()].get_color()) == matplotlib.colors.to_hex(
                line.get_color()
            )
        assert overlapping_pairs(fig, list(labels.values())) == 0
        assert [c for c in ax.collections if isinstance(c, PolyCollection)]  # the bands
        assert ax.get_title(loc="left") == {"country": "Countries", "forum": "Forums"}[kind]
    bars = [p.get_height() for p in strip.patches if p.get_width() < 1]
    assert bars == sizes["posts"].tolist()  # posts per window
    assert strip.get_legend().get_texts()[0].get_text().startswith(f"{int(small.sum())} of {n_windows} windows")


def test_trajectory_colours_are_readable_as_text():
    def luminance(hex_colour):
        rgb = matplotlib.colors.to_rgb(hex_colour)
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    assert all((1.05) / (luminance(c) + 0.05) >= 3.0 for c in LINE_COLORS)  # WCAG contrast on white


# --- rank charts ---------------------------------------------------------------------------------


def test_rank_chart_keeps_absent_apart_from_below_the_top():
    t = pd.DataFrame(
        {
            "window_start": pd.to_datetime(["2024-04-01"] * 3 + ["2024-05-01"] * 2, utc=True),
            "window_end": pd.to_datetime(["2024-05-01"] * 3 + ["2024-06-01"] * 2, utc=True),
            "node": ["forum:UN", "forum:SCO", "forum:G20", "forum:SCO", "forum:G20"],
            "kind": "forum",
            "metric": "share",
            "value": [0.5, 0.3, 0.2, 0.6, 0.4],
            "rank": [1, 2, 3, 1, 2],
        }
    )
    chart = rank_chart(t, "share", 1, kind="forum").set_index(["node", "window_start"])
    may = pd.Timestamp("2024-05-01", tz="UTC")
    april = pd.Timestamp("2024-04-01", tz="UTC")
    assert chart.loc[("forum:UN", may), "status"] == "absent" and chart.loc[("forum:UN", may), "y"] == 3
    assert chart.loc[("forum:SCO", april), "status"] == "below" and chart.loc[("forum:SCO", april), "y"] == 2
    assert "forum:G20" not in chart.index.get_level_values(0)  # never in the top 1


def test_rank_chart_highlights_leaders_and_a_planted_mover():
    # ten nodes with fixed ranks; node 9 climbs from rank 9 to rank 2 in the second half
    starts = pd.date_range("2024-01-01", periods=12, freq="MS", tz="UTC")
    rows = []
    for w, start in enumerate(starts):
        order = [f"country:C{i}" for i in range(10)]
        if w >= 6:
            order.insert(1, order.pop(9))
        for rank, node in enumerate(order, start=1):
            rows.append((start, start + pd.offsets.MonthBegin(1), node, "country", "share", 1 / rank, rank))
    t = pd.DataFrame(rows, columns=["window_start", "window_end", "node", "kind", "metric", "value", "rank"])
    chart = rank_chart(t, "share", 10, kind="country", leaders=3, movers=1)
    assert chart.attrs["leaders"] == ["country:C0", "country:C1", "country:C2"]
    assert chart.attrs["movers"] == ["country:C9"]


@pytest.mark.parametrize(("n_windows", "size"), [(24, "double"), (105, "double"), (24, "single"), (105, "single")])
def test_rank_figure_has_a_chart_per_kind_draws_the_timeline_ranks_and_fits_a_page(n_windows, size):
    windows = fixture_windows(n_windows, freq="MS" if n_windows == 24 else "W-MON")
    tl = window_timeline(windows)
    sizes = window_sizes(windows, min_posts=20)
    fig = plot_rank_changes(tl, top=6, sizes=sizes, size=size)
    assert fig.get_size_inches()[0] <= PAGE[0] and fig.get_size_inches()[1] <= PAGE[1]
    assert [ax.get_title(loc="left").split(":")[0] for ax in fig.axes] == ["Countries", "Forums"]
    for ax, kind in zip(fig.axes, ("country", "forum")):
        check_rank_chart(fig, ax, tl, sizes, kind)


def check_rank_chart(fig, ax, tl, sizes, kind):
    chart = rank_chart(tl, "share", 6, kind=kind, sizes=sizes)
    lit = chart.attrs["leaders"] + chart.attrs["movers"]
    bumps = {line.get_gid()[5:]: line for line in ax.lines if (line.get_gid() or "").startswith("bump:")}
    assert list(bumps) == lit and set(chart["node"].str.split(":").str[0]) == {kind}
    for node, line in bumps.items():
        ranks = tl[(tl["node"] == node)].set_index("window_start")["rank"]
        starts = sorted(tl["window_start"].unique())
        expected = [float(ranks[s]) if s in ranks.index and ranks[s] <= 6 else np.nan for s in starts]
        assert np.array_equal(np.asarray(line.get_ydata(), float), expected, equal_nan=True)
    # distinct rows: "> 6" and "not mentioned"
    ticks = {t.get_text(): t.get_position()[1] for t in ax.get_yticklabels()}
    assert ticks["> 6"] == 7 and ticks["not mentioned"] == 8
    # labels at both ends (at the right end only in a single column), in the lines' colours
    colours = {line_colour(bumps[n]) for n in lit}
    left = [t for t in ax.texts if t.get_ha() == "right"]
    right = [t for t in ax.texts if t.get_ha() == "left"]
    narrow = fig.get_size_inches()[0] < NARROW
    assert len(right) == len(lit) and len(left) == (0 if narrow else len(lit))
    assert {matplotlib.colors.to_hex(t.get_color()) for t in left + right} == colours
    # the windows keep most of the axes' width (labels never squeeze the data away)
    lo, hi = ax.get_xlim()
    n = len(tl["window_start"].unique())
    assert n / (hi - lo) >= 0.6
    # the title and the note stay within the figure
    renderer = fig.canvas.get_renderer()
    width = fig.bbox.width
    for text in (ax.title, ax._left_title, ax.xaxis.label):
        box = text.get_window_extent(renderer)
        assert box.x0 >= 0 and box.x1 <= width + 1, text.get_text()
    assert overlapping_pairs(fig, left) == 0 and overlapping_pairs(fig, right) == 0
    assert ax.get_ylim()[0] > ax.get_ylim()[1]  # rank 1 on top


def line_colour(line) -> str:
    return matplotlib.colors.to_hex(line.get_color())


# --- per-window networks -------------------------------------------------------------------------


def test_small_multiples_fix_positions_and_fade_absent_nodes():
    windows = fixture_windows(4)
    fig = plot_network_small_multiples(windows, ncols=3, seed=1)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == 4 and len(fig.axes) == 6
    pos = network_layout(union_graph([g for *_, g in windows]), "force", seed=1)
    for ax, (_, _, g) in zip(panels, windows):
        points = sorted(
            tuple(map(float, p)) for c in ax.collections if isinstance(c, PathCollection) for p in c.get_offsets()
        )
        assert np.allclose(points, sorted(pos.values()))
        faded = [
            c
            for c in ax.collections
            if isinstance(c, PathCollection) and matplotlib.colors.to_hex(c.get_facecolors()[0]) == "#d9d9d9"
        ]
        assert sum(len(c.get_offsets()) for c in faded) == len(pos) - g.number_of_nodes()
    titles = [ax.get_title().split("\n") for ax in panels]
    assert [t[0] for t in titles] == ["Apr 2024", "May 2024", "Jun 2024", "Jul 2024"]
    assert [t[1] for t in titles] == [
        f"{g.graph['posts']} posts" + (" (few)" if g.graph["posts"] < 20 else "") for *_, g in windows
    ]


@pytest.mark.parametrize(("n_windows", "size", "cap"), [(24, "double", 16), (105, "double", 16), (24, "single", 8)])
def test_small_multiples_fit_one_page_and_say_which_windows(n_windows, size, cap):
    windows = fixture_windows(n_windows, freq="MS" if n_windows == 24 else "W-MON")
    fig = plot_network_small_multiples(windows, size=size)
    w, h = fig.get_size_inches()
    assert w <= PAGE[0] and h <= PAGE[1]
    shown = fig.netanalysis_windows
    assert len(shown) == cap and shown == sorted(shown)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title().split("\n")[0] for ax in panels] == [window_title(*windows[i][:2]) for i in shown]
    note = fig.legends[0].get_title()
    assert note.get_text().startswith(f"{cap} of {n_windows} windows")
    # the note stays within the page, and below every panel
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = note.get_window_extent(renderer)
    assert box.x0 >= 0 and box.x1 <= fig.bbox.width and box.y0 >= 0
    assert box.y1 <= min(ax.get_window_extent(renderer).y0 for ax in panels)


def test_small_multiples_name_each_windows_strongest_nodes():
    windows = fixture_windows(4)
    fig = plot_network_small_multiples(windows, max_labels=3, movers=0)
    for ax, (_, _, g) in zip([a for a in fig.axes if a.get_visible()], windows):
        strength = {n: g.degree(n, weight="weight") for n in g}
        top3 = sorted(strength, key=lambda n: (-strength[n], n))[:3]
        shown = {t.get_text() for t in ax.texts if t.get_visible()}
        assert {g.nodes[n]["label"] for n in top3} <= shown | {g.nodes[n]["entity"] for n in top3}


def test_window_ticks_never_print_two_labels_over_each_other():
    # 105 fortnights from 27 December 2021: the first window is December's, the second
    # January's; their year labels were printed over each other at the axis' left end
    from matplotlib.figure import Figure

    from netanalysis.render.time_axis import window_ticks

    starts = list(pd.date_range("2021-12-27", periods=105, freq="14D"))
    ends = [s + pd.Timedelta(days=14) for s in starts]
    ax = Figure(figsize=(7.2, 4)).add_subplot()
    window_ticks(ax, starts, ends)
    ticks = list(ax.get_xticks())
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["2022", "2023", "2024", "2025"]
    assert min(np.diff(ticks)) >= 105 // 18


def test_windows_the_corpus_covers_in_part_are_hatched_in_the_posts_strip():
    """windows.csv's partial flag reaches the figure: those windows' bars are hatched, the
    others not, and the legend says how many there are."""
    windows = fixture_windows(6)
    tl = window_timeline(windows)
    table = window_sizes(windows, min_posts=1)
    assert not table["partial"].any()  # the window graphs alone do not say what the corpus covers
    table["partial"] = [True, False, False, False, False, True]
    table["small"] = False
    sizes = window_sizes(table)  # as read from windows.csv: its flags are kept
    assert sizes["partial"].tolist() == [True, False, False, False, False, True]
    fig = plot_centrality_over_time(tl, top=5, sizes=sizes, size="double")
    strip = fig.axes[-1]
    bars = [p for p in strip.patches if p.get_width() < 1]
    assert [bool(p.get_hatch()) for p in bars] == sizes["partial"].tolist()
    (text,) = [t.get_text() for t in strip.get_legend().get_texts()]
    assert text.startswith("2 of 6 windows\npartly covered")


@pytest.mark.parametrize(
    "posts, labels",
    [([3, 7, 12], ["0", "10"]), ([9_000, 70_500, 71_000], ["0", "70,000"]), ([1_200_000, 900_000], ["0", "1,000,000"])],
)
def test_the_posts_strip_writes_its_counts_as_the_report_does(posts, labels):
    """The strip's counts are grouped by thousands from 10,000, as the report's: "70,000", not
    matplotlib's "70000" (nor "1" under a "1e6" apart)."""
    from matplotlib.figure import Figure

    from netanalysis.render.time_axis import posts_strip

    fig = Figure(figsize=(4, 1))
    ax = fig.add_subplot()
    posts_strip(ax, posts, [False] * len(posts), None)
    fig.canvas.draw()
    assert [t.get_text() for t in ax.get_yticklabels()] == labels
    assert not ax.yaxis.get_offset_text().get_text()
