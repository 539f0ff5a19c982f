"""Context rules for homographs: dropping the name matches that the registry's rules say are not
mentions here (``Jordan Bardella``, ``Совет безопасности России``, ``Малая Грузинская``).

The rules are data (``rules.csv``, read by :mod:`netanalysis.registry.rules`); this module
applies them. Semantics, so that any implementation gives the same mentions:

1. **Selection** is decided per alias, once, when the registry is compiled
   (:meth:`ContextRules.rules_for`): a rule selects an alias when the alias's kind and entity
   fit ``applies_to``, its language fits ``lang``, its form is among ``form`` and the ``alias``
   expression matches the whole alias (ignoring case). Only matches of selected aliases are
   looked at again.
2. **Conditions** are evaluated on the post after names, hashtags and flags were found and links
   masked: the matched text's ``case``; ``before`` must match text ending where the match
   starts (looking back as far as the expression can reach, at most :data:`WINDOW` characters)
   and ``after`` text starting where it ends (a leading ``^`` is allowed and means the same),
   both on the masked post, or, in a rule that uses a placeholder, on the masked post in which
   every country match (name, hashtag or flag) is written as ``\\x01`` characters and every
   forum match as ``\\x02`` (one of which is what ``{country}``, ``{forum}`` and ``{entity}``
   stand for); ``post`` must be found in the masked post; ``unless``
   holds when the post has no mention of those entities other than matches that are themselves
   subject to an ``unless`` rule (two bare "Совбез" do not vouch for each other).
3. A match is **dropped** when some rule selecting it has all its conditions hold.
4. **One sense per discourse** (Gale, Church & Yarowsky 1992): when a rule of class ``place``
   drops a capitalised Russian adjective, the other capitalised matches of the same entity and
   word in the post are dropped too (``Мексиканский залив`` ... ``Мексиканский в Американский``);
   the word is compared without its adjective ending. (Russian writes adjectives of countries in
   lower case, so a capital marks a proper name; English capitalises them all.)

Dropped matches are gone before forms are chosen, so a dropped match never becomes a mention of
any form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

from netanalysis.extract.literals import Needs, may_match, needs
from netanalysis.registry.rules import PLACEHOLDERS, expand_placeholders

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["ContextRules", "WINDOW"]

#: How far back (characters) a ``before`` expression may look.
WINDOW = 40
_SPREADING = ("place",)
_ADJ_ENDING = re.compile(r"(?:ий|ый|ой|ая|яя|ое|ее|ие|ые|ого|его|ому|ему|ым|им|ом|ем|ую|юю|ей|ых|их|ыми|ими)$")


class _Rule(NamedTuple):
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


def _compile(pattern: str, template: str = "{}") -> re.Pattern[str] | None:
    return re.compile(template.format(expand_placeholders(pattern))) if pattern else None


def _refs(value: str) -> frozenset[tuple[str, str]]:
    pairs = (token.partition(":") for token in value.split())
    return frozenset((kind, ident) for kind, sep, ident in pairs if sep)


class ContextRules:
    """The rules of a registry, compiled (see the module notes for what they do).

    Parameters
    ----------
    rules : DataFrame
        The registry's ``rules`` table (columns :data:`netanalysis.registry.RULE_COLUMNS`).
    """

    def __init__(self, rules: pd.DataFrame):
        compiled = []
        for row in rules.to_dict("records"):
            after_text = expand_placeholders(row["after"].removeprefix("^"))
            compiled.append(
                _Rule(
                    rule=row["rule"],
                    before_text=expand_placeholders(row["before"]),
                    after_text=after_text,
                    reach=_reach(expand_placeholders(row["before"])),
                    placeholders=any(p in row["before"] + row["after"] for p in PLACEHOLDERS),
                    kinds=frozenset(t for t in row["applies_to"].split() if ":" not in t),
                    entities=_refs(row["applies_to"]),
                    lang=row["lang"],
                    forms=frozenset(row["form"].split()),
                    alias=re.compile(row["alias"], re.IGNORECASE) if row["alias"] else None,
                    case=row["case"] or "any",
                    before=_compile(row["before"], r"(?:{})\Z"),
                    after=re.compile(after_text) if after_text else None,
                    post=_compile(row["post"]),
                    unless=_refs(row["unless"]),
                    klass=row["class"],
                    before_needs=needs(expand_placeholders(row["before"])),
                    after_needs=needs(after_text),
                    after_reach=_width(after_text),
                    post_needs=needs(row["post"]),
                )
            )
        self.rules: tuple[_Rule, ...] = tuple(compiled)
        self._unless = frozenset(i for i, r in enumerate(self.rules) if r.unless)
        self._plans: dict[tuple[int, ...], _Plan] = {}
        self._fitting: dict[tuple[str, str, str], tuple[int, ...]] = {}  # by kind, language and form
        self._by_entity: dict[tuple[str, str], list[int]] = {}  # the rules that name an entity
        for i, rule in enumerate(self.rules):
            for ref in rule.entities:
                self._by_entity.setdefault(ref, []).append(i)

    def _plan(self, ids: tuple[int, ...]) -> _Plan:
        """How the rules ``ids`` are checked together: the rules whose only condition is ``after``
        in one expression, those whose only condition is ``before`` in another, the rest one by one
        (the same result as checking each rule: a match is dropped if any rule's conditions hold)."""
        plan = self._plans.get(ids)
        if plan is None:
            rules = [self.rules[i] for i in ids]
            afters = [r for r in rules if r.after_text and not r.placeholders and _only(r, "after")]
            befores = [r for r in rules if r.before_text and not r.placeholders and _only(r, "before")]
            combined = {r.rule for r in afters + befores}
            singles = [r for r in rules if r.rule not in combined]
            before = "(?:" + "|".join(f"(?:{r.before_text})" for r in befores) + ")" if befores else ""
            plan = _Plan(
                after=re.compile("|".join(f"(?:{r.after_text})" for r in afters)) if afters else None,
                before=re.compile(before + r"\Z") if befores else None,
                reach=_reach(before),
                singles={shape: tuple(r for r in singles if r.case in ("any", shape)) for shape in _SHAPES},
                by_shape=any(r.case != "any" for r in singles),
                singles_any=bool(singles),
                placeholders=any(r.placeholders for r in rules),
                before_needs=needs(before),
                place=tuple(r for r in rules if r.klass in _SPREADING),
            )
            self._plans[ids] = plan
        return plan

    def __len__(self) -> int:
        return len(self.rules)

    def rules_for(self, kind: str, entity: str, alias: str, lang: str, form: str) -> tuple[int, ...]:
        """The indices of the rules that select an alias (empty for most aliases)."""
        key = (kind, lang, form)
        fitting = self._fitting.get(key)
        if fitting is None:  # the rules that fit the kind, language and form, once for each
            fitting = self._fitting[key] = tuple(
                i
                for i, rule in enumerate(self.rules)
                if ("*" in rule.kinds or kind in rule.kinds) and _fits(rule, lang, form)
            )
        named = [i for i in self._by_entity.get((kind, entity), ()) if _fits(self.rules[i], lang, form)]
        ids = sorted(set(fitting).union(named)) if named else fitting
        patterns = [(i, self.rules[i].alias) for i in ids]
        return tuple(i for i, pattern in patterns if pattern is None or pattern.fullmatch(alias))

    def apply(
        self,
        rows: list[tuple],
        ruled: list[tuple[tuple, tuple[int, ...]]],
        text: str,
        kept_forms: frozenset[str] | None = None,
    ) -> list[tuple]:
        """``rows`` (the mention rows of one post) without the matches the rules drop.

        With ``kept_forms``, the matches of other forms are not looked at (the caller drops
        them anyway), adjectives excepted (a place's adjective spreads to other rows); every row
        still counts as context for the others, so the rows kept of the kept forms are the same.

        ``ruled`` pairs name matches with the rules that select their alias (as
        :meth:`~netanalysis.extract.gazetteer.NameMatcher.find_rows_ruled` gives them: a match
        not among ``rows``, one that lost to a longer match, is ignored); ``text`` is the post
        with its links masked (offsets as in the post).
        """
        context: str | None = None
        vouching: set[tuple[str, str]] | None = None
        dropped: set[int] = set()
        kept: set[int] | None = None
        spread: set[tuple[str, str]] = set()
        posts: dict[str, bool] = {}  # a rule's ``post`` condition, looked at once a post
        # whether the literals a single rule needs are anywhere in the post, looked at once a
        # post: when they are not, the rule is not tried at any match of it
        anywhere: dict[str, bool] = {}  # by the rule's name
        plans = self._plans
        for row, ids in ruled:
            if kept_forms is not None:
                form = row[3]
                if form not in kept_forms and form != "adjective":
                    continue  # dropped anyway, and only an adjective spreads to other rows (below)
            plan = plans.get(ids)
            if plan is None:
                plan = self._plan(ids)
            start, end = row[5], row[6]
            # the combined after and before expressions first (most matches end here); the text
            # with matches marked is made only when a rule with a placeholder is checked. The
            # ``before`` expression is tried only when a literal it needs is in its window.
            after = plan.after
            fired = after is not None and after.match(text, end) is not None
            if not fired and plan.before is not None:
                reach = plan.reach
                lo = start - reach if start > reach else 0
                if may_match(plan.before_needs, text, lo, start):
                    fired = plan.before.search(text, lo, start) is not None
            if not fired and plan.singles_any:
                for rule in plan.singles[_shape(row[4])] if plan.by_shape else plan.singles["lower"]:
                    open_ = anywhere.get(rule.rule)
                    if open_ is None:
                        open_ = anywhere[rule.rule] = _may_fire_in(rule, text)
                    if not open_:
                        continue
                    if rule.unless and vouching is None:
                        vouching = self._vouching(rows, ruled)
                    marked = text
                    if rule.placeholders:
                        if context is None:
                            context = _context(rows, text)
                        marked = context
                    if _fires(rule, row[4], start, end, text, marked, vouching, posts):
                        fired = True
                        break
            if not fired:
                continue
            if kept is None:
                kept = {id(r) for r in rows}
            if id(row) not in kept:
                continue  # lost to a longer match: not a mention anyway
            dropped.add(id(row))
            surface = row[4]
            if plan.place and row[3] == "adjective" and surface[:1].isupper() and not surface.isascii():
                if vouching is None:
                    vouching = self._vouching(rows, ruled)
                if context is None and any(r.placeholders for r in plan.place):
                    context = _context(rows, text)
                if any(
                    _fires(r, surface, start, end, text, (context or "") if r.placeholders else text, vouching, posts)
                    for r in plan.place
                ):
                    spread.add((row[1], _word(surface)))
        if not dropped:
            return rows
        return [
            row
            for row in rows
            if id(row) not in dropped
            and not (spread and row[2] == "name" and row[4][:1].isupper() and (row[1], _word(row[4])) in spread)
        ]

    def _vouching(self, rows: list[tuple], ruled: list[tuple[tuple, tuple[int, ...]]]) -> set[tuple[str, str]]:
        """The entities the post mentions through matches that no ``unless`` rule applies to."""
        unless = self._unless
        doubted = {id(row) for row, ids in ruled if unless.intersection(ids)}
        return {(row[0], row[1]) for row in rows if row[0] != "tag" and id(row) not in doubted}


class _Plan(NamedTuple):
    after: re.Pattern[str] | None
    before: re.Pattern[str] | None
    reach: int  # how far back ``before`` can reach
    singles: dict[str, tuple[_Rule, ...]]  # by the shape of the matched text (_shape)
    by_shape: bool  # whether some single rule asks for a case
    singles_any: bool  # whether there are single rules
    placeholders: bool  # whether any of the rules uses a placeholder
    place: tuple[_Rule, ...]
    before_needs: Needs | None  # literals every ``before`` match contains (literals.needs)


_SHAPES = ("lower", "capitalised", "upper")


def _shape(surface: str) -> str:
    """``upper``, ``capitalised`` or ``lower`` (what a rule's ``case`` asks for; other shapes,
    such as ``iPhone``, are ``lower``: no ``case`` rule fits them)."""
    if surface.isupper():
        return "upper"
    return "capitalised" if surface[:1].isupper() else "lower"


def _reach(pattern: str) -> int:
    """How many characters a ``before`` expression can span (at most :data:`WINDOW`)."""
    if not pattern:
        return 0
    try:
        width = re._parser.parse(pattern).getwidth()[1]  # type: ignore[attr-defined]
    except Exception:  # an expression the parser cannot size: look back the whole window
        return WINDOW
    return min(WINDOW, width)


def _only(rule: _Rule, condition: str) -> bool:
    """Whether ``condition`` (``after`` or ``before``) is the rule's one condition."""
    others = rule.case != "any" or rule.post is not None or bool(rule.unless)
    return not others and (rule.before is None if condition == "after" else rule.after is None)


def _fires(
    rule: _Rule, surface: str, start: int, end: int, text: str, context: str, vouching, posts: dict[str, bool]
) -> bool:
    """Whether every condition of ``rule`` holds for a match (``context`` is what ``before`` and
    ``after`` are matched on: the text with matches marked when the rule uses a placeholder;
    ``posts`` keeps the ``post`` conditions already looked at in this post).

    The cheap tests come first: the case, then whether the literals that ``post``, ``before``
    and ``after`` need are in the text (:mod:`netanalysis.extract.literals`; the marked text
    has the plain text's literals where it has them at all), then the expressions."""
    if rule.case != "any" and not _case_fits(surface, rule.case):
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


def _fits(rule: _Rule, lang: str, form: str) -> bool:
    """Whether a rule's ``lang`` and ``form`` select an alias of that language and form."""
    return not (rule.lang and rule.lang != lang) and not (rule.forms and form not in rule.forms)


def _may_fire_in(rule: _Rule, text: str) -> bool:
    """False when a literal that ``rule``'s ``before``, ``after`` or ``post`` needs is nowhere in
    the post (so the rule cannot fire at any match in it)."""
    whole = len(text)
    return (
        may_match(rule.before_needs, text, 0, whole)
        and may_match(rule.after_needs, text, 0, whole)
        and may_match(rule.post_needs, text, 0, whole)
    )


def _width(pattern: str) -> int:
    """How many characters a match of ``pattern`` can span (a very large number when unbounded)."""
    if not pattern:
        return 0
    try:
        return int(re._parser.parse(pattern).getwidth()[1])  # type: ignore[attr-defined]
    except Exception:  # an expression the parser cannot size: no bound
        return 1 << 62


def _case_fits(surface: str, case: str) -> bool:
    if case == "upper":
        return surface.isupper()
    if case == "lower":
        return surface.islower()
    return surface[:1].isupper() and not surface.isupper()  # capitalised


def _word(surface: str) -> str:
    return _ADJ_ENDING.sub("", surface.lower())


def _context(rows: Iterable[tuple], text: str) -> str:
    """``text`` with every country match written as ``\\x01`` and every forum match as ``\\x02``."""
    marks = sorted((row[5], row[6], "\x01" if row[0] == "country" else "\x02") for row in rows if row[0] != "tag")
    parts = []
    done = 0
    for start, end, mark in marks:
        if start < done:  # nested inside a forum's name: the forum's mark covers it
            continue
        parts += [text[done:start], mark * (end - start)]
        done = end
    parts.append(text[done:])
    return "".join(parts)
