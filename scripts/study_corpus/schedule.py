"""When each channel posts: a day-by-day volume model, and the posting times drawn from it.

A channel's volume on a day is

    base(day) = weekday factor x holiday factor x (1 + growth) ** years since the start

plus, for every event the channel covers, ``burst x (1 + growth) ** years`` on the event's days
(events ignore weekends), ``0.3 x burst`` on the three days before (announcements) and
``0.25 x burst`` on the two days after (readouts). A channel's number of posts is its ``share``
of all posts; its posts are spread over the days in proportion to their volume, and a post on
a day is about an event with the probability that the event adds to that day's volume.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from study_corpus.world import Channel, Event, World

BEFORE, BEFORE_SHARE = 3, 0.3
AFTER, AFTER_SHARE = 2, 0.25


@dataclass(frozen=True)
class Slot:
    """One post to write: its channel, its time (UTC) and the event it covers, if any."""

    channel: str
    when: datetime
    event: Event | None


def holiday_factor(world: World, channel: Channel, day: date) -> float:
    factor = 1.0
    for month, first, length, value in world.holidays.get(channel.holidays, []):
        start = date(day.year, month, first)
        if start <= day < start + timedelta(days=length):
            factor = min(factor, value)
    if channel.holidays == "cn":
        for eve in world.holidays["spring_festival"]:
            first = date.fromisoformat(eve) - timedelta(days=1)
            if first <= day < first + timedelta(days=8):
                factor = min(factor, 0.15)
    return factor


def event_extras(world: World, channel: Channel, day: date) -> list[tuple[Event, float]]:
    """The events that add volume to ``channel`` on ``day``, with how much (x the base level)."""
    out = []
    for event in world.events:
        burst = event.burst.get(channel.slug, 0.0)
        if not burst:
            continue
        if event.start <= day <= event.end:
            out.append((event, burst))
        elif event.start - timedelta(days=BEFORE) <= day < event.start:
            out.append((event, burst * BEFORE_SHARE))
        elif event.end < day <= event.end + timedelta(days=AFTER):
            out.append((event, burst * AFTER_SHARE))
    return out


def day_volumes(world: World, channel: Channel, days: list[date]) -> list[tuple[float, list]]:
    """``(volume, [(event, extra volume)])`` of each day."""
    out = []
    for day in days:
        level = (1.0 + channel.growth) ** ((day - days[0]).days / 365.25)
        base = channel.weekday[day.weekday()] * holiday_factor(world, channel, day) * level
        extras = [(e, x * level) for e, x in event_extras(world, channel, day)]
        out.append((base + sum(x for _, x in extras), extras))
    return out


def channel_counts(world: World, channels: list[str], total: int) -> dict[str, int]:
    """Posts per channel: ``total`` split by the channels' shares (largest remainder)."""
    shares = {c: world.channels[c].share for c in channels}
    whole = sum(shares.values())
    exact = {c: total * s / whole for c, s in shares.items()}
    counts = {c: int(v) for c, v in exact.items()}
    for c in sorted(exact, key=lambda c: (counts[c] - exact[c], c))[: total - sum(counts.values())]:
        counts[c] += 1
    return counts


def _times(rng: random.Random, channel: Channel, day: date, n: int) -> list[datetime]:
    first, last = channel.utc_hours
    minutes = sorted(rng.sample(range(first * 60, (last + 1) * 60), n))
    return [datetime.combine(day, time(m // 60, m % 60, rng.randrange(60)), tzinfo=UTC) for m in minutes]


def schedule(world: World, channels: list[str], total: int, start: date, end: date, rng: random.Random) -> list[Slot]:
    """Every post's slot, channel by channel, in time order within each channel."""
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    slots = []
    for slug, n in channel_counts(world, channels, total).items():
        channel = world.channels[slug]
        volumes = day_volumes(world, channel, days)
        picks = rng.choices(range(len(days)), weights=[v for v, _ in volumes], k=n)
        per_day: dict[int, int] = {}
        for i in picks:
            per_day[i] = per_day.get(i, 0) + 1
        for i in sorted(per_day):
            volume, extras = volumes[i]
            for when in _times(rng, channel, days[i], per_day[i]):
                event = None
                x = rng.random() * volume
                for e, extra in extras:
                    if x < extra:
                        event = e
                        break
                    x -= extra
                slots.append(Slot(slug, when, event))
    return slots
