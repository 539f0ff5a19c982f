"""Association strength with an explicit baseline: mean 1 under each baseline's own null model,
for post, paragraph and sentence units; the implicit (topical) N's bias under the all-units null."""

import numpy as np
import pandas as pd
import pytest

from netanalysis.analysis.association import (
    BASELINES,
    association_measures,
    association_table,
    baseline_units,
    unit_links,
)
from netanalysis.errors import ConfigError
from netanalysis.graph import co_mention_graph, edges_table

UNITS = ("post", "paragraph", "sentence")
UNITS_PER_POST = {"post": (1, 1), "paragraph": (1, 8), "sentence": (2, 20)}
N_COUNTRIES, N_FORUMS = 40, 12


POSTS = {"post": 800, "paragraph": 150, "sentence": 60}  # about 700 units each
NAMES = np.array([f"C{k:02d}" for k in range(N_COUNTRIES)] + [f"F{k:02d}" for k in range(N_FORUMS)])
KINDS = np.array(["country"] * N_COUNTRIES + ["forum"] * N_FORUMS)


def structure(rng, unit):
    """Posts with their number of units, and every unit as (post index, index in the post)."""
    lo, hi = UNITS_PER_POST[unit]
    units = rng.integers(lo, hi + 1, size=POSTS[unit])
    post = np.repeat(np.arange(len(units)), units)
    within = np.arange(len(post)) - np.repeat(np.cumsum(units) - units, units)
    posts = pd.DataFrame({"post_id": [f"p{i}" for i in range(len(units))], "units": units})
    return posts, post, within


def null_corpus(rng, posts, post, within, margins, pool):
    """Each entity's units: a uniformly random subset of ``pool`` (unit indices) of its margin."""
    chosen = np.concatenate([rng.choice(pool, size=n, replace=False) for n in margins])
    entity = np.repeat(np.arange(len(margins)), margins)
    return pd.DataFrame(
        {
            "post_id": posts["post_id"].to_numpy()[post[chosen]],
            "kind": KINDS[entity],
            "entity": NAMES[entity],
            "unit": within[chosen],
        }
    )


def mean_assoc(rng, unit, baseline, replicates=40):
    posts, post, within = structure(rng, unit)
    n_all = len(post)
    if baseline == "all-units":
        pool = np.arange(n_all)
        margins = rng.integers(n_all // 20, int(n_all * 0.3), size=N_COUNTRIES + N_FORUMS)
    else:
        # the topical units are given (60% of all); entities are placed among them, and named
        # often enough (about 9 mentions a unit) that every topical unit is named by someone
        pool = np.sort(rng.choice(n_all, size=int(0.6 * n_all), replace=False))
        margins = rng.integers(len(pool) // 20, int(len(pool) * 0.3), size=N_COUNTRIES + N_FORUMS)
    means, edge_means, covered = [], [], []
    for _ in range(replicates):
        links = null_corpus(rng, posts, post, within, margins, pool)
        table = association_table(posts, links, unit=unit, baseline=baseline, pairs="all")
        assert len(table) == N_COUNTRIES * N_FORUMS
        means.append(table["assoc_strength"].mean())
        edge_means.append(table.loc[table["weight"] > 0, "assoc_strength"].mean())
        covered.append(table.attrs["n_units"] / len(pool))
    return np.mean(means), np.mean(edge_means), np.mean(covered)


@pytest.mark.parametrize("unit", ["post", "paragraph", "sentence"])
@pytest.mark.parametrize("baseline", ["all-units", "topical-units"])
def test_mean_association_strength_is_one_under_the_baselines_own_null(unit, baseline):
    rng = np.random.default_rng([UNITS.index(unit), BASELINES.index(baseline)])
    mean, edge_mean, covered = mean_assoc(rng, unit, baseline)
    assert 0.98 <= mean <= 1.02, mean  # over all country x forum pairs
    assert edge_mean >= mean  # over observed edges only: biased upwards
    if baseline == "topical-units":
        assert covered > 0.999  # the topical units were all named


@pytest.mark.parametrize("unit", ["paragraph", "sentence"])
def test_the_implicit_topical_n_is_biased_under_the_all_units_null(unit):
    """Today's N (units naming something) under independent mentions over all units: the mean
    is E[N_topical] / N_all, not 1; the all-units N on the same data gives 1."""
    rng = np.random.default_rng(5)
    posts, post, within = structure(rng, unit)
    n_all = len(post)
    margins = rng.integers(n_all // 60, n_all // 20, size=N_COUNTRIES + N_FORUMS)  # many units name nothing
    topical, all_units, ratio, edges = [], [], [], []
    for _ in range(30):
        links = null_corpus(rng, posts, post, within, margins, np.arange(n_all))
        t = association_table(posts, links, unit=unit, baseline="topical-units", pairs="all")
        a = association_table(posts, links, unit=unit, baseline="all-units", pairs="all")
        topical.append(t["assoc_strength"].mean())
        all_units.append(a["assoc_strength"].mean())
        edges.append(a.loc[a["weight"] > 0, "assoc_strength"].mean())
        ratio.append(t.attrs["n_units"] / a.attrs["n_units"])
    # per corpus, the topical N scales every value by N_topical / N_all ...
    assert np.array(topical) == pytest.approx(np.array(ratio) * np.array(all_units))
    # ... which is about 0.8 here (a fifth of the units name nothing), so the mean is far from 1
    assert np.mean(ratio) < 0.9 and np.mean(topical) < 0.9
    assert np.mean(edges) > 1.5  # rare entities: the mean over edges is far above 1


def test_on_the_sample_paragraph_units_scale_every_value_by_80_of_112(sample_path):
    import netanalysis
    from netanalysis.extract import extract_mentions

    posts = netanalysis.read_posts(sample_path)
    mentions = extract_mentions(posts)
    for unit, factor in (("post", 1.0), ("paragraph", 80 / 112)):
        links = unit_links(mentions, posts, unit=unit)
        topical = association_table(posts, links, unit=unit, baseline="topical-units")
        everything = association_table(posts, links, unit=unit, baseline="all-units")
        assert (topical["assoc_strength"] / everything["assoc_strength"]).tolist() == pytest.approx(
            [factor] * len(topical)
        )
        # each baseline is exactly what co_mention_graph puts on edges.csv with it (all-units by default)
        for baseline, table in (("all-units", everything), ("topical-units", topical)):
            chosen = {} if baseline == "all-units" else {"baseline": baseline}
            graph = co_mention_graph(mentions, posts, unit=unit, **chosen)
            edges = edges_table(graph)
            assert sorted(zip(edges["country"], edges["forum"], edges["assoc_strength"].round(12))) == sorted(
                zip(table["country"], table["forum"], table["assoc_strength"].round(12))
            )
            assert np.allclose(sorted(edges["npmi"]), sorted(table["npmi"]))
            assert np.allclose(sorted(edges["expected"]), sorted(table["expected"]))
            assert graph.graph["n_units"] == table.attrs["n_units"]


def test_hand_computed_values_and_baseline_units():
    posts = pd.DataFrame({"post_id": ["a", "b", "c", "d", "e"], "units": [3, 1, 2, 1, 1]})
    links = pd.DataFrame(
        {
            "post_id": ["a", "a", "a", "b", "c"],
            "kind": ["country", "forum", "forum", "forum", "country"],
            "entity": ["CN", "UN", "UN", "UN", "CN"],
            "unit": [0, 0, 2, 0, 1],
        }
    )
    # paragraphs: 8 in all; CN in a0, c1; UN in a0, a2, b0; together in a0; topical: a0 a2 b0 c1
    assert baseline_units(posts, links, unit="paragraph", baseline="all-units") == 8
    assert baseline_units(posts, links, unit="paragraph", baseline="topical-units") == 4
    t = association_table(posts, links, unit="paragraph").iloc[0]
    assert (t["weight"], t["n_country"], t["n_forum"], t["n_units"]) == (1, 2, 3, 8)
    assert t["expected"] == pytest.approx(6 / 8) and t["assoc_strength"] == pytest.approx(8 / 6)
    assert t["npmi"] == pytest.approx(np.log((1 / 8) / ((2 / 8) * (3 / 8))) / -np.log(1 / 8))
    m = association_measures([0, 3], [3, 3], [3, 3], 3)
    assert m["npmi"].tolist() == [-1.0, 1.0]
    with pytest.raises(ConfigError, match="unknown baseline"):
        association_table(posts, links, unit="paragraph", baseline="posts")
    with pytest.raises(ConfigError, match="pairs must be"):
        association_table(posts, links, unit="paragraph", pairs="some")
