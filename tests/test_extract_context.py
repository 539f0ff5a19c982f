"""Context rules and forms on the bundled registry: councils, homographs, places, languages,
countries inside forum names, and the forms each mention carries."""

from __future__ import annotations

import pandas as pd
import pytest

from netanalysis.errors import ConfigError
from netanalysis.extract import Extractor, extract_mentions
from netanalysis.extract.context import ContextRules
from netanalysis.model import DEFAULT_FORMS, MENTION_FORMS, Post, parse_forms
from netanalysis.registry import RULE_COLUMNS, load_registry


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.fixture(scope="module")
def ex(registry):
    return Extractor(registry)


@pytest.fixture(scope="module")
def everything(registry):
    return Extractor(registry, forms="all")


def found(ex: Extractor, text: str) -> list[tuple[str, str]]:
    return [(row[0], row[1]) for row in ex.extract(text) if row[0] != "tag"]


def forms(ex: Extractor, text: str) -> list[tuple[str, str, str]]:
    return [(row[1], row[3], row[4]) for row in ex.extract(text) if row[0] != "tag"]


# --------------------------------------------------------------------------- councils

NATIONAL_COUNCILS = [
    ("Secretary of the Security Council of the Russian Federation Sergei Shoigu", "RU"),
    ("Russia's Security Council discussed the situation", "RU"),
    ("the Russian Security Council met", "RU"),
    ("Secretary of the Security Council of Armenia Armen Grigoryan", "AM"),
    ("his Armenian colleague, the Iranian Security Council Secretary", "IR"),
    ("Secretary of the Supreme National Security Council of Iran Ali Shamkhani", "IR"),
    ("Секретарь Совета безопасности России Сергей Шойгу прилетел в Минск", "RU"),
    ("пресс-служба Совета Безопасности Российской Федерации", "RU"),
    ("секретарь Совбеза РФ встретился", "RU"),
    ("совещание с членами Совбеза России", "RU"),
    ("российского Совбеза", "RU"),
    ("государственный секретарь Совета безопасности Белоруссии", "BY"),
    ("с секретарем Совета безопасности Республики Армения", "AM"),
    ("секретарь Совета безопасности Таджикистана", "TJ"),
]


@pytest.mark.parametrize("text, country", NATIONAL_COUNCILS)
@pytest.mark.parametrize("un_elsewhere", ["", " Earlier, at the UN General Assembly and the UN, he spoke."])
def test_national_security_councils_never_become_unsc(ex, text, country, un_elsewhere):
    got = found(ex, text + un_elsewhere)
    assert ("forum", "UNSC") not in got
    # the country the council belongs to is a mention: no stop phrase swallows it
    assert ("country", country) in got


@pytest.mark.parametrize(
    "text",
    [
        "заместитель председателя Совета безопасности Дмитрий Медведев",
        "The press service of the Security Council staff stated",
        "члены Совбеза обсудили ситуацию; постоянных членов СБ",
        "the National Security Council Secretary",
        "Генеральная ассамблея Интерпола прошла в Вене; General Assembly of the ICC",
    ],
)
def test_a_bare_council_or_assembly_without_the_un_is_nobody(ex, text):
    assert not {("forum", "UNSC"), ("forum", "UNGA")} & set(found(ex, text))


@pytest.mark.parametrize(
    "text, body",
    [
        ("Совет Безопасности ООН проголосовал", "UNSC"),
        ("заседание Совбеза ООН", "UNSC"),
        ("на голосование СБ ООН", "UNSC"),
        ("the UN Security Council", "UNSC"),
        ("the Security Council of the United Nations", "UNSC"),
        ("the United Nations wants reform, including of its Security Council", "UNSC"),
        ("постпред при ООН пришел на заседание Совбеза", "UNSC"),
        ("#ООН Совет Безопасности заседал", "UNSC"),
        ("#UnitedNations and its Security Council", "UNSC"),
        ("в Генеральной Ассамблее ООН", "UNGA"),
        ("специальной сессии Генеральной Ассамблеи ООН", "UNGA"),
        ("Совет Безопасности ООН призвал созвать заседание Генеральной Ассамблеи", "UNGA"),
    ],
)
def test_the_un_bodies_with_a_un_cue(ex, text, body):
    assert ("forum", body) in found(ex, text)


def test_a_un_body_is_not_the_un_as_well(ex):
    assert found(ex, "в Генеральной Ассамблее ООН и в Совбезе ООН") == [("forum", "UNGA"), ("forum", "UNSC")]


def test_two_bare_councils_do_not_vouch_for_each_other(ex):
    assert found(ex, "Совбез заседал. Совбез решил.") == []


# --------------------------------------------------------------------------- homographs


@pytest.mark.parametrize(
    "text, not_there, still_there",
    [
        ("Jordan Bardella: 28-year-old 'captain' of France's far right party", "JO", "FR"),
        ("ISRAEL ADESANYA is champing at the bit", "IL", None),
        ("Defence Minister Israel Katz said", "IL", None),
        ("Chad J. Smith and Salvador Dalí visited", "TD", None),
        ("ATLANTA (AP) — Republican Brian Kemp resigned as Georgia's secretary of state", "GE", None),
        ("Georgia Gov. Brian Kemp", "GE", None),
        ("a traditional White House event when the National Turkey Federation presented a turkey", "TR", None),
        ("the Thanksgiving Turkey presentation", "TR", None),
        ("RSA keys and GCC 13 and the CUBA platform", "ZA", None),
        ("built with GCC 9, GCC 13 and a GCC-12 toolchain on a Quad-core chip", "ZA", None),
        ("read China Daily and Russia Today", "CN", None),
    ],
)
def test_english_homographs(ex, text, not_there, still_there):
    got = found(ex, text)
    for acronym in ("GCC", "QUAD"):  # the compiler and a quad-core chip are no forums
        assert acronym.lower() not in text.lower() or ("forum", acronym) not in got
    assert ("country", not_there) not in got
    if still_there:
        assert ("country", still_there) in got


@pytest.mark.parametrize(
    "text",
    [
        "Israel and Jordan signed; Israel Defense Forces",
        "ISRAEL AND IRAN",
        "Georgia and the EU; the President of Georgia",
        "Turkey and Syria",
        "the GCC summit",
        "the GCC 2024 summit in Doha",
    ],
)
def test_the_same_words_as_names_stay(ex, text):
    assert found(ex, text)


@pytest.mark.parametrize(
    "text, country",
    [
        ("закрытие части Китай-города", "CN"),
        ("пожар на улице Малая Грузинская, дом 25", "GE"),
        ("по адресу ул. Грузинская д.52/а", "GE"),
        ("в Мексиканском заливе в 2010 году", "MX"),
        ("Мексиканский залив будет переименован. Мексиканский в Американский", "MX"),
        ("Церкови Николая Чудотворца (Китайское подворье)", "CN"),
        ("стабильность в Тайваньском проливе", "TW"),
        ("the East and South China seas", "CN"),
        ("the Gulf of Mexico", "MX"),
        ("Корреспондент Русской службы Би-би-си", "RU"),
        ("RT на русском\nТакже", "RU"),
        ("на русском языке", "RU"),
        ("published in Russian and English", "RU"),
        ("Того же мнения придерживаются и другие", "TG"),
    ],
)
def test_russian_and_english_places_names_languages(ex, text, country):
    assert ("country", country) not in found(ex, text)


@pytest.mark.parametrize(
    "text, country",
    [
        ("на российском рынке", "RU"),
        ("мексиканские власти", "MX"),
        ("Российская сторона готова", "RU"),
        ("министры Того и Бенина", "TG"),
        ("in Russian territory", "RU"),
    ],
)
def test_ordinary_adjectives_and_names_stay(ex, text, country):
    assert ("country", country) in found(ex, text)


# ---------------------------------------------------------------------- names in forums


def test_a_country_named_inside_a_forums_name_counts_too(ex):
    assert found(ex, "второй саммит «Россия – Африка»") == [("forum", "RUSSIA_AFRICA"), ("country", "RU")]
    assert ("country", "RU") in found(ex, "the Russia-Africa Partnership Forum")
    assert set(found(ex, "Союзное государство России и Беларуси")) >= {("country", "RU"), ("country", "BY")}
    assert ("country", "US") in found(ex, "формат «Центральная Азия + США»")
    # an adjective inside a forum's name is not a mention of the country
    assert found(ex, "the Organization of American States") == [("forum", "OAS")]


# ----------------------------------------------------------------------------- forms


def test_forms_of_text_mentions(everything):
    text = "Россия, РФ, российский, россияне, Кремль; Russia, US, Russian, Americans, Washington"
    assert forms(everything, text) == [
        ("RU", "name", "Россия"),
        ("RU", "acronym", "РФ"),
        ("RU", "adjective", "российский"),
        ("RU", "demonym", "россияне"),
        ("RU", "metonymy", "Кремль"),
        ("RU", "name", "Russia"),
        ("US", "acronym", "US"),
        ("RU", "adjective", "Russian"),
        ("US", "demonym", "Americans"),
        ("US", "metonymy", "Washington"),
    ]


def test_forms_of_other_mentions(everything):
    got = forms(everything, "🇷🇺 #BRICS #RussiaChina")
    assert [(e, f) for e, f, _ in got] == [
        ("RU", "flag"),
        ("BRICS", "hashtag"),
        ("RU", "pair_hashtag"),
        ("CN", "pair_hashtag"),
    ]


def test_metonymy_counts_only_when_asked(ex, everything, registry):
    text = "Вашингтон и Пекин договорились; Brussels agrees"
    assert found(ex, text) == []
    assert found(everything, text) == [("country", "US"), ("country", "CN"), ("forum", "EU")]
    only = Extractor(registry, forms="metonymy,flag")
    assert found(only, text + " Россия 🇷🇺") == [
        ("country", "US"),
        ("country", "CN"),
        ("forum", "EU"),
        ("country", "RU"),
    ]


def test_datelines_are_not_metonymy(everything):
    assert found(everything, "Москва. 24 февраля. Заявление") == []
    assert found(everything, "МОСКВА, 31 декабря. /ТАСС/.") == []
    assert found(everything, "Moscow, April 22, 2024: talks") == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("чешского и нидерландской, канадском, шведских, швейцарская, австрийский, австралийских",
         ["CZ", "NL", "CA", "SE", "CH", "AT", "AU"]),
        ("россиян, американцев, украинца, немцы, китаянки, Americans, Germans, Israelis, Lao, Bruneian",
         ["RU", "US", "UA", "DE", "CN", "US", "DE", "IL", "LA", "BN"]),
        ("Штаты и Соединённые Штаты", ["US", "US"]),
    ],
)  # fmt: skip
def test_paradigms_and_demonyms(ex, text, expected):
    assert [e for _, e in found(ex, text)] == expected


def test_forms_option_is_checked(registry):
    with pytest.raises(ConfigError, match="unknown form"):
        Extractor(registry, forms="name,capital")
    assert Extractor(registry, forms="all").forms == MENTION_FORMS
    assert Extractor(registry).forms == DEFAULT_FORMS == parse_forms("default")


def test_the_mention_table_has_forms(registry):
    posts = [Post("p1", "c", None, "none", "Вашингтон и россияне, #BRICS", "f:1")]
    table = extract_mentions(posts, registry, forms="all")
    assert table["form"].tolist() == ["metonymy", "demonym", "hashtag"]
    assert extract_mentions(posts, registry)["form"].tolist() == ["demonym", "hashtag"]


def test_options_never_change_what_the_rules_see(registry):
    # the UN hashtag vouches for the bare council even when the UN itself is excluded
    text = "#UN Совбез заседал"
    assert found(Extractor(registry, exclude=["UN"]), text) == [("forum", "UNSC")]
    assert found(Extractor(registry, forms="name"), text) == [("forum", "UNSC")]


# ---------------------------------------------------------------------- the rules table


def _rules(**row) -> pd.DataFrame:
    base = dict.fromkeys(RULE_COLUMNS, "")
    base.update(rule="r", applies_to="country", case="any", **{"class": "person"}, reason="x")
    base.update(row)
    return pd.DataFrame([base], columns=RULE_COLUMNS)


def test_rule_selection_by_entity_form_language_and_alias():
    rules = ContextRules(_rules(applies_to="country:JO forum", form="name", lang="en", alias="jordan|x", after=r"\sY"))
    assert rules.rules_for("country", "JO", "Jordan", "en", "name") == (0,)
    assert rules.rules_for("forum", "UN", "X", "en", "name") == (0,)
    assert rules.rules_for("country", "JO", "Jordan", "ru", "name") == ()
    assert rules.rules_for("country", "JO", "Jordanian", "en", "name") == ()  # the whole alias must match
    assert rules.rules_for("country", "JO", "Jordan", "en", "adjective") == ()
    assert rules.rules_for("country", "IL", "Jordan", "en", "name") == ()


def test_rule_conditions_and_placeholders():
    rules = ContextRules(_rules(before=r"{country}\s+", after=r"\s+end", post="P"))
    row = ("country", "XX", "name", "name", "Word", 8, 12)
    other = ("country", "YY", "name", "name", "Other", 2, 7)
    text = "P Other Word end"
    assert rules.apply([other, row], [(row, (0,))], text) == [other]  # every condition holds: dropped
    assert rules.apply([other, row], [(row, (0,))], text.replace("P", "Q")) == [other, row]
    assert rules.apply([row], [(row, (0,))], text) == [row]  # no country before it
    assert rules.apply([other], [(row, (0,))], text) == [other]  # a match that is not a row is ignored
