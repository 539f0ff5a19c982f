"""``netanalysis compare`` end to end on synthetic channels: calibration under the null, a planted
difference found, groupings (--by channel, input, forwarded_from, a column; --vs), files, errors."""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy import stats

from netanalysis.analysis.compare_stats import fisher_randomized_pvalues
from netanalysis.cli import cli

COUNTRIES = [
    "Brazil",
    "India",
    "Egypt",
    "Ethiopia",
    "Indonesia",
    "Argentina",
    "Mexico",
    "Nigeria",
    "Kenya",
    "Vietnam",
    "Thailand",
    "Malaysia",
    "Chile",
    "Peru",
    "Pakistan",
    "Kazakhstan",
    "Mongolia",
    "Algeria",
    "Morocco",
    "Ghana",
]
CODES = [
    "BR",
    "IN",
    "EG",
    "ET",
    "ID",
    "AR",
    "MX",
    "NG",
    "KE",
    "VN",
    "TH",
    "MY",
    "CL",
    "PE",
    "PK",
    "KZ",
    "MN",
    "DZ",
    "MA",
    "GH",
]
FORUMS = ["BRICS", "SCO", "G20", "ASEAN", "APEC"]


def pair_rates(rng: np.random.Generator) -> np.ndarray:
    """The chance that a post names each (country, forum) pair; one post names one pair or none."""
    weights = rng.gamma(0.7, size=len(COUNTRIES) * len(FORUMS))
    return 0.9 * weights / weights.sum()


def write_table(path, groups: dict[str, tuple[int, np.ndarray]], rng: np.random.Generator, *, column=None):
    """A CSV of posts: ``groups`` maps a channel to (number of posts, pair rates)."""
    rows, n = [], 0
    for channel, (count, rates) in groups.items():
        p = np.append(rates, 1 - rates.sum())
        picks = rng.choice(len(p), size=count, p=p)
        for pick in picks:
            n += 1
            if pick == len(rates):
                text = "The ministry wishes everyone a happy holiday."
            else:
                text = f"Talks with {COUNTRIES[pick // len(FORUMS)]} at the #{FORUMS[pick % len(FORUMS)]} meeting."
            day = f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}T10:00:00Z"
            row = {"id": n, "channel": channel, "date": day, "text": text}
            if column:
                row[column] = "ru" if n % 3 else "en"
            rows.append(row)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def compare(*args):
    result = CliRunner().invoke(cli, ["-q", "compare", *map(str, args), "--format", "png", "--permutations", "199"])
    return result


@pytest.fixture(scope="module")
def null_run(tmp_path_factory):
    """Two channels drawn from one distribution (1,500 posts each)."""
    folder = tmp_path_factory.mktemp("null")
    rng = np.random.default_rng(21)
    rates = pair_rates(rng)
    path = write_table(folder / "posts.csv", {"Ministry": (1500, rates), "Embassy": (1500, rates)}, rng)
    result = compare(path, "-o", folder / "out")
    assert result.exit_code == 0, result.output
    return folder / "out"


@pytest.fixture(scope="module")
def planted_run(tmp_path_factory):
    """The same, but the Embassy names Egypt with BRICS ten times as often (0.5% vs 5% of posts)."""
    folder = tmp_path_factory.mktemp("planted")
    rng = np.random.default_rng(22)
    rates = pair_rates(rng)
    planted = rates.copy()
    at = COUNTRIES.index("Egypt") * len(FORUMS) + FORUMS.index("BRICS")
    rates[at], planted[at] = 0.005, 0.05
    path = write_table(folder / "posts.csv", {"Ministry": (1500, rates), "Embassy": (1500, planted)}, rng)
    result = compare(path, "-o", folder / "out")
    assert result.exit_code == 0, result.output
    return folder / "out"


def test_same_distribution_gives_uniform_edge_pvalues(null_run):
    """The randomised Fisher p-value of every edge (from compare_edges.csv's counts) is uniform;
    the p-values compare writes are conservative and no edge is called significant."""
    edges = pd.read_csv(null_run / "compare_edges.csv")
    assert len(edges) > 60 and len(set(zip(edges["group"], edges["versus"]))) == 1
    assert {edges["group"].iloc[0], edges["versus"].iloc[0]} == {"Ministry", "Embassy"}
    units = edges[["units", "units_versus"]].drop_duplicates()
    assert len(units) == 1
    u = np.random.default_rng(5).random(len(edges))
    randomized = fisher_randomized_pvalues(
        edges["posts"], edges["posts_versus"], units_a=int(units.iloc[0, 0]), units_b=int(units.iloc[0, 1]), u=u
    )
    assert stats.kstest(randomized, "uniform").pvalue > 0.01
    raw = edges["p_value"].to_numpy()
    for level in (0.05, 0.1, 0.5):
        assert np.mean(raw <= level) <= level + 3 * math.sqrt(level * (1 - level) / len(raw))
    assert edges["significant"].sum() <= 1
    tests = pd.read_csv(null_run / "compare_tests.csv")
    assert (tests["p_value"] > 0.01).all()


def test_a_planted_difference_in_one_edge_is_found(planted_run):
    edges = pd.read_csv(planted_run / "compare_edges.csv", keep_default_na=False)
    row = edges[(edges["country"] == "EG") & (edges["forum"] == "BRICS")].iloc[0]
    assert float(row["q_value"]) < 0.01 and row["over_used_by"] == "Embassy" and abs(float(row["z"])) > 2
    assert (float(row["z"]) > 0) == (row["group"] == "Embassy")
    assert edges.iloc[0][["country", "forum"]].tolist() == ["EG", "BRICS"]  # the most significant
    others = edges[(edges["country"] != "EG") | (edges["forum"] != "BRICS")]
    assert others["significant"].astype(str).eq("True").sum() <= 2
    nodes = pd.read_csv(planted_run / "compare_nodes.csv", keep_default_na=False)
    egypt = nodes[nodes["node"] == "country:EG"].iloc[0]
    assert egypt["over_used_by"] == "Embassy" and float(egypt["q_value"]) < 0.01
    tests = pd.read_csv(planted_run / "compare_tests.csv")
    assert tests.loc[tests["items"] == "edges", "p_value"].iloc[0] == pytest.approx(1 / 200)


def test_the_folder_holds_every_file_and_the_manifest_says_what_ran(planted_run):
    names = {p.relative_to(planted_run).as_posix() for p in planted_run.rglob("*") if p.is_file()}
    for name in (
        "compare_edges.csv",
        "compare_nodes.csv",
        "compare_groups.csv",
        "compare_agreement.csv",
        "compare_tests.csv",
        "compare_posts.csv",
        "groups/ministry/edges.csv",
        "groups/embassy/nodes.csv",
        "edges.csv",
        "ties.csv",
        "membership_shares.csv",
        "figures/compare_networks.png",
        "figures/compare_difference.png",
        "figures/compare_log_odds.png",
        "report.html",
        "manifest.json",
    ):
        assert name in names, name
    assert not [n for n in names if n.startswith(".netanalysis-")]  # staging swapped in whole
    manifest = json.loads((planted_run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["command"] == "compare" and manifest["parameters"]["permutations"] == 199
    info = manifest["counts"]["compare"]
    assert info["groups"] == {"Embassy": 1500, "Ministry": 1500} and info["contrasts"] == ["Embassy vs Ministry"]
    assert sorted(manifest["files"]) == sorted(names)
    ministry = pd.read_csv(planted_run / "groups/ministry/edges.csv")
    edges = pd.read_csv(planted_run / "compare_edges.csv")
    joined = edges.merge(ministry, on=["country", "forum"], how="left")
    # the group's own network counts the same posts the comparison does (unit = post)
    column = "posts_versus" if edges["group"].iloc[0] == "Embassy" else "posts"
    assert (joined["weight"].fillna(0).astype(int) == joined[column]).all()


def test_the_page_reports_the_comparison_and_its_methods(planted_run):
    page = (planted_run / "report.html").read_text(encoding="utf-8")
    for text in (
        "Comparing groups of posts",
        "Overall difference",
        "Edges that differ",
        "Do the groups rank alike?",
        "Ties to members and non-members",
        "Monroe, B. L., Colaresi, M. P., &amp; Quinn, K. M. (2008)",
        "Webber, W., Moffat, A., &amp; Zobel, J. (2010)",
        "Kendall, M. G. (1938)",
        "Kendall, M. G. (1945)",
        "Phipson, B., &amp; Smyth, G. K. (2010)",
        "Benjamini, Y., &amp; Hochberg, Y. (1995)",
        'src="figures/compare_difference.png"',
    ):
        assert text in page, text
    assert "<script" not in page
    groups = pd.read_csv(planted_run / "compare_groups.csv").set_index("group")
    # the holiday posts name nothing: they are posts (and units, all-units) but not posts naming
    assert (groups["units"] == groups["posts"]).all() and (groups["posts_naming"] < groups["posts"]).all()
    edges = pd.read_csv(planted_run / "compare_edges.csv")
    a, b = edges["group"].iloc[0], edges["versus"].iloc[0]
    assert f"Shares of {groups.loc[a, 'units']:,} posts ({a}) and {groups.loc[b, 'units']:,} ({b})" in page
    for n in groups["posts_naming"]:
        assert f'<td class="num">{n}</td>' in page
    assert '<td class="">Egypt</td><td class="">BRICS</td>' in page  # the planted edge, by name
    assert f'<td class="date">{groups["first_date"].iloc[0]}</td>' in page  # dates kept on one line


def test_the_same_run_gives_the_same_files(tmp_path):
    rng = np.random.default_rng(3)
    rates = pair_rates(rng)
    path = write_table(tmp_path / "p.csv", {"A": (300, rates), "B": (300, rates), "C": (200, rates)}, rng)
    outs = []
    for name in ("one", "two"):
        result = compare(path, "-o", tmp_path / name)
        assert result.exit_code == 0, result.output
        outs.append(tmp_path / name)
    for name in ("compare_edges.csv", "compare_nodes.csv", "compare_tests.csv", "compare_agreement.csv"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
    edges = pd.read_csv(outs[0] / "compare_edges.csv")
    assert sorted(set(edges["versus"])) == ["rest"] and sorted(set(edges["group"])) == ["A", "B", "C"]
    tests = pd.read_csv(outs[0] / "compare_tests.csv")
    assert "all groups" in set(tests["group"]) and set(tests["statistic"]) == {"weighted_jsd", "jsd"}
    agreement = pd.read_csv(outs[0] / "compare_agreement.csv")
    assert len(agreement) == 3 * 3  # three pairs, three kinds of item


def test_vs_compares_two_sets_of_inputs(tmp_path):
    rng = np.random.default_rng(4)
    rates = pair_rates(rng)
    a = write_table(tmp_path / "a.csv", {"X": (300, rates)}, rng)
    b = write_table(tmp_path / "b.csv", {"X": (200, rates)}, rng)
    result = compare(a, "-o", tmp_path / "out", "--vs", b, "--names", "Before,After")
    assert result.exit_code == 0, result.output
    groups = pd.read_csv(tmp_path / "out" / "compare_groups.csv")
    assert groups[["group", "posts"]].values.tolist() == [["Before", 300], ["After", 200]]
    posts = pd.read_csv(tmp_path / "out" / "compare_posts.csv")
    assert posts["group"].tolist() == ["Before"] * 300 + ["After"] * 200
    default = compare(a, "-o", tmp_path / "named", "--vs", b)
    assert default.exit_code == 0, default.output
    assert pd.read_csv(tmp_path / "named" / "compare_groups.csv")["group"].tolist() == ["a.csv", "b.csv"]


def test_by_input_column_and_forwarded_from(tmp_path):
    rng = np.random.default_rng(5)
    rates = pair_rates(rng)
    path = write_table(tmp_path / "p.csv", {"M": (300, rates), "E": (300, rates)}, rng, column="language")
    result = compare(path, "-o", tmp_path / "lang", "--by", "language")
    assert result.exit_code == 0, result.output
    assert sorted(pd.read_csv(tmp_path / "lang" / "compare_groups.csv")["group"]) == ["en", "ru"]
    other = write_table(tmp_path / "q.csv", {"M": (100, rates)}, rng)
    result = compare(path, other, "-o", tmp_path / "input", "--by", "input")
    assert result.exit_code == 0, result.output
    groups = pd.read_csv(tmp_path / "input" / "compare_groups.csv")
    assert groups[["group", "posts"]].values.tolist() == [["p.csv", 600], ["q.csv", 100]]


def test_by_forwarded_from_on_copied_text(tmp_path):
    blocks = []
    for i in range(60):  # title, body and the body's preview copy, as a client pastes them
        forum = "BRICS" if i % 2 else "SCO"
        post = f"Talks with {COUNTRIES[i % 7]} ({i % 28 + 1} May 2024)\nMet at the #{forum} summit {i}.\n"
        post += f"Met at the #{forum} summit {i}."
        blocks.append(("Forwarded from Russian MFA 🇷🇺\n" if i % 2 else "") + post)
    path = tmp_path / "embassy.txt"
    path.write_text("\n".join(blocks) + "\n", encoding="utf-8")
    result = compare(path, "-o", tmp_path / "out", "--by", "forwarded_from")
    assert result.exit_code == 0, result.output
    groups = pd.read_csv(tmp_path / "out" / "compare_groups.csv")
    assert sorted(groups[["group", "posts"]].values.tolist()) == [["(own posts)", 30], ["Russian MFA", 30]]
    nodes = pd.read_csv(tmp_path / "out" / "compare_nodes.csv", keep_default_na=False).set_index("node")
    assert nodes.loc["forum:BRICS", "over_used_by"] == "Russian MFA"
    assert nodes.loc["forum:SCO", "over_used_by"] == "(own posts)"


@pytest.mark.parametrize(
    "args, message, code",
    [
        ([], "Error: comparing needs at least two groups, found 1: X", 1),
        (["--by", "language"], "p.csv: no column 'language' (--by); the columns are: id, channel, date, text", 1),
        (["--by", "input", "--vs", "{other}"], "Error: by and vs do not go together", 2),
        (["--names", "A,B"], "Error: names are the two groups' names and go with vs", 2),
        (["--vs", "{path}"], "is among the inputs and the --vs inputs", 1),
        (["--permutations", "0"], "Error: permutations must be at least 1 for compare", 2),
    ],
)
def test_bad_requests_give_one_error_line(tmp_path, args, message, code):
    rng = np.random.default_rng(6)
    path = write_table(tmp_path / "p.csv", {"X": (50, pair_rates(rng))}, rng)
    other = write_table(tmp_path / "o.csv", {"Y": (50, pair_rates(rng))}, rng)
    args = [a.format(path=path, other=other) for a in args]
    result = CliRunner().invoke(cli, ["compare", str(path), "-o", str(tmp_path / "out"), *args])
    assert result.exit_code == code, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out" / "compare_edges.csv").exists()
