"""The context rules against a plain evaluation of each rule, condition by condition.

:meth:`ContextRules.apply` checks the rules of an alias together (one expression for the rules
that only look after a match, literals looked up before an expression is tried, a post's
``post`` conditions looked at once); :func:`reference_apply` here evaluates every rule on every
match the way the module notes of :mod:`netanalysis.extract.context` define it, with no
shortcut. Both must drop the same matches, on the real-text set, the bundled sample, the
benchmark's synthetic posts and generated texts built from the words the rules look for.
"""

from __future__ import annotations

import copy
import json
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netanalysis.extract import Extractor
from netanalysis.extract.conditions import ADJ_ENDING, WINDOW
from netanalysis.model import DEFAULT_FORMS, parse_forms
from netanalysis.registry import load_registry
from netanalysis.registry.rules import PLACEHOLDERS, expand_placeholders

ROOT = Path(__file__).resolve().parents[1]


def _compiled_rules(table) -> list[dict]:
    """Each rule of the registry's table with its expressions compiled, nothing combined."""
    out = []
    for row in table.to_dict("records"):
        compile_ = lambda p, t="{}": re.compile(t.format(expand_placeholders(p))) if p else None  # noqa: E731
        out.append(
            {
                "case": row["case"] or "any",
                "before": compile_(row["before"], r"(?:{})\Z"),
                "after": compile_(row["after"].removeprefix("^")),
                "post": compile_(row["post"]),
                "unless": {tuple(t.split(":", 1)) for t in row["unless"].split() if ":" in t},
                "marks": any(p in row["before"] + row["after"] for p in PLACEHOLDERS),
                "place": row["class"] == "place",
            }
        )
    return out


def _case_fits(surface: str, case: str) -> bool:
    if case == "any":
        return True
    if case == "upper":
        return surface.isupper()
    if case == "lower":
        return surface.islower()
    return surface[:1].isupper() and not surface.isupper()


def _marked(rows, text: str) -> str:
    chars = list(text)
    done = 0
    spans = sorted((r[5], r[6], "\x01" if r[0] == "country" else "\x02") for r in rows if r[0] != "tag")
    for start, end, mark in spans:
        if start < done:
            continue
        chars[start:end] = mark * (end - start)
        done = end
    return "".join(chars)


def reference_apply(rules: list[dict], rows: list, ruled: list, text: str) -> list:
    """The rows that remain when every rule is checked on every match, plainly."""
    marked = _marked(rows, text)
    unless_ids = {i for i, rule in enumerate(rules) if rule["unless"]}
    doubted = {id(row) for row, ids in ruled if unless_ids & set(ids)}
    vouching = {(row[0], row[1]) for row in rows if row[0] != "tag" and id(row) not in doubted}
    present = {id(row) for row in rows}

    def holds(rule: dict, row) -> bool:
        surface, start, end = row[4], row[5], row[6]
        context = marked if rule["marks"] else text
        return (
            _case_fits(surface, rule["case"])
            and (rule["before"] is None or rule["before"].search(context, max(0, start - WINDOW), start) is not None)
            and (rule["after"] is None or rule["after"].match(context, end) is not None)
            and (rule["post"] is None or rule["post"].search(text) is not None)
            and not (rule["unless"] & vouching)
        )

    dropped, spread = set(), set()
    for row, ids in ruled:
        if id(row) not in present or not any(holds(rules[i], row) for i in ids):
            continue
        dropped.add(id(row))
        surface = row[4]
        if row[3] == "adjective" and surface[:1].isupper() and not surface.isascii():
            if any(rules[i]["place"] and holds(rules[i], row) for i in ids):
                spread.add((row[1], ADJ_ENDING.sub("", surface.lower())))
    return [
        row
        for row in rows
        if id(row) not in dropped
        and not (row[2] == "name" and row[4][:1].isupper() and (row[1], ADJ_ENDING.sub("", row[4].lower())) in spread)
    ]


@pytest.fixture(scope="module")
def extractor():
    return Extractor(load_registry())


@pytest.fixture(scope="module")
def every_match(extractor):
    """The extractor with a names matcher that pairs every match with its rules (no gates)."""
    ungated = copy.copy(extractor)
    ungated._compiled = copy.copy(extractor._compiled)
    ungated._compiled.names = copy.copy(extractor._compiled.names)
    ungated._compiled.names.gate_ruled(lambda ids: None)
    return ungated


@pytest.fixture(scope="module")
def plain(extractor):
    return _compiled_rules(load_registry().rules)


def _agree(extractor, every_match, plain, text: str) -> int:
    """Check one text with and without the default forms; return how many matches the rules
    looked at. The reference sees every match of an alias with rules; the engine leaves out
    those whose rules need literals that the post does not have."""
    rows, ruled, masked, seen = every_match._prepared(text)
    expected = reference_apply(plain, rows, ruled, masked)
    rules = extractor._compiled.rules
    kept = frozenset(parse_forms(DEFAULT_FORMS))
    engine_rows, engine_ruled, engine_masked, engine_seen = extractor._prepared(text)
    assert (engine_rows, engine_masked) == (rows, masked)
    for r, pairs, triggers in ((rows, ruled, None), (engine_rows, engine_ruled, engine_seen)):
        assert rules.apply(r, pairs, masked, None, triggers) == expected, text
        by_forms = [x for x in rules.apply(r, pairs, masked, kept, triggers) if x[3] in kept or x[0] == "tag"]
        assert by_forms == [x for x in expected if x[3] in kept or x[0] == "tag"], text
    return len(ruled)


def _texts(path: Path) -> list[str]:
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_rules_agree_on_the_real_text_set(extractor, every_match, plain):
    texts = _texts(ROOT / "tests/fixtures/realtext/posts.jsonl") + _texts(
        ROOT / "tests/fixtures/realtext/heldout/posts.jsonl"
    )
    looked_at = sum(_agree(extractor, every_match, plain, text) for text in texts)
    assert len(texts) >= 250 and looked_at >= 1000  # the comparison is not vacuous
    dropping = [t for t in texts if len(extractor._prepared(t)[0]) > len(extractor.extract(t))]
    assert len(dropping) >= 20  # and rules do drop matches in it


def test_rules_agree_on_the_sample_and_the_benchmark_posts(extractor, every_match, plain):
    sys.path.insert(0, str(ROOT / "scripts"))
    import bench_extract

    texts = (ROOT / "examples/mfa_channel_sample.txt").read_text(encoding="utf-8").split("\n\n")
    texts += bench_extract.corpus(300, 7, 1500)["text"].tolist()
    assert sum(_agree(extractor, every_match, plain, text) for text in texts) >= 1000


WORDS = [
    "Russia", "China", "Jordan", "Georgia", "Israel", "Chad", "Turkey", "Russian", "Chinese", "Georgian",
    "Security Council", "General Assembly", "UN", "ООН", "Совет безопасности", "Совбез", "России",
    "российского", "Мексиканский", "Тайваньский", "Грузинская", "русском", "Русская", "Того", "того",
    "RSA", "GCC", "Quad", "CUBA", "Москва", "Вашингтон", "Washington", "Atlanta", "Thanksgiving",
    "Daily", "Times", "Sea", "Gulf of", "Gulf", "of", "of the", "in", "into", "на", "Service", "language",
    "-language", "залив", "море", "ул.", "улица", "служба", "J.", "M.", "Bardella", "Katz", "Gov.",
    "National", "compiler", "13", "24 февраля", "Armenia", "Iranian", "#UN", "#Russia", "🇷🇺", "and",
    "Street", "Peninsula", "Defense", "Forces", "ISRAEL", "ADESANYA", "AND", "language",
    # case-insensitive rules read from the lower-cased text: street words in other cases, and
    # the characters that re matches to a letter the lower-cased text does not have there
    "УЛ.", "Проспект", "прᲂспект", "проᲃпект", "Российский", "Китайская", "Thankſgiving", "THANKSGIVING",
]  # fmt: skip
SEPARATORS = [" ", "  ", ". ", ", ", "\n", "'s ", "’s ", " (", "«", "» ", "-", "\t"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), max_size=16))
def test_rules_agree_on_generated_texts(extractor, every_match, plain, parts):
    _agree(extractor, every_match, plain, "".join(word + sep for word, sep in parts))


def test_the_reference_sees_what_the_rules_are_for(every_match, plain):
    # guard against a reference that never fires: each of these loses its country to a rule
    for text in [
        "China Daily reported",
        "the Gulf of  Oman",
        "Jordan Bardella said",
        "published in Russian.",
        "опубликовано на китайском",
        "Мексиканский залив",
        "Совет безопасности Армении",
        "Georgia Gov. Kemp",
        "clang and GCC 13",
        "на проспекте Российском",
        "прᲂспект Российский",
        "Turkey for Thankſgiving",
    ]:
        rows, ruled, masked, _seen = every_match._prepared(text)
        kept = reference_apply(plain, rows, ruled, masked)
        assert len(kept) < len(rows), text


def test_matches_whose_rules_cannot_fire_are_left_out(extractor, every_match):
    # no literal that the English names' rules need (Daily, Sea, Gulf...): nothing to look at
    assert len(every_match._prepared("Russia and China met.")[1]) == 2
    assert extractor._prepared("Russia and China met.")[1] == []
    # a newspaper word anywhere in the post, even inside another word: both are looked at
    assert len(extractor._prepared("Russia and China met; China Daily wrote.")[1]) == 3
    assert len(extractor._prepared("Russia and China met (dailyness).")[1]) == 2
    # a case-insensitive rule's words open its gate in any case, and ᲂ opens every gate (re
    # reads it as о, the lower-cased text has ᲂ)
    rules, triggers = extractor._compiled.rules, extractor._compiled.names.triggers
    street = rules._gates["place_street_before_ru"]
    assert triggers["проспект"] in street and triggers["ᲂ"] in street
    assert triggers["ᲂ"] in rules._gates["outlet_name_en"]
    assert extractor._prepared("журнал российский")[3] == ()
    assert triggers["проспект"] in extractor._prepared("ПРОСПЕКТ российский")[3]
    assert triggers["ᲂ"] in extractor._prepared("прᲂспект российский")[3]


def test_marked_text_does_not_depend_on_the_order_of_the_rows(extractor):
    # the extractor's rows are in order already, so the marks are made without sorting them;
    # rows in any other order are sorted first, and the marks are the same
    import random

    from netanalysis.extract.conditions import _marked_sorted, marked_text

    texts = _texts(ROOT / "tests/fixtures/realtext/posts.jsonl")
    texts += ["Саммит «Россия – Африка» и Russia–Africa summit", "Union State of Russia and Belarus, #RussiaChina"]
    rng = random.Random(5)
    nested = 0
    for text in texts:
        rows, _ruled, masked, _seen = extractor._prepared(text)
        expected = _marked_sorted(rows, masked)
        shuffled = rows[:]
        rng.shuffle(shuffled)
        assert marked_text(rows, masked) == expected == marked_text(shuffled, masked) == marked_text(rows[::-1], masked)
        nested += any(a[5] == b[5] for a, b in zip(rows, rows[1:]))
    assert nested  # some rows share a start (a country at the start of a forum's name)
