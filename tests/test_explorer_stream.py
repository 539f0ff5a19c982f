"""The explorer's page is written a piece at a time (the whole page is never one string in
memory): the pieces make exactly the text that one ``json.dumps`` and one page string made."""

import json
import re

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from netanalysis.render import explorer

UNSAFE = st.sampled_from(["<", ">", "&", "\u2028", "\u2029", "</script>", "é", "Россия", '"', "\\"])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(),
    st.lists(UNSAFE).map("".join),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=7),
        st.tuples(inner, inner),
        st.dictionaries(st.one_of(st.text(max_size=4), UNSAFE), inner, max_size=6),
        st.dictionaries(st.integers(0, 9), inner, max_size=3),  # (keys json turns into strings)
    ),
    max_leaves=40,
)


def _whole(value):
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return re.sub("[<>&\u2028\u2029]", lambda m: explorer._JSON_ESCAPES[m[0]], text)


@settings(max_examples=400, deadline=None)
@given(VALUES, st.integers(1, 4))
def test_the_pieces_make_the_one_text_json_made(value, batch):
    old = explorer._BATCH
    explorer._BATCH = batch  # (long lists are batched: small batches make every list long)
    try:
        pieces = list(explorer._json_pieces(value))
    finally:
        explorer._BATCH = old
    assert "".join(explorer._escape_json(p) for p in pieces) == _whole(value)


def test_the_written_page_is_the_page_as_a_string(tmp_path, monkeypatch):
    monkeypatch.setattr(explorer, "_BATCH", 2)
    G = nx.Graph()
    G.add_node("country:CN", kind="country", bipartite=0, label="China </script> & <b>")
    G.add_node("forum:BRICS", kind="forum", bipartite=1, label="BRICS \u2028")
    G.add_node("country:IN", kind="country", bipartite=0, label="India")
    G.add_edge("country:CN", "forum:BRICS", weight=2, post_ids=["p1", "p2"])
    G.add_edge("country:IN", "forum:BRICS", weight=1, post_ids=["p3"])
    page = explorer.explorer_html(G, title="A & B")
    path = explorer.write_explorer(G, tmp_path / "network.html", title="A & B")
    assert path.read_bytes() == page.encode("utf-8")
    assert page.count("</script>") == 3 and "China \\u003c/script\\u003e \\u0026 \\u003cb\\u003e" in page


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=6), UNSAFE), max_size=12), st.integers(1, 4))
def test_a_text_column_is_written_as_the_list_of_its_texts(texts, batch):
    """Texts kept as Arrow strings (TextColumn) make the same JSON as the list of them, in a dict
    at any depth and in batches of any size, astral characters and JSON escapes included."""
    import pyarrow as pa

    from netanalysis.render.text_column import TextColumn

    column = TextColumn(pa.array(texts, type=pa.string()))
    assert column == texts and list(column) == texts and column[1:3] == texts[1:3]
    old = explorer._BATCH
    explorer._BATCH = batch
    try:
        for value, as_list in (
            (column, texts),
            ({"posts": {"t": column, "id": [1]}}, {"posts": {"t": texts, "id": [1]}}),
            ({"a": {"b": {"c": {"t": column}}}}, {"a": {"b": {"c": {"t": texts}}}}),
        ):
            pieces = list(explorer._json_pieces(value))
            assert "".join(explorer._escape_json(p) for p in pieces) == _whole(as_list)
    finally:
        explorer._BATCH = old


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-(2**40), 2**40), max_size=12), st.integers(1, 4))
def test_an_int_column_is_written_as_the_list_of_its_ints(ints, batch):
    """Counts by day kept as one integer array (IntColumn) make the same JSON as the list of
    their ints: on their own, in the edges' dicts (a list of dicts, opened one by one) and deeper,
    where a dict is dumped whole."""
    import numpy as np

    from netanalysis.render.text_column import IntColumn

    column = IntColumn(np.array(ints, dtype=np.int64))
    assert column == ints and list(column) == ints and column[1::2] == ints[1::2]
    old = explorer._BATCH
    explorer._BATCH = batch
    try:
        for value, as_list in (
            (column, ints),
            ({"edges": [{"h": column, "n": 1}, {"h": column}]}, {"edges": [{"h": ints, "n": 1}, {"h": ints}]}),
            ({"a": {"b": {"c": [{"h": column}]}}}, {"a": {"b": {"c": [{"h": ints}]}}}),
        ):
            pieces = list(explorer._json_pieces(value))
            assert "".join(explorer._escape_json(p) for p in pieces) == _whole(as_list)
    finally:
        explorer._BATCH = old
