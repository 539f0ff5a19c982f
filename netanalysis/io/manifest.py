"""``manifest.json``: what a run read, with which versions and parameters, and what it wrote."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import time
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from netanalysis import __version__
from netanalysis.io.atomic import atomic_write
from netanalysis.model import DATE_FORMAT

__all__ = ["DEPENDENCIES", "sha256", "versions", "write_manifest"]

#: Packages whose versions the manifest records.
DEPENDENCIES = ("networkx", "pandas", "matplotlib", "click", "pyvis", "ahocorasick-rs", "pyarrow", "numpy")


def sha256(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file's bytes (hex)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def versions() -> dict[str, str]:
    """netanalysis's, Python's and each dependency's version."""
    found = {"netanalysis": __version__, "python": platform.python_version()}
    for name in DEPENDENCIES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def write_manifest(
    folder: Path,
    *,
    command: str,
    parameters: dict[str, Any],
    seed: int | None,
    inputs: Sequence[Path],
    counts: dict[str, Any],
    files: Sequence[str],
    started: float,
) -> Path:
    """Write ``folder/manifest.json``: versions, parameters, inputs (sha256, size), counts, seed,
    the files of the run and when it ran."""
    manifest = {
        "netanalysis": __version__,
        "command": command,
        "versions": versions(),
        "parameters": parameters,
        "seed": seed,
        "inputs": [{"path": str(p), "size": p.stat().st_size, "sha256": sha256(p)} for p in inputs],
        "counts": counts,
        "files": sorted([*files, "manifest.json"]),
        "run": {
            "started_utc": time.strftime(DATE_FORMAT, time.gmtime(started)),
            "seconds": round(time.time() - started, 3),
        },
    }
    path = Path(folder) / "manifest.json"
    with atomic_write(path, "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, indent=2, ensure_ascii=False, sort_keys=False, default=str)
        fh.write("\n")
    return path
