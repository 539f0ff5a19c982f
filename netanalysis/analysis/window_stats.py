"""The size of every time window and how its graph differs from the previous one (``windows.csv``).

Columns of :func:`window_table`
-------------------------------
``window_start, window_end``
    The window (UTC, ``window_end`` exclusive).
``posts``
    Dated posts in the window, whether or not they name anything.
``inferred_posts``
    Of those, posts whose date was inferred from neighbouring posts (``date_source`` =
    ``inferred``); undated posts are in no window and counted in ``attrs["undated_posts"]``.
``units``, ``topical_units``
    Units of co-mention (posts, paragraphs or sentences) of the window's posts: all of them
    (the all-units ``N``) and those naming at least one country or forum (the topical ``N``).
``countries``, ``forums``, ``edges``, ``total_weight``
    Nodes of each kind, edges and the sum of edge weights of the window's co-mention graph
    (edges of weight >= ``min_weight`` and the nodes they join).
``small``
    ``posts < min_posts``: too few posts for trends (figures should grey such windows out or
    leave them out).
``days``, ``days_covered``, ``partial``
    The window's length in days, and how many of them the corpus covers: the days from the
    first dated post's day to the last one's, both whole (UTC). ``partial`` when it covers fewer:
    the window starts before the corpus or ends after it (a corpus exported on the 4th of a
    month fills four days of a monthly window), so its counts (posts, units, edges, weights)
    are not comparable with those of whole windows; shares and similarities are less affected.
``edge_jaccard``
    Jaccard index of the window's and the previous window's edge sets,
    ``|E_prev & E_now| / |E_prev | E_now|`` (Jaccard 1912); NaN for the first window and when
    both windows have no edges.
``weighted_jaccard``
    Ruzicka similarity (the weighted Jaccard index) of the two windows' edge-weight
    *proportions*: with ``p_e = w_e / sum w`` in the previous window and ``q_e`` now,
    ``sum_e min(p_e, q_e) / sum_e max(p_e, q_e)`` over the union of edges. 1 when the co-mention
    mass is spread over the same edges in the same proportions, 0 when no edge is shared;
    proportions rather than counts, so a window with twice the posts but the same structure
    scores 1. NaN for the first window and when either window has no edges.
``cosine``
    Cosine similarity of the two edge-weight vectors, ``sum w_prev w_now / (|w_prev| |w_now|)``
    (also scale-free; weighs heavy edges more than ``weighted_jaccard`` does). NaN as above.

"The previous window" is the one before in the list, whatever its length or overlap.

References
----------
Jaccard, P. (1912). The distribution of the flora in the alpine zone. New Phytologist, 11(2),
37-50.
Ruzicka, M. (1958). Anwendung mathematisch-statistischer Methoden in der Geobotanik.
Biologia (Bratislava), 13, 647-661.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from netanalysis.analysis.resample import code_window
from netanalysis.analysis.window_source import WindowSource, as_source
from netanalysis.errors import ConfigError
from netanalysis.model import NO_DATE

__all__ = [
    "WINDOW_TABLE_COLUMNS",
    "DEFAULT_MIN_POSTS",
    "window_table",
    "edge_jaccard",
    "weighted_jaccard",
    "cosine_similarity",
    "window_edges",
    "coded_edges",
]

log = logging.getLogger(__name__)

#: Columns of :func:`window_table` (``windows.csv``).
WINDOW_TABLE_COLUMNS = [
    "window_start",
    "window_end",
    "posts",
    "inferred_posts",
    "units",
    "topical_units",
    "countries",
    "forums",
    "edges",
    "total_weight",
    "small",
    "days",
    "days_covered",
    "partial",
    "edge_jaccard",
    "weighted_jaccard",
    "cosine",
]
#: Windows with fewer posts are marked ``small``.
DEFAULT_MIN_POSTS = 20


_DAY = pd.Timedelta(days=1)


def _corpus_days(dates: np.ndarray) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """The start of the first dated post's day and the end of the last one's (UTC), or
    ``(None, None)`` without a dated post (``dates`` in microseconds, :data:`NO_DATE` undated)."""
    dates = np.asarray(dates)
    # (NO_DATE is the smallest int64: the largest date is a dated post's unless none is dated;
    # the smallest is taken over the dated posts in place, not from a copy of their dates)
    high = int(dates.max(initial=NO_DATE))
    if high == NO_DATE:
        return None, None
    low = int(np.min(dates, where=dates != NO_DATE, initial=high))
    first = pd.Timestamp(low, unit="us", tz="UTC").floor("D")
    last = pd.Timestamp(high, unit="us", tz="UTC").floor("D") + _DAY
    return first, last


def edge_jaccard(before: Mapping, after: Mapping) -> float:
    """Jaccard index of two edge sets (the keys of two edge -> weight mappings).

    Examples
    --------
    >>> edge_jaccard({("CN", "UN"): 3, ("RU", "UN"): 1}, {("CN", "UN"): 1, ("CN", "SCO"): 2})
    0.3333333333333333
    """
    a, b = set(before), set(after)
    return len(a & b) / len(a | b) if a | b else math.nan


def weighted_jaccard(before: Mapping, after: Mapping) -> float:
    """Ruzicka similarity of two edge-weight mappings' proportions (see the module notes).

    Examples
    --------
    >>> weighted_jaccard({"x": 2, "y": 2}, {"x": 1, "y": 3})   # (.25 + .5) / (.5 + .75)
    0.6
    >>> weighted_jaccard({"x": 1}, {"x": 5})
    1.0
    """
    ta, tb = sum(before.values()), sum(after.values())
    if ta <= 0 or tb <= 0:
        return math.nan
    keys = sorted(set(before) | set(after), key=repr)  # a fixed order: the sums do not hang on the hash seed
    p = np.array([before.get(k, 0) / ta for k in keys])
    q = np.array([after.get(k, 0) / tb for k in keys])
    return float(np.minimum(p, q).sum() / np.maximum(p, q).sum())


def cosine_similarity(before: Mapping, after: Mapping) -> float:
    """Cosine similarity of two edge-weight mappings (NaN when either is empty).

    Examples
    --------
    >>> round(cosine_similarity({"x": 1, "y": 1}, {"x": 2}), 6)
    0.707107
    """
    na = math.sqrt(sum(w * w for w in before.values()))
    nb = math.sqrt(sum(w * w for w in after.values()))
    if na == 0 or nb == 0:
        return math.nan
    return sum(w * after[k] for k, w in before.items() if k in after) / (na * nb)


def coded_edges(win: Any, *, min_weight: int = 1) -> dict:
    """The ``(country, forum) -> weight`` edges of a coded window's co-mention graph."""
    weights = win.edge_totals
    return {
        (win.nodes[a].split(":", 1)[1], win.nodes[b].split(":", 1)[1]): int(w)
        for (a, b), w in zip(win.edge_nodes.tolist(), weights.tolist())
        if w >= min_weight
    }


def window_edges(
    posts: pd.DataFrame, links: pd.DataFrame, *, unit: str = "post", min_weight: int = 1
) -> tuple[dict, Any]:
    """The ``(country, forum) -> weight`` edges of the posts' co-mention graph, and the coded
    window (:func:`netanalysis.analysis.resample.code_window`)."""
    win = code_window(posts, links, unit=unit)
    return coded_edges(win, min_weight=min_weight), win


def window_table(
    posts: pd.DataFrame | WindowSource,
    links: pd.DataFrame | None,
    windows: Sequence[tuple],
    *,
    unit: str = "post",
    min_weight: int = 1,
    min_posts: int = DEFAULT_MIN_POSTS,
) -> pd.DataFrame:
    """One row per window (empty ones included): its size and its change from the previous one.

    Parameters
    ----------
    posts : DataFrame or WindowSource
        All posts: ``post_id``, ``date`` (UTC, NaT when undated), optionally ``date_source``,
        and ``units`` or ``text`` for paragraph/sentence units; or a window source
        (:mod:`netanalysis.analysis.window_source`, then ``links`` is ``None``).
    links : DataFrame or None
        Country/forum links ``post_id, kind, entity`` (and ``unit``).
    windows : sequence of (window_start, window_end)
        E.g. from :func:`netanalysis.analysis.timeline.time_windows`.
    unit : {"post", "paragraph", "sentence"}
    min_weight : int
        As for ``co_mention_graph``.
    min_posts : int
        Windows with fewer posts are marked ``small``.

    Returns
    -------
    DataFrame
        Columns :data:`WINDOW_TABLE_COLUMNS` (see the module notes). ``attrs``:
        ``undated_posts``, ``posts_outside_windows``, ``min_posts``, ``median_posts``,
        ``small_windows``, ``partial_windows``.

    Examples
    --------
    >>> posts = pd.DataFrame({"post_id": ["p1", "p2", "p3"],
    ...                       "date": pd.to_datetime(["2024-04-08", "2024-05-02", None], utc=True)})
    >>> links = pd.DataFrame({"post_id": ["p1", "p1", "p2", "p2", "p2"],
    ...                       "kind": ["country", "forum", "country", "forum", "forum"],
    ...                       "entity": ["CN", "UN", "CN", "UN", "SCO"]})
    >>> w = [(pd.Timestamp("2024-04-01", tz="UTC"), pd.Timestamp("2024-05-01", tz="UTC")),
    ...      (pd.Timestamp("2024-05-01", tz="UTC"), pd.Timestamp("2024-06-01", tz="UTC"))]
    >>> t = window_table(posts, links, w)
    >>> t[["posts", "edges", "edge_jaccard", "weighted_jaccard"]].round(3).values.tolist()
    [[1.0, 1.0, nan, nan], [1.0, 2.0, 0.5, 0.333]]
    >>> t.attrs["undated_posts"]
    1
    """
    if isinstance(min_posts, bool) or not isinstance(min_posts, (int, np.integer)) or min_posts < 0:
        raise ConfigError(f"min_posts must be a whole number >= 0, not {min_posts!r}")
    source = as_source(posts, links, unit)
    covered = np.zeros(len(source), dtype=bool)
    first, last = _corpus_days(source.dates)
    rows, previous = [], None
    for lo, hi in windows:
        lo, hi = pd.Timestamp(lo), pd.Timestamp(hi)
        days = (hi - lo) / _DAY
        days_covered = max(0.0, (min(hi, last) - max(lo, first)) / _DAY) if first is not None else 0.0
        inside = source.mask(lo, hi)
        covered |= inside
        win = source.code(inside)
        edges = coded_edges(win, min_weight=min_weight)
        nodes = {n for e in edges for n in (("country", e[0]), ("forum", e[1]))}
        row = {
            "window_start": lo,
            "window_end": hi,
            "posts": int(inside.sum()),
            "inferred_posts": int(source.inferred[inside].sum()),
            "units": int(win.units.sum()),
            "topical_units": int(win.topical.sum()),
            "countries": sum(1 for k, _ in nodes if k == "country"),
            "forums": sum(1 for k, _ in nodes if k == "forum"),
            "edges": len(edges),
            "total_weight": int(sum(edges.values())),
            "small": int(inside.sum()) < min_posts,
            "days": days,
            "days_covered": days_covered,
            "partial": days_covered < days,
            "edge_jaccard": math.nan,
            "weighted_jaccard": math.nan,
            "cosine": math.nan,
        }
        if previous is not None:
            row.update(
                edge_jaccard=edge_jaccard(previous, edges),
                weighted_jaccard=weighted_jaccard(previous, edges),
                cosine=cosine_similarity(previous, edges),
            )
        rows.append(row)
        previous = edges
    frame = pd.DataFrame(rows, columns=WINDOW_TABLE_COLUMNS)
    for col in ("window_start", "window_end"):
        frame[col] = pd.to_datetime(frame[col], utc=True).astype("datetime64[ns, UTC]")
    counts = ["posts", "inferred_posts", "units", "topical_units", "countries", "forums", "edges", "total_weight"]
    frame = frame.astype({c: "int64" for c in counts})
    frame = frame.astype(
        {"small": bool, "days": float, "days_covered": float, "partial": bool}
        | {"edge_jaccard": float, "weighted_jaccard": float, "cosine": float}
    )
    undated = int(np.count_nonzero(source.dates == NO_DATE))
    frame.attrs.update(  # (a window holds dated posts only: those covered are dated)
        undated_posts=undated,
        posts_outside_windows=len(source) - undated - int(np.count_nonzero(covered)),
        min_posts=int(min_posts),
        median_posts=float(frame["posts"].median()) if len(frame) else math.nan,
        small_windows=int(frame["small"].sum()),
        partial_windows=int(frame["partial"].sum()),
    )
    for _, row in frame[frame["partial"]].iterrows():
        log.warning(
            "the window %s to %s is only partly covered by the corpus (%g of its %g days): its counts "
            "are not comparable with those of whole windows",
            f"{row['window_start']:%Y-%m-%d}",
            f"{row['window_end']:%Y-%m-%d}",
            row["days_covered"],
            row["days"],
        )
    if len(frame) and frame.attrs["median_posts"] < min_posts:
        log.warning(
            "the median window holds %g post%s, fewer than %d: trends over these windows are "
            "mostly noise (choose longer windows)",
            frame.attrs["median_posts"],
            "" if frame.attrs["median_posts"] == 1 else "s",
            min_posts,
        )
    return frame
