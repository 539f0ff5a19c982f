"""Time windows for the figures: their sizes, which ones to draw, and which nodes to name in each.

A figure over time must say how many posts each window holds and must not present a window of
one or two posts as a trend point. :func:`window_sizes` gives every window its number of posts
and the ``small`` flag (fewer than ``min_posts`` posts), from ``windows.csv`` when the run wrote
it, else from the window graphs themselves (each graph's ``posts``).

Per-window networks do not fit on a page past a dozen windows: :func:`windows_to_draw` picks the
windows whose co-mention structure changed most from the window before (1 - the Ruzicka
similarity of their edge-weight proportions, as ``windows.csv``'s ``weighted_jaccard``), and
:func:`window_labels` the nodes each panel should name: the window's strongest nodes and the
nodes whose share of the window's co-mentions moved most since the previous window.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from netanalysis.analysis.plotdata.common import edge_weight
from netanalysis.analysis.window_stats import DEFAULT_MIN_POSTS, weighted_jaccard
from netanalysis.errors import GraphError

__all__ = ["DEFAULT_MIN_POSTS", "window_sizes", "window_changes", "windows_to_draw", "window_labels", "utc"]

WindowGraph = tuple[Any, Any, nx.Graph]


def utc(value: Any) -> pd.Timestamp:
    """A timestamp in UTC (naive ones are taken as UTC).

    Examples
    --------
    >>> utc("2024-04-01")
    Timestamp('2024-04-01 00:00:00+0000', tz='UTC')
    """
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def window_sizes(windows: pd.DataFrame | Sequence[WindowGraph], *, min_posts: int | None = None) -> pd.DataFrame:
    """Every window's number of posts and whether it is too small for trends.

    Parameters
    ----------
    windows : DataFrame or sequence of (window_start, window_end, graph)
        The ``windows.csv`` table (``window_start, window_end, posts``, optionally ``small``), or
        the window graphs of :func:`~netanalysis.analysis.timeline.graphs_over_time` (each graph's
        ``graph["posts"]``; without it, the number of distinct post ids on its edges).
    min_posts : int, optional
        Windows with fewer posts are ``small``. By default the table's ``small`` column when it
        has one (the run's ``--min-posts``), else :data:`DEFAULT_MIN_POSTS`.

    Returns
    -------
    DataFrame
        ``window_start, window_end`` (UTC), ``posts`` (int), ``small`` and ``partial`` (bool: the
        table's flag, else False), in time order;
        ``attrs["min_posts"]`` holds the threshold used (``None`` when the table's flag was kept).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph(); G.graph["posts"] = 3
    >>> window_sizes([("2024-04-01", "2024-05-01", G)], min_posts=5)[["posts", "small"]].values.tolist()
    [[3, True]]
    """
    if isinstance(windows, pd.DataFrame):
        missing = [c for c in ("window_start", "window_end", "posts") if c not in windows.columns]
        if missing:
            raise GraphError(f"the windows table lacks column(s) {', '.join(missing)}")
        out = pd.DataFrame(
            {
                "window_start": [utc(t) for t in windows["window_start"]],
                "window_end": [utc(t) for t in windows["window_end"]],
                "posts": windows["posts"].fillna(0).astype(int).to_numpy(),
            }
        )
        partial = windows["partial"].map(_truth).to_numpy(dtype=bool) if "partial" in windows.columns else None
        if min_posts is None and "small" in windows.columns:
            out["small"] = windows["small"].map(_truth).to_numpy(dtype=bool)
            out["partial"] = partial if partial is not None else False
            out.attrs["min_posts"] = windows.attrs.get("min_posts")
            return out.sort_values("window_start", kind="mergesort").reset_index(drop=True)
    else:
        partial = None  # (the window graphs do not say what the corpus covers)
        out = pd.DataFrame(
            {
                "window_start": [utc(lo) for lo, _, _ in windows],
                "window_end": [utc(hi) for _, hi, _ in windows],
                "posts": [_graph_posts(G) for _, _, G in windows],
            }
        )
    threshold = DEFAULT_MIN_POSTS if min_posts is None else int(min_posts)
    out["small"] = out["posts"] < threshold
    out["partial"] = partial if partial is not None else False
    out.attrs["min_posts"] = threshold
    return out.sort_values("window_start", kind="mergesort").reset_index(drop=True)


def _truth(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def _graph_posts(G: nx.Graph) -> int:
    if "posts" in G.graph:
        return int(G.graph["posts"])
    ids: set = set()
    for _, _, d in G.edges(data=True):
        ids.update(str(p) for p in d.get("post_ids") or ())
    return len(ids)


def _edge_weights(G: nx.Graph) -> dict[tuple[str, str], float]:
    out = {}
    for u, v, d in G.edges(data=True):
        a, b = sorted((str(u), str(v)))
        out[a, b] = edge_weight(d, "weight")
    return out


def window_changes(windows: Sequence[WindowGraph]) -> np.ndarray:
    """How much each window's co-mention structure differs from the previous window's.

    ``1 - weighted_jaccard`` of the two windows' edge-weight proportions (Ruzicka 1958; 0: the
    same edges in the same proportions; 1: no edge shared). NaN for the first window and where either
    window has no edges.

    Examples
    --------
    >>> import networkx as nx
    >>> a = nx.Graph([("country:CN", "forum:UN", {"weight": 2})])
    >>> b = nx.Graph([("country:CN", "forum:UN", {"weight": 1}), ("country:IN", "forum:UN", {"weight": 1})])
    >>> window_changes([(0, 1, a), (1, 2, b)]).round(2).tolist()   # 1 - (0.5 / 1.5)
    [nan, 0.67]
    """
    weights = [_edge_weights(G) for _, _, G in windows]
    out = np.full(len(weights), np.nan)
    for i in range(1, len(weights)):
        similarity = weighted_jaccard(weights[i - 1], weights[i])
        out[i] = 1.0 - similarity if not math.isnan(similarity) else np.nan
    return out


def windows_to_draw(windows: Sequence[WindowGraph], cap: int, *, sizes: pd.DataFrame | None = None) -> list[int]:
    """Indices of the windows to draw as panels: all of them when they fit, else the ``cap``
    windows with the largest change.

    With more than ``cap`` windows, the first window with edges is kept (the reference the others
    are compared with) and the other ``cap - 1`` panels go to the windows whose structure changed
    most from the window before (:func:`window_changes`), leaving out windows marked ``small`` in
    ``sizes`` (their change is noise) unless too few others are left. Ties go to the earlier
    window. The result is in time order.

    Examples
    --------
    >>> import networkx as nx
    >>> g = [nx.Graph([("country:A", "forum:X", {"weight": 1})]), nx.Graph([("country:B", "forum:X", {"weight": 1})])]
    >>> ws = [(i, i + 1, g[i in (2, 3)]) for i in range(6)]
    >>> windows_to_draw(ws, 3)   # the first window, the switch at 2 and the way back at 4
    [0, 2, 4]
    """
    n = len(windows)
    if cap < 1:
        raise GraphError(f"at most {cap} panels: need at least one")
    if n <= cap:
        return list(range(n))
    has_edges = [G.number_of_edges() > 0 for _, _, G in windows]
    first = next((i for i in range(n) if has_edges[i]), 0)
    small = np.zeros(n, dtype=bool) if sizes is None else sizes["small"].to_numpy(dtype=bool)[:n]
    change = np.nan_to_num(window_changes(windows), nan=-1.0)
    candidates = [i for i in range(n) if i != first and has_edges[i]]
    candidates.sort(key=lambda i: (bool(small[i]), -change[i], i))
    chosen = {first, *candidates[: cap - 1]}
    for i in range(n):  # too few windows with edges: fill with the earliest others
        if len(chosen) >= cap:
            break
        chosen.add(i)
    return sorted(chosen)


def window_labels(
    windows: Sequence[WindowGraph], *, top: int = 4, movers: int = 2, weight: str = "weight"
) -> list[dict[Hashable, str]]:
    """The nodes each window's panel should name, and why.

    Per window: its ``top`` strongest nodes (``"top"``: highest strength in the window), then the
    ``movers`` nodes whose share of the window's co-mention strength changed most since the
    previous window (``"up"`` or ``"down"``; a node that left the window is not drawn and not
    named). Ties go to the node id.

    Returns
    -------
    list of dict
        One ``{node: reason}`` per window, in the order of ``windows``.

    Examples
    --------
    >>> import networkx as nx
    >>> a = nx.Graph([("country:CN", "forum:UN", {"weight": 5}), ("country:IN", "forum:UN", {"weight": 1})])
    >>> b = nx.Graph([("country:CN", "forum:UN", {"weight": 1}), ("country:IN", "forum:UN", {"weight": 5}),
    ...               ("country:BR", "forum:UN", {"weight": 2})])
    >>> window_labels([(0, 1, a), (1, 2, b)], top=1, movers=1)[1]   # China's share fell from 5/6 to 1/8
    {'forum:UN': 'top', 'country:CN': 'down'}
    """
    out: list[dict[Hashable, str]] = []
    previous: dict[Hashable, float] = {}
    for _, _, G in windows:
        strength = {n: sum(edge_weight(d, weight) for _, _, d in G.edges(n, data=True)) for n in G.nodes}
        total = sum(strength.values()) / 2 or 1.0
        share = {n: s / total for n, s in strength.items()}
        chosen: dict[Hashable, str] = {}
        for n in sorted(strength, key=lambda n: (-strength[n], str(n)))[:top]:
            if strength[n] > 0:
                chosen[n] = "top"
        if previous:
            moves = {n: share[n] - previous.get(n, 0.0) for n in share if n not in chosen and strength[n] > 0}
            for n in sorted(moves, key=lambda n: (-abs(moves[n]), str(n)))[:movers]:
                if abs(moves[n]) > 0:
                    chosen[n] = "up" if moves[n] > 0 else "down"
        out.append(chosen)
        previous = share
    return out
