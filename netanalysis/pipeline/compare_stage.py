"""The ``compare`` command's stages: group the posts, compare the groups, draw, write the page.

How posts are grouped (``Settings.by`` and ``Settings.vs``):

``channel`` (the default)
    the channel that published the post (:mod:`netanalysis.ingest.channels`);
``forwarded_from``
    where a forward comes from; the channel's own posts form the group ``(own posts)``;
``input``
    the INPUT argument (a file, folder or pattern) the post was read from;
any other name
    a column of the input tables (``--by language``); posts without a value form ``(none)``;
``--vs INPUT``
    two groups: the posts of the INPUT arguments and those of the ``--vs`` inputs, named after
    the inputs (a single file or folder gives its name) or by ``--names A,B``.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import numpy as np

from netanalysis.errors import ConfigError, InputError
from netanalysis.pipeline.state import RunResult, RunState, Staging

__all__ = [
    "BUILT_IN",
    "OWN_POSTS",
    "NO_VALUE",
    "group_column",
    "kept_columns",
    "post_groups",
    "slug",
    "stage_compare",
    "stage_compare_figures",
    "stage_compare_page",
]

log = logging.getLogger(__name__)

#: Groupings that are not a table's column.
BUILT_IN = ("channel", "forwarded_from", "input")
#: The group of a channel's own posts with ``--by forwarded_from``.
OWN_POSTS = "(own posts)"
#: The group of posts without a value in the ``--by`` column.
NO_VALUE = "(none)"


def group_column(settings) -> str | None:
    """The table column the readers keep for ``--by`` (``None`` for a built-in grouping)."""
    return None if settings.vs or settings.by in BUILT_IN else settings.by


def kept_columns(settings) -> tuple[str, ...]:
    """The post fields the corpus batch must keep to group the posts."""
    if settings.vs or settings.by in ("channel", "input"):
        return ()
    return ("forwarded_from",) if settings.by == "forwarded_from" else ("group",)


def slug(name: str, taken: set[str]) -> str:
    """A folder name for a group: lower case, runs of other characters as ``-``, unique.

    >>> slug("MFA Russia", set()), slug("МИД России", set()), slug("???", {"group"})
    ('mfa-russia', 'мид-россии', 'group-2')
    """
    base = re.sub(r"[^\w]+", "-", name.casefold()).strip("-_") or "group"
    out, n = base, 1
    while out in taken:
        n += 1
        out = f"{base}-{n}"
    taken.add(out)
    return out


def _file_groups(result: RunResult, owner: dict[Path, str]) -> np.ndarray:
    """The group of every post from the file it was read from (posts come in file order)."""
    labels: list[np.ndarray] = []
    for f in result.stats.files:
        labels.append(np.full(f.read, owner[Path(f.path)], dtype=object))
    return np.concatenate(labels) if labels else np.zeros(0, dtype=object)


def _argument_name(arg: str) -> str:
    path = Path(arg.rstrip("/"))
    return path.name or arg


def post_groups(state: RunState, result: RunResult) -> tuple[np.ndarray, list[str]]:
    """The group of every post of the corpus, and the groups to list first."""
    from netanalysis.ingest import expand_inputs

    s = state.settings
    corpus = state.corpus
    assert corpus is not None
    if s.vs or s.by == "input":
        arguments = list(result.arguments)
        if s.vs:
            given = arguments[: len(arguments) - len(s.vs)]
            a_files, b_files = expand_inputs(tuple(given)), expand_inputs(tuple(s.vs))
            both = sorted(set(a_files) & set(b_files))
            if both:
                raise InputError(both[0], "is among the inputs and the --vs inputs: a post can be in one group only")
            names = list(s.names) or _default_names(given, list(s.vs))
            owner = {f: names[0] for f in a_files} | {f: names[1] for f in b_files}
            first = names
        else:
            owner, first = {}, []
            for arg in arguments:
                name = _argument_name(arg)
                for f in expand_inputs(arg):
                    owner.setdefault(f, name)
                first.append(name)
        labels = _file_groups(result, owner)
    elif s.by == "channel":
        labels = np.asarray(corpus.columns["channel"].to_pylist(), dtype=object)
        first = []
    else:
        name = "forwarded_from" if s.by == "forwarded_from" else "group"
        values = corpus.columns[name].to_pylist()
        if name == "group" and all(v is None for v in values):
            raise ConfigError(f"--by {s.by}: no input has a column {s.by!r} with values (only tables have columns)")
        fill = OWN_POSTS if name == "forwarded_from" else NO_VALUE
        labels = np.asarray([fill if v is None else v for v in values], dtype=object)
        first = []
    if len(labels) != len(corpus):
        raise ConfigError(f"{len(labels)} group labels for {len(corpus)} posts")
    return labels, first


def _default_names(given: list[str], vs: list[str]) -> list[str]:
    names = [_argument_name(given[0]) if len(given) == 1 else "A", _argument_name(vs[0]) if len(vs) == 1 else "B"]
    return names if names[0] != names[1] else ["A", "B"]


def stage_compare(state: RunState, result: RunResult, staging: Staging) -> None:
    """Compare the groups and write ``compare_*.csv`` and each group's ``groups/<name>/``."""
    import pandas as pd

    from netanalysis.analysis.compare import compare_groups
    from netanalysis.io.csv import write_csv, write_edges_csv

    s = state.settings
    if int(s.permutations) < 1:  # 0 turns the timeline's tests off; compare's overall test needs them
        raise ConfigError(f"permutations must be at least 1 for compare, not {s.permutations!r}")
    pooled = state.full_graph if state.full_graph is not None else state.graph  # every edge, with --backbone too
    assert state.corpus is not None and pooled is not None and state.registry is not None
    labels, first = post_groups(state, result)
    comparison = compare_groups(
        state.corpus,
        labels,
        pooled,
        order=first,
        unit=s.unit,
        min_weight=s.min_weight,
        exclude=s.exclusion,
        node_labels=state.registry.label,
        memberships=state.memberships,
        measure=s.metric,
        alpha=s.alpha,
        n_permutations=s.permutations,
        seed=s.seed,
        baseline=s.baseline,
        edge_test={"test": s.test, "alpha": s.alpha, "alternative": s.alternative},
    )
    state.comparison = comparison
    write_csv(comparison.summary, staging.path("compare_groups.csv"))
    write_csv(comparison.edges, staging.path("compare_edges.csv"))
    write_csv(comparison.nodes, staging.path("compare_nodes.csv"))
    write_csv(comparison.agreement, staging.path("compare_agreement.csv"))
    write_csv(comparison.tests, staging.path("compare_tests.csv"))
    ids = state.corpus.post_ids.to_pylist()
    write_csv(pd.DataFrame({"post_id": ids, "group": labels}), staging.path("compare_posts.csv"))
    taken: set[str] = set()
    folders = {}
    for group in comparison.groups:
        folder = folders[group] = slug(group, taken)
        net = comparison.networks[group]
        write_edges_csv(net.graph, staging.path(f"groups/{folder}/edges.csv"))
        write_csv(net.nodes, staging.path(f"groups/{folder}/nodes.csv"))
    edges = comparison.edges
    result.counts["compare"] = {
        "by": "vs" if s.vs else s.by,
        "groups": {g: int(n) for g, n in zip(comparison.summary["group"], comparison.summary["posts"])},
        "folders": folders,
        "contrasts": [f"{a} vs {b}" for a, b in comparison.contrasts],
        "edge_tests": int(len(edges)),
        "significant_edges": int(edges["significant"].sum()),
        "node_tests": int(len(comparison.nodes)),
        "significant_nodes": int(comparison.nodes["significant"].sum()),
        "permutations": int(s.permutations),
    }


def stage_compare_figures(state: RunState, result: RunResult, staging: Staging) -> None:
    """The side-by-side networks, the difference network and the log-odds plot."""
    from netanalysis.render import compare_plot
    from netanalysis.render.save import save_figure

    s = state.settings
    comparison = state.comparison
    assert comparison is not None
    size, font = s.fig_size, s.font_size
    made = {
        "compare_networks": lambda: compare_plot.plot_group_networks(
            comparison, seed=s.seed, size=size, font_size=font
        ),
        "compare_difference": lambda: compare_plot.plot_difference_network(
            comparison, seed=s.seed, size=size, font_size=font
        ),
        "compare_log_odds": lambda: compare_plot.plot_log_odds(
            comparison, top=min(s.top, 6), size=size, font_size=font
        ),
    }
    for stem, build in made.items():
        figure = build()
        for fmt in s.formats:
            save_figure(figure, staging.path(f"figures/{stem}.{fmt}").with_suffix(""), formats=(fmt,))
        state.figures.append(stem)
    result.counts["figures"] = len(state.figures)


def stage_compare_page(state: RunState, result: RunResult, staging: Staging) -> None:
    """``report.html``: the comparison's page."""
    from netanalysis import __version__
    from netanalysis.io.atomic import atomic_write
    from netanalysis.render.compare_page import ComparePage, compare_html

    assert state.comparison is not None
    listed = sorted(set(staging.files) | {"report.html", "manifest.json"})
    page = ComparePage(
        version=__version__,
        inputs=[str(p) for p in result.inputs],
        settings=state.settings,
        stats=result.stats,
        counts=result.counts,
        comparison=state.comparison,
        figures=list(state.figures),
        outsiders=state.outsiders,
    )
    with atomic_write(staging.path("report.html"), "w", encoding="utf-8") as fh:
        fh.write(compare_html(page, files=listed))
