"""One permutation test of the difference among k groups' item distributions (k >= 2).

For k groups of units (posts) whose items (edges, or nodes) occur in them, the statistic is the
generalised Jensen-Shannon divergence of the groups' item-share distributions, each weighted by
its share of all item occurrences (Lin 1991):

    JSD_w = H(sum_g w_g P_g) - sum_g w_g H(P_g),    w_g = n_g / N,

with ``H`` the Shannon entropy in bits, ``P_g`` group g's shares of its ``n_g`` item occurrences
and ``N = sum_g n_g``. It equals the mutual information between a random occurrence's group and
its item, is 0 when every group uses the items in the same proportions and at most
``min(log2 k, log2 #items)``. Units are reassigned to the groups at random, the group sizes kept
(all of them, including units without items), and ``p = (1 + #{T* >= T}) / (1 + B)``
(Phipson & Smyth 2010), a valid p-value for any number ``B`` of permutations.

With two groups :func:`netanalysis.analysis.compare_stats.permutation_test` tests the same
hypothesis with the unweighted divergence; this module is the omnibus test when there are more.

References
----------
Lin, J. (1991). Divergence measures based on the Shannon entropy. IEEE Transactions on
Information Theory, 37(1), 145-151.

Phipson, B., & Smyth, G. K. (2010). Permutation p-values should never be zero: calculating exact
p-values when permutations are randomly drawn. Statistical Applications in Genetics and
Molecular Biology, 9(1), Article 39.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import ArrayLike
from scipy.special import entr

from netanalysis.analysis.compare_stats import permutation_test
from netanalysis.analysis.significance import bh_qvalues
from netanalysis.errors import ConfigError, GraphError

__all__ = ["GroupPermutationResult", "weighted_jsd", "group_permutation_test", "overall_tests", "TEST_COLUMNS"]

#: Columns of ``compare_tests.csv``.
TEST_COLUMNS = [
    "test",
    "items",
    "group",
    "versus",
    "statistic",
    "value",
    "p_value",
    "q_value",
    "n_permutations",
    "posts",
    "posts_versus",
]
#: The other side of a contrast of one group with all the others.
REST = "rest"


@dataclass(frozen=True)
class GroupPermutationResult:
    """Outcome of :func:`group_permutation_test`: the observed statistic, its p-value, the
    number of permutations and the statistic under each."""

    statistic: float
    p_value: float
    n_permutations: int
    null: np.ndarray


def weighted_jsd(counts: np.ndarray) -> np.ndarray:
    """Generalised JSD (bits) of the rows of one or more ``(k groups, items)`` count matrices.

    ``counts`` is ``(k, items)`` or ``(batch, k, items)``; groups without occurrences carry no
    weight.

    Examples
    --------
    Two groups that share no item: one bit; the same shares: zero.

    >>> float(weighted_jsd(np.array([[2, 0], [0, 2]])))
    1.0
    >>> float(weighted_jsd(np.array([[1, 3], [2, 6], [0, 0]])))
    0.0
    """
    c = np.asarray(counts, dtype=float)
    total = c.sum(axis=-1)  # (..., k)
    grand = total.sum(axis=-1)  # (...)
    safe = np.where(grand > 0, grand, 1.0)
    pooled = c.sum(axis=-2) / safe[..., None]
    shares = c / np.where(total > 0, total, 1.0)[..., None]
    within = (total / safe[..., None] * entr(shares).sum(axis=-1)).sum(axis=-1)
    value = (entr(pooled).sum(axis=-1) - within) / np.log(2)
    return np.maximum(value, 0.0)


def group_permutation_test(
    units: ArrayLike,
    items: ArrayLike,
    groups: ArrayLike,
    *,
    n_permutations: int = 999,
    seed: int | np.random.Generator = 0,
    batch: int = 64,
) -> GroupPermutationResult:
    """Permutation test of the difference among groups' item distributions (see the module notes).

    Parameters
    ----------
    units, items : array_like of int
        One entry per occurrence (unit index, item index); repeated pairs count once.
    groups : array_like of int
        For every unit (units without items included) its group, ``0 .. k-1``.
    n_permutations : int
        Random reassignments of the units to the groups (group sizes kept).
    seed : int or numpy.random.Generator
        The same seed gives the same p-value.
    batch : int
        Permutations evaluated together.

    Returns
    -------
    GroupPermutationResult

    Raises
    ------
    GraphError
        Fewer than two groups with item occurrences, or indices out of range.
    """
    if isinstance(n_permutations, bool) or not isinstance(n_permutations, (int, np.integer)) or n_permutations < 1:
        raise ConfigError(f"n_permutations must be a whole number >= 1, not {n_permutations!r}")
    label = np.asarray(groups)
    if label.ndim != 1 or not np.issubdtype(label.dtype, np.integer) or (label.size and label.min() < 0):
        raise GraphError("groups must be one group number >= 0 per unit")
    unit, item = np.asarray(units, dtype=np.int64), np.asarray(items, dtype=np.int64)
    if unit.shape != item.shape or unit.ndim != 1:
        raise GraphError("units and items must have one entry per occurrence")
    if unit.size and (unit.min() < 0 or unit.max() >= label.size or item.min() < 0):
        raise GraphError("every unit index must have a group, and indices must be >= 0")
    k = int(label.max()) + 1 if label.size else 0
    n_items = int(item.max()) + 1 if item.size else 0
    pairs = np.unique(np.stack([unit, item], axis=1), axis=0) if unit.size else np.zeros((0, 2), np.int64)
    incidence = sp.csr_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(label.size, n_items))

    def counts_of(lab: np.ndarray) -> np.ndarray:
        onehot = sp.csr_matrix((np.ones(lab.size), (lab, np.arange(lab.size))), shape=(k, lab.size))
        return np.asarray((onehot @ incidence).todense())

    observed = counts_of(label)
    if np.count_nonzero(observed.sum(axis=1)) < 2:
        raise GraphError("at least two groups need item occurrences to be compared")
    value = float(weighted_jsd(observed))
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    null = np.empty(n_permutations)
    t_inc = incidence.T.tocsr()  # items x units
    for first in range(0, n_permutations, batch):
        size = min(batch, n_permutations - first)
        shuffled = np.stack([rng.permutation(label) for _ in range(size)])  # (size, units)
        rows = (np.arange(size)[:, None] * k + shuffled).ravel()
        onehot = sp.csr_matrix(
            (np.ones(rows.size), (rows, np.tile(np.arange(label.size), size))), (size * k, label.size)
        )
        stacked = np.asarray((onehot @ t_inc.T).todense()).reshape(size, k, n_items)
        null[first : first + size] = weighted_jsd(stacked)
    exceed = int(np.sum(null >= value - 1e-12 * max(1.0, value)))
    return GroupPermutationResult(value, (1 + exceed) / (1 + n_permutations), int(n_permutations), null)


def overall_tests(
    groups: list[str],
    contrasts: list[tuple[str, str]],
    code: np.ndarray,
    naming: np.ndarray,
    edge_inc: tuple[np.ndarray, np.ndarray],
    node_inc: tuple[np.ndarray, np.ndarray],
    node_kinds: np.ndarray,
    n_permutations: int,
    seed: int,
) -> pd.DataFrame:
    """The permutation tests of ``compare_tests.csv``: for edges, countries and forums, an
    omnibus test of all groups (:func:`group_permutation_test`, with more than two groups) and
    one test per contrast (:func:`~netanalysis.analysis.compare_stats.permutation_test`), over the
    posts naming something (``naming``), seeded from ``seed``; q-values (BH) over the rows of
    each kind of item. ``code`` is each post's group number; ``*_inc`` are (item, post) pairs.
    A test that cannot be made (a side without occurrences) gets NaN."""
    posts = np.flatnonzero(naming)
    local = np.full(len(naming), -1, dtype=np.int64)
    local[posts] = np.arange(len(posts))
    kinds = {"edges": edge_inc}
    for kind, name in (("country", "countries"), ("forum", "forums")):
        keep = node_kinds[node_inc[0]] == kind
        kinds[name] = (node_inc[0][keep], node_inc[1][keep])
    rows = []
    for t, (items, (item, post)) in enumerate(kinds.items()):
        unit = local[post]
        ok = unit >= 0
        if len(groups) > 2:
            try:
                r = group_permutation_test(
                    unit[ok],
                    item[ok],
                    code[posts],
                    n_permutations=n_permutations,
                    seed=np.random.default_rng([seed, t, 0]),
                )
                value, p = r.statistic, r.p_value
            except GraphError:
                value = p = np.nan
            rows.append(
                ["permutation", items, "all groups", "", "weighted_jsd", value, p, n_permutations, len(posts), 0]
            )
        for c, (a_name, b_name) in enumerate(contrasts, 1):
            a = groups.index(a_name)
            chosen = (
                np.ones(len(posts), dtype=bool) if b_name == REST else np.isin(code[posts], [a, groups.index(b_name)])
            )
            keep_units = np.flatnonzero(chosen)
            renumber = np.full(len(posts), -1, dtype=np.int64)
            renumber[keep_units] = np.arange(len(keep_units))
            u = renumber[unit[ok]]
            sel = u >= 0
            in_a = code[posts][keep_units] == a
            try:
                r2 = permutation_test(
                    u[sel], item[ok][sel], in_a, n_permutations=n_permutations, seed=np.random.default_rng([seed, t, c])
                )
                value, p = r2.statistic, r2.p_value
            except GraphError:
                value = p = np.nan
            rows.append(
                [
                    "permutation",
                    items,
                    a_name,
                    b_name,
                    "jsd",
                    value,
                    p,
                    n_permutations,
                    int(in_a.sum()),
                    int((~in_a).sum()),
                ]
            )
    table = pd.DataFrame(rows, columns=[c for c in TEST_COLUMNS if c != "q_value"])
    table.insert(TEST_COLUMNS.index("q_value"), "q_value", np.nan)
    for items in kinds:
        rows_of = (table["items"] == items).to_numpy()
        p = table.loc[rows_of, "p_value"].to_numpy(dtype=float)
        if np.isfinite(p).all():
            table.loc[rows_of, "q_value"] = bh_qvalues(p)
    return table
