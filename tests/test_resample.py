"""Replicates of a window: their measures are those of the graph of the resampled posts, computed
by the same code as nodes.csv."""

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from netanalysis.analysis import centrality_table
from netanalysis.analysis.association import unit_links
from netanalysis.analysis.centrality import node_measures
from netanalysis.analysis.resample import (
    NODE_MEASURES,
    bootstrap_counts,
    code_window,
    paired_sums,
    rank_within_kind,
    replicate_values,
)
from netanalysis.errors import ConfigError
from netanalysis.graph import co_mention_graph

GRAPH_COLUMNS = [m for m in NODE_MEASURES if m != "share"]


@pytest.fixture(scope="module")
def sample():
    import netanalysis
    from netanalysis.extract import extract_mentions

    posts = netanalysis.read_posts("examples/mfa_channel_sample.txt")
    return posts, extract_mentions(posts)


def table_of(mentions, posts, unit, min_weight=1):
    G = co_mention_graph(mentions, posts, unit=unit, min_weight=min_weight)
    return centrality_table(G).set_index("node")


@pytest.mark.parametrize("unit", ["post", "paragraph", "sentence"])
def test_the_window_itself_gives_the_centrality_table(sample, unit):
    posts, mentions = sample
    win = code_window(posts, unit_links(mentions, posts, unit=unit), unit=unit)
    values = replicate_values(win, np.ones((1, win.n_posts), dtype=int))[0]
    table = table_of(mentions, posts, unit)
    got = pd.DataFrame(values, index=win.nodes, columns=NODE_MEASURES)
    for name in GRAPH_COLUMNS:
        assert got.loc[table.index, name].tolist() == pytest.approx(table[name].astype(float).tolist(), abs=1e-12), name
    named = got.drop(table.index)  # named but never co-mentioned: not in the graph
    assert (named[[m for m in GRAPH_COLUMNS if m != "posts"]] == 0).all().all()


@pytest.mark.parametrize("unit,min_weight", [("post", 1), ("paragraph", 1), ("post", 2)])
def test_a_replicate_is_the_graph_of_its_posts_taken_that_often(sample, unit, min_weight):
    """A post drawn c times = c copies of the post under new ids, through co_mention_graph."""
    posts, mentions = sample
    win = code_window(posts, unit_links(mentions, posts, unit=unit), unit=unit)
    counts = bootstrap_counts(np.random.default_rng(4), win.n_posts, 3)
    values = replicate_values(win, counts, min_weight=min_weight)
    for r, row in enumerate(counts):
        copies_p, copies_m = [], []
        for post_id, c in zip(win.post_ids, row):
            for k in range(c):
                copies_p.append(posts[posts["post_id"] == post_id].assign(post_id=f"{post_id}#{k}"))
                copies_m.append(mentions[mentions["post_id"] == post_id].assign(post_id=f"{post_id}#{k}"))
        table = table_of(pd.concat(copies_m), pd.concat(copies_p), unit, min_weight)
        got = pd.DataFrame(values[r], index=win.nodes, columns=NODE_MEASURES)
        for name in GRAPH_COLUMNS:
            assert got.loc[table.index, name].tolist() == pytest.approx(
                table[name].astype(float).tolist(), abs=1e-12
            ), (r, name)
        others = [m for m in GRAPH_COLUMNS if m != "posts"]
        assert (got.drop(table.index)[others] == 0).all().all()
        units = sum(row) if unit == "post" else None
        if units:
            assert got["share"].tolist() == pytest.approx((got["posts"] / units).tolist())


def test_shares_use_the_baseline_units():
    posts = pd.DataFrame({"post_id": ["a", "b", "c"], "units": [4, 1, 5]})
    links = pd.DataFrame(
        {
            "post_id": ["a", "a", "a", "b"],
            "kind": ["country", "forum", "country", "forum"],
            "entity": ["CN", "UN", "CN", "UN"],
            "unit": [0, 0, 2, 0],
        }
    )
    win = code_window(posts, links, unit="paragraph")
    assert win.units.tolist() == [4, 1, 5] and win.topical.tolist() == [2, 1, 0]
    one = np.ones((1, 3), dtype=int)
    all_units = replicate_values(win, one, measures=["posts", "share"])[0]
    topical = replicate_values(win, one, measures=["share"], baseline="topical-units")[0]
    assert win.nodes == ["country:CN", "forum:UN"]
    assert all_units[:, 0].tolist() == [2, 2]  # CN in 2 paragraphs, UN in 2
    assert all_units[:, 1].tolist() == pytest.approx([2 / 10, 2 / 10])
    assert topical[:, 0].tolist() == pytest.approx([2 / 3, 2 / 3])


def test_topical_shares_of_whole_posts_count_the_replicated_posts_that_name_something():
    """Whole posts' topical flags are one byte a post; a replicate's topical N is the sum of the
    multiplicities of the posts naming something (by hand: 3 + 2 of 3 + 2 + 4 + 1)."""
    posts = pd.DataFrame({"post_id": ["a", "b", "c", "d"]})
    links = pd.DataFrame(
        {"post_id": ["a", "a", "c"], "kind": ["country", "forum", "forum"], "entity": ["CN", "UN", "UN"]}
    )
    win = code_window(posts, links)
    assert win.topical.dtype == np.int8 and win.topical.tolist() == [1, 0, 1, 0]
    counts = np.array([[3, 4, 2, 1], [0, 2, 2, 6]], dtype=np.int32)
    share = replicate_values(win, counts, measures=["share"], baseline="topical-units")
    assert win.nodes == ["country:CN", "forum:UN"]
    assert share[0, :, 0].tolist() == pytest.approx([3 / 5, 5 / 5])
    assert share[1, :, 0].tolist() == pytest.approx([0 / 2, 2 / 2])


def test_bootstrap_counts_are_multinomial_draws():
    counts = bootstrap_counts(np.random.default_rng(0), 5, 4000)
    assert (counts.sum(axis=1) == 5).all()
    assert counts.mean(axis=0) == pytest.approx(np.ones(5), abs=0.05)
    assert counts.var(axis=0) == pytest.approx(np.full(5, 5 * 0.2 * 0.8), rel=0.1)


def test_ranks_within_kind_ties_share_the_smallest():
    values = np.array([[0.5, 0.2, 0.5, 3.0, 1.0], [0.1, 0.2, 0.3, 1.0, 1.0 + 1e-15]])
    kinds = np.array(["country"] * 3 + ["forum"] * 2, dtype=object)
    assert rank_within_kind(values, kinds).tolist() == [[1, 3, 1, 1, 2], [3, 2, 1, 1, 1]]


def test_bad_tables_raise():
    posts = pd.DataFrame({"post_id": ["a", "a"]})
    with pytest.raises(ConfigError, match="post_id 'a' is repeated"):
        code_window(posts, pd.DataFrame(columns=["post_id", "kind", "entity"]))
    posts = pd.DataFrame({"post_id": ["a"], "units": [2]})
    links = pd.DataFrame({"post_id": ["a"], "kind": ["country"], "entity": ["CN"]})
    with pytest.raises(ConfigError, match="lacks column.*unit"):
        code_window(posts, links, unit="paragraph")
    with pytest.raises(ConfigError, match="beyond the number of paragraphs"):
        code_window(posts, links.assign(unit=2), unit="paragraph")
    win = code_window(posts, links.assign(unit=1), unit="paragraph")
    with pytest.raises(ConfigError, match="unknown node measure"):
        replicate_values(win, np.ones((1, 1), dtype=int), measures=["hub"])
    with pytest.raises(ConfigError, match="unknown baseline"):
        replicate_values(win, np.ones((1, 1), dtype=int), baseline="some")


def sparse_window(rng, n_posts=40):
    """Posts naming 1-3 of 25 countries and 1-2 of 8 forums: replicates fall apart into components."""
    rows = []
    for i in range(n_posts):
        for c in rng.choice(25, size=rng.integers(1, 4), replace=False):
            rows.append((f"p{i}", "country", f"C{c:02d}"))
        for f in rng.choice(8, size=rng.integers(1, 3), replace=False):
            rows.append((f"p{i}", "forum", f"F{f}"))
    return pd.DataFrame({"post_id": [f"p{i}" for i in range(n_posts)]}), pd.DataFrame(
        rows, columns=["post_id", "kind", "entity"]
    )


def graph_of(win, weights):
    G = nx.Graph()
    for (a, b), w in zip(win.edge_nodes.tolist(), weights.tolist()):
        if w > 0:
            for n in (a, b):
                G.add_node(win.nodes[n], bipartite=int(win.kinds[n] == "forum"))
            G.add_edge(win.nodes[a], win.nodes[b], weight=int(w))
    return G


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_batched_measures_equal_node_measures_on_every_replicate(seed):
    rng = np.random.default_rng(seed)
    posts, links = sparse_window(rng)
    win = code_window(posts, links)
    counts = rng.integers(0, 3, size=(40, win.n_posts)) * (rng.random((40, win.n_posts)) < 0.12)
    measures = [m for m in GRAPH_COLUMNS if m != "posts"]
    values = replicate_values(win, counts, measures=measures)
    weights = np.zeros((len(counts), len(win.edge_nodes)), dtype=int)
    for r, row in enumerate(counts):
        np.add.at(weights[r], win.edge_index, row[win.edge_post] * win.edge_count)
    components = []
    for r in range(len(counts)):
        G = graph_of(win, weights[r])
        if not len(G):
            assert (values[r] == 0).all()
            continue
        components.append(nx.number_connected_components(G))
        expected = node_measures(G, measures=measures)
        for j, name in enumerate(measures):
            got = {win.nodes[i]: values[r, i, j] for i in range(len(win.nodes)) if win.nodes[i] in G}
            assert got == pytest.approx(expected[name], abs=1e-10), (r, name)
            absent = [i for i in range(len(win.nodes)) if win.nodes[i] not in G]
            assert (values[r, absent, j] == 0).all()
    assert max(components) >= 3  # disconnected replicates were tested


def test_tied_components_fall_back_to_the_graph():
    # two components with the same leading eigenvalue: networkx spreads the vector over both
    posts = pd.DataFrame({"post_id": ["a", "b"]})
    links = pd.DataFrame(
        {"post_id": ["a", "a", "b", "b"], "kind": ["country", "forum"] * 2, "entity": ["CN", "UN", "FR", "EU"]}
    )
    win = code_window(posts, links)
    values = replicate_values(win, np.array([[1, 1], [2, 1]]), measures=["eigenvector"])[:, :, 0]
    assert values[0].tolist() == pytest.approx([0.5] * 4)
    assert values[1].tolist() == pytest.approx([2**-0.5, 0.0, 0.0, 2**-0.5])  # CN-UN weighs 2


@pytest.mark.parametrize("block", [1, 7, 4_000_000])  # a replicate a product, a few, all at once
def test_grouped_sums_match_the_plain_sum(block, monkeypatch):
    # the sparse product gives exactly the sum over links of count x weight, by group
    from netanalysis.analysis import link_products
    from netanalysis.analysis.link_products import grouped

    monkeypatch.setattr(link_products, "BLOCK", block)
    rng = np.random.default_rng(3)
    for _ in range(20):
        n_posts, n_groups, n_links = rng.integers(1, 40), rng.integers(1, 12), rng.integers(0, 200)
        counts = rng.integers(0, 5, size=(rng.integers(1, 8), n_posts))
        post = rng.integers(0, n_posts, n_links)  # repeated (post, group) pairs too
        group = rng.integers(0, n_groups, n_links)
        weight = rng.integers(1, 4, n_links)
        expected = np.zeros((len(counts), n_groups), dtype=np.int64)
        for p, g, w in zip(post, group, weight):
            expected[:, g] += counts[:, p] * w
        got = grouped(counts, post, weight, group, n_groups)
        assert got.dtype == np.int64 and got.shape == expected.shape
        assert np.array_equal(got, expected)


@pytest.mark.parametrize("block, link_block", [(1, 1), (3, 2), (3, 4_000_000), (4_000_000, 5), (4_000_000, 4_000_000)])
def test_summed_is_exact_in_int32_and_past_it(block, link_block, monkeypatch):
    # int32 data is summed in int32 only when no sum can leave it; bigger sums (a weight near
    # 2**31, counts up to 2**40) are made in int64 and stay exact; the same with the posts'
    # links multiplied a block of posts at a time (a post a block, a few, all at once)
    from netanalysis.analysis import link_products
    from netanalysis.analysis.link_products import by_post, summed
    from netanalysis.graph.link_starts import starts

    monkeypatch.setattr(link_products, "BLOCK", block)
    monkeypatch.setattr(link_products, "LINK_BLOCK", link_block)
    rng = np.random.default_rng(11)
    for big_weight, big_count in [(False, False), (True, False), (False, True), (True, True)]:
        for _ in range(10):
            n_posts, n_groups = int(rng.integers(1, 30)), int(rng.integers(1, 9))
            per_post = np.minimum(rng.integers(0, 4, n_posts), n_groups)
            index = np.concatenate([np.sort(rng.choice(n_groups, k, replace=False)) for k in per_post])
            index = index.astype(np.int32)
            top = 2**31 - 1 if big_weight else 5
            weight = rng.integers(1, top, len(index), endpoint=True).astype(np.int32)
            links = by_post(starts(per_post), index, weight, n_groups)
            assert links.dtype == np.int32  # (the data is the weights themselves, not a copy)
            counts = rng.integers(-3, 2**40 if big_count else 4, size=(int(rng.integers(1, 6)), n_posts))
            expected = np.zeros((len(counts), n_groups), dtype=object)  # (Python integers: no overflow)
            for p, (lo, hi) in enumerate(zip(starts(per_post)[:-1], starts(per_post)[1:])):
                for g, w in zip(index[lo:hi].tolist(), weight[lo:hi].tolist()):
                    expected[:, g] += counts[:, p].astype(object) * w
            got = summed(counts, links)
            assert got.dtype == np.int64
            if big_weight and big_count:  # (sums past int64 itself are not asked of it)
                continue
            assert got.tolist() == expected.tolist()
            # the bound given by the caller (as replicate_values reads it once for both sums)
            largest = int(np.abs(counts).max())
            assert summed(counts, links, top=largest).tolist() == expected.tolist()


def _plain_pairs(post, where, node, kinds):
    """Per (post, country, forum): in how many units of the post both are named (by hand)."""
    units: dict = {}
    for p, w, n in zip(post.tolist(), where.tolist(), node.tolist()):
        units.setdefault((p, w), set()).add(n)
    pairs: dict = {}
    for (p, _), named in units.items():
        for c in sorted(n for n in named if kinds[n] == "country"):
            for f in sorted(n for n in named if kinds[n] == "forum"):
                pairs[(p, c, f)] = pairs.get((p, c, f), 0) + 1
    return pairs


@pytest.mark.parametrize("chunk", [1, 5, 1_000_000])  # a post a chunk, a few links, all at once
def test_pairs_enumerated_a_chunk_of_posts_at_a_time_are_all_the_pairs(chunk, monkeypatch):
    from netanalysis.analysis import link_sums
    from netanalysis.analysis.link_products import link_matrix
    from netanalysis.analysis.resample import coded_window

    monkeypatch.setattr(link_sums, "PAIR_CHUNK", chunk)
    rng = np.random.default_rng(8)
    nodes = ["country:AA", "country:BB", "country:CC", "forum:EU", "forum:UN"]
    kinds = [n.split(":")[0] for n in nodes]
    for _ in range(25):
        n_posts = int(rng.integers(1, 12))
        keys = np.unique(rng.integers(0, n_posts * 3 * len(nodes), int(rng.integers(0, 60))))  # (post, unit, node)
        node, rest = keys % len(nodes), keys // len(nodes)
        post, where = rest // 3, rest % 3
        win = coded_window(np.arange(n_posts), np.full(n_posts, 3), post, where, node, nodes, "paragraph")
        got = {
            (p, int(win.edge_nodes[e, 0]), int(win.edge_nodes[e, 1])): c
            for p, e, c in zip(win.edge_post.tolist(), win.edge_index.tolist(), win.edge_count.tolist())
        }
        assert got == _plain_pairs(post, where, node, kinds)
        named: dict = {}
        for p, n in zip(post.tolist(), node.tolist()):
            named[(p, n)] = named.get((p, n), 0) + 1  # (the units of the post naming the node)
        got_nodes = zip(win.node_post.tolist(), win.node_index.tolist(), win.node_count.tolist())
        assert {(p, n): c for p, n, c in got_nodes} == named
        assert (np.diff(win.node_post.astype(np.int64) * len(nodes) + win.node_index) > 0).all()
        keys_seen = win.edge_post.astype(np.int64) * len(win.edge_nodes) + win.edge_index
        assert (np.diff(keys_seen) > 0).all()  # sorted by post, then edge, each once
        # posts and counts as int32 (they fit; the counts are the sparse matrices' data), the
        # nodes and edges as int16 (a few nodes)
        assert win.edge_post.dtype == win.node_post.dtype == np.int32
        assert win.edge_index.dtype == win.node_index.dtype == np.int16
        assert win.edge_count.dtype == win.node_count.dtype == np.int32
        assert win.edge_links.dtype == win.node_links.dtype == np.int32  # (no int64 copy of the counts)
        # the entries' posts are kept only as where each post's entries start
        for start, entries in [(win.edge_start, win.edge_index), (win.node_start, win.node_index)]:
            assert start.dtype == np.int64 and len(start) == n_posts + 1
            assert start[0] == 0 and start[-1] == len(entries) and (np.diff(start) >= 0).all()
        for links, (p, i, w, size) in [
            (win.edge_links, (win.edge_post, win.edge_index, win.edge_count, len(win.edge_nodes))),
            (win.node_links, (win.node_post, win.node_index, win.node_count, len(nodes))),
        ]:
            assert np.array_equal(links.toarray(), link_matrix(p, w, i, size, n_posts).toarray())


@given(st.lists(st.lists(st.integers(1, 3), max_size=6), max_size=6))
def test_counts_of_ones_are_kept_as_their_length_and_joined_as_every_count(chunks):
    from netanalysis.analysis.link_sums import Counts

    counts = Counts(np.int32)
    for chunk in chunks:
        counts.add(np.array(chunk, dtype=np.int64))
    got = counts.joined()
    assert got.dtype == np.int32 and got.tolist() == [c for chunk in chunks for c in chunk]
    assert (got.strides == (0,)) == all(c == 1 for chunk in chunks for c in chunk)  # (ones take no memory)
    assert counts.joined().tolist() == []  # (the chunks were handed over)


@given(st.lists(st.tuples(st.integers(0, 4), st.booleans()), max_size=30))
def test_the_pair_bound_is_each_units_countries_times_its_forums(links):
    from netanalysis.analysis.link_sums import _pair_bound

    links = sorted(links)
    group = np.array([g for g, _ in links], dtype=np.int64)
    is_forum = np.array([f for _, f in links], dtype=bool)
    plain = sum(
        sum(1 for g, f in links if g == unit and not f) * sum(1 for g, f in links if g == unit and f)
        for unit in set(group.tolist())
    )
    assert _pair_bound(group, is_forum) == plain


@pytest.mark.parametrize("link_block", [1, 6, 4_000_000])
def test_a_window_of_whole_posts_keeps_no_counts_but_sums_them(link_block, monkeypatch):
    from netanalysis.analysis import link_products, link_sums
    from netanalysis.analysis.link_products import link_matrix, summed
    from netanalysis.analysis.resample import coded_window
    from netanalysis.graph.link_starts import starts_of

    monkeypatch.setattr(link_sums, "PAIR_CHUNK", 7)
    monkeypatch.setattr(link_products, "LINK_BLOCK", link_block)
    rng = np.random.default_rng(3)
    nodes = ["country:AA", "country:BB", "forum:EU", "forum:UN"]
    keys = np.unique(rng.integers(0, 40 * len(nodes), 90))  # distinct (post, node): each counted once
    post, node = keys // len(nodes), keys % len(nodes)
    where = np.broadcast_to(np.zeros(1, dtype=np.int32), post.shape)
    win = coded_window(np.arange(40), np.ones(40, dtype=np.int64), post, where, node, nodes, "post")
    assert win.edge_count.strides == win.node_count.strides == (0,) and len(win.edge_count) > 10
    # the links are the node entries themselves (each post's nodes once): what distinct_pairs gives
    start, index, count = link_sums.distinct_pairs(starts_of(post, 40), node, len(nodes))
    assert np.array_equal(win.node_start, start) and np.array_equal(win.node_index, index)
    assert win.node_index.dtype == np.int16 and win.node_count.tolist() == count.tolist()
    counts = rng.integers(0, 4, size=(5, 40))
    for links, (p, i, w, size) in [
        (win.edge_links, (win.edge_post, win.edge_index, np.ones(len(win.edge_index)), len(win.edge_nodes))),
        (win.node_links, (win.node_post, win.node_index, np.ones(len(win.node_index)), len(nodes))),
    ]:
        plain = link_matrix(p, w, i, size, 40)
        assert links.dtype == np.int32
        blocks = links.blocks()
        assert [(a, b) for a, b, _ in blocks][0][0] == 0 and blocks[-1][1] == 40
        assert all(b1 == a2 for (_, b1, _), (a2, _, _) in zip(blocks, blocks[1:]))  # consecutive posts
        for a, b, matrix in blocks:  # at most LINK_BLOCK entries a block, but a post's
            assert matrix.nnz <= link_block or b == a + 1
            assert matrix.dtype == np.int32 and matrix.data.flags.c_contiguous and (matrix.data == 1).all()
        # the blocks hold views of one array of ones (shared with the window's other links) and,
        # the window's int16 indices being narrower than scipy takes, int32 copies of them
        shared = blocks[0][2].data.base
        assert max(m.nnz for _, _, m in blocks) <= len(shared)
        assert all(np.shares_memory(m.data, shared) for _, _, m in blocks if m.nnz)
        assert all(m.indices.dtype == np.int32 for _, _, m in blocks)
        assert np.array_equal(links.toarray(), plain.toarray())
        assert np.array_equal(summed(counts, links), counts @ plain.toarray().T)


def test_index_type_is_int32_exactly_while_indices_fit():
    from netanalysis.model import index_type

    assert index_type(0) is np.int32 and index_type(2**31) is np.int32  # indices 0 .. 2**31 - 1
    assert index_type(2**31 + 1) is np.int64
    assert np.iinfo(index_type(2**31)).max == 2**31 - 1


@pytest.mark.parametrize("seed", [0, 1])
def test_paired_halves_give_the_same_values(seed):
    # a permutation's two windows add up to both windows' posts: the second half's sums are taken
    # from the first half's, and every value is the one computed from the rows themselves
    rng = np.random.default_rng(seed)
    posts, links = sparse_window(rng)
    win = code_window(posts, links)
    both = rng.integers(0, 3, size=win.n_posts)
    first = np.minimum(both, rng.integers(0, 3, size=(12, win.n_posts)))
    first[3] = first[0]  # (repeated rows: one computation for both)
    counts = np.concatenate([first, both - first])
    for measures in (NODE_MEASURES, ["posts", "share", "strength"]):
        plain = replicate_values(win, counts, measures=measures)
        assert np.array_equal(replicate_values(win, counts, measures=measures, paired=paired_sums(win, both)), plain)
    with pytest.raises(ConfigError, match="add up"):
        replicate_values(win, counts + np.eye(len(counts), win.n_posts, dtype=int), paired=paired_sums(win, both))


@given(
    st.lists(st.integers(0, 5), max_size=40),
    st.booleans(),
    st.integers(6, 9),
)
def test_totals_are_the_plain_sums_whether_counts_are_ones_or_not(index, all_ones, size):
    # a node's or an edge's total in a window: counted (ones) or summed, int64, size values
    from netanalysis.analysis.link_sums import ones, totals

    index = np.array(index, dtype=np.int32)
    counts = ones(len(index), np.int32) if all_ones else (np.arange(len(index), dtype=np.int32) % 3) + 1
    got = totals(index, counts, size)
    plain = [sum(int(c) for i, c in zip(index.tolist(), counts.tolist()) if i == k) for k in range(size)]
    assert got.dtype == np.int64 and got.tolist() == plain


@given(
    st.lists(st.tuples(st.integers(0, 5), st.booleans()), max_size=40),
    st.sampled_from([np.int16, np.int32, np.int64]),
    st.integers(1, 7),
    st.booleans(),
)
def test_counted_a_chunk_at_a_time_is_bincount(entries, dtype, chunk, masked):
    # numpy.bincount copies its input as int64: counted hands it COUNT_CHUNK entries at a time,
    # with the same counts whatever the chunk (one entry, a few, all) and with or without a mask
    import netanalysis.analysis.link_sums as link_sums

    index = np.array([i for i, _ in entries], dtype=dtype)
    where = np.array([w for _, w in entries], dtype=bool) if masked else None
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(link_sums, "COUNT_CHUNK", chunk)
        got = link_sums.counted(index, 6, where=where)
    plain = [sum(1 for i, w in entries if i == k and (w or not masked)) for k in range(6)]
    assert got.dtype == np.int64 and got.tolist() == plain


@pytest.mark.parametrize("n_posts", [1, 2, 7, 1000, 4099, 1_000_003])
@pytest.mark.parametrize("replicates", [1, 3, 8])
def test_bootstrap_counts_a_replicate_at_a_time_are_one_draw_of_them_all(n_posts, replicates):
    """Each replicate's draws made by themselves give the counts of one draw of every
    replicate (the generator's stream goes on from call to call), and leave the generator
    where that draw did: the intervals do not depend on how the draws are split."""
    from netanalysis.analysis.resample import bootstrap_counts

    for seed in range(5):
        rng = np.random.default_rng([seed, n_posts])
        draws = rng.integers(0, n_posts, size=(replicates, n_posts))
        draws += (np.arange(replicates) * n_posts)[:, None]
        expected = np.bincount(draws.ravel(), minlength=replicates * n_posts).reshape(replicates, n_posts)
        mine = np.random.default_rng([seed, n_posts])
        got = bootstrap_counts(mine, n_posts, replicates)
        assert got.dtype == np.int32 and np.array_equal(got, expected)
        assert (got.sum(axis=1) == n_posts).all()
        assert mine.integers(0, 2**62) == rng.integers(0, 2**62)


@pytest.mark.parametrize(
    "n_posts, part, chunk",
    [(1, 1, 1), (2, 1, 1), (7, 1, 1), (7, 2, 3), (7, 5, 2), (1000, 64, 1000), (1000, 999, 7), (4099, 999, 1000)]
    + [(n, part, chunk) for n in (1000, 4099) for part, chunk in [(5, 2000), (64, 64), (4098, 4099)]],
)
def test_one_replicate_counted_in_parts_is_one_draw(monkeypatch, n_posts, part, chunk):
    """A replicate of a large window counted a part of its posts at a time (the draws made
    again for each part, a chunk at a time) gives the counts of one draw and leaves the
    generator where that draw did."""
    from netanalysis.analysis import replicate_blocks

    monkeypatch.setattr(replicate_blocks, "COUNT_PART", part)
    monkeypatch.setattr(replicate_blocks, "DRAW_CHUNK", chunk)
    for seed in range(5):
        rng = np.random.default_rng([seed, n_posts])
        expected = np.bincount(rng.integers(0, n_posts, size=n_posts), minlength=n_posts)
        mine = np.random.default_rng([seed, n_posts])
        got = replicate_blocks.bootstrap_counts(mine, n_posts, 1)
        assert got.shape == (1, n_posts) and got.dtype == np.int32
        assert np.array_equal(got[0], expected)
        assert mine.integers(0, 2**62) == rng.integers(0, 2**62)


def test_a_windows_node_links_and_pairs_share_one_array_of_ones():
    posts = pd.DataFrame({"post_id": ["a", "b", "c"]})
    links = pd.DataFrame(
        {
            "post_id": ["a", "a", "b", "b", "c"],
            "kind": ["country", "forum", "country", "forum", "forum"],
            "entity": ["CN", "UN", "RU", "UN", "SCO"],
        }
    )
    win = code_window(posts, links)
    [(_, _, nodes)] = win.node_links.blocks()
    [(_, _, pairs)] = win.edge_links.blocks()
    assert nodes.data.tolist() == [1] * 5 and pairs.data.tolist() == [1, 1]
    assert nodes.data.base is not None and nodes.data.base is pairs.data.base
    assert not nodes.data.flags.writeable


@pytest.mark.parametrize("index_type", [np.int16, np.int32])
def test_post_links_blocks_keep_views_of_wide_indices_and_widen_narrow_ones(index_type, monkeypatch):
    """int32 indices: the blocks are built once and hold views of them; int16 indices (a
    window's few nodes and edges): each block widens its part when read. The sums are the same."""
    from netanalysis.analysis import link_products
    from netanalysis.analysis.link_products import PostLinks, summed

    monkeypatch.setattr(link_products, "LINK_BLOCK", 3)
    monkeypatch.setattr(link_products, "KEPT_WIDENED", 0)  # (int16: made when read)
    rng = np.random.default_rng(1)
    per_post = rng.integers(0, 4, size=12)
    start = np.r_[0, np.cumsum(per_post)]
    index = np.concatenate([np.sort(rng.choice(6, k, replace=False)) for k in per_post]).astype(index_type)
    links = PostLinks(start, index, rng.integers(1, 4, size=len(index)).astype(np.int32), 6)
    blocks = links.blocks()
    assert isinstance(blocks, list) == (index_type == np.int32)  # (matrices kept, or made when read)
    for _, _, m in blocks:
        assert m.indices.dtype == np.int32
        assert np.shares_memory(m.indices, index) == (index_type == np.int32 and m.nnz > 0)
    wide = PostLinks(start, index.astype(np.int64), links.weight, 6)
    counts = rng.integers(0, 5, size=(7, 12))
    assert np.array_equal(summed(counts, links), summed(counts, wide))
    assert np.array_equal(links.toarray(), wide.toarray())


@given(
    st.integers(0, 4),
    st.integers(0, 9),
    st.sampled_from(["ones", "flags", "int64", "int32"]),
    st.sampled_from([np.int32, np.int64]),
    st.integers(1, 4),
    st.integers(0, 2**31 - 1),
)
def test_weighted_totals_are_the_int64_product_a_chunk_at_a_time(replicates, n, kind, row_type, chunk, seed):
    # each replicate's units (ones), topical units (int8 flags) or weighted units (int64 or
    # int32 weights), with counts up to int32's largest, so that the product leaves int32: the
    # int64 product of the whole arrays, whatever the chunk the rows are widened by
    from netanalysis.analysis import link_products
    from netanalysis.analysis.link_products import weighted_totals
    from netanalysis.analysis.link_sums import ones

    rng = np.random.default_rng(seed)
    rows = rng.integers(0, 2**31 - 1, size=(replicates, n), endpoint=True).astype(row_type)
    rows[:, : n // 2] = rng.integers(0, 3, size=(replicates, n // 2))  # (small counts too)
    per_post = {
        "ones": ones(n, np.int64),
        "flags": rng.integers(0, 1, size=n, endpoint=True).astype(np.int8),
        "int64": rng.integers(0, 5, size=n).astype(np.int64),
        "int32": rng.integers(0, 5, size=n).astype(np.int32),
    }[kind]
    expected = rows.astype(object) @ per_post.astype(object)  # (Python integers: no overflow)
    original = link_products.TOTAL_CHUNK
    try:
        link_products.TOTAL_CHUNK = chunk
        got = weighted_totals(rows, per_post)
    finally:
        link_products.TOTAL_CHUNK = original
    assert got.dtype == np.int64 and got.tolist() == [int(v) for v in np.atleast_1d(expected)]
