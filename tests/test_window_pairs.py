"""A window's (post, edge) pairs: the fast paths (units already in order, tables over every edge
code) give what a plain enumeration of every unit's country-forum pairs gives."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netanalysis.analysis import link_sums
from netanalysis.analysis.link_sums import window_pairs


@st.composite
def windows(draw):
    """Links sorted by unit then node: per post one unit (whole posts) or several (paragraphs).
    Drawn as plain_pairs reads them (a code per unit, the post and the forum flag of each link),
    with each link's unit index in its post and each node's forum flag (what window_pairs reads)."""
    n_nodes = draw(st.integers(2, 9))
    is_forum_node = np.array(draw(st.lists(st.booleans(), min_size=n_nodes, max_size=n_nodes)))
    n_posts = draw(st.integers(1, 8))
    paragraphs = draw(st.booleans())
    group, post, node, where = [], [], [], []
    unit = 0
    for p in range(n_posts):
        for u in range(draw(st.integers(0, 3)) if paragraphs else 1):
            named = sorted(draw(st.sets(st.integers(0, n_nodes - 1), max_size=n_nodes)))
            group += [unit] * len(named)
            post += [p] * len(named)
            node += named
            where += [u] * len(named)
            unit += 1
    node_arr = np.array(node, dtype=np.int64)
    plain = (
        np.array(group, dtype=np.int64),
        np.array(post, dtype=np.int64),
        node_arr,
        is_forum_node[node_arr] if len(node_arr) else np.zeros(0, dtype=bool),
        n_nodes,
        n_posts,
    )
    start = np.r_[0, np.cumsum(np.bincount(np.array(post, dtype=np.int64), minlength=n_posts))]
    units = np.array(where, dtype=np.int32) if paragraphs or draw(st.booleans()) else None  # (zeros, or None)
    return plain, (start, units, node_arr, is_forum_node, n_nodes)


def plain_pairs(group, post, node, is_forum, n_nodes, n_posts):
    """Every unit's (country, forum) pairs counted per post, sorted by post then edge code."""
    counts: Counter = Counter()
    for g in np.unique(group):
        rows = np.flatnonzero(group == g)
        for c in rows[~is_forum[rows]]:
            for f in rows[is_forum[rows]]:
                counts[(int(post[c]), int(node[c]) * n_nodes + int(node[f]))] += 1
    keys = sorted(counts)
    edges = sorted({code for _, code in keys})
    per_post = np.bincount([p for p, _ in keys], minlength=n_posts) if keys else np.zeros(n_posts, dtype=np.int64)
    start = np.r_[0, np.cumsum(per_post)]
    return start, [edges.index(code) for _, code in keys], [counts[k] for k in keys], edges


@settings(max_examples=300, deadline=None)
@given(windows(), st.sampled_from([1, 3, 50_000]), st.booleans())
def test_window_pairs_are_every_units_pairs(window, chunk, tables):
    saved = link_sums.PAIR_CHUNK, link_sums.LOOKUP_CODES
    link_sums.PAIR_CHUNK, link_sums.LOOKUP_CODES = chunk, (1 << 22) if tables else 0
    try:
        start, index, count, edges = window_pairs(*window[1])
    finally:
        link_sums.PAIR_CHUNK, link_sums.LOOKUP_CODES = saved
    want_start, want_index, want_count, want_edges = plain_pairs(*window[0])
    assert np.asarray(start).tolist() == np.asarray(want_start).tolist()
    assert np.asarray(index).tolist() == want_index
    assert np.asarray(count).tolist() == want_count
    assert edges.tolist() == want_edges and edges.dtype == np.int64


@pytest.mark.parametrize("units", ["post", "paragraph"])
def test_whole_posts_skip_the_sort(monkeypatch, units):
    """With one unit a post the pairs come sorted and distinct, and no sort is made; with
    paragraphs (a pair in two units of a post) numpy.unique counts them."""
    sorts = []
    original = np.unique
    monkeypatch.setattr(  # (the pairs' numpy.unique: the one with counts)
        link_sums.np, "unique", lambda *a, **k: (sorts.append(1) if "return_counts" in k else None) or original(*a, **k)
    )
    forum = np.array([False, False, True])
    if units == "post":  # post 0 names nodes 0, 1, 2; post 1 nodes 0, 2
        start, where, node = np.array([0, 3, 5]), None, np.array([0, 1, 2, 0, 2])
    else:  # post 0 names nodes 0 and 2 in each of its two paragraphs
        start, where, node = np.array([0, 4, 4]), np.array([0, 0, 1, 1]), np.array([0, 2, 0, 2])
    _start, _index, count, edges = window_pairs(start, where, node, forum, 3)
    assert (sorts == []) == (units == "post")
    assert edges.tolist() == ([2, 5] if units == "post" else [2])
    assert np.asarray(count).tolist() == ([1, 1, 1] if units == "post" else [2])


@settings(max_examples=200, deadline=None)
@given(st.data(), st.sampled_from([1, 3, 50_000]))
def test_a_coded_windows_pairs_are_every_units_pairs(data, chunk):
    """coded_window (each post's links given as where they start) gives every unit's
    country-forum pairs, counted in how many units of the post they are, whole posts or
    paragraphs (one, two or three a post)."""
    from netanalysis.analysis.resample import coded_window

    n_countries, n_forums = data.draw(st.integers(0, 4)), data.draw(st.integers(0, 4))
    nodes = [f"country:C{k}" for k in range(n_countries)] + [f"forum:F{k}" for k in range(n_forums)]
    n_posts, paragraphs = data.draw(st.integers(1, 6)), data.draw(st.booleans())
    post, where, node, units = [], [], [], []
    for p in range(n_posts):
        units.append(data.draw(st.integers(1, 3)) if paragraphs else 1)
        for u in range(units[-1]):
            named = sorted(data.draw(st.sets(st.integers(0, len(nodes) - 1), max_size=len(nodes)))) if nodes else []
            post += [p] * len(named)
            where += [u] * len(named)
            node += named
    post_a, where_a, node_a = (np.array(x, dtype=np.int64) for x in (post, where, node))
    saved = link_sums.PAIR_CHUNK
    link_sums.PAIR_CHUNK = chunk
    try:
        win = coded_window(
            np.arange(n_posts), np.array(units), post_a, where_a, node_a, nodes, "paragraph" if paragraphs else "post"
        )
    finally:
        link_sums.PAIR_CHUNK = saved
    want: Counter = Counter()
    for p, u in {(p, u) for p, u in zip(post, where)}:
        named = [k for k, pp, uu in zip(node, post, where) if (pp, uu) == (p, u)]
        want.update((p, c, f) for c in named if c < n_countries for f in named if f >= n_countries)
    got = {
        (int(p), int(win.edge_nodes[e][0]), int(win.edge_nodes[e][1])): int(c)
        for p, e, c in zip(win.edge_post, win.edge_index, win.edge_count)
    }
    assert got == dict(want)
    assert win.topical.tolist() == [len({u for pp, u in zip(post, where) if pp == p}) for p in range(n_posts)]
