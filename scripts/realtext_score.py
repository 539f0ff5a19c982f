"""Score the extractor's mentions against the real-text regression set's labels.

Primary metric, per kind (country, forum): the set of distinct (post, entity) pairs. A gold
pair is an entity with at least one labelled mention of a *counted* form in the post (default:
every form but ``metonymy``); a found pair is an entity the extractor gives the post through a
counted form. Precision = correct / found, recall = correct / gold, each with its N and a
Wilson 95% score interval (Wilson 1927, JASA 22:209); pairs from one post are not independent,
so read the interval as indicative.

Mention level, per form: a gold label (one distinct surface of an entity in a post) is found
when an extractor mention of the same entity overlaps an occurrence of that surface with a
compatible form; an extractor mention is correct when it overlaps an occurrence of a gold
surface of its entity with a compatible form. Wrong mentions are listed even when the post's
pair is right through another mention ("hidden"), so links and place names that a correct
neighbour masks still show.

The extractor's form is its ``form`` column once it has one. Until then it is mapped from
``via``: ``flag``, ``hashtag`` and ``pair_hashtag`` are forms of the same name, and ``name``
stands for every text form (name, acronym, adjective, demonym, metonymy); such a text match
counts whenever any text form is counted, and is compatible with any gold text form.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pandas as pd
from realtext import DEFAULT_FORMS, EXTRA_FORUMS, FORMS, KINDS, TEXT_FORMS

#: Text that is a link, a domain-like word or an @handle.
LINKISH = re.compile(
    r"(?:https?://|www\.)\S+|\S+\.(?:ru|com|org|net|kz|az|ua|by|io|me|cn|in|uk)\b\S*|@\w+", re.IGNORECASE
)
ERROR_COLUMNS = ["post_id", "language", "kind", "entity", "surfaces", "cause", "detail"]


def wilson(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson score interval for a proportion (NaNs when ``n`` is 0)."""
    if n == 0:
        return math.nan, math.nan
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass
class Scores:
    """Every table of a scoring run (see :func:`score`)."""

    forms: tuple
    form_source: str
    posts: pd.DataFrame
    overall: pd.DataFrame
    by_language: pd.DataFrame
    recall_by_form: pd.DataFrame
    precision_by_form: pd.DataFrame
    false_positives: pd.DataFrame
    false_negatives: pd.DataFrame
    wrong_mentions: pd.DataFrame
    missed_mentions: pd.DataFrame
    causes: pd.DataFrame

    def metric(self, kind: str, name: str) -> float:
        """``precision`` or ``recall`` of ``kind`` (pairs, counted forms)."""
        return float(self.overall.set_index("kind").loc[kind, name])


def score(
    posts: pd.DataFrame, labels: pd.DataFrame, mentions: pd.DataFrame, forms: tuple = DEFAULT_FORMS, registry=None
) -> Scores:
    """Score ``mentions`` (the extractor's table for ``posts``) against ``labels``.

    ``registry`` (optional) tells which labelled forums the registry lacks, so that their
    misses are put down to coverage rather than to matching.
    """
    if not forms or set(forms) - set(FORMS):
        raise ValueError(f"forms must be a non-empty subset of {FORMS}, got {sorted(forms)}")
    forms = tuple(f for f in FORMS if f in forms)
    gold = labels[labels["kind"].isin(KINDS)][["post_id", "kind", "entity", "form", "surface"]].copy()
    found = mentions[mentions["kind"].isin(KINDS)].copy()
    source = "extractor" if "form" in found.columns and found["form"].notna().all() else "via"
    if source == "via":
        found["form"] = found["via"]
    texts = dict(zip(posts["id"], posts["text"]))
    gold["spans"] = [_spans(texts[p], s) for p, s in zip(gold["post_id"], gold["surface"])]
    counted = found[[_counts(f, forms, source) for f in found["form"]]]
    gold_pairs = set(map(tuple, gold.loc[gold["form"].isin(forms), ["post_id", "kind", "entity"]].values))
    found_pairs = set(map(tuple, counted[["post_id", "kind", "entity"]].values))
    language = dict(zip(posts["id"], posts["language"]))
    known = set(registry.forums["id"]) if registry is not None else set()
    missing = {f for f in EXTRA_FORUMS if f not in known}
    recall_by_form, precision_by_form, wrong, missed = _mention_tables(
        posts, labels, gold, found, source, found_pairs & gold_pairs
    )
    false_positives = _false_positives(posts, labels, counted, gold, found_pairs - gold_pairs)
    false_negatives = _false_negatives(posts, counted, gold, gold_pairs - found_pairs, forms, missing)
    return Scores(
        forms,
        source,
        posts,
        prf_table(gold_pairs, found_pairs, lambda pair: pair[1]),
        prf_table(gold_pairs, found_pairs, lambda pair: (language[pair[0]], pair[1])),
        recall_by_form,
        precision_by_form,
        false_positives,
        false_negatives,
        wrong,
        missed,
        _cause_table(false_positives, false_negatives, wrong, missed),
    )


def prf_table(gold: set, found: set, key) -> pd.DataFrame:
    """Precision, recall (with Wilson intervals) and F1 of ``found`` against ``gold``, per ``key(pair)``."""
    rows = []
    for group in sorted({key(p) for p in gold | found}, key=str):
        g = {p for p in gold if key(p) == group}
        f = {p for p in found if key(p) == group}
        tp = len(g & f)
        precision = tp / len(f) if f else math.nan
        recall = tp / len(g) if g else math.nan
        f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else math.nan
        names = dict(zip(("language", "kind"), group)) if isinstance(group, tuple) else {"kind": group}
        (p_low, p_high), (r_low, r_high) = wilson(tp, len(f)), wilson(tp, len(g))
        rows.append(
            {
                **names,
                "gold": len(g),
                "found": len(f),
                "correct": tp,
                "precision": precision,
                "p_low": p_low,
                "p_high": p_high,
                "recall": recall,
                "r_low": r_low,
                "r_high": r_high,
                "f1": f1,
            }
        )
    return pd.DataFrame(rows)


def _counts(form: str, forms: tuple, source: str) -> bool:
    if source == "via" and form == "name":
        return any(f in forms for f in TEXT_FORMS)
    return form in forms


def _compatible(found_form: str, gold_form: str, source: str) -> bool:
    if source == "via" and found_form == "name":
        return gold_form in TEXT_FORMS
    return found_form == gold_form


def _spans(text: str, surface: str) -> list[tuple[int, int]]:
    spans, start = [], text.find(surface) if surface else -1
    while start >= 0:
        spans.append((start, start + len(surface)))
        start = text.find(surface, start + 1)
    return spans


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in spans)


def _not_mention(labels: pd.DataFrame, text: str, pid: str, span: tuple[int, int]) -> tuple[str, str] | None:
    """The class and surface of a ``not_mention`` label the span overlaps, if any."""
    negatives = labels[(labels["post_id"] == pid) & (labels["kind"] == "not_mention")]
    for neg in negatives.itertuples():
        if _overlaps(span, _spans(text, neg.surface)):
            return neg.note.split(":")[0], neg.surface
    return None


def _mention_tables(posts, labels, gold, found, source, right_pairs) -> tuple:
    texts = dict(zip(posts["id"], posts["text"]))
    language = dict(zip(posts["id"], posts["language"]))
    by_pair = {key: group for key, group in found.groupby(["post_id", "kind", "entity"])}
    gold_by_pair = {key: group for key, group in gold.groupby(["post_id", "kind", "entity"])}
    recall_rows, missed_rows = [], []
    for (kind, form), group in gold.groupby(["kind", "form"]):
        hits = anyform = 0
        for row in group.itertuples():
            mentions = by_pair.get((row.post_id, kind, row.entity))
            anyform += mentions is not None
            hit = mentions is not None and any(
                _compatible(m.form, form, source) and _overlaps((m.start, m.end), row.spans)
                for m in mentions.itertuples()
            )
            hits += hit
            if not hit:
                missed_rows.append(
                    {
                        "post_id": row.post_id,
                        "language": language[row.post_id],
                        "kind": kind,
                        "entity": row.entity,
                        "surfaces": f"{row.surface} ({form})",
                        "cause": "missed " + form,
                        "detail": "hidden: entity found" if mentions is not None else "entity missed",
                    }
                )
        recall_rows.append(
            {
                "kind": kind,
                "form": form,
                "gold": len(group),
                "found_as_form": hits,
                "recall": hits / len(group),
                "entity_found": anyform,
                "recall_any_form": anyform / len(group),
            }
        )
    precision_rows, wrong_rows = [], []
    for (kind, form), group in found.groupby(["kind", "form"]):
        correct = 0
        for m in group.itertuples():
            golds = gold_by_pair.get((m.post_id, kind, m.entity))
            spans = (
                []
                if golds is None
                else [s for g in golds.itertuples() if _compatible(form, g.form, source) for s in g.spans]
            )
            if _overlaps((m.start, m.end), spans):
                correct += 1
                continue
            text = texts[m.post_id]
            hit = _not_mention(labels, text, m.post_id, (m.start, m.end))
            in_link = _overlaps((m.start, m.end), [x.span() for x in LINKISH.finditer(text)])
            other_forms = [] if golds is None else [sp for g in golds.itertuples() for sp in g.spans]
            cause = (
                "not a mention: " + hit[0]
                if hit
                else "inside a link or handle"
                if in_link
                else "form differs from the labels"
                if _overlaps((m.start, m.end), other_forms)
                else "unlabelled surface"
            )
            wrong_rows.append(
                {
                    "post_id": m.post_id,
                    "language": language[m.post_id],
                    "kind": kind,
                    "entity": m.entity,
                    "surfaces": f"{m.surface} ({m.via})",
                    "cause": cause,
                    "detail": "hidden: pair correct" if (m.post_id, kind, m.entity) in right_pairs else "pair wrong",
                }
            )
        low, high = wilson(correct, len(group))
        precision_rows.append(
            {
                "kind": kind,
                "form": form + (" (via)" if source == "via" else ""),
                "found": len(group),
                "correct": correct,
                "precision": correct / len(group),
                "ci_low": low,
                "ci_high": high,
            }
        )
    return (
        pd.DataFrame(recall_rows),
        pd.DataFrame(precision_rows),
        pd.DataFrame(wrong_rows, columns=ERROR_COLUMNS),
        pd.DataFrame(missed_rows, columns=ERROR_COLUMNS),
    )


def _false_positives(posts, labels, counted, gold, pairs) -> pd.DataFrame:
    texts = dict(zip(posts["id"], posts["text"]))
    language = dict(zip(posts["id"], posts["language"]))
    rows = []
    for pid, kind, entity in sorted(pairs):
        mentions = counted[(counted["post_id"] == pid) & (counted["kind"] == kind) & (counted["entity"] == entity)]
        text, spans = texts[pid], list(zip(mentions["start"], mentions["end"]))
        hit = next((h for h in (_not_mention(labels, text, pid, s) for s in spans) if h), None)
        links = [x.span() for x in LINKISH.finditer(text)]
        uncounted = gold[(gold["post_id"] == pid) & (gold["kind"] == kind) & (gold["entity"] == entity)]
        if hit:
            cause, detail = "not a mention: " + hit[0], hit[1]
        elif spans and all(_overlaps(s, links) for s in spans):
            cause, detail = "inside a link or handle", ""
        elif len(uncounted):
            cause, detail = "uncounted form: " + "+".join(sorted(set(uncounted["form"]))), ""
        else:
            cause, detail = "unlabelled", ""
        surfaces = "; ".join(f"{s} ({v})" for s, v in dict.fromkeys(zip(mentions["surface"], mentions["via"])))
        rows.append(
            {
                "post_id": pid,
                "language": language[pid],
                "kind": kind,
                "entity": entity,
                "surfaces": surfaces,
                "cause": cause,
                "detail": detail,
            }
        )
    return pd.DataFrame(rows, columns=ERROR_COLUMNS)


def _false_negatives(posts, counted, gold, pairs, forms, missing) -> pd.DataFrame:
    language = dict(zip(posts["id"], posts["language"]))
    rows = []
    for pid, kind, entity in sorted(pairs):
        labelled = gold[
            (gold["post_id"] == pid) & (gold["kind"] == kind) & (gold["entity"] == entity) & gold["form"].isin(forms)
        ]
        spans = [s for group in labelled["spans"] for s in group]
        others = counted[(counted["post_id"] == pid) & (counted["entity"] != entity)]
        instead = sorted({m.entity for m in others.itertuples() if _overlaps((m.start, m.end), spans)})
        if kind == "forum" and entity in missing:
            cause = "not in the registry"
        elif instead:
            cause = "found as another entity"
        else:
            cause = "missed " + "+".join(f for f in FORMS if f in set(labelled["form"]))
        rows.append(
            {
                "post_id": pid,
                "language": language[pid],
                "kind": kind,
                "entity": entity,
                "surfaces": "; ".join(f"{s} ({f})" for s, f in zip(labelled["surface"], labelled["form"])),
                "cause": cause,
                "detail": ", ".join(instead),
            }
        )
    return pd.DataFrame(rows, columns=ERROR_COLUMNS)


def _cause_table(false_positives, false_negatives, wrong, missed) -> pd.DataFrame:
    rows = []
    for error, table in (
        ("false positive (pair)", false_positives),
        ("false negative (pair)", false_negatives),
        ("wrong mention", wrong),
        ("missed mention", missed),
    ):
        for (kind, cause), group in table.groupby(["kind", "cause"]):
            examples = [f"{r.post_id} {r.entity}: {r.surfaces.split('; ')[0]}" for r in group.head(3).itertuples()]
            hidden = int(group["detail"].str.startswith("hidden").sum()) if "mention" in error else ""
            rows.append(
                {
                    "error": error,
                    "kind": kind,
                    "cause": cause,
                    "count": len(group),
                    "hidden": hidden,
                    "examples": " | ".join(examples),
                }
            )
    table = pd.DataFrame(rows, columns=["error", "kind", "cause", "count", "hidden", "examples"])
    order = {"false positive (pair)": 0, "false negative (pair)": 1, "wrong mention": 2, "missed mention": 3}
    table["_order"] = table["error"].map(order)
    return (
        table.sort_values(["_order", "count"], ascending=[True, False], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )
