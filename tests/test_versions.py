"""The attributes' history (meta.lead_history, meta.account_history): which versions an
import replaced, built from the raw layer, as the scores read them."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from analytics.config import load_config
from analytics.scoring.rules import attribute_changes
from analytics.warehouse import connect_readonly, import_canonical, load_tables

CFG = load_config("data/sla.toml")
LEADS = "lead_id,created_at,source,account_id,seniority\n"
ACCOUNTS = "account_id,name,industry,employees,country\n"
# a lead created after the loads of these tests: the data's latest moment in the last load
LAST = "L99,2027-06-01T09:00:00Z,email,,\n"


def load(db: Path, folder: Path, replace: bool = False, **tables: str) -> None:
    folder.mkdir()
    for table, text in tables.items():
        (folder / f"{table}.csv").write_text(text, encoding="utf-8")
    import_canonical(db, folder, config=CFG, replace=replace)


def history(db: Path, table: str, *columns: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(f"SELECT {', '.join(columns)} FROM meta.{table} ORDER BY 1").fetchall()


def test_a_version_the_import_rejected_is_no_version(tmp_path):
    """L5 moves to an account nobody knows (rejected into the quarantine), then becomes a
    c_level at its own account: it was a manager at A1 until then, never at A99."""
    db = tmp_path / "w.duckdb"
    accounts = ACCOUNTS + "A1,Alpha,software,100,DE\n"
    load(db, tmp_path / "1", accounts=accounts, leads=LEADS + "L5,2026-01-05,email,A1,manager\n")
    load(db, tmp_path / "2", leads=LEADS + "L5,2026-01-05,email,A99,vp\n")
    load(db, tmp_path / "3", leads=LEADS + "L5,2026-01-05,email,A1,c_level\n" + LAST)
    assert history(db, "lead_history", "lead_id", "account_id", "seniority") == [
        ("L5", "A1", "manager")
    ]


def test_a_lead_removed_by_a_snapshot_and_added_back_keeps_its_earlier_version(tmp_path):
    db = tmp_path / "w.duckdb"
    load(db, tmp_path / "1", leads=LEADS + "L1,2026-01-05,email,,manager\nL2,2026-01-06,email,,\n")
    load(db, tmp_path / "2", replace=True, leads=LEADS + "L2,2026-01-06,email,,\n")
    load(db, tmp_path / "3", leads=LEADS + "L1,2026-01-05,email,,c_level\n" + LAST)
    assert history(db, "lead_history", "lead_id", "seniority") == [("L1", "manager")]


def test_a_change_to_an_account_the_lead_has_left_is_a_step_of_its_score(tmp_path):
    """A1 turns from software to retail (load 2) while L3 still belongs to it; then L3
    moves to A2 (load 3): both change L3's fit, so both are moments of its score."""
    db = tmp_path / "w.duckdb"
    accounts = ACCOUNTS + "A1,Alpha,software,100,DE\nA2,Beta,retail,20,AT\n"
    load(db, tmp_path / "1", accounts=accounts, leads=LEADS + "L3,2026-01-05,email,A1,\n")
    load(db, tmp_path / "2", accounts=accounts.replace("software", "retail"))
    load(db, tmp_path / "3", leads=LEADS + "L3,2026-01-05,email,A2,\n" + LAST)
    con = connect_readonly(db)
    try:
        tables = load_tables(con).collect()
        known = con.sql(  # each load's data is known from its latest moment
            "SELECT load_id, least(min(loaded_at), max(data_as_of)) FROM meta.loads "
            "GROUP BY 1 ORDER BY 1"
        ).fetchall()
    finally:
        con.close()
    changes = attribute_changes(tables).filter(pl.col("lead_id") == "L3").collect()
    assert sorted(changes["at"].to_list()) == [known[1][1], known[2][1]]


def test_a_later_import_does_not_move_when_an_earlier_change_became_known(tmp_path):
    """L1 becomes a c_level in the second export, whose data ends on 1 February: from then
    on the new seniority counts, also after a third export whose data ends in March."""
    db = tmp_path / "w.duckdb"
    lead = "L1,2026-01-05,email,,{}\n"
    load(db, tmp_path / "1", leads=LEADS + lead.format("manager") + "L2,2026-01-10,email,,\n")
    load(db, tmp_path / "2", leads=LEADS + lead.format("c_level") + "L3,2026-02-01,email,,\n")
    until = history(db, "lead_history", "lead_id", "valid_until")
    load(db, tmp_path / "3", leads=LEADS + lead.format("c_level") + "L4,2026-03-01,email,,\n")
    assert history(db, "lead_history", "lead_id", "valid_until") == until
    assert [(k, v.date().isoformat()) for k, v in until] == [("L1", "2026-02-01")]


def test_a_column_an_export_left_out_is_no_empty_version(tmp_path):
    """Load 2 lacks the seniority column (renamed): core kept "manager", so the history
    must too; load 3 makes L6 a vp, then load 4 an export without seniority again.
    Before, load 2 was a version with no seniority (a score between loads 2 and 3 read
    no seniority at all)."""
    db = tmp_path / "w.duckdb"
    no_seniority = "lead_id,created_at,source,account_id\n"
    load(db, tmp_path / "1", leads=LEADS + "L6,2026-01-05,email,,manager\n")
    load(db, tmp_path / "2", leads=no_seniority + "L6,2026-01-05,email,\n")
    load(db, tmp_path / "3", leads=LEADS + "L6,2026-01-05,email,,vp\n")
    load(db, tmp_path / "4", leads=no_seniority + "L6,2026-01-05,organic,\n" + LAST[:-3] + "\n")
    assert history(db, "lead_history", "lead_id", "source", "seniority") == [
        ("L6", "email", "manager"),
        ("L6", "email", "vp"),
    ]
    with connect_readonly(db) as con:
        assert load_tables(con).leads.filter(pl.col("lead_id") == "L6").select(
            "source", "seniority"
        ).collect().row(0) == ("organic", "vp")
