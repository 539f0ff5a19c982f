"""Post ids are unique by construction and traceable: repeated ids are renamed (or dropped with
--dedupe), the same from the API and from every command; an id never holds the post_ids
separator nor starts like a formula."""

import csv
import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import netanalysis
from netanalysis.cli import cli
from netanalysis.errors import GraphError
from netanalysis.ingest import ReadOptions
from netanalysis.ingest.ids import UniqueIds, escape_id
from netanalysis.model import IngestStats

#: The issue's three lines: one row exported twice.
REPRO = (
    "id,date,text\n"
    "1,2024-01-10,Lavrov in China at the #BRICS\n"
    "1,2024-02-10,Lavrov in China at the #BRICS\n"
    "2,2024-03-10,India at the #SCO with China\n"
)


def invoke(*args):
    return CliRunner().invoke(cli, ["-q", *map(str, args)])


def edges(folder):
    table = pd.read_csv(folder / "edges.csv", dtype={"post_ids": str}, keep_default_na=False)
    return {(r.country, r.forum): (int(r.weight), r.post_ids.split(";")) for r in table.itertuples()}


def post_ids(folder):
    return pd.read_csv(folder / "posts.csv", dtype=str, keep_default_na=False)["post_id"].tolist()


@pytest.fixture
def dup(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text(REPRO, encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["graph", "timeline", "report", "explore"])
def test_the_repeated_row_gives_weight_2_from_every_command(dup, tmp_path, command):
    out = tmp_path / command
    result = invoke(command, dup, "-o", out, "--format", "png")
    assert result.exit_code == 0, result.output
    assert edges(out)[("CN", "BRICS")] == (2, ["dup:1", "dup:1#2"])
    assert post_ids(out) == ["dup:1", "dup:1#2", "dup:2"]
    counts = json.loads((out / "manifest.json").read_text())["counts"]
    assert counts["ids_renamed"] == 1
    assert counts["ids_renamed_examples"] == [{"id": "dup:1", "renamed": "dup:1#2", "source": "dup.csv:3"}]
    mentions = pd.read_csv(out / "mentions.csv", dtype=str, keep_default_na=False)
    assert set(mentions["post_id"]) <= set(post_ids(out))
    nodes = pd.read_csv(out / "nodes.csv").set_index("node")
    assert nodes.loc["forum:BRICS", "posts"] == 2


def test_the_api_gives_the_same_weight(dup):
    stats = IngestStats()
    posts = netanalysis.read_posts(dup, stats=stats)
    assert posts["post_id"].tolist() == ["dup:1", "dup:1#2", "dup:2"]
    assert stats.renamed_ids == 1
    G = netanalysis.co_mention_graph(netanalysis.extract_mentions(posts), posts)
    assert G["country:CN"]["forum:BRICS"]["weight"] == 2
    assert list(G["country:CN"]["forum:BRICS"]["post_ids"]) == ["dup:1", "dup:1#2"]


def test_dedupe_drops_the_repeat_instead(dup, tmp_path):
    out = tmp_path / "dd"
    assert invoke("graph", dup, "-o", out, "--dedupe").exit_code == 0
    assert post_ids(out) == ["dup:1", "dup:2"]
    assert edges(out)[("CN", "BRICS")] == (1, ["dup:1"])
    counts = json.loads((out / "manifest.json").read_text())["counts"]
    assert counts["duplicates_removed"] == 1 and counts["ids_renamed"] == 0
    stats = IngestStats()
    posts = netanalysis.read_posts(dup, options=ReadOptions(dedupe=True), stats=stats)
    assert posts["post_id"].tolist() == ["dup:1", "dup:2"] and stats.duplicates == 1


def test_a_repeated_id_with_another_text_is_a_repeat_too(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("id,text\n7,China at the #BRICS\n7,India at the #SCO\n", encoding="utf-8")
    assert netanalysis.read_posts(path)["post_id"].tolist() == ["t:7", "t:7#2"]
    stats = IngestStats()
    kept = netanalysis.read_posts(path, options=ReadOptions(dedupe=True), stats=stats)
    assert kept["post_id"].tolist() == ["t:7"]
    assert stats.files[0].skipped_kinds == {"duplicate": 1}


def test_thirty_rows_of_three_ids_count_each_post_once(tmp_path):
    rows = ["id,date,text"]
    for _ in range(10):
        rows += ["1,2024-01-10,Lavrov in China at the #BRICS", "2,2024-02-10,India at the #SCO", "3,2024-03-10,#BRICS"]
    path = tmp_path / "d30.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "o"
    assert invoke("graph", path, "-o", out).exit_code == 0
    ids = post_ids(out)
    assert len(ids) == 30 and len(set(ids)) == 30
    table = pd.read_csv(out / "edges.csv")
    assert table["weight"].max() == 10
    assert table["jaccard"].between(0, 1).all()


def test_ids_repeated_across_inputs_are_renamed(tmp_path):
    # "x.csv" with channel "y" and "x:y.csv" give the same ids x:y:1
    (tmp_path / "x.csv").write_text("id,channel,text\n1,y,China at the #BRICS\n", encoding="utf-8")
    (tmp_path / "x:y.csv").write_text("id,text\n1,India at the #SCO\n", encoding="utf-8")
    files = [tmp_path / "x.csv", tmp_path / "x:y.csv"]
    posts = netanalysis.read_posts(files)
    assert posts["post_id"].tolist() == ["x:y:1", "x:y:1#2"]
    out = tmp_path / "o"
    assert invoke("graph", *files, "-o", out).exit_code == 0
    assert post_ids(out) == ["x:y:1", "x:y:1#2"]


def test_renaming_is_the_same_for_any_number_of_workers(tmp_path, monkeypatch):
    # JSON Lines are cut into partitions read by the workers: repeats across partitions
    monkeypatch.setattr(netanalysis.parallel, "CHUNK", 5)
    lines = [
        json.dumps({"id": i % 7, "date": "2024-01-01T00:00:00Z", "text": f"China {i} at the #BRICS"}) for i in range(40)
    ]
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    outs = []
    for jobs in (1, 2):
        out = tmp_path / f"j{jobs}"
        result = invoke("graph", path, "-o", out, "--jobs", jobs)
        assert result.exit_code == 0, result.output
        outs.append(out)
    assert (outs[0] / "posts.csv").read_bytes() == (outs[1] / "posts.csv").read_bytes()
    assert (outs[0] / "edges.csv").read_bytes() == (outs[1] / "edges.csv").read_bytes()
    ids = post_ids(outs[0])
    assert len(set(ids)) == 40 and ids[7] == "rows:0#2" and ids[14] == "rows:0#3"
    assert netanalysis.read_posts(path)["post_id"].tolist() == ids


def test_a_channel_with_the_separator_can_be_traced(tmp_path):
    path = tmp_path / "=t.csv"  # (a file name that starts like a formula starts every id)
    path.write_text(
        'id,channel,text\n1,"A;B",China at the #BRICS\n2,=cmd,China and the #BRICS\n3,50%,#BRICS in China\n',
        encoding="utf-8",
    )
    out = tmp_path / "o"
    assert invoke("graph", path, "-o", out).exit_code == 0
    ids = post_ids(out)
    assert ids == ["%3Dt:A%3BB:1", "%3Dt:=cmd:2", "%3Dt:50%25:3"]
    weight, listed = edges(out)[("CN", "BRICS")]
    assert weight == 3 and sorted(listed) == sorted(ids)
    channels = pd.read_csv(out / "posts.csv", dtype=str)["channel"].tolist()
    assert channels == ["A;B", "'=cmd", "50%"]  # (text cells: spreadsheet-safe)


def test_co_mention_graph_refuses_a_posts_table_with_repeated_ids():
    posts = pd.DataFrame({"post_id": ["a", "a", "b"], "date": pd.to_datetime(["2024-01-01"] * 3, utc=True)})
    mentions = pd.DataFrame({"post_id": ["a", "a", "b"], "kind": ["country", "forum", "forum"], "entity": ["CN"] * 3})
    mentions["entity"] = ["CN", "BRICS", "SCO"]
    with pytest.raises(GraphError, match=r"repeats post ids: 1 id\(s\) name several rows, e.g. 'a' \(2 rows\)"):
        netanalysis.co_mention_graph(mentions, posts)


def test_unique_ids_against_a_set():
    seen = UniqueIds()
    assert seen.unique(["a", "b", "a", "a#2", "a"]) == {2: "a#2", 3: "a#2#2", 4: "a#3"}
    assert seen.unique(["a#3", "c"]) == {0: "a#3#2"}
    assert seen.renamed == 4 and len(seen) == 7


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["a", "b", "a#2", "c:1", "c:1#2", "a#2#2", "x"]), max_size=12), max_size=8))
def test_renamed_ids_are_unique_and_first_copies_keep_theirs(batches):
    seen = UniqueIds()
    given_ids = []
    for batch in batches:
        renames = seen.unique(batch)
        out = [renames.get(i, pid) for i, pid in enumerate(batch)]
        given_ids += out
        for i, pid in enumerate(batch):
            if i in renames:
                assert renames[i].startswith(pid + "#")
    assert len(given_ids) == len(set(given_ids))
    assert len(seen) == len(given_ids)
    first = {}
    for original, new in zip([pid for batch in batches for pid in batch], given_ids):
        first.setdefault(original, new)
    # an id's first occurrence keeps it unless an earlier rename took it
    assert all(new == original or "#" in original for original, new in first.items())


def test_unique_ids_at_scale_is_exact_without_repeats():
    seen = UniqueIds()
    for start in range(0, 200_000, 2000):
        assert seen.unique([f"p:{i}" for i in range(start, start + 2000)]) == {}
    assert len(seen) == 200_000
    assert seen.unique(["p:5", "p:199999", "new"]) == {0: "p:5#2", 1: "p:199999#2"}
    assert all(np.all(np.diff(level) > 0) for level in seen._levels)


def test_levels_past_the_cap_are_not_merged_again_and_ids_stay_exact(monkeypatch):
    """Levels of LEVEL_CAP hashes or more stay as they are (a merge copies both into a third),
    and every id is still found in whichever level holds it."""
    from netanalysis.ingest import ids as ids_module

    monkeypatch.setattr(ids_module, "LEVEL_CAP", 64)
    seen = UniqueIds()
    for start in range(0, 3000, 30):
        assert seen.unique([f"p:{i}" for i in range(start, start + 30)]) == {}
    sizes = [len(level) for level in seen._levels]
    assert sum(sizes) == 3000 and max(sizes) < 2 * 64 + 30 and sum(size >= 64 for size in sizes) > 10
    assert seen.unique(["p:0", "p:1499", "p:2999", "p:3000"]) == {0: "p:0#2", 1: "p:1499#2", 2: "p:2999#2"}


def test_escape_id_is_one_to_one():
    ids = ["a;b", "a%3Bb", "=x", "%3Dx", "a%b", "-1", "@c", "plain:1", "\tt"]
    escaped = [escape_id(i) for i in ids]
    assert len(set(escaped)) == len(ids)
    assert not any(";" in e or e[0] in "=+-@\t\r" for e in escaped)


def test_posts_csv_ids_are_what_edges_list(tmp_path, sample_path):
    out = tmp_path / "o"
    assert invoke("graph", sample_path, "-o", out).exit_code == 0
    ids = set(post_ids(out))
    with open(out / "edges.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            assert set(row["post_ids"].split(";")) <= ids
