"""The stochastic degree sequence model (SDSM): co-occurrence tested against a BiCM null.

The unit x entity matrix ``B`` (``B[u, e] = 1`` when unit ``u`` names entity ``e``) has row
degrees (entities per unit) and column degrees (units per entity, the ``n_i`` of
:mod:`netanalysis.graph`). The hypergeometric test keeps only the column degrees; a unit that
names twenty entities is then as likely to name a given pair as a unit that names two. SDSM
(Neal 2014) also keeps the row degrees, on average: it draws random matrices from the bipartite
configuration model (BiCM; Saracco et al. 2015, 2017), the maximum-entropy distribution of
0/1 matrices whose *expected* row and column degrees equal the observed ones. Its cells are
independent with

    P(B[u, e] = 1) = p_ue = x_u y_e / (1 + x_u y_e),

where the fitnesses ``x, y`` solve ``sum_e p_ue = r_u`` and ``sum_u p_ue = c_e``. Under the
model, the co-occurrence of entities ``i`` and ``j`` is a sum of independent Bernoulli trials
with probabilities ``p_ui p_uj``: a Poisson-binomial variable. Its upper tail at the observed
weight is ``p_over`` and its lower tail ``p_under``
(:func:`netanalysis.analysis.poisson_binomial.poisson_binomial_tails`, exact).

Grouping by degree
------------------
``p_ue`` depends on the unit only through its degree, so units of equal degree share their
fitness. Everything here works on degree classes: with a million posts that name between one
and thirty entities, the model has thirty row parameters, and each co-occurrence is a sum of
thirty binomials. Nothing is ever the size of the matrix.

Fitting
-------
The BiCM is fitted here, by Newton's method on the convex negative log-likelihood of the
degree-class parameters ``theta = log x``, ``eta = log y`` (with a line search; each step solves
a system the size of the unit classes, the Schur complement of the diagonal entity block, whose
gauge ``theta + c, eta - c`` is fixed by a tiny ridge), after removing the rows and columns whose
probabilities are forced to 0 or 1 (a unit naming no entity or all of them, an entity named in
no unit or in every unit; repeated until none is left). The optional ``bicm`` package
(Bruno, Saracco et al.; PyPI) implements the same model and is used by the test suite as an
independent check, but is not used at run time: on a million units it spends ~1.3 s importing
numba, ~3 s compiling on first use and ~1 s per fit building per-unit dictionaries, it prints
to standard output, and its degree-sequence mode does not handle forced rows or columns. The
reduced Newton fit takes milliseconds.

References
----------
Neal, Z. P. (2014). The backbone of bipartite projections: Inferring relationships from
co-authorship, co-sponsorship, co-attendance and other co-behaviors. Social Networks, 39,
84-97. https://doi.org/10.1016/j.socnet.2014.06.001

Saracco, F., Di Clemente, R., Gabrielli, A., & Squartini, T. (2015). Randomizing bipartite
networks: the case of the World Trade Web. Scientific Reports, 5, 10595.
https://doi.org/10.1038/srep10595

Saracco, F., Straka, M. J., Di Clemente, R., Gabrielli, A., Caldarelli, G., & Squartini, T.
(2017). Inferring monopartite projections of bipartite networks: an entropy-based approach.
New Journal of Physics, 19, 053022. https://doi.org/10.1088/1367-2630/aa6b38

Neal, Z. P., Domagalski, R., & Sagan, B. (2021). Comparing alternatives to the fixed degree
sequence model for extracting the backbone of bipartite projections. Scientific Reports, 11,
23929. https://doi.org/10.1038/s41598-021-03238-3
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.special import expit

from netanalysis.analysis.poisson_binomial import poisson_binomial_tails, whole_numbers
from netanalysis.errors import GraphError

__all__ = ["BiCMFit", "fit_bicm", "sdsm_pvalues", "sdsm_projection"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BiCMFit:
    """A fitted bipartite configuration model, by unit-degree class.

    Attributes
    ----------
    unit_degrees : numpy.ndarray
        The distinct unit (row) degrees, increasing: one class each.
    unit_counts : numpy.ndarray
        Units in each class.
    entity_degrees : numpy.ndarray
        Units naming each entity (column degrees), in input order.
    probabilities : numpy.ndarray
        ``probabilities[a, e]``: probability that a unit of class ``a`` names entity ``e``.
    iterations : int
        Newton steps taken.
    max_error : float
        Largest absolute difference between an expected and an observed degree.
    """

    unit_degrees: np.ndarray
    unit_counts: np.ndarray
    entity_degrees: np.ndarray
    probabilities: np.ndarray
    iterations: int
    max_error: float

    def unit_probabilities(self, unit_degrees: ArrayLike) -> np.ndarray:
        """The full ``units x entities`` probability matrix for these unit degrees (small data)."""
        idx = np.searchsorted(self.unit_degrees, np.asarray(unit_degrees))
        return self.probabilities[idx]


def _forced(r, m, c, lc):
    """Peel off degree classes whose probabilities are forced to 0 or 1.

    Returns the matrix of forced values (NaN where free) and the residual degrees of the free
    classes.
    """
    fixed = np.full((r.size, c.size), np.nan)
    rows, cols = np.ones(r.size, bool), np.ones(c.size, bool)
    r, c = r.astype(float).copy(), c.astype(float).copy()
    changed = True
    while changed:
        changed = False
        for a in np.flatnonzero(rows):
            width = lc[cols].sum()
            if r[a] == 0 or r[a] == width:
                value = 0.0 if r[a] == 0 else 1.0
                fixed[a, cols] = value
                c[cols] -= value * m[a]
                rows[a], changed = False, True
        for b in np.flatnonzero(cols):
            height = m[rows].sum()
            if c[b] == 0 or c[b] == height:
                value = 0.0 if c[b] == 0 else 1.0
                fixed[rows, b] = value
                r[rows] -= value * lc[b]
                cols[b], changed = False, True
    return fixed, rows, cols, r, c


def _newton(r, m, c, lc, tol, max_iter):
    """Fit ``theta, eta`` of the free classes; return probabilities, iterations, error."""
    edges = float((m * r).sum())
    theta = np.log(r / np.sqrt(edges))
    eta = np.log(c / np.sqrt(edges))
    ml = np.outer(m, lc)

    def objective(th, et):
        z = th[:, None] + et[None, :]
        return float((ml * np.logaddexp(0.0, z)).sum() - (m * r) @ th - (lc * c) @ et)

    nr = r.size
    value = objective(theta, eta)
    for it in range(1, max_iter + 1):
        p = expit(theta[:, None] + eta[None, :])
        res_r = p @ lc - r
        res_c = m @ p - c
        error = max(np.abs(res_r).max(), np.abs(res_c).max())
        if error <= tol:
            return p, it - 1, error
        # Newton step: the Hessian is [[diag(d_r), V], [V^T, diag(d_c)]]; eliminating the
        # (diagonal) entity block leaves a system of the size of the unit classes (the Schur
        # complement), singular only along the gauge, which a tiny ridge fixes.
        v = ml * p * (1 - p)
        d_r, d_c = v.sum(axis=1), v.sum(axis=0)
        g_r, g_c = m * res_r, lc * res_c
        schur = np.diag(d_r) - (v / d_c) @ v.T
        schur += 1e-12 * max(1.0, float(d_r.max())) * np.eye(nr)
        step_r = np.linalg.solve(schur, -(g_r - (v / d_c) @ g_c))
        step = np.concatenate([step_r, (-g_c - v.T @ step_r) / d_c])
        grad = np.concatenate([g_r, g_c])
        size = 1.0
        while True:  # backtracking (Armijo) line search on the convex objective
            new = objective(theta + size * step[:nr], eta + size * step[nr:])
            if new <= value + 1e-4 * size * (grad @ step) or size < 1e-10:
                break
            size *= 0.5
        theta, eta, value = theta + size * step[:nr], eta + size * step[nr:], new
    p = expit(theta[:, None] + eta[None, :])
    error = max(np.abs(p @ lc - r).max(), np.abs(m @ p - c).max())
    return p, max_iter, error


def fit_bicm(
    unit_degrees: ArrayLike,
    entity_degrees: ArrayLike,
    *,
    unit_counts: ArrayLike | None = None,
    tol: float = 1e-9,
    max_iter: int = 200,
) -> BiCMFit:
    """Fit the bipartite configuration model to the degrees of a unit x entity matrix.

    Parameters
    ----------
    unit_degrees : array_like of int
        Entities named by each unit (one value per unit; a million units is fine).
    entity_degrees : array_like of int
        Units naming each entity.
    unit_counts : array_like of int, optional
        How many units have each degree: then ``unit_degrees`` lists distinct degrees, as a
        counter's histogram gives them (a million units in a few numbers).
    tol : float
        Largest accepted absolute error of an expected degree.
    max_iter : int
        Newton steps allowed.

    Returns
    -------
    BiCMFit

    Raises
    ------
    GraphError
        If the degrees are not whole numbers >= 0, cannot come from one 0/1 matrix, or the
        model has no solution for them (the fit does not converge).

    References
    ----------
    Saracco et al. (2015), Sci. Rep. 5: 10595; Saracco et al. (2017), New J. Phys. 19: 053022.

    Examples
    --------
    The published BiCM of ``backbone``'s unit test (rows are the units here):

    >>> fit = fit_bicm([1, 1, 2], [1, 1, 2])
    >>> fit.unit_probabilities([1, 1, 2]).round(3).tolist()
    [[0.216, 0.216, 0.568], [0.216, 0.216, 0.568], [0.568, 0.568, 0.863]]
    """
    rows = whole_numbers("unit_degrees", unit_degrees)
    cols = whole_numbers("entity_degrees", entity_degrees)
    weights = np.ones(rows.size, dtype=np.int64) if unit_counts is None else whole_numbers("unit_counts", unit_counts)
    if weights.shape != rows.shape:
        raise GraphError("unit_counts must give one count per unit degree")
    keep = weights > 0
    rows, weights = rows[keep], weights[keep]
    if (rows * weights).sum() != cols.sum():
        raise GraphError("unit and entity degrees must add up to the same number of mentions")
    if rows.size and rows.max() > cols.size or cols.size and cols.max() > weights.sum():
        raise GraphError(
            "a unit cannot name more entities than there are, nor an entity be named in more units than there are"
        )
    r, inverse = np.unique(rows, return_inverse=True)
    m = np.bincount(inverse, weights=weights, minlength=r.size).astype(np.int64)
    c, col_class, lc = np.unique(cols, return_inverse=True, return_counts=True)
    probs = np.zeros((r.size, c.size))
    iterations, error = 0, 0.0
    if r.size and c.size:
        fixed, free_r, free_c, r_res, c_res = _forced(r, m, c, lc)
        probs = np.where(np.isnan(fixed), 0.0, fixed)
        if free_r.any() and free_c.any():
            p, iterations, error = _newton(
                r_res[free_r], m[free_r], c_res[free_c], lc[free_c], tol * max(1.0, float(cols.max())), max_iter
            )
            probs[np.ix_(free_r, free_c)] = p
            if error > tol * max(1.0, float(cols.max())):
                raise GraphError(
                    f"the bipartite configuration model has no solution for these degrees "
                    f"(largest degree error {error:.3g} after {iterations} steps)"
                )
    log.debug(
        "BiCM fitted: %d unit classes, %d entity classes, %d steps, error %.2g", r.size, c.size, iterations, error
    )
    return BiCMFit(
        unit_degrees=r,
        unit_counts=m,
        entity_degrees=cols,
        probabilities=probs[:, col_class] if c.size else probs,
        iterations=iterations,
        max_error=float(error),
    )


def sdsm_pvalues(fit: BiCMFit, i: ArrayLike, j: ArrayLike, *, weight: ArrayLike, method: str = "auto") -> pd.DataFrame:
    """SDSM p-values of the co-occurrence of entity pairs.

    Parameters
    ----------
    fit : BiCMFit
        The model of the unit x entity matrix, from :func:`fit_bicm`.
    i, j : array_like of int
        Column indices (into ``fit.entity_degrees``) of the two entities of each pair.
    weight : array_like of int
        Units naming both.
    method : {"auto", "exact", "rna"}
        Poisson-binomial computation (see :func:`poisson_binomial_tails`).

    Returns
    -------
    pandas.DataFrame
        ``expected`` (``sum_u p_ui p_uj``), ``p_over`` (``P(X >= weight)``), ``p_under``
        (``P(X <= weight)``), one row per pair. Use
        :func:`netanalysis.analysis.significance.validate_pvalues` for q-values.

    References
    ----------
    Neal (2014), Social Networks 39: 84-97.
    """
    ii, jj = np.atleast_1d(np.asarray(i)), np.atleast_1d(np.asarray(j))
    w = np.atleast_1d(np.asarray(weight))
    if not (ii.shape == jj.shape == w.shape) or ii.ndim != 1:
        raise GraphError("i, j and weight must be lists of the same length")
    n_ent = fit.entity_degrees.size
    for name, idx in (("i", ii), ("j", jj)):
        if idx.size and (not np.issubdtype(idx.dtype, np.integer) or idx.min() < 0 or idx.max() >= n_ent):
            raise GraphError(f"{name} must be entity indices between 0 and {n_ent - 1}")
    if np.any(ii == jj):
        raise GraphError("a pair needs two different entities (i != j)")
    if w.size and (np.any(w < 0) or np.any(w > np.minimum(fit.entity_degrees[ii], fit.entity_degrees[jj]))):
        raise GraphError("weight must be between 0 and the degree of either entity")
    q = fit.probabilities[:, ii].T * fit.probabilities[:, jj].T  # pairs x unit classes
    p_over, p_under = poisson_binomial_tails(w.astype(np.int64), q, fit.unit_counts, method=method)
    return pd.DataFrame({"expected": q @ fit.unit_counts.astype(float), "p_over": p_over, "p_under": p_under})


def sdsm_projection(biadjacency: ArrayLike, *, method: str = "auto") -> pd.DataFrame:
    """SDSM test of every pair of columns of a small unit x entity 0/1 matrix.

    Parameters
    ----------
    biadjacency : array_like or scipy.sparse matrix, shape (units, entities)
        0/1 matrix; rows are the units co-occurrence is counted over.
    method : {"auto", "exact", "rna"}

    Returns
    -------
    pandas.DataFrame
        One row per pair ``i < j``: ``i, j, weight, expected, p_over, p_under``.
    """
    mat = biadjacency
    if hasattr(mat, "toarray"):
        mat = mat.toarray()
    mat = np.asarray(mat)
    if mat.ndim != 2 or not np.isin(mat, (0, 1)).all():
        raise GraphError("the unit x entity matrix must be a 0/1 matrix")
    mat = mat.astype(np.int64)
    fit = fit_bicm(mat.sum(axis=1), mat.sum(axis=0))
    ii, jj = np.triu_indices(mat.shape[1], k=1)
    co = mat.T @ mat
    table = sdsm_pvalues(fit, ii, jj, weight=co[ii, jj], method=method)
    table.insert(0, "weight", co[ii, jj])
    table.insert(0, "j", jj)
    table.insert(0, "i", ii)
    return table
