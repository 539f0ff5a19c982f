"""The corpus cache (``--cache``): reuse the posts and mentions extracted before.

An entry is keyed by the inputs' content (sha256), the registry's fingerprint, every setting
that changes extraction (and the unit: paragraph and sentence indices are computed while the
text is at hand) and the package version, so a stale entry is never read. The folder is
``--cache-dir`` (``Settings.cache_dir``), else ``$NETANALYSIS_CACHE_DIR``, else the user's
cache folder (``$XDG_CACHE_HOME/netanalysis``, by default ``~/.cache/netanalysis``): never a
folder found in the working directory. An entry holds ``posts.csv`` and ``mentions.csv`` as
written, the corpus batch (slim posts as Parquet, the links as a Parquet table of code
columns, the entities as JSON), the reading counts as JSON and, since entries keep them, where
each chunk's rows are in both CSV files (``blocks.json``: the explorer of a hit then reads only
the parts holding its page's posts, as the run that stored the entry did; an entry without them
is read whole): data only, nothing that runs code when read (no pickle; nothing is unpickled).

An entry is written beside its place and renamed into it when complete; a run killed while
writing one leaves a temporary folder that a later run removes (once its process is gone). An
entry that cannot be read (damaged, truncated, edited) is warned about, removed and rebuilt:
the run goes on as if the cache had missed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import socket
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from netanalysis import __version__
from netanalysis.config import Settings
from netanalysis.errors import NetanalysisError
from netanalysis.graph import Batch, Entities
from netanalysis.graph.link_starts import start_type
from netanalysis.graph.numbered_ids import as_strings, joined_ids, numbered
from netanalysis.graph.strings import compact_strings, joined_strings, plain_strings
from netanalysis.io.manifest import sha256
from netanalysis.memory import release_memory
from netanalysis.model import FileStats, IngestStats
from netanalysis.pipeline.csv_blocks import CsvBlocks
from netanalysis.pipeline.state import Staging

if TYPE_CHECKING:  # pragma: no cover
    from netanalysis.registry import Registry

__all__ = ["cache_folder", "entry_for", "is_complete", "store", "load", "remove", "DamagedEntry"]

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
#: The column of ``posts.parquet`` holding each post's number of links (``links.parquet`` holds
#: them post by post: :attr:`~netanalysis.graph.Batch.start`).
_LINKS = "__links"
#: The layout of an entry (a new layout never reads an old entry: it has another key).
_LAYOUT = "3: posts' numbers of units and of links"


def cache_folder(settings: Settings | None = None) -> Path:
    """The cache's folder (see the module notes)."""
    if settings is not None and settings.cache_dir:
        return Path(settings.cache_dir).expanduser()
    if os.environ.get("NETANALYSIS_CACHE_DIR"):
        return Path(os.environ["NETANALYSIS_CACHE_DIR"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "netanalysis"


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
    return cache_folder(settings) / f"corpus-{key.hexdigest()[:40]}"


def is_complete(entry: Path) -> bool:
    return (entry / _DONE).is_file()


class DamagedEntry(NetanalysisError):
    """A cache entry that cannot be read back (the run rebuilds it)."""


def store(
    entry: Path,
    corpus: Batch,
    staging: Staging,
    stats: IngestStats,
    kinds: dict[str, int],
    *,
    safe_csv: bool = True,
    blocks: CsvBlocks | None = None,
) -> None:
    """Fill ``entry`` (written beside it, then renamed into place); ``safe_csv`` says how its
    CSV files were written, ``blocks`` where each chunk's rows are in them."""
    entry.parent.mkdir(parents=True, exist_ok=True)
    _remove_dead_temporaries(entry.parent)
    tmp = Path(tempfile.mkdtemp(prefix=f".{entry.name}.{_HOST}.{os.getpid()}.", dir=entry.parent))
    try:
        for name in ("posts.csv", "mentions.csv"):
            shutil.copyfile(staging.dir / name, tmp / name)
        _write_posts(tmp / "posts.parquet", corpus)
        links = {"entity": corpus.entity}
        if corpus.unit is not None:
            links["unit"] = corpus.unit
        _write_sliced(
            tmp / "links.parquet", len(corpus.entity), LINKS_PER_GROUP, lambda lo, hi: _links_slice(links, lo, hi)
        )
        meta = {
            "entities": [list(e) for e in corpus.entities],
            "links": sorted(links),
            "stats": dataclasses.asdict(stats),
            "kinds": kinds,
            "safe_csv": bool(safe_csv),
        }
        (tmp / "corpus.json").write_text(json.dumps(meta), encoding="utf-8")
        if blocks is not None and blocks.closed:
            (tmp / _BLOCKS).write_text(json.dumps({"first_rows": blocks.first_rows, **blocks.starts}), encoding="utf-8")
        (tmp / _DONE).write_text("", encoding="utf-8")
        if entry.exists():
            shutil.rmtree(entry)
        os.replace(tmp, entry)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


#: Posts, and links, written to an entry's tables at a time (a row group each). A whole corpus's
#: tables used to be made and written at once (its ids as strings, its channels decoded, the
#: Parquet writer's buffers): at five million benchmark posts that took the run's process from
#: 430 to 801 MiB, the run's peak. A slice's tables take a few MB.
POSTS_PER_GROUP = 1 << 18
LINKS_PER_GROUP = 1 << 22


def _write_posts(path: Path, corpus: Batch) -> None:
    """``posts.parquet``: each post's id, date, kept columns (as strings), units and number of
    links, written :data:`POSTS_PER_GROUP` posts at a time."""

    def posts(lo: int, hi: int) -> pa.Table:
        table = {"post_id": as_strings(corpus.post_ids.slice(lo, hi - lo))}
        table["date"] = pa.array(corpus.dates[lo:hi])
        # (the corpus keeps repeated columns as codes; the entry's tables keep strings)
        table.update({name: plain_strings(values.slice(lo, hi - lo)) for name, values in corpus.columns.items()})
        if corpus.units is not None:
            table[_UNITS] = pa.array(corpus.units[lo:hi])
        table[_LINKS] = pa.array(np.diff(corpus.start[lo : hi + 1]))
        return pa.table(table)

    _write_sliced(path, len(corpus), POSTS_PER_GROUP, posts)


def _links_slice(links: dict[str, np.ndarray], lo: int, hi: int) -> pa.Table:
    return pa.table({name: pa.array(values[lo:hi]) for name, values in links.items()})


def _write_sliced(path: Path, n: int, size: int, make: Callable[[int, int], pa.Table]) -> None:
    """A Parquet file of the ``n`` rows that ``make(lo, hi)`` gives, ``size`` rows at a time (one
    row group each; a table of no rows when ``n`` is 0, for its columns)."""
    writer = None
    try:
        for lo in range(0, max(n, 1), size):
            table = make(lo, min(n, lo + size))
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
            del table
    finally:
        if writer is not None:
            writer.close()


_HOST = socket.gethostname().replace(".", "_") or "host"


def _remove_dead_temporaries(folder: Path) -> None:
    """Remove the half-written entries of runs on this machine that are gone."""
    for tmp in folder.glob(f".corpus-*.{_HOST}.*"):
        parts = tmp.name.split(".")
        try:
            pid = int(parts[3])
        except (IndexError, ValueError):
            continue
        if tmp.is_dir() and not _alive(pid):
            shutil.rmtree(tmp, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # (another user's process: alive)
        return True
    return True


def remove(entry: Path) -> None:
    """Remove a cache entry (a damaged one)."""
    shutil.rmtree(entry, ignore_errors=True)


def load(
    entry: Path, staging: Staging, entities: Entities
) -> tuple[Batch, IngestStats, dict[str, int], CsvBlocks | None]:
    """The corpus, reading counts, mention kinds and CSV blocks (None if the entry has none) of
    ``entry``; its CSV files are copied into the staging folder.

    Raises
    ------
    DamagedEntry
        When the entry cannot be read back as it was stored.
    """
    try:
        return _load(entry, staging, entities)
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError, pa.ArrowException) as exc:
        raise DamagedEntry(f"the cache entry {entry} cannot be read ({exc.__class__.__name__}: {exc})") from None


def _load(
    entry: Path, staging: Staging, entities: Entities
) -> tuple[Batch, IngestStats, dict[str, int], CsvBlocks | None]:
    for name in ("posts.csv", "mentions.csv"):
        shutil.copyfile(entry / name, staging.path(name))
    meta = json.loads((entry / "corpus.json").read_text(encoding="utf-8"))
    stored = tuple((str(k), str(e)) for k, e in meta["entities"])
    if stored != tuple(entities):  # (the key holds the registry: this would be a damaged entry)
        raise ValueError("it codes other entities than this registry")
    # read a row group at a time into the corpus's arrays, made once at their size; the ids and
    # the kept columns a group at a time too, joined from their parts as the stream joins its
    # batches (the ids' parts dropped once copied). Read whole, the tables and the ids' numbering took the run's
    # process to 1,257 MiB at five million benchmark posts, some 800 MB above the corpus
    posts = pq.ParquetFile(entry / "posts.parquet")
    n_links = pq.ParquetFile(entry / "links.parquet").metadata.num_rows
    names = posts.schema_arrow.names
    n = posts.metadata.num_rows
    dates = np.empty(n, dtype=np.int64)
    start = np.zeros(n + 1, dtype=start_type(n_links))
    units = np.empty(n, dtype=_numpy_type(posts, _UNITS)) if _UNITS in names else None
    ids: list[Any] = []
    kept = [name for name in names if name not in _NOT_COLUMNS and name != "text"]  # (text: old entries' excerpts)
    columns: dict[str, list[pa.Array]] = {name: [] for name in kept}
    at = linked = 0
    for group in posts.iter_batches(batch_size=POSTS_PER_GROUP):
        k = group.num_rows
        if at + k > n:
            raise ValueError("its posts table does not read back whole")
        counts = group.column(_LINKS).to_numpy()
        if k and int(counts.min()) < 0:
            raise ValueError("its tables do not agree")
        ends = np.cumsum(counts, dtype=np.int64) + linked
        if k and int(ends[-1]) > n_links:
            raise ValueError("its posts count more links than it holds")
        start[at + 1 : at + k + 1] = ends
        linked = int(ends[-1]) if k else linked
        dates[at : at + k] = group.column("date").to_numpy()
        if units is not None:
            units[at : at + k] = group.column(_UNITS).to_numpy()
        ids.append(numbered(group.column("post_id")))
        for name in kept:
            columns[name].append(compact_strings(group.column(name)))
        at += k
        del group, counts, ends
        release_memory(collect=False)  # (the group's decoded pages back, not left between the kept arrays)
    if at != n:
        raise ValueError("its posts table does not read back whole")
    if linked != n_links:
        raise ValueError("it holds more links than its posts count")
    links = _read_links(entry / "links.parquet", [str(name) for name in meta["links"]], len(stored))
    corpus = Batch(  # (which checks that the posts' links are all the links)
        post_ids=joined_ids(ids) if ids else pa.array([], type=pa.string()),
        dates=dates,
        start=start,
        entity=links["entity"],
        entities=stored,
        unit=links.get("unit"),
        columns={name: joined_strings(parts) for name, parts in columns.items()},
        units=units,
    )
    kinds = {k: int(v) for k, v in meta["kinds"].items()}
    return corpus, _stats(meta["stats"]), kinds, _blocks(entry, len(corpus))


#: The file of an entry that says where each chunk's rows are in its CSV files.
_BLOCKS = "blocks.json"


def _blocks(entry: Path, n_posts: int) -> CsvBlocks | None:
    """The entry's :class:`CsvBlocks`, checked against its posts and CSV files (None without)."""
    path = entry / _BLOCKS
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    first = [int(r) for r in data["first_rows"]]
    starts = {name: [int(x) for x in data[name]] for name in ("posts", "mentions")}
    sizes = {name: (entry / f"{name}.csv").stat().st_size for name in starts}
    if (
        any(len(at) != len(first) + 1 or at[-1] != sizes[name] for name, at in starts.items())
        or any(b < a for at in (first, *starts.values()) for a, b in zip(at, at[1:]))
        or (first and (first[0] != 0 or first[-1] > n_posts))
    ):
        raise ValueError("its blocks do not fit its files")
    return CsvBlocks(first_rows=first, starts=starts, rows=n_posts)


#: The columns of ``posts.parquet`` that are not the corpus's kept columns.
_NOT_COLUMNS = ("post_id", "date", _UNITS, _LINKS)


def _numpy_type(file: pq.ParquetFile, name: str) -> Any:
    return file.schema_arrow.field(name).type.to_pandas_dtype()


def _read_links(path: Path, names: list[str], n_entities: int) -> dict[str, np.ndarray]:
    """``links.parquet``'s columns, read a row group at a time into arrays made at their size."""
    file = pq.ParquetFile(path)
    n = file.metadata.num_rows
    out = {name: np.empty(n, dtype=_numpy_type(file, name)) for name in names}
    at = 0
    for group in file.iter_batches(batch_size=LINKS_PER_GROUP, columns=names):
        k = group.num_rows
        if at + k > n:
            raise ValueError("its links table does not read back whole")
        for name in names:
            out[name][at : at + k] = group.column(name).to_numpy()
        at += k
        del group
        release_memory(collect=False)
    if at != n:
        raise ValueError("its links table does not read back whole")
    if n and int(out["entity"].max()) >= n_entities:
        raise ValueError("its tables do not agree")
    return out


def _stats(data: dict[str, Any]) -> IngestStats:
    files = []
    for f in data["files"]:
        f = dict(f)
        f["problems"] = [tuple(p) for p in f["problems"]]
        files.append(FileStats(**f))
    return IngestStats(
        files=files,
        duplicates=int(data["duplicates"]),
        renamed_ids=int(data.get("renamed_ids", 0)),
        renamed_examples=[(str(a), str(b), str(c)) for a, b, c in data.get("renamed_examples", [])],
        empty_files=[str(f) for f in data.get("empty_files", [])],
    )
