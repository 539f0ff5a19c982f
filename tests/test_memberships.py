"""The membership registry: the shipped data, date boundaries, the lookup, user files, bad files."""

from __future__ import annotations

import datetime as dt
import random
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from netanalysis.errors import RegistryError
from netanalysis.registry import (
    DATA_DIR,
    MEMBERSHIP_COLUMNS,
    MEMBERSHIP_STATUSES,
    load_memberships,
    load_registry,
    membership_status,
)
from netanalysis.registry import forum_members as members_of

CSV = DATA_DIR / "memberships.csv"
HEADER = ",".join(MEMBERSHIP_COLUMNS)
#: The forums the issue asks for, and the statuses each must show somewhere in its history.
REQUIRED = {
    "UN": {"member", "observer"},
    "BRICS": {"member", "candidate", "partner"},
    "SCO": {"member", "observer", "dialogue_partner", "partner"},
    "G20": {"member"},
    "EAEU": {"member", "observer"},
    "CSTO": {"member", "frozen", "suspended"},
    "CIS": {"member", "associate"},
    "ASEAN": {"member", "observer", "dialogue_partner"},
    "APEC": {"member"},
    "OSCE": {"member"},
    "NATO": {"member"},
    "EU": {"member", "candidate"},
    "AU": {"member", "suspended"},
    "CELAC": {"member", "suspended"},
}


@pytest.fixture(scope="module")
def table():
    return load_memberships()


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return pd.read_csv(CSV, keep_default_na=False, dtype=str)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------
# the shipped file


def test_the_shipped_file_validates_with_the_documented_columns(table, raw):
    assert list(raw.columns) == MEMBERSHIP_COLUMNS
    assert list(table.table.columns) == MEMBERSHIP_COLUMNS
    assert len(table.table) == len(raw) > 500
    assert set(raw["status"]) <= set(MEMBERSHIP_STATUSES)
    assert set(raw["member_kind"]) == {"country", "forum"}


def test_every_row_names_its_source(raw):
    assert (raw["source"].str.strip() != "").all()
    # a source is a link or a named document, never a bare word
    assert (
        raw["source"]
        .str.contains(
            r"https?://|Declaration|Treaty|Agreement|conclusions|"
            r"resolution|communiqué|Protocol"
        )
        .all()
    )
    # Wikipedia is a last resort, and a row that leans on it says so
    wiki = raw["source"].str.contains("wiki", case=False)
    assert wiki.any()
    assert raw.loc[wiki, "source"].str.contains("last resort").all()


def test_every_required_forum_is_covered_with_its_statuses(raw, table):
    for forum, statuses in REQUIRED.items():
        assert statuses <= set(raw.loc[raw["forum"] == forum, "status"]), forum
        assert table.covers(forum)
    reg = load_registry()
    assert all(reg.is_forum(forum) for forum in raw["forum"])
    assert all(reg.is_country(code) for code in raw.loc[raw["member_kind"] == "country", "member"])


def test_the_un_has_193_members_today_and_192_before_south_sudan(table):
    for day in ("2026-01-01", dt.date.today().isoformat(), "2011-07-14"):
        members = members_of("UN", day)
        assert len(members) == 193, day
        assert not members & {"VA", "PS", "TW", "XK", "EH", "HK"}
    assert members_of("UN", "2011-07-13") == members_of("UN", "2011-07-14") - {"SS"}
    assert members_of("UN", "2025-01-01", statuses=("observer",)) == {"VA", "PS"}


@pytest.mark.parametrize(
    "forum, day, count",
    [
        ("NATO", "2024-03-07", 32),
        ("NATO", "2023-04-04", 31),
        ("NATO", "2023-04-03", 30),
        ("EU", "2020-01-31", 28),
        ("EU", "2020-02-01", 27),
        ("OSCE", "2013-01-01", 57),
        ("APEC", "2000-01-01", 21),
        ("CELAC", "2024-01-01", 33),
        ("ASEAN", "2025-10-26", 11),
        ("ASEAN", "2025-10-25", 10),
        ("SCO", "2024-07-04", 10),
        ("EAEU", "2016-01-01", 5),
        ("G20", "2024-01-01", 19),
        ("AU", "2024-01-01", 55),
        ("CSTO", "2025-01-01", 7),
        ("BRICS", "2025-01-06", 10),
    ],
)
def test_member_counts(forum, day, count):
    assert len(members_of(forum, day)) == count


def test_suspended_and_frozen_members_are_formal_members_unless_excluded():
    assert {"ML", "BF", "NE", "SD"} <= members_of("AU", "2024-06-01")
    strict = members_of("AU", "2024-06-01", statuses=("member",))
    assert not strict & {"ML", "BF", "NE", "SD", "GA", "GN"}
    assert len(strict) == 55 - 6
    # the CSTO's six plus Uzbekistan, whose membership has been suspended since 2012
    assert members_of("CSTO", "2025-01-01") == {"AM", "BY", "KZ", "KG", "RU", "TJ", "UZ"}
    assert members_of("CSTO", "2025-01-01", statuses=("member",)) == {"BY", "KZ", "KG", "RU", "TJ"}
    assert members_of("CSTO", "2025-01-01", statuses=("frozen", "suspended")) == {"AM", "UZ"}


# --------------------------------------------------------------------------------------------
# date boundaries: the day before, the day of and the day after each change


BOUNDARIES = [
    # member, kind, forum, first day, status before, status from that day
    ("FI", "country", "NATO", "2023-04-04", "non_member", "member"),
    ("SE", "country", "NATO", "2024-03-07", "non_member", "member"),
    ("IR", "country", "SCO", "2023-07-04", "observer", "member"),
    ("BY", "country", "SCO", "2024-07-04", "observer", "member"),
    ("EG", "country", "BRICS", "2024-01-01", "candidate", "member"),
    ("ID", "country", "BRICS", "2025-01-06", "partner", "member"),
    ("AU", "forum", "G20", "2023-09-09", "non_member", "member"),
    ("GB", "country", "EU", "2020-02-01", "member", "non_member"),
    ("AM", "country", "CSTO", "2024-02-22", "member", "frozen"),
    ("BR", "country", "CELAC", "2020-01-16", "member", "suspended"),
    ("BR", "country", "CELAC", "2023-01-05", "suspended", "member"),
    ("GA", "country", "AU", "2025-04-30", "suspended", "member"),
    ("TL", "country", "ASEAN", "2025-10-26", "observer", "member"),
    ("VN", "country", "BRICS", "2025-06-13", "non_member", "partner"),
    ("NG", "country", "BRICS", "2025-01-17", "non_member", "partner"),
    ("MN", "country", "SCO", "2025-09-01", "observer", "partner"),
    ("GE", "country", "CIS", "2009-08-18", "member", "non_member"),
]


@pytest.mark.parametrize(
    "member, kind, forum, first, before, after", BOUNDARIES, ids=[f"{b[0]}-{b[2]}-{b[3]}" for b in BOUNDARIES]
)
def test_status_changes_exactly_on_its_day(member, kind, forum, first, before, after):
    day = pd.Timestamp(first)
    days = [day - pd.Timedelta(days=1), day, day + pd.Timedelta(days=1)]
    got = membership_status(member, forum, days, kind=kind).tolist()
    assert got == [before, after, after]


def test_a_country_and_a_forum_with_the_same_code_are_kept_apart():
    # AU is Australia as a country (a G20 founder) and the African Union as a forum
    assert membership_status("AU", "G20", "2020-01-01").tolist() == ["member"]
    assert membership_status("AU", "G20", "2020-01-01", kind="forum").tolist() == ["non_member"]
    assert members_of("G20", "2023-09-09", kind="forum") == {"EU", "AU"}
    assert members_of("G20", "2023-09-08", kind="forum") == {"EU"}


def test_timestamps_are_read_by_their_utc_day():
    # the UK left at 23:00 UTC on 31 January 2020; day precision keeps it a member all that day
    stamps = pd.Series(pd.to_datetime(["2020-01-31 23:30", "2020-02-01 00:30"], utc=True))
    assert membership_status("GB", "EU", stamps).tolist() == ["member", "non_member"]
    moscow = pd.Series(pd.to_datetime(["2020-02-01 01:30"]).tz_localize("Europe/Moscow"))
    assert membership_status("GB", "EU", moscow).tolist() == ["member"]  # 2020-01-31 22:30 UTC
    mixed = [
        "2020-01-31",
        dt.date(2020, 2, 1),
        pd.Timestamp("2020-01-31"),
        np.datetime64("2020-02-01"),
        "2020-01-31T22:00:00-05:00",
    ]
    assert membership_status("GB", "EU", mixed).tolist() == [
        "member",
        "non_member",
        "member",
        "non_member",
        "non_member",
    ]


def test_arrays_of_datetimes_keep_their_dtype():
    days = np.array(["2020-01-31", "2020-02-01"], dtype="datetime64[ns]")
    assert membership_status("GB", "EU", days).tolist() == ["member", "non_member"]
    index = pd.DatetimeIndex(["2020-01-31 23:59", "2020-02-01 00:00"], tz="UTC")
    assert membership_status("GB", "EU", index).tolist() == ["member", "non_member"]
    assert membership_status("GB", "EU", pd.Timestamp("2020-02-01", tz="UTC")).tolist() == ["non_member"]


def test_undated_posts_are_unknown():
    dates = ["2024-01-01", None, np.nan, pd.NaT, "2024-01-02"]
    assert membership_status("FI", "NATO", dates).tolist() == ["member", "unknown", "unknown", "unknown", "member"]
    empty = pd.Series(pd.to_datetime([None, "2024-01-01"], utc=True))
    assert membership_status("FI", "NATO", empty).tolist() == ["unknown", "member"]


def test_imprecise_dates_are_unknown_until_the_last_day_of_their_period():
    # India: SCO observer from "2005" (year only), member from 2017-06-09
    days = ["2004-12-31", "2005-01-01", "2005-12-30", "2005-12-31", "2017-06-08", "2017-06-09"]
    assert membership_status("IN", "SCO", days).tolist() == [
        "non_member",
        "unknown",
        "unknown",
        "observer",
        "observer",
        "member",
    ]
    # Brunei joined ASEAN on 7 or 8 January 1984: the 8th is certain either way
    days = ["1984-01-06", "1984-01-07", "1984-01-08"]
    assert membership_status("BN", "ASEAN", days).tolist() == ["non_member", "unknown", "member"]
    # Azerbaijan left the CSTO in April 1999 (month only)
    days = ["1999-03-31", "1999-04-01", "1999-04-29", "1999-04-30"]
    assert membership_status("AZ", "CSTO", days).tolist() == ["member", "unknown", "unknown", "non_member"]
    # a shared imprecise boundary: Belarus, SCO dialogue partner until "2015", observer from it
    days = ["2014-12-31", "2015-06-01", "2015-12-31"]
    assert membership_status("BY", "SCO", days).tolist() == ["dialogue_partner", "unknown", "observer"]
    # a member whose start is imprecise is left out of the member set until it is certain
    assert "IN" not in members_of("SCO", "2005-06-01", statuses=("observer",))
    assert "IN" in members_of("SCO", "2005-12-31", statuses=("observer",))


def test_a_forum_without_membership_rows_is_unknown_not_non_member(table):
    assert not table.covers("OPEC")
    assert membership_status(["SA", "US"], "OPEC", "2024-01-01").tolist() == ["unknown"] * 2
    assert not table.covers("UN", "forum")
    assert membership_status("EU", "UN", "2024-01-01", kind="forum").tolist() == ["unknown"]


# --------------------------------------------------------------------------------------------
# the vectorised lookup against a plain reading of the file


def _bounds(text: str) -> tuple[dt.date, dt.date]:
    """The first and the last possible day of a date cell, written independently of the library."""

    def period(part: str) -> tuple[dt.date, dt.date]:
        pieces = [int(x) for x in part.split("-")]
        if len(pieces) == 3:
            return dt.date(*pieces), dt.date(*pieces)
        if len(pieces) == 2:
            start = dt.date(pieces[0], pieces[1], 1)
            following = dt.date(pieces[0] + pieces[1] // 12, pieces[1] % 12 + 1, 1)
            return start, following - dt.timedelta(days=1)
        return dt.date(pieces[0], 1, 1), dt.date(pieces[0], 12, 31)

    first_text, _, last_text = text.partition("/")
    return period(first_text)[0], period(last_text or first_text)[1]


def _reference_status(rows: list, covered: bool, day: dt.date) -> str:
    """The status read row by row: certain when every possible start is on or before the day
    and every possible end after it; unknown when only some are."""
    if not covered:
        return "unknown"
    maybe = False
    for row in rows:
        start_first, start_last = _bounds(row.start_date)
        end_first, end_last = _bounds(row.end_date) if row.end_date else (dt.date.max,) * 2
        if start_last <= day < end_first:
            return row.status
        maybe = maybe or start_first <= day < end_last
    return "unknown" if maybe else "non_member"


def test_the_vectorised_lookup_matches_a_row_by_row_reading(raw, table):
    rng = random.Random(20240704)
    pairs = list(raw[["member_kind", "member", "forum"]].drop_duplicates().itertuples(index=False))
    pairs += [("country", "US", "SCO"), ("country", "SA", "OPEC"), ("forum", "EU", "UN")]
    queries = []
    for _ in range(4000):
        kind, member, forum = rng.choice(pairs)
        day = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 31400))
        queries.append((kind, member, forum, day))
    # and every boundary of the file, with its neighbours
    for row in raw.itertuples():
        for text in (row.start_date, row.end_date):
            for part in filter(None, text.split("/")):
                pieces = [int(x) for x in part.split("-")] + [1, 1]
                base = dt.date(*pieces[:3])
                for shift in (-1, 0, 1):
                    queries.append((row.member_kind, row.member, row.forum, base + dt.timedelta(days=shift)))
    frame = pd.DataFrame(queries, columns=["kind", "member", "forum", "day"])
    got = membership_status(frame["member"], frame["forum"], frame["day"], kind=frame["kind"], memberships=table)
    by_pair: dict[tuple, list] = {}
    for row in raw.itertuples():
        by_pair.setdefault((row.member_kind, row.member, row.forum), []).append(row)
    covered = set(zip(raw["member_kind"], raw["forum"]))
    expected = [
        _reference_status(by_pair.get((kind, member, forum), []), (kind, forum) in covered, day)
        for kind, member, forum, day in queries
    ]
    mismatches = [(q, g, e) for q, g, e in zip(queries, got, expected) if g != e]
    assert not mismatches, mismatches[:5]
    assert {"member", "non_member", "unknown"} <= set(got)


def test_the_result_keeps_the_index_of_the_input_and_broadcasts_scalars():
    members = pd.Series(["FI", "SE", "RU"], index=[10, 20, 30])
    got = membership_status(members, "NATO", "2024-01-01")
    assert list(got.index) == [10, 20, 30]
    assert got.tolist() == ["member", "non_member", "non_member"]
    assert membership_status("FI", ["NATO", "EU", "SCO"], "2024-01-01").tolist() == ["member", "member", "non_member"]
    assert membership_status(["AU"] * 2, "G20", "2023-01-01", kind=["country", "forum"]).tolist() == [
        "member",
        "non_member",
    ]


def test_lookup_input_errors():
    with pytest.raises(RegistryError, match="different lengths"):
        membership_status(["FI", "SE"], ["NATO"] * 3, "2024-01-01")
    with pytest.raises(RegistryError, match=r"date 'soon' \(row 2\) is not a date"):
        membership_status(["FI", "SE"], "NATO", ["2024-01-01", "soon"])
    with pytest.raises(RegistryError, match="kind 'state' is not one of country, forum"):
        membership_status("FI", "NATO", "2024-01-01", kind="state")
    with pytest.raises(RegistryError, match="unknown status"):
        members_of("NATO", "2024-01-01", statuses=("ally",))
    with pytest.raises(RegistryError, match="needs a date"):
        members_of("NATO", None)
    with pytest.raises(RegistryError, match="kind 'state' is not one of country, forum"):
        members_of("NATO", "2024-01-01", kind="state")


# --------------------------------------------------------------------------------------------
# user files


def test_the_readme_example_extends_and_overrides(tmp_path, table):
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## `memberships.csv`") :]
    block = re.search(r"```csv\n(.*?)```", section, re.DOTALL).group(1)
    mine = load_memberships(write(tmp_path / "my_memberships.csv", block))
    days = ["2023-12-31", "2024-01-01"]
    assert membership_status("SA", "BRICS", days, memberships=mine).tolist() == ["non_member", "member"]
    assert membership_status("SA", "BRICS", days).tolist() == ["candidate", "candidate"]
    assert membership_status("AM", "CSTO", "2025-01-01", memberships=mine).tolist() == ["member"]
    assert membership_status("AF", "SCO", "2020-01-01", memberships=mine).tolist() == ["non_member"]
    assert mine.fingerprint() != table.fingerprint()
    assert load_memberships().fingerprint() == table.fingerprint()


def test_a_user_file_can_list_members_of_a_user_forum(tmp_path):
    aliases = (
        "kind,entity,alias,lang,case,use,action,name\n"
        "forum,CSTO_PA,ПА ОДКБ,ru,exact,text,add,CSTO Parliamentary Assembly\n"
    )
    reg = load_registry(write(tmp_path / "aliases.csv", aliases))
    path = write(tmp_path / "pa.csv", HEADER + "\nCSTO_PA,country,KZ,member,2006-11-16,,Convention of the CSTO PA,\n")
    mine = load_memberships(path, registry=reg)
    assert membership_status("KZ", "CSTO_PA", "2024-01-01", memberships=mine).tolist() == ["member"]
    with pytest.raises(RegistryError, match="unknown forum 'CSTO_PA'"):
        load_memberships(path)


@pytest.mark.parametrize(
    "body, problem",
    [
        ("NATO,country,XX,member,2020-01-01,,s,,\n", "line 2: unknown country code 'XX'"),
        (
            "NATO,country,RU,member,2020-01-01,,s,,\nNATO,country,RU,observer,2021-01-01,,s,,\n",
            "line 3: RU in NATO from 2021-01-01 overlaps",
        ),
        (
            "SCO,country,AF,,,,,,remove\nSCO,country,US,,,,,,remove\n",
            "line 3: nothing to remove: no country 'US' in SCO",
        ),
        ("NATO,country,RU,member,2020-01-01,,,,\n", "line 2: empty source"),
        ("NATO,country,RU,member,2020-01-01,,s,,drop\n", "line 2: action 'drop' is not one of set"),
    ],
)
def test_bad_user_files(tmp_path, body, problem):
    path = write(tmp_path / "mine.csv", HEADER + ",action\n" + body)
    with pytest.raises(RegistryError) as info:
        load_memberships(path)
    assert str(info.value).startswith(f"{path}: {problem}")


# --------------------------------------------------------------------------------------------
# a bad shipped file: one clear error naming the file, the line and the problem


@pytest.mark.parametrize(
    "row, problem",
    [
        ("NATO,country,XX,member,2020-01-01,,NATO page,", "unknown country code 'XX': not in countries.csv"),
        ("NAT0,country,FR,member,2020-01-01,,NATO page,", "unknown forum 'NAT0': not in forums.csv"),
        ("G20,forum,OPEC9,member,2020-01-01,,page,", "unknown forum 'OPEC9' as member"),
        ("G20,forum,G20,member,2020-01-01,,page,", "forum G20 cannot be its own member"),
        ("NATO,state,RU,member,2020-01-01,,page,", "member_kind 'state' is not one of country, forum"),
        ("NATO,country,RU,ally,2020-01-01,,page,", "status 'ally' is not one of member, observer"),
        ("NATO,country,RU,member,2023-13-01,,page,", "start_date '2023-13-01' is not a date"),
        ("NATO,country,RU,member,2023-02-30,,page,", "start_date '2023-02-30' is not a date"),
        ("NATO,country,RU,member,2023-01-01,01/02/2024,page,", "end_date '01/02/2024' is not a date"),
        ("NATO,country,RU,member,2023-05/2023-01,,page,", "start_date '2023-05/2023-01' is not a date"),
        ("NATO,country,RU,member,,,page,", "empty start_date"),
        (
            "NATO,country,RU,member,2023-01-01,2022-12-31,page,",
            "end_date 2022-12-31 is not after start_date 2023-01-01",
        ),
        (
            "NATO,country,RU,member,2023-01-01,2023-01-01,page,",
            "end_date 2023-01-01 is not after start_date 2023-01-01",
        ),
        ("NATO,country,RU,member,2023-01-01,,,", "empty source: every row must name its source"),
        ("NATO,country,RU,member,2023-01-01,,  ,", "empty source"),
        ("NATO,country,FI,partner,2024-01-01,,page,", "FI in NATO from 2024-01-01 overlaps the row at"),
        ("NATO,country,FI,partner,2010,2023-04,page,", "FI in NATO from 2010 overlaps the row at"),
        ("NATO,country,RU,member,2023-01-01,,page", "expected 8 fields, found 7"),
    ],
)
def test_a_bad_row_in_the_shipped_file_names_file_line_and_problem(tmp_path, row, problem):
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIR, folder)
    path = folder / "memberships.csv"
    path.write_text(path.read_text(encoding="utf-8") + row + "\n", encoding="utf-8")
    line = len(path.read_text(encoding="utf-8").splitlines())
    with pytest.raises(RegistryError) as info:
        load_memberships(data_dir=folder)
    message = str(info.value)
    assert message.startswith(f"{path}: line {line}: {problem}"), message


def test_an_imprecise_shared_boundary_is_allowed_but_other_overlaps_are_not(tmp_path):
    ok = write(tmp_path / "ok.csv", HEADER + "\nSCO,country,US,observer,2010,2015,s,\nSCO,country,US,member,2015,,s,\n")
    table = load_memberships(ok)
    assert membership_status("US", "SCO", ["2014-06-01", "2015-06-01", "2015-12-31"], memberships=table).tolist() == [
        "observer",
        "unknown",
        "member",
    ]
    bad = write(
        tmp_path / "bad.csv", HEADER + "\nSCO,country,US,observer,2010,2015,s,\nSCO,country,US,member,2015-06-01,,s,\n"
    )
    with pytest.raises(RegistryError, match="line 3: US in SCO from 2015-06-01 overlaps"):
        load_memberships(bad)


def test_a_missing_column_is_named(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIR, folder)
    path = folder / "memberships.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text(
        "\n".join(line.rsplit(",", 2)[0] if i == 0 else line for i, line in enumerate(lines[:1])) + "\n",
        encoding="utf-8",
    )
    with pytest.raises(RegistryError, match=r"line 1: missing column\(s\) source"):
        load_memberships(data_dir=folder)


def test_docstring_examples_run():
    import doctest

    from netanalysis.registry import memberships

    result = doctest.testmod(memberships)
    assert result.attempted >= 5 and result.failed == 0
