"""The registry's forms, context rules and generated paradigms: the shipped files, the checks of
bad rows, and the user's extension files for aliases, stop phrases and rules."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from netanalysis.errors import RegistryError
from netanalysis.extract import Extractor
from netanalysis.registry import ALIAS_FORMS, DATA_DIR, RULE_COLUMNS, load_registry

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def reg():
    return load_registry()


def forms_of(reg, kind, entity):
    frame = reg.aliases
    return dict(zip(*frame.loc[(frame["kind"] == kind) & (frame["entity"] == entity), ["alias", "form"]].T.values))


def test_every_alias_has_a_form(reg):
    assert set(reg.aliases["form"]) == set(ALIAS_FORMS)
    ru = forms_of(reg, "country", "RU")
    assert (ru["Россия"], ru["РФ"], ru["российского"], ru["россиян"], ru["Кремль"]) == (
        "name",
        "acronym",
        "adjective",
        "demonym",
        "metonymy",
    )
    us = forms_of(reg, "country", "US")
    assert (us["United States"], us["U.S."], us["American"], us["Americans"], us["White House"]) == (
        "name",
        "acronym",
        "adjective",
        "demonym",
        "metonymy",
    )
    assert forms_of(reg, "forum", "BRICS")["БРИКС"] == "acronym"
    assert forms_of(reg, "forum", "EU")["Брюсселем"] == "metonymy"


@pytest.mark.parametrize(
    "entity, lemma",
    [("SE", "шведск"), ("CH", "швейцарск"), ("AT", "австрийск"), ("AU", "австралийск"), ("NL", "нидерландск"),
     ("CA", "канадск"), ("CZ", "чешск"), ("RU", "российск")],
)  # fmt: skip
def test_complete_russian_adjective_paradigms(reg, entity, lemma):
    endings = ("ий", "ая", "ое", "ие", "ого", "ой", "ому", "ую", "им", "ом", "их", "ими")
    forms = forms_of(reg, "country", entity)
    for ending in endings:
        assert forms.get(lemma + ending) == "adjective", lemma + ending
    assert forms.get(lemma + "о") == "adjective"  # the first part of a compound: шведско-финский


@pytest.mark.parametrize(
    "entity, words",
    [
        ("RU", ["россиянин", "россиянина", "россиянину", "россиянином", "россиянине", "россияне", "россиян",
                "россиянам", "россиянами", "россиянах", "россиянка", "россиянок"]),
        ("US", ["американец", "американца", "американцем", "американцы", "американцев", "американцам"]),
        ("UA", ["украинец", "украинца", "украинцы", "украинцев"]),
        ("CN", ["китаец", "китайца", "китайцы", "китайцев", "китаянка"]),
        ("TR", ["турок", "турка", "турки", "турками"]),
        ("GE", ["грузин", "грузины", "грузинам"]),
    ],
)  # fmt: skip
def test_russian_demonym_paradigms(reg, entity, words):
    forms = forms_of(reg, "country", entity)
    assert [w for w in words if forms.get(w) != "demonym"] == []


def test_new_forums_with_names_acronyms_and_case_forms(reg):
    for fid, words in {
        "ICC": ["ICC", "International Criminal Court", "МУС", "Международного уголовного суда"],
        "G8": ["G8", "Group of Eight", "«Большой восьмёрки»", "Большой восьмерки", "Большую восьмерку"],
        "INTERPOL": ["Interpol", "INTERPOL", "Интерпол", "Интерполом", "Интерполе"],
        "FATF": ["FATF", "ФАТФ", "Группы разработки финансовых мер по борьбе с отмыванием денег"],
        "IORA": ["IORA", "Indian Ocean Rim Association"],
        "WHA": ["World Health Assembly", "Всемирной ассамблеи здравоохранения"],
        "ICJ": ["ICJ", "International Court of Justice"],
        "UNGA": ["Генеральной Ассамблее ООН", "Генассамблеи ООН", "ГА ООН"],
        "EAS": ["Восточноазиатский саммит", "Восточноазиатского саммита", "EAS"],
        "QUAD": ["Quad", "«Квад»", "Квада"],
        "CENTRAL_ASIA_CHINA": ["ChinaCentralAsia"],
    }.items():
        have = set(forms_of(reg, "forum", fid))
        assert [w for w in words if w not in have] == [], fid


def test_the_shipped_aliases_hold_every_generated_form():
    # the generated forms (scripts/build_aliases.py) are in aliases.csv with the same form
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_aliases.py")], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout[:2000]


def test_the_shipped_rules(reg):
    rules = reg.rules
    assert list(rules.columns) == RULE_COLUMNS and rules["rule"].is_unique and len(rules) >= 20
    assert {"un_body_needs_un", "body_of_a_country_or_forum", "national_security_council"} <= set(rules["rule"])
    assert (rules["reason"] != "").all()
    assert "Совета Безопасности России" not in set(reg.stop_phrases["phrase"])  # it would hide Russia


# ----------------------------------------------------------------------------- bad rules


def _data_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIR, folder)
    return folder


GOOD = "r1,country,en,name,jordan,capitalised,,\\s[A-Z],,,person,a person"


@pytest.mark.parametrize(
    "row, problem",
    [
        ("r1,country,en,name,jordan,capitalised,,\\s[A-Z,,,person,x", "after is not a valid regular expression"),
        ("r1,planet,en,name,jordan,any,,\\s,,,person,x", "applies_to 'planet' is not"),
        ("r1,country:XX,en,name,jordan,any,,\\s,,,person,x", "applies_to names an unknown country 'XX'"),
        ("r1,country,de,name,jordan,any,,\\s,,,person,x", "lang 'de' is not one of"),
        ("r1,country,en,nickname,jordan,any,,\\s,,,person,x", "form 'nickname' is not one of"),
        ("r1,country,en,name,jordan,title,,\\s,,,person,x", "case 'title' is not one of"),
        ("r1,country,en,name,jordan,any,,\\s,,UN,person,x", "unless 'UN' is not country:XX or forum:ID"),
        ("r1,country,en,name,jordan,any,,\\s,,,guess,x", "class 'guess' is not one of"),
        ("r1,country,en,name,jordan,any,,\\s,,,person,", "empty reason"),
        ("r1,country,en,name,jordan,any,,,,,person,x", "has no condition"),
        ("R 1,country,en,name,jordan,any,,\\s,,,person,x", "rule id 'R 1' must be"),
        (f"{GOOD}\n{GOOD}", "rule 'r1' given twice"),
    ],
)
def test_bad_rules_are_one_error_naming_the_line(tmp_path, row, problem):
    folder = _data_copy(tmp_path)
    path = folder / "rules.csv"
    path.write_text(",".join(RULE_COLUMNS) + "\n" + row + "\n", encoding="utf-8")
    with pytest.raises(RegistryError) as info:
        load_registry(data_dir=folder)
    message = str(info.value)
    assert message.startswith(f"{path}: line ") and problem in message, message


def test_a_data_folder_without_rules_has_none(tmp_path):
    folder = _data_copy(tmp_path)
    (folder / "rules.csv").unlink()
    assert len(load_registry(data_dir=folder).rules) == 0


# ------------------------------------------------------------------------ extension files


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_extension_files_are_told_apart_by_their_header(tmp_path, reg):
    aliases = write(tmp_path / "a.csv", "kind,entity,alias,lang,case,use\ncountry,FR,Galliya,other,fold,text\n")
    stops = write(tmp_path / "s.csv", "phrase,lang,case,reason\nRussian salad,en,fold,a dish\n")
    rules = write(
        tmp_path / "r.csv",
        ",".join(RULE_COLUMNS) + "\nsalad_rule,country:RU,en,adjective,russian,any,,\\s+dressing,,,word,a dressing\n",
    )
    removal = write(tmp_path / "rm.csv", ",".join(RULE_COLUMNS) + ",action\nturkey_the_bird,,,,,,,,,,,,remove\n")
    extended = load_registry([aliases, stops, rules, removal])
    assert forms_of(extended, "country", "FR")["Galliya"] == "name"  # no form column: a name
    assert "Russian salad" in set(extended.stop_phrases["phrase"])
    assert "salad_rule" in set(extended.rules["rule"]) and "turkey_the_bird" not in set(extended.rules["rule"])
    assert len(extended.rules) == len(reg.rules)
    ex = Extractor(extended)
    assert [r[1] for r in ex.extract("Galliya and a Russian dressing; Russian salad")] == ["FR"]
    assert extended.fingerprint() != reg.fingerprint()


def test_an_alias_override_keeps_its_form_unless_given(tmp_path):
    keep = write(tmp_path / "k.csv", "kind,entity,alias,lang,case,use\ncountry,US,Americans,en,exact,text\n")
    assert forms_of(load_registry(keep), "country", "US")["Americans"] == "demonym"
    change = write(tmp_path / "c.csv", "kind,entity,alias,lang,case,use,form\ncountry,RU,Moscow,en,exact,text,name\n")
    assert forms_of(load_registry(change), "country", "RU")["Moscow"] == "name"


def test_bad_rule_removal(tmp_path):
    removal = write(tmp_path / "rm.csv", ",".join(RULE_COLUMNS) + ",action\nno_such_rule,,,,,,,,,,,,remove\n")
    with pytest.raises(RegistryError, match="nothing to remove: no rule 'no_such_rule'"):
        load_registry(removal)
