"""The KPI table: statuses at the boundaries, change against the previous month; its history."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from review_support import daily_touches

from analytics.config import KPI_METRICS, Kpi, Kpis, load_config
from analytics.demo import generate_demo
from analytics.kpis import POINT_IN_TIME, kpi_status, kpi_table
from analytics.review import build_review, kpi_histories, kpi_history
from analytics.tables import Tables
from analytics.timeframe import TimeframeError, shift_month

CFG = load_config("data/sla.toml")  # at_risk_margin 0.10


@pytest.mark.parametrize(
    ("value", "target", "direction", "status"),
    [
        (0.90, 0.9, "at_least", "met"),  # on target
        (0.81, 0.9, "at_least", "at_risk"),  # 0.9 x (1 - 0.1) = 0.81: still at risk
        (0.80, 0.9, "at_least", "missed"),
        (10.0, 10.0, "at_most", "met"),
        (11.0, 10.0, "at_most", "at_risk"),  # 10 x 1.1 = 11
        (11.5, 10.0, "at_most", "missed"),
        (0.0, 5.0, "at_most", "met"),
        (None, 5.0, "at_most", None),  # no value: no status
    ],
)
def test_status(value, target, direction, status):
    df = pl.DataFrame(
        {"v": [value], "t": [target], "d": [direction]}, schema_overrides={"v": pl.Float64}
    )
    got = df.select(kpi_status("v", "t", "d", margin=0.1))["status"][0]
    assert got == status


@pytest.mark.parametrize(
    ("value", "target", "direction", "margin", "status"),
    [
        # at least 20 %, margin 10 %: the bound is 0.18 (0.2 x 0.9 = 0.18000000000000002)
        (20 / 100, 0.2, "at_least", 0.1, "met"),  # exactly on target
        (19.999 / 100, 0.2, "at_least", 0.1, "at_risk"),  # just under
        (18 / 100, 0.2, "at_least", 0.1, "at_risk"),  # exactly on the bound (audit L1)
        (17.999 / 100, 0.2, "at_least", 0.1, "missed"),  # just beyond
        (72 / 100, 0.8, "at_least", 0.1, "at_risk"),  # 0.8 x 0.9 = 0.7200000000000001
        (0.719999, 0.8, "at_least", 0.1, "missed"),
        # at least 10, margin 70 %: 10 x (1 - 0.7) = 3.0000000000000004
        (3.0, 10.0, "at_least", 0.7, "at_risk"),
        (2.999, 10.0, "at_least", 0.7, "missed"),
        # at most 700, margin 10 %: 700 x 1.1 = 770.0000000000001
        (700.0, 700.0, "at_most", 0.1, "met"),
        (700.001, 700.0, "at_most", 0.1, "at_risk"),
        (770.0, 700.0, "at_most", 0.1, "at_risk"),
        (770.001, 700.0, "at_most", 0.1, "missed"),
        # at most 2.26, margin 10 %: 2.26 x 1.1 = 2.4859999999999998
        (2.486, 2.26, "at_most", 0.1, "at_risk"),
        (2.48601, 2.26, "at_most", 0.1, "missed"),
        # a target of 0: no slack at all
        (0.0, 0.0, "at_most", 0.1, "met"),
        (1e-9, 0.0, "at_most", 0.1, "missed"),
    ],
)
def test_status_on_target_and_on_the_margin(value, target, direction, margin, status):
    df = pl.DataFrame({"v": [value], "t": [target], "d": [direction]})
    assert df.select(kpi_status("v", "t", "d", margin=margin))["status"][0] == status


def test_kpi_table_for_both_teams():
    values = {"mqls": 650, "handoff_compliance": 0.95, "stale_leads": 12, "attempts_per_mql": None}
    previous = {"mqls": 600, "handoff_compliance": 0.85}
    got = kpi_table(values, previous, config=CFG).collect()
    # one row per configured KPI: 5 marketing, 6 sales, marketing first
    assert got["team"].to_list() == ["marketing"] * 5 + ["sales"] * 6
    rows = {r["metric"]: r for r in got.iter_rows(named=True)}
    # 650 MQLs vs 700: 650 >= 630 -> at risk; +50 on September
    assert (rows["mqls"]["status"], rows["mqls"]["change"]) == ("at_risk", 50.0)
    assert rows["handoff_compliance"]["status"] == "met"
    assert rows["handoff_compliance"]["change"] == pytest.approx(0.10)
    # 12 stale vs at most 10: above 11 -> missed; no previous value -> no change
    assert (rows["stale_leads"]["status"], rows["stale_leads"]["change"]) == ("missed", None)
    assert rows["attempts_per_mql"]["status"] == "no_data"  # no value: not judged
    assert rows["attempts_per_mql"]["reason"] == "Nothing to measure this month (no cases)."
    assert rows["cadence_compliance"]["value"] is None  # not given


@pytest.mark.parametrize(
    ("segment_targets", "share", "target", "status"),
    [
        (None, 1.0, 10.0, "met"),  # the company: 0 stale against at most 10
        ({}, 1.0, None, "no_data"),  # a segment: the company's 10 say nothing of its share
        ({"stale_leads": 2.0}, 1.0, 2.0, "met"),  # its own target
        ({"stale_leads": 2.0}, 3 / 31, 2.0, "met"),  # a count at a moment: not pro-rated
    ],
)
def test_stale_leads_of_a_segment_are_judged_only_against_its_own_target(
    segment_targets, share, target, status
):
    """A segment without leads read "every promise kept": 0 stale leads against the
    company's 10 (premature recycles, a volume, was already not judged)."""
    got = kpi_table({"stale_leads": 0}, config=CFG, segment_targets=segment_targets,
                    target_share=share).collect()  # fmt: skip
    row = got.filter(pl.col("metric") == "stale_leads").row(0, named=True)
    assert (row["target"], row["status"]) == (target, status)
    if status == "no_data":
        assert row["reason"] == "Not judged for a segment: the SLA config sets no target for it."


def test_unknown_metric_is_named():
    with pytest.raises(ValueError, match=r"unknown KPI metric\(s\) \['revenue'\]; allowed: "):
        kpi_table({"revenue": 1.0}, config=CFG)


# -- kpi_history: many months in one pass ------------------------------------------------------


def with_kpis(config, metrics):
    """The config with these extra KPIs for marketing (targets 1, at least)."""
    extra = [Kpi(metric=m, label=m, target=1.0, direction="at_least") for m in metrics]
    kpis = config.kpis.model_copy(update={"marketing": [*config.kpis.marketing, *extra]})
    return config.model_copy(update={"kpis": kpis})


def ev(lead, stage, at, **kw):
    return {"lead_id": lead, "stage": stage, "entered_at": at, **kw}


def touch(tid, lead, at, outcome="no_answer"):
    return {"touch_id": tid, "lead_id": lead, "rep_id": "r1", "channel": "phone",
            "occurred_at": at, "outcome": outcome}  # fmt: skip


def lead(lid, created):
    return {"lead_id": lid, "created_at": created, "source": "email", "owner_rep_id": "r1"}


# August to October 2026 (UTC), judged as of 31 Oct 00:00.
WORLD = Tables.from_rows(
    reps=[{"rep_id": "r1", "name": "Rita", "team": "sdr"}],
    leads=[lead("A", "2026-08-05T08:00Z"), lead("B", "2026-08-20T08:00Z"),
           lead("C", "2026-09-10T08:00Z"), lead("D", "2026-10-05T08:00Z"),
           lead("E", "2026-10-12T08:00Z")],
    lifecycle_events=[
        ev("A", "mql", "2026-08-06T09:00Z"), ev("A", "sal", "2026-08-06T15:00Z"),
        ev("A", "sql", "2026-08-10T09:00Z"),
        ev("B", "mql", "2026-08-21T09:00Z"),
        ev("B", "recycled", "2026-09-02T09:00Z", actor_rep_id="r1"),
        ev("B", "mql", "2026-10-01T09:00Z"),
        ev("C", "mql", "2026-09-10T12:00Z"), ev("C", "disqualified", "2026-09-15T09:00Z"),
        ev("D", "mql", "2026-10-05T09:00Z"),
    ],
    sales_touches=[
        touch("TA", "A", "2026-08-06T10:00Z"),
        touch("TB1", "B", "2026-08-23T09:00Z"),
        touch("TB2", "B", "2026-10-01T11:00Z", outcome="connected"),
        touch("TC", "C", "2026-09-10T13:00Z", outcome="connected"),
        *[touch(f"TD{d}", "D", f"2026-10-{d:02d}T10:00Z") for d in range(5, 11)],
        # sales keeps working (E has no MQL): the touches are tracked until as_of
        *daily_touches("E", "2026-10-12", "2026-10-30"),
    ],
    nurture_enrollments=[{"enrollment_id": "N1", "lead_id": "B", "track": "recycled-reengagement",
                          "enrolled_at": "2026-09-03T09:00Z", "triggered_by": "auto"}],
    web_traffic=[{"date": f"2026-{m:02d}-01", "source": "email", "visitors": v}
                 for m, v in ((8, 100), (9, 200), (10, 400))],
)  # fmt: skip
AS_OF = datetime(2026, 10, 31, tzinfo=UTC)
HAND_CFG = CFG.model_copy(
    update={
        "kpis": Kpis(
            at_risk_margin=0.10,
            marketing=[
                Kpi(metric=m, label=m, target=t, direction=d)
                for m, t, d in (
                    ("mqls", 700, "at_least"), ("visitor_to_lead", 0.015, "at_least"),
                    ("lead_to_mql", 0.2, "at_least"), ("mql_to_sql", 0.3, "at_least"),
                    ("mql_rejection_rate", 0.25, "at_most"),
                    ("recycled_enrolled_in_time", 0.9, "at_least"), ("remql_rate", 0.2, "at_least"),
                )
            ],
            sales=[
                Kpi(metric=m, label=m, target=t, direction=d)
                for m, t, d in (
                    ("handoff_compliance", 0.9, "at_least"),
                    ("median_hours_to_first_touch", 8, "at_most"),
                    ("cadence_compliance", 0.85, "at_least"), ("attempts_per_mql", 5, "at_least"),
                    ("premature_recycles", 5, "at_most"), ("stale_leads", 10, "at_most"),
                )
            ],
        )
    }
)  # fmt: skip

# Worked out by hand (first touch within 24 h; 6 attempts 4 h apart within 14 days):
# August: leads A, B; MQLs A, B; A sal + sql. Episodes A (touched after 1 h, met; sal:
#   accepted; ended after 1 unanswered attempt: cadence judged, not held), B#1 (first
#   touch after 48 h: missed; recycled without sal: rejected; 1 attempt, not held).
# September: lead and MQL C; B recycled on 2 Sep (1 unanswered attempt: premature),
#   enrolled 1 day later (in time), MQL again on 1 Oct (re-MQL). C: touched and reached
#   after 1 h (met, held), disqualified without sal (rejected).
# October: leads D, E; MQLs B#2 (reached after 2 h) and D (6 unanswered attempts a day
#   apart from 1 h after the MQL: held, and stale at as_of: 20.6 days since the last).
#   Stale leads is counted at as_of: October only.
HAND = {
    "2026-07": {  # before the data: nothing measurable, but August's "previous"
        "mqls": None, "visitor_to_lead": None, "lead_to_mql": None, "mql_to_sql": None,
        "mql_rejection_rate": None, "recycled_enrolled_in_time": None, "remql_rate": None,
        "handoff_compliance": None, "median_hours_to_first_touch": None,
        "cadence_compliance": None, "attempts_per_mql": None, "premature_recycles": None,
        "stale_leads": None,
    },
    "2026-08": {
        "mqls": 2, "visitor_to_lead": 2 / 100, "lead_to_mql": 1.0, "mql_to_sql": 1 / 2,
        "mql_rejection_rate": 1 / 2, "recycled_enrolled_in_time": None, "remql_rate": None,
        "handoff_compliance": 1 / 2, "median_hours_to_first_touch": 24.5,
        "cadence_compliance": 0.0, "attempts_per_mql": 1.0, "premature_recycles": 0,
        "stale_leads": None,
    },
    "2026-09": {
        "mqls": 1, "visitor_to_lead": 1 / 200, "lead_to_mql": 1.0, "mql_to_sql": 0.0,
        "mql_rejection_rate": 1.0, "recycled_enrolled_in_time": 1.0, "remql_rate": 1.0,
        "handoff_compliance": 1.0, "median_hours_to_first_touch": 1.0,
        "cadence_compliance": 1.0, "attempts_per_mql": 1.0, "premature_recycles": 1,
        "stale_leads": None,
    },
    "2026-10": {
        "mqls": 2, "visitor_to_lead": 2 / 400, "lead_to_mql": 1.0, "mql_to_sql": 0.0,
        "mql_rejection_rate": 0.0, "recycled_enrolled_in_time": None, "remql_rate": None,
        "handoff_compliance": 1.0, "median_hours_to_first_touch": 1.5,
        "cadence_compliance": 1.0, "attempts_per_mql": 3.5, "premature_recycles": 0,
        "stale_leads": 1,
    },
}  # fmt: skip


@pytest.fixture(scope="module")
def hand_history():
    return kpi_history(WORLD, HAND_CFG, month="2026-10", months=4, as_of=AS_OF)


def as_floats(values):
    return {k: None if v is None else float(v) for k, v in values.items()}


def test_history_months_oldest_first_without_months_before_the_data(hand_history):
    assert hand_history.columns == [
        "month", "running", *kpi_table({}, config=HAND_CFG).collect().columns,
    ]  # fmt: skip
    # as_of 31 Oct 00:00 UTC (01:00 in Berlin): October is running, the others complete
    assert dict(hand_history.select("month", "running").unique().iter_rows()) == {
        "2026-08": False, "2026-09": False, "2026-10": True,
    }  # fmt: skip
    assert hand_history["month"].unique(maintain_order=True).to_list() == [
        "2026-08", "2026-09", "2026-10",
    ]  # fmt: skip
    assert hand_history.height == 3 * 13


@pytest.mark.parametrize(("month", "before"), [("2026-08", "2026-07"), ("2026-09", "2026-08"),
                                              ("2026-10", "2026-09")])  # fmt: skip
def test_history_values_by_hand(hand_history, month, before):
    rows = hand_history.filter(pl.col("month") == month)
    assert dict(zip(rows["metric"], rows["value"], strict=True)) == as_floats(HAND[month])
    previous = as_floats(HAND[before])
    if month == "2026-10":  # a running month is never compared with the one before
        previous = dict.fromkeys(previous)
    assert dict(zip(rows["metric"], rows["previous"], strict=True)) == previous


@pytest.mark.parametrize(
    ("month", "metric", "status", "change"),
    [
        ("2026-08", "mqls", "missed", None),  # 2 of 700; July has no data: no change
        ("2026-08", "median_hours_to_first_touch", "missed", None),  # 24.5 h vs 8; none before
        ("2026-09", "handoff_compliance", "met", 0.5),
        ("2026-09", "premature_recycles", "met", 1.0),  # 1 <= 5
        ("2026-10", "attempts_per_mql", "missed", None),  # 3.5 < 5 x 0.9; running: no change
        ("2026-10", "stale_leads", "met", None),  # 1 <= 10; no value for September
        ("2026-09", "stale_leads", "no_data", None),  # a past month: no point-in-time value
    ],
)
def test_history_status_and_change(hand_history, month, metric, status, change):
    row = hand_history.filter((pl.col("month") == month) & (pl.col("metric") == metric))
    assert row.select("status", "change").row(0) == (status, change)


def test_history_of_the_month_is_the_reviews_kpi_table(hand_history):
    review = build_review(WORLD, HAND_CFG, month="2026-10", as_of=AS_OF)
    got = hand_history.filter(pl.col("month") == "2026-10").drop("month", "running")
    assert_frame_equal(got, review.kpis, check_exact=True)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"month": "2026-13"}, TimeframeError, "month '2026-13' is not a calendar month"),
        ({"month": "2026-10", "months": 0}, ValueError, "months must be at least 1, got 0"),
        ({"month": "2026-10", "segment": {"region": "x"}}, ValueError, "unknown segment 'region'"),
    ],
)
def test_history_bad_arguments_are_named(kwargs, error, match):
    with pytest.raises(error, match=match):
        kpi_history(WORLD, CFG, **kwargs)


@pytest.mark.parametrize(
    ("tables", "month"), [(Tables.empty(), "2026-10"), (WORLD, "2026-07")]
)  # fmt: skip
def test_history_without_data_is_empty(tables, month):
    got = kpi_history(tables, CFG, month=month, as_of=AS_OF if tables is WORLD else None)
    assert got.height == 0
    assert got.columns == ["month", "running", *kpi_table({}, config=CFG).collect().columns]


# Every KPI metric, on a small demo: each month as build_review gives it.
DEMO_MONTH = "2026-10"
ALL_CFG = with_kpis(CFG.model_copy(update={"kpis": Kpis()}), KPI_METRICS)


@pytest.fixture(scope="module")
def demo_tables():
    demo = generate_demo(CFG, leads=2_000, seed=3, end=datetime(2026, 11, 1, tzinfo=UTC))
    return Tables.from_frames(**demo).collect()


@pytest.mark.parametrize(
    ("ends", "months", "segment"),
    [
        (["2026-11", "2026-10", "2026-09"], 12, None),  # the stored results' three
        (["2026-10", "2026-09"], 3, {"size_band": ["250-999", "1000+"]}),
        (["2026-10", "2026-04"], 2, None),  # histories apart: the months between are passed
        (["2026-10", "2024-01"], 12, None),  # one before the first lead: empty
        (["2026-10", "2026-10"], 4, None),
    ],
)
def test_histories_in_one_pass_equal_each_history_alone(demo_tables, ends, months, segment):
    """The stored results build the history up to each default month in one pass: each
    equals :func:`kpi_history` built alone, its last month's point-in-time KPIs too."""
    together = kpi_histories(demo_tables, ALL_CFG, ends=ends, months=months, segment=segment)
    assert list(together) == list(dict.fromkeys(ends))
    for end in ends:
        alone = kpi_history(demo_tables, ALL_CFG, month=end, months=months, segment=segment)
        assert_frame_equal(together[end], alone, check_exact=True)
    assert together[ends[0]].height > 0


@pytest.mark.parametrize("segment", [None, {"size_band": ["250-999", "1000+"]}])
def test_history_equals_build_review_month_by_month(demo_tables, segment):
    history = kpi_history(demo_tables, ALL_CFG, month=DEMO_MONTH, months=12, segment=segment)
    shown = history["month"].unique(maintain_order=True).to_list()
    assert shown == [shift_month(DEMO_MONTH, -k) for k in range(11, -1, -1)]
    for month in (DEMO_MONTH, shift_month(DEMO_MONTH, -1), shift_month(DEMO_MONTH, -6),
                  shift_month(DEMO_MONTH, -11)):  # fmt: skip
        review = build_review(demo_tables, ALL_CFG, month=month, segment=segment)
        expected = review.kpis
        got = history.filter(pl.col("month") == month).drop("month", "running")
        if month != DEMO_MONTH:  # stale leads are counted at as_of: the last month only
            keep = ~pl.col("metric").is_in(list(POINT_IN_TIME))
            got, expected = got.filter(keep), expected.filter(keep)
        assert_frame_equal(got, expected, check_exact=True)
        assert got["value"].null_count() < got.height  # numbers, not only nulls


@pytest.mark.parametrize("partitions", [2, 7])
@pytest.mark.parametrize("segment", [None, {"size_band": ["250-999", "1000+"]}])
def test_histories_in_parts_of_leads_equal_one_part(demo_tables, partitions, segment):
    """The stored results build the histories' episodes in parts of leads (the memory of
    one part at 10M): the same histories, to the last bit, as in one part."""
    ends = ["2026-11", "2026-10", "2026-09"]
    whole = kpi_histories(demo_tables, ALL_CFG, ends=ends, months=12, segment=segment,
                          partitions=1)  # fmt: skip
    parts = kpi_histories(demo_tables, ALL_CFG, ends=ends, months=12, segment=segment,
                          partitions=partitions)  # fmt: skip
    for end in ends:
        assert_frame_equal(parts[end], whole[end], check_exact=True)
    assert whole["2026-10"]["value"].drop_nulls().len() > 0


@pytest.mark.parametrize(
    ("pace", "status"), [(0.3, "at_risk"), (0.29, "missed"), (0.99, "at_risk")]
)
def test_a_goal_pace_on_the_margin_is_at_risk(pace, status):
    """A pace exactly at ``1 - margin`` is at risk, as a KPI on its bound is: with a margin
    of 0.7 the bound is 0.30000000000000004 in floating point, and 0.3 read as missed."""
    from analytics.config import load_config
    from dashboard.ui import attention_with_pacing

    config = load_config("data/sla.toml")
    config = config.model_copy(
        update={"kpis": config.kpis.model_copy(update={"at_risk_margin": 0.7})}
    )
    kpis = pl.DataFrame(schema={"status": pl.String, "value": pl.Float64, "target": pl.Float64})
    pacing = pl.DataFrame({"period": ["month"], "stage": ["mqls"], "pace": [pace]})
    (item,) = attention_with_pacing(kpis, pacing, config)
    assert item["status"] == status
