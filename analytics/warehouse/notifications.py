"""The send log of ``sla notify``: ``meta.notifications`` in the warehouse.

Grain: one row per alert item per send attempt series (a sent or failed message item):
``kind`` (``new_mql``, ``alert.<kind>.<status>``, ``daily_summary``), ``lead_id``
(empty for a summary), ``episode`` (0 when none), ``recipient`` (``rep:<id>:<channel>``
or ``team:<team>:<channel>``: who and how, never an address), ``period`` (the local day
of a daily summary, else empty), ``status`` (``sent`` / ``failed``), ``attempts``,
``error``, ``as_of`` (the moment the alert was computed for), ``deadline_at`` (the
alert's deadline), ``sent_at``, ``run_id``. An item is never sent twice: a run skips the
keys (kind, lead_id, episode, recipient, period) that have a ``sent`` row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

#: The key of a notification item: never sent twice.
NOTIFICATION_KEY: tuple[str, ...] = ("kind", "lead_id", "episode", "recipient", "period")

_DDL = (
    """CREATE TABLE IF NOT EXISTS meta.notifications (
        kind VARCHAR, lead_id VARCHAR, episode INTEGER, recipient VARCHAR, period VARCHAR,
        channel VARCHAR, status VARCHAR, attempts INTEGER, error VARCHAR,
        as_of TIMESTAMPTZ, deadline_at TIMESTAMPTZ, sent_at TIMESTAMPTZ, run_id VARCHAR)""",
    "COMMENT ON TABLE meta.notifications IS "
    "'Grain: one row per notification item sent or failed (sla notify)'",
)

SCHEMA: dict[str, pl.DataType] = {
    "kind": pl.String(),
    "lead_id": pl.String(),
    "episode": pl.Int32(),
    "recipient": pl.String(),
    "period": pl.String(),
    "channel": pl.String(),
    "status": pl.String(),
    "attempts": pl.Int32(),
    "error": pl.String(),
    "as_of": pl.Datetime("us", "UTC"),
    "deadline_at": pl.Datetime("us", "UTC"),
    "sent_at": pl.Datetime("us", "UTC"),
    "run_id": pl.String(),
}


def create_notifications_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create ``meta.notifications`` where it is missing."""
    con.execute("CREATE SCHEMA IF NOT EXISTS meta")
    for statement in _DDL:
        con.execute(statement)


def _exists(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_schema = 'meta' AND table_name = 'notifications'"
    ).fetchall()[0]
    return bool(row[0])


def notification_log(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The send log, oldest first (empty, with its columns, before the first ``sla notify``).

    >>> con = duckdb.connect()
    >>> notification_log(con).columns[:5]
    ['kind', 'lead_id', 'episode', 'recipient', 'period']
    """
    if not _exists(con):
        return pl.DataFrame(schema=SCHEMA)
    cursor = con.cursor()
    try:
        cursor.execute("SET TimeZone = 'UTC'")
        cols = ", ".join(SCHEMA)
        frame = pl.DataFrame(cursor.sql(f"SELECT {cols} FROM meta.notifications ORDER BY sent_at"))
    finally:
        cursor.close()
    return frame.cast(SCHEMA) if frame.height else pl.DataFrame(schema=SCHEMA)


def sent_keys(con: duckdb.DuckDBPyConnection) -> set[tuple[Any, ...]]:
    """The keys (:data:`NOTIFICATION_KEY`) already sent: a run sends none of them again."""
    log = notification_log(con).filter(pl.col("status") == "sent")
    return set(log.select(NOTIFICATION_KEY).iter_rows())


def record_notifications(db_path: str | Path, rows: Iterable[Mapping[str, Any]]) -> int:
    """Append send-log rows to the warehouse (through a swapped copy: readers are not blocked).

    Returns the number of rows written.
    """
    from analytics.warehouse.database import updating

    frame = pl.DataFrame(list(rows), schema=SCHEMA, orient="row")
    if frame.is_empty():
        return 0
    # the send log is no data the stored reviews read: they stay (a cron run every
    # 15 minutes would otherwise throw away what the last import computed)
    with updating(db_path, keep_results=True) as con:
        create_notifications_table(con)
        con.register("_new_notifications", frame.to_arrow())
        con.execute(
            f"INSERT INTO meta.notifications ({', '.join(SCHEMA)}) "
            f"SELECT {', '.join(SCHEMA)} FROM _new_notifications"
        )
        con.unregister("_new_notifications")
    return frame.height


__all__ = [
    "NOTIFICATION_KEY",
    "SCHEMA",
    "create_notifications_table",
    "notification_log",
    "record_notifications",
    "sent_keys",
]
