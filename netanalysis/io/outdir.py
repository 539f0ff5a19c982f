"""The output folder: a run's files swapped in whole, under a lock, with a journal.

A folder (``-o OUT``) may hold a user's own files beside netanalysis's, so it is never replaced
as a whole: netanalysis replaces only the files it owns, the files a run's ``manifest.json``
lists. What a run does to the folder:

1. **Lock.** ``OUT/.netanalysis.lock`` is created and locked (``flock``) for the whole run; a
   second run on the same folder stops at once with an error naming the process that holds it.
   The system releases the lock when its process ends, however it ends, so a killed run never
   leaves the folder locked (the file itself is removed when a run finishes).
2. **Recover, clean.** Under the lock no other run is alive, so what dead runs left is removed:
   staging folders ``OUT/.netanalysis-staging-*`` (and ``.netanalysis-XXXXXXXX`` of earlier
   versions) and temporary files ``OUT/.netanalysis-*.tmp``; and a commit cut short (a journal
   is there, see 4) is completed first.
3. **Stage.** Every file of the run, ``manifest.json`` included, is written into
   ``OUT/.netanalysis-staging-<pid>-<random>/`` (the same file system, so moving is renaming).
   Nothing visible changes while the stages run; a failure, ``Ctrl-C``, ``SIGTERM`` or
   ``SIGHUP`` removes the staging folder and leaves the folder as it was.
4. **Commit.** With every stage done and the staged files flushed to disk (``fsync``), the
   journal ``OUT/.netanalysis-commit.json`` is written (atomically: a temporary file renamed)
   listing the files to move in (``manifest.json`` last) and the files of the earlier run that
   this run does not write (read from the earlier ``manifest.json``: only files it lists are
   ever removed, never a user's own). Then each staged file is renamed over its target, the
   earlier run's leftovers are removed (with a warning naming them), and the journal and the
   staging folder are removed. Signals that stop a run (``SIGINT``, ``SIGTERM``, ``SIGHUP``)
   are held during these few renames and act once they are done.

Guarantees. Before the journal exists, the folder holds the earlier run untouched; once it
exists, the new run is decided: every file it lists is staged and complete, and moving them in
is repeatable, so whoever comes next (this run, or the next run on the folder, at step 2)
completes the move. So after any failure, kill or power cut the folder holds the earlier run's
files or the new run's, never a mix of the two, once any run has opened it again; only a
process killed outright (``SIGKILL``, power) in the milliseconds of the renames leaves the
move to that next run (``recover(OUT)`` does it without running anything). ``manifest.json``
is always moved last, so a folder whose manifest is the new one holds all the new files.
A file the run writes where a user's file stood is replaced (with a warning when no earlier
manifest listed it); a folder or other non-file in the way is an error before anything moves.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from netanalysis.errors import OutputError
from netanalysis.parallel import signals_held

__all__ = ["OutputFolder", "recover", "tidy", "os_problem", "LOCK", "JOURNAL", "STAGING_PREFIX"]

log = logging.getLogger(__name__)

LOCK = ".netanalysis.lock"
#: Seconds a run waits for a lock whose run is dead but whose last process is still ending.
ORPHAN_LOCK_WAIT = 5.0
JOURNAL = ".netanalysis-commit.json"
STAGING_PREFIX = ".netanalysis-staging-"
#: Staging folders of versions before the journal (``tempfile.mkdtemp(prefix=".netanalysis-")``).
_LEGACY_STAGING = re.compile(r"\.netanalysis-[a-z0-9_]{8}")
_TEMP = re.compile(r"\.netanalysis-.*\.tmp")

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover (Windows: the lock file alone, created exclusively)
    fcntl = None  # type: ignore[assignment]


def _step(name: str) -> None:
    """A named point of the commit (tests replace this to stop a run there)."""


def os_problem(exc: OSError) -> str:
    """What an operating-system error means for a run, in words (no traceback needed)."""
    where = f" ({exc.filename})" if exc.filename else ""
    if exc.errno == errno.ENOSPC:
        return f"no space left on the device{where}: free some space and run again"
    if exc.errno == errno.EDQUOT:
        return f"disk quota exceeded{where}: free some space and run again"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"permission denied{where}: choose a folder you can write to (-o)"
    if exc.errno == errno.EROFS:
        return f"read-only file system{where}: choose a folder you can write to (-o)"
    if exc.errno == errno.EMFILE:
        return f"too many open files{where}"
    return f"{exc.strerror or exc.__class__.__name__}{where}"


def _relative(name: Any) -> str | None:
    """``name`` if it is a plain relative path inside a folder (``a/b.csv``), else ``None``."""
    if not isinstance(name, str) or not name or "\\" in name or "\x00" in name:
        return None
    path = PurePosixPath(name)
    if path.is_absolute() or any(part in ("", ".", "..") for part in path.parts):
        return None
    return path.as_posix()


def _inside(out: Path, name: str) -> bool:
    """Whether ``out/name`` is really inside ``out`` (no folder on the way is a symbolic link
    leading elsewhere)."""
    root = os.path.realpath(out)
    parent = os.path.realpath((out / name).parent)
    return parent == root or parent.startswith(root + os.sep)


def _fsync(path: Path, directory: bool = False) -> None:
    flags = os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if directory else 0)
    try:
        fd = os.open(path, flags)
    except OSError:  # (some systems cannot open folders)
        return
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


def _write_json(path: Path, data: dict) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".netanalysis-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync(path.parent, directory=True)


def _listed_files(out: Path) -> list[str] | None:
    """The files the folder's ``manifest.json`` lists (``None``: no manifest, or unreadable)."""
    manifest = out / "manifest.json"
    if not manifest.is_file():
        return None
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        listed = data.get("files") if isinstance(data, dict) else None
        if not isinstance(listed, list):
            raise ValueError("no list of files")
    except (OSError, ValueError) as exc:
        log.warning("%s: cannot be read (%s); the files of the earlier run are left in place", manifest, exc)
        return None
    return [name for name in map(_relative, listed) if name is not None]


def _apply(out: Path, journal: dict) -> None:
    """Move the journal's staged files in, remove the earlier run's leftovers, clean up.
    Repeatable: what was already done is skipped."""
    staging = out / journal["staging"]
    for name in journal["install"]:
        source = staging / name
        if source.is_file() or source.is_symlink():
            _step(f"install {name}")
            target = out / name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
    for name in journal["remove"]:
        target = out / name
        if (target.is_file() or target.is_symlink()) and _inside(out, name):
            _step(f"remove {name}")
            target.unlink()
            _remove_empty_parents(out, name)
    _fsync(out, directory=True)
    _step("done")
    (out / JOURNAL).unlink(missing_ok=True)
    shutil.rmtree(staging, ignore_errors=True)


def _remove_empty_parents(out: Path, name: str) -> None:
    parent = PurePosixPath(name).parent
    while parent.parts:
        folder = out / parent
        try:
            folder.rmdir()  # only when empty
        except OSError:
            return
        parent = parent.parent


def _read_journal(out: Path) -> dict | None:
    path = out / JOURNAL
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        staging = data["staging"]
        install = [_relative(n) for n in data["install"]]
        remove = [_relative(n) for n in data["remove"]]
        if not isinstance(staging, str) or not staging.startswith(STAGING_PREFIX) or "/" in staging:
            raise ValueError("bad staging folder")
        if None in install or None in remove:
            raise ValueError("bad file name")
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("%s: an unreadable commit journal (%s) was removed", path, exc)
        path.unlink(missing_ok=True)
        return None
    return {"staging": staging, "install": install, "remove": remove}


def recover(out: str | os.PathLike[str]) -> bool:
    """Complete a commit that a killed run left half done in ``out`` (the caller holds the
    lock, or knows no run is writing); return whether there was one."""
    out = Path(out)
    journal = _read_journal(out)
    if journal is None:
        return False
    log.warning("%s: completing the update that an interrupted run left unfinished", out)
    _apply(out, journal)
    return True


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, as another user's
        pass
    return True


def tidy(out: str | os.PathLike[str]) -> None:
    """What the start of a run does to ``out`` without running anything: take its lock,
    complete a commit a killed run left half done, remove dead runs' staging folders."""
    folder = OutputFolder(out)
    if not folder.out.is_dir():
        return
    try:
        folder._lock()
        recover(folder.out)
        folder._clean()
    finally:
        folder.close()


class OutputFolder:
    """The output folder of one run: :meth:`open` (lock, recover, clean, stage), write into
    :attr:`staging` through :meth:`path`, then :meth:`commit` or :meth:`discard`, and
    :meth:`close` (see the module notes)."""

    def __init__(self, out_dir: str | os.PathLike[str]):
        self.out = Path(out_dir)
        self.staging: Path | None = None
        self.removed: list[str] = []
        self._lock_fd: int | None = None
        self._decided = False  # the journal is written: the staged files must stay
        # the staging folder made, held open: its inode cannot be reused by a folder made in its place
        self._staging_fd: int | None = None

    # -- opening ---------------------------------------------------------------------------------
    def open(self) -> OutputFolder:
        out = self.out
        if out.exists() and not out.is_dir():
            raise OutputError(out, "the output path exists and is not a folder")
        try:
            out.mkdir(parents=True, exist_ok=True)
            self._lock()
            recover(out)
            self._clean()
            self.staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=out))
            self._staging_fd = os.open(self.staging, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError as exc:
            self.close()
            raise OutputError(out, f"cannot write into the output folder: {os_problem(exc)}") from None
        except BaseException:
            self.close()
            raise
        return self

    def _lock(self) -> None:
        path = self.out / LOCK
        deadline = time.monotonic() + ORPHAN_LOCK_WAIT
        while True:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            if fcntl is None:  # pragma: no cover
                self._lock_fd = fd
                return
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    os.close(fd)
                    raise
                holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
                os.close(fd)
                if holder.isdigit() and not _alive(int(holder)) and time.monotonic() < deadline:
                    # the run that took the lock is dead: what still holds it is one of its
                    # processes on its way out (a killed run's worker closes its files last)
                    time.sleep(0.05)
                    continue
                who = f" (process {holder})" if holder.isdigit() else ""
                raise OutputError(
                    self.out,
                    f"another netanalysis run{who} is writing to this folder; wait for it to end or choose another -o",
                ) from None
            # the run that held it may have removed the file just before we locked it
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(path))
            except FileNotFoundError:
                same = False
            if same:
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
                self._lock_fd = fd
                return
            os.close(fd)

    def _clean(self) -> None:
        """Remove the staging folders and temporary files of dead runs."""
        for entry in self.out.iterdir():
            name = entry.name
            if entry.is_dir() and not entry.is_symlink():
                if name.startswith(STAGING_PREFIX) or _LEGACY_STAGING.fullmatch(name):
                    log.info("%s: removing the staging folder of an interrupted run", entry)
                    shutil.rmtree(entry, ignore_errors=True)
            elif _TEMP.fullmatch(name) and entry.is_file():
                entry.unlink(missing_ok=True)

    # -- writing ---------------------------------------------------------------------------------
    def path(self, name: str) -> Path:
        """Where to write the output file ``name`` (relative to the folder) while staging."""
        if self.staging is None:
            raise RuntimeError("the output folder is not open")
        relative = _relative(name)
        if relative is None:
            raise ValueError(f"not a file name inside the output folder: {name!r}")
        self._check_staging()
        target = self.staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def _check_staging(self) -> None:
        """Refuse to go on when the staging folder this run made is gone (the output folder, or
        the staging folder, removed or replaced while the run wrote into it): its files written so
        far are lost, and making the folder again would commit a run with files missing."""
        assert self.staging is not None and self._staging_fd is not None
        try:
            intact = os.path.samestat(os.fstat(self._staging_fd), self.staging.stat())
        except OSError:
            intact = False
        if not intact:
            raise OutputError(
                self.out,
                f"the run's staging folder {self.staging.name} was removed while the run was writing "
                "into it (was the output folder deleted or moved?); nothing was committed: run again",
            )

    # -- committing ------------------------------------------------------------------------------
    def commit(self, files: Sequence[str]) -> list[str]:
        """Move the staged ``files`` (``manifest.json`` among them) into the folder as one
        step; return the files of the earlier run that were removed."""
        if self.staging is None:
            raise RuntimeError("the output folder is not open")
        out = self.out
        install = sorted({_relative(f) or "" for f in files} - {""}, key=lambda f: (f == "manifest.json", f))
        self._check_staging()
        missing = [f for f in install if not (self.staging / f).is_file()]
        if missing:
            raise RuntimeError(f"files listed but not staged: {', '.join(missing)}")
        earlier = _listed_files(out)
        self._check_targets(install, earlier)
        remove = sorted(set(earlier or ()) - set(install))
        remove = [f for f in remove if (out / f).is_file() and _inside(out, f)]
        try:
            for folder, _, names in os.walk(self.staging):
                for name in names:
                    _fsync(Path(folder) / name)
                _fsync(Path(folder), directory=True)
            journal = {"staging": self.staging.name, "install": install, "remove": remove}
            with signals_held():  # (a signal that arrives meanwhile stops the run once the files are in)
                _step("journal")  # (a failure up to here leaves the earlier run untouched)
                _write_json(out / JOURNAL, journal)
                self._decided = True
                try:
                    _apply(out, journal)
                except BaseException as first:
                    try:  # repeatable: whatever stopped the move, going through it again completes it
                        _apply(out, journal)
                    except BaseException:
                        raise first from None
                    if isinstance(first, KeyboardInterrupt):  # (a stop: acted on once the files are in)
                        self._done(remove)
                        raise
                    log.warning("%s: moving the new files in was interrupted (%s) and then completed", out, first)
                self._done(remove)
        except OSError as exc:
            if (out / JOURNAL).exists():
                raise OutputError(
                    out,
                    f"the new files could not all be moved in ({os_problem(exc)}); the next run on "
                    "this folder completes the move",
                ) from None
            raise OutputError(out, f"cannot write into the output folder: {os_problem(exc)}") from None
        return remove

    @property
    def committed(self) -> bool:
        """Whether the new files are in place, or will be put in place by the next run (the
        journal is written)."""
        return self._decided

    def _done(self, remove: list[str]) -> None:
        """After the files moved in: nothing left to discard; say what was removed."""
        self.staging = None
        if remove:
            log.warning(
                "%s: removed %d file(s) that an earlier run wrote and this run does not: %s",
                self.out,
                len(remove),
                ", ".join(remove),
            )
        self.removed = remove

    def _check_targets(self, install: list[str], earlier: list[str] | None) -> None:
        """Refuse (before anything moves) a target that is a folder or another non-file, and
        warn about user files that will be replaced."""
        listed = set(earlier or ())
        replaced = []
        for name in install:
            path = PurePosixPath(name)
            for depth in range(1, len(path.parts)):
                folder = self.out.joinpath(*path.parts[:depth])
                if folder.exists() and not folder.is_dir():
                    raise OutputError(folder, "is in the way: netanalysis writes a folder of that name here")
            target = self.out / name
            if target.is_symlink() or not target.exists():
                continue
            if not target.is_file():
                raise OutputError(target, "is in the way: netanalysis writes a file of that name here")
            if name not in listed and name != "manifest.json":
                replaced.append(name)
        if replaced:
            log.warning(
                "%s: replacing %d file(s) that no earlier netanalysis run here wrote: %s",
                self.out,
                len(replaced),
                ", ".join(replaced),
            )

    def discard(self) -> None:
        """Remove the staging folder (the folder keeps the earlier run), unless a commit was
        decided and is left to the next run to complete (see the module notes)."""
        if self.staging is not None:
            if not (self._decided and (self.out / JOURNAL).exists()):
                shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None
        self._close_staging()

    def _close_staging(self) -> None:
        fd, self._staging_fd = self._staging_fd, None
        if fd is not None:
            os.close(fd)

    def close(self) -> None:
        """Release the lock (and remove the lock file)."""
        self._close_staging()
        fd, self._lock_fd = self._lock_fd, None
        if fd is None:
            return
        with contextlib.suppress(OSError):
            (self.out / LOCK).unlink()
        os.close(fd)

    def __enter__(self) -> OutputFolder:
        return self.open()

    def __exit__(self, kind, value, tb) -> None:
        self.discard()
        self.close()
