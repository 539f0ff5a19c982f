"""The real-text regression set: its integrity, the scorer on hand-made cases, and the scores.

The set (tests/fixtures/realtext) is real public posts labelled by hand; the scorer lives in
scripts/realtext.py and scripts/realtext_score.py, the command in scripts/score_realtext.py.
"""

import dataclasses
import math
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import realtext  # noqa: E402
import realtext_score  # noqa: E402
import score_realtext  # noqa: E402

from netanalysis.registry import load_registry  # noqa: E402


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.fixture(scope="module")
def posts():
    return realtext.load_posts()


@pytest.fixture(scope="module")
def labels():
    return realtext.load_labels()


@pytest.fixture(scope="module")
def scores(posts, labels, registry):
    return realtext_score.score(posts, labels, realtext.extract(posts, registry), registry=registry)


# --- the set itself -------------------------------------------------------------------------


def test_set_is_sound(posts, labels, registry):
    assert realtext.check(posts, labels, registry) == []


def test_set_size_and_mix(posts, labels):
    assert len(posts) >= 150 and posts["id"].is_unique
    counts = posts["language"].value_counts()
    assert counts["en"] >= 70 and counts["ru"] >= 70
    none = set(labels.loc[labels["kind"] == "none", "post_id"])
    assert 0.10 <= len(none) / len(posts) <= 0.25
    assert posts["channel"].nunique() >= 40
    # every form and every kind of hard case is represented
    assert set(labels.loc[labels["kind"].isin(["country", "forum"]), "form"]) == set(realtext.FORMS)
    classes = set(labels.loc[labels["kind"] == "not_mention", "note"].str.split(":").str[0])
    assert {"link", "handle", "place", "person", "language", "council", "region"} <= classes


def test_heldout_set_is_sound(registry):
    heldout = realtext.FIXTURE / "heldout"
    posts = realtext.load_posts(heldout / "posts.jsonl")
    labels = realtext.load_labels(heldout / "labels.csv")
    assert realtext.check(posts, labels, registry) == []
    assert len(posts) >= 40 and set(posts["language"]) == {"en", "ru"}
    assert not set(posts["id"]) & set(realtext.load_posts()["id"])
    assert not set(posts["url"]) & set(realtext.load_posts()["url"])


def test_every_surface_is_in_its_post(posts, labels):
    texts = dict(zip(posts["id"], posts["text"]))
    rows = labels[labels["kind"] != "none"]
    assert all(s in texts[p] for p, s in zip(rows["post_id"], rows["surface"]))


def _broken(posts: pd.DataFrame, labels: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    posts = posts.head(3).copy()
    first, second, third = posts["id"]
    labels = pd.DataFrame(
        [
            [first, "country", "XX", "name", posts.iloc[0]["text"][:5], ""],
            [first, "country", "RU", "nickname", posts.iloc[0]["text"][:5], ""],
            [second, "forum", "BRICS", "acronym", "not in the text at all", ""],
            [second, "not_mention", "", "", posts.iloc[1]["text"][:3], "guess: no class"],
            ["nope", "country", "RU", "name", "x", ""],
        ],
        columns=realtext.LABEL_COLUMNS,
    )
    posts.loc[posts.index[2], "language"] = "de"
    return posts, labels


def test_check_reports_each_kind_of_problem(posts, registry):
    broken_posts, broken_labels = _broken(posts, realtext.load_labels())
    problems = "\n".join(realtext.check(broken_posts, broken_labels, registry))
    assert "country 'XX' is not in the registry" in problems
    assert "form 'nickname' is not one of" in problems
    assert "surface 'not in the text at all' is not in the text" in problems
    assert "not_mention note must start with one of" in problems
    assert "unknown post 'nope'" in problems
    assert "language 'de'" in problems
    assert f"post {broken_posts.iloc[2]['id']}: no label and no 'none' row" in problems


def test_loading_bad_files_says_which_file(tmp_path):
    bad = tmp_path / "posts.jsonl"
    bad.write_text('{"id": "a", "text": "x"}\n', encoding="utf-8")
    with pytest.raises(realtext.RealTextError, match=r"posts.jsonl: line 1: needs text fields"):
        realtext.load_posts(bad)
    labels = tmp_path / "labels.csv"
    labels.write_text("post_id,kind\n", encoding="utf-8")
    with pytest.raises(realtext.RealTextError, match="columns must be"):
        realtext.load_labels(labels)


# --- the scorer on a case computed by hand --------------------------------------------------

TINY = {
    "p1": ("en", "Russians and the Security Council of Armenia met. See https://example.com/china/page"),
    "p2": ("ru", "ЕС и Интерпол обсудили Китай-город."),
    "p3": ("en", "Флаги 🇫🇷 и #BRICS"),
    "p4": ("ru", "В Конго прошли выборы"),
    "p5": ("en", "Washington and Beijing agreed."),
    "p6": ("en", "Russia (see https://x.org/russia)"),
}
TINY_LABELS = [
    ("p1", "country", "RU", "demonym", "Russians", ""),
    ("p1", "country", "AM", "name", "Armenia", ""),
    ("p1", "not_mention", "UNSC", "", "Security Council", "council: Armenia's"),
    ("p1", "not_mention", "CN", "", "/china/", "link: a path"),
    ("p2", "forum", "EU", "acronym", "ЕС", ""),
    ("p2", "forum", "INTERPOL", "name", "Интерпол", ""),
    ("p2", "not_mention", "CN", "", "Китай-город", "place: a district"),
    ("p3", "country", "FR", "flag", "🇫🇷", ""),
    ("p3", "forum", "BRICS", "hashtag", "#BRICS", ""),
    ("p4", "country", "CD", "name", "Конго", ""),
    ("p5", "country", "US", "metonymy", "Washington", ""),
    ("p5", "country", "CN", "metonymy", "Beijing", ""),
    ("p6", "country", "RU", "name", "Russia", ""),
]
# what a hand-made "extractor" found: (post, kind, entity, via, surface, occurrence)
TINY_FOUND = [
    ("p1", "forum", "UNSC", "name", "Security Council", 0),
    ("p1", "country", "AM", "name", "Armenia", 0),
    ("p1", "country", "CN", "name", "china", 0),
    ("p2", "forum", "EU", "name", "ЕС", 0),
    ("p2", "country", "CN", "name", "Китай", 0),
    ("p3", "country", "FR", "flag", "🇫🇷", 0),
    ("p3", "forum", "BRICS", "hashtag", "#BRICS", 0),
    ("p4", "country", "CG", "name", "Конго", 0),
    ("p6", "country", "RU", "name", "Russia", 0),
    ("p6", "country", "RU", "name", "russia", 0),
]


def tiny(forms_column: dict | None = None):
    posts = pd.DataFrame(
        [
            {"id": k, "channel": "c", "date": "", "language": lang, "url": "https://e.org", "text": t}
            for k, (lang, t) in TINY.items()
        ]
    )
    labels = pd.DataFrame(TINY_LABELS, columns=realtext.LABEL_COLUMNS)
    rows = []
    for pid, kind, entity, via, surface, _ in TINY_FOUND:
        start = TINY[pid][1].index(surface)
        rows.append(
            {
                "post_id": pid,
                "kind": kind,
                "entity": entity,
                "via": via,
                "surface": surface,
                "start": start,
                "end": start + len(surface),
            }
        )
    mentions = pd.DataFrame(rows)
    if forms_column is not None:
        mentions["form"] = [forms_column.get((r["post_id"], r["surface"]), r["via"]) for r in rows]
    return posts, labels, mentions


def test_tiny_case_is_sound(registry):
    posts, labels, _ = tiny()
    assert realtext.check(posts, labels, registry) == []


def test_pair_scores_match_hand_counts(registry):
    scores = realtext_score.score(*tiny(), registry=registry)
    # countries: gold {p1 RU, p1 AM, p3 FR, p4 CD, p6 RU}; found {p1 AM, p1 CN, p2 CN, p3 FR, p4 CG, p6 RU}
    assert scores.metric("country", "precision") == pytest.approx(3 / 6)
    assert scores.metric("country", "recall") == pytest.approx(3 / 5)
    # forums: gold {p2 EU, p2 INTERPOL, p3 BRICS}; found {p1 UNSC, p2 EU, p3 BRICS}
    assert scores.metric("forum", "precision") == pytest.approx(2 / 3)
    assert scores.metric("forum", "recall") == pytest.approx(2 / 3)
    by_language = scores.by_language.set_index(["language", "kind"])
    assert by_language.loc[("ru", "country"), ["gold", "found", "correct"]].tolist() == [1, 2, 0]
    assert by_language.loc[("en", "country"), ["gold", "found", "correct"]].tolist() == [4, 4, 3]


def test_metonymy_counts_only_when_asked(registry):
    everything = realtext_score.score(*tiny(), forms=realtext.FORMS, registry=registry)
    assert everything.metric("country", "recall") == pytest.approx(3 / 7)  # + p5 US, p5 CN
    assert everything.metric("country", "precision") == pytest.approx(3 / 6)


def test_error_causes(registry):
    # a registry that lacks INTERPOL, so that its miss is put down to coverage
    lacking = dataclasses.replace(registry, forums=registry.forums[registry.forums["id"] != "INTERPOL"])
    scores = realtext_score.score(*tiny(), registry=lacking)
    fp = scores.false_positives.set_index(["post_id", "entity"])["cause"].to_dict()
    assert fp == {
        ("p1", "CN"): "not a mention: link",
        ("p2", "CN"): "not a mention: place",
        ("p4", "CG"): "unlabelled",
        ("p1", "UNSC"): "not a mention: council",
    }
    fn = scores.false_negatives.set_index(["post_id", "entity"])[["cause", "detail"]]
    assert fn.loc[("p1", "RU")].tolist() == ["missed demonym", ""]
    assert fn.loc[("p2", "INTERPOL")].tolist() == ["not in the registry", ""]
    assert fn.loc[("p4", "CD")].tolist() == ["found as another entity", "CG"]
    wrong = scores.wrong_mentions.set_index(["post_id", "surfaces"])
    assert wrong.loc[("p6", "russia (name)"), ["cause", "detail"]].tolist() == [
        "inside a link or handle",
        "hidden: pair correct",
    ]
    causes = scores.causes.set_index(["error", "kind", "cause"])["count"]
    assert causes[("false negative (pair)", "forum", "not in the registry")] == 1
    assert causes[("missed mention", "country", "missed metonymy")] == 2


def test_mention_level_tables(registry):
    scores = realtext_score.score(*tiny(), registry=registry)
    recall = scores.recall_by_form.set_index(["kind", "form"])
    assert recall.loc[("country", "name"), ["gold", "found_as_form"]].tolist() == [3, 2]  # Armenia, Russia
    assert recall.loc[("country", "demonym"), ["gold", "found_as_form", "entity_found"]].tolist() == [1, 0, 0]
    assert recall.loc[("forum", "hashtag"), "recall"] == 1.0
    precision = scores.precision_by_form.set_index(["kind", "form"])
    # Armenia, Russia right; china (link), Китай (place), Конго (CG), russia (link) wrong
    assert precision.loc[("country", "name (via)"), ["found", "correct"]].tolist() == [6, 2]
    assert precision.loc[("forum", "name (via)"), ["found", "correct"]].tolist() == [2, 1]


def test_extractor_form_column_is_used_when_present(registry):
    # once the extractor says which form a match is, a 'name' match no longer finds a demonym
    posts, labels, mentions = tiny()
    extra = pd.DataFrame(
        [
            {
                "post_id": "p1",
                "kind": "country",
                "entity": "RU",
                "via": "name",
                "surface": "Russians",
                "start": 0,
                "end": 8,
            }
        ]
    )
    mentions = pd.concat([mentions, extra], ignore_index=True)
    via = realtext_score.score(posts, labels, mentions, registry=registry)
    assert via.recall_by_form.set_index(["kind", "form"]).loc[("country", "demonym"), "found_as_form"] == 1
    mentions["form"] = mentions["via"]  # the extractor calls everything 'name'
    own = realtext_score.score(posts, labels, mentions, registry=registry)
    assert own.form_source == "extractor"
    assert own.recall_by_form.set_index(["kind", "form"]).loc[("country", "demonym"), "found_as_form"] == 0
    assert own.metric("country", "recall") == pytest.approx(4 / 5)  # the pair is still found


def test_wilson_interval_matches_hand_computation():
    low, high = realtext_score.wilson(8, 10)
    assert (round(low, 4), round(high, 4)) == (0.4902, 0.9433)
    assert realtext_score.wilson(0, 10) == (0.0, pytest.approx(3.8415 / 13.8415, abs=1e-4))
    assert all(math.isnan(x) for x in realtext_score.wilson(0, 0))


def test_forms_option():
    assert realtext.parse_forms("default") == realtext.DEFAULT_FORMS
    assert "metonymy" in realtext.parse_forms("all")
    assert realtext.parse_forms("name, flag") == ("name", "flag")
    with pytest.raises(ValueError, match="unknown form"):
        realtext.parse_forms("name,capital")


# --- the scores of the current extractor ----------------------------------------------------


def test_scores_cover_both_kinds_and_languages(scores, labels):
    assert set(scores.overall["kind"]) == {"country", "forum"}
    assert set(scores.by_language["language"]) == {"en", "ru"}
    gold = labels[labels["kind"].isin(["country", "forum"]) & labels["form"].isin(realtext.DEFAULT_FORMS)]
    assert scores.overall["gold"].sum() == len(gold.drop_duplicates(["post_id", "kind", "entity"]))
    for kind in ("country", "forum"):
        for name in ("precision", "recall"):
            assert 0.0 <= scores.metric(kind, name) <= 1.0


@pytest.mark.parametrize("kind", ["country", "forum"])
def test_extractor_reaches_the_target_on_real_text(scores, kind):
    # the development set, default forms (all but metonymy), distinct (post, entity) pairs
    assert scores.metric(kind, "precision") >= 0.97
    assert scores.metric(kind, "recall") >= 0.97


@pytest.fixture(scope="module")
def heldout_scores(registry):
    posts, labels = realtext.load_set("heldout")
    return realtext_score.score(posts, labels, realtext.extract(posts, registry), registry=registry)


@pytest.mark.parametrize("kind", ["country", "forum"])
def test_extractor_holds_on_the_heldout_part(heldout_scores, kind):
    # a regression guard, deliberately below the target: the held-out part must not become a
    # second set to tune on (see its README for the scores as measured)
    assert heldout_scores.metric(kind, "precision") >= 0.95
    assert heldout_scores.metric(kind, "recall") >= 0.95


def test_sets_load_by_name():
    dev, _ = realtext.load_set("dev")
    heldout, _ = realtext.load_set("heldout")
    both, labels = realtext.load_set("all")
    assert len(both) == len(dev) + len(heldout) and set(labels["post_id"]) <= set(both["id"])
    with pytest.raises(ValueError, match="unknown set"):
        realtext.load_set("test")


def test_command_prints_the_report(capsys):
    assert score_realtext.main(["--max-errors", "5"]) == 0
    out = capsys.readouterr().out
    for heading in (
        "### Countries and forums",
        "### Per language",
        "### Recall per gold form",
        "### Precision per extractor form",
        "### Error classes",
        "### False negatives (pairs)",
    ):
        assert heading in out


def test_command_writes_csv(tmp_path, capsys):
    assert score_realtext.main(["--csv", str(tmp_path / "out")]) == 0
    overall = pd.read_csv(tmp_path / "out" / "overall.csv")
    assert list(overall["kind"]) == ["country", "forum"]


def test_command_scores_the_heldout_part(capsys):
    assert score_realtext.main(["--set", "heldout", "--max-errors", "3"]) == 0
    assert "Posts (set heldout): 78" in capsys.readouterr().out


def test_command_bad_input_is_one_error_line(tmp_path, capsys):
    assert score_realtext.main(["--forms", "name,capital"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: unknown form(s) capital") and err.count("\n") == 1
    assert score_realtext.main(["--posts", str(tmp_path / "missing.jsonl"), "--labels", str(tmp_path / "l.csv")]) == 1
    assert "missing.jsonl: cannot read" in capsys.readouterr().err
    assert score_realtext.main(["--posts", str(tmp_path / "missing.jsonl")]) == 1
    assert "go together" in capsys.readouterr().err
    assert score_realtext.main(["--set", "test"]) == 1
    assert "unknown set" in capsys.readouterr().err
