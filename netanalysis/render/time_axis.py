"""The time axis of the figures over windows: tick labels that stay legible from 3 to 200
windows, the windows too small for trends shaded, and a strip of posts per window.

Windows are placed at 0, 1, 2, ... (one step per window, whatever its length); tick labels
name windows by their calendar start: every window when few, else the first window of each
month, quarter or year, whichever gives at most about nine ticks.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from netanalysis.render.numbers import whole
from netanalysis.render.style import window_title

__all__ = ["window_ticks", "shade_small", "posts_strip", "SMALL_SHADE", "small_patch", "partial_patch"]

#: Background of windows under ``--min-posts``.
SMALL_SHADE = "#EEEEEE"
#: The hatching of the posts of windows the corpus covers only in part, and its colour.
PARTIAL_PATTERN = "////"
PARTIAL_HATCH = "#707070"


def _boundaries(starts: Sequence[pd.Timestamp], key) -> list[int]:
    out, last = [], None
    for i, s in enumerate(starts):
        k = key(pd.Timestamp(s))
        if k != last:
            out.append(i)
            last = k
    return out


def window_ticks(ax: Axes, starts: Sequence[pd.Timestamp], ends: Sequence, *, max_ticks: int = 9) -> None:
    """Label the x axis of windows placed at 0..n-1 (see the module notes)."""
    n = len(starts)
    x = np.arange(n)
    if n == 0:
        return
    # about one rotated date label per 0.8 inch of figure width
    max_ticks = min(max_ticks, max(3, int(ax.figure.get_size_inches()[0] * 1.25)))
    if n <= min(max_ticks, 12):
        names = [window_title(s, e) for s, e in zip(starts, ends)]
        ax.set_xticks(x, names)
        rotate = n > 4 or max(len(t) for t in names) > 9
    else:
        for key, fmt in (
            (lambda t: (t.year, t.month), "%b %Y"),
            (lambda t: (t.year, (t.month - 1) // 3), "%b %Y"),
            (lambda t: t.year, "%Y"),
        ):
            ticks = _boundaries(starts, key)
            if len(ticks) <= max_ticks:
                break
        else:
            step = int(np.ceil(len(ticks) / max_ticks))
            ticks = ticks[::step]
        # the first window may start just before a boundary (a fortnight from 27 December):
        # a label that close to the next one would be printed over it
        gap = max(1, n // (2 * max_ticks))
        ticks = [t for t, after in zip(ticks, ticks[1:] + [n + gap]) if after - t >= gap]
        ax.set_xticks(ticks, [pd.Timestamp(starts[i]).strftime(fmt) for i in ticks])
        ax.set_xticks(x, minor=True)
        ax.tick_params(axis="x", which="minor", length=1.5, width=0.4)
        rotate = fmt != "%Y"
    if rotate:
        for t in ax.get_xticklabels():
            t.set_rotation(40)
            t.set_ha("right")
            t.set_rotation_mode("anchor")


def shade_small(ax: Axes, small: Sequence[bool]) -> None:
    """Shade the columns of windows under ``--min-posts`` (runs of windows as one band)."""
    flags = np.asarray(small, dtype=bool)
    i = 0
    while i < len(flags):
        if not flags[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(flags) and flags[j + 1]:
            j += 1
        ax.axvspan(i - 0.5, j + 0.5, color=SMALL_SHADE, zorder=0, linewidth=0)
        i = j + 1


def small_patch(min_posts: int | None, count: int, total: int) -> Patch:
    """The legend entry of the shading: what it means and how many windows it covers."""
    text = f"under {min_posts} posts" if min_posts else "few posts"
    return Patch(
        facecolor=SMALL_SHADE,
        edgecolor="#BBBBBB",
        linewidth=0.4,
        label=f"{count} of {total} windows\n{text}:\nhollow marks,\nnot joined",
    )


def partial_patch(count: int, total: int) -> Patch:
    """The legend entry of the hatched bars: windows the corpus covers only in part."""
    return Patch(
        facecolor="white",
        edgecolor=PARTIAL_HATCH,
        hatch=PARTIAL_PATTERN,
        linewidth=0.4,
        label=f"{count} of {total} windows\npartly covered\nby the corpus:\nfewer days",
    )


def posts_strip(
    ax: Axes,
    posts: Sequence[float],
    small: Sequence[bool],
    min_posts: int | None,
    partial: Sequence[bool] | None = None,
) -> None:
    """Bars of posts per window (small windows light, windows the corpus covers only in part
    hatched: their counts are those of fewer days), the threshold dashed."""
    values = np.nan_to_num(np.asarray(posts, dtype=float))
    flags = np.asarray(small, dtype=bool)
    x = np.arange(len(values))
    bars = ax.bar(x, values, width=0.8, color=np.where(flags, "#C8C8C8", "#707070"), linewidth=0)
    if partial is not None:
        for bar, part in zip(bars, np.asarray(partial, dtype=bool)):
            if part:
                bar.set_facecolor("white")
                bar.set_edgecolor(PARTIAL_HATCH)
                bar.set_hatch(PARTIAL_PATTERN)
                bar.set_linewidth(0.4)
    if min_posts:
        ax.axhline(min_posts, color="#333333", linewidth=0.5, linestyle=(0, (3, 2)))
    ax.set_ylabel("Posts", rotation=0, ha="right", va="center")
    top = float(values.max()) if len(values) else 1.0
    ax.set_ylim(0, max(top, float(min_posts or 0), 1.0) * 1.1)
    ax.set_yticks(sorted({0.0, _round_down(max(top, float(min_posts or 0)))}))
    # counts as the report writes them: "70,000", where matplotlib wrote "70000" (and "1e6" apart)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: whole(value)))
    ax.spines["bottom"].set_visible(False)
    ax.grid(False)


def _round_down(value: float) -> float:
    power = 10 ** np.floor(np.log10(value)) if value > 0 else 1
    return float(np.floor(value / power) * power)
