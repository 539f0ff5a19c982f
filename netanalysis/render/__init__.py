"""Figures for papers (matplotlib) and the interactive explorer.

Every plotting function returns a :class:`matplotlib.figure.Figure` built on an Agg canvas
(no pyplot, no global state), applies its style inside an ``rc_context``, and accepts
``ax=`` to draw into an existing axes. The numbers behind each figure come from
:mod:`netanalysis.analysis.plotdata`. Save with :func:`save_figure`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from netanalysis.render.heatmap import plot_heatmap
    from netanalysis.render.network_plot import plot_network, plot_network_overlay
    from netanalysis.render.network_windows import plot_network_small_multiples
    from netanalysis.render.rank_plot import plot_rank_changes
    from netanalysis.render.save import FIGURE_FORMATS, save_figure
    from netanalysis.render.sizes import COLUMN_WIDTHS
    from netanalysis.render.style import OKABE_ITO, PAGE_HEIGHT, SIDE_COLORS, figure_style
    from netanalysis.render.timeline_plot import plot_centrality_over_time

#: Where each name of the package lives: imported when first asked for, so that the modules of
#: the package that need no matplotlib (the explorer's, the figure set, the sizes) do not load
#: it. The run's process then hands the figures to forked workers without holding matplotlib
#: (some 38 MB with its writers), which the workers it forks for the time windows inherited.
_HOMES = {
    "plot_heatmap": "heatmap",
    "plot_network": "network_plot",
    "plot_network_overlay": "network_plot",
    "plot_network_small_multiples": "network_windows",
    "plot_rank_changes": "rank_plot",
    "FIGURE_FORMATS": "save",
    "save_figure": "save",
    "COLUMN_WIDTHS": "sizes",
    "OKABE_ITO": "style",
    "PAGE_HEIGHT": "style",
    "SIDE_COLORS": "style",
    "figure_style": "style",
    "plot_centrality_over_time": "timeline_plot",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
    globals()[name] = value
    return value


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
