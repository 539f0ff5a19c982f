"""The co-mention counter: batches of coded links in, pair counts and the graphs out.

:class:`CoMentionCounter` is the one place where co-mentions are counted. Both faces use it:
:func:`~netanalysis.graph.co_mention_graph` adds the whole corpus as one batch, the command
line adds a batch per chunk of posts as they stream by, so no table of all posts or links is
needed to build the graph. Each batch's links are paired (every entity of side ``a`` with every
entity of side ``b`` named in the same unit) about :data:`LINK_SLICE` rows at a time; the counter
adds up weights, first and last dates, and keeps each edge's posts as int32 codes gathered by
edge (:mod:`netanalysis.graph.post_ids`). With ``projections=True`` one pass also counts the
country-country and forum-forum ties of the one-mode projections (sharing the post ids).

Beside the pairs it adds up the margins every test and measure needs
(:class:`~netanalysis.graph.measures.Margins`): the units naming each entity, the units naming
at least one entity (``topical_units``), every unit of the posts (``all_units``: the posts, or
their paragraphs or sentences as the batches count them, including those naming nothing), and
the number of entities each unit names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from netanalysis.errors import ConfigError
from netanalysis.graph.coding import Batch, Entities
from netanalysis.graph.measures import Margins, assemble, node_id
from netanalysis.graph.membership import annotate_statuses, post_days
from netanalysis.graph.post_ids import CodeStore, PostIdCollector, PostIds, PostIdTable, Run, Runs
from netanalysis.model import BASELINES, NO_DATE, SIDES, UNITS, Exclusion
from netanalysis.registry.memberships import Memberships

__all__ = ["CoMentionCounter", "LINK_SLICE", "PAIR_SLICE"]

#: Link rows paired at once (bounds memory). A time window's batch is paired a slice at a time:
#: at 200,000 benchmark posts (three windows of some 70,000 posts), building the windows'
#: graphs peaked 97-100 MiB above where it started with 500,000 rows a slice and 46-48 MiB with
#: 100,000, in 0.88 s against 0.75-0.80 s (two runs each); a corpus stage's chunk is one slice.
LINK_SLICE = 100_000
#: (edge, post) pairs gathered by edge at once: each gathering adds a piece to every edge's
#: list of posts, so fewer, larger gatherings keep less (bounds memory the other way).
PAIR_SLICE = 500_000
_NEVER = np.iinfo(np.int64).max
#: Dates made into days at once (:meth:`CoMentionCounter.post_days` of adopted dates).
DAYS_BLOCK = 1 << 20


def check_options(unit: str, min_weight: int, baseline: str = BASELINES[0]) -> None:
    if unit not in UNITS:
        raise ConfigError(f"unknown unit {unit!r}; choose one of {', '.join(UNITS)}")
    if isinstance(min_weight, bool) or not isinstance(min_weight, (int, np.integer)) or min_weight < 1:
        raise ConfigError(f"min_weight must be a whole number >= 1, not {min_weight!r}")
    if baseline not in BASELINES:
        raise ConfigError(f"unknown baseline {baseline!r}; choose one of {', '.join(BASELINES)}")


class _PairTable:
    """Weights, first and last dates and post codes of the pairs of one pair of sides.

    Pairs are keyed by the two entities' positions within their sides (``a * n_b + b``), so
    that the keys of every table fit 16 bits with the shipped registry (250 countries, 63 forums):
    the stable sorts that gather each pair's posts are then radix sorts.
    """

    def __init__(self, sides: tuple[int, int], names: tuple[np.ndarray, np.ndarray], keep_ids: bool):
        self.sides, self.names, self.keep_ids = sides, names, keep_ids
        self.n_b = max(len(names[1]), 1)
        self.n_keys = max(len(names[0]), 1) * self.n_b
        self.weight = np.zeros(self.n_keys, dtype=np.int64)
        self.first = np.full(self.n_keys, _NEVER, dtype=np.int64)
        self.last = np.full(self.n_keys, NO_DATE, dtype=np.int64)
        self.store = CodeStore()
        self.runs: dict[int, list[np.ndarray]] = {}  # each pair's pieces kept in memory
        #: (pair keys, starts, counts) of the runs each gathering wrote to the temporary file
        self.spilled: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.pending: list[tuple[np.ndarray, np.ndarray]] = []
        self.pending_pairs = 0

    def _sorted(self, key: np.ndarray) -> np.ndarray:
        """The stable order of ``key`` (a radix sort when the keys fit 16 bits)."""
        return np.argsort(key.astype(np.uint16) if self.n_keys <= 1 << 16 else key, kind="stable")

    def _pairs_of(self, col: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """The (pair key, post) of every pair named in one unit, in unit order."""
        side_a, side_b = self.sides
        a_rows = col["side"] == side_a
        a_unit, a_post, a_loc = col["unit"][a_rows], col["post"][a_rows], col["local"][a_rows]
        if side_a == side_b:  # each row with the rows after it in its unit: every pair once
            n = len(a_unit)
            starts = np.flatnonzero(np.concatenate(([True], a_unit[1:] != a_unit[:-1]))) if n else np.zeros(0, int)
            lengths = np.diff(np.append(starts, n))
            count = np.repeat(starts + lengths, lengths) - np.arange(n) - 1
            left = np.repeat(np.arange(n), count)
            right = left + 1 + np.arange(len(left)) - np.repeat(np.cumsum(count) - count, count)
            a, b = a_loc[left], a_loc[right]
            a, b = np.minimum(a, b), np.maximum(a, b)
        else:  # rows are in unit order, so each a row's partners are one run of b rows
            b_rows = col["side"] == side_b
            b_unit, b_loc = col["unit"][b_rows], col["local"][b_rows]
            b_lo = np.searchsorted(b_unit, a_unit, side="left")
            count = np.searchsorted(b_unit, a_unit, side="right") - b_lo
            left = np.repeat(np.arange(len(a_unit)), count)
            right = np.repeat(b_lo - (np.cumsum(count) - count), count) + np.arange(len(left))
            a, b = a_loc[left], b_loc[right]
        return a.astype(np.int64) * self.n_b + b, a_post[left]

    def count(self, col: dict[str, np.ndarray], dates: np.ndarray, base: int, by_post: bool) -> None:
        """Pair a slice of unit-ordered rows: add weights and dates, keep the (pair, post) codes."""
        key, post = self._pairs_of(col)
        self.weight += np.bincount(key, minlength=self.n_keys)
        # a stable sort by pair keeps the posts in order
        order = self._sorted(key)
        pair_key, post = key[order], post.astype(np.int32, copy=False)[order]
        if not by_post and len(post):  # several units of one post may pair a and b
            first = np.concatenate(([True], (pair_key[1:] != pair_key[:-1]) | (post[1:] != post[:-1])))
            pair_key, post = pair_key[first], post[first]
        if len(post):
            starts = np.concatenate(([0], np.flatnonzero(np.diff(pair_key)) + 1))
            present = pair_key[starts]
            day = dates[post]
            lo_d = np.minimum.reduceat(np.where(day == NO_DATE, _NEVER, day), starts)
            hi_d = np.maximum.reduceat(day, starts)
            self.first[present] = np.minimum(self.first[present], lo_d)
            self.last[present] = np.maximum(self.last[present], hi_d)
        if self.keep_ids:
            self.pending.append((pair_key, post + np.int32(base)))
            self.pending_pairs += len(post)
            if self.pending_pairs >= PAIR_SLICE:
                self.flush()

    def flush(self) -> None:
        """Gather the pending (pair, post) codes by pair (posts stay in order): one run per
        pair, in memory or in the temporary file."""
        if not self.pending:
            return
        key = np.concatenate([k for k, _ in self.pending])
        codes = np.concatenate([c for _, c in self.pending])
        self.pending, self.pending_pairs = [], 0
        if not len(key):
            return
        order = self._sorted(key)
        key, codes = key[order], codes[order]
        del order
        block = self.store.keep(codes)
        lo = np.concatenate(([0], np.flatnonzero(np.diff(key)) + 1))
        hi = np.append(lo[1:], len(key))
        if isinstance(block, Run):  # (on disk: where each pair's run is, as arrays)
            pairs = key[lo].astype(np.uint16) if self.n_keys <= 1 << 16 else key[lo]
            self.spilled.append((pairs, block.start + lo, (hi - lo).astype(np.int32)))
            return
        for at, end, pair in zip(lo.tolist(), hi.tolist(), key[lo].tolist()):
            self.runs.setdefault(pair, []).append(block[at:end])

    def _runs_on_disk(self, found: np.ndarray) -> list[Runs | None]:
        """The runs in the temporary file of each pair of ``found`` (in the order they were
        gathered), or None for a pair with none there."""
        if not self.spilled:
            return [None] * len(found)
        key = np.concatenate([k for k, _, _ in self.spilled])
        order = np.argsort(key, kind="stable")
        key = key[order]
        starts = np.concatenate([s for _, s, _ in self.spilled])[order]
        counts = np.concatenate([c for _, _, c in self.spilled])[order]
        self.spilled = []
        spill = self.store.spill
        assert spill is not None  # (runs were written to it)
        los, his = np.searchsorted(key, found, "left").tolist(), np.searchsorted(key, found, "right").tolist()
        return [Runs(spill, starts[lo:hi], counts[lo:hi]) if hi > lo else None for lo, hi in zip(los, his)]

    def pairs(self, table: PostIdTable | None) -> pd.DataFrame:
        """``entity_a, entity_b, weight, [post_ids,] first_date, last_date``, sorted by
        ``entity_a, entity_b`` (the post codes move to the result)."""
        self.flush()
        found = np.flatnonzero(self.weight)
        out = pd.DataFrame(
            {
                "entity_a": self.names[0][found // self.n_b],
                "entity_b": self.names[1][found % self.n_b],
                "weight": self.weight[found],
            }
        )
        if table is not None:
            on_disk = self._runs_on_disk(found)
            out["post_ids"] = [
                PostIds(self.runs.get(k, []) + ([disk] if disk is not None else []), table)
                for k, disk in zip(found.tolist(), on_disk)
            ]
            self.runs = {}
        first, last = self.first[found], self.last[found]
        out["first_date"] = _days(first, first == _NEVER)
        out["last_date"] = _days(last, last == NO_DATE)
        return out


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
        The kinds :meth:`graph` pairs: ``("country", "forum")`` for the bipartite graph,
        ``("country", "country")`` or ``("forum", "forum")`` for the one-mode ties of a projection.
    baseline : {"all-units", "topical-units"}
        What ``N`` counts: every unit of the posts added (posts naming nothing included), or
        the units naming a country or forum (see :data:`~netanalysis.model.BASELINES`).
    projections : bool, default False
        Also count the country-country and forum-forum ties (:meth:`projection`).
    memberships : Memberships, optional
        Label every country-forum edge with the country's status in the forum on its posts'
        dates (``status``, ``posts_by_status``: :mod:`netanalysis.graph.membership`); needs
        ``post_ids``.
    join_ids : bool, default True
        Join the batches' post ids into pieces of about a million as they come. ``False`` keeps
        each batch's own array (no copy) for a caller that keeps the same batches and joins
        them: it calls :meth:`release_ids` before its join and hands the joined ids to
        :meth:`adopt_ids`, and the ids are held once (at a million benchmark posts, the 27 MB
        the pieces copied), during the join too. With ``memberships`` such a counter keeps no
        day of its own for each post either: the caller hands it the joined dates
        (:meth:`adopt_dates`), and the days are made from them when the graph is labelled
        (four bytes a post fewer, 12 MB at three million posts).

    Examples
    --------
    >>> import pyarrow as pa
    >>> batch = Batch(post_ids=pa.array(["p1", "p2"]), dates=np.array([0, 0]),
    ...               start=np.array([0, 2, 3]), entity=np.array([0, 1, 0], dtype=np.int16),
    ...               entities=(("country", "CN"), ("forum", "BRICS")))
    >>> counter = CoMentionCounter(batch.entities)
    >>> counter.add(batch)
    >>> G = counter.graph()
    >>> G.edges["country:CN", "forum:BRICS"]["weight"], list(G.edges["country:CN", "forum:BRICS"]["post_ids"])
    (1, ['p1'])
    >>> G.graph["n_units"], G.edges["country:CN", "forum:BRICS"]["expected"]
    (2, 1.0)
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
        baseline: str = BASELINES[0],
        projections: bool = False,
        memberships: Memberships | None = None,
        join_ids: bool = True,
    ):
        check_options(unit, min_weight, baseline)
        self.memberships = memberships if post_ids else None
        self._days: list[np.ndarray] = []
        self._dates: np.ndarray | None = None  # (adopted: see adopt_dates)
        self.unit, self.min_weight, self.labels, self.keep_ids = unit, int(min_weight), labels, post_ids
        self.baseline = baseline
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
        # each entity's position among the names of its side (sorted), which the pair tables key by
        side_names = [
            np.array(sorted({n for k, n in self.entities if SIDES.get(k) == code}), dtype=object) for code in (0, 1)
        ]
        self._local = np.array(
            [int(np.searchsorted(side_names[SIDES[k]], n)) if k in SIDES else 0 for k, n in self.entities],
            dtype=np.int32,
        )
        wanted = [self.sides] + ([(0, 0), (1, 1), (0, 1)] if projections else [])
        self._tables = {
            pair: _PairTable(pair, (side_names[pair[0]], side_names[pair[1]]), post_ids)
            for pair in dict.fromkeys(wanted)
        }
        self._units_naming = np.zeros(2 * max(len(names), 1), dtype=np.int64)
        self._degrees = np.zeros(1, dtype=np.int64)
        self.n_units = 0  # units naming at least one (kept) entity
        self.all_units: int | None = 0
        self.n_posts = 0
        self._ids = PostIdCollector(join=join_ids)
        self._id_table: PostIdTable | None = None

    def add(self, batch: Batch) -> None:
        """Count a batch (its posts must not reappear in another batch)."""
        base = self.n_posts
        self.n_posts += len(batch)
        if self.all_units is not None:
            if self.unit == "post":
                self.all_units += len(batch)
            elif batch.units is not None:
                self.all_units += int(batch.units.sum())
            else:  # the batch does not say how many paragraphs or sentences its posts have
                self.all_units = None
        if self.keep_ids:
            self._ids.append(batch.post_ids)
        if self.memberships is not None and self._ids.join:  # (else made from adopt_dates' dates)
            self._days.append(post_days(batch.dates))
        keep = self._keep[batch.entity]
        entity = batch.entity[keep]
        post = batch.post[keep].astype(np.int32, copy=False)
        cols = {"post": post, "side": self._side[entity], "entity": self._name[entity], "local": self._local[entity]}
        if self.unit == "post" or batch.unit is None:
            cols["unit"] = post.astype(np.int64)
        else:
            index = batch.unit[keep].astype(np.int64)
            cols["unit"] = post.astype(np.int64) * (int(index.max(initial=0)) + 1) + index
        cols = _in_unit_order(cols)
        self._add_units(cols["unit"])
        n = max(len(self.names), 1)
        self._units_naming += np.bincount(cols["side"].astype(np.int64) * n + cols["entity"], minlength=2 * n)
        by_post = self.unit == "post"
        for lo, hi in _slices(cols["post"], LINK_SLICE):
            part = {k: v[lo:hi] for k, v in cols.items()}
            for table in self._tables.values():
                table.count(part, batch.dates, base, by_post)

    def _add_units(self, unit: np.ndarray) -> None:
        """Count the units of a batch's sorted link rows and how many entities each names."""
        if not len(unit):
            return
        starts = np.flatnonzero(np.concatenate(([True], unit[1:] != unit[:-1])))
        self.n_units += len(starts)
        degrees = np.bincount(np.diff(np.append(starts, len(unit))))
        if len(degrees) > len(self._degrees):
            self._degrees = np.concatenate([self._degrees, np.zeros(len(degrees) - len(self._degrees), np.int64)])
        self._degrees[: len(degrees)] += degrees

    def units_naming(self, side: int, name: str) -> int:
        """How many units name the entity ``name`` of ``side`` (0 country, 1 forum)."""
        at = int(np.searchsorted(self.names, name))
        return int(self._units_naming[side * max(len(self.names), 1) + at])

    def margins(self) -> Margins:
        """The numbers of units and the margins of what was added (see
        :class:`~netanalysis.graph.measures.Margins`).

        Raises
        ------
        ConfigError
            With the all-units baseline, when the batches did not say how many paragraphs or
            sentences their posts have.
        """
        if self.baseline == "all-units" and self.all_units is None:
            raise ConfigError(
                f"the all-units baseline counts every {self.unit} of every post, including those naming nothing: "
                "give the posts' text (or a 'units' column) with the posts table, or use baseline='topical-units'"
            )
        n = max(len(self.names), 1)
        named = {
            node_id(kind, str(self.names[at])): int(self._units_naming[code * n + at])
            for code, kind in enumerate(SIDES)
            for at in np.flatnonzero(self._units_naming[code * n : (code + 1) * n]).tolist()
        }
        degrees = {k: int(v) for k, v in enumerate(self._degrees.tolist()) if v and k}
        if self.all_units is not None and self.all_units > self.n_units:
            degrees[0] = self.all_units - self.n_units
        return Margins(
            baseline=self.baseline,
            n_units=self.n_units if self.baseline == "topical-units" else int(self.all_units or 0),
            topical_units=self.n_units,
            all_units=self.all_units,
            named=named,
            unit_degrees=dict(sorted(degrees.items())),
        )

    def release_ids(self) -> None:
        """Let go of the batches' own id arrays (with ``join_ids=False``), so that the caller's
        join of the same arrays can drop each once copied; :meth:`adopt_ids` follows."""
        if self.keep_ids and self._id_table is None:
            self._ids.release()

    def adopt_ids(self, ids: pa.Array) -> None:
        """Hold ``ids``, the ids of every batch added, in their order, joined (as
        :meth:`Batch.concat <netanalysis.graph.Batch.concat>` joins the same batches), in place
        of the batches' own arrays (nothing to do without post ids, or once the edges' id
        table is made: it holds what it was made from)."""
        if self.keep_ids and self._id_table is None:
            self._ids.adopt(ids)

    def adopt_dates(self, dates: np.ndarray) -> None:
        """Hold ``dates``, the dates of every post added, in their order, joined (as
        :meth:`Batch.concat <netanalysis.graph.Batch.concat>` joins the same batches): a counter
        made with ``join_ids=False`` makes its posts' days from them (see the class notes)."""
        if len(dates) != self.n_posts:
            raise ValueError(f"{len(dates)} dates for the {self.n_posts} posts added")
        self._dates = dates

    def _table(self) -> PostIdTable | None:
        if not self.keep_ids:
            return None
        if self._id_table is None:
            self._id_table = self._ids.table()
        return self._id_table

    def pairs(self, sides: tuple[str, str] | None = None) -> pd.DataFrame:
        """The pairs counted: ``entity_a, entity_b, weight, [post_ids,] first_date, last_date``,
        sorted by ``entity_a, entity_b`` (``sides``: those of :meth:`graph` by default)."""
        key = self.sides if sides is None else (SIDES[sides[0]], SIDES[sides[1]])
        if key not in self._tables:
            kinds = "-".join(list(SIDES)[k] for k in key)
            raise ConfigError(f"this counter did not count {kinds} pairs (projections=True counts them)")
        return self._tables[key].pairs(self._table())

    def post_days(self) -> np.ndarray:
        """The UTC day of every post added, in the order added (int32,
        :data:`~netanalysis.graph.membership.UNDATED` for none); kept only with ``memberships``."""
        if self._ids.join:
            return np.concatenate(self._days) if self._days else np.zeros(0, dtype=np.int32)
        if self._dates is None:
            if self.n_posts:
                raise RuntimeError("a counter made with join_ids=False needs its posts' dates (adopt_dates)")
            return np.zeros(0, dtype=np.int32)
        days = np.empty(len(self._dates), dtype=np.int32)
        for lo in range(0, len(days), DAYS_BLOCK):  # (a block at a time: no int64 copy of all)
            days[lo : lo + DAYS_BLOCK] = post_days(self._dates[lo : lo + DAYS_BLOCK])
        return days

    def graph(self) -> Any:
        """The co-mention graph of what was added (see :func:`~netanalysis.graph.co_mention_graph`);
        with ``memberships``, each country-forum edge labelled with the country's status."""
        kinds = (list(SIDES)[self.sides[0]], list(SIDES)[self.sides[1]])
        G = self._assemble(kinds, None)
        if self.memberships is not None and kinds == ("country", "forum"):
            annotate_statuses(G, self.post_days(), self.memberships)
        return G

    def projection(self, side: str, nodes: list[str] | None = None) -> Any:
        """The one-mode projection onto ``side`` (``"country"`` or ``"forum"``): two entities are
        tied by the units naming both, with the bipartite graph's measures and ``min_weight``;
        ``nodes`` restricts it to these node ids (kept even without ties)."""
        if side not in SIDES:
            raise ConfigError(f"unknown side {side!r}; choose country or forum")
        return self._assemble((side, side), nodes)

    def _assemble(self, kinds: tuple[str, str], nodes: list[str] | None) -> Any:
        margins = self.margins()
        return assemble(
            self.pairs(kinds),
            self.units_naming,
            margins,
            sides=kinds,
            nodes=nodes,
            unit=self.unit,
            min_weight=self.min_weight,
            exclude=str(self.exclusion),
            labels=self.labels,
            post_ids=self.keep_ids,
        )


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
