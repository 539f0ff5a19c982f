"""Statistically validated edges: every tie of a co-mention graph tested against chance, and the
backbone of the ties that pass.

:func:`validate_edges` tests the edges of a graph built by the counter (the bipartite
country-forum graph, a one-mode projection, or the graph of one time window) and stores on each
edge ``expected`` (its weight under the null model), ``p_value``, ``q_value`` and
``significant``; :func:`backbone` keeps the significant edges.

What is tested
--------------
Every pair that could have been co-mentioned: every country x forum pair of entities named at
least once (for a projection every pair of countries, or of forums), including the pairs never
named together (weight 0) and those the graph dropped below ``min_weight``. The graph's
``margins`` (:class:`~netanalysis.graph.measures.Margins`) hold what that needs. The
Benjamini-Hochberg correction (1995) is over all of them, per graph (each window is its own
family): with the default one-sided test of over-expression the untested-looking pairs of
weight 0 have ``p = 1`` and only enlarge the family, which keeps the correction honest.

Null models
-----------
``test="hypergeom"`` (default): the hypergeometric test of Tumminello et al. (2011) with both
nodes' unit counts ``n_i, n_j`` and the ``N`` of the graph's baseline (every unit of the posts by
default: the same ``N`` as ``expected`` and the association measures). ``expected = n_i n_j / N``.

``test="sdsm"``: the stochastic degree sequence model (Neal 2014) on the unit x entity matrix,
fitted as the bipartite configuration model (Saracco et al. 2015, 2017) to the units' numbers of
entities and the entities' numbers of units (:mod:`netanalysis.analysis.sdsm`): a unit naming
twenty entities is expected to pair more of them than a unit naming two. ``expected`` is the
model's mean co-occurrence ``sum_u p_ui p_uj``. Units naming nothing have probability 0 of naming
anything, so the SDSM does not depend on the baseline.

Over- and under-expression
--------------------------
``alternative="greater"`` (default) tests whether a tie is *more* frequent than chance
(``p_value = P(X >= w)``), which is what a backbone keeps. ``"less"`` tests avoidance
(``P(X <= w)``), ``"two-sided"`` either (the doubled smaller tail); with these the pairs never
named together are real tests (a pair of frequent entities never named together is the strongest
avoidance), counted in ``unobserved_significant``. A backbone keeps only ties above their
expectation, so it is not defined for ``"less"``.

References
----------
Tumminello, M., Miccichè, S., Lillo, F., Piilo, J., & Mantegna, R. N. (2011). Statistically
validated networks in bipartite complex systems. PLoS ONE, 6(3), e17994.
Neal, Z. P. (2014). The backbone of bipartite projections. Social Networks, 39, 84-97.
Saracco, F., Di Clemente, R., Gabrielli, A., & Squartini, T. (2015). Randomizing bipartite
networks: the case of the World Trade Web. Scientific Reports, 5, 10595.
Saracco, F., Straka, M. J., Di Clemente, R., Gabrielli, A., Caldarelli, G., & Squartini, T.
(2017). Inferring monopartite projections of bipartite networks: an entropy-based approach.
New Journal of Physics, 19, 053022.
Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate. JRSS B, 57(1), 289-300.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from netanalysis.analysis.sdsm import fit_bicm, sdsm_pvalues
from netanalysis.analysis.significance import hypergeometric_pvalues, validate_pvalues
from netanalysis.errors import ConfigError, GraphError
from netanalysis.graph.measures import Margins
from netanalysis.model import ALTERNATIVES, TESTS

__all__ = [
    "TESTS",
    "TEST_ATTRIBUTES",
    "WINDOW_EDGE_COLUMNS",
    "validate_edges",
    "backbone",
    "validation_summary",
    "check_test_options",
    "validate_windows",
    "window_backbones",
    "window_edges_table",
]

log = logging.getLogger(__name__)

#: Columns of :func:`window_edges_table` (``window_edges.csv``).
WINDOW_EDGE_COLUMNS = [
    "window_start",
    "window_end",
    "n_units",
    "country",
    "forum",
    "weight",
    "expected",
    "assoc_strength",
    "p_value",
    "q_value",
    "significant",
]
#: Edge attributes :func:`validate_edges` sets.
TEST_ATTRIBUTES = ("expected", "p_value", "q_value", "significant")
#: Graph attributes :func:`validate_edges` sets (plain numbers and words: they go to GraphML).
SUMMARY_KEYS = (
    "test",
    "alternative",
    "alpha",
    "pairs_tested",
    "edges_tested",
    "edges_significant",
    "unobserved_significant",
)


def check_test_options(test: str, alpha: float, alternative: str, *, backbone: bool = False) -> None:
    """Raise ConfigError for an unknown test or alternative, an alpha outside (0, 1), or a
    backbone of under-expressed ties."""
    if test not in TESTS:
        raise ConfigError(f"unknown test {test!r}; choose one of {', '.join(TESTS)}")
    if alternative not in ALTERNATIVES:
        raise ConfigError(f"unknown alternative {alternative!r}; choose one of {', '.join(ALTERNATIVES)}")
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.floating)) or not 0 < alpha < 1:
        raise ConfigError(f"alpha must be a number between 0 and 1, not {alpha!r}")
    if backbone and alternative == "less":
        raise ConfigError(
            "a backbone keeps the ties stronger than chance: use alternative 'greater' or 'two-sided' with it"
        )


def _margins(G: nx.Graph) -> Margins:
    margins = G.graph.get("margins")
    if not isinstance(margins, Margins):
        raise GraphError(
            "the graph has no margins to test its edges with: build it with co_mention_graph, "
            "projection_graph or a CoMentionCounter"
        )
    return margins


def _kinds(G: nx.Graph) -> tuple[str, str]:
    side = G.graph.get("side")
    return (side, side) if side else ("country", "forum")


def _candidates(G: nx.Graph, margins: Margins) -> pd.DataFrame:
    """Every pair that could have been co-mentioned, with its weight (0 when never together)."""
    kind_a, kind_b = _kinds(G)
    side_a = sorted(n for n in margins.named if n.startswith(kind_a + ":"))
    side_b = side_a if kind_a == kind_b else sorted(n for n in margins.named if n.startswith(kind_b + ":"))
    if kind_a == kind_b:
        i, j = np.triu_indices(len(side_a), k=1)
    else:
        i, j = np.repeat(np.arange(len(side_a)), len(side_b)), np.tile(np.arange(len(side_b)), len(side_a))
    a = np.asarray(side_a, dtype=object)[i] if len(side_a) else np.array([], dtype=object)
    b = np.asarray(side_b, dtype=object)[j] if len(side_b) else np.array([], dtype=object)
    frame = pd.DataFrame({"a": a, "b": b})
    weights: dict[tuple[str, str], int] = {}
    for u, v, w in [*G.edges(data="weight"), *margins.dropped]:
        weights[(u, v) if _order(u, v, kind_a, kind_b) else (v, u)] = int(w)
    index = pd.MultiIndex.from_arrays([frame["a"].astype(object), frame["b"].astype(object)])
    weight = np.zeros(len(frame), dtype=np.int64)
    if weights:
        at = index.get_indexer(list(weights))
        if (at < 0).any():
            raise GraphError("an edge joins entities the graph's margins do not list")
        weight[at] = list(weights.values())
    frame["weight"] = weight
    frame["n_a"] = [margins.named[n] for n in frame["a"]]
    frame["n_b"] = [margins.named[n] for n in frame["b"]]
    return frame


def _order(u: str, v: str, kind_a: str, kind_b: str) -> bool:
    """Whether ``(u, v)`` is in the candidates' order (side a first; within one side, sorted)."""
    if kind_a != kind_b:
        return u.startswith(kind_a + ":")
    return u < v


def _tails(frame: pd.DataFrame, margins: Margins, test: str, every: bool) -> pd.DataFrame:
    """``expected``, ``p_over``, ``p_under`` of the candidates (only of those with weight > 0
    unless ``every``; the others get expected 0 and p-values 1, filled in where needed)."""
    rows = np.arange(len(frame)) if every else np.flatnonzero(frame["weight"].to_numpy() > 0)
    out = pd.DataFrame({"expected": np.nan, "p_over": 1.0, "p_under": 1.0}, index=frame.index)
    if not len(rows):
        return out
    part = frame.iloc[rows]
    if test == "hypergeom":
        tails = hypergeometric_pvalues(part["weight"], part["n_a"], part["n_b"], n_units=margins.n_units)
    else:
        entities = list(margins.named)
        column = {n: k for k, n in enumerate(entities)}
        degrees = np.array(list(margins.unit_degrees), dtype=np.int64)
        counts = np.array(list(margins.unit_degrees.values()), dtype=np.int64)
        fit = fit_bicm(degrees, [margins.named[n] for n in entities], unit_counts=counts)
        i = np.array([column[n] for n in part["a"]], dtype=np.int64)
        j = np.array([column[n] for n in part["b"]], dtype=np.int64)
        tails = sdsm_pvalues(fit, i, j, weight=part["weight"].to_numpy(np.int64))
    out.iloc[rows] = tails[["expected", "p_over", "p_under"]].to_numpy()
    return out


def validate_edges(
    G: nx.Graph, *, test: str = "hypergeom", alpha: float = 0.05, alternative: str = "greater"
) -> nx.Graph:
    """Test every edge of ``G`` against chance, in place (see the module notes).

    Parameters
    ----------
    G : networkx.Graph
        A graph of the counter: :func:`~netanalysis.graph.co_mention_graph`,
        :func:`~netanalysis.graph.projection_graph`, a window of
        :func:`~netanalysis.analysis.timeline.graphs_over_time`.
    test : {"hypergeom", "sdsm"}
    alpha : float
        False discovery rate: an edge is ``significant`` when ``q_value < alpha``.
    alternative : {"greater", "less", "two-sided"}

    Returns
    -------
    networkx.Graph
        ``G``, each edge with ``expected``, ``p_value``, ``q_value``, ``significant``; graph
        attributes ``test``, ``alternative``, ``alpha``, ``pairs_tested`` (the family of the
        correction), ``edges_tested``, ``edges_significant`` and ``unobserved_significant``
        (pairs never named together, significant under ``"less"`` or ``"two-sided"``).

    Examples
    --------
    >>> from netanalysis.graph import co_mention_graph
    >>> rows = [(f"p{k}", "country", "CN") for k in range(12)] + [(f"p{k}", "forum", "SCO") for k in range(10)]
    >>> rows += [(f"q{k}", kind, e) for k in range(40) for kind, e in (("country", "US"), ("forum", "UN"))][:60]
    >>> rows += [("r", "country", "US"), ("r", "forum", "SCO")]
    >>> G = validate_edges(co_mention_graph(pd.DataFrame(rows, columns=["post_id", "kind", "entity"])))
    >>> [(u, v, d["significant"]) for u, v, d in sorted(G.edges(data=True))]
    [('country:CN', 'forum:SCO', True), ('country:US', 'forum:SCO', False), ('country:US', 'forum:UN', True)]
    """
    check_test_options(test, alpha, alternative)
    margins = _margins(G)
    frame = _candidates(G, margins)
    tails = _tails(frame, margins, test, every=alternative != "greater")
    if test == "hypergeom" and margins.n_units > 0:  # the hypergeometric mean, also for untested pairs
        tails["expected"] = frame["n_a"].to_numpy(float) * frame["n_b"].to_numpy(float) / margins.n_units
    verdict = validate_pvalues(tails["p_over"], tails["p_under"], alpha=alpha, alternative=alternative)
    table = pd.concat([frame, tails, verdict.set_index(frame.index)], axis=1)
    lookup = {(a, b): k for k, (a, b) in enumerate(zip(table["a"], table["b"]))}
    kind_a, kind_b = _kinds(G)
    on_graph = np.zeros(len(table), dtype=bool)
    for u, v, d in G.edges(data=True):
        k = lookup[(u, v) if _order(u, v, kind_a, kind_b) else (v, u)]
        on_graph[k] = True
        row = table.iloc[k]
        d.update(
            expected=float(row["expected"]),
            p_value=float(row["p_value"]),
            q_value=float(row["q_value"]),
            significant=bool(row["significant"]),
        )
    significant = table["significant"].to_numpy(bool)
    G.graph.update(
        test=test,
        alternative=alternative,
        alpha=float(alpha),
        pairs_tested=len(table),
        edges_tested=int(on_graph.sum()),
        edges_significant=int((significant & on_graph).sum()),
        unobserved_significant=int((significant & (table["weight"].to_numpy() == 0)).sum()),
    )
    log.debug(
        "%s test: %d pairs, %d of %d edges significant at FDR %g",
        test,
        len(table),
        G.graph["edges_significant"],
        G.graph["edges_tested"],
        alpha,
    )
    return G


def backbone(G: nx.Graph) -> nx.Graph:
    """The backbone of a tested graph: its significant edges above their expectation, and the
    nodes they join (nodes left without edges drop out).

    Raises
    ------
    GraphError
        If the edges were not tested (:func:`validate_edges`), or were tested for under-expression.
    """
    if "test" not in G.graph:
        raise GraphError("test the edges first (validate_edges) to take the backbone")
    if G.graph.get("alternative") == "less":
        raise GraphError("a backbone keeps the ties stronger than chance, not those tested for avoidance")
    kept = [
        (u, v) for u, v, d in G.edges(data=True) if d.get("significant") and d["weight"] > d.get("expected", np.inf)
    ]
    B = nx.Graph()
    B.graph.update(G.graph)
    nodes = sorted({n for e in kept for n in e})
    B.add_nodes_from((n, dict(G.nodes[n])) for n in nodes)
    B.add_edges_from((u, v, dict(G.edges[u, v])) for u, v in sorted(kept))
    B.graph["backbone"] = True
    return B


def validation_summary(G: nx.Graph) -> dict[str, Any]:
    """What the tests of a graph did, as plain values (for the manifest and the report)."""
    if "test" not in G.graph:
        return {}
    margins = _margins(G)
    out: dict[str, Any] = {k: G.graph[k] for k in SUMMARY_KEYS}
    out.update(
        correction="Benjamini-Hochberg",
        baseline=margins.baseline,
        n_units=margins.n_units,
        topical_units=margins.topical_units,
        all_units=margins.all_units,
        min_weight=G.graph.get("min_weight", 1),
    )
    return out


def validate_windows(windows: Iterable[tuple[Any, Any, nx.Graph]], **options: Any) -> None:
    """:func:`validate_edges` on every window graph, in place: each window is its own family
    of tests, over its own units (its own ``N``, margins and, for the SDSM, its own fit)."""
    for _, _, graph in windows:
        validate_edges(graph, **options)


def window_backbones(windows: Any) -> Any:
    """The windows with each graph replaced by its :func:`backbone` (same type and ``attrs``)."""
    out = type(windows)([(lo, hi, backbone(graph)) for lo, hi, graph in windows])
    if hasattr(windows, "attrs"):
        out.attrs = dict(windows.attrs)
    return out


def window_edges_table(windows: Iterable[tuple[Any, Any, nx.Graph]]) -> pd.DataFrame:
    """Every edge of every tested window graph with its test (``window_edges.csv``): columns
    :data:`WINDOW_EDGE_COLUMNS` (``n_units``: the window's ``N``), sorted by window, country,
    forum. An edge in no window has no row; a window without edges neither."""
    rows = []
    for lo, hi, graph in windows:
        for u, v, d in graph.edges(data=True):
            if graph.nodes[u].get("kind") == "forum":
                u, v = v, u
            rows.append(
                {
                    "window_start": lo,
                    "window_end": hi,
                    "n_units": graph.graph.get("n_units", 0),
                    "country": graph.nodes[u].get("entity", u),
                    "forum": graph.nodes[v].get("entity", v),
                    **{c: d.get(c) for c in WINDOW_EDGE_COLUMNS[5:]},
                }
            )
    frame = pd.DataFrame(rows, columns=WINDOW_EDGE_COLUMNS)
    for col in ("window_start", "window_end"):
        frame[col] = pd.to_datetime(frame[col], utc=True).astype("datetime64[ns, UTC]")
    frame = frame.astype({"n_units": "int64", "weight": "int64", "country": str, "forum": str})
    for col in ("expected", "assoc_strength", "p_value", "q_value"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    frame = frame.sort_values(["window_start", "window_end", "country", "forum"], kind="mergesort")
    return frame.reset_index(drop=True)
