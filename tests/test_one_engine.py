"""One engine, two faces: the Python API and the command line run the same counter on the same
coded corpus, and an option such as ``--exclude`` means the same thing in every output."""

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import netanalysis
from netanalysis.cli import cli
from netanalysis.io import write_csv, write_edges_csv, write_projection_csv
from netanalysis.registry import load_registry

ROWS = [
    ("2024-01-05", "Australia and Russia met at the #BRICS summit; China joined."),
    ("2024-01-20", "The African Union and Russia at the #UN. #AfricanUnion"),
    ("2024-02-03", "Australia, China and the African Union discussed the #G20 agenda. #AfricanUnion"),
    ("2024-02-17", "Russia and India at the #SCO; Australia at the #G20."),
    ("2024-03-09", "The #AfricanUnion and China at the #BRICS. India too."),
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("au") / "au.jsonl"
    path.write_text(
        "".join(
            json.dumps({"id": i + 1, "date": f"{d}T10:00:00+00:00", "channel": "MFA", "text": t}) + "\n"
            for i, (d, t) in enumerate(ROWS)
        ),
        encoding="utf-8",
    )
    return path


def _run(args: list[str]) -> None:
    result = CliRunner().invoke(cli, ["-q", *args])
    assert result.exit_code == 0, result.output


def _entities(out: Path) -> dict[str, set[str]]:
    """Which country and forum ids each output of a run names."""
    mentions = pd.read_csv(out / "mentions.csv", keep_default_na=False)
    edges = pd.read_csv(out / "edges.csv", keep_default_na=False)
    nodes = pd.read_csv(out / "nodes.csv", keep_default_na=False)
    timeline = pd.read_csv(out / "timeline.csv", keep_default_na=False)
    changes = pd.read_csv(out / "changes.csv", keep_default_na=False)
    html = (out / "network.html").read_text(encoding="utf-8")
    gexf = (out / "graph.gexf").read_text(encoding="utf-8")
    graphml = (out / "graph.graphml").read_text(encoding="utf-8")
    seen = {}
    for node in ("country:AU", "forum:AU"):
        kind, entity = node.split(":")
        where = set()
        if ((mentions["kind"] == kind) & (mentions["entity"] == entity)).any():
            where.add("mentions.csv")
        if (edges[kind] == entity).any():
            where.add("edges.csv")
        for name, frame in (("nodes.csv", nodes), ("timeline.csv", timeline), ("changes.csv", changes)):
            if (frame["node"] == node).any():
                where.add(name)
        for name, text in (("network.html", html), ("graph.gexf", gexf), ("graph.graphml", graphml)):
            if f'"{node}"' in text:
                where.add(name)
        seen[node] = where
    return seen


EVERY_OUTPUT = {
    "mentions.csv",
    "edges.csv",
    "nodes.csv",
    "timeline.csv",
    "changes.csv",
    "network.html",
    "graph.gexf",
    "graph.graphml",
}


@pytest.mark.parametrize("excluded, kept", [("country:AU", "forum:AU"), ("forum:AU", "country:AU")])
def test_exclude_with_a_kind_removes_exactly_that_entity_from_every_output(corpus, tmp_path, excluded, kept):
    _run(["report", str(corpus), "-o", str(tmp_path / "all"), "--format", "png"])
    _run(["report", str(corpus), "-o", str(tmp_path / "out"), "--format", "png", "--exclude", excluded])
    assert _entities(tmp_path / "all") == {"country:AU": EVERY_OUTPUT, "forum:AU": EVERY_OUTPUT}
    seen = _entities(tmp_path / "out")
    assert seen[excluded] == set() and seen[kept] == EVERY_OUTPUT
    # the other AU keeps every edge but the one to the excluded AU, with the same weights
    side, other = ("country", "forum") if excluded.startswith("country") else ("forum", "country")
    before = pd.read_csv(tmp_path / "all" / "edges.csv")
    after = pd.read_csv(tmp_path / "out" / "edges.csv")
    columns = ["country", "forum", "weight"]
    expected = before[(before[other] == "AU") & (before[side] != "AU")].reset_index(drop=True)[columns]
    pd.testing.assert_frame_equal(after[after[other] == "AU"].reset_index(drop=True)[columns], expected)
    assert len(expected) >= 2


@pytest.mark.parametrize("excluded, kept", [("country:AU", "forum:AU"), ("forum:AU", "country:AU")])
def test_exclude_with_a_kind_in_the_api(corpus, excluded, kept):
    posts = netanalysis.read_posts(corpus)
    mentions = netanalysis.extract_mentions(posts, exclude=[excluded])
    kinds = set(zip(mentions["kind"], mentions["entity"]))
    assert tuple(excluded.split(":")) not in kinds and tuple(kept.split(":")) in kinds
    # the graph applies the same exclusion to a table extracted without it
    everything = netanalysis.extract_mentions(posts)
    for table in (mentions, everything):
        G = netanalysis.co_mention_graph(table, posts, exclude=[excluded])
        assert excluded not in G and kept in G
        windows = netanalysis.graphs_over_time(table, posts, exclude=[excluded])
        assert not any(excluded in W for _, _, W in windows) and any(kept in W for _, _, W in windows)
    both = netanalysis.co_mention_graph(everything, posts, exclude=["AU"])
    assert "country:AU" not in both and "forum:AU" not in both


@pytest.mark.parametrize("options", [{}, {"unit": "sentence", "exclude": ["RU"], "min_weight": 2}])
def test_the_api_and_the_command_line_write_the_same_edges_and_nodes(sample_path, tmp_path, options):
    args = ["report", str(sample_path), "-o", str(tmp_path / "cli"), "--format", "png"]
    for value in options.get("exclude", []):
        args += ["--exclude", value]
    if "unit" in options:
        args += ["--unit", options["unit"], "--min-weight", str(options["min_weight"])]
    _run(args)
    # the notebook session of the README
    posts = netanalysis.read_posts(sample_path)
    mentions = netanalysis.extract_mentions(posts, exclude=options.get("exclude", ()))
    graph_options = {
        "unit": options.get("unit", "post"),
        "min_weight": options.get("min_weight", 1),
        "labels": load_registry().label,
    }
    G = netanalysis.validate_edges(netanalysis.co_mention_graph(mentions, posts, **graph_options))
    nodes = netanalysis.centrality_table(G, seed=0)
    write_edges_csv(G, tmp_path / "edges.csv")
    write_csv(nodes, tmp_path / "nodes.csv")
    for side, name in (("country", "projection_countries.csv"), ("forum", "projection_forums.csv")):
        P = netanalysis.validate_edges(netanalysis.projection_graph(mentions, posts, side=side, **graph_options))
        write_projection_csv(P, tmp_path / name)
    names = ("edges.csv", "nodes.csv", "projection_countries.csv", "projection_forums.csv")
    for name in names:
        assert (tmp_path / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name


def test_python_dash_m_runs_the_command_line(sample_path, tmp_path):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "netanalysis", "--help"], capture_output=True, text=True, check=True)
    assert "Usage: netanalysis" in done.stdout and "report" in done.stdout


def test_the_readme_stream_of_batches_gives_the_whole_graph(sample_path):
    import dataclasses

    import networkx as nx

    from netanalysis.errors import GraphError
    from netanalysis.graph import CoMentionCounter, entity_list, from_tables
    from netanalysis.parallel import chunked
    from netanalysis.registry import load_memberships

    registry = load_registry()
    counter = CoMentionCounter(
        entity_list(registry), exclude=["RU"], labels=registry.label, memberships=load_memberships()
    )
    for chunk in chunked(netanalysis.iter_posts(sample_path), 5):  # three batches
        posts = pd.DataFrame([dataclasses.asdict(post) for post in chunk])
        batch, _ = from_tables(netanalysis.extract_mentions(posts, registry), posts, entities=counter.entities)
        counter.add(batch)
    streamed = counter.graph()
    posts = netanalysis.read_posts(sample_path)
    whole = netanalysis.co_mention_graph(
        netanalysis.extract_mentions(posts), posts, exclude=["RU"], labels=registry.label
    )
    assert nx.utils.graphs_equal(streamed, whole) and streamed.graph == whole.graph
    assert all(d == whole.edges[u, v] for u, v, d in streamed.edges(data=True))
    with pytest.raises(GraphError, match="forum:XYZ"):
        from_tables(pd.DataFrame({"post_id": ["p"], "kind": ["forum"], "entity": ["XYZ"]}), entities=counter.entities)
