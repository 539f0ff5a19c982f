"""The registries: integrity of the shipped data, extension files, validation errors, labels."""

from __future__ import annotations

import re
import shutil
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from netanalysis.errors import RegistryError
from netanalysis.registry import (
    ALIAS_COLUMNS,
    COUNTRY_COLUMNS,
    DATA_DIR,
    FORUM_COLUMNS,
    STOP_PHRASE_COLUMNS,
    Registry,
    load_registry,
)

FIXTURES = Path(__file__).parent / "fixtures" / "registry"
HEADER = "kind,entity,alias,lang,case,use"

#: The forums the registry must know, each with English and Russian forms.
REQUIRED_FORUMS = [
    "UN",
    "UNSC",
    "UNGA",
    "BRICS",
    "SCO",
    "G20",
    "G7",
    "APEC",
    "ASEAN",
    "EAEU",
    "CSTO",
    "CIS",
    "CICA",
    "OSCE",
    "EEC",
    "AU",
    "CELAC",
    "NATO",
    "EU",
    "COE",
    "OECD",
    "OPEC",
    "OPEC_PLUS",
    "OIC",
    "ARAB_LEAGUE",
    "GCC",
    "MERCOSUR",
    "UNION_STATE",
    "WTO",
    "IAEA",
    "UNESCO",
    "WHO",
    "IMF",
    "WORLD_BANK",
    "ECOWAS",
    "SADC",
    "EAS",
    "ARF",
    "QUAD",
    "AUKUS",
    "NAM",
    "G77",
    "CASPIAN_SUMMIT",
    "BSEC",
    "C5_PLUS_1",
    "CENTRAL_ASIA_RUSSIA",
]

#: Aliases that deliberately name two entities of the same kind (none so far). A new entry here
#: must say why, e.g. ("country", "fold", "dominican"): ("DM", "DO").
DELIBERATE_SHARED_ALIASES: dict[tuple[str, str, str], tuple[str, ...]] = {}


@pytest.fixture(scope="module")
def reg() -> Registry:
    return load_registry()


def aliases_of(reg: Registry, kind: str, entity: str) -> set[str]:
    frame = reg.aliases
    return set(frame.loc[(frame["kind"] == kind) & (frame["entity"] == entity), "alias"])


def alias_row(reg: Registry, kind: str, entity: str, alias: str) -> pd.DataFrame:
    frame = reg.aliases
    return frame[(frame["kind"] == kind) & (frame["entity"] == entity) & (frame["alias"] == alias)]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------
# the shipped data


def test_tables_have_the_documented_columns(reg):
    assert list(reg.countries.columns) == COUNTRY_COLUMNS
    assert list(reg.forums.columns) == FORUM_COLUMNS
    assert list(reg.aliases.columns) == ALIAS_COLUMNS
    assert list(reg.stop_phrases.columns) == STOP_PHRASE_COLUMNS


def test_every_iso_code_once_with_namibia_and_kosovo(reg):
    codes = list(reg.countries["code"])
    assert len(codes) >= 250  # 249 ISO 3166-1 alpha-2 codes + XK
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[A-Z]{2}", code) for code in codes)
    assert reg.is_country("NA") and reg.label("country", "NA") == "Namibia"
    assert reg.is_country("XK") and reg.label("country", "XK") == "Kosovo"
    for code in ("AQ", "BV", "HM", "UM", "EH", "PS", "TW", "VA", "SS", "GW", "GQ"):
        assert reg.is_country(code), code
    assert not reg.is_country("SU") and not reg.is_country("na")


def test_no_cell_is_missing_or_padded(reg):
    for frame in (reg.countries, reg.forums, reg.aliases, reg.stop_phrases):
        assert not frame.isna().any().any()
        for column in frame.columns:
            values = frame[column]
            assert (values == values.str.strip()).all(), column
    assert (reg.countries[["code", "name", "official_name", "name_ru"]] != "").all().all()
    assert (reg.aliases["alias"] != "").all()


def test_files_read_in_a_spreadsheet_way_match_the_loader(reg):
    """What a researcher sees (pandas, everything a string, NA kept) is what the loader loads."""
    countries = pd.read_csv(DATA_DIR / "countries.csv", keep_default_na=False, dtype=str)
    assert "NA" in set(countries["code"])
    assert len(countries) == len(reg.countries)
    aliases = pd.read_csv(DATA_DIR / "aliases.csv", keep_default_na=False, dtype=str)
    assert list(aliases.columns) == ALIAS_COLUMNS
    assert len(aliases.drop_duplicates()) == len(reg.aliases)


def test_aliases_are_sorted_and_unique(reg):
    frame = reg.aliases
    assert not frame.duplicated().any()
    assert not frame.duplicated(["kind", "entity", "alias", "lang", "case"]).any()
    rows = list(frame.itertuples(index=False, name=None))
    assert rows == sorted(rows)


def test_every_alias_names_a_known_entity(reg):
    countries, forums = set(reg.countries["code"]), set(reg.forums["id"])
    for kind, entity in reg.aliases[["kind", "entity"]].drop_duplicates().itertuples(index=False, name=None):
        assert entity in (countries if kind == "country" else forums), (kind, entity)


def test_every_country_and_forum_has_english_and_russian_aliases(reg):
    frame = reg.aliases
    for kind, ids in (("country", reg.countries["code"]), ("forum", reg.forums["id"])):
        langs = frame[frame["kind"] == kind].groupby("entity")["lang"].agg(set)
        for entity in ids:
            assert {"en", "ru"} <= langs.get(entity, set()), (kind, entity)


def test_required_forums_present(reg):
    for fid in REQUIRED_FORUMS:
        assert reg.is_forum(fid), fid
    assert len(reg.forums) >= 45
    assert set(reg.forums["type"]) <= {"organisation", "format", "body"}


def test_no_alias_names_two_entities_of_the_same_kind(reg):
    owners: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for kind, entity, alias, _, case, _, _ in reg.aliases.itertuples(index=False, name=None):
        owners[(kind, case, alias.casefold() if case == "fold" else alias)].add(entity)
    shared = {key: tuple(sorted(v)) for key, v in owners.items() if len(v) > 1}
    assert shared == DELIBERATE_SHARED_ALIASES
    # nor may a case-folded alias of one entity swallow an exact alias of another
    folded = {key[2]: v for key, v in owners.items() if key[1] == "fold"}
    for (kind, case, alias), entities in owners.items():
        if case == "exact" and alias.casefold() in folded:
            assert folded[alias.casefold()] == entities, alias


@pytest.mark.parametrize(
    "alias, entity",
    [
        ("China", "CN"),
        ("Türkiye", "TR"),
        ("Turkey", "TR"),
        ("Turkiye", "TR"),
        ("Czech Republic", "CZ"),
        ("Czechia", "CZ"),
        ("Ivory Coast", "CI"),
        ("Côte d'Ivoire", "CI"),
        ("Côte d’Ivoire", "CI"),
        ("Burma", "MM"),
        ("Myanmar", "MM"),
        ("DPRK", "KP"),
        ("North Korea", "KP"),
        ("Republic of Korea", "KR"),
        ("South Korea", "KR"),
        ("the Netherlands", "NL"),
        ("Holland", "NL"),
        ("UK", "GB"),
        ("Britain", "GB"),
        ("United Kingdom", "GB"),
        ("Guinea-Bissau", "GW"),
        ("Chinese", "CN"),
        ("Indian", "IN"),
        ("Azerbaijani", "AZ"),
        ("Belarusian", "BY"),
        ("Russian", "RU"),
        ("Czech", "CZ"),
        ("People’s Republic of China", "CN"),
        ("США", "US"),
        ("ЮАР", "ZA"),
        ("Южная Африка", "ZA"),
        ("Южной Африки", "ZA"),
        ("Беларусь", "BY"),
        ("Республики Беларусь", "BY"),
        ("Китайской Народной Республики", "CN"),
        ("Фарерских островов", "FO"),
    ],
)
def test_well_known_names_map_to_their_country(reg, alias, entity):
    assert alias in aliases_of(reg, "country", entity)


@pytest.mark.parametrize(
    "country, forms",
    [
        ("CN", ["Китай", "Китая", "Китаю", "Китаем", "Китае"]),
        ("IN", ["Индия", "Индии", "Индию", "Индией"]),
        ("RU", ["Россия", "России", "Россию", "Россией"]),
        ("US", ["США", "Соединённые Штаты", "Соединённых Штатов", "Соединенных Штатов"]),
        ("BY", ["Белоруссия", "Белоруссии", "Белоруссию", "Белоруссией", "Беларусь", "Беларуси", "Беларусью"]),
        ("ZA", ["Южная Африка", "Южной Африки", "Южную Африку", "Южной Африкой"]),
        ("EG", ["Египет", "Египта", "Египту", "Египтом", "Египте"]),
        ("KZ", ["Казахстан", "Казахстана", "Казахстану", "Казахстаном", "Казахстане"]),
    ],
)
def test_russian_case_forms(reg, country, forms):
    missing = set(forms) - aliases_of(reg, "country", country)
    assert not missing


@pytest.mark.parametrize(
    "country, adjective",
    [
        ("RU", "российск"),
        ("CN", "китайск"),
        ("US", "американск"),
        ("IN", "индийск"),
        ("BY", "белорусск"),
        ("KZ", "казахстанск"),
        ("TR", "турецк"),
        ("IR", "иранск"),
        ("BR", "бразильск"),
        ("ZA", "южноафриканск"),
        ("FR", "французск"),
        ("DE", "германск"),
    ],
)
def test_russian_adjectives_in_the_main_forms(reg, country, adjective):
    forms = {adjective + ending for ending in ("ий", "ая", "ое", "ие", "ого", "ой", "их")}
    assert forms <= aliases_of(reg, "country", country)


@pytest.mark.parametrize(
    "kind, entity, alias",
    [
        ("country", "US", "US"),
        ("country", "US", "USA"),
        ("country", "GB", "UK"),
        ("country", "AE", "UAE"),
        ("country", "KP", "DPRK"),
        ("forum", "UN", "UN"),
        ("forum", "EU", "EU"),
        ("forum", "SCO", "SCO"),
        ("forum", "UN", "ООН"),
        ("forum", "EU", "ЕС"),
        ("country", "TD", "Chad"),
        ("country", "JO", "Jordan"),
        ("country", "TR", "Turkey"),
        ("country", "GE", "Georgia"),
        ("country", "NE", "Niger"),
        ("country", "GN", "Guinea"),
        ("country", "OM", "Oman"),
        ("country", "ML", "Mali"),
        ("country", "TD", "Чад"),
        ("country", "QA", "Катар"),
        ("country", "TG", "Того"),
    ],
)
def test_acronyms_and_common_words_are_exact(reg, kind, entity, alias):
    rows = alias_row(reg, kind, entity, alias)
    assert len(rows) == 1 and rows["case"].iloc[0] == "exact"


def test_short_ambiguous_russian_acronyms_only_in_hashtags(reg):
    for entity, alias in (("AU", "АС"), ("COE", "СЕ"), ("UNSC", "СБ")):
        rows = alias_row(reg, "forum", entity, alias)
        assert list(rows["use"]) == ["tag"] and list(rows["case"]) == ["exact"]


@pytest.mark.parametrize(
    "entity, aliases",
    [
        ("UN", {"United Nations", "UN", "ООН", "Организация Объединённых Наций", "Организации Объединенных Наций"}),
        ("UNSC", {"UN Security Council", "Security Council", "Совбез ООН", "СБ ООН", "Совета Безопасности ООН"}),
        ("BRICS", {"BRICS", "БРИКС"}),
        (
            "SCO",
            {
                "Shanghai Cooperation Organisation",
                "Shanghai Cooperation Organization",
                "SCO",
                "ШОС",
                "Шанхайской организации сотрудничества",
            },
        ),
        ("G20", {"G20", "Group of Twenty", "«Группа двадцати»", "Группа двадцати", "G-20", "Г20"}),
        ("CIS", {"Commonwealth of Independent States", "CIS", "СНГ", "Содружества Независимых Государств"}),
        ("UNION_STATE", {"Union State", "UnionState", "Союзное государство", "Союзного государства"}),
        ("EU", {"European Union", "EU", "Евросоюз", "ЕС"}),
        ("AU", {"African Union", "AfricanUnion"}),
    ],
)
def test_forum_aliases(reg, entity, aliases):
    assert aliases <= aliases_of(reg, "forum", entity)
    assert alias_row(reg, "forum", "UN", "UN")["use"].iloc[0] == "both"


def test_hashtag_forms(reg):
    for entity, tag in (
        ("RU", "Russia"),
        ("CN", "China"),
        ("ZA", "SouthAfrica"),
        ("RU", "Россия"),
        ("CN", "Китай"),
        ("US", "UnitedStates"),
        ("US", "USA"),
    ):
        rows = alias_row(reg, "country", entity, tag)
        assert set(rows["use"]) & {"tag", "both"}, tag


def test_capitals_are_aliases_only_as_metonymy(reg):
    frame = reg.aliases.set_index("alias")
    for capital in (
        "Washington",
        "Kiev",
        "Kyiv",
        "Moscow",
        "Beijing",
        "London",
        "Вашингтон",
        "Киев",
        "Москва",
        "Пекин",
        "Кремля",
        "Белого дома",
    ):
        rows = frame.loc[[capital]]
        assert set(rows["form"]) == {"metonymy"}, capital
        assert set(rows["case"]) == {"exact"}, capital  # datelines in capitals (МОСКВА) are not matched


def test_stop_phrases(reg):
    phrases = set(reg.stop_phrases["phrase"])
    assert {
        "Korean peninsula",
        "Korean Peninsula",
        "Корейский полуостров",
        "Корейского полуострова",
        "Jordan River",
        "Indian Ocean",
        "South China Sea",
        "Latin America",
        "Латинской Америки",
    } <= phrases
    assert "Guinea-Bissau" not in phrases  # a country (GW), matched as an alias
    assert (reg.stop_phrases["reason"] != "").all()
    aliases = {alias.casefold() for alias in reg.aliases["alias"]}
    assert not [p for p in phrases if p.casefold() in aliases]
    # every stop phrase is there to suppress something: it contains an alias. The Korean
    # peninsula is the exception: "Korean"/"корейский" name no single Korea and are not aliases,
    # but the phrase is kept so that a user who adds them does not count the peninsula.
    words = {a for a in reg.aliases["alias"]}
    for phrase in phrases:
        if "Korean" in phrase or "Корейск" in phrase:
            continue
        inside = [a for a in words if a.casefold() in phrase.casefold()]
        assert any(re.search(rf"(?<!\w){re.escape(a)}(?!\w)", phrase, re.IGNORECASE) for a in inside), phrase


def test_default_registry_is_cached(reg):
    assert load_registry() is reg
    assert load_registry([]) is reg


# --------------------------------------------------------------------------------------------
# labels and fingerprint


def test_label(reg):
    assert reg.label("country", "CN") == "China"
    assert reg.label("country", "RU") == "Russia"
    assert reg.label("country", "NA") == "Namibia"
    assert reg.label("forum", "BRICS") == "BRICS"
    assert reg.label("forum", "OPEC_PLUS") == "OPEC+"
    assert reg.label("forum", "UNION_STATE") == "Union State"
    assert reg.label("forum", "NOT_A_FORUM") == "NOT_A_FORUM"
    with pytest.raises(RegistryError, match="unknown kind 'tag': expected one of country, forum"):
        reg.label("tag", "x")


def test_fingerprint_is_stable_and_content_based(reg, tmp_path):
    first = reg.fingerprint()
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    assert load_registry(data_dir=copy).fingerprint() == first  # same content, other place
    # the same rows in another order give the same fingerprint
    lines = (copy / "aliases.csv").read_text(encoding="utf-8").splitlines()
    shuffled = tmp_path / "shuffled"
    shutil.copytree(DATA_DIR, shuffled)
    (shuffled / "aliases.csv").write_text("\n".join([lines[0]] + lines[1:][::-1]) + "\n", encoding="utf-8")
    assert load_registry(data_dir=shuffled).fingerprint() == first
    changed = load_registry(FIXTURES / "add_and_override.csv").fingerprint()
    assert changed != first
    moved = shutil.copy(FIXTURES / "add_and_override.csv", tmp_path / "elsewhere.csv")
    assert load_registry(moved).fingerprint() == changed


# --------------------------------------------------------------------------------------------
# extension files


def test_add_and_override(reg):
    ext = load_registry(FIXTURES / "add_and_override.csv")
    assert list(alias_row(ext, "country", "RU", "Rossiya")[["lang", "case", "use"]].iloc[0]) == [
        "other",
        "fold",
        "both",
    ]
    china = alias_row(ext, "country", "CN", "China")
    assert len(china) == 1 and china["case"].iloc[0] == "fold"  # overrides the shipped exact
    assert "БРИКС-плюс" in aliases_of(ext, "forum", "BRICS")
    assert len(ext.aliases) == len(reg.aliases) + 2
    # the shipped registry is untouched
    assert alias_row(reg, "country", "CN", "China")["case"].iloc[0] == "exact"
    assert "Rossiya" not in aliases_of(reg, "country", "RU")


def test_remove(reg):
    ext = load_registry(FIXTURES / "remove.csv")
    russian = aliases_of(reg, "country", "RU")
    assert "русский" in russian and "русский" not in aliases_of(ext, "country", "RU")
    assert "America" not in aliases_of(ext, "country", "US")
    assert "Америка" in aliases_of(ext, "country", "US")
    assert len(ext.aliases) == len(reg.aliases) - 2


def test_new_forum_and_new_label(reg):
    ext = load_registry(FIXTURES / "new_forum.csv")
    assert ext.is_forum("CSTO_PA") and not reg.is_forum("CSTO_PA")
    assert ext.label("forum", "CSTO_PA") == "CSTO Parliamentary Assembly"
    row = ext.forums[ext.forums["id"] == "CSTO_PA"].iloc[0]
    assert row["type"] == "user" and row["name"] == "CSTO Parliamentary Assembly"
    assert aliases_of(ext, "forum", "CSTO_PA") == {"ODKB PA", "ПА ОДКБ", "Parliamentary Assembly of the CSTO"}
    assert ext.label("country", "TR") == "Turkey"
    assert reg.label("country", "TR") == "Türkiye"
    assert list(ext.forums["id"]) == sorted(ext.forums["id"])


def test_files_apply_in_order(tmp_path):
    first = write(tmp_path / "a.csv", f"{HEADER}\ncountry,FR,Hexagone,other,fold,text\n")
    second = write(tmp_path / "b.csv", f"{HEADER},action\ncountry,FR,Hexagone,,,,remove\n")
    assert "Hexagone" in aliases_of(load_registry(first), "country", "FR")
    assert "Hexagone" not in aliases_of(load_registry([first, second]), "country", "FR")
    with pytest.raises(RegistryError, match="nothing to remove"):
        load_registry([second, first])


def test_text_and_tag_rows_merge_into_both(tmp_path):
    folder = _data_copy(tmp_path)
    with open(folder / "aliases.csv", "a", encoding="utf-8") as handle:
        handle.write("country,FR,Galliya,other,fold,text,name\ncountry,FR,Galliya,other,fold,tag,name\n")
    assert list(alias_row(load_registry(data_dir=folder), "country", "FR", "Galliya")["use"]) == ["both"]


def test_a_later_row_of_an_extension_file_overrides_an_earlier_one(tmp_path):
    path = write(
        tmp_path / "x.csv", f"{HEADER}\ncountry,FR,Galliya,other,fold,text\ncountry,FR,Galliya,other,exact,tag\n"
    )
    rows = alias_row(load_registry(path), "country", "FR", "Galliya")
    assert list(rows[["case", "use"]].itertuples(index=False, name=None)) == [("exact", "tag")]


def test_blank_lines_and_bom_are_accepted(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(f"\ufeff{HEADER}\n\ncountry,FR,Galliya,other,fold,text\n\n".encode())
    assert "Galliya" in aliases_of(load_registry(path), "country", "FR")


# --------------------------------------------------------------------------------------------
# validation errors: each names the file, the line and what was wrong


@pytest.mark.parametrize(
    "body, problem",
    [
        ("cuntry,FR,Galliya,other,fold,text", "line 3: kind 'cuntry' is not one of country, forum"),
        ("country,FR,Galliya,fr,fold,text", "line 3: lang 'fr' is not one of en, ru, other"),
        ("country,FR,Galliya,other,Fold,text", "line 3: case 'Fold' is not one of fold, exact"),
        ("country,FR,Galliya,other,fold,hashtag", "line 3: use 'hashtag' is not one of text, tag, both"),
        ("country,FR,Galliya,other,,text", "line 3: case empty value is not one of fold, exact"),
        ("country,SU,Soviet Union,en,fold,text", "line 3: unknown country code 'SU': not in countries.csv"),
        ("country,fr,France,en,fold,text", "line 3: unknown country code 'fr': not in countries.csv"),
        (
            "forum,BRIC,BRIC,en,fold,text",
            "line 3: unknown forum id 'BRIC': not in forums.csv (give a name column to add a new forum)",
        ),
        ("country,FR,,en,fold,text", "line 3: empty alias"),
        ("country,,France,en,fold,text", "line 3: empty entity"),
        ("country,FR,Galliya,other,fold", "line 3: expected 6 fields, found 5"),
    ],
)
def test_bad_rows(tmp_path, body, problem):
    path = write(tmp_path / "ext.csv", f"{HEADER}\ncountry,FR,Galliya,other,fold,text\n{body}\n")
    with pytest.raises(RegistryError) as info:
        load_registry(path)
    assert str(info.value) == f"{path}: {problem}"


@pytest.mark.parametrize(
    "body, problem",
    [
        ("country,FR,France,en,fold,text,delete,", "line 2: action 'delete' is not one of add, remove"),
        ("country,FR,Galliya,,,,remove,", "line 2: nothing to remove: no country alias 'Galliya' for FR"),
        ("country,FR,France,,,,remove,Frankreich", "line 2: name is only allowed with action add"),
        (
            "forum,csto_pa,ODKB PA,other,fold,text,add,CSTO PA",
            "line 2: forum id 'csto_pa' must be upper-case letters, digits and _ (starting with a letter)",
        ),
        ("country,FR,France,en,fold,text,remove,", "line 2: nothing to remove: no country alias 'France' for FR"),
    ],
)
def test_bad_actions(tmp_path, body, problem):
    path = write(tmp_path / "ext.csv", f"{HEADER},action,name\n{body}\n")
    with pytest.raises(RegistryError) as info:
        load_registry(path)
    assert str(info.value) == f"{path}: {problem}"


@pytest.mark.parametrize(
    "header, problem",
    [
        ("kind,entity,alias,lang,case", "line 1: missing column(s) use (expected kind,entity,alias,lang,case,use)"),
        ("kind,alias", "line 1: missing column(s) entity, lang, case, use (expected kind,entity,alias,lang,case,use)"),
        (f"{HEADER},comment", "line 1: unknown column(s) comment"),
        (f"{HEADER},alias", "line 1: column(s) alias given twice"),
    ],
)
def test_bad_headers(tmp_path, header, problem):
    path = write(tmp_path / "ext.csv", f"{header}\n")
    with pytest.raises(RegistryError) as info:
        load_registry(path)
    assert str(info.value) == f"{path}: {problem}"


def test_unreadable_files(tmp_path):
    missing = tmp_path / "missing.csv"
    with pytest.raises(RegistryError, match=re.escape(f"{missing}: cannot read registry file")):
        load_registry(missing)
    empty = write(tmp_path / "empty.csv", "")
    with pytest.raises(RegistryError) as info:
        load_registry(empty)
    assert str(info.value) == (
        f"{empty}: empty file: expected a header line with columns kind,entity,alias,lang,case,use"
    )
    latin = tmp_path / "latin.csv"
    latin.write_bytes(f"{HEADER}\ncountry,FR,".encode() + "Fran\xe7ais".encode("latin-1") + b",other,fold,text\n")
    with pytest.raises(RegistryError) as info:
        load_registry(latin)
    assert str(info.value) == f"{latin}: not UTF-8 text (byte {latin.read_bytes().index(0xE7)})"
    quoted = write(tmp_path / "quoted.csv", f'{HEADER}\ncountry,FR,"Galliya\n\n\n')
    with pytest.raises(RegistryError) as info:
        load_registry(quoted)
    assert str(info.value) == f"{quoted}: line 2: malformed CSV (unexpected end of data)"
    stray = write(
        tmp_path / "stray.csv", f'{HEADER}\ncountry,FR,France,en,fold,text\ncountry,FR,"Gal"liya,en,fold,text\n'
    )
    with pytest.raises(RegistryError) as info:
        load_registry(stray)
    assert str(info.value) == f"{stray}: line 3: malformed CSV (',' expected after '\"')"


def test_a_quoted_field_over_two_lines_keeps_line_numbers_right(tmp_path):
    path = write(
        tmp_path / "ext.csv", f'{HEADER}\ncountry,FR,"Galliya\nnova",other,fold,text\ncountry,XX,X,en,fold,text\n'
    )
    with pytest.raises(RegistryError) as info:
        load_registry(path)
    assert str(info.value) == f"{path}: line 4: unknown country code 'XX': not in countries.csv"


def _data_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIR, folder)
    return folder


def test_shipped_files_are_validated_too(tmp_path):
    folder = _data_copy(tmp_path)
    countries = folder / "countries.csv"
    countries.write_text(countries.read_text(encoding="utf-8") + "NA,Namibia again,,\n", encoding="utf-8")
    line = len(countries.read_text(encoding="utf-8").splitlines())
    with pytest.raises(RegistryError) as info:
        load_registry(data_dir=folder)
    first = countries.read_text(encoding="utf-8").splitlines().index("NA,Namibia,Republic of Namibia,Намибия") + 1
    assert str(info.value) == f"{countries}: line {line}: duplicate code NA (first on line {first})"


@pytest.mark.parametrize(
    "filename, row, problem",
    [
        (
            "forums.csv",
            "NEW,New forum,Новый форум,club,New",
            "type 'club' is not one of organisation, format, body, user",
        ),
        ("forums.csv", "UN,United Nations,ООН,organisation,UN", "duplicate forum id UN"),
        ("countries.csv", "Xk,Kosovo,,", "code 'Xk' is not two upper-case letters"),
        ("aliases.csv", "forum,NEW,New,en,fold,text,name", "unknown forum id 'NEW': not in forums.csv"),
        ("aliases.csv", "country,FR,Galliya,other,fold,text,nickname", "form 'nickname' is not one of name, acronym"),
        ("stop_phrases.csv", "Middle East,en,any,a region", "case 'any' is not one of fold, exact"),
    ],
)
def test_bad_shipped_rows(tmp_path, filename, row, problem):
    folder = _data_copy(tmp_path)
    path = folder / filename
    path.write_text(path.read_text(encoding="utf-8") + row + "\n", encoding="utf-8")
    line = len(path.read_text(encoding="utf-8").splitlines())
    with pytest.raises(RegistryError) as info:
        load_registry(data_dir=folder)
    message = str(info.value)
    assert message.startswith(f"{path}: line {line}: {problem}")


def test_the_readme_example_works(tmp_path, reg):
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```csv\n(.*?)```", readme, re.DOTALL).group(1)
    ext = load_registry(write(tmp_path / "my_aliases.csv", block))
    assert ext.label("forum", "CSTO_PA") == "CSTO Parliamentary Assembly"
    assert "русский" not in aliases_of(ext, "country", "RU")
    assert alias_row(ext, "country", "CN", "China")["case"].iloc[0] == "fold"
    assert ext.label("country", "TR") == "Turkey"


def test_a_registry_built_by_hand_without_forum_labels(reg):
    forums = reg.forums.drop(columns="label")
    built = Registry(reg.countries, forums, reg.aliases, reg.stop_phrases)
    assert built.label("forum", "OPEC_PLUS") == "OPEC_PLUS"
    assert built.label("country", "CN") == "China" and built.is_forum("SCO")
    assert re.fullmatch(r"[0-9a-f]{64}", built.fingerprint())
    assert built.fingerprint() != reg.fingerprint()
    assert repr(reg).startswith(f"Registry({len(reg.countries)} countries, ")


def test_docstring_examples_run():
    import doctest

    from netanalysis.registry import loader

    result = doctest.testmod(loader)
    assert result.attempted >= 2 and result.failed == 0
