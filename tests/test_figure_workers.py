"""Figures drawn by workers while the later stages run (pipeline.drawing, parallel.start_ordered)."""

import hashlib
import multiprocessing
import os
import time
from pathlib import Path

import numpy as np
import pytest

from netanalysis import pipeline as report
from netanalysis.config import Settings
from netanalysis.graph import Batch
from netanalysis.parallel import start_ordered
from netanalysis.pipeline import runner
from netanalysis.pipeline.runner import Stage

WHOLE_GRAPH = ["network_bipartite", "network_force", "network_overlay", "heatmap"]


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "manifest.json"  # (its parameters hold --jobs)
    }


def _wait_for(paths: list[Path], seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if all(p.exists() for p in paths):
            return True
        time.sleep(0.02)
    return False


def test_start_ordered_works_before_its_results_are_asked_for_and_keeps_their_order(tmp_path):
    def work(item: int) -> int:
        time.sleep(0.05 * item)
        (tmp_path / f"done_{item}").write_text(str(os.getpid()))
        return item * 10

    results = start_ordered(work, [3, 1, 2], jobs=2)
    # nothing asked yet: the workers have the items already (map_ordered would not have started)
    assert _wait_for([tmp_path / f"done_{i}" for i in (1, 2, 3)])
    assert list(results) == [30, 10, 20]
    assert {(tmp_path / f"done_{i}").read_text() for i in (1, 2, 3)} - {str(os.getpid())}


def test_start_ordered_raises_a_workers_error_when_its_result_is_read():
    def work(item: int) -> int:
        if item == 2:
            raise ValueError("no two")
        return item

    results = start_ordered(work, [1, 2, 3], jobs=2)
    assert next(results) == 1
    with pytest.raises(ValueError, match="no two"):
        next(results)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states in /proc")
def test_closing_start_ordered_kills_its_workers():
    def work(item: int) -> int:
        time.sleep(120)
        return item

    before = set(multiprocessing.active_children())
    results = start_ordered(work, [1, 2], jobs=2)
    started = set(multiprocessing.active_children()) - before
    assert len(started) == 2
    results.close()
    # dead: gone, or a zombie not reaped yet (is_alive() would say True for ever of a child that
    # something else reaped; twice a CI run saw a worker 'alive' here, which no local run showed)
    running = [(p.pid, _state(p.pid)) for p in started if _state(p.pid) not in ("gone", "Z", "X")]
    assert not running, f"workers still running after close: {running} (pid, state)"


def _state(pid: int) -> str:
    """The state letter of process ``pid`` in /proc (``R``, ``S``, ``D``, ``Z``...), or ``gone``."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "gone"


def test_nothing_to_start_is_an_empty_iterator():
    assert list(start_ordered(len, [], jobs=2)) == []


def test_figures_drawn_while_the_later_stages_run_are_those_drawn_in_one_process(sample_path, tmp_path):
    # two workers: the whole graph's figures are forked at the end of the graph stage, before the
    # ties and time stages run; one: every figure drawn in this process at the figure stage
    report.run("report", [sample_path], tmp_path / "workers", Settings(jobs=2))
    report.run("report", [sample_path], tmp_path / "one", Settings(jobs=1))
    workers, one = _digests(tmp_path / "workers"), _digests(tmp_path / "one")
    assert sum(name.startswith("figures/") for name in one) == 21
    assert workers == one


def test_whole_graph_figures_are_handed_out_before_the_time_stages(sample_path, tmp_path, monkeypatch):
    seen = []

    def timeline(state, result, staging):
        seen.append(list(state.drawn))
        raise RuntimeError("time stage failed")

    monkeypatch.setitem(runner.STAGES, Stage.TIMELINE, timeline)
    before = set(multiprocessing.active_children())
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="time stage failed"):
        report.run("report", [sample_path], out, Settings(jobs=2))
    assert seen == [WHOLE_GRAPH]
    # the run stopped: its workers are gone, and so is every file they were writing
    assert not [p for p in set(multiprocessing.active_children()) - before if p.is_alive()]
    assert list(out.iterdir()) == []


def test_one_worker_draws_every_figure_here_once_in_every_format(sample_path, tmp_path, monkeypatch):
    import netanalysis.render.figure_set as figure_set_module
    import netanalysis.render.save as save_module

    builds: list[str] = []
    saves: list[tuple[str, tuple[str, ...]]] = []
    made_by = figure_set_module.figure_set
    save = save_module.save_figure

    def counted_set(*args, **kwargs):
        def counted(stem, build):
            def run():
                builds.append(stem)
                return build()

            return run

        return [(stem, counted(stem, build)) for stem, build in made_by(*args, **kwargs)]

    def counted_save(figure, stem, *, formats, **kwargs):
        saves.append((Path(stem).name, tuple(formats)))
        return save(figure, stem, formats=formats, **kwargs)

    monkeypatch.setattr(figure_set_module, "figure_set", counted_set)
    monkeypatch.setattr(save_module, "save_figure", counted_save)
    result = report.run("report", [sample_path], tmp_path / "out", Settings(jobs=1))
    stems = result.state.figures
    assert len(stems) == 7 and sorted(builds) == sorted(stems)  # each built once...
    assert sorted(saves) == sorted((stem, ("png", "svg", "pdf")) for stem in stems)  # ...saved once in all formats


def test_a_png_holds_the_rgb_of_the_drawn_figure(tmp_path):
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from PIL import Image

    from netanalysis.render.save import save_figure

    fig = Figure(figsize=(1.2, 0.8))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.imshow(np.arange(12).reshape(3, 4), cmap="viridis")
    ax.set_title("RGB", color="#D55E00")
    (png,) = save_figure(fig, tmp_path / "f", formats=("png",), dpi=100)
    fig.set_facecolor("white")
    buffer, (width, height) = fig.canvas.print_to_buffer()  # (the same drawing at the same dpi)
    rgba = np.frombuffer(buffer, dtype=np.uint8).reshape(height, width, 4)
    with Image.open(png) as image:
        assert image.mode == "RGB" and image.size == (width, height)
        assert np.array_equal(np.asarray(image), rgba[:, :, :3])


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_explorer_stage_lets_the_corpuss_links_go_and_writes_the_same_files(
    sample_path, tmp_path, monkeypatch, jobs
):
    # from the explorer stage on, this process keeps the posts' ids, dates and channels only: the
    # figures handed to workers (and the one drawn here last) no longer hold the corpus, so its
    # links are freed; the files are those of a run that keeps the whole corpus to its end
    import gc
    import weakref

    from netanalysis.pipeline import drawing, stages

    report.run("report", [sample_path], tmp_path / "kept", Settings(jobs=jobs))
    seen = []
    release = drawing.release_links

    def watched(state):
        before = state.corpus
        links, ids, dates = before.n_links, before.post_ids, before.dates.copy()
        gone = weakref.ref(before)
        del before
        release(state)
        gc.collect()
        seen.append((links, gone() is None, state.corpus.n_links, state.corpus.post_ids.equals(ids)))
        assert (state.corpus.dates == dates).all() and set(state.corpus.columns) <= {"channel"}

    monkeypatch.setattr(stages, "release_links", watched)
    report.run("report", [sample_path], tmp_path / "dropped", Settings(jobs=jobs))
    [(links, freed, left, same_ids)] = seen
    assert links > 0 and freed and left == 0 and same_ids
    monkeypatch.undo()
    kept, dropped = _digests(tmp_path / "kept"), _digests(tmp_path / "dropped")
    assert kept == dropped and "network.html" in kept and "figures/network_overlay.png" in kept


def test_the_corpuss_links_stay_while_a_figure_left_here_reads_them(sample_path, tmp_path):
    from netanalysis.pipeline import drawing
    from netanalysis.pipeline.state import RunState

    state = RunState(settings=Settings(), command=report.Command.REPORT)
    result = report.run("timeline", [sample_path], tmp_path / "out", Settings(jobs=1))  # (no explorer stage)
    assert result.state.corpus.n_links > 0
    state.corpus = result.state.corpus
    state.drawn_here.append("network_overlay")
    drawing.release_links(state)
    assert state.corpus is result.state.corpus
    state.drawn_here.clear()
    drawing.release_links(state)
    assert state.corpus.n_links == 0 and len(state.corpus) == len(result.state.corpus)


_PROBE = """
import json, sys
from netanalysis import pipeline
from netanalysis.config import Settings
from netanalysis.pipeline import drawing, runner
from netanalysis.pipeline.state import Stage

drawing.PRELOAD_POSTS = int(sys.argv[4])
seen = {}
for stage in (Stage.TIMELINE, Stage.EXPLORER, Stage.PAGE):
    def watched(state, result, staging, run=runner.STAGES[stage], name=stage.value):
        seen[name] = "matplotlib" in sys.modules
        return run(state, result, staging)
    runner.STAGES[stage] = watched
result = pipeline.run("report", [sys.argv[1]], sys.argv[2], Settings(jobs=int(sys.argv[3])))
print(json.dumps({"seen": seen, "figures": len(result.state.figures)}))
"""


@pytest.mark.parametrize(("jobs", "preload"), [(1, 0), (2, 0), (2, 2_000)])
def test_with_workers_the_runs_process_holds_no_matplotlib_until_it_draws(sample_path, tmp_path, jobs, preload):
    # from PRELOAD_POSTS posts on (here the sample's 12 with a bound of 0), the figure sets are
    # built and handed to workers without importing matplotlib: the workers forked for the time
    # windows do not inherit it (some 38 MB with its writers); a smaller run imports it once,
    # before forking the first figure worker; with one process, every figure is drawn at the
    # figure stage, before the explorer
    import json
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, str(sample_path), str(tmp_path / "out"), str(jobs), str(preload)],
        capture_output=True,
        text=True,
        check=True,
    )
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["figures"] == 7
    if jobs == 1:
        assert out["seen"] == {"timeline": False, "explorer": True, "page": True}
    else:
        assert out["seen"] == dict.fromkeys(["timeline", "explorer", "page"], bool(preload))


def test_figures_drawn_by_a_fresh_worker_are_those_drawn_in_one_process(sample_path, tmp_path, monkeypatch):
    # from FRESH_POSTS posts on (here 0), the figures go to fresh workers, which get the graph,
    # its nodes and the overlay's dates (the time figures: the timeline and the windows' graphs)
    # through a file, not the forked run's pages; the run state then lets the windows go
    from netanalysis import parallel
    from netanalysis.pipeline import drawing

    fresh = []
    start = parallel.start_ordered

    def watched(work, items, **kwargs):
        fresh.append((type(work).__name__, kwargs.get("fresh", False)))
        return start(work, items, **kwargs)

    from netanalysis import parallel_fresh

    shipped = []
    write = parallel_fresh.write_work

    def written(work):
        if isinstance(work, drawing.FreshFigures):  # (the edges' posts are not shipped)
            shipped.append(sum("post_ids" in d for _, _, d in work.graph.edges(data=True)))
            # nor the corpus: the overlay's dates, a row per node, worked out in the run's process
            assert not any(isinstance(v, (np.ndarray, Batch)) for v in vars(work).values())
            if work.windows is None:
                assert sorted(work.dates["node"]) == sorted(work.graph.nodes)
            else:
                assert work.dates is None and len(work.windows) and len(work.timeline)
        return write(work)

    monkeypatch.setattr(drawing, "start_ordered", watched)
    monkeypatch.setattr(parallel_fresh, "write_work", written)
    monkeypatch.setattr(drawing, "FRESH_POSTS", 0)
    result = report.run("report", [sample_path], tmp_path / "fresh", Settings(jobs=2))
    assert fresh == [("FreshFigures", True)] * 2
    assert shipped == [0, 0]
    assert result.state.windows is None and result.state.timeline is not None
    edges = list(result.state.graph.edges(data=True))  # (put back for the explorer)
    assert edges and all("post_ids" in d and list(d)[-1] != "post_ids" for _, _, d in edges)
    report.run("report", [sample_path], tmp_path / "one", Settings(jobs=1))
    workers, one = _digests(tmp_path / "fresh"), _digests(tmp_path / "one")
    assert sum(name.startswith("figures/") for name in one) == 21
    assert workers == one


def test_the_time_stages_server_preloads_the_module_of_its_workers():
    # the figure worker may start the fresh workers' server before the time stage: both ask for
    # the module the time stage's workers run, by one name
    from netanalysis.analysis.over_time import time_statistics
    from netanalysis.pipeline.time_stage import WORKERS_PRELOAD

    assert WORKERS_PRELOAD == time_statistics.__module__
