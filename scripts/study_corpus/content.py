"""What each post says: its kind, the countries and forums it names, and its text.

A routine post's kind (bilateral talks, a forum's meeting, a briefing, a statement, a quote, a
post naming nothing) follows the channel's ``kinds`` weights; a post in an event's burst is
about that event. Countries and forums are drawn by the channel's weights and by membership on
the post's date (a forum's post names its members of that day, now and then a guest; a
bilateral post names forums both countries belong to). Planted effects (calendar.toml
``[effects]``) are applied here and marked on the post.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from study_corpus.render import _SLOT_RE, Group, Missing, Pair, Rendering, Text, render_template, slot_names
from study_corpus.schedule import Slot
from study_corpus.world import Event, World

MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
MONTHS_RU = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
]
LOCAL_OFFSET = {"RU": 3, "CN": 8}  # hours from UTC of the channel's home time (no DST since 2014)
AFRICA = {"ZA", "EG", "ET", "NG", "KE", "ZW", "MZ", "AO", "NA", "BW", "TZ", "UG", "DZ", "ML", "BF", "SD", "CF"}
YEAR_RE = re.compile(r"\b20\d\d\b")
RELEVANT_TO_EMBASSY = AFRICA | {"AU", "BRICS", "G20", "RUSSIA_AFRICA", "SADC", "NDB"}


@dataclass
class Post:
    """One generated post: what the truth table and every output format are made from."""

    channel: str
    when: datetime
    lang: str
    kind: str
    text: str
    title: str
    countries: list[str]
    forums: list[str]
    event: str | None = None
    topic: str | None = None
    template: str = ""
    title_date: date | None = None
    title_year: bool = False
    forwarded_from: str | None = None
    original: Post | None = None
    planted: list[str] = field(default_factory=list)
    key: str = ""  # "<channel>:<message id>", set when message ids are given

    @property
    def entities(self) -> list[tuple[str, str]]:
        return [("country", c) for c in self.countries] + [("forum", f) for f in self.forums]


def weighted(rng: random.Random, weights: dict, exclude=()) -> str | None:
    items = [(k, w) for k, w in weights.items() if k not in exclude and w > 0]
    if not items:
        return None
    keys, ws = zip(*items)
    return rng.choices(keys, weights=ws, k=1)[0]


class Composer:
    """Writes the posts of the slots of a schedule (one instance per corpus)."""

    def __init__(self, world: World, rng: random.Random, *, planted: bool = True):
        self.world = world
        self.rng = rng
        self.planted = planted
        self.template_ids = {
            id(t): f"{t['lang']}:{t['kind']}:{i}"
            for kind in world.templates
            for i, t in enumerate(world.templates[kind])
        }

    # -- choices -------------------------------------------------------------------------------
    def language(self, slug: str) -> str:
        return weighted(self.rng, self.world.channels[slug].langs)

    def forum_weights(self, slug: str, day: date) -> dict:
        weights = dict(self.world.channels[slug].forums)
        p2 = self.world.effects["P2"]
        if self.planted and slug == p2["channel"] and day >= date.fromisoformat(p2["from"]):
            weights[p2["forum"]] = weights.get(p2["forum"], 0) * p2["multiplier"]
        return weights

    def members_sample(self, forum: str, day: date, channel, k: int) -> list[str]:
        """Up to ``k`` members of ``forum`` on ``day``, the channel's usual partners more
        likely (a channel names the members it cares about); the home country half of the time."""
        members = sorted(self.world.members(forum, day))
        if not members:
            return []
        weights = {c: channel.partners.get(c, 0.5) for c in members if c != channel.home}
        chosen: list[str] = []
        while len(chosen) < min(k, len(weights)):
            chosen.append(weighted(self.rng, weights, exclude=set(chosen)))
        if channel.home in members and self.rng.random() < 0.5:
            chosen = [channel.home] + chosen[:-1] if len(chosen) >= k else [channel.home] + chosen
        return chosen

    def guest(self, forum: str, day: date) -> str | None:
        pool = [c for c in self.world.guests.get(forum, []) if not self.world.is_member(c, forum, day)]
        return self.rng.choice(pool) if pool else None

    # -- slots -----------------------------------------------------------------------------------
    def common_slots(
        self, slug: str, lang: str, local: date, *, title_date: date, event: Event | None = None, future: bool = False
    ) -> tuple[dict, date | None, bool]:
        ch = self.world.channels[slug]
        w = self.world
        home = w.countries[ch.home]
        slots: dict = {"H": home}
        if ch.home == "CN":
            fm, spokes, leader = (
                w.person("cn_fm", local)[0],
                w.person("cn_spokes", local)[0],
                w.person("cn_leader", local)[0],
            )
            slots.update(FM=Text({"value": fm}), SPOKES=Text({"value": spokes}), LEADER=Text({"value": leader}))
        else:
            fm = w.person("ru_fm", local)
            spokes = w.person("ru_spokes", local)
            leader = w.person("ru_leader", local)
            if lang == "ru":
                slots.update(
                    FM=Text({"value": fm[1]}),
                    FM_FULL=Text({"value": fm[2]}),
                    FM_GEN=Text({"value": fm[3]}),
                    FM_INS=Text({"value": fm[4]}),
                    SPOKES=Text({"value": spokes[1]}),
                    LEADER=Text({"value": leader[1]}),
                )
            else:
                slots.update(
                    FM=Text({"value": fm[0]}),
                    SPOKES=Text({"value": spokes[0]}),
                    LEADER=Text({"value": "President " + leader[0]}),
                )
            slots["AMB"] = Text({"value": w.person("ru_amb_za", local)[0]})
            slots["ZA_FM"] = Text({"value": w.person("za_fm", local)[0]})
        city = ch.dateline[lang == "ru"]
        if event is not None and event.kind != "crisis" and lang == "en" and not future:
            city = event.city.split(" (")[0]
        dated, year_written = self.date_slots(slots, lang, title_date, city)
        slots["URL"] = Text({"value": self.url(slug, lang, local)})
        return slots, dated, year_written

    def date_slots(self, slots: dict, lang: str, d: date, city: str) -> tuple[date | None, bool]:
        """The title's date phrases: ``ON`` and ``DATELINE`` (one of them, or neither), ``D``."""
        style = self.rng.choices(["on", "dateline", "today", "none"], weights=[55, 29, 6, 10])[0]
        md, dm = f"{MONTHS_EN[d.month - 1]} {d.day}", f"{d.day} {MONTHS_EN[d.month - 1]}"
        ru, ruy = f"{d.day} {MONTHS_RU[d.month - 1]}", f"{d.day} {MONTHS_RU[d.month - 1]} {d.year} года"
        if style == "none":
            slots.update(ON=Text({"value": ""}), DATELINE=Text({"value": ""}), D=None)
            return None, False
        slots["D"] = Text({"md": md, "dm": dm, "mdy": f"{md}, {d.year}", "dmy": f"{dm} {d.year}", "ru": ru, "ruy": ruy})
        on, dateline = "", ""
        if style == "on":
            on = (ru + " ") if lang == "ru" else self.rng.choice([f"On {md}, ", f"On {dm}, "])
        elif style == "today":
            on = (ru + " ") if lang == "ru" else f"Today, {md}, "
        else:
            dateline = (
                f" ({city}, {ruy})"
                if lang == "ru"
                else self.rng.choice([f" ({city}, {md}, {d.year})", f" ({dm} {d.year}, {city})"])
            )
        if not on:  # the other phrase, for a template whose title has only one of the two
            on = (ru + " ") if lang == "ru" else f"On {md}, "
        else:
            dateline = f" ({city}, {ruy})" if lang == "ru" else f" ({city}, {md}, {d.year})"
        first = "ON" if style in ("on", "today") else "DATELINE"
        slots["ON"], slots["DATELINE"] = Text({"value": on}), Text({"value": dateline})
        slots["_date_first"] = first
        return d, style == "dateline"

    @staticmethod
    def settle_date(slots: dict, template: dict) -> None:
        """Keep one date phrase in the title: the chosen one if the title has a place for it,
        else the other one."""
        if "_date_first" not in slots:
            return
        names = set(_SLOT_RE.findall(template.get("title", "")))
        keep = (
            slots["_date_first"]
            if slots["_date_first"] in names
            else ({"ON", "DATELINE"} - {slots["_date_first"]}).pop()
        )
        for name in ("ON", "DATELINE"):
            if name != keep:
                slots[name] = Text({"value": ""})

    def url(self, slug: str, lang: str, d: date) -> str:
        n = self.rng.randrange(1_800_000, 2_100_000)
        if slug == "cn_mfa":
            return f"https://www.fmprc.gov.cn/eng/xw/fyrbt/{d:%Y%m}/t{d:%Y%m%d}_{n // 10}.html"
        if slug == "wire":
            return f"https://wire.example.org/world/{n}"
        return f"https://mid.ru/{lang}/foreign_policy/news/{n}/"

    # -- posts -----------------------------------------------------------------------------------
    def compose(self, slot: Slot, *, kind: str | None = None) -> Post:
        """A post of ``slot``'s channel on its date (an event's post when the slot has one)."""
        ch = self.world.channels[slot.channel]
        lang = self.language(slot.channel)
        local = (slot.when + timedelta(hours=LOCAL_OFFSET.get(ch.home, 2))).date()
        event = slot.event
        if kind is None:
            kind = "event" if event else weighted(self.rng, ch.kinds)
        if event is not None and event.kind == "crisis":
            kind = "statement"
        # an event without a template of its own for this day (a session's eve) gets a post
        # about its forum instead
        for attempt_kind in [kind, "forum"] if kind == "event" else [kind]:
            for _ in range(40):
                try:
                    post = self._attempt(slot, ch, lang, local, attempt_kind, event)
                except Missing:
                    continue
                self._plant(post, slot, lang, local)
                return post
        raise RuntimeError(f"no template fits a {kind} post of {slot.channel} in {lang} on {local}")

    def _attempt(self, slot: Slot, ch, lang: str, local: date, kind: str, event: Event | None) -> Post:
        future = event is not None and local < event.start
        title_date = event.start if future else local
        slots, dated, year_written = self.common_slots(
            ch.slug, lang, local, title_date=title_date, event=event, future=future
        )
        topic = None
        if kind == "bilateral" or kind == "quote":
            self.bilateral_slots(slots, ch, local, lang)
        elif kind == "forum" and event is not None:
            self._forum_context(slots, ch, event.forum, local, lang)
        elif kind == "forum":
            self.forum_slots(slots, ch, local, lang)
        elif kind == "event":
            self.event_slots(slots, ch, local, lang, event)
        elif kind == "statement":
            topic = "ukraine" if event is not None else self.topic(ch.slug, lang, local)
        elif kind == "briefing":
            slots["TOPICS"] = self.topics_block(ch, local, lang)
        template = self.pick(kind, lang, ch.slug, slots, local, topic=topic, event=event, future=future)
        self.settle_date(slots, template)
        state = Rendering(
            slots=slots,
            rng=self.rng,
            world_country=self.world.countries.__getitem__,
            world_forum=self.world.forums.__getitem__,
            fillers=self.fillers(ch.slug, lang, kind),
        )
        slots["_neutral"] = self.neutral_fillers(ch.slug, lang)
        title, text = render_template(template, state)
        d = slots.get("D")
        uses_date = d is not None and any(d.forms[f] in title for f in ("md", "dm", "ru"))
        return Post(
            channel=ch.slug,
            when=slot.when,
            lang=lang,
            kind=kind,
            text=text,
            title=title,
            countries=sorted({e for k, e in state.named if k == "country"}),
            forums=sorted({e for k, e in state.named if k == "forum"}),
            event=event.id if event else None,
            topic=topic,
            template=self.template_ids[id(template)],
            title_date=dated if uses_date else None,
            title_year=uses_date and bool(YEAR_RE.search(title)),
        )

    def pick(
        self,
        kind: str,
        lang: str,
        slug: str,
        slots: dict,
        local: date,
        *,
        topic=None,
        event: Event | None = None,
        future: bool = False,
    ) -> dict:
        """A random template of this kind that fits the post (raises :class:`Missing`)."""
        fits = []
        for t in self.world.templates.get(kind, []):
            if t["lang"] != lang or ("channels" in t and slug not in t["channels"]):
                continue
            if "months" in t and local.month not in t["months"]:
                continue
            if topic is not None and t.get("topic") != topic:
                continue
            if kind == "event":
                ekinds = t.get("event_kinds", ["summit", "ministerial"])
                if event.kind not in ekinds or bool(t.get("future")) != future:
                    continue
            forum = slots.get("F")
            if "forums" in t and getattr(forum, "id", None) not in t["forums"]:
                continue
            if "forum_types" in t and (forum is None or forum.data["type"] not in t["forum_types"]):
                continue
            partner = slots.get("A")
            if "partner_region" in t and getattr(partner, "code", None) not in self.world.regions[t["partner_region"]]:
                continue
            if any(slots.get(name) is None for name in slot_names(t, required=True)):
                continue
            fits.append(t)
        if not fits:
            raise Missing(f"template for {kind}/{lang}/{slug}")
        return self.rng.choice(fits)

    def fillers(self, slug: str, lang: str, kind: str) -> list[str]:
        """Sentences that name nothing, in the voice of the channel and the kind of post."""
        pools = self.world.fillers[lang]
        if slug == "wire":
            return pools["wire"]
        if slug == "cn_mfa":
            return pools["cn_diplomatic"]
        return pools["statement"] if kind in ("statement", "quote") else pools["diplomatic"]

    def neutral_fillers(self, slug: str, lang: str) -> list[str]:
        pools = self.world.fillers[lang]
        return pools["cn_neutral"] if slug == "cn_mfa" else pools["neutral"]

    def topic(self, slug: str, lang: str, day: date) -> str:
        """A statement's topic: by the topics' weights on ``day``, among those with a template."""
        have = {
            t["topic"]
            for t in self.world.templates["statement"]
            if t["lang"] == lang and ("channels" not in t or slug in t["channels"])
        }
        weights = {tp: self.world.topic_weight(tp, day) for tp in sorted(have)}
        choice = weighted(self.rng, weights)
        if choice is None:
            raise Missing("statement topic")
        return choice

    # -- slots of each kind ----------------------------------------------------------------------
    def bilateral_slots(self, slots: dict, ch, day: date, lang: str) -> None:
        home = ch.home
        a = weighted(self.rng, ch.partners, exclude={home})
        slots["A"] = self.world.countries[a]
        slots["PAIR"] = Pair(self.world.countries[home], slots["A"])
        shared = self.world.shared_forums(home, a, day)
        if shared:
            weights = self.forum_weights(ch.slug, day)
            picked = []
            for _ in range(min(len(shared), self.rng.choice([1, 2, 2, 3]))):
                f = weighted(self.rng, {s: weights.get(s, 0.4) for s in shared}, exclude=set(picked))
                if f:
                    picked.append(f)
            slots["FORUMS"] = Group(tuple(self.world.forums[f] for f in picked), lang)
        else:
            slots["FORUMS"] = None

    def forum_slots(self, slots: dict, ch, day: date, lang: str) -> None:
        f = weighted(self.rng, self.forum_weights(ch.slug, day))
        self._forum_context(slots, ch, f, day, lang)

    def _forum_context(self, slots: dict, ch, f: str, day: date, lang: str) -> None:
        forum = self.world.forums[f]
        slots["F"] = forum
        members = self.members_sample(f, day, ch, self.rng.choice([2, 3, 3, 4, 5, 6]))
        slots["MEMBERS"] = Group(tuple(self.world.countries[c] for c in members), lang) if members else None
        guest = self.guest(f, day)
        slots["GUEST"] = self.world.countries[guest] if guest else None
        others = [c for c in members if c != ch.home]
        slots["A"] = self.world.countries[self.rng.choice(others)] if others else None
        slots["PAIR"] = Pair(self.world.countries[ch.home], slots["A"]) if slots["A"] else None
        slots["HF"] = Pair(self.world.countries[ch.home], forum)

    def event_slots(self, slots: dict, ch, day: date, lang: str, event: Event) -> None:
        self._forum_context(slots, ch, event.forum, max(day, event.start), lang)
        slots["HOST"] = self.world.countries[event.host]
        ru_ord = (event.ord[:-2] + "-й") if event.ord and event.ord[:-2].isdigit() else None
        slots["E"] = Text({"city": event.ru_city if lang == "ru" else event.city, "ord": event.ord, "ru_ord": ru_ord})
        previous = [
            e.end for e in self.world.events if e.forum == event.forum and e.kind == event.kind and e.end < event.start
        ]
        since = max(previous) if previous else event.start - timedelta(days=365)
        joins = self.world.joins(event.forum, since + timedelta(days=1), event.end + timedelta(days=1))
        slots["JOINS"] = Group(tuple(self.world.countries[c] for c in joins), lang) if joins else None
        pool = [c for c in self.world.members(event.forum, event.start) if c != ch.home]
        guest = self.guest(event.forum, event.start)
        if guest and self.rng.random() < 0.25:
            pool = [guest]
        if pool:
            slots["A"] = self.world.countries[self.rng.choice(sorted(pool))]
            slots["PAIR"] = Pair(self.world.countries[ch.home], slots["A"])

    def topics_block(self, ch, day: date, lang: str) -> Text:
        """A briefing's bullet list: 4-8 items, each about one country or forum."""
        lines, named = [], []
        for _ in range(self.rng.randint(4, 8)):
            item_slots = dict(H=self.world.countries[ch.home])
            item_slots["A"] = self.world.countries[weighted(self.rng, ch.partners, exclude={ch.home})]
            item_slots["F"] = self.world.forums[weighted(self.rng, self.forum_weights(ch.slug, day))]
            template = self.pick("item", lang, ch.slug, item_slots, day)
            state = Rendering(
                slots=item_slots,
                rng=self.rng,
                world_country=self.world.countries.__getitem__,
                world_forum=self.world.forums.__getitem__,
            )
            title, _ = render_template(template, state)
            if title not in lines:
                lines.append(title)
                named.extend(state.named)
        return Text({"value": "\n".join(lines)}, tuple(named))

    # -- planted effects -------------------------------------------------------------------------
    def _append(self, post: Post, kind: str, slots: dict, lang: str) -> None:
        template = self.pick(kind, lang, post.channel, slots, post.when.date())
        state = Rendering(
            slots=slots,
            rng=self.rng,
            world_country=self.world.countries.__getitem__,
            world_forum=self.world.forums.__getitem__,
        )
        _, line = render_template(template, state)
        parts = post.text.split("\n\n")
        tail = [parts.pop()] if len(parts) > 1 and parts[-1].startswith("#") else []
        post.text = "\n\n".join(parts + [line] + tail)
        post.countries = sorted(set(post.countries) | {e for k, e in state.named if k == "country"})
        post.forums = sorted(set(post.forums) | {e for k, e in state.named if k == "forum"})

    def _plant(self, post: Post, slot: Slot, lang: str, local: date) -> None:
        p1 = self.world.effects["P1"]
        if (
            self.planted
            and post.channel == p1["channel"]
            and p1["forum"] in post.forums
            and p1["country"] not in post.countries
            and self.rng.random() < p1["probability"]
        ):
            self._append(
                post, "inject", {"A": self.world.countries[p1["country"]], "F": self.world.forums[p1["forum"]]}, lang
            )
            post.planted.append("P1")
        p4 = self.world.effects["P4"]
        if self.rng.random() < p4["probability"] and p4["forum"] not in post.forums:
            self._append(post, "unline", {}, lang)
            post.planted.append("P4")

    # -- forwards ------------------------------------------------------------------------------
    def forward(self, slot: Slot, originals: list[Post]) -> Post | None:
        """A forward into ``slot``'s channel of a recent post of another channel of the corpus
        (``None`` when there is none in the last fortnight): same text, same entities."""
        for days in (3, 14):
            since = slot.when - timedelta(days=days)
            pool = [p for p in originals if since <= p.when < slot.when and p.lang == "en" and p.forwarded_from is None]
            if pool:
                weights = [5.0 if RELEVANT_TO_EMBASSY & set(p.countries + p.forums) else 1.0 for p in pool]
                if slot.event is not None:
                    weights = [w * (4.0 if p.event == slot.event.id else 1.0) for w, p in zip(weights, pool)]
                src = self.rng.choices(pool, weights=weights, k=1)[0]
                return Post(
                    channel=slot.channel,
                    when=slot.when,
                    lang=src.lang,
                    kind=src.kind,
                    text=src.text,
                    title=src.title,
                    countries=list(src.countries),
                    forums=list(src.forums),
                    event=src.event,
                    topic=src.topic,
                    template=src.template,
                    title_date=src.title_date,
                    title_year=src.title_year,
                    original=src,
                    planted=list(src.planted),
                )
        return None
