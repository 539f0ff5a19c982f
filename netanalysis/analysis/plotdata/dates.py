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

from netanalysis.analysis.link_sums import counted, distinct_pairs
from netanalysis.errors import GraphError
from netanalysis.graph import Batch
from netanalysis.graph.link_starts import start_runs, starts_of
from netanalysis.model import NO_DATE

__all__ = ["node_dates", "DATE_COLUMNS", "DATE_RUN"]

#: Links whose nodes and dates :func:`node_dates` makes at a time (about 21 bytes each).
DATE_RUN = 1 << 20

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
    if isinstance(links, Batch):
        every = np.array([f"{kind}:{entity}" for kind, entity in links.entities], dtype=object)
        start, code, micros = links.start, links.entity, links.dates
    else:
        post, every, node, micros = _from_frame(links)
        start, code = _by_post(post, node, len(micros))
    # (links sorted by post, a post's repeats included: its distinct nodes are found a run of
    # posts at a time, below; the nodes named are the same with the repeats or without)
    names, place = _named(every, code)
    n = len(names)
    undated, count, total = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64), np.zeros(n)
    lo = np.full(n, np.iinfo(np.int64).max)
    hi = np.full(n, np.iinfo(np.int64).min)
    # the dates of the posts with links (a distinct link's date is its post's)
    # (the earliest of them, not a copy of their dates: 8 bytes a post)
    linked = (np.diff(start) > 0) & (micros != NO_DATE)
    first_linked = int(micros.min(where=linked, initial=np.iinfo(np.int64).max)) if linked.any() else 0
    base = float(first_linked)  # (keeps sums of microsecond timestamps exact enough)
    del linked
    # a run of posts at a time: each link's node and date made for that run only (a date and a
    # node for each of the 12 million links of a million benchmark posts took 94 + 47 MiB);
    # each node's dates are summed in float64 in the links' order, as one weighted
    # numpy.bincount adds them (the same sums)
    for a, b in start_runs(start, DATE_RUN):
        first, end = int(start[a]), int(start[b])  # (its links)
        # the run's distinct (post, node) pairs, in the order the whole corpus's give (by post,
        # then node), so the sums are added in the same order. The whole corpus's at once are,
        # by their sizes, an int16 node a pair, an int64 count and a start a post: some 300 MB
        # at ten million benchmark posts (123 million links), beside the links the worker
        # drawing the overlay is given; that worker peaked at 1,003,836 kB there
        local, named, _ = distinct_pairs(
            start[a : b + 1] - first, code[first:end], max(len(every), 1), with_counts=False
        )
        at, when = place[named], np.repeat(micros[a:b], np.diff(local))
        del local, named
        dated = when != NO_DATE
        if not dated.all():
            undated += np.bincount(at[~dated], minlength=n)
            at, when = at[dated], when[dated]
        count += np.bincount(at, minlength=n)
        np.minimum.at(lo, at, when)
        np.maximum.at(hi, at, when)
        np.add.at(total, at, np.subtract(when, base, dtype=np.float64))
        del at, when, dated
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / np.maximum(count, 1) + base, np.nan)
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


def _by_post(post: np.ndarray, node: np.ndarray, n_posts: int) -> tuple[np.ndarray, np.ndarray]:
    """Where each post's links start and the node of each, the links sorted by post (stable)."""
    if len(post) and not bool((post[1:] >= post[:-1]).all()):
        order = np.argsort(post, kind="stable")
        post, node = post[order], node[order]
    return starts_of(post, n_posts), node


def _named(every: np.ndarray, code: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sorted names of the nodes that ``code`` (places in ``every``) names, and the place
    among them of each place in ``every`` (-1 when unused): names are sorted once per node, not
    once per link (the worker drawing the overlay of a million benchmark posts peaked at
    1,576,912 kB with a name per link, 1,246,476 kB without)."""
    used = np.flatnonzero(counted(code, len(every)))
    names, place = np.unique(every[used], return_inverse=True)
    lookup = np.full(len(every), -1, dtype=np.int32)
    lookup[used] = place
    return names, lookup


def _from_frame(links: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
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
    return post.astype(np.int64), names, np.asarray(node_codes, dtype=np.int64), micros


def _stamps(micros: np.ndarray, valid: np.ndarray) -> pd.Series:
    values = np.where(valid, np.round(micros), 0).astype(np.int64)
    out = pd.Series(pd.to_datetime(values, unit="us", utc=True))
    out[~valid] = pd.NaT
    return out
