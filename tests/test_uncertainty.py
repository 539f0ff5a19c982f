"""Bootstrap intervals: coverage on synthetic corpora with known truth, ranks, small windows."""

import numpy as np
import pandas as pd
import pytest

from netanalysis.analysis.uncertainty import (
    BOOTSTRAP_COLUMNS,
    bootstrap_over_time,
    bootstrap_window,
    rank_intervals_overlap,
    rank_tiers,
)
from netanalysis.errors import ConfigError


def corpus(rng, n_posts, probs, *, clustered=False):
    """Posts that all name the UN; country k is named in a post with probability probs[k].

    With ``clustered``, posts have 1-5 paragraphs and a post is "about" country k with
    probability 0.4, then each of its paragraphs names k with probability 0.6 (else 0.05):
    paragraphs of one post are correlated, and the true paragraph share is 0.4 * 0.6 + 0.6 * 0.05.
    """
    ids = np.array([f"p{i}" for i in range(n_posts)])
    if not clustered:
        named = rng.random((n_posts, len(probs))) < np.asarray(probs)
        post, country = np.nonzero(named)
        links = pd.DataFrame(
            {
                "post_id": np.r_[ids, ids[post]],
                "kind": ["forum"] * n_posts + ["country"] * len(post),
                "entity": ["UN"] * n_posts + [f"C{k:03d}" for k in country],
            }
        )
        return pd.DataFrame({"post_id": ids}), links
    units = rng.integers(1, 6, size=n_posts)
    about = rng.random((n_posts, len(probs))) < 0.4
    rows = []
    for p in range(n_posts):
        for u in range(units[p]):
            rows.append((ids[p], "forum", "UN", u))
            hit = rng.random(len(probs)) < np.where(about[p], 0.6, 0.05)
            rows.extend((ids[p], "country", f"C{k:03d}", u) for k in np.flatnonzero(hit))
    links = pd.DataFrame(rows, columns=["post_id", "kind", "entity", "unit"])
    return pd.DataFrame({"post_id": ids, "units": units}), links


def coverage(tables, truth):
    hits = []
    for table in tables:
        share = table[(table["metric"] == "share") & (table["kind"] == "country")].set_index("node")
        t = pd.Series(truth, index=[f"country:C{k:03d}" for k in range(len(truth))])
        hits.append(((share["ci_low"] <= t[share.index]) & (t[share.index] <= share["ci_high"])).to_numpy())
    return np.concatenate(hits).mean()


def test_95_percent_intervals_cover_the_true_share_93_to_97_percent():
    # 24 corpora x 50 countries = 1,200 intervals; 400 posts each, shares 0.15-0.5: the share's
    # sampling distribution is close to normal there (n p >= 60), where percentile intervals are
    # accurate. Monte Carlo s.e. of the coverage ~0.6%.
    rng = np.random.default_rng(2024)
    probs = np.linspace(0.15, 0.5, 50)
    tables = [bootstrap_window(*corpus(rng, 400, probs), measures=["share"], replicates=200, seed=s) for s in range(24)]
    observed = coverage(tables, probs)
    assert 0.93 <= observed <= 0.97, observed


def test_intervals_resample_posts_not_paragraphs():
    # Paragraphs of one post are correlated; resampling whole posts keeps that and covers the
    # true paragraph share; resampling paragraphs would give intervals far too narrow.
    rng = np.random.default_rng(7)
    tables = [
        bootstrap_window(
            *corpus(rng, 300, np.zeros(40), clustered=True),
            unit="paragraph",
            measures=["share"],
            replicates=200,
            seed=s,
        )
        for s in range(20)
    ]
    observed = coverage(tables, np.full(40, 0.4 * 0.6 + 0.6 * 0.05))
    assert 0.93 <= observed <= 0.97, observed


def test_a_lower_level_gives_narrower_intervals_and_lower_coverage():
    rng = np.random.default_rng(11)
    probs = np.linspace(0.15, 0.5, 50)
    data = [corpus(rng, 400, probs) for _ in range(12)]
    wide = [bootstrap_window(*d, measures=["share"], replicates=200, seed=s) for s, d in enumerate(data)]
    narrow = [bootstrap_window(*d, measures=["share"], replicates=200, seed=s, level=0.5) for s, d in enumerate(data)]
    assert 0.42 <= coverage(narrow, probs) <= 0.58
    countries = narrow[0]["kind"] == "country"
    width = (narrow[0]["ci_high"] - narrow[0]["ci_low"])[countries]
    assert (width < (wide[0]["ci_high"] - wide[0]["ci_low"])[countries]).all()


def small_window():
    posts = pd.DataFrame({"post_id": [f"p{i}" for i in range(40)]})
    rows = []
    for i in range(40):
        rows += [(f"p{i}", "forum", "UN")]
        if i % 2 == 0:
            rows += [(f"p{i}", "country", "CN")]  # CN in 20 posts
        if i % 8 == 0:
            rows += [(f"p{i}", "country", "FR")]  # FR in 5
        if i % 5 == 0:
            rows += [(f"p{i}", "forum", "BRICS"), (f"p{i}", "country", "IN")]
    return posts, pd.DataFrame(rows, columns=["post_id", "kind", "entity"])


def test_table_columns_values_and_determinism():
    posts, links = small_window()
    a = bootstrap_window(posts, links, replicates=100, seed=5)
    b = bootstrap_window(posts, links, replicates=100, seed=5)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == BOOTSTRAP_COLUMNS
    assert set(a["metric"]) == {
        "posts",
        "share",
        "degree",
        "strength",
        "betweenness",
        "closeness",
        "eigenvector",
        "pagerank",
        "pagerank_scaled",
    }
    assert a.attrs["replicates"] == 100 and a.attrs["posts"] == 40
    share = a[a["metric"] == "share"].set_index("node")
    assert share.loc["country:CN", "value"] == 0.5 and share.loc["forum:UN", "value"] == 1.0
    assert share.loc["forum:UN", ["ci_low", "ci_high"]].tolist() == [1.0, 1.0]  # in every post
    assert (a["ci_low"] <= a["value"] + 1e-12).all() and (a["value"] <= a["ci_high"] + 1e-12).all()
    assert (a["rank_low"] <= a["rank"]).all() and (a["rank"] <= a["rank_high"]).all()
    c = bootstrap_window(posts, links, replicates=100, seed=6)
    assert not c["ci_low"].equals(a["ci_low"])


def test_rank_intervals_separate_clear_leaders_and_group_the_rest():
    posts, links = small_window()
    t = bootstrap_window(posts, links, measures=["share"], replicates=300, seed=1)
    countries = t[t["kind"] == "country"].set_index("node")
    # CN in 20 of 40 posts, IN in 8, FR in 5: CN is surely first; IN and FR cannot be ordered
    assert countries.loc["country:CN", ["rank_low", "rank_high"]].tolist() == [1, 1]
    assert not rank_intervals_overlap(countries.loc["country:CN"], countries.loc["country:IN"])
    assert rank_intervals_overlap(countries.loc["country:IN"], countries.loc["country:FR"])
    tiers = rank_tiers(t[t["kind"] == "country"]).tolist()
    assert tiers == [1, 2, 2]


def test_windows_of_one_post_get_no_interval_and_empty_windows_no_rows():
    posts = pd.DataFrame(
        {"post_id": ["a", "b", "c"], "date": pd.to_datetime(["2024-01-05", "2024-02-03", "2024-02-20"], utc=True)}
    )
    links = pd.DataFrame(
        {
            "post_id": ["a", "a", "b", "b", "c", "c"],
            "kind": ["country", "forum"] * 3,
            "entity": ["CN", "UN", "CN", "UN", "RU", "UN"],
        }
    )
    windows = [
        (pd.Timestamp(f"2024-0{m}-01", tz="UTC"), pd.Timestamp(f"2024-0{m + 1}-01", tz="UTC")) for m in (1, 2, 3)
    ]
    t = bootstrap_over_time(posts, links, windows, measures=["share", "pagerank"], replicates=50, seed=3)
    january = t[t["window_start"] == windows[0][0]]
    assert january["ci_low"].isna().all() and january["rank_low"].isna().all()
    assert january["value"].notna().all()
    february = t[t["window_start"] == windows[1][0]]
    assert february["ci_low"].notna().all()
    assert windows[2][0] not in set(t["window_start"])
    assert t.attrs["posts"] == [1, 2, 0]
    again = bootstrap_over_time(posts, links, windows, measures=["share", "pagerank"], replicates=50, seed=3, jobs=2)
    pd.testing.assert_frame_equal(t, again)


def test_no_replicates_give_values_and_ranks_without_intervals():
    posts, links = small_window()
    off = bootstrap_window(posts, links, replicates=0)
    on = bootstrap_window(posts, links, replicates=20)
    pd.testing.assert_frame_equal(off[["node", "metric", "value", "rank"]], on[["node", "metric", "value", "rank"]])
    assert off[["ci_low", "ci_high", "se", "rank_low", "rank_high"]].isna().all().all()
    assert on["ci_low"].notna().all() and off.attrs["replicates"] == 0


def test_replicates_drawn_in_blocks_equal_one_draw(monkeypatch):
    import netanalysis.analysis.uncertainty as uncertainty

    posts, links = small_window()
    whole = bootstrap_window(posts, links, replicates=40, seed=5)
    monkeypatch.setattr(uncertainty, "_BLOCK", 3 * len(posts))  # three replicates a block
    pd.testing.assert_frame_equal(bootstrap_window(posts, links, replicates=40, seed=5), whole)


def test_bad_options_raise():
    posts, links = small_window()
    with pytest.raises(ConfigError, match="replicates must be a whole number"):
        bootstrap_window(posts, links, replicates=-1)
    with pytest.raises(ConfigError, match="confidence level"):
        bootstrap_window(posts, links, level=95)
    with pytest.raises(ConfigError, match="unknown measure"):
        bootstrap_window(posts, links, measures=["authority"])


@pytest.mark.parametrize("unit", ["post", "paragraph"])
def test_values_and_ranks_are_those_of_the_timeline(sample_path, unit):
    """On the sample, bootstrap_over_time's value and rank columns equal timeline.csv's."""
    import netanalysis
    from netanalysis.analysis.association import unit_links
    from netanalysis.analysis.timeline import METRICS, centrality_over_time
    from netanalysis.extract import extract_mentions

    posts = netanalysis.read_posts(sample_path)
    mentions = extract_mentions(posts)
    timeline = centrality_over_time(mentions, posts, metrics=METRICS, unit=unit)
    windows = [(pd.Timestamp(lo), pd.Timestamp(hi)) for lo, hi in timeline.attrs["windows"]]
    boot = bootstrap_over_time(posts, unit_links(mentions, posts, unit=unit), windows, unit=unit, replicates=20)
    keys = ["window_start", "window_end", "node", "metric"]
    merged = timeline.merge(boot[boot["metric"] != "share"], on=keys, how="outer", suffixes=("", "_boot"))
    assert len(merged) == len(timeline) == (boot["metric"] != "share").sum()
    assert merged["value_boot"].to_numpy() == pytest.approx(merged["value"].to_numpy(), abs=1e-12)
    assert (merged["rank_boot"] == merged["rank"]).all()


def test_the_bootstraps_memory_is_bounded_by_its_blocks(monkeypatch):
    """The bootstrap's traced peak, in blocks of int64 replicate counts: each block's counts are
    int32, drawn a replicate at a time (not every replicate's draws at once), and its shares'
    denominators are summed a replicate at a time."""
    import tracemalloc

    import netanalysis.analysis.uncertainty as uncertainty
    from netanalysis.analysis.resample import code_window

    n = 100_000
    posts, links = corpus(np.random.default_rng(3), n, [0.3, 0.2, 0.1])
    win = code_window(posts, links)
    monkeypatch.setattr(uncertainty, "_BLOCK", 16 * n)  # sixteen replicates a block
    block = 16 * n * 8  # (12.8 MB as int64)
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        uncertainty.bootstrap_coded(win, replicates=48, seed=1, measures=["share", "posts", "degree"])
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    # (measured: 1.65 blocks; 2.15 when the shares' denominators multiplied the whole block of
    # int32 counts by the int64 units (a copy of it as int64), 2.65 with int64 counts, 2.65 with
    # every replicate's draws made at once; 3.14 before all three)
    assert peak < 2.0 * block
