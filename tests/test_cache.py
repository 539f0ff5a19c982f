"""The mentions cache: a second run with the same inputs, registry and options skips extraction
and gives byte-identical files; any change of input or option misses the cache."""

import json

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from netanalysis.cli import cli


def run(args, out):
    result = CliRunner().invoke(cli, ["-q", "graph", *args, "-o", str(out), "--cache"])
    assert result.exit_code == 0, result.output
    return json.loads((out / "manifest.json").read_text())["counts"]["mentions_cache"]


def files(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name != "manifest.json"}


def test_cache_hit_gives_identical_output(tmp_path, sample_path, monkeypatch):
    monkeypatch.setenv("NETANALYSIS_CACHE_DIR", str(tmp_path / "cache"))
    plain = tmp_path / "plain"
    result = CliRunner().invoke(cli, ["-q", "graph", str(sample_path), "-o", str(plain)])
    assert result.exit_code == 0, result.output
    assert run([str(sample_path)], tmp_path / "first") == "stored"
    assert run([str(sample_path)], tmp_path / "second") == "hit"
    assert len(list((tmp_path / "cache").iterdir())) == 1
    assert files(tmp_path / "second") == files(tmp_path / "first") == files(plain)


def test_changed_options_or_inputs_miss_the_cache(tmp_path, sample_path, monkeypatch):
    monkeypatch.setenv("NETANALYSIS_CACHE_DIR", str(tmp_path / "cache"))
    assert run([str(sample_path)], tmp_path / "a") == "stored"
    assert run([str(sample_path), "--exclude", "RU"], tmp_path / "b") == "stored"
    changed = tmp_path / "changed.txt"
    changed.write_text(sample_path.read_text(encoding="utf-8") + "\n#BRICS #India\n", encoding="utf-8")
    assert run([str(changed)], tmp_path / "c") == "stored"
    assert run([str(sample_path), "--exclude", "RU"], tmp_path / "d") == "hit"
    assert len(list((tmp_path / "cache").iterdir())) == 3


def test_cache_hit_feeds_the_explorer_the_same_texts(tmp_path, sample_path, monkeypatch):
    # the explorer's tooltips need the posts' text, which a cache hit reads back from posts.csv
    monkeypatch.setenv("NETANALYSIS_CACHE_DIR", str(tmp_path / "cache"))
    outs = []
    for name in ("first", "second"):
        result = CliRunner().invoke(cli, ["-q", "explore", str(sample_path), "-o", str(tmp_path / name), "--cache"])
        assert result.exit_code == 0, result.output
        outs.append(json.loads((tmp_path / name / "manifest.json").read_text())["counts"]["mentions_cache"])
    assert outs == ["stored", "hit"]
    html = (tmp_path / "second" / "network.html").read_text(encoding="utf-8")
    assert html == (tmp_path / "first" / "network.html").read_text(encoding="utf-8")
    assert "Lavrov" in html  # post text reached the tooltips


@pytest.mark.parametrize("unit", ["post", "paragraph"])
def test_an_entry_written_a_slice_at_a_time_reads_back_the_same(tmp_path, sample_path, monkeypatch, unit):
    # the entry's tables are written a row group of a few posts (and links) at a time, and the
    # hit counts its corpus a few posts at a time: it gives the same files as the run that
    # stored it and as a run without the cache
    from netanalysis.pipeline import cache, corpus

    monkeypatch.setenv("NETANALYSIS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "POSTS_PER_GROUP", 5)
    monkeypatch.setattr(cache, "LINKS_PER_GROUP", 7)
    monkeypatch.setattr(corpus, "LOADED_POSTS", 4)  # (the hit's corpus counted four posts at a time)
    args = [str(sample_path), "--unit", unit]
    plain = tmp_path / "plain"
    result = CliRunner().invoke(cli, ["-q", "timeline", *args, "-o", str(plain), "--bootstrap", "20"])
    assert result.exit_code == 0, result.output
    outs = []
    for name in ("first", "second"):
        result = CliRunner().invoke(
            cli, ["-q", "timeline", *args, "-o", str(tmp_path / name), "--bootstrap", "20", "--cache"]
        )
        assert result.exit_code == 0, result.output
        outs.append(json.loads((tmp_path / name / "manifest.json").read_text())["counts"]["mentions_cache"])
    assert outs == ["stored", "hit"]
    assert files(tmp_path / "second") == files(tmp_path / "first") == files(plain)
    [entry] = (tmp_path / "cache").iterdir()
    posts, links = pq.ParquetFile(entry / "posts.parquet"), pq.ParquetFile(entry / "links.parquet")
    assert posts.metadata.num_rows == 12 and posts.num_row_groups == 3
    assert links.num_row_groups == -(-links.metadata.num_rows // 7) > 1
    assert ("unit" in links.schema_arrow.names) == (unit == "paragraph")


def test_a_graph_run_keeps_no_corpus_with_the_cache_either(tmp_path, sample_path, monkeypatch):
    """``graph`` keeps no per-post data past the corpus stage (only the counter): with ``--cache``
    the corpus is kept to be stored, or read back whole, and then let go before the graph stage,
    as in a run without the cache."""
    from netanalysis.pipeline import runner
    from netanalysis.pipeline.state import Stage

    monkeypatch.setenv("NETANALYSIS_CACHE_DIR", str(tmp_path / "cache"))
    seen = []

    def watched(state, result, staging, graph=runner.STAGES[Stage.GRAPH]):
        seen.append((state.corpus is None, state.csv_blocks is None, state.counter is not None))
        return graph(state, result, staging)

    monkeypatch.setitem(runner.STAGES, Stage.GRAPH, watched)
    result = CliRunner().invoke(cli, ["-q", "graph", str(sample_path), "-o", str(tmp_path / "plain")])
    assert result.exit_code == 0, result.output
    assert [run([str(sample_path)], tmp_path / name) for name in ("first", "second")] == ["stored", "hit"]
    assert seen == [(True, True, True)] * 3
    assert files(tmp_path / "second") == files(tmp_path / "first") == files(tmp_path / "plain")
