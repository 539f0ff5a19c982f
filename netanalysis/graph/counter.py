"""The co-mention counter: batches of coded links in, pair counts and the graph out.

:class:`CoMentionCounter` is the one place where co-mentions are counted. Both faces use it:
:func:`~netanalysis.graph.co_mention_graph` adds the whole corpus as one batch, the command
line adds a batch per chunk of posts as they stream by, so no table of all posts or links is
needed to build the graph. Each batch's links are paired (every entity of side ``a`` with every
entity of side ``b`` named in the same unit) about :data:`PAIR_SLICE` rows at a time; the counter
adds up weights, the units naming each entity, the number of units and first and last dates, and
keeps each edge's posts as int32 codes gathered by edge (:mod:`netanalysis.graph.post_ids`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from netanalysis.errors import ConfigError
from netanalysis.graph.coding import Batch, Entities
from netanalysis.graph.measures import assemble
from netanalysis.graph.membership import annotate_statuses, post_days
from netanalysis.graph.post_ids import CodeStore, PostIdCollector, PostIds, Run, piece
from netanalysis.model import NO_DATE, SIDES, UNITS, Exclusion
from netanalysis.registry.memberships import Memberships

__all__ = ["CoMentionCounter", "PAIR_SLICE"]

#: Link rows paired at once, and (edge, post) pairs gathered by edge at once (bounds memory).
PAIR_SLICE = 500_000
_NEVER = np.iinfo(np.int64).max


def check_options(unit: str, min_weight: int) -> None:
    if unit not in UNITS:
        raise ConfigError(f"unknown unit {unit!r}; choose one of {', '.join(UNITS)}")
    if isinstance(min_weight, bool) or not isinstance(min_weight, (int, np.integer)) or min_weight < 1:
        raise ConfigError(f"min_weight must be a whole number >= 1, not {min_weight!r}")


class CoMentionCounter:
    """Count co-mentions of entity pairs over batches of posts.

    Parameters
    ----------
    entities : tuple of (kind, id)
        What the batches' entity codes stand for.
    unit : {"post", "paragraph", "sentence"}
    min_weight : int
        :meth:`graph` drops lighter edges (and nodes left without edges).
    exclude : Exclusion or iterable of str
        Entities left out before anything is counted.
    labels : callable, optional
        ``labels(kind, entity) -> str`` for node labels.
    post_ids : bool, default True
        Keep each edge's post ids.
    sides : (str, str)
        The kinds paired: ``("country", "forum")`` for the bipartite graph, ``("country",
        "country")`` or ``("forum", "forum")`` for the one-mode ties of a projection.
    memberships : Memberships, optional
        Label every country-forum edge with the country's status in the forum on its posts'
        dates (``status``, ``posts_by_status``: :mod:`netanalysis.graph.membership`); needs
        ``post_ids``.

    Examples
    --------
    >>> import pyarrow as pa
    >>> batch = Batch(post_ids=pa.array(["p1", "p2"]), dates=np.array([0, 0]),
    ...               post=np.array([0, 0, 1], dtype=np.int32), entity=np.array([0, 1, 0], dtype=np.int16),
    ...               entities=(("country", "CN"), ("forum", "BRICS")))
    >>> counter = CoMentionCounter(batch.entities)
    >>> counter.add(batch)
    >>> G = counter.graph()
    >>> G.edges["country:CN", "forum:BRICS"]["weight"], list(G.edges["country:CN", "forum:BRICS"]["post_ids"])
    (1, ['p1'])
    """

    def __init__(
        self,
        entities: Entities,
        *,
        unit: str = "post",
        min_weight: int = 1,
        exclude: Exclusion | Any = (),
        labels: Callable[[str, str], str] | None = None,
        post_ids: bool = True,
        sides: tuple[str, str] = ("country", "forum"),
        memberships: Memberships | None = None,
    ):
        check_options(unit, min_weight)
        self.memberships = memberships if post_ids else None
        self._days: list[np.ndarray] = []
        self.unit, self.min_weight, self.labels, self.keep_ids = unit, int(min_weight), labels, post_ids
        self.exclusion = Exclusion.parse(exclude)
        self.sides = (SIDES[sides[0]], SIDES[sides[1]])
        self.entities = tuple(entities)
        names = np.array(sorted({name for _, name in self.entities}), dtype=object)
        position = {name: i for i, name in enumerate(names)}
        self.names = names
        self._name = np.array([position[name] for _, name in self.entities], dtype=np.int32)
        self._side = np.array([SIDES.get(kind, -1) for kind, _ in self.entities], dtype=np.int8)
        self._keep = np.array(
            [kind in SIDES and not self.exclusion.matches(kind, name) for kind, name in self.entities], dtype=bool
        )
        n_keys = len(names) * len(names)
        self._weight = np.zeros(n_keys, dtype=np.int64)
        self._first = np.full(n_keys, _NEVER, dtype=np.int64)
        self._last = np.full(n_keys, NO_DATE, dtype=np.int64)
        self._units_naming = np.zeros(2 * max(len(names), 1), dtype=np.int64)
        self.n_units = 0
        self.n_posts = 0
        self._ids = PostIdCollector()
        self._store = CodeStore()
        self._runs: dict[int, list[np.ndarray | Run]] = {}
        self._pending: list[tuple[np.ndarray, np.ndarray]] = []
        self._pending_pairs = 0

    def add(self, batch: Batch) -> None:
        """Count a batch (its posts must not reappear in another batch)."""
        base = self.n_posts
        self.n_posts += len(batch)
        if self.keep_ids:
            self._ids.append(batch.post_ids)
        if self.memberships is not None:
            self._days.append(post_days(batch.dates))
        keep = self._keep[batch.entity]
        entity = batch.entity[keep]
        post = batch.post[keep].astype(np.int32, copy=False)
        cols = {"post": post, "side": self._side[entity], "entity": self._name[entity]}
        if self.unit == "post" or batch.unit is None:
            cols["unit"] = post.astype(np.int64)
        else:
            index = batch.unit[keep].astype(np.int64)
            cols["unit"] = post.astype(np.int64) * (int(index.max(initial=0)) + 1) + index
        cols = _in_unit_order(cols)
        self.n_units += _count_changes(cols["unit"])
        n = max(len(self.names), 1)
        self._units_naming += np.bincount(cols["side"].astype(np.int64) * n + cols["entity"], minlength=2 * n)
        for lo, hi in _slices(cols["post"], PAIR_SLICE):
            pair_key, codes = self._pair({k: v[lo:hi] for k, v in cols.items()}, batch.dates)
            if self.keep_ids:
                self._pending.append((pair_key, codes + np.int32(base)))
                self._pending_pairs += len(codes)
                if self._pending_pairs >= PAIR_SLICE:
                    self._flush()

    def _pair(self, col: dict[str, np.ndarray], dates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The (pair key, post) of a slice of unit-ordered rows, one per pair and post, sorted by
        pair then post; weights and dates are added up."""
        n_ent = max(len(self.names), 1)
        side_a, side_b = self.sides
        a_rows, b_rows = col["side"] == side_a, col["side"] == side_b
        a_unit, a_post, a_ent = col["unit"][a_rows], col["post"][a_rows], col["entity"][a_rows]
        b_unit, b_ent = col["unit"][b_rows], col["entity"][b_rows]
        # rows are in unit order, so each a row's partners are one run of b rows
        b_lo = np.searchsorted(b_unit, a_unit, side="left")
        count = np.searchsorted(b_unit, a_unit, side="right") - b_lo
        left = np.repeat(np.arange(len(a_unit)), count)
        right = np.repeat(b_lo - (np.cumsum(count) - count), count) + np.arange(len(left))
        a, b, post = a_ent[left], b_ent[right], a_post[left]
        del left, right, b_lo, count
        if side_a == side_b:
            keep = a < b
            a, b, post = a[keep], b[keep], post[keep]
        key = a.astype(np.int64) * n_ent + b
        n_keys = n_ent * n_ent
        self._weight += np.bincount(key, minlength=n_keys)
        # a stable sort by pair keeps the posts in order (a radix sort when keys fit 16 bits)
        order = np.argsort(key.astype(np.uint16) if n_keys <= 1 << 16 else key, kind="stable")
        pair_key, post = key[order], post.astype(np.int32, copy=False)[order]
        if self.unit != "post" and len(post):  # several units of one post may pair a and b
            first = np.concatenate(([True], (pair_key[1:] != pair_key[:-1]) | (post[1:] != post[:-1])))
            pair_key, post = pair_key[first], post[first]
        if len(post):
            starts = np.concatenate(([0], np.flatnonzero(np.diff(pair_key)) + 1))
            present = pair_key[starts]
            day = dates[post]
            lo_d = np.minimum.reduceat(np.where(day == NO_DATE, _NEVER, day), starts)
            hi_d = np.maximum.reduceat(day, starts)
            self._first[present] = np.minimum(self._first[present], lo_d)
            self._last[present] = np.maximum(self._last[present], hi_d)
        return pair_key, post

    def _flush(self) -> None:
        """Gather the pending (pair, post) codes by pair (posts stay in order): one run per
        pair, in memory or in the temporary file."""
        if not self._pending:
            return
        key = np.concatenate([k for k, _ in self._pending])
        codes = np.concatenate([c for _, c in self._pending])
        self._pending, self._pending_pairs = [], 0
        if not len(key):
            return
        order = np.argsort(key, kind="stable")
        key, codes = key[order], codes[order]
        del order
        block = self._store.keep(codes)
        cuts = (np.flatnonzero(np.diff(key)) + 1).tolist()
        for lo, hi in zip([0, *cuts], [*cuts, len(key)]):
            self._runs.setdefault(int(key[lo]), []).append(piece(block, lo, hi))

    def units_naming(self, side: int, name: str) -> int:
        """How many units name the entity ``name`` of ``side`` (0 country, 1 forum)."""
        at = int(np.searchsorted(self.names, name))
        return int(self._units_naming[side * max(len(self.names), 1) + at])

    def pairs(self) -> pd.DataFrame:
        """The pairs counted: ``entity_a, entity_b, weight, [post_ids,] first_date, last_date``,
        sorted by ``entity_a, entity_b``."""
        self._flush()
        n_ent = max(len(self.names), 1)
        found = np.flatnonzero(self._weight)
        out = pd.DataFrame(
            {
                "entity_a": self.names[found // n_ent],
                "entity_b": self.names[found % n_ent],
                "weight": self._weight[found],
            }
        )
        if self.keep_ids:
            table = self._ids.table()
            out["post_ids"] = [PostIds(self._runs.get(int(k), []), table) for k in found]
            self._runs = {}
        first, last = self._first[found], self._last[found]
        out["first_date"] = _days(first, first == _NEVER)
        out["last_date"] = _days(last, last == NO_DATE)
        return out

    def post_days(self) -> np.ndarray:
        """The UTC day of every post added, in the order added (int32,
        :data:`~netanalysis.graph.membership.UNDATED` for none); kept only with ``memberships``."""
        return np.concatenate(self._days) if self._days else np.zeros(0, dtype=np.int32)

    def graph(self) -> Any:
        """The bipartite co-mention graph of what was added (see
        :func:`~netanalysis.graph.co_mention_graph`)."""
        G = assemble(
            self.pairs(),
            self.units_naming,
            self.n_units,
            unit=self.unit,
            min_weight=self.min_weight,
            exclude=str(self.exclusion),
            labels=self.labels,
            post_ids=self.keep_ids,
        )
        if self.memberships is not None:
            annotate_statuses(G, self.post_days(), self.memberships)
        return G


def _count_changes(unit: np.ndarray) -> int:
    """The number of distinct values of a sorted array."""
    return 0 if not len(unit) else 1 + int(np.count_nonzero(unit[1:] != unit[:-1]))


def _in_unit_order(cols: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The rows sorted by ``unit`` (stable; as they are when already sorted)."""
    unit = cols["unit"]
    if len(unit) < 2 or bool(np.all(unit[1:] >= unit[:-1])):
        return cols
    order = np.argsort(unit, kind="stable")
    return {name: values[order] for name, values in cols.items()}


def _slices(post: np.ndarray, size: int) -> list[tuple[int, int]]:
    """Row ranges of about ``size`` rows that never split one post's rows (``post`` is sorted)."""
    bounds, start, n = [], 0, len(post)
    while start < n:
        end = min(start + size, n)
        if end < n:
            end = int(np.searchsorted(post, post[end], side="left"))
            if end <= start:
                end = int(np.searchsorted(post, post[start], side="right"))
        bounds.append((start, end))
        start = end
    return bounds


def _days(values: np.ndarray, missing: np.ndarray) -> list[str]:
    text = np.datetime_as_string(np.where(missing, 0, values).astype("datetime64[us]"), unit="D")
    return ["" if gone else day for day, gone in zip(text.tolist(), missing.tolist())]
