"""Extraction engines: a pool of processes and a Dask cluster give byte-identical output to one
core, read only a few chunks ahead of the results, keep input order, and fail with one clear
``Error:`` line when the cluster cannot be had."""

import io
import subprocess
import sys
import time
from pathlib import Path

import dask.distributed  # a test dependency (setup.cfg [test]): these tests must run in CI
import pandas as pd
import pytest
from click.testing import CliRunner

from netanalysis import parallel as batch
from netanalysis import parallel_dask
from netanalysis.cli import cli
from netanalysis.errors import ConfigError, NetanalysisError
from netanalysis.pipeline.work import ChunkExtractor
from netanalysis.registry import load_registry

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import bench  # noqa: E402  (scripts/bench.py: the seeded synthetic corpus)


def extract_chunks(chunks, work, **options):
    """The pool running the extraction work over chunks, results in input order."""
    return batch.map_ordered(work, chunks, **options)


POSTS = 600
SMALL_CHUNK = 50  # 12 chunks of the generated corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("engine") / "corpus.jsonl"
    bench.generate(path, POSTS, seed=7, target_bytes=600)
    return path


@pytest.fixture(scope="module")
def work() -> ChunkExtractor:
    return ChunkExtractor(load_registry())


@pytest.fixture(scope="module")
def cluster():
    """A local Dask cluster of two worker processes, reached by address (the ``--scheduler`` path)."""
    with dask.distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as local:
        yield local


def graph(args, out: Path) -> dict[str, bytes]:
    result = CliRunner().invoke(cli, ["graph", *args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    return files(out)


def files(folder: Path) -> dict[str, bytes]:
    found = {p.name: p.read_bytes() for p in folder.iterdir() if p.name != "manifest.json"}
    assert {"posts.csv", "mentions.csv", "edges.csv", "nodes.csv"} <= set(found)
    return found


def rows(n: int, start: int = 0, words: int = 1) -> list[tuple]:
    """``n`` rows as :func:`~netanalysis.pipeline.work.post_rows` gives them, numbered from ``start``;
    ``words`` sentences of sample text each (more: slower to extract)."""
    sentences = bench.sample_sentences()
    out = []
    for i in range(start, start + n):
        text = " ".join(sentences[(i + k) % len(sentences)] for k in range(words))
        text = bench.flag(bench.FLAGS[i % len(bench.FLAGS)]) + " " + text + " #BRICS"
        out.append((f"p{i}", "Synthetic, MFA", (1704067200 + i) * 1_000_000, "message", "corpus.jsonl", None, text))
    return out


class Spy:
    """Counts what a wrapped generator function is called with and yields."""

    def __init__(self, func):
        self.func, self.calls, self.items = func, 0, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        for item in self.func(*args, **kwargs):
            self.items += 1
            yield item


# -- same output on every engine -------------------------------------------------------------


@pytest.mark.parametrize("unit", ["post", "sentence"])
def test_process_pool_gives_the_same_files_as_one_core(corpus, tmp_path, monkeypatch, unit):
    args = [str(corpus), "--unit", unit]
    whole = graph([*args, "--jobs", "1"], tmp_path / "whole")  # one chunk of 2000
    monkeypatch.setattr(batch, "CHUNK", SMALL_CHUNK)
    pools = []

    class SpyPool(batch.ProcessPoolExecutor):
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            self.submitted = 0
            pools.append(self)

        def submit(self, *a, **kw):
            self.submitted += 1
            return super().submit(*a, **kw)

    monkeypatch.setattr(batch, "ProcessPoolExecutor", SpyPool)
    one = graph([*args, "--jobs", "1"], tmp_path / "one")
    assert pools == []  # one core: no pool
    two = graph([*args, "--jobs", "2"], tmp_path / "two")
    assert len(pools) == 1 and pools[0].submitted == POSTS // SMALL_CHUNK
    assert two == one == whole
    assert len(pd.read_csv(io.BytesIO(two["posts.csv"]))) == POSTS
    assert len(pd.read_csv(io.BytesIO(two["edges.csv"]))) > 10


def test_dask_local_cluster_gives_the_same_files_as_one_core(corpus, tmp_path, monkeypatch, capfd):
    monkeypatch.setattr(batch, "CHUNK", SMALL_CHUNK)
    spy = Spy(parallel_dask.dask_map)
    monkeypatch.setattr(parallel_dask, "dask_map", spy)
    one = graph([str(corpus), "--jobs", "1"], tmp_path / "one")
    assert spy.calls == 0
    result = CliRunner().invoke(
        cli, ["graph", str(corpus), "-o", str(tmp_path / "dask"), "--engine", "dask", "--jobs", "2"]
    )
    assert result.exit_code == 0, result.output
    assert spy.calls == 1 and spy.items == POSTS // SMALL_CHUNK
    assert files(tmp_path / "dask") == one
    # nothing from dask on stderr (this process's or its workers'): only netanalysis's summary
    noise = [
        line
        for line in (result.stderr + capfd.readouterr().err).splitlines()
        if line and not line.startswith(("Read ", "Wrote "))
    ]
    assert noise == []


def test_dask_scheduler_by_address_gives_the_same_chunks(cluster, work):
    chunks = [rows(7, start=7 * i) for i in range(9)]
    local = [work(chunk) for chunk in chunks]
    remote = list(extract_chunks(chunks, work, engine="dask", scheduler=cluster.scheduler_address))
    assert [(c.posts, c.posts_csv, c.mentions_csv, c.kinds) for c in remote] == [
        (c.posts, c.posts_csv, c.mentions_csv, c.kinds) for c in local
    ]
    for a, b in zip(remote, local):
        assert (a.batch.post == b.batch.post).all() and (a.batch.entity == b.batch.entity).all()
        assert a.batch.post_ids.equals(b.batch.post_ids) and (a.batch.dates == b.batch.dates).all()


# -- errors ------------------------------------------------------------------------------------


def test_unreachable_scheduler_is_one_error_line(tmp_path, sample_path, monkeypatch):
    monkeypatch.setattr(parallel_dask, "_CONNECT_TIMEOUT", "1s")
    started = time.monotonic()
    result = CliRunner().invoke(
        cli,
        [
            "graph",
            str(sample_path),
            "-o",
            str(tmp_path / "out"),
            "--engine",
            "dask",
            "--scheduler",
            "tcp://127.0.0.1:1",
        ],
    )
    assert time.monotonic() - started < 8
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "tcp://127.0.0.1:1" in errors[0] and "scheduler" in errors[0]
    assert "Traceback" not in result.output and "Usage:" not in result.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_unreachable_scheduler_in_the_library(work):
    with pytest.raises(NetanalysisError, match="tcp://127.0.0.1:1"):
        list(parallel_dask.dask_map(work, iter([rows(2)]), 1, "tcp://127.0.0.1:1", timeout="1s"))


def test_scheduler_without_dask_engine_is_an_option_error(tmp_path, sample_path):
    result = CliRunner().invoke(
        cli, ["graph", str(sample_path), "-o", str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:1"]
    )
    # an inconsistent option: a usage error (exit code 2, like every option error of the CLI)
    assert result.exit_code == 2, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "scheduler" in errors[0] and "dask" in errors[0]
    assert "Traceback" not in result.output
    with pytest.raises(ConfigError, match="--engine dask"):
        list(extract_chunks([], None, scheduler="tcp://127.0.0.1:1"))


def test_missing_dask_names_the_extra(monkeypatch, work):
    monkeypatch.setitem(sys.modules, "dask", None)
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    with pytest.raises(ConfigError, match=r"pip install 'netanalysis\[dask\]'"):
        list(extract_chunks([rows(3)], work, engine="dask"))


def test_importing_netanalysis_does_not_import_dask(sample_path, tmp_path):
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "import netanalysis, netanalysis.pipeline, netanalysis.pipeline.work\n"
        "from netanalysis.cli import cli\n"
        f"r = CliRunner().invoke(cli, ['-q', 'graph', {str(sample_path)!r}, '-o', {str(tmp_path / 'o')!r}])\n"
        "assert r.exit_code == 0, r.output\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


# -- bounded read-ahead and order ----------------------------------------------------------------


def read_ahead(chunks: list, run) -> tuple[list, list[int]]:
    """Results of ``run(generator)`` and, at each result, how many chunks had been read."""
    read = 0

    def source():
        nonlocal read
        for chunk in chunks:
            read += 1
            yield chunk

    results, seen = [], []
    for result in run(source()):
        results.append(result)
        seen.append(read)
    return results, seen


def test_process_pool_reads_only_a_few_chunks_ahead(work):
    chunks = [rows(5, start=5 * i) for i in range(40)]
    results, seen = read_ahead(chunks, lambda source: extract_chunks(source, work, jobs=2))
    limit = batch._IN_FLIGHT * 2
    assert 2 <= seen[0] <= limit + 1  # the pool got several chunks, not all 40
    assert all(read - done <= limit + 1 for done, read in enumerate(seen, 1))
    assert [r.posts_csv for r in results] == [work(c).posts_csv for c in chunks]


def test_dask_reads_only_a_few_chunks_ahead(work, cluster):
    chunks = [rows(3, start=3 * i) for i in range(30)]
    results, seen = read_ahead(
        chunks, lambda source: extract_chunks(source, work, engine="dask", scheduler=cluster.scheduler_address)
    )
    limit = batch._IN_FLIGHT * len(cluster.workers)
    assert 2 <= seen[0] <= limit + 1
    assert all(read - done <= limit + 1 for done, read in enumerate(seen, 1))
    assert [r.posts_csv for r in results] == [work(c).posts_csv for c in chunks]


@pytest.mark.parametrize("engine", ["processes", "dask"])
def test_results_keep_input_order_when_early_chunks_are_slow(work, cluster, engine):
    # a big, slow first chunk, then small quick ones: a pool returning results as they finish
    # would give the small ones first
    chunks = [rows(1500, words=6), *(rows(2, start=10_000 + 2 * i) for i in range(12))]
    scheduler = cluster.scheduler_address if engine == "dask" else None
    got = list(extract_chunks(chunks, work, jobs=2, engine=engine, scheduler=scheduler))
    assert [c.posts for c in got] == [len(c) for c in chunks]
    assert [c.posts_csv for c in got] == [work(c).posts_csv for c in chunks]
    assert got[0].posts_csv.startswith(b"p0,")


def test_chunked_reads_the_chunk_size_at_call_time(monkeypatch):
    monkeypatch.setattr(batch, "CHUNK", 4)
    assert [len(c) for c in batch.chunked(range(10))] == [4, 4, 2]
    assert [len(c) for c in batch.chunked(range(10), 5)] == [5, 5]


def test_a_scheduler_without_workers_is_an_error_not_a_hang():
    with dask.distributed.LocalCluster(n_workers=0, dashboard_address=":0") as empty:
        started = time.monotonic()
        with pytest.raises(NetanalysisError, match="has no workers"):
            list(
                parallel_dask.dask_map(
                    ChunkExtractor(load_registry()), iter([rows(2)]), 1, empty.scheduler_address, timeout="1s"
                )
            )
        assert time.monotonic() - started < 10


def test_workers_of_another_netanalysis_version_are_refused():
    class Client:  # what _check_workers asks of a dask client
        def wait_for_workers(self, n, timeout):
            pass

        def run(self, func):
            return {"tcp://10.0.0.5:4000": parallel_dask._netanalysis_version(), "tcp://10.0.0.6:4000": "0.0.1"}

    with pytest.raises(NetanalysisError, match="workers run netanalysis 0.0.1"):
        parallel_dask._check_workers(Client(), "tcp://10.0.0.1:8786", "1s")
