"""The literals an expression needs (netanalysis.extract.literals): hand cases and soundness.

The rules skip an expression when a literal it needs is missing, so the one property that
matters is soundness: every match of the expression contains a literal of every group.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from netanalysis.extract.gazetteer import _lower_same_length
from netanalysis.extract.literals import FOLD_EXCEPTIONS, may_match, needs


def test_hand_cases():
    assert needs(r"\s+(?:Daily|Today)\b") == (("Daily", "Today"),)
    assert needs(r"\b(?:Gulf|Sea)\s{1,3}of\s{1,3}(?:the\s{1,3})?") == (("of",), ("Gulf", "Sea"))
    assert needs(r"(?:in|into)\s") == (("in",),)  # the parser keeps the common prefix
    # a small class is spelt out: [Ss]ervice needs Service or service
    assert needs(r"\s+(?:[Ss]ervice|-language)") == (("Service", "service", "-language"),)
    assert needs(r"[Ll]ive\b") == (("Live", "live"),) and needs(r"[a-z]ive") == (("ive",),)
    assert needs(r"x+y") == (("x",), ("y",))  # a repeat that must happen once needs its body
    assert needs(r"(?:the)?\s") is None  # an optional group needs nothing
    assert needs(r"(?i:national)\s") is None and needs(r"(?i)national") is None  # any case
    assert needs(r"(?=Daily)\w+") is None  # a look-ahead consumes nothing
    assert needs(r"(?:Gov\.|[A-Z]+)") is None  # one alternative needs no literal
    assert needs("of\x01\x01the") == (("the",), ("of",))  # longest first; a placeholder's mark is no literal
    assert needs("") is None and needs("(") is None


def test_may_match_window_bounds():
    found = (("ab",), ("x", "y"))
    assert may_match(found, "ab y", 0, 4)
    assert not may_match(found, "ab y", 1, 4)  # "ab" must be wholly inside the window
    assert not may_match(found, "ab y", 0, 3)  # so must one of "x", "y"
    assert may_match(None, "", 0, 0)


PIECES = ["ab", "b", "ba", "c", "a", "[ab]", "[Ab]", "[abc]", "[^a]", "[a-c]", r"\s", ".", "x"]


@st.composite
def expressions(draw, depth=0):
    """Small expressions over the text's alphabet: sequences, alternations, optional groups,
    repeats, classes, look-aheads and case-insensitive groups."""
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        choice = draw(st.integers(0, 6 if depth < 2 else 0))
        if choice == 0:
            parts.append(draw(st.sampled_from(PIECES)))
        elif choice == 1:
            parts.append("(?:" + "|".join(draw(st.lists(expressions(depth + 1), min_size=2, max_size=3))) + ")")
        elif choice == 2:
            repeat = draw(st.sampled_from(["?", "*", "+", "{1,2}", "{2}"]))
            parts.append("(?:" + draw(expressions(depth + 1)) + ")" + repeat)
        elif choice == 3:
            parts.append("(" + draw(expressions(depth + 1)) + ")")
        elif choice == 4:
            parts.append("(?=" + draw(expressions(depth + 1)) + ")")
        elif choice == 5:
            parts.append("(?i:" + draw(expressions(depth + 1)) + ")")
        else:
            parts.append(draw(st.sampled_from(["AB", "Ab", "xa"])))
    return "".join(parts)


@settings(max_examples=600, deadline=None)
@given(expressions(), st.text(alphabet="abcxAB \n", max_size=30))
def test_every_match_contains_the_literals(pattern, text):
    found = needs(pattern)
    compiled = re.compile(pattern)
    for start in range(len(text) + 1):
        match = compiled.match(text, start)
        if match is not None:
            assert may_match(found, text, match.start(), match.end()), (pattern, text, match.span(), found)


def test_the_property_is_not_vacuous():
    # the generated expressions do have literals, and texts where they are missing
    found = needs("(?:ab|ba)c")
    assert found == (("c",), ("ab", "ba"))
    assert not may_match(found, "abxx", 0, 4)


@settings(max_examples=600, deadline=None)
@given(expressions(), st.text(alphabet="abcxAB \nᲂſıİ", max_size=30))
def test_every_match_has_the_folded_literals_in_the_lower_cased_text(pattern, text):
    # with fold, the literals are those of the lower-cased text (case-insensitive parts too),
    # unless the text has one of the characters re folds to a letter that lowering does not give
    found = needs(pattern, fold=True)
    low = _lower_same_length(text)
    compiled = re.compile(pattern)
    for start in range(len(text) + 1):
        match = compiled.match(text, start)
        if match is not None and not FOLD_EXCEPTIONS.intersection(text):
            assert may_match(found, low, match.start(), match.end()), (pattern, text, match.span(), found)


def test_folded_literals_by_hand():
    assert needs("(?i:AbC)") is None
    assert needs("(?i:AbC)", fold=True) == (("abc",),)
    assert needs("(?i)thanksgiving", fold=True) == (("thanksgiving",),)
    assert needs("Sea|(?i:gulf)", fold=True) == (("sea", "gulf"),)
    # an exception character makes a case-insensitive literal match without its lower case
    assert re.search("(?i:об)", "ᲂб") and "об" not in _lower_same_length("ᲂб")


def test_fold_exceptions_are_every_such_character():
    # every character that some Latin or Cyrillic character of a case-insensitive expression
    # matches but whose lower case (as the names' matcher lowers a text) is not that letter's
    everything = "".join(chr(i) for i in range(0x110000) if not 0xD800 <= i < 0xE000)
    letters = [chr(i) for i in range(0x20, 0x7F)] + [chr(i) for i in range(0x400, 0x500)]
    found = set()
    for letter in letters:
        for match in re.finditer("(?i)" + re.escape(letter), everything):
            if _lower_same_length(match.group()) != letter.lower():
                found.add(match.group())
    assert found == FOLD_EXCEPTIONS
