"""One-mode projections of the bipartite graph: country-country and forum-forum ties."""

from __future__ import annotations

import networkx as nx
import pandas as pd

from netanalysis.errors import ConfigError
from netanalysis.graph.coding import Batch
from netanalysis.graph.counter import CoMentionCounter, check_options
from netanalysis.graph.tables_coding import from_tables
from netanalysis.model import BASELINES, SIDES

__all__ = ["project"]

OTHER = {"country": "forum", "forum": "country"}


def project(
    G: nx.Graph,
    side: str = "country",
    *,
    via: str = "forum",
    mentions: pd.DataFrame | None = None,
    posts: pd.DataFrame | None = None,
    unit: str = "post",
    baseline: str | None = None,
) -> nx.Graph:
    """Project the bipartite graph onto one side (countries or forums).

    Parameters
    ----------
    G : networkx.Graph
        A graph from :func:`co_mention_graph`; the projection has the nodes of ``side`` in ``G``
        with their attributes.
    side : {"country", "forum"}
    via : str
        The other side (``"forum"`` for countries, ``"country"`` for forums): two nodes are
        linked when they share neighbours in ``G``, with networkx's
        ``bipartite.weighted_projected_graph`` semantics: ``weight`` = number of shared
        neighbours; edges also carry ``shared`` (the shared entities, sorted) and ``overlap``
        (sum over shared neighbours of the smaller of the two edge weights: units that could be
        common). ``"posts"``: two nodes are linked when a unit names both (needs ``mentions``;
        exclusions are those of ``G``); ``weight`` = number of units, with ``expected``,
        ``assoc_strength``, ``jaccard``, ``npmi``, ``post_ids``, ``first_date``, ``last_date`` as
        in :func:`co_mention_graph`, over the same ``N`` (the baseline of ``G``), ties among the
        nodes of ``G`` only (:func:`~netanalysis.graph.projection_graph` ties every entity).
    mentions, posts, unit
        As in :func:`co_mention_graph`; used only with ``via="posts"``.
    baseline : str, optional
        With ``via="posts"``: what ``N`` counts; default that of ``G``.
    """
    if side not in SIDES:
        raise ConfigError(f"unknown side {side!r}; choose country or forum")
    if via not in (OTHER[side], "posts"):
        raise ConfigError(f"a {side} projection goes via {OTHER[side]!r} or 'posts', not {via!r}")
    nodes = sorted(n for n, d in G.nodes(data=True) if d.get("bipartite") == SIDES[side])
    P = nx.Graph(
        side=side,
        via=via,
        unit=G.graph.get("unit", "post") if via != "posts" else unit,
        exclude=G.graph.get("exclude", ""),
    )
    P.add_nodes_from((n, dict(G.nodes[n])) for n in nodes)
    if via == "posts":
        chosen = baseline or G.graph.get("baseline", BASELINES[0])
        return _project_via_posts(P, mentions, posts, unit, side, chosen)
    if len(nodes) == len(G):  # nothing on the other side: no edges
        return P
    W = nx.bipartite.weighted_projected_graph(G, nodes)
    for u, v in sorted(tuple(sorted(e)) for e in W.edges()):
        shared = sorted(set(G[u]) & set(G[v]))
        P.add_edge(
            u,
            v,
            weight=len(shared),
            shared=[G.nodes[s].get("entity", s) for s in shared],
            overlap=int(sum(min(G[u][s].get("weight", 1), G[v][s].get("weight", 1)) for s in shared)),
        )
    return P


def _project_via_posts(
    P: nx.Graph,
    mentions: pd.DataFrame | Batch | None,
    posts: pd.DataFrame | None,
    unit: str,
    side: str,
    baseline: str,
) -> nx.Graph:
    if mentions is None:
        raise ConfigError("a projection via='posts' needs the mentions table; pass mentions=...")
    check_options(unit, 1, baseline)
    batch = mentions if isinstance(mentions, Batch) else from_tables(mentions, posts, unit=unit)[0]
    counter = CoMentionCounter(
        batch.entities, unit=unit, exclude=P.graph["exclude"].split(";"), sides=(side, side), baseline=baseline
    )
    counter.add(batch)
    Q = counter.projection(side, nodes=list(P.nodes))
    for node in Q:  # the nodes as the bipartite graph has them (labels, posts)
        Q.nodes[node].clear()
        Q.nodes[node].update(P.nodes[node])
    Q.graph.update(side=side, via="posts")
    return Q
