"""`netanalysis report`: the whole output folder against the contract in DESIGN.md."""

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from netanalysis import pipeline as report
from netanalysis.cli import cli
from netanalysis.config import Settings
from netanalysis.pipeline import runner
from netanalysis.pipeline.runner import Stage

CONTRACT = {
    "posts.csv": ["post_id", "channel", "date", "date_source", "source", "text"],
    "mentions.csv": ["post_id", "kind", "entity", "via", "surface", "start", "end"],
    "edges.csv": [
        "country",
        "forum",
        "weight",
        "expected",
        "assoc_strength",
        "jaccard",
        "npmi",
        "p_value",
        "q_value",
        "significant",
        "first_date",
        "last_date",
        "post_ids",
    ],
    "projection_countries.csv": ["country_a", "country_b", "weight", "expected", "p_value", "q_value", "post_ids"],
    "projection_forums.csv": ["forum_a", "forum_b", "weight", "expected", "p_value", "q_value", "post_ids"],
    "projection_nodes.csv": ["projection", "node", "kind", "degree", "betweenness", "pagerank", "community"],
    "window_edges.csv": ["window_start", "window_end", "n_units", "country", "forum", "weight", "q_value"],
    "nodes.csv": [
        "node",
        "kind",
        "label",
        "posts",
        "degree",
        "strength",
        "betweenness",
        "closeness",
        "eigenvector",
        "pagerank",
        "community",
    ],
    "timeline.csv": ["window_start", "window_end", "node", "kind", "metric", "value", "rank"],
}
OTHER_FILES = [
    "changes.csv",
    "windows.csv",
    "node_intervals.csv",
    "graph.gexf",
    "graph.graphml",
    "network.html",
    "report.html",
    "manifest.json",
]
#: What the graph stage writes beside edges.csv and nodes.csv.
GRAPH_FILES = {
    "graph.gexf",
    "graph.graphml",
    "projection_countries.csv",
    "projection_countries.gexf",
    "projection_forums.csv",
    "projection_forums.gexf",
    "projection_nodes.csv",
}
FIGURES = [
    "network_bipartite",
    "network_force",
    "network_overlay",
    "heatmap",
    "centrality_over_time",
    "rank_changes",
    "network_by_window",
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory, sample_path):
    out = tmp_path_factory.mktemp("report") / "demo"
    result = CliRunner().invoke(cli, ["-q", "report", str(sample_path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }


def test_folder_has_every_file_of_the_contract(demo):
    for name, columns in CONTRACT.items():
        frame = pd.read_csv(demo / name, keep_default_na=False)
        assert [c for c in columns if c not in frame.columns] == [], name
        assert len(frame) > 0, name
    for name in OTHER_FILES:
        assert (demo / name).stat().st_size > 0, name
    for stem in FIGURES:
        for fmt in ("png", "svg", "pdf"):
            assert (demo / "figures" / f"{stem}.{fmt}").stat().st_size > 1000, (stem, fmt)
    leftovers = [p.name for p in demo.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_every_file_is_readable_by_others(demo):
    # outputs are shared with co-authors: no owner-only files (temporary files start that way)
    private = [str(p.relative_to(demo)) for p in demo.rglob("*") if p.is_file() and not p.stat().st_mode & 0o044]
    assert private == []


def test_manifest(demo, sample_path):
    m = json.loads((demo / "manifest.json").read_text())
    assert m["command"] == "report"
    assert m["versions"]["netanalysis"] and m["versions"]["networkx"] and m["versions"]["pandas"]
    [inp] = m["inputs"]
    assert inp["sha256"] == hashlib.sha256(Path(sample_path).read_bytes()).hexdigest()
    assert inp["size"] == Path(sample_path).stat().st_size
    assert m["counts"]["read"] == 12 and m["counts"]["posts"] == 12
    assert m["counts"]["read"] == len(pd.read_csv(demo / "posts.csv"))
    assert m["counts"]["undated"] == 3
    assert m["seed"] == 0 and m["parameters"]["seed"] == 0
    assert m["parameters"]["unit"] == "post"
    assert m["run"]["seconds"] >= 0
    listed = set(m["files"])
    on_disk = {str(p.relative_to(demo)) for p in demo.rglob("*") if p.is_file()}
    assert listed == on_disk


def test_report_page_links_resolve(demo):
    import re

    page = (demo / "report.html").read_text(encoding="utf-8")
    targets = set(re.findall(r'(?:href|src)="([^"]+)"', page))
    assert targets, "the page links nothing"
    for target in targets:
        assert not target.startswith(("http:", "https:", "//")), target
        assert (demo / target).is_file(), target
    for stem in FIGURES:
        assert f"figures/{stem}.png" in page
    assert "Methods" in page and "association strength" in page


def test_same_run_twice_gives_identical_files(demo, sample_path, tmp_path):
    again = tmp_path / "again"
    result = CliRunner().invoke(cli, ["-q", "report", str(sample_path), "-o", str(again)])
    assert result.exit_code == 0, result.output
    assert digest(again) == digest(demo)


def test_failing_stage_leaves_no_files_behind(tmp_path, sample_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("figure stage failed")

    monkeypatch.setitem(runner.STAGES, Stage.FIGURES, broken)
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="figure stage failed"):
        report.run("report", [sample_path], out, Settings())
    assert list(out.iterdir()) == []


def test_failing_stage_keeps_the_previous_run_intact(tmp_path, sample_path, monkeypatch):
    out = tmp_path / "out"
    report.run("parse", [sample_path], out, Settings())
    before = digest(out)
    monkeypatch.setitem(runner.STAGES, Stage.GRAPH, lambda *a, **k: (_ for _ in ()).throw(ValueError("boom")))
    with pytest.raises(ValueError):
        report.run("graph", [sample_path], out, Settings(exclude=("RU",)))
    assert digest(out) == before


def test_each_command_writes_its_files(tmp_path, sample_path):
    expected = {
        "parse": {"posts.csv", "mentions.csv", "manifest.json"},
        "graph": {"posts.csv", "mentions.csv", "edges.csv", "nodes.csv", "manifest.json", *GRAPH_FILES},
        "timeline": {
            "posts.csv",
            "mentions.csv",
            "edges.csv",
            "nodes.csv",
            "timeline.csv",
            "changes.csv",
            "window_edges.csv",
            "windows.csv",
            "node_intervals.csv",
            "manifest.json",
            *GRAPH_FILES,
        },
        "explore": {
            "posts.csv",
            "mentions.csv",
            "edges.csv",
            "nodes.csv",
            "network.html",
            "manifest.json",
            *GRAPH_FILES,
        },
    }
    for command, files in expected.items():
        out = tmp_path / command
        result = CliRunner().invoke(cli, ["-q", command, str(sample_path), "-o", str(out)])
        assert result.exit_code == 0, (command, result.output)
        assert {p.name for p in out.iterdir()} == files, command


@pytest.mark.parametrize("extra", [["--cumulative"], ["--window", "3M", "--step", "1M"], ["--freq", "quarter"]])
def test_report_runs_with_every_kind_of_window(tmp_path, sample_path, extra):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["-q", "report", str(sample_path), "-o", str(out), "--format", "png"] + extra)
    assert result.exit_code == 0, result.output
    timeline = pd.read_csv(out / "timeline.csv")
    assert timeline["window_end"].nunique() >= 2
    for stem in ("rank_changes", "centrality_over_time", "network_by_window"):
        assert (out / "figures" / f"{stem}.png").stat().st_size > 1000
