"""Loading the registries (countries, forums, aliases, stop phrases) from their CSV files.

The shipped registries live in ``netanalysis/registry/data/`` as plain UTF-8 CSV files that a
researcher can open in a spreadsheet; ``data/README.md`` explains every column. Users extend or
override them with their own alias files (the CLI's ``--registry FILE``), applied in order.

Every cell is read as a string (``"NA"`` is Namibia, never a missing value). Every row is
validated; a bad row raises :class:`~netanalysis.errors.RegistryError` naming the file, the line
and what was wrong.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from netanalysis.errors import RegistryError
from netanalysis.registry.csvfile import choice, columns_frame, nonempty, read_rows, sorted_frame
from netanalysis.registry.rules import RULE_COLUMNS, apply_rule_file, empty_rules, header_of, read_rules
from netanalysis.registry.tables import (
    ALIAS_CASES,
    ALIAS_COLUMNS,
    ALIAS_FORMS,
    ALIAS_KINDS,
    ALIAS_LANGS,
    ALIAS_USES,
    COUNTRY_COLUMNS,
    EXTRA_ACTIONS,
    FORUM_COLUMNS,
    FORUM_TYPES,
    STOP_PHRASE_COLUMNS,
    Registry,
)

__all__ = [
    "Registry",
    "load_registry",
    "DATA_DIR",
    "COUNTRY_COLUMNS",
    "FORUM_COLUMNS",
    "ALIAS_COLUMNS",
    "STOP_PHRASE_COLUMNS",
    "ALIAS_KINDS",
    "ALIAS_LANGS",
    "ALIAS_CASES",
    "ALIAS_USES",
    "ALIAS_FORMS",
    "RULE_COLUMNS",
    "FORUM_TYPES",
    "EXTRA_ACTIONS",
]

logger = logging.getLogger(__name__)

#: Folder of the shipped registry files.
DATA_DIR = Path(__file__).resolve().parent / "data"

_CODE_RE = re.compile(r"[A-Z]{2}")
_FORUM_ID_RE = re.compile(r"[A-Z][A-Z0-9_]*")
_REQUIRED_FORUM_COLUMNS = ["id", "name", "name_ru", "type"]


def _read_countries(path: Path) -> pd.DataFrame:
    rows: list[list[str]] = []
    seen: dict[str, int] = {}
    for line, row in read_rows(path, COUNTRY_COLUMNS):
        code = row["code"]
        if not _CODE_RE.fullmatch(code):
            raise RegistryError(f"{path}: line {line}: code {code!r} is not two upper-case letters")
        if code in seen:
            raise RegistryError(f"{path}: line {line}: duplicate code {code} (first on line {seen[code]})")
        seen[code] = line
        nonempty(path, line, "name", row["name"])
        rows.append([row[col] for col in COUNTRY_COLUMNS])
    return sorted_frame(rows, COUNTRY_COLUMNS, ["code"])


def _read_forums(path: Path) -> pd.DataFrame:
    rows: list[list[str]] = []
    seen: dict[str, int] = {}
    for line, row in read_rows(path, _REQUIRED_FORUM_COLUMNS, optional=["label"]):
        fid = row["id"]
        if not _FORUM_ID_RE.fullmatch(fid):
            raise RegistryError(
                f"{path}: line {line}: forum id {fid!r} must be upper-case "
                "letters, digits and _ (starting with a letter)"
            )
        if fid in seen:
            raise RegistryError(f"{path}: line {line}: duplicate forum id {fid} (first on line {seen[fid]})")
        seen[fid] = line
        nonempty(path, line, "name", row["name"])
        choice(path, line, "type", row["type"], FORUM_TYPES)
        label = row.get("label") or fid
        rows.append([fid, row["name"], row["name_ru"], row["type"], label])
    return sorted_frame(rows, FORUM_COLUMNS, ["id"])


def _check_alias(
    path: Path,
    line: int,
    row: dict[str, str],
    entities: dict[str, set[str]],
    *,
    wildcard: bool = False,
    extension: bool = False,
) -> None:
    """Validate one alias row; with ``wildcard`` (a removal) lang, case and use may be empty, and
    in an extension file the form may be empty (or its column missing)."""
    kind = choice(path, line, "kind", row["kind"], ALIAS_KINDS)
    entity = nonempty(path, line, "entity", row["entity"])
    nonempty(path, line, "alias", row["alias"])
    for column, allowed in (("lang", ALIAS_LANGS), ("case", ALIAS_CASES), ("use", ALIAS_USES)):
        if not (wildcard and row[column] == ""):
            choice(path, line, column, row[column], allowed)
    if not ((wildcard or extension) and row.get("form", "") == ""):
        choice(path, line, "form", row.get("form", ""), ALIAS_FORMS)
    if entity not in entities[kind]:
        what = "country code" if kind == "country" else "forum id"
        source = "countries.csv" if kind == "country" else "forums.csv"
        hint = " (give a name column to add a new forum)" if extension and kind == "forum" else ""
        raise RegistryError(f"{path}: line {line}: unknown {what} {entity!r}: not in {source}{hint}")


def _read_aliases(path: Path, entities: dict[str, set[str]]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    langs, cases, uses, forms = set(ALIAS_LANGS), set(ALIAS_CASES), set(ALIAS_USES), set(ALIAS_FORMS)
    for line, row in read_rows(path, ALIAS_COLUMNS):
        values = (row["kind"], row["entity"], row["alias"], row["lang"], row["case"], row["use"], row["form"])
        kind, entity, alias, lang, case, use, form = values
        # the common case in one cheap test; the detailed check names what is wrong
        ok = entity in entities.get(kind, ()) and alias and lang in langs and case in cases and use in uses
        if not (ok and form in forms):
            _check_alias(path, line, row, entities)
        rows.append(values)
    return rows


def _read_stop_phrases(path: Path) -> pd.DataFrame:
    return sorted_frame(_stop_phrase_rows(path), STOP_PHRASE_COLUMNS)


def _stop_phrase_rows(path: Path) -> list[list[str]]:
    rows = []
    for line, row in read_rows(path, STOP_PHRASE_COLUMNS):
        nonempty(path, line, "phrase", row["phrase"])
        choice(path, line, "lang", row["lang"], ALIAS_LANGS)
        choice(path, line, "case", row["case"], ALIAS_CASES)
        nonempty(path, line, "reason", row["reason"])
        rows.append([row[col] for col in STOP_PHRASE_COLUMNS])
    return rows


def _merge_uses(rows: Sequence[tuple[str, ...]]) -> dict[tuple[str, ...], tuple[str, str]]:
    """``{(kind, entity, alias, lang, case): (use, form)}``; ``text`` and ``tag`` together give
    ``both``; the form is the first row's."""
    uses: dict[tuple[str, ...], tuple[str, str]] = {}
    for kind, entity, alias, lang, case, use, form in rows:
        key = (kind, entity, alias, lang, case)
        previous = uses.get(key)
        if previous is None:
            uses[key] = (use, form)
        elif previous[0] != use:
            uses[key] = ("both", previous[1])
    return uses


def _alias_frame(rows: Sequence[tuple[str, ...]]) -> pd.DataFrame:
    """Deduplicated, sorted aliases (see :func:`_merge_uses`)."""
    merged = sorted(key + value for key, value in _merge_uses(rows).items())
    return columns_frame(merged, ALIAS_COLUMNS)


# --------------------------------------------------------------------------------------------
# extension files


def _apply_extra(
    path: Path, countries: pd.DataFrame, forums: pd.DataFrame, aliases: Sequence[tuple[str, ...]]
) -> tuple[pd.DataFrame, pd.DataFrame, list[tuple[str, ...]]]:
    """Apply one extension file: removals, label overrides, new forums and added aliases.

    ``form`` is optional: an alias added without one is a ``name``; one that overrides a
    listed alias keeps that alias's form."""
    rows = read_rows(path, ALIAS_COLUMNS[:-1], optional=["action", "name", "form"])
    country_names = dict(zip(countries["code"].tolist(), countries["name"].tolist()))
    forum_rows = {r[0]: list(r) for r in zip(*(forums[c].tolist() for c in FORUM_COLUMNS))}
    table = _merge_uses(aliases)  # (kind, entity, alias, lang, case) -> (use, form)
    by_name: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
    for key in table:
        by_name.setdefault(key[:3], set()).add(key)
    entities = {"country": set(country_names), "forum": set(forum_rows)}
    for line, row in rows:
        action = choice(path, line, "action", row.get("action") or "add", EXTRA_ACTIONS)
        kind, entity, name = row["kind"], row["entity"], row.get("name", "")
        if action == "add" and kind == "forum" and entity and entity not in forum_rows and name:
            if not _FORUM_ID_RE.fullmatch(entity):
                raise RegistryError(
                    f"{path}: line {line}: forum id {entity!r} must be upper-case "
                    "letters, digits and _ (starting with a letter)"
                )
            forum_rows[entity] = [entity, name, "", "user", name]
            entities["forum"].add(entity)
        _check_alias(path, line, row, entities, wildcard=action == "remove", extension=True)
        alias, lang, case, use = row["alias"], row["lang"], row["case"], row["use"]
        same_name = by_name.setdefault((kind, entity, alias), set())
        if action == "remove":
            if name:
                raise RegistryError(f"{path}: line {line}: name is only allowed with action add")
            doomed = {
                key
                for key in same_name
                if (not lang or key[3] == lang) and (not case or key[4] == case) and (not use or table[key][0] == use)
            }
            if not doomed:
                raise RegistryError(f"{path}: line {line}: nothing to remove: no {kind} alias {alias!r} for {entity}")
            for key in doomed:
                del table[key]
            same_name -= doomed
            continue
        if name and kind == "country":
            country_names[entity] = name
        elif name:
            forum_rows[entity][4] = name
        # an alias added again for the same entity and language overrides the earlier row
        form = row.get("form", "")
        for key in [key for key in same_name if key[3] == lang]:
            form = form or table[key][1]
            del table[key]
            same_name.discard(key)
        table[(kind, entity, alias, lang, case)] = (use, form or "name")
        same_name.add((kind, entity, alias, lang, case))
    countries = countries.assign(name=countries["code"].map(country_names))
    forums = sorted_frame(list(forum_rows.values()), FORUM_COLUMNS, ["id"])
    return countries, forums, [key + value for key, value in table.items()]


# --------------------------------------------------------------------------------------------
# the public loader


@functools.lru_cache(maxsize=4)
def _load_default(data_dir: str) -> tuple[Registry, tuple[tuple[str, ...], ...]]:
    folder = Path(data_dir)
    countries = _read_countries(folder / "countries.csv")
    forums = _read_forums(folder / "forums.csv")
    entities = {"country": set(countries["code"]), "forum": set(forums["id"])}
    alias_rows = _read_aliases(folder / "aliases.csv", entities)
    aliases = _alias_frame(alias_rows)
    stop_phrases = _read_stop_phrases(folder / "stop_phrases.csv")
    rules_file = folder / "rules.csv"
    rules = read_rules(rules_file, entities) if rules_file.exists() else empty_rules()
    logger.debug(
        "registry: %d countries, %d forums, %d aliases, %d stop phrases, %d rules",
        len(countries),
        len(forums),
        len(aliases),
        len(stop_phrases),
        len(rules),
    )
    return Registry(countries, forums, aliases, stop_phrases, rules), tuple(alias_rows)


def load_registry(
    extra: str | Path | Sequence[str | Path] | None = None, *, data_dir: str | Path | None = None
) -> Registry:
    """Load the shipped registries, then apply the user's extension files in order.

    Parameters
    ----------
    extra : path or sequence of paths, optional
        Extension files, each told apart by its header. **Alias files**: columns ``kind,
        entity, alias, lang, case, use`` and optionally ``form`` (default ``name``), ``action``
        (``add``, the default, or ``remove``) and ``name`` (the label of a new forum, or a new
        label for an existing entity). An ``add`` row for an alias already listed for the same
        entity and language replaces that row (an override of ``case``, ``use`` or ``form``).
        A ``remove`` row deletes the matching aliases; empty ``lang``/``case``/``use`` match any.
        **Stop-phrase files** (the columns of ``stop_phrases.csv``) add stop phrases. **Rule
        files** (the columns of ``rules.csv``, optionally ``action``) add rules, replace a rule
        of the same id, or remove one (``action`` ``remove``).
    data_dir : path, optional
        A folder holding a complete replacement of the shipped ``countries.csv``,
        ``forums.csv``, ``aliases.csv``, ``stop_phrases.csv`` and (optionally) ``rules.csv``
        (default: :data:`DATA_DIR`).

    Returns
    -------
    Registry
        The registry of a data folder is loaded once and cached; do not modify its tables.

    Raises
    ------
    RegistryError
        A file is missing, unreadable or malformed; the message names the file, the line and
        what was wrong.

    Examples
    --------
    >>> reg = load_registry()
    >>> reg.is_country("NA"), reg.is_forum("SCO")
    (True, True)
    """
    folder = Path(data_dir).resolve() if data_dir is not None else DATA_DIR
    base, alias_rows = _load_default(str(folder))
    if extra is None:
        return base
    paths = [extra] if isinstance(extra, (str, Path)) else list(extra)
    if not paths:
        return base
    countries, forums, rows = base.countries, base.forums, list(alias_rows)
    stops, rules = base.stop_phrases, base.rules
    for item in paths:
        path = Path(item)
        header = set(header_of(path))
        if "rule" in header:
            entities = {"country": set(countries["code"]), "forum": set(forums["id"])}
            rules = apply_rule_file(path, rules, entities)
        elif "phrase" in header:
            stops = sorted_frame(stops.values.tolist() + _stop_phrase_rows(path), STOP_PHRASE_COLUMNS)
        else:
            countries, forums, rows = _apply_extra(path, countries, forums, rows)
        logger.info("registry: applied %s", path)
    return Registry(countries, forums, _alias_frame(rows), stops, rules)
