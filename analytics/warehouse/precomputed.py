"""Stored results: what the review computed, kept for the next reader.

``meta.precomputed`` is the index: one row per (kind, month, config_hash, as_of,
code_hash, model_hash) with the payload's size and the table that holds it. Each payload
(:func:`analytics.precompute.to_bytes`) is a one-row table of its own in the ``results``
schema: DuckDB reads a BLOB column a whole vector at a time, so payloads sharing a table
were all read to serve any one of them (at 10M leads, 170 MB to read a 15 KB KPI
history). Every write to the warehouse (:func:`analytics.warehouse.database.updating`)
deletes the stored results (an import once it has seen that it changed their data:
:attr:`analytics.warehouse.loader.ImportResult.results_kept`), so a row that is there
was computed on exactly the data in the file; the config hash, ``as_of`` and the saved
model in the key do the rest.
Storing results drops those of another version of the code, which no reader of this
version would serve.

>>> import duckdb
>>> con = duckdb.connect()
>>> create_table(con)
>>> from analytics.precompute import ResultKey
>>> key = ResultKey("review", "2026-10", "abc", "", "code")
>>> write_results(con, {key: b"x"})
>>> read_result(con, key), read_result(con, ResultKey("review", "2026-10", "abc", "", "new"))
(b'x', None)
>>> read_result(con, ResultKey("review", "2026-10", "abc", "", "code", model_hash="m1"))
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import polars as pl

from analytics.precompute import ResultKey
from analytics.warehouse.connection import read_lazily

if TYPE_CHECKING:
    from analytics.config import SlaConfig
    from analytics.warehouse.database import FileIdentity

#: The schema of the payload tables (one per stored result).
RESULTS_SCHEMA = "results"

DDL = """CREATE TABLE IF NOT EXISTS meta.precomputed (
    kind VARCHAR, month VARCHAR, config_hash VARCHAR, as_of VARCHAR, code_hash VARCHAR,
    model_hash VARCHAR, payload_table VARCHAR, bytes BIGINT,
    computed_at TIMESTAMPTZ DEFAULT current_timestamp)"""
_WHERE = (
    "kind = ? AND month = ? AND config_hash = ? AND as_of = ? AND code_hash = ? AND model_hash = ?"
)


def _params(key: ResultKey) -> list[str]:
    return [key.kind, key.month, key.config_hash, key.as_of, key.code_hash, key.model_hash]


def payload_table(key: ResultKey) -> str:
    """The name of the table in :data:`RESULTS_SCHEMA` that holds ``key``'s payload.

    >>> payload_table(ResultKey("review", "2026-10", "abc", "", "code"))
    'r_08536a015c06bbe4267e9b53'
    """
    digest = hashlib.sha256("\x1f".join(_params(key)).encode()).hexdigest()
    return f"r_{digest[:24]}"


def create_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create ``meta.precomputed`` and the ``results`` schema where missing; an index of an
    older layout (payloads in the index itself, or without the code and model in the key)
    is dropped first (what it held can always be computed again)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS meta")
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {RESULTS_SCHEMA}")
    columns = {
        name
        for (name,) in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'meta' AND table_name = 'precomputed'"
        ).fetchall()
    }
    if columns and not {"code_hash", "model_hash", "payload_table"} <= columns:
        con.execute("DROP TABLE meta.precomputed")
    con.execute(DDL)


def _payload_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        name
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = ?",
            [RESULTS_SCHEMA],
        ).fetchall()
    ]


def _drop_payloads(con: duckdb.DuckDBPyConnection, tables: list[str]) -> None:
    for name in tables:
        con.execute(f'DROP TABLE IF EXISTS {RESULTS_SCHEMA}."{name}"')


def clear_results(con: duckdb.DuckDBPyConnection) -> None:
    """Delete every stored result (the data is about to change)."""
    create_table(con)
    con.execute("DELETE FROM meta.precomputed")
    _drop_payloads(con, _payload_tables(con))


def write_results(con: duckdb.DuckDBPyConnection, results: Mapping[ResultKey, bytes]) -> None:
    """Store results, replacing any stored under the same key; the results of another
    version of the code (another ``code_hash``) go."""
    create_table(con)
    codes = {key.code_hash for key in results}
    if codes:
        marks = ", ".join("?" for _ in codes)
        con.execute(f"DELETE FROM meta.precomputed WHERE code_hash NOT IN ({marks})", [*codes])
    for key, payload in results.items():
        params = _params(key)
        table = payload_table(key)
        con.execute(f"DELETE FROM meta.precomputed WHERE {_WHERE}", params)
        con.execute(f'CREATE OR REPLACE TABLE {RESULTS_SCHEMA}."{table}" (payload BLOB)')
        con.execute(f'INSERT INTO {RESULTS_SCHEMA}."{table}" VALUES (?)', [payload])
        con.execute(
            "INSERT INTO meta.precomputed (kind, month, config_hash, as_of, code_hash, "
            "model_hash, payload_table, bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [*params, table, len(payload)],
        )
    indexed = {t for (t,) in con.execute("SELECT payload_table FROM meta.precomputed").fetchall()}
    _drop_payloads(con, [t for t in _payload_tables(con) if t not in indexed])


def read_result(con: duckdb.DuckDBPyConnection, key: ResultKey) -> bytes | None:
    """The payload stored under ``key``, or None (none stored, or an older warehouse)."""
    rows = _select(con, "payload_table", key)
    if not rows:
        return None
    try:
        payload = con.execute(f'SELECT payload FROM {RESULTS_SCHEMA}."{rows[0][0]}"').fetchall()
    except duckdb.CatalogException:
        return None
    return bytes(payload[0][0]) if payload else None


def has_result(con: duckdb.DuckDBPyConnection, key: ResultKey) -> bool:
    """Whether a result is stored under ``key`` (the index only: no payload is read).

    >>> has_result(duckdb.connect(), ResultKey("review", "2026-10", "abc", "", "code"))
    False
    """
    return bool(_select(con, "1", key))


def _select(con: duckdb.DuckDBPyConnection, what: str, key: ResultKey) -> list[tuple[Any, ...]]:
    """``SELECT what`` of the index row of ``key``: no rows when there is none, or the
    warehouse was written before results (or this layout of them) were stored."""
    try:
        # fetchall, not fetchone: DuckDB 2 keeps a connection busy until a result is drained
        return con.execute(
            f"SELECT {what} FROM meta.precomputed WHERE {_WHERE}", _params(key)
        ).fetchall()
    except (duckdb.CatalogException, duckdb.BinderException):
        return []


def stored_episodes(con: duckdb.DuckDBPyConnection) -> pl.LazyFrame | None:
    """The MQL episodes stored after the last import (:func:`analytics.precompute.episodes_key`,
    for this code), read lazily through ``con``; None when there are none (an older
    warehouse, another version of the code, or an import whose results are not stored yet).

    >>> con = duckdb.connect()
    >>> stored_episodes(con) is None
    True
    """
    from analytics.episodes import episodes_to_store
    from analytics.precompute import episodes_key, from_bytes
    from analytics.tables import Tables

    key = episodes_key()
    if not has_result(con, key):  # the payload itself is read when a query needs it
        return None
    empty = Tables.empty()
    schema = episodes_to_store(empty.lifecycle_events, empty.leads).collect_schema()

    def read(cursor: duckdb.DuckDBPyConnection, columns: list[str] | None) -> pl.DataFrame:
        payload = read_result(cursor, key)
        return pl.DataFrame(schema=schema) if payload is None else from_bytes(payload)

    return read_lazily(con, read, schema=schema, name="stored mql_episodes")


def stored_results(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per stored result: kind, month, config_hash, as_of, model_hash, bytes,
    computed_at."""
    try:
        return con.sql(
            "SELECT kind, month, config_hash, as_of, model_hash, bytes, computed_at "
            "FROM meta.precomputed ORDER BY kind, month"
        ).pl()
    except (duckdb.CatalogException, duckdb.BinderException):  # none, or an older layout
        return pl.DataFrame()


def store_results(
    db_path: str | Path,
    results: Mapping[ResultKey, bytes],
    *,
    read_from: FileIdentity | None = None,
    coverage_for: SlaConfig | None = None,
) -> None:
    """Write ``results`` into the warehouse file (swapped in like an import), keeping the
    results already stored for the same data.

    Parameters
    ----------
    read_from
        The :func:`~analytics.warehouse.database.file_identity` of the file the results
        were computed from: if another writer has replaced it since, nothing is stored
        (:class:`~analytics.warehouse.database.DataChanged`).
    coverage_for
        Also record the data's coverage for this config (its time zone and fit differ
        from those it is stored for).
    """
    from analytics.warehouse.coverage_store import record_coverage
    from analytics.warehouse.database import updating

    with updating(db_path, keep_results=True, expect=read_from) as con:
        write_results(con, results)
        if coverage_for is not None:
            record_coverage(con, coverage_for)


__all__ = [
    "RESULTS_SCHEMA",
    "clear_results",
    "create_table",
    "has_result",
    "payload_table",
    "read_result",
    "store_results",
    "stored_episodes",
    "stored_results",
    "write_results",
]
