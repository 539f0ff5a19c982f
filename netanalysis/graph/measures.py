"""Normalised edge weights, node ids and labels, and the graph assembled from counted pairs.

With ``w`` the number of units naming both ends of an edge (i, j), ``n_i`` and ``n_j`` the
numbers of units naming each and ``N`` the number of units naming at least one (not excluded)
country or forum:

* ``assoc_strength`` = ``w * N / (n_i * n_j)``: observed over expected co-mentions under
  independence (van Eck & Waltman's association strength ``w / (n_i n_j)`` scaled by ``N``);
  1 means "as often as chance", above 1 "more often than chance".
* ``jaccard`` = ``w / (n_i + n_j - w)``.
* ``npmi`` = ``log(p_ij / (p_i p_j)) / -log(p_ij)`` with ``p = count / N`` (natural log), in
  (-1, 1]; when ``p_ij = 1`` (both named in every unit) it is 1 (Bouma 2009).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from netanalysis.model import SIDES

__all__ = ["node_id", "association_measures", "node_label", "with_measures", "edge_attributes", "assemble"]

log = logging.getLogger(__name__)


def node_id(kind: str, entity: str) -> str:
    """Return the node id of an entity.

    Examples
    --------
    >>> node_id("country", "CN")
    'country:CN'
    """
    return f"{kind}:{entity}"


def association_measures(w: ArrayLike, n_a: ArrayLike, n_b: ArrayLike, n: int) -> dict[str, np.ndarray]:
    """``assoc_strength``, ``jaccard`` and ``npmi`` of edges (see the module notes).

    Examples
    --------
    >>> m = association_measures(np.array([2]), np.array([2]), np.array([4]), 4)
    >>> float(m["assoc_strength"][0]), float(m["jaccard"][0]), round(float(m["npmi"][0]), 3)
    (1.0, 0.5, 0.0)
    """
    w, n_a, n_b = (np.asarray(x, dtype=float) for x in (w, n_a, n_b))
    p_ab, p_a, p_b = w / n, n_a / n, n_b / n
    with np.errstate(divide="ignore", invalid="ignore"):
        npmi = np.log(p_ab / (p_a * p_b)) / -np.log(p_ab)
    npmi = np.where(p_ab >= 1.0, 1.0, npmi)
    return {"assoc_strength": w * n / (n_a * n_b), "jaccard": w / (n_a + n_b - w), "npmi": npmi}


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
    attrs = {
        "weight": int(row.weight),
        "assoc_strength": float(row.assoc_strength),
        "jaccard": float(row.jaccard),
        "npmi": float(row.npmi),
    }
    if post_ids:
        attrs["post_ids"] = row.post_ids
    attrs.update(first_date=row.first_date, last_date=row.last_date)
    return attrs


def assemble(
    pairs: pd.DataFrame,
    units_naming: Callable[[int, str], int],
    n_units: int,
    *,
    unit: str,
    min_weight: int,
    exclude: str,
    labels: Callable[[str, str], str] | None,
    post_ids: bool,
) -> nx.Graph:
    """The bipartite graph from counted country-forum pairs (sorted by country, then forum)."""
    G = nx.Graph(unit=unit, n_units=n_units, min_weight=int(min_weight), exclude=exclude)
    if pairs.empty:
        return G
    pairs = with_measures(pairs, units_naming, (0, 1), n_units)
    kept = pairs[pairs["weight"] >= min_weight]
    log.debug("co-mention graph: %d of %d edges have weight >= %d", len(kept), len(pairs), min_weight)
    for kind, col in (("country", "entity_a"), ("forum", "entity_b")):
        for entity in sorted(set(kept[col])):
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
            node_id("country", row.entity_a), node_id("forum", row.entity_b), **edge_attributes(row, post_ids=post_ids)
        )
    return G
