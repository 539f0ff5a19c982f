"""The output folder is swapped in whole: staged with its manifest, committed through a journal
(never a mix of two runs, whatever fails where), locked against a second run, cleaned of what
dead runs and earlier runs left; a user's own files are never touched."""

import errno
import json
import logging
import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from netanalysis.cli import cli
from netanalysis.errors import OutputError
from netanalysis.io import outdir
from netanalysis.io.outdir import JOURNAL, OutputFolder, tidy

NEW_INPUT = "id,date,text\n1,2024-01-10,Lavrov in China at the #BRICS\n2,2024-03-10,India at the #SCO\n"


def invoke(*args):
    return CliRunner().invoke(cli, [*map(str, args)])


def snapshot(folder):
    """Every file of a folder (bytes), the manifest reduced to what does not change between runs."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            name = path.relative_to(folder).as_posix()
            data = path.read_bytes()
            if name == "manifest.json":
                manifest = json.loads(data)
                data = json.dumps([manifest["command"], manifest["files"], [i["path"] for i in manifest["inputs"]]])
            found[name] = data
    return found


def hidden(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".netanalysis"))


@pytest.fixture(scope="module")
def made(tmp_path_factory, sample_path):
    """An earlier run (report on the sample, figures in PNG) with a user's own files beside it,
    and what a later run (graph on another input) gives in a fresh folder."""
    base = tmp_path_factory.mktemp("runs")
    new_input = base / "new.csv"
    new_input.write_text(NEW_INPUT, encoding="utf-8")
    out = base / "earlier"
    assert invoke("-q", "report", sample_path, "-o", out, "--format", "png").exit_code == 0
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    (out / "figures" / "sketch.png").write_bytes(b"my own figure")
    fresh = base / "fresh"
    assert invoke("-q", "graph", new_input, "-o", fresh).exit_code == 0
    new = snapshot(fresh)
    new.update({"notes.txt": b"mine", "figures/sketch.png": b"my own figure"})
    return out, new_input, snapshot(out), new


@pytest.fixture
def runs(made, tmp_path):
    """A copy of the earlier run's folder to work on, and the snapshots."""
    earlier, new_input, old, new = made
    out = tmp_path / "out"
    shutil.copytree(earlier, out)
    return out, new_input, old, new


def test_a_later_run_replaces_the_earlier_ones_files_and_keeps_the_users(runs, caplog):
    out, new_input, old, new = runs
    with caplog.at_level(logging.WARNING):
        result = invoke("graph", new_input, "-o", out)
    assert result.exit_code == 0, result.output
    assert snapshot(out) == new
    gone = sorted({*old} - {*new})  # (what the report wrote and the graph command does not)
    assert "changes.csv" in gone and "report.html" in gone
    assert f"removed {len(gone)} file(s) that an earlier run wrote and this run does not: {', '.join(gone)}" in (
        result.output
    )
    assert hidden(out) == []


def test_stale_staging_of_dead_runs_is_removed_at_start(runs):
    out, new_input, old, new = runs
    for name in (".netanalysis-staging-99999-abcd", ".netanalysis-k2j_x8qz"):
        (out / name).mkdir()
        (out / name / "posts.csv").write_text("half", encoding="utf-8")
    (out / ".netanalysis-abc.tmp").write_text("half", encoding="utf-8")
    (out / ".netanalysis-cache").mkdir()  # (not ours to remove)
    assert invoke("-q", "graph", new_input, "-o", out).exit_code == 0
    assert hidden(out) == [".netanalysis-cache"]
    assert snapshot(out) == new


def test_a_second_run_on_a_locked_folder_stops_with_a_clear_error(runs):
    out, new_input, old, new = runs
    holder = OutputFolder(out).open()
    try:
        result = invoke("graph", new_input, "-o", out)
    finally:
        holder.discard()
        holder.close()
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: {out}: another netanalysis run (process {os.getpid()}) is writing to this folder; "
        "wait for it to end or choose another -o"
    )
    assert snapshot(out) == old and hidden(out) == []


@pytest.mark.parametrize("once", [True, False])
def test_a_fault_at_any_step_of_the_commit_leaves_the_old_run_or_the_new_one(runs, monkeypatch, once):
    out, new_input, old, new = runs
    steps = []
    probe = out.parent / "probe"
    shutil.copytree(out, probe)
    monkeypatch.setattr(outdir, "_step", steps.append)
    assert invoke("-q", "graph", new_input, "-o", probe).exit_code == 0
    assert steps[0] == "journal" and steps[-1] == "done"
    assert "install manifest.json" in steps and "remove changes.csv" in steps
    assert [s for s in steps if s.startswith("install ")][-1] == "install manifest.json"
    installs = [s for s in steps if s.startswith("install ")]
    removes = [s for s in steps if s.startswith("remove ")]
    for number, step in enumerate(["journal", installs[0], installs[-1], removes[0], "done"]):
        target = out.parent / f"out-{number}"
        shutil.copytree(out, target)
        fired = []

        def fault(name, step=step, fired=fired, target=target):
            if name == step and not (once and fired):
                fired.append(name)
                raise OSError(errno.EIO, "injected fault", str(target / "x"))

        monkeypatch.setattr(outdir, "_step", fault)
        result = invoke("graph", new_input, "-o", target)
        monkeypatch.setattr(outdir, "_step", lambda name: None)
        assert fired and "Traceback" not in result.output
        if step == "journal":  # (before the journal: the earlier run stays)
            assert result.exit_code == 1, result.output
            assert result.output.strip().splitlines()[-1].startswith(f"Error: {target}: cannot write into")
            assert snapshot(target) == old and hidden(target) == []
        elif once:  # going through the move again completes it
            assert result.exit_code == 0, (step, result.output)
            assert "was interrupted (" in result.output and "and then completed" in result.output
            assert snapshot(target) == new and hidden(target) == [], step
        else:  # a lasting fault after the journal: the move is left to the next run on the folder
            assert result.exit_code == 1
            assert result.output.strip().splitlines()[-1] == (
                f"Error: {target}: the new files could not all be moved in (injected fault ({target / 'x'})); "
                "the next run on this folder completes the move"
            )
            assert JOURNAL in hidden(target)
            tidy(target)
            assert snapshot(target) == new and hidden(target) == [], step


def test_recovery_completes_a_commit_cut_short(runs, monkeypatch):
    out, new_input, old, new = runs

    def die(name):
        if name.startswith("install"):
            raise SystemExit("killed")  # (as if the process ended here: nothing runs after it)

    monkeypatch.setattr(outdir, "_step", die)
    folder = OutputFolder(out).open()
    (folder.path("posts.csv")).write_text("new posts", encoding="utf-8")
    (folder.path("manifest.json")).write_text('{"files": ["manifest.json", "posts.csv"]}', encoding="utf-8")
    with pytest.raises(SystemExit):
        folder.commit(["posts.csv", "manifest.json"])
    folder.close()  # (the lock goes with the process)
    assert (out / JOURNAL).exists() and (out / "posts.csv").read_text(encoding="utf-8") != "new posts"
    monkeypatch.setattr(outdir, "_step", lambda name: None)
    assert invoke("-q", "parse", new_input, "-o", out).exit_code == 0
    assert hidden(out) == []
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_only_files_the_earlier_manifest_lists_are_removed(runs):
    out, new_input, old, new = runs
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["files"] += ["../outside.txt", "/etc/passwd", "notes.txt/..", "figures/../../x"]
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (out.parent / "outside.txt").write_text("keep", encoding="utf-8")
    assert invoke("-q", "parse", new_input, "-o", out).exit_code == 0
    assert (out.parent / "outside.txt").read_text(encoding="utf-8") == "keep"
    assert (out / "notes.txt").exists() and (out / "figures" / "sketch.png").exists()
    names = sorted(p.name for p in out.iterdir())
    assert names == ["figures", "manifest.json", "mentions.csv", "notes.txt", "posts.csv"]
    assert [p.name for p in (out / "figures").iterdir()] == ["sketch.png"]


def test_an_unreadable_earlier_manifest_removes_nothing(runs):
    out, new_input, old, new = runs
    (out / "manifest.json").write_text("{not json", encoding="utf-8")
    result = invoke("parse", new_input, "-o", out)
    assert result.exit_code == 0
    assert "manifest.json: cannot be read" in result.output
    assert (out / "edges.csv").exists()


def test_something_in_the_way_is_refused_before_anything_moves(runs):
    out, new_input, old, new = runs
    (out / "edges.csv").unlink()
    (out / "edges.csv").mkdir()
    result = invoke("-q", "graph", new_input, "-o", out)
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: {out / 'edges.csv'}: is in the way: netanalysis writes a file of that name here"
    )
    (out / "edges.csv").rmdir()
    assert {k: v for k, v in snapshot(out).items() if k != "edges.csv"} == {
        k: v for k, v in old.items() if k != "edges.csv"
    }
    assert hidden(out) == []


def test_an_output_path_that_is_a_file(tmp_path, sample_path):
    (tmp_path / "f").write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match="the output path exists and is not a folder"):
        OutputFolder(tmp_path / "f").open()
    result = invoke("-q", "parse", sample_path, "-o", tmp_path / "f")  # (click checks it first)
    assert result.exit_code == 2 and "is a file" in result.output and "Traceback" not in result.output


def test_the_user_is_warned_before_their_unlisted_file_is_replaced(tmp_path, sample_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "posts.csv").write_text("my own table", encoding="utf-8")
    result = invoke("parse", sample_path, "-o", out)
    assert result.exit_code == 0
    assert "replacing 1 file(s) that no earlier netanalysis run here wrote: posts.csv" in result.output


def _hold_lock(folder, pid, seconds):
    """A process that holds ``folder``'s lock for ``seconds`` with ``pid`` written in it, as a
    killed run's last worker does while it ends; it prints once it holds the lock."""
    code = (
        "import fcntl, os, sys, time\n"
        f"fd = os.open({str(folder / outdir.LOCK)!r}, os.O_RDWR | os.O_CREAT, 0o644)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        f"os.ftruncate(fd, 0); os.pwrite(fd, b'{pid}\\n', 0)\n"
        "print('held', flush=True)\n"
        f"time.sleep({seconds})\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    assert proc.stdout.readline() == b"held\n"
    return proc


def _dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.mark.skipif(outdir.fcntl is None, reason="needs fcntl")
def test_a_lock_left_by_a_dead_run_is_waited_for_while_its_last_process_ends(tmp_path):
    holder = _hold_lock(tmp_path, _dead_pid(), 0.5)
    try:
        tidy(tmp_path)  # waits for the holder to end, then takes the lock
        assert holder.poll() == 0
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.skipif(outdir.fcntl is None, reason="needs fcntl")
def test_a_lock_held_too_long_or_by_a_live_run_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setattr(outdir, "ORPHAN_LOCK_WAIT", 0.3)
    for pid in (_dead_pid(), os.getpid()):
        holder = _hold_lock(tmp_path, pid, 30)
        try:
            with pytest.raises(OutputError, match=f"another netanalysis run \\(process {pid}\\)"):
                tidy(tmp_path)
        finally:
            holder.kill()
            holder.wait()


def test_an_output_folder_deleted_during_the_run_is_one_clear_error(tmp_path, monkeypatch):
    """The output folder deleted while a run writes into it: the run stops at its next file with
    one ``Error:`` line (no traceback), and does not make the folder again to commit a run with
    the files written before the deletion missing."""
    source = tmp_path / "posts.csv"
    source.write_text(NEW_INPUT, encoding="utf-8")
    out = tmp_path / "out"
    original = OutputFolder.path

    def deleting(self, name):
        if name == "edges.csv":
            shutil.rmtree(self.out)
        return original(self, name)

    monkeypatch.setattr(OutputFolder, "path", deleting)
    result = invoke("-q", "graph", source, "-o", out)
    assert result.exit_code == 1 and "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {out}: the run's staging folder .netanalysis-staging-")
    assert "was removed while the run was writing into it" in lines[0]
    assert not out.exists()  # (not made again)


def test_a_staging_folder_replaced_during_the_run_is_not_committed(tmp_path):
    """A staging folder removed and made again under the same name (same path, another folder)
    is refused at the commit: its files are not the run's."""
    folder = OutputFolder(tmp_path / "out").open()
    try:
        folder.path("a.csv").write_text("x", encoding="utf-8")
        staging = folder.staging
        shutil.rmtree(staging)
        staging.mkdir()
        (staging / "a.csv").write_text("y", encoding="utf-8")
        with pytest.raises(OutputError, match="was removed while the run was writing"):
            folder.commit(["a.csv"])
        assert not (tmp_path / "out" / "a.csv").exists()
    finally:
        folder.discard()
        folder.close()
