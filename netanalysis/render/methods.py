"""The methods section of ``report.html``, generated from what the run did.

The section is a list of :class:`Paragraph` objects, one per concern (extraction, the network and
its measures, time windows, ...). Each concern has one function here that takes the run's
settings and counts and returns its paragraph, or ``None`` when that part did not run; the
paragraph names its numbers (N, B, alpha, seeds) and the works it relies on, and the page lists
every cited work once, in order of first citation. A concern added to the pipeline adds its
function to :data:`SECTIONS`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from netanalysis.config import Settings

__all__ = ["Paragraph", "SECTIONS", "methods_paragraphs", "methods_text", "references"]


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the methods section: a heading, plain text, and the works it cites."""

    title: str
    text: str
    cites: tuple[str, ...] = field(default_factory=tuple)


#: Full references, by the short key a paragraph cites them with.
WORKS = {
    "borgatti1997": "Borgatti, S. P., & Everett, M. G. (1997). Network analysis of 2-mode data. "
    "Social Networks, 19(3), 243–269.",
    "vaneck2009": "van Eck, N. J., & Waltman, L. (2009). How to normalize cooccurrence data? An analysis of "
    "some well-known similarity measures. JASIST, 60(8), 1635–1651.",
    "bouma2009": "Bouma, G. (2009). Normalized (pointwise) mutual information in collocation extraction. "
    "Proc. GSCL, 31–40.",
    "brin1998": "Brin, S., & Page, L. (1998). The anatomy of a large-scale hypertextual web search engine. "
    "Computer Networks and ISDN Systems, 30, 107–117.",
    "blondel2008": "Blondel, V. D., Guillaume, J.-L., Lambiotte, R., & Lefebvre, E. (2008). Fast unfolding of "
    "communities in large networks. J. Stat. Mech., P10008.",
    "hagberg2008": "Hagberg, A. A., Schult, D. A., & Swart, P. J. (2008). Exploring network structure, "
    "dynamics, and function using NetworkX. Proc. SciPy 2008, 11–15.",
    "tumminello2011": "Tumminello, M., Miccichè, S., Lillo, F., Piilo, J., & Mantegna, R. N. (2011). Statistically "
    "validated networks in bipartite complex systems. PLoS ONE, 6(3), e17994.",
    "neal2014": "Neal, Z. P. (2014). The backbone of bipartite projections: Inferring relationships from "
    "co-authorship, co-sponsorship, co-attendance and other co-behaviors. Social Networks, 39, 84–97.",
    "saracco2015": "Saracco, F., Di Clemente, R., Gabrielli, A., & Squartini, T. (2015). Randomizing bipartite "
    "networks: the case of the World Trade Web. Scientific Reports, 5, 10595.",
    "saracco2017": "Saracco, F., Straka, M. J., Di Clemente, R., Gabrielli, A., Caldarelli, G., & Squartini, T. "
    "(2017). Inferring monopartite projections of bipartite networks: an entropy-based approach. New Journal "
    "of Physics, 19, 053022.",
    "benjamini1995": "Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate: a practical and "
    "powerful approach to multiple testing. Journal of the Royal Statistical Society B, 57(1), 289–300.",
    "newman2001": "Newman, M. E. J. (2001). Scientific collaboration networks. II. Shortest paths, weighted "
    "networks, and centrality. Physical Review E, 64, 016132.",
    "opsahl2010": "Opsahl, T., Agneessens, F., & Skvoretz, J. (2010). Node centrality in weighted networks: "
    "Generalizing degree and shortest paths. Social Networks, 32(3), 245–251.",
    "brandes2001": "Brandes, U. (2001). A faster algorithm for betweenness centrality. Journal of Mathematical "
    "Sociology, 25(2), 163–177.",
}

_UNITS = {"post": "post", "paragraph": "paragraph of a post", "sentence": "sentence"}


def _extraction(settings: Settings, counts: dict[str, Any]) -> Paragraph:
    unit = _UNITS[settings.unit]
    sources = ", ".join(settings.countries).replace("_", " ")
    return Paragraph(
        "Corpus and extraction",
        f"Posts were read with netanalysis ({counts.get('posts', 0)} posts) and each {unit} was searched "
        f"for countries (ISO 3166-1 alpha-2) and multilateral forums through {sources} for countries, and "
        "hashtags and names for forums, using the package's registries of English and Russian names, "
        "inflected forms, acronyms and hashtags. Each post belongs to the channel that published it; "
        + (
            "a forwarded post counts as a post of the channel that forwarded it."
            if settings.count_forwards
            else "forwarded posts were left out, so that each channel is represented by its own posts."
        ),
    )


def _network(settings: Settings, counts: dict[str, Any]) -> Paragraph:
    unit = _UNITS[settings.unit]
    excluded = ", ".join(settings.exclude) if settings.exclude else "none"
    return Paragraph(
        "Network and measures",
        f"A country and a forum are co-mentioned when both are named in the same {unit}; an edge's weight is "
        f"the number of such {unit}s, each counted once however often it repeats a name (excluded entities: "
        f"{excluded}; minimum weight {settings.min_weight}). Beside the raw counts, edges carry association "
        "strength (observed over expected co-occurrence, van Eck & Waltman 2009), the Jaccard index and "
        "normalised pointwise mutual information (Bouma 2009). Node centralities on the two-mode network are "
        "the bipartite-normalised degree, betweenness and closeness (Borgatti & Everett 1997), weighted "
        "strength, eigenvector centrality, PageRank (Brin & Page 1998) and PageRank times the number of nodes "
        "(comparable across graphs of different sizes), computed with NetworkX (Hagberg et al. 2008); "
        f"communities are Louvain partitions (Blondel et al. 2008) with a fixed seed ({settings.seed}).",
        ("vaneck2009", "bouma2009", "borgatti1997", "brin1998", "hagberg2008", "blondel2008"),
    )


def _windows(settings: Settings, counts: dict[str, Any]) -> Paragraph | None:
    if "windows" not in counts:
        return None
    windows = (
        f"rolling windows of {settings.window} advanced by {settings.step}"
        if settings.window
        else f"{'cumulative ' if settings.cumulative else ''}calendar {settings.freq}s (UTC)"
    )
    return Paragraph(
        "Change over time",
        f"Change over time was measured on {windows} ({counts['windows']} windows); undated posts "
        f"({counts.get('timeline_undated_posts', 0)}) were left out of the windows and posts whose year was "
        "inferred from neighbouring posts were kept and flagged.",
    )


def _membership(settings: Settings, counts: dict[str, Any]) -> Paragraph | None:
    if "ties" not in counts:
        return None
    unknown = counts.get("ties_by_status", {}).get("unknown", 0)
    unit = _UNITS[settings.unit]
    text = (
        f"Each of the {counts['ties']} ties (a post naming a country and a forum in the same {unit}) was "
        "labelled with the country's status in the forum on the post's date (its UTC day): member, observer, "
        "partner, dialogue partner, candidate, associate, suspended, frozen or non-member, from the package's "
        "membership registry, in which every period of a status names its source (official membership pages, "
        "treaties and decisions). Ties of undated posts, of dates inside a period the registry dates only to a "
        f"month or a year, and of forums it does not cover are unknown ({unknown}). An edge's status is the one "
        "status of all its ties of known status, or 'changed' when they differ (an edge spanning an "
        "accession); the report gives, per forum and year, the share of ties of known status whose country "
        "was not a member."
    )
    return Paragraph("Membership", text)


def _n(value: Any) -> str:
    return f"{int(value):,}" if isinstance(value, (int, float)) else "?"


def _significance(settings: Settings, counts: dict[str, Any]) -> Paragraph | None:
    """The edge tests, the correction, the baseline's N, what survived, the backbone, the
    projections, the windows and the path lengths."""
    tests = counts.get("significance")
    if not tests or "edges" not in tests or not tests["edges"]:
        return None
    e = tests["edges"]
    unit = _UNITS[settings.unit]
    units = f"{unit}s" if settings.unit != "paragraph" else "paragraphs"
    if e["baseline"] == "all-units":
        empty = (e.get("all_units") or 0) - e.get("topical_units", 0)
        base = f"all N = {_n(e['n_units'])} {units} of the corpus, the {_n(empty)} naming no country or forum included"
    else:
        base = f"the N = {_n(e['n_units'])} {units} naming at least one country or forum"
    side = {"greater": "more often than", "less": "less often than", "two-sided": "more or less often than"}
    alt = side[e["alternative"]]
    cites = ["benjamini1995"]
    if e["test"] == "hypergeom":
        model = (
            f"with the hypergeometric test of Tumminello et al. (2011): given how many of {base} name each of the "
            "two, the number naming both follows a hypergeometric distribution if they are named independently, "
            "with expected value n_i n_j / N (the expected weight reported with each edge)"
        )
        cites.insert(0, "tumminello2011")
    else:
        model = (
            "with the stochastic degree sequence model (Neal 2014): the unit × entity matrix was compared with "
            "random matrices of the bipartite configuration model (Saracco et al. 2015, 2017), which keeps on "
            "average how many entities each unit names and how many units name each entity, so that co-mentions "
            "in long posts naming many entities count for less; the number of units naming both is then a "
            f"Poisson-binomial variable, computed exactly (expected weights are its means; N = {_n(e['n_units'])})"
        )
        cites[:0] = ["neal2014", "saracco2015", "saracco2017"]
    text = (
        f"Every country–forum pair was tested for being named in the same {unit} {alt} chance, {model}. "
        f"P-values were adjusted with the Benjamini–Hochberg procedure (1995) over all {_n(e['pairs_tested'])} "
        "country × forum pairs that could have been co-mentioned (pairs never named together included), and an "
        f"edge is significant when its q-value is below {e['alpha']:g}: {_n(e['edges_significant'])} of the "
        f"{_n(e['edges_tested'])} edges were."
    )
    if e.get("unobserved_significant"):
        text += f" {_n(e['unobserved_significant'])} pairs never named together were significant too."
    if "backbone" in tests:
        b = tests["backbone"]
        text += (
            f" Node measures, communities, figures and the explorer use only the {_n(b['edges'])} significant edges "
            f"(the backbone, joining {_n(b['countries'])} countries and {_n(b['forums'])} forums; "
            f"{_n(b['nodes_dropped'])} nodes without a significant edge were left out); edges.csv and graph.gexf "
            "keep every edge with its test."
        )
    parts = []
    for stem, name in (("projection_countries", "countries"), ("projection_forums", "forums")):
        if tests.get(stem):
            p = tests[stem]
            parts.append(
                f"{_n(p['edges_significant'])} of {_n(p['edges_tested'])} ties among {name} "
                f"({_n(p['pairs_tested'])} pairs tested)"
            )
    if parts:
        text += (
            " The one-mode projections (two countries, or two forums, tied by the units naming both) were tested "
            f"the same way: {'; '.join(parts)} were significant."
        )
    if "windows" in counts:
        text += (
            " Every time window was tested on its own units (its own N and its own correction); "
            "window_edges.csv lists each window's tests."
        )
    if settings.path_weights:
        text += (
            " Betweenness and closeness count the length of a path as the sum of 1/weight over its edges (a tie "
            "named in more units is a shorter step; Newman 2001, Opsahl et al. 2010), with Brandes' algorithm (2001)."
        )
        cites += ["newman2001", "opsahl2010", "brandes2001"]
    return Paragraph("Which ties are more frequent than chance", text, tuple(cites))


#: The paragraph builders, in the order the page shows them.
SECTIONS: tuple[Callable[[Settings, dict[str, Any]], Paragraph | None], ...] = (
    _extraction,
    _network,
    _significance,
    _windows,
    _membership,
)


def methods_paragraphs(settings: Settings, counts: dict[str, Any]) -> list[Paragraph]:
    """The methods paragraphs of a run with these settings and counts (parts that did not run are left out).

    Examples
    --------
    >>> from netanalysis.config import Settings
    >>> [p.title for p in methods_paragraphs(Settings(), {"posts": 12})]
    ['Corpus and extraction', 'Network and measures']
    """
    return [p for p in (build(settings, counts) for build in SECTIONS) if p is not None]


def methods_text(settings: Settings, counts: dict[str, Any]) -> str:
    """The methods section as plain text, one paragraph after the other (for a paper's draft)."""
    return " ".join(p.text for p in methods_paragraphs(settings, counts))


def references(paragraphs: Sequence[Paragraph]) -> list[str]:
    """The full references the paragraphs cite, each once, in order of first citation."""
    keys = dict.fromkeys(key for p in paragraphs for key in p.cites)
    return [WORKS[key] for key in keys]
