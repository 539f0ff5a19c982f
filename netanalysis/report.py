"""Chaining the stages and writing the output folder (the only module that writes run folders).

Every file is written atomically (a temporary file in the same folder, then a rename), so a
failing stage never leaves a half-written file behind.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import platform
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Iterator

import pandas as pd

from netanalysis import __version__
from netanalysis.ingest import ReadOptions, expand_inputs, iter_posts, posts_frame
from netanalysis.model import POST_COLUMNS, IngestStats

log = logging.getLogger(__name__)

__all__ = ["RunResult", "run_parse", "atomic_write", "write_csv", "write_manifest", "format_dates"]

DEPENDENCIES = ("networkx", "pandas", "matplotlib", "click", "pyvis", "pyahocorasick", "pyarrow", "numpy")


@contextlib.contextmanager
def atomic_write(path: Path, mode: str = "w", **kwargs) -> Iterator[Any]:
    """Open a temporary file beside ``path``; rename it over ``path`` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def format_dates(series: pd.Series) -> pd.Series:
    """UTC datetimes as ISO 8601 strings ending in ``Z`` (empty where missing)."""
    out = series.dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    return out.where(series.notna(), "")


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write a table as UTF-8 CSV with ``\\n`` line ends, dates in ISO 8601 UTC, atomically."""
    frame = frame.copy()
    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.DatetimeTZDtype):
            frame[col] = format_dates(frame[col])
    with atomic_write(path, "w", encoding="utf-8", newline="") as fh:
        frame.to_csv(fh, index=False, lineterminator="\n")
    return Path(path)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _versions() -> dict[str, str]:
    versions = {"netanalysis": __version__, "python": platform.python_version()}
    for name in DEPENDENCIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


@dataclass
class RunResult:
    """What a run did: the folder, the files written, the counts, the parameters."""

    out_dir: Path
    command: str
    parameters: dict[str, Any]
    inputs: list[Path]
    stats: IngestStats = field(default_factory=IngestStats)
    counts: dict[str, Any] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.time)
    seed: int | None = None

    def summary_lines(self) -> list[str]:
        s = self.stats
        lines = [f"Read {s.read} posts from {len(self.inputs)} input(s) "
                 f"({s.undated} undated, {s.skipped} records skipped)."]
        for f in s.files:
            if f.problems:
                lines.append(f"{f.path}: {f.skipped} record(s) skipped; first problems:")
                lines.extend(f"  record {r}: {p}" for r, p in f.problems[:5])
        lines.append(f"Wrote {len(self.files)} file(s) to {self.out_dir}/: {', '.join(self.files)}")
        return lines


def write_manifest(result: RunResult) -> Path:
    """Write ``manifest.json``: versions, parameters, inputs (sha256, size), counts, seed, time."""
    manifest = {
        "netanalysis": __version__,
        "command": result.command,
        "versions": _versions(),
        "parameters": result.parameters,
        "seed": result.seed,
        "inputs": [
            {"path": str(p), "size": p.stat().st_size, "sha256": _sha256(p)} for p in result.inputs
        ],
        "counts": {**result.stats.as_dict(), **result.counts},
        "files": sorted(result.files + ["manifest.json"]),
        "run": {
            "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(result.started)),
            "seconds": round(time.time() - result.started, 3),
        },
    }
    path = Path(result.out_dir) / "manifest.json"
    with atomic_write(path, "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, indent=2, ensure_ascii=False, sort_keys=False, default=str)
        fh.write("\n")
    return path


def _load_posts(inputs, format, options, stats) -> pd.DataFrame:
    return posts_frame(iter_posts(inputs, format, options=options, stats=stats))


def run_parse(inputs: list, out_dir: Path, *, format: str | None = "auto",
              options: ReadOptions | None = None) -> RunResult:
    """Read the inputs and write ``posts.csv`` and ``manifest.json`` into ``out_dir``."""
    options = options or ReadOptions()
    files = expand_inputs(inputs)
    result = RunResult(Path(out_dir), "parse", {"format": format, **options.__dict__}, files)
    posts = _load_posts(files, format, options, result.stats)
    write_csv(posts[POST_COLUMNS], result.out_dir / "posts.csv")
    result.files.append("posts.csv")
    result.counts["posts"] = len(posts)
    write_manifest(result)
    return result
