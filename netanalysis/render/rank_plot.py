"""Rank charts (bump charts), one per kind, legible at 24 and at 100 windows.

The data come from :func:`netanalysis.analysis.plotdata.rank_chart`. Ranks 1..n, then a
"> n" row for nodes mentioned but ranked lower, then a separate "not mentioned" row, so that
falling out of the top and not being named are never the same mark. Only the leaders (best mean
rank) and the biggest movers are coloured, each with its own colour *and* marker and a label at
both ends of its line (leader lines where labels moved apart); every other node that was ever in
the top is a light grey line. Windows under ``--min-posts`` are shaded and their marks hollow.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from netanalysis.analysis.plotdata import rank_chart
from netanalysis.render.end_labels import Point, add_end_labels, settle_end_labels
from netanalysis.render.palette import line_style
from netanalysis.render.style import (
    PAGE_HEIGHT,
    execute_layout,
    figure_style,
    figure_width,
    freeze_layout,
    renderer_of,
)
from netanalysis.render.time_axis import shade_small, window_ticks
from netanalysis.render.timeline_plot import KIND_TITLES, METRIC_LABELS, labels_from, node_text

__all__ = ["plot_rank_changes"]

_GREY = "#CFCFCF"
#: Figures narrower than this (inches: a single column) label the lines at their right end only.
NARROW = 5.0


def plot_rank_changes(
    timeline: pd.DataFrame,
    *,
    metric: str = "share",
    top: int = 10,
    kind: str | None = None,
    sizes: pd.DataFrame | None = None,
    leaders: int | None = None,
    movers: int = 3,
    ax: Axes | None = None,
    labels: Mapping[str, str] | None = None,
    size: str | float | tuple[float, float] = "double",
    font_size: float = 7.0,
    title: str | None = None,
) -> Figure:
    """Bump charts, one per kind: the rank of every node that was in the top ``top`` in some window.

    Parameters
    ----------
    timeline : DataFrame
        ``timeline.csv``; its ``rank`` column is drawn as it is (ranked within window, kind
        and metric).
    kind : {"country", "forum"}, optional
        Chart one kind; by default one chart per kind (countries above forums), each as legible
        as alone. With ``ax``, one chart (countries unless ``kind`` says otherwise).
    sizes : DataFrame, optional
        Window sizes: small windows are shaded, and left out when choosing whom to colour.
    leaders, movers : int
        How many nodes to colour (see :func:`~netanalysis.analysis.plotdata.rank_chart`).

    Returns
    -------
    Figure
    """
    with matplotlib.rc_context(figure_style(font_size)):
        labels = labels_from(timeline, labels)
        if ax is not None or kind is not None:
            kinds = [kind or "country"]
        else:
            present = set(timeline.loc[timeline["metric"] == metric, "kind"]) if "kind" in timeline else set()
            kinds = [k for k in ("country", "forum") if k in present] or ["country"]
        charts = [rank_chart(timeline, metric, top, kind=k, sizes=sizes, leaders=leaders, movers=movers) for k in kinds]
        panel = max(2.2, 0.2 * (top + 2) + 1.2)
        if ax is not None:
            fig, axes = ax.figure, [ax]
        else:
            fig, axes = _panels(size, len(kinds), panel)
        ends = []
        for panel_ax, chart, k in zip(axes, charts, kinds):
            ends.append(_draw_chart(panel_ax, chart, labels, top=top, metric=metric, kind=k, sizes=sizes))
        if title:
            axes[0].set_title(title)
        # the right labels first (they set the right margin), one layout pass, then the left ones
        # inside the axes, in room made for them left of the first window
        # (below NARROW inches the data would have no room left: the right labels only)
        right = [add_end_labels(panel_ax, points, side="right") for panel_ax, (_, points) in zip(axes, ends)]
        execute_layout(fig)
        left = []
        if fig.get_size_inches()[0] >= NARROW:
            for panel_ax, (points, _) in zip(axes, ends):
                _room_on_the_left(panel_ax, [p[2] for p in points])
            left = [add_end_labels(panel_ax, points, side="left") for panel_ax, (points, _) in zip(axes, ends)]
        settle_end_labels(fig, right + left, layout=False)
        if ax is None:
            freeze_layout(fig, execute=False)
    return fig


def _panels(size: str | float | tuple[float, float], n: int, panel: float) -> tuple[Figure, list[Axes]]:
    width = figure_width(size)
    height = float(size[1]) if isinstance(size, tuple) else min(panel * n + 0.2, PAGE_HEIGHT)
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    fig.get_layout_engine().set(w_pad=0.02, h_pad=0.03, wspace=0.02, hspace=0.06)
    return fig, list(fig.subplots(n, 1, squeeze=False)[:, 0])


def _draw_chart(
    ax: Axes,
    data: pd.DataFrame,
    labels: Mapping[str, str],
    *,
    top: int,
    metric: str,
    kind: str,
    sizes: pd.DataFrame | None,
) -> tuple[list[Point], list[Point]]:
    """One kind's chart; returns the points to label at the left and at the right."""
    lit = list(data.attrs["leaders"]) + list(data.attrs["movers"])
    windows = data.attrs["windows"]
    starts, ends = list(windows["window_start"]), list(windows["window_end"])
    small = windows["small"].to_numpy(dtype=bool)
    n = len(starts)
    x = np.arange(n, dtype=float)
    shade_small(ax, small)
    by_node = {node: rows for node, rows in data.groupby("node", sort=True)}
    for node, rows in by_node.items():
        if node in lit:
            continue
        top_y = np.where(rows["status"] == "top", rows["y"], np.nan).astype(float)
        ax.plot(x, top_y, color=_GREY, linewidth=0.7, zorder=1.5, marker="o" if n <= 30 else None, ms=1.6)
    left: list[Point] = []
    right: list[Point] = []
    lane = min(0.09, 0.75 / max(len(lit), 1))
    for i, node in enumerate(lit):
        style = line_style(i)
        rows = by_node[node]
        status = rows["status"].to_numpy()
        # each highlighted node has its own lane inside the "> n" and "not mentioned" rows
        y = rows["y"].to_numpy(dtype=float) + np.where(status == "top", 0.0, (i - (len(lit) - 1) / 2) * lane)
        z = 3 + (len(lit) - i) * 0.01
        _draw_lit(ax, x, y, status, small, style, z, many=n > 30, gid=f"bump:{node}")
        name = node_text(node, labels)
        left.append((x[0], y[0], name, style["color"]))
        right.append((x[-1], y[-1], name, style["color"]))
    _rank_axis(ax, top, metric)
    ax.set_xlim(-0.5, max(n - 1, 0) + 0.5)
    window_ticks(ax, starts, ends)
    width = ax.figure.get_size_inches()[0]
    title = f"{KIND_TITLES.get(kind, kind)}: rank by {METRIC_LABELS.get(metric, metric).lower()}"
    ax.set_title(textwrap.fill(title, max(24, int(width * 10))), loc="left")
    _note(ax, data, top, bool(small.any()), sizes)
    return left, right


def _draw_lit(
    ax: Axes,
    x: np.ndarray,
    y: np.ndarray,
    status: np.ndarray,
    small: np.ndarray,
    style: dict,
    z: float,
    *,
    many: bool,
    gid: str,
) -> None:
    """One highlighted line: solid through the windows in the top (filled marks, hollow in small
    windows); in the out rows a mark per window (dotted joins when the windows are few)."""
    n = len(x)
    inside = status == "top"
    every = max(1, int(np.ceil(n / 24)))
    marks = np.zeros(n, dtype=bool)
    marks[::every] = True
    marks[[0, -1]] = True
    ax.plot(
        x,
        np.where(inside, y, np.nan),
        color=style["color"],
        linewidth=1.5,
        zorder=z,
        gid=gid,
        marker=style["marker"],
        ms=3.4,
        markevery=list(np.flatnonzero(marks & inside & ~small)),
    )
    hollow = inside & small & marks
    ax.plot(
        x[hollow], y[hollow], ls="", marker=style["marker"], ms=3.0, mfc="white", mec=style["color"], mew=0.7, zorder=z
    )
    out = ~inside
    if many:
        ax.plot(x[out], y[out], ls="", marker="|", ms=3.0, mew=0.8, color=style["color"], zorder=z)
        return
    joins = [[(x[k], y[k]), (x[k + 1], y[k + 1])] for k in range(n - 1) if out[k] or out[k + 1]]
    ax.add_collection(
        LineCollection(joins, colors=style["color"], linewidths=0.5, linestyles=":", alpha=0.7, zorder=z - 0.5)
    )
    ax.plot(x[out], y[out], ls="", marker=style["marker"], ms=2.4, mfc="white", mec=style["color"], mew=0.6, zorder=z)


def _room_on_the_left(ax: Axes, names: list[str]) -> None:
    """Widen the x range to the left so that the left labels sit inside the axes, clear of the
    rank numbers (the layout must be settled)."""
    if not names:
        return
    fig = ax.figure
    renderer = renderer_of(fig)
    probe = [ax.text(0, 0, name) for name in names]
    widest = max(t.get_window_extent(renderer).width for t in probe) + 12 * fig.dpi / 72
    for t in probe:
        t.remove()
    width = ax.get_window_extent(renderer).width
    lo, hi = ax.get_xlim()
    span = (hi - lo) / max(1.0 - widest / width, 0.3)
    ax.set_xlim(hi - span, hi)


def _rank_axis(ax: Axes, top: int, metric: str) -> None:
    ticks = [r for r in range(1, top + 1) if top <= 12 or r == 1 or r % 5 == 0]
    ax.set_yticks(ticks + [top + 1, top + 2], [str(r) for r in ticks] + [f"> {top}", "not mentioned"])
    ax.set_ylim(top + 2.6, 0.4)
    ax.axhline(top + 0.5, color="#999999", linewidth=0.4)
    ax.axhline(top + 1.5, color="#999999", linewidth=0.4, linestyle=(0, (2, 2)))
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.set_ylabel("Rank")


def _note(ax: Axes, data: pd.DataFrame, top: int, any_small: bool, sizes: pd.DataFrame | None) -> None:
    leaders, movers = data.attrs["leaders"], data.attrs["movers"]
    grey = len(set(data["node"])) - len(leaders) - len(movers)
    text = f"Coloured: the {len(leaders)} with the best mean rank"
    if movers:
        text += f" and the {len(movers)} that moved most (first vs last third of the windows)"
    if grey > 0:
        text += f"; grey: {grey} others ranked in the top {top} at least once"
    if any_small:
        minimum = sizes.attrs.get("min_posts") if sizes is not None else None
        text += f"; shaded: windows under {minimum} posts" if minimum else "; shaded: windows with few posts"
    # (the axes start about 1.2 in from the figure's left edge, past the rank rows' names)
    width = ax.figure.get_size_inches()[0] - 1.2
    ax.set_xlabel(textwrap.fill(text + ".", max(30, int(width * 20))), loc="left", fontsize=5.5, color="#555555")
