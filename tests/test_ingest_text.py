"""Reading channel text copied out of a Telegram client (format "text")."""

import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netanalysis.errors import InputError
from netanalysis.ingest import IngestStats, ReadOptions, read_posts
from netanalysis.ingest.text import (
    is_interface_line,
    parse_header,
    read_copied_text,
    split_copied_posts,
    strip_interface_text,
)
from netanalysis.model import POST_COLUMNS, FileStats


def utc(y, m, d):
    return datetime(y, m, d, tzinfo=UTC)


def read(tmp_path: Path, text: str, name: str = "channel.txt", **options):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    stats = FileStats(path=str(path), format="text")
    posts = list(read_copied_text(path, stats, prefix="c", options=ReadOptions(**options)))
    return posts, stats


# --- splitting and the repeated preview copy -------------------------------------------------


def test_split_title_body_body():
    assert split_copied_posts(["T", "a", "b", "a", "b"]) == [(0, 3, 5)]


def test_split_title_repeated_with_the_body():
    assert split_copied_posts(["T", "a", "b", "T", "a", "b"]) == [(0, 3, 6)]


def test_split_unheaded_posts_after_each_copy():
    lines = ["T1", "a", "b", "a", "b", "T2", "c", "c", "T3", "d", "e", "d", "e"]
    assert split_copied_posts(lines) == [(0, 3, 5), (5, 7, 8), (8, 11, 13)]


def test_split_post_without_copy_followed_by_one_with_copy():
    lines = ["T1", "a", "b", "T2", "c", "d", "c", "d"]
    assert split_copied_posts(lines) == [(0, 3, 3), (3, 6, 8)]


def test_split_post_with_copy_followed_by_one_without():
    lines = [
        "T1",
        "a long enough first line of the body",
        "more",
        "a long enough first line of the body",
        "more",
        "T2",
        "x",
    ]
    assert split_copied_posts(lines) == [(0, 3, 5), (5, 7, 7)]


def test_short_copied_post_then_a_post_without_copy():
    lines = ["T1", "The ministers met in Astana.", "The ministers met in Astana.", "T2", "c"]
    assert split_copied_posts(lines) == [(0, 2, 3), (3, 5, 5)]


def test_repeated_lines_inside_a_post_without_copy_do_not_split_it():
    assert split_copied_posts(["T", "***", "***", "b", "c"]) == [(0, 5, 5)]
    assert split_copied_posts(["T", "a", "❓", "❓", "b"]) == [(0, 5, 5)]


def test_repeated_separators_inside_a_copied_body():
    lines = ["T", "a", "***", "***", "b", "a", "***", "***", "b"]
    assert split_copied_posts(lines) == [(0, 5, 9)]


def test_split_compares_lines_ignoring_extra_white_space():
    assert split_copied_posts(["T", "a  b", "a b"]) == [(0, 2, 3)]


def test_split_covers_everything():
    assert split_copied_posts([]) == []
    assert split_copied_posts(["only a title"]) == [(0, 1, 1)]


# --- interface text and headers ---------------------------------------------------------------


@pytest.mark.parametrize("line", ["Read in full", "📄 Read in full", "<...>", "  <…>  ", "Читать полностью"])
def test_interface_lines(line):
    assert is_interface_line(line)
    assert strip_interface_text(line) == ""


@pytest.mark.parametrize(
    "line",
    ["Read in full the statement of the Ministry", "#RussiaChina", "***", "<b>bold</b>", "Question: <...> answer"],
)
def test_content_lines_are_not_interface(line):
    assert not is_interface_line(line)


def test_trailing_elision_is_removed():
    assert strip_interface_text("the Korean Peninsula. <...>\n") == "the Korean Peninsula."
    assert strip_interface_text("held in Kazan.<...>") == "held in Kazan."


@pytest.mark.parametrize(
    "line, channel",
    [
        ("Forwarded from Russian MFA 🇷🇺", "Russian MFA"),
        ("Forwarded from Embassy of Russia in India 🇷🇺🇮🇳\n", "Embassy of Russia in India"),
        ("Forwarded from MFA Russia", "MFA Russia"),
        ("Переслано от МИД России 🇷🇺", "МИД России"),
    ],
)
def test_header_names_the_channel_without_flags(line, channel):
    assert parse_header(line) == channel


@pytest.mark.parametrize(
    "line",
    [
        "Russian MFA 🇷🇺",
        "The post was Forwarded from Moscow",
        "Forwarded from",
        "Forwarded from " + "a very long sentence of body text " * 5,
    ],
)
def test_not_headers(line):
    assert parse_header(line) is None


def test_a_header_naming_only_a_flag_keeps_it():
    assert parse_header("Forwarded from 🇷🇺") == "🇷🇺"


# --- the reader, on small files of its own ------------------------------------------------------


def test_header_split_channel_flag_and_copy(fixtures_dir):
    path = fixtures_dir / "text" / "forwarded_en.txt"
    stats = FileStats(path=str(path))
    posts = list(read_copied_text(path, stats, prefix="f", options=ReadOptions()))
    assert [p.post_id for p in posts] == ["f:1", "f:2", "f:3"]
    assert [p.forwarded_from for p in posts] == ["Embassy of Russia in India", "MFA of Belarus", "Russian MFA"]
    assert {p.channel for p in posts} == {"forwarded_en"}  # published by the copying channel
    assert [p.source for p in posts] == ["forwarded_en.txt:1", "forwarded_en.txt:13", "forwarded_en.txt:21"]
    assert posts[0].text == (
        "🇷🇺🇮🇳 On March 4, Ambassador Denis Alipov met the Foreign Secretary of India.\n"
        "The sides discussed cooperation within #BRICS and the #SCO.\n"
        "***\n"
        "They also reviewed preparations for the #G20 events.\n"
        "#RussiaIndia"
    )
    assert posts[1].text == (
        "🇧🇾🇨🇳 Foreign Minister met his Chinese counterpart (Beijing, 12 March 2024)\n"
        "The ministers agreed to deepen cooperation at the #UN."
    )
    # the last post has no preview copy: kept whole
    assert posts[2].text == (
        "🎙 Statement by the Spokeswoman (March 20, 2024)\nMoscow welcomes the outcome of the #CSTO meeting."
    )
    assert [(p.date, p.date_source) for p in posts] == [
        (utc(2024, 3, 4), "inferred"),
        (utc(2024, 3, 12), "text"),
        (utc(2024, 3, 20), "text"),
    ]
    assert (stats.records, stats.skipped) == (3, 0)


def test_unheaded_russian_posts_with_rollover(fixtures_dir):
    path = fixtures_dir / "text" / "own_ru.txt"
    posts = list(read_copied_text(path, FileStats(path=str(path)), prefix="r", options=ReadOptions()))
    assert [p.channel for p in posts] == ["own_ru"] * 4
    assert all(p.forwarded_from is None for p in posts)
    assert [p.source for p in posts] == ["own_ru.txt:1", "own_ru.txt:6", "own_ru.txt:11", "own_ru.txt:14"]
    assert [(p.date, p.date_source) for p in posts] == [
        (utc(2023, 12, 28), "text"),
        (utc(2024, 1, 3), "inferred"),
        (utc(2024, 4, 8), "inferred"),
        (utc(2024, 6, 25), "text"),
    ]
    assert posts[0].text.splitlines() == [
        "🇷🇺🇧🇾 28 декабря 2023 года состоялись переговоры министров иностранных дел.",
        "Стороны обсудили взаимодействие в #ОДКБ и #СНГ.",
        "#РоссияБеларусь",
    ]
    assert posts[1].text.splitlines() == [
        "Сегодня, 3 января, исполняется годовщина вступления в силу договора.",
        "В феврале 2015 года был принят Комплекс мер.",
    ]


def test_channel_option_names_unheaded_posts(tmp_path):
    text = "Title one (1 May 2024)\nbody\nbody\nForwarded from Other 🇧🇾\nTitle two\nmore\nmore\n"
    posts, _ = read(tmp_path, text, channel="MFA Russia")
    assert [(p.channel, p.forwarded_from) for p in posts] == [("MFA Russia", None), ("MFA Russia", "Other")]


def test_unheaded_post_after_a_forwarded_one(tmp_path):
    text = (
        "Forwarded from Russian MFA 🇷🇺\n"
        "🇷🇺🇨🇳 On May 20, the ministers met.\n"
        "They discussed the #SCO.\n"
        "#RussiaChina\n"
        "They discussed the #SCO.\n"
        "#RussiaChina\n"
        "Today, May 22, we mark Diplomats' Day\n"
        "Congratulations to all colleagues.\n"
        "Congratulations to all colleagues.\n"
        "Forwarded from Russian MFA 🇷🇺\n"
        "Briefing (May 23, 2024)\n"
        "The #UN was discussed.\n"
    )
    posts, _ = read(tmp_path, text, name="embassy.txt")
    assert [p.channel for p in posts] == ["embassy", "embassy", "embassy"]
    assert [p.forwarded_from for p in posts] == ["Russian MFA", None, "Russian MFA"]
    assert [p.source for p in posts] == ["embassy.txt:1", "embassy.txt:7", "embassy.txt:10"]
    assert posts[0].text.splitlines()[-1] == "#RussiaChina"
    assert posts[1].text == "Today, May 22, we mark Diplomats' Day\nCongratulations to all colleagues."
    assert [p.date for p in posts] == [utc(2024, 5, 20), utc(2024, 5, 22), utc(2024, 5, 23)]
    assert [p.date_source for p in posts] == ["inferred", "inferred", "text"]


def test_text_before_the_first_header_is_a_post_of_its_own(tmp_path):
    text = "Our own note\nwith a line\nForwarded from X\nTheirs\n"
    posts, _ = read(tmp_path, text)
    assert [(p.text, p.channel, p.source) for p in posts] == [
        ("Our own note\nwith a line", "channel", "channel.txt:1"),
        ("Theirs", "channel", "channel.txt:3"),
    ]


def test_interface_text_dropped_everywhere(tmp_path):
    text = (
        "Forwarded from A\n"
        "Title\n"
        "<...>\n"
        "first paragraph <...>\n"
        "Read in full\n"
        "📄 Read in full\n"
        "\n"
        "Read in full the Minister's answers below\n"
    )
    posts, _ = read(tmp_path, text)
    assert posts[0].text == "Title\nfirst paragraph\nRead in full the Minister's answers below"


def test_windows_line_ends_and_blank_lines(tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes("Forwarded from A 🇷🇺\r\nTitle (1 June 2024)\r\n\r\nbody\r\n\r\nbody\r\n".encode())
    posts = list(read_copied_text(path, FileStats(path=str(path)), prefix="w", options=ReadOptions()))
    assert [(p.text, p.source, p.date) for p in posts] == [("Title (1 June 2024)\nbody", "crlf.txt:1", utc(2024, 6, 1))]


def test_undated_posts_are_kept(tmp_path):
    posts, _ = read(tmp_path, "Forwarded from A\nNo date here\nIn June 2023, something\n")
    assert [(p.date, p.date_source) for p in posts] == [(None, "none")]


def test_body_dates_are_ignored(tmp_path):
    text = (
        "Forwarded from A\nInterview (October 7, 2024)\nOn 14 June, Putin spoke.\n"
        "Forwarded from A\nA meeting in the SCO Plus format was held.\nOn 4 July 2024 the leaders met.\n"
    )
    posts, _ = read(tmp_path, text)
    assert [(p.date, p.date_source) for p in posts] == [(utc(2024, 10, 7), "text"), (None, "none")]


def test_a_title_date_years_before_its_neighbours_is_not_taken(tmp_path):
    text = (
        "Forwarded from A\nTalks (20 June 2024)\nbody one\n"
        "Forwarded from A\nIn memory of the victims (22 June 1941)\nbody two\n"
        "Forwarded from A\nStatement (25 June 2024)\nbody three\n"
    )
    posts, _ = read(tmp_path, text)
    assert [p.date_source for p in posts] == ["text", "none", "text"]
    assert posts[1].date is None


def test_header_without_a_post_is_counted_not_dropped_silently(tmp_path):
    text = "Forwarded from A 🇷🇺\nForwarded from B\nTitle\nbody\n"
    for strict in (False, True):
        posts, stats = read(tmp_path, text, strict=strict)
        assert [(p.channel, p.forwarded_from) for p in posts] == [("channel", "B")]
        assert (stats.records, stats.skipped) == (2, 1)
        assert stats.problems == [("line 1", "'Forwarded from' header with no post under it")]


def test_read_through_iter_posts_counts(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("Forwarded from A\nT (1 May 2024)\nb\nb\nForwarded from B\n", encoding="utf-8")
    stats = IngestStats()
    frame = read_posts(path, stats=stats)
    assert list(frame.columns) == POST_COLUMNS
    counts = stats.as_dict()
    assert (counts["read"], counts["skipped"], counts["undated"]) == (1, 1, 0)
    assert counts["files"][0]["records"] == 2


def test_gzip_input(tmp_path):
    import gzip

    path = tmp_path / "chan.txt.gz"
    path.write_bytes(gzip.compress(b"Forwarded from A\nTitle\nb\nb\n"))
    posts = list(read_copied_text(path, FileStats(path=str(path)), prefix="g", options=ReadOptions()))
    assert [(p.text, p.source) for p in posts] == [("Title\nb", "chan.txt.gz:1")]
    posts, _ = read(tmp_path, "Own\nline\n", name="chan2.txt")
    assert posts[0].channel == "chan2"


@pytest.mark.parametrize(
    "content, problem",
    [
        (b"", "file is empty"),
        (b"\x00\x01binary", "looks like a binary file, not text (it contains NUL bytes)"),
        (
            "Forwarded from MFA\nПривет\n".encode("cp1251"),
            "line 2: not valid utf-8 text (try --encoding cp1251 for Windows Cyrillic text)",
        ),
    ],
)
def test_unreadable_files_raise_input_error(tmp_path, content, problem):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        list(read_copied_text(path, FileStats(path=str(path)), prefix="b", options=ReadOptions()))
    assert str(caught.value) == f"{path}: {problem}"


def test_other_encoding_on_request(tmp_path):
    path = tmp_path / "cp.txt"
    path.write_bytes("Forwarded from МИД России 🇷🇺\nЗаявление (25.06.2024)\nтекст\n".encode("cp1251", "ignore"))
    posts = list(read_copied_text(path, FileStats(path=str(path)), prefix="b", options=ReadOptions(encoding="cp1251")))
    assert [(p.channel, p.forwarded_from, p.text, p.date) for p in posts] == [
        ("cp", "МИД России", "Заявление (25.06.2024)\nтекст", utc(2024, 6, 25))
    ]


# --- the bundled sample, end to end ----------------------------------------------------------------

SAMPLE = [  # first words of the title, source line, date, date_source, origin (forwarded from or own)
    ("🇷🇺🇨🇳 On April 8-9, Foreign Minister Sergey Lavrov will pay", 1, utc(2024, 4, 8), "inferred", "Russian MFA"),
    ("🇷🇺🇨🇳 On April 8-9, Foreign Minister Sergey Lavrov was on", 7, utc(2024, 4, 8), "inferred", "Russian MFA"),
    ("🇷🇺🇨🇳 On May 20, FM Sergey Lavrov met", 27, utc(2024, 5, 20), "inferred", "Russian MFA"),
    ("🇷🇺🇿🇦 On June 10, Foreign Minister", 45, utc(2024, 6, 10), "inferred", "Russian MFA"),
    ("🇷🇺🇧🇾 Foreign Minister Sergey Lavrov’s opening remarks", 55, utc(2024, 6, 25), "text", "Russian MFA"),
    ("🎙 Foreign Minister Sergey Lavrov’s answers", 75, utc(2024, 7, 3), "text", "Russian MFA"),
    ("🌐 A meeting in the SCO Plus format", 93, None, "none", "Russian MFA"),
    (
        "🇷🇺🇮🇳 President of the Russian Federation Vladimir Putin and Prime Minister of India",
        131,
        None,
        "none",
        "Russian MFA",
    ),
    ("⚡️ On the human rights situation in Czech Republic", 153, None, "none", "Russian MFA"),
    ("🇷🇺🇦🇿 From the Joint Statement", 189, utc(2024, 8, 19), "text", "Russian MFA"),
    ("Today, September 5, marks the tenth anniversary", 209, utc(2024, 9, 5), "inferred", "mfa_channel_sample"),
    ("🎙Foreign Minister Sergey Lavrov’s interview to Newsweek", 222, utc(2024, 10, 7), "text", "Russian MFA"),
]
LAST_LINES = [
    "The Sides will have a thorough exchange",
    "The talks, held in Beijing",
    "#RussiaChina",
    "#RussiaSouthAfrica",
    "#RussiaBelarus #UnionState",
    "Several days ago, our well-known pranksters",
    "🤝 The SCO Member States coordinate",
    "#RussiaIndia",
    "A large number of families",
    "#RussiaAzerbaijan",
    "#CrisisInUkraine #MinskAgreements",
    "Multipolarity manifests itself",
]


@pytest.fixture
def sample_posts(sample_path):
    stats = FileStats(path=str(sample_path))
    posts = list(read_copied_text(sample_path, stats, prefix="s", options=ReadOptions()))
    return posts, stats


def test_sample_posts_in_order(sample_posts):
    posts, stats = sample_posts
    assert len(posts) == 12 and (stats.records, stats.skipped) == (12, 0)
    assert [p.post_id for p in posts] == [f"s:{n}" for n in range(1, 13)]
    for post, (title, line, date, source, channel), last in zip(posts, SAMPLE, LAST_LINES):
        lines = post.text.split("\n")
        assert lines[0].startswith(title), post.post_id
        assert lines[-1].startswith(last), post.post_id
        assert post.source == f"mfa_channel_sample.txt:{line}"
        assert (post.date, post.date_source, post.channel) == (date, source, "mfa_channel_sample"), post.post_id
        assert post.forwarded_from == (None if channel == "mfa_channel_sample" else "Russian MFA")


def test_sample_keeps_every_line_exactly_once(sample_path, sample_posts):
    posts, _ = sample_posts
    kept = Counter(line for p in posts for line in p.text.split("\n"))
    assert [line for line, n in kept.items() if n > 1] == []
    file_lines = {
        strip_interface_text(line)
        for line in sample_path.read_text(encoding="utf-8").splitlines()
        if parse_header(line) is None
    }
    file_lines.discard("")
    assert set(kept) == file_lines
    assert len(kept) == 112
    assert not any("Read in full" in line or "<...>" in line or "Forwarded from" in line for line in kept)


def test_sample_line_counts_per_post(sample_posts):
    posts, _ = sample_posts
    assert [len(p.text.split("\n")) for p in posts] == [3, 7, 7, 5, 8, 9, 16, 10, 17, 10, 7, 13]


def test_sample_body_date_not_taken(sample_posts):
    posts, _ = sample_posts
    czech = posts[8]
    assert "In June 2023, Czech President" in czech.text and czech.date is None
    newsweek = posts[11]
    assert "On 14 June, Russian President" in newsweek.text and newsweek.date == utc(2024, 10, 7)


def test_sample_through_read_posts(sample_path):
    frame = read_posts(sample_path)
    assert list(frame.columns) == POST_COLUMNS
    assert len(frame) == 12
    assert str(frame["date"].dt.tz) == "UTC"
    assert frame["date"].iloc[0] == pd.Timestamp("2024-04-08", tz="UTC")
    assert frame["date"].isna().sum() == 3
    again = read_posts(sample_path)
    assert frame.equals(again)


# --- property: any file built the way the client pastes posts reads back as those posts ----------


_WORDS = [
    "ministers",
    "discussed",
    "the",
    "#UN",
    "#BRICS",
    "cooperation",
    "Sergey",
    "Lavrov",
    "region",
    "security",
    "talks",
    "held",
    "in",
    "Astana",
    "Moscow",
    "partnership",
    "and",
    "of",
    "***",
]


@st.composite
def pasted_posts(draw):
    n_posts = draw(st.integers(1, 6))
    posts = []
    for i in range(n_posts):
        n_body = draw(st.integers(1, 4))
        body = []
        for j in range(n_body):
            words = draw(st.lists(st.sampled_from(_WORDS), min_size=8, max_size=20))
            body.append(f"{' '.join(words)} [{i}.{j}]")
        if draw(st.booleans()):
            body.append("#RussiaChina")  # closing lines are often the same in many posts
        headed = i == 0 or draw(st.booleans())
        style = draw(st.sampled_from(["title once", "title twice", "no copy"]))
        tail = draw(st.sampled_from([[], ["Read in full"], ["📄 Read in full"], ["<...>"]]))
        posts.append(
            {
                "title": f"Title of post {i} (May {i + 1}, 2024)",
                "body": body,
                "headed": headed,
                "style": style,
                "tail": tail,
            }
        )
    for post, following in zip(posts, posts[1:] + [None]):
        if post["style"] == "no copy" and following is not None:
            following["headed"] = True  # two unheaded posts without copies cannot be told apart
    return posts


def render(posts) -> str:
    lines = []
    for post in posts:
        if post["headed"]:
            lines.append("Forwarded from Source 🇷🇺")
        shown = post["body"] + post["tail"]
        lines += [post["title"], *shown]
        if post["style"] == "title once":
            lines += shown
        elif post["style"] == "title twice":
            lines += [post["title"], *shown]
    return "\n".join(lines) + "\n"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(posts=pasted_posts())
def test_pasted_posts_read_back(tmp_path, posts):
    read_back, stats = read(tmp_path, render(posts), name="own.txt")
    assert [p.text for p in read_back] == ["\n".join([post["title"], *post["body"]]) for post in posts]
    assert [p.channel for p in read_back] == ["own"] * len(posts)
    assert [p.forwarded_from for p in read_back] == ["Source" if post["headed"] else None for post in posts]
    assert [p.date for p in read_back] == [utc(2024, 5, i + 1) for i in range(len(posts))]
    assert stats.records == len(posts) and stats.skipped == 0


_PIECES = st.sampled_from(
    [
        "Forwarded from A 🇷🇺",
        "Forwarded from B",
        "Read in full",
        "📄 Read in full",
        "<...>",
        "T (June 25, 2024)",
        "On May 20, x",
        "body a",
        "body b",
        "#Tag",
        "***",
        "",
        "  ",
        "body c <...>",
        "Сегодня, 5 сентября",
    ]
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.one_of(_PIECES, st.text(max_size=12)), min_size=1, max_size=30))
def test_no_line_is_lost_on_any_input(tmp_path, lines):
    text = "\n".join(lines)
    path = tmp_path / "any.txt"
    path.write_text(text, encoding="utf-8")
    stats = FileStats(path=str(path))
    try:
        posts = list(read_copied_text(path, stats, prefix="a", options=ReadOptions()))
    except InputError:
        assert not text.strip() or "\x00" in text
        return
    content = [strip_interface_text(line) for line in re.split(r"\r\n|\r|\n", text) if parse_header(line) is None]
    expected = {" ".join(line.split()) for line in content if line}
    kept = [line for post in posts for line in post.text.split("\n")]
    assert {" ".join(line.split()) for line in kept} == expected
    assert all(post.text and post.text == post.text.strip() for post in posts)
    assert stats.records == len(posts) + stats.skipped
