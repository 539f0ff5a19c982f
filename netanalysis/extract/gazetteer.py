"""Names in running text: one pass over the text for every alias and stop phrase at once.

:class:`NameMatcher` finds registry aliases (``use`` = ``text`` or ``both``) in post text.

How a match is decided:

* **One pass.** All aliases and stop phrases, lower-cased, go into one Aho-Corasick automaton
  (ahocorasick_rs) run once over the lower-cased text. Lower-casing keeps offsets: the text is
  lowered character by character (a character whose lower case is longer, such as ``İ``, is
  kept as it is), so an offset in the lowered text is the same offset in the post.
  Typographic apostrophes (``’``, ``‘``, ``ʼ``) are read as ``'`` and no-break spaces as
  spaces, so ``People’s Republic of China`` matches the alias ``People's Republic of China``.
  A compiled regex alternation does the same job (``backend="regex"``); it is slower, kept for
  the benchmark (``scripts/bench_extract.py``).
* **Word boundaries** on both sides, Unicode-aware: the characters around a match must not be
  letters, digits or ``_`` (``Oman`` is not in ``woman``, ``Niger`` not in ``Nigeria``,
  ``Китай`` not in ``Китайский``). Apostrophes and hyphens are boundaries, so possessives match
  (``China's``, ``Russia’s``) and each side of a hyphenated compound is read on its own:
  ``Azerbaijani-Armenian`` names both sides when both are aliases, and ``anti-Russia`` counts as
  a mention of Russia (the post is talking about Russia; a researcher who wants to weigh
  stance must read the posts, which every edge lists).
* **Case** from the alias's ``case`` column: ``fold`` matches any case, ``exact`` only as
  written (``US`` is the United States, ``us`` is not; ``Chad``, ``Jordan``, ``Georgia`` only
  capitalised).
* **Longest match wins** among overlapping candidates (``Papua New Guinea`` over ``Guinea``,
  ``Guinea-Bissau`` over ``Guinea``). Stop phrases (``Korean peninsula``) take part as matches
  that name nothing, so a name inside them is dropped.
* **Countries named inside a forum's name count too**: within a forum match that wins
  (``саммит «Россия – Африка»``, ``Union State of Russia and Belarus``, ``Центральная Азия +
  США``), the country matches of form ``name`` or ``acronym`` inside it are kept as well, longest
  first among themselves and the stop phrases inside it; an adjective inside a forum's name
  (``Organization of American States``) is not a mention of the country.
* **Every alias has a form** (``name``, ``acronym``, ``adjective``, ``demonym``, ``metonymy``),
  carried into the mention. An alias that context rules may drop is given with a ``(form, rule
  ids)`` pair; :meth:`NameMatcher.find_rows_ruled` lists its matches beside the rows, for
  :mod:`netanalysis.extract.context`.
* **Marks**: other strings can be looked for in the same walk, wherever they occur
  (:meth:`NameMatcher.scan`): the extractor finds every ``#`` and flag emoji this way, the
  hashtag and flag rows are then made from where they are.
* **Hashtags are not read again**: a name right after ``#`` is inside a hashtag (a hashtag is
  ``#`` and word characters, so no other boundary falls inside one) and is dropped before the
  longest match is chosen.

Limits: a multi-word alias matches only with single spaces between its words (not across a line
break or a double space), and text in decomposed Unicode (``u`` + combining diaeresis) does not
match an alias written precomposed (``ü``); Telegram clients send precomposed text.

Speed. Each automaton key carries what a hit on it means (its length, the case checks of its
bucket, kind and entity), so a candidate costs one unpacking; the text is matched with a space
either side, so every candidate has a character before and after it to test; candidates come
out ordered by end, and the longest-match pass only runs, group by group, where they overlap.
The automaton is ahocorasick_rs's, compiled to a DFA (one table lookup per character): with the
7,000 keys of the bundled registry its walk over a 1.5 k character post took about 12 µs
against 30 µs for pyahocorasick's trie, whose children are searched one by one
(``scripts/bench_extract.py``, one process, CPU time). The regex alternation is some fifty times
slower. Matching ``exact`` aliases with a second automaton over the original-case text was
tried: it removes the candidates of ``US``/``UN`` inside ordinary words, but the second walk
over the text costs more than it saves.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import NamedTuple

import ahocorasick_rs

from netanalysis.extract.overlaps import resolve_overlaps

__all__ = ["NameMatch", "NameMatcher", "normalise_for_matching"]

_TRANSLATE = {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00a0": " ", "\u202f": " "}


class NameMatch(NamedTuple):
    """A name found in text: offsets into the post text and what it names."""

    start: int
    end: int
    kind: str
    entity: str


class _Entry(NamedTuple):
    alias: str  # normalised, original case (compared for exact-case aliases)
    exact: bool
    kind: str | None  # None for a stop phrase
    entity: str | None
    form: object  # the alias's form, or (form, rule ids) when context rules apply to it


def normalise_for_matching(text: str) -> str:
    """Return ``text`` with apostrophes and no-break spaces unified, same length as ``text``."""
    for old, new in _TRANSLATE.items():
        if old in text:
            text = text.replace(old, new)
    return text


def _payload(key: str, bucket: list[_Entry]) -> tuple:
    """What a candidate of ``key`` stands for: ``(length, checks, kind, entity, form)``.

    ``checks`` is None when the first entry of the bucket is a ``fold`` alias: it always fits,
    so the candidate names ``kind, entity`` with ``form`` (None, None, None for a stop phrase).
    Otherwise ``checks`` lists ``(alias, kind, entity, form)`` for the entries in bucket order
    up to and including the first ``fold`` one (whose ``alias`` is None: it fits in any case);
    the first that fits wins and none fitting drops the candidate, exactly as trying the whole
    bucket entry by entry (entries after the first ``fold`` one can never be reached).
    """
    first = bucket[0]
    if not first.exact:
        return (len(key), None, first.kind, first.entity, first.form)
    checks: list[tuple[str | None, str | None, str | None, object]] = []
    for entry in bucket:
        if not entry.exact:
            checks.append((None, entry.kind, entry.entity, entry.form))
            break
        checks.append((entry.alias, entry.kind, entry.entity, entry.form))
    return (len(key), tuple(checks), None, None, None)


def _automaton(keys: list[str]) -> ahocorasick_rs.AhoCorasick | None:
    """An Aho-Corasick automaton over ``keys`` (ahocorasick_rs, compiled to a DFA: one table
    lookup per character of the text), reporting every occurrence of every key."""
    if not keys:
        return None
    return ahocorasick_rs.AhoCorasick(keys, implementation=ahocorasick_rs.Implementation.DFA)


#: What a character beside a candidate is (:func:`_side`): a boundary, "#" (no name starts right
#: after it: a hashtag's text) or a word character (letters, digits, "_" and combining marks,
#: which keep a decomposed letter inside its word).
_BOUNDARY, _HASH, _WORD = 0, 1, 2
_SIDES: dict[str, int] = {}  # each character's side, filled as characters are met


def _side(ch: str) -> int:
    """:data:`_WORD`, :data:`_HASH` or :data:`_BOUNDARY` for ``ch`` (remembered in :data:`_SIDES`)."""
    side = _WORD if ch.isalnum() or ch == "_" or "\u0300" <= ch <= "\u036f" else _HASH if ch == "#" else _BOUNDARY
    if len(_SIDES) < 200_000:
        _SIDES[ch] = side
    return side


def _lower_same_length(text: str) -> str:
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


class NameMatcher:
    """Find aliases in text with word boundaries, case rules, stop phrases and longest match.

    Parameters
    ----------
    names : iterable of (alias, exact, kind, entity) or (alias, exact, kind, entity, form)
        Aliases usable in running text; ``form`` is ``"name"`` when not given, and may be a
        ``(form, rule ids)`` pair (see the module notes).
    stop_phrases : iterable of (phrase, exact)
        Phrases that name nothing and suppress any name inside them.
    backend : {"automaton", "regex"}
        Multi-pattern engine; both give the same matches on ordinary text.
    triggers : iterable of str
        Literals the context rules need (:meth:`ContextRules.use_triggers
        <netanalysis.extract.context.ContextRules.use_triggers>`): their numbers are reported
        wherever they occur, inside words too.
    marks : iterable of str
        Strings reported with their offsets wherever they occur, in any context (the extractor
        asks for ``#`` and the flag emoji, so that hashtags and flags are found in the same
        walk over the text); one that a name's key or the text's normalising would hide is not
        reported (:attr:`marks` lists those that are). Neither with the regex backend.

    Examples
    --------
    >>> m = NameMatcher([("Oman", False, "country", "OM"), ("Korea", False, "country", "KR")],
    ...                 [("Korean peninsula", False)])
    >>> m.find("A woman in Oman; the Korean Peninsula.")
    [NameMatch(start=11, end=15, kind='country', entity='OM')]
    """

    def __init__(
        self,
        names: Iterable[tuple],
        stop_phrases: Iterable[tuple[str, bool]] = (),
        *,
        backend: str = "automaton",
        triggers: Iterable[str] = (),
        marks: Iterable[str] = (),
    ):
        table: dict[str, list[_Entry]] = {}
        entries = [(*n, "name")[:5] for n in names] + [(p, e, None, None, None) for p, e in stop_phrases]
        for alias, exact, kind, entity, form in entries:
            if type(form) is tuple and len(form) == 2:
                form = (*form, None)  # (form, rule ids, gate): no gate until gate_ruled sets one
            alias = normalise_for_matching(alias.strip())
            if not alias:
                continue
            entry = _Entry(alias, bool(exact), kind, entity, form)
            bucket = table.setdefault(_lower_same_length(alias), [])
            if entry not in bucket:
                bucket.append(entry)
        self._table = table
        self._payloads = {key: _payload(key, bucket) for key, bucket in table.items()}
        self._keys = list(self._payloads)  # a candidate names its key by its index here
        self._payload_list = [self._payloads[key] for key in self._keys]
        self.backend = backend
        if backend not in ("automaton", "regex"):
            raise ValueError(f"unknown backend {backend!r}")
        # literals the context rules look for (ContextRules.use_triggers): keys of their own
        # after the names', reported wherever they occur (inside words too) by their number
        self._first_trigger = len(self._keys)
        self.triggers: dict[str, int] = {}
        if backend == "automaton":
            numbers: dict[str, int] = {}
            for literal in triggers:
                key = _lower_same_length(normalise_for_matching(literal))
                if not key or key in self._payloads:
                    continue  # a name's key as well: its hits cannot be told apart; not reported
                if key not in numbers:
                    numbers[key] = len(numbers)
                    self._keys.append(key)
                self.triggers[literal] = numbers[key]
        # marks (see find_rows_ruled): keys of their own after the triggers', reported with
        # their offsets wherever they occur, in any case context
        self._first_mark = len(self._keys)
        self.marks: dict[str, int] = {}
        if backend == "automaton":
            for mark in marks:
                if not mark or mark != _lower_same_length(normalise_for_matching(mark)) or mark in self._payloads:
                    continue  # changed by the text's normalising, or a name's key: not reported
                if mark in numbers or mark in self.marks:
                    continue
                self.marks[mark] = len(self.marks)
                self._keys.append(mark)
        self._build()

    def gate_ruled(self, gate_of: Callable[[tuple[int, ...]], frozenset[int] | None]) -> None:
        """Give each alias with rule ids the gate of its rules, ``gate_of(ids)``: trigger numbers
        (:attr:`triggers`) one of which a post must have for any of those rules to fire there,
        or None. A match of a gated alias in a post with none of them is not paired with its
        rules by :meth:`find_rows_ruled`, which saves looking at it again."""

        def gated(form: object) -> object:
            return (form[0], form[1], gate_of(form[1])) if type(form) is tuple else form

        payloads = []
        for length, checks, kind, entity, form in self._payload_list:
            if checks is not None:
                checks = tuple((alias, k, e, gated(f)) for alias, k, e, f in checks)
            payloads.append((length, checks, kind, entity, gated(form)))
        self._payload_list = payloads
        self._payloads = dict(zip(self._keys, payloads))

    def _build(self) -> None:
        if self.backend == "automaton":
            self._automaton = _automaton(self._keys)
        else:
            index = {key: i for i, key in enumerate(self._keys)}
            keys = sorted(index, key=lambda k: (-len(k), k))
            alternation = "|".join(re.escape(k) for k in keys) or r"(?!)"
            self._index = index
            self._regex = re.compile(r"(?<!\w)(?=(" + alternation + r")(?!\w))")

    def __getstate__(self) -> dict:
        """The matcher without its compiled automaton (which cannot be pickled)."""
        state = self.__dict__.copy()
        state.pop("_automaton", None)
        state.pop("_regex", None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._build()

    def __len__(self) -> int:
        return len(self._table)

    def _candidates(self, low: str) -> Iterable[tuple[int, int, int]]:
        """``(key index, start, end)`` for every key occurrence in ``low`` (overlapping ones too),
        ordered by end (see :func:`_payload` for what the key at an index stands for)."""
        if self.backend == "automaton":
            automaton = self._automaton
            return automaton.find_matches_as_indexes(low, overlapping=True) if automaton is not None else ()
        index = self._index
        return [(index[m.group(1)], m.start(1), m.end(1)) for m in self._regex.finditer(low)]

    def find(self, text: str) -> list[NameMatch]:
        """Return the names in ``text``, sorted by start.

        A name right after ``#`` is part of a hashtag and is not read as a name (hashtags are
        read by :mod:`netanalysis.extract.hashtags`): ``#UN Security Council`` has no name
        ``UN Security Council``.

        Parameters
        ----------
        text : str
            Post text (offsets refer to it).

        Returns
        -------
        list[NameMatch]
        """
        return [NameMatch(*m) for m in self.find_tuples(text)]

    def find_tuples(self, text: str) -> list[tuple[int, int, str, str]]:
        """As :meth:`find`, as plain ``(start, end, kind, entity)`` tuples (faster)."""
        return [(start, end, kind, entity) for kind, entity, _via, _form, _surface, start, end in self.find_rows(text)]

    def find_rows(self, text: str) -> list[tuple]:
        """As :meth:`find`, as mention rows ``(kind, entity, "name", form, surface, start, end)``."""
        return self.find_rows_ruled(text)[0]

    def find_rows_ruled(
        self, text: str
    ) -> tuple[list[tuple], list[tuple[tuple, tuple[int, ...]]], list[int] | tuple[()] | None]:
        """As :meth:`find_rows`, and the candidates that context rules apply to, as ``(row, rule
        ids)`` pairs (the row object is the one in the list when it was kept), and the numbers
        of the trigger literals found in the text (:attr:`triggers`; None with the regex
        backend, which does not look for them)."""
        rows, ruled, seen, _marked = self.scan(text)
        return rows, ruled, seen

    def scan(
        self, text: str
    ) -> tuple[
        list[tuple], list[tuple[tuple, tuple[int, ...]]], list[int] | tuple[()] | None, list[tuple[int, int, int]]
    ]:
        """As :meth:`find_rows_ruled`, and the marks found, as ``(mark number, start, end)``
        (:attr:`marks`; none with the regex backend), in order of their end.

        The hot loop of the extractor: one candidate per alias occurrence in the lower-cased
        text, most of them rejected by the word-boundary test, so the loop body is kept small.
        Candidates arrive in order of their end; while each starts at or after the end of the
        one before, they cannot overlap and are already in order, so the longest-match pass
        (:func:`~netanalysis.extract.overlaps.resolve_overlaps`) only runs when two candidates overlap.
        """
        # a space either side: every candidate has a character before and after it to test
        # (the space is a boundary, as the start and end of the text are), and offsets in the
        # padded text are one more than in the post
        padded = normalise_for_matching(" " + text + " ")
        found: list[tuple] = []
        ruled: list[tuple[tuple, tuple[int, ...]]] = []
        append = found.append
        prev_end = 0
        ordered = True
        stops = False
        payloads = self._payload_list
        first_trigger = self._first_trigger
        first_mark = self._first_mark
        marked: list[tuple[int, int, int]] = []
        seen: list[int] | tuple[()] = ()
        gated: list[tuple] = []  # matches of gated aliases: paired with their rules if a trigger is seen
        sides = _SIDES
        for key, start, end in self._candidates(_lower_same_length(padded)):
            if key >= first_trigger:
                if key < first_mark:  # a literal a context rule needs
                    if not seen:
                        seen = []
                    seen.append(key - first_trigger)
                else:  # a mark, wherever it is
                    marked.append((key - first_mark, start - 1, end - 1))
                continue
            # the candidate is padded[start:end], that is text[start - 1:end - 1]; the word
            # boundaries first, as most candidates fail them (a short key inside a word)
            side = sides.get(padded[start - 1])
            if side is None:
                side = _side(padded[start - 1])
            if side:  # a word character or "#" before it
                continue
            side = sides.get(padded[end])
            if side is None:
                side = _side(padded[end])
            if side == _WORD:
                continue
            _length, checks, kind, entity, form = payloads[key]
            if checks is not None:
                surface = padded[start:end]
                for alias, kind, entity, form in checks:
                    if alias is None or surface == alias:
                        break
                else:
                    continue
            start -= 1
            end -= 1
            if start < prev_end:
                ordered = False
            prev_end = end
            if kind is None:
                stops = True
            if type(form) is tuple:  # an alias that context rules apply to: (form, rule ids, gate)
                row = (kind, entity, "name", form[0], text[start:end], start, end)
                append(row)
                if form[2] is None:
                    ruled.append((row, form[1]))
                else:
                    gated.append((row, form))
            else:
                append((kind, entity, "name", form, text[start:end], start, end))
        if gated and seen:
            ruled += [(row, form[1]) for row, form in gated if not form[2].isdisjoint(seen)]
        reported = seen if self.backend == "automaton" else None
        if not ordered:
            return resolve_overlaps(found, text), ruled, reported, marked
        if stops:  # in order and disjoint: only the stop phrases go
            return [row for row in found if row[0] is not None], ruled, reported, marked
        return found, ruled, reported, marked
