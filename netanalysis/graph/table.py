"""The edges of the bipartite graph as the ``edges.csv`` table, and the ties of a one-mode
projection as ``projection_countries.csv`` / ``projection_forums.csv``."""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from netanalysis.errors import GraphError
from netanalysis.graph.post_ids import PostIds

__all__ = ["EDGE_COLUMNS", "TIE_COLUMNS", "edges_table", "projection_table", "plain_value"]

#: The columns of an edge after its two ends, in this order (``edges.csv``, the projections).
TIE_COLUMNS = [
    "weight",
    "expected",
    "assoc_strength",
    "jaccard",
    "npmi",
    "p_value",
    "q_value",
    "significant",
    "first_date",
    "last_date",
    "post_ids",
]
#: Columns of ``edges.csv``, in this order: a tie's columns, with the country's membership
#: status in the forum (:mod:`netanalysis.graph.membership`) before the dates.
EDGE_COLUMNS = [
    "country",
    "forum",
    *TIE_COLUMNS[: TIE_COLUMNS.index("first_date")],
    "status",
    "posts_by_status",
    *TIE_COLUMNS[TIE_COLUMNS.index("first_date") :],
]
_FLOATS = ("expected", "assoc_strength", "jaccard", "npmi", "p_value", "q_value")


def edges_table(G: nx.Graph, *, join: bool = True) -> pd.DataFrame:
    """Return the edges of the bipartite graph as the ``edges.csv`` table.

    Columns :data:`EDGE_COLUMNS` (``country`` as ISO code, ``forum`` as id, ``post_ids`` joined
    by ``";"``, or as the graph holds them with ``join=False``), sorted by weight
    (descending), then country, then forum. ``p_value``, ``q_value`` and ``significant`` are
    empty until the edges are tested (:func:`netanalysis.analysis.validate_edges`); ``status``
    and ``posts_by_status`` as :mod:`netanalysis.graph.membership` defines them, empty for a
    graph built without memberships.
    """
    rows = []
    for u, v, d in G.edges(data=True):
        if G.nodes[u].get("kind") == "forum":
            u, v = v, u
        if G.nodes[u].get("kind") != "country" or G.nodes[v].get("kind") != "forum":
            raise GraphError(
                f"edge {u!r}-{v!r} is not a country-forum edge; edges_table expects the bipartite co-mention graph"
            )
        rows.append(
            {
                "country": G.nodes[u].get("entity", u),
                "forum": G.nodes[v].get("entity", v),
                **{c: d.get(c) for c in EDGE_COLUMNS[2:]},
            }
        )
    return _typed(pd.DataFrame(rows, columns=EDGE_COLUMNS), ["country", "forum"], join)


def projection_table(P: nx.Graph, *, join: bool = True) -> pd.DataFrame:
    """Return the ties of a one-mode projection (:func:`~netanalysis.graph.projection_graph`)
    as a table: ``country_a, country_b`` (or ``forum_a, forum_b``), then :data:`TIE_COLUMNS`;
    ``country_a`` is the smaller id of the two; sorted by weight (descending), then the ids.
    """
    side = P.graph.get("side")
    if side not in ("country", "forum"):
        raise GraphError("projection_table expects a one-mode projection (graph attribute side: country or forum)")
    ends = [f"{side}_a", f"{side}_b"]
    rows = []
    for u, v, d in P.edges(data=True):
        a, b = sorted((P.nodes[u].get("entity", u), P.nodes[v].get("entity", v)))
        rows.append({ends[0]: a, ends[1]: b, **{c: d.get(c) for c in TIE_COLUMNS}})
    return _typed(pd.DataFrame(rows, columns=ends + TIE_COLUMNS), ends, join)


def _typed(table: pd.DataFrame, ends: list[str], join: bool) -> pd.DataFrame:
    if join:
        table["post_ids"] = [
            plain_value(p) if isinstance(p, (list, tuple, PostIds, type(None))) else str(p) for p in table["post_ids"]
        ]
    text = [c for c in ("status", "posts_by_status", "first_date", "last_date") if c in table.columns]
    table[text] = table[text].fillna("")
    table["weight"] = table["weight"].astype("int64")
    for col in _FLOATS:
        table[col] = pd.to_numeric(table[col], errors="coerce").astype(float)
    table["significant"] = table["significant"].astype(object).where(table["significant"].notna(), None)
    return table.sort_values(["weight", *ends], ascending=[False, True, True], kind="mergesort").reset_index(drop=True)


def plain_value(value: Any) -> Any:
    """A graph attribute as a table cell or file attribute: post ids and lists joined by ``;``,
    ``None`` as ``""``, numpy scalars as Python ones."""
    if isinstance(value, PostIds):
        return value.join(";")
    if isinstance(value, (list, tuple, set)):
        return ";".join(str(v) for v in (sorted(value) if isinstance(value, set) else value))
    if value is None:
        return ""
    if isinstance(value, np.generic):
        return value.item()
    return value
