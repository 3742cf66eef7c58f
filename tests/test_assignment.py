"""Assignment delay vs rep delay: ``leads.assigned_at`` from the canonical format and
HubSpot, the split of the time to first touch into routing's part and the rep's, on the
Handoffs page's review and in the pack. Hand-computed fixtures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest

from analytics.config import load_config
from analytics.handoff import assignment_by_rep, assignment_split
from analytics.pack import build_pack
from analytics.pack.render import render_html, render_markdown
from analytics.review import build_review
from analytics.tables import Tables
from analytics.warehouse import connect_readonly, import_canonical, load_tables, read_core_table

CFG = load_config("data/sla.toml")
AS_OF = datetime(2026, 11, 15, tzinfo=UTC)


def t(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 10, day, hour, minute, tzinfo=UTC)


# -- the split, by hand ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("assigned", "touch", "status", "routing", "rep"),
    [
        # MQL at 10-01 09:00 in every row
        (t(1, 11), t(1, 14), "after_mql", 2.0, 3.0),  # routed in 2 h, touched 3 h later
        (t(1, 9, 30), None, "after_mql", 0.5, None),  # routed, not touched yet: rep unknown
        (t(1, 8), t(1, 14), "before_mql", 0.0, 5.0),  # owned already: the clock starts at MQL
        (t(1, 9), t(1, 10), "before_mql", 0.0, 1.0),  # assigned at the MQL itself
        (None, t(1, 14), "unknown", None, None),  # no assigned_at: null, never 0
        (t(1, 16), t(1, 14), "after_first_touch", None, None),  # a later owner: no split
        (AS_OF + timedelta(hours=1), None, "not_assigned", None, None),  # after as_of
    ],
)
def test_the_time_to_first_touch_splits_into_routing_and_the_rep(
    assigned, touch, status, routing, rep
):
    speed = pl.LazyFrame(
        {"lead_id": ["a"], "episode": [1], "owner_rep_id": ["r1"], "started_at": [t(1, 9)],
         "first_touch_at": [touch]},
        schema_overrides={"first_touch_at": pl.Datetime("us", "UTC")},
    )  # fmt: skip
    leads = pl.LazyFrame(
        {"lead_id": ["a"], "assigned_at": [assigned]},
        schema_overrides={"assigned_at": pl.Datetime("us", "UTC")},
    )
    row = assignment_split(speed, leads, as_of=AS_OF).collect().row(0, named=True)
    assert (row["assignment"], row["routing_hours"], row["rep_hours"]) == (status, routing, rep)


def test_the_split_keeps_every_episode_in_order_and_reads_only_their_leads():
    # two episodes of b, one of a whose lead row is missing (unknown), leads no episode has
    speed = pl.LazyFrame(
        {"lead_id": ["b", "a", "b"], "episode": [2, 1, 1], "owner_rep_id": "r1",
         "started_at": [t(3, 9), t(1, 9), t(1, 9)], "first_touch_at": [None, None, t(1, 12)]},
        schema_overrides={"first_touch_at": pl.Datetime("us", "UTC")},
    )  # fmt: skip
    leads = pl.LazyFrame(
        {"lead_id": ["c", "b", "d"], "assigned_at": [t(1, 1), t(1, 10), t(2, 2)]},
        schema_overrides={"assigned_at": pl.Datetime("us", "UTC")},
    )
    got = assignment_split(speed, leads, as_of=AS_OF).collect()
    assert got.select("lead_id", "episode", "assignment", "routing_hours", "rep_hours").rows() == [
        ("b", 2, "before_mql", 0.0, None),  # assigned 10-01, MQL again 10-03: owned already
        ("a", 1, "unknown", None, None),  # no lead row: unknown, never 0
        ("b", 1, "after_mql", 1.0, 2.0),
    ]


def test_per_rep_medians_count_only_the_episodes_with_an_assignment():
    split = pl.LazyFrame(
        {"owner_rep_id": ["r1", "r1", "r1", "r2"],
         "assignment": ["after_mql", "after_mql", "unknown", "unknown"],
         "routing_hours": [1.0, 3.0, None, None], "rep_hours": [4.0, None, None, None]}
    )  # fmt: skip
    got = assignment_by_rep(split).collect()
    assert got.select("rep_id", "episodes", "with_assignment").rows() == [
        ("r1", 3, 2),
        ("r2", 1, 0),
    ]
    # routing median of 1 h and 3 h; the rep's of the touched episode only; r2: unknown
    assert got["median_routing_hours"].to_list() == [2.0, None]
    assert got["median_rep_hours"].to_list() == [4.0, None]


# -- the review and the pack ---------------------------------------------------------------


def _tables(with_assignment: bool) -> Tables:
    """October: L1 (Ana) MQL 10-01 09:00, assigned 11:00, touched 14:00 -> routing 2 h, rep
    3 h; L2 (Ana) assigned 09-30 (before its MQL 10-02 09:00), touched 10-02 10:00 -> 0 h,
    1 h; L3 (Ben) MQL 10-05 09:00, no assignment time, touched after 48 h -> unknown."""
    assigned = {"L1": t(1, 11), "L2": datetime(2026, 9, 30, tzinfo=UTC), "L3": None}
    mqls = {"L1": ("r1", t(1, 9), t(1, 14)), "L2": ("r1", t(2, 9), t(2, 10)),
            "L3": ("r2", t(5, 9), t(7, 9))}  # fmt: skip
    return Tables.from_rows(
        reps=[
            {"rep_id": "r1", "name": "Ana Alpha", "team": "sdr"},
            {"rep_id": "r2", "name": "Ben Beta", "team": "sdr"},
        ],
        leads=[
            # L3 created in October: the leads reach the month, so its MQL episodes are known
            {"lead_id": lead, "created_at": t(5, 8) if lead == "L3" else
             datetime(2026, 9, 1, tzinfo=UTC), "source": "email",
             "owner_rep_id": rep, "assigned_at": assigned[lead] if with_assignment else None}
            for lead, (rep, _, _) in mqls.items()
        ],
        lifecycle_events=[
            {"lead_id": lead, "stage": "mql", "entered_at": at} for lead, (_, at, _) in mqls.items()
        ],
        sales_touches=[
            {"touch_id": f"t-{lead}", "lead_id": lead, "rep_id": rep, "occurred_at": touch,
             "channel": "phone", "outcome": "connected"}
            for lead, (rep, _, touch) in mqls.items()
        ],
    )  # fmt: skip


def test_the_review_holds_routings_part_and_the_reps_part_per_rep():
    review = build_review(_tables(True), CFG, month="2026-10", as_of=AS_OF)
    assert review.assignment_by_rep.rows() == [
        ("r1", "Ana Alpha", 2, 2, 1.0, 2.0),  # routing (2 + 0) / 2, rep (3 + 1) / 2
        ("r2", "Ben Beta", 1, 0, None, None),
    ]
    assert review.assignment == {
        "episodes": 3, "with_assignment": 2, "median_routing_hours": 1.0,
        "median_rep_hours": 2.0,
    }  # fmt: skip
    md = render_markdown(build_pack(_tables(True), CFG, month="2026-10", as_of=AS_OF))
    assert "### Assignment delay vs rep delay" in md
    assert "| Ana Alpha | 2 | 2 | 1.0 | 2.0 |" in md
    de = render_markdown(build_pack(_tables(True), CFG, month="2026-10", as_of=AS_OF), lang="de")
    assert "### Zuweisung oder Mitarbeiter?" in de and "| Ana Alpha | 2 | 2 | 1,0 | 2,0 |" in de


def test_without_assigned_at_the_split_is_unknown_and_the_pack_says_why():
    review = build_review(_tables(False), CFG, month="2026-10", as_of=AS_OF)
    assert review.assignment["with_assignment"] == 0
    assert review.assignment["median_routing_hours"] is None  # unknown, not 0
    pack = build_pack(_tables(False), CFG, month="2026-10", as_of=AS_OF)
    sentence = (
        "No lead has an assignment time (leads.assigned\\_at), so routing's part cannot be "
        "told from the rep's."
    )
    assert sentence in render_markdown(pack)  # (Markdown escapes the underscore)
    assert "Kein Lead hat einen Zuweisungszeitpunkt" in render_html(pack, charts=False, lang="de")


# -- the import ----------------------------------------------------------------------------


def _canonical(folder: Path, *, assigned: bool) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "reps.csv").write_text("rep_id,name,team\nr1,Ana,sdr\n")
    header = "lead_id,created_at,source,owner_rep_id" + (",assigned_at" if assigned else "")
    rows = ["L1,2026-10-01T08:00:00Z,email,r1", "L2,2026-10-01T08:00:00Z,email,r1"]
    if assigned:
        rows = [rows[0] + ",2026-10-01T09:30:00Z", rows[1] + ","]
    (folder / "leads.csv").write_text("\n".join([header, *rows]) + "\n")
    return folder


def test_canonical_leads_load_an_optional_assigned_at(tmp_path):
    db = tmp_path / "w.duckdb"
    import_canonical(db, _canonical(tmp_path / "in", assigned=True), config=CFG)
    leads = read_core_table(db, "leads").sort("lead_id")
    assert leads["assigned_at"].to_list() == [
        datetime(2026, 10, 1, 9, 30, tzinfo=UTC),
        None,
    ]


def test_a_warehouse_built_before_assigned_at_reads_it_as_null_and_gains_it(tmp_path):
    db = tmp_path / "w.duckdb"
    folder = _canonical(tmp_path / "in", assigned=False)
    import_canonical(db, folder, config=CFG)
    with duckdb.connect(str(db)) as con:  # as an older version built it
        con.execute("ALTER TABLE core.leads DROP COLUMN assigned_at")
        con.execute("ALTER TABLE raw.leads DROP COLUMN assigned_at")
        raw_rows = con.execute("SELECT count(*) FROM raw.leads").fetchall()
    con = connect_readonly(db)
    try:
        assert load_tables(con).leads.select("assigned_at").collect()["assigned_at"].to_list() == [
            None,
            None,
        ]
    finally:
        con.close()
    # the same file again: the column is added, and no row counts as a new version
    result = import_canonical(db, folder, config=CFG)
    assert result.loaded["leads"] == 2
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw.leads").fetchall() == raw_rows
        assert con.execute("SELECT count(assigned_at) FROM core.leads").fetchall() == [(0,)]


def test_hubspot_owner_assigned_date_becomes_assigned_at(tmp_path):
    from analytics.warehouse.adapters import import_export

    folder = tmp_path / "hubspot"
    folder.mkdir()
    (folder / "contacts.csv").write_text(
        "Record ID,Create Date,Contact owner,Owner assigned date,Original Source\n"
        "101,2026-09-01 08:00,Jana Vogel,2026-09-03 10:15,Organic Search\n"
        "102,2026-09-02 09:30,Jana Vogel,,Paid Search\n"
    )
    import_export(tmp_path / "w.duckdb", folder, fmt="hubspot")
    leads = read_core_table(tmp_path / "w.duckdb", "leads").sort("lead_id")
    assert leads["assigned_at"].to_list() == [datetime(2026, 9, 3, 10, 15, tzinfo=UTC), None]


def test_the_review_json_has_the_split_with_null_not_zero_when_unknown():
    known = build_review(_tables(True), CFG, month="2026-10", as_of=AS_OF).to_json_dict()
    unknown = build_review(_tables(False), CFG, month="2026-10", as_of=AS_OF).to_json_dict()
    assert known["assignment"]["median_rep_hours"] == 2.0
    assert unknown["assignment"] == {
        "episodes": 3, "with_assignment": 0, "median_routing_hours": None,
        "median_rep_hours": None,
    }  # fmt: skip
