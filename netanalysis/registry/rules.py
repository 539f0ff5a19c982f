"""Context rules for homographs: the file ``rules.csv``, read and checked.

A rule drops a name match that fits its selectors when all its conditions hold. It is data, not
code: a researcher reads why ``Jordan Bardella`` is no mention of Jordan and adds a rule of the
same kind for another homograph. The columns (``data/README.md`` has the full description):

``rule``
    A short unique id (``person_first_name``).
``applies_to``, ``lang``, ``form``, ``alias``, ``case``
    Which matches the rule looks at: entity selectors (``country``, ``forum``, ``country:GE``,
    ``forum:UNSC``, several separated by spaces, or ``*``), the alias's language and form, a
    regular expression that must match the whole alias as the registry writes it (ignoring
    case), and the case of the matched text (``any``, ``capitalised``, ``upper``, ``lower``).
``before``, ``after``, ``post``, ``unless``
    The conditions: a regular expression that must match the text right before the match (it
    must end where the match starts) or right after it (it must start where the match ends),
    one that must be found somewhere in the post, and entities of which the post must name none
    (``forum:UN``). In ``before``/``after``, ``{country}``, ``{forum}`` and ``{entity}`` stand for
    another match of that kind. Expressions are Python ``re`` syntax and case-sensitive unless
    they say ``(?i)``. A ``before`` expression is tried only as far back as it can reach, so give
    it a bounded width (``\\s{1,3}`` rather than ``\\s+``); an unbounded one looks back at most
    :data:`netanalysis.extract.context.WINDOW` characters.
``class``, ``reason``
    What the text is instead (:data:`RULE_CLASSES`) and why, for the reader.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from netanalysis.errors import RegistryError
from netanalysis.registry.csvfile import choice, columns_frame, nonempty, read_rows

__all__ = [
    "RULE_COLUMNS",
    "RULE_CASES",
    "RULE_CLASSES",
    "PLACEHOLDERS",
    "read_rules",
    "apply_rule_file",
    "empty_rules",
    "expand_placeholders",
]

RULE_COLUMNS = [
    "rule",
    "applies_to",
    "lang",
    "form",
    "alias",
    "case",
    "before",
    "after",
    "post",
    "unless",
    "class",
    "reason",
]
RULE_CASES = ("any", "capitalised", "upper", "lower")
#: What a dropped match is instead of a mention (the labels' ``not_mention`` classes).
RULE_CLASSES = ("council", "person", "place", "name", "language", "word", "tech", "dateline", "region", "seat", "other")
#: Placeholders of ``before``/``after`` and what they match: one character of another match of
#: that kind, which is written as ``\x01`` (a country) or ``\x02`` (a forum) characters in the
#: text the expressions are matched against. One character is enough to say that a match starts
#: (in ``after``) or ends (in ``before``) there, and keeps a ``before`` expression's width bounded.
PLACEHOLDERS = {"{country}": "\x01", "{forum}": "\x02", "{entity}": "[\x01\x02]"}
_RULE_ID = re.compile(r"[a-z][a-z0-9_]*")
_FORMS = ("name", "acronym", "adjective", "demonym", "metonymy")
_LANGS = ("en", "ru", "other")


def expand_placeholders(pattern: str) -> str:
    """``pattern`` with ``{country}``, ``{forum}``, ``{entity}`` replaced by what they match."""
    for name, value in PLACEHOLDERS.items():
        pattern = pattern.replace(name, value)
    return pattern


def empty_rules() -> pd.DataFrame:
    """A rules table without rules (a registry built by hand, a data folder without the file)."""
    return columns_frame([], RULE_COLUMNS)


def _entity_refs(path: Path, line: int, column: str, value: str, entities: dict[str, set[str]], wildcard: bool) -> None:
    for token in value.split():
        if wildcard and (token == "*" or token in entities):
            continue
        kind, _, ident = token.partition(":")
        if kind not in entities or not ident:
            allowed = "country, forum, country:XX, forum:ID or *" if wildcard else "country:XX or forum:ID"
            raise RegistryError(f"{path}: line {line}: {column} {token!r} is not {allowed}")
        if ident not in entities[kind]:
            raise RegistryError(f"{path}: line {line}: {column} names an unknown {kind} {ident!r}")


def _regex(path: Path, line: int, column: str, value: str, anchored: str = "") -> None:
    if not value:
        return
    try:
        re.compile(anchored.format(expand_placeholders(value)) if anchored else expand_placeholders(value))
    except re.error as exc:
        raise RegistryError(f"{path}: line {line}: {column} is not a valid regular expression ({exc})") from None


def _check_rule(path: Path, line: int, row: dict[str, str], entities: dict[str, set[str]]) -> list[str]:
    rule = nonempty(path, line, "rule", row["rule"])
    if not _RULE_ID.fullmatch(rule):
        raise RegistryError(f"{path}: line {line}: rule id {rule!r} must be lower-case letters, digits and _")
    _entity_refs(path, line, "applies_to", nonempty(path, line, "applies_to", row["applies_to"]), entities, True)
    if row["lang"]:
        choice(path, line, "lang", row["lang"], _LANGS)
    for form in row["form"].split():
        choice(path, line, "form", form, _FORMS)
    case = row["case"] or "any"
    choice(path, line, "case", case, RULE_CASES)
    _regex(path, line, "alias", row["alias"])
    _regex(path, line, "before", row["before"], "(?:{})$")
    _regex(path, line, "after", row["after"])
    _regex(path, line, "post", row["post"])
    _entity_refs(path, line, "unless", row["unless"], entities, False)
    choice(path, line, "class", row["class"], RULE_CLASSES)
    nonempty(path, line, "reason", row["reason"])
    if not (row["before"] or row["after"] or row["post"] or row["unless"] or case != "any"):
        raise RegistryError(
            f"{path}: line {line}: rule {rule!r} has no condition (before, after, post, unless or case); "
            "to drop an alias everywhere remove it with an alias file"
        )
    return [rule, row["applies_to"], row["lang"], row["form"], row["alias"], case] + [row[c] for c in RULE_COLUMNS[6:]]


def read_rules(path: Path, entities: dict[str, set[str]]) -> pd.DataFrame:
    """The rules of ``path`` (the columns of :data:`RULE_COLUMNS`), in file order, checked.

    Raises
    ------
    RegistryError
        A missing column, an unknown entity or form, an invalid regular expression, a rule id
        used twice, a rule without any condition; the message names the file and the line.
    """
    rows: list[list[str]] = []
    seen: dict[str, int] = {}
    for line, row in read_rows(path, RULE_COLUMNS):
        checked = _check_rule(path, line, row, entities)
        if checked[0] in seen:
            raise RegistryError(
                f"{path}: line {line}: rule {checked[0]!r} given twice (first on line {seen[checked[0]]})"
            )
        seen[checked[0]] = line
        rows.append(checked)
    return columns_frame(rows, RULE_COLUMNS)


def apply_rule_file(path: Path, rules: pd.DataFrame, entities: dict[str, set[str]]) -> pd.DataFrame:
    """``rules`` with the rows of a user's rules file: a rule id already there is replaced, a row
    whose ``action`` is ``remove`` deletes the rule of that id."""
    table = {row[0]: list(row) for row in rules.itertuples(index=False, name=None)}
    for line, row in read_rows(path, RULE_COLUMNS, optional=["action"]):
        action = choice(path, line, "action", row.get("action") or "add", ("add", "remove"))
        if action == "remove":
            if row["rule"] not in table:
                raise RegistryError(f"{path}: line {line}: nothing to remove: no rule {row['rule']!r}")
            del table[row["rule"]]
            continue
        checked = _check_rule(path, line, row, entities)
        table[checked[0]] = checked
    return columns_frame(list(table.values()), RULE_COLUMNS)


def header_of(path: Path) -> Sequence[str]:
    """The column names of a CSV file's first line (for telling extension files apart)."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            first = handle.readline()
    except (OSError, UnicodeDecodeError):
        return ()  # the alias reader reports the problem with its usual message
    return [cell.strip().strip('"') for cell in first.split(",")]
