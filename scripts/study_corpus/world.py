"""The world a study corpus is drawn from: countries, forums, memberships, events, channels.

Everything is read from the data files next to this module (world.toml, calendar.toml,
templates_*.toml, fillers.toml); nothing about the world is written in code.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from study_corpus.render import Country, Forum

HERE = Path(__file__).resolve().parent
#: Forums every country here belongs to (their membership is not listed in world.toml).
UNIVERSAL = ("UN", "UNGA")
NOT_UN_MEMBERS = ("PS", "TW")


def _load(name: str) -> dict:
    with open(HERE / name, "rb") as fh:
        return tomllib.load(fh)


def _periods(value) -> list[tuple[date, date]]:
    """``"start"``, ``"start/end"`` or a list of them -> [(start, end)] (end inclusive)."""
    values = value if isinstance(value, list) else [value]
    out = []
    for v in values:
        start, _, end = str(v).partition("/")
        out.append((date.fromisoformat(start), date.fromisoformat(end) if end else date(9999, 12, 31)))
    return out


@dataclass(frozen=True)
class Event:
    """A summit, ministerial meeting or session that makes channels burst."""

    id: str
    forum: str
    kind: str
    start: date
    end: date
    host: str
    city: str
    ru_city: str
    ord: str | None
    burst: dict
    approximate: bool = False

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]


@dataclass(frozen=True)
class Channel:
    """A channel of the corpus and how it posts (one ``[channels.X]`` table of calendar.toml)."""

    slug: str
    name: str
    id: int
    home: str
    dateline: list
    share: float
    langs: dict
    weekday: list
    utc_hours: list
    growth: float
    forwards: float
    forward_sources: list
    holidays: str
    kinds: dict
    partners: dict
    forums: dict


@dataclass
class World:
    """The loaded data files, with membership lookups by date."""

    countries: dict[str, Country]
    forums: dict[str, Forum]
    membership: dict[str, dict[str, list[tuple[date, date]]]]
    guests: dict[str, list[str]]
    events: list[Event]
    channels: dict[str, Channel]
    holidays: dict
    topics: dict
    people: dict
    effects: dict
    regions: dict
    templates: dict[str, list[dict]] = field(default_factory=dict)
    fillers: dict = field(default_factory=dict)

    # -- memberships ---------------------------------------------------------------------
    def is_member(self, code: str, forum: str, day: date) -> bool:
        if forum in UNIVERSAL:
            return code in self.countries and code not in NOT_UN_MEMBERS
        return any(s <= day <= e for s, e in self.membership.get(forum, {}).get(code, []))

    def members(self, forum: str, day: date) -> list[str]:
        if forum in UNIVERSAL:
            return [c for c in self.countries if c not in NOT_UN_MEMBERS]
        return [c for c, periods in self.membership.get(forum, {}).items() if any(s <= day <= e for s, e in periods)]

    def shared_forums(self, a: str, b: str, day: date) -> list[str]:
        """Forums both countries belong to on ``day`` (the UN bodies left out: the UN is named
        only by the independent closing line, see effect P4)."""
        return [
            f for f in self.membership if f not in ("UNSC",) and self.is_member(a, f, day) and self.is_member(b, f, day)
        ]

    def joins(self, forum: str, first: date, last: date) -> list[str]:
        """Countries whose membership of ``forum`` starts between ``first`` and ``last``."""
        return [
            c for c, periods in self.membership.get(forum, {}).items() if any(first <= s <= last for s, _ in periods)
        ]

    # -- people ----------------------------------------------------------------------------
    def person(self, office: str, day: date) -> list[str]:
        """The names of whoever holds ``office`` on ``day`` (its row in ``[people]``)."""
        current = None
        for row in self.people[office]:
            if date.fromisoformat(row[0]) <= day:
                current = row[1:]
        if current is None:
            raise KeyError(f"nobody holds {office} on {day}")
        return current

    def topic_weight(self, topic: str, day: date) -> float:
        for start, end, weight in self.topics[topic]["periods"]:
            if date.fromisoformat(start) <= day <= date.fromisoformat(end):
                return float(weight)
        return 0.0


def load_world() -> World:
    """Read the data files into a :class:`World`."""
    w, cal = _load("world.toml"), _load("calendar.toml")
    countries = {code: Country(code, d) for code, d in w["countries"].items()}
    forums = {fid: Forum(fid, d) for fid, d in w["forums"].items()}
    membership = {f: {c: _periods(v) for c, v in members.items()} for f, members in w["membership"].items()}
    for f, members in membership.items():
        unknown = [c for c in members if c not in countries]
        if unknown or f not in forums:
            raise ValueError(f"world.toml: membership of {f} names unknown entities {unknown or f}")
    events = [
        Event(
            id=e["id"],
            forum=e["forum"],
            kind=e["kind"],
            start=date.fromisoformat(e["start"]),
            end=date.fromisoformat(e["end"]),
            host=e["host"],
            city=e["city"],
            ru_city=e["ru_city"],
            ord=e.get("ord"),
            burst=e["burst"],
            approximate=e.get("approximate", False),
        )
        for e in cal["events"]
    ]
    channels = {
        slug: Channel(
            slug=slug,
            name=c["name"],
            id=c["id"],
            home=c["home"],
            dateline=c["dateline"],
            share=c["share"],
            langs=c["langs"],
            weekday=c["weekday"],
            utc_hours=c["utc_hours"],
            growth=c["growth"],
            forwards=c["forwards"],
            forward_sources=c.get("forward_sources", []),
            holidays=c["holidays"],
            kinds=c["kinds"],
            partners=c["partners"],
            forums=c["forums"],
        )
        for slug, c in cal["channels"].items()
    }
    for ch in channels.values():
        bad = [c for c in ch.partners if c not in countries] + [f for f in ch.forums if f not in forums]
        if bad:
            raise ValueError(f"calendar.toml: channel {ch.slug} names unknown entities {bad}")
    world = World(
        countries=countries,
        forums=forums,
        membership=membership,
        guests=w["guests"],
        events=events,
        channels=channels,
        holidays=cal["holidays"],
        topics=cal["topics"],
        people=cal["people"],
        effects=cal["effects"],
        regions=w["regions"],
    )
    for lang in ("en", "ru"):
        for t in _load(f"templates_{lang}.toml")["t"]:
            t["lang"] = lang
            world.templates.setdefault(t["kind"], []).append(t)
    world.fillers = _load("fillers.toml")
    return world
