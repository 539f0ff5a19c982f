"""The command line streams a corpus through the same counter as the library functions.

``pipeline.run`` reads, extracts and writes chunk by chunk and adds each chunk's coded batch to
one :class:`CoMentionCounter`; these tests hold it to the plain path (``read_posts`` ->
``extract_mentions`` -> ``co_mention_graph`` -> ``edges_table``) on a generated corpus, for
every unit and any chunking, and check the pieces that make the streaming cheap:
:class:`PostIds` (ranked once, sorted when read, partly in a temporary file), the row-by-row
``edges.csv`` writer, the explorer's trimmed texts, the byte-level JSONL reader and sliced
pairing.
"""

import gc
import io
import json
import pickle
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netanalysis import parallel as batch
from netanalysis import pipeline as report
from netanalysis.analysis import validate_edges
from netanalysis.config import Settings
from netanalysis.extract import extract_mentions
from netanalysis.graph import (
    Batch,
    CoMentionCounter,
    PostIds,
    co_mention_graph,
    edges_table,
    projection_graph,
    projection_table,
)
from netanalysis.graph import coding as coding_module
from netanalysis.graph import counter as counter_module
from netanalysis.graph import post_ids as post_ids_module
from netanalysis.graph.link_starts import starts_of
from netanalysis.graph.strings import concat_strings
from netanalysis.ingest import read_posts
from netanalysis.io import format_dates, write_edges_csv
from netanalysis.model import MENTION_COLUMNS, POST_COLUMNS, trim_for_excerpt
from netanalysis.model import excerpt as _excerpt
from netanalysis.registry import load_memberships, load_registry

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import bench  # noqa: E402  (the benchmark's corpus generator)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    path = tmp_path_factory.mktemp("corpus") / "corpus.jsonl"
    bench.generate(path, 300, seed=7)
    return path


def _csv(frame: pd.DataFrame) -> str:
    out = io.StringIO()
    frame.to_csv(out, index=False, lineterminator="\n")
    return out.getvalue()


@pytest.mark.parametrize("unit", ["post", "paragraph", "sentence"])
def test_streamed_run_equals_the_library_functions(corpus, tmp_path, monkeypatch, unit):
    monkeypatch.setattr(batch, "CHUNK", 37)  # many chunks, one ending mid-way through the corpus
    result = report.run("graph", [corpus], tmp_path / "out", Settings(jobs=1, unit=unit))
    assert result.counts["posts"] == 300

    posts = read_posts(corpus)
    mentions = extract_mentions(posts)
    G = validate_edges(co_mention_graph(mentions, posts, unit=unit, labels=load_registry().label))
    out = tmp_path / "out"
    assert (out / "edges.csv").read_text(encoding="utf-8") == _csv(edges_table(G))
    # every unit of every post counted through the one counter: the same N on both faces
    assert G.graph["n_units"] == result.counts["n_units"] == result.counts["significance"]["edges"]["all_units"]
    assert G.graph["n_units"] > G.graph["margins"].topical_units or unit == "post"
    P = validate_edges(projection_graph(mentions, posts, side="country", unit=unit, labels=load_registry().label))
    assert (out / "projection_countries.csv").read_text(encoding="utf-8") == _csv(projection_table(P))
    assert (out / "mentions.csv").read_text(encoding="utf-8") == _csv(mentions[MENTION_COLUMNS])
    expected_posts = posts[POST_COLUMNS].copy()
    expected_posts["date"] = format_dates(expected_posts["date"])
    assert (out / "posts.csv").read_text(encoding="utf-8") == _csv(expected_posts)
    assert result.counts["mentions"] == mentions["kind"].value_counts().sort_index().to_dict()


def test_the_links_carry_the_unit_so_the_graph_needs_no_text(corpus, tmp_path):
    result = report.run("timeline", [corpus], tmp_path / "out", Settings(jobs=1, unit="sentence"))
    kept = result.state.corpus
    assert "text" not in kept.columns and kept.unit is not None and len(kept) == 300
    posts = read_posts(corpus)
    H = co_mention_graph(extract_mentions(posts), posts, unit="sentence")
    G = co_mention_graph(kept, unit="sentence")
    assert nx.utils.graphs_equal(G, H)
    for u, v, d in G.edges(data=True):
        assert d == H.edges[u, v]


@pytest.mark.parametrize("unit", ["paragraph", "sentence"])
def test_the_corpus_knows_each_posts_number_of_units(corpus, tmp_path, monkeypatch, unit):
    """Every unit of every post is counted (those naming nothing too), as the text splits it, in
    the stream, in the library's coding and through the cache; chunks and selections keep them."""
    from netanalysis.extract.units import unit_starts
    from netanalysis.graph import from_tables

    posts = read_posts(corpus)
    expected = [len(unit_starts(t, unit)) for t in posts["text"]]
    monkeypatch.setattr(batch, "CHUNK", 70)  # several chunks, joined
    monkeypatch.setenv("NETANALYSIS_CACHE_DIR", str(tmp_path / "cache"))
    for run in range(2):  # the second run reads the cache
        result = report.run("timeline", [corpus], tmp_path / f"out{run}", Settings(jobs=1, unit=unit, cache=True))
        assert result.state.corpus.units.tolist() == expected, run
    coded, _ = from_tables(extract_mentions(posts), posts, unit=unit)
    assert coded.units.tolist() == expected
    keep = np.arange(len(posts)) % 3 == 0
    assert coded.select(keep).units.tolist() == np.asarray(expected)[keep].tolist()
    assert max(expected) > 1  # the corpus has posts of several units
    plain, _ = from_tables(extract_mentions(posts), posts)
    assert plain.units is None


def test_small_pairing_slices_give_the_same_graph(corpus, monkeypatch):
    posts = read_posts(corpus)
    mentions = extract_mentions(posts)
    whole = co_mention_graph(mentions, posts, unit="paragraph")
    monkeypatch.setattr(counter_module, "LINK_SLICE", 5)
    monkeypatch.setattr(counter_module, "PAIR_SLICE", 5)
    sliced = co_mention_graph(mentions, posts, unit="paragraph")
    assert nx.utils.graphs_equal(whole, sliced)
    weights = sorted(d["weight"] for *_, d in whole.edges(data=True))
    assert weights[-1] > 1  # the corpus really repeats pairs across slices


def test_post_ids_kept_in_a_temporary_file_equal_those_in_memory(corpus, tmp_path, monkeypatch):
    posts = read_posts(corpus)
    mentions = extract_mentions(posts)
    whole = co_mention_graph(mentions, posts)
    monkeypatch.setattr(counter_module, "LINK_SLICE", 50)  # many slices of pairs
    monkeypatch.setattr(counter_module, "PAIR_SLICE", 50)
    monkeypatch.setattr(post_ids_module, "SPILL_PAIRS", 1000)  # the first slices stay in memory
    spilled = co_mention_graph(mentions, posts)
    pieces = [part for *_, d in spilled.edges(data=True) for part in d["post_ids"]._parts]
    assert any(isinstance(p, np.ndarray) for p in pieces)
    assert sum(len(p.counts) for p in pieces if isinstance(p, post_ids_module.Runs)) > 20  # runs on disk
    assert all(isinstance(p, (np.ndarray, post_ids_module.Runs)) for p in pieces)
    assert nx.utils.graphs_equal(whole, spilled)
    for u, v, d in spilled.edges(data=True):
        ids = d["post_ids"]
        assert list(ids) == list(whole.edges[u, v]["post_ids"]) and ids[-1:] == list(ids)[-1:]
        assert pickle.loads(pickle.dumps(ids)) == ids
    write_edges_csv(whole, tmp_path / "a.csv")
    write_edges_csv(spilled, tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_post_ids_behave_as_the_list_of_ids():
    names = np.array(["mfa:1", "mfa:2", "mfa:10"], dtype=object)
    ids = PostIds(np.array([0, 2], dtype=np.int32), names)
    assert ids == ["mfa:1", "mfa:10"] and ids == ("mfa:1", "mfa:10") and ids != ["mfa:1"]
    assert len(ids) == 2 and list(ids) == ["mfa:1", "mfa:10"] and ids[1] == "mfa:10"
    assert ids[:1] == ["mfa:1"] and "mfa:10" in ids and "mfa:2" not in ids
    assert ids.join(";") == "mfa:1;mfa:10" and repr(ids) == "['mfa:1', 'mfa:10']"
    assert pickle.loads(pickle.dumps(ids)) == ids
    with pytest.raises(TypeError):
        hash(ids)


def test_edges_csv_writer_matches_the_table_with_quotes_and_missing_values(tmp_path):
    G = nx.Graph()
    for node, kind in (("country:CN", "country"), ("country:RU", "country"), ("forum:X", "forum")):
        G.add_node(node, kind=kind, entity=node.split(":")[1])
    G.add_edge(
        "country:CN",
        "forum:X",
        weight=2,
        assoc_strength=0.1 + 0.2,
        jaccard=1.0,
        npmi=float("nan"),
        first_date="",
        last_date="2024-01-02",
        post_ids=['a,"1"', "b"],
    )
    G.add_edge(
        "country:RU",
        "forum:X",
        weight=1,
        assoc_strength=1e-20,
        jaccard=0.5,
        npmi=1.0,
        first_date="2024-01-01",
        last_date="2024-01-01",
        post_ids=PostIds(np.array([1, 0], dtype=np.int32), np.array(["p1", "p2"], dtype=object)),
    )
    write_edges_csv(G, tmp_path / "edges.csv")
    assert (tmp_path / "edges.csv").read_text(encoding="utf-8") == _csv(edges_table(G))
    back = pd.read_csv(tmp_path / "edges.csv", keep_default_na=False)
    assert back["post_ids"].tolist() == ['a,"1";b', "p1;p2"]  # (read in natural order)


def test_post_ids_are_written_a_piece_at_a_time_and_quoted_when_an_id_needs_it(tmp_path):
    names = np.array([f"p{i}" for i in range(7)], dtype=object)
    ids = PostIds([np.array([6, 0, 3], dtype=np.int32), np.array([2, 5], dtype=np.int32)], names)
    out = io.StringIO()
    ids.write_joined(out, ";", piece=2)
    assert out.getvalue() == ids.join(";") == "p0;p2;p3;p5;p6"  # (read in natural order)
    G = nx.Graph()
    G.add_node("country:CN", kind="country", entity="CN")
    G.add_node("forum:X", kind="forum", entity="X")
    for labels in (names, np.array(["p0", 'q,"1"', "p2"], dtype=object)):  # plain ids, then one to quote
        G.add_edge(
            "country:CN",
            "forum:X",
            weight=3,
            assoc_strength=1.0,
            jaccard=1.0,
            npmi=1.0,
            first_date="",
            last_date="",
            post_ids=PostIds(np.array([2, 1, 0], dtype=np.int32), labels),
        )
        write_edges_csv(G, tmp_path / "edges.csv")
        assert (tmp_path / "edges.csv").read_text(encoding="utf-8") == _csv(edges_table(G))
    assert pd.read_csv(tmp_path / "edges.csv")["post_ids"].tolist() == ['p0;p2;q,"1"']


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab \n\t…«»")), max_size=1200))
def test_trimmed_text_gives_the_same_excerpt(text):
    assert _excerpt(trim_for_excerpt(text)) == _excerpt(text)
    assert len(trim_for_excerpt(text)) <= 201


def test_jsonl_read_as_bytes_keeps_line_numbers_bom_and_line_ends(tmp_path):
    (tmp_path / "bom.jsonl").write_bytes(
        b'\xef\xbb\xbf{"id": 1, "text": "#BRICS Russia"}\r\n{"id": 2, "text": "China at the #UN"}\r\n'
    )
    (tmp_path / "cr.jsonl").write_bytes(b'{"id": 1, "text": "#BRICS Russia"}\r{"id": 2, "text": "China #UN"}\r')
    for name in ("bom", "cr"):
        posts = read_posts(tmp_path / f"{name}.jsonl")
        assert posts["text"].tolist() == ["#BRICS Russia", "China at the #UN" if name == "bom" else "China #UN"]
        assert posts["source"].tolist() == [f"{name}.jsonl:1", f"{name}.jsonl:2"]
    (tmp_path / "bad.jsonl").write_bytes(b'{"id": 1, "text": "ok"}\n\n{"id": 3, "text": "\xcf\xf0\xe8"}\n')
    from netanalysis.errors import InputError

    with pytest.raises(InputError, match=r"line 3: not valid utf-8 text \(try --encoding cp1251"):
        read_posts(tmp_path / "bad.jsonl")


def test_a_registry_alias_with_a_comma_is_quoted_in_mentions_csv(tmp_path):
    extra = tmp_path / "extra.csv"
    extra.write_text(
        'kind,entity,alias,lang,case,use,action,name\ncountry,KR,"Korea, Republic of",en,fold,text,add,\n',
        encoding="utf-8",
    )
    posts_file = tmp_path / "posts.jsonl"
    posts_file.write_text('{"id": 1, "text": "Talks with Korea, Republic of, at the #UN"}\n', encoding="utf-8")
    report.run("parse", [posts_file], tmp_path / "out", Settings(jobs=1, registry=(str(extra),)))
    mentions = pd.read_csv(tmp_path / "out" / "mentions.csv")
    assert mentions.loc[mentions["via"] == "name", "surface"].tolist() == ["Korea, Republic of"]
    expected = extract_mentions(read_posts(posts_file), load_registry(extra=[str(extra)]))
    assert (tmp_path / "out" / "mentions.csv").read_text(encoding="utf-8") == _csv(expected[MENTION_COLUMNS])


def test_cache_hit_with_sentence_units_and_a_miss_when_the_unit_changes(corpus, tmp_path, monkeypatch):
    monkeypatch.setenv("NETANALYSIS_CACHE_DIR", str(tmp_path / "cache"))

    def run(name, unit):
        result = report.run("timeline", [corpus], tmp_path / name, Settings(jobs=1, unit=unit, cache=True))
        return result.counts["mentions_cache"]

    assert run("a", "sentence") == "stored"
    assert run("b", "sentence") == "hit"
    assert run("c", "post") == "stored"
    for name in ("edges.csv", "nodes.csv", "timeline.csv", "changes.csv", "posts.csv", "mentions.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert (tmp_path / "a" / "edges.csv").read_bytes() != (tmp_path / "c" / "edges.csv").read_bytes()


@pytest.mark.parametrize("with_posts", [True, False])
def test_explorer_data_from_coded_post_ids_equals_the_list_path(corpus, with_posts):
    from netanalysis.render.explorer import explorer_data

    posts = read_posts(corpus)
    G = co_mention_graph(extract_mentions(posts), posts)
    assert all(isinstance(d["post_ids"], PostIds) for *_, d in G.edges(data=True))
    H = G.copy()
    for *_, d in H.edges(data=True):
        d["post_ids"] = list(d["post_ids"])[::-1]  # plain lists, in another order
    given = posts if with_posts else None
    coded = explorer_data(G, posts=given)
    plain = explorer_data(H, posts=given)
    assert coded == plain
    if with_posts:  # (the 300 posts fall on one day)
        assert all(e["h"] == [0, e["n"]] for e in coded["edges"])
    assert all(item["n"] == sum(item["h"][1::2]) > 0 for item in coded["nodes"])


def test_graphs_without_post_ids_have_the_same_weights_and_measures(corpus):
    posts = read_posts(corpus)
    mentions = extract_mentions(posts)
    full = co_mention_graph(mentions, posts, unit="sentence")
    light = co_mention_graph(mentions, posts, unit="sentence", post_ids=False)
    assert all("post_ids" not in d for *_, d in light.edges(data=True))
    for u, v, d in full.edges(data=True):
        # (membership labels need the posts of each edge)
        assert {k: x for k, x in d.items() if k not in ("post_ids", "status", "posts_by_status")} == light.edges[u, v]
    assert dict(full.nodes(data=True)) == dict(light.nodes(data=True))


def test_batches_join_and_select_posts_with_their_links():
    import pyarrow as pa

    entities = (("country", "CN"), ("country", "RU"), ("forum", "BRICS"))
    one = Batch(
        pa.array(["p1", "p2"]),
        np.array([1, 2]),
        np.array([0, 2, 3]),
        np.array([0, 2, 1], dtype=np.int16),
        entities,
        columns={"channel": pa.array(["a", "b"])},
    )
    two = Batch(
        pa.array(["p10"]),
        np.array([3]),
        np.array([0, 1]),
        np.array([2], dtype=np.int16),
        entities,
        columns={"channel": pa.array(["c"])},
    )
    both = Batch.concat([one, two], entities)
    assert both.post_ids.to_pylist() == ["p1", "p2", "p10"] and both.post.tolist() == [0, 0, 1, 2]
    assert both.entity.tolist() == [0, 2, 1, 2] and both.columns["channel"].to_pylist() == ["a", "b", "c"]
    later = both.select(np.array([False, True, True]))
    assert later.post_ids.to_pylist() == ["p2", "p10"] and later.post.tolist() == [0, 1]
    assert later.entity.tolist() == [1, 2] and later.dates.tolist() == [2, 3]
    assert both.start.tolist() == [0, 2, 3, 4] and later.start.tolist() == [0, 1, 2]
    assert both.start.dtype == np.int32  # (a joined corpus's starts: four bytes a post)
    # the links' starts must cover the posts and end at the links
    for start in ([0, 2], [0, 2, 2], [0, 2, 4]):
        with pytest.raises(ValueError, match="link starts"):
            Batch(
                pa.array(["p1", "p2"]), np.array([1, 2]), np.array(start), np.array([0, 2, 1], dtype=np.int16), entities
            )
    with pytest.raises(ValueError, match="sorted"):
        starts_of(np.array([1, 0]), 2)
    assert starts_of(np.array([0, 0, 1]), 3).tolist() == [0, 2, 3, 3]
    assert later.posts_frame()["channel"].tolist() == ["b", "c"]


@pytest.mark.parametrize("size", [1, 2, 3, 5])
def test_a_batchs_parts_are_views_that_join_back_into_it(size):
    # a corpus read from the cache is counted a part at a time (Batch.part): every post once,
    # its links with it, the ids numbered or not
    import pyarrow as pa

    from netanalysis.graph.numbered_ids import numbered

    entities = (("country", "CN"), ("country", "RU"), ("forum", "BRICS"))
    whole = Batch(
        pa.array(["mfa:1", "mfa:2", "mfa:3", "mfa:40", "tass:5"]),
        np.array([5, 4, 3, 2, 1]),
        np.array([0, 2, 2, 3, 6, 7], dtype=np.int32),
        np.array([0, 2, 1, 0, 1, 2, 2], dtype=np.int16),
        entities,
        unit=np.array([0, 1, 0, 0, 0, 1, 0]),
        columns={"channel": pa.array(["a", "a", "b", "a", "c"]).dictionary_encode()},
        units=np.array([2, 1, 1, 3, 1]),
    )
    for ids in (whole, whole.numbered()):
        assert type(ids.post_ids).__name__ == ("NumberedIds" if ids is not whole else "StringArray")
        parts = [ids.part(lo, min(len(ids), lo + size)) for lo in range(0, len(ids), size)]
        assert all(np.shares_memory(p.entity, ids.entity) for p in parts if p.n_links)
        assert [p.start.tolist()[0] for p in parts] == [0] * len(parts)
        again = Batch.concat(parts, entities)
        assert again.post_ids.to_pylist() == whole.post_ids.to_pylist()
        assert again.dates.tolist() == whole.dates.tolist() and again.start.tolist() == whole.start.tolist()
        assert again.entity.tolist() == whole.entity.tolist() and again.unit.tolist() == whole.unit.tolist()
        assert again.units.tolist() == whole.units.tolist()
        assert again.posts_frame()["channel"].tolist() == ["a", "a", "b", "a", "c"]
    assert ids.part(2, 2).n_links == 0 and len(ids.part(2, 2)) == 0
    assert numbered(whole.post_ids).slice(1, 3).to_pylist() == ["mfa:2", "mfa:3", "mfa:40"]


@pytest.mark.parametrize("by_places", [0, 8, 10**9])
def test_selected_posts_take_their_links_by_places_or_by_mask_alike(by_places, monkeypatch):
    # a time window's posts take their links by their places when few, else by a mask over
    # every link: both give each kept post's links in order (against a plain loop)
    import pyarrow as pa

    import netanalysis.graph.coding as coding

    monkeypatch.setattr(coding, "SELECT_BY_PLACES", by_places)  # (0: always places; 10**9: a mask)
    rng = np.random.default_rng(7)
    entities = tuple(("country", f"C{i}") for i in range(9))
    for _ in range(60):
        n = int(rng.integers(0, 12))
        counts = rng.integers(0, 5, n)
        links = [rng.integers(0, 9, c).tolist() for c in counts]
        start = np.concatenate(([0], np.cumsum(counts))).astype(rng.choice([np.int32, np.int64]))
        flat = [e for post in links for e in post]
        batch = Batch(
            pa.array([f"p{i}" for i in range(n)]),
            np.arange(n) * 10,
            start,
            np.array(flat, dtype=np.int16),
            entities,
            unit=np.array([k for post in links for k in range(len(post))], dtype=np.int64),
            units=counts + 1,
        )
        keep = rng.random(n) < rng.random()
        chosen = batch.select(keep)
        kept = [links[i] for i in range(n) if keep[i]]
        assert chosen.entity.tolist() == [e for post in kept for e in post]
        assert chosen.unit.tolist() == [k for post in kept for k in range(len(post))]
        assert chosen.start.tolist() == np.concatenate(([0], np.cumsum([len(p) for p in kept]))).tolist()
        assert chosen.post_ids.to_pylist() == [f"p{i}" for i in range(n) if keep[i]]
        assert chosen.dates.tolist() == [10 * i for i in range(n) if keep[i]]
        assert chosen.units.tolist() == [int(counts[i]) + 1 for i in range(n) if keep[i]]
        assert len(batch.select(keep, ids=False).post_ids) == int(keep.sum())


def test_joined_batches_keep_repeated_columns_as_codes_and_give_the_same_strings():
    # a corpus's channels and dates' sources are a few strings repeated: kept dictionary-encoded
    # once joined, everything that reads them sees the same strings
    import pyarrow as pa

    entities = (("country", "CN"), ("forum", "BRICS"))

    def batch(channels, sources):
        n = len(channels)
        return Batch(
            pa.array([f"p{i}-{channels[i]}" for i in range(n)]),
            np.arange(n, dtype=np.int64),
            np.zeros(n + 1, dtype=np.int64),
            np.zeros(0, dtype=np.int16),
            entities,
            columns={"channel": pa.array(channels), "date_source": pa.array(sources)},
        )

    channels = ["MFA", "MFA", None, "Embassy", "MFA", "MFA"]
    sources = ["post", "inferred", "post", "post", None, "post"]
    joined = Batch.concat([batch(channels[:4], sources[:4]), batch(channels[4:], sources[4:])], entities)
    assert all(pa.types.is_dictionary(v.type) for v in joined.columns.values())
    assert joined.columns["channel"].to_pylist() == channels
    frame = joined.posts_frame()
    assert frame["channel"].dtype == "str" and frame["channel"].tolist()[:2] == ["MFA", "MFA"]
    assert pd.isna(frame["channel"][2]) and frame["date_source"].tolist()[1] == "inferred"
    assert joined.select(np.array([False, True, False, True, False, False])).columns["channel"].to_pylist() == [
        "MFA",
        "Embassy",
    ]
    again = Batch.concat([joined, batch(["MFA"], ["post"])], entities)  # (codes joined again: as strings first)
    assert again.columns["channel"].to_pylist() == channels + ["MFA"]
    distinct = Batch.concat([batch(["a", "b"], ["x", "y"])], entities)  # (nothing repeated: kept as strings)
    assert distinct.columns["channel"].type == pa.string()


def test_batches_of_codes_and_of_strings_join_as_codes_when_smaller_without_a_column_of_strings(monkeypatch):
    # the workers give each chunk's channels and dates' sources as codes (a few values repeated):
    # joined as codes, never as one string column of every post on the way
    import pyarrow as pa

    from netanalysis.graph import strings as coding

    def refuse(arrays):
        raise AssertionError("a column of strings of every post was made")

    channels = [["MFA"] * 3, ["MFA", "Embassy", None], ["Embassy"] * 2]
    parts = [coding.compact_strings(pa.array(channels[0])), pa.array(channels[1]), pa.array(channels[2])]
    parts[2] = parts[2].dictionary_encode()
    monkeypatch.setattr(coding, "concat_strings", refuse)
    joined = coding.joined_strings(parts)
    assert pa.types.is_dictionary(joined.type)
    assert joined.to_pylist() == sum(channels, []) and sorted(joined.dictionary.to_pylist()) == ["Embassy", "MFA"]
    distinct = [pa.array(["a", "b"]).dictionary_encode(), pa.array(["c", None]).dictionary_encode()]
    unique = coding.joined_strings(distinct)
    assert unique.type == pa.string() and unique.to_pylist() == ["a", "b", "c", None]  # (codes larger: strings)


def test_repeated_strings_keep_the_narrowest_codes_and_widen_when_joined_past_them():
    import pyarrow as pa

    from netanalysis.graph import strings as coding

    one = coding.compact_strings(pa.array(["MFA", "TASS"] * 50))
    assert one.type.index_type == pa.int8() and one.to_pylist() == ["MFA", "TASS"] * 50
    # two parts of 100 channels each (int8 codes), 200 joined: Arrow's join refuses int8, so
    # the join widens them (int16), with the same strings
    names = [[f"c{i}" for i in range(k, k + 100)] * 3 for k in (0, 100)]
    parts = [coding.compact_strings(pa.array(n)) for n in names]
    assert [p.type.index_type for p in parts] == [pa.int8(), pa.int8()]
    joined = coding.joined_strings(parts)
    assert joined.type.index_type == pa.int16() and joined.to_pylist() == names[0] + names[1]
    many = coding.compact_strings(pa.array([f"c{i}" for i in range(40_000)] * 3))
    assert many.type.index_type == pa.int32()


def test_a_batchs_posts_frame_of_some_rows_and_columns_is_those_of_the_whole_frame():
    # the explorer's stage asks for every post's id and date, then for the embedded posts' rows
    import pyarrow as pa

    from netanalysis.model import NO_DATE

    entities = (("country", "CN"), ("forum", "BRICS"))
    batch = Batch(
        pa.array(["p1", "p2", "p3", "p4"]),
        np.array([1_700_000_000_000_000, NO_DATE, 1_600_000_000_000_000, 5]),
        np.array([0, 1, 2, 2, 2]),
        np.array([0, 1], dtype=np.int16),
        entities,
        columns={"date_source": pa.array(["post", "", "edit", "post"]), "channel": pa.array(["a", "b", "", "d"])},
    )
    whole = batch.posts_frame()
    assert list(whole.columns) == ["post_id", "channel", "date", "date_source"]
    for rows in ([2, 0], [3], [], [1, 1, 0], np.array([0, 1, 2, 3])):
        part = batch.posts_frame(np.asarray(rows, dtype=np.int64))
        pd.testing.assert_frame_equal(part, whole.iloc[list(rows)].reset_index(drop=True))
    pd.testing.assert_frame_equal(batch.posts_frame(columns=()), whole[["post_id", "date"]])
    pd.testing.assert_frame_equal(
        batch.posts_frame(np.array([3, 1]), columns=["channel"]),
        whole.iloc[[3, 1]][["post_id", "channel", "date"]].reset_index(drop=True),
    )
    assert pd.isna(batch.posts_frame(np.array([1]))["date"][0])


def test_joining_batches_drops_each_columns_parts_once_joined(monkeypatch):
    # the corpus stage's join must not hold every column twice: the list of batches is emptied
    # and, by the time the last column is joined, the parts of the link columns are gone
    import weakref

    import pyarrow as pa

    from netanalysis.graph import strings as string_columns

    entities = (("country", "CN"), ("country", "RU"), ("forum", "BRICS"))

    def batch(k):
        return Batch(
            pa.array([f"p{k}a", f"p{k}b"]),
            np.array([k, k + 1]),
            np.array([0, 1, 3]),
            np.array([0, 1, 2], dtype=np.int16),
            entities,
            unit=np.array([0, 0, 1], dtype=np.int32),
            columns={"channel": pa.array(["a", "b"]), "zz": pa.array(["x", "y"])},
            units=np.array([1, 2], dtype=np.int32),
        )

    batches = [batch(k) for k in range(3)]
    parts = [weakref.ref(a) for b in batches for a in (b.post_ids, b.dates, b.start, b.entity, b.unit, b.units)]
    alive_at_last = []
    strings = string_columns.concat_strings

    def watched(arrays):
        alive_at_last[:] = [r for r in parts if r() is not None]
        return strings(arrays)

    # (the ids are joined first, a part at a time; the other string columns by concat_strings)
    monkeypatch.setattr(string_columns, "concat_strings", watched)
    both = Batch.concat(batches, entities)
    assert batches == [] and alive_at_last == []
    assert both.post.tolist() == [0, 1, 1, 2, 3, 3, 4, 5, 5] and both.start.tolist() == [0, 1, 3, 4, 6, 7, 9]
    assert both.dates.tolist() == [0, 1, 1, 2, 2, 3] and both.entity.dtype == np.int16
    assert both.unit.tolist() == [0, 0, 1] * 3 and both.units.tolist() == [1, 2] * 3
    assert both.columns["zz"].to_pylist() == ["x", "y"] * 3 and len(both) == 6


def test_parse_keeps_no_per_post_data_and_reports_the_same_counts(corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "CHUNK", 37)
    parsed = report.run("parse", [corpus], tmp_path / "parse", Settings(jobs=1))
    graphed = report.run("graph", [corpus], tmp_path / "graph", Settings(jobs=1))
    assert parsed.state.corpus is None and parsed.state.counter is None
    assert graphed.state.corpus is None and graphed.state.graph is not None
    keys = ["posts", "channels", "first_date", "last_date", "date_sources", "mentions"]
    assert {k: parsed.counts[k] for k in keys} == {k: graphed.counts[k] for k in keys}
    assert parsed.counts["first_date"] == "2024-01-01" and parsed.counts["posts"] == 300
    for name in ("posts.csv", "mentions.csv"):
        assert (tmp_path / "parse" / name).read_bytes() == (tmp_path / "graph" / name).read_bytes()
    # with a cache to fill, parse keeps the corpus until it is stored (what a later graph run
    # reads from it), then lets it go, as without the cache
    monkeypatch.setenv("NETANALYSIS_CACHE_DIR", str(tmp_path / "cache"))
    cached = report.run("parse", [corpus], tmp_path / "cached", Settings(jobs=1, cache=True))
    assert cached.state.corpus is None and cached.counts["mentions_cache"] == "stored"
    hit = report.run("graph", [corpus], tmp_path / "hit", Settings(jobs=1, cache=True))
    assert hit.counts["mentions_cache"] == "hit"
    assert (tmp_path / "hit" / "edges.csv").read_bytes() == (tmp_path / "graph" / "edges.csv").read_bytes()


def test_parse_totals_with_undated_posts_and_several_channels(tmp_path):
    path = tmp_path / "rows.jsonl"
    rows = [
        {"id": 1, "channel": "B", "date": 1704067200, "text": "#UN"},
        {"id": 2, "channel": "A", "text": "Russia and #BRICS"},
        {"id": 3, "channel": "A", "date": "2023-05-06T10:00:00+00:00", "text": "China"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    parsed = report.run("parse", [path], tmp_path / "p", Settings(jobs=1))
    graphed = report.run("graph", [path], tmp_path / "g", Settings(jobs=1))
    keys = ["posts", "channels", "first_date", "last_date", "date_sources"]
    assert (
        {k: parsed.counts[k] for k in keys}
        == {k: graphed.counts[k] for k in keys}
        == {
            "posts": 3,
            "channels": ["A", "B"],
            "first_date": "2023-05-06",
            "last_date": "2024-01-01",
            "date_sources": {"metadata": 2, "none": 1},
        }
    )


def _batches(posts, mentions, size):
    """The corpus as the command line hands it to the counter: links coded over the registry's
    entities, a batch of ``size`` posts at a time."""
    import pyarrow as pa

    from netanalysis.graph import entity_list, from_tables

    entities = entity_list(load_registry())
    code = {key: i for i, key in enumerate(entities)}
    whole, _ = from_tables(mentions, posts)
    recode = np.array([code[key] for key in whole.entities], dtype=np.int16)
    batches = []
    for lo in range(0, len(posts), size):
        keep = np.zeros(len(whole), dtype=bool)
        keep[lo : lo + size] = True
        part = whole.select(keep)
        batches.append(
            Batch(pa.array(part.post_ids.to_pylist()), part.dates, part.start, recode[part.entity], entities)
        )
    return entities, batches


@pytest.mark.parametrize(
    "options", [{}, {"min_weight": 3}, {"exclude": ["RU", "brics"]}, {"newest_first": True}, {"shuffled": True}]
)
def test_a_graph_counted_batch_by_batch_equals_the_whole_one(corpus, options, monkeypatch):
    options = dict(options)
    posts = read_posts(corpus)
    if options.pop("newest_first", False):  # as Telethon dumps come: ids falling
        posts = posts.iloc[::-1].reset_index(drop=True)
    if options.pop("shuffled", False):  # ids in no order: ranked once, each edge sorted when read
        posts = posts.sample(frac=1, random_state=3).reset_index(drop=True)
    posts.loc[posts.index % 5 == 0, "date"] = pd.NaT  # some undated posts
    mentions = extract_mentions(posts)
    labels = load_registry().label
    whole = co_mention_graph(mentions, posts, labels=labels, **options)
    entities, batches = _batches(posts, mentions, 23)
    monkeypatch.setattr(post_ids_module, "SPILL_PAIRS", 2000)  # most of the posts' codes on disk
    monkeypatch.setattr(counter_module, "PAIR_SLICE", 300)  # gathered by edge in many batches
    counter = CoMentionCounter(entities, labels=labels, memberships=load_memberships(), **options)
    for one in batches:
        counter.add(one)
    built = counter.graph()
    assert nx.utils.graphs_equal(built, whole)
    assert dict(built.nodes(data=True)) == dict(whole.nodes(data=True))
    assert list(built.edges) == list(whole.edges) and len(whole.edges) > 5
    for u, v, d in built.edges(data=True):
        assert d == whole.edges[u, v]
        assert list(d["post_ids"]) == sorted(d["post_ids"], key=lambda i: (len(i), i))  # natural order
    parts = [p for *_, d in built.edges(data=True) for p in d["post_ids"]._parts]
    assert any(isinstance(p, post_ids_module.Runs) for p in parts) and any(isinstance(p, np.ndarray) for p in parts)
    runs = [p for p in parts if isinstance(p, post_ids_module.Runs)]
    assert max(len(p.counts) for p in runs) > 3  # an edge's posts in several runs on disk


@pytest.mark.parametrize(
    "ids, direction",
    [
        (["p9", "p10", "p11"], 1),
        (["a:2", "a:10", "b:1"], 1),
        (["p10", "p9", "p1"], -1),
        (["b:1", "a:10", "a:2"], -1),
        (["p1", "p1"], 0),
        (["p1", "p3", "p2"], 0),
        (["p3", "p1", "p2"], 0),
        (["b", "a", "c"], 0),
    ],
)
def test_post_ids_are_ranked_once_whatever_order_they_come_in(ids, direction):
    import pyarrow as pa

    from netanalysis.graph.post_ids import PostIdCollector, natural_order

    one_by_one, whole = PostIdCollector(), PostIdCollector()
    for pid in ids:  # one post a batch: the order across batches
        one_by_one.append(pa.array([pid]))
    whole.append(pa.array(ids))  # and within a batch
    expected = [ids[i] for i in natural_order(pa.array(ids))]
    for collector in (one_by_one, whole):
        table = collector.table()
        assert table.direction == direction
        every = PostIds(np.arange(len(ids), dtype=np.int32)[::-1].copy(), table)
        assert list(every) == expected
        rank = np.empty(len(ids), dtype=np.int64)
        rank[natural_order(pa.array(ids))] = np.arange(len(ids))
        assert table.rank(np.arange(len(ids))).tolist() == rank.tolist()


def test_a_graph_run_with_ids_out_of_order_lists_them_in_natural_order(tmp_path, monkeypatch):
    rows = [
        {
            "id": f"post{n}",
            "date": 1704067200 + 60 * i,
            "channel": "MFA",
            "text": f"Russia and China at the #BRICS and the #SCO, item {i}",
        }
        for i, n in enumerate([5, 3, 9, 1, 7, 2, 8])
    ]
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    monkeypatch.setattr(batch, "CHUNK", 2)
    result = report.run("graph", [path], tmp_path / "out", Settings(jobs=1))
    posts = read_posts(path)
    G = validate_edges(co_mention_graph(extract_mentions(posts), posts, labels=load_registry().label))
    assert (tmp_path / "out" / "edges.csv").read_text(encoding="utf-8") == _csv(edges_table(G))
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(result.files + ["manifest.json"])
    assert G.edges["country:RU", "forum:BRICS"]["post_ids"][:3] == [
        "rows:MFA:post1",
        "rows:MFA:post2",
        "rows:MFA:post3",
    ]


def test_an_id_table_in_pieces_reads_as_the_whole_array():
    import pyarrow as pa

    from netanalysis.graph.post_ids import PostIdTable

    ids = [f"mfa:{i}" for i in range(1, 23)]
    pieces = PostIdTable([pa.array(ids[:5]), pa.array(ids[5:6]), pa.array(ids[6:])], direction=1)
    whole = PostIdTable(pa.array(ids), direction=1)
    rng = np.random.default_rng(5)
    for codes in (np.arange(22), rng.permutation(22)[:9], np.array([21, 0, 5, 5, 6])):
        codes = codes.astype(np.int32)
        assert pieces.take(codes).to_pylist() == whole.take(codes).to_pylist() == [ids[c] for c in codes]
    assert [pieces.id_at(c) for c in range(22)] == ids and len(pieces) == 22
    assert pickle.loads(pickle.dumps(pieces)).take(np.array([3, 20], dtype=np.int32)).to_pylist() == ["mfa:4", "mfa:21"]
    assert list(PostIds(np.array([20, 2, 7], dtype=np.int32), pieces)) == ["mfa:3", "mfa:8", "mfa:21"]


def test_a_large_run_drops_the_compiled_registry_once_its_posts_are_read(tmp_path, monkeypatch):
    """From ``FORGET_POSTS`` posts, nothing holds the compiled registry past the corpus stage
    (the later stages' workers would each hold it); a smaller run keeps it for the next; a run
    after builds it again and finds the same mentions."""
    import gc
    import weakref

    from netanalysis.extract import compiled
    from netanalysis.pipeline import corpus as corpus_stage

    sample = Path(__file__).resolve().parents[1] / "examples" / "mfa_channel_sample.txt"
    monkeypatch.setattr(corpus_stage, "FORGET_POSTS", 10**9)
    report.run("graph", [sample], tmp_path / "kept", Settings())
    assert compiled._CACHE
    built = weakref.ref(next(iter(compiled._CACHE.values())))
    monkeypatch.setattr(corpus_stage, "FORGET_POSTS", 12)  # the sample's posts
    report.run("graph", [sample], tmp_path / "dropped", Settings())
    gc.collect()
    assert not compiled._CACHE and built() is None
    monkeypatch.setattr(corpus_stage, "FORGET_POSTS", 10**9)
    report.run("graph", [sample], tmp_path / "again", Settings())
    assert compiled._CACHE
    for name in ("mentions.csv", "edges.csv"):
        assert (tmp_path / "again" / name).read_bytes() == (tmp_path / "kept" / name).read_bytes()


def test_the_projections_are_dropped_once_written_before_the_figure_workers_are_forked(tmp_path, monkeypatch):
    """Nothing after the graph stage reads the one-mode projections: their files are written,
    then they are dropped before the figures' worker is forked (which held a copy)."""
    from netanalysis.pipeline import stages

    sample = Path(__file__).resolve().parents[1] / "examples" / "mfa_channel_sample.txt"
    seen = []
    original = stages.start_graph_figures

    def spy(state, staging):
        seen.append((dict(state.projections), sorted(p.name for p in staging.dir.glob("projection_*"))))
        return original(state, staging)

    monkeypatch.setattr(stages, "start_graph_figures", spy)
    report.run("graph", [sample], tmp_path / "out", Settings())
    [(projections, written)] = seen
    assert projections == {}
    stems = ("projection_countries", "projection_forums")
    assert written == sorted([f"{s}.{e}" for s in stems for e in ("csv", "gexf")] + ["projection_nodes.csv"])
    assert all((tmp_path / "out" / name).stat().st_size > 0 for name in written)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and p.name != "manifest.json"}


def test_a_worker_writes_the_projections_files_as_this_process_does(corpus, tmp_path, monkeypatch):
    """From ``WRITER_POSTS`` posts with two workers, the projections' files are written by a
    forked worker while this process writes ``edges.csv``: the same bytes, and the manifest
    lists them, as when they are written here."""
    from netanalysis import parallel
    from netanalysis.pipeline import validation

    started = []
    original = parallel.start_ordered

    def spy(work, items, **kwargs):
        started.append(list(items))
        return original(work, items, **kwargs)

    monkeypatch.setattr(parallel, "start_ordered", spy)
    monkeypatch.setattr(validation, "WRITER_POSTS", 10**9)
    report.run("graph", [corpus], tmp_path / "here", Settings(jobs=2))
    assert started == []
    monkeypatch.setattr(validation, "WRITER_POSTS", 300)  # the corpus's posts
    report.run("graph", [corpus], tmp_path / "one_job", Settings(jobs=1))
    assert started == []  # (one job: no worker)
    report.run("graph", [corpus], tmp_path / "there", Settings(jobs=2))
    assert started == [["country", "forum", "nodes"]]
    here, there = _files(tmp_path / "here"), _files(tmp_path / "there")
    assert here == there and {"projection_countries.csv", "projection_nodes.csv", "edges.csv"} <= set(there)
    listed = [json.loads((tmp_path / d / "manifest.json").read_text())["files"] for d in ("here", "there")]
    assert listed[0] == listed[1]


def test_a_failure_in_the_projections_worker_stops_the_run_and_leaves_no_files(corpus, tmp_path, monkeypatch):
    """An error while the worker writes a projection's file is the run's error (as one written
    here would be), raised once ``edges.csv`` is written; the output folder gets none of the
    run's files. (The writer fails only in another process: written here, the run would pass.)"""
    import os

    from netanalysis.errors import OutputError
    from netanalysis.io import csv as csv_module
    from netanalysis.pipeline import validation

    here, original = os.getpid(), csv_module.write_projection_csv

    def broken(P, path, *, safe=True):
        if os.getpid() == here:
            return original(P, path, safe=safe)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(validation, "WRITER_POSTS", 300)
    monkeypatch.setattr(csv_module, "write_projection_csv", broken)
    out = tmp_path / "out"
    with pytest.raises(OutputError, match="no space left on the device"):
        report.run("graph", [corpus], out, Settings(jobs=2))
    assert not (out / "edges.csv").exists() and not (out / "projection_countries.csv").exists()


@pytest.mark.parametrize("options", [{}, {"shuffled": True}])
def test_a_counter_that_adopts_the_joined_ids_gives_the_same_graph(corpus, options, monkeypatch):
    """``join_ids=False`` keeps each batch's own id array, then the ids joined by the caller (as
    the corpus stage joins the kept batches) take their place: the graph is the one of a counter
    that joined them itself, and the counter holds one array, the adopted one."""
    import pyarrow as pa

    posts = read_posts(corpus)
    if options.get("shuffled"):
        posts = posts.sample(frac=1, random_state=3).reset_index(drop=True)
    mentions = extract_mentions(posts)
    labels = load_registry().label
    entities, batches = _batches(posts, mentions, 23)
    monkeypatch.setattr(post_ids_module.PostIdCollector, "_JOIN", 50)  # the joining counter joins pieces
    joining = CoMentionCounter(entities, labels=labels, memberships=load_memberships())
    adopting = CoMentionCounter(entities, labels=labels, memberships=load_memberships(), join_ids=False)
    for one in batches:
        joining.add(one)
        adopting.add(one)
    assert len(joining._ids.joined) > 1 and adopting._ids.joined == []
    assert [a is b.post_ids for a, b in zip(adopting._ids.recent, batches)] == [True] * len(batches)
    ids = concat_strings([b.post_ids for b in batches])
    with pytest.raises(ValueError, match="ids to adopt"):
        adopting.adopt_ids(ids.slice(1))
    adopting.release_ids()  # (let go before the caller's join; the count is kept)
    assert adopting._ids.recent == [] and adopting._ids.joined == []
    with pytest.raises(ValueError, match="ids to adopt"):
        adopting.adopt_ids(ids.slice(1))
    adopting.adopt_ids(ids)
    assert adopting._ids.recent == [] and len(adopting._ids.joined) == 1 and adopting._ids.joined[0] is ids
    adopting.adopt_dates(np.concatenate([b.dates for b in batches]))  # (its posts' days: made from them)
    built, whole = adopting.graph(), joining.graph()
    assert nx.utils.graphs_equal(built, whole) and len(whole.edges) > 5
    for u, v, d in built.edges(data=True):
        assert d == whole.edges[u, v]
    assert adopting._table().pieces[0] is ids and joining._table().ids.equals(pa.chunked_array([ids]))


_STRINGS = st.lists(st.one_of(st.none(), st.text(max_size=6)), max_size=8)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(_STRINGS, st.integers(0, 8), st.integers(0, 8), st.booleans()),
        max_size=6,
    )
)
def test_strings_joined_a_part_at_a_time_equal_those_joined_by_arrow(specs):
    # parts sliced anywhere, with nulls, empty, some dictionary-encoded: the same strings as
    # Arrow's own join, a valid array, and the list of parts emptied
    import pyarrow as pa

    from netanalysis.graph.strings import concat_strings, drained_strings

    parts = []
    for values, start, length, encoded in specs:
        part = pa.array(values, type=pa.string()).slice(start, length)
        parts.append(part.dictionary_encode() if encoded else part)
    expected = concat_strings(parts)
    given_parts = list(parts)
    joined = drained_strings(given_parts)
    joined.validate(full=True)
    assert joined.type == pa.string() and joined.equals(expected) and joined.null_count == expected.null_count
    assert given_parts == []


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(_STRINGS, st.integers(0, 8), st.integers(0, 8), st.booleans()), max_size=6),
    st.sampled_from(["inferred", "text", ""]),
)
def test_flags_of_one_string_equal_arrows_comparison_of_the_decoded_strings(specs, text):
    # chunks sliced anywhere, with nulls, empty, some dictionary-encoded (int8 codes, as the
    # corpus keeps them, each chunk its own dictionary) or not holding the string at all: the
    # same flags as comparing the plain strings, nulls False, chunk by chunk and as one column
    import pyarrow as pa
    import pyarrow.compute as pc

    from netanalysis.graph.strings import equal_flags

    codes = pa.dictionary(pa.int8(), pa.string())
    chunks = []
    for values, start, length, encoded in specs:
        part = pa.array(values, type=pa.string()).slice(start, length)
        chunks.append(part.dictionary_encode().cast(codes) if encoded else part)
    expected = [[bool(v) for v in pc.fill_null(pc.equal(c.cast(pa.string()), text), False).to_pylist()] for c in chunks]
    for chunk, flags in zip(chunks, expected):
        got = equal_flags(chunk, text)
        assert got.dtype == bool and got.tolist() == flags
    for kind in (codes, pa.string()):
        same = [c for c, flags in zip(chunks, expected) if c.type == kind]
        column = pa.chunked_array(same, type=kind)
        wanted = [f for c, flags in zip(chunks, expected) if c.type == kind for f in flags]
        assert equal_flags(column, text).tolist() == wanted


def test_strings_joined_a_part_at_a_time_drop_each_part_once_copied(monkeypatch):
    # the parts only the list holds are freed one by one as the copy goes, the heap trimmed
    # every TRIM_BYTES copied
    import weakref

    import pyarrow as pa

    from netanalysis.graph import strings

    parts = [pa.array([f"post{k}-{j}" for j in range(k + 1)]) for k in range(5)]
    refs = [weakref.ref(p) for p in parts]
    alive = []
    monkeypatch.setattr(strings, "TRIM_BYTES", 1)
    monkeypatch.setattr(strings, "release_memory", lambda collect: alive.append(sum(r() is not None for r in refs)))
    joined = strings.drained_strings(parts)
    assert alive == [4, 3, 2, 1, 0] and parts == []
    assert joined.to_pylist() == [f"post{k}-{j}" for k in range(5) for j in range(k + 1)]
    with pytest.raises(ValueError, match="dropped already"):
        strings.drained_strings([pa.array(["a"]), None])


def test_the_corpus_stage_joins_ids_that_nothing_else_holds(corpus, tmp_path, monkeypatch):
    """A run that keeps the corpus joins its post ids a batch at a time, and each batch's ids are
    freed once copied: the counter let its own references go before the join (release_ids)."""
    import weakref

    from netanalysis.graph import numbered_ids, strings

    alive: list[int] = []
    original = strings.drained_strings

    def watched(parts):
        refs = [weakref.ref(p) for p in parts]
        monkeypatch.setattr(strings, "release_memory", lambda collect: alive.append(sum(r() is not None for r in refs)))
        try:
            return original(parts)
        finally:
            monkeypatch.undo()

    monkeypatch.setattr(batch, "CHUNK", 40)
    monkeypatch.setattr(strings, "TRIM_BYTES", 1)
    monkeypatch.setattr(numbered_ids, "drained_strings", watched)  # (what the ids' join calls)
    # ids kept as strings (as when some id has no number)
    monkeypatch.setattr(coding_module.Batch, "numbered", lambda self: self)
    report.run("timeline", [corpus], tmp_path / "run", Settings(jobs=1))
    assert alive == list(range(len(alive) - 1, -1, -1)) and len(alive) >= 7


def test_the_corpus_stage_joins_numbered_ids_that_nothing_else_holds(corpus, tmp_path, monkeypatch):
    """Numbered ids too: once joined, no batch's own ids are left (the counter let them go)."""
    import weakref

    from netanalysis.graph import numbered_ids

    refs: list[weakref.ref] = []
    original = numbered_ids.joined_ids

    def watched(parts):
        refs.extend(weakref.ref(p) for p in parts)
        out = original(parts)
        gc.collect()
        refs.append(out)  # (the joined ids, for the check below)
        return out

    monkeypatch.setattr(batch, "CHUNK", 40)
    monkeypatch.setattr(coding_module, "joined_ids", watched)
    report.run("timeline", [corpus], tmp_path / "run", Settings(jobs=1))
    *parts, joined = refs
    assert len(parts) >= 7 and all(isinstance(r(), type(None)) for r in parts)
    assert isinstance(joined, numbered_ids.NumberedIds) and len(joined) == 300


@pytest.mark.parametrize("command, adopted", [("timeline", True), ("graph", False)])
def test_a_run_that_keeps_the_corpus_holds_its_post_ids_once(corpus, tmp_path, monkeypatch, command, adopted):
    """The corpus stage of a run that keeps the batches hands the counter the joined corpus's
    ids (the counter then holds that array, not its own pieces); a run that keeps none lets the
    counter join them. The files are those of a run that does not adopt."""
    from netanalysis.graph import counter as counter_module

    seen = []
    original = counter_module.CoMentionCounter.adopt_ids

    def spy(self, ids):
        original(self, ids)
        seen.append((len(ids), self._table().pieces))

    monkeypatch.setattr(batch, "CHUNK", 40)
    monkeypatch.setattr(counter_module.CoMentionCounter, "adopt_ids", spy)
    report.run(command, [corpus], tmp_path / "adopted", Settings(jobs=1))
    if not adopted:
        assert seen == []
        return
    [(n, pieces)] = seen
    assert n == 300 and len(pieces) == 1 and len(pieces[0]) == 300
    # (a counter that keeps its own arrays: neither lets them go nor adopts the joined ones)
    monkeypatch.setattr(counter_module.CoMentionCounter, "release_ids", lambda self: None)
    monkeypatch.setattr(counter_module.CoMentionCounter, "adopt_ids", lambda self, ids: None)
    report.run(command, [corpus], tmp_path / "own", Settings(jobs=1))
    for name in ("edges.csv", "nodes.csv", "ties.csv", "windows.csv", "changes.csv"):
        if (tmp_path / "own" / name).exists():
            assert (tmp_path / "adopted" / name).read_bytes() == (tmp_path / "own" / name).read_bytes()


def test_runs_on_disk_read_back_in_order(tmp_path):
    spill = post_ids_module._Spill()
    first = spill.append(np.arange(10, dtype=np.int32))
    second = spill.append(np.arange(100, 107, dtype=np.int32))
    runs = post_ids_module.Runs(spill, np.array([second + 2, first, first + 8]), np.array([3, 2, 0], dtype=np.int32))
    assert len(runs) == 5 and runs.load().tolist() == [102, 103, 104, 0, 1]
    ids = PostIds([np.array([5], dtype=np.int32), runs], [f"p{i}" for i in range(110)])
    assert ids.unordered_codes.tolist() == [5, 102, 103, 104, 0, 1] and list(ids)[:2] == ["p0", "p1"]


def test_the_corpus_stage_forgets_the_ids_seen_before_its_join(corpus, tmp_path, monkeypatch):
    """The hashes of every id seen (8 bytes a post) are let go before the corpus is joined."""
    from netanalysis.ingest import ids as ids_module

    seen_at_join: list[int] = []
    joined = coding_module.Batch.concat
    made: list[ids_module.UniqueIds] = []
    original_init = ids_module.UniqueIds.__init__

    def init(self):
        original_init(self)
        made.append(self)

    def concat(batches, entities):
        seen_at_join.extend(len(one) for one in made)
        return joined(batches, entities)

    monkeypatch.setattr(batch, "CHUNK", 40)
    monkeypatch.setattr(ids_module.UniqueIds, "__init__", init)
    monkeypatch.setattr(coding_module.Batch, "concat", staticmethod(concat))
    report.run("timeline", [corpus], tmp_path / "run", Settings(jobs=1))
    assert made and seen_at_join == [0] * len(made)
    assert made[0].renamed == 0 and (tmp_path / "run" / "posts.csv").read_text().count("\n") > 41  # several chunks


def test_a_counter_that_adopts_the_joined_dates_labels_the_same_statuses(corpus, monkeypatch):
    """A counter made with join_ids=False keeps no day of its own per post: the joined dates it
    adopts give the same days, a block at a time, and the same statuses as one that kept them."""
    posts = read_posts(corpus)
    posts.loc[posts.index % 4 == 0, "date"] = pd.NaT  # some undated posts
    mentions = extract_mentions(posts)
    entities, batches = _batches(posts, mentions, 17)
    kept = CoMentionCounter(entities, memberships=load_memberships())
    adopting = CoMentionCounter(entities, memberships=load_memberships(), join_ids=False)
    for one in batches:
        kept.add(one)
        adopting.add(one)
    assert adopting._days == [] and len(kept._days) == len(batches)
    with pytest.raises(RuntimeError, match="adopt_dates"):
        adopting.post_days()
    with pytest.raises(ValueError, match="dates for the"):
        adopting.adopt_dates(np.concatenate([b.dates for b in batches])[:-1])
    adopting.release_ids()
    joined = Batch.concat(list(batches), entities)
    adopting.adopt_ids(joined.post_ids)
    adopting.adopt_dates(joined.dates)
    monkeypatch.setattr(counter_module, "DAYS_BLOCK", 7)  # (days made a few posts at a time)
    assert adopting.post_days().tolist() == kept.post_days().tolist()
    assert (kept.post_days() == counter_module.post_days(np.array([counter_module.NO_DATE]))[0]).sum() > 5
    built, whole = adopting.graph(), kept.graph()
    assert nx.utils.graphs_equal(built, whole)
    statuses = [d["status"] for *_, d in whole.edges(data=True)]
    assert len(set(statuses)) > 1
    for u, v, d in built.edges(data=True):
        assert d == whole.edges[u, v]


def test_joined_starts_are_int32_below_the_limit_and_int64_from_it(monkeypatch):
    """A joined corpus keeps its links' starts as int32 below ``NARROW_ENTRIES`` links, and as
    int64 from there on, with the same values either way (the limit lowered to 4 here)."""
    import pyarrow as pa

    from netanalysis.graph import link_starts

    entities = (("country", "RU"), ("country", "CN"), ("forum", "UN"))

    def parts() -> list[Batch]:
        return [
            Batch(pa.array(["a", "b"]), np.array([1, 2]), np.array([0, 2, 3]), np.array([0, 2, 1], np.int16), entities),
            Batch(pa.array(["c", "d"]), np.array([3, 4]), np.array([0, 0, 2]), np.array([1, 2], np.int16), entities),
        ]

    narrow = Batch.concat(parts(), entities)
    assert narrow.start.dtype == np.int32 and narrow.start.tolist() == [0, 2, 3, 3, 5]
    monkeypatch.setattr(link_starts, "NARROW_ENTRIES", 4)
    wide = Batch.concat(parts(), entities)
    assert wide.start.dtype == np.int64 and wide.start.tolist() == narrow.start.tolist()
    assert link_starts.narrow_starts(np.array([0, 3], np.int64)).dtype == np.int32
    assert link_starts.narrow_starts(np.array([0, 5], np.int64)).dtype == np.int64
    # what reads a corpus's links a run of posts at a time gives the same posts from either
    assert link_starts.posts_of(narrow.start).tolist() == link_starts.posts_of(wide.start).tolist() == [0, 0, 1, 3, 3]


def test_kept_batches_share_the_runs_entities(corpus, tmp_path, monkeypatch):
    """Batches that come back from worker processes bring their own copy of the entities their
    codes stand for; a run keeping them until their join holds the run's one tuple instead."""
    import pyarrow as pa

    shared: list[bool] = []
    joined = coding_module.Batch.concat

    def concat(batches, entities):
        shared.extend(one.entities is entities for one in batches)
        return joined(batches, entities)

    monkeypatch.setattr(batch, "CHUNK", 40)
    monkeypatch.setattr(coding_module.Batch, "concat", staticmethod(concat))
    report.run("timeline", [corpus], tmp_path / "run", Settings(jobs=2))
    assert len(shared) > 1 and all(shared)
    one = Batch(pa.array(["p1"]), np.array([1]), np.array([0, 1]), np.array([0], np.int16), (("country", "RU"),))
    assert one.sharing(one.entities) is one
    same = one.sharing((("country", "RU"),))
    assert same.entities == one.entities and same.entity.tolist() == [0]
    with pytest.raises(ValueError, match="other entities"):
        one.sharing((("country", "CN"),))
