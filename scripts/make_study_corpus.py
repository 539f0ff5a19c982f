"""Generate a realistic, seeded multi-year study corpus of diplomatic Telegram channels.

Four synthetic channels in the style of real ones (a Russian MFA channel in Russian and English,
a Chinese MFA spokesperson channel, a Russian embassy in South Africa that forwards the MFA,
a state news wire), posting with a weekly rhythm, quiet holidays and bursts around summits
(BRICS, SCO, G20, APEC, EAS, CSTO, CIS, EAEU, the UN General Assembly...), naming countries
and forums as their memberships on the day allow, with planted effects of known size. The same
posts are written as every format netanalysis reads:

    DIR/desktop/<channel>/result.json   Telegram Desktop export of each channel (the standard input)
    DIR/telethon/<channel>.jsonl        Telethon dump of one channel (newest first, albums, edits)
    DIR/table/posts.csv                 one table of every channel's posts
    DIR/text/<channel name>.txt         copied channel text of one channel
    DIR/truth.csv                       what each post names by construction
    DIR/manifest.json, DIR/MANIFEST.md  counts per channel, month and file; planted effects and sizes

Each folder holds the same posts in another format: run netanalysis on one folder at a time
(the desktop folder is the study), or posts are counted more than once.

Usage::

    python scripts/make_study_corpus.py -o DIR                      # the standard study corpus
    python scripts/make_study_corpus.py -o DIR --posts 300 --seed 1  # a small one
    python scripts/make_study_corpus.py -o DIR --no-planted          # no planted effects (P1, P2)

The output depends only on the options (same options, same bytes). Data (countries, forums,
memberships, events, channels, templates) live in ``scripts/study_corpus/*.toml``.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from study_corpus import formats, manifest  # noqa: E402
from study_corpus.content import Composer, Post  # noqa: E402
from study_corpus.schedule import schedule  # noqa: E402
from study_corpus.world import World, load_world  # noqa: E402

FORMATS = ("desktop", "telethon", "table", "text")
DEFAULTS = {
    "posts": 4000,
    "seed": 0,
    "start": "2022-01-01",
    "end": "2025-12-31",
    "telethon_channel": "mfa_ru",
    "text_channel": "embassy_za",
}
FIRST_IDS = {"mfa_ru": 14_000, "cn_mfa": 3_100, "embassy_za": 1_200, "wire": 160_000}


def compose_all(
    world: World, channels: list[str], slots, rng: random.Random, *, planted: bool
) -> dict[str, list[Post]]:
    """Every channel's posts in time order; a channel that forwards another of the corpus is
    written after it, so its forwards copy real posts of that channel."""
    composer = Composer(world, rng, planted=planted)
    order = sorted(channels, key=lambda c: any(s in channels for s in world.channels[c].forward_sources))
    posts: dict[str, list[Post]] = {}
    for slug in order:
        ch = world.channels[slug]
        out = []
        for slot in sorted((s for s in slots if s.channel == slug), key=lambda s: s.when):
            post = None
            if ch.forwards and rng.random() < ch.forwards:
                source = rng.choice(ch.forward_sources)
                if source in posts:
                    post = composer.forward(slot, posts[source])
                    if post is not None:
                        post.forwarded_from = world.channels[source].name
                if post is None:
                    post = composer.compose(slot)
                    post.forwarded_from = world.channels[source].name if source in world.channels else source
            if post is None:
                post = composer.compose(slot)
                for _ in range(5):  # a channel does not post the very same text twice in a row
                    if all(post.text != p.text for p in out[-5:]):
                        break
                    post = composer.compose(slot)
            out.append(post)
        posts[slug] = out
    return {slug: posts[slug] for slug in channels}


def _skips(messages) -> dict:
    kinds = [m.kind for m in messages]
    return {"service": kinds.count("service"), "album_part": kinds.count("album_part"), "no_text": kinds.count("media")}


def write_all(
    out: Path,
    world: World,
    posts: dict[str, list[Post]],
    wanted: list[str],
    *,
    seed: int,
    telethon_channel: str,
    text_channel: str,
) -> list[dict]:
    """Write the formats; returns the manifest's ``files`` entries (what reading each gives)."""
    rng = random.Random(f"{seed}:layout")
    messages = {slug: formats.layout(ps, rng, first_id=FIRST_IDS.get(slug, 1000)) for slug, ps in posts.items()}
    originals = {
        p.key: (world.channels[p.original.channel].id, int(p.original.key.split(":")[1]))
        for ps in posts.values()
        for p in ps
        if p.original is not None
    }
    files = []
    if "desktop" in wanted:
        for slug, msgs in messages.items():
            ch = world.channels[slug]
            rel = f"desktop/{slug}/result.json"
            formats.write_desktop(out / rel, msgs, name=ch.name, cid=ch.id)
            sk = _skips(msgs)
            files.append(
                {
                    "path": rel,
                    "format": "telegram_json",
                    "channels": [slug],
                    "records": len(msgs),
                    "posts": len(posts[slug]),
                    "skipped": {"service": sk["service"], "no_text": sk["album_part"] + sk["no_text"]},
                    "read_as": {ch.name: len(posts[slug])},
                }
            )
    if "telethon" in wanted and telethon_channel in messages:
        ch = world.channels[telethon_channel]
        rel = f"telethon/{telethon_channel}.jsonl"
        msgs = messages[telethon_channel]
        formats.write_telethon(out / rel, msgs, cid=ch.id, originals=originals)
        files.append(
            {
                "path": rel,
                "format": "telethon",
                "channels": [telethon_channel],
                "records": len(msgs),
                "posts": len(posts[telethon_channel]),
                "skipped": _skips(msgs),
                "read_as": {f'channel:{ch.id} (or --channel "{ch.name}")': len(posts[telethon_channel])},
                "order": "newest first",
            }
        )
    if "table" in wanted:
        rows = [(world.channels[slug].name, m) for slug, msgs in messages.items() for m in msgs if m.kind == "post"]
        formats.write_table(out / "table/posts.csv", rows)
        files.append(
            {
                "path": "table/posts.csv",
                "format": "table",
                "channels": list(posts),
                "records": len(rows),
                "posts": len(rows),
                "skipped": {},
                "read_as": {world.channels[s].name: len(ps) for s, ps in posts.items()},
            }
        )
    if "text" in wanted and text_channel in posts:
        ch = world.channels[text_channel]
        rel = f"text/{ch.name}.txt"
        counts = formats.write_copied_text(out / rel, posts[text_channel], random.Random(f"{seed}:text"))
        forwarded: dict[str, int] = {}
        for p in posts[text_channel]:
            if p.forwarded_from:
                forwarded[p.forwarded_from] = forwarded.get(p.forwarded_from, 0) + 1
        files.append(
            {
                "path": rel,
                "format": "text",
                "channels": [text_channel],
                "records": counts["posts"],
                "posts": counts["posts"],
                "skipped": {},
                "read_as": {ch.name: counts["posts"]},
                "forwarded_from": forwarded,
                "copies": counts,
                "note": "a forward is a post of the copying channel; its origin is its forwarded_from",
            }
        )
    return files


USAGE = (
    "Run netanalysis on one folder at a time: `netanalysis report DIR/desktop -o OUT` is the study "
    "(every channel, Telegram Desktop exports); the other folders hold the same posts in other formats "
    "(telethon: one channel; table: every channel; text: one channel), so reading two folders together "
    "counts posts twice."
)


def generate(
    out: Path,
    *,
    posts: int = 4000,
    seed: int = 0,
    start: date = date(2022, 1, 1),
    end: date = date(2025, 12, 31),
    channels: list[str] | None = None,
    formats_wanted: list[str] | None = None,
    telethon_channel: str = "mfa_ru",
    text_channel: str = "embassy_za",
    planted: bool = True,
    command: str = "",
) -> dict:
    """Write a study corpus into ``out`` and return its manifest (also written as manifest.json)."""
    world = load_world()
    channels = channels or list(world.channels)
    unknown = [c for c in channels if c not in world.channels]
    if unknown:
        raise ValueError(f"unknown channel(s) {', '.join(unknown)}; choose from {', '.join(world.channels)}")
    wanted = formats_wanted or list(FORMATS)
    if set(wanted) - set(FORMATS):
        raise ValueError(f"unknown format(s) {', '.join(sorted(set(wanted) - set(FORMATS)))}")
    if posts < len(channels) or end <= start:
        raise ValueError("need at least one post per channel and an end after the start")
    slots = schedule(world, channels, posts, start, end, random.Random(f"{seed}:schedule"))
    by_channel = compose_all(world, channels, slots, random.Random(f"{seed}:content"), planted=planted)
    for sub in FORMATS:
        shutil.rmtree(out / sub, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    files = write_all(
        out, world, by_channel, wanted, seed=seed, telethon_channel=telethon_channel, text_channel=text_channel
    )
    every = [p for ps in by_channel.values() for p in ps]
    manifest.write_truth(out / "truth.csv", every, world)
    result = {
        "generator": "scripts/make_study_corpus.py",
        "command": command,
        "seed": seed,
        "posts": len(every),
        "start": start.isoformat(),
        "end": end.isoformat(),
        "planted": planted,
        "years": [str(y) for y in range(start.year, end.year + 1)],
        "channels": manifest.counts(every, world),
        "files": files,
        "usage": USAGE,
        "effects": manifest.effects(every, world, planted=planted),
        "events": manifest.events_table(every, world),
        "memberships": {
            f: {
                c: [[s.isoformat(), e.isoformat() if e.year < 9999 else None] for s, e in periods]
                for c, periods in members.items()
            }
            for f, members in world.membership.items()
        },
        "truth": "truth.csv",
    }
    (out / "manifest.json").write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (out / "MANIFEST.md").write_text(manifest.markdown(result), encoding="utf-8")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--out", type=Path, required=True, help="folder to write the corpus into")
    parser.add_argument("--posts", type=int, default=DEFAULTS["posts"], help="number of posts (default 4000)")
    parser.add_argument("--seed", type=int, default=DEFAULTS["seed"])
    parser.add_argument("--start", default=DEFAULTS["start"], help="first day, YYYY-MM-DD")
    parser.add_argument("--end", default=DEFAULTS["end"], help="last day, YYYY-MM-DD")
    parser.add_argument("--channels", default="", help="comma-separated channel slugs (default: all)")
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated: " + ",".join(FORMATS))
    parser.add_argument("--telethon-channel", default=DEFAULTS["telethon_channel"])
    parser.add_argument("--text-channel", default=DEFAULTS["text_channel"])
    parser.add_argument("--no-planted", action="store_true", help="leave out the planted effects P1 and P2")
    args = parser.parse_args(argv)
    opts = [f"--posts {args.posts}", f"--seed {args.seed}"]
    opts += [f"--start {args.start}"] if args.start != DEFAULTS["start"] else []
    opts += [f"--end {args.end}"] if args.end != DEFAULTS["end"] else []
    opts += [f"--channels {args.channels}"] if args.channels else []
    opts += [f"--formats {args.formats}"] if args.formats != ",".join(FORMATS) else []
    opts += ["--no-planted"] if args.no_planted else []
    command = "python scripts/make_study_corpus.py " + " ".join(opts) + " -o DIR"
    started = time.perf_counter()
    try:
        result = generate(
            args.out,
            posts=args.posts,
            seed=args.seed,
            start=date.fromisoformat(args.start),
            end=date.fromisoformat(args.end),
            channels=[c for c in args.channels.split(",") if c] or None,
            formats_wanted=[f for f in args.formats.split(",") if f],
            telethon_channel=args.telethon_channel,
            text_channel=args.text_channel,
            planted=not args.no_planted,
            command=command,
        )
    except ValueError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    per = ", ".join(f"{s} {c['posts']}" for s, c in result["channels"].items())
    print(
        f"{result['posts']} posts ({per}) in {len(result['files'])} files, "
        f"{time.perf_counter() - started:.1f} s -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
