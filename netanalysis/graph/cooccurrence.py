"""The bipartite country-forum co-mention graph of a corpus (the Python face of the counter)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import networkx as nx
import pandas as pd

from netanalysis.graph.coding import Batch, from_tables
from netanalysis.graph.counter import CoMentionCounter, check_options
from netanalysis.model import Exclusion
from netanalysis.registry.memberships import Memberships, load_memberships

__all__ = ["co_mention_graph"]


def co_mention_graph(
    mentions: pd.DataFrame | Batch,
    posts: pd.DataFrame | None = None,
    *,
    unit: str = "post",
    min_weight: int = 1,
    exclude: Exclusion | Iterable[str] = (),
    labels: Callable[[str, str], str] | None = None,
    post_ids: bool = True,
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
        ``kind, entity, label, posts``; edges with ``weight, assoc_strength, jaccard, npmi,
        post_ids, first_date, last_date`` (and ``status, posts_by_status``); graph attributes
        ``unit, n_units, min_weight, exclude``.

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
    check_options(unit, min_weight)
    batch = mentions if isinstance(mentions, Batch) else from_tables(mentions, posts, unit=unit)[0]
    table = load_memberships() if memberships is True else (memberships or None)
    counter = CoMentionCounter(
        batch.entities,
        unit=unit,
        min_weight=min_weight,
        exclude=exclude,
        labels=labels,
        post_ids=post_ids,
        memberships=table if post_ids else None,
    )
    counter.add(batch)
    return counter.graph()
