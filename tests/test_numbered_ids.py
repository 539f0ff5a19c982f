"""Post ids kept as a stem and a number give back the very same strings, in every operation the
run asks of them (take, filter, join, membership, quoting, order), as the Arrow strings do."""

from __future__ import annotations

import pickle
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netanalysis.graph.numbered_ids import NumberedIds, as_strings, is_in, joined_ids, numbered
from netanalysis.graph.post_ids import PostIdTable
from netanalysis.io.ties_csv import post_cells
from netanalysis.render import explorer_evidence

# stems with what quoting and spreadsheets care about, non-ASCII digits and line breaks
STEMS = st.text(alphabet=list("ab:/_-=+@'\",\r\n é٣") + ["0", "9"], max_size=5)
NUMBERS = st.one_of(
    st.integers(0, 10**6).map(str),
    st.integers(0, 10**18).map(str),  # (past 18 digits: the id stays a string)
    st.sampled_from(["007", "00", "0", "10", "999999999999999999", "1000000000000000000"]),
)
IDS = st.lists(st.tuples(STEMS, NUMBERS).map("".join), min_size=1, max_size=60)


def forced(ids: list[str]) -> NumberedIds | pa.Array:
    """``ids`` numbered even where that is not smaller (small tests), when every id splits."""
    return numbered(pa.array(ids, type=pa.string()), smaller=False)


def test_hand_split() -> None:
    ids = ["mfa:9", "mfa:10", "tass:007", "0", "x:00", "é٣5"] * 20
    out = numbered(pa.array(ids))
    assert isinstance(out, NumberedIds)
    assert out.stems.to_pylist() == ["mfa:", "tass:00", "", "x:0", "é٣"]
    assert out.stem[:6].tolist() == [0, 0, 1, 2, 3, 4]
    assert out.number[:6].tolist() == [9, 10, 7, 0, 0, 5]
    assert out.stem.dtype == np.uint8 and out.number.dtype == np.uint32
    assert as_strings(out).to_pylist() == ids


def test_what_stays_strings() -> None:
    for ids in (["a:1", "b"], ["a:1", None], ["a:1", "a:1234567890123456789"]):
        given_ids = pa.array(ids * 30, type=pa.string())
        assert numbered(given_ids) is given_ids
    few = pa.array(["a:1", "a:2"])
    assert numbered(few) is few  # (the stems' table would take more than the strings)
    big = numbered(pa.array([f"a:{2**32 - 50 + i}" for i in range(100)]))
    assert big.number.dtype == np.int64 and big.to_pylist()[-1] == f"a:{2**32 + 49}"


def test_benchmark_ids_take_five_bytes() -> None:
    ids = pa.array([f"c1m:Synthetic MFA:{i}" for i in range(1, 100_001)])
    out = numbered(ids)
    assert out.nbytes / len(out) < 5.01 and ids.nbytes / len(ids) > 26
    assert out.strings().equals(ids) and len(out.stems) == 1
    picks = np.random.default_rng(0).integers(0, len(ids), size=5_000)
    assert out.take(picks).equals(ids.take(pa.array(picks)))  # (one stem: joined as a scalar)
    two = numbered(pa.array([f"{c}:{i}" for i in range(1_000) for c in "ab"]))
    assert len(two.stems) == 2 and two.take(picks[:100] % 2_000).to_pylist() == [
        f"{'ab'[k % 2]}:{k // 2}" for k in picks[:100] % 2_000
    ]


@settings(max_examples=150, deadline=None)
@given(ids=IDS, seed=st.integers(0, 2**32 - 1))
def test_every_operation_gives_the_strings(ids: list[str], seed: int) -> None:
    rng = np.random.default_rng(seed)
    out = forced(ids)
    strings = pa.array(ids, type=pa.string())
    assert as_strings(out).to_pylist() == ids
    sliced = pa.array(["pad:1", *ids], type=pa.string()).slice(1)  # (an array that starts past its buffers')
    assert as_strings(numbered(sliced, smaller=False)).to_pylist() == ids
    # split where every id ends in 1 to 18 ASCII digits
    assert isinstance(out, NumberedIds) == all(1 <= len(re.search("[0-9]*$", i)[0]) <= 18 for i in ids)
    if not isinstance(out, NumberedIds):
        return
    picks = rng.integers(0, len(ids), size=int(rng.integers(0, 2 * len(ids) + 1)))
    assert out.take(picks).to_pylist() == [ids[i] for i in picks]
    assert out.take(pa.array(picks)).to_pylist() == [ids[i] for i in picks]
    mask = rng.random(len(ids)) < 0.5
    assert out.filter(pa.array(mask)).to_pylist() == [i for i, m in zip(ids, mask, strict=True) if m]
    k = int(rng.integers(0, len(ids)))
    assert out[k].as_py() == ids[k]
    assert pickle.loads(pickle.dumps(out)).to_pylist() == ids
    assert out.equals(pickle.loads(pickle.dumps(out))) and out.equals(strings)
    assert not out.equals(pa.array(ids[::-1])) or ids == ids[::-1]
    # joined from parts cut anywhere: the same ids, in order
    cuts = sorted(rng.integers(0, len(ids) + 1, size=2).tolist())
    parts = [forced(ids[a:b]) for a, b in zip([0, *cuts], [*cuts, len(ids)], strict=True) if b > a]
    assert as_strings(joined_ids(parts)).to_pylist() == ids
    # membership, against Arrow's
    values = [ids[i] for i in rng.integers(0, len(ids), size=5)] + ["a:03", "x", "0", ids[0] + "0"]
    want = pc.is_in(strings, value_set=pa.array(values)).to_numpy(zero_copy_only=False)
    assert is_in(out, values).tolist() == want.tolist()
    # an id table of numbered pieces: the same ids, plainness and quoted cells as of strings
    table, plain = PostIdTable([out]), PostIdTable([strings])
    assert table.take(picks).to_pylist() == plain.take(picks).to_pylist()
    assert table.id_at(k) == plain.id_at(k) and table.plain == plain.plain
    assert table.sorted_codes(picks).tolist() == plain.sorted_codes(picks).tolist()
    days = rng.integers(-1, 3, size=len(ids)).astype(np.int32)
    for safe in (True, False):
        a, b = post_cells(table, days, safe=safe), post_cells(plain, days, safe=safe)
        assert [x.to_pylist() for x in a.take(picks)] == [x.to_pylist() for x in b.take(picks)]


@settings(max_examples=80, deadline=None)
@given(ids=IDS, seed=st.integers(0, 2**32 - 1), block=st.integers(1, 7))
def test_date_order_of_numbered_ids(ids: list[str], seed: int, block: int) -> None:
    """The explorer's posts in date order, then by id: numbered ids sorted a block of whole days
    at a time give the order of the strings sorted at once."""
    rng = np.random.default_rng(seed)
    out = forced(ids)
    days = rng.integers(-1, 4, size=len(ids))
    behind = rng.random(len(ids)) < 0.8
    expected = explorer_evidence._date_order(days, pa.array(ids, type=pa.string()), behind)
    old = explorer_evidence.BLOCK_POSTS
    explorer_evidence.BLOCK_POSTS = block
    try:
        got = explorer_evidence._date_order(days, out, behind)
        assert got.tolist() == expected.tolist()
        if isinstance(out, NumberedIds):  # (their places: four bytes a post)
            assert got.dtype == np.int32
    finally:
        explorer_evidence.BLOCK_POSTS = old


@pytest.mark.parametrize("mixed", [False, True])
def test_joined_parts_are_dropped(mixed: bool) -> None:
    parts = [forced([f"a:{i}" for i in range(10)]), forced([f"b:{i}" for i in range(5)])]
    if mixed:
        parts.append(pa.array(["c"]))
    out = joined_ids(parts)
    assert parts == []
    assert isinstance(out, NumberedIds) != mixed
    assert as_strings(out).to_pylist() == [f"a:{i}" for i in range(10)] + [f"b:{i}" for i in range(5)] + (
        ["c"] if mixed else []
    )
