"""Every failure is one Error: line and exit code 1, the traceback only with -v: a full disk, an
unwritable folder, a killed or stuck worker, a study file that is not UTF-8 or nested too deep,
a damaged cache entry; --jobs is bounded; and whatever fails, the folder keeps what it held."""

import errno
import json
import logging
import os
import signal
import time

import pytest
from click.testing import CliRunner

import netanalysis.parallel
from netanalysis.cli import cli
from netanalysis.io import outdir
from netanalysis.pipeline import runner as pipeline_runner
from netanalysis.pipeline.work import ChunkExtractor


def invoke(*args):
    return CliRunner().invoke(cli, [*map(str, args)])


def last_line(result):
    return result.output.strip().splitlines()[-1]


def clean(folder):
    """What the folder holds besides the earlier run's files (nothing, after a failure)."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".netanalysis"))


@pytest.fixture
def earlier(tmp_path, sample_path):
    out = tmp_path / "out"
    assert invoke("-q", "parse", sample_path, "-o", out).exit_code == 0
    return out, {p.name: p.read_bytes() for p in out.iterdir()}


def assert_kept(out, files):
    assert {p.name: p.read_bytes() for p in out.iterdir()} == files
    assert clean(out) == []


def test_a_full_disk(earlier, sample_path, monkeypatch):
    out, files = earlier
    import netanalysis.io.csv as csv_module

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(out / "nodes.csv"))

    monkeypatch.setattr(csv_module, "write_csv", full)
    result = invoke("-q", "graph", sample_path, "-o", out)
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: {out}: the run stopped: no space left on the device ({out / 'nodes.csv'}): free some space "
        "and run again; the folder keeps what it held"
    )
    assert_kept(out, files)
    verbose = invoke("-v", "-q", "graph", sample_path, "-o", out)
    assert "Traceback" in verbose.output and last_line(verbose) == result.output.strip()


def test_a_folder_that_cannot_be_written(tmp_path, sample_path, monkeypatch):
    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "out"))

    monkeypatch.setattr(outdir.tempfile, "mkdtemp", denied)
    result = invoke("-q", "parse", sample_path, "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: {tmp_path / 'out'}: cannot write into the output folder: permission denied "
        f"({tmp_path / 'out'}): choose a folder you can write to (-o)"
    )
    assert clean(tmp_path / "out") == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder(tmp_path, sample_path):
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o555)
    try:
        result = invoke("-q", "parse", sample_path, "-o", out)
    finally:
        out.chmod(0o755)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "cannot write into the output folder: permission denied" in result.output


def _in_a_worker(test_pid):
    return os.getpid() != test_pid


def test_a_killed_worker(earlier, sample_path, monkeypatch):
    out, files = earlier
    monkeypatch.setattr(netanalysis.parallel, "CHUNK", 3)
    test_pid = os.getpid()
    real = ChunkExtractor.__call__

    def dies(self, rows):
        if _in_a_worker(test_pid):
            os.kill(os.getpid(), signal.SIGKILL)
        return real(self, rows)

    monkeypatch.setattr(ChunkExtractor, "__call__", dies)
    result = invoke("-q", "graph", sample_path, "-o", out, "--jobs", "2")
    assert result.exit_code == 1
    line = last_line(result)
    assert line.startswith("Error: a worker process was killed by SIGKILL (the system's out-of-memory killer")
    assert "Traceback" not in result.output
    assert_kept(out, files)


def test_a_stuck_worker_is_stopped_after_the_timeout(earlier, sample_path, monkeypatch):
    out, files = earlier
    monkeypatch.setattr(netanalysis.parallel, "CHUNK", 3)
    test_pid = os.getpid()
    real = ChunkExtractor.__call__

    def hangs(self, rows):
        if _in_a_worker(test_pid):
            time.sleep(60)
        return real(self, rows)

    monkeypatch.setattr(ChunkExtractor, "__call__", hangs)
    began = time.monotonic()
    result = invoke("-q", "graph", sample_path, "-o", out, "--jobs", "2", "--worker-timeout", "1")
    assert time.monotonic() - began < 30
    assert result.exit_code == 1
    assert last_line(result) == (
        "Error: a worker process gave no result for 1 s on posts from mfa_channel_sample.txt:1 and was stopped "
        "(a longer limit: --worker-timeout SECONDS, 0 for none)"
    )
    assert_kept(out, files)


def test_a_study_file_that_is_not_utf8(tmp_path, sample_path):
    config = tmp_path / "study.toml"
    config.write_bytes(b'exclude = ["RU"]\nchannel = "\xcf\xf0\xe8\xe2\xe5\xf2"\n')  # (cp1251)
    result = invoke("parse", sample_path, "-o", tmp_path / "o", "--config", config)
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {config}: line 2: not UTF-8 text (a study file is UTF-8 TOML)"


def test_a_study_file_nested_too_deeply(tmp_path, sample_path):
    config = tmp_path / "study.toml"
    config.write_text("exclude = " + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
    result = invoke("parse", sample_path, "-o", tmp_path / "o", "--config", config)
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {config}: not valid TOML (nested too deeply)"


def test_a_damaged_cache_entry_is_rebuilt(tmp_path, sample_path, caplog):
    cache = tmp_path / "cache"
    first, second = tmp_path / "a", tmp_path / "b"
    assert invoke("-q", "graph", sample_path, "-o", first, "--cache", "--cache-dir", cache).exit_code == 0
    (entry,) = cache.iterdir()
    (entry / "links.parquet").write_bytes(b"PAR1 not really")
    result = invoke("graph", sample_path, "-o", second, "--cache", "--cache-dir", cache)
    assert result.exit_code == 0, result.output
    assert f"the cache entry {entry} cannot be read (" in result.output and "it is removed and rebuilt" in result.output
    assert json.loads((second / "manifest.json").read_text())["counts"]["mentions_cache"] == "stored"
    for name in ("posts.csv", "mentions.csv", "edges.csv", "nodes.csv"):
        assert (first / name).read_bytes() == (second / name).read_bytes()
    third = tmp_path / "c"
    assert invoke("-q", "graph", sample_path, "-o", third, "--cache", "--cache-dir", cache).exit_code == 0
    assert json.loads((third / "manifest.json").read_text())["counts"]["mentions_cache"] == "hit"


@pytest.mark.parametrize(
    "shift, said", [(1, "its posts count more links than it holds"), (-1, "it holds more links than its posts count")]
)
def test_a_cache_entry_whose_posts_link_counts_disagree_with_its_links_is_rebuilt(tmp_path, sample_path, shift, said):
    # (each post's number of links is kept beside the posts; the links come post by post)
    import pyarrow as pa
    import pyarrow.parquet as pq

    cache = tmp_path / "cache"
    first, second = tmp_path / "a", tmp_path / "b"
    assert invoke("-q", "graph", sample_path, "-o", first, "--cache", "--cache-dir", cache).exit_code == 0
    (entry,) = cache.iterdir()
    posts = pq.read_table(entry / "posts.parquet")
    counts = posts.column("__links").to_numpy().copy()
    counts[int(counts.argmax())] += shift
    at = posts.column_names.index("__links")
    pq.write_table(posts.set_column(at, "__links", pa.array(counts)), entry / "posts.parquet")
    result = invoke("graph", sample_path, "-o", second, "--cache", "--cache-dir", cache)
    assert result.exit_code == 0, result.output
    assert f"the cache entry {entry} cannot be read (ValueError: {said})" in result.output
    for name in ("edges.csv", "nodes.csv"):
        assert (first / name).read_bytes() == (second / name).read_bytes()


def test_the_cache_holds_no_pickles_and_lives_where_the_user_says(tmp_path, sample_path, monkeypatch):
    monkeypatch.delenv("NETANALYSIS_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
    assert invoke("-q", "explore", sample_path, "-o", tmp_path / "o", "--cache").exit_code == 0
    (entry,) = (tmp_path / "xdg" / "netanalysis").iterdir()
    assert sorted(p.name for p in entry.iterdir()) == [
        "blocks.json",
        "complete",
        "corpus.json",
        "links.parquet",
        "mentions.csv",
        "posts.csv",
        "posts.parquet",
    ]
    assert not (tmp_path / ".netanalysis-cache").exists()
    for path in entry.iterdir():
        assert b"\x80\x04\x95" not in path.read_bytes()[:16]  # (no pickle header)


def test_absurd_jobs_are_bounded(tmp_path, sample_path, caplog):
    with caplog.at_level(logging.WARNING):
        assert netanalysis.parallel.worker_count(100_000) == max(8, 4 * (os.cpu_count() or 1))
    assert "100000 worker processes asked for" in caplog.text
    result = invoke("-q", "parse", sample_path, "-o", tmp_path / "o", "--jobs", "100000")
    assert result.exit_code == 0


def test_an_unforeseen_failure_is_still_one_line(earlier, sample_path, monkeypatch):
    out, files = earlier

    def boom(state, result, staging):
        raise ValueError("boom")

    monkeypatch.setitem(pipeline_runner.STAGES, pipeline_runner.Stage.GRAPH, boom)
    result = invoke("-q", "graph", sample_path, "-o", out)
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: internal error (ValueError: boom); run with -v for the details and please report it"
    )
    assert_kept(out, files)


def _stopped_inside_an_import(state, result, staging):
    """A stop that reaches the run while Python initialises a compiled module: the module's
    initialisation fails and the import raises its own error, not the stop (seen in a run
    stopped by SIGTERM: 'internal error (ImportError: initialization failed)')."""
    from netanalysis.errors import Interrupted

    try:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # (the handler raises here at the latest)
    except Interrupted:
        raise ImportError("initialization failed") from None
    raise AssertionError("the signal did not stop the run")


def _interrupted(state, result, staging):
    raise KeyboardInterrupt


@pytest.mark.parametrize(
    ("stage", "name"),
    [(_interrupted, "SIGINT"), (_stopped_inside_an_import, "SIGTERM")],
    ids=["interrupted in process", "a stop that comes out of an import as its error"],
)
def test_a_stopped_run_says_by_what_and_keeps_the_folder(earlier, sample_path, monkeypatch, stage, name):
    out, files = earlier
    monkeypatch.setitem(pipeline_runner.STAGES, pipeline_runner.Stage.GRAPH, stage)
    result = invoke("-q", "graph", sample_path, "-o", out)
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: stopped by {name}; the output folder keeps what it held"
    assert_kept(out, files)


def test_the_library_raises_the_stop_not_the_error_that_carried_it(earlier, sample_path, monkeypatch):
    from netanalysis.errors import Interrupted
    from netanalysis.pipeline.failures import stop_on_signals

    out, files = earlier
    monkeypatch.setitem(pipeline_runner.STAGES, pipeline_runner.Stage.GRAPH, _stopped_inside_an_import)
    with stop_on_signals(), pytest.raises(Interrupted, match="stopped by SIGTERM") as caught:
        pipeline_runner.run("graph", [sample_path], out)
    assert isinstance(caught.value.__context__, ImportError)  # (what carried it is kept for -v)
    assert_kept(out, files)


def test_an_error_with_no_stop_behind_it_stays_that_error(earlier, sample_path, monkeypatch):
    from netanalysis.errors import stop_behind

    error = ImportError("initialization failed")
    assert stop_behind(error) is error
    out, files = earlier

    def fails(state, result, staging):
        raise error

    monkeypatch.setitem(pipeline_runner.STAGES, pipeline_runner.Stage.GRAPH, fails)
    result = invoke("-q", "graph", sample_path, "-o", out)
    assert last_line(result) == (
        "Error: internal error (ImportError: initialization failed); run with -v for the details and please report it"
    )


def test_a_librarys_warning_after_a_stop_is_not_printed_and_the_filters_come_back():
    # a stop raised inside an import may come out as an ImportError that a library turns into a
    # warning (matplotlib's "Unable to import Axes3D"): once the run is stopping, its one
    # "Error:" line is all it prints; the warning filters are as they were once it has ended
    import warnings

    from netanalysis.errors import Interrupted, stops_held
    from netanalysis.pipeline.failures import stop_on_signals

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        warnings.warn("before the stop")
        with pytest.raises(Interrupted, match="stopped by SIGTERM"):
            with stop_on_signals(), stops_held():
                os.kill(os.getpid(), signal.SIGTERM)
                warnings.warn("a library's warning while the run stops")
        warnings.warn("after the run")
    assert [str(w.message) for w in seen] == ["before the stop", "after the run"]
