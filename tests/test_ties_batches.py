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


def test_an_edges_ties_in_tables_of_a_few_rows_make_the_same_files(sample_path, tmp_path, monkeypatch):
    """An edge's ties made into tables of 1 or 3 rows (an edge of a million posts is not one
    table) and batched as one or as many: the same ties.csv and membership_shares.csv."""
    from netanalysis.graph import membership

    report.run("report", [sample_path], tmp_path / "whole", Settings(jobs=1))
    for edge_rows, batch_rows in ((1, 1), (3, 1), (3, 50_000)):
        monkeypatch.setattr(membership, "EDGE_ROWS", edge_rows)
        monkeypatch.setattr(ties, "BATCH_ROWS", batch_rows)
        out = tmp_path / f"rows_{edge_rows}_{batch_rows}"
        report.run("report", [sample_path], out, Settings(jobs=1))
        for name in ("ties.csv", "membership_shares.csv"):
            assert (out / name).read_bytes() == (tmp_path / "whole" / name).read_bytes(), (edge_rows, name)


def test_an_edges_ties_come_in_tables_of_at_most_the_rows_asked_for(sample_path, tmp_path, monkeypatch):
    """With tables of at most 3 ties and no batching, no table written holds more than 3 ties,
    and some edge's ties took more than one table."""
    from netanalysis.graph import membership
    from netanalysis.io import csv as csv_module

    sizes: list[int] = []
    original = csv_module.write_csv_parts

    def spy(frames, path, columns, **options):
        def seen(frames):
            for frame in frames:
                sizes.append(len(frame))
                yield frame

        return original(seen(frames), path, columns, **options)

    monkeypatch.setattr(csv_module, "write_csv_parts", spy)
    monkeypatch.setattr(membership, "EDGE_ROWS", 3)
    monkeypatch.setattr(ties, "BATCH_ROWS", 1)
    report.run("report", [sample_path], tmp_path / "out", Settings(jobs=1))
    rows = pd.read_csv(tmp_path / "out" / "ties.csv")
    assert sizes and max(sizes) <= 3 and sum(sizes) == len(rows)
    assert len(sizes) > rows.groupby(["country", "forum"]).ngroups
