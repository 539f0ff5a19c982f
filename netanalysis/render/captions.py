"""The captions of the figures in ``report.html``: what each figure shows, with the run's numbers.

Plain text (no plotting library), so that the report page can say what each figure is without
loading matplotlib.
"""

from __future__ import annotations

from netanalysis.config import Settings
from netanalysis.render.methods import measure_words

__all__ = ["figure_caption", "CAPTIONS"]

#: Caption templates by figure stem; ``{top}``, ``{metric}``, ``{Metric}``, ``{measure_words}``,
#: ``{min_posts}`` and ``{size_by}`` are filled from the run's settings.
CAPTIONS = {
    "network_bipartite": "The bipartite country–forum network, countries left and forums right (ordered to "
    "reduce crossings); node area by {size_by}, edge width by the number of posts naming both; dashed: ties to a "
    "country that was not a member of the forum on the dates of its posts. The note at the top right says how "
    "many nodes are unlabelled when the columns cannot hold every name.",
    "network_force": "The same network in a force-directed layout, coloured by consensus community (the numbers of "
    "nodes.csv, the explorer and graph.gexf); every node labelled (by its ISO code or forum id where its name "
    "finds no room); node area by {size_by}.",
    "network_overlay": "Overlay view: the force layout coloured by the average date of the posts that mention "
    "each node (scale from the 5th to the 95th percentile of the nodes' dates).",
    "heatmap": "Country × forum co-mentions ({heatmap_value}, log scale), rows and columns ordered so that "
    "blocks show; the note names the country and the forum in the most co-mentions.",
    "centrality_over_time": "{Metric} of the top {top} countries and forums per time window "
    "({measure_words}), with bootstrap intervals where computed; shaded windows hold fewer than {min_posts} posts "
    "(hollow marks, not joined to the lines); the strip gives every window's posts (hatched: a window the corpus "
    "covers only in part, whose counts are those of fewer days).",
    "rank_changes": "Rank of countries (above) and forums (below) by {metric} per window: in each, the leaders "
    "and the biggest movers coloured and labelled at both ends, every other node ranked in the top {top} at least "
    "once in grey; '> {top}' = mentioned but ranked lower, 'not mentioned' = absent. Ranks whose bootstrap "
    "intervals overlap cannot be told apart (timeline.csv: rank_low, rank_high).",
    "network_by_window": "The network in each time window (or, past one page, in the windows whose co-mentions "
    "changed most), node positions fixed across panels; each panel names its strongest nodes and its movers.",
}


def figure_caption(stem: str, settings: Settings) -> str:
    """The caption of figure ``stem`` for a run with ``settings`` (the stem itself when unknown).

    Examples
    --------
    >>> figure_caption("heatmap", Settings())[:40]
    'Country × forum co-mentions (posts, log '
    """
    template = CAPTIONS.get(stem)
    if template is None:
        return stem
    metric = settings.metric.replace("_", " ")
    return template.format(
        top=settings.top,
        metric=metric,
        Metric=metric[:1].upper() + metric[1:],
        measure_words=measure_words(settings.metric, settings.unit),
        min_posts=settings.min_posts,
        size_by="strength (weighted degree)",
        heatmap_value="posts" if settings.heatmap_value == "weight" else "association strength",
    )
