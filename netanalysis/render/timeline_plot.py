"""Trajectories: the leading nodes' values per window, with intervals and window sizes.

The data come from :func:`netanalysis.analysis.plotdata.trajectories`. Every node asked for is
drawn (``--top``, no hidden cap), each with its own colour *and* marker (colour alone fails
under the common colour-vision deficiencies), labelled directly at its line's end in the line's
own colour, with a leader line where labels had to move apart. Bootstrap intervals are drawn as
bands where ``timeline.csv`` has them. Windows under ``--min-posts`` are shaded and their values
drawn as hollow marks, not joined to the line; a strip under the chart gives every window's posts.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from netanalysis.analysis.plotdata import trajectories
from netanalysis.render.end_labels import add_end_labels, settle_end_labels
from netanalysis.render.palette import line_style
from netanalysis.render.style import PAGE_HEIGHT, figure_style, figure_width, freeze_layout
from netanalysis.render.time_axis import partial_patch, posts_strip, shade_small, small_patch, window_ticks

__all__ = ["plot_centrality_over_time", "METRIC_LABELS", "KIND_TITLES", "labels_from", "node_text"]

#: Axis labels for the measures of the timeline.
METRIC_LABELS = {
    "pagerank": "PageRank",
    "degree": "Degree centrality",
    "strength": "Strength (co-mention posts)",
    "betweenness": "Betweenness centrality",
    "closeness": "Closeness centrality",
    "eigenvector": "Eigenvector centrality",
    "pagerank_scaled": "PageRank × number of nodes",
    "posts": "Posts",
    "share": "Share of posts naming the node",
}
KIND_TITLES = {"country": "Countries", "forum": "Forums", None: "Countries and forums"}


def labels_from(timeline: pd.DataFrame, labels: Mapping[str, str] | None) -> dict[str, str]:
    """Display labels: the ``labels`` mapping, else a ``label`` column, else the id suffix."""
    found: dict[str, str] = {}
    if "label" in timeline.columns:
        found = dict(timeline[["node", "label"]].dropna().drop_duplicates("node").itertuples(index=False, name=None))
    found.update(labels or {})
    return found


def node_text(node: str, labels: Mapping[str, str]) -> str:
    return str(labels[node]) if node in labels else str(node).split(":", 1)[-1]


def _marks(n: int, small: np.ndarray) -> list[int]:
    """Where markers go: about a dozen spread over the line, the last point, and every point not
    joined to a neighbour (isolated between small windows)."""
    step = max(1, int(np.ceil(n / 12)))
    every = set(range(n - 1, -1, -step))
    for i in range(n):
        if not small[i] and (i == 0 or small[i - 1]) and (i == n - 1 or small[i + 1]):
            every.add(i)
    return sorted(every)


def _draw_panel(
    ax: Axes, data: pd.DataFrame, labels: Mapping[str, str], *, metric: str, kind: str | None, bands: bool
) -> list[tuple[float, float, str, str]]:
    nodes = data.attrs["nodes"]
    small = data.attrs["windows"]["small"].to_numpy(dtype=bool)
    n = len(small)
    x = np.arange(n, dtype=float)
    shade_small(ax, small)
    ends = []
    for i, node in enumerate(nodes):
        style = line_style(i)
        rows = data[data["node"] == node]
        y = rows["value"].to_numpy(dtype=float)
        trend = np.where(small, np.nan, y)
        z = 3 + (len(nodes) - i) * 0.01
        if bands:
            lo = np.where(small, np.nan, rows["ci_low"].to_numpy(dtype=float))
            hi = np.where(small, np.nan, rows["ci_high"].to_numpy(dtype=float))
            ax.fill_between(x, lo, hi, color=style["color"], alpha=0.10, linewidth=0, zorder=1)
        ax.plot(
            x,
            trend,
            color=style["color"],
            linestyle=style["linestyle"],
            marker=style["marker"],
            markevery=_marks(n, small),
            markersize=3.2,
            linewidth=1.1,
            zorder=z,
            label=node_text(node, labels),
            gid=f"trajectory:{node}",
        )
        marked = small & rows["present"].to_numpy(dtype=bool)
        if marked.any():
            ax.plot(
                x[marked],
                y[marked],
                ls="",
                marker=style["marker"],
                markersize=2.6,
                mfc="white",
                mec=style["color"],
                mew=0.6,
                zorder=z,
                gid=f"small:{node}",
            )
        ends.append((x[-1], y[-1], node_text(node, labels), style["color"]))
    ax.set_xlim(-0.5, max(n - 1, 0) + 0.5)
    ax.set_ylim(bottom=0)
    ax.set_ylabel(METRIC_LABELS.get(metric, metric.replace("_", " ")))
    ax.grid(axis="y", linewidth=0.3, color="#DDDDDD")
    ax.set_axisbelow(True)
    ax.set_title(KIND_TITLES.get(kind, str(kind)))
    return ends


def plot_centrality_over_time(
    timeline: pd.DataFrame,
    *,
    metric: str = "share",
    top: int = 10,
    kind: str | None = None,
    sizes: pd.DataFrame | None = None,
    ax: Axes | None = None,
    labels: Mapping[str, str] | None = None,
    size: str | float | tuple[float, float] = "single",
    font_size: float = 7.0,
    title: str | None = None,
) -> Figure:
    """The ``top`` nodes' values of ``metric`` per window: one panel per kind, a posts strip.

    Parameters
    ----------
    timeline : DataFrame
        ``timeline.csv`` (``window_start, window_end, node, kind, metric, value, rank``; with
        ``ci_low, ci_high`` the intervals are drawn as bands).
    metric : str
        The measure (``share`` by default: comparable across windows of any size).
    top : int
        Nodes per panel: the highest mean over the windows with enough posts (all of them drawn).
    kind : {"country", "forum"}, optional
        One kind only; by default a panel per kind (countries, then forums). With ``ax``, one
        panel with the kind given (both kinds together when ``None``).
    sizes : DataFrame, optional
        Window sizes (:func:`~netanalysis.analysis.plotdata.window_sizes`): small windows are
        shaded and marked, and a strip shows the posts of every window.
    labels : mapping, optional
        Display label per node id (default: a ``label`` column, else the id after ``:``).

    Returns
    -------
    Figure

    Notes
    -----
    A node absent from a window (not mentioned) is drawn at 0 there.
    """
    with matplotlib.rc_context(figure_style(font_size)):
        labels = labels_from(timeline, labels)
        if ax is not None:
            kinds: list[str | None] = [kind]
        elif kind is not None:
            kinds = [kind]
        else:
            present = set(timeline.loc[timeline["metric"] == metric, "kind"]) if "kind" in timeline else set()
            kinds = [k for k in ("country", "forum") if k in present] or [None]
        datas = [trajectories(timeline, metric, top, kind=k, sizes=sizes) for k in kinds]
        windows = datas[0].attrs["windows"]
        starts, ends = list(windows["window_start"]), list(windows["window_end"])
        strip_ax: Axes | None = None
        if ax is not None:
            fig, axes = ax.figure, [ax]
        else:
            fig, axes, strip_ax = _grid(size, len(kinds), top, sizes is not None)
        labelled = []
        for panel, data, k in zip(axes, datas, kinds):
            points = _draw_panel(panel, data, labels, metric=metric, kind=k, bands=bool(data.attrs.get("bands")))
            labelled.append((panel, points))
            window_ticks(panel, starts, ends)
            if panel is not axes[-1] or strip_ax is not None:
                panel.tick_params(axis="x", labelbottom=False)
        if strip_ax is not None and sizes is not None:
            small = windows["small"].to_numpy(dtype=bool)
            partial = (windows["partial"] if "partial" in windows else pd.Series(False, index=windows.index)).to_numpy(
                dtype=bool
            )
            minimum = sizes.attrs.get("min_posts")
            posts_strip(strip_ax, windows["posts"].to_numpy(dtype=float), small, minimum, partial)
            window_ticks(strip_ax, starts, ends)
            handles = [small_patch(minimum, int(small.sum()), len(small))] if small.any() else []
            if partial.any():
                handles.append(partial_patch(int(partial.sum()), len(partial)))
            if handles:
                strip_ax.legend(
                    handles=handles,
                    loc="lower left",
                    bbox_to_anchor=(1.0, 0.0),
                    borderaxespad=0.1,
                    handlelength=1.2,
                )
        if title:
            axes[0].set_title(title)
        settle_end_labels(fig, [add_end_labels(panel, points) for panel, points in labelled])
        if ax is None:
            freeze_layout(fig, execute=False)
    return fig


def _grid(
    size: str | float | tuple[float, float], panels: int, top: int, strip: bool
) -> tuple[Figure, list[Axes], Axes | None]:
    width = figure_width(size)
    panel_height = float(np.clip(0.16 * top + 1.1, 1.9, 3.2))
    height = panel_height * panels + (0.75 if strip else 0) + 0.5
    if isinstance(size, tuple):
        height = float(size[1])
    height = min(height, PAGE_HEIGHT)
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    fig.get_layout_engine().set(w_pad=0.02, h_pad=0.02, wspace=0.02, hspace=0.04)
    ratios = [panel_height] * panels + ([0.55] if strip else [])
    axes = fig.subplots(len(ratios), 1, sharex=True, gridspec_kw={"height_ratios": ratios}, squeeze=False)[:, 0]
    return fig, list(axes[:panels]), (axes[-1] if strip else None)
