"""Replicates drawn a block at a time give exactly what one draw gave."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netanalysis.analysis import replicate_blocks
from netanalysis.analysis.change_tests import change_test
from netanalysis.analysis.replicate_blocks import DistinctRows, distinct_rows, permutation_blocks
from netanalysis.analysis.resample import bootstrap_counts
from netanalysis.analysis.uncertainty import bootstrap_window

BLOCKS = [1, 7 * 2 * 60, 4_000_000]  # one permutation a block (the floor), 7 (windows of 60 posts), all


def one_draw(rng, shared, only_a, only_b, permutations):
    """The permutations as the change test drew them before it drew them in blocks."""
    pool = np.r_[only_a, only_b]
    order = np.argsort(rng.random((permutations, len(pool))), axis=1)
    counts_a = np.tile(shared.astype(np.int64), (permutations, 1))
    counts_b = counts_a.copy()
    np.put_along_axis(counts_a, pool[order[:, : len(only_a)]], 1, axis=1)
    np.put_along_axis(counts_b, pool[order[:, len(only_a) :]], 1, axis=1)
    return counts_a, counts_b


def random_split(rng):
    n = int(rng.integers(2, 40))
    side = rng.integers(0, 3, n)  # 0: only A, 1: only B, 2: both
    side[0], side[1] = 0, 1
    rng.shuffle(side)
    return side == 2, np.flatnonzero(side == 0), np.flatnonzero(side == 1)


@pytest.mark.parametrize("per_block", [1, 3, 10**6])  # permutations a block: the floor, a few, all at once
def test_permutation_blocks_are_one_draw_cut_in_rows(per_block):
    rng = np.random.default_rng(11)
    for case in range(30):
        shared, only_a, only_b = random_split(rng)
        permutations = int(rng.integers(1, 60))
        expected_a, expected_b = one_draw(np.random.default_rng([case, 1]), shared, only_a, only_b, permutations)
        blocked = np.random.default_rng([case, 1])
        block = per_block * 2 * len(shared) + int(rng.integers(0, 2 * len(shared)))  # (a part-row left over)
        parts = list(permutation_blocks(blocked, shared, only_a, only_b, permutations, block=block))
        assert all(p.dtype == np.int64 and p.shape[1] == len(shared) for p in parts)
        assert [len(p) // 2 for p in parts[:-1]] == [per_block] * (len(parts) - 1)
        assert sum(len(p) // 2 for p in parts) == permutations and len(parts[-1]) % 2 == 0
        got_a = np.concatenate([p[: len(p) // 2] for p in parts])
        got_b = np.concatenate([p[len(p) // 2 :] for p in parts])
        assert np.array_equal(got_a, expected_a) and np.array_equal(got_b, expected_b)
        # and the generator is left where one draw leaves it
        again = np.random.default_rng([case, 1])
        one_draw(again, shared, only_a, only_b, permutations)
        assert blocked.random() == again.random()


@pytest.mark.parametrize("rows", [1, 3, 50])
def test_row_blocks_of_integers_draw_the_same_stream(rows):
    # the bootstrap's blocks rely on it: rng.integers fills row blocks as one call fills the array
    for n_posts in (1, 2, 3, 5, 1000, 133_001):
        for width in (1, 3, 7):  # odd widths: numpy draws 32 bits at a time for small ranges
            whole = np.random.default_rng(4).integers(0, n_posts, size=(50, width))
            rng = np.random.default_rng(4)
            parts = [rng.integers(0, n_posts, size=(min(rows, 50 - lo), width)) for lo in range(0, 50, rows)]
            assert np.array_equal(np.concatenate(parts), whole)
        if n_posts <= 1000:
            rng = np.random.default_rng(4)
            parts = [bootstrap_counts(rng, n_posts, min(rows, 50 - lo)) for lo in range(0, 50, rows)]
            assert np.array_equal(np.concatenate(parts), bootstrap_counts(np.random.default_rng(4), n_posts, 50))


def test_distinct_rows_count_what_a_set_of_rows_counts():
    rng = np.random.default_rng(2)
    for _ in range(50):
        rows = rng.integers(0, 3, size=(int(rng.integers(1, 80)), int(rng.integers(1, 5))))  # many repeats
        seen = DistinctRows()
        for lo in range(0, len(rows), 9):
            seen.add(rows[lo : lo + 9])
        assert len(seen) == len({row.tobytes() for row in rows.astype(np.int64)})


def two_windows(seed, n_a=25, n_b=30, shared=5):
    rng = np.random.default_rng(seed)
    ids_a = [f"a{i}" for i in range(n_a)] + [f"s{i}" for i in range(shared)]
    ids_b = [f"b{i}" for i in range(n_b)] + [f"s{i}" for i in range(shared)]
    countries, forums = ["CN", "RU", "IN", "BR", "ZA"], ["UN", "BRICS", "SCO"]
    rows = []
    for post in sorted(set(ids_a) | set(ids_b)):
        for c in rng.choice(countries, int(rng.integers(0, 3)), replace=False):
            rows.append((post, "country", c))
        for f in rng.choice(forums, int(rng.integers(0, 2)), replace=False):
            rows.append((post, "forum", f))
    links = pd.DataFrame(rows, columns=["post_id", "kind", "entity"])
    return pd.DataFrame({"post_id": ids_a}), pd.DataFrame({"post_id": ids_b}), links


@pytest.mark.parametrize("block", BLOCKS)
def test_change_tests_in_blocks_equal_one_block(block, monkeypatch):
    measures = ["posts", "share", "degree", "strength", "eigenvector", "pagerank", "pagerank_scaled"]
    for seed in range(4):
        before, after, links = two_windows(seed, shared=seed % 2 * 6)
        options = dict(measures=measures, permutations=int(40 + 7 * seed), seed=seed)
        monkeypatch.setattr(replicate_blocks, "BLOCK", 10**9)
        whole = change_test(before, after, links, **options)
        monkeypatch.setattr(replicate_blocks, "BLOCK", block)
        blocked = change_test(before, after, links, **options)
        pd.testing.assert_frame_equal(blocked, whole)
        assert blocked.attrs == whole.attrs and blocked.attrs["distinct_permutations"] > 1


def test_change_tests_in_blocks_equal_the_test_drawn_at_once(monkeypatch):
    # against the earlier code path itself: all permutations in one replicate_values call
    from netanalysis.analysis import change_tests
    from netanalysis.analysis.resample import code_window

    before, after, links = two_windows(7, shared=4)
    monkeypatch.setattr(replicate_blocks, "BLOCK", 1)
    got = change_test(before, after, links, measures=["strength", "pagerank"], permutations=30, seed=9)

    ids_a, ids_b = set(before["post_id"]), set(after["post_id"])
    pooled = pd.concat([before, after[~after["post_id"].isin(ids_a)]], ignore_index=True)
    win = code_window(pooled, links)
    in_a = np.isin(win.post_ids, list(ids_a))
    in_b = np.isin(win.post_ids, list(ids_b))
    counts_a, counts_b = one_draw(
        np.random.default_rng(9), in_a & in_b, np.flatnonzero(in_a & ~in_b), np.flatnonzero(in_b & ~in_a), 30
    )
    observed = change_tests.replicate_values(
        win, np.stack([in_a, in_b]).astype(np.int64), measures=["strength", "pagerank"]
    )
    stacked = change_tests.replicate_values(
        win, np.concatenate([counts_a, counts_b]), measures=["strength", "pagerank"]
    )
    change = observed[1] - observed[0]
    null = stacked[30:] - stacked[:30]
    hits = (np.round(np.abs(null), 12) >= np.round(np.abs(change), 12)[None]).sum(axis=0)
    p = (1.0 + hits) / 31.0
    node = {n: i for i, n in enumerate(win.nodes)}
    for j, metric in enumerate(["strength", "pagerank"]):
        part = got[got["metric"] == metric]
        assert part["p_value"].tolist() == [p[node[n], j] for n in part["node"]]
    assert got.attrs["distinct_permutations"] == len({row.tobytes() for row in counts_a})


@pytest.mark.parametrize("block", [1, 7 * 30, 4_000_000])
def test_bootstrap_in_blocks_equals_one_block(block, monkeypatch):
    import netanalysis.analysis.uncertainty as uncertainty

    before, _, links = two_windows(3)
    whole = bootstrap_window(before, links, measures=["share", "pagerank"], replicates=60, seed=2)
    monkeypatch.setattr(uncertainty, "_BLOCK", block)
    blocked = bootstrap_window(before, links, measures=["share", "pagerank"], replicates=60, seed=2)
    pd.testing.assert_frame_equal(blocked, whole)
    counts = bootstrap_counts(np.random.default_rng(2), 30, 60)
    assert (
        blocked.attrs["distinct_replicates"]
        == len({row.tobytes() for row in counts})
        == whole.attrs["distinct_replicates"]
    )


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 12).flatmap(
        lambda n: st.lists(
            st.lists(st.integers(0, 3 if n > 3 else 2**40), min_size=n, max_size=n), min_size=1, max_size=15
        )
    )
)
def test_distinct_rows_are_numpys_unique_rows(rows):
    counts = np.array(rows, dtype=np.int64)
    expected, back = np.unique(counts, axis=0, return_inverse=True)
    got, got_back = distinct_rows(counts)
    assert got.tolist() == expected.tolist() and got_back.tolist() == np.asarray(back).ravel().tolist()
    assert (got[got_back] == counts).all()


def test_distinct_rows_of_a_large_bootstrap_block_with_repeats():
    rng = np.random.default_rng(4)
    counts = bootstrap_counts(rng, 5000, 30)
    counts = np.concatenate([counts, counts[[3, 7, 3]], np.zeros((1, 5000), np.int64)])  # repeats and a low row
    expected, back = np.unique(counts, axis=0, return_inverse=True)
    got, got_back = distinct_rows(counts)
    assert np.array_equal(got, expected) and np.array_equal(got_back, np.asarray(back).ravel())
    assert len(got) == 31


class _Tied:
    """A generator whose draws are rounded to a few values: many ties, some across the n-th value."""

    def __init__(self, seed, levels):
        self._rng, self._levels = np.random.default_rng(seed), levels

    def random(self, shape):
        return np.floor(self._rng.random(shape) * self._levels) / self._levels


@pytest.mark.parametrize("levels", [2, 5, 1000])
def test_permutations_are_the_argsorts_first_posts_even_with_ties(levels):
    # the partition must pick exactly the posts the argsort put first, also where draws tie at the
    # n-th value (rounded draws tie often; numpy's own draws almost never do)
    rng = np.random.default_rng(5)
    for case in range(40):
        shared, only_a, only_b = random_split(rng)
        permutations = int(rng.integers(1, 30))
        expected_a, expected_b = one_draw(_Tied(case, levels), shared, only_a, only_b, permutations)
        parts = list(permutation_blocks(_Tied(case, levels), shared, only_a, only_b, permutations))
        got = np.concatenate(parts)
        assert np.array_equal(got[:permutations], expected_a) and np.array_equal(got[permutations:], expected_b)


def test_first_of_order_is_the_argsort_mask():
    rng = np.random.default_rng(8)
    for _ in range(200):
        draws = np.round(rng.random((int(rng.integers(1, 6)), int(rng.integers(1, 30)))), int(rng.integers(0, 3)))
        n = int(rng.integers(0, draws.shape[1] + 1))
        expected = np.zeros(draws.shape, dtype=bool)
        np.put_along_axis(expected, np.argsort(draws, axis=1)[:, :n], True, axis=1)
        assert np.array_equal(replicate_blocks.first_of_order(draws, n), expected)


def test_distinct_rows_of_small_and_large_values_count_each_row_once():
    # a row is digested as bytes when its values are all in 0..255 and as int64 otherwise: equal
    # rows must agree whichever block they come in, and no two different rows may meet
    rows = np.array([[0, 1], [255, 0], [256, 0], [0, 256], [1, 0], [-1, 0], [255, 0], [0, 1]])
    seen = DistinctRows()
    for row in rows:
        seen.add(row[None])
    seen.add(rows)
    assert len(seen) == len({tuple(r) for r in rows.tolist()})
    got, back = distinct_rows(rows[rows.min(axis=1) >= 0])
    want, want_back = np.unique(rows[rows.min(axis=1) >= 0], axis=0, return_inverse=True)
    assert np.array_equal(got, want) and np.array_equal(back, np.asarray(want_back).ravel())


def test_permutation_blocks_of_windows_in_date_order():
    # consecutive windows pool consecutive posts (their columns are written as a slice), posts
    # before, between or after them stay out, shared ones stay in both
    for before, a, both, b, after in [(0, 3, 0, 4, 0), (5, 7, 2, 6, 3), (2, 1, 0, 1, 0), (0, 40, 10, 25, 7)]:
        side = np.repeat([3, 0, 2, 1, 3], [before, a, both, b, after])  # 3: in neither window
        shared, only_a, only_b = side == 2, np.flatnonzero(side == 0), np.flatnonzero(side == 1)
        expected_a, expected_b = one_draw(np.random.default_rng(a), shared, only_a, only_b, 25)
        parts = list(permutation_blocks(np.random.default_rng(a), shared, only_a, only_b, 25, block=50))
        got_a = np.concatenate([p[: len(p) // 2] for p in parts])
        got_b = np.concatenate([p[len(p) // 2 :] for p in parts])
        assert np.array_equal(got_a, expected_a) and np.array_equal(got_b, expected_b)
    with pytest.raises(ValueError, match="cannot be shared"):
        next(permutation_blocks(np.random.default_rng(0), np.array([True, False]), np.array([0]), np.array([1]), 3))


def test_distinct_rows_are_the_same_whatever_their_integer_type():
    """Rows of int32 counts (as bootstrap_counts gives them) and the same rows as int64 are the
    same rows, small values or not."""
    from netanalysis.analysis.replicate_blocks import DistinctRows

    rows = np.array([[0, 1, 300], [0, 1, 300], [5, 0, 0], [70000, 1, 2]])
    seen = DistinctRows()
    seen.add(rows.astype(np.int32))
    assert len(seen) == 3
    seen.add(rows.astype(np.int64))
    seen.add(rows[:, ::-1].astype(np.int32)[:, ::-1])  # (not contiguous)
    assert len(seen) == 3
