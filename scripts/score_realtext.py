#!/usr/bin/env python
"""Score the extractor against the real-text regression set (``tests/fixtures/realtext``).

Runs ``netanalysis.extract.extract_mentions`` on the set's posts and prints, as markdown:
precision and recall of countries and forums on per-post entity sets under the counted forms
(with N and Wilson 95% intervals), the same per language, recall per gold form, precision per
extractor form (mapped from ``via`` until the extractor outputs a form), the error classes with
counts and examples, and every false positive and false negative with its surfaces. The
definitions are in ``scripts/realtext_score.py``; the set and its labelling rules in the set's README.

Usage::

    python scripts/score_realtext.py                      # the development set, default forms (all but metonymy)
    python scripts/score_realtext.py --set heldout        # the held-out part (or --set all for both)
    python scripts/score_realtext.py --forms all          # metonymy counted as well
    python scripts/score_realtext.py --forms name,acronym,flag,hashtag,pair_hashtag
    python scripts/score_realtext.py --csv outputs/realtext --registry my_aliases.csv
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import realtext  # noqa: E402
import realtext_score  # noqa: E402

from netanalysis.errors import NetanalysisError  # noqa: E402
from netanalysis.registry import load_registry  # noqa: E402


def _cell(value) -> str:
    if isinstance(value, float):
        return "–" if math.isnan(value) else f"{value:.3f}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def table(frame: pd.DataFrame, columns: list[str] | None = None) -> str:
    """A DataFrame as a markdown table (floats to three decimals)."""
    columns = columns or list(frame.columns)
    if frame.empty:
        return "(none)\n"
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(row[c]) for c in columns) + " |" for _, row in frame.iterrows()]
    return "\n".join(lines) + "\n"


def _with_intervals(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["precision (95% CI)"] = [
        f"{_cell(p)} ({_cell(lo)}–{_cell(hi)})" for p, lo, hi in zip(out["precision"], out["p_low"], out["p_high"])
    ]
    out["recall (95% CI)"] = [
        f"{_cell(r)} ({_cell(lo)}–{_cell(hi)})" for r, lo, hi in zip(out["recall"], out["r_low"], out["r_high"])
    ]
    return out


def report(scores: realtext_score.Scores, max_errors: int | None = None, scored: str = "set dev") -> str:
    """The whole scoring run as one markdown document."""
    posts = scores.posts
    by_lang = ", ".join(f"{lang} {n}" for lang, n in posts["language"].value_counts().sort_index().items())
    source = (
        "the extractor's `form` column"
        if scores.form_source == "extractor"
        else "mapped from `via` (the extractor has no `form` yet: `name` stands for name, acronym, "
        "adjective, demonym and metonymy)"
    )
    parts = [
        "## Real-text regression set: extractor scores\n",
        f"Posts ({scored}): {len(posts)} ({by_lang}). Counted forms: {', '.join(scores.forms)}. "
        f"Extractor form: {source}. Unit: distinct (post, entity) pairs; 95% Wilson intervals.\n",
        "### Countries and forums\n",
        table(
            _with_intervals(scores.overall),
            ["kind", "gold", "found", "correct", "precision (95% CI)", "recall (95% CI)", "f1"],
        ),
        "### Per language\n",
        table(
            _with_intervals(scores.by_language),
            ["language", "kind", "gold", "found", "correct", "precision (95% CI)", "recall (95% CI)", "f1"],
        ),
        "### Recall per gold form (mention level: distinct labelled surfaces, all forms)\n",
        table(scores.recall_by_form),
        "### Precision per extractor form (mention level)\n",
        table(scores.precision_by_form),
        "### Error classes\n",
        table(scores.causes),
    ]
    for title, frame in (
        ("False positives (pairs)", scores.false_positives),
        ("False negatives (pairs)", scores.false_negatives),
        ("Wrong mentions (mention level)", scores.wrong_mentions),
        ("Missed mentions (mention level)", scores.missed_mentions),
    ):
        shown = frame if max_errors is None else frame.head(max_errors)
        more = "" if len(shown) == len(frame) else f" (first {len(shown)} of {len(frame)})"
        parts += [f"### {title}: {len(frame)}{more}\n", table(shown)]
    return "\n".join(parts)


def write_csv(scores: realtext_score.Scores, folder: Path) -> None:
    """One CSV per table of the run in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in (
        "overall",
        "by_language",
        "recall_by_form",
        "precision_by_form",
        "causes",
        "false_positives",
        "false_negatives",
        "wrong_mentions",
        "missed_mentions",
    ):
        getattr(scores, name).to_csv(folder / f"{name}.csv", index=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", default="dev", help="which part of the set to score: dev (default), heldout or all")
    parser.add_argument("--posts", type=Path, help="another posts.jsonl (with --labels) instead of --set")
    parser.add_argument("--labels", type=Path, help="its labels.csv")
    parser.add_argument(
        "--forms", default="default", help="counted forms: 'default' (all but metonymy), 'all' or a comma list"
    )
    parser.add_argument(
        "--registry",
        action="append",
        default=[],
        type=Path,
        help="extra registry file, as for netanalysis --registry (repeatable)",
    )
    parser.add_argument("--csv", type=Path, help="also write the tables as CSV files into this folder")
    parser.add_argument("--max-errors", type=int, help="list at most this many false positives and negatives")
    args = parser.parse_args(argv)
    try:
        forms = realtext.parse_forms(args.forms)
        registry = load_registry(args.registry or None)
        if args.posts or args.labels:
            if not (args.posts and args.labels):
                raise ValueError("--posts and --labels go together")
            posts, labels = realtext.load_posts(args.posts), realtext.load_labels(args.labels)
            source = str(args.posts)
        else:
            posts, labels = realtext.load_set(args.set)
            source = f"set {args.set}"
        problems = realtext.check(posts, labels, registry)
        if problems:
            raise realtext.RealTextError(f"{source}: {len(problems)} problem(s), first: {problems[0]}")
        scores = realtext_score.score(posts, labels, realtext.extract(posts, registry), forms, registry)
    except (ValueError, realtext.RealTextError, NetanalysisError) as err:
        print(f"Error: {err}", file=sys.stderr)
        return 1
    print(report(scores, args.max_errors, source))
    if args.csv:
        write_csv(scores, args.csv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
