"""``scripts/profile_sample.py`` reads the pieces of a report from its messages: the parsing on
messages written by hand, and on a real run's (so that a changed message cannot leave the
accounting silently empty)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

import profile_sample  # noqa: E402

STEMS = {
    "centrality_over_time",
    "heatmap",
    "network_bipartite",
    "network_by_window",
    "network_force",
    "network_overlay",
    "rank_changes",
}


def test_accounting_by_hand():
    lines = [
        (0.5, "INFO: stage corpus"),
        (0.75, "INFO: stage corpus took 0.2 s; peak memory so far 170 MB"),
        (0.8, "INFO: stage figures"),
        (0.9, "DEBUG: built figure heatmap in 0.125 s"),
        (1.0, "DEBUG: wrote out/.netanalysis-staging-1-x/figures/heatmap.png in 0.250 s"),
        (1.1, "DEBUG: wrote out/.netanalysis-staging-1-x/figures/heatmap.pdf in 0.5 s"),
        (1.2, "DEBUG: wrote out/.netanalysis-staging-1-x/nodes.csv in 0.010 s"),
        (2.0, "(end)"),
    ]
    pieces, figures = profile_sample.accounting(lines)
    assert pieces == [
        ("start-up (interpreter, imports)", 0.5),
        ("stage corpus", pytest.approx(0.3)),
        ("stage figures", pytest.approx(1.2)),
    ]
    assert figures == {"heatmap": {"build": 0.125, "png": 0.25, "pdf": 0.5}}


def test_accounting_of_a_real_run(tmp_path):
    command = [sys.executable, "-m", "netanalysis", "-vv", "report", str(profile_sample.SAMPLE)]
    lines = profile_sample.timed_run(command + ["-o", str(tmp_path / "out"), "--jobs", "1", "--format", "png"])
    pieces, figures = profile_sample.accounting(lines)
    names = [name for name, _ in pieces]
    assert names[0] == "start-up (interpreter, imports)"
    assert names[1:] == [f"stage {s}" for s in ("corpus", "graph", "ties", "timeline", "figures", "explorer", "page")]
    assert all(seconds > 0 for _, seconds in pieces)
    assert set(figures) == STEMS
    assert all(set(steps) == {"build", "png"} for steps in figures.values())
    assert pieces[5][1] > sum(sum(steps.values()) for steps in figures.values())  # (drawn in that stage)
