"""The graph as GEXF 1.2 and GraphML files (static; :mod:`netanalysis.io.dynamic_gexf` writes
the GEXF 1.3 with time spells)."""

from __future__ import annotations

import os

import networkx as nx
from networkx.readwrite.gexf import GEXFWriter

from netanalysis.graph.measures import Margins
from netanalysis.graph.table import plain_value
from netanalysis.io.atomic import atomic_write

__all__ = ["write_gexf", "write_graphml"]


#: Edge attributes left out of GEXF and GraphML: an edge's post ids run to megabytes on a large
#: corpus, which Gephi cannot handle; ``edges.csv`` lists them (join on country and forum).
_NOT_EXPORTED = frozenset({"post_ids"})


def exportable_graph_attributes(G: nx.Graph) -> dict:
    """The graph attributes a file can hold: plain values (the in-memory ``margins`` of the
    tests, a mapping, are left out: the manifest reports their counts)."""
    return {k: plain_value(v) for k, v in G.graph.items() if not isinstance(v, (dict, Margins))}


def _exportable(G: nx.Graph, *, spells: bool = False) -> nx.Graph:
    H = nx.Graph()
    H.graph.update(exportable_graph_attributes(G))
    for n in sorted(G.nodes):
        H.add_node(n, **{k: plain_value(v) for k, v in G.nodes[n].items()})
    for u, v in sorted(tuple(sorted(e)) for e in G.edges()):
        data = {k: plain_value(x) for k, x in G.edges[u, v].items() if k not in _NOT_EXPORTED}
        if spells and data.get("first_date"):
            data.update(start=data["first_date"], end=data["last_date"])
        H.add_edge(u, v, **data)
    return H


def write_gexf(G: nx.Graph, path: str | os.PathLike[str], *, spells: bool = True) -> None:
    """Write ``G`` as GEXF 1.2 (atomically): lists joined with ``";"``, ``None`` as ``""``; edges
    without their ``post_ids`` (``edges.csv`` lists them).

    With ``spells`` (default) each edge with dated posts gets ``start``/``end`` (its first and
    last date), so Gephi's timeline shows when the pair was co-mentioned; edges without dated
    posts are always visible. The file carries no write date (networkx would add today's), so
    the same graph always gives the same bytes.
    """
    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    writer.add_graph(_exportable(G, spells=spells))
    meta = writer.xml.find("meta")
    if meta is not None:  # today's date: same input, same bytes
        meta.attrib.pop("lastmodifieddate", None)

    with atomic_write(path, "wb") as fh:
        writer.write(fh)


def write_graphml(G: nx.Graph, path: str | os.PathLike[str]) -> None:
    """Write ``G`` as GraphML (atomically): lists joined with ``";"``, ``None`` as ``""``; edges
    without their ``post_ids`` (``edges.csv`` lists them)."""
    H = _exportable(G)
    with atomic_write(path, "wb") as fh:
        nx.write_graphml(H, fh)
