"""The graph stage's tests: every edge of the graph and of its one-mode projections tested
against chance, the backbone (``--backbone``) and the files they add.

Files (beside ``edges.csv``, ``nodes.csv``, ``graph.gexf`` and ``graph.graphml``, which describe
the whole graph, every edge with its test):

``projection_countries.csv``, ``projection_forums.csv``
    The one-mode ties (countries named in the same units; forums likewise) with their weights,
    association measures, tests, dates and post ids, and ``projection_countries.gexf``,
    ``projection_forums.gexf``.
``projection_nodes.csv``
    The node measures of each projection (column ``projection``: ``countries`` or ``forums``),
    on its backbone with ``--backbone``.
with ``--backbone``: ``backbone.gexf``, ``backbone.graphml``
    The backbone (the significant edges and the nodes they join), whose measures ``nodes.csv``
    holds; ``nodes_full.csv`` holds the measures of the whole graph, for comparison.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd

from netanalysis.config import Settings
from netanalysis.errors import GraphError
from netanalysis.pipeline.state import RunResult, RunState, Staging

__all__ = ["PROJECTION_FILES", "WRITER_POSTS", "tested_graphs", "used_graph", "write_tested_files"]

log = logging.getLogger(__name__)

#: The file stem of each side's projection.
PROJECTION_FILES = {"country": "projection_countries", "forum": "projection_forums"}

#: From this many posts, when the run may use two workers or more, the projections' files are
#: written by a forked worker while this process writes the whole graph's
#: (:func:`write_tested_files`): each file lists every tie's post ids, and at a million
#: benchmark posts the two projections' CSV files took 4.7 s and ``edges.csv`` 4.3 s of the
#: graph stage, one after the other, on one core. Below it the fork is not worth its cost.
WRITER_POSTS = 100_000


def _options(settings: Settings) -> dict[str, Any]:
    return {"test": settings.test, "alpha": settings.alpha, "alternative": settings.alternative}


def tested_graphs(counter: Any, settings: Settings) -> tuple[nx.Graph, dict[str, nx.Graph]]:
    """The counter's bipartite graph and its two projections, every edge tested."""
    from netanalysis.analysis.edge_tests import validate_edges

    full = validate_edges(counter.graph(), **_options(settings))
    projections = {side: validate_edges(counter.projection(side), **_options(settings)) for side in PROJECTION_FILES}
    return full, projections


def used_graph(G: nx.Graph, settings: Settings) -> nx.Graph:
    """The graph the measures, figures and explorer use: ``G``, or its backbone."""
    from netanalysis.analysis.edge_tests import backbone

    if not settings.backbone:
        return G
    B = backbone(G)
    if B.number_of_edges() == 0:
        raise GraphError(
            f"no edge is significant ({settings.test} test, Benjamini-Hochberg q < {settings.alpha} over "
            f"{G.graph.get('pairs_tested', 0)} pairs): the backbone is empty; run without --backbone, or "
            "with a larger --alpha"
        )
    return B


def _projection_nodes(projections: dict[str, nx.Graph], settings: Settings) -> pd.DataFrame:
    from netanalysis.analysis import NODE_COLUMNS, centrality_table
    from netanalysis.analysis.edge_tests import backbone

    parts = []
    for side, P in projections.items():
        shown = backbone(P) if settings.backbone else P
        if shown.number_of_edges() == 0:
            log.info(
                "the %s projection has no %s: no node measures", side, "significant tie" if settings.backbone else "tie"
            )
            continue
        table = centrality_table(shown, seed=settings.seed, path_weights=settings.path_weights)
        table.insert(0, "projection", PROJECTION_FILES[side].split("_", 1)[1])
        parts.append(table)
    if not parts:
        return pd.DataFrame(columns=["projection", *NODE_COLUMNS])
    return pd.concat(parts, ignore_index=True)


def write_tested_files(state: RunState, result: RunResult, staging: Staging) -> Generator[Any, None, None] | None:
    """The projections' files, the backbone's files, and the tests' counts (see the module notes).

    From :data:`WRITER_POSTS` posts with two workers or more, the projections' files are handed
    to a forked worker and the returned generator ends once they are written (it raises the
    worker's error; closing it kills the worker); otherwise they are written here and the
    result is None. The files are the same bytes either way.
    """
    from netanalysis.analysis import centrality_table
    from netanalysis.analysis.edge_tests import validation_summary
    from netanalysis.io.csv import write_csv
    from netanalysis.io.graph_files import write_gexf, write_graphml
    from netanalysis.parallel import start_ordered, worker_count

    s = state.settings
    full, G = state.full_graph, state.graph
    assert full is not None and G is not None
    summary: dict[str, Any] = {"edges": validation_summary(full)}
    if s.backbone:
        write_gexf(G, staging.path("backbone.gexf"))
        write_graphml(G, staging.path("backbone.graphml"))
        nodes_full = centrality_table(full, seed=s.seed, path_weights=s.path_weights)
        write_csv(nodes_full, staging.path("nodes_full.csv"), safe=s.safe_csv)
        summary["backbone"] = {
            "edges": G.number_of_edges(),
            "countries": sum(1 for _, k in G.nodes(data="kind") if k == "country"),
            "forums": sum(1 for _, k in G.nodes(data="kind") if k == "forum"),
            "nodes_dropped": full.number_of_nodes() - G.number_of_nodes(),
        }
    for side, P in state.projections.items():
        stem = PROJECTION_FILES[side]
        summary[stem] = {**validation_summary(P), "nodes": P.number_of_nodes()}
    result.counts["significance"] = summary
    result.counts["n_units"] = int(full.graph.get("n_units", 0))
    result.counts["baseline"] = full.graph.get("baseline", s.baseline)
    # (named here: the staging folder lists the files this process names)
    names = [f"{PROJECTION_FILES[side]}.{ext}" for side in state.projections for ext in ("csv", "gexf")]
    paths = {name: staging.path(name) for name in [*names, "projection_nodes.csv"]}
    write = _projection_writer(state.projections, s, paths)
    items = [*state.projections, "nodes"]
    if int(result.counts.get("posts", 0)) < WRITER_POSTS or worker_count(s.jobs) < 2:
        for item in items:
            write(item)
        return None
    return start_ordered(write, items, jobs=1)


def _projection_writer(
    projections: dict[str, nx.Graph], settings: Settings, paths: dict[str, Path]
) -> Callable[[str], str]:
    """What writes a side's projection files (``country``, ``forum``) or ``projection_nodes.csv``
    (``nodes``), given the item; ``paths`` holds each file's path by its name."""

    def write(item: str) -> str:
        from netanalysis.io.csv import write_csv, write_projection_csv
        from netanalysis.io.graph_files import write_gexf

        if item == "nodes":
            write_csv(_projection_nodes(projections, settings), paths["projection_nodes.csv"], safe=settings.safe_csv)
        else:
            stem = PROJECTION_FILES[item]
            write_projection_csv(projections[item], paths[f"{stem}.csv"], safe=settings.safe_csv)
            write_gexf(projections[item], paths[f"{stem}.gexf"])
        return item

    return write
