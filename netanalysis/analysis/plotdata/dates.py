"""When each node is mentioned: the numbers behind the overlay view.

The overlay view (as in VOSviewer's "overlay visualization", van Eck & Waltman 2010) draws one
network and colours each node by the average date of the posts that mention it, so that one
figure shows which countries and forums belong to the early and to the late part of the period.
:func:`node_dates` gives, per node, that average date, the first and the last date, and the
number of dated posts behind them (each post counted once per node, however often it names it).

References
----------
van Eck, N. J., & Waltman, L. (2010). Software survey: VOSviewer, a computer program for
bibliometric mapping. Scientometrics, 84(2), 523-538.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from netanalysis.analysis.link_sums import joined, post_chunks
from netanalysis.errors import GraphError
from netanalysis.graph import Batch
from netanalysis.model import NO_DATE

__all__ = ["node_dates", "DATE_COLUMNS"]

#: Columns of :func:`node_dates`.
DATE_COLUMNS = ["node", "mean_date", "first_date", "last_date", "dated_posts", "undated_posts"]


def node_dates(links: pd.DataFrame | Batch, *, nodes: Iterable[str] | None = None) -> pd.DataFrame:
    """Average, first and last date of the posts that mention each node.

    Parameters
    ----------
    links : DataFrame or Batch
        One row per mention with columns ``post_id``, ``node`` (``country:CN``; or ``kind`` and
        ``entity``) and ``date`` (UTC; NaT when undated); or a coded corpus
        (:class:`~netanalysis.graph.Batch`, as the command line keeps it).
    nodes : iterable of str, optional
        The nodes to report (e.g. those of the drawn graph); a node never mentioned gets NaT and
        0 posts. Default: every node mentioned.

    Returns
    -------
    DataFrame
        Columns :data:`DATE_COLUMNS`, one row per node, sorted by node id. ``mean_date`` is the
        mean of the dated posts' timestamps (UTC).

    Examples
    --------
    >>> links = pd.DataFrame({"post_id": ["a", "a", "b", "c"], "node": ["country:CN"] * 3 + ["forum:UN"],
    ...                       "date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-03", None], utc=True)})
    >>> node_dates(links)[["node", "mean_date", "dated_posts", "undated_posts"]].values.tolist()
    [['country:CN', Timestamp('2024-01-02 00:00:00+0000', tz='UTC'), 2, 0], ['forum:UN', NaT, 0, 1]]
    """
    post, names, node_codes, micros, lookup = _from_batch(links) if isinstance(links, Batch) else _from_frame(links)
    code, when = _distinct(post, node_codes, micros, max(len(names), 1), lookup)
    dated = when != NO_DATE
    n = len(names)
    count = np.bincount(code[dated], minlength=n)
    undated = np.bincount(code[~dated], minlength=n)
    total = np.bincount(code[dated], weights=when[dated].astype(np.float64) - _base(when, dated), minlength=n)
    lo = np.full(n, np.iinfo(np.int64).max)
    hi = np.full(n, np.iinfo(np.int64).min)
    np.minimum.at(lo, code[dated], when[dated])
    np.maximum.at(hi, code[dated], when[dated])
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / np.maximum(count, 1) + _base(when, dated), np.nan)
    frame = pd.DataFrame(
        {
            "node": names.astype(str),
            "mean_date": _stamps(mean, count > 0),
            "first_date": _stamps(lo.astype(np.float64), count > 0),
            "last_date": _stamps(hi.astype(np.float64), count > 0),
            "dated_posts": count.astype(int),
            "undated_posts": undated.astype(int),
        }
    )
    if nodes is not None:
        wanted = pd.Index(sorted({str(x) for x in nodes}), name="node")
        frame = frame.set_index("node").reindex(wanted).reset_index()
        frame[["dated_posts", "undated_posts"]] = frame[["dated_posts", "undated_posts"]].fillna(0).astype(int)
    return frame.sort_values("node", kind="mergesort").reset_index(drop=True)[DATE_COLUMNS]


#: Links counted at a time (bounds the copies numpy makes of them).
_STEP = 4_000_000


def _distinct(
    post: np.ndarray, node: np.ndarray, micros: np.ndarray, n: int, lookup: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """The node and the post's date of each distinct (post, node) link (a post that names a node
    twice counts once; ``lookup``, if given, is each of the links' codes' node), sorted by post
    then node: what ``numpy.unique(post * n + node)`` orders,
    a chunk of posts at a time when the links come post by post (as a coded corpus has them),
    so that no int64 array of every link is made (a million benchmark posts have 24 million)."""
    ordered = not len(post) or bool((post[1:] >= post[:-1]).all())
    codes, whens = [], []
    for lo, hi in post_chunks(post) if ordered else [(0, len(post))]:
        nodes = node[lo:hi] if lookup is None else lookup[node[lo:hi]]
        key = np.unique(post[lo:hi].astype(np.int64) * n + nodes)
        codes.append((key % n).astype(np.int32))
        whens.append(micros[key // n])
        del key, nodes
    if not codes:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64)
    return joined(codes, np.int32), joined(whens, np.int64)


def _from_batch(batch: Batch) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each link's post, the sorted names of the nodes linked, each link's entity code, each
    post's date, and each entity code's place among the names: the names are sorted once per
    entity, not once per link (an array of 24 million names and its sort took some 600 MB on a
    million benchmark posts)."""
    every = np.array([f"{kind}:{entity}" for kind, entity in batch.entities], dtype=object)
    linked = np.zeros(len(every), dtype=np.int64)
    for at in range(0, len(batch.entity), _STEP):  # (bincount copies its input as int64)
        linked += np.bincount(batch.entity[at : at + _STEP], minlength=len(every))
    used = np.flatnonzero(linked)
    names, place = np.unique(every[used], return_inverse=True)
    lookup = np.full(len(every), -1, dtype=np.int32)
    lookup[used] = place
    return batch.post, names, batch.entity, batch.dates, lookup


def _from_frame(links: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, None]:
    if "node" not in links.columns:
        if not {"kind", "entity"} <= set(links.columns):
            raise GraphError("node dates need a node column (or kind and entity)")
        links = links.assign(node=links["kind"].astype(str) + ":" + links["entity"].astype(str))
    missing = [c for c in ("post_id", "date") if c not in links.columns]
    if missing:
        raise GraphError(f"node dates need column(s) {', '.join(missing)}")
    posts, post = np.unique(links["post_id"].astype(str).to_numpy(), return_inverse=True)
    stamps = pd.to_datetime(links["date"], utc=True, errors="coerce")
    values = stamps.dt.tz_localize(None).to_numpy().astype("datetime64[us]").astype(np.int64)
    values = np.where(stamps.isna().to_numpy(), NO_DATE, values)
    micros = np.full(len(posts), NO_DATE, dtype=np.int64)
    micros[post] = values  # (a post has one date; the last row's wins)
    node_ids = links["node"].astype(str).to_numpy(dtype=object)
    names, node_codes = np.unique(node_ids, return_inverse=True) if len(node_ids) else (np.array([], str), [])
    return post.astype(np.int64), names, np.asarray(node_codes, dtype=np.int64), micros, None


def _base(when: np.ndarray, dated: np.ndarray) -> float:
    """An offset that keeps sums of microsecond timestamps exact enough in float64."""
    return float(when[dated].min()) if dated.any() else 0.0


def _stamps(micros: np.ndarray, valid: np.ndarray) -> pd.Series:
    values = np.where(valid, np.round(micros), 0).astype(np.int64)
    out = pd.Series(pd.to_datetime(values, unit="us", utc=True))
    out[~valid] = pd.NaT
    return out
