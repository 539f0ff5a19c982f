"""The figures of a run: which ones, drawn from what, in which order.

One list for the command line's ``plot`` and ``report`` (and their captions in the report):
the network in two columns and in a force layout coloured by community, the overlay view
(coloured by the average date of mention), the heatmap, and, when the run has time windows,
the trajectories of the leading countries and forums, the rank charts (one per kind) and the
network per window (capped to one page).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import networkx as nx
import pandas as pd

from netanalysis.analysis.plotdata import node_dates, window_sizes
from netanalysis.config import Settings
from netanalysis.graph import Batch
from netanalysis.render.sizes import parse_size

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["figure_set", "FIGURE_STEMS"]

#: Every figure a run may draw, in the report's order.
FIGURE_STEMS = (
    "network_bipartite",
    "network_force",
    "network_overlay",
    "heatmap",
    "centrality_over_time",
    "rank_changes",
    "network_by_window",
)


#: The figures that read the corpus (the overlay view's dates).
READS_CORPUS = ("network_overlay",)


def figure_set(
    G: nx.Graph,
    settings: Settings,
    *,
    nodes: pd.DataFrame | None = None,
    timeline: pd.DataFrame | None = None,
    windows: Sequence[tuple] | None = None,
    corpus: Batch | Callable[[], Batch] | None = None,
    dates: pd.DataFrame | None = None,
    window_table: pd.DataFrame | None = None,
) -> list[tuple[str, Callable[[], Figure]]]:
    """The run's figures as ``(stem, build)`` pairs; ``build()`` draws one (so that only one is in
    memory at a time).

    Parameters
    ----------
    G : nx.Graph
        The whole-period co-mention graph.
    settings : Settings
        Size, font size, seed, ``top``, ``metric``, ``heatmap_value``, ``min_posts`` (when set).
    nodes : DataFrame, optional
        ``nodes.csv``: node sizes and the community numbers every output shares.
    timeline, windows : optional
        ``timeline.csv`` and the window graphs (the time figures need both).
    corpus : Batch or callable, optional
        The coded corpus: the overlay view's dates (without it there is no overlay). A callable
        gives it when the overlay is drawn: the figures handed to forked workers then do not
        hold the corpus in the run's own process, which can let its links go once they are
        forked (:mod:`netanalysis.pipeline.drawing`).
    dates : DataFrame, optional
        The overlay view's dates when they are known already (``node_dates(corpus,
        nodes=G.nodes)``): the corpus is then not needed (a fresh worker that draws the figures
        is sent this table, not the corpus's links).
    window_table : DataFrame, optional
        ``windows.csv`` (posts per window and the ``small`` flag); default: from the window graphs.
    """
    # the package imports each figure's module when the name is first read: matplotlib is
    # imported by the process that draws, when it draws
    from netanalysis import render as fig

    s = settings
    size = parse_size(s.fig_size)
    style: dict[str, Any] = {"size": size, "font_size": s.font_size}
    made: list[tuple[str, Callable[[], Figure]]] = [
        ("network_bipartite", lambda: fig.plot_network(G, layout="bipartite", centrality=nodes, seed=s.seed, **style)),
        (
            "network_force",
            lambda: fig.plot_network(G, layout="force", centrality=nodes, color_by="community", seed=s.seed, **style),
        ),
    ]
    if (corpus is not None or dates is not None) and G.number_of_nodes():
        made.append(
            (
                "network_overlay",
                lambda: fig.plot_network_overlay(
                    G,
                    dates if dates is not None else node_dates(corpus() if callable(corpus) else corpus, nodes=G.nodes),
                    centrality=nodes,
                    seed=s.seed,
                    **style,
                ),
            )
        )
    made.append(("heatmap", lambda: fig.plot_heatmap(G, value=s.heatmap_value, **style)))
    if timeline is None or not windows:
        return made
    labels = {n: d.get("label", n) for n, d in G.nodes(data=True)}
    min_posts = getattr(s, "min_posts", None)
    sizes = window_sizes(window_table if window_table is not None else list(windows), min_posts=min_posts)
    # The time figures place a window by its start; cumulative windows all share one start,
    # so they are placed by their (exclusive) end: "everything up to this date".
    shown = timeline.assign(window_start=timeline["window_end"]) if s.cumulative else timeline
    if s.cumulative:
        sizes = sizes.assign(window_start=sizes["window_end"])
    metric = s.metric
    made += [
        (
            "centrality_over_time",
            lambda: fig.plot_centrality_over_time(shown, metric=metric, top=s.top, sizes=sizes, labels=labels, **style),
        ),
        (
            "rank_changes",
            lambda: fig.plot_rank_changes(shown, metric=metric, top=s.top, sizes=sizes, labels=labels, **style),
        ),
        (
            "network_by_window",
            lambda: fig.plot_network_small_multiples(list(windows), seed=s.seed, sizes=sizes, size=size),
        ),
    ]
    return made
