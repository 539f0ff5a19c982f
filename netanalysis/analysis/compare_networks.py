"""Each group's own network and its measures, and how far two groups rank nodes and edges alike.

A group's network is counted exactly as the whole corpus's (:class:`~netanalysis.graph.CoMentionCounter`
over the group's posts: the same unit, exclusions, minimum weight and membership labels) and
measured by :func:`~netanalysis.analysis.centrality.centrality_table`, so its ``edges.csv`` and
``nodes.csv`` read like any run's. :func:`rank_agreement_table` compares every pair of groups:
Kendall's tau-b between their scores of the same items (countries and forums by a centrality
measure, edges by weight; an item missing from one group scores 0 there) and the extrapolated
rank-biased overlap of their rankings (:mod:`netanalysis.analysis.rank_agreement`).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from netanalysis.analysis.centrality import centrality_table
from netanalysis.analysis.edge_tests import validate_edges
from netanalysis.analysis.rank_agreement import kendall_tau, rank_biased_overlap, ranking
from netanalysis.graph import Batch, CoMentionCounter
from netanalysis.model import BASELINES, Exclusion
from netanalysis.registry.memberships import Memberships

__all__ = ["GroupNetwork", "group_network", "AGREEMENT_COLUMNS", "rank_agreement_table", "RBO_PERSISTENCE"]

log = logging.getLogger(__name__)

#: Columns of ``compare_agreement.csv``.
AGREEMENT_COLUMNS = [
    "group_a",
    "group_b",
    "items",
    "measure",
    "n",
    "kendall_tau",
    "kendall_p",
    "rbo",
    "top_a",
    "top_b",
]
#: RBO's persistence: the top 10 ranks carry 85.6% of the weight.
RBO_PERSISTENCE = 0.9
_TOP_SHOWN = 5


@dataclass
class GroupNetwork:
    """A group's network (``graph``) and its node measures (``nodes``, empty without edges)."""

    graph: nx.Graph
    nodes: pd.DataFrame


def group_network(
    corpus: Batch,
    keep: np.ndarray,
    *,
    unit: str,
    min_weight: int,
    exclude: Exclusion,
    labels: Callable[[str, str], str] | None,
    memberships: Memberships | None,
    seed: int,
    post_ids: bool = True,
    baseline: str = BASELINES[0],
    edge_test: dict[str, Any] | None = None,
) -> GroupNetwork:
    """The network of the posts of ``corpus`` where ``keep`` is true, counted as the whole one
    (and, with ``edge_test`` = the options of :func:`~netanalysis.analysis.edge_tests.validate_edges`,
    its edges tested against chance within the group)."""
    part = corpus.select(keep, ids=post_ids)
    counter = CoMentionCounter(
        corpus.entities,
        unit=unit,
        min_weight=min_weight,
        exclude=exclude,
        labels=labels,
        post_ids=post_ids,
        memberships=memberships if post_ids else None,
        baseline=baseline,
    )
    counter.add(part)
    G = counter.graph()
    if edge_test is not None and G.number_of_edges():
        G = validate_edges(G, **edge_test)
    nodes = centrality_table(G, seed=seed) if G.number_of_edges() else pd.DataFrame(columns=["node", "kind"])
    if not nodes.empty:  # units naming the node, and their share of the group's N (as the time measures)
        margins = G.graph["margins"]
        nodes["posts"] = [int(margins.named.get(v, 0)) for v in nodes["node"]]
        nodes["share"] = nodes["posts"] / max(int(G.graph["n_units"]), 1)
    return GroupNetwork(G, nodes)


def _scores(net: GroupNetwork, kind: str, measure: str) -> dict[Hashable, float]:
    frame = net.nodes
    if frame.empty or measure not in frame.columns:
        return {}
    part = frame[frame["kind"] == kind]
    return {str(n): float(v) for n, v in zip(part["node"], part[measure])}


def _edge_scores(net: GroupNetwork) -> dict[Hashable, float]:
    G = net.graph
    out: dict[Hashable, float] = {}
    for u, v, d in G.edges(data=True):
        a, b = (u, v) if G.nodes[u].get("kind") == "country" else (v, u)
        out[f"{G.nodes[a].get('entity', a)}–{G.nodes[b].get('entity', b)}"] = float(d.get("weight", 0))
    return out


def _label(net_a: GroupNetwork, net_b: GroupNetwork, item: str) -> str:
    for net in (net_a, net_b):
        if item in net.graph:
            return str(net.graph.nodes[item].get("label", item))
    return item.split(":", 1)[-1]


def rank_agreement_table(networks: dict[str, GroupNetwork], groups: Sequence[str], *, measure: str) -> pd.DataFrame:
    """Kendall's tau-b and RBO for every pair of groups: countries and forums ranked by
    ``measure`` (a column of the node table), edges by weight.

    Returns
    -------
    DataFrame
        Columns :data:`AGREEMENT_COLUMNS`: ``n`` items in either group, ``kendall_tau`` and its
        p-value (NaN with fewer than two items or constant scores), ``rbo`` (persistence
        :data:`RBO_PERSISTENCE`, ties broken by item id), each group's first five items.
    """
    rows = []
    for a, b in itertools.combinations(groups, 2):
        na, nb = networks[a], networks[b]
        for items, score_a, score_b, name in (
            ("countries", _scores(na, "country", measure), _scores(nb, "country", measure), measure),
            ("forums", _scores(na, "forum", measure), _scores(nb, "forum", measure), measure),
            ("edges", _edge_scores(na), _edge_scores(nb), "weight"),
        ):
            tau, p, n = kendall_tau(score_a, score_b)
            rank_a, rank_b = ranking(score_a), ranking(score_b)
            rbo = rank_biased_overlap(rank_a, rank_b, p=RBO_PERSISTENCE)

            def shown(ranked: list) -> str:
                return "; ".join(_label(na, nb, str(i)) if items != "edges" else str(i) for i in ranked[:_TOP_SHOWN])

            rows.append([a, b, items, name, n, tau, p, rbo, shown(rank_a), shown(rank_b)])
    return pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)
