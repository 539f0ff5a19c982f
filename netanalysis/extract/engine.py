"""The extraction engine: one compiled registry, any number of texts (see the package docs)."""

from __future__ import annotations

import logging
import operator
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from netanalysis.errors import ConfigError
from netanalysis.extract.compiled import FLAG_FORUMS, compiled_registry
from netanalysis.extract.flags import FLAG_RUN_RE, flag_pair
from netanalysis.extract.hashtags import HASHTAG_RE, has_letter
from netanalysis.extract.masking import link_spans, mask_spans, scheme_and_at_spans, with_domains
from netanalysis.model import DEFAULT_FORMS, Exclusion, parse_forms

if TYPE_CHECKING:  # pragma: no cover
    from netanalysis.registry import Registry

__all__ = ["COUNTRY_SOURCES", "FLAG_FORUMS", "Extractor"]

log = logging.getLogger(__name__)

#: Sources that may yield country mentions, as named in ``countries=``.
COUNTRY_SOURCES = ("flags", "hashtags", "pair_hashtags", "names")
_SOURCE_OF_VIA = {"flag": "flags", "hashtag": "hashtags", "pair_hashtag": "pair_hashtags", "name": "names"}

#: ``(kind, entity, via, form, surface, start, end)``
Mention = tuple[str, str, str, str, str, int, int]
_ORDER = operator.itemgetter(5, 0, 1, 6, 2)  # start, kind, entity, end, via
_START = operator.itemgetter(5)
_FIND_TAGS = HASHTAG_RE.findall
_TAG_AT = HASHTAG_RE.match
_FIND_FLAG_RUNS = FLAG_RUN_RE.findall


def _as_tuple(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = value.split(",")
    return tuple(v.strip() for v in value if v and v.strip())


class Extractor:
    """Find the countries, forums and hashtags mentioned in post texts.

    Parameters
    ----------
    registry : Registry, optional
        Countries, forums, aliases and stop phrases; the bundled registry when omitted.
    countries : sequence of str or str, default :data:`COUNTRY_SOURCES`
        Sources that may yield country mentions: ``flags``, ``hashtags``, ``pair_hashtags``,
        ``names`` (a comma-separated string is accepted too).
    exclude : sequence of str or str, default ()
        ISO codes or forum ids to drop (case-insensitive; ``country:XX``/``forum:ID`` to name
        one kind when a code is both).
    tags : bool, default True
        Keep mentions of kind ``tag`` (hashtags that name no registry entity, and compound tags).
    forms : sequence of str or str, default :data:`~netanalysis.model.DEFAULT_FORMS`
        The forms of country and forum mentions that are kept (``name``, ``acronym``,
        ``adjective``, ``demonym``, ``metonymy``, ``flag``, ``hashtag``, ``pair_hashtag``;
        ``"all"``, ``"default"`` or a comma-separated string work too). Every form is matched
        the same way whatever is kept: the choice only drops mentions at the end.

    Raises
    ------
    ConfigError
        An unknown source in ``countries`` or form in ``forms``, or an ``exclude`` value that is
        neither a country code nor a forum id of the registry.

    Notes
    -----
    The compiled matchers depend only on the registry, so they are built once per registry
    fingerprint and shared by every extractor of that registry.
    """

    def __init__(
        self,
        registry: Registry | None = None,
        *,
        countries: Iterable[str] | str = COUNTRY_SOURCES,
        exclude: Iterable[str] | str = (),
        tags: bool = True,
        forms: Iterable[str] | str = DEFAULT_FORMS,
        backend: str = "automaton",
    ):
        if registry is None:
            from netanalysis.registry import load_registry

            registry = load_registry()
        if backend not in ("automaton", "regex"):
            raise ConfigError(f"unknown name-matching backend {backend!r}; choose automaton or regex")
        self._compiled = compiled_registry(registry, backend)
        self.countries = self._check_sources(countries)
        self.exclude = self._check_exclude(exclude)
        self.tags = bool(tags)
        self.forms = parse_forms(forms)
        self._forms = frozenset(self.forms)
        self._allowed_country_vias = frozenset(v for v, s in _SOURCE_OF_VIA.items() if s in self.countries)
        every_source = len(self.countries) == len(COUNTRY_SOURCES)
        self._only_forms = self.tags and not self.exclude and every_source  # the form is the only test
        self._tag_cache: dict[str, tuple[Mention, ...]] = {}
        # flag emoji (two regional-indicator symbols) -> (kind, id); like every mention they are
        # found whatever the options (context rules may rely on them) and kept or not at the end
        self._flags = {flag_pair(code): hit for code, hit in self._compiled.flags.items()}

    @staticmethod
    def _check_sources(countries: Iterable[str] | str) -> tuple[str, ...]:
        sources = _as_tuple(countries)
        unknown = [s for s in sources if s not in COUNTRY_SOURCES]
        if unknown:
            raise ConfigError(
                f"unknown country source(s) {', '.join(map(repr, unknown))}; choose from {', '.join(COUNTRY_SOURCES)}"
            )
        return tuple(s for s in COUNTRY_SOURCES if s in sources)

    def _check_exclude(self, exclude: Iterable[str] | str) -> frozenset[tuple[str, str]]:
        compiled = self._compiled
        forums_by_upper = {f.upper(): f for f in compiled.forums}
        dropped: set[tuple[str, str]] = set()
        for kind, ident in Exclusion.parse(exclude).entries:
            value = ident if kind is None else f"{kind}:{ident}"
            hits = []
            if kind in (None, "country") and ident.upper() in compiled.countries:
                hits.append(("country", ident.upper()))
            if kind in (None, "forum") and ident.upper() in forums_by_upper:
                hits.append(("forum", forums_by_upper[ident.upper()]))
            if not hits:
                raise ConfigError(
                    f"cannot exclude {value!r}: it is neither a country code "
                    f"(ISO 3166-1 alpha-2) nor a forum id of the registry"
                )
            if len(hits) > 1:
                log.warning(
                    "exclude %r drops both the country and the forum %s; write country:%s or forum:%s to drop one",
                    value,
                    ident,
                    ident,
                    ident,
                )
            dropped.update(hits)
        return frozenset(dropped)

    def _tag_rows(self, tag: str) -> tuple[Mention, ...]:
        """The rows of ``#tag``, with offsets relative to the ``#`` (cached)."""
        cached = self._tag_cache.get(tag)
        if cached is None:
            cached = self._resolve_tag(tag) if has_letter(tag) else ()
            if len(self._tag_cache) < 100_000:
                self._tag_cache[tag] = cached
        return cached

    def _resolve_tag(self, tag: str) -> tuple[Mention, ...]:
        lexicon = self._compiled.tags
        whole = lexicon.lookup(tag, fold=True)
        end = len(tag) + 1
        if whole is not None:
            return ((whole[0], whole[1], "hashtag", "hashtag", "#" + tag, 0, end),)
        parts = lexicon.segment(tag)
        if parts is None:
            return (("tag", tag.casefold(), "hashtag", "hashtag", "#" + tag, 0, end),)
        if len(parts) == 1:  # e.g. "South_Africa": one entity written with separators
            return ((parts[0].kind, parts[0].entity, "hashtag", "hashtag", "#" + tag, 0, end),)
        rows = [("tag", tag.casefold(), "hashtag", "hashtag", "#" + tag, 0, end)]
        rows += [
            (p.kind, p.entity, "pair_hashtag", "pair_hashtag", tag[p.start : p.end], p.start + 1, p.end + 1)
            for p in parts
        ]
        return tuple(rows)

    def extract(self, text: str) -> list[Mention]:
        """Return the mentions in one text.

        Links, e-mail addresses and @handles are masked first
        (:func:`~netanalysis.extract.masking.mask_links`: same length, so offsets hold); names,
        hashtags and flag emoji are found in what remains; the registry's context rules drop
        homographs (:mod:`netanalysis.extract.context`); last, the options keep what was asked for.

        Parameters
        ----------
        text : str
            Post text.

        Returns
        -------
        list of (kind, entity, via, form, surface, start, end)
            One tuple per occurrence, sorted by start, then kind, entity; ``text[start:end] ==
            surface`` for every tuple.
        """
        if not text:
            return []
        rows, ruled, text, seen = self._prepared(text)
        if ruled:
            rules = self._compiled.rules
            assert rules is not None  # only aliases that rules select are ruled
            rows = rules.apply(rows, ruled, text, self._forms, seen)
        if self._only_forms:
            forms = self._forms
            return [row for row in rows if row[3] in forms or row[0] == "tag"]
        return [row for row in rows if self._keep(row)]

    def _prepared(self, text: str) -> tuple[list[Mention], list[tuple[Mention, tuple[int, ...]]], str, Any]:
        """The rows of a non-empty text before the context rules, the ``(row, rule ids)`` pairs
        the rules look at, the text with its links masked and the rules' trigger literals found
        in it (what :meth:`extract` gives the rules).

        Links are masked before names are looked for (:mod:`~netanalysis.extract.masking`).
        Links with a scheme, e-mail addresses and @handles are found first; bare domains only
        when the names' walk over that text met a dot before a top-level domain
        (:data:`~netanalysis.extract.masking.DOMAIN_MARKS`), most posts having none: when
        there are any, the text is masked again with them and walked again."""
        if self._compiled.domain_marks is None:  # the walk does not report them: all links first
            spans = link_spans(text)
            masked = mask_spans(text, spans) if spans else text
            rows, ruled, seen, _domains = self._walk(masked)
            return rows, ruled, masked, seen
        spans = scheme_and_at_spans(text)
        masked = mask_spans(text, spans) if spans else text
        rows, ruled, seen, domains = self._walk(masked)
        if domains:
            every = with_domains(text, spans)
            if every != spans:
                masked = mask_spans(text, every)
                rows, ruled, seen, domains = self._walk(masked)
        return rows, ruled, masked, seen

    def _walk(self, text: str) -> tuple[list[Mention], list[tuple[Mention, tuple[int, ...]]], Any, bool]:
        """The rows of a text with its links masked (names, hashtags and flags, in order), the
        ``(row, rule ids)`` pairs and trigger literals for the rules, and whether the names'
        walk met one of :data:`~netanalysis.extract.masking.DOMAIN_MARKS`."""
        compiled = self._compiled
        rows, ruled, seen, marked = compiled.names.scan(text)
        more: list[Mention] = []
        domains = False
        cache = self._tag_cache
        flag_marks = compiled.flag_marks
        if flag_marks is not None:  # hashtags and flags, from the marks the names' walk reported
            hash_mark = compiled.hash_mark
            for number, start, end in marked:
                if number == hash_mark:
                    if start and text[start - 1] == "&":  # an HTML character reference: &#x27;
                        continue
                    match = _TAG_AT(text, start)
                    if match is None:  # a "#" without a word character after it
                        continue
                    tag = match.group(1)
                    cached = cache.get(tag)
                    if cached is None:
                        cached = self._tag_rows(tag)
                    for kind, entity, via, form, surface, a, b in cached:
                        more.append((kind, entity, via, form, surface, start + a, start + b))
                    continue
                hit = flag_marks.get(number)
                if hit is None:  # the only other marks: a dot before a top-level domain
                    domains = True
                    continue
                # a flag is read in pairs from the start of its run of regional indicators
                at = start
                while at and "\U0001f1e6" <= text[at - 1] <= "\U0001f1ff":
                    at -= 1
                if (start - at) % 2 == 0:
                    more.append((hit[0], hit[1], "flag", "flag", text[start:end], start, end))
        else:
            self._tags_and_flags(text, more)
        if more:
            # names come out in order; rows from tags and flags need merging in
            rows += more
            rows.sort(key=_START if compiled.starts_apart else _ORDER)
        return rows, ruled, seen, domains

    def _tags_and_flags(self, text: str, more: list[Mention]) -> None:
        """Add the rows of the hashtags and flag emoji of ``text`` to ``more``, looked for by
        themselves (when the names' matcher does not report them: the regex backend)."""
        # Offsets of the tags and flag runs: each one's text first occurs, from the end of
        # the one before, where it was matched (an earlier occurrence would have been the
        # match). Cheaper than match objects; the tag's "#" is found by itself, as looking
        # "#tag" up would first widen "#tag" to the width of an emoji-bearing text.
        if "#" in text:
            pos = 0
            for tag in _FIND_TAGS(text):
                start = text.index("#", pos)
                while not text.startswith(tag, start + 1):
                    start = text.index("#", start + 1)
                pos = start + 1 + len(tag)
                if start and text[start - 1] == "&":  # an HTML character reference: &#x27;
                    continue
                for kind, entity, via, form, surface, a, b in self._tag_rows(tag):
                    more.append((kind, entity, via, form, surface, start + a, start + b))
        if not text.isascii():
            pos = 0
            flags = self._flags
            for run in _FIND_FLAG_RUNS(text):
                start = text.find(run, pos)
                pos = start + len(run)
                for i in range(0, len(run) - 1, 2):  # pairs from the start of the run
                    hit = flags.get(run[i : i + 2])
                    if hit is not None:
                        more.append((hit[0], hit[1], "flag", "flag", run[i : i + 2], start + i, start + i + 2))

    def _keep(self, row: Mention) -> bool:
        kind = row[0]
        if kind == "tag":
            return self.tags
        if row[3] not in self._forms:
            return False
        if kind == "country" and row[2] not in self._allowed_country_vias:
            return False
        return (kind, row[1]) not in self.exclude
