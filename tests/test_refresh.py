"""Real exports and monthly refreshes (spec/canonical-format.md, "Real exports are partial",
"Refreshing a warehouse"): side tables that are missing, unknown descriptive values, rejected
leads and their dependent rows, and the hard edges of the readers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from analytics.cli import app
from analytics.warehouse import (
    ImportFailed,
    connect_readonly,
    import_canonical,
    latest_timestamp,
    load_tables,
    read_core_table,
)
from analytics.warehouse.adapters import import_export
from analytics.warehouse.connection import WarehouseError, connect_current
from analytics.warehouse.facts import last_import

runner = CliRunner()

LEADS = (
    "lead_id,created_at,source,owner_rep_id\n"
    "L1,2026-10-01T09:00:00Z,email,u1\n"
    "L2,2026-10-02T09:00:00Z,outbound,u2\n"
    "L3,2026-10-03T09:00:00Z,Outbound,\n"
)
EVENTS = (
    "lead_id,stage,entered_at,actor_rep_id\n"
    "L1,lead,2026-10-01T09:00:00Z,\n"
    "L1,mql,2026-10-02T09:00:00Z,u7\n"
    "L2,lead,2026-10-02T09:00:00Z,\n"
)
TOUCHES = (
    "touch_id,lead_id,rep_id,occurred_at,channel,outcome\n"
    "t1,L1,u1,2026-10-02T10:00:00Z,phone,connected\n"
    "t2,L2,u8,2026-10-02T11:00:00Z,linkedin_inmail,replied\n"
)


def folder(tmp_path: Path, name: str = "in", **tables: str) -> Path:
    d = tmp_path / name
    d.mkdir(exist_ok=True)
    for table, text in tables.items():
        (d / f"{table}.csv").write_text(text, encoding="utf-8")
    return d


def sla(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """The real command in a child process (a hang is a failure, not a stuck test run)."""
    return subprocess.run(
        [sys.executable, "-m", "analytics.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "SLA_CONFIG": "data/sla.toml"},
    )


# -- real exports are partial ------------------------------------------------------------------


def test_without_a_reps_file_every_lead_loads_and_placeholder_reps_are_made(tmp_path):
    db = tmp_path / "w.duckdb"
    d = folder(tmp_path, leads=LEADS, lifecycle_events=EVENTS, sales_touches=TOUCHES)
    result = import_canonical(db, d)
    assert result.rejected == []
    assert result.loaded == {"leads": 3, "lifecycle_events": 3, "sales_touches": 2}
    assert result.placeholder_reps == 4  # u1, u2 (owners), u7 (actor), u8 (touch)
    reps = read_core_table(db, "reps").sort("rep_id")
    assert reps.rows() == [(r, None, None, None, None) for r in ("u1", "u2", "u7", "u8")]
    assert result.warnings()[0] == (
        "4 rep id(s) not in a reps file were created as placeholder reps (no name, no team)"
    )


def test_reps_without_names_load(tmp_path):
    db = tmp_path / "w.duckdb"
    reps = "rep_id,team\nu1,sdr\nu2,ae\n"
    result = import_canonical(db, folder(tmp_path, reps=reps, leads=LEADS))
    assert result.rejected == []
    assert result.placeholder_reps == 0
    assert read_core_table(db, "reps").sort("rep_id").select("rep_id", "name", "team").rows() == [
        ("u1", None, "sdr"),
        ("u2", None, "ae"),
    ]


def test_a_later_reps_file_names_the_placeholders(tmp_path):
    db = tmp_path / "w.duckdb"
    import_canonical(db, folder(tmp_path, leads=LEADS))
    import_canonical(db, folder(tmp_path, "more", reps="rep_id,name,team\nu1,Ana,sdr\n"))
    reps = read_core_table(db, "reps").sort("rep_id").select("rep_id", "name", "team")
    assert reps.rows() == [("u1", "Ana", "sdr"), ("u2", None, None)]


LEADS_WITH_ACCOUNTS = (
    "lead_id,created_at,source,account_id\n"
    "L1,2026-10-01T09:00:00Z,email,A1\n"
    "L2,2026-10-02T09:00:00Z,email,A2\n"
    "L3,2026-10-03T09:00:00Z,email,\n"
)


def test_without_any_accounts_the_leads_account_ids_are_kept_unchecked(tmp_path):
    """A folder of leads and lifecycle events alone: the accounts they name are not known,
    which is missing data, not a reason to reject the leads (and their events with them)."""
    db = tmp_path / "w.duckdb"
    d = folder(tmp_path, leads=LEADS_WITH_ACCOUNTS, lifecycle_events=EVENTS)
    result = import_canonical(db, d)
    assert result.rejected == []
    assert result.loaded == {"leads": 3, "lifecycle_events": 3}
    assert result.unchecked_accounts == 2  # L1, L2; L3 names none
    assert read_core_table(db, "leads").sort("lead_id")["account_id"].to_list() == [
        "A1",
        "A2",
        None,
    ]
    assert result.warnings()[-1] == (
        "2 row(s) name an account, but no accounts were imported: their account ids are kept "
        "unchecked (import accounts.csv to check them)"
    )
    assert result.to_json_dict()["unchecked_accounts"] == 2
    assert result.warnings(lang="de")[-1].startswith(
        "Zeilen mit einer Account-ID, obwohl keine Accounts importiert wurden: 2"
    )


#: A lead's customer stage mistyped a month ahead of the import (the loader accepts a year).
AHEAD = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%dT09:00:00Z")


@pytest.mark.parametrize("typo", [False, True])
def test_nothing_dated_after_the_import_is_the_data_latest_moment(tmp_path, typo):
    """Re-audit of the score fixes, HIGH 2: one row dated after the import became the
    default as_of ("Data as of 2027-06-01") and the end of every outcome's horizon."""
    db = tmp_path / "w.duckdb"
    events = EVENTS + (f"L2,customer,{AHEAD},\n" if typo else "")
    import_canonical(db, folder(tmp_path, leads=LEADS, lifecycle_events=events))
    with connect_readonly(db) as con:
        imported = last_import(con)
        assert imported is not None
        tables = load_tables(con)
        assert tables.loaded_at == imported
        expected = imported if typo else datetime(2026, 10, 3, 9, tzinfo=UTC)  # L3 created
        assert latest_timestamp(con) == expected
        assert tables.latest_timestamp() == expected


def test_a_row_dated_after_the_import_is_loaded_with_a_warning_naming_it(tmp_path):
    """Re-audit of the score fixes, HIGH 2: a customer event mistyped a year ahead loaded
    without a word. EVENTS has three rows (lines 2-4): the typo is line 5."""
    db = tmp_path / "w.duckdb"
    events = EVENTS + f"L2,customer,{AHEAD},\n"
    d = folder(tmp_path, leads=LEADS, lifecycle_events=events)
    result = import_canonical(db, d)
    assert result.rejected == []
    assert result.loaded == {"leads": 3, "lifecycle_events": 4}
    file = str(d / "lifecycle_events.csv")  # as the rejections name it
    assert result.after_import == [
        {"file": file, "column": "entered_at", "rows": 1, "line": 5, "value": AHEAD}
    ]
    assert result.to_json_dict()["after_import"] == result.after_import
    imported, at = f"{result.imported_at:%Y-%m-%d %H:%M} UTC", result.imported_at
    assert result.warnings()[-1] == (
        f"{file}, column entered_at: 1 row(s) dated after this import ({imported}), the first "
        f"on line 5 ({AHEAD}): they are loaded, but the data counts as known only until the "
        "import (a mistyped year?)"
    )
    assert result.warnings(lang="de")[-1] == (
        f"{file}, Spalte entered_at: Zeilen nach diesem Import ({at:%d.%m.%Y %H:%M} UTC) "
        f"datiert: 1, die erste in Zeile 5 ({AHEAD}); sie werden geladen, aber die Daten gelten "
        "nur bis zum Import als bekannt (ein vertipptes Jahr?)"
    )
    plain = import_canonical(tmp_path / "p.duckdb", folder(tmp_path, "p", leads=LEADS))
    assert plain.after_import == [] and "after_import" not in plain.to_json_dict()


@pytest.mark.parametrize("accounts_where", ["in the same folder", "in the warehouse already"])
def test_once_accounts_are_known_an_unknown_account_is_still_rejected(tmp_path, accounts_where):
    db = tmp_path / "w.duckdb"
    accounts = "account_id,name,industry\nA1,Acme,software\n"
    if accounts_where == "in the same folder":
        result = import_canonical(
            db, folder(tmp_path, accounts=accounts, leads=LEADS_WITH_ACCOUNTS)
        )
    else:
        import_canonical(db, folder(tmp_path, "first", accounts=accounts))
        result = import_canonical(db, folder(tmp_path, leads=LEADS_WITH_ACCOUNTS))
    assert [(r["line"], r["column"], r["reason"]) for r in result.rejected] == [
        (3, "account_id", "refers to an unknown account")
    ]
    assert result.unchecked_accounts == 0


def test_an_unlisted_descriptive_value_loads_as_other_and_raw_keeps_it(tmp_path):
    db = tmp_path / "w.duckdb"
    result = import_canonical(db, folder(tmp_path, leads=LEADS, sales_touches=TOUCHES))
    assert result.rejected == []
    leads = read_core_table(db, "leads").sort("lead_id")
    assert leads["source"].to_list() == ["email", "other", "other"]
    assert read_core_table(db, "sales_touches").sort("touch_id")["channel"].to_list() == [
        "phone",
        "other",
    ]
    con = connect_readonly(db)
    raw = con.sql("SELECT source FROM raw.leads ORDER BY lead_id").fetchall()
    con.close()
    assert raw == [("email",), ("outbound",), ("Outbound",)]
    assert result.other_values == [
        {
            "table": "leads",
            "column": "source",
            "value": "outbound",
            "rows": 2,
            "config": '[enums] source = ["outbound"]',
        },
        {
            "table": "sales_touches",
            "column": "channel",
            "value": "linkedin_inmail",
            "rows": 1,
            "config": '[enums] channel = ["linkedin_inmail"]',
        },
    ]


@pytest.mark.parametrize("chunk_rows", [2, 100_000])  # the key seen again in another chunk
def test_an_unlisted_value_of_a_rejected_row_is_not_reported_as_loaded(tmp_path, chunk_rows):
    """A row rejected for another cell (a date it cannot read, a key seen before) loads as
    nothing: its unknown value was reported as loaded as `other` all the same."""
    leads = (
        "lead_id,created_at,source\n"
        "L1,2026-10-01T09:00:00Z,webinar_x\n"
        "L2,yesterday,web\n"  # rejected: created_at
        "L1,2026-10-02T09:00:00Z,webinar_x\n"  # rejected: L1 again
        "L3,2026-10-02T09:00:00Z,Webinar_X\n"
    )
    result = import_canonical(
        tmp_path / "w.duckdb", folder(tmp_path, leads=leads), chunk_rows=chunk_rows
    )
    assert sorted((r["line"], r["column"]) for r in result.rejected) == [
        (3, "created_at"), (4, "lead_id")
    ]  # fmt: skip
    assert [(o["value"], o["rows"]) for o in result.other_values] == [("webinar_x", 2)]


@pytest.mark.parametrize(
    ("table", "text", "column"),
    [
        ("lifecycle_events", "lead_id,stage,entered_at\nL1,won_over,2026-10-02\n", "stage"),
        (
            "sales_touches",
            "touch_id,lead_id,rep_id,occurred_at,channel,outcome\nt1,L1,u1,2026-10-02,phone,meh\n",
            "outcome",
        ),
        (
            "opportunities",
            "opportunity_id,created_at,amount,status\no1,2026-10-02,5,pending\n",
            "status",
        ),
    ],
)
def test_values_the_metrics_judge_by_still_reject_the_row(tmp_path, table, text, column):
    result = import_canonical(tmp_path / "w.duckdb", folder(tmp_path, leads=LEADS, **{table: text}))
    assert [r["column"] for r in result.rejected] == [column]
    assert result.rejected[0]["reason"].startswith("not one of the allowed values")


def test_rows_of_a_rejected_lead_name_the_root_cause(tmp_path):
    leads = LEADS + "".join(f"L{i},2026-10-04,email,u1\n" for i in (4, 5, 6, 8))
    leads += "L7,yesterday,email,u1\n"  # line 9
    events = (
        "lead_id,stage,entered_at\nL7,lead,2026-10-04\nL7,mql,2026-10-05\nL404,lead,2026-10-05\n"
    )
    touches = TOUCHES + "t3,L7,u1,2026-10-05,phone,connected\n"
    result = import_canonical(
        tmp_path / "w.duckdb",
        folder(tmp_path, leads=leads, lifecycle_events=events, sales_touches=touches),
    )
    cause = (
        "lead L7 was rejected: leads.csv line 9, created_at "
        "cannot be read as an ISO 8601 timestamp (2026-10-05T09:12:00+02:00)"
    )
    got = [(Path(r["file"]).name, r["line"], r["reason"]) for r in result.rejected]
    assert got == [
        ("leads.csv", 9, got[0][2]),
        ("lifecycle_events.csv", 2, cause),
        ("lifecycle_events.csv", 3, cause),
        ("lifecycle_events.csv", 4, "refers to an unknown lead"),  # never a lead: its own fault
        ("sales_touches.csv", 4, cause),
    ]
    causes, cascaded = result.root_causes()
    assert cascaded == 3
    assert [(c["file"], c["column"], c["rows"]) for c in causes] == [
        ("leads.csv", "created_at", 1),
        ("lifecycle_events.csv", "lead_id", 1),
    ]


def test_the_cli_summary_leads_with_root_causes_and_warnings(tmp_path):
    leads = LEADS + "L7,yesterday,email,u1\n"
    events = "lead_id,stage,entered_at\nL7,lead,2026-10-04\nL7,mql,2026-10-05\n"
    d = folder(tmp_path, leads=leads, lifecycle_events=events)
    res = runner.invoke(app, ["import", str(d), "--db", str(tmp_path / "w.duckdb")])
    assert res.exit_code == 1
    text = res.stderr
    assert text.index("root causes:") < text.index("first rows:")
    assert "1 x leads.csv column created_at: cannot be read" in text
    # each rejected row says what was read in the cell, not only what was expected
    assert "leads.csv:5 column created_at = 'yesterday': cannot be read as an ISO" in text
    assert "2 row(s) refer to a lead rejected above" in text
    assert '[enums] source = ["outbound"]' in text
    res = runner.invoke(app, ["import", str(d), "--db", str(tmp_path / "w2.duckdb"), "--json"])
    doc = json.loads(res.stdout)
    assert doc["rejected_with_their_lead"] == 2
    assert doc["placeholder_reps"] == 2
    assert doc["root_causes"][0]["column"] == "created_at"


# -- hard edges -------------------------------------------------------------------------------


def _not_regular(tmp_path: Path, kind: str) -> Path:
    d = folder(tmp_path, reps="rep_id,name,team\nu1,Ana,sdr\n")
    leads = d / "leads.csv"
    if kind == "directory":
        leads.mkdir()
    elif kind == "dev-zero":
        leads.symlink_to("/dev/zero")
    else:
        os.mkfifo(leads)
    return d


@pytest.mark.parametrize("kind", ["directory", "dev-zero", "fifo"])
def test_a_table_path_that_is_not_a_regular_file_exits_2_before_reading(tmp_path, kind):
    d = _not_regular(tmp_path, kind)
    db = tmp_path / "w.duckdb"
    for target in (d, d / "leads.csv"):
        proc = sla("import", str(target), "--db", str(db), timeout=30)
        assert proc.returncode == 2, proc.stderr
        assert f"{d / 'leads.csv'}: is " in proc.stderr
        assert "not a regular file" in proc.stderr
        assert "Traceback" not in proc.stderr
    assert not db.exists()


@pytest.mark.parametrize("kind", ["directory", "dev-zero", "fifo"])
def test_the_adapters_refuse_a_path_that_is_not_a_regular_file(tmp_path, kind):
    d = _not_regular(tmp_path, kind)
    with pytest.raises(ImportFailed, match="not a regular file"):
        import_export(tmp_path / "w.duckdb", d / "leads.csv", fmt="hubspot")


BLANKS = (
    "lead_id,created_at,source\n"
    "L1,2026-10-01,email\n"
    "\n"  # line 3: blank
    "   \n"  # line 4: spaces only
    ",,\n"  # line 5: empty cells only
    "L2,2026-10-02\n"  # line 6: a field too few
    "L3,2026-10-03,email,x\n"  # line 7: a field too many
    "L4,2026-10-04,email\n"
)


@pytest.mark.parametrize("exact", [False, True])
def test_blank_lines_and_ragged_rows_read_the_same_in_both_readers(tmp_path, exact):
    # a line break in a cell: only the exact reader numbers such a file
    text = BLANKS + ('L5,2026-10-05,"em\nail"\n' if exact else "L5,2026-10-05,email\n")
    result = import_canonical(tmp_path / "w.duckdb", folder(tmp_path, leads=text))
    assert [(r["line"], r["reason"]) for r in result.rejected] == [
        (6, "has 2 fields, the header has 3"),
        (7, "has 4 fields, the header has 3"),
    ]
    leads = read_core_table(tmp_path / "w.duckdb", "leads").sort("lead_id")
    assert leads["lead_id"].to_list() == ["L1", "L4", "L5"]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("reps.csv", "rep_id,name,team,team\nu1,Ana,sdr,ae\n"),
        ("reps.csv", 'rep_id,name,Team,"team "\nu1,Ana,sdr,"a\nb"\n'),  # a line break too
        ("reps.csv", "rep_id;name;team;team\nu1;Ana;sdr;ae\n"),  # an office file
    ],
)
def test_duplicate_header_names_exit_2_naming_the_column(tmp_path, name, text):
    d = tmp_path / "in"
    d.mkdir()
    (d / name).write_text(text)
    proc = sla("import", str(d), "--db", str(tmp_path / "w.duckdb"))
    assert proc.returncode == 2, proc.stderr
    assert "the header has column team twice" in proc.stderr
    assert not (tmp_path / "w.duckdb").exists()


def test_a_pipe_delimited_file_is_detected(tmp_path):
    d = folder(tmp_path, leads="lead_id|created_at|source\nL1|2026-10-01|email\n")
    res = runner.invoke(app, ["import", str(d), "--db", str(tmp_path / "w.duckdb"), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["loaded"] == {"leads": 1}


@pytest.mark.parametrize(
    "text",
    [
        "a = " + "[" * 5000 + "]" * 5000 + "\n",  # RecursionError in the TOML parser
        "[sla\nname = 1\n",
        "\x00\x01binary",
    ],
)
def test_a_config_that_cannot_be_parsed_exits_2_naming_the_file(tmp_path, text):
    cfg = tmp_path / "odd.toml"
    cfg.write_text(text)
    d = folder(tmp_path, leads=LEADS)
    for args in (["import", str(d)], ["info"]):
        proc = sla(*args, "--db", str(tmp_path / "w.duckdb"), "--config", str(cfg))
        assert proc.returncode == 2, proc.stderr
        assert str(cfg) in proc.stderr
        assert "Traceback" not in proc.stderr


# -- refresh semantics -------------------------------------------------------------------------

MONTH_1 = "lead_id,created_at,source\nL1,2026-10-01,email\nL2,2026-10-02,email\nL3,2026-10-03,x\n"
MONTH_2 = (
    "lead_id,created_at,source\nL1,2026-10-01,email\nL2,2026-10-02,organic\nL4,2026-10-04,email\n"
)


def _counts(db: Path, sql: str) -> list[tuple]:
    con = connect_readonly(db)
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


def test_upsert_then_replace_report_what_changed_and_raw_keeps_each_version_once(tmp_path):
    db = tmp_path / "w.duckdb"
    first = import_canonical(db, folder(tmp_path, "m1", leads=MONTH_1))
    assert first.changes == {"leads": {"added": 3, "changed": 0, "unchanged": 0, "removed": 0}}
    again = import_canonical(db, folder(tmp_path, "m1", leads=MONTH_1))
    assert again.changes["leads"] == {"added": 0, "changed": 0, "unchanged": 3, "removed": 0}
    assert [Path(f).name for f in again.unchanged_files] == ["leads.csv"]
    upsert = import_canonical(db, folder(tmp_path, "m2", leads=MONTH_2))
    assert upsert.changes["leads"] == {"added": 1, "changed": 1, "unchanged": 1, "removed": 0}
    assert upsert.unchanged_files == []
    assert sorted(read_core_table(db, "leads")["lead_id"]) == ["L1", "L2", "L3", "L4"]
    # raw: 3 rows of month 1, then only the changed L2 and the new L4
    assert _counts(db, "SELECT count(*), count(DISTINCT _row_hash) FROM raw.leads") == [(5, 5)]
    # the same export again, as a full snapshot: L3 (not in it) goes
    replace = import_canonical(db, folder(tmp_path, "m2", leads=MONTH_2), replace=True)
    assert replace.changes["leads"] == {"added": 0, "changed": 0, "unchanged": 3, "removed": 1}
    assert sorted(read_core_table(db, "leads")["lead_id"]) == ["L1", "L2", "L4"]
    assert _counts(
        db,
        "SELECT rows_added, rows_changed, rows_unchanged, rows_removed FROM meta.loads "
        "ORDER BY load_id",
    ) == [(3, 0, 0, 0), (0, 0, 3, 0), (1, 1, 1, 0), (0, 0, 3, 1)]  # every import is a load
    # every load that saw a version is recorded: 3 versions seen by each of the four loads
    assert _counts(
        db,
        "SELECT load_id, count(*), count(DISTINCT row_hash) FROM meta.raw_seen "
        "WHERE table_name = 'leads' GROUP BY ALL ORDER BY ALL",
    ) == [(1, 3, 3), (2, 3, 3), (3, 3, 3), (4, 3, 3)]
    assert _counts(
        db,
        "SELECT count(*) FROM meta.raw_seen s ANTI JOIN raw.leads r ON r._row_hash = s.row_hash",
    ) == [(0,)]


def test_a_reimport_after_a_changed_copy_is_not_already_loaded(tmp_path):
    db = tmp_path / "w.duckdb"
    import_canonical(db, folder(tmp_path, "m1", leads=MONTH_1))
    import_canonical(db, folder(tmp_path, "m2", leads=MONTH_2))
    back = import_canonical(db, folder(tmp_path, "m1", leads=MONTH_1))
    assert back.unchanged_files == []  # L2 goes back to email: core changes
    assert back.changes["leads"] == {"added": 0, "changed": 1, "unchanged": 2, "removed": 0}
    res = runner.invoke(app, ["import", str(tmp_path / "m1"), "--db", str(db), "--json"])
    assert json.loads(res.stdout)["unchanged_files"] == [str(tmp_path / "m1" / "leads.csv")]


def test_replace_keeps_a_row_whose_new_version_was_rejected(tmp_path):
    db = tmp_path / "w.duckdb"
    import_canonical(db, folder(tmp_path, "m1", leads=MONTH_1))
    broken = MONTH_1.replace("L2,2026-10-02,email", "L2,someday,email")
    result = import_canonical(db, folder(tmp_path, "m2", leads=broken), replace=True)
    assert result.changes["leads"] == {"added": 0, "changed": 0, "unchanged": 2, "removed": 0}
    assert sorted(read_core_table(db, "leads")["lead_id"]) == ["L1", "L2", "L3"]


def test_the_same_rejected_rows_from_another_path_are_quarantined_once(tmp_path):
    db = tmp_path / "w.duckdb"
    bad = MONTH_1 + "L5,,email\nL6,1800-01-01,email\n"
    import_canonical(db, folder(tmp_path, "a", leads=bad))
    import_canonical(db, folder(tmp_path, "b", leads=bad))
    # the same broken row in a changed file, at another line
    import_canonical(db, folder(tmp_path, "c", leads=MONTH_2 + "L5,,email\n"))
    assert _counts(db, "SELECT count(*) FROM meta.quarantine") == [(2,)]


def test_cli_replace_and_the_summary_table(tmp_path):
    db = tmp_path / "w.duckdb"
    import_canonical(db, folder(tmp_path, "m1", leads=MONTH_1))
    args = ["import", str(folder(tmp_path, "m2", leads=MONTH_2)), "--db", str(db), "--replace"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    row = next(line for line in res.stderr.splitlines() if line.strip().startswith("leads"))
    assert row.split() == ["leads", "│", "3", "│", "1", "│", "1", "│", "1", "│", "1"]


# -- the documented semantics, as a property -------------------------------------------------

LEAD_IDS = [f"L{i}" for i in range(6)]
SOURCES = ["email", "organic", "event"]
DAYS = [1, 2, 3]


@st.composite
def _import_step(draw):
    """One import: a subset of the keys of one or two tables, with edited values."""
    tables = draw(st.sampled_from([("leads",), ("web_traffic",), ("leads", "web_traffic")]))
    step = {}
    if "leads" in tables:
        ids = draw(st.lists(st.sampled_from(LEAD_IDS), unique=True, max_size=len(LEAD_IDS)))
        step["leads"] = {
            (lead,): (draw(st.sampled_from(DAYS)), draw(st.sampled_from(SOURCES))) for lead in ids
        }
    if "web_traffic" in tables:
        keys = draw(
            st.lists(st.tuples(st.sampled_from(DAYS), st.sampled_from(SOURCES)), unique=True)
        )
        step["web_traffic"] = {key: (draw(st.integers(0, 2)),) for key in keys}
    return step, draw(st.booleans())


def _file_text(table: str, rows: dict) -> str:
    if table == "leads":
        lines = [f"{k[0]},2026-10-{d:02d}T00:00:00Z,{s}" for k, (d, s) in rows.items()]
        return "lead_id,created_at,source\n" + "".join(f"{line}\n" for line in lines)
    lines = [f"2026-10-{d:02d},{s},{v}" for (d, s), (v,) in rows.items()]
    return "date,source,visitors\n" + "".join(f"{line}\n" for line in lines)


def _core_state(db: Path) -> dict:
    leads = read_core_table(db, "leads")
    traffic = read_core_table(db, "web_traffic")
    return {
        "leads": {
            (r["lead_id"],): (r["created_at"].day, r["source"]) for r in leads.iter_rows(named=True)
        },
        "web_traffic": {
            (r["date"].day, r["source"]): (r["visitors"],) for r in traffic.iter_rows(named=True)
        },
    }


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(_import_step(), min_size=1, max_size=4))
def test_any_sequence_of_imports_follows_the_documented_semantics(steps):
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "w.duckdb"
        model: dict[str, dict] = {"leads": {}, "web_traffic": {}}
        versions: dict[str, set] = {"leads": set(), "web_traffic": set()}
        loads = 0
        for n, (step, replace) in enumerate(steps):
            d = Path(tmp) / f"import{n}"
            d.mkdir()
            for table, rows in step.items():
                (d / f"{table}.csv").write_text(_file_text(table, rows))
            if replace and any(not rows and model[table] for table, rows in step.items()):
                # an empty snapshot of a table that has rows: refused, the warehouse kept
                with pytest.raises(ImportFailed, match="the file has no rows: --replace"):
                    import_canonical(db, d, replace=replace)
                assert _core_state(db) == model
                continue
            result = import_canonical(db, d, replace=replace)
            loads += 1
            for table, rows in step.items():
                before = model[table]
                expected = {
                    "added": sum(k not in before for k in rows),
                    "changed": sum(k in before and before[k] != v for k, v in rows.items()),
                    "unchanged": sum(before.get(k) == v for k, v in rows.items()),
                    "removed": sum(k not in rows for k in before) if replace else 0,
                }
                assert result.changes[table] == expected
                moved = expected["added"] + expected["changed"] + expected["unchanged"]
                assert moved == len(rows)
                new_versions = {(k, v) for k, v in rows.items()} - versions[table]
                nothing = not (expected["added"] or expected["changed"] or expected["removed"])
                unchanged = str(d / f"{table}.csv") in result.unchanged_files
                assert unchanged == (nothing and not new_versions and bool(rows))
                # a file of no rows is named as such, never "already loaded"
                assert (str(d / f"{table}.csv") in result.empty_files) == (not rows)
                versions[table] |= new_versions
                model[table] = dict(rows) if replace else {**before, **rows}
            assert _core_state(db) == model
            for table in model:
                raw = _counts(db, f"SELECT count(*), count(DISTINCT _row_hash) FROM raw.{table}")
                assert raw == [(len(versions[table]), len(versions[table]))]
            # this import (the loads-th) saw each version of its files, new or not
            seen = _counts(
                db,
                "SELECT table_name, count(*) FROM meta.raw_seen "
                f"WHERE load_id = {loads} GROUP BY ALL ORDER BY ALL",
            )
            assert seen == sorted((t, len(rows)) for t, rows in step.items() if rows)


# -- crash hygiene -----------------------------------------------------------------------------


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name or ".stage-" in p.name)


def test_info_and_the_next_import_remove_what_a_dead_import_left(tmp_path):
    db = tmp_path / "w.duckdb"
    import_canonical(db, folder(tmp_path, leads=MONTH_1))
    dead = 2**22 + 12345  # above any pid this machine hands out
    (tmp_path / f"w.duckdb.tmp-{dead}").write_bytes(b"x" * 100)
    (tmp_path / f"w.duckdb.tmp-{dead}.wal").write_bytes(b"x")
    (tmp_path / f".w.duckdb.stage-{dead}-abc").mkdir()
    (tmp_path / f".w.duckdb.stage-{dead}-abc" / "good-000000.parquet").write_bytes(b"x")
    alive = tmp_path / f"w.duckdb.tmp-{os.getpid()}-other.txt"  # not a leftover name
    alive.write_text("keep")
    proc = sla("info", "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    assert _leftovers(tmp_path) == [alive.name]
    (tmp_path / f"w.duckdb.tmp-{dead}").write_bytes(b"x")
    import_canonical(db, folder(tmp_path, "m2", leads=MONTH_2))
    assert _leftovers(tmp_path) == [alive.name]


@pytest.mark.parametrize(
    ("command", "outcome"),
    [
        (["import", "in"], "has finished)"),
        (["purge", "--lead", "L1"], "finished); nothing was erased"),
    ],
)
def test_a_writer_waits_for_the_writer_lock_then_gives_up_saying_so(tmp_path, command, outcome):
    """A second import, or a purge, while another writer holds the lock: it says so,
    waits SLA_LOCK_TIMEOUT seconds, exits 2 and leaves the file as it was."""
    import fcntl

    db = tmp_path / "w.duckdb"
    import_canonical(db, folder(tmp_path, leads=MONTH_1))
    args = [str(tmp_path / a) if a == "in" else a for a in command]
    with open(tmp_path / "w.duckdb.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # an import in progress
        before = db.read_bytes()
        env = {**os.environ, "SLA_LOCK_TIMEOUT": "1", "SLA_CONFIG": "data/sla.toml"}
        proc = subprocess.run(
            [sys.executable, "-m", "analytics.cli", *args, "--db", str(db)],
            capture_output=True, text=True, timeout=60, env=env, check=False,
        )  # fmt: skip
    message = " ".join(proc.stderr.split())
    assert proc.returncode == 2, proc.stderr
    assert "another import, purge or refresh is writing it; waiting (up to 1 s)" in message
    assert "still writing it after 1 s; nothing was written" in message and outcome in message
    assert db.read_bytes() == before


def test_imports_killed_at_random_moments_leave_nothing_after_a_clean_import(tmp_path):
    """20 `sla import` processes killed at random moments of their run, then one clean
    import. Each changes the data (two folders in turns, one lead's source apart), so that
    it loads, clears the stored results and stores new ones (an import that changed
    nothing keeps them and ends sooner); a kill falls in the first 3 s of one, or anywhere
    in it where it takes less (measured first, unkilled)."""
    import random
    import shutil
    import signal
    import time

    from analytics.config import load_config
    from analytics.demo import generate_demo
    from analytics.warehouse.canonical_io import write_canonical

    first, second = tmp_path / "demo", tmp_path / "demo-changed"
    write_canonical(generate_demo(load_config("data/sla.toml"), leads=400, seed=3), first)
    shutil.copytree(first, second)
    leads = (second / "leads.csv").read_text().splitlines()
    header, row = leads[0].split(","), leads[1].split(",")
    row[header.index("source")] = "event" if row[header.index("source")] != "event" else "email"
    (second / "leads.csv").write_text("\n".join([leads[0], ",".join(row), *leads[2:]]) + "\n")
    db = tmp_path / "w.duckdb"
    import_canonical(db, first)
    env = {**os.environ, "SLA_CONFIG": "data/sla.toml"}

    def started(source: Path) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "analytics.cli", "import", str(source), "--db", str(db)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
        )  # fmt: skip

    began = time.monotonic()
    assert started(second).wait() == 0  # a change: the load, and the stored results again
    took = time.monotonic() - began
    rng = random.Random(16)
    for n in range(20):  # the count: 20 kills, then one clean import
        proc = started(first if n % 2 == 0 else second)
        time.sleep(rng.uniform(0.2, min(took, 3.0)))  # when to kill, not a timed assertion
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        # the live file is the old one or a complete new one (the same leads here)
        assert read_core_table(db, "leads").height == 400
    import_canonical(db, folder(tmp_path, leads=MONTH_1))
    assert _leftovers(tmp_path) == []


# -- every load that saw a row version (meta.raw_seen) ---------------------------------------


@pytest.mark.parametrize(
    ("second", "erased", "expected"),
    [
        # load 2 lacks the attributes: core kept load 1's; erasing load 1 takes them along
        ("lead_id,created_at,source\nL1,2026-10-01T08:00:00Z,email\n", 1,
         ("email", None, None)),
        # load 2 changed the title: erasing load 2 brings back load 1's
        ("lead_id,created_at,source,job_title,country\nL1,2026-10-01T08:00:00Z,organic,CTO,AT\n",
         2, ("email", "CEO", "DE")),
        # erasing load 1 leaves load 2's own row as it is
        ("lead_id,created_at,source,job_title,country\nL1,2026-10-01T08:00:00Z,organic,CTO,AT\n",
         1, ("organic", "CTO", "AT")),
    ],
)  # fmt: skip
def test_purging_a_load_leaves_no_value_only_it_brought_in_core(tmp_path, second, erased, expected):
    """Before, core kept L1 whole because another load saw L1 too: CEO / DE, which only the
    erased load brought, stayed (re-audit of the absent-column rule, finding 7)."""
    from analytics.warehouse.purge import purge

    db = tmp_path / "w.duckdb"
    first = "lead_id,created_at,source,job_title,country\nL1,2026-10-01T08:00:00Z,email,CEO,DE\n"
    import_canonical(db, folder(tmp_path, "m1", leads=first))
    import_canonical(db, folder(tmp_path, "m2", leads=second))
    purge(db, load=erased)
    core = read_core_table(db, "leads")
    assert core.select("source", "job_title", "country").rows() == [expected]
    if erased == 1:
        assert b"CEO" not in db.read_bytes()


@pytest.mark.parametrize("how", ["--load 2", "--before 2026-06-01"])
def test_an_earlier_versions_purge_is_marked_erased_at_the_next_import(tmp_path, how):
    """A purge made before meta.loads.erased left no marks: the erased file still read as
    its table's latest, so the quarantine of the file before it went unsaid on the pages
    and in the pack. The purge's row in the log names the loads; the next write marks
    them, as a purge does now."""
    import duckdb

    from analytics.texts import render
    from analytics.warehouse.facts import last_import_notes
    from analytics.warehouse.purge import purge

    db = tmp_path / "w.duckdb"
    bad = "lead_id,created_at,source\nL1,2026-10-01T08:00:00Z,email\nL2,no date,email\n"
    good = "lead_id,created_at,source\nL3,2026-10-02T08:00:00Z,email\n"
    first, second = (bad, good) if how == "--load 2" else (good, bad)
    import_canonical(db, folder(tmp_path, "m1", leads=first))
    import_canonical(db, folder(tmp_path, "m2", leads=second))
    with duckdb.connect(str(db)) as con:  # load 1 made in January, load 2 in October
        con.execute("UPDATE meta.loads SET loaded_at = '2026-01-05 09:00Z' WHERE load_id = 1")
    if how == "--load 2":
        purge(db, load=2)
    else:
        purge(db, before=datetime(2026, 6, 1).date())

    def marks() -> list[tuple]:
        with connect_current(db) as con:
            return con.execute(
                "SELECT load_id, coalesce(erased, false) FROM meta.loads ORDER BY 1"
            ).fetchall()

    erased = 2 if how == "--load 2" else 1
    assert marks() == [(1, erased == 1), (2, erased == 2), (3, False)]  # 3: the purge's row
    with duckdb.connect(str(db)) as con:  # as a purge before the marks left them
        con.execute("UPDATE meta.loads SET erased = NULL")
    import_canonical(db, folder(tmp_path, "m3", reps="rep_id,name,team\nr1,Rita,sdr\n"))
    assert marks() == [(1, erased == 1), (2, erased == 2), (3, False), (4, False)]
    with connect_current(db) as con:  # the kept file's quarantine is said again
        notes = [note.render() for note in last_import_notes(con)]
    assert notes == [render("import.last_quarantined", files=[
        render("import.quarantined_file", rejected=1, read=2, file="leads.csv")])]  # fmt: skip


def test_purging_a_load_restores_an_events_earlier_reason(tmp_path):
    """Lifecycle events are keyed by lead, stage and moment: their rows were kept whole,
    with the reason and trigger only the erased load brought (re-audit 19b, finding 2)."""
    import duckdb

    from analytics.warehouse.purge import purge

    db = tmp_path / "w.duckdb"
    leads = "lead_id,created_at,source\nL1,2026-10-01T08:00:00Z,email\n"
    head = "lead_id,stage,entered_at,trigger,reason\n"
    first = head + "L1,mql,2026-10-02T08:00:00Z,score_threshold,plainreason\n"
    second = head + "L1,mql,2026-10-02T08:00:00Z,Wombattrigger,Quokkasecretreason\n"
    import_canonical(db, folder(tmp_path, "m1", leads=leads, lifecycle_events=first))
    import_canonical(db, folder(tmp_path, "m2", leads=leads, lifecycle_events=second))
    purge(db, load=2)
    events = read_core_table(db, "lifecycle_events")
    assert events.select("trigger", "reason").rows() == [("score_threshold", "plainreason")]
    with duckdb.connect(str(db)) as con:
        con.execute("CHECKPOINT")
    data = db.read_bytes()
    assert b"Quokkasecretreason" not in data and b"Wombattrigger" not in data


def test_purging_a_load_keeps_the_versions_a_later_load_saw_too(tmp_path):
    from analytics.warehouse.purge import purge

    db = tmp_path / "w.duckdb"
    import_canonical(db, folder(tmp_path, "m1", leads=MONTH_1))  # load 1: L1-L3
    import_canonical(db, folder(tmp_path, "m2", leads=MONTH_2))  # load 2: L1, L2', L4
    purge(db, load=1)  # L1 was seen by load 2 as well: it stays; L2 (old version) and L3 go
    assert sorted(read_core_table(db, "leads")["lead_id"]) == ["L1", "L2", "L4"]
    assert _counts(db, "SELECT count(*) FROM raw.leads") == [(3,)]
    assert _counts(db, "SELECT DISTINCT load_id FROM meta.raw_seen") == [(2,)]
    purge(db, load=2)  # now nothing saw them
    assert read_core_table(db, "leads").height == 0
    assert _counts(
        db, "SELECT count(*) FROM raw.leads UNION ALL SELECT count(*) FROM meta.raw_seen"
    ) == [(0,), (0,)]


def test_purging_a_lead_removes_its_sightings(tmp_path):
    from analytics.warehouse.purge import purge

    db = tmp_path / "w.duckdb"
    import_canonical(db, folder(tmp_path, "m1", leads=MONTH_1))
    import_canonical(db, folder(tmp_path, "m1", leads=MONTH_1))
    purge(db, leads=["L3"])
    assert _counts(db, "SELECT count(*), count(DISTINCT row_hash) FROM meta.raw_seen") == [(4, 2)]
    assert _counts(
        db, "SELECT count(*) FROM meta.raw_seen s ANTI JOIN raw.leads r ON r._row_hash = s.row_hash"
    ) == [(0,)]


# -- a warehouse written before row hashes: migrated on its next write --------------------------

BAD = "L5,,email\nL6,2026-10-06,email,extra\n"  # a missing created_at; one field too many


def _state(db: Path) -> dict:
    return {
        "raw": _counts(db, "SELECT * FROM raw.leads ORDER BY ALL"),
        # which columns an old loader's file lacked is not known: those sightings have none
        "seen": _counts(db, "SELECT * EXCLUDE (absent) FROM meta.raw_seen ORDER BY ALL"),
        "quarantine": _counts(db, "SELECT * EXCLUDE (loaded_at) FROM meta.quarantine ORDER BY ALL"),
        "core": _counts(db, "SELECT * FROM core.leads ORDER BY ALL"),
    }


def test_an_old_warehouse_gets_hashes_sightings_and_one_copy_of_each_version(tmp_path):
    import duckdb

    from analytics.schema import LOAD_ORDER

    first = folder(tmp_path, "m1", leads=MONTH_1 + BAD)
    copy = folder(tmp_path, "m1copy", leads=MONTH_1 + BAD)  # the same bytes, another path
    later = folder(tmp_path, "m2", leads=MONTH_2 + BAD)
    fresh = tmp_path / "fresh.duckdb"
    for d in (first, copy, later):
        import_canonical(fresh, d)

    # the same history as an older loader stored it: the whole file appended to raw per
    # load, its rejected rows quarantined again from the other path, no hashes, no sightings
    old = tmp_path / "old.duckdb"
    import_canonical(old, first)
    con = duckdb.connect(str(old))
    src, dst = str(first / "leads.csv"), str(copy / "leads.csv")
    con.execute(
        "INSERT INTO raw.leads SELECT * REPLACE (2 AS _load_id, ? AS _source_file) FROM raw.leads",
        [dst],
    )
    con.execute(
        "INSERT INTO meta.quarantine SELECT * REPLACE (2 AS load_id, ? AS source_file) "
        "FROM meta.quarantine",
        [dst],
    )
    con.execute(
        "INSERT INTO meta.loads SELECT * REPLACE (2 AS load_id, ? AS source_file) FROM meta.loads",
        [dst],
    )
    for table in LOAD_ORDER:
        con.execute(f"ALTER TABLE raw.{table} DROP COLUMN _row_hash")
    con.execute("ALTER TABLE meta.quarantine DROP COLUMN row_hash")
    con.execute("ALTER TABLE meta.quarantine DROP COLUMN source_column")  # newer still
    con.execute("DROP TABLE meta.raw_seen")
    con.close()
    assert src != dst
    # 2 x 4 rows (the row with a field too many is not readable: quarantined, not in raw)
    assert _counts(old, "SELECT count(*) FROM raw.leads") == [(8,)]

    import_canonical(old, later)  # the next write migrates, then loads
    migrated, expected = _state(old), _state(fresh)
    assert migrated["raw"] == expected["raw"]  # each version once, where it was first seen
    assert migrated["seen"] == expected["seen"]  # loads 1 and 2 saw the first file's rows
    assert migrated["quarantine"] == expected["quarantine"]  # each rejected row once
    assert migrated["core"] == expected["core"]
    assert _counts(old, "SELECT count(*) FROM meta.quarantine WHERE row_hash IS NULL") == [(0,)]
    assert _counts(old, "SELECT count(DISTINCT load_id) FROM meta.raw_seen") == [(3,)]


def test_a_rejected_cells_value_is_shown_masked(tmp_path):
    """The summary names what a rejected cell held, masked as the quarantine keeps it: an
    e-mail address typed into a date column never reaches a terminal or a CI log."""
    leads = LEADS + "L8,max.mustermann@example.com,email,u1\n"
    d = folder(tmp_path, leads=leads)
    res = runner.invoke(app, ["import", str(d), "--db", str(tmp_path / "w.duckdb")])
    assert res.exit_code == 1
    assert "max.mustermann@example.com" not in res.stderr
    (line,) = [x for x in res.stderr.splitlines() if "leads.csv:5 column created_at = " in x]
    assert "example.com" not in line and ": cannot be read as an ISO 8601" in line
    doc = json.loads(
        runner.invoke(app, ["import", str(d), "--db", str(tmp_path / "w2.duckdb"), "--json"]).stdout
    )
    (rejected,) = [r for r in doc["rejected"] if r["column"] == "created_at"]
    assert rejected["value"] and "mustermann" not in rejected["value"]


def test_a_purge_recomputes_the_coverage_and_the_attributes_history(tmp_path):
    """Purging the load that brought every touch leaves no touch: the stored coverage says
    the handoff cannot be judged (it said it could, so a review read "missed"); purging
    the lead whose source an import changed leaves no version of it."""
    from analytics.config import load_config
    from analytics.warehouse.coverage_store import read_coverage
    from analytics.warehouse.purge import purge

    cfg = load_config("data/sla.toml")

    def stored(db: Path) -> tuple[bool, list[tuple]]:
        con = connect_readonly(db)
        try:
            handoff = read_coverage(con, cfg).filter(group="handoff")["measurable"].item()
            return handoff, con.sql("SELECT lead_id, source FROM meta.lead_history").fetchall()
        finally:
            con.close()

    db = tmp_path / "w.duckdb"
    import_canonical(db, folder(tmp_path, "a", leads=LEADS, lifecycle_events=EVENTS), config=cfg)
    import_canonical(db, folder(tmp_path, "b", sales_touches=TOUCHES), config=cfg)
    assert stored(db) == (True, [])
    purge(db, load=2, config=cfg)
    assert stored(db) == (False, [])

    versions = tmp_path / "v.duckdb"
    import_canonical(versions, folder(tmp_path, "m1", leads=MONTH_1), config=cfg)
    import_canonical(versions, folder(tmp_path, "m2", leads=MONTH_2), config=cfg)
    assert stored(versions)[1] == [("L2", "email")]  # organic since the second import
    purge(versions, leads=["L2"], config=cfg)
    assert stored(versions)[1] == []


def test_a_lock_timeout_that_is_no_number_is_named(tmp_path):
    import fcntl

    db = tmp_path / "w.duckdb"
    import_canonical(db, folder(tmp_path, leads=MONTH_1))
    with open(tmp_path / "w.duckdb.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        env = {**os.environ, "SLA_LOCK_TIMEOUT": "abc", "SLA_CONFIG": "data/sla.toml"}
        proc = subprocess.run(
            [sys.executable, "-m", "analytics.cli", "purge", "--lead", "L1", "--db", str(db)],
            capture_output=True, text=True, timeout=60, env=env, check=False,
        )  # fmt: skip
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "SLA_LOCK_TIMEOUT='abc' is not a number of seconds" in " ".join(proc.stderr.split())


def test_replace_with_an_empty_export_is_refused_naming_the_file_and_the_count(tmp_path):
    """A header-only export (a filter left on) removed every lead, exit 0, no warning."""
    db = tmp_path / "w.duckdb"
    import_canonical(db, folder(tmp_path, "m1", leads=MONTH_1))
    before = read_core_table(db, "leads")
    empty = folder(tmp_path, "m2", leads="lead_id,created_at,source\n")
    res = runner.invoke(app, ["import", str(empty), "--db", str(db), "--replace"])
    assert res.exit_code == 2, res.output
    assert "leads.csv: the file has no rows: --replace would remove all " in res.output
    assert read_core_table(db, "leads").equals(before)
    # without --replace it changes nothing, and says so
    assert runner.invoke(app, ["import", str(empty), "--db", str(db)]).exit_code == 0


@pytest.mark.parametrize(
    "line", ['L2,2026-10-02T00:00:00Z,"email\n', "L2,2026-10-02T00:00:00Z\n"]
)  # a stray quote; a row with a field too few
def test_replace_with_a_line_it_cannot_read_is_refused_naming_the_line(tmp_path, line):
    """Whose row an unreadable line is, --replace cannot tell: it removed that lead, and
    its lifecycle events stayed behind without it."""
    db = tmp_path / "w.duckdb"
    import_canonical(db, folder(tmp_path, "m1", leads=MONTH_1))
    before = read_core_table(db, "leads")
    text = "lead_id,created_at,source\nL1,2026-10-01T00:00:00Z,email\n" + line
    args = ["import", str(folder(tmp_path, "m2", leads=text)), "--db", str(db), "--replace"]
    res = runner.invoke(app, args)
    assert res.exit_code == 2, res.output
    said = " ".join(res.output.split())
    assert "leads.csv: line(s) 3 cannot be read, so --replace cannot tell which of the" in said
    assert read_core_table(db, "leads").equals(before)


def test_a_version_one_load_rejected_and_another_loaded_is_the_other_loads(tmp_path):
    """Load 1 rejects L1's Bravo / AT line as a duplicate of its Alpha / DE line; load 2
    loads Bravo / AT; load 3 brings Charlie / FR. The purge of load 3 put Alpha / DE back
    in core, and the attribute history never held AT: a version any load had quarantined
    was ignored for every load (audit refresh 13)."""
    import duckdb

    from analytics.config import load_config
    from analytics.warehouse.purge import purge

    cfg = load_config("data/sla.toml")
    db = tmp_path / "w.duckdb"
    head = "lead_id,created_at,source,job_title,country\n"
    alpha, bravo, charlie = (
        f"L1,2026-10-01T08:00:00Z,email,{title},{country}\n"
        for title, country in (("Alpha", "DE"), ("Bravo", "AT"), ("Charlie", "FR"))
    )
    import_canonical(db, folder(tmp_path, "m1", leads=head + alpha + bravo), config=cfg)
    import_canonical(db, folder(tmp_path, "m2", leads=head + bravo), config=cfg)
    import_canonical(db, folder(tmp_path, "m3", leads=head + charlie), config=cfg)

    def history() -> list[str]:
        query = "SELECT country FROM meta.lead_history ORDER BY valid_until"
        with duckdb.connect(str(db), read_only=True) as con:
            return [r[0] for r in con.sql(query).fetchall()]

    assert _counts(db, "SELECT load_id, rejected FROM meta.raw_seen ORDER BY 1, 2") == [
        (1, False), (1, True), (2, False), (3, False),
    ]  # fmt: skip
    assert history() == ["DE", "AT"]  # DE until load 2, AT until load 3
    purge(db, load=3, config=cfg)
    core = read_core_table(db, "leads")
    assert core.select("job_title", "country").rows() == [("Bravo", "AT")]
    assert history() == ["DE"]


def test_a_warehouse_from_before_rejected_sightings_is_purged_as_before(tmp_path):
    """Sightings recorded before ``meta.raw_seen.rejected`` fall back to the quarantine:
    a version any load rejected counts for none (the older rule), and the purge gives the
    rebuilt warehouse today's columns."""
    import duckdb

    from analytics.warehouse.purge import purge

    db = tmp_path / "w.duckdb"
    head = "lead_id,created_at,source,job_title\n"
    rows = [f"L1,2026-10-01T08:00:00Z,email,{t}\n" for t in ("Alpha", "Bravo", "Charlie")]
    import_canonical(db, folder(tmp_path, "m1", leads=head + rows[0] + rows[1]))
    import_canonical(db, folder(tmp_path, "m2", leads=head + rows[1]))
    import_canonical(db, folder(tmp_path, "m3", leads=head + rows[2]))
    with duckdb.connect(str(db)) as con:
        con.execute("ALTER TABLE meta.raw_seen DROP COLUMN rejected")
    purge(db, load=3)
    assert read_core_table(db, "leads")["job_title"].to_list() == ["Alpha"]
    assert _counts(db, "SELECT count(*) FROM meta.raw_seen WHERE rejected IS NULL") == [(3,)]


def test_purging_a_replace_gives_back_the_rows_it_removed(tmp_path):
    """``--replace`` with a snapshot that lacks L2 removes it; erasing that load puts L2
    back as the first load had it, unless a later kept load removed it again."""
    from analytics.warehouse.purge import purge

    db = tmp_path / "w.duckdb"
    import_canonical(db, folder(tmp_path, "m1", leads=MONTH_1))  # L1-L3
    only_l1 = "\n".join(MONTH_1.splitlines()[:2]) + "\n"
    import_canonical(db, folder(tmp_path, "m2", leads=only_l1), replace=True)
    assert read_core_table(db, "leads")["lead_id"].to_list() == ["L1"]
    result = purge(db, load=2)
    # given back, not "-2 removed" (refresh re-audit, F9)
    assert result.restored == {"core.leads": 2}
    assert all(n > 0 for n in result.removed.values())
    restored = read_core_table(db, "leads").sort("lead_id")
    assert restored["lead_id"].to_list() == ["L1", "L2", "L3"]
    import_canonical(db, folder(tmp_path, "m3", leads=only_l1), replace=True)  # load 3
    import_canonical(db, folder(tmp_path, "m4", leads=MONTH_1))  # load 4 brings them back
    import_canonical(db, folder(tmp_path, "m5", leads=only_l1), replace=True)  # load 5
    purge(db, load=4)  # load 5's removal stands
    assert read_core_table(db, "leads")["lead_id"].to_list() == ["L1"]


@pytest.mark.parametrize("name", ["old.duckdb", "old"])
def test_a_warehouse_named_old_can_be_purged(tmp_path, name):
    """The rebuilt file's catalog took the name "old", the alias the purge reads the
    warehouse by: an erasure request on ``old.duckdb`` failed (refresh re-audit, F10)."""
    from analytics.warehouse.purge import purge

    db = tmp_path / name
    import_canonical(db, folder(tmp_path, "m1", leads=MONTH_1))
    purge(db, leads=["L2"])
    assert read_core_table(db, "leads")["lead_id"].to_list() == ["L1", "L3"]


def test_a_purge_gives_back_no_row_a_kept_load_removed_or_would_have(tmp_path):
    """Refresh re-audit F2, F3: the purge gave back L2 although a later kept full snapshot
    lacked it too, and kept L2 that only the erased load had put back after a kept
    ``--replace`` removed it."""
    from analytics.warehouse.purge import purge

    only_l1 = "\n".join(MONTH_1.splitlines()[:2]) + "\n"
    db = tmp_path / "w.duckdb"
    import_canonical(db, folder(tmp_path, "a1", leads=MONTH_1))  # L1-L3
    import_canonical(db, folder(tmp_path, "a2", leads=only_l1), replace=True)  # removes L2, L3
    import_canonical(db, folder(tmp_path, "a3", leads=only_l1), replace=True)  # a snapshot again
    purge(db, load=2)  # load 3 would have removed them as well
    assert read_core_table(db, "leads")["lead_id"].to_list() == ["L1"]

    again = tmp_path / "v.duckdb"
    import_canonical(again, folder(tmp_path, "b1", leads=MONTH_1))
    import_canonical(again, folder(tmp_path, "b2", leads=only_l1), replace=True)
    import_canonical(again, folder(tmp_path, "b3", leads=MONTH_2))  # L2 changed, L4: upsert
    purge(again, load=3)  # L2 and L3 stay removed, as load 2 left them
    assert read_core_table(again, "leads")["lead_id"].to_list() == ["L1"]


def test_the_history_of_two_loads_known_from_the_same_moment_follows_their_order(tmp_path):
    """Load 1 rejects B's first line (an unknown account) and loads its second (vp); load 2,
    known from the same moment, loads the first line's version (c_level). The history held
    c_level as the version replaced, by the raw rows' order rather than the loads' (refresh
    re-audit F4)."""
    import duckdb

    from analytics.config import load_config

    cfg = load_config("data/sla.toml")
    head = "lead_id,created_at,source,account_id,seniority\n"
    first = "B,2026-09-02T08:00:00Z,organic,ACC9,c_level\n"
    db = tmp_path / "w.duckdb"
    loads = (
        folder(
            tmp_path,
            "e1",  # an account is known, so ACC9 is an unknown one
            accounts="account_id,name\nACC1,Other\n",
            leads=head + first + "B,2026-09-02T08:00:00Z,organic,,vp\n",
        ),
        folder(tmp_path, "e2", accounts="account_id,name\nACC9,Acme\n", leads=head + first),
    )
    for d in loads:
        import_canonical(db, d, config=cfg)
    with duckdb.connect(str(db), read_only=True) as con:
        history = con.sql("SELECT account_id, seniority FROM meta.lead_history").fetchall()
    assert history == [(None, "vp")]


#: Warehouse file names DuckDB would take for one of the warehouse's schemas (its catalog
#: is named after the file; names are case-insensitive).
SCHEMA_NAMED = ["core.duckdb", "raw.duckdb", "meta.duckdb", "Results.duckdb", "core.v2.duckdb"]


def refused(res, db: Path) -> bool:
    """Exit 2 with a message naming the file, no traceback (spec/cli.md)."""
    return (
        res.exit_code == 2
        and isinstance(res.exception, SystemExit)
        and f"{db}: a warehouse file cannot be named {db.name}" in res.stderr
        and "Traceback" not in res.output
    )


@pytest.mark.parametrize("name", SCHEMA_NAMED)
def test_import_and_demo_refuse_a_warehouse_named_like_a_schema(tmp_path, name):
    """`sla import --db x/core.duckdb` printed DuckDB's "Ambiguous reference to catalog or
    schema" with a traceback, exit 1 (metrics audit 2026-12-06, L2)."""
    db = tmp_path / "out" / name
    source = folder(tmp_path, leads=LEADS)
    for args in (["import", str(source)], ["demo", "--leads", "100"]):
        res = runner.invoke(app, [*args, "--db", str(db)])
        assert refused(res, db), (args, res.output, res.exception)
    assert not (tmp_path / "out").exists()  # nothing made: no file, no lock
    with pytest.raises(WarehouseError, match=r"cannot be named .*choose another name"):
        import_canonical(db, source)


#: The commands that open a warehouse to read it (`sla purge` rebuilds it: below).
READERS = (
    ["info"],
    ["review", "--month", "2026-10"],
    ["alerts"],
    ["precompute"],
    ["score", "report"],
    ["config", "history"],
)


@pytest.mark.parametrize("name", ["core.duckdb", "meta.duckdb"])
def test_a_warehouse_renamed_like_a_schema_is_refused_by_every_reader(tmp_path, name):
    built = tmp_path / "w.duckdb"
    import_canonical(built, folder(tmp_path, leads=LEADS, lifecycle_events=EVENTS))
    db = tmp_path / name
    db.write_bytes(built.read_bytes())
    for args in READERS:
        res = runner.invoke(app, [*args, "--db", str(db), "--json"])
        assert refused(res, db) and res.stdout == "", (args, res.output, res.exception)
    with pytest.raises(WarehouseError, match=f"cannot be named {name}"):
        connect_readonly(db)
    with pytest.raises(WarehouseError, match=f"cannot be named {name}"), connect_current(db):
        pass
    # an erasure is not refused for a name: the purge reads the file by an alias (F10)
    res = runner.invoke(app, ["purge", "--lead", "L2", "--db", str(db)])
    assert res.exit_code == 0 and "Traceback" not in res.output, res.output
    db.rename(built)
    assert read_core_table(built, "leads")["lead_id"].to_list() == ["L1", "L3"]


def test_every_schema_of_a_warehouse_is_one_a_file_name_may_not_take(tmp_path):
    import duckdb

    from analytics.config import load_config
    from analytics.precompute import refresh_results
    from analytics.warehouse.connection import SCHEMAS
    from analytics.warehouse.notifications import create_notifications_table

    db = tmp_path / "w.duckdb"
    import_canonical(db, folder(tmp_path, leads=LEADS))
    refresh_results(db, load_config("data/sla.toml"))  # the results schema
    with duckdb.connect(str(db)) as con:
        create_notifications_table(con)  # the meta schema of an older version's send log
        found = {
            r[0]
            for r in con.execute(
                "SELECT schema_name FROM information_schema.schemata "
                "WHERE catalog_name = current_database()"
            ).fetchall()
        }
    assert found - {"main"} == set(SCHEMAS)
