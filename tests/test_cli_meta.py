"""Every command has help text with an example, and appears in the README; global options work."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from netanalysis import __version__
from netanalysis.cli import cli

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = sorted(cli.commands)


def test_commands_are_the_designed_ones():
    assert COMMANDS == ["compare", "explore", "graph", "parse", "plot", "report", "timeline"]


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_summary_and_example(name):
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    summary = lines[2].strip()
    assert summary and summary.endswith(".")
    assert "Example:" in result.output
    assert f"netanalysis {name} " in result.output


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_in_the_readme(name):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"netanalysis {name}" in readme


def test_readme_shows_the_two_setup_commands_first():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```")[1]
    assert "make demo" in first_block and "make test" in first_block


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_unknown_option_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["parse", "x.txt", "-o", str(tmp_path), "--no-such-option"])
    assert result.exit_code == 2
    assert "No such option" in result.output


def test_verbose_shows_the_run_not_the_font_subsetting(tmp_path, sample_path):
    """-v logs the run's stages; the PDF figures' font subsetting (fontTools logs every table it
    subsets at INFO) is not shown."""
    result = CliRunner().invoke(
        cli, ["-v", "report", str(sample_path), "-o", str(tmp_path / "out"), "--format", "pdf", "--jobs", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "INFO: stage figures" in result.output
    assert (tmp_path / "out" / "figures" / "heatmap.pdf").exists()
    noise = [line for line in result.output.splitlines() if "subset" in line or "Glyph" in line]
    assert noise == []
