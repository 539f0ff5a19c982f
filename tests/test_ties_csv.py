"""ties.csv from ties as codes: the same bytes as each tie's row written cell by cell (with
:func:`quote`, the format of every CSV cell netanalysis writes), and the same tallies by forum,
year and status as counting those rows."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netanalysis.graph.membership import UNDATED, StatusLookup, tie_blocks
from netanalysis.graph.post_ids import PostIds, PostIdTable
from netanalysis.io.csv import quote, quote_column
from netanalysis.io.ties_csv import COLUMNS, write_ties_csv
from netanalysis.pipeline.ties import Tally
from netanalysis.registry import load_memberships

MEMBERSHIPS = load_memberships()
# characters that CSV quotes, that make a cell spreadsheet-risky, and plain ones
CELL = st.text(alphabet=[",", '"', "\n", "\r", "=", "+", "-", "@", "\t", "'", "a", "7", "é", "\U0001f1f7"], max_size=6)
COUNTRIES = ["FI", "SE", "IR", "=X,Y"]  # (the last: a label to quote and make safe)
FORUMS = ["NATO", "BRICS", "OPEC", '@"F"']


@settings(max_examples=300, deadline=None)
@given(st.lists(CELL, max_size=12), st.booleans())
def test_quote_column_is_quote_of_every_cell(cells, safe):
    assert quote_column(pa.array(cells, type=pa.string()), safe).to_pylist() == [quote(c, safe) for c in cells]


@st.composite
def graphs(draw):
    """A country-forum graph whose edges' post ids are codes into a table in pieces, the posts'
    days (some undated) and a block size."""
    n = draw(st.integers(1, 30))
    ids = [f"{draw(CELL)}:{i}" for i in range(n)]  # (unique ids, many to quote or make safe)
    cuts = sorted(draw(st.sets(st.integers(1, n - 1), max_size=3))) if n > 1 else []
    table = PostIdTable([pa.array(ids[a:b]) for a, b in zip([0, *cuts], [*cuts, n], strict=True)])
    days = np.array(
        draw(st.lists(st.sampled_from([UNDATED, 19_450, 19_451, 19_700, 19_790, -5, 400]), min_size=n, max_size=n)),
        dtype=np.int32,
    )
    G = nx.Graph()
    for c in COUNTRIES:
        G.add_node(f"country:{c}", kind="country", entity=c)
    for f in FORUMS:
        G.add_node(f"forum:{f}", kind="forum", entity=f)
    G.add_node("country:RU", kind="country", entity="RU")
    G.add_edge("country:RU", "country:FI", weight=9)  # (not a country-forum edge: no ties)
    pairs = draw(st.lists(st.tuples(st.sampled_from(COUNTRIES), st.sampled_from(FORUMS)), unique=True, max_size=8))
    for c, f in pairs:
        codes = draw(st.lists(st.integers(0, n - 1), unique=True, min_size=1, max_size=n))
        G.add_edge(
            f"country:{c}",
            f"forum:{f}",
            weight=draw(st.integers(1, 3)),
            post_ids=PostIds(np.array(codes, dtype=np.int32), table),
        )
    return G, table, days, draw(st.integers(1, 7))


def reference_rows(G, days):
    """Each tie's cells, edge after edge (heaviest first, then by country and forum), each
    edge's posts in the order of its ids."""
    lookup = StatusLookup(MEMBERSHIPS)
    edges = []
    for u, v, d in G.edges(data=True):
        if "post_ids" in d:
            (c, f) = (u, v) if G.nodes[u]["kind"] == "country" else (v, u)
            edges.append((-d["weight"], G.nodes[c]["entity"], G.nodes[f]["entity"], d["post_ids"]))
    rows = []
    for _, country, forum, ids in sorted(edges, key=lambda e: e[:3]):
        codes = ids.codes
        for code, post_id, status in zip(codes, list(ids), lookup.statuses(country, forum, days[codes]), strict=True):
            day = days[code]
            date = "" if day == UNDATED else str(np.datetime64(int(day), "D"))
            rows.append([country, forum, post_id, date, status])
    return rows


@settings(max_examples=150, deadline=None)
@given(graphs(), st.booleans())
def test_ties_csv_is_the_csv_modules_rows_and_the_tally_counts_them(tmp_path_factory, drawn, safe):
    G, table, days, rows = drawn
    pairs, blocks = tie_blocks(G, days, MEMBERSHIPS, rows=rows)
    tally = Tally([f for _, f in pairs], days)
    seen = []

    def watched(blocks):
        for block in blocks:
            assert 0 < len(block.post) <= rows
            seen.append(len(block.post))
            yield block

    path = tmp_path_factory.mktemp("ties") / "ties.csv"
    written = write_ties_csv(path, pairs, tally.counting(watched(blocks)), table, days, safe=safe)
    expected = reference_rows(G, days)
    lines = [",".join(COLUMNS)] + [",".join(quote(x, safe) for x in row) for row in expected]
    assert path.read_bytes() == "".join(line + "\n" for line in lines).encode()
    assert written == len(expected) == sum(seen)
    assert all(n == rows for n in seen[:-1])  # (full blocks but the last)
    frame = pd.DataFrame(expected, columns=COLUMNS, dtype=object)
    want = frame.assign(year=frame["date"].str[:4]).groupby(["forum", "year", "status"]).size()
    got = tally.table().set_index(["forum", "year", "status"])["n"]
    assert got.sort_index().to_dict() == want.sort_index().to_dict()


def test_no_ties_write_the_header_only(tmp_path):
    G = nx.Graph()
    pairs, blocks = tie_blocks(G, np.zeros(0, dtype=np.int32), MEMBERSHIPS)
    assert write_ties_csv(tmp_path / "ties.csv", pairs, blocks, None, np.zeros(0, dtype=np.int32)) == 0
    assert (tmp_path / "ties.csv").read_text() == "country,forum,post_id,date,status\n"
    assert Tally([], np.zeros(0, dtype=np.int32)).table().empty


@pytest.mark.parametrize("rows", [1, 3, 200_000])
def test_an_edge_of_more_posts_than_a_block_spans_blocks_in_order(rows):
    n = 10
    table = PostIdTable(pa.array([f"p:{i}" for i in range(n)]))
    G = nx.Graph()
    G.add_node("c", kind="country", entity="FI")
    G.add_node("f", kind="forum", entity="NATO")
    G.add_node("g", kind="forum", entity="BRICS")
    G.add_edge("c", "f", weight=10, post_ids=PostIds(np.arange(n, dtype=np.int32)[::-1].copy(), table))
    G.add_edge("c", "g", weight=2, post_ids=PostIds(np.array([4, 1], dtype=np.int32), table))
    days = np.full(n, 19_450, dtype=np.int32)
    pairs, blocks = tie_blocks(G, days, MEMBERSHIPS, rows=rows)
    got = list(blocks)
    assert pairs == [("FI", "NATO"), ("FI", "BRICS")]
    assert [len(b.post) for b in got] == (
        [12] if rows > 12 else [rows] * (12 // rows) + ([12 % rows] if 12 % rows else [])
    )
    assert np.concatenate([b.post for b in got]).tolist() == [*range(n), 1, 4]
    assert np.concatenate([b.pair for b in got]).tolist() == [0] * n + [1, 1]


def test_the_posts_cells_are_the_corpus_ids_and_a_code_per_day_when_nothing_needs_quoting():
    from netanalysis.io.ties_csv import post_cells

    table = PostIdTable([pa.array(["mfa:1", "mfa:2"]), pa.array(["mfa:3"])])
    days = np.array([19_450, UNDATED, 19_450], dtype=np.int32)
    cells = post_cells(table, days)
    assert all(mine is theirs for mine, theirs in zip(cells.ids.pieces, table.pieces, strict=True))  # (no copy)
    # (a text per day of the calendar from the first day to the last, then the undated one)
    assert cells.day.dtype == np.int16 and cells.days.to_pylist() == [",2023-04-03", ","]
    ids, dated = cells.take(np.array([2, 1, 0]))
    assert ids.to_pylist() == ["mfa:3", "mfa:2", "mfa:1"] and dated.to_pylist() == [",2023-04-03", ",", ",2023-04-03"]
    risky = post_cells(PostIdTable([pa.array(["=1", "a,b"])]), days[:2])
    assert risky.take(np.array([0, 1]))[0].to_pylist() == ["'=1", '"a,b"']


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.just(int(UNDATED)), st.integers(-20_000, 40_000)), max_size=40))
def test_the_tallys_year_of_each_post_is_its_days_year(days):
    # read from a calendar of the days from the first to the last (day_calendar), as int16
    # codes (not a date of every post): the year of each post's day, "" when undated
    days = np.array(days, dtype=np.int32)
    tally = Tally(["BRICS"], days)
    want = ["" if d == UNDATED else str(np.datetime64(int(d), "D"))[:4] for d in days.tolist()]
    assert [tally.years[y] for y in tally.year.tolist()] == want
    assert tally.year.dtype == np.int16 and tally.years[-1] == ""


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.just(int(UNDATED)), st.integers(-40_000, 40_000)), max_size=40))
def test_a_posts_place_in_the_day_calendar_is_its_day(days):
    from netanalysis.graph.membership import day_calendar

    days = np.array(days, dtype=np.int32)
    calendar, place = day_calendar(days)
    dated = days != UNDATED
    assert calendar.tolist() == (list(range(days[dated].min(), days[dated].max() + 1)) if dated.any() else [])
    assert (calendar[place[dated]] == days[dated]).all() and (place[~dated] == len(calendar)).all()
    assert place.dtype == (np.int16 if len(calendar) < 2**15 else np.int32)
