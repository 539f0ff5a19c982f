"""A window's country-forum pairs summed through the subsets of nodes its posts name, without
listing the pairs.

When every unit is a whole post, the pairs a post names are all its countries times all its
forums. Cut the forums into blocks of ``b`` (the first ``b`` forums, the next ``b``, ...). The
weight of edge ``(c, f)`` in a replicate ``r`` of a window, ``f`` in block ``j``,

    w[r, c, f] = sum over posts p of counts[r, p] * [c in C(p)] * [f in F(p)]
               = sum over subsets S of block j holding f of x[r, j, S, c],
    x[r, j, S, c] = sum over posts p with F(p) ∩ block j = S of counts[r, p] * [c in C(p)],

where ``C(p)`` and ``F(p)`` are the countries and forums of post ``p``. ``x`` is the sparse
product of the replicates' counts with one entry per country of a post and block its forums
touch, coded by the block, the subset of the block the post names and the country
(:meth:`PairSets.sums`); ``w`` is then ``x`` times the small 0/1 matrix of which forums each
subset holds. With ``b = 1`` the entries are the pairs themselves; wider blocks need fewer
entries (a post naming five forums touches at most five blocks, often fewer) and more subsets
(``2**b - 1`` a block). The sums are the same whole numbers as summing the listed pairs
(:func:`~netanalysis.analysis.link_sums.window_pairs`), in int64: nothing is approximated. This
is the "four Russians" way of sharing work among the rows of a 0/1 matrix product (Arlazarov,
Dinic, Kronrod and Faradzev 1970), applied to the posts' country x forum products.

:func:`pair_sets` chooses the side to cut into blocks and the width ``b`` that make the fewest
bytes read per replicate (the entries, and the cells of ``x`` written and read), and codes the
window that way when it names at least :data:`FACTOR_PAIRS` pairs and that is at most
``ratio`` of the bytes of its listed pairs. At a million benchmark posts the listed pairs were 36
million int16 codes with where each post's start (81 bytes a post), most of the memory of the
whole corpus's bootstrap.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np

from netanalysis.analysis.link_products import PostLinks, largest_abs
from netanalysis.analysis.link_sums import code_type, ones
from netanalysis.graph.link_starts import run_posts, start_runs, start_type

__all__ = ["FACTOR_PAIRS", "SET_CHUNK", "WIDEST", "PairSets", "pair_sets"]

log = logging.getLogger(__name__)

#: Windows naming fewer pairs than this keep their pairs listed (small windows gain nothing).
FACTOR_PAIRS = 100_000
#: Links read at a time when a window is coded (bounds the temporary arrays).
SET_CHUNK = 1 << 16
#: The widest block tried (``2**b - 1`` subsets a block).
WIDEST = 12
#: Cells of ``x`` (times replicates) summed at a time.
CELLS = 1_000_000


@dataclass(frozen=True)
class PairSets:
    """A window's (post, edge) pairs as entries per post and block of one side's nodes (see the
    module notes).

    Attributes
    ----------
    entries : PostLinks
        ``(subsets * others) x posts``: an entry per post, block it touches and node of the
        other side, coded ``subset * others + node`` (the subset's place among every block's
        ``2**width - 1`` subsets, the node's among the other side's nodes).
    members : scipy.sparse.csr_matrix
        ``grouped nodes x subsets``, int64: which nodes each subset holds.
    others : int
        Nodes of the other side.
    edge_group, edge_other : ndarray
        Per edge (in the order of ``edges``): its node's place on each side.
    edges : ndarray
        The sorted ``country * n_nodes + forum`` codes of the distinct edges (as
        :func:`~netanalysis.analysis.link_sums.window_pairs` gives them).
    totals : ndarray
        Each edge's weight in the window itself (every post once).
    pairs : int
        The window's (post, edge) pairs, which are not listed.
    """

    entries: PostLinks
    members: Any
    others: int
    edge_group: np.ndarray
    edge_other: np.ndarray
    edges: np.ndarray
    totals: np.ndarray
    pairs: int

    def sums(self, counts: np.ndarray, top: int | None = None) -> np.ndarray:
        """``counts @ pairs.T``: the edges' weights (replicates x edges, int64) in replicates of
        post multiplicities ``counts`` (replicates x posts); ``top``, the largest absolute
        value of ``counts`` when the caller knows it.

        ``x`` is made as cells x replicates, whose rows of one subset are the columns the
        members' matrix multiplies (a view, no transposed copy); the products are in int32 when
        no sum can leave it, as in :func:`~netanalysis.analysis.link_products.summed`."""
        out = np.zeros((counts.shape[0], len(self.edges)), dtype=np.int64)
        if not len(self.edges):
            return out
        subsets, others = self.members.shape[1], self.others
        blocks = self.entries.blocks()
        rows = max(1, CELLS // max(1, subsets * others))
        for lo in range(0, counts.shape[0], rows):
            part = counts[lo : lo + rows]
            r, largest = len(part), largest_abs(part) if top is None else top
            x = np.zeros((subsets * others, r), dtype=np.int64)
            for a, b, matrix in blocks:
                # (a post adds at most one to a cell: its entries are distinct)
                wide = np.int32 if (b - a) * largest < 2**31 else np.int64
                x += matrix.astype(wide, copy=False) @ np.ascontiguousarray(part[:, a:b].T, dtype=wide)
            w = np.asarray(self.members @ x.reshape(subsets, others * r)).reshape(-1, others, r)
            del x
            out[lo : lo + r] = w[self.edge_group, self.edge_other, :].T
        return out


def pair_sets(
    start: np.ndarray,
    node: np.ndarray,
    forum: np.ndarray,
    n_nodes: int,
    *,
    least: int | None = None,
    ratio: float = 0.75,
    width: tuple[int, int] | None = None,
) -> PairSets | None:
    """The :class:`PairSets` of a window of whole posts, or None when listing its pairs is as
    cheap: fewer than ``least`` pairs (:data:`FACTOR_PAIRS` by default), or more than ``ratio``
    times the listed pairs' bytes read per replicate.

    Parameters
    ----------
    start : ndarray
        Where each post's links start (:func:`~netanalysis.graph.link_starts.starts`); the
        links sorted by post, then node, each (post, node) once.
    node : ndarray
        Per link, its node (below ``n_nodes``; countries' codes below forums').
    forum : ndarray
        Per node, whether it is a forum (bool).
    n_nodes : int
    width : (side, b), optional
        Cut this side (0 countries, 1 forums) into blocks of ``b`` rather than choosing.
    """
    least = FACTOR_PAIRS if least is None else least
    n_posts = len(start) - 1
    forum = np.asarray(forum, dtype=bool)
    if n_posts == 0 or len(forum) < n_nodes:
        return None
    forum = forum[:n_nodes]
    sides = [np.flatnonzero(~forum), np.flatnonzero(forum)]  # countries, forums
    if not all(len(s) for s in sides):
        return None
    local = np.full(n_nodes, -1, dtype=np.int64)
    for nodes in sides:
        local[nodes] = np.arange(len(nodes))
    widths = [range(1, min(len(sides[side]), WIDEST) + 1) for side in (0, 1)]
    entries = [np.zeros(len(w), dtype=np.int64) for w in widths]  # per side and width
    pairs = 0
    for a, b in start_runs(start, SET_CHUNK):
        post, sub = _chunk(start, node, a, b)
        is_forum = forum[sub]
        per_side = [np.bincount(post[~is_forum] - a, minlength=b - a), np.bincount(post[is_forum] - a, minlength=b - a)]
        pairs += int(per_side[0] @ per_side[1])
        for side in (0, 1):
            chosen = is_forum if side else ~is_forum
            p, place = post[chosen], local[sub[chosen]]
            for k, w in enumerate(widths[side]):
                entries[side][k] += int(per_side[1 - side][p[_run_firsts(p, place // w)] - a].sum())
        del post, sub, is_forum
    if pairs < least or pairs == 0:
        return None
    listed = 2 * pairs + 8 * n_posts  # int16 codes, and where each post's start
    best = None
    for side in (0, 1):
        others = len(sides[1 - side])
        for k, w in enumerate(widths[side]):
            if width is not None and (side, w) != tuple(width):
                continue
            cells = -(-len(sides[side]) // w) * (2**w - 1) * others
            size = int(entries[side][k]) * np.dtype(code_type(cells)).itemsize + 8 * n_posts
            cost = size + 16 * cells  # read per replicate: the entries, and each cell written and read
            if best is None or cost < best[0]:
                best = (cost, side, w, cells, int(entries[side][k]))
    assert best is not None
    cost, group, w, cells, total = best
    log.debug(
        "%d pairs of %d posts: %s cut in blocks of %d, %d bytes a replicate, %d listed",
        pairs,
        n_posts,
        ("countries", "forums")[group],
        w,
        cost,
        listed,
    )
    if cost > ratio * listed and width is None:
        return None
    return _coded(start, node, forum, sides, local, (group, w, cells, total), pairs)


def _coded(
    start: np.ndarray,
    node: np.ndarray,
    forum: np.ndarray,
    sides: list[np.ndarray],
    local: np.ndarray,
    cut: tuple[int, int, int, int],
    pairs: int,
) -> PairSets:
    """The window's :class:`PairSets`, ``cut`` = (side, width, cells, entries): that side cut
    into blocks of ``width`` nodes. The entries are written in place, a chunk of posts at a time
    (a list of chunks joined at the end held them twice)."""
    group, w, cells, total_entries = cut
    others = len(sides[1 - group])
    subsets = cells // others
    code = np.empty(total_entries, dtype=code_type(cells))
    # in the type kept (int32 below a billion entries): an int64 array narrowed at the end held
    # both, 120 MB at ten million posts
    link_start = np.zeros(len(start), dtype=start_type(total_entries))
    x = np.zeros(cells, dtype=np.int64)  # each cell's entries: the window's own x
    done = 0
    for a, b in start_runs(start, SET_CHUNK):
        post, sub = _chunk(start, node, a, b)
        is_forum = forum[sub]
        grouped = is_forum if group else ~is_forum
        p, place = post[grouped], local[sub[grouped]]
        o_post, o_place = post[~grouped], local[sub[~grouped]]
        del post, sub, is_forum, grouped
        # each (post, block) run of the grouped side's links: its subset's place
        block = place // w
        first = _run_firsts(p, block)
        bits = np.left_shift(1, place % w)
        subset = block[first] * (2**w - 1) + np.bitwise_or.reduceat(bits, first) - 1 if len(first) else first
        run_post = p[first] - a
        # ... times each node of the other side of its post
        o_count = np.bincount(o_post - a, minlength=b - a)
        o_start = np.r_[0, np.cumsum(o_count)]
        n_o = o_count[run_post]
        total = int(n_o.sum())
        run_of = np.repeat(np.arange(len(first)), n_o)
        at = np.arange(total) - np.repeat(np.cumsum(n_o) - n_o, n_o) + o_start[run_post][run_of]
        code[done : done + total] = subset[run_of] * others + o_place[at]
        x += np.bincount(code[done : done + total], minlength=cells)
        per_post = np.bincount(run_post, weights=n_o, minlength=b - a).astype(np.int64)
        link_start[a + 1 : b + 1] = done + np.cumsum(per_post)
        done += total
        del p, place, o_post, o_place, block, first, bits, subset, run_post, run_of, at, per_post
    assert done == total_entries
    entries = PostLinks(link_start, code, ones(len(code), np.int32), cells)
    members = _members(len(sides[group]), w, subsets)
    weights = np.asarray(members @ x.reshape(subsets, others))  # (grouped nodes, others): the window's own weights
    g, o = np.nonzero(weights)
    country, forum_node = (sides[0][o], sides[1][g]) if group else (sides[0][g], sides[1][o])
    edges = country.astype(np.int64) * len(local) + forum_node
    order = np.argsort(edges, kind="stable")
    return PairSets(entries, members, others, g[order], o[order], edges[order], weights[g, o][order], pairs)


def _chunk(start: np.ndarray, node: np.ndarray, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
    """Each link's post (:func:`~netanalysis.graph.link_starts.run_posts`) and node, for the
    posts ``a`` to ``b``."""
    return run_posts(start, a, b), np.asarray(node[int(start[a]) : int(start[b])])


def _run_firsts(post: np.ndarray, block: np.ndarray) -> np.ndarray:
    """Where each run of equal (post, block) starts (the links sorted by post, then node)."""
    if not len(post):
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, (post[1:] != post[:-1]) | (block[1:] != block[:-1])])


def _members(n_group: int, w: int, subsets: int) -> Any:
    """The ``nodes x subsets`` 0/1 matrix (int64 CSR): subset ``j * (2**w - 1) + s - 1`` holds
    node ``j * w + i`` when bit ``i`` of ``s`` is set (and that node exists)."""
    import scipy.sparse as sp

    per_block = 2**w - 1
    s = np.arange(1, per_block + 1)
    bit = (s[:, None] >> np.arange(w)) & 1  # (subsets of a block, w)
    sub, i = np.nonzero(bit)
    rows, cols = [], []
    for j in range(subsets // per_block):
        node = j * w + i
        keep = node < n_group
        rows.append(node[keep])
        cols.append(j * per_block + sub[keep])
    row, col = np.concatenate(rows), np.concatenate(cols)
    return sp.csr_matrix((np.ones(len(row), dtype=np.int64), (row, col)), shape=(n_group, subsets))
