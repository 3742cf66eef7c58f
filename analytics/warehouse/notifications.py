"""The send log of ``sla notify`` (``meta.notifications``), in a file of its own beside the
warehouse: ``<db>.notifications.sqlite``.

Grain: one row per alert item per send attempt series (a sent or failed message item):
``kind`` (``new_mql``, ``alert.<kind>.<status>``, ``daily_summary``), ``lead_id``
(empty for a summary), ``episode`` (0 when none), ``recipient`` (``rep:<id>:<channel>``
or ``team:<team>:<channel>``: who and how, never an address), ``period`` (the local day
of a daily summary, else empty), ``status`` (``sent`` / ``failed``), ``attempts``,
``error``, ``as_of`` (the moment the alert was computed for), ``deadline_at`` (the
alert's deadline), ``sent_at``, ``run_id``. An item is never sent twice: a run skips the
keys (kind, lead_id, episode, recipient, period) that have a ``sent`` row.

Why a file of its own: a write to the warehouse copies the whole file and swaps it in
(:func:`analytics.warehouse.database.updating`), which for a log written every 15 minutes
would copy gigabytes to append a few rows. The log is an SQLite file (Python's own
``sqlite3``): a write appends its rows in one transaction (all or none), readers are never
blocked for longer than a commit (SQLite's lock; a DuckDB file would lock readers of other
processes out while it is written), and erasing a lead (:func:`purge_log_leads`) deletes
with ``secure_delete`` and ``VACUUM``, so no byte of its rows stays in the file. Times are
stored as microseconds since the epoch (UTC).

Logs of older versions live in the warehouse's ``meta.notifications``; they are read too
(:func:`notification_log`) until :func:`migrate_legacy_log` moves them here, once.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from analytics.warehouse.connection import has_table

#: The key of a notification item: never sent twice.
NOTIFICATION_KEY: tuple[str, ...] = ("kind", "lead_id", "episode", "recipient", "period")

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
_TIMES = tuple(c for c, t in SCHEMA.items() if isinstance(t, pl.Datetime))
_SQLITE_TYPE = {pl.String(): "TEXT", pl.Int32(): "INTEGER"}

_DDL = (
    "CREATE TABLE IF NOT EXISTS notifications ("
    + ", ".join(f"{c} {_SQLITE_TYPE.get(t, 'INTEGER')}" for c, t in SCHEMA.items())
    + ")"
)
#: Seconds a writer waits for another one's transaction (and a reader for a commit).
BUSY_TIMEOUT = 30.0

# the warehouse table of older versions (read until migrated)
_LEGACY_DDL = (
    """CREATE TABLE IF NOT EXISTS meta.notifications (
        kind VARCHAR, lead_id VARCHAR, episode INTEGER, recipient VARCHAR, period VARCHAR,
        channel VARCHAR, status VARCHAR, attempts INTEGER, error VARCHAR,
        as_of TIMESTAMPTZ, deadline_at TIMESTAMPTZ, sent_at TIMESTAMPTZ, run_id VARCHAR)""",
)


def log_path(db_path: str | Path) -> Path:
    """The send-log file of the warehouse ``db_path``.

    >>> log_path("data/warehouse.duckdb").name
    'warehouse.duckdb.notifications.sqlite'
    """
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".notifications.sqlite")


@contextlib.contextmanager
def _writing(db_path: str | Path) -> Iterator[sqlite3.Connection]:
    """A connection to the send log inside one write transaction (committed on success)."""
    path = log_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
    try:
        con.execute("PRAGMA secure_delete = ON")  # a deleted row's bytes are overwritten
        con.execute("BEGIN IMMEDIATE")  # the writers' lock, taken at once
        con.execute(_DDL)
        yield con
        con.execute("COMMIT")
    except BaseException:
        if con.in_transaction:
            con.execute("ROLLBACK")
        raise
    finally:
        con.close()


@contextlib.contextmanager
def notify_lock(db_path: str | Path) -> Iterator[bool]:
    """One ``sla notify`` run at a time per warehouse (``<db>.notifications.lock``): a run
    reads the send log, sends, and logs what it sent under it, so that two overlapping
    runs (a slow one and the next from cron) never send an item twice.

    Yields True when the lock is held, False (at once) when another run holds it.
    """
    import fcntl

    path = log_path(db_path).with_suffix(".lock")
    if not Path(db_path).exists():  # no warehouse: the run stops at reading it, no lock file
        yield True
        return
    with open(path, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _micros(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    delta = value - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _from_sqlite(rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    raw = {c: (pl.Int64() if c in _TIMES else t) for c, t in SCHEMA.items()}
    frame = pl.DataFrame(rows, schema=raw, orient="row")
    return frame.with_columns(
        pl.from_epoch(pl.col(c), time_unit="us").dt.replace_time_zone("UTC") for c in _TIMES
    )


def _sidecar_log(db_path: str | Path) -> pl.DataFrame:
    path = log_path(db_path)
    if not path.exists():
        return pl.DataFrame(schema=SCHEMA)
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT)
    try:
        rows = con.execute(f"SELECT {', '.join(SCHEMA)} FROM notifications").fetchall()
    except sqlite3.OperationalError:  # created, but no table yet
        rows = []
    finally:
        con.close()
    return _from_sqlite(rows)


def _legacy_exists(con: duckdb.DuckDBPyConnection) -> bool:
    return has_table(con, "meta", "notifications")


def legacy_log(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The send log an older version kept in the warehouse (``meta.notifications``; empty
    when there is none)."""
    if not _legacy_exists(con):
        return pl.DataFrame(schema=SCHEMA)
    cursor = con.cursor()
    try:
        cursor.execute("SET TimeZone = 'UTC'")
        frame = pl.DataFrame(cursor.sql(f"SELECT {', '.join(SCHEMA)} FROM meta.notifications"))
    finally:
        cursor.close()
    return frame.cast(SCHEMA) if frame.height else pl.DataFrame(schema=SCHEMA)  # type: ignore[arg-type]


def notification_log(
    db_path: str | Path, *, con: duckdb.DuckDBPyConnection | None = None
) -> pl.DataFrame:
    """The send log of the warehouse ``db_path``, oldest first (empty, with its columns,
    before the first ``sla notify``).

    Parameters
    ----------
    db_path
        The warehouse file (the log is :func:`log_path` beside it).
    con : optional
        A connection to the warehouse: rows an older version logged in it
        (``meta.notifications``, not yet migrated) are read too.

    >>> notification_log("/nonexistent/w.duckdb").columns[:5]
    ['kind', 'lead_id', 'episode', 'recipient', 'period']
    """
    frames = [_sidecar_log(db_path)]
    if con is not None:
        frames.append(legacy_log(con))
    log = pl.concat(frames) if frames[-1].height else frames[0]
    return log.unique(maintain_order=True).sort("sent_at", maintain_order=True, nulls_last=True)


def deadline_key(
    kind: str, lead_id: str, recipient: str, period: str, deadline_at: datetime
) -> tuple[str, ...]:
    """The second key of a sent item: its deadline instead of its episode's number, which
    a re-import that adds an earlier MQL changes (its alert would be sent again).

    >>> deadline_key("new_mql", "L7", "rep:r", "", datetime(2026, 12, 4, 9, tzinfo=UTC))
    ('deadline', 'new_mql', 'L7', 'rep:r', '', '2026-12-04T09:00:00+00:00')
    """
    moment = deadline_at if deadline_at.tzinfo else deadline_at.replace(tzinfo=UTC)
    return ("deadline", kind, lead_id, recipient, period, moment.astimezone(UTC).isoformat())


def sent_keys(
    db_path: str | Path, *, con: duckdb.DuckDBPyConnection | None = None
) -> set[tuple[Any, ...]]:
    """The items already sent, by their key (:data:`NOTIFICATION_KEY`) and, when they have
    a deadline, by :func:`deadline_key`: a run sends none of them again."""
    log = notification_log(db_path, con=con).filter(pl.col("status") == "sent")
    keys: set[tuple[Any, ...]] = set(log.select(NOTIFICATION_KEY).iter_rows())
    for kind, lead, recipient, period, due in log.select(
        "kind", "lead_id", "recipient", "period", "deadline_at"
    ).iter_rows():
        if due is not None:
            keys.add(deadline_key(kind, lead, recipient, period, due))
    return keys


def record_notifications(db_path: str | Path, rows: Iterable[Mapping[str, Any]]) -> int:
    """Append send-log rows (one transaction: all of them or none). The warehouse file is
    not touched.

    Returns the number of rows written.
    """
    frame = pl.DataFrame(list(rows), schema=SCHEMA, orient="row")
    if frame.is_empty():
        return 0
    return _append(db_path, frame)


def _append(db_path: str | Path, frame: pl.DataFrame) -> int:
    values = [
        tuple(_micros(v) if c in _TIMES else v for c, v in zip(SCHEMA, row, strict=True))
        for row in frame.select(list(SCHEMA)).iter_rows()
    ]
    marks = ", ".join("?" for _ in SCHEMA)
    with _writing(db_path) as con:
        con.executemany(f"INSERT INTO notifications ({', '.join(SCHEMA)}) VALUES ({marks})", values)
    return len(values)


def migrate_legacy_log(db_path: str | Path) -> int:
    """Move the send log an older version kept in the warehouse (``meta.notifications``)
    into :func:`log_path`, once: its rows are appended (those not there yet) and the table
    is dropped from the warehouse (one copy-and-swap). Nothing happens without it.

    Returns the number of rows moved.
    """
    from analytics.warehouse.connection import connect_readonly
    from analytics.warehouse.database import updating

    if not Path(db_path).exists():
        return 0
    con = connect_readonly(db_path)
    try:
        if not _legacy_exists(con):
            return 0
        old = legacy_log(con)
    finally:
        con.close()
    new = old.join(_sidecar_log(db_path), on=list(SCHEMA), how="anti", nulls_equal=True)
    if new.height:
        _append(db_path, new)
    with updating(db_path, keep_results=True) as wcon:
        wcon.execute("DROP TABLE IF EXISTS meta.notifications")
    return new.height


def purge_log_leads(db_path: str | Path, lead_ids: Iterable[str]) -> int:
    """Erase the send-log rows of these leads, leaving no byte of them in the file
    (``secure_delete``, then ``VACUUM``).

    Returns the number of rows erased.
    """
    ids = sorted(set(lead_ids))
    if not ids or not log_path(db_path).exists():
        return 0
    with _writing(db_path) as con:
        con.execute("CREATE TEMP TABLE purge_ids (lead_id TEXT)")
        con.executemany("INSERT INTO purge_ids VALUES (?)", [(i,) for i in ids])
        removed = con.execute(
            "DELETE FROM notifications WHERE lead_id IN (SELECT lead_id FROM purge_ids)"
        ).rowcount
    if removed:
        con = sqlite3.connect(log_path(db_path), timeout=BUSY_TIMEOUT, isolation_level=None)
        try:
            con.execute("PRAGMA secure_delete = ON")
            con.execute("VACUUM")  # free pages and the journal hold nothing of them
        finally:
            con.close()
    return removed


def rename_log_ids(
    db_path: str | Path,
    renamed: Mapping[str, str],
    mask: Any = None,
) -> int:
    """Bring the send log to the privacy rules of the warehouse it belongs to: each lead id,
    and each rep id in a ``rep:<id>:<channel>`` recipient, that ``renamed`` maps (an id
    stored in clear under older rules -> its salted hash) renamed, ``error`` texts masked
    with ``mask`` (a list of texts -> the list masked); the old bytes overwritten
    (``secure_delete``, then ``VACUUM``).

    Returns the number of rows changed.
    """
    if not log_path(db_path).exists():
        return 0
    changed = 0
    with _writing(db_path) as con:
        rows = con.execute("SELECT rowid, lead_id, recipient, error FROM notifications").fetchall()
        errors = mask([r[3] for r in rows]) if mask is not None else [r[3] for r in rows]
        for (rowid, lead, recipient, error), masked in zip(rows, errors, strict=True):
            new_lead = renamed.get(lead, lead) if lead is not None else None
            new_recipient = recipient
            parts = recipient.split(":") if isinstance(recipient, str) else []
            if len(parts) >= 3 and parts[0] == "rep":
                rep = ":".join(parts[1:-1])
                if rep in renamed:
                    new_recipient = f"rep:{renamed[rep]}:{parts[-1]}"
            if (new_lead, new_recipient, masked) != (lead, recipient, error):
                con.execute(
                    "UPDATE notifications SET lead_id = ?, recipient = ?, error = ? "
                    "WHERE rowid = ?",
                    [new_lead, new_recipient, masked, rowid],
                )
                changed += 1
    if changed:
        con = sqlite3.connect(log_path(db_path), timeout=BUSY_TIMEOUT, isolation_level=None)
        try:
            con.execute("PRAGMA secure_delete = ON")
            con.execute("VACUUM")  # free pages and the journal hold nothing of the old ids
        finally:
            con.close()
    return changed


def remove_log(db_path: str | Path) -> None:
    """Delete the send log (a new warehouse replaces the old one: its log goes too)."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(str(log_path(db_path)) + suffix).unlink(missing_ok=True)


def create_notifications_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create the warehouse's ``meta.notifications`` of older versions (tests of the
    migration)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS meta")
    for statement in _LEGACY_DDL:
        con.execute(statement)


__all__ = [
    "BUSY_TIMEOUT",
    "NOTIFICATION_KEY",
    "SCHEMA",
    "create_notifications_table",
    "deadline_key",
    "legacy_log",
    "log_path",
    "migrate_legacy_log",
    "notification_log",
    "notify_lock",
    "purge_log_leads",
    "record_notifications",
    "remove_log",
    "rename_log_ids",
    "sent_keys",
]
