"""``meta.coverage``: what the warehouse's data can answer, written at the end of every load.

One row per measure group of :data:`analytics.coverage.GROUPS` (grain), recomputed from
the whole of ``core`` at the end of each import and demo, inside the load's transaction;
so the app and ``sla info`` read it without scanning the tables.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import duckdb

if TYPE_CHECKING:  # polars and the library only where a frame is built: `sla info` starts fast
    import polars as pl

    from analytics.config import SlaConfig

_DDL = """CREATE TABLE IF NOT EXISTS meta.coverage (
    "group" VARCHAR, measurable BOOLEAN, "from" DATE, "to" DATE, needs VARCHAR[],
    reason VARCHAR, computed_at TIMESTAMPTZ)"""


def record_coverage(con: duckdb.DuckDBPyConnection, config: SlaConfig | None = None) -> None:
    """Compute the coverage of ``core`` and replace ``meta.coverage`` with it.

    For the body of :func:`analytics.warehouse.database.updating`: what the body wrote
    so far is committed to the copy first (the tables are read through cursors, which
    see committed rows only); the live file still changes only at the swap.
    """
    import polars as pl

    from analytics.coverage import coverage
    from analytics.warehouse.database import commit_step, load_tables

    commit_step(con)
    frame = coverage(load_tables(con), config=config).with_columns(
        pl.lit(datetime.now(UTC)).alias("computed_at")
    )
    con.execute(_DDL)
    con.execute("DELETE FROM meta.coverage")
    con.register("incoming_coverage", frame)
    con.execute("INSERT INTO meta.coverage SELECT * FROM incoming_coverage")
    con.unregister("incoming_coverage")


def read_coverage(con: duckdb.DuckDBPyConnection) -> pl.DataFrame | None:
    """The stored coverage (columns of :data:`analytics.coverage.COVERAGE_SCHEMA`), or None
    for a warehouse written before coverage was recorded, or before its groups were the
    ones of :data:`analytics.coverage.GROUPS`.

    >>> con = duckdb.connect()
    >>> read_coverage(con) is None
    True
    """
    import polars as pl

    from analytics.coverage import COVERAGE_SCHEMA, GROUPS

    if not _stored(con):
        return None
    frame = pl.DataFrame(
        con.sql('SELECT "group", measurable, "from", "to", needs, reason FROM meta.coverage')
    )
    if frame.height == 0 or set(frame["group"]) != set(GROUPS):
        return None  # none, or stored by a version with other groups: compute it afresh
    order = {g: i for i, g in enumerate(GROUPS)}
    return frame.cast(COVERAGE_SCHEMA).sort(pl.col("group").replace_strict(order, default=99))


def _stored(con: duckdb.DuckDBPyConnection) -> bool:
    found = con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_schema = 'meta' AND table_name = 'coverage'"
    ).fetchall()[0][0]
    return bool(found)


def coverage_json(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]] | None:
    """The stored coverage as ``sla info --json`` writes it (spec/cli.md), read with DuckDB
    alone; None for a warehouse written before coverage was recorded.

    >>> coverage_json(duckdb.connect()) is None
    True
    """
    if not _stored(con):
        return None
    rows = con.execute(  # written in the order of analytics.coverage.GROUPS
        'SELECT "group", measurable, "from", "to", needs, reason FROM meta.coverage ORDER BY rowid'
    ).fetchall()
    if not rows:
        return None
    return {
        group: {
            "measurable": bool(measurable),
            "from": start.isoformat() if start else None,
            "to": end.isoformat() if end else None,
            "needs": list(needs or []),
            "reason": reason,
        }
        for group, measurable, start, end, needs, reason in rows
    }


__all__ = ["coverage_json", "read_coverage", "record_coverage"]
