"""The comparison's figures: the groups' networks side by side on one layout, the difference
network, and the log-odds ("fightin' words") plot.

Every panel places a node where the others do (one force layout of the groups' networks
together, :func:`netanalysis.analysis.compare_plotdata.shared_graph`); widths and areas are
shares of each group's posts, so groups of different sizes compare directly. Groups keep one
colour in every figure (Okabe-Ito, colour-blind safe); countries are circles, forums squares.
"""

from __future__ import annotations

import math
import textwrap

import matplotlib
import matplotlib.ticker
import networkx as nx
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from netanalysis.analysis.compare import REST, Comparison
from netanalysis.analysis.compare_plotdata import difference_edges, log_odds_points, shared_graph
from netanalysis.analysis.plotdata import network_layout
from netanalysis.render.labels import repel_labels
from netanalysis.render.network_draw import draw_nodes, label_everything
from netanalysis.render.style import EDGE_COLOR, SIDE_COLORS, figure_style, figure_width

__all__ = ["group_colors", "plot_group_networks", "plot_difference_network", "plot_log_odds"]

_FADED = "#D9D9D9"
_NO_DIFFERENCE = "#BBBBBB"
_NODE = "#4D4D4D"
#: Group colours: Okabe-Ito without the blue and vermillion of the two sides, then Tol's muted.
GROUP_PALETTE = ("#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#332288", "#882255", "#999933", "#44AA99")


def group_colors(comparison: Comparison) -> dict[str, str]:
    """One colour per group (grey beyond the palette, dark grey for "rest")."""
    colors = {g: GROUP_PALETTE[i] if i < len(GROUP_PALETTE) else "#BBBBBB" for i, g in enumerate(comparison.groups)}
    colors[REST] = "#555555"
    return colors


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _labels(ax: Axes, U: nx.Graph, pos: dict, chosen: list, areas: dict, *, font_size: float, present: set) -> None:
    """Label ``chosen`` (most important first) beside their nodes without overlap (the run's
    figures' placement: further out with a leader line, or the short form, when crowded); labels
    of nodes not in ``present`` are grey."""
    if not chosen:
        return
    before = len(ax.texts)
    label_everything(ax, U, pos, chosen, areas, font_size=font_size)
    for n, text in zip(chosen, ax.texts[before:]):
        if n not in present:
            text.set_color("#AAAAAA")


def _frame(ax: Axes, pos: dict) -> None:
    xs = [p[0] for p in pos.values()] or [0.0]
    ys = [p[1] for p in pos.values()] or [0.0]
    ax.set_xlim(min(xs) - 0.15, max(xs) + 0.15)
    ax.set_ylim(min(ys) - 0.12, max(ys) + 0.15)
    ax.set_axis_off()


def plot_group_networks(
    comparison: Comparison,
    *,
    top: int = 45,
    seed: int = 0,
    size: str | float | tuple[float, float] = "double",
    font_size: float = 7.0,
    max_labels: int = 10,
    min_posts: int = 2,
) -> Figure:
    """Each group's network in its own panel, on one shared layout.

    Edge width is the share of the group's posts naming both ends, node area the share naming
    the node, on one scale for all panels; nodes a group never names are drawn faded, edges of
    fewer than ``min_posts`` posts of the group are left out. The ``top`` nodes of all groups
    together are shown (see :func:`shared_graph`); the ``max_labels`` strongest of them and each
    group's three most named are labelled in every panel.
    """
    groups = comparison.groups
    with matplotlib.rc_context(figure_style(font_size)):
        U = shared_graph(comparison, top=top)
        pos = network_layout(U, "force", seed=seed)
        ncols = 2 if len(groups) == 4 else min(len(groups), 3)
        nrows = math.ceil(len(groups) / ncols)
        width = figure_width(size)
        fig = _figure(width, (width / ncols) * 0.9 * nrows + 0.5)
        axes = fig.subplots(nrows, ncols, squeeze=False)
        for ax in axes.flat[len(groups) :]:
            ax.set_visible(False)
        units = dict(zip(comparison.summary["group"], comparison.summary["units"]))
        shares, node_shares = [], []
        for g in groups:
            G = comparison.networks[g].graph
            n = max(int(units.get(g, 0)), 1)
            shares.append({frozenset((u, v)): d["weight"] / n for u, v, d in G.edges(data=True)})
            node_shares.append({v: G.nodes[v].get("posts", 0) / n for v in G})
        wmax = max((max(s.values(), default=0.0) for s in shares), default=0.0) or 1.0
        nmax = max((max((s.get(v, 0.0) for v in U), default=0.0) for s in node_shares), default=0.0) or 1.0
        strength = dict(U.degree(weight="weight"))
        chosen = sorted(U, key=lambda v: (-strength[v], str(v)))[:max_labels]
        chosen += [v for v in _over_used_nodes(comparison, per_group=3) if v in U and v not in chosen]
        panel_areas: list[dict] = []
        for ax, g, edge_share, node_share in zip(axes.flat, groups, shares, node_shares):
            G = comparison.networks[g].graph
            present = {v for v in U if v in G}
            segments, widths = [], []
            n_posts = max(int(units.get(g, 0)), 1)
            for u, v in U.edges:
                w = edge_share.get(frozenset((u, v)), 0.0)
                if w * n_posts >= min_posts - 1e-9:
                    segments.append((pos[u], pos[v]))
                    widths.append(0.2 + 3.0 * w / wmax)
            ax.add_collection(LineCollection(segments, linewidths=widths, colors=EDGE_COLOR, alpha=0.45, zorder=1))
            areas = {v: 6.0 + 160.0 * node_share.get(v, 0.0) / nmax for v in U}
            colors = {v: SIDE_COLORS[U.nodes[v].get("kind", "country")] if v in present else _FADED for v in U}
            draw_nodes(ax, U, pos, areas, colors)
            panel_areas.append(areas)
            _frame(ax, pos)
            ax.set_title(f"{g}\n{int(units.get(g, 0)):,} posts", fontsize=font_size + 0.5)
        fig.legend(
            handles=[
                Line2D([], [], marker="o", ls="", color=SIDE_COLORS["country"], label="Country"),
                Line2D([], [], marker="s", ls="", color=SIDE_COLORS["forum"], label="Forum"),
                Line2D([], [], marker="o", ls="", color=_FADED, label="Not named by the group"),
            ],
            loc="outside lower center",
            ncols=3,
            title=f"Edge width and node area: share of the group's posts (edges of {min_posts}+ posts)",
        )
        fig.get_layout_engine().execute(fig)
        for ax, g, areas in zip(axes.flat, groups, panel_areas):
            G = comparison.networks[g].graph
            _labels(ax, U, pos, chosen, areas, font_size=font_size - 1.5, present={v for v in U if v in G})
    return fig


def _short(name: str, limit: int = 24) -> str:
    """A group's name cut to ``limit`` characters (for axis labels)."""
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def _over_used_nodes(comparison: Comparison, *, per_group: int) -> list[str]:
    """Each group's ``per_group`` nodes of largest |z| among those it significantly over-uses."""
    nodes = comparison.nodes
    hits = nodes[nodes["significant"] & nodes["over_used_by"].isin(comparison.groups)]
    hits = hits.assign(_z=hits["z"].abs()).sort_values(["_z", "node"], ascending=[False, True])
    return [str(n) for _, part in hits.groupby("over_used_by", sort=True) for n in part["node"].head(per_group)]


def plot_difference_network(
    comparison: Comparison,
    *,
    top: int = 45,
    seed: int = 0,
    size: str | float | tuple[float, float] = "double",
    font_size: float = 7.0,
    max_labels: int = 40,
    max_edges: int = 60,
) -> Figure:
    """The edges of the shared layout coloured by the group that over-uses them (q < alpha),
    width by |z| of the log-odds (the ``max_edges`` largest differences); edges without a
    significant difference thin and grey. Nodes are grey (countries circles, forums squares)."""
    colors = group_colors(comparison)
    with matplotlib.rc_context(figure_style(font_size)):
        U = shared_graph(comparison, top=top)
        pos = network_layout(U, "force", seed=seed)
        width = figure_width(size)
        fig = _figure(width, width * 0.78 + 0.5)
        ax = fig.add_subplot()
        table = difference_edges(comparison)
        table = table[table["node_a"].isin(pos) & table["node_b"].isin(pos)]
        table = table[[U.has_edge(a, b) for a, b in zip(table["node_a"], table["node_b"])]]
        flat = table[table["over_used_by"] == ""]
        ax.add_collection(
            LineCollection(
                [(pos[a], pos[b]) for a, b in zip(flat["node_a"], flat["node_b"])],
                linewidths=0.3,
                colors=_NO_DIFFERENCE,
                alpha=0.5,
                zorder=1,
            )
        )
        marked = table[table["over_used_by"] != ""]
        marked = marked.assign(_z=marked["z"].abs()).sort_values(
            ["_z", "country", "forum"], ascending=[False, True, True]
        )
        marked = marked.head(max_edges).sort_values(["_z", "country", "forum"])
        zmax = float(marked["z"].abs().max()) if len(marked) else 1.0
        ax.add_collection(
            LineCollection(
                [(pos[a], pos[b]) for a, b in zip(marked["node_a"], marked["node_b"])],
                linewidths=[0.8 + 3.2 * abs(z) / zmax for z in marked["z"]],
                colors=[colors[g] for g in marked["over_used_by"]],
                alpha=0.85,
                zorder=1.5,
            )
        )
        strength = dict(U.degree(weight="weight"))
        areas = {v: 8.0 + 120.0 * math.sqrt(strength[v] / max(max(strength.values()), 1)) for v in U}
        draw_nodes(ax, U, pos, areas, {v: _NODE for v in U})
        _frame(ax, pos)
        weight_of: dict = {}
        for a, b, z in zip(marked["node_a"], marked["node_b"], marked["_z"]):
            weight_of[a] = weight_of.get(a, 0.0) + z
            weight_of[b] = weight_of.get(b, 0.0) + z
        chosen = sorted(weight_of, key=lambda v: (-weight_of[v], str(v)))[:max_labels]
        handles = [
            Line2D([], [], color=colors[g], lw=2.5, label=f"over-used by {g}")
            for g in comparison.groups
            if g in set(marked["over_used_by"])
        ]
        handles.append(Line2D([], [], color=_NO_DIFFERENCE, lw=1, label="no significant difference"))
        handles += [
            Line2D([], [], marker="o", ls="", color=_NODE, label="Country"),
            Line2D([], [], marker="s", ls="", color=_NODE, label="Forum"),
        ]
        fig.legend(
            handles=handles,
            loc="outside lower center",
            ncols=min(len(handles), 3),
            title=f"Edge colour: the group whose share of posts is larger (Fisher, BH q < {comparison.alpha:g}; "
            f"the {min(max_edges, len(table))} largest |z|); width: |log-odds z|",
        )
        fig.get_layout_engine().execute(fig)
        _labels(ax, U, pos, chosen, areas, font_size=font_size - 1.0, present=set(U))
    return fig


def plot_log_odds(
    comparison: Comparison,
    *,
    top: int = 6,
    size: str | float | tuple[float, float] = "double",
    font_size: float = 7.0,
) -> Figure:
    """Log-odds z-score of each edge against its posts in both sides, one panel per contrast;
    the ``top`` edges of each direction labelled, significant ones in the over-using group's colour."""
    colors = group_colors(comparison)
    points = log_odds_points(comparison)
    contrasts = comparison.contrasts
    with matplotlib.rc_context(figure_style(font_size)):
        ncols = 1 if len(contrasts) == 1 else 2
        nrows = math.ceil(len(contrasts) / ncols)
        width = figure_width(size)
        fig = _figure(width, (width / ncols) * 0.75 * nrows + 0.3)
        axes = fig.subplots(nrows, ncols, squeeze=False)
        for ax in axes.flat[len(contrasts) :]:
            ax.set_visible(False)
        for ax, (a, b) in zip(axes.flat, contrasts):
            part = points[(points["group"] == a) & (points["versus"] == b)]
            x = part["posts"].clip(lower=1).to_numpy(dtype=float)
            z = part["z"].to_numpy(dtype=float)
            ax.set_xscale("log")
            point_colors = [
                colors[g] if s else _NO_DIFFERENCE for g, s in zip(part["over_used_by"], part["significant"])
            ]
            ax.scatter(x, z, s=7, c=point_colors, linewidths=0, alpha=0.85, zorder=2)
            ax.axhline(0, color="#888888", lw=0.5, zorder=1)
            for level in (-1.96, 1.96):
                ax.axhline(level, color="#BBBBBB", lw=0.5, ls=(0, (3, 2)), zorder=1)
            # label the most extreme points of each side among the significant ones (a small group's
            # significant edges can have |z| < 1.96: the prior shrinks z, not the test)
            marked = part["significant"].to_numpy(dtype=bool) | (np.abs(np.nan_to_num(z)) > 1.96)
            order = [i for i in np.argsort(z) if marked[i] and np.isfinite(z[i])]
            shown = [*[i for i in order if z[i] < 0][:top], *[i for i in order[::-1] if z[i] > 0][:top]]
            ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
            finite = z[np.isfinite(z)]
            span = float(finite.max() - finite.min()) if len(finite) else 1.0
            if len(finite):
                ax.set_ylim(float(finite.min()) - 0.25 * span, float(finite.max()) + 0.25 * span)
            ax.set_xlim(0.7, float(x.max()) * 2.2 if len(x) else 10.0)
            labelled = list(dict.fromkeys(shown))
            texts = [
                ax.text(
                    x[i] * 1.08, z[i], part["edge"].iloc[i], fontsize=font_size - 1.5, ha="left", va="center", zorder=3
                )
                for i in labelled
            ]
            if texts:
                repel_labels(ax, texts, iterations=200)
                for i, t in zip(labelled, texts):  # a leader line to a label pushed off its point
                    tx, ty = t.get_position()
                    if abs(ty - z[i]) > 0.04 * span or abs(math.log10(tx / (x[i] * 1.08))) > 0.05:
                        ax.plot([x[i], tx], [z[i], ty], color="#999999", lw=0.3, zorder=1.5)
            ax.set_xlabel("posts naming both, both sides (log scale)")
            ax.set_ylabel("log-odds z\n" + "\n".join(textwrap.wrap(f"(> 0: more in {_short(a, 60)})", 30)))
            ax.set_title(f"{a} vs {b}", fontsize=font_size + 0.5)
    return fig
