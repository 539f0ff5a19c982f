"""A post longer than a slice (:data:`netanalysis.pipeline.work.SLICE_CHARS`) is searched a slice
at a time, so that a 50 MB post does not hold millions of mention tuples at once: the files are
the same as when it is searched whole."""

import csv

import pytest
from click.testing import CliRunner

import netanalysis.pipeline.work as work
from netanalysis.cli import cli

PARAGRAPH = (
    "Lavrov met Wang Yi in Beijing: Russia and China at the #BRICS summit. "
    "India and Brazil spoke at the SCO. Next, the G20 in South Africa.\n\n"
)


@pytest.mark.parametrize("unit", ["post", "sentence"])
def test_a_long_post_searched_in_slices_gives_the_same_files(tmp_path, monkeypatch, unit):
    path = tmp_path / "long.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["id", "date", "text"])
        out.writerow(["1", "2024-01-10T00:00:00Z", PARAGRAPH * 300])
        out.writerow(["2", "2024-02-10T00:00:00Z", "India at the #SCO with China"])
    runs = {}
    slices = []
    real = work.text_slices
    monkeypatch.setattr(work, "text_slices", lambda *a: slices.append(list(real(*a))) or slices[-1])
    for label, size in (("whole", work.SLICE_CHARS), ("slices", 1000)):
        monkeypatch.setattr(work, "SLICE_CHARS", size)
        folder = tmp_path / label
        result = CliRunner().invoke(cli, ["graph", str(path), "-o", str(folder), "--unit", unit, "--jobs", "1"])
        assert result.exit_code == 0, result.output
        runs[label] = {name: (folder / name).read_bytes() for name in ("mentions.csv", "edges.csv", "posts.csv")}
    assert slices and len(slices[-1]) > 20  # (the second run cut the long post into many slices)
    assert runs["slices"] == runs["whole"]
    assert runs["whole"]["mentions.csv"].count(b"\n") > 300 * 6
