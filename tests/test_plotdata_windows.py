"""The numbers behind the time figures and the overlay: window sizes, which windows to draw and
whom to name in them, the nodes' dates, the heatmap's dominant entities."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from netanalysis.analysis.plotdata import (
    heatmap_matrix,
    node_dates,
    window_changes,
    window_labels,
    window_sizes,
    windows_to_draw,
)
from netanalysis.graph import Batch


def graph(edges: dict[tuple[str, str], float]) -> nx.Graph:
    G = nx.Graph()
    for (u, v), w in edges.items():
        G.add_node(u, bipartite=int(u.startswith("forum")))
        G.add_node(v, bipartite=int(v.startswith("forum")))
        G.add_edge(u, v, weight=w)
    return G


def test_window_sizes_from_the_windows_table_keep_its_flag():
    table = pd.DataFrame(
        {
            "window_start": ["2024-04-01T00:00:00Z", "2024-05-01T00:00:00Z"],
            "window_end": ["2024-05-01T00:00:00Z", "2024-06-01T00:00:00Z"],
            "posts": [3, 40],
            "small": ["True", "False"],  # as read back from windows.csv
        }
    )
    sizes = window_sizes(table)
    assert sizes["posts"].tolist() == [3, 40] and sizes["small"].tolist() == [True, False]
    assert window_sizes(table, min_posts=2)["small"].tolist() == [False, False]
    assert str(sizes["window_start"].dt.tz) == "UTC"


def test_window_sizes_from_graphs():
    a, b = nx.Graph(), graph({("country:CN", "forum:UN"): 1})
    a.graph["posts"] = 25
    b.edges["country:CN", "forum:UN"]["post_ids"] = ["p1", "p2"]
    sizes = window_sizes([("2024-04-01", "2024-05-01", a), ("2024-05-01", "2024-06-01", b)])
    assert sizes["posts"].tolist() == [25, 2] and sizes["small"].tolist() == [False, True]
    assert sizes.attrs["min_posts"] == 20


def test_windows_to_draw_pick_the_largest_changes_and_skip_small_windows():
    steady = {("country:CN", "forum:UN"): 5, ("country:IN", "forum:UN"): 5}
    shifted = {("country:CN", "forum:BRICS"): 5, ("country:IN", "forum:UN"): 5}
    seq = [steady, steady, shifted, shifted, steady, steady, shifted, steady]
    windows = [(i, i + 1, graph(e)) for i, e in enumerate(seq)]
    change = window_changes(windows)
    assert np.isnan(change[0]) and change[1] == 0 and change[2] > 0.5 and change[3] == 0
    assert windows_to_draw(windows, 8) == list(range(8))
    assert windows_to_draw(windows, 4) == [0, 2, 4, 6]  # the first, then the earliest big changes
    sizes = pd.DataFrame({"small": [False, False, True, False, False, False, False, False]})
    assert windows_to_draw(windows, 4, sizes=sizes) == [0, 4, 6, 7]  # window 2 is small: changes there are noise
    with pytest.raises(Exception, match="at least one"):
        windows_to_draw(windows, 0)


def test_window_labels_name_the_top_and_the_movers():
    a = graph({("country:CN", "forum:UN"): 8, ("country:IN", "forum:UN"): 1, ("country:BR", "forum:UN"): 1})
    b = graph({("country:CN", "forum:UN"): 8, ("country:IN", "forum:UN"): 6, ("country:BR", "forum:UN"): 1})
    first, second = window_labels([(0, 1, a), (1, 2, b)], top=2, movers=1)
    assert first == {"forum:UN": "top", "country:CN": "top"}
    # India's share rose from 1/10 to 6/15: the mover of the second window
    assert second == {"forum:UN": "top", "country:CN": "top", "country:IN": "up"}


def test_node_dates_by_hand_and_from_a_coded_corpus():
    dates = pd.to_datetime(["2024-01-01", "2024-01-05", "2024-03-01", None], utc=True)
    links = pd.DataFrame(
        {
            "post_id": ["p1", "p1", "p2", "p3", "p3", "p4"],
            "kind": ["country", "country", "country", "country", "forum", "forum"],
            "entity": ["CN", "CN", "CN", "IN", "UN", "UN"],
            "date": [dates[0], dates[0], dates[1], dates[2], dates[2], dates[3]],
        }
    )
    table = node_dates(links, nodes=["country:CN", "country:IN", "forum:UN", "forum:SCO"]).set_index("node")
    assert table.loc["country:CN", "mean_date"] == pd.Timestamp("2024-01-03", tz="UTC")  # p1 counted once
    assert table.loc["country:CN", "first_date"] == dates[0] and table.loc["country:CN", "last_date"] == dates[1]
    assert table.loc["country:CN", "dated_posts"] == 2
    assert table.loc["forum:UN", "mean_date"] == dates[2] and table.loc["forum:UN", "undated_posts"] == 1
    assert pd.isna(table.loc["forum:SCO", "mean_date"]) and table.loc["forum:SCO", "dated_posts"] == 0
    entities = (("country", "CN"), ("country", "IN"), ("forum", "UN"))
    micros = [int(d.value // 1000) if pd.notna(d) else -(2**63) for d in dates]
    batch = Batch(
        post_ids=pa.array(["p1", "p2", "p3", "p4"]),
        dates=np.array(micros, dtype=np.int64),
        start=np.array([0, 2, 3, 5, 6]),
        entity=np.array([0, 0, 0, 1, 2, 2], dtype=np.int16),
        entities=entities,
    )
    coded = node_dates(batch, nodes=table.index).set_index("node")
    pd.testing.assert_frame_equal(coded, table)
    # entities in any order, one never linked: the same table
    shuffled = (("forum", "UN"), ("country", "ZZ"), ("country", "IN"), ("country", "CN"))
    recoded = np.array([3, 2, 0], dtype=np.int16)[batch.entity]  # (CN, IN, UN to their new places)
    again = Batch(post_ids=batch.post_ids, dates=batch.dates, start=batch.start, entity=recoded, entities=shuffled)
    pd.testing.assert_frame_equal(node_dates(again, nodes=table.index).set_index("node"), table)
    pd.testing.assert_frame_equal(node_dates(again), node_dates(links))


@pytest.mark.parametrize("undated_share", [0.0, 0.2])
@pytest.mark.parametrize("chunk", [1, 3, 1_000_000])
def test_node_dates_of_a_corpus_a_chunk_of_posts_at_a_time_are_the_tables(chunk, undated_share, monkeypatch):
    from netanalysis.analysis import link_sums
    from netanalysis.analysis.plotdata import dates
    from netanalysis.graph.link_starts import starts_of

    monkeypatch.setattr(link_sums, "PAIR_CHUNK", chunk)
    monkeypatch.setattr(dates, "DATE_RUN", chunk)  # (runs of one post at 1 and 3 links)
    rng = np.random.default_rng(5)
    entities = (("forum", "UN"), ("country", "CN"), ("country", "ZZ"), ("forum", "SCO"), ("country", "IN"))
    post = np.sort(rng.integers(0, 30, 120)).astype(np.int32)
    entity = rng.choice([0, 1, 3, 4], 120).astype(np.int16)  # (ZZ never linked)
    micros = rng.integers(1_700_000_000_000_000, 1_760_000_000_000_000, 30)
    micros[rng.random(30) < undated_share] = -(2**63)  # undated posts (none: every link's date used as it is)
    batch = Batch(
        post_ids=pa.array([f"p{i}" for i in range(30)]),
        dates=micros,
        start=starts_of(post, 30),
        entity=entity,
        entities=entities,
    )
    ids = np.array([f"p{i}" for i in range(30)])
    stamps = pd.to_datetime(np.where(micros == -(2**63), 0, micros), unit="us", utc=True).where(micros != -(2**63))
    links = pd.DataFrame(
        {
            "post_id": ids[post],
            "node": [f"{entities[e][0]}:{entities[e][1]}" for e in entity],
            "date": stamps[post],
        }
    )
    pd.testing.assert_frame_equal(node_dates(batch), node_dates(links))
    # and by hand: each node's distinct posts, their dates counted, averaged, first and last
    distinct = links.drop_duplicates(["post_id", "node"])
    dated = distinct[distinct["date"].notna()].groupby("node")["date"]
    table = node_dates(batch).set_index("node")
    assert table["dated_posts"].to_dict() == {n: int(dated.size().get(n, 0)) for n in table.index}
    undated = distinct[distinct["date"].isna()].groupby("node").size()
    assert table["undated_posts"].to_dict() == {n: int(undated.get(n, 0)) for n in table.index}
    for name, got in table.iterrows():
        if name not in dated.groups:
            assert pd.isna(got["mean_date"]) and pd.isna(got["first_date"])
            continue
        assert got["first_date"] == dated.min()[name] and got["last_date"] == dated.max()[name]
        assert abs(got["mean_date"] - dated.mean()[name]) <= pd.Timedelta(microseconds=1)
    # the mean to the microsecond of one weighted bincount over every dated link in order, as the
    # figures were drawn from before the sums went a chunk at a time
    keep = distinct["date"].notna().to_numpy()
    when = micros[post][distinct.index.to_numpy()][keep]
    node = distinct["node"].to_numpy()[keep]
    names, code = np.unique(node, return_inverse=True)
    base = float(when.min()) if len(when) else 0.0
    sums = np.bincount(code, weights=when.astype(np.float64) - base, minlength=len(names))
    means = np.round(sums / np.bincount(code, minlength=len(names)) + base).astype(np.int64)
    expected = dict(zip(names, pd.to_datetime(means, unit="us", utc=True)))
    assert table["mean_date"].dropna().to_dict() == expected


def test_heatmap_matrix_names_the_dominant_country_and_forum():
    G = graph({("country:RU", "forum:UN"): 30, ("country:CN", "forum:UN"): 5, ("country:CN", "forum:BRICS"): 5})
    matrix = heatmap_matrix(G, max_rows=1)
    assert matrix.attrs["dominant_row"] == ("country:RU", "RU", 0.75)
    assert matrix.attrs["dominant_col"] == ("forum:UN", "UN", pytest.approx(35 / 40))
