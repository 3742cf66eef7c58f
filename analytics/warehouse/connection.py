"""Opening the warehouse file to read it: DuckDB only, so that a command that just asks a
few questions (``sla info``) starts without importing polars.

>>> connect_readonly("/nonexistent/w.duckdb")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
analytics.warehouse.connection.WarehouseError: /nonexistent/w.duckdb: no warehouse here (...)
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:  # polars only where a frame is read: `sla info` starts fast
    import polars as pl

from analytics.schema import TABLES


class WarehouseError(Exception):
    """The warehouse file is missing, locked, misnamed or not a warehouse."""


#: The warehouse's schemas, named unqualified in its SQL (``core.leads``). DuckDB names a
#: file's catalog after the file (:func:`catalog_name`): a catalog named like one of them
#: makes every such name ambiguous ("Ambiguous reference to catalog or schema").
SCHEMAS: tuple[str, ...] = ("raw", "core", "meta", "results")


def catalog_name(db_path: str | Path) -> str:
    """The catalog name DuckDB gives the file: the first part of its name before a dot
    (as DuckDB's ``FileSystem::ExtractBaseName``; ``main``, ``system`` and ``temp`` then
    get ``_db`` appended, none of them a warehouse schema).

    >>> catalog_name("x/core.duckdb"), catalog_name("x/.Meta.v2.duckdb"), catalog_name("w.duckdb")
    ('core', 'Meta', 'w')
    """
    return next((part for part in Path(db_path).name.split(".") if part), "")


def name_clash(db_path: str | Path) -> str | None:
    """The warehouse schema (:data:`SCHEMAS`) a warehouse file at ``db_path`` would be
    mistaken for, or None when its name can be used (names are case-insensitive).

    >>> name_clash("x/Core.duckdb"), name_clash("x/raw.bak.duckdb"), name_clash("x/core2.duckdb")
    ('core', 'raw', None)
    """
    name = catalog_name(db_path).lower()
    return name if name in SCHEMAS else None


def check_name(db_path: str | Path) -> None:
    """Refuse a warehouse file whose name DuckDB would give its catalog (:func:`name_clash`):
    nothing could be read from it or written to it. Every path that creates or opens a
    warehouse asks this first (as ``sla purge`` names its rebuilt copy so that it never
    takes the name ``old``).

    >>> check_name("data/warehouse.duckdb")
    >>> check_name("x/core.duckdb")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    analytics.warehouse.connection.WarehouseError: x/core.duckdb: a warehouse file cannot be ...
    """
    clash = name_clash(db_path)
    if clash is not None:
        path = Path(db_path)
        raise WarehouseError(
            f"{path}: a warehouse file cannot be named {path.name}: DuckDB names the "
            f"database after the file, and {clash} is one of the warehouse's schemas "
            f"({', '.join(SCHEMAS)}); choose another name, e.g. "
            f"{path.with_name('warehouse.duckdb')}"
        )


def connect_readonly(db_path: str | Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection; several processes may hold one while imports swap files."""
    db_path = Path(db_path)
    check_name(db_path)
    if not db_path.exists():
        raise WarehouseError(
            f"{db_path}: no warehouse here (build one with `sla demo` or `sla import`)"
        )
    try:
        return duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error as exc:
        raise WarehouseError(f"{db_path}: cannot open the warehouse: {exc}") from None


@contextmanager
def connect_current(db_path: str | Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the file at ``db_path`` now, closed on leaving.

    DuckDB keeps one instance per file path and process: while this process holds a
    connection to a file that a write has since replaced, :func:`connect_readonly` hands
    out that instance and its old data (duckdb/duckdb#15912). The results stored right
    after a write (``sla purge`` in a notebook that has the warehouse open) held the
    erased lead. This one opens the file through a hard link of its own name, in a stage
    folder beside it (a dead process's is removed as any stage's, by
    :func:`analytics.warehouse.leftovers.remove_leftovers`), so the instance is new.

    >>> with connect_current("nowhere.duckdb") as con:  # doctest: +ELLIPSIS
    ...     pass
    Traceback (most recent call last):
    ...
    analytics.warehouse.connection.WarehouseError: nowhere.duckdb: no warehouse here ...
    """
    db_path = Path(db_path)
    check_name(db_path)
    if not db_path.is_file():
        raise WarehouseError(
            f"{db_path}: no warehouse here (build one with `sla demo` or `sla import`)"
        )
    with tempfile.TemporaryDirectory(
        prefix=f".{db_path.name}.stage-{os.getpid()}-read-", dir=db_path.parent
    ) as folder:
        alias = Path(folder) / db_path.name
        try:
            os.link(db_path, alias)
        except OSError:  # a file system without hard links: the path, as any reader opens it
            alias = db_path
        try:
            con = duckdb.connect(str(alias), read_only=True)
        except duckdb.Error as exc:
            raise WarehouseError(f"{db_path}: cannot open the warehouse: {exc}") from None
        try:
            yield con
        finally:
            con.close()


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


def read_lazily(
    con: duckdb.DuckDBPyConnection,
    read: Callable[[duckdb.DuckDBPyConnection, list[str] | None], pl.DataFrame],
    *,
    schema: Mapping[str, pl.DataType],
    name: str,
) -> pl.LazyFrame:
    """A LazyFrame of ``schema`` that runs ``read(cursor, columns)`` (a cursor of ``con``
    of its own, the columns a query asks for or None) only when it is collected, then
    keeps those columns and the query's rows. For small results stored in the warehouse
    (the MQL episodes, the coverage) that tables carry without reading them.

    >>> import polars as pl
    >>> frame = read_lazily(duckdb.connect(), lambda cursor, columns: pl.DataFrame({"a": [1, 2]}),
    ...                     schema={"a": pl.Int64()}, name="example")
    >>> frame.filter(pl.col("a") > 1).collect()["a"].to_list()
    [2]
    """
    from polars.io.plugins import register_io_source

    def source(with_columns, predicate, n_rows, batch_size):
        cursor = con.cursor()
        try:
            frame = read(cursor, with_columns)
        finally:
            cursor.close()
        if with_columns is not None:
            frame = frame.select(with_columns)
        if predicate is not None:
            frame = frame.filter(predicate)
        yield frame if n_rows is None else frame.head(n_rows)

    return register_io_source(source, schema=dict(schema), explain_name=name)


__all__ = [
    "SCHEMAS",
    "WarehouseError",
    "catalog_name",
    "check_name",
    "connect_readonly",
    "has_table",
    "is_warehouse",
    "name_clash",
    "read_lazily",
]
