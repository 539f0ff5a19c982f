"""The real-text regression set: load it, check it, run the extractor on it.

The set lives in ``tests/fixtures/realtext`` (see its README): ``posts.jsonl`` holds real public
posts (``id, channel, date, language, url, text, note``) and ``labels.csv`` their hand labels
(``post_id, kind, entity, form, surface, note``). ``kind`` is ``country`` or ``forum`` for a
mention, ``none`` for a post that mentions neither, ``not_mention`` for a homograph that names
no entity (its note starts with a class such as ``place:`` or ``link:``). Scoring is in
:mod:`realtext_score`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "realtext"
#: The parts of the set: ``dev`` (the development set the extraction rules were worked out on)
#: and ``heldout`` (labelled before the extractor saw it; see its README), each a pair of
#: ``(posts.jsonl, labels.csv)``.
SETS = {
    "dev": (FIXTURE / "posts.jsonl", FIXTURE / "labels.csv"),
    "heldout": (FIXTURE / "heldout" / "posts.jsonl", FIXTURE / "heldout" / "labels.csv"),
}

FORMS = ("name", "acronym", "adjective", "demonym", "metonymy", "flag", "hashtag", "pair_hashtag")
TEXT_FORMS = ("name", "acronym", "adjective", "demonym", "metonymy")
DEFAULT_FORMS = tuple(f for f in FORMS if f != "metonymy")
KINDS = ("country", "forum")
LABEL_KINDS = ("country", "forum", "none", "not_mention")
LANGUAGES = ("en", "ru")
POST_FIELDS = ("id", "channel", "date", "language", "url", "text")
LABEL_COLUMNS = ["post_id", "kind", "entity", "form", "surface", "note"]
#: Bodies the posts name that the registry does not list (yet): id -> name.
EXTRA_FORUMS = {
    "ICC": "International Criminal Court",
    "G8": "Group of Eight",
    "INTERPOL": "International Criminal Police Organization",
    "FATF": "Financial Action Task Force",
    "IORA": "Indian Ocean Rim Association",
    "WHA": "World Health Assembly",
    "ICAO": "International Civil Aviation Organization",
    "NORMANDY_FORMAT": "Normandy format",
}
#: What a ``not_mention`` label is (the word before the colon of its note).
NOT_MENTION_CLASSES = (
    "link",
    "handle",
    "name",
    "place",
    "continent",
    "city",
    "dateline",
    "seat",
    "region",
    "person",
    "language",
    "council",
    "word",
    "historical",
    "organ",
    "other",
)
_DATE = re.compile(r"^(\d{4}(-\d{2}(-\d{2})?)?)?$")
_FLAG = re.compile(r"^[\U0001F1E6-\U0001F1FF]{2}$")


class RealTextError(Exception):
    """The set's files are missing or unreadable."""


def load_posts(path: Path = FIXTURE / "posts.jsonl") -> pd.DataFrame:
    """The posts, one row each, in file order (all columns text)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise RealTextError(f"{path}: cannot read ({err.strerror})") from None
    rows = []
    for number, line in enumerate(lines, 1):
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise RealTextError(f"{path}: line {number}: not JSON ({err.msg})") from None
        if not isinstance(record, dict) or any(not isinstance(record.get(f), str) for f in POST_FIELDS):
            raise RealTextError(f"{path}: line {number}: needs text fields {', '.join(POST_FIELDS)}")
        rows.append(record)
    return pd.DataFrame(rows, columns=[*POST_FIELDS, "note"]).fillna("")


def load_labels(path: Path = FIXTURE / "labels.csv") -> pd.DataFrame:
    """The labels, one row each (all columns text, empty cells as ``""``)."""
    try:
        labels = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError) as err:
        raise RealTextError(f"{path}: cannot read ({err})") from None
    if list(labels.columns) != LABEL_COLUMNS:
        raise RealTextError(f"{path}: columns must be {','.join(LABEL_COLUMNS)}")
    return labels


def load_set(name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The posts and labels of a part of the set (``dev``, ``heldout``) or of both (``all``)."""
    names = list(SETS) if name == "all" else [name]
    unknown = [n for n in names if n not in SETS]
    if unknown:
        raise ValueError(f"unknown set {name!r}; choose from {', '.join(SETS)} or all")
    parts = [(load_posts(SETS[n][0]), load_labels(SETS[n][1])) for n in names]
    return (
        pd.concat([p for p, _ in parts], ignore_index=True),
        pd.concat([labels for _, labels in parts], ignore_index=True),
    )


def check(posts: pd.DataFrame, labels: pd.DataFrame, registry) -> list[str]:
    """Every problem of the set, one line each; an empty list when the set is sound."""
    problems = []
    texts = dict(zip(posts["id"], posts["text"]))
    for pid in posts.loc[posts["id"].duplicated(), "id"]:
        problems.append(f"post {pid}: id used twice")
    for post in posts.itertuples():
        if post.language not in LANGUAGES:
            problems.append(f"post {post.id}: language {post.language!r} is not one of {LANGUAGES}")
        if not post.url.startswith(("http://", "https://")):
            problems.append(f"post {post.id}: url {post.url!r} is not a web address")
        if not _DATE.match(post.date):
            problems.append(f"post {post.id}: date {post.date!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        if not post.text.strip() or not post.channel.strip():
            problems.append(f"post {post.id}: empty text or channel")
    countries, forums = set(registry.countries["code"]), set(registry.forums["id"]) | set(EXTRA_FORUMS)
    for row in labels.itertuples():
        problems += [
            f"label {row.Index + 2} (post {row.post_id}): {p}" for p in _label_problems(row, texts, countries, forums)
        ]
    for key in labels.loc[labels.duplicated(["post_id", "kind", "entity", "form", "surface"]), "post_id"]:
        problems.append(f"post {key}: a label row is repeated")
    mentioned = set(labels.loc[labels["kind"].isin(KINDS), "post_id"])
    marked = set(labels.loc[labels["kind"] == "none", "post_id"])
    for pid in posts["id"]:
        if pid not in mentioned and pid not in marked:
            problems.append(f"post {pid}: no label and no 'none' row")
        if pid in mentioned and pid in marked:
            problems.append(f"post {pid}: has mentions and a 'none' row")
    return problems


def _label_problems(row, texts: dict, countries: set, forums: set) -> list[str]:
    if row.post_id not in texts:
        return [f"unknown post {row.post_id!r}"]
    if row.kind not in LABEL_KINDS:
        return [f"kind {row.kind!r} is not one of {LABEL_KINDS}"]
    text = texts[row.post_id]
    if row.kind == "none":
        return [] if not (row.entity or row.form or row.surface) else ["a 'none' row has entity, form or surface"]
    problems = [] if row.surface and row.surface in text else [f"surface {row.surface!r} is not in the text"]
    if row.kind == "not_mention":
        if row.form or (row.entity and row.entity not in countries | forums):
            problems.append(f"not_mention {row.surface!r} must have no form and an empty or known entity")
        if row.note.split(":")[0] not in NOT_MENTION_CLASSES:
            problems.append(f"not_mention note must start with one of {NOT_MENTION_CLASSES} and ':'")
        return problems
    if row.entity not in (countries if row.kind == "country" else forums):
        problems.append(f"{row.kind} {row.entity!r} is not in the registry (or the set's extra forums)")
    if row.form not in FORMS:
        problems.append(f"form {row.form!r} is not one of {FORMS}")
    elif row.form == "flag" and not _FLAG.match(row.surface):
        problems.append(f"flag {row.surface!r} is not a flag emoji")
    elif row.form == "hashtag" and not row.surface.startswith("#"):
        problems.append(f"hashtag {row.surface!r} does not start with #")
    elif row.form == "pair_hashtag" and not re.search(r"#\w*" + re.escape(row.surface), text):
        problems.append(f"pair part {row.surface!r} is not inside a hashtag")
    return problems


def extract(posts: pd.DataFrame, registry=None) -> pd.DataFrame:
    """Run :func:`netanalysis.extract.extract_mentions` on the posts: country and forum rows of
    every form (the scorer counts the forms asked for)."""
    from netanalysis.extract import extract_mentions

    table = pd.DataFrame({"post_id": posts["id"], "text": posts["text"]})
    mentions = extract_mentions(table, registry, tags=False, forms="all")
    return mentions[mentions["kind"].isin(KINDS)].reset_index(drop=True)


def parse_forms(text: str) -> tuple:
    """``"all"``, ``"default"`` or a comma list of forms -> a tuple of forms."""
    if text in ("all", "default"):
        return FORMS if text == "all" else DEFAULT_FORMS
    forms = tuple(f.strip() for f in text.split(",") if f.strip())
    bad = [f for f in forms if f not in FORMS]
    if bad or not forms:
        raise ValueError(f"unknown form(s) {', '.join(bad) or '(none given)'}; choose from {', '.join(FORMS)}")
    return forms
