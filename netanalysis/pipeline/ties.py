"""The ties stage: every co-mention read against membership (``ties.csv``) and the share of each
forum's ties that are to non-members, per year (``membership_shares.csv``).

``edges.csv`` already carries each edge's ``status`` and ``posts_by_status`` (the counter labels
the graph); this stage lists the ties themselves, one row per post naming a country and a
forum, so that every labelled mention can be checked, and sums them by forum and year for the
report. It runs in ``report`` and ``compare`` (the file grows with the number of co-mentions).
The ties come as codes (:func:`~netanalysis.graph.membership.tie_blocks`), a block at a time:
written by :func:`~netanalysis.io.ties_csv.write_ties_csv` and counted by forum, year and
status with one ``bincount`` a block (:class:`Tally`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from netanalysis.pipeline.state import RunResult, RunState, Staging

if TYPE_CHECKING:
    from netanalysis.graph.membership import TieBlock

__all__ = ["Tally", "stage_ties"]


def stage_ties(state: RunState, result: RunResult, staging: Staging) -> None:
    """Write ``ties.csv`` and ``membership_shares.csv``; keep the shares for the report."""
    from netanalysis.graph.membership import outsider_shares, post_id_table, tie_blocks
    from netanalysis.io.csv import write_csv
    from netanalysis.io.ties_csv import write_ties_csv

    graph = state.full_graph if state.full_graph is not None else state.graph  # every tie, with --backbone too
    assert graph is not None and state.memberships is not None and state.post_days is not None
    pairs, blocks = tie_blocks(graph, state.post_days, state.memberships)
    tally = Tally([forum for _, forum in pairs], state.post_days)
    ids, safe = post_id_table(graph), state.settings.safe_csv
    rows = write_ties_csv(staging.path("ties.csv"), pairs, tally.counting(blocks), ids, state.post_days, safe=safe)
    counted = tally.table().rename(columns={"year": "date"})
    by_year = outsider_shares(counted, freq="year")
    overall = outsider_shares(counted, freq="all")
    state.outsiders = pd.concat([by_year, overall], ignore_index=True)
    write_csv(state.outsiders, staging.path("membership_shares.csv"), safe=safe)
    result.counts["ties"] = rows
    statuses = counted.groupby("status")["n"].sum() if len(counted) else pd.Series(dtype="int64")
    result.counts["ties_by_status"] = {str(k): int(v) for k, v in sorted(statuses.items())}


#: Posts whose year :class:`Tally` looks up at once.
_YEARS_AT_ONCE = 1 << 20


class Tally:
    """Ties counted by forum, year (the first four characters of the post's ``date`` in
    ``ties.csv``, empty if undated) and status, as the blocks of ties go by.

    Parameters
    ----------
    forums : list of str
        The forum of each (country, forum) pair the blocks' ``pair`` codes point to.
    days : array
        The corpus's post days (:func:`~netanalysis.graph.membership.post_days`).
    """

    def __init__(self, forums: list[str], days: np.ndarray):
        from netanalysis.graph.membership import STATUS_ORDER, day_calendar

        self.forums, self.forum = np.unique(np.asarray(forums, dtype=object), return_inverse=True)
        # each post's year read from a calendar of its days (day_calendar), not from a date and
        # a year of every post
        calendar, place = day_calendar(days)
        found, of_day = np.unique(calendar.astype("datetime64[D]").astype("datetime64[Y]"), return_inverse=True)
        # (a year with no post is counted by none; the last code: undated)
        of_place = np.r_[of_day, len(found)].astype(np.int16 if len(found) < 2**15 else np.int32)
        self.year = np.empty(len(place), dtype=of_place.dtype)
        for lo in range(0, len(place), _YEARS_AT_ONCE):  # (numpy's indices are int64: a part at a time)
            self.year[lo : lo + _YEARS_AT_ONCE] = of_place[place[lo : lo + _YEARS_AT_ONCE]]
        self.years = [str(t)[:4] for t in np.datetime_as_string(found.astype("datetime64[D]"))] + [""]
        self.statuses = STATUS_ORDER
        self.counts = np.zeros(len(self.forums) * len(self.years) * len(STATUS_ORDER), dtype=np.int64)

    def counting(self, blocks: Iterable[TieBlock]) -> Iterator[TieBlock]:
        """``blocks`` as they are, each counted as it goes by."""
        for block in blocks:
            key = (self.forum[block.pair] * len(self.years) + self.year[block.post]) * len(self.statuses)
            self.counts += np.bincount(key + block.status, minlength=len(self.counts))
            yield block

    def table(self) -> pd.DataFrame:
        """``forum, year, status, n``: one row per combination counted at least once."""
        shape = (len(self.forums), len(self.years), len(self.statuses))
        forum, year, status = np.unravel_index(np.flatnonzero(self.counts), shape)
        return pd.DataFrame(
            {
                "forum": self.forums[forum].astype(str),
                "year": np.asarray(self.years, dtype=object)[year].astype(str),
                "status": np.asarray(self.statuses, dtype=object)[status].astype(str),
                "n": self.counts[self.counts > 0],
            }
        )
