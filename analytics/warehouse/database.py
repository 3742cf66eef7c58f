"""The DuckDB warehouse file: its layers, safe updates, and reading it as polars.

Layers (as in dbt's jaffle-shop):

- ``raw.<table>``: rows as loaded, all text, immutable; with ``_load_id``,
  ``_source_file``, ``_line`` and ``_extra`` (unknown columns as JSON).
- ``core.<table>``: typed, keyed, validated; one row per key of the canonical format.
- ``meta``: ``loads`` (one row per loaded file), ``quarantine`` (one row per broken
  rule of a rejected row), ``raw_seen`` (one row per raw row version and load that saw
  it), ``config_versions`` (one row per SLA config version used), ``config_retired``
  (one row per version withdrawn).

Updates never write the live file in place. :func:`updating` copies it (or starts
empty), lets the caller write the copy in one transaction, then swaps it in with
``os.replace``: a reader keeps the old state until it reconnects, never sees half a
load, and a killed import leaves the live file as it was. A lock file serialises
writers.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import io
import json
import operator
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from analytics.schema import DUCKDB_TYPE, LOAD_ORDER, TABLES
from analytics.tables import Tables

# opening the file and a few counts need no polars: they live in modules of their own
# (``sla info`` imports only those), and are re-exported here for existing callers
from analytics.warehouse.connection import WarehouseError as WarehouseError
from analytics.warehouse.connection import check_name
from analytics.warehouse.connection import connect_readonly as connect_readonly
from analytics.warehouse.connection import is_warehouse as is_warehouse
from analytics.warehouse.facts import last_import
from analytics.warehouse.facts import latest_timestamp as latest_timestamp
from analytics.warehouse.facts import table_counts as table_counts
from analytics.warehouse.leftovers import remove_leftovers

DEFAULT_DB = Path("data/warehouse.duckdb")


def _ddl() -> list[str]:
    statements = [
        "CREATE SCHEMA IF NOT EXISTS raw",
        "CREATE SCHEMA IF NOT EXISTS core",
        "CREATE SCHEMA IF NOT EXISTS meta",
    ]
    for name in LOAD_ORDER:
        table = TABLES[name]
        raw_cols = ", ".join(f'"{c.name}" VARCHAR' for c in table.columns)
        statements.append(
            f"CREATE TABLE IF NOT EXISTS raw.{name} (_load_id INTEGER, _source_file VARCHAR, "
            f"_line BIGINT, {raw_cols}, _extra JSON)"
        )
        # each distinct version of a row is kept once: its content hash (the loader's)
        statements.append(f"ALTER TABLE raw.{name} ADD COLUMN IF NOT EXISTS _row_hash VARCHAR")
        core_cols = ", ".join(f'"{c.name}" {DUCKDB_TYPE[c.kind]}' for c in table.columns)
        statements.append(f"CREATE TABLE IF NOT EXISTS core.{name} ({core_cols})")
        for c in table.columns:  # a warehouse built before an extension column gains it
            if c.extension:
                statements.append(
                    f'ALTER TABLE raw.{name} ADD COLUMN IF NOT EXISTS "{c.name}" VARCHAR'
                )
                statements.append(
                    f'ALTER TABLE core.{name} ADD COLUMN IF NOT EXISTS "{c.name}" '
                    f"{DUCKDB_TYPE[c.kind]}"
                )
        key = ", ".join(table.key)
        statements.append(f"COMMENT ON TABLE core.{name} IS 'Grain: {table.grain}; key ({key})'")
    statements += [
        """CREATE TABLE IF NOT EXISTS meta.loads (
            load_id INTEGER, table_name VARCHAR, source_file VARCHAR, file_sha256 VARCHAR,
            rows_read BIGINT, rows_loaded BIGINT, rows_rejected BIGINT, loaded_at TIMESTAMPTZ)""",
        "COMMENT ON TABLE meta.loads IS 'Grain: one row per file loaded'",
        *(
            f"ALTER TABLE meta.loads ADD COLUMN IF NOT EXISTS rows_{what} BIGINT"
            for what in ("added", "changed", "unchanged", "removed")
        ),
        # the load replaced its table (--replace): a snapshot, what it lacked was removed
        "ALTER TABLE meta.loads ADD COLUMN IF NOT EXISTS replaced BOOLEAN",
        # the latest timestamp of the data after the load: what it brought is known from then
        "ALTER TABLE meta.loads ADD COLUMN IF NOT EXISTS data_as_of TIMESTAMPTZ",
        # the import's format (canonical, an adapter's name, mapping:<file>): a --replace
        # speaks for the rows its own format's loads saw; null: sla demo, older loads
        "ALTER TABLE meta.loads ADD COLUMN IF NOT EXISTS format VARCHAR",
        # what the file said of its table beyond its keys (loader.recorded_scopes): the
        # stage dates it holds all of, the file kinds its export lacked; a purge replays it
        "ALTER TABLE meta.loads ADD COLUMN IF NOT EXISTS scopes JSON",
        # a purge erased the load (sla purge --load, --before): its row stays as the record
        # of what was loaded, but its file holds no table's data any more
        "ALTER TABLE meta.loads ADD COLUMN IF NOT EXISTS erased BOOLEAN",
        # what an import said of its files in words (amounts in several currencies, deals
        # of several pipelines): an analytics.texts.Text each, its parameters as JSON
        """CREATE TABLE IF NOT EXISTS meta.load_notices (
            load_id INTEGER, source_file VARCHAR, code VARCHAR, params JSON)""",
        "COMMENT ON TABLE meta.load_notices IS 'Grain: one row per notice of a loaded file'",
        """CREATE TABLE IF NOT EXISTS meta.quarantine (
            load_id INTEGER, table_name VARCHAR, source_file VARCHAR, file_sha256 VARCHAR,
            line BIGINT, "column" VARCHAR, reason VARCHAR, value VARCHAR, loaded_at TIMESTAMPTZ)""",
        "COMMENT ON TABLE meta.quarantine IS 'Grain: one row per broken rule of a rejected row'",
        # the same rejected row (same content, same rule) is kept once, whatever its path
        "ALTER TABLE meta.quarantine ADD COLUMN IF NOT EXISTS row_hash VARCHAR",
        # an adapter's or mapping's import: the export's column the cell was read from
        # (`Create Date` for created_at); null for canonical files and older loads
        "ALTER TABLE meta.quarantine ADD COLUMN IF NOT EXISTS source_column VARCHAR",
        # every load that saw a raw row version (the raw row names only the first)
        """CREATE TABLE IF NOT EXISTS meta.raw_seen (
            table_name VARCHAR, row_hash VARCHAR, load_id INTEGER)""",
        "COMMENT ON TABLE meta.raw_seen IS 'Grain: one row per raw row version and load that "
        "saw it'",
        # the columns that load's file did not have (its raw row has them empty)
        "ALTER TABLE meta.raw_seen ADD COLUMN IF NOT EXISTS absent VARCHAR[]",
        # whether that load rejected every line of the version (it never reached core
        # from that load); null for sightings recorded before this column
        "ALTER TABLE meta.raw_seen ADD COLUMN IF NOT EXISTS rejected BOOLEAN",
        """CREATE TABLE IF NOT EXISTS meta.removed (
            load_id INTEGER, table_name VARCHAR, id VARCHAR, key VARCHAR, lead_id VARCHAR)""",
        "COMMENT ON TABLE meta.removed IS 'Grain: one row per core row a load removed "
        "(--replace, a moved stage date): key as text (analytics.warehouse.removals)'",
        """CREATE TABLE IF NOT EXISTS meta.config_versions (
            content_hash VARCHAR, version VARCHAR, name VARCHAR, effective_from DATE,
            source VARCHAR, content VARCHAR, first_used_at TIMESTAMPTZ)""",
        "COMMENT ON TABLE meta.config_versions IS 'Grain: one row per SLA config version used'",
        # a version withdrawn (`sla config retire`): kept in the history, judges no month
        """CREATE TABLE IF NOT EXISTS meta.config_retired (
            content_hash VARCHAR, retired_at TIMESTAMPTZ, reason VARCHAR)""",
        "COMMENT ON TABLE meta.config_retired IS 'Grain: one row per SLA config version retired'",
    ]
    return statements


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw, core and meta tables where they are missing."""
    for statement in _ddl():
        con.execute(statement)
    mark_erased_loads(con)


def mark_erased_loads(con: duckdb.DuckDBPyConnection) -> None:
    """Mark ``erased`` the loads that purges made before ``meta.loads.erased`` erased: such
    a purge left no marks, so its loads still read as their tables' latest (and their
    files' quarantine as the one to tell). Its row in the log names them:
    ``sla purge --load N``, or ``sla purge --before DAY`` (every import before that day,
    and before the purge).

    >>> con = duckdb.connect()
    >>> create_schema(con)
    >>> _ = con.execute(
    ...     "INSERT INTO meta.loads (load_id, table_name, source_file, loaded_at) VALUES "
    ...     "(1, 'leads', 'a.csv', '2026-01-05 00:00Z'), "
    ...     "(2, 'leads', 'b.csv', '2026-02-05 00:00Z'), "
    ...     "(3, 'leads', 'c.csv', '2026-03-05 00:00Z'), "
    ...     "(4, 'purge', 'sla purge --before 2026-02-01', '2026-03-06 00:00Z'), "
    ...     "(5, 'purge', 'sla purge --load 3', '2026-03-07 00:00Z')")
    >>> mark_erased_loads(con)
    >>> con.execute("SELECT load_id FROM meta.loads WHERE erased ORDER BY 1").fetchall()
    [(1,), (3,)]
    """
    con.execute(
        r"""UPDATE meta.loads l SET erased = true
        FROM (SELECT load_id AS purge_id, source_file AS what FROM meta.loads
              WHERE table_name = 'purge' AND starts_with(source_file, 'sla purge --')) p
        WHERE l.erased IS NOT TRUE AND l.table_name IS DISTINCT FROM 'purge'
          AND l.load_id < p.purge_id
          AND (p.what = 'sla purge --load ' || l.load_id
               OR l.loaded_at < try_cast(regexp_extract(
                   p.what, '^sla purge --before (\d{4}-\d{2}-\d{2})$', 1) AS DATE)
                   ::TIMESTAMP AT TIME ZONE 'UTC')"""
    )


@contextlib.contextmanager
def updating(
    db_path: str | Path,
    *,
    fresh: bool = False,
    keep_results: bool = False,
    expect: FileIdentity | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to a copy of the warehouse, swapped in on success.

    Parameters
    ----------
    db_path
        The live warehouse file (created when missing).
    fresh
        Start from an empty warehouse instead of a copy (``sla demo``).
    keep_results
        Keep the stored results (:mod:`analytics.warehouse.precomputed`): a write that
        leaves their data alone, or an import, which deletes them once it has seen that
        it changed it; every other write changes the data and deletes them first.
    expect
        The :func:`file_identity` of the file the caller read (results computed from it):
        when another writer has swapped in a new file since, nothing is written and
        :class:`DataChanged` is raised.

    The body runs inside one transaction on the copy (a long append may commit to the
    copy in steps: :func:`commit_step`); on any exception the copy is deleted and the
    live file is untouched.
    """
    db_path = Path(db_path)
    check_name(db_path)  # before anything is created beside it
    db_path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = db_path.with_name(db_path.name + ".lock")
    with open(lock_path, "w") as lock:
        _wait_for_lock(lock, db_path)
        if expect is not None and file_identity(db_path) != expect:
            raise DataChanged(
                f"{db_path} changed while the results were computed (another import, purge "
                "or refresh swapped in a new file): they were not stored"
            )
        remove_leftovers(db_path, locked=True)
        work = db_path.with_name(f"{db_path.name}.tmp-{os.getpid()}")
        work.unlink(missing_ok=True)
        new = fresh or not db_path.exists()
        if not new:
            shutil.copyfile(db_path, work)
        try:
            con = duckdb.connect(str(work))
            try:
                create_schema(con)
                con.execute("BEGIN TRANSACTION")
                if new:  # written by this code alone: its cells satisfy its privacy rules
                    from analytics.warehouse.privacy_rules import record_rules

                    record_rules(con)
                if not keep_results:
                    from analytics.warehouse.precomputed import clear_results

                    clear_results(con)
                yield con
                con.execute("COMMIT")
                con.execute("CHECKPOINT")
            finally:
                con.close()
            _fsync(work)  # the new file is on disk before it takes the old one's name
            os.replace(work, db_path)
            _fsync(db_path.parent)  # and the rename itself survives a power cut
            if fresh:  # a new warehouse: the old one's send log (its leads' warnings) goes
                from analytics.warehouse.notifications import remove_log

                remove_log(db_path)
        finally:
            work.unlink(missing_ok=True)
            Path(str(work) + ".wal").unlink(missing_ok=True)


#: What tells one version of the warehouse file from the next: every write swaps in a new
#: file (device, inode, size, modification time in ns).
FileIdentity = tuple[int, int, int, int]


def file_identity(db_path: str | Path) -> FileIdentity | None:
    """The :data:`FileIdentity` of the live file, or None when there is none.

    >>> file_identity("no/such/warehouse.duckdb") is None
    True
    """
    try:
        st = os.stat(db_path)
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


class DataChanged(WarehouseError):
    """The warehouse file was replaced after the caller read it (see ``updating(expect=)``)."""


#: Seconds an import waits for another one's writer lock (``SLA_LOCK_TIMEOUT``).
LOCK_TIMEOUT = 600.0


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _wait_for_lock(lock: Any, db_path: Path) -> None:
    """Take the writer lock; while another writer (an import, a purge, a refresh storing
    its results) holds it, say so once and wait.

    Raises
    ------
    WarehouseError
        The lock was not free within ``SLA_LOCK_TIMEOUT`` seconds (default 600).
    """
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        pass
    setting = os.environ.get("SLA_LOCK_TIMEOUT", str(LOCK_TIMEOUT))
    try:
        timeout = float(setting)
    except ValueError:
        raise WarehouseError(
            f"SLA_LOCK_TIMEOUT={setting!r} is not a number of seconds; another writer holds "
            f"{db_path}: nothing was written"
        ) from None
    sys.stderr.write(
        f"{db_path}: another import, purge or refresh is writing it; waiting (up to "
        f"{timeout:g} s)\n"
    )
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise WarehouseError(
                    f"{db_path}: another import, purge or refresh is still writing it after "
                    f"{timeout:g} s; nothing was written (try again when it has finished)"
                ) from None
            time.sleep(0.2)


def commit_step(con: duckdb.DuckDBPyConnection) -> None:
    """Commit what an :func:`updating` body wrote so far to its copy, and go on in a new
    transaction.

    The live file still changes only at the swap, so a failure later leaves it as it was.
    DuckDB keeps the rows appended in an open transaction in memory until the commit
    (about 1 GB per million demo leads, beyond its memory limit): an append in steps
    commits after each to stay bounded by one step.

    >>> con = duckdb.connect()
    >>> _ = con.execute("BEGIN TRANSACTION").execute("CREATE TABLE t AS SELECT 1 AS x")
    >>> commit_step(con)
    >>> _ = con.execute("INSERT INTO t VALUES (2)").execute("ROLLBACK")
    >>> con.execute("SELECT x FROM t").fetchall()  # the row of the committed step stays
    [(1,)]
    """
    con.execute("COMMIT")
    con.execute("BEGIN TRANSACTION")


def _sql_filter(predicate: pl.Expr, schema: pl.Schema) -> str | None:
    """The conjuncts of a polars filter that DuckDB can apply, as SQL (None: none can).

    The translation is DuckDB's own (``duckdb.polars_io``, which backs
    ``DuckDBPyRelation.pl(lazy=True)``); a conjunct it cannot translate is left out, so
    the SQL filter keeps every row the predicate keeps, and the predicate is applied
    again in polars. Without that module (a DuckDB that moved it) nothing is pushed.
    """
    try:
        from duckdb.polars_io import _conjuncts, _tree_to_sql_expression
    except ImportError:  # pragma: no cover - depends on the DuckDB release
        return None
    try:
        tree = _is_in_as_equalities(json.loads(predicate.meta.serialize(format="json")), schema)
    except Exception:  # pragma: no cover - an expression polars cannot serialise
        return None
    pushed = []
    for conjunct in _conjuncts(tree):
        expression = _tree_to_sql_expression(conjunct, dict(schema))
        if expression is not None:
            pushed.append(f"({expression})")
    return " AND ".join(pushed) or None


#: The most values of an ``is_in`` that :func:`_sql_filter` writes out as equalities.
_IS_IN_MAX_VALUES = 64


def _is_in_as_equalities(tree: Any, schema: pl.Schema) -> Any:
    """A serialised polars expression with each ``column.is_in(<values>)`` written as
    ``column == v1 | column == v2 ...``, the same test in a form DuckDB's translator
    knows (it has no ``is_in``: a scan filtered by stage read every lifecycle event).

    Only a column of a flat type, compared with up to :data:`_IS_IN_MAX_VALUES` values
    none of which is null, is rewritten; any other node is left as it was (and so left
    to polars).

    >>> print(_sql_filter(pl.col("n").is_in([1, 2]), pl.Schema({"n": pl.Int64()})))
    ((("n" = 1) OR ("n" = 2)))
    """
    if isinstance(tree, list):
        return [_is_in_as_equalities(node, schema) for node in tree]
    if not isinstance(tree, dict):
        return tree
    function = tree.get("Function")
    if isinstance(function, dict) and function.get("function") == {
        "Boolean": {"IsIn": {"nulls_equal": False}}
    }:
        column, values = function["input"]
        literal = values.get("Literal", {}) if isinstance(values, dict) else {}
        encoded = literal.get("Series") or (literal.get("Scalar") or {}).get("List")
        name = column.get("Column") if isinstance(column, dict) else None
        if name in schema and not schema[name].is_nested() and encoded is not None:
            series = pl.read_ipc_stream(io.BytesIO(bytes(encoded))).to_series()
            if 0 < series.len() <= _IS_IN_MAX_VALUES and not series.has_nulls():
                equal = [pl.col(name) == pl.lit(v, dtype=series.dtype) for v in series]
                return json.loads(
                    functools.reduce(operator.or_, equal).meta.serialize(format="json")
                )
        return tree
    return {key: _is_in_as_equalities(node, schema) for key, node in tree.items()}


#: The rows a lazy scan of a core table hands polars at a time (see :func:`_scan`).
SCAN_BATCH_ROWS = 1_000_000


def _select_list(cursor: duckdb.DuckDBPyConnection, name: str, columns: list[str]) -> str:
    """The ``SELECT`` list of ``columns`` of ``core.<name>``; an extension column a
    warehouse built before it lacks is read as null.

    >>> con = duckdb.connect()
    >>> create_schema(con)
    >>> _select_list(con, "leads", ["lead_id", "created_at"])
    '"lead_id", "created_at"'
    """
    extensions = {c.name: c for c in TABLES[name].columns if c.extension}
    missing: set[str] = set()
    if extensions.keys() & set(columns):
        present = {
            r[0]
            for r in cursor.execute(
                "SELECT column_name FROM duckdb_columns() "
                "WHERE schema_name = 'core' AND table_name = ?",
                [name],
            ).fetchall()
        }
        missing = {c for c in extensions if c not in present}
    return ", ".join(
        f'NULL::{DUCKDB_TYPE[extensions[c].kind]} AS "{c}"' if c in missing else f'"{c}"'
        for c in columns
    )


def _scan(con: duckdb.DuckDBPyConnection, name: str) -> pl.LazyFrame:
    """A lazy scan of ``core.<name>`` that reads only the columns and rows a query needs.

    Polars hands the scan the query's columns and filter: the columns become the
    ``SELECT`` list, the filter (as far as it translates) the ``WHERE`` clause, so e.g. a
    review's ``occurred_at >= <month start>`` skips most of 3.6M activities inside
    DuckDB. Every read uses its own cursor (a DuckDB connection runs one query at a
    time; one plan may read a table twice), set to UTC so that timestamps arrive as the
    schema's ``Datetime("us", "UTC")``; rows come over the Arrow C stream interface in
    batches of :data:`SCAN_BATCH_ROWS`, so a query that reduces them (a first
    and last date, a count) never holds the table's columns whole: the coverage of 10M
    leads peaked at 2.9 GB read at once, 0.8 GB in batches.
    """
    from polars.io.plugins import register_io_source

    schema = TABLES[name].polars_schema

    def source(with_columns, predicate, n_rows, batch_size):
        columns = with_columns or list(schema)
        cursor = con.cursor()
        try:
            quoted = _select_list(cursor, name, columns)
        finally:
            cursor.close()
        sql = f"SELECT {quoted} FROM core.{name}"
        where = None if predicate is None else _sql_filter(predicate, schema)
        if where:
            sql += f" WHERE {where}"
        if n_rows is not None and predicate is None:
            sql += f" LIMIT {int(n_rows)}"
        cursor = con.cursor()
        try:
            cursor.execute("SET TimeZone = 'UTC'")
            reader = cursor.sql(sql).to_arrow_reader(SCAN_BATCH_ROWS)
            left = n_rows
            for batch in reader:
                frame = pl.DataFrame(batch).cast({c: schema[c] for c in columns})
                if predicate is not None:
                    frame = frame.filter(predicate)
                if left is not None:
                    frame = frame.head(left)
                    left -= frame.height
                yield frame
                if left is not None and left <= 0:
                    break
        finally:
            cursor.close()

    return register_io_source(source, schema=schema, explain_name=f"duckdb core.{name}")


def load_tables(con: duckdb.DuckDBPyConnection) -> Tables:
    """The core tables as lazy polars frames: a query reads only the columns and rows it needs.

    With them, the MQL episodes stored after the last import (``Tables.episodes``, see
    :func:`analytics.warehouse.precomputed.stored_episodes`), when there are any, and the
    scored attributes later imports changed (``Tables.lead_history`` and
    ``account_history``, :mod:`analytics.warehouse.versions`), and the coverage stored at
    the last import (``Tables.coverage_rows``, :func:`analytics.coverage.known_coverage`),
    and the latest import's time (``Tables.loaded_at``: nothing after it is known).

    Every collect reads from DuckDB again (and so sees the warehouse as this connection
    sees it); collect the tables once (``load_tables(con).collect()``) to work in memory.

    >>> con = duckdb.connect()
    >>> create_schema(con)
    >>> load_tables(con).leads.collect().height
    0
    """
    from analytics.warehouse.coverage_store import coverage_rows
    from analytics.warehouse.precomputed import stored_episodes
    from analytics.warehouse.versions import read_history

    return Tables(
        **{name: _scan(con, name) for name in TABLES},
        episodes=stored_episodes(con),
        coverage_rows=coverage_rows(con),
        lead_history=read_history(con, "leads"),
        account_history=read_history(con, "accounts"),
        loaded_at=last_import(con),
    )


#: Above this many rows in the tables :func:`load_tables_held` would hold (all but
#: ``activities``), they stay lazy: 10M leads would hold about 50M rows, several GB.
HELD_ROWS = 20_000_000


def load_tables_held(con: duckdb.DuckDBPyConnection, *, max_rows: int = HELD_ROWS) -> Tables:
    """The core tables with every table but ``activities`` collected into memory.

    Many small queries over the same tables (a page, several reviews) then do not each go
    back to DuckDB; ``activities``, the largest, stays lazy for the few metrics that read
    it. Above ``max_rows`` rows in the held tables everything stays lazy (as
    :func:`load_tables`).
    """
    return _held(load_tables(con), table_counts(con), max_rows=max_rows)


def _held(lazy: Tables, counts: dict[str, int], *, max_rows: int) -> Tables:
    """``lazy`` with every table but ``activities`` collected (with the stored episodes and
    coverage), or ``lazy`` as it is when those tables have more than ``max_rows`` rows."""
    names = [name for name, _ in lazy.items() if name != "activities"]
    if sum(counts.get(name, 0) for name in names) > max_rows:
        return lazy
    if lazy.stored_episodes is not None:  # stored after the import: held with the tables
        names.append("episodes")
    if lazy.stored_coverage_rows is not None:  # with the extent of the data held
        names.append("coverage_rows")
    frames = pl.collect_all([getattr(lazy, name) for name in names])
    held = {name: frame.lazy() for name, frame in zip(names, frames, strict=True)}
    return Tables(
        **held,
        activities=lazy.activities,
        lead_history=lazy.lead_history,  # read whole already
        account_history=lazy.account_history,
        loaded_at=lazy.loaded_at,
    )


def snapshot_tables(
    con: duckdb.DuckDBPyConnection, folder: str | Path, *, max_rows: int = HELD_ROWS
) -> Tables:
    """The warehouse's tables as :func:`load_tables_held` holds them, read from a Parquet
    copy of ``core`` written into ``folder`` instead of through ``con``.

    For long computations over a whole warehouse (the results stored after an import):
    once this returns, ``con`` can be closed, and DuckDB gives back the memory its scans
    kept (about 1.2 GB at 10M leads), and a table read from Parquet costs polars about
    half the memory of one read through DuckDB's Arrow batches (10M leads' four review
    columns and 8M lifecycle events: 0.92 against 1.71 GB), in a third of the time.
    ``folder`` must outlive the tables (they read its files when collected); the copy
    holds ``core`` only, which has no personal data (every import path scrubs it).

    Returns
    -------
    Tables whose tables read ``folder/<table>.parquet``, collected but ``activities`` up
    to ``max_rows`` rows (:func:`load_tables_held`); the stored episodes (also copied)
    and coverage, the attribute histories and the last import's time as
    :func:`load_tables` reads them.

    >>> import tempfile
    >>> con = duckdb.connect()
    >>> create_schema(con)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     snapshot_tables(con, folder).leads.collect().height
    0
    """
    folder = Path(folder)
    lazy = load_tables(con)
    scans: dict[str, pl.LazyFrame] = {}
    cursor = con.cursor()  # its own session: no progress bar drawn in a notebook
    try:
        cursor.execute("SET enable_progress_bar = false")
        for name in TABLES:
            path = folder / f"{name}.parquet"
            select = _select_list(cursor, name, list(TABLES[name].polars_schema))
            quoted = str(path).replace("'", "''")  # a warehouse folder named O'Brien
            cursor.execute(
                f"COPY (SELECT {select} FROM core.{name}) TO '{quoted}' (FORMAT parquet)"
            )
            scans[name] = _scan_parquet(path, TABLES[name].polars_schema)
    finally:
        cursor.close()
    episodes = None
    if lazy.stored_episodes is not None:  # decoded once, into the copy
        path = folder / "episodes.parquet"
        lazy.stored_episodes.collect().write_parquet(path)
        episodes = pl.scan_parquet(path)
    coverage = lazy.stored_coverage_rows
    copied = Tables(
        **scans,
        episodes=episodes,
        coverage_rows=None if coverage is None else coverage.collect().lazy(),
        lead_history=lazy.lead_history,
        account_history=lazy.account_history,
        loaded_at=lazy.loaded_at,
    )
    return _held(copied, table_counts(con), max_rows=max_rows)


@contextlib.contextmanager
def snapshot_folder(db_path: str | Path) -> Iterator[Path]:
    """A folder for :func:`snapshot_tables`' copy of ``db_path``, removed on leaving: a
    stage folder beside the warehouse (on its disk, which holds the warehouse already; a
    dead process's is removed as any stage's, :func:`remove_leftovers`).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d, snapshot_folder(Path(d) / "w.duckdb") as f:
    ...     f.name.startswith(".w.duckdb.stage-"), f.is_dir()
    (True, True)
    """
    db_path = Path(db_path)
    prefix = f".{db_path.name}.stage-{os.getpid()}-snapshot-"
    with tempfile.TemporaryDirectory(prefix=prefix, dir=db_path.parent) as folder:
        yield Path(folder)


def _scan_parquet(path: Path, schema: pl.Schema) -> pl.LazyFrame:
    """A lazy scan of one table's Parquet copy, in the table's polars schema."""
    scan = pl.scan_parquet(path)
    if scan.collect_schema() == schema:
        return scan
    return scan.cast(dict(schema))  # a type Parquet spells otherwise (a cast, no copy if equal)


def read_core_table(db_path: str | Path, table: str) -> pl.DataFrame:
    """One core table of a warehouse file, read whole (a short-lived read-only connection).

    For checks and small tables; analyses should use :func:`load_tables`, which reads
    only the columns a query needs.
    """
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}; known: {sorted(TABLES)}")
    con = connect_readonly(db_path)
    try:
        return getattr(load_tables(con), table).collect()
    finally:
        con.close()


def quarantine(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The quarantine: one row per broken rule of a rejected row, newest load first."""
    frame = pl.DataFrame(
        con.sql("SELECT * FROM meta.quarantine ORDER BY load_id DESC, source_file, line")
    )
    if "source_column" not in frame.columns:  # a warehouse opened read-only, not migrated
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias("source_column"))
    columns = ["load_id", "table_name", "source_file", "line", "column", "source_column"]
    return frame.select(*columns, "reason", "value", "loaded_at")


def loads(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The load log: one row per file loaded, newest first."""
    return pl.DataFrame(con.sql("SELECT * FROM meta.loads ORDER BY load_id DESC, table_name"))
