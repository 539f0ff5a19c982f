"""The report page's parts about the edge tests: what was tested and what survived, the strongest
significant ties, and which columns of a "most central" table are constant (not a ranking).

Plain HTML; every value taken from the data is escaped.
"""

from __future__ import annotations

from html import escape
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["significance_html", "constant_columns", "constant_note", "window_backbone_note"]

_TEST_NAMES = {"hypergeom": "hypergeometric test", "sdsm": "stochastic degree sequence model (SDSM)"}
_ALTERNATIVES = {
    "greater": "more often than chance",
    "less": "less often than chance",
    "two-sided": "more or less often than chance",
}


def constant_columns(frame: pd.DataFrame, columns: list[str]) -> list[str]:
    """The numeric columns of ``columns`` whose values are all equal in ``frame`` (at 12
    decimals): a table sorted by something else shows them, but they rank nothing.

    Examples
    --------
    >>> constant_columns(pd.DataFrame({"a": [1.0, 1.0], "b": [1, 2], "c": ["x", "y"]}), ["a", "b", "c"])
    ['a']
    """
    out = []
    for col in columns:
        if col not in frame.columns or len(frame) < 2:
            continue
        values = pd.to_numeric(frame[col], errors="coerce")
        if values.isna().any():
            continue
        if np.ptp(values.to_numpy(float).round(12)) == 0:
            out.append(col)
    return out


def constant_note(frame: pd.DataFrame, columns: list[str], what: str) -> str:
    """A sentence naming the constant columns of ``frame`` and their value, or ``""``."""
    same = constant_columns(frame, columns)
    if not same:
        return ""
    values = ", ".join(f"{col} {float(frame[col].iloc[0]):.4f}" for col in same)
    why = (
        " (degree 1: each is tied to every node of the other side)"
        if "degree" in same and float(frame["degree"].iloc[0]) == 1.0
        else ""
    )
    return (
        f'<p class="muted">Not shown as a ranking: every one of these {len(frame)} {escape(what)} has the same '
        f"{escape(values)}{why}.</p>"
    )


def _fmt(value: float) -> str:
    return f"{value:.2e}" if 0 < value < 1e-3 else f"{value:.4f}"


def significance_html(counts: dict[str, Any], edges: pd.DataFrame | None, n: int = 10) -> str:
    """The section on the edge tests (empty when the run tested nothing)."""
    tests = counts.get("significance") or {}
    e = tests.get("edges")
    if not e:
        return ""
    units = "units" if e.get("n_units") is None else f"{e['n_units']:,} units"
    base = (
        "every unit of the posts, those naming nothing included"
        if e["baseline"] == "all-units"
        else "the units naming at least one country or forum"
    )
    lines = [
        f"<p>Test: {escape(_TEST_NAMES.get(e['test'], e['test']))} of whether a country and a forum are named "
        f"together {escape(_ALTERNATIVES.get(e['alternative'], e['alternative']))}, over N = {escape(units)} "
        f"({escape(base)}); Benjamini–Hochberg q-values over all {e['pairs_tested']:,} country × forum pairs that "
        f"could have been co-mentioned; significant when q &lt; {e['alpha']:g}.</p>",
        f"<p><strong>{e['edges_significant']:,} of {e['edges_tested']:,} edges are significant</strong>"
        + (
            f"; {e['unobserved_significant']:,} pairs never named together are too"
            if e["unobserved_significant"]
            else ""
        )
        + ".</p>",
    ]
    b = tests.get("backbone")
    if b:
        lines.append(
            "<p>Backbone (<code>--backbone</code>): the measures, communities, figures and explorer of this report "
            f"use only these {b['edges']:,} edges, joining {b['countries']:,} countries and {b['forums']:,} forums "
            f"({b['nodes_dropped']:,} nodes without a significant edge left out). "
            '<a href="edges.csv">edges.csv</a> keeps every edge with its test; <a href="nodes_full.csv">'
            "nodes_full.csv</a> has the measures of the whole graph.</p>"
        )
    for stem, name in (("projection_countries", "countries"), ("projection_forums", "forums")):
        p = tests.get(stem)
        if p:
            lines.append(
                f'<p class="muted">Projection onto {name} (<a href="{stem}.csv">{stem}.csv</a>): '
                f"{p['edges_significant']:,} of {p['edges_tested']:,} ties significant ({p['pairs_tested']:,} "
                "pairs tested).</p>"
            )
    if edges is not None and len(edges) and "significant" in edges.columns:
        top = edges[edges["significant"].fillna(False).astype(bool)]
        top = top.sort_values(["q_value", "weight", "country", "forum"], ascending=[True, False, True, True]).head(n)
        if len(top):
            head = "".join(
                f'<th class="{c}">{escape(t)}</th>'
                for c, t in (
                    ("", "country"),
                    ("", "forum"),
                    ("num", "weight"),
                    ("num", "expected"),
                    ("num", "assoc. strength"),
                    ("num", "q-value"),
                )
            )
            rows = "".join(
                "<tr>"
                f"<td>{escape(str(r.country))}</td><td>{escape(str(r.forum))}</td>"
                f'<td class="num">{int(r.weight)}</td><td class="num">{float(r.expected):.1f}</td>'
                f'<td class="num">{float(r.assoc_strength):.2f}</td><td class="num">{_fmt(float(r.q_value))}</td>'
                "</tr>"
                for r in top.itertuples()
            )
            lines.append(
                f"<h3>Strongest evidence</h3><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
            )
    return "".join(lines)


def window_backbone_note(counts: dict[str, Any]) -> str:
    """With ``--backbone``: how many time windows kept a significant edge, or ``""``.

    Each window is tested on its own units, so a short window has far less power than the whole
    corpus: on a channel of 60 posts a month most monthly backbones are empty, and the time
    figures and rank changes then show little. The note says so and what to do.

    Examples
    --------
    >>> note = window_backbone_note({"backbone_windows": {"windows": 24, "with_edges": 7, "median_units": 62}})
    >>> "7 of 24 windows have a significant edge (median 62 units a window)" in note, "--freq quarter" in note
    (True, True)
    >>> window_backbone_note({})
    ''
    """
    w = counts.get("backbone_windows")
    if not w or not w.get("windows"):
        return ""
    text = (
        "The time figures and changes use each window's own backbone (its edges significant in a test over "
        f"the window's own units): {w['with_edges']:,} of {w['windows']:,} windows have a significant edge "
        f"(median {w['median_units']:,} units a window)."
    )
    if w["with_edges"] < w["windows"]:
        text += (
            " A window without one shows no network. Longer windows (--freq quarter or year) give each test "
            "more units; a run without --backbone compares the windows' whole graphs."
        )
    return f'<p class="muted">{escape(text)}</p>'
