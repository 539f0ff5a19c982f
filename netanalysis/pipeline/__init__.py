"""Pipeline: the stages in one call, writing one output folder atomically.

:func:`run` runs a :class:`Command` (``parse``, ``graph``, ``timeline``, ``plot``, ``explore``,
``report``) over inputs: :mod:`~netanalysis.pipeline.corpus` streams the corpus through the
extraction workers (:mod:`~netanalysis.pipeline.work`) and the co-mention counter, optionally
through the cache (:mod:`~netanalysis.pipeline.cache`); :mod:`~netanalysis.pipeline.stages` adds
the graph files, time windows, figures, explorer and report page.
"""

from __future__ import annotations

from netanalysis.pipeline.runner import run
from netanalysis.pipeline.state import Command, RunResult, RunState, Stage

__all__ = ["Command", "RunResult", "RunState", "Stage", "run"]
