"""The command line: a thin click layer over the library (click is imported only here).

Each command parses its options, merges them over the study file (``--config``) and the
defaults, calls :func:`netanalysis.pipeline.run`, and prints a short summary to stderr.
"""

from __future__ import annotations

import gc
import logging
import sys
from pathlib import Path

import click
from click.core import ParameterSource

from netanalysis import __version__
from netanalysis.config import FIGURE_FORMATS, Settings
from netanalysis.errors import ConfigError
from netanalysis.model import ALTERNATIVES, BASELINES, TESTS, UNITS
from netanalysis.pipeline.failures import fail_cleanly, show_tracebacks, stop_on_signals
from netanalysis.pipeline.state import Command, Stage

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
#: Libraries whose log records are shown from WARNING up, whatever -v asks.
QUIET_LIBRARIES = ("fontTools", "matplotlib", "PIL")


#: Every failure of a command as one ``Error:`` line and exit code 1 (a bad option value or
#: setting: a usage error, exit code 2); the traceback only with ``-v``.
_fail_cleanly = fail_cleanly(
    click.ClickException, click.UsageError, (click.ClickException, click.exceptions.Exit, click.Abort)
)


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", prog_name="netanalysis")
@click.option("-v", "--verbose", count=True, help="More messages (-vv for debugging).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors: no summary, no progress bars.")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """Country-forum co-mention networks from diplomatic channels' posts.

    Give it posts (copied channel text, Telegram exports, Telethon dumps, tables); get the
    mentions, the bipartite country-forum network, centralities over time, figures, an
    offline interactive explorer and a report page.

    \b
    Example:
        netanalysis report examples/mfa_channel_sample.txt -o outputs/demo
    """
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s: %(message)s", stream=sys.stderr, force=True)
    # -v and -vv are about this run: the libraries drawing the figures say only what went wrong
    # (at -v, fontTools alone wrote some 60 lines per PDF figure on subsetting its fonts)
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
    ctx.ensure_object(dict)
    ctx.obj["quiet"] = quiet
    show_tracebacks(verbose > 0)


def _stack(*decorators):
    def apply(func):
        for decorator in reversed(decorators):
            func = decorator(func)
        return func

    return apply


input_options = _stack(
    click.argument("inputs", nargs=-1, required=True, metavar="INPUT..."),
    click.option(
        "-o",
        "--output",
        "out_dir",
        required=True,
        type=click.Path(file_okay=False, path_type=Path),
        help="Folder to write into (created if missing).",
    ),
    click.option(
        "--config",
        "config_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Study file (TOML) holding any option; the command line overrides it.",
    ),
    click.option(
        "--format",
        "format_",
        metavar="FORMATS",
        help="Input format (auto, text, telegram_json, telegram_html, telethon, json, jsonl, "
        "table, csv, tsv, parquet) "
        "and/or figure formats (png,svg,pdf), comma-separated.  [default: auto]",
    ),
    click.option("--encoding", help="Text encoding of the inputs, e.g. cp1251.  [default: utf-8]"),
    click.option("--strict", is_flag=True, default=None, help="Stop at the first malformed record."),
    click.option("--dedupe", is_flag=True, default=None, help="Count a post forwarded or exported twice once."),
    click.option(
        "--channel", help="Channel that published posts whose input does not name one (copied text: all its posts)."
    ),
    click.option(
        "--count-forwards/--no-count-forwards",
        default=None,
        help="Count a forwarded post as a post of the channel that forwarded it, or leave forwards out "
        "(each channel with its own posts only).  [default: count them]",
    ),
    click.option("--tz", help="Time zone of export times written without offset, e.g. Europe/Moscow."),
    click.option("--text-col", help="Column holding the post text (tables)."),
    click.option("--date-col", help="Column holding the date (tables)."),
    click.option("--id-col", help="Column holding the message id (tables)."),
    click.option("--channel-col", help="Column holding the channel (tables)."),
    click.option(
        "--countries",
        metavar="SOURCES",
        help="Where countries come from: flags,hashtags,pair_hashtags,names.  [default: all]",
    ),
    click.option(
        "--forms",
        metavar="FORMS",
        help="Forms of mention that count: default (all but metonymy), all, or a list of name,acronym,"
        "adjective,demonym,metonymy,flag,hashtag,pair_hashtag.  [default: default]",
    ),
    click.option(
        "--exclude",
        multiple=True,
        metavar="ID",
        help="Leave out an entity, e.g. the channel's own country: --exclude RU (repeatable).",
    ),
    click.option(
        "--registry",
        multiple=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="A CSV adding or overriding registry aliases (repeatable).",
    ),
    click.option("--seed", type=int, help="Seed for layouts, communities, the bootstrap and the tests.  [default: 0]"),
    click.option("--jobs", type=int, help="Worker processes for extraction (0 = one per core).  [default: 0]"),
    click.option(
        "--engine",
        type=click.Choice(["processes", "dask"]),
        help="Run extraction on local processes or on a Dask cluster "
        "(pip install 'netanalysis[dask]').  [default: processes]",
    ),
    click.option(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler, e.g. tcp://10.0.0.5:8786 (with --engine dask; "
        "default: a local cluster of --jobs workers).",
    ),
    click.option(
        "--cache/--no-cache",
        default=None,
        help="Reuse the posts and mentions extracted before from the same inputs, registry "
        "and options (in --cache-dir).  [default: off]",
    ),
    click.option(
        "--cache-dir",
        type=click.Path(file_okay=False),
        help="Folder of the cache (--cache).  [default: $NETANALYSIS_CACHE_DIR, else the user's "
        "cache folder: $XDG_CACHE_HOME/netanalysis or ~/.cache/netanalysis]",
    ),
    click.option(
        "--worker-timeout",
        type=float,
        metavar="SECONDS",
        help="Stop the run when a worker gives no result for this long on one chunk of posts "
        "(0: no limit).  [default: 600]",
    ),
    click.option(
        "--safe-csv/--no-safe-csv",
        default=None,
        help="Write a ' before CSV text cells that start with = + - @ (a spreadsheet would run "
        "them as formulas).  [default: on]",
    ),
)

graph_options = _stack(
    click.option("--unit", type=click.Choice(UNITS), help="What counts as co-mention.  [default: post]"),
    click.option("--min-weight", type=int, help="Drop edges lighter than this.  [default: 1]"),
    click.option(
        "--baseline",
        type=click.Choice(BASELINES),
        help="What N counts: every unit of the posts, or only those naming a country or forum.  [default: all-units]",
    ),
    click.option(
        "--test",
        type=click.Choice(TESTS),
        help="Null model of the edge tests: hypergeometric, or the stochastic degree sequence model.  "
        "[default: hypergeom]",
    ),
    click.option(
        "--alpha",
        type=float,
        help="False discovery rate: an edge (and a change between time windows) is significant when its "
        "q-value is below.  [default: 0.05]",
    ),
    click.option(
        "--alternative",
        type=click.Choice(ALTERNATIVES),
        help="Test ties for being stronger than chance, weaker, or either.  [default: greater]",
    ),
    click.option(
        "--backbone",
        is_flag=True,
        default=None,
        help="Measures, communities, figures and the explorer use only the significant edges.",
    ),
    click.option(
        "--path-weights",
        is_flag=True,
        default=None,
        help="Betweenness and closeness over paths of length 1/weight instead of hops.",
    ),
)

window_options = _stack(
    click.option(
        "--freq", type=click.Choice(["week", "month", "quarter", "year"]), help="Window length.  [default: month]"
    ),
    click.option("--window", help="Rolling window length, e.g. 3M (with --step)."),
    click.option("--step", help="Rolling window step, e.g. 1M (with --window)."),
    click.option("--cumulative", is_flag=True, default=None, help="Windows grow from the first one."),
    click.option(
        "--metric",
        help="Measure shown in the time figures and the report's changes (share, posts, degree, strength, "
        "betweenness, eigenvector, pagerank, pagerank_scaled).  [default: share]",
    ),
    click.option("--min-posts", type=int, help="Windows with fewer posts are marked small.  [default: 20]"),
    click.option(
        "--bootstrap",
        type=int,
        metavar="B",
        help="Bootstrap replicates for the intervals of every measure and rank (0: none).  [default: 200]",
    ),
    click.option(
        "--permutations",
        type=int,
        metavar="R",
        help="Permutations of each test of change between windows (0: no tests).  [default: 999]",
    ),
)

figure_options = _stack(
    click.option(
        "--size",
        "fig_size",
        help="Figure width: single (3.5 in), double (7.2 in) or WxH in inches, e.g. 6x4.  [default: double]",
    ),
    click.option("--font-size", type=float, help="Base font size in points.  [default: 8]"),
    click.option("--top", type=int, help="How many top nodes the time figures show.  [default: 10]"),
    click.option(
        "--heatmap-value",
        type=click.Choice(["weight", "assoc_strength"]),
        help="What the heatmap shows: co-mention posts or association strength (both on a log scale).  "
        "[default: weight]",
    ),
)

explorer_options = _stack(
    click.option("--title", help="Title of the interactive explorer (network.html).  [default: the inputs' names]"),
)


compare_options = _stack(
    click.option(
        "--by",
        help="Group the posts by: channel, forwarded_from, input (each INPUT given), or a column of "
        "the input tables.  [default: channel]",
    ),
    click.option(
        "--vs",
        multiple=True,
        metavar="INPUT",
        help="Compare the INPUTs with these inputs (repeatable): two groups, instead of --by.",
    ),
    click.option("--names", metavar="A,B", help="Names of the two groups with --vs.  [default: the inputs' names]"),
    click.option("--permutations", type=int, help="Permutations of each permutation test.  [default: 999]"),
    click.option(
        "--metric",
        help="Node measure that ranks countries and forums (share, posts, degree, strength, betweenness, "
        "closeness, eigenvector, pagerank, pagerank_scaled).  [default: share]",
    ),
)


def _settings(ctx: click.Context, params: dict) -> Settings:
    """Defaults < config file < options given on the command line."""
    from netanalysis.config import load_config, merge_settings

    cli_values = {}
    for name, value in params.items():
        source = ctx.get_parameter_source(name)
        if source in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT) and value not in (None, ()):
            cli_values[name] = value
    config_file = cli_values.pop("config_file", None)
    cli_values.pop("inputs", None)
    cli_values.pop("out_dir", None)
    if "format_" in cli_values:
        parts = [p.strip() for p in cli_values.pop("format_").split(",") if p.strip()]
        figures = [p for p in parts if p in FIGURE_FORMATS]
        inputs = [p for p in parts if p not in FIGURE_FORMATS]
        if len(inputs) > 1:
            raise ConfigError(f"--format: give one input format, not {','.join(inputs)}")
        if inputs:
            cli_values["format"] = inputs[0]
        if figures:
            cli_values["formats"] = figures
    for name in ("exclude", "registry"):
        if name in cli_values:
            cli_values[name] = tuple(v for item in cli_values[name] for v in str(item).split(",") if v)
    if "names" in cli_values:
        cli_values["names"] = tuple(n.strip() for n in cli_values["names"].split(",") if n.strip())
    if "countries" in cli_values:
        cli_values["countries"] = tuple(c.strip() for c in cli_values["countries"].split(",") if c.strip())
    cli_values["progress"] = not ctx.obj.get("quiet") and sys.stderr.isatty()
    file_values = load_config(config_file) if config_file else {}
    return merge_settings(file_values, cli_values)


def _run(ctx: click.Context, command: Command, params: dict) -> None:
    from netanalysis.pipeline import run

    if ctx.obj.get("system_allocator"):
        from netanalysis.memory import allow_mapped_blocks, use_system_allocator

        use_system_allocator()
        allow_mapped_blocks()
    settings = _settings(ctx, params)
    progress = None
    bar = None
    if settings.progress:
        from tqdm import tqdm

        stages = command.stages
        bar = tqdm(total=len(stages), desc=command.value, unit="stage", file=sys.stderr, leave=False)

        def progress(stage: Stage) -> None:
            bar.set_postfix_str(stage.value)
            if bar.n < bar.total and stage != stages[0]:
                bar.update(1)

        posts_bar = tqdm(desc="posts", unit=" posts", unit_scale=True, file=sys.stderr, leave=False)
        on_posts = posts_bar.update
    else:
        posts_bar = on_posts = None
    try:
        with stop_on_signals():
            result = run(
                command, list(params["inputs"]), params["out_dir"], settings, progress=progress, on_posts=on_posts
            )
    finally:
        for b in (posts_bar, bar):
            if b is not None:
                b.close()
    if not ctx.obj.get("quiet"):
        for line in result.summary_lines():
            click.echo(line, err=True)


@cli.command()
@input_options
@click.pass_context
@_fail_cleanly
def parse(ctx, **params):
    """Read posts and find their mentions: posts.csv, mentions.csv, manifest.json.

    \b
    Example:
        netanalysis parse examples/mfa_channel_sample.txt -o outputs/parsed
    """
    _run(ctx, Command.PARSE, params)


@cli.command()
@input_options
@graph_options
@click.pass_context
@_fail_cleanly
def graph(ctx, **params):
    """Build the network and test its edges: + edges.csv, nodes.csv, GEXF, GraphML.

    Also projection_countries.csv, projection_forums.csv (+ .gexf) and projection_nodes.csv;
    every edge and tie carries its test (expected, p_value, q_value, significant).

    \b
    Example:
        netanalysis graph examples/mfa_channel_sample.txt -o outputs/graph --exclude RU
        netanalysis graph posts.jsonl -o outputs/backbone --backbone --alpha 0.01
    """
    _run(ctx, Command.GRAPH, params)


@cli.command()
@input_options
@graph_options
@window_options
@click.pass_context
@_fail_cleanly
def timeline(ctx, **params):
    """Measure change over time: + timeline.csv, changes.csv, window_edges.csv.

    \b
    Example:
        netanalysis timeline examples/mfa_channel_sample.txt -o outputs/time --freq month
        netanalysis timeline posts.jsonl -o outputs/rolling --window 3M --step 1M
    """
    _run(ctx, Command.TIMELINE, params)


@cli.command()
@input_options
@graph_options
@window_options
@figure_options
@click.pass_context
@_fail_cleanly
def plot(ctx, **params):
    """Draw publication figures into figures/ (PNG 300 dpi, SVG, PDF).

    \b
    Example:
        netanalysis plot examples/mfa_channel_sample.txt -o outputs/figs --format png,svg --size single
    """
    _run(ctx, Command.PLOT, params)


@cli.command()
@input_options
@graph_options
@explorer_options
@click.pass_context
@_fail_cleanly
def explore(ctx, **params):
    """Write network.html: an offline, self-contained interactive explorer.

    \b
    Example:
        netanalysis explore examples/mfa_channel_sample.txt -o outputs/explore
    """
    _run(ctx, Command.EXPLORE, params)


@cli.command()
@input_options
@graph_options
@window_options
@figure_options
@explorer_options
@click.pass_context
@_fail_cleanly
def report(ctx, **params):
    """Run every stage and write the whole folder, with report.html (the main job).

    \b
    Example:
        netanalysis report examples/mfa_channel_sample.txt -o outputs/demo
        netanalysis report archive/ -o outputs/study --config study.toml --exclude RU
    """
    _run(ctx, Command.REPORT, params)


@cli.command()
@input_options
@graph_options
@compare_options
@figure_options
@click.pass_context
@_fail_cleanly
def compare(ctx, **params):
    """Compare groups of posts: channels, inputs or the values of a table column.

    Writes each group's network (groups/), compare_edges.csv and compare_nodes.csv (log-odds with
    an informative Dirichlet prior, Fisher tests with BH q-values), compare_agreement.csv
    (Kendall's tau, rank-biased overlap), compare_tests.csv (permutation tests), figures and
    report.html. With more than two groups each is compared with the rest.

    \b
    Example:
        netanalysis compare exports/ -o outputs/channels --by channel
        netanalysis compare mfa.json -o outputs/vs --vs embassy.json --names Ministry,Embassy
        netanalysis compare posts.csv -o outputs/lang --by language
    """
    _run(ctx, Command.COMPARE, params)


def main() -> None:
    try:
        cli(prog_name="netanalysis", obj={"system_allocator": True})
    finally:  # the process ends: frozen, its objects spare the shutdown a full collection and
        gc.freeze()  # their one-by-one release (0.4 s of CPU after a report on the sample)


if __name__ == "__main__":
    main()
