"""The numbers behind the figures: layouts, node sizes, heatmap matrices, timeline selections.

Each function here is pure (numpy, pandas, networkx only; no matplotlib) so what a figure shows
is tested as numbers; :mod:`netanalysis.render` only draws what these functions return.

The bipartite graph follows the project contract: node ids ``country:XX`` / ``forum:YY`` with
node attribute ``bipartite`` (0 countries, 1 forums) and ``label``; edges carry ``weight``.
The timeline frame has the columns ``window_start, window_end, node, kind, metric, value, rank``
(and ``ci_low, ci_high`` when the run bootstrapped); window sizes come from ``windows.csv`` or the
window graphs (:func:`window_sizes`).
"""

from __future__ import annotations

from netanalysis.analysis.plotdata.common import node_label, sides, sorted_graph
from netanalysis.analysis.plotdata.dates import node_dates
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
from netanalysis.analysis.plotdata.ranks import rank_chart
from netanalysis.analysis.plotdata.timeline import (
    rank_changes,
    timeline_windows,
    top_nodes_over_time,
)
from netanalysis.analysis.plotdata.trajectories import trajectories
from netanalysis.analysis.plotdata.windows import (
    window_changes,
    window_labels,
    window_sizes,
    windows_to_draw,
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
    "rank_chart",
    "trajectories",
    "window_sizes",
    "window_changes",
    "windows_to_draw",
    "window_labels",
    "node_dates",
]
