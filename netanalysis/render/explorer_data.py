"""The data the explorer page draws: nodes, edges, the posts behind them, search terms.

Every node and edge carries what the page needs to redo its numbers for any time window: an
edge's posts per day (its weight in a window is their sum), a node's posts per day, and the
indices of the posts (in date order) for the evidence list, which the page pages through.
Node sizes follow ``strength`` (the sum of the node's edge weights: the figures' measure), and
communities are ``nodes.csv``'s numbers in the figures' colours. Search covers each node's label,
ISO code or forum id, every alias the registry lists for it (Russian case forms included) and
forums' full names.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from netanalysis.analysis.centrality import NODE_COLUMNS
from netanalysis.analysis.plotdata import node_communities
from netanalysis.errors import ConfigError, GraphError
from netanalysis.render.explorer_evidence import (
    MAX_POSTS,
    TEXT_CHARS,
    PostTable,
    day,
    post_table,
)
from netanalysis.render.explorer_layout import finite_number, layout
from netanalysis.render.explorer_texts import texts_and_marks
from netanalysis.render.graph_style import SIZE_MEASURE
from netanalysis.render.numbers import whole
from netanalysis.render.palette import COMMUNITY_SHOWN, OKABE_ITO, community_color
from netanalysis.render.text_column import IntColumn

__all__ = ["edge_ends", "explorer_data", "search_terms", "SIDE_COLOURS", "MIN_SIZE", "MAX_SIZE"]

#: Okabe-Ito colours (safe for the common colour-vision deficiencies); the sides also differ in shape.
SIDE_COLOURS = {"country": "#0072B2", "forum": "#E69F00"}
_SHAPES = {"country": "dot", "forum": "diamond"}
_MEASURES = tuple(NODE_COLUMNS[NODE_COLUMNS.index("posts") :])  # every measure of nodes.csv
_EDGE_MEASURES = ("weight", "assoc_strength", "jaccard", "npmi", "q_value", "status", "posts_by_status")
#: Node radius in pixels: the smallest node and the largest (area proportional to strength).
MIN_SIZE, MAX_SIZE = 8.0, 40.0


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", str(text)).casefold()


def search_terms(registry: Any, nodes: Iterable[str]) -> dict[str, list[str]]:
    """What the search box finds each node by: every alias of the registry (``aliases.csv``,
    Russian case forms included), the country's names (short, official, Russian) and the forum's
    (full English and Russian names, label), case-folded.

    Examples
    --------
    >>> from netanalysis.registry import load_registry
    >>> terms = search_terms(load_registry(), ["country:CN", "forum:SCO"])
    >>> "китая" in terms["country:CN"], "shanghai cooperation organisation" in terms["forum:SCO"]
    (True, True)
    """
    wanted = set(nodes)
    out: dict[str, set[str]] = {n: set() for n in wanted}
    aliases = registry.aliases
    for kind, entity, alias in zip(aliases["kind"], aliases["entity"], aliases["alias"]):
        node = f"{kind}:{entity}"
        if node in out:
            out[node].add(_fold(alias).lstrip("#«»\"' ").rstrip("»\"' "))
    for row in registry.countries.itertuples(index=False):
        node = f"country:{row.code}"
        if node in out:
            out[node].update(_fold(v) for v in (row.name, row.official_name, row.name_ru) if v)
    for row in registry.forums.to_dict("records"):
        node = f"forum:{row['id']}"
        if node in out:
            out[node].update(_fold(row[k]) for k in ("name", "name_ru", "label") if row.get(k))
    return {n: sorted(t for t in terms if t) for n, terms in out.items()}


def _fmt(value: Any) -> str:
    """A measure as short, deterministic text (4 significant digits for floats; whole numbers
    from 10,000 with their thousands grouped, as the page writes its counts).

    Examples
    --------
    >>> [_fmt(v) for v in (7, 9999, 431881, 2231373.0, 0.123456, None, True)]
    ['7', '9999', '431,881', '2,231,373', '0.1235', '–', 'True']
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool) or isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return whole(value)
    if hasattr(value, "strftime"):
        return "–" if pd.isna(value) else value.strftime("%Y-%m-%d")
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(number):
        return "–"
    return whole(int(number)) if number.is_integer() else f"{number:.4g}"


def _measure_table(centrality: pd.DataFrame | None) -> dict[str, list[list[str]]]:
    if centrality is None or "node" not in centrality.columns:
        return {}
    cols = [c for c in _MEASURES if c in centrality.columns]
    return {str(row["node"]): [[c, _fmt(row[c])] for c in cols] for row in centrality.to_dict("records")}


def _graph_measures(G: nx.Graph, node: Any) -> list[list[str]]:
    attrs = G.nodes[node]
    rows = [["posts", _fmt(attrs["posts"])]] if isinstance(attrs.get("posts"), (int, float)) else []
    return rows + [["degree", str(G.degree(node))], ["strength", _fmt(G.degree(node, weight="weight"))]]


def _edge_measures(attrs: Mapping[str, Any]) -> list[list[str]]:
    rows = [[m, _fmt(attrs[m])] for m in _EDGE_MEASURES if m in attrs and attrs[m] not in (None, "")]
    dates = [
        [name, day(attrs.get(key)) or "–"]
        for name, key in (("first post", "first_date"), ("last post", "last_date"))
        if key in attrs
    ]
    return rows + dates


def _node_values(G: nx.Graph, centrality: pd.DataFrame | None, size_by: str) -> dict[Any, float]:
    if centrality is None or (size_by == SIZE_MEASURE and size_by not in centrality.columns):
        return {n: finite_number(s) for n, s in G.degree(weight="weight")}
    if size_by not in centrality.columns or "node" not in centrality.columns:
        raise ConfigError(
            f"size_by={size_by!r}: the centrality table has no such column "
            f"(columns: {', '.join(map(str, centrality.columns))})"
        )
    values = dict(zip(centrality["node"].astype(str), centrality[size_by]))
    return {n: finite_number(values.get(str(n), 0.0)) for n in G.nodes}


def _flat(rows: np.ndarray, first_day: int | None) -> IntColumn:
    """``(day, count)`` rows as ``[day, count, ...]`` with days counted from ``first_day`` (an
    :class:`~netanalysis.render.text_column.IntColumn`: Python ints only as the page is written)."""
    if not len(rows):
        return IntColumn(np.zeros(0, dtype=np.int64))
    days = np.where(rows[:, 0] < 0, -1, rows[:, 0] - (first_day or 0))
    return IntColumn(np.column_stack([days, rows[:, 1]]).ravel())


def _first_span_day(edges: Iterable[Mapping[str, Any]]) -> int | None:
    """Days since 1970 of the earliest ``first_date`` (the page's day 0 when there are no posts)."""
    days = [day(d.get("first_date")) for d in edges]
    found = [int(np.datetime64(x, "D").astype(np.int64)) for x in days if x]
    return min(found) if found else None


def edge_ends(G: nx.Graph) -> list[tuple[str, str, dict[str, Any]]]:
    """The edges as the page lists them: ``(u, v, attributes)`` with ``u <= v`` as text, in order."""
    return sorted(((*sorted((str(a), str(b))), d) for a, b, d in G.edges(data=True)), key=lambda t: t[:2])


def explorer_data(
    G: nx.Graph,
    *,
    centrality: pd.DataFrame | None = None,
    posts: pd.DataFrame | None = None,
    mentions: pd.DataFrame | None = None,
    terms: Mapping[str, Iterable[str]] | None = None,
    seed: int = 0,
    size_by: str = SIZE_MEASURE,
    physics: bool = False,
    page_size: int = 20,
    max_posts: int = MAX_POSTS,
    text_chars: int = TEXT_CHARS,
    table: PostTable | None = None,
) -> dict[str, Any]:
    """The data the explorer page draws (see :func:`netanalysis.render.explorer.explorer_html`).

    ``table`` is :func:`~netanalysis.render.explorer_evidence.post_table` of the edges' attributes
    in :func:`edge_ends` order, ``posts`` and ``max_posts``, when the caller has made it already
    (the run's explorer stage makes it to know which posts' texts to read): it is not made again.

    Returns a JSON-ready dict (the posts' texts a :class:`~netanalysis.render.text_column.TextColumn`,
    which the page's writer writes as a list) with keys ``nodes``, ``edges``, ``posts``, ``meta`` and ``options``
    (vis-network options).
    """
    if page_size < 1:
        raise ConfigError(f"page_size must be at least 1, not {page_size}")
    if posts is not None and "post_id" not in posts.columns:
        raise ConfigError("the posts frame has no post_id column")
    if posts is not None and "date" not in posts.columns:
        posts = posts.assign(date=pd.NaT)
    order = sorted(G.nodes, key=str)
    for node in order:
        if G.nodes[node].get("kind") not in SIDE_COLOURS:
            raise GraphError(f"node {node!r} has kind {G.nodes[node].get('kind')!r}; expected 'country' or 'forum'")
    index = {str(n): i for i, n in enumerate(order)}
    values = _node_values(G, centrality, size_by)
    vmax = max((v for v in values.values() if v > 0), default=1.0)
    radius = {n: MIN_SIZE + (MAX_SIZE - MIN_SIZE) * math.sqrt(max(v, 0.0) / vmax) for n, v in values.items()}
    positions = layout(G, seed, radius)
    communities = node_communities(G, centrality=centrality) if len(order) else pd.Series(dtype=int)
    measures = _measure_table(centrality)
    ends = edge_ends(G)
    if table is None:
        table = post_table([d for _, _, d in ends], posts, max_posts=max_posts)
    first = table.first_day if table.dated else _first_span_day(d for *_, d in ends)
    edges = []
    node_edges: dict[str, list[int]] = {str(n): [] for n in order}  # (their posts: all, not only those embedded)
    for k, ((u, v, d), p, total, per_day) in enumerate(zip(ends, table.edges, table.totals, table.edge_days)):
        weight = finite_number(d.get("weight", total or 1))
        node_edges[u].append(k)
        node_edges[v].append(k)
        edge: dict[str, Any] = {
            "id": f"{u}|{v}",
            "from": u,
            "to": v,
            "weight": int(weight) if weight.is_integer() else weight,
            "measures": _edge_measures(d),
            "n": int(total),
            "p": p.tolist(),
            "h": _flat(per_day, first),
            # membership on the posts' dates: ties to a country that was not a member are dashed
            "status": str(d.get("status") or ""),
            "dashes": d.get("status") == "non_member",
        }
        if not table.dated:  # no posts: the edge's span stands for its dates
            edge["span"] = [day(d.get("first_date")), day(d.get("last_date"))]
        edges.append(edge)
    nodes = []
    for node in order:
        attrs = G.nodes[node]
        key = str(node)
        kind = attrs["kind"]
        per_day = table.node_days(node_edges[key])  # (marked, not sorted: a hub's posts are millions)
        label = str(attrs.get("label") or attrs.get("entity") or node)
        words = {_fold(label), _fold(attrs.get("entity") or key.split(":", 1)[-1])} | {
            _fold(t) for t in (terms or {}).get(key, ())
        }
        x, y = positions[node]
        nodes.append(
            {
                "id": key,
                "label": label,
                "kind": kind,
                "entity": str(attrs.get("entity", "")),
                "shape": _SHAPES[kind],
                "x": x,
                "y": y,
                "size": round(radius[node], 2),
                "value": values[node],
                "community": int(communities.get(node, -1)),
                "measures": measures.get(key) or _graph_measures(G, node),
                "terms": sorted(w for w in words if w),
                "n": int(per_day[:, 1].sum()),
                "h": _flat(per_day, first),
            }
        )
    shown = sorted({int(c) for c in communities}) if len(communities) else []
    return {
        "nodes": nodes,
        "edges": edges,
        "posts": texts_and_marks(table, posts, mentions, index, text_chars=text_chars),
        "meta": {
            "size_by": size_by if centrality is not None and size_by in centrality else SIZE_MEASURE,
            "physics": bool(physics),
            "page": int(page_size),
            "first_day": first,
            "dated": table.dated,
            "kept": table.kept,
            "text_chars": int(text_chars),
            "colours": SIDE_COLOURS,
            "communities": {str(c): community_color(c) for c in shown},
            "community_shown": COMMUNITY_SHOWN,
            "palette": list(OKABE_ITO),
        },
        "options": _vis_options(physics),
    }


def _vis_options(physics: bool) -> dict[str, Any]:
    return {
        "physics": {
            "enabled": bool(physics),
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {
                "gravitationalConstant": -120,
                "centralGravity": 0.005,
                "springLength": 150,
                "springConstant": 0.03,
                "avoidOverlap": 1,
            },
            "stabilization": {"enabled": True, "iterations": 200},
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 150,
            "hideEdgesOnDrag": False,
            "navigationButtons": False,
            "multiselect": True,
        },
        "nodes": {"borderWidth": 1, "font": {"face": "sans-serif", "strokeWidth": 3, "strokeColor": "#ffffff"}},
        "edges": {
            "smooth": False,
            "color": {"color": "#9a9a9a", "highlight": "#333333", "hover": "#333333", "opacity": 0.6},
        },
        "layout": {"improvedLayout": False, "randomSeed": 0},
    }
