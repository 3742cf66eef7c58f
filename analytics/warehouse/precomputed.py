"""Stored results (``meta.precomputed``): what the review computed, kept for the next reader.

Grain: one row per (kind, month, config_hash, as_of, code_hash, model_hash). Every write
to the warehouse (:func:`analytics.warehouse.database.updating`) deletes the stored
results first, so a row that is there was computed on exactly the data in the file; the
config hash, ``as_of`` and the saved model in the key do the rest. The payload is
:func:`analytics.precompute.to_bytes`.

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

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from analytics.precompute import ResultKey

DDL = """CREATE TABLE IF NOT EXISTS meta.precomputed (
    kind VARCHAR, month VARCHAR, config_hash VARCHAR, as_of VARCHAR, code_hash VARCHAR,
    model_hash VARCHAR, payload BLOB, computed_at TIMESTAMPTZ DEFAULT current_timestamp)"""
_WHERE = (
    "kind = ? AND month = ? AND config_hash = ? AND as_of = ? AND code_hash = ? AND model_hash = ?"
)


def _params(key: ResultKey) -> list[str]:
    return [key.kind, key.month, key.config_hash, key.as_of, key.code_hash, key.model_hash]


def create_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create ``meta.precomputed`` (and the ``meta`` schema) where missing; a table of an
    older layout is dropped first (what it held can always be computed again)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS meta")
    columns = {
        name
        for (name,) in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'meta' AND table_name = 'precomputed'"
        ).fetchall()
    }
    if columns and not {"code_hash", "model_hash"} <= columns:
        con.execute("DROP TABLE meta.precomputed")
    con.execute(DDL)


def clear_results(con: duckdb.DuckDBPyConnection) -> None:
    """Delete every stored result (the data is about to change)."""
    create_table(con)
    con.execute("DELETE FROM meta.precomputed")


def write_results(con: duckdb.DuckDBPyConnection, results: Mapping[ResultKey, bytes]) -> None:
    """Store results, replacing any stored under the same key."""
    create_table(con)
    for key, payload in results.items():
        params = _params(key)
        con.execute(f"DELETE FROM meta.precomputed WHERE {_WHERE}", params)
        con.execute(
            "INSERT INTO meta.precomputed "
            "(kind, month, config_hash, as_of, code_hash, model_hash, payload) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [*params, payload],
        )


def read_result(con: duckdb.DuckDBPyConnection, key: ResultKey) -> bytes | None:
    """The payload stored under ``key``, or None (none stored, or an older warehouse)."""
    rows = _select(con, "payload", key)
    return bytes(rows[0][0]) if rows else None


def _select(con: duckdb.DuckDBPyConnection, what: str, key: ResultKey) -> list[tuple[Any, ...]]:
    """``SELECT what`` of the result stored under ``key``: no rows when there is none, or
    the warehouse was written before results (or one of the key's columns) were stored."""
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
    if not _select(con, "1", key):  # the payload itself is read when a query needs it
        return None
    empty = Tables.empty()
    schema = episodes_to_store(empty.lifecycle_events, empty.leads).collect_schema()

    def source(with_columns, predicate, n_rows, batch_size):
        cursor = con.cursor()
        try:
            payload = read_result(cursor, key)
        finally:
            cursor.close()
        frame = pl.DataFrame(schema=schema) if payload is None else from_bytes(payload)
        if with_columns is not None:
            frame = frame.select(with_columns)
        if predicate is not None:
            frame = frame.filter(predicate)
        yield frame if n_rows is None else frame.head(n_rows)

    from polars.io.plugins import register_io_source

    return register_io_source(source, schema=schema, explain_name="stored mql_episodes")


def stored_results(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per stored result: kind, month, config_hash, as_of, model_hash, bytes,
    computed_at."""
    try:
        return con.sql(
            "SELECT kind, month, config_hash, as_of, model_hash, octet_length(payload) AS bytes, "
            "computed_at "
            "FROM meta.precomputed ORDER BY kind, month"
        ).pl()
    except (duckdb.CatalogException, duckdb.BinderException):  # none, or an older layout
        return pl.DataFrame()


def store_results(db_path: str | Path, results: Mapping[ResultKey, bytes]) -> None:
    """Write ``results`` into the warehouse file (swapped in like an import), keeping the
    results already stored for the same data."""
    from analytics.warehouse.database import updating

    with updating(db_path, keep_results=True) as con:
        write_results(con, results)


__all__ = [
    "clear_results",
    "create_table",
    "read_result",
    "store_results",
    "stored_episodes",
    "stored_results",
    "write_results",
]
