"""A context rule's conditions: compiled from a row of the rules table and checked on a match
(the semantics are in :mod:`netanalysis.extract.context`, which applies the rules of a post).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from netanalysis.extract.literals import Needs, may_match, needs
from netanalysis.registry.rules import PLACEHOLDERS, expand_placeholders

__all__ = [
    "ADJ_ENDING",
    "Rule",
    "SHAPES",
    "WINDOW",
    "case_fits",
    "fires",
    "marked_text",
    "fits",
    "only",
    "reach",
    "rule_from_row",
    "shape",
    "word",
]

#: How far back (characters) a ``before`` expression may look.
WINDOW = 40
#: Russian adjective endings (a word is compared without its ending when a place spreads).
ADJ_ENDING = re.compile(r"(?:ий|ый|ой|ая|яя|ое|ее|ие|ые|ого|его|ому|ему|ым|им|ом|ем|ую|юю|ей|ых|их|ыми|ими)$")
SHAPES = ("lower", "capitalised", "upper")


class Rule(NamedTuple):
    """One rule of the table, compiled."""

    rule: str
    before_text: str  # the expressions as written (placeholders expanded), for combining
    after_text: str
    reach: int  # how far back ``before`` can reach
    placeholders: bool  # whether ``before`` or ``after`` uses a placeholder
    kinds: frozenset[str]  # "country", "forum" or "*" for every entity of that kind
    entities: frozenset[tuple[str, str]]
    lang: str
    forms: frozenset[str]
    alias: re.Pattern[str] | None
    case: str
    before: re.Pattern[str] | None
    after: re.Pattern[str] | None
    post: re.Pattern[str] | None
    unless: frozenset[tuple[str, str]]
    klass: str
    before_needs: Needs | None  # literals every ``before`` match contains (literals.needs)
    after_needs: Needs | None  # the same for ``after``, in the plain text
    after_reach: int  # how far ``after`` can reach (the length of the text when it has no bound)
    post_needs: Needs | None  # the same for ``post``
    before_literal: str | None  # the literal when ``before`` needs just one (before_needs)


def _expression(pattern: str, template: str = "{}") -> re.Pattern[str] | None:
    return re.compile(template.format(expand_placeholders(pattern))) if pattern else None


def _refs(value: str) -> frozenset[tuple[str, str]]:
    pairs = (token.partition(":") for token in value.split())
    return frozenset((kind, ident) for kind, sep, ident in pairs if sep)


def rule_from_row(row: dict) -> Rule:
    """A row of the rules table (:data:`netanalysis.registry.RULE_COLUMNS`), compiled."""
    after_text = expand_placeholders(row["after"].removeprefix("^"))
    return Rule(
        rule=row["rule"],
        before_text=expand_placeholders(row["before"]),
        after_text=after_text,
        reach=reach(expand_placeholders(row["before"])),
        placeholders=any(p in row["before"] + row["after"] for p in PLACEHOLDERS),
        kinds=frozenset(t for t in row["applies_to"].split() if ":" not in t),
        entities=_refs(row["applies_to"]),
        lang=row["lang"],
        forms=frozenset(row["form"].split()),
        alias=re.compile(row["alias"], re.IGNORECASE) if row["alias"] else None,
        case=row["case"] or "any",
        before=_expression(row["before"], r"(?:{})\Z"),
        after=re.compile(after_text) if after_text else None,
        post=_expression(row["post"]),
        unless=_refs(row["unless"]),
        klass=row["class"],
        before_needs=needs(expand_placeholders(row["before"])),
        after_needs=needs(after_text),
        after_reach=_width(after_text),
        post_needs=needs(row["post"]),
        before_literal=_one_literal(needs(expand_placeholders(row["before"]))),
    )


def shape(surface: str) -> str:
    """``upper``, ``capitalised`` or ``lower`` (what a rule's ``case`` asks for; other shapes,
    such as ``iPhone``, are ``lower``: no ``case`` rule fits them)."""
    if surface.isupper():
        return "upper"
    return "capitalised" if surface[:1].isupper() else "lower"


def reach(pattern: str) -> int:
    """How many characters a ``before`` expression can span (at most :data:`WINDOW`)."""
    if not pattern:
        return 0
    try:
        width = re._parser.parse(pattern).getwidth()[1]  # type: ignore[attr-defined]
    except Exception:  # an expression the parser cannot size: look back the whole window
        return WINDOW
    return min(WINDOW, width)


def only(rule: Rule, condition: str) -> bool:
    """Whether ``condition`` (``after`` or ``before``) is the rule's one condition."""
    others = rule.case != "any" or rule.post is not None or bool(rule.unless)
    return not others and (rule.before is None if condition == "after" else rule.after is None)


def fires(
    rule: Rule, surface: str, start: int, end: int, text: str, context: str, vouching, posts: dict[str, bool]
) -> bool:
    """Whether every condition of ``rule`` holds for a match (``context`` is what ``before`` and
    ``after`` are matched on: the text with matches marked when the rule uses a placeholder;
    ``posts`` keeps the ``post`` conditions already looked at in this post).

    The cheap tests come first: the case, then whether the literals that ``post``, ``before``
    and ``after`` need are in the text (:mod:`netanalysis.extract.literals`; the marked text
    has the plain text's literals where it has them at all), then the expressions."""
    if rule.case != "any" and not case_fits(surface, rule.case):
        return False
    if rule.post is not None:
        holds = posts.get(rule.rule)
        if holds is None:
            holds = may_match(rule.post_needs, text, 0, len(text)) and rule.post.search(text) is not None
            posts[rule.rule] = holds
        if not holds:
            return False
    lo = max(0, start - rule.reach)
    if rule.before is not None and not may_match(rule.before_needs, text, lo, start):
        return False
    if rule.after is not None and not may_match(rule.after_needs, text, end, end + rule.after_reach):
        return False
    if rule.unless and rule.unless & vouching:
        return False
    if rule.after is not None and rule.after.match(context, end) is None:
        return False
    return rule.before is None or rule.before.search(context, lo, start) is not None


def fits(rule: Rule, lang: str, form: str) -> bool:
    """Whether a rule's ``lang`` and ``form`` select an alias of that language and form."""
    return not (rule.lang and rule.lang != lang) and not (rule.forms and form not in rule.forms)


def _one_literal(found: Needs | None) -> str | None:
    """The literal of needs that are a single literal (``(("in",),)``), else None."""
    return found[0][0] if found is not None and len(found) == 1 and len(found[0]) == 1 else None


def _width(pattern: str) -> int:
    """How many characters a match of ``pattern`` can span (a very large number when unbounded)."""
    if not pattern:
        return 0
    try:
        return int(re._parser.parse(pattern).getwidth()[1])  # type: ignore[attr-defined]
    except Exception:  # an expression the parser cannot size: no bound
        return 1 << 62


def case_fits(surface: str, case: str) -> bool:
    if case == "upper":
        return surface.isupper()
    if case == "lower":
        return surface.islower()
    return surface[:1].isupper() and not surface.isupper()  # capitalised


def word(surface: str) -> str:
    return ADJ_ENDING.sub("", surface.lower())


def marked_text(rows: Iterable[tuple], text: str) -> str:
    """``text`` with every country match written as ``\\x01`` and every forum match as ``\\x02``.

    Marks go in order of (start, end); a match that starts inside one already marked is left
    as it is. The extractor's rows are in that order already (a country named at the start of
    a forum's name, the shorter, comes first); other rows are sorted first.
    """
    rows = list(rows)
    parts = []
    done = at = at_end = 0
    for row in rows:
        kind, start = row[0], row[5]
        if start < at or (start == at and row[6] < at_end):  # not in order: sort them
            return _marked_sorted(rows, text)
        at, at_end = start, row[6]
        if kind == "tag" or start < done:  # nested inside a mark already made
            continue
        end = row[6]
        parts += [text[done:start], ("\x01" if kind == "country" else "\x02") * (end - start)]
        done = end
    parts.append(text[done:])
    return "".join(parts)


def _marked_sorted(rows: list[tuple], text: str) -> str:
    marks = sorted((row[5], row[6], "\x01" if row[0] == "country" else "\x02") for row in rows if row[0] != "tag")
    parts = []
    done = 0
    for start, end, mark in marks:
        if start < done:  # nested inside a mark already made
            continue
        parts += [text[done:start], mark * (end - start)]
        done = end
    parts.append(text[done:])
    return "".join(parts)
