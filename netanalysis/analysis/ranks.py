"""Presenting ranks with their bootstrap intervals: which nodes can be told apart by rank.

The rank intervals are those of :mod:`netanalysis.analysis.uncertainty` (``rank_low``,
``rank_high``: the percentile interval of a node's rank over the bootstrap replicates; Hall &
Miller 2009 on the uncertainty of empirical rankings). Two nodes whose rank intervals overlap
should not be presented as ordered; :func:`rank_tiers` groups a ranking into tiers whose nodes
cannot be told apart.

References
----------
Hall, P., & Miller, H. (2009). Using the bootstrap to quantify the authority of an empirical
ranking. The Annals of Statistics, 37(6B), 3929-3959.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = ["rank_intervals_overlap", "rank_tiers", "rank_within_kind"]

#: Decimals values are rounded to before ranking (as in ``timeline.csv``).
_RANK_DECIMALS = 12


def rank_intervals_overlap(a: Mapping, b: Mapping) -> bool:
    """Whether two nodes' rank intervals overlap (then they should not be presented as ordered).

    ``a`` and ``b`` are rows of :func:`bootstrap_window` (anything with ``rank_low`` and
    ``rank_high``) of the same window, kind and measure. Missing intervals count as overlapping.

    Examples
    --------
    >>> rank_intervals_overlap({"rank_low": 1, "rank_high": 2}, {"rank_low": 2, "rank_high": 5})
    True
    >>> rank_intervals_overlap({"rank_low": 1, "rank_high": 1}, {"rank_low": 2, "rank_high": 3})
    False
    """
    lows, highs = (a["rank_low"], b["rank_low"]), (a["rank_high"], b["rank_high"])
    if any(pd.isna(x) for x in lows + highs):
        return True
    return bool(max(lows) <= min(highs))


def rank_tiers(table: pd.DataFrame) -> pd.Series:
    """Group nodes that cannot be told apart by rank: tier 1, 2, ... within each window, kind and
    metric.

    Walking the nodes by rank (best first), the first node opens a tier and leads it; a node
    joins the current tier when its rank interval overlaps the leader's (``rank_low`` at most
    the leader's ``rank_high``), and opens the next tier otherwise. So no node of a tier can be
    told apart from the tier's leader, every later tier's leader ranks surely below the leader
    of the tier before it, and tiers do not chain: a long run of pairwise-overlapping intervals
    (ranks 8-12, 10-20, 18-30, ...) is cut wherever a node is surely below the leader. Nodes
    within a tier should be listed without an order, with their rank intervals. Missing
    intervals join the current tier.

    Returns
    -------
    Series
        Integer tier per row of ``table`` (same index).

    Examples
    --------
    >>> t = pd.DataFrame({"kind": "forum", "metric": "share", "rank": [1, 2, 3, 4],
    ...                   "rank_low": [1, 1, 3, 3], "rank_high": [2, 2, 4, 4]})
    >>> rank_tiers(t).tolist()
    [1, 1, 2, 2]
    >>> chain = pd.DataFrame({"rank": [1, 2, 3, 4], "rank_low": [1, 1, 2, 3], "rank_high": [1, 3, 4, 4]})
    >>> rank_tiers(chain).tolist()  # 3 ranks surely below 1, though it overlaps 2
    [1, 1, 2, 2]
    """
    keys = [c for c in ("window_start", "window_end", "kind", "metric") if c in table.columns]
    out = pd.Series(0, index=table.index, dtype="int64")
    groups = table.groupby(keys, sort=False, dropna=False) if keys else [(None, table)]
    for _, group in groups:
        tier, reach = 0, -np.inf
        for idx, row in group.sort_values("rank", kind="mergesort").iterrows():
            low = row["rank_low"] if not pd.isna(row["rank_low"]) else -np.inf
            high = row["rank_high"] if not pd.isna(row["rank_high"]) else np.inf
            if tier == 0 or low > reach:
                tier += 1
                reach = high  # the leader's
            out[idx] = tier
    return out


def rank_within_kind(values: np.ndarray, kinds: np.ndarray) -> np.ndarray:
    """Ranks of ``values`` (``(R, n_nodes)``) within each kind, per row: 1 for the highest,
    ties share the smallest rank (``method="min"``), values compared rounded to 12 decimals as
    in ``timeline.csv``."""
    keys = np.round(values, _RANK_DECIMALS)
    ranks = np.zeros(values.shape, dtype=np.int64)
    for kind in np.unique(kinds):
        cols = np.flatnonzero(kinds == kind)
        block = keys[:, cols]
        ranks[:, cols] = 1 + (block[:, None, :] > block[:, :, None]).sum(axis=2)
    return ranks
