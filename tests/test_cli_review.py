"""`sla review` and `sla info` as people read them: units, reasons, nothing left behind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analytics.cli import app
from analytics.config import load_config
from analytics.tables import Tables
from analytics.warehouse import write_tables

CFG = load_config("data/sla.toml")
runner = CliRunner()


def ev(lead: str, stage: str, when: str) -> dict:
    return {"lead_id": lead, "stage": stage, "entered_at": when}


def touch(touch_id: str, lead: str, when: str, outcome: str) -> dict:
    return {"touch_id": touch_id, "lead_id": lead, "rep_id": "r1", "occurred_at": when,
            "channel": "phone", "outcome": outcome}  # fmt: skip


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """October 2026 (UTC): A and B become MQLs, A is recycled after one unanswered attempt
    (a premature recycle), B is reached; C is a new lead. No web traffic, no SQL, no SAL."""
    tables = Tables.from_rows(
        reps=[{"rep_id": "r1", "name": "Rita", "team": "sdr"}],
        leads=[
            {"lead_id": x, "created_at": when, "source": "email", "owner_rep_id": "r1"}
            for x, when in [("A", "2026-09-20T08:00:00Z"), ("B", "2026-09-20T08:00:00Z"),
                            ("C", "2026-10-01T07:00:00Z")]
        ],
        lifecycle_events=[
            ev("A", "lead", "2026-09-20T08:00:00Z"), ev("B", "lead", "2026-09-20T08:00:00Z"),
            ev("C", "lead", "2026-10-01T07:00:00Z"), ev("A", "mql", "2026-10-01T08:00:00Z"),
            ev("A", "recycled", "2026-10-02T10:00:00Z"), ev("B", "mql", "2026-10-02T08:00:00Z"),
        ],
        sales_touches=[touch("t1", "A", "2026-10-01T09:00:00Z", "no_answer"),
                       touch("t2", "B", "2026-10-02T09:00:00Z", "connected")],
    )  # fmt: skip
    db = tmp_path_factory.mktemp("cli-review") / "w.duckdb"
    write_tables(db, {n: lf.collect() for n, lf in tables.items()}, source="t", config=CFG)
    return db


def _review_text(warehouse: Path) -> list[str]:
    args = ["review", "--month", "2026-10", "--as-of", "2026-10-03T12:00:00Z", "--no-record"]
    result = runner.invoke(app, [*args, "--db", str(warehouse)])
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def _kpi_rows(lines: list[str]) -> dict[str, list[str]]:
    """KPI label -> (value, target, previous, status) as printed in the KPI table."""
    start = lines.index(next(x for x in lines if x.strip() == "KPIs"))
    rows = {}
    for line in lines[start + 3 :]:
        cells = [c.strip() for c in line.split("│")]
        if len(cells) != 6:
            break
        if cells[0]:  # a label wrapped onto a second line has no team
            rows[cells[1]] = cells[2:]
    return rows


def test_a_running_months_kpis_read_in_their_metrics_unit(warehouse):
    """3 of 31 days: the volume targets are pro-rated (MQLs 700 x 3/31 = 67.7, premature
    recycles 5 x 3/31 = 0.48), yet a count stays a count, shown as the app shows it."""
    lines = _review_text(warehouse)
    kpis = _kpi_rows(lines)
    assert kpis["MQLs delivered"] == ["2", "67.7", "-", "missed"]
    assert kpis["Premature recycles"] == ["1", "0.5", "-", "missed"]
    assert kpis["Stale leads"] == ["0", "10", "-", "met"]
    assert kpis["First touch within SLA"] == ["100.0 %", "90.0 %", "-", "met"]
    assert kpis["Median hours to first"] == ["1.0 h", "8.0 h", "-", "met"]
    assert kpis["Attempts per MQL"] == ["1.0", "5.0", "-", "missed"]
    assert (
        "Running (3 of 31 days): volume targets pro-rated by the days elapsed "
        "(MQLs delivered 700 -> 67.7; Premature recycles 5 -> 0.5)."
    ) in lines


def test_each_reason_a_kpi_has_no_data_is_printed_once_under_the_table(warehouse):
    lines = _review_text(warehouse)
    kpis = _kpi_rows(lines)
    assert [k for k, row in kpis.items() if row[-1] == "no data"] == [
        "Visitor -> lead", "Lead -> MQL", "MQL -> SQL (lead quality)", "MQLs rejected by sales",
    ]  # fmt: skip
    assert [x for x in lines if x.startswith("no data: ")] == [
        "no data: Visitor -> lead: No web traffic was imported: import web_traffic (visitors "
        "per day and source).",
        # A and B became leads in September: 2 MQLs of 1 new lead is no share of them
        "no data: Lead -> MQL: More MQLs (2) than leads (1) this month: leads reached the later "
        "stage without passing the earlier one in the month, so the ratio is no share, has no "
        "confidence interval and is not judged.",
        "no data: MQL -> SQL (lead quality): No lifecycle event of stage sql was imported, so "
        "SQLs cannot be counted: import the sql events (when each lead became an SQL).",
        "no data: MQLs rejected by sales: No accepted (SAL) or rejected leads with a reason "
        "were imported: import the sal, disqualified and recycled lifecycle events.",
    ]


def test_a_complete_month_names_no_pro_rated_target(warehouse):
    args = ["review", "--month", "2026-10", "--as-of", "2026-11-02T00:00:00Z", "--no-record"]
    result = runner.invoke(app, [*args, "--db", str(warehouse)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert _kpi_rows(lines)["MQLs delivered"][:2] == ["2", "700"]
    assert not [x for x in lines if x.startswith("Running")]


def test_info_on_a_missing_warehouse_exits_2_and_leaves_no_file(tmp_path):
    result = runner.invoke(app, ["info", "--db", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 2
    assert "w.duckdb: no warehouse here" in result.stderr
    assert list(tmp_path.iterdir()) == []


def _write(db: Path, tables: Tables) -> Path:
    write_tables(db, {n: lf.collect() for n, lf in tables.items()}, source="t", config=CFG)
    return db


def test_a_review_as_of_an_earlier_moment_judges_only_what_was_known_then(tmp_path):
    """The touches known on 1 November end in September (a tracking gap), so as of then
    the October handoffs cannot be judged, although the coverage stored at import (of all
    the data, whose touches go on in November) says they can. The review as of then
    equals the review of a warehouse holding only the rows known then."""
    rows = {
        "reps": [{"rep_id": "r1", "name": "Rita", "team": "sdr"}],
        "leads": [{"lead_id": x, "created_at": when, "source": "email", "owner_rep_id": "r1"}
                  for x, when in [("Z", "2026-09-01T07:00:00Z"), ("A", "2026-10-01T07:00:00Z")]],
        "lifecycle_events": [ev("Z", "lead", "2026-09-01T07:00:00Z"),
                             ev("A", "lead", "2026-10-01T07:00:00Z"),
                             ev("A", "mql", "2026-10-01T08:00:00Z")],
        "sales_touches": [touch("t0", "Z", "2026-09-01T09:00:00Z", "connected")],
    }  # fmt: skip
    later = [touch("t1", "A", "2026-11-02T09:00:00Z", "connected")]
    with_later = {**rows, "sales_touches": rows["sales_touches"] + later}
    full = _write(tmp_path / "full.duckdb", Tables.from_rows(**with_later))
    known = _write(tmp_path / "known.duckdb", Tables.from_rows(**rows))
    args = ["review", "--month", "2026-10", "--as-of", "2026-11-01T00:00:00Z", "--no-record",
            "--json"]  # fmt: skip
    documents = []
    for db in (full, known):
        result = runner.invoke(app, [*args, "--db", str(db)])
        assert result.exit_code == 0, result.output
        documents.append(json.loads(result.stdout))
    as_of_then, known_then = documents
    assert as_of_then["handoff"] == known_then["handoff"]
    assert as_of_then["handoff"]["compliance"] is None
    assert as_of_then["coverage"] == known_then["coverage"]
