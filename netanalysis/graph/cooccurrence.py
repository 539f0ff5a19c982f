"""The bipartite country-forum co-mention graph of a corpus and its one-mode projections (the
Python face of the counter)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import networkx as nx
import pandas as pd

from netanalysis.graph.coding import Batch
from netanalysis.graph.counter import CoMentionCounter, check_options
from netanalysis.graph.tables_coding import from_tables
from netanalysis.model import BASELINES, Exclusion
from netanalysis.registry.memberships import Memberships, load_memberships

__all__ = ["co_mention_graph", "projection_graph"]


def co_mention_graph(
    mentions: pd.DataFrame | Batch,
    posts: pd.DataFrame | None = None,
    *,
    unit: str = "post",
    min_weight: int = 1,
    exclude: Exclusion | Iterable[str] = (),
    labels: Callable[[str, str], str] | None = None,
    post_ids: bool = True,
    baseline: str = BASELINES[0],
    memberships: Memberships | bool = True,
) -> nx.Graph:
    """Build the bipartite country-forum co-mention graph.

    Parameters
    ----------
    mentions : DataFrame or Batch
        Columns ``post_id, kind, entity`` (and ``start`` for paragraph/sentence units); rows of
        kind ``tag`` are ignored. For paragraph/sentence units a column named after the unit
        (``paragraph`` or ``sentence``: the unit's index within its post) may replace ``start``,
        and then the posts' text is not needed. A coded :class:`~netanalysis.graph.Batch`
        (as the command line keeps a corpus) is counted as it is.
    posts : DataFrame, optional
        Columns ``post_id, date`` (for ``first_date``/``last_date``) and ``text`` (for units
        other than ``post``).
    unit : {"post", "paragraph", "sentence"}
        What counts as one co-mention (see :mod:`netanalysis.graph`).
    min_weight : int
        Drop edges named together in fewer units; nodes left without edges are dropped.
    exclude : iterable of str
        Entities to leave out before anything is counted: ``RU`` (a country or forum of that
        id), ``country:AU`` or ``forum:AU`` (only that one), compared case-insensitively.
    labels : callable, optional
        ``labels(kind, entity) -> str`` gives node labels (default: the entity itself).
    post_ids : bool, default True
        Keep each edge's post ids (``False`` leaves the attribute out: faster and lighter
        where only weights and measures are used, as for the graphs of time windows).
    baseline : {"all-units", "topical-units"}
        What ``N`` counts: every unit of ``posts`` (default; posts naming nothing included:
        without ``posts`` only the posts the mentions name with a country or forum are known),
        or only the units naming a country or forum (see :mod:`netanalysis.analysis.association`).
    memberships : Memberships or bool, default True
        Label each edge with the country's status in the forum on its posts' dates
        (``status``, ``posts_by_status``; :mod:`netanalysis.graph.membership`): ``True`` with
        the shipped registry (:func:`~netanalysis.registry.load_memberships`), a
        :class:`~netanalysis.registry.memberships.Memberships` for your own, ``False`` for no
        labels. Needs ``post_ids``.

    Returns
    -------
    networkx.Graph
        Nodes ``country:XX`` (``bipartite=0``) and ``forum:ID`` (``bipartite=1``) with
        ``kind, entity, label, posts``; edges with ``weight, expected, assoc_strength, jaccard,
        npmi, post_ids, first_date, last_date`` (and ``status, posts_by_status``); graph
        attributes ``unit, baseline, n_units,
        min_weight, exclude`` and ``margins`` (:class:`~netanalysis.graph.measures.Margins`:
        what :func:`netanalysis.analysis.validate_edges` tests the edges with).

    Examples
    --------
    >>> m = pd.DataFrame({"post_id": ["p1", "p1", "p1", "p2", "p2"],
    ...                   "kind": ["country", "country", "forum", "country", "forum"],
    ...                   "entity": ["CN", "CN", "BRICS", "CN", "SCO"]})
    >>> G = co_mention_graph(m)
    >>> sorted(G.edges(data="weight"))
    [('country:CN', 'forum:BRICS', 1), ('country:CN', 'forum:SCO', 1)]
    >>> G.nodes["country:CN"]["posts"], G.graph["n_units"]
    (2, 2)
    """
    table = load_memberships() if memberships is True else (memberships or None)
    counted = _counted(mentions, posts, unit, min_weight, exclude, labels, post_ids, baseline, False, table)
    return counted.graph()


def projection_graph(
    mentions: pd.DataFrame | Batch,
    posts: pd.DataFrame | None = None,
    *,
    side: str = "country",
    unit: str = "post",
    min_weight: int = 1,
    exclude: Exclusion | Iterable[str] = (),
    labels: Callable[[str, str], str] | None = None,
    post_ids: bool = True,
    baseline: str = BASELINES[0],
) -> nx.Graph:
    """The one-mode projection onto countries or forums: two entities are tied by the units
    naming both (``projection_countries.csv`` and ``projection_forums.csv``).

    Parameters are those of :func:`co_mention_graph`, and ``side`` (``"country"`` or
    ``"forum"``). The ties carry the same attributes as the bipartite graph's edges (weight,
    expected weight, association measures, post ids, dates), computed over the same ``N``;
    the graph holds the entities with at least one tie of weight ``min_weight`` or more.

    Examples
    --------
    >>> m = pd.DataFrame({"post_id": ["p1", "p1", "p1", "p2", "p2"],
    ...                   "kind": ["country", "country", "forum", "country", "country"],
    ...                   "entity": ["CN", "RU", "BRICS", "CN", "IN"]})
    >>> sorted(projection_graph(m).edges(data="weight"))
    [('country:CN', 'country:IN', 1), ('country:CN', 'country:RU', 1)]
    """
    counted = _counted(mentions, posts, unit, min_weight, exclude, labels, post_ids, baseline, True, None)
    return counted.projection(side)


def _counted(
    mentions, posts, unit, min_weight, exclude, labels, post_ids, baseline, projections, memberships
) -> CoMentionCounter:
    check_options(unit, min_weight, baseline)
    batch = mentions if isinstance(mentions, Batch) else from_tables(mentions, posts, unit=unit)[0]
    counter = CoMentionCounter(
        batch.entities,
        unit=unit,
        min_weight=min_weight,
        exclude=exclude,
        labels=labels,
        post_ids=post_ids,
        baseline=baseline,
        projections=projections,
        memberships=memberships if post_ids else None,
    )
    counter.add(batch)
    return counter
