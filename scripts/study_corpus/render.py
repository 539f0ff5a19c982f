"""Templates with slots: the text of a post, and the countries and forums it names.

A template is text with slots in braces (see the head of ``templates_en.toml``):
``{A.en}`` a slot's form, ``{c:UA.adj}`` a fixed country, ``{f:NATO.the}`` a fixed forum,
``{~a|b|c}`` one of several alternatives (which may hold slots). Every slot that names a
country or forum records it, so a rendered post knows exactly what it names. A slot without a
value, or a form a slot does not have, raises :class:`Missing`: the caller tries another template.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field

CASES = ("nom", "gen", "dat", "acc", "ins", "prep")
Entity = tuple[str, str]  # ("country", "CN") or ("forum", "SCO")


class Missing(Exception):
    """A slot or form the template needs is not available for this post."""


def flag(code: str) -> str:
    """The flag emoji of an ISO 3166-1 alpha-2 code (two regional indicator symbols)."""
    return "".join(chr(0x1F1E6 + ord(c) - ord("A")) for c in code)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _adj_gen(plural: str) -> str:
    """Russian plural adjective, nominative to genitive: китайские -> китайских."""
    if not plural.endswith("ие"):
        raise Missing("adjective")
    return plural[:-2] + "их"


def _need(value: str | None, what: str) -> str:
    if not value:
        raise Missing(what)
    return value


@dataclass(frozen=True)
class Country:
    """A country as the posts name it (one row of ``[countries]`` in world.toml)."""

    code: str
    data: dict

    @property
    def entities(self) -> list[Entity]:
        return [("country", self.code)]

    def form(self, path: list[str]) -> str:
        d, head = self.data, path[0]
        if head == "ru":
            case = path[1] if len(path) > 1 else "nom"
            return _need(d["ru"][CASES.index(case)], f"{self.code}.ru.{case}")
        simple = {
            "name": d.get("name"),
            "en": d.get("en"),
            "adj": d.get("adj"),
            "flag": flag(self.code),
            "tag": "#" + d["tag"] if d.get("tag") else None,
            "tagname": d.get("tag"),
            "capital": d.get("capital"),
            "ru_capital": d.get("ru_capital"),
            "ru_adj": d.get("ru_adj"),
            "ru_tag": "#" + d["ru_tag"] if d.get("ru_tag") else None,
        }
        if head in ("En", "Adj"):
            return _cap(_need(simple[head.lower()], f"{self.code}.{head}"))
        if head == "ru_adj_gen":
            return _adj_gen(_need(d.get("ru_adj"), f"{self.code}.ru_adj"))
        if head not in simple:
            raise KeyError(f"country form {head!r}")
        return _need(simple[head], f"{self.code}.{head}")


@dataclass(frozen=True)
class Forum:
    """A forum as the posts name it (one row of ``[forums]`` in world.toml)."""

    id: str
    data: dict

    @property
    def entities(self) -> list[Entity]:
        return [("forum", self.id)]

    def form(self, path: list[str]) -> str:
        d, head = self.data, path[0]
        if head in ("ru", "rufull"):
            case = path[1] if len(path) > 1 else "nom"
            forms = d.get("ru_full") if head == "rufull" and d.get("ru_full") else d["ru"]
            return _need(forms[CASES.index(case)], f"{self.id}.{head}.{case}")
        short, full = d["short"], d["full"]
        simple = {
            "short": short,
            "full": full,
            "the": ("the " + short) if d.get("the") else short,
            "thefull": ("the " + full) if d.get("the") else full,
            "tag": "#" + d["tag"] if d.get("tag") else None,
            "ru_tag": "#" + d["ru_tag"] if d.get("ru_tag") else None,
        }
        if head == "The":
            return _cap(simple["the"])
        if head not in simple:
            raise KeyError(f"forum form {head!r}")
        return _need(simple[head], f"{self.id}.{head}")


@dataclass(frozen=True)
class Group:
    """Several countries or forums named together: ``China, India and Brazil``."""

    items: tuple
    lang: str = "en"

    @property
    def entities(self) -> list[Entity]:
        return [e for item in self.items for e in item.entities]

    def form(self, path: list[str]) -> str:
        if not self.items:
            raise Missing("empty list")
        if path[0] in ("flags", "flag"):
            return "".join(item.form(["flag"]) for item in self.items)
        cap = path[0] in ("En", "The")
        inner = [path[0].lower() if cap else path[0]] + path[1:]
        parts = [item.form(inner) for item in self.items]
        joined = (
            parts[0]
            if len(parts) == 1
            else ", ".join(parts[:-1]) + (" и " if self.lang == "ru" else " and ") + parts[-1]
        )
        return _cap(joined) if cap else joined


@dataclass(frozen=True)
class Pair:
    """Two named together in one word: ``#RussiaChina``, ``российско-китайские``, 🇷🇺🇨🇳."""

    first: Country | Forum
    second: Country | Forum

    @property
    def entities(self) -> list[Entity]:
        return self.first.entities + self.second.entities

    def form(self, path: list[str]) -> str:
        head = path[0]
        if head == "flags":
            return self.first.form(["flag"]) + self.second.form(["flag"])
        if head == "tag":
            return "#" + _need(self.first.data.get("tag"), "tag") + _need(self.second.data.get("tag"), "tag")
        if head == "ru_tag":
            return (
                "#" + _need(self.first.data.get("ru_tag"), "ru_tag") + _need(self.second.data.get("ru_tag"), "ru_tag")
            )
        pref = _need(self.first.data.get("ru_pref"), "ru_pref")
        adj = _need(self.second.data.get("ru_adj"), "ru_adj")
        if head == "ru_adj":
            return f"{pref}-{adj}"
        if head == "Ru_adj":
            return _cap(f"{pref}-{adj}")
        if head == "ru_adj_gen":
            return f"{pref}-{_adj_gen(adj)}"
        raise KeyError(f"pair form {head!r}")


@dataclass(frozen=True)
class Text:
    """A slot that names nothing (a date, a person, a city), or a pre-rendered block with the
    entities it names (a briefing's topics).  ``forms`` maps a form to its text; ``None`` or a
    missing form raises :class:`Missing`; ``""`` is a value (the slot prints nothing)."""

    forms: dict
    named: tuple = ()

    @property
    def entities(self) -> list[Entity]:
        return list(self.named)

    def form(self, path: list[str]) -> str:
        key = ".".join(path)
        value = self.forms.get(key)
        if value is None:
            raise Missing(key)
        return value


@dataclass
class Rendering:
    """The state of one post's rendering: its slots and what it has named so far."""

    slots: dict
    rng: random.Random
    world_country: Callable[[str], Country]
    world_forum: Callable[[str], Forum]
    fillers: list[str] = field(default_factory=list)
    named: list[Entity] = field(default_factory=list)
    used_fillers: set = field(default_factory=set)

    def filler(self) -> str:
        choices = [s for s in self.fillers if s not in self.used_fillers] or self.fillers
        if not choices:
            raise Missing("filler")
        sentence = self.rng.choice(choices)
        self.used_fillers.add(sentence)
        return sentence

    def value(self, name: str) -> str:
        if name.startswith(("c:", "f:")):
            key, _, rest = name[2:].partition(".")
            slot = self.world_country(key) if name[0] == "c" else self.world_forum(key)
            path = rest.split(".") if rest else ["en" if name[0] == "c" else "the"]
        else:
            key, _, rest = name.partition(".")
            if key in ("FILLER", "FILLER_NEUTRAL") and not rest:
                return self.filler() if key == "FILLER" else self.neutral()
            if key not in self.slots or self.slots[key] is None:
                raise Missing(key)
            slot = self.slots[key]
            path = rest.split(".") if rest else ["value"]
        text = slot.form(path)
        if path[0] not in ("capital", "ru_capital"):  # a capital names a city, not its country
            self.named.extend(slot.entities)
        return text

    def neutral(self) -> str:
        pool = self.slots.get("_neutral")
        if not pool:
            raise Missing("neutral filler")
        return self.rng.choice(pool)


def _split_alternatives(body: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(body):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(body[start:i])
            start = i + 1
    parts.append(body[start:])
    return parts


def fill(text: str, state: Rendering) -> str:
    """``text`` with every slot and alternative replaced (raises :class:`Missing`)."""
    out, i = [], 0
    while i < len(text):
        j = text.find("{", i)
        if j < 0:
            out.append(text[i:])
            break
        out.append(text[i:j])
        depth, k = 0, j
        while k < len(text):
            if text[k] == "{":
                depth += 1
            elif text[k] == "}":
                depth -= 1
                if depth == 0:
                    break
            k += 1
        if k >= len(text):
            raise ValueError(f"unbalanced braces in template: {text!r}")
        inner = text[j + 1 : k]
        if inner.startswith("~"):
            out.append(fill(state.rng.choice(_split_alternatives(inner[1:])), state))
        else:
            out.append(state.value(inner))
        i = k + 1
    return "".join(out)


_SLOT_RE = re.compile(r"\{([A-Z][A-Z_]*)[.}]")


def slot_names(template: dict, *, required: bool = False) -> set[str]:
    """The variable slots a template names (alternatives included); with ``required``, only
    those of its title and of the body lines that are always kept (an optional line or the
    closing hashtags are left out when a slot has no value)."""
    body = str(template.get("body", "")).split("\n")
    if required:
        text = "\n".join([str(template.get("title", ""))] + [ln for ln in body if not ln.startswith("? ")])
    else:
        text = "\n".join([str(template.get("title", "")), *body, str(template.get("tags", ""))])
    return set(_SLOT_RE.findall(text)) - {"FILLER", "FILLER_NEUTRAL"}


def _optional(text: str, state: Rendering) -> str:
    """``text`` filled, or ``""`` (and nothing named) when one of its slots has no value."""
    mark = len(state.named)
    try:
        return fill(text, state)
    except Missing:
        del state.named[mark:]
        return ""


def _capitalise(title: str) -> str:
    """A title whose first word starts in lower case ("a meeting", when no date precedes it)
    gets a capital letter; "8 апреля ..." and emoji before the first word are left alone."""
    for i, ch in enumerate(title):
        if ch.isalnum():
            return title[:i] + ch.upper() + title[i + 1 :] if ch.islower() else title
    return title


def render_template(template: dict, state: Rendering) -> tuple[str, str]:
    """``(title, text)`` of a post: the title line, the body paragraphs separated by blank lines,
    then the closing hashtags.  A body line ``? ...`` is kept half of the time."""
    title = _capitalise(fill(template.get("title", ""), state).strip())
    paragraphs = []
    for line in str(template.get("body", "")).strip("\n").split("\n"):
        if not line.strip():
            continue
        if line.startswith("? "):
            if state.rng.random() < 0.5:
                continue
            paragraphs.append(_optional(line[2:], state).strip())
        else:
            paragraphs.append(fill(line, state).strip())
    tags = _optional(template.get("tags", ""), state).strip()
    blocks = [b for b in [title, *paragraphs, tags] if b]
    return title, "\n\n".join(blocks)
