"""Change over time through the one engine: windows.csv, intervals in timeline.csv, tests in
changes.csv, the whole corpus's intervals, and what the report and the manifest say of them."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import netanalysis
from netanalysis import pipeline
from netanalysis.analysis import over_time
from netanalysis.analysis.association import unit_links
from netanalysis.analysis.over_time import TimeStatistics, time_statistics
from netanalysis.analysis.timeline import graphs_over_time, timeline_table
from netanalysis.analysis.window_source import BatchSource, FrameSource
from netanalysis.analysis.window_stats import coded_edges
from netanalysis.cli import cli
from netanalysis.config import Settings
from netanalysis.errors import ConfigError
from netanalysis.extract import extract_mentions
from netanalysis.pipeline import time_stage

COUNTRIES = ["China", "India", "Brazil", "Egypt", "Kazakhstan", "Indonesia"]
OTHER_FORUMS = ["SCO", "G20", "ASEAN"]


def _run(args: list[str]) -> None:
    result = CliRunner().invoke(cli, ["-q", *args])
    assert result.exit_code == 0, result.output


def planted_corpus(path: Path, *, posts: int = 80, before: float = 0.1, after: float = 0.5, seed: int = 7) -> Path:
    """Two months of posts naming two of six countries (independently of everything) and one
    forum: BRICS with probability ``before`` in January 2024 and ``after`` in February."""
    rng = random.Random(seed)
    lines = []
    for month, p_brics in ((1, before), (2, after)):
        for i in range(posts):
            forum = "BRICS" if rng.random() < p_brics else rng.choice(OTHER_FORUMS)
            a, b = rng.sample(COUNTRIES, 2)
            day = 1 + i % 28
            text = f"Talks of {a} and {b} at the {forum} meeting."
            record = {"id": len(lines) + 1, "date": f"2024-{month:02d}-{day:02d}T10:00:00+00:00", "text": text}
            lines.append(json.dumps({**record, "channel": "MFA"}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("planted")
    corpus = planted_corpus(folder / "posts.jsonl")
    out = folder / "out"
    _run(["report", str(corpus), "-o", str(out), "--format", "png", "--bootstrap", "100", "--permutations", "199"])
    return out


def test_a_planted_jump_in_one_share_is_found_through_the_command_line(planted):
    changes = pd.read_csv(planted / "changes.csv")
    share = changes[(changes["metric"] == "share") & changes["p_value"].notna()]
    brics = share[share["node"] == "forum:BRICS"].iloc[0]
    assert brics["value_change"] > 0.25 and brics["p_value"] < 0.01 and brics["q_value"] < 0.05
    # the countries are named independently of the month: at most one false discovery
    countries = share[share["kind"] == "country"]
    assert len(countries) == len(COUNTRIES) and (countries["q_value"] < 0.05).sum() <= 1
    page = (planted / "report.html").read_text(encoding="utf-8")
    listed = page[page.index("Significant changes over time") :]
    assert "BRICS" in listed[: listed.index("<h2>")] and "before [interval]" in listed
    assert "exact permutation tests" in listed[: listed.index("<h2>")]  # share: Fisher's exact test, no R
    manifest = json.loads((planted / "manifest.json").read_text())
    assert set(manifest["counts"]["time"]["exact_measures"]) == {"share", "posts"}
    assert brics["p_value"] < 1 / 200  # below the Monte Carlo floor of R = 199
    # its interval before and after, as timeline.csv has them
    timeline = pd.read_csv(planted / "timeline.csv")
    after = timeline[(timeline["metric"] == "share") & (timeline["node"] == "forum:BRICS")].iloc[-1]
    assert after["ci_low"] < after["value"] < after["ci_high"]
    assert f"{after['value']:.3f} [{after['ci_low']:.3f}, {after['ci_high']:.3f}]" in listed


def test_windows_csv_holds_every_window_its_size_and_its_change(planted):
    windows = pd.read_csv(planted / "windows.csv")
    assert windows["posts"].tolist() == [80, 80] and windows["units"].tolist() == [80, 80]
    assert not windows["small"].any()
    assert np.isnan(windows.loc[0, "edge_jaccard"]) and 0 < windows.loc[1, "edge_jaccard"] <= 1
    assert 0 < windows.loc[1, "weighted_jaccard"] < 1
    posts = pd.read_csv(planted / "posts.csv")
    assert windows["posts"].sum() == len(posts)


@pytest.mark.parametrize("options", [{}, {"unit": "sentence", "exclude": ("RU",), "min_weight": 2}])
def test_timeline_values_and_ranks_are_those_of_the_window_graphs(sample_path, tmp_path, options):
    """timeline.csv (computed from the coded posts) equals timeline_table over graphs_over_time,
    and its share is the posts naming a node over the window's units."""
    result = pipeline.run(
        "timeline", [sample_path], tmp_path / "out", Settings(bootstrap=20, permutations=19, **options)
    )
    written = pd.read_csv(tmp_path / "out" / "timeline.csv")
    assert list(written.columns) == [
        "window_start",
        "window_end",
        "node",
        "kind",
        "metric",
        "value",
        "ci_low",
        "ci_high",
        "rank",
        "rank_low",
        "rank_high",
    ]
    timeline = result.state.timeline
    graph_metrics = ["posts", "degree", "strength", "betweenness", "eigenvector", "pagerank", "pagerank_scaled"]
    expected = timeline_table(result.state.windows, metrics=graph_metrics)
    keys = ["window_start", "window_end", "node", "metric"]
    merged = expected.merge(timeline, on=keys, how="outer", suffixes=("", "_time"), indicator=True)
    merged = merged[merged["metric"] != "share"]
    assert (merged["_merge"] == "both").all()
    assert merged["value_time"].to_numpy() == pytest.approx(merged["value"].to_numpy(), abs=1e-12)
    assert (merged["rank_time"] == merged["rank"]).all()
    windows = result.state.window_table.set_index("window_start")
    share = timeline[timeline["metric"] == "share"].set_index(["window_start", "node"])["value"]
    posts = timeline[timeline["metric"] == "posts"].set_index(["window_start", "node"])["value"]
    units = windows.loc[share.index.get_level_values(0), "units"].to_numpy()
    assert share.to_numpy() == pytest.approx(posts.loc[share.index].to_numpy() / units)


def test_whole_corpus_intervals_hold_the_values_of_nodes_csv(planted):
    nodes = pd.read_csv(planted / "nodes.csv").set_index("node")
    intervals = pd.read_csv(planted / "node_intervals.csv")
    for metric in ("degree", "strength", "betweenness", "eigenvector", "pagerank", "pagerank_scaled", "posts"):
        rows = intervals[intervals["metric"] == metric].set_index("node")
        assert rows["value"].to_numpy() == pytest.approx(nodes.loc[rows.index, metric].to_numpy(), abs=1e-12)
        assert (rows["ci_low"] <= rows["value"] + 1e-12).all() and (rows["value"] <= rows["ci_high"] + 1e-12).all()
    page = (planted / "report.html").read_text(encoding="utf-8")
    assert "rank (95% interval)" in page and "tier" in page


@pytest.mark.parametrize("chunk", [3, 1_000_000])  # links coded a few posts at a time, or at once
def test_the_coded_corpus_gives_the_windows_of_the_tables(chunk, sample_path, tmp_path, monkeypatch):
    """BatchSource (the command line's corpus) and FrameSource (the API's tables) code the same
    windows, for every unit and with an exclusion."""
    from netanalysis.analysis import link_sums

    monkeypatch.setattr(link_sums, "PAIR_CHUNK", chunk)
    posts = netanalysis.read_posts(sample_path)
    mentions = extract_mentions(posts)
    cases = (
        ("post", (), set()),
        ("paragraph", ("RU",), {("country", "RU")}),
        ("sentence", ("forum:UN",), {("forum", "UN")}),
    )
    for unit, exclude, dropped in cases:
        result = pipeline.run("timeline", [sample_path], tmp_path / unit, Settings(unit=unit, bootstrap=0))
        batch = BatchSource(result.state.corpus, unit=unit, exclude=exclude)
        links = unit_links(mentions, posts, unit=unit)
        kept = [(k, e) not in dropped for k, e in zip(links["kind"], links["entity"])]
        frames = FrameSource(posts, links[kept], unit=unit)
        assert (batch.dates == frames.dates).all()
        for lo, hi, _ in graphs_over_time(mentions, posts):
            a, b = batch.code(batch.mask(lo, hi)), frames.code(frames.mask(lo, hi))
            assert a.nodes == b.nodes and a.units.tolist() == b.units.tolist(), (unit, lo)
            assert a.topical.tolist() == b.topical.tolist()
            assert coded_edges(a) == coded_edges(b)
        whole = batch.code(np.ones(len(batch), dtype=bool))
        assert whole.n_posts == len(posts) == 12
        if unit == "post":  # (a unit each: ones that take no memory, as the counts of whole posts)
            assert whole.units.strides == (0,) and whole.units.tolist() == [1] * 12


def test_a_window_is_coded_without_arrays_over_the_whole_corpus():
    """Coding a few posts of a large corpus allocates for those posts only (the windows table,
    each bootstrap and each change test code windows; arrays over every post or link of the
    corpus took 24-36 MB a window at three million posts), and gives the window of those posts
    alone."""
    import tracemalloc

    import pyarrow as pa

    from netanalysis.graph import Batch
    from netanalysis.graph.link_starts import starts

    entities = (("country", "CN"), ("country", "IN"), ("country", "RU"), ("forum", "BRICS"), ("forum", "UN"))
    n = 300_000
    rng = np.random.default_rng(3)
    per_post = rng.integers(0, 5, size=n)
    entity = np.concatenate([rng.permutation(5)[:k] for k in per_post]).astype(np.int16)
    ids = pa.array([f"p:{i}" for i in range(n)])
    big = Batch(ids, np.arange(n, dtype=np.int64), starts(per_post), entity, entities)
    source = BatchSource(big)
    keep = np.zeros(n, dtype=bool)
    keep[[5, 70_000, 299_999]] = True
    tracemalloc.start()
    window = source.code(keep)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 200_000, peak  # (300,000 posts: 2.4 MB an int64 array over them)
    small = [5, 70_000, 299_999]
    alone = Batch(
        pa.array([f"p:{i}" for i in small]),
        np.array(small, dtype=np.int64),
        starts(per_post[small]),
        np.concatenate([entity[big.start[i] : big.start[i + 1]] for i in small]),
        entities,
    )
    other = BatchSource(alone).code(np.ones(3, dtype=bool))
    assert window.post_ids.tolist() == small and window.nodes == other.nodes
    assert coded_edges(window) == coded_edges(other) and window.topical.tolist() == other.topical.tolist()


def test_the_whole_corpus_worker_is_sent_no_dates(sample_path, tmp_path):
    """The source the whole corpus's worker gets codes the same windows, without the posts'
    dates and inferred flags (nine bytes a post it would hold to the end of its coding)."""
    import pickle

    result = pipeline.run("timeline", [sample_path], tmp_path / "run", Settings(bootstrap=0))
    source = BatchSource(result.state.corpus)
    whole = over_time._WholeCorpus(source, {}, 0)
    light = whole.source
    assert isinstance(light, BatchSource) and len(light) == len(source) == 12
    assert len(light.dates) == 0 and len(light.inferred) == 0 and len(source.dates) == 12
    every = np.ones(12, dtype=bool)
    assert coded_edges(light.code(every)) == coded_edges(source.code(every))
    assert len(pickle.dumps(light, protocol=5)) <= len(pickle.dumps(source, protocol=5)) - 9 * 12
    with pytest.raises(RuntimeError, match="for coding only"):
        light.mask("2024-01-01", "2025-01-01")
    # the worker's copy lets its links go once every post is coded, not the run's source
    released = light.code_every_post(release=True)
    assert coded_edges(released) == coded_edges(source.code(every)) and released.n_posts == 12
    assert len(light._entity) == 0 and len(source._entity) == len(result.state.corpus.entity) > 0
    with pytest.raises(RuntimeError, match="let its links go"):
        light.code(every)
    assert coded_edges(source.code_every_post()) == coded_edges(source.code(every))


def test_no_bootstrap_and_no_tests_leave_the_columns_empty_and_say_so(sample_path, tmp_path):
    out = tmp_path / "out"
    _run(["report", str(sample_path), "-o", str(out), "--format", "png", "--bootstrap", "0", "--permutations", "0"])
    timeline = pd.read_csv(out / "timeline.csv")
    changes = pd.read_csv(out / "changes.csv")
    assert timeline[["ci_low", "ci_high", "rank_low", "rank_high"]].isna().all().all()
    assert changes[["ci_low", "ci_high", "p_value", "q_value"]].isna().all().all()
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Changes were not tested" in page and "No bootstrap intervals" in page
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["parameters"]["bootstrap"] == 0 and manifest["counts"]["time"]["permutations"] == 0


def test_the_sample_report_warns_of_small_windows_and_lists_no_noise(sample_path, tmp_path):
    out = tmp_path / "out"
    _run(["report", str(sample_path), "-o", str(out), "--format", "png"])
    windows = pd.read_csv(out / "windows.csv")
    assert windows["small"].all() and windows["posts"].max() <= 2  # one or two posts a month
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Most windows are small" in page and f"{len(windows)} of them hold fewer than 20 posts" in page
    assert "No change of share between consecutive windows is significant" in page
    changes = pd.read_csv(out / "changes.csv")
    tested = changes[changes["p_value"].notna()]
    assert len(tested) and tested["p_value"].min() > 0.25  # three posts have three reassignments: p near 1/3
    assert changes.loc[changes["metric"] == "betweenness", "p_value"].isna().all()  # not tested: cost
    manifest = json.loads((out / "manifest.json").read_text())
    params, time = manifest["parameters"], manifest["counts"]["time"]
    assert (params["bootstrap"], params["permutations"], params["min_posts"], params["alpha"]) == (200, 999, 20, 0.05)
    assert params["metric"] == "share" and time["baseline"] == "all-units" and time["small_windows"] == len(windows)
    assert time["bootstrap_seeds"].startswith("window k: [0, k]")
    communities = manifest["counts"]["communities"]
    assert 0 < communities["modularity"] < 1 and 0 <= communities["stability"] <= 1
    methods = page[page.index("<h2>Methods") :]
    for needed in ("B = 200", "R = 999", "Efron", "Phipson", "Benjamini", "Lancichinetti", "modularity Q", "share"):
        assert needed in methods, needed


def test_every_output_numbers_the_communities_alike(planted):
    nodes = pd.read_csv(planted / "nodes.csv").set_index("node")["community"]
    for name in ("graph.graphml", "graph.gexf"):
        G = nx.read_graphml(planted / name) if name.endswith("graphml") else nx.read_gexf(planted / name)
        found = {n: int(d["community"]) for n, d in G.nodes(data=True)}
        assert found == nodes.to_dict(), name
    html = (planted / "network.html").read_text(encoding="utf-8")
    for node, community in nodes.items():
        assert f'"{node}"' in html
    assert nodes.nunique() >= 1


def test_results_do_not_depend_on_the_workers(tmp_path, monkeypatch):
    corpus = planted_corpus(tmp_path / "posts.jsonl", posts=40)
    monkeypatch.setattr(time_stage, "PARALLEL_POSTS", 0)  # use the workers even on a small corpus
    for jobs in (1, 2):
        options = ["--bootstrap", "30", "--permutations", "49", "--jobs", str(jobs), "--freq", "week"]
        _run(["timeline", str(corpus), "-o", str(tmp_path / f"jobs{jobs}"), *options])
    for name in ("windows.csv", "timeline.csv", "changes.csv", "node_intervals.csv"):
        assert (tmp_path / "jobs1" / name).read_bytes() == (tmp_path / "jobs2" / name).read_bytes(), name


def test_the_timeline_stage_starts_its_workers_server_early_and_stops_it(tmp_path, monkeypatch):
    # (started while the windows' graphs are built; stopped once the stage's workers are done, so
    # that it neither holds memory for the rest of the run nor outlives it)
    from multiprocessing import forkserver

    from netanalysis import parallel_fresh

    corpus = planted_corpus(tmp_path / "posts.jsonl", posts=40)
    monkeypatch.setattr(time_stage, "PARALLEL_POSTS", 0)
    started, real = [], parallel_fresh.start_fresh_server
    monkeypatch.setattr(parallel_fresh, "start_fresh_server", lambda module: (started.append(module), real(module)))
    _run(
        [
            "timeline",
            str(corpus),
            "-o",
            str(tmp_path / "out"),
            "--bootstrap",
            "10",
            "--permutations",
            "9",
            "--jobs",
            "2",
        ]
    )
    assert started == ["netanalysis.analysis.over_time"]
    assert forkserver._forkserver._forkserver_pid is None


@pytest.mark.parametrize(
    "args, message",
    [
        (["--bootstrap", "-1"], "bootstrap must be 0 or more"),
        (["--permutations", "-5"], "permutations must be 0 or more"),
        (["--min-posts", "-1"], "min_posts must be 0 or more"),
        (["--alpha", "1.5"], "alpha must be between 0 and 1"),
        (["--metric", "authority"], "metric must be one of share"),
    ],
)
def test_bad_options_are_one_clear_error(sample_path, tmp_path, args, message):
    result = CliRunner().invoke(cli, ["timeline", str(sample_path), "-o", str(tmp_path / "out"), *args])
    assert result.exit_code != 0 and message in result.output and "Traceback" not in result.output


def test_betweenness_has_intervals_unless_path_weights_redefine_it(planted, sample_path, tmp_path):
    """The bootstrap's betweenness (over hops) is that of the window graphs: it keeps its intervals;
    with --path-weights (paths of length 1/weight) it comes from the measured windows, without."""
    timeline = pd.read_csv(planted / "timeline.csv")
    between = timeline[timeline["metric"] == "betweenness"]
    assert len(between) and between[["ci_low", "ci_high", "rank_low", "rank_high"]].notna().all().all()
    assert (between["ci_low"] <= between["value"] + 1e-12).all() and (
        between["value"] <= between["ci_high"] + 1e-12
    ).all()
    manifest = json.loads((planted / "manifest.json").read_text())
    assert manifest["counts"]["time"]["without_intervals"] == []
    result = pipeline.run(
        "timeline", [sample_path], tmp_path / "paths", Settings(path_weights=True, bootstrap=20, permutations=0)
    )
    weighted = result.state.timeline
    assert weighted.loc[weighted["metric"] == "betweenness", "ci_low"].isna().all()
    assert weighted.loc[weighted["metric"] == "share", "ci_low"].notna().any()
    assert weighted.attrs["redefined"] == ["betweenness"]


def _sample_statistics(jobs: int) -> TimeStatistics:
    sample = Path(__file__).parents[1] / "examples" / "mfa_channel_sample.txt"
    posts = netanalysis.read_posts(sample)
    mentions = extract_mentions(posts)
    windows = [(lo, hi) for lo, hi, _ in graphs_over_time(mentions, posts)]
    return time_statistics(posts, unit_links(mentions, posts), windows, replicates=40, permutations=49, jobs=jobs)


class _WholeCorpusTellingItsProcess(over_time._WholeCorpus):
    """The whole corpus's intervals with the process that computed them (a class of this
    module, not a patch: the worker is started afresh and imports it, where a patched function
    would be this process's alone)."""

    def __call__(self, item):
        frame = super().__call__(item)
        frame.attrs["pid"] = os.getpid()
        return frame


class _FailingWholeCorpus(over_time._WholeCorpus):
    def __call__(self, item):
        raise ConfigError("no intervals today")


def test_with_workers_the_whole_corpus_is_resampled_in_a_worker_of_its_own(monkeypatch):
    # the largest arrays of a run (the whole corpus coded) are not this process's (see _WholeCorpus)
    monkeypatch.setattr(over_time, "_WholeCorpus", _WholeCorpusTellingItsProcess)
    alone, with_workers = _sample_statistics(1), _sample_statistics(2)
    pids = [alone.overall.attrs.pop("pid"), with_workers.overall.attrs.pop("pid")]
    assert pids[0] == os.getpid() != pids[1]
    pd.testing.assert_frame_equal(alone.overall, with_workers.overall)
    assert alone.overall.attrs == with_workers.overall.attrs
    pd.testing.assert_frame_equal(alone.timeline, with_workers.timeline)


def test_an_error_in_the_whole_corpus_worker_is_raised_here(monkeypatch):
    monkeypatch.setattr(over_time, "_WholeCorpus", _FailingWholeCorpus)
    with pytest.raises(ConfigError, match="no intervals today"):
        _sample_statistics(2)


def test_the_whole_corpus_drops_its_source_once_coded_and_runs_once(monkeypatch):
    """The source's arrays (a fresh worker's own copy of the corpus's links and dates) are gone
    before the replicates are drawn, and the intervals are those of a source kept throughout."""
    import weakref

    sample = Path(__file__).parents[1] / "examples" / "mfa_channel_sample.txt"
    posts = netanalysis.read_posts(sample)
    mentions = extract_mentions(posts)
    options = dict(measures=["share", "degree"], replicates=30, level=0.95, min_weight=1, baseline="all-units")
    expected = over_time.bootstrap_coded(
        FrameSource(posts, unit_links(mentions, posts), unit="post").code(np.ones(len(posts), dtype=bool)),
        seed=[0, over_time.WHOLE_CORPUS],
        **options,
    )
    whole = over_time._WholeCorpus(FrameSource(posts, unit_links(mentions, posts), unit="post"), options, 0)
    source = weakref.ref(whole.source)
    alive = []
    bootstrap = over_time.bootstrap_coded

    def watched(corpus, **kw):
        alive.append(source() is not None)
        return bootstrap(corpus, **kw)

    monkeypatch.setattr(over_time, "bootstrap_coded", watched)
    overall = whole(0)
    assert alive == [False] and whole.source is None
    pd.testing.assert_frame_equal(overall, expected[over_time.NODE_INTERVAL_COLUMNS].reset_index(drop=True))
    with pytest.raises(RuntimeError, match="computed once"):
        whole(0)
