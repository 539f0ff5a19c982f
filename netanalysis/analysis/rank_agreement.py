"""Do two groups rank the same nodes (or edges) alike? Kendall's tau-b and rank-biased overlap.

* :func:`kendall_tau`: Kendall's tau-b between two groups' scores of the same items (SciPy),
  with its p-value (exact for small samples without ties, else the normal approximation with
  the tie-corrected variance). Items missing from one group score ``missing`` there (0 by
  default: an absent node has no centrality, an absent edge no weight).
* :func:`rank_biased_overlap`: how much two rankings agree, weighting the top more
  (Webber, Moffat & Zobel 2010). At depth ``d`` the agreement is ``A_d = |S_:d & T_:d| / d``;
  RBO is ``(1 - p) sum_d p^(d-1) A_d`` over infinite rankings. For the observed prefixes of
  lengths ``s <= l`` this module returns the paper's extrapolated point estimate ``RBO_ext`` for
  lists of uneven length (the same as for even lengths when ``s = l``), which assumes the
  agreement observed at the end of the lists continues below them:

      RBO_ext = (1-p)/p * ( sum_{d=1}^{l} X_d / d * p^d
                            + sum_{d=s+1}^{l} X_s (d - s) / (s d) * p^d )
                + ( (X_l - X_s) / l + X_s / s ) * p^l,

  where ``X_d`` is the overlap at depth ``d`` (the short list counting all its ``s`` items
  beyond its end). It gives the values of Webber's reference implementation (checked in the
  tests). ``p`` sets the top-weighting: the first ``d`` ranks carry a share
  ``1 - p^(d-1) + (1-p)/p * d * (ln(1/(1-p)) - sum_{i<d} p^i / i)`` of the weight; with the
  default ``p = 0.9`` the top 10 carry 85.6%. Rankings must not contain ties:
  :func:`ranking` orders scores decreasingly and breaks ties by item name, a convention to
  report with the number.

References
----------
Kendall, M. G. (1945). The treatment of ties in ranking problems. Biometrika, 33(3), 239-251.

Webber, W., Moffat, A., & Zobel, J. (2010). A similarity measure for indefinite rankings. ACM
Transactions on Information Systems, 28(4), Article 20. https://doi.org/10.1145/1852102.1852106
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence

import numpy as np
from scipy import stats

from netanalysis.errors import ConfigError, GraphError

__all__ = ["kendall_tau", "ranking", "rank_biased_overlap"]


def kendall_tau(
    scores_a: Mapping[Hashable, float], scores_b: Mapping[Hashable, float], *, missing: float | None = 0.0
) -> tuple[float, float, int]:
    """Kendall's tau-b between two groups' scores of the same items.

    Parameters
    ----------
    scores_a, scores_b : mapping of item to number
        E.g. each node's degree centrality in group A and in group B (a pandas Series works).
    missing : float or None
        Score of an item in the group where it is missing; None compares only the items both
        groups have.

    Returns
    -------
    (tau, p_value, n)
        NaN tau and p-value when fewer than two items remain or a group's scores are constant.

    References
    ----------
    Kendall (1945), Biometrika 33(3): 239-251.

    Examples
    --------
    Five items; B swaps the first two and the last two of A's order: 6 concordant and 4
    discordant of 10 pairs, no ties, so tau = (8 - 2) / 10.

    >>> a = {"a": 5, "b": 4, "c": 3, "d": 2, "e": 1}
    >>> b = {"a": 4, "b": 5, "c": 3, "d": 1, "e": 2}
    >>> kendall_tau(a, b)[0]
    0.6
    """
    shared = (set(scores_a) | set(scores_b)) if missing is not None else (set(scores_a) & set(scores_b))
    items = sorted(shared, key=str)
    x = np.array([scores_a.get(i, missing) for i in items], dtype=float)
    y = np.array([scores_b.get(i, missing) for i in items], dtype=float)
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise GraphError("scores must be finite numbers")
    if len(items) < 2 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return math.nan, math.nan, len(items)
    result = stats.kendalltau(x, y, variant="b")
    return float(result.statistic), float(result.pvalue), len(items)


def ranking(scores: Mapping[Hashable, float], *, top: int | None = None, drop_zero: bool = True) -> list:
    """Items ordered by decreasing score, ties broken by item name (as strings).

    ``drop_zero`` leaves out items scoring 0 (absent nodes or edges); ``top`` keeps the first
    ``top`` items.

    >>> ranking({"CN": 3, "IN": 5, "BR": 3, "ZA": 0})
    ['IN', 'BR', 'CN']
    """
    items = [(k, float(v)) for k, v in scores.items() if not (drop_zero and float(v) == 0)]
    items.sort(key=lambda kv: (-kv[1], str(kv[0])))
    ordered = [k for k, _ in items]
    return ordered if top is None else ordered[:top]


def rank_biased_overlap(ranking_a: Sequence[Hashable], ranking_b: Sequence[Hashable], *, p: float = 0.9) -> float:
    """Extrapolated rank-biased overlap ``RBO_ext`` of two rankings (Webber et al. 2010).

    Parameters
    ----------
    ranking_a, ranking_b : sequence
        Items from first to last, without repeats; the lengths may differ.
    p : float
        Persistence, in (0, 1): the weight of rank ``d + 1`` relative to rank ``d``.

    Returns
    -------
    float
        In [0, 1]: 1 for identical rankings, 0 for disjoint ones; 1.0 when both are empty and
        0.0 when only one is.

    References
    ----------
    Webber, Moffat & Zobel (2010), ACM TOIS 28(4): 20.

    Examples
    --------
    >>> round(rank_biased_overlap("abcdefgh", "hgfedcba", p=0.95), 6)
    0.771924
    """
    if isinstance(p, bool) or not isinstance(p, (int, float, np.floating)) or not 0 < p < 1:
        raise ConfigError(f"p must be a number between 0 and 1 (exclusive), not {p!r}")
    a, b = list(ranking_a), list(ranking_b)
    for name, lst in (("ranking_a", a), ("ranking_b", b)):
        if len(set(lst)) != len(lst):
            raise GraphError(f"{name} repeats an item; a ranking lists each item once")
    if not a and not b:
        return 1.0
    if not a or not b:
        return 0.0
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    s, n_long = len(short), len(long_)
    seen_short, seen_long = set(), set()
    overlap = 0
    x = np.zeros(n_long + 1)  # X_d, overlap at depth d (1-based)
    for d in range(1, n_long + 1):
        if d <= s:
            item_s = short[d - 1]
            overlap += (item_s in seen_long) + (long_[d - 1] in seen_short) + (item_s == long_[d - 1])
            seen_short.add(item_s)
        else:
            overlap += long_[d - 1] in seen_short
        seen_long.add(long_[d - 1])
        x[d] = overlap
    depth = np.arange(1, n_long + 1)
    weights = p**depth
    total = (x[1:] / depth * weights).sum()
    if n_long > s:
        extra = depth[s:]
        total += (x[s] * (extra - s) / (s * extra) * weights[s:]).sum()
    value = (1 - p) / p * total + ((x[n_long] - x[s]) / n_long + x[s] / s) * p**n_long
    return float(min(max(value, 0.0), 1.0))
