"""Dates a post states in its title line, and years inferred from neighbouring posts."""

from datetime import UTC, datetime

import pytest

from netanalysis.ingest.dates import PartialDate, find_dates, find_post_date, resolve_dates


def utc(y, m, d):
    return datetime(y, m, d, tzinfo=UTC)


@pytest.mark.parametrize(
    "title, expected",
    [
        ("🇷🇺🇨🇳 On April 8-9, Foreign Minister Sergey Lavrov will pay an official visit to China.", (8, 4, None)),
        ("🇷🇺🇨🇳 On April 8–9, with an en dash", (8, 4, None)),
        ("🇷🇺🇨🇳 On May 20, FM Sergey Lavrov met with Foreign Minister Wang Yi.", (20, 5, None)),
        ("Lavrov’s opening remarks during a meeting with Lukashenko (Minsk, June 25, 2024)", (25, 6, 2024)),
        (
            "🎙 Lavrov’s answers to questions of the Moscow. Kremlin. Putin TV programme (3 July 2024, Astana)",
            (3, 7, 2024),
        ),
        ("From the Joint Statement on the results of bilateral talks (19 August 2024)", (19, 8, 2024)),
        ("Today, September 5, marks the tenth anniversary of the signing of the Minsk Protocol", (5, 9, None)),
        ("🎙Foreign Minister Sergey Lavrov’s interview to Newsweek magazine (October 7, 2024)", (7, 10, 2024)),
        ("On Sept. 12, the ministers met", (12, 9, None)),
        ("🇷🇺🇨🇳 8 апреля 2024 года Министр иностранных дел С.В.Лавров провёл переговоры", (8, 4, 2024)),
        ("🇷🇺🇨🇳 8-9 апреля Министр С.В.Лавров посетит Китай", (8, 4, None)),
        ("Сегодня, 5 сентября, исполняется десять лет Минскому протоколу", (5, 9, None)),
        ("Заявление МИД России (25.06.2024)", (25, 6, 2024)),
        ("Statement 2024-06-25 on the summit", (25, 6, 2024)),
        ("Выступление С.В.Лаврова (Москва, 1 марта 2024 г.)", (1, 3, 2024)),
    ],
)
def test_every_date_shape_of_a_title(title, expected):
    found = find_post_date(title + "\nThe body follows.")
    assert found is not None
    assert (found.day, found.month, found.year) == expected
    assert found.start < found.end <= len(title)


def test_offsets_point_at_the_written_date():
    text = "🇷🇺🇨🇳 On April 8-9, Lavrov visits China"
    found = find_post_date(text)
    assert text[found.start : found.end] == "April 8-9"
    text = "  Remarks (Minsk, June 25, 2024)\nbody"
    found = find_post_date(text)
    assert text[found.start : found.end] == "June 25, 2024"


@pytest.mark.parametrize(
    "text",
    [
        # body dates are about other events: never the post's date
        "⚡️ On the human rights situation in Czech Republic\nIn June 2023, Czech President Petr Pavel ...",
        "A meeting in the SCO Plus format was held in Astana.\nOn 14 June, Putin listed prerequisites.",
        "Title without a date\n(October 7, 2024)",
        "Agreements reached between 2020 and 2022 by the presidents",
        "Later, in February 2015, the Package of Measures was adopted",
        "In 2022, the number of incidents grew; 77th Anniversary",
        "В феврале 2015 года был принят Комплекс мер",
        "",
        "\n\n",
    ],
)
def test_no_date_of_its_own(text):
    assert find_post_date(text) is None


def test_only_the_first_sentence_outside_parentheses():
    assert find_post_date("Lavrov spoke in Minsk. On 14 June he met Putin.") is None
    assert find_post_date("Lavrov met Wang Yi on May 20 in Astana. More text.").day == 20


def test_parenthesised_date_wins_over_a_date_in_the_sentence():
    found = find_post_date("Remarks on the events of 5 May 1945 (9 May 2024, Moscow)")
    assert (found.day, found.month, found.year) == (9, 5, 2024)


@pytest.mark.parametrize("text", ["30 February 2024 talks", "On April 31, nothing", "31.04.2024", "32 мая"])
def test_impossible_days_are_not_dates(text):
    assert find_post_date(text) is None


def test_find_dates_lists_all_in_order():
    found = find_dates("On 14 June Putin spoke; on 6 August Kiev attacked; (October 7, 2024)")
    assert [(d.day, d.month, d.year) for d in found] == [(14, 6, None), (6, 8, None), (7, 10, 2024)]


def test_month_words_that_are_not_dates():
    assert find_dates("The Mayor 5 times; may 2024 be better; in June 2023") == []


def test_full_dates_are_text_and_partial_inferred_from_the_next():
    result = resolve_dates([PartialDate(8, 4, None), PartialDate(20, 5, None), PartialDate(25, 6, 2024)])
    assert result == [(utc(2024, 4, 8), "inferred"), (utc(2024, 5, 20), "inferred"), (utc(2024, 6, 25), "text")]


def test_partial_between_neighbours():
    result = resolve_dates([PartialDate(19, 8, 2024), PartialDate(5, 9, None), PartialDate(7, 10, 2024)])
    assert result[1] == (utc(2024, 9, 5), "inferred")


def test_december_to_january_rollover():
    result = resolve_dates(
        [PartialDate(28, 12, 2023), PartialDate(30, 12, None), PartialDate(3, 1, None), PartialDate(5, 3, None)]
    )
    assert [d for d, _ in result] == [utc(2023, 12, 28), utc(2023, 12, 30), utc(2024, 1, 3), utc(2024, 3, 5)]
    assert [s for _, s in result] == ["text", "inferred", "inferred", "inferred"]


def test_rollover_before_the_next_written_date():
    result = resolve_dates([PartialDate(29, 12, None), PartialDate(2, 1, None), PartialDate(10, 1, 2025)])
    assert [d for d, _ in result] == [utc(2024, 12, 29), utc(2025, 1, 2), utc(2025, 1, 10)]


def test_undated_posts_stay_undated_and_do_not_block_inference():
    result = resolve_dates([None, PartialDate(10, 6, None), None, PartialDate(3, 7, 2024), None])
    assert result == [
        (None, "none"),
        (utc(2024, 6, 10), "inferred"),
        (None, "none"),
        (utc(2024, 7, 3), "text"),
        (None, "none"),
    ]


def test_no_year_anywhere_leaves_partials_undated():
    assert resolve_dates([PartialDate(8, 4, None), PartialDate(5, 9, None)]) == [(None, "none"), (None, "none")]
    assert resolve_dates([]) == []


def test_a_written_date_years_before_its_neighbours_is_not_the_posts():
    result = resolve_dates([PartialDate(20, 6, 2024), PartialDate(22, 6, 1941), PartialDate(25, 6, 2024)])
    assert result[1] == (None, "none")
    assert result[0][1] == result[2][1] == "text"


def test_an_early_first_post_is_checked_against_the_next_one():
    result = resolve_dates([PartialDate(9, 5, 1945), PartialDate(10, 5, 2024)])
    assert result == [(None, "none"), (utc(2024, 5, 10), "text")]


def test_a_rejected_date_does_not_pull_inferred_years_back():
    result = resolve_dates([PartialDate(20, 6, 2024), PartialDate(22, 6, 1941), PartialDate(1, 7, None)])
    assert result[2] == (utc(2024, 7, 1), "inferred")


def test_february_29_only_in_leap_years():
    result = resolve_dates([PartialDate(20, 2, 2024), PartialDate(29, 2, None)])
    assert result[1] == (utc(2024, 2, 29), "inferred")
    result = resolve_dates([PartialDate(20, 2, 2023), PartialDate(29, 2, None)])
    assert result[1] == (utc(2024, 2, 29), "inferred")  # the next leap year, not an impossible date


def test_dates_are_midnight_utc_and_aware():
    ((date, _),) = resolve_dates([PartialDate(3, 7, 2024)])
    assert date.tzinfo is UTC and (date.hour, date.minute, date.second) == (0, 0, 0)


def test_inputs_are_not_mutated():
    partials = [PartialDate(8, 4, None), PartialDate(25, 6, 2024)]
    before = list(partials)
    resolve_dates(partials)
    assert partials == before


def test_docstring_examples_run():
    import doctest

    from netanalysis.ingest import dates, text

    for module in (dates, text):
        assert doctest.testmod(module).failed == 0
