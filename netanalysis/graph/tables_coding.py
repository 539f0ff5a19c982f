"""The Python API's mention and post tables coded as one :class:`~netanalysis.graph.coding.Batch`
(:func:`from_tables`), and each post's number of paragraphs or sentences (:func:`units_per_post`):
how a library call reaches the same counter as the command line's streamed batches.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd
import pyarrow as pa

from netanalysis.errors import ConfigError, GraphError
from netanalysis.extract.units import count_units, unit_starts
from netanalysis.graph.coding import Batch, Entities, micros
from netanalysis.graph.link_starts import starts_of
from netanalysis.model import NO_DATE, SIDES, UNITS

__all__ = ["from_tables", "units_per_post"]

log = logging.getLogger(__name__)


def from_tables(
    mentions: pd.DataFrame,
    posts: pd.DataFrame | None = None,
    *,
    unit: str = "post",
    unlisted: str = "keep",
    entities: Entities | None = None,
) -> tuple[Batch, int]:
    """Code a mention table (and a posts table) as one :class:`Batch`.

    Parameters
    ----------
    mentions : DataFrame
        Columns ``post_id, kind, entity`` (rows of kind ``tag`` are ignored), and for
        paragraph and sentence units either ``start`` (with the posts' ``text``) or a column
        named after the unit holding the unit's index in its post.
    posts : DataFrame, optional
        Columns ``post_id`` and ``date`` (and ``text`` to split posts into units, or ``units``
        giving each post's number of paragraphs or sentences). The batch holds every post of
        the table (and, for paragraph or sentence units, how many units each has, when the
        table has ``text`` or ``units``); without it, every post the mentions name with a
        country or forum (then the posts naming nothing are unknown).
    unit : {"post", "paragraph", "sentence"}
    unlisted : {"keep", "drop"}
        What to do with mentions of posts missing from ``posts``: keep them (undated) or
        leave them out.
    entities : tuple of (kind, id), optional
        Code the entities as these (a counter's :attr:`~CoMentionCounter.entities`, so that
        batches of several tables add up); by default, the entities the mentions name, sorted.

    Returns
    -------
    (Batch, int)
        The batch and the number of mention rows naming a post missing from ``posts``.
    """
    if unit not in UNITS:
        raise ConfigError(f"unknown unit {unit!r}; choose one of {', '.join(UNITS)}")
    split = unit != "post" and unit not in mentions.columns
    _require(mentions, ["post_id", "kind", "entity"] + (["start"] if split else []), "mentions")
    if posts is not None:
        _require(posts, ["post_id"] + (["text"] if split else []), "posts")
    listed = _post_table(posts)
    unlisted_rows = 0
    if listed is not None and len(mentions):
        missing = ~pd.Index(mentions["post_id"].astype(str)).isin(listed.index)
        unlisted_rows = int(missing.sum())
        if unlisted_rows and unlisted == "drop":
            mentions = mentions[~missing]
    m = mentions[mentions["kind"].isin(list(SIDES)).to_numpy()]
    blank = m["post_id"].isna().to_numpy() | m["entity"].isna().to_numpy()
    if blank.any():
        log.warning("ignoring %d country/forum mention(s) without a post_id or entity", int(blank.sum()))
        m = m[~blank]
    ids = m["post_id"].astype(str)
    if listed is None:
        codes, names = pd.factorize(ids)
        id_index = pd.Index(names, dtype="str")
        dates = np.full(len(id_index), NO_DATE, dtype=np.int64)
    else:
        extra = pd.Index(pd.unique(ids[~ids.isin(listed.index)]), dtype="str")
        id_index = listed.index.append(extra) if len(extra) else listed.index
        codes = id_index.get_indexer(ids)
        dates = np.concatenate([listed["date"].to_numpy(), np.full(len(extra), NO_DATE, dtype=np.int64)])
    pairs = pd.MultiIndex.from_arrays([m["kind"].astype(str), m["entity"].astype(str)])
    if entities is None:
        entity_codes, found = pd.factorize(pairs, sort=True)
        entities = tuple((str(k), str(e)) for k, e in found)
    else:
        entity_codes = pd.MultiIndex.from_tuples(list(entities)).get_indexer(pairs)
        if (entity_codes < 0).any():
            unknown = sorted({f"{k}:{e}" for (k, e), c in zip(pairs, entity_codes) if c < 0})
            raise GraphError(f"mentions of entities the counter does not know: {', '.join(unknown[:5])}")
    if unit == "post":
        index = None
    elif not split:
        index = m[unit].to_numpy(np.int64)
    else:
        index = _unit_index(id_index, codes, m["start"], posts, unit)
    post, entity, unit_index = _distinct(codes.astype(np.int64), entity_codes.astype(np.int64), index, len(entities))
    # (only when every post of the mentions is in the table are all their units known)
    units = _units_per_post(posts, id_index, unit) if listed is not None and len(id_index) == len(listed) else None
    if units is not None and unit_index is not None and len(post) and (unit_index >= units[post]).any():
        raise GraphError(f"a mention names a {unit} beyond the number of {unit}s of its post")
    batch = Batch(
        post_ids=pa.array(np.asarray(id_index, dtype=object), type=pa.string()),
        dates=dates,
        start=starts_of(post, len(id_index)),
        entity=entity,
        entities=entities,
        unit=unit_index,
        units=units,
    )
    return batch, unlisted_rows


def _units_per_post(posts: pd.DataFrame | None, ids: pd.Index, unit: str) -> np.ndarray | None:
    """Each listed post's number of paragraphs or sentences (from a ``units`` column or its
    ``text``), in the order of ``ids``; ``None`` for post units or when neither column is there."""
    if unit == "post" or posts is None:
        return None
    first = ~posts["post_id"].astype(str).duplicated().to_numpy()
    counts = units_per_post(posts[first], unit, required=False)
    if counts is None:
        return None
    order = pd.Index(posts["post_id"].astype(str)[first]).get_indexer(ids)
    return counts[order].astype(np.int32)


def units_per_post(posts: pd.DataFrame, unit: str, *, required: bool = True) -> np.ndarray | None:
    """The number of units of each post: 1 for posts, else the ``units`` column or the count of
    paragraphs or sentences of ``text`` (:func:`~netanalysis.extract.units.count_units`).

    Raises
    ------
    ConfigError
        If ``units`` holds something else than whole numbers >= 1, or (with ``required``) the
        table has neither ``units`` nor ``text``; without ``required`` that gives ``None``.

    Examples
    --------
    >>> units_per_post(pd.DataFrame({"text": ["One.\\nTwo", ""]}), "paragraph").tolist()
    [2, 1]
    """
    if unit == "post":
        return np.ones(len(posts), dtype=np.int64)
    if "units" in posts.columns:
        values = pd.to_numeric(posts["units"], errors="coerce")
        if values.isna().any() or (values < 1).any() or (values != values.round()).any():
            raise ConfigError("the posts' 'units' column must hold whole numbers >= 1")
        return values.to_numpy(np.int64)
    if "text" in posts.columns:
        return np.array([count_units(t if isinstance(t, str) else "", unit) for t in posts["text"]], dtype=np.int64)
    if required:
        raise ConfigError(
            f"unit={unit!r} needs the number of {unit}s of each post: give the posts "
            "table a 'units' column or the posts' 'text'"
        )
    return None


def _require(frame: pd.DataFrame, columns: list[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise GraphError(f"the {name} table lacks column(s) {', '.join(missing)}")


def _post_table(posts: pd.DataFrame | None) -> pd.DataFrame | None:
    """Each post's date (int64 µs) indexed by its id.

    Raises
    ------
    GraphError
        When an id names two rows: their mentions could not be told apart (``read_posts``
        makes ids unique; see :mod:`netanalysis.ingest.ids`).
    """
    if posts is None:
        return None
    ids = posts["post_id"].astype(str)
    repeated = ids.duplicated(keep=False).to_numpy()
    if repeated.any():
        counts = ids[repeated].value_counts(sort=False)
        shown = ", ".join(f"{pid!r} ({n} rows)" for pid, n in list(counts.items())[:3])
        raise GraphError(
            f"the posts table repeats post ids: {len(counts)} id(s) name several rows, e.g. {shown}; "
            "their mentions cannot be told apart: give each post its own id (read_posts does: "
            "a repeated id becomes id#2) or drop the repeats"
        )
    dates = micros(posts["date"]) if "date" in posts.columns else np.full(len(posts), NO_DATE, np.int64)
    return pd.DataFrame({"date": dates}, index=pd.Index(ids, dtype="str"))


def _distinct(
    post: np.ndarray, entity: np.ndarray, index: np.ndarray | None, n_entities: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """One link per (post, unit, entity): a unit counts once however often it names one."""
    n_ent = max(n_entities, 1)
    span = 1 if index is None else int(index.max(initial=0)) + 1
    unit = post * span + (0 if index is None else index)
    key = np.unique(unit * n_ent + entity)
    unit, entity = key // n_ent, key % n_ent
    code_type = np.int16 if n_ent < 2**15 else np.int32
    return (
        (unit // span).astype(np.int32),
        entity.astype(code_type),
        None if index is None else (unit % span).astype(np.int32),
    )


def _unit_index(
    ids: pd.Index, post: np.ndarray, starts: pd.Series, posts: pd.DataFrame | None, unit: str
) -> np.ndarray:
    """The index of the paragraph or sentence of each mention, from its ``start`` offset."""
    if posts is None:
        raise ConfigError(
            f"unit={unit!r} needs the posts table (their text) to split posts into {unit}s; pass posts=..."
        )
    texts = dict(zip(posts["post_id"].astype(str), posts["text"]))
    offsets = pd.to_numeric(starts, errors="coerce").to_numpy(dtype=float)
    cache: dict[int, np.ndarray] = {}
    out = np.empty(len(post), dtype=np.int64)
    for i, (code, start) in enumerate(zip(post.tolist(), offsets.tolist())):
        if code not in cache:
            text = texts.get(ids[code])
            if not isinstance(text, str):
                raise GraphError(
                    f"post {ids[code]!r} is mentioned but has no text in the posts table (needed for unit={unit!r})"
                )
            cache[code] = np.asarray(unit_starts(text, unit))
        if math.isnan(start):
            raise GraphError(f"a mention in post {ids[code]!r} has no start offset (needed for unit={unit!r})")
        out[i] = int(np.searchsorted(cache[code], start, side="right")) - 1
    return out
