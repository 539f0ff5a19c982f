"""What an extractor builds from a registry, once per registry: the names' automaton (with the
rules' trigger literals and the marks it also reports: ``#``, flag emoji and the dots of bare
domains), the compiled context rules, the hashtag lexicon and the flags.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from typing import TYPE_CHECKING

from netanalysis.extract.context import ContextRules
from netanalysis.extract.flags import flag_pair
from netanalysis.extract.gazetteer import NameMatcher
from netanalysis.extract.masking import DOMAIN_MARKS
from netanalysis.extract.pairs import TagLexicon

if TYPE_CHECKING:  # pragma: no cover
    from netanalysis.registry import Registry

__all__ = ["FLAG_FORUMS", "Compiled", "compiled_registry", "forget_compiled"]

log = logging.getLogger(__name__)

#: Flag emoji that stand for a forum, not a country.
FLAG_FORUMS = {"UN": "UN", "EU": "EU"}
# a multi-word alias is also usable in tags with these removed ("South Africa" -> "SouthAfrica")
_SEPARATORS = re.compile(r"[\s\-'\u2019.]")
_WORD = re.compile(r"\w+")


class Compiled:
    """What an :class:`Extractor` builds from a registry (shared by extractors of that registry)."""

    def __init__(self, registry: Registry, backend: str):
        countries = set(registry.countries["code"].astype(str))
        forums = set(registry.forums["id"].astype(str))
        self.countries = frozenset(countries)
        self.forums = frozenset(forums)
        self.flags = {code: ("country", code) for code in countries if len(code) == 2}
        self.flags.update({code: ("forum", fid) for code, fid in FLAG_FORUMS.items() if fid in forums})
        aliases = registry.aliases.sort_values(["kind", "entity", "alias"], kind="stable")
        n = len(aliases)
        forms = aliases["form"].tolist() if "form" in aliases.columns else ["name"] * n
        langs = aliases["lang"].tolist() if "lang" in aliases.columns else [""] * n
        rules = getattr(registry, "rules", None)
        self.rules = ContextRules(rules) if rules is not None and len(rules) else None
        text_names, tag_names = [], []
        columns = [aliases[c].tolist() for c in ("kind", "entity", "alias", "case", "use")]
        for kind, entity, alias, case, use, form, lang in zip(*columns, forms, langs):
            entity, alias = str(entity), str(alias)
            if (kind == "country" and entity not in countries) or (kind == "forum" and entity not in forums):
                continue
            exact = case == "exact"
            if use in ("text", "both"):
                ids = self.rules.rules_for(kind, entity, alias, lang, form) if self.rules is not None else ()
                text_names.append((alias, exact, kind, entity, (form, ids) if ids else form))
            if use in ("tag", "both"):
                tag_names.append((alias, exact, kind, entity))
                joined = _SEPARATORS.sub("", alias)
                if joined != alias and _WORD.fullmatch(joined):
                    tag_names.append((joined, exact, kind, entity))
        stops = [(str(p), c == "exact") for p, c in zip(registry.stop_phrases["phrase"], registry.stop_phrases["case"])]
        _warn_ambiguous(text_names + tag_names)
        triggers = self.rules.gate_literals if self.rules is not None else []
        # the names' automaton also reports every "#" and flag emoji of the registry (marks), so
        # that hashtags and flags are found in the same walk over the text
        flag_marks = {flag_pair(code): hit for code, hit in self.flags.items()}
        # and where a bare domain may be (masking.DOMAIN_MARKS)
        self.names = NameMatcher(
            text_names, stops, backend=backend, triggers=triggers, marks=["#", *flag_marks, *DOMAIN_MARKS]
        )
        marks = self.names.marks
        #: the number of the "#" mark and what each flag mark names; None when the names' matcher
        #: could not report them all (the regex backend): hashtags and flags are then looked for apart
        self.hash_mark: int | None = None
        self.flag_marks: dict[int, tuple[str, str]] | None = None
        if "#" in marks and all(flag in marks for flag in flag_marks):
            self.hash_mark = marks["#"]
            self.flag_marks = {marks[flag]: hit for flag, hit in flag_marks.items()}
        #: the numbers of the domain marks, or None when the matcher could not report them all:
        #: links are then all looked for before the names
        self.domain_marks: frozenset[int] | None = None
        if self.flag_marks is not None and all(mark in marks for mark in DOMAIN_MARKS):
            self.domain_marks = frozenset(marks[mark] for mark in DOMAIN_MARKS)
        if self.rules is not None and backend == "automaton":
            self.rules.use_triggers(self.names.triggers)
            self.names.gate_ruled(self.rules.gate_of)
        # Whether the rows of names, hashtags and flags never start at the same offset (no
        # name's alias starts with "#" or a regional indicator): a stable sort of the three
        # (each in _ORDER already, see overlaps.resolve_overlaps) by start is then their _ORDER.
        self.starts_apart = not any(
            alias.lstrip()[:1] == "#" or "\U0001f1e6" <= alias.lstrip()[:1] <= "\U0001f1ff"
            for alias, *_rest in text_names
        )
        self.tags = TagLexicon(tag_names)
        log.debug(
            "compiled registry: %d text names, %d tag names, %d stop phrases",
            len(self.names),
            len(self.tags),
            len(stops),
        )


def _warn_ambiguous(names: list[tuple]) -> None:
    """Log aliases that name two entities (the first in kind, entity order is used)."""
    seen: dict[str, tuple[str, str]] = {}
    for alias, _exact, kind, entity, *_form in names:
        first = seen.setdefault(alias.lower(), (kind, entity))
        if first != (kind, entity):
            log.warning(
                "alias %r names both %s:%s and %s:%s; %s:%s is used where both fit", alias, *first, kind, entity, *first
            )


_CACHE: OrderedDict[tuple, Compiled] = OrderedDict()
_CACHE_SIZE = 8


def compiled_registry(registry: Registry, backend: str) -> Compiled:
    fingerprint = getattr(registry, "fingerprint", None)
    if fingerprint is None:
        return Compiled(registry, backend)
    key = (fingerprint(), backend)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    built = Compiled(registry, backend)
    _CACHE[key] = built
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return built


def forget_compiled() -> int:
    """Drop every registry compiled so far (each is built again, in some 0.2 s, when next asked
    for); return how many there were.

    A run's corpus stage calls it once the posts are read: nothing later extracts, and the
    worker processes the later stages fork would each hold the automaton and its tables (some
    26 MB with the bundled registry) as the process they came from did.
    """
    count = len(_CACHE)
    _CACHE.clear()
    return count
