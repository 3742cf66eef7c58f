"""Coverage (spec/coverage.md): only what the data can answer is judged, by hand."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import polars as pl
import pytest
from review_support import daily_touches

from analytics.config import SegmentTarget, load_config
from analytics.coverage import (
    _JUDGED,
    COVERAGE_SCHEMA,
    GROUPS,
    MQL_ONLY_TRIGGER,
    UNDATED_TRIGGER,
    WON_ONLY_TRIGGER,
    coverage,
    last_complete_month,
    month_coverage,
    month_days,
    to_json,
    within_coverage,
)
from analytics.review import build_review, kpi_history
from analytics.schema import TABLES
from analytics.tables import Tables
from analytics.texts import render
from analytics.warehouse import write_tables
from analytics.warehouse.coverage_store import read_coverage
from analytics.warehouse.database import _sql_filter

CFG = load_config("data/sla.toml")  # months in UTC; first touch within 24 h; MQL target 700


def ev(lead, stage, at, **kw):
    return {"lead_id": lead, "stage": stage, "entered_at": at, **kw}


def lead(lid, created, source="email", owner="r1"):
    return {"lead_id": lid, "created_at": created, "source": source, "owner_rep_id": owner}


def touch(tid, lid, at):
    return {"touch_id": tid, "lead_id": lid, "rep_id": "r1", "occurred_at": at,
            "channel": "phone", "outcome": "no_answer"}  # fmt: skip


# Leads and MQLs from January; sales touches tracked only since March (until 1 April:
# lead Z, an event lead without an MQL, is touched every day).
# February: MQL F (10 Feb), untouched (before touches were tracked). March: MQL M (10 Mar),
# touched 2 h later (met) and MQL N (12 Mar), untouched (missed).
MARCH = Tables.from_rows(
    reps=[{"rep_id": "r1", "name": "Rita", "team": "sdr"}],
    leads=[lead("J", "2026-01-05T09:00:00Z"), lead("F", "2026-02-09T09:00:00Z"),
           lead("M", "2026-03-09T09:00:00Z"), lead("N", "2026-03-11T09:00:00Z"),
           lead("Z", "2026-03-01T09:00:00Z", source="event")],
    lifecycle_events=[ev("J", "mql", "2026-01-06T09:00:00Z"),
                      ev("F", "mql", "2026-02-10T09:00:00Z"),
                      ev("M", "mql", "2026-03-10T09:00:00Z"),
                      ev("N", "mql", "2026-03-12T09:00:00Z")],
    sales_touches=[touch("T1", "M", "2026-03-10T11:00:00Z"),
                   *daily_touches("Z", "2026-03-11", "2026-04-01")],
)  # fmt: skip
AS_OF = datetime(2026, 4, 2, 12, tzinfo=UTC)


def test_coverage_of_the_tables():
    c = coverage(MARCH, config=CFG)
    assert c["group"].to_list() == list(GROUPS)
    rows = {r["group"]: r for r in c.iter_rows(named=True)}
    assert (rows["handoff"]["measurable"], rows["handoff"]["from"]) == (True, date(2026, 3, 10))
    # the latest first row (MQL J, 6 Jan) and the earliest last row (lead N, 11 Mar)
    assert (rows["funnel"]["from"], rows["funnel"]["to"]) == (date(2026, 1, 6), date(2026, 3, 11))
    assert rows["revenue"]["measurable"] is False
    assert rows["revenue"]["reason"] == (  # no opportunity at all, so not "no amounts"
        "No opportunities were imported: import opportunities."
    )
    assert rows["nurture"]["needs"] == ["nurture_enrollments"]
    doc = to_json(c)
    assert doc["handoff"] == {"measurable": True, "from": "2026-03-10", "to": "2026-04-01",
                              "needs": ["sales_touches"], "reason": None}  # fmt: skip
    assert month_coverage(c, "2026-02", timezone="Europe/Berlin")["handoff"] is False
    assert month_coverage(c, "2026-03", timezone="Europe/Berlin")["handoff"] is True


def test_review_computing_its_coverage_equals_one_given_it():
    given = build_review(MARCH, CFG, month="2026-03", as_of=AS_OF,
                         coverage=coverage(MARCH.until(AS_OF), config=CFG))  # fmt: skip
    computed = build_review(MARCH, CFG, month="2026-03", as_of=AS_OF)
    assert computed.to_json_dict() == given.to_json_dict()
    assert computed.to_json_dict()["handoff"]["met"] == 1  # March is measured, not null


def test_touches_from_march_make_february_handoff_null_and_march_measured():
    feb = build_review(MARCH, CFG, month="2026-02", as_of=AS_OF).to_json_dict()
    mar = build_review(MARCH, CFG, month="2026-03", as_of=AS_OF).to_json_dict()
    # February: F's MQL was never touched, but touches were not tracked yet: unknown
    assert feb["coverage"]["handoff"] is False and feb["coverage"]["funnel"] is True
    assert feb["volumes"]["mqls"] == 1
    assert feb["handoff"] == dict.fromkeys(
        ("met", "missed", "pending", "compliance", "median_hours_to_first_touch")
    )
    assert feb["cadence"]["compliance"] is None
    assert feb["breaches"]["handoff"] is None and feb["breaches"]["never_contacted"] is None
    kpi = {k["metric"]: k for k in feb["kpis"]}
    assert kpi["handoff_compliance"]["value"] is None
    assert kpi["handoff_compliance"]["status"] == "no_data"
    assert kpi["handoff_compliance"]["reason"] == (
        "The data for it runs from 2026-03-10 to 2026-04-01, not into this month."
    )
    # March: M met (2 h), N missed: 1 of 2; the handoff KPI is judged (target 90 %)
    assert (mar["handoff"]["met"], mar["handoff"]["missed"], mar["handoff"]["pending"]) == (1, 1, 0)
    assert mar["handoff"]["compliance"] == 0.5
    kpi = {k["metric"]: k for k in mar["kpis"]}
    assert (kpi["handoff_compliance"]["status"], kpi["handoff_compliance"]["reason"]) == (
        "missed", None,
    )  # fmt: skip
    # and February, March's previous month, has no handoff value to compare with
    assert kpi["handoff_compliance"]["previous"] is None


def test_kpi_history_has_no_trend_dot_where_the_data_cannot_answer():
    h = kpi_history(MARCH, CFG, month="2026-03", months=3, as_of=AS_OF)
    row = h.filter(pl.col("metric") == "handoff_compliance").select("month", "value", "status")
    assert row.rows() == [("2026-01", None, "no_data"), ("2026-02", None, "no_data"),
                          ("2026-03", 0.5, "missed")]  # fmt: skip


# An export of leads and their outcome only (X Education): every lead a ``lead`` event,
# the converted ones a ``customer`` event; no stage in between was ever recorded.
OUTCOMES = Tables.from_rows(
    leads=[lead("A", "2026-03-02T09:00:00Z"), lead("B", "2026-03-03T09:00:00Z"),
           lead("C", "2026-03-04T09:00:00Z")],
    lifecycle_events=[ev("A", "lead", "2026-03-02T09:00:00Z"),
                      ev("B", "lead", "2026-03-03T09:00:00Z"),
                      ev("C", "lead", "2026-03-04T09:00:00Z"),
                      ev("A", "customer", "2026-03-20T09:00:00Z")],
)  # fmt: skip


def test_a_stage_never_recorded_is_unknown_not_zero():
    doc = build_review(OUTCOMES, CFG, month="2026-03", as_of=AS_OF).to_json_dict()
    stages = {g: doc["coverage"][g] for g in GROUPS if g.endswith("_stage")}
    assert stages == {"lead_stage": True, "mql_stage": False, "sal_stage": False,
                      "sql_stage": False, "opportunity_stage": False, "customer_stage": True,
                      "recycled_stage": False, "disqualified_stage": False}  # fmt: skip
    volumes = doc["volumes"]
    assert (volumes["leads"], volumes["customers"]) == (3, 1)  # what was recorded is counted
    unrecorded = ("mqls", "sals", "sqls", "opportunities", "recycled", "disqualified")
    assert [volumes[k] for k in unrecorded] == [None] * 6  # not 0 recycled, 0 disqualified
    assert doc["nurture"]["remql"]["rate"] is None  # no recycle recorded: not 0 / 0
    assert set(doc["conversion"].values()) == {None}  # every rate touches an unrecorded stage
    kpi = {k["metric"]: k for k in doc["kpis"]}
    for metric in ("mqls", "lead_to_mql", "mql_to_sql"):  # 0 MQLs would read "missed"
        assert (kpi[metric]["value"], kpi[metric]["status"]) == (None, "no_data"), metric
        assert kpi[metric]["reason"] == (
            "No lifecycle event of stage mql was imported, so MQLs cannot be counted: import "
            "the mql events (when each lead became an MQL)."
        )


def test_a_recorded_stage_without_entries_this_month_counts_zero():
    # MQLs are recorded (January, March), none entered in February: 0 MQLs, not unknown
    tables = Tables.from_rows(
        leads=[lead("J", "2026-01-05T09:00:00Z"), lead("F", "2026-02-09T09:00:00Z"),
               lead("M", "2026-03-09T09:00:00Z")],
        lifecycle_events=[ev("J", "mql", "2026-01-06T09:00:00Z"),
                          ev("F", "lead", "2026-02-09T09:00:00Z"),
                          ev("M", "mql", "2026-03-10T09:00:00Z")],
    )  # fmt: skip
    doc = build_review(tables, CFG, month="2026-02", as_of=AS_OF).to_json_dict()
    assert (doc["volumes"]["leads"], doc["volumes"]["mqls"], doc["volumes"]["sqls"]) == (1, 0, None)
    kpi = {k["metric"]: k for k in doc["kpis"]}
    assert (kpi["lead_to_mql"]["value"], kpi["lead_to_mql"]["status"]) == (0.0, "missed")


@pytest.mark.parametrize(
    ("tables", "lang", "reason"),
    [
        (OUTCOMES, "de", "Es wurde kein Lebenszyklus-Ereignis der Phase sql importiert, daher "
         "lassen sich SQLs nicht zählen: die sql-Ereignisse importieren (wann jeder Lead zum "
         "SQL wurde)."),
        # no lifecycle events at all: the funnel's reason, not "no sql event", and not
        # "no leads" beside the leads there are
        (Tables.from_rows(leads=[lead("A", "2026-03-02T09:00:00Z")]), "en",
         "Leads were imported, but no lifecycle stage: import lifecycle_events (when each lead "
         "became an MQL, SAL, SQL ...; in a CRM export, the stage-date columns)."),
        (Tables.from_rows(leads=[lead("A", "2026-03-02T09:00:00Z")]), "de",
         "Es wurden Leads importiert, aber keine Lebenszyklus-Phase: lifecycle_events "
         "importieren (wann jeder Lead MQL, SAL, SQL ... wurde; in einem CRM-Export die "
         "Spalten mit den Phasendaten)."),
        (Tables.empty(), "en",
         "No leads or lifecycle stages were imported: import leads and lifecycle_events."),
    ],
)  # fmt: skip
def test_the_reason_a_stage_cannot_be_counted(tables, lang, reason):
    from analytics.coverage import reason as why

    c = coverage(tables, config=CFG)
    assert why("sql_stage", c, lang=lang) == reason
    assert c.filter(pl.col("group") == "sql_stage")["reason"][0] == why("sql_stage", c)


@pytest.mark.parametrize(
    ("opportunities", "reason"),
    [
        # no opportunity at all: that is what to import, not "amounts"
        ([], "No opportunities were imported: import opportunities."),
        ([{"opportunity_id": "O", "lead_id": "A", "created_at": "2026-03-08T09:00Z",
           "closed_at": "2026-03-20T09:00Z", "amount": 0.0, "status": "won"}],
         "The opportunities carry no amounts: import opportunities with their amount."),
    ],
)  # fmt: skip
def test_the_reason_revenue_cannot_be_measured(opportunities, reason):
    from analytics.coverage import reason as why

    tables = Tables.from_rows(leads=[lead("A", "2026-03-02T09:00:00Z")],
                              opportunities=opportunities)  # fmt: skip
    c = coverage(tables, config=CFG)
    assert why("revenue", c) == reason == c.filter(pl.col("group") == "revenue")["reason"][0]


@pytest.mark.parametrize(
    ("as_of", "tz", "month"),
    [
        (datetime(2026, 4, 2, 12, tzinfo=UTC), "Europe/Berlin", "2026-03"),
        (datetime(2026, 3, 31, 22, 30, tzinfo=UTC), "Europe/Berlin", "2026-03"),  # 00:30 on 1 Apr
        (datetime(2026, 3, 31, 22, 30, tzinfo=UTC), "UTC", "2026-02"),  # still 31 Mar in UTC
        (datetime(2026, 1, 1, 0, 0, tzinfo=UTC), "UTC", "2025-12"),
    ],
)
def test_default_month_is_the_last_complete_month(as_of, tz, month):
    assert last_complete_month(as_of, timezone=tz) == month


def test_review_without_month_reviews_the_last_complete_month():
    review = build_review(MARCH, CFG, as_of=AS_OF)
    assert (review.month, review.running) == ("2026-03", False)


def test_running_month_pro_rates_volume_targets():
    # as_of 10 Mar 12:00 UTC: day 10 of 31 in Berlin. MQLs J..M: March has M (10 Mar 09:00)
    as_of = datetime(2026, 3, 10, 12, tzinfo=UTC)
    cfg = CFG.model_copy(update={"goals": CFG.goals.model_copy(update={"mql_target_monthly": 3.1})})
    cfg = cfg.model_copy(
        update={
            "kpis": cfg.kpis.model_copy(
                update={
                    "marketing": [
                        k.model_copy(update={"target": 3.1}) if k.metric == "mqls" else k
                        for k in cfg.kpis.marketing
                    ]
                }
            )
        }
    )
    review = build_review(MARCH, cfg, month="2026-03", as_of=as_of)
    assert (review.running, review.days_elapsed, review.days_in_month) == (True, 10, 31)
    doc = review.to_json_dict()
    assert doc["running"] is True and doc["days"] == {"elapsed": 10, "in_month": 31}
    kpi = {k["metric"]: k for k in doc["kpis"]}
    # target 3.1 MQLs a month x 10 / 31 days = 1.0: 1 MQL so far is met, not missed
    assert kpi["mqls"]["value"] == 1.0
    assert kpi["mqls"]["target"] == pytest.approx(1.0)
    assert (kpi["mqls"]["full_target"], kpi["mqls"]["status"]) == (3.1, "met")
    # a rate is judged against its target as it is; a running month is not compared
    assert kpi["handoff_compliance"]["target"] == 0.9
    assert kpi["mqls"]["previous"] is None and kpi["mqls"]["change"] is None
    # the same month once complete: 2 MQLs against 3.1 -> missed
    done = build_review(MARCH, cfg, month="2026-03", as_of=AS_OF)
    kpi = {k["metric"]: k for k in done.to_json_dict()["kpis"]}
    assert (kpi["mqls"]["value"], kpi["mqls"]["target"], kpi["mqls"]["status"]) == (
        2.0, 3.1, "missed",
    )  # fmt: skip
    assert month_days("2026-03", as_of, timezone="Europe/Berlin") == (10, 31)


def test_segment_leaves_volume_kpis_unjudged_without_its_own_target():
    review = build_review(MARCH, CFG, month="2026-03", as_of=AS_OF, segment={"source": "email"})
    kpi = {r["metric"]: r for r in review.kpis.iter_rows(named=True)}
    assert kpi["mqls"]["value"] == 2.0  # shown
    assert (kpi["mqls"]["target"], kpi["mqls"]["status"]) == (None, "no_data")
    assert kpi["mqls"]["reason"] == (
        "Not judged for a segment: the SLA config sets no target for it."
    )
    assert kpi["handoff_compliance"]["status"] == "missed"  # a rate: judged against 90 %
    pace = review.pacing.filter(pl.col("period") == "month")
    assert pace["target"].null_count() == pace.height  # no pacing for a segment
    assert pace["pace"].null_count() == pace.height


def test_segment_with_its_own_target_is_judged():
    goals = CFG.goals.model_copy(
        update={"segments": [SegmentTarget(by="source", value="email", mql_target_monthly=2)]}
    )
    cfg = CFG.model_copy(update={"goals": goals})
    review = build_review(MARCH, cfg, month="2026-03", as_of=AS_OF, segment={"source": "email"})
    kpi = {r["metric"]: r for r in review.kpis.iter_rows(named=True)}
    assert (kpi["mqls"]["value"], kpi["mqls"]["target"], kpi["mqls"]["status"]) == (
        2.0, 2.0, "met",
    )  # fmt: skip


def test_pending_episode_is_not_a_breach():
    # N's MQL at 12 Mar 09:00, judged at 12 Mar 20:00: 11 h of 24 gone, untouched: pending
    as_of = datetime(2026, 3, 12, 20, tzinfo=UTC)
    review = build_review(MARCH, CFG, month="2026-03", as_of=as_of)
    assert review.handoff["pending"] == 1
    assert "N" not in review.breaches["never_contacted"]["lead_id"].to_list()
    assert "N" not in review.breaches["handoff"]["lead_id"].to_list()


def test_unknown_revenue_is_null_not_zero():
    t = Tables.from_rows(
        leads=[lead("A", "2026-03-01T09:00:00Z")],
        lifecycle_events=[ev("A", "mql", "2026-03-02T09:00:00Z")],
        opportunities=[{"opportunity_id": "O", "lead_id": "A", "created_at": "2026-03-03T09:00Z",
                        "closed_at": "2026-03-04T09:00Z", "amount": 0.0, "status": "won"}],
    )  # fmt: skip
    doc = build_review(t, CFG, month="2026-03", as_of=AS_OF).to_json_dict()
    assert doc["volumes"]["deals_won"] == 1  # deals are known
    assert doc["volumes"]["won_revenue"] is None  # their amounts are not
    assert doc["coverage"]["revenue"] is False


def test_won_deals_after_the_funnel_ends_have_no_opportunity_to_won_rate():
    """Olist: the closed deals run to November, the leads and their stages end in May; in
    October 21 deals were won of an unknown number of opportunities (it read 100 %, 21 / 21:
    the opportunities of the won deals' own events)."""
    t = Tables.from_rows(
        leads=[lead("A", "2026-01-05T09:00:00Z"), lead("B", "2026-02-05T09:00:00Z")],
        lifecycle_events=[ev("A", "opportunity", "2026-02-12T09:00:00Z"),
                          ev("B", "opportunity", "2026-03-06T09:00:00Z"),
                          ev("B", "customer", "2026-03-10T09:00:00Z")],
        opportunities=[{"opportunity_id": "O", "lead_id": "B", "created_at": "2026-02-10T09:00Z",
                        "closed_at": "2026-03-10T09:00Z", "amount": 900.0, "status": "won"}],
    )  # fmt: skip
    doc = build_review(t, CFG, month="2026-03", as_of=AS_OF).to_json_dict()
    assert doc["coverage"]["deals"] is True and doc["coverage"]["opportunity_stage"] is False
    assert doc["volumes"]["deals_won"] == 1
    assert doc["volumes"]["opportunities"] is None
    assert doc["conversion"]["opportunity_to_won"] is None
    counts = doc["conversion_counts"]["opportunity_to_won"]
    assert {k: v for k, v in counts.items() if k != "reason"} == dict.fromkeys(
        counts.keys() - {"reason"}
    )
    assert counts["reason"].startswith("The data for it runs from")  # why, in the JSON too
    # where the funnel reaches, the rate is measured: February, 0 won of 1 opportunity
    feb = build_review(t, CFG, month="2026-02", as_of=AS_OF).to_json_dict()
    assert feb["conversion_counts"]["opportunity_to_won"] == {
        "x": 0, "n": 1, "rate": 0.0, "ci_low": 0.0, "ci_high": pytest.approx(0.7935, abs=1e-4),
        "reason": None,
    }  # fmt: skip


def test_coverage_is_stored_at_import_and_in_sla_info(tmp_path):
    db = tmp_path / "w.duckdb"
    frames = {
        name: getattr(MARCH, name).collect() for name in ("reps", "leads", "lifecycle_events",
                                                          "sales_touches")
    }  # fmt: skip
    write_tables(db, frames, source="test", config=CFG)
    con = duckdb.connect(str(db), read_only=True)
    try:
        stored = read_coverage(con)
    finally:
        con.close()
    assert stored is not None
    assert stored.equals(coverage(MARCH, config=CFG))
    proc = subprocess.run(
        [sys.executable, "-m", "analytics.cli", "info", "--db", str(db), "--json"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert info["coverage"]["handoff"]["from"] == "2026-03-10"
    assert info["coverage"]["visitors"]["measurable"] is False
    assert info["coverage"]["visitors"]["needs"] == ["web_traffic"]


def test_the_acceptance_filter_is_read_by_duckdb_whole():
    # when it did not translate, the whole lifecycle table was read (1 GB at 10M leads)
    sql = _sql_filter(_JUDGED, TABLES["lifecycle_events"].polars_schema)
    assert sql is not None
    assert all(term in sql for term in ("'sal'", "'disqualified'", "'recycled'", "reason"))


@pytest.mark.parametrize(
    ("measurable", "span", "kept"),
    [
        (True, (date(2026, 3, 10), date(2026, 3, 31)), ["M", "N"]),  # F: before the touches
        (True, (date(2026, 3, 10), date(2026, 3, 10)), ["M"]),
        (False, (None, None), []),  # no touch at all: no episode can be judged
    ],
)
def test_within_coverage_keeps_the_rows_of_the_days_the_data_covers(measurable, span, kept):
    c = pl.DataFrame({"group": ["handoff"], "measurable": [measurable],
                      "from": [span[0]], "to": [span[1]]})  # fmt: skip
    eps = pl.LazyFrame(
        {"lead_id": ["F", "M", "N"], "started_at": [datetime(2026, 2, 20, 9, tzinfo=UTC),
         datetime(2026, 3, 10, 9, tzinfo=UTC), datetime(2026, 3, 12, 9, tzinfo=UTC)]}
    )  # fmt: skip
    got = within_coverage(eps, "started_at", group="handoff", coverage=c).collect()
    assert got["lead_id"].to_list() == kept
    assert within_coverage(eps, "started_at", group="cadence", coverage=c).collect().height == 0


def test_the_stored_coverage_is_read_for_its_own_config_and_precompute_records_another(
    tmp_path,
):
    """Coverage's days are the reporting time zone's: on Kiritimati (UTC+14) the first
    touch, 10 March 11:00 UTC, falls on 11 March. A coverage stored for UTC is not read
    for it; ``sla precompute`` with that config records its own."""
    from typer.testing import CliRunner

    from analytics.cli import app
    from analytics.config import parse_config

    db = tmp_path / "w.duckdb"
    frames = {n: getattr(MARCH, n).collect() for n in ("reps", "leads", "lifecycle_events",
                                                       "sales_touches")}  # fmt: skip
    write_tables(db, frames, source="test", config=CFG)
    text = Path("data/sla.toml").read_text(encoding="utf-8")
    far_text = text.replace('timezone = "UTC"', 'timezone = "Pacific/Kiritimati"', 1)
    far_path = tmp_path / "far.toml"
    far_path.write_text(far_text, encoding="utf-8")
    far = parse_config(far_text)

    def info(config_path: str) -> dict:
        args = ["info", "--db", str(db), "--config", config_path, "--json"]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)["coverage"]["handoff"]

    def stored(config) -> pl.DataFrame | None:
        with duckdb.connect(str(db), read_only=True) as con:
            return read_coverage(con, config)

    assert stored(CFG) is not None and stored(far) is None
    assert info(str(far_path))["from"] == "2026-03-11"  # computed for its time zone
    assert info("data/sla.toml")["from"] == "2026-03-10"
    result = CliRunner().invoke(app, ["precompute", "--db", str(db), "--config", str(far_path)])
    assert result.exit_code == 0, result.output
    assert stored(far).equals(coverage(MARCH, config=far)) and stored(CFG) is None


def test_a_coverage_stored_before_its_key_is_read_as_then_until_precompute_keys_it(tmp_path):
    """A warehouse of an earlier version has no key on its coverage: `sla info` and the app
    read it as they did (not recomputed on every visit), and `sla precompute` keys it."""
    from typer.testing import CliRunner

    from analytics.cli import app
    from analytics.warehouse.coverage_store import coverage_config_key, stored_config_key

    db = tmp_path / "w.duckdb"
    write_tables(db, {"leads": MARCH.leads.collect()}, source="test", config=CFG)
    with duckdb.connect(str(db)) as con:
        con.execute("ALTER TABLE meta.coverage DROP COLUMN config_key")
    with duckdb.connect(str(db), read_only=True) as con:
        assert stored_config_key(con) is None and read_coverage(con, CFG) is not None
    result = CliRunner().invoke(app, ["precompute", "--db", str(db), "--config", "data/sla.toml"])
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(db), read_only=True) as con:
        assert stored_config_key(con) == coverage_config_key(CFG)


def _marked_warehouse(tmp_path: Path, **extra: pl.DataFrame) -> Path:
    """MARCH stored, its stored coverage marked (handoff from 1 Jan 2000) so that a test
    sees whether the stored coverage or a computed one was read."""
    db = tmp_path / "w.duckdb"
    frames = {n: getattr(MARCH, n).collect() for n in ("reps", "leads", "lifecycle_events",
                                                       "sales_touches")}  # fmt: skip
    write_tables(db, {**frames, **extra}, source="test", config=CFG)
    with duckdb.connect(str(db)) as con:
        con.execute(
            """UPDATE meta.coverage SET "from" = DATE '2000-01-01' WHERE "group" = 'handoff'"""
        )
    return db


MARKED, COMPUTED = date(2000, 1, 1), date(2026, 3, 10)
LATEST = datetime(2026, 4, 1, 7, tzinfo=UTC)  # Z's last touch, the latest timestamp of MARCH


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("as loaded", MARKED),
        ("as_of the latest moment", MARKED),
        ("collected", MARKED),
        ("held", MARKED),
        ("as_of a day earlier", COMPUTED),  # the data known then: computed
        ("cut to the latest moment", COMPUTED),  # other tables: nothing says they are the same
        ("leads replaced", COMPUTED),
        ("another time zone", None),  # computed for it: 11 March on Kiritimati
    ],
)
def test_known_coverage_reads_the_stored_one_only_for_the_same_data_and_config(
    tmp_path, case, expected
):
    from analytics.config import parse_config
    from analytics.coverage import known_coverage
    from analytics.warehouse import load_tables
    from analytics.warehouse.database import load_tables_held

    db = _marked_warehouse(tmp_path)
    config, as_of = CFG, None
    with duckdb.connect(str(db), read_only=True) as con:
        tables = load_tables_held(con) if case == "held" else load_tables(con)
        if case == "as_of the latest moment":
            as_of = LATEST
        elif case == "collected":
            tables = tables.collect()
        elif case == "as_of a day earlier":
            as_of = datetime(2026, 3, 11, 9, tzinfo=UTC)
        elif case == "cut to the latest moment":
            tables = tables.until(LATEST)
        elif case == "leads replaced":
            tables = dataclasses.replace(tables, leads=tables.leads.filter(pl.lit(True)))
        elif case == "another time zone":
            text = Path("data/sla.toml").read_text(encoding="utf-8")
            config = parse_config(
                text.replace('timezone = "UTC"', 'timezone = "Pacific/Kiritimati"', 1)
            )
            expected = date(2026, 3, 11)
        got = known_coverage(tables, config=config, as_of=as_of)
    assert got.filter(group="handoff")["from"].item() == expected
    assert got.columns == list(COVERAGE_SCHEMA)


def test_known_coverage_computes_when_traffic_runs_past_the_moment(tmp_path):
    # the traffic of 2 April is after the latest timestamp's day: Tables.until(latest) drops it
    traffic = Tables.from_rows(web_traffic=[
        {"date": "2026-03-01", "source": "email", "visitors": 5},
        {"date": "2026-04-02", "source": "email", "visitors": 7},
    ]).web_traffic.collect()  # fmt: skip
    db = _marked_warehouse(tmp_path, web_traffic=traffic)
    from analytics.coverage import known_coverage
    from analytics.warehouse import load_tables

    with duckdb.connect(str(db), read_only=True) as con:
        tables = load_tables(con)
        assert known_coverage(tables, config=CFG).filter(group="handoff")["from"].item() == MARKED
        at_latest = known_coverage(tables, config=CFG, as_of=LATEST)
        assert at_latest.equals(coverage(tables.until(LATEST), config=CFG))
        assert at_latest.filter(group="visitors")["to"].item() == date(2026, 3, 1)
        whole = known_coverage(tables, config=CFG)  # stored: the traffic of 2 April counts
        assert whole.filter(group="visitors")["to"].item() == date(2026, 4, 2)


def test_a_review_of_loaded_tables_reads_the_stored_coverage(tmp_path):
    """build_review without a coverage reads the one stored at the import (the same as a
    computed one: at 10M leads computing it takes seconds); at an earlier moment it asks
    what the data known then could answer."""
    from analytics.warehouse import load_tables

    db = _marked_warehouse(tmp_path)
    with duckdb.connect(str(db), read_only=True) as con:
        now = build_review(load_tables(con), CFG, month="2026-03")
        then = build_review(load_tables(con), CFG, month="2026-03",
                            as_of=datetime(2026, 3, 11, 9, tzinfo=UTC))  # fmt: skip
    assert now.coverage_frame.filter(group="handoff")["from"].item() == MARKED
    assert then.coverage_frame.filter(group="handoff")["from"].item() == COMPUTED


def test_the_stored_coverage_equals_a_computed_one_for_the_demo(tmp_path):
    from analytics.coverage import known_coverage
    from analytics.warehouse import load_tables

    db = tmp_path / "w.duckdb"
    proc = subprocess.run(
        [sys.executable, "-m", "analytics.cli", "demo", "--db", str(db), "--leads", "300"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        tables = load_tables(con)
        assert tables.stored_coverage_rows is not None
        stored = known_coverage(tables, config=CFG)  # the stored one (no as_of)
        assert stored.equals(coverage(tables, config=CFG))
        latest = tables.latest_timestamp()
        assert known_coverage(tables, config=CFG, as_of=latest).equals(
            coverage(tables.until(latest), config=CFG)
        )


@pytest.mark.parametrize(
    ("rep_id", "name", "shown", "named"),
    [
        ("Tom Berg", "Tom Berg", "Tom Berg", True),  # HubSpot: the owner's name is the id
        ("b9f3c2", "b9f3c2", "Rep 1", False),  # an id repeated as the name: no name
        ("rep-03", "rep-03", "Rep 1", False),
        ("sdrA", "sdrA", "Rep 1", False),  # one word: an id (Olist's fixture)
        ("r7", None, "Rep 1", False),
        ("r7", "Rita", "Rita", True),
    ],
)
def test_a_reps_name_equal_to_its_id_is_a_name_when_it_is_a_persons(rep_id, name, shown, named):
    """HubSpot's owners are exported by name: they were shown as "Rep 6" and the review
    said the reps have no names."""
    from analytics.coverage import rep_display_names

    reps = [{"rep_id": rep_id, "name": name, "team": "sdr"}]
    t = Tables.from_rows(reps=reps)
    assert rep_display_names(t.reps).collect()["name"].to_list() == [shown]
    measured = coverage(t, config=CFG).filter(group="reps")["measurable"].item()
    assert measured is named


def test_a_metric_says_first_what_no_month_has():
    """X Education has no MQL stage at all: "MQLs delivered" said the data runs from 5 to 5
    December, not into this month, as if MQL data existed."""
    t = Tables.from_rows(
        leads=[lead("a", "2026-12-05T09:00:00Z")],
        lifecycle_events=[ev("a", "sql", "2026-12-05T10:00:00Z")],
    )
    review = build_review(t, CFG, month="2026-11", as_of=datetime(2026, 12, 5, 12, tzinfo=UTC))
    assert review.metric_reason("mqls").startswith(
        "No lifecycle event of stage mql was imported"
    ), review.metric_reason("mqls")
    assert review.metric_reason("leads").startswith("The data for it runs from 2026-12-05")


def test_a_coverage_stored_by_older_coverage_rules_is_computed_afresh(tmp_path, monkeypatch):
    """The reps rule changed (44439ca): a HubSpot warehouse imported before kept saying
    "the reps have no names" with the new code, and `sla precompute` stored that again."""
    import analytics.config as config_module
    from analytics.coverage import known_coverage
    from analytics.warehouse import load_tables

    monkeypatch.setattr(config_module, "COVERAGE_RULES", 1)  # what an older version stored
    db = _marked_warehouse(tmp_path)
    monkeypatch.undo()
    with duckdb.connect(str(db), read_only=True) as con:
        got = known_coverage(load_tables(con), config=CFG)
    assert got.filter(group="handoff")["from"].item() == COMPUTED


def _won_deals_only(*, open_sql: bool = False) -> Tables:
    """March: MQLs A, B, C; A's deal is won on 20 March, and the export (as Olist's closed
    deals) dates A's SQL and opportunity by that win. With ``open_sql``, C is an SQL the
    CRM recorded by itself (an open deal's lead)."""
    won = {"trigger": WON_ONLY_TRIGGER}
    return Tables.from_rows(
        leads=[lead(x, "2026-03-02T09:00:00Z") for x in "ABC"],
        lifecycle_events=[
            *(ev(x, "mql", "2026-03-03T09:00:00Z") for x in "ABC"),
            ev("A", "sql", "2026-03-20T09:00:00Z", **won),
            ev("A", "opportunity", "2026-03-20T09:00:00Z", **won),
            ev("A", "customer", "2026-03-20T09:00:00Z", trigger="won"),
            *([ev("C", "sql", "2026-03-10T09:00:00Z")] if open_sql else []),
        ],
        opportunities=[{"opportunity_id": "O", "lead_id": "A", "created_at": "2026-03-20T09:00Z",
                        "closed_at": "2026-03-20T09:00Z", "amount": 0.0, "status": "won"}],
    )  # fmt: skip


WON_ONLY = {
    "en": "The export records SQLs and opportunities only for won deals (as Olist's closed "
    "deals): those that did not close are unknown, so their count and every rate into or out "
    "of them cannot be measured; import the lifecycle events of every lead.",
    "de": "Der Export verzeichnet SQLs und Opportunities nur für gewonnene Deals (wie Olists "
    "abgeschlossene Deals): die übrigen sind unbekannt, daher lassen sich ihre Anzahl und "
    "jede Quote in sie hinein oder aus ihnen heraus nicht messen; die Lebenszyklus-Ereignisse "
    "aller Leads importieren.",
}


@pytest.mark.parametrize("lang", ["en", "de"])
def test_stages_an_export_records_only_for_won_deals_are_unknown_not_a_verdict(lang):
    """1 SQL of 3 MQLs "missed" lead quality and 1 of 1 opportunity "won" 100 %: both only
    because the lost and open deals are not in the export (audit D13, Olist)."""
    review = build_review(_won_deals_only(), CFG, month="2026-03", as_of=AS_OF)
    doc = review.to_json_dict()
    assert (doc["coverage"]["sql_stage"], doc["coverage"]["opportunity_stage"]) == (False, False)
    assert doc["coverage"]["customer_stage"] and doc["coverage"]["deals"]
    volumes = doc["volumes"]
    assert (volumes["mqls"], volumes["sqls"], volumes["opportunities"]) == (3, None, None)
    assert (volumes["customers"], volumes["deals_won"]) == (1, 1)  # what was recorded counts
    conversion = doc["conversion"]
    assert [conversion[k] for k in ("mql_to_sql", "sql_to_opportunity", "opportunity_to_won")] == [
        None, None, None,
    ]  # fmt: skip
    kpi = {r["metric"]: r for r in review.kpis.iter_rows(named=True)}
    assert (kpi["mql_to_sql"]["value"], kpi["mql_to_sql"]["status"]) == (None, "no_data")
    assert review.kpi_reason(kpi["mql_to_sql"], lang=lang) == WON_ONLY[lang]
    assert review.metric_reason("opportunity_to_won", lang=lang) == WON_ONLY[lang]


def test_a_stage_the_crm_also_records_by_itself_is_counted():
    doc = build_review(_won_deals_only(open_sql=True), CFG, month="2026-03", as_of=AS_OF)
    assert doc.to_json_dict()["volumes"]["sqls"] == 2
    assert doc.to_json_dict()["coverage"]["opportunity_stage"] is False


@pytest.mark.parametrize(("others", "measurable"), [(False, False), (True, True)])
def test_an_export_of_qualified_leads_only_counts_no_leads(others, measurable):
    """Olist's leads are its MQLs: lead -> MQL 3 / 3 = 100 % "met" was no verdict. A lead
    of another export (its lead event unmarked) makes the leads a count again."""
    marked = {"trigger": MQL_ONLY_TRIGGER}
    tables = Tables.from_rows(
        leads=[lead(x, "2026-03-02T09:00:00Z") for x in "ABC"]
        + ([lead("D", "2026-03-04T09:00:00Z")] if others else []),
        lifecycle_events=[
            *(ev(x, "lead", "2026-03-02T09:00:00Z", **marked) for x in "ABC"),
            *(ev(x, "mql", "2026-03-02T09:00:00Z") for x in "ABC"),
            *([ev("D", "lead", "2026-03-04T09:00:00Z")] if others else []),
        ],
    )
    review = build_review(tables, CFG, month="2026-03", as_of=AS_OF)
    doc = review.to_json_dict()
    assert doc["coverage"]["lead_stage"] is measurable
    assert doc["volumes"]["mqls"] == 3
    assert doc["volumes"]["leads"] == (4 if others else None)
    row = review.kpis.filter(pl.col("metric") == "lead_to_mql").row(0, named=True)
    assert row["status"] == ("met" if others else "no_data")
    if not others:
        assert review.kpi_reason(row, lang="de").startswith(
            "Der Export enthält nur Leads, die MQL wurden"
        )


def test_ordinary_leads_joining_marked_data_count_only_in_their_own_months():
    """Two ordinary leads of October 2026 joined a warehouse whose March 2018 SQLs are
    Olist's won deals: "MQL -> SQL 12.5 % missed" came back for March 2018."""
    won, mql_only = {"trigger": WON_ONLY_TRIGGER}, {"trigger": MQL_ONLY_TRIGGER}
    tables = Tables.from_rows(
        leads=[lead(x, "2018-03-02T09:00:00Z") for x in "ABC"]
        + [lead(x, "2026-10-02T09:00:00Z") for x in "DE"],
        lifecycle_events=[
            *(ev(x, "lead", "2018-03-02T09:00:00Z", **mql_only) for x in "ABC"),
            *(ev(x, "mql", "2018-03-02T09:00:00Z") for x in "ABC"),
            ev("A", "sql", "2018-03-20T09:00:00Z", **won),
            *(ev(x, "lead", "2026-10-02T09:00:00Z") for x in "DE"),
            *(ev(x, "mql", "2026-10-03T09:00:00Z") for x in "DE"),
            ev("D", "sql", "2026-10-05T09:00:00Z"),
        ],
    )
    c = coverage(tables, config=CFG)
    span = {g: (f, t) for g, f, t in c.select("group", "from", "to").iter_rows()}
    assert span["sql_stage"][0] == date(2026, 10, 5)  # from its own events' first
    march = build_review(tables, CFG, month="2018-03", as_of=AS_OF.replace(year=2026, month=11))
    kpi = {r["metric"]: r for r in march.kpis.iter_rows(named=True)}
    assert (kpi["mql_to_sql"]["status"], kpi["lead_to_mql"]["status"]) == ("no_data", "no_data")
    october = build_review(tables, CFG, month="2026-10", as_of=AS_OF.replace(month=11, year=2026))
    assert october.to_json_dict()["volumes"]["sqls"] == 1


def _undated_leads() -> Tables:
    undated = {"trigger": UNDATED_TRIGGER}
    return Tables.from_rows(
        leads=[lead(x, "2026-04-01T00:00:00Z") for x in "AB"],
        lifecycle_events=[ev(x, "lead", "2026-04-01T00:00:00Z", **undated) for x in "AB"]
        + [ev("A", "customer", "2026-04-01T00:00:00Z", **undated)],
    )


@pytest.mark.parametrize("group", ["mql_stage", "sql_stage", "funnel"])
@pytest.mark.parametrize("lang", ["en", "de"])
def test_a_stage_of_an_undated_export_says_the_export_has_no_dates(group, lang):
    """Pages audit, finding 2: X Education's MQL and SQL pacing tiles and the Data page
    said "No leads or lifecycle stages were imported" beside its 9,240 leads: a stage
    that cannot be counted without the funnel gave the funnel's generic reason, not the
    funnel's own (the export has no dates)."""
    from analytics.coverage import reason as why

    c = coverage(_undated_leads(), config=CFG)
    assert why(group, c, lang=lang) == render("coverage.reason.undated", lang=lang)
    review = build_review(_undated_leads(), CFG, month="2026-04", as_of=AS_OF)
    assert review.reason(group, lang=lang) == render("coverage.reason.undated", lang=lang)


@pytest.mark.parametrize(
    "tables", [OUTCOMES, MARCH, _won_deals_only(), _undated_leads()],
    ids=["outcomes", "march", "won-only", "undated"],
)  # fmt: skip
@pytest.mark.parametrize("month", ["2026-02", "2026-03"])  # before the data, in it
def test_a_kpi_says_the_same_reason_in_the_cli_and_on_screen(tables, month):
    """X Education's CLI said "the export has no dates" where the pack and the app said
    "no lifecycle event of stage mql" for the same KPI (re-audit 19a, finding 6)."""
    review = build_review(tables, CFG, month=month, as_of=AS_OF)
    for row in review.kpis.filter(pl.col("reason").is_not_null()).iter_rows(named=True):
        assert row["reason"] == review.kpi_reason(row), row["metric"]


def test_no_need_is_divided_by_a_rate_the_data_cannot_measure():
    """Won-only stages with deal amounts: the reverse funnel divided by "opportunity -> won
    100 %" and "MQL -> SQL 12.6 %", and the pack proposed "MQLs at 3 % of pace" (re-audit
    19a, finding 1). The needs below an unknown rate are unknown, with its reason."""
    from analytics.pack.build import build_pack
    from analytics.pack.render import pacing_rows

    won = {"trigger": WON_ONLY_TRIGGER}
    leads = [lead(f"L{i}", f"2026-0{1 + i % 3}-02T09:00:00Z") for i in range(9)]
    events = [ev(r["lead_id"], "mql", r["created_at"]) for r in leads]
    deals = []
    for i in range(3):  # one won deal a month, Jan-Mar, its SQL dated by the win
        at = f"2026-0{1 + i}-20T09:00:00Z"
        events += [ev(f"L{i}", "sql", at, **won), ev(f"L{i}", "opportunity", at, **won),
                   ev(f"L{i}", "customer", at, trigger="won")]  # fmt: skip
        deals.append({"opportunity_id": f"O{i}", "lead_id": f"L{i}", "created_at": at,
                      "closed_at": at, "amount": 50_000.0, "status": "won"})  # fmt: skip
    tables = Tables.from_rows(leads=leads, lifecycle_events=events, opportunities=deals)
    review = build_review(tables, CFG, month="2026-03", as_of=AS_OF)
    need = dict(review.targets.select("stage", "target").iter_rows())
    assert need["deals_won"] == 20.0  # 1M / the average deal of 50k: known
    assert (need["opportunities"], need["sqls"], need["mqls"]) == (None, None, None)
    assert review.need_reason("mqls", lang="de") == WON_ONLY["de"]
    assert review.need_reason("deals_won") is None
    pack = build_pack(tables, CFG, month="2026-03", as_of=AS_OF)
    mqls = next(r for r in pacing_rows(pack) if r["period"] == "month" and r["stage"] == "mqls")
    assert (mqls["target"], mqls["reason"]) == (None, WON_ONLY["en"])
    assert not [a for a in pack.actions if "pace" in str(a)]


def test_cohorts_and_velocity_between_stages_the_data_cannot_count_are_null():
    """The library's cohorts said lead -> MQL 0 / 3 = 0.0 % with an interval for an export
    that never records the MQL stage, and MQL -> SQL of won-only SQLs (re-audit 19a,
    finding 4)."""
    review = build_review(OUTCOMES, CFG, month="2026-03", as_of=AS_OF)
    lead_mql = review.cohorts.filter(pl.col("from_stage") == "lead").row(0, named=True)
    assert (lead_mql["x"], lead_mql["n"], lead_mql["rate"], lead_mql["ci_low"]) == (None,) * 4
    won = build_review(_won_deals_only(), CFG, month="2026-03", as_of=AS_OF)
    mql_sql = won.cohorts.filter(
        (pl.col("from_stage") == "mql") & (pl.col("to_stage") == "sql")
    ).row(0, named=True)
    assert mql_sql["rate"] is None
    assert won.velocity.filter(pl.col("to_stage") == "sql")["median_days"].is_null().all()


@pytest.mark.parametrize(
    ("attributes", "code"),
    [
        ({"country": "India"}, "scoring_fit_values"),  # X Education: names, not DE/AT/CH
        ({}, "scoring_fit"),  # nothing to score: import it
    ],
)
@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_fit_reason_tells_other_values_from_none(attributes, code, lang):
    """Pages audit, finding 7: X Education's leads have a country ("India"), yet the reason
    said "import ... country"; its values are just not among those the config scores."""
    from analytics.coverage import reason as why

    c = coverage(
        Tables.from_rows(leads=[{**lead("A", "2026-03-02T09:00:00Z"), **attributes}]), config=CFG
    )
    assert why("scoring_fit", c, lang=lang) == render(f"coverage.reason.{code}", lang=lang)
    assert c.filter(pl.col("group") == "scoring_fit")["reason"][0] == why("scoring_fit", c)


def _deal(oid: str, closed: str, amount: float, status: str = "won") -> dict:
    return {"opportunity_id": oid, "lead_id": "A", "created_at": "2026-01-10T09:00Z",
            "closed_at": closed, "amount": amount, "status": status}  # fmt: skip


#: Deals with amounts from January to March; one won in March has none (a CRM field left
#: empty), a lost one neither (no revenue either way: February stays known).
UNPRICED = Tables.from_rows(
    leads=[lead("A", "2026-01-05T09:00:00Z")],
    lifecycle_events=[ev("A", "mql", "2026-01-06T09:00:00Z")],
    opportunities=[_deal("O1", "2026-01-20T09:00Z", 1000.0),
                   _deal("O2", "2026-02-10T09:00Z", 2000.0),
                   _deal("O3", "2026-03-10T09:00Z", 0.0),
                   _deal("O4", "2026-02-05T09:00Z", 0.0, status="lost"),
                   _deal("O5", "2026-03-20T09:00Z", 500.0)],
)  # fmt: skip


def test_a_month_with_a_deal_won_without_an_amount_has_no_revenue_verdict():
    """HubSpot's deal without an Amount loads as 0: its month's revenue is unknown, not
    the sum of the others (a revenue KPI 'missed' by the deals nobody priced)."""
    found = coverage(UNPRICED, config=CFG).filter(pl.col("group") == "revenue").row(0, named=True)
    assert found["measurable"] and found["gaps"] == ["2026-03"]
    assert month_coverage(coverage(UNPRICED, config=CFG), "2026-02")["revenue"]
    march = build_review(UNPRICED, CFG, month="2026-03", as_of=AS_OF)
    doc = march.to_json_dict()
    assert doc["volumes"]["deals_won"] == 2 and doc["volumes"]["won_revenue"] is None
    assert doc["coverage"]["revenue"] is False
    paced = march.pacing.filter(pl.col("stage") == "won_revenue")
    assert paced["actual"].to_list() == [None, None]  # the month, the quarter
    assert march.period_reason("revenue", "month").startswith(
        "Some deals won this month have no amount"
    )
    assert march.reason("revenue", lang="de").startswith("Einige in diesem Monat gewonnene")
    # the quarter cannot be known for the month's own reason
    assert march.period_reason("revenue", "quarter") == march.reason("revenue")
    february = build_review(UNPRICED, CFG, month="2026-02", as_of=AS_OF).to_json_dict()
    assert february["volumes"]["won_revenue"] == 2000.0  # priced: known


def test_the_stored_coverage_keeps_the_months_of_deals_won_without_an_amount(tmp_path):
    """The app and `sla review` read the stored coverage: it holds them too (one stored
    before it did was stored by older rules, and is computed afresh)."""
    db = tmp_path / "w.duckdb"
    write_tables(db, {n: getattr(UNPRICED, n).collect() for n in ("leads", "lifecycle_events",
                                                                  "opportunities")},
                 source="test", config=CFG)  # fmt: skip
    with duckdb.connect(str(db), read_only=True) as con:
        stored = read_coverage(con, CFG)
    assert stored.filter(pl.col("group") == "revenue")["gaps"].to_list() == [["2026-03"]]


def test_the_average_deal_size_pools_only_the_months_whose_deals_are_priced():
    """What the revenue goal takes divides it by the trailing average deal size: a deal
    won without an amount is no deal of 0 (it read 875 = 3,500 / 4: the need for deals
    inflated by the unpriced one), so March, unknown, is left out: (1,000 + 2,000) / 2."""
    april = build_review(UNPRICED, CFG, month="2026-04", as_of=datetime(2026, 5, 2, tzinfo=UTC))
    deals = april.targets.filter(pl.col("stage") == "deals_won").row(0, named=True)
    assert deals["rate"] == 1500.0
    assert deals["target"] == pytest.approx(1_000_000 / 1500)


def test_the_library_pools_the_same_priced_months_as_the_review():
    """monthly_targets and pacing called with their defaults read the months without an
    amount from the tables: one average deal size everywhere (it read 875 there)."""
    from analytics.goals import monthly_targets

    targets = monthly_targets(UNPRICED, config=CFG, month="2026-04").collect()
    assert targets.filter(pl.col("stage") == "deals_won")["rate"].item() == 1500.0


def test_a_coverage_stored_without_gaps_is_computed_afresh():
    """Rows stored before the gaps were read "no gap" (a month with an unpriced won deal
    judged on the others); without the key's version to tell, the null gaps do."""
    from analytics.coverage import stored_coverage

    rows = coverage(UNPRICED, config=CFG).with_columns(pl.lit(None).alias("config_key"))
    assert stored_coverage(rows, config=CFG) is not None
    older = rows.with_columns(pl.lit(None, pl.List(pl.String)).alias("gaps"))
    assert stored_coverage(older, config=CFG) is None
    assert stored_coverage(rows.drop("gaps"), config=CFG) is None


def test_a_month_of_rows_dated_after_the_import_is_unknown_not_zero(tmp_path):
    """Every row mistyped a year ahead: `sla review --month` of that month read 0 leads and
    'met' (the counts stop at as_of, the import; the spans did not). Re-audit (a), H2."""
    from analytics.warehouse.database import connect_readonly, load_tables

    ahead = Tables.from_rows(
        leads=[lead("A", "2099-01-05T09:00:00Z"), lead("B", "2099-01-06T09:00:00Z")],
        lifecycle_events=[ev("A", "mql", "2099-01-06T09:00:00Z")],
        sales_touches=[touch("T1", "A", "2099-01-06T10:00:00Z")],
    )
    db = tmp_path / "w.duckdb"
    write_tables(db, {n: getattr(ahead, n).collect() for n in ("leads", "lifecycle_events",
                                                               "sales_touches")},
                 source="test", config=CFG)  # fmt: skip
    con = connect_readonly(db)
    try:
        tables = load_tables(con)
        doc = build_review(tables, CFG, month="2099-01").to_json_dict()
    finally:
        con.close()
    assert doc["volumes"]["leads"] is None and doc["volumes"]["mqls"] is None
    assert doc["handoff"]["met"] is None and not doc["coverage"]["funnel"]


def test_a_need_above_a_rate_without_cases_says_what_cannot_be_worked_out():
    """Deals tracked, none won in the months the average deal size pools: what each stage
    needs is unknown, said as such, not "this stage has no need" (a need of none)."""
    from analytics.pack.build import build_pack
    from analytics.pack.render import render_markdown

    leads = [lead(f"L{i}", f"2026-0{1 + i % 3}-02T09:00:00Z") for i in range(6)]
    events = [ev(r["lead_id"], "mql", r["created_at"]) for r in leads]
    deals = [{"opportunity_id": "O1", "lead_id": "L1", "created_at": "2026-02-10T09:00:00Z",
              "amount": 10_000.0, "status": "open"}]  # fmt: skip
    tables = Tables.from_rows(leads=leads, lifecycle_events=events, opportunities=deals)
    review = build_review(tables, CFG, month="2026-03", as_of=AS_OF)
    assert review.need_reason("mqls") == (
        "Average won deal size over the months it pools is unknown (no case in them, or more "
        "in the later stage than in the earlier one), so what this stage needs cannot be "
        "worked out."
    )
    assert review.need_reason("deals_won", lang="de") == (
        "Durchschnittlicher Auftragswert über die gepoolten Monate ist unbekannt (kein Fall "
        "in ihnen, oder mehr in der späteren Phase als in der früheren), daher lässt sich der "
        "Bedarf dieser Phase nicht berechnen."
    )
    # the pack says it once below the pacing table, each stage it explains marked
    pack = render_markdown(build_pack(tables, CFG, month="2026-03", as_of=AS_OF))
    goals = pack.split("\n## ")[1]
    assert goals.count(review.need_reason("mqls")) == 1
    (mark,) = [ln[2] for ln in goals.splitlines() if ln.endswith(review.need_reason("mqls"))]
    assert f"| month | MQLs{mark} | 2 |" in goals and f"| quarter | Leads{mark} | 6 |" in goals


#: The latest import of :data:`AHEAD` (a Sunday morning; 07:45 in Berlin is 08:45).
IMPORTED = datetime(2026, 12, 6, 7, 45, tzinfo=UTC)
#: Lead A and its MQL in November, known at the import; lead B, its MQL and the only sales
#: touch dated January 2027, after it (a mistyped year); no nurture enrolment at all.
AHEAD = dataclasses.replace(
    Tables.from_rows(
        reps=[{"rep_id": "r1", "name": "Rita", "team": "sdr"}],
        leads=[lead("A", "2026-11-02T09:00:00Z"), lead("B", "2027-01-05T09:00:00Z")],
        lifecycle_events=[ev("A", "mql", "2026-11-03T09:00:00Z"),
                          ev("B", "mql", "2027-01-06T09:00:00Z")],
        sales_touches=[touch("T1", "B", "2027-01-06T10:00:00Z")],
    ),
    loaded_at=IMPORTED,
)  # fmt: skip
TOUCHES_AHEAD = {
    "en": "The rows of sales_touches it needs are all dated after the latest import "
          "(2026-12-06): the data counts as known only until the import, so they are not "
          "counted (a mistyped year?).",
    "de": "Die benötigten Zeilen von sales_touches sind alle nach dem letzten Import "
          "(06.12.2026) datiert: die Daten gelten nur bis zum Import als bekannt, daher "
          "werden sie nicht gezählt (ein vertipptes Jahr?).",
}  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "de"])
@pytest.mark.parametrize("group", ["handoff", "cadence", "recycling"])
def test_rows_all_dated_after_the_import_are_named_not_to_be_imported(group, lang):
    """Every sales touch dated after the import: the reason said "No sales touches were
    imported: import sales_touches" beside a table of touches. Re-audit (a), L2 and M1."""
    from analytics.coverage import reason

    c = coverage(AHEAD, config=CFG)
    assert reason(group, c, lang=lang) == TOUCHES_AHEAD[lang]
    row = c.filter(pl.col("group") == group).row(0, named=True)
    assert (row["measurable"], row["from"], row["to"]) == (False, None, None)
    assert (row["dated_after_import"], row["imported_on"]) == (["sales_touches"], date(2026, 12, 6))
    assert row["reason"] == TOUCHES_AHEAD["en"]
    # the month the review opens on, and a month after the import: the same reason
    for month in ("2026-11", "2027-01"):
        review = build_review(AHEAD, CFG, month=month)
        assert review.as_of == IMPORTED
        assert review.metric_reason("handoff_compliance", lang=lang) == TOUCHES_AHEAD[lang]


def test_a_group_with_rows_known_at_the_import_or_none_at_all_keeps_its_reason():
    c = {r["group"]: r for r in coverage(AHEAD, config=CFG).iter_rows(named=True)}
    # lead A (2 Nov) and its MQL (3 Nov) are known: measurable until the earlier last row
    assert (c["funnel"]["measurable"], c["funnel"]["to"]) == (True, date(2026, 11, 2))
    assert (c["funnel"]["dated_after_import"], c["funnel"]["imported_on"]) == ([], None)
    # no enrolment at all, before or after the import: what to import
    none = "No nurture enrollments were imported: import nurture_enrollments."
    assert c["nurture"]["reason"] == none
    assert c["nurture"]["dated_after_import"] == []


@pytest.mark.parametrize(
    ("group", "tables"),
    [
        ("funnel", ["leads", "lifecycle_events"]),
        # a stage says what the funnel lacks (not "no sal event was imported")
        ("sal_stage", ["leads", "lifecycle_events"]),
        ("handoff", ["sales_touches"]),
    ],
)
def test_a_warehouse_whose_rows_all_follow_its_import_names_them_in_the_cli(
    tmp_path, group, tables
):
    """`sla review` of the default month and of a month after the import, and `sla info`,
    on a warehouse whose every row is dated after its import: they said "No leads or
    lifecycle stages were imported" (before H2's fix "The data for it runs from 2099-01-05
    to 2099-01-06, not into this month"). Re-audit (a), L2."""
    from typer.testing import CliRunner

    from analytics.cli import app
    from analytics.coverage import reason
    from analytics.warehouse.database import connect_readonly, load_tables

    ahead = Tables.from_rows(
        leads=[lead("A", "2099-01-05T09:00:00Z")],
        lifecycle_events=[ev("A", "mql", "2099-01-06T09:00:00Z")],
        sales_touches=[touch("T1", "A", "2099-01-06T10:00:00Z")],
    )
    db = tmp_path / "w.duckdb"
    write_tables(db, {n: getattr(ahead, n).collect() for n in ("leads", "lifecycle_events",
                                                               "sales_touches")},
                 source="test", config=CFG)  # fmt: skip
    con = connect_readonly(db)
    try:
        # the import's day in the reporting calendar (a fixed zone here failed an hour a day)
        zone = ZoneInfo(CFG.reporting.timezone)
        imported = load_tables(con).loaded_at.astimezone(zone).date()
    finally:
        con.close()
    expected = render("coverage.reason.after_import", tables=tables, day=imported.isoformat())
    stored = CliRunner().invoke(app, ["info", "--db", str(db), "--json"])
    assert json.loads(stored.stdout)["coverage"][group]["reason"] == expected
    for month in ([], ["--month", "2099-01"]):
        result = CliRunner().invoke(app, ["review", "--db", str(db), "--json", *month])
        assert result.exit_code == 0, result.output
        doc = json.loads(result.stdout)
        assert not doc["coverage"][group]
        kpis = {k["metric"]: k for k in doc["kpis"]}
        metric = {"funnel": "mqls", "sal_stage": "mqls", "handoff": "handoff_compliance"}[group]
        # the handoff builds on the month's MQLs: their reason (the leads and events) first
        said = render("coverage.reason.after_import", tables=["leads", "lifecycle_events"],
                      day=imported.isoformat()) if group == "handoff" else expected  # fmt: skip
        assert (kpis[metric]["status"], kpis[metric]["reason"]) == ("no_data", said)
    con = connect_readonly(db)
    try:
        c = coverage(load_tables(con), config=CFG)
    finally:
        con.close()
    assert reason(group, c, lang="de").startswith(f"Die benötigten Zeilen von {tables[0]}")


def test_a_coverage_stored_without_the_rows_dated_after_the_import_is_computed_afresh():
    """Rows stored before ``dated_after_import`` was would say "import sales_touches" beside
    a table of touches dated after the import."""
    from analytics.coverage import stored_coverage

    rows = coverage(AHEAD, config=CFG).with_columns(pl.lit(None).alias("config_key"))
    assert stored_coverage(rows, config=CFG) is not None
    older = rows.with_columns(pl.lit(None, pl.List(pl.String)).alias("dated_after_import"))
    assert stored_coverage(older, config=CFG) is None
    assert stored_coverage(rows.drop("dated_after_import", "imported_on"), config=CFG) is None
