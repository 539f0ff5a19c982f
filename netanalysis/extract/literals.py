"""Literals that every match of a regular expression contains: a cheap test that lets the context
rules skip an expression that cannot match (:mod:`netanalysis.extract.context`).

A search with Python's ``re`` costs a try at every position of its window; looking a plain
string up in the same window with ``str.find`` is one fast scan. So before an expression is
tried, the literals it needs are looked up: when one of them is missing, the expression cannot
match there and is not tried. The literals are read from the parsed expression
(:func:`needs`), and the test (:func:`may_match`) only ever skips a search that would fail, so
the mentions are the same with and without it (``tests/test_extract_rules_reference.py``
checks the rules against a plain evaluation of each condition).
"""

from __future__ import annotations

import re

__all__ = ["FOLD_EXCEPTIONS", "Needs", "gate", "may_match", "needs"]

#: Groups of literals: every match contains at least one literal of each group.
Needs = tuple[tuple[str, ...], ...]

#: Characters that the placeholders of a rule stand for in the marked text; a literal with one
#: of them is not looked up in the plain text.
_MARKS = ("\x01", "\x02")
#: The characters that a case-insensitive expression matches to a Latin or Cyrillic letter
#: although the lower-cased text does not have that letter there: dotless ``ı`` and long ``ſ``
#: (``re`` matches them to ``i`` and ``s``), ``İ`` (its lower case is two characters, so the
#: lower-cased text keeps it as it is) and the Cyrillic variants U+1C80-U+1C87 (``ᲀ`` is ``в``).
#: ``tests/test_extract_literals.py`` finds them again by trying every character.
FOLD_EXCEPTIONS = frozenset("\u0130\u0131\u017f" + "".join(chr(c) for c in range(0x1C80, 0x1C88)))
#: At most this many spellings of a run with small classes in it ([Ss]ecretary of [Ss]tate).
_MAX_SPELLINGS = 8
#: At most this many groups are kept (the cheapest first: fewest literals, then longest).
_MAX_GROUPS = 3


def needs(pattern: str, *, fold: bool = False) -> Needs | None:
    r"""The literal groups of ``pattern`` (see :data:`Needs`), or None when none are known.

    Read from the parsed expression: each run of plain characters that every match consumes
    (outside optional repeats and look-arounds, and not under a case-insensitive flag) is a
    group of one; an alternation whose every alternative needs a literal is a group of those
    literals (one an alternative). A case-insensitive expression has none.

    With ``fold``, the groups are those of the lower-cased text instead: every literal is
    lower-cased and the parts under a case-insensitive flag count too (a match of
    ``(?i:ул\.)`` has ``ул.`` in the lower-cased text). Only literals whose lower case does not
    depend on their neighbours mean that (:func:`gate` keeps only those).

    Examples
    --------
    >>> needs(r"\s+(?:Sea|Gulf)"), needs(r"(?i:\bул\.)\s*")
    ((('Sea', 'Gulf'),), None)
    >>> needs(r"(?i:\bул\.)\s*", fold=True), needs(r"(?i)\bthanksgiving\b", fold=True)
    ((('ул.',),), (('thanksgiving',),))
    """
    if not pattern:
        return None
    try:
        parsed = re._parser.parse(pattern)  # type: ignore[attr-defined]
    except Exception:  # an expression the parser cannot read: no shortcut
        return None
    if parsed.state.flags & re.IGNORECASE and not fold:
        return None
    found = _groups(list(parsed), fold)
    if fold:
        found = [tuple(dict.fromkeys(literal.lower() for literal in group)) for group in found]
    groups = sorted(set(found), key=lambda g: (len(g), -min(map(len, g)), g))
    return tuple(groups[:_MAX_GROUPS]) or None


def gate(*found: Needs | None) -> tuple[str, ...] | None:
    """Of the literal groups of a rule's conditions, the one to look for while the names are
    found (the group's literals, or None when no group fits).

    The names' automaton walks the post lower-cased (:mod:`netanalysis.extract.gazetteer`), so
    it can report where these literals occur, lower-cased, at no extra cost per character: a
    post without any literal of the group cannot make the rule fire. A group fits when each of
    its literals is at least 3 characters long (a shorter one, such as ``of``, occurs in most
    posts, inside words too) and is written in Latin or Cyrillic letters, digits, spaces and
    punctuation (characters whose lower case does not depend on their neighbours, unlike Greek
    sigma). Of the fitting groups, the one whose shortest literal is longest is taken.
    """
    fitting = [g for f in found if f for g in f if all(_gateable(literal) for literal in g)]
    if not fitting:
        return None
    return max(fitting, key=lambda g: (min(map(len, g)), -len(g)))


def _gateable(literal: str) -> bool:
    return len(literal) >= 3 and all(ch.isascii() or "\u0400" <= ch <= "\u04ff" for ch in literal)


def may_match(found: Needs | None, text: str, lo: int, hi: int) -> bool:
    """False when some group of ``found`` has no literal inside ``text[lo:hi]`` (so the
    expression they come from cannot match there); True otherwise, and always for None."""
    if found is None:
        return True
    for group in found:
        for literal in group:
            if text.find(literal, lo, hi) >= 0:
                break
        else:
            return False
    return True


def _groups(items: list, fold: bool = False) -> list[tuple[str, ...]]:
    """The literal groups that every match of the sequence ``items`` needs (``fold``: the parts
    under a case-insensitive flag too)."""
    from re import _constants as c  # type: ignore[attr-defined]

    found: list[tuple[str, ...]] = []
    runs = [""]  # the run of plain characters so far, in each of its spellings
    for op, arg in items:
        if op is c.LITERAL:
            runs = [run + chr(arg) for run in runs]
            continue
        if op is c.IN:  # a small class of plain characters ([Ll]ive): one spelling for each
            chars = [chr(av) for sub, av in arg if sub is c.LITERAL]
            if len(chars) == len(arg) and len(runs) * len(chars) <= _MAX_SPELLINGS:
                runs = [run + ch for run in runs for ch in chars]
                continue
        _close(runs, found)
        runs = [""]
        if op is c.BRANCH:
            group = _branch(arg[1], fold)
            if group:
                found.append(group)
        elif op is c.SUBPATTERN:
            _group, add_flags, _del_flags, body = arg
            if fold or not add_flags & re.IGNORECASE:
                found += _groups(list(body), fold)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            low, _high, body = arg
            if low >= 1:
                found += _groups(list(body), fold)
    _close(runs, found)
    return found


def _close(runs: list[str], found: list[tuple[str, ...]]) -> None:
    """Add the plain parts of a run of literals (split at placeholder marks) as groups of one,
    or a run spelt several ways (a class in it) as the group of its spellings."""
    if len(runs) > 1:
        if all(runs) and not any(mark in run for run in runs for mark in _MARKS):
            found.append(tuple(dict.fromkeys(runs)))
        return
    run = runs[0]
    for mark in _MARKS:
        run = run.replace(mark, "\x00")
    found += [(part,) for part in run.split("\x00") if part]


def _branch(alternatives: list, fold: bool = False) -> tuple[str, ...] | None:
    """One literal for each alternative (its longest one that is a group of its own, else the
    literals of its cheapest group), or None when some alternative needs none."""
    literals: list[str] = []
    for alternative in alternatives:
        groups = _groups(list(alternative), fold)
        if not groups:
            return None
        singles = [g[0] for g in groups if len(g) == 1]
        if singles:
            literals.append(max(singles, key=len))
        else:
            cheapest: tuple[str, ...] = min(groups, key=len)
            literals.extend(cheapest)
    return tuple(dict.fromkeys(literals))
