"""The stages after the corpus: graph, time windows, figures, explorer and the report page.

Each stage takes the run's :class:`~netanalysis.pipeline.state.RunState`, calls the library and
writes its files into the staging folder through :mod:`netanalysis.io`.
"""

from __future__ import annotations

from netanalysis import __version__
from netanalysis.memory import release_memory
from netanalysis.pipeline.drawing import release_links, stage_figures, start_graph_figures
from netanalysis.pipeline.state import RunResult, RunState, Staging
from netanalysis.pipeline.time_stage import community_counts, stage_timeline

# Each stage imports what it needs when it runs: the corpus stage streams before the graph
# algorithms, the time windows and the figures are loaded (and before the workers are forked).

__all__ = ["stage_graph", "stage_timeline", "stage_figures", "stage_explorer", "stage_page"]


def stage_graph(state: RunState, result: RunResult, staging: Staging) -> None:
    """The graph counted while the corpus streamed, its node measures and files."""
    import networkx as nx

    from netanalysis.analysis import centrality_table
    from netanalysis.io.csv import write_csv, write_edges_csv
    from netanalysis.io.graph_files import write_gexf, write_graphml
    from netanalysis.pipeline.validation import tested_graphs, used_graph, write_tested_files
    from netanalysis.render.graph_style import node_styles

    s = state.settings
    assert state.counter is not None, "the corpus stage counts co-mentions for the graph stage"
    full, projections = tested_graphs(state.counter, s)
    state.full_graph, state.projections = full, projections
    state.post_days = state.counter.post_days()
    state.counter = None  # (its post codes now belong to the graphs' edges)
    state.graph = G = used_graph(full, s)  # the backbone with --backbone
    state.nodes = centrality_table(G, seed=s.seed, path_weights=s.path_weights)
    # the graph files carry the nodes.csv community numbers (as the explorer and the figures do)
    community = dict(zip(state.nodes["node"], state.nodes["community"].astype(int)))
    for graph in {id(full): full, id(G): G}.values():
        nx.set_node_attributes(graph, {n: c for n, c in community.items() if n in graph}, "community")
    # (on a large corpus a worker writes the projections' files while this process writes edges.csv)
    pending = write_tested_files(state, result, staging)
    try:
        write_edges_csv(full, staging.path("edges.csv"), safe=s.safe_csv)  # every edge, with its test
        write_csv(state.nodes, staging.path("nodes.csv"), safe=s.safe_csv)
        for _ in pending or ():
            pass
    finally:
        if pending is not None:
            pending.close()  # (kills the worker if this process stopped before it ended)
    # nothing later reads the projections (their files are written): dropped before the workers
    # of the figures and the later stages are forked, each of which held them (and their edges'
    # post codes: 27 MB at a million benchmark posts)
    state.projections = {}
    del pending  # (its work held them too)
    release_memory()
    start_graph_figures(state, staging)  # (drawn by a worker while this process goes on)
    # Gephi opens the network as the force figure draws it: its positions, community colours, sizes
    # (of the nodes drawn: the backbone's with --backbone)
    state.node_styles = node_styles(G, centrality=state.nodes, seed=s.seed)
    write_gexf(full, staging.path("graph.gexf"), node_attributes=state.node_styles)
    write_graphml(full, staging.path("graph.graphml"), node_attributes=state.node_styles)
    kinds = [
        k for _, k in full.nodes(data="kind")
    ]  # the whole graph (edges.csv); the backbone's: counts["significance"]
    result.counts["nodes"] = {k: kinds.count(k) for k in sorted(set(kinds))}
    result.counts["edges"] = int(full.number_of_edges())
    result.counts["communities"] = community_counts(state.nodes.attrs)


def stage_explorer(state: RunState, result: RunResult, staging: Staging) -> None:
    """``network.html``: the interactive explorer."""
    from netanalysis.pipeline.explorer_inputs import explorer_inputs
    from netanalysis.render.explorer import write_explorer

    assert state.graph is not None and state.corpus is not None
    release_links(state)  # (the page needs the posts' ids, dates and channels)
    inputs = explorer_inputs(state, staging)
    write_explorer(
        state.graph, staging.path("network.html"), centrality=state.nodes, seed=state.settings.seed, **inputs
    )


def stage_page(state: RunState, result: RunResult, staging: Staging) -> None:
    """``report.html``: the page that summarises the run."""
    from netanalysis.graph import edges_table
    from netanalysis.io.atomic import atomic_write
    from netanalysis.render.report_page import ReportContent, report_html

    assert state.nodes is not None
    listed = sorted(set(staging.files) | {"report.html", "manifest.json"})
    content = ReportContent(
        version=__version__,
        command=state.command.value,
        inputs=[str(p) for p in result.inputs],
        settings=state.settings,
        stats=result.stats,
        counts=result.counts,
        nodes=state.nodes,
        posts=int(result.counts.get("posts", 0)),
        changes=state.changes,
        figures=list(state.figures),
        outsiders=state.outsiders,
        edges=None if state.full_graph is None else edges_table(state.full_graph, join=False).drop(columns="post_ids"),
        windows=state.window_table,
        timeline=state.timeline,
        node_intervals=state.node_intervals,
    )
    with atomic_write(staging.path("report.html"), "w", encoding="utf-8") as fh:
        fh.write(report_html(content, files=listed))
