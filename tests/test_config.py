"""Study files (TOML) and their precedence: defaults < config file < command line."""

import json

import pytest
from click.testing import CliRunner

from netanalysis.cli import cli
from netanalysis.config import Settings, load_config, merge_settings
from netanalysis.errors import ConfigError


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_load_config_reads_the_netanalysis_table(tmp_path):
    cfg = write(tmp_path / "s.toml", '[netanalysis]\nexclude = ["RU"]\nunit = "sentence"\nmin_weight = 2\n')
    assert load_config(cfg) == {"exclude": ("RU",), "unit": "sentence", "min_weight": 2}


def test_top_level_keys_and_dashes(tmp_path):
    cfg = write(tmp_path / "s.toml", 'min-weight = 3\nfreq = "year"\n')
    assert load_config(cfg) == {"min_weight": 3, "freq": "year"}


def test_registry_paths_are_relative_to_the_config_file(tmp_path):
    cfg = write(tmp_path / "s.toml", 'registry = ["extra.csv"]\n')
    assert load_config(cfg)["registry"] == (str(tmp_path / "extra.csv"),)


@pytest.mark.parametrize(
    "text, message",
    [
        ('unitt = "post"\n', "unknown setting 'unitt'"),
        ('min_weight = "2"\n', "min_weight must be a whole number"),
        ("strict = 1\n", "strict must be true or false"),
        ("exclude = [1]\n", "exclude must be a list of strings"),
        ("unit = \n", "not valid TOML"),
    ],
)
def test_bad_config_files(tmp_path, text, message):
    cfg = write(tmp_path / "s.toml", text)
    with pytest.raises(ConfigError, match=message):
        load_config(cfg)


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml")


def test_later_layers_win():
    s = merge_settings({"unit": "sentence", "min_weight": 2}, {"min_weight": 5})
    assert (s.unit, s.min_weight, s.freq) == ("sentence", 5, Settings().freq)


@pytest.mark.parametrize(
    "values, message",
    [
        ({"unit": "page"}, "unit must be one of"),
        ({"freq": "decade"}, "freq must be one of"),
        ({"min_weight": 0}, "min_weight must be at least 1"),
        ({"window": "3M"}, "window and step go together"),
        ({"formats": ("png", "gif")}, "formats must be among"),
    ],
)
def test_invalid_settings(values, message):
    with pytest.raises(ConfigError, match=message):
        merge_settings(values)


def test_command_line_overrides_config_file(tmp_path, sample_path):
    cfg = write(tmp_path / "s.toml", '[netanalysis]\nexclude = ["RU"]\nchannel = "From config"\nseed = 7\n')
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["-q", "parse", str(sample_path), "-o", str(out), "--config", str(cfg), "--seed", "3"]
    )
    assert result.exit_code == 0, result.output
    params = json.loads((out / "manifest.json").read_text())["parameters"]
    assert params["seed"] == 3  # command line wins
    assert params["exclude"] == ["RU"]  # from the config file
    assert params["channel"] == "From config"
    assert params["unit"] == "post"  # default


def test_bad_config_is_a_usage_error(tmp_path, sample_path):
    cfg = write(tmp_path / "s.toml", 'colour = "red"\n')
    result = CliRunner().invoke(cli, ["parse", str(sample_path), "-o", str(tmp_path / "o"), "--config", str(cfg)])
    assert result.exit_code == 2
    assert "unknown setting 'colour'" in result.output
    assert "Traceback" not in result.output


def test_forms_are_parsed_once_into_the_settings(tmp_path):
    assert Settings().forms == ("name", "acronym", "adjective", "demonym", "flag", "hashtag", "pair_hashtag")
    assert merge_settings({"forms": "all"}).forms[4] == "metonymy"
    assert merge_settings({"forms": "flag, name"}).forms == ("name", "flag")
    cfg = write(tmp_path / "s.toml", 'forms = ["metonymy", "name"]\n')
    assert merge_settings(load_config(cfg)).forms == ("name", "metonymy")
    with pytest.raises(ConfigError, match="forms: unknown form"):
        merge_settings({"forms": "name,capital"})


def test_forms_option_reaches_mentions_csv_and_the_manifest(tmp_path):
    import csv

    text = tmp_path / "posts.txt"
    text.write_text("12.03.2024\nВашингтон и Россия, американцы.\n", encoding="utf-8")
    forms = {}
    for option in ("default", "all", "metonymy"):
        out = tmp_path / option
        result = CliRunner().invoke(cli, ["-q", "parse", str(text), "-o", str(out), "--forms", option])
        assert result.exit_code == 0, result.output
        with open(out / "mentions.csv", encoding="utf-8", newline="") as fh:
            forms[option] = [(r["entity"], r["form"]) for r in csv.DictReader(fh)]
        params = json.loads((out / "manifest.json").read_text())["parameters"]
        assert params["forms"] == list(merge_settings({"forms": option}).forms)
    assert forms["default"] == [("RU", "name"), ("US", "demonym")]
    assert forms["all"] == [("US", "metonymy"), ("RU", "name"), ("US", "demonym")]
    assert forms["metonymy"] == [("US", "metonymy")]
    bad = CliRunner().invoke(cli, ["parse", str(text), "-o", str(tmp_path / "x"), "--forms", "nicknames"])
    assert bad.exit_code != 0 and "unknown form(s) 'nicknames'" in bad.output and "Traceback" not in bad.output
