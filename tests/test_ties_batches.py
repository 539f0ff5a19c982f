"""ties.csv and membership_shares.csv are written and tallied in blocks of ties, not per edge:
the files do not depend on the block size, and are those of the ties as tables."""

import pandas as pd

from netanalysis import pipeline as report
from netanalysis.config import Settings
from netanalysis.graph import membership


def test_ties_files_do_not_depend_on_the_block_size(sample_path, tmp_path, monkeypatch):
    """Blocks of 1 or 3 ties (an edge's ties in many blocks) or of the default size: the same
    ties.csv and membership_shares.csv."""
    report.run("report", [sample_path], tmp_path / "whole", Settings(jobs=1))
    assert len(pd.read_csv(tmp_path / "whole" / "ties.csv")) > 100
    for rows in (1, 3):
        monkeypatch.setattr(membership, "TIE_ROWS", rows)
        out = tmp_path / f"rows_{rows}"
        report.run("report", [sample_path], out, Settings(jobs=1))
        for name in ("ties.csv", "membership_shares.csv"):
            assert (out / name).read_bytes() == (tmp_path / "whole" / name).read_bytes(), (rows, name)


def test_ties_csv_is_the_ties_as_tables_written_by_pandas(sample_path, tmp_path):
    """The report's ties.csv and membership shares are those of :func:`edge_post_statuses`'
    tables (the library's view of the ties) joined, written and counted by pandas."""
    from netanalysis.io.csv import write_csv

    for safe in (True, False):
        out = tmp_path / f"safe_{safe}"
        state = report.run("report", [sample_path], out, Settings(jobs=1, safe_csv=safe, formats=("png",))).state
        frames = list(membership.edge_post_statuses(state.graph, state.post_days, state.memberships, rows=7))
        assert max(len(f) for f in frames) <= 7
        ties = pd.concat(frames, ignore_index=True)
        write_csv(ties, tmp_path / "pandas.csv", safe=safe)  # (pandas' writer, the rule by safe_frame)
        assert (out / "ties.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()
        counted = ties.assign(date=ties["date"].str[:4]).groupby(["forum", "date", "status"]).size().rename("n")
        shares = pd.concat(
            [membership.outsider_shares(counted.reset_index(), freq=f) for f in ("year", "all")], ignore_index=True
        )
        pd.testing.assert_frame_equal(state.outsiders.reset_index(drop=True), shares, check_dtype=False)
