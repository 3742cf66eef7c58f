"""The SLA as a living document: every config version used is kept in the warehouse."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import polars as pl

from analytics.config import SlaConfig


def record_config_version(con: duckdb.DuckDBPyConnection, config: SlaConfig) -> bool:
    """Record ``config`` in ``meta.config_versions`` unless its content is already there.

    Returns True when a new version was recorded.
    """
    seen = con.execute(
        "SELECT count(*) FROM meta.config_versions WHERE content_hash = ?", [config.content_hash]
    ).fetchall()[0][0]
    if seen:
        return False
    content = config.model_dump_json(exclude={"source", "content_hash"})
    con.execute(
        "INSERT INTO meta.config_versions VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            config.content_hash,
            config.sla.version,
            config.sla.name,
            config.sla.effective_from,
            config.source,
            content,
            datetime.now(UTC),
        ],
    )
    return True


def config_versions(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per recorded SLA config version, oldest effective date first."""
    return con.sql(
        "SELECT version, effective_from, name, content_hash, source, first_used_at, content "
        "FROM meta.config_versions ORDER BY effective_from, first_used_at"
    ).pl()
