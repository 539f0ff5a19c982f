"""netanalysis: country-forum co-mention networks from diplomatic social-media channels.

The pipeline runs one way: ingest (files -> posts) -> extract (posts -> mentions) -> graph
(mentions -> networkx graphs) -> analysis (graphs -> tables) -> render (figures, HTML); io writes
files and pipeline runs the stages into one output folder, as the command line does. The names
below are the notebook-facing API (each is imported on first use, so ``import netanalysis``
stays quick):

========================  ==================================================================
read                      :func:`read_posts`, :func:`iter_posts`
extract                   :func:`extract_mentions`
graph                     :func:`co_mention_graph`, :func:`projection_graph`, :func:`project`,
                          :func:`edges_table`, :class:`CoMentionCounter`
tests                     :func:`validate_edges` (p, q, significant on every edge), :func:`backbone`
measures                  :func:`centrality_table`
windows                   :func:`graphs_over_time`, :func:`timeline_table`, :func:`changes_table`,
                          :func:`time_statistics` (window sizes, intervals, tests)
render                    :func:`plot_network`, :func:`write_explorer`
report                    :func:`run` (a whole command into a folder), :class:`Settings`
========================  ==================================================================

Examples
--------
>>> import netanalysis
>>> posts = netanalysis.read_posts("examples/mfa_channel_sample.txt")
>>> mentions = netanalysis.extract_mentions(posts, exclude=["RU"])
>>> G = netanalysis.co_mention_graph(mentions, posts)
>>> nodes = netanalysis.centrality_table(G, seed=0)
>>> nodes.loc[nodes["kind"] == "forum", "node"].head(3).tolist()
['forum:UN', 'forum:BRICS', 'forum:SCO']
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_HOMES = {
    "read_posts": "netanalysis.ingest",
    "iter_posts": "netanalysis.ingest",
    "extract_mentions": "netanalysis.extract",
    "co_mention_graph": "netanalysis.graph",
    "project": "netanalysis.graph",
    "projection_graph": "netanalysis.graph",
    "validate_edges": "netanalysis.analysis",
    "backbone": "netanalysis.analysis",
    "edges_table": "netanalysis.graph",
    "CoMentionCounter": "netanalysis.graph",
    "centrality_table": "netanalysis.analysis",
    "graphs_over_time": "netanalysis.analysis.timeline",
    "timeline_table": "netanalysis.analysis.timeline",
    "changes_table": "netanalysis.analysis.changes",
    "time_statistics": "netanalysis.analysis.over_time",
    "plot_network": "netanalysis.render",
    "write_explorer": "netanalysis.render.explorer",
    "run": "netanalysis.pipeline",
    "Settings": "netanalysis.config",
}

__all__ = ["__version__", *_HOMES]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'netanalysis' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
