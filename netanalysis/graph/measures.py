"""The association measures of counted pairs (their one home), node ids and labels, the margins a
graph's tests need, and the graphs assembled from counted pairs.

With ``w`` the number of units naming both ends of an edge (i, j), ``n_i`` and ``n_j`` the
numbers of units naming each and ``N`` the number of units of the baseline (every unit of the
posts by default, see :data:`~netanalysis.model.BASELINES`):

* ``expected`` = ``n_i n_j / N``: the weight expected if the two were named independently (the
  mean of the hypergeometric distribution of Tumminello et al. 2011);
* ``assoc_strength`` = ``w / expected`` = ``w N / (n_i n_j)``: observed over expected co-mentions
  (van Eck & Waltman's association strength ``w / (n_i n_j)`` scaled by ``N``); 1 means "as often
  as chance", above 1 "more often than chance";
* ``jaccard`` = ``w / (n_i + n_j - w)``;
* ``npmi`` = ``log(p_ij / (p_i p_j)) / -log(p_ij)`` with ``p = count / N`` (natural log), in
  [-1, 1]: -1 when ``w = 0`` (never together), 0 under independence, 1 when ``p_ij = 1``
  (both named in every unit) (Bouma 2009).

References
----------
Bouma, G. (2009). Normalized (pointwise) mutual information in collocation extraction.
Proceedings of GSCL, 31-40.
van Eck, N. J., & Waltman, L. (2009). How to normalize cooccurrence data? JASIST, 60(8), 1635-1651.
Tumminello, M., Miccichè, S., Lillo, F., Piilo, J., & Mantegna, R. N. (2011). Statistically
validated networks in bipartite complex systems. PLoS ONE, 6(3), e17994.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from netanalysis.errors import ConfigError
from netanalysis.model import SIDES

__all__ = [
    "Margins",
    "MEASURE_COLUMNS",
    "node_id",
    "association_measures",
    "node_label",
    "with_measures",
    "edge_attributes",
    "assemble",
]

log = logging.getLogger(__name__)

#: The association measures of an edge, in the order of the tables.
MEASURE_COLUMNS = ("expected", "assoc_strength", "jaccard", "npmi")


@dataclass(frozen=True)
class Margins:
    """What a graph's significance tests need beyond its edges (graph attribute ``margins``).

    Attributes
    ----------
    baseline : str
        What ``n_units`` counts (:data:`~netanalysis.model.BASELINES`).
    n_units : int
        ``N`` of the baseline: the units the tests and measures are computed over.
    topical_units : int
        Units naming at least one (not excluded) country or forum.
    all_units : int or None
        Every unit of the posts counted (``None`` where unknown: paragraph or sentence units
        without the posts' text).
    named : dict
        Node id -> units naming it, for every entity named at least once (with or without an
        edge in the graph): the margins of every pair that could have been co-mentioned.
    unit_degrees : dict
        Entities named per unit -> number of units (the row degrees of the unit x entity
        matrix, for the SDSM; degree 0 counts the units naming nothing, when known).
    dropped : tuple of (node, node, weight)
        The pairs counted but not in the graph (below ``min_weight``, or outside the nodes it
        was restricted to): a test of the graph's edges counts them in its family.
    """

    baseline: str
    n_units: int
    topical_units: int
    all_units: int | None
    named: Mapping[str, int] = field(default_factory=dict)
    unit_degrees: Mapping[int, int] = field(default_factory=dict)
    dropped: tuple[tuple[str, str, int], ...] = ()


def node_id(kind: str, entity: str) -> str:
    """Return the node id of an entity.

    Examples
    --------
    >>> node_id("country", "CN")
    'country:CN'
    """
    return f"{kind}:{entity}"


def association_measures(
    weight: ArrayLike, n_a: ArrayLike, n_b: ArrayLike, n_units: ArrayLike
) -> dict[str, np.ndarray]:
    """``expected``, ``assoc_strength``, ``jaccard`` and ``npmi`` of pairs (see the module notes;
    arrays broadcast, so one call can cover several windows).

    Raises
    ------
    ConfigError
        If a number of units ``N`` is not positive.

    Examples
    --------
    >>> m = association_measures([2, 0], [4, 4], [5, 5], 20)
    >>> m["expected"].tolist(), m["assoc_strength"].tolist(), m["jaccard"].tolist(), m["npmi"].round(4).tolist()
    ([1.0, 1.0], [2.0, 0.0], [0.2857142857142857, 0.0], [0.301, -1.0])
    """
    w, a, b, n = (np.asarray(x, dtype=float) for x in (weight, n_a, n_b, n_units))
    if np.any(n <= 0):
        raise ConfigError("the number of units N must be positive")
    expected = a * b / n
    p_ab = w / n
    with np.errstate(divide="ignore", invalid="ignore"):
        assoc = w / expected
        jaccard = w / (a + b - w)
        npmi = np.log(p_ab / ((a / n) * (b / n))) / -np.log(p_ab)
    npmi = np.where(w <= 0, -1.0, np.where(p_ab >= 1.0, 1.0, npmi))
    return {"expected": expected, "assoc_strength": assoc, "jaccard": jaccard, "npmi": npmi}


def node_label(labels: Callable[[str, str], str] | None, kind: str, entity: str) -> str:
    """The label ``labels(kind, entity)`` gives, or the entity itself."""
    if labels is None:
        return entity
    try:
        text = labels(kind, entity)
    except LookupError:
        text = None
    return str(text) if text else entity


def with_measures(
    pairs: pd.DataFrame, units_naming: Callable[[int, str], int], sides: tuple[int, int], n_units: int
) -> pd.DataFrame:
    """Counted pairs with their association measures: ``entity_a`` is on side ``sides[0]``,
    ``entity_b`` on ``sides[1]`` (0 country, 1 forum)."""
    n_a = [units_naming(sides[0], e) for e in pairs["entity_a"]]
    n_b = [units_naming(sides[1], e) for e in pairs["entity_b"]]
    return pairs.assign(**association_measures(pairs["weight"].to_numpy(), n_a, n_b, n_units))


def edge_attributes(row: Any, *, post_ids: bool = True) -> dict[str, Any]:
    """The attributes of the edge of a counted pair (a row of :func:`with_measures`)."""
    attrs: dict[str, Any] = {"weight": int(row.weight)}
    attrs.update({name: float(getattr(row, name)) for name in MEASURE_COLUMNS})
    if post_ids:
        attrs["post_ids"] = row.post_ids
    attrs.update(first_date=row.first_date, last_date=row.last_date)
    return attrs


def assemble(
    pairs: pd.DataFrame,
    units_naming: Callable[[int, str], int],
    margins: Margins,
    *,
    sides: tuple[str, str] = ("country", "forum"),
    nodes: list[str] | None = None,
    unit: str,
    min_weight: int,
    exclude: str,
    labels: Callable[[str, str], str] | None,
    post_ids: bool,
) -> nx.Graph:
    """The graph of counted pairs (sorted by ``entity_a``, then ``entity_b``): the bipartite
    country-forum graph, or with ``sides`` ``("country", "country")`` or ``("forum", "forum")``
    a one-mode projection. ``nodes`` (node ids) restricts the graph to these nodes, kept even
    without edges; otherwise the graph holds the nodes of the edges kept."""
    G = nx.Graph(
        unit=unit, baseline=margins.baseline, n_units=margins.n_units, min_weight=int(min_weight), exclude=exclude
    )
    if sides[0] == sides[1]:
        G.graph["side"] = sides[0]
    kind_a, kind_b = sides
    chosen = pairs["weight"].to_numpy() >= min_weight
    if nodes is not None and len(pairs):
        keep = set(nodes)
        chosen &= np.array(
            [
                node_id(kind_a, a) in keep and node_id(kind_b, b) in keep
                for a, b in zip(pairs["entity_a"], pairs["entity_b"])
            ],
            dtype=bool,
        )
    kept, left = pairs[chosen], pairs[~chosen]
    dropped = tuple(
        (node_id(kind_a, a), node_id(kind_b, b), int(w))
        for a, b, w in zip(left["entity_a"], left["entity_b"], left["weight"])
    )
    G.graph["margins"] = replace(margins, dropped=dropped)
    if len(kept):
        kept = with_measures(kept, units_naming, (SIDES[kind_a], SIDES[kind_b]), margins.n_units)
    log.debug("%s-%s graph: %d of %d pairs have weight >= %d", kind_a, kind_b, len(kept), len(pairs), min_weight)
    ends = [(kind_a, e) for e in kept["entity_a"]] + [(kind_b, e) for e in kept["entity_b"]] if len(kept) else []
    members = set(ends)
    for node in nodes or ():
        kind, _, entity = node.partition(":")
        members.add((kind, entity))
    for kind, entity in sorted(members):
        G.add_node(
            node_id(kind, entity),
            bipartite=SIDES[kind],
            kind=kind,
            entity=entity,
            label=node_label(labels, kind, entity),
            posts=units_naming(SIDES[kind], entity),
        )
    for row in kept.itertuples(index=False):
        G.add_edge(
            node_id(kind_a, row.entity_a), node_id(kind_b, row.entity_b), **edge_attributes(row, post_ids=post_ids)
        )
    return G
