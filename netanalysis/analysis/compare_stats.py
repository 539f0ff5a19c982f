"""Comparing two groups of units (two channels, two periods): per item and overall.

An *item* is anything counted per unit: an edge (units naming both its nodes), a node, a
mention form. For two groups A and B of units:

* :func:`log_odds_dirichlet`: the difference of an item's use between the groups as a log-odds
  ratio with an informative Dirichlet prior, and its z-score (Monroe, Colaresi & Quinn 2008,
  "Fightin' Words"). Shares are taken of each group's total count (``n_A = sum_w y_w^A``), as in
  the paper's multinomial model of word use. With prior counts ``alpha_w`` (``alpha_0`` their
  sum),

      delta_w = log((y_w^A + alpha_w) / (n_A + alpha_0 - y_w^A - alpha_w))
              - log((y_w^B + alpha_w) / (n_B + alpha_0 - y_w^B - alpha_w)),
      var(delta_w) ~ 1 / (y_w^A + alpha_w) + 1 / (y_w^B + alpha_w),   z_w = delta_w / sd.

  The default prior is the pooled counts of both groups (``alpha_w = y_w^A + y_w^B``), which
  shrinks rare items towards no difference; a number gives a flat prior, an array any prior.
  The z-score ranks items by how clearly they separate the groups; it is a descriptive
  statistic, not a calibrated test.
* :func:`fisher_items`: the test. Each item's count in A against the units of A, and in B against
  the units of B, is a 2x2 table; Fisher's exact test (two-sided: the probabilities of all tables
  with the observed margins that are no more likely than the observed one, with R's and SciPy's
  relative tolerance 1e-7) gives a p-value per item and Benjamini-Hochberg q-values across items.
  If an item occurs in each unit of either group independently with the same probability, the
  count in A given the total is hypergeometric, so the test is exact.
  :func:`fisher_randomized_pvalues` gives the randomised version ``P(f(X) < f(x)) + U P(f(X) =
  f(x))``, exactly uniform under that null.
* :func:`permutation_test`: one test of the overall difference. The statistic is the
  Jensen-Shannon divergence (base 2, in [0, 1]) between the two groups' item-share
  distributions (``jsd``), or their total variation distance (``tv``); units are reassigned to
  the groups at random with the group sizes kept, and ``p = (1 + #{T* >= T}) / (1 + B)``
  (Phipson & Smyth 2010), which is a valid p-value (``P(p <= a) <= a``) for any ``B``.

References
----------
Monroe, B. L., Colaresi, M. P., & Quinn, K. M. (2008). Fightin' words: Lexical feature selection
and evaluation for identifying the content of political conflict. Political Analysis, 16(4),
372-403. https://doi.org/10.1093/pan/mpn018

Fisher, R. A. (1935). The logic of inductive inference. JRSS, 98(1), 39-82.

Benjamini, Y., & Hochberg, Y. (1995). JRSS B, 57(1), 289-300.

Phipson, B., & Smyth, G. K. (2010). Permutation p-values should never be zero: calculating exact
p-values when permutations are randomly drawn. Statistical Applications in Genetics and
Molecular Biology, 9(1), Article 39. https://doi.org/10.2202/1544-6115.1585

Lin, J. (1991). Divergence measures based on the Shannon entropy. IEEE Transactions on
Information Theory, 37(1), 145-151.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import ArrayLike
from scipy.special import entr

from netanalysis.analysis.hypergeometric import hypergeometric_logpmf, hypergeometric_tails
from netanalysis.analysis.poisson_binomial import whole_numbers
from netanalysis.analysis.significance import _check_alpha, bh_qvalues
from netanalysis.errors import ConfigError, GraphError

__all__ = [
    "STATISTICS",
    "log_odds_dirichlet",
    "fisher_items",
    "fisher_randomized_pvalues",
    "PermutationResult",
    "permutation_test",
]

log = logging.getLogger(__name__)

#: Statistics of :func:`permutation_test`.
STATISTICS = ("jsd", "tv")
_TIE = np.log1p(1e-7)  # relative tolerance of "as likely as the observed table"


def log_odds_dirichlet(
    counts_a: ArrayLike, counts_b: ArrayLike, *, prior: float | ArrayLike | None = None
) -> pd.DataFrame:
    """Log-odds ratio of each item between two groups, with an informative Dirichlet prior.

    Parameters
    ----------
    counts_a, counts_b : array_like of int
        Count of each item in group A and in group B (same items, same order).
    prior : None, float or array_like of float
        Prior counts ``alpha_w``: None for the pooled counts ``y^A + y^B`` (the default), a
        number for the same prior for every item, or one positive number per item.

    Returns
    -------
    pandas.DataFrame
        ``delta`` (log-odds ratio, positive when A uses the item more), ``variance`` and ``z``.

    Raises
    ------
    GraphError
        If counts are not whole numbers >= 0, lengths differ, or an item has no prior mass
        (never counted in either group, with the default prior).

    References
    ----------
    Monroe, Colaresi & Quinn (2008), Political Analysis 16(4): 372-403.

    Examples
    --------
    An item seen once in A and never in B, of nine counts each, flat prior 0.05 on 11 items:

    >>> a = [2, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0]
    >>> b = [2, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1]
    >>> round(float(log_odds_dirichlet(a, b, prior=0.05).z[1]), 10)
    0.6894227887
    """
    ya, yb = whole_numbers("counts_a", counts_a), whole_numbers("counts_b", counts_b)
    if ya.shape != yb.shape:
        raise GraphError("counts_a and counts_b must count the same items")
    if prior is None:
        alpha = (ya + yb).astype(float)
    else:
        alpha = np.broadcast_to(np.asarray(prior, dtype=float), ya.shape).astype(float)
    if not np.all(np.isfinite(alpha)) or np.any(alpha <= 0):
        raise GraphError(
            "every item needs a positive prior count (items never counted in either "
            "group have none under the default pooled prior: leave them out)"
        )
    a0 = alpha.sum()
    na, nb = ya.sum(), yb.sum()
    delta = np.log(ya + alpha) - np.log(na + a0 - ya - alpha) - np.log(yb + alpha) + np.log(nb + a0 - yb - alpha)
    variance = 1.0 / (ya + alpha) + 1.0 / (yb + alpha)
    return pd.DataFrame({"delta": delta, "variance": variance, "z": delta / np.sqrt(variance)})


def _tables(counts_a, counts_b, units_a, units_b):
    wa, wb = whole_numbers("counts_a", counts_a), whole_numbers("counts_b", counts_b)
    if wa.shape != wb.shape:
        raise GraphError("counts_a and counts_b must count the same items")
    ua, ub = (int(v) for v in whole_numbers("units", [units_a, units_b]))
    if np.any(wa > ua) or np.any(wb > ub):
        raise GraphError("an item cannot occur in more units than its group has")
    return wa, wb, ua, ub


def _other_side(x, n, a, b, threshold, mode, below):
    """The boundary of the opposite tail: first value past the mode no likelier than threshold."""
    lo_supp = np.maximum(0, a + b - n)
    hi_supp = np.minimum(a, b)

    def no_likelier(v):
        return hypergeometric_logpmf(v, a, b, n_units=n) <= threshold

    if below:  # observed below the mode: smallest y in [mode, hi] with pmf(y) <= pmf(x)
        left, right = mode.copy(), hi_supp + 1
        while np.any(left < right):
            mid = (left + right) // 2
            ok = no_likelier(np.minimum(mid, hi_supp))
            move = left < right
            right = np.where(move & ok, mid, right)
            left = np.where(move & ~ok, mid + 1, left)
        return left, left <= hi_supp
    left, right = lo_supp - 1, mode.copy()  # largest y in [lo, mode] with pmf(y) <= pmf(x)
    while np.any(left < right):
        mid = (left + right + 1) // 2
        ok = no_likelier(np.maximum(mid, lo_supp))
        move = left < right
        left = np.where(move & ok, mid, left)
        right = np.where(move & ~ok, mid - 1, right)
    return left, left >= lo_supp


def _fisher(wa, wb, ua, ub):
    """Two-sided p-value and the probability of the observed likelihood class, per item."""
    n = np.full(wa.shape, ua + ub, dtype=np.int64)
    a = wa + wb
    b = np.full(wa.shape, ua, dtype=np.int64)
    p = np.ones(wa.shape)
    ties = np.ones(wa.shape)
    free = np.flatnonzero((a > 0) & (a < n) & (b > 0) & (b < n))
    if free.size == 0:
        return p, ties
    x, n, a, b = wa[free], n[free], a[free], b[free]
    upper, lower, pmf = hypergeometric_tails(x, a, b, n_units=n)
    lp = hypergeometric_logpmf(x, a, b, n_units=n)
    mode = ((a + 1) * (b + 1)) // (n + 2)
    threshold = lp + _TIE
    pv, tie = np.empty(x.shape), pmf.copy()
    for below in (True, False):
        sel = np.flatnonzero((x < mode) if below else (x >= mode))
        if sel.size == 0:
            continue
        y, exists = _other_side(x[sel], n[sel], a[sel], b[sel], threshold[sel], mode[sel], below)
        y = np.where(exists, y, x[sel])
        up_y, low_y, pmf_y = hypergeometric_tails(y, a[sel], b[sel], n_units=n[sel])
        near = exists & (np.abs(hypergeometric_logpmf(y, a[sel], b[sel], n_units=n[sel]) - lp[sel]) <= _TIE)
        own = lower[sel] if below else upper[sel]
        other = np.where(exists, up_y if below else low_y, 0.0)
        extra = np.where(near & (y != x[sel]), pmf_y, 0.0)
        if not below:  # x at the mode: every table is no likelier than the observed one
            at_mode = x[sel] == mode[sel]
            other = np.where(at_mode, 1.0 - own, other)
            # ... and the other mode, mode - 1, may be exactly as likely
            twin = np.maximum(mode[sel] - 1, np.maximum(0, a[sel] + b[sel] - n[sel]))
            lp_twin = hypergeometric_logpmf(twin, a[sel], b[sel], n_units=n[sel])
            twin_tie = at_mode & (twin < x[sel]) & (np.abs(lp_twin - lp[sel]) <= _TIE)
            extra = np.where(at_mode, np.where(twin_tie, np.exp(lp_twin), 0.0), extra)
        pv[sel] = own + other
        tie[sel] = pmf[sel] + extra
    p[free] = np.clip(pv, 0.0, 1.0)
    ties[free] = tie
    return p, ties


def fisher_items(
    counts_a: ArrayLike, counts_b: ArrayLike, *, units_a: int, units_b: int, alpha: float = 0.05
) -> pd.DataFrame:
    """Two-sided Fisher exact test per item (its units in A vs in B), with BH q-values.

    Parameters
    ----------
    counts_a, counts_b : array_like of int
        Units of group A (of B) in which each item occurs.
    units_a, units_b : int
        Units in each group.
    alpha : float
        False discovery rate for ``significant`` (``q_value < alpha``).

    Returns
    -------
    pandas.DataFrame
        ``share_a``, ``share_b`` (count / units), ``p_value``, ``q_value``, ``significant``.
        An item in no unit or in every unit of both groups, or an empty group, gets p = 1.

    References
    ----------
    Fisher (1935); Benjamini & Hochberg (1995).

    Examples
    --------
    >>> t = fisher_items([3, 1], [0, 1], units_a=3, units_b=3)   # 3/3 vs 0/3: p = 2 / C(6, 3)
    >>> t.p_value.round(6).tolist()
    [0.1, 1.0]
    """
    alpha = _check_alpha(alpha)
    wa, wb, ua, ub = _tables(counts_a, counts_b, units_a, units_b)
    p, _ = _fisher(wa, wb, ua, ub)
    q = bh_qvalues(p)
    with np.errstate(divide="ignore", invalid="ignore"):
        share_a = np.where(ua > 0, wa / max(ua, 1), np.nan)
        share_b = np.where(ub > 0, wb / max(ub, 1), np.nan)
    return pd.DataFrame({"share_a": share_a, "share_b": share_b, "p_value": p, "q_value": q, "significant": q < alpha})


def fisher_randomized_pvalues(
    counts_a: ArrayLike, counts_b: ArrayLike, *, units_a: int, units_b: int, u: ArrayLike
) -> np.ndarray:
    """Randomised two-sided Fisher p-values ``P(f(X) < f(x)) + u P(f(X) = f(x))``.

    Exactly uniform on [0, 1] when both groups share each item's probability (``u`` uniform);
    ``u = 0.5`` gives the mid-p, ``u = 1`` the ordinary p-value of :func:`fisher_items`.
    """
    wa, wb, ua, ub = _tables(counts_a, counts_b, units_a, units_b)
    uu = np.broadcast_to(np.asarray(u, dtype=float), wa.shape)
    if np.any((uu < 0) | (uu > 1)) or not np.all(np.isfinite(uu)):
        raise ConfigError("u must be numbers in [0, 1]")
    p, ties = _fisher(wa, wb, ua, ub)
    return np.clip(p - (1.0 - uu) * ties, 0.0, 1.0)


@dataclass(frozen=True)
class PermutationResult:
    """Outcome of :func:`permutation_test`.

    Attributes
    ----------
    statistic : float
        The observed statistic.
    p_value : float
        ``(1 + #{T* >= T}) / (1 + n_permutations)``.
    n_permutations : int
    null : numpy.ndarray
        The statistic under each permutation.
    name : str
        ``"jsd"`` or ``"tv"``.
    """

    statistic: float
    p_value: float
    n_permutations: int
    null: np.ndarray
    name: str


def _distance(counts_a: np.ndarray, counts_b: np.ndarray, name: str) -> np.ndarray:
    """Row-wise JSD (base 2) or total variation between the share vectors of two count matrices."""
    ta, tb = counts_a.sum(axis=1, keepdims=True), counts_b.sum(axis=1, keepdims=True)
    empty = (ta[:, 0] == 0) | (tb[:, 0] == 0)
    pa = counts_a / np.where(ta > 0, ta, 1)
    pb = counts_b / np.where(tb > 0, tb, 1)
    if name == "tv":
        value = 0.5 * np.abs(pa - pb).sum(axis=1)
    else:
        mid = 0.5 * (pa + pb)
        value = (entr(mid).sum(axis=1) - 0.5 * (entr(pa).sum(axis=1) + entr(pb).sum(axis=1))) / np.log(2)
    return np.where(empty, 1.0, np.clip(value, 0.0, 1.0))  # a group without items: maximal


def permutation_test(
    units: ArrayLike,
    items: ArrayLike,
    in_a: ArrayLike,
    *,
    statistic: str = "jsd",
    n_permutations: int = 999,
    seed: int | np.random.Generator = 0,
    batch: int = 64,
) -> PermutationResult:
    """Permutation test of the overall difference between two groups' item distributions.

    Parameters
    ----------
    units, items : array_like of int
        One entry per occurrence of an item in a unit (unit index, item index); repeated
        pairs count once.
    in_a : array_like of bool
        For every unit (including units without items), whether it belongs to group A.
    statistic : {"jsd", "tv"}
        Jensen-Shannon divergence (base 2) or total variation distance between the groups'
        item shares.
    n_permutations : int
        Random reassignments of units to groups (group sizes kept).
    seed : int or numpy.random.Generator
        The same seed gives the same p-value.
    batch : int
        Permutations evaluated together.

    Returns
    -------
    PermutationResult

    References
    ----------
    Phipson & Smyth (2010), SAGMB 9(1): 39; Lin (1991), IEEE Trans. Inf. Theory 37(1): 145-151.
    """
    if statistic not in STATISTICS:
        raise ConfigError(f"statistic must be one of {', '.join(STATISTICS)}, not {statistic!r}")
    if isinstance(n_permutations, bool) or not isinstance(n_permutations, (int, np.integer)) or n_permutations < 1:
        raise ConfigError(f"n_permutations must be a whole number >= 1, not {n_permutations!r}")
    group = np.asarray(in_a)
    if group.ndim != 1 or group.dtype != bool:
        raise GraphError("in_a must be one True/False per unit")
    unit, item = whole_numbers("units", units), whole_numbers("items", items)
    if unit.shape != item.shape:
        raise GraphError("units and items must have one entry per occurrence")
    if unit.size and unit.max() >= group.size:
        raise GraphError("every unit index must have an entry in in_a")
    n_items = int(item.max()) + 1 if item.size else 0
    pairs = np.unique(np.stack([unit, item], axis=1), axis=0) if unit.size else np.zeros((0, 2), np.int64)
    used, local = np.unique(pairs[:, 0], return_inverse=True)  # units with items
    incidence = sp.csr_matrix((np.ones(len(pairs)), (local.ravel(), pairs[:, 1])), shape=(used.size, n_items))
    labels = group[used]
    observed_a = np.asarray(incidence[labels].sum(axis=0)).ravel()
    total = np.asarray(incidence.sum(axis=0)).ravel()
    if observed_a.sum() == 0 or observed_a.sum() == total.sum():
        raise GraphError("both groups need at least one item occurrence to be compared")
    value = float(_distance(observed_a[None, :], (total - observed_a)[None, :], statistic)[0])
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    n_a, n_units, k = int(group.sum()), group.size, used.size
    null = np.empty(n_permutations)
    t_inc = incidence.T.tocsr()
    for first in range(0, n_permutations, batch):
        size = min(batch, n_permutations - first)
        # units with items that land in A: hypergeometric count, then a random subset of them
        drawn = rng.hypergeometric(n_a, n_units - n_a, k, size=size)
        order = np.argsort(rng.random((size, k)), axis=1)
        member = np.zeros((size, k))
        np.put_along_axis(member, order, (np.arange(k)[None, :] < drawn[:, None]).astype(float), axis=1)
        counts_a = np.asarray(t_inc @ member.T).T
        null[first : first + size] = _distance(counts_a, total[None, :] - counts_a, statistic)
    exceed = int(np.sum(null >= value - 1e-12 * max(1.0, value)))
    return PermutationResult(
        statistic=value,
        p_value=(1 + exceed) / (1 + n_permutations),
        n_permutations=int(n_permutations),
        null=null,
        name=statistic,
    )
