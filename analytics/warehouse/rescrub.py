"""Bring a warehouse written under older privacy rules to this code's rules, leaving no byte
of what they let through.

The privacy rules (:mod:`analytics.warehouse.privacy`) get stricter, and every import
scrubs its cells with the rules of its code. A warehouse written by an older version keeps
what those rules let through (``Tel 0171 1234567`` as a lead's id, ``x+4917112345678`` in a
note): :func:`bring_to_rules` finds such cells and rewrites them as an import today would
write them. The warehouse records the version of the rules its cells satisfy
(:mod:`analytics.warehouse.privacy_rules`); a warehouse recorded with an older version,
or none, is brought to today's at the start of the next import (before the new rows
load: ``sla import``, the app's upload) and by ``sla rescrub``.

What changes, each cell as an import today stores it:

- ``raw.<table>``: every cell (:func:`~analytics.warehouse.privacy.scrub`: e-mail
  addresses, phone numbers and IBANs masked in text, an id that is or holds one hashed
  with the warehouse's salt, personal keys of ``_extra`` dropped) and the file name
  (:func:`~analytics.warehouse.loader.stored_name`); a changed row gets the content hash
  an import computes now, and two versions that became one are kept once (the first
  load's), their sightings (``meta.raw_seen``) following them;
- ``core.<table>``: every text column the same way. The hash is the salted hash an import
  makes (:func:`~analytics.warehouse.privacy.hash_text`): deterministic, so the same id
  in two tables hashes the same and later imports join it. A row whose id now hashes to
  the key of another row is merged with it: the row that did not change (an import under
  today's rules stored it, later) is kept;
- ``meta.quarantine``: the rejected cell as the import keeps it (scrubbed as its column,
  then masked; a row with the wrong number of fields as
  :func:`~analytics.warehouse.privacy.misaligned_row` keeps it), the reason masked, the
  file name masked, its row hash following the raw row's;
- ``meta.loads``: file names masked; ``meta.removed``: ids and keys hashed;
  ``meta.notifications`` (the send log of older versions): ids hashed, errors masked.

Nothing is changed in place: the result is a fresh file built from the live one and
swapped in under the writers' lock, by the machinery of ``sla purge``
(:func:`~analytics.warehouse.purge.rebuild_live`), so no old byte survives in the file's
free blocks; a failure leaves the live file as it was. The cells are scanned first: a
warehouse with nothing to change only gets the version recorded (no rebuild). Stored
results are dropped (they were computed from the old cells); pending previews of an
upload (copies of the old file) are removed. Beside the warehouse, the send log of
``sla notify`` and the model cards (``models/score-*.json``) have every id that changed
renamed to its hash.

The rebuild is logged in ``meta.loads`` as a load of its own (table ``purge``, with the
number of cells changed, never their values) and in ``meta.privacy_rules``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from analytics.config import SlaConfig
from analytics.schema import LOAD_ORDER, TABLES
from analytics.warehouse import privacy
from analytics.warehouse.privacy_rules import (
    PRIVACY_RULES,
    is_current,
    record_rules,
    recorded_rules,
)

#: Rows read at a time by the scan.
SCAN_ROWS = 200_000


@dataclass
class RescrubResult:
    """What bringing a warehouse to the privacy rules did: counts, never values."""

    #: The version of the rules recorded before (None: none), and now.
    before: int | None
    rules: int = PRIVACY_RULES
    #: ``schema.table`` -> cells changed.
    cells: dict[str, int] = field(default_factory=dict)
    #: ``core.<table>`` -> rows merged into another row with the same (hashed) key.
    merged: dict[str, int] = field(default_factory=dict)
    #: The load logged for it (None: nothing changed, the file was not rewritten).
    load_id: int | None = None
    #: Files beside the warehouse: model cards rewritten, send-log rows renamed.
    model_cards: int = 0
    notifications: int = 0
    previews_removed: int = 0
    #: Each id that changed -> its hash (for the files beside the warehouse); never shown.
    renamed: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def changed(self) -> int:
        """Cells changed, in all."""
        return sum(self.cells.values())

    @property
    def rewritten(self) -> bool:
        return self.load_id is not None

    def summary(self) -> str:
        """One line for the CLI: how many cells changed, where."""
        if not self.changed:
            return f"the warehouse holds nothing the privacy rules of version {self.rules} change"
        where = ", ".join(f"{name} {n:,}" for name, n in sorted(self.cells.items()))
        text = (
            f"brought {self.changed:,} cells of the warehouse to the privacy rules of version "
            f"{self.rules}: {where}"
        )
        if self.merged:
            merged = ", ".join(f"{name} {n:,}" for name, n in sorted(self.merged.items()))
            text += f"; rows merged as their ids now hash alike: {merged}"
        extra = []
        if self.model_cards:
            extra.append(f"{self.model_cards} model card(s)")
        if self.notifications:
            extra.append(f"{self.notifications} row(s) of the send log")
        if extra:
            text += "; ids renamed to their hashes in " + " and ".join(extra)
        return text + f" (logged as load {self.load_id})"

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "rules": self.rules,
            "before": self.before,
            "cells": self.cells,
            "merged": self.merged,
            "load_id": self.load_id,
            "model_cards": self.model_cards,
            "notifications": self.notifications,
            "previews_removed": self.previews_removed,
        }


def needs_rules(db_path: str | Path) -> int | bool | None:
    """False when the warehouse at ``db_path`` is on this code's privacy rules (or there is
    none); else the version it recorded (None: none)."""
    db_path = Path(db_path)
    if not db_path.exists():
        return False
    from analytics.warehouse.connection import WarehouseError, connect_readonly

    try:
        con = connect_readonly(db_path)
    except WarehouseError:  # no warehouse to bring: what reads it next says what is wrong
        return False
    try:
        rules = recorded_rules(con)
    finally:
        con.close()
    return False if is_current(rules) else rules


def bring_to_rules(
    db_path: str | Path,
    *,
    salt: privacy.Salt,
    config: SlaConfig | None = None,
    record: bool = True,
) -> RescrubResult | None:
    """Bring every stored cell of the warehouse to this code's privacy rules.

    Parameters
    ----------
    db_path
        The warehouse file.
    salt
        The salt of the hashes (a string, or a callable that makes it only when an id is
        to be hashed): the warehouse's (:func:`~analytics.warehouse.privacy.hash_salt`).
    config
        The SLA config: the coverage and the attributes' history are computed again for it.
    record
        When nothing changes, record the version in the warehouse at once (a copy of the
        file swapped in, no rebuild); an import passes False and records it in its own
        write.

    Returns
    -------
    RescrubResult | None
        None when the warehouse is on these rules already (or there is none); else what
        changed (nothing, when its cells satisfied the rules already).
    """
    from analytics.warehouse.preview import remove_previews
    from analytics.warehouse.purge import _writer_lock, rebuild_live

    db_path = Path(db_path)
    before = needs_rules(db_path)
    if before is False:
        return None
    with _writer_lock(db_path):
        before = needs_rules(db_path)  # another writer may have done it meanwhile
        if before is False:
            return None
        result = RescrubResult(before=before)
        rebuild_live(db_path, lambda con: _rebuild(con, result, salt), config=config)
        if result.rewritten:  # pending previews hold copies of the old cells
            result.previews_removed = len(remove_previews(db_path)[0])
    if result.renamed:
        rename_beside(db_path, result)
    if not result.rewritten and record:
        from analytics.warehouse.database import updating

        with updating(db_path, keep_results=True) as con:
            record_rules(con)
    return result


def rename_beside(db_path: str | Path, result: RescrubResult) -> None:
    """Rename every id that changed to its hash in the files beside the warehouse: the send
    log of ``sla notify`` and the model cards (counted in ``result``)."""
    from analytics.scoring.model import models_dir, rename_leads
    from analytics.warehouse.notifications import rename_log_ids

    result.notifications = rename_log_ids(db_path, result.renamed, privacy.mask_texts)
    result.model_cards = len(rename_leads(models_dir(db_path), result.renamed))


# -- the scan and the rebuild ---------------------------------------------------------------


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = 'old' "
            "AND schema_name = ? AND table_name = ? ORDER BY column_index",
            [schema, table],
        ).fetchall()
    ]


def _ids(values: pl.Series, salt: privacy.Salt) -> pl.Series:
    """Id cells as an import stores them: one that is or holds an e-mail address, a phone
    number or an IBAN as its salted hash (:func:`~analytics.warehouse.privacy.scrub` of an
    id column)."""
    frame = pl.DataFrame({"id": values.cast(pl.String)})
    frame, _ = privacy._mask_frame(frame, ["id"], {"id"}, salt, {})
    return frame["id"]


def _names(values: pl.Series) -> pl.Series:
    """File names as the warehouse records them (``loader.stored_name``)."""
    from analytics.warehouse.loader import stored_name

    each = values.drop_nulls().unique()
    if each.is_empty():
        return values
    return values.replace_strict(
        each, [stored_name(v) for v in each.to_list()], default=None, return_dtype=pl.String
    )


def _texts(values: pl.Series) -> pl.Series:
    return pl.Series(values.name, privacy.mask_texts(values.to_list()), dtype=pl.String)


def _raw(table: str, salt: privacy.Salt) -> Callable[[pl.DataFrame], pl.DataFrame]:
    def scrub(frame: pl.DataFrame) -> pl.DataFrame:
        cells = frame.drop("_source_file")
        out = privacy.scrub(table, cells, salt=salt)
        return out.with_columns(_names(frame["_source_file"]).alias("_source_file"))

    return scrub


def _core(table: str, salt: privacy.Salt) -> Callable[[pl.DataFrame], pl.DataFrame]:
    return lambda frame: privacy.scrub(table, frame, salt=salt)


def _quarantine(salt: privacy.Salt) -> Callable[[pl.DataFrame], pl.DataFrame]:
    def scrub(frame: pl.DataFrame) -> pl.DataFrame:
        frame = frame.with_row_index("_at")
        parts = []
        for (table, column), part in frame.group_by(["table_name", "column"], maintain_order=True):
            values = part["value"]
            if table in TABLES and column in TABLES[table].column_names:
                values = privacy.scrub(table, pl.DataFrame({column: values}), salt=salt)[column]
            elif column is None:  # a row with the wrong number of fields: its cells' JSON
                values = pl.Series([_misaligned(table, v, salt) for v in values.to_list()])
            parts.append(part.with_columns(_texts(values.cast(pl.String)).alias("value")))
        out = pl.concat(parts).sort("_at").drop("_at") if parts else frame.drop("_at")
        return out.with_columns(
            _texts(out["reason"]).alias("reason"), _names(out["source_file"]).alias("source_file")
        )

    return scrub


def _misaligned(table: str | None, value: str | None, salt: privacy.Salt) -> str | None:
    if value is None or not value.startswith("{"):
        return value
    try:
        cells = json.loads(value)
    except ValueError:
        return value
    if not isinstance(cells, dict) or not all(
        v is None or isinstance(v, str) for v in cells.values()
    ):
        return value
    return privacy.misaligned_row(table, cells, salt=salt)


def _removed(salt: privacy.Salt) -> Callable[[pl.DataFrame], pl.DataFrame]:
    def scrub(frame: pl.DataFrame) -> pl.DataFrame:
        keys = frame["key"].to_list()
        ids, leads = _ids(frame["id"], salt), _ids(frame["lead_id"], salt)
        out_keys = list(keys)
        for table in frame["table_name"].unique().to_list():
            if table not in TABLES:
                continue
            spec = TABLES[table]
            kinds = [next(c.kind for c in spec.columns if c.name == k) for k in spec.key]
            at = [i for i, t in enumerate(frame["table_name"].to_list()) if t == table]
            parts = [(keys[i] or "").split("\x1f") for i in at]
            for n, kind in enumerate(kinds):
                if kind != "str":
                    continue
                column = pl.Series([p[n] if n < len(p) else None for p in parts], dtype=pl.String)
                for p, v in zip(parts, _ids(column, salt).to_list(), strict=True):
                    if n < len(p) and v is not None:
                        p[n] = v
            for i, p in zip(at, parts, strict=True):
                if keys[i] is not None:
                    out_keys[i] = "\x1f".join(p)
        return frame.with_columns(
            ids.alias("id"), leads.alias("lead_id"), pl.Series("key", out_keys, dtype=pl.String)
        )

    return scrub


def _notifications(salt: privacy.Salt) -> Callable[[pl.DataFrame], pl.DataFrame]:
    def scrub(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.with_columns(
            _ids(frame["lead_id"], salt).alias("lead_id"),
            pl.Series("recipient", _recipients(frame["recipient"].to_list(), salt), pl.String),
            _texts(frame["error"]).alias("error"),
        )

    return scrub


def _recipients(recipients: list[str | None], salt: privacy.Salt) -> list[str | None]:
    """``rep:<id>:<channel>`` with the rep's id as the reps table stores it."""
    parts = [
        r.split(":") if r and r.startswith("rep:") and r.count(":") >= 2 else None
        for r in recipients
    ]
    reps = pl.Series([":".join(p[1:-1]) if p else None for p in parts], dtype=pl.String)
    hashed = _ids(reps, salt).to_list()
    return [
        r if p is None or h == ":".join(p[1:-1]) else f"rep:{h}:{p[-1]}"
        for r, p, h in zip(recipients, parts, hashed, strict=True)
    ]


def _targets(
    con: duckdb.DuckDBPyConnection, salt: privacy.Salt
) -> list[tuple[str, str, list[str], list[str], Callable[[pl.DataFrame], pl.DataFrame]]]:
    """(schema, table, columns read, id columns, what they become) of every table scanned."""
    out = []
    for table in LOAD_ORDER:
        spec = TABLES[table]
        ids = [c for c in spec.column_names if c in privacy._id_columns(table)]
        present = set(_columns(con, "raw", table))
        if present:
            cells = [c for c in spec.column_names if c in present]
            read = [*cells, "_extra", "_source_file"]
            out.append(("raw", table, read, [c for c in ids if c in present], _raw(table, salt)))
        present = set(_columns(con, "core", table))
        text = [c.name for c in spec.columns if c.kind == "str" and c.name in present]
        if text:
            out.append(("core", table, text, [c for c in ids if c in text], _core(table, salt)))
    meta = set(
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'old' "
            "AND schema_name = 'meta'"
        ).fetchall()
    )
    if "quarantine" in meta:
        read = ["table_name", "column", "value", "reason", "source_file"]
        out.append(("meta", "quarantine", read, [], _quarantine(salt)))
    if "loads" in meta:
        out.append(
            (
                "meta",
                "loads",
                ["source_file"],
                [],
                lambda f: f.with_columns(_names(f["source_file"]).alias("source_file")),
            )
        )
    if "removed" in meta:
        out.append(
            ("meta", "removed", ["table_name", "id", "key", "lead_id"], ["lead_id"], _removed(salt))
        )
    if "notifications" in meta:
        read = ["lead_id", "recipient", "error"]
        out.append(("meta", "notifications", read, ["lead_id"], _notifications(salt)))
    return out


def _scan(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    read: list[str],
    ids: list[str],
    scrub: Callable[[pl.DataFrame], pl.DataFrame],
    result: RescrubResult,
) -> list[str]:
    """Scrub every row of ``old.<schema>.<table>``; the changed rows (their ``rowid`` as
    ``_rid`` and the columns ``read`` as they become) go to the temporary table
    ``rescrub_<schema>_<table>``. Returns the columns in which something changed."""
    quoted = ", ".join(f"{_q(c)}::VARCHAR AS {_q(c)}" for c in read)
    cursor = con.cursor()  # reads while the connection writes the changed rows
    reader = cursor.sql(
        f"SELECT rowid AS _rid, {quoted} FROM old.{schema}.{table}"
    ).to_arrow_reader(SCAN_ROWS)
    name = f"rescrub_{schema}_{table}"
    changed_columns: set[str] = set()
    created = False
    for batch in reader:
        frame = pl.DataFrame(pl.from_arrow(batch))
        if frame.is_empty():
            continue
        new = scrub(frame.select(read))
        differs = {
            c: ~frame[c].eq_missing(new[c])
            for c in read
            if not frame[c].equals(new[c], null_equal=True)
        }
        if not differs:
            continue
        any_changed = pl.select(pl.any_horizontal(list(differs.values()))).to_series()
        for c, d in differs.items():
            n = int(d.sum())
            if n:
                key = f"{schema}.{table}"
                result.cells[key] = result.cells.get(key, 0) + n
                changed_columns.add(c)
                if c in ids:
                    old, now = frame[c].filter(d), new[c].filter(d)
                    result.renamed.update(zip(old.to_list(), now.to_list(), strict=True))
        rows = new.with_columns(frame["_rid"]).filter(any_changed)
        con.register("rescrub_batch", rows.to_arrow())
        if created:
            con.execute(f"INSERT INTO {name} SELECT * FROM rescrub_batch")
        else:
            con.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM rescrub_batch")
            created = True
        con.unregister("rescrub_batch")
    cursor.close()
    return sorted(changed_columns)


def _replaced(o: str, c: str, columns: list[str], types: Mapping[str, str]) -> str:
    """SQL: ``REPLACE (...)`` of each changed column of row ``o`` by its new value in ``c``."""
    return ", ".join(
        f"CASE WHEN {c}._rid IS NULL THEN {o}.{_q(col)} ELSE {c}.{_q(col)}::{types[col]} END "
        f"AS {_q(col)}"
        for col in columns
    )


def _types(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> dict[str, str]:
    return dict(
        con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = 'old' "
            "AND schema_name = ? AND table_name = ?",
            [schema, table],
        ).fetchall()
    )


def _rebuild(
    con: duckdb.DuckDBPyConnection, result: RescrubResult, salt: privacy.Salt
) -> RescrubResult | None:
    """Scan the live warehouse (attached as ``old``) and, if any cell changes, fill the
    fresh file with every cell brought to the rules (None: nothing changes)."""
    from analytics.warehouse.loader import _row_hash_sql
    from analytics.warehouse.purge import fresh_name, log_load, write_fresh

    changed: dict[tuple[str, str], list[str]] = {}
    for schema, table, read, ids, scrub in _targets(con, salt):
        columns = _scan(con, schema, table, read, ids, scrub, result)
        if columns:
            changed[(schema, table)] = columns
    if not changed:
        return None
    selects: dict[tuple[str, str], str] = {}
    rehashed = []
    for (schema, table), columns in changed.items():
        types = _types(con, schema, table)
        name = f"rescrub_{schema}_{table}"
        row = (
            f"SELECT o.* REPLACE ({_replaced('o', 'c', columns, types)}), o.rowid AS _orid, "
            f"c._rid IS NOT NULL AS _changed FROM old.{schema}.{table} o "
            f"LEFT JOIN {name} c ON c._rid = o.rowid"
        )
        if schema == "raw":
            # a changed row gets the hash an import computes now; two that became one stay once
            con.execute(
                f"CREATE TEMP TABLE rescrub_hash_{table} AS SELECT DISTINCT _orid, "
                f"_row_hash AS old_hash, {_row_hash_sql(table, 'n')} AS new_hash "
                f"FROM ({row}) n WHERE _changed AND _row_hash IS NOT NULL"
            )
            selects[(schema, table)] = (
                f"SELECT n.* EXCLUDE (_orid, _changed) REPLACE (coalesce(h.new_hash, "
                f"n._row_hash) AS _row_hash) FROM ({row}) n LEFT JOIN rescrub_hash_{table} h "
                "ON h._orid = n._orid QUALIFY row_number() OVER (PARTITION BY "
                "coalesce(h.new_hash, n._row_hash, 'row ' || n._orid::VARCHAR) "
                "ORDER BY n._load_id, n._line, n._orid) = 1"
            )
            rehashed.append(
                f"SELECT DISTINCT '{table}' AS t, old_hash, new_hash FROM rescrub_hash_{table} "
                "WHERE old_hash <> new_hash"
            )
        elif schema == "core":
            select = f"SELECT * EXCLUDE (_orid, _changed) FROM ({row}) n"
            key = ", ".join(_q(k) for k in TABLES[table].key)
            if set(columns) & set(TABLES[table].key):  # an id that now hashes like another
                select += (
                    f" QUALIFY row_number() OVER (PARTITION BY {key} "
                    "ORDER BY _changed, _orid DESC) = 1"
                )
            selects[(schema, table)] = select
        elif table != "quarantine":
            selects[(schema, table)] = f"SELECT * EXCLUDE (_orid, _changed) FROM ({row}) n"
    con.execute(
        "CREATE TEMP TABLE rescrub_hashes AS "
        + (
            " UNION ALL ".join(rehashed)
            or "SELECT NULL::VARCHAR AS t, NULL::VARCHAR AS old_hash, NULL::VARCHAR AS new_hash "
            "WHERE false"
        )
    )
    tables = {
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'old' "
            "AND schema_name = 'meta'"
        ).fetchall()
    }
    if rehashed and "raw_seen" in tables:
        # each sighting follows its row version; two versions that became one, once a load
        selects[("meta", "raw_seen")] = (
            "SELECT s.table_name, coalesce(h.new_hash, s.row_hash) AS row_hash, s.load_id, "
            "first(s.absent) AS absent, bool_and(s.rejected) AS rejected "
            "FROM old.meta.raw_seen s LEFT JOIN rescrub_hashes h "
            "ON h.t = s.table_name AND h.old_hash = s.row_hash GROUP BY ALL"
        )
    if "quarantine" in tables and (rehashed or ("meta", "quarantine") in changed):
        selects[("meta", "quarantine")] = _quarantine_select(
            changed.get(("meta", "quarantine"), []), con
        )
    written, before, after = write_fresh(con, selects)
    result.merged = {
        f"{s}.{t}": before[(s, t)] - after[(s, t)]
        for s, t in written
        if s == "core" and before[(s, t)] > after[(s, t)]
    }
    was = "unrecorded" if result.before is None else result.before
    what = f"sla rescrub: privacy rules {was} -> {PRIVACY_RULES}"
    result.load_id = log_load(con, what, result.changed)
    con.execute(f"USE {_q(fresh_name(con))}")
    record_rules(con, load_id=result.load_id, cells=result.changed)
    return result


def _quarantine_select(columns: list[str], con: duckdb.DuckDBPyConnection) -> str:
    """The quarantine's rows with their cells brought to the rules (``columns`` changed),
    the row hash following the raw row's (or the rejection's own content), kept once per
    table, column, reason and row hash (as the import keeps it)."""
    types = _types(con, "meta", "quarantine")
    content = (
        "sha256(concat_ws(chr(31), coalesce({t}.table_name, ''), coalesce({t}.\"column\", ''), "
        "coalesce({t}.value, ''), coalesce({t}.reason, '')))"
    )
    replaced = _replaced("o", "c", columns, types)
    own = (  # a rejection the reader made: its hash is of its content
        f"WHEN c._rid IS NOT NULL AND o.row_hash = {content.format(t='o')} "
        f"THEN {content.format(t='c')} "
        if columns
        else ""
    )
    joined = (
        "LEFT JOIN rescrub_meta_quarantine c ON c._rid = o.rowid"
        if columns
        else "LEFT JOIN (SELECT NULL::BIGINT AS _rid WHERE false) c ON false"
    )
    row = (
        f"SELECT o.* REPLACE ({replaced + ', ' if replaced else ''}"
        f"CASE WHEN h.new_hash IS NOT NULL THEN h.new_hash {own}"
        f"ELSE o.row_hash END AS row_hash), o.rowid AS _orid "
        f"FROM old.meta.quarantine o {joined} "
        "LEFT JOIN rescrub_hashes h ON h.t = o.table_name AND h.old_hash = o.row_hash"
    )
    if "table_name" not in types or "value" not in types:
        return f"SELECT * EXCLUDE (_orid) FROM ({row}) n"
    return (
        f"SELECT * EXCLUDE (_orid) FROM ({row}) n QUALIFY row_number() OVER (PARTITION BY "
        "table_name, \"column\", reason, coalesce(row_hash, 'row ' || _orid::VARCHAR) "
        "ORDER BY load_id, source_file, line, _orid) = 1"
    )


__all__ = ["RescrubResult", "bring_to_rules", "needs_rules", "rename_beside"]
