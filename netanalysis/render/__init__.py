"""Figures for papers (matplotlib) and the interactive explorer.

Every plotting function returns a :class:`matplotlib.figure.Figure` built on an Agg canvas
(no pyplot, no global state), applies its style inside an ``rc_context``, and accepts
``ax=`` to draw into an existing axes. The numbers behind each figure come from
:mod:`netanalysis.analysis.plotdata`. Save with :func:`save_figure`.
"""

from __future__ import annotations

from netanalysis.render.heatmap import plot_heatmap
from netanalysis.render.network_plot import plot_network, plot_network_overlay
from netanalysis.render.network_windows import plot_network_small_multiples
from netanalysis.render.rank_plot import plot_rank_changes
from netanalysis.render.save import FIGURE_FORMATS, save_figure
from netanalysis.render.style import COLUMN_WIDTHS, OKABE_ITO, PAGE_HEIGHT, SIDE_COLORS, figure_style
from netanalysis.render.timeline_plot import plot_centrality_over_time

__all__ = [
    "plot_network",
    "plot_network_overlay",
    "plot_network_small_multiples",
    "plot_heatmap",
    "plot_centrality_over_time",
    "plot_rank_changes",
    "save_figure",
    "figure_style",
    "FIGURE_FORMATS",
    "COLUMN_WIDTHS",
    "PAGE_HEIGHT",
    "OKABE_ITO",
    "SIDE_COLORS",
]
