"""Chaining the stages and writing the output folder (the only module that writes run folders).

Every file is written atomically (a temporary file in the same folder, then a rename), so a
failing stage never leaves a half-written file behind.
"""
from __future__ import annotations

import collections
import contextlib
import hashlib
import json
import logging
import os
import platform
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
import pandas as pd

from netanalysis import __version__
from netanalysis.ingest import ReadOptions, expand_inputs
from netanalysis.model import MENTION_COLUMNS, NO_DATE, POST_COLUMNS, IngestStats, trim_for_excerpt

log = logging.getLogger(__name__)

__all__ = ["RunResult", "run", "atomic_write", "write_csv", "write_manifest", "format_dates"]

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
        os.chmod(tmp, 0o644)  # mkstemp makes owner-only files; outputs are meant to be shared
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
    pipeline: Any = None

    def summary_lines(self) -> list[str]:
        s = self.stats
        lines = [f"Read {s.read} posts from {len(self.inputs)} input(s) "
                 f"({s.undated} undated, {s.skipped} records skipped)."]
        for f in s.files:
            if f.problems:
                lines.append(f"{f.path}: {len(f.problems)} problem(s) shown of {f.skipped} record(s) "
                             "skipped or flagged; first problems:")
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


# --------------------------------------------------------------------------------------------
# The stages. Each command runs a prefix of this chain; `report` runs all of it.

COMMAND_STAGES = {
    "parse": ("corpus",),
    "graph": ("corpus", "graph"),
    "timeline": ("corpus", "graph", "timeline"),
    "plot": ("corpus", "graph", "timeline", "figures"),
    "explore": ("corpus", "graph", "explorer"),
    "report": ("corpus", "graph", "timeline", "figures", "explorer", "page"),
}


class _Staging:
    """Files are written into a hidden staging folder and moved into place only when every stage
    succeeded, so a failing run leaves neither half-written files nor a half-updated folder."""

    def __init__(self, out_dir: Path):
        self.out_dir = Path(out_dir)
        if self.out_dir.exists() and not self.out_dir.is_dir():
            from netanalysis.errors import InputError

            raise InputError(self.out_dir, "output path exists and is not a folder")
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.dir = Path(tempfile.mkdtemp(prefix=".netanalysis-", dir=self.out_dir))
        self.files: list[str] = []

    def path(self, name: str) -> Path:
        if name not in self.files:
            self.files.append(name)
        target = self.dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def commit(self) -> None:
        for name in self.files:
            target = self.out_dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.dir / name, target)
        self.discard()

    def discard(self) -> None:
        import shutil

        shutil.rmtree(self.dir, ignore_errors=True)


@dataclass
class Pipeline:
    """The intermediate results of one run.

    ``posts`` is slim (no text, or only its start for the explorer) and ``mentions`` holds the
    country/forum links only (one row per post, kind, entity and unit): the full tables are in
    ``posts.csv`` and ``mentions.csv``. A ``parse`` run keeps neither, only ``totals``.
    """

    settings: Any
    posts: pd.DataFrame | None = None
    mentions: pd.DataFrame | None = None
    mention_kinds: dict[str, int] = field(default_factory=dict)
    on_posts: Callable[[int], None] | None = None
    registry: Any = None
    graph: Any = None
    nodes: pd.DataFrame | None = None
    timeline: pd.DataFrame | None = None
    changes: pd.DataFrame | None = None
    windows: list | None = None
    figures: list[str] = field(default_factory=list)
    totals: Any = None


def _read_options(settings) -> ReadOptions:
    known = set(ReadOptions.__dataclass_fields__)
    values = {k: v for k, v in settings.to_dict().items() if k in known}
    return ReadOptions(**values)


def _stage_corpus(p: Pipeline, files: list[Path], result: RunResult, staging: _Staging) -> None:
    """Read the posts and extract their mentions in one stream, chunk by chunk.

    ``posts.csv`` and ``mentions.csv`` are written as the chunks come back (in input order).
    What stays in memory depends on the command: ``parse`` keeps only totals; ``graph`` builds
    the graph as the chunks come (:class:`~netanalysis.graph.GraphBuilder`) and keeps the post
    ids and the graph; the others, and any run filling the cache, keep one slim row per post
    (id, channel, date, date source) and the country/forum links, so their memory grows with
    the number of posts and links, not with their text. Commands that draw the explorer also
    keep the start of each text (enough for its tooltips).
    """
    from netanalysis.registry import load_registry

    s = p.settings
    p.registry = load_registry(extra=list(s.registry) or None)
    result.counts["registry_fingerprint"] = p.registry.fingerprint()
    keep_text = "explorer" in COMMAND_STAGES[result.command]
    cache = _cache_dir(p, files, s) if s.cache else None
    if cache is not None and (cache / _CACHE_DONE).is_file():
        _load_cached_corpus(p, cache, result, staging, keep_text)
        result.counts["mentions_cache"] = "hit"
    else:
        # parse (with no cache to fill) needs no per-post data: only totals, so memory stays flat;
        # graph (with no cache to fill) builds the graph as the chunks stream by
        stages = COMMAND_STAGES[result.command]
        keep = cache is not None or stages not in (("corpus",), ("corpus", "graph"))
        _extract_corpus(p, files, result, staging, keep_text, keep, build_graph=stages == ("corpus", "graph"))
        if cache is not None:
            _store_cached_corpus(p, cache, result, staging)
            result.counts["mentions_cache"] = "stored"
            _release_memory()
    if p.posts is not None:
        posts = p.posts
        result.counts["posts"] = len(posts)
        result.counts["channels"] = sorted(posts["channel"].dropna().unique().tolist())
        dated = posts["date"].dropna()
        result.counts["first_date"] = dated.min().strftime("%Y-%m-%d") if len(dated) else None
        result.counts["last_date"] = dated.max().strftime("%Y-%m-%d") if len(dated) else None
        result.counts["date_sources"] = {k: int(v) for k, v in sorted(posts["date_source"].value_counts().items())}
    else:  # parse, or graph built chunk by chunk: only running totals were kept
        result.counts.update(p.totals.counts())
    result.counts["mentions"] = dict(sorted(p.mention_kinds.items()))


class _Totals:
    """What a run reports of its posts, added up chunk by chunk (for ``parse``, which keeps no
    per-post data: its memory does not grow with the corpus)."""

    def __init__(self):
        self.posts = 0
        self.channels: set[str] = set()
        self.first: int | None = None
        self.last: int | None = None
        self.sources: dict[str, int] = {}

    def add(self, slim: dict[str, Any]) -> None:
        import pyarrow.compute as pc

        self.posts += len(slim["date"])
        self.channels.update(c for c in pc.unique(slim["channel"]).to_pylist() if c is not None)
        dates = slim["date"][slim["date"] != NO_DATE]
        if len(dates):
            low, high = int(dates.min()), int(dates.max())
            self.first = low if self.first is None else min(self.first, low)
            self.last = high if self.last is None else max(self.last, high)
        for row in pc.value_counts(slim["date_source"]).to_pylist():
            if row["values"] is not None:
                self.sources[row["values"]] = self.sources.get(row["values"], 0) + row["counts"]

    def counts(self) -> dict[str, Any]:
        def day(micros: int | None) -> str | None:
            return None if micros is None else pd.Timestamp(micros, unit="us", tz="UTC").strftime("%Y-%m-%d")

        return {"posts": self.posts, "channels": sorted(self.channels), "first_date": day(self.first),
                "last_date": day(self.last), "date_sources": dict(sorted(self.sources.items()))}


def _slim_frame(parts: list[dict[str, Any]], keep_text: bool) -> pd.DataFrame:
    """The slim posts table from the chunks' columns (strings stay in Arrow, unjoined)."""
    import pyarrow as pa

    names = ["post_id", "channel", "date", "date_source"] + (["text"] if keep_text else [])
    frame = {}
    for name in names:
        if name == "date":
            micros = np.concatenate([part[name] for part in parts]) if parts else np.zeros(0, np.int64)
            frame[name] = pd.Series(_datetimes(micros)).dt.tz_localize("UTC")
        else:
            chunks = pa.chunked_array([part[name] for part in parts], type=pa.string())
            frame[name] = pd.Series(pd.arrays.ArrowStringArrayNumpySemantics(chunks)
                                    if hasattr(pd.arrays, "ArrowStringArrayNumpySemantics")
                                    else chunks.to_pandas(), dtype="str")
    return pd.DataFrame(frame)


def _datetimes(micros: np.ndarray) -> np.ndarray:
    """int64 microseconds (:data:`~netanalysis.model.NO_DATE` for none) as naive UTC datetime64."""
    dates = micros.view("datetime64[us]").copy()
    dates[micros == NO_DATE] = np.datetime64("NaT")
    return dates


def _extract_corpus(p: Pipeline, files: list[Path], result: RunResult, staging: _Staging,
                    keep_text: bool, keep: bool = True, build_graph: bool = False) -> None:
    """Stream the corpus (see :func:`_stage_corpus`). With ``keep`` the slim posts and links
    are kept for the later stages; without, only totals, and with ``build_graph`` the graph is
    built chunk by chunk (:class:`~netanalysis.graph.GraphBuilder`), the chunks' slim posts and
    links going to a temporary file in case their ids turn out not to be in natural order."""
    from netanalysis.extract import batch as extract_batch
    from netanalysis.extract.batch import ChunkExtractor, extract_chunks, post_rows
    from netanalysis.ingest.partitions import absorb, iter_parts

    s = p.settings
    work = ChunkExtractor(p.registry, countries=s.countries, exclude=s.exclude, unit=s.unit,
                          excerpts=keep_text)
    slim: list[dict[str, Any]] = []
    links: dict[str, list[np.ndarray]] = {"post": [], "entity": [], "unit": []}
    kinds: dict[str, int] = {}
    totals = _Totals()
    done = chunks = 0
    builder = spare = None
    if not keep and build_graph:
        from netanalysis.graph import GraphBuilder

        builder = GraphBuilder(work.entities, unit=s.unit, min_weight=s.min_weight, exclude=s.exclude,
                               labels=p.registry.label)
        spare = _Spare(staging.dir)
    # the file stats each partition's counts go to, in the order the work goes out (and comes back)
    targets: collections.deque = collections.deque()
    warned: set[str] = set()

    def work_items():
        for item, file_stats in iter_parts(files, s.format, options=_read_options(s), stats=result.stats,
                                           size=extract_batch.CHUNK):
            targets.append(file_stats)
            yield item if file_stats is not None else post_rows(item)

    with open(staging.path("posts.csv"), "wb") as posts_out, \
            open(staging.path("mentions.csv"), "wb") as mentions_out:
        posts_out.write((",".join(POST_COLUMNS) + "\n").encode())
        mentions_out.write((",".join(MENTION_COLUMNS) + "\n").encode())
        for chunk in extract_chunks(work_items(), work, jobs=s.jobs, engine=s.engine, scheduler=s.scheduler):
            target = targets.popleft()
            if chunk.read is not None:
                absorb(target, chunk.read, warned)
            posts_out.write(chunk.posts_csv)
            mentions_out.write(chunk.mentions_csv)
            if keep:
                slim.append(chunk.slim)
                links["post"].append(chunk.links["post"] + np.int32(done))
                links["entity"].append(chunk.links["entity"])
                if "unit" in chunk.links:
                    links["unit"].append(chunk.links["unit"])
            else:
                totals.add(chunk.slim)
            if builder is not None:
                spare.add(chunk, done)
                if builder.in_order:
                    builder.add(chunk.links, chunk.slim["post_id"], _datetimes(chunk.slim["date"]))
            for kind, n in chunk.kinds.items():
                kinds[kind] = kinds.get(kind, 0) + n
            done += chunk.posts
            chunks += 1
            if chunks % 25 == 0:  # freed text of past chunks back to the system
                _release_memory(collect=False)
            if p.on_posts is not None:
                p.on_posts(chunk.posts)
    if builder is not None:
        p.graph = builder.graph()
        if p.graph is None:  # ids in no order: build from the whole tables after all
            log.info("post ids are neither in natural order nor in its reverse: the graph is built "
                     "from all links at once")
            slim, links = spare.read()
            keep = True
        spare.close()
        del builder
    if not keep:
        p.totals, p.mention_kinds = totals, kinds
        return
    p.posts = _slim_frame(slim, keep_text)
    slim.clear()
    p.mentions = _links_frame(links, p.posts["post_id"], work.entities, s.unit)
    del links
    p.mention_kinds = kinds
    _release_memory()


class _Spare:
    """The slim posts and links of the chunks, on disk (two Arrow IPC streams in the staging
    folder, removed by :meth:`close`): what a graph built chunk by chunk falls back on."""

    def __init__(self, folder: Path):
        self.paths = {}
        for name in ("posts", "links"):
            fd, path = tempfile.mkstemp(prefix=f".{name}-", suffix=".arrows", dir=folder)
            os.close(fd)
            self.paths[name] = Path(path)
        self.writers: dict[str, Any] = {}

    def add(self, chunk, done: int) -> None:
        import pyarrow as pa

        tables = {
            "posts": pa.table({name: pa.array(values) if name == "date" else values
                               for name, values in chunk.slim.items() if name != "text"}),
            "links": pa.table({name: pa.array(values + np.int32(done) if name == "post" else values)
                               for name, values in chunk.links.items()}),
        }
        for name, table in tables.items():
            if name not in self.writers:
                self.writers[name] = pa.ipc.new_stream(str(self.paths[name]), table.schema)
            self.writers[name].write_table(table)

    def _batches(self, name: str):
        import pyarrow as pa

        self.writers.pop(name).close()
        with pa.ipc.open_stream(str(self.paths[name])) as reader:
            yield from reader

    def read(self) -> tuple[list[dict[str, Any]], dict[str, list[np.ndarray]]]:
        """The chunks' slim columns and links, as :func:`_extract_corpus` keeps them."""
        slim = []
        if "posts" in self.writers:
            for batch in self._batches("posts"):
                slim.append({name: (batch.column(name).to_numpy() if name == "date" else batch.column(name))
                             for name in batch.schema.names})
        links: dict[str, list[np.ndarray]] = {"post": [], "entity": [], "unit": []}
        if "links" in self.writers:
            for batch in self._batches("links"):
                for name in batch.schema.names:
                    links[name].append(batch.column(name).to_numpy())
        return slim, links

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()
        self.writers.clear()
        for path in self.paths.values():
            path.unlink(missing_ok=True)


def _peak_memory() -> str:
    """This process's peak resident memory, as the system reports it."""
    try:
        import resource
    except ImportError:  # not on this system
        return "unknown"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return f"{peak / (1 << 20 if sys.platform == 'darwin' else 1 << 10):.0f} MB"


def _release_memory(collect: bool = True) -> None:
    """Hand the memory freed by the streamed chunks back to the system (glibc keeps freed heap
    otherwise), so that the graph stage starts from what the links and posts really need."""
    import ctypes
    import gc

    if collect:
        gc.collect()
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def _links_frame(links: dict[str, list[np.ndarray]], post_ids: pd.Series, entities: list[tuple[str, str]],
                 unit: str) -> pd.DataFrame:
    """The country/forum links as a mentions-like table with categorical columns (a few bytes a row).

    ``post_id`` and ``entity`` are categoricals over the corpus's post ids and the registry's
    entities, so the table costs about 10 bytes per link rather than three Python strings.
    """
    def joined(name: str) -> np.ndarray:
        return np.concatenate(links[name]) if links[name] else np.zeros(0, dtype=np.int32)

    post, entity = joined("post"), joined("entity")
    kind_code = np.array([kind == "forum" for kind, _ in entities], dtype=np.int8)
    # a country code and a forum id may be spelt alike (AU): the categories are the distinct names
    names, name_code = np.unique(np.array([name for _, name in entities], dtype=object), return_inverse=True)
    name_code = name_code.astype(np.int16 if len(names) < 2**15 else np.int32)
    extra = {unit: joined("unit")} if unit != "post" else {}
    return _coded_links(post, kind_code[entity], name_code[entity], list(names), post_ids, extra)


def _coded_links(post: np.ndarray, kind: np.ndarray, entity: np.ndarray, entity_names: list[str],
                 post_ids: pd.Series, extra: dict[str, np.ndarray]) -> pd.DataFrame:
    """The links table from its code arrays: ``post`` indexes ``post_ids``, ``kind`` is 0 for
    country and 1 for forum, ``entity`` indexes ``entity_names``; ``extra`` adds columns."""
    ids = pd.Index(post_ids, dtype="str")
    if _distinct(ids):
        post_col = pd.Categorical.from_codes(post, dtype=_unchecked_categories(ids), validate=False)
    else:  # post ids are unique across inputs; this keeps a hand-made corpus with repeats working
        post_col = ids.take(post)
    frame = pd.DataFrame({
        "post_id": post_col,
        "kind": pd.Categorical.from_codes(kind, categories=["country", "forum"]),
        "entity": pd.Categorical.from_codes(entity, categories=pd.Index(entity_names, dtype="str")),
    })
    for name, values in extra.items():
        frame[name] = values
    frame.attrs["distinct_links"] = True  # one row per post, entity (and unit): no need to drop repeats
    return frame


def _distinct(ids: pd.Index) -> bool:
    """Whether the post ids are all different, counted by Arrow (pandas' ``is_unique`` would
    keep a hash table of every id alive with the index: some 120 MB per million posts)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        values = pa.array(ids.array)
    except (TypeError, ValueError, pa.ArrowException):
        return bool(ids.is_unique)
    return pc.count_distinct(values, mode="all").as_py() == len(values)


def _unchecked_categories(ids: pd.Index) -> pd.CategoricalDtype:
    """The categorical dtype of ``ids`` (known to be distinct) without pandas checking them again."""
    fastpath = getattr(pd.CategoricalDtype, "_from_fastpath", None)
    return fastpath(ids, False) if fastpath is not None else pd.CategoricalDtype(ids)


# The mentions cache -------------------------------------------------------------------------

#: Settings that change which mentions a corpus gives (the cache key holds them all), and the
#: unit (paragraph and sentence indices are computed while the text is at hand).
_EXTRACTION_SETTINGS = ("format", "encoding", "strict", "dedupe", "channel", "tz", "text_col", "date_col",
                        "id_col", "channel_col", "countries", "exclude", "unit")
_CACHE_DONE = "complete"


def _cache_dir(p: Pipeline, files: list[Path], s) -> Path:
    """Where the extraction of these inputs, this registry and these options is cached.

    The key is the inputs' content (sha256), the registry's fingerprint, every setting that
    changes extraction and the package version, so a stale entry is never read. The folder is
    ``$NETANALYSIS_CACHE_DIR`` or ``.netanalysis-cache`` in the working directory; an entry
    holds ``posts.csv`` and ``mentions.csv`` as written, the slim posts as Parquet and the links
    as code arrays (:func:`_save_links`).
    """
    key = hashlib.sha256()
    for f in files:
        key.update(_sha256(f).encode())
    key.update(p.registry.fingerprint().encode())
    options = {k: v for k, v in s.to_dict().items() if k in _EXTRACTION_SETTINGS}
    key.update(json.dumps(options, sort_keys=True).encode())
    key.update(__version__.encode())
    folder = Path(os.environ.get("NETANALYSIS_CACHE_DIR", ".netanalysis-cache"))
    return folder / f"corpus-{key.hexdigest()[:40]}"


def _store_cached_corpus(p: Pipeline, cache: Path, result: RunResult, staging: _Staging) -> None:
    import pickle
    import shutil

    tmp = Path(tempfile.mkdtemp(prefix=f".{cache.name}.", dir=_mkdir(cache.parent)))
    try:
        for name in ("posts.csv", "mentions.csv"):
            shutil.copyfile(staging.dir / name, tmp / name)
        p.posts.to_parquet(tmp / "posts.parquet", index=False)  # (text: only its start, if kept)
        _save_links(p.mentions, tmp)
        with open(tmp / "stats.pickle", "wb") as fh:
            pickle.dump((result.stats, p.mention_kinds), fh)
        (tmp / _CACHE_DONE).write_text("", encoding="utf-8")
        if cache.exists():
            shutil.rmtree(cache)
        os.replace(tmp, cache)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _load_cached_corpus(p: Pipeline, cache: Path, result: RunResult, staging: _Staging,
                        keep_text: bool) -> None:
    import pickle
    import shutil

    for name in ("posts.csv", "mentions.csv"):
        shutil.copyfile(cache / name, staging.path(name))
    with open(cache / "stats.pickle", "rb") as fh:
        result.stats, p.mention_kinds = pickle.load(fh)
    posts = pd.read_parquet(cache / "posts.parquet")
    if keep_text and "text" not in posts.columns:  # stored by a command without the explorer
        trimmed: list[str] = []
        for part in pd.read_csv(cache / "posts.csv", usecols=["text"], dtype="str", keep_default_na=False,
                                chunksize=50_000):
            trimmed += [trim_for_excerpt(t) for t in part["text"]]
        posts["text"] = pd.array(trimmed, dtype="str")
    elif not keep_text:
        posts = posts.drop(columns=["text"], errors="ignore")
    p.posts = posts
    p.mentions = _load_links(cache, posts["post_id"])


def _save_links(links: pd.DataFrame, folder: Path) -> None:
    """Store the links as their code arrays (``.npy``) and category names (JSON): read back
    without the copies a Parquet round trip of categoricals makes (hundreds of MB at 1M posts)."""
    if not isinstance(links["post_id"].dtype, pd.CategoricalDtype):  # the rare repeated-id corpus
        links.to_parquet(folder / "links.parquet", index=False)
        return
    extra = [c for c in links.columns if c not in ("post_id", "kind", "entity")]
    for name in ("post_id", "kind", "entity"):
        np.save(folder / f"links.{name}.npy", links[name].array.codes)
    for name in extra:
        np.save(folder / f"links.{name}.npy", links[name].to_numpy())
    meta = {"kind": list(links["kind"].cat.categories), "entity": list(links["entity"].cat.categories),
            "extra": extra}
    (folder / "links.json").write_text(json.dumps(meta), encoding="utf-8")


def _load_links(folder: Path, post_ids: pd.Series) -> pd.DataFrame:
    if (folder / "links.parquet").is_file():
        return pd.read_parquet(folder / "links.parquet")
    meta = json.loads((folder / "links.json").read_text(encoding="utf-8"))
    codes = {name: np.load(folder / f"links.{name}.npy") for name in ("post_id", "kind", "entity", *meta["extra"])}
    return _coded_links(codes.pop("post_id"), codes.pop("kind"), codes.pop("entity"), meta["entity"],
                        post_ids, codes)


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _stage_graph(p: Pipeline, files, result: RunResult, staging: _Staging) -> None:
    from netanalysis.analysis import centrality_table
    from netanalysis.graph import co_mention_graph, write_edges_csv, write_gexf, write_graphml

    s = p.settings
    if p.graph is None:  # (built while the corpus streamed, when nothing else needs the links)
        p.graph = co_mention_graph(p.mentions, p.posts, unit=s.unit, min_weight=s.min_weight,
                                   exclude=s.exclude, labels=p.registry.label)
    p.nodes = centrality_table(p.graph, seed=s.seed)
    write_edges_csv(p.graph, staging.path("edges.csv"))
    write_csv(p.nodes, staging.path("nodes.csv"))
    write_gexf(p.graph, staging.path("graph.gexf"))
    write_graphml(p.graph, staging.path("graph.graphml"))
    result.counts["nodes"] = {k: int(v) for k, v in sorted(p.nodes["kind"].value_counts().items())}
    result.counts["edges"] = int(p.graph.number_of_edges())


def _stage_timeline(p: Pipeline, files, result: RunResult, staging: _Staging) -> None:
    from netanalysis.analysis.changes import changes_table
    from netanalysis.analysis.timeline import graphs_over_time, timeline_table
    from netanalysis.dynamic_gexf import write_dynamic_gexf

    s = p.settings
    p.windows = graphs_over_time(p.mentions, p.posts, freq=s.freq, window=s.window, step=s.step,
                                 cumulative=s.cumulative, unit=s.unit, exclude=s.exclude,
                                 min_weight=s.min_weight, labels=p.registry.label,
                                 post_ids=False)  # no window output lists post ids
    p.timeline = timeline_table(p.windows, seed=s.seed)
    p.changes = changes_table(p.timeline, p.windows)
    write_csv(p.timeline, staging.path("timeline.csv"))
    write_csv(p.changes, staging.path("changes.csv"))
    # The graph.gexf of a timeline run carries time spells for Gephi's timeline (replaces the static one).
    write_dynamic_gexf(p.windows, staging.path("graph.gexf"), graph=p.graph, timeline=p.timeline)
    attrs = {**getattr(p.windows, "attrs", {}), **p.timeline.attrs}
    result.counts["windows"] = len(p.windows)
    for key in ("undated_posts", "inferred_posts", "posts_outside_windows", "unmatched_mentions"):
        if key in attrs:
            result.counts[f"timeline_{key}"] = int(attrs[key])


def _stage_figures(p: Pipeline, files, result: RunResult, staging: _Staging) -> None:
    from netanalysis.render import figures as fig

    s = p.settings
    style = dict(size=s.fig_size, font_size=s.font_size)
    made = {
        "network_bipartite": lambda: fig.plot_network(p.graph, layout="bipartite", centrality=p.nodes,
                                                      seed=s.seed, **style),
        "network_force": lambda: fig.plot_network(p.graph, layout="force", centrality=p.nodes,
                                                  color_by="community", seed=s.seed, **style),
        "heatmap": lambda: fig.plot_heatmap(p.graph, **style),
    }
    if p.timeline is not None and len(p.windows or []) > 0:
        labels = {n: d.get("label", n) for n, d in p.graph.nodes(data=True)}
        # The time figures place a window by its start; cumulative windows all share one start,
        # so they are placed by their (exclusive) end: "everything up to this date".
        timeline = (p.timeline.assign(window_start=p.timeline["window_end"]) if s.cumulative
                    else p.timeline)
        made["centrality_over_time"] = lambda: fig.plot_centrality_over_time(
            timeline, metric=s.metric, top=min(s.top, 8), labels=labels, **style)
        made["rank_changes"] = lambda: fig.plot_rank_changes(timeline, metric=s.metric, top=s.top,
                                                             labels=labels, **style)
        made["network_by_window"] = lambda: fig.plot_network_small_multiples(p.windows, seed=s.seed, **style)
    for stem, build in made.items():
        figure = build()
        for fmt in s.formats:
            fig.save_figure(figure, staging.path(f"figures/{stem}.{fmt}").with_suffix(""), formats=(fmt,))
        p.figures.append(stem)
    result.counts["figures"] = len(p.figures)


def _stage_explorer(p: Pipeline, files, result: RunResult, staging: _Staging) -> None:
    from netanalysis.render.explorer import write_explorer

    write_explorer(p.graph, staging.path("network.html"), centrality=p.nodes, posts=p.posts,
                   seed=p.settings.seed)


def _stage_page(p: Pipeline, files, result: RunResult, staging: _Staging) -> None:
    from netanalysis.render.report_page import report_html

    listed = sorted(set(staging.files) | {"report.html", "manifest.json"})
    page = report_html(p, result, files=listed)
    with atomic_write(staging.path("report.html"), "w", encoding="utf-8") as fh:
        fh.write(page)


STAGES: dict[str, Callable[..., None]] = {
    "corpus": _stage_corpus,
    "graph": _stage_graph,
    "timeline": _stage_timeline,
    "figures": _stage_figures,
    "explorer": _stage_explorer,
    "page": _stage_page,
}


def run(command: str, inputs: list, out_dir: Path, settings=None, *, progress=None,
        on_posts: Callable[[int], None] | None = None) -> RunResult:
    """Run the stages of ``command`` (parse, graph, timeline, plot, explore, report) over
    ``inputs`` and write their files into ``out_dir``.

    ``progress``, if given, is called with each stage's name before it starts; ``on_posts``
    with the number of posts of each chunk as it is done.
    Nothing is moved into ``out_dir`` unless every stage succeeded.
    """
    from netanalysis.config import Settings

    settings = settings or Settings()
    files = expand_inputs(inputs)
    result = RunResult(Path(out_dir), command, settings.to_dict(), files, seed=settings.seed)
    staging = _Staging(Path(out_dir))
    pipeline = Pipeline(settings, on_posts=on_posts)
    try:
        for stage in COMMAND_STAGES[command]:
            if progress is not None:
                progress(stage)
            log.info("stage %s", stage)
            began = time.perf_counter()
            STAGES[stage](pipeline, files, result, staging)
            log.info("stage %s took %.1f s; peak memory so far %s", stage, time.perf_counter() - began,
                     _peak_memory())
        staging.commit()
    except BaseException:
        staging.discard()
        raise
    result.files = sorted(staging.files)
    result.pipeline = pipeline
    write_manifest(result)
    return result
