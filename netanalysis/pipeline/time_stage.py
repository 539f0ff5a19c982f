"""The timeline stage: time windows, their sizes, intervals and tests, and what the run says of them.

It builds one graph per window (for the figures, the dynamic GEXF and the churn columns of
``changes.csv``), tests each window's edges (``window_edges.csv``) and runs
:func:`netanalysis.analysis.over_time.time_statistics` over the coded corpus: ``windows.csv``,
``timeline.csv`` with bootstrap intervals, ``changes.csv`` with the permutation tests' p- and
q-values and ``node_intervals.csv`` (the whole corpus's intervals); with ``--backbone`` or
``--path-weights`` the measures they redefine come from the measured window graphs, without
intervals (:func:`~netanalysis.analysis.over_time.measured_on`). The manifest and the report get
their numbers from :func:`time_counts` and :func:`community_counts`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from netanalysis.config import Settings
from netanalysis.errors import ConfigError
from netanalysis.pipeline.state import RunResult, RunState, Staging

if TYPE_CHECKING:  # pragma: no cover (the command line loads the analysis only when it runs)
    import pandas as pd

    from netanalysis.analysis.over_time import TimeStatistics

__all__ = ["stage_timeline", "time_counts", "community_counts", "PARALLEL_POSTS", "WORKERS_PRELOAD"]

#: Corpora of fewer posts compute their time windows in this process (starting workers costs more).
PARALLEL_POSTS = 2000

#: The module the server of the stage's fresh workers imports as it starts, so that each worker
#: finds it loaded (:func:`netanalysis.parallel_fresh.start_fresh_server`; the report's figure
#: worker, which may start the server first, asks for the same).
WORKERS_PRELOAD = "netanalysis.analysis.over_time"


def stage_timeline(state: RunState, result: RunResult, staging: Staging) -> None:
    """One graph per time window, each window's edge tests; the windows table, centralities over
    time with their intervals, changes with their tests, the whole corpus's intervals; the
    dynamic GEXF."""
    from netanalysis.analysis.changes import changes_table
    from netanalysis.analysis.edge_tests import validate_windows, window_backbones, window_edges_table
    from netanalysis.analysis.over_time import TIME_METRICS, measured_on, time_statistics
    from netanalysis.analysis.timeline import graphs_over_time
    from netanalysis.analysis.window_source import BatchSource
    from netanalysis.io.csv import write_csv
    from netanalysis.io.dynamic_gexf import write_dynamic_gexf
    from netanalysis.parallel import worker_count
    from netanalysis.parallel_fresh import start_fresh_server, stop_fresh_server

    s = state.settings
    assert state.corpus is not None and state.registry is not None
    if s.metric not in TIME_METRICS:
        raise ConfigError(f"metric must be one of {', '.join(TIME_METRICS)}, not {s.metric!r}")
    jobs = s.jobs if len(state.corpus) >= PARALLEL_POSTS else 1
    if worker_count(jobs) > 1:  # (the workers' server starts while the windows' graphs are built)
        start_fresh_server(WORKERS_PRELOAD)
    state.windows = graphs_over_time(
        state.corpus,
        freq=s.freq,
        window=s.window,
        step=s.step,
        cumulative=s.cumulative,
        unit=s.unit,
        exclude=s.exclusion,
        min_weight=s.min_weight,
        labels=state.registry.label,
        post_ids=False,
        baseline=s.baseline,
    )  # no window output lists post ids
    validate_windows(state.windows, test=s.test, alpha=s.alpha, alternative=s.alternative)  # each window's own test
    write_csv(window_edges_table(state.windows), staging.path("window_edges.csv"), safe=s.safe_csv)
    measured = window_backbones(state.windows) if s.backbone else state.windows
    if s.backbone:  # each window's own backbone: the report says how many kept a significant edge
        units = sorted(int(g.graph.get("n_units", 0)) for _, _, g in state.windows)
        result.counts["backbone_windows"] = {
            "windows": len(units),
            "with_edges": sum(1 for _, _, g in measured if g.number_of_edges()),
            "median_units": units[len(units) // 2] if units else 0,
        }
    source = BatchSource(state.corpus, unit=s.unit, exclude=s.exclusion)
    try:
        stats = time_statistics(
            source,
            None,
            [(lo, hi) for lo, hi, _ in state.windows],
            unit=s.unit,
            replicates=s.bootstrap,
            permutations=s.permutations,
            seed=s.seed,
            min_weight=s.min_weight,
            min_posts=s.min_posts,
            baseline=s.baseline,
            shown=s.metric,
            jobs=jobs,
        )
    finally:
        stop_fresh_server()  # (the stage's workers are done)
    stats = measured_on(stats, measured, backbone=s.backbone, path_weights=s.path_weights)
    state.window_table, state.timeline, state.node_intervals = stats.windows, stats.timeline, stats.overall
    state.changes = changes_table(state.timeline, measured, stats.tests)
    write_csv(state.window_table, staging.path("windows.csv"), safe=s.safe_csv)
    write_csv(state.timeline, staging.path("timeline.csv"), safe=s.safe_csv)
    write_csv(state.changes, staging.path("changes.csv"), safe=s.safe_csv)
    write_csv(state.node_intervals, staging.path("node_intervals.csv"), safe=s.safe_csv)
    # a timeline run's graph.gexf carries time spells for Gephi's timeline (replaces the static one),
    # every edge with its test per window
    write_dynamic_gexf(
        state.windows,
        staging.path("graph.gexf"),
        graph=state.full_graph,
        timeline=state.timeline,
        node_attributes=state.node_styles,
    )
    attrs = {**state.windows.attrs, **state.timeline.attrs}
    result.counts["windows"] = len(state.windows)
    for key in ("undated_posts", "inferred_posts", "posts_outside_windows", "unmatched_mentions"):
        if key in attrs:
            result.counts[f"timeline_{key}"] = int(attrs[key])
    result.counts["time"] = time_counts(s, stats, state.changes)


def time_counts(s: Settings, stats: TimeStatistics, changes: pd.DataFrame) -> dict[str, Any]:
    """What the manifest and the report say of the windows, the bootstrap and the tests."""
    from netanalysis.analysis.over_time import WHOLE_CORPUS, significant_changes

    table, tests = stats.windows, stats.tests
    tested = list(tests.attrs.get("measures", [])) if tests is not None else []
    found = significant_changes(changes, s.metric, s.alpha) if s.metric in tested else None
    return {
        "windows": len(table),
        "small_windows": int(table["small"].sum()),
        "partial_windows": int(table["partial"].sum()) if "partial" in table else 0,
        "min_posts": int(s.min_posts),
        "median_posts": float(table["posts"].median()) if len(table) else None,
        "posts_per_window": [int(v) for v in table["posts"]],
        "metrics": list(stats.timeline.attrs.get("metrics", [])),
        "bootstrap_replicates": int(s.bootstrap),
        "confidence_level": float(stats.timeline.attrs.get("level") or 0.95),
        "bootstrap_seeds": f"window k: [{s.seed}, k]; whole corpus: [{s.seed}, {WHOLE_CORPUS}]",
        "permutations": int(s.permutations) if tests is not None else 0,
        "tested_measures": tested,
        "exact_measures": list(tests.attrs.get("exact", [])) if tests is not None else [],
        "permutation_seeds": f"pair ending in window k: [{s.seed}, k]",
        "alpha": float(s.alpha),
        "tests": int(tests["p_value"].notna().sum()) if tests is not None else 0,
        "significant_changes": None if found is None else len(found),
        "baseline": s.baseline,
        "without_intervals": list(stats.timeline.attrs.get("redefined", [])),
    }


def community_counts(attrs: dict[str, Any]) -> dict[str, Any]:
    """What the manifest and the report say of the consensus communities of ``nodes.csv``."""
    return {
        "count": int(attrs.get("communities", 0)),
        "modularity": attrs.get("modularity"),
        "stability": attrs.get("stability"),
        "runs": attrs.get("community_runs"),
        "threshold": attrs.get("community_threshold"),
        "rounds": attrs.get("community_rounds"),
        "converged": attrs.get("community_converged"),
    }
