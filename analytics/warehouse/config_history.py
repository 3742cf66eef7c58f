"""The SLA as a living document: every config version used is kept in the warehouse.

``meta.config_versions`` holds one row per distinct config content (its SHA-256), with
the version label, the effective date, where it was read from, the validated content as
JSON and when it was first used. Imports and ``sla demo`` record the config they ran
with inside their transaction; :func:`record_config_if_new` records one for a command
that only reads (``sla review``), through :func:`~analytics.warehouse.database.updating`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from analytics.config import SlaConfig
from analytics.warehouse.privacy import mask_text


class ConfigVersionError(ValueError):
    """A version reference that names no recorded version, or more than one."""


def record_config_version(con: duckdb.DuckDBPyConnection, config: SlaConfig) -> bool:
    """Record ``config`` in ``meta.config_versions`` unless its content is already there.

    Returns True when a new version was recorded.
    """
    seen = con.execute(
        "SELECT count(*) FROM meta.config_versions WHERE content_hash = ?", [config.content_hash]
    ).fetchall()[0][0]
    if seen:
        return False
    # [access] and [notify] name people (e-mail addresses): no personal data in the
    # warehouse; [privacy] says where the salt is, which a copy of the warehouse must not tell
    content = config.model_dump(
        mode="json", exclude={"source", "content_hash", "access", "notify", "privacy"}
    )
    con.execute(
        "INSERT INTO meta.config_versions VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            config.content_hash,
            config.sla.version,
            mask_text(config.sla.name),
            config.sla.effective_from,
            mask_text(config.source),
            json.dumps(_masked(content), separators=(",", ":"), ensure_ascii=False),
            datetime.now(UTC),
        ],
    )
    return True


def _masked(value: Any) -> Any:
    """``value`` (JSON-like) with e-mail addresses, phone numbers and IBANs masked in its
    texts: the SLA's owners and descriptions may name a person and how to reach them.

    >>> _masked({"owners": ["Ana <ana@example.org>", "Head of Sales"], "n": 3})
    {'owners': ['Ana <[email]>', 'Head of Sales'], 'n': 3}
    """
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, list):
        return [_masked(v) for v in value]
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    return value


def config_versions(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per recorded SLA config version, oldest effective date first."""
    return pl.DataFrame(
        con.sql(
            "SELECT version, effective_from, name, content_hash, source, first_used_at, content "
            "FROM meta.config_versions ORDER BY effective_from, first_used_at"
        )
    )


def _as_config(row: dict) -> SlaConfig:
    """A recorded row as a config; :class:`ConfigVersionError` when it no longer validates."""
    from pydantic import ValidationError

    try:
        config = SlaConfig.model_validate_json(row["content"])
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:3]
        )
        raise ConfigVersionError(
            f"recorded SLA version {row.get('version')!r} ({row['content_hash'][:8]}) does not "
            f"fit today's config format ({problems})"
        ) from None
    return config.model_copy(
        update={"source": row["source"] or "", "content_hash": row["content_hash"]}
    )


def stored_configs(con: duckdb.DuckDBPyConnection) -> list[SlaConfig]:
    """The recorded versions as configs, in the order they were first used.

    Each carries its recorded ``source`` and ``content_hash``. This order is the
    tie-break of :func:`analytics.sla_history.config_in_force` (same effective date:
    the later recorded wins). A version recorded in a config format that no longer
    validates (a key since renamed) is left out.

    >>> from analytics.config import load_config
    >>> from analytics.warehouse.database import create_schema
    >>> con = duckdb.connect()
    >>> create_schema(con)
    >>> record_config_version(con, load_config("data/sla.toml"))
    True
    >>> [c.sla.version for c in stored_configs(con)]
    ['2026.2']
    """
    rows = pl.DataFrame(
        con.sql(
            "SELECT content_hash, version, source, content FROM meta.config_versions "
            "ORDER BY first_used_at, effective_from"
        )
    )
    configs = []
    for row in rows.iter_rows(named=True):
        try:
            configs.append(_as_config(row))
        except ConfigVersionError:
            continue  # written by an older config format: it can judge no month today
    return configs


def resolve_config_version(con: duckdb.DuckDBPyConnection, ref: str) -> SlaConfig:
    """The recorded version that ``ref`` names: a version label or a content-hash prefix.

    A version label wins over a hash prefix; a prefix needs at least 4 characters.

    Raises
    ------
    ConfigVersionError
        When ``ref`` names no version or several (the message lists the known ones).

    >>> from analytics.config import load_config
    >>> from analytics.warehouse.database import create_schema
    >>> con = duckdb.connect()
    >>> create_schema(con)
    >>> cfg = load_config("data/sla.toml")
    >>> _ = record_config_version(con, cfg)
    >>> resolve_config_version(con, cfg.content_hash[:8]).sla.version
    '2026.2'
    >>> resolve_config_version(con, "1999.1")
    Traceback (most recent call last):
    ...
    analytics.warehouse.config_history.ConfigVersionError: no recorded SLA version '1999.1'; ...
    """
    versions = config_versions(con)
    ref = ref.strip()
    by_label = versions.filter(pl.col("version") == ref)
    matches = by_label
    if by_label.is_empty() and len(ref) >= 4:
        matches = versions.filter(pl.col("content_hash").str.starts_with(ref.lower()))
    known = ", ".join(
        f"{r['version']} ({r['content_hash'][:8]}, from {r['effective_from']})"
        for r in versions.iter_rows(named=True)
    )
    if matches.is_empty():
        raise ConfigVersionError(
            f"no recorded SLA version {ref!r}; known: {known or '(none recorded)'} "
            "(a version label or at least 4 characters of a content hash)"
        )
    if matches.height > 1:
        hashes = ", ".join(h[:12] for h in matches["content_hash"])
        raise ConfigVersionError(
            f"{ref!r} names {matches.height} recorded versions ({hashes}); "
            "give more characters of the content hash"
        )
    return _as_config(matches.row(0, named=True))


def config_for_month(
    con: duckdb.DuckDBPyConnection, fallback: SlaConfig, *, month: str
) -> SlaConfig:
    """The SLA version that judges ``month``: in force on its first day, else ``fallback``.

    For every caller of :func:`analytics.review.build_review` (the CLI, the app's
    Monthly review page, the pack), so that they judge a month alike.

    Parameters
    ----------
    con : DuckDBPyConnection
        A (read-only) connection to the warehouse.
    fallback : SlaConfig
        The config given now.
    month : str
        ``YYYY-MM`` in ``fallback.reporting.timezone``.

    >>> from analytics.config import load_config
    >>> from analytics.warehouse.database import create_schema
    >>> con = duckdb.connect()
    >>> create_schema(con)
    >>> config_for_month(con, load_config("data/sla.toml"), month="2026-10").sla.version
    '2026.2'
    """
    from analytics.sla_history import config_in_force
    from analytics.timeframe import month_window

    first_day = month_window(month, timezone=fallback.reporting.timezone).first_day
    return config_in_force(stored_configs(con), on=first_day, fallback=fallback)


def is_recorded(con: duckdb.DuckDBPyConnection, config: SlaConfig) -> bool:
    """Whether ``config``'s content is already in ``meta.config_versions``."""
    row = con.execute(
        "SELECT count(*) FROM meta.config_versions WHERE content_hash = ?", [config.content_hash]
    ).fetchall()[0]
    return bool(row[0])


def record_config_if_new(db_path: str | Path, config: SlaConfig) -> bool:
    """Record ``config`` for a command that only reads, when it is not recorded yet.

    Looks with a read-only connection first (no lock); only a new version goes through
    :func:`~analytics.warehouse.database.updating` (a copy swapped in, serialised with
    imports by the writers' lock), so open readers are never blocked. Call it before
    opening the read-only connection of the command itself: a process keeps one view
    per file. Does nothing (False) for a missing file or one that is not a warehouse.

    Returns
    -------
    bool
        True when a new version was recorded.
    """
    from analytics.warehouse.database import (
        WarehouseError,
        connect_readonly,
        is_warehouse,
        updating,
    )

    if not config.content_hash:
        return False
    try:
        con = connect_readonly(db_path)
    except WarehouseError:
        return False
    try:
        if not is_warehouse(con) or is_recorded(con, config):
            return False
    finally:
        con.close()
    # the data stays as it is: results stored for it are keyed by config hash and stay valid
    with updating(db_path, keep_results=True) as con:
        return record_config_version(con, config)


__all__ = [
    "ConfigVersionError",
    "config_for_month",
    "config_versions",
    "is_recorded",
    "record_config_if_new",
    "record_config_version",
    "resolve_config_version",
    "stored_configs",
]
