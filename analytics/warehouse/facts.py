"""Small facts about the warehouse, answered by DuckDB without reading the tables into memory.

The app's sidebar needs the months with leads, the values of its filters and the reps'
names before any page computes anything; asking DuckDB for them keeps a first visit from
loading millions of rows it does not need.

>>> import duckdb
>>> from analytics.warehouse.database import create_schema
>>> con = duckdb.connect()
>>> create_schema(con)
>>> _ = con.execute("INSERT INTO core.leads (lead_id, created_at, source, country) VALUES "
...                 "('a', '2026-09-30 23:30:00+00', 'email', 'DE'), "
...                 "('b', '2026-10-02 08:00:00+00', 'event', NULL)")
>>> lead_months(con, timezone="Europe/Berlin")
['2026-10']
>>> lead_months(con, timezone="UTC")
['2026-10', '2026-09']
>>> filter_values(con)["source"]
['email', 'event']
>>> _ = con.execute("INSERT INTO core.nurture_enrollments (enrollment_id, lead_id, track) "
...                 "VALUES ('e1', 'a', 'webinar'), ('e2', 'b', 'webinar'), ('e3', 'b', 'demo')")
>>> track_counts(con).rows()
[('demo', 1), ('webinar', 2)]
"""

from __future__ import annotations

import json
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

import duckdb

from analytics.schema import LOAD_ORDER, TABLES

if TYPE_CHECKING:  # polars is not imported at run time: `sla info` reads facts without it
    import polars as pl


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows per core table, in load order."""
    union = " UNION ALL ".join(
        f"SELECT '{name}' AS t, count(*) AS n FROM core.{name}" for name in LOAD_ORDER
    )
    counts = dict(con.execute(union).fetchall())
    return {name: int(counts[name]) for name in LOAD_ORDER}


def last_import(con: duckdb.DuckDBPyConnection):
    """The latest import's time (``meta.loads.loaded_at``), or None when nothing was loaded.

    Nothing dated after it can be known: it caps :func:`latest_timestamp` and, through
    :attr:`analytics.tables.Tables.loaded_at`, the moment outcomes are known until. A
    purge is logged as a load too, but brings nothing: it does not count (a row mistyped
    a year ahead would otherwise become known at the next purge).

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        A warehouse (one without ``meta.loads`` has no import: None).

    Returns
    -------
    datetime or None

    >>> from analytics.warehouse.database import create_schema
    >>> con = duckdb.connect()
    >>> create_schema(con)
    >>> last_import(con) is None
    True
    """
    (has_loads,) = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'meta' AND table_name = 'loads'"
    ).fetchall()[0]
    if not has_loads:
        return None
    return con.execute(
        "SELECT max(loaded_at) FROM meta.loads WHERE table_name IS DISTINCT FROM 'purge'"
    ).fetchall()[0][0]


def latest_timestamp(con: duckdb.DuckDBPyConnection):
    """The latest timestamp in any core table (the default ``as_of``), or None when empty;
    never later than the latest import (:func:`last_import`).

    Every timestamp column counts, as in :meth:`analytics.tables.Tables.latest_timestamp`
    (a lead's assignment too: the CLI judged at an earlier moment than the library); a
    product column a warehouse built before it lacks is skipped. A row dated after the
    import (a mistyped year, which the loader accepts up to a year ahead and warns
    about) is no moment of the data: the import's time is the latest one known.

    >>> from analytics.warehouse.database import create_schema
    >>> con = duckdb.connect()
    >>> create_schema(con)
    >>> _ = con.execute("INSERT INTO core.leads (lead_id, created_at, assigned_at, source) "
    ...                 "VALUES ('a', '2026-09-30 08:00:00+00', '2026-09-30 09:30:00+00', 'x')")
    >>> _ = con.execute("SET TimeZone = 'UTC'")
    >>> str(latest_timestamp(con))
    '2026-09-30 09:30:00+00:00'
    >>> _ = con.execute("INSERT INTO meta.loads (load_id, loaded_at) "
    ...                 "VALUES (1, '2026-09-30 09:00:00+00')")
    >>> str(latest_timestamp(con))
    '2026-09-30 09:00:00+00:00'
    """
    present = set(
        con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'core'"
        ).fetchall()
    )
    parts = [
        f'SELECT max("{column.name}") AS t FROM core.{name}'
        for name, table in TABLES.items()
        for column in table.columns
        if column.kind == "timestamp" and (name, column.name) in present
    ]
    latest = con.execute(f"SELECT max(t) FROM ({' UNION ALL '.join(parts)})").fetchall()[0][0]
    imported = None if latest is None else last_import(con)
    return latest if imported is None else min(latest, imported)


def quarantine_count(con: duckdb.DuckDBPyConnection) -> int:
    """Rows in the quarantine (as many as :func:`analytics.warehouse.quarantine` lists)."""
    return int(con.execute("SELECT count(*) FROM meta.quarantine").fetchall()[0][0])


def lead_months(con: duckdb.DuckDBPyConnection, *, timezone: str) -> list[str]:
    """The months (``YYYY-MM`` in ``timezone``) with at least one lead, newest first."""
    rows = con.execute(
        "SELECT DISTINCT strftime(timezone(?, created_at), '%Y-%m') AS m FROM core.leads "
        "WHERE created_at IS NOT NULL ORDER BY m DESC",
        [timezone],
    ).fetchall()
    return [m for (m,) in rows]


def filter_values(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """The values of the sidebar's filters, sorted: ``source``, ``country`` (of leads),
    ``team`` and ``owner`` (rep ids, of reps)."""

    def distinct(table: str, column: str) -> list[str]:
        rows = con.execute(
            f'SELECT DISTINCT "{column}" FROM core.{table} WHERE "{column}" IS NOT NULL '
            f"AND \"{column}\" <> '' ORDER BY 1"
        ).fetchall()
        return [v for (v,) in rows]

    return {
        "source": distinct("leads", "source"),
        "country": distinct("leads", "country"),
        "team": distinct("reps", "team"),
        "owner": distinct("reps", "rep_id"),
    }


def track_counts(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per nurture track name in the enrollments (``track``, ``enrollments``), by
    track name (an unnamed track first)."""
    return con.sql(
        "SELECT track, count(*)::UINTEGER AS enrollments FROM core.nurture_enrollments "
        "GROUP BY track ORDER BY track NULLS FIRST"
    ).pl()


#: How ``sla demo`` names its load in ``meta.loads.source_file`` (the command it ran).
DEMO_SOURCE_PREFIX = "sla demo "


def demo_source(con: duckdb.DuckDBPyConnection) -> str | None:
    """The ``sla demo`` command whose data the warehouse holds (``sla demo --leads 2000
    --seed 7``, as its load was logged), or None when no demo built it.

    ``sla demo`` writes a new warehouse, so a demo's load is its first: an import into it
    afterwards mixes another company's data with the demo's (``sla import`` warns).

    >>> from analytics.warehouse.database import create_schema
    >>> con = duckdb.connect()
    >>> create_schema(con)
    >>> demo_source(con) is None
    True
    >>> _ = con.execute("INSERT INTO meta.loads (load_id, table_name, source_file) "
    ...                 "VALUES (1, 'leads', 'sla demo --leads 300 --seed 7')")
    >>> demo_source(con)
    'sla demo --leads 300 --seed 7'
    """
    (has_loads,) = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'meta' AND table_name = 'loads'"
    ).fetchall()[0]
    if not has_loads:
        return None
    found = con.execute(
        "SELECT source_file FROM meta.loads WHERE starts_with(source_file, ?) "
        "ORDER BY load_id DESC LIMIT 1",
        [DEMO_SOURCE_PREFIX],
    ).fetchall()
    return found[0][0] if found else None


def rep_names(con: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    """rep_id -> name as recorded (None where the export has none), in rep_id order."""
    return dict(con.execute("SELECT rep_id, name FROM core.reps ORDER BY rep_id").fetchall())


def _latest_of_each_table(con: duckdb.DuckDBPyConnection) -> str:
    """The SELECT of the load whose file holds each table's data as it stands: the latest
    to load the table that a purge did not erase (``meta.loads.erased``; a warehouse
    written before it has no column). A later import of other tables (a reps file, a
    contacts refresh) leaves what an earlier one said of a table's file standing as long
    as that file is the table's latest."""
    marked = con.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE schema_name = 'meta' "
        "AND table_name = 'loads' AND column_name = 'erased'"
    ).fetchone()[0]
    kept = "WHERE erased IS NOT TRUE " if marked else ""
    return f"SELECT table_name, max(load_id) AS load_id FROM meta.loads {kept}GROUP BY 1"


def last_load_notices(con: duckdb.DuckDBPyConnection) -> list[tuple[str, Any]]:
    """What the imports said in words (``meta.load_notices``) of the files behind the data
    as it stands, the latest load of each table: a ``(file, text)`` per notice, in the
    order said; empty for a warehouse written before notices were recorded.

    >>> from analytics.warehouse.database import create_schema
    >>> con = duckdb.connect()
    >>> create_schema(con)
    >>> _ = con.execute("INSERT INTO meta.loads (load_id, table_name, source_file) VALUES "
    ...                 "(1, 'opportunities', 'a.csv'), (2, 'opportunities', 'deals.csv'), "
    ...                 "(3, 'reps', 'reps.csv')")
    >>> said = json.dumps({"n": 2, "counts": "Sales 3, Renewals 1"})
    >>> _ = con.executemany("INSERT INTO meta.load_notices VALUES (?, ?, ?, ?)", [
    ...     (1, "a.csv", "import.currencies_mixed", "{}"),
    ...     (2, "deals.csv", "import.pipelines_all", said)])
    >>> [(f, t.code, t.params["n"]) for f, t in last_load_notices(con)]  # load 3: reps only
    [('deals.csv', 'import.pipelines_all', 2)]
    """
    return _notices_of(con, _latest_of_each_table(con))


def _notices_of(con: duckdb.DuckDBPyConnection, latest: str) -> list[tuple[str, Any]]:
    """:func:`last_load_notices` of the loads ``latest`` selects (:func:`_latest_of_each_table`)."""
    if not con.execute(
        "SELECT count(*) FROM duckdb_tables() "
        "WHERE schema_name = 'meta' AND table_name = 'load_notices'"
    ).fetchone()[0]:
        return []
    rows = con.execute(
        f"WITH latest AS ({latest}) "
        "SELECT n.source_file, n.code, n.params FROM meta.load_notices n WHERE EXISTS ("
        "  SELECT 1 FROM meta.loads l JOIN latest USING (table_name, load_id)"
        "  WHERE l.load_id = n.load_id AND l.source_file = n.source_file"
        ") ORDER BY n.load_id, n.rowid"
    ).fetchall()
    if not rows:
        return []
    from analytics.texts import Text  # (13-15 ms to import: sla info asks, most find none)

    return [(file, Text(code, json.loads(params))) for file, code, params in rows]


def loaded_file_name(source_file: str, table: str) -> str:
    """A loaded file's name, with the table its rows went to when the name does not say
    it (a HubSpot contacts.csv feeds the leads and the lifecycle events).

    >>> loaded_file_name("/in/leads.csv", "leads")
    'leads.csv'
    >>> loaded_file_name("/x/contacts.csv", "lifecycle_events")
    'contacts.csv (lifecycle_events)'
    """
    name = PurePath(str(source_file)).name
    return name if PurePath(name).stem.lower() == table else f"{name} ({table})"


def last_import_notes(con: duckdb.DuckDBPyConnection) -> list[Any]:
    """What the imports left out of the numbers, and said they include, of the files behind
    the data as it stands (the latest load of each table), in words
    (:class:`analytics.texts.Text`): ``import.last_quarantined`` naming each file whose
    rows were quarantined (counted nowhere: a folder whose leads were mostly rejected
    reads as a quiet month otherwise), then ``import.last_notices`` with what was said of
    the files (:func:`last_load_notices`: deals of several pipelines all counted, amounts
    in several currencies). Empty when nothing was. The pages and the review pack say
    these texts.

    >>> from analytics.warehouse.database import create_schema
    >>> con = duckdb.connect()
    >>> create_schema(con)
    >>> _ = con.execute("INSERT INTO meta.loads (load_id, table_name, source_file, rows_read, "
    ...                 "rows_rejected) VALUES (1, 'leads', 'a.csv', 10, 9), (2, 'leads', "
    ...                 "'in/leads.csv', 2000, 1959), (2, 'opportunities', 'in/deals.csv', 3, "
    ...                 "0), (3, 'reps', 'in/reps.csv', 3, 0)")
    >>> said = json.dumps({"n": 2, "currencies": "EUR, USD"})
    >>> _ = con.execute("INSERT INTO meta.load_notices VALUES (?, ?, ?, ?)",
    ...                 [2, "in/deals.csv", "import.currencies_mixed", said])
    >>> quarantined, said = last_import_notes(con)
    >>> quarantined.render(lang="de")  # doctest: +ELLIPSIS
    '... zählen hier nicht: 1.959 von 2.000 Zeilen aus leads.csv (der letzte Import jeder ...'
    >>> said.render(lang="en")  # doctest: +ELLIPSIS
    'The imports said what these numbers include: deals.csv: amounts in 2 currencies ...'
    """
    latest = _latest_of_each_table(con)
    rejected = con.execute(
        f"WITH latest AS ({latest}) "
        "SELECT source_file, table_name, rows_read, rows_rejected FROM meta.loads "
        "JOIN latest USING (table_name, load_id) WHERE rows_rejected > 0 "
        "ORDER BY rows_rejected DESC, source_file, table_name"
    ).fetchall()
    said = _notices_of(con, latest)
    if not rejected and not said:
        return []
    from analytics.texts import Text

    notes = []
    if rejected:
        files = [
            Text("import.quarantined_file",
                 {"file": loaded_file_name(file, table), "rejected": n_rejected, "read": n_read})
            for file, table, n_read, n_rejected in rejected
        ]  # fmt: skip
        notes.append(Text("import.last_quarantined", {"files": files}))
    if said:
        told = [Text("import.notice", {"file": PurePath(f).name, "text": t}) for f, t in said]
        notes.append(Text("import.last_notices", {"notes": told}))
    return notes


__all__ = [
    "DEMO_SOURCE_PREFIX",
    "demo_source",
    "filter_values",
    "last_import",
    "last_import_notes",
    "last_load_notices",
    "latest_timestamp",
    "lead_months",
    "loaded_file_name",
    "quarantine_count",
    "rep_names",
    "table_counts",
    "track_counts",
]
