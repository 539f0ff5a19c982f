"""Inputs that used to be read wrong without a word: a quote that never closes, UTF-16/32,
files empty or binary past their first 8 KB, one file under two paths, one empty file among
many, a truncated HTML export, lone surrogates."""

import json
import logging

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import netanalysis
from netanalysis.cli import cli
from netanalysis.errors import InputError, RecordError
from netanalysis.ingest import ReadOptions
from netanalysis.ingest.csv_rows import ends_in_quotes
from netanalysis.model import IngestStats

ROWS = "id,date,text\n1,2024-01-10,Lavrov in China at the #BRICS\n2,2024-03-10,India at the #SCO with China\n"


def table(tmp_path, broken_at, n=199, name="t.csv"):
    lines = ["id,date,text"]
    for i in range(1, n + 1):
        text = f"Post {i} about China and the #BRICS"
        lines.append(f"{i},2024-01-{i % 28 + 1:02d},{broken_at(i, text)}")
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read(path, **options):
    stats = IngestStats()
    posts = netanalysis.read_posts(path, options=ReadOptions(**options), stats=stats)
    return posts, stats.files[0]


def cli_run(*args):
    return CliRunner().invoke(cli, [*map(str, args)])


# -- a quote that never closes -------------------------------------------------------------------
def test_an_unclosed_quote_costs_one_row_and_names_its_line(tmp_path):
    path = table(tmp_path, lambda i, t: '"' + t if i == 50 else t)
    posts, stats = read(path)
    assert len(posts) == 198 and stats.skipped == 1 and stats.records == 199
    assert stats.problems == [
        (
            "51",
            "a quote opened on this line never closes (its field runs to the end of the file, over 149 more "
            "line(s)); the row is skipped and the lines after its first are read as rows",
        )
    ]
    assert "Post 51 about" in posts["text"].iloc[49]


def test_strict_stops_on_an_unclosed_quote(tmp_path):
    path = table(tmp_path, lambda i, t: '"' + t if i == 50 else t)
    with pytest.raises(RecordError, match="record 51: a quote opened on this line never closes"):
        read(path, strict=True)
    result = cli_run("parse", path, "-o", tmp_path / "o", "--strict")
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        f"Error: {path}: record 51: a quote opened on this line never closes (its field runs to the end of "
        "the file, over 149 more line(s))"
    )
    assert not (tmp_path / "o" / "posts.csv").exists()


def test_a_quote_closed_by_a_later_stray_quote_is_found_by_the_rows_it_swallowed(tmp_path):
    def broken(i, text):
        return {5: '"' + text, 12: f'he said "hi" about {text}'}.get(i, text)

    posts, stats = read(table(tmp_path, broken, n=29))
    assert len(posts) == 28 and stats.skipped == 1
    assert stats.problems[0][0] == "6"
    assert "runs on into line 7, which is a row of its own" in stats.problems[0][1]


def test_a_quote_that_closes_too_late_gives_a_wrong_field_count_and_is_got_over(tmp_path):
    def broken(i, text):
        return {5: '"' + text, 9: f'{text}",extra'}.get(i, text)

    path = tmp_path / "nodate.csv"  # (no date, no id column: only the field count tells)
    path.write_text(
        "text,views\n" + "".join(f"{broken(i, f'China {i} at the #BRICS')},{i}\n" for i in range(1, 13)),
        encoding="utf-8",
    )
    posts, stats = read(path)
    assert stats.problems[0] == (
        "6",
        "expected 2 fields, found 3 in a row running over 5 lines (a quote that closes too late?); the row is "
        "skipped and the lines after its first are read as rows",
    )
    assert len(posts) == 10 and "China 6 at" in posts["text"].iloc[4]  # (line 10 is broken on its own)


def test_real_multi_line_posts_are_not_flagged(tmp_path):
    path = tmp_path / "ml.csv"
    body = "Moscow, 5 May\\n\\nThe minister met China, India and Brazil.\\n(Minsk, June 25, 2024)\\n#BRICS"
    path.write_text(
        'id,date,text\n1,2024-05-05,"' + body.replace("\\n", "\n") + '"\n2,2024-05-06,"say ""hi"" to the #SCO"\n',
        encoding="utf-8",
    )
    posts, stats = read(path)
    assert len(posts) == 2 and stats.skipped == 0 and stats.problems == []


@pytest.mark.parametrize(
    "text, expected",
    [('1,"a\nb",2\n', False), ('1,"a\n2,b\n', True), ('1,say "hi\n', False), ('"a""\n', True), ('"a"""\n', False)],
)
def test_ends_in_quotes(text, expected):
    assert ends_in_quotes(text) is expected


# -- encodings -----------------------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"])
@pytest.mark.parametrize("asked", ["same", "generic"])
def test_utf16_and_utf32_with_and_without_a_byte_order_mark(tmp_path, encoding, asked):
    path = tmp_path / "w.csv"
    path.write_bytes(ROWS.encode(encoding))
    given = encoding if asked == "same" else encoding[:6]
    posts, stats = read(path, encoding=given)
    assert posts["text"].tolist() == ["Lavrov in China at the #BRICS", "India at the #SCO with China"]


def test_a_byte_order_mark_is_enough_without_encoding(tmp_path):
    for encoding in ("utf-16", "utf-32", "utf-8-sig"):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes(ROWS.encode(encoding))
        assert len(read(path)[0]) == 2


def test_utf16_without_byte_order_mark_errors(tmp_path):
    path = tmp_path / "w.csv"
    path.write_bytes(ROWS.encode("utf-16-le"))
    result = cli_run("parse", path, "-o", tmp_path / "o")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.strip() == (
        f"Error: {path}: looks like UTF-16 text without a byte-order mark: give --encoding utf-16"
    )
    cjk = tmp_path / "cjk.txt"
    cjk.write_bytes(("中文与金砖国家" * 50).encode("utf-16-le"))
    result = cli_run("parse", cjk, "-o", tmp_path / "o", "--encoding", "utf-16")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.strip() == (
        f"Error: {cjk}: UTF-16 without a byte-order mark, and its bytes do not tell the byte order: "
        "give --encoding utf-16-le or utf-16-be"
    )


def test_undecodable_utf16_names_its_line(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes("China #BRICS\n".encode("utf-16") + "India\n".encode("utf-16-le") * 3 + b"\x00\xd8\x41\x00\n\x00")
    with pytest.raises(InputError, match=r"line 5: not valid utf-16 text"):
        read(path, encoding="utf-16")


# -- empty, binary, twice ------------------------------------------------------------------------
def test_white_space_past_8_kb_is_still_empty_and_text_after_it_is_not(tmp_path):
    blank = tmp_path / "blank.csv"
    blank.write_text(" " * 20_000 + "\n" * 100, encoding="utf-8")
    with pytest.raises(InputError, match="file is empty"):
        read(blank)
    late = tmp_path / "late.jsonl"
    late.write_text("\n" * 9000 + '{"id": 1, "text": "China at the #BRICS"}\n', encoding="utf-8")
    assert len(read(late)[0]) == 1


def test_nul_bytes_past_8_kb_are_reported_with_their_line(tmp_path):
    path = tmp_path / "b.txt"
    path.write_bytes(b"China at the #BRICS\n" * 1000 + b"\x00\x01\x02binary")
    result = cli_run("parse", path, "-o", tmp_path / "o")
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: {path}: line 1001: a NUL character: binary data, not text (a damaged file?)"
    )
    csv_path = tmp_path / "b.csv"
    csv_path.write_bytes(ROWS.encode() + b"4,2024-04-02,China #SCO\n" * 400 + b"3,2024-04-01,\x00oops\n")
    with pytest.raises(InputError, match="line 404: a NUL character: binary data, not text"):
        read(csv_path)


def test_the_same_file_under_two_paths_is_read_once(tmp_path, caplog, monkeypatch):
    path = tmp_path / "a.csv"
    path.write_text(ROWS, encoding="utf-8")
    (tmp_path / "link.csv").symlink_to(path)
    monkeypatch.chdir(tmp_path)
    with caplog.at_level(logging.WARNING):
        posts = netanalysis.read_posts([str(path), "a.csv", "link.csv"])
    assert len(posts) == 2
    assert "a.csv is the same file as" in caplog.text and "link.csv is the same file as" in caplog.text


def test_one_empty_file_among_many_is_skipped_and_counted(tmp_path):
    (tmp_path / "a.csv").write_text(ROWS, encoding="utf-8")
    (tmp_path / "b.csv").write_text("", encoding="utf-8")
    (tmp_path / "c.csv").write_text("   \n", encoding="utf-8")
    out = tmp_path / "o"
    result = cli_run("graph", tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv", "-o", out)
    assert result.exit_code == 0, result.output
    assert f"WARNING: {tmp_path / 'b.csv'}: the file is empty; it is skipped" in result.output
    counts = json.loads((out / "manifest.json").read_text())["counts"]
    assert counts["empty_files"] == [str(tmp_path / "b.csv"), str(tmp_path / "c.csv")]
    assert counts["read"] == 2
    result = cli_run("graph", tmp_path / "b.csv", tmp_path / "c.csv", "-o", tmp_path / "none")
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {tmp_path / 'b.csv'}: file is empty (and so is every other input)"


# -- HTML cut short; surrogates --------------------------------------------------------------------
def test_a_truncated_html_export_is_read_with_a_warning(tmp_path, fixtures_dir, caplog):
    page = (fixtures_dir / "formats" / "html_old" / "messages.html").read_text(encoding="utf-8")
    cut = tmp_path / "messages.html"
    cut.write_text(page[: int(len(page) * 0.7)], encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        posts, stats = read(cut)
    assert len(posts) >= 1
    assert ("end", "the file ends before </html>: a truncated export? (its last message may be cut short)") in (
        stats.problems
    )
    assert "truncated export" in caplog.text
    whole = tmp_path / "whole.html"
    whole.write_text(page, encoding="utf-8")
    assert not any(record == "end" for record, _ in read(whole)[1].problems)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF), max_size=40))
def test_a_surrogate_is_found_by_encoding_as_by_searching(text):
    # the check by encoding (short texts) and the search (long ones) agree with the pattern
    from netanalysis.ingest import records

    for value in (text, text + "x" * (records._ENCODE_CHECK + 1), "\ud800" + text, text + "\udfff"):
        assert records._has_surrogate(value) == (records._LONE_SURROGATE.search(value) is not None)


def test_lone_surrogates_from_json_are_replaced(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text(
        '{"id": 1, "channel": "\\udc80x", "text": "\\ud800 China at the #BRICS"}\n{"id": 2, "text": "India #SCO"}\n',
        encoding="utf-8",
    )
    posts, _ = read(path)
    assert posts["text"].iloc[0] == "\ufffd China at the #BRICS"
    out = tmp_path / "o"
    result = cli_run("-q", "graph", path, "-o", out)
    assert result.exit_code == 0, result.output
    assert "\ufffdx" in (out / "posts.csv").read_text(encoding="utf-8")
