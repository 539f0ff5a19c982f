#!/usr/bin/env python
"""Generate the registry's rule-made aliases and keep ``aliases.csv`` in step with them.

The tables in ``scripts/registry_tables.py`` list lemmas: Russian country adjectives and
demonyms, English demonyms, capitals and seats of power (metonymy), forum names in the
nominative. This script makes every form of them (:mod:`ru_morphology`: the 12 endings of a
Russian adjective, the six cases in both numbers of a demonym, the six cases of a name) with the
alias's ``form`` (``adjective``, ``demonym``, ``metonymy``, ``name``, ``acronym``), and

* ``--check`` (the default): lists every generated row that ``aliases.csv`` lacks, or holds with
  another form, and exits 1 if there is any (``tests/test_registry.py`` runs it);
* ``--write``: adds the missing rows to ``aliases.csv`` (rows already there keep their ``case``
  and ``use``, which may have been edited by hand), fills an empty ``form`` from
  :func:`classify` and writes the file back sorted.

Usage::

    python scripts/build_aliases.py            # check
    python scripts/build_aliases.py --write    # add what is missing
"""

from __future__ import annotations

import argparse
import ast
import csv
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import registry_tables as T  # noqa: E402
from ru_morphology import (  # noqa: E402
    decline_adjective,
    decline_demonym,
    decline_feminine_demonym,
    decline_noun,
    decline_phrase,
    decline_plural_noun,
    with_yo_variants,
)

DATA = ROOT / "netanalysis" / "registry" / "data"
COLUMNS = ["kind", "entity", "alias", "lang", "case", "use", "form"]
Row = tuple[str, str, str, str, str, str, str]

#: Russian names inflected only in their last part after a hyphen are declined that way;
#: these are not declined at all.
INDECLINABLE_RU = {"Даунинг-стрит", "Бразилиа", "Нью-Дели", "Абу-Даби", "Токио", "Осло", "Хельсинки", "Баку"}
#: Forms the rules cannot make (a stressed ending spelt with ё).
EXTRA_FORMS_RU = {"Кремль": ["Кремлём"]}
#: Forum names in Russian matched only as written (common words in lower case).
EXACT_FORUM_RU = {"Квад", "«Квад»"}


def russian_forms(name: str) -> list[str]:
    """Every case form of a Russian name (one word, a hyphenated word or a phrase)."""
    if name in INDECLINABLE_RU:
        forms = [name]
    elif " " not in name.strip("«»") and "-" in name:
        head, _, last = name.rpartition("-")
        forms = [f"{head}-{form}" for form in decline_noun(last)]
    elif " " not in name.strip("«»"):
        bare = name.strip("«»")
        forms = [name.replace(bare, form) for form in decline_noun(bare)]
    else:
        forms = decline_phrase(name)
    return with_yo_variants(forms + EXTRA_FORMS_RU.get(name, []))


def tag_form(name: str) -> str:
    """``South Africa`` -> ``SouthAfrica``: the form a hashtag takes."""
    plain = name.replace("’", "").replace("'", "").replace(".", "").strip("«»")
    for mark in "—–-()+":
        plain = plain.replace(mark, " ")
    return "".join(p[0].upper() + p[1:] for p in plain.split() if p)


def is_acronym(alias: str) -> bool:
    """Letters all upper case (``BRICS``, ``G20``, ``U.S.``, ``ООН``), or a short mixed-case
    abbreviation with several capitals (``CoE``, ``IsDB``, ``БиГ``, ``ECtHR``)."""
    letters = [ch for ch in alias if ch.isalpha()]
    if not letters:
        return False
    if all(ch.isupper() for ch in letters):
        return True
    return " " not in alias and len(letters) <= 5 and sum(ch.isupper() for ch in letters) >= 2


def generate() -> Iterator[Row]:
    """Every rule-made alias row."""
    for code, lemmas in T.ADJECTIVES_RU.items():
        for lemma in lemmas:
            for form in decline_adjective(lemma):
                yield ("country", code, form, "ru", "fold", "text", "adjective")
            yield ("country", code, lemma[:-2] + "о", "ru", "fold", "text", "adjective")
    for code, prefixes in T.COMBINING.items():
        for prefix in prefixes:
            yield ("country", code, prefix, "other" if prefix.isascii() else "ru", "fold", "text", "adjective")
    for code, entries in T.DEMONYMS_RU.items():
        for entry in entries:
            forms = decline_demonym(entry["sg"], entry.get("plural"), entry.get("gen_plural"), entry.get("oblique"))
            if "feminine" in entry:
                forms += decline_feminine_demonym(entry["feminine"])
            for form in dict.fromkeys(forms):
                case = "exact" if form in T.DEMONYMS_RU_EXACT else "fold"
                yield ("country", code, form, "ru", case, "text", "demonym")
    for code, words in T.DEMONYMS_EN.items():
        for word in words:
            yield ("country", code, word, "en", "exact" if word in T.DEMONYMS_EN_EXACT else "fold", "text", "demonym")
    for code, words in T.ADJECTIVES_EN.items():
        for word in words:
            yield ("country", code, word, "en", "fold", "text", "adjective")
    for (kind, entity), names in T.METONYMY.items():
        for word in names["en"]:
            yield (kind, entity, word, "en", "exact", "text", "metonymy")
        for name in names["ru"]:
            for form in russian_forms(name):
                yield (kind, entity, form, "ru", "exact", "text", "metonymy")
    for code, names in T.PLURAL_NAMES_RU.items():
        for nominative, genitive in names:
            for form in decline_plural_noun(nominative, genitive):
                yield ("country", code, form, "ru", "exact", "text", "name")
    yield from _forum_rows()


def _forum_rows() -> Iterator[Row]:
    for fid, names in T.FORUM_NAMES_RU.items():
        for name in names:
            case = "exact" if name in EXACT_FORUM_RU else "fold"
            for form in russian_forms(name):
                single = " " not in form
                use = "both" if single and form == name and "«" not in form else "text"
                yield ("forum", fid, form, "ru", case, use, "name")
    for fid, names in T.FORUM_FIXED_RU.items():
        for name in names:
            yield ("forum", fid, name, "ru", "fold", "text", "name")
    for source, lang in ((T.FORUM_ACRONYMS_RU, "ru"), (T.FORUM_ACRONYMS_EN, "en")):
        for fid, names in source.items():
            for name in names:
                yield ("forum", fid, name, lang, "exact", "text" if " " in name else "both", "acronym")
    for fid, names in T.FORUM_NAMES_EN.items():
        for name in names:  # names, also when written in capitals (QUAD)
            case = "exact" if is_acronym(name) or name in ("Quad",) else "fold"
            yield ("forum", fid, name, "en", case, "text", "name")
    for fid in T.NEW_FORUMS:
        for name in T.FORUM_NAMES_EN.get(fid, [])[:1]:
            yield ("forum", fid, tag_form(name), "en", "fold", "tag", "name")
        for name in T.FORUM_NAMES_RU.get(fid, [])[:1]:
            if " " in name:
                yield ("forum", fid, tag_form(name), "ru", "fold", "tag", "name")
    for fid, tags in T.FORUM_TAGS.items():
        for tag in tags:
            lang = "en" if tag.isascii() else "ru"
            yield ("forum", fid, tag, lang, "fold", "tag", "acronym" if is_acronym(tag) else "name")
    for source, lang, form in (
        (T.CUED_BODIES_RU, "ru", "name"),
        (T.CUED_BODIES_EN, "en", "name"),
        (T.CUED_ACRONYMS_RU, "ru", "acronym"),
    ):
        for fid, names in source.items():
            for name in names:
                case = "exact" if form == "acronym" else "fold"
                for form_text in russian_forms(name) if lang == "ru" and form == "name" else [name]:
                    yield ("forum", fid, form_text, lang, case, "text", form)


def _english_adjectives() -> set[str]:
    """The English adjectives of the first draft (``DEMONYM_EN`` of ``build_registry.py``),
    read without importing that script (it needs pycountry)."""
    tree = ast.parse((ROOT / "scripts" / "build_registry.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "DEMONYM_EN":
            table = ast.literal_eval(node.value)
            return {word for words in table.values() for word in words} | {"Argentine", "Sino", "Russo"}
    raise RuntimeError("DEMONYM_EN not found in build_registry.py")


_ADJ_ENDINGS_RU = (
    "ий", "ый", "ой", "ая", "ое", "ие", "ые", "ого", "ому", "ую", "им", "ым", "ом", "их", "ых", "ими", "ыми",
)  # fmt: skip


def classify(kind: str, entity: str, alias: str, lang: str, english_adjectives: set[str]) -> str:
    """The form of an alias row written before the ``form`` column existed."""
    if is_acronym(alias):
        return "acronym"
    if kind == "country":
        if alias in english_adjectives or alias == "New Zealander":
            return "demonym" if alias == "New Zealander" else "adjective"
        single = " " not in alias and "-" not in alias.strip("-")
        if lang == "ru" and single and alias[:1].islower() and (alias.endswith(_ADJ_ENDINGS_RU) or alias.endswith("о")):
            return "adjective"
    return "name"


def read_aliases(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_aliases(path: Path, rows: list[dict[str, str]]) -> None:
    keyed = sorted({tuple(row[c] for c in COLUMNS) for row in rows})
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(keyed)


def known_entities() -> dict[str, set[str]]:
    with open(DATA / "countries.csv", encoding="utf-8", newline="") as handle:
        countries = {row["code"] for row in csv.DictReader(handle)}
    with open(DATA / "forums.csv", encoding="utf-8", newline="") as handle:
        forums = {row["id"] for row in csv.DictReader(handle)}
    return {"country": countries, "forum": forums}


def check(rows: list[dict[str, str]]) -> list[str]:
    """Generated rows that ``rows`` lack or hold with another form, one line each."""
    present = {(r["kind"], r["entity"], r["alias"], r["lang"]): r.get("form", "") for r in rows}
    problems = []
    for kind, entity, alias, lang, _case, _use, form in dict.fromkeys(generate()):
        have = present.get((kind, entity, alias, lang))
        if have is None:
            problems.append(f"missing: {kind},{entity},{alias},{lang} ({form})")
        elif have != form:
            problems.append(f"form differs: {kind},{entity},{alias},{lang}: {have!r} in the file, {form!r} generated")
    return problems


def update(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """``rows`` with an empty form classified and the missing generated rows added."""
    english = _english_adjectives()
    entities = known_entities()
    generated = {}
    for row in generate():
        generated.setdefault(row[:4], row)
    by_key = {}
    for row in rows:
        key = (row["kind"], row["entity"], row["alias"], row["lang"])
        made = generated.get(key)
        if made is not None:
            row["form"] = made[6]
        elif not row.get("form"):
            row["form"] = classify(row["kind"], row["entity"], row["alias"], row["lang"], english)
        by_key.setdefault(key, []).append(row)
    added = 0
    for key, row in generated.items():
        if key in by_key or row[1] not in entities[row[0]]:
            continue
        rows.append(dict(zip(COLUMNS, row)))
        added += 1
    print(f"{added} rows added, {len(rows)} rows in all", file=sys.stderr)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="add the missing rows to aliases.csv")
    parser.add_argument("--aliases", type=Path, default=DATA / "aliases.csv")
    args = parser.parse_args(argv)
    rows = read_aliases(args.aliases)
    if args.write:
        write_aliases(args.aliases, update(rows))
        return 0
    problems = check(rows)
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
