"""The corpus cache (``--cache``): reuse the posts and mentions extracted before.

An entry is keyed by the inputs' content (sha256), the registry's fingerprint, every setting
that changes extraction (and the unit: paragraph and sentence indices are computed while the
text is at hand) and the package version, so a stale entry is never read. The folder is
``$NETANALYSIS_CACHE_DIR`` or ``.netanalysis-cache`` in the working directory. An entry holds
``posts.csv`` and ``mentions.csv`` as written, the corpus batch (slim posts as Parquet, links
as ``.npy`` code arrays, the entities as JSON) and the reading counts as JSON: nothing is
unpickled.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from netanalysis import __version__
from netanalysis.config import Settings
from netanalysis.errors import NetanalysisError
from netanalysis.graph import Batch, Entities
from netanalysis.io.manifest import sha256
from netanalysis.model import FileStats, IngestStats, trim_for_excerpt
from netanalysis.pipeline.state import Staging

if TYPE_CHECKING:  # pragma: no cover
    from netanalysis.registry import Registry

__all__ = ["entry_for", "is_complete", "store", "load"]

#: Settings that change which mentions a corpus gives, and the unit.
EXTRACTION_SETTINGS = (
    "format",
    "encoding",
    "strict",
    "dedupe",
    "channel",
    "tz",
    "text_col",
    "date_col",
    "id_col",
    "channel_col",
    "count_forwards",
    "by",
    "countries",
    "exclude",
    "forms",
    "unit",
    "safe_csv",
)
_DONE = "complete"
#: The column of ``posts.parquet`` holding each post's number of units (paragraph/sentence units).
_UNITS = "__units"
#: The layout of an entry (a new layout never reads an old entry: it has another key).
_LAYOUT = "2: posts' numbers of units"


def entry_for(files: Sequence[Path], registry: Registry, settings: Settings) -> Path:
    """Where the extraction of these inputs, this registry and these options is cached."""
    key = hashlib.sha256()
    for f in files:
        key.update(sha256(f).encode())
    key.update(registry.fingerprint().encode())
    options = {k: v for k, v in settings.to_dict().items() if k in EXTRACTION_SETTINGS}
    key.update(json.dumps(options, sort_keys=True).encode())
    key.update(__version__.encode())
    key.update(_LAYOUT.encode())
    folder = Path(os.environ.get("NETANALYSIS_CACHE_DIR", ".netanalysis-cache"))
    return folder / f"corpus-{key.hexdigest()[:40]}"


def is_complete(entry: Path) -> bool:
    return (entry / _DONE).is_file()


def store(entry: Path, corpus: Batch, staging: Staging, stats: IngestStats, kinds: dict[str, int]) -> None:
    """Fill ``entry`` (written beside it, then renamed into place)."""
    entry.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{entry.name}.", dir=entry.parent))
    try:
        for name in ("posts.csv", "mentions.csv"):
            shutil.copyfile(staging.dir / name, tmp / name)
        posts = {"post_id": corpus.post_ids, "date": pa.array(corpus.dates), **corpus.columns}
        if corpus.units is not None:
            posts[_UNITS] = pa.array(corpus.units)
        pq.write_table(pa.table(posts), tmp / "posts.parquet")
        links = {"post": corpus.post, "entity": corpus.entity}
        if corpus.unit is not None:
            links["unit"] = corpus.unit
        for name, values in links.items():
            np.save(tmp / f"links.{name}.npy", values)
        meta = {
            "entities": [list(e) for e in corpus.entities],
            "links": sorted(links),
            "stats": dataclasses.asdict(stats),
            "kinds": kinds,
        }
        (tmp / "corpus.json").write_text(json.dumps(meta), encoding="utf-8")
        (tmp / _DONE).write_text("", encoding="utf-8")
        if entry.exists():
            shutil.rmtree(entry)
        os.replace(tmp, entry)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def load(
    entry: Path, staging: Staging, keep_text: bool, entities: Entities
) -> tuple[Batch, IngestStats, dict[str, int]]:
    """The corpus, reading counts and mention kinds of ``entry``; its CSV files are copied into
    the staging folder."""
    for name in ("posts.csv", "mentions.csv"):
        shutil.copyfile(entry / name, staging.path(name))
    meta = json.loads((entry / "corpus.json").read_text(encoding="utf-8"))
    posts = pq.read_table(entry / "posts.parquet")
    columns = {
        name: posts.column(name).combine_chunks()
        for name in posts.column_names
        if name not in ("post_id", "date", _UNITS)
    }
    if keep_text and "text" not in columns:  # stored by a command without the explorer
        trimmed: list[str] = []
        for part in pd.read_csv(
            entry / "posts.csv", usecols=["text"], dtype="str", keep_default_na=False, chunksize=50_000
        ):
            trimmed += [trim_for_excerpt(t) for t in part["text"]]
        columns["text"] = pa.array(trimmed, type=pa.string())
    elif not keep_text:
        columns.pop("text", None)
    links = {name: np.load(entry / f"links.{name}.npy") for name in meta["links"]}
    stored = tuple((str(k), str(e)) for k, e in meta["entities"])
    if stored != tuple(entities):  # (the key holds the registry: this would be a damaged entry)
        raise NetanalysisError(f"the cache entry {entry} codes other entities than this registry")
    corpus = Batch(
        post_ids=posts.column("post_id").combine_chunks(),
        dates=posts.column("date").to_numpy(),
        post=links["post"],
        entity=links["entity"],
        entities=stored,
        unit=links.get("unit"),
        columns=columns,
        units=posts.column(_UNITS).to_numpy() if _UNITS in posts.column_names else None,
    )
    return corpus, _stats(meta["stats"]), {k: int(v) for k, v in meta["kinds"].items()}


def _stats(data: dict[str, Any]) -> IngestStats:
    files = []
    for f in data["files"]:
        f = dict(f)
        f["problems"] = [tuple(p) for p in f["problems"]]
        files.append(FileStats(**f))
    return IngestStats(files=files, duplicates=int(data["duplicates"]))
