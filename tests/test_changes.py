"""Changes between windows: value and rank changes, edge churn, neighbourhood similarity."""

from __future__ import annotations

import math

import networkx as nx
import pandas as pd
import pytest

from netanalysis.analysis.changes import (
    CHANGE_COLUMNS,
    changes_table,
    edge_churn,
    neighbourhood_similarity,
)
from netanalysis.analysis.timeline import graphs_over_time, timeline_table

# April: CN-BRICS x2, CN-SCO, RU-SCO.  May: CN-BRICS, CN-UN x3, RU-BRICS x5.
# June: no posts.  July: CN-SCO.
POSTS = [
    ("a1", "2024-04-02", ["CN"], ["BRICS"]),
    ("a2", "2024-04-03", ["CN"], ["BRICS"]),
    ("a3", "2024-04-04", ["CN"], ["SCO"]),
    ("a4", "2024-04-05", ["RU"], ["SCO"]),
    ("b1", "2024-05-02", ["CN"], ["BRICS"]),
    *[(f"b{i}", "2024-05-03", ["CN"], ["UN"]) for i in (2, 3, 4)],
    *[(f"r{i}", "2024-05-04", ["RU"], ["BRICS"]) for i in range(5)],
    ("c1", "2024-07-09", ["CN"], ["SCO"]),
]


def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    posts = pd.DataFrame(
        {
            "post_id": [p for p, *_ in POSTS],
            "date_source": "text",
            "date": pd.to_datetime([d for _, d, *_ in POSTS], utc=True),
        }
    )
    rows = [(p, "country", c) for p, _, cs, _ in POSTS for c in cs]
    rows += [(p, "forum", f) for p, _, _, fs in POSTS for f in fs]
    return posts, pd.DataFrame(rows, columns=["post_id", "kind", "entity"])


@pytest.fixture(scope="module")
def changes() -> pd.DataFrame:
    posts, mentions = frames()
    graphs = graphs_over_time(mentions, posts)
    return changes_table(timeline_table(graphs, metrics=["strength", "degree"]), graphs)


def row(changes: pd.DataFrame, month: str, node: str, metric: str = "strength") -> pd.Series:
    start = pd.Timestamp(f"2024-{month}-01", tz="UTC")
    hit = changes[(changes["window_start"] == start) & (changes["node"] == node) & (changes["metric"] == metric)]
    assert len(hit) == 1, (month, node, metric)
    return hit.iloc[0]


def test_columns(changes):
    assert list(changes.columns) == CHANGE_COLUMNS
    assert sorted(changes["metric"].unique()) == ["degree", "strength"]


def test_first_window_has_no_changes(changes):
    first = changes[changes["window_start"] == pd.Timestamp("2024-04-01", tz="UTC")]
    assert set(first["node"]) == {"country:CN", "country:RU", "forum:BRICS", "forum:SCO"}
    for col in ("value_change", "rank_change", "edges_gained", "edges_lost", "edges_kept", "neighbourhood_similarity"):
        assert first[col].isna().all(), col


def test_churn_and_cosine_by_hand(changes):
    cn = row(changes, "05", "country:CN")
    # April {BRICS: 2, SCO: 1} -> May {BRICS: 1, UN: 3}
    assert (cn["edges_gained"], cn["edges_lost"], cn["edges_kept"]) == (1, 1, 1)
    assert cn["neighbourhood_similarity"] == pytest.approx(2 / (math.sqrt(5) * math.sqrt(10)))
    assert cn["value"] == 4.0 and cn["value_change"] == 1.0
    brics = row(changes, "05", "forum:BRICS")
    # April {CN: 2} -> May {CN: 1, RU: 5}
    assert (brics["edges_gained"], brics["edges_lost"], brics["edges_kept"]) == (1, 0, 1)
    assert brics["neighbourhood_similarity"] == pytest.approx(2 / (2 * math.sqrt(26)))
    ru = row(changes, "05", "country:RU")
    assert ru["neighbourhood_similarity"] == 0.0  # SCO then, BRICS now: orthogonal


def test_rank_change_is_positive_when_moving_up(changes):
    # strength: April CN 3 > RU 1; May RU 5 > CN 4.
    assert row(changes, "05", "country:RU")["rank_change"] == 1
    assert row(changes, "05", "country:CN")["rank_change"] == -1
    assert row(changes, "05", "country:RU")["rank"] == 1


def test_node_that_vanishes_and_node_that_appears(changes):
    sco = row(changes, "05", "forum:SCO")
    assert not sco["present"]
    assert pd.isna(sco["value"]) and pd.isna(sco["rank"]) and pd.isna(sco["rank_change"])
    assert sco["value_change"] == -2.0
    assert (sco["edges_gained"], sco["edges_lost"], sco["edges_kept"]) == (0, 2, 0)
    assert pd.isna(sco["neighbourhood_similarity"])
    un = row(changes, "05", "forum:UN")
    assert un["present"] and un["value_change"] == 3.0 and pd.isna(un["rank_change"])
    assert (un["edges_gained"], un["edges_lost"]) == (1, 0)
    assert pd.isna(un["neighbourhood_similarity"])


def test_empty_window_loses_every_edge(changes):
    june = changes[changes["window_start"] == pd.Timestamp("2024-06-01", tz="UTC")]
    assert set(june["node"]) == {"country:CN", "country:RU", "forum:BRICS", "forum:UN"}
    assert not june["present"].any()
    strength = june[june["metric"] == "strength"].set_index("node")
    assert strength["edges_lost"].to_dict() == {"country:CN": 2, "country:RU": 1, "forum:BRICS": 2, "forum:UN": 1}
    assert (strength["edges_gained"] == 0).all() and (strength["edges_kept"] == 0).all()
    assert strength["value_change"].to_dict() == {
        "country:CN": -4.0,
        "country:RU": -5.0,
        "forum:BRICS": -6.0,
        "forum:UN": -3.0,
    }


def test_reappearing_node_and_first_last_window(changes):
    cn = row(changes, "07", "country:CN")
    assert cn["present"] and (cn["edges_gained"], cn["edges_lost"]) == (1, 0)
    sco = row(changes, "07", "forum:SCO")
    assert sco["first_window"] == pd.Timestamp("2024-04-01", tz="UTC")
    assert sco["last_window"] == pd.Timestamp("2024-07-01", tz="UTC")
    un = row(changes, "06", "forum:UN")
    assert un["first_window"] == un["last_window"] == pd.Timestamp("2024-05-01", tz="UTC")
    # Nodes absent from both July and June have no July row.
    july = changes[changes["window_start"] == pd.Timestamp("2024-07-01", tz="UTC")]
    assert set(july["node"]) == {"country:CN", "forum:SCO"}


def test_churn_repeats_on_every_metric_row(changes):
    cols = ["edges_gained", "edges_lost", "edges_kept", "neighbourhood_similarity"]
    a = row(changes, "05", "forum:BRICS", "strength")[cols]
    b = row(changes, "05", "forum:BRICS", "degree")[cols]
    assert a.equals(b)


def test_rows_are_sorted_absent_last(changes):
    may = changes[
        (changes["window_start"] == pd.Timestamp("2024-05-01", tz="UTC"))
        & (changes["metric"] == "strength")
        & (changes["kind"] == "forum")
    ]
    assert may["node"].tolist() == ["forum:BRICS", "forum:UN", "forum:SCO"]


def test_helpers_by_hand():
    before = nx.Graph([("x", "p", {"weight": 3}), ("x", "q", {"weight": 4})])
    after = nx.Graph([("x", "p", {"weight": 1})])
    assert neighbourhood_similarity(before, after, "x") == pytest.approx(3 / 5)
    assert math.isnan(neighbourhood_similarity(before, nx.Graph(), "x"))
    assert edge_churn(before, after, "x") == (0, 1, 1)
    assert edge_churn(nx.Graph(), after, "x") == (1, 0, 0)


def test_no_windows_gives_an_empty_table():
    empty = pd.DataFrame(columns=["window_start", "window_end", "node", "kind", "metric", "value", "rank"])
    out = changes_table(empty, [])
    assert out.empty and list(out.columns) == CHANGE_COLUMNS


def test_cumulative_windows_are_told_apart_by_their_end():
    posts, mentions = frames()
    graphs = graphs_over_time(mentions, posts, cumulative=True)
    timeline = timeline_table(graphs, metrics=["strength"])
    assert timeline.groupby(["window_start", "window_end"]).ngroups == 4  # none is empty
    changes = changes_table(timeline, graphs)
    may = changes[changes["window_end"] == pd.Timestamp("2024-06-01", tz="UTC")].set_index("node")
    # Cumulative April+May: CN-BRICS 3, CN-SCO 1, CN-UN 3 -> strength 7 (April: 3).
    assert may.loc["country:CN", "value"] == 7.0 and may.loc["country:CN", "value_change"] == 4.0
    assert may.loc["forum:SCO", "present"] and may.loc["forum:SCO", "edges_lost"] == 0
    # Windows are named by their end: UN first appears in the window ending on 1 June.
    assert may.loc["forum:UN", "first_window"] == pd.Timestamp("2024-06-01", tz="UTC")
    assert may.loc["forum:UN", "last_window"] == pd.Timestamp("2024-08-01", tz="UTC")
