"""``report.html``: one page that summarises a run and links every file it wrote.

Plain HTML with inline CSS: no script, no web font, no request to any server. Every value taken
from the data (channel names, labels) is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

import pandas as pd

from netanalysis.config import Settings
from netanalysis.model import IngestStats
from netanalysis.render.captions import figure_caption
from netanalysis.render.membership_section import membership_section_html
from netanalysis.render.methods import methods_paragraphs, references
from netanalysis.render.numbers import fixed, whole
from netanalysis.render.report_time import central_tiers, significant_changes_table, windows_summary
from netanalysis.render.significance_section import (
    constant_columns,
    constant_note,
    significance_html,
    window_backbone_note,
)

__all__ = ["ReportContent", "report_html"]


@dataclass(frozen=True)
class ReportContent:
    """What the page shows of a run.

    ``counts`` are the run's counts as the manifest holds them (``channels``, ``first_date``,
    ``mentions``, ``nodes``, ``edges``, ``windows``, ...); ``nodes`` is the centrality table,
    ``changes`` the changes table (or ``None``), ``figures`` the stems of the figures drawn;
    ``windows``, ``timeline`` and ``node_intervals`` are ``windows.csv``, ``timeline.csv`` and
    ``node_intervals.csv`` when the run had time windows.
    """

    version: str
    command: str
    inputs: Sequence[str]
    settings: Settings
    stats: IngestStats
    counts: dict[str, Any]
    nodes: pd.DataFrame
    posts: int
    changes: pd.DataFrame | None = None
    figures: Sequence[str] = field(default_factory=tuple)
    outsiders: pd.DataFrame | None = None  # membership_shares.csv
    edges: pd.DataFrame | None = None  # edges.csv without post ids (the tests)
    windows: pd.DataFrame | None = None
    timeline: pd.DataFrame | None = None
    node_intervals: pd.DataFrame | None = None


_CSS = """
body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;max-width:62rem;margin:2rem auto;padding:0 1rem;
color:#222;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.88rem;margin:.5rem 0}
th,td{border-bottom:1px solid #e4e4e4;padding:.25rem .6rem;text-align:left}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1rem 0}figure img{max-width:100%;border:1px solid #eee}
figcaption{font-size:.85rem;color:#555}
.muted{color:#666;font-size:.9rem}.grid{display:grid;grid-template-columns:1fr;gap:.5rem}
code{background:#f4f4f4;padding:0 .2rem}
.warn{background:#fff4e0;border-left:4px solid #e69f00;padding:.4rem .7rem}
tr.small td{color:#888}tr.tier td{border-top:2px solid #bbb}
"""


def _table(frame: pd.DataFrame, columns: list[str], numeric: Iterable[str] = ()) -> str:
    numeric = set(numeric)
    head = "".join(f'<th class="{"num" if c in numeric else ""}">{escape(c)}</th>' for c in columns)
    counts = {c for c in numeric if _all_whole(frame[c])}  # (a strength of 2231373.0 is a count)
    rows = []
    for _, row in frame.iterrows():
        cells = []
        for c in columns:
            v = row[c]
            if isinstance(v, float):
                text = whole(v) if c in counts else f"{v:.4f}"
            else:
                text = "" if pd.isna(v) else whole(v)
            cells.append(f'<td class="{"num" if c in numeric else ""}">{escape(text)}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _all_whole(values: pd.Series) -> bool:
    """Whether a column holds whole numbers only (floats among them), none missing."""
    numbers = pd.to_numeric(values, errors="coerce")
    return bool(len(numbers)) and bool(numbers.notna().all()) and bool((numbers % 1 == 0).all())


def _top_nodes(nodes: pd.DataFrame, kind: str, n: int = 10) -> str:
    if nodes is None or nodes.empty:
        return '<p class="muted">No nodes.</p>'
    part = nodes[nodes["kind"] == kind].sort_values(["pagerank", "node"], ascending=[False, True]).head(n)
    if part.empty:
        return f'<p class="muted">No {kind} found.</p>'
    cols = ["label", "posts", "degree", "strength", "betweenness", "pagerank", "community"]
    measures = ["degree", "strength", "betweenness", "pagerank"]
    shown = [c for c in cols if c not in constant_columns(part, measures)]
    what = "countries" if kind == "country" else "forums"
    return _table(part, shown, numeric=shown[1:]) + constant_note(part, measures, what)


def _biggest_changes(changes: pd.DataFrame | None, metric: str, n: int = 10) -> str:
    if changes is None or changes.empty or "rank_change" not in changes.columns:
        return '<p class="muted">Not enough time windows to compare.</p>'
    frame = changes
    if "metric" in frame.columns:
        frame = frame[frame["metric"] == metric]
    frame = frame.dropna(subset=["rank_change"])
    if frame.empty:
        return '<p class="muted">Not enough time windows to compare.</p>'
    frame = (
        frame.assign(_abs=frame["rank_change"].abs())
        .sort_values(["_abs", "window_start", "node"], ascending=[False, True, True])
        .head(n)
    )
    frame = frame.assign(window=frame["window_start"].astype(str).str[:10])
    cols = [
        c
        for c in [
            "window",
            "node",
            "kind",
            "value",
            "value_change",
            "rank",
            "rank_change",
            "edges_gained",
            "edges_lost",
        ]
        if c in frame.columns
    ]
    return _table(frame, cols, numeric=[c for c in cols if c not in ("window", "node", "kind")])


def _figures_note(settings: Settings) -> str:
    if not settings.backbone:
        return ""
    return '<p class="muted">The networks show the backbone: the significant edges only.</p>'


def _backbone_note(counts: dict[str, Any]) -> str:
    b = counts.get("significance", {}).get("backbone")
    if not b:
        return ""
    return (
        f" (backbone: {whole(b['edges'])} significant edges, {whole(b['countries'])} countries, "
        f"{whole(b['forums'])} forums)"
    )


def report_html(run: ReportContent, *, files: list[str]) -> str:
    """The whole page as a string."""
    s = run.settings
    c = run.counts
    stats = run.stats
    channels = ", ".join(c.get("channels", [])) or "—"
    summary = [
        ("Inputs", ", ".join(str(p) for p in run.inputs)),
        ("Posts read", whole(stats.read)),
        ("Records skipped", whole(stats.skipped)),
        ("Undated posts", whole(stats.undated)),
        ("Dates", f"{c.get('first_date') or '—'} to {c.get('last_date') or '—'}"),
        ("Date sources", ", ".join(f"{k}: {whole(v)}" for k, v in c.get("date_sources", {}).items())),
        ("Channels", channels),
        ("Mentions", ", ".join(f"{k}: {whole(v)}" for k, v in c.get("mentions", {}).items())),
        (
            "Network",
            f"{whole(c.get('nodes', {}).get('country', 0))} countries, "
            f"{whole(c.get('nodes', {}).get('forum', 0))} forums, {whole(c.get('edges', 0))} edges" + _backbone_note(c),
        ),
        ("Time windows", whole(c.get("windows", 0))),
    ]
    found = c.get("communities") or {}
    if found:
        summary.append(
            (
                "Communities",
                f"{found.get('count')} (consensus of {found.get('runs')} Louvain runs; modularity Q = "
                f"{fixed(found.get('modularity'))}, stability {fixed(found.get('stability'))})",
            )
        )
    summary_html = (
        "<table>" + "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in summary) + "</table>"
    )
    figure_html = []
    for stem in run.figures:
        fmt = next((f for f in ("png", "svg") if f in s.formats), None)
        links = " · ".join(f'<a href="figures/{stem}.{f}">{f.upper()}</a>' for f in s.formats)
        img = f'<img src="figures/{stem}.{fmt}" alt="{escape(stem)}">' if fmt else ""
        figure_html.append(
            f"<figure>{img}<figcaption>{escape(figure_caption(stem, s))} ({links})</figcaption></figure>"
        )
    file_items = "".join(f'<li><a href="{escape(f)}">{escape(f)}</a></li>' for f in files)
    central, time_html, changes_html = _time_sections(run)
    figures_html = "".join(figure_html) or '<p class="muted">No figures.</p>'
    paragraphs = methods_paragraphs(s, c)
    methods = "".join(f"<h3>{escape(p.title)}</h3><p>{escape(p.text)}</p>" for p in paragraphs)
    refs = "".join(f"<li>{escape(r)}</li>" for r in references(paragraphs))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>netanalysis report</title><style>{_CSS}</style></head>
<body>
<h1>Country–forum co-mention network</h1>
<p class="muted">{whole(run.posts)} posts · netanalysis {escape(run.version)}
run with <code>{escape(run.command)}</code>; parameters and input checksums in
<a href="manifest.json">manifest.json</a>.</p>
<h2>Corpus</h2>{summary_html}
<h2>Most central{" (on the backbone of significant edges)" if s.backbone else ""}</h2>{central}
<p class="muted">All measures for every node: <a href="nodes.csv">nodes.csv</a>; every edge with the posts
behind it: <a href="edges.csv">edges.csv</a>; explore interactively: <a href="network.html">network.html</a>.</p>
<h2>Which ties are more frequent than chance</h2>{significance_html(c, run.edges) or '<p class="muted">No test.</p>'}
{time_html}
<h2>Figures</h2>{_figures_note(s)}{window_backbone_note(c)}{figures_html}
{changes_html}
{membership_section_html(run.outsiders) if run.outsiders is not None else ""}
<h2>Files</h2><ul>{file_items}</ul>
<h2>Methods</h2>{methods}
<h3>References</h3><ol>{refs}</ol>
</body></html>
"""


def _time_sections(run: ReportContent) -> tuple[str, str, str]:
    """The "most central" tables, the time windows and the significant changes (HTML)."""
    s, intervals = run.settings, run.node_intervals
    redefined = "pagerank" in (run.counts.get("time") or {}).get("without_intervals", [])
    if intervals is not None and not redefined:
        note = (
            '<p class="muted">Ranked by PageRank over the whole corpus. Nodes whose bootstrap rank intervals '
            "overlap share a tier and are listed alphabetically: they cannot be told apart by rank. Every "
            'measure with its interval: <a href="node_intervals.csv">node_intervals.csv</a>.</p>'
        )
        central = (
            f"<h3>Countries</h3>{central_tiers(run.nodes, intervals, 'country')}"
            f"<h3>Forums</h3>{central_tiers(run.nodes, intervals, 'forum')}{note}"
        )
    else:
        central = (
            f'<div class="grid"><div><h3>Countries</h3>{_top_nodes(run.nodes, "country")}</div>'
            f"<div><h3>Forums</h3>{_top_nodes(run.nodes, 'forum')}</div></div>"
        )
        if redefined:
            central += (
                '<p class="muted">No rank intervals: the measures are those of the backbone, which a resample '
                "of the posts cannot reproduce without testing every edge again.</p>"
            )
    if run.windows is None:
        return (
            central,
            "",
            f"<h2>Biggest changes over time ({escape(s.metric)} rank)</h2>" + _biggest_changes(run.changes, s.metric),
        )
    time_html = "<h2>Time windows</h2>" + windows_summary(run.windows, s.min_posts, s.metric)
    labels = dict(zip(run.nodes["node"].astype(str), run.nodes["label"].astype(str)))
    changes_html = f"<h2>Significant changes over time ({escape(s.metric)})</h2>" + significant_changes_table(
        run.changes, run.timeline, labels, metric=s.metric, alpha=s.alpha, counts=run.counts.get("time") or {}
    )
    return central, time_html, changes_html
