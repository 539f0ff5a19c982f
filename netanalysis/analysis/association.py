"""Association strength and NPMI of country-forum pairs, with an explicit baseline ``N``.

Both measures compare how often a country ``i`` and a forum ``j`` are named in the same unit
(``w``, the edge weight) with how often they would be if they were named independently, given
how often each is named (``n_i``, ``n_j``) among ``N`` units. The formulas live in one place,
:func:`netanalysis.graph.measures.association_measures` (re-exported here), which the
co-mention graph, its projections, its time windows and ``edges.csv`` use too:

* ``expected = n_i n_j / N``;
* ``assoc_strength = w / expected = w N / (n_i n_j)`` (van Eck & Waltman 2009: association
  strength ``w / (n_i n_j)`` scaled by ``N`` so that 1 means "as often as chance");
* ``npmi = log(p_ij / (p_i p_j)) / -log(p_ij)`` with ``p = count / N`` (Bouma 2009), in
  [-1, 1]: -1 when ``w = 0`` (never together), 0 under independence, 1 when ``p_ij = 1``.

The baseline
------------
``N`` is a modelling choice, and each choice has its own null model:

``baseline="all-units"``
    ``N`` = every unit of the posts (every post; with ``unit="paragraph"`` every paragraph of
    every post, including those that name no country or forum). Null model: each entity's
    ``n_i`` units are a uniformly random ``n_i``-subset of the ``N`` units, independently of
    the other entities. Then ``w_ij`` is hypergeometric with mean ``n_i n_j / N``, so
    ``E[assoc_strength_ij] = 1`` exactly for every pair with ``n_i, n_j >= 1``.
``baseline="topical-units"``
    ``N`` = the units that name at least one (not excluded) country or forum (what
    ``co_mention_graph`` counted before the baseline was an option). Null model: given which units are
    topical, each entity's units are a uniformly random subset of those ``N`` units,
    independently (the model ignores that together the entities must cover every topical unit;
    with several mentions per unit on average this matters little). Again
    ``E[assoc_strength_ij] = 1`` exactly under its own null.

Measured under the other null, a baseline is off by the factor between the two ``N``: if
mentions are independent over *all* units, the topical ``N`` gives ``E[assoc] = E[N_topical] /
N_all`` (about 0.71 for the bundled sample's paragraphs: 80 of its 112 paragraphs name a country or
forum), and that factor differs between units (posts, paragraphs, sentences) and between windows;
the all-units ``N`` removes it. The all-units baseline is the default: it is the one whose null
("named independently of each other, wherever in the corpus") does not depend on which units the
extraction found something in, so values are comparable across units and windows. The topical
baseline answers a narrower question (association among the units that are about countries or
forums at all).

Which pairs a mean is over
--------------------------
Under either null the mean of ``assoc_strength`` over *all* country x forum pairs (both named
at least once) is 1 in expectation. The mean over the observed edges only (``w > 0``) is not: it
is ``E[assoc | w > 0] = 1 / P(w > 0) > 1``, biased upwards, the more the rarer the entities.
:func:`association_table` returns every pair with ``pairs="all"`` for this reason.

References
----------
Bouma, G. (2009). Normalized (pointwise) mutual information in collocation extraction.
Proceedings of GSCL, 31-40.
van Eck, N. J., & Waltman, L. (2009). How to normalize cooccurrence data? An analysis of some
well-known similarity measures. Journal of the American Society for Information Science and
Technology, 60(8), 1635-1651.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from netanalysis.analysis.link_sums import totals
from netanalysis.analysis.resample import code_window
from netanalysis.errors import ConfigError
from netanalysis.extract.units import UNITS, unit_index, unit_starts
from netanalysis.graph.measures import association_measures
from netanalysis.model import BASELINES

__all__ = [
    "BASELINES",
    "ASSOCIATION_COLUMNS",
    "association_measures",
    "association_table",
    "baseline_units",
    "unit_links",
]

log = logging.getLogger(__name__)

#: Columns of :func:`association_table`.
ASSOCIATION_COLUMNS = [
    "country",
    "forum",
    "weight",
    "n_country",
    "n_forum",
    "n_units",
    "expected",
    "assoc_strength",
    "npmi",
]


def unit_links(mentions: pd.DataFrame, posts: pd.DataFrame | None = None, *, unit: str = "post") -> pd.DataFrame:
    """Country/forum links of a mentions table with the index of each one's unit in its post.

    Parameters
    ----------
    mentions : DataFrame
        ``post_id, kind, entity`` and, for paragraph/sentence units, ``start`` (offset in the
        post's text) or a column named after the unit (its index).
    posts : DataFrame, optional
        ``post_id, text``: needed to split posts for paragraph/sentence units given by ``start``.
    unit : {"post", "paragraph", "sentence"}

    Returns
    -------
    DataFrame
        ``post_id, kind, entity, unit``, one row per distinct (post, unit, kind, entity)
        (``unit`` is 0 for post units), in the order of first appearance.

    Examples
    --------
    >>> posts = pd.DataFrame({"post_id": ["p1"], "text": ["China at the UN.\\nBRICS"]})
    >>> mentions = pd.DataFrame({"post_id": ["p1"] * 3, "kind": ["country", "forum", "forum"],
    ...                          "entity": ["CN", "UN", "BRICS"], "start": [0, 13, 17]})
    >>> unit_links(mentions, posts, unit="paragraph")["unit"].tolist()
    [0, 0, 1]
    """
    if unit not in UNITS:
        raise ConfigError(f"unknown unit {unit!r}; choose one of {', '.join(UNITS)}")
    m = mentions[mentions["kind"].isin(["country", "forum"])]
    out = pd.DataFrame(
        {
            "post_id": m["post_id"].astype(str).to_numpy(),
            "kind": m["kind"].astype(str).to_numpy(),
            "entity": m["entity"].astype(str).to_numpy(),
        }
    )
    if unit == "post":
        out["unit"] = 0
    elif unit in m.columns:
        out["unit"] = m[unit].to_numpy(np.int64)
    else:
        if posts is None or "text" not in posts.columns or "start" not in m.columns:
            raise ConfigError(f"unit={unit!r} needs the mentions' start offsets and the posts' text")
        texts = dict(zip(posts["post_id"].astype(str), posts["text"]))
        cache: dict[str, list[int]] = {}
        index = []
        for post, start in zip(out["post_id"], pd.to_numeric(m["start"], errors="coerce")):
            if post not in cache:
                text = texts.get(post)
                if not isinstance(text, str):
                    raise ConfigError(f"post {post!r} is mentioned but has no text in the posts table")
                cache[post] = unit_starts(text, unit)
            if pd.isna(start):
                raise ConfigError(f"a mention in post {post!r} has no start offset")
            index.append(unit_index(cache[post], int(start)))
        out["unit"] = np.asarray(index, dtype=np.int64)
    return out.drop_duplicates(ignore_index=True)


def baseline_units(posts: pd.DataFrame, links: pd.DataFrame, *, unit: str = "post", baseline: str = "all-units") -> int:
    """``N`` of a baseline: every unit of ``posts``, or those naming a country or forum.

    Examples
    --------
    >>> posts = pd.DataFrame({"post_id": ["p1", "p2"], "units": [3, 2]})
    >>> links = pd.DataFrame({"post_id": ["p1"], "kind": ["country"], "entity": ["CN"], "unit": [1]})
    >>> [baseline_units(posts, links, unit="paragraph", baseline=b) for b in BASELINES]
    [5, 1]
    """
    if baseline not in BASELINES:
        raise ConfigError(f"unknown baseline {baseline!r}; choose one of {', '.join(BASELINES)}")
    win = code_window(posts, links, unit=unit)
    return int((win.units if baseline == "all-units" else win.topical).sum())


def association_table(
    posts: pd.DataFrame,
    links: pd.DataFrame,
    *,
    unit: str = "post",
    baseline: str = "all-units",
    pairs: str = "observed",
) -> pd.DataFrame:
    """Weight, expected weight, association strength and NPMI of country-forum pairs.

    Parameters
    ----------
    posts : DataFrame
        The posts (``post_id``; ``units`` or ``text`` for paragraph/sentence units): all of
        them, including those that name nothing (they count in the all-units ``N``).
    links : DataFrame
        Country/forum links ``post_id, kind, entity`` (and ``unit``), e.g. from
        :func:`unit_links`.
    unit : {"post", "paragraph", "sentence"}
    baseline : {"all-units", "topical-units"}
        What ``N`` counts (see the module notes).
    pairs : {"observed", "all"}
        The pairs named together at least once (the edges), or every country x forum pair of
        entities named at least once (``weight`` 0 included).

    Returns
    -------
    DataFrame
        Columns :data:`ASSOCIATION_COLUMNS` (``country``, ``forum``: entity codes; ``n_units``
        is ``N``), sorted by country, forum. ``attrs``: ``baseline``, ``unit``, ``n_units``.

    Examples
    --------
    >>> posts = pd.DataFrame({"post_id": ["p1", "p2", "p3", "p4"]})
    >>> links = pd.DataFrame({"post_id": ["p1", "p1", "p2"], "kind": ["country", "forum", "forum"],
    ...                       "entity": ["CN", "UN", "UN"]})
    >>> t = association_table(posts, links)          # N = 4 posts; CN in 1, UN in 2, both in 1
    >>> t[["weight", "expected", "assoc_strength"]].values.tolist()
    [[1.0, 0.5, 2.0]]
    >>> association_table(posts, links, baseline="topical-units")["assoc_strength"].tolist()
    [1.0]
    """
    if pairs not in ("observed", "all"):
        raise ConfigError(f"pairs must be 'observed' or 'all', not {pairs!r}")
    if baseline not in BASELINES:
        raise ConfigError(f"unknown baseline {baseline!r}; choose one of {', '.join(BASELINES)}")
    win = code_window(posts, links, unit=unit)
    n = int((win.units if baseline == "all-units" else win.topical).sum())
    named = totals(win.node_index, win.node_count, len(win.nodes))
    weight = win.edge_totals
    if pairs == "all":
        countries = np.flatnonzero(win.kinds == "country")
        forums = np.flatnonzero(win.kinds == "forum")
        a, b = np.repeat(countries, len(forums)), np.tile(forums, len(countries))
        full = np.zeros(len(a), dtype=np.int64)
        key = pd.Index(a * len(win.nodes) + b)
        full[key.get_indexer(win.edge_nodes[:, 0] * len(win.nodes) + win.edge_nodes[:, 1])] = weight
        weight = full
    else:
        a, b = win.edge_nodes[:, 0], win.edge_nodes[:, 1]
    frame = pd.DataFrame(
        {
            "country": [win.nodes[i].split(":", 1)[1] for i in a],
            "forum": [win.nodes[j].split(":", 1)[1] for j in b],
            "weight": weight,
            "n_country": named[a],
            "n_forum": named[b],
            "n_units": n,
        }
    )
    if n > 0:
        frame = frame.assign(**association_measures(frame["weight"], frame["n_country"], frame["n_forum"], n))
    else:
        frame = frame.assign(expected=np.nan, assoc_strength=np.nan, npmi=np.nan)
    frame = frame.sort_values(["country", "forum"], kind="mergesort")[ASSOCIATION_COLUMNS]
    frame = frame.reset_index(drop=True)
    frame.attrs.update(baseline=baseline, unit=unit, n_units=n)
    return frame
