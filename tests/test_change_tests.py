"""Permutation tests of change: uniform p-values under the null, a planted jump found, BH q-values."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from netanalysis.analysis.change_tests import CHANGE_TEST_COLUMNS, bh_qvalues, change_test, change_tests_over_time
from netanalysis.errors import ConfigError


def window(rng, prefix, n_posts, probs):
    """Posts that all name the UN; country k is named with probability probs[k]."""
    ids = np.array([f"{prefix}{i}" for i in range(n_posts)])
    post, country = np.nonzero(rng.random((n_posts, len(probs))) < np.asarray(probs))
    links = pd.DataFrame(
        {
            "post_id": np.r_[ids, ids[post]],
            "kind": ["forum"] * n_posts + ["country"] * len(post),
            "entity": ["UN"] * n_posts + [f"C{k:03d}" for k in country],
        }
    )
    return pd.DataFrame({"post_id": ids}), links


def test_p_values_are_uniform_when_both_windows_come_from_one_distribution():
    # PageRank x n varies almost continuously, so its p-values should be uniform: 20 pairs of
    # windows (60 and 90 posts) x 15 independent countries = 300 p-values
    rng = np.random.default_rng(5)
    probs = np.linspace(0.1, 0.5, 15)
    p_values = []
    for s in range(20):
        (a, la), (b, lb) = window(rng, "a", 60, probs), window(rng, "b", 90, probs)
        t = change_test(a, b, pd.concat([la, lb]), measures=["pagerank_scaled"], permutations=99, seed=s)
        p_values.append(t.loc[t["kind"] == "country", "p_value"].to_numpy())
    p = np.concatenate(p_values)
    assert len(p) == 300
    assert stats.kstest(p, "uniform").pvalue > 0.01


def test_share_p_values_are_valid_under_the_null():
    # The change in a share moves in steps of 1/n_a + 1/n_b under reassignment, so its
    # permutation p-values are discrete (an atom of a few % at each value) and conservative:
    # P(p <= a) <= a. One-sided KS (no excess of small p-values) and the rejection rates.
    rng = np.random.default_rng(99)
    probs = np.linspace(0.1, 0.5, 40)
    p_values = []
    for s in range(12):
        (a, la), (b, lb) = window(rng, "a", 150, probs), window(rng, "b", 250, probs)
        t = change_test(a, b, pd.concat([la, lb]), measures=["share"], permutations=199, seed=s)
        p_values.append(t.loc[t["kind"] == "country", "p_value"].to_numpy())
    p = np.concatenate(p_values)
    assert len(p) == 480
    assert stats.kstest(p, "uniform", alternative="greater").pvalue > 0.01
    se = np.sqrt(0.05 * 0.95 / len(p))
    for alpha in (0.01, 0.05, 0.1, 0.25):
        assert (p <= alpha).mean() <= alpha + 2.5 * np.sqrt(alpha * (1 - alpha) / len(p)), alpha
    assert (p <= 0.05).mean() >= 0.05 - 3 * se  # not useless either


def test_a_planted_jump_in_one_share_is_found():
    rng = np.random.default_rng(1)
    probs = np.full(20, 0.3)
    a, la = window(rng, "a", 120, probs)
    jumped = probs.copy()
    jumped[7] = 0.6  # C007: 0.3 -> 0.6
    b, lb = window(rng, "b", 120, jumped)
    t = change_test(a, b, pd.concat([la, lb]), measures=["share", "strength"], seed=0)
    assert list(t.columns) == CHANGE_TEST_COLUMNS and t.attrs["permutations"] == 999
    share = t[t["metric"] == "share"].set_index("node")
    assert share.loc["country:C007", "change"] > 0.2
    assert share.loc["country:C007", "p_value"] < 0.01
    assert share.loc["country:C007", "q_value"] < 0.05
    others = share.drop(["country:C007", "forum:UN"])
    assert (others["q_value"] > 0.05).mean() >= 0.9
    assert share.loc["forum:UN", "p_value"] == 1.0  # in every post of both windows


def test_bh_matches_scipy():
    rng = np.random.default_rng(3)
    p = rng.random(50) ** 3
    assert bh_qvalues(p) == pytest.approx(stats.false_discovery_control(p, method="bh"))
    p[[4, 9]] = np.nan
    q = bh_qvalues(p)
    assert np.isnan(q[[4, 9]]).all()
    ok = ~np.isnan(p)
    assert q[ok] == pytest.approx(stats.false_discovery_control(p[ok], method="bh"))


def test_tiny_windows_cannot_give_small_p_values_and_cumulative_ones_are_not_tested():
    posts = pd.DataFrame(
        {"post_id": ["a", "b", "c"], "date": pd.to_datetime(["2024-01-05", "2024-02-03", "2024-03-20"], utc=True)}
    )
    links = pd.DataFrame(
        {
            "post_id": ["a", "a", "b", "b", "c", "c"],
            "kind": ["country", "forum"] * 3,
            "entity": ["CN", "UN", "RU", "UN", "RU", "SCO"],
        }
    )
    months = [(pd.Timestamp(f"2024-0{m}-01", tz="UTC"), pd.Timestamp(f"2024-0{m + 1}-01", tz="UTC")) for m in (1, 2, 3)]
    t = change_tests_over_time(posts, links, months, measures=["share"], seed=2)
    # one post against one: two reassignments, so no p-value below 1/2
    assert t["p_value"].min() >= 0.45
    assert set(t["window_start"]) == {months[1][0], months[2][0]}
    start = months[0][0]
    cumulative = [(start, months[0][1]), (start, months[1][1])]
    c = change_tests_over_time(posts, links, cumulative, measures=["share"], seed=2)
    assert c["p_value"].isna().all() and c["change"].notna().all()


def test_shared_posts_stay_in_both_windows():
    rng = np.random.default_rng(8)
    a, la = window(rng, "a", 40, [0.3, 0.3])
    b, lb = window(rng, "b", 40, [0.3, 0.3])
    both = pd.concat([a.iloc[:20], b])  # shares 20 posts... of a
    t = change_test(a, both, pd.concat([la, lb]), measures=["posts"], permutations=99, seed=1)
    assert t.attrs["shared_posts"] == 20 and t.attrs["posts_after"] == 60
    again = change_test(a, both, pd.concat([la, lb]), measures=["posts"], permutations=99, seed=1)
    pd.testing.assert_frame_equal(t, again)


def test_bad_options_raise():
    rng = np.random.default_rng(0)
    a, la = window(rng, "a", 5, [0.5])
    with pytest.raises(ConfigError, match="permutations must be a whole number"):
        change_test(a, a, la, permutations=0)
    with pytest.raises(ConfigError, match="unknown measure"):
        change_test(a, a, la, measures=["hub"])


def test_changes_are_those_of_changes_csv(sample_path):
    """On the sample, the tested change of every node equals changes.csv's value_change."""
    import netanalysis
    from netanalysis.analysis.association import unit_links
    from netanalysis.analysis.changes import changes_table
    from netanalysis.analysis.timeline import graphs_over_time, timeline_table
    from netanalysis.extract import extract_mentions

    posts = netanalysis.read_posts(sample_path)
    mentions = extract_mentions(posts)
    graphs = graphs_over_time(mentions, posts)
    metrics = ["degree", "strength", "eigenvector", "pagerank", "pagerank_scaled"]
    windows = [(lo, hi) for lo, hi, _ in graphs]
    tests = change_tests_over_time(posts, unit_links(mentions, posts), windows, measures=metrics, permutations=99)
    changes = changes_table(timeline_table(graphs, metrics=metrics), graphs, tests)
    changes = changes[changes["value_change"].notna()]
    merged = changes.merge(tests, on=["window_start", "window_end", "node", "metric"], how="outer", suffixes=("", "_"))
    assert len(merged) == len(changes) == len(tests)
    assert merged["change"].to_numpy() == pytest.approx(merged["value_change"].to_numpy(), abs=1e-12)
    assert merged["p_value"].between(0, 1).all() and merged["q_value"].notna().all()
    assert (merged["p_value"] == merged["p_value_"]).all() and (merged["q_value"] == merged["q_value_"]).all()


def _enumerated_p(a, b, links, measure, shared=0):
    """The exact permutation p-value by brute force: every way of splitting the posts of only
    one window between the two (keeping their sizes), each window's share or count recomputed."""
    from itertools import combinations

    ids_a, ids_b = list(a["post_id"]), list(b["post_id"])
    keep = ids_a[:shared]  # posts in both windows
    pool = [i for i in ids_a[shared:]] + [i for i in ids_b if i not in keep]
    named = {n: set(g["post_id"]) for n, g in links.assign(n=links["kind"] + ":" + links["entity"]).groupby("n")}

    def value(ids, node):
        k = len(named[node] & set(ids))
        return k if measure == "posts" else k / len(ids)

    out = {}
    for node in named:
        t = value(ids_b, node) - value(ids_a, node)
        hits = total = 0
        for chosen in combinations(pool, len(ids_a) - shared):
            rest = [i for i in pool if i not in chosen]
            t_star = value(keep + rest, node) - value(keep + list(chosen), node)
            hits += round(abs(t_star), 12) >= round(abs(t), 12)
            total += 1
        out[node] = hits / total
    return out


@pytest.mark.parametrize("measure", ["share", "posts"])
@pytest.mark.parametrize("shared", [0, 3])
def test_exact_p_values_equal_every_reassignment_enumerated(measure, shared):
    rng = np.random.default_rng(12)
    a, la = window(rng, "a", 7, [0.3, 0.6, 0.1])
    b, lb = window(rng, "b", 6, [0.7, 0.2, 0.5])
    after = pd.concat([a.iloc[:shared], b]) if shared else b
    links = pd.concat([la, lb])
    t = change_test(a, after, links, measures=[measure], permutations=99, seed=0).set_index("node")
    assert t.attrs["exact"] == [measure] and t.attrs["shared_posts"] == shared
    expected = _enumerated_p(a, after, links, measure, shared)
    assert t["p_value"].to_dict() == pytest.approx({n: expected[n] for n in t.index}, abs=1e-12)


def test_exact_share_p_values_are_fishers_for_windows_of_one_size():
    rng = np.random.default_rng(4)
    a, la = window(rng, "a", 50, [0.2, 0.35, 0.5])
    b, lb = window(rng, "b", 50, [0.4, 0.35, 0.1])
    t = change_test(a, b, pd.concat([la, lb]), measures=["share"], seed=0).set_index("node")
    for node, row in t.iterrows():
        k_a, k_b = round(row["value_before"] * 50), round(row["value_after"] * 50)
        assert row["p_value"] == pytest.approx(stats.fisher_exact([[k_a, 50 - k_a], [k_b, 50 - k_b]]).pvalue)


def test_a_lone_jump_among_a_hundred_nodes_survives_the_correction():
    """With R = 999 the Monte Carlo floor 1/1000 times 100 nodes is q = 0.1: a lone change could
    never be significant. The exact p-value of a share can be as small as the data say."""
    rng = np.random.default_rng(21)
    probs = np.full(100, 0.1)
    jumped = probs.copy()
    jumped[42] = 0.3
    a, la = window(rng, "a", 300, probs)
    b, lb = window(rng, "b", 300, jumped)
    t = change_test(a, b, pd.concat([la, lb]), measures=["share", "strength"], seed=0)
    share = t[t["metric"] == "share"].set_index("node")
    assert share.loc["country:C042", "p_value"] < 1e-6 and share.loc["country:C042", "q_value"] < 0.001
    assert (share.drop("country:C042")["q_value"] < 0.05).sum() <= 1
    strength = t[t["metric"] == "strength"]
    assert strength["p_value"].min() >= 1 / 1000  # the Monte Carlo test: its floor


def test_the_topical_baseline_keeps_the_monte_carlo_p_value_of_share():
    rng = np.random.default_rng(3)
    a, la = window(rng, "a", 30, [0.5])
    b, lb = window(rng, "b", 30, [0.2])
    topical = change_test(a, b, pd.concat([la, lb]), measures=["share", "posts"], baseline="topical-units", seed=0)
    assert topical.attrs["exact"] == ["posts"]
    p = topical.loc[topical["metric"] == "share", "p_value"]
    assert ((p * 1000).round(9) % 1 == 0).all()  # (1 + hits) / 1000
