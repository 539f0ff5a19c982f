"""Change between consecutive time windows: value and rank changes, edge churn, neighbourhoods.

The changes table (``changes.csv``) is tidy like ``timeline.csv``: **one row per window, node and
metric**, so a spreadsheet filter on ``metric`` gives one clean table. The edge-churn columns
(``edges_gained, edges_lost, edges_kept, neighbourhood_similarity``) describe the node, not the
metric, and repeat on each metric row of the same window and node.

Rows: for window ``i``, every node present in window ``i`` or in window ``i - 1`` (the previous
window in the list, whatever its length). So a node that vanishes gets one row in the window
where it is gone (``present`` false), and an empty window shows every node of the previous
window as lost.

Columns
-------
``window_start, window_end``
    The window (UTC, ``window_end`` exclusive), as in ``timeline.csv``.
``node, kind, metric``
``value, rank``
    The node's value and rank in this window (from the timeline); empty when the node is absent.
``ci_low, ci_high``
    The bootstrap interval of ``value`` when the timeline has one
    (:mod:`netanalysis.analysis.uncertainty`); the previous window's is on its own row.
``present``
    Whether the node is in this window's graph.
``value_change``
    ``value - previous value``, an absent node counting as 0 (so a new node's change is its
    value and a vanished node's change is minus its previous value); empty in the first window.
``rank_change``
    ``previous rank - rank`` (positive = moved up); empty unless the node is present in both.
``p_value, q_value``
    The permutation test of ``value_change`` (posts reassigned between the two windows) and its
    Benjamini-Hochberg q-value over the nodes of the window pair and metric, when tests are
    given (:mod:`netanalysis.analysis.change_tests`); empty in the first window and for metrics
    not tested.
``edges_gained, edges_lost, edges_kept``
    Neighbours the node has now but not in the previous window, had then but not now, has in
    both; empty in the first window.
``neighbourhood_similarity``
    Cosine similarity of the node's weighted neighbourhood vector (edge ``weight`` per
    neighbour) with the previous window's: ``sum_n w_now(n) w_prev(n) / (|w_now| |w_prev|)``,
    in [0, 1]; empty in the first window or when the node has no edge in either window.
``first_window, last_window``
    The first and last window in which the node is present, named by their ``window_start``
    (cumulative windows, which all share their start, by their ``window_end``).

Rows are sorted by window_start, window_end, metric, kind, rank (absent nodes last), node.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

import networkx as nx
import pandas as pd

__all__ = ["CHANGE_COLUMNS", "neighbourhood_similarity", "edge_churn", "changes_table"]

log = logging.getLogger(__name__)

#: Columns of ``changes.csv``, in this order.
CHANGE_COLUMNS = [
    "window_start",
    "window_end",
    "node",
    "kind",
    "metric",
    "value",
    "ci_low",
    "ci_high",
    "value_change",
    "rank",
    "rank_change",
    "p_value",
    "q_value",
    "present",
    "edges_gained",
    "edges_lost",
    "edges_kept",
    "neighbourhood_similarity",
    "first_window",
    "last_window",
]


def _neighbour_weights(G: nx.Graph, node) -> dict:
    if node not in G:
        return {}
    return {n: float(d.get("weight", 1)) for n, d in G[node].items()}


def neighbourhood_similarity(before: nx.Graph, after: nx.Graph, node) -> float:
    """Cosine similarity of ``node``'s weighted neighbourhoods in two graphs (NaN if undefined).

    Examples
    --------
    >>> a = nx.Graph([("x", "p", {"weight": 1}), ("x", "q", {"weight": 1})])
    >>> b = nx.Graph([("x", "p", {"weight": 2})])
    >>> round(neighbourhood_similarity(a, b, "x"), 6)  # 2 / (sqrt(2) * 2)
    0.707107
    """
    u, v = _neighbour_weights(before, node), _neighbour_weights(after, node)
    norm = math.sqrt(sum(w * w for w in u.values())) * math.sqrt(sum(w * w for w in v.values()))
    if norm == 0:
        return math.nan
    return sum(w * v[n] for n, w in u.items() if n in v) / norm


def edge_churn(before: nx.Graph, after: nx.Graph, node) -> tuple[int, int, int]:
    """``(gained, lost, kept)`` neighbours of ``node`` from ``before`` to ``after``.

    Examples
    --------
    >>> edge_churn(nx.Graph([("x", "p"), ("x", "q")]), nx.Graph([("x", "q"), ("x", "r")]), "x")
    (1, 1, 1)
    """
    old = set(before[node]) if node in before else set()
    new = set(after[node]) if node in after else set()
    return len(new - old), len(old - new), len(old & new)


def _lookup(timeline: pd.DataFrame) -> dict:
    starts = pd.to_datetime(timeline["window_start"], utc=True)
    ends = pd.to_datetime(timeline["window_end"], utc=True)
    keys = zip(zip(starts, ends), timeline["node"], timeline["metric"])
    return dict(zip(keys, zip(timeline["value"].astype(float), timeline["rank"])))


def _presence(graphs: Sequence) -> tuple[dict, dict, dict]:
    starts = [lo for lo, _, _ in graphs]
    by_end = len(set(starts)) < len(starts)  # cumulative windows share their start
    first, last, kinds = {}, {}, {}
    for lo, hi, G in graphs:
        name = hi if by_end else lo
        for node, data in G.nodes(data=True):
            first.setdefault(node, name)
            last[node] = name
            kinds.setdefault(node, data.get("kind") or str(node).split(":", 1)[0])
    return first, last, kinds


def _node_rows(i: int, graphs: Sequence, node, metrics: list[str], values: dict, kind: str) -> list[dict]:
    lo, hi, G = graphs[i]
    prev = graphs[i - 1] if i > 0 else None
    churn = {"edges_gained": pd.NA, "edges_lost": pd.NA, "edges_kept": pd.NA, "neighbourhood_similarity": math.nan}
    if prev is not None:
        gained, lost, kept = edge_churn(prev[2], G, node)
        churn = {
            "edges_gained": gained,
            "edges_lost": lost,
            "edges_kept": kept,
            "neighbourhood_similarity": neighbourhood_similarity(prev[2], G, node),
        }
    rows = []
    for metric in metrics:
        value, rank = values.get(((lo, hi), node, metric), (math.nan, pd.NA))
        row = {
            "window_start": lo,
            "window_end": hi,
            "node": node,
            "kind": kind,
            "metric": metric,
            "value": value,
            "value_change": math.nan,
            "rank": rank,
            "rank_change": pd.NA,
            "present": node in G,
        }
        if prev is not None:
            before, rank_before = values.get(((prev[0], prev[1]), node, metric), (math.nan, pd.NA))
            row["value_change"] = _zero(value) - _zero(before)
            if not (pd.isna(rank) or pd.isna(rank_before)):
                row["rank_change"] = int(rank_before) - int(rank)
        rows.append(row | churn)
    return rows


def _zero(x: float) -> float:
    return 0.0 if pd.isna(x) else float(x)


def changes_table(timeline: pd.DataFrame, graphs: Sequence, tests: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the changes between consecutive windows (``changes.csv``).

    Parameters
    ----------
    timeline : DataFrame
        From :func:`~netanalysis.analysis.timeline.centrality_over_time` (or
        :func:`~netanalysis.analysis.timeline.timeline_table`) over the same windows; with
        ``ci_low`` and ``ci_high`` columns (:mod:`netanalysis.analysis.over_time`) their values
        are carried over.
    graphs : list of (window_start, window_end, graph)
        From :func:`~netanalysis.analysis.timeline.graphs_over_time`, empty windows included.
    tests : DataFrame, optional
        From :func:`~netanalysis.analysis.change_tests.change_tests_over_time` over the same
        windows: gives ``p_value`` and ``q_value``.

    Returns
    -------
    DataFrame
        Columns :data:`CHANGE_COLUMNS` (see the module notes for their meaning and the rows).

    Examples
    --------
    >>> from netanalysis.analysis.timeline import graphs_over_time, timeline_table
    >>> posts = pd.DataFrame({"post_id": ["p1", "p2"],
    ...                       "date": pd.to_datetime(["2024-04-08T00:00Z", "2024-05-08T00:00Z"])})
    >>> mentions = pd.DataFrame({"post_id": ["p1", "p1", "p2", "p2"],
    ...                          "kind": ["country", "forum", "country", "forum"],
    ...                          "entity": ["CN", "BRICS", "CN", "SCO"]})
    >>> graphs = graphs_over_time(mentions, posts)
    >>> c = changes_table(timeline_table(graphs, metrics=["strength"]), graphs)
    >>> cols = ["value", "edges_gained", "edges_lost", "edges_kept"]
    >>> c.loc[c["node"] == "country:CN", cols].values.tolist()
    [[1.0, <NA>, <NA>, <NA>], [1.0, 1, 1, 0]]
    """
    metrics = list(timeline.attrs.get("metrics") or sorted(timeline["metric"].unique()))
    values = _lookup(timeline)
    first, last, kinds = _presence(graphs)
    timeline_kinds = dict(zip(timeline["node"], timeline["kind"]))
    rows: list[dict] = []
    for i, (_, _, G) in enumerate(graphs):
        nodes = set(G) | (set(graphs[i - 1][2]) if i > 0 else set())
        for node in sorted(nodes, key=str):
            kind = kinds.get(node) or timeline_kinds.get(node, "")
            rows.extend(_node_rows(i, graphs, node, metrics, values, kind))
    base = [c for c in CHANGE_COLUMNS[:-2] if c not in _JOINED]
    frame = pd.DataFrame(rows, columns=base)
    frame["first_window"] = frame["node"].map(first)
    frame["last_window"] = frame["node"].map(last)
    keys = ["window_start", "window_end", "node", "metric"]
    for extra, columns in ((timeline, ["ci_low", "ci_high"]), (tests, ["p_value", "q_value"])):
        if extra is not None and len(frame) and set(columns) <= set(extra.columns):
            joined = extra[keys + columns].copy()
            for col in ("window_start", "window_end"):
                joined[col] = pd.to_datetime(joined[col], utc=True)
                frame[col] = pd.to_datetime(frame[col], utc=True)
            frame = frame.merge(joined, on=keys, how="left", validate="one_to_one")
        for col in columns:
            if col not in frame.columns:
                frame[col] = math.nan
    return _typed(frame)


#: Columns taken from the timeline's intervals and the tests (empty without them).
_JOINED = ("ci_low", "ci_high", "p_value", "q_value")


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    for col in ("window_start", "window_end", "first_window", "last_window"):
        frame[col] = pd.to_datetime(frame[col], utc=True).astype("datetime64[ns, UTC]")
    frame = frame.astype(
        {
            "node": str,
            "kind": str,
            "metric": str,
            "value": float,
            "ci_low": float,
            "ci_high": float,
            "value_change": float,
            "p_value": float,
            "q_value": float,
            "present": bool,
            "neighbourhood_similarity": float,
        }
    )
    for col in ("rank", "rank_change", "edges_gained", "edges_lost", "edges_kept"):
        frame[col] = pd.array(frame[col].tolist(), dtype="Int64")
    frame = frame.sort_values(
        ["window_start", "window_end", "metric", "kind", "rank", "node"], kind="mergesort", na_position="last"
    )
    return frame[CHANGE_COLUMNS].reset_index(drop=True)
