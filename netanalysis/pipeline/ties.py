"""The ties stage: every co-mention read against membership (``ties.csv``) and the share of each
forum's ties that are to non-members, per year (``membership_shares.csv``).

``edges.csv`` already carries each edge's ``status`` and ``posts_by_status`` (the counter labels
the graph); this stage lists the ties themselves, one row per post naming a country and a
forum, so that every labelled mention can be checked, and sums them by forum and year for the
report. It runs in ``report`` and ``compare`` (the file grows with the number of co-mentions).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pandas as pd

from netanalysis.pipeline.state import RunResult, RunState, Staging

__all__ = ["TIE_COLUMNS", "BATCH_ROWS", "batches", "stage_ties"]

#: Columns of ``ties.csv``, in this order.
TIE_COLUMNS = ["country", "forum", "post_id", "date", "status"]
#: Ties written and tallied at a time: a table per edge paid pandas' overhead per edge (3 s of
#: the study corpus's report for its 913 edges), the whole file at once would hold every tie.
BATCH_ROWS = 50_000


def stage_ties(state: RunState, result: RunResult, staging: Staging) -> None:
    """Write ``ties.csv`` and ``membership_shares.csv``; keep the shares for the report."""
    from netanalysis.graph.membership import edge_post_statuses, outsider_shares
    from netanalysis.io.csv import write_csv, write_csv_parts

    graph = state.full_graph if state.full_graph is not None else state.graph  # every tie, with --backbone too
    assert graph is not None and state.memberships is not None and state.post_days is not None
    tallies: list[pd.DataFrame] = []

    def tallied(parts: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for part in parts:
            counts = part.assign(year=part["date"].str[:4]).groupby(["forum", "year", "status"]).size()
            tallies.append(counts.rename("n").reset_index())
            yield part

    rows = write_csv_parts(
        tallied(batches(edge_post_statuses(graph, state.post_days, state.memberships))),
        staging.path("ties.csv"),
        TIE_COLUMNS,
        safe=state.settings.safe_csv,
    )
    counted = (
        pd.concat(tallies, ignore_index=True) if tallies else pd.DataFrame(columns=["forum", "year", "status", "n"])
    )
    counted = counted.rename(columns={"year": "date"})
    by_year = outsider_shares(counted, freq="year")
    overall = outsider_shares(counted, freq="all")
    state.outsiders = pd.concat([by_year, overall], ignore_index=True)
    write_csv(state.outsiders, staging.path("membership_shares.csv"), safe=state.settings.safe_csv)
    result.counts["ties"] = rows
    statuses = counted.groupby("status")["n"].sum() if len(counted) else pd.Series(dtype="int64")
    result.counts["ties_by_status"] = {str(k): int(v) for k, v in sorted(statuses.items())}


def batches(parts: Iterable[pd.DataFrame], rows: int | None = None) -> Iterator[pd.DataFrame]:
    """The tables ``parts`` joined into tables of at least ``rows`` rows (default
    :data:`BATCH_ROWS`, read at call time), the last one shorter; the same rows in the same order."""
    rows = rows or BATCH_ROWS
    held: list[pd.DataFrame] = []
    count = 0
    for part in parts:
        held.append(part)
        count += len(part)
        if count >= rows:
            yield pd.concat(held, ignore_index=True)
            held, count = [], 0
    if held:
        yield pd.concat(held, ignore_index=True)
