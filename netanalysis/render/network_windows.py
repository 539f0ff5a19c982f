"""The network in each time window as small multiples that fit one page.

Node positions are computed once on the union of all window graphs, so a node stays in the
same place in every panel; nodes absent from a window are drawn faded grey. Node areas and edge
widths share one scale across panels, so panels compare directly. With more windows than a page
holds, the panels go to the windows whose co-mention structure changed most
(:func:`~netanalysis.analysis.plotdata.windows_to_draw`); the figure says which and how many.
Each panel names the nodes that matter in its window: its strongest nodes and the biggest
movers since the window before (↑/↓), and its title gives the window's posts.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from netanalysis.analysis.plotdata import (
    network_layout,
    node_values,
    sides,
    union_graph,
    window_changes,
    window_labels,
    window_sizes,
    windows_to_draw,
)
from netanalysis.errors import GraphError
from netanalysis.render.network_draw import FADED, draw_edges, draw_nodes, label_everything
from netanalysis.render.palette import SIDE_COLORS, marker_area_range, scale
from netanalysis.render.style import PAGE_HEIGHT, figure_style, figure_width, freeze_layout, window_title

__all__ = ["plot_network_small_multiples", "panel_grid"]

_ARROWS = {"up": " ↑", "down": " ↓", "top": ""}


def panel_grid(width: float, n: int, ncols: int | None = None) -> tuple[int, int, int]:
    """Columns, rows and the most panels that fit a page ``width`` inches wide.

    Double column (7.2 in): 4 columns of 1.8 in, at most 4 rows (16 panels); single column
    (3.5 in): 2 columns, at most 4 rows (8 panels).

    Examples
    --------
    >>> panel_grid(7.2, 24), panel_grid(3.5, 5)
    ((4, 4, 16), (2, 3, 8))
    """
    cols = ncols if ncols else (4 if width >= 6 else (3 if width >= 4.5 else 2))
    panel = width / cols
    per_row = panel * 0.95 + 0.4
    max_rows = max(1, int((PAGE_HEIGHT - 0.6) // per_row))
    cap = cols * max_rows
    rows = math.ceil(min(n, cap) / cols)
    return cols, rows, cap


def plot_network_small_multiples(
    windows: Sequence[tuple],
    *,
    layout: str = "force",
    seed: int = 0,
    ncols: int | None = None,
    max_panels: int | None = None,
    size: str | float | tuple[float, float] = "double",
    font_size: float = 6.0,
    max_labels: int = 4,
    movers: int = 2,
    sizes: pd.DataFrame | None = None,
    weight: str = "weight",
) -> Figure:
    """One network panel per time window (or per chosen window), positions fixed across panels.

    Parameters
    ----------
    windows : sequence of (window_start, window_end, nx.Graph)
        The window graphs in time order.
    layout : {"force", "bipartite"}
        Layout of the union graph.
    ncols : int, optional
        Panels per row (default: 4 at double column width, 2 at single).
    max_panels : int, optional
        At most this many panels (default: as many as fit one page, see :func:`panel_grid`).
    max_labels, movers : int
        Each panel names its ``max_labels`` strongest nodes and its ``movers`` biggest movers.
    sizes : DataFrame, optional
        Window sizes (:func:`~netanalysis.analysis.plotdata.window_sizes`); default from the
        graphs. Small windows are marked in their title and chosen last.

    Returns
    -------
    Figure
        ``fig.netanalysis_windows`` lists the indices of the windows drawn.
    """
    if not windows:
        raise GraphError("no windows to draw")
    if layout not in ("force", "bipartite"):
        raise GraphError(f"unknown layout {layout!r}; expected 'force' or 'bipartite'")
    sizes = window_sizes(list(windows)) if sizes is None else sizes
    width = figure_width(size)
    cols, _, cap = panel_grid(width, len(windows), ncols)
    cap = min(cap, max_panels) if max_panels else cap
    shown = windows_to_draw(windows, cap, sizes=sizes)
    graphs = [g for _, _, g in windows]
    labels = window_labels(windows, top=max_labels, movers=movers, weight=weight)
    change = window_changes(windows)
    posts = sizes["posts"].to_numpy() if len(sizes) == len(windows) else np.full(len(windows), np.nan)
    small = sizes["small"].to_numpy(dtype=bool) if len(sizes) == len(windows) else np.zeros(len(windows), bool)
    with matplotlib.rc_context(figure_style(font_size)):
        U = union_graph(graphs, weight=weight)
        pos = network_layout(U, layout, seed=seed, weight=weight)
        strengths = [node_values(g, "strength", weight=weight) for g in graphs]
        smax = max((float(strengths[i].max()) for i in shown if len(strengths[i])), default=0.0)
        wmax = max((float(d.get(weight, 1.0)) for i in shown for _, _, d in graphs[i].edges(data=True)), default=None)
        cols = max(1, min(cols, len(shown)))
        rows = math.ceil(len(shown) / cols)
        panel = width / cols
        height = min((panel * 0.95 + 0.4) * rows + 0.6, PAGE_HEIGHT)
        fig = Figure(figsize=(width, height), layout="constrained")
        FigureCanvasAgg(fig)
        axes = fig.subplots(rows, cols, squeeze=False)
        lo, hi = marker_area_range(U.number_of_nodes())
        lo, hi = lo * 0.5, hi * 0.5
        cset = set(sides(U)[0])
        for ax in axes.flat[len(shown) :]:
            ax.set_visible(False)
        xs = [p[0] for p in pos.values()] or [0.0]
        ys = [p[1] for p in pos.values()] or [0.0]
        pad = 0.15 if layout == "force" else 0.1
        panel_areas = []
        for ax, i in zip(axes.flat, shown):
            start, end, g = windows[i]
            ax.set_axis_off()
            _panel_title(
                ax, window_title(start, end), posts[i], change[i] if len(shown) < len(windows) else None, small[i]
            )
            absent = [n for n in U.nodes if n not in g]
            if absent:
                xy = np.array([pos[n] for n in absent])
                ax.scatter(xy[:, 0], xy[:, 1], s=lo, c=FADED, marker="o", linewidths=0, zorder=0.5)
            present = g.subgraph(n for n in U.nodes if n in g)
            draw_edges(ax, present, pos, weight=weight, wmax=wmax, n_edges_hint=U.number_of_edges())
            areas = dict(zip(strengths[i].index, scale(strengths[i].to_numpy(), lo, hi, smax)))
            panel_areas.append(areas)
            colors = {n: SIDE_COLORS["country" if n in cset else "forum"] for n in present}
            draw_nodes(ax, present, pos, areas, colors)
            ax.set_xlim(min(xs) - pad, max(xs) + pad)
            ax.set_ylim(min(ys) - pad, max(ys) + pad)
        handles = [
            Line2D([], [], marker="o", ls="", color=SIDE_COLORS["country"], label="Country"),
            Line2D([], [], marker="s", ls="", color=SIDE_COLORS["forum"], label="Forum"),
            Line2D([], [], marker="o", ls="", color=FADED, label="Not mentioned in window"),
        ]
        note = _selection_note(len(shown), len(windows), sizes)
        # the note is the legend's title, wrapped to the figure's width: the layout keeps room for both
        chars = max(40, int(fig.get_size_inches()[0] * 21))
        legend = fig.legend(
            handles=handles,
            loc="outside lower center",
            ncols=3,
            handletextpad=0.2,
            title=textwrap.fill(note, chars) if note else None,
            title_fontproperties={"size": font_size - 1},
            frameon=False,
        )
        if note:
            legend.get_title().set_color("#555555")
        freeze_layout(fig)
        for ax, i, areas in zip(axes.flat, shown, panel_areas):
            chosen = [n for n in labels[i] if n in graphs[i]]
            g = graphs[i].copy()
            for n in chosen:
                g.nodes[n]["label"] = f"{U.nodes[n].get('label', n)}{_ARROWS[labels[i][n]]}"
            label_everything(ax, g, pos, chosen, areas, font_size=font_size - 0.5)
    fig.netanalysis_windows = list(shown)
    return fig


def _panel_title(ax, name: str, posts: float, change: float | None, small: bool) -> None:
    parts = []
    if not np.isnan(posts):
        parts.append(f"{int(posts):,} posts" + (" (few)" if small else ""))
    if change is not None and not np.isnan(change):
        parts.append(f"change {change:.2f}")
    text = name + ("\n" + " · ".join(parts) if parts else "")
    ax.set_title(text, loc="center", fontweight="normal", color="#999999" if small else "black", linespacing=1.1)


def _selection_note(shown: int, total: int, sizes: pd.DataFrame) -> str:
    if shown >= total:
        return ""
    return (
        f"{shown} of {total} windows: the first, then those whose co-mentions changed most from the window "
        "before (change = 1 − weighted Jaccard); the overlay view and the trajectories cover every window."
    )
