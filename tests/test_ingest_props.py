"""Property tests: whatever bytes, JSON or CSV a reader gets, it reads them or raises NetanalysisError."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import UTC
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netanalysis.errors import NetanalysisError
from netanalysis.ingest import ReadOptions, iter_posts
from netanalysis.ingest.dedupe import dedupe_posts, normalise_text
from netanalysis.model import IngestStats, Post

ROUNDTRIP = Path(__file__).parent / "fixtures" / "formats" / "roundtrip"
# Modest by default (the suite stays fast); NETANALYSIS_FUZZ_EXAMPLES=2000 for a long hunt.
N_EXAMPLES = int(os.environ.get("NETANALYSIS_FUZZ_EXAMPLES", "30"))
EXAMPLES = settings(max_examples=N_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: format -> (file suffix, a valid sample to mutate)
READERS = {
    "telegram_json": (".json", ROUNDTRIP / "result.json"),
    "telegram_html": (".html", ROUNDTRIP / "messages.html"),
    "telethon": (".jsonl", ROUNDTRIP / "telethon.jsonl"),
    "json": (".json", ROUNDTRIP / "result.json"),
    "jsonl": (".jsonl", ROUNDTRIP / "telethon.jsonl"),
    "csv": (".csv", ROUNDTRIP / "posts.csv"),
    "tsv": (".tsv", ROUNDTRIP / "posts.csv"),
    "parquet": (".parquet", ROUNDTRIP / "posts.parquet"),
    "table": (".csv", ROUNDTRIP / "posts.csv"),
}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("props")


def read_or_fail_cleanly(path: Path, fmt: str | None, **options) -> list[Post] | None:
    """Read ``path``; a NetanalysisError is fine, any other exception fails the test."""
    stats = IngestStats()
    try:
        posts = list(iter_posts(path, fmt, options=ReadOptions(**options), stats=stats))
    except NetanalysisError:
        return None
    for f in stats.files:
        assert f.read + f.skipped == f.records
    for post in posts:
        assert type(post) is Post
        assert isinstance(post.text, str) and post.text.strip() == post.text and post.text
        assert post.date is None or post.date.tzinfo is UTC or post.date.utcoffset().total_seconds() == 0
        assert post.date_source in ("metadata", "none")
        assert (post.date is None) == (post.date_source == "none")
    assert len({p.post_id for p in posts}) <= len(posts)
    return posts


def mutate(data: bytes, ops: list[tuple[int, int, bytes]]) -> bytes:
    for kind, pos, chunk in ops:
        pos = pos % (len(data) + 1)
        if kind == 0:
            data = data[:pos]  # truncate
        elif kind == 1:
            data = data[:pos] + chunk + data[pos:]  # insert
        elif kind == 2:
            data = data[:pos] + data[pos + len(chunk) + 1 :]  # delete
        else:
            data = data[:pos] + chunk + data[pos + len(chunk) :]  # overwrite
    return data


MUTATIONS = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 1 << 20), st.binary(max_size=8)), min_size=1, max_size=4
)


@pytest.mark.parametrize("fmt", sorted(READERS))
@EXAMPLES
@given(data=st.binary(max_size=300))
def test_random_bytes(workdir, fmt, data):
    path = workdir / f"random_{fmt}{READERS[fmt][0]}"
    path.write_bytes(data)
    read_or_fail_cleanly(path, fmt)


@pytest.mark.parametrize("fmt", sorted(READERS))
@EXAMPLES
@given(ops=MUTATIONS)
def test_mutated_samples(workdir, fmt, ops):
    suffix, sample = READERS[fmt]
    path = workdir / f"mutated_{fmt}{suffix}"
    path.write_bytes(mutate(sample.read_bytes(), ops))
    read_or_fail_cleanly(path, fmt)
    read_or_fail_cleanly(path, None, strict=True, dedupe=True)


JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**63), 2**63), st.floats(allow_nan=False), st.text(max_size=20)
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12,
)
FIELD_VALUES = st.one_of(
    JSON_VALUES,
    st.sampled_from(
        [
            "message",
            "service",
            "unsupported",
            "Message",
            "MessageService",
            "2024-01-01T00:00:00",
            "1712559600",
            "13.07.2023 14:05:11 UTC+03:00",
            "#BRICS talks",
            "",
            "9" * 30,
        ]
    ),
)
MESSAGE_KEYS = [
    "id",
    "type",
    "date",
    "date_unixtime",
    "text",
    "text_entities",
    "rich_message",
    "forwarded_from",
    "_",
    "peer_id",
    "message",
    "fwd_from",
    "grouped_id",
    "entities",
    "channel",
    "body",
    "timestamp",
]
MESSAGES = st.dictionaries(st.sampled_from(MESSAGE_KEYS), FIELD_VALUES, max_size=8)
DOCUMENTS = st.one_of(
    st.lists(MESSAGES, max_size=5),
    st.fixed_dictionaries(
        {
            "name": FIELD_VALUES,
            "type": FIELD_VALUES,
            "id": FIELD_VALUES,
            "messages": st.one_of(st.lists(MESSAGES, max_size=5), JSON_VALUES),
        }
    ),
    st.fixed_dictionaries(
        {
            "chats": st.one_of(
                JSON_VALUES,
                st.fixed_dictionaries(
                    {
                        "list": st.lists(
                            st.fixed_dictionaries(
                                {"name": FIELD_VALUES, "id": FIELD_VALUES, "messages": st.lists(MESSAGES, max_size=3)}
                            ),
                            max_size=3,
                        )
                    }
                ),
            )
        }
    ),
    st.fixed_dictionaries({"count": st.integers(), "messages": st.lists(MESSAGES, max_size=5)}),
    JSON_VALUES,
)


@pytest.mark.parametrize("fmt", ["telegram_json", "telethon", "json", None])
@EXAMPLES
@given(document=DOCUMENTS)
def test_random_json_documents(workdir, fmt, document):
    path = workdir / f"doc_{fmt}.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    read_or_fail_cleanly(path, fmt)


@pytest.mark.parametrize("fmt", ["jsonl", "telethon", "table"])
@EXAMPLES
@given(lines=st.lists(st.one_of(MESSAGES, JSON_VALUES), max_size=6))
def test_random_json_lines(workdir, fmt, lines):
    path = workdir / f"lines_{fmt}.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    read_or_fail_cleanly(path, fmt)


CELLS = st.one_of(st.text(max_size=15), st.sampled_from(["#SCO", "2024-04-08", "1712559600", "1e300", "nan", ""]))


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
@EXAMPLES
@given(
    header=st.lists(st.sampled_from(["id", "text", "date", "channel", "other", "", "Text"]), min_size=1, max_size=5),
    rows=st.lists(st.lists(CELLS, max_size=6), max_size=6),
)
def test_random_tables(workdir, fmt, header, rows):
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t" if fmt == "tsv" else ",")
    writer.writerow(header)
    writer.writerows(rows)
    path = workdir / f"table.{fmt}"
    path.write_text(out.getvalue(), encoding="utf-8")
    posts = read_or_fail_cleanly(path, fmt)
    if posts is not None and any(h in ("text", "Text") for h in header):
        assert len(posts) <= len(rows)


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(st.text(max_size=30), max_size=12))
def test_dedupe_keeps_one_post_per_normalised_text(texts):
    posts = [Post(f"p:{i}", "c", None, "none", t, f"s#{i}") for i, t in enumerate(texts)]
    kept = list(dedupe_posts(posts))
    keys = [normalise_text(p.text) for p in kept if normalise_text(p.text)]
    assert len(keys) == len(set(keys))
    assert {normalise_text(t) for t in texts} == {normalise_text(p.text) for p in kept}
    assert [p.post_id for p in kept] == sorted((p.post_id for p in kept), key=lambda s: int(s[2:]))
