"""``meta.lead_history`` and ``meta.account_history``: the scored attributes a lead or an
account had before a later import changed them, and until when.

``core`` keeps each key's latest version; a score at an earlier moment must read what was
known then (a CRM that fills in a lead's seniority after its SQL must not raise the score
it had at its MQL). The raw layer keeps every version of a row once and ``meta.raw_seen``
every load that saw it, so the history is rebuilt from them at the end of every import
(and purge): each version of a key's scored attributes that a later load replaced, typed
as the import types it (:func:`analytics.warehouse.validate.validate_rows`, the config's
enums and aliases), with ``valid_until``, the moment the load that replaced it became
known: its data's latest timestamp after it (``meta.loads.data_as_of``; what an export
brings is known from its data's "now" on, so a score at that moment reads the new
attributes, and a later load does not move it), or the load's clock time if earlier.

A version is in force from the load that brought it until ``valid_until``; a key's first
version also before its first load (nothing earlier is known: a first import of old
leads gives them the attributes of the export). A column a load's file did not have
(``meta.raw_seen.absent``: renamed, left out) is no empty version: the value before it
carries on, as core kept it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from analytics.schema import TABLES, UTC_TIMESTAMP
from analytics.warehouse.connection import has_table
from analytics.warehouse.facts import latest_timestamp

if TYPE_CHECKING:
    from analytics.config import SlaConfig

#: Per table: its key and the columns whose earlier values a score reads.
VERSIONED: dict[str, tuple[str, tuple[str, ...]]] = {
    "leads": ("lead_id", ("account_id", "source", "country", "seniority", "role")),
    "accounts": ("account_id", ("industry", "employees", "country")),
}
#: The meta table of each versioned table.
HISTORY_TABLES = {"leads": "lead_history", "accounts": "account_history"}


def history_schema(table: str) -> dict[str, pl.DataType]:
    """The columns of a history table: the key, ``valid_until``, the versioned columns.

    >>> list(history_schema("accounts"))
    ['account_id', 'valid_until', 'industry', 'employees', 'country']
    """
    key, columns = VERSIONED[table]
    types = TABLES[table].polars_schema
    return {key: types[key], "valid_until": UTC_TIMESTAMP, **{c: types[c] for c in columns}}


def rejected_sighting(table: str, *, catalog: str = "", recorded: bool = True) -> str:
    """SQL: the sighting ``s`` (``meta.raw_seen``) of raw row ``r`` was rejected by its
    load, so that load never put the version in core. Sightings recorded before
    ``meta.raw_seen.rejected`` existed (null; ``recorded=False``: a warehouse without
    the column) fall back to any quarantine of the version, by whichever load.

    >>> "quarantine" in rejected_sighting("leads", catalog="old.")
    True
    """
    anywhere = (
        f"r._row_hash IN (SELECT row_hash FROM {catalog}meta.quarantine "
        f"WHERE table_name = '{table}' AND row_hash IS NOT NULL)"
    )
    return f"coalesce(s.rejected, {anywhere})" if recorded else anywhere


def superseded_versions(
    con: duckdb.DuckDBPyConnection, table: str, config: SlaConfig | None = None
) -> pl.DataFrame:
    """The versions of ``table``'s scored attributes that a later load replaced.

    Parameters
    ----------
    con
        The warehouse (its ``raw`` layer, ``meta.raw_seen`` and ``meta.loads``).
    table
        ``"leads"`` or ``"accounts"`` (:data:`VERSIONED`).
    config
        The SLA config the import typed the rows with (its enums and stage aliases).

    Returns
    -------
    DataFrame (:func:`history_schema`), one row per key and replaced version, oldest
    first; empty when no key has more than one version.
    """

    key, columns = VERSIONED[table]
    empty = pl.DataFrame(schema=history_schema(table))
    changed = con.execute(  # no load changed or removed a key (a first import): no version
        "SELECT count(*) FROM meta.loads WHERE table_name = ? AND (rows_changed IS NULL "
        "OR rows_changed > 0 OR rows_removed IS NULL OR rows_removed > 0)",
        [table],
    ).fetchall()[0][0]
    if not changed:
        return empty
    text_columns = TABLES[table].column_names
    cols = ", ".join(f'r."{c}"' for c in text_columns)
    # a load's data is known from its latest moment on (``data_as_of``), not only from the
    # load's clock time, so the scores of that "now" read what it brought; a load recorded
    # before data_as_of was: the data's latest moment today at the latest
    latest = latest_timestamp(con)
    latest_sql = "NULL" if latest is None else f"TIMESTAMPTZ '{latest.isoformat()}'"
    # keys whose versioned cells differ as text (an owner's change alone is no version)
    versioned = (
        "concat_ws(chr(31), " + ", ".join(f'coalesce("{c}", chr(30))' for c in columns) + ")"
    )
    sightings = pl.DataFrame(
        con.sql(
            f"""SELECT {cols}, l.loaded_at AS _seen_at, s.absent AS _absent
            FROM raw.{table} r
            JOIN meta.raw_seen s ON s.table_name = '{table}' AND s.row_hash = r._row_hash
            JOIN (SELECT load_id, least(min(loaded_at), coalesce(max(data_as_of),
                             {latest_sql})) AS loaded_at
                  FROM meta.loads GROUP BY load_id) l ON l.load_id = s.load_id
            -- a version the load rejected (an unknown account, a duplicate key) never was
            WHERE NOT {rejected_sighting(table)} AND trim(r."{key}") IN (
                SELECT trim("{key}") FROM raw.{table} GROUP BY 1
                HAVING count(DISTINCT {versioned}) > 1)
            -- loads known from the same moment follow in the order they were made
            ORDER BY s.load_id, r._line"""
        )
    )
    if sightings.is_empty():
        return empty
    seen = typed_sightings(
        sightings.with_columns(pl.col("_seen_at").dt.convert_time_zone("UTC")),
        table,
        config,
        key=[key],
        columns=columns,
        order="_seen_at",
    )
    # a change: a sighting whose attributes differ from the key's sighting before it
    differs = pl.any_horizontal(pl.col(c).ne_missing(pl.col(c).shift().over(key)) for c in columns)
    versions = seen.filter(differs | (pl.col(key) != pl.col(key).shift()).fill_null(True))
    return (
        versions.with_columns(pl.col("_seen_at").shift(-1).over(key).alias("valid_until"))
        .filter(pl.col("valid_until").is_not_null())  # the latest is core's own row
        .select(list(history_schema(table)))
        .cast(history_schema(table))
    )


def typed_sightings(
    sightings: pl.DataFrame,
    table: str,
    config: SlaConfig | None,
    *,
    key: Sequence[str],
    columns: Sequence[str],
    order: str,
) -> pl.DataFrame:
    """Sightings of raw row versions typed as the import types them, in time order, the
    columns their file lacked carried forward (:func:`carried_forward`).

    Parameters
    ----------
    sightings : DataFrame
        One row per sighting: ``table``'s columns as raw text, ``order`` (when it was
        seen) and ``_absent``.
    config : SlaConfig, optional
        The SLA config the import typed the rows with (its enums and stage aliases).
    key, columns : sequence of str
        The key and the columns wanted.

    Returns
    -------
    DataFrame: ``_line`` (the sighting's row), ``key``, ``columns``, ``order``, sorted by
    key, ``order`` and ``_line``; a sighting validation rejects is left out.
    """
    from analytics.warehouse.loader import _enum_options
    from analytics.warehouse.validate import validate_rows

    text_columns = TABLES[table].column_names
    sightings = sightings.with_row_index("_line").with_columns(pl.col("_line").cast(pl.Int64))
    extra, aliases = _enum_options(config)
    valid, _ = validate_rows(
        table,
        sightings.select("_line", *text_columns).cast(
            {c: pl.String for c in text_columns}, strict=False
        ),
        enum_extra=extra,
        enum_aliases=aliases,
        unique_key=False,
    )
    return carried_forward(
        valid.select("_line", *key, *columns)
        .join(sightings.select("_line", order, "_absent"), on="_line")
        .sort([*key, order, "_line"]),
        key=key,
        columns=columns,
    )


def carried_forward(
    seen: pl.DataFrame, *, key: str | Sequence[str], columns: Sequence[str]
) -> pl.DataFrame:
    """Each sighting's value of a column its file did not have (``_absent``, a list) is
    the key's value before it, as core kept it (the absent-column rule); a key's first
    sighting keeps its own (empty, or the default a new row took).

    Parameters
    ----------
    seen : DataFrame
        Sightings of row versions, sorted by key and time: ``key``, ``columns`` and
        ``_absent``.

    Returns
    -------
    DataFrame: ``seen`` without ``_absent``, the absent values carried forward.

    >>> seen = pl.DataFrame({"k": ["a", "a", "a"], "c": ["CEO", None, None],
    ...                      "_absent": [None, ["c"], None]})
    >>> carried_forward(seen, key="k", columns=("c",))["c"].to_list()
    ['CEO', 'CEO', None]
    """
    keys = [key] if isinstance(key, str) else list(key)
    absent = pl.col("_absent").fill_null(pl.lit([], dtype=pl.List(pl.String)))
    carried = []
    for c in columns:
        told = ~absent.list.contains(c)
        # a run of sightings after one that had the column: all take that one's value
        run = told.cast(pl.Int32).cum_sum().over(keys)
        carried.append(
            pl.when(told | (run == 0))
            .then(pl.col(c))
            .otherwise(pl.col(c).first().over([*keys, run]))
        )
    return seen.with_columns(carried).drop("_absent")


def record_history(con: duckdb.DuckDBPyConnection, config: SlaConfig | None = None) -> None:
    """Rebuild ``meta.lead_history`` and ``meta.account_history`` from the raw layer (at
    the end of an import or a purge, inside its transaction)."""
    from analytics.warehouse.database import commit_step

    commit_step(con)
    for table, name in HISTORY_TABLES.items():
        frame = superseded_versions(con, table, config)
        con.execute(f"DROP TABLE IF EXISTS meta.{name}")
        con.register("incoming_history", frame)
        con.execute(f"CREATE TABLE meta.{name} AS SELECT * FROM incoming_history")
        con.unregister("incoming_history")


def read_history(con: duckdb.DuckDBPyConnection, table: str) -> pl.LazyFrame | None:
    """The stored history of ``table`` (None when it has none: the score reads ``core``).

    >>> read_history(duckdb.connect(), "leads") is None
    True
    """
    name = HISTORY_TABLES[table]
    if not has_table(con, "meta", name):
        return None
    frame = pl.DataFrame(con.sql(f"SELECT * FROM meta.{name}"))
    if frame.is_empty():
        return None
    return frame.cast(history_schema(table)).lazy()


__all__ = ["HISTORY_TABLES", "VERSIONED", "carried_forward", "history_schema", "read_history",
           "record_history", "superseded_versions", "typed_sightings"]  # fmt: skip
