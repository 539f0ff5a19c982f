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
from netanalysis.render.methods_compare import COMPARE_WORKS, comparison_paragraph
from netanalysis.render.numbers import fixed, whole

__all__ = [
    "Paragraph",
    "SECTIONS",
    "MEASURE_WORDS",
    "measure_words",
    "methods_paragraphs",
    "methods_text",
    "references",
]


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
    "jaccard1912": "Jaccard, P. (1912). The distribution of the flora in the alpine zone. New Phytologist, "
    "11(2), 37–50.",
    "ruzicka1958": "Ružička, M. (1958). Anwendung mathematisch-statistischer Methoden in der Geobotanik. "
    "Biologia (Bratislava), 13, 647–661.",
    "efron1993": "Efron, B., & Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall/CRC.",
    "hall2009": "Hall, P., & Miller, H. (2009). Using the bootstrap to quantify the authority of an empirical "
    "ranking. The Annals of Statistics, 37(6B), 3929–3959.",
    "phipson2010": "Phipson, B., & Smyth, G. K. (2010). Permutation p-values should never be zero: calculating "
    "exact p-values when permutations are randomly drawn. Stat. Appl. Genet. Mol. Biol., 9(1), 39.",
    "fisher1935": "Fisher, R. A. (1935). The Design of Experiments. Oliver & Boyd.",
    "bonacich1972": "Bonacich, P. (1972). Factoring and weighting approaches to status scores and clique "
    "identification. J. Math. Sociol., 2(1), 113–120.",
    "lancichinetti2012": "Lancichinetti, A., & Fortunato, S. (2012). Consensus clustering in complex networks. "
    "Scientific Reports, 2, 336.",
    "newman2004": "Newman, M. E. J., & Girvan, M. (2004). Finding and evaluating community structure in "
    "networks. Physical Review E, 69(2), 026113.",
    "hubert1985": "Hubert, L., & Arabie, P. (1985). Comparing partitions. Journal of Classification, 2(1), 193–218.",
    **COMPARE_WORKS,
    "gale1992": "Gale, W. A., Church, K. W., & Yarowsky, D. (1992). One sense per discourse. Proc. DARPA "
    "Speech and Natural Language Workshop, 233–237.",
}

_UNITS = {"post": "post", "paragraph": "paragraph of a post", "sentence": "sentence"}


def _extraction(settings: Settings, counts: dict[str, Any]) -> Paragraph:
    unit = _UNITS[settings.unit]
    sources = ", ".join(settings.countries).replace("_", " ")
    return Paragraph(
        "Corpus and extraction",
        f"Posts were read with netanalysis ({whole(counts.get('posts', 0))} posts) and each {unit} was searched "
        f"for countries (ISO 3166-1 alpha-2) and multilateral forums through {sources} for countries, and "
        "hashtags and names for forums, using the package's registries of English and Russian names, "
        "inflected forms, acronyms and hashtags. Each post belongs to the channel that published it; "
        + (
            "a forwarded post counts as a post of the channel that forwarded it."
            if settings.count_forwards
            else "forwarded posts were left out, so that each channel is represented by its own posts."
        ),
    )


_FORM_WORDS = {
    "name": "names",
    "acronym": "acronyms",
    "adjective": "adjectives",
    "demonym": "demonyms",
    "metonymy": "metonymy (a capital or seat of power standing for its government: Washington, the Kremlin)",
    "flag": "flag emoji",
    "hashtag": "hashtags",
    "pair_hashtag": "parts of compound hashtags (#RussiaChina)",
}


def _mention_forms(settings: Settings, counts: dict[str, Any]) -> Paragraph:
    counted = [_FORM_WORDS[f] for f in settings.forms]
    left_out = [_FORM_WORDS[f] for f in _FORM_WORDS if f not in settings.forms]
    skipped = f"; mentions by {', '.join(left_out)} were not counted" if left_out else ""
    return Paragraph(
        "Mentions and their forms",
        "Every mention records how it names its entity. Counted were mentions by "
        f"{', '.join(counted)}{skipped}. Before names were matched, links, e-mail addresses and @handles "
        "were masked, so that words inside them (bbc.com/russian) are not mentions. Homographs were resolved "
        "by the registry's context rules, written as data: a country name followed by a surname is a person "
        "(Jordan Bardella), an adjective before a sea, gulf or street names a place (Мексиканский залив), "
        "an adjective after 'на'/'in' at the end of a phrase is a language, a capitalised Russian adjective "
        "inside a sentence begins a proper name, and a bare Security Council or General Assembly is the UN's "
        "only in a post that names the UN and is not followed or preceded by another country or organisation "
        "(Совет безопасности России is Russia's own council and a mention of Russia). A place name dropped "
        "this way is dropped throughout its post, one sense per discourse (Gale et al. 1992). A country named "
        "inside a forum's name (саммит «Россия – Африка») counts as a mention of both.",
        ("gale1992",),
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
        "(comparable across graphs of different sizes), computed with NetworkX (Hagberg et al. 2008).",
        ("vaneck2009", "bouma2009", "borgatti1997", "brin1998", "hagberg2008"),
    )


def _eigenvector(settings: Settings, counts: dict[str, Any]) -> Paragraph:
    return Paragraph(
        "Eigenvector centrality on disconnected graphs",
        "Eigenvector centrality (Bonacich 1972) is the leading eigenvector of the weighted adjacency matrix with "
        "NetworkX's semantics (the vector its power iteration converges to): when the graph falls into several "
        "components, the vector lives on the component with the largest leading eigenvalue and the nodes of "
        "smaller components score 0, so a small side component ranks last instead of being rescaled to rank "
        "among the main component's nodes. Hub and authority scores (HITS) are not reported: on a two-mode "
        "graph they are the two halves of the same eigenvector, rescaled.",
        ("bonacich1972",),
    )


def _communities(settings: Settings, counts: dict[str, Any]) -> Paragraph | None:
    found = counts.get("communities")
    if not found:
        return None
    return Paragraph(
        "Communities",
        f"Communities are the consensus (Lancichinetti & Fortunato 2012) of {found.get('runs')} Louvain "
        f"partitions (Blondel et al. 2008) of the weighted network, run with seeds drawn from seed "
        f"{settings.seed}: pairs of nodes put together by fewer than {fixed(found.get('threshold'))} of the runs "
        f"were cut and Louvain re-run on the agreement matrix until the runs agreed "
        f"({found.get('rounds')} round(s){'' if found.get('converged') else ', not converged'}). The consensus "
        f"has {found.get('count')} communities, modularity Q = {fixed(found.get('modularity'))} (Newman & Girvan "
        f"2004) and stability {fixed(found.get('stability'))} (mean adjusted Rand index between the single "
        "runs and the consensus, Hubert & Arabie 1985; 1 = every run found it). Every output numbers the "
        "communities alike, from 0 for the largest.",
        ("lancichinetti2012", "blondel2008", "newman2004", "hubert1985"),
    )


def _partial_text(partial: int) -> str:
    """The methods' sentence on windows the corpus covers only in part (none: no sentence)."""
    if not partial:
        return ""
    which = "One window is" if partial == 1 else f"{whole(partial)} windows are"
    return (
        f"{which} only partly covered by the corpus (it starts or ends within them: windows.csv's "
        "days_covered and partial); their counts are those of fewer days, so a change of a count into "
        "or out of them (in changes.csv too) is not by itself a change of attention. "
    )


def _whole_or_na(value: Any) -> str:
    """A number rounded to a whole one and written as a count (``n/a`` when there is none)."""
    try:
        return whole(round(float(value)))
    except (TypeError, ValueError, OverflowError):
        return "n/a"


def _windows(settings: Settings, counts: dict[str, Any]) -> Paragraph | None:
    if "windows" not in counts:
        return None
    windows = (
        f"rolling windows of {settings.window} advanced by {settings.step}"
        if settings.window
        else f"{'cumulative ' if settings.cumulative else ''}calendar {settings.freq}s (UTC)"
    )
    time = counts.get("time") or {}
    sizes = time.get("posts_per_window") or []
    size_text = ""
    if sizes:
        size_text = (
            f" The windows held a median of {_whole_or_na(time.get('median_posts'))} "
            f"post{'' if time.get('median_posts') == 1 else 's'} (from {whole(min(sizes))} to "
            f"{whole(max(sizes))}); {whole(time.get('small_windows', 0))} of them had fewer than "
            f"{time.get('min_posts')} posts "
            "(--min-posts) and are marked small, too small for a trend to be read from them. "
            + _partial_text(time.get("partial_windows", 0))
            + "Each window's "
            "posts, units, nodes and edges, and the similarity of its edges to the previous window's (the "
            "Jaccard index of the edge sets, Jaccard 1912, and the weighted Jaccard index of the edge-weight "
            "shares, Ružička 1958) are in windows.csv."
        )
    return Paragraph(
        "Change over time",
        f"Change over time was measured on {windows} ({whole(counts['windows'])} windows); undated posts "
        f"({whole(counts.get('timeline_undated_posts', 0))}) were left out of the windows and posts whose year was "
        "inferred from neighbouring posts were kept and flagged." + size_text,
        ("jaccard1912", "ruzicka1958") if sizes else (),
    )


#: What each measure over time is, in words (figure captions and methods).
MEASURE_WORDS = {
    "share": "the share of the window's {unit}s that name the node",
    "posts": "the number of the window's {unit}s that name the node",
    "degree": "bipartite-normalised degree",
    "strength": "strength (co-mentions)",
    "betweenness": "bipartite-normalised betweenness",
    "eigenvector": "eigenvector centrality",
    "pagerank": "PageRank (sums to 1 over each window's nodes, so it falls as a window holds more nodes)",
    "pagerank_scaled": "PageRank times the window's number of nodes (1 = the average node)",
}


def measure_words(metric: str, unit: str = "post") -> str:
    """``metric`` in words, e.g. "the share of the window's posts that name the node"."""
    return MEASURE_WORDS.get(metric, metric).format(unit=unit)


def _trajectories(settings: Settings, counts: dict[str, Any]) -> Paragraph | None:
    time = counts.get("time")
    if not time:
        return None
    unit = settings.unit
    baseline = time.get("baseline", "all-units")
    denominator = (
        f"the window's {unit}s, those naming no country or forum included"
        if baseline == "all-units"
        else f"the {unit}s of the window that name a country or forum"
    )
    return Paragraph(
        "A measure comparable across windows",
        f"Windows differ in size and in how many nodes they hold, so the time figures and the report's changes "
        f"use {settings.metric}: {measure_words(settings.metric, unit)}. "
        + (
            f"Share divides the number of {unit}s naming a node by N, the number of {denominator} (baseline "
            f"{baseline}): a proportion of the window's own output, comparable across windows of any size. "
            if settings.metric == "share"
            else ""
        )
        + "Raw PageRank sums to 1 over each window's nodes and so falls whenever a window holds more nodes; "
        "timeline.csv also gives share, PageRank times the number of nodes (mean 1 in every window) and the "
        "other measures.",
    )


def _bootstrap(settings: Settings, counts: dict[str, Any]) -> Paragraph | None:
    time = counts.get("time")
    if not time or not time.get("bootstrap_replicates"):
        return None
    level = round(100 * float(time.get("confidence_level", 0.95)))
    return Paragraph(
        "Uncertainty",
        f"Every node measure and rank has a {level}% percentile bootstrap interval (Efron & Tibshirani 1993): "
        f"B = {time['bootstrap_replicates']} resamples of each window's posts, drawn with replacement (the post "
        f"is the resampling unit whatever the unit of co-mention), with seed [{settings.seed}, k] for window k; "
        "each resample's graph is measured as the observed one, and the interval runs from the "
        f"{(100 - level) / 2:g}th to the {100 - (100 - level) / 2:g}th percentile of the replicate values "
        "(timeline.csv: ci_low, ci_high; rank_low, rank_high for the rank). The whole corpus's measures get "
        "the same bootstrap over all its posts (node_intervals.csv). Nodes whose rank intervals overlap cannot "
        "be told apart by rank (Hall & Miller 2009): the report lists them in tiers, not in order. Windows of "
        "one post get no interval, and intervals of windows of a few posts show only how much those posts "
        "disagree.",
        ("efron1993", "hall2009"),
    )


def _change_tests(settings: Settings, counts: dict[str, Any]) -> Paragraph | None:
    time = counts.get("time")
    if not time or "windows" not in counts:
        return None
    if not time.get("permutations"):
        return Paragraph(
            "Change between windows",
            "Changes between consecutive windows were not tested (--permutations 0), so the report lists none "
            "as significant.",
        )
    tested = ", ".join(time.get("tested_measures", []))
    exact = time.get("exact_measures") or []
    exact_text = ""
    if exact:
        exact_text = (
            f" Changes of {' and '.join(exact)} were tested exactly instead: the number of posts naming a node "
            "that fall in the first window under reassignment is hypergeometric, so p sums that distribution "
            "over every reassignment at least as extreme (Fisher's exact test, Fisher 1935), with no floor of "
            "1 / (1 + R)."
        )
    found = time.get("significant_changes")
    found_text = ""
    if found is not None:
        changes, were = ("change", "was") if found == 1 else ("changes", "were")
        found_text = f" {found} {changes} of {settings.metric} {were} significant."
    return Paragraph(
        "Change between windows",
        f"Each node's change between consecutive windows was tested with a permutation test: the posts of the "
        f"two windows were reassigned between them at random (each window keeping its number of posts) "
        f"R = {time['permutations']} times, with seed [{settings.seed}, k] for the pair ending in window k, and "
        "the observed change compared with the changes under reassignment, p = (1 + #{|T*| >= |T|}) / (1 + R) "
        f"(two-sided; Phipson & Smyth 2010).{exact_text} q-values (Benjamini & Hochberg 1995) control the false "
        f"discovery rate over the nodes of each pair of windows and measure; the report lists the changes of "
        f"{settings.metric} with q < {settings.alpha:g} ({time.get('tests', 0)} tests in all, of {tested}; "
        "betweenness and closeness are not tested unless shown, for their cost)." + found_text,
        ("phipson2010", "fisher1935", "benjamini1995") if exact else ("phipson2010", "benjamini1995"),
    )


def _membership(settings: Settings, counts: dict[str, Any]) -> Paragraph | None:
    if "ties" not in counts:
        return None
    unknown = counts.get("ties_by_status", {}).get("unknown", 0)
    unit = _UNITS[settings.unit]
    text = (
        f"Each of the {whole(counts['ties'])} ties (a post naming a country and a forum in the same {unit}) was "
        "labelled with the country's status in the forum on the post's date (its UTC day): member, observer, "
        "partner, dialogue partner, candidate, associate, suspended, frozen or non-member, from the package's "
        "membership registry, in which every period of a status names its source (official membership pages, "
        "treaties and decisions). Ties of undated posts, of dates inside a period the registry dates only to a "
        f"month or a year, and of forums it does not cover are unknown ({whole(unknown)}). An edge's status is the one "
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


def _comparison(settings: Settings, counts: dict[str, Any]) -> Paragraph | None:
    built = comparison_paragraph(settings, counts, unit=_UNITS[settings.unit])
    return Paragraph(*built) if built else None


#: The paragraph builders, in the order the page shows them.
SECTIONS: tuple[Callable[[Settings, dict[str, Any]], Paragraph | None], ...] = (
    _extraction,
    _mention_forms,
    _network,
    _significance,
    _eigenvector,
    _communities,
    _windows,
    _trajectories,
    _bootstrap,
    _change_tests,
    _membership,
    _comparison,
)


def methods_paragraphs(settings: Settings, counts: dict[str, Any]) -> list[Paragraph]:
    """The methods paragraphs of a run with these settings and counts (parts that did not run are left out).

    Examples
    --------
    >>> from netanalysis.config import Settings
    >>> for paragraph in methods_paragraphs(Settings(), {"posts": 12}):
    ...     print(paragraph.title)
    Corpus and extraction
    Mentions and their forms
    Network and measures
    Eigenvector centrality on disconnected graphs
    """
    return [p for p in (build(settings, counts) for build in SECTIONS) if p is not None]


def methods_text(settings: Settings, counts: dict[str, Any]) -> str:
    """The methods section as plain text, one paragraph after the other (for a paper's draft)."""
    return " ".join(p.text for p in methods_paragraphs(settings, counts))


def references(paragraphs: Sequence[Paragraph]) -> list[str]:
    """The full references the paragraphs cite, each once, in order of first citation."""
    keys = dict.fromkeys(key for p in paragraphs for key in p.cites)
    return [WORKS[key] for key in keys]
