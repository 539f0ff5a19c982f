"""The data behind the comparison's figures, as tables (drawn by :mod:`netanalysis.render.compare_plot`).

* :func:`shared_graph`: the nodes every panel shows (the most co-mentioned of all groups' networks
  together) and the union graph they are laid out on, so a node sits in the same place in every
  panel;
* :func:`difference_edges`: each edge of that graph with the group that over-uses it (the side
  with the larger share of posts in a contrast whose q-value is below alpha; with more than two
  groups the group of largest z among those that over-use it against the rest), or none;
* :func:`log_odds_points`: per contrast, each edge's total posts and log-odds z-score, as in
  Monroe, Colaresi & Quinn's (2008) "fightin' words" plots.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from netanalysis.analysis.compare import REST, Comparison
from netanalysis.analysis.plotdata import union_graph

__all__ = ["shared_graph", "difference_edges", "log_odds_points", "edge_name"]


def edge_name(country: str, forum: str) -> str:
    """``TR–BRICS``."""
    return f"{country}–{forum}"


def shared_graph(comparison: Comparison, *, top: int = 60) -> nx.Graph:
    """The union of the groups' networks (weights summed) on its ``top`` nodes by strength,
    at least a fifth of them of each side when there are that many."""
    U = union_graph([comparison.networks[g].graph for g in comparison.groups])
    if U.number_of_nodes() <= top:
        return U
    strength = dict(U.degree(weight="weight"))
    ranked = sorted(U.nodes, key=lambda n: (-strength[n], str(n)))
    chosen = ranked[:top]
    for kind in ("country", "forum"):
        have = [n for n in chosen if U.nodes[n].get("kind") == kind]
        want = min(top // 5, sum(1 for n in U.nodes if U.nodes[n].get("kind") == kind))
        if len(have) < want:
            extra = [n for n in ranked if U.nodes[n].get("kind") == kind and n not in chosen][: want - len(have)]
            chosen = chosen[: top - len(extra)] + extra
    H = U.subgraph(chosen).copy()
    H.remove_nodes_from([n for n in list(H) if H.degree(n) == 0])
    return H


def difference_edges(comparison: Comparison) -> pd.DataFrame:
    """One row per compared edge: ``country, forum, node_a, node_b, posts`` (all groups),
    ``over_used_by`` (a group, or ``""``), ``z`` (its log-odds z-score in that contrast, else the
    largest |z|), ``q_value``."""
    edges = comparison.edges
    rows = []
    for (country, forum), part in edges.groupby(["country", "forum"], sort=True):
        posts = int(part["posts"].iloc[0] + part["posts_versus"].iloc[0])
        hits = part[part["significant"] & (part["over_used_by"] != REST) & (part["over_used_by"] != "")]
        if len(hits):
            signed = np.where(hits["over_used_by"] == hits["group"], hits["z"], -hits["z"])
            best = int(np.nanargmax(signed)) if np.isfinite(signed).any() else 0
            row = hits.iloc[best]
            rows.append([country, forum, posts, row["over_used_by"], float(signed[best]), float(row["q_value"])])
        else:
            z = part["z"].abs()
            rows.append(
                [country, forum, posts, "", float(z.max()) if z.notna().any() else 0.0, float(part["q_value"].min())]
            )
    out = pd.DataFrame(rows, columns=["country", "forum", "posts", "over_used_by", "z", "q_value"])
    out.insert(2, "node_a", "country:" + out["country"])
    out.insert(3, "node_b", "forum:" + out["forum"])
    return out


def log_odds_points(comparison: Comparison) -> pd.DataFrame:
    """Every edge of every contrast: ``group, versus, edge, posts`` (both sides), ``z``,
    ``significant`` and ``over_used_by``."""
    e = comparison.edges
    return pd.DataFrame(
        {
            "group": e["group"],
            "versus": e["versus"],
            "edge": [edge_name(c, f) for c, f in zip(e["country"], e["forum"])],
            "posts": e["posts"] + e["posts_versus"],
            "z": e["z"],
            "significant": e["significant"],
            "over_used_by": e["over_used_by"],
        }
    )
