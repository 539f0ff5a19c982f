"""Comparing groups of posts (channels, the values of a table's column, two sets of inputs).

The units are **posts**: every post of a group (``baseline="all-units"``, the default, as the
edge tests of a run count every unit), or only the posts naming at least one (not excluded)
country or forum (``"topical-units"``: what the groups say when they name countries or forums). A
post belongs to one group, so posts are what group labels are given to and permuted. For an edge (or a node)
and a group, the count is the number of the group's posts naming both ends in one unit (naming
the node); with ``unit="post"`` that is the edge's weight in the group's network.

Contrasts. With two groups A and B there is one contrast, A vs B. With k > 2 groups each group is
compared with the **rest** (all other groups' posts together): the question a reader asks of a
channel is what it does differently from the others, and k contrasts stay readable where
k(k-1)/2 pairs do not; the k groups are also tested together by one omnibus permutation test,
and every pair is compared by rank agreement.

Per edge and node and contrast (``compare_edges.csv``, ``compare_nodes.csv``):

* the log-odds ratio of its use with an informative Dirichlet prior (the pooled counts) and its
  z-score (Monroe, Colaresi & Quinn 2008): a descriptive ranking of what separates the groups;
* two-sided Fisher's exact test of its posts in the group against the group's posts, and in the
  other side against its posts; Benjamini-Hochberg q-values over every test of the file (all
  contrasts together), ``significant`` when ``q < alpha``; ``over_used_by`` names the side with
  the larger share when significant.

Overall (``compare_tests.csv``): a permutation test of each contrast over group labels (the
posts of both sides reassigned at random, sizes kept; Jensen-Shannon divergence of the two
sides' shares of edge, country and forum occurrences; Phipson & Smyth 2010 p-values) and, with
k > 2, an omnibus test of all groups (:mod:`netanalysis.analysis.group_permutation`);
q-values (BH) over the rows of each kind of item. Rank agreement of every pair of groups is in
``compare_agreement.csv`` (:mod:`netanalysis.analysis.compare_networks`).

References: Monroe, Colaresi & Quinn (2008); Fisher (1935); Benjamini & Hochberg (1995);
Phipson & Smyth (2010); Lin (1991); Kendall (1938, 1945); Webber, Moffat & Zobel (2010).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from netanalysis.analysis.compare_networks import GroupNetwork, group_network, rank_agreement_table
from netanalysis.analysis.compare_stats import fisher_items, log_odds_dirichlet
from netanalysis.analysis.group_permutation import REST as _REST
from netanalysis.analysis.group_permutation import TEST_COLUMNS, overall_tests
from netanalysis.analysis.significance import _check_alpha, bh_qvalues
from netanalysis.errors import ConfigError, GraphError
from netanalysis.graph import Batch, edges_table
from netanalysis.graph.link_starts import posts_of
from netanalysis.model import BASELINES, SIDES, Exclusion, index_type
from netanalysis.registry.memberships import Memberships

__all__ = [
    "REST",
    "Comparison",
    "compare_groups",
    "group_order",
    "contrasts_of",
    "TEST_COLUMNS",
    "EDGE_COMPARE_COLUMNS",
    "NODE_KEYS",
]

log = logging.getLogger(__name__)

#: The other side of a group's contrast when there are more than two groups.
REST = _REST
_SIDE_COLUMNS = ["posts", "units", "share", "posts_versus", "units_versus", "share_versus"]
_TEST_COLUMNS = ["log_odds", "log_odds_se", "z", "p_value", "q_value", "significant", "over_used_by"]
#: Columns of ``compare_edges.csv``.
EDGE_COMPARE_COLUMNS = ["country", "forum", "group", "versus", *_SIDE_COLUMNS, *_TEST_COLUMNS, "status"]
#: The first columns of ``compare_nodes.csv`` (then the node measures in each side's network:
#: degree, strength and the ranking measure, each with its ``_versus``, and ``rank``, ``rank_versus``).
NODE_KEYS = ["node", "kind", "label", "group", "versus", *_SIDE_COLUMNS, *_TEST_COLUMNS]


@dataclass
class Comparison:
    """What :func:`compare_groups` finds (each table is one file of the ``compare`` folder)."""

    groups: list[str]
    contrasts: list[tuple[str, str]]
    summary: pd.DataFrame  # compare_groups.csv
    edges: pd.DataFrame  # compare_edges.csv
    nodes: pd.DataFrame  # compare_nodes.csv
    agreement: pd.DataFrame  # compare_agreement.csv
    tests: pd.DataFrame  # compare_tests.csv
    networks: dict[str, GroupNetwork] = field(default_factory=dict)  # each group's (and each rest's)
    measure: str = "share"
    alpha: float = 0.05


def group_order(labels: Sequence[str] | np.ndarray, first: Sequence[str] = ()) -> list[str]:
    """The groups: those of ``first`` that occur, in that order, then the others by number of
    posts (most first), ties by name.

    >>> group_order(["b", "a", "b", "c", "a", "b"])
    ['b', 'a', 'c']
    """
    counts = pd.Series(np.asarray(labels, dtype=object)).value_counts()
    listed = [g for g in first if g in counts.index]
    rest = sorted((g for g in counts.index if g not in listed), key=lambda g: (-int(counts[g]), str(g)))
    return [*listed, *[str(g) for g in rest]]


def contrasts_of(groups: Sequence[str]) -> list[tuple[str, str]]:
    """A vs B for two groups; each group vs the rest for more."""
    if len(groups) < 2:
        raise GraphError(f"comparing needs at least two groups, found {len(groups)}: {', '.join(groups) or 'none'}")
    return [(groups[0], groups[1])] if len(groups) == 2 else [(g, REST) for g in groups]


def _naming_posts(corpus: Batch, exclude: Exclusion) -> np.ndarray:
    """Whether each post names at least one country or forum that is not excluded."""
    ok = np.array([k in SIDES and not exclude.matches(k, e) for k, e in corpus.entities], dtype=bool)
    kept = index_type(corpus.n_links + 1)
    named = np.r_[kept(0), np.cumsum(ok[corpus.entity], dtype=kept)]  # (kept links before each link)
    return named[corpus.start[1:]] > named[corpus.start[:-1]]


def _incidence(edges: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(edge index, post code) of every post of every edge of the pooled graph."""
    codes = [np.asarray(ids.codes, dtype=np.int64) for ids in edges["post_ids"]]
    index = np.repeat(np.arange(len(codes)), [len(c) for c in codes])
    return index, (np.concatenate(codes) if codes else np.zeros(0, dtype=np.int64))


def _node_incidence(corpus: Batch, nodes: list[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
    """(node index, post) of every post naming each node (a post counts once)."""
    position = {key: i for i, key in enumerate(nodes)}
    code_to_node = np.array([position.get(key, -1) for key in corpus.entities], dtype=np.int64)
    node = code_to_node[corpus.entity]
    on = node >= 0
    pairs = np.unique(np.stack([node[on], posts_of(corpus.start)[on].astype(np.int64)], axis=1), axis=0)
    return pairs[:, 0], pairs[:, 1]


def _counts(item: np.ndarray, post: np.ndarray, label: np.ndarray, n_items: int, k: int) -> np.ndarray:
    return np.bincount(item * k + label[post], minlength=n_items * k).reshape(n_items, k)


def _contrast_table(
    counts: np.ndarray, units: np.ndarray, a: int, b: list[int], keys: pd.DataFrame, kinds: np.ndarray | None
) -> pd.DataFrame:
    """Log-odds and Fisher tests of every item for one contrast (q-values come later)."""
    ca, cb = counts[:, a], counts[:, b].sum(axis=1)
    ua, ub = int(units[a]), int(units[b].sum())
    fisher = fisher_items(ca, cb, units_a=ua, units_b=ub)
    delta = pd.DataFrame(index=range(len(ca)), columns=["delta", "variance", "z"], dtype=float)
    groups = [np.arange(len(ca))] if kinds is None else [np.flatnonzero(kinds == k) for k in np.unique(kinds)]
    for rows in groups:  # nodes: countries among countries, forums among forums
        used = rows[(ca[rows] + cb[rows]) > 0]
        if len(used):
            delta.loc[used, ["delta", "variance", "z"]] = log_odds_dirichlet(ca[used], cb[used]).to_numpy()
    out = keys.copy()
    out["posts"], out["units"], out["share"] = ca, ua, fisher["share_a"].to_numpy()
    out["posts_versus"], out["units_versus"], out["share_versus"] = cb, ub, fisher["share_b"].to_numpy()
    out["log_odds"] = delta["delta"].to_numpy(dtype=float)
    out["log_odds_se"] = np.sqrt(delta["variance"].to_numpy(dtype=float))
    out["z"] = delta["z"].to_numpy(dtype=float)
    out["p_value"] = fisher["p_value"].to_numpy()
    return out


def _finish(table: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """BH q-values over every row, ``significant`` and ``over_used_by``."""
    table = table.copy()
    table["q_value"] = bh_qvalues(table["p_value"].to_numpy()) if len(table) else []
    table["significant"] = table["q_value"] < alpha
    more = np.where(table["share"] > table["share_versus"], table["group"], table["versus"])
    table["over_used_by"] = np.where(table["significant"], more, "")
    return table


def compare_groups(
    corpus: Batch,
    labels: Sequence[str] | np.ndarray,
    pooled: nx.Graph,
    *,
    order: Sequence[str] = (),
    unit: str = "post",
    min_weight: int = 1,
    exclude: Exclusion | Sequence[str] = (),
    node_labels: Callable[[str, str], str] | None = None,
    memberships: Memberships | None = None,
    measure: str = "share",
    alpha: float = 0.05,
    n_permutations: int = 999,
    seed: int = 0,
    baseline: str = BASELINES[0],
    edge_test: dict[str, Any] | None = None,
) -> Comparison:
    """Compare the groups of a corpus's posts (see the module notes).

    Parameters
    ----------
    corpus : Batch
        The posts and their links, in the order the pooled graph numbered them.
    labels : sequence of str
        The group of every post of ``corpus``.
    pooled : networkx.Graph
        The corpus's co-mention graph, counted with post ids (its edges are the items compared).
    order : sequence of str
        Groups to list first, in this order (e.g. the two input groups); the rest by size.
    unit, min_weight, exclude, node_labels, memberships
        As for the pooled graph: each group's network is counted the same way.
    measure : str
        The node measure that ranks countries and forums (for rank agreement and ``rank``):
        ``share`` (of the group's units naming the node, the default), ``posts``, or a measure of
        :func:`~netanalysis.analysis.centrality.centrality_table` (e.g. ``pagerank``).
    alpha : float
        False discovery rate of ``significant``.
    n_permutations : int
        Permutations of each permutation test.
    seed : int
        Seed of the permutations and of the communities of each group's network.
    baseline : {"all-units", "topical-units"}
        The units of the comparison: every post of a group (the default), or only those naming
        at least one country or forum (``topical-units``); also each group network's baseline.
    edge_test : dict, optional
        Options of :func:`~netanalysis.analysis.edge_tests.validate_edges` to test each group's
        edges against chance within the group (as ``edges.csv`` of a run).
    """
    alpha = _check_alpha(alpha)
    exclusion = Exclusion.parse(exclude)
    label = np.asarray(labels, dtype=object)
    if len(label) != len(corpus):
        raise GraphError(f"{len(label)} group labels for {len(corpus)} posts")
    groups = group_order(label, order)
    contrasts = contrasts_of(groups)
    k = len(groups)
    code = pd.Index(groups).get_indexer(label)
    if baseline not in BASELINES:
        raise ConfigError(f"baseline must be one of {', '.join(BASELINES)}, not {baseline!r}")
    topical = _naming_posts(corpus, exclusion)
    naming = topical if baseline == "topical-units" else np.ones(len(corpus), dtype=bool)
    units = np.bincount(code[naming], minlength=k)
    edges = edges_table(pooled, join=False) if pooled.number_of_edges() else pd.DataFrame()
    if edges.empty:
        raise GraphError("no co-mentions to compare (check the inputs, --exclude and --min-weight)")
    e_item, e_post = _incidence(edges)
    edge_counts = _counts(e_item, e_post, code, len(edges), k)
    nodes = sorted((d["kind"], d["entity"]) for _, d in pooled.nodes(data=True))
    n_item, n_post = _node_incidence(corpus, nodes)
    node_counts = _counts(n_item, n_post, code, len(nodes), k)
    node_keys = pd.DataFrame(
        {
            "node": [f"{kind}:{e}" for kind, e in nodes],
            "kind": [kind for kind, _ in nodes],
            "label": [pooled.nodes[f"{kind}:{e}"].get("label", e) for kind, e in nodes],
        }
    )
    edge_keys = edges[["country", "forum"]].reset_index(drop=True)

    def network(keep: np.ndarray, *, memberships: Memberships | None, post_ids: bool = True) -> GroupNetwork:
        return group_network(
            corpus,
            keep,
            unit=unit,
            min_weight=min_weight,
            exclude=exclusion,
            labels=node_labels,
            memberships=memberships,
            seed=seed,
            post_ids=post_ids,
            baseline=baseline,
            edge_test=edge_test if post_ids else None,
        )

    networks = {g: network(code == i, memberships=memberships) for i, g in enumerate(groups)}
    edge_rows, node_rows = [], []
    for a_name, b_name in contrasts:
        a = groups.index(a_name)
        b = [groups.index(b_name)] if b_name != REST else [i for i in range(k) if i != a]
        if b_name == REST:
            networks[f"{REST}:{a_name}"] = network(code != a, memberships=None, post_ids=False)
        side = {"group": a_name, "versus": b_name}
        edge_rows.append(_contrast_table(edge_counts, units, a, b, edge_keys.assign(**side), None))
        table = _contrast_table(node_counts, units, a, b, node_keys.assign(**side), node_keys["kind"].to_numpy())
        node_rows.append(_with_measures(table, networks[a_name], _versus(networks, b_name, a_name), measure))
    edge_table = _finish(pd.concat(edge_rows, ignore_index=True), alpha)
    edge_table["status"] = np.tile(edges["status"].to_numpy(dtype=object), len(contrasts)) if "status" in edges else ""
    node_table = _finish(pd.concat(node_rows, ignore_index=True), alpha)
    tests = overall_tests(
        groups,
        contrasts,
        code,
        naming,
        (e_item, e_post),
        (n_item, n_post),
        node_keys["kind"].to_numpy(),
        n_permutations,
        seed,
    )
    measures = [c for m in _measure_columns(measure) for c in (m, f"{m}_versus")]
    return Comparison(
        groups=groups,
        contrasts=contrasts,
        summary=_summary(groups, code, (np.bincount(code[topical], minlength=k), units), corpus, networks),
        edges=_ordered(edge_table, ["country", "forum"])[EDGE_COMPARE_COLUMNS],
        nodes=_ordered(node_table, ["kind", "node"])[[*NODE_KEYS, *measures, "rank", "rank_versus"]],
        agreement=rank_agreement_table(networks, groups, measure=measure),
        tests=tests,
        networks=networks,
        measure=measure,
        alpha=alpha,
    )


def _versus(networks: dict[str, GroupNetwork], b_name: str, a_name: str) -> GroupNetwork:
    return networks[f"{REST}:{a_name}"] if b_name == REST else networks[b_name]


def _measure_columns(measure: str) -> list[str]:
    """The network measures compare_nodes.csv gives per side: degree, strength and the ranking
    measure (``posts`` and ``share`` are the table's own counts already)."""
    return list(dict.fromkeys(["degree", "strength", *([] if measure in ("posts", "share") else [measure])]))


def _node_values(net: GroupNetwork, measure: str) -> pd.DataFrame:
    frame = net.nodes
    cols = _measure_columns(measure)
    if frame.empty:
        return pd.DataFrame(columns=["node", *cols, "rank"])
    out = frame[["node", "kind", *cols]].copy()
    out["rank"] = frame.groupby("kind")[measure].rank(ascending=False, method="min")
    return out.drop(columns="kind")


def _with_measures(table: pd.DataFrame, net_a: GroupNetwork, net_b: GroupNetwork, measure: str) -> pd.DataFrame:
    """The node's measures in the group's network and in the other side's, side by side."""
    if measure not in ("degree", "strength") and not net_a.nodes.empty and measure not in net_a.nodes.columns:
        raise ConfigError(f"unknown node measure {measure!r} for the comparison")
    a, b = _node_values(net_a, measure), _node_values(net_b, measure)
    out = table.merge(a, on="node", how="left").merge(b, on="node", how="left", suffixes=("", "_versus"))
    for col in _measure_columns(measure):
        out[col] = out[col].astype(float).fillna(0.0)
        out[f"{col}_versus"] = out[f"{col}_versus"].astype(float).fillna(0.0)
    return out


def _summary(
    groups: list[str],
    code: np.ndarray,
    counts: tuple[np.ndarray, np.ndarray],
    corpus: Batch,
    networks: dict[str, GroupNetwork],
) -> pd.DataFrame:
    """compare_groups.csv: per group its posts, those naming a country or forum, its units (the
    posts of the baseline: the shares' denominator), its network's size and its dates."""
    naming, units = counts
    rows = []
    for i, g in enumerate(groups):
        G = networks[g].graph
        kinds = [d.get("kind") for _, d in G.nodes(data=True)]
        dates = corpus.dates[code == i]
        dated = dates[dates != np.iinfo(np.int64).min]
        first, last = (
            ((pd.Timestamp(int(dated.min()), unit="us"), pd.Timestamp(int(dated.max()), unit="us")))
            if len(dated)
            else (None, None)
        )
        rows.append(
            {
                "group": g,
                "posts": int((code == i).sum()),
                "posts_naming": int(naming[i]),
                "units": int(units[i]),
                "countries": kinds.count("country"),
                "forums": kinds.count("forum"),
                "edges": G.number_of_edges(),
                "first_date": "" if first is None else first.strftime("%Y-%m-%d"),
                "last_date": "" if last is None else last.strftime("%Y-%m-%d"),
            }
        )
    return pd.DataFrame(rows)


def _ordered(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Rows by contrast (as listed), then q-value, then |z| (largest first), then the keys."""
    contrast = pd.factorize(table["group"] + "\x1f" + table["versus"])[0]
    frame = table.assign(_c=contrast, _z=-table["z"].abs().fillna(0.0))
    frame = frame.sort_values(["_c", "q_value", "_z", *keys], kind="mergesort")
    return frame.drop(columns=["_c", "_z"]).reset_index(drop=True)
