"""report.html and its methods write a million-post run's counts with their thousands grouped
(431,881), as the explorer does: below 10,000 they stay as they are (the sample's pages do not
change)."""

import re

import pandas as pd

from netanalysis.config import Settings
from netanalysis.model import FileStats, IngestStats
from netanalysis.render.report_page import ReportContent, report_html


def _page(posts: int, mentions: int, window_posts: list[int]) -> str:
    nodes = pd.DataFrame(
        {
            "node": ["RU", "BRICS"],
            "label": ["Russia", "BRICS"],
            "kind": ["country", "forum"],
            "posts": [posts // 2, posts // 3],
            "degree": [1.0, 1.0],
            "strength": [float(mentions), float(mentions)],
            "betweenness": [0.0, 0.0],
            "pagerank": [0.5, 0.5],
            "community": [0, 0],
        }
    )
    windows = pd.DataFrame(
        {
            "window_start": pd.to_datetime(["2024-01-01", "2024-02-01"], utc=True),
            "posts": window_posts,
            "units": window_posts,
            "countries": [1, 1],
            "forums": [1, 1],
            "edges": [1, 1],
            "edge_jaccard": [float("nan"), 1.0],
            "weighted_jaccard": [float("nan"), 1.0],
            "small": [False, False],
        }
    )
    counts = {
        "posts": posts,
        "mentions": {"country": mentions, "forum": 12},
        "nodes": {"country": 1, "forum": 1},
        "edges": 1,
        "windows": 2,
        "ties": mentions,
        "timeline_undated_posts": 0,
        "time": {"posts_per_window": window_posts, "median_posts": sum(window_posts) / 2, "min_posts": 20},
    }
    run = ReportContent(
        version="0",
        command="report",
        inputs=["posts.jsonl"],
        settings=Settings(),
        stats=IngestStats(files=[FileStats(path="posts.jsonl", read=posts)]),
        counts=counts,
        nodes=nodes,
        posts=posts,
        windows=windows,
    )
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", report_html(run, files=[])))


def test_a_million_post_report_groups_its_counts():
    text = _page(1_000_000, 2_231_373, [431_881, 568_119])
    assert "1,000,000 posts · netanalysis" in text
    assert "Posts read 1,000,000" in text
    assert "country: 2,231,373, forum: 12" in text
    assert "Posts were read with netanalysis (1,000,000 posts)" in text
    assert "held a median of 500,000 posts (from 431,881 to 568,119)" in text
    assert "hold a median of 500,000 posts (from 431,881 to 568,119)" in text
    assert "Each of the 2,231,373 ties" in text
    for count in ("1000000", "2231373", "431881", "568119", "1e+06"):
        assert count not in text, count


def test_counts_under_ten_thousand_stay_as_they_are():
    text = _page(9_999, 9_000, [4_000, 5_999])
    assert "9999 posts · netanalysis" in text
    assert "from 4000 to 5999" in text
    assert "Posts read 9999" in text and "country: 9000" in text
    assert not re.search(r"\d,\d", text)


def _summary(posts: list[int], small: list[bool]) -> str:
    from netanalysis.render.report_time import windows_summary

    windows = pd.DataFrame(
        {
            "window_start": pd.date_range("2024-01-01", periods=len(posts), freq="MS", tz="UTC"),
            "posts": posts,
            "units": posts,
            "countries": 1,
            "forums": 1,
            "edges": 1,
            "edge_jaccard": float("nan"),
            "weighted_jaccard": float("nan"),
            "small": small,
        }
    )
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", windows_summary(windows, 20, "share")))


def test_one_window_is_written_as_one():
    assert _summary([50_000], [False]).startswith(" The one window holds 50,000 posts. Every window")
    assert "The one window holds 5 posts, fewer than 20 posts ( --min-posts ): it is marked small." in _summary(
        [5], [True]
    )
    assert "2 windows hold a median of 22.5 posts (from 15 to 30); 1 of them holds fewer than 20 posts" in _summary(
        [30, 15], [False, True]
    )


def test_a_modularity_just_under_zero_is_not_written_minus_zero():
    from netanalysis.render.numbers import fixed

    assert fixed(-0.0004) == "0.00" and fixed(-0.004, 3) == "-0.004" and fixed(-0.0) == "0.00"
