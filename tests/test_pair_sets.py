"""A window's pairs summed through its posts' sets give the sums of its listed pairs: the same
whole numbers, edges and order, for any replicate counts and whichever side is grouped."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netanalysis.analysis import pair_sets as ps
from netanalysis.analysis.link_products import summed
from netanalysis.analysis.link_sums import window_pairs
from netanalysis.analysis.resample import bootstrap_counts, coded_links, replicate_values
from netanalysis.graph.link_starts import starts


def random_window(rng, n_posts, n_countries, n_forums, most=6):
    """Links of whole posts (sorted by post, then node; countries' codes first)."""
    n_nodes = n_countries + n_forums
    per_post, node = [], []
    for _ in range(n_posts):
        k = int(rng.integers(0, most + 1))
        chosen = np.sort(rng.choice(n_nodes, size=min(k, n_nodes), replace=False))
        per_post.append(len(chosen))
        node.extend(chosen.tolist())
    forum = np.r_[np.zeros(n_countries, bool), np.ones(n_forums, bool)]
    return starts(np.array(per_post)), np.array(node, dtype=np.int16), forum, n_nodes


def listed(start, node, forum, n_nodes):
    from netanalysis.analysis.link_products import by_post

    edge_start, edge_index, edge_count, edges = window_pairs(start, None, node, forum, n_nodes)
    return by_post(edge_start, edge_index, edge_count, len(edges)), edges


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_posts=st.integers(1, 60),
    n_countries=st.integers(1, 70),  # past 64: keys of two words
    n_forums=st.integers(1, 70),
    chunk=st.sampled_from([1, 7, 1 << 18]),
    side=st.sampled_from([0, 1, None]),
    width=st.integers(1, 12),
)
def test_sums_through_subsets_are_the_listed_pairs_sums(seed, n_posts, n_countries, n_forums, chunk, side, width):
    """Either side cut into blocks of any width (one node: the pairs themselves), or the
    cheapest: the same edges, totals and sums for random replicate counts."""
    rng = np.random.default_rng(seed)
    start, node, forum, n_nodes = random_window(rng, n_posts, n_countries, n_forums, most=10)
    if side is not None:
        width = min(width, n_forums if side else n_countries)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ps, "SET_CHUNK", chunk)
        mp.setattr(ps, "CELLS", int(rng.integers(1, 5000)))  # replicates summed a few at a time
        chosen = None if side is None else (side, width)
        sets = ps.pair_sets(start, node, forum, n_nodes, least=0, ratio=np.inf, width=chosen)
    links, edges = listed(start, node, forum, n_nodes)
    if sets is None:  # no pair at all, or a side without nodes
        assert links.nnz == 0
        return
    assert sets.edges.tolist() == edges.tolist()
    assert sets.pairs == links.nnz
    assert sets.entries.start.dtype == np.int32  # written in the type kept, not narrowed after
    counts = rng.integers(0, 4, size=(5, n_posts)).astype(np.int32)
    expected = summed(counts, links)
    assert summed(counts, sets).tolist() == expected.tolist()
    assert sets.totals.tolist() == summed(np.ones((1, n_posts), np.int64), links)[0].tolist()


def test_hand_counted_weights_through_the_forums_subsets():
    """Four posts, the forums (BRICS, UN) one block of two: the subsets {BRICS}, {UN} and
    {BRICS, UN} times three countries; the hand-counted weights come out (posts 0 and 2 both
    name RU with UN)."""
    # nodes: 0 CN, 1 IN, 2 RU (countries), 3 BRICS, 4 UN (forums)
    per_post = [3, 3, 2, 1]
    node = np.array([0, 2, 4, 1, 2, 3, 2, 4, 0], dtype=np.int16)
    forum = np.array([False, False, False, True, True])
    sets = ps.pair_sets(starts(np.array(per_post)), node, forum, 5, least=0, width=(1, 2))
    assert sets is not None and sets.members.shape == (2, 3) and sets.others == 3
    assert sets.members.toarray().tolist() == [[1, 0, 1], [0, 1, 1]]
    # an entry per post and block: CN and RU of post 0 in {UN}, IN and RU of post 1 in {BRICS}, ...
    expected = [1 * 3 + 0, 1 * 3 + 2, 0 * 3 + 1, 0 * 3 + 2, 1 * 3 + 2]
    assert sorted(sets.entries.toarray().nonzero()[0].tolist()) == sorted(expected)
    # edges: CN-UN (0*5+4), IN-BRICS (1*5+3), RU-BRICS (2*5+3), RU-UN (2*5+4)
    assert sets.edges.tolist() == [4, 8, 13, 14] and sets.totals.tolist() == [1, 1, 1, 2]
    counts = np.array([[2, 0, 1, 5], [0, 3, 0, 0]])
    assert summed(counts, sets).tolist() == [[2, 0, 0, 3], [0, 3, 3, 0]]


def test_small_windows_and_windows_without_shared_subsets_keep_their_pairs_listed():
    rng = np.random.default_rng(0)
    start, node, forum, n_nodes = random_window(rng, 200, 5, 5)
    assert ps.pair_sets(start, node, forum, n_nodes) is None  # fewer pairs than FACTOR_PAIRS
    # each post one country (the same) and a forum of its own: no post shares a subset with
    # another, and any cut needs as many entries as pairs and more cells besides
    per_post = np.full(200, 2)
    node = np.stack([np.zeros(200, np.int16), 1 + np.arange(200, dtype=np.int16)], axis=1).ravel()
    forum = np.r_[False, np.ones(200, bool)]
    assert ps.pair_sets(starts(per_post), node, forum, 201, least=0) is None


def test_a_window_coded_through_sets_gives_the_same_replicates(monkeypatch):
    """A window of whole posts, coded with its pairs listed and summed through its sets: the
    same edges and weights, and the same measures in every bootstrap replicate."""
    rng = np.random.default_rng(5)
    n = 5_000
    start, node, forum, n_nodes = random_window(rng, n, 12, 6, most=14)
    nodes = [f"country:C{i:02d}" for i in range(12)] + [f"forum:F{i:02d}" for i in range(6)]
    args = (np.arange(n), np.ones(n, np.int64), start, np.zeros(len(node), np.int64), node, nodes, "post")
    plain = coded_links(*args)
    monkeypatch.setattr(ps, "FACTOR_PAIRS", 0)
    through = coded_links(*args)
    assert plain.edge_sets is None and through.edge_sets is not None and through.edge_index is None
    assert through.edge_nodes.tolist() == plain.edge_nodes.tolist()
    assert through.edge_totals.tolist() == plain.edge_totals.tolist()
    counts = bootstrap_counts(np.random.default_rng(1), n, 30)
    measures = ["posts", "share", "degree", "strength", "pagerank", "eigenvector", "betweenness"]
    expected = replicate_values(plain, counts, measures=measures)
    assert np.array_equal(replicate_values(through, counts, measures=measures), expected)
    with pytest.raises(ValueError, match="not listed"):
        through.edge_post
