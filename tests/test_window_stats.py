"""windows.csv: sizes per window and graph-level similarity to the previous window, by hand."""

import math
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from netanalysis.analysis.association import unit_links
from netanalysis.analysis.timeline import graphs_over_time, time_windows, window_summary
from netanalysis.analysis.window_stats import (
    WINDOW_TABLE_COLUMNS,
    cosine_similarity,
    edge_jaccard,
    weighted_jaccard,
    window_table,
)


def test_similarities_by_hand():
    a = {("CN", "UN"): 3, ("RU", "UN"): 1}
    b = {("CN", "UN"): 6, ("RU", "UN"): 2}  # same structure, twice the posts
    c = {("CN", "UN"): 1, ("CN", "SCO"): 3}
    assert edge_jaccard(a, b) == 1.0 and weighted_jaccard(a, b) == 1.0
    assert cosine_similarity(a, b) == pytest.approx(1.0)
    assert edge_jaccard(a, c) == pytest.approx(1 / 3)
    # proportions: a = (.75 CN-UN, .25 RU-UN), c = (.25 CN-UN, .75 CN-SCO)
    assert weighted_jaccard(a, c) == pytest.approx(0.25 / (0.75 + 0.25 + 0.75))
    assert cosine_similarity(a, c) == pytest.approx(3 / (math.sqrt(10) * math.sqrt(10)))
    assert edge_jaccard(a, {}) == 0.0 and math.isnan(weighted_jaccard(a, {}))
    assert math.isnan(cosine_similarity({}, c)) and math.isnan(edge_jaccard({}, {}))


def tiny():
    posts = pd.DataFrame(
        {
            "post_id": ["p1", "p2", "p3", "p4", "p5", "p6"],
            "date": pd.to_datetime(
                ["2024-01-03", "2024-01-20", "2024-02-02", "2024-02-10", "2024-04-01", None], utc=True
            ),
            "date_source": ["text", "inferred", "text", "text", "metadata", "none"],
            "units": [2, 1, 3, 1, 1, 1],
        }
    )
    links = pd.DataFrame(
        {
            "post_id": ["p1", "p1", "p1", "p2", "p2", "p3", "p3", "p3", "p4", "p6", "p6"],
            "kind": [
                "country",
                "forum",
                "forum",
                "country",
                "forum",
                "country",
                "forum",
                "forum",
                "country",
                "country",
                "forum",
            ],
            "entity": ["CN", "UN", "SCO", "RU", "UN", "CN", "UN", "BRICS", "IN", "FR", "EU"],
            "unit": [0, 0, 1, 0, 0, 0, 0, 2, 0, 0, 0],
        }
    )
    return posts, links


def test_window_table_by_hand():
    posts, links = tiny()
    windows = time_windows(posts["date"])  # January to April, monthly
    t = window_table(posts, links, windows, unit="post", min_posts=2)
    assert list(t.columns) == WINDOW_TABLE_COLUMNS
    assert t["posts"].tolist() == [2, 2, 0, 1]
    assert t["inferred_posts"].tolist() == [1, 0, 0, 0]
    assert t["units"].tolist() == [2, 2, 0, 1] and t["topical_units"].tolist() == [2, 2, 0, 0]
    # January: CN-UN, CN-SCO, RU-UN; February: CN-UN, CN-BRICS (IN co-mentions nothing)
    assert t["edges"].tolist() == [3, 2, 0, 0] and t["total_weight"].tolist() == [3, 2, 0, 0]
    assert t["countries"].tolist() == [2, 1, 0, 0] and t["forums"].tolist() == [2, 2, 0, 0]
    assert t["small"].tolist() == [False, False, True, True]
    assert math.isnan(t.loc[0, "edge_jaccard"])
    assert t.loc[1, "edge_jaccard"] == pytest.approx(1 / 4)
    assert t.loc[1, "weighted_jaccard"] == pytest.approx((1 / 3) / (1 / 3 + 1 / 3 + 1 / 3 + 1 / 2 + 1 / 2 - 1 / 3))
    assert t.loc[1, "cosine"] == pytest.approx(1 / (math.sqrt(3) * math.sqrt(2)))
    assert t.loc[2, "edge_jaccard"] == 0.0 and math.isnan(t.loc[2, "weighted_jaccard"])
    assert math.isnan(t.loc[3, "edge_jaccard"])  # no edges on either side
    assert t.attrs["undated_posts"] == 1 and t.attrs["median_posts"] == 1.5


def test_paragraph_units_count_every_paragraph_and_split_co_mentions():
    posts, links = tiny()
    t = window_table(posts, links, time_windows(posts["date"]), unit="paragraph")
    assert t["units"].tolist() == [3, 4, 0, 1] and t["topical_units"].tolist() == [3, 3, 0, 0]
    # p1's SCO is in its second paragraph, p3's BRICS in its third: no longer co-mentioned
    assert t["edges"].tolist() == [2, 1, 0, 0]


def test_agrees_with_the_window_graphs_on_the_sample(sample_path):
    import netanalysis
    from netanalysis.extract import extract_mentions

    posts = netanalysis.read_posts(sample_path)
    mentions = extract_mentions(posts)
    for unit in ("post", "sentence"):
        graphs = graphs_over_time(mentions, posts, unit=unit)
        old = window_summary(graphs)
        new = window_table(posts, unit_links(mentions, posts, unit=unit), [(lo, hi) for lo, hi, _ in graphs], unit=unit)
        for col in ("posts", "inferred_posts", "countries", "forums", "edges"):
            assert new[col].tolist() == old[col].tolist(), (unit, col)
        assert new["total_weight"].tolist() == old["total_weight"].astype(int).tolist()
        for i in range(1, len(graphs)):
            a = {tuple(sorted(e)): w for *e, w in graphs[i - 1][2].edges(data="weight")}
            b = {tuple(sorted(e)): w for *e, w in graphs[i][2].edges(data="weight")}
            assert new.loc[i, "edge_jaccard"] == pytest.approx(edge_jaccard(a, b), nan_ok=True)
            assert new.loc[i, "weighted_jaccard"] == pytest.approx(weighted_jaccard(a, b), nan_ok=True)
            assert new.loc[i, "cosine"] == pytest.approx(cosine_similarity(a, b), nan_ok=True)
        assert new["small"].all()  # one or two posts a month
        if unit == "post":
            assert np.isfinite(new["cosine"].iloc[1:]).all()


def test_weighted_jaccard_does_not_hang_on_the_hash_seed():
    """windows.csv must be the same file on every run: the sums run over the keys in a fixed order."""
    code = (
        "import random; from netanalysis.analysis.window_stats import weighted_jaccard as w;"
        "r = random.Random(3); k = [f'C{i}' + chr(65 + i % 26) for i in range(300)];"
        "a = {x: r.randint(1, 9) for x in k}; b = {x: r.randint(1, 9) for x in k[::2]};"
        "print(repr(w(a, b)))"
    )
    outs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in (0, 1, 2, 3, 4)
    }
    assert len(outs) == 1


def test_partly_covered_windows_by_hand(caplog):
    """The tiny corpus runs from 3 January to 1 April 2024 (whole days, UTC): January is
    covered from the 3rd (29 of 31 days), February and March whole, April one day of 30."""
    posts, links = tiny()
    windows = time_windows(posts["date"])
    with caplog.at_level("WARNING"):
        t = window_table(posts, links, windows, unit="post", min_posts=2)
    assert t["days"].tolist() == [31.0, 29.0, 31.0, 30.0]
    assert t["days_covered"].tolist() == [29.0, 29.0, 31.0, 1.0]
    assert t["partial"].tolist() == [True, False, False, True]
    assert t.attrs["partial_windows"] == 2
    warned = [r.getMessage() for r in caplog.records if "partly covered" in r.getMessage()]
    assert warned == [
        "the window 2024-01-01 to 2024-02-01 is only partly covered by the corpus (29 of its 31 days): "
        "its counts are not comparable with those of whole windows",
        "the window 2024-04-01 to 2024-05-01 is only partly covered by the corpus (1 of its 30 days): "
        "its counts are not comparable with those of whole windows",
    ]


def test_coverage_counts_whole_days_and_windows_beyond_the_corpus():
    """A post at 23:59 covers its whole day; a window after the last post covers nothing; a
    window of hours within a covered day is whole."""
    posts = pd.DataFrame(
        {"post_id": ["a", "b"], "date": pd.to_datetime(["2024-03-01 00:00", "2024-03-31 23:59"], utc=True)}
    )
    links = pd.DataFrame({"post_id": ["a", "a"], "kind": ["country", "forum"], "entity": ["CN", "UN"]})
    day = pd.Timestamp("2024-03-10", tz="UTC")
    windows = [
        (pd.Timestamp("2024-03-01", tz="UTC"), pd.Timestamp("2024-04-01", tz="UTC")),
        (pd.Timestamp("2024-04-01", tz="UTC"), pd.Timestamp("2024-05-01", tz="UTC")),
        (day, day + pd.Timedelta(hours=6)),
    ]
    t = window_table(posts, links, windows, min_posts=1)
    assert t["days_covered"].tolist() == [31.0, 0.0, 0.25]
    assert t["days"].tolist() == [31.0, 30.0, 0.25]
    assert t["partial"].tolist() == [False, True, False]
