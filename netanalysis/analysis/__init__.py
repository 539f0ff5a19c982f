"""Analysis: graphs -> tables (centrality, communities; time windows and change live alongside).

Public API: :func:`centrality_table` (the ``nodes.csv`` table), :func:`communities`,
:data:`NODE_COLUMNS`.
"""

from __future__ import annotations

from netanalysis.analysis.centrality import NODE_COLUMNS, centrality_table, communities

__all__ = ["NODE_COLUMNS", "centrality_table", "communities"]
