"""What the stages of a run share: the commands and their stages, the staging folder, the typed
run state and the run's result."""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from netanalysis.config import Settings
from netanalysis.model import IngestStats

if TYPE_CHECKING:  # pragma: no cover (types only: the command line starts without pandas and networkx)
    import networkx as nx
    import pandas as pd

    from netanalysis.analysis.compare import Comparison
    from netanalysis.analysis.timeline import WindowGraphs
    from netanalysis.graph import Batch, CoMentionCounter
    from netanalysis.pipeline.csv_blocks import CsvBlocks
    from netanalysis.registry import Registry
    from netanalysis.registry.memberships import Memberships

__all__ = ["Stage", "Command", "Staging", "RunState", "RunResult", "StageFunction"]


class Stage(StrEnum):
    """One step of a run."""

    CORPUS = "corpus"
    GRAPH = "graph"
    TIES = "ties"
    TIMELINE = "timeline"
    FIGURES = "figures"
    EXPLORER = "explorer"
    PAGE = "page"
    COMPARE = "compare"
    COMPARE_FIGURES = "compare_figures"
    COMPARE_PAGE = "compare_page"


class Command(StrEnum):
    """The commands, each a prefix of the chain of stages (``report`` runs all of it)."""

    PARSE = "parse"
    GRAPH = "graph"
    TIES = "ties"
    TIMELINE = "timeline"
    PLOT = "plot"
    EXPLORE = "explore"
    REPORT = "report"
    COMPARE = "compare"

    @property
    def stages(self) -> tuple[Stage, ...]:
        return _STAGES[self]


_STAGES = {
    Command.PARSE: (Stage.CORPUS,),
    Command.GRAPH: (Stage.CORPUS, Stage.GRAPH),
    Command.TIMELINE: (Stage.CORPUS, Stage.GRAPH, Stage.TIMELINE),
    Command.PLOT: (Stage.CORPUS, Stage.GRAPH, Stage.TIMELINE, Stage.FIGURES),
    Command.EXPLORE: (Stage.CORPUS, Stage.GRAPH, Stage.EXPLORER),
    Command.REPORT: (
        Stage.CORPUS,
        Stage.GRAPH,
        Stage.TIES,
        Stage.TIMELINE,
        Stage.FIGURES,
        Stage.EXPLORER,
        Stage.PAGE,
    ),
    Command.COMPARE: (
        Stage.CORPUS,
        Stage.GRAPH,
        Stage.TIES,
        Stage.COMPARE,
        Stage.COMPARE_FIGURES,
        Stage.COMPARE_PAGE,
    ),
}


class Staging:
    """Where a run writes its files: a staging folder inside the locked output folder, swapped
    in whole by :meth:`commit` (:class:`~netanalysis.io.outdir.OutputFolder` says how, and what
    it guarantees). Opening it locks the folder, completes an update a killed run left
    unfinished and removes the staging folders of dead runs."""

    def __init__(self, out_dir: Path):
        from netanalysis.io.outdir import OutputFolder

        self.out_dir = Path(out_dir)
        self.folder = OutputFolder(self.out_dir).open()
        assert self.folder.staging is not None
        self.dir = self.folder.staging
        self.files: list[str] = []
        self.removed: list[str] = []

    def path(self, name: str) -> Path:
        """Where to write the output file ``name`` (a path relative to the output folder)."""
        if name not in self.files:
            self.files.append(name)
        return self.folder.path(name)

    def commit(self) -> None:
        """Move every staged file (the manifest among them) into the output folder as one step."""
        self.removed = self.folder.commit(self.files)

    @property
    def committed(self) -> bool:
        """Whether the staged files are in place (or put in place by the next run)."""
        return self.folder.committed

    def discard(self) -> None:
        """Drop the staged files (the output folder keeps what it held)."""
        self.folder.discard()

    def close(self) -> None:
        """Release the output folder's lock."""
        self.folder.close()


@dataclass
class RunState:
    """What the stages of one run hand each other.

    ``corpus`` (the posts' slim rows and their coded links) is kept only by the commands that
    need the whole corpus after it streamed by (time windows, the explorer) or that fill the
    cache; ``counter`` counts co-mentions while the corpus streams, so ``graph`` needs no table.
    The timeline stage fills ``windows`` (one graph per window), ``window_table`` (``windows.csv``:
    posts per window and the ``small`` flag, for the figures), ``timeline`` (with bootstrap
    intervals), ``changes`` (with the tests' p- and q-values) and ``node_intervals`` (the whole
    corpus's intervals, for the report's tables).
    """

    settings: Settings
    command: Command
    registry: Registry | None = None
    corpus: Batch | None = None
    csv_blocks: CsvBlocks | None = None  # where the corpus's chunks are in posts.csv and mentions.csv
    counter: CoMentionCounter | None = None
    mention_kinds: dict[str, int] = field(default_factory=dict)
    post_days: Any = None  # the UTC day of every post (int32 array), for the ties' statuses
    memberships: Memberships | None = None
    outsiders: pd.DataFrame | None = None  # share of each forum's ties to non-members, per year
    graph: nx.Graph | None = None  # what measures, figures and the explorer use (the backbone with --backbone)
    full_graph: nx.Graph | None = None  # every edge, with its test
    # side -> tested one-mode projection (until the graph stage has written their files)
    projections: dict[str, nx.Graph] = field(default_factory=dict)
    nodes: pd.DataFrame | None = None
    windows: WindowGraphs | None = None
    window_table: pd.DataFrame | None = None
    timeline: pd.DataFrame | None = None
    changes: pd.DataFrame | None = None
    node_intervals: pd.DataFrame | None = None
    node_styles: dict[Any, dict[str, Any]] | None = None
    figures: list[str] = field(default_factory=list)
    drawn: list[str] = field(default_factory=list)  # figures handed to workers (pipeline.drawing)
    drawing: list[Generator[Any, None, None]] = field(default_factory=list)  # their results, to wait for
    drawn_here: list[str] = field(default_factory=list)  # figures this process draws once the page is written
    on_posts: Callable[[int], None] | None = None
    comparison: Comparison | None = None


@dataclass
class RunResult:
    """What a run did: the folder, the files written, the counts, the parameters."""

    out_dir: Path
    command: Command
    parameters: dict[str, Any]
    inputs: list[Path]
    stats: IngestStats = field(default_factory=IngestStats)
    counts: dict[str, Any] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    #: files of an earlier run in the folder that this run removed (it does not write them)
    removed: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.time)
    seed: int | None = None
    state: RunState | None = None
    arguments: list[str] = field(default_factory=list)  # the inputs as given (compare groups by them)

    def summary_lines(self) -> list[str]:
        s = self.stats
        lines = [
            f"Read {s.read} posts from {len(self.inputs)} input(s) ({s.undated} undated, {s.skipped} records skipped)."
        ]
        for f in s.files:
            if f.problems:
                lines.append(
                    f"{f.path}: {len(f.problems)} problem(s) shown of {f.skipped} record(s) "
                    "skipped or flagged; first problems:"
                )
                lines.extend(f"  record {r}: {p}" for r, p in f.problems[:5])
        lines.append(f"Wrote {len(self.files)} file(s) to {self.out_dir}/: {', '.join(self.files)}")
        return lines


StageFunction = Callable[[RunState, RunResult, Staging], None]
