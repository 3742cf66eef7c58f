"""A lead ``--replace`` removes takes its rows along (audit 2026-12-06 messy exports,
finding 10): its lifecycle events, activities, sales touches and nurture enrollments in
core go with it, whichever file or format gave them, counted as removed per table and
recorded in ``meta.removed`` so that ``sla purge --load`` gives them back. Before, a call
of a contact the refresh removed was quarantined ("refers to an unknown lead") and its
stored row stayed (a rejected row's key keeps its old row), a touch of a lead that is gone.
Opportunities are the account's: a deal stays, naming the lead id it had.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
from export_support import csv_folder as _folder
from typer.testing import CliRunner

from analytics.cli import app
from analytics.warehouse import ImportFailed, import_canonical, read_core_table
from analytics.warehouse.adapters import import_export
from analytics.warehouse.purge import purge

HUBSPOT = Path(__file__).parent / "fixtures" / "exports" / "hubspot"
#: contact 103's touches in the HubSpot fixture (two calls, two e-mails)
TOUCHES_103 = ["7002", "7003", "8005", "8006"]


def _rows(db: Path, table: str, lead: str) -> list[str]:
    rows = read_core_table(db, table).filter(pl.col("lead_id") == lead)
    return sorted(str(r[0]) for r in rows.rows())


def _without_103(target: Path, *names: str) -> Path:
    """A HubSpot folder with the fixture's ``names`` and its contacts without 103."""
    target.mkdir()
    for name in names:
        shutil.copy(HUBSPOT / name, target / name)
    lines = (HUBSPOT / "contacts.csv").read_text("utf-8").splitlines(keepends=True)
    (target / "contacts.csv").write_text("".join(x for x in lines if not x.startswith("103,")))
    return target


def _removed_log(db: Path, table: str) -> list[tuple]:
    """The last load's rows of ``table`` in the load log: file name, removed, replaced."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "SELECT regexp_extract(source_file, '[^/]*$'), rows_removed, replaced "
            "FROM meta.loads WHERE table_name = ? AND load_id = "
            "(SELECT max(load_id) FROM meta.loads) ORDER BY source_file",
            [table],
        ).fetchall()


@pytest.mark.parametrize(
    ("files", "log"),
    [
        # the calls and e-mails exports name 103's touches: rejected, their rows went
        (("calls.csv", "emails.csv", "deals.csv", "companies.csv"),
         [("calls.csv", 4, True), ("emails.csv", 0, True)]),
        # without them (kinds the folder lacks) the lead's touches go all the same
        ((), [("contacts.csv", 4, False)]),
    ],
    ids=["whole export", "contacts alone"],
)  # fmt: skip
def test_a_hubspot_replace_that_removes_a_contact_removes_its_touches(tmp_path, files, log):
    db = tmp_path / "w.duckdb"
    import_export(db, HUBSPOT, fmt="hubspot")
    assert _rows(db, "sales_touches", "103") == TOUCHES_103
    touches = read_core_table(db, "sales_touches").height
    result = import_export(db, _without_103(tmp_path / "b", *files), fmt="hubspot", replace=True)
    assert _rows(db, "leads", "103") == []
    assert _rows(db, "sales_touches", "103") == []
    assert _rows(db, "lifecycle_events", "103") == []
    assert read_core_table(db, "sales_touches").height == touches - 4
    assert result.changes["sales_touches"]["removed"] == 4
    assert _removed_log(db, "sales_touches") == log
    # the deal is the account's: it stays, naming the lead
    deals = read_core_table(db, "opportunities")
    assert deals.filter(pl.col("opportunity_id") == "5003")["lead_id"].to_list() == ["103"]
    # purging the replace gives the lead back with every row it took
    done = purge(db, load=2)
    assert _rows(db, "sales_touches", "103") == TOUCHES_103
    assert done.restored == {
        "core.leads": 1, "core.lifecycle_events": 2, "core.sales_touches": 4,
    }  # fmt: skip


LEADS = "lead_id,created_at,source\nL1,2026-10-01T08:00:00Z,email\nL2,2026-10-02T08:00:00Z,email\n"
EVENTS = "lead_id,stage,entered_at\nL1,lead,2026-10-01T08:00:00Z\nL2,lead,2026-10-02T08:00:00Z\n"
TOUCHES = (
    "touch_id,lead_id,rep_id,occurred_at,channel,outcome\n"
    "t1,L1,u1,2026-10-02T10:00:00Z,phone,connected\n"
    "t2,L2,u1,2026-10-03T10:00:00Z,phone,no_answer\n"
)
ACTIVITIES = "activity_id,lead_id,occurred_at,type\na1,L2,2026-10-02T09:00:00Z,webinar\n"


def test_a_canonical_replace_removes_a_leads_rows_in_every_table(tmp_path):
    """leads.csv without L2 beside a touches file that still has L2's touch: the touch was
    rejected and its stored row kept; L2's event and activity (tables the folder has no
    file for) stayed too. Now all go, each counted in its table, and the CLI shows them."""
    db = tmp_path / "w.duckdb"
    first = _folder(
        tmp_path / "a",
        leads=LEADS,
        lifecycle_events=EVENTS,
        sales_touches=TOUCHES,
        activities=ACTIVITIES,
    )
    import_canonical(db, first)
    shutil.copy(db, tmp_path / "before.duckdb")
    only_l1 = "".join(LEADS.splitlines(keepends=True)[:2])
    second = _folder(tmp_path / "b", leads=only_l1, sales_touches=TOUCHES)
    res = CliRunner().invoke(app, ["import", str(second), "--db", str(db), "--replace", "--json"])
    assert res.exit_code == 1, res.output  # t2 is rejected: its lead is unknown
    tables = json.loads(res.stdout)["tables"]
    assert {t: c["removed"] for t, c in tables.items()} == {
        "leads": 1, "lifecycle_events": 1, "activities": 1, "sales_touches": 1,
    }  # fmt: skip
    for table in ("leads", "lifecycle_events", "activities", "sales_touches"):
        assert _rows(db, table, "L2") == [], table
    # the text summary has a row of each table, the two without a file among them
    copy = tmp_path / "copy.duckdb"
    shutil.copy(tmp_path / "before.duckdb", copy)
    text = CliRunner().invoke(app, ["import", str(second), "--db", str(copy), "--replace"])
    rows = {line.split()[0]: line.split() for line in text.stderr.splitlines() if "│" in line}
    assert rows["activities"] == ["activities", "│", "0", "│", "0", "│", "0", "│", "0", "│", "1"]
    assert _rows(db, "sales_touches", "L1") == ["t1"]
    purge(db, load=2)
    assert [_rows(db, t, "L2") for t in ("lifecycle_events", "activities", "sales_touches")] == [
        ["L2"], ["a1"], ["t2"],
    ]  # fmt: skip


def test_a_purge_gives_back_no_row_of_a_lead_a_kept_replace_removed(tmp_path):
    """Load 2 removes L2 with its rows; load 3 (kept) no longer has L2 either: purging
    load 2 gives back neither L2 nor, without it, its touch."""
    db = tmp_path / "w.duckdb"
    import_canonical(db, _folder(tmp_path / "a", leads=LEADS, sales_touches=TOUCHES))
    only_l1 = "".join(LEADS.splitlines(keepends=True)[:2])
    import_canonical(db, _folder(tmp_path / "b", leads=only_l1), replace=True)
    import_canonical(db, _folder(tmp_path / "c", leads=only_l1), replace=True)
    done = purge(db, load=2)
    assert sorted(read_core_table(db, "sales_touches")["touch_id"].to_list()) == ["t1"]
    assert done.restored == {}


def test_a_replace_that_fails_after_removing_a_lead_leaves_the_warehouse_as_it_was(tmp_path):
    db = tmp_path / "w.duckdb"
    import_export(db, HUBSPOT, fmt="hubspot")
    before = db.read_bytes()
    part = _without_103(tmp_path / "b")
    (part / "calls.csv").write_text(HUBSPOT.joinpath("calls.csv").read_text().splitlines()[0])
    with pytest.raises(ImportFailed, match=r"calls\.csv: the file has no rows"):
        import_export(db, part, fmt="hubspot", replace=True)
    assert db.read_bytes() == before
    assert _rows(db, "sales_touches", "103") == TOUCHES_103
