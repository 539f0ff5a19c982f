"""Ties read against membership: edges.csv's status, ties.csv and the shares of ties to non-members."""

from __future__ import annotations

import csv
import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from netanalysis.cli import cli
from netanalysis.graph import co_mention_graph, edges_table
from netanalysis.graph.membership import (
    STATUS_ORDER,
    UNDATED,
    StatusLookup,
    edge_status,
    outsider_shares,
    post_days,
)
from netanalysis.registry import load_memberships, membership_status

# (text, date): each post names one country and one forum, on either side of a change of status
POSTS = [
    ("Finland and #NATO", "2023-04-03T23:59:59Z"),  # the day before Finland's accession
    ("Finland and #NATO", "2023-04-04T00:00:00Z"),  # the day of it
    ("Sweden and #NATO", "2024-03-06T12:00:00Z"),
    ("Sweden and #NATO", "2024-03-07T09:00:00+03:00"),  # 06:00 UTC on accession day
    ("Iran and #BRICS", "2023-08-23T10:00:00Z"),  # before the invitation
    ("Iran and #BRICS", "2023-12-31T23:00:00Z"),  # invited: candidate
    ("Iran and #BRICS", "2024-01-01T00:30:00+02:00"),  # 22:30 UTC on 31 December: still a candidate
    ("Iran and #BRICS", "2024-01-01T01:00:00Z"),  # member
    ("Armenia and #CSTO", "2024-02-21T12:00:00Z"),
    ("Armenia and #CSTO", "2024-02-22T12:00:00Z"),  # participation frozen
    ("Egypt and #BRICS", ""),  # undated
    ("China and #OPEC", "2024-05-01T12:00:00Z"),  # a forum the registry does not cover
]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("overlay")
    path = folder / "posts.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "channel", "date", "text"])
        for i, (text, date) in enumerate(POSTS, 1):
            writer.writerow([i, "MFA", date, text])
    out = folder / "out"
    result = CliRunner().invoke(cli, ["-q", "report", str(path), "-o", str(out), "--format", "png"])
    assert result.exit_code == 0, result.output
    return out


def _edges(out):
    return pd.read_csv(out / "edges.csv", keep_default_na=False).set_index(["country", "forum"])


def test_edges_csv_status_on_accession_boundaries(run):
    edges = _edges(run)
    assert edges.loc[("FI", "NATO"), "status"] == "changed"
    assert edges.loc[("FI", "NATO"), "posts_by_status"] == "member:1;non_member:1"
    assert edges.loc[("SE", "NATO"), "posts_by_status"] == "member:1;non_member:1"
    assert edges.loc[("IR", "BRICS"), "posts_by_status"] == "member:1;candidate:2;non_member:1"
    assert edges.loc[("AM", "CSTO"), "posts_by_status"] == "member:1;frozen:1"
    assert edges.loc[("CN", "OPEC"), ["status", "posts_by_status"]].tolist() == ["unknown", "unknown:1"]


def test_undated_posts_are_unknown(run):
    edges = _edges(run)
    assert edges.loc[("EG", "BRICS"), ["status", "posts_by_status"]].tolist() == ["unknown", "unknown:1"]
    ties = pd.read_csv(run / "ties.csv", keep_default_na=False)
    assert ties[ties["country"] == "EG"][["date", "status"]].values.tolist() == [["", "unknown"]]


def test_ties_csv_lists_every_tie_with_its_day_and_status(run):
    ties = pd.read_csv(run / "ties.csv", keep_default_na=False, dtype=str)
    assert list(ties.columns) == ["country", "forum", "post_id", "date", "status"]
    assert len(ties) == len(POSTS)
    fi = ties[ties["country"] == "FI"]
    assert fi[["date", "status"]].values.tolist() == [["2023-04-03", "non_member"], ["2023-04-04", "member"]]
    ir = ties[ties["country"] == "IR"].sort_values("post_id")
    assert ir["status"].tolist() == ["non_member", "candidate", "candidate", "member"]
    assert ir["date"].tolist() == ["2023-08-23", "2023-12-31", "2023-12-31", "2024-01-01"]
    edges = _edges(run)
    for (country, forum), group in ties.groupby(["country", "forum"]):
        listed = edges.loc[(country, forum), "post_ids"].split(";")
        assert group["post_id"].tolist() == listed


def test_membership_shares_and_manifest(run):
    shares = pd.read_csv(run / "membership_shares.csv", keep_default_na=False, dtype={"period": str})
    brics = shares[(shares["forum"] == "BRICS") & (shares["period"] == "all")].iloc[0]
    # Iran 4 ties (1 non-member, 2 candidate, 1 member), Egypt 1 undated
    assert (brics["ties"], brics["members"], brics["other_statuses"], brics["non_members"], brics["unknown"]) == (
        5,
        1,
        2,
        1,
        1,
    )
    assert float(brics["share_non_member"]) == pytest.approx(1 / 4)
    y2023 = shares[(shares["forum"] == "BRICS") & (shares["period"] == "2023")].iloc[0]
    assert (y2023["ties"], y2023["non_members"]) == (3, 1)
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["ties"] == len(POSTS)
    assert manifest["counts"]["ties_by_status"]["unknown"] == 2
    assert len(manifest["counts"]["memberships_fingerprint"]) == 64


def test_report_states_the_share_of_ties_to_non_members(run):
    page = (run / "report.html").read_text(encoding="utf-8")
    assert "Ties to members and non-members" in page
    assert "membership_shares.csv" in page


def test_lookup_by_periods_equals_the_registry_lookup():
    """The per-period lookup gives what membership_status gives, day by day, around every change
    of every pair (imprecise dates included, where the answer is unknown)."""
    table = load_memberships()
    lookup = StatusLookup(table)
    rng = np.random.default_rng(3)
    rows = table.table[table.table["member_kind"] == "country"]
    pairs = sorted(set(zip(rows["member"], rows["forum"])))
    chosen = [pairs[i] for i in rng.choice(len(pairs), 120, replace=False)] + [("FI", "NATO"), ("TM", "CIS")]
    for country, forum in chosen:
        changes = table.change_days(country, forum)
        days = np.unique(np.concatenate([changes - 1, changes, changes + 1, rng.integers(-5000, 21000, 20)]))
        days = days[(days > -100_000) & (days < 100_000)].astype(np.int32)
        expected = membership_status(country, forum, days.astype("datetime64[D]"), memberships=table).tolist()
        assert lookup.statuses(country, forum, days).tolist() == expected, (country, forum)
    assert lookup.statuses("FI", "NATO", np.array([UNDATED], dtype=np.int32)).tolist() == ["unknown"]


def test_post_days_are_utc_days():
    stamps = pd.to_datetime(["2024-01-01T00:00:00Z", "2023-12-31T23:59:59Z", "1969-12-31T12:00:00Z"])
    micros = stamps.as_unit("us").asi8
    days = post_days(np.append(micros, np.iinfo(np.int64).min))
    assert days[:3].astype("datetime64[D]").astype(str).tolist() == ["2024-01-01", "2023-12-31", "1969-12-31"]
    assert days[3] == UNDATED


def test_edge_status_rules():
    def counts(**n):
        out = np.zeros(len(STATUS_ORDER), dtype=np.int64)
        for name, value in n.items():
            out[STATUS_ORDER.index(name)] = value
        return out

    assert edge_status(counts(member=3, unknown=2)) == ("member", "member:3;unknown:2")
    assert edge_status(counts(non_member=1)) == ("non_member", "non_member:1")
    assert edge_status(counts(unknown=4)) == ("unknown", "unknown:4")
    assert edge_status(counts(partner=1, member=2)) == ("changed", "member:2;partner:1")


def test_outsider_shares_by_hand():
    ties = pd.DataFrame(
        {
            "forum": ["BRICS"] * 5 + ["SCO"],
            "date": ["2023-05-01", "2023-06-01", "2024-01-02", "", "2024-02-02", "2024-03-03"],
            "status": ["non_member", "member", "member", "member", "partner", "unknown"],
        }
    )
    by_year = outsider_shares(ties).set_index(["forum", "period"])
    assert by_year.loc[("BRICS", "2023"), "share_non_member"] == 0.5
    assert by_year.loc[("BRICS", "2024"), ["ties", "members", "other_statuses"]].tolist() == [2, 1, 1]
    assert by_year.loc[("BRICS", "2024"), "share_non_member"] == 0.0
    assert np.isnan(by_year.loc[("SCO", "2024"), "share_non_member"])
    overall = outsider_shares(ties, freq="all").set_index("forum")
    assert overall.loc["BRICS", "ties"] == 5 and overall.loc["BRICS", "share_non_member"] == 0.2


def test_api_graph_labels_edges_unless_asked_not_to():
    m = pd.DataFrame({"post_id": ["p1", "p1"], "kind": ["country", "forum"], "entity": ["SE", "NATO"]})
    posts = pd.DataFrame({"post_id": ["p1"], "date": ["2024-03-07T00:00:00Z"]})
    assert edges_table(co_mention_graph(m, posts))["status"].tolist() == ["member"]
    plain = co_mention_graph(m, posts, memberships=False)
    assert "status" not in plain.edges["country:SE", "forum:NATO"]
    assert edges_table(plain)["status"].tolist() == [""]


@pytest.mark.parametrize("block", [1, 2, 3])
def test_an_edges_statuses_counted_a_block_of_posts_at_a_time_are_the_same(block, monkeypatch):
    # (the IR-BRICS edge has four posts in three statuses: blocks of 1, 2 and 3 posts split them)
    import netanalysis.graph.membership as membership

    texts = [t for t, _ in POSTS]
    m = pd.DataFrame(
        [(f"p{i}", kind, name) for i, text in enumerate(texts) for kind, name in _named(text)],
        columns=["post_id", "kind", "entity"],
    )
    posts = pd.DataFrame({"post_id": [f"p{i}" for i in range(len(POSTS))], "date": [d for _, d in POSTS]})
    whole = edges_table(co_mention_graph(m, posts))
    monkeypatch.setattr(membership, "STATUS_BLOCK", block)
    blocks = edges_table(co_mention_graph(m, posts))
    pd.testing.assert_frame_equal(blocks, whole)
    ir = whole.set_index(["country", "forum"]).loc[("IR", "BRICS")]
    assert ir["posts_by_status"] == "member:1;candidate:2;non_member:1"


def _named(text: str) -> list[tuple[str, str]]:
    country = {"Finland": "FI", "Sweden": "SE", "Iran": "IR", "Armenia": "AM", "Egypt": "EG", "China": "CN"}
    first, forum = text.split(" and #")
    return [("country", country[first]), ("forum", forum)]
