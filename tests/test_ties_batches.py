"""ties.csv and membership_shares.csv are written and tallied in batches of ties, not per edge."""

import pandas as pd

from netanalysis import pipeline as report
from netanalysis.config import Settings
from netanalysis.pipeline import ties


def test_batches_keep_every_row_in_order_in_tables_of_at_least_the_size():
    parts = [pd.DataFrame({"a": range(start, start + n)}) for start, n in ((0, 3), (3, 1), (4, 4), (8, 2))]
    joined = list(ties.batches(parts, rows=4))
    assert [len(t) for t in joined] == [4, 4, 2]
    assert pd.concat(joined)["a"].tolist() == list(range(10))
    assert list(ties.batches([], rows=4)) == []


def test_ties_files_are_those_of_one_table_per_edge(sample_path, tmp_path, monkeypatch):
    report.run("report", [sample_path], tmp_path / "batched", Settings(jobs=1))
    monkeypatch.setattr(ties, "BATCH_ROWS", 1)  # a table per edge, as the ties were written before
    report.run("report", [sample_path], tmp_path / "per_edge", Settings(jobs=1))
    for name in ("ties.csv", "membership_shares.csv"):
        batched, per_edge = (tmp_path / run / name for run in ("batched", "per_edge"))
        assert batched.read_bytes() == per_edge.read_bytes(), name
    assert len(pd.read_csv(tmp_path / "batched" / "ties.csv")) > 100
