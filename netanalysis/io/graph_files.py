"""The graph as GEXF 1.2 and GraphML files (static; :mod:`netanalysis.io.dynamic_gexf` writes
the GEXF 1.3 with time spells).

Both writers take ``node_attributes``: extra values per node (the measures and community of
``nodes.csv``) and a ``viz`` entry (``color`` r/g/b/a, ``size``, ``position`` x/y/z), written as
GEXF's ``viz`` elements and, in GraphML, as the node attributes Gephi reads as styling (``x``,
``y``, ``size``, ``r``, ``g``, ``b``), so that Gephi opens the network as the figures draw it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Hashable, Mapping
from typing import Any

import networkx as nx
from networkx.readwrite.gexf import GEXFWriter

from netanalysis.graph.measures import Margins
from netanalysis.graph.table import plain_value
from netanalysis.io.atomic import atomic_write

__all__ = ["write_gexf", "write_graphml", "xml_safe", "NodeAttributes"]

#: Extra attributes per node (measures, community, ``viz``).
NodeAttributes = Mapping[Hashable, Mapping[str, Any]]


#: Edge attributes left out of GEXF and GraphML: an edge's post ids run to megabytes on a large
#: corpus, which Gephi cannot handle; ``edges.csv`` lists them (join on country and forum).
_NOT_EXPORTED = frozenset({"post_ids"})


def exportable_graph_attributes(G: nx.Graph) -> dict:
    """The graph attributes a file can hold: plain values (the in-memory ``margins`` of the
    tests, a mapping, are left out: the manifest reports their counts)."""
    return {k: plain_value(v) for k, v in G.graph.items() if not isinstance(v, (dict, Margins))}


#: Characters XML 1.0 cannot hold (control characters but tab and line ends, lone surrogates,
#: U+FFFE and U+FFFF): dropped from every name and value, so the files are always well-formed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(value: Any) -> Any:
    """``value`` without the characters XML cannot hold (other values unchanged).

    Examples
    --------
    >>> xml_safe("Bel\x01gium\x1f"), xml_safe(3)
    ('Belgium', 3)
    """
    return _NOT_XML.sub("", value) if isinstance(value, str) else value


def _exportable(G: nx.Graph, *, spells: bool = False, node_attributes: NodeAttributes | None = None) -> nx.Graph:
    H = nx.Graph()

    def clean(data: Mapping[str, Any]) -> dict:
        return {xml_safe(str(k)): (v if k == "viz" else xml_safe(plain_value(v))) for k, v in data.items()}

    H.graph.update(clean(exportable_graph_attributes(G)))
    extra = node_attributes or {}
    for n in sorted(G.nodes):
        data = clean(G.nodes[n])
        data.update(clean(extra.get(n, {})))
        H.add_node(xml_safe(n), **data)
    for u, v in sorted(tuple(sorted(e)) for e in G.edges()):
        data = clean({k: x for k, x in G.edges[u, v].items() if k not in _NOT_EXPORTED})
        if spells and data.get("first_date"):
            data.update(start=data["first_date"], end=data["last_date"])
        H.add_edge(xml_safe(u), xml_safe(v), **data)
    return H


def _flat_viz(H: nx.Graph) -> nx.Graph:
    """GraphML has no ``viz``: its colour, size and position become the attributes Gephi reads."""
    for _, data in H.nodes(data=True):
        viz = data.pop("viz", None)
        if viz:
            data.update({k: float(viz["position"][k]) for k in ("x", "y") if "position" in viz})
            if "size" in viz:
                data["size"] = float(viz["size"])
            data.update({k: int(viz["color"][k]) for k in ("r", "g", "b") if "color" in viz})
    return H


def write_gexf(
    G: nx.Graph,
    path: str | os.PathLike[str],
    *,
    spells: bool = True,
    node_attributes: NodeAttributes | None = None,
) -> None:
    """Write ``G`` as GEXF 1.2 (atomically): lists joined with ``";"``, ``None`` as ``""``; edges
    without their ``post_ids`` (``edges.csv`` lists them).

    With ``spells`` (default) each edge with dated posts gets ``start``/``end`` (its first and
    last date), so Gephi's timeline shows when the pair was co-mentioned; edges without dated
    posts are always visible. ``node_attributes`` add measures and ``viz`` styling per node.
    The file carries no write date (networkx would add today's), so the same graph always gives
    the same bytes.
    """
    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    writer.add_graph(_exportable(G, spells=spells, node_attributes=node_attributes))
    meta = writer.xml.find("meta")
    if meta is not None:  # today's date: same input, same bytes
        meta.attrib.pop("lastmodifieddate", None)

    with atomic_write(path, "wb") as fh:
        writer.write(fh)


def write_graphml(G: nx.Graph, path: str | os.PathLike[str], *, node_attributes: NodeAttributes | None = None) -> None:
    """Write ``G`` as GraphML (atomically): lists joined with ``";"``, ``None`` as ``""``; edges
    without their ``post_ids`` (``edges.csv`` lists them); ``node_attributes`` as in the module
    notes."""
    H = _flat_viz(_exportable(G, node_attributes=node_attributes))
    with atomic_write(path, "wb") as fh:
        nx.write_graphml(H, fh)
