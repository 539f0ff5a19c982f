"""The edges of the bipartite graph as the ``edges.csv`` table."""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from netanalysis.errors import GraphError
from netanalysis.graph.post_ids import PostIds

__all__ = ["EDGE_COLUMNS", "edges_table", "plain_value"]

#: Columns of ``edges.csv``, in this order.
EDGE_COLUMNS = [
    "country",
    "forum",
    "weight",
    "assoc_strength",
    "jaccard",
    "npmi",
    "status",
    "posts_by_status",
    "first_date",
    "last_date",
    "post_ids",
]


def edges_table(G: nx.Graph, *, join: bool = True) -> pd.DataFrame:
    """Return the edges of the bipartite graph as the ``edges.csv`` table.

    Columns :data:`EDGE_COLUMNS` (``country`` as ISO code, ``forum`` as id, ``post_ids`` joined
    by ``";"``, or as the graph holds them with ``join=False``; ``status`` and
    ``posts_by_status`` as :mod:`netanalysis.graph.membership` defines them, empty for a graph
    built without memberships), sorted by weight (descending), then country, then forum.
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
    table = pd.DataFrame(rows, columns=EDGE_COLUMNS)
    if join:
        table["post_ids"] = [
            plain_value(p) if isinstance(p, (list, tuple, PostIds, type(None))) else str(p) for p in table["post_ids"]
        ]
    text = ["status", "posts_by_status", "first_date", "last_date"]
    table[text] = table[text].fillna("")
    table["weight"] = table["weight"].astype("int64")
    for col in ("assoc_strength", "jaccard", "npmi"):
        table[col] = table[col].astype(float)
    return table.sort_values(
        ["weight", "country", "forum"], ascending=[False, True, True], kind="mergesort"
    ).reset_index(drop=True)


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
