"""Opening the warehouse file to read it: DuckDB only, so that a command that just asks a
few questions (``sla info``) starts without importing polars.

>>> connect_readonly("/nonexistent/w.duckdb")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
analytics.warehouse.connection.WarehouseError: /nonexistent/w.duckdb: no warehouse here (...)
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from analytics.schema import TABLES


class WarehouseError(Exception):
    """The warehouse file is missing, locked or not a warehouse."""


def connect_readonly(db_path: str | Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection; several processes may hold one while imports swap files."""
    db_path = Path(db_path)
    if not db_path.exists():
        raise WarehouseError(
            f"{db_path}: no warehouse here (build one with `sla demo` or `sla import`)"
        )
    try:
        return duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error as exc:
        raise WarehouseError(f"{db_path}: cannot open the warehouse: {exc}") from None


def is_warehouse(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the file holds the ``core`` tables of an SLA warehouse."""
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'core'"
    ).fetchall()[0]
    return bool(row and row[0] >= len(TABLES))


def has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    """Whether the warehouse has ``schema.table`` (one an older version did not write).

    >>> has_table(duckdb.connect(), "meta", "coverage")
    False
    """
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [schema, table],
    ).fetchall()[0]
    return bool(row[0])


__all__ = ["WarehouseError", "connect_readonly", "has_table", "is_warehouse"]
