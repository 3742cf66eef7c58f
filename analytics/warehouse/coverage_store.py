"""``meta.coverage``: what the warehouse's data can answer, written at the end of every load.

One row per measure group of :data:`analytics.coverage.GROUPS` (grain), recomputed from
the whole of ``core`` at the end of each import, demo and purge, inside the load's
transaction; so the app and ``sla info`` read it without scanning the tables. It depends
on two parts of the SLA config (the reporting time zone, the fit attributes scored), so
it is stored with their key (:func:`coverage_config_key`) and read only for a config
with the same key; ``sla precompute`` records it for its config.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import duckdb

if TYPE_CHECKING:  # polars and the library only where a frame is built: `sla info` starts fast
    import polars as pl

    from analytics.config import SlaConfig

_DDL = """CREATE TABLE IF NOT EXISTS meta.coverage (
    "group" VARCHAR, measurable BOOLEAN, "from" DATE, "to" DATE, needs VARCHAR[],
    reason VARCHAR, computed_at TIMESTAMPTZ)"""
#: Added later: the key of the config parts the coverage was computed with.
_KEY_DDL = "ALTER TABLE meta.coverage ADD COLUMN IF NOT EXISTS config_key VARCHAR"


def coverage_config_key(config: SlaConfig | None) -> str:
    """The key of what coverage reads from a config: the reporting time zone (the days a
    span starts and ends on) and each scored fit attribute with its scored values (a lead
    has fit when one is set); ``"default"`` without a config.

    >>> from analytics.config import load_config
    >>> cfg = load_config("data/sla.toml")
    >>> len(coverage_config_key(cfg)), coverage_config_key(None)
    (16, 'default')
    """
    if config is None:
        return "default"
    parts = {
        "timezone": config.reporting.timezone,
        "fit": {column: sorted(map(str, values)) for column, values in config.scoring.fit.items()},
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def record_coverage(con: duckdb.DuckDBPyConnection, config: SlaConfig | None = None) -> None:
    """Compute the coverage of ``core`` and replace ``meta.coverage`` with it (keyed by
    :func:`coverage_config_key` of ``config``).

    For the body of :func:`analytics.warehouse.database.updating`: what the body wrote
    so far is committed to the copy first (the tables are read through cursors, which
    see committed rows only); the live file still changes only at the swap.
    """
    import polars as pl

    from analytics.coverage import coverage
    from analytics.warehouse.database import commit_step, load_tables

    commit_step(con)
    frame = coverage(load_tables(con), config=config).with_columns(
        pl.lit(datetime.now(UTC)).alias("computed_at"),
        pl.lit(coverage_config_key(config)).alias("config_key"),
    )
    con.execute(_DDL)
    con.execute(_KEY_DDL)
    con.execute("DELETE FROM meta.coverage")
    con.register("incoming_coverage", frame)
    con.execute("INSERT INTO meta.coverage BY NAME SELECT * FROM incoming_coverage")
    con.unregister("incoming_coverage")


def read_coverage(
    con: duckdb.DuckDBPyConnection, config: SlaConfig | None = None
) -> pl.DataFrame | None:
    """The stored coverage (columns of :data:`analytics.coverage.COVERAGE_SCHEMA`), or None
    for a warehouse written before coverage was recorded, or before its groups were the
    ones of :data:`analytics.coverage.GROUPS`, or (with ``config``) when it was computed
    for another time zone or other fit attributes (:func:`coverage_config_key`; one
    stored before the key was is read as then, until the next import, purge or ``sla
    precompute`` stores it with its key).

    >>> con = duckdb.connect()
    >>> read_coverage(con) is None
    True
    """
    import polars as pl

    from analytics.coverage import COVERAGE_SCHEMA, GROUPS

    if not _stored(con, config):
        return None
    frame = pl.DataFrame(
        con.sql('SELECT "group", measurable, "from", "to", needs, reason FROM meta.coverage')
    )
    if frame.height == 0 or set(frame["group"]) != set(GROUPS):
        return None  # none, or stored by a version with other groups: compute it afresh
    order = {g: i for i, g in enumerate(GROUPS)}
    return frame.cast(COVERAGE_SCHEMA).sort(pl.col("group").replace_strict(order, default=99))


def _stored(con: duckdb.DuckDBPyConnection, config: SlaConfig | None = None) -> bool:
    """Is a coverage stored, and (with ``config``) for that config's key?"""
    columns = {
        name
        for (name,) in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'meta' AND table_name = 'coverage'"
        ).fetchall()
    }
    if not columns:
        return False
    if config is None or "config_key" not in columns:
        return True  # stored before the key was: read as then, until a write keys it
    return stored_config_key(con) == coverage_config_key(config)


def stored_config_key(con: duckdb.DuckDBPyConnection) -> str | None:
    """The :func:`coverage_config_key` the stored coverage was computed for; None when
    there is none, or it was stored before the key was (``sla precompute`` then keys it).

    >>> stored_config_key(duckdb.connect()) is None
    True
    """
    try:
        keys = con.execute("SELECT DISTINCT config_key FROM meta.coverage").fetchall()
    except duckdb.Error:  # no coverage, or none with a key
        return None
    return keys[0][0] if len(keys) == 1 else None


def coverage_json(
    con: duckdb.DuckDBPyConnection, config: SlaConfig | None = None
) -> dict[str, dict[str, Any]] | None:
    """The stored coverage as ``sla info --json`` writes it (spec/cli.md), read with DuckDB
    alone; None for a warehouse written before coverage was recorded, or (with ``config``)
    for another config's key, as :func:`read_coverage`.

    >>> coverage_json(duckdb.connect()) is None
    True
    """
    if not _stored(con, config):
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


__all__ = ["coverage_config_key", "coverage_json", "read_coverage", "record_coverage",
           "stored_config_key"]  # fmt: skip
