"""Direct labels at the ends of lines, in the lines' colours, spread apart, with leader lines.

Used by the trajectories and the rank charts: every label group (the right ends of one panel,
the left ends of a chart...) is added first, then the layout is settled once and every group
spread, so that a figure pays for one layout pass however many groups it labels.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import ScaledTranslation

from netanalysis.render.labels import spread_column_labels
from netanalysis.render.style import execute_layout

__all__ = ["Point", "LabelGroup", "add_end_labels", "settle_end_labels"]

#: A line end: x, y (data units), the label text, its colour.
Point = tuple[float, float, str, str]
#: The axes, the points and the texts of one group of labels.
LabelGroup = tuple[Axes, list[Point], list[Text]]


def add_end_labels(ax: Axes, points: Sequence[Point], *, side: str = "right") -> LabelGroup:
    """Texts beside line ends (``side`` "right" or "left"), not yet spread."""
    fig = ax.figure
    dx = 5 / 72 if side == "right" else -5 / 72
    offset = ax.transData + ScaledTranslation(dx, 0, fig.dpi_scale_trans)
    texts = [
        ax.text(
            x,
            y,
            name,
            color=color,
            transform=offset,
            va="center",
            ha="left" if side == "right" else "right",
            clip_on=False,
        )
        for x, y, name, color in points
    ]
    return ax, list(points), texts


def settle_end_labels(fig: Figure, groups: Sequence[LabelGroup], *, layout: bool = True) -> None:
    """Settle the layout with the labels in it, spread every group's labels apart, and draw their
    leader lines.

    One layout pass: spreading moves labels only vertically and within their axes' height, so
    the margins the pass made for them still hold afterwards. ``layout=False`` when the caller
    has just run the layout with these labels in place.
    """
    if layout:
        execute_layout(fig)
    for ax, points, texts in groups:
        spread_column_labels(ax, texts, pad=0.6)
        _leader_lines(ax, texts, points)


def _leader_lines(ax: Axes, texts: Sequence[Text], points: Sequence[Point]) -> None:
    """Thin lines from each point to its label where the label sits away from the point."""
    segments, colors = [], []
    inverse = ax.transData.inverted()
    for t, (x, y, _, color) in zip(texts, points):
        px, py = ax.transData.transform((x, y))
        tx, ty = t.get_transform().transform(t.get_position())
        if abs(ty - py) > 2.0:
            start = inverse.transform((px + 1.5 * np.sign(tx - px), py))
            end = inverse.transform((tx - 1.0 * np.sign(tx - px), ty))
            segments.append([start, end])
            colors.append(color)
    if segments:
        ax.add_collection(LineCollection(segments, colors=colors, linewidths=0.5, zorder=5, clip_on=False))
