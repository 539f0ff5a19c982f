"""Fresh workers (``fresh=True``): started from a small server process, not forked from this one,
they get the work through a file, give the same results, and leave no file behind."""

import glob
import os
import pickle
import tempfile

import numpy as np
import pyarrow as pa
import pytest

from netanalysis import memory
from netanalysis.analysis.window_source import BatchSource
from netanalysis.graph import Batch
from netanalysis.parallel import map_ordered, start_ordered
from netanalysis.parallel_fresh import read_work, write_work

#: Set in this process by a test; a forked worker would see it, a fresh one imports this module anew.
MARK = "as imported"


class Work:
    """Sums of an array's slices, with what the worker is."""

    def __init__(self, values):
        self.values = values

    def __call__(self, k):
        return k, int(self.values[k::4].sum()), MARK, os.getpid(), _rss_mb()


def _rss_mb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024


def _left_files():
    return set(glob.glob(os.path.join(tempfile.gettempdir(), "netanalysis-work-*")))


def test_a_work_round_trips_through_its_file_with_its_arrays_writable(tmp_path):
    values = np.arange(1_000_003, dtype=np.int64)
    bools = np.arange(77) % 3 == 0
    path = write_work({"values": values, "bools": bools, "name": "x", "small": np.int16([1, 2])})
    try:
        back = read_work(path)
        assert np.array_equal(back["values"], values) and back["values"].dtype == np.int64
        assert np.array_equal(back["bools"], bools) and back["name"] == "x"
        back["values"][0] = -1  # (its own memory: the worker may write to it)
        assert values[0] == 0
        assert back["values"].ctypes.data % 64 == 0
        # out of band: the file holds each array once, not a pickle of it as well
        assert os.path.getsize(path) < values.nbytes + 4096
        with open(path, "rb") as file:  # (the pickle itself is small: the arrays are not in it)
            assert int.from_bytes(file.read(8), "little") < 4096
    finally:
        os.unlink(path)


def test_a_truncated_file_is_an_error(tmp_path):
    path = write_work(np.arange(10_000))
    try:
        with open(path, "r+b") as file:
            file.truncate(os.path.getsize(path) - 100)
        with pytest.raises(EOFError, match="ends early"):
            read_work(path)
    finally:
        os.unlink(path)


def test_fresh_workers_give_the_same_results_and_are_not_forks_of_this_process(monkeypatch):
    monkeypatch.setattr(__import__(__name__), "MARK", "set here")
    values = np.arange(100_000, dtype=np.int64)
    before = _left_files()
    here = [r[:2] for r in map_ordered(Work(values), range(4), jobs=1)]
    forked = list(map_ordered(Work(values), range(4), jobs=2))
    fresh = list(map_ordered(Work(values), range(4), jobs=2, fresh=True))
    assert [r[:2] for r in forked] == here == [r[:2] for r in fresh]
    assert {r[2] for r in forked} == {"set here"}  # (the check can tell a fork)
    assert {r[2] for r in fresh} == {"as imported"}
    assert all(r[3] != os.getpid() for r in fresh)
    assert _left_files() == before


def test_a_fresh_worker_does_not_hold_this_process_memory():
    held = np.ones(300 * 2**20 // 8)  # 300 MB resident here
    values = np.arange(10, dtype=np.int64)
    forked = list(map_ordered(Work(values), range(2), jobs=2))
    fresh = list(map_ordered(Work(values), range(2), jobs=2, fresh=True))
    assert min(r[4] for r in forked) > 300  # (the check can tell a fork)
    assert max(r[4] for r in fresh) < 250
    del held


def test_start_ordered_fresh_and_its_file_goes_when_closed_early():
    before = _left_files()
    results = start_ordered(Work(np.arange(8)), [0, 1], jobs=1, fresh=True)
    assert len(_left_files() - before) == 1  # (the work's file, while the worker runs)
    assert next(results)[:3] == (0, 0 + 4, "as imported")
    results.close()
    assert _left_files() == before


class Pool:
    def __call__(self, _k):
        import pyarrow

        return pyarrow.default_memory_pool().backend_name


def test_arrows_allocator_travels_to_fresh_workers(monkeypatch):
    # (the command line hands Arrow's freed memory back to the system: its workers do too)
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    memory.use_system_allocator()
    [there] = list(start_ordered(Pool(), [0], jobs=1, fresh=True))
    assert there == "system"
    monkeypatch.setattr(memory, "_system_allocator", False)
    [default] = list(start_ordered(Pool(), [0], jobs=1, fresh=True))
    assert default != "system"  # (the check can tell)


def test_a_batch_source_pickles_only_what_codes_its_windows():
    n = 2000
    text = pa.array(["a long text of a post " * 40] * n)
    batch = Batch(
        post_ids=pa.array([f"post-{i}" for i in range(n)]),
        dates=np.arange(n, dtype=np.int64) * 86_400_000_000,
        start=np.arange(n + 1, dtype=np.int64) * 2,
        entity=np.tile(np.array([0, 1], dtype=np.int16), n),
        entities=(("country", "RU"), ("forum", "UN")),
        columns={"text": text, "channel": pa.array(["mfa"] * n)},
    )
    source = BatchSource(batch)
    size = len(pickle.dumps(source, protocol=5))
    assert size < n * (8 + 2 * 4 + 2 * 2 + 1) + 4096  # (the texts alone are 1.8 MB)
    back = pickle.loads(pickle.dumps(source, protocol=5))
    keep = np.arange(n) % 3 == 0
    a, b = source.code(keep), back.code(keep)
    assert a.nodes == b.nodes and len(a.edge_nodes) == 1
    for name in ("post_ids", "units", "topical", "node_start", "node_index", "node_count", "edge_start", "edge_count"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


def test_a_child_forked_while_the_server_runs_does_not_keep_it_alive():
    # The server ends when every holder of its "alive" pipe has closed it, and the stop waits
    # for that: a forked child that kept its copy made the stop wait for the child (a report
    # run after an earlier call had left a server running hung in the timeline stage's stop).
    import multiprocessing
    import threading

    from netanalysis.parallel_fresh import fresh_context, stop_fresh_server

    fresh_context("netanalysis.parallel_fresh")  # (a server runs)
    fork = multiprocessing.get_context("fork")
    release = fork.Event()
    child = fork.Process(target=release.wait, args=(60,))
    child.start()
    try:
        stopper = threading.Thread(target=stop_fresh_server, daemon=True)
        stopper.start()
        stopper.join(20)
        stopped_while_the_child_lives = not stopper.is_alive() and child.is_alive()
    finally:
        release.set()
        child.join(60)
        stopper.join(60)
    assert stopped_while_the_child_lives
    assert child.exitcode == 0


_STOP_PROBE = """
import json, time
import multiprocessing.forkserver as forkserver
from netanalysis import parallel_fresh
from netanalysis.parallel import map_ordered, start_ordered

class Slow:
    def __call__(self, k):
        time.sleep(k / 10)
        return k

if __name__ == "__main__":
    seen = {}
    results = start_ordered(Slow(), [5, 1], jobs=1, fresh=True)
    server = forkserver._forkserver._forkserver_pid
    seen["started"] = server is not None
    parallel_fresh.stop_fresh_server()
    seen["running while the pool is open"] = forkserver._forkserver._forkserver_pid == server
    seen["results"] = list(results)
    seen["stopped by the pool's end"] = forkserver._forkserver._forkserver_pid is None
    seen["nothing left"] = parallel_fresh._open_pools == 0 and not parallel_fresh._stop_asked
    seen["again"] = list(map_ordered(Slow(), [0, 1], jobs=1, fresh=True))
    parallel_fresh.stop_fresh_server()
    seen["stopped at once"] = forkserver._forkserver._forkserver_pid is None
    print(json.dumps(seen))
"""


def test_a_stop_asked_while_a_fresh_pool_works_waits_for_its_end(tmp_path):
    # the report's figure worker (fresh) may still draw when the time stage, done with its own
    # fresh workers, stops the server: stopping it then ends or strands the worker (its child;
    # without the wait, this hung). Run in a process of its own, with a time limit.
    import json
    import subprocess
    import sys

    script = tmp_path / "probe.py"
    script.write_text(_STOP_PROBE)
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=True)
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen == {
        "started": True,
        "running while the pool is open": True,
        "results": [5, 1],
        "stopped by the pool's end": True,
        "nothing left": True,
        "again": [0, 1],
        "stopped at once": True,
    }


def test_this_process_lets_a_fresh_pools_work_go_once_it_is_written():
    # the workers read it from its file; the report's figure worker's work holds the corpus's
    # links, which the explorer stage lets go while the figures are drawn
    import gc
    import weakref

    work = Work(np.arange(40))
    gone = weakref.ref(work)
    results = start_ordered(work, [3, 1], jobs=1, fresh=True)
    del work
    gc.collect()
    assert gone() is None
    assert [r[:2] for r in results] == [(3, sum(range(3, 40, 4))), (1, sum(range(1, 40, 4)))]
