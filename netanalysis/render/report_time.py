"""The report page's numbers with their sizes and uncertainty: ranked tables in tiers, the time
windows and their sizes, and the significant changes with their intervals.

Each function returns an HTML fragment (escaped, no script) for :mod:`netanalysis.render.report_page`:

* :func:`central_tiers`: the "most central" table of one kind, ranked by a measure with the
  whole corpus's bootstrap rank intervals; nodes whose rank intervals overlap share a tier and
  are listed alphabetically within it, not in the order of their point values;
* :func:`windows_summary`: how many windows, how many posts they hold, a warning when the
  median window is smaller than ``--min-posts``, and the windows table;
* :func:`significant_changes_table`: the changes of the report's measure with ``q < alpha``,
  each with the node's value and interval before and after.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from html import escape
from typing import Any

import numpy as np
import pandas as pd

from netanalysis.analysis.over_time import significant_changes
from netanalysis.analysis.ranks import rank_tiers
from netanalysis.render.numbers import fixed, whole
from netanalysis.render.significance_section import constant_columns, constant_note

__all__ = ["central_tiers", "windows_summary", "significant_changes_table", "interval_text"]


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return whole(int(value))
    number = float(value)
    if math.isnan(number):
        return "–"
    if number == int(number) and (abs(number) >= 1 or number == 0):
        return whole(int(number))
    return f"{number:.{digits}g}" if abs(number) < 1e-3 else f"{number:.{digits}f}"


def _posts(n: float) -> str:
    return f"{whole(n) if n == int(n) else f'{n:g}'} post" + ("" if n == 1 else "s")


def interval_text(value: Any, low: Any, high: Any, digits: int = 3) -> str:
    """``0.231 [0.190, 0.274]`` (the value alone when there is no interval)."""
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return _fmt(value, digits)
    return f"{_fmt(value, digits)} [{_fmt(low, digits)}, {_fmt(high, digits)}]"


def _rank_text(low: Any, high: Any, rank: Any) -> str:
    if pd.isna(low) or pd.isna(high):
        return str(rank)
    return str(int(low)) if int(low) == int(high) else f"{int(low)}–{int(high)}"


def _html_table(header: list[str], rows: list[list[str]], numeric: set[int], classes: list[str] | None = None) -> str:
    head = "".join(f'<th class="{"num" if i in numeric else ""}">{escape(h)}</th>' for i, h in enumerate(header))
    body = []
    for r, row in enumerate(rows):
        cells = "".join(f'<td class="{"num" if i in numeric else ""}">{escape(c)}</td>' for i, c in enumerate(row))
        css = f' class="{classes[r]}"' if classes and classes[r] else ""
        body.append(f"<tr{css}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def central_tiers(
    nodes: pd.DataFrame, intervals: pd.DataFrame | None, kind: str, *, measure: str = "pagerank", n: int = 10
) -> str:
    """The ``n`` most central nodes of ``kind`` by ``measure``, in tiers of nodes that the
    bootstrap cannot tell apart (see the module notes); whole tiers are shown (at most ``2 n``
    rows, a cut tier says how many it leaves out)."""
    part = nodes[nodes["kind"] == kind]
    if part.empty:
        return f'<p class="muted">No {escape(kind)} found.</p>'
    labels = dict(zip(part["node"].astype(str), part["label"].astype(str)))
    extra = ["posts", "degree", "strength", "community"]
    if intervals is None or intervals.empty or intervals["rank_low"].isna().all():
        ranked = part.sort_values([measure, "node"], ascending=[False, True]).head(n)
        rows = [[labels[str(r["node"])], _fmt(r[measure])] + [_fmt(r[c]) for c in extra] for _, r in ranked.iterrows()]
        note = '<p class="muted">No bootstrap intervals (--bootstrap 0): the order is that of the point values.</p>'
        return _html_table(["node", measure] + extra, rows, set(range(1, 6))) + note
    own = intervals[(intervals["kind"] == kind) & (intervals["metric"] == measure)].copy()
    own = own.sort_values(["rank", "node"], kind="mergesort")
    own["tier"] = rank_tiers(own).to_numpy()
    share = intervals[(intervals["kind"] == kind) & (intervals["metric"] == "share")].set_index("node")
    info = part.set_index("node")
    listed = part.set_index("node").loc[[n for n in own["node"] if n in set(part["node"])]].reset_index()
    top = listed.head(2 * n)
    extra = [c for c in extra if c not in constant_columns(top, ["degree", "strength"])]
    shown, rows, classes = 0, [], []
    for tier, group in own.groupby("tier", sort=True):
        if shown >= n:
            break
        group = group.assign(_label=[labels.get(str(x), str(x)) for x in group["node"]])
        group = group.sort_values(["_label", "node"], kind="mergesort")
        room = max(2 * n - shown, 0)
        for i, (_, r) in enumerate(group.head(room).iterrows()):
            node = r["node"]
            s = share.loc[node] if node in share.index else None
            row = [
                str(tier),
                _rank_text(r["rank_low"], r["rank_high"], r["rank"]),
                labels.get(str(node), str(node)),
                interval_text(r["value"], r["ci_low"], r["ci_high"]),
                interval_text(s["value"], s["ci_low"], s["ci_high"]) if s is not None else "–",
            ] + [_fmt(info.loc[node, c]) if node in info.index else "–" for c in extra]
            rows.append(row)
            classes.append("tier" if i == 0 and tier > 1 else "")
        shown += len(group)
        if len(group) > room:
            rows.append(["", "", f"… and {len(group) - room} more in tier {tier}", "", ""] + [""] * len(extra))
            classes.append("")
    level = intervals.attrs.get("level", 0.95)
    header = ["tier", f"rank ({round(100 * level)}% interval)", "node", f"{measure} [interval]", "share [interval]"]
    what = "countries" if kind == "country" else "forums"
    note = constant_note(top, ["degree", "strength"], what)
    return _html_table(header + extra, rows, set(range(len(header) + len(extra))) - {2}, classes) + note


def windows_summary(windows: pd.DataFrame | None, min_posts: int, metric: str) -> str:
    """The windows' sizes: a sentence, a warning when the median window is small, the table."""
    if windows is None or windows.empty:
        return '<p class="muted">No time windows.</p>'
    posts = windows["posts"]
    small = int(windows["small"].sum())
    median = float(posts.median())
    if len(windows) == 1:
        under = f", fewer than {_posts(min_posts)} (<code>--min-posts</code>): it is marked small"
        text = f"<p>The one window holds {_posts(median)}{under if small else ''}.</p>"
    else:
        if small == 0:
            marked = f"none holds fewer than {_posts(min_posts)} (<code>--min-posts</code>).</p>"
        else:
            holds, are = ("holds", "is") if small == 1 else ("hold", "are")
            marked = (
                f"{whole(small)} of them {holds} fewer than {_posts(min_posts)} (<code>--min-posts</code>) "
                f"and {are} marked small: no trend should be read from them.</p>"
            )
        text = (
            f"<p>{whole(len(windows))} windows hold a median of {_posts(median)} (from "
            f"{whole(int(posts.min()))} to {whole(int(posts.max()))}); " + marked
        )
    if "partial" in windows and windows["partial"].any():
        text += _partial_note(windows[windows["partial"]])
    if median < min_posts:
        text = (
            f'<p class="warn"><strong>Most windows are small.</strong> The median window holds {_posts(median)}, '
            f"fewer than {min_posts}: values per window are dominated by which few posts fell in it, "
            f"and changes of {escape(metric)} between such windows are rarely significant. Choose longer "
            "windows (<code>--freq quarter</code>, <code>--freq year</code>, or rolling windows such as "
            "<code>--window 3M --step 1M</code>).</p>" + text
        )
    rows = [
        [
            pd.Timestamp(r["window_start"]).strftime("%Y-%m-%d"),
            whole(int(r["posts"])),
            whole(int(r["units"])),
            whole(int(r["countries"])),
            whole(int(r["forums"])),
            whole(int(r["edges"])),
            _fmt(r["edge_jaccard"], 2),
            _fmt(r["weighted_jaccard"], 2),
            ", ".join(flag for flag, on in (("small", r["small"]), ("partial", bool(r.get("partial", False)))) if on),
        ]
        for _, r in windows.iterrows()
    ]
    header = ["window", "posts", "units", "countries", "forums", "edges", "edge Jaccard", "weighted Jaccard", ""]
    table = _html_table(header, rows, set(range(1, 8)), ["small" if r[-1] else "" for r in rows])
    return (
        text + f"<details><summary>Every window (windows.csv; similarities to the previous window)</summary>"
        f"{table}</details>"
    )


def _partial_note(partial: pd.DataFrame) -> str:
    """What the report says of the windows the corpus covers only in part."""

    def days(value: Any) -> str:
        return whole(value) if float(value).is_integer() else fixed(value, 2)

    spans = [
        f"{pd.Timestamp(r['window_start']):%Y-%m-%d} to {pd.Timestamp(r['window_end']):%Y-%m-%d} "
        f"({days(r['days_covered'])} of its {days(r['days'])} days)"
        for _, r in partial.iterrows()
    ]
    which = "The window " + spans[0] + " is" if len(spans) == 1 else "The windows " + "; ".join(spans) + " are"
    return (
        f'<p class="warn"><strong>Partly covered.</strong> {escape(which)} only partly covered by the corpus '
        "(from the first dated post's day to the last one's): their counts of posts, units, edges and "
        "weights are those of fewer days, not a drop; compare shares, not counts, with them "
        "(windows.csv: <code>days_covered</code>, <code>partial</code>).</p>"
    )


def significant_changes_table(
    changes: pd.DataFrame | None,
    timeline: pd.DataFrame | None,
    labels: Mapping[str, str],
    *,
    metric: str,
    alpha: float,
    counts: Mapping[str, Any],
    n: int = 15,
) -> str:
    """The significant changes of ``metric`` (``q < alpha``) with the value and interval before and after."""
    tested = list(counts.get("tested_measures") or [])
    if changes is None or changes.empty or "q_value" not in changes.columns:
        return '<p class="muted">Not enough time windows to compare.</p>'
    if not counts.get("permutations") or metric not in tested:
        return (
            '<p class="muted">Changes were not tested (<code>--permutations 0</code>): without a test a change '
            "cannot be told from the noise of small windows, so none is listed.</p>"
        )
    found = significant_changes(changes, metric, alpha)
    tests = int(changes.loc[changes["metric"] == metric, "p_value"].notna().sum())
    pairs = changes.loc[changes["p_value"].notna(), "window_start"].nunique()
    basis = (
        f"{tests} tests of {escape(metric)} over {pairs} pairs of consecutive windows, "
        + (
            "exact permutation tests (every reassignment of the posts: Fisher's exact test)"
            if metric in (counts.get("exact_measures") or [])
            else f"R = {counts.get('permutations')} permutations each"
        )
        + ", Benjamini–Hochberg q-values"
    )
    if found.empty:
        return (
            f"<p>No change of {escape(metric)} between consecutive windows is significant at q &lt; {alpha:g} "
            f"({basis}): the largest changes are within what reassigning the posts between the two windows "
            "gives.</p>"
        )
    windows = sorted({pd.Timestamp(t) for t in changes["window_start"]})
    previous = {b: a for a, b in zip(windows, windows[1:])}
    lookup: dict = {}
    if timeline is not None and not timeline.empty:
        rows_t = timeline[timeline["metric"] == metric]
        for _, r in rows_t.iterrows():
            lookup[(pd.Timestamp(r["window_start"]), r["node"])] = r
    rows = []
    for _, r in found.head(n).iterrows():
        start = pd.Timestamp(r["window_start"])
        before = lookup.get((previous.get(start), r["node"]))
        before_text = (
            interval_text(before["value"], before["ci_low"], before["ci_high"]) if before is not None else "0 (absent)"
        )
        after_text = interval_text(r["value"], r["ci_low"], r["ci_high"]) if r["present"] else "0 (absent)"
        prev = previous.get(start)
        rows.append(
            [
                f"{prev.strftime('%Y-%m-%d') if prev is not None else '?'} → {start.strftime('%Y-%m-%d')}",
                labels.get(str(r["node"]), str(r["node"])),
                before_text,
                after_text,
                f"{r['value_change']:+.3f}",
                _fmt(r["p_value"], 3),
                _fmt(r["q_value"], 3),
            ]
        )
    more = f" (the first {n} of {len(found)})" if len(found) > n else ""
    header = ["windows", "node", "before [interval]", "after [interval]", "change", "p", "q"]
    return (
        f"<p>{len(found)} significant change(s) of {escape(metric)} at q &lt; {alpha:g}{more}; {basis}. "
        'Full list with every measure: <a href="changes.csv">changes.csv</a>.</p>'
        + _html_table(header, rows, {2, 3, 4, 5, 6})
    )
