"""Benchmark: the cost of the co-occurrence tests on a graph of a million posts.

Draws a seeded synthetic unit x entity matrix shaped like the ``graph`` benchmark's corpus
(``--units`` posts naming 200 countries and 16 forums with skewed popularity, up to ~30
entities a post), counts the co-occurrences (not timed), then times, each as the median of
``--repeat`` runs:

- ``hypergeometric``: p-values, expected counts and BH q-values of every country-forum edge
  (weight >= 1; the correction counts all country-forum pairs), of every country-country and
  every forum-forum tie (the two projections);
- ``sdsm fit``: the BiCM fitted to the million unit degrees and the entity degrees;
- ``sdsm``: SDSM p-values and q-values of the same edges and ties.

Compare with ``netanalysis graph`` on a million posts (48.3 s in README's table, 16.7 s at
the 60k posts/s target): the tests must add well under 10% to it.

Usage::

    python scripts/bench_significance.py --units 1000000 --repeat 3
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import scipy.sparse as sp

from netanalysis.analysis.sdsm import fit_bicm, sdsm_pvalues
from netanalysis.analysis.significance import significance_table, validate_pvalues


def synthetic_matrix(units: int, countries: int, forums: int, seed: int) -> sp.csc_matrix:
    """A units x entities 0/1 matrix: each unit has a size, entities are drawn by popularity."""
    rng = np.random.default_rng(seed)
    popularity = np.concatenate([1.0 / np.arange(1, countries + 1) ** 1.1, 0.6 / np.arange(1, forums + 1) ** 0.9])
    popularity /= popularity.sum()
    sizes = np.minimum(rng.geometric(0.25, units), 30)  # 1..30 entities a post
    rows = np.repeat(np.arange(units), sizes)
    cols = rng.choice(popularity.size, size=rows.size, p=popularity)
    mat = sp.csr_matrix((np.ones(rows.size, dtype=np.int32), (rows, cols)), shape=(units, popularity.size))
    mat.sum_duplicates()  # repeated draws count once
    mat.data = np.minimum(mat.data, 1)
    mat.eliminate_zeros()
    keep = np.flatnonzero(np.diff(mat.indptr) > 0)  # units naming something
    return mat[keep].tocsc()


def pairs(co: np.ndarray, first: np.ndarray, second: np.ndarray, same: bool):
    """Index pairs with weight >= 1 between two sets of columns, and the number of pairs."""
    i, j = np.meshgrid(first, second, indexing="ij")
    i, j = i.ravel(), j.ravel()
    if same:
        keep = i < j
        i, j = i[keep], j[keep]
    total = i.size
    w = co[i, j]
    keep = w >= 1
    return i[keep], j[keep], w[keep], total


def timed(repeat: int, fn):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--countries", type=int, default=200)
    parser.add_argument("--forums", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    start = time.perf_counter()
    mat = synthetic_matrix(args.units, args.countries, args.forums, args.seed)
    co = (mat.T @ mat).toarray()
    degrees = np.asarray(mat.sum(axis=0)).ravel()
    unit_degrees = np.diff(mat.tocsr().indptr)
    setup = time.perf_counter() - start
    c_idx = np.arange(args.countries)
    f_idx = np.arange(args.countries, args.countries + args.forums)
    groups = {
        "country-forum": pairs(co, c_idx, f_idx, False),
        "country-country": pairs(co, c_idx, c_idx, True),
        "forum-forum": pairs(co, f_idx, f_idx, True),
    }
    print(
        f"{mat.shape[0]:,} units naming something, {mat.nnz:,} mentions, unit degrees "
        f"{unit_degrees.min()}-{unit_degrees.max()} ({np.unique(unit_degrees).size} distinct); "
        f"matrix and counts built in {setup:.1f} s (not timed)"
    )
    print("| step | pairs tested | edges | median s |")
    print("|---|---|---|---|")
    total_h = 0.0
    for name, (i, j, w, n_pairs) in groups.items():
        secs, table = timed(
            args.repeat, lambda: significance_table(w, degrees[i], degrees[j], n_units=mat.shape[0], n_tests=n_pairs)
        )
        total_h += secs
        print(f"| hypergeometric {name} | {n_pairs:,} | {i.size:,} | {secs:.3f} |")
    secs, fit = timed(args.repeat, lambda: fit_bicm(unit_degrees, degrees))
    total_s = secs
    print(f"| sdsm fit ({fit.unit_degrees.size} unit classes, {fit.iterations} steps) | | | {secs:.3f} |")
    for name, (i, j, w, n_pairs) in groups.items():

        def run():
            t = sdsm_pvalues(fit, i, j, weight=w)
            return validate_pvalues(t.p_over, t.p_under, n_tests=n_pairs)

        secs, _ = timed(args.repeat, run)
        total_s += secs
        print(f"| sdsm {name} | {n_pairs:,} | {i.size:,} | {secs:.3f} |")
    print(f"| **hypergeometric, all three** | | | **{total_h:.3f}** |")
    print(f"| **sdsm, fit and all three** | | | **{total_s:.3f}** |")


if __name__ == "__main__":
    main()
