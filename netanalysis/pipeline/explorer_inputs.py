"""What the explorer stage gives the page: the posts' dates and channels, the whole texts and
matched words' offsets of the posts the page embeds, and the registry's search terms.

The page embeds at most :data:`~netanalysis.render.explorer_evidence.MAX_POSTS` posts (each
edge's earliest when there are more; every edge still counts all of its posts by day). Which
posts those are is known from the graph and the posts' dates alone, which the corpus kept in
memory holds; only their texts and offsets are then read back from the run's own ``posts.csv``
and ``mentions.csv``, which the corpus stage always writes (the corpus kept in memory holds no
text: it used to keep a 200-character excerpt of every post, which the page never showed), a
chunk of rows at a time. So the stage's memory follows the page's budget,
not the corpus: on 200,000 benchmark posts, reading both files whole into tables took 7.2 GB
and wrote a 390 MB page. When the corpus stage wrote both files in this run, it noted where
each chunk's rows are (:mod:`~netanalysis.pipeline.csv_blocks`), and only the chunks holding a
page's post are read.
"""

from __future__ import annotations

import contextlib
import io
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from netanalysis.graph.numbered_ids import is_in
from netanalysis.memory import release_memory
from netanalysis.pipeline.csv_blocks import CsvBlocks, PartsReader
from netanalysis.pipeline.state import RunState, Staging

__all__ = ["explorer_inputs", "corpus_days", "READ_BLOCK"]

log = logging.getLogger(__name__)

#: Bytes of posts.csv or mentions.csv read at a time.
READ_BLOCK = 1 << 20


def explorer_inputs(state: RunState, staging: Staging) -> dict[str, Any]:
    """``posts``, ``mentions``, ``terms``, ``title``, ``max_posts`` and ``table`` for
    :func:`~netanalysis.render.explorer.write_explorer`."""
    from netanalysis.render import explorer_evidence
    from netanalysis.render.explorer import search_terms
    from netanalysis.render.explorer_data import edge_ends

    assert state.graph is not None and state.corpus is not None and state.registry is not None
    budget = explorer_evidence.MAX_POSTS
    corpus = state.corpus
    # the page's table of posts, made once (the page is given it): whose texts to read. It needs
    # every post's id and day only (the corpus's own ids, no table); the other columns only of
    # the posts embedded
    days = corpus_days(corpus.post_ids, corpus.dates, state.post_days)
    table = explorer_evidence.post_table([d for *_, d in edge_ends(state.graph)], days, max_posts=budget)
    del days
    embedded = set(table.ids)
    log.info("explorer: %d of %d posts embedded", len(embedded), len(corpus))
    # past the table, the page reads only the embedded posts' rows (not a text column and an
    # index over every post for 20,000 texts)
    rows, ordered = _table_rows(corpus.post_ids, table.ids)
    posts = corpus.posts_frame(ordered)
    del ordered
    posts_file, mentions_file = staging.dir / "posts.csv", staging.dir / "mentions.csv"
    mentions: pd.DataFrame | None = None
    if posts_file.exists() and mentions_file.exists():
        safe = state.settings.safe_csv
        blocks = state.csv_blocks  # (None when they came from a cache entry stored without them: read whole)
        texts = _rows(posts_file, ["post_id", "text"], embedded, safe, _parts(blocks, rows, "posts"))
        # joined as tables: a Python string per text took 4 bytes a character (every benchmark
        # text has a flag emoji): on 200,000 benchmark posts a dict of the 20,000 texts took 81 MB
        # and the text column made from a list of them 87 MB
        texts = texts.drop_duplicates("post_id", keep="last")  # (an id twice: its last row, as ever)
        posts = posts.drop(columns="text", errors="ignore")
        posts = posts.merge(texts, on="post_id", how="left", validate="many_to_one")
        del texts  # (the merge copied them: not held while mentions.csv is read)
        posts["text"] = posts["text"].fillna("")
        mentions = _rows(
            mentions_file,
            ["post_id", "kind", "entity", "start", "end"],
            embedded,
            safe,
            _parts(blocks, rows, "mentions"),
        )
    else:
        log.info("explorer: no posts.csv or mentions.csv; the posts without their texts")
    return {
        "posts": posts,
        "mentions": mentions,
        "terms": search_terms(state.registry, (str(n) for n in state.graph.nodes)),
        "title": state.settings.title or default_title(state),
        "max_posts": budget,
        "table": table,
    }


def _table_rows(ids: Any, wanted: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Every row of the corpus holding one of the ids ``wanted`` (the page's table of posts), in
    the corpus's order (whose chunks are read back), and the row of each id ``wanted``, in
    their order: an id's first row when it is there twice (the row the page shows, as
    :func:`~netanalysis.render.explorer_texts.texts_and_marks` finds it). The posts' frame is
    then in the page's order, and the page's texts are its text column as it is, not a copy
    taken from it (some 30 MB at twenty thousand benchmark posts)."""
    from netanalysis.graph.numbered_ids import as_strings

    rows = np.flatnonzero(is_in(ids, sorted(set(wanted))))
    found = pd.Index(as_strings(ids.take(pa.array(rows, type=pa.int64()))).to_pylist(), dtype="str")
    first = np.flatnonzero(~found.duplicated())
    where = found[first].get_indexer(pd.Index(wanted, dtype="str"))
    return rows, rows[first[where[where >= 0]]]


def corpus_days(ids: Any, dates: np.ndarray, known: np.ndarray | None = None) -> Any:
    """Every post's id and UTC day (-1 undated) for the explorer's table of posts
    (:class:`~netanalysis.render.explorer_evidence.PostDays`): the days the run keeps for the
    ties' statuses (``known``, :func:`~netanalysis.graph.membership.post_days` of the corpus's
    dates, int32) when it has them for every post, else made from ``dates`` the same way.

    Examples
    --------
    >>> corpus_days(pa.array(["a", "b"]), np.array([86_400_000_000, -(2**63)])).days.tolist()
    [1, -1]
    """
    from netanalysis.graph.membership import UNDATED, post_days
    from netanalysis.render.explorer_evidence import PostDays

    days = known if known is not None and len(known) == len(dates) else post_days(dates)
    return PostDays(ids, np.where(days == UNDATED, -1, days))


def _parts(blocks: CsvBlocks | None, rows: np.ndarray, which: str) -> tuple[int, list[tuple[int, int]]] | None:
    """The header's size and the byte ranges of ``which`` file holding the corpus ``rows``, or
    None to read the whole file."""
    if blocks is None:
        return None
    return blocks.header(which), blocks.parts(rows, which)


def _rows(
    path: Path, columns: list[str], ids: set[str], safe: bool, parts: tuple[int, list[tuple[int, int]]] | None = None
) -> pd.DataFrame:
    """The rows of a run's CSV file whose ``post_id`` is in ``ids``, read a block of rows at a
    time with Arrow's CSV reader (the cells a spreadsheet would run got a ``'`` before them when
    ``safe``: it is taken off, as the page shows the text). With ``parts`` (the header's size and
    byte ranges of whole rows, :mod:`~netanalysis.pipeline.csv_blocks`), only the header and
    those ranges are read: at a million benchmark posts, the parts of the chunks holding the
    page's posts rather than the whole files."""
    import pyarrow.compute as pc
    from pyarrow import csv as pa_csv

    from netanalysis.io.csv import unsafe_cell, unsafe_column

    wanted = pa.array(sorted(ids), type=pa.string())
    kept = []
    with contextlib.ExitStack() as opened:
        source: Any = path
        if parts is not None:
            source = opened.enter_context(io.BufferedReader(PartsReader(path, *parts), buffer_size=READ_BLOCK))
        reader = pa_csv.open_csv(
            source,
            read_options=pa_csv.ReadOptions(block_size=READ_BLOCK, use_threads=False),
            parse_options=pa_csv.ParseOptions(newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(
                include_columns=columns, column_types=dict.fromkeys(columns, pa.string()), strings_can_be_null=False
            ),
        )
        for batch in reader:
            post_id = batch.column("post_id")
            if safe and pc.any(pc.starts_with(post_id, "'")).as_py():  # (rare: an id a spreadsheet would run)
                post_id = pa.array([unsafe_cell(x) for x in post_id.to_pylist()], type=pa.string())
                arrays = [post_id if name == "post_id" else batch.column(name) for name in columns]
                batch = pa.RecordBatch.from_arrays(arrays, columns)
            chosen = batch.filter(pc.is_in(post_id, value_set=wanted))
            if chosen.num_rows:
                kept.append(chosen)
    frame = pa.Table.from_batches(kept).to_pandas() if kept else pd.DataFrame({c: [] for c in columns}, dtype="str")
    frame = frame[columns].astype("str")
    if safe and "text" in frame:
        frame["text"] = unsafe_column(frame["text"])
    # the blocks read were freed between the few rows kept, and glibc keeps such a heap: at a
    # million benchmark posts reading posts.csv left 215 MB resident that nothing used
    release_memory(collect=False)
    return frame


def default_title(state: RunState) -> str:
    """``Country–forum co-mentions``, with the corpus's channels when there are a few."""
    channels = state.corpus.columns.get("channel") if state.corpus is not None else None
    names = sorted(c for c in pc.unique(channels).to_pylist() if c) if channels is not None else []
    if 0 < len(names) <= 3:
        return f"Country–forum co-mentions: {', '.join(names)}"
    return "Country–forum co-mentions"
