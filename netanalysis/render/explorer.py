"""The offline interactive explorer: one self-contained HTML file built with pyvis.

pyvis 0.3.2 is wrapped here so that none of its hazards leak:

* ``Network.from_nx`` mutates the graph it is given, so nodes and edges are added one by one
  from the caller's graph, which is only read;
* the default ``cdn_resources="local"`` writes a ``lib/`` folder into the current directory and
  every pyvis template loads Bootstrap (and, outside ``in_line``, vis-network) from a CDN, so
  pyvis's templates and ``write_html``/``show`` are never used: the page is rendered from this
  package's own template with vis-network's JavaScript and CSS (shipped inside pyvis) inlined;
* a title is hover text that pyvis's own template puts into ``innerHTML`` (whenever a title
  contains "href"), so nodes and edges get no string title at all: every text the page shows (post
  text, channel names, labels) travels in one ``application/json`` block with ``<``, ``>``,
  ``&``, U+2028 and U+2029 escaped, and the page's own script builds tooltips and the details
  panel with ``textContent``.

Positions are computed here (a seeded force-directed layout in pixels, overlaps removed) and
physics is off by default, so large graphs open at once. A Content-Security-Policy in the page
forbids every fetch besides ``data:``/``blob:`` images, as a second line behind the inlining.
"""

from __future__ import annotations

import html
import json
import logging
import math
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import pyvis
from pyvis.network import Network

from netanalysis.analysis.centrality import NODE_COLUMNS
from netanalysis.errors import ConfigError, GraphError, NetanalysisError
from netanalysis.io.atomic import atomic_write
from netanalysis.model import trim_for_excerpt
from netanalysis.render.explorer_posts import CodedPosts, day, edge_dates, post_dates, post_records
from netanalysis.render.explorer_posts import evidence as post_evidence

log = logging.getLogger(__name__)

__all__ = ["explorer_html", "write_explorer", "explorer_data", "trim_for_excerpt", "SIDE_COLOURS"]

#: Okabe-Ito colours (safe for the common colour-vision deficiencies); the sides also differ in shape.
SIDE_COLOURS = {"country": "#0072B2", "forum": "#E69F00"}
_SHAPES = {"country": "dot", "forum": "diamond"}
_MEASURES = tuple(NODE_COLUMNS[NODE_COLUMNS.index("posts") :])  # every measure of nodes.csv
_EDGE_MEASURES = (
    "weight",
    "expected",
    "assoc_strength",
    "jaccard",
    "npmi",
    "p_value",
    "q_value",
    "significant",
    "status",
    "posts_by_status",
)
_MIN_SIZE, _MAX_SIZE = 8.0, 40.0
_ASSETS = Path(__file__).with_name("assets")
_VIS_DIR = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def explorer_html(
    G: nx.Graph,
    *,
    centrality: pd.DataFrame | None = None,
    posts: pd.DataFrame | None = None,
    seed: int = 0,
    size_by: str = "pagerank",
    physics: bool = False,
    title: str = "netanalysis network",
    max_posts_per_item: int = 20,
) -> str:
    """Render the bipartite graph as one self-contained, offline HTML explorer.

    Parameters
    ----------
    G : networkx.Graph
        Bipartite country-forum graph (node attrs ``kind``, ``label``; edge attrs ``weight``,
        normalised weights, ``post_ids``, ``first_date``, ``last_date``). Not modified.
    centrality : pandas.DataFrame, optional
        One row per node (column ``node``); its measures appear in the tooltips and
        ``size_by`` sizes the nodes. Without it, nodes are sized by weighted degree.
    posts : pandas.DataFrame, optional
        The posts frame (``post_id``, ``channel``, ``date``, ``text``...): evidence excerpts in
        tooltips and per-post dates for the time filter. Without it, the time filter uses each
        edge's ``first_date``-``last_date`` span.
    seed : int
        Seed of the layout; the same graph and seed give the same file, byte for byte.
    size_by : str
        Column of ``centrality`` that sizes the nodes (area proportional to the value).
    physics : bool
        Start with vis-network's physics on (a checkbox in the page toggles it).
    title : str
        Page title and heading (shown as text).
    max_posts_per_item : int
        Evidence posts listed per node or edge in the details panel (tooltips show the first 2).

    Returns
    -------
    str
        The HTML page. It makes no network request: scripts and styles are inline.

    Raises
    ------
    GraphError
        If a node has no ``kind`` of ``country`` or ``forum``.
    ConfigError
        If ``size_by`` is not a column of ``centrality`` or ``max_posts_per_item`` < 0.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("country:CN", kind="country", bipartite=0, label="China")
    >>> G.add_node("forum:BRICS", kind="forum", bipartite=1, label="BRICS")
    >>> G.add_edge("country:CN", "forum:BRICS", weight=2, post_ids=["p1", "p2"])
    >>> page = explorer_html(G, title="CN & BRICS")
    >>> page.startswith("<!DOCTYPE html>"), "<title>CN &amp; BRICS</title>" in page
    (True, True)
    >>> "<script src=" in page or "<link " in page
    False
    """
    data = explorer_data(
        G,
        centrality=centrality,
        posts=posts,
        seed=seed,
        size_by=size_by,
        physics=physics,
        max_posts_per_item=max_posts_per_item,
    )
    page = (_ASSETS / "explorer.html").read_text(encoding="utf-8")
    parts = {
        "TITLE": html.escape(title),
        "VIS_CSS": _inline(_read_vis("vis-network.css"), "style"),
        "APP_CSS": _inline((_ASSETS / "explorer.css").read_text(encoding="utf-8"), "style"),
        "VIS_JS": _inline(_read_vis("vis-network.min.js"), "script"),
        "APP_JS": _inline((_ASSETS / "explorer.js").read_text(encoding="utf-8"), "script"),
        "DATA": _json_for_script(data),
    }
    return re.sub(r"@@(TITLE|VIS_CSS|APP_CSS|VIS_JS|APP_JS|DATA)@@", lambda m: parts[m[1]], page)


def write_explorer(
    G: nx.Graph,
    path: str | os.PathLike,
    *,
    centrality: pd.DataFrame | None = None,
    posts: pd.DataFrame | None = None,
    seed: int = 0,
    size_by: str = "pagerank",
    physics: bool = False,
    title: str = "netanalysis network",
    max_posts_per_item: int = 20,
) -> Path:
    """Write :func:`explorer_html` to ``path`` atomically; nothing else is written.

    Parameters
    ----------
    G : networkx.Graph
        The bipartite graph (not modified).
    path : str or path-like
        The HTML file to write (UTF-8); its folder is created if needed. A temporary file beside
        it is renamed over it only once the page is complete.
    centrality, posts, seed, size_by, physics, title, max_posts_per_item
        As in :func:`explorer_html`.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    page = explorer_html(
        G,
        centrality=centrality,
        posts=posts,
        seed=seed,
        size_by=size_by,
        physics=physics,
        title=title,
        max_posts_per_item=max_posts_per_item,
    )
    path = Path(path)
    with atomic_write(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(page)
    log.info("wrote explorer %s (%d nodes, %d edges)", path, G.number_of_nodes(), G.number_of_edges())
    return path


def explorer_data(
    G: nx.Graph,
    *,
    centrality: pd.DataFrame | None = None,
    posts: pd.DataFrame | None = None,
    seed: int = 0,
    size_by: str = "pagerank",
    physics: bool = False,
    max_posts_per_item: int = 20,
) -> dict[str, Any]:
    """The data the explorer page draws: vis nodes and edges (from pyvis), posts, metadata.

    Parameters are those of :func:`explorer_html`. Returns a JSON-ready dict with keys
    ``nodes``, ``edges``, ``posts``, ``meta`` and ``options`` (vis-network options).
    """
    if max_posts_per_item < 0:
        raise ConfigError(f"max_posts_per_item must be >= 0, not {max_posts_per_item}")
    if posts is not None and "post_id" not in posts.columns:
        raise ConfigError("the posts frame has no post_id column")
    if posts is not None and "date" not in posts.columns:
        posts = posts.assign(date=pd.NaT)
    sizes = _node_values(G, centrality, size_by)
    measures = _measure_table(centrality)
    coded = CodedPosts.of(G, posts)  # large graphs: posts handled as integer codes
    dates = {} if coded is not None else post_dates(posts)
    vmax = max((v for v in sizes.values() if v > 0), default=1.0)
    radius = {n: _MIN_SIZE + (_MAX_SIZE - _MIN_SIZE) * math.sqrt(max(v, 0.0) / vmax) for n, v in sizes.items()}
    positions = _layout(G, seed, radius)
    wmax = max((_num(d.get("weight", 1)) for _, _, d in G.edges(data=True)), default=1.0) or 1.0

    net = Network(directed=False, cdn_resources="in_line")
    extras: dict[str, dict[str, Any]] = {}
    for node in sorted(G.nodes, key=str):
        attrs = G.nodes[node]
        kind = attrs.get("kind")
        if kind not in SIDE_COLOURS:
            raise GraphError(f"node {node!r} has kind {kind!r}; expected 'country' or 'forum'")
        x, y = positions[node]
        size = radius[node]
        net.add_node(
            str(node),
            label=str(attrs.get("label") or attrs.get("entity") or node),
            shape=_SHAPES[kind],
            color=SIDE_COLOURS[kind],
            x=x,
            y=y,
            size=round(size, 2),
            font={"size": round(12 + size / 4, 1)},
        )
        extras[str(node)] = {
            "kind": kind,
            "entity": str(attrs.get("entity", "")),
            "measures": measures.get(str(node)) or _graph_measures(G, node),
        }
    edge_posts: dict[str, list] = {str(n): [] for n in G.nodes}
    ends = sorted(((*sorted((str(a), str(b))), d) for a, b, d in G.edges(data=True)), key=lambda t: t[:2])
    for u, v, d in ends:
        if coded is not None:
            codes = coded.codes(d["post_ids"])
            count, when, evidence = len(codes), coded.dates(codes, d), coded.evidence(codes, max_posts_per_item)
            edge_posts[u].append(codes)
            edge_posts[v].append(codes)
        else:
            ids = sorted({str(p) for p in (d.get("post_ids") or [])})
            count, when, evidence = len(ids), edge_dates(ids, dates, d), post_evidence(ids, dates, max_posts_per_item)
            edge_posts[u].extend(ids)
            edge_posts[v].extend(ids)
        weight = _num(d.get("weight", count or 1))
        weight = int(weight) if weight.is_integer() else weight
        # pyvis's add_edge scans every edge for duplicates (quadratic); the nx.Graph has none.
        net.edges.append(
            {
                "from": u,
                "to": v,
                "id": f"{u}|{v}",
                "width": round(1 + 7 * math.sqrt(weight / wmax), 2),
                "weight": weight,
                "measures": _edge_measures(d),
                "dates": when,
                "span": posts is None,
                "post_count": count,
                "evidence": evidence,
                # membership on the posts' dates (netanalysis.graph.membership): ties to a
                # country that was not a member are drawn dashed
                "status": str(d.get("status") or ""),
                "dashes": d.get("status") == "non_member",
            }
        )
    nodes = []
    for item in net.nodes:
        if coded is not None:
            parts = edge_posts[item["id"]]
            codes = np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
            count, evidence = len(codes), coded.evidence(codes, max_posts_per_item)
        else:
            ids = sorted(set(edge_posts[item["id"]]))
            count, evidence = len(ids), post_evidence(ids, dates, max_posts_per_item)
        nodes.append({**item, **extras[item["id"]], "post_count": count, "evidence": evidence})
    shown = sorted({p for item in nodes + net.edges for p in item["evidence"]})
    return {
        "nodes": nodes,
        "edges": net.edges,
        "posts": post_records(shown, posts),
        "meta": {
            "size_by": size_by if centrality is not None and size_by in centrality else "strength",
            "physics": bool(physics),
            "max_posts_per_item": max_posts_per_item,
            "colours": SIDE_COLOURS,
        },
        "options": _vis_options(physics),
    }


# -- pieces ---------------------------------------------------------------------------------------


def _read_vis(name: str) -> str:
    path = _VIS_DIR / name
    try:
        return path.read_text(encoding="utf-8")
    except OSError as err:
        raise NetanalysisError(f"vis-network not found in the installed pyvis ({path}): {err}") from err


def _inline(text: str, tag: str) -> str:
    """Make ``text`` safe inside ``<script>``/``<style>``: it cannot close the element early."""
    return re.sub(rf"</({tag})", r"<\\/\1", text, flags=re.IGNORECASE)


def _json_for_script(data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return re.sub("[<>&\u2028\u2029]", lambda m: _JSON_ESCAPES[m[0]], text)


def _num(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return number if math.isfinite(number) else 0.0


def _fmt(value: Any) -> str:
    """A measure as short, deterministic text (4 significant digits for floats)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool) or isinstance(value, (int, str)):
        return str(value)
    if hasattr(value, "strftime"):
        return "–" if pd.isna(value) else value.strftime("%Y-%m-%d")
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(number):
        return "–"
    return str(int(number)) if number.is_integer() else f"{number:.4g}"


def _node_values(G: nx.Graph, centrality: pd.DataFrame | None, size_by: str) -> dict[Any, float]:
    if centrality is None:
        return {n: _num(s) for n, s in G.degree(weight="weight")}
    if size_by not in centrality.columns or "node" not in centrality.columns:
        raise ConfigError(
            f"size_by={size_by!r}: the centrality table has no such column "
            f"(columns: {', '.join(map(str, centrality.columns))})"
        )
    values = dict(zip(centrality["node"].astype(str), centrality[size_by]))
    return {n: _num(values.get(str(n), 0.0)) for n in G.nodes}


def _measure_table(centrality: pd.DataFrame | None) -> dict[str, list[list[str]]]:
    if centrality is None or "node" not in centrality.columns:
        return {}
    cols = [c for c in _MEASURES if c in centrality.columns]
    return {str(row["node"]): [[c, _fmt(row[c])] for c in cols] for row in centrality.to_dict("records")}


def _edge_measures(attrs: Mapping[str, Any]) -> list[list[str]]:
    rows = [[m, _fmt(attrs[m])] for m in _EDGE_MEASURES if m in attrs]
    dates = [
        [name, day(attrs.get(key)) or "–"]
        for name, key in (("first post", "first_date"), ("last post", "last_date"))
        if key in attrs
    ]
    return rows + dates


def _graph_measures(G: nx.Graph, node: Any) -> list[list[str]]:
    attrs = G.nodes[node]
    rows = [["posts", _fmt(attrs["posts"])]] if isinstance(attrs.get("posts"), (int, float)) else []
    return rows + [["degree", str(G.degree(node))], ["strength", _fmt(G.degree(node, weight="weight"))]]


def _layout(G: nx.Graph, seed: int, radius: Mapping[Any, float]) -> dict[Any, tuple[float, float]]:
    """Seeded force-directed layout of the nodes in sorted order, scaled to pixels.

    A dense Fruchterman-Reingold in numpy (networkx's ``spring_layout`` needs scipy from 500
    nodes on) with a weak pull to the centre so that small components stay in view. Edge
    weights enter as ``log1p(weight)`` so a few heavy edges do not collapse the picture. Then
    nodes that overlap at their drawn ``radius`` (pixels) are pushed apart.
    """
    order = sorted(G.nodes, key=str)
    n = len(order)
    if n == 0:
        return {}
    index = {node: i for i, node in enumerate(order)}
    A = np.zeros((n, n))
    for u, v, d in G.edges(data=True):
        w = math.log1p(_num(d.get("weight", 1))) or 0.1
        A[index[u], index[v]] = A[index[v], index[u]] = w
    A /= A.max() if A.max() > 0 else 1.0
    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2))
    k = math.sqrt(1.0 / n)
    iterations = 120
    step = 0.1
    for i in range(iterations):
        sq = (pos**2).sum(axis=1)
        dist = np.sqrt(np.maximum(sq[:, None] + sq[None, :] - 2 * pos @ pos.T, 1e-4))
        force = k * k / dist**2 - A * dist / k
        np.fill_diagonal(force, 0.0)
        # sum_j (pos_i - pos_j) * force_ij, without an n x n x 2 array
        disp = pos * force.sum(axis=1)[:, None] - force @ pos - 0.5 * k * (pos - pos.mean(axis=0))
        length = np.maximum(np.sqrt((disp**2).sum(axis=-1)), 0.01)
        pos += disp * (step * (1 - i / iterations) / length)[:, None]
    pos -= pos.mean(axis=0)
    pos /= max(np.abs(pos).max(), 1e-9)
    pos *= 90.0 * math.sqrt(n) + 60.0
    pos = _separate(pos, np.array([radius[node] for node in order]) + 14.0)
    return {node: (round(float(x), 1), round(float(y), 1)) for node, (x, y) in zip(order, pos)}


def _separate(pos: np.ndarray, r: np.ndarray, rounds: int = 60) -> np.ndarray:
    """Push apart discs (centres ``pos``, radii ``r``) that overlap, a half-overlap at a time."""
    pos = pos.copy()
    need = r[:, None] + r[None, :]
    for _ in range(rounds):
        sq = (pos**2).sum(axis=1)
        dist = np.sqrt(np.maximum(sq[:, None] + sq[None, :] - 2 * pos @ pos.T, 1e-6))
        overlap = np.maximum(need - dist, 0.0)
        np.fill_diagonal(overlap, 0.0)
        if overlap.max() < 0.5:
            break
        w = overlap / (2 * dist)
        pos += pos * w.sum(axis=1)[:, None] - w @ pos
    return pos


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
