"""The explorer's budget of embedded posts: exact counts past it, and a run that reads back only
the texts and offsets of the posts its page embeds."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netanalysis import pipeline
from netanalysis.config import Settings
from netanalysis.model import NO_DATE
from netanalysis.pipeline import explorer_inputs as inputs_module
from netanalysis.render import explorer_evidence, explorer_texts

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "mfa_channel_sample.txt"


def _data(page: Path) -> dict:
    m = re.search(r'<script type="application/json" id="na-data">(.*?)</script>', page.read_text("utf-8"), re.S)
    assert m
    return json.loads(m[1])


@pytest.fixture(scope="module")
def whole(tmp_path_factory):
    out = tmp_path_factory.mktemp("whole")
    pipeline.run("explore", [SAMPLE], out, Settings())
    return out


@pytest.fixture(scope="module")
def cut(tmp_path_factory):
    out = tmp_path_factory.mktemp("cut")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(explorer_evidence, "MAX_POSTS", 11)
        read: list[tuple[str, int]] = []
        original = inputs_module._rows

        def spy(path, columns, ids, safe, parts=None):
            frame = original(path, columns, ids, safe, parts)
            read.append((Path(path).name, frame["post_id"].nunique()))
            return frame

        mp.setattr(inputs_module, "_rows", spy)
        pipeline.run("explore", [SAMPLE], out, Settings())
    return out, read


def test_past_the_budget_counts_stay_exact(whole, cut):
    full, small = _data(whole / "network.html"), _data(cut[0] / "network.html")
    assert small["meta"]["kept"] is not None and 0 < len(small["posts"]["id"]) <= 11
    assert len(full["posts"]["id"]) > 11 and full["meta"]["kept"] is None
    for a, b in zip(full["edges"], small["edges"]):
        assert (a["id"], a["n"], a["h"]) == (b["id"], b["n"], b["h"])
    for a, b in zip(full["nodes"], small["nodes"]):  # a node counts all its posts, not the embedded
        assert (a["id"], a["n"], a["h"]) == (b["id"], b["n"], b["h"])


def test_only_the_embedded_posts_are_read_back_and_shown_whole(whole, cut):
    out, read = cut
    small = _data(out / "network.html")
    embedded = small["posts"]["id"]
    assert sorted(read) == [("mentions.csv", len(embedded)), ("posts.csv", len(embedded))]
    posts = pd.read_csv(out / "posts.csv", dtype=str, keep_default_na=False).set_index("post_id")
    full = _data(whole / "network.html")
    for i, pid in enumerate(embedded):
        shown, whole_text = small["posts"]["t"][i], posts.loc[pid, "text"]
        cut_at = explorer_evidence.TEXT_CHARS
        assert shown == (whole_text if len(whole_text) <= cut_at else whole_text[:cut_at] + "…")
        j = full["posts"]["id"].index(pid)  # the same words highlighted as on the uncut page
        assert small["posts"]["m"][i] == full["posts"]["m"][j]
    assert any(small["posts"]["m"])


def test_the_rows_are_read_a_block_at_a_time(tmp_path, monkeypatch):
    monkeypatch.setattr(inputs_module, "READ_BLOCK", 16)  # a few rows a block
    path = tmp_path / "posts.csv"
    rows = "a,x\n'=b,y\nc,\"two\nlines\"\nd,w\ne,'+v\n" * 3
    path.write_text("post_id,text\n" + rows + "f,\n", encoding="utf-8")
    frame = inputs_module._rows(path, ["post_id", "text"], {"=b", "e", "c", "f"}, safe=True)
    assert frame.values.tolist() == [["=b", "y"], ["c", "two\nlines"], ["e", "+v"]] * 3 + [["f", ""]]
    assert inputs_module._rows(path, ["post_id", "text"], {"=b"}, safe=False).empty  # as written: '=b
    assert inputs_module._rows(path, ["post_id", "text"], set(), safe=True).empty


def _largest_k_by_unions(edges, budget):
    """The budget's k found as before: a binary search over k, each step a union of arrays."""
    lo, hi = 0, max((len(e) for e in edges), default=0)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        size = len(np.unique(np.concatenate([e[:mid] for e in edges])))
        lo, hi = (mid, hi) if size <= budget else (lo, mid - 1)
    return lo


@settings(max_examples=400, deadline=None)
@given(
    st.integers(1, 30).flatmap(
        lambda n: st.tuples(
            st.lists(st.permutations(range(n)).flatmap(lambda p: st.integers(0, n).map(lambda k: p[:k])), max_size=6),
            st.integers(0, n + 2),
        )
    )
)
def test_the_budgets_k_is_the_one_unions_give(case):
    from netanalysis.render.explorer_evidence import _largest_k

    edges, budget = case
    edges = [np.asarray(e, dtype=np.int64) for e in edges]
    assert _largest_k(edges, budget) == _largest_k_by_unions(edges, budget)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(0, 50), max_size=8), max_size=5))
def test_distinct_codes_are_numpys_unique(arrays):
    from netanalysis.render.explorer_evidence import distinct_codes

    arrays = [np.asarray(a, dtype=np.int64) for a in arrays]
    expected = np.unique(np.concatenate(arrays)) if arrays else np.zeros(0, dtype=np.int64)
    got = distinct_codes(arrays)
    assert got.tolist() == expected.tolist() and got.dtype == np.int64
    streamed = distinct_codes((a for a in arrays), size=51)  # (read once, a bound given)
    assert streamed.tolist() == expected.tolist() and streamed.dtype == np.int64


@pytest.mark.parametrize("offsets", ["text", "number"])
def test_marks_keep_only_whole_known_offsets_inside_the_shown_text(offsets):
    """Hand-checked marks: a row is kept when its node is on the page and ``0 <= start < end <=``
    the shown text's length; offsets count UTF-16 units (a flag emoji before shifts by two),
    repeats go, and the rows left over (no offset, unknown node, empty or reversed span, past
    the cut, another post) give nothing."""
    table = explorer_evidence.post_table(
        [{"post_ids": ["a", "b"]}], pd.DataFrame({"post_id": ["a", "b"], "date": pd.to_datetime([1, 2], utc=True)})
    )
    posts = pd.DataFrame(
        {"post_id": ["a", "b"], "channel": ["MFA", "MFA"], "text": ["Russia and China", "🇷🇺 Russia at the UN"]}
    )
    rows = [
        ("a", "country", "RU", 0, 6),  # kept
        ("a", "country", "CN", 11, 16),  # kept
        ("a", "country", "CN", 11, 16),  # a repeat
        ("a", "forum", "BRICS", 0, 3),  # no such node
        ("a", "country", "RU", 6, 6),  # empty
        ("a", "country", "RU", 9, 4),  # reversed
        ("a", "country", "RU", 12, 17),  # past the text
        ("a", "country", "RU", None, 5),  # no start
        ("b", "country", "RU", 3, 9),  # after a flag: 5, 11 in UTF-16 units
        ("b", "forum", "UN", 17, 19),  # past the cut (16 characters shown)
        ("b", "country", "RU", 0, 2),  # the flag itself (two characters here, four units there)
        ("c", "country", "RU", 0, 6),  # a post not embedded
    ]
    mentions = pd.DataFrame(rows, columns=["post_id", "kind", "entity", "start", "end"])
    if offsets == "text":  # as read back from mentions.csv
        mentions[["start", "end"]] = mentions[["start", "end"]].astype("str").replace("nan", "")
    nodes = {"country:RU": 0, "country:CN": 1, "forum:UN": 2}
    out = explorer_texts.texts_and_marks(table, posts, mentions, nodes, text_chars=16)
    assert out["id"] == ["a", "b"]
    assert out["t"] == ["Russia and China", "🇷🇺 Russia at the…"]
    assert out["m"] == [[0, 6, 0, 11, 16, 1], [0, 4, 0, 5, 11, 0]]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(-3, 40), max_size=60), st.booleans())
def test_day_counts_are_those_of_np_unique(days, in_order):
    """Counts by day read from runs (posts in day order) or by sorting: as ``np.unique`` counts them."""
    days_array = np.array(sorted(days) if in_order else days, dtype=np.int64)
    indices = np.arange(len(days_array))
    found, counts = np.unique(days_array, return_counts=True)
    expected = np.column_stack([found, counts]).astype(np.int64) if len(days_array) else np.zeros((0, 2), np.int64)
    got = explorer_evidence.day_counts(indices, days_array)
    assert got.dtype == np.int64 and got.tolist() == expected.tolist()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 12), max_size=60), st.integers(0, 5), st.data())
def test_day_runs_count_as_day_counts_does(dated, undated, data):
    """Counts by runs of days (sorted indices, or a mask of posts), as :func:`day_counts` counts
    the same posts' days: dated days ascending, undated (-1) last in the table, first in the rows."""
    days = np.array(sorted(dated) + [-1] * undated, dtype=np.int64)
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=len(days), max_size=len(days))), dtype=bool)
    indices = np.flatnonzero(mask)
    expected = explorer_evidence.day_counts(indices, days).tolist()
    runs = explorer_evidence.DayRuns(days)
    by_indices, by_mask = runs.sorted(indices), runs.marked(mask)
    assert by_indices.dtype == by_mask.dtype == np.int32  # (the days and counts fit)
    assert by_indices.tolist() == by_mask.tolist() == expected


def test_post_days_from_the_corpus_order_are_those_found_by_id():
    """Days read by place when the posts list their ids as the edges' id table does, and found by
    id otherwise (posts in another order, one missing): the same days, -1 for a post not there."""
    import pyarrow as pa

    from netanalysis.graph.post_ids import PostIdTable

    ids = ["p3", "p1", "p2", "p10"]
    table = PostIdTable(pa.array(ids, type=pa.string()))
    used = np.array([0, 2, 3])
    names = table.ids.take(pa.array(used))
    dates = pd.to_datetime(["2024-01-05", "2024-01-01", None, "2024-02-01"], utc=True)
    posts = pd.DataFrame({"post_id": ids, "date": dates})
    expected = [19727, -1, 19754]
    fast = explorer_evidence._post_days(names, posts, (table.ids, used))
    by_id = explorer_evidence._post_days(names, posts)
    shuffled = explorer_evidence._post_days(names, posts.iloc[[3, 0, 2, 1]], (table.ids, used))
    missing = explorer_evidence._post_days(names, posts.iloc[[0, 1, 2]], (table.ids, used))
    assert fast.tolist() == by_id.tolist() == shuffled.tolist() == expected
    assert missing.tolist() == [19727, -1, -1]
    assert explorer_evidence._same_ids(posts["post_id"], table.ids)
    assert not explorer_evidence._same_ids(posts.iloc[[3, 0, 2, 1]]["post_id"], table.ids)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(-1, 4), st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=4)),
        max_size=30,
    )
)
def test_the_date_order_is_numpys_lexsort_of_the_ids_as_text(rows):
    """Posts put in date order (undated last, then by id) in Arrow, as numpy's lexsort of the ids
    as text did: the same places, non-ASCII and repeated ids (stable) included."""
    import pyarrow as pa

    days = np.array([d for d, _ in rows], dtype=np.int64)
    names = [n for _, n in rows]
    expected = np.lexsort((np.asarray(names, dtype=str), np.where(days < 0, np.iinfo(np.int64).max, days)))
    got = explorer_evidence._date_order(days, pa.array(names, type=pa.string()))
    assert got.tolist() == expected.tolist()


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2), st.integers(0, 11)), min_size=1, max_size=40),
    st.integers(1, 12),
    st.booleans(),
)
def test_node_and_edge_counts_by_day_are_those_counted_by_hand(links, budget, coded):
    """Each node counts each of its posts once a day however many of its edges the post is
    behind, and each edge counts all of its posts, by plain ids or by the corpus's codes (read
    again from the edges when asked for), within the budget of embedded posts or past it."""
    import networkx as nx
    import pyarrow as pa

    from netanalysis.graph import PostIds
    from netanalysis.graph.post_ids import PostIdTable
    from netanalysis.render.explorer_data import explorer_data

    ids = [f"p{i}" for i in range(12)]
    dates = pd.to_datetime([f"2024-01-{1 + i % 4:02d}" for i in range(12)], utc=True)
    posts = pd.DataFrame({"post_id": ids, "date": dates})
    table = PostIdTable(pa.array(ids, type=pa.string()))
    by_edge: dict[tuple[str, str], set[int]] = {}
    for c, f, post in links:
        by_edge.setdefault((f"country:C{c}", f"forum:F{f}"), set()).add(post)
    G = nx.Graph()
    for (u, v), members in by_edge.items():
        G.add_node(u, kind="country", bipartite=0, label=u)
        G.add_node(v, kind="forum", bipartite=1, label=v)
        codes = np.array(sorted(members), dtype=np.int32)[::-1].copy()
        G.add_edge(u, v, weight=len(members), post_ids=PostIds(codes, table) if coded else [ids[i] for i in codes])
    data = explorer_data(G, posts=posts, max_posts=budget)
    first = data["meta"]["first_day"]

    def by_day(members):
        days = pd.Series([(dates[i] - dates.min()).days for i in members]).value_counts().sort_index()
        return [x for d, n in days.items() for x in (int(d + (int(dates.min().timestamp()) // 86400) - first), int(n))]

    for node in data["nodes"]:
        members = set().union(*(m for (u, v), m in by_edge.items() if node["id"] in (u, v)))
        assert node["n"] == len(members) and node["h"] == by_day(members)
    for edge in data["edges"]:
        members = by_edge[(edge["from"], edge["to"])]
        assert edge["n"] == len(members) and edge["h"] == by_day(members)


def test_the_cut_lists_do_not_hold_every_edges_sorted_posts():
    """Past the budget, each edge's earliest posts are copies, not views of its whole sorted
    posts (which, kept until the table is made, took 93 MB at a million benchmark posts)."""
    import tracemalloc

    import pyarrow as pa

    from netanalysis.graph.post_ids import PostIds, PostIdTable

    rng = np.random.default_rng(0)
    n, n_edges, per_edge = 200_000, 120, 100_000
    table = PostIdTable(pa.array([f"p{i}" for i in range(n)], type=pa.string()))
    edges = [
        {"post_ids": PostIds(rng.choice(n, per_edge, replace=False).astype(np.int32), table)} for _ in range(n_edges)
    ]
    tracemalloc.start()
    try:
        result = explorer_evidence.post_table(edges, None, max_posts=100)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.kept is not None and 0 < len(result.ids) <= 100
    assert all(len(e) <= result.kept for e in result.edges)
    every_edges_ranks = n_edges * per_edge * 4  # int32 ranks
    # (measured: 13 MB with copies, 57 MB with views, of 46 MB of ranks)
    assert peak < every_edges_ranks / 2


def _marks_by_hand(texts, rows, nodes, text_chars):
    """Each post's marks as the page's code made them one row at a time: kept when the node is
    on the page and 0 <= start < end <= the shown length, offsets shifted by the characters
    outside the Basic Multilingual Plane before them, then sorted_marks."""
    import bisect

    marks = [[] for _ in texts]
    for post, node, start, end in rows:
        if node not in nodes or not 0 <= start < end <= min(len(texts[post]), text_chars):
            continue
        astral = [i for i, ch in enumerate(texts[post]) if ord(ch) > 0xFFFF]
        marks[post] += [start + bisect.bisect_left(astral, start), end + bisect.bisect_left(astral, end), nodes[node]]
    return [explorer_texts.sorted_marks(m) for m in marks]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(alphabet="ab 🇷🇺\U0001d400é", max_size=12), min_size=1, max_size=5),
    st.lists(
        st.tuples(
            st.integers(0, 4),
            st.sampled_from(["country:RU", "forum:UN", "country:XX"]),
            st.integers(-1, 14),
            st.integers(-1, 14),
        ),
        max_size=25,
    ),
    st.sampled_from([3, 8, 2000]),
)
def test_the_marks_made_at_once_are_those_made_row_by_row(texts, rows, text_chars):
    ids = [f"p{i}" for i in range(len(texts))]
    table = explorer_evidence.post_table(
        [{"post_ids": ids}], pd.DataFrame({"post_id": ids, "date": pd.to_datetime(range(len(ids)), utc=True)})
    )
    assert table.ids == ids
    rows = [(p % len(texts), node, a, b) for p, node, a, b in rows]
    mentions = pd.DataFrame(
        [(ids[p], *node.split(":"), a, b) for p, node, a, b in rows],
        columns=["post_id", "kind", "entity", "start", "end"],
    )
    nodes = {"country:RU": 0, "forum:UN": 1}
    posts = pd.DataFrame({"post_id": ids, "channel": "MFA", "text": texts})
    out = explorer_texts.texts_and_marks(table, posts, mentions, nodes, text_chars=text_chars)
    assert out["m"] == _marks_by_hand(texts, rows, nodes, text_chars)
    assert [list(m) for m in out["m"]] == _marks_by_hand(texts, rows, nodes, text_chars)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 5), st.sampled_from([None, "", "MFA", "Embassy"]), st.sampled_from([None, "", "x", "🇷🇺 y"])
        ),
        max_size=12,
    ),
    st.booleans(),
)
def test_the_embedded_posts_channels_and_texts_are_each_ids_first_row(rows, with_channel):
    # each embedded post is looked up among the posts' rows by id (its first row when it has two;
    # none: no channel and no text), without indexing a copy of the whole frame by id
    ids = [f"p{i}" for i in range(5)]
    table = explorer_evidence.post_table(
        [{"post_ids": ids}], pd.DataFrame({"post_id": ids, "date": pd.to_datetime(range(5), utc=True)})
    )
    posts = pd.DataFrame(
        {"post_id": [f"p{i}" for i, _, _ in rows], "channel": [c for _, c, _ in rows], "text": [t for *_, t in rows]},
        dtype=object,
    )
    if not with_channel:
        posts = posts.drop(columns="channel")
    posts.index = range(100, 100 + len(posts))  # (not a range from 0: the rows are found by place)
    first: dict[str, tuple] = {}
    for pid, channel, text in zip(posts["post_id"], posts.get("channel", [None] * len(posts)), posts["text"]):
        first.setdefault(pid, (channel, text))
    names = sorted({first[p][0] for p in ids if p in first and first[p][0]})  # (of the embedded posts)
    out = explorer_texts.texts_and_marks(table, posts, None, {})
    assert out["channels"] == [""] + names
    assert out["c"] == [names.index(first[p][0]) + 1 if first.get(p, (None,))[0] else 0 for p in ids]
    assert list(out["t"]) == [(first.get(p, (None, None))[1] or "") for p in ids]


_CELLS = st.one_of(
    st.integers(-(2**70), 2**70).map(str),
    st.integers(0, 10**6).map(str),
    st.integers(0, 10**6),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", " 5", "5 ", "+7", "-0", "007", "1e3", "0x10", "0b1", "0o7", "1_000", "nan", "5.0"]),
    st.sampled_from(["٣", "１２", "²"]),  # digits of other scripts
    st.text(max_size=4),
    st.none(),
)


@settings(max_examples=1000, deadline=None)
@given(st.lists(_CELLS, max_size=12), st.sampled_from([object, "str"]))
def test_offsets_are_the_numbers_pandas_reads(cells, dtype):
    """numbers_of (Arrow's parse when every cell is a whole number) gives pd.to_numeric's floats."""
    if dtype == "str":
        cells = [c if c is None else str(c) for c in cells]
    values = pd.Series(cells, dtype=dtype)
    expected = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    np.testing.assert_array_equal(explorer_texts.numbers_of(values), expected)


def test_offsets_written_by_a_run_are_parsed_in_arrow(monkeypatch):
    """The run's offsets (whole numbers as text) do not go through pandas' parse."""

    def refused(*args, **kwargs):
        raise AssertionError("parsed by pandas")

    monkeypatch.setattr(explorer_texts.pd, "to_numeric", refused)
    values = pd.Series(["0", "17", "1024"] * 5, dtype="str")
    assert explorer_texts.numbers_of(values).tolist() == [0.0, 17.0, 1024.0] * 5


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2), st.integers(0, 14)), min_size=1, max_size=40),
    st.lists(st.one_of(st.none(), st.integers(-3, 5)), min_size=15, max_size=15),
    st.permutations(range(15)),
    st.integers(1, 16),
)
def test_the_post_table_is_the_same_by_codes_by_ids_and_from_the_corpus_days(links, day_list, names, budget):
    """The table of posts made from a graph's codes into the corpus's id table (the table taken
    as it is, posts behind no edge ranked last), with the posts' days given as a table or as the
    corpus's ids and days (``PostDays``), is the one made from plain lists of ids: the same posts
    in the same order, days, edges, counts, cut and node counts; undated posts, posts behind no
    edge and ids not in natural order included."""
    import pyarrow as pa

    from netanalysis.graph import PostIds
    from netanalysis.graph.post_ids import PostIdTable

    ids = [f"q{n}" for n in names]  # (their order is not the order of their text)
    micros = np.array(
        [NO_DATE if d is None else d * 86_400_000_000 + 3_600_000_000 * (i % 5) for i, d in enumerate(day_list)],
        dtype=np.int64,
    )
    stamps = pd.to_datetime([None if m == NO_DATE else int(m) for m in micros], unit="us", utc=True)
    frame = pd.DataFrame({"post_id": ids, "date": stamps})
    days = inputs_module.corpus_days(pa.array(ids, type=pa.string()), micros)
    table = PostIdTable(pa.array(ids, type=pa.string()))
    by_edge: dict[tuple[int, int], set[int]] = {}
    for c, f, post in links:
        by_edge.setdefault((c, f), set()).add(post)
    coded = [{"post_ids": PostIds(np.array(sorted(m), dtype=np.int32)[::-1].copy(), table)} for m in by_edge.values()]
    plain = [{"post_ids": [ids[i] for i in sorted(m)]} for m in by_edge.values()]

    def fields(t):
        nodes = [t.node_days(ks).tolist() for ks in ([0], list(range(len(t.edges))), [len(t.edges) - 1])]
        return (
            t.ids,
            t.days.tolist(),
            [e.tolist() for e in t.edges],
            t.totals,
            [d.tolist() for d in t.edge_days],
            t.kept,
            t.dated,
            t.first_day,
            t.all_days.tolist(),
            nodes,
        )

    expected = fields(explorer_evidence.post_table(plain, frame, max_posts=budget))
    assert fields(explorer_evidence.post_table(coded, frame, max_posts=budget)) == expected
    assert fields(explorer_evidence.post_table(coded, days, max_posts=budget)) == expected
    assert fields(explorer_evidence.post_table(plain, days, max_posts=budget)) == expected
    behind = sorted(set().union(*by_edge.values()))
    assert len(expected[8]) == len(behind)  # (all_days: the posts behind an edge, no others)


def test_coded_edges_number_their_posts_in_the_id_table_itself():
    """The ids of a coded graph's posts are the id table's own arrays (no copy of every id)."""
    import pyarrow as pa

    from netanalysis.graph import PostIds
    from netanalysis.graph.post_ids import PostIdTable

    table = PostIdTable(pa.array([f"p{i}" for i in range(10)], type=pa.string()))
    edges = [{"post_ids": PostIds(np.array(codes, dtype=np.int32), table)} for codes in ([3, 1], [4])]
    _, names, source, behind = explorer_evidence._codes(edges)
    assert names is table.pieces[0]  # (the table's one piece itself)
    assert behind.tolist() == [i in (1, 3, 4) for i in range(10)]
    # a run's numbered ids: the same object, made strings only a block at a time later
    from netanalysis.graph.numbered_ids import NumberedIds, numbered

    numbered_table = PostIdTable(numbered(pa.array([f"p{i}" for i in range(100)], type=pa.string())))
    assert isinstance(numbered_table.pieces[0], NumberedIds)
    edges = [{"post_ids": PostIds(np.array(codes, dtype=np.int32), numbered_table)} for codes in ([3, 1], [4])]
    _, names, source, _ = explorer_evidence._codes(edges)
    assert names is numbered_table.pieces[0] and source[0] is names
    # pieces (ids of a graph counted without its corpus kept): Arrow's chunks, not copied
    pieces = [pa.array([f"p{i}" for i in range(5)]), pa.array([f"p{i}" for i in range(5, 10)])]
    chunked = PostIdTable(pieces)
    edges = [{"post_ids": PostIds(np.array([1, 7], dtype=np.int32), chunked)}]
    _, names, _, _ = explorer_evidence._codes(edges)
    assert [c.buffers()[2].address for c in names.chunks] == [p.buffers()[2].address for p in pieces]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.just(NO_DATE), st.integers(-(10**17), 10**17)), max_size=40), st.booleans())
def test_post_days_from_microseconds_are_numpys_days(micros, kept):
    """The explorer's days of the corpus's posts, made from their microseconds or taken from the
    days the run keeps for the ties, are numpy's ``datetime64[D]`` of the ``datetime64[us]``
    (rounded down before 1970), -1 for an undated post."""
    import pyarrow as pa

    from netanalysis.graph.membership import post_days

    values = np.array(micros, dtype=np.int64)
    expected = values.astype("datetime64[us]").astype("datetime64[D]").astype(np.int64)
    expected[values == NO_DATE] = -1
    known = post_days(values) if kept else None
    got = inputs_module.corpus_days(pa.array([str(i) for i in range(len(values))]), values, known)
    assert got.days.dtype.kind == "i" and got.days.tolist() == expected.tolist()
