"""The mention table: :class:`~netanalysis.extract.engine.Extractor` over many posts, optionally in parallel."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pandas as pd

from netanalysis.errors import ConfigError
from netanalysis.extract.engine import COUNTRY_SOURCES, Extractor
from netanalysis.model import DEFAULT_FORMS, MENTION_COLUMNS, Exclusion, Post
from netanalysis.parallel import CHUNK, map_ordered, worker_count

if TYPE_CHECKING:  # pragma: no cover
    from netanalysis.registry import Registry

__all__ = ["extract_mentions"]


def extract_mentions(
    posts: pd.DataFrame | Iterable[Post],
    registry: Registry | None = None,
    *,
    countries: Iterable[str] | str = COUNTRY_SOURCES,
    exclude: Exclusion | Iterable[str] | str = (),
    tags: bool = True,
    forms: Iterable[str] | str = DEFAULT_FORMS,
    jobs: int = 1,
) -> pd.DataFrame:
    """Return the mention table of ``posts``.

    Parameters
    ----------
    posts : DataFrame or iterable of Post
        A posts table with at least the columns ``post_id`` and ``text`` (as
        :func:`netanalysis.read_posts` returns), or :class:`~netanalysis.model.Post` objects.
    registry : Registry, optional
        The bundled registry when omitted.
    countries, exclude, tags, forms
        As for :class:`~netanalysis.extract.Extractor` (``forms``: which forms of mention are kept,
        by default every form but ``metonymy``).
    jobs : int, default 1
        Processes to extract with (0: one per core). The table is the same whatever ``jobs``
        is; fewer than ``2 * CHUNK`` posts are always read in this process.

    Returns
    -------
    DataFrame
        Exactly the columns of :data:`~netanalysis.model.MENTION_COLUMNS`; one row per
        occurrence, in post order, then by start, kind and entity. ``form`` says how the
        mention names its entity (``name``, ``acronym``, ``adjective``, ``demonym``,
        ``metonymy``, ``flag``, ``hashtag``, ``pair_hashtag``). ``start``/``end`` are int64
        offsets into the post's ``text`` (Python string indices). Posts without text give no rows.

    Raises
    ------
    ConfigError
        Invalid options (see :class:`~netanalysis.extract.Extractor`), a negative ``jobs``, or
        a posts table without ``post_id``/``text``.

    Examples
    --------
    >>> from netanalysis.model import Post
    >>> post = Post("p1", "mfa", None, "none", "🇷🇺🇨🇳 At the #UN and #BRICS", "demo:1")
    >>> extract_mentions([post])[["entity", "form", "surface"]].values.tolist()
    [['RU', 'flag', '🇷🇺'], ['CN', 'flag', '🇨🇳'], ['UN', 'hashtag', '#UN'], ['BRICS', 'hashtag', '#BRICS']]
    """
    options: dict[str, Any] = {"countries": countries, "exclude": exclude, "tags": tags, "forms": forms}
    extractor = Extractor(registry, **options)  # validates the options in this process
    pairs = _post_texts(posts)
    workers = worker_count(jobs)
    if workers > 1 and len(pairs) >= 2 * CHUNK:
        if registry is None:
            from netanalysis.registry import load_registry

            registry = load_registry()
        chunks = [pairs[i : i + CHUNK] for i in range(0, len(pairs), CHUNK)]
        # frames travel back as column buffers: far cheaper than millions of small objects
        parts = list(map_ordered(_TableWork(registry, options), chunks, jobs=min(workers, len(chunks))))
        parts = [part for part in parts if len(part)] or [_extract_chunk(extractor, [])]
        return pd.concat(parts, ignore_index=True)
    return _extract_chunk(extractor, pairs)


def _post_texts(posts: pd.DataFrame | Iterable[Post]) -> list[tuple[object, str]]:
    if isinstance(posts, pd.DataFrame):
        missing = [c for c in ("post_id", "text") if c not in posts.columns]
        if missing:
            raise ConfigError(f"posts table lacks column(s) {', '.join(missing)}")
        items: Iterable[tuple[Any, Any]] = zip(posts["post_id"].tolist(), posts["text"].tolist())
    else:
        items = ((p.post_id, p.text) for p in posts)
    return [(pid, text) for pid, text in items if isinstance(text, str) and text]


class _TableWork:
    """The mention rows of a chunk of (post id, text) pairs, in a worker (the extractor is
    compiled there on first use)."""

    def __init__(self, registry: Registry, options: dict):
        self.registry, self.options = registry, options
        self.extractor: Extractor | None = None

    def __call__(self, pairs: list[tuple[object, str]]) -> pd.DataFrame:
        if self.extractor is None:
            self.extractor = Extractor(self.registry, **self.options)
        return _extract_chunk(self.extractor, pairs)


def _extract_chunk(extractor: Extractor, pairs: list[tuple[object, str]]) -> pd.DataFrame:
    columns: list[list] = [[] for _ in MENTION_COLUMNS]
    post_col, kind_col, entity_col, via_col, form_col, surface_col, start_col, end_col = columns
    extract = extractor.extract
    for post_id, text in pairs:
        for kind, entity, via, form, surface, start, end in extract(text):
            post_col.append(post_id)
            kind_col.append(kind)
            entity_col.append(entity)
            via_col.append(via)
            form_col.append(form)
            surface_col.append(surface)
            start_col.append(start)
            end_col.append(end)
    frame = pd.DataFrame(dict(zip(MENTION_COLUMNS, columns)))
    for name in ("start", "end"):
        frame[name] = frame[name].astype("int64")
    return frame
