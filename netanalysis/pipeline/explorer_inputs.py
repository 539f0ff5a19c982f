"""What the explorer stage gives the page: the posts' whole texts and the matched words' offsets,
read back from the run's own ``posts.csv`` and ``mentions.csv``, and the registry's search terms.

The corpus kept in memory holds only the start of each text (whitespace collapsed), whose offsets
do not match ``mentions.csv``; the files just written hold both whole. Past
:data:`FULL_TEXT_POSTS` posts the page shows the kept excerpts without highlights instead of
reading the files back (their reading would grow with the corpus).
"""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd

from netanalysis.pipeline.state import RunState, Staging

__all__ = ["explorer_inputs", "FULL_TEXT_POSTS"]

log = logging.getLogger(__name__)

#: Largest corpus whose whole texts and match offsets the explorer reads back.
FULL_TEXT_POSTS = 200_000


def explorer_inputs(state: RunState, staging: Staging) -> dict[str, Any]:
    """``posts``, ``mentions``, ``terms`` and ``title`` for :func:`~netanalysis.render.explorer.write_explorer`."""
    from netanalysis.render.explorer import search_terms

    assert state.graph is not None and state.corpus is not None and state.registry is not None
    posts_file, mentions_file = staging.dir / "posts.csv", staging.dir / "mentions.csv"
    posts: pd.DataFrame
    mentions: pd.DataFrame | None = None
    if len(state.corpus) <= FULL_TEXT_POSTS and posts_file.exists() and mentions_file.exists():
        posts = pd.read_csv(
            posts_file, usecols=["post_id", "channel", "date", "text"], dtype="str", keep_default_na=False
        )
        posts["date"] = pd.to_datetime(posts["date"].replace("", None), utc=True, errors="coerce")
        if state.settings.safe_csv:  # (a cell a spreadsheet would run got a ' before it: the page shows the text)
            from netanalysis.io.csv import unsafe_cell

            for column in ("channel", "text"):
                posts[column] = posts[column].map(unsafe_cell)
        mentions = pd.read_csv(
            mentions_file, usecols=["post_id", "kind", "entity", "start", "end"], dtype="str", keep_default_na=False
        )
    else:
        log.info("explorer: %d posts, over %d: excerpts without highlighted words", len(state.corpus), FULL_TEXT_POSTS)
        posts = state.corpus.posts_frame()
    return {
        "posts": posts,
        "mentions": mentions,
        "terms": search_terms(state.registry, (str(n) for n in state.graph.nodes)),
        "title": state.settings.title or default_title(state),
    }


def default_title(state: RunState) -> str:
    """``Country–forum co-mentions``, with the corpus's channels when there are a few."""
    channels = state.corpus.columns.get("channel") if state.corpus is not None else None
    names = sorted({c for c in channels.to_pylist() if c}) if channels is not None else []
    if 0 < len(names) <= 3:
        return f"Country–forum co-mentions: {', '.join(names)}"
    return "Country–forum co-mentions"
