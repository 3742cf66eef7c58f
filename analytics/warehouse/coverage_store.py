"""``meta.coverage``: what the warehouse's data can answer, written at the end of every load.

One row per measure group of :data:`analytics.coverage.GROUPS` (grain), recomputed from
the whole of ``core`` at the end of each import, demo and purge, inside the load's
transaction; so the app and ``sla info`` read it without scanning the tables. It depends
on two parts of the SLA config (the reporting time zone, the fit attributes scored), so
it is stored with their key (:func:`coverage_config_key`) and read only for a config
with the same key; ``sla precompute`` records it for its config.
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
#: Added later: the key of the config parts the coverage was computed with, and the
#: months inside a group's span it cannot answer (deals won without an amount).
_KEY_DDL = "ALTER TABLE meta.coverage ADD COLUMN IF NOT EXISTS config_key VARCHAR"
_GAPS_DDL = "ALTER TABLE meta.coverage ADD COLUMN IF NOT EXISTS gaps VARCHAR[]"
#: Added later: the tables whose rows a group needs are all dated after the latest import,
#: and that import's day (the reason names both).
_AFTER_IMPORT_DDL = (
    "ALTER TABLE meta.coverage ADD COLUMN IF NOT EXISTS dated_after_import VARCHAR[]",
    "ALTER TABLE meta.coverage ADD COLUMN IF NOT EXISTS imported_on DATE",
)


def coverage_config_key(config: SlaConfig | None) -> str:
    """The key the coverage is stored with: :attr:`SlaConfig.coverage_key
    <analytics.config.SlaConfig.coverage_key>`, ``"default"`` without a config.

    >>> from analytics.config import load_config
    >>> cfg = load_config("data/sla.toml")
    >>> coverage_config_key(cfg) == cfg.coverage_key, coverage_config_key(None)
    (True, 'default')
    """
    return "default" if config is None else config.coverage_key


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
    con.execute(_GAPS_DDL)
    for ddl in _AFTER_IMPORT_DDL:
        con.execute(ddl)
    con.execute("DELETE FROM meta.coverage")
    con.register("incoming_coverage", frame)
    con.execute("INSERT INTO meta.coverage BY NAME SELECT * FROM incoming_coverage")
    con.unregister("incoming_coverage")


def read_coverage(
    con: duckdb.DuckDBPyConnection, config: SlaConfig | None = None
) -> pl.DataFrame | None:
    """The stored coverage for ``config`` (:func:`analytics.coverage.stored_coverage` of
    :func:`coverage_rows`), or None: none stored, stored by a version with other groups,
    or for another time zone or other fit attributes.

    >>> con = duckdb.connect()
    >>> read_coverage(con) is None
    True
    """
    from analytics.coverage import stored_coverage

    rows = coverage_rows(con)
    return None if rows is None else stored_coverage(rows.collect(), config=config)


def coverage_rows(con: duckdb.DuckDBPyConnection) -> pl.LazyFrame | None:
    """The rows of ``meta.coverage`` as stored, read when collected, in the order written;
    None for a warehouse written before coverage was recorded.
    :func:`analytics.warehouse.database.load_tables` hands them to the tables.

    Returns
    -------
    LazyFrame with the columns of :data:`analytics.coverage.COVERAGE_SCHEMA`,
    ``config_key`` (null: stored before the key was) and the extent of the data they
    describe (:data:`analytics.coverage.EXTENT_SCHEMA`, the same in every row, read only
    when asked for): ``data_latest`` (the latest timestamp in ``core``,
    :func:`analytics.warehouse.facts.latest_timestamp`), ``traffic_last`` (the last day of
    web traffic).

    >>> coverage_rows(duckdb.connect()) is None
    True
    """
    import polars as pl

    from analytics.coverage import COVERAGE_SCHEMA, EXTENT_SCHEMA
    from analytics.timeframe import as_utc
    from analytics.warehouse.connection import read_lazily
    from analytics.warehouse.facts import latest_timestamp

    columns = _coverage_columns(con)
    if not columns:
        return None
    schema = {**COVERAGE_SCHEMA, "config_key": pl.String(), **EXTENT_SCHEMA}
    key = "config_key" if "config_key" in columns else "NULL::VARCHAR AS config_key"
    later = {"dated_after_import": "VARCHAR[]", "gaps": "VARCHAR[]", "imported_on": "DATE"}
    added = ", ".join(c if c in columns else f"NULL::{t} AS {c}" for c, t in later.items())

    def read(cursor: duckdb.DuckDBPyConnection, wanted: list[str] | None) -> pl.DataFrame:
        frame = pl.DataFrame(
            cursor.sql(
                f'SELECT "group", measurable, "from", "to", needs, reason, {added}, {key} '
                "FROM meta.coverage ORDER BY rowid"
            )
        )
        if wanted is None or set(EXTENT_SCHEMA) & set(wanted):
            latest = latest_timestamp(cursor)
            (last_day,) = cursor.execute("SELECT max(date) FROM core.web_traffic").fetchone()
            frame = frame.with_columns(
                pl.lit(None if latest is None else as_utc(latest)).alias("data_latest"),
                pl.lit(last_day).alias("traffic_last"),
            )
        return frame.select(
            pl.col(c).cast(t) if c in frame.columns else pl.lit(None, t).alias(c)
            for c, t in schema.items()
        )

    return read_lazily(con, read, schema=schema, name="stored coverage")


def _coverage_columns(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The columns of ``meta.coverage`` (none for a warehouse written before coverage was
    recorded; ``config_key`` is there once a write keyed it)."""
    return {
        name
        for (name,) in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'meta' AND table_name = 'coverage'"
        ).fetchall()
    }


def _stored(con: duckdb.DuckDBPyConnection, config: SlaConfig | None = None) -> bool:
    """Is a coverage stored, and (with ``config``) for that config's key?"""
    columns = _coverage_columns(con)
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


__all__ = ["coverage_config_key", "coverage_json", "coverage_rows", "read_coverage",
           "record_coverage", "stored_config_key"]  # fmt: skip
