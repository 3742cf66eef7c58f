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

REPS = "rep_id,name,team,weekly_capacity,active\nr1,Ana,sdr,40,true\nr2,Bo,ae,,\n"
LEADS = (
    "lead_id,created_at,source,owner_rep_id\n"
    "007,2026-10-05T09:12:00+02:00,email,r1\n"
    "008,2026-10-06T08:00:00,organic,r2\n"
)
runner = CliRunner()


def folder(tmp_path: Path, **tables: str) -> Path:
    d = tmp_path / "in"
    d.mkdir(exist_ok=True)
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
        ("009,2026-10-05,seo,r1", "source", "not one of the allowed values"),
        ("009,05.10.2026,email,r1", "created_at", "cannot be read as an ISO 8601 timestamp"),
        ("009,2026-10-05,email,r9", "owner_rep_id", "refers to an unknown rep"),
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
                for t in ("core.leads", "core.reps", "raw.leads", "meta.quarantine", "meta.loads")
            }
        finally:
            con.close()

    before = snapshot()
    again = import_canonical(db, d)
    assert snapshot() == before
    assert sorted(Path(f).name for f in again.unchanged_files) == ["leads.csv", "reps.csv"]


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
    [({"reps": REPS}, 0), ({"reps": REPS + "r3,,sdr,,\n"}, 1), ({"bogus": "x\n1\n"}, 2)],
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
