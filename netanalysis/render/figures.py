"""All publication figures in one namespace (``from netanalysis.render import figures``).

The functions live in one module per figure kind (:mod:`~netanalysis.render.network_plot`,
:mod:`~netanalysis.render.network_windows`, :mod:`~netanalysis.render.heatmap`,
:mod:`~netanalysis.render.timeline_plot`, :mod:`~netanalysis.render.rank_plot`) with their
shared style (:mod:`~netanalysis.render.style`, :mod:`~netanalysis.render.palette`), label
placement (:mod:`~netanalysis.render.labels`) and deterministic saving
(:mod:`~netanalysis.render.save`); this module gathers them for callers such as the report.
"""

from __future__ import annotations

from netanalysis.render.heatmap import plot_heatmap
from netanalysis.render.network_plot import plot_network, plot_network_overlay
from netanalysis.render.network_windows import plot_network_small_multiples
from netanalysis.render.rank_plot import plot_rank_changes
from netanalysis.render.save import FIGURE_FORMATS, save_figure
from netanalysis.render.timeline_plot import plot_centrality_over_time

__all__ = [
    "plot_network",
    "plot_network_overlay",
    "plot_network_small_multiples",
    "plot_heatmap",
    "plot_centrality_over_time",
    "plot_rank_changes",
    "save_figure",
    "FIGURE_FORMATS",
]
