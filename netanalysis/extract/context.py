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

Speed (the rules are checked on most English names and Russian adjectives, so their cost is per
match): the rules of an alias whose one condition is ``after`` are tried as one expression, and
likewise those whose one condition is ``before``; an expression is tried only when the literals
it needs (:mod:`netanalysis.extract.literals`) are in its window; a ``post`` condition is looked
at once a post. A rule whose conditions need a literal of three letters or more (``Daily``,
``Gulf``, ``залив``) has that literal looked for by the names' automaton while it walks the
post (:meth:`ContextRules.use_triggers`): in a post without it, the rule is not looked at, and
a match whose rules all have such literals is not handed to :meth:`ContextRules.apply` at all.
``tests/test_extract_rules_reference.py`` holds all this to a plain evaluation of every rule on
every match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

from netanalysis.extract.conditions import (
    SHAPES,
    WINDOW,
    Rule,
    fires,
    fits,
    marked_text,
    only,
    reach,
    rule_from_row,
    shape,
    word,
)
from netanalysis.extract.literals import FOLD_EXCEPTIONS, Needs, gate, may_match, needs

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["ContextRules", "WINDOW"]

_SPREADING = ("place",)


class ContextRules:
    """The rules of a registry, compiled (see the module notes for what they do).

    Parameters
    ----------
    rules : DataFrame
        The registry's ``rules`` table (columns :data:`netanalysis.registry.RULE_COLUMNS`).
    """

    def __init__(self, rules: pd.DataFrame):
        self.rules: tuple[Rule, ...] = tuple(rule_from_row(row) for row in rules.to_dict("records"))
        self._unless = frozenset(i for i, r in enumerate(self.rules) if r.unless)
        self._plans: dict[tuple[int, ...], _Plan] = {}
        # each rule's gate: literals one of which is in any post where it can fire (literals.gate)
        # (read from the lower-cased text the names' automaton walks: case-insensitive parts count)
        self._gate_literals = [
            gate(
                needs(r.before_text, fold=True),
                needs(r.after_text, fold=True),
                needs(r.post.pattern, fold=True) if r.post is not None else None,
            )
            for r in self.rules
        ]
        self._gates: dict[str, frozenset[int] | None] = {r.rule: None for r in self.rules}
        self._fitting: dict[tuple[str, str, str], tuple[int, ...]] = {}  # by kind, language and form
        self._by_entity: dict[tuple[str, str], list[int]] = {}  # the rules that name an entity
        for i, rule in enumerate(self.rules):
            for ref in rule.entities:
                self._by_entity.setdefault(ref, []).append(i)

    @property
    def gate_literals(self) -> list[str]:
        """The literals that the names' automaton is asked to report (see :meth:`use_triggers`)."""
        found = {literal for group in self._gate_literals if group for literal in group}
        return sorted(found | FOLD_EXCEPTIONS) if found else []

    def use_triggers(self, ids: dict[str, int]) -> None:
        """Gate the rules on the literals the names' matcher reports: ``ids`` numbers each
        literal of :attr:`gate_literals` the matcher looks for (one it cannot report is left
        out, and so is the gate of a rule that needs it). :meth:`apply` then skips a rule whose
        gate literals are all missing from the ``seen`` numbers of a post.

        The gates are read from the lower-cased text, where a case-insensitive expression's
        ``в`` may have matched ``ᲀ`` or its ``s`` ``ſ`` (:data:`~netanalysis.extract.literals.FOLD_EXCEPTIONS`):
        every gate also opens on those characters, and without them no rule is gated."""
        exceptions = [ids.get(ch) for ch in sorted(FOLD_EXCEPTIONS)]
        usable = all(number is not None for number in exceptions)
        always = frozenset(number for number in exceptions if number is not None)
        for rule, group in zip(self.rules, self._gate_literals):
            ok = usable and group is not None and all(literal in ids for literal in group)
            self._gates[rule.rule] = frozenset(ids[literal] for literal in group) | always if ok and group else None
        self._plans.clear()

    def gate_of(self, ids: tuple[int, ...]) -> frozenset[int] | None:
        """The gate of the rules ``ids`` of an alias (None when one of them has none)."""
        return self._gate([self.rules[i] for i in ids])

    def _gate(self, rules: list[Rule]) -> frozenset[int] | None:
        """The gate of rules checked together: any of their literals (None if one has no gate)."""
        gates = [self._gates[r.rule] for r in rules]
        if not gates or any(g is None for g in gates):
            return None
        return frozenset().union(*[g for g in gates if g is not None])

    def _plan(self, ids: tuple[int, ...]) -> _Plan:
        """How the rules ``ids`` are checked together: the rules whose only condition is ``after``
        in one expression, those whose only condition is ``before`` in another, the rest one by one
        (the same result as checking each rule: a match is dropped if any rule's conditions hold)."""
        plan = self._plans.get(ids)
        if plan is None:
            rules = [self.rules[i] for i in ids]
            afters = [r for r in rules if r.after_text and not r.placeholders and only(r, "after")]
            befores = [r for r in rules if r.before_text and not r.placeholders and only(r, "before")]
            combined = {r.rule for r in afters + befores}
            singles = [r for r in rules if r.rule not in combined]
            before = "(?:" + "|".join(f"(?:{r.before_text})" for r in befores) + ")" if befores else ""
            plan = _Plan(
                after=re.compile("|".join(f"(?:{r.after_text})" for r in afters)) if afters else None,
                before=re.compile(before + r"\Z") if befores else None,
                reach=reach(before),
                singles={
                    shape: tuple((r, self._gates[r.rule]) for r in singles if r.case in ("any", shape))
                    for shape in SHAPES
                },
                by_shape=any(r.case != "any" for r in singles),
                singles_any=bool(singles),
                placeholders=any(r.placeholders for r in rules),
                before_needs=needs(before),
                place=tuple(r for r in rules if r.klass in _SPREADING),
                after_gate=self._gate(afters),
                before_gate=self._gate(befores),
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
                if ("*" in rule.kinds or kind in rule.kinds) and fits(rule, lang, form)
            )
        named = [i for i in self._by_entity.get((kind, entity), ()) if fits(self.rules[i], lang, form)]
        ids = sorted(set(fitting).union(named)) if named else fitting
        patterns = [(i, self.rules[i].alias) for i in ids]
        return tuple(i for i, pattern in patterns if pattern is None or pattern.fullmatch(alias))

    def apply(
        self,
        rows: list[tuple],
        ruled: list[tuple[tuple, tuple[int, ...]]],
        text: str,
        kept_forms: frozenset[str] | None = None,
        seen: Iterable[int] | None = None,
    ) -> list[tuple]:
        """``rows`` (the mention rows of one post) without the matches the rules drop.

        With ``kept_forms``, the matches of other forms are not looked at (the caller drops
        them anyway), adjectives excepted (a place's adjective spreads to other rows); every row
        still counts as context for the others, so the rows kept of the kept forms are the same.

        ``ruled`` pairs name matches with the rules that select their alias (as
        :meth:`~netanalysis.extract.gazetteer.NameMatcher.find_rows_ruled` gives them: a match
        not among ``rows``, one that lost to a longer match, is ignored); ``text`` is the post
        with its links masked (offsets as in the post). ``seen`` numbers the gate literals that
        the names' matcher found in the post (:meth:`use_triggers`): a rule none of whose gate
        literals is there cannot fire and is not looked at; None looks at every rule.
        """
        context: str | None = None
        vouching: set[tuple[str, str]] | None = None
        dropped: set[int] = set()
        kept: set[int] | None = None
        spread: set[tuple[str, str]] = set()
        posts: dict[str, bool] = {}  # a rule's ``post`` condition, looked at once a post
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
            fired = (
                after is not None
                and (seen is None or plan.after_gate is None or not plan.after_gate.isdisjoint(seen))
                and after.match(text, end) is not None
            )
            if (
                not fired
                and plan.before is not None
                and (seen is None or plan.before_gate is None or not plan.before_gate.isdisjoint(seen))
            ):
                reach = plan.reach
                lo = start - reach if start > reach else 0
                if may_match(plan.before_needs, text, lo, start):
                    fired = plan.before.search(text, lo, start) is not None
            if not fired and plan.singles_any:
                for rule, gated in plan.singles[shape(row[4])] if plan.by_shape else plan.singles["lower"]:
                    if seen is not None and gated is not None and gated.isdisjoint(seen):
                        continue  # none of the literals the rule needs is in the post
                    literal = rule.before_literal
                    if literal is not None:  # the one literal its ``before`` needs, looked up here
                        lo = start - rule.reach
                        if text.find(literal, lo if lo > 0 else 0, start) < 0:
                            continue
                    if rule.unless and vouching is None:
                        vouching = self._vouching(rows, ruled)
                    marked = text
                    if rule.placeholders:
                        if context is None:
                            context = marked_text(rows, text)
                        marked = context
                    if fires(rule, row[4], start, end, text, marked, vouching, posts):
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
                    context = marked_text(rows, text)
                if any(
                    fires(r, surface, start, end, text, (context or "") if r.placeholders else text, vouching, posts)
                    for r in plan.place
                ):
                    spread.add((row[1], word(surface)))
        if not dropped:
            return rows
        return [
            row
            for row in rows
            if id(row) not in dropped
            and not (spread and row[2] == "name" and row[4][:1].isupper() and (row[1], word(row[4])) in spread)
        ]

    def _vouching(self, rows: list[tuple], ruled: list[tuple[tuple, tuple[int, ...]]]) -> set[tuple[str, str]]:
        """The entities the post mentions through matches that no ``unless`` rule applies to."""
        unless = self._unless
        doubted = {id(row) for row, ids in ruled if not unless.isdisjoint(ids)}
        return {(row[0], row[1]) for row in rows if id(row) not in doubted and row[0] != "tag"}


class _Plan(NamedTuple):
    after: re.Pattern[str] | None
    before: re.Pattern[str] | None
    reach: int  # how far back ``before`` can reach
    singles: dict[str, tuple[tuple[Rule, frozenset[int] | None], ...]]  # by shape (_shape), with gates
    by_shape: bool  # whether some single rule asks for a case
    singles_any: bool  # whether there are single rules
    placeholders: bool  # whether any of the rules uses a placeholder
    place: tuple[Rule, ...]
    before_needs: Needs | None  # literals every ``before`` match contains (literals.needs)
    after_gate: frozenset[int] | None  # the gate of the ``after`` rules (ContextRules.use_triggers)
    before_gate: frozenset[int] | None
