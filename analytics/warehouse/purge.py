"""Erasure (GDPR Art. 17): ``sla purge`` removes leads or loads and leaves no byte of them.

Deleting rows in DuckDB only marks them: their values stay in the file's blocks until
they happen to be overwritten. :func:`purge` therefore never deletes in place. It builds
a fresh file next to the warehouse from the live one (``COPY FROM DATABASE ... (SCHEMA)``
for every schema, table, view and comment, then each table's kept rows), and swaps it in
with ``os.replace`` under the writers' lock, as an import does. A reader keeps the old
state until it reconnects; a failure leaves the live file as it was.

What goes:

- ``--lead ID``: the lead's rows in ``raw`` and ``core`` (leads, lifecycle events,
  activities, sales touches, nurture enrollments); an opportunity keeps its amount and
  status but no longer names the lead (``lead_id`` null) and loses its free text
  (:func:`free_text`: ``loss_reason``; in raw also its unknown columns ``_extra``), in
  core and in every raw version; quarantine rows of the lead's
  lines or naming its id (a rejected cell, or any cell of a row with the wrong number of
  fields). Ids are matched trimmed, as the import stores them in core: a
  raw row read as `` L7 `` goes with ``L7``.
- ``--load ID`` / ``--before YYYY-MM-DD``: the raw row versions only those loads saw
  (``meta.raw_seen``), the loads' sightings and quarantine rows, and the core rows whose
  key only those loads brought. A key another load also brought stays, as that load's
  latest version would have left it: a value only the erased loads brought (theirs was
  the latest version, or a kept load's file lacked the column) goes with them. The loads' rows
  of ``meta.loads`` stay as the record of what was loaded, their file names masked (an
  import records them masked; a warehouse written before that gets them masked here).

The send log of ``sla notify`` (:mod:`analytics.warehouse.notifications`, a file beside
the warehouse) loses the rows of erased leads too, counted as ``meta.notifications``.
The model cards beside the warehouse (``<db dir>/models/score-*.json``) name a few
training leads with their creation moment: each card that names an erased lead is
rewritten without it (:func:`analytics.scoring.model.forget_leads`), counted as
``model_cards``.

Every pending preview of an upload (:mod:`analytics.warehouse.preview`: a scratch copy
of the warehouse beside it, made by the app's Data page, and the uploaded files waiting
for it in the system's temporary folder) is removed, whichever process made it: it
holds the erased rows, and can no longer be confirmed.

Stored results (``meta.precomputed``) are dropped, as after any data change; ``sla purge``
computes the default months again. The purge is logged in ``meta.loads`` as a load of its
own (table ``purge``), with counts and never the erased ids or values.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import polars as pl
import pyarrow as pa

from analytics.config import SlaConfig
from analytics.schema import DUCKDB_TYPE, LOAD_ORDER, TABLES
from analytics.warehouse.coverage_store import record_coverage
from analytics.warehouse.database import create_schema
from analytics.warehouse.loader import _row_hash_sql, stored_name
from analytics.warehouse.notifications import purge_log_leads
from analytics.warehouse.precomputed import RESULTS_SCHEMA
from analytics.warehouse.preview import remove_previews
from analytics.warehouse.privacy import hash_text, is_personal_id
from analytics.warehouse.removals import DEPENDENT_TABLES, LEAD_TABLES, removal_key_sql
from analytics.warehouse.versions import record_history

_T = TypeVar("_T")

#: Tables that keep their row but forget the lead (``lead_id`` set null).
UNLINKED_TABLES = ("opportunities",)


def free_text(table: str) -> tuple[str, ...]:
    """The free-text columns of ``table``: text that is neither its key, nor an enum, nor a
    reference. An unlinked row loses them (they may name the person), in core and raw,
    with the raw row's unknown columns (``_extra``).

    Parameters
    ----------
    table
        A canonical table (:data:`analytics.schema.TABLES`).

    Returns
    -------
    tuple[str, ...]
        Its free-text columns, in schema order.

    >>> free_text("opportunities")
    ('loss_reason',)
    """
    spec = TABLES[table]
    return tuple(
        c.name
        for c in spec.columns
        if c.kind == "str" and c.name not in spec.key and c.references is None
    )


class PurgeFailed(Exception):
    """Nothing was erased: the message says why (no warehouse, unknown load...)."""


@dataclass
class PurgeResult:
    """What a purge removed: rows per ``schema.table``, rows unlinked from their lead."""

    load_id: int
    removed: dict[str, int] = field(default_factory=dict)
    unlinked: dict[str, int] = field(default_factory=dict)
    leads_not_found: int = 0
    loads: list[int] = field(default_factory=list)
    #: The lead ids erased (as stored: with the hashes of personal ids); never printed.
    #: ``--load``/``--before``: the leads whose core row went with the loads.
    purged_ids: list[str] = field(default_factory=list, repr=False)
    #: Core rows an erased load had removed, given back per ``schema.table``.
    restored: dict[str, int] = field(default_factory=dict)
    #: Pending previews removed (their scratch copies of the warehouse), and the folders
    #: of uploaded files waiting for them.
    previews_removed: int = 0
    uploads_removed: int = 0
    #: Model cards rewritten so that they name no erased lead.
    model_cards: int = 0

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "load_id": self.load_id,
            "removed": self.removed,
            "restored": self.restored,
            "unlinked": self.unlinked,
            "loads": self.loads,
            "leads_not_found": self.leads_not_found,
            "previews_removed": self.previews_removed,
            "uploads_removed": self.uploads_removed,
            "model_cards": self.model_cards,
        }


@contextlib.contextmanager
def _writer_lock(db_path: Path) -> Iterator[None]:
    """The lock :func:`analytics.warehouse.database.updating` takes: one writer at a time;
    while another holds it, said once and waited for up to ``SLA_LOCK_TIMEOUT`` seconds
    (:class:`~analytics.warehouse.connection.WarehouseError` after)."""
    from analytics.warehouse.database import _wait_for_lock

    with open(db_path.with_name(db_path.name + ".lock"), "w") as lock:
        _wait_for_lock(lock, db_path)
        yield


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _key_cast(table: str, alias: str) -> str:
    """SQL: the raw text key of ``table`` cast to the core types."""
    columns = {c.name: c for c in TABLES[table].columns}
    return ", ".join(
        f"TRY_CAST({alias}.{_q(k)} AS {DUCKDB_TYPE[columns[k].kind]}) AS {_q(k)}"
        for k in TABLES[table].key
    )


def _key_match(table: str, left: str, right: str) -> str:
    return " AND ".join(
        f"{left}.{_q(k)} IS NOT DISTINCT FROM {right}.{_q(k)}" for k in TABLES[table].key
    )


def _import_id(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Ids as the import stores them in core (``str.strip_chars()``, as validation does):
    the raw layer keeps them as read, `` L7 `` included."""
    return pl.from_arrow(values).str.strip_chars().to_arrow()


def _stored_name(name: str | None) -> str | None:
    """:func:`~analytics.warehouse.loader.stored_name` (registered for SQL; None stays)."""
    return None if name is None else stored_name(name)


#: SQL: a row's lead id as the import normalises it (:func:`_import_id`, registered).
_LEAD = "import_id(lead_id)"


def _selects_for_leads(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], str]:
    """``(schema, table)`` -> the SELECT of the rows (and values) kept, erasing the leads
    of the registered table ``purge_ids`` (ids matched trimmed, as the import does)."""
    ids = "(SELECT lead_id FROM purge_ids)"
    selects: dict[tuple[str, str], str] = {}
    lines = []
    for table in LEAD_TABLES + UNLINKED_TABLES:
        lines.append(f"SELECT _source_file, _line FROM old.raw.{table} WHERE {_LEAD} IN {ids}")
    for table in LEAD_TABLES:
        for schema in ("raw", "core"):
            selects[(schema, table)] = (
                f"SELECT * FROM old.{schema}.{table} WHERE lead_id IS NULL OR {_LEAD} NOT IN {ids}"
            )
    rehashed = []
    for table in UNLINKED_TABLES:
        # the row forgets the lead and its free text (a loss reason may name the person)
        linked = f"{_LEAD} IN {ids}"
        texts = [*free_text(table), "lead_id"]
        unlinked = ", ".join(
            f"CASE WHEN {linked} THEN NULL ELSE {_q(c)} END AS {_q(c)}" for c in texts
        )
        selects[("core", table)] = f"SELECT * REPLACE ({unlinked}) FROM old.core.{table}"
        raw_unlinked = f"{unlinked}, CASE WHEN {linked} THEN NULL ELSE _extra END AS _extra"
        nulls = ", ".join(f"NULL::VARCHAR AS {_q(c)}" for c in texts)
        # a raw row's hash was of its content with the lead: computed again without it, so
        # no byte tells which lead a kept deal was linked to
        con.execute(
            f"CREATE TEMP TABLE purge_rehash_{table} AS SELECT _old AS old_hash, "
            f"{_row_hash_sql(table, 'n')} AS new_hash FROM (SELECT * REPLACE "
            f"({nulls}, NULL::JSON AS _extra), _row_hash AS _old FROM old.raw.{table} "
            f"WHERE {linked}) n"
        )
        selects[("raw", table)] = (
            f"SELECT r.* REPLACE ({raw_unlinked}, coalesce(h.new_hash, r._row_hash) AS _row_hash) "
            f"FROM old.raw.{table} r LEFT JOIN purge_rehash_{table} h ON h.old_hash = r._row_hash "
            "QUALIFY row_number() OVER (PARTITION BY coalesce(h.new_hash, r._row_hash) "
            "ORDER BY r._load_id, r._line) = 1"
        )
        rehashed.append(f"SELECT '{table}' AS t, old_hash, new_hash FROM purge_rehash_{table}")
    # the send log of older versions (in the warehouse) names leads too: their warnings go
    selects[("meta", "notifications")] = (
        f"SELECT * FROM old.meta.notifications WHERE lead_id IS NULL OR {_LEAD} NOT IN {ids}"
    )
    con.execute("CREATE TEMP TABLE purge_lines AS " + " UNION ALL ".join(lines))
    if _has_table(con, "meta", "raw_seen"):  # the sightings of the erased row versions go
        erased = " AND ".join(
            f"NOT (s.table_name = '{t}' AND s.row_hash IN (SELECT _row_hash FROM "
            f"old.raw.{t} WHERE {_LEAD} IN {ids} AND _row_hash IS NOT NULL))"
            for t in LEAD_TABLES
        )
        selects[("meta", "raw_seen")] = (
            "SELECT DISTINCT s.* REPLACE (coalesce(h.new_hash, s.row_hash) AS row_hash) "
            f"FROM old.meta.raw_seen s LEFT JOIN ({' UNION ALL '.join(rehashed)}) h "
            f"ON h.t = s.table_name AND h.old_hash = s.row_hash WHERE {erased}"
        )
    if _has_table(con, "meta", "removed"):  # the lead's rows some load removed
        kept_rows = ", ".join(f"'{t}'" for t in UNLINKED_TABLES)  # a kept deal forgets it
        selects[("meta", "removed")] = (
            f"SELECT * REPLACE (CASE WHEN lead_id IN {ids} THEN NULL ELSE lead_id END AS "
            f"lead_id) FROM old.meta.removed WHERE lead_id IS NULL OR lead_id NOT IN {ids} "
            f"OR table_name IN ({kept_rows})"
        )
    # a quarantine row that names a lead (_names_lead), or whose raw row is the lead's
    selects[("meta", "quarantine")] = (
        "SELECT * FROM old.meta.quarantine q WHERE NOT EXISTS (SELECT 1 FROM purge_ids i "
        f"WHERE {_names_lead('i.lead_id')}) AND NOT EXISTS (SELECT 1 FROM purge_lines p "
        "WHERE p._source_file = q.source_file AND p._line = q.line)"
    )
    return selects


def _names_lead(lead: str) -> str:
    """SQL: quarantine row ``q`` names the lead ``lead`` (an SQL expression of one id):
    its rejected cell is the id, or a row with the wrong number of fields (not in raw:
    its value is :func:`~analytics.warehouse.privacy.misaligned_row`'s JSON) holds the id
    in any cell, wherever it stands."""
    cells = "try(json_extract_string(q.value, '$.*'))"
    return (
        f"(import_id(q.value) = {lead} OR (q.\"column\" IS NULL AND starts_with(q.value, '{{') "
        f"AND coalesce(list_contains({cells}, {lead}), false)))"
    )


def _rebuilt_core(
    con: duckdb.DuckDBPyConnection, table: str, listed: str, config: SlaConfig | None
) -> pl.DataFrame | None:
    """The core rows of ``table`` to derive again from the row versions that stay, when
    the loads ``listed`` (SQL list) go: a key one of them saw, that a kept load saw too,
    whose core row is not simply its latest kept version (the latest version came from
    an erased load, or a kept load's file lacked a column, so core kept an erased value).

    Each is the key's latest kept version, typed as the import types it, with the columns
    its file lacked carried from the kept versions before it (or empty): what core would
    hold had the erased loads never been made (a lifecycle event's reason or actor too).
    """
    from analytics.warehouse.versions import rejected_sighting, typed_sightings

    spec = TABLES[table]
    key = list(spec.key)
    text = ", ".join(f"r.{_q(c)}" for c in spec.column_names)
    recorded = _has_column(con, "meta", "raw_seen", "rejected")  # else an older warehouse
    rejected = rejected_sighting(table, catalog="old.", recorded=recorded)
    # a key as text, to find a key's versions (the typed key groups them below)
    as_text = "concat_ws(chr(31), " + ", ".join(f"trim(r.{_q(k)})" for k in key) + ")"
    # the affected keys are found in DuckDB: a purge of a monthly snapshot that every
    # later load saw again touches every key, and only a few need deriving again
    kept = con.sql(
        f"""WITH seen AS (
            SELECT {as_text} AS _key, {text}, r._line AS _file_line,
                   s.load_id AS _seen_load, s.absent AS _absent,
                   s.load_id IN ({listed}) AS _erased
            FROM old.raw.{table} r
            JOIN old.meta.raw_seen s ON s.table_name = '{table}' AND s.row_hash = r._row_hash
            -- a version its load rejected never was in core from that load
            WHERE NOT {rejected}),
        affected AS (
            SELECT _key FROM seen GROUP BY _key
            HAVING bool_or(_erased) AND bool_or(NOT _erased) AND (
                -- the latest version was an erased load's, or a kept file lacked a column
                arg_max(_erased, _seen_load::BIGINT * 10000000000 + _file_line)
                OR bool_or(NOT _erased AND coalesce(len(_absent), 0) > 0)))
        SELECT seen.* FROM seen SEMI JOIN affected USING (_key)
        WHERE NOT _erased ORDER BY _key, _seen_load, _file_line"""
    ).pl()
    if kept.is_empty():
        return None
    others = [c for c in spec.column_names if c not in key]
    return (
        typed_sightings(kept, table, config, key=key, columns=others, order="_seen_load")
        .group_by(key, maintain_order=True)
        .last()
        .select(spec.column_names)
        .cast(spec.polars_schema)
    )


def _restored_core(
    con: duckdb.DuckDBPyConnection, table: str, listed: str, config: SlaConfig | None
) -> pl.DataFrame | None:
    """The core rows of ``table`` that the loads ``listed`` (SQL list) removed (a moved
    stage date, ``--replace``: ``meta.removed``) and no later kept load removed again or
    would have (:func:`_removed_again`): each key's latest version a kept load saw, typed
    as the import types it. A purge of the refresh that moved an MQL from 09-03 to 09-04
    gives the lead its 09-03 MQL back.
    """
    if not _has_table(con, "meta", "removed"):
        return None
    gone = con.sql(
        f"""SELECT id, key AS _removal_key, max(load_id) AS _removed_at FROM old.meta.removed
        WHERE table_name = '{table}' GROUP BY id, key
        HAVING arg_max(load_id IN ({listed}), load_id)"""
    ).pl()
    if gone.is_empty():
        return None
    spec = TABLES[table]
    typed = _kept_versions(con, table, listed, config, ids=gone["id"])
    restored = (
        typed.join(gone.drop("id"), on="_removal_key")
        .group_by(list(spec.key), maintain_order=True)
        .last()
    )
    restored = restored.filter(~_removed_again(con, table, listed, restored, typed))
    return restored.select(spec.column_names).cast(spec.polars_schema) if restored.height else None


def _removed_again(
    con: duckdb.DuckDBPyConnection,
    table: str,
    listed: str,
    rows: pl.DataFrame,
    seen: pl.DataFrame,
) -> pl.Series:
    """Per row an erased load removed (``rows``: typed, ``_removal_key``, ``_removed_at``),
    whether a kept load after that removal would have removed it too, as the load log
    records each load (:func:`~analytics.warehouse.loader.said_by`):

    - a ``--replace`` of the table whose files lacked it, unless it kept the row: its key
      was among the rows it rejected, the load said nothing of it (a stage its file had no
      column for, a lead it could not read, a file kind its export lacked:
      :func:`~analytics.warehouse.loader.unsaid_expr`), or no kept load of its format saw
      the row (a snapshot speaks for its own format's rows);
    - a load whose stage dates restate the lead's (it holds every one of them:
      :func:`~analytics.warehouse.loader.restated_expr`) and lacked it;
    - a load whose event of the lead and stage supersedes the row's trigger.

    ``seen``: the kept versions of the rows' ids (:func:`_kept_versions`). Which leads a
    load's file had is read from its sightings of the leads (rejected or not). A load
    recorded before the load log held formats (``meta.loads.format`` null) is read as
    before: any later replace of the table, or sighting of an event of the lead.
    """
    from analytics.warehouse.loader import restated_expr, said_by, unsaid_expr

    blocked = pl.Series("blocked", [False] * rows.height)
    if rows.is_empty():
        return blocked
    has_format = _has_column(con, "meta", "loads", "format")
    columns = "format, scopes" if has_format else "NULL AS format, NULL AS scopes"
    replaced = "replaced" if _has_column(con, "meta", "loads", "replaced") else "false"
    logged = con.sql(
        f"""SELECT load_id, {replaced} AS replaced, {columns} FROM old.meta.loads
        WHERE table_name = '{table}' AND load_id NOT IN ({listed})
        AND load_id > {int(rows["_removed_at"].min())} ORDER BY load_id"""
    ).fetchall()
    loads: dict[int, dict[str, Any]] = {}
    for load_id, was_replace, fmt, scopes in logged:
        load = loads.setdefault(load_id, {"replaced": False, "format": fmt, "records": []})
        load["replaced"] |= bool(was_replace)
        load["records"].append(scopes)
    if not loads:
        return blocked
    formats = dict(
        con.sql(
            f"SELECT load_id, any_value({'format' if has_format else 'NULL'})::VARCHAR "
            "FROM old.meta.loads GROUP BY load_id"
        ).fetchall()
    )
    seen = seen.with_columns(
        pl.col("_seen_load").replace_strict(formats, default=None, return_dtype=pl.String)
        .alias("_format")
    )  # fmt: skip
    first = TABLES[table].key[0]
    events = table == "lifecycle_events"
    leads = rows["lead_id"] if "lead_id" in rows.columns else None
    # the leads each load's files had (its sightings of them), and those it could not read
    had = _sightings(con, "leads", listed, leads) if leads is not None else None
    unread = had.filter("rejected") if had is not None else None
    if events:  # a lead whose dates a load could not read keeps them
        unread = pl.concat([unread, _sightings(con, table, listed, leads).filter("rejected")])
    # the keys a load rejected keep their rows (one-column keys: an id)
    kept = (
        _sightings(con, table, listed, rows[first]).filter("rejected")
        if len(TABLES[table].key) == 1
        else None
    )
    for load_id, load in loads.items():
        by_load = seen.filter(pl.col("_seen_load") == load_id)
        lacked = ~pl.col("_removal_key").is_in(by_load["_removal_key"].implode())
        if load["format"] is None:  # recorded before formats and scopes: read as before
            again = pl.lit(load["replaced"])
            if events:
                again = again | pl.col("lead_id").is_in(by_load["lead_id"].implode())
        else:
            said = said_by(load["records"])
            # a snapshot speaks for the rows the kept loads of its format saw before it
            earlier = seen.filter(pl.col("_seen_load") < load_id)
            own = earlier.filter(
                pl.col("_format").is_null() | (pl.col("_format") == load["format"])
            )
            spoken = pl.col("_removal_key").is_in(own["_removal_key"].implode()) | ~pl.col(
                "_removal_key"
            ).is_in(earlier["_removal_key"].implode())
            again = pl.lit(load["replaced"]) & ~unsaid_expr(said, table) & spoken
            if kept is not None:
                rejected = kept.filter(pl.col("load_id") == load_id)["id"]
                again = again & ~pl.col(first).is_in(rejected.implode())
            if events:
                again = again | restated_expr(said) | _superseded(rows, by_load, said)
        frame = rows.with_columns(_in_file=pl.lit(True), _trusted=pl.lit(True))
        if had is not None and unread is not None:
            frame = frame.with_columns(
                _in_file=pl.col("lead_id").is_in(
                    had.filter(pl.col("load_id") == load_id)["id"].implode()
                ),
                _trusted=~pl.col("lead_id").is_in(
                    unread.filter(pl.col("load_id") == load_id)["id"].implode()
                ),
            )
        blocked |= frame.select((pl.col("_removed_at") < load_id) & lacked & again).to_series()
    return blocked


def _superseded(rows: pl.DataFrame, by_load: pl.DataFrame, said: dict[str, list]) -> pl.Expr:
    """Polars: the rows (lifecycle events) whose trigger a load's event of the same lead
    and stage superseded (:attr:`~analytics.warehouse.loader.TableBatch.supersedes`);
    ``by_load``: the versions that load saw."""
    theirs = by_load.select("lead_id", "stage", pl.col("trigger").alias("_by"))
    hit = (
        rows.join(theirs, on=["lead_id", "stage"]).filter(
            pl.col("trigger").is_in(said["supersedes"]) & (pl.col("_by") != pl.col("trigger"))
        )
    )["_removal_key"]
    return pl.col("_removal_key").is_in(hit.implode())


def _sightings(
    con: duckdb.DuckDBPyConnection, table: str, listed: str, ids: pl.Series
) -> pl.DataFrame:
    """The kept loads' (not in ``listed``) sightings of ``table``'s row versions whose key's
    first column (trimmed) is one of ``ids``: ``load_id``, ``id``, and whether the load
    rejected the version (:func:`~analytics.warehouse.versions.rejected_sighting`)."""
    from analytics.warehouse.versions import rejected_sighting

    first = _q(TABLES[table].key[0])
    recorded = _has_column(con, "meta", "raw_seen", "rejected")
    con.register("purge_sighted_ids", pl.DataFrame({"id": ids.cast(pl.String)}).unique())
    try:
        return con.sql(
            f"""SELECT DISTINCT s.load_id, trim(r.{first}) AS id,
                {rejected_sighting(table, catalog="old.", recorded=recorded)} AS rejected
            FROM old.raw.{table} r
            JOIN old.meta.raw_seen s ON s.table_name = '{table}' AND s.row_hash = r._row_hash
            WHERE s.load_id NOT IN ({listed})
            AND trim(r.{first}) IN (SELECT id FROM purge_sighted_ids)"""
        ).pl()
    finally:
        con.unregister("purge_sighted_ids")


def _kept_versions(
    con: duckdb.DuckDBPyConnection,
    table: str,
    listed: str,
    config: SlaConfig | None,
    *,
    ids: pl.Series,
) -> pl.DataFrame:
    """The versions of ``table``'s rows with these ``ids`` (their key's first column) that
    a load kept (not in ``listed``) saw and did not reject, typed as the import types them,
    oldest first, with ``_seen_load`` and ``_removal_key``
    (:func:`~analytics.warehouse.removals.removal_keys`)."""
    from analytics.warehouse.removals import removal_keys
    from analytics.warehouse.versions import rejected_sighting, typed_sightings

    spec = TABLES[table]
    key = list(spec.key)
    first = next(c for c in spec.columns if c.name == key[0])
    text = ", ".join(f"r.{_q(c)}" for c in spec.column_names)
    recorded = _has_column(con, "meta", "raw_seen", "rejected")
    con.register("purge_wanted_ids", pl.DataFrame({"id": ids}).unique().to_arrow())
    try:  # the candidates by their id as text (a date key is typed below only)
        by_id = f"AND trim(r.{_q(key[0])}) IN (SELECT id FROM purge_wanted_ids)"
        kept = con.sql(
            f"""SELECT {text}, r._line AS _file_line, s.load_id AS _seen_load,
                   s.absent AS _absent
            FROM old.raw.{table} r
            JOIN old.meta.raw_seen s ON s.table_name = '{table}' AND s.row_hash = r._row_hash
            WHERE s.load_id NOT IN ({listed})
            AND NOT {rejected_sighting(table, catalog="old.", recorded=recorded)}
            {by_id if first.kind in ("str", "enum") else ""}
            ORDER BY _seen_load, _file_line"""
        ).pl()
    finally:
        con.unregister("purge_wanted_ids")
    others = [c for c in spec.column_names if c not in key]
    if kept.is_empty():
        return pl.DataFrame(
            schema={**spec.polars_schema, "_seen_load": pl.Int32, "_removal_key": pl.String}
        )
    typed = typed_sightings(kept, table, config, key=key, columns=others, order="_seen_load")
    return typed.with_columns(removal_keys(typed, table).alias("_removal_key"))


def _dropped_by_kept(
    con: duckdb.DuckDBPyConnection, table: str, listed: str, config: SlaConfig | None
) -> pl.DataFrame | None:
    """The keys (``meta.removed`` text) of ``table`` whose last kept word was a removal: a
    kept load removed the row after every kept load that saw it, so only an erased load
    can have put it back in core (re-added after a ``--replace``, a date moved back)."""
    if not _has_table(con, "meta", "removed"):
        return None
    removals = con.sql(
        f"""SELECT id, key, max(load_id) AS at FROM old.meta.removed
        WHERE table_name = '{table}' AND load_id NOT IN ({listed}) GROUP BY id, key"""
    ).pl()
    if removals.is_empty():
        return None
    seen = (
        _kept_versions(con, table, listed, config, ids=removals["id"])
        .group_by("_removal_key")
        .agg(pl.col("_seen_load").max().alias("seen"))
    )
    dropped = (
        removals.join(seen, left_on="key", right_on="_removal_key", how="left")
        .filter(pl.col("seen").is_null() | (pl.col("at") > pl.col("seen")))
        .select("key")
    )
    return dropped if dropped.height else None


def _selects_for_loads(
    con: duckdb.DuckDBPyConnection, loads: list[int], config: SlaConfig | None = None
) -> dict:
    """The SELECTs of the rows kept when the given loads are erased."""
    listed = ", ".join(str(int(n)) for n in loads) or "NULL"
    selects: dict[tuple[str, str], str] = {}
    has_seen = _has_table(con, "meta", "raw_seen")
    for table in LOAD_ORDER:
        # a row version stays while a load that is kept saw it (meta.raw_seen; a warehouse
        # written before it: the raw row's own load)
        kept = f"r._load_id NOT IN ({listed})"
        if has_seen:
            kept = (
                f"(EXISTS (SELECT 1 FROM old.meta.raw_seen s WHERE s.table_name = '{table}' "
                f"AND s.row_hash = r._row_hash AND s.load_id NOT IN ({listed})) OR (NOT EXISTS "
                f"(SELECT 1 FROM old.meta.raw_seen s WHERE s.table_name = '{table}' "
                f"AND s.row_hash = r._row_hash) AND {kept}))"
            )
        con.execute(
            f"CREATE TEMP TABLE purge_keys_{table} AS "
            f"SELECT {_key_cast(table, 'r')} FROM old.raw.{table} r WHERE NOT {kept} "
            f"EXCEPT SELECT {_key_cast(table, 'r')} FROM old.raw.{table} r WHERE {kept}"
        )
        selects[("raw", table)] = f"SELECT * FROM old.raw.{table} r WHERE {kept}"
        selects[("core", table)] = (
            f"SELECT * FROM old.core.{table} c WHERE NOT EXISTS "
            f"(SELECT 1 FROM purge_keys_{table} k WHERE {_key_match(table, 'c', 'k')})"
        )
        dropped = _dropped_by_kept(con, table, listed, config) if has_seen else None
        # a row a kept load removed last (only an erased load put it back) stays removed
        gone = "true"
        if dropped is not None:
            name = _temp_table(con, f"purge_dropped_{table}", dropped)
            gone = f"{{row}} NOT IN (SELECT key FROM {name})"
            selects[("core", table)] += " AND " + gone.format(row=removal_key_sql(table, "c"))
        rebuilt = _rebuilt_core(con, table, listed, config) if has_seen else None
        if rebuilt is not None and rebuilt.height:
            # no value only an erased load brought stays in core: such rows are derived again
            name = _temp_table(con, f"purge_rebuilt_{table}", rebuilt)
            selects[("core", table)] += (
                f" AND NOT EXISTS (SELECT 1 FROM {name} b WHERE {_key_match(table, 'c', 'b')})"
                f" UNION ALL BY NAME SELECT b.* FROM {name} b WHERE EXISTS "
                f"(SELECT 1 FROM old.core.{table} c WHERE {_key_match(table, 'c', 'b')})"
                f" AND {gone.format(row=removal_key_sql(table, 'b'))}"
            )
        restored = _restored_core(con, table, listed, config) if has_seen else None
        if restored is not None:
            # what an erased load took out of core comes back (unless it is there again),
            # a lead's row only with its lead (one a kept load removed took its rows along)
            name = _temp_table(con, f"purge_restored_{table}", restored)
            if table in DEPENDENT_TABLES:
                con.execute(
                    f"DELETE FROM {name} WHERE lead_id NOT IN "
                    f"(SELECT lead_id FROM ({selects[('core', 'leads')]}))"
                )
            selects[("core", table)] += (
                f" UNION ALL BY NAME SELECT b.* FROM {name} b WHERE NOT EXISTS "
                f"(SELECT 1 FROM old.core.{table} c WHERE {_key_match(table, 'c', 'b')})"
            )
    selects[("meta", "quarantine")] = (
        f"SELECT * FROM old.meta.quarantine WHERE load_id IS NULL OR load_id NOT IN ({listed})"
    )
    # the erased loads' rows stay in the load log (what was loaded, when, how many rows):
    # their file names masked, as an import records them now (older warehouses did not)
    # and marked erased: no table's data comes from their files any more
    marked = _has_column(con, "meta", "loads", "erased")  # (older warehouses: no column)
    erased = f"load_id IN ({listed})" + (" OR coalesce(erased, false)" if marked else "")
    selects[("meta", "loads")] = (
        f"SELECT * EXCLUDE (source_file{', erased' if marked else ''}), "
        f"CASE WHEN load_id IN ({listed}) THEN stored_name(source_file) "
        f"ELSE source_file END AS source_file, {erased} AS erased FROM old.meta.loads"
    )
    if has_seen:
        selects[("meta", "raw_seen")] = (
            f"SELECT * FROM old.meta.raw_seen WHERE load_id NOT IN ({listed})"
        )
    if _has_table(con, "meta", "removed"):  # their removals are undone above
        selects[("meta", "removed")] = (
            f"SELECT * FROM old.meta.removed WHERE load_id NOT IN ({listed})"
        )
    return selects


def _logged_loads(con: duckdb.DuckDBPyConnection) -> dict[int, tuple[str, str]]:
    """Load id -> what it is in the load log, and its source: ``import`` (rows it brought
    can be erased), ``erased`` (an earlier purge erased them; a warehouse written before
    the marks reads its erased loads as imports), ``log`` (a purge's or rescrub's record
    of itself, its command in the source)."""
    erased = "bool_or(erased IS TRUE)" if _has_column(con, "meta", "loads", "erased") else "false"
    rows = con.execute(
        f"""SELECT load_id, CASE WHEN bool_and(table_name = 'purge') THEN 'log'
                   WHEN {erased} THEN 'erased' ELSE 'import' END, any_value(source_file)
            FROM old.meta.loads GROUP BY load_id"""
    ).fetchall()
    return {int(n): (kind, source) for n, kind, source in rows}


def _not_erasable(load: int, logged: dict[int, tuple[str, str]]) -> str | None:
    """Why ``load`` has nothing to erase, or None: it can be erased.

    >>> logged = {1: ("erased", "leads.csv"), 2: ("import", "leads.csv"),
    ...           3: ("log", "sla purge --load 1")}
    >>> [_not_erasable(n, logged) for n in (2, 1, 3, 9)]  # doctest: +NORMALIZE_WHITESPACE
    [None, 'load 1 was erased already: none of its rows is left',
     "load 3 is no import but the log of 'sla purge --load 1': it brought no rows",
     'there is no load 9']
    """
    kind, source = logged.get(load, (None, None))
    if kind is None:
        return f"there is no load {load}"
    if kind == "erased":
        return f"load {load} was erased already: none of its rows is left"
    if kind == "log":
        return f"load {load} is no import but the log of {source!r}: it brought no rows"
    return None


def _id_ranges(ids: Iterable[int]) -> str:
    """Load ids as runs: ``1-3, 5`` (a warehouse refreshed monthly for years has many).

    >>> _id_ranges([5, 1, 2, 3, 7, 8]), _id_ranges([])
    ('1-3, 5, 7-8', '')
    """
    runs: list[list[int]] = []
    for n in sorted(set(ids)):
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'old' "
            "AND schema_name = ? AND table_name = ?",
            [schema, table],
        ).fetchall()[0][0]
    )


def _restored_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """``core.<table>`` -> the rows the purge gives back (its ``purge_restored_`` tables'
    rows that the warehouse did not hold)."""
    out = {}
    for (name,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE temporary "
        "AND table_name LIKE 'purge_restored_%'"
    ).fetchall():
        table = name.removeprefix("purge_restored_")
        n = con.execute(
            f"SELECT count(*) FROM {name} b WHERE NOT EXISTS "
            f"(SELECT 1 FROM old.core.{table} c WHERE {_key_match(table, 'c', 'b')})"
        ).fetchall()[0][0]
        if n:
            out[f"core.{table}"] = int(n)
    return out


def _temp_table(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> str:
    """``frame`` as the connection's temporary table ``name`` (its name returned)."""
    con.register(f"{name}_arrow", frame.to_arrow())
    con.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM {name}_arrow")
    con.unregister(f"{name}_arrow")
    return name


def _has_column(con: duckdb.DuckDBPyConnection, schema: str, table: str, column: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_columns() WHERE database_name = 'old' "
            "AND schema_name = ? AND table_name = ? AND column_name = ?",
            [schema, table, column],
        ).fetchall()[0][0]
    )


def _counts(con: duckdb.DuckDBPyConnection, catalog: str, tables) -> dict[tuple[str, str], int]:
    return {
        (s, t): con.execute(f"SELECT count(*) FROM {catalog}.{s}.{t}").fetchall()[0][0]
        for s, t in tables
    }


def _unlinked(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    out = {}
    for table in UNLINKED_TABLES:
        for schema in ("raw", "core"):
            n = con.execute(
                f"SELECT count(*) FROM old.{schema}.{table} "
                f"WHERE {_LEAD} IN (SELECT lead_id FROM purge_ids)"
            ).fetchall()[0][0]
            if n:
                out[f"{schema}.{table}"] = n
    return out


def purge(
    db_path: str | Path,
    *,
    leads: Sequence[str] = (),
    load: int | None = None,
    before: date | None = None,
    salt: str | None = None,
    config: SlaConfig | None = None,
) -> PurgeResult:
    """Erase leads or loads from the warehouse and rewrite the file without their bytes.

    Parameters
    ----------
    db_path
        The warehouse file.
    leads
        Lead ids (one or more): as stored, or an e-mail address, phone number or IBAN that
        an import stored as its salted hash (found with ``salt``); or
    load
        One load id (``meta.loads.load_id``); or
    before
        Every load made before this day (UTC).
    salt
        The hash salt (:func:`~analytics.warehouse.privacy.existing_salt`), to find leads
        whose id was stored hashed (:func:`~analytics.warehouse.privacy.is_personal_id`).
    config
        The SLA config: the coverage and the attributes' history are recomputed for it
        (:func:`~analytics.warehouse.coverage_store.record_coverage`,
        :func:`~analytics.warehouse.versions.record_history`).

    Returns
    -------
    PurgeResult
        Rows removed per ``schema.table``, opportunities unlinked, the purge's load id,
        the pending previews and upload folders removed, the model cards rewritten.

    Raises
    ------
    PurgeFailed
        Not exactly one of leads, load, before; no warehouse; an unknown load.
    """
    if sum([bool(leads), load is not None, before is not None]) != 1:
        raise PurgeFailed("give exactly one of --lead ID ..., --load ID, --before YYYY-MM-DD")
    db_path = Path(db_path)
    if not db_path.exists():
        raise PurgeFailed(f"{db_path}: no warehouse here")
    with _writer_lock(db_path):
        result = rebuild_live(
            db_path,
            lambda con: _rebuild(
                con, db_path, leads=leads, load=load, before=before, salt=salt, config=config
            ),
            config=config,
        )
        # after the swap: a preview that copied the old file made its folder before this
        scratches, uploads = remove_previews(db_path)
        result.previews_removed, result.uploads_removed = len(scratches), len(uploads)
        if leads:  # the send log of `sla notify` beside the warehouse names leads too
            erased = purge_log_leads(db_path, result.purged_ids)
            if erased:
                key = "meta.notifications"
                result.removed[key] = result.removed.get(key, 0) + erased
        # the model cards beside the warehouse name a few training leads (and when they came)
        from analytics.scoring.model import forget_leads, models_dir

        result.model_cards = len(forget_leads(models_dir(db_path), result.purged_ids))
    return result


def _rebuild(
    con: duckdb.DuckDBPyConnection,
    db_path: Path,
    *,
    leads: Sequence[str],
    load: int | None,
    before: date | None,
    salt: str | None,
    config: SlaConfig | None = None,
) -> PurgeResult:
    logged = _logged_loads(con)
    unlinked: dict[str, int] = {}
    not_found = 0
    loads: list[int] = []
    if leads:
        ids = sorted(set(pl.Series(list(leads), dtype=pl.String).str.strip_chars()))
        wanted = len(ids)
        if salt:
            ids = sorted(set(ids) | {hash_text(i, salt) for i in ids if is_personal_id(i)})
        _temp_table(con, "purge_ids", pl.DataFrame({"lead_id": ids}, schema={"lead_id": pl.String}))
        in_quarantine = (  # a lead known only from a rejected row (never in raw: misaligned)
            "SELECT p.lead_id FROM purge_ids p JOIN old.meta.quarantine q "
            f"ON {_names_lead('p.lead_id')}"
        )
        found = con.execute(
            "SELECT count(DISTINCT lead_id) FROM ("
            + " UNION ALL ".join(
                [
                    *(
                        f"SELECT {_LEAD} AS lead_id FROM old.{s}.{t} "
                        f"WHERE {_LEAD} IN (SELECT lead_id FROM purge_ids)"
                        for t in LEAD_TABLES + UNLINKED_TABLES
                        for s in ("raw", "core")
                    ),
                    in_quarantine,
                ]
            )
            + ")"
        ).fetchall()[0][0]
        not_found = max(wanted - found, 0)
        selects = _selects_for_leads(con)
        unlinked = _unlinked(con)
        what = f"sla purge --lead ({wanted} id{'s' if wanted != 1 else ''})"
    else:
        if load is not None:
            why = _not_erasable(load, logged)
            if why:
                erasable = _id_ranges(n for n, (kind, _) in logged.items() if kind == "import")
                raise PurgeFailed(
                    f"{db_path}: {why} (loads that can be erased: {erasable or 'none'})"
                )
            loads = [load]
            what = f"sla purge --load {load}"
        else:
            start = datetime(before.year, before.month, before.day, tzinfo=UTC)
            loads = [
                r[0]
                for r in con.execute(
                    "SELECT DISTINCT load_id FROM old.meta.loads WHERE loaded_at < ? ORDER BY 1",
                    [start],
                ).fetchall()
                if logged[r[0]][0] == "import"
            ]
            what = f"sla purge --before {before.isoformat()}"
        selects = _selects_for_loads(con, loads, config)
    tables, before_counts, after_counts = write_fresh(con, selects)
    restored = _restored_counts(con)
    bookkeeping = {("meta", "raw_seen"), ("meta", "precomputed"), ("meta", "removed")}
    bookkeeping |= set(RECOMPUTED)  # computed again after the copy
    removed = {
        f"{s}.{t}": n
        for s, t in tables
        if (s, t) not in bookkeeping
        and (n := before_counts[(s, t)] - after_counts[(s, t)] + restored.get(f"{s}.{t}", 0))
    }  # sightings of removed row versions and stored results go too: bookkeeping, not data
    load_id = log_load(con, what, sum(removed.values()))
    target = fresh_name(con)
    erased = (  # the leads asked for (and their hashes), or those only the loads brought
        "SELECT lead_id FROM purge_ids"
        if leads
        else "SELECT lead_id FROM old.core.leads "
        f"EXCEPT SELECT lead_id FROM {_q(target)}.core.leads"
    )
    purged = sorted(r[0] for r in con.execute(erased).fetchall())
    return PurgeResult(load_id, removed, unlinked, not_found, loads, purged, restored)


#: Meta tables computed again from the rest after a rebuild (:func:`rebuild_live`): the
#: fresh file gets them empty, so that no byte of the old rows is written and then dropped.
RECOMPUTED = (("meta", "lead_history"), ("meta", "account_history"), ("meta", "coverage"))


def rebuild_live(
    db_path: Path,
    build: Callable[[duckdb.DuckDBPyConnection], _T | None],
    *,
    config: SlaConfig | None = None,
) -> _T | None:
    """Build a fresh warehouse file from the live one and swap it in; the caller holds the
    writers' lock (:func:`_writer_lock`).

    ``build`` gets a connection to the fresh file with the live one attached read-only as
    ``old`` (and the SQL functions ``import_id`` and ``stored_name``); it fills the fresh
    file (:func:`write_fresh`) and returns what the caller reports, or None: nothing to
    write, the fresh file is dropped and the live one stays as it is. Then the coverage
    and the attributes' history are computed again in the fresh file, which is swapped in
    with ``os.replace``. Any failure leaves the live file as it was (the fresh one goes).
    """
    # its catalog is named after the file: never "old", the warehouse's alias while it is read
    fresh = db_path.with_name(f"purge-{os.getpid()}-{db_path.name}")
    fresh.unlink(missing_ok=True)
    try:
        con = duckdb.connect(str(fresh))
        try:
            _attach_live(con, db_path)
            built = build(con)
            con.execute("DETACH old")
            if built is None:
                return None
            # what the data can answer and the attributes' history change with it
            con.execute("BEGIN TRANSACTION")
            record_coverage(con, config)
            record_history(con, config)
            con.execute("COMMIT")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        Path(str(db_path) + ".wal").unlink(missing_ok=True)
        os.replace(fresh, db_path)
    finally:
        fresh.unlink(missing_ok=True)
        Path(str(fresh) + ".wal").unlink(missing_ok=True)
    return built


def _attach_live(con: duckdb.DuckDBPyConnection, db_path: Path) -> None:
    try:
        con.execute(f"ATTACH '{str(db_path).replace(chr(39), chr(39) * 2)}' AS old (READ_ONLY)")
    except duckdb.Error as exc:
        raise PurgeFailed(f"{db_path}: cannot open the warehouse: {exc}") from None
    con.create_function("import_id", _import_id, ["VARCHAR"], "VARCHAR", type="arrow")
    con.create_function(
        "stored_name", _stored_name, ["VARCHAR"], "VARCHAR", null_handling="special"
    )


def write_fresh(
    con: duckdb.DuckDBPyConnection, selects: dict[tuple[str, str], str]
) -> tuple[list[tuple[str, str]], dict[tuple[str, str], int], dict[tuple[str, str], int]]:
    """Fill the fresh file (:func:`rebuild_live`'s connection) from the live one: every
    schema, table, view and comment (``COPY FROM DATABASE ... (SCHEMA)``, then today's
    columns), then each table's rows as ``selects[(schema, table)]`` selects them (default:
    all, as they are). Stored results (``meta.precomputed`` and the results' schema) are
    not copied: they were computed from the old rows; nor are the tables of
    :data:`RECOMPUTED`.

    Returns the tables copied, and their rows before (live) and after (fresh).
    """
    selects = dict(selects)
    tables = con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'old' "
        "AND NOT temporary ORDER BY schema_name, table_name"
    ).fetchall()
    con.execute(f"COPY FROM DATABASE old TO {_q(fresh_name(con))} (SCHEMA)")
    create_schema(con)  # a warehouse written by an older version gets today's columns
    target = fresh_name(con)
    # stored results were computed with the old rows: dropped, as every data write does
    selects[("meta", "precomputed")] = "SELECT * FROM old.meta.precomputed WHERE false"
    for schema, table in RECOMPUTED:
        selects[(schema, table)] = f"SELECT * FROM old.{schema}.{table} WHERE false"
    for schema, table in [t for t in tables if t[0] == RESULTS_SCHEMA]:
        con.execute(f"DROP TABLE {_q(target)}.{_q(schema)}.{_q(table)}")
    tables = [t for t in tables if t[0] != RESULTS_SCHEMA]
    for schema, table in tables:
        select = selects.get((schema, table), f"SELECT * FROM old.{_q(schema)}.{_q(table)}")
        # by name: a column this version added (create_schema) is empty for old rows
        con.execute(f"INSERT INTO {_q(target)}.{_q(schema)}.{_q(table)} BY NAME {select}")
    return tables, _counts(con, "old", tables), _counts(con, _q(target), tables)


def log_load(con: duckdb.DuckDBPyConnection, what: str, rows: int) -> int:
    """Log a rebuild in the fresh file's ``meta.loads`` as a load of its own (table
    ``purge``: what was done, never the values), ``rows`` its count; its load id."""
    target = fresh_name(con)
    load_id = con.execute(
        f"SELECT coalesce(max(load_id), 0) + 1 FROM {_q(target)}.meta.loads"
    ).fetchall()[0][0]
    con.execute(
        f"INSERT INTO {_q(target)}.meta.loads (load_id, table_name, source_file, file_sha256, "
        "rows_read, rows_loaded, rows_rejected, loaded_at) "
        "VALUES (?, 'purge', ?, NULL, ?, 0, 0, ?)",
        [load_id, what, rows, datetime.now(UTC)],
    )
    return int(load_id)


def fresh_name(con: duckdb.DuckDBPyConnection) -> str:
    """The catalog name of the connection's own (fresh) database file."""
    return con.execute("SELECT current_database()").fetchall()[0][0]


__all__ = [
    "PurgeFailed",
    "PurgeResult",
    "free_text",
    "log_load",
    "purge",
    "rebuild_live",
    "write_fresh",
]
