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
    """Links sorted by unit then node: per post one unit (whole posts) or several (paragraphs)."""
    n_nodes = draw(st.integers(2, 9))
    is_forum_node = np.array(draw(st.lists(st.booleans(), min_size=n_nodes, max_size=n_nodes)))
    n_posts = draw(st.integers(1, 8))
    paragraphs = draw(st.booleans())
    group, post, node = [], [], []
    unit = 0
    for p in range(n_posts):
        for _ in range(draw(st.integers(0, 3)) if paragraphs else 1):
            named = sorted(draw(st.sets(st.integers(0, n_nodes - 1), max_size=n_nodes)))
            group += [unit] * len(named)
            post += [p] * len(named)
            node += named
            unit += 1
    node_arr = np.array(node, dtype=np.int64)
    return (
        np.array(group, dtype=np.int64),
        np.array(post, dtype=np.int64),
        node_arr,
        is_forum_node[node_arr] if len(node_arr) else np.zeros(0, dtype=bool),
        n_nodes,
        n_posts,
    )


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
        start, index, count, edges = window_pairs(*window)
    finally:
        link_sums.PAIR_CHUNK, link_sums.LOOKUP_CODES = saved
    want_start, want_index, want_count, want_edges = plain_pairs(*window)
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
    if units == "post":
        group, post, node = np.array([0, 0, 0, 1, 1]), np.array([0, 0, 0, 1, 1]), np.array([0, 1, 2, 0, 2])
    else:
        group, post, node = np.array([0, 0, 1, 1]), np.array([0, 0, 0, 0]), np.array([0, 2, 0, 2])
    is_forum = node == 2
    _start, _index, count, edges = window_pairs(group, post, node, is_forum, 3, 2)
    assert (sorts == []) == (units == "post")
    assert edges.tolist() == ([2, 5] if units == "post" else [2])
    assert np.asarray(count).tolist() == ([1, 1, 1] if units == "post" else [2])
