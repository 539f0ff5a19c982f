"""How centrality changes over time: line chart of the leading nodes, and a bump chart of ranks.

The data come from :func:`netanalysis.analysis.plotdata.top_nodes_over_time` and
:func:`netanalysis.analysis.plotdata.rank_changes`; lines are labelled directly at their ends
(no legend to decode), labels spread apart so they never overlap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.colors import to_hex, to_rgb
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import ScaledTranslation

from netanalysis.analysis.plotdata import rank_changes, timeline_windows, top_nodes_over_time
from netanalysis.render.labels import repel_labels, spread_column_labels
from netanalysis.render.style import TOL_MUTED, figure_style, new_axes, window_title

__all__ = ["plot_centrality_over_time", "plot_rank_changes", "METRIC_LABELS"]

#: Axis labels for the centrality measures of the timeline.
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

_STYLES = ("-", "--", ":", "-.")
_HALO = [patheffects.withStroke(linewidth=1.6, foreground="white")]


_MUTED = "#BBBBBB"


def _line_style(i: int) -> dict:
    return {"color": TOL_MUTED[i % len(TOL_MUTED)], "linestyle": _STYLES[(i // len(TOL_MUTED)) % len(_STYLES)]}


def _tied(points: Sequence[tuple[float, float, str, str]]) -> list[tuple[float, float, str, str]]:
    """One label per drawn point: names of nodes tied at the same place joined, three a line.

    Tied nodes share a point (and their lines overlap), so one label lists them all, in dark
    grey when they have different colours.
    """
    groups: dict[tuple[float, float], list[tuple[str, str]]] = {}
    for x, y, name, color in points:
        groups.setdefault((x, y), []).append((name, color))
    out = []
    for (x, y), members in groups.items():
        names = [m[0] for m in members]
        lines = [", ".join(names[i : i + 3]) for i in range(0, len(names), 3)]
        colors = {m[1] for m in members}
        out.append((x, y, ",\n".join(lines), colors.pop() if len(colors) == 1 else "#333333"))
    return out


def _text_color(color: str) -> str:
    """The line colour, darkened when too light to read as text on white."""
    r, g, b = to_rgb(color)
    if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.55:
        return to_hex((r * 0.6, g * 0.6, b * 0.6))
    return color


def _labels_from(timeline: pd.DataFrame, labels: Mapping[str, str] | None) -> dict:
    """Display labels: the ``labels`` mapping, else a ``label`` column, else the id suffix."""
    found = {}
    if "label" in timeline.columns:
        found = dict(timeline[["node", "label"]].dropna().drop_duplicates("node").itertuples(index=False, name=None))
    found.update(labels or {})
    return found


def _node_text(node: str, labels: Mapping[str, str] | None) -> str:
    if labels and node in labels:
        return str(labels[node])
    return str(node).split(":", 1)[-1]


def _window_ticks(
    ax: Axes,
    starts: Sequence[pd.Timestamp],
    ends: Sequence,
    x: np.ndarray,
) -> None:
    names = [window_title(s, e) for s, e in zip(starts, ends)]
    step = max(1, int(np.ceil(len(x) / 8)))
    ax.set_xticks(x[::step], names[::step])
    if len(x) > 4 or max((len(n) for n in names), default=0) > 9:
        for t in ax.get_xticklabels():
            t.set_rotation(40)
            t.set_ha("right")
            t.set_rotation_mode("anchor")


def _end_labels(ax: Axes, points: Sequence[tuple[float, float, str, str]], *, side: str) -> list[Text]:
    """Texts beside line ends (``side`` "right" or "left"), spread vertically."""
    fig = ax.figure
    dx = 4 / 72 if side == "right" else -4 / 72
    offset = ax.transData + ScaledTranslation(dx, 0, fig.dpi_scale_trans)
    texts = [
        ax.text(
            x,
            y,
            name,
            color=_text_color(color),
            transform=offset,
            va="center",
            ha="left" if side == "right" else "right",
            clip_on=False,
        )
        for x, y, name, color in points
    ]
    return texts


def _place(ax: Axes, texts: list[Text]) -> None:
    """Spread labels after the layout is settled (twice: labels themselves move the layout)."""
    fig = ax.figure
    wanted = [t.get_position() for t in texts]
    for _ in range(2):
        if fig.get_layout_engine() is not None:
            fig.get_layout_engine().execute(fig)
        for t, p in zip(texts, wanted):
            t.set_position(p)
        spread_column_labels(ax, texts, pad=0.5)


def _windows(timeline: pd.DataFrame) -> tuple[list, list]:
    pairs = timeline_windows(timeline)
    return [s for s, _ in pairs], [e for _, e in pairs]


def plot_centrality_over_time(
    timeline: pd.DataFrame,
    *,
    metric: str = "pagerank",
    top: int = 8,
    kind: str | None = None,
    ax: Axes | None = None,
    labels: Mapping[str, str] | None = None,
    size: str | float | tuple[float, float] = "single",
    font_size: float = 7.0,
    title: str | None = None,
) -> Figure:
    """Line chart of ``metric`` per window for the ``top`` nodes with the highest mean value.

    Parameters
    ----------
    timeline : DataFrame
        Tidy timeline (``window_start, window_end, node, kind, metric, value, rank``).
    metric : str
        Which metric to draw.
    top : int
        Number of nodes (chosen by :func:`~netanalysis.analysis.plotdata.top_nodes_over_time`).
    kind : {"country", "forum"}, optional
        Draw only countries or only forums.
    labels : mapping, optional
        Display label per node id (default: the id after ``country:``/``forum:``).
    ax : Axes, optional
        Draw into this axes; otherwise a new figure of width ``size``.

    Returns
    -------
    Figure

    Notes
    -----
    A node absent from a window (not mentioned) is drawn at 0 there.
    """
    with matplotlib.rc_context(figure_style(font_size)):
        wide = top_nodes_over_time(timeline, metric, top, kind=kind).fillna(0.0)
        labels = _labels_from(timeline, labels)
        starts, ends = _windows(timeline)
        fig, ax = new_axes(ax, size, 2.6)
        x = np.arange(len(wide.index), dtype=float)
        ends_by_start = dict(zip(starts, ends))
        points = []
        for i, node in enumerate(wide.columns):
            style = _line_style(i)
            y = wide[node].to_numpy()
            ax.plot(
                x,
                y,
                marker="o",
                markersize=2.5,
                label=_node_text(node, labels),
                zorder=3 + (len(wide.columns) - i) * 0.01,
                **style,
            )
            points.append((x[-1], y[-1], _node_text(node, labels), style["color"]))
        _window_ticks(ax, list(wide.index), [ends_by_start.get(s) for s in wide.index], x)
        ax.set_xlim(-0.2, max(len(x) - 1, 0) + 0.2)
        ax.set_ylim(bottom=0)
        ax.set_ylabel(METRIC_LABELS.get(metric, metric))
        ax.grid(axis="y", linewidth=0.3, color="#DDDDDD")
        ax.set_axisbelow(True)
        if title:
            ax.set_title(title)
        _place(ax, _end_labels(ax, points, side="right"))
    return fig


def plot_rank_changes(
    timeline: pd.DataFrame,
    *,
    metric: str = "pagerank",
    top: int = 10,
    kind: str | None = "country",
    ax: Axes | None = None,
    labels: Mapping[str, str] | None = None,
    size: str | float | tuple[float, float] = "single",
    font_size: float = 7.0,
    title: str | None = None,
) -> Figure:
    """Bump chart: the rank of each node that was in the top ``top`` in some window.

    Ranks are the timeline's own ``rank`` column, which ranks within each kind, so the chart
    shows one kind (``kind="country"`` by default; ``"forum"``, or ``None`` for a timeline
    ranked over all nodes). A node outside the top (or not mentioned)
    in a window is drawn on a separate "> top" row with a hollow marker, so entries and exits
    stay visible. Nodes in the top at the last window are coloured and labelled at the right;
    the others are grey, labelled above their last point inside the top.

    Returns
    -------
    Figure
    """
    with matplotlib.rc_context(figure_style(font_size)):
        data = rank_changes(timeline, metric, top, kind=kind)
        labels = _labels_from(timeline, labels)
        starts, ends = _windows(timeline)
        out_row = top + 1
        # Colour order: by rank in the last window, then best rank anywhere.
        final = data[(data["window_start"] == starts[-1]) & data["in_top"]] if starts else data[:0]
        last = final.set_index("node")["rank"]
        best = data.groupby("node")["rank"].min()
        nodes = sorted(best.index, key=lambda n: (float(last.get(n, np.inf)), float(best[n]), n))
        fig, ax = new_axes(ax, size, max(2.2, 0.22 * (top + 1) + 0.9))
        right, inner = [], []
        any_out = False
        x = np.arange(len(starts), dtype=float)
        highlighted = [n for n in nodes if n in getattr(last, "index", ())]
        # Grey nodes (not in the top at the last window) first, so coloured lines lie on top.
        order = [n for n in nodes if n not in highlighted] + highlighted
        for node in order:
            lit = node in highlighted
            style = _line_style(highlighted.index(node)) if lit else {"color": _MUTED, "linestyle": "-"}
            rows = data[data["node"] == node].set_index("window_start")
            y = np.array(
                [float(rows["rank"][s]) if s in rows.index and rows["rank"][s] <= top else np.nan for s in starts]
            )
            y_all = np.where(np.isnan(y), out_row, y)
            any_out |= bool(np.isnan(y).any())
            z = 3 if lit else 2
            ax.plot(x, y_all, linewidth=0.6, alpha=0.5, zorder=z - 0.5, color=style["color"], linestyle=":")
            ax.plot(
                x,
                y,
                linewidth=1.6 if lit else 1.0,
                marker="o",
                markersize=3.5 if lit else 2.5,
                zorder=z,
                label=_node_text(node, labels),
                gid=f"bump:{node}",
                **style,
            )
            if np.isnan(y).any():
                ax.plot(
                    x[np.isnan(y)],
                    y_all[np.isnan(y)],
                    ls="",
                    marker="o",
                    markersize=2.5,
                    mfc="white",
                    mec=style["color"],
                    mew=0.7,
                    zorder=z,
                )
            name = _node_text(node, labels)
            if lit:
                right.append((x[-1], y[-1], name, style["color"]))
            else:
                j = int(np.flatnonzero(~np.isnan(y))[-1])
                inner.append((x[j], y[j], name, _MUTED))
        ax.set_yticks(
            range(1, top + 1 + int(any_out)), [str(r) for r in range(1, top + 1)] + ([f"> {top}"] if any_out else [])
        )
        ax.set_ylim(top + (1.6 if any_out else 0.6), 0.4)
        ax.set_xlim(-0.15, max(len(starts) - 1, 0) + 0.15)
        _window_ticks(ax, starts, ends, np.arange(len(starts), dtype=float))
        ax.set_ylabel(f"Rank by {METRIC_LABELS.get(metric, metric)}")
        ax.spines["left"].set_visible(False)
        ax.tick_params(axis="y", length=0)
        if title:
            ax.set_title(title)
        _place(ax, _end_labels(ax, _tied(right), side="right"))
        repel_labels(
            ax,
            [
                ax.text(
                    px,
                    py - 0.3,
                    name,
                    color="#777777",
                    ha="center",
                    va="bottom",
                    fontsize=font_size - 1.5,
                    path_effects=_HALO,
                    zorder=4,
                )
                for px, py, name, _ in _tied(inner)
            ],
        )
    return fig
