"""The offline interactive explorer: one self-contained HTML file over vis-network (from pyvis).

pyvis 0.3.2 is wrapped here so that none of its hazards leak:

* ``Network.from_nx`` mutates the graph it is given, and pyvis's templates load Bootstrap (and,
  outside ``in_line``, vis-network) from a CDN, while the default ``cdn_resources="local"``
  writes a ``lib/`` folder into the current directory: so no pyvis ``Network`` is built, its
  templates and ``write_html``/``show`` are never used; the page is this package's own template
  with the vis-network JavaScript and CSS that pyvis ships inlined;
* a title is hover text that pyvis's own template puts into ``innerHTML``, so nodes and edges get
  no string title at all: every text the page shows (post text, channel names, labels) travels in
  one ``application/json`` block with ``<``, ``>``, ``&``, U+2028 and U+2029 escaped, and the
  page's own script builds tooltips and the details panel with ``textContent``.

What the page does (``assets/explorer.js``): the time window recounts each edge's posts in the
period (widths), each node's strength over them (sizes, the figures' measure), the counts and the
evidence list, which pages through every post of a node or an edge ("Show more") with the words
the extraction matched highlighted (offsets from ``mentions.csv``); search covers labels, codes
and every registry alias (Russian case forms included); selecting a node fades all but its
neighbours; nodes are coloured by kind or by community (``nodes.csv``'s numbers, the figures'
colours). Positions are computed here (a seeded force-directed layout in pixels, overlaps
removed) and physics is off by default, so large graphs open at once. A Content-Security-Policy
in the page forbids every fetch besides ``data:``/``blob:`` images, as a second line behind the
inlining.
"""

from __future__ import annotations

import html
import importlib.util
import io
import json
import logging
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import networkx as nx
import pandas as pd

from netanalysis.errors import NetanalysisError
from netanalysis.io.atomic import atomic_write
from netanalysis.render.explorer_data import SIDE_COLOURS, explorer_data, search_terms
from netanalysis.render.explorer_evidence import MAX_POSTS, TEXT_CHARS
from netanalysis.render.graph_style import SIZE_MEASURE
from netanalysis.render.text_column import COLUMNS, IntColumn

log = logging.getLogger(__name__)

__all__ = ["explorer_html", "write_explorer", "explorer_data", "search_terms", "SIDE_COLOURS"]

_ASSETS = Path(__file__).with_name("assets")
# pyvis is found, not imported: only its vis-network files are read, and importing it loads
# jinja2 (0.15 s of a report)
_PYVIS = importlib.util.find_spec("pyvis")
if _PYVIS is None or _PYVIS.origin is None:
    raise ImportError("the explorer needs pyvis (pip install pyvis)")
_VIS_DIR = Path(_PYVIS.origin).parent / "templates" / "lib" / "vis-9.1.2"
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_UNSAFE = re.compile("[<>&\u2028\u2029]")
#: The page's parts, in its template.
_SLOT = re.compile(r"@@(TITLE|VIS_CSS|APP_CSS|VIS_JS|APP_JS|DATA)@@")
#: List items encoded together (one piece of the page's data).
_BATCH = 1000
#: The page's title when none is given.
_TITLE = "netanalysis network"


def explorer_html(
    G: nx.Graph,
    *,
    centrality: pd.DataFrame | None = None,
    posts: pd.DataFrame | None = None,
    mentions: pd.DataFrame | None = None,
    terms: Mapping[str, Iterable[str]] | None = None,
    seed: int = 0,
    size_by: str = SIZE_MEASURE,
    physics: bool = False,
    title: str = _TITLE,
    page_size: int = 20,
    max_posts: int = MAX_POSTS,
    text_chars: int = TEXT_CHARS,
) -> str:
    """Render the bipartite graph as one self-contained, offline HTML explorer.

    Parameters
    ----------
    G : networkx.Graph
        Bipartite country-forum graph (node attrs ``kind``, ``label``; edge attrs ``weight``,
        normalised weights, ``post_ids``, ``first_date``, ``last_date``, ``status``). Not modified.
    centrality : pandas.DataFrame, optional
        ``nodes.csv``: its measures appear in the details, ``size_by`` sizes the nodes and its
        ``community`` numbers colour them. Without it, nodes are sized by weighted degree.
    posts : pandas.DataFrame, optional
        ``post_id``, ``channel``, ``date``, ``text``: the evidence and every post's day for the
        time window. Without it, the time window uses each edge's first and last dates.
    mentions : pandas.DataFrame, optional
        ``mentions.csv`` (``post_id, kind, entity, start, end``): the words to highlight.
    terms : mapping, optional
        Extra search terms per node id (:func:`search_terms` gives every registry alias).
    seed : int
        Seed of the layout; the same graph and seed give the same file, byte for byte.
    size_by : str
        Column of ``centrality`` that sizes the nodes over the whole period (``strength``, as in
        the figures; within a time window the page sizes nodes by their strength in it).
    physics : bool
        Start with vis-network's physics on (a checkbox in the page toggles it).
    title : str
        Page title and heading (shown as text).
    page_size : int
        Posts listed per page of evidence ("Show more" lists the next page).
    max_posts, text_chars : int
        Budgets: posts embedded, characters of each post's text (see
        :mod:`netanalysis.render.explorer_evidence`).

    Returns
    -------
    str
        The HTML page. It makes no network request: scripts and styles are inline.

    Raises
    ------
    GraphError
        If a node has no ``kind`` of ``country`` or ``forum``.
    ConfigError
        If ``size_by`` is not a column of ``centrality`` or ``page_size`` < 1.

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
        mentions=mentions,
        terms=terms,
        seed=seed,
        size_by=size_by,
        physics=physics,
        page_size=page_size,
        max_posts=max_posts,
        text_chars=text_chars,
    )
    page = io.StringIO()
    _write_page(page, data, title)
    return page.getvalue()


def write_explorer(G: nx.Graph, path: str | os.PathLike, **options: Any) -> Path:
    """Write :func:`explorer_html` to ``path`` atomically; nothing else is written.

    The page is written as it is made, a piece at a time: the whole page is never held as one
    string (on 50,000 benchmark posts, its 37 MB of data were held three times over, as their
    JSON, escaped, and in the page: 330 MB above the stage's data).

    Parameters
    ----------
    G : networkx.Graph
        The bipartite graph (not modified).
    path : str or path-like
        The HTML file to write (UTF-8); its folder is created if needed. A temporary file beside
        it is renamed over it only once the page is complete.
    **options
        As for :func:`explorer_html` (``centrality``, ``posts``, ``mentions``, ``terms``,
        ``seed``, ``title``...).

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    title = options.pop("title", _TITLE)
    data = explorer_data(G, **options)
    path = Path(path)
    with atomic_write(path, "w", encoding="utf-8", newline="\n") as fh:
        _write_page(fh, data, title)
    log.info(
        "wrote explorer %s (%d nodes, %d edges, %d bytes)",
        path,
        G.number_of_nodes(),
        G.number_of_edges(),
        path.stat().st_size,
    )
    return path


def _write_page(out: IO[str], data: Mapping[str, Any], title: str) -> None:
    """The page template with its parts put in, written to ``out`` piece by piece."""
    template = (_ASSETS / "explorer.html").read_text(encoding="utf-8")
    parts = {
        "TITLE": lambda: html.escape(title),
        "VIS_CSS": lambda: _inline(_read_vis("vis-network.css"), "style"),
        "APP_CSS": lambda: _inline((_ASSETS / "explorer.css").read_text(encoding="utf-8"), "style"),
        "VIS_JS": lambda: _inline(_read_vis("vis-network.min.js"), "script"),
        "APP_JS": lambda: _inline((_ASSETS / "explorer.js").read_text(encoding="utf-8"), "script"),
    }
    done = 0
    for slot in _SLOT.finditer(template):
        out.write(template[done : slot.start()])
        if slot[1] == "DATA":
            for piece in _json_pieces(data):
                out.write(_escape_json(piece))
        else:
            out.write(parts[slot[1]]())
        done = slot.end()
    out.write(template[done:])


def _read_vis(name: str) -> str:
    path = _VIS_DIR / name
    try:
        return path.read_text(encoding="utf-8")
    except OSError as err:
        raise NetanalysisError(f"vis-network not found in the installed pyvis ({path}): {err}") from err


def _inline(text: str, tag: str) -> str:
    """Make ``text`` safe inside ``<script>``/``<style>``: it cannot close the element early."""
    return re.sub(rf"</({tag})", r"<\\/\1", text, flags=re.IGNORECASE)


def _json_pieces(value: Any, depth: int = 0) -> Iterator[str]:
    """``json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
    allow_nan=False)`` in pieces whose concatenation is that text, byte for byte: dicts of
    string keys and long lists are opened up (to three levels: the posts' texts are a list in
    a dict in the data), everything else is one ``json.dumps``. A
    :class:`~netanalysis.render.text_column.TextColumn` is written as the list of its texts, and
    a :class:`~netanalysis.render.text_column.MarkColumn` as the list of its posts' marks, a
    batch at a time."""
    if depth < 3 and isinstance(value, dict) and all(isinstance(k, str) for k in value):
        yield "{"
        for number, (key, item) in enumerate(sorted(value.items())):
            yield ("," if number else "") + _dumps(key) + ":"
            yield from _json_pieces(item, depth + 1)
        yield "}"
    elif isinstance(value, IntColumn):
        yield value.json()
    elif depth < 3 and isinstance(value, (list, tuple)) and value and all(isinstance(x, dict) for x in value):
        yield "["  # (the nodes and edges: each opened, so their counts by day are made one at a time)
        for number, item in enumerate(value):
            yield "," if number else ""
            yield from _json_pieces(item, depth + 1)
        yield "]"
    elif isinstance(value, COLUMNS) or (depth < 3 and isinstance(value, (list, tuple)) and len(value) > _BATCH):
        yield "["
        for start in range(0, len(value), _BATCH):
            yield ("," if start else "") + ",".join(_dumps(item) for item in value[start : start + _BATCH])
        yield "]"
    else:
        yield _dumps(value)


def _dumps(value: Any) -> str:
    return json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False, default=_listed
    )


def _listed(value: Any) -> list[Any]:
    """A column (:data:`~netanalysis.render.text_column.COLUMNS`) inside a value dumped whole: its
    items."""
    if isinstance(value, COLUMNS):
        return list(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _escape_json(text: str) -> str:
    """JSON text made safe inside ``<script>``: ``<``, ``>``, ``&``, U+2028 and U+2029 as
    ``\\uXXXX`` escapes (each character on its own, so pieces can be escaped one by one)."""
    return _UNSAFE.sub(lambda m: _JSON_ESCAPES[m[0]], text)
