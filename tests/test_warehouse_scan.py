"""Reading core tables lazily: columns and filters reach DuckDB, results equal polars'."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import polars as pl
import pytest

from analytics.schema import TABLES
from analytics.timeframe import utc_lit
from analytics.warehouse import database
from analytics.warehouse.database import _sql_filter, create_schema, load_tables

ACTIVITIES = TABLES["activities"].polars_schema


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    """Four activities of two leads; one without a buyer stage."""
    con = duckdb.connect()
    create_schema(con)
    con.execute(
        """INSERT INTO core.leads (lead_id, created_at) VALUES
             ('a', '2026-09-01 00:00:00+00'), ('b', '2026-09-01 00:00:00+00')"""
    )
    con.execute(
        """INSERT INTO core.activities (activity_id, lead_id, occurred_at, type, buyer_stage)
           VALUES ('1', 'a', '2026-09-30 23:00:00+00', 'page_view', 'awareness'),
                  ('2', 'a', '2026-10-01 00:00:00+00', 'page_view', NULL),
                  ('3', 'b', '2026-10-02 08:00:00-02', 'pricing_page_view', 'decision'),
                  ('4', 'b', '2026-10-31 23:59:59+00', 'webinar', 'consideration')"""
    )
    return con


OCT = datetime(2026, 10, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("predicate", "expected_ids"),
    [
        (pl.col("occurred_at") >= pl.lit(OCT), ["2", "3", "4"]),
        (pl.col("buyer_stage").is_not_null() & (pl.col("occurred_at") >= OCT), ["3", "4"]),
        (pl.col("lead_id").is_in(["b"]), ["3", "4"]),
        (pl.col("buyer_stage").is_in(["decision", "awareness"]), ["1", "3"]),
        (pl.col("buyer_stage").is_in(["decision", None]), ["3"]),  # left to polars
        (~pl.col("type").is_in(["page_view"]), ["3", "4"]),
        (pl.col("type").is_in([]), []),
        (pl.col("type") == "page_view", ["1", "2"]),
        # not translated to SQL (a string function): applied by polars after the read
        (pl.col("type").str.ends_with("view") & (pl.col("lead_id") == "b"), ["3"]),
        (pl.col("buyer_stage").is_null() | (pl.col("lead_id") == "b"), ["2", "3", "4"]),
    ],
)
def test_a_filtered_scan_keeps_exactly_the_rows_polars_keeps(con, predicate, expected_ids):
    scanned = load_tables(con).activities.filter(predicate).select("activity_id").collect()
    assert sorted(scanned["activity_id"].to_list()) == expected_ids


def test_timestamps_arrive_in_utc_as_the_schema_says(con):
    frame = load_tables(con).activities.collect()
    assert frame.schema == ACTIVITIES
    assert frame.filter(pl.col("activity_id") == "3")["occurred_at"].item() == datetime(
        2026, 10, 2, 10, tzinfo=UTC
    )


def test_the_time_and_null_conditions_are_pushed_to_duckdb_and_the_rest_is_left_out():
    sql = _sql_filter(
        pl.col("buyer_stage").is_not_null()
        & (pl.col("occurred_at") >= pl.lit(OCT))
        & pl.col("type").str.ends_with("view"),
        ACTIVITIES,
    )
    assert sql is not None
    assert "buyer_stage" in sql and "occurred_at" in sql and "2026-10-01" in sql
    assert "type" not in sql  # left to polars, which applies the whole predicate again


def test_a_moment_of_utc_lit_reaches_duckdb_as_a_timestamp(con, monkeypatch):
    """:func:`utc_lit` casts the moment's microseconds: polars folds the cast before the
    scan gets the filter, so DuckDB compares timestamps (an integer there would fail)."""
    written = []

    def recorded(predicate, schema):
        written.append(_sql_filter(predicate, schema))
        return written[-1]

    monkeypatch.setattr(database, "_sql_filter", recorded)
    october = load_tables(con).activities.filter(pl.col("occurred_at") >= utc_lit(OCT))
    assert sorted(october.select("activity_id").collect()["activity_id"].to_list()) == [
        "2", "3", "4"
    ]  # fmt: skip
    assert written == ["""(("occurred_at" >= '2026-10-01 00:00:00+00'::TIMESTAMPTZ))"""]


def test_one_plan_may_read_the_same_table_twice(con):
    # two scans of one table run at once: each needs its own DuckDB cursor
    activities = load_tables(con).activities
    first = activities.group_by("lead_id").agg(pl.col("occurred_at").min().alias("first_at"))
    joined = activities.join(first, on="lead_id").filter(
        pl.col("occurred_at") == pl.col("first_at")
    )
    assert sorted(joined.collect()["activity_id"].to_list()) == ["1", "3"]


def test_a_limited_read_stops_early_and_a_projection_reads_only_its_columns(con):
    frame = load_tables(con).activities.select("lead_id").head(2).collect()
    assert frame.columns == ["lead_id"] and frame.height == 2


@pytest.mark.parametrize("batch_rows", [1, 3, 1_000_000])
def test_a_scan_in_batches_reads_what_a_scan_at_once_reads(con, monkeypatch, batch_rows):
    # the coverage of 10M leads held 2.9 GB when each table came whole, 0.8 GB in batches
    monkeypatch.setattr(database, "SCAN_BATCH_ROWS", batch_rows)
    activities = load_tables(con).activities
    assert activities.select("activity_id").collect()["activity_id"].to_list() == [
        "1", "2", "3", "4"
    ]  # fmt: skip
    october = activities.filter(pl.col("occurred_at") >= OCT).select("activity_id")
    assert october.collect()["activity_id"].to_list() == ["2", "3", "4"]
    # a limit over several batches: the first rows in order, and no more
    assert october.head(2).collect()["activity_id"].to_list() == ["2", "3"]
    assert activities.head(3).collect().height == 3
    span = activities.select(pl.col("occurred_at").min(), pl.col("lead_id").n_unique())
    assert span.collect().row(0) == (datetime(2026, 9, 30, 23, tzinfo=UTC), 2)
    assert activities.filter(pl.col("lead_id") == "x").collect().height == 0


@pytest.mark.parametrize(
    ("predicate", "pushed"),
    [
        # DuckDB's translator has no is_in: written out as equalities, it reaches DuckDB
        (pl.col("type").is_in(["webinar", "page_view"]), ["'webinar'", "'page_view'", " OR "]),
        (
            pl.col("buyer_stage").is_in(pl.Series(["decision"])) & (pl.col("occurred_at") >= OCT),
            ["'decision'", "2026-10-01"],
        ),
        # not written out: a null among the values, or too many of them
        (pl.col("type").is_in(["webinar", None]), None),
        (pl.col("lead_id").is_in([str(i) for i in range(65)]), None),
    ],
)
def test_is_in_reaches_duckdb_as_equalities(predicate, pushed):
    sql = _sql_filter(predicate, ACTIVITIES)
    if pushed is None:
        assert sql is None
    else:
        assert sql is not None and all(part in sql for part in pushed), sql


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT 1", datetime(2026, 10, 31, 23, 59, 59, tzinfo=UTC)),  # the last activity
        ("UPDATE core.leads SET assigned_at = '2026-11-02 10:00:00+00' WHERE lead_id = 'a'",
         datetime(2026, 11, 2, 10, tzinfo=UTC)),  # a later assignment
        ("INSERT INTO core.nurture_enrollments (enrollment_id, lead_id, track, enrolled_at, "
         "exited_at) VALUES ('e', 'b', 'x', '2026-10-03 00:00:00+00', '2026-11-05 00:00:00+00')",
         datetime(2026, 11, 5, tzinfo=UTC)),  # a later exit
    ],
)  # fmt: skip
def test_the_warehouse_and_the_tables_agree_on_the_latest_moment(con, sql, expected):
    """The CLI's default as_of (DuckDB) and the library's (the tables) are one moment: the
    CLI left out a lead's assignment and judged 1.5 h earlier on a leads-only export."""
    from analytics.warehouse.facts import latest_timestamp

    con.execute(sql)
    con.execute("SET TimeZone = 'UTC'")
    assert latest_timestamp(con) == expected
    assert load_tables(con).latest_timestamp() == expected


def _every_table(tables) -> dict[str, pl.DataFrame]:
    return {name: getattr(tables, name).collect() for name in TABLES}


@pytest.mark.parametrize("max_rows", [0, 20_000_000])  # read lazily from the copy / held
def test_a_parquet_snapshot_reads_what_the_warehouse_holds(con, tmp_path, max_rows):
    """Every table of :func:`snapshot_tables` equals the warehouse's, row for row and in
    the schema's types, whether held or read from the copy when collected; a filter on
    the copy keeps the rows polars keeps."""
    from polars.testing import assert_frame_equal

    con.execute("ALTER TABLE core.leads DROP COLUMN assigned_at")  # an older warehouse
    want = _every_table(load_tables(con))
    copy = database.snapshot_tables(con, tmp_path, max_rows=max_rows)
    got = _every_table(copy)
    for name in TABLES:
        assert_frame_equal(got[name], want[name], check_exact=True)
        assert got[name].schema == TABLES[name].polars_schema
    assert got["leads"]["assigned_at"].null_count() == 2
    assert copy.activities.filter(pl.col("occurred_at") >= OCT).collect()[
        "activity_id"
    ].to_list() == ["2", "3", "4"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{n}.parquet" for n in TABLES)


def test_a_snapshot_outlives_its_connection(con, tmp_path):
    """The point of the copy: the connection can close before the tables are read."""
    copy = database.snapshot_tables(con, tmp_path, max_rows=0)
    con.close()
    assert copy.activities.select(pl.len()).collect().item() == 4
    assert sorted(copy.leads.collect()["lead_id"]) == ["a", "b"]


def test_the_snapshot_folder_sits_beside_the_warehouse_and_goes(tmp_path):
    from analytics.warehouse.leftovers import remove_leftovers

    db = tmp_path / "w.duckdb"
    with database.snapshot_folder(db) as folder:
        assert folder.parent == tmp_path
        (folder / "leads.parquet").write_bytes(b"x")
    assert list(tmp_path.iterdir()) == []
    # a dead process's copy is a leftover as any stage is
    dead = tmp_path / ".w.duckdb.stage-999999999-snapshot-abc"
    dead.mkdir()
    remove_leftovers(db)
    assert not dead.exists()


def test_a_snapshot_beside_a_warehouse_whose_folder_has_a_quote(con, tmp_path):
    folder = tmp_path / "O'Brien's data"
    folder.mkdir()
    copy = database.snapshot_tables(con, folder, max_rows=0)
    assert copy.activities.select(pl.len()).collect().item() == 4
