"""Running a command: its stages in order, into a staging folder swapped in whole.

A command runs a prefix of the stages (:class:`Command`); each stage reads and fills one typed
:class:`RunState`. Files are written into a hidden staging folder inside the locked output
folder, ``manifest.json`` included, and moved into place in one journaled step only when every
stage succeeded (:mod:`netanalysis.io.outdir`), so a failing, interrupted or killed run leaves
the folder as it was, and a run never leaves the files of an earlier run beside its own.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from netanalysis.config import Settings
from netanalysis.errors import OutputError, raise_if_stopped
from netanalysis.ingest import expand_inputs
from netanalysis.io.manifest import write_manifest
from netanalysis.io.outdir import os_problem
from netanalysis.memory import mapped_blocks, release_memory
from netanalysis.parallel import workers_peak
from netanalysis.pipeline.compare_stage import stage_compare, stage_compare_figures, stage_compare_page
from netanalysis.pipeline.corpus import stage_corpus
from netanalysis.pipeline.drawing import finish_figures, stop_figures
from netanalysis.pipeline.stages import stage_explorer, stage_figures, stage_graph, stage_page, stage_timeline
from netanalysis.pipeline.state import Command, RunResult, RunState, Stage, StageFunction, Staging
from netanalysis.pipeline.ties import stage_ties

__all__ = ["Stage", "Command", "RunState", "RunResult", "Staging", "STAGES", "MAPPED_STAGES", "run"]

log = logging.getLogger(__name__)


#: The function of each stage (tests may replace one).
STAGES: dict[Stage, StageFunction] = {
    Stage.CORPUS: stage_corpus,
    Stage.GRAPH: stage_graph,
    Stage.TIES: stage_ties,
    Stage.TIMELINE: stage_timeline,
    Stage.FIGURES: stage_figures,
    Stage.EXPLORER: stage_explorer,
    Stage.PAGE: stage_page,
    Stage.COMPARE: stage_compare,
    Stage.COMPARE_FIGURES: stage_compare_figures,
    Stage.COMPARE_PAGE: stage_compare_page,
}

#: The stages run inside :func:`netanalysis.memory.mapped_blocks` (from the command line): every
#: stage after the corpus's streaming and its graph, whose speed ``parse`` and ``graph`` keep.
MAPPED_STAGES = frozenset(STAGES) - {Stage.CORPUS, Stage.GRAPH}


def run(
    command: Command | str,
    inputs: Sequence[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    settings: Settings | None = None,
    *,
    progress: Callable[[Stage], None] | None = None,
    on_posts: Callable[[int], None] | None = None,
) -> RunResult:
    """Run the stages of ``command`` over ``inputs`` and write their files into ``out_dir``.

    Parameters
    ----------
    command : Command or str
        ``parse``, ``graph``, ``timeline``, ``plot``, ``explore`` or ``report``.
    inputs : list of paths
        Files, folders or glob patterns.
    out_dir : path
        The output folder; nothing is moved into it unless every stage succeeded.
    settings : Settings, optional
        Every option (defaults when omitted).
    progress : callable, optional
        Called with each stage before it starts.
    on_posts : callable, optional
        Called with the number of posts of each chunk as it is done.

    Returns
    -------
    RunResult
    """
    command = Command(command)
    settings = settings or Settings()
    arguments = [str(p) for p in inputs]
    if command is Command.COMPARE:  # the second group's inputs are read with the first's
        arguments += [str(p) for p in settings.vs]
    files = expand_inputs(tuple(arguments))
    result = RunResult(Path(out_dir), command, settings.to_dict(), files, seed=settings.seed, arguments=arguments)
    staging = Staging(Path(out_dir))
    state = RunState(settings, command, on_posts=on_posts)
    try:
        for stage in command.stages:
            raise_if_stopped()
            if progress is not None:
                progress(stage)
            log.info("stage %s", stage.value)
            began = time.perf_counter()
            with mapped_blocks() if stage in MAPPED_STAGES else contextlib.nullcontext():
                STAGES[stage](state, result, staging)
            release_memory(collect=False)  # (what the stage freed, handed back before the next one)
            log.info(
                "stage %s took %.1f s; peak memory so far %s", stage.value, time.perf_counter() - began, peak_memory()
            )
        finish_figures(state)  # (the figures the workers draw while the last stages ran)
        result.files = sorted(staging.files)
        write_manifest(
            staging.path("manifest.json").parent,
            command=command.value,
            parameters=result.parameters,
            seed=result.seed,
            inputs=files,
            counts={**result.stats.as_dict(), **result.counts},
            files=result.files,
            started=result.started,
        )
        raise_if_stopped()
        try:
            staging.commit()
        except KeyboardInterrupt as exc:  # (a signal held while the files moved in acts once they are in)
            setattr(exc, "committed", staging.committed)  # (the command line's message says which)
            raise
    except Exception as exc:
        raise_if_stopped()  # (a stop that came out of an import or a library as its error: it is what happened)
        if isinstance(exc, OSError):  # (a disk full while writing, a folder made read-only meanwhile...)
            raise OutputError(out_dir, f"the run stopped: {os_problem(exc)}; the folder keeps what it held") from None
        raise
    finally:
        stop_figures(state)  # (the workers still drawing when the run stopped early)
        staging.discard()
        staging.close()
    result.removed = staging.removed
    result.state = state
    return result


def peak_memory() -> str:
    """This process's peak resident memory, as the system reports it, and that of the largest
    worker process that has ended or, started afresh, told it with a result (workers hold their
    own memory: a window pair's tests run in one; :func:`netanalysis.parallel.workers_peak`)."""
    try:
        import resource
    except ImportError:  # not on this system
        return "unknown"
    scale = 1 << 20 if sys.platform == "darwin" else 1 << 10
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = workers_peak()
    told = f"{peak / scale:.0f} MB"
    return told + (f" (largest worker process {workers / scale:.0f} MB)" if workers else "")
