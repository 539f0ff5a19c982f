"""Runs killed at random points: the folder holds the earlier run or the new one, never a mix; no
staging folder is left once the folder is opened again; no worker outlives its run.

Each run is a separate ``python`` process with two worker processes and chunks of three posts
that take 0.1 s each (a test script wraps the command line), so that a kill can land while the
corpus streams, while the later stages run, while files are written or while they are moved in.
"""

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from netanalysis.io.outdir import tidy

RUNNER = """
import os, sys, time
import netanalysis.parallel as parallel
parallel.CHUNK = 3
from netanalysis.pipeline.work import ChunkExtractor
real = ChunkExtractor.__call__
def slow(self, rows):
    time.sleep(0.1)
    return real(self, rows)
ChunkExtractor.__call__ = slow
die_at = os.environ.get("DIE_AT")  # "SIGNAL:N": send SIGNAL to this process at the commit's N-th step
if die_at:
    import netanalysis.io.outdir as outdir
    name, step = die_at.split(":")
    steps = []
    def die(label):
        steps.append(label)
        if len(steps) == int(step):
            os.kill(os.getpid(), getattr(signal, name))
    import signal
    outdir._step = die
from netanalysis.cli import main
sys.argv = ["netanalysis", *sys.argv[1:]]
main()
"""

NEW_INPUT = "id,date,text\n1,2024-01-10,Lavrov in China at the #BRICS\n2,2024-03-10,India at the #SCO\n" + "".join(
    f"{i},2024-04-{i % 28 + 1:02d},Brazil {i} at the #BRICS with India\n" for i in range(3, 15)
)


def start(args, env=None):
    return subprocess.Popen(
        [sys.executable, "-c", RUNNER, "-q", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
        start_new_session=True,  # (its own process group, as a shell job would be)
    )


def snapshot(folder):
    found = {}
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file():
            name = path.relative_to(folder).as_posix()
            found[name] = path.read_bytes() if name != "manifest.json" else b"manifest"
    return found


def staging(folder):
    return sorted(p.name for p in Path(folder).iterdir() if p.name.startswith(".netanalysis-"))


def alive_with(marker):
    """Processes (not zombies) whose command line holds ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker.encode() in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


def gone(marker, within=5.0):
    deadline = time.monotonic() + within
    while alive_with(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive_with(marker) == []


def workers_of(proc, within=10.0):
    """Wait until the run has started its worker processes."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
        try:
            if len(children.read_text().split()) >= 2:
                return True
        except OSError:
            return False
        time.sleep(0.02)
    return False


pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")


@pytest.fixture(scope="module")
def runs(tmp_path_factory, sample_path):
    base = tmp_path_factory.mktemp("kills")
    new_input = base / "new.csv"
    new_input.write_text(NEW_INPUT, encoding="utf-8")
    commands = {
        "a": ["graph", sample_path, "--jobs", "2"],
        "b": ["parse", new_input, "--jobs", "2"],
    }
    expected = {}
    for key, args in commands.items():
        out = base / f"fresh-{key}"
        proc = start([*args, "-o", out])
        assert proc.wait(timeout=120) == 0, proc.stderr.read()
        expected[key] = snapshot(out)
    return base, commands, expected


@pytest.mark.parametrize("how", ["SIGTERM", "SIGHUP", "SIGINT"])
def test_a_signal_stops_the_workers_and_removes_the_staging(runs, how):
    base, commands, expected = runs
    out = base / f"signal-{how}"
    shutil.copytree(base / "fresh-a", out)  # (the earlier run)
    proc = start([*commands["b"], "-o", out])
    assert workers_of(proc), "the run never started its workers"
    if how == "SIGINT":  # Ctrl-C: the terminal signals the whole process group
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(getattr(signal, how))
    code = proc.wait(timeout=60)
    stderr = proc.stderr.read().decode()
    assert code == 1, stderr
    assert stderr.strip() == f"Error: stopped by {how}; the output folder keeps what it held"
    assert snapshot(out) == expected["a"] and staging(out) == []
    assert gone(str(out)), "a worker outlived the run"


def test_a_killed_run_takes_its_workers_with_it(runs):
    base, commands, expected = runs
    out = base / "sigkill"
    proc = start([*commands["a"], "-o", out])
    assert workers_of(proc)
    proc.kill()
    proc.wait(timeout=60)
    assert gone(str(out)), "a worker outlived its killed run"
    tidy(out)
    assert staging(out) == []


def test_twenty_random_kills_leave_the_old_run_or_the_new_one(runs):
    base, commands, expected = runs
    out = base / "random"
    rng = random.Random(19)
    current = None  # what the folder holds: None (nothing yet), "a" or "b"
    kinds = ["SIGKILL"] * 10 + ["SIGTERM"] * 10
    rng.shuffle(kinds)
    plans = [(kind, None) for kind in kinds] + [("SIGKILL", "commit"), ("SIGTERM", "commit")] * 2
    outcomes = []
    for number, (how, where) in enumerate(plans):
        target = "b" if current == "a" else "a"
        env = None
        if where == "commit":  # at a random step of moving the files in
            env = {"DIE_AT": f"{how}:{rng.randint(1, 6)}"}
        proc = start([*commands[target], "-o", out], env=env)
        if where is None:
            # from the moment the workers are up (Python's start-up takes seconds on a loaded
            # machine, and a kill then tests nothing): while the corpus streams, the later
            # stages run, the files are written or moved in, or after the run
            workers_of(proc)
            time.sleep(rng.uniform(0.0, 6.0))
            proc.send_signal(getattr(signal, how))
        code = proc.wait(timeout=120)
        stderr = proc.stderr.read().decode()
        assert "Traceback" not in stderr, stderr
        assert gone(str(out)), f"kill {number}: a worker outlived the run"
        if how == "SIGKILL":
            tidy(out)  # (what the next run on the folder does first)
        assert staging(out) == [], f"kill {number} ({how}, {where}): {staging(out)}"
        now = snapshot(out) if out.exists() else {}
        held = [key for key, files in expected.items() if files == now] or ([None] if now == {} else [])
        assert held, f"kill {number} ({how}, {where}, exit {code}): a mix of two runs: {sorted(now)}"
        assert held[0] in (current, target)
        if how == "SIGTERM":  # stopped by the run (one Error: line), or before or after it held the signal
            assert code in (0, 1, -signal.SIGTERM), f"kill {number}: exit {code}: {stderr}"
            if where == "commit":  # held while the files move in, then acted on
                assert code == 1 and held[0] == target, (code, stderr)
                assert stderr.strip() == "Error: stopped by SIGTERM once the run's files were in place", stderr
            elif code == 1:
                assert stderr.strip().startswith("Error: stopped by SIGTERM"), stderr
            elif code == -signal.SIGTERM:  # (while Python started, or once the command was done)
                assert stderr.strip() == "", stderr
        current = held[0]
        outcomes.append((how, where, code, current == target))
    # the kills landed before, during and after the swap
    assert any(moved for *_, moved in outcomes) and not all(moved for *_, moved in outcomes)
    assert staging(out) == []
    print(outcomes)
