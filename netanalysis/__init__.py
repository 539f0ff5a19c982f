"""netanalysis: country-forum co-mention networks from diplomatic social-media channels.

The pipeline runs one way: ingest (files -> posts) -> extract (posts -> mentions) ->
graph (mentions -> networkx graphs) -> analysis (graphs -> tables) -> render (figures, HTML)
-> report (one output folder). Each stage is importable on its own; the names below are the
notebook-facing API.
"""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "read_posts", "iter_posts"]

from netanalysis.ingest import iter_posts, read_posts  # noqa: E402
