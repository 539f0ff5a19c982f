"""Pipeline: the stages in one call, writing one output folder atomically.

:func:`run` runs a :class:`Command` (``parse``, ``graph``, ``timeline``, ``plot``, ``explore``,
``report``) over inputs: :mod:`~netanalysis.pipeline.corpus` streams the corpus through the
extraction workers (:mod:`~netanalysis.pipeline.work`) and the co-mention counter, optionally
through the cache (:mod:`~netanalysis.pipeline.cache`); :mod:`~netanalysis.pipeline.stages` adds
the graph files, time windows, figures, explorer and report page.

:func:`run` is imported on first use: the command line reads :class:`Command` and :class:`Stage`
to build its options, and ``netanalysis --help`` should not wait for pandas and the readers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from netanalysis.pipeline.state import Command, RunResult, RunState, Stage

if TYPE_CHECKING:
    from netanalysis.pipeline.runner import run

__all__ = ["Command", "RunResult", "RunState", "Stage", "run"]


def __getattr__(name: str) -> Any:
    if name == "run":
        from netanalysis.pipeline.runner import run

        globals()["run"] = run
        return run
    raise AttributeError(f"module 'netanalysis.pipeline' has no attribute {name!r}")
