"""The canonical import: every rule of spec/canonical-format.md, exit codes, atomicity."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from analytics.cli import app
from analytics.config import load_config
from analytics.warehouse import (
    ImportFailed,
    connect_readonly,
    import_canonical,
    read_core_table,
)
from analytics.warehouse.validate import KeySet, iso_timestamp, validate_rows

REPS = "rep_id,name,team,weekly_capacity,active\nr1,Ana,sdr,40,true\nr2,Bo,ae,,\n"
LEADS = (
    "lead_id,created_at,source,owner_rep_id\n"
    "007,2026-10-05T09:12:00+02:00,email,r1\n"
    "008,2026-10-06T08:00:00,organic,r2\n"
)
runner = CliRunner()


def folder(tmp_path: Path, **tables: str) -> Path:
    d = tmp_path / "in"
    d.mkdir(parents=True, exist_ok=True)
    for name, text in tables.items():
        (d / f"{name}.csv").write_text(text, encoding="utf-8")
    return d


def test_good_rows_load_typed_with_ids_as_strings_and_offsets_in_utc(tmp_path):
    result = import_canonical(tmp_path / "w.duckdb", folder(tmp_path, reps=REPS, leads=LEADS))
    assert result.loaded == {"reps": 2, "leads": 2}
    assert result.rejected == []
    leads = read_core_table(tmp_path / "w.duckdb", "leads").sort("lead_id")
    assert leads["lead_id"].to_list() == ["007", "008"]
    # +02:00 is converted to UTC; no offset is taken as UTC.
    assert leads["created_at"].to_list() == [
        datetime(2026, 10, 5, 7, 12, tzinfo=UTC),
        datetime(2026, 10, 6, 8, 0, tzinfo=UTC),
    ]
    reps = read_core_table(tmp_path / "w.duckdb", "reps").sort("rep_id")
    assert reps["weekly_capacity"].to_list() == [40, None]
    assert reps["active"].to_list() == [True, None]


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("009,,email,r1", "created_at", "required value is missing"),
        ("009,05.10.2026,email,r1", "created_at", "cannot be read as an ISO 8601 timestamp"),
        ("009,1899-12-31T23:59:59Z,email,r1", "created_at", "outside the plausible range"),
        ("009,0000-01-01T00:00:00Z,email,r1", "created_at", "outside the plausible range"),
        ("009,9999-12-31T23:59:59+14:00,email,r1", "created_at", "outside the plausible"),
        ("009,2026-10-05,email", None, "has 3 fields, the header has 4"),
        ("007,2026-10-05,email,r1", "lead_id", "duplicate key: first seen on line 2"),
        ("009,2026-10-05,email,r1,surplus", None, "has 5 fields, the header has 4"),
    ],
)
def test_a_bad_row_is_quarantined_with_line_column_reason_and_the_rest_loads(
    tmp_path, row, column, reason
):
    leads = LEADS + row + "\n"
    result = import_canonical(tmp_path / "w.duckdb", folder(tmp_path, reps=REPS, leads=leads))
    assert result.loaded["leads"] == 2
    assert len(result.rejected) == 1
    rejection = result.rejected[0]
    assert rejection["line"] == 4
    assert rejection["column"] == column
    assert reason in rejection["reason"]
    assert rejection["file"].endswith("leads.csv")
    con = connect_readonly(tmp_path / "w.duckdb")
    q = con.sql('SELECT line, "column", reason FROM meta.quarantine').fetchall()
    con.close()
    assert q == [(4, column, rejection["reason"])]


@pytest.mark.parametrize(
    ("table", "text", "column"),
    [
        ("reps", REPS + "r3,Cy,sdr,-1,\n", "weekly_capacity"),
        ("reps", REPS + "r3,Cy,sdr,many,\n", "weekly_capacity"),
        ("reps", REPS + "r3,Cy,sdr,,perhaps\n", "active"),
        ("reps", REPS + "r3,Cy,sdr,1e309,\n", "weekly_capacity"),
        ("web_traffic", "date,source,visitors\n1899-12-31,email,10\n", "date"),
        *[
            (
                "opportunities",
                f"opportunity_id,created_at,amount,status\no1,2026-10-01,{amount},open\n",
                "amount",
            )
            for amount in ("1e309", "inf", "NaN", "nan")
        ],
        ("web_traffic", "date,source,visitors\n2026-13-01,email,10\n", "date"),
        (
            "opportunities",
            "opportunity_id,created_at,amount,status\no1,2026-10-01,100,won\n",
            "closed_at",
        ),
        (
            "sales_touches",
            "touch_id,lead_id,rep_id,occurred_at,channel,outcome\nt1,404,r1,2026-10-07,phone,no_answer\n",
            "lead_id",
        ),
    ],
)
def test_rules_of_other_tables(tmp_path, table, text, column):
    tables = {"reps": REPS, "leads": LEADS}
    tables[table] = text
    result = import_canonical(tmp_path / "w.duckdb", folder(tmp_path, **tables))
    assert [r["column"] for r in result.rejected] == [column]


def test_leading_zeros_survive_parquet_and_csv(tmp_path):
    d = folder(tmp_path, reps=REPS)
    pl.DataFrame(
        {"lead_id": ["0001"], "created_at": [datetime(2026, 1, 1, tzinfo=UTC)], "source": ["email"]}
    ).write_parquet(d / "leads.parquet")
    import_canonical(tmp_path / "w.duckdb", d)
    assert read_core_table(tmp_path / "w.duckdb", "leads")["lead_id"].to_list() == ["0001"]


def test_loading_the_same_folder_twice_changes_nothing(tmp_path):
    db = tmp_path / "w.duckdb"
    d = folder(tmp_path, reps=REPS, leads=LEADS + "009,,email,r1\n")
    import_canonical(db, d)

    def snapshot():
        con = duckdb.connect(str(db), read_only=True)
        try:
            return {
                t: con.sql(f"SELECT * EXCLUDE (loaded_at) FROM {t} ORDER BY ALL").fetchall()
                if t.startswith("meta")
                else con.sql(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
                for t in ("core.leads", "core.reps", "raw.leads", "meta.quarantine")
            }
        finally:
            con.close()

    before = snapshot()
    again = import_canonical(db, d)
    assert snapshot() == before
    assert sorted(Path(f).name for f in again.unchanged_files) == ["leads.csv", "reps.csv"]
    # the second import is a load that changed nothing (and saw every row version again)
    con = duckdb.connect(str(db), read_only=True)
    loads = con.sql(
        "SELECT load_id, table_name, rows_added, rows_changed, rows_unchanged, rows_removed "
        "FROM meta.loads WHERE load_id = 2 ORDER BY ALL"
    ).fetchall()
    con.close()
    assert loads == [(2, "leads", 0, 0, 2, 0), (2, "reps", 0, 0, 2, 0)]


def test_a_changed_row_replaces_the_old_one_by_key(tmp_path):
    db = tmp_path / "w.duckdb"
    import_canonical(db, folder(tmp_path, reps=REPS, leads=LEADS))
    import_canonical(db, folder(tmp_path, leads=LEADS.replace("organic", "referral")))
    leads = read_core_table(db, "leads").sort("lead_id")
    assert leads["source"].to_list() == ["email", "referral"]


def test_unknown_columns_are_kept_in_raw_only(tmp_path):
    db = tmp_path / "w.duckdb"
    import_canonical(db, folder(tmp_path, reps="rep_id,name,team,shoe_size\nr1,Ana,sdr,42\n"))
    con = connect_readonly(db)
    extra = con.sql("SELECT _extra FROM raw.reps").fetchall()[0][0]
    con.close()
    assert json.loads(extra) == {"shoe_size": "42"}
    assert "shoe_size" not in read_core_table(db, "reps").columns


def test_config_stage_alias_is_accepted(tmp_path):
    cfg = load_config("data/sla.toml")  # sal has the alias "accepted"
    events = "lead_id,stage,entered_at\n007,Accepted,2026-10-06T10:00:00Z\n"
    result = import_canonical(
        tmp_path / "w.duckdb",
        folder(tmp_path, reps=REPS, leads=LEADS, lifecycle_events=events),
        config=cfg,
    )
    assert result.rejected == []
    assert read_core_table(tmp_path / "w.duckdb", "lifecycle_events")["stage"].to_list() == ["sal"]


@pytest.mark.parametrize(
    ("tables", "message"),
    [
        ({"notes": "a,b\n1,2\n"}, "no canonical table file found"),
        ({"leads": "lead_id,source\n1,email\n"}, "missing required column(s) created_at"),
    ],
)
def test_a_fatal_error_names_the_file_and_leaves_the_warehouse_untouched(tmp_path, tables, message):
    db = tmp_path / "w.duckdb"
    import_canonical(db, folder(tmp_path, reps=REPS))
    before = db.read_bytes()
    bad = tmp_path / "bad"
    bad.mkdir()
    for name, text in tables.items():
        (bad / f"{name}.csv").write_text(text)
    with pytest.raises(ImportFailed, match=message.replace("(", r"\(").replace(")", r"\)")):
        import_canonical(db, bad)
    assert db.read_bytes() == before


def test_an_import_killed_half_way_leaves_the_warehouse_as_it_was(tmp_path, monkeypatch):
    db = tmp_path / "w.duckdb"
    import_canonical(db, folder(tmp_path, reps=REPS))
    before = db.read_bytes()
    import analytics.warehouse.loader as loader

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(loader, "_append_raw", boom)
    with pytest.raises(KeyboardInterrupt):
        import_canonical(db, folder(tmp_path, leads=LEADS))
    assert db.read_bytes() == before
    assert not list(tmp_path.glob("w.duckdb.tmp-*"))


def test_a_reader_keeps_working_while_an_import_swaps_the_file(tmp_path):
    db = tmp_path / "w.duckdb"
    import_canonical(db, folder(tmp_path, reps=REPS))
    reader = connect_readonly(db)  # the app's connection, held open
    import_canonical(db, folder(tmp_path, leads=LEADS))  # must not fail on the lock
    assert reader.sql("SELECT count(*) FROM core.leads").fetchall() == [(0,)]  # old state
    reader.close()
    assert read_core_table(db, "leads").height == 2  # a new connection sees the new state


@pytest.mark.parametrize(
    ("tables", "code"),
    [({"reps": REPS}, 0), ({"reps": REPS + "r3,,,,\n"}, 1), ({"bogus": "x\n1\n"}, 2)],
)
def test_cli_exit_codes_and_json(tmp_path, tables, code):
    d = folder(tmp_path, **tables)
    res = runner.invoke(app, ["import", str(d), "--db", str(tmp_path / "w.duckdb"), "--json"])
    assert res.exit_code == code, res.output
    if code < 2:
        doc = json.loads(res.stdout)
        assert doc["loaded"] == {"reps": 2}
        assert len(doc["rejected"]) == code
    else:
        assert "no canonical table file found" in res.stderr
        assert "Traceback" not in res.output


def test_cli_missing_path_and_bad_config_exit_2_without_traceback(tmp_path):
    bad_cfg = tmp_path / "sla.toml"
    bad_cfg.write_text(
        Path("data/sla.toml").read_text().replace("window_days = 90", "window_days = -1")
    )
    env = {**os.environ, "SLA_DB": str(tmp_path / "w.duckdb")}
    for args, needle in (
        (["import", str(tmp_path / "nope")], "no such file or folder"),
        (["import", str(tmp_path), "--config", str(bad_cfg)], "funnel.window_days = -1"),
        (["info"], "no warehouse here"),
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "analytics.cli", *args], capture_output=True, text=True, env=env
        )
        assert proc.returncode == 2, proc.stderr
        assert needle in proc.stderr
        assert "Traceback" not in proc.stderr
        assert proc.stdout == ""


def test_sla_info_json_starts_without_polars_scikit_learn_or_rich(tmp_path):
    """`sla info --json` answers from DuckDB alone: importing polars costs it about 0.1 s,
    rich (only for the printed tables) about 25 ms. (The coverage it reads was stored for
    the config it is given, as `sla import` with that config stores it.)"""
    db = tmp_path / "w.duckdb"
    cfg = load_config("data/sla.toml")
    import_canonical(db, folder(tmp_path, reps=REPS, leads=LEADS), config=cfg)
    code = (
        "import sys\n"
        "from analytics.cli import app\n"
        "try:\n"
        f"    app(['info', '--db', {str(db)!r}, '--json'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('polars', 'sklearn', 'rich')\n"
        "print(sorted(m for m in heavy if m in sys.modules), file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.stderr.strip().endswith("[]"), proc.stderr
    assert json.loads(proc.stdout)["tables"]["leads"] == 2


def test_info_json_matches_the_contract(tmp_path):
    db = tmp_path / "w.duckdb"
    import_canonical(db, folder(tmp_path, reps=REPS, leads=LEADS + "009,x,email,r1\n"))
    res = runner.invoke(app, ["info", "--db", str(db), "--json"])
    assert res.exit_code == 0
    doc = json.loads(res.stdout)
    assert doc["as_of"] == "2026-10-06T08:00:00Z"
    assert doc["tables"]["leads"] == 2
    assert doc["tables"]["reps"] == 2
    assert set(doc["tables"]) == {
        "leads",
        "lifecycle_events",
        "activities",
        "sales_touches",
        "nurture_enrollments",
        "opportunities",
        "accounts",
        "reps",
        "web_traffic",
    }
    assert doc["quarantine"] == 1
    assert doc["config"] == "data/sla.toml"


# -- chunked loading: a file is validated and written a few rows at a time ----------------

# Lines 2-4 are the first chunk of 3 rows, 5-7 the second, 8-9 the third.
CHUNKED_LEADS = (
    "lead_id,created_at,source,owner_rep_id\n"
    "001,2026-10-01T09:00:00Z,email,r1\n"  # line 2
    "002,2026-10-01T10:00:00Z,email,r2\n"
    "003,2026-10-01T11:00:00Z,organic,r1\n"
    "004,2026-10-02T09:00:00Z,email,r1\n"  # line 5
    "001,2026-10-02T10:00:00Z,organic,r2\n"  # line 6: key of line 2, a chunk earlier
    "005,2026-10-02T11:00:00Z,,r1\n"  # line 7: no source
    "006,1850-10-03T09:00:00Z,email,r9\n"  # line 8: implausible time (so no placeholder r9)
    "002,2026-10-03T10:00:00Z,email,r1\n"  # line 9: key of line 3, two chunks earlier
)
CHUNKED_EVENTS = (
    "lead_id,stage,entered_at\n"
    "001,lead,2026-10-01T09:00:00Z\n"  # line 2
    "002,lead,2026-10-01T10:00:00Z\n"
    "003,lead,2026-10-01T11:00:00Z\n"
    "004,lead,2026-10-02T09:00:00Z\n"  # line 5
    "404,lead,2026-10-02T10:00:00Z\n"  # line 6: unknown lead
    "001,lead,2026-10-01T11:00:00+02:00\n"  # line 7: same key as line 2 (09:00 UTC)
    "006,mql,2026-10-03T09:00:00Z\n"  # line 8: its lead was rejected
)


def test_a_file_read_in_chunks_keeps_lines_duplicates_and_references(tmp_path):
    d = folder(tmp_path, reps=REPS, leads=CHUNKED_LEADS, lifecycle_events=CHUNKED_EVENTS)
    result = import_canonical(tmp_path / "w.duckdb", d, chunk_rows=3)
    got = [(Path(r["file"]).stem, r["line"], r["column"], r["reason"]) for r in result.rejected]
    assert got == [
        ("leads", 6, "lead_id", "duplicate key: first seen on line 2"),
        ("leads", 7, "source", "required value is missing"),
        ("leads", 8, "created_at", got[2][3]),
        ("leads", 9, "lead_id", "duplicate key: first seen on line 3"),
        ("lifecycle_events", 6, "lead_id", "refers to an unknown lead"),
        (
            "lifecycle_events",
            7,
            "lead_id, stage, entered_at",
            "duplicate key: first seen on line 2",
        ),
        (
            "lifecycle_events",
            8,
            "lead_id",
            f"lead 006 was rejected: leads.csv line 8, created_at {got[2][3]}",
        ),
    ]
    assert got[2][3].startswith("outside the plausible range 1900-01-01 to ")
    assert result.loaded == {"reps": 2, "leads": 4, "lifecycle_events": 4}
    leads = read_core_table(tmp_path / "w.duckdb", "leads").sort("lead_id")
    assert leads.select("lead_id", "source").rows() == [
        ("001", "email"),  # the first row of a key wins, as in a whole file
        ("002", "email"),
        ("003", "organic"),
        ("004", "email"),
    ]
    con = connect_readonly(tmp_path / "w.duckdb")
    loads = con.sql(
        "SELECT table_name, rows_read, rows_loaded, rows_rejected FROM meta.loads ORDER BY ALL"
    ).fetchall()
    raw_lines = con.sql("SELECT _line FROM raw.leads ORDER BY _line").fetchall()
    con.close()
    assert loads == [("leads", 8, 4, 4), ("lifecycle_events", 7, 4, 3), ("reps", 2, 2, 0)]
    assert [line for (line,) in raw_lines] == list(range(2, 10))


def _warehouse_state(db: Path) -> dict:
    con = connect_readonly(db)
    try:
        tables = [f"core.{t}" for t in ("reps", "leads", "lifecycle_events")]
        tables += [f"raw.{t}" for t in ("reps", "leads", "lifecycle_events")]
        state = {t: con.sql(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}
        for t in ("meta.loads", "meta.quarantine"):
            state[t] = con.sql(f"SELECT * EXCLUDE (loaded_at) FROM {t} ORDER BY ALL").fetchall()
        return state
    finally:
        con.close()


@pytest.mark.parametrize("chunk_rows", [1, 2, 3, 4])
def test_a_chunked_import_equals_a_whole_file_import(tmp_path, chunk_rows):
    """Core, raw, loads and quarantine as when each file is one chunk, also when merging."""
    d = folder(tmp_path, reps=REPS, leads=CHUNKED_LEADS, lifecycle_events=CHUNKED_EVENTS)
    events_again = CHUNKED_EVENTS.replace("006,mql", "004,mql")  # a second import merges by key
    results = {}
    for rows in (chunk_rows, 1_000):
        db = tmp_path / f"w{rows}.duckdb"
        first = import_canonical(db, d, chunk_rows=rows)
        (d / "lifecycle_events.csv").write_text(events_again)
        second = import_canonical(db, d, chunk_rows=rows)
        (d / "lifecycle_events.csv").write_text(CHUNKED_EVENTS)
        results[rows] = (first, second, _warehouse_state(db))
    (first, second, state), (first_whole, second_whole, state_whole) = results.values()
    assert (first.loaded, first.rejected) == (first_whole.loaded, first_whole.rejected)
    assert (second.loaded, second.rejected) == (second_whole.loaded, second_whole.rejected)
    assert len(second.unchanged_files) == len(second_whole.unchanged_files) == 2
    for table, rows in state_whole.items():
        assert state[table] == rows, table


def test_a_line_break_in_a_later_chunk_reads_the_file_exactly_once(tmp_path):
    events = (
        "lead_id,stage,entered_at,reason\n"
        "001,lead,2026-10-01T09:00:00Z,\n"  # line 2
        "002,lead,2026-10-01T10:00:00Z,\n"
        "003,lead,2026-10-01T11:00:00Z,\n"
        "004,lead,2026-10-02T09:00:00Z,\n"  # line 5
        "404,lead,2026-10-02T10:00:00Z,\n"  # line 6: unknown lead
        "001,lead,2026-10-01T11:00:00+02:00,\n"  # line 7: same key as line 2
        '004,mql,2026-10-03T09:00:00Z,"two\nlines"\n'  # lines 8-9, in the third chunk
        "5,x\n"  # line 10: too few fields
    )
    d = folder(tmp_path, reps=REPS, leads=CHUNKED_LEADS, lifecycle_events=events)
    result = import_canonical(tmp_path / "w.duckdb", d, chunk_rows=3)
    got = [(r["line"], r["column"]) for r in result.rejected if "lifecycle" in r["file"]]
    # the quoted line break makes the row two lines long: the ragged row is on line 10
    assert got == [(6, "lead_id"), (7, "lead_id, stage, entered_at"), (10, None)]
    con = connect_readonly(tmp_path / "w.duckdb")
    raw = con.sql("SELECT _line, reason FROM raw.lifecycle_events ORDER BY _line").fetchall()
    con.close()
    assert [line for line, _ in raw] == [2, 3, 4, 5, 6, 7, 8]  # each row once
    assert raw[-1][1] == "two\nlines"


@pytest.mark.parametrize(
    "text",
    [
        "2026-10-05T09:12:00Z",
        "2026-10-05T09:12:00.123456Z",
        "2026-10-05T09:12:00.1234567891Z",
        "2026-10-05T09:12:00+02:00",
        "2026-10-05T09:12:00+0200",
        "2026-10-05T09:12:00z",
        "2026-10-05T9:12:00Z",
        "2026-10-05T09:12Z",
        "2026-10-05 09:12:00Z",
        "2026-10-05",
        "2026-10-05T09:12:00",
        "2026-10-05T24:00:00Z",
        "2026-10-05T09:12:00ZZ",
        "2026-10-05T09:12:00+00:00Z",
    ],
)
def test_the_fast_timestamp_path_reads_as_the_full_iso_parser(text):
    cells = pl.DataFrame(
        {"lead_id": ["1"], "created_at": [text], "source": ["email"], "_line": [2]}
    )
    valid, rejected = validate_rows("leads", cells)
    expected = pl.select(iso_timestamp(pl.lit(text))).item()
    assert (valid["created_at"].to_list() or [None]) == [expected]
    assert rejected.height == (expected is None)


def test_a_key_set_answers_as_is_in():
    keys = pl.Series([f"L{i:03d}" for i in range(0, 300, 3)] * 2 + [None])
    probe = pl.Series([f"L{i:03d}" for i in range(300)] + [None, ""])
    assert (
        KeySet(keys).contains(probe).to_list()
        == probe.is_in(keys.implode()).fill_null(False).to_list()
    )


@pytest.mark.parametrize(
    ("quoted", "kept_title"),
    [
        ('"CEO', None),  # never closed: it would swallow the rest of the file
        ('"Head of ""Sales"" ', None),  # closed only by a later quote
    ],
)
def test_a_stray_quote_loses_its_own_line_only(tmp_path, quoted, kept_title):
    """One unclosed quote made one cell of the rest of the file, exit 0, nothing said:
    its line is quarantined with the reason and the rows after it load."""
    leads = (
        "lead_id,created_at,source,job_title\n"
        f"Q1,2026-10-05T09:12:00Z,email,{quoted}\n"
        "Q2,2026-10-05T09:12:00Z,email,CTO\n"
        "Q3,2026-10-05T09:12:00Z,email,CFO\n"
        'Q4,2026-10-05T09:12:00Z,email,"Head of\nSales"\n'  # a line break inside quotes: kept
    )
    if '""' in quoted:
        leads += 'Q5,2026-10-05T09:12:00Z,email,"VP"\n'
    result = import_canonical(tmp_path / "w.duckdb", folder(tmp_path, leads=leads))
    rows = read_core_table(tmp_path / "w.duckdb", "leads").sort("lead_id")
    assert dict(zip(rows["lead_id"], rows["job_title"], strict=True)) | {"Q1": kept_title} == {
        "Q1": None, "Q2": "CTO", "Q3": "CFO", "Q4": "Head of\nSales",
        **({"Q5": "VP"} if '""' in quoted else {}),
    }  # fmt: skip
    assert "Q1" not in rows["lead_id"].to_list()
    (rejection,) = result.rejected
    assert (rejection["line"], rejection["column"]) == (2, None)
    assert "is not closed before the next rows begin" in rejection["reason"]


def test_a_stray_quote_in_a_crm_export_loses_its_own_line_only(tmp_path):
    source = Path("tests/fixtures/exports/hubspot")
    export = tmp_path / "hubspot"
    export.mkdir()
    for f in source.glob("*.csv"):
        (export / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    contacts = (export / "contacts.csv").read_text(encoding="utf-8").splitlines()
    header, first, *rest = contacts
    broken = first.replace("Head of Marketing", '"Head of Marketing', 1)
    (export / "contacts.csv").write_text("\n".join([header, broken, *rest]) + "\n", "utf-8")

    def imported(path: Path, db: Path) -> set[str]:
        args = ["import", "--format", "hubspot", str(path), "--db", str(db), "--json"]
        result = runner.invoke(app, args)
        assert result.exit_code in (0, 1), result.output
        return set(read_core_table(db, "leads")["lead_id"])

    db = tmp_path / "w.duckdb"
    whole = imported(source, tmp_path / "whole.duckdb")
    assert imported(export, db) == whole - {first.split(",")[0]}  # all but the broken line
    with duckdb.connect(str(db), read_only=True) as con:
        reasons = con.sql("SELECT line, reason FROM meta.quarantine").fetchall()
    assert any(line == 2 and "not closed" in reason for line, reason in reasons), reasons


def test_a_column_next_months_export_leaves_out_keeps_the_stored_values(tmp_path):
    """job_title and country renamed in the second export (jobtitle, Country Code): the
    known leads kept CEO / DE instead of turning empty; a new lead has them empty."""
    db = tmp_path / "w.duckdb"
    first = "lead_id,created_at,source,job_title,country\nR1,2026-10-01T08:00:00Z,email,CEO,DE\n"
    second = (
        "lead_id,created_at,source,jobtitle,Country Code\n"
        "R1,2026-10-01T08:00:00Z,organic,CEO,DE\n"  # a changed source: it is read
        "R3,2026-11-02T08:00:00Z,organic,CTO,AT\n"
    )
    import_canonical(db, folder(tmp_path / "a", leads=first))
    result = import_canonical(db, folder(tmp_path / "b", leads=second))
    leads = read_core_table(db, "leads").sort("lead_id")
    assert leads.select("lead_id", "source", "job_title", "country").rows() == [
        ("R1", "organic", "CEO", "DE"),
        ("R3", "organic", None, None),
    ]
    assert result.rejected == []
    # the raw layer keeps the second file as read: the columns it left out are empty there
    with duckdb.connect(str(db), read_only=True) as con:
        raw = con.sql(
            "SELECT job_title FROM raw.leads WHERE lead_id = 'R1' ORDER BY _load_id"
        ).fetchall()
    assert raw == [("CEO",), (None,)]


def test_a_file_with_the_column_empties_it(tmp_path):
    """An empty cell is a value: the stored job title goes."""
    db = tmp_path / "w.duckdb"
    head = "lead_id,created_at,source,job_title\n"
    import_canonical(db, folder(tmp_path / "a", leads=head + "R1,2026-10-01T08:00:00Z,email,CEO\n"))
    import_canonical(db, folder(tmp_path / "b", leads=head + "R1,2026-10-01T08:00:00Z,email,\n"))
    assert read_core_table(db, "leads")["job_title"].to_list() == [None]


def test_a_cell_longer_than_pythons_csv_limit_loads(tmp_path):
    """A 200,000-character note (a pasted e-mail thread) printed a traceback, or the whole
    file was refused without a line."""
    note = ("y" * 1000 + "\n") * 200
    leads = (
        "lead_id,created_at,source,job_title\n"
        f'X1,2026-10-05T09:12:00Z,email,"{note}"\n'
        "X2,2026-10-06T10:00:00Z,organic,B\n"
    )
    db = tmp_path / "w.duckdb"
    result = import_canonical(db, folder(tmp_path, leads=leads))
    assert result.rejected == []
    titles = dict(read_core_table(db, "leads").select("lead_id", "job_title").iter_rows())
    assert titles["X2"] == "B" and titles["X1"] == note.strip()  # cells are trimmed


@pytest.mark.parametrize("sep", [";", ","])
def test_a_row_without_the_empty_trailing_cells_of_unnamed_columns_loads(tmp_path, sep):
    """A spreadsheet writes the empty trailing columns on some lines only: every named cell
    is there, yet the rows were quarantined ("has 3 fields, the header has 6")."""
    head = sep.join(["lead_id", "created_at", "source", "", "", ""])
    text = f"{head}\nR1{sep}2026-10-05{sep}email{sep}{sep}{sep}\n"
    text += f"R2{sep}2026-10-05{sep}email\nR3{sep}2026-10-05{sep}email{sep}{sep}\n"
    text += f"R4{sep}2026-10-05\n"  # a named cell missing: still quarantined
    db = tmp_path / "w.duckdb"
    result = runner.invoke(app, ["import", str(folder(tmp_path, leads=text)), "--db", str(db)])
    assert result.exit_code == 1, result.output  # 1: a row was quarantined
    assert sorted(read_core_table(db, "leads")["lead_id"]) == ["R1", "R2", "R3"]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.sql("SELECT line, reason FROM meta.quarantine").fetchall() == [
            (5, "has 2 fields, the header has 6")
        ]


@pytest.mark.parametrize(
    ("name", "data", "lines"),
    [
        # Excel's first line naming the delimiter: its lines count on from 2
        ("sep", b"sep=;\r\nlead_id;created_at;source\r\nS1;05.10.2026;email\r\nS2;x;email\r\n", 4),
        # Excel's "Unicode text": UTF-16 with its byte order mark, tab-delimited
        ("utf16", "lead_id\tcreated_at\tsource\r\nS1\t2026-10-05T09:12:00Z\temail\r\n"
         "S2\tx\temail\r\n".encode("utf-16"), 3),
    ],
)  # fmt: skip
def test_excels_own_csv_variants_load(tmp_path, name, data, lines):
    """Both were refused with a garbled "missing column(s)" message."""
    d = tmp_path / "in"
    d.mkdir()
    (d / "leads.csv").write_bytes(data)
    db = tmp_path / "w.duckdb"
    result = runner.invoke(app, ["import", str(d), "--db", str(db)])
    assert result.exit_code == 1, result.output  # S2's date is rejected, with its line
    assert read_core_table(db, "leads")["lead_id"].to_list() == ["S1"]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.sql('SELECT line, "column" FROM meta.quarantine').fetchall() == [
            (lines, "created_at")
        ]


def test_a_utf8_export_read_with_last_years_cp1252_keeps_its_umlauts(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "leads.csv").write_text(
        "lead_id;created_at;source;job_title\nU1;05.10.2026;email;Geschäftsführer\n",
        encoding="utf-8",
    )
    db = tmp_path / "w.duckdb"
    result = runner.invoke(app, ["import", str(d), "--db", str(db), "--encoding", "cp1252"])
    assert result.exit_code == 0, result.output
    assert read_core_table(db, "leads")["job_title"].to_list() == ["Geschäftsführer"]


@pytest.mark.parametrize(
    ("text", "kept", "broken"),
    [
        # a proper multi-line cell whose second line looks like a row: kept whole (the first
        # rule took it for a stray quote and loaded "SaaS" as an account)
        ('account_id,name,industry\nA1,Acme GmbH,"Software\nSaaS, B2B"\nA2,Beta,x\n',
         [(2, "A1"), (4, "A2")], []),
        # a stray quote closed by the next row's quoted cell: only its own line is lost
        ('account_id,name,industry\nA1,Acme,"Soft\nA2,Beta,"IT"\nA3,Gamma,x\n',
         [(3, "A2"), (4, "A3")], [2]),
        # a line separator inside a cell is no line of the file: the numbers stay the file's
        ("account_id,name,industry\nA1,Ac\u2028me,x\nA2,\"Beta,x\nA3,Gamma,x\n",
         [(2, "A1"), (4, "A3")], [3]),
    ],
)  # fmt: skip
def test_csv_records_keep_good_cells_and_the_files_line_numbers(text, kept, broken):
    from analytics.warehouse.loader import csv_records

    _, records, lost = csv_records(text)
    assert [(line, cells[0]) for line, cells in records] == kept
    assert lost == broken


def test_a_file_with_only_a_header_is_named_as_empty_not_as_already_loaded(tmp_path):
    """A header-only leads.csv (an export with a filter left on) into a new warehouse was
    reported "already loaded, nothing changed", exit 0: nothing said the file was empty
    (audit 2026-12-06 messy exports, finding 2)."""
    d = folder(tmp_path, reps=REPS, leads="lead_id,created_at,source,owner_rep_id\r\n")
    db = tmp_path / "w.duckdb"
    result = import_canonical(db, d)
    assert result.unchanged_files == []
    assert result.empty_files == [str(d / "leads.csv")]
    assert result.to_json_dict()["empty_files"] == [str(d / "leads.csv")]
    assert result.warnings() == [
        f"{d / 'leads.csv'} has no rows (only a header): nothing was loaded from it; an export "
        "with a filter left on, or a period without data?"
    ]
    assert result.warnings(lang="de")[0].startswith(
        f"{d / 'leads.csv'} enthält keine Zeilen (nur die Kopfzeile)"
    )
    res = runner.invoke(app, ["import", str(d), "--db", str(db)])
    output = " ".join(res.output.split())
    assert res.exit_code == 0
    assert "leads.csv: already loaded" not in output
    assert "leads.csv has no rows (only a header)" in output


def test_an_excel_serial_date_is_quarantined_saying_so(tmp_path):
    """A spreadsheet column not formatted as a date exports 46296,5 for 01.10.2026 12:00:
    the quarantine said "cannot be read as an ISO 8601 timestamp", which a German
    spreadsheet user cannot act on (audit 2026-12-06 messy exports, finding 3). It is not
    read (Excel's 1904 date system gives the same number another day); the row is named."""
    d = folder(
        tmp_path,
        leads="lead_id;created_at;source\r\nL1;46296,5;email\r\nL2;01.10.2026 12:00;email\r\n"
        "L3;2026/10/01;email\r\n",
    )
    from analytics.warehouse.adapters import import_export

    result = import_export(tmp_path / "w.duckdb", d)  # read as a spreadsheet's (;)
    assert result.loaded == {"leads": 1}
    reasons = {r["line"]: (r["column"], r["value"], r["reason"]) for r in result.rejected}
    assert reasons == {
        2: (
            "created_at",
            "46296,5",
            "looks like an Excel serial date (a day number such as 46296.5 for 2026-10-01 "
            "12:00), not a date: format the column as a date in the spreadsheet (e.g. "
            "01.10.2026 12:00) and save the CSV again",
        ),
        4: (
            "created_at",
            "2026/10/01",
            "cannot be read as an ISO 8601 timestamp (2026-10-05T09:12:00+02:00)",
        ),
    }


_SCIENTIFIC = (
    "looks like a long number a spreadsheet saved in scientific notation (1.23457E+11), not "
    "an id: its last digits are lost, so it cannot name its record. Format the column as "
    "text in the spreadsheet, or import the CRM's export as it came"
)


@pytest.mark.parametrize(
    ("value", "garbled"),
    [("1.23457E+11", True), ("1,23457E+11", True), ("2E+10", True), ("1.2e+15", True),
     ("123456789012", False), ("L-1E+5", False), ("1.5", False), ("E+11", False),
     ("1.23457E-11", False)],
)  # fmt: skip
def test_an_id_a_spreadsheet_wrote_in_scientific_notation_is_quarantined_saying_so(
    tmp_path, value, garbled
):
    """Excel shows a long number (HubSpot's record id 123456789012) as 1.23457E+11 and
    saves the CSV so: the lead loaded under that id, and its touches, whose file kept the
    digits, were quarantined as of an unknown lead. The id is quarantined, saying why, and
    a touch naming it with its lead's root cause."""
    from analytics.warehouse.adapters import import_export

    d = folder(
        tmp_path,
        leads=f"lead_id,created_at,source\nL1,2026-10-01T09:00:00Z,email\n"
        f'"{value}",2026-10-02T09:00:00Z,email\n',
        sales_touches="touch_id,lead_id,rep_id,occurred_at,channel,outcome\n"
        f'T1,"{value}",r1,2026-10-03T09:00:00Z,phone,connected\n',
    )
    result = import_export(tmp_path / "w.duckdb", d)
    reasons = sorted((Path(r["file"]).name, r["column"], r["reason"]) for r in result.rejected)
    if garbled:  # the touch is told its lead's root cause
        assert result.loaded["leads"] == 1
        cascade = f"lead {value} was rejected: leads.csv line 3, lead_id {_SCIENTIFIC}"
        assert reasons == [("leads.csv", "lead_id", _SCIENTIFIC),
                           ("sales_touches.csv", "lead_id", cascade)]  # fmt: skip
    else:
        assert result.loaded["leads"] == 2 and reasons == []


@pytest.mark.parametrize(
    ("dates", "told", "layout"),
    [
        # a value shows the order: the layout to give, copied from the message, reads all
        (["10/05/2026 9:12 AM", "10/13/2026 4:01 PM"], "10/13/2026 4:01 PM shows the month",
         "%m/%d/%Y %I:%M %p"),
        (["05/10/2026 14:30:05", "13/10/2026 09:00:00"], "13/10/2026 09:00:00 shows the day",
         "%d/%m/%Y %H:%M:%S"),
        (["1/5/26", "1/13/26"], "1/13/26 shows the month", "%m/%d/%y"),
        # no value shows it: both layouts are named, the first value as the example
        (["10/05/2026", "01/02/2026"], "date layout needed: '%m/%d/%Y' (month first, as in the "
         "US) or '%d/%m/%Y' (day first) (--date-format, or a mapping's [csv] date_format; a "
         "date with slashes such as 10/05/2026 is read only in a layout given)", None),
        # both orders in one column: no layout reads them all, both are named
        (["13/05/2026", "05/13/2026"], "a date with slashes such as 13/05/2026", None),
    ],
)  # fmt: skip
def test_a_date_with_slashes_is_quarantined_naming_the_layout_that_reads_it(
    tmp_path, dates, told, layout
):
    """US and UK exports write 10/05/2026, which is read only in a layout given: the
    reason said "cannot be read as an ISO 8601 timestamp", not which --date-format to
    give. A value over 12 shows the order; the message's layout then reads the file."""
    from analytics.warehouse.adapters import import_export
    from analytics.warehouse.adapters.common import CsvOptions

    rows = "".join(f"L{i},{d},email\n" for i, d in enumerate(dates))
    d = folder(tmp_path, leads=f"lead_id,created_at,source\n{rows}")
    result = import_export(tmp_path / "w.duckdb", d)
    assert result.loaded == {"leads": 0}
    reasons = {r["reason"] for r in result.rejected}
    assert len(reasons) == 1 and told in reasons.pop()
    if layout is not None:
        assert result.rejected[0]["reason"].startswith(f"date layout needed: '{layout}' (")
        again = import_export(tmp_path / "w.duckdb", d, options=CsvOptions(date_format=layout))
        assert again.loaded == {"leads": len(dates)} and not again.rejected
