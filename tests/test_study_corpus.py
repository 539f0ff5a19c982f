"""The study corpus generator (scripts/make_study_corpus.py): a small corpus reads back as its
manifest says, in every format, and names what its truth table says it names."""

import json
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

import netanalysis
from netanalysis.extract import extract_mentions
from netanalysis.ingest import ReadOptions
from netanalysis.model import IngestStats

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import make_study_corpus  # noqa: E402

START, END = date(2022, 1, 1), date(2025, 12, 31)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("study") / "corpus"
    manifest = make_study_corpus.generate(out, posts=300, seed=3, start=START, end=END)
    truth = pd.read_csv(out / "truth.csv", keep_default_na=False, dtype=str)
    return out, manifest, truth


def _file(manifest, fmt):
    return [f for f in manifest["files"] if f["format"] == fmt]


def test_manifest_describes_the_requested_corpus(corpus):
    out, manifest, truth = corpus
    assert manifest["posts"] == 300 == len(truth)
    assert set(manifest["channels"]) == {"mfa_ru", "cn_mfa", "embassy_za", "wire"}
    assert sum(c["posts"] for c in manifest["channels"].values()) == 300
    assert {f["format"] for f in manifest["files"]} == {"telegram_json", "telethon", "table", "text"}
    for f in manifest["files"]:
        assert (out / f["path"]).is_file(), f["path"]
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8")) == manifest
    assert "## Planted effects" in (out / "MANIFEST.md").read_text(encoding="utf-8")


def test_desktop_exports_read_back_with_counts_channels_and_months(corpus):
    out, manifest, _ = corpus
    stats = IngestStats()
    posts = netanalysis.read_posts(out / "desktop", stats=stats)
    names = {c["name"]: slug for slug, c in manifest["channels"].items()}
    assert posts["channel"].value_counts().to_dict() == {c["name"]: c["posts"] for c in manifest["channels"].values()}
    assert posts["date_source"].eq("metadata").all()
    assert posts["date"].min() >= pd.Timestamp(START, tz="UTC")
    assert posts["date"].max() < pd.Timestamp(END, tz="UTC") + pd.Timedelta(days=1)
    months = Counter((names[c], d.strftime("%Y-%m")) for c, d in zip(posts["channel"], posts["date"]))
    for slug, c in manifest["channels"].items():
        assert {m: months[(slug, m)] for m in c["by_month"]} == c["by_month"]
        assert sum(c["by_month"].values()) == c["posts"]
    expected = {f["path"]: f for f in _file(manifest, "telegram_json")}
    for fs in stats.files:
        rel = Path(fs.path).relative_to(out).as_posix()
        assert (fs.records, fs.read) == (expected[rel]["records"], expected[rel]["posts"])
        assert fs.skipped_kinds == {k: v for k, v in expected[rel]["skipped"].items() if v}


def test_every_other_format_holds_the_same_posts(corpus):
    out, manifest, truth = corpus
    for f in _file(manifest, "telethon") + _file(manifest, "table") + _file(manifest, "text"):
        slug = f["channels"][0]
        name = manifest["channels"][slug]["name"]
        options = ReadOptions(channel=name) if f["format"] == "telethon" else None
        posts = netanalysis.read_posts(out / f["path"], options=options)
        assert len(posts) == f["posts"], f["path"]
        if f["format"] == "table":
            assert posts["channel"].value_counts().to_dict() == f["read_as"]
        elif f["format"] == "telethon":
            assert set(posts["channel"]) == {name}
            got = sorted(posts["date"].dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
            assert got == sorted(truth.loc[truth["channel"] == slug, "date"])
        else:
            assert posts["channel"].value_counts().to_dict() == f["read_as"]


def test_copied_text_is_dated_from_the_title_lines(corpus):
    """A post whose title gives no date stays undated; nearly all others get their title's
    date (the reader infers missing years from neighbours, and sets aside a written date far
    from them: at the edges of a sparse file a few go astray)."""
    out, manifest, truth = corpus
    (f,) = _file(manifest, "text")
    slug = f["channels"][0]
    posts = netanalysis.read_posts(out / f["path"])
    rows = truth[truth["channel"] == slug]  # truth.csv is in time order, as the file is
    assert len(rows) == len(posts)
    got = [d.date().isoformat() if pd.notna(d) else "" for d in posts["date"]]
    titled = [(g, want) for g, want in zip(got, rows["title_date"]) if want]
    assert [g for g, want in zip(got, rows["title_date"]) if not want] == [""] * manifest["channels"][slug][
        "title_dates"
    ]["none"]
    assert sum(g == want for g, want in titled) >= 0.9 * len(titled)
    assert manifest["channels"][slug]["title_dates"]["none"] > 0


def test_posts_name_what_the_truth_table_says(corpus):
    """The generator writes entities only through its slots: netanalysis finds exactly them."""
    out, manifest, truth = corpus
    posts = netanalysis.read_posts(out / "desktop")
    names = {c["name"]: slug for slug, c in manifest["channels"].items()}
    keys = {
        pid: f"{names[ch]}:{src.rsplit('#', 1)[1]}"
        for pid, ch, src in zip(posts["post_id"], posts["channel"], posts["source"])
    }
    mentions = extract_mentions(posts)
    found = Counter()
    for pid, kind, entity in zip(mentions["post_id"], mentions["kind"], mentions["entity"]):
        if kind != "tag":
            found[(keys[pid], kind, entity)] = 1
    wanted = {(r.key, "country", c) for r in truth.itertuples() for c in r.countries.split()}
    wanted |= {(r.key, "forum", f) for r in truth.itertuples() for f in r.forums.split()}
    hits = len(wanted & set(found))
    assert hits / len(wanted) >= 0.98, sorted(wanted - set(found))[:10]
    assert hits / len(found) >= 0.98, sorted(set(found) - wanted)[:10]
    assert (truth["countries"].eq("") & truth["forums"].eq("")).sum() > 0  # some posts name nothing


def test_planted_effects_are_counted_as_a_reader_counts_them(corpus):
    _, manifest, truth = corpus
    p1 = manifest["effects"]["P1"]
    for slug, sizes in p1["by_channel"].items():
        rows = truth[truth["channel"] == slug]
        c = rows["countries"].str.split().apply(lambda xs: p1["country"] in xs)
        f = rows["forums"].str.split().apply(lambda xs: p1["forum"] in xs)
        assert (sizes["posts"], sizes["country_posts"], sizes["forum_posts"], sizes["both"]) == (
            len(rows),
            c.sum(),
            f.sum(),
            (c & f).sum(),
        )
    assert p1["posts_planted"] == truth["planted"].str.contains("P1").sum()
    p4 = manifest["effects"]["P4"]
    assert 0.03 < truth["forums"].str.split().apply(lambda xs: "UN" in xs).mean() < 0.2
    assert set(p4["share_by_channel"]) == set(manifest["channels"])


def test_same_options_give_the_same_bytes(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    make_study_corpus.generate(a, posts=60, seed=5, formats_wanted=["desktop", "text"])
    make_study_corpus.generate(b, posts=60, seed=5, formats_wanted=["desktop", "text"])
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files and files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files)
    make_study_corpus.generate(b, posts=60, seed=6, formats_wanted=["desktop", "text"])
    assert (a / "truth.csv").read_bytes() != (b / "truth.csv").read_bytes()


def test_bad_options_give_one_error_line(tmp_path, capsys):
    assert make_study_corpus.main(["-o", str(tmp_path / "x"), "--channels", "nope"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("Error: unknown channel(s) nope")
