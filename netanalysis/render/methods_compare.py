"""The methods paragraph of ``compare`` (its own module to keep :mod:`netanalysis.render.methods`
small): how groups were formed and compared, with the works it cites."""

from __future__ import annotations

from typing import Any

from netanalysis.config import Settings

__all__ = ["COMPARE_WORKS", "comparison_paragraph", "measure_said"]

#: Works the comparison cites (merged into :data:`netanalysis.render.methods.WORKS`).
COMPARE_WORKS = {
    "monroe2008": "Monroe, B. L., Colaresi, M. P., & Quinn, K. M. (2008). Fightin' words: Lexical feature "
    "selection and evaluation for identifying the content of political conflict. Political Analysis, 16(4), "
    "372–403.",
    "fisher1935": "Fisher, R. A. (1935). The logic of inductive inference. Journal of the Royal Statistical "
    "Society, 98(1), 39–82.",
    "lin1991": "Lin, J. (1991). Divergence measures based on the Shannon entropy. IEEE Transactions on "
    "Information Theory, 37(1), 145–151.",
    "kendall1938": "Kendall, M. G. (1938). A new measure of rank correlation. Biometrika, 30(1/2), 81–93.",
    "kendall1945": "Kendall, M. G. (1945). The treatment of ties in ranking problems. Biometrika, 33(3), 239–251.",
    "webber2010": "Webber, W., Moffat, A., & Zobel, J. (2010). A similarity measure for indefinite rankings. "
    "ACM Transactions on Information Systems, 28(4), Article 20.",
}


def measure_said(measure: str) -> str:
    """How the ranking measure of countries and forums is said in a sentence."""
    return {"share": "their share of the group's posts", "posts": "the number of posts naming them"}.get(
        measure, measure
    )


_GROUPED_BY = {
    "channel": "the channel that published them",
    "forwarded_from": "the channel a forward came from (a channel's own posts forming one group)",
    "input": "the input they were read from",
    "vs": "the two sets of inputs compared",
}


def comparison_paragraph(
    settings: Settings, counts: dict[str, Any], *, unit: str
) -> tuple[str, str, tuple[str, ...]] | None:
    """The title, text and cited works of the comparison's methods paragraph, or ``None`` when no
    comparison ran; ``unit`` is how the co-mention unit is said ("post", "sentence", ...)."""
    info = counts.get("compare")
    if not info:
        return None
    groups = info.get("groups", {})
    by = _GROUPED_BY.get(info.get("by", ""), f"the column {info.get('by')!r} of the input tables")
    listed = "; ".join(f"{name}: {n}" for name, n in groups.items())
    design = (
        "the two groups were compared with each other"
        if len(groups) == 2
        else f"each of the {len(groups)} groups was compared with the rest of the corpus (all other groups "
        "together), and all groups together by one omnibus test"
    )
    text = (
        f"Posts were grouped by {by} ({listed} posts); {design}. The units are "
        + (
            "all posts of each group"
            if settings.baseline == "all-units"
            else "the posts that name at least one country or forum"
        )
        + f". For every edge (the posts naming both ends in one {unit}) and every country and "
        "forum, the difference between two sides is given as the log-odds ratio of its share of each side's "
        "co-mentions (or mentions) with an informative Dirichlet prior, the pooled counts of both sides, and "
        "its z-score (Monroe, Colaresi & Quinn 2008), which ranks differences (the prior shrinks rare ones "
        "towards 0) without being a test; each was tested with a "
        "two-sided Fisher exact test of its share of each side's posts (Fisher 1935); p-values were adjusted "
        "over all tests of a table with the Benjamini-Hochberg procedure (Benjamini & Hochberg 1995) and a "
        f"difference is called significant when q < {settings.alpha:g}. The overall difference was tested "
        "by permuting group labels over posts (group sizes kept) with the Jensen-Shannon divergence of the "
        "two sides' shares of edges, countries and forums as statistic (with more than two groups, the "
        f"occurrence-weighted divergence among all groups; Lin 1991), {info.get('permutations', 0)} "
        "permutations, and p = (1 + #exceedances) / (1 + permutations) (Phipson & Smyth 2010). Whether two "
        f"groups rank countries and forums alike (by {measure_said(settings.metric)}) and edges (by weight) "
        "was measured with Kendall's tau-b (Kendall 1938, 1945), an item missing from a group scoring 0, and with "
        "extrapolated rank-biased overlap at persistence 0.9 (Webber, Moffat & Zobel 2010). Each group's own "
        "network was counted as the whole corpus's, and its edges tested against chance within the group as "
        "described for the whole network."
    )
    return (
        "Comparing groups",
        text,
        (
            "monroe2008",
            "fisher1935",
            "benjamini1995",
            "lin1991",
            "phipson2010",
            "kendall1938",
            "kendall1945",
            "webber2010",
        ),
    )
