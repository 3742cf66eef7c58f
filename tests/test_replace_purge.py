"""Purging an earlier ``--replace`` after a later one that said nothing of what the earlier
one removed (audit 2026-12-06 messy exports, finding 16).

``sla purge --load`` gives back what the erased load removed from core unless a later
kept load would have removed it too. The load log said only *that* a later load replaced
the table (``meta.loads.replaced``), and any later sighting of a lead's events counted as
restating them, so a later partial folder (Salesforce's Lead.csv alone, HubSpot without
its calls export or without the MQL date column, a canonical upsert of another event of
the lead) kept the removed row out. The load log now records what each file said nothing
of (``meta.loads.scopes``), and the purge replays it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest
from export_support import folder_of

from analytics.warehouse import import_canonical, read_core_table
from analytics.warehouse.adapters import import_export
from analytics.warehouse.purge import purge

EXPORTS = Path(__file__).parent / "fixtures" / "exports"


def _without(source: Path, name: str, start: str) -> str:
    """The text of ``source/name`` without its lines that start with ``start``."""
    lines = (source / name).read_text("utf-8").splitlines(keepends=True)
    return "".join(line for line in lines if not line.startswith(start))


def _events(db: Path, lead: str) -> list[tuple]:
    events = read_core_table(db, "lifecycle_events").filter(pl.col("lead_id") == lead)
    return (
        events.sort("entered_at", "stage")
        .select("stage", pl.col("entered_at").dt.strftime("%m-%d %H:%M"), "trigger")
        .rows()
    )


#: 00Q1000000L0001EAB's events from the whole Salesforce fixture
L0001 = [
    ("lead", "09-01 08:00", "created"),
    ("mql", "09-03 10:00", "status_change"),
    ("sal", "09-04 09:00", "status_change"),
    ("opportunity", "09-10 11:30", "opportunity_created"),
    ("sql", "09-10 11:30", "status_change"),
    ("customer", "10-01 00:00", "won"),
]


@pytest.mark.parametrize(
    ("later", "expected"),
    [
        # Lead.csv alone says nothing of status changes: load 2's removal is undone
        (("Lead.csv",), L0001),
        # with LeadHistory.csv (0172 still missing) load 3 would have removed it too
        (("Lead.csv", "LeadHistory.csv"), [e for e in L0001 if e[0] != "mql"]),
    ],
    ids=["Lead.csv alone", "with LeadHistory.csv"],
)
def test_salesforce_a_later_folder_without_leadhistory_lets_the_purge_give_the_event_back(
    tmp_path, later, expected
):
    """Load 2 (the whole folder, LeadHistory.csv without 0172) removed L0001's MQL status
    change; load 3 (Lead.csv alone) kept every status change. Purging load 2 left the MQL
    out: load 3 had replaced lifecycle events and dated L0001's creation."""
    source = EXPORTS / "salesforce"
    db = tmp_path / "w.duckdb"
    import_export(db, source, fmt="salesforce")
    assert _events(db, "00Q1000000L0001EAB") == L0001
    full = folder_of(tmp_path / "full")
    shutil.copytree(source, full, dirs_exist_ok=True)
    (full / "LeadHistory.csv").write_text(_without(source, "LeadHistory.csv", "0172,"), "utf-8")
    import_export(db, full, fmt="salesforce", replace=True)  # load 2
    part = folder_of(tmp_path / "part", full, *later)
    import_export(db, part, fmt="salesforce", replace=True)  # load 3
    assert _events(db, "00Q1000000L0001EAB") == [e for e in L0001 if e[0] != "mql"]
    result = purge(db, load=2)
    assert _events(db, "00Q1000000L0001EAB") == expected
    assert result.restored == ({"core.lifecycle_events": 1} if len(later) == 1 else {})


def _touches(db: Path) -> list[str]:
    return sorted(read_core_table(db, "sales_touches")["touch_id"].to_list())


def test_hubspot_a_later_folder_without_the_calls_export_lets_the_purge_give_the_call_back(
    tmp_path,
):
    """Load 2 (calls.csv without 7002) removed that call; load 3 (no calls.csv) kept every
    call. Purging load 2 left 7002 out: load 3 had replaced the touches (with e-mails)."""
    source = EXPORTS / "hubspot"
    db = tmp_path / "w.duckdb"
    import_export(db, source, fmt="hubspot")
    every = _touches(db)
    assert "7002" in every
    others = ("contacts.csv", "companies.csv", "deals.csv", "emails.csv")
    calls = _without(source, "calls.csv", "7002,")
    import_export(db, folder_of(tmp_path / "b", source, *others, **{"calls.csv": calls}),
                  fmt="hubspot", replace=True)  # fmt: skip
    import_export(db, folder_of(tmp_path / "c", source, *others), fmt="hubspot", replace=True)
    assert _touches(db) == [t for t in every if t != "7002"]
    result = purge(db, load=2)
    assert _touches(db) == every
    assert result.restored == {"core.sales_touches": 1}


def _contacts(drop_column: bool, clear: str | None = None) -> str:
    """The HubSpot fixture's contacts, without the MQL date column or with one cleared."""
    frame = pl.read_csv(EXPORTS / "hubspot" / "contacts.csv", infer_schema=False)
    mql = "Became a Marketing Qualified Lead Date"
    if drop_column:
        frame = frame.drop(mql)
    if clear is not None:
        frame = frame.with_columns(
            pl.when(pl.col("Record ID") == clear).then(None).otherwise(pl.col(mql)).alias(mql)
        )
    return frame.write_csv()


def test_hubspot_a_later_export_without_the_mql_column_lets_the_purge_give_the_mql_back(
    tmp_path,
):
    """Load 2 cleared 103's MQL date (its MQL removed); load 3's contacts export has no MQL
    column, which says nothing of MQLs. Purging load 2 left 103 without its MQL."""
    db = tmp_path / "w.duckdb"
    import_export(db, EXPORTS / "hubspot", fmt="hubspot")
    before = _events(db, "103")
    assert ("mql", "09-06 16:45", "hubspot_lifecycle") in before
    cleared = folder_of(tmp_path / "b", **{"contacts.csv": _contacts(False, clear="103")})
    import_export(db, cleared, fmt="hubspot", replace=True)
    lacking = folder_of(tmp_path / "c", **{"contacts.csv": _contacts(True)})
    import_export(db, lacking, fmt="hubspot", replace=True)
    assert _events(db, "103") == [e for e in before if e[0] != "mql"]
    result = purge(db, load=2)
    assert _events(db, "103") == before
    assert result.restored == {"core.lifecycle_events": 1}


LEADS = "lead_id,created_at,source\nL1,2026-10-01T08:00:00Z,email\nL2,2026-10-02T08:00:00Z,email\n"
EVENTS = (
    "lead_id,stage,entered_at\n"
    "L1,lead,2026-10-01T08:00:00Z\nL1,mql,2026-10-02T08:00:00Z\nL1,sql,2026-10-05T08:00:00Z\n"
)


@pytest.mark.parametrize(
    ("third", "replace", "expected"),
    [
        # an upsert of L1's SAL says nothing of its SQL
        ("L1,sal,2026-10-04T08:00:00Z\n", False, ["lead", "mql", "sal", "sql"]),
        # a replace of the events without the SQL would have removed it too
        ("L1,lead,2026-10-01T08:00:00Z\nL1,mql,2026-10-02T08:00:00Z\n", True, ["lead", "mql"]),
    ],
    ids=["upsert", "replace"],
)
def test_canonical_a_later_load_of_other_events_lets_the_purge_give_the_event_back(
    tmp_path, third, replace, expected
):
    """Load 2 replaced the events without L1's SQL; load 3 upserted another event of L1.
    Purging load 2 left the SQL out: any later sighting of an event of the lead counted as
    a restatement of all its events."""
    db = tmp_path / "w.duckdb"
    import_canonical(
        db, folder_of(tmp_path / "a", **{"leads.csv": LEADS, "lifecycle_events.csv": EVENTS})
    )
    without_sql = "".join(EVENTS.splitlines(keepends=True)[:3])
    import_canonical(
        db, folder_of(tmp_path / "b", **{"lifecycle_events.csv": without_sql}), replace=True
    )
    head = "lead_id,stage,entered_at\n"
    import_canonical(
        db, folder_of(tmp_path / "c", **{"lifecycle_events.csv": head + third}), replace=replace
    )
    purge(db, load=2)
    assert [e[0] for e in _events(db, "L1")] == expected
