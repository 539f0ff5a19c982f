"""The registry's forms, context rules and generated paradigms: the shipped files, the checks of
bad rows, and the user's extension files for aliases, stop phrases and rules."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from netanalysis.registry import DATA_DIR, load_registry

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def reg():
    return load_registry()


def forms_of(reg, kind, entity):
    frame = reg.aliases
    return dict(zip(*frame.loc[(frame["kind"] == kind) & (frame["entity"] == entity), ["alias", "form"]].T.values))


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


# ----------------------------------------------------------------------------- bad rules


def _data_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIR, folder)
    return folder


GOOD = "r1,country,en,name,jordan,capitalised,,\\s[A-Z],,,person,a person"


# ------------------------------------------------------------------------ extension files


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
