"""Time windows, window graphs and centrality over time."""

from __future__ import annotations

import logging
from datetime import UTC as UTC_ZONE
from datetime import datetime, timedelta, timezone
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netanalysis.analysis.centrality import centrality_table
from netanalysis.analysis.timeline import (
    DEFAULT_METRICS,
    TIMELINE_COLUMNS,
    centrality_over_time,
    graphs_over_time,
    parse_span,
    time_windows,
    timeline_table,
    window_summary,
)
from netanalysis.errors import ConfigError
from netanalysis.graph import co_mention_graph

FIXTURES = Path(__file__).parent / "fixtures" / "timeline"
UTC = "UTC"


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz=UTC)


def days(windows) -> list[tuple[str, str]]:
    return [(a.strftime("%Y-%m-%d"), b.strftime("%Y-%m-%d")) for a, b in windows]


@pytest.fixture
def posts() -> pd.DataFrame:
    frame = pd.read_csv(FIXTURES / "posts.csv", dtype=str, keep_default_na=False)
    frame["date"] = pd.to_datetime(frame["date"].replace("", None), utc=True, format="ISO8601")
    return frame


@pytest.fixture
def mentions() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "mentions.csv", dtype={"post_id": str})


# --- windows -------------------------------------------------------------------------------


def test_month_boundary_is_utc():
    # 2024-04-01T00:10+03:00 is 2024-03-31T21:10 UTC: both posts are in March.
    dates = pd.to_datetime(["2024-03-31T23:30:00Z", "2024-04-01T00:10:00+03:00"], utc=True, format="ISO8601")
    assert time_windows(dates) == [(ts("2024-03-01"), ts("2024-04-01"))]


def test_window_is_half_open():
    dates = pd.to_datetime(["2024-03-31T23:59:59Z", "2024-04-01T00:00:00Z"], utc=True)
    assert days(time_windows(dates)) == [("2024-03-01", "2024-04-01"), ("2024-04-01", "2024-05-01")]


def test_naive_dates_are_utc_and_aware_dates_are_converted():
    naive = pd.Series(pd.to_datetime(["2024-01-31 23:00"]))
    assert days(time_windows(naive)) == [("2024-01-01", "2024-02-01")]
    tokyo = pd.Series(pd.to_datetime(["2024-02-01 05:00"]).tz_localize("Asia/Tokyo"))
    assert days(time_windows(tokyo)) == [("2024-01-01", "2024-02-01")]


def test_weeks_start_on_monday():
    dates = pd.to_datetime(["2024-04-10T12:00Z", "2024-04-14T23:59Z", "2024-04-15T00:00Z"], utc=True)
    windows = time_windows(dates, freq="week")
    assert days(windows) == [("2024-04-08", "2024-04-15"), ("2024-04-15", "2024-04-22")]
    assert all(start.weekday() == 0 for start, _ in windows)


def test_quarters_and_years():
    dates = pd.to_datetime(["2024-02-15T00:00Z", "2024-08-01T00:00Z"], utc=True)
    assert days(time_windows(dates, freq="quarter")) == [
        ("2024-01-01", "2024-04-01"),
        ("2024-04-01", "2024-07-01"),
        ("2024-07-01", "2024-10-01"),
    ]
    # 2023-12-31 22:00 in New York is 2024-01-01 03:00 UTC.
    ny = pd.to_datetime(["2023-12-31T22:00:00-05:00"], utc=True)
    assert days(time_windows(ny, freq="year")) == [("2024-01-01", "2025-01-01")]


@pytest.mark.parametrize(
    "alias,name",
    [
        ("M", "month"),
        ("ME", "month"),
        ("MS", "month"),
        ("W", "week"),
        ("W-MON", "week"),
        ("Q", "quarter"),
        ("QS", "quarter"),
        ("Y", "year"),
        ("YE", "year"),
    ],
)
def test_pandas_aliases(alias, name):
    dates = pd.to_datetime(["2023-11-29T00:00Z", "2024-05-02T00:00Z"], utc=True)
    assert time_windows(dates, freq=alias) == time_windows(dates, freq=name)


def test_rolling_windows_cover_every_date():
    dates = pd.to_datetime(["2024-04-08T00:00Z", "2024-07-03T00:00Z", "2024-10-07T00:00Z"], utc=True)
    windows = time_windows(dates, window="3M", step="1M")
    assert days(windows) == [
        ("2024-04-01", "2024-07-01"),
        ("2024-05-01", "2024-08-01"),
        ("2024-06-01", "2024-09-01"),
        ("2024-07-01", "2024-10-01"),
        ("2024-08-01", "2024-11-01"),
    ]
    for d in dates:
        assert any(a <= d < b for a, b in windows)


def test_window_alone_steps_by_one_unit_and_step_alone_is_back_to_back():
    dates = pd.to_datetime(["2024-04-08T00:00Z", "2024-05-20T00:00Z"], utc=True)
    assert time_windows(dates, window="2M") == time_windows(dates, window="2M", step="1M")
    assert days(time_windows(dates, step="2W")) == [
        ("2024-04-08", "2024-04-22"),
        ("2024-04-22", "2024-05-06"),
        ("2024-05-06", "2024-05-20"),
        ("2024-05-20", "2024-06-03"),
    ]


def test_cumulative_windows_keep_the_first_start():
    dates = pd.to_datetime(["2024-04-08T00:00Z", "2024-06-03T00:00Z"], utc=True)
    assert days(time_windows(dates, cumulative=True)) == [
        ("2024-04-01", "2024-05-01"),
        ("2024-04-01", "2024-06-01"),
        ("2024-04-01", "2024-07-01"),
    ]


def test_explicit_start_and_end():
    dates = pd.to_datetime(["2024-04-08T00:00Z"], utc=True)
    windows = time_windows(dates, start="2024-02-15", end="2024-06-01")
    assert days(windows) == [
        ("2024-02-01", "2024-03-01"),
        ("2024-03-01", "2024-04-01"),
        ("2024-04-01", "2024-05-01"),
        ("2024-05-01", "2024-06-01"),
    ]


def test_no_dates_no_windows():
    assert time_windows(pd.Series([pd.NaT], dtype="datetime64[ns, UTC]")) == []
    assert time_windows([]) == []


@pytest.mark.parametrize(
    "kwargs", [dict(window="3X"), dict(window="0M"), dict(freq="2M"), dict(freq="fortnight"), dict(step="M3")]
)
def test_bad_spans_are_config_errors(kwargs):
    dates = pd.to_datetime(["2024-04-08T00:00Z"], utc=True)
    with pytest.raises(ConfigError):
        time_windows(dates, **kwargs)


def test_end_before_start_is_an_error():
    with pytest.raises(ConfigError, match="must come after"):
        time_windows([], start="2024-05-01", end="2024-04-01")


def test_parse_span():
    assert parse_span("3M") == (3, "M")
    assert parse_span(" 12 w ") == (12, "W")
    assert parse_span("year") == (1, "Y")


# --- window graphs and the timeline --------------------------------------------------------


def test_graphs_over_time_splits_posts_by_utc_month(posts, mentions):
    graphs = graphs_over_time(mentions, posts)
    assert days((a, b) for a, b, _ in graphs) == [
        ("2024-03-01", "2024-04-01"),
        ("2024-04-01", "2024-05-01"),
        ("2024-05-01", "2024-06-01"),
        ("2024-06-01", "2024-07-01"),
    ]
    edges = [sorted(G.edges()) for _, _, G in graphs]
    assert edges[0] == [("country:CN", "forum:BRICS"), ("country:IN", "forum:BRICS"), ("country:RU", "forum:BRICS")]
    assert sorted(tuple(sorted(e)) for e in edges[1]) == [
        ("country:CN", "forum:SCO"),
        ("country:RU", "forum:SCO"),
        ("country:RU", "forum:UN"),
    ]
    assert edges[2] == []  # May: no posts, still a window
    assert sorted(tuple(sorted(e)) for e in edges[3]) == [("country:CN", "forum:BRICS"), ("country:CN", "forum:UN")]
    assert [G.graph["posts"] for _, _, G in graphs] == [2, 2, 0, 3]
    assert [G.graph["inferred_posts"] for _, _, G in graphs] == [0, 1, 0, 1]


def test_undated_and_inferred_are_counted(posts, mentions, caplog):
    with caplog.at_level(logging.WARNING, logger="netanalysis.analysis.timeline"):
        timeline = centrality_over_time(mentions, posts)
    assert timeline.attrs["undated_posts"] == 1
    assert timeline.attrs["inferred_posts"] == 2
    assert timeline.attrs["posts_outside_windows"] == 0
    assert "1 undated post(s)" in caplog.text
    assert "country:BR" not in set(timeline["node"])  # only in the undated post


def test_posts_outside_explicit_bounds_are_counted(posts, mentions):
    graphs = graphs_over_time(mentions, posts, start="2024-04-01", end="2024-05-01")
    assert len(graphs) == 1
    # 7 dated posts: p03 and p04 are in April; p01, p02 (March) and p05, p07, p08 (June) are not.
    assert graphs.attrs["posts_outside_windows"] == 5
    assert graphs.attrs["undated_posts"] == 1


def test_values_equal_centrality_of_each_window_alone(posts, mentions):
    timeline = centrality_over_time(mentions, posts, metrics=DEFAULT_METRICS + ("closeness", "posts"))
    dates = posts.set_index("post_id")["date"]
    for start, end in [
        (ts("2024-03-01"), ts("2024-04-01")),
        (ts("2024-04-01"), ts("2024-05-01")),
        (ts("2024-06-01"), ts("2024-07-01")),
    ]:
        ids = set(dates[(dates >= start) & (dates < end)].index)
        alone = centrality_table(
            co_mention_graph(mentions[mentions["post_id"].isin(ids)], posts[posts["post_id"].isin(ids)])
        )
        window = timeline[timeline["window_start"] == start]
        assert (window["window_end"] == end).all()  # window_end is the exclusive end
        got = window.pivot(index="node", columns="metric", values="value").sort_index()
        want = alone.set_index("node")[sorted(got.columns)].sort_index().astype(float)
        assert list(got.index) == list(want.index)
        pd.testing.assert_frame_equal(got[sorted(got.columns)], want, check_names=False, check_exact=True)


def test_rolling_windows_overlap(posts, mentions):
    graphs = graphs_over_time(mentions, posts, window="2M", step="1M")
    assert days((a, b) for a, b, _ in graphs) == [
        ("2024-03-01", "2024-05-01"),
        ("2024-04-01", "2024-06-01"),
        ("2024-05-01", "2024-07-01"),
    ]
    # p03 and p04 (April) are in the first two windows.
    assert [G.graph["posts"] for _, _, G in graphs] == [4, 2, 3]


@pytest.mark.parametrize(
    "options",
    [
        dict(window="2M", step="1M"),
        dict(freq="week"),
        dict(freq="quarter"),
        dict(cumulative=True),
        dict(window="6W", step="2W"),
    ],
)
def test_every_window_equals_the_window_alone(posts, mentions, options):
    graphs = graphs_over_time(mentions, posts, **options)
    timeline = timeline_table(graphs, metrics=["strength", "pagerank", "betweenness"])
    dates = posts.set_index("post_id")["date"]
    seen = 0
    for start, end, _ in graphs:
        ids = set(dates[(dates >= start) & (dates < end)].index)
        G = co_mention_graph(mentions[mentions["post_id"].isin(ids)], posts[posts["post_id"].isin(ids)])
        window = timeline[(timeline["window_start"] == start) & (timeline["window_end"] == end)]
        if len(G) == 0:
            assert window.empty
            continue
        alone = centrality_table(G).set_index("node")
        assert set(window["node"]) == set(alone.index)
        for row in window.itertuples():
            assert row.value == float(alone.loc[row.node, row.metric])
            seen += 1
    assert seen > 0


def test_empty_window_has_no_rows_but_is_recorded(posts, mentions):
    timeline = centrality_over_time(mentions, posts)
    starts = set(timeline["window_start"])
    assert ts("2024-05-01") not in starts
    assert timeline.attrs["windows"][2] == ("2024-05-01T00:00:00Z", "2024-06-01T00:00:00Z")
    assert timeline.attrs["empty_windows"] == [("2024-05-01T00:00:00Z", "2024-06-01T00:00:00Z")]
    summary = window_summary(graphs_over_time(mentions, posts))
    assert summary["posts"].tolist() == [2, 2, 0, 3]
    assert summary["edges"].tolist() == [3, 3, 0, 2]
    assert summary["countries"].tolist() == [3, 2, 0, 1]


def test_columns_order_and_types(posts, mentions):
    timeline = centrality_over_time(mentions, posts)
    assert list(timeline.columns) == TIMELINE_COLUMNS
    assert str(timeline["window_start"].dtype) == "datetime64[ns, UTC]"
    assert str(timeline["window_end"].dtype) == "datetime64[ns, UTC]"
    assert timeline["rank"].dtype == "int64"
    assert sorted(timeline["metric"].unique()) == sorted(DEFAULT_METRICS)
    key = ["window_start", "window_end", "metric", "kind", "rank", "node"]
    assert timeline.equals(timeline.sort_values(key, kind="mergesort").reset_index(drop=True))


def test_rank_ties_share_the_minimum_rank():
    # One post names CN, RU and BRICS; another CN, RU, SCO; a third IN, SCO.
    posts = pd.DataFrame(
        {
            "post_id": ["a", "b", "c"],
            "date_source": "metadata",
            "date": pd.to_datetime(["2024-04-02", "2024-04-03", "2024-04-04"], utc=True),
        }
    )
    mentions = pd.DataFrame(
        {
            "post_id": list("aaabbbcc"),
            "kind": ["country", "country", "forum"] * 2 + ["country", "forum"],
            "entity": ["CN", "RU", "BRICS", "CN", "RU", "SCO", "IN", "SCO"],
        }
    )
    timeline = centrality_over_time(mentions, posts, metrics=["strength"])
    got = dict(zip(timeline["node"], timeline["rank"]))
    assert got == {"country:CN": 1, "country:RU": 1, "country:IN": 3, "forum:SCO": 1, "forum:BRICS": 2}


def test_same_input_same_output_and_inputs_untouched(posts, mentions):
    before_posts, before_mentions = posts.copy(), mentions.copy()
    first = centrality_over_time(mentions, posts, seed=3)
    second = centrality_over_time(mentions.sample(frac=1, random_state=1), posts.sample(frac=1, random_state=2), seed=3)
    pd.testing.assert_frame_equal(first, second)
    pd.testing.assert_frame_equal(posts, before_posts)
    pd.testing.assert_frame_equal(mentions, before_mentions)


def test_unknown_metric_is_a_config_error(posts, mentions):
    with pytest.raises(ConfigError, match="unknown metric"):
        centrality_over_time(mentions, posts, metrics=["community"])


def test_no_dated_posts_gives_an_empty_timeline(mentions, posts):
    undated = posts.assign(date=pd.NaT)
    timeline = centrality_over_time(mentions, undated)
    assert timeline.empty and list(timeline.columns) == TIMELINE_COLUMNS
    assert timeline.attrs["undated_posts"] == len(posts)
    assert timeline.attrs["windows"] == []


def test_exclude_and_unit_are_passed_to_each_window(posts, mentions):
    graphs = graphs_over_time(mentions, posts, exclude=["BRICS"])
    assert all("forum:BRICS" not in G for _, _, G in graphs)
    assert all(G.graph["unit"] == "post" for _, _, G in graphs)


def test_sample_monthly_windows_cover_april_to_october():
    pytest.importorskip("netanalysis.ingest.text")
    extract = pytest.importorskip("netanalysis.extract")
    registry = pytest.importorskip("netanalysis.registry")
    import netanalysis

    sample = Path(__file__).parents[1] / "examples" / "mfa_channel_sample.txt"
    posts = netanalysis.read_posts(sample)
    mentions = extract.extract_mentions(posts, registry.load_registry())
    graphs = graphs_over_time(mentions, posts)
    assert graphs[0][0] == ts("2024-04-01")
    assert graphs[-1][1] == ts("2024-11-01")
    assert len(graphs) == 7
    assert isinstance(graphs[0][2], nx.Graph)


def test_worker_processes_give_the_same_timeline(posts, mentions):
    graphs = graphs_over_time(mentions, posts, freq="week")
    pd.testing.assert_frame_equal(timeline_table(graphs, jobs=2, seed=5), timeline_table(graphs, seed=5))


def test_mentions_of_unknown_posts_are_counted(posts, mentions, caplog):
    extra = pd.concat(
        [mentions, pd.DataFrame({"post_id": ["zz", "zz"], "kind": ["country", "forum"], "entity": ["FR", "UN"]})],
        ignore_index=True,
    )
    with caplog.at_level(logging.WARNING, logger="netanalysis.analysis.timeline"):
        graphs = graphs_over_time(extra, posts)
    assert graphs.attrs["unmatched_mentions"] == 2
    assert all("country:FR" not in G for _, _, G in graphs)
    assert "2 mention(s) name a post_id missing" in caplog.text


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.datetimes(
            min_value=datetime(2000, 1, 1),
            max_value=datetime(2030, 12, 31),
            timezones=st.sampled_from([UTC_ZONE, timezone(timedelta(hours=3)), timezone(timedelta(hours=-5))]),
        ),
        min_size=1,
        max_size=20,
    ),
    st.sampled_from(
        [
            dict(freq="week"),
            dict(freq="month"),
            dict(freq="quarter"),
            dict(freq="year"),
            dict(window="3M", step="1M"),
            dict(step="2W"),
            dict(cumulative=True),
        ]
    ),
)
def test_windows_cover_every_date_and_are_aligned(dates, options):
    stamps = pd.to_datetime(pd.Series(dates), utc=True)
    windows = time_windows(stamps, **options)
    for d in stamps:
        hits = sum(a <= d < b for a, b in windows)
        assert hits >= 1
        if "freq" in options:
            assert hits == 1  # back-to-back windows: exactly one
    for a, b in windows:
        assert a.tzinfo is not None and a.utcoffset() == timedelta(0) and a < b
        assert a == a.normalize()
    if options.get("freq") == "week" or options.get("step") == "2W":
        assert all(a.weekday() == 0 for a, _ in windows)
    if options.get("freq") in ("month", "quarter", "year"):
        assert all(a.day == 1 for a, _ in windows)
    ends = [b for _, b in windows]
    assert ends == sorted(set(ends))
