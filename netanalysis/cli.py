"""The command line: a thin click layer over the library (click is imported only here)."""
from __future__ import annotations

import functools
import logging
import sys
from pathlib import Path

import click

from netanalysis import __version__
from netanalysis.errors import ConfigError, NetanalysisError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _fail_cleanly(func):
    """Turn the library's errors into one ``Error:`` line and exit code 1 (no traceback)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ConfigError as exc:
            raise click.UsageError(str(exc)) from None
        except NetanalysisError as exc:
            raise click.ClickException(str(exc)) from None
        except KeyboardInterrupt:
            raise click.Abort() from None

    return wrapper


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", prog_name="netanalysis")
@click.option("-v", "--verbose", count=True, help="More messages (-vv for debugging).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors; no progress bars.")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """Country-forum co-mention networks from diplomatic channels' posts.

    Give it posts (copied channel text, Telegram exports, tables); get mentions, the bipartite
    network, its centralities over time, figures and an interactive explorer.

    \b
    Example:
        netanalysis report examples/mfa_channel_sample.txt -o outputs/demo
    """
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s: %(message)s", stream=sys.stderr)
    ctx.ensure_object(dict)
    ctx.obj["quiet"] = quiet
    ctx.obj["verbose"] = verbose


def input_options(func):
    """INPUT... and the options about reading them."""
    func = click.option("--format", "fmt", default="auto", show_default=True,
                        help="Input format, or 'auto' to detect each file's.")(func)
    func = click.option("--encoding", default="utf-8", show_default=True,
                        help="Text encoding of the inputs (e.g. cp1251).")(func)
    func = click.option("--strict", is_flag=True, help="Stop at the first malformed record.")(func)
    func = click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")(func)
    return func


def output_options(func):
    func = click.option("-o", "--output", "out_dir", required=True,
                        type=click.Path(file_okay=False, path_type=Path),
                        help="Folder to write into (created if missing).")(func)
    return func


def _read_options(encoding: str, strict: bool):
    from netanalysis.ingest import ReadOptions

    return ReadOptions(encoding=encoding, strict=strict)


@cli.command()
@input_options
@output_options
@click.pass_context
@_fail_cleanly
def parse(ctx, inputs, fmt, encoding, strict, out_dir):
    """Read posts and write posts.csv and manifest.json.

    \b
    Example:
        netanalysis parse examples/mfa_channel_sample.txt -o outputs/parsed
    """
    from netanalysis import report

    result = report.run_parse(list(inputs), out_dir, format=fmt, options=_read_options(encoding, strict))
    _summary(ctx, result)


def _summary(ctx, result) -> None:
    if not ctx.obj.get("quiet"):
        for line in result.summary_lines():
            click.echo(line, err=True)


def main() -> None:
    cli(prog_name="netanalysis")


if __name__ == "__main__":
    main()
