"""Resampling posts: a window coded for fast replicates, and the node measures of a replicate.

The bootstrap (:mod:`netanalysis.analysis.uncertainty`) and the permutation test of change
(:mod:`netanalysis.analysis.change_tests`) both draw many *replicates* of a window: the same posts,
each taken ``c_p`` times (``c_p`` = 0, 1, 2, ...). The post is the resampling unit whatever the
unit of co-mention: with paragraph or sentence units a post brings all of its units along, so
the dependence between the units of one post is kept.

A replicate's numbers are those of the co-mention graph of its posts (a post taken twice counts
twice): with ``M`` the posts x (country, forum) matrix of co-mention counts (how many units of
post ``p`` name both), the replicate's edge weights are ``c^T M``, and all replicates at once are
``C M`` for the replicates x posts matrix ``C`` of multiplicities; the units naming a node and
the numbers of units are computed the same way. The node measures that need the graph
(degree, betweenness, closeness, eigenvector, PageRank) are computed with the definitions of
:func:`netanalysis.analysis.centrality.node_measures`, the code behind ``nodes.csv`` and
``timeline.csv``, for blocks of replicates at once (:mod:`netanalysis.analysis.batch_measures`;
the tests check every replicate against ``node_measures`` on its graph, and a replicate whose
eigenvector is ambiguous is computed by ``node_measures`` itself). Everything is computed once
per distinct replicate, the hop-based measures once per distinct set of edges. A node that is
not in a replicate's graph scores 0 on the graph measures, as an absent node counts 0 in
``changes.csv``.

Input tables
------------
``posts``: one row per post of the window, with ``post_id`` and, for paragraph or sentence units,
``units`` (how many paragraphs or sentences the post has, counting those that name nothing) or
``text`` (to count them, as :func:`netanalysis.extract.units.unit_starts` splits it).
``links``: one row per (post, unit, entity) with ``post_id``, ``kind`` (``country`` or
``forum``; other kinds are ignored), ``entity`` and, for paragraph or sentence units, ``unit``
(the index of the paragraph or sentence within its post;
:func:`netanalysis.analysis.association.unit_links` makes it from a mentions table). Links of
posts not in ``posts`` are left out, so the links of a whole corpus can be passed with each
window's posts. Links are counted once per (post, unit, kind, entity).

Measures
--------
``posts`` (units naming the node), ``share`` (``posts`` over the window's number of units ``N``
of the chosen baseline, see :mod:`netanalysis.analysis.association`), and the graph measures of
:data:`netanalysis.analysis.centrality.MEASURES`.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from netanalysis.analysis.batch_measures import batch_eigenvector, batch_hop_measures, batch_pagerank
from netanalysis.analysis.centrality import HOP_MEASURES, node_measures
from netanalysis.analysis.centrality import MEASURES as GRAPH_MEASURES
from netanalysis.analysis.link_products import by_post, largest_abs, summed, weighted_totals
from netanalysis.analysis.link_sums import code_type, counted, distinct_pairs, ones, totals, window_pairs
from netanalysis.analysis.pair_sets import PairSets, pair_sets
from netanalysis.analysis.ranks import rank_within_kind
from netanalysis.analysis.replicate_blocks import bootstrap_counts, distinct_rows
from netanalysis.errors import ConfigError
from netanalysis.extract.units import UNITS
from netanalysis.graph.link_starts import posts_of, starts
from netanalysis.graph.tables_coding import units_per_post
from netanalysis.model import BASELINES, index_type

__all__ = [
    "BASELINES",
    "NODE_MEASURES",
    "CodedWindow",
    "code_window",
    "coded_window",
    "coded_links",
    "replicate_values",
    "PairedSums",
    "paired_sums",
    "rank_within_kind",
    "bootstrap_counts",
]

log = logging.getLogger(__name__)

#: Every node measure a replicate can give.
NODE_MEASURES = ("posts", "share") + GRAPH_MEASURES
_SIDES = ("country", "forum")


@dataclass(frozen=True)
class CodedWindow:
    """The posts of a window and their country/forum links as integer codes.

    Attributes
    ----------
    post_ids : ndarray
        The posts, in the order of the posts table.
    units, topical : ndarray
        Per post: its number of units, and of units naming a country or forum (int8 when every
        unit is a post: 0 or 1).
    nodes : list of str
        Node ids (``country:XX``, ``forum:ID``) of every entity the posts name, sorted.
    kinds : ndarray
        ``country`` or ``forum`` per node.
    node_start, node_index, node_count : ndarray
        Per (post, node), sorted by post: how many units of the post name the node (the node
        and the count as int32 when they fit), and where each post's entries start
        (``posts + 1`` values; :attr:`node_post` gives each entry's post).
    edge_nodes : ndarray
        ``(E, 2)`` node indices (country, forum) of every pair co-mentioned at least once.
    edge_start, edge_index, edge_count : ndarray or None
        Per (post, edge): how many units of the post name both (as for nodes; these arrays are
        most of a large window's memory, and :attr:`edge_post` gives each entry's post). None
        when the pairs are not listed (``edge_sets``).
    unit : str
        The unit of co-mention.
    edge_sets : PairSets or None
        A large window of whole posts: its pairs as an entry per post, block of one side's
        nodes its links touch and node of the other side, coded by the subset of the block the
        post names (:mod:`netanalysis.analysis.pair_sets`), which give the same sums without
        listing the pairs.
    """

    post_ids: np.ndarray
    units: np.ndarray
    topical: np.ndarray
    nodes: list
    kinds: np.ndarray
    node_start: np.ndarray
    node_index: np.ndarray
    node_count: np.ndarray
    edge_nodes: np.ndarray
    edge_start: np.ndarray | None
    edge_index: np.ndarray | None
    edge_count: np.ndarray | None
    unit: str
    edge_sets: PairSets | None = None

    @property
    def n_posts(self) -> int:
        return len(self.post_ids)

    @property
    def node_post(self) -> np.ndarray:
        """Each (post, node) entry's post (int32 when it fits; made anew at each call)."""
        return posts_of(self.node_start)

    @property
    def edge_post(self) -> np.ndarray:
        """Each (post, edge) entry's post (int32 when it fits; made anew at each call)."""
        if self.edge_start is None:
            raise ValueError("this window's pairs are not listed: they are summed through its posts' subsets")
        return posts_of(self.edge_start)

    @functools.cached_property
    def node_codes(self) -> dict[str, int]:
        """Node id -> its index in :attr:`nodes`."""
        return {n: i for i, n in enumerate(self.nodes)}

    @functools.cached_property
    def node_links(self):
        """Sparse nodes x posts matrix of :attr:`node_count` (built once per window, however many
        blocks of replicates are summed with it)."""
        return by_post(self.node_start, self.node_index, self.node_count, len(self.nodes))

    @functools.cached_property
    def edge_links(self):
        """Sparse edges x posts matrix of :attr:`edge_count` (built once per window), or the
        :class:`~netanalysis.analysis.pair_sets.PairSets` that give its products."""
        if self.edge_sets is not None:
            return self.edge_sets
        return by_post(self.edge_start, self.edge_index, self.edge_count, len(self.edge_nodes))

    @functools.cached_property
    def edge_totals(self) -> np.ndarray:
        """Each edge's weight in the window (int64, in the order of :attr:`edge_nodes`)."""
        if self.edge_sets is not None:
            return self.edge_sets.totals
        assert self.edge_index is not None and self.edge_count is not None
        return totals(self.edge_index, self.edge_count, len(self.edge_nodes))


def _check(unit: str, baseline: str) -> None:
    if unit not in UNITS:
        raise ConfigError(f"unknown unit {unit!r}; choose one of {', '.join(UNITS)}")
    if baseline not in BASELINES:
        raise ConfigError(f"unknown baseline {baseline!r}; choose one of {', '.join(BASELINES)}")


def _link_codes(links: pd.DataFrame, index: pd.Index, unit: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, list]:
    """Distinct (post, unit, node) links of the posts in ``index``: post codes, unit indices,
    node codes, and the sorted node ids."""
    need = ["post_id", "kind", "entity"] + (["unit"] if unit != "post" else [])
    missing = [c for c in need if c not in links.columns]
    if missing:
        hint = (
            " (the index of the paragraph or sentence within its post: see netanalysis.analysis.association.unit_links)"
            if "unit" in missing
            else ""
        )
        raise ConfigError(f"the links table lacks column(s) {', '.join(missing)}{hint}")
    keep = (links["kind"].isin(_SIDES) & links["post_id"].notna() & links["entity"].notna()).to_numpy()
    frame = links[keep] if not keep.all() else links
    post = index.get_indexer(frame["post_id"].astype(str))
    inside = post >= 0
    frame, post = frame[inside], post[inside]
    where = np.asarray(frame["unit"], dtype=np.int64) if unit != "post" else np.zeros(len(frame), dtype=np.int64)
    node, names = pd.factorize(frame["kind"].astype(str) + ":" + frame["entity"].astype(str), sort=True)
    n_nodes, n_units = max(len(names), 1), int(where.max(initial=0)) + 1
    key = np.unique((post.astype(np.int64) * n_units + where) * n_nodes + node)
    node, rest = key % n_nodes, key // n_nodes
    return rest // n_units, rest % n_units, node, list(names)


def code_window(posts: pd.DataFrame, links: pd.DataFrame, *, unit: str = "post") -> CodedWindow:
    """Code a window's posts and links for :func:`replicate_values` (see the module notes).

    Raises
    ------
    ConfigError
        On a missing column, a repeated ``post_id`` or an unknown unit.
    """
    _check(unit, BASELINES[0])
    if "post_id" not in posts.columns:
        raise ConfigError("the posts table lacks column post_id")
    post_ids = posts["post_id"].astype(str).to_numpy()
    index = pd.Index(post_ids)
    if not index.is_unique:
        raise ConfigError(f"post_id {index[index.duplicated()][0]!r} is repeated in the posts table")
    units = units_per_post(posts, unit)
    assert units is not None  # (required: raises rather than give None)
    post, where, node, nodes = _link_codes(links, index, unit)
    return coded_window(post_ids, units, post, where, node, nodes, unit)


def coded_window(
    post_ids: np.ndarray,
    units: np.ndarray,
    post: np.ndarray,
    where: np.ndarray,
    node: np.ndarray,
    nodes: list,
    unit: str,
) -> CodedWindow:
    """A :class:`CodedWindow` from the distinct ``(post, unit, node)`` links of its posts, sorted
    in that order (``post`` a position in ``post_ids``, ``where`` the unit's index in its post,
    ``node`` an index into ``nodes``, the sorted node ids), and each post's number of units."""
    return coded_links(post_ids, units, starts(counted(post, len(post_ids))), where, node, nodes, unit)


def coded_links(
    post_ids: np.ndarray,
    units: np.ndarray,
    start: np.ndarray,
    where: np.ndarray,
    node: np.ndarray,
    nodes: list,
    unit: str,
) -> CodedWindow:
    """:func:`coded_window` of links whose posts are given as where each post's links start
    (:func:`~netanalysis.graph.link_starts.starts`): a window of whole posts is coded without
    the post of each link (four bytes a link: 47 MiB for the 12 million links of a million
    benchmark posts, at the peak of the whole corpus's coding)."""
    units = np.asarray(units, dtype=np.int64)
    kinds = np.array([n.split(":", 1)[0] for n in nodes], dtype=object)
    n_nodes = max(len(nodes), 1)
    span = int(where.max(initial=0)) + 1
    if unit == "post":  # each (post, node) once already: the entries are the links themselves
        # (a post's one unit names something: 0 or 1, one byte a post, where int64 took eight)
        topical = (np.diff(start) > 0).view(np.int8)
        node_start = start
        node_index, count = node.astype(code_type(n_nodes), copy=False), ones(len(node), index_type(len(node)))
    else:
        post = posts_of(start)
        if len(post) and (where >= units[post]).any():
            raise ConfigError(f"a link names a {unit} beyond the number of {unit}s of its post")
        group = post if span == 1 else post.astype(np.int64) * span + where  # one code per unit, sorted
        topical = counted(post[np.r_[True, group[1:] != group[:-1]]] if len(post) else post, len(post_ids))
        node_start, node_index, counts = distinct_pairs(start, node, n_nodes)
        assert counts is not None
        count = counts
        del post, group
    # countries x forums within each unit (links are sorted by unit, then node: countries first);
    # a large window of whole posts sums them through the subsets its posts name (pair_sets)
    forum = np.array([k == "forum" for k in kinds] or [False], dtype=bool)
    sets = pair_sets(start, node, forum, n_nodes) if unit == "post" else None
    if sets is not None:
        edge_start = edge_index = edge_count = None
        edges = sets.edges
    else:
        edge_start, edge_index, edge_count, edges = window_pairs(
            start, where if span > 1 else None, node, forum, n_nodes
        )
    return CodedWindow(
        post_ids=post_ids,
        units=units,
        topical=topical,
        nodes=nodes,
        kinds=kinds,
        node_start=node_start,
        node_index=node_index,
        node_count=count,
        edge_nodes=np.stack([edges // n_nodes, edges % n_nodes], axis=1).astype(np.int64),
        edge_start=edge_start,
        edge_index=edge_index,
        edge_count=edge_count,
        unit=unit,
        edge_sets=sets,
    )


def _to_nodes(values: np.ndarray, edge_nodes: np.ndarray, n_nodes: int) -> np.ndarray:
    """Sum edge values (replicates x edges) onto both end nodes (replicates x nodes)."""
    out = np.zeros((values.shape[0], n_nodes), dtype=values.dtype)
    for side in (0, 1):
        ends = edge_nodes[:, side]
        order = np.argsort(ends, kind="stable")
        ends = ends[order]
        if not len(ends):
            continue
        starts = np.flatnonzero(np.r_[True, ends[1:] != ends[:-1]])
        out[:, ends[starts]] += np.add.reduceat(values[:, order], starts, axis=1)
    return out


def _graph_values(win: CodedWindow, weights: np.ndarray, wanted: list[str]) -> np.ndarray:
    """Graph measures (nodes x wanted) of the graph with these edge weights (0 = no edge)."""
    out = np.zeros((len(win.nodes), len(wanted)))
    kept = np.flatnonzero(weights)
    if not len(kept):
        return out
    G = nx.Graph()
    ends = win.edge_nodes[kept]
    for code in np.unique(ends):
        kind = win.kinds[code]
        G.add_node(win.nodes[code], bipartite=int(kind == "forum"), kind=kind)
    G.add_weighted_edges_from(
        (win.nodes[a], win.nodes[b], int(w)) for (a, b), w in zip(ends.tolist(), weights[kept].tolist())
    )
    values = node_measures(G, measures=wanted)
    code = win.node_codes
    for j, name in enumerate(wanted):
        out[[code[str(n)] for n in values[name]], j] = list(values[name].values())
    return out


def replicate_values(
    win: CodedWindow,
    counts: np.ndarray,
    *,
    measures: Sequence[str] = NODE_MEASURES,
    min_weight: int = 1,
    baseline: str = "all-units",
    paired: PairedSums | None = None,
) -> np.ndarray:
    """Node measures of replicates of a window.

    Parameters
    ----------
    win : CodedWindow
        From :func:`code_window`.
    counts : ndarray
        ``(R, P)`` multiplicities of the window's posts in each of ``R`` replicates
        (all ones: the window itself).
    measures : sequence of str
        Which of :data:`NODE_MEASURES`.
    min_weight : int
        Edges named together in fewer units are dropped from each replicate's graph (as
        ``co_mention_graph(min_weight=...)`` drops them).
    baseline : {"all-units", "topical-units"}
        The denominator ``N`` of ``share``.
    paired : PairedSums, optional
        From :func:`paired_sums`: multiplicities that each row of the first half of ``counts``
        and the row half the rows after it add up to (a permutation's two windows add up to
        both windows' posts), with their sums: the second half's sums are then those less the
        first half's, which halves the sparse products (the same whole numbers).

    Returns
    -------
    ndarray
        ``(R, n_nodes, n_measures)``: node ``i`` is ``win.nodes[i]``; a node absent from a
        replicate's graph scores 0 on the graph measures.
    """
    _check(win.unit, baseline)
    unknown = [m for m in measures if m not in NODE_MEASURES]
    if unknown:
        raise ConfigError(
            f"unknown node measure(s) {', '.join(map(repr, unknown))}; choose from {', '.join(NODE_MEASURES)}"
        )
    counts = np.asarray(counts)
    if counts.dtype not in (np.int32, np.int64):  # (bootstrap_counts gives int32: half the memory)
        counts = counts.astype(np.int64)
    if counts.ndim != 2 or counts.shape[1] != win.n_posts:
        raise ConfigError(f"counts must be replicates x {win.n_posts} posts, not {counts.shape}")
    # Many small LAPACK calls: threads only add contention (on a busy 2-core machine a stacked
    # solve ran 50x slower with OpenBLAS's threads than with one).
    if paired is not None:
        half = len(counts) // 2
        if len(counts) % 2 or not np.array_equal(
            counts[:half] + counts[half:], np.broadcast_to(paired.counts, (half, len(paired.counts)))
        ):
            raise ConfigError("paired: the two halves of counts must add up to it, row by row")
    with threadpool_limits(limits=1, user_api="blas"):
        return _replicate_values(win, counts, list(measures), min_weight, baseline, paired)


def _replicate_values(
    win: CodedWindow,
    counts: np.ndarray,
    measures: list[str],
    min_weight: int,
    baseline: str,
    paired: PairedSums | None = None,
) -> np.ndarray:
    needs_graph = any(m in GRAPH_MEASURES and m != "strength" for m in measures)
    if needs_graph and len(counts) > 1:  # graph measures once per distinct replicate
        distinct, back = distinct_rows(counts)
    else:
        distinct, back = counts, np.arange(len(counts))
    n_nodes = len(win.nodes)
    out = np.zeros((len(distinct), n_nodes, len(measures)))
    summing = distinct if paired is None else counts[: len(counts) // 2]
    top = largest_abs(summing) if summing.size else None  # (read once for both sums)
    named = _sums(summing, back, win.node_links, None if paired is None else paired.named, top)
    weights = _sums(summing, back, win.edge_links, None if paired is None else paired.weights, top)
    weights = np.where(weights >= min_weight, weights, 0)
    if "posts" in measures:
        out[:, :, list(measures).index("posts")] = named
    if "share" in measures:
        n = weighted_totals(distinct, win.units if baseline == "all-units" else win.topical)
        out[:, :, list(measures).index("share")] = named / np.where(n > 0, n, 1)[:, None]
    if "strength" in measures:
        out[:, :, list(measures).index("strength")] = _to_nodes(weights, win.edge_nodes, n_nodes)
    if not len(win.edge_nodes):  # no co-mention: no graph
        return out[back]
    hop = [m for m in measures if m in HOP_MEASURES]
    weighted = [m for m in measures if m in GRAPH_MEASURES and m not in HOP_MEASURES and m != "strength"]
    if "pagerank" in weighted or "pagerank_scaled" in weighted:
        pagerank = batch_pagerank(weights, win.edge_nodes, n_nodes, win.kinds == "forum")
        if "pagerank" in weighted:
            out[:, :, list(measures).index("pagerank")] = pagerank
        if "pagerank_scaled" in weighted:
            present = _to_nodes((weights > 0).astype(np.int64), win.edge_nodes, n_nodes) > 0
            out[:, :, list(measures).index("pagerank_scaled")] = pagerank * present.sum(axis=1)[:, None]
    if "eigenvector" in weighted:
        j = list(measures).index("eigenvector")
        vectors = batch_eigenvector(weights, win.edge_nodes, n_nodes, win.kinds == "forum")
        for r, v in enumerate(vectors):  # tied leading values: computed on the graph itself
            out[r, :, j] = v if v is not None else _graph_values(win, weights[r], ["eigenvector"])[:, 0]
    if hop:  # once per distinct set of edges
        support, where = np.unique(weights > 0, axis=0, return_inverse=True)
        values = batch_hop_measures(support, win.edge_nodes, n_nodes, win.kinds == "forum", hop)
        out[:, :, [measures.index(m) for m in hop]] = values[np.asarray(where).ravel()]
    return out[back]


def _sums(summing: np.ndarray, back: np.ndarray, links, whole: np.ndarray | None, top: int | None) -> np.ndarray:
    """The sums of the distinct replicates: ``summing`` is them (``whole`` None), or the first
    half of the paired rows, the second half's sums being ``whole`` less the first half's
    (whole numbers: exact); ``back`` says which distinct replicate each row is."""
    if whole is None:
        return summed(summing, links, top=top)
    first = summed(summing, links, top=top)
    every = np.concatenate([first, whole[None] - first])
    row = np.empty(int(back.max()) + 1 if len(back) else 0, dtype=np.intp)
    row[back] = np.arange(len(back))  # a row of counts equal to each distinct one
    return every[row]


@dataclass(frozen=True)
class PairedSums:
    """Multiplicities that a permutation's two windows add up to (both windows' posts), with
    their node and edge sums, made once per test (:func:`paired_sums`)."""

    counts: np.ndarray
    named: np.ndarray
    weights: np.ndarray


def paired_sums(win: CodedWindow, counts: np.ndarray) -> PairedSums:
    """:class:`PairedSums` of ``counts`` (``(P,)``) in ``win``, for :func:`replicate_values`."""
    counts = np.asarray(counts, dtype=np.int64)
    return PairedSums(counts, summed(counts[None], win.node_links)[0], summed(counts[None], win.edge_links)[0])
