"""The report's section on membership: the share of each forum's ties that are to non-members.

Built from ``membership_shares.csv`` (:func:`netanalysis.graph.membership.outsider_shares`):
one row per forum, one column per year and one for the whole period; a cell reads
``34% of 205``: of the forum's ties (posts naming the forum and a country) whose status is
known, the share in which the country was not a member (nor an observer, partner, candidate...)
on the post's date, and how many ties that is out of. Plain HTML, every value escaped.
"""

from __future__ import annotations

import math
from html import escape

import pandas as pd

__all__ = ["membership_section_html", "share_cell"]

#: Forums shown: those with at least this many ties of known status over the period.
MIN_TIES = 10


def share_cell(non_members: int, known: int) -> str:
    """``"34% of 205"``; ``"–"`` when no tie's status is known.

    >>> share_cell(71, 205), share_cell(0, 0)
    ('35% of 205', '–')
    """
    if known <= 0:
        return "–"
    return f"{100 * non_members / known:.0f}% of {known}"


def membership_section_html(shares: pd.DataFrame | None, *, min_ties: int = MIN_TIES) -> str:
    """The section's HTML (heading included) from the shares table, or a note when there is none."""
    head = "<h2>Ties to members and non-members</h2>"
    if shares is None or shares.empty:
        return head + '<p class="muted">No ties of covered forums.</p>'
    known = shares["ties"] - shares["unknown"]
    frame = shares.assign(known=known)
    overall = frame[frame["period"] == "all"].set_index("forum")
    shown = sorted(
        (f for f in overall.index if overall.loc[f, "known"] >= min_ties),
        key=lambda f: (-int(overall.loc[f, "ties"]), f),
    )
    years = sorted(p for p in frame["period"].unique() if p != "all")
    unknown_total = int(overall["unknown"].sum()) if len(overall) else 0
    intro = (
        "<p>Each tie (a post naming a country and a forum) is read against the membership registry on the "
        "post's date (UTC day). A cell gives the share of the forum's ties whose country was <em>not a "
        "member</em> on that day, of the ties whose status is known (observers, partners, dialogue partners, "
        "candidates and associates count as neither member nor non-member: see "
        '<a href="membership_shares.csv">membership_shares.csv</a>; every tie with its status: '
        f'<a href="ties.csv">ties.csv</a>). Forums with at least {min_ties} ties of known status; '
        f"{unknown_total} ties have no known status (undated posts, imprecise registry dates, forums the "
        "registry does not cover).</p>"
    )
    if not shown:
        return head + intro + '<p class="muted">No forum has enough ties of known status.</p>'
    cells = {(r.forum, r.period): share_cell(int(r.non_members), int(r.known)) for r in frame.itertuples()}
    header = "".join(f'<th class="num">{escape(str(y))}</th>' for y in [*years, "all"])
    rows = []
    for forum in shown:
        values = "".join(f'<td class="num">{escape(cells.get((forum, y), "–"))}</td>' for y in [*years, "all"])
        rows.append(f"<tr><th>{escape(str(forum))}</th>{values}</tr>")
    table = f"<table><thead><tr><th>forum</th>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    return head + intro + table + _largest_note(overall.loc[shown])


def _largest_note(overall: pd.DataFrame) -> str:
    """One sentence naming the forum whose ties go most to non-members."""
    share = overall["non_members"] / overall["known"]
    share = share[share.notna()]
    if share.empty or not math.isfinite(float(share.max())):
        return ""
    top = str(share.sort_values(ascending=False, kind="mergesort").index[0])
    row = overall.loc[top]
    return (
        f'<p class="muted">Highest share of ties to non-members over the period: {escape(top)} '
        f"({share_cell(int(row['non_members']), int(row['known']))}).</p>"
    )
