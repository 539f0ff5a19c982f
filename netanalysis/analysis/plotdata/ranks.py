"""The numbers behind the rank chart of one kind: who is in the top, who is highlighted, where
every line goes in every window.

In each window a node is ``top`` (ranked within the top ``n`` by the timeline's own ``rank``),
``below`` (mentioned, ranked lower) or ``absent`` (not mentioned at all). The chart keeps those
apart: ranks 1..n, then a "> n" row, then a separate "not mentioned" row, so a node that fell out
of the top is never confused with one that was not named.

A chart of 24 or 100 windows cannot colour every line: :func:`rank_chart` highlights the nodes
with the best mean rank and the biggest movers and leaves the rest light grey.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from netanalysis.analysis.plotdata.timeline import _check_timeline
from netanalysis.analysis.plotdata.trajectories import _window_table
from netanalysis.analysis.plotdata.windows import utc

__all__ = ["rank_chart", "RANK_CHART_COLUMNS", "STATUSES"]

#: Where a node stands in a window.
STATUSES = ("top", "below", "absent")
#: Columns of :func:`rank_chart`.
RANK_CHART_COLUMNS = ["window_start", "window_end", "node", "rank", "status", "y", "small", "posts"]


def rank_chart(
    timeline: pd.DataFrame,
    metric: str,
    top: int,
    *,
    kind: str,
    sizes: pd.DataFrame | None = None,
    leaders: int | None = None,
    movers: int = 3,
) -> pd.DataFrame:
    """Rank lines of one kind for a bump chart.

    Parameters
    ----------
    timeline : DataFrame
        ``timeline.csv`` (``window_start, window_end, node, kind, metric, value, rank``); ranks
        are taken as they are (within window, kind and metric), not recomputed.
    metric : str
        The measure ranked.
    top : int
        Ranks 1..``top`` are drawn as such; a mentioned node ranked lower sits on the row
        ``top + 1`` ("below"), a node not mentioned in a window on the row ``top + 2`` ("absent").
    kind : {"country", "forum"}
        The kind charted (ranks compare like with like).
    sizes : DataFrame, optional
        Window sizes (:func:`~netanalysis.analysis.plotdata.window_sizes`); ``small`` windows do
        not count when choosing whom to highlight.
    leaders : int, optional
        Highlight this many nodes with the best mean rank (rows below the top count as
        ``top + 1``), over the windows that are not small. Default: ``min(top, 6)``.
    movers : int
        Also highlight this many other nodes with the largest change of mean rank between the
        first and the last third of those windows.

    Returns
    -------
    DataFrame
        Columns :data:`RANK_CHART_COLUMNS`: one row per window and node that is in the top in
        some window; ``rank`` NaN where absent. ``attrs``: ``leaders`` and ``movers`` (node lists,
        in order), ``top``, ``kind``, ``metric`` and ``windows`` (every window with its ``posts``
        and ``small``).

    Examples
    --------
    >>> t = pd.DataFrame({"window_start": ["2024-04-01"] * 2 + ["2024-05-01"],
    ...                   "window_end": ["2024-05-01"] * 2 + ["2024-06-01"], "kind": "forum",
    ...                   "node": ["forum:UN", "forum:SCO", "forum:SCO"], "metric": "share",
    ...                   "value": [0.7, 0.3, 1.0], "rank": [1, 2, 1]})
    >>> chart = rank_chart(t, "share", 1, kind="forum")
    >>> chart[["node", "status", "y"]].values.tolist()
    [['forum:SCO', 'below', 2], ['forum:SCO', 'top', 1], ['forum:UN', 'top', 1], ['forum:UN', 'absent', 3]]
    """
    rows = _check_timeline(timeline, metric)
    rows = rows[rows["kind"] == kind]
    rows = rows.assign(window_start=[utc(t) for t in rows["window_start"]])
    windows = _window_table(timeline, sizes)
    ranks = rows.pivot_table(index="window_start", columns="node", values="rank", aggfunc="first")
    ranks = ranks.reindex(pd.DatetimeIndex(windows["window_start"]))
    chosen = sorted(c for c in ranks.columns if (ranks[c] <= top).any())
    ranks = ranks[chosen]
    r = ranks.to_numpy(dtype=float)
    status = np.where(np.isnan(r), "absent", np.where(r <= top, "top", "below"))
    y = np.where(status == "top", r, np.where(status == "below", top + 1, top + 2))
    leaders_, movers_ = _highlighted(
        chosen,
        np.where(status == "top", r, top + 1),
        ~windows["small"].to_numpy(dtype=bool),
        min(top, 6) if leaders is None else leaders,
        movers,
    )
    n_w = len(windows)
    out = pd.DataFrame(
        {
            "window_start": np.tile(windows["window_start"].to_numpy(), len(chosen)),
            "window_end": np.tile(windows["window_end"].to_numpy(), len(chosen)),
            "node": np.repeat(chosen, n_w),
            "rank": r.T.ravel(),
            "status": status.T.ravel(),
            "y": y.T.ravel().astype(int),
            "small": np.tile(windows["small"].to_numpy(dtype=bool), len(chosen)),
            "posts": np.tile(windows["posts"].to_numpy(dtype=float), len(chosen)),
        }
    )
    out["window_start"] = pd.to_datetime(out["window_start"], utc=True)
    out["window_end"] = pd.to_datetime(out["window_end"], utc=True)
    out.attrs.update(leaders=leaders_, movers=movers_, top=int(top), kind=kind, metric=metric, windows=windows)
    return out[RANK_CHART_COLUMNS]


def _highlighted(
    nodes: list[str], capped: np.ndarray, usable: np.ndarray, leaders: int, movers: int
) -> tuple[list[str], list[str]]:
    """The leaders (best mean rank) and the movers (largest change, first to last third)."""
    if not nodes:
        return [], []
    if not usable.any():
        usable = np.ones_like(usable)
    part = capped[usable]
    mean = part.mean(axis=0).round(9)
    order = sorted(range(len(nodes)), key=lambda i: (mean[i], nodes[i]))
    lead = [nodes[i] for i in order[: max(leaders, 0)]]
    third = max(1, len(part) // 3)
    if len(part) < 2:
        return lead, []
    change = (part[:third].mean(axis=0) - part[-third:].mean(axis=0)).round(9)
    rest = [i for i in range(len(nodes)) if nodes[i] not in lead and change[i] != 0]
    rest.sort(key=lambda i: (-abs(change[i]), nodes[i]))
    return lead, [nodes[i] for i in rest[: max(movers, 0)]]
