"""Significance of co-occurrence: which edges are more (or less) frequent than chance?

The default test is the hypergeometric test of Tumminello et al. (2011), the one-sided Fisher
exact test of a 2x2 table. Over ``N`` units, entity ``i`` is named in ``n_i`` units and entity
``j`` in ``n_j``; if the units naming ``i`` were a random draw of ``n_i`` of the ``N`` units,
independently of those naming ``j``, the number of units naming both would follow

    X ~ Hypergeometric(N, n_i, n_j),    P(X = x) = C(n_i, x) C(N - n_i, n_j - x) / C(N, n_j),

with expected value ``n_i n_j / N``. An observed co-occurrence ``w`` gets two p-values:

* ``p_over  = P(X >= w)``: over-expression (the tie is stronger than chance);
* ``p_under = P(X <= w)``: under-expression (the two avoid each other).

Both are computed by :mod:`netanalysis.analysis.hypergeometric`, which sums each tail directly
from an accurate probability (no ``1 - cdf`` cancellation), so tiny p-values keep their
relative precision (about 1e-13) until they underflow below ~1e-308, and which stays fast at a
million units, where SciPy's hypergeometric distribution takes a fraction of a millisecond per
table. A node named in every unit (``n = N``) or in none (``n = 0``) makes ``X`` constant, so
both p-values are exactly 1: such a node never gets a significant edge. With ``N = 0`` every
p-value is 1 and every expected count 0.

The test is exact conditionally on ``n_i``, ``n_j`` and ``N``. It assumes the units are the
population the margins were counted in: when ``N`` counts only units that name at least one
entity (the topical-units baseline of :mod:`netanalysis.graph`), dropping the units that name
nothing makes any two entities slightly *negatively* dependent, which makes ``p_over`` slightly
conservative and ``p_under`` slightly liberal. With the all-units baseline (the default) ``N`` is
every unit; :mod:`netanalysis.analysis.edge_tests` applies this test to the graphs.

Hypergeometric p-values are discrete: under the null, ``P(p <= a) <= a`` with equality only at
the attainable values. :func:`randomized_pvalues` gives the randomised p-value
``P(X > w) + U P(X = w)`` (``U`` uniform on [0, 1]), which is exactly uniform under the null and
is what the test suite uses to check the distribution; ``u = 0.5`` gives the mid-p.

Multiple testing: :func:`bh_qvalues` gives Benjamini-Hochberg (1995) adjusted p-values
(q-values) per graph, and an edge is ``significant`` when ``q < alpha``. The number of tests
defaults to the number of p-values given; pass ``n_tests`` (e.g. the number of
country-forum pairs that could have co-occurred) when only some of the pairs are listed,
because leaving out untested pairs (whose ``p_over`` is 1) would make the correction liberal.

References
----------
Tumminello, M., Miccichè, S., Lillo, F., Piilo, J., & Mantegna, R. N. (2011). Statistically
validated networks in bipartite complex systems. PLoS ONE, 6(3), e17994.
https://doi.org/10.1371/journal.pone.0017994

Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate: a practical and
powerful approach to multiple testing. Journal of the Royal Statistical Society B, 57(1),
289-300.

Habiger, J. D., & Peña, E. A. (2011). Randomised P-values and nonparametric procedures in
multiple testing. Journal of Nonparametric Statistics, 23(3), 583-604.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from netanalysis.analysis.hypergeometric import hypergeometric_tails
from netanalysis.errors import ConfigError, GraphError
from netanalysis.model import ALTERNATIVES

__all__ = [
    "ALTERNATIVES",
    "SIGNIFICANCE_COLUMNS",
    "hypergeometric_pvalues",
    "randomized_pvalues",
    "bh_qvalues",
    "validate_pvalues",
    "significance_table",
]

log = logging.getLogger(__name__)

#: Columns of :func:`significance_table`, in this order.
SIGNIFICANCE_COLUMNS = ["expected", "p_over", "p_under", "p_value", "q_value", "significant"]


def _counts(name: str, values: ArrayLike) -> np.ndarray:
    """Return ``values`` as an int64 array, or raise GraphError if they are not counts."""
    arr = np.asarray(values)
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise GraphError(f"{name} must be whole numbers >= 0")
    if np.issubdtype(arr.dtype, np.floating):
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise GraphError(f"{name} must be whole numbers >= 0")
    arr = arr.astype(np.int64)
    if np.any(arr < 0):
        raise GraphError(f"{name} must be whole numbers >= 0")
    return arr


def _checked(weight, n_i, n_j, n_units) -> tuple[np.ndarray, ...]:
    w, a, b, n = np.broadcast_arrays(
        _counts("weight", weight), _counts("n_i", n_i), _counts("n_j", n_j), _counts("n_units", n_units)
    )
    if np.any(a > n) or np.any(b > n):
        raise GraphError("a node cannot be named in more units than there are (n_i, n_j <= n_units)")
    if np.any(w > np.minimum(a, b)):
        raise GraphError("an edge cannot occur in more units than either of its nodes (weight <= n_i, n_j)")
    if np.any(w < a + b - n):
        raise GraphError("weight is too small for these counts: weight >= n_i + n_j - n_units")
    return w, a, b, n


def _expected(a: np.ndarray, b: np.ndarray, n: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 0, a.astype(float) * b / np.maximum(n, 1), 0.0)


def _random_x(a: np.ndarray, b: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Mask of the pairs whose co-occurrence is random (not fixed by a constant node)."""
    return (a > 0) & (a < n) & (b > 0) & (b < n)


def hypergeometric_pvalues(weight: ArrayLike, n_i: ArrayLike, n_j: ArrayLike, *, n_units: ArrayLike) -> pd.DataFrame:
    """Hypergeometric (one-sided Fisher) test of co-occurrence for many pairs at once.

    Parameters
    ----------
    weight : array_like of int
        Units naming both nodes of each pair.
    n_i, n_j : array_like of int
        Units naming each node.
    n_units : int or array_like of int
        Units in the graph (``N``); arrays broadcast, so one call can cover several windows.

    Returns
    -------
    pandas.DataFrame
        One row per pair, columns ``expected`` (``n_i n_j / N``, 0 when ``N = 0``),
        ``p_over`` (``P(X >= weight)``) and ``p_under`` (``P(X <= weight)``).

    Raises
    ------
    GraphError
        If the counts are not whole numbers >= 0 or cannot occur together.

    Notes
    -----
    See the module docstring for the model, its assumptions and the degenerate cases.

    References
    ----------
    Tumminello et al. (2011), PLoS ONE 6(3): e17994.

    Examples
    --------
    >>> t = hypergeometric_pvalues([3], [3], [3], n_units=10)  # P(X >= 3) = 1 / C(10, 3)
    >>> round(float(t.p_over[0]) * 120, 12), float(t.expected[0])
    (1.0, 0.9)
    """
    w, a, b, n = (np.ravel(x) for x in _checked(weight, n_i, n_j, n_units))
    p_over = np.ones(w.shape, dtype=float)
    p_under = np.ones(w.shape, dtype=float)
    free = _random_x(a, b, n)
    if free.any():
        p_over[free], p_under[free], _ = hypergeometric_tails(w[free], a[free], b[free], n_units=n[free])
    return pd.DataFrame(
        {"expected": _expected(a, b, n), "p_over": np.clip(p_over, 0.0, 1.0), "p_under": np.clip(p_under, 0.0, 1.0)}
    )


def randomized_pvalues(
    weight: ArrayLike, n_i: ArrayLike, n_j: ArrayLike, *, n_units: ArrayLike, u: ArrayLike, alternative: str = "greater"
) -> np.ndarray:
    """Randomised hypergeometric p-values, exactly uniform on [0, 1] under the null.

    ``P(X > w) + u P(X = w)`` for ``alternative="greater"`` and ``P(X < w) + u P(X = w)`` for
    ``"less"``; ``u`` is a uniform draw per pair (``u = 0.5`` gives the mid-p, ``u = 1`` the
    ordinary p-value). Used to check the distribution computation, and available for
    procedures that need continuous p-values.

    Parameters
    ----------
    weight, n_i, n_j, n_units : array_like of int
        As in :func:`hypergeometric_pvalues`.
    u : array_like of float
        Numbers in [0, 1], broadcast against the counts.
    alternative : {"greater", "less"}

    Returns
    -------
    numpy.ndarray of float

    References
    ----------
    Habiger & Peña (2011), J. Nonparametric Statistics 23(3): 583-604.
    """
    if alternative not in ("greater", "less"):
        raise ConfigError(f"alternative must be 'greater' or 'less', not {alternative!r}")
    w, a, b, n = (np.ravel(x) for x in _checked(weight, n_i, n_j, n_units))
    u = np.broadcast_to(np.asarray(u, dtype=float), np.broadcast_shapes(np.shape(u), w.shape)).ravel()
    if u.shape != w.shape or np.any((u < 0) | (u > 1)) or not np.all(np.isfinite(u)):
        raise ConfigError("u must be numbers in [0, 1], one per pair")
    strict = np.zeros(w.shape, dtype=float)  # X is constant: P(X > w) = 0, P(X = w) = 1
    equal = np.ones(w.shape, dtype=float)
    free = _random_x(a, b, n)
    if free.any():
        upper, lower, pmf = hypergeometric_tails(w[free], a[free], b[free], n_units=n[free])
        strict[free] = np.maximum((upper if alternative == "greater" else lower) - pmf, 0.0)
        equal[free] = pmf
    return np.clip(strict + u * equal, 0.0, 1.0)


def bh_qvalues(p_values: ArrayLike, *, n_tests: int | None = None) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values).

    ``q_(k) = min_{m >= k} min(1, n p_(m) / m)`` over the p-values sorted increasingly, with
    ``n`` the number of tests. Rejecting the hypotheses with ``q <= alpha`` controls the false
    discovery rate at ``alpha`` for independent or positively dependent tests.

    Parameters
    ----------
    p_values : array_like of float
        P-values in [0, 1], any shape (the result has the same shape).
    n_tests : int, optional
        Number of hypotheses tested, at least the number of p-values; the hypotheses not
        listed are taken to have p-value 1. Defaults to the number of p-values.

    Returns
    -------
    numpy.ndarray of float

    Raises
    ------
    GraphError
        If a p-value is missing or outside [0, 1].
    ConfigError
        If ``n_tests`` is smaller than the number of p-values.

    References
    ----------
    Benjamini & Hochberg (1995), JRSS B 57(1): 289-300.

    Examples
    --------
    >>> bh_qvalues([0.01, 0.04, 0.03, 0.5]).round(4).tolist()
    [0.04, 0.0533, 0.0533, 0.5]
    """
    p = np.asarray(p_values, dtype=float)
    flat = p.ravel()
    if not np.all(np.isfinite(flat)) or np.any((flat < 0) | (flat > 1)):
        raise GraphError("p-values must be numbers in [0, 1] (no missing values)")
    m = flat.size if n_tests is None else n_tests
    if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m < flat.size:
        raise ConfigError(f"n_tests must be a whole number >= the number of p-values ({flat.size}), not {n_tests!r}")
    if flat.size == 0:
        return p.copy()
    order = np.argsort(flat, kind="mergesort")
    ranked = flat[order] * m / np.arange(1, flat.size + 1)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    q = np.empty_like(flat)
    q[order] = np.minimum(ranked, 1.0)
    return q.reshape(p.shape)


def _check_alpha(alpha: float) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.floating)) or not 0 < alpha < 1:
        raise ConfigError(f"alpha must be a number between 0 and 1, not {alpha!r}")
    return float(alpha)


def validate_pvalues(
    p_over: ArrayLike,
    p_under: ArrayLike,
    *,
    alpha: float = 0.05,
    alternative: str = "greater",
    n_tests: int | None = None,
) -> pd.DataFrame:
    """Pick the p-value of the chosen alternative, adjust it (BH) and call edges significant.

    Shared by every null model (hypergeometric, SDSM): they all give ``p_over`` and ``p_under``.

    Parameters
    ----------
    p_over, p_under : array_like of float
        Upper- and lower-tail p-values of the same pairs.
    alpha : float
        False discovery rate; an edge is significant when ``q_value < alpha``.
    alternative : {"greater", "less", "two-sided"}
        ``"greater"`` tests over-expression (``p_value = p_over``), ``"less"``
        under-expression, ``"two-sided"`` either (``p_value = min(1, 2 min(p_over, p_under))``,
        the doubled smaller tail).
    n_tests : int, optional
        Passed to :func:`bh_qvalues`.

    Returns
    -------
    pandas.DataFrame
        Columns ``p_value``, ``q_value``, ``significant``.
    """
    alpha = _check_alpha(alpha)
    if alternative not in ALTERNATIVES:
        raise ConfigError(f"alternative must be one of {', '.join(ALTERNATIVES)}, not {alternative!r}")
    over = np.ravel(np.asarray(p_over, dtype=float))
    under = np.ravel(np.asarray(p_under, dtype=float))
    if over.shape != under.shape:
        raise GraphError("p_over and p_under must have one value per pair")
    if alternative == "greater":
        p = over
    elif alternative == "less":
        p = under
    else:
        p = np.minimum(1.0, 2.0 * np.minimum(over, under))
    q = bh_qvalues(p, n_tests=n_tests)
    return pd.DataFrame({"p_value": p, "q_value": q, "significant": q < alpha})


def significance_table(
    weight: ArrayLike,
    n_i: ArrayLike,
    n_j: ArrayLike,
    *,
    n_units: ArrayLike,
    alpha: float = 0.05,
    alternative: str = "greater",
    n_tests: int | None = None,
) -> pd.DataFrame:
    """The hypergeometric test of every pair of one graph, with BH q-values.

    Parameters
    ----------
    weight, n_i, n_j, n_units : array_like of int
        As in :func:`hypergeometric_pvalues`; all pairs belong to one graph (one correction).
    alpha, alternative, n_tests
        As in :func:`validate_pvalues`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SIGNIFICANCE_COLUMNS`, one row per pair in input order.

    Examples
    --------
    A node named in every unit never gets a significant edge:

    >>> t = significance_table([5, 2], [5, 5], [5, 2], n_units=5)
    >>> t.p_over.tolist(), t.significant.tolist()
    ([1.0, 1.0], [False, False])
    """
    tests = hypergeometric_pvalues(weight, n_i, n_j, n_units=n_units)
    verdict = validate_pvalues(tests["p_over"], tests["p_under"], alpha=alpha, alternative=alternative, n_tests=n_tests)
    return pd.concat([tests, verdict], axis=1)[SIGNIFICANCE_COLUMNS]
