"""Analysis: graphs -> tables (centrality, communities; time windows, uncertainty and change).

Public API: :func:`centrality_table` (the ``nodes.csv`` table), :func:`communities`,
:data:`NODE_COLUMNS`; :func:`window_table` (``windows.csv``), :func:`bootstrap_over_time`
(intervals for ``timeline.csv``), :func:`change_tests_over_time` (p- and q-values for
``changes.csv``), :func:`association_table` (association with an explicit baseline),
:func:`consensus_communities`; :func:`validate_edges` (every edge tested against chance:
``expected``, ``p_value``, ``q_value``, ``significant``) and :func:`backbone` (the significant
edges); :func:`time_statistics` (all of ``windows.csv``, ``timeline.csv`` with intervals, the
tests of ``changes.csv`` and ``node_intervals.csv`` at once).
"""

from __future__ import annotations

from netanalysis.analysis.association import association_table
from netanalysis.analysis.centrality import NODE_COLUMNS, centrality_table, communities
from netanalysis.analysis.change_tests import change_tests_over_time
from netanalysis.analysis.consensus import consensus_communities
from netanalysis.analysis.edge_tests import backbone, validate_edges
from netanalysis.analysis.over_time import time_statistics
from netanalysis.analysis.uncertainty import bootstrap_over_time
from netanalysis.analysis.window_stats import window_table

__all__ = [
    "NODE_COLUMNS",
    "centrality_table",
    "communities",
    "window_table",
    "bootstrap_over_time",
    "change_tests_over_time",
    "association_table",
    "consensus_communities",
    "validate_edges",
    "backbone",
    "time_statistics",
]
