"""The mentions cache: a second run with the same inputs, registry and options skips extraction
and gives byte-identical files; any change of input or option misses the cache."""

import json

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
