"""What was generated, and the true size of every planted effect: ``truth.csv``,
``manifest.json`` and ``MANIFEST.md``.

Sizes are computed from the posts as generated (the entities each post names by construction),
with a post as the unit and all of a channel's posts as the population:
``expected = n_country * n_forum / N`` and ``association = n_both / expected`` (1 under
independence), as a co-mention analysis with an all-posts baseline would estimate them.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

from study_corpus.content import Post
from study_corpus.world import World

#: Membership changes in the corpus period whose co-mentions the manifest counts before and after.
MEMBERSHIP_CHANGES = [
    ("IR", "SCO", "2023-07-04"),
    ("BY", "SCO", "2024-07-04"),
    ("EG", "BRICS", "2024-01-01"),
    ("ET", "BRICS", "2024-01-01"),
    ("IR", "BRICS", "2024-01-01"),
    ("AE", "BRICS", "2024-01-01"),
    ("ID", "BRICS", "2025-01-06"),
    ("FI", "NATO", "2023-04-04"),
    ("SE", "NATO", "2024-03-07"),
    ("SY", "ARAB_LEAGUE", "2023-05-07"),
    ("TL", "ASEAN", "2025-10-26"),
]
TRUTH_COLUMNS = [
    "key",
    "channel",
    "channel_name",
    "message_id",
    "date",
    "lang",
    "kind",
    "topic",
    "event",
    "template",
    "forwarded_from",
    "original",
    "countries",
    "forums",
    "planted",
    "title_date",
    "title_year",
]


def write_truth(path: Path, posts: list[Post], world: World) -> None:
    """One row per post: what it names by construction, and where it came from."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(TRUTH_COLUMNS)
        for p in sorted(posts, key=lambda p: (p.when, p.key)):
            out.writerow(
                [
                    p.key,
                    p.channel,
                    world.channels[p.channel].name,
                    p.key.split(":")[1],
                    p.when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    p.lang,
                    p.kind,
                    p.topic or "",
                    p.event or "",
                    p.template,
                    p.forwarded_from or "",
                    p.original.key if p.original else "",
                    " ".join(p.countries),
                    " ".join(p.forums),
                    " ".join(p.planted),
                    p.title_date.isoformat() if p.title_date else "",
                    int(p.title_year),
                ]
            )


def association(posts: list[Post], country: str, forum: str) -> dict:
    n = len(posts)
    n_c = sum(country in p.countries for p in posts)
    n_f = sum(forum in p.forums for p in posts)
    both = sum(country in p.countries and forum in p.forums for p in posts)
    expected = n_c * n_f / n if n else 0.0
    return {
        "posts": n,
        "country_posts": n_c,
        "forum_posts": n_f,
        "both": both,
        "expected": round(expected, 3),
        "association": round(both / expected, 3) if expected else None,
        "share_of_forum_posts": round(both / n_f, 4) if n_f else None,
    }


def _month(p: Post) -> str:
    return p.when.strftime("%Y-%m")


def effects(posts: list[Post], world: World, *, planted: bool) -> dict:
    by_channel: dict[str, list[Post]] = defaultdict(list)
    for p in posts:
        by_channel[p.channel].append(p)
    out = {}
    p1 = world.effects["P1"]
    out["P1"] = {
        "description": p1["description"],
        "planted": planted,
        "channel": p1["channel"],
        "country": p1["country"],
        "forum": p1["forum"],
        "design": f"a post of {p1['channel']} naming {p1['forum']} gets a sentence naming "
        f"{p1['country']} with probability {p1['probability']} (unless it names it already)",
        "posts_planted": sum("P1" in p.planted for p in posts),
        "by_channel": {c: association(ps, p1["country"], p1["forum"]) for c, ps in sorted(by_channel.items())},
        "all_channels": association(posts, p1["country"], p1["forum"]),
    }
    p2 = world.effects["P2"]
    own = [p for p in by_channel.get(p2["channel"], []) if p.forwarded_from is None]
    months: dict[str, list[Post]] = defaultdict(list)
    for p in own:
        months[_month(p)].append(p)
    monthly = {m: round(sum(p2["forum"] in p.forums for p in ps) / len(ps), 4) for m, ps in sorted(months.items())}
    cut = p2["from"][:7]

    def share(ps: list[Post]) -> float | None:
        return round(sum(p2["forum"] in p.forums for p in ps) / len(ps), 4) if ps else None

    before = [p for p in own if _month(p) < cut]
    after = [p for p in own if _month(p) >= cut]
    out["P2"] = {
        "description": p2["description"],
        "planted": planted,
        "channel": p2["channel"],
        "forum": p2["forum"],
        "from_month": cut,
        "design": f"the routine multilateral posts of {p2['channel']} pick {p2['forum']} with "
        f"{p2['multiplier']}x its weight from {p2['from']} on",
        "share_before": share(before),
        "share_after": share(after),
        "share_before_routine": share([p for p in before if p.event is None]),
        "share_after_routine": share([p for p in after if p.event is None]),
        "posts_before": len(before),
        "posts_after": len(after),
        "monthly_share": monthly,
    }
    changes = []
    for country, forum, since in MEMBERSHIP_CHANGES:
        day = date.fromisoformat(since)
        joined = [p for p in posts if country in p.countries and forum in p.forums]
        changes.append(
            {
                "country": country,
                "forum": forum,
                "member_from": since,
                "co_mentions_before": sum(p.when.date() < day for p in joined),
                "co_mentions_after": sum(p.when.date() >= day for p in joined),
            }
        )
    out["P3"] = {
        "description": "memberships change in the period: countries are named with a forum as "
        "members only from the day they join (before that only as guests or "
        "applicants), so co-mentions jump at accession",
        "changes": changes,
    }
    p4 = world.effects["P4"]
    top = Counter(c for p in posts for c in p.countries).most_common(12)
    out["P4"] = {
        "description": p4["description"],
        "forum": p4["forum"],
        "design": f"every post gets a closing line naming {p4['forum']} with probability "
        f"{p4['probability']}, whatever it is about; no other text names {p4['forum']}",
        "share_by_channel": {
            c: round(sum(p4["forum"] in p.forums for p in ps) / len(ps), 4) for c, ps in sorted(by_channel.items())
        },
        "top_countries": {c: association(posts, c, p4["forum"]) for c, _ in top},
    }
    return out


def counts(posts: list[Post], world: World) -> dict:
    out = {}
    for slug in world.channels:
        ps = [p for p in posts if p.channel == slug]
        if not ps:
            continue
        out[slug] = {
            "name": world.channels[slug].name,
            "id": world.channels[slug].id,
            "posts": len(ps),
            "first": min(p.when for p in ps).isoformat(),
            "last": max(p.when for p in ps).isoformat(),
            "forwarded": sum(p.forwarded_from is not None for p in ps),
            "forwards_of_corpus_posts": sum(p.original is not None for p in ps),
            "naming_nothing": sum(not p.countries and not p.forums for p in ps),
            "event_posts": sum(p.event is not None for p in ps),
            "languages": dict(sorted(Counter(p.lang for p in ps).items())),
            "kinds": dict(sorted(Counter(p.kind for p in ps).items())),
            "by_year": dict(sorted(Counter(str(p.when.year) for p in ps).items())),
            "by_month": dict(sorted(Counter(_month(p) for p in ps).items())),
            "title_dates": {
                "with_year": sum(p.title_date is not None and p.title_year for p in ps),
                "without_year": sum(p.title_date is not None and not p.title_year for p in ps),
                "none": sum(p.title_date is None for p in ps),
            },
        }
    return out


def events_table(posts: list[Post], world: World) -> list[dict]:
    per = Counter((p.event, p.channel) for p in posts if p.event)
    return [
        {
            "id": e.id,
            "forum": e.forum,
            "kind": e.kind,
            "start": e.start.isoformat(),
            "end": e.end.isoformat(),
            "host": e.host,
            "city": e.city,
            "approximate": e.approximate,
            "posts": {c: per[(e.id, c)] for c in world.channels if per[(e.id, c)]},
        }
        for e in world.events
        if any(per[(e.id, c)] for c in world.channels)
    ]


def markdown(manifest: dict) -> str:
    """MANIFEST.md: the manifest for a reader."""
    m = manifest
    lines = [
        "# Synthetic study corpus",
        "",
        "Generated by `scripts/make_study_corpus.py` (all posts are synthetic: written from templates "
        "in the style of diplomatic channels; names of channels and people are used for realism only).",
        "",
        f"Command: `{m['command']}`",
        "",
        f"Seed {m['seed']}, {m['posts']} posts, {m['start']} to {m['end']}, planted effects "
        f"{'on' if m['planted'] else 'off'}.",
        "",
        "## Channels",
        "",
        "| channel | name | posts | forwarded | naming nothing | event posts | " + " | ".join(m["years"]) + " |",
        "|---|---|---|---|---|---|" + "---|" * len(m["years"]),
    ]
    for slug, c in m["channels"].items():
        lines.append(
            f"| {slug} | {c['name']} | {c['posts']} | {c['forwarded']} | {c['naming_nothing']} | "
            f"{c['event_posts']} | " + " | ".join(str(c["by_year"].get(y, 0)) for y in m["years"]) + " |"
        )
    lines += [
        "",
        "Posts per month of every channel are in `manifest.json` (`channels.*.by_month`); what every "
        "post names by construction is in `truth.csv`.",
        "",
        "## Files",
        "",
        "| file | format | channels | records | posts | skipped | channel as read |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in m["files"]:
        skipped = ", ".join(f"{k} {v}" for k, v in f["skipped"].items() if v) or "–"
        read_as = "; ".join(f"{k}: {v}" for k, v in f["read_as"].items())
        lines.append(
            f"| `{f['path']}` | {f['format']} | {', '.join(f['channels'])} | {f['records']} | "
            f"{f['posts']} | {skipped} | {read_as} |"
        )
    lines += ["", m["usage"], "", "## Planted effects (true sizes, all posts as the population)", ""]
    e = m["effects"]
    p1 = e["P1"]
    lines += [
        f"**P1** ({'planted' if p1['planted'] else 'not planted'}): {p1['description']}. {p1['design']}.",
        "",
        "| channel | posts | naming "
        + p1["country"]
        + " | naming "
        + p1["forum"]
        + " | both | expected | association |",
        "|---|---|---|---|---|---|---|",
    ]
    for c, a in list(p1["by_channel"].items()) + [("all", p1["all_channels"])]:
        lines.append(
            f"| {c} | {a['posts']} | {a['country_posts']} | {a['forum_posts']} | {a['both']} | "
            f"{a['expected']} | {a['association']} |"
        )
    p2 = e["P2"]
    lines += [
        "",
        f"**P2** ({'planted' if p2['planted'] else 'not planted'}): {p2['description']}. {p2['design']}. "
        f"Share of the channel's own posts naming {p2['forum']}: {p2['share_before']} before {p2['from_month']}, "
        f"{p2['share_after']} from then on (routine posts only: {p2['share_before_routine']} and "
        f"{p2['share_after_routine']}).",
        "",
        f"**P3**: {e['P3']['description']}.",
        "",
        "| country | forum | member from | co-mentions before | after |",
        "|---|---|---|---|---|",
    ]
    for ch in e["P3"]["changes"]:
        lines.append(
            f"| {ch['country']} | {ch['forum']} | {ch['member_from']} | {ch['co_mentions_before']} | "
            f"{ch['co_mentions_after']} |"
        )
    p4 = e["P4"]
    lines += [
        "",
        f"**P4**: {p4['description']}. {p4['design']}. Share of posts naming it: "
        + ", ".join(f"{c} {s}" for c, s in p4["share_by_channel"].items())
        + ".",
        "",
        "| country | posts | with " + p4["forum"] + " | expected | association |",
        "|---|---|---|---|---|",
    ]
    for c, a in p4["top_countries"].items():
        lines.append(f"| {c} | {a['country_posts']} | {a['both']} | {a['expected']} | {a['association']} |")
    lines += [
        "",
        "## Events (posts in each burst)",
        "",
        "| event | forum | dates | host | posts |",
        "|---|---|---|---|---|",
    ]
    for ev in m["events"]:
        posts = ", ".join(f"{c} {n}" for c, n in ev["posts"].items())
        lines.append(
            f"| {ev['id']} | {ev['forum']} | {ev['start']} – {ev['end']}{' ~' if ev['approximate'] else ''} | "
            f"{ev['host']} | {posts} |"
        )
    lines += [
        "",
        "Memberships used (from `scripts/study_corpus/world.toml`) are in `manifest.json` (`memberships`).",
        "",
    ]
    return "\n".join(lines)
