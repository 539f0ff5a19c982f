"""The figure stage: the run's figures drawn by forked workers while the other stages run.

The figures of the whole graph (the two network layouts, the overlay, the heatmap) need only
the graph and its node table: with two workers or more (``--jobs``), :func:`start_graph_figures`
hands them to a worker as soon as the graph stage has its communities, and they are drawn while
this process writes the graph files and runs the ties and time-window stages.
:func:`stage_figures` then hands the time figures but one to workers and returns; the explorer
and the report page are written meanwhile, then this process draws the last figure and waits
for the others (:func:`finish_figures`) before the run writes its manifest; when the run stops
early, the workers are killed (:func:`stop_figures`).

From :data:`FRESH_POSTS` posts on, the figures go to fresh workers instead
(:class:`FreshFigures`): a forked one counts every page of this process in its resident size.
The time figures are then all drawn there (none in this process), and the run state lets the
windows' graphs go once they are handed out.

A forked worker draws from the objects as they were when it was forked, which the later stages
only read (the explorer stage replaces the run state's corpus by its posts alone,
:func:`release_links`; a worker keeps the one it was forked with): the files are those of
drawing every figure at the figure stage, as ``--jobs 1`` does (in this process, one after the
other). Each figure is built once and saved in every format asked from that one build.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from netanalysis.memory import release_memory
from netanalysis.parallel import map_ordered, start_ordered, worker_count
from netanalysis.pipeline.state import RunResult, RunState, Stage, Staging

if TYPE_CHECKING:
    from netanalysis.graph import Batch

__all__ = ["start_graph_figures", "stage_figures", "release_links", "finish_figures", "stop_figures", "COSTLY"]

log = logging.getLogger(__name__)

#: The figures that take longest to draw, handed out first so that the workers finish together.
COSTLY = ("network_by_window", "centrality_over_time", "rank_changes", "network_force", "network_overlay")

#: Runs of fewer posts import matplotlib and its writers before forking the figure workers, once
#: for all of them (on the sample's report, importing them in each process took 0.8 s more CPU
#: and 0.3 s more wall time); larger runs leave them to the processes that draw.
PRELOAD_POSTS = 2_000

#: ``(stem, build)`` pairs: ``build()`` draws a figure (a matplotlib ``Figure``).
Made = list[tuple[str, Callable[[], Any]]]


#: From this many posts on, the whole graph's figures are drawn by fresh workers
#: (:mod:`netanalysis.parallel_fresh`), not forked ones: a child forked from this process counts
#: every page of it in its resident size (at three million benchmark posts the forked worker
#: drawing them was the run's largest process, 663 MiB, this process holding some 600 MB then).
FRESH_POSTS = 100_000


def start_graph_figures(state: RunState, staging: Staging) -> None:
    """Hand the whole graph's figures to workers now, when the command draws figures and may
    use two workers or more (one is left for this process's next stages); from
    :data:`FRESH_POSTS` posts on, to fresh workers (:class:`FreshFigures`)."""
    workers = worker_count(state.settings.jobs)
    if Stage.FIGURES not in state.command.stages or workers < 2:
        return
    made = _figure_set(state, time_figures=False)
    if _fresh(state):
        state.drawing.append(_start_fresh([stem for stem, _ in made], staging, state, jobs=workers - 1))
    else:
        state.drawing.append(_start(made, range(len(made)), staging, state, jobs=workers - 1))
    state.drawn.extend(stem for stem, _ in made)


class FreshFigures:
    """Figures of the run's figure set drawn in a fresh worker: ``work(stem)`` builds the figure
    ``stem`` and saves it in every format (picklable: the worker gets the graph, its node table,
    the overlay view's dates and, for the time figures, the timeline, the windows' graphs and
    the windows table; not the corpus).

    The worker builds the figure set from the same graph, tables and settings as
    :func:`_figure_set` does here, so a stem is the same figure. The overlay's dates
    (:func:`~netanalysis.analysis.plotdata.node_dates`, a row per node) are worked out here,
    from the corpus this process holds anyway (8-12 s of this process's graph stage at ten
    million synthetic posts): sent the corpus's dates and links instead, the worker of a
    ten-million-post report reached 1,003,836 kB as it started (249,420 kB with the table).
    The time figures go to a fresh worker too, so that this process, which then draws none of
    them, lets the windows' graphs go before the explorer stage (:func:`stage_figures`).
    """

    def __init__(self, state: RunState, stems: dict[str, Path], *, time_figures: bool = False):
        from netanalysis.analysis.plotdata import node_dates

        assert state.corpus is not None and state.graph is not None  # (start_graph_figures)
        self.graph, self.nodes, self.settings, self.stems = state.graph, state.nodes, state.settings, stems
        self.dates = None
        self.timeline = self.windows = self.window_table = None
        if time_figures:
            self.timeline, self.windows, self.window_table = state.timeline, _windows(state), state.window_table
        elif state.graph.number_of_nodes():
            self.dates = node_dates(state.corpus, nodes=state.graph.nodes)

    def __call__(self, stem: str) -> str:
        from netanalysis.render.figure_set import figure_set
        from netanalysis.render.save import save_figure

        made = dict(
            figure_set(
                self.graph,
                self.settings,
                nodes=self.nodes,
                dates=self.dates,
                timeline=self.timeline,
                windows=self.windows,
                window_table=self.window_table,
            )
        )
        save_figure(made[stem](), self.stems[stem], formats=tuple(self.settings.formats))
        return stem


def _start_fresh(
    stems: list[str], staging: Staging, state: RunState, *, jobs: int, time_figures: bool = False
) -> Generator[Any, None, None]:
    """Start ``jobs`` fresh workers drawing the figures ``stems`` (their results, in order). The
    fork server is started for the time stage's workers first when the command has that stage
    and it is yet to run, so that they find the modules it preloads."""
    from netanalysis.parallel_fresh import start_fresh_server
    from netanalysis.pipeline.time_stage import WORKERS_PRELOAD

    if Stage.TIMELINE in state.command.stages and not time_figures:
        start_fresh_server(WORKERS_PRELOAD)
    work = FreshFigures(state, _stems(stems, staging, state), time_figures=time_figures)
    with _edges_without(state.graph, "post_ids"):  # (the work's file is written in start_ordered)
        return start_ordered(work, stems, jobs=jobs, fresh=True)


@contextmanager
def _edges_without(G: Any, key: str) -> Iterator[None]:
    """``G``'s edges without the attribute ``key`` while the block runs (then put back, each
    edge's attributes in their order): the figures read no edge's posts, and at three million
    benchmark posts pickling them for the fresh worker took the run's process and the worker to
    934 MB and 968 MB (at 10,000 posts the graph pickled 1.9 MB with them, 0.14 MB without). The
    graph itself is pickled as it is, so the worker's adjacency keeps its order (which the
    layouts' sums follow)."""
    held: list[tuple[dict, dict]] = []
    try:
        for _, _, data in G.edges(data=True):
            if key in data:
                held.append((data, dict(data)))
                del data[key]
        yield
    finally:
        for data, before in held:
            data.clear()
            data.update(before)


def stage_figures(state: RunState, result: RunResult, staging: Staging) -> None:
    """The publication figures, in every format asked: the ones not handed out yet are given to
    the workers (with ``--jobs 1``, drawn here, one after the other). From :data:`FRESH_POSTS`
    posts on, fresh workers draw them all and the run state lets the windows' graphs go: nothing
    after this stage reads them in this process (at a million benchmark posts over 143 monthly
    windows they held some 54 MiB into the explorer stage, the run's peak)."""
    made = _figure_set(state, time_figures=True)
    listed = [stem for stem, _ in made]
    rest = [i for i, stem in enumerate(listed) if stem not in state.drawn]
    # the costly figures first, so that two workers finish together
    order = sorted(rest, key=lambda i: (made[i][0] not in COSTLY, i))
    workers = min(len(made), worker_count(state.settings.jobs))
    if workers < 2:
        with _frozen_heap():
            drawn = set(map_ordered(_drawer(made, staging, state), order, jobs=1))
    elif _fresh(state):
        if order:
            stems = [listed[i] for i in order]
            state.drawing.append(_start_fresh(stems, staging, state, jobs=workers - 1, time_figures=True))
        state.drawn.extend(listed[i] for i in order)
        drawn = set(state.drawn)  # (the run waits for them before its manifest)
        del made  # (its figures hold the windows' graphs)
        state.windows = None
    else:  # the last one is drawn here once the page is written (rather than by one more worker)
        there, here = order[:-1], order[-1:]
        if there:
            state.drawing.append(_start(made, there, staging, state, jobs=workers - 1))
        state.drawing.insert(0, map_ordered(_drawer(made, staging, state), here, jobs=1))  # (drawn when asked)
        state.drawn_here.extend(made[i][0] for i in here)
        state.drawn.extend(made[i][0] for i in order)
        drawn = set(state.drawn)  # (the run waits for them before its manifest)
    state.figures.extend(stem for stem in listed if stem in drawn)
    result.counts["figures"] = len(state.figures)


def _fresh(state: RunState) -> bool:
    """Whether fresh workers draw the figures (:data:`FRESH_POSTS`)."""
    return state.corpus is not None and len(state.corpus) >= FRESH_POSTS


def release_links(state: RunState) -> None:
    """Keep of the corpus only its posts' ids, dates and channels (what the explorer and the page
    read), unless a figure this process has yet to draw reads its links: the figures handed to
    forked workers read the corpus they were forked with, and the figure sets read the run
    state's when they draw (:func:`_figure_set`), so the links' arrays go (at a million benchmark
    posts, 74 MB of links and the dates' sources, which the explorer stage's peak held)."""
    from netanalysis.render.figure_set import READS_CORPUS

    if state.corpus is None or any(stem in READS_CORPUS for stem in state.drawn_here):
        return
    state.corpus = state.corpus.posts_only(("channel",))
    release_memory(collect=False)


def finish_figures(state: RunState) -> None:
    """Draw the figures left to this process, then wait for those handed to the workers (a
    worker's error is raised here)."""
    if state.drawing:
        log.info("drawing the last figure(s) and waiting for the workers' ones")
    with _frozen_heap():
        while state.drawing:
            for _ in state.drawing[0]:
                pass
            state.drawing.pop(0)


def stop_figures(state: RunState) -> None:
    """Kill the workers still drawing (the run stopped early)."""
    while state.drawing:
        state.drawing.pop().close()


@contextmanager
def _frozen_heap() -> Iterator[None]:
    """Figures drawn in this process without the garbage collector scanning the objects made
    before them.

    Drawing a figure makes and drops many objects, which sets off the collector's full passes;
    each one scans every object of the run (the corpus, the graphs, the imported modules: some
    0.1 s a pass, 0.5 s of the figures' CPU on the sample). Frozen objects are not scanned, and the
    figures' own garbage is still collected as it comes; the objects are unfrozen after (garbage
    among them is collected by the next full pass). Forked workers are already frozen
    (:func:`_start`); their copies of the objects are unaffected.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _figure_set(state: RunState, *, time_figures: bool) -> Made:
    """The run's figures as ``(stem, build)`` pairs: all, or only the whole graph's."""
    from netanalysis.render.figure_set import figure_set

    assert state.graph is not None
    return figure_set(
        state.graph,
        state.settings,
        nodes=state.nodes,
        timeline=state.timeline if time_figures else None,
        windows=_windows(state) if time_figures else None,
        # read from the run state when the overlay is drawn, so that the figures this process
        # holds for its workers do not keep the corpus's links here (release_links)
        corpus=partial(_corpus, state) if state.corpus is not None else None,
        window_table=state.window_table if time_figures else None,  # posts per window and the small flag
    )


def _windows(state: RunState) -> Any:
    """The windows' graphs the time figures draw: each window's backbone with ``--backbone``
    (as the measures)."""
    windows = state.windows
    if state.settings.backbone and windows:
        from netanalysis.analysis.edge_tests import window_backbones

        windows = window_backbones(windows)
    return windows


def _corpus(state: RunState) -> Batch:
    assert state.corpus is not None
    return state.corpus


def _drawer(made: Made, staging: Staging, state: RunState) -> Callable[[int], str]:
    """``draw(index)``: build figure ``index`` of ``made`` once and save it in every format. The
    drawing process imports matplotlib when it draws its first figure: the run's process hands
    figures to workers without loading it (it does when it draws one itself)."""
    formats = tuple(state.settings.formats)
    stems = _stems([stem for stem, _ in made], staging, state)

    def draw(index: int) -> str:
        from netanalysis.render.save import save_figure

        stem, build = made[index]
        began = time.perf_counter()
        figure = build()
        log.debug("built figure %s in %.3f s", stem, time.perf_counter() - began)
        save_figure(figure, stems[stem], formats=formats)
        return stem

    return draw


def _stems(made: Sequence[str], staging: Staging, state: RunState) -> dict[str, Path]:
    """Where each figure named in ``made`` goes, without its suffix; its file in every format is
    registered with the staging folder here (:meth:`Staging.path`), so the run lists and moves it."""
    stems = {}
    for stem in made:
        files = [staging.path(f"figures/{stem}.{fmt}") for fmt in state.settings.formats]
        stems[stem] = files[0].with_suffix("")
    return stems


def _start(
    made: Made, order: Sequence[int], staging: Staging, state: RunState, *, jobs: int
) -> Generator[Any, None, None]:
    """Fork ``jobs`` workers drawing the figures ``order`` of ``made``; their results, in order.
    From :data:`PRELOAD_POSTS` posts on, each worker imports matplotlib and its writers itself:
    this process does not hold them while it forks the time windows' workers (some 38 MB that
    each of them inherited); smaller runs import them here once."""
    draw = _drawer(made, staging, state)
    if state.corpus is None or len(state.corpus) < PRELOAD_POSTS:
        from netanalysis.render import figures  # noqa: F401
        from netanalysis.render.save import load_writers

        load_writers(state.settings.formats)
    return start_ordered(draw, order, jobs=jobs)  # (forked with the collector frozen)
