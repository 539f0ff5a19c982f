"""``report.html`` of ``compare``: the groups, how much and where they differ, the figures, methods.

Plain HTML with inline CSS (the report page's), no script and no request; every value taken from
the data (group names, labels) is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

import pandas as pd

from netanalysis.analysis.compare import REST, Comparison
from netanalysis.config import Settings
from netanalysis.model import IngestStats
from netanalysis.render.membership_section import membership_section_html
from netanalysis.render.methods import methods_paragraphs, references
from netanalysis.render.methods_compare import measure_said
from netanalysis.render.report_page import _CSS

__all__ = ["ComparePage", "compare_html", "FIGURE_CAPTIONS"]

FIGURE_CAPTIONS = {
    "compare_networks": "Each group's network on one shared layout (force-directed, the most co-mentioned "
    "nodes of all groups): edge width and node area are shares of the group's posts, on one scale for all "
    "panels; faded nodes are not named by that group.",
    "compare_difference": "Difference network: an edge is coloured by the group whose share of posts naming "
    "both ends is significantly larger (two-sided Fisher test, Benjamini–Hochberg q below the level given), "
    "width by the absolute log-odds z-score; grey edges show no significant difference.",
    "compare_log_odds": "Log-odds z-score with an informative Dirichlet prior (Monroe et al. 2008) of every "
    "edge against its number of posts (both sides); dashed lines at ±1.96; points in a group's colour (dark "
    "grey: the rest) differ significantly (Fisher test, Benjamini–Hochberg q below the level given), light grey "
    "ones do not; the most extreme significant edges of each side are labelled.",
}
#: Numbers (2.22e-12, 1,600) never break across lines.
_COMPARE_CSS = "td.num,td.date{white-space:nowrap}"
#: Readable headers of the tables' columns (the CSV files keep the column names).
_NAMES = {"p_value": "p", "q_value": "q", "over_used_by": "over-used by", "label": "country or forum"}
_BY = {
    "channel": "the channel that published each post",
    "forwarded_from": "the channel a forward comes from (own posts form one group)",
    "input": "the input each post was read from",
    "vs": "the inputs given and the --vs inputs",
}


@dataclass(frozen=True)
class ComparePage:
    """What the page shows of a ``compare`` run."""

    version: str
    inputs: Sequence[str]
    settings: Settings
    stats: IngestStats
    counts: dict[str, Any]
    comparison: Comparison
    figures: Sequence[str] = field(default_factory=tuple)
    outsiders: pd.DataFrame | None = None


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float):
        if pd.isna(value):
            return "–"
        if value.is_integer() and abs(value) < 1e5:
            return str(int(value))
        if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e5):
            return f"{value:.2e}"
        return f"{value:.3f}"
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _kind(column: str, numeric: set) -> str:
    return "num" if column in numeric else "date" if column.endswith("_date") else ""


def _table(frame: pd.DataFrame, columns: list[str], numeric: Iterable[str] = (), names: dict | None = None) -> str:
    numeric, names = set(numeric), names or {}
    head = "".join(f'<th class="{"num" if c in numeric else ""}">{escape(names.get(c, c))}</th>' for c in columns)
    body = "".join(
        "<tr>" + "".join(f'<td class="{_kind(c, numeric)}">{escape(_cell(row[c]))}</td>' for c in columns) + "</tr>"
        for _, row in frame.iterrows()
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _percent(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    out = frame.copy()
    for c in columns:
        out[c] = [f"{100 * v:.1f}%" if pd.notna(v) else "–" for v in out[c]]
    return out


def _overall(c: Comparison) -> str:
    tests = c.tests
    rows = tests[tests["items"] == "edges"]
    shown = rows.assign(
        posts_versus=[
            "–" if g == "all groups" else _cell(v) for g, v in zip(rows["group"], rows["posts_versus"], strict=True)
        ]
    )
    table = _table(
        shown,
        ["group", "versus", "statistic", "value", "p_value", "q_value", "posts", "posts_versus"],
        numeric=["value", "p_value", "q_value", "posts", "posts_versus"],
        names={**_NAMES, "posts": "posts (group)", "posts_versus": "posts (versus)"},
    )
    sentences = []
    for r in rows.itertuples():
        who = "all groups" if r.group == "all groups" else f"{r.group} vs {r.versus}"
        sentences.append(f"{escape(who)}: {escape(r.statistic)} = {_cell(r.value)}, p = {_cell(r.p_value)}")
    return (
        "<p>Do the groups tie countries to forums in different proportions? Permutation test over group "
        f"labels ({int(rows['n_permutations'].iloc[0]) if len(rows) else 0} random reassignments of the posts, "
        "group sizes kept; the smallest attainable p-value is 1/(permutations + 1)). "
        + "; ".join(sentences)
        + '. Countries and forums alone: <a href="compare_tests.csv">compare_tests.csv</a>.</p>'
        + table
    )


def _differing(c: Comparison, n: int = 12) -> str:
    parts = []
    edges = c.edges
    names = dict(zip(c.nodes["node"], c.nodes["label"], strict=True))  # country and forum names
    for a, b in c.contrasts:
        rows = edges[(edges["group"] == a) & (edges["versus"] == b)]
        hits = rows[rows["significant"]]
        head = (
            f"<h3>{escape(a)} vs {escape(b)}</h3><p>{_sizes(rows, a, b)}. {len(hits)} of {len(rows)} edges "
            f"differ (q &lt; {c.alpha:g}); the {min(n, len(hits))} most significant:</p>"
        )
        if hits.empty:
            parts.append(head.replace("; the 0 most significant:", ".") + "")
            continue
        shown = _percent(hits.head(n), "share", "share_versus")
        shown["country"] = [names.get(f"country:{v}", v) for v in shown["country"]]
        shown["forum"] = [names.get(f"forum:{v}", v) for v in shown["forum"]]
        shown["status"] = [str(v).replace("non_member", "non-member").replace("_", " ") for v in shown["status"]]
        parts.append(
            head
            + _table(
                shown,
                [
                    "country",
                    "forum",
                    "posts",
                    "share",
                    "posts_versus",
                    "share_versus",
                    "z",
                    "q_value",
                    "over_used_by",
                    "status",
                ],
                numeric=["posts", "share", "posts_versus", "share_versus", "z", "q_value"],
                names={
                    **_NAMES,
                    "share": f"share ({a})",
                    "share_versus": f"share ({b})",
                    "posts": f"posts ({a})",
                    "posts_versus": f"posts ({b})",
                },
            )
        )
    return "".join(parts)


def _sizes(rows: pd.DataFrame, a: str, b: str) -> str:
    """The N of each side's shares: "Shares of 1,600 posts (A) and 2,200 (rest)"."""
    if rows.empty:
        return "No edges"
    n_a, n_b = int(rows["units"].iloc[0]), int(rows["units_versus"].iloc[0])
    return f"Shares of {n_a:,} posts ({escape(a)}) and {n_b:,} ({escape(b)})"


def _nodes(c: Comparison, n: int = 8) -> str:
    parts = []
    nodes = c.nodes
    for a, b in c.contrasts:
        rows = nodes[(nodes["group"] == a) & (nodes["versus"] == b) & nodes["significant"]]
        if rows.empty:
            continue
        shown = _percent(rows.head(n), "share", "share_versus")
        parts.append(
            f"<h3>{escape(a)} vs {escape(b)}</h3><p>{_sizes(rows, a, b)}; the {len(shown)} most significant of "
            f"{len(rows)} countries and forums that differ (q &lt; {c.alpha:g}):</p>"
            + _table(
                shown,
                [
                    "label",
                    "kind",
                    "posts",
                    "share",
                    "posts_versus",
                    "share_versus",
                    "z",
                    "q_value",
                    "over_used_by",
                    "rank",
                    "rank_versus",
                ],
                numeric=["posts", "share", "posts_versus", "share_versus", "z", "q_value", "rank", "rank_versus"],
                names={
                    **_NAMES,
                    "posts": f"posts ({a})",
                    "posts_versus": f"posts ({b})",
                    "share": f"share ({a})",
                    "share_versus": f"share ({b})",
                    "rank": f"rank ({a})",
                    "rank_versus": f"rank ({b})",
                },
            )
        )
    return "".join(parts) or '<p class="muted">No country or forum differs significantly.</p>'


def _agreement(c: Comparison) -> str:
    return (
        f"<p>Kendall's tau-b between two groups' scores of the same items (countries and forums by "
        f"{escape(measure_said(c.measure))}, edges by weight; an item a group lacks scores 0) and rank-biased overlap "
        "(RBO, persistence 0.9: the top 10 ranks carry 86% of the weight; 1 = the same ranking, 0 = "
        "nothing in common).</p>"
        + _table(
            c.agreement,
            ["group_a", "group_b", "items", "n", "kendall_tau", "kendall_p", "rbo", "top_a", "top_b"],
            numeric=["n", "kendall_tau", "kendall_p", "rbo"],
            names={
                "group_a": "group A",
                "group_b": "group B",
                "n": "N (named by either)",
                "kendall_tau": "Kendall's tau-b",
                "kendall_p": "p (tau = 0)",
                "rbo": "RBO",
                "top_a": "top 5 of A",
                "top_b": "top 5 of B",
            },
        )
    )


def _figures(run: ComparePage) -> str:
    formats = run.settings.formats
    out = []
    for stem in run.figures:
        fmt = next((f for f in ("png", "svg") if f in formats), None)
        links = " · ".join(f'<a href="figures/{stem}.{f}">{f.upper()}</a>' for f in formats)
        img = f'<img src="figures/{stem}.{fmt}" alt="{escape(stem)}">' if fmt else ""
        out.append(
            f"<figure>{img}<figcaption>{escape(FIGURE_CAPTIONS.get(stem, stem))} ({links})</figcaption></figure>"
        )
    return "".join(out) or '<p class="muted">No figures.</p>'


def compare_html(run: ComparePage, *, files: list[str]) -> str:
    """The whole page as a string."""
    c, s, counts = run.comparison, run.settings, run.counts
    by = counts.get("compare", {}).get("by", s.by)
    how = _BY.get(by, f"the column {by!r} of the input tables")
    design = (
        f"one contrast, {escape(c.contrasts[0][0])} vs {escape(c.contrasts[0][1])}"
        if len(c.contrasts) == 1
        else f"each of the {len(c.groups)} groups against the {REST} (all other groups together), "
        "and all groups together in one omnibus test"
    )
    units = (
        "all posts of each group (--baseline all-units)"
        if s.baseline == "all-units"
        else "the posts naming at least one country or forum (--baseline topical-units)"
    )
    summary = _table(
        c.summary,
        ["group", "posts", "posts_naming", "countries", "forums", "edges", "first_date", "last_date"],
        numeric=["posts", "posts_naming", "countries", "forums", "edges"],
        names={"posts_naming": "posts naming a country or forum", "first_date": "first post", "last_date": "last post"},
    )
    paragraphs = methods_paragraphs(s, counts)
    methods = "".join(f"<h3>{escape(p.title)}</h3><p>{escape(p.text)}</p>" for p in paragraphs)
    refs = "".join(f"<li>{escape(r)}</li>" for r in references(paragraphs))
    items = "".join(f'<li><a href="{escape(f)}">{escape(f)}</a></li>' for f in files)
    stats = run.stats
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>netanalysis comparison</title><style>{_CSS}{_COMPARE_CSS}</style></head>
<body>
<h1>Comparing groups of posts</h1>
<p class="muted">{stats.read} posts read ({stats.skipped} records skipped, {stats.undated} undated) from
{len(run.inputs)} input file(s) · netanalysis {escape(run.version)} run with <code>compare</code>; parameters
and input checksums in <a href="manifest.json">manifest.json</a>.</p>
<h2>Groups</h2>
<p>Posts are grouped by {escape(how)}; the comparison is {design}. The units are {units};
each group's own network, its edges tested within the group, is in <code>groups/</code> (edges.csv, nodes.csv).</p>
{summary}
<h2>Overall difference</h2>{_overall(c)}
<h2>Edges that differ</h2>
<p>Share of each side's posts naming both the country and the forum, log-odds z-score (informative Dirichlet
prior) and Fisher's exact test with Benjamini–Hochberg q-values over all {len(c.edges)} tests; every edge:
<a href="compare_edges.csv">compare_edges.csv</a>. The q-value is the test; the z-score ranks edges by how
clearly they separate the sides and is shrunk towards 0 by the prior (the pooled counts), most for rare edges
and for a small group against the rest, so a small z can come with a small q. <code>status</code> is the
country's membership of the forum on the posts' dates (<em>changed</em>: it changed within the period;
<em>unknown</em>: undated posts, or a forum the membership registry does not cover).</p>
{_differing(c)}
<h2>Countries and forums that differ</h2>
<p>The same tests for the posts naming each country or forum (all: <a href="compare_nodes.csv">compare_nodes.csv</a>,
with each side's degree and strength; rank is among the side's countries, or its forums, by
{escape(measure_said(c.measure))}).</p>
{_nodes(c)}
<h2>Do the groups rank alike?</h2>{_agreement(c)}
<h2>Figures</h2>{_figures(run)}
{membership_section_html(run.outsiders) if run.outsiders is not None else ""}
<h2>Files</h2><ul>{items}</ul>
<h2>Methods</h2>{methods}
<h3>References</h3><ol>{refs}</ol>
</body></html>
"""
