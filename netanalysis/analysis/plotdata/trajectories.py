"""The numbers behind the trajectory figure: the leading nodes' values per window, with their
intervals and the size of each window.

A node's trajectory is its value of one measure in every window (0 where the node is not
mentioned), its bootstrap interval where ``timeline.csv`` carries ``ci_low``/``ci_high``, and
for every window its number of posts and whether it is ``small`` (too few posts for a trend
point: the figure marks such points instead of joining them to the line).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from netanalysis.analysis.plotdata.timeline import _check_timeline, timeline_windows
from netanalysis.analysis.plotdata.windows import utc

__all__ = ["trajectories", "TRAJECTORY_COLUMNS"]

#: Columns of :func:`trajectories`.
TRAJECTORY_COLUMNS = [
    "window_start",
    "window_end",
    "node",
    "value",
    "ci_low",
    "ci_high",
    "present",
    "posts",
    "small",
]


def _window_table(timeline: pd.DataFrame, sizes: pd.DataFrame | None) -> pd.DataFrame:
    """Every window of the timeline (and of ``sizes``) with its posts and small flag."""
    pairs = dict(timeline_windows(timeline))
    if sizes is not None:
        for start, end in zip(sizes["window_start"], sizes["window_end"]):
            pairs.setdefault(utc(start), utc(end))
    frame = pd.DataFrame({"window_start": list(pairs), "window_end": list(pairs.values())})
    frame = frame.sort_values("window_start", kind="mergesort").reset_index(drop=True)
    if sizes is not None:
        keyed = sizes.assign(window_start=[utc(t) for t in sizes["window_start"]]).set_index("window_start")
        frame["posts"] = frame["window_start"].map(keyed["posts"]).astype(float)
        frame["small"] = frame["window_start"].map(keyed["small"]).fillna(False).astype(bool)
        partial = keyed["partial"] if "partial" in keyed else pd.Series(False, index=keyed.index)
        frame["partial"] = frame["window_start"].map(partial).fillna(False).astype(bool)
    else:
        frame["posts"] = np.nan
        frame["small"] = False
        frame["partial"] = False
    return frame


def trajectories(
    timeline: pd.DataFrame,
    metric: str,
    top: int,
    *,
    kind: str | None = None,
    sizes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The ``top`` nodes' values of ``metric`` in every window, with intervals and window sizes.

    Parameters
    ----------
    timeline : DataFrame
        ``timeline.csv``: ``window_start, window_end, node, kind, metric, value, rank`` and,
        when the run bootstrapped, ``ci_low, ci_high``.
    metric : str
        The measure to follow (``share``, ``pagerank``...).
    top : int
        How many nodes: those with the highest mean value over the windows that are not
        ``small`` (over all windows when every window is small); a window where a node is not
        mentioned counts as 0. Ties by node id. Every node asked for is returned (no hidden cap).
    kind : {"country", "forum"}, optional
        Only nodes of this kind.
    sizes : DataFrame, optional
        :func:`~netanalysis.analysis.plotdata.window_sizes` (``posts`` and ``small`` per window).

    Returns
    -------
    DataFrame
        Columns :data:`TRAJECTORY_COLUMNS`, one row per window and chosen node, nodes in order of
        decreasing mean then by window. ``value`` is 0 and ``present`` false where the node is
        not mentioned; ``ci_low``/``ci_high`` are NaN without intervals. ``attrs["nodes"]`` lists
        the chosen nodes in order, ``attrs["bands"]`` says whether intervals are present and
        ``attrs["windows"]`` holds every window (``window_start, window_end, posts, small, partial``).

    Examples
    --------
    >>> t = pd.DataFrame({"window_start": ["2024-04-01", "2024-04-01", "2024-05-01"],
    ...                   "window_end": ["2024-05-01", "2024-05-01", "2024-06-01"],
    ...                   "node": ["country:CN", "country:IN", "country:CN"], "kind": "country",
    ...                   "metric": "share", "value": [0.6, 0.4, 1.0], "rank": [1, 2, 1]})
    >>> trajectories(t, "share", 2)[["node", "value", "present"]].values.tolist()
    [['country:CN', 0.6, True], ['country:CN', 1.0, True], ['country:IN', 0.4, True], ['country:IN', 0.0, False]]
    """
    rows = _check_timeline(timeline, metric)
    if kind is not None:
        rows = rows[rows["kind"] == kind]
    windows = _window_table(timeline, sizes)
    rows = rows.assign(window_start=[utc(t) for t in rows["window_start"]])
    bands = {"ci_low", "ci_high"} <= set(rows.columns)
    wide = rows.pivot_table(index="window_start", columns="node", values="value", aggfunc="first")
    wide = wide.reindex(pd.DatetimeIndex(windows["window_start"]))
    weights = ~windows["small"].to_numpy(dtype=bool)
    if not weights.any():
        weights[:] = True
    mean = wide.fillna(0.0).to_numpy()[weights].mean(axis=0) if len(wide.columns) else np.zeros(0)
    score = dict(zip(wide.columns, np.round(mean, 12)))
    chosen = sorted(wide.columns, key=lambda c: (-score[c], str(c)))[: max(int(top), 0)]
    keyed = rows.set_index(["window_start", "node"])
    parts = []
    for node in chosen:
        frame = windows.copy()
        frame.insert(2, "node", node)
        index = pd.MultiIndex.from_arrays([frame["window_start"], frame["node"]])
        found = keyed.reindex(index)
        frame["present"] = found["value"].notna().to_numpy()
        frame["value"] = found["value"].fillna(0.0).astype(float).to_numpy()
        for column in ("ci_low", "ci_high"):
            frame[column] = found[column].astype(float).to_numpy() if bands else np.nan
        parts.append(frame)
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=TRAJECTORY_COLUMNS)
    out = out[TRAJECTORY_COLUMNS]
    out.attrs.update(
        nodes=list(chosen),
        bands=bool(bands and out[["ci_low", "ci_high"]].notna().any().any()),
        windows=windows,
    )
    return out
