"""The core rows a load removed, so that erasing the load can put them back.

A load removes core rows three ways: ``--replace`` (the stored rows no file of the table
has, and the rows of a lead it removed: :func:`remove_dependents`) and a stage date an
export keeps one of per lead that a refresh moves or clears
(:class:`~analytics.warehouse.loader.EventScope`). The raw layer keeps every version, but
not that a load took one out of core, so ``sla purge --load`` of a refresh that moved an
MQL from 09-03 to 09-04 left the lead with no MQL at all. ``meta.removed`` records each
removal: the load, the table, the row's key as stable text (:func:`removal_key_sql`) and
the lead it belongs to (a purge of the lead erases its records too).
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import polars as pl

from analytics.schema import LOAD_ORDER, TABLES

#: Tables whose rows belong to one lead: the leads, and the rows of a lead (they go with
#: it). An opportunity is the account's: it may name a lead, and outlives it (``sla purge
#: --lead`` unlinks it).
LEAD_TABLES = tuple(
    t for t in LOAD_ORDER if "lead_id" in TABLES[t].column_names and t != "opportunities"
)
#: The tables of a lead's rows: events, activities, touches, nurture enrollments.
DEPENDENT_TABLES = tuple(t for t in LEAD_TABLES if t != "leads")
#: Column that names a removed row's lead, per table (its key for the leads themselves).
_LEAD_COLUMN = {
    name: ("lead_id" if "lead_id" in spec.column_names else None) for name, spec in TABLES.items()
}


def _kinds(table: str) -> dict[str, str]:
    return {c.name: c.kind for c in TABLES[table].columns if c.name in TABLES[table].key}


def removal_key_sql(table: str, alias: str) -> str:
    """SQL: the key of row ``alias`` of ``core.<table>`` as text that does not depend on the
    session's time zone (a timestamp as epoch microseconds, a date as ISO), the parts
    joined by ``chr(31)``; :func:`removal_keys` is the same in polars.

    >>> removal_key_sql("lifecycle_events", "c")[:57]
    'concat_ws(chr(31), c.lead_id::VARCHAR, c.stage::VARCHAR, '
    >>> removal_key_sql("web_traffic", "w")
    "concat_ws(chr(31), strftime(w.date, '%Y-%m-%d'), w.source::VARCHAR)"
    """
    parts = []
    for name, kind in _kinds(table).items():
        column = f"{alias}.{name}"
        if kind == "timestamp":
            parts.append(f"epoch_us({column})::VARCHAR")
        elif kind == "date":
            parts.append(f"strftime({column}, '%Y-%m-%d')")
        else:
            parts.append(f"{column}::VARCHAR")
    return "concat_ws(chr(31), " + ", ".join(parts) + ")"


def removal_keys(frame: pl.DataFrame, table: str) -> pl.Series:
    """:func:`removal_key_sql` of typed rows of ``table`` (one text per row).

    >>> from datetime import datetime, UTC
    >>> f = pl.DataFrame({"lead_id": ["L1"], "stage": ["mql"],
    ...                   "entered_at": [datetime(2026, 9, 3, 9, tzinfo=UTC)]})
    >>> removal_keys(f, "lifecycle_events").to_list()
    ['L1\\x1fmql\\x1f1788426000000000']
    """
    parts: list[pl.Expr] = []
    for name, kind in _kinds(table).items():
        column = pl.col(name)
        if kind == "timestamp":
            parts.append(column.dt.epoch("us").cast(pl.String))
        elif kind == "date":
            parts.append(column.dt.strftime("%Y-%m-%d"))
        else:
            parts.append(column.cast(pl.String))
    return frame.select(pl.concat_str(parts, separator="\x1f").alias("key")).to_series()


def remove_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    load_id: int,
    where: str,
    params: Sequence[object] = (),
) -> int:
    """Remove the core rows of ``table`` that ``where`` (a condition over
    ``core.<table>``) selects, recorded in ``meta.removed`` as load ``load_id``'s; the
    number removed."""
    lead = _LEAD_COLUMN[table]
    lead_sql = f"core.{table}.{lead}" if lead else "NULL"
    con.execute(
        f"INSERT INTO meta.removed (load_id, table_name, id, key, lead_id) "
        f"SELECT {int(load_id)}, '{table}', core.{table}.{TABLES[table].key[0]}::VARCHAR, "
        f"{removal_key_sql(table, f'core.{table}')}, {lead_sql} FROM core.{table} WHERE {where}",
        list(params),
    )
    removed = con.execute(f"DELETE FROM core.{table} WHERE {where}", list(params)).fetchall()
    return int(removed[0][0]) if removed else 0


def remove_dependents(con: duckdb.DuckDBPyConnection, load_id: int) -> dict[str, int]:
    """Remove the rows of :data:`DEPENDENT_TABLES` whose lead load ``load_id`` removed (a
    ``--replace`` whose leads file no longer has it), whichever file or format gave them:
    a row of a lead that is gone cannot stand (an import rejects it, "refers to an unknown
    lead"), also where the load's folder has no file of its kind. Recorded as the load's
    removals (:func:`remove_rows`); the rows removed per table (tables with none left out).
    """
    gone = (
        "lead_id IN (SELECT id FROM meta.removed "
        f"WHERE load_id = {int(load_id)} AND table_name = 'leads')"
    )
    removed = {table: remove_rows(con, table, load_id, gone) for table in DEPENDENT_TABLES}
    return {table: n for table, n in removed.items() if n}


__all__ = [
    "DEPENDENT_TABLES",
    "LEAD_TABLES",
    "removal_key_sql",
    "removal_keys",
    "remove_dependents",
    "remove_rows",
]
