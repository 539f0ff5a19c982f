"""Write the co-mention network as a dynamic GEXF 1.3 file for Gephi's timeline.

What the file holds
-------------------
``<graph mode="dynamic" timeformat="date" timerepresentation="interval">`` with:

* every node and edge of the whole graph (``graph=``, else the union of the window graphs), with
  static attributes: nodes ``kind``, ``bipartite``, ``entity``, ``posts`` (total), ``windows``
  (in how many windows the node is present); edges the total ``weight`` (the ``weight`` XML
  attribute), ``total_weight``, ``first_date``, ``last_date``, ``windows`` (not the post ids,
  which run to megabytes per edge on a large corpus: ``edges.csv`` lists them);
* ``<spells>`` on nodes and edges: the periods in which they are present (consecutive windows
  merged into one spell). An element present in no window (e.g. co-mentioned only in undated
  posts) has no spell;
* a dynamic edge ``weight`` (attribute id ``weight``, as Gephi itself writes it: Gephi's
  timeline uses it as the edge weight) and the same values again as ``window_weight``, because
  networkx's reader always treats the id ``weight`` as static (it reads back the total);
  ``networkx.read_gexf`` returns ``window_weight`` as ``[(value, start, end), ...]``;
* dynamic node attributes: ``window_posts`` (the node's posts in the window) and, when a
  timeline table is given, one attribute per metric (``pagerank``, ``degree``, ...);
* when the window graphs were tested (:func:`netanalysis.analysis.validate_edges`), dynamic edge
  attributes ``window_expected``, ``window_p_value``, ``window_q_value`` and
  ``window_significant``: each window's own test, so Gephi (or ``networkx.read_gexf``) shows in
  which windows a tie was more frequent than chance. The static edge attributes carry the test
  of the whole graph (``expected``, ``p_value``, ``q_value``, ``significant``) when given.
* with ``node_attributes``: the whole-period measures and community of ``nodes.csv`` as static
  node attributes (``pagerank_overall`` and so on where a per-window metric has the plain name),
  and ``viz`` colour, size and position (GEXF 1.3's ``viz`` namespace), so that Gephi opens the
  network as the force figure draws it.

Time
----
GEXF intervals are closed (``start`` and ``end`` inclusive, GEXF 1.3) and ``timeformat="date"``
has a one-day resolution, so a window ``[window_start, window_end)`` is written as
``start=window_start``, ``end=window_end - 1 day`` (April 2024: 2024-04-01 .. 2024-04-30).
Overlapping windows (rolling or cumulative) would give one element two values at the same time,
so each window's values (and presence) are shown from the end of the previous window (or its own
start, for the first window) to its own end: over the days that window adds, i.e. a trailing
window's value is shown for the step that closes it (``window="3M", step="1M"``: the first
window over its three months, then each window over its last month). For back-to-back windows
this is simply the window itself.

Given a single graph instead of windows, spells come from the edges' ``first_date`` and
``last_date`` (nodes: from their first to their last edge date) and weights are static.

The output is deterministic: nodes and edges sorted by id, no timestamp in the file.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from netanalysis.errors import GraphError
from netanalysis.io.atomic import atomic_write
from netanalysis.io.xml_lines import Lines as _Lines
from netanalysis.io.xml_lines import attr as _attr
from netanalysis.io.xml_lines import tag as _tag

__all__ = ["display_intervals", "write_dynamic_gexf"]

log = logging.getLogger(__name__)

_NS = "http://gexf.net/1.3"
_VIZ = "http://gexf.net/1.3/viz"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_DAY = pd.Timedelta(days=1)
_NODE_STATIC = [
    ("kind", "string"),
    ("bipartite", "integer"),
    ("entity", "string"),
    ("posts", "integer"),
    ("community", "integer"),
    ("windows", "integer"),
]
_EDGE_STATIC = [("total_weight", "double"), ("first_date", "string"), ("last_date", "string"), ("windows", "integer")]
#: The test of the whole graph, as static edge attributes (when the graph was tested).
_EDGE_TEST = [("expected", "double"), ("p_value", "double"), ("q_value", "double"), ("significant", "boolean")]
#: Each window's test, as dynamic edge attributes (when the windows were tested).
_WINDOW_TEST = [
    ("window_expected", "double"),
    ("window_p_value", "double"),
    ("window_q_value", "double"),
    ("window_significant", "boolean"),
]


def _day(ts: Any) -> pd.Timestamp:
    """The UTC calendar day of ``ts`` as a naive midnight timestamp."""
    ts = pd.Timestamp(ts)
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return ts.normalize()


def _utc(ts: Any) -> pd.Timestamp:
    ts = pd.Timestamp(ts)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def display_intervals(windows: Sequence[tuple[Any, Any]]) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Closed day intervals ``[(first_day, last_day), ...]`` at which each window's values show.

    Window ``i`` shows from ``max(start_i, end_{i-1})`` to ``end_i - 1 day`` (see module notes).

    Examples
    --------
    >>> w = [(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-04-01")),
    ...      (pd.Timestamp("2024-02-01"), pd.Timestamp("2024-05-01"))]
    >>> [(a.strftime("%m-%d"), b.strftime("%m-%d")) for a, b in display_intervals(w)]
    [('01-01', '03-31'), ('04-01', '04-30')]
    """
    out = []
    previous_end = None
    for start, end in windows:
        lo, hi = _day(start), _day(end)
        if previous_end is not None:
            if hi <= previous_end:
                raise GraphError("window ends must increase to write a dynamic GEXF")
            lo = max(lo, previous_end)
        out.append((lo, hi - _DAY))
        previous_end = hi
    return out


@functools.lru_cache(maxsize=4096)
def _date(ts: pd.Timestamp) -> str:
    return ts.date().isoformat()


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _merge(intervals: list[tuple[pd.Timestamp, pd.Timestamp]]) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    merged: list[list[pd.Timestamp]] = []
    for lo, hi in sorted(intervals):
        if merged and lo <= merged[-1][1] + _DAY:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return [(lo, hi) for lo, hi in merged]


def _edge_key(u, v) -> tuple[str, str]:
    a, b = sorted((str(u), str(v)))
    return a, b


def _number(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) or hasattr(value, "dtype") and "float" in str(value.dtype):
        return repr(float(value))
    return str(value)


class _Timeline:
    """Per-element presence and dynamic values, collected over the windows."""

    def __init__(self) -> None:
        self.spells: dict[Any, list] = {}
        self.values: dict[Any, dict[str, list]] = {}

    def add(self, key, interval, **values) -> None:
        self.spells.setdefault(key, []).append(interval)
        slot = self.values.setdefault(key, {})
        for name, value in values.items():
            if not _missing(value):
                slot.setdefault(name, []).append((value, interval))


def _collect(windows: Sequence, timeline: pd.DataFrame | None) -> tuple[_Timeline, _Timeline, list[str]]:
    intervals = display_intervals([(lo, hi) for lo, hi, _ in windows])
    metrics: list[str] = []
    lookup: dict = {}
    if timeline is not None and len(timeline):
        metrics = sorted(timeline["metric"].unique())
        starts = pd.to_datetime(timeline["window_start"], utc=True)
        ends = pd.to_datetime(timeline["window_end"], utc=True)
        keys = zip(starts, ends, timeline["node"], timeline["metric"])
        lookup = dict(zip(keys, timeline["value"].astype(float)))
    nodes, edges = _Timeline(), _Timeline()
    for (lo, hi, G), interval in zip(windows, intervals):
        start, end = _utc(lo), _utc(hi)
        for node, data in G.nodes(data=True):
            extra = {m: lookup.get((start, end, node, m)) for m in metrics}
            nodes.add(node, interval, window_posts=data.get("posts"), **extra)
        for u, v, data in G.edges(data=True):
            w = float(data.get("weight", 1))
            tested = (
                {name: data.get(name.removeprefix("window_")) for name, _ in _WINDOW_TEST} if "q_value" in data else {}
            )
            edges.add(_edge_key(u, v), interval, weight=w, window_weight=w, **tested)
    return nodes, edges, metrics


def _static_spells(G: nx.Graph) -> tuple[_Timeline, _Timeline]:
    nodes, edges = _Timeline(), _Timeline()
    for u, v, data in G.edges(data=True):
        first, last = data.get("first_date"), data.get("last_date")
        if not first or not last:
            continue
        interval = (_day(first), _day(last))
        edges.add(_edge_key(u, v), interval)
        for node in (u, v):
            nodes.add(node, interval)
    for key, spells in nodes.spells.items():
        nodes.spells[key] = [(min(s[0] for s in spells), max(s[1] for s in spells))]
    return nodes, edges


def _attributes(out: _Lines, cls: str, mode: str, specs: list[tuple[str, str, str]]) -> None:
    if not specs:
        return
    out.append(f"    {_tag('attributes', {'class': cls, 'mode': mode}, close=False)}")
    for ident, title, kind in specs:
        out.append(f"      {_tag('attribute', {'id': ident, 'title': title, 'type': kind})}")
    out.append("    </attributes>")


def _attvalues(out: _Lines, static: dict[str, Any], dynamic: dict[str, list]) -> None:
    if not static and not dynamic:
        return
    out.append("        <attvalues>")
    for ident, value in static.items():
        out.append(f"          {_tag('attvalue', {'for': ident, 'value': _number(value)})}")
    for ident, values in dynamic.items():
        key = _attr(ident)
        for value, (lo, hi) in sorted(values, key=lambda x: x[1]):
            out.append(
                f'          <attvalue for={key} value={_attr(_number(value))} start="{_date(lo)}" end="{_date(hi)}" />'
            )
    out.append("        </attvalues>")


def _spells(out: _Lines, intervals: list | None) -> None:
    if not intervals:
        return
    out.append("        <spells>")
    for lo, hi in _merge(intervals):
        out.append(f"          {_tag('spell', {'start': _date(lo), 'end': _date(hi)})}")
    out.append("        </spells>")


def _union(windows: Sequence) -> nx.Graph:
    U = nx.Graph()
    for _, _, G in windows:
        for node, data in G.nodes(data=True):
            if node not in U:
                U.add_node(node, **{k: v for k, v in data.items() if k != "posts"}, posts=0)
            U.nodes[node]["posts"] += int(data.get("posts", 0))
        for u, v, data in G.edges(data=True):
            if not U.has_edge(u, v):
                U.add_edge(u, v, weight=0, first_date=data.get("first_date", ""), last_date="")
            e = U[u][v]
            e["weight"] += data.get("weight", 1)
            e["last_date"] = data.get("last_date", "")
    return U


def _extra_specs(extra: Mapping[Any, Mapping[str, Any]]) -> list[tuple[str, str]]:
    """Static node attributes given per node (besides ``viz``), with their GEXF types."""
    names = sorted({k for attrs in extra.values() for k in attrs if k != "viz"})
    out = []
    for name in names:
        values = [attrs[name] for attrs in extra.values() if name in attrs]
        integer = all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in values)
        out.append((name, "integer" if integer else "double"))
    return out


def _viz(out: _Lines, viz: Mapping[str, Any] | None) -> None:
    if not viz:
        return
    if "color" in viz:
        c = viz["color"]
        rgb = " ".join(f'{k}="{int(c[k])}"' for k in ("r", "g", "b"))
        out.append(f'        <viz:color {rgb} a="{float(c.get("a", 1.0))}" />')
    if "size" in viz:
        out.append(f'        <viz:size value="{float(viz["size"])!r}" />')
    if "position" in viz:
        p = viz["position"]
        out.append(
            f'        <viz:position x="{float(p["x"])!r}" y="{float(p["y"])!r}" z="{float(p.get("z", 0.0))!r}" />'
        )


def _build(
    out: _Lines,
    G: nx.Graph,
    nodes: _Timeline,
    edges: _Timeline,
    metrics: list[str],
    dynamic_weight: bool,
    span: tuple | None,
    extra: Mapping[Any, Mapping[str, Any]] | None = None,
) -> None:
    extra = extra or {}
    root = {
        "xmlns": _NS,
        "xmlns:viz": _VIZ,
        "xmlns:xsi": _XSI,
        "xsi:schemaLocation": f"{_NS} {_NS}/gexf.xsd",
        "version": "1.3",
    }
    out.extend(
        [
            "<?xml version='1.0' encoding='utf-8'?>",
            _tag("gexf", root, close=False),
            "  <meta>",
            "    <creator>netanalysis</creator>",
            "    <description>Country-forum co-mention network over time</description>",
            "  </meta>",
        ]
    )
    attrs = {"defaultedgetype": "undirected", "mode": "dynamic", "timeformat": "date", "timerepresentation": "interval"}
    if span:
        attrs.update(start=_date(span[0]), end=_date(span[1]))
    out.append(f"  {_tag('graph', attrs, close=False)}")

    def keep(name: str) -> bool:
        return dynamic_weight or name != "windows"

    taken = {n for n, _ in _NODE_STATIC}
    added = [(n, t) for n, t in _extra_specs(extra) if n not in taken]
    # a whole-period measure named as a per-window metric gets its own id (one id, one meaning)
    ident = {n: f"{n}_overall" if n in metrics or n == "window_posts" else n for n, _ in added}
    _attributes(
        out,
        "node",
        "static",
        [(n, n, t) for n, t in _NODE_STATIC if keep(n)] + [(ident[n], ident[n], t) for n, t in added],
    )
    node_dynamic = [("window_posts", "window_posts", "integer")] + [(m, m, "double") for m in metrics]
    _attributes(out, "node", "dynamic", node_dynamic if dynamic_weight else [])
    tested = any("q_value" in d for _, _, d in G.edges(data=True))
    present = {name for values in edges.values.values() for name in values}
    edge_static = [(n, n, t) for n, t in _EDGE_STATIC if keep(n)] + (
        [(n, n, t) for n, t in _EDGE_TEST] if tested else []
    )
    _attributes(out, "edge", "static", edge_static)
    edge_dynamic = [("weight", "Weight", "double"), ("window_weight", "window_weight", "double")]
    if "window_q_value" in present:  # the windows were tested
        edge_dynamic += [(n, n, t) for n, t in _WINDOW_TEST if n in present]
    _attributes(out, "edge", "dynamic", edge_dynamic if dynamic_weight else [])
    out.append("    <nodes>")
    for node in sorted(G.nodes, key=str):
        data = G.nodes[node]
        out.append(f"      {_tag('node', {'id': node, 'label': data.get('label', node)}, close=False)}")
        static = {k: data[k] for k, _ in _NODE_STATIC if k in data and k != "windows"}
        if dynamic_weight:
            static["windows"] = len(nodes.spells.get(node, []))
        given = extra.get(node, {})
        static.update({ident[k]: given[k] for k, _ in added if k in given and not _missing(given[k])})
        _attvalues(out, static, nodes.values.get(node, {}))
        _viz(out, given.get("viz"))
        _spells(out, nodes.spells.get(node))
        out.append("      </node>")
    out.append("    </nodes>")
    out.append("    <edges>")
    for u, v in sorted(_edge_key(u, v) for u, v in G.edges()):
        data = G[u][v]
        weight = float(data.get("weight", 1))
        tag = _tag("edge", {"id": f"{u}|{v}", "source": u, "target": v, "weight": _number(weight)}, close=False)
        out.append(f"      {tag}")
        static = {
            "total_weight": weight,
            "first_date": data.get("first_date") or "",
            "last_date": data.get("last_date") or "",
        }
        if dynamic_weight:
            static["windows"] = len(edges.spells.get((u, v), []))
        if tested:
            static.update({n: data[n] for n, _ in _EDGE_TEST if n in data})
        _attvalues(out, static, edges.values.get((u, v), {}))
        _spells(out, edges.spells.get((u, v)))
        out.append("      </edge>")
    out.extend(["    </edges>", "  </graph>", "</gexf>"])


def write_dynamic_gexf(
    windows_or_graph: Sequence | nx.Graph,
    path: str | Path,
    *,
    graph: nx.Graph | None = None,
    timeline: pd.DataFrame | None = None,
    node_attributes: Mapping[Any, Mapping[str, Any]] | None = None,
) -> Path:
    """Write a dynamic GEXF 1.3 file (spells, dynamic weights) that Gephi's timeline plays.

    Parameters
    ----------
    windows_or_graph : list of (window_start, window_end, graph) or networkx.Graph
        Window graphs from :func:`~netanalysis.analysis.timeline.graphs_over_time`; or one
        co-mention graph, whose edges' ``first_date``/``last_date`` give the spells.
    path : str or Path
        The ``.gexf`` file to write (atomically: temp file, then rename).
    graph : networkx.Graph, optional
        The whole co-mention graph: its nodes, edges, labels and totals are written (elements
        of no window get no spell). Default: the union of the window graphs, with totals summed
        over the windows (required with overlapping windows, where sums would count a post
        more than once).
    timeline : DataFrame, optional
        The timeline table over the same windows: each metric becomes a dynamic node attribute.
    node_attributes : mapping, optional
        Per node: static attributes (``nodes.csv``'s measures and community) and ``viz``
        (``color`` r/g/b/a, ``size``, ``position`` x/y/z), as for
        :func:`~netanalysis.io.graph_files.write_gexf`.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    GraphError
        If window ends do not increase, or windows overlap and ``graph`` is not given.
    """
    path = Path(path)
    build: tuple[Any, ...]
    if isinstance(windows_or_graph, nx.Graph):
        G = graph if graph is not None else windows_or_graph
        nodes, edges = _static_spells(windows_or_graph)
        dated = [s for spells in edges.spells.values() for s in spells]
        span = (min(s[0] for s in dated), max(s[1] for s in dated)) if dated else None
        build = (G, nodes, edges, [], False, span, node_attributes)
    else:
        windows = list(windows_or_graph)
        overlap = any(lo < prev_hi for (_, prev_hi, _), (lo, _, _) in zip(windows, windows[1:]))
        if graph is None and overlap:
            raise GraphError(
                "rolling or cumulative windows count a post in several windows: pass "
                "graph= (the whole co-mention graph) for the static totals"
            )
        G = graph if graph is not None else _union(windows)
        nodes, edges, metrics = _collect(windows, timeline)
        shown = display_intervals([(lo, hi) for lo, hi, _ in windows])
        span = (shown[0][0], shown[-1][1]) if shown else None
        build = (G, nodes, edges, metrics, True, span, node_attributes)
        missing = sum(1 for n in G if n not in nodes.spells)
        if missing:
            log.info("%d node(s) of the graph are in no time window (no spell written)", missing)
    with atomic_write(path, "wb") as fh:
        out = _Lines(fh)
        _build(out, *build)
        out.flush()
    return path
