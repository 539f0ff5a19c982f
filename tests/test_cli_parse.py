"""`netanalysis parse` end to end through the command line: the happy path and unreadable inputs."""

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from netanalysis.cli import cli
from netanalysis.model import POST_COLUMNS


def invoke(*args):
    return CliRunner().invoke(cli, ["parse", *map(str, args)])


def read_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_parse_sample_writes_posts_and_manifest(sample_path, tmp_path):
    out = tmp_path / "out"
    result = invoke(sample_path, "-o", out)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    with open(out / "posts.csv", encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    assert header == POST_COLUMNS
    rows = read_rows(out / "posts.csv")
    assert [r["post_id"] for r in rows] == [f"mfa_channel_sample:{n}" for n in range(1, 13)]
    assert [r["date_source"] for r in rows] == ["inferred"] * 4 + ["text"] * 2 + ["none"] * 3 + [
        "text",
        "inferred",
        "text",
    ]
    assert [r["date"][:10] for r in rows] == [
        "2024-04-08",
        "2024-04-08",
        "2024-05-20",
        "2024-06-10",
        "2024-06-25",
        "2024-07-03",
        "",
        "",
        "",
        "2024-08-19",
        "2024-09-05",
        "2024-10-07",
    ]
    assert rows[10]["channel"] == "mfa_channel_sample" and rows[10]["forwarded_from"] == ""
    assert (rows[0]["channel"], rows[0]["forwarded_from"]) == ("mfa_channel_sample", "Russian MFA")
    assert rows[0]["source"] == "mfa_channel_sample.txt:1"
    assert rows[2]["text"].endswith("\n#RussiaChina") and rows[2]["text"].count("#RussiaChina") == 1
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    counts = manifest["counts"]
    assert (counts["read"], counts["skipped"], counts["undated"]) == (12, 0, 3)
    assert [f["format"] for f in counts["files"]] == ["text"]


def test_parse_is_deterministic(sample_path, tmp_path):
    assert invoke(sample_path, "-o", tmp_path / "a").exit_code == 0
    assert invoke(sample_path, "-o", tmp_path / "b").exit_code == 0
    for name in ("posts.csv", "mentions.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_parse_channel_option_names_own_posts(sample_path, tmp_path):
    result = invoke(sample_path, "--channel", "MFA Russia", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    rows = read_rows(tmp_path / "out" / "posts.csv")
    assert rows[10]["channel"] == "MFA Russia"


def error_lines(result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("Error:")]


def make_empty_dir(tmp_path):
    folder = tmp_path / "nothing"
    folder.mkdir()
    (folder / "notes.md").write_text("not an input", encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda tmp: tmp / "missing.txt", "{path}: no such file or directory"),
        (
            make_empty_dir,
            "{path}: directory holds no readable input "
            "(looked for .txt, .json, .jsonl, .ndjson, .csv, .tsv, .parquet, .html, .htm and their .gz)",
        ),
        (lambda tmp: _write(tmp / "empty.txt", b""), "{path}: file is empty"),
        (lambda tmp: _write(tmp / "blank.txt", b"\n  \n"), "{path}: file is empty"),
        (
            lambda tmp: _write(tmp / "binary.txt", b"PK\x03\x04\x00\x00binary"),
            "{path}: looks like a binary file, not text (it contains NUL bytes)",
        ),
        (
            lambda tmp: _write(tmp / "cyrillic.txt", "Forwarded from МИД\nЗаявление МИД России\n".encode("cp1251")),
            "{path}: line 1: not valid utf-8 text (try --encoding cp1251 for Windows Cyrillic text)",
        ),
        (
            lambda tmp: _write(tmp / "late.txt", "Forwarded from MFA\nTitle\nЗаявление\n".encode("cp1251")),
            "{path}: line 3: not valid utf-8 text (try --encoding cp1251 for Windows Cyrillic text)",
        ),
    ],
    ids=["missing", "empty-dir", "empty", "blank", "binary", "cp1251", "cp1251-line-3"],
)
def test_parse_unreadable_input_is_one_error_line(tmp_path, make, message):
    path = make(tmp_path)
    out = tmp_path / "out"
    result = invoke(path, "-o", out)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert error_lines(result) == ["Error: " + message.format(path=path)]
    assert not (out / "posts.csv").exists()


def test_parse_cp1251_reads_with_encoding_option(tmp_path):
    path = _write(tmp_path / "cyrillic.txt", "Forwarded from МИД\nЗаявление (25.06.2024)\nтекст\n".encode("cp1251"))
    result = invoke(path, "--encoding", "cp1251", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    rows = read_rows(tmp_path / "out" / "posts.csv")
    assert [(r["channel"], r["forwarded_from"], r["date"][:10], r["text"]) for r in rows] == [
        ("cyrillic", "МИД", "2024-06-25", "Заявление (25.06.2024)\nтекст")
    ]


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
