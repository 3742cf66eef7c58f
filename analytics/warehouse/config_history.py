"""The SLA as a living document: every config version used is kept in the warehouse.

``meta.config_versions`` holds one row per distinct config content (its SHA-256), with
the version label, the effective date, where it was read from, the validated content as
JSON and when it was first used. Imports and ``sla demo`` record the config they ran
with inside their transaction; :func:`record_config_if_new` records one for a command
that only reads (``sla review``), through :func:`~analytics.warehouse.database.updating`.

A version is recorded only beside the others (:func:`recording_conflict`): its label names
no other content (an edited config is a new version: bump ``sla.version``), and no other
version takes effect on its day (which one would judge that day's months?). A version
recorded by mistake is withdrawn with :func:`retire_config_version`: ``meta.config_retired``
keeps when and why, the history still shows it, and it judges no month.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from analytics.config import SlaConfig

if TYPE_CHECKING:  # imported where used: `sla info` reads the versions without polars
    import polars as pl


class ConfigVersionError(ValueError):
    """A version reference that names no recorded version, or more than one."""


class ConfigConflict(ConfigVersionError):
    """A config that cannot be recorded beside the recorded versions (the message says why
    and what to do)."""


def record_config_version(con: duckdb.DuckDBPyConnection, config: SlaConfig) -> bool:
    """Record ``config`` in ``meta.config_versions`` unless its content is already there.

    Returns True when a new version was recorded.

    Raises
    ------
    ConfigConflict
        Its label names other recorded content, another version takes effect on its day,
        or it was retired (:func:`recording_conflict`).
    """
    from analytics.warehouse.privacy import mask_text

    if (why := recording_conflict(con, config)) is not None:
        raise ConfigConflict(why)
    if is_recorded(con, config):
        return False
    # [access] and [notify] name people (e-mail addresses): no personal data in the
    # warehouse; [privacy] says where the salt is, which a copy of the warehouse must not tell
    content = config.model_dump(
        mode="json", exclude={"source", "content_hash", "access", "notify", "privacy"}
    )
    con.execute(
        "INSERT INTO meta.config_versions (content_hash, version, name, effective_from, "
        "source, content, first_used_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
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


def _named(row: dict) -> str:
    """A recorded version as messages name it: ``2026.3 (e9a4566c, in force from 2026-10-01)``."""
    return (
        f"{row['version']} ({row['content_hash'][:8]}, in force from "
        f"{row['effective_from'].isoformat()})"
    )


def recording_conflict(con: duckdb.DuckDBPyConnection, config: SlaConfig) -> str | None:
    """Why ``config`` cannot be recorded beside the recorded versions (None: it can, or it
    is recorded already), in the words of a config error: ``file: key = value: reason``.

    - Its label names other content: a config edited in place keeps its label, and both
      became "2026.2" (``sla config diff 2026.2`` then refused as ambiguous).
    - Another version (not retired) takes effect on its day: the later recorded silently
      judged the months the other had judged, for every user.
    - It was retired: a version withdrawn does not come back by the next ``sla review``.

    >>> from analytics.config import load_config
    >>> from analytics.sla_versions import with_settings
    >>> from analytics.warehouse.database import create_schema
    >>> con = duckdb.connect()
    >>> create_schema(con)
    >>> cfg = load_config("data/sla.toml")
    >>> _ = record_config_version(con, cfg)
    >>> edited = with_settings(cfg, {"cadence.min_attempts": 5}).model_copy(
    ...     update={"content_hash": "ab" * 32, "source": "sla.toml"})
    >>> print(recording_conflict(con, edited))  # doctest: +ELLIPSIS
    sla.toml: sla.version = '2026.2': names other content already recorded (...); bump ...
    >>> recording_conflict(con, cfg) is None
    True
    """
    import polars as pl

    rows = config_versions(con)
    if rows.is_empty():
        return None
    where = config.source or "the SLA config"
    same = rows.filter(pl.col("content_hash") == config.content_hash)
    if not same.is_empty():
        row = same.row(0, named=True)
        if row["retired_at"] is None:
            return None
        why = f" ({row['retired_reason']})" if row["retired_reason"] else ""
        return (
            f"{where}: SLA version {_named(row)} was retired on "
            f"{row['retired_at'].date().isoformat()}{why} and judges no month; to use its "
            "rules again, record them under a new sla.version"
        )
    label = rows.filter(pl.col("version") == config.sla.version)
    if not label.is_empty():
        row = label.row(0, named=True)
        retired = ", retired" if row["retired_at"] is not None else ""
        return (
            f"{where}: sla.version = {config.sla.version!r}: names other content already "
            f"recorded ({row['content_hash'][:8]}, in force from "
            f"{row['effective_from'].isoformat()}{retired}); bump sla.version for the changed "
            "agreement (and set sla.effective_from to the day it takes effect)"
        )
    day = config.sla.effective_from
    taken = rows.filter((pl.col("effective_from") == day) & pl.col("retired_at").is_null())
    if not taken.is_empty():
        row = taken.row(0, named=True)
        return (
            f"{where}: sla.effective_from = {day.isoformat()}: recorded SLA version "
            f"{row['version']} ({row['content_hash'][:8]}) takes effect that day already, and "
            f"{config.sla.version} would judge its months instead; one version per day: give "
            f"{config.sla.version} the day it takes effect, or, if {row['version']} was "
            f"recorded by mistake, withdraw it first (sla config retire {row['version']})"
        )
    return None


@dataclass(frozen=True)
class Rejudged:
    """The months whose verdict recording a backdated version changes (audit L5): those
    from its effective date up to the next recorded version, judged by ``judged_by`` until
    now. ``first_month`` None: every month up to ``last_month`` (it is the earliest now)."""

    version: str
    first_month: str | None
    last_month: str
    judged_by: str

    @property
    def text(self) -> str:
        """The warning's words.

        >>> print(Rejudged("2026.4", "2026-08", "2026-09", "2026.2").text)
        SLA version 2026.4 is backdated: it re-judges 2026-08 to 2026-09 (judged by 2026.2 ...
        >>> print(Rejudged("2025.9", None, "2025-12", "2026.2").text)
        SLA version 2025.9 is backdated: it re-judges every month up to 2025-12 (judged by ...
        """
        if self.first_month is None:
            months = f"every month up to {self.last_month}"
        elif self.first_month == self.last_month:
            months = self.first_month
        else:
            months = f"{self.first_month} to {self.last_month}"
        return (
            f"SLA version {self.version} is backdated: it re-judges {months} "
            f"(judged by {self.judged_by} until now)"
        )


def rejudged_months(con: duckdb.DuckDBPyConnection, config: SlaConfig) -> Rejudged | None:
    """The months recording ``config`` re-judges when it is backdated: recorded after a
    version with a later effective date (None: it is not, or it changes no month's
    version: it takes effect and ends inside one month).

    >>> from analytics.config import load_config
    >>> from analytics.sla_versions import with_settings
    >>> from analytics.warehouse.database import create_schema
    >>> con = duckdb.connect()
    >>> create_schema(con)
    >>> v1 = load_config("data/sla.toml")
    >>> v3 = with_settings(v1, {"sla.version": "2026.3", "sla.effective_from": "2026-10-01"})
    >>> _ = record_config_version(con, v1)
    >>> _ = record_config_version(con, v3.model_copy(update={"content_hash": "c3" * 32}))
    >>> v4 = with_settings(v1, {"sla.version": "2026.4", "sla.effective_from": "2026-08-01"})
    >>> rejudged_months(con, v4.model_copy(update={"content_hash": "c4" * 32}))
    Rejudged(version='2026.4', first_month='2026-08', last_month='2026-09', judged_by='2026.2')
    """
    from analytics.sla_versions import recorded_in_force

    versions = stored_configs(con)
    if not versions or config.content_hash in {c.content_hash for c in versions}:
        return None
    day = config.sla.effective_from
    later = sorted(c.sla.effective_from for c in versions if c.sla.effective_from > day)
    if not later:
        return None
    judged_by = recorded_in_force(versions, on=day)
    last_day = later[0] - timedelta(days=1)  # the day before the next version takes effect
    earliest = day < min(c.sla.effective_from for c in versions)
    first = day if day.day == 1 else (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    if not earliest and first > last_day:
        return None  # it takes effect and ends inside one month: no month's version changes
    return Rejudged(
        version=config.sla.version,
        first_month=None if earliest else _month(first),
        last_month=_month(last_day),
        judged_by=judged_by.sla.version if judged_by is not None else "no version",
    )


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _masked(value: Any) -> Any:
    """``value`` (JSON-like) with e-mail addresses, phone numbers and IBANs masked in its
    texts: the SLA's owners and descriptions may name a person and how to reach them.

    >>> _masked({"owners": ["Ana <ana@example.org>", "Head of Sales"], "n": 3})
    {'owners': ['Ana <[email]>', 'Head of Sales'], 'n': 3}
    """
    from analytics.warehouse.privacy import mask_texts

    texts: list[str] = []

    def read(part: Any) -> None:
        if isinstance(part, str):
            texts.append(part)
        elif isinstance(part, list | dict):
            for inner in part.values() if isinstance(part, dict) else part:
                read(inner)

    read(value)
    masked = iter(mask_texts(texts))  # all at once: a config holds hundreds of texts

    def written(part: Any) -> Any:
        if isinstance(part, str):
            return next(masked)
        if isinstance(part, list):
            return [written(inner) for inner in part]
        if isinstance(part, dict):
            return {key: written(inner) for key, inner in part.items()}
        return part

    return written(value)


def config_versions(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per recorded SLA config version, oldest effective date first: its label,
    effective date, name (``name_de``: in German, null when not translated), content hash,
    the file it was read from (``source``), when it was first used, and for a retired one
    ``retired_at`` and ``retired_reason`` (null otherwise)."""
    import polars as pl

    from analytics.warehouse.connection import has_table

    retired = (
        "SELECT content_hash, min(retired_at) AS retired_at, any_value(reason) AS reason "
        "FROM meta.config_retired GROUP BY content_hash"
        if has_table(con, "meta", "config_retired")  # not in a warehouse of older versions
        else "SELECT NULL::VARCHAR AS content_hash, NULL::TIMESTAMPTZ AS retired_at, "
        "NULL::VARCHAR AS reason WHERE false"
    )
    return pl.DataFrame(
        con.sql(
            "SELECT v.version, v.effective_from, v.name, "
            "json_extract_string(v.content, '$.sla.name_de') AS name_de, v.content_hash, "
            "v.source, v.first_used_at, r.retired_at, r.reason AS retired_reason, v.content "
            f"FROM meta.config_versions v LEFT JOIN ({retired}) r USING (content_hash) "
            "ORDER BY v.effective_from, v.first_used_at"
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


def recorded_configs(con: duckdb.DuckDBPyConnection) -> dict[str, SlaConfig]:
    """Every recorded version as a config, retired ones too, by content hash (for the
    history); one recorded in a config format that no longer validates is left out."""
    configs = {}
    for row in config_versions(con).iter_rows(named=True):
        try:
            configs[row["content_hash"]] = _as_config(row)
        except ConfigVersionError:
            continue
    return configs


def stored_configs(con: duckdb.DuckDBPyConnection) -> list[SlaConfig]:
    """The recorded versions as configs, in the order they were first used.

    Each carries its recorded ``source`` and ``content_hash``. This order is the
    tie-break of :func:`analytics.sla_versions.config_in_force` (same effective date,
    in a warehouse recorded before such pairs were refused: the later recorded wins). A
    retired version judges no month and is left out, and so is a version recorded in a
    config format that no longer validates (a key since renamed).

    >>> from analytics.config import load_config
    >>> from analytics.warehouse.database import create_schema
    >>> con = duckdb.connect()
    >>> create_schema(con)
    >>> record_config_version(con, load_config("data/sla.toml"))
    True
    >>> [c.sla.version for c in stored_configs(con)]
    ['2026.2']
    """
    from analytics.warehouse.connection import has_table

    live = (  # a retired version judges no month
        "WHERE content_hash NOT IN (SELECT content_hash FROM meta.config_retired) "
        if has_table(con, "meta", "config_retired")  # not in a warehouse of older versions
        else ""
    )
    rows = con.execute(
        f"SELECT content_hash, version, source, content FROM meta.config_versions {live}"
        "ORDER BY first_used_at, effective_from"
    ).fetchall()
    configs = []
    for values in rows:  # a few rows; DuckDB alone (no polars: `sla info` reads them)
        row = dict(zip(("content_hash", "version", "source", "content"), values, strict=True))
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
    import polars as pl

    versions = config_versions(con)
    ref = ref.strip()
    by_label = versions.filter(pl.col("version") == ref)
    matches = by_label
    if by_label.is_empty() and len(ref) >= 4:
        matches = versions.filter(pl.col("content_hash").str.starts_with(ref.lower()))
    known = ", ".join(
        f"{r['version']} ({r['content_hash'][:8]}, from {r['effective_from']}"
        f"{', retired' if r['retired_at'] is not None else ''})"
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
    """The SLA version that judges ``month``: in force on its first day (before the first
    recorded version, that version; ``fallback`` only when none is recorded:
    :func:`analytics.sla_versions.config_in_force`).

    :func:`analytics.sla_versions.config_for_month` over the recorded versions (one small
    query), for every caller of :func:`analytics.review.build_review` (the CLI, the app's
    pages, the pack, notebooks), so that they judge a month alike.

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
    from analytics.sla_versions import config_for_month as judged_by

    return judged_by(stored_configs(con), month=month, fallback=fallback)


def retire_config_version(
    con: duckdb.DuckDBPyConnection, ref: str, *, reason: str | None = None
) -> SlaConfig:
    """Withdraw the recorded version ``ref`` names (label or hash prefix): it stays in the
    history, marked retired (when, why), and judges no month from now on.

    Returns the version retired.

    Raises
    ------
    ConfigVersionError
        ``ref`` names no version or several, or one already retired.

    >>> from analytics.config import load_config
    >>> from analytics.warehouse.database import create_schema
    >>> con = duckdb.connect()
    >>> create_schema(con)
    >>> _ = record_config_version(con, load_config("data/sla.toml"))
    >>> retire_config_version(con, "2026.2", reason="recorded by mistake").sla.version
    '2026.2'
    >>> stored_configs(con), config_versions(con)["retired_reason"].to_list()
    ([], ['recorded by mistake'])
    """
    import polars as pl

    from analytics.warehouse.privacy import mask_text

    config = resolve_config_version(con, ref)
    row = (
        config_versions(con)
        .filter(pl.col("content_hash") == config.content_hash)
        .row(0, named=True)
    )
    if row["retired_at"] is not None:
        raise ConfigVersionError(
            f"SLA version {_named(row)} was retired on {row['retired_at'].date().isoformat()} "
            "already"
        )
    con.execute(
        "INSERT INTO meta.config_retired VALUES (?, ?, ?)",
        [config.content_hash, datetime.now(UTC), mask_text(reason) if reason else None],
    )
    return config


def is_recorded(con: duckdb.DuckDBPyConnection, config: SlaConfig) -> bool:
    """Whether ``config``'s content is already in ``meta.config_versions``."""
    row = con.execute(
        "SELECT count(*) FROM meta.config_versions WHERE content_hash = ?", [config.content_hash]
    ).fetchall()[0]
    return bool(row[0])


@dataclass(frozen=True)
class Recording:
    """What :func:`record_config` did: whether it recorded ``config`` and, when it was
    backdated, the months it re-judges."""

    recorded: bool
    rejudged: Rejudged | None = None


def record_config(db_path: str | Path, config: SlaConfig) -> Recording:
    """:func:`record_config_if_new`, saying also which months a backdated version
    re-judges (audit L5: the only word was "in force from" on standard error)."""
    rejudged = backdating(db_path, config)
    recorded = record_config_if_new(db_path, config)
    return Recording(recorded, rejudged if recorded else None)


def backdating(db_path: str | Path, config: SlaConfig) -> Rejudged | None:
    """:func:`rejudged_months` of the warehouse file, read-only (None: no warehouse)."""
    from analytics.warehouse.database import WarehouseError, connect_readonly, is_warehouse

    try:
        con = connect_readonly(db_path)
    except WarehouseError:
        return None
    try:
        return rejudged_months(con, config) if is_warehouse(con) else None
    finally:
        con.close()


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

    Raises
    ------
    ConfigConflict
        When it cannot be recorded (:func:`recording_conflict`); nothing is written.
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
        if not is_warehouse(con):
            return False
        if (why := recording_conflict(con, config)) is not None:
            raise ConfigConflict(why)
        if is_recorded(con, config):
            return False
    finally:
        con.close()
    # the data stays as it is: results stored for it are keyed by config hash and stay valid
    with updating(db_path, keep_results=True) as con:
        return record_config_version(con, config)


def retire_version(db_path: str | Path, ref: str, *, reason: str | None = None) -> SlaConfig:
    """:func:`retire_config_version` in the warehouse file (a copy swapped in; stored
    results are keyed by config hash and stay valid)."""
    from analytics.warehouse.database import updating

    with updating(db_path, keep_results=True) as con:
        return retire_config_version(con, ref, reason=reason)


__all__ = [
    "ConfigConflict",
    "ConfigVersionError",
    "Recording",
    "Rejudged",
    "backdating",
    "config_for_month",
    "config_versions",
    "is_recorded",
    "record_config",
    "record_config_if_new",
    "record_config_version",
    "recorded_configs",
    "recording_conflict",
    "rejudged_months",
    "resolve_config_version",
    "retire_config_version",
    "retire_version",
    "stored_configs",
]
