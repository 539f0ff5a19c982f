"""The numbers behind the figures: layouts, node sizes, heatmap matrices, timeline selections.

Each function here is pure (numpy, pandas, networkx only; no matplotlib) so what a figure shows
is tested as numbers; :mod:`netanalysis.render` only draws what these functions return.

The bipartite graph follows the project contract: node ids ``country:XX`` / ``forum:YY`` with
node attribute ``bipartite`` (0 countries, 1 forums) and ``label``; edges carry ``weight``.
The timeline frame has the columns ``window_start, window_end, node, kind, metric, value, rank``.
"""

from __future__ import annotations

from netanalysis.analysis.plotdata.common import node_label, sides, sorted_graph
from netanalysis.analysis.plotdata.layout import (
    LAYOUTS,
    bipartite_order,
    count_crossings,
    network_layout,
)
from netanalysis.analysis.plotdata.matrix import heatmap_matrix, seriate
from netanalysis.analysis.plotdata.nodes import (
    SIZE_MEASURES,
    node_communities,
    node_values,
    union_graph,
)
from netanalysis.analysis.plotdata.timeline import (
    rank_changes,
    timeline_windows,
    top_nodes_over_time,
)

__all__ = [
    "LAYOUTS",
    "SIZE_MEASURES",
    "sides",
    "node_label",
    "sorted_graph",
    "bipartite_order",
    "count_crossings",
    "network_layout",
    "node_values",
    "node_communities",
    "union_graph",
    "seriate",
    "heatmap_matrix",
    "timeline_windows",
    "top_nodes_over_time",
    "rank_changes",
]
