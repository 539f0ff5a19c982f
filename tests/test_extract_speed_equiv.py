"""The fast extraction path against a plain reference implementation of the same rules.

:class:`Extractor` takes shortcuts for speed (a payload per automaton key, a padded text,
overlaps settled per group, links found from what each kind must contain, offsets of hashtags
and flag runs recovered without match objects, the final sort skipped when only names were
found). The reference below does the same job the slow, obvious way: links masked with the one
regular expressions of :data:`~netanalysis.extract.masking.LINK_PATTERNS`, every key searched with
``str.find`` over the lower-cased text, every bucket tried entry by entry, the longest-first
pass over all candidates at once (then the countries named inside each kept forum), hashtags
and flags from their iterators, one full sort, the context rules, the options. Both must give
identical lists on tricky hand-written texts and on texts that hypothesis glues from tricky
pieces. This is the reference a faster (vectorised) extraction must reproduce.
"""

from __future__ import annotations

import bisect
import operator
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netanalysis.extract import COUNTRY_SOURCES, Extractor
from netanalysis.extract.flags import iter_flags
from netanalysis.extract.gazetteer import NameMatcher, _lower_same_length, normalise_for_matching
from netanalysis.extract.hashtags import iter_hashtags
from netanalysis.extract.masking import reference_link_spans
from netanalysis.registry import Registry

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
_ORDER = operator.itemgetter(5, 0, 1, 6, 2)


def _fixture_registry() -> Registry:
    read = lambda name: pd.read_csv(FIXTURES / name, dtype=str, keep_default_na=False)  # noqa: E731
    return Registry(
        countries=read("countries.csv"),
        forums=read("forums.csv"),
        aliases=read("aliases.csv"),
        stop_phrases=read("stop_phrases.csv"),
    )


def _boundary_before(ch: str) -> bool:
    return not (ch.isalnum() or ch == "_" or ch == "#" or "\u0300" <= ch <= "\u036f")


def _boundary_after(ch: str) -> bool:
    return not (ch.isalnum() or ch == "_" or "\u0300" <= ch <= "\u036f")


def _plain(form):
    return form[0] if isinstance(form, tuple) else form


def _longest(found: list) -> list:
    found = sorted(found, key=lambda m: (m[0] - m[1], m[0]))  # longest first, then leftmost
    starts: list[int] = []
    ends: list[int] = []
    kept = []
    for match in found:
        start, end = match[0], match[1]
        i = bisect.bisect_left(starts, start)
        if (i < len(starts) and starts[i] < end) or (i > 0 and ends[i - 1] > start):
            continue
        starts.insert(i, start)
        ends.insert(i, end)
        kept.insert(i, match)
    return kept


def reference_rows(matcher, text: str) -> list[tuple]:
    """Every key at every place, the bucket tried in order, longest first over all of them,
    then the countries named (name or acronym) inside each kept forum, longest first among
    them and the stop phrases inside it: rows ``(kind, entity, "name", form, surface, start, end)``."""
    norm = normalise_for_matching(text)
    low = _lower_same_length(norm)
    found = []
    for key, bucket in matcher._table.items():
        at = low.find(key)
        while at != -1:
            start, end = at, at + len(key)
            if (start == 0 or _boundary_before(norm[start - 1])) and (end == len(norm) or _boundary_after(norm[end])):
                for entry in bucket:
                    if not entry.exact or norm[start:end] == entry.alias:
                        found.append((start, end, entry.kind, entry.entity, entry.form))
                        break
            at = low.find(key, at + 1)
    kept = _longest(found)
    for forum in [m for m in kept if m[2] == "forum"]:
        inside = [
            m
            for m in found
            if m is not forum
            and forum[0] <= m[0]
            and m[1] <= forum[1]
            and (m[2] is None or (m[2] == "country" and _plain(m[4]) in ("name", "acronym")))
        ]
        kept += _longest(inside)
    kept.sort(key=lambda m: (m[0], m[1]))
    return [(k, e, "name", f, text[a:b], a, b) for a, b, k, e, f in kept if k is not None]


def reference_names(matcher, text: str) -> list[tuple[int, int, str, str]]:
    return [(a, b, k, e) for k, e, _v, _f, _s, a, b in reference_rows(matcher, text)]


def plain_and_ruled(rows: list[tuple]) -> tuple[list[tuple], list[tuple]]:
    """Rows with their forms plain, and the ``(row, rule ids)`` pairs of those with rules."""
    out, ruled = [], []
    for row in rows:
        if isinstance(row[3], tuple):
            plain = row[:3] + (row[3][0],) + row[4:]
            out.append(plain)
            ruled.append((plain, row[3][1]))
        else:
            out.append(row)
    return out, ruled


def reference_extract(ex: Extractor, text: str) -> list[tuple]:
    """What :meth:`Extractor.extract` must return, computed the plain way."""
    if not text:
        return []
    compiled = ex._compiled
    masked = text
    for a, b in reference_link_spans(text):
        masked = masked[:a] + " " * (b - a) + masked[b:]
    rows = []
    for start, end, tag in iter_hashtags(masked):
        rows += [(k, e, v, f, s, start + a, start + b) for k, e, v, f, s, a, b in ex._resolve_tag(tag)]
    for start, end, code in iter_flags(masked):
        hit = compiled.flags.get(code)
        if hit is not None:
            rows.append((hit[0], hit[1], "flag", "flag", text[start:end], start, end))
    names, ruled = plain_and_ruled(reference_rows(compiled.names, masked))
    rows += names
    rows.sort(key=_ORDER)
    if ruled:
        rows = compiled.rules.apply(rows, ruled, masked)
    return [row for row in rows if ex._keep(row)]


TRICKY = [
    "UN un Un uN the UN’s U.N. U.S. U.S.A. US us Us USA",
    "A woman in Oman; Omani oil; the Korean peninsula, the Korean Peninsula, KOREAN PENINSULA, Korea.",
    "Papua New Guinea, Guinea-Bissau, Guinea Bissau, Equatorial Guinea, Guinean, GUINEA",
    "China’s China's Chinaʼs China‘s Russia’s role; People’s Republic of China",
    "#UN Security Council, UN Security Council, #UNSC word#UN С.В.#Лавров #ASEAN-centric",
    "#RussiaChina #russiaus #RussiaUS #Russia_China #РоссияКитай #1 #2024 &#x27; ## #_",
    "Россия РОССИЯ россия России Китай Китайский КИТАЙ Китаю ООН ГА ООН СБ ООН оон",
    "İstanbul İran İRAN Türkiye TÜRKİYE Tu\u0308rkiye Réunion RÉUNION",
    "Russia\u00a0Federation Russian\u00a0Federation Russian\u202fFederation Czech\u00a0Republic",
    "🇷🇺🇧🇾🇦🇲🇰🇬🇹🇯🇰🇿🇦 🇺🇳🇪🇺 🇨🇳🇦 a🇮🇳b 🇦🇦 🇿",
    "Czech Republic and the Czech side; Russian Federation, Russian, Russia-Africa summit",
    "ΣΟΦΙΑΣ σοφίας Σ ς anti-Russia Azerbaijani-Armenian Niger Nigeria NIGER niger",
    "Chad chad CHAD Jordan jordan Georgia georgia Turkey turkey Quad QUAD quad",
    "Европейский Союз Европейский союз ЕВРОПЕЙСКИЙ СОЮЗ европейский союз ЕС ес",
    "#UN &",
    "&#UN",
    "#UN#US #ООН’s",
    "",
    " ",
    "#",
    "🇷",
    "UN",
    "un",
    "\u00a0UN\u00a0",
    "’UN’",
    "_UN_",
    "UN_",
    "ʼUNʼ",
    "see https://bbc.com/russian/news-1#China and tass.com/russia/, mail press@mid.ru, @MID_Russia #Russia",
    "Совет безопасности России, Совбез РФ, Совет Безопасности ООН; Security Council of Armenia and the UN",
    "Секретарь Совбеза встретился с коллегами. Совет Безопасности заседал.",
    "Jordan Bardella and Jordan; ISRAEL ADESANYA; ISRAEL AND IRAN; Israel Defense Forces; M. Jordan",
    "саммит «Россия – Африка», Союзное государство России и Беларуси, Organization of American States",
    "в Мексиканском заливе. Мексиканский в Американский; ул. Грузинская; Малая Грузинская улица",
    "RT на русском\nна русском языке; Русской службы Би-би-си; in Russian and English",
    "Москва. 24 февраля. Вашингтон считает, Кремль и Белый дом; the White House and Moscow",
    "американцы, россиян, Americans, Germans, украинца, нидерландской, чешского, Lao, Bruneian",
    "Thanksgiving turkey and Turkey; GCC 13 and the GCC; RSA keys; CUBA platform; Того же мнения",
]

PIECES = [
    "UN",
    "un",
    "Un",
    "US",
    "us",
    "U.S.",
    "U.S.A.",
    "Oman",
    "woman",
    "Korea",
    "Korean",
    "peninsula",
    "Peninsula",
    "Papua",
    "New",
    "Guinea",
    "Bissau",
    "Equatorial",
    "China",
    "Chinese",
    "Russia",
    "Russian",
    "Federation",
    "Czech",
    "Republic",
    "India",
    "Niger",
    "Nigeria",
    "Chad",
    "CHAD",
    "Россия",
    "РОССИЯ",
    "Китай",
    "Китайский",
    "ООН",
    "ГА",
    "İ",
    "ı",
    "Σ",
    "ς",
    "’s",
    "'s",
    "ʼs",
    "#",
    "#UN",
    "#RussiaChina",
    "#russiaus",
    "#1",
    "&#",
    "&",
    "_",
    "🇷🇺",
    "🇨🇳",
    "🇺🇳",
    "🇪🇺",
    "🇦",
    "\u0308",
    "BRICS",
    "SCO",
    "Shanghai",
    "Cooperation",
    "Organisation",
    "Security",
    "Council",
    "Africa",
    "South",
    "https://x.org/russia",
    "rt.com/china",
    "@Russia",
    "a@b.ru",
    "Совет",
    "безопасности",
    "России",
    "Совбез",
    "ООН",
    "Jordan",
    "Bardella",
    "ISRAEL",
    "Мексиканский",
    "залив",
    "Москва",
    "Кремль",
    "саммит «Россия – Африка»",
    "американцы",
    "на",
    "русском",
]
SEPARATORS = ["", " ", "  ", "\n", "-", ",", ".", "\u00a0", "\u202f", "’", "ʼ", "(", "#", "_"]


@pytest.fixture(scope="module")
def extractors():
    out = []
    for registry in (_fixture_registry(), None):
        out.append(Extractor(registry))
        out.append(Extractor(registry, countries=("flags", "hashtags"), exclude=("RU",), tags=False))
        out.append(Extractor(registry, countries=("names",), exclude=("UN", "country:CN")))
        out.append(Extractor(registry, forms="all"))
        out.append(Extractor(registry, forms="name,flag,metonymy", exclude=("RU",)))
    return out


def test_reference_agrees_on_tricky_texts(extractors):
    for ex in extractors:
        for text in TRICKY:
            assert ex.extract(text) == reference_extract(ex, text), text


def test_reference_is_not_trivial(extractors):
    # guard against a vacuous comparison: the tricky texts do produce names, tags, pairs,
    # flags and overlaps that the longest-match rule settles
    ex = extractors[5]  # bundled registry, default options
    assert ex.countries == COUNTRY_SOURCES
    rows = [row for text in TRICKY for row in ex.extract(text)]
    assert {row[2] for row in rows} == {"name", "hashtag", "pair_hashtag", "flag"}
    seen = {(row[0], row[1], row[2], row[4]) for row in rows}
    assert ("country", "PG", "name", "Papua New Guinea") in seen
    assert ("country", "GW", "name", "Guinea-Bissau") in seen
    assert not any(row[4] in ("Oman", "Korea") and row[5] == 3 for row in ex.extract(TRICKY[1]))
    # and the newer steps happen: a country inside a forum's name, a link masked, a rule applied
    assert {("forum", "RUSSIA_AFRICA"), ("country", "RU")} <= {
        row[:2] for row in ex.extract("саммит «Россия – Африка»")
    }
    assert ex.extract("https://x.org/russia") == []
    assert [row[1] for row in ex.extract("Совет безопасности России")] == ["RU"]
    assert [row[3] for row in ex.extract("американцы, Вашингтон")] == ["demonym"]  # metonymy not kept by default


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PIECES), st.sampled_from(SEPARATORS)), max_size=14))
def test_reference_agrees_on_generated_texts(extractors, parts):
    text = "".join(piece + sep for piece, sep in parts)
    for ex in extractors:
        assert ex.extract(text) == reference_extract(ex, text), text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("UNSunsCIhadiOmw #’ʼ'-_\u00a0İΣς🇷🇺🇦Ро")), max_size=40))
def test_reference_agrees_on_random_characters(extractors, text):
    for ex in extractors:
        assert ex.extract(text) == reference_extract(ex, text), text


# A small made-up vocabulary where candidates overlap in every way: by one character, as
# long as each other, inside one another, inside stop phrases; one key both exact and fold
# (the bucket's order decides), one only exact, an exact stop phrase.
TOY_NAMES = [
    ("ab cd", False, "country", "X1"),
    ("cd ef", False, "country", "X2"),
    ("AB", True, "forum", "F1"),
    ("ab", False, "country", "X3"),
    ("CD", True, "forum", "F2"),
    ("ef gh ij", False, "country", "X4"),
    ("d ef", False, "country", "X5"),
    ("gh", False, "country", "X6"),
    ("ij-ab", False, "forum", "F3"),
    ("Ef", True, "country", "X7"),
    ("kl mn", False, "country", "X8"),
    ("mn op", False, "country", "X9"),
    ("q r", False, "country", "X10"),
    ("r s", False, "country", "X11"),
]
TOY_STOPS = [("cd ef gh", False), ("Ij Ab", True)]
TOY_PIECES = [
    "ab",
    "AB",
    "Ab",
    "cd",
    "CD",
    "Cd",
    "d",
    "ef",
    "EF",
    "Ef",
    "gh",
    "ij",
    "Ij",
    "x",
    "kl",
    "mn",
    "op",
    "q",
    "r",
    "s",
]


@settings(max_examples=400, deadline=None)
@given(
    parts=st.lists(
        st.tuples(st.sampled_from(TOY_PIECES), st.sampled_from([" ", " ", "-", "", "#", "\u00a0", "_"])), max_size=10
    )
)
def test_matcher_agrees_with_reference_on_overlaps(parts):
    # (the regex backend tries one key per place, the longest that fits, so it is not
    # compared here: with keys that overlap like these it can differ, as it always could)
    matcher = NameMatcher(TOY_NAMES, TOY_STOPS)
    text = "".join(piece + sep for piece, sep in parts)
    assert matcher.find_tuples(text) == reference_names(matcher, text), text


def test_matcher_overlap_cases():
    matcher = NameMatcher(TOY_NAMES, TOY_STOPS)
    assert matcher.find_tuples("ab cd ef") == [(0, 5, "country", "X1")]
    assert matcher.find_tuples("kl mn op") == [(0, 5, "country", "X8")]  # as long: the first wins
    assert matcher.find_tuples("q r s") == [(0, 3, "country", "X10")]  # one character shared
    assert matcher.find_tuples("q r s r s") == [(0, 3, "country", "X10"), (6, 9, "country", "X11")]
    assert matcher.find_tuples("cd ef gh ij") == []  # the stop phrase is longest
    for text in [
        "ab cd ef",
        "kl mn op",
        "q r s",
        "q r s r s",
        "x q r s kl mn op ab",
        "cd ef gh ij",
        "x ab cd ef gh ij",
        "AB CD Ef",
        "Ab cd",
        "ij-ab cd",
        "Ij Ab",
    ]:
        assert matcher.find_tuples(text) == reference_names(matcher, text), text


def test_regex_backend_agrees_on_tricky_texts():
    # the slow regex alternation stays usable and gives the same rows on these texts
    fast, slow = Extractor(_fixture_registry()), Extractor(_fixture_registry(), backend="regex")
    for text in TRICKY:
        assert fast.extract(text) == slow.extract(text), text
